/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading text files the kernel writes (/proc, tracefs) line by line and
 * word by word, with where each word is for "file:line:column" messages.
 * Private to sim/: the snapshot and ftrace importers share it.
 */
#ifndef CMASIM_TEXTSCAN_H
#define CMASIM_TEXTSCAN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gio/gio.h>

struct textscan {
	const char *source;	/* names the file in messages */
	const char *data;
	size_t len;
	size_t next;		/* offset of the line after the current one */
	const char *line;	/* the current line, without its newline */
	size_t line_len;
	const char *cur;	/* where the next word is looked for */
	unsigned int lineno;	/* of the current line, from 1 */
};

/* A run of bytes of the current line. */
struct word {
	const char *s;
	size_t len;
};

void textscan_init(struct textscan *ts, const char *source, const char *data, size_t len);
/* Moves to the next line; false after the last. */
bool textscan_next(struct textscan *ts);
/* The next word (bytes up to a blank) after blanks, in *@w; false at the line's end. */
bool textscan_word(struct textscan *ts, struct word *w);
/* Whether only blanks are left on the line. */
bool textscan_at_end(const struct textscan *ts);
/* Sets a CMASIM_ERROR_VALUE error "@where: message"; always false. */
bool text_vfail(GError **error, const char *where, const char *fmt, va_list ap)
	G_GNUC_PRINTF(3, 0);
/* Sets a CMASIM_ERROR_VALUE "source:line:column: ..." at @at in the current line; false. */
bool textscan_fail(const struct textscan *ts, GError **error, const char *at, const char *fmt,
		   ...) G_GNUC_PRINTF(4, 5);

/* A stream of @bytes, gunzipped when they start with gzip's magic. */
GInputStream *text_stream(GBytes *bytes);
/* @raw gunzipped if it is gzip, at most @max bytes; NULL with an error naming @source. */
GBytes *text_inflate(GBytes *raw, const char *source, size_t max, GError **error);
/*
 * Appends @s to @out as a YAML double-quoted scalar of printable ASCII:
 * '"' and '\\' escaped, any other byte that is not printable as '?'.
 */
void text_append_quoted(GString *out, const char *s);

/* Whether @w is exactly @s. */
bool word_is(const struct word *w, const char *s);
/* @w without a trailing @c, if it has one: "start_pfn:" as "start_pfn". */
struct word word_chop(struct word w, char c);
/* A decimal in @w into *@v. */
bool word_uint(const struct word *w, uint64_t *v);

#endif

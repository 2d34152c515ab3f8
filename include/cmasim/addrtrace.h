/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Address traces for the data cache, read as a stream: never whole in
 * memory, and gzip-compressed files are read as they are. Three formats:
 *
 *   lackey   valgrind --tool=lackey --trace-mem=yes --log-file=FILE output:
 *            "I  addr,size" instruction fetches (skipped: this is a data
 *            cache), " L addr,size" loads, " S addr,size" stores,
 *            " M addr,size" modifies; "==pid==" banner lines are skipped.
 *            Addresses hex, sizes decimal.
 *   din      DineroIV's "label address [size]": label 0 read, 1 write,
 *            2 instruction fetch (skipped), 3 miscellaneous (read, as
 *            DineroIV counts it), 4 copy-back (clean the bytes), 5
 *            invalidate; address hex, with or without 0x. Without a size,
 *            DineroIV's rule: 4 bytes at the address rounded down to 4.
 *            A size is decimal; the rest of the line is a comment.
 *   plain    "R|W address size": address hex with or without 0x, size decimal.
 *   binary   what cmasim_addrtrace_convert() writes: a few bytes a record,
 *            read many times faster than text. The file starts with
 *            "CMASIMAT" and a version byte, 1. Each record is a byte
 *            op << 5 | size (op 0 read, 1 write, 2 modify, 3 clean, 4
 *            invalidate; size 1 to 31, or 0 when a varint size follows),
 *            then the address as a varint of the zigzagged difference from
 *            the record before's (the first's from 0). Op 7 with size 0
 *            stands for a varint count of instruction fetches skipped.
 *            Varints are LEB128: 7 bits a byte, low first, the top bit set
 *            on all but the last; no byte order to agree on.
 *
 * In every text format blank lines, lines starting with '#' and a '\r'
 * before the newline are ignored. Sizes run from 1 to CMASIM_ADDR_SIZE_MAX.
 * A file's lines may be up to 1 MiB long.
 * A bad line is a CMASIM_ERROR_VALUE "file:line:column: what was wrong
 * (what was expected)", a bad binary record "file: record N (byte B):
 * ..."; an unreadable file CMASIM_ERROR_IO.
 */
#ifndef CMASIM_ADDRTRACE_H
#define CMASIM_ADDRTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

/* Largest access size a trace may give, in bytes. */
#define CMASIM_ADDR_SIZE_MAX 4096

enum cmasim_addrtrace_format {
	CMASIM_ADDRTRACE_AUTO,		/* told from the first line that is not blank or a comment */
	CMASIM_ADDRTRACE_LACKEY,
	CMASIM_ADDRTRACE_DIN,
	CMASIM_ADDRTRACE_PLAIN,
	CMASIM_ADDRTRACE_BINARY,
};

enum cmasim_addr_op {
	CMASIM_ADDR_READ,
	CMASIM_ADDR_WRITE,
	CMASIM_ADDR_MODIFY,	/* lackey M: one instruction reads, then writes, the same bytes */
	CMASIM_ADDR_CLEAN,	/* din 4: write the bytes' dirty lines back */
	CMASIM_ADDR_INVALIDATE,	/* din 5: drop the bytes' lines */
};

/* One record of a trace. */
struct cmasim_addr_ref {
	uint64_t addr;		/* first byte; addr + size - 1 does not wrap */
	uint32_t size;		/* bytes, 1 to CMASIM_ADDR_SIZE_MAX */
	uint8_t op;		/* enum cmasim_addr_op */
};

struct cmasim_addrtrace;

/* The name --trace-format takes: "auto", "lackey", "din", "plain" or "binary". */
const char *cmasim_addrtrace_format_name(enum cmasim_addrtrace_format format);

/* The format named @name (as cmasim_addrtrace_format_name() spells it); false if none. */
bool cmasim_addrtrace_format_parse(const char *name, enum cmasim_addrtrace_format *format);

/*
 * Opens the trace at @path, gzip-compressed or not, in @format or, with
 * AUTO, the format its first record line shows. Returns NULL with @error
 * when the file cannot be read or the format cannot be told.
 */
struct cmasim_addrtrace *cmasim_addrtrace_open(const char *path,
					       enum cmasim_addrtrace_format format,
					       GError **error);

/* Same, from @len bytes at @data that must outlive the trace; @source names it in messages. */
struct cmasim_addrtrace *cmasim_addrtrace_open_data(const char *source, const void *data,
						    size_t len, enum cmasim_addrtrace_format format,
						    GError **error);

/* The trace's format: what open was given, or what AUTO found (AUTO still if it has no records). */
enum cmasim_addrtrace_format cmasim_addrtrace_format(const struct cmasim_addrtrace *trace);

/*
 * The next data record: 1 with *@ref filled, 0 at the end, -1 with @error.
 * After a bad line reading goes on with the next one; a file that cannot
 * be read or inflated, or a line longer than 1 MiB, ends the trace: later
 * calls return 0.
 */
int cmasim_addrtrace_next(struct cmasim_addrtrace *trace, struct cmasim_addr_ref *ref,
			  GError **error);

/*
 * Writes the rest of @trace to @out in the binary format, its instruction
 * fetches counted at the end, so that reading it back gives the same
 * records and count. Returns false with @error at the first bad record of
 * @trace or when @out cannot be written.
 */
bool cmasim_addrtrace_convert(struct cmasim_addrtrace *trace, FILE *out, GError **error);

/* Instruction fetches skipped so far. */
uint64_t cmasim_addrtrace_nr_ifetches(const struct cmasim_addrtrace *trace);

/*
 * The SHA-256 of the trace's bytes as stored (compressed, if it is), hex.
 * Reads the rest of a file, so call it only after the last record. NULL
 * if reading failed.
 */
const char *cmasim_addrtrace_sha256(struct cmasim_addrtrace *trace);

void cmasim_addrtrace_close(struct cmasim_addrtrace *trace);

#endif

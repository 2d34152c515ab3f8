// SPDX-License-Identifier: GPL-2.0-only
/* Line and word reading of kernel text files: see textscan.h. */
#include <stdarg.h>
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/units.h"
#include "textscan.h"

void textscan_init(struct textscan *ts, const char *source, const char *data, size_t len)
{
	*ts = (struct textscan){ .source = source, .data = data ? data : "", .len = data ? len : 0 };
}

bool textscan_next(struct textscan *ts)
{
	const char *nl;

	if (ts->next >= ts->len)
		return false;
	ts->line = ts->data + ts->next;
	nl = memchr(ts->line, '\n', ts->len - ts->next);
	ts->line_len = nl ? (size_t)(nl - ts->line) : ts->len - ts->next;
	ts->next += ts->line_len + (nl != NULL);
	ts->cur = ts->line;
	ts->lineno++;
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

bool textscan_word(struct textscan *ts, struct word *w)
{
	const char *end = ts->line + ts->line_len;

	while (ts->cur < end && blank(*ts->cur))
		ts->cur++;
	if (ts->cur == end)
		return false;
	w->s = ts->cur;
	while (ts->cur < end && !blank(*ts->cur))
		ts->cur++;
	w->len = (size_t)(ts->cur - w->s);
	return true;
}

bool textscan_at_end(const struct textscan *ts)
{
	for (const char *p = ts->cur; p < ts->line + ts->line_len; p++)
		if (!blank(*p))
			return false;
	return true;
}

bool text_vfail(GError **error, const char *where, const char *fmt, va_list ap)
{
	g_autofree char *msg = g_strdup_vprintf(fmt, ap);

	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s: %s", where, msg);
	return false;
}

bool textscan_fail(const struct textscan *ts, GError **error, const char *at, const char *fmt, ...)
{
	size_t col = at && ts->line && at >= ts->line ? (size_t)(at - ts->line) + 1 : 1;
	g_autofree char *where = g_strdup_printf("%s:%u:%zu", ts->source, MAX(ts->lineno, 1u), col);
	va_list ap;

	va_start(ap, fmt);
	text_vfail(error, where, fmt, ap);
	va_end(ap);
	return false;
}

GInputStream *text_stream(GBytes *bytes)
{
	GInputStream *in = g_memory_input_stream_new_from_bytes(bytes);
	gsize len;
	const guint8 *p = g_bytes_get_data(bytes, &len);

	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
		g_autoptr(GZlibDecompressor) z = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
		GInputStream *c = g_converter_input_stream_new(in, G_CONVERTER(z));

		g_object_unref(in);
		in = c;
	}
	return in;
}

GBytes *text_inflate(GBytes *raw, const char *source, size_t max, GError **error)
{
	g_autoptr(GInputStream) in = text_stream(raw);
	g_autoptr(GByteArray) out = g_byte_array_new();
	g_autoptr(GError) err = NULL;
	char buf[1 << 16];
	gsize got;

	do {
		if (!g_input_stream_read_all(in, buf, sizeof(buf), &got, NULL, &err)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s: byte %u: %s "
				    "(expected text, or gzipped text)", source, out->len, err->message);
			return NULL;
		}
		if (out->len + got > max) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s: more than %zu bytes",
				    source, max);
			return NULL;
		}
		g_byte_array_append(out, (const guint8 *)buf, (guint)got);
	} while (got);
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

void text_append_quoted(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *s == ' ' || g_ascii_isgraph(*s) ? *s : '?');
	}
	g_string_append_c(out, '"');
}

bool word_is(const struct word *w, const char *s)
{
	return w->len == strlen(s) && !memcmp(w->s, s, w->len);
}

struct word word_chop(struct word w, char c)
{
	if (w.len && w.s[w.len - 1] == c)
		w.len--;
	return w;
}

bool word_uint(const struct word *w, uint64_t *v)
{
	return cmasim_parse_uint(w->s, w->len, v);
}

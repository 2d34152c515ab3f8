// SPDX-License-Identifier: GPL-2.0-only
/*
 * Address-trace readers: lackey, DineroIV din and plain, plain or gzipped,
 * and the compact binary format, which cmasim_addrtrace_convert() writes.
 *
 * Bytes come from a file descriptor in 1 MiB reads (through zlib when the
 * file starts with gzip's magic) or straight from memory, and each line is
 * parsed where it lies in the buffer: memchr() finds its end, and the
 * numbers are read by hand in one pass (the usual plain line in one pass
 * that finds its end too). The parsers in units.c would need each
 * number's length first and take units and 0x prefixes that trace lines
 * never carry; a trace of a second of a program's life has tens of
 * millions of lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "cmasim/addrtrace.h"
#include "cmasim/error.h"
#include "sha256.h"

/* Bytes read at once, and the longest line a file may have. */
#define BUF_SIZE (1u << 20)

struct cmasim_addrtrace {
	char *source;			/* file name used in messages */
	enum cmasim_addrtrace_format format;
	int fd;				/* the file, or -1 for bytes in memory */
	GConverter *gunzip;		/* decompresses zbuf into buf; NULL if not gzipped */
	const char *zbuf;		/* gzip: compressed bytes, zalloc's or the data in memory */
	char *zalloc;			/* gzip from a file: BUF_SIZE bytes read from it */
	size_t zlen;			/* gzip: bytes in zbuf */
	size_t zpos;			/* gzip: bytes of zbuf decompressed */
	bool src_done;			/* gzip: the compressed source is exhausted */
	bool member_done;		/* gzip: the last member ended, none started since */
	bool done;			/* no more bytes will come after end */
	char *buf;			/* BUF_SIZE bytes, or NULL when reading memory in place */
	const char *p;			/* next byte to parse */
	const char *end;		/* end of the bytes available */
	const char *line_start;		/* the line being parsed, for columns */
	uint64_t line;			/* its number, from 1; binary: the record's */
	uint64_t nr_ifetches;
	struct cmasim_sha256 *sha256;	/* of the bytes read from the file so far */
	char *sha256_hex;		/* its digest, once the source was read whole */
	uint64_t pos;			/* binary: offset of p in the (inflated) stream */
	uint64_t prev_addr;		/* binary: the last record's address */
};

/* The binary format: see include/cmasim/addrtrace.h. */
#define BIN_MAGIC "CMASIMAT"
#define BIN_VERSION 1
#define BIN_HEADER 9		/* the magic and the version byte */
#define BIN_OP_IFETCHES 7	/* with size 0: a count of instruction fetches */
#define VARINT_MAX 10		/* bytes of a 64-bit LEB128 */
#define BIN_RECORD_MAX (1 + 2 * VARINT_MAX)

static const char *const format_names[] = {
	[CMASIM_ADDRTRACE_AUTO] = "auto",
	[CMASIM_ADDRTRACE_LACKEY] = "lackey",
	[CMASIM_ADDRTRACE_DIN] = "din",
	[CMASIM_ADDRTRACE_PLAIN] = "plain",
	[CMASIM_ADDRTRACE_BINARY] = "binary",
};

const char *cmasim_addrtrace_format_name(enum cmasim_addrtrace_format format)
{
	g_return_val_if_fail((unsigned int)format < G_N_ELEMENTS(format_names), NULL);
	return format_names[format];
}

bool cmasim_addrtrace_format_parse(const char *name, enum cmasim_addrtrace_format *format)
{
	for (unsigned int i = 0; i < G_N_ELEMENTS(format_names); i++) {
		if (!g_strcmp0(name, format_names[i])) {
			*format = i;
			return true;
		}
	}
	return false;
}

/* Reading */

/* Sets an IO error for the source from errno. */
static void io_error(const struct cmasim_addrtrace *t, GError **error)
{
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", t->source, g_strerror(errno));
}

/* Reads up to @cap bytes of the file into @dst; how many (0 at its end), or -1 with @error. */
static ssize_t read_file(struct cmasim_addrtrace *t, char *dst, size_t cap, GError **error)
{
	ssize_t n;

	do
		n = read(t->fd, dst, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		io_error(t, error);
	else
		cmasim_sha256_update(t->sha256, dst, (size_t)n);
	return n;
}

/*
 * Decompresses what fits into @dst (@cap bytes); how many, 0 at the end,
 * -1 with @error. Members of a multi-member file follow each other.
 */
static ssize_t gunzip(struct cmasim_addrtrace *t, char *dst, size_t cap, GError **error)
{
	for (;;) {
		g_autoptr(GError) err = NULL;
		GConverterResult res;
		gsize rd = 0, wr = 0;

		if (t->zpos == t->zlen && !t->src_done) {
			ssize_t n = t->fd >= 0 ? read_file(t, t->zalloc, BUF_SIZE, error) : 0;

			if (n < 0)
				return -1;
			t->zlen = (size_t)n;
			t->zpos = 0;
			t->src_done = n == 0;
		}
		if (t->zpos == t->zlen && t->src_done && t->member_done)
			return 0;
		res = g_converter_convert(t->gunzip, t->zbuf + t->zpos, t->zlen - t->zpos, dst, cap,
					  t->src_done ? G_CONVERTER_INPUT_AT_END : G_CONVERTER_NO_FLAGS,
					  &rd, &wr, &err);
		t->zpos += rd;
		if (res == G_CONVERTER_ERROR) {
			if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) && !t->src_done)
				continue;
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: bad gzip data (%s)",
				    t->source, err->message);
			return -1;
		}
		t->member_done = res == G_CONVERTER_FINISHED;
		if (t->member_done)
			g_converter_reset(t->gunzip);
		if (wr)
			return (ssize_t)wr;
	}
}

/*
 * Moves the unparsed bytes to the front of the buffer and appends what
 * the source has next; marks the trace done when it has no more. A source
 * that fails, or a line too long for the buffer, ends the trace, so that
 * its error is reported once.
 */
static bool refill(struct cmasim_addrtrace *t, GError **error)
{
	size_t keep = (size_t)(t->end - t->p);
	ssize_t n = -1;

	if (keep == BUF_SIZE) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "%s:%" PRIu64 ":1: line longer than %u bytes (expected one record a line)",
			    t->source, t->line + 1, BUF_SIZE);
	} else {
		memmove(t->buf, t->p, keep);
		t->p = t->buf;
		t->end = t->buf + keep;
		n = t->gunzip ? gunzip(t, t->buf + keep, BUF_SIZE - keep, error)
			      : read_file(t, t->buf + keep, BUF_SIZE - keep, error);
	}
	if (n < 0) {
		t->p = t->end;
		t->done = true;
		return false;
	}
	t->end += n;
	t->done = n == 0;
	return true;
}

/* The next line, without its newline or a '\r' before it: 1, 0 at the end, -1 with @error. */
static int next_line(struct cmasim_addrtrace *t, const char **start, const char **stop,
		     GError **error)
{
	for (;;) {
		const char *nl = t->p < t->end ? memchr(t->p, '\n', (size_t)(t->end - t->p)) : NULL;

		if (!nl && !t->done) {
			if (!refill(t, error))
				return -1;
			continue;
		}
		if (!nl) {
			if (t->p == t->end)
				return 0;
			nl = t->end;
		}
		*start = t->p;
		*stop = nl > t->p && nl[-1] == '\r' ? nl - 1 : nl;
		t->p = nl < t->end ? nl + 1 : nl;
		t->line_start = *start;
		t->line++;
		return 1;
	}
}

/* Parsing */

/*
 * Sets a VALUE error at @at: "file:line:column: message" on the current
 * line, or for the binary record being read "file: record N (byte B): message".
 */
static G_GNUC_PRINTF(4, 5) G_GNUC_NO_INLINE int bad(const struct cmasim_addrtrace *t,
						     GError **error, const char *at,
						     const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (t->format == CMASIM_ADDRTRACE_BINARY)
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s: record %" PRIu64
			    " (byte %" PRIu64 "): %s", t->source, t->line,
			    t->pos + (uint64_t)(at - t->p), msg);
	else
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s:%" PRIu64 ":%zu: %s",
			    t->source, t->line, (size_t)(at - t->line_start) + 1, msg);
	return -1;
}

/* Whether @c ends a word of a trace line. */
static inline bool is_separator(char c)
{
	return c == ' ' || c == '\t' || c == ',';
}

/*
 * Up to 24 bytes at @s (before @e), escaped to be printable, for messages:
 * with @whole the rest of the line, else the word there, or the one
 * separator there.
 */
static char *excerpt(const char *s, const char *e, bool whole)
{
	size_t n = 0;

	if (!whole && s < e && is_separator(*s))
		n = 1;
	else
		while (s + n < e && n < 24 && (whole || !is_separator(s[n])))
			n++;
	g_autofree char *raw = g_strndup(s, n);
	return g_strescape(raw, NULL);
}

/*
 * Sets a VALUE error at @at: @before, the quoted excerpt() there, @after.
 * Out of line, so that the parsers it serves stay small enough to inline.
 */
static G_GNUC_NO_INLINE int bad_word(const struct cmasim_addrtrace *t, GError **error,
				     const char *at, const char *e, bool whole,
				     const char *before, const char *after)
{
	g_autofree char *w = excerpt(at, e, whole);

	return bad(t, error, at, "%s'%s'%s", before, w, after);
}

/* A space or a tab: what separates the fields of din and plain lines. */
static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

#define NX 0xff	/* not a hex digit */

/* Each byte's value as a hex digit: a table, as digits and letters mix at random in addresses. */
static const uint8_t hex_value[256] = {
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, NX, NX, NX, NX, NX, NX,		/* '0' is 0x30 */
	NX, 10, 11, 12, 13, 14, 15, NX, NX, NX, NX, NX, NX, NX, NX, NX,	/* 'A' is 0x41 */
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	NX, 10, 11, 12, 13, 14, 15, NX, NX, NX, NX, NX, NX, NX, NX, NX,	/* 'a' is 0x61 */
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
	NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX, NX,
};

/* The value of hex digit @c, or NX. */
static inline unsigned int hex_digit(char c)
{
	return hex_value[(unsigned char)c];
}

/*
 * Reads a hex address at *@s (before @e), after an optional 0x if
 * @prefix; advances *@s past it. Returns -1 with @error if there is none
 * or it passes 64 bits.
 */
static inline int scan_address(const struct cmasim_addrtrace *t, const char **s, const char *e,
			       bool prefix, uint64_t *addr, GError **error)
{
	const char *p = *s, *first, *significant;
	uint64_t v = 0;
	unsigned int d;

	if (prefix && e - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    hex_digit(p[2]) != NX)
		p += 2;
	first = p;
	while (p < e && *p == '0')
		p++;
	significant = p;
	for (; p < e && (d = hex_digit(*p)) != NX; p++)
		v = v << 4 | d;
	if (p == first)
		return bad_word(t, error, *s, e, false, "bad address ", " (expected hex digits)");
	if (p - significant > 16)
		return bad_word(t, error, *s, e, false, "address ", " has more than 16 hex digits "
				"(expected a 64-bit address)");
	*s = p;
	*addr = v;
	return 0;
}

/* Reads a decimal size at *@s (before @e), 1 to CMASIM_ADDR_SIZE_MAX; advances *@s past it. */
static inline int scan_size(const struct cmasim_addrtrace *t, const char **s, const char *e,
			    uint32_t *size, GError **error)
{
	const char *p = *s;
	uint32_t v = 0;

	if (p == e)
		return bad(t, error, p, "missing size (expected a decimal number of bytes from 1 "
			   "to %u)", CMASIM_ADDR_SIZE_MAX);
	for (; p < e && (unsigned int)(*p - '0') < 10; p++)
		if (v <= CMASIM_ADDR_SIZE_MAX)
			v = v * 10 + (uint32_t)(*p - '0');
	if (p == *s || v < 1 || v > CMASIM_ADDR_SIZE_MAX || (p < e && !is_blank(*p)))
		return bad_word(t, error, *s, e, false, "bad size ", " (expected a decimal number "
				"of bytes from 1 to " G_STRINGIFY(CMASIM_ADDR_SIZE_MAX) ")");
	*s = p;
	*size = v;
	return 0;
}

/* Fails unless @s, after blanks, is the end of the line. */
static inline int expect_end(const struct cmasim_addrtrace *t, const char *s, const char *e,
			     GError **error)
{
	while (s < e && is_blank(*s))
		s++;
	if (s == e)
		return 0;
	return bad_word(t, error, s, e, false, "unexpected ", " after the size (expected the end "
			"of the line)");
}

/* Fills *@ref, failing if the access would wrap past the top of the address space. */
static int record(const struct cmasim_addrtrace *t, const char *at, uint64_t addr, uint32_t size,
		  enum cmasim_addr_op op, struct cmasim_addr_ref *ref, GError **error)
{
	if (addr + (size - 1) < addr)
		return bad(t, error, at, "%" PRIu32 " bytes at %#" PRIx64 " pass the top of the "
			   "address space (expected an access below 2^64)", size, addr);
	*ref = (struct cmasim_addr_ref){ .addr = addr, .size = size, .op = (uint8_t)op };
	return 1;
}

/* "addr,size" at @s to the end of the line. */
static int lackey_fields(const struct cmasim_addrtrace *t, const char *s, const char *e,
			 uint64_t *addr, uint32_t *size, GError **error)
{
	if (scan_address(t, &s, e, false, addr, error))
		return -1;
	if (s == e)
		return bad(t, error, s, "missing size (expected ',' and the size after the address)");
	if (*s != ',')
		return bad_word(t, error, s, e, false, "", " after the address (expected ',' and "
				"the size)");
	s++;
	if (scan_size(t, &s, e, size, error))
		return -1;
	return expect_end(t, s, e, error);
}

/* A lackey line: 1 with a record, 0 for one to skip, -1 with @error. */
static int parse_lackey(struct cmasim_addrtrace *t, const char *s, const char *e,
			struct cmasim_addr_ref *ref, GError **error)
{
	enum cmasim_addr_op op;
	uint64_t addr = 0;
	uint32_t size = 0;

	if (e - s >= 3 && s[0] == ' ' && s[2] == ' ') {
		switch (s[1]) {
		case 'L':
			op = CMASIM_ADDR_READ;
			break;
		case 'S':
			op = CMASIM_ADDR_WRITE;
			break;
		case 'M':
			op = CMASIM_ADDR_MODIFY;
			break;
		default:
			goto unknown;
		}
		if (lackey_fields(t, s + 3, e, &addr, &size, error))
			return -1;
		return record(t, s + 3, addr, size, op, ref, error);
	}
	if (e - s >= 3 && s[0] == 'I' && s[1] == ' ' && s[2] == ' ') {
		if (lackey_fields(t, s + 3, e, &addr, &size, error))
			return -1;
		t->nr_ifetches++;
		return 0;
	}
	if (e - s >= 2 && s[0] == '=' && s[1] == '=')
		return 0;
unknown:
	return bad_word(t, error, s, e, true, "unknown lackey record ", " (expected "
			"'I  addr,size', ' L addr,size', ' S addr,size', ' M addr,size' or a "
			"==pid== line)");
}

/* A DineroIV din line. */
static int parse_din(struct cmasim_addrtrace *t, const char *s, const char *e,
		     struct cmasim_addr_ref *ref, GError **error)
{
	static const int8_t ops[] = {
		CMASIM_ADDR_READ, CMASIM_ADDR_WRITE, -1 /* instruction fetch */, CMASIM_ADDR_READ,
		CMASIM_ADDR_CLEAN, CMASIM_ADDR_INVALIDATE,
	};
	int label = s[0] - '0';
	const char *at;
	uint64_t addr = 0;
	uint32_t size = 4;

	if (label < 0 || label > 5 || (e - s >= 2 && !is_blank(s[1])))
		return bad_word(t, error, s, e, false, "bad label ", " (expected 0 read, 1 write, "
				"2 instruction fetch, 3 misc, 4 copy-back or 5 invalidate)");
	at = s + 1;
	while (at < e && is_blank(*at))
		at++;
	if (at == e)
		return bad(t, error, at, "missing address (expected 'label address [size]')");
	s = at;
	if (scan_address(t, &s, e, true, &addr, error))
		return -1;
	if (s < e && !is_blank(*s))
		return bad_word(t, error, s, e, false, "", " after the address (expected a blank, "
				"then a size or a comment)");
	while (s < e && is_blank(*s))
		s++;
	if (s < e && *s >= '0' && *s <= '9') {
		if (scan_size(t, &s, e, &size, error))
			return -1;
	} else {
		addr &= ~UINT64_C(3);	/* DineroIV is word-oriented: 4 bytes, aligned */
	}
	if (ops[label] < 0) {
		t->nr_ifetches++;
		return 0;
	}
	return record(t, at, addr, size, ops[label], ref, error);
}

/* A plain line: "R|W address size". */
static int parse_plain(struct cmasim_addrtrace *t, const char *s, const char *e,
		       struct cmasim_addr_ref *ref, GError **error)
{
	enum cmasim_addr_op op = s[0] == 'W' ? CMASIM_ADDR_WRITE : CMASIM_ADDR_READ;
	const char *at;
	uint64_t addr = 0;
	uint32_t size = 0;

	if ((s[0] != 'R' && s[0] != 'W') || e - s < 2 || !is_blank(s[1]))
		return bad_word(t, error, s, e, false, "bad access ", " (expected R or W, a blank, "
				"the address and the size)");
	at = s + 1;
	while (at < e && is_blank(*at))
		at++;
	s = at;
	if (scan_address(t, &s, e, true, &addr, error))
		return -1;
	if (s == e)
		return bad(t, error, s, "missing size (expected 'R|W address size')");
	if (!is_blank(*s))
		return bad_word(t, error, s, e, false, "", " after the address (expected a blank "
				"and the size)");
	while (s < e && is_blank(*s))
		s++;
	if (scan_size(t, &s, e, &size, error) || expect_end(t, s, e, error))
		return -1;
	return record(t, at, addr, size, op, ref, error);
}

/* Bytes plain_fast() may look at: its longest line ("W 0x", 16 digits, " 4096\r\n") has 27. */
#define PLAIN_FAST_SPAN 32

/*
 * The usual plain line, "R|W addr size" with one space between and a
 * newline after, read without finding its end first: that memchr() call
 * and the general parser's bounds checks take most of a line's time.
 * There must be PLAIN_FAST_SPAN bytes left. Any other line, valid or not,
 * is left to parse_plain() (false): this one accepts a part of what it
 * accepts, with the same values.
 */
static inline bool plain_fast(struct cmasim_addrtrace *t, struct cmasim_addr_ref *ref)
{
	const char *s = t->p;
	unsigned int i = 2, first, d;
	uint64_t addr = 0;
	uint32_t size = 0;

	if ((s[0] != 'R' && s[0] != 'W') || s[1] != ' ')
		return false;
	if (s[2] == '0' && (s[3] == 'x' || s[3] == 'X') && hex_digit(s[4]) != NX)
		i = 4;
	for (first = i; i < first + 16 && (d = hex_digit(s[i])) != NX; i++)
		addr = addr << 4 | d;
	if (i == first || s[i] != ' ')
		return false;
	for (first = ++i; i < first + 4 && (unsigned int)(s[i] - '0') < 10; i++)
		size = size * 10 + (uint32_t)(s[i] - '0');
	i += s[i] == '\r';
	if (i == first || s[i] != '\n' || size < 1 || size > CMASIM_ADDR_SIZE_MAX ||
	    addr + (size - 1) < addr)
		return false;
	*ref = (struct cmasim_addr_ref){
		.addr = addr, .size = size,
		.op = s[0] == 'W' ? CMASIM_ADDR_WRITE : CMASIM_ADDR_READ,
	};
	t->p = s + i + 1;
	t->line++;
	return true;
}

/* Whether a line is blank (or only blanks) or a '#' comment. */
static inline bool skippable(const char *s, const char *e)
{
	if (s < e && *s == '#')
		return true;
	while (s < e && is_blank(*s))
		s++;
	return s == e;
}

/* The format a record line is written in, or AUTO if none. */
static enum cmasim_addrtrace_format detect(const char *s, const char *e)
{
	size_t len = (size_t)(e - s);

	if ((len >= 2 && s[0] == '=' && s[1] == '=') ||
	    (len >= 3 && s[0] == 'I' && s[1] == ' ' && s[2] == ' ') ||
	    (len >= 3 && s[0] == ' ' && (s[1] == 'L' || s[1] == 'S' || s[1] == 'M') && s[2] == ' '))
		return CMASIM_ADDRTRACE_LACKEY;
	if (len >= 2 && (s[0] == 'R' || s[0] == 'W') && is_blank(s[1]))
		return CMASIM_ADDRTRACE_PLAIN;
	if (len >= 2 && s[0] >= '0' && s[0] <= '9' && is_blank(s[1]))
		return CMASIM_ADDRTRACE_DIN;
	return CMASIM_ADDRTRACE_AUTO;
}

/* AUTO: reads up to the first record line, tells its format, and leaves the line unread. */
static bool detect_format(struct cmasim_addrtrace *t, GError **error)
{
	const char *s, *e;
	int r;

	while ((r = next_line(t, &s, &e, error)) > 0) {
		if (skippable(s, e))
			continue;
		t->format = detect(s, e);
		if (t->format == CMASIM_ADDRTRACE_AUTO) {
			bad_word(t, error, s, e, true, "cannot tell the trace format from ",
				 " (expected a lackey, DineroIV din or plain R/W record, or the "
				 "format named)");
			return false;
		}
		/* the buffer has not moved since next_line(): give the line back */
		t->p = s;
		t->line--;
		return true;
	}
	return r == 0;
}

/* Reads a LEB128 varint at *@s, before @e, advancing *@s; false if it is cut short or too long. */
static inline bool get_varint(const char **s, const char *e, uint64_t *v)
{
	uint64_t x = 0;

	/*
	 * An address step takes one byte or several, at random: a loop that
	 * stops at the last one mispredicts often. Eight bytes at once, the
	 * last one found by its clear top bit, do not branch.
	 */
	if (e - *s >= 8) {
		uint64_t stop;

		memcpy(&x, *s, 8);
		x = GUINT64_FROM_LE(x);
		stop = ~x & UINT64_C(0x8080808080808080);
		if (stop) {
			x &= stop ^ (stop - 1);
			/* drop the continuation bits: 7-bit groups to 14, 28, then 56 */
			x = (x & UINT64_C(0x007f007f007f007f)) |
			    (x >> 1 & UINT64_C(0x3f803f803f803f80));
			x = (x & UINT64_C(0x00003fff00003fff)) |
			    (x >> 2 & UINT64_C(0x0fffc0000fffc000));
			x = (x & UINT64_C(0x000000000fffffff)) |
			    (x >> 4 & UINT64_C(0x00fffffff0000000));
			*s += (__builtin_ctzll(stop) + 1) / 8;
			*v = x;
			return true;
		}
		x = 0;
	}
	for (unsigned int shift = 0; *s < e && shift < 7 * VARINT_MAX; shift += 7) {
		uint8_t b = (uint8_t)*(*s)++;

		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

/*
 * The next binary record: 1, 0 at the end, -1 with @error. A bad record
 * ends the trace: after it, where the next one starts is unknown.
 */
static int next_binary(struct cmasim_addrtrace *t, struct cmasim_addr_ref *ref, GError **error)
{
	for (;;) {
		const char *s = t->p;
		uint64_t size, delta, addr;
		unsigned int op;

		if (t->end - t->p < BIN_RECORD_MAX && !t->done) {
			if (!refill(t, error))
				return -1;
			continue;
		}
		if (t->p == t->end)
			return 0;
		t->line++;
		op = (uint8_t)*s >> 5;
		size = (uint8_t)*s++ & 31;
		if (op == BIN_OP_IFETCHES && !size) {
			if (!get_varint(&s, t->end, &delta))
				goto cut;
			t->nr_ifetches += delta;
			t->pos += (uint64_t)(s - t->p);
			t->p = s;
			continue;
		}
		if (op > CMASIM_ADDR_INVALIDATE) {
			bad(t, error, t->p, "op %u (expected 0 read to 4 invalidate, or 7 "
				   "instruction fetches)", op);
			goto stop;
		}
		if (!size && !get_varint(&s, t->end, &size))
			goto cut;
		if (size < 1 || size > CMASIM_ADDR_SIZE_MAX) {
			bad(t, error, t->p, "size %" PRIu64 " (expected 1 to %u bytes)", size,
				   CMASIM_ADDR_SIZE_MAX);
			goto stop;
		}
		if (!get_varint(&s, t->end, &delta))
			goto cut;
		/* zigzag: the low bit is the sign */
		addr = t->prev_addr + ((delta >> 1) ^ -(delta & 1));
		if (addr + (size - 1) < addr) {
			bad(t, error, t->p, "%" PRIu64 " bytes at %#" PRIx64 " pass the top of "
				   "the address space (expected an access below 2^64)", size, addr);
			goto stop;
		}
		*ref = (struct cmasim_addr_ref){ .addr = addr, .size = (uint32_t)size, .op = (uint8_t)op };
		t->prev_addr = addr;
		t->pos += (uint64_t)(s - t->p);
		t->p = s;
		return 1;
	}
cut:
	bad(t, error, t->p, "cut short (expected a whole record)");
stop:
	t->p = t->end;
	t->done = true;
	return -1;
}

int cmasim_addrtrace_next(struct cmasim_addrtrace *trace, struct cmasim_addr_ref *ref,
			  GError **error)
{
	const char *s, *e;
	int r;

	if (trace->format == CMASIM_ADDRTRACE_BINARY)
		return next_binary(trace, ref, error);
	if (trace->format == CMASIM_ADDRTRACE_PLAIN && trace->end - trace->p >= PLAIN_FAST_SPAN &&
	    plain_fast(trace, ref))
		return 1;
	while ((r = next_line(trace, &s, &e, error)) > 0) {
		if (skippable(s, e))
			continue;
		switch (trace->format) {
		case CMASIM_ADDRTRACE_LACKEY:
			r = parse_lackey(trace, s, e, ref, error);
			break;
		case CMASIM_ADDRTRACE_DIN:
			r = parse_din(trace, s, e, ref, error);
			break;
		case CMASIM_ADDRTRACE_PLAIN:
			r = parse_plain(trace, s, e, ref, error);
			break;
		case CMASIM_ADDRTRACE_AUTO:
		case CMASIM_ADDRTRACE_BINARY:
			g_return_val_if_reached(-1);
		}
		if (r)
			return r;
	}
	return r;
}

/* Opening */

/* Whether @data starts with gzip's magic bytes. */
static bool is_gzip(const void *data, size_t len)
{
	return len >= 2 && ((const uint8_t *)data)[0] == 0x1f && ((const uint8_t *)data)[1] == 0x8b;
}

/*
 * Whether the trace starts with the binary format's magic; if so takes its
 * header, false with @error if the version is not one this reader knows.
 */
static bool binary_header(struct cmasim_addrtrace *t, bool *binary, GError **error)
{
	*binary = false;
	while (t->end - t->p < BIN_HEADER && !t->done)
		if (!refill(t, error))
			return false;
	if (t->end - t->p < BIN_HEADER || memcmp(t->p, BIN_MAGIC, 8))
		return true;
	if (t->p[8] != BIN_VERSION) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s: binary address trace "
			    "version %u (expected %u)", t->source, (uint8_t)t->p[8], BIN_VERSION);
		return false;
	}
	*binary = true;
	t->p += BIN_HEADER;
	t->pos = BIN_HEADER;
	return true;
}

/* Finishes opening @t: its format told or checked. Frees it and returns NULL on failure. */
static struct cmasim_addrtrace *start(struct cmasim_addrtrace *t,
				      enum cmasim_addrtrace_format format, GError **error)
{
	bool binary = false;

	t->format = format;
	if ((format == CMASIM_ADDRTRACE_AUTO || format == CMASIM_ADDRTRACE_BINARY) &&
	    !binary_header(t, &binary, error))
		goto fail;
	if (binary) {
		t->format = CMASIM_ADDRTRACE_BINARY;
	} else if (format == CMASIM_ADDRTRACE_BINARY) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s: not a binary address trace "
			    "(expected one that starts with " BIN_MAGIC ")", t->source);
		goto fail;
	} else if (format == CMASIM_ADDRTRACE_AUTO && !detect_format(t, error)) {
		goto fail;
	}
	return t;
fail:
	cmasim_addrtrace_close(t);
	return NULL;
}

/* Appends @v to @buf as a LEB128 varint; the bytes it took. */
static size_t put_varint(uint8_t *buf, uint64_t v)
{
	size_t n = 0;

	for (; v >= 0x80; v >>= 7)
		buf[n++] = (uint8_t)(v | 0x80);
	buf[n++] = (uint8_t)v;
	return n;
}

bool cmasim_addrtrace_convert(struct cmasim_addrtrace *trace, FILE *out, GError **error)
{
	uint8_t rec[BIN_RECORD_MAX];
	struct cmasim_addr_ref ref;
	uint64_t prev = 0;
	size_t n;
	int got;

	g_return_val_if_fail(trace && out, false);
	errno = 0;
	if (fwrite(BIN_MAGIC "\x01", 1, BIN_HEADER, out) != BIN_HEADER)
		goto write_error;
	while ((got = cmasim_addrtrace_next(trace, &ref, error)) > 0) {
		uint64_t delta = ref.addr - prev;

		n = 0;
		rec[n++] = (uint8_t)(ref.op << 5 | (ref.size < 32 ? ref.size : 0));
		if (ref.size >= 32)
			n += put_varint(rec + n, ref.size);
		/* zigzag: the sign in the low bit, so that small steps back are short too */
		n += put_varint(rec + n, delta << 1 ^ (uint64_t)((int64_t)delta >> 63));
		prev = ref.addr;
		if (fwrite(rec, 1, n, out) != n)
			goto write_error;
	}
	if (got < 0)
		return false;
	if (trace->nr_ifetches) {
		rec[0] = BIN_OP_IFETCHES << 5;
		n = 1 + put_varint(rec + 1, trace->nr_ifetches);
		if (fwrite(rec, 1, n, out) != n)
			goto write_error;
	}
	if (!fflush(out) && !ferror(out))
		return true;
write_error:
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "writing the binary trace: %s",
		    g_strerror(errno ? errno : EIO));
	return false;
}

struct cmasim_addrtrace *cmasim_addrtrace_open_data(const char *source, const void *data,
						    size_t len, enum cmasim_addrtrace_format format,
						    GError **error)
{
	struct cmasim_addrtrace *t;

	g_return_val_if_fail(source && (data || !len), NULL);
	g_return_val_if_fail((unsigned int)format < G_N_ELEMENTS(format_names), NULL);
	t = g_new0(struct cmasim_addrtrace, 1);
	t->source = g_strdup(source);
	t->fd = -1;
	t->sha256_hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data ? data : "", len);
	if (is_gzip(data, len)) {
		t->gunzip = G_CONVERTER(g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP));
		t->zbuf = data;
		t->zlen = len;
		t->buf = g_malloc(BUF_SIZE);
		t->p = t->end = t->buf;
	} else {
		t->p = t->end = data;
		if (len)
			t->end += len;
		t->done = true;
	}
	return start(t, format, error);
}

struct cmasim_addrtrace *cmasim_addrtrace_open(const char *path,
					       enum cmasim_addrtrace_format format,
					       GError **error)
{
	struct cmasim_addrtrace *t;
	ssize_t n = 0, got;

	g_return_val_if_fail(path, NULL);
	g_return_val_if_fail((unsigned int)format < G_N_ELEMENTS(format_names), NULL);
	t = g_new0(struct cmasim_addrtrace, 1);
	t->source = g_strdup(path);
	t->sha256 = cmasim_sha256_new();
	t->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (t->fd < 0) {
		io_error(t, error);
		cmasim_addrtrace_close(t);
		return NULL;
	}
	t->buf = g_malloc(BUF_SIZE);
	/* a pipe may give less than asked: enough for gzip's magic, or the end */
	do {
		got = read_file(t, t->buf + n, BUF_SIZE - (size_t)n, error);
		if (got < 0) {
			cmasim_addrtrace_close(t);
			return NULL;
		}
		n += got;
	} while (got && n < 2);
	t->p = t->buf;
	t->end = t->buf + n;
	t->done = n == 0;
	if (is_gzip(t->buf, (size_t)n)) {
		t->gunzip = G_CONVERTER(g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP));
		t->zalloc = g_malloc(BUF_SIZE);
		memcpy(t->zalloc, t->buf, (size_t)n);
		t->zbuf = t->zalloc;
		t->zlen = (size_t)n;
		t->p = t->end = t->buf;
		t->done = false;
	}
	return start(t, format, error);
}

enum cmasim_addrtrace_format cmasim_addrtrace_format(const struct cmasim_addrtrace *trace)
{
	return trace->format;
}

uint64_t cmasim_addrtrace_nr_ifetches(const struct cmasim_addrtrace *trace)
{
	return trace->nr_ifetches;
}

const char *cmasim_addrtrace_sha256(struct cmasim_addrtrace *trace)
{
	g_autofree char *rest = NULL;
	ssize_t n;

	if (trace->sha256_hex || !trace->sha256)
		return trace->sha256_hex;
	rest = g_malloc(BUF_SIZE);
	while ((n = read_file(trace, rest, BUF_SIZE, NULL)) > 0)
		;
	if (n < 0)
		return NULL;
	trace->sha256_hex = g_strdup(cmasim_sha256_hex(trace->sha256));
	return trace->sha256_hex;
}

void cmasim_addrtrace_close(struct cmasim_addrtrace *trace)
{
	if (!trace)
		return;
	if (trace->fd >= 0)
		close(trace->fd);
	cmasim_sha256_free(trace->sha256);
	g_free(trace->sha256_hex);
	g_clear_object(&trace->gunzip);
	g_free(trace->zalloc);
	g_free(trace->buf);
	g_free(trace->source);
	g_free(trace);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The compiled binary trace stream, and cmasim_trace_write().
 *
 * Binary stream, version 2. The header's integers are in the byte order
 * of the host that wrote it; a reader on a host of the other order refuses
 * the file (the marker tells it so) rather than guess.
 *
 *   offset  size
 *        0     8  magic "CMASIMTR"
 *        8     4  version: 2 (1 is still read)
 *       12     4  record size: 0, records vary (version 1: 40)
 *       16     4  byte-order marker 0x01020304
 *       20     4  header size H: offset of the first record, a multiple of 8
 *       24     8  seed the generators were expanded with
 *       32        strings, each a u32 length then that many bytes, no NUL;
 *                 length 0xffffffff stands for "absent":
 *                   name, description, machine (the trace's header)
 *                 u32 n, then n strings: the devices the trace's header lists
 *                 u32 m, then m strings: every device of the machine the
 *                   stream was compiled for; record field a of dma_alloc
 *                   and dma indexes this list
 *                 u32 z, then z bytes: that machine's zone types in order;
 *                   compact's field a indexes this list
 *                 zero padding up to H
 *        H        the records, until the end of the file
 *
 * A version 2 record is a tag of two or three bytes, then the fields the
 * tag says are there, each as that many of its low bytes, least
 * significant first; a field left out is 0:
 *   tag byte 0  bits 0-3 op; 4-7 bytes of the time since the record before
 *               (the first: since 0), 0..8
 *   tag byte 1  bits 0-2 bytes of id, 0..4; 3-5 bytes of y, 0..4;
 *               6 a, b and c follow, a byte each; 7 tag byte 2 follows
 *   tag byte 2  bits 0-3 bytes of x, 0..8; 4 dev follows, one byte;
 *               5-7 zero
 *   then        time, id, y, a b c, x, dev, in that order
 * A churn's record takes about 9 bytes this way: the time since the one
 * before and a slot number are small. Replays hash every byte of their
 * input and read it, and at version 1's 40 bytes a record both cost more
 * than the rest of reading it. The source line is not kept (0).
 * A version 1 record is struct cmasim_record, raw, in the host's order.
 *
 * A reader given another machine remaps devices by name and zones by type,
 * failing on a record that names one the machine lacks. It checks the
 * header's strings (UTF-8 without NUL) and zone types when the file opens,
 * and each record with the rules the YAML reader applies (tracecheck.c),
 * time order, and ids (a new slot is either a free one or the next never
 * used), so a damaged file can not hand the engine an id it cannot index.
 * Errors name the record, counted from 1, and its byte offset.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "cmasim/physmem.h"
#include "cmasim/migrate.h"
#include "cmasim/units.h"
#include "trace_private.h"

#define BIN_VERSION 2
#define BIN_ORDER 0x01020304u
#define BIN_ABSENT 0xffffffffu
#define BIN_CHUNK 1024			/* records decoded (version 1: read) at a time */
#define BIN_AHEAD 8			/* records ahead whose slot state is fetched early */
#define BIN_MAX_HEADER (16u << 20)
#define BIN_RAW (64u << 10)		/* bytes of version 2 records read at a time */
#define BIN_MAX_RECORD (3 + 8 + 4 + 4 + 3 + 8 + 1)
#define BIN_SLACK 8			/* readable bytes past the data: fields load 8 */
/* records whose byte offset messages can give: those decoded ahead and the engine's */
#define BIN_PLACES (2 * BIN_CHUNK)

G_STATIC_ASSERT(sizeof(struct cmasim_record) == 40);

char *cmasim__bin_place(const struct cmasim_trace *t, uint64_t n)
{
	uint64_t at;

	if (!n)
		return g_strdup(t->info.source);
	if (t->bin_version == 1)
		at = t->bin_header + (n - 1) * sizeof(struct cmasim_record);
	else if (n <= t->nr_decoded && t->nr_decoded - n < BIN_PLACES)
		at = t->offsets[n % BIN_PLACES];
	else
		return g_strdup_printf("%s: record %" PRIu64, t->info.source, n);
	return g_strdup_printf("%s: record %" PRIu64 " (byte %" PRIu64 ")", t->info.source, n, at);
}

/* Sets an error about binary record @n (counted from 1), or the header if 0. */
static void G_GNUC_PRINTF(5, 6) bin_error(const struct cmasim_trace *t, GError **error, int code,
					  uint64_t n, const char *fmt, ...)
{
	g_autofree char *place = cmasim__bin_place(t, n);
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, CMASIM_ERROR, code, "%s: %s", place, msg);
	g_free(msg);
}

/* Reads exactly @len bytes or sets an error (IO, or VALUE for a short file). */
static bool read_exact(struct cmasim_trace *t, void *buf, size_t len, GError **error)
{
	if (cmasim__trace_read(t, buf, len) == len)
		return true;
	if (t->read_errno)
		cmasim__trace_io_error(t, error);
	else
		bin_error(t, error, CMASIM_ERROR_VALUE, 0, "truncated binary trace header");
	return false;
}

/* A cursor over the header bytes, which start at file offset 24; the first problem met. */
struct cursor {
	const uint8_t *start, *p, *end;
	const struct cmasim_trace *t;
	GError **error;
};

/* A header error at the cursor; always false. */
static bool G_GNUC_PRINTF(2, 3) header_error(struct cursor *c, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	bin_error(c->t, c->error, CMASIM_ERROR_VALUE, 0, "header byte %td: %s",
		  24 + (c->p - c->start), msg);
	return false;
}

/* Takes a u32 from @c; false past the end. */
static bool take_u32(struct cursor *c, uint32_t *v)
{
	if (c->end - c->p < 4)
		return header_error(c, "truncated binary trace header");
	memcpy(v, c->p, 4);
	c->p += 4;
	return true;
}

/*
 * Takes string @what from @c into *@s (NULL if absent and @absent_ok):
 * UTF-8 without NUL, which reports copy into JSON and C strings as they are.
 */
static bool take_str(struct cursor *c, const char *what, bool absent_ok, char **s)
{
	uint32_t len = 0;

	if (!take_u32(c, &len))
		return false;
	if (len == BIN_ABSENT && absent_ok) {
		*s = NULL;
		return true;
	}
	if ((size_t)(c->end - c->p) < len)
		return header_error(c, "truncated binary trace header");
	/* g_utf8_validate_len() refuses a NUL byte too */
	if (!g_utf8_validate_len((const char *)c->p, len, NULL))
		return header_error(c, "%s is not UTF-8 text without NUL characters", what);
	*s = g_strndup((const char *)c->p, len);
	c->p += len;
	return true;
}

/* Takes a u32 count then that many strings @what, into a NULL-terminated vector. */
static bool take_strv(struct cursor *c, const char *what, char ***v, uint32_t *n)
{
	uint32_t nr = 0;

	if (!take_u32(c, &nr))
		return false;
	if (nr > (size_t)(c->end - c->p) / 4)
		return header_error(c, "truncated binary trace header");
	*v = g_new0(char *, nr + 1);
	*n = nr;
	for (uint32_t i = 0; i < nr; i++)
		if (!take_str(c, what, false, &(*v)[i]))
			return false;
	return true;
}

/* Takes the zone types, each a type the machine loader knows, ascending as a layout has them. */
static bool take_zones(struct cursor *c, struct cmasim_trace *t)
{
	uint32_t nr = 0;

	if (!take_u32(c, &nr))
		return false;
	if (nr > CMASIM_NR_ZONE_TYPES)
		return header_error(c, "%" PRIu32 " zones (expected at most %u)", nr,
				    CMASIM_NR_ZONE_TYPES);
	if ((size_t)(c->end - c->p) < nr)
		return header_error(c, "truncated binary trace header");
	for (uint32_t i = 0; i < nr; i++, c->p++) {
		if (*c->p >= CMASIM_NR_ZONE_TYPES || (i && *c->p <= t->bin_zones[i - 1]))
			return header_error(c, "zone type %u (expected one of 0..%u, ascending)",
					    *c->p, CMASIM_NR_ZONE_TYPES - 1);
		t->bin_zones[i] = *c->p;
	}
	t->nr_bin_zones = nr;
	return true;
}

bool cmasim__bin_open(struct cmasim_trace *t, GError **error)
{
	uint32_t fixed[4];
	uint8_t *hdr = NULL;
	struct cursor c;
	bool ok = false;

	t->peek_pos = t->peek_len;	/* past the magic */
	if (!read_exact(t, fixed, sizeof(fixed), error))
		return false;
	if (fixed[2] != BIN_ORDER) {
		if (fixed[2] == GUINT32_SWAP_LE_BE(BIN_ORDER))
			bin_error(t, error, CMASIM_ERROR_VALUE, 0, "binary trace written on a host "
				  "of the other byte order (not supported)");
		else
			bin_error(t, error, CMASIM_ERROR_VALUE, 0, "bad byte-order marker 0x%08"
				  PRIx32 " (expected 0x01020304)", fixed[2]);
		return false;
	}
	if (fixed[0] != 1 && fixed[0] != BIN_VERSION) {
		bin_error(t, error, CMASIM_ERROR_VALUE, 0,
			  "binary trace version %" PRIu32 " (expected 1 or %u)", fixed[0],
			  BIN_VERSION);
		return false;
	}
	t->bin_version = fixed[0];
	if (fixed[1] != (t->bin_version == 1 ? sizeof(struct cmasim_record) : 0)) {
		bin_error(t, error, CMASIM_ERROR_VALUE, 0, "record size %" PRIu32 " (expected %zu "
			  "in version %" PRIu32 ")", fixed[1],
			  t->bin_version == 1 ? sizeof(struct cmasim_record) : 0, t->bin_version);
		return false;
	}
	if (fixed[3] < 32 || fixed[3] % 8 || fixed[3] > BIN_MAX_HEADER) {
		bin_error(t, error, CMASIM_ERROR_VALUE, 0, "bad header size %" PRIu32, fixed[3]);
		return false;
	}
	t->bin_header = fixed[3];
	hdr = g_malloc(fixed[3] - 24);
	if (!read_exact(t, hdr, fixed[3] - 24, error))
		goto out;
	c = (struct cursor){ hdr, hdr + 8, hdr + fixed[3] - 24, t, error };
	memcpy(&t->info.seed, hdr, 8);
	if (!take_str(&c, "the name", true, &t->info.name) ||
	    !take_str(&c, "the description", true, &t->info.description) ||
	    !take_str(&c, "the machine", true, &t->info.machine) ||
	    !take_strv(&c, "a device of the trace", &t->info.devices, &t->info.nr_devices) ||
	    !take_strv(&c, "a device of the machine", &t->bin_devices, &t->nr_bin_devices) ||
	    !take_zones(&c, t))
		goto out;
	if (!t->info.name)
		t->info.name = g_strdup("");
	t->buf = g_new(struct cmasim_record, BIN_CHUNK);
	if (t->bin_version > 1) {
		t->raw = g_malloc0(BIN_RAW + BIN_SLACK);
		t->offsets = g_new(uint64_t, BIN_PLACES);
		t->next_offset = t->bin_header;
	}
	ok = true;
out:
	g_free(hdr);
	return ok;
}

bool cmasim__bin_start(struct cmasim_trace *t, GError **error)
{
	const struct cmasim_config *cfg = t->cfg;

	for (uint32_t i = 0; i < t->info.nr_devices; i++) {
		if (cmasim_config_resolve_device(cfg, t->info.devices[i],
						 strlen(t->info.devices[i])) >= 0)
			continue;
		bin_error(t, error, CMASIM_ERROR_VALUE, 0, "device \"%s\" is not in machine \"%s\"",
			  t->info.devices[i], cfg->name ? cfg->name : "");
		return false;
	}
	t->dev_map = g_new(uint8_t, t->nr_bin_devices + 1);
	for (uint32_t i = 0; i < t->nr_bin_devices; i++) {
		int d = cmasim_config_resolve_device(cfg, t->bin_devices[i],
						     strlen(t->bin_devices[i]));

		t->dev_map[i] = d < 0 ? CMASIM_REC_ANY : (uint8_t)d;
	}
	for (uint32_t i = 0; i < t->nr_bin_zones; i++) {
		t->zone_map[i] = CMASIM_REC_ANY;
		for (unsigned int z = 0; z < cfg->nr_zones; z++)
			if (cfg->zones[z].type == t->bin_zones[i])
				t->zone_map[i] = (uint8_t)z;
	}
	return true;
}

/*
 * Keeps @err, the error met after the records in t->buf, until they are
 * returned: the engine runs the records before a bad one first. False,
 * with @error, if t->buf is empty.
 */
static bool defer(struct cmasim_trace *t, GError *err, GError **error)
{
	if (!err)
		return true;
	if (!t->buf_nr) {
		g_propagate_error(error, err);
		return false;
	}
	t->deferred = err;
	return true;
}

/* Version 1: fills t->buf; false with @error on a read error or a partial record. */
static bool bin_fill(struct cmasim_trace *t, GError **error)
{
	const size_t size = sizeof(struct cmasim_record);
	size_t n = cmasim__trace_read(t, t->buf, BIN_CHUNK * size);
	GError *err = NULL;

	t->buf_nr = n / size;
	t->buf_pos = 0;
	if (t->read_errno)
		cmasim__trace_io_error(t, &err);
	else if (n % size)
		bin_error(t, &err, CMASIM_ERROR_VALUE, t->nr_read + n / size + 1,
			  "truncated (%zu of %zu bytes)", n % size, size);
	return defer(t, err, error);
}

static const uint64_t low_bytes[9] = {
	0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffff, 0xffffffffffff, 0xffffffffffffff,
	UINT64_MAX,
};

/* The field of @w bytes at *@p, least significant first, and moves past it; reads 8 bytes. */
static inline uint64_t take_field(const uint8_t **p, unsigned int w)
{
	uint64_t v;

	memcpy(&v, *p, 8);
	*p += w;
	return GUINT64_FROM_LE(v) & low_bytes[w];
}

/* Version 2: moves what is left of t->raw to its start and reads after it; false on a read error. */
static bool raw_fill(struct cmasim_trace *t, GError **error)
{
	size_t left = t->raw_len - t->raw_pos, got;

	memmove(t->raw, t->raw + t->raw_pos, left);
	t->raw_pos = 0;
	got = cmasim__trace_read(t, t->raw + left, BIN_RAW - left);
	t->raw_len = left + got;
	t->raw_eof = got < BIN_RAW - left;
	if (!t->read_errno)
		return true;
	cmasim__trace_io_error(t, error);
	return false;
}

/*
 * What each version 2 tag byte adds to its record's length, tag bytes
 * included, or BAD_TAG if it gives a field more bytes than the field has:
 * tables, so that one lookup a byte both sizes and checks a record.
 */
#define BAD_TAG 0x80u
#define TAG0(v) ((v) >> 4 > 8 ? BAD_TAG : (v) >> 4)
#define TAG1(v) (((v) & 7) > 4 || ((v) >> 3 & 7) > 4 ? BAD_TAG : \
		 2 + ((v) >> 7) + ((v) & 7) + ((v) >> 3 & 7) + 3 * ((v) >> 6 & 1))
#define TAG2(v) (((v) & 0xe0) || ((v) & 15) > 8 ? BAD_TAG : ((v) & 15) + ((v) >> 4 & 1))
#define TAGS4(m, v) m(v), m((v) + 1), m((v) + 2), m((v) + 3)
#define TAGS16(m, v) TAGS4(m, v), TAGS4(m, (v) + 4), TAGS4(m, (v) + 8), TAGS4(m, (v) + 12)
#define TAGS64(m, v) TAGS16(m, v), TAGS16(m, (v) + 16), TAGS16(m, (v) + 32), TAGS16(m, (v) + 48)
#define TAGS(m) { TAGS64(m, 0u), TAGS64(m, 64u), TAGS64(m, 128u), TAGS64(m, 192u) }
static const uint8_t tag_bytes[3][256] = { TAGS(TAG0), TAGS(TAG1), TAGS(TAG2) };

/*
 * The error for record t->nr_decoded, at @p with @avail bytes left, which
 * decoding found bad: what is wrong with it.
 */
static G_GNUC_NO_INLINE void bad_record(struct cmasim_trace *t, const uint8_t *p, size_t avail,
					GError **error)
{
	static const struct {
		unsigned int byte, shift, mask, max;
		const char *what;
	} f[] = {
		{ 0, 4, 15, 8, "the time" }, { 1, 0, 7, 4, "id" }, { 1, 3, 7, 4, "y" },
		{ 2, 0, 15, 8, "x" },
	};
	/* the bytes the record needs: its tag, then, once the tag is whole and good, all */
	size_t need = 2 + (avail > 1 ? p[1] >> 7 : 0);

	if (avail >= need) {
		unsigned int tag[3] = { p[0], p[1], need > 2 ? p[2] : 0 };

		for (unsigned int i = 0; i < G_N_ELEMENTS(f); i++) {
			unsigned int w = tag[f[i].byte] >> f[i].shift & f[i].mask;

			if (w > f[i].max) {
				bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_decoded, "tag gives "
					  "%s %u bytes (expected at most %u)", f[i].what, w,
					  f[i].max);
				return;
			}
		}
		if (tag[2] & 0xe0) {
			bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_decoded, "tag byte 2 is "
				  "0x%02x (expected bits 5 to 7 clear)", tag[2]);
			return;
		}
		need = (size_t)tag_bytes[0][tag[0]] + tag_bytes[1][tag[1]] + tag_bytes[2][tag[2]];
	}
	if (avail < need)
		bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_decoded, "truncated (%zu of %zu "
			  "bytes)", avail, need);
	else
		bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_decoded, "time passes the last "
			  "nanosecond, 18446744073709551615");
}

/*
 * Version 2: decodes records from t->raw_pos into t->buf from @n on,
 * while t->buf has room and t->raw holds a whole record or the source's
 * last bytes. Tag bytes are read before they are known to be there (the
 * slack holds them) and looked at closely only if wrong. Returns the
 * records in t->buf; @error is set if the next one is bad.
 */
static size_t decode_run(struct cmasim_trace *t, size_t n, GError **error)
{
	const uint8_t *raw = t->raw;
	size_t pos = t->raw_pos, end = t->raw_len;
	/* decoding starts at most here: before the end, or where a whole record is left */
	size_t last = t->raw_eof ? end - 1 : end - BIN_MAX_RECORD;
	uint64_t nr = t->nr_decoded, at = t->next_offset, time = t->bin_time;

	for (; n < BIN_CHUNK && pos <= last; n++) {
		const uint8_t *p = raw + pos;
		unsigned int tag[3] = { p[0], p[1], p[1] & 0x80 ? p[2] : 0 };
		unsigned int b0 = tag_bytes[0][tag[0]], b1 = tag_bytes[1][tag[1]];
		unsigned int b2 = tag_bytes[2][tag[2]], len = b0 + b1 + b2;
		struct cmasim_record *r = &t->buf[n];
		uint64_t dt;

		t->offsets[++nr % BIN_PLACES] = at;
		if (G_UNLIKELY(((b0 | b1 | b2) & BAD_TAG) | (len > end - pos)))
			goto bad;
		p += 2 + (tag[1] >> 7);
		dt = take_field(&p, tag[0] >> 4);
		*r = (struct cmasim_record){ .op = tag[0] & 15 };
		if (__builtin_add_overflow(time, dt, &time))
			goto bad;
		r->time_ns = time;
		r->id = (uint32_t)take_field(&p, tag[1] & 7);
		r->y = (uint32_t)take_field(&p, tag[1] >> 3 & 7);
		if (tag[1] & 0x40) {
			r->a = p[0];
			r->b = p[1];
			r->c = p[2];
			p += 3;
		}
		r->x = take_field(&p, tag[2] & 15);
		if (tag[2] & 0x10)
			r->dev = *p;
		pos += len;
		at += len;
	}
	t->raw_pos = pos;
	t->nr_decoded = nr;
	t->next_offset = at;
	t->bin_time = time;
	return n;
bad:
	t->nr_decoded = nr;
	bad_record(t, raw + pos, end - pos, error);
	return n;
}

/* Version 2: decodes up to BIN_CHUNK records into t->buf; false with @error on a bad one. */
static bool bin_decode(struct cmasim_trace *t, GError **error)
{
	GError *err = NULL;

	t->buf_nr = 0;
	t->buf_pos = 0;
	while (t->buf_nr < BIN_CHUNK && !err) {
		if (t->raw_len - t->raw_pos < BIN_MAX_RECORD && !t->raw_eof && !raw_fill(t, &err))
			break;
		if (t->raw_pos == t->raw_len)
			break;
		t->buf_nr = decode_run(t, t->buf_nr, &err);
	}
	return defer(t, err, error);
}

/* Checks that slot @id may take state @want (@want SLOT_FREE: a new allocation). */
static bool bin_slot(struct cmasim_trace *t, uint32_t id, enum slot_state want, bool release,
		     GError **error)
{
	static const char *const what[] = { "a free or new slot", "a live alloc id",
					    "a live dma_alloc id" };

	if (want != SLOT_FREE) {
		if (id >= t->nr_bin_slots || t->bin_state[id] != want)
			goto bad;
		if (release)
			t->bin_state[id] = SLOT_FREE;
		return true;
	}
	if (id > t->nr_bin_slots || (id < t->nr_bin_slots && t->bin_state[id] != SLOT_FREE))
		goto bad;
	if (id == t->nr_bin_slots) {
		if (id == t->bin_state_cap) {
			t->bin_state_cap = t->bin_state_cap ? t->bin_state_cap * 2 : 256;
			t->bin_state = g_renew(uint8_t, t->bin_state, t->bin_state_cap);
		}
		t->nr_bin_slots++;
	}
	return true;
bad:
	bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_read, "slot%" PRIu32 " is not %s", id,
		  what[want]);
	return false;
}

/* Remaps device index *@v of the stream, in @r, to the machine's. */
static bool bin_device(struct cmasim_trace *t, const struct cmasim_record *r, uint32_t *v,
		       GError **error)
{
	if (*v >= t->nr_bin_devices) {
		bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_read, "device %u of %s is not one of "
			  "the stream's %" PRIu32, *v, cmasim_op_name(r->op), t->nr_bin_devices);
		return false;
	}
	if (t->dev_map[*v] == CMASIM_REC_ANY) {
		bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_read,
			  "device \"%s\" is not in machine \"%s\"", t->bin_devices[*v],
			  t->cfg->name ? t->cfg->name : "");
		return false;
	}
	*v = t->dev_map[*v];
	return true;
}

/* Remaps zone index @r->a (not ANY) of the stream to the machine's. */
static bool bin_zone(struct cmasim_trace *t, struct cmasim_record *r, GError **error)
{
	if (r->a >= t->nr_bin_zones) {
		bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_read, "zone %u of compact is not one "
			  "of the stream's %" PRIu32, r->a, t->nr_bin_zones);
		return false;
	}
	if (t->zone_map[r->a] == CMASIM_REC_ANY) {
		bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_read,
			  "zone %s is not in machine \"%s\"",
			  cmasim_zone_type_name(t->bin_zones[r->a]),
			  t->cfg->name ? t->cfg->name : "");
		return false;
	}
	r->a = t->zone_map[r->a];
	return true;
}

/* Remaps and checks record @r, the t->nr_read-th. */
static bool bin_check(struct cmasim_trace *t, struct cmasim_record *r, GError **error)
{
	int key;

	if (r->op >= CMASIM_NR_OPS) {
		bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_read, "bad op %u (expected 0..%u)",
			  r->op, CMASIM_NR_OPS - 1);
		return false;
	}
	if (r->time_ns < t->bin_last_time) {
		bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_read, "time goes backwards");
		return false;
	}
	t->bin_last_time = r->time_ns;
	if (r->op == CMASIM_OP_DMA_ALLOC || r->op == CMASIM_OP_DMA) {
		uint32_t d = r->a;

		if (!bin_device(t, r, &d, error))
			return false;
		r->a = (uint8_t)d;
	}
	/* an alloc's or pin's owning device, 1 + its index; other ops' dev is checked below */
	if (r->dev && (r->op == CMASIM_OP_ALLOC || r->op == CMASIM_OP_PIN)) {
		uint32_t d = r->dev - 1;

		if (!bin_device(t, r, &d, error))
			return false;
		r->dev = d + 1;
	}
	if (r->op == CMASIM_OP_COMPACT && r->a != CMASIM_REC_ANY && !bin_zone(t, r, error))
		return false;
	/* the message is made only for a record that breaks a rule: this runs for every one */
	if (!cmasim__record_check(t->cfg, r, NULL, &key)) {
		g_autoptr(GString) what = g_string_new(NULL);

		cmasim__record_check(t->cfg, r, what, &key);
		bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_read, "%s", what->str);
		return false;
	}
	/* a block known by its pfn has no slot */
	if ((r->op == CMASIM_OP_ALLOC && (r->c & CMASIM_REC_NO_ID)) ||
	    (r->op == CMASIM_OP_FREE && (r->c & CMASIM_REC_AT_PFN)))
		return true;
	switch (r->op) {
	case CMASIM_OP_ALLOC:
		if (!bin_slot(t, r->id, SLOT_FREE, false, error))
			return false;
		t->bin_state[r->id] = SLOT_ALLOC;
		return true;
	case CMASIM_OP_FREE:
	case CMASIM_OP_PIN:
	case CMASIM_OP_UNPIN:
		return bin_slot(t, r->id, SLOT_ALLOC, r->op == CMASIM_OP_FREE, error);
	case CMASIM_OP_DMA_ALLOC:
		if (!bin_slot(t, r->id, SLOT_FREE, false, error))
			return false;
		t->bin_state[r->id] = SLOT_DMA;
		return true;
	case CMASIM_OP_DMA:
		return bin_slot(t, r->id, SLOT_DMA, false, error);
	case CMASIM_OP_DMA_FREE:
		return bin_slot(t, r->id, SLOT_DMA, true, error);
	case CMASIM_OP_CPU:
		return r->a != CMASIM_CPU_BUFFER || bin_slot(t, r->id, SLOT_DMA, false, error);
	default:
		return true;
	}
}

int cmasim__bin_next(struct cmasim_trace *t, struct cmasim_record *rec, GError **error)
{
	if (t->buf_pos == t->buf_nr) {
		if (t->deferred) {
			g_propagate_error(error, g_steal_pointer(&t->deferred));
			return -1;
		}
		if (t->done)
			return 0;
		if (!(t->bin_version == 1 ? bin_fill(t, error) : bin_decode(t, error)))
			return -1;
		if (!t->buf_nr) {
			t->done = true;
			return 0;
		}
	}
	/* the slot state a record ahead will check is anywhere in an array of the live ids */
	if (t->buf_pos + BIN_AHEAD < t->buf_nr && t->buf[t->buf_pos + BIN_AHEAD].id < t->nr_bin_slots)
		__builtin_prefetch(&t->bin_state[t->buf[t->buf_pos + BIN_AHEAD].id]);
	*rec = t->buf[t->buf_pos++];
	t->nr_read++;
	return bin_check(t, rec, error) ? 1 : -1;
}

void cmasim__bin_close(struct cmasim_trace *t)
{
	g_strfreev(t->bin_devices);
	g_free(t->dev_map);
	g_free(t->buf);
	g_free(t->bin_state);
	g_free(t->raw);
	g_free(t->offsets);
	g_clear_error(&t->deferred);
}

/* Writing */

/* Appends a u32 to @s. */
static void put_u32(GString *s, uint32_t v)
{
	g_string_append_len(s, (const char *)&v, 4);
}

/* Appends a string (or absent) to @s. */
static void put_str(GString *s, const char *str)
{
	if (!str) {
		put_u32(s, BIN_ABSENT);
		return;
	}
	put_u32(s, (uint32_t)strlen(str));
	g_string_append(s, str);
}

/* Sets an IO error for a failed write to @out. */
static bool write_failed(GError **error)
{
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "writing the trace: %s",
		    g_strerror(errno ? errno : EIO));
	return false;
}

/* Bytes that hold @v, 0 for 0. */
static unsigned int bytes_of(uint64_t v)
{
	return v ? (unsigned int)(71 - __builtin_clzll(v)) / 8 : 0;
}

/* Puts the @w low bytes of @v at @p, least significant first; returns the end. */
static uint8_t *put_field(uint8_t *p, uint64_t v, unsigned int w)
{
	for (unsigned int i = 0; i < w; i++)
		*p++ = (uint8_t)(v >> 8 * i);
	return p;
}

/* Puts record @r, @dt ns after the one before, at @p as version 2 has it; returns the end. */
static uint8_t *encode(const struct cmasim_record *r, uint64_t dt, uint8_t *p)
{
	unsigned int tw = bytes_of(dt), iw = bytes_of(r->id), yw = bytes_of(r->y);
	unsigned int xw = bytes_of(r->x);
	bool abc = r->a || r->b || r->c, more = xw || r->dev;

	/* trace_start keeps devices below 255: dev, 1 + an index, fits its byte */
	g_assert(r->op < 16 && r->dev <= UINT8_MAX);
	*p++ = (uint8_t)(r->op | tw << 4);
	*p++ = (uint8_t)(iw | yw << 3 | (unsigned int)abc << 6 | (unsigned int)more << 7);
	if (more)
		*p++ = (uint8_t)(xw | (r->dev ? 0x10 : 0));
	p = put_field(p, dt, tw);
	p = put_field(p, r->id, iw);
	p = put_field(p, r->y, yw);
	if (abc) {
		*p++ = r->a;
		*p++ = r->b;
		*p++ = r->c;
	}
	p = put_field(p, r->x, xw);
	if (r->dev)
		*p++ = (uint8_t)r->dev;
	return p;
}

/* Writes the rest of @t as the binary stream. */
static bool write_binary(struct cmasim_trace *t, FILE *out, GError **error)
{
	const struct cmasim_config *cfg = t->cfg;
	GString *h = g_string_new(CMASIM_TRACE_MAGIC);
	struct cmasim_record rec;
	uint64_t last = 0;
	uint8_t *buf, *p;
	uint32_t size_at;
	bool ok = false;
	int r;

	put_u32(h, BIN_VERSION);
	put_u32(h, 0);
	put_u32(h, BIN_ORDER);
	size_at = (uint32_t)h->len;
	put_u32(h, 0);
	g_string_append_len(h, (const char *)&t->seed, 8);
	put_str(h, t->info.name);
	put_str(h, t->info.description);
	put_str(h, t->info.machine);
	put_u32(h, t->info.nr_devices);
	for (uint32_t i = 0; i < t->info.nr_devices; i++)
		put_str(h, t->info.devices[i]);
	put_u32(h, cfg->nr_devices);
	for (uint32_t i = 0; i < cfg->nr_devices; i++)
		put_str(h, cfg->devices[i].name);
	put_u32(h, cfg->nr_zones);
	for (uint32_t i = 0; i < cfg->nr_zones; i++)
		g_string_append_c(h, (char)cfg->zones[i].type);
	while (h->len % 8)
		g_string_append_c(h, '\0');
	memcpy(h->str + size_at, &(uint32_t){ (uint32_t)h->len }, 4);
	errno = 0;
	if (fwrite(h->str, 1, h->len, out) != h->len) {
		g_string_free(h, TRUE);
		return write_failed(error);
	}
	g_string_free(h, TRUE);
	p = buf = g_malloc(BIN_RAW);
	while ((r = cmasim_trace_next(t, &rec, error)) > 0) {
		p = encode(&rec, rec.time_ns - last, p);
		last = rec.time_ns;
		if ((size_t)(p - buf) <= BIN_RAW - BIN_MAX_RECORD)
			continue;
		if (fwrite(buf, 1, (size_t)(p - buf), out) != (size_t)(p - buf)) {
			write_failed(error);
			goto out;
		}
		p = buf;
	}
	if (r < 0)
		goto out;
	if (fwrite(buf, 1, (size_t)(p - buf), out) != (size_t)(p - buf) || fflush(out)) {
		write_failed(error);
		goto out;
	}
	ok = true;
out:
	g_free(buf);
	return ok;
}

/* Whether @s can be written as a plain YAML scalar and read back as the same text. */
static bool plain_ok(const char *s)
{
	if (!*s || !(g_ascii_isalnum(*s) || *s == '_' || *s == '/' || *s == '.'))
		return false;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && !strchr("_-./+", *s))
			return false;
	return true;
}

/* Writes @s as a YAML scalar: plain when safe, else double-quoted. */
static void put_scalar(FILE *out, const char *s)
{
	if (plain_ok(s)) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* Writes the device whose driver owns the pages of alloc or pin @r, if it names one. */
static void put_owning_device(const struct cmasim_config *cfg, const struct cmasim_record *r,
			      FILE *out)
{
	if (!r->dev)
		return;
	fputs(", device: ", out);
	put_scalar(out, cfg->devices[r->dev - 1].name);
}

/* Writes record @r as one flow mapping line. */
static void put_record(struct cmasim_trace *t, const struct cmasim_record *r, FILE *out)
{
	const struct cmasim_config *cfg = t->cfg;
	char tb[32];

	fprintf(out, "  - { t: %s, op: %s", cmasim_format_time(r->time_ns, tb),
		cmasim_op_name(r->op));
	switch (r->op) {
	case CMASIM_OP_ALLOC:
		fprintf(out, ", migratetype: %s, order: %u", cmasim__mt_names[r->a], r->b);
		if (r->y != 1)
			fprintf(out, ", count: %" PRIu32, r->y);
		if (r->c & CMASIM_REC_PIN)
			fputs(", pin: true", out);
		if (r->c & CMASIM_REC_OWNER_MASK)
			fprintf(out, ", owner: %s", cmasim_owner_name(
				((r->c & CMASIM_REC_OWNER_MASK) >> CMASIM_REC_OWNER_SHIFT) - 1));
		if (r->c & CMASIM_REC_AT_PFN)
			fprintf(out, ", pfn: 0x%" PRIx64, r->x);
		put_owning_device(cfg, r, out);
		if (r->c & CMASIM_REC_NO_ID)
			break;
		fputs(", id: ", out);
		put_scalar(out, cmasim_trace_slot_name(t, r->id));
		break;
	case CMASIM_OP_FREE:
	case CMASIM_OP_PIN:
	case CMASIM_OP_UNPIN:
	case CMASIM_OP_DMA_FREE:
		if (r->op == CMASIM_OP_FREE && (r->c & CMASIM_REC_AT_PFN)) {
			fprintf(out, ", pfn: 0x%" PRIx64, r->x);
			if (r->b)
				fprintf(out, ", order: %u", r->b);
			break;
		}
		if (r->c & CMASIM_REC_SHORTTERM)
			fputs(", longterm: false", out);
		put_owning_device(cfg, r, out);
		fputs(", id: ", out);
		put_scalar(out, cmasim_trace_slot_name(t, r->id));
		break;
	case CMASIM_OP_DMA_ALLOC:
		fputs(", device: ", out);
		put_scalar(out, cfg->devices[r->a].name);
		fprintf(out, ", size: %" PRIu64, r->x);
		if (r->b != CMASIM_REC_ANY)
			fprintf(out, ", align: %u", r->b);
		if (r->c & CMASIM_REC_ATOMIC)
			fputs(", atomic: true", out);
		fputs(", id: ", out);
		put_scalar(out, cmasim_trace_slot_name(t, r->id));
		break;
	case CMASIM_OP_DMA:
		fputs(", device: ", out);
		put_scalar(out, cfg->devices[r->a].name);
		fputs(", buffer: ", out);
		put_scalar(out, cmasim_trace_slot_name(t, r->id));
		fprintf(out, ", direction: %s, bytes: %" PRIu64, cmasim__dir_names[r->b], r->x);
		break;
	case CMASIM_OP_CPU:
		if (r->a == CMASIM_CPU_BUFFER) {
			fputs(", buffer: ", out);
			put_scalar(out, cmasim_trace_slot_name(t, r->id));
		} else {
			fprintf(out, ", region: %s",
				cmasim__region_names[r->a - CMASIM_CPU_LOWMEM]);
		}
		fprintf(out, ", access: %s, bytes: %" PRIu64, cmasim__access_names[r->b], r->x);
		if (r->c != CMASIM_PATTERN_SEQUENTIAL)
			fprintf(out, ", pattern: %s", cmasim__pattern_names[r->c]);
		if (r->c == CMASIM_PATTERN_STRIDE)
			fprintf(out, ", stride: %" PRIu32, r->y);
		break;
	case CMASIM_OP_COMPACT:
		if (r->a != CMASIM_REC_ANY)
			fprintf(out, ", zone: %s", cmasim_zone_type_name(cfg->zones[r->a].type));
		if (r->b != CMASIM_REC_ANY)
			fprintf(out, ", order: %u", r->b);
		break;
	default:
		break;
	}
	fputs(" }\n", out);
}

/* Writes the rest of @t as explicit YAML events. */
static bool write_yaml(struct cmasim_trace *t, FILE *out, GError **error)
{
	const struct cmasim_trace_info *info = &t->info;
	struct cmasim_record rec;
	bool any = false;
	int r;

	errno = 0;
	fputs("name: ", out);
	put_scalar(out, info->name ? info->name : "");
	fputc('\n', out);
	if (info->description) {
		fputs("description: ", out);
		put_scalar(out, info->description);
		fputc('\n', out);
	}
	fprintf(out, "seed: %" PRIu64 "\n", t->seed);
	if (info->machine) {
		fputs("machine: ", out);
		put_scalar(out, info->machine);
		fputc('\n', out);
	}
	if (info->nr_devices) {
		fputs("devices: [", out);
		for (unsigned int i = 0; i < info->nr_devices; i++) {
			fputs(i ? ", " : "", out);
			put_scalar(out, info->devices[i]);
		}
		fputs("]\n", out);
	}
	fputs("events:", out);
	while ((r = cmasim_trace_next(t, &rec, error)) > 0) {
		if (!any)
			fputc('\n', out);
		any = true;
		put_record(t, &rec, out);
		if (ferror(out))
			return write_failed(error);
	}
	if (r < 0)
		return false;
	if (!any)
		fputs(" []\n", out);
	if (fflush(out) || ferror(out))
		return write_failed(error);
	return true;
}

bool cmasim_trace_write(struct cmasim_trace *trace, bool binary, FILE *out, GError **error)
{
	g_return_val_if_fail(trace && trace->started && out, false);
	return binary ? write_binary(trace, out, error) : write_yaml(trace, out, error);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The compiled binary trace stream, and cmasim_trace_write().
 *
 * Binary stream, version 1. All integers in the byte order of the host that
 * wrote it; a reader on a host of the other order refuses the file (the
 * marker tells it so) rather than guess.
 *
 *   offset  size
 *        0     8  magic "CMASIMTR"
 *        8     4  version, 1
 *       12     4  record size, 40 (sizeof(struct cmasim_record))
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
 *        H        struct cmasim_record, raw, until the end of the file
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

#define BIN_VERSION 1
#define BIN_ORDER 0x01020304u
#define BIN_ABSENT 0xffffffffu
#define BIN_CHUNK 4096			/* records per read or write */
#define BIN_AHEAD 8			/* records ahead whose slot state is fetched early */
#define BIN_MAX_HEADER (16u << 20)

G_STATIC_ASSERT(sizeof(struct cmasim_record) == 40);

char *cmasim__bin_place(const struct cmasim_trace *t, uint64_t n)
{
	if (!n)
		return g_strdup(t->info.source);
	return g_strdup_printf("%s: record %" PRIu64 " (byte %" PRIu64 ")", t->info.source, n,
			       t->bin_header + (n - 1) * sizeof(struct cmasim_record));
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
	if (fixed[0] != BIN_VERSION) {
		bin_error(t, error, CMASIM_ERROR_VALUE, 0,
			  "binary trace version %" PRIu32 " (expected %u)", fixed[0], BIN_VERSION);
		return false;
	}
	if (fixed[1] != sizeof(struct cmasim_record)) {
		bin_error(t, error, CMASIM_ERROR_VALUE, 0, "record size %" PRIu32 " (expected %zu)",
			  fixed[1], sizeof(struct cmasim_record));
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

/* Fills the read-ahead buffer; false with @error on a read error or a partial record. */
static bool bin_fill(struct cmasim_trace *t, GError **error)
{
	const size_t size = sizeof(struct cmasim_record);
	size_t n = cmasim__trace_read(t, t->buf, BIN_CHUNK * size);

	if (t->read_errno) {
		cmasim__trace_io_error(t, error);
		return false;
	}
	if (n % size) {
		bin_error(t, error, CMASIM_ERROR_VALUE, t->nr_read + n / size + 1,
			  "truncated (%zu of %zu bytes)", n % size, size);
		return false;
	}
	t->buf_nr = n / size;
	t->buf_pos = 0;
	return true;
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
		if (t->done)
			return 0;
		if (!bin_fill(t, error))
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

/* Writes the rest of @t as the binary stream. */
static bool write_binary(struct cmasim_trace *t, FILE *out, GError **error)
{
	const struct cmasim_config *cfg = t->cfg;
	GString *h = g_string_new(CMASIM_TRACE_MAGIC);
	struct cmasim_record *buf;
	size_t nr = 0;
	uint32_t size_at;
	bool ok = false;
	int r;

	put_u32(h, BIN_VERSION);
	put_u32(h, sizeof(struct cmasim_record));
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
	buf = g_new(struct cmasim_record, BIN_CHUNK);
	while ((r = cmasim_trace_next(t, &buf[nr], error)) > 0) {
		if (++nr < BIN_CHUNK)
			continue;
		if (fwrite(buf, sizeof(*buf), nr, out) != nr) {
			write_failed(error);
			goto out;
		}
		nr = 0;
	}
	if (r < 0)
		goto out;
	if (fwrite(buf, sizeof(*buf), nr, out) != nr || fflush(out)) {
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

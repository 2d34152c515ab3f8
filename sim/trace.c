// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trace reader's core: the public API, the merge of explicit events with
 * generator output, and ids. The YAML syntax lives in traceyaml.c, the
 * generators in tracegen.c, the binary stream and writing in tracebin.c.
 *
 * Merging. One explicit event is parsed ahead; generators sit in a heap on
 * (next time, index). The explicit event goes first unless a generator's
 * record is strictly earlier, which gives the spec's order at equal times:
 * explicit events in file order, then generators in definition order.
 * Explicit times never go backwards, so nothing later in the file can be
 * due before the event parsed ahead.
 *
 * Ids. A name that is allocated gets a slot from one pool shared with the
 * generators; the pool hands out the oldest freed slot first (a FIFO ring),
 * or a new slot when none is free, so slot numbers stay below the most ids
 * ever live at once. Names live in an open-addressing table (linear probing,
 * backward-shift deletion) pointing at their slot. A freed name stays in
 * the table, marked free, until its slot is handed out again: that is what
 * lets "free x; free x" say "already freed" rather than "unknown", at no
 * memory beyond the slots themselves. Taking the oldest free slot first
 * keeps freed names remembered as long as that bound allows. Ids resolve
 * when a record is committed, in output order, never when it is parsed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "sha256.h"
#include "trace_private.h"

#define NIL UINT32_MAX
#define EMPTY UINT64_MAX

G_STATIC_ASSERT(sizeof(struct slot) == 64);

void cmasim__trace_error(const struct cmasim_trace *t, GError **error, int code, struct pos p,
			 const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, CMASIM_ERROR, code, "%s:%" PRIu32 ":%" PRIu32 ": %s", t->info.source,
		    p.line, p.col, msg);
	g_free(msg);
}

void cmasim__trace_io_error(const struct cmasim_trace *t, GError **error)
{
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", t->info.source,
		    g_strerror(t->read_errno));
}

#define trace_error cmasim__trace_error

size_t cmasim__trace_read(struct cmasim_trace *t, void *buf, size_t len)
{
	size_t n = 0;

	if (t->peek_pos < t->peek_len) {
		n = MIN(len, t->peek_len - t->peek_pos);
		memcpy(buf, t->peek + t->peek_pos, n);
		t->peek_pos += n;
	}
	if (n == len)
		return n;
	if (t->fp) {
		size_t got = fread((char *)buf + n, 1, len - n, t->fp);

		cmasim_sha256_update(t->sha256, (const char *)buf + n, got);
		n += got;
		if (ferror(t->fp) && !t->read_errno)
			t->read_errno = errno ? errno : EIO;
	} else {
		size_t m = MIN(len - n, t->data_len - t->data_pos);

		memcpy((char *)buf + n, t->data + t->data_pos, m);
		t->data_pos += m;
		n += m;
	}
	return n;
}

/* Ids */

/* FNV-1a with a final mix so that the low bits the table uses are spread. */
static uint32_t hash_name(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

/* The name of user slot @sl. */
static inline const char *slot_str(const struct slot *sl)
{
	return sl->name_cap ? sl->name.heap : sl->name.inline_name;
}

/* The slot named @s (live or remembered as freed), or NIL. */
static uint32_t table_find(const struct cmasim_trace *t, const char *s, size_t len, uint32_t h)
{
	uint32_t i = h & t->table_mask;
	uint64_t e;

	if (!t->table)
		return NIL;
	/* Entries carry the hash, so a probe past another name never touches its slot. */
	while ((e = t->table[i]) != EMPTY) {
		if ((uint32_t)(e >> 32) == h) {
			const struct slot *sl = &t->slots[(uint32_t)e];

			if (sl->name_len == len && !memcmp(slot_str(sl), s, len))
				return (uint32_t)e;
		}
		i = (i + 1) & t->table_mask;
	}
	return NIL;
}

/* Puts entry @e (hash << 32 | slot) in a table with room. */
static void table_put(struct cmasim_trace *t, uint64_t e)
{
	uint32_t i = (uint32_t)(e >> 32) & t->table_mask;

	while (t->table[i] != EMPTY)
		i = (i + 1) & t->table_mask;
	t->table[i] = e;
}

/* Adds slot @s to the table, doubling it first past half full. */
static void table_insert(struct cmasim_trace *t, uint32_t s)
{
	if (!t->table || (t->table_used + 1) * 2 > t->table_mask + 1) {
		uint64_t *old = t->table;
		uint32_t old_size = t->table ? t->table_mask + 1 : 0;
		uint32_t size = old_size ? old_size * 2 : 256;

		t->table = g_new(uint64_t, size);
		memset(t->table, 0xff, size * sizeof(uint64_t));
		t->table_mask = size - 1;
		for (uint32_t i = 0; i < old_size; i++)
			if (old[i] != EMPTY)
				table_put(t, old[i]);
		g_free(old);
	}
	table_put(t, (uint64_t)t->slots[s].hash << 32 | s);
	t->table_used++;
	t->slots[s].hashed = true;
}

/* Removes slot @s from the table, shifting later entries of its run back. */
static void table_remove(struct cmasim_trace *t, uint32_t s)
{
	uint32_t mask = t->table_mask, i = t->slots[s].hash & mask, j;

	while ((uint32_t)t->table[i] != s)
		i = (i + 1) & mask;
	for (j = i;;) {
		uint32_t home;

		j = (j + 1) & mask;
		if (t->table[j] == EMPTY)
			break;
		home = (uint32_t)(t->table[j] >> 32) & mask;
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			t->table[i] = t->table[j];
			i = j;
		}
	}
	t->table[i] = EMPTY;
	t->table_used--;
	t->slots[s].hashed = false;
}

uint32_t cmasim__slot_take(struct cmasim_trace *t)
{
	uint32_t s;

	if (t->pool_nr) {
		s = t->pool[t->pool_head];
		t->pool_head = (t->pool_head + 1) & (t->pool_cap - 1);
		t->pool_nr--;
		if (t->slots[s].hashed)
			table_remove(t, s);
		return s;
	}
	if (t->nr_slots == t->slots_cap) {
		t->slots_cap = t->slots_cap ? t->slots_cap * 2 : 64;
		t->slots = g_renew(struct slot, t->slots, t->slots_cap);
	}
	s = t->nr_slots++;
	memset(&t->slots[s], 0, sizeof(t->slots[s]));
	return s;
}

void cmasim__slot_release(struct cmasim_trace *t, uint32_t s, struct pos p)
{
	if (t->pool_nr == t->pool_cap) {
		uint32_t cap = t->pool_cap ? t->pool_cap * 2 : 64, *pool = g_new(uint32_t, cap);

		for (uint32_t i = 0; i < t->pool_nr; i++)
			pool[i] = t->pool[(t->pool_head + i) & (t->pool_cap - 1)];
		g_free(t->pool);
		t->pool = pool;
		t->pool_cap = cap;
		t->pool_head = 0;
	}
	t->pool[(t->pool_head + t->pool_nr) & (t->pool_cap - 1)] = s;
	t->pool_nr++;
	t->slots[s].state = SLOT_FREE;
	t->slots[s].free_pos = p;
}

/* "in iteration 3 of 10: " for a repeat's records, "" otherwise. */
static const char *iter_prefix(char buf[static 64], uint32_t iter, uint32_t count)
{
	if (!count)
		return "";
	snprintf(buf, 64, "in iteration %" PRIu32 " of %" PRIu32 ": ", iter + 1, count);
	return buf;
}

/* Gives @p's new id a slot; an id still live is an error. */
static bool commit_alloc(struct cmasim_trace *t, const struct proto *p, uint32_t iter,
			 uint32_t count, struct cmasim_record *rec, GError **error)
{
	uint32_t h = hash_name(p->id, p->id_len);
	uint32_t s = table_find(t, p->id, p->id_len, h);
	struct slot *sl;
	char ib[64];

	if (s != NIL) {
		sl = &t->slots[s];
		if (sl->state != SLOT_FREE) {
			trace_error(t, error, CMASIM_ERROR_VALUE, p->id_pos,
				    "%sid \"%s\" is already allocated (at %" PRIu32 ":%" PRIu32 ")",
				    iter_prefix(ib, iter, count), p->id, sl->alloc_pos.line,
				    sl->alloc_pos.col);
			return false;
		}
		table_remove(t, s);
	}
	s = cmasim__slot_take(t);
	sl = &t->slots[s];
	if ((sl->name_cap ? sl->name_cap : SLOT_INLINE) < p->id_len + 1) {
		if (sl->name_cap)
			g_free(sl->name.heap);
		sl->name_cap = MAX(p->id_len + 1, 2 * SLOT_INLINE);
		sl->name.heap = g_malloc(sl->name_cap);
	}
	memcpy(sl->name_cap ? sl->name.heap : sl->name.inline_name, p->id, p->id_len + 1);
	sl->name_len = p->id_len;
	sl->hash = h;
	sl->churn = false;
	sl->state = rec->op == CMASIM_OP_ALLOC ? SLOT_ALLOC : SLOT_DMA;
	sl->alloc_pos = p->id_pos;
	table_insert(t, s);
	rec->id = s;
	return true;
}

/* Resolves @p's id to a live slot of state @want, releasing it if @release. */
static bool commit_use(struct cmasim_trace *t, const struct proto *p, uint32_t iter,
		       uint32_t count, enum slot_state want, bool release,
		       struct cmasim_record *rec, GError **error)
{
	uint32_t s = table_find(t, p->id, p->id_len, hash_name(p->id, p->id_len));
	const char *what = want == SLOT_DMA ? "a live dma_alloc id" : "a live alloc id";
	char ib[64];
	struct slot *sl;

	if (s == NIL) {
		trace_error(t, error, CMASIM_ERROR_VALUE, p->id_pos,
			    "%sunknown id \"%s\" (expected %s)", iter_prefix(ib, iter, count),
			    p->id, what);
		return false;
	}
	sl = &t->slots[s];
	if (sl->state == SLOT_FREE) {
		trace_error(t, error, CMASIM_ERROR_VALUE, p->id_pos,
			    "%sid \"%s\" was already freed (at %" PRIu32 ":%" PRIu32 ")",
			    iter_prefix(ib, iter, count), p->id, sl->free_pos.line,
			    sl->free_pos.col);
		return false;
	}
	if (sl->state != want) {
		trace_error(t, error, CMASIM_ERROR_VALUE, p->id_pos,
			    "%sid \"%s\" is %s (expected %s)", iter_prefix(ib, iter, count), p->id,
			    sl->state == SLOT_DMA ? "a dma_alloc buffer" : "an alloc id", what);
		return false;
	}
	rec->id = s;
	if (release)
		cmasim__slot_release(t, s, p->id_pos);
	return true;
}

bool cmasim__commit(struct cmasim_trace *t, const struct proto *p, uint64_t time, uint32_t iter,
		    uint32_t count, struct cmasim_record *rec, GError **error)
{
	*rec = p->rec;
	rec->time_ns = time;
	/* a block known by its pfn has no id to resolve */
	if ((rec->op == CMASIM_OP_ALLOC && (rec->c & CMASIM_REC_NO_ID)) ||
	    (rec->op == CMASIM_OP_FREE && (rec->c & CMASIM_REC_AT_PFN)))
		return true;
	switch (rec->op) {
	case CMASIM_OP_ALLOC:
	case CMASIM_OP_DMA_ALLOC:
		return commit_alloc(t, p, iter, count, rec, error);
	case CMASIM_OP_FREE:
		return commit_use(t, p, iter, count, SLOT_ALLOC, true, rec, error);
	case CMASIM_OP_PIN:
	case CMASIM_OP_UNPIN:
		return commit_use(t, p, iter, count, SLOT_ALLOC, false, rec, error);
	case CMASIM_OP_DMA_FREE:
		return commit_use(t, p, iter, count, SLOT_DMA, true, rec, error);
	case CMASIM_OP_DMA:
		return commit_use(t, p, iter, count, SLOT_DMA, false, rec, error);
	case CMASIM_OP_CPU:
		if (rec->a == CMASIM_CPU_BUFFER)
			return commit_use(t, p, iter, count, SLOT_DMA, false, rec, error);
		return true;
	default:
		return true;
	}
}

void cmasim__protos_free(struct proto *ev, uint32_t nr)
{
	for (uint32_t i = 0; i < nr; i++)
		g_free(ev[i].id);
	g_free(ev);
}

/* Opens the trace whose input (file or memory) is set up in @t. */
static struct cmasim_trace *trace_open(struct cmasim_trace *t, GError **error)
{
	t->peek_len = cmasim__trace_read(t, t->peek, sizeof(t->peek));
	if (t->read_errno) {
		cmasim__trace_io_error(t, error);
		goto fail;
	}
	if (t->peek_len == 8 && !memcmp(t->peek, CMASIM_TRACE_MAGIC, 8)) {
		t->binary = true;
		if (!cmasim__bin_open(t, error))
			goto fail;
		return t;
	}
	if (!cmasim__yaml_open(t, error))
		goto fail;
	return t;
fail:
	cmasim_trace_close(t);
	return NULL;
}

struct cmasim_trace *cmasim_trace_open(const char *path, GError **error)
{
	struct cmasim_trace *t;
	struct stat st;
	FILE *fp;

	g_return_val_if_fail(path, NULL);
	fp = fopen(path, "rb");
	if (!fp) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", path,
			    g_strerror(errno));
		return NULL;
	}
	t = g_new0(struct cmasim_trace, 1);
	t->fp = fp;
	if (!fstat(fileno(fp), &st) && S_ISREG(st.st_mode))
		t->fp_size = (uint64_t)st.st_size;
	t->sha256 = cmasim_sha256_new();
	t->info.source = g_strdup(path);
	return trace_open(t, error);
}

struct cmasim_trace *cmasim_trace_open_data(const char *source, const char *data, size_t len,
					    GError **error)
{
	struct cmasim_trace *t;

	g_return_val_if_fail(source && (data || !len), NULL);
	t = g_new0(struct cmasim_trace, 1);
	t->data = data ? data : "";
	t->data_len = len;
	t->sha256_hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)t->data, len);
	t->info.source = g_strdup(source);
	return trace_open(t, error);
}

const struct cmasim_trace_info *cmasim_trace_info(const struct cmasim_trace *trace)
{
	g_return_val_if_fail(trace, NULL);
	return &trace->info;
}

bool cmasim_trace_start(struct cmasim_trace *trace, const struct cmasim_config *cfg,
			uint64_t seed, GError **error)
{
	g_return_val_if_fail(trace && cfg && !trace->started, false);
	g_return_val_if_fail(cfg->nr_devices < CMASIM_REC_ANY, false);
	trace->cfg = cfg;
	trace->seed = seed;
	if (trace->binary)
		return (trace->started = cmasim__bin_start(trace, error));
	return (trace->started = cmasim__yaml_start(trace, error));
}

int cmasim_trace_next(struct cmasim_trace *trace, struct cmasim_record *rec, GError **error)
{
	uint64_t gen_time;
	bool gen;

	g_return_val_if_fail(trace && rec && trace->started, -1);
	if (trace->binary)
		return cmasim__bin_next(trace, rec, error);
	while (!trace->have_ahead && !trace->done)
		if (!cmasim__yaml_next(trace, error))
			return -1;
	gen = cmasim__gen_peek(trace, &gen_time);
	if (trace->have_ahead && (!gen || trace->ahead.rec.time_ns <= gen_time)) {
		trace->have_ahead = false;
		return cmasim__commit(trace, &trace->ahead, trace->ahead.rec.time_ns, 0, 0, rec,
				      error) ? 1 : -1;
	}
	if (gen)
		return cmasim__gen_next(trace, rec, error) ? 1 : -1;
	return 0;
}

const char *cmasim_trace_slot_name(struct cmasim_trace *trace, uint32_t id)
{
	char *buf = trace->name_buf;
	const struct slot *sl;

	g_return_val_if_fail(trace, NULL);
	if (trace->binary || id >= trace->nr_slots) {
		snprintf(buf, sizeof(trace->name_buf), "slot%" PRIu32, id);
		return buf;
	}
	sl = &trace->slots[id];
	if (sl->churn) {
		snprintf(buf, sizeof(trace->name_buf), "churn%" PRIu32 ".%" PRIu64, sl->gen, sl->k);
		return buf;
	}
	return slot_str(sl);
}

double cmasim_trace_fraction_read(const struct cmasim_trace *trace)
{
	off_t at;

	g_return_val_if_fail(trace, -1);
	if (!trace->fp)
		return trace->data_len ? (double)trace->data_pos / (double)trace->data_len : -1;
	at = ftello(trace->fp);
	return trace->fp_size && at >= 0 ? MIN((double)at / (double)trace->fp_size, 1.0) : -1;
}

const char *cmasim_trace_sha256(struct cmasim_trace *trace)
{
	char buf[16384];

	g_return_val_if_fail(trace, NULL);
	if (trace->sha256_hex)
		return trace->sha256_hex;
	/* whatever follows the last record (a comment, say) is part of the input too */
	while (cmasim__trace_read(trace, buf, sizeof(buf)) == sizeof(buf))
		;
	if (trace->read_errno)
		return NULL;
	trace->sha256_hex = g_strdup(cmasim_sha256_hex(trace->sha256));
	return trace->sha256_hex;
}

char *cmasim_trace_place(const struct cmasim_trace *trace, const struct cmasim_record *rec,
			 uint64_t nr)
{
	g_return_val_if_fail(trace && rec, NULL);
	if (trace->binary)
		return cmasim__bin_place(trace, nr);
	return g_strdup_printf("%s:%" PRIu32, trace->info.source, rec->line);
}

void cmasim_trace_close(struct cmasim_trace *trace)
{
	if (!trace)
		return;
	cmasim__yaml_close(trace);
	if (trace->fp)
		fclose(trace->fp);
	cmasim_sha256_free(trace->sha256);
	g_free(trace->sha256_hex);
	cmasim__gen_free_all(trace);
	cmasim__protos_free(trace->block, trace->nr_block);
	g_free(trace->ahead_id);
	for (uint32_t i = 0; i < trace->nr_slots; i++)
		if (trace->slots[i].name_cap)
			g_free(trace->slots[i].name.heap);
	g_free(trace->slots);
	g_free(trace->pool);
	g_free(trace->table);
	cmasim__bin_close(trace);
	g_free(trace->info.source);
	g_free(trace->info.name);
	g_free(trace->info.description);
	g_free(trace->info.machine);
	g_strfreev(trace->info.devices);
	g_free(trace);
}


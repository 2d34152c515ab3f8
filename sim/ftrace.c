// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftrace text to a workload (ftrace.h says which events become what).
 *
 * Two passes: the first reads every line into a compact event (checking
 * it, counting what it skips, finding the snapshot marks), the second
 * leaves out what the snapshots hold and writes the workload, which
 * needs to know the marks and which orders the per-cpu lists take
 * before it writes anything.
 *
 * An event line, as tracefs's trace and trace_pipe print it
 * (kernel/trace/trace_output.c: trace_print_context(), lat flags and all)
 * and as trace-cmd report prints it (no flags):
 *     TASK-PID [CPU] FLAGS SECONDS.FRACTION: EVENT: FIELD=VALUE ...
 * TASK may hold blanks and brackets: the CPU is the first "[digits]".
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "cmasim/config.h"
#include "cmasim/error.h"
#include "cmasim/ftrace.h"
#include "cmasim/units.h"
#include "textscan.h"

/* A trace may be large; past this it is an error rather than a host out of memory. */
#define MAX_TRACE_BYTES (UINT64_C(1) << 31)

/* PAGE_ALLOC_COSTLY_ORDER: the largest order every kernel's per-cpu lists hold (5.13) */
#define PCP_COSTLY_ORDER 3
/* HPAGE_PMD_ORDER of 4 KiB pages, which 5.18's per-cpu lists also hold */
#define THP_ORDER 9

enum ev_kind {
	EV_ALLOC,		/* mm_page_alloc */
	EV_FREE,		/* mm_page_free */
	EV_ZONE_LOCKED,		/* mm_page_alloc_zone_locked */
	EV_DRAIN,		/* mm_page_pcpu_drain */
	EV_CMA_START,		/* cma_alloc_start */
	EV_CMA_FINISH,		/* cma_alloc_finish */
	EV_CMA_ALLOC,		/* cma_alloc: start and finish at once (before 5.15) */
	EV_CMA_RELEASE,		/* cma_release */
	EV_MARK_BEGIN,		/* a snapshot began reading kpageflags */
	EV_MARK_END,		/* and ended: count = bytes read */
};

/* One event kept from the first pass. */
struct fev {
	uint64_t t;		/* ns of the trace clock */
	uint64_t pfn;
	uint64_t count;		/* cma: pages; mark end: bytes of kpageflags */
	uint32_t line;
	uint16_t area;		/* cma: index into areas */
	uint8_t kind;		/* enum ev_kind */
	uint8_t order;		/* page events; cma: align order */
	uint8_t mt;		/* page events: the kernel's migratetype */
	uint8_t flag;		/* zone_locked: percpu_refill; cma finish and alloc: it succeeded */
};

struct reader {
	struct textscan ts;
	const struct cmasim_ftrace_options *opts;
	struct cmasim_ftrace_stats *st;
	GArray *ev;		/* of struct fev */
	GPtrArray *areas;	/* CMA area names, in the order first seen */
	GHashTable *unknown;	/* event name -> count */
	uint64_t last_t;
	bool thp_pcp;		/* order-9 pages pass through per-cpu lists (5.18) */
};

/* A field's value in an event's body: "key=value" words after @body. */
static bool field(const struct textscan *ts, const char *body, const char *key, struct word *v)
{
	const char *end = ts->line + ts->line_len;
	size_t klen = strlen(key);

	for (const char *p = body; p < end;) {
		const char *w = p;

		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if ((size_t)(p - w) > klen && !memcmp(w, key, klen) && w[klen] == '=') {
			*v = (struct word){ w + klen + 1, (size_t)(p - w) - klen - 1 };
			return true;
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
	}
	return false;
}

/*
 * Field @key of the event at @body as a number: decimal, or hex with 0x
 * (or always hex when @hex: cma's pfns printed with %lx); false with an
 * error at the field.
 */
static bool number(struct reader *r, const char *body, const char *event, const char *key,
		   bool hex, uint64_t *n, GError **error)
{
	struct word v;

	if (!field(&r->ts, body, key, &v))
		return textscan_fail(&r->ts, error, body, "%s has no %s= (expected the kernel's "
				     "format of the event)", event, key);
	if (v.len > 2 && v.s[0] == '0' && v.s[1] == 'x' ? !cmasim_parse_hex(v.s, v.len, n) :
	    hex ? !cmasim_parse_hex(v.s, v.len, n) : !word_uint(&v, n))
		return textscan_fail(&r->ts, error, v.s, "%s=%.*s is not a number", key, (int)v.len,
				     v.s);
	return true;
}

/* The same into a byte, at most @max. */
static bool small(struct reader *r, const char *body, const char *event, const char *key,
		  unsigned int max, uint8_t *out, GError **error)
{
	uint64_t n;
	struct word v;

	if (!number(r, body, event, key, false, &n, error))
		return false;
	if (n > max) {
		field(&r->ts, body, key, &v);
		return textscan_fail(&r->ts, error, v.s, "%s=%" PRIu64 " is out of range (expected "
				     "0..%u)", key, n, max);
	}
	*out = (uint8_t)n;
	return true;
}

/* The index of CMA area name= of the event at @body, added when new. */
static bool area(struct reader *r, const char *body, const char *event, uint16_t *index,
		 GError **error)
{
	struct word v;
	g_autofree char *name = NULL;

	if (!field(&r->ts, body, "name", &v))
		v = (struct word){ "cma", 3 };	/* cma_alloc before 5.x named no area */
	/* mm/cma.c names every area: "reserved", "cma%d", or the device tree node's */
	if (!v.len)
		return textscan_fail(&r->ts, error, v.s, "%s has an empty name= (expected the CMA "
				     "area's name)", event);
	/* a device name: letters, digits, '_' and '-' (a NUL byte too becomes '_') */
	name = g_malloc(v.len + 1);
	for (size_t i = 0; i < v.len; i++)
		name[i] = g_ascii_isalnum(v.s[i]) || v.s[i] == '_' || v.s[i] == '-' ? v.s[i] : '_';
	name[v.len] = '\0';
	for (guint i = 0; i < r->areas->len; i++) {
		if (!strcmp(r->areas->pdata[i], name)) {
			*index = (uint16_t)i;
			return true;
		}
	}
	if (r->areas->len >= 254)
		return textscan_fail(&r->ts, error, body, "%s of a 255th CMA area (expected at most "
				     "254, one device each)", event);
	*index = (uint16_t)r->areas->len;
	g_ptr_array_add(r->areas, g_steal_pointer(&name));
	return true;
}

/* The page events: pfn, order and (but for frees) the migratetype. */
static bool page_event(struct reader *r, const char *body, const char *event, struct fev *e,
		       GError **error)
{
	if (!number(r, body, event, "pfn", false, &e->pfn, error))
		return false;
	if (!small(r, body, event, "order", CMASIM_ORDER_LIMIT, &e->order, error))
		return false;
	if ((e->kind == EV_ALLOC || e->kind == EV_ZONE_LOCKED || e->kind == EV_DRAIN) &&
	    !small(r, body, event, "migratetype", 255, &e->mt, error))
		return false;
	if (e->kind == EV_ZONE_LOCKED && !small(r, body, event, "percpu_refill", 1, &e->flag, error))
		return false;
	if (e->kind == EV_ZONE_LOCKED || e->kind == EV_DRAIN)
		r->st->buddy_view = true;
	/* order-9 pages on per-cpu lists: 5.18's THP lists */
	if (e->order == THP_ORDER && (e->kind == EV_DRAIN || (e->kind == EV_ZONE_LOCKED && e->flag)))
		r->thp_pcp = true;
	return true;
}

/* A CMA event: the area, and what its kind needs of pfn, count, align and errorno. */
static bool cma_event(struct reader *r, const char *body, const char *event, struct fev *e,
		      GError **error)
{
	struct word v;
	uint64_t n;

	if (!area(r, body, event, &e->area, error))
		return false;
	if (e->kind != EV_CMA_START && !number(r, body, event, "pfn", true, &e->pfn, error))
		return false;
	/* 6.13 names the request's count request_count */
	if (!number(r, body, event, e->kind == EV_CMA_START && field(&r->ts, body, "request_count", &v)
			     ? "request_count" : "count", false, &e->count, error))
		return false;
	if (e->count > UINT64_MAX / r->opts->page_size) {
		field(&r->ts, body, e->kind == EV_CMA_START && field(&r->ts, body, "request_count", &v)
			  ? "request_count" : "count", &v);
		return textscan_fail(&r->ts, error, v.s, "%.*s pages is more than any machine has",
				     (int)v.len, v.s);
	}
	if (e->kind != EV_CMA_RELEASE && !small(r, body, event, "align", 63, &e->order, error))
		return false;
	if (e->kind == EV_CMA_FINISH || e->kind == EV_CMA_ALLOC) {
		/* a failure prints no page (and, since 5.16, its errorno) */
		e->flag = !(field(&r->ts, body, "page", &v) && (word_is(&v, "(null)") ||
								 word_is(&v, "0000000000000000")));
		if (field(&r->ts, body, "errorno", &v)) {
			if (!(v.len && v.s[0] == '-' && word_uint(&(struct word){ v.s + 1, v.len - 1 },
								  &n)) && !word_uint(&v, &n))
				return textscan_fail(&r->ts, error, v.s, "errorno=%.*s is not a number",
						     (int)v.len, v.s);
			e->flag &= v.s[0] != '-' && !n;
		}
	}
	return true;
}

/* A "cmasim-snapshot LABEL kpageflags begin|end [BYTES]" mark at @text; others are skipped. */
static bool mark(struct reader *r, const char *text, struct fev *e, bool *keep, GError **error)
{
	struct textscan ts = r->ts;
	struct word w[5];
	unsigned int n = 0;

	ts.cur = text;
	while (n < 5 && textscan_word(&ts, &w[n]))
		n++;
	*keep = n >= 4 && word_is(&w[0], "cmasim-snapshot") && word_is(&w[2], "kpageflags") &&
		(word_is(&w[3], "begin") || word_is(&w[3], "end"));
	if (!*keep)
		return true;
	e->kind = word_is(&w[3], "begin") ? EV_MARK_BEGIN : EV_MARK_END;
	if (e->kind == EV_MARK_END && (n < 5 || !word_uint(&w[4], &e->count) || e->count < 8))
		return textscan_fail(&r->ts, error, n < 5 ? ts.cur : w[4].s, "a kpageflags end mark "
				     "without the bytes read (expected \"end BYTES\")");
	return true;
}

/* The context before the event: TASK-PID [CPU] FLAGS SECONDS:; the time in *@t, ns. */
static bool context(struct reader *r, uint64_t *t, GError **error)
{
	const char *end = r->ts.line + r->ts.line_len, *p = r->ts.line;
	struct word w;
	uint64_t num;
	unsigned int frac;

	for (;; p++) {
		p = memchr(p, '[', (size_t)(end - p));
		if (!p)
			return textscan_fail(&r->ts, error, r->ts.line, "expected an event line "
					     "\"TASK-PID [CPU] SECONDS: EVENT: FIELDS\"");
		const char *q = p + 1;

		while (q < end && g_ascii_isdigit(*q))
			q++;
		if (q > p + 1 && q < end && *q == ']') {
			r->ts.cur = q + 1;
			break;
		}
	}
	if (!textscan_word(&r->ts, &w))
		return textscan_fail(&r->ts, error, r->ts.cur, "expected a time after the CPU");
	/* the latency flags, where the trace has them */
	if (w.s[w.len - 1] != ':' && !textscan_word(&r->ts, &w))
		return textscan_fail(&r->ts, error, r->ts.cur, "expected a time after the flags");
	w = word_chop(w, ':');
	if (cmasim_parse_decimal(w.s, w.len, 9, &num, &frac) != CMASIM_PARSE_OK)
		return textscan_fail(&r->ts, error, w.s, "\"%.*s\" is not a time in seconds "
				     "(expected SECONDS.FRACTION:)", (int)w.len, w.s);
	for (; frac < 9; frac++) {
		if (num > UINT64_MAX / 10)
			return textscan_fail(&r->ts, error, w.s, "time %.*s is too large", (int)w.len,
					     w.s);
		num *= 10;
	}
	*t = num;
	return true;
}

/* Events by name, and the kind each becomes (-1: only counted). */
static const struct {
	const char *name;
	int kind;		/* enum ev_kind, or -1: counted */
	bool cma;
} known_events[] = {
	{ "mm_page_alloc", EV_ALLOC, false },
	{ "mm_page_free", EV_FREE, false },
	{ "mm_page_alloc_zone_locked", EV_ZONE_LOCKED, false },
	{ "mm_page_pcpu_drain", EV_DRAIN, false },
	{ "mm_page_free_batched", -1, false },
	{ "mm_page_alloc_extfrag", -1, false },
	{ "cma_alloc_start", EV_CMA_START, true },
	{ "cma_alloc_finish", EV_CMA_FINISH, true },
	{ "cma_alloc", EV_CMA_ALLOC, true },
	{ "cma_release", EV_CMA_RELEASE, true },
	{ "cma_alloc_busy_retry", -1, true },
};

/* Reads one event line into r->ev (or the counts); false with an error. */
static bool read_event(struct reader *r, GError **error)
{
	struct fev e = { .line = r->ts.lineno };
	struct word name;
	const char *body;
	bool keep = true;
	int i;

	if (!context(r, &e.t, error))
		return false;
	if (!textscan_word(&r->ts, &name) || name.s[name.len - 1] != ':')
		return textscan_fail(&r->ts, error, r->ts.cur, "expected \"EVENT:\" after the time");
	name = word_chop(name, ':');
	body = r->ts.cur;
	while (body < r->ts.line + r->ts.line_len && (*body == ' ' || *body == '\t'))
		body++;
	if (e.t < r->last_t)
		return textscan_fail(&r->ts, error, r->ts.line, "time goes backwards: %" PRIu64
				     " ns after %" PRIu64 " ns (expected a trace in time order)",
				     e.t, r->last_t);
	r->last_t = e.t;
	/* trace_marker: the event tracing_mark_write, or trace-cmd's print */
	if (word_is(&name, "tracing_mark_write") || word_is(&name, "print")) {
		const char *text = word_is(&name, "print") && r->ts.line + r->ts.line_len - body > 19 &&
				   !memcmp(body, "tracing_mark_write:", 19) ? body + 19 : body;

		if (!mark(r, text, &e, &keep, error))
			return false;
		if (keep)
			g_array_append_val(r->ev, e);
		return true;
	}
	for (i = 0; i < (int)G_N_ELEMENTS(known_events) && !word_is(&name, known_events[i].name); i++)
		;
	if (i == (int)G_N_ELEMENTS(known_events)) {
		g_autofree char *key = g_strndup(name.s, name.len);
		gpointer n = g_hash_table_lookup(r->unknown, key);

		g_hash_table_replace(r->unknown, g_steal_pointer(&key),
				     GSIZE_TO_POINTER(GPOINTER_TO_SIZE(n) + 1));
		r->st->unknown++;
		return true;
	}
	r->st->events++;
	if (known_events[i].kind < 0) {
		struct word v;

		if (word_is(&name, "mm_page_free_batched"))
			r->st->duplicates++;
		else if (word_is(&name, "mm_page_alloc_extfrag"))
			r->st->extfrag++;
		else
			r->st->busy_retries++;
		/* still a line of the kernel's format */
		if (!field(&r->ts, body, "pfn", &v) && !known_events[i].cma)
			return textscan_fail(&r->ts, error, body, "%s has no pfn= (expected the "
					     "kernel's format of the event)", known_events[i].name);
		return true;
	}
	e.kind = (uint8_t)known_events[i].kind;
	if (!(known_events[i].cma ? cma_event(r, body, known_events[i].name, &e, error)
			    : page_event(r, body, known_events[i].name, &e, error)))
		return false;
	if (e.kind == EV_ALLOC) {
		struct word v;

		/* an allocation that failed prints no page */
		if (field(&r->ts, body, "page", &v) && (word_is(&v, "(null)") ||
							 word_is(&v, "0000000000000000"))) {
			r->st->failed_allocs++;
			return true;
		}
	}
	g_array_append_val(r->ev, e);
	return true;
}

/* Reads every line of the trace; false with an error. */
static bool read_lines(struct reader *r, GError **error)
{
	while (textscan_next(&r->ts)) {
		struct word w;
		const char *lost;

		r->st->lines++;
		if (!textscan_word(&r->ts, &w) || w.s[0] == '#')
			continue;
		/* trace-cmd report's header lines */
		if ((w.len > 5 && !memcmp(w.s, "cpus=", 5)) || word_is(&w, "version") ||
		    (word_is(&w, "CPU") && textscan_word(&r->ts, &w) && textscan_word(&r->ts, &w) &&
		     word_is(&w, "is")))
			continue;
		lost = g_strstr_len(r->ts.line, (gssize)r->ts.line_len, "[LOST");
		if (lost && lost < r->ts.line + 24)
			return textscan_fail(&r->ts, error, lost, "the ring buffer lost events here "
					     "(expected a whole trace: record with a larger "
					     "buffer_size_kb)");
		r->ts.cur = r->ts.line;
		if (!read_event(r, error))
			return false;
	}
	return true;
}

/* The snapshot marks' windows: the first snapshot's read, and the last's. */
struct windows {
	bool first, last;
	uint64_t begin[2], end[2];	/* ns */
	uint64_t pfns[2];		/* kpageflags' length */
};

/* Pairs the marks: the first begin-end pair and, if another follows, the last. */
static void find_windows(const GArray *ev, struct windows *w)
{
	uint64_t begin = 0;
	bool open = false;

	*w = (struct windows){ 0 };
	for (guint i = 0; i < ev->len; i++) {
		const struct fev *e = &g_array_index(ev, struct fev, i);
		unsigned int which;

		if (e->kind == EV_MARK_BEGIN) {
			begin = e->t;
			open = true;
			continue;
		}
		if (e->kind != EV_MARK_END || !open)
			continue;
		open = false;
		which = w->first;
		w->begin[which] = begin;
		w->end[which] = e->t;
		w->pfns[which] = e->count / 8;
		w->first = true;
		w->last |= which;
	}
}

/* When the read of window @i reached @pfn: kpageflags is read from pfn 0 at a steady pace. */
static uint64_t read_time(const struct windows *w, unsigned int i, uint64_t pfn)
{
	uint64_t span = w->end[i] - w->begin[i];

	if (pfn >= w->pfns[i])
		return w->end[i];
	return w->begin[i] + (uint64_t)((double)span * (double)pfn / (double)w->pfns[i]);
}

/* Whether event @e happened between the snapshots, as the pages it touches saw it. */
static bool between(const struct windows *w, const struct fev *e, bool pages)
{
	if (w->first && (pages ? e->t < read_time(w, 0, e->pfn) : e->t < w->end[0]))
		return false;
	return !w->last || (pages ? e->t < read_time(w, 1, e->pfn) : e->t < w->begin[1]);
}

/* The trace's migratetype as the workload spells it: CMA and isolation count as movable. */
static const char *mt_name(uint8_t mt)
{
	/* MIGRATE_UNMOVABLE, MOVABLE, RECLAIMABLE, then HIGHATOMIC, CMA, ISOLATE */
	static const char *const names[] = { "unmovable", "movable", "reclaimable", "unmovable" };

	return mt < G_N_ELEMENTS(names) ? names[mt] : "movable";
}

/* Whether the kernel's per-cpu lists take a free of @order (pcp_allowed_order()). */
static bool pcp_order(const struct reader *r, unsigned int order)
{
	return order <= PCP_COSTLY_ORDER || (r->thp_pcp && order == THP_ORDER);
}

/* Writes one event of the workload. */
static void put(GString *out, uint64_t ns, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void put(GString *out, uint64_t ns, const char *fmt, ...)
{
	char t[32];
	va_list ap;

	g_string_append_printf(out, "  - { t: %s, ", cmasim_format_time(ns, t));
	va_start(ap, fmt);
	g_string_append_vprintf(out, fmt, ap);
	va_end(ap);
	g_string_append(out, " }\n");
}

/* State of the second pass: the per-cpu lists, and the CMA buffers live. */
struct writer {
	struct reader *r;
	GString *out;
	uint64_t t0;
	GHashTable *pcp;	/* pfn -> order + 1 of pages the per-cpu lists hold */
	GHashTable *buffers;	/* "area:pfn" -> id of a CMA buffer the trace allocated */
	GQueue *pending;	/* cma_alloc_start ids waiting for their finish, oldest first */
	uint64_t next_id;
};

static void put_free(struct writer *w, uint64_t t, uint64_t pfn, unsigned int order)
{
	w->r->st->frees++;
	if (order)
		put(w->out, t - w->t0, "op: free, pfn: %#" PRIx64 ", order: %u", pfn, order);
	else
		put(w->out, t - w->t0, "op: free, pfn: %#" PRIx64, pfn);
}

static void put_alloc(struct writer *w, const struct fev *e)
{
	w->r->st->allocs++;
	put(w->out, e->t - w->t0, "op: alloc, migratetype: %s, order: %u, pfn: %#" PRIx64,
	    mt_name(e->mt), e->order, e->pfn);
}

/*
 * A page event, as the buddy allocator's lists see it (with the per-cpu
 * events) or as the allocations do (without).
 */
static void page_event_out(struct writer *w, const struct fev *e)
{
	gpointer key = GSIZE_TO_POINTER(e->pfn), held;

	if (!w->r->st->buddy_view) {
		if (e->kind == EV_ALLOC)
			put_alloc(w, e);
		else if (e->kind == EV_FREE)
			put_free(w, e->t, e->pfn, e->order);
		return;
	}
	switch (e->kind) {
	case EV_ZONE_LOCKED:
		/* a page thought to wait on a per-cpu list came back to the free lists instead */
		held = g_hash_table_lookup(w->pcp, key);
		if (held) {
			put_free(w, e->t, e->pfn, GPOINTER_TO_UINT(held) - 1);
			g_hash_table_remove(w->pcp, key);
		}
		put_alloc(w, e);
		if (e->flag)
			g_hash_table_insert(w->pcp, key, GUINT_TO_POINTER(e->order + 1u));
		break;
	case EV_ALLOC:
		g_hash_table_remove(w->pcp, key);
		break;
	case EV_FREE:
		if (pcp_order(w->r, e->order))
			g_hash_table_insert(w->pcp, key, GUINT_TO_POINTER(e->order + 1u));
		else
			put_free(w, e->t, e->pfn, e->order);
		break;
	case EV_DRAIN:
		g_hash_table_remove(w->pcp, key);
		put_free(w, e->t, e->pfn, e->order);
		break;
	}
}

/* A CMA event: requests become dma_alloc, releases of the trace's buffers dma_free. */
static void cma_event_out(struct writer *w, const struct fev *e)
{
	const char *name = w->r->areas->pdata[e->area];
	struct cmasim_ftrace_stats *st = w->r->st;
	char *key;
	gpointer id;

	if (e->kind == EV_CMA_START || e->kind == EV_CMA_ALLOC) {
		id = GSIZE_TO_POINTER(++w->next_id);
		st->dma_allocs++;
		put(w->out, e->t - w->t0, "op: dma_alloc, device: %s, size: %" PRIu64 ", align: %u, "
		    "id: cma%" PRIu64, name, e->count * w->r->opts->page_size,
		    MIN(e->order, CMASIM_ORDER_LIMIT), GPOINTER_TO_SIZE(id));
		if (e->kind == EV_CMA_START) {
			g_queue_push_tail(w->pending, id);
			return;
		}
	} else if (e->kind == EV_CMA_FINISH) {
		id = g_queue_pop_head(w->pending);
		if (!id)
			return;
	} else {
		key = g_strdup_printf("%s:%" PRIx64, name, e->pfn);
		id = g_hash_table_lookup(w->buffers, key);
		if (id) {
			st->dma_frees++;
			put(w->out, e->t - w->t0, "op: dma_free, id: cma%" PRIu64, GPOINTER_TO_SIZE(id));
			g_hash_table_remove(w->buffers, key);
		} else {
			st->orphan_releases++;
		}
		g_free(key);
		return;
	}
	if (e->flag)
		g_hash_table_replace(w->buffers, g_strdup_printf("%s:%" PRIx64, name, e->pfn), id);
	else
		st->cma_failed++;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The header: where it came from, what was skipped, and the workload's keys. */
static void header(struct reader *r, const struct windows *win, GString *out)
{
	const struct cmasim_ftrace_stats *st = r->st;
	g_autofree gpointer *names = g_hash_table_get_keys_as_array(r->unknown, NULL);

	g_string_append(out, "# Imported by cmasim import ftrace from ");
	text_append_quoted(out, r->ts.source);
	g_string_append_printf(out, ": %" PRIu64 " lines, %" PRIu64 " events of kmem and cma\n",
			       st->lines, st->events);
	g_string_append_printf(out, "# %s\n", st->buddy_view ?
			       "the buddy allocator's view: per-cpu lists traced, their pages "
			       "allocated" : "per-cpu lists not traced: every page allocated "
			       "and freed at once");
	g_string_append_printf(out, "# skipped: %" PRIu64 " events a snapshot held, %" PRIu64
			       " mm_page_free_batched (each repeats an mm_page_free), %" PRIu64
			       " failed allocations; %" PRIu64 " mm_page_alloc_extfrag, %" PRIu64
			       " cma_alloc_busy_retry, %" PRIu64 " failed CMA allocations, %" PRIu64
			       " releases of buffers from before the trace\n", st->clipped,
			       st->duplicates, st->failed_allocs, st->extfrag, st->busy_retries,
			       st->cma_failed, st->orphan_releases);
	if (win->first)
		g_string_append_printf(out, "# snapshots: kpageflags read at %.6f-%.6f s%s\n",
				       (double)win->begin[0] / 1e9, (double)win->end[0] / 1e9,
				       win->last ? " and again later" : "");
	qsort(names, g_hash_table_size(r->unknown), sizeof(*names), cmp_name);
	for (guint i = 0; i < g_hash_table_size(r->unknown); i++) {
		g_string_append(out, "# unknown event ");
		/* a name as the trace spelt it, printable in a YAML comment */
		for (const char *c = names[i]; *c; c++)
			g_string_append_c(out, g_ascii_isgraph(*c) ? *c : '?');
		g_string_append_printf(out, ": %zu, skipped\n",
				       GPOINTER_TO_SIZE(g_hash_table_lookup(r->unknown, names[i])));
	}
	g_string_append(out, "name: ");
	text_append_quoted(out, r->opts->name);
	g_string_append_printf(out, "\ndescription: \"the kernel's page allocations and CMA requests "
			       "of an ftrace capture, %.3f s\"\nseed: 1\n",
			       (double)(st->last_ns - st->first_ns) / 1e9);
	if (r->opts->machine) {
		g_string_append(out, "machine: ");
		text_append_quoted(out, r->opts->machine);
		g_string_append_c(out, '\n');
	}
	if (r->areas->len) {
		g_string_append(out, "devices: [");
		for (guint i = 0; i < r->areas->len; i++)
			g_string_append_printf(out, "%s%s", i ? ", " : "", (char *)r->areas->pdata[i]);
		g_string_append(out, "]\n");
	}
}

/* The second pass: the events between the snapshots into @events. */
static void write_events(struct reader *r, const struct windows *win, GString *events)
{
	struct writer w = {
		.r = r,
		.out = events,
		.pcp = g_hash_table_new(g_direct_hash, g_direct_equal),
		.buffers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.pending = g_queue_new(),
	};
	bool started = false;

	for (guint i = 0; i < r->ev->len; i++) {
		const struct fev *e = &g_array_index(r->ev, struct fev, i);
		bool pages = e->kind <= EV_DRAIN;

		if (e->kind >= EV_MARK_BEGIN)
			continue;
		if (!between(win, e, pages)) {
			r->st->clipped += pages;
			continue;
		}
		if (!started) {
			/* time 0 is the first snapshot's start, else the first event */
			w.t0 = win->first ? MIN(win->begin[0], e->t) : e->t;
			r->st->first_ns = w.t0;
			started = true;
		}
		r->st->last_ns = e->t;
		if (pages)
			page_event_out(&w, e);
		else
			cma_event_out(&w, e);
	}
	g_hash_table_destroy(w.pcp);
	g_hash_table_destroy(w.buffers);
	g_queue_free(w.pending);
}

bool cmasim_ftrace_import(const char *source, GBytes *data,
			  const struct cmasim_ftrace_options *opts, GString *out,
			  struct cmasim_ftrace_stats *st, GError **error)
{
	g_return_val_if_fail(source && data && opts && opts->name && out && st, false);
	g_autoptr(GBytes) text = text_inflate(data, source, MAX_TRACE_BYTES, error);
	g_autoptr(GString) events = g_string_new(NULL);
	struct reader r = { .opts = opts, .st = st };
	struct windows win;
	gsize len;
	const char *p;
	bool ok;

	if (!text)
		return false;
	*st = (struct cmasim_ftrace_stats){ 0 };
	p = g_bytes_get_data(text, &len);
	textscan_init(&r.ts, source, p, len);
	r.ev = g_array_new(FALSE, FALSE, sizeof(struct fev));
	r.areas = g_ptr_array_new_with_free_func(g_free);
	r.unknown = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	ok = read_lines(&r, error);
	if (ok) {
		find_windows(r.ev, &win);
		write_events(&r, &win, events);
		header(&r, &win, out);
		g_string_append(out, events->len ? "events:\n" : "events: []\n");
		g_string_append_len(out, events->str, (gssize)events->len);
	}
	g_array_free(r.ev, TRUE);
	g_ptr_array_free(r.areas, TRUE);
	g_hash_table_destroy(r.unknown);
	return ok;
}

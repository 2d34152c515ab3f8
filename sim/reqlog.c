// SPDX-License-Identifier: GPL-2.0-only
/*
 * The request log and blocking attribution: see reqlog.h. Blockers are
 * met only on a failure's path, so counting them costs a run nothing
 * while ranges clear; the request lines cost a line per request.
 */
#include <inttypes.h>
#include <string.h>

#include "cmasim/kernel.h"
#include "cmasim/report.h"
#include "reqlog.h"

/* Kinds of blocking pages: what the pages hold, then reserved and isolated ones. */
#define KIND_RESERVED CMASIM_NR_OWNERS
#define KIND_ISOLATED (CMASIM_NR_OWNERS + 1)
#define NR_KINDS (CMASIM_NR_OWNERS + 2)

/* The trace allocations named in the run's summary, the most blocking first. */
#define TOP_BLOCKERS 5

/* One trace allocation's part in the busy ranges of the run. */
struct blame {
	char *name;
	uint64_t ranges;	/* busy ranges it was in */
	uint64_t pages;
	uint64_t last;		/* the range it was last met in */
};

struct reqlog {
	const struct cmasim_config *cfg;
	struct cmasim_trace *trace;
	const struct cmasim_results *r;	/* the run's, for what a request changed */
	FILE *out;
	bool json;
	FILE *klog;
	struct cmasim_contig_observer obs;
	const GArray *slot_devs;	/* uint8_t by trace slot: 1 + the device owning its pages, or 0 */
	/* the request being served */
	uint32_t serving;		/* 1 + its device */
	uint64_t now, asked_ns;
	char *name;
	uint64_t cost0[CMASIM_NR_COSTS];
	uint64_t migrated0, reclaimed0, attempts0, busy0;
	GArray *blockers;		/* struct cmasim_blocker, with names in @names */
	GPtrArray *names;		/* each blocker's allocation, or NULL */
	uint64_t last_range;		/* the busy range the last blocker was met in */
	/* the run */
	uint64_t pages[NR_KINDS];
	uint64_t pinned;
	uint64_t range;			/* busy ranges so far: the one being met is the next */
	GHashTable *blame;		/* name -> struct blame */
	uint64_t *own_pinned;		/* by device: pinned pages its requests met, its own driver's */
	uint64_t *other_pinned;		/* and another's or no driver's */
};

static const char *kind_name(unsigned int kind)
{
	return kind == KIND_RESERVED ? "reserved" : kind == KIND_ISOLATED ? "isolated"
									 : cmasim_owner_name(kind);
}

/* The kernel's printk prefix at simulated time @ns: "[   12.345678] ". */
static void klog_prefix(FILE *f, uint64_t ns)
{
	fprintf(f, "[%5" PRIu64 ".%06" PRIu64 "] ", ns / 1000000000, ns % 1000000000 / 1000);
}

/*
 * Adds @b, of allocation @name, to the request's blockers, as one run with
 * the last when it continues it in the same range: a pinned buffer of a
 * thousand pages is one item, not a thousand.
 */
static void add_blocker(struct reqlog *log, const struct cmasim_blocker *b, const char *name)
{
	guint n = log->blockers->len;
	struct cmasim_blocker *last = n ? &g_array_index(log->blockers, struct cmasim_blocker, n - 1)
				       : NULL;
	const char *last_name = n ? log->names->pdata[n - 1] : NULL;

	if (last && log->last_range == log->range && last->pfn + last->pages == b->pfn &&
	    last->why == b->why &&
	    last->owner == b->owner && g_strcmp0(last_name, name) == 0) {
		last->pages += b->pages;
		return;
	}
	g_array_append_val(log->blockers, *b);
	g_ptr_array_add(log->names, g_strdup(name));
	log->last_range = log->range;
}

static void on_blocked(void *arg, const struct cmasim_blocker *b)
{
	struct reqlog *log = arg;
	unsigned int kind = b->why == CMASIM_BLOCK_RESERVED ? KIND_RESERVED
			    : b->why == CMASIM_BLOCK_ISOLATED ? KIND_ISOLATED : b->owner;
	const char *name = b->tagged ? cmasim_trace_slot_name(log->trace, b->cookie) : NULL;

	log->pages[kind] += b->pages;
	if (b->why == CMASIM_BLOCK_PINNED && b->tagged && log->serving) {
		const GArray *devs = log->slot_devs;
		uint8_t owner = b->cookie < devs->len ? g_array_index(devs, uint8_t, b->cookie) : 0;

		(owner == log->serving ? log->own_pinned : log->other_pinned)[log->serving - 1] +=
			b->pages;
	}
	log->pinned += b->why == CMASIM_BLOCK_PINNED ? b->pages : 0;
	if (name) {
		struct blame *bl = g_hash_table_lookup(log->blame, name);

		if (!bl) {
			bl = g_new0(struct blame, 1);
			bl->name = g_strdup(name);
			bl->last = UINT64_MAX;
			g_hash_table_insert(log->blame, bl->name, bl);
		}
		/* an allocation of many blocks is met once a range */
		bl->ranges += bl->last != log->range;
		bl->last = log->range;
		bl->pages += b->pages;
	}
	if (log->out)
		add_blocker(log, b, name);
}

/*
 * alloc_contig_range() of 4.x to 5.11 printed this when migration left
 * pages in the range (test_pages_isolated() failed); 5.12 dropped it.
 */
static void on_busy(void *arg, uint64_t start, uint64_t end, bool migrated)
{
	struct reqlog *log = arg;

	log->range++;
	if (!log->klog || !migrated || !log->cfg->kernel->log_pfns_busy)
		return;
	klog_prefix(log->klog, log->now);
	fprintf(log->klog, "alloc_contig_range: [%" PRIx64 ", %" PRIx64 ") PFNs busy\n", start,
		end);
}

/* mm/cma.c: cma_alloc() (4.11 and later), unless the caller asked for __GFP_NOWARN. */
static void on_cma_failed(void *arg, const char *area, uint64_t count, int ret)
{
	struct reqlog *log = arg;

	if (!log->klog || !log->cfg->kernel->log_cma_alloc_failed)
		return;
	klog_prefix(log->klog, log->now);
	fprintf(log->klog, "cma: cma_alloc: %s: alloc failed, req-size: %" PRIu64 " pages, "
		"ret: %d\n", area, count, ret);
}

static void blame_free(void *p)
{
	struct blame *bl = p;

	g_free(bl->name);
	g_free(bl);
}

/* The CSV header: what every line has, each cost apart. */
static void csv_header(struct reqlog *log)
{
	fputs("time_ns,request,device,size_bytes,align_order,outcome,pfn,phys_addr,latency_ns",
	      log->out);
	for (unsigned int c = 0; c < CMASIM_NR_COSTS; c++)
		fprintf(log->out, ",%s_ns", cmasim_cost_name(c));
	fputs(",attempts,busy_ranges,migrated_pages,reclaimed_pages,blockers\n", log->out);
}

struct reqlog *reqlog_new(const struct cmasim_config *cfg, struct cmasim_trace *trace,
			  const struct cmasim_results *r, const GArray *slot_devs, FILE *requests,
			  bool json, FILE *kernel_log)
{
	struct reqlog *log = g_new0(struct reqlog, 1);

	log->cfg = cfg;
	log->trace = trace;
	log->r = r;
	log->slot_devs = slot_devs;
	log->own_pinned = g_new0(uint64_t, cfg->nr_devices);
	log->other_pinned = g_new0(uint64_t, cfg->nr_devices);
	log->out = requests;
	log->json = json;
	log->klog = kernel_log;
	log->obs = (struct cmasim_contig_observer){ on_blocked, on_busy, on_cma_failed, log };
	log->blockers = g_array_new(FALSE, FALSE, sizeof(struct cmasim_blocker));
	log->names = g_ptr_array_new_with_free_func(g_free);
	log->blame = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, blame_free);
	if (log->out && !json)
		csv_header(log);
	return log;
}

void reqlog_free(struct reqlog *log)
{
	if (!log)
		return;
	g_free(log->name);
	g_array_unref(log->blockers);
	g_ptr_array_unref(log->names);
	g_hash_table_unref(log->blame);
	g_free(log->own_pinned);
	g_free(log->other_pinned);
	g_free(log);
}

const struct cmasim_contig_observer *reqlog_observer(struct reqlog *log)
{
	return &log->obs;
}

bool reqlog_lines(const struct reqlog *log)
{
	return log->out;
}

void reqlog_begin(struct reqlog *log, uint64_t now, uint64_t asked_ns, unsigned int device,
		  const char *name)
{
	const struct cmasim_results *r = log->r;

	log->serving = device + 1;
	log->now = now;
	log->asked_ns = asked_ns;
	if (!log->out)
		return;
	g_free(log->name);
	log->name = g_strdup(name);
	memcpy(log->cost0, r->cost_ns, sizeof(log->cost0));
	log->migrated0 = r->migrated_pages;
	log->reclaimed0 = r->reclaimed_pages;
	log->attempts0 = r->contig_attempts;
	log->busy0 = r->contig_retries;
	g_array_set_size(log->blockers, 0);
	g_ptr_array_set_size(log->names, 0);
}

/* A blocker as one CSV cell's item: "0x8f4a0+1:anon:pinned:gpu3". */
static void csv_blocker(GString *out, const struct cmasim_blocker *b, const char *name)
{
	g_string_append_printf(out, "%#" PRIx64 "+%" PRIu64 ":%s", b->pfn, b->pages,
			       b->why == CMASIM_BLOCK_PINNED || b->why == CMASIM_BLOCK_UNMOVABLE
			       ? cmasim_owner_name(b->owner) : cmasim_block_why_name(b->why));
	if (b->why == CMASIM_BLOCK_PINNED)
		g_string_append(out, ":pinned");
	if (name)
		g_string_append_printf(out, ":%s", name);
}

static void json_blocker(GString *out, const struct cmasim_blocker *b, const char *name)
{
	g_string_append_printf(out, "{\"pfn\": %" PRIu64 ", \"pages\": %" PRIu64 ", \"why\": ",
			       b->pfn, b->pages);
	cmasim_json_string(out, cmasim_block_why_name(b->why));
	if (b->why == CMASIM_BLOCK_PINNED || b->why == CMASIM_BLOCK_UNMOVABLE) {
		g_string_append(out, ", \"owner\": ");
		cmasim_json_string(out, cmasim_owner_name(b->owner));
	}
	if (name) {
		g_string_append(out, ", \"allocation\": ");
		cmasim_json_string(out, name);
	}
	g_string_append_c(out, '}');
}

void reqlog_end(struct reqlog *log, const struct cmasim_dma_request *req,
		enum cmasim_dma_status status, const struct cmasim_dma_buffer *buf,
		uint64_t latency_ns)
{
	const struct cmasim_results *r = log->r;
	const char *device = log->cfg->devices[req->device].name;
	const char *outcome = status == CMASIM_DMA_OK ? "ok" : cmasim_dma_status_name(status);
	bool ok = status == CMASIM_DMA_OK, json = log->json;
	uint64_t counts[] = { r->contig_attempts - log->attempts0, r->contig_retries - log->busy0,
			      r->migrated_pages - log->migrated0,
			      r->reclaimed_pages - log->reclaimed0 };
	static const char *const count_names[] = { "attempts", "busy_ranges", "migrated_pages",
						   "reclaimed_pages" };
	g_autoptr(GString) line = g_string_new(NULL);

	log->serving = 0;
	if (!log->out)
		return;
	if (json) {
		g_string_append_printf(line, "{\"time_ns\": %" PRIu64 ", \"request\": ", log->asked_ns);
		cmasim_json_string(line, log->name ? log->name : "");
		g_string_append(line, ", \"device\": ");
		cmasim_json_string(line, device);
		g_string_append_printf(line, ", \"size_bytes\": %" PRIu64 ", \"align_order\": ",
				       req->size);
		if (req->align == CMASIM_REC_ANY)
			g_string_append(line, "null");
		else
			g_string_append_printf(line, "%u", req->align);
		g_string_append(line, ", \"outcome\": ");
		cmasim_json_string(line, outcome);
		if (ok)
			g_string_append_printf(line, ", \"pfn\": %" PRIu64 ", \"phys_addr\": %" PRIu64,
					       buf->pfn, buf->pfn << log->cfg->page_shift);
		else
			g_string_append(line, ", \"pfn\": null, \"phys_addr\": null");
		g_string_append_printf(line, ", \"latency_ns\": %" PRIu64 ", \"costs_ns\": {",
				       latency_ns);
		for (unsigned int c = 0; c < CMASIM_NR_COSTS; c++)
			g_string_append_printf(line, "%s\"%s\": %" PRIu64, c ? ", " : "",
					       cmasim_cost_name(c), r->cost_ns[c] - log->cost0[c]);
		g_string_append_c(line, '}');
		for (unsigned int i = 0; i < G_N_ELEMENTS(counts); i++)
			g_string_append_printf(line, ", \"%s\": %" PRIu64, count_names[i], counts[i]);
		g_string_append(line, ", \"blockers\": [");
		for (guint i = 0; i < log->blockers->len; i++) {
			g_string_append(line, i ? ", " : "");
			json_blocker(line, &g_array_index(log->blockers, struct cmasim_blocker, i),
				     log->names->pdata[i]);
		}
		g_string_append(line, "]}\n");
	} else {
		g_string_append_printf(line, "%" PRIu64 ",", log->asked_ns);
		cmasim_csv_field(line, log->name ? log->name : "");
		g_string_append_c(line, ',');
		cmasim_csv_field(line, device);
		g_string_append_printf(line, ",%" PRIu64 ",", req->size);
		if (req->align != CMASIM_REC_ANY)
			g_string_append_printf(line, "%u", req->align);
		g_string_append_printf(line, ",%s,", outcome);
		if (ok)
			g_string_append_printf(line, "%#" PRIx64 ",%#" PRIx64, buf->pfn,
					       buf->pfn << log->cfg->page_shift);
		else
			g_string_append_c(line, ',');
		g_string_append_printf(line, ",%" PRIu64, latency_ns);
		for (unsigned int c = 0; c < CMASIM_NR_COSTS; c++)
			g_string_append_printf(line, ",%" PRIu64, r->cost_ns[c] - log->cost0[c]);
		for (unsigned int i = 0; i < G_N_ELEMENTS(counts); i++)
			g_string_append_printf(line, ",%" PRIu64, counts[i]);
		g_autoptr(GString) cell = g_string_new(NULL);

		for (guint i = 0; i < log->blockers->len; i++) {
			g_string_append(cell, i ? ";" : "");
			csv_blocker(cell, &g_array_index(log->blockers, struct cmasim_blocker, i),
				    log->names->pdata[i]);
		}
		g_string_append_c(line, ',');
		cmasim_csv_field(line, cell->str);
		g_string_append_c(line, '\n');
	}
	fwrite(line->str, 1, line->len, log->out);
}

/* The most blocking first; ties by pages, then by name, so that the order is the same every run. */
static gint blame_order(gconstpointer a, gconstpointer b)
{
	const struct blame *x = *(struct blame *const *)a, *y = *(struct blame *const *)b;

	if (x->ranges != y->ranges)
		return x->ranges > y->ranges ? -1 : 1;
	if (x->pages != y->pages)
		return x->pages > y->pages ? -1 : 1;
	return strcmp(x->name, y->name);
}

bool reqlog_finish(struct reqlog *log, struct cmasim_results *r)
{
	g_autoptr(GString) owners = g_string_new(NULL), top = g_string_new(NULL);
	g_autoptr(GPtrArray) blames = g_ptr_array_new();
	GHashTableIter it;
	gpointer bl;

	g_hash_table_iter_init(&it, log->blame);
	while (g_hash_table_iter_next(&it, NULL, &bl))
		g_ptr_array_add(blames, bl);

	for (unsigned int k = 0; k < NR_KINDS; k++) {
		r->blocking_pages += log->pages[k];
		if (log->pages[k])
			g_string_append_printf(owners, "%s%s %" PRIu64, owners->len ? ", " : "",
					       kind_name(k), log->pages[k]);
	}
	r->blocking_pinned_pages = log->pinned;
	for (unsigned int d = 0; d < log->cfg->nr_devices; d++) {
		r->devices[d].blocked_own_pages = log->own_pinned[d];
		r->devices[d].blocked_other_pages = log->other_pinned[d];
	}
	g_ptr_array_sort(blames, blame_order);
	for (guint i = 0; i < MIN(blames->len, TOP_BLOCKERS); i++) {
		const struct blame *b = blames->pdata[i];

		g_string_append_printf(top, "%s%s %" PRIu64 "x", i ? ", " : "", b->name, b->ranges);
	}
	r->blocking_owners = g_strdup(owners->str);
	r->top_blockers = g_strdup(top->str);
	return (!log->out || !fflush(log->out)) && (!log->klog || !fflush(log->klog));
}

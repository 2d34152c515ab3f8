// SPDX-License-Identifier: GPL-2.0-only
/*
 * The replay engine: pulls trace records one at a time and applies them to
 * the machine and the policy, with the event queue carrying whatever they
 * set in motion for later.
 *
 * Ordering: a record at time t runs after every queued event due at or
 * before t (those were caused earlier); queued events at one time run in
 * the order they were pushed. A timeline row at T shows the state after
 * everything before T.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "cmasim/buddy.h"
#include "cmasim/engine.h"
#include "cmasim/error.h"
#include "cmasim/event.h"
#include "cmasim/figures.h"
#include "cmasim/migrate.h"
#include "cmasim/state.h"
#include "cmasim/units.h"
#include "machine.h"
#include "reqlog.h"
#include "mm.h"

enum slot_kind {
	SLOT_EMPTY,
	SLOT_PAGE,		/* an alloc of one block */
	SLOT_BLOCKS,		/* an alloc of more */
	SLOT_DMA,
	SLOT_DMA_WAITING,	/* a request waiting for the CMA mutex */
};

/*
 * A request waiting for the CMA mutex. It lives outside the slots: once
 * a dma_free cancels it, the trace may give its id to a new allocation
 * before the mutex comes, and the buffer then goes straight back.
 */
struct dma_wait {
	uint32_t id;			/* the slot the buffer goes to */
	bool cancelled;			/* a dma_free came meanwhile */
	uint64_t asked_ns;		/* when the request came */
	char *name;			/* the trace's name of it, when the request log needs it */
	struct cmasim_dma_request req;
};

/* A block of a PAGES slot that was reclaimed: nothing to free any more. */
#define GONE UINT64_MAX

/* The blocks of an alloc of more than one. */
struct blocks {
	uint32_t count;			/* blocks held */
	uint32_t lru_next;		/* the next block reclaim tries, if page cache */
	uint64_t pfn[];			/* as many as were tried: at most what the machine holds */
};

/*
 * What a trace id holds while it is allocated: 16 bytes. A replay spends
 * most of its time finding the slot a record names among hundreds of
 * thousands, so four share a cache line; a buffer lives apart.
 */
struct slot {
	uint8_t kind;			/* enum slot_kind */
	uint8_t order;			/* PAGE, BLOCKS: of each block */
	uint8_t owner;			/* PAGE, BLOCKS: enum cmasim_owner of its blocks */
	uint8_t held;			/* PAGE: 1 if the block was had */
	uint32_t pins;			/* PAGE, BLOCKS: pin calls not yet undone */
	union {
		uint64_t pfn;		/* PAGE */
		struct blocks *blocks;	/* BLOCKS */
		uint32_t buf;		/* DMA: index in bufs */
		uint32_t wait;		/* DMA_WAITING: index in waits */
	};
};
G_STATIC_ASSERT(sizeof(struct slot) == 16);

struct cmasim_sim;

/* Frames [pfn, pfn + pages). */
struct pfn_range {
	uint64_t pfn, pages;
};

/* Rows written every so often of simulated time and at sample events: the timeline's and the map's. */
struct sampler {
	FILE *out;			/* NULL: none */
	const char *what;		/* for messages */
	void (*row)(struct cmasim_sim *sim, uint64_t time_ns);
	uint64_t interval;		/* ns between rows; 0 for none */
	uint64_t next;			/* time of the next row */
	bool done;			/* the next tick would pass the largest time */
	uint64_t rows_left;		/* rows it may still write at ticks */
};

enum { TIMELINE, MAP, NR_SAMPLERS };

struct cmasim_sim {
	const struct cmasim_config *cfg;
	struct cmasim_mem *mem;
	struct machine machine;		/* mappings, TLB, cache and coherence */
	struct cmasim_eventq *q;
	struct cmasim_trace *trace;
	const struct cmasim_policy_ops *policy;
	void *priv;
	struct cmasim_results *r;
	struct reqlog *log;		/* what blocked requests; a line per request on request */
	void (*progress)(void *arg, uint64_t events, uint64_t time_ns, double fraction);
	void *progress_arg;
	GArray *slots;			/* of struct slot, by trace id */
	GArray *bufs;			/* of struct cmasim_dma_buffer, by the index a DMA slot holds */
	GArray *free_bufs;		/* indices of bufs not in use, for reuse */
	GArray *gens;			/* uint32_t by trace id: when a page-cache slot was allocated */
	GArray *devs;			/* uint8_t by trace id: 1 + the device whose driver owns its pages */
	GArray *file_lru;		/* uint64_t id << 32 | gen of page-cache slots, oldest first */
	guint lru_head;			/* file_lru's first entry still queued */
	uint32_t gen;			/* page-cache allocations so far */
	GArray *waits;			/* of struct dma_wait, by the index the mutex is given */
	GArray *free_waits;		/* indices of waits that are done, for reuse */
	uint64_t charged;		/* ns charged since the current request began */
	uint64_t dma_bytes;		/* held by devices now */
	uint64_t dma_waste;		/* of which beyond what was asked */
	struct cmasim_resource *cma_mutex; /* for serialized policies */
	struct sampler samplers[NR_SAMPLERS];
	bool ticking;			/* a sampler writes rows at ticks */
	GArray *reserved;		/* struct pfn_range: what policies took at boot */
	struct cmasim_record rec;	/* the record being applied or, between, the next: where errors point */
	uint64_t rec_nr;		/* its number in the trace, from 1 */
	uint64_t total_charged;		/* ns charged to every cost: bounds each figure of time */
	GError *error;			/* the first bad input met; stops the run */
	uint64_t reserved_idle;		/* reserved pages the policy says hold nothing now */
	uint64_t idle_since;		/* ns: when reserved_idle last changed */
	uint64_t idle_rem_ns;		/* page-ns of idle time short of a whole page-ms */
	bool atomic_tried;		/* the atomic pool was set up, or failed to be */
	struct cmasim_pagepool *atomic;	/* the atomic pool, or NULL */
	struct cmasim_dma_buffer atomic_map; /* its frames and uncached mapping */
	struct cmasim_state *initial;	/* the machine's initial state, or NULL */
};

struct cmasim_mem *cmasim_sim_mem(struct cmasim_sim *sim)
{
	return sim->mem;
}

const struct cmasim_config *cmasim_sim_config(const struct cmasim_sim *sim)
{
	return sim->cfg;
}

struct machine *cmasim__sim_machine(struct cmasim_sim *sim)
{
	return &sim->machine;
}

struct cmasim_results *cmasim__sim_results(struct cmasim_sim *sim)
{
	return sim->r;
}

static void fail(struct cmasim_sim *sim, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

void cmasim_charge(struct cmasim_sim *sim, enum cmasim_cost cost, uint64_t ns)
{
	g_return_if_fail(cost < CMASIM_NR_COSTS);
	/*
	 * Every figure of simulated time (a cost, a latency, their sum) is
	 * part of the total, so checking the total alone keeps them all from
	 * wrapping; a product that saturated arrives as UINT64_MAX.
	 */
	if (ns == UINT64_MAX || __builtin_add_overflow(sim->total_charged, ns, &sim->total_charged)) {
		fail(sim, "simulated time charged to %s passes 2^64 - 1 ns (expected costs "
		     "and sizes whose products and sums fit)", cmasim_cost_name(cost));
		sim->total_charged = UINT64_MAX;
		return;
	}
	sim->r->cost_ns[cost] += ns;
	sim->charged += ns;
}

void cmasim_charge_n(struct cmasim_sim *sim, enum cmasim_cost cost, uint64_t n, uint64_t unit_ns)
{
	uint64_t ns;

	cmasim_charge(sim, cost, __builtin_mul_overflow(n, unit_ns, &ns) ? UINT64_MAX : ns);
}

void cmasim_charge_contig(struct cmasim_sim *sim, const struct cmasim_contig_stats *st)
{
	struct cmasim_results *r = sim->r;

	cmasim_charge(sim, CMASIM_COST_MIGRATION, st->migrate.cost_ns);
	cmasim_charge(sim, CMASIM_COST_LRU_DRAIN, st->cost_ns - st->migrate.cost_ns);
	r->migrated_pages += st->migrate.migrated;
	r->reclaimed_pages += st->migrate.reclaimed;
	r->migrate_busy_pinned_pages += st->migrate.busy_pinned;
	r->migrate_busy_unmovable_pages += st->migrate.busy_unmovable;
	r->migrate_no_memory_pages += st->migrate.no_memory;
	r->contig_attempts += st->attempts;
	/* mm/cma.c: cma_alloc() traces a busy retry for every -EBUSY, the last one included */
	r->contig_retries += st->busy;
	cmasim_sim_refault(sim, st->migrate.reclaimed);
}

/* Charges and counts what one compaction did. */
static enum cmasim_compact_result compacted(struct cmasim_sim *sim,
					    enum cmasim_compact_result result,
					    const struct cmasim_compact_stats *st)
{
	cmasim_charge(sim, CMASIM_COST_COMPACTION, st->cost_ns);
	sim->r->compact_runs += result != CMASIM_COMPACT_DEFERRED;
	sim->r->compact_deferred += result == CMASIM_COMPACT_DEFERRED;
	sim->r->compact_scanned_pages += st->migrate_scanned + st->free_scanned;
	sim->r->compact_migrated_pages += st->migrated;
	return result;
}

enum cmasim_compact_result cmasim_sim_compact(struct cmasim_sim *sim, unsigned int zone,
					      int order)
{
	struct cmasim_compact_stats st = { 0 };

	return compacted(sim, cmasim_compact_zone(sim->mem, zone, order, &st), &st);
}

enum cmasim_compact_result cmasim_sim_compact_direct(struct cmasim_sim *sim, unsigned int zone,
						     unsigned int order, enum cmasim_migratetype mt,
						     enum cmasim_zone_type highest_zone)
{
	struct cmasim_compact_stats st = { 0 };

	return compacted(sim, cmasim_compact_zone_direct(sim->mem, zone, order, mt, highest_zone,
							 &st), &st);
}

bool cmasim_sim_compact_for(struct cmasim_sim *sim, unsigned int order,
			    enum cmasim_migratetype mt, enum cmasim_zone_type highest_zone)
{
	const struct cmasim_config *cfg = sim->cfg;

	for (unsigned int z = cfg->nr_zones; z-- > 0;)
		if (cfg->zones[z].type <= highest_zone &&
		    cmasim_sim_compact_direct(sim, z, order, mt, highest_zone) ==
		    CMASIM_COMPACT_SUCCESS)
			return true;
	return false;
}

/* Adds the idle reserved page-time since idle_since up to @now, exactly. */
static void idle_settle(struct cmasim_sim *sim, uint64_t now)
{
	uint64_t dt = now - sim->idle_since, ms, *sum = &sim->r->reserved_idle_page_ms;

	/* pages < 2^32 and dt % 10^6 < 2^20: the remainder cannot wrap, the whole ms can */
	sim->idle_rem_ns += sim->reserved_idle * (dt % 1000000);
	if (__builtin_mul_overflow(sim->reserved_idle, dt / 1000000, &ms) ||
	    __builtin_add_overflow(*sum, ms, sum) ||
	    __builtin_add_overflow(*sum, sim->idle_rem_ns / 1000000, sum))
		fail(sim, "reserved_idle_page_ms passes 2^64 - 1 (expected a shorter run)");
	sim->idle_rem_ns %= 1000000;
	sim->idle_since = now;
}

void cmasim_sim_reserve(struct cmasim_sim *sim, uint64_t pfn, uint64_t pages)
{
	struct pfn_range range = { pfn, pages };

	g_array_append_val(sim->reserved, range);
	sim->r->reserved_bytes += pages << sim->cfg->page_shift;
	sim->r->managed_bytes -= pages << sim->cfg->page_shift;
}

void cmasim_sim_reserved_idle(struct cmasim_sim *sim, uint64_t idle)
{
	idle_settle(sim, cmasim_eventq_now(sim->q));
	sim->reserved_idle = idle;
}

/* Charges @n x @unit_ns to @cost but to no request: work done later, or by others. */
static void charge_aside(struct cmasim_sim *sim, enum cmasim_cost cost, uint64_t n,
			 uint64_t unit_ns)
{
	uint64_t charged = sim->charged;

	cmasim_charge_n(sim, cost, n, unit_ns);
	sim->charged = charged;
}

void cmasim_sim_refault(struct cmasim_sim *sim, uint64_t pages)
{
	sim->r->refaulted_pages += pages;
	charge_aside(sim, CMASIM_COST_REFAULT, pages, sim->cfg->costs.refault_page_ns);
}

void cmasim_sim_cleancache(struct cmasim_sim *sim, uint64_t puts, uint64_t gets)
{
	sim->r->cleancache_puts += puts;
	sim->r->cleancache_gets += gets;
	charge_aside(sim, CMASIM_COST_CLEANCACHE, puts + gets, sim->cfg->costs.page_copy_ns);
}

/* @pages of clean page cache left memory: the policy's cleancache may keep them. */
static void evicted(struct cmasim_sim *sim, uint64_t pages)
{
	if (pages && sim->policy->page_cache_evicted)
		sim->policy->page_cache_evicted(sim, sim->priv, pages);
}

void cmasim_sim_fallback_served(struct cmasim_sim *sim)
{
	sim->r->dma_fallback_ok++;
}

/*
 * Records a runtime error at the record applied last (what an event that
 * runs now was set in motion by, at the latest), unless one is set already.
 */
static void fail(struct cmasim_sim *sim, const char *fmt, ...)
{
	va_list ap;

	if (sim->error)
		return;
	va_start(ap, fmt);
	g_autofree char *what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_autofree char *place = cmasim_trace_place(sim->trace, &sim->rec, sim->rec_nr);
	g_set_error(&sim->error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s: %s", place, what);
}

/*
 * @a, holding index @id: arrays by trace id grow doubled, as a churn's ids
 * grow one at a time and each growth is a call into GLib.
 */
static inline GArray *by_id(GArray *a, uint32_t id)
{
	if (id >= a->len)
		g_array_set_size(a, MAX(id + 1, 2 * a->len));
	return a;
}

static struct slot *slot_get(struct cmasim_sim *sim, uint32_t id)
{
	return &g_array_index(by_id(sim->slots, id), struct slot, id);
}

/* The buffer a DMA slot's index @i names. */
static struct cmasim_dma_buffer *buf_at(struct cmasim_sim *sim, uint32_t i)
{
	return &g_array_index(sim->bufs, struct cmasim_dma_buffer, i);
}

/*
 * Keeps a copy of @item in @items, at an index @free lists as unused (the
 * last freed) or at the end; returns the index.
 */
static uint32_t store(GArray *items, GArray *free, const void *item)
{
	guint size = g_array_get_element_size(items);
	uint32_t i;

	if (!free->len) {
		g_array_append_vals(items, item, 1);
		return items->len - 1;
	}
	i = g_array_index(free, uint32_t, free->len - 1);
	g_array_set_size(free, free->len - 1);
	memcpy(items->data + (size_t)i * size, item, size);
	return i;
}

static void timeline_header(struct cmasim_sim *sim)
{
	FILE *f = sim->samplers[TIMELINE].out;

	fputs("time_ns,dma_requests,dma_ok,dma_bytes,free_pages", f);
	for (unsigned int z = 0; z < sim->cfg->nr_zones; z++) {
		const char *name = cmasim_zone_type_name(sim->cfg->zones[z].type);

		/* the scale and the order run and compare give the index at */
		fprintf(f, ",%s_free_pages,%s_largest_order,%s_unusable_index_order%u,"
			"%s_mixed_pageblocks", name, name, name, sim->cfg->pageblock_order, name);
		/* /proc/buddyinfo's row, from which an index at any order follows */
		for (unsigned int o = 0; o <= sim->cfg->max_page_order; o++)
			fprintf(f, ",%s_free_blocks_order%u", name, o);
	}
	fputc('\n', f);
}

/* The pageblocks of zone @z that hold pages of another type than theirs. */
static uint64_t zone_mixed(const struct cmasim_sim *sim, unsigned int z)
{
	uint64_t mixed = 0;

	for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
		mixed += cmasim_zone_nr_mixed_pageblocks(sim->mem, z, t);
	return mixed;
}

/* One timeline row of the state now; the unusable index is at pageblock order. */
static void timeline_row(struct cmasim_sim *sim, uint64_t time_ns)
{
	FILE *f = sim->samplers[TIMELINE].out;

	fprintf(f, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
		time_ns, sim->r->dma_requests, sim->r->dma_ok, sim->dma_bytes, cmasim_mem_nr_free(sim->mem));
	for (unsigned int z = 0; z < cmasim_mem_nr_zones(sim->mem); z++) {
		struct cmasim_frag frag;
		char index[16];

		cmasim_zone_frag(sim->mem, z, sim->cfg->pageblock_order, &frag);
		fprintf(f, ",%" PRIu64 ",%d,%s,%" PRIu64, frag.free_pages,
			frag.largest_order, cmasim_index_text(frag.unusable_index, index),
			zone_mixed(sim, z));
		for (unsigned int o = 0; o <= sim->cfg->max_page_order; o++) {
			uint64_t blocks = 0;

			for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
				blocks += cmasim_zone_nr_free_blocks(sim->mem, z, o, t);
			fprintf(f, ",%" PRIu64, blocks);
		}
	}
	fputc('\n', f);
}

/*
 * Rows of every sampler for every tick up to and including @t, before
 * anything at @t happens: a row at T shows the state after everything
 * before T. The rows are counted before any is written, and refused past
 * the budget.
 */
static void samplers_until(struct cmasim_sim *sim, uint64_t t)
{
	char b1[32], b2[32];

	for (struct sampler *s = sim->samplers; s < sim->samplers + NR_SAMPLERS; s++) {
		if (!s->out || !s->interval || s->done || s->next > t)
			continue;
		uint64_t rows = (t - s->next) / s->interval + 1;

		if (rows > s->rows_left) {
			fail(sim, "a %s row every %s up to %s makes %" PRIu64 " more rows "
			     "(expected at most %" PRIu64 ": a longer %s interval)", s->what,
			     cmasim_format_time(s->interval, b1), cmasim_format_time(t, b2), rows,
			     s->rows_left, s->what);
			s->done = true;
			return;
		}
		s->rows_left -= rows;
		while (rows--) {
			s->row(sim, s->next);
			/* the tick after the largest time never comes */
			if (__builtin_add_overflow(s->next, s->interval, &s->next)) {
				s->done = true;
				break;
			}
		}
	}
}

/* A row of every sampler at @t, for a sample event or the end of the run. */
static void samplers_row(struct cmasim_sim *sim, uint64_t t)
{
	for (struct sampler *s = sim->samplers; s < sim->samplers + NR_SAMPLERS; s++)
		if (s->out)
			s->row(sim, t);
}

/* Runs the queued events due by @t, with the timeline rows between them. */
static void advance(struct cmasim_sim *sim, uint64_t t)
{
	uint64_t next;

	for (;;) {
		bool pending = cmasim_eventq_peek(sim->q, &next);

		if (sim->ticking)
			samplers_until(sim, pending ? MIN(next, t) : t);
		if (!pending || next > t || sim->error)
			return;
		cmasim_eventq_pop(sim->q);
	}
}

/* The frames of the blocks slot @s holds, and in *@count how many: 0 unless it holds pages. */
static uint64_t *slot_pfns(struct slot *s, uint32_t *count)
{
	if (s->kind == SLOT_BLOCKS) {
		*count = s->blocks->count;
		return s->blocks->pfn;
	}
	*count = s->kind == SLOT_PAGE ? s->held : 0;
	return &s->pfn;
}

/* Migration moved block @index of slot @cookie to @new_pfn, or reclaimed it (GONE). */
static void block_moved(void *arg, uint32_t cookie, uint32_t index, uint64_t new_pfn)
{
	struct cmasim_sim *sim = arg;
	uint32_t count;

	if (cookie == CMASIM_COOKIE_PFN) {
		if (sim->initial)
			cmasim_state_moved(sim->initial, index, new_pfn);
		return;
	}
	uint64_t *pfns = slot_pfns(slot_get(sim, cookie), &count);

	g_return_if_fail(index < count);
	pfns[index] = new_pfn;
}

/* The device whose driver owns slot @id's pages, plus one; 0 for none. */
static uint8_t *slot_dev(struct cmasim_sim *sim, uint32_t id)
{
	return &g_array_index(by_id(sim->devs, id), uint8_t, id);
}

/* Frees what slot @s holds outside itself; it is empty afterwards. */
static void slot_clear(struct slot *s)
{
	if (s->kind == SLOT_BLOCKS)
		g_free(s->blocks);
	s->kind = SLOT_EMPTY;
}

/*
 * __gup_longterm_locked(): a long-term pin (FOLL_LONGTERM) first moves the
 * slot's blocks out of CMA (and ZONE_MOVABLE) where the profile says so
 * (check_and_migrate_movable_pages()), then pins them. Returns false when
 * a block found no target: the pin fails, and what moved stays moved.
 */
static bool pin_longterm(struct cmasim_sim *sim, struct slot *s)
{
	struct cmasim_migrate_stats st = { 0 };
	uint32_t count;
	uint64_t *pfns = slot_pfns(s, &count);
	bool ok = true;

	for (uint32_t i = 0; ok && i < count; i++)
		ok = pfns[i] == GONE || !cmasim_migrate_for_longterm_pin(sim->mem, pfns[i], &st);
	cmasim_charge(sim, CMASIM_COST_MIGRATION, st.cost_ns);
	sim->r->pin_migrated_pages += st.migrated;
	if (!ok) {
		sim->r->pin_failed_pages += (uint64_t)count << s->order;
		return false;
	}
	for (uint32_t i = 0; i < count; i++)
		if (pfns[i] != GONE)
			cmasim_set_pinned(sim->mem, pfns[i], true);
	return true;
}

/*
 * The page-cache LRU: FILE slots in the order they were allocated. An
 * entry whose slot has been freed or reused since is stale and skipped:
 * its generation, kept beside the slots so that they stay small, differs.
 */
static uint32_t *slot_gen(struct cmasim_sim *sim, uint32_t id)
{
	return &g_array_index(by_id(sim->gens, id), uint32_t, id);
}

static void lru_add(struct cmasim_sim *sim, uint32_t id, uint32_t gen)
{
	uint64_t entry = (uint64_t)id << 32 | gen;

	g_array_append_val(sim->file_lru, entry);
}

/* SWAP_CLUSTER_MAX: the pages one reclaim pass aims for */
#define SWAP_CLUSTER_MAX 32

/*
 * shrink_inactive_list() of clean page cache, oldest first: drops the
 * next blocks of the oldest unpinned FILE slot, SWAP_CLUSTER_MAX pages'
 * worth or what it has left (a pinned one goes back to the tail, as
 * putback_lru_page() does with what it could not reclaim). Returns the
 * pages dropped; 0 when nothing on the LRU can be.
 */
static uint64_t lru_reclaim_one(struct cmasim_sim *sim)
{
	/* the initial state's page cache is older than anything the trace allocates */
	uint64_t dropped = sim->initial ? cmasim_state_reclaim(sim->initial, sim->mem,
								 SWAP_CLUSTER_MAX) : 0;

	if (dropped)
		return dropped;
	for (guint tries = sim->file_lru->len - sim->lru_head; tries; tries--) {
		uint64_t entry = g_array_index(sim->file_lru, uint64_t, sim->lru_head);
		uint32_t id = (uint32_t)(entry >> 32), gen = (uint32_t)entry, count;
		struct slot *s = slot_get(sim, id);
		uint64_t *pfns = slot_pfns(s, &count), pages = 0;
		bool live = count && s->owner == CMASIM_OWNER_FILE && *slot_gen(sim, id) == gen;
		/* a single block has no place to keep how far reclaim went: it goes whole */
		uint32_t *next = s->kind == SLOT_BLOCKS ? &s->blocks->lru_next : &(uint32_t){ 0 };

		if (live && !s->pins) {
			for (; *next < count && pages < SWAP_CLUSTER_MAX; ++*next) {
				if (pfns[*next] == GONE)
					continue;
				cmasim_free_pages(sim->mem, pfns[*next]);
				pfns[*next] = GONE;
				pages += UINT64_C(1) << s->order;
			}
			evicted(sim, pages);
			if (*next < count)
				return pages;
		}
		sim->lru_head++;
		if (live && s->pins)
			lru_add(sim, id, gen);
		/* the queue's consumed half goes at once, so popping costs O(1) amortized */
		if (sim->lru_head > 4096 && sim->lru_head * 2 > sim->file_lru->len) {
			g_array_remove_range(sim->file_lru, 0, sim->lru_head);
			sim->lru_head = 0;
		}
		if (pages)
			return pages;
	}
	return 0;
}

/*
 * kswapd (balance_pgdat()): woken by an allocation below the low watermark
 * or a boost, it drops clean page cache until the node is balanced and, when
 * watermarks were boosted, at least the boost; anonymous memory has no swap
 * to go to. It runs at once, outside any request's time.
 */
static void kswapd(struct cmasim_sim *sim)
{
	uint64_t boost = cmasim_mem_boost(sim->mem), reclaimed = 0, pages = 1;

	sim->r->kswapd_runs++;
	while (pages && (reclaimed < boost || !cmasim_mem_balanced(sim->mem))) {
		pages = lru_reclaim_one(sim);
		reclaimed += pages;
	}
	sim->r->kswapd_reclaimed_pages += reclaimed;
	cmasim_mem_kswapd_done(sim->mem);
}

/* The owner alloc @rec names, or its migratetype's default when it names none. */
static unsigned int rec_owner(const struct cmasim_record *rec)
{
	unsigned int owner = (rec->c & CMASIM_REC_OWNER_MASK) >> CMASIM_REC_OWNER_SHIFT;

	return owner ? owner - 1 : mm_default_owner(rec->a);
}

/* An alloc without an id: a block at a pfn, known by it (state.h). */
static void do_pfn_alloc(struct cmasim_sim *sim, const struct cmasim_record *rec)
{
	int ret = cmasim_pfn_alloc(sim->mem, rec->x, rec->b, rec->a, rec_owner(rec),
				   &sim->r->pfn_mismatched_pages);

	if (ret == -EINVAL)
		fail(sim, "alloc of order %u at pfn %#" PRIx64 " failed: it is not inside one zone",
		     rec->b, rec->x);
	else if (ret)
		sim->r->pfn_mismatched_pages += UINT64_C(1) << rec->b;
	else
		sim->r->bg_alloc_pages += UINT64_C(1) << rec->b;
}

/*
 * One try of a background allocation of @rec's order and type: the free
 * lists, then, if @compact, direct compaction and the free lists again.
 * False when it got nothing.
 */
static bool bg_try(struct cmasim_sim *sim, const struct cmasim_record *rec,
		   enum cmasim_zone_type highest, bool compact, uint64_t *pfn)
{
	if (!cmasim_alloc_pages(sim->mem, rec->b, rec->a, highest, pfn))
		return true;
	return compact && cmasim_sim_compact_for(sim, rec->b, rec->a, highest) &&
	       !cmasim_alloc_pages(sim->mem, rec->b, rec->a, highest, pfn);
}

/*
 * Background page allocations: GFP_HIGHUSER_MOVABLE for movable, GFP_KERNEL
 * otherwise. However many blocks are asked for, no more than the machine
 * holds are tried, and none after the first that fails even after direct
 * reclaim: nothing else frees memory in between, so each would fail as
 * that one did.
 */
static void do_alloc(struct cmasim_sim *sim, const struct cmasim_record *rec)
{
	enum cmasim_zone_type highest = rec->a == CMASIM_MT_MOVABLE ? CMASIM_ZONE_MOVABLE
								    : CMASIM_ZONE_NORMAL;
	struct slot *s = slot_get(sim, rec->id);
	uint64_t fit = (sim->cfg->mem_size >> sim->cfg->page_shift) >> rec->b;
	uint32_t nr = (uint32_t)MIN(rec->y, fit), count = 0;
	uint64_t *pfns = &s->pfn;

	*s = (struct slot){ .kind = nr > 1 ? SLOT_BLOCKS : SLOT_PAGE, .order = rec->b };
	/* devs stays empty, every slot's 0, until an alloc or pin names a device: a miss saved */
	if (rec->dev || sim->devs->len)
		*slot_dev(sim, rec->id) = (uint8_t)rec->dev;
	if (nr > 1) {
		s->blocks = g_malloc(sizeof(*s->blocks) + nr * sizeof(s->blocks->pfn[0]));
		s->blocks->lru_next = 0;
		pfns = s->blocks->pfn;
	}
	if (rec->c & CMASIM_REC_AT_PFN) {
		int ret = cmasim_alloc_pages_at(sim->mem, rec->x, rec->b, rec->a);

		if (ret) {
			fail(sim, "alloc of order %u at pfn %#" PRIx64 " failed: %s", rec->b,
			     rec->x, ret == -EBUSY ? "its pages are not all free"
						   : "it is not inside one zone");
			return;
		}
		pfns[count++] = rec->x;
	} else {
		/*
		 * __alloc_pages_slowpath(): a block of an order above
		 * PAGE_ALLOC_COSTLY_ORDER compacts once before it reclaims
		 * (6.1); then __alloc_pages_direct_reclaim() drops page cache
		 * and tries again. The compaction that follows reclaim in the
		 * kernel is not modelled: one run a block bounds the cost.
		 */
		while (count < nr) {
			bool compact = rec->b > PCP_MAX_ORDER;
			uint64_t dropped = 1;

			while (!bg_try(sim, rec, highest, compact, &pfns[count]) &&
			       (dropped = lru_reclaim_one(sim))) {
				sim->r->direct_reclaimed_pages += dropped;
				compact = false;
			}
			if (!dropped)
				break;
			count++;
		}
	}
	if (nr > 1)
		s->blocks->count = count;
	else
		s->held = (uint8_t)count;
	s->owner = (uint8_t)rec_owner(rec);
	if (s->owner == CMASIM_OWNER_FILE) {
		*slot_gen(sim, rec->id) = ++sim->gen;
		lru_add(sim, rec->id, sim->gen);
		if (count && sim->policy->page_cache_read)
			sim->policy->page_cache_read(sim, sim->priv, (uint64_t)count << rec->b);
	}
	/* pinned as allocated, in place: short-term GUP or one that escapes FOLL_LONGTERM */
	for (uint32_t i = 0; i < count; i++) {
		mm_set_owner(sim->mem, (uint32_t)(pfns[i] - sim->mem->base_pfn), s->owner, rec->id,
			     i);
		if (rec->c & CMASIM_REC_PIN)
			cmasim_set_pinned(sim->mem, pfns[i], true);
	}
	s->pins = rec->c & CMASIM_REC_PIN ? 1 : 0;
	sim->r->bg_alloc_pages += (uint64_t)count << rec->b;
	if (rec->b > PCP_MAX_ORDER) {
		sim->r->bg_order[rec->b].requests += rec->y;
		sim->r->bg_order[rec->b].ok += count;
	}
	/* the one figure an event can raise by more than the machine holds */
	if (__builtin_add_overflow(sim->r->bg_alloc_failed_pages,
				   (uint64_t)(rec->y - count) << rec->b,
				   &sim->r->bg_alloc_failed_pages))
		fail(sim, "bg_alloc_failed_pages passes 2^64 - 1 (expected fewer pages asked for)");
}

/*
 * Pins: a pinned block cannot be migrated. A long-term pin moves its
 * blocks first (pin_longterm()); a short-term one (longterm: false, as
 * O_DIRECT pins) leaves them where they are.
 */
static void do_pin(struct cmasim_sim *sim, const struct cmasim_record *rec, bool pin)
{
	struct slot *s = slot_get(sim, rec->id);
	uint32_t count;
	uint64_t *pfns = slot_pfns(s, &count);

	if ((s->kind != SLOT_PAGE && s->kind != SLOT_BLOCKS) || (!pin && !s->pins))
		return;
	/* a driver pinning pages makes them its own: a GPU pinning its buffers' backing pages */
	if (rec->dev)
		*slot_dev(sim, rec->id) = (uint8_t)rec->dev;
	/* only the first pin and the last unpin change the pages */
	if (pin && !s->pins) {
		if (rec->c & CMASIM_REC_SHORTTERM) {
			for (uint32_t i = 0; i < count; i++)
				if (pfns[i] != GONE)
					cmasim_set_pinned(sim->mem, pfns[i], true);
		} else if (!pin_longterm(sim, s)) {
			return;
		}
	}
	s->pins += pin ? 1 : (uint32_t)-1;
	if (!pin && !s->pins)
		for (uint32_t i = 0; i < count; i++)
			if (pfns[i] != GONE)
				cmasim_set_pinned(sim->mem, pfns[i], false);
}

static void do_free(struct cmasim_sim *sim, const struct cmasim_record *rec)
{
	if (rec->c & CMASIM_REC_AT_PFN) {
		sim->r->bg_free_pages += cmasim_pfn_free(sim->mem, rec->x, rec->b,
							 &sim->r->pfn_mismatched_pages);
		return;
	}
	struct slot *s = slot_get(sim, rec->id);
	uint32_t count;
	uint64_t *pfns = slot_pfns(s, &count), freed = 0;

	for (uint32_t i = 0; i < count; i++) {
		if (pfns[i] == GONE)
			continue;
		cmasim_free_pages(sim->mem, pfns[i]);
		freed += UINT64_C(1) << s->order;
	}
	sim->r->bg_free_pages += freed;
	/* a workload frees page cache as the kernel's reclaim would evict it */
	if (s->owner == CMASIM_OWNER_FILE)
		evicted(sim, freed);
	slot_clear(s);
}

/*
 * echo 1 > /proc/sys/vm/drop_caches: every clean page-cache block that is
 * not pinned is dropped. Walks the trace's allocations, not the frames.
 */
static void do_drop_caches(struct cmasim_sim *sim)
{
	if (sim->initial)
		sim->r->reclaimed_pages += cmasim_state_reclaim(sim->initial, sim->mem, UINT64_MAX);
	for (guint id = 0; id < sim->slots->len; id++) {
		struct slot *s = &g_array_index(sim->slots, struct slot, id);
		uint32_t count;
		uint64_t *pfns = slot_pfns(s, &count);

		if (!count || s->owner != CMASIM_OWNER_FILE || s->pins)
			continue;
		uint64_t dropped = 0;

		for (uint32_t i = 0; i < count; i++) {
			if (pfns[i] == GONE)
				continue;
			cmasim_free_pages(sim->mem, pfns[i]);
			pfns[i] = GONE;
			dropped += UINT64_C(1) << s->order;
		}
		sim->r->reclaimed_pages += dropped;
		evicted(sim, dropped);
	}
}

/*
 * Whether an atomic request of @device goes to the atomic pool: ARM's
 * __dma_alloc() picks the pool allocator for a non-coherent device when the
 * caller cannot block; a coherent one gets plain pages from the policy.
 */
static bool from_atomic_pool(const struct cmasim_sim *sim, uint32_t device, bool atomic)
{
	return atomic && !sim->cfg->devices[device].coherent;
}

/*
 * atomic_pool_init(): coherent_pool= bytes of lowmem taken in one block and
 * mapped uncached. Set up at the first atomic request rather than at boot,
 * so that runs with none keep the memory they had. NULL when it is empty
 * or could not be had.
 */
static struct cmasim_pagepool *atomic_pool(struct cmasim_sim *sim)
{
	uint64_t pages = cmasim_bytes_to_pages(sim->cfg, sim->cfg->atomic_pool_size);
	unsigned int order = cmasim_pages_order(pages);
	uint64_t pfn;

	if (sim->atomic_tried)
		return sim->atomic;
	sim->atomic_tried = true;
	if (!pages || order > sim->cfg->max_page_order ||
	    cmasim_alloc_pages(sim->mem, order, CMASIM_MT_UNMOVABLE,
			       cmasim_config_lowmem_zone(sim->cfg), &pfn))
		return NULL;
	sim->atomic_map = (struct cmasim_dma_buffer){ .pfn = pfn, .nr_pages = pages };
	if (cmasim_sim_remap(sim, &sim->atomic_map, CMASIM_ATTR_UNCACHED)) {
		cmasim_free_pages(sim->mem, pfn);
		return NULL;
	}
	sim->atomic = cmasim_pagepool_new(pfn, pages);
	return sim->atomic;
}

/*
 * __alloc_from_pool(): @req's buffer from the atomic pool, first fit
 * aligned to its own order (gen_pool_first_fit_order_align), cleared
 * through the pool's uncached mapping.
 */
static enum cmasim_dma_status atomic_alloc(struct cmasim_sim *sim,
					   const struct cmasim_dma_request *req,
					   struct cmasim_dma_buffer *buf)
{
	uint64_t pages = cmasim_bytes_to_pages(sim->cfg, req->size);
	uint64_t pfn;

	cmasim_charge(sim, CMASIM_COST_BUDDY, sim->cfg->costs.buddy_op_ns);
	if (!sim->atomic ||
	    cmasim_pagepool_alloc(sim->atomic, pages, cmasim_pages_order(pages), &pfn))
		return CMASIM_DMA_ATOMIC_POOL_EMPTY;
	buf->pfn = pfn;
	buf->nr_pages = pages;
	buf->va = sim->atomic_map.va + ((pfn - sim->atomic_map.pfn) << sim->cfg->page_shift);
	buf->mapping = sim->atomic_map.mapping;
	cmasim_sim_zero(sim, buf, CMASIM_ZERO_UNCACHED);
	return CMASIM_DMA_OK;
}

/* Starts (@on) or stops the coherence model's tracking of @buf's frames, run by run. */
static void track(struct cmasim_sim *sim, const struct cmasim_dma_buffer *buf, bool on)
{
	uint64_t n;

	for (uint64_t i = 0; i < buf->nr_pages; i += n) {
		uint64_t pfn = buffer_run(buf, i, &n);

		if (on)
			cmasim_coherence_track(sim->machine.coh, pfn, n);
		else
			cmasim_coherence_untrack(sim->machine.coh, pfn, n);
	}
}

/* Whether @buf came from the atomic pool. */
static bool in_atomic_pool(const struct cmasim_sim *sim, const struct cmasim_dma_buffer *buf)
{
	return sim->atomic && buf->pfn >= sim->atomic_map.pfn &&
	       buf->pfn < sim->atomic_map.pfn + sim->atomic_map.nr_pages;
}

/* Gives back @buf: to the atomic pool (__free_from_pool()) or the policy. */
static void release_buffer(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	sim->dma_bytes -= buf->nr_pages << sim->cfg->page_shift;
	sim->dma_waste -= (buf->nr_pages << sim->cfg->page_shift) - buf->size;
	track(sim, buf, false);
	if (in_atomic_pool(sim, buf)) {
		cmasim_pagepool_release(sim->atomic, buf->pfn, buf->nr_pages);
		cmasim_charge(sim, CMASIM_COST_BUDDY, sim->cfg->costs.buddy_op_ns);
	} else {
		sim->policy->dma_free(sim, sim->priv, buf);
	}
}

/*
 * Serves @w, which has waited @waited ns for the CMA mutex; its latency
 * is the wait and what serving it charged. The buffer goes to slot
 * @w->id, or back at once when the request was cancelled.
 */
static void serve_dma_alloc(struct cmasim_sim *sim, const struct dma_wait *w, uint64_t waited)
{
	struct cmasim_results *r = sim->r;
	const struct cmasim_dma_request *req = &w->req;
	unsigned int class = MIN(cmasim_pages_order(cmasim_bytes_to_pages(sim->cfg, req->size)),
				 CMASIM_NR_SIZE_CLASSES - 1);
	bool pool = from_atomic_pool(sim, req->device, req->atomic);
	struct cmasim_dma_buffer buf = { .device = req->device, .size = req->size };
	struct cmasim_device_stats *dev = &r->devices[req->device];
	uint64_t retries = r->contig_retries;

	/* setting the pool up is boot work, in no request's latency */
	if (pool)
		atomic_pool(sim);
	sim->charged = 0;
	reqlog_begin(sim->log, cmasim_eventq_now(sim->q), w->asked_ns, req->device,
		     w->name ? w->name : reqlog_lines(sim->log)
		     ? cmasim_trace_slot_name(sim->trace, w->id) : NULL);
	if (waited)
		cmasim_charge(sim, CMASIM_COST_MUTEX_WAIT, waited);
	enum cmasim_dma_status status = pool ? atomic_alloc(sim, req, &buf)
					     : sim->policy->dma_alloc(sim, sim->priv, req, &buf);

	reqlog_end(sim->log, req, status, &buf, sim->charged);

	/* a failure's time is kept apart, so that failing fast never looks like serving fast */
	cmasim_hist_add(status == CMASIM_DMA_OK ? &r->latency : &r->fail_latency, sim->charged);
	if (status == CMASIM_DMA_OK)
		cmasim_hist_add(&dev->latency, sim->charged);
	dev->busy_retries += r->contig_retries - retries;
	r->dma_requests++;
	dev->requests++;
	r->size_class[class].requests++;
	if (class <= r->max_order)
		r->requested_orders |= UINT32_C(1) << class;
	if (!w->cancelled)
		slot_get(sim, w->id)->kind = SLOT_EMPTY;
	if (status != CMASIM_DMA_OK) {
		r->dma_failed[status]++;
		dev->failed[status]++;
		return;
	}
	/* a new buffer's memory holds new data, whatever the cache still holds */
	track(sim, &buf, true);
	r->dma_ok++;
	dev->ok++;
	r->size_class[class].ok++;
	sim->dma_bytes += buf.nr_pages << sim->cfg->page_shift;
	sim->dma_waste += (buf.nr_pages << sim->cfg->page_shift) - buf.size;
	r->dma_bytes_peak = MAX(r->dma_bytes_peak, sim->dma_bytes);
	r->dma_waste_bytes_peak = MAX(r->dma_waste_bytes_peak, sim->dma_waste);
	if (w->cancelled)
		release_buffer(sim, &buf);
	else
		*slot_get(sim, w->id) = (struct slot){ .kind = SLOT_DMA,
						       .buf = store(sim->bufs, sim->free_bufs, &buf) };
}

static void mutex_release(struct cmasim_eventq *q, void *arg, uint64_t data)
{
	struct cmasim_sim *sim = arg;

	(void)q;
	(void)data;
	cmasim_resource_release(sim->cma_mutex);
}

/* The CMA mutex is waits[@i]'s: serve it, and hold the mutex as long as that took. */
static void mutex_granted(struct cmasim_eventq *q, void *arg, uint64_t i)
{
	struct cmasim_sim *sim = arg;
	uint64_t now = cmasim_eventq_now(q);
	struct dma_wait w = g_array_index(sim->waits, struct dma_wait, i);
	uint32_t done = (uint32_t)i;
	uint64_t waited = now - w.asked_ns, until;

	g_array_index(sim->waits, struct dma_wait, i).name = NULL;	/* w owns it now */
	g_array_append_val(sim->free_waits, done);
	serve_dma_alloc(sim, &w, waited);
	g_free(w.name);
	/* the charges past the wait are the time the request held the mutex */
	if (__builtin_add_overflow(now, sim->charged - MIN(waited, sim->charged), &until)) {
		fail(sim, "the CMA mutex would be released after the largest time "
		     "(expected requests that end by 2^64 - 1 ns)");
		until = UINT64_MAX;
	}
	cmasim_eventq_push(q, until, mutex_release, sim, 0);
}

static void do_dma_alloc(struct cmasim_sim *sim, const struct cmasim_record *rec)
{
	struct slot *s = slot_get(sim, rec->id);
	struct dma_wait w = {
		.id = rec->id,
		.asked_ns = rec->time_ns,
		.req = { .device = rec->a, .size = rec->x, .align = rec->b,
			 .atomic = rec->c & CMASIM_REC_ATOMIC },
	};
	uint32_t i;

	/* the pool does not take the CMA mutex: an atomic caller cannot sleep on it */
	if (!sim->policy->serialized || from_atomic_pool(sim, w.req.device, w.req.atomic)) {
		serve_dma_alloc(sim, &w, 0);
		return;
	}
	/* the trace moves on while it waits, and may give its id another name */
	if (reqlog_lines(sim->log))
		w.name = g_strdup(cmasim_trace_slot_name(sim->trace, rec->id));
	i = store(sim->waits, sim->free_waits, &w);
	*s = (struct slot){ .kind = SLOT_DMA_WAITING, .wait = i };
	cmasim_resource_acquire(sim->cma_mutex, mutex_granted, sim, i);
}

static void do_dma_free(struct cmasim_sim *sim, const struct cmasim_record *rec)
{
	struct slot *s = slot_get(sim, rec->id);

	if (s->kind == SLOT_DMA_WAITING) {
		g_array_index(sim->waits, struct dma_wait, s->wait).cancelled = true;
	} else if (s->kind == SLOT_DMA) {
		/* a buffer whose allocation failed is freed as the driver would not: quietly */
		release_buffer(sim, buf_at(sim, s->buf));
		g_array_append_val(sim->free_bufs, s->buf);
	}
	s->kind = SLOT_EMPTY;
}

/* The device reads (@to_device) or writes the first @bytes of @buf, run by run. */
static void transfer(struct cmasim_sim *sim, const struct cmasim_dma_buffer *buf, uint64_t bytes,
		     bool to_device, bool coherent)
{
	unsigned int shift = sim->cfg->page_shift;
	uint64_t n;

	for (uint64_t i = 0; i < buf->nr_pages && (i << shift) < bytes; i += n) {
		uint64_t pfn = buffer_run(buf, i, &n);

		machine_dma(&sim->machine, buf->va + (i << shift), pfn,
			    MIN(n << shift, bytes - (i << shift)), to_device, coherent);
	}
}

/* A transfer: the policy's cache maintenance around it (dma_sync_single_*). */
static void do_dma(struct cmasim_sim *sim, const struct cmasim_record *rec)
{
	struct slot *s = slot_get(sim, rec->id);

	if (s->kind != SLOT_DMA)
		return;
	struct cmasim_dma_buffer *buf = buf_at(sim, s->buf);
	bool coherent = sim->cfg->devices[rec->a].coherent;
	uint64_t bytes = MIN(rec->x, buf->nr_pages << sim->cfg->page_shift);
	/* dma_direct skips maintenance for a snooping device; an uncached buffer needs none */
	bool sync = !coherent && !dmamap_noncached(buf);

	/* dma_sync_single_for_device() comes before every transfer, whatever its direction */
	if (sync && sim->policy->sync_for_device)
		sim->policy->sync_for_device(sim, sim->priv, buf, rec->b, bytes);
	if (rec->b != CMASIM_DMA_FROM_DEVICE)
		transfer(sim, buf, bytes, true, coherent);
	if (rec->b != CMASIM_DMA_TO_DEVICE)
		transfer(sim, buf, bytes, false, coherent);
	if (sync && rec->b != CMASIM_DMA_TO_DEVICE && sim->policy->sync_for_cpu)
		sim->policy->sync_for_cpu(sim, sim->priv, buf, rec->b, bytes);
}

/* CPU accesses to a buffer through the mapping its policy gave it, or to a region. */
static void do_cpu(struct cmasim_sim *sim, const struct cmasim_record *rec)
{
	uint64_t va = 0, len = 0;

	if (rec->a == CMASIM_CPU_BUFFER) {
		struct slot *s = slot_get(sim, rec->id);

		if (s->kind != SLOT_DMA)
			return;
		va = buf_at(sim, s->buf)->va;
		len = buf_at(sim, s->buf)->size;
	}
	machine_cpu(sim, rec, va, len);
}

static void apply(struct cmasim_sim *sim, const struct cmasim_record *rec)
{
	switch ((enum cmasim_op)rec->op) {
	case CMASIM_OP_ALLOC:
		if (rec->c & CMASIM_REC_NO_ID)
			do_pfn_alloc(sim, rec);
		else
			do_alloc(sim, rec);
		break;
	case CMASIM_OP_FREE:
		do_free(sim, rec);
		break;
	case CMASIM_OP_DMA_ALLOC:
		do_dma_alloc(sim, rec);
		break;
	case CMASIM_OP_DMA_FREE:
		do_dma_free(sim, rec);
		break;
	case CMASIM_OP_DMA:
		do_dma(sim, rec);
		break;
	case CMASIM_OP_SAMPLE:
		samplers_row(sim, rec->time_ns);
		break;
	case CMASIM_OP_PIN:
	case CMASIM_OP_UNPIN:
		do_pin(sim, rec, rec->op == CMASIM_OP_PIN);
		break;
	case CMASIM_OP_DROP_CACHES:
		do_drop_caches(sim);
		break;
	case CMASIM_OP_COMPACT:
		/* echo 1 > /proc/sys/vm/compact_memory, or one zone for one order */
		for (unsigned int z = 0; z < sim->cfg->nr_zones; z++)
			if (rec->a == CMASIM_REC_ANY || rec->a == z)
				cmasim_sim_compact(sim, z, rec->b == CMASIM_REC_ANY ? -1 : rec->b);
		break;
	case CMASIM_OP_CPU:
		do_cpu(sim, rec);
		break;
	case CMASIM_NR_OPS:
		break;
	}
}

/* Marks the pageblocks of [@pfn, @pfn + @pages) in @map as @state. */
static void map_mark(const struct cmasim_sim *sim, char *map, uint64_t pfn, uint64_t pages,
		     char state)
{
	const struct cmasim_mem *mem = sim->mem;

	if (!pages)
		return;
	for (uint64_t b = (pfn - mem->base_pfn) >> mem->pb_order;
	     b <= (pfn + pages - 1 - mem->base_pfn) >> mem->pb_order; b++)
		map[b] = state;
}

/*
 * A map row: each pageblock's state at @time_ns, from its counters, then
 * the RAM the kernel reserved, what the policies reserved, pinned blocks
 * and device buffers over them, the later the stronger; O(pageblocks +
 * reservations + slots), no frame walked.
 */
static void map_row(struct cmasim_sim *sim, uint64_t time_ns)
{
	const struct cmasim_mem *mem = sim->mem;
	uint32_t nr = mem->nr_frames >> mem->pb_order;
	g_autofree char *map = g_malloc(nr + 1);

	for (uint32_t b = 0; b < nr; b++) {
		const struct pageblock *pb = &mem->pageblocks[b];

		map[b] = pb->absent ? 'H'
			 : pb->nr_alloc[CMASIM_MT_UNMOVABLE] || pb->nr_alloc[CMASIM_MT_RECLAIMABLE] ? 'U'
			 : pb->nr_alloc[CMASIM_MT_MOVABLE] ? 'M' : 'F';
	}
	/* PageReserved RAM (kernel image, firmware, the memmap) is the kernel's, for good */
	for (unsigned int i = 0; i < sim->cfg->nr_reserved; i++)
		map_mark(sim, map, sim->cfg->reserved[i].start >> sim->cfg->page_shift,
			 sim->cfg->reserved[i].size >> sim->cfg->page_shift, 'U');
	for (guint i = 0; i < sim->reserved->len; i++) {
		const struct pfn_range *r = &g_array_index(sim->reserved, struct pfn_range, i);

		map_mark(sim, map, r->pfn, r->pages, 'R');
	}
	if (sim->atomic)
		map_mark(sim, map, sim->atomic_map.pfn, sim->atomic_map.nr_pages, 'R');
	for (guint id = 0; id < sim->slots->len; id++) {
		struct slot *s = &g_array_index(sim->slots, struct slot, id);
		uint32_t count;
		uint64_t *pfns = slot_pfns(s, &count);

		for (uint32_t i = 0; s->pins && i < count; i++)
			if (pfns[i] != GONE)
				map_mark(sim, map, pfns[i], UINT64_C(1) << s->order, 'P');
		if (s->kind == SLOT_DMA) {
			const struct cmasim_dma_buffer *buf = buf_at(sim, s->buf);
			uint64_t n;

			for (uint64_t i = 0; i < buf->nr_pages; i += n) {
				uint64_t pfn = buffer_run(buf, i, &n);

				map_mark(sim, map, pfn, n, 'D');
			}
		}
	}
	for (uint32_t b = 0; b < nr; b++)
		if (mem->pageblocks[b].absent)
			map[b] = 'H';
	map[nr] = 0;
	fprintf(sim->samplers[MAP].out, "%" PRIu64 ",%s\n", time_ns, map);
}

/* Fills the end-of-run fragmentation figures of every zone. */
static void collect_zones(struct cmasim_sim *sim)
{
	struct cmasim_results *r = sim->r;

	r->nr_zones = cmasim_mem_nr_zones(sim->mem);
	r->zones = g_new0(struct cmasim_zone_stats, r->nr_zones);
	for (unsigned int z = 0; z < r->nr_zones; z++) {
		struct cmasim_zone_stats *zs = &r->zones[z];
		struct cmasim_zone_info zi;

		cmasim_mem_zone_info(sim->mem, z, &zi);
		zs->type = zi.type;
		zs->free_pages = zi.nr_free;
		zs->cma_pages = zi.nr_cma;
		zs->cma_free_pages = zi.nr_free_cma;
		zs->cma_movable_pages = zi.nr_cma_movable;
		for (unsigned int o = 0; o <= r->max_order; o++) {
			struct cmasim_frag frag;

			for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
				zs->free_blocks[o] += cmasim_zone_nr_free_blocks(sim->mem, z, o, t);
			cmasim_zone_frag(sim->mem, z, o, &frag);
			zs->unusable_index[o] = frag.unusable_index;
			zs->extfrag_index[o] = frag.extfrag_index;
			zs->unusable_index_no_cma[o] = frag.unusable_index_no_cma;
			zs->extfrag_index_no_cma[o] = frag.extfrag_index_no_cma;
			/* the same at every order */
			zs->largest_free_order = frag.largest_order;
		}
		zs->mixed_pageblocks = zone_mixed(sim, z);
	}
}

static struct cmasim_results *results_new(const struct cmasim_config *cfg,
					  const struct cmasim_trace *trace,
					  const struct cmasim_run_options *opts,
					  const char *const *settings)
{
	struct cmasim_results *r = g_new0(struct cmasim_results, 1);

	r->policy = g_strdup(opts->policy->name);
	r->machine = g_strdup(cfg->name);
	r->machine_sha256 = g_strdup(cfg->sha256);
	r->workload = g_strdup(cmasim_trace_info(trace)->name);
	r->settings = g_strjoinv(" ", (char **)settings);
	r->kernel = cfg->kernel->name;
	r->seed = opts->seed;
	r->max_order = cfg->max_page_order;
	r->nr_devices = cfg->nr_devices;
	r->devices = g_new0(struct cmasim_device_stats, MAX(cfg->nr_devices, 1));
	r->lowmem_bytes = cfg->lowmem_size;
	return r;
}

/*
 * --check-invariants checks what each event changed in the allocator, and
 * everything, the mappings included, every so many events and at the end:
 * a whole shipped workload under every policy stays a matter of minutes.
 */
#define FULL_CHECK_EVERY 4096

/* Checks the invariants after the record just applied, all of them if @full. */
static bool check_state(struct cmasim_sim *sim, bool full)
{
	g_autoptr(GString) why = g_string_new(NULL);

	if (cmasim_mem_check_changes(sim->mem, why) &&
	    (!full || (cmasim_mem_check_invariants(sim->mem, why) &&
		       cmasim_mmu_check_invariants(sim->machine.mmu, why))))
		return true;
	fail(sim, "invariant broken after this %s: %s", cmasim_op_name(sim->rec.op), why->str);
	return false;
}

/*
 * Records read ahead of the one applied. A replay waits on memory: the
 * slot a record names and the frame a free returns are anywhere in arrays
 * of megabytes. Read ahead, a record's slot is fetched AHEAD records
 * before it is applied, and a free's frame NEAR records before.
 */
#define AHEAD 16
#define NEAR 8

struct ahead {
	struct cmasim_record rec[AHEAD];
	unsigned int head, nr;		/* ring of the records read, not applied */
	int got;			/* what the last read returned */
	GError *error;			/* a bad record met ahead, for after the ones before it */
};

/*
 * Hints the cache to fetch what applying @rec will look at first; always
 * inline, or GCC drops the calls (see mm_prefetch_frame()).
 */
G_ALWAYS_INLINE
static inline void prefetch_slot(struct cmasim_sim *sim, const struct cmasim_record *rec)
{
	if (rec->id < sim->slots->len)
		__builtin_prefetch(&g_array_index(sim->slots, struct slot, rec->id));
}

/* The same for the frame a free of @rec's one block will look at, its slot fetched by now. */
G_ALWAYS_INLINE
static inline void prefetch_frame(struct cmasim_sim *sim, const struct cmasim_record *rec)
{
	const struct slot *s;

	if (rec->op != CMASIM_OP_FREE || rec->id >= sim->slots->len)
		return;
	s = &g_array_index(sim->slots, struct slot, rec->id);
	if (s->kind == SLOT_PAGE && s->held)
		mm_prefetch_frame(sim->mem, s->pfn);
}

/* Reads records into @a until it holds AHEAD, the trace ends, or the run's @max_events. */
static void read_ahead(struct cmasim_sim *sim, struct ahead *a, uint64_t max_events)
{
	while (a->got > 0 && a->nr < AHEAD &&
	       (!max_events || sim->r->events + a->nr < max_events)) {
		struct cmasim_record *rec = &a->rec[(a->head + a->nr) % AHEAD];

		a->got = cmasim_trace_next(sim->trace, rec, &a->error);
		if (a->got <= 0)
			return;
		prefetch_slot(sim, rec);
		a->nr++;
	}
}

/* Replays every record, or @max_events (0: all); false with sim->error set on bad input. */
static bool replay(struct cmasim_sim *sim, bool check_invariants, uint64_t max_events)
{
	struct ahead a = { .got = 1 };

	for (read_ahead(sim, &a, max_events); a.nr; read_ahead(sim, &a, max_events)) {
		if (a.nr > NEAR)
			prefetch_frame(sim, &a.rec[(a.head + NEAR) % AHEAD]);
		/* what is due before it runs first, its errors placed at it */
		sim->rec = a.rec[a.head];
		sim->rec_nr = sim->r->events + 1;
		a.head = (a.head + 1) % AHEAD;
		a.nr--;
		advance(sim, sim->rec.time_ns);
		if (sim->error)
			break;
		cmasim_eventq_set_now(sim->q, sim->rec.time_ns);
		sim->r->end_ns = sim->rec.time_ns;
		sim->r->events++;
		apply(sim, &sim->rec);
		if (sim->error)
			break;
		if (mm_kswapd_wanted(sim->mem))
			kswapd(sim);
		if (sim->progress && !(sim->r->events % CMASIM_PROGRESS_EVENTS))
			sim->progress(sim->progress_arg, sim->r->events, sim->rec.time_ns,
				      cmasim_trace_fraction_read(sim->trace));
		sim->r->free_bytes_min = MIN(sim->r->free_bytes_min,
					     mm_nr_free(sim->mem) << sim->cfg->page_shift);
		if (check_invariants && !check_state(sim, sim->r->events % FULL_CHECK_EVERY == 0))
			break;
	}
	/* a bad record ahead counts only once the ones before it ran well */
	if (sim->error || a.got < 0) {
		if (!sim->error)
			g_propagate_error(&sim->error, g_steal_pointer(&a.error));
		g_clear_error(&a.error);
		return false;
	}
	/* What the last records set in motion still runs. */
	for (uint64_t t; !sim->error && cmasim_eventq_peek(sim->q, &t);) {
		advance(sim, t);
		sim->r->end_ns = t;
	}
	return !sim->error && (!check_invariants || check_state(sim, true));
}

/*
 * Marks the error in @sim as the policy's refusal of the machine, which
 * compare tells from bad input; moves it to @error when that is not NULL.
 * Returns NULL, for the caller to return.
 */
static struct cmasim_results *policy_refused(struct cmasim_sim *sim, GError **error)
{
	sim->error->domain = CMASIM_ERROR;
	sim->error->code = CMASIM_ERROR_POLICY;
	g_prefix_error(&sim->error, "policy %s: ", sim->policy->name);
	if (error) {
		g_propagate_error(error, sim->error);
		sim->error = NULL;
	}
	return NULL;
}

struct cmasim_results *cmasim_run(const struct cmasim_config *cfg, struct cmasim_trace *trace,
				  const struct cmasim_run_options *opts, GError **error)
{
	g_return_val_if_fail(cfg && trace && opts && opts->policy, NULL);
	struct cmasim_param_values params;
	struct cmasim_sim sim = {
		.cfg = cfg,
		.trace = trace,
		.policy = opts->policy,
		.progress = opts->progress,
		.progress_arg = opts->progress_arg,
		.samplers = {
			[TIMELINE] = { opts->timeline, "timeline", timeline_row,
				       opts->timeline_interval_ns },
			[MAP] = { opts->map, "map", map_row, opts->map_interval_ns },
		},
	};
	struct cmasim_config *own = NULL;
	bool ok = false;

	g_auto(GStrv) settings = cmasim_policy_settings(opts->policy, cfg, opts->set);

	if (!cmasim_policy_check_machine(cfg, error) ||
	    !cmasim_policy_params(opts->policy, (const char *const *)settings, &params, error) ||
	    !cmasim_trace_start(trace, cfg, opts->seed, error))
		return NULL;
	if (opts->kernel && opts->kernel != cfg->kernel) {
		own = cmasim_config_dup(cfg);
		if (!cmasim_config_set_kernel(own, opts->kernel, error)) {
			cmasim_config_free(own);
			return NULL;
		}
		sim.cfg = cfg = own;
	}
	if (opts->policy->boot_params) {
		own = own ? own : cmasim_config_dup(cfg);
		if (opts->policy->boot_params(own, &params, &sim.error)) {
			cmasim_config_free(own);
			return policy_refused(&sim, error);
		}
		sim.cfg = cfg = own;
	}
	if (!cmasim_machine_check_host(cfg, opts->host_memory_limit, error)) {
		cmasim_config_free(own);
		return NULL;
	}
	sim.mem = cmasim_mem_new(cfg);
	if (!sim.mem) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT, "%s: the host cannot map the "
			    "frames of machine \"%s\" (expected a smaller machine)", cfg->source,
			    cfg->name);
		cmasim_config_free(own);
		return NULL;
	}
	cmasim_mem_set_moved_hook(sim.mem, block_moved, &sim);
	if (opts->check_invariants)
		cmasim_mem_track_changes(sim.mem);
	/* before the mappings, whose page tables the booted machine allocates after it */
	if ((cfg->initial && !(sim.initial = cmasim_state_load(sim.mem, error))) ||
	    !machine_init(&sim.machine, sim.mem, opts->seed, error)) {
		cmasim_state_free(sim.initial);
		cmasim_mem_free(sim.mem);
		cmasim_config_free(own);
		return NULL;
	}
	sim.q = cmasim_eventq_new();
	sim.machine.q = sim.q;
	sim.cma_mutex = cmasim_resource_new(sim.q);
	sim.slots = g_array_new(FALSE, TRUE, sizeof(struct slot));
	sim.reserved = g_array_new(FALSE, FALSE, sizeof(struct pfn_range));
	sim.bufs = g_array_new(FALSE, FALSE, sizeof(struct cmasim_dma_buffer));
	sim.free_bufs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	sim.gens = g_array_new(FALSE, TRUE, sizeof(uint32_t));
	sim.devs = g_array_new(FALSE, TRUE, sizeof(uint8_t));
	sim.file_lru = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	cmasim_mem_set_kswapd(sim.mem, true);
	sim.waits = g_array_new(FALSE, FALSE, sizeof(struct dma_wait));
	sim.free_waits = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	sim.r = results_new(cfg, trace, opts, (const char *const *)settings);
	sim.log = reqlog_new(cfg, trace, sim.r, sim.devs, opts->requests, opts->requests_json,
			     opts->kernel_log);
	cmasim_mem_set_contig_observer(sim.mem, reqlog_observer(sim.log));
	sim.r->free_bytes_min = cmasim_mem_nr_free(sim.mem) << cfg->page_shift;
	sim.r->managed_bytes = sim.r->free_bytes_min +
			       (sim.initial ? cmasim_state_pages(sim.initial) << cfg->page_shift : 0);
	if (opts->policy->init(&sim, &params, &sim.priv, &sim.error)) {
		policy_refused(&sim, NULL);
		goto out;
	}
	for (unsigned int i = 0; i < NR_SAMPLERS; i++) {
		sim.samplers[i].rows_left = opts->timeline_max_rows ? opts->timeline_max_rows
								    : CMASIM_TIMELINE_MAX_ROWS;
		sim.ticking |= sim.samplers[i].out && sim.samplers[i].interval;
	}
	if (opts->timeline)
		timeline_header(&sim);
	if (opts->map)
		fputs("time_ns,map\n", opts->map);
	ok = replay(&sim, opts->check_invariants, opts->max_events);
	if (ok)
		sim.r->workload_sha256 = g_strdup(cmasim_trace_sha256(trace));
	idle_settle(&sim, sim.r->end_ns);
	ok = ok && !sim.error;
	if (ok)
		samplers_row(&sim, sim.r->end_ns);
	collect_zones(&sim);
	machine_collect(&sim.machine, sim.r);
	if (!reqlog_finish(sim.log, sim.r) && ok) {
		g_set_error(&sim.error, CMASIM_ERROR, CMASIM_ERROR_IO, "writing the request or "
			    "kernel log: %s", g_strerror(errno));
		ok = false;
	}
	if (opts->policy->teardown)
		opts->policy->teardown(&sim, sim.priv);
	else
		g_free(sim.priv);
out:
	for (guint i = 0; i < sim.slots->len; i++)
		slot_clear(&g_array_index(sim.slots, struct slot, i));
	g_array_free(sim.slots, TRUE);
	g_array_free(sim.reserved, TRUE);
	g_array_free(sim.bufs, TRUE);
	g_array_free(sim.free_bufs, TRUE);
	g_array_free(sim.gens, TRUE);
	g_array_free(sim.devs, TRUE);
	g_array_free(sim.file_lru, TRUE);
	for (guint i = 0; i < sim.waits->len; i++)
		g_free(g_array_index(sim.waits, struct dma_wait, i).name);
	g_array_free(sim.waits, TRUE);
	reqlog_free(sim.log);
	g_array_free(sim.free_waits, TRUE);
	cmasim_pagepool_free(sim.atomic);
	cmasim_resource_free(sim.cma_mutex);
	cmasim_eventq_free(sim.q);
	machine_destroy(&sim.machine);
	cmasim_state_free(sim.initial);
	cmasim_mem_free(sim.mem);
	cmasim_config_free(own);
	if (!ok) {
		if (sim.error)
			g_propagate_error(error, sim.error);
		cmasim_results_free(sim.r);
		return NULL;
	}
	return sim.r;
}

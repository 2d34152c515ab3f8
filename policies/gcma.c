// SPDX-License-Identifier: GPL-2.0-only
/*
 * gcma: Guaranteed CMA (Park, Kim and Yeom, "GCMA: Guaranteed Contiguous
 * Memory Allocator", EWiLi 2015; the patch set of Minchan Kim and SeongJae
 * Park, mm/gcma.c). A range reserved at boot, out of the page allocator,
 * that lends its free frames only to discardable data: clean pages evicted
 * from the page cache, which cleancache puts there (cleancache_put_page()
 * as __delete_from_page_cache() lets a clean page go) and gives back to a
 * later read of the same page (cleancache_get_page()). An allocation drops
 * the copies its window holds instead of migrating anything: no LRU drain,
 * no isolation of movable pages, no copy; the price is that each dropped
 * page is read from storage when it is wanted again (a refault).
 *
 * What it follows: a put takes the lowest free frame
 * (gcma_alloc_page(): bitmap_find_next_zero_area() from 0) and, with none
 * free, replaces the oldest copy (the cleancache LRU's tail); a buffer is
 * cma_alloc()'s aligned first fit, allocated under cma_mutex as the patch
 * set's cma_alloc() runs gcma_alloc_contig() in place of
 * alloc_contig_range(), and each copy in its window is dropped at what
 * cma's drop of a clean page costs (reclaim_page_ns).
 *
 * What the trace cannot say: which file pages a read asks for. A share of
 * the workload's page-cache reads (reread=, percent, default 0) is taken
 * to read pages it evicted before, the most recent first: those the area
 * still holds are gets, copied back; the rest are ordinary reads.
 */
#include <string.h>

#include "policies.h"

enum {
	PARAM_SIZE,
	PARAM_BASE,
	PARAM_ALIGN_MAX,
	PARAM_REREAD,
};

static const struct cmasim_param gcma_params[] = {
	[PARAM_SIZE] = { "size", CMASIM_PARAM_SIZE, "0",
			 "size of the area; 0: the machine's shared cma: area's, or 16MiB" },
	[PARAM_BASE] = { "base", CMASIM_PARAM_SIZE, "0",
			 "physical address of the area; 0: where the machine's shared area is, "
			 "else the top of lowmem" },
	[PARAM_ALIGN_MAX] = { "align_max", CMASIM_PARAM_UINT, "8",
			      "largest alignment order a buffer gets (CONFIG_CMA_ALIGNMENT)" },
	[PARAM_REREAD] = { "reread", CMASIM_PARAM_UINT, "0",
			   "percent of page-cache reads that read again a page evicted before, "
			   "newest first: a cleancache get when the area still holds it" },
	{ NULL },
};

/* The bits of a 64-bit word */
#define WORD 64

struct gcma {
	struct cmasim_pagepool *pool;	/* which frames buffers hold */
	uint64_t base, nr;		/* the area: first frame, frames */
	uint64_t *free;			/* bit per frame: neither a buffer's nor a copy's */
	uint64_t free_from;		/* no free bit in the words below this one */
	uint8_t *copy;			/* per frame: 1 while it holds a cleancache copy */
	uint32_t *gen;			/* per frame: its copies so far, to tell stale LRU entries */
	GArray *lru;			/* uint64_t frame << 32 | gen, oldest put first */
	guint lru_head;			/* the oldest entry not yet consumed */
	uint64_t copies;		/* frames holding a copy */
	unsigned int align_max;
	unsigned int reread;		/* percent */
	uint64_t reread_rem;		/* reread x pages not yet a whole page, in hundredths */
};

static void set_free(struct gcma *g, uint64_t i, bool free)
{
	if (free) {
		g->free[i / WORD] |= UINT64_C(1) << (i % WORD);
		g->free_from = MIN(g->free_from, i / WORD);
	} else {
		g->free[i / WORD] &= ~(UINT64_C(1) << (i % WORD));
	}
}

/* Frames that hold nothing, for reserved_idle_page_ms: a copy is not idle, nor a buffer. */
static void report_idle(struct cmasim_sim *sim, const struct gcma *g)
{
	cmasim_sim_reserved_idle(sim, g->nr - cmasim_pagepool_used(g->pool) - g->copies);
}

/* Whether LRU entry @e still names a frame's live copy. */
static bool entry_live(const struct gcma *g, uint64_t e)
{
	uint64_t i = e >> 32;

	return g->copy[i] && g->gen[i] == (uint32_t)e;
}

/* Ends frame @i's copy: it holds nothing now, and its LRU entry goes stale. */
static void drop_copy(struct gcma *g, uint64_t i)
{
	g->copy[i] = 0;
	g->gen[i]++;
	g->copies--;
}

/* The oldest live copy's frame, taken off the LRU; the LRU must hold one. */
static uint64_t lru_pop_oldest(struct gcma *g)
{
	for (;;) {
		uint64_t e = g_array_index(g->lru, uint64_t, g->lru_head++);

		/* the consumed half goes at once, so popping costs O(1) amortized */
		if (g->lru_head > 4096 && g->lru_head * 2 > g->lru->len) {
			g_array_remove_range(g->lru, 0, g->lru_head);
			g->lru_head = 0;
		}
		if (entry_live(g, e))
			return e >> 32;
	}
}

/* The newest live copy's frame, taken off the LRU; the LRU must hold one. */
static uint64_t lru_pop_newest(struct gcma *g)
{
	for (;;) {
		uint64_t e = g_array_index(g->lru, uint64_t, g->lru->len - 1);

		g_array_set_size(g->lru, g->lru->len - 1);
		if (entry_live(g, e))
			return e >> 32;
	}
}

/* The lowest free frame, or UINT64_MAX when there is none. */
static uint64_t lowest_free(struct gcma *g)
{
	for (uint64_t w = g->free_from; w * WORD < g->nr; w++) {
		if (g->free[w]) {
			g->free_from = w;
			return w * WORD + (uint64_t)__builtin_ctzll(g->free[w]);
		}
	}
	g->free_from = (g->nr + WORD - 1) / WORD;
	return UINT64_MAX;
}

/* cleancache_put_page() of @pages evicted pages: the lowest free frames, else the oldest copies'. */
static void gcma_evicted(struct cmasim_sim *sim, void *priv, uint64_t pages)
{
	struct gcma *g = priv;
	uint64_t put = 0;

	/* more pages than the area holds would only replace each other */
	for (; put < MIN(pages, g->nr); put++) {
		uint64_t i = lowest_free(g), e;

		if (i == UINT64_MAX) {
			/* full: the oldest copy gives way, if buffers do not hold every frame */
			if (!g->copies)
				break;
			i = lru_pop_oldest(g);
			drop_copy(g, i);
		} else {
			set_free(g, i, false);
		}
		g->copy[i] = 1;
		g->copies++;
		e = i << 32 | g->gen[i];
		g_array_append_val(g->lru, e);
	}
	cmasim_sim_cleancache(sim, put, 0);
	report_idle(sim, g);
}

/* cleancache_get_page() for the re-read share of @pages read: the newest copies come back. */
static void gcma_read(struct cmasim_sim *sim, void *priv, uint64_t pages)
{
	struct gcma *g = priv;
	uint64_t want, got;

	g->reread_rem += pages * g->reread;
	want = g->reread_rem / 100;
	g->reread_rem %= 100;
	got = MIN(want, g->copies);
	for (uint64_t n = 0; n < got; n++) {
		uint64_t i = lru_pop_newest(g);

		drop_copy(g, i);
		set_free(g, i, true);
	}
	cmasim_sim_cleancache(sim, 0, got);
	report_idle(sim, g);
}

/* Reserves the area, empty: copies come only as the workload's page cache is evicted. */
static int gcma_init(struct cmasim_sim *sim, const struct cmasim_param_values *params,
		     void **priv, GError **error)
{
	uint64_t pfn, pages;

	if (policy_reserve(sim, "GCMA area", params->value[PARAM_SIZE], params->value[PARAM_BASE],
			   &pfn, &pages, error))
		return -1;

	struct gcma *g = g_new0(struct gcma, 1);

	g->pool = cmasim_pagepool_new(pfn, pages);
	g->base = pfn;
	g->nr = pages;
	g->free = g_new0(uint64_t, (pages + WORD - 1) / WORD);
	for (uint64_t i = 0; i < pages; i++)
		set_free(g, i, true);
	g->copy = g_new0(uint8_t, pages);
	g->gen = g_new0(uint32_t, pages);
	g->lru = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	g->align_max = (unsigned int)MIN(params->value[PARAM_ALIGN_MAX], 63);
	g->reread = (unsigned int)MIN(params->value[PARAM_REREAD], 100);
	*priv = g;
	report_idle(sim, g);
	return 0;
}

static void gcma_dma_free(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf)
{
	struct gcma *g = priv;

	cmasim_sim_unmap(sim, buf);
	cmasim_pagepool_release(g->pool, buf->pfn, buf->nr_pages);
	cmasim_charge(sim, CMASIM_COST_BUDDY, cmasim_sim_config(sim)->costs.buddy_op_ns);
	for (uint64_t i = buf->pfn - g->base; i < buf->pfn - g->base + buf->nr_pages; i++)
		set_free(g, i, true);
	report_idle(sim, g);
}

/*
 * gcma_alloc_contig(): a first-fit window aligned as the DMA API aligns;
 * the copies in it are dropped (no migration, no LRU drain) at what cma's
 * drop of a clean page costs, each a refault to come, and the buffer is
 * cleared and mapped as the cma policy maps its own, so the two differ in
 * allocation only.
 */
static enum cmasim_dma_status gcma_dma_alloc(struct cmasim_sim *sim, void *priv,
					     const struct cmasim_dma_request *req,
					     struct cmasim_dma_buffer *buf)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct gcma *g = priv;
	struct cmasim_contig_stats st = { 0 };
	enum cmasim_dma_status status = policy_pool_take(sim, g->pool, g->align_max, req, buf);

	if (status != CMASIM_DMA_OK)
		return status;
	for (uint64_t i = buf->pfn - g->base; i < buf->pfn - g->base + buf->nr_pages; i++) {
		if (g->copy[i]) {
			drop_copy(g, i);
			st.migrate.reclaimed++;
		}
		set_free(g, i, false);
	}
	st.migrate.cost_ns = st.migrate.reclaimed * cfg->costs.reclaim_page_ns;
	st.cost_ns = st.migrate.cost_ns;
	cmasim_charge_contig(sim, &st);
	report_idle(sim, g);
	if (policy_map_coherent(sim, buf)) {
		gcma_dma_free(sim, priv, buf);
		return CMASIM_DMA_NO_MEMORY;
	}
	return CMASIM_DMA_OK;
}

static void gcma_teardown(struct cmasim_sim *sim, void *priv)
{
	struct gcma *g = priv;

	(void)sim;
	cmasim_pagepool_free(g->pool);
	g_free(g->free);
	g_free(g->copy);
	g_free(g->gen);
	g_array_free(g->lru, TRUE);
	g_free(g);
}

const struct cmasim_policy_ops cmasim_policy_gcma = {
	.name = "gcma",
	.summary = "a reserved area holding only clean page cache evicted into it (cleancache), "
		   "dropped instead of migrated; costs refaults",
	.params = gcma_params,
	.serialized = true,
	.init = gcma_init,
	.dma_alloc = gcma_dma_alloc,
	.dma_free = gcma_dma_free,
	.page_cache_evicted = gcma_evicted,
	.page_cache_read = gcma_read,
	.teardown = gcma_teardown,
};

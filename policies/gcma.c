// SPDX-License-Identifier: GPL-2.0-only
/*
 * gcma: Guaranteed CMA (Park, Kim and Yeom, EWiLi 2015). A range reserved
 * at boot, out of the page allocator, that lends its free pages only to
 * discardable data: clean pages evicted from the page cache (cleancache).
 * An allocation drops what its window holds instead of migrating it, so it
 * needs no LRU drain, no isolation and no copy; the price is that every
 * dropped page is read back from storage later (a refault).
 */
#include <string.h>

#include "policies.h"

enum {
	PARAM_SIZE,
	PARAM_BASE,
	PARAM_ALIGN_MAX,
};

static const struct cmasim_param gcma_params[] = {
	[PARAM_SIZE] = { "size", CMASIM_PARAM_SIZE, "0",
			 "size of the area; 0: the machine's shared cma: area's, or 16MiB" },
	[PARAM_BASE] = { "base", CMASIM_PARAM_SIZE, "0",
			 "physical address of the area; 0: where the machine's shared area is, "
			 "else the top of lowmem" },
	[PARAM_ALIGN_MAX] = { "align_max", CMASIM_PARAM_UINT, "8",
			      "largest alignment order a buffer gets (CONFIG_CMA_ALIGNMENT)" },
	{ NULL },
};

struct gcma {
	struct cmasim_pagepool *pool;	/* which frames buffers hold */
	uint8_t *cached;		/* by frame of the area: 1 while it holds clean cache */
	unsigned int align_max;
};

/*
 * Reserves the area. It starts full of clean cache, as after a long uptime
 * has pushed evicted page-cache pages into it.
 */
static int gcma_init(struct cmasim_sim *sim, const struct cmasim_param_values *params,
		     void **priv, GError **error)
{
	uint64_t pfn, pages;

	if (policy_reserve(sim, "GCMA area", params->value[PARAM_SIZE], params->value[PARAM_BASE],
			   &pfn, &pages, error))
		return -1;

	struct gcma *g = g_new0(struct gcma, 1);

	g->pool = cmasim_pagepool_new(pfn, pages);
	g->cached = g_malloc(pages);
	memset(g->cached, 1, pages);
	g->align_max = (unsigned int)MIN(params->value[PARAM_ALIGN_MAX], 63);
	*priv = g;
	return 0;
}

static void gcma_dma_free(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf)
{
	struct gcma *g = priv;

	cmasim_sim_unmap(sim, buf);
	cmasim_pagepool_release(g->pool, buf->pfn, buf->nr_pages);
	cmasim_charge(sim, CMASIM_COST_BUDDY, cmasim_sim_config(sim)->costs.buddy_op_ns);
	/* the frames go back to cleancache, which fills them again */
	memset(g->cached + (buf->pfn - cmasim_pagepool_base_pfn(g->pool)), 1, buf->nr_pages);
}

/*
 * gcma_alloc_contig(): a first-fit window aligned as the DMA API aligns;
 * the cleancache pages in it are dropped (no migration, no LRU drain) at a
 * buddy operation each, and the buffer is cleared and mapped as the cma
 * policy maps its own, so the two differ in allocation only.
 */
static enum cmasim_dma_status gcma_dma_alloc(struct cmasim_sim *sim, void *priv,
					     const struct cmasim_dma_request *req,
					     struct cmasim_dma_buffer *buf)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct gcma *g = priv;
	uint64_t base = cmasim_pagepool_base_pfn(g->pool);
	uint64_t dropped = 0;
	enum cmasim_dma_status status = policy_pool_take(sim, g->pool, g->align_max, req, buf);

	if (status != CMASIM_DMA_OK)
		return status;
	for (uint64_t i = buf->pfn - base; i < buf->pfn - base + buf->nr_pages; i++) {
		dropped += g->cached[i];
		g->cached[i] = 0;
	}
	cmasim_charge(sim, CMASIM_COST_MIGRATION, dropped * cfg->costs.buddy_op_ns);
	cmasim_sim_refault(sim, dropped);
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
	g_free(g->cached);
	g_free(g);
}

const struct cmasim_policy_ops cmasim_policy_gcma = {
	.name = "gcma",
	.summary = "a reserved area lent only to clean cache, dropped instead of migrated; "
		   "costs refaults",
	.params = gcma_params,
	.init = gcma_init,
	.dma_alloc = gcma_dma_alloc,
	.dma_free = gcma_dma_free,
	.teardown = gcma_teardown,
};

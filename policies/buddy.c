// SPDX-License-Identifier: GPL-2.0-only
/*
 * buddy: a DMA buffer is plain high-order alloc_pages() from the lowmem
 * zones the device can reach, as dma_alloc_coherent() does with no CMA.
 * It fails above the largest buddy block and once memory is fragmented.
 */
#include <errno.h>

#include "cmasim/contig.h"
#include "policies.h"

enum {
	PARAM_TRIM,
	PARAM_COMPACTION,
	PARAM_CONTIG,
};

static const struct cmasim_param buddy_params[] = {
	[PARAM_TRIM] = { "trim", CMASIM_PARAM_BOOL, "true",
			 "free the pages past the size asked for, as ARM's __dma_alloc_buffer() "
			 "does (x86's dma_direct_alloc() keeps the whole block)" },
	[PARAM_COMPACTION] = { "compaction", CMASIM_PARAM_BOOL, "true",
			       "compact the zones once and retry when a high-order request fails, "
			       "as __alloc_pages_direct_compact() does" },
	[PARAM_CONTIG] = { "contig", CMASIM_PARAM_BOOL, "false",
			   "when the buddy allocator fails or the request is above its largest "
			   "block, migrate an aligned range free with alloc_contig_pages(), as "
			   "gigantic pages are allocated" },
	{ NULL },
};

/* How a buffer goes back (its priv). */
enum {
	FREE_BLOCK,	/* one block of its order */
	FREE_PAGES,	/* split and trimmed: page by page */
	FREE_CONTIG,	/* from alloc_contig_pages(): free_contig_range() */
};

struct buddy {
	bool trim;
	bool compaction;
	bool contig;
};

static int buddy_init(struct cmasim_sim *sim, const struct cmasim_param_values *params,
		      void **priv, GError **error)
{
	struct buddy *b = g_new0(struct buddy, 1);

	(void)sim;
	(void)error;
	b->trim = params->value[PARAM_TRIM];
	b->compaction = params->value[PARAM_COMPACTION];
	b->contig = params->value[PARAM_CONTIG];
	*priv = b;
	return 0;
}

/*
 * The highest lowmem zone wholly below @mask: the zone modifier
 * dma_direct_optimal_gfp_mask() picks. No __GFP_HIGHMEM: the kernel needs
 * the buffer in its linear map. Returns -1 when no zone qualifies.
 */
static int dma_zone(const struct cmasim_config *cfg, uint64_t mask)
{
	int highest = -1;

	for (unsigned int z = 0; z < cfg->nr_zones; z++)
		if (cfg->zones[z].type <= CMASIM_ZONE_NORMAL && cfg->zones[z].end - 1 <= mask)
			highest = (int)cfg->zones[z].type;
	return highest;
}

/* Fragmented when the reachable zones hold @pages free pages above their min watermark. */
static enum cmasim_dma_status why_failed(struct cmasim_mem *mem, uint64_t pages, int highest)
{
	uint64_t usable = 0;

	for (unsigned int z = 0; z < cmasim_mem_nr_zones(mem); z++) {
		struct cmasim_zone_info zi;

		cmasim_mem_zone_info(mem, z, &zi);
		if ((int)zi.type <= highest && zi.nr_free > zi.wmark_min)
			usable += zi.nr_free - zi.wmark_min;
	}
	return usable >= pages ? CMASIM_DMA_FRAGMENTED : CMASIM_DMA_NO_MEMORY;
}

/*
 * __alloc_pages_direct_compact(): compacts the zones the request may use,
 * highest first, stopping at the first that now has the block, then
 * tries the allocation once more. True when that gave *@pfn.
 */
static bool compact_and_retry(struct cmasim_sim *sim, unsigned int order, int highest,
			      uint64_t *pfn)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct cmasim_mem *mem = cmasim_sim_mem(sim);

	cmasim_sim_compact_for(sim, order, CMASIM_MT_UNMOVABLE, (enum cmasim_zone_type)highest);
	cmasim_charge(sim, CMASIM_COST_BUDDY, cfg->costs.buddy_op_ns);
	return !cmasim_alloc_pages(mem, order, CMASIM_MT_UNMOVABLE, highest, pfn);
}

/*
 * alloc_contig_pages() of exactly @pages in the zones up to @highest: a
 * naturally aligned range whose pages can all move. The buffer is freed
 * page by page, as free_contig_range() does.
 */
static enum cmasim_dma_status contig_fallback(struct cmasim_sim *sim, uint64_t pages,
					      int highest, struct cmasim_dma_buffer *buf)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct cmasim_contig_stats st = { 0 };
	uint64_t pfn;
	int ret;

	/* no range of the machine holds more pages than it has */
	if (pages > cfg->mem_size >> cfg->page_shift)
		return CMASIM_DMA_TOO_LARGE;
	ret = cmasim_alloc_contig_pages(cmasim_sim_mem(sim), pages, (enum cmasim_zone_type)highest,
					&pfn, &st);
	cmasim_charge_contig(sim, &st);
	if (ret && st.busy)
		return CMASIM_DMA_BUSY;
	if (ret && st.migrate.no_memory)
		return CMASIM_DMA_NO_MEMORY;
	if (ret)
		return why_failed(cmasim_sim_mem(sim), pages, highest);
	cmasim_charge(sim, CMASIM_COST_BUDDY, pages * cfg->costs.buddy_op_ns);
	buf->pfn = pfn;
	buf->nr_pages = pages;
	buf->priv = FREE_CONTIG;
	return CMASIM_DMA_OK;
}

/* Takes the pages of @req's buffer into @buf, by the rules above. */
static enum cmasim_dma_status take_pages(struct cmasim_sim *sim, struct buddy *b,
					 const struct cmasim_dma_request *req,
					 struct cmasim_dma_buffer *buf)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct cmasim_mem *mem = cmasim_sim_mem(sim);
	uint64_t pages = cmasim_bytes_to_pages(cfg, req->size);
	unsigned int order = cmasim_pages_order(pages);
	int highest = dma_zone(cfg, cfg->devices[req->device].dma_mask);
	uint64_t pfn;

	if (highest < 0)
		return CMASIM_DMA_UNREACHABLE;
	if (order > cfg->max_page_order)
		return b->contig ? contig_fallback(sim, pages, highest, buf) : CMASIM_DMA_TOO_LARGE;
	cmasim_charge(sim, CMASIM_COST_BUDDY, cfg->costs.buddy_op_ns);
	if (cmasim_alloc_pages(mem, order, CMASIM_MT_UNMOVABLE, highest, &pfn) &&
	    !(b->compaction && order && compact_and_retry(sim, order, highest, &pfn)))
		return b->contig ? contig_fallback(sim, pages, highest, buf)
				 : why_failed(mem, UINT64_C(1) << order, highest);

	buf->pfn = pfn;
	buf->nr_pages = UINT64_C(1) << order;
	if (b->trim && pages < buf->nr_pages) {
		cmasim_split_page(mem, pfn);
		for (uint64_t p = pages; p < buf->nr_pages; p++)
			cmasim_free_pages(mem, pfn + p);
		cmasim_charge(sim, CMASIM_COST_BUDDY, (buf->nr_pages - pages) * cfg->costs.buddy_op_ns);
		buf->nr_pages = pages;
		buf->priv = FREE_PAGES;
	}
	return CMASIM_DMA_OK;
}

static void buddy_dma_free(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct cmasim_mem *mem = cmasim_sim_mem(sim);

	(void)priv;
	cmasim_sim_unmap(sim, buf);
	switch (buf->priv) {
	case FREE_BLOCK:
		cmasim_free_pages(mem, buf->pfn);
		cmasim_charge(sim, CMASIM_COST_BUDDY, cfg->costs.buddy_op_ns);
		return;
	case FREE_PAGES:
		for (uint64_t p = 0; p < buf->nr_pages; p++)
			cmasim_free_pages(mem, buf->pfn + p);
		break;
	case FREE_CONTIG:
		cmasim_free_contig_range(mem, buf->pfn, buf->nr_pages);
		break;
	}
	cmasim_charge(sim, CMASIM_COST_BUDDY, buf->nr_pages * cfg->costs.buddy_op_ns);
}

static enum cmasim_dma_status buddy_dma_alloc(struct cmasim_sim *sim, void *priv,
					      const struct cmasim_dma_request *req,
					      struct cmasim_dma_buffer *buf)
{
	enum cmasim_dma_status status = take_pages(sim, priv, req, buf);

	if (status == CMASIM_DMA_OK && policy_map_coherent(sim, buf)) {
		buddy_dma_free(sim, priv, buf);
		return CMASIM_DMA_NO_MEMORY;
	}
	return status;
}

const struct cmasim_policy_ops cmasim_policy_buddy = {
	.name = "buddy",
	.summary = "high-order alloc_pages() from lowmem, compaction on failure; fails above "
		   "the largest block or when fragmented",
	.params = buddy_params,
	.init = buddy_init,
	.dma_alloc = buddy_dma_alloc,
	.dma_free = buddy_dma_free,
};

// SPDX-License-Identifier: GPL-2.0-only
/* Carve-outs: see carve.h. */
#include "carve.h"
#include "policies.h"

struct carve {
	struct cmasim_pagepool *pool;
	unsigned int align_max;
};

/* The pool's pages handed out to nobody, for the idle page-time figure. */
static void count_idle(struct cmasim_sim *sim, const struct carve *c)
{
	cmasim_sim_reserved_idle(sim, cmasim_pagepool_size(c->pool) -
				      cmasim_pagepool_used(c->pool));
}

struct carve *carve_new(struct cmasim_sim *sim, uint64_t pfn, uint64_t pages,
			unsigned int align_max)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct carve *c = g_new0(struct carve, 1);

	/* no-map: the range leaves the linear map (memblock_remove() before paging_init()) */
	if (cmasim_config_zone_of(cfg, pfn << cfg->page_shift, pages << cfg->page_shift) <
	    CMASIM_ZONE_HIGHMEM)
		cmasim_sim_linear_attr(sim, pfn, pages, CMASIM_ATTR_NONE);
	c->pool = cmasim_pagepool_new(pfn, pages);
	c->align_max = align_max;
	count_idle(sim, c);
	return c;
}

void carve_free(struct carve *c)
{
	cmasim_pagepool_free(c->pool);
	g_free(c);
}

enum cmasim_dma_status carve_alloc(struct cmasim_sim *sim, struct carve *c,
				   const struct cmasim_dma_request *req,
				   struct cmasim_dma_buffer *buf)
{
	enum cmasim_dma_status status = policy_pool_take(sim, c->pool, c->align_max, req, buf);

	if (status != CMASIM_DMA_OK)
		return status;
	if (cmasim_sim_remap(sim, buf, CMASIM_ATTR_UNCACHED)) {
		cmasim_pagepool_release(c->pool, buf->pfn, buf->nr_pages);
		return CMASIM_DMA_NO_MEMORY;
	}
	cmasim_sim_zero(sim, buf, CMASIM_ZERO_UNCACHED);
	count_idle(sim, c);
	return CMASIM_DMA_OK;
}

void carve_release(struct cmasim_sim *sim, struct carve *c, struct cmasim_dma_buffer *buf)
{
	/* a bitmap clear */
	cmasim_sim_unmap(sim, buf);
	cmasim_pagepool_release(c->pool, buf->pfn, buf->nr_pages);
	cmasim_charge(sim, CMASIM_COST_BUDDY, cmasim_sim_config(sim)->costs.buddy_op_ns);
	count_idle(sim, c);
}

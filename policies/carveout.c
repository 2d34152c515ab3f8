// SPDX-License-Identifier: GPL-2.0-only
/*
 * carveout: a range reserved at boot that the page allocator never sees
 * and the linear map leaves out (a device tree shared-dma-pool with
 * no-map, kernel/dma/coherent.c), with its own first-fit bitmap. It never
 * migrates anything, but its pages sit idle whenever devices do, and it
 * fails once the pool is full or fragmented.
 */
#include "policies.h"

enum {
	PARAM_SIZE,
	PARAM_BASE,
	PARAM_ALIGN_MAX,
};

static const struct cmasim_param carveout_params[] = {
	[PARAM_SIZE] = { "size", CMASIM_PARAM_SIZE, "0",
			 "size of the pool; 0: the machine's shared cma: area's, or 16MiB" },
	[PARAM_BASE] = { "base", CMASIM_PARAM_SIZE, "0",
			 "physical address of the pool; 0: where the machine's shared area is, "
			 "else the top of lowmem" },
	[PARAM_ALIGN_MAX] = { "align_max", CMASIM_PARAM_UINT, "8",
			      "largest alignment order a buffer gets, as the DMA API's "
			      "CONFIG_CMA_ALIGNMENT" },
	{ NULL },
};

struct carveout {
	struct cmasim_pagepool *pool;
	unsigned int align_max;
};

/* The pool's pages handed out to nobody, for the idle page-time figure. */
static void count_idle(struct cmasim_sim *sim, const struct carveout *c)
{
	cmasim_sim_reserved_idle(sim, cmasim_pagepool_size(c->pool) -
				      cmasim_pagepool_used(c->pool));
}

static int carveout_init(struct cmasim_sim *sim, const struct cmasim_param_values *params,
			 void **priv, GError **error)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	uint64_t pfn, pages;

	if (policy_reserve(sim, "carve-out", params->value[PARAM_SIZE], params->value[PARAM_BASE],
			   &pfn, &pages, error))
		return -1;
	/* no-map: the range leaves the linear map (memblock_remove() before paging_init()) */
	if (cmasim_config_zone_of(cfg, pfn << cfg->page_shift, pages << cfg->page_shift) <
	    CMASIM_ZONE_HIGHMEM)
		cmasim_sim_linear_attr(sim, pfn, pages, CMASIM_ATTR_NONE);

	struct carveout *c = g_new0(struct carveout, 1);

	c->pool = cmasim_pagepool_new(pfn, pages);
	c->align_max = (unsigned int)MIN(params->value[PARAM_ALIGN_MAX], 63);
	count_idle(sim, c);
	*priv = c;
	return 0;
}

static void carveout_dma_free(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf)
{
	struct carveout *c = priv;

	/* dma_release_from_dev_coherent(): a bitmap clear */
	cmasim_sim_unmap(sim, buf);
	cmasim_pagepool_release(c->pool, buf->pfn, buf->nr_pages);
	cmasim_charge(sim, CMASIM_COST_BUDDY, cmasim_sim_config(sim)->costs.buddy_op_ns);
	count_idle(sim, c);
}

/*
 * dma_alloc_from_dev_coherent(): first fit in the pool's bitmap aligned as
 * the DMA API aligns (min(get_order(size), align_max)), mapped uncached and
 * cleared through that mapping: no cacheable alias exists to flush.
 */
static enum cmasim_dma_status carveout_dma_alloc(struct cmasim_sim *sim, void *priv,
						 const struct cmasim_dma_request *req,
						 struct cmasim_dma_buffer *buf)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct carveout *c = priv;
	uint64_t pages = cmasim_bytes_to_pages(cfg, req->size);
	unsigned int order = cmasim_pages_order(pages);
	uint64_t end = cmasim_pagepool_base_pfn(c->pool) + cmasim_pagepool_size(c->pool);

	if ((end << cfg->page_shift) - 1 > cfg->devices[req->device].dma_mask)
		return CMASIM_DMA_UNREACHABLE;
	cmasim_charge(sim, CMASIM_COST_BUDDY, cfg->costs.buddy_op_ns);
	if (cmasim_pagepool_alloc(c->pool, pages,
				  MIN(req->align == CMASIM_REC_ANY ? order : req->align, c->align_max),
				  &buf->pfn))
		return cmasim_pagepool_size(c->pool) - cmasim_pagepool_used(c->pool) < pages ?
		       CMASIM_DMA_NO_MEMORY : CMASIM_DMA_FRAGMENTED;
	buf->nr_pages = pages;
	if (cmasim_sim_remap(sim, buf, CMASIM_ATTR_UNCACHED)) {
		cmasim_pagepool_release(c->pool, buf->pfn, pages);
		return CMASIM_DMA_NO_MEMORY;
	}
	cmasim_sim_zero(sim, buf, CMASIM_ZERO_UNCACHED);
	count_idle(sim, c);
	return CMASIM_DMA_OK;
}

static void carveout_teardown(struct cmasim_sim *sim, void *priv)
{
	struct carveout *c = priv;

	(void)sim;
	cmasim_pagepool_free(c->pool);
	g_free(c);
}

const struct cmasim_policy_ops cmasim_policy_carveout = {
	.name = "carveout",
	.summary = "a no-map range reserved at boot with its own first-fit bitmap; idle when "
		   "devices are, fails when full or fragmented",
	.params = carveout_params,
	.init = carveout_init,
	.dma_alloc = carveout_dma_alloc,
	.dma_free = carveout_dma_free,
	.teardown = carveout_teardown,
};

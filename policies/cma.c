// SPDX-License-Identifier: GPL-2.0-only
/*
 * cma: one Contiguous Memory Allocator area in lowmem that movable pages
 * borrow while no device needs it; a request migrates them out with
 * alloc_contig_range() under the CMA mutex (mm/cma.c, kernel/dma/contiguous.c).
 * Buffers are remapped uncached and the linear map is left as it is, as
 * the 2010-2011 patch sets did.
 */
#include <errno.h>
#include <inttypes.h>

#include "cmasim/contig.h"
#include "cmasim/error.h"
#include "policies.h"

enum {
	PARAM_SIZE,
	PARAM_BASE,
	PARAM_ALIGN_MAX,
	PARAM_ORDER_PER_BIT,
};

static const struct cmasim_param cma_params[] = {
	[PARAM_SIZE] = { "size", CMASIM_PARAM_SIZE, "16MiB",
			 "area size (CONFIG_CMA_SIZE_MBYTES, cma=)" },
	[PARAM_BASE] = { "base", CMASIM_PARAM_SIZE, "0",
			 "physical address of the area; 0 puts it at the top of lowmem, as "
			 "dma_contiguous_reserve() does" },
	[PARAM_ALIGN_MAX] = { "align_max", CMASIM_PARAM_UINT, "8",
			      "largest alignment order a buffer gets (CONFIG_CMA_ALIGNMENT)" },
	[PARAM_ORDER_PER_BIT] = { "order_per_bit", CMASIM_PARAM_UINT, "0",
				  "pages per bitmap bit, as a power of two" },
	{ NULL },
};

struct cma_policy {
	struct cmasim_cma *area;
	unsigned int align_max;
};

/* Where lowmem ends: the end of the last zone below HighMem. */
static uint64_t lowmem_end(const struct cmasim_config *cfg)
{
	uint64_t end = cfg->mem_base;

	for (unsigned int z = 0; z < cfg->nr_zones && cfg->zones[z].type < CMASIM_ZONE_HIGHMEM; z++)
		end = cfg->zones[z].end;
	return end;
}

static int cma_init(struct cmasim_sim *sim, const struct cmasim_param_values *params,
		    void **priv, GError **error)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	uint64_t size = params->value[PARAM_SIZE], base = params->value[PARAM_BASE];
	uint64_t pb_bytes = (uint64_t)cfg->page_size << cfg->pageblock_order;

	if (!base) {
		/* memblock allocates top-down below the limit, pageblock aligned */
		base = (lowmem_end(cfg) - size) & ~(pb_bytes - 1);
		if (size > lowmem_end(cfg) - cfg->mem_base)
			base = 0;
	}
	if (params->value[PARAM_ORDER_PER_BIT] > cfg->pageblock_order) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "--set order_per_bit=%" PRIu64 ": at most the pageblock order %u",
			    params->value[PARAM_ORDER_PER_BIT], cfg->pageblock_order);
		return -1;
	}
	struct cmasim_cma *area = cmasim_cma_new(cmasim_sim_mem(sim), "reserved",
						 base >> cfg->page_shift, size >> cfg->page_shift,
						 (unsigned int)params->value[PARAM_ORDER_PER_BIT],
						 error);
	if (!area)
		return -1;

	struct cma_policy *p = g_new0(struct cma_policy, 1);

	p->area = area;
	p->align_max = (unsigned int)MIN(params->value[PARAM_ALIGN_MAX], 63);
	*priv = p;
	return 0;
}

static enum cmasim_dma_status cma_dma_alloc(struct cmasim_sim *sim, void *priv,
					    const struct cmasim_dma_request *req,
					    struct cmasim_dma_buffer *buf)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct cma_policy *p = priv;
	struct cmasim_contig_stats st = { 0 };
	uint64_t pages = cmasim_bytes_to_pages(cfg, req->size);
	unsigned int order = cmasim_pages_order(pages);
	uint64_t end = (cmasim_cma_base_pfn(p->area) + cmasim_cma_count(p->area)) << cfg->page_shift;
	uint64_t pfn;

	if (end - 1 > cfg->devices[req->device].dma_mask)
		return CMASIM_DMA_UNREACHABLE;
	/* dma_alloc_from_contiguous(): align = min(get_order(size), CONFIG_CMA_ALIGNMENT) */
	int ret = cmasim_cma_alloc(p->area, pages, MIN(req->align == CMASIM_REC_ANY ? order :
							   req->align, p->align_max),
				   &pfn, &st);

	cmasim_charge_contig(sim, &st);
	if (ret == -EBUSY)
		return CMASIM_DMA_BUSY;
	if (ret)
		return st.migrate.no_memory ||
		       cmasim_cma_count(p->area) - cmasim_cma_used(p->area) < pages ?
		       CMASIM_DMA_NO_MEMORY : CMASIM_DMA_FRAGMENTED;
	/* post_alloc_hook() on every page taken, then the buffer is cleared */
	cmasim_charge(sim, CMASIM_COST_BUDDY, pages * cfg->costs.buddy_op_ns);
	cmasim_charge(sim, CMASIM_COST_ZEROING, pages * cfg->costs.page_zero_ns);
	buf->pfn = pfn;
	buf->nr_pages = pages;
	return CMASIM_DMA_OK;
}

static void cma_dma_free(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf)
{
	struct cma_policy *p = priv;

	/* free_contig_range() frees page by page */
	cmasim_cma_release(p->area, buf->pfn, buf->nr_pages);
	cmasim_charge(sim, CMASIM_COST_BUDDY, buf->nr_pages * cmasim_sim_config(sim)->costs.buddy_op_ns);
}

static void cma_teardown(struct cmasim_sim *sim, void *priv)
{
	struct cma_policy *p = priv;

	(void)sim;
	cmasim_cma_free(p->area);
	g_free(p);
}

const struct cmasim_policy_ops cmasim_policy_cma = {
	.name = "cma",
	.summary = "a CMA area in lowmem lent to movable pages, migrated out on request; "
		   "uncached remap, linear alias left",
	.params = cma_params,
	.serialized = true,
	.init = cma_init,
	.dma_alloc = cma_dma_alloc,
	.dma_free = cma_dma_free,
	.teardown = cma_teardown,
};

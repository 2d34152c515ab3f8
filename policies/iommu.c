// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommu: the reference. The device sits behind an IOMMU, so a buffer is
 * order-0 pages from anywhere, each given an IOMMU page-table entry, as
 * iommu_dma_alloc_remap() builds it (drivers/iommu/dma-iommu.c). It never
 * needs contiguity and so never fails for fragmentation; what contiguity
 * costs the other policies shows against its IOMMU map time.
 *
 * The buffer's page list (buf->pages) gives the CPU's mapping its pages
 * in IOMMU address order, as dma_common_pages_remap() does.
 */
#include "policies.h"

/*
 * The IOMMU's page tables are not modelled as memory; the state is the
 * page lists of the buffers handed out, which teardown frees for buffers
 * still held when the run ends.
 */
static int iommu_init(struct cmasim_sim *sim, const struct cmasim_param_values *params,
		      void **priv, GError **error)
{
	(void)sim;
	(void)params;
	(void)error;
	*priv = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free, NULL);
	return 0;
}

static void iommu_teardown(struct cmasim_sim *sim, void *priv)
{
	(void)sim;
	g_hash_table_destroy(priv);
}

/* Frees the first @nr pages of @pfns to the buddy allocator, charged. */
static void put_pages(struct cmasim_sim *sim, const uint64_t *pfns, uint64_t nr)
{
	for (uint64_t i = 0; i < nr; i++)
		cmasim_free_pages(cmasim_sim_mem(sim), pfns[i]);
	cmasim_charge(sim, CMASIM_COST_BUDDY, nr * cmasim_sim_config(sim)->costs.buddy_op_ns);
}

static void iommu_dma_free(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf)
{
	cmasim_sim_unmap(sim, buf);
	/* iommu_unmap() of every entry, then __iommu_dma_free_pages() */
	cmasim_charge(sim, CMASIM_COST_IOMMU,
		      buf->nr_pages * cmasim_sim_config(sim)->costs.iommu_map_page_ns);
	put_pages(sim, buf->pages, buf->nr_pages);
	g_hash_table_remove(priv, buf->pages);
}

/*
 * iommu_dma_alloc_remap(): __iommu_dma_alloc_pages() with __GFP_HIGHMEM,
 * a page at a time, each cleared (__GFP_ZERO through a kmap, flushed by
 * arch_dma_prep_coherent()) and mapped in the IOMMU; then
 * dma_common_pages_remap() gives the CPU its view.
 */
static enum cmasim_dma_status iommu_dma_alloc(struct cmasim_sim *sim, void *priv,
					      const struct cmasim_dma_request *req,
					      struct cmasim_dma_buffer *buf)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	uint64_t pages = cmasim_bytes_to_pages(cfg, req->size);
	uint64_t *pfns;

	/* the page allocator runs out before a request of more pages than the machine has */
	if (pages > cfg->mem_size >> cfg->page_shift)
		return CMASIM_DMA_NO_MEMORY;
	pfns = g_new(uint64_t, pages);

	for (uint64_t i = 0; i < pages; i++) {
		cmasim_charge(sim, CMASIM_COST_BUDDY, cfg->costs.buddy_op_ns);
		if (cmasim_alloc_pages(cmasim_sim_mem(sim), 0, CMASIM_MT_UNMOVABLE,
				       CMASIM_ZONE_HIGHMEM, &pfns[i])) {
			put_pages(sim, pfns, i);
			g_free(pfns);
			return CMASIM_DMA_NO_MEMORY;
		}
	}
	buf->pfn = pfns[0];
	buf->nr_pages = pages;
	buf->pages = pfns;
	g_hash_table_add(priv, pfns);
	cmasim_sim_zero(sim, buf, CMASIM_ZERO_KMAP);
	cmasim_charge(sim, CMASIM_COST_IOMMU, pages * cfg->costs.iommu_map_page_ns);
	if (cmasim_sim_remap(sim, buf, cfg->devices[req->device].coherent ? CMASIM_ATTR_CACHEABLE
									   : CMASIM_ATTR_UNCACHED)) {
		iommu_dma_free(sim, priv, buf);
		return CMASIM_DMA_NO_MEMORY;
	}
	return CMASIM_DMA_OK;
}

const struct cmasim_policy_ops cmasim_policy_iommu = {
	.name = "iommu",
	.summary = "reference: the device has an IOMMU, buffers are order-0 pages each mapped "
		   "in it; never fails for fragmentation",
	.init = iommu_init,
	.dma_alloc = iommu_dma_alloc,
	.dma_free = iommu_dma_free,
	.teardown = iommu_teardown,
};

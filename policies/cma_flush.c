// SPDX-License-Identifier: GPL-2.0-only
/*
 * cma-flush: CMA in lowmem, and buffers stay cacheable: the CPU uses the
 * linear address, so no mapping with other attributes exists, and the
 * streaming DMA rules keep memory and cache in step around each transfer
 * (arch/arm/mm/dma-mapping.c, __dma_page_cpu_to_dev() / __dma_page_dev_to_cpu()):
 * v7_dma_map_area cleans the range before the device reads it and
 * v7_dma_unmap_area invalidates it after the device wrote it
 * (arch/arm/mm/cache-v7.S). A VIVT cache finds lines by virtual address,
 * so lines cached through another mapping of the frames escape a range
 * operation on this one: there each sync cleans and invalidates the whole
 * cache by set/way (flush_kern_cache_all(), e.g. arch/arm/mm/cache-v4wb.S).
 */
#include "cma_areas.h"
#include "policies.h"

static enum cmasim_dma_status flush_dma_alloc(struct cmasim_sim *sim, void *priv,
					      const struct cmasim_dma_request *req,
					      struct cmasim_dma_buffer *buf)
{
	/* page_address(), cleared through the cache: the syncs take care of the rest */
	return cma_areas_alloc_mapped(sim, priv, req, buf, policy_map_cacheable);
}

/* @op over the first @bytes of @buf, or the whole cache when it is VIVT. */
static void flush_sync(struct cmasim_sim *sim, const struct cmasim_dma_buffer *buf,
		       enum cmasim_maint op, uint64_t bytes)
{
	if (cmasim_sim_config(sim)->cache.indexing == CMASIM_CACHE_VIVT)
		cmasim_sim_cache_flush_all(sim);
	else
		cmasim_sim_cache_maint(sim, buf, op, bytes);
}

static void flush_sync_for_device(struct cmasim_sim *sim, void *priv,
				  struct cmasim_dma_buffer *buf, enum cmasim_dma_dir dir,
				  uint64_t bytes)
{
	static const enum cmasim_maint by_dir[] = {
		[CMASIM_DMA_TO_DEVICE] = CMASIM_MAINT_CLEAN,
		[CMASIM_DMA_FROM_DEVICE] = CMASIM_MAINT_INVALIDATE,
		[CMASIM_DMA_BIDIRECTIONAL] = CMASIM_MAINT_FLUSH,
	};

	(void)priv;
	/* v7_dma_map_area(): clean for the device to read, invalidate so no write-back lands late */
	flush_sync(sim, buf, by_dir[dir], bytes);
}

static void flush_sync_for_cpu(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf,
			       enum cmasim_dma_dir dir, uint64_t bytes)
{
	(void)priv;
	(void)dir;
	/* v7_dma_unmap_area(): the engine asks only after transfers from the device */
	flush_sync(sim, buf, CMASIM_MAINT_INVALIDATE, bytes);
}

const struct cmasim_policy_ops cmasim_policy_cma_flush = {
	.name = "cma-flush",
	.summary = "CMA in lowmem, buffers cacheable through the linear map; clean before and "
		   "invalidate after each transfer (whole cache on VIVT)",
	.params = cma_areas_param_table,
	.serialized = true,
	.boot_params = cma_areas_boot_params,
	.init = cma_areas_boot_lowmem,
	.dma_alloc = flush_dma_alloc,
	.dma_free = cma_areas_dma_free,
	.sync_for_device = flush_sync_for_device,
	.sync_for_cpu = flush_sync_for_cpu,
	.teardown = cma_areas_teardown,
};

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cma-unmap: CMA in lowmem, and an allocated buffer's frames leave the
 * linear map while a device holds them, so no cacheable alias of the
 * uncached buffer exists for the CPU to speculate through. Removing them
 * splits the sections around them into page entries (a page-table page
 * each, a TLB shootdown); freeing maps them back and the sections fold
 * again. The kernel does this for secretmem (set_direct_map_invalid_noflush(),
 * mm/secretmem.c); for CMA it was proposed in the 2011 "ARM: DMA: steal
 * memory for DMA coherent mappings" discussion and not merged.
 */
#include <errno.h>

#include "cma_areas.h"
#include "policies.h"

/*
 * Clears and flushes @buf through the linear map, takes its frames out of
 * it, then remaps it uncached; a buffer without a linear alias maps as
 * plain cma does. Returns 0 or -ENOMEM.
 */
static int unmap_map(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	if (!cma_areas_linear_alias(sim, buf))
		return policy_map_coherent(sim, buf);
	if (cma_areas_rewrite_linear(sim, buf, CMASIM_ATTR_NONE))
		return -ENOMEM;
	return cmasim_sim_remap(sim, buf, CMASIM_ATTR_UNCACHED);
}

static enum cmasim_dma_status unmap_dma_alloc(struct cmasim_sim *sim, void *priv,
					      const struct cmasim_dma_request *req,
					      struct cmasim_dma_buffer *buf)
{
	return cma_areas_alloc_mapped(sim, priv, req, buf, unmap_map);
}

const struct cmasim_policy_ops cmasim_policy_cma_unmap = {
	.name = "cma-unmap",
	.summary = "CMA in lowmem; allocated frames leave the linear map (sections split, "
		   "shootdown) and come back on free; uncached remap",
	.params = cma_areas_param_table,
	.serialized = true,
	.boot_params = cma_areas_boot_params,
	.init = cma_areas_boot_lowmem,
	.dma_alloc = unmap_dma_alloc,
	.dma_free = cma_areas_dma_free,
	.teardown = cma_areas_teardown,
};

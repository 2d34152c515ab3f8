// SPDX-License-Identifier: GPL-2.0-only
/*
 * cma: Contiguous Memory Allocator areas in lowmem that movable pages
 * borrow while no device needs them; a request migrates them out with
 * alloc_contig_range() under the CMA mutex (mm/cma.c, kernel/dma/contiguous.c).
 * Buffers are cleared and flushed through the linear map and remapped
 * uncached, and the linear map is left as it is, as the 2010-2011 patch
 * sets did: the cacheable alias stays for the CPU to speculate through.
 */
#include "cma_areas.h"
#include "policies.h"

static enum cmasim_dma_status cma_dma_alloc(struct cmasim_sim *sim, void *priv,
					    const struct cmasim_dma_request *req,
					    struct cmasim_dma_buffer *buf)
{
	return cma_areas_alloc_mapped(sim, priv, req, buf, policy_map_coherent);
}

const struct cmasim_policy_ops cmasim_policy_cma = {
	.name = "cma",
	.summary = "CMA areas in lowmem lent to movable pages, migrated out on request; "
		   "uncached remap, linear alias left",
	.params = cma_areas_param_table,
	.serialized = true,
	.boot_params = cma_areas_boot_params,
	.init = cma_areas_boot_lowmem,
	.dma_alloc = cma_dma_alloc,
	.dma_free = cma_areas_dma_free,
	.teardown = cma_areas_teardown,
};

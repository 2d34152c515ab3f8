// SPDX-License-Identifier: GPL-2.0-only
/*
 * cma-remap: what mainline ARM settled on (arch/arm/mm/dma-mapping.c).
 * At boot dma_contiguous_remap() maps the lowmem CMA areas' linear map with
 * page entries for good; __alloc_from_contiguous() clears a buffer through
 * the linear map and flushes it (__dma_clear_buffer()), then __dma_remap()
 * rewrites its linear-map entries to the coherent attribute and flushes
 * that TLB range, and the CPU uses page_address() itself; __free_from_contiguous()
 * restores PAGE_KERNEL. Kernel accesses to the areas miss in the TLB a page
 * at a time from boot on, buffers or not.
 */
#include <errno.h>

#include "cma_areas.h"
#include "cmasim/error.h"
#include "policies.h"

/*
 * __alloc_from_contiguous(): a lowmem buffer is cleared and flushed through
 * the linear map, which then turns uncached and is the CPU's mapping; a
 * HighMem one is remapped (dma_common_contiguous_remap()), and a snooping
 * device's stays cacheable. Returns 0 or -ENOMEM.
 */
static int remap_map(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	if (!cma_areas_linear_alias(sim, buf))
		return policy_map_coherent(sim, buf);
	if (cma_areas_rewrite_linear(sim, buf, CMASIM_ATTR_UNCACHED))
		return -ENOMEM;
	cmasim_sim_use_linear(sim, buf);
	return 0;
}

static enum cmasim_dma_status remap_dma_alloc(struct cmasim_sim *sim, void *priv,
					      const struct cmasim_dma_request *req,
					      struct cmasim_dma_buffer *buf)
{
	return cma_areas_alloc_mapped(sim, priv, req, buf, remap_map);
}

/* The areas in lowmem, their linear map split into page entries (dma_contiguous_remap()). */
static int remap_init(struct cmasim_sim *sim, const struct cmasim_param_values *params,
		      void **priv, GError **error)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);

	if (cma_areas_boot_lowmem(sim, params, priv, error))
		return -1;
	struct cma_areas *areas = *priv;

	for (unsigned int i = 0; i < areas->nr; i++) {
		uint64_t pfn = cmasim_cma_base_pfn(areas->area[i]);
		uint64_t nr = cmasim_cma_count(areas->area[i]);

		/* only the lowmem part has a linear map to split */
		if (!cma_areas_lowmem(cfg, pfn, nr))
			continue;
		if (cmasim_sim_linear_split(sim, pfn, nr)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
				    "no memory for the page tables of CMA area %s",
				    cmasim_cma_name(areas->area[i]));
			cma_areas_teardown(sim, areas);
			return -1;
		}
	}
	return 0;
}

const struct cmasim_policy_ops cmasim_policy_cma_remap = {
	.name = "cma-remap",
	.summary = "mainline ARM: CMA areas' linear map in page entries from boot; each buffer's "
		   "entries turned uncached (range TLB flush), restored on free",
	.params = cma_areas_param_table,
	.serialized = true,
	.boot_params = cma_areas_boot_params,
	.init = remap_init,
	.dma_alloc = remap_dma_alloc,
	.dma_free = cma_areas_dma_free,
	.teardown = cma_areas_teardown,
};

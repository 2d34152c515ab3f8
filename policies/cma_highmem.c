// SPDX-License-Identifier: GPL-2.0-only
/*
 * cma-highmem: every CMA area lies in HighMem, above the linear map, so a
 * buffer has no cacheable alias at all. __dma_clear_buffer() clears a
 * HighMem page through kmap_atomic() and flushes it (dmac_flush_range())
 * before kunmap, and __alloc_from_contiguous() gives the CPU a fresh
 * uncached remap (dma_common_contiguous_remap()), as arch/arm/mm/dma-mapping.c
 * does for PageHighMem(). A device whose DMA mask stops below HighMem
 * cannot use the area (dma_alloc_from_contiguous() hands it pages it
 * cannot reach: here CMASIM_DMA_UNREACHABLE).
 *
 * The lowmem limit is the machine's: this policy cannot move it (the
 * linear map is built before it boots), so a machine without a HighMem
 * zone, or with too little, is refused with what to change; its results'
 * lowmem_bytes are then those of the machine as declared.
 */
#include <inttypes.h>

#include "cma_areas.h"
#include "cmasim/error.h"
#include "policies.h"

/*
 * A snooping device's buffer is remapped cacheable; any other's is cleared
 * a page at a time through a cacheable kmap, flushed, then remapped
 * uncached. Returns 0 or -ENOMEM.
 */
static int highmem_map(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	if (cmasim_sim_config(sim)->devices[buf->device].coherent)
		return policy_map_cacheable(sim, buf);
	return policy_map_uncached(sim, buf, CMASIM_ZERO_KMAP);
}

static enum cmasim_dma_status highmem_dma_alloc(struct cmasim_sim *sim, void *priv,
						const struct cmasim_dma_request *req,
						struct cmasim_dma_buffer *buf)
{
	return cma_areas_alloc_mapped(sim, priv, req, buf, highmem_map);
}

/* The bytes of @cfg's HighMem zone; 0 when it has none. */
static uint64_t highmem_bytes(const struct cmasim_config *cfg)
{
	for (unsigned int z = 0; z < cfg->nr_zones; z++)
		if (cfg->zones[z].type == CMASIM_ZONE_HIGHMEM)
			return cfg->zones[z].end - cfg->zones[z].start;
	return 0;
}

/* Every area placed in HighMem; refused, naming the fix, when HighMem cannot hold them. */
static int highmem_init(struct cmasim_sim *sim, const struct cmasim_param_values *params,
			void **priv, GError **error)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	uint64_t high = highmem_bytes(cfg);
	GError *why = NULL;

	if (!high) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
			    "cma-highmem: machine %s has no HighMem zone (all %" PRIu64 " MiB are "
			    "lowmem); declare one in memory.zones, e.g. { type: HighMem, size: 64MiB }, "
			    "which moves the lowmem limit down", cfg->name, cfg->lowmem_size >> 20);
		return -1;
	}
	if (!cma_areas_boot(sim, params, CMASIM_ZONE_HIGHMEM, true, priv, &why))
		return 0;
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
		    "cma-highmem: %s (HighMem is %" PRIu64 " MiB: enlarge it in memory.zones, "
		    "moving the lowmem limit down, or shrink the area with --set size=)",
		    why->message, high >> 20);
	g_error_free(why);
	return -1;
}

const struct cmasim_policy_ops cmasim_policy_cma_highmem = {
	.name = "cma-highmem",
	.summary = "CMA areas in HighMem only: no linear alias; cleared through a kmap, "
		   "remapped uncached; devices that cannot reach HighMem fail",
	.params = cma_areas_param_table,
	.serialized = true,
	.init = highmem_init,
	.dma_alloc = highmem_dma_alloc,
	.dma_free = cma_areas_dma_free,
	.teardown = cma_areas_teardown,
};

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
 * Where HighMem is too small for the areas, or absent, the policy boots
 * the machine with the lowmem limit moved down until it is not, as a
 * larger vmalloc= does (it lowers arm_lowmem_limit): lowmem_bytes shows
 * what that costs the kernel. A 64-bit machine has no HighMem to use.
 */
#include <inttypes.h>

#include "cma_areas.h"
#include "cmasim/error.h"
#include "policies.h"

static enum cmasim_dma_status highmem_dma_alloc(struct cmasim_sim *sim, void *priv,
						const struct cmasim_dma_request *req,
						struct cmasim_dma_buffer *buf)
{
	return cma_areas_alloc_mapped(sim, priv, req, buf, policy_map_coherent);
}

/* early_vmalloc() (arch/arm/mm/mmu.c) caps vmalloc= so that lowmem keeps 32 MiB */
#define LOWMEM_FLOOR (UINT64_C(32) << 20)

/* The bytes of RAM in @cfg's HighMem zone, holes left out; 0 when it has none. */
static uint64_t highmem_bytes(const struct cmasim_config *cfg)
{
	for (unsigned int z = 0; z < cfg->nr_zones; z++)
		if (cfg->zones[z].type == CMASIM_ZONE_HIGHMEM)
			return cmasim_config_ram_bytes(cfg, cfg->zones[z].start, cfg->zones[z].end);
	return 0;
}

/*
 * Lowers the lowmem limit a section (or a pageblock, if larger) at a time
 * until HighMem has room for every area.
 */
static int highmem_boot_params(struct cmasim_config *cfg, const struct cmasim_param_values *params,
			       GError **error)
{
	uint64_t step = MAX(cfg->mmu.section_size, (uint64_t)cfg->page_size << cfg->pageblock_order);
	uint64_t need, limit = cmasim_config_lowmem_end(cfg);

	if (cmasim_config_64bit(cfg)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
			    "machine %s is 64-bit: all its RAM is in the linear map "
			    "and it has no HighMem", cfg->name);
		return -1;
	}
	if (cma_areas_boot_params(cfg, params, error))
		return -1;
	need = cma_areas_span(cfg, params);
	while (highmem_bytes(cfg) < need) {
		limit = (limit - 1) & ~(step - 1);
		if (limit < cfg->mem_base + LOWMEM_FLOOR) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
				    "%" PRIu64 " MiB of CMA areas do not fit in HighMem "
				    "even with lowmem cut to the 32 MiB vmalloc= leaves (shrink them "
				    "with --set size=)", need >> 20);
			return -1;
		}
		cmasim_config_set_lowmem_limit(cfg, limit);
	}
	return 0;
}

/* Every area placed in HighMem; refused, naming the fix, when they do not fit there. */
static int highmem_init(struct cmasim_sim *sim, const struct cmasim_param_values *params,
			void **priv, GError **error)
{
	GError *why = NULL;

	if (!cma_areas_boot(sim, params, CMASIM_ZONE_HIGHMEM, true, priv, &why))
		return 0;
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
		    "%s (HighMem is %" PRIu64 " MiB, holes left out: shrink the "
		    "areas with --set size=)", why->message,
		    highmem_bytes(cmasim_sim_config(sim)) >> 20);
	g_error_free(why);
	return -1;
}

const struct cmasim_policy_ops cmasim_policy_cma_highmem = {
	.name = "cma-highmem",
	.summary = "CMA areas in HighMem only: no linear alias; cleared through a kmap, "
		   "remapped uncached; devices that cannot reach HighMem fail",
	.params = cma_areas_param_table,
	.serialized = true,
	.boot_params = highmem_boot_params,
	.init = highmem_init,
	.dma_alloc = highmem_dma_alloc,
	.dma_free = cma_areas_dma_free,
	.teardown = cma_areas_teardown,
};

// SPDX-License-Identifier: GPL-2.0-only
/* Steps every policy's dma_alloc shares: see policies.h. */
#include <errno.h>
#include <inttypes.h>

#include "cmasim/error.h"
#include "policies.h"

/* CONFIG_CMA_SIZE_MBYTES: a reservation's size when neither the policy nor the machine gives one. */
#define DEFAULT_RESERVE_SIZE (UINT64_C(16) << 20)

int policy_map_cacheable(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	/* dma_direct_alloc(): the linear address, cleared in place through the cache */
	cmasim_sim_use_linear(sim, buf);
	if (!buf->va && cmasim_sim_remap(sim, buf, CMASIM_ATTR_CACHEABLE))
		return -ENOMEM;
	cmasim_sim_zero(sim, buf, CMASIM_ZERO_CACHED);
	return 0;
}

int policy_map_uncached(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf,
			enum cmasim_zero_via via)
{
	cmasim_sim_zero(sim, buf, via);
	return cmasim_sim_remap(sim, buf, CMASIM_ATTR_UNCACHED);
}

int policy_map_coherent(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	if (cmasim_sim_config(sim)->devices[buf->device].coherent)
		return policy_map_cacheable(sim, buf);
	/* __dma_clear_buffer(), then __dma_alloc_remap() with pgprot_dmacoherent */
	return policy_map_uncached(sim, buf, CMASIM_ZERO_LINEAR);
}

int policy_reserve(struct cmasim_sim *sim, const char *what, uint64_t size, uint64_t base,
		   uint64_t *pfn, uint64_t *pages, GError **error)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct cmasim_mem *mem = cmasim_sim_mem(sim);
	uint64_t pb_bytes = (uint64_t)cfg->page_size << cfg->pageblock_order;
	int shared = -1;

	for (unsigned int i = 0; i < cfg->nr_cma; i++)
		if (cfg->cma[i].shared)
			shared = (int)i;
	/* in place of the machine's shared cma: area, sized and placed as it is unless told */
	if (!size)
		size = shared >= 0 ? cfg->cma[shared].size : DEFAULT_RESERVE_SIZE;
	if (!base && shared >= 0 && size == cfg->cma[shared].size)
		base = cfg->cma[shared].base;
	if (!base && !cmasim_config_place_cma(cfg, cmasim_config_lowmem_zone(cfg), size, pb_bytes,
					      shared, &base)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
			    "%s: no room for %" PRIu64 " MiB in zone %s", what, size >> 20,
			    cmasim_zone_type_name(cmasim_config_lowmem_zone(cfg)));
		return -1;
	}
	uint64_t start = base >> cfg->page_shift, end = start + cmasim_bytes_to_pages(cfg, size);

	if (size % cfg->page_size || base % cfg->page_size ||
	    cmasim_config_zone_of(cfg, base, size) == CMASIM_NR_ZONE_TYPES) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
			    "%s: 0x%" PRIx64 "+%" PRIu64 " KiB is not whole pages inside one zone",
			    what, base, size >> 10);
		return -1;
	}
	/* memblock_reserve(): the frames never reach the buddy allocator; here, taken as kernel blocks */
	for (uint64_t p = start; p < end;) {
		unsigned int order = MIN((unsigned int)__builtin_ctzll(p | (UINT64_C(1) << 63)),
					 cfg->max_page_order);

		while (p + (UINT64_C(1) << order) > end)
			order--;
		if (cmasim_alloc_pages_at(mem, p, order, CMASIM_MT_UNMOVABLE)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
				    "%s: pfn %#" PRIx64 " is not free RAM at boot", what, p);
			return -1;
		}
		p += UINT64_C(1) << order;
	}
	cmasim_sim_reserve(sim, end - start);
	*pfn = start;
	*pages = end - start;
	return 0;
}

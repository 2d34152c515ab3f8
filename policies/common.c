// SPDX-License-Identifier: GPL-2.0-only
/* Steps every policy's dma_alloc shares: see policies.h. */
#include <errno.h>
#include <inttypes.h>

#include "cmasim/error.h"
#include "cma_areas.h"
#include "policies.h"

int policy_map_cacheable(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	/* dma_direct_alloc(): the linear address, cleared in place through the cache */
	cmasim_sim_use_linear(sim, buf);
	if (!buf->va && cmasim_sim_remap(sim, buf, CMASIM_ATTR_CACHEABLE))
		return -ENOMEM;
	cmasim_sim_zero(sim, buf, CMASIM_ZERO_CACHED);
	return 0;
}

int policy_map_coherent(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	if (cmasim_sim_config(sim)->devices[buf->device].coherent)
		return policy_map_cacheable(sim, buf);
	/* __dma_clear_buffer(), then __dma_alloc_remap() with pgprot_dmacoherent */
	cmasim_sim_zero(sim, buf, CMASIM_ZERO_LINEAR);
	return cmasim_sim_remap(sim, buf, CMASIM_ATTR_UNCACHED);
}

int policy_reserve_range(struct cmasim_sim *sim, const char *what, uint64_t base,
			 uint64_t size, uint64_t *pfn, uint64_t *pages, GError **error)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct cmasim_mem *mem = cmasim_sim_mem(sim);
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
	cmasim_sim_reserve(sim, start, end - start);
	*pfn = start;
	*pages = end - start;
	return 0;
}

int policy_reserve(struct cmasim_sim *sim, const char *what, uint64_t size, uint64_t base,
		   uint64_t *pfn, uint64_t *pages, GError **error)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct cma_areas_params want = { .size = size, .base = base,
					 .zone = cmasim_config_lowmem_zone(cfg) };
	struct cmasim_cma_config where;

	/* in place of the machine's shared cma: area, sized and placed as it is unless told */
	if (!cma_areas_place_shared(cfg, &want, what, &where, error))
		return -1;
	return policy_reserve_range(sim, what, where.base, where.size, pfn, pages, error);
}

enum cmasim_dma_status policy_pool_take(struct cmasim_sim *sim, struct cmasim_pagepool *pool,
					unsigned int align_max,
					const struct cmasim_dma_request *req,
					struct cmasim_dma_buffer *buf)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	uint64_t pages = cmasim_bytes_to_pages(cfg, req->size);

	if (!policy_reaches(sim, req, cmasim_pagepool_base_pfn(pool) + cmasim_pagepool_size(pool)))
		return CMASIM_DMA_UNREACHABLE;
	cmasim_charge(sim, CMASIM_COST_BUDDY, cfg->costs.buddy_op_ns);
	if (cmasim_pagepool_alloc(pool, pages, policy_dma_align(req, pages, align_max), &buf->pfn))
		return cmasim_pagepool_size(pool) - cmasim_pagepool_used(pool) < pages ?
		       CMASIM_DMA_NO_MEMORY : CMASIM_DMA_FRAGMENTED;
	buf->nr_pages = pages;
	return CMASIM_DMA_OK;
}

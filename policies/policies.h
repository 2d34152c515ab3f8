/* SPDX-License-Identifier: GPL-2.0-only */
/* Private to policies/: every policy's ops, for the registry. */
#ifndef CMASIM_POLICIES_H
#define CMASIM_POLICIES_H

#include "cmasim/policy.h"

/*
 * What dma_alloc_coherent() does with fresh frames, as ARM's
 * __dma_alloc_buffer() and __dma_alloc_remap() do: clear them through a
 * cacheable kernel mapping that is then flushed (the linear map, or a
 * kmap a page at a time in HighMem), and give the CPU an uncached remap,
 * leaving the linear alias as it is; a device that snoops the caches gets
 * policy_map_cacheable() instead. Returns 0, or -ENOMEM when the vmalloc
 * space is full.
 */
int policy_map_coherent(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf);
/*
 * The linear address (a cacheable remap for HighMem), cleared through the
 * cache. Returns 0, or -ENOMEM when the vmalloc space is full.
 */
int policy_map_cacheable(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf);

/*
 * A boot-time reservation (a reserved-memory node) named @what of @size
 * bytes at physical @base: 0 for either means as the machine's shared cma:
 * area, else 16 MiB at the top of lowmem, as dma_contiguous_reserve()
 * places it. Its frames are taken out of the page allocator for good.
 * Returns 0 with the range in *@pfn and *@pages, or -1 with @error.
 */
int policy_reserve(struct cmasim_sim *sim, const char *what, uint64_t size, uint64_t base,
		   uint64_t *pfn, uint64_t *pages, GError **error);
/* policy_reserve() of exactly [@base, @base + @size). */
int policy_reserve_range(struct cmasim_sim *sim, const char *what, uint64_t base,
			 uint64_t size, uint64_t *pfn, uint64_t *pages, GError **error);

/* Whether @req's device reaches every frame below @end_pfn. */
static inline bool policy_reaches(struct cmasim_sim *sim, const struct cmasim_dma_request *req,
				  uint64_t end_pfn)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);

	return (end_pfn << cfg->page_shift) - 1 <= cfg->devices[req->device].dma_mask;
}

/*
 * The alignment order of @req's @pages as dma_alloc_from_contiguous()
 * gives it: its own if it asks for one, else min(get_order(size), @align_max).
 */
static inline unsigned int policy_dma_align(const struct cmasim_dma_request *req, uint64_t pages,
					    unsigned int align_max)
{
	return MIN(req->align == CMASIM_REC_ANY ? cmasim_pages_order(pages) : req->align,
		   align_max);
}

/*
 * A window of @pool for @req: first fit aligned as the DMA API aligns
 * (min(get_order(size), @align_max)), one charged bitmap search; fills
 * buf->pfn and nr_pages. Fails UNREACHABLE when the pool lies beyond the
 * device's mask, else NO_MEMORY or FRAGMENTED.
 */
enum cmasim_dma_status policy_pool_take(struct cmasim_sim *sim, struct cmasim_pagepool *pool,
					unsigned int align_max,
					const struct cmasim_dma_request *req,
					struct cmasim_dma_buffer *buf);

extern const struct cmasim_policy_ops cmasim_policy_carveout;
extern const struct cmasim_policy_ops cmasim_policy_buddy;
extern const struct cmasim_policy_ops cmasim_policy_cma;
extern const struct cmasim_policy_ops cmasim_policy_cma_unmap;
extern const struct cmasim_policy_ops cmasim_policy_cma_remap;
extern const struct cmasim_policy_ops cmasim_policy_cma_highmem;
extern const struct cmasim_policy_ops cmasim_policy_cma_flush;
extern const struct cmasim_policy_ops cmasim_policy_iommu;
extern const struct cmasim_policy_ops cmasim_policy_gcma;

#endif

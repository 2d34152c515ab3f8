// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page pools: a first-fit bitmap allocator over a reserved run of frames,
 * as lib/genalloc.c (gen_pool_first_fit_order_align) and the per-device
 * coherent pools of kernel/dma/coherent.c keep them. See policy.h.
 */
#include <errno.h>
#include <string.h>

#include "cmasim/policy.h"
#include "mm.h"

struct cmasim_pagepool {
	uint64_t base_pfn;	/* first frame; set at creation */
	uint64_t nr_pages;	/* frames in the pool; set at creation */
	uint64_t used;		/* frames handed out now; derived */
	uint8_t *bitmap;	/* a byte per frame: set while handed out */
};

struct cmasim_pagepool *cmasim_pagepool_new(uint64_t base_pfn, uint64_t nr_pages)
{
	struct cmasim_pagepool *pool = g_new0(struct cmasim_pagepool, 1);

	pool->base_pfn = base_pfn;
	pool->nr_pages = nr_pages;
	pool->bitmap = g_new0(uint8_t, MAX(nr_pages, 1));
	return pool;
}

void cmasim_pagepool_free(struct cmasim_pagepool *pool)
{
	if (!pool)
		return;
	g_free(pool->bitmap);
	g_free(pool);
}

uint64_t mm_find_zero_area(const uint8_t *bitmap, uint64_t size, uint64_t start, uint64_t nr,
			   uint64_t mask, uint64_t offset)
{
	for (uint64_t i = ((start + offset + mask) & ~mask) - offset; i + nr <= size;) {
		uint64_t j = 0;

		while (j < nr && !bitmap[i + j])
			j++;
		if (j == nr)
			return i;
		/* past the set byte, then up to the next aligned index */
		i = ((i + j + 1 + offset + mask) & ~mask) - offset;
	}
	return size;
}

uint64_t cmasim_pagepool_base_pfn(const struct cmasim_pagepool *pool)
{
	return pool->base_pfn;
}

uint64_t cmasim_pagepool_size(const struct cmasim_pagepool *pool)
{
	return pool->nr_pages;
}

uint64_t cmasim_pagepool_used(const struct cmasim_pagepool *pool)
{
	return pool->used;
}

int cmasim_pagepool_alloc(struct cmasim_pagepool *pool, uint64_t nr, unsigned int align,
			  uint64_t *pfn)
{
	uint64_t mask = (UINT64_C(1) << MIN(align, 63u)) - 1;

	g_return_val_if_fail(nr > 0, -EINVAL);
	if (nr > pool->nr_pages)
		return -ENOMEM;
	/* bitmap_find_next_zero_area(): aligned starts, the first whose run is all clear */
	uint64_t start = mm_find_zero_area(pool->bitmap, pool->nr_pages, 0, nr, mask, 0);

	if (start >= pool->nr_pages)
		return -ENOMEM;
	memset(pool->bitmap + start, 1, nr);
	pool->used += nr;
	*pfn = pool->base_pfn + start;
	return 0;
}

void cmasim_pagepool_release(struct cmasim_pagepool *pool, uint64_t pfn, uint64_t nr)
{
	g_return_if_fail(pfn >= pool->base_pfn && pfn - pool->base_pfn + nr <= pool->nr_pages);
	memset(pool->bitmap + (pfn - pool->base_pfn), 0, nr);
	pool->used -= nr;
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The buddy page allocator, following mm/page_alloc.c (Linux 6.1): free
 * lists per zone x order x migratetype, fallback and stealing, watermarks.
 */
#ifndef CMASIM_BUDDY_H
#define CMASIM_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmasim/physmem.h"

enum cmasim_wmark {
	CMASIM_WMARK_MIN,
	CMASIM_WMARK_LOW,
	CMASIM_WMARK_HIGH,
};

/*
 * Allocates 2^@order pages of migratetype @mt (UNMOVABLE, MOVABLE or
 * RECLAIMABLE) from the zones up to @highest_zone, highest first, as
 * get_page_from_freelist() walks its zonelist: first against the low
 * watermark (with ALLOC_NOFRAGMENT where the profile and the zones call for
 * it, then without), then against min as the slow path does once kswapd is
 * woken.
 * Reclaim and compaction are not tried here.
 * Returns 0 and the first pfn in *@pfn, or -ENOMEM.
 */
int cmasim_alloc_pages(struct cmasim_mem *mem, unsigned int order,
		       enum cmasim_migratetype mt, enum cmasim_zone_type highest_zone,
		       uint64_t *pfn);

/*
 * Takes exactly [@pfn, @pfn + 2^@order) off the free lists, splitting the
 * free block that holds it, and marks it allocated as @mt. Watermarks are
 * not checked: this places pages where a trace says they were.
 * Returns 0, -EINVAL if @pfn is not aligned to @order or not in one zone,
 * or -EBUSY if any page of the range is not free.
 */
int cmasim_alloc_pages_at(struct cmasim_mem *mem, uint64_t pfn, unsigned int order,
			  enum cmasim_migratetype mt);

/* Frees the block allocated at @pfn; the order is the one it was allocated with. */
void cmasim_free_pages(struct cmasim_mem *mem, uint64_t pfn);

/*
 * split_page(): turns the block allocated at @pfn into order-0 pages that
 * are freed one by one. Costs a write per page, as in the kernel.
 */
void cmasim_split_page(struct cmasim_mem *mem, uint64_t pfn);

/*
 * Moves the free pages of @pfn's pageblock to @mt's free lists, as
 * move_freepages_block() does. Returns the pages moved and, in
 * *@movable if not NULL, the allocated MOVABLE pages in the block.
 */
uint64_t cmasim_move_freepages_block(struct cmasim_mem *mem, uint64_t pfn,
				     enum cmasim_migratetype mt, uint64_t *movable);

/*
 * __zone_watermark_ok(): would @zone stay above @mark after giving out
 * 2^@order pages to a request of @mt whose highest zone is @highest_zone,
 * and is there a free block of at least @order it may use?
 */
bool cmasim_zone_watermark_ok(const struct cmasim_mem *mem, unsigned int zone,
			      unsigned int order, enum cmasim_wmark mark,
			      enum cmasim_zone_type highest_zone, enum cmasim_migratetype mt);

/* Free blocks of exactly @order on @mt's list in @zone. */
uint64_t cmasim_zone_nr_free_blocks(const struct cmasim_mem *mem, unsigned int zone,
				    unsigned int order, enum cmasim_migratetype mt);

/*
 * Copies up to @max pfns of @mt's order-@order free list in @zone into
 * @pfns, in list order (the next allocation takes the first). Returns the
 * list's length.
 */
size_t cmasim_zone_free_list(const struct cmasim_mem *mem, unsigned int zone,
			     unsigned int order, enum cmasim_migratetype mt,
			     uint64_t *pfns, size_t max);

/* Fragmentation of one zone at one order, as mm/vmstat.c computes it. */
struct cmasim_frag {
	uint64_t free_pages;
	uint64_t free_blocks_total;	/* free blocks of any order */
	uint64_t free_blocks_suitable;	/* free space in blocks >= the order, in units of 2^order */
	int unusable_index;		/* x1000: share of free pages in blocks too small */
	int extfrag_index;		/* x1000: Gorman's index; -1000 if a block exists, 0 if none free */
	int largest_order;		/* order of the largest free block, -1 if none */
	/*
	 * the same two with free CMA pages left out: what an unmovable
	 * request sees (the kernel's count them, so CMA looks unfragmented)
	 */
	int unusable_index_no_cma;
	int extfrag_index_no_cma;
};

void cmasim_zone_frag(const struct cmasim_mem *mem, unsigned int zone, unsigned int order,
		      struct cmasim_frag *frag);

#endif

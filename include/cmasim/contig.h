/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Contiguous allocations: alloc_contig_range() on any pfn range, and CMA
 * areas with their bitmaps, following mm/page_alloc.c and mm/cma.c (6.1).
 */
#ifndef CMASIM_CONTIG_H
#define CMASIM_CONTIG_H

#include <stdint.h>
#include <glib.h>

#include "cmasim/migrate.h"
#include "cmasim/physmem.h"

/* One contiguous allocation's work and outcome; ns of simulated time. */
struct cmasim_contig_stats {
	struct cmasim_migrate_stats migrate;	/* summed over every attempt */
	uint64_t attempts;		/* ranges tried (alloc_contig_range calls) */
	uint64_t busy;			/* of which failed busy */
	uint64_t cost_ns;		/* everything, migration included */
};

/*
 * alloc_contig_range(): isolates the pageblocks around [@start, @end),
 * drains, migrates and reclaims what is in the range, and takes its pages
 * as allocated blocks owned by a DMA buffer. @mt is the type the
 * pageblocks get back afterwards (CMA, or MOVABLE outside CMA areas).
 * Returns 0, -EBUSY (pinned or unmovable pages), or -ENOMEM (migration
 * found no destination).
 */
int cmasim_alloc_contig_range(struct cmasim_mem *mem, uint64_t start, uint64_t end,
			      enum cmasim_migratetype mt, struct cmasim_contig_stats *stats);

/* Frees [@pfn, @pfn + @count) taken by cmasim_alloc_contig_range() (free_contig_range()). */
void cmasim_free_contig_range(struct cmasim_mem *mem, uint64_t pfn, uint64_t count);

/*
 * alloc_contig_pages(): the first range of @count pages, stepping by
 * @count from ALIGN(zone start, @count), in a zone up to @highest_zone,
 * highest zone first, that holds no reserved page and that
 * alloc_contig_range() can clear, and allocates it. Returns 0 with *@pfn,
 * or -ENOMEM.
 */
int cmasim_alloc_contig_pages(struct cmasim_mem *mem, uint64_t count,
			      enum cmasim_zone_type highest_zone, uint64_t *pfn,
			      struct cmasim_contig_stats *stats);

/* Why pages kept a range from being cleared. */
enum cmasim_block_why {
	CMASIM_BLOCK_PINNED,	/* movable, but pinned: migration cannot take it */
	CMASIM_BLOCK_UNMOVABLE,	/* neither anon nor page cache: nothing moves it */
	CMASIM_BLOCK_RESERVED,	/* PageReserved: a hole, or RAM the allocator never had */
	CMASIM_BLOCK_ISOLATED,	/* its pageblock was isolated by another allocation */
	CMASIM_NR_BLOCK_WHYS,
};

const char *cmasim_block_why_name(enum cmasim_block_why why);

/*
 * The pages that kept one busy range from being cleared, as page_owner
 * and "PFNs busy" tell a kernel engineer.
 */
struct cmasim_blocker {
	uint64_t pfn;		/* the block's first page */
	uint64_t pages;
	enum cmasim_block_why why;
	enum cmasim_owner owner;	/* PINNED and UNMOVABLE: what the pages hold */
	bool tagged;		/* the block carries the cookie of cmasim_set_owner() */
	uint32_t cookie;
};

/*
 * What contiguous allocations tell an observer, when one is set: each
 * block that kept a range busy, each range that failed busy (@migrated:
 * after its isolation succeeded and migration left pages), and each
 * cma_alloc() that failed. Every call is on a failure's path: an observer
 * costs nothing while ranges clear.
 */
struct cmasim_contig_observer {
	void (*blocked)(void *arg, const struct cmasim_blocker *b);
	void (*busy)(void *arg, uint64_t start, uint64_t end, bool migrated);
	void (*cma_failed)(void *arg, const char *area, uint64_t count, int ret);
	void *arg;
};

/* Sets @obs (not copied; NULL for none) as @mem's observer. */
void cmasim_mem_set_contig_observer(struct cmasim_mem *mem,
				    const struct cmasim_contig_observer *obs);

struct cmasim_cma;

/*
 * Declares a CMA area of @count pages at @base_pfn, one bitmap bit per
 * 2^@order_per_bit pages: its pageblocks become CMA and its free pages go
 * to the CMA lists (cma_activate_area()). The range must be whole
 * pageblocks inside one zone. Returns NULL with @error otherwise.
 */
struct cmasim_cma *cmasim_cma_new(struct cmasim_mem *mem, const char *name, uint64_t base_pfn,
				  uint64_t count, unsigned int order_per_bit, GError **error);
void cmasim_cma_free(struct cmasim_cma *cma);

const char *cmasim_cma_name(const struct cmasim_cma *cma);
uint64_t cmasim_cma_base_pfn(const struct cmasim_cma *cma);
uint64_t cmasim_cma_count(const struct cmasim_cma *cma);
/* Pages of the area handed out now. */
uint64_t cmasim_cma_used(const struct cmasim_cma *cma);

/*
 * cma_alloc(): first fit in the bitmap for @count pages aligned to
 * 2^@align pages from the area's aligned base; alloc_contig_range() on it;
 * on -EBUSY the search resumes at the failed position plus the alignment
 * step. Returns 0 with *@pfn, or what the kernel's "cma_alloc: alloc
 * failed, req-size: N pages, ret: E" reports: -ENOMEM when the bitmap had
 * no free window (at once, costing nothing), -EBUSY when the last window
 * tried was busy and no other was left.
 */
int cmasim_cma_alloc(struct cmasim_cma *cma, uint64_t count, unsigned int align, uint64_t *pfn,
		     struct cmasim_contig_stats *stats);

/* cma_release(): gives [@pfn, @pfn + @count) back to the area and the buddy allocator. */
void cmasim_cma_release(struct cmasim_cma *cma, uint64_t pfn, uint64_t count);

#endif

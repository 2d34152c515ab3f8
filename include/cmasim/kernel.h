/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-version profiles: the memory-management rules that changed
 * between the kernels the study spans, as one table of data (sim/kernel.c)
 * that the allocator, isolation, migration, compaction and CMA placement
 * read, rather than version tests scattered through them. A machine's
 * kernel: key picks one, or the run options do; the default is today's.
 */
#ifndef CMASIM_KERNEL_H
#define CMASIM_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

struct cmasim_kernel {
	const char *name;		/* "3.5", "5.10", "6.1": what kernel: takes */
	const char *summary;		/* one line for listings */

	/* mm/page_alloc.c */
	/*
	 * MIGRATE_RESERVE (until 4.4, which put MIGRATE_HIGHATOMIC in its
	 * place and listed MOVABLE before RECLAIMABLE):
	 * setup_zone_migrate_reserve() makes the first MOVABLE pageblocks of
	 * each zone, as many as its min watermark fills and at most two,
	 * RESERVE, which only requests that every other list failed take
	 * (__rmqueue()'s retry_reserve) and no fallback claims
	 */
	bool migrate_reserve;
	/*
	 * fallbacks[MOVABLE] starts with CMA, searched from the largest order
	 * down with the other types, and a CMA block is taken whole without
	 * changing its type (__rmqueue_fallback(), 3.5); since 4.1 a movable
	 * request tries CMA's lists right after its own (__rmqueue_cma_fallback()).
	 */
	bool cma_in_fallbacks;
	/* UNMOVABLE fallbacks claim the whole pageblock as RECLAIMABLE ones do (4.0) */
	bool unmovable_claims_block;
	/*
	 * allocated pages of a compatible type count towards the half of a
	 * pageblock that a claim needs to change its type (4.12); before,
	 * only the free pages moved did
	 */
	bool claim_counts_alike;
	/*
	 * a MOVABLE request that cannot claim the block splits the smallest
	 * fallback block instead of the largest (4.13)
	 */
	bool fallback_smallest;
	/*
	 * ALLOC_NOFRAGMENT: with DMA32, a request preferring Normal tries the
	 * other zones before stealing below pageblock order (5.0)
	 */
	bool nofragment;
	/*
	 * watermark_boost_factor's default (5.0): a fallback that steals from
	 * another type's pageblock raises the zone's watermarks by a pageblock,
	 * up to high x factor / 10000, until kswapd has reclaimed it; 0: none
	 */
	unsigned int watermark_boost_factor;
	/* a MOVABLE request takes CMA first while free CMA exceeds half of all free (5.7) */
	bool cma_half_rule;
	/* requests without ALLOC_CMA leave free CMA out of the watermark check (3.7) */
	bool watermark_cma_unusable;
	/*
	 * low and high lie max(min / 4, managed x watermark_scale_factor) apart
	 * (4.6); before, low = min x 5/4 and high = min x 3/2
	 */
	bool watermark_scale_factor;
	/* watermarks and lowmem reserves from managed pages (3.8); before, present pages */
	bool watermark_managed;
	uint64_t min_free_kbytes_max;	/* the derived value's clamp: 65536, later 262144 */

	/* per-cpu page lists hold orders up to PAGE_ALLOC_COSTLY_ORDER (5.13); before, order 0 */
	bool pcp_high_order;
	/* a per-cpu list's high is the low watermark shared by the CPUs (5.14); before, 6 batches */
	bool pcp_high_from_low;

	/* mm/page_isolation.c */
	/*
	 * alloc_contig_range() isolates whole max(MAX_ORDER_NR_PAGES,
	 * pageblock) blocks around the range (before 5.19); since, pageblocks
	 */
	bool isolate_max_order;

	/* mm/compaction.c */
	/*
	 * large folios below the request's order migrate, and the free scanner
	 * hands out the highest run of the folio's order (6.10); before, only
	 * single pages moved, into single free pages in split_map_pages()' order
	 */
	bool compaction_folios;

	/* mm/gup.c */
	/*
	 * a long-term pin (FOLL_LONGTERM) first migrates its pages out of CMA
	 * (5.1) and ZONE_MOVABLE (5.13): check_and_migrate_movable_pages()
	 */
	bool longterm_pin_migrates;
	/*
	 * that target is asked without __GFP_MOVABLE (PF_MEMALLOC_PIN, 5.13):
	 * UNMOVABLE, and pages leave ZONE_MOVABLE too; 5.10 asked for MOVABLE
	 * outside CMA (PF_MEMALLOC_NOCMA) and moved CMA pages only
	 */
	bool longterm_pin_unmovable;

	/* mm/cma.c */
	/*
	 * where RAM reaches 4 GiB + the size, an area that is not fixed goes
	 * bottom-up from 4 GiB first, so that compaction moves pages out of
	 * it (cma_declare_contiguous_nid(), 5.10 era); before, top-down only
	 */
	bool cma_bottom_up;
	/* printk: alloc_contig_range()'s "PFNs busy" (4.x to 5.11), cma_alloc()'s failure (4.11 on) */
	bool log_pfns_busy;
	bool log_cma_alloc_failed;
};

/* The profile named @name, or NULL. */
const struct cmasim_kernel *cmasim_kernel_find(const char *name);
/* The default profile: today's kernel. */
const struct cmasim_kernel *cmasim_kernel_default(void);
/* The @i-th profile, oldest first, or NULL past the last. */
const struct cmasim_kernel *cmasim_kernel_nth(unsigned int i);

#endif

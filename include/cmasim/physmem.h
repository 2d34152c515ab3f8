/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical memory: page frames, zones and pageblocks of one machine.
 *
 * Frames are named by their absolute pfn (physical address >> page_shift),
 * as the kernel names them, so figures can be compared with a real machine.
 */
#ifndef CMASIM_PHYSMEM_H
#define CMASIM_PHYSMEM_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "cmasim/config.h"

/* The kernel's migratetypes with CMA and isolation built in, in its order. */
enum cmasim_migratetype {
	CMASIM_MT_UNMOVABLE,
	CMASIM_MT_MOVABLE,
	CMASIM_MT_RECLAIMABLE,
	/* Kept so that /proc/pagetypeinfo dumps have the kernel's columns;
	 * no high-order atomic reserve is modelled, so it stays empty. */
	CMASIM_MT_HIGHATOMIC,
	CMASIM_MT_CMA,
	CMASIM_MT_ISOLATE,
	/*
	 * MIGRATE_RESERVE, of the profiles that have it (migrate_reserve in
	 * include/cmasim/kernel.h); last, so that today's types keep their
	 * numbers. Never a type pages are allocated as.
	 */
	CMASIM_MT_RESERVE,
	CMASIM_NR_MIGRATETYPES,
};

/* Types a page allocation may ask for (MIGRATE_PCPTYPES in the kernel). */
#define CMASIM_NR_ALLOC_TYPES 3

/* The name /proc/pagetypeinfo prints, e.g. "Unmovable". */
const char *cmasim_migratetype_name(enum cmasim_migratetype mt);

struct cmasim_mem;

/* What one zone looks like now; all counts in pages. */
struct cmasim_zone_info {
	enum cmasim_zone_type type;
	uint64_t start_pfn;		/* first pfn the zone spans */
	uint64_t end_pfn;		/* one past the last */
	uint64_t present;		/* spanned pages less holes */
	uint64_t managed;		/* pages handed to the buddy allocator at boot */
	uint64_t wmark_min, wmark_low, wmark_high;	/* without the boost */
	uint64_t watermark_boost;	/* added to each while kswapd has work */
	uint64_t lowmem_reserve[CMASIM_NR_ZONE_TYPES]; /* by highest zone of the request */
	uint64_t nr_free;		/* NR_FREE_PAGES */
	uint64_t nr_free_cma;		/* NR_FREE_CMA_PAGES */
	uint64_t nr_cma;		/* pages in CMA pageblocks */
	uint64_t nr_cma_movable;	/* of which allocated to movable users (borrowed) */
};

/*
 * Boots a machine: every present frame free in the buddy allocator, every
 * pageblock MOVABLE, watermarks set. @cfg must outlive the result. NULL
 * when the host cannot map the frame array: see cmasim_machine_check_host().
 */
struct cmasim_mem *cmasim_mem_new(const struct cmasim_config *cfg);
/* Host bytes the frame and pageblock arrays of @cfg's machine take. */
uint64_t cmasim_mem_host_bytes(const struct cmasim_config *cfg);

/*
 * Host bytes booting @cfg's machine takes, estimated before it boots: its
 * frames and pageblocks, its mappings with the linear map split whole, its
 * cache. A run takes more as it goes, in proportion to what its trace
 * does (the coherence records of DMA buffers, the trace's live ids).
 */
uint64_t cmasim_machine_host_bytes(const struct cmasim_config *cfg);
/* Host memory a run may take: MemAvailable of /proc/meminfo, else all of RAM. */
uint64_t cmasim_host_available_bytes(void);
/*
 * Whether @cfg's machine fits in @limit bytes of host memory (0: what
 * cmasim_host_available_bytes() says; UINT64_MAX: any machine). False
 * with an error saying what it needs otherwise, so that a machine too
 * large for the host is refused at once rather than failing half-way.
 */
bool cmasim_machine_check_host(const struct cmasim_config *cfg, uint64_t limit, GError **error);
void cmasim_mem_free(struct cmasim_mem *mem);

const struct cmasim_config *cmasim_mem_config(const struct cmasim_mem *mem);
unsigned int cmasim_mem_nr_zones(const struct cmasim_mem *mem);
void cmasim_mem_zone_info(const struct cmasim_mem *mem, unsigned int zone,
			  struct cmasim_zone_info *info);
/*
 * Background reclaim: with kswapd on (the replay engine runs it), fallbacks
 * into another type's pageblock boost the watermarks. kswapd is wanted once
 * an allocation fell below the low watermark or a boost was set; it then
 * reclaims until the node is balanced (pgdat_balanced(): some zone above its
 * high watermark, boost included) and the boosts are reclaimed, and says
 * it is done, which clears them.
 */
void cmasim_mem_set_kswapd(struct cmasim_mem *mem, bool on);
bool cmasim_mem_kswapd_wanted(const struct cmasim_mem *mem);
bool cmasim_mem_balanced(const struct cmasim_mem *mem);
/* The pages the boosts add up to: what boosted reclaim frees at least. */
uint64_t cmasim_mem_boost(const struct cmasim_mem *mem);
void cmasim_mem_kswapd_done(struct cmasim_mem *mem);

/* NR_FREE_PAGES summed over the zones. */
uint64_t cmasim_mem_nr_free(const struct cmasim_mem *mem);
/* Index of the zone holding @pfn, or -1 outside RAM. */
int cmasim_mem_zone_of(const struct cmasim_mem *mem, uint64_t pfn);
/* Host bytes the frame and pageblock arrays take, per frame of RAM. */
double cmasim_mem_bytes_per_frame(const struct cmasim_mem *mem);

enum cmasim_migratetype cmasim_get_pageblock_migratetype(const struct cmasim_mem *mem,
							  uint64_t pfn);
/*
 * Re-types the pageblock holding @pfn. Its free pages stay on the lists
 * they are on: like the kernel's set_pageblock_migratetype(), moving them
 * is the caller's business (cmasim_move_freepages_block()).
 */
void cmasim_set_pageblock_migratetype(struct cmasim_mem *mem, uint64_t pfn,
				      enum cmasim_migratetype mt);

/*
 * Pageblocks of @zone holding allocated pages of a migratetype other than
 * their own, in the columns of /proc/pagetypeinfo's "Number of mixed blocks"
 * (mm/page_owner.c: a CMA block counts under Movable).
 */
uint64_t cmasim_zone_nr_mixed_pageblocks(const struct cmasim_mem *mem, unsigned int zone,
					 enum cmasim_migratetype column);
/* Pageblocks of @zone whose type is @mt. */
uint64_t cmasim_zone_nr_pageblocks(const struct cmasim_mem *mem, unsigned int zone,
				   enum cmasim_migratetype mt);

/*
 * Recounts every frame, free list and counter from scratch. Returns true
 * when all agree; otherwise false with what disagreed first in @why.
 * Costs a walk of all frames: for tests and --check-invariants only.
 */
bool cmasim_mem_check_invariants(const struct cmasim_mem *mem, GString *why);

/*
 * Starts noting which pageblocks the allocator changes, for
 * cmasim_mem_check_changes(); a few instructions on each change.
 */
void cmasim_mem_track_changes(struct cmasim_mem *mem);
/*
 * The checks of cmasim_mem_check_invariants() on the pageblocks changed
 * since the last call (every one at the first), each block's place on its
 * free list, and the zone counters against sums kept from those checks:
 * costs in proportion to the change. What it cannot see (a free list that
 * is miscounted far from any change) a full check finds.
 */
bool cmasim_mem_check_changes(struct cmasim_mem *mem, GString *why);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who owns allocated pages, and moving them: isolation, migration and
 * reclaim of a pfn range, as mm/page_isolation.c and mm/migrate.c do it.
 */
#ifndef CMASIM_MIGRATE_H
#define CMASIM_MIGRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cmasim/physmem.h"

/* What an allocated block holds, which decides whether it can move. */
enum cmasim_owner {
	CMASIM_OWNER_ANON,	/* movable user memory: migrates */
	CMASIM_OWNER_FILE,	/* clean page cache: reclaimed (dropped) rather than migrated */
	CMASIM_OWNER_SLAB,	/* reclaimable kernel caches: never move */
	CMASIM_OWNER_KERNEL,	/* unmovable kernel data: never moves */
	CMASIM_OWNER_PAGETABLE,	/* page-table pages: never move */
	CMASIM_OWNER_DMA,	/* a device's buffer: never moves */
	CMASIM_NR_OWNERS,
};

/* The name traces and reports use, e.g. "anon". */
const char *cmasim_owner_name(enum cmasim_owner owner);

/* What a request of migratetype @mt usually holds: ANON, SLAB or KERNEL. */
enum cmasim_owner cmasim_default_owner(enum cmasim_migratetype mt);

/*
 * Tags the block allocated at @pfn with its owner and the caller's @cookie
 * and @index, which cmasim_moved_fn gets back when the block moves. A block
 * starts as cmasim_default_owner() of the migratetype it was allocated as.
 */
void cmasim_set_owner(struct cmasim_mem *mem, uint64_t pfn, enum cmasim_owner owner,
		      uint32_t cookie, uint32_t index);
/* Pins or unpins the block allocated at @pfn (a GUP pin: it cannot move while pinned). */
void cmasim_set_pinned(struct cmasim_mem *mem, uint64_t pfn, bool pinned);

/*
 * Called when the block the caller tagged with @cookie and @index moved to
 * @new_pfn, or was reclaimed (@new_pfn UINT64_MAX: its pages are free now).
 */
typedef void (*cmasim_moved_fn)(void *arg, uint32_t cookie, uint32_t index, uint64_t new_pfn);
void cmasim_mem_set_moved_hook(struct cmasim_mem *mem, cmasim_moved_fn fn, void *arg);
/* Called when the pinned block of @pages the caller tagged with @cookie stopped a migration. */
typedef void (*cmasim_busy_fn)(void *arg, uint32_t cookie, uint64_t pages);
void cmasim_mem_set_busy_hook(struct cmasim_mem *mem, cmasim_busy_fn fn, void *arg);

/* What clearing a range did and why it stopped; pages, and ns of simulated time. */
struct cmasim_migrate_stats {
	uint64_t migrated;		/* pages copied to new frames */
	uint64_t reclaimed;		/* clean page-cache pages dropped instead */
	uint64_t busy_pinned;		/* pages that could not move: pinned */
	uint64_t busy_unmovable;	/* pages that could not move: not movable at all */
	uint64_t no_memory;		/* pages that found no destination frame */
	uint64_t cost_ns;		/* copying, remapping and reclaim */
};

/*
 * Empties [@start, @end) of allocated pages: every block touching the range
 * is migrated (ANON), reclaimed (FILE) or left (anything else, or pinned).
 * Destinations are allocated by the buddy rules as a MOVABLE request that
 * may use CMA, outside isolated pageblocks, so isolate the range first. Returns 0 when nothing allocated
 * is left, -EBUSY when pinned or unmovable pages stay, or -ENOMEM as soon
 * as a destination cannot be had (migrate_pages() stops there).
 */
int cmasim_migrate_range(struct cmasim_mem *mem, uint64_t start, uint64_t end,
			 struct cmasim_migrate_stats *stats);

/*
 * check_and_migrate_movable_pages() before a long-term pin (FOLL_LONGTERM)
 * of the block allocated at @pfn: where the profile has the rule, an
 * unpinned anon or page-cache block in a CMA pageblock (or ZONE_MOVABLE,
 * since 5.13) moves first to a target allocated without ALLOC_CMA, and the
 * moved hook says where. Returns 0 (moved or nothing to do) or -ENOMEM
 * (no target: the pin fails).
 */
int cmasim_migrate_for_longterm_pin(struct cmasim_mem *mem, uint64_t pfn,
				    struct cmasim_migrate_stats *stats);

/*
 * Marks the pageblocks covering [@start, @end) ISOLATE, taking their free
 * pages off the allocator (start_isolate_page_range()), for an allocation
 * that gives them type @mt back. A range that holds an isolated pageblock,
 * a CMA pageblock when @mt is not CMA, or unmovable or reserved pages in a
 * pageblock that is not CMA fails at once with -EBUSY and nothing isolated
 * (set_migratetype_isolate(), has_unmovable_pages()); pinned pages are not
 * seen here, they fail migration later. Returns 0 or -EBUSY.
 */
int cmasim_isolate_range(struct cmasim_mem *mem, uint64_t start, uint64_t end,
			 enum cmasim_migratetype mt);
/* Gives the pageblocks covering [@start, @end) type @mt again, with their free pages. */
void cmasim_undo_isolate_range(struct cmasim_mem *mem, uint64_t start, uint64_t end,
			       enum cmasim_migratetype mt);

/* Whether every page of [@start, @end) is free (test_pages_isolated()). */
bool cmasim_range_free(const struct cmasim_mem *mem, uint64_t start, uint64_t end);

#endif

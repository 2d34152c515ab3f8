/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory compaction of one zone, as mm/compaction.c's compact_zone() does
 * it: a migrate scanner walking up from the zone start moves movable pages
 * into free pages a free scanner finds walking down from the zone end,
 * until the scanners meet or a free block of the wanted order exists.
 */
#ifndef CMASIM_COMPACT_H
#define CMASIM_COMPACT_H

#include <stdint.h>

#include "cmasim/physmem.h"

/* What one compaction did; pages, and ns of simulated time. */
struct cmasim_compact_stats {
	uint64_t migrate_scanned;	/* pages of the pageblocks the migrate scanner walked */
	uint64_t free_scanned;		/* pages of the pageblocks the free scanner walked */
	uint64_t migrated;		/* pages moved to new frames */
	uint64_t cost_ns;		/* copying and remapping them, and scanning */
};

/* Why compaction stopped (enum compact_result, the outcomes cmasim has). */
enum cmasim_compact_result {
	/* a free block of the order exists (it may have existed before) */
	CMASIM_COMPACT_SUCCESS,
	/* the scanners met: the whole zone was tried */
	CMASIM_COMPACT_COMPLETE,
	/*
	 * not worth it, nothing scanned: too little free memory to compact
	 * into, or (orders above PAGE_ALLOC_COSTLY_ORDER) a fragmentation
	 * index in [0, 500] says the failure is lack of memory
	 */
	CMASIM_COMPACT_SKIPPED,
	/* the scanners met on a run that started at the cached positions, not the zone's edge */
	CMASIM_COMPACT_PARTIAL_SKIPPED,
	/* not tried: compaction of this order failed lately (compaction_deferred()) */
	CMASIM_COMPACT_DEFERRED,
};

/* "success", "complete", "skipped", "partial_skipped" or "deferred". */
const char *cmasim_compact_result_name(enum cmasim_compact_result result);

/*
 * Compacts zone @zone for a block of @order as kcompactd does (sync, from
 * where the last run stopped, deferred after failures), or with @order -1
 * all of it until the scanners meet (echo 1 > /proc/sys/vm/compact_memory).
 * Adds what it did to *@st. Every rule is spelled out at the top of
 * sim/compact.c.
 */
enum cmasim_compact_result cmasim_compact_zone(struct cmasim_mem *mem, unsigned int zone,
					       int order, struct cmasim_compact_stats *st);

/*
 * An allocation's direct compaction (try_to_compact_pages()): async, for a
 * request of @order and type @mt whose highest zone is @highest_zone.
 */
enum cmasim_compact_result cmasim_compact_zone_direct(struct cmasim_mem *mem, unsigned int zone,
						      unsigned int order,
						      enum cmasim_migratetype mt,
						      enum cmasim_zone_type highest_zone,
						      struct cmasim_compact_stats *st);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A machine's initial state: the pages allocated when a run starts, and
 * what they hold, as `cmasim import snapshot` writes it from a real
 * machine. A machine config names the file with initial: (a path from the
 * config's folder); runs and `cmasim info` boot into it.
 *
 * The file is text, gzipped or not, a record a line, # starting a comment:
 *
 *   cmasim-state 1                   the first line
 *   frames PFN COUNT                 the machine's RAM: its first pfn, and frames
 *   pageblock PFN COUNT TYPE         COUNT pageblocks from PFN on are of TYPE
 *                                    (unmovable or reclaimable; others are movable)
 *   alloc PFN ORDER COUNT KIND       COUNT blocks of 2^ORDER pages from PFN on
 *                                    are allocated and hold KIND
 *
 * PFN is hex (0x optional), the rest decimal. KIND is anon, file,
 * file-active (page cache on the active LRU), slab, pagetable or kernel.
 * pageblock and alloc lines each ascend without overlapping; blocks are
 * naturally aligned, in one zone, clear of holes and reserved ranges.
 *
 * Loading it: the pageblocks get their types (their free pages move to
 * their lists), then each block is placed as cmasim_alloc_pages_at()
 * places it, allocated as MOVABLE (anon, file), RECLAIMABLE (slab in a
 * reclaimable pageblock) or UNMOVABLE, with the owner of its kind (file
 * and file-active are clean page cache). Every page in no block stays
 * free, so the buddy allocator holds them in maximal aligned free blocks,
 * as a real one does. These blocks are known by their pfn only
 * (CMASIM_COOKIE_PFN): a trace frees them with free's pfn:.
 */
#ifndef CMASIM_STATE_H
#define CMASIM_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "cmasim/migrate.h"
#include "cmasim/physmem.h"

/*
 * The tag (cmasim_set_owner()'s cookie) of a block known by its pfn
 * only: the initial state's, and a trace's alloc without an id.
 */
#define CMASIM_COOKIE_PFN 0xfffffffeu

struct cmasim_state;

/*
 * Loads the initial state @mem's config names into @mem, just booted.
 * Returns what reclaim needs of it (its page cache, oldest first), or
 * NULL with "file:line:column: ..." when the file is bad or does not fit
 * the machine.
 */
struct cmasim_state *cmasim_state_load(struct cmasim_mem *mem, GError **error);
/* The same from @bytes (gzipped or not), which @source names in messages. */
struct cmasim_state *cmasim_state_load_data(struct cmasim_mem *mem, const char *source,
					    GBytes *bytes, GError **error);
/* The pages the state's blocks took when it loaded. */
uint64_t cmasim_state_pages(const struct cmasim_state *st);
/*
 * Drops up to about @max pages of the state's clean page cache that is
 * still allocated where the state put it and not pinned, inactive before
 * active, as reclaim walks its LRU. Returns the pages freed.
 */
uint64_t cmasim_state_reclaim(struct cmasim_state *st, struct cmasim_mem *mem, uint64_t max);
/*
 * Migration moved the state's page-cache block of LRU place @index (its
 * cookie's index) to @new_pfn, or reclaimed it (UINT64_MAX).
 */
void cmasim_state_moved(struct cmasim_state *st, uint32_t index, uint64_t new_pfn);
void cmasim_state_free(struct cmasim_state *st);

/*
 * A trace's alloc of a block at @pfn without an id: 2^@order pages as
 * @mt, holding @owner, known by their pfn. Blocks known by their pfn in
 * the way are freed first (the trace knows better than a snapshot, which
 * cannot tell a page on a per-cpu list from an allocated one); their
 * pages are added to *@mismatched. Returns 0, or -EBUSY when other pages
 * (free ones aside) are in the way, or -EINVAL when the block is not
 * inside one zone.
 */
int cmasim_pfn_alloc(struct cmasim_mem *mem, uint64_t pfn, unsigned int order,
		     enum cmasim_migratetype mt, enum cmasim_owner owner, uint64_t *mismatched);
/*
 * A trace's free of [@pfn, @pfn + 2^@order): the blocks known by their
 * pfn in it go straight back to the buddy allocator's free lists, as a
 * per-cpu list's drain or a free above the per-cpu orders puts them
 * there; a larger one holding the range is split first (split_page()).
 * Pages of the range that hold no such block are added to *@mismatched.
 * Returns the pages freed.
 */
uint64_t cmasim_pfn_free(struct cmasim_mem *mem, uint64_t pfn, unsigned int order,
			 uint64_t *mismatched);

/*
 * How many of @zone's naturally aligned ranges of 2^@order pages
 * migration alone could empty: no hole, reserved page, pinned block or
 * block that never moves inside (free pages, anonymous memory and page
 * cache only). *@ranges gets how many lie wholly in the zone. Costs a
 * walk of the zone's frames.
 */
uint64_t cmasim_mem_clearable_ranges(const struct cmasim_mem *mem, unsigned int zone,
				     unsigned int order, uint64_t *ranges);

#endif

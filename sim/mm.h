/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to sim/: the layout of frames, pageblocks and zones shared by
 * physmem.c, buddy.c, check.c and report.c. Never installed.
 *
 * Frames are indexed from the first frame of RAM (idx = pfn - base_pfn);
 * the config guarantees base_pfn is aligned to the largest buddy block and
 * to a pageblock, so buddy arithmetic on indices equals the kernel's on pfns.
 */
#ifndef CMASIM_SIM_MM_H
#define CMASIM_SIM_MM_H

#include <inttypes.h>
#include <stdint.h>

#include "cmasim/buddy.h"
#include "cmasim/contig.h"
#include "cmasim/migrate.h"
#include "cmasim/physmem.h"

#define NIL UINT32_MAX

/* For the invariant checkers: says why in @why, when it is not NULL, and fails. */
#define FAIL(...)                                              \
	do {                                                   \
		if (why)                                       \
			g_string_append_printf(why, __VA_ARGS__); \
		return false;                                  \
	} while (0)

enum frame_state {
	FRAME_TAIL,	/* inside a block whose head is elsewhere; all other fields stale */
	FRAME_FREE,	/* head of a free block on a free list */
	FRAME_ALLOC,	/* head of an allocated block */
	FRAME_HOLE,	/* no RAM here (PageReserved of a hole) */
	FRAME_RESERVED,	/* present RAM the allocator never got (PageReserved) */
	FRAME_PCP,	/* head of a block on a per-cpu list: mt is its pcp migratetype */
};

/*
 * One page frame, 12 bytes. Only block heads carry state, as PageBuddy and
 * buddy_order() live on the head page in the kernel; a frame stops being a
 * head (state FRAME_TAIL) as soon as it is merged into a larger block.
 */
struct frame {
	uint32_t next;		/* free head: next index on its free list, or NIL; alloc: cookie */
	uint32_t prev;		/* free head: previous index, or NIL; alloc: index */
	uint8_t state;		/* enum frame_state */
	uint8_t order;		/* head: log2 of the block's pages */
	uint8_t mt;		/* free head: the list it is on; alloc head: the type asked for */
	uint8_t owner;		/* alloc head: enum cmasim_owner, | OWNER_PINNED */
};

#define OWNER_PINNED 0x80
#define OWNER_KIND(o) ((o) & 0x7f)

/* One pageblock, 10 bytes: its type and who holds its allocated pages. */
struct pageblock {
	uint8_t mt;				/* enum cmasim_migratetype */
	uint8_t zone;				/* index into mem->zones */
	uint8_t absent;				/* wholly in a hole: no page of it exists */
	uint16_t nr_alloc[CMASIM_NR_ALLOC_TYPES]; /* allocated pages by type asked for */
};

struct free_list {
	uint32_t first, last;	/* frame indices, NIL when empty */
	uint64_t nr;		/* blocks on the list */
};

/* PAGE_ALLOC_COSTLY_ORDER: the largest order per-cpu lists hold (6.1) */
#define PCP_MAX_ORDER 3

/* struct per_cpu_pages of the one CPU the trace runs on */
struct per_cpu_pages {
	uint32_t count;		/* pages on the lists */
	uint32_t high;		/* more than this and a batch goes back */
	uint32_t batch;		/* pages a refill takes and a drain gives back */
	unsigned int free_factor; /* frees since the last allocation double the drain */
	unsigned int last;	/* the list freed to last (pindex) */
	struct free_list lists[PCP_MAX_ORDER + 1][CMASIM_NR_ALLOC_TYPES];
};

struct zone {
	enum cmasim_zone_type type;
	uint32_t start, end;		/* frame indices spanned, end exclusive */
	uint64_t present;		/* pages not in holes */
	uint64_t managed;		/* of which the buddy allocator got at boot (not reserved) */
	uint64_t wmark[3];		/* pages, by enum cmasim_wmark */
	uint64_t watermark_boost;	/* pages added to each while kswapd has reclaiming to do */
	uint64_t lowmem_reserve[CMASIM_NR_ZONE_TYPES];
	uint64_t nr_free;		/* NR_FREE_PAGES: free pages not isolated */
	uint64_t nr_free_cma;		/* NR_FREE_CMA_PAGES */
	uint64_t nr_cma_movable;	/* pages allocated MOVABLE in CMA pageblocks: borrowed */
	uint64_t nr_pageblocks[CMASIM_NR_MIGRATETYPES];
	uint64_t nr_mixed[CMASIM_NR_MIGRATETYPES];
	struct per_cpu_pages pcp;	/* empty and unused unless the machine has cpus: */
	struct free_list free_area[CMASIM_ORDER_LIMIT + 1][CMASIM_NR_MIGRATETYPES];
	/* bit o set while free_area[o][mt] holds a block: the smallest order to serve is a ctz */
	uint16_t free_orders[CMASIM_NR_MIGRATETYPES];
	/* compaction's zone state: compact_cached_*_pfn and the deferral */
	uint32_t compact_cached_migrate[2];	/* frame index: async [0], sync [1] */
	uint32_t compact_cached_free;		/* frame index of a pageblock */
	uint64_t compact_considered;
	unsigned int compact_defer_shift;
	int compact_order_failed;
};

struct cmasim_mem {
	const struct cmasim_config *cfg;
	cmasim_moved_fn moved;		/* told when migration moves or drops a tagged block */
	void *moved_arg;
	const struct cmasim_contig_observer *contig_obs; /* told why ranges stay busy, or NULL */
	uint64_t base_pfn;
	uint32_t nr_frames;
	unsigned int max_order;		/* inclusive */
	unsigned int pb_order;
	unsigned int nr_zones;
	bool kswapd;			/* kswapd runs: watermarks may be boosted */
	bool pcp;			/* per-cpu lists are modelled (the config has cpus:) */
	unsigned int pcp_max_order;	/* the largest order they hold */
	bool kswapd_wanted;		/* an allocation fell below low, or a boost was set */
	/* whether a request whose highest zone is [z] tries ALLOC_NOFRAGMENT first */
	bool nofragment[CMASIM_NR_ZONE_TYPES];
	struct frame *frames;
	struct pageblock *pageblocks;
	struct zone zones[CMASIM_NR_ZONE_TYPES];
	struct mm_changes *changes;	/* what changed since the last check (check.c), or NULL */
};

/*
 * migrate.c: tells @mem's contiguous-allocation observer, if any, that the
 * block at @idx kept a range busy for @why (a hole or reserved frame:
 * that frame; ISOLATED: its pageblock).
 */
void mm_blocked(struct cmasim_mem *mem, uint32_t idx, enum cmasim_block_why why);

/* check.c: notes that the block of 2^@order frames at @idx changed, for cmasim_mem_check_changes(). */
void mm_changed(struct cmasim_mem *mem, uint32_t idx, unsigned int order);
/* check.c: frees what tracking changes took. */
void mm_changes_free(struct mm_changes *c);

/* Whether what changes is tracked, for cmasim_mem_check_changes(). */
static inline bool mm_tracking(const struct cmasim_mem *mem)
{
	return mem->changes;
}

/*
 * Notes, if @track, that the block of 2^@order frames at @idx changed: its
 * state, its place on a free list, or (order 0 at the pageblock's start)
 * its pageblock's counters. The allocator's hot paths ask mm_tracking()
 * once a call and pass the answer down, so that their common copy, inlined
 * with @track false, spends no test on it in each list change.
 */
static inline void mm_note(struct cmasim_mem *mem, bool track, uint32_t idx, unsigned int order)
{
	if (track)
		mm_changed(mem, idx, order);
}

/* mm_note() for whatever is tracked now */
static inline void mm_touch(struct cmasim_mem *mem, uint32_t idx, unsigned int order)
{
	mm_note(mem, mm_tracking(mem), idx, order);
}

static inline struct pageblock *pageblock_of(const struct cmasim_mem *mem, uint32_t idx)
{
	return &mem->pageblocks[idx >> mem->pb_order];
}

static inline struct zone *zone_of(struct cmasim_mem *mem, uint32_t idx)
{
	return &mem->zones[pageblock_of(mem, idx)->zone];
}

/*
 * Hints the cache to fetch frame @pfn, which the caller will soon look at.
 * Always inline, as every function wrapping it must be: GCC takes a
 * function whose only effect is a prefetch for one without effects, and
 * drops the calls to it that it has not inlined yet (GCC 12 dropped every
 * call of the engine's read-ahead).
 */
G_ALWAYS_INLINE
static inline void mm_prefetch_frame(const struct cmasim_mem *mem, uint64_t pfn)
{
	if (pfn - mem->base_pfn < mem->nr_frames)
		__builtin_prefetch(&mem->frames[pfn - mem->base_pfn]);
}

/* NR_FREE_PAGES of the whole machine; inline, as a replay reads it after every event. */
static inline uint64_t mm_nr_free(const struct cmasim_mem *mem)
{
	uint64_t pages = 0;

	for (unsigned int i = 0; i < mem->nr_zones; i++)
		pages += mem->zones[i].nr_free;
	return pages;
}

/* Whether kswapd has work to do; inline, as a replay asks after every event. */
static inline bool mm_kswapd_wanted(const struct cmasim_mem *mem)
{
	return mem->kswapd && mem->kswapd_wanted;
}

/* Whether frame @idx is no RAM. */
static inline bool in_hole(const struct cmasim_mem *mem, uint32_t idx)
{
	return mem->frames[idx].state == FRAME_HOLE;
}

/* Whether frame @idx is PageReserved: a hole or present RAM the allocator never got. */
static inline bool frame_reserved(const struct cmasim_mem *mem, uint32_t idx)
{
	return mem->frames[idx].state == FRAME_HOLE || mem->frames[idx].state == FRAME_RESERVED;
}

/* Whether the pageblock holding @idx lies wholly in a hole (!pfn_valid() of it all). */
static inline bool pageblock_absent(const struct cmasim_mem *mem, uint32_t idx)
{
	return pageblock_of(mem, idx)->absent;
}

/* cmasim_set_owner() of allocated head @idx, inline for the engine's every allocation. */
static inline void mm_set_owner(struct cmasim_mem *mem, uint32_t idx, unsigned int owner,
				uint32_t cookie, uint32_t index)
{
	struct frame *f = &mem->frames[idx];

	f->owner = (uint8_t)((f->owner & OWNER_PINNED) | owner);
	f->next = cookie;
	f->prev = index;
}

/* cmasim_default_owner() of @mt, a type a request may ask for, inline for the allocator. */
static inline uint8_t mm_default_owner(unsigned int mt)
{
	static const uint8_t owner_of[CMASIM_NR_ALLOC_TYPES] = {
		[CMASIM_MT_UNMOVABLE] = CMASIM_OWNER_KERNEL,
		[CMASIM_MT_MOVABLE] = CMASIM_OWNER_ANON,
		[CMASIM_MT_RECLAIMABLE] = CMASIM_OWNER_SLAB,
	};

	return owner_of[mt];
}

/* Whether an allocated block of @owner sits on the LRU: anon or page cache, which may move. */
static inline bool owner_is_lru(uint8_t owner)
{
	return OWNER_KIND(owner) == CMASIM_OWNER_ANON || OWNER_KIND(owner) == CMASIM_OWNER_FILE;
}

/* wmark_pages(): a watermark with the zone's boost */
static inline uint64_t wmark_pages(const struct zone *z, enum cmasim_wmark mark)
{
	return z->wmark[mark] + z->watermark_boost;
}

static inline uint32_t pageblock_nr_pages(const struct cmasim_mem *mem)
{
	return UINT32_C(1) << mem->pb_order;
}

/*
 * physmem.c: buddy.c's account_alloc() of a block whose pageblocks' counts
 * may change its zone's.
 */
void mm_account_alloc_zone(struct cmasim_mem *mem, uint32_t idx, unsigned int order,
			   unsigned int mt, int sign);

/* physmem.c: calls @fn on each maximal naturally aligned block of [start, end). */
void mm_for_each_aligned_block(struct cmasim_mem *mem, uint32_t start, uint32_t end,
			       void (*fn)(struct cmasim_mem *mem, uint32_t idx, unsigned int order));

/*
 * pagepool.c: bitmap_find_next_zero_area_off() over a byte per bit: the
 * first run of @nr clear bytes at or after @start whose index plus @offset
 * is a multiple of @mask + 1, or @size when there is none.
 */
uint64_t mm_find_zero_area(const uint8_t *bitmap, uint64_t size, uint64_t start, uint64_t nr,
			   uint64_t mask, uint64_t offset);

/* compact.c: the compaction state of @z at boot: scanners at the zone's edges. */
void mm_compact_init_zone(const struct cmasim_mem *mem, struct zone *z);

/*
 * buddy.c: after the watermarks, sizes the per-cpu lists of every zone
 * (zone_pcp_init()) and settles which requests try ALLOC_NOFRAGMENT.
 */
void buddy_init(struct cmasim_mem *mem);
/* buddy.c: drain_all_pages() of the zone holding @idx: its per-cpu pages back to the buddy lists. */
void buddy_drain_pcp(struct cmasim_mem *mem, uint32_t idx);

/*
 * buddy.c: setup_zone_migrate_reserve() (3.5) of every zone, where the
 * profile has MIGRATE_RESERVE: after the watermarks, and again once CMA
 * areas have taken their pageblocks.
 */
void buddy_setup_reserve(struct cmasim_mem *mem);
/* buddy.c: the RESERVE pageblocks @z is to have: none without MIGRATE_RESERVE. */
uint64_t buddy_reserve_blocks(const struct cmasim_mem *mem, const struct zone *z);

/* buddy.c: frees [idx, idx + 2^order) at boot, tail-first like memblock_free_all(). */
void buddy_free_boot(struct cmasim_mem *mem, uint32_t idx, unsigned int order);
/*
 * buddy.c: frees the free block of at least a pageblock that starts the
 * pageblock at @idx again, so that it merges with its free buddy where
 * __free_one_page() allows: what __putback_isolated_page() and
 * init_cma_reserved_pageblock()'s __free_pages() do.
 */
void buddy_merge_block(struct cmasim_mem *mem, uint32_t idx);
/*
 * buddy.c: unset_migratetype_isolate(): gives the isolated pageblock at
 * @idx type @mt back with its free pages, merging a free block of at least
 * a pageblock with its free buddy outside isolation.
 */
void buddy_unisolate_block(struct cmasim_mem *mem, uint32_t idx, unsigned int mt);

/*
 * The tail of __zone_watermark_ok(): whether @z has a free block of
 * @order or more on a list a request may use, CMA's with @alloc_cma.
 */
static inline bool buddy_free_block_ok(const struct zone *z, unsigned int order, bool alloc_cma)
{
	/* any request ends at the reserve (3.5) */
	unsigned int orders = z->free_orders[CMASIM_MT_RESERVE];

	for (unsigned int t = 0; t < CMASIM_NR_ALLOC_TYPES; t++)
		orders |= z->free_orders[t];
	/* masked, not a branch: whether a request may use CMA varies at random */
	orders |= z->free_orders[CMASIM_MT_CMA] & -(unsigned int)alloc_cma;
	return orders >> order;
}

/*
 * buddy.c: frees the block allocated at @idx, through the per-cpu lists
 * when @pcp and they take it (cmasim_free_pages()), else straight to the
 * free lists (free_one_page()).
 */
void buddy_free(struct cmasim_mem *mem, uint32_t idx, bool pcp);

/* buddy.c: the head of the block or hole holding @idx (page_head() of the buddy world). */
uint32_t buddy_block_head(const struct cmasim_mem *mem, uint32_t idx);

/*
 * buddy.c: cmasim_alloc_pages() with CMA pageblocks allowed or not, as
 * ALLOC_CMA is set or not (a long-term pin's migration target leaves CMA out).
 */
int buddy_alloc(struct cmasim_mem *mem, unsigned int order, unsigned int mt,
		enum cmasim_zone_type highest_zone, bool alloc_cma, uint64_t *pfn);

/*
 * migrate.c: migrates the allocated block at @idx into the free frames at
 * @dest (a naturally aligned run of its order), as compaction does with a
 * page its free scanner found. Returns 0, or -EBUSY if @dest is not free.
 */
int mm_migrate_block_to(struct cmasim_mem *mem, uint32_t idx, uint32_t dest,
			struct cmasim_migrate_stats *st);

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The buddy allocator. Each rule follows Linux 6.1 mm/page_alloc.c and names
 * the function it comes from, so the two can be read side by side.
 */
#include <errno.h>

#include "mm.h"

static bool mt_mergeable(unsigned int mt)
{
	return mt < CMASIM_NR_ALLOC_TYPES;	/* migratetype_is_mergeable() */
}

/* NR_FREE_PAGES leaves isolated pages out; NR_FREE_CMA_PAGES counts CMA lists. */
G_ALWAYS_INLINE
static inline void account_free(struct zone *z, unsigned int order, unsigned int mt, int sign)
{
	int64_t pages = sign * (INT64_C(1) << order);

	if (mt != CMASIM_MT_ISOLATE)
		z->nr_free += (uint64_t)pages;
	if (mt == CMASIM_MT_CMA)
		z->nr_free_cma += (uint64_t)pages;
}

/* Links the head @idx into @list, at the tail if @tail. */
G_ALWAYS_INLINE
static inline void list_link(struct cmasim_mem *mem, bool track, struct free_list *list,
			     uint32_t idx, bool tail)
{
	struct frame *f = &mem->frames[idx];

	mm_note(mem, track, idx, f->order);
	if (list->first != NIL)
		mm_note(mem, track, tail ? list->last : list->first, 0);
	if (tail) {
		f->next = NIL;
		f->prev = list->last;
		if (list->last != NIL)
			mem->frames[list->last].next = idx;
		else
			list->first = idx;
		list->last = idx;
	} else {
		f->prev = NIL;
		f->next = list->first;
		if (list->first != NIL)
			mem->frames[list->first].prev = idx;
		else
			list->last = idx;
		list->first = idx;
	}
	list->nr++;
}

/* Unlinks the head @idx from @list. */
G_ALWAYS_INLINE
static inline void list_unlink(struct cmasim_mem *mem, bool track, struct free_list *list,
			       uint32_t idx)
{
	const struct frame *f = &mem->frames[idx];

	mm_note(mem, track, idx, f->order);
	if (f->prev != NIL)
		mm_note(mem, track, f->prev, 0);
	if (f->next != NIL)
		mm_note(mem, track, f->next, 0);
	if (f->prev != NIL)
		mem->frames[f->prev].next = f->next;
	else
		list->first = f->next;
	if (f->next != NIL)
		mem->frames[f->next].prev = f->prev;
	else
		list->last = f->prev;
	list->nr--;
}

/*
 * Makes @idx the head of a free block on @mt's list, at the tail if @tail,
 * and leaves the zone's free counts to the caller: an allocation or a free
 * changes them once, however many blocks it splits or merges, as 6.1's
 * rmqueue_buddy() and __free_one_page() do.
 */
G_ALWAYS_INLINE
static inline void link_free(struct cmasim_mem *mem, bool track, struct zone *z, uint32_t idx,
			     unsigned int order, unsigned int mt, bool tail)
{
	struct frame *f = &mem->frames[idx];

	f->state = FRAME_FREE;
	f->order = (uint8_t)order;
	f->mt = (uint8_t)mt;
	list_link(mem, track, &z->free_area[order][mt], idx, tail);
	z->free_orders[mt] |= (uint16_t)(1U << order);
}

/*
 * Unlinks the free head @idx, of @order on @mt's list, from it, the free
 * counts left to the caller. The callers know both already: taking them
 * from the frame again would cost two loads and keep two more values live.
 */
G_ALWAYS_INLINE
static inline void unlink_free(struct cmasim_mem *mem, bool track, struct zone *z, uint32_t idx,
			       unsigned int order, unsigned int mt)
{
	struct free_list *list = &z->free_area[order][mt];

	list_unlink(mem, track, list, idx);
	if (!list->nr)
		z->free_orders[mt] &= (uint16_t)~(1U << order);
	mem->frames[idx].state = FRAME_TAIL;
}

/* link_free() and its pages counted free: for the moves of one block at a time */
G_ALWAYS_INLINE
static inline void add_to_free_list(struct cmasim_mem *mem, bool track, struct zone *z,
				    uint32_t idx, unsigned int order, unsigned int mt, bool tail)
{
	link_free(mem, track, z, idx, order, mt, tail);
	account_free(z, order, mt, 1);
}

/* unlink_free(), its pages no longer counted free; the caller decides what it becomes */
G_ALWAYS_INLINE
static inline void del_from_free_list(struct cmasim_mem *mem, bool track, struct zone *z,
				      uint32_t idx)
{
	unsigned int order = mem->frames[idx].order, mt = mem->frames[idx].mt;

	account_free(z, order, mt, -1);
	unlink_free(mem, track, z, idx, order, mt);
}

/*
 * move_to_free_list(): to the tail of @mt's list of the block's order, so
 * that moved pages are not the next to be handed out (list_move_tail()
 * since Linux 5.10).
 */
static void move_to_free_list(struct cmasim_mem *mem, struct zone *z, uint32_t idx,
			      unsigned int mt)
{
	unsigned int order = mem->frames[idx].order;
	bool track = mm_tracking(mem);

	del_from_free_list(mem, track, z, idx);
	add_to_free_list(mem, track, z, idx, order, mt, true);
}

/*
 * Whether @idx heads a free block of exactly @order in @z (page_is_buddy()).
 * Zones are whole pageblocks: below pageblock order a buddy is in its
 * block's zone, and only a larger one needs the zone's bounds.
 */
G_ALWAYS_INLINE
static inline bool is_free_head(const struct cmasim_mem *mem, const struct zone *z, uint32_t idx,
				unsigned int order)
{
	if (order >= mem->pb_order && (idx < z->start || idx >= z->end))
		return false;
	return mem->frames[idx].state == FRAME_FREE && mem->frames[idx].order == order;
}

/*
 * __free_one_page(): merges the block at @idx with free buddies and puts it
 * on the list of @mt, the type of its pageblock. Inline in each caller, as
 * rmqueue() is: the per-cpu lists' drain and refill call them a page at a
 * time, and replays spend most of their time there.
 */
G_ALWAYS_INLINE
static inline void free_one(struct cmasim_mem *mem, bool track, struct zone *z, uint32_t idx,
			    unsigned int order, unsigned int mt, bool to_tail)
{
	mm_note(mem, track, idx, order);
	mem->frames[idx].state = FRAME_TAIL;
	account_free(z, order, mt, 1);
	while (order < mem->max_order) {
		uint32_t buddy = idx ^ (UINT32_C(1) << order);

		if (!is_free_head(mem, z, buddy, order))
			break;
		/* Blocks without fallbacks (CMA, isolated) never merge into others. */
		if (order >= mem->pb_order) {
			unsigned int buddy_mt = pageblock_of(mem, buddy)->mt;

			if (buddy_mt != mt && (!mt_mergeable(mt) || !mt_mergeable(buddy_mt)))
				break;
		}
		unsigned int buddy_list = mem->frames[buddy].mt;

		/* a buddy on another type's list moves its pages to @mt's count */
		if (G_UNLIKELY(buddy_list != mt)) {
			account_free(z, order, buddy_list, -1);
			account_free(z, order, mt, 1);
		}
		unlink_free(mem, track, z, buddy, order, buddy_list);
		idx &= buddy;
		order++;
	}
	/*
	 * buddy_merge_likely(): if the next-larger buddy is free, this block
	 * may soon merge with it, so queue it last to keep it free longer.
	 */
	if (!to_tail && order + 1 < mem->max_order) {
		uint32_t higher = idx & ~(UINT32_C(1) << order);

		to_tail = is_free_head(mem, z, higher ^ (UINT32_C(1) << (order + 1)), order + 1);
	}
	link_free(mem, track, z, idx, order, mt, to_tail);
}

void buddy_free_boot(struct cmasim_mem *mem, uint32_t idx, unsigned int order)
{
	/* memblock_free_all() frees with FPI_TO_TAIL. */
	free_one(mem, mm_tracking(mem), zone_of(mem, idx), idx, order, pageblock_of(mem, idx)->mt,
		 true);
}

/* expand(): returns the upper halves of a split block to the head of @mt's lists. */
G_ALWAYS_INLINE
static inline void expand(struct cmasim_mem *mem, bool track, struct zone *z, uint32_t idx,
			  unsigned int low, unsigned int high, unsigned int mt)
{
	while (high > low) {
		high--;
		link_free(mem, track, z, idx + (UINT32_C(1) << high), high, mt, false);
	}
}

/*
 * Takes the first block of @mt's list of order @o off it for a request of
 * @order; the halves it does not need stay on that type's lists.
 */
G_ALWAYS_INLINE
static inline uint32_t take_free_block(struct cmasim_mem *mem, bool track, struct zone *z,
				       unsigned int o, unsigned int order, unsigned int mt)
{
	uint32_t idx = z->free_area[o][mt].first;

	unlink_free(mem, track, z, idx, o, mt);
	expand(mem, track, z, idx, order, o, mt);
	account_free(z, order, mt, -1);
	return idx;
}

G_STATIC_ASSERT(CMASIM_ORDER_LIMIT < 16);	/* an order is a bit of zone.free_orders */

/* __rmqueue_smallest(): the first block of the smallest order >= @order on @mt's lists. */
G_ALWAYS_INLINE
static inline uint32_t rmqueue_smallest(struct cmasim_mem *mem, bool track, struct zone *z,
					unsigned int order, unsigned int mt)
{
	unsigned int orders = z->free_orders[mt] >> order;
	unsigned int o;

	if (!orders)
		return NIL;
	o = order + (unsigned int)__builtin_ctz(orders);
	return take_free_block(mem, track, z, o, order, mt);
}

/*
 * The fallbacks[] table of mm/page_alloc.c, ending at CMASIM_NR_MIGRATETYPES
 * where 3.5's rows ended at MIGRATE_RESERVE ("handled later if necessary":
 * no fallback takes or claims a reserve block). Since 4.1 CMA is not in it
 * (a movable request tries CMA after its own lists); in 3.5 MOVABLE's row
 * began with CMA. Isolated blocks never are.
 */
static const uint8_t fallbacks[CMASIM_NR_ALLOC_TYPES][3] = {
	[CMASIM_MT_UNMOVABLE] = { CMASIM_MT_RECLAIMABLE, CMASIM_MT_MOVABLE, CMASIM_NR_MIGRATETYPES },
	[CMASIM_MT_MOVABLE] = { CMASIM_MT_RECLAIMABLE, CMASIM_MT_UNMOVABLE, CMASIM_NR_MIGRATETYPES },
	[CMASIM_MT_RECLAIMABLE] = { CMASIM_MT_UNMOVABLE, CMASIM_MT_MOVABLE, CMASIM_NR_MIGRATETYPES },
};
static const uint8_t fallbacks_movable_3_5[] = {
	CMASIM_MT_CMA, CMASIM_MT_RECLAIMABLE, CMASIM_MT_UNMOVABLE, CMASIM_NR_MIGRATETYPES,
};

/* can_steal_fallback(): may a fallback at @order take its whole pageblock? */
static bool can_steal_fallback(const struct cmasim_mem *mem, unsigned int order,
			       unsigned int start_mt)
{
	return order >= mem->pb_order || order >= mem->pb_order / 2 ||
	       start_mt == CMASIM_MT_RECLAIMABLE ||
	       (start_mt == CMASIM_MT_UNMOVABLE && mem->cfg->kernel->unmovable_claims_block);
}

/* @start_mt's row of fallbacks[] under the profile's rules */
static const uint8_t *fallback_row(const struct cmasim_mem *mem, unsigned int start_mt)
{
	if (start_mt == CMASIM_MT_MOVABLE && mem->cfg->kernel->cma_in_fallbacks)
		return fallbacks_movable_3_5;
	return fallbacks[start_mt];
}

/* The orders at which some type of @start_mt's row has a free block, as bits. */
static unsigned int fallback_orders(const struct cmasim_mem *mem, const struct zone *z,
				    unsigned int start_mt)
{
	unsigned int orders = 0;

	for (const uint8_t *row = fallback_row(mem, start_mt); *row != CMASIM_NR_MIGRATETYPES;
	     row++)
		orders |= z->free_orders[*row];
	return orders;
}

/* find_suitable_fallback(): the first type in @start_mt's row with a block of @order, or -1. */
static int find_suitable_fallback(const struct cmasim_mem *mem, const struct zone *z,
				  unsigned int order, unsigned int start_mt, bool *can_steal)
{
	for (const uint8_t *row = fallback_row(mem, start_mt); *row != CMASIM_NR_MIGRATETYPES;
	     row++) {
		if (z->free_area[order][*row].nr) {
			/* 3.5: "never change migration type of MIGRATE_CMA pageblocks" */
			*can_steal = *row != CMASIM_MT_CMA && can_steal_fallback(mem, order, start_mt);
			return (int)*row;
		}
	}
	return -1;
}

/* Splits the free block at @head until @idx heads a free block of @order. */
static void split_free_block(struct cmasim_mem *mem, struct zone *z, uint32_t head,
			     uint32_t idx, unsigned int order)
{
	unsigned int o = mem->frames[head].order;
	unsigned int mt = mem->frames[head].mt;
	bool track = mm_tracking(mem);

	del_from_free_list(mem, track, z, head);
	while (o > order) {
		uint32_t half = UINT32_C(1) << --o;

		if (idx & half) {
			add_to_free_list(mem, track, z, head, o, mt, false);
			head += half;
		} else {
			add_to_free_list(mem, track, z, head + half, o, mt, false);
		}
	}
	add_to_free_list(mem, track, z, head, order, mt, false);
}

uint32_t buddy_block_head(const struct cmasim_mem *mem, uint32_t idx)
{
	/* Tails are always FRAME_TAIL, so the first aligned frame that is not is the head. */
	for (unsigned int o = 0; o <= mem->max_order; o++) {
		uint32_t head = idx & ~((UINT32_C(1) << o) - 1);

		if (mem->frames[head].state != FRAME_TAIL)
			return head;
	}
	g_return_val_if_reached(idx);
}

/* The head of the free block that holds @idx, or NIL when @idx is not free. */
static uint32_t find_free_head(const struct cmasim_mem *mem, uint32_t idx)
{
	uint32_t head = buddy_block_head(mem, idx);

	return mem->frames[head].state == FRAME_FREE ? head : NIL;
}

uint64_t cmasim_move_freepages_block(struct cmasim_mem *mem, uint64_t pfn,
				     enum cmasim_migratetype mt, uint64_t *movable)
{
	g_return_val_if_fail(pfn >= mem->base_pfn && pfn - mem->base_pfn < mem->nr_frames, 0);
	uint32_t start = (uint32_t)(pfn - mem->base_pfn) & ~(pageblock_nr_pages(mem) - 1);
	uint32_t end = start + pageblock_nr_pages(mem);
	struct zone *z = zone_of(mem, start);
	uint64_t moved = 0;

	if (movable)
		*movable = pageblock_of(mem, start)->nr_alloc[CMASIM_MT_MOVABLE];
	/*
	 * A free block larger than a pageblock is split first, so that only
	 * this pageblock's pages move (as prep_move_freepages_block() does
	 * since Linux 6.10; 6.1 silently moved nothing here).
	 */
	uint32_t head = find_free_head(mem, start);
	if (head != NIL && mem->frames[head].order > mem->pb_order)
		split_free_block(mem, z, head, start, mem->pb_order);

	for (uint32_t idx = start; idx < end;) {
		const struct frame *f = &mem->frames[idx];

		if (f->state == FRAME_FREE) {
			uint32_t pages = UINT32_C(1) << f->order;

			move_to_free_list(mem, z, idx, mt);
			moved += pages;
			idx += pages;
		} else if (f->state == FRAME_ALLOC) {
			idx += UINT32_C(1) << f->order;
		} else {
			idx++;
		}
	}
	return moved;
}

void buddy_merge_block(struct cmasim_mem *mem, uint32_t idx)
{
	uint32_t start = idx & ~(pageblock_nr_pages(mem) - 1);
	struct zone *z = zone_of(mem, start);
	const struct frame *f = &mem->frames[start];

	if (f->state != FRAME_FREE || f->order < mem->pb_order || f->order >= mem->max_order)
		return;
	uint32_t buddy = start ^ (UINT32_C(1) << f->order);
	unsigned int order = f->order;

	if (!is_free_head(mem, z, buddy, order))
		return;
	del_from_free_list(mem, mm_tracking(mem), z, start);
	free_one(mem, mm_tracking(mem), z, start, order, pageblock_of(mem, start)->mt, false);
}

void buddy_unisolate_block(struct cmasim_mem *mem, uint32_t idx, unsigned int mt)
{
	uint32_t start = idx & ~(pageblock_nr_pages(mem) - 1);

	cmasim_set_pageblock_migratetype(mem, mem->base_pfn + start, mt);
	cmasim_move_freepages_block(mem, mem->base_pfn + start, mt, NULL);
	/*
	 * While isolated, the block could not merge with its free buddy (the
	 * types differ); __putback_isolated_page() frees it again so it does.
	 */
	buddy_merge_block(mem, start);
}

/* pageblock_is_reserved(): a hole or a PageReserved page in the pageblock at @idx. */
static bool pageblock_is_reserved(const struct cmasim_mem *mem, uint32_t idx)
{
	for (uint32_t i = idx; i < idx + pageblock_nr_pages(mem); i++)
		if (frame_reserved(mem, i))
			return true;
	return false;
}

uint64_t buddy_reserve_blocks(const struct cmasim_mem *mem, const struct zone *z)
{
	if (!mem->cfg->kernel->migrate_reserve)
		return 0;
	/* roundup(min_wmark_pages(zone), pageblock_nr_pages) >> pageblock_order, at most 2 */
	return MIN(2, (z->wmark[CMASIM_WMARK_MIN] + pageblock_nr_pages(mem) - 1) >> mem->pb_order);
}

/*
 * setup_zone_migrate_reserve() (3.5): from the zone's start, RESERVE
 * pageblocks count towards the reserve and MOVABLE ones join it, their
 * free pages moved, until it is met; pageblocks with holes or reserved
 * pages never do. The kernel also hands RESERVE blocks beyond the count
 * back when min_free_kbytes shrinks; the watermarks are set once here, so
 * blocks only ever join.
 */
void buddy_setup_reserve(struct cmasim_mem *mem)
{
	for (unsigned int i = 0; i < mem->nr_zones; i++) {
		struct zone *z = &mem->zones[i];
		uint64_t reserve = buddy_reserve_blocks(mem, z);

		for (uint32_t idx = z->start; reserve && idx < z->end;
		     idx += pageblock_nr_pages(mem)) {
			unsigned int mt = pageblock_of(mem, idx)->mt;
			uint64_t pfn = mem->base_pfn + idx;

			if ((mt != CMASIM_MT_RESERVE && mt != CMASIM_MT_MOVABLE) ||
			    pageblock_absent(mem, idx) || pageblock_is_reserved(mem, idx))
				continue;
			reserve--;
			if (mt == CMASIM_MT_RESERVE)
				continue;
			cmasim_set_pageblock_migratetype(mem, pfn, CMASIM_MT_RESERVE);
			cmasim_move_freepages_block(mem, pfn, CMASIM_MT_RESERVE, NULL);
			/* two reserve blocks that are buddies merge, as the kernel's moved whole */
			buddy_merge_block(mem, idx);
		}
	}
}

/* change_pageblock_range(): every pageblock of a block >= pageblock_order. */
static void change_pageblock_range(struct cmasim_mem *mem, uint32_t idx, unsigned int order,
				   unsigned int mt)
{
	for (uint32_t n = 0; n < UINT32_C(1) << (order - mem->pb_order); n++)
		cmasim_set_pageblock_migratetype(mem, mem->base_pfn + idx +
					       ((uint64_t)n << mem->pb_order), mt);
}

/*
 * boost_watermark(): a fallback into another type's pageblock raises the
 * zone's watermarks by a pageblock, up to high x watermark_boost_factor /
 * 10000, and wakes kswapd to reclaim it (5.0). Only where kswapd runs, and
 * not in zones of fewer than four pageblocks.
 */
static void boost_watermark(struct cmasim_mem *mem, struct zone *z)
{
	uint64_t factor = mem->cfg->kernel->watermark_boost_factor;
	uint64_t max_boost = z->wmark[CMASIM_WMARK_HIGH] * factor / 10000;

	if (!mem->kswapd || !factor || pageblock_nr_pages(mem) * UINT64_C(4) > z->managed ||
	    !max_boost)
		return;
	max_boost = MAX(pageblock_nr_pages(mem), max_boost);
	z->watermark_boost = MIN(z->watermark_boost + pageblock_nr_pages(mem), max_boost);
	mem->kswapd_wanted = true;
}

/*
 * steal_suitable_fallback(): takes the free block at @idx for @start_mt,
 * and with @whole_block its pageblock's other free pages too; the block
 * changes type when at least half of it is free or alike.
 */
static void steal_suitable_fallback(struct cmasim_mem *mem, struct zone *z, uint32_t idx,
				    unsigned int start_mt, bool whole_block)
{
	unsigned int order = mem->frames[idx].order;
	struct pageblock *pb = pageblock_of(mem, idx);
	unsigned int old_mt = pb->mt;
	uint64_t free_pages, movable_pages, alike_pages;

	if (order >= mem->pb_order) {
		change_pageblock_range(mem, idx, order, start_mt);
		goto single_page;
	}
	boost_watermark(mem, z);
	if (!whole_block)
		goto single_page;

	/* never 0, unlike the kernel's at a zone edge: zones are whole pageblocks here */
	free_pages = cmasim_move_freepages_block(mem, mem->base_pfn + idx, start_mt,
						 &movable_pages);
	/*
	 * Movable pages are alike to a movable request. For the others, a
	 * block that was movable holds only non-movable pages besides its
	 * movable and free ones; between unmovable and reclaimable the kernel
	 * cannot tell, so counts none.
	 */
	if (!mem->cfg->kernel->claim_counts_alike)
		alike_pages = 0;
	else if (start_mt == CMASIM_MT_MOVABLE)
		alike_pages = movable_pages;
	else if (old_mt == CMASIM_MT_MOVABLE)
		alike_pages = pageblock_nr_pages(mem) - free_pages - movable_pages;
	else
		alike_pages = 0;
	if (free_pages + alike_pages >= pageblock_nr_pages(mem) / 2)
		cmasim_set_pageblock_migratetype(mem, mem->base_pfn + idx, start_mt);
	return;

single_page:
	move_to_free_list(mem, z, idx, start_mt);
}

/*
 * __rmqueue_fallback(): steals a block from another type's lists; false if
 * none has one. A CMA block (3.5) is taken at once into *@taken, its
 * remainder staying on the CMA lists. With ALLOC_NOFRAGMENT only whole
 * pageblocks may be taken: "do not steal pages from freelists belonging
 * to other pageblocks".
 */
static bool rmqueue_fallback(struct cmasim_mem *mem, struct zone *z, unsigned int order,
			     unsigned int start_mt, bool nofragment, uint32_t *taken)
{
	unsigned int min_order = nofragment && order < mem->pb_order ? mem->pb_order : order;
	unsigned int orders = fallback_orders(mem, z, start_mt);
	unsigned int wide = orders >> min_order << min_order;
	bool can_steal = false;
	int fallback_mt;
	unsigned int o;

	if (!wide)
		return false;
	/*
	 * The largest block roughly approximates the pageblock with the most
	 * free pages, which is the best one to claim.
	 */
	o = 31 - (unsigned int)__builtin_clz(wide);
	fallback_mt = find_suitable_fallback(mem, z, o, start_mt, &can_steal);
	/*
	 * A movable request that cannot claim the whole block splits the
	 * smallest one instead: it then fragments the least.
	 */
	if (!can_steal && start_mt == CMASIM_MT_MOVABLE && o > order &&
	    mem->cfg->kernel->fallback_smallest) {
		o = order + (unsigned int)__builtin_ctz(orders >> order);
		fallback_mt = find_suitable_fallback(mem, z, o, start_mt, &can_steal);
	}
	if (fallback_mt == CMASIM_MT_CMA)
		*taken = take_free_block(mem, mm_tracking(mem), z, o, order, CMASIM_MT_CMA);
	else
		steal_suitable_fallback(mem, z, z->free_area[o][fallback_mt].first, start_mt,
					can_steal);
	return true;
}

/*
 * Whether a request takes CMA's lists first: movable allocations are
 * balanced between regular and CMA areas by allocating from CMA when over
 * half of the zone's free memory is in the CMA area (commit 16867664936e,
 * Linux 5.7).
 */
static inline bool cma_first(const struct cmasim_mem *mem, const struct zone *z, bool alloc_cma)
{
	return alloc_cma && mem->cfg->kernel->cma_half_rule && z->nr_free_cma > z->nr_free / 2;
}

/* __rmqueue(): one block of @order for @mt from @z, or NIL. */
G_ALWAYS_INLINE
static inline uint32_t rmqueue(struct cmasim_mem *mem, bool track, struct zone *z,
			       unsigned int order, unsigned int mt, bool alloc_cma, bool nofragment)
{
	const struct cmasim_kernel *k = mem->cfg->kernel;
	uint32_t idx = NIL;

	if (cma_first(mem, z, alloc_cma)) {
		idx = rmqueue_smallest(mem, track, z, order, CMASIM_MT_CMA);
		if (idx != NIL)
			return idx;
	}
	do {
		idx = rmqueue_smallest(mem, track, z, order, mt);
		/* __rmqueue_cma_fallback() (4.1); 3.5 met CMA in fallbacks[] */
		if (idx == NIL && alloc_cma && !k->cma_in_fallbacks)
			idx = rmqueue_smallest(mem, track, z, order, CMASIM_MT_CMA);
	} while (idx == NIL && rmqueue_fallback(mem, z, order, mt, nofragment, &idx) &&
		 idx == NIL);
	/* retry_reserve (3.5): "Use MIGRATE_RESERVE rather than fail an allocation" */
	if (idx == NIL && k->migrate_reserve)
		idx = rmqueue_smallest(mem, track, z, order, CMASIM_MT_RESERVE);
	return idx;
}

/*
 * Per-cpu page lists (mm/page_alloc.c, 6.1), of the one CPU the trace runs
 * on: a list per order up to PAGE_ALLOC_COSTLY_ORDER (order 0 before 5.13)
 * and migratetype, refilled a batch at a time through __rmqueue(), so the
 * half rule is asked once a page of the batch, and drained back in batches
 * once they hold more than high.
 */
#define NR_PCP_LISTS ((PCP_MAX_ORDER + 1) * CMASIM_NR_ALLOC_TYPES)

/* the list of order_to_pindex() @pindex */
static struct free_list *pcp_list(struct zone *z, unsigned int pindex)
{
	return &z->pcp.lists[pindex / CMASIM_NR_ALLOC_TYPES][pindex % CMASIM_NR_ALLOC_TYPES];
}

/*
 * free_pcppages_bulk(): gives @count pages back from the lists' tails,
 * round-robin from the list freed to last, each to its pcp migratetype's
 * buddy list, or its pageblock's while the zone has isolated pageblocks.
 */
static G_GNUC_NO_INLINE void free_pcppages_bulk(struct cmasim_mem *mem, struct zone *z,
						uint32_t count)
{
	bool track = mm_tracking(mem);
	struct per_cpu_pages *pcp = &z->pcp;
	unsigned int pindex = pcp->last + NR_PCP_LISTS - 1;
	bool isolated = z->nr_pageblocks[CMASIM_MT_ISOLATE];
	bool reserve = mem->cfg->kernel->migrate_reserve;
	int64_t left = MIN(count, pcp->count);

	while (left > 0) {
		struct free_list *list;

		do {
			pindex = (pindex + 1) % NR_PCP_LISTS;
			list = pcp_list(z, pindex);
		} while (!list->nr);
		unsigned int order = pindex / CMASIM_NR_ALLOC_TYPES;

		do {
			uint32_t idx = list->last;
			const struct pageblock *pb = pageblock_of(mem, idx);
			unsigned int mt = mem->frames[idx].mt;

			/*
			 * A reserve pageblock's pages go back to the reserve, and
			 * those freed to it go where their block is now. 3.5 sent
			 * one that rmqueue_bulk() took from it to the request's
			 * list, where a fallback could claim its block.
			 */
			if (isolated ||
			    (reserve && (mt == CMASIM_MT_RESERVE || pb->mt == CMASIM_MT_RESERVE)))
				mt = pb->mt;

			list_unlink(mem, track, list, idx);
			left -= INT64_C(1) << order;
			pcp->count -= UINT32_C(1) << order;
			free_one(mem, track, z, idx, order, mt, false);
		} while (left > 0 && list->nr);
	}
}

/* nr_pcp_free(): how many pages a drain past high gives back */
static uint32_t nr_pcp_free(struct per_cpu_pages *pcp, uint32_t high, bool free_high)
{
	uint32_t batch = pcp->batch;

	if (free_high)
		return pcp->count;
	if (high < batch)
		return 1;
	/* double it each time pages are freed with no allocation between */
	batch <<= pcp->free_factor;
	if (batch < high - pcp->batch)
		pcp->free_factor++;
	return CLAMP(batch, pcp->batch, high - pcp->batch);
}

/*
 * free_unref_page(): puts the block at @idx, just freed, on a per-cpu list
 * instead: a CMA page on the MOVABLE list, with CMA as its pcp type; an
 * isolated one goes straight back. @mt is its pageblock's type. Returns
 * false when it did not.
 */
G_ALWAYS_INLINE
static inline bool free_unref_page(struct cmasim_mem *mem, bool track, struct zone *z,
				   uint32_t idx, unsigned int order, unsigned int mt)
{
	struct per_cpu_pages *pcp = &z->pcp;
	unsigned int list_mt = mt < CMASIM_NR_ALLOC_TYPES ? mt : CMASIM_MT_MOVABLE;
	struct frame *f = &mem->frames[idx];

	if (!mem->pcp || order > mem->pcp_max_order || mt == CMASIM_MT_ISOLATE)
		return false;
	f->state = FRAME_PCP;
	f->order = (uint8_t)order;
	f->mt = (uint8_t)mt;
	list_link(mem, track, &pcp->lists[order][list_mt], idx, false);
	pcp->count += UINT32_C(1) << order;
	pcp->last = order * CMASIM_NR_ALLOC_TYPES + list_mt;
	/* free_unref_page_commit(): high-order frees with no allocation between drain all */
	bool free_high = pcp->free_factor && order;
	uint32_t high = free_high ? 0 : pcp->high;

	if (pcp->count >= high)
		free_pcppages_bulk(mem, z, nr_pcp_free(pcp, high, free_high));
	return true;
}

/* The head of @list, one of @pcp's lists of @order, taken off it. */
G_ALWAYS_INLINE
static inline uint32_t pcp_pop(struct cmasim_mem *mem, bool track, struct per_cpu_pages *pcp,
			       struct free_list *list, unsigned int order)
{
	uint32_t idx = list->first;

	list_unlink(mem, track, list, idx);
	pcp->count -= UINT32_C(1) << order;
	return idx;
}

/*
 * rmqueue_pcplist(): the head of @mt's order-@order per-cpu list, refilled
 * when empty with a batch (smaller for higher orders) by rmqueue_bulk(),
 * which takes every page through __rmqueue() and lowers NR_FREE_PAGES only
 * after the batch, NR_FREE_CMA_PAGES page by page. NIL when none is had.
 */
static uint32_t rmqueue_pcplist(struct cmasim_mem *mem, bool track, struct zone *z,
				unsigned int order, unsigned int mt, bool alloc_cma, bool nofragment)
{
	struct per_cpu_pages *pcp = &z->pcp;
	struct free_list *list = &pcp->lists[order][mt];

	pcp->free_factor >>= 1;
	if (!list->nr) {
		uint32_t batch = order ? MAX(pcp->batch >> order, 2) : pcp->batch;
		uint64_t taken = 0;

		for (uint32_t i = 0; i < batch; i++) {
			uint32_t idx = rmqueue(mem, track, z, order, mt, alloc_cma, nofragment);

			if (idx == NIL)
				break;
			/*
			 * the page keeps the type of the list it came from: its
			 * pcp migratetype; one from the reserve the request's, as
			 * rmqueue_bulk() (3.5) gave every page but CMA's
			 */
			if (mem->frames[idx].mt == CMASIM_MT_RESERVE)
				mem->frames[idx].mt = (uint8_t)mt;
			mem->frames[idx].state = FRAME_PCP;
			mem->frames[idx].order = (uint8_t)order;
			list_link(mem, track, list, idx, true);
			pcp->count += UINT32_C(1) << order;
			taken += UINT64_C(1) << order;
			z->nr_free += UINT64_C(1) << order;
		}
		z->nr_free -= taken;
	}
	return list->nr ? pcp_pop(mem, track, pcp, list, order) : NIL;
}

void buddy_drain_pcp(struct cmasim_mem *mem, uint32_t idx)
{
	struct zone *z = zone_of(mem, idx);

	free_pcppages_bulk(mem, z, z->pcp.count);
}

/* zone_batchsize(): about 0.1% of the zone, at most 1 MiB, as 2^n - 1 pages */
static uint32_t zone_batchsize(const struct cmasim_mem *mem, const struct zone *z)
{
	uint64_t batch = MIN(z->managed >> 10, (UINT64_C(1) << 20) >> mem->cfg->page_shift) / 4;

	batch = MAX(batch, 1);
	/* rounddown_pow_of_two(batch + batch / 2) - 1 */
	batch = (UINT64_C(1) << (63 - __builtin_clzll(batch + batch / 2))) - 1;
	return (uint32_t)MAX(batch, 1);
}

/*
 * alloc_flags_nofragment(): on a machine with DMA32, a request whose
 * preferred zone (the highest it may use) is Normal first tries every
 * zone without stealing below pageblock order (5.0).
 */
static bool nofragment(const struct cmasim_mem *mem, enum cmasim_zone_type highest_zone)
{
	bool dma32 = false;
	int preferred = -1;

	if (!mem->cfg->kernel->nofragment)
		return false;
	for (unsigned int i = 0; i < mem->nr_zones; i++) {
		dma32 |= mem->zones[i].type == CMASIM_ZONE_DMA32;
		if (mem->zones[i].type <= highest_zone && mem->zones[i].present)
			preferred = (int)mem->zones[i].type;
	}
	return dma32 && preferred == CMASIM_ZONE_NORMAL;
}

void buddy_init(struct cmasim_mem *mem)
{
	const struct cmasim_kernel *k = mem->cfg->kernel;

	for (unsigned int h = 0; h < CMASIM_NR_ZONE_TYPES; h++)
		mem->nofragment[h] = nofragment(mem, h);
	mem->pcp = mem->cfg->cpus;
	mem->pcp_max_order = k->pcp_high_order ? PCP_MAX_ORDER : 0;
	for (unsigned int i = 0; i < mem->nr_zones; i++) {
		struct zone *z = &mem->zones[i];
		struct per_cpu_pages *pcp = &z->pcp;

		for (unsigned int o = 0; o <= PCP_MAX_ORDER; o++)
			for (unsigned int t = 0; t < CMASIM_NR_ALLOC_TYPES; t++)
				pcp->lists[o][t].first = pcp->lists[o][t].last = NIL;
		if (!mem->pcp)
			continue;
		pcp->batch = zone_batchsize(mem, z);
		/* zone_highsize(): the low watermark shared by the CPUs, at least 4 batches */
		pcp->high = k->pcp_high_from_low ?
			    (uint32_t)MAX(z->wmark[CMASIM_WMARK_LOW] / mem->cfg->cpus,
					  (uint64_t)pcp->batch << 2) :
			    6 * pcp->batch;
	}
}

/*
 * Adds @sign x 2^@order pages of type @mt, allocated at @idx, to the
 * pageblock counters; notes the change if @track (mm_note()).
 */
G_ALWAYS_INLINE
static inline void account_alloc(struct cmasim_mem *mem, bool track, uint32_t idx,
				 unsigned int order, unsigned int mt, int sign)
{
	struct pageblock *pb = pageblock_of(mem, idx);

	/* the usual case, inline: a pageblock of the type asked for changes no zone count */
	if (order <= mem->pb_order && pb->mt == mt) {
		mm_note(mem, track, idx & ~(pageblock_nr_pages(mem) - 1), 0);
		pb->nr_alloc[mt] = (uint16_t)(pb->nr_alloc[mt] + sign * (1 << order));
		return;
	}
	mm_account_alloc_zone(mem, idx, order, mt, sign);
}

/* Makes [idx, idx + 2^order) an allocated block of type @mt. */
G_ALWAYS_INLINE
static inline void mark_allocated(struct cmasim_mem *mem, bool track, uint32_t idx,
				  unsigned int order, unsigned int mt)
{
	struct frame *f = &mem->frames[idx];

	mm_note(mem, track, idx, order);
	f->state = FRAME_ALLOC;
	f->order = (uint8_t)order;
	f->mt = (uint8_t)mt;
	f->owner = mm_default_owner(mt);	/* until told otherwise */
	f->next = f->prev = NIL;
	account_alloc(mem, track, idx, order, mt, 1);
}

/* __zone_watermark_ok() */
G_ALWAYS_INLINE
static inline bool watermark_ok(const struct cmasim_mem *mem, const struct zone *z,
				unsigned int order, enum cmasim_wmark mark,
				enum cmasim_zone_type highest_zone, bool alloc_cma)
{
	/* __zone_watermark_unusable_free(): the pages this request could not use */
	int64_t free_pages = (int64_t)z->nr_free - ((INT64_C(1) << order) - 1);

	/*
	 * since 3.7: free CMA pages are of no use to a request that may not
	 * take them. No branches on the request: its type and order vary at
	 * random, and the sums cost less than a mispredicted branch.
	 */
	free_pages -= (int64_t)z->nr_free_cma *
		      (!alloc_cma & mem->cfg->kernel->watermark_cma_unusable);
	if (free_pages <= (int64_t)(wmark_pages(z, mark) + z->lowmem_reserve[highest_zone]))
		return false;
	return !order | buddy_free_block_ok(z, order, alloc_cma);
}

bool cmasim_zone_watermark_ok(const struct cmasim_mem *mem, unsigned int zone,
			      unsigned int order, enum cmasim_wmark mark,
			      enum cmasim_zone_type highest_zone, enum cmasim_migratetype mt)
{
	g_return_val_if_fail(zone < mem->nr_zones && order <= mem->max_order, false);
	g_return_val_if_fail(highest_zone < CMASIM_NR_ZONE_TYPES, false);
	return watermark_ok(mem, &mem->zones[zone], order, mark, highest_zone,
			    mt == CMASIM_MT_MOVABLE);
}

/* rmqueue(): whether a request is served from the per-cpu lists */
static inline bool pcp_serves(const struct cmasim_mem *mem, unsigned int order, unsigned int mt,
			      bool alloc_cma)
{
	/* a movable request without ALLOC_CMA skips them */
	return mem->pcp && order <= mem->pcp_max_order && (alloc_cma || mt != CMASIM_MT_MOVABLE);
}

/* buddy_alloc() the whole way, every pass of every zone */
static G_GNUC_NO_INLINE int alloc_slow(struct cmasim_mem *mem, unsigned int order,
				      unsigned int mt, enum cmasim_zone_type highest_zone,
				      bool alloc_cma, uint64_t *pfn)
{
	bool track = mm_tracking(mem);

	/*
	 * get_page_from_freelist() at the low watermark, with ALLOC_NOFRAGMENT
	 * and, when every zone failed so, again without; then the slow path
	 * at min. Requests that never try ALLOC_NOFRAGMENT start at the second.
	 */
	static const struct {
		enum cmasim_wmark mark;
		bool nofragment;
	} passes[] = {
		{ CMASIM_WMARK_LOW, true }, { CMASIM_WMARK_LOW, false }, { CMASIM_WMARK_MIN, false },
	};
	for (unsigned int p = !mem->nofragment[highest_zone]; p < G_N_ELEMENTS(passes); p++) {
		/* __alloc_pages_slow(): wake_all_kswapds() before the min pass */
		if (passes[p].mark == CMASIM_WMARK_MIN)
			mem->kswapd_wanted = true;
		for (unsigned int i = mem->nr_zones; i-- > 0;) {
			struct zone *z = &mem->zones[i];

			if (z->type > highest_zone ||
			    !watermark_ok(mem, z, order, passes[p].mark, highest_zone, alloc_cma))
				continue;
			uint32_t idx = pcp_serves(mem, order, mt, alloc_cma) ?
				       rmqueue_pcplist(mem, track, z, order, mt, alloc_cma,
						       passes[p].nofragment) : NIL;

			if (idx == NIL)
				idx = rmqueue(mem, track, z, order, mt, alloc_cma,
					      passes[p].nofragment);
			if (idx == NIL)
				continue;
			mark_allocated(mem, track, idx, order, mt);
			*pfn = mem->base_pfn + idx;
			return 0;
		}
	}
	return -ENOMEM;
}

/*
 * What alloc_slow() tries first, which nearly every request gets: the
 * first pass, at the low watermark, over the zones until one meets it,
 * served there from its per-cpu list when that has a page or from the
 * request's own free lists. NIL, having changed nothing, whenever more is
 * needed (a refill, the half rule, a fallback, another pass), for
 * alloc_slow() to start over.
 */
G_ALWAYS_INLINE
static inline uint32_t alloc_first_try(struct cmasim_mem *mem, unsigned int order,
				       unsigned int mt, enum cmasim_zone_type highest_zone,
				       bool alloc_cma)
{
	struct zone *z = NULL;

	for (unsigned int i = mem->nr_zones; i-- > 0 && !z;)
		if (mem->zones[i].type <= highest_zone &&
		    watermark_ok(mem, &mem->zones[i], order, CMASIM_WMARK_LOW, highest_zone, alloc_cma))
			z = &mem->zones[i];
	if (!z)
		return NIL;
	if (pcp_serves(mem, order, mt, alloc_cma)) {
		struct free_list *list = &z->pcp.lists[order][mt];

		if (!list->nr)
			return NIL;
		z->pcp.free_factor >>= 1;
		return pcp_pop(mem, false, &z->pcp, list, order);
	}
	if (cma_first(mem, z, alloc_cma))
		return NIL;
	return rmqueue_smallest(mem, false, z, order, mt);
}

/*
 * buddy_alloc(), inline in its two entry points. The first try runs
 * without noting changes, and only while none are tracked: with
 * --check-invariants every request takes alloc_slow(), which gives the
 * same block, so the common path keeps no second copy.
 */
G_ALWAYS_INLINE
static inline int alloc_pages(struct cmasim_mem *mem, unsigned int order, unsigned int mt,
			      enum cmasim_zone_type highest_zone, bool alloc_cma, uint64_t *pfn)
{
	uint32_t idx = G_UNLIKELY(mm_tracking(mem)) ? NIL :
		       alloc_first_try(mem, order, mt, highest_zone, alloc_cma);

	if (idx == NIL)
		return alloc_slow(mem, order, mt, highest_zone, alloc_cma, pfn);
	mark_allocated(mem, false, idx, order, mt);
	*pfn = mem->base_pfn + idx;
	return 0;
}

int buddy_alloc(struct cmasim_mem *mem, unsigned int order, unsigned int mt,
		enum cmasim_zone_type highest_zone, bool alloc_cma, uint64_t *pfn)
{
	return alloc_pages(mem, order, mt, highest_zone, alloc_cma, pfn);
}

int cmasim_alloc_pages(struct cmasim_mem *mem, unsigned int order,
		       enum cmasim_migratetype mt, enum cmasim_zone_type highest_zone,
		       uint64_t *pfn)
{
	g_return_val_if_fail(order <= mem->max_order, -EINVAL);
	g_return_val_if_fail(mt < CMASIM_NR_ALLOC_TYPES, -EINVAL);
	g_return_val_if_fail(highest_zone < CMASIM_NR_ZONE_TYPES, -EINVAL);
	/* gfp_to_alloc_flags_cma(): movable requests may use CMA */
	return alloc_pages(mem, order, mt, highest_zone, mt == CMASIM_MT_MOVABLE, pfn);
}

/* Takes exactly [@idx, @idx + 2^@order) of @z off the free lists; 0 or -EBUSY. */
static int take_range(struct cmasim_mem *mem, struct zone *z, uint32_t idx, unsigned int order,
		      unsigned int mt)
{
	uint32_t end = idx + (UINT32_C(1) << order);
	uint32_t head = find_free_head(mem, idx);
	bool track = mm_tracking(mem);

	if (head == NIL)
		return -EBUSY;
	if (mem->frames[head].order >= order) {
		split_free_block(mem, z, head, idx, order);
		del_from_free_list(mem, track, z, idx);
	} else {
		/*
		 * Smaller free blocks that could not merge (different types at
		 * pageblock order and above) can still tile the range.
		 */
		for (uint32_t i = idx; i < end; i += UINT32_C(1) << mem->frames[i].order)
			if (mem->frames[i].state != FRAME_FREE)
				return -EBUSY;
		for (uint32_t i = idx; i < end;) {
			uint32_t next = i + (UINT32_C(1) << mem->frames[i].order);

			del_from_free_list(mem, track, z, i);
			i = next;
		}
	}
	mark_allocated(mem, track, idx, order, mt);
	return 0;
}

int cmasim_alloc_pages_at(struct cmasim_mem *mem, uint64_t pfn, unsigned int order,
			  enum cmasim_migratetype mt)
{
	g_return_val_if_fail(mt < CMASIM_NR_ALLOC_TYPES, -EINVAL);
	if (order > mem->max_order || pfn < mem->base_pfn ||
	    pfn - mem->base_pfn + (UINT64_C(1) << order) > mem->nr_frames ||
	    (pfn & ((UINT64_C(1) << order) - 1)))
		return -EINVAL;
	uint32_t idx = (uint32_t)(pfn - mem->base_pfn);
	uint32_t end = idx + (UINT32_C(1) << order);
	struct zone *z = zone_of(mem, idx);

	if (end > z->end)
		return -EINVAL;
	int ret = take_range(mem, z, idx, order, mt);

	/* pages a trace says the kernel gave out may sit on the per-cpu lists here */
	if (ret == -EBUSY && z->pcp.count) {
		buddy_drain_pcp(mem, idx);
		ret = take_range(mem, z, idx, order, mt);
	}
	return ret;
}

/* split_large_buddy() (Linux 6.10): a block larger than a pageblock goes back a pageblock at a time. */
static G_GNUC_NO_INLINE void free_large(struct cmasim_mem *mem, struct zone *z, uint32_t idx,
					unsigned int order)
{
	bool track = mm_tracking(mem);

	for (uint32_t p = idx; p < idx + (UINT32_C(1) << order); p += pageblock_nr_pages(mem))
		free_one(mem, track, z, p, mem->pb_order, pageblock_of(mem, p)->mt, false);
}

/* buddy_free() of the allocated block at @idx, noting what changes if @track */
G_ALWAYS_INLINE
static inline void free_pages(struct cmasim_mem *mem, bool track, uint32_t idx, bool pcp)
{
	struct frame *f = &mem->frames[idx];
	unsigned int order = f->order;
	const struct pageblock *pb = pageblock_of(mem, idx);
	/* read once: every byte the free writes could alias them, for the compiler */
	unsigned int pb_mt = pb->mt;
	struct zone *z = &mem->zones[pb->zone];

	account_alloc(mem, track, idx, order, f->mt, -1);
	/*
	 * Each part joins its own pageblock's lists, whatever type it was
	 * allocated as, so that each part lands on the right list even when
	 * the types differ.
	 */
	if (G_UNLIKELY(order > mem->pb_order)) {
		free_large(mem, z, idx, order);
		return;
	}
	if (!pcp || !free_unref_page(mem, track, z, idx, order, pb_mt))
		free_one(mem, track, z, idx, order, pb_mt, false);
}

/* free_pages() noting every change, out of the common path: only --check-invariants tracks them */
static G_GNUC_NO_INLINE void free_tracked(struct cmasim_mem *mem, uint32_t idx, bool pcp)
{
	free_pages(mem, true, idx, pcp);
}

/* buddy_free(), inline in its two entry points */
G_ALWAYS_INLINE
static inline void free_block(struct cmasim_mem *mem, uint32_t idx, bool pcp)
{
	g_return_if_fail(mem->frames[idx].state == FRAME_ALLOC);
	if (G_UNLIKELY(mm_tracking(mem)))
		free_tracked(mem, idx, pcp);
	else
		free_pages(mem, false, idx, pcp);
}

void buddy_free(struct cmasim_mem *mem, uint32_t idx, bool pcp)
{
	free_block(mem, idx, pcp);
}

void cmasim_free_pages(struct cmasim_mem *mem, uint64_t pfn)
{
	/* a pfn below base_pfn wraps past nr_frames */
	g_return_if_fail(pfn - mem->base_pfn < mem->nr_frames);
	free_block(mem, (uint32_t)(pfn - mem->base_pfn), true);
}

void cmasim_split_page(struct cmasim_mem *mem, uint64_t pfn)
{
	g_return_if_fail(pfn >= mem->base_pfn && pfn - mem->base_pfn < mem->nr_frames);
	uint32_t idx = (uint32_t)(pfn - mem->base_pfn);
	struct frame *f = &mem->frames[idx];

	g_return_if_fail(f->state == FRAME_ALLOC);
	mm_touch(mem, idx, f->order);
	for (uint32_t i = 1; i < UINT32_C(1) << f->order; i++)
		mem->frames[idx + i] = (struct frame){ .state = FRAME_ALLOC, .mt = f->mt,
						       .owner = f->owner, .next = f->next,
						       .prev = f->prev };
	f->order = 0;
}

uint64_t cmasim_zone_nr_free_blocks(const struct cmasim_mem *mem, unsigned int zone,
				    unsigned int order, enum cmasim_migratetype mt)
{
	g_return_val_if_fail(zone < mem->nr_zones && order <= mem->max_order, 0);
	g_return_val_if_fail(mt < CMASIM_NR_MIGRATETYPES, 0);
	return mem->zones[zone].free_area[order][mt].nr;
}

size_t cmasim_zone_free_list(const struct cmasim_mem *mem, unsigned int zone,
			     unsigned int order, enum cmasim_migratetype mt,
			     uint64_t *pfns, size_t max)
{
	g_return_val_if_fail(zone < mem->nr_zones && order <= mem->max_order, 0);
	g_return_val_if_fail(mt < CMASIM_NR_MIGRATETYPES, 0);
	const struct free_list *list = &mem->zones[zone].free_area[order][mt];
	size_t n = 0;

	for (uint32_t idx = list->first; idx != NIL && n < max; idx = mem->frames[idx].next)
		pfns[n++] = mem->base_pfn + idx;
	return list->nr;
}

/* fill_contig_page_info(), and CMA's lists left out unless @cma */
static void contig_page_info(const struct cmasim_mem *mem, const struct zone *z, unsigned int order,
			     bool cma, struct cmasim_frag *frag)
{
	for (unsigned int o = 0; o <= mem->max_order; o++) {
		uint64_t blocks = 0;

		for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
			if (cma || t != CMASIM_MT_CMA)
				blocks += z->free_area[o][t].nr;
		if (blocks)
			frag->largest_order = (int)o;
		frag->free_blocks_total += blocks;
		frag->free_pages += blocks << o;
		if (o >= order)
			frag->free_blocks_suitable += blocks << (o - order);
	}
	/* unusable_free_index() */
	frag->unusable_index = frag->free_pages ?
		(int)((frag->free_pages - (frag->free_blocks_suitable << order)) * 1000 /
		      frag->free_pages) : 1000;
	/* __fragmentation_index(): 0 means lack of memory, 1000 fragmentation */
	if (!frag->free_blocks_total)
		frag->extfrag_index = 0;
	else if (frag->free_blocks_suitable)
		frag->extfrag_index = -1000;
	else
		frag->extfrag_index = 1000 - (int)((1000 + (frag->free_pages * 1000 >> order)) /
						   frag->free_blocks_total);
}

void cmasim_zone_frag(const struct cmasim_mem *mem, unsigned int zone, unsigned int order,
		      struct cmasim_frag *frag)
{
	g_return_if_fail(zone < mem->nr_zones && order <= mem->max_order);
	const struct zone *z = &mem->zones[zone];
	struct cmasim_frag no_cma = { .largest_order = -1 };

	*frag = (struct cmasim_frag){ .largest_order = -1 };
	contig_page_info(mem, z, order, true, frag);
	contig_page_info(mem, z, order, false, &no_cma);
	frag->unusable_index_no_cma = no_cma.unusable_index;
	frag->extfrag_index_no_cma = no_cma.extfrag_index;
}

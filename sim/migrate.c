// SPDX-License-Identifier: GPL-2.0-only
/*
 * Owners of allocated blocks, and clearing a pfn range of them: isolation
 * (mm/page_isolation.c), migration (mm/migrate.c) and the reclaim of clean
 * page cache that alloc_contig_range() does first (mm/vmscan.c's
 * reclaim_clean_pages_from_list()).
 */
#include <errno.h>

#include "mm.h"

const char *cmasim_owner_name(enum cmasim_owner owner)
{
	static const char *const names[CMASIM_NR_OWNERS] = {
		[CMASIM_OWNER_ANON] = "anon",
		[CMASIM_OWNER_FILE] = "file",
		[CMASIM_OWNER_SLAB] = "slab",
		[CMASIM_OWNER_KERNEL] = "kernel",
		[CMASIM_OWNER_PAGETABLE] = "pagetable",
		[CMASIM_OWNER_DMA] = "dma",
	};

	g_return_val_if_fail(owner < CMASIM_NR_OWNERS, "?");
	return names[owner];
}

enum cmasim_owner cmasim_default_owner(enum cmasim_migratetype mt)
{
	g_return_val_if_fail(mt < CMASIM_NR_ALLOC_TYPES, CMASIM_OWNER_KERNEL);
	return mm_default_owner(mt);
}

/* The allocated head at @pfn, or NULL after complaining: misuse, not bad input. */
static struct frame *alloc_head(struct cmasim_mem *mem, uint64_t pfn)
{
	g_return_val_if_fail(pfn >= mem->base_pfn && pfn - mem->base_pfn < mem->nr_frames, NULL);
	struct frame *f = &mem->frames[pfn - mem->base_pfn];

	g_return_val_if_fail(f->state == FRAME_ALLOC, NULL);
	return f;
}

void cmasim_set_owner(struct cmasim_mem *mem, uint64_t pfn, enum cmasim_owner owner,
		      uint32_t cookie, uint32_t index)
{
	g_return_if_fail(owner < CMASIM_NR_OWNERS);
	struct frame *f = alloc_head(mem, pfn);

	if (f)
		mm_set_owner(mem, (uint32_t)(f - mem->frames), owner, cookie, index);
}

void cmasim_set_pinned(struct cmasim_mem *mem, uint64_t pfn, bool pinned)
{
	struct frame *f = alloc_head(mem, pfn);

	if (f)
		f->owner = (uint8_t)(pinned ? f->owner | OWNER_PINNED : OWNER_KIND(f->owner));
}

const char *cmasim_block_why_name(enum cmasim_block_why why)
{
	static const char *const names[CMASIM_NR_BLOCK_WHYS] = {
		[CMASIM_BLOCK_PINNED] = "pinned",
		[CMASIM_BLOCK_UNMOVABLE] = "unmovable",
		[CMASIM_BLOCK_RESERVED] = "reserved",
		[CMASIM_BLOCK_ISOLATED] = "isolated",
	};

	g_return_val_if_fail(why < CMASIM_NR_BLOCK_WHYS, "?");
	return names[why];
}

void cmasim_mem_set_contig_observer(struct cmasim_mem *mem,
				    const struct cmasim_contig_observer *obs)
{
	mem->contig_obs = obs;
}

void mm_blocked(struct cmasim_mem *mem, uint32_t idx, enum cmasim_block_why why)
{
	const struct cmasim_contig_observer *obs = mem->contig_obs;
	const struct frame *f = &mem->frames[idx];
	struct cmasim_blocker b = { .pfn = mem->base_pfn + idx, .pages = 1, .why = why };

	if (!obs || !obs->blocked)
		return;
	if (why == CMASIM_BLOCK_ISOLATED) {
		b.pfn = mem->base_pfn + (idx & ~(pageblock_nr_pages(mem) - 1));
		b.pages = pageblock_nr_pages(mem);
	} else if (f->state == FRAME_ALLOC) {
		b.pages = UINT64_C(1) << f->order;
		b.owner = OWNER_KIND(f->owner);
		b.tagged = f->next != NIL;
		b.cookie = f->next;
	}
	obs->blocked(obs->arg, &b);
}

void cmasim_mem_set_moved_hook(struct cmasim_mem *mem, cmasim_moved_fn fn, void *arg)
{
	mem->moved = fn;
	mem->moved_arg = arg;
}

/* Tells the owner of the block at @idx (tagged by @f) where it went. */
static void moved(struct cmasim_mem *mem, const struct frame *f, uint64_t new_pfn)
{
	if (mem->moved && f->next != NIL)
		mem->moved(mem->moved_arg, f->next, f->prev, new_pfn);
}

/* Copies the block at @idx into the block just allocated at @dest and frees the source. */
static void move_block(struct cmasim_mem *mem, uint32_t idx, uint32_t dest,
		       struct cmasim_migrate_stats *st)
{
	const struct cmasim_costs *costs = &mem->cfg->costs;
	struct frame src = mem->frames[idx];
	struct frame *d = &mem->frames[dest];
	uint64_t pages = UINT64_C(1) << src.order;

	d->owner = src.owner;
	d->next = src.next;
	d->prev = src.prev;
	cmasim_free_pages(mem, mem->base_pfn + idx);
	moved(mem, &src, mem->base_pfn + dest);
	st->migrated += pages;
	st->cost_ns += pages * (costs->page_copy_ns + costs->migrate_page_ns);
}

/*
 * migrate_pages() for one block into a destination that
 * alloc_migration_target() allocates by the buddy rules as type @mt, with
 * CMA pageblocks allowed when @alloc_cma (isolated pageblocks are never
 * on a list a request may use), in a zone the page could have come from.
 * Returns 0 or -ENOMEM.
 */
static int migrate_block(struct cmasim_mem *mem, uint32_t idx, unsigned int mt, bool alloc_cma,
			 struct cmasim_migrate_stats *st)
{
	const struct frame src = mem->frames[idx];
	enum cmasim_zone_type zone = zone_of(mem, idx)->type;
	/*
	 * alloc_migration_target(): __GFP_HIGHMEM only for a page that was in
	 * HighMem or Movable; gfp_zone() reaches Movable with __GFP_MOVABLE
	 */
	enum cmasim_zone_type highest = zone < CMASIM_ZONE_HIGHMEM ? CMASIM_ZONE_NORMAL :
					mt == CMASIM_MT_MOVABLE ? CMASIM_ZONE_MOVABLE :
					CMASIM_ZONE_HIGHMEM;
	uint64_t pages = UINT64_C(1) << src.order, dest;

	if (buddy_alloc(mem, src.order, mt, highest, alloc_cma, &dest)) {
		st->no_memory += pages;
		return -ENOMEM;
	}
	move_block(mem, idx, (uint32_t)(dest - mem->base_pfn), st);
	return 0;
}

int cmasim_migrate_for_longterm_pin(struct cmasim_mem *mem, uint64_t pfn,
				    struct cmasim_migrate_stats *st)
{
	const struct cmasim_kernel *k = mem->cfg->kernel;
	struct frame *f = alloc_head(mem, pfn);

	if (!f || !k->longterm_pin_migrates || (f->owner & OWNER_PINNED) || !owner_is_lru(f->owner))
		return 0;
	uint32_t idx = (uint32_t)(pfn - mem->base_pfn);
	bool in_cma = pageblock_of(mem, idx)->mt == CMASIM_MT_CMA;
	bool in_movable = zone_of(mem, idx)->type == CMASIM_ZONE_MOVABLE;

	/* folio_is_longterm_pinnable() */
	if (!in_cma && !(in_movable && k->longterm_pin_unmovable))
		return 0;
	/* memalloc_pin_save(): no ALLOC_CMA, and no __GFP_MOVABLE since 5.13 */
	return migrate_block(mem, idx, k->longterm_pin_unmovable ? CMASIM_MT_UNMOVABLE
								 : CMASIM_MT_MOVABLE, false, st);
}

int mm_migrate_block_to(struct cmasim_mem *mem, uint32_t idx, uint32_t dest,
			struct cmasim_migrate_stats *st)
{
	const struct frame *f = &mem->frames[idx];

	if (cmasim_alloc_pages_at(mem, mem->base_pfn + dest, f->order, f->mt))
		return -EBUSY;
	move_block(mem, idx, dest, st);
	return 0;
}

/* Drops a clean page-cache block: its pages are simply free afterwards. */
static void reclaim_block(struct cmasim_mem *mem, uint32_t idx, struct cmasim_migrate_stats *st)
{
	struct frame src = mem->frames[idx];
	uint64_t pages = UINT64_C(1) << src.order;

	cmasim_free_pages(mem, mem->base_pfn + idx);
	moved(mem, &src, UINT64_MAX);
	st->reclaimed += pages;
	st->cost_ns += pages * mem->cfg->costs.reclaim_page_ns;
}

/* Clamps a pfn range to frame indices, or returns false for one outside RAM. */
static bool range_idx(const struct cmasim_mem *mem, uint64_t start, uint64_t end, uint32_t *s,
		      uint32_t *e)
{
	g_return_val_if_fail(start < end && start >= mem->base_pfn &&
			     end - mem->base_pfn <= mem->nr_frames, false);
	*s = (uint32_t)(start - mem->base_pfn);
	*e = (uint32_t)(end - mem->base_pfn);
	return true;
}

int cmasim_migrate_range(struct cmasim_mem *mem, uint64_t start, uint64_t end,
			 struct cmasim_migrate_stats *st)
{
	uint32_t s, e;
	int ret = 0;

	if (!range_idx(mem, start, end, &s, &e))
		return -EINVAL;
	/*
	 * Whole blocks move, as whole folios do, even when only a part of
	 * one lies inside the range.
	 */
	for (uint32_t next; s < e; s = next) {
		/* a freed block may have merged with the next: look its head up again */
		uint32_t idx = buddy_block_head(mem, s);
		const struct frame *f = &mem->frames[idx];
		uint64_t pages = UINT64_C(1) << f->order;

		next = idx + (uint32_t)pages;
		if (f->state != FRAME_ALLOC)
			continue;
		if (f->owner & OWNER_PINNED) {
			/*
			 * An elevated refcount. isolate_migratepages_block()
			 * skips a pinned anon page at once, but isolates a
			 * page-cache one, which reclaim cannot drop and
			 * migrate_pages() tries for 10 passes, and
			 * __alloc_contig_migrate_range() 5 times (6.1), each
			 * an unmap and remap that fail.
			 */
			if (OWNER_KIND(f->owner) == CMASIM_OWNER_FILE)
				st->cost_ns += 5 * 10 * pages * mem->cfg->costs.migrate_page_ns;
			st->busy_pinned += pages;
			mm_blocked(mem, idx, CMASIM_BLOCK_PINNED);
			ret = ret ? ret : -EBUSY;
		} else if (OWNER_KIND(f->owner) == CMASIM_OWNER_FILE) {
			reclaim_block(mem, idx, st);
		} else if (OWNER_KIND(f->owner) == CMASIM_OWNER_ANON) {
			/*
			 * __alloc_contig_migrate_range() (6.1) asks for GFP_USER |
			 * __GFP_MOVABLE targets: MOVABLE, and gfp_to_alloc_flags_cma()
			 * sets ALLOC_CMA, so a target may land in another part of a
			 * CMA area (taken first under __rmqueue()'s half rule).
			 * migrate_pages() bails out at once on -ENOMEM.
			 */
			if (migrate_block(mem, idx, CMASIM_MT_MOVABLE, true, st))
				return -ENOMEM;
		} else {
			st->busy_unmovable += pages;
			mm_blocked(mem, idx, CMASIM_BLOCK_UNMOVABLE);
			ret = ret ? ret : -EBUSY;
		}
	}
	return ret;
}

/*
 * has_unmovable_pages() for [s, e) inside one pageblock: the first block
 * that is allocated and neither anon nor page cache, or PageReserved page;
 * NIL if none. Pinned pages are LRU pages and pass here.
 */
static uint32_t has_unmovable(const struct cmasim_mem *mem, uint32_t s, uint32_t e)
{
	for (uint32_t idx = buddy_block_head(mem, s); idx < e;) {
		const struct frame *f = &mem->frames[idx];

		if ((f->state == FRAME_ALLOC && !owner_is_lru(f->owner)) || frame_reserved(mem, idx))
			return idx;
		idx += UINT32_C(1) << f->order;		/* a hole frame has order 0 */
	}
	return NIL;
}

int cmasim_isolate_range(struct cmasim_mem *mem, uint64_t start, uint64_t end,
			 enum cmasim_migratetype mt)
{
	uint32_t s, e, pb = pageblock_nr_pages(mem);

	if (!range_idx(mem, start, end, &s, &e))
		return -EINVAL;
	for (uint32_t b = s & ~(pb - 1); b < e; b += pb) {
		unsigned int block_mt = pageblock_of(mem, b)->mt;

		uint32_t unmovable;

		/* set_migratetype_isolate(): someone else isolated it */
		if (block_mt == CMASIM_MT_ISOLATE) {
			mm_blocked(mem, b, CMASIM_BLOCK_ISOLATED);
			return -EBUSY;
		}
		/*
		 * has_unmovable_pages(): CMA pageblocks are taken as movable
		 * whatever they hold, for a CMA allocation only
		 */
		if (block_mt == CMASIM_MT_CMA) {
			if (mt != CMASIM_MT_CMA)
				return -EBUSY;
		} else if ((unmovable = has_unmovable(mem, MAX(b, s), MIN(b + pb, e))) != NIL) {
			mm_blocked(mem, unmovable, frame_reserved(mem, unmovable)
						   ? CMASIM_BLOCK_RESERVED : CMASIM_BLOCK_UNMOVABLE);
			return -EBUSY;
		}
	}
	for (uint32_t b = s & ~(pb - 1); b < e; b += pb) {
		cmasim_set_pageblock_migratetype(mem, mem->base_pfn + b, CMASIM_MT_ISOLATE);
		cmasim_move_freepages_block(mem, mem->base_pfn + b, CMASIM_MT_ISOLATE, NULL);
		/* isolated neighbours' free pages stay one block, as 6.1 never split it */
		buddy_merge_block(mem, b);
	}
	return 0;
}

void cmasim_undo_isolate_range(struct cmasim_mem *mem, uint64_t start, uint64_t end,
			       enum cmasim_migratetype mt)
{
	uint32_t s, e, pb = pageblock_nr_pages(mem);

	if (!range_idx(mem, start, end, &s, &e))
		return;
	for (uint32_t b = s & ~(pb - 1); b < e; b += pb)
		buddy_unisolate_block(mem, b, mt);
}

bool cmasim_range_free(const struct cmasim_mem *mem, uint64_t start, uint64_t end)
{
	uint32_t s, e;

	if (!range_idx(mem, start, end, &s, &e))
		return false;
	for (uint32_t idx = buddy_block_head(mem, s); idx < e;) {
		const struct frame *f = &mem->frames[idx];

		if (f->state != FRAME_FREE)
			return false;
		idx += UINT32_C(1) << f->order;
	}
	return true;
}

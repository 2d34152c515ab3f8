// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory compaction of one zone: compact_zone() of mm/compaction.c
 * (Linux 6.1, with the large-folio rule of 6.10), simplified to whole
 * pageblocks and one request at a time. The rules, each named after the
 * kernel function it follows:
 *
 * Before scanning (compaction_suitable(); all skipped for order -1, which
 * is compact_memory's "compact everything", is_via_compact_memory()):
 *  - a free block of order >= @order on an Unmovable, Movable or
 *    Reclaimable list already exists: SUCCESS, nothing scanned;
 *  - NR_FREE_PAGES <= the min watermark (low above PAGE_ALLOC_COSTLY_ORDER)
 *    + compact_gap(order) = 2 << order (+ the zone's own lowmem reserve):
 *    SKIPPED, there is nothing to migrate into;
 *  - order > PAGE_ALLOC_COSTLY_ORDER (3) and the fragmentation index is in
 *    [0, sysctl_extfrag_threshold = 500]: SKIPPED, the failure would be
 *    for lack of memory, not fragmentation.
 *
 * The migrate scanner (isolate_migratepages()) takes the zone's pageblocks
 * from the first upwards. It skips holes and pageblocks that are not
 * MOVABLE or CMA (suitable_migration_source() of async compaction) without
 * counting them; of the others it counts every page as scanned and walks
 * the blocks from the pageblock's start. It migrates an allocated block
 * when (isolate_migratepages_block()):
 *  - its owner is ANON or FILE (an LRU page; page cache migrates too), and
 *  - it is not pinned (an elevated refcount fails isolation), and
 *  - its order is below pageblock_order and, unless @order is -1, below
 *    @order (skip_isolation_on_order(), Linux 6.10: moving a block at least
 *    as large as the request cannot help).
 * Everything else stays where it is.
 *
 * The free scanner (isolate_freepages()) is asked for a destination each
 * time a block is to move (compaction_alloc()). From the captured free runs
 * (cc->freepages) it gives the highest naturally aligned run of the block's
 * order: the captured run of order >= that with the highest pfn, and the
 * top 2^order pages of it; the rest of the run stays captured as its buddy
 * pieces (split_page() of the kernel's free scanner). Only when no captured
 * run is large enough does it scan its next pageblock, going down from the
 * zone's last one, while that pageblock lies above the migrate scanner's
 * (low_pfn = pageblock_end_pfn(migrate_pfn)). It skips holes and
 * pageblocks that are not MOVABLE or CMA, or that lie inside a free block
 * of pageblock order or more (suitable_migration_target(): a wholly free
 * pageblock is what compaction tries to make, not a place to fill),
 * without counting them; of the others it counts every page as scanned
 * and captures every free block in them. Captured runs stay on the buddy
 * lists until used: nothing else allocates while compaction runs, so they
 * stay free, and nothing needs giving back (release_freepages()).
 * Destinations therefore always lie in pageblocks above the migrate
 * scanner's: no block ever moves down.
 *
 * Stopping (__compact_finished()): when a block finds no destination the
 * scanners have met: COMPLETE. After each pageblock the migrate scanner
 * walked, for @order >= 0, a free block of order >= @order on an
 * Unmovable, Movable or Reclaimable list means SUCCESS. When the migrate
 * scanner reaches the free scanner's next pageblock (free_pfn's pageblock
 * <= migrate_pfn's, compact_scanners_met()): COMPLETE.
 *
 * Cost is what migration charges for each moved block (copy and remap).
 */
#include "cmasim/compact.h"

#include "mm.h"

/* PAGE_ALLOC_COSTLY_ORDER */
#define COSTLY_ORDER 3
/* sysctl_extfrag_threshold's default */
#define EXTFRAG_THRESHOLD 500
/* compaction_suitable()'s "go on" (COMPACT_CONTINUE), never returned */
#define COMPACT_CONTINUE (-1)

/* A captured free run: [idx, idx + 2^order), naturally aligned. */
struct freepage {
	uint32_t idx;
	unsigned int order;
};

/* struct compact_control: one compaction of one zone. */
struct compact_control {
	struct cmasim_mem *mem;
	int order;			/* of the request; -1 for compact_memory */
	uint32_t migrate_pb;		/* first frame of the migrate scanner's pageblock */
	uint32_t free_pb;		/* first frame of the free scanner's next pageblock */
	GArray *freepages;		/* struct freepage, captured and not used yet */
	struct cmasim_compact_stats *st;
	struct cmasim_migrate_stats mst; /* what mm_migrate_block_to() charged */
};

const char *cmasim_compact_result_name(enum cmasim_compact_result result)
{
	static const char *const names[] = {
		[CMASIM_COMPACT_SUCCESS] = "success",
		[CMASIM_COMPACT_COMPLETE] = "complete",
		[CMASIM_COMPACT_SKIPPED] = "skipped",
	};

	g_return_val_if_fail((unsigned int)result < G_N_ELEMENTS(names), "?");
	return names[result];
}

/* compaction_suitable(): SUCCESS, SKIPPED, or COMPACT_CONTINUE to go on scanning. */
static int compaction_suitable(const struct cmasim_mem *mem, unsigned int zone, int order)
{
	const struct zone *z = &mem->zones[zone];
	struct cmasim_frag frag;

	if (order < 0)
		return COMPACT_CONTINUE;
	if (buddy_free_block_ok(mem, z, (unsigned int)order, false))
		return CMASIM_COMPACT_SUCCESS;
	/* order-0 watermark plus compact_gap(), counting free CMA pages (ALLOC_CMA) */
	uint64_t mark = z->wmark[order > COSTLY_ORDER ? CMASIM_WMARK_LOW : CMASIM_WMARK_MIN] +
			(UINT64_C(2) << order) + z->lowmem_reserve[z->type];
	if (z->nr_free <= mark)
		return CMASIM_COMPACT_SKIPPED;
	if (order > COSTLY_ORDER) {
		cmasim_zone_frag(mem, zone, (unsigned int)order, &frag);
		if (frag.extfrag_index >= 0 && frag.extfrag_index <= EXTFRAG_THRESHOLD)
			return CMASIM_COMPACT_SKIPPED;
	}
	return COMPACT_CONTINUE;
}

/* suitable_migration_source() of async compaction: MOVABLE or CMA pageblocks. */
static bool suitable_source(struct cmasim_mem *mem, uint32_t pb)
{
	unsigned int mt = pageblock_of(mem, pb)->mt;

	return mt == CMASIM_MT_MOVABLE || mt == CMASIM_MT_CMA;
}

/* suitable_migration_target(): MOVABLE or CMA, and not inside a free block >= a pageblock. */
static bool suitable_target(struct cmasim_mem *mem, uint32_t pb)
{
	unsigned int mt = pageblock_of(mem, pb)->mt;
	const struct frame *head = &mem->frames[buddy_block_head(mem, pb)];

	if (head->state == FRAME_FREE && head->order >= mem->pb_order)
		return false;
	return mt == CMASIM_MT_MOVABLE || mt == CMASIM_MT_CMA;
}

/* isolate_freepages_block(): captures every free block of the pageblock at @pb. */
static void isolate_freepages_block(struct compact_control *cc, uint32_t pb)
{
	const struct cmasim_mem *mem = cc->mem;
	uint32_t end = pb + pageblock_nr_pages(mem);

	/*
	 * suitable_target() ruled out free blocks of a pageblock or more, so
	 * every free block met here lies wholly inside the pageblock; @pb may
	 * be inside a larger allocated block, which steps past @end at once.
	 */
	for (uint32_t idx = buddy_block_head(mem, pb); idx < end;) {
		const struct frame *f = &mem->frames[idx];

		if (f->state == FRAME_FREE) {
			struct freepage fp = { .idx = idx, .order = f->order };

			g_array_append_val(cc->freepages, fp);
		}
		idx += UINT32_C(1) << f->order;		/* a hole frame has order 0 */
	}
}

/*
 * Takes the top 2^@order pages of the highest captured run of order >=
 * @order into *@dest, leaving the rest captured. Returns false if none.
 */
static bool take_freepage(struct compact_control *cc, unsigned int order, uint32_t *dest)
{
	GArray *fps = cc->freepages;
	guint best = fps->len;

	for (guint i = 0; i < fps->len; i++) {
		const struct freepage *fp = &g_array_index(fps, struct freepage, i);

		if (fp->order >= order &&
		    (best == fps->len || fp->idx > g_array_index(fps, struct freepage, best).idx))
			best = i;
	}
	if (best == fps->len)
		return false;

	struct freepage run = g_array_index(fps, struct freepage, best);
	uint32_t top = run.idx + (UINT32_C(1) << run.order);

	g_array_remove_index_fast(fps, best);
	/* the buddy pieces below the top 2^order pages: orders run.order - 1 .. order */
	for (unsigned int o = run.order; o-- > order;) {
		struct freepage piece = { .idx = top - (UINT32_C(2) << o), .order = o };

		g_array_append_val(fps, piece);
	}
	*dest = top - (UINT32_C(1) << order);
	return true;
}

/*
 * compaction_alloc(): a free run of @order above the migrate scanner's
 * pageblock in *@dest, scanning further pageblocks down as needed.
 * Returns false when the free scanner reached the migrate scanner.
 */
static bool compaction_alloc(struct compact_control *cc, unsigned int order, uint32_t *dest)
{
	uint32_t nr = pageblock_nr_pages(cc->mem);

	while (!take_freepage(cc, order, dest)) {
		if (cc->free_pb <= cc->migrate_pb)
			return false;
		uint32_t pb = cc->free_pb;

		cc->free_pb -= nr;	/* > migrate_pb >= 0, and both pageblock-aligned */
		if (in_hole(cc->mem, pb) || !suitable_target(cc->mem, pb))
			continue;
		cc->st->free_scanned += nr;
		isolate_freepages_block(cc, pb);
	}
	return true;
}

/* Whether the migrate scanner takes the allocated block @f (isolate_migratepages_block()). */
static bool migratable(const struct compact_control *cc, const struct frame *f)
{
	if (f->state != FRAME_ALLOC || (f->owner & OWNER_PINNED) || !owner_is_lru(f->owner))
		return false;
	/* skip_isolation_on_order() */
	if (f->order >= cc->mem->pb_order)
		return false;
	return cc->order < 0 || f->order < (unsigned int)cc->order;
}

/*
 * Migrates every movable block of the migrate scanner's pageblock, in pfn
 * order. Returns false when one found no destination: the scanners met.
 */
static bool migrate_pageblock(struct compact_control *cc)
{
	struct cmasim_mem *mem = cc->mem;
	uint32_t end = cc->migrate_pb + pageblock_nr_pages(mem);

	for (uint32_t s = cc->migrate_pb, next; s < end; s = next) {
		/* a freed block may have merged with the next: look its head up again */
		uint32_t idx = buddy_block_head(mem, s), dest;
		const struct frame *f = &mem->frames[idx];
		unsigned int order = f->order;

		next = idx + (UINT32_C(1) << order);
		if (!migratable(cc, f))
			continue;
		if (!compaction_alloc(cc, order, &dest))
			return false;
		/* compaction_alloc() found @dest free, and nothing took it since */
		g_return_val_if_fail(mm_migrate_block_to(mem, idx, dest, &cc->mst) == 0, false);
	}
	return true;
}

enum cmasim_compact_result cmasim_compact_zone(struct cmasim_mem *mem, unsigned int zone,
					       int order, struct cmasim_compact_stats *st)
{
	g_return_val_if_fail(mem && st && zone < mem->nr_zones, CMASIM_COMPACT_SKIPPED);
	g_return_val_if_fail(order >= -1 && order <= (int)mem->max_order, CMASIM_COMPACT_SKIPPED);
	const struct zone *z = &mem->zones[zone];
	uint32_t nr = pageblock_nr_pages(mem);
	enum cmasim_compact_result ret = CMASIM_COMPACT_COMPLETE;
	int suitable = compaction_suitable(mem, zone, order);

	if (suitable != COMPACT_CONTINUE)
		return (enum cmasim_compact_result)suitable;

	struct compact_control cc = {
		.mem = mem,
		.order = order,
		.migrate_pb = z->start,
		/* pageblock_start_pfn(zone_end_pfn - 1) */
		.free_pb = z->end - nr,
		.freepages = g_array_new(FALSE, FALSE, sizeof(struct freepage)),
		.st = st,
	};

	/* compact_scanners_met() ends the walk */
	for (; cc.migrate_pb < cc.free_pb; cc.migrate_pb += nr) {
		if (in_hole(mem, cc.migrate_pb) || !suitable_source(mem, cc.migrate_pb))
			continue;
		st->migrate_scanned += nr;
		if (!migrate_pageblock(&cc))
			break;
		if (order >= 0 && buddy_free_block_ok(mem, z, (unsigned int)order, false)) {
			ret = CMASIM_COMPACT_SUCCESS;
			break;
		}
	}
	st->migrated += cc.mst.migrated;
	st->cost_ns += cc.mst.cost_ns;
	g_array_free(cc.freepages, TRUE);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory compaction of one zone: compact_zone() of mm/compaction.c
 * (Linux 6.1), pageblock by pageblock. The rules, each named after the
 * kernel function it follows; where a profile changes one, it says so.
 *
 * Who asks decides the mode (struct compact_control):
 *  - compact_memory (@order -1, compact_node()): MIGRATE_SYNC, the whole
 *    zone from its edges, never deferred;
 *  - a compaction for an order (kcompactd_do_work()): MIGRATE_SYNC_LIGHT,
 *    from the cached scanner positions, deferred after failures;
 *  - an allocation's direct compaction (try_to_compact_pages()): async,
 *    from the cached positions, skipped while deferred.
 *
 * Deferral (compaction_deferred(), defer_compaction()): a zone whose
 * compaction for order o failed (the scanners met) skips requests of
 * order >= o until 2^shift of them have been considered; the shift grows
 * by one a failure up to COMPACT_MAX_DEFER_SHIFT (6), and a success resets
 * what failed (compaction_defer_reset()). Only sync compaction defers;
 * async direct compaction only looks.
 *
 * Before scanning (compaction_suitable(); all skipped for order -1,
 * is_via_compact_memory()):
 *  - a free block of order >= @order on an Unmovable, Movable or
 *    Reclaimable list already exists: SUCCESS, nothing scanned;
 *  - NR_FREE_PAGES (CMA counted: ALLOC_CMA) <= the min watermark (low
 *    above PAGE_ALLOC_COSTLY_ORDER) + compact_gap(order) = 2 << order +
 *    lowmem_reserve[highest_zoneidx] (the allocation's highest zone, the
 *    zone's own otherwise): SKIPPED, there is nothing to migrate into;
 *  - order > PAGE_ALLOC_COSTLY_ORDER (3) and the fragmentation index is in
 *    [0, sysctl_extfrag_threshold = 500]: SKIPPED, the failure would be
 *    for lack of memory, not fragmentation.
 *
 * The scanners start where the zone's cached positions say
 * (compact_cached_migrate_pfn[sync], compact_cached_free_pfn), or at the
 * zone's edges; a run that starts at the zone's first pageblock is
 * whole_zone. The migrate position advances past pageblocks it skipped or
 * isolated nothing from (update_cached_migrate()), the free position down
 * to the lowest pageblock the free scanner walked (update_pageblock_skip());
 * when the scanners meet both go back to the edges
 * (reset_cached_positions()). Skip hints are not modelled.
 *
 * The migrate scanner (isolate_migratepages()) takes the zone's pageblocks
 * upwards. It skips holes and pageblocks that are no source without
 * counting them: for async direct compaction only MOVABLE and CMA blocks
 * for a movable request and blocks of the request's own type otherwise;
 * every block for sync compaction (suitable_migration_source()). It
 * counts every page of a pageblock it enters and isolates an allocated
 * block when
 * (isolate_migratepages_block()) its owner is ANON or FILE (an LRU page;
 * page cache migrates too), it is not pinned (an elevated refcount fails
 * isolation), and
 *  - 6.1 (and 3.5, 5.10): it is a single page: compound pages are not
 *    compacted (PageCompound() without cc->alloc_contig); up to
 *    COMPACT_CLUSTER_MAX (32) are isolated at once, and migrate_pages()
 *    takes them in the reverse order (list_add());
 *  - 6.10 (compaction_folios): its order is below pageblock_order and,
 *    unless @order is -1, below @order (skip_isolation_on_order()); blocks
 *    move one at a time in pfn order.
 * Everything else stays where it is.
 *
 * The free scanner (isolate_freepages()) walks pageblocks down from the
 * free position while they lie above pageblock_end_pfn(migrate_pfn),
 * skipping holes and blocks that are neither MOVABLE nor CMA, or lie inside
 * a free block of pageblock order or more (suitable_migration_target(): a
 * wholly free pageblock is what compaction tries to make), without
 * counting them; of the others it counts every page and captures every
 * free block (isolate_freepages_block()).
 *  - 6.1: it is called when its list is empty and walks until it holds
 *    as many pages as were isolated for migration; split_map_pages()
 *    splits what it took into single pages and leaves them in the reverse
 *    order (list_add()), and compaction_alloc() takes the list's head: the
 *    highest page of the last pageblock walked first.
 *  - 6.10: it walks one pageblock when no captured run is large enough,
 *    and compaction_alloc() gives the top 2^order pages of the highest
 *    captured run of at least the block's order; the rest stays captured.
 * Captured pages stay on the buddy lists until used: nothing else
 * allocates while compaction runs, so nothing needs giving back.
 *
 * Stopping (__compact_finished()): when the scanners meet (the free
 * position's pageblock <= the migrate position's): COMPLETE for a
 * whole_zone run, else PARTIAL_SKIPPED. For @order >= 0, each time the
 * migrate scanner finished a pageblock, a free block of order >= @order on
 * an Unmovable, Movable or Reclaimable list means SUCCESS.
 *
 * Cost: what migration charges for each moved block (copy and remap), and
 * compact_scan_page for every page either scanner walked.
 */
#include "cmasim/compact.h"

#include "mm.h"

/* PAGE_ALLOC_COSTLY_ORDER */
#define COSTLY_ORDER 3
/* sysctl_extfrag_threshold's default */
#define EXTFRAG_THRESHOLD 500
/* pages isolated for migration at once */
#define COMPACT_CLUSTER_MAX 32
#define COMPACT_MAX_DEFER_SHIFT 6
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
	struct zone *z;
	int order;			/* of the request; -1 for compact_memory */
	bool sync;			/* cc->mode != MIGRATE_ASYNC */
	bool direct;			/* an allocation's direct compaction */
	unsigned int mt;		/* direct: the allocation's type */
	bool whole_zone;
	bool folios;			/* the profile's compaction_folios (6.10) */
	uint32_t migrate_pfn;		/* frame where the migrate scanner goes on */
	uint32_t free_pb;		/* first frame of the free scanner's next pageblock */
	GArray *migratepages;		/* uint32_t frames isolated, in isolation order */
	GArray *freepages;		/* struct freepage: 6.1 single pages, the head last */
	struct cmasim_compact_stats *st;
	struct cmasim_migrate_stats mst; /* what mm_migrate_block_to() charged */
};

const char *cmasim_compact_result_name(enum cmasim_compact_result result)
{
	static const char *const names[] = {
		[CMASIM_COMPACT_SUCCESS] = "success",
		[CMASIM_COMPACT_COMPLETE] = "complete",
		[CMASIM_COMPACT_SKIPPED] = "skipped",
		[CMASIM_COMPACT_PARTIAL_SKIPPED] = "partial_skipped",
		[CMASIM_COMPACT_DEFERRED] = "deferred",
	};

	g_return_val_if_fail((unsigned int)result < G_N_ELEMENTS(names), "?");
	return names[result];
}

/* compaction_deferred(): counts one more request and says whether to skip it. */
static bool compaction_deferred(struct zone *z, int order)
{
	uint64_t limit = UINT64_C(1) << z->compact_defer_shift;

	if (order < z->compact_order_failed)
		return false;
	if (++z->compact_considered >= limit) {
		z->compact_considered = limit;
		return false;
	}
	return true;
}

/* defer_compaction() */
static void defer_compaction(struct zone *z, int order)
{
	z->compact_considered = 0;
	z->compact_defer_shift = MIN(z->compact_defer_shift + 1, COMPACT_MAX_DEFER_SHIFT);
	z->compact_order_failed = MIN(z->compact_order_failed, order);
}

/* compaction_defer_reset() after a compaction that succeeded */
static void compaction_defer_reset(struct zone *z, int order)
{
	z->compact_order_failed = MAX(z->compact_order_failed, order + 1);
}

/* reset_cached_positions() */
static void reset_cached_positions(const struct cmasim_mem *mem, struct zone *z)
{
	z->compact_cached_migrate[0] = z->compact_cached_migrate[1] = z->start;
	z->compact_cached_free = z->end - pageblock_nr_pages(mem);
}

void mm_compact_init_zone(const struct cmasim_mem *mem, struct zone *z)
{
	reset_cached_positions(mem, z);
}

/* compaction_suitable(): SUCCESS, SKIPPED, or COMPACT_CONTINUE to go on scanning. */
static int compaction_suitable(const struct cmasim_mem *mem, unsigned int zone, int order,
			       enum cmasim_zone_type highest_zone)
{
	const struct zone *z = &mem->zones[zone];
	struct cmasim_frag frag;

	if (order < 0)
		return COMPACT_CONTINUE;
	if (buddy_free_block_ok(z, (unsigned int)order, false))
		return CMASIM_COMPACT_SUCCESS;
	/* order-0 watermark plus compact_gap(), counting free CMA pages (ALLOC_CMA) */
	uint64_t mark = wmark_pages(z, order > COSTLY_ORDER ? CMASIM_WMARK_LOW : CMASIM_WMARK_MIN) +
			(UINT64_C(2) << order) + z->lowmem_reserve[highest_zone];
	if (z->nr_free <= mark)
		return CMASIM_COMPACT_SKIPPED;
	if (order > COSTLY_ORDER) {
		cmasim_zone_frag(mem, zone, (unsigned int)order, &frag);
		if (frag.extfrag_index >= 0 && frag.extfrag_index <= EXTFRAG_THRESHOLD)
			return CMASIM_COMPACT_SKIPPED;
	}
	return COMPACT_CONTINUE;
}

/* suitable_migration_source() */
static bool suitable_source(const struct compact_control *cc, uint32_t pb)
{
	unsigned int mt = pageblock_of(cc->mem, pb)->mt;

	if (cc->sync || !cc->direct)
		return true;
	if (cc->mt == CMASIM_MT_MOVABLE)
		return mt == CMASIM_MT_MOVABLE || mt == CMASIM_MT_CMA;
	return mt == cc->mt;
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

/* compact_scanners_met() */
static bool scanners_met(const struct compact_control *cc)
{
	return cc->free_pb >> cc->mem->pb_order <= cc->migrate_pfn >> cc->mem->pb_order;
}

/* Pages of pageblock @pb that are not allocated (free, on per-cpu lists, or holes). */
static uint32_t pageblock_free_pages(const struct cmasim_mem *mem, uint32_t pb)
{
	const struct pageblock *b = pageblock_of(mem, pb);
	uint32_t alloc = 0;

	for (unsigned int mt = 0; mt < CMASIM_NR_ALLOC_TYPES; mt++)
		alloc += b->nr_alloc[mt];
	return pageblock_nr_pages(mem) - alloc;
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

		/* split_map_pages(): 6.1 hands out single pages */
		for (uint32_t i = 0; f->state == FRAME_FREE && i < (cc->folios ? 1u : 1u << f->order);
		     i++) {
			struct freepage fp = { .idx = idx + i, .order = cc->folios ? f->order : 0 };

			g_array_append_val(cc->freepages, fp);
		}
		idx += UINT32_C(1) << f->order;		/* a hole frame has order 0 */
	}
}

/*
 * isolate_freepages(): walks pageblocks down from the free position while
 * they lie above pageblock_end_pfn(migrate_pfn), until it holds at least
 * @want pages (6.10: one suitable pageblock). Returns false when it
 * walked none: the scanners met.
 */
static bool isolate_freepages(struct compact_control *cc, uint32_t want)
{
	uint32_t nr = pageblock_nr_pages(cc->mem);
	uint32_t low = (cc->migrate_pfn + nr) & ~(nr - 1);
	bool walked = false;

	while (cc->free_pb >= low) {
		uint32_t pb = cc->free_pb;

		cc->free_pb -= nr;
		if (pageblock_absent(cc->mem, pb) || !suitable_target(cc->mem, pb))
			continue;
		cc->st->free_scanned += nr;
		walked = true;
		/* every page allocated: the walk would find no free page, so skip it */
		if (pageblock_free_pages(cc->mem, pb))
			isolate_freepages_block(cc, pb);
		/* update_pageblock_skip(): where the next run's free scanner starts */
		cc->z->compact_cached_free = MIN(cc->z->compact_cached_free, pb);
		if (cc->folios || cc->freepages->len >= want)
			break;
	}
	return walked;
}

/*
 * 6.10: takes the top 2^@order pages of the highest captured run of order
 * >= @order into *@dest, leaving the rest captured. Returns false if none.
 */
static bool take_highest_run(struct compact_control *cc, unsigned int order, uint32_t *dest)
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
 * compaction_alloc(): a free run of @order in *@dest, from what the free
 * scanner holds or walks next. Returns false when it has none: the
 * scanners met.
 */
static bool compaction_alloc(struct compact_control *cc, unsigned int order, uint32_t *dest)
{
	if (cc->folios) {
		while (!take_highest_run(cc, order, dest))
			if (!isolate_freepages(cc, 0))
				return false;
		return true;
	}
	if (!cc->freepages->len)
		isolate_freepages(cc, cc->migratepages->len);
	if (!cc->freepages->len)
		return false;
	*dest = g_array_index(cc->freepages, struct freepage, cc->freepages->len - 1).idx;
	g_array_set_size(cc->freepages, cc->freepages->len - 1);
	return true;
}

/* Whether the migrate scanner takes the allocated block @f (isolate_migratepages_block()). */
static bool migratable(const struct compact_control *cc, const struct frame *f)
{
	if (f->state != FRAME_ALLOC || (f->owner & OWNER_PINNED) || !owner_is_lru(f->owner))
		return false;
	if (!cc->folios)
		return f->order == 0;
	/* skip_isolation_on_order() */
	if (f->order >= cc->mem->pb_order)
		return false;
	return cc->order < 0 || f->order < (unsigned int)cc->order;
}

/*
 * isolate_migratepages_block() from the migrate position to the end of
 * its pageblock, or until COMPACT_CLUSTER_MAX single pages are isolated
 * (6.10: the first movable block). Moves the position past what it walked.
 */
static void isolate_migratepages_block(struct compact_control *cc)
{
	struct cmasim_mem *mem = cc->mem;
	uint32_t end = (cc->migrate_pfn | (pageblock_nr_pages(mem) - 1)) + 1;
	uint32_t s = cc->migrate_pfn;

	for (uint32_t idx = buddy_block_head(mem, s); idx < end;) {
		const struct frame *f = &mem->frames[idx];

		idx += UINT32_C(1) << f->order;		/* a hole frame has order 0 */
		if (!migratable(cc, f))
			continue;
		uint32_t head = idx - (UINT32_C(1) << f->order);

		g_array_append_val(cc->migratepages, head);
		if (cc->folios || cc->migratepages->len == COMPACT_CLUSTER_MAX) {
			end = MIN(idx, end);
			break;
		}
	}
	/* a pageblock counts whole when the scanner enters it */
	if (!(s & (pageblock_nr_pages(mem) - 1)))
		cc->st->migrate_scanned += pageblock_nr_pages(mem);
	cc->migrate_pfn = end;
	/* update_cached_migrate(): a pageblock walked to its end with nothing isolated */
	if (!cc->migratepages->len && !(end & (pageblock_nr_pages(mem) - 1))) {
		cc->z->compact_cached_migrate[0] = MAX(cc->z->compact_cached_migrate[0], end);
		if (cc->sync)
			cc->z->compact_cached_migrate[1] = MAX(cc->z->compact_cached_migrate[1], end);
	}
}

/*
 * migrate_pages() of what was isolated, last first (6.10: the one block).
 * Returns false when one found no destination: the scanners met.
 */
static bool migrate_isolated(struct compact_control *cc)
{
	bool ok = true;

	while (ok && cc->migratepages->len) {
		uint32_t idx = g_array_index(cc->migratepages, uint32_t, cc->migratepages->len - 1);
		uint32_t dest;

		g_array_set_size(cc->migratepages, cc->migratepages->len - 1);
		ok = compaction_alloc(cc, cc->mem->frames[idx].order, &dest);
		/* compaction_alloc() found @dest free, and nothing took it since */
		if (ok && mm_migrate_block_to(cc->mem, idx, dest, &cc->mst))
			g_return_val_if_reached(false);
	}
	/* putback_movable_pages(): what did not move stays */
	g_array_set_size(cc->migratepages, 0);
	return ok;
}

/* isolate_migratepages(): the next pageblock that is a source, from the migrate position. */
static bool next_source(struct compact_control *cc)
{
	uint32_t nr = pageblock_nr_pages(cc->mem);

	for (; !scanners_met(cc); cc->migrate_pfn = (cc->migrate_pfn | (nr - 1)) + 1) {
		uint32_t pb = cc->migrate_pfn & ~(nr - 1);

		if (pageblock_absent(cc->mem, pb))
			continue;
		if (suitable_source(cc, pb))
			return true;
		cc->z->compact_cached_migrate[0] = MAX(cc->z->compact_cached_migrate[0], pb + nr);
		if (cc->sync)
			cc->z->compact_cached_migrate[1] = MAX(cc->z->compact_cached_migrate[1],
							       pb + nr);
	}
	return false;
}

/* compact_zone() for @cc, set up but for the scanner positions. */
static enum cmasim_compact_result compact_zone(struct compact_control *cc,
					       enum cmasim_zone_type highest_zone)
{
	struct cmasim_mem *mem = cc->mem;
	struct zone *z = cc->z;
	uint32_t nr = pageblock_nr_pages(mem);
	unsigned int zone = (unsigned int)(z - mem->zones);
	int suitable = compaction_suitable(mem, zone, cc->order, highest_zone);

	if (suitable != COMPACT_CONTINUE)
		return (enum cmasim_compact_result)suitable;
	if (cc->whole_zone) {
		cc->migrate_pfn = z->start;
		cc->free_pb = z->end - nr;
	} else {
		cc->migrate_pfn = z->compact_cached_migrate[cc->sync];
		cc->free_pb = z->compact_cached_free;
		if (cc->free_pb < z->start || cc->free_pb >= z->end)
			cc->free_pb = z->compact_cached_free = z->end - nr;
		if (cc->migrate_pfn < z->start || cc->migrate_pfn >= z->end)
			cc->migrate_pfn = z->compact_cached_migrate[0] =
				z->compact_cached_migrate[1] = z->start;
		cc->whole_zone = cc->migrate_pfn <= z->start;
	}
	cc->migratepages = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	cc->freepages = g_array_new(FALSE, FALSE, sizeof(struct freepage));

	enum cmasim_compact_result ret = CMASIM_COMPACT_COMPLETE;
	for (;;) {
		/* __compact_finished() */
		if (scanners_met(cc) || !next_source(cc)) {
			reset_cached_positions(mem, z);
			ret = cc->whole_zone ? CMASIM_COMPACT_COMPLETE : CMASIM_COMPACT_PARTIAL_SKIPPED;
			break;
		}
		isolate_migratepages_block(cc);
		if (!migrate_isolated(cc))
			continue;
		if (cc->order >= 0 && !(cc->migrate_pfn & (nr - 1)) &&
		    buddy_free_block_ok(z, (unsigned int)cc->order, false)) {
			ret = CMASIM_COMPACT_SUCCESS;
			break;
		}
	}
	cc->st->migrated += cc->mst.migrated;
	cc->st->cost_ns += cc->mst.cost_ns;
	g_array_free(cc->migratepages, TRUE);
	g_array_free(cc->freepages, TRUE);
	return ret;
}

/* Runs @cc and charges what its scanners walked. */
static enum cmasim_compact_result run(struct compact_control *cc,
				      enum cmasim_zone_type highest_zone)
{
	uint64_t scanned = cc->st->migrate_scanned + cc->st->free_scanned;
	enum cmasim_compact_result ret = compact_zone(cc, highest_zone);

	scanned = cc->st->migrate_scanned + cc->st->free_scanned - scanned;
	cc->st->cost_ns += scanned * cc->mem->cfg->costs.compact_scan_page_ns;
	return ret;
}

enum cmasim_compact_result cmasim_compact_zone(struct cmasim_mem *mem, unsigned int zone,
					       int order, struct cmasim_compact_stats *st)
{
	g_return_val_if_fail(mem && st && zone < mem->nr_zones, CMASIM_COMPACT_SKIPPED);
	g_return_val_if_fail(order >= -1 && order <= (int)mem->max_order, CMASIM_COMPACT_SKIPPED);
	struct zone *z = &mem->zones[zone];
	struct compact_control cc = {
		.mem = mem,
		.z = z,
		.order = order,
		.sync = true,
		.whole_zone = order < 0,
		.folios = mem->cfg->kernel->compaction_folios,
		.st = st,
	};

	if (order < 0)
		return run(&cc, z->type);
	/* kcompactd_do_work() */
	if (compaction_deferred(z, order))
		return CMASIM_COMPACT_DEFERRED;
	enum cmasim_compact_result ret = run(&cc, z->type);

	if (ret == CMASIM_COMPACT_SUCCESS)
		compaction_defer_reset(z, order);
	else if (ret == CMASIM_COMPACT_COMPLETE || ret == CMASIM_COMPACT_PARTIAL_SKIPPED)
		defer_compaction(z, order);
	return ret;
}

enum cmasim_compact_result cmasim_compact_zone_direct(struct cmasim_mem *mem, unsigned int zone,
						      unsigned int order,
						      enum cmasim_migratetype mt,
						      enum cmasim_zone_type highest_zone,
						      struct cmasim_compact_stats *st)
{
	g_return_val_if_fail(mem && st && zone < mem->nr_zones, CMASIM_COMPACT_SKIPPED);
	g_return_val_if_fail(order <= mem->max_order && mt < CMASIM_NR_ALLOC_TYPES,
			     CMASIM_COMPACT_SKIPPED);
	struct zone *z = &mem->zones[zone];
	struct compact_control cc = {
		.mem = mem,
		.z = z,
		.order = (int)order,
		.direct = true,
		.mt = mt,
		.folios = mem->cfg->kernel->compaction_folios,
		.st = st,
	};

	/* try_to_compact_pages(): async looks at the deferral but never defers */
	if (compaction_deferred(z, (int)order))
		return CMASIM_COMPACT_DEFERRED;
	enum cmasim_compact_result ret = run(&cc, highest_zone);

	if (ret == CMASIM_COMPACT_SUCCESS)
		compaction_defer_reset(z, (int)order);
	return ret;
}

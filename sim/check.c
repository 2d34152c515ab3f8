// SPDX-License-Identifier: GPL-2.0-only
/*
 * The invariant checker: recounts frames, free lists and counters from
 * scratch and compares them with what the allocator keeps incrementally.
 * It walks every frame, so it runs in tests and under --check-invariants,
 * never on a hot path.
 *
 * Under --check-invariants a run checks after each event only the
 * pageblocks that changed (the allocator notes them, once tracking is on):
 * each one's blocks and their place on the free lists, its counters, and
 * the zone totals, kept as sums of what each pageblock counted when last
 * checked. A full recount every so many events catches the rest.
 */
#include <string.h>

#include "mm.h"

struct recount {
	uint64_t heads[CMASIM_ORDER_LIMIT + 1][CMASIM_NR_MIGRATETYPES];
	uint64_t nr_free, nr_free_cma;
	uint64_t pcp_heads[PCP_MAX_ORDER + 1][CMASIM_NR_ALLOC_TYPES];
	uint64_t pcp_pages;
};

/*
 * Checks the block whose head is @idx in @z, its tails in [@from, @to)
 * (the part being checked). Returns the frame after the block, or NIL
 * with what is wrong in @why.
 */
static uint32_t check_block(const struct cmasim_mem *mem, const struct zone *z, uint32_t idx,
			    uint32_t from, uint32_t to, GString *why)
{
	const struct frame *f = &mem->frames[idx];
	uint64_t pfn = mem->base_pfn + idx;
	uint32_t end;

	if (f->state == FRAME_TAIL) {
		if (why)
			g_string_append_printf(why, "pfn %" PRIu64 " belongs to no block", pfn);
		return NIL;
	}
	if (f->order > mem->max_order || (idx & ((UINT32_C(1) << f->order) - 1))) {
		if (why)
			g_string_append_printf(why, "pfn %" PRIu64 ": block of order %u is misaligned",
					       pfn, f->order);
		return NIL;
	}
	end = idx + (UINT32_C(1) << f->order);
	if (end > z->end) {
		if (why)
			g_string_append_printf(why, "pfn %" PRIu64 ": block of order %u crosses its "
					       "zone's end", pfn, f->order);
		return NIL;
	}
	for (uint32_t t = MAX(from, idx + 1); t < MIN(to, end); t++) {
		if (mem->frames[t].state == FRAME_TAIL)
			continue;
		if (why)
			g_string_append_printf(why, "pfn %" PRIu64 " inside the order-%u block at pfn %"
					       PRIu64 " is not a tail", mem->base_pfn + t, f->order,
					       pfn);
		return NIL;
	}
	if (f->mt >= CMASIM_NR_MIGRATETYPES) {
		if (why)
			g_string_append_printf(why, "pfn %" PRIu64 ": migratetype %u out of range", pfn,
					       f->mt);
		return NIL;
	}
	if (f->state == FRAME_ALLOC && f->mt >= CMASIM_NR_ALLOC_TYPES) {
		if (why)
			g_string_append_printf(why, "pfn %" PRIu64 ": allocated as %s", pfn,
					       cmasim_migratetype_name(f->mt));
		return NIL;
	}
	/* a reserve pageblock's free pages are on the reserve's lists, and only they */
	if (f->state == FRAME_FREE &&
	    (f->mt == CMASIM_MT_RESERVE) != (pageblock_of(mem, idx)->mt == CMASIM_MT_RESERVE)) {
		if (why)
			g_string_append_printf(why, "pfn %" PRIu64 ": free on the %s list in a %s "
					       "pageblock", pfn, cmasim_migratetype_name(f->mt),
					       cmasim_migratetype_name(pageblock_of(mem, idx)->mt));
		return NIL;
	}
	if (f->state == FRAME_PCP && (f->order > PCP_MAX_ORDER || f->mt == CMASIM_MT_ISOLATE)) {
		if (why)
			g_string_append_printf(why, "pfn %" PRIu64 ": on a per-cpu list as order %u %s",
					       pfn, f->order, cmasim_migratetype_name(f->mt));
		return NIL;
	}
	/*
	 * Free buddies have merged, unless __free_one_page() keeps them apart:
	 * pageblocks of different types of which one has no fallbacks (CMA,
	 * isolated), or whose types moving their free pages made differ.
	 */
	uint32_t buddy = idx ^ (UINT32_C(1) << f->order);

	if (f->state == FRAME_FREE && f->order < mem->max_order && buddy >= z->start &&
	    buddy < z->end && mem->frames[buddy].state == FRAME_FREE &&
	    mem->frames[buddy].order == f->order &&
	    (f->order < mem->pb_order ||
	     pageblock_of(mem, idx)->mt == pageblock_of(mem, buddy)->mt)) {
		if (why)
			g_string_append_printf(why, "free buddies at pfn %" PRIu64 " and %" PRIu64
					       " of order %u did not merge", pfn,
					       mem->base_pfn + buddy, f->order);
		return NIL;
	}
	return end;
}

/* Adds @pages of the allocated block at @idx to the recount of each pageblock they are in. */
static void count_alloc(const struct cmasim_mem *mem, uint32_t idx, uint32_t end,
			uint16_t (*nr_alloc)[CMASIM_NR_ALLOC_TYPES])
{
	unsigned int mt = mem->frames[idx].mt;

	for (uint32_t p = idx; p < end; p += MIN(end - p, pageblock_nr_pages(mem)))
		nr_alloc[p >> mem->pb_order][mt] += (uint16_t)MIN(end - p, pageblock_nr_pages(mem));
}

/* The per-cpu list a block of pcp migratetype @mt sits on: CMA pages on MOVABLE's. */
static unsigned int pcp_list_mt(unsigned int mt)
{
	return mt < CMASIM_NR_ALLOC_TYPES ? mt : CMASIM_MT_MOVABLE;
}

/* Walks @z's blocks from its first frame: each must be a well-formed head. */
static bool check_blocks(const struct cmasim_mem *mem, const struct zone *z,
			 struct recount *rc, uint16_t (*nr_alloc)[CMASIM_NR_ALLOC_TYPES],
			 GString *why)
{
	for (uint32_t idx = z->start; idx < z->end;) {
		const struct frame *f = &mem->frames[idx];
		uint32_t end;

		if (frame_reserved(mem, idx)) {
			idx++;
			continue;
		}
		end = check_block(mem, z, idx, idx, UINT32_MAX, why);
		if (end == NIL)
			return false;
		if (f->state == FRAME_PCP) {
			rc->pcp_heads[f->order][pcp_list_mt(f->mt)]++;
			rc->pcp_pages += end - idx;
		} else if (f->state == FRAME_FREE) {
			rc->heads[f->order][f->mt]++;
			if (f->mt != CMASIM_MT_ISOLATE)
				rc->nr_free += end - idx;
			if (f->mt == CMASIM_MT_CMA)
				rc->nr_free_cma += end - idx;
		} else {
			count_alloc(mem, idx, end, nr_alloc);
		}
		idx = end;
	}
	return true;
}

/* Walks every free list of @z both ways and compares it with the recount. */
static bool check_lists(const struct cmasim_mem *mem, const struct zone *z,
			const struct recount *rc, GString *why)
{
	for (unsigned int o = 0; o <= mem->max_order; o++) {
		for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++) {
			const struct free_list *list = &z->free_area[o][t];
			uint32_t prev = NIL;
			uint64_t n = 0;

			for (uint32_t idx = list->first; idx != NIL; idx = mem->frames[idx].next) {
				const struct frame *f = &mem->frames[idx];

				if (idx < z->start || idx >= z->end || f->state != FRAME_FREE ||
				    f->order != o || f->mt != t || f->prev != prev)
					FAIL("pfn %" PRIu64 " on the %s order-%u list is not a free "
					     "head of that list", mem->base_pfn + idx,
					     cmasim_migratetype_name(t), o);
				if (++n > rc->heads[o][t])
					break;
				prev = idx;
			}
			if (list->last != prev || n != list->nr || n != rc->heads[o][t])
				FAIL("%s order-%u list: %" PRIu64 " linked, %" PRIu64 " counted, %"
				     PRIu64 " free heads", cmasim_migratetype_name(t), o, n,
				     list->nr, rc->heads[o][t]);
		}
	}
	for (unsigned int o = 0; o <= PCP_MAX_ORDER; o++) {
		for (unsigned int t = 0; t < CMASIM_NR_ALLOC_TYPES; t++) {
			const struct free_list *list = &z->pcp.lists[o][t];
			uint64_t n = 0;

			for (uint32_t idx = list->first; idx != NIL && n <= rc->pcp_heads[o][t];
			     idx = mem->frames[idx].next, n++)
				if (mem->frames[idx].state != FRAME_PCP || mem->frames[idx].order != o ||
				    pcp_list_mt(mem->frames[idx].mt) != t)
					FAIL("pfn %" PRIu64 " on the per-cpu %s order-%u list is not "
					     "a block of it", mem->base_pfn + idx,
					     cmasim_migratetype_name(t), o);
			if (n != list->nr || n != rc->pcp_heads[o][t])
				FAIL("per-cpu %s order-%u list: %" PRIu64 " linked, %" PRIu64
				     " counted, %" PRIu64 " blocks", cmasim_migratetype_name(t), o, n,
				     list->nr, rc->pcp_heads[o][t]);
		}
	}
	if (rc->pcp_pages != z->pcp.count)
		FAIL("zone %s: %u pages on per-cpu lists (recount %" PRIu64 ")",
		     cmasim_zone_type_name(z->type), z->pcp.count, rc->pcp_pages);
	if (rc->nr_free != z->nr_free || rc->nr_free_cma != z->nr_free_cma)
		FAIL("zone %s: NR_FREE_PAGES %" PRIu64 " (recount %" PRIu64 "), NR_FREE_CMA_PAGES %"
		     PRIu64 " (recount %" PRIu64 ")", cmasim_zone_type_name(z->type), z->nr_free,
		     rc->nr_free, z->nr_free_cma, rc->nr_free_cma);
	return true;
}

/* Whether @z has no more RESERVE pageblocks than setup_zone_migrate_reserve() gives it. */
static bool reserve_ok(const struct cmasim_mem *mem, const struct zone *z, GString *why)
{
	uint64_t max = buddy_reserve_blocks(mem, z);

	if (z->nr_pageblocks[CMASIM_MT_RESERVE] > max)
		FAIL("zone %s: %" PRIu64 " Reserve pageblocks, more than the %" PRIu64 " kernel "
		     "%s sets aside", cmasim_zone_type_name(z->type),
		     z->nr_pageblocks[CMASIM_MT_RESERVE], max, mem->cfg->kernel->name);
	return true;
}

/* Whether @z's summary of non-empty free lists (what the allocator searches) matches them. */
static bool free_orders_ok(const struct zone *z, GString *why)
{
	for (unsigned int mt = 0; mt < CMASIM_NR_MIGRATETYPES; mt++)
		for (unsigned int o = 0; o <= CMASIM_ORDER_LIMIT; o++)
			if ((z->free_orders[mt] >> o & 1) != (z->free_area[o][mt].nr != 0))
				FAIL("zone %s: the %s order-%u list holds %" PRIu64 " blocks, "
				     "the summary of non-empty lists says %s",
				     cmasim_zone_type_name(z->type), cmasim_migratetype_name(mt), o,
				     z->free_area[o][mt].nr,
				     z->free_orders[mt] >> o & 1 ? "some" : "none");
	return true;
}

/* Compares each pageblock's counters and the zone's type and mixed counts. */
static bool check_pageblocks(const struct cmasim_mem *mem, unsigned int zone,
			     uint16_t (*nr_alloc)[CMASIM_NR_ALLOC_TYPES], GString *why)
{
	const struct zone *z = &mem->zones[zone];
	uint64_t types[CMASIM_NR_MIGRATETYPES] = { 0 }, mixed[CMASIM_NR_MIGRATETYPES] = { 0 };
	uint64_t cma_movable = 0;

	for (uint32_t idx = z->start; idx < z->end; idx += pageblock_nr_pages(mem)) {
		const struct pageblock *pb = pageblock_of(mem, idx);
		const uint16_t *recount = nr_alloc[idx >> mem->pb_order];
		bool is_mixed = false;

		if (pb->zone != zone || pb->mt >= CMASIM_NR_MIGRATETYPES)
			FAIL("pageblock at pfn %" PRIu64 ": zone %u, type %u", mem->base_pfn + idx,
			     pb->zone, pb->mt);
		if (memcmp(pb->nr_alloc, recount, sizeof(pb->nr_alloc)))
			FAIL("pageblock at pfn %" PRIu64 ": allocated pages by type %u/%u/%u, "
			     "recount %u/%u/%u", mem->base_pfn + idx, pb->nr_alloc[0],
			     pb->nr_alloc[1], pb->nr_alloc[2], recount[0], recount[1], recount[2]);
		if (pageblock_absent(mem, idx))
			continue;
		types[pb->mt]++;
		if (pb->mt == CMASIM_MT_CMA)
			cma_movable += recount[CMASIM_MT_MOVABLE];
		for (unsigned int t = 0; t < CMASIM_NR_ALLOC_TYPES; t++)
			is_mixed |= recount[t] && t != pb->mt;
		mixed[pb->mt == CMASIM_MT_CMA ? CMASIM_MT_MOVABLE : pb->mt] += is_mixed;
	}
	for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
		if (types[t] != z->nr_pageblocks[t] || mixed[t] != z->nr_mixed[t])
			FAIL("zone %s: %" PRIu64 " %s pageblocks (recount %" PRIu64 "), %" PRIu64
			     " mixed (recount %" PRIu64 ")", cmasim_zone_type_name(z->type),
			     z->nr_pageblocks[t], cmasim_migratetype_name(t), types[t],
			     z->nr_mixed[t], mixed[t]);
	if (cma_movable != z->nr_cma_movable)
		FAIL("zone %s: %" PRIu64 " movable pages in CMA pageblocks (recount %" PRIu64 ")",
		     cmasim_zone_type_name(z->type), z->nr_cma_movable, cma_movable);
	return reserve_ok(mem, z, why) && free_orders_ok(z, why);
}

bool cmasim_mem_check_invariants(const struct cmasim_mem *mem, GString *why)
{
	uint16_t (*nr_alloc)[CMASIM_NR_ALLOC_TYPES] =
		g_malloc0_n((mem->nr_frames >> mem->pb_order) + 1, sizeof(*nr_alloc));
	bool ok = true;

	for (unsigned int i = 0; ok && i < mem->nr_zones; i++) {
		struct recount rc = { 0 };

		ok = check_blocks(mem, &mem->zones[i], &rc, nr_alloc, why) &&
		     check_lists(mem, &mem->zones[i], &rc, why) &&
		     check_pageblocks(mem, i, nr_alloc, why);
	}
	g_free(nr_alloc);
	return ok;
}

/*
 * Changes are noted by chunk: a run of frames small enough that checking
 * one costs little, inside one pageblock.
 */
#define CHUNK_SHIFT 6

/* What one chunk counted when last checked. */
struct chunk_shadow {
	uint16_t free;				/* free pages not isolated */
	uint16_t free_cma;			/* of which on CMA lists */
	uint16_t nr_alloc[CMASIM_NR_ALLOC_TYPES];	/* allocated pages by type asked for */
};

/* What one pageblock counted when last checked: the sums of its chunks, and its part of the zone's. */
struct pb_shadow {
	uint16_t nr_alloc[CMASIM_NR_ALLOC_TYPES];	/* its chunks' sums */
	uint16_t cma_movable;		/* MOVABLE pages allocated, if the block is CMA */
	uint8_t mt;			/* its type; CMASIM_NR_MIGRATETYPES: a hole, or not yet counted */
	bool mixed;
	bool listed;			/* on the list of pageblocks to check */
};

/* A zone's sums of the shadows of its chunks and pageblocks. */
struct zone_totals {
	uint64_t free, free_cma, cma_movable;
	uint64_t pageblocks[CMASIM_NR_MIGRATETYPES];
	uint64_t mixed[CMASIM_NR_MIGRATETYPES];
};

struct mm_changes {
	unsigned int chunk_shift;	/* log2 of the frames of a chunk */
	uint8_t *dirty;			/* by chunk: changed since its last check */
	uint32_t *list;			/* the chunks changed, in no order */
	uint32_t nr;
	uint32_t *pbs;			/* the pageblocks of the chunks being checked */
	uint32_t nr_pbs;
	struct chunk_shadow *chunk;
	struct pb_shadow *pb;
	struct zone_totals *totals;	/* by zone */
};

void mm_changed(struct cmasim_mem *mem, uint32_t idx, unsigned int order)
{
	struct mm_changes *c = mem->changes;
	uint32_t last = (idx + (UINT32_C(1) << order) - 1) >> c->chunk_shift;

	for (uint32_t chunk = idx >> c->chunk_shift; chunk <= last; chunk++) {
		if (c->dirty[chunk])
			continue;
		c->dirty[chunk] = 1;
		c->list[c->nr++] = chunk;
	}
}

void mm_changes_free(struct mm_changes *c)
{
	if (!c)
		return;
	g_free(c->dirty);
	g_free(c->list);
	g_free(c->pbs);
	g_free(c->chunk);
	g_free(c->pb);
	g_free(c->totals);
	g_free(c);
}

void cmasim_mem_track_changes(struct cmasim_mem *mem)
{
	uint32_t nr_pbs = mem->nr_frames >> mem->pb_order, nr;
	struct mm_changes *c;

	if (mem->changes)
		return;
	c = g_new0(struct mm_changes, 1);
	c->chunk_shift = MIN(CHUNK_SHIFT, mem->pb_order);
	nr = mem->nr_frames >> c->chunk_shift;
	c->dirty = g_new0(uint8_t, nr);
	c->list = g_new(uint32_t, nr);
	c->pbs = g_new(uint32_t, nr_pbs);
	c->chunk = g_new0(struct chunk_shadow, nr);
	c->pb = g_new0(struct pb_shadow, nr_pbs);
	c->totals = g_new0(struct zone_totals, mem->nr_zones);
	mem->changes = c;
	/* nothing is counted yet: the first check counts everything */
	for (uint32_t pb = 0; pb < nr_pbs; pb++)
		c->pb[pb].mt = CMASIM_NR_MIGRATETYPES;
	for (uint32_t pb = 0; pb < nr_pbs; pb++)
		mm_changed(mem, pb << mem->pb_order, mem->pb_order);
}

/* Whether free head @idx sits on its list between neighbours that point back at it. */
static bool check_links(const struct cmasim_mem *mem, const struct zone *z, uint32_t idx,
			GString *why)
{
	const struct frame *f = &mem->frames[idx];
	const struct free_list *list = &z->free_area[f->order][f->mt];
	const struct frame *p = f->prev != NIL && f->prev >= z->start && f->prev < z->end ?
				&mem->frames[f->prev] : NULL;
	const struct frame *n = f->next != NIL && f->next >= z->start && f->next < z->end ?
				&mem->frames[f->next] : NULL;

	if (f->prev == NIL ? list->first != idx :
	    !p || p->state != FRAME_FREE || p->order != f->order || p->mt != f->mt || p->next != idx)
		FAIL("pfn %" PRIu64 ": the block before it on the %s order-%u list does not lead "
		     "to it", mem->base_pfn + idx, cmasim_migratetype_name(f->mt), f->order);
	if (f->next == NIL ? list->last != idx :
	    !n || n->state != FRAME_FREE || n->order != f->order || n->mt != f->mt || n->prev != idx)
		FAIL("pfn %" PRIu64 ": the block after it on the %s order-%u list does not lead "
		     "back to it", mem->base_pfn + idx, cmasim_migratetype_name(f->mt), f->order);
	return true;
}

/*
 * Checks the blocks of chunk @chunk (of the pageblock @b, in zone @z) and
 * their places on the free lists, and moves its counts from its shadow
 * into the pageblock's sums and the zone's totals.
 */
static bool check_chunk(struct cmasim_mem *mem, uint32_t chunk, GString *why)
{
	struct mm_changes *c = mem->changes;
	uint32_t start = chunk << c->chunk_shift, end = start + (UINT32_C(1) << c->chunk_shift);
	uint32_t pb = start >> mem->pb_order;
	const struct pageblock *b = &mem->pageblocks[pb];
	struct chunk_shadow now = { 0 }, *old = &c->chunk[chunk];
	struct zone_totals *t;
	const struct zone *z;

	if (b->zone >= mem->nr_zones || b->mt >= CMASIM_NR_MIGRATETYPES ||
	    start < mem->zones[b->zone].start || end > mem->zones[b->zone].end)
		FAIL("pageblock at pfn %" PRIu64 ": zone %u, type %u", mem->base_pfn + start, b->zone,
		     b->mt);
	z = &mem->zones[b->zone];
	/* inside a larger block, the walk starts at its head */
	uint32_t idx = mem->frames[start].state == FRAME_TAIL ? buddy_block_head(mem, start) : start;

	while (idx < end) {
		const struct frame *f = &mem->frames[idx];
		uint32_t block_end, from = MAX(idx, start), pages;

		if (frame_reserved(mem, idx)) {
			idx++;
			continue;
		}
		block_end = check_block(mem, z, idx, from, end, why);
		if (block_end == NIL)
			return false;
		if (block_end <= start)
			FAIL("pfn %" PRIu64 " belongs to no block", mem->base_pfn + start);
		pages = MIN(block_end, end) - from;
		if (f->state == FRAME_ALLOC) {
			now.nr_alloc[f->mt] += (uint16_t)pages;
		} else if (f->state == FRAME_FREE) {
			if (!check_links(mem, z, idx, why))
				return false;
			now.free += f->mt == CMASIM_MT_ISOLATE ? 0 : (uint16_t)pages;
			now.free_cma += f->mt == CMASIM_MT_CMA ? (uint16_t)pages : 0;
		}
		idx = block_end;
	}
	t = &c->totals[b->zone];
	t->free += (uint64_t)now.free - old->free;
	t->free_cma += (uint64_t)now.free_cma - old->free_cma;
	for (unsigned int mt = 0; mt < CMASIM_NR_ALLOC_TYPES; mt++)
		c->pb[pb].nr_alloc[mt] += (uint16_t)(now.nr_alloc[mt] - old->nr_alloc[mt]);
	*old = now;
	if (!c->pb[pb].listed) {
		c->pb[pb].listed = true;
		c->pbs[c->nr_pbs++] = pb;
	}
	return true;
}

/* Adds (@sign 1) or takes away (-1) pageblock shadow @s from zone totals @t. */
static void totals_add(struct zone_totals *t, const struct pb_shadow *s, int sign)
{
	uint64_t k = (uint64_t)(int64_t)sign;

	if (s->mt == CMASIM_NR_MIGRATETYPES)
		return;
	t->cma_movable += k * s->cma_movable;
	t->pageblocks[s->mt] += k;
	t->mixed[s->mt == CMASIM_MT_CMA ? CMASIM_MT_MOVABLE : s->mt] += k * s->mixed;
}

/* Compares pageblock @pb's counters with its chunks' sums, and updates its part of the zone's. */
static bool check_pageblock(struct cmasim_mem *mem, uint32_t pb, GString *why)
{
	struct mm_changes *c = mem->changes;
	const struct pageblock *b = &mem->pageblocks[pb];
	struct pb_shadow *s = &c->pb[pb];
	const uint16_t *sum = s->nr_alloc;

	s->listed = false;
	if (memcmp(b->nr_alloc, sum, sizeof(b->nr_alloc)))
		FAIL("pageblock at pfn %" PRIu64 ": allocated pages by type %u/%u/%u, recount "
		     "%u/%u/%u", mem->base_pfn + ((uint64_t)pb << mem->pb_order), b->nr_alloc[0],
		     b->nr_alloc[1], b->nr_alloc[2], sum[0], sum[1], sum[2]);
	totals_add(&c->totals[b->zone], s, -1);
	s->mt = CMASIM_NR_MIGRATETYPES;
	s->mixed = false;
	s->cma_movable = 0;
	if (!pageblock_absent(mem, pb << mem->pb_order)) {
		s->mt = b->mt;
		s->cma_movable = b->mt == CMASIM_MT_CMA ? sum[CMASIM_MT_MOVABLE] : 0;
		for (unsigned int t = 0; t < CMASIM_NR_ALLOC_TYPES; t++)
			s->mixed |= sum[t] && t != b->mt;
	}
	totals_add(&c->totals[b->zone], s, 1);
	return true;
}

/* Compares zone @i's counters with the sums of its shadows, and with its lists'. */
static bool check_totals(const struct cmasim_mem *mem, unsigned int i, GString *why)
{
	const struct zone *z = &mem->zones[i];
	const struct zone_totals *t = &mem->changes->totals[i];
	uint64_t listed = 0, listed_cma = 0;

	/* every order the lists have room for: those above max_order stay empty */
	for (unsigned int o = 0; o <= CMASIM_ORDER_LIMIT; o++) {
		for (unsigned int mt = 0; mt < CMASIM_NR_MIGRATETYPES; mt++)
			listed += mt == CMASIM_MT_ISOLATE ? 0 : z->free_area[o][mt].nr << o;
		listed_cma += z->free_area[o][CMASIM_MT_CMA].nr << o;
	}
	if (t->free != z->nr_free || t->free_cma != z->nr_free_cma || listed != z->nr_free ||
	    listed_cma != z->nr_free_cma)
		FAIL("zone %s: NR_FREE_PAGES %" PRIu64 " (recount %" PRIu64 ", on the lists %" PRIu64
		     "), NR_FREE_CMA_PAGES %" PRIu64 " (recount %" PRIu64 ", on the lists %" PRIu64
		     ")", cmasim_zone_type_name(z->type), z->nr_free, t->free, listed,
		     z->nr_free_cma, t->free_cma, listed_cma);
	if (t->cma_movable != z->nr_cma_movable)
		FAIL("zone %s: %" PRIu64 " movable pages in CMA pageblocks (recount %" PRIu64 ")",
		     cmasim_zone_type_name(z->type), z->nr_cma_movable, t->cma_movable);
	for (unsigned int mt = 0; mt < CMASIM_NR_MIGRATETYPES; mt++)
		if (t->pageblocks[mt] != z->nr_pageblocks[mt] || t->mixed[mt] != z->nr_mixed[mt])
			FAIL("zone %s: %" PRIu64 " %s pageblocks (recount %" PRIu64 "), %" PRIu64
			     " mixed (recount %" PRIu64 ")", cmasim_zone_type_name(z->type),
			     z->nr_pageblocks[mt], cmasim_migratetype_name(mt), t->pageblocks[mt],
			     z->nr_mixed[mt], t->mixed[mt]);
	return reserve_ok(mem, z, why) && free_orders_ok(z, why);
}

bool cmasim_mem_check_changes(struct cmasim_mem *mem, GString *why)
{
	struct mm_changes *c = mem->changes;
	bool ok = true;

	g_return_val_if_fail(c, false);
	while (c->nr && ok) {
		uint32_t chunk = c->list[--c->nr];

		c->dirty[chunk] = 0;
		ok = check_chunk(mem, chunk, why);
	}
	while (c->nr_pbs && ok)
		ok = check_pageblock(mem, c->pbs[--c->nr_pbs], why);
	for (unsigned int i = 0; ok && i < mem->nr_zones; i++)
		ok = check_totals(mem, i, why);
	return ok;
}

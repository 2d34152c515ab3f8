// SPDX-License-Identifier: GPL-2.0-only
/*
 * The invariant checker: recounts frames, free lists and counters from
 * scratch and compares them with what the allocator keeps incrementally.
 * It walks every frame, so it runs in tests and under --check-invariants,
 * never on a hot path.
 */
#include <string.h>

#include "mm.h"

struct recount {
	uint64_t heads[CMASIM_ORDER_LIMIT + 1][CMASIM_NR_MIGRATETYPES];
	uint64_t nr_free, nr_free_cma;
	uint64_t pcp_heads[PCP_MAX_ORDER + 1][CMASIM_NR_ALLOC_TYPES];
	uint64_t pcp_pages;
};

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
		uint64_t pfn = mem->base_pfn + idx;

		if (frame_reserved(mem, idx)) {
			idx++;
			continue;
		}
		if (f->state == FRAME_TAIL)
			FAIL("pfn %" PRIu64 " belongs to no block", pfn);
		if (f->order > mem->max_order || (idx & ((UINT32_C(1) << f->order) - 1)))
			FAIL("pfn %" PRIu64 ": block of order %u is misaligned", pfn, f->order);
		uint32_t end = idx + (UINT32_C(1) << f->order);
		if (end > z->end)
			FAIL("pfn %" PRIu64 ": block of order %u crosses its zone's end", pfn,
			     f->order);
		for (uint32_t t = idx + 1; t < end; t++)
			if (mem->frames[t].state != FRAME_TAIL)
				FAIL("pfn %" PRIu64 " inside the order-%u block at pfn %" PRIu64
				     " is not a tail", mem->base_pfn + t, f->order, pfn);
		if (f->mt >= CMASIM_NR_MIGRATETYPES)
			FAIL("pfn %" PRIu64 ": migratetype %u out of range", pfn, f->mt);

		if (f->state == FRAME_PCP) {
			if (f->order > PCP_MAX_ORDER || f->mt == CMASIM_MT_ISOLATE)
				FAIL("pfn %" PRIu64 ": on a per-cpu list as order %u %s", pfn,
				     f->order, cmasim_migratetype_name(f->mt));
			rc->pcp_heads[f->order][pcp_list_mt(f->mt)]++;
			rc->pcp_pages += end - idx;
		} else if (f->state == FRAME_FREE) {
			rc->heads[f->order][f->mt]++;
			if (f->mt != CMASIM_MT_ISOLATE)
				rc->nr_free += end - idx;
			if (f->mt == CMASIM_MT_CMA)
				rc->nr_free_cma += end - idx;
			/*
			 * Free buddies have merged, unless __free_one_page()
			 * keeps them apart: pageblocks of different types of
			 * which one has no fallbacks (CMA, isolated), or
			 * whose types moving their free pages made differ.
			 */
			uint32_t buddy = idx ^ (UINT32_C(1) << f->order);
			if (f->order < mem->max_order && buddy >= z->start && buddy < z->end &&
			    mem->frames[buddy].state == FRAME_FREE &&
			    mem->frames[buddy].order == f->order &&
			    (f->order < mem->pb_order ||
			     pageblock_of(mem, idx)->mt == pageblock_of(mem, buddy)->mt))
				FAIL("free buddies at pfn %" PRIu64 " and %" PRIu64
				     " of order %u did not merge", pfn, mem->base_pfn + buddy,
				     f->order);
		} else {
			if (f->mt >= CMASIM_NR_ALLOC_TYPES)
				FAIL("pfn %" PRIu64 ": allocated as %s", pfn,
				     cmasim_migratetype_name(f->mt));
			for (uint32_t p = idx; p < end; p += MIN(end - p, pageblock_nr_pages(mem)))
				nr_alloc[p >> mem->pb_order][f->mt] +=
					(uint16_t)MIN(end - p, pageblock_nr_pages(mem));
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
	return true;
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

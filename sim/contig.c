// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contiguous allocations: alloc_contig_range() and alloc_contig_pages()
 * (mm/page_alloc.c) and CMA areas (mm/cma.c), as in Linux 6.1.
 */
#include <errno.h>

#include "cmasim/contig.h"
#include "cmasim/error.h"
#include "mm.h"

/*
 * Takes one free block of the cleared range as a DMA buffer's, recorded as
 * allocated MOVABLE: split_map_pages() runs post_alloc_hook() with
 * __GFP_MOVABLE, so page_owner sees no mixed pageblock.
 */
static void take_block(struct cmasim_mem *mem, uint32_t idx, unsigned int order)
{
	int ret = cmasim_alloc_pages_at(mem, mem->base_pfn + idx, order, CMASIM_MT_MOVABLE);

	g_return_if_fail(ret == 0);
	cmasim_set_owner(mem, mem->base_pfn + idx, CMASIM_OWNER_DMA, NIL, NIL);
}

static void free_block(struct cmasim_mem *mem, uint32_t idx, unsigned int order)
{
	(void)order;
	cmasim_free_pages(mem, mem->base_pfn + idx);
}

static void add_migrate_stats(struct cmasim_migrate_stats *sum,
			      const struct cmasim_migrate_stats *st)
{
	sum->migrated += st->migrated;
	sum->reclaimed += st->reclaimed;
	sum->busy_pinned += st->busy_pinned;
	sum->busy_unmovable += st->busy_unmovable;
	sum->no_memory += st->no_memory;
	sum->cost_ns += st->cost_ns;
}

/*
 * The frame indices alloc_contig_range() isolates for [@start, @end): the
 * range, whose pageblocks are checked only where they overlap it (5.19),
 * or before 5.19 whole max(MAX_ORDER_NR_PAGES, pageblock) blocks
 * (pfn_max_align_down() and pfn_max_align_up()), kept inside the zone and
 * clear of holes, which aligned areas never meet.
 */
static void isolation_bounds(const struct cmasim_mem *mem, uint64_t start, uint64_t end,
			     uint32_t *s, uint32_t *e)
{
	uint32_t pb = pageblock_nr_pages(mem);
	uint32_t align = UINT32_C(1) << MAX(mem->max_order, mem->pb_order);
	const struct zone *z = &mem->zones[pageblock_of(mem, (uint32_t)(start - mem->base_pfn))->zone];

	*s = (uint32_t)(start - mem->base_pfn);
	*e = (uint32_t)(end - mem->base_pfn);
	if (!mem->cfg->kernel->isolate_max_order)
		return;
	uint32_t lo = MAX(*s & ~(align - 1), z->start);
	uint32_t hi = MIN((*e + align - 1) & ~(align - 1), z->end);

	*s &= ~(pb - 1);
	*e = (*e + pb - 1) & ~(pb - 1);

	for (uint32_t b = lo; b < *s; b += pb)
		if (pageblock_absent(mem, b))
			lo = b + pb;
	for (uint32_t b = *e; b < hi; b += pb)
		if (pageblock_absent(mem, b))
			hi = b;
	*s = lo;
	*e = hi;
}

/* Tells the observer, if any, that [@start, @end) failed busy. */
static void busy(struct cmasim_mem *mem, uint64_t start, uint64_t end, bool migrated)
{
	if (mem->contig_obs && mem->contig_obs->busy)
		mem->contig_obs->busy(mem->contig_obs->arg, start, end, migrated);
}

int cmasim_alloc_contig_range(struct cmasim_mem *mem, uint64_t start, uint64_t end,
			      enum cmasim_migratetype mt, struct cmasim_contig_stats *stats)
{
	struct cmasim_migrate_stats st = { 0 };
	uint32_t pb = pageblock_nr_pages(mem), s, e, first;
	int ret;

	stats->attempts++;
	isolation_bounds(mem, start, end, &s, &e);
	/* the pageblocks around the range get their own types back, not @mt */
	first = s & ~(pb - 1);
	g_autofree uint8_t *types = g_new(uint8_t, ((e - first + pb - 1) >> mem->pb_order) + 1);
	for (uint32_t b = first; b < e; b += pb)
		types[(b - first) >> mem->pb_order] = pageblock_of(mem, b)->mt;
	ret = cmasim_isolate_range(mem, mem->base_pfn + s, mem->base_pfn + e, mt);
	if (ret) {
		stats->busy++;
		busy(mem, start, end, false);
		return ret;
	}
	/* lru_add_drain_all() and drain_all_pages(): IPIs to every CPU */
	buddy_drain_pcp(mem, s);
	stats->cost_ns += mem->cfg->costs.lru_drain_ns;
	ret = cmasim_migrate_range(mem, start, end, &st);
	/*
	 * Pinned pages never leave: the kernel's five retries without
	 * progress change nothing in a simulation that stands still meanwhile.
	 */
	if (!ret && !cmasim_range_free(mem, start, end))
		ret = -EBUSY;
	if (!ret)
		mm_for_each_aligned_block(mem, (uint32_t)(start - mem->base_pfn),
					  (uint32_t)(end - mem->base_pfn), take_block);
	for (uint32_t b = first; b < e; b += pb) {
		bool inside = mem->base_pfn + b + pb > start && mem->base_pfn + b < end;

		cmasim_undo_isolate_range(mem, mem->base_pfn + b, mem->base_pfn + b + pb,
					  inside ? mt : types[(b - first) >> mem->pb_order]);
	}
	add_migrate_stats(&stats->migrate, &st);
	stats->cost_ns += st.cost_ns;
	if (ret == -EBUSY) {
		stats->busy++;
		busy(mem, start, end, true);
	}
	return ret;
}

void cmasim_free_contig_range(struct cmasim_mem *mem, uint64_t pfn, uint64_t count)
{
	mm_for_each_aligned_block(mem, (uint32_t)(pfn - mem->base_pfn),
				  (uint32_t)(pfn + count - mem->base_pfn), free_block);
}

/*
 * pfn_range_valid_contig(): every page of [@s, @e) exists in the zone and
 * is not PageReserved. CMA and isolated pageblocks pass here and fail
 * isolation, counted as busy attempts. The caller keeps the range inside
 * one zone.
 */
static bool range_valid(const struct cmasim_mem *mem, uint32_t s, uint32_t e)
{
	for (uint32_t idx = s; idx < e; idx++)
		if (frame_reserved(mem, idx))
			return false;
	return true;
}

int cmasim_alloc_contig_pages(struct cmasim_mem *mem, uint64_t count,
			      enum cmasim_zone_type highest_zone, uint64_t *pfn,
			      struct cmasim_contig_stats *stats)
{
	g_return_val_if_fail(count > 0 && count <= mem->nr_frames, -EINVAL);

	for (unsigned int i = mem->nr_zones; i-- > 0;) {
		const struct zone *z = &mem->zones[i];
		uint64_t end = mem->base_pfn + z->end;

		if (z->type > highest_zone)
			continue;
		/* ALIGN(zone_start_pfn, nr_pages), the kernel's macro even for other counts */
		for (uint64_t p = (mem->base_pfn + z->start + count - 1) & ~(count - 1);
		     p >= mem->base_pfn + z->start && p + count <= end; p += count) {
			uint32_t idx = (uint32_t)(p - mem->base_pfn);

			if (!range_valid(mem, idx, idx + (uint32_t)count))
				continue;
			if (!cmasim_alloc_contig_range(mem, p, p + count, CMASIM_MT_MOVABLE, stats)) {
				*pfn = p;
				return 0;
			}
		}
	}
	return -ENOMEM;
}

struct cmasim_cma {
	struct cmasim_mem *mem;
	char *name;
	uint64_t base_pfn;
	uint64_t count;		/* pages */
	unsigned int order_per_bit;
	uint64_t nr_bits;
	uint8_t *bitmap;	/* a byte per bit: set while handed out */
	uint64_t used;		/* pages handed out */
};

struct cmasim_cma *cmasim_cma_new(struct cmasim_mem *mem, const char *name, uint64_t base_pfn,
				  uint64_t count, unsigned int order_per_bit, GError **error)
{
	uint64_t pb = pageblock_nr_pages(mem);
	int zone = cmasim_mem_zone_of(mem, base_pfn);

	/* cma_init_reserved_mem(): whole pageblocks (CMA_MIN_ALIGNMENT_PAGES) */
	if (!count || (base_pfn | count) & (pb - 1) || zone < 0 ||
	    cmasim_mem_zone_of(mem, base_pfn + count - 1) != zone ||
	    order_per_bit > mem->pb_order) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
			    "CMA area %s: %" PRIu64 " pages at pfn %#" PRIx64 " is not whole "
			    "pageblocks of %" PRIu64 " pages inside one zone (with order_per_bit "
			    "at most the pageblock order)", name, count, base_pfn, pb);
		return NULL;
	}
	struct cmasim_cma *cma = g_new0(struct cmasim_cma, 1);

	cma->mem = mem;
	cma->name = g_strdup(name);
	cma->base_pfn = base_pfn;
	cma->count = count;
	cma->order_per_bit = order_per_bit;
	cma->nr_bits = count >> order_per_bit;
	cma->bitmap = g_new0(uint8_t, cma->nr_bits);
	/*
	 * init_cma_reserved_pageblock(): the area's pages go to the CMA
	 * lists, freed a pageblock at a time, so they merge with each other
	 */
	for (uint64_t p = base_pfn; p < base_pfn + count; p += pb) {
		cmasim_set_pageblock_migratetype(mem, p, CMASIM_MT_CMA);
		cmasim_move_freepages_block(mem, p, CMASIM_MT_CMA, NULL);
		buddy_merge_block(mem, (uint32_t)(p - mem->base_pfn));
	}
	/*
	 * 3.5 set up MIGRATE_RESERVE after its areas (init_per_zone_wmark_min()
	 * is a module_init, cma_init_reserved_areas() a core_initcall), so a
	 * reserve block the area took is found again past it
	 */
	buddy_setup_reserve(mem);
	return cma;
}

void cmasim_cma_free(struct cmasim_cma *cma)
{
	if (!cma)
		return;
	g_free(cma->name);
	g_free(cma->bitmap);
	g_free(cma);
}

const char *cmasim_cma_name(const struct cmasim_cma *cma)
{
	return cma->name;
}

uint64_t cmasim_cma_base_pfn(const struct cmasim_cma *cma)
{
	return cma->base_pfn;
}

uint64_t cmasim_cma_count(const struct cmasim_cma *cma)
{
	return cma->count;
}

uint64_t cmasim_cma_used(const struct cmasim_cma *cma)
{
	return cma->used;
}

static void set_bits(struct cmasim_cma *cma, uint64_t bit, uint64_t nr, uint8_t value)
{
	memset(cma->bitmap + bit, value, nr);
}

int cmasim_cma_alloc(struct cmasim_cma *cma, uint64_t count, unsigned int align, uint64_t *pfn,
		     struct cmasim_contig_stats *stats)
{
	struct cmasim_mem *mem = cma->mem;
	/* cma_bitmap_aligned_mask() and cma_bitmap_aligned_offset() */
	uint64_t mask = align > cma->order_per_bit ?
			(UINT64_C(1) << (align - cma->order_per_bit)) - 1 : 0;
	uint64_t offset = (cma->base_pfn & ((UINT64_C(1) << align) - 1)) >> cma->order_per_bit;
	uint64_t nr = (count + (UINT64_C(1) << cma->order_per_bit) - 1) >> cma->order_per_bit;
	uint64_t start = 0;
	int ret = -ENOMEM;

	if (!count || nr > cma->nr_bits)
		return -ENOMEM;
	for (;;) {
		uint64_t bit = mm_find_zero_area(cma->bitmap, cma->nr_bits, start, nr, mask, offset);

		if (bit >= cma->nr_bits)
			break;
		set_bits(cma, bit, nr, 1);
		*pfn = cma->base_pfn + (bit << cma->order_per_bit);
		ret = cmasim_alloc_contig_range(mem, *pfn, *pfn + count, CMASIM_MT_CMA, stats);
		if (!ret) {
			cma->used += count;
			return 0;
		}
		set_bits(cma, bit, nr, 0);
		if (ret != -EBUSY)
			break;
		/* try again with a bit different memory target */
		start = bit + mask + 1;
	}
	if (mem->contig_obs && mem->contig_obs->cma_failed)
		mem->contig_obs->cma_failed(mem->contig_obs->arg, cma->name, count, ret);
	return ret;
}

void cmasim_cma_release(struct cmasim_cma *cma, uint64_t pfn, uint64_t count)
{
	g_return_if_fail(pfn >= cma->base_pfn && pfn + count <= cma->base_pfn + cma->count);
	uint64_t bit = (pfn - cma->base_pfn) >> cma->order_per_bit;
	uint64_t nr = (count + (UINT64_C(1) << cma->order_per_bit) - 1) >> cma->order_per_bit;

	cmasim_free_contig_range(cma->mem, pfn, count);
	set_bits(cma, bit, nr, 0);
	cma->used -= count;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page frames, zones and pageblocks: building a machine from its config and
 * keeping the per-pageblock counters that make every figure O(1).
 */
/* MAP_ANONYMOUS and madvise() */
#define _DEFAULT_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "mm.h"

static const char *const migratetype_names[CMASIM_NR_MIGRATETYPES] = {
	[CMASIM_MT_UNMOVABLE] = "Unmovable",
	[CMASIM_MT_MOVABLE] = "Movable",
	[CMASIM_MT_RECLAIMABLE] = "Reclaimable",
	[CMASIM_MT_HIGHATOMIC] = "HighAtomic",
	[CMASIM_MT_CMA] = "CMA",
	[CMASIM_MT_ISOLATE] = "Isolate",
	[CMASIM_MT_RESERVE] = "Reserve",
};

const char *cmasim_migratetype_name(enum cmasim_migratetype mt)
{
	g_return_val_if_fail(mt < CMASIM_NR_MIGRATETYPES, "?");
	return migratetype_names[mt];
}

/* page_owner's column for a mixed block: a CMA block counts under Movable. */
static unsigned int mixed_column(unsigned int pb_mt)
{
	return pb_mt == CMASIM_MT_CMA ? CMASIM_MT_MOVABLE : pb_mt;
}

/*
 * Whether @pb holds allocated pages of a type other than its own and other
 * than @except (CMASIM_NR_ALLOC_TYPES to except none: the block is mixed).
 */
static bool holds_foreign(const struct pageblock *pb, unsigned int except)
{
	for (unsigned int t = 0; t < CMASIM_NR_ALLOC_TYPES; t++)
		if (t != pb->mt && t != except && pb->nr_alloc[t])
			return true;
	return false;
}

/* Applies @delta pages of type @mt to one pageblock, keeping its zone's mixed count. */
static void pageblock_account(struct cmasim_mem *mem, struct pageblock *pb, unsigned int mt,
			      int delta)
{
	uint16_t old = pb->nr_alloc[mt];

	mm_touch(mem, (uint32_t)(pb - mem->pageblocks) << mem->pb_order, 0);
	pb->nr_alloc[mt] = (uint16_t)(old + delta);
	if (pb->mt == CMASIM_MT_CMA && mt == CMASIM_MT_MOVABLE)
		mem->zones[pb->zone].nr_cma_movable += (uint64_t)(int64_t)delta;
	/* Only a foreign type appearing or vanishing can change the block's mixedness. */
	if (mt == pb->mt || !old == !pb->nr_alloc[mt] || holds_foreign(pb, mt))
		return;
	mem->zones[pb->zone].nr_mixed[mixed_column(pb->mt)] += old ? (uint64_t)-1 : 1;
}

void mm_account_alloc_zone(struct cmasim_mem *mem, uint32_t idx, unsigned int order,
			   unsigned int mt, int sign)
{
	if (order <= mem->pb_order) {
		pageblock_account(mem, pageblock_of(mem, idx), mt, sign * (1 << order));
		return;
	}
	for (uint32_t n = 0; n < UINT32_C(1) << (order - mem->pb_order); n++)
		pageblock_account(mem, pageblock_of(mem, idx) + n, mt,
				  sign * (int)pageblock_nr_pages(mem));
}

void cmasim_set_pageblock_migratetype(struct cmasim_mem *mem, uint64_t pfn,
				      enum cmasim_migratetype mt)
{
	g_return_if_fail(pfn >= mem->base_pfn && pfn - mem->base_pfn < mem->nr_frames);
	g_return_if_fail(mt < CMASIM_NR_MIGRATETYPES);
	uint32_t idx = (uint32_t)(pfn - mem->base_pfn);
	g_return_if_fail(!pageblock_absent(mem, idx));

	struct pageblock *pb = pageblock_of(mem, idx);
	struct zone *z = &mem->zones[pb->zone];
	bool mixed = holds_foreign(pb, CMASIM_NR_ALLOC_TYPES);

	mm_touch(mem, idx & ~(pageblock_nr_pages(mem) - 1), 0);
	z->nr_pageblocks[pb->mt]--;
	z->nr_mixed[mixed_column(pb->mt)] -= mixed;
	if (pb->mt == CMASIM_MT_CMA)
		z->nr_cma_movable -= pb->nr_alloc[CMASIM_MT_MOVABLE];
	if (mt == CMASIM_MT_CMA)
		z->nr_cma_movable += pb->nr_alloc[CMASIM_MT_MOVABLE];
	pb->mt = (uint8_t)mt;
	z->nr_pageblocks[mt]++;
	z->nr_mixed[mixed_column(mt)] += holds_foreign(pb, CMASIM_NR_ALLOC_TYPES);
}

enum cmasim_migratetype cmasim_get_pageblock_migratetype(const struct cmasim_mem *mem,
							  uint64_t pfn)
{
	g_return_val_if_fail(pfn >= mem->base_pfn && pfn - mem->base_pfn < mem->nr_frames,
			     CMASIM_MT_MOVABLE);
	return mem->pageblocks[(pfn - mem->base_pfn) >> mem->pb_order].mt;
}

/* Largest r with r * r <= x, exactly (the kernel's int_sqrt()). */
static uint64_t int_sqrt(uint64_t x)
{
	uint64_t r = 0;

	for (uint64_t bit = UINT64_C(1) << 62; bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

/*
 * Zones whose min watermark is capped: __GFP_HIGH and PF_MEMALLOC requests
 * rarely need their pages. Mainline treats ZONE_MOVABLE like HighMem here
 * since late 2022 ("!ZONE_HIGHMEM and !ZONE_MOVABLE pages").
 */
static bool zone_is_highmem(const struct zone *z)
{
	return z->type == CMASIM_ZONE_HIGHMEM || z->type == CMASIM_ZONE_MOVABLE;
}

/* The pages a zone's watermarks and reserves are shares of: managed, or present before 3.8. */
static uint64_t share_pages(const struct cmasim_mem *mem, const struct zone *z)
{
	return mem->cfg->kernel->watermark_managed ? z->managed : z->present;
}

/*
 * __setup_per_zone_wmarks() from min_free_kbytes, with
 * watermark_scale_factor at its default of 10 where the profile has it
 * (4.6); before, low and high were min + min / 4 and min + min / 2 (3.5).
 */
static void setup_per_zone_wmarks(struct cmasim_mem *mem, uint64_t min_free_kbytes)
{
	const struct cmasim_config *cfg = mem->cfg;
	uint64_t lowmem_pages = 0;
	uint64_t pages_min = min_free_kbytes >> (cfg->page_shift - 10);

	for (unsigned int i = 0; i < mem->nr_zones; i++)
		if (!zone_is_highmem(&mem->zones[i]))
			lowmem_pages += share_pages(mem, &mem->zones[i]);
	for (unsigned int i = 0; i < mem->nr_zones; i++) {
		struct zone *z = &mem->zones[i];
		uint64_t pages = share_pages(mem, z);
		uint64_t tmp = lowmem_pages ? pages_min * pages / lowmem_pages : 0;

		if (zone_is_highmem(z))
			z->wmark[CMASIM_WMARK_MIN] = CLAMP(pages / 1024, 32, 128);
		else
			z->wmark[CMASIM_WMARK_MIN] = tmp;
		if (!cfg->kernel->watermark_scale_factor) {
			z->wmark[CMASIM_WMARK_LOW] = z->wmark[CMASIM_WMARK_MIN] + (tmp >> 2);
			z->wmark[CMASIM_WMARK_HIGH] = z->wmark[CMASIM_WMARK_MIN] + (tmp >> 1);
			continue;
		}
		tmp = MAX(tmp >> 2, pages * 10 / 10000);
		z->wmark[CMASIM_WMARK_LOW] = z->wmark[CMASIM_WMARK_MIN] + tmp;
		z->wmark[CMASIM_WMARK_HIGH] = z->wmark[CMASIM_WMARK_LOW] + tmp;
	}
}

/* nr_free_buffer_pages(): what GFP_USER zones hold above their high watermark. */
static uint64_t nr_free_buffer_pages(const struct cmasim_mem *mem)
{
	uint64_t pages = 0;

	for (unsigned int i = 0; i < mem->nr_zones; i++) {
		const struct zone *z = &mem->zones[i];

		if (z->type <= CMASIM_ZONE_NORMAL && z->managed > z->wmark[CMASIM_WMARK_HIGH])
			pages += z->managed - z->wmark[CMASIM_WMARK_HIGH];
	}
	return pages;
}

/*
 * Watermarks from min_free_kbytes as the config gives it, or as
 * init_per_zone_wmark_min() derives it: int_sqrt(lowmem KiB x 16) of
 * nr_free_buffer_pages() (no watermarks yet at that point), clamped; with
 * transparent hugepages, set_recommended_min_free_kbytes()
 * (mm/khugepaged.c) then raises it to pageblock_nr_pages x zones x (2 +
 * MIGRATE_PCPTYPES^2), at most 5% of nr_free_buffer_pages(), counting the
 * populated zones a GFP_USER request may use.
 */
static void setup_watermarks(struct cmasim_mem *mem)
{
	const struct cmasim_config *cfg = mem->cfg;
	uint64_t min_free_kbytes = cfg->min_free_kbytes;
	unsigned int zones = 0;

	if (min_free_kbytes) {
		setup_per_zone_wmarks(mem, min_free_kbytes);
		return;
	}
	min_free_kbytes = int_sqrt(nr_free_buffer_pages(mem) * (cfg->page_size >> 10) * 16);
	min_free_kbytes = CLAMP(min_free_kbytes, 128, cfg->kernel->min_free_kbytes_max);
	setup_per_zone_wmarks(mem, min_free_kbytes);
	if (!cfg->thp)
		return;
	for (unsigned int i = 0; i < mem->nr_zones; i++)
		zones += mem->zones[i].type <= CMASIM_ZONE_NORMAL && mem->zones[i].present;
	uint64_t recommended = MIN(pageblock_nr_pages(mem) * zones * (2 + CMASIM_NR_ALLOC_TYPES *
								       CMASIM_NR_ALLOC_TYPES),
				   nr_free_buffer_pages(mem) / 20) << (cfg->page_shift - 10);

	if (recommended > min_free_kbytes)
		setup_per_zone_wmarks(mem, recommended);
}

/* setup_per_zone_lowmem_reserve() with the default sysctl_lowmem_reserve_ratio. */
static void setup_lowmem_reserve(struct cmasim_mem *mem)
{
	static const unsigned int ratio[CMASIM_NR_ZONE_TYPES] = {
		[CMASIM_ZONE_DMA] = 256,
		[CMASIM_ZONE_DMA32] = 256,
		[CMASIM_ZONE_NORMAL] = 32,
	};

	for (unsigned int i = 0; i < mem->nr_zones; i++) {
		struct zone *z = &mem->zones[i];
		uint64_t upper = 0;
		unsigned int j = i + 1;

		if (!ratio[z->type] || !z->present)
			continue;
		for (unsigned int t = z->type + 1; t < CMASIM_NR_ZONE_TYPES; t++) {
			if (j < mem->nr_zones && mem->zones[j].type == t)
				upper += share_pages(mem, &mem->zones[j++]);
			z->lowmem_reserve[t] = upper / ratio[z->type];
		}
	}
}

/* Marks the frames of [@start, @end) @state, counting them out of their zones. */
static void mark_range(struct cmasim_mem *mem, uint64_t start, uint64_t size, uint8_t state)
{
	const struct cmasim_config *cfg = mem->cfg;
	uint32_t s = (uint32_t)((start - cfg->mem_base) >> cfg->page_shift);
	uint32_t e = s + (uint32_t)(size >> cfg->page_shift);

	for (uint32_t idx = s; idx < e; idx++) {
		struct zone *z = zone_of(mem, idx);

		mem->frames[idx].state = state;
		z->managed--;
		z->present -= state == FRAME_HOLE;
	}
	if (state != FRAME_HOLE)
		return;
	/* a pageblock wholly in the hole does not exist */
	for (uint32_t b = (s + pageblock_nr_pages(mem) - 1) & ~(pageblock_nr_pages(mem) - 1);
	     b + pageblock_nr_pages(mem) <= e; b += pageblock_nr_pages(mem)) {
		pageblock_of(mem, b)->absent = 1;
		zone_of(mem, b)->nr_pageblocks[CMASIM_MT_MOVABLE]--;
	}
}

static int cmp_hole(const void *a, const void *b)
{
	const struct cmasim_hole *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Frees every page of RAM that is neither a hole nor reserved, in
 * naturally aligned blocks, as __free_pages_memory() frees memblock's
 * free ranges.
 */
static void free_boot_memory(struct cmasim_mem *mem)
{
	const struct cmasim_config *cfg = mem->cfg;
	unsigned int n = 0;
	g_autofree struct cmasim_hole *gone =
		g_new(struct cmasim_hole, cfg->nr_holes + cfg->nr_reserved + 1);

	for (unsigned int h = 0; h < cfg->nr_holes; h++)
		gone[n++] = cfg->holes[h];
	for (unsigned int r = 0; r < cfg->nr_reserved; r++)
		gone[n++] = cfg->reserved[r];
	qsort(gone, n, sizeof(*gone), cmp_hole);
	for (unsigned int i = 0, g = 0; i < mem->nr_zones; i++) {
		const struct zone *z = &mem->zones[i];
		uint32_t run = z->start;

		for (; g < n; g++) {
			uint32_t s = (uint32_t)((gone[g].start - cfg->mem_base) >> cfg->page_shift);
			uint32_t e = s + (uint32_t)(gone[g].size >> cfg->page_shift);

			if (s >= z->end)
				break;
			mm_for_each_aligned_block(mem, run, MAX(run, s), buddy_free_boot);
			run = MAX(run, MIN(e, z->end));
			if (e > z->end)
				break;
		}
		mm_for_each_aligned_block(mem, run, z->end, buddy_free_boot);
	}
}

/*
 * Zeroed memory for the frame array, backed by huge pages where the host
 * allows: a free touches frames all over it, and with 4 KiB host pages
 * the TLB misses would cost more than the allocator's own work. NULL when
 * the host has not that much to give.
 */
static void *frames_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

uint64_t cmasim_mem_host_bytes(const struct cmasim_config *cfg)
{
	uint64_t frames = cfg->mem_size >> cfg->page_shift;

	return frames * sizeof(struct frame) + (frames >> cfg->pageblock_order) * sizeof(struct pageblock);
}

void mm_for_each_aligned_block(struct cmasim_mem *mem, uint32_t start, uint32_t end,
			       void (*fn)(struct cmasim_mem *mem, uint32_t idx, unsigned int order))
{
	while (start < end) {
		unsigned int order = start ? MIN((unsigned int)__builtin_ctz(start), mem->max_order)
					   : mem->max_order;

		while (start + (UINT32_C(1) << order) > end)
			order--;
		fn(mem, start, order);
		start += UINT32_C(1) << order;
	}
}

struct cmasim_mem *cmasim_mem_new(const struct cmasim_config *cfg)
{
	g_return_val_if_fail(cfg && cfg->nr_zones, NULL);
	struct cmasim_mem *mem = g_new0(struct cmasim_mem, 1);

	mem->cfg = cfg;
	mem->base_pfn = cfg->mem_base >> cfg->page_shift;
	mem->nr_frames = (uint32_t)(cfg->mem_size >> cfg->page_shift);
	mem->max_order = cfg->max_page_order;
	mem->pb_order = cfg->pageblock_order;
	mem->nr_zones = cfg->nr_zones;
	/* Zeroed frames are FRAME_TAIL: nothing is a head until boot frees it. */
	mem->frames = frames_alloc((size_t)mem->nr_frames * sizeof(struct frame));
	if (!mem->frames) {
		g_free(mem);
		return NULL;
	}
	mem->pageblocks = g_new0(struct pageblock, mem->nr_frames >> mem->pb_order);

	for (unsigned int i = 0; i < mem->nr_zones; i++) {
		struct zone *z = &mem->zones[i];

		z->type = cfg->zones[i].type;
		z->start = (uint32_t)((cfg->zones[i].start - cfg->mem_base) >> cfg->page_shift);
		z->end = (uint32_t)((cfg->zones[i].end - cfg->mem_base) >> cfg->page_shift);
		z->present = z->managed = z->end - z->start;
		for (unsigned int o = 0; o <= CMASIM_ORDER_LIMIT; o++)
			for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
				z->free_area[o][t].first = z->free_area[o][t].last = NIL;
		/* memmap_init() starts every pageblock MOVABLE. */
		for (uint32_t idx = z->start; idx < z->end; idx += pageblock_nr_pages(mem)) {
			struct pageblock *pb = pageblock_of(mem, idx);

			pb->zone = (uint8_t)i;
			pb->mt = CMASIM_MT_MOVABLE;
			z->nr_pageblocks[CMASIM_MT_MOVABLE]++;
		}
	}
	for (unsigned int h = 0; h < cfg->nr_holes; h++)
		mark_range(mem, cfg->holes[h].start, cfg->holes[h].size, FRAME_HOLE);
	for (unsigned int r = 0; r < cfg->nr_reserved; r++)
		mark_range(mem, cfg->reserved[r].start, cfg->reserved[r].size, FRAME_RESERVED);
	free_boot_memory(mem);
	setup_watermarks(mem);
	buddy_setup_reserve(mem);
	setup_lowmem_reserve(mem);
	buddy_init(mem);
	for (unsigned int i = 0; i < mem->nr_zones; i++)
		mm_compact_init_zone(mem, &mem->zones[i]);
	return mem;
}

void cmasim_mem_free(struct cmasim_mem *mem)
{
	if (!mem)
		return;
	munmap(mem->frames, (size_t)mem->nr_frames * sizeof(struct frame));
	g_free(mem->pageblocks);
	mm_changes_free(mem->changes);
	g_free(mem);
}

const struct cmasim_config *cmasim_mem_config(const struct cmasim_mem *mem)
{
	return mem->cfg;
}

unsigned int cmasim_mem_nr_zones(const struct cmasim_mem *mem)
{
	return mem->nr_zones;
}

void cmasim_mem_zone_info(const struct cmasim_mem *mem, unsigned int zone,
			  struct cmasim_zone_info *info)
{
	g_return_if_fail(zone < mem->nr_zones);
	const struct zone *z = &mem->zones[zone];

	*info = (struct cmasim_zone_info){
		.type = z->type,
		.start_pfn = mem->base_pfn + z->start,
		.end_pfn = mem->base_pfn + z->end,
		.present = z->present,
		.managed = z->managed,
		.wmark_min = z->wmark[CMASIM_WMARK_MIN],
		.wmark_low = z->wmark[CMASIM_WMARK_LOW],
		.wmark_high = z->wmark[CMASIM_WMARK_HIGH],
		.watermark_boost = z->watermark_boost,
		.nr_free = z->nr_free,
		.nr_free_cma = z->nr_free_cma,
		.nr_cma = z->nr_pageblocks[CMASIM_MT_CMA] << mem->pb_order,
		.nr_cma_movable = z->nr_cma_movable,
	};
	memcpy(info->lowmem_reserve, z->lowmem_reserve, sizeof(info->lowmem_reserve));
}

void cmasim_mem_set_kswapd(struct cmasim_mem *mem, bool on)
{
	mem->kswapd = on;
}

bool cmasim_mem_kswapd_wanted(const struct cmasim_mem *mem)
{
	return mm_kswapd_wanted(mem);
}

bool cmasim_mem_balanced(const struct cmasim_mem *mem)
{
	for (unsigned int i = 0; i < mem->nr_zones; i++)
		if (mem->zones[i].managed &&
		    cmasim_zone_watermark_ok(mem, i, 0, CMASIM_WMARK_HIGH, mem->zones[i].type,
					     CMASIM_MT_MOVABLE))
			return true;
	return false;
}

uint64_t cmasim_mem_boost(const struct cmasim_mem *mem)
{
	uint64_t pages = 0;

	for (unsigned int i = 0; i < mem->nr_zones; i++)
		pages += mem->zones[i].watermark_boost;
	return pages;
}

void cmasim_mem_kswapd_done(struct cmasim_mem *mem)
{
	/* balance_pgdat(): boosts are reclaimed, or reclaim gave up on them */
	for (unsigned int i = 0; i < mem->nr_zones; i++)
		mem->zones[i].watermark_boost = 0;
	mem->kswapd_wanted = false;
}

uint64_t cmasim_mem_nr_free(const struct cmasim_mem *mem)
{
	return mm_nr_free(mem);
}

int cmasim_mem_zone_of(const struct cmasim_mem *mem, uint64_t pfn)
{
	if (pfn < mem->base_pfn || pfn - mem->base_pfn >= mem->nr_frames)
		return -1;
	return mem->pageblocks[(pfn - mem->base_pfn) >> mem->pb_order].zone;
}

double cmasim_mem_bytes_per_frame(const struct cmasim_mem *mem)
{
	size_t bytes = (size_t)mem->nr_frames * sizeof(struct frame) +
		       (size_t)(mem->nr_frames >> mem->pb_order) * sizeof(struct pageblock);

	return (double)bytes / mem->nr_frames;
}

uint64_t cmasim_zone_nr_mixed_pageblocks(const struct cmasim_mem *mem, unsigned int zone,
					 enum cmasim_migratetype column)
{
	g_return_val_if_fail(zone < mem->nr_zones && column < CMASIM_NR_MIGRATETYPES, 0);
	return mem->zones[zone].nr_mixed[column];
}

uint64_t cmasim_zone_nr_pageblocks(const struct cmasim_mem *mem, unsigned int zone,
				   enum cmasim_migratetype mt)
{
	g_return_val_if_fail(zone < mem->nr_zones && mt < CMASIM_NR_MIGRATETYPES, 0);
	return mem->zones[zone].nr_pageblocks[mt];
}

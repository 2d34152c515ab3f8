// SPDX-License-Identifier: GPL-2.0-only
/*
 * The buddy allocator against hand-worked states.
 *
 * Every expected value below was derived by hand from the rules in the
 * buddy-rules brief (Linux 6.1 mm/page_alloc.c as cmasim models it); the
 * comments show the derivation. Zone descriptions ("M3:0,8 U0:1") are
 * explained in helpers.h: letter = list type, digit = order, pfns in list
 * order; every list not named must be empty, and nr_free / nr_free_cma must
 * match the named lists.
 *
 * Machines are tiny (32..1024 pages of 4 KiB) so every list can be written
 * out. "min_free_kbytes: 4" gives pages_min = 4 >> (12 - 10) = 1, so on a
 * one-zone machine min = low = high = 1 and watermarks stay out of the way
 * unless a test is about them.
 */
#include "fixture.h"

TestSuite(buddy, .fini = machine_teardown);

static void alloc_fails(unsigned int order, enum cmasim_migratetype mt,
			enum cmasim_zone_type hz, int line)
{
	uint64_t pfn = UINT64_MAX;
	int rc = cmasim_alloc_pages(mem, order, mt, hz, &pfn);

	cr_assert_eq(rc, -ENOMEM, "line %d: alloc order %u %s: expected -ENOMEM, got %d (pfn %"
		     PRIu64 ")", line, order, cmasim_migratetype_name(mt), rc, pfn);
	check_invariants_at(mem, __FILE__, line);
}

/* Takes [start, end) with alloc_at in maximal aligned blocks, as boot frees them. */
static void take_range(uint64_t start, uint64_t end, int line)
{
	unsigned int max = cfg->max_page_order;

	for (uint64_t p = start; p < end;) {
		unsigned int o = p ? (unsigned int)__builtin_ctzll(p) : max;

		if (o > max)
			o = max;
		while (p + ((uint64_t)1 << o) > end)
			o--;
		at_ok(p, o, T_M, line);
		p += (uint64_t)1 << o;
	}
}

#define ALLOC(order, mt) alloc_ok((order), (mt), CMASIM_ZONE_NORMAL, __LINE__)
#define ALLOC_FAILS(order, mt) alloc_fails((order), (mt), CMASIM_ZONE_NORMAL, __LINE__)
#define ALLOC_FAILS_Z(order, mt, hz) alloc_fails((order), (mt), (hz), __LINE__)
#define TAKE(start, end) take_range((start), (end), __LINE__)
#define WM_OK(zone, order, mark, hz, mt) \
	cmasim_zone_watermark_ok(mem, (zone), (order), CMASIM_WMARK_##mark, (hz), (mt))

static void expect_info(unsigned int zone, struct cmasim_zone_info *info)
{
	cmasim_mem_zone_info(mem, zone, info);
}

/* 64 pages at pfn 0, one Normal zone; pageblocks of 4 pages, blocks up to 8. */
static const char CFG_C64[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 4\n";

/* 32 pages; pageblocks of 4, blocks up to 8. */
static const char CFG_C32[] =
	"memory:\n"
	"  size: 128KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 4\n";

/* 32 pages; pageblock == largest block == 8 pages. */
static const char CFG_T[] =
	"memory:\n"
	"  size: 128KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 3\n"
	"  min_free_kbytes: 4\n";

/* 64 pages; pageblock == largest block == 8 pages (pageblock_order / 2 = 1). */
static const char CFG_P[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 3\n"
	"  min_free_kbytes: 4\n";

/* 64 pages; pageblock == largest block == 16 pages (pageblock_order / 2 = 2). */
static const char CFG_Q[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 4\n"
	"  pageblock_order: 4\n"
	"  min_free_kbytes: 4\n";

/* 64 pages; pageblock == largest block == 4 pages. */
static const char CFG_K[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 2\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 4\n";

/*
 * As CFG_K with min_free_kbytes 1: pages_min = 1 >> 2 = 0, so
 * min = low = high = 0.
 */
static const char CFG_K0[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 2\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 1\n";

/*
 * min_free_kbytes 16: pages_min = 16 >> 2 = 4; one zone of 64 pages:
 * tmp = 4 * 64 / 64 = 4, step = max(4 / 4, 64 * 10 / 10000) = max(1, 0) = 1,
 * so min 4, low 5, high 6.
 */
static const char CFG_WM[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 16\n";

static const char CFG_K16[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 2\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 16\n";

/*
 * RAM at 1 MiB (pfn 256), 48 pages: Normal [256, 280) with a hole
 * [264, 268) (0x108000, 16 KiB), HighMem [280, 304).
 */
static const char CFG_HOLE[] =
	"memory:\n"
	"  base: 0x100000\n"
	"  size: 192KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 4\n"
	"  lowmem: 96KiB\n"
	"  holes:\n"
	"    - { start: 0x108000, size: 16KiB }\n";

/* DMA [0, 36) (144 KiB, not a multiple of the 8-page max block), Normal [36, 128). */
static const char CFG_DMA[] =
	"memory:\n"
	"  size: 512KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 4\n"
	"  lowmem: 512KiB\n"
	"  dma_zone: 144KiB\n";

/* DMA [0, 256), Normal [256, 768), HighMem [768, 1024); min_free_kbytes derived. */
static const char CFG_W[] =
	"memory:\n"
	"  size: 4MiB\n"
	"  max_page_order: 4\n"
	"  pageblock_order: 3\n"
	"  lowmem: 3MiB\n"
	"  dma_zone: 1MiB\n";

#define M3_C64 "M3:0,8,16,24,32,40,48,56"

/* ---------------------------------------------------------------- boot */

Test(buddy, boot_single_zone)
{
	struct cmasim_zone_info info;

	boot(CFG_C64);
	cr_assert_eq(cmasim_mem_nr_zones(mem), 1);
	/* 64 pages freed as 8 maximal order-3 blocks, each at the tail: ascending. */
	ZONE(0, M3_C64);
	expect_info(0, &info);
	cr_assert_eq(info.type, CMASIM_ZONE_NORMAL);
	cr_assert_eq(info.start_pfn, 0);
	cr_assert_eq(info.end_pfn, 64);
	cr_assert_eq(info.present, 64);
	cr_assert_eq(info.managed, 64);
	cr_assert_eq(info.nr_free, 64);
	cr_assert_eq(info.nr_free_cma, 0);
	/* pages_min 1; tmp = 1 * 64 / 64 = 1; step = max(0, 0) = 0. */
	cr_assert_eq(info.wmark_min, 1);
	cr_assert_eq(info.wmark_low, 1);
	cr_assert_eq(info.wmark_high, 1);
	for (int j = 0; j < CMASIM_NR_ZONE_TYPES; j++)
		cr_assert_eq(info.lowmem_reserve[j], 0, "reserve[%d]", j);
	/* Every one of the 16 pageblocks MOVABLE, none mixed. */
	PBS(0, "MMMMMMMMMMMMMMMM");
	for (int mt = 0; mt < CMASIM_NR_MIGRATETYPES; mt++) {
		cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, mt), mt == T_M ? 16 : 0);
		cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, mt), 0);
	}
	cr_assert_eq(cmasim_mem_zone_of(mem, 0), 0);
	cr_assert_eq(cmasim_mem_zone_of(mem, 63), 0);
	cr_assert_eq(cmasim_mem_zone_of(mem, 64), -1);
	cr_assert(cmasim_mem_config(mem) == cfg);
	/* DESIGN 6: 64 GiB in well under 1 GiB of RSS, i.e. < 64 bytes a frame. */
	cr_assert(cmasim_mem_bytes_per_frame(mem) > 0 && cmasim_mem_bytes_per_frame(mem) < 64,
		  "%f bytes per frame", cmasim_mem_bytes_per_frame(mem));
}

Test(buddy, boot_hole_highmem_nonzero_base)
{
	struct cmasim_zone_info info;

	boot(CFG_HOLE);
	cr_assert_eq(cmasim_mem_nr_zones(mem), 2);
	/*
	 * Normal's present ranges are [256, 264) and [268, 280).
	 * p=256: order min(3, ctz 8) = 3, 264 <= 264: order 3 at 256.
	 * p=268 (0b100001100): ctz 2, 272 <= 280: order 2 at 268 (its buddy 264
	 * is in the hole, so nothing merges).
	 * p=272: ctz 4 -> 3, 280 <= 280: order 3 at 272.
	 */
	ZONE(0, "M2:268 M3:256,272");
	expect_info(0, &info);
	cr_assert_eq(info.type, CMASIM_ZONE_NORMAL);
	cr_assert_eq(info.start_pfn, 256);
	cr_assert_eq(info.end_pfn, 280);
	cr_assert_eq(info.present, 20);
	cr_assert_eq(info.managed, 20);
	/* pages_min 1, lowmem_pages 20: tmp = 1 * 20 / 20 = 1, step 0. */
	cr_assert_eq(info.wmark_min, 1);
	cr_assert_eq(info.wmark_low, 1);
	cr_assert_eq(info.wmark_high, 1);
	/* Normal (ratio 32): reserve[HighMem] = 24 / 32 = 0. */
	cr_assert_eq(info.lowmem_reserve[CMASIM_ZONE_HIGHMEM], 0);
	/* HighMem [280, 304): 280, 288, 296 are each order 3 (max: no merging). */
	ZONE(1, "M3:280,288,296");
	expect_info(1, &info);
	cr_assert_eq(info.type, CMASIM_ZONE_HIGHMEM);
	cr_assert_eq(info.start_pfn, 280);
	cr_assert_eq(info.end_pfn, 304);
	cr_assert_eq(info.present, 24);
	cr_assert_eq(info.nr_free, 24);
	/* HighMem: min = clamp(24 / 1024, 32, 128) = 32; step = max(1 / 4, 0) = 0. */
	cr_assert_eq(info.wmark_min, 32);
	cr_assert_eq(info.wmark_low, 32);
	cr_assert_eq(info.wmark_high, 32);
	PBS(280, "MMMMMM");
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 1, T_M), 6);
	cr_assert_eq(cmasim_mem_zone_of(mem, 0), -1);
	cr_assert_eq(cmasim_mem_zone_of(mem, 255), -1);
	cr_assert_eq(cmasim_mem_zone_of(mem, 256), 0);
	cr_assert_eq(cmasim_mem_zone_of(mem, 279), 0);
	cr_assert_eq(cmasim_mem_zone_of(mem, 280), 1);
	cr_assert_eq(cmasim_mem_zone_of(mem, 303), 1);
	cr_assert_eq(cmasim_mem_zone_of(mem, 304), -1);

	/* Freeing next to the hole: 268's order-2 buddy 264 is not free. */
	AT(268, 2, T_M);
	ZONE(0, "M3:256,272");
	FREE(268);
	ZONE(0, "M2:268 M3:256,272");
	/* Pages in the hole, below the base and past the end are not allocatable. */
	{
		int rc = cmasim_alloc_pages_at(mem, 264, 0, T_M);

		cr_assert(rc == -EINVAL || rc == -EBUSY, "alloc_at(hole) = %d", rc);
		rc = cmasim_alloc_pages_at(mem, 264, 2, T_M);
		cr_assert(rc == -EINVAL || rc == -EBUSY, "alloc_at(hole) = %d", rc);
	}
	cr_assert_eq(cmasim_alloc_pages_at(mem, 0, 0, T_M), -EINVAL);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 248, 3, T_M), -EINVAL);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 304, 0, T_M), -EINVAL);
	ZONE(0, "M2:268 M3:256,272");
	ZONE(1, "M3:280,288,296");
}

Test(buddy, boot_dma_normal_no_merge_across_zones)
{
	struct cmasim_zone_info info;

	boot(CFG_DMA);
	cr_assert_eq(cmasim_mem_nr_zones(mem), 2);
	/* DMA [0, 36): order 3 at 0, 8, 16, 24; p=32: 40 > 36 -> order 2. */
	ZONE(0, "M2:32 M3:0,8,16,24");
	/*
	 * Normal [36, 128): p=36 (ctz 2) order 2 - its buddy 32 is in DMA, so
	 * no merge; then order 3 at 40, 48, ..., 120.
	 */
	ZONE(1, "M2:36 M3:40,48,56,64,72,80,88,96,104,112,120");
	expect_info(0, &info);
	cr_assert_eq(info.type, CMASIM_ZONE_DMA);
	cr_assert_eq(info.start_pfn, 0);
	cr_assert_eq(info.end_pfn, 36);
	cr_assert_eq(info.present, 36);
	expect_info(1, &info);
	cr_assert_eq(info.type, CMASIM_ZONE_NORMAL);
	cr_assert_eq(info.start_pfn, 36);
	cr_assert_eq(info.end_pfn, 128);
	cr_assert_eq(info.present, 92);
	cr_assert_eq(info.nr_free, 92);
	cr_assert_eq(cmasim_mem_zone_of(mem, 35), 0);
	cr_assert_eq(cmasim_mem_zone_of(mem, 36), 1);

	/* [32, 40) is aligned to order 3 but spans both zones. */
	cr_assert_eq(cmasim_alloc_pages_at(mem, 32, 3, T_M), -EINVAL);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 36, 3, T_M), -EINVAL);
	AT(32, 2, T_M);
	AT(36, 2, T_M);
	ZONE(0, "M3:0,8,16,24");
	ZONE(1, "M3:40,48,56,64,72,80,88,96,104,112,120");
	/* 32 and 36 are order-2 buddies, but in different zones: no merge. */
	FREE(32);
	ZONE(0, "M2:32 M3:0,8,16,24");
	FREE(36);
	ZONE(1, "M2:36 M3:40,48,56,64,72,80,88,96,104,112,120");
	ZONE(0, "M2:32 M3:0,8,16,24");
	/* A request whose highest zone is DMA is served from DMA. */
	cr_assert_eq(ALLOC_Z(3, T_M, CMASIM_ZONE_DMA), 0);
	ZONE(0, "M2:32 M3:8,16,24");
	cr_assert_eq(ALLOC_Z(3, T_M, CMASIM_ZONE_NORMAL), 40);
}

/* ------------------------------------------------------- split / merge */

Test(buddy, split_merge_sequence)
{
	boot(CFG_C64);
	ZONE(0, M3_C64);
	/* First block of M3 is 0: split 3->2->1->0, upper halves to list heads. */
	cr_assert_eq(ALLOC(0, T_M), 0);
	ZONE(0, "M0:1 M1:2 M2:4 M3:8,16,24,32,40,48,56");
	cr_assert_eq(ALLOC(0, T_M), 1);
	ZONE(0, "M1:2 M2:4 M3:8,16,24,32,40,48,56");
	/* M0 empty: take 2 from M1, its upper half 3 goes to M0. */
	cr_assert_eq(ALLOC(0, T_M), 2);
	ZONE(0, "M0:3 M2:4 M3:8,16,24,32,40,48,56");
	cr_assert_eq(ALLOC(0, T_M), 3);
	ZONE(0, "M2:4 M3:8,16,24,32,40,48,56");
	cr_assert_eq(ALLOC(0, T_M), 4);
	ZONE(0, "M0:5 M1:6 M3:8,16,24,32,40,48,56");
	cr_assert_eq(ALLOC(0, T_M), 5);
	ZONE(0, "M1:6 M3:8,16,24,32,40,48,56");
	cr_assert_eq(ALLOC(0, T_M), 6);
	ZONE(0, "M0:7 M3:8,16,24,32,40,48,56");
	cr_assert_eq(ALLOC(0, T_M), 7);
	ZONE(0, "M3:8,16,24,32,40,48,56");
	cr_assert_eq(ALLOC(0, T_M), 8);
	ZONE(0, "M0:9 M1:10 M2:12 M3:16,24,32,40,48,56");

	/* 7: buddy 6 allocated; merge-likely probe: (6)^2 = 4 allocated -> head. */
	FREE(7);
	ZONE(0, "M0:7,9 M1:10 M2:12 M3:16,24,32,40,48,56");
	/* 6 merges with 7 into (6, 1); buddy 4 allocated; probe 4^4 = 0 allocated -> head. */
	FREE(6);
	ZONE(0, "M0:9 M1:6,10 M2:12 M3:16,24,32,40,48,56");
	/* 5: buddy 4 allocated; probe: (4)^2 = 6 is a free order-1 block -> TAIL. */
	FREE(5);
	ZONE(0, "M0:9,5 M1:6,10 M2:12 M3:16,24,32,40,48,56");
	cr_assert_eq(ALLOC(0, T_M), 9);
	ZONE(0, "M0:5 M1:6,10 M2:12 M3:16,24,32,40,48,56");
	/* 9: buddy 8 allocated; probe (8)^2 = 10 is free order 1 -> TAIL. */
	FREE(9);
	ZONE(0, "M0:5,9 M1:6,10 M2:12 M3:16,24,32,40,48,56");
	/* 1: buddy 0 allocated; probe 0^2 = 2 allocated -> head. */
	FREE(1);
	ZONE(0, "M0:1,5,9 M1:6,10 M2:12 M3:16,24,32,40,48,56");
	/* 3: buddy 2 allocated; probe 2^2 = 0 allocated -> head. */
	FREE(3);
	ZONE(0, "M0:3,1,5,9 M1:6,10 M2:12 M3:16,24,32,40,48,56");
	/* 2 + 3 -> (2, 1); buddy 0 allocated; probe 0^4 = 4 allocated -> head. */
	FREE(2);
	ZONE(0, "M0:1,5,9 M1:2,6,10 M2:12 M3:16,24,32,40,48,56");
	/* 4 + 5 -> (4, 1) + 6 -> (4, 2); buddy 0 allocated; order 2 = max-1 -> head. */
	FREE(4);
	ZONE(0, "M0:1,9 M1:2,10 M2:4,12 M3:16,24,32,40,48,56");
	/* 0 + 1 + 2 + 4 -> (0, 3), max order: head. */
	FREE(0);
	ZONE(0, "M0:9 M1:10 M2:12 M3:0,16,24,32,40,48,56");
	FREE(8);
	ZONE(0, "M3:8,0,16,24,32,40,48,56");
	cr_assert_eq(ALLOC(3, T_M), 8);
	ZONE(0, "M3:0,16,24,32,40,48,56");
}

Test(buddy, free_tail_insertion_order1)
{
	boot(CFG_C64);
	/* [0, 8) split for [0, 2): [4, 8) to M2, [2, 4) to M1. */
	AT(0, 1, T_M);
	ZONE(0, "M1:2 M2:4 M3:8,16,24,32,40,48,56");
	AT(2, 1, T_M);
	ZONE(0, "M2:4 M3:8,16,24,32,40,48,56");
	AT(8, 1, T_M);
	ZONE(0, "M1:10 M2:12,4 M3:16,24,32,40,48,56");
	/* (2, 1): buddy 0 allocated; probe (0)^4 = 4 is free order 2 -> TAIL. */
	FREE(2);
	ZONE(0, "M1:10,2 M2:12,4 M3:16,24,32,40,48,56");
	cr_assert_eq(ALLOC(1, T_M), 10);
	ZONE(0, "M1:2 M2:12,4 M3:16,24,32,40,48,56");
	/* (10, 1): buddy 8 allocated; probe (8)^4 = 12 free order 2 -> TAIL. */
	FREE(10);
	ZONE(0, "M1:2,10 M2:12,4 M3:16,24,32,40,48,56");
	/* (8, 1) + 10 -> (8, 2) + 12 -> (8, 3): head. */
	FREE(8);
	ZONE(0, "M1:2 M2:4 M3:8,16,24,32,40,48,56");
	FREE(0);
	ZONE(0, "M3:0,8,16,24,32,40,48,56");
}

/* ------------------------------------------------------- alloc_pages_at */

Test(buddy, alloc_at_splits_and_errors)
{
	boot(CFG_C64);
	/*
	 * 5 lies in [0, 8): 3->2 keeps [4, 8), [0, 4) to M2; 2->1 keeps [4, 6),
	 * [6, 8) to M1; 1->0 keeps 5, 4 to M0.
	 */
	AT(5, 0, T_U);
	ZONE(0, "M0:4 M1:6 M2:0 M3:8,16,24,32,40,48,56");
	PBS(0, "MM");
	/* An UNMOVABLE page in a MOVABLE pageblock. */
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_M), 1);
	AT(0, 2, T_M);
	ZONE(0, "M0:4 M1:6 M3:8,16,24,32,40,48,56");

	cr_assert_eq(cmasim_alloc_pages_at(mem, 5, 0, T_M), -EBUSY);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 4, 1, T_M), -EBUSY);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 2, 0, T_M), -EBUSY);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 0, 3, T_M), -EBUSY);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 6, 2, T_M), -EINVAL);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 3, 1, T_M), -EINVAL);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 60, 3, T_M), -EINVAL);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 64, 0, T_M), -EINVAL);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 1000, 0, T_M), -EINVAL);
	ZONE(0, "M0:4 M1:6 M3:8,16,24,32,40,48,56");

	AT(6, 1, T_R);
	ZONE(0, "M0:4 M3:8,16,24,32,40,48,56");
	AT(4, 0, T_M);
	ZONE(0, "M3:8,16,24,32,40,48,56");
	/* 63 in [56, 64): [56, 60) to M2, [60, 62) to M1, 62 to M0. */
	AT(63, 0, T_M);
	ZONE(0, "M0:62 M1:60 M2:56 M3:8,16,24,32,40,48");

	/* 63 + 62 + 60 + 56 -> (56, 3), head. */
	FREE(63);
	ZONE(0, "M3:56,8,16,24,32,40,48");
	/* 5: buddy 4 allocated; probe 4^2 = 6 allocated -> head. */
	FREE(5);
	ZONE(0, "M0:5 M3:56,8,16,24,32,40,48");
	/* (6, 1), RECLAIMABLE page in a MOVABLE block: goes to M1; buddy 4 allocated;
	 * probe (4)^4 = 0 allocated -> head. */
	FREE(6);
	ZONE(0, "M0:5 M1:6 M3:56,8,16,24,32,40,48");
	/* 4 + 5 -> (4, 1) + 6 -> (4, 2); buddy 0 allocated. */
	FREE(4);
	ZONE(0, "M2:4 M3:56,8,16,24,32,40,48");
	FREE(0);
	ZONE(0, "M3:0,56,8,16,24,32,40,48");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_M), 0);
}

/* ------------------------------------------------ fallback and stealing */

Test(buddy, steal_block_above_pageblock_order_claims_all_pageblocks)
{
	boot(CFG_C64);
	/*
	 * UNMOVABLE has nothing: fallback from order 3 down; at order 3 the first
	 * of RECLAIMABLE, MOVABLE with a block is MOVABLE: block 0. 3 >=
	 * pageblock_order 2: pageblocks 0 and 4 become UNMOVABLE, the block goes
	 * to U3, then __rmqueue_smallest splits it.
	 */
	cr_assert_eq(ALLOC(0, T_U), 0);
	ZONE(0, "U0:1 U1:2 U2:4 M3:8,16,24,32,40,48,56");
	PBS(0, "UUMMMMMMMMMMMMMM");
	/* RECLAIMABLE: U3 is empty, M3 has 8: pageblocks 8 and 12 become R. */
	cr_assert_eq(ALLOC(0, T_R), 8);
	ZONE(0, "U0:1 U1:2 U2:4 R0:9 R1:10 R2:12 M3:16,24,32,40,48,56");
	PBS(0, "UURRMMMMMMMMMMMM");
	cr_assert_eq(ALLOC(1, T_U), 2);
	ZONE(0, "U0:1 U2:4 R0:9 R1:10 R2:12 M3:16,24,32,40,48,56");
	cr_assert_eq(ALLOC(2, T_R), 12);
	ZONE(0, "U0:1 U2:4 R0:9 R1:10 M3:16,24,32,40,48,56");
	/* Order 3 UNMOVABLE: U3 empty, fallback order 3: M3 -> 16, whole. */
	cr_assert_eq(ALLOC(3, T_U), 16);
	ZONE(0, "U0:1 U2:4 R0:9 R1:10 M3:24,32,40,48,56");
	PBS(0, "UURRUUMMMMMMMMMM");
	cr_assert_eq(ALLOC(0, T_M), 24);
	ZONE(0, "U0:1 U2:4 R0:9 R1:10 M0:25 M1:26 M2:28 M3:32,40,48,56");
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_U), 4);
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_R), 2);
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_M), 10);
	for (int mt = 0; mt < CMASIM_NR_MIGRATETYPES; mt++)
		cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, mt), 0);
}

Test(buddy, fallback_table_unmovable_prefers_reclaimable)
{
	boot(CFG_T);
	ZONE(0, "M3:0,8,16,24");
	RETYPE(0, T_R, 8);
	ZONE(0, "R3:0 M3:8,16,24");
	/* At order 3 both R3 and M3 have a block: the table says RECLAIMABLE first. */
	cr_assert_eq(ALLOC(0, T_U), 0);
	ZONE(0, "U0:1 U1:2 U2:4 M3:8,16,24");
	PBS(0, "UMMM");
}

Test(buddy, fallback_table_reclaimable_prefers_unmovable)
{
	boot(CFG_T);
	RETYPE(0, T_U, 8);
	ZONE(0, "U3:0 M3:8,16,24");
	cr_assert_eq(ALLOC(0, T_R), 0);
	ZONE(0, "R0:1 R1:2 R2:4 M3:8,16,24");
	PBS(0, "RMMM");
}

Test(buddy, fallback_table_movable_prefers_reclaimable)
{
	boot(CFG_T);
	RETYPE(0, T_U, 8);
	RETYPE(8, T_R, 8);
	ZONE(0, "U3:0 R3:8 M3:16,24");
	AT(16, 3, T_M);
	AT(24, 3, T_M);
	ZONE(0, "U3:0 R3:8");
	/* MOVABLE: no own blocks, no CMA; order 3: RECLAIMABLE before UNMOVABLE. */
	cr_assert_eq(ALLOC(0, T_M), 8);
	ZONE(0, "U3:0 M0:9 M1:10 M2:12");
	PBS(0, "UMMM");
	/*
	 * Order 3: nr_free 15, 15 - 7 = 8 > min 1 and U3 is not empty; M3 is
	 * empty, so fallback takes U3's block 0 and claims its pageblock.
	 */
	cr_assert_eq(ALLOC(3, T_M), 0);
	ZONE(0, "M0:9 M1:10 M2:12");
	PBS(0, "MMMM");
}

Test(buddy, fallback_highest_order_before_table_order)
{
	boot(CFG_T);
	RETYPE(0, T_R, 8);
	/* 1 in R3's block 0: [4, 8) to R2, [2, 4) to R1, 0 to R0. */
	AT(1, 0, T_U);
	ZONE(0, "R0:0 R1:2 R2:4 M3:8,16,24");
	/*
	 * UNMOVABLE order 0: the scan starts at order 3, where only MOVABLE has
	 * a block, so it steals 8 although RECLAIMABLE comes first in the table.
	 */
	cr_assert_eq(ALLOC(0, T_U), 8);
	ZONE(0, "R0:0 R1:2 R2:4 U0:9 U1:10 U2:12 M3:16,24");
	PBS(0, "RUMM");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_R), 1);
}

/* CFG_P: pageblocks of 8 pages, half = 4; keep only pageblock 0 free. */
static void p_fill_others(void)
{
	for (uint64_t p = 8; p < 64; p += 8)
		AT(p, 3, T_M);
}

Test(buddy, steal_unmovable_half_rule_not_met)
{
	boot(CFG_P);
	p_fill_others();
	ZONE(0, "M3:0");
	AT(0, 2, T_M);
	ZONE(0, "M2:4");
	AT(4, 0, T_M);
	ZONE(0, "M0:5 M1:6");
	/*
	 * Fallback: orders 3, 2 empty; order 1: M1 has 6. UNMOVABLE can always
	 * steal: walk pageblock 0: 5 -> U0, 6 -> U1; free_pages = 3,
	 * movable_pages = 5 (0..4), alike = 8 - 3 - 5 = 0; 3 < 4: the pageblock
	 * stays MOVABLE. Then U0's 5 is taken.
	 */
	cr_assert_eq(ALLOC(0, T_U), 5);
	ZONE(0, "U1:6");
	PBS(0, "M");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_M), 1);
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_U), 0);
}

Test(buddy, steal_unmovable_half_rule_met_by_free_pages)
{
	boot(CFG_P);
	p_fill_others();
	AT(0, 2, T_M);
	ZONE(0, "M2:4");
	/* Order 2: M2's 4 -> U2; free 4, movable 4, alike 0: 4 >= 4, claimed. */
	cr_assert_eq(ALLOC(0, T_U), 4);
	ZONE(0, "U0:5 U1:6");
	PBS(0, "U");
	/* The MOVABLE pages [0, 4) now sit in an UNMOVABLE pageblock. */
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_U), 1);
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_M), 0);
}

Test(buddy, steal_unmovable_half_rule_met_by_alike_pages)
{
	boot(CFG_P);
	p_fill_others();
	AT(0, 1, T_U);
	ZONE(0, "M1:2 M2:4");
	AT(2, 0, T_U);
	ZONE(0, "M0:3 M2:4");
	AT(3, 0, T_M);
	ZONE(0, "M2:4");
	AT(4, 0, T_M);
	ZONE(0, "M0:5 M1:6");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_M), 1);
	/*
	 * Same free pages as the not-met case, but only 3 and 4 are MOVABLE:
	 * free 3, movable 2, alike = 8 - 3 - 2 = 3; 3 + 3 >= 4: claimed.
	 */
	cr_assert_eq(ALLOC(0, T_U), 5);
	ZONE(0, "U1:6");
	PBS(0, "U");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_M), 0);
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_U), 1);
}

Test(buddy, steal_whole_block_moves_to_tail_in_ascending_walk)
{
	boot(CFG_P);
	p_fill_others();
	/* [0, 8): 4 to M2, 2 to M1, 1 to M0. */
	AT(0, 0, T_M);
	ZONE(0, "M0:1 M1:2 M2:4");
	AT(2, 0, T_M);
	ZONE(0, "M0:3,1 M2:4");
	AT(4, 1, T_M);
	ZONE(0, "M0:3,1 M1:6");
	/*
	 * Order 1: M1's 6. The walk of pageblock 0 moves 1, then 3 to the tail
	 * of U0 (6.1's move_to_free_list() is list_move_tail(), so 1 stays
	 * first), and 6 to U1. free 4, movable 4 (0, 2, 4, 5), alike 0:
	 * 4 >= 4, claimed. U0's first block is 1.
	 */
	cr_assert_eq(ALLOC(0, T_U), 1);
	ZONE(0, "U0:3 U1:6");
	PBS(0, "U");
}

Test(buddy, steal_reclaimable_from_unmovable_met)
{
	boot(CFG_P);
	RETYPE(0, T_U, 8);
	p_fill_others();
	ZONE(0, "U3:0");
	AT(0, 2, T_U);
	ZONE(0, "U2:4");
	/* U2's 4 -> R2; free 4, old type UNMOVABLE so alike 0: 4 >= 4, claimed. */
	cr_assert_eq(ALLOC(0, T_R), 4);
	ZONE(0, "R0:5 R1:6");
	PBS(0, "R");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_R), 1);
}

Test(buddy, steal_reclaimable_from_unmovable_not_met)
{
	boot(CFG_P);
	RETYPE(0, T_U, 8);
	p_fill_others();
	AT(0, 2, T_U);
	AT(4, 0, T_U);
	ZONE(0, "U0:5 U1:6");
	/*
	 * Order 1: U1's 6; walk moves 5 -> R0, 6 -> R1; free 3, alike 0: 3 < 4,
	 * stays UNMOVABLE; R0's 5 is taken and 6 stays on R1.
	 */
	cr_assert_eq(ALLOC(0, T_R), 5);
	ZONE(0, "R1:6");
	PBS(0, "U");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_U), 1);
}

Test(buddy, steal_movable_from_unmovable_exactly_half)
{
	boot(CFG_P);
	RETYPE(0, T_U, 8);
	p_fill_others();
	AT(0, 1, T_U);
	ZONE(0, "U1:2 U2:4");
	AT(2, 1, T_M);
	ZONE(0, "U2:4");
	AT(4, 1, T_U);
	ZONE(0, "U1:6");
	/*
	 * MOVABLE order 0: order 1 U1's 6; can_steal as 1 >= pageblock_order / 2
	 * = 1. Walk: 6 -> M1; free 2, movable 2 (2, 3) = alike: 2 + 2 >= 4,
	 * claimed. M1's 6 splits: 7 to M0.
	 */
	cr_assert_eq(ALLOC(0, T_M), 6);
	ZONE(0, "M0:7");
	PBS(0, "M");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_M), 1);
}

Test(buddy, steal_movable_from_unmovable_below_half)
{
	boot(CFG_P);
	RETYPE(0, T_U, 8);
	p_fill_others();
	AT(0, 1, T_U);
	AT(2, 0, T_M);
	ZONE(0, "U0:3 U2:4");
	AT(3, 0, T_U);
	AT(4, 1, T_U);
	ZONE(0, "U1:6");
	/* free 2, movable 1 (page 2): 3 < 4, stays UNMOVABLE. */
	cr_assert_eq(ALLOC(0, T_M), 6);
	ZONE(0, "M0:7");
	PBS(0, "U");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_U), 1);
}

/* CFG_Q: pageblock 16 pages, pageblock_order / 2 = 2. */
static void q_setup(enum cmasim_migratetype first8)
{
	boot(CFG_Q);
	ZONE(0, "M4:0,16,32,48");
	RETYPE(0, T_U, 16);
	AT(16, 4, T_M);
	AT(32, 4, T_M);
	AT(48, 4, T_M);
	ZONE(0, "U4:0");
	AT(0, 3, first8);
	ZONE(0, "U3:8");
	AT(8, 2, T_U);
	ZONE(0, "U2:12");
}

Test(buddy, steal_movable_small_block_finds_smallest)
{
	q_setup(T_U);
	/* [12, 16): 14 to U1, 13 to U0. */
	AT(12, 0, T_U);
	ZONE(0, "U0:13 U1:14");
	/*
	 * MOVABLE order 0: fallback from the top finds U1's 14 at order 1;
	 * 1 < 16's order 4 and 1 < 4 / 2, so no stealing: search from order 0
	 * up instead, finding U0's 13. It alone moves to M0; the pageblock
	 * keeps its type.
	 */
	cr_assert_eq(ALLOC(0, T_M), 13);
	ZONE(0, "U1:14");
	PBS(0, "U");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_U), 1);
	/* Again: smallest is now U1's 14, moved alone to M1, split for order 0. */
	cr_assert_eq(ALLOC(0, T_M), 14);
	ZONE(0, "M0:15");
	PBS(0, "U");
	/* 13 frees to its pageblock's type; buddy 12 allocated; probe 14 allocated. */
	FREE(13);
	ZONE(0, "U0:13 M0:15");
	/*
	 * 14 merges with 15 (taken off M0) into (14, 1), on U1 because the
	 * pageblock is UNMOVABLE; buddy 12 allocated; probe (12)^4 = 8 allocated.
	 */
	FREE(14);
	ZONE(0, "U0:13 U1:14");
	/* Order 1 MOVABLE: fallback finds U1's 14 at order 1 == order: moved alone. */
	cr_assert_eq(ALLOC(1, T_M), 14);
	ZONE(0, "U0:13");
	PBS(0, "U");
}

Test(buddy, steal_movable_half_pageblock_order_not_claimed)
{
	q_setup(T_U);
	/*
	 * Order 2 >= 4 / 2: whole-block steal; walk moves 12 -> M2; free 4,
	 * movable 0: 4 < 8, not claimed. M2's 12 splits: 14 to M1, 13 to M0.
	 */
	cr_assert_eq(ALLOC(0, T_M), 12);
	ZONE(0, "M0:13 M1:14");
	PBS(0, "U");
}

Test(buddy, steal_movable_half_pageblock_order_claimed)
{
	q_setup(T_M);
	/* As above, but [0, 8) is MOVABLE: free 4 + movable 8 >= 8, claimed. */
	cr_assert_eq(ALLOC(0, T_M), 12);
	ZONE(0, "M0:13 M1:14");
	PBS(0, "M");
	/* [8, 12) UNMOVABLE in a MOVABLE pageblock. */
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_M), 1);
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_U), 0);
}

Test(buddy, merge_above_pageblock_order_between_mergeable_types)
{
	boot(CFG_C64);
	AT(0, 2, T_U);
	ZONE(0, "M2:4 M3:8,16,24,32,40,48,56");
	cmasim_set_pageblock_migratetype(mem, 0, T_U);
	INV();
	/*
	 * 0 frees to U (its pageblock's type); its order-2 buddy 4 is in a
	 * MOVABLE pageblock, but both types are mergeable: (0, 3) on U3.
	 */
	FREE(0);
	ZONE(0, "U3:0 M3:8,16,24,32,40,48,56");
	PBS(0, "UM");
	cr_assert_eq(ALLOC(0, T_U), 0);
	ZONE(0, "U0:1 U1:2 U2:4 M3:8,16,24,32,40,48,56");
}

/* ------------------------------------------------------------------ CMA */

Test(buddy, cma_balance_with_movable)
{
	boot(CFG_K);
	RETYPE(60, T_C, 4);
	ZONE(0, "M2:0,4,8,12,16,20,24,28,32,36,40,44,48,52,56 C2:60");
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_C), 1);
	for (uint64_t p = 4; p <= 56; p += 4)
		AT(p, 2, T_M);
	ZONE(0, "M2:0 C2:60");
	/* free 8, CMA 4: 4 > 8 / 2 is false: own list first. */
	cr_assert_eq(ALLOC(0, T_M), 0);
	ZONE(0, "M0:1 M1:2 C2:60");
	/* free 7, CMA 4 > 3: CMA first. */
	cr_assert_eq(ALLOC(0, T_M), 60);
	ZONE(0, "M0:1 M1:2 C0:61 C1:62");
	/* free 6, CMA 3 > 3 false. */
	cr_assert_eq(ALLOC(0, T_M), 1);
	ZONE(0, "M1:2 C0:61 C1:62");
	/* free 5, CMA 3 > 2. */
	cr_assert_eq(ALLOC(0, T_M), 61);
	ZONE(0, "M1:2 C1:62");
	/* free 4, CMA 2 > 2 false. */
	cr_assert_eq(ALLOC(0, T_M), 2);
	ZONE(0, "M0:3 C1:62");
	/* free 3, CMA 2 > 1. */
	cr_assert_eq(ALLOC(0, T_M), 62);
	ZONE(0, "M0:3 C0:63");
	/* free 2, CMA 1 > 1 false. */
	cr_assert_eq(ALLOC(0, T_M), 3);
	ZONE(0, "C0:63");
	/* free 1 <= low 1 and <= min 1. */
	ALLOC_FAILS(0, T_M);
	ZONE(0, "C0:63");
	PBS(60, "C");
	/* 60: buddy 61 allocated; probe 62 allocated -> head of C0. */
	FREE(60);
	ZONE(0, "C0:60,63");
	/* 61 + 60 -> (60, 1); buddy 62 allocated; order 1 = max-1: head. */
	FREE(61);
	ZONE(0, "C0:63 C1:60");
	FREE(62);
	ZONE(0, "C2:60");
	PBS(60, "C");
}

Test(buddy, cma_never_for_unmovable)
{
	boot(CFG_K);
	RETYPE(60, T_C, 4);
	for (uint64_t p = 4; p <= 56; p += 4)
		AT(p, 2, T_M);
	ZONE(0, "M2:0 C2:60");
	/* UNMOVABLE: free 8 - CMA 4 = 4 > 1; steals MOVABLE 0 (order 2 >= 2). */
	cr_assert_eq(ALLOC(0, T_U), 0);
	ZONE(0, "U0:1 U1:2 C2:60");
	PBS(0, "U");
	cr_assert_eq(ALLOC(0, T_U), 1);
	ZONE(0, "U1:2 C2:60");
	cr_assert_eq(ALLOC(0, T_U), 2);
	ZONE(0, "U0:3 C2:60");
	/* free 5 - CMA 4 = 1 <= min 1: no UNMOVABLE or RECLAIMABLE page, though 3 is free. */
	cr_assert(!WM_OK(0, 0, MIN, CMASIM_ZONE_NORMAL, T_U));
	cr_assert(!WM_OK(0, 0, MIN, CMASIM_ZONE_NORMAL, T_R));
	cr_assert(WM_OK(0, 0, MIN, CMASIM_ZONE_NORMAL, T_M));
	ALLOC_FAILS(0, T_U);
	ALLOC_FAILS(0, T_R);
	ZONE(0, "U0:3 C2:60");
	/* MOVABLE: CMA 4 > 5 / 2: CMA first. */
	cr_assert_eq(ALLOC(0, T_M), 60);
	ZONE(0, "U0:3 C0:61 C1:62");
	PBS(0, "U");
	PBS(60, "C");
}

Test(buddy, cma_only_after_movable_lists_empty)
{
	boot(CFG_K);
	RETYPE(0, T_U, 4);
	RETYPE(4, T_R, 4);
	RETYPE(60, T_C, 4);
	for (uint64_t p = 8; p <= 56; p += 4)
		AT(p, 2, T_M);
	ZONE(0, "U2:0 R2:4 C2:60");
	/* CMA 4 > 12 / 2 false; no MOVABLE block; CMA before any stealing. */
	cr_assert_eq(ALLOC(0, T_M), 60);
	ZONE(0, "U2:0 R2:4 C0:61 C1:62");
	PBS(0, "UR");
	/* Order 2: no M2, no C2: fallback, RECLAIMABLE first: 4, claimed. */
	cr_assert_eq(ALLOC(2, T_M), 4);
	ZONE(0, "U2:0 C0:61 C1:62");
	PBS(0, "UM");
	/* Order 1: CMA 3 > 7 / 2 false; no M1/M2; C1's 62. */
	cr_assert_eq(ALLOC(1, T_M), 62);
	ZONE(0, "U2:0 C0:61");
	/* Order 1: no MOVABLE, no CMA >= 1: steal UNMOVABLE's 0, claimed. */
	cr_assert_eq(ALLOC(1, T_M), 0);
	ZONE(0, "M1:2 C0:61");
	PBS(0, "MM");
	PBS(60, "C");
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_C), 1);
}

Test(buddy, cma_free_and_no_merge_with_movable)
{
	boot(CFG_C64);
	/* [0, 8): [0, 4) to M2, [4, 8) allocated. */
	AT(4, 2, T_M);
	ZONE(0, "M2:0 M3:8,16,24,32,40,48,56");
	cmasim_set_pageblock_migratetype(mem, 4, T_C);
	INV();
	PBS(0, "MC");
	/* Frees to the CMA list; order 2 >= pageblock_order and CMA: no merge with 0. */
	FREE(4);
	ZONE(0, "M2:0 C2:4 M3:8,16,24,32,40,48,56");
	cr_assert_eq(ALLOC(0, T_M), 0);
	ZONE(0, "M0:1 M1:2 C2:4 M3:8,16,24,32,40,48,56");
	/* Back to (0, 2), which does not merge with the CMA block 4 either. */
	FREE(0);
	ZONE(0, "M2:0 C2:4 M3:8,16,24,32,40,48,56");
	/* 5 in C2's 4: [6, 8) to C1, 4 to C0. */
	AT(5, 0, T_M);
	ZONE(0, "M2:0 C0:4 C1:6 M3:8,16,24,32,40,48,56");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_M), 1);
	FREE(5);
	ZONE(0, "M2:0 C2:4 M3:8,16,24,32,40,48,56");
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_M), 0);
	/* [0, 8) is never one order-3 block: the first order-3 block is 8. */
	cr_assert_eq(ALLOC(3, T_M), 8);
	PBS(0, "MC");
}

/* -------------------------------------------------------------- ISOLATE */

Test(buddy, isolate_not_allocated_not_counted)
{
	uint64_t movable = 99, moved;
	struct cmasim_zone_info info;

	boot(CFG_K0);
	/* 9 in [8, 12): 10 to M1, 8 to M0. */
	AT(9, 0, T_M);
	ZONE(0, "M0:8 M1:10 M2:0,4,12,16,20,24,28,32,36,40,44,48,52,56,60");
	cmasim_set_pageblock_migratetype(mem, 8, T_I);
	moved = cmasim_move_freepages_block(mem, 8, T_I, &movable);
	cr_assert_eq(moved, 3);
	cr_assert_eq(movable, 1);
	/* nr_free 64 - 1 allocated - 3 isolated = 60 (checked by ZONE). */
	ZONE(0, "I0:8 I1:10 M2:0,4,12,16,20,24,28,32,36,40,44,48,52,56,60");
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_I), 1);
	/* 9 frees onto the isolate lists: 9 + 8 + 10 -> (8, 2); nr_free stays 60. */
	FREE(9);
	ZONE(0, "I2:8 M2:0,4,12,16,20,24,28,32,36,40,44,48,52,56,60");
	expect_info(0, &info);
	cr_assert_eq(info.nr_free, 60);
	AT(0, 2, T_M);
	AT(4, 2, T_M);
	for (uint64_t p = 12; p <= 56; p += 4)
		AT(p, 2, T_M);
	ZONE(0, "I2:8 M2:60");
	cr_assert_eq(ALLOC(0, T_M), 60);
	ZONE(0, "I2:8 M0:61 M1:62");
	cr_assert_eq(ALLOC(1, T_M), 62);
	ZONE(0, "I2:8 M0:61");
	/*
	 * UNMOVABLE: the isolated order-2 block is no fallback source; order 0
	 * M0's 61: walk of [60, 64) moves 61; free 1, movable 3 (60, 62, 63),
	 * alike 0: 1 < 2, not claimed.
	 */
	cr_assert_eq(ALLOC(0, T_U), 61);
	ZONE(0, "I2:8");
	PBS(60, "M");
	ALLOC_FAILS(0, T_M);
	ALLOC_FAILS(0, T_U);
	ALLOC_FAILS(0, T_R);
	ZONE(0, "I2:8");
	cr_assert(!WM_OK(0, 0, MIN, CMASIM_ZONE_NORMAL, T_M));
	/* Undo the isolation. */
	cmasim_set_pageblock_migratetype(mem, 8, T_M);
	cr_assert_eq(cmasim_move_freepages_block(mem, 8, T_M, NULL), 4);
	ZONE(0, "M2:8");
	cr_assert_eq(ALLOC(2, T_M), 8);
	ZONE(0, "");
}

/*
 * A block freed onto its pageblock's list merges with buddies sitting on
 * another list, and their pages count as the list they join says:
 * __free_one_page() takes each buddy off its own list, uncounting it there,
 * and counts the merged block on its own (Linux 6.10's accounting in the
 * list functions). Here the buddies are isolated but their pageblock is
 * not, the state start_isolate_page_range() passes through between
 * moving free pages and setting the type.
 */
Test(buddy, a_merge_counts_buddies_from_another_list_as_its_own)
{
	boot(CFG_K0);
	AT(9, 0, T_M);
	ZONE(0, "M0:8 M1:10 M2:0,4,12,16,20,24,28,32,36,40,44,48,52,56,60");
	cr_assert_eq(cmasim_move_freepages_block(mem, 8, T_I, NULL), 3);
	/* 64 - 1 allocated - 3 isolated = 60 free (checked by ZONE) */
	ZONE(0, "I0:8 I1:10 M2:0,4,12,16,20,24,28,32,36,40,44,48,52,56,60");
	/*
	 * 9 frees to M, its pageblock's type, merging with 8 (I0) and then
	 * 10 (I1) into the order-2 block at 8, at the head of M2 (order 2 is
	 * the largest, so no buddy_merge_likely() look): 64 free, none isolated.
	 */
	FREE(9);
	ZONE(0, "M2:8,0,4,12,16,20,24,28,32,36,40,44,48,52,56,60");
}

/* ----------------------------------------------------------- watermarks */

Test(buddy, watermarks_three_zones)
{
	struct cmasim_zone_info dma, normal, high;

	boot(CFG_W);
	cr_assert_eq(cmasim_mem_nr_zones(mem), 3);
	expect_info(0, &dma);
	expect_info(1, &normal);
	expect_info(2, &high);
	cr_assert_eq(dma.type, CMASIM_ZONE_DMA);
	cr_assert_eq(normal.type, CMASIM_ZONE_NORMAL);
	cr_assert_eq(high.type, CMASIM_ZONE_HIGHMEM);
	cr_assert_eq(dma.start_pfn, 0);
	cr_assert_eq(dma.end_pfn, 256);
	cr_assert_eq(normal.start_pfn, 256);
	cr_assert_eq(normal.end_pfn, 768);
	cr_assert_eq(high.start_pfn, 768);
	cr_assert_eq(high.end_pfn, 1024);
	cr_assert_eq(dma.managed, 256);
	cr_assert_eq(normal.managed, 512);
	cr_assert_eq(high.managed, 256);
	/*
	 * lowmem_kbytes = (256 + 512) * 4 = 3072; int_sqrt(3072 * 16 = 49152)
	 * = 221 (221^2 = 48841, 222^2 = 49284); min_free_kbytes 221;
	 * pages_min = 221 >> 2 = 55; lowmem_pages = 768.
	 * DMA: tmp = 55 * 256 / 768 = 18; step = max(18 / 4, 2560 / 10000) = 4.
	 */
	cr_assert_eq(dma.wmark_min, 18);
	cr_assert_eq(dma.wmark_low, 22);
	cr_assert_eq(dma.wmark_high, 26);
	/* Normal: tmp = 55 * 512 / 768 = 36; step = max(9, 0) = 9. */
	cr_assert_eq(normal.wmark_min, 36);
	cr_assert_eq(normal.wmark_low, 45);
	cr_assert_eq(normal.wmark_high, 54);
	/* HighMem: tmp = 18; min = clamp(256 / 1024, 32, 128) = 32; step = max(4, 0) = 4. */
	cr_assert_eq(high.wmark_min, 32);
	cr_assert_eq(high.wmark_low, 36);
	cr_assert_eq(high.wmark_high, 40);
	/*
	 * DMA, ratio 256: [DMA32] = 0 / 256, [Normal] = 512 / 256 = 2,
	 * [HighMem] = (512 + 256) / 256 = 3, [Movable] = 768 / 256 = 3.
	 */
	cr_assert_eq(dma.lowmem_reserve[CMASIM_ZONE_DMA], 0);
	cr_assert_eq(dma.lowmem_reserve[CMASIM_ZONE_DMA32], 0);
	cr_assert_eq(dma.lowmem_reserve[CMASIM_ZONE_NORMAL], 2);
	cr_assert_eq(dma.lowmem_reserve[CMASIM_ZONE_HIGHMEM], 3);
	cr_assert_eq(dma.lowmem_reserve[CMASIM_ZONE_MOVABLE], 3);
	/* Normal, ratio 32: [HighMem] = [Movable] = 256 / 32 = 8. */
	cr_assert_eq(normal.lowmem_reserve[CMASIM_ZONE_DMA], 0);
	cr_assert_eq(normal.lowmem_reserve[CMASIM_ZONE_DMA32], 0);
	cr_assert_eq(normal.lowmem_reserve[CMASIM_ZONE_NORMAL], 0);
	cr_assert_eq(normal.lowmem_reserve[CMASIM_ZONE_HIGHMEM], 8);
	cr_assert_eq(normal.lowmem_reserve[CMASIM_ZONE_MOVABLE], 8);
	/* HighMem, ratio 0: nothing. */
	for (int j = 0; j < CMASIM_NR_ZONE_TYPES; j++)
		cr_assert_eq(high.lowmem_reserve[j], 0);
	/* Boot: 16 order-4 blocks per 256 pages. */
	ZONE(2, "M4:768,784,800,816,832,848,864,880,896,912,928,944,960,976,992,1008");
}

Test(buddy, watermarks_four_zones_from_zone_list)
{
	struct cmasim_zone_info z[4];

	boot("memory:\n"
	     "  size: 4MiB\n"
	     "  max_page_order: 3\n"
	     "  pageblock_order: 3\n"
	     "  zones:\n"
	     "    - { type: DMA, size: 256KiB }\n"
	     "    - { type: DMA32, size: 768KiB }\n"
	     "    - { type: Normal, size: 1MiB }\n"
	     "    - { type: HighMem, size: 2MiB }\n");
	cr_assert_eq(cmasim_mem_nr_zones(mem), 4);
	for (unsigned int i = 0; i < 4; i++)
		expect_info(i, &z[i]);
	/* 64, 192, 256, 512 pages. */
	cr_assert_eq(z[0].end_pfn, 64);
	cr_assert_eq(z[1].end_pfn, 256);
	cr_assert_eq(z[2].end_pfn, 512);
	cr_assert_eq(z[3].end_pfn, 1024);
	cr_assert_eq(z[1].type, CMASIM_ZONE_DMA32);
	/*
	 * lowmem_kbytes = 512 * 4 = 2048; int_sqrt(32768) = 181 (181^2 = 32761);
	 * pages_min = 181 >> 2 = 45; lowmem_pages = 512.
	 * DMA: 45 * 64 / 512 = 5, step max(1, 0) = 1.
	 * DMA32: 45 * 192 / 512 = 16, step 4.
	 * Normal: 45 * 256 / 512 = 22, step 5.
	 * HighMem: tmp 45; min clamp(0, 32, 128) = 32; step max(11, 0) = 11.
	 */
	cr_assert_eq(z[0].wmark_min, 5);
	cr_assert_eq(z[0].wmark_low, 6);
	cr_assert_eq(z[0].wmark_high, 7);
	cr_assert_eq(z[1].wmark_min, 16);
	cr_assert_eq(z[1].wmark_low, 20);
	cr_assert_eq(z[1].wmark_high, 24);
	cr_assert_eq(z[2].wmark_min, 22);
	cr_assert_eq(z[2].wmark_low, 27);
	cr_assert_eq(z[2].wmark_high, 32);
	cr_assert_eq(z[3].wmark_min, 32);
	cr_assert_eq(z[3].wmark_low, 43);
	cr_assert_eq(z[3].wmark_high, 54);
	/*
	 * DMA (256): [DMA32] 192 / 256 = 0; [Normal] 448 / 256 = 1;
	 * [HighMem] = [Movable] = 960 / 256 = 3.
	 * DMA32 (256): [Normal] 256 / 256 = 1; [HighMem] = [Movable] = 768 / 256 = 3.
	 * Normal (32): [HighMem] = [Movable] = 512 / 32 = 16.
	 */
	cr_assert_eq(z[0].lowmem_reserve[CMASIM_ZONE_DMA], 0);
	cr_assert_eq(z[0].lowmem_reserve[CMASIM_ZONE_DMA32], 0);
	cr_assert_eq(z[0].lowmem_reserve[CMASIM_ZONE_NORMAL], 1);
	cr_assert_eq(z[0].lowmem_reserve[CMASIM_ZONE_HIGHMEM], 3);
	cr_assert_eq(z[0].lowmem_reserve[CMASIM_ZONE_MOVABLE], 3);
	cr_assert_eq(z[1].lowmem_reserve[CMASIM_ZONE_DMA32], 0);
	cr_assert_eq(z[1].lowmem_reserve[CMASIM_ZONE_NORMAL], 1);
	cr_assert_eq(z[1].lowmem_reserve[CMASIM_ZONE_HIGHMEM], 3);
	cr_assert_eq(z[1].lowmem_reserve[CMASIM_ZONE_MOVABLE], 3);
	cr_assert_eq(z[2].lowmem_reserve[CMASIM_ZONE_NORMAL], 0);
	cr_assert_eq(z[2].lowmem_reserve[CMASIM_ZONE_HIGHMEM], 16);
	cr_assert_eq(z[2].lowmem_reserve[CMASIM_ZONE_MOVABLE], 16);
	for (int j = 0; j < CMASIM_NR_ZONE_TYPES; j++)
		cr_assert_eq(z[3].lowmem_reserve[j], 0);
}

Test(buddy, watermarks_min_free_kbytes_clamped_to_128)
{
	struct cmasim_zone_info info;

	/* 64 pages: int_sqrt(256 * 16 = 4096) = 64 -> clamped to 128 KiB = 32 pages. */
	boot("memory:\n"
	     "  size: 256KiB\n"
	     "  max_page_order: 3\n"
	     "  pageblock_order: 2\n");
	expect_info(0, &info);
	/* tmp = 32 * 64 / 64 = 32; step = max(8, 0) = 8. */
	cr_assert_eq(info.wmark_min, 32);
	cr_assert_eq(info.wmark_low, 40);
	cr_assert_eq(info.wmark_high, 48);
}

Test(buddy, watermarks_scale_factor_step)
{
	struct cmasim_zone_info info;

	/*
	 * 64 MiB = 16384 pages, min_free_kbytes 16: pages_min 4, tmp 4;
	 * step = max(4 / 4 = 1, 16384 * 10 / 10000 = 16) = 16.
	 */
	boot("memory:\n"
	     "  size: 64MiB\n"
	     "  max_page_order: 3\n"
	     "  pageblock_order: 3\n"
	     "  min_free_kbytes: 16\n");
	expect_info(0, &info);
	cr_assert_eq(info.wmark_min, 4);
	cr_assert_eq(info.wmark_low, 20);
	cr_assert_eq(info.wmark_high, 36);
}

Test(buddy, watermarks_derived_64mib)
{
	struct cmasim_zone_info info;

	/*
	 * 64 MiB: lowmem_kbytes 65536; int_sqrt(1048576) = 1024 KiB;
	 * pages_min 256; step = max(64, 16) = 64.
	 */
	boot("memory:\n"
	     "  size: 64MiB\n"
	     "  max_page_order: 3\n"
	     "  pageblock_order: 3\n");
	expect_info(0, &info);
	cr_assert_eq(info.wmark_min, 256);
	cr_assert_eq(info.wmark_low, 320);
	cr_assert_eq(info.wmark_high, 384);
}

Test(buddy, watermarks_16k_pages)
{
	struct cmasim_zone_info info;

	/*
	 * 16 MiB of 16 KiB pages = 1024 pages: lowmem_kbytes 16384;
	 * int_sqrt(262144) = 512; pages_min = 512 >> (14 - 10) = 32;
	 * step = max(8, 10240 / 10000 = 1) = 8.
	 */
	boot("memory:\n"
	     "  size: 16MiB\n"
	     "  page_size: 16KiB\n"
	     "  max_page_order: 3\n"
	     "  pageblock_order: 3\n");
	cr_assert_eq(cfg->page_shift, 14);
	expect_info(0, &info);
	cr_assert_eq(info.present, 1024);
	cr_assert_eq(info.wmark_min, 32);
	cr_assert_eq(info.wmark_low, 40);
	cr_assert_eq(info.wmark_high, 48);
}

Test(buddy, watermark_ok_edges)
{
	boot(CFG_WM);
	for (uint64_t p = 16; p < 64; p += 8)
		AT(p, 3, T_M);
	ZONE(0, "M3:0,8");
	AT(0, 0, T_M);
	ZONE(0, "M0:1 M1:2 M2:4 M3:8");
	AT(2, 0, T_M);
	ZONE(0, "M0:3,1 M2:4 M3:8");
	AT(4, 0, T_M);
	ZONE(0, "M0:5,3,1 M1:6 M3:8");
	AT(6, 0, T_M);
	ZONE(0, "M0:7,5,3,1 M3:8");
	AT(8, 0, T_M);
	ZONE(0, "M0:9,7,5,3,1 M1:10 M2:12");
	AT(10, 0, T_M);
	ZONE(0, "M0:11,9,7,5,3,1 M2:12");
	AT(12, 2, T_M);
	ZONE(0, "M0:11,9,7,5,3,1");
	/* nr_free 6; min 4, low 5, high 6. */
	for (int mt = 0; mt < CMASIM_NR_ALLOC_TYPES; mt++) {
		cr_assert(WM_OK(0, 0, MIN, CMASIM_ZONE_NORMAL, mt));
		cr_assert(WM_OK(0, 0, LOW, CMASIM_ZONE_NORMAL, mt));
		/* 6 <= 6: exactly at the mark fails. */
		cr_assert(!WM_OK(0, 0, HIGH, CMASIM_ZONE_NORMAL, mt));
		/* Order 1: 6 - 1 = 5 > 4, but no free block of order >= 1. */
		cr_assert(!WM_OK(0, 1, MIN, CMASIM_ZONE_NORMAL, mt));
	}
	/* The highest zone indexes a reserve that is 0 for the only zone. */
	cr_assert(WM_OK(0, 0, LOW, CMASIM_ZONE_MOVABLE, T_M));
	/* 10 + 11 -> (10, 1); buddy 8 allocated; probe (8)^4 = 12 allocated: head. */
	FREE(10);
	ZONE(0, "M0:9,7,5,3,1 M1:10");
	for (int mt = 0; mt < CMASIM_NR_ALLOC_TYPES; mt++) {
		/* Order 1: 7 - 1 = 6 > 4 and 5, an order-1 block exists (any of U/M/R). */
		cr_assert(WM_OK(0, 1, MIN, CMASIM_ZONE_NORMAL, mt));
		cr_assert(WM_OK(0, 1, LOW, CMASIM_ZONE_NORMAL, mt));
		cr_assert(!WM_OK(0, 1, HIGH, CMASIM_ZONE_NORMAL, mt));
		/* Order 2: 7 - 3 = 4 <= 4. */
		cr_assert(!WM_OK(0, 2, MIN, CMASIM_ZONE_NORMAL, mt));
	}
	ALLOC_FAILS(2, T_M);
	ZONE(0, "M0:9,7,5,3,1 M1:10");
	/*
	 * UNMOVABLE order 1 passes low (6 > 5); fallback order 1: M1's 10;
	 * walk [8, 12): 9 -> U0, 10 -> U1; free 3, movable 1 (8), alike
	 * 4 - 3 - 1 = 0; 3 >= 2: claimed. U1's 10 is taken.
	 */
	cr_assert_eq(ALLOC(1, T_U), 10);
	ZONE(0, "M0:7,5,3,1 U0:9");
	PBS(0, "MMUM");
	/* nr_free 5: > min 4, not > low 5. */
	cr_assert(WM_OK(0, 0, MIN, CMASIM_ZONE_NORMAL, T_U));
	cr_assert(!WM_OK(0, 0, LOW, CMASIM_ZONE_NORMAL, T_U));
	/* Passes only the second pass, against min. */
	cr_assert_eq(ALLOC(0, T_U), 9);
	ZONE(0, "M0:7,5,3,1");
	ALLOC_FAILS(0, T_U);
	ALLOC_FAILS(0, T_M);
}

Test(buddy, watermark_ok_cma_excluded_for_non_movable)
{
	boot(CFG_K16);
	RETYPE(60, T_C, 4);
	for (uint64_t p = 0; p < 16; p++)
		AT(p, 0, T_M);
	for (uint64_t p = 16; p < 60; p += 4)
		AT(p, 2, T_M);
	ZONE(0, "C2:60");
	/* Odd pages free, each with its even buddy allocated: head inserts. */
	for (uint64_t p = 1; p < 16; p += 2)
		FREE(p);
	ZONE(0, "M0:15,13,11,9,7,5,3,1 C2:60");
	/* nr_free 12, nr_free_cma 4; min 4, low 5, high 6. */
	/* UNMOVABLE order 1: 12 - 1 - 4 = 7 > 4, but only CMA has a block >= 1. */
	cr_assert(!WM_OK(0, 1, MIN, CMASIM_ZONE_NORMAL, T_U));
	cr_assert(!WM_OK(0, 1, MIN, CMASIM_ZONE_NORMAL, T_R));
	cr_assert(WM_OK(0, 1, MIN, CMASIM_ZONE_NORMAL, T_M));
	/* Order 2: MOVABLE 12 - 3 = 9 > 6 with C2; UNMOVABLE 12 - 3 - 4 = 5 > 4 but no block. */
	cr_assert(WM_OK(0, 2, HIGH, CMASIM_ZONE_NORMAL, T_M));
	cr_assert(!WM_OK(0, 2, MIN, CMASIM_ZONE_NORMAL, T_U));
	/* Order 0: UNMOVABLE 12 - 4 = 8 > 6. */
	cr_assert(WM_OK(0, 0, HIGH, CMASIM_ZONE_NORMAL, T_U));
	/*
	 * UNMOVABLE order 0: fallback order 0, M0's 15; walk [12, 16): 13, 15
	 * to the tail of U0 in turn; free 2, movable 2 (12, 14), alike 0;
	 * 2 >= 2: claimed. U0's first is 13.
	 */
	cr_assert_eq(ALLOC(0, T_U), 13);
	ZONE(0, "M0:11,9,7,5,3,1 U0:15 C2:60");
	PBS(12, "U");
	cr_assert_eq(ALLOC(0, T_U), 15);
	ZONE(0, "M0:11,9,7,5,3,1 C2:60");
	/* nr_free 10: UNMOVABLE order 0: 10 - 4 = 6 <= high 6, > low 5. */
	cr_assert(!WM_OK(0, 0, HIGH, CMASIM_ZONE_NORMAL, T_U));
	cr_assert(WM_OK(0, 0, LOW, CMASIM_ZONE_NORMAL, T_U));
	cr_assert(WM_OK(0, 0, HIGH, CMASIM_ZONE_NORMAL, T_M));
	ALLOC_FAILS(1, T_U);
	/* MOVABLE order 1: CMA 4 > 10 / 2 false; no M1/M2; C2's 60 splits. */
	cr_assert_eq(ALLOC(1, T_M), 60);
	ZONE(0, "M0:11,9,7,5,3,1 C1:62");
	PBS(60, "C");
}

Test(buddy, zone_fallback_and_enomem)
{
	const enum cmasim_zone_type HM = CMASIM_ZONE_HIGHMEM, NO = CMASIM_ZONE_NORMAL,
		DM = CMASIM_ZONE_DMA;

	boot(CFG_W);
	/* Zonelist order: the highest allowed zone first. */
	cr_assert_eq(ALLOC_Z(0, T_M, HM), 768);
	FREE(768);
	cr_assert_eq(ALLOC_Z(0, T_M, NO), 256);
	FREE(256);
	cr_assert_eq(ALLOC_Z(0, T_M, DM), 0);
	FREE(0);

	/* HighMem down to 37 free pages: [768, 987) taken, [987, 1024) free. */
	TAKE(768, 987);
	/* 37 > low 36: HighMem; its free blocks are 987 (o0), 988 (o2), 992, 1008 (o4). */
	cr_assert_eq(ALLOC_Z(0, T_M, HM), 987);
	/* HighMem 36 <= low 36: Normal, 512 > low 45 + reserve[HighMem] 8. */
	cr_assert(!WM_OK(2, 0, LOW, HM, T_M));
	cr_assert(WM_OK(1, 0, LOW, HM, T_M));
	cr_assert_eq(ALLOC_Z(0, T_M, HM), 256);
	FREE(256);
	/* Normal down to 53 = 45 + 8 free, DMA down to 25 = 22 + 3. */
	TAKE(256, 715);
	TAKE(0, 231);
	cr_assert(!WM_OK(2, 0, LOW, HM, T_M));
	cr_assert(WM_OK(2, 0, MIN, HM, T_M));
	cr_assert(!WM_OK(1, 0, LOW, HM, T_M));
	cr_assert(WM_OK(1, 0, MIN, HM, T_M));
	cr_assert(WM_OK(1, 0, LOW, NO, T_M));
	cr_assert(!WM_OK(0, 0, LOW, HM, T_M));
	/* DMA for a Normal request: 25 > 22 + reserve[Normal] 2; for DMA: 25 > 22. */
	cr_assert(WM_OK(0, 0, LOW, NO, T_M));
	cr_assert(WM_OK(0, 0, LOW, DM, T_M));
	/* 25 <= high 26. */
	cr_assert(!WM_OK(0, 0, HIGH, DM, T_M));
	/*
	 * Pass 1 (low) fails in all three zones; pass 2 (min): HighMem 36 > 32.
	 * HighMem has no order-0/1 block: M2's 988 splits.
	 */
	cr_assert_eq(ALLOC_Z(0, T_M, HM), 988);
	AT(989, 0, T_M);
	AT(990, 1, T_M);
	/* HighMem 32 = min, Normal 44 = 36 + 8, DMA 21 = 18 + 3. */
	TAKE(715, 724);
	TAKE(231, 235);
	ALLOC_FAILS_Z(0, T_M, HM);
	ALLOC_FAILS_Z(0, T_U, HM);
	/*
	 * With Normal as the highest zone Normal's reserve is 0: pass 1 fails
	 * (44 <= 45, DMA 21 <= 22 + 2), pass 2 takes Normal (44 > 36): its
	 * free pages are [724, 768), first block M2's 724.
	 */
	cr_assert_eq(ALLOC_Z(0, T_M, NO), 724);
	/* DMA only: 21 <= 22, then 21 > 18: DMA's free blocks are 235, 236 (o2), 240 (o4). */
	cr_assert_eq(ALLOC_Z(0, T_M, DM), 235);
	cr_assert_eq(cmasim_mem_zone_of(mem, 235), 0);
}

/* ------------------------------------------------------- fragmentation */

static void expect_frag(unsigned int order, uint64_t pages, uint64_t total, uint64_t suitable,
			int unusable, int extfrag, int largest, int line)
{
	struct cmasim_frag f;

	memset(&f, 0x5a, sizeof(f));
	cmasim_zone_frag(mem, 0, order, &f);
	cr_assert_eq(f.free_pages, pages, "line %d order %u: free_pages %" PRIu64, line, order,
		     f.free_pages);
	cr_assert_eq(f.free_blocks_total, total, "line %d order %u: total %" PRIu64, line,
		     order, f.free_blocks_total);
	cr_assert_eq(f.free_blocks_suitable, suitable, "line %d order %u: suitable %" PRIu64,
		     line, order, f.free_blocks_suitable);
	cr_assert_eq(f.unusable_index, unusable, "line %d order %u: unusable %d", line, order,
		     f.unusable_index);
	cr_assert_eq(f.extfrag_index, extfrag, "line %d order %u: extfrag %d", line, order,
		     f.extfrag_index);
	cr_assert_eq(f.largest_order, largest, "line %d order %u: largest %d", line, order,
		     f.largest_order);
}

Test(buddy, fragmentation_indices)
{
	boot(CFG_C32);
	AT(0, 0, T_M);
	AT(2, 0, T_M);
	AT(8, 3, T_M);
	AT(16, 2, T_M);
	AT(20, 1, T_M);
	ZONE(0, "M0:3,1 M1:22 M2:4 M3:24");
	/*
	 * Free: 1, 3 (o0), 22 (o1), 4 (o2), 24 (o3): 16 pages in 5 blocks.
	 * order 0: suitable 16, unusable 0.
	 * order 1: suitable 1 + 2 + 4 = 7; (16 - 14) * 1000 / 16 = 125.
	 * order 2: suitable 1 + 2 = 3; (16 - 12) * 1000 / 16 = 250.
	 * order 3: suitable 1; (16 - 8) * 1000 / 16 = 500.
	 * A suitable block exists at every order: extfrag -1000.
	 */
	expect_frag(0, 16, 5, 16, 0, -1000, 3, __LINE__);
	expect_frag(1, 16, 5, 7, 125, -1000, 3, __LINE__);
	expect_frag(2, 16, 5, 3, 250, -1000, 3, __LINE__);
	expect_frag(3, 16, 5, 1, 500, -1000, 3, __LINE__);
	AT(4, 2, T_M);
	AT(24, 3, T_M);
	ZONE(0, "M0:3,1 M1:22");
	/*
	 * Free: 1, 3, 22 (o1): 4 pages in 3 blocks.
	 * order 1: suitable 1; (4 - 2) * 1000 / 4 = 500.
	 * order 2: suitable 0; unusable 1000;
	 *   extfrag = 1000 - (1000 + 4 * 1000 / 4) / 3 = 1000 - 666 = 334.
	 * order 3: extfrag = 1000 - (1000 + 4000 / 8) / 3 = 1000 - 500 = 500.
	 */
	expect_frag(0, 4, 3, 4, 0, -1000, 1, __LINE__);
	expect_frag(1, 4, 3, 1, 500, -1000, 1, __LINE__);
	expect_frag(2, 4, 3, 0, 1000, 334, 1, __LINE__);
	expect_frag(3, 4, 3, 0, 1000, 500, 1, __LINE__);
	AT(1, 0, T_M);
	AT(3, 0, T_M);
	AT(22, 1, T_M);
	ZONE(0, "");
	/* Nothing free: unusable 1000, extfrag 0, no largest order. */
	expect_frag(0, 0, 0, 0, 1000, 0, -1, __LINE__);
	expect_frag(2, 0, 0, 0, 1000, 0, -1, __LINE__);
}

/* --------------------------------------------------- mixed pageblocks */

static void expect_mixed(const char *want, int line)
{
	/* One digit per column: Unmovable Movable Reclaimable HighAtomic CMA Isolate Reserve. */
	char got[CMASIM_NR_MIGRATETYPES + 1];

	for (int mt = 0; mt < CMASIM_NR_MIGRATETYPES; mt++) {
		uint64_t n = cmasim_zone_nr_mixed_pageblocks(mem, 0, mt);

		got[mt] = n < 10 ? (char)('0' + n) : '+';
	}
	got[CMASIM_NR_MIGRATETYPES] = 0;
	cr_assert_str_eq(got, want, "line %d: mixed blocks per column %s, expected %s", line,
			 got, want);
}

Test(buddy, mixed_pageblocks_and_counts)
{
	uint64_t movable = 99;

	boot(CFG_K);
	expect_mixed("0000000", __LINE__);
	/* pageblock 0 MOVABLE with an UNMOVABLE page: Movable column. */
	AT(0, 0, T_U);
	/* pageblock 4 UNMOVABLE with a MOVABLE page (and an UNMOVABLE one). */
	RETYPE(4, T_U, 4);
	AT(4, 0, T_M);
	AT(5, 0, T_U);
	/* pageblock 8 RECLAIMABLE with two foreign allocations: counts once. */
	RETYPE(8, T_R, 4);
	AT(8, 1, T_U);
	AT(10, 0, T_M);
	/* pageblock 12 RECLAIMABLE with its own type only. */
	RETYPE(12, T_R, 4);
	AT(12, 0, T_R);
	AT(16, 2, T_M);
	/* pageblock 52: a MOVABLE page, then isolated: Isolate column. */
	AT(52, 0, T_M);
	cmasim_set_pageblock_migratetype(mem, 52, T_I);
	cr_assert_eq(cmasim_move_freepages_block(mem, 52, T_I, &movable), 3);
	cr_assert_eq(movable, 1);
	INV();
	/* pageblocks 56, 60 CMA; a MOVABLE page in 60 counts under Movable. */
	RETYPE(56, T_C, 4);
	RETYPE(60, T_C, 4);
	AT(60, 0, T_M);
	PBS(0, "MURRMMMMMMMMMICC");
	/* U 1; M 0,16..48 = 10; R 2; CMA 2; Isolate 1. */
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_U), 1);
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_M), 10);
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_R), 2);
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_H), 0);
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_C), 2);
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_I), 1);
	expect_mixed("1210010", __LINE__);
	FREE(0);
	expect_mixed("1110010", __LINE__);
	FREE(60);
	expect_mixed("1010010", __LINE__);
	FREE(10);
	expect_mixed("1010010", __LINE__);
	FREE(8);
	expect_mixed("1000010", __LINE__);
	FREE(52);
	expect_mixed("1000000", __LINE__);
	FREE(4);
	expect_mixed("0000000", __LINE__);
}

/*
 * managed is not present: a page of a hole (pfn 0, as on x86), reserved
 * pages (9-10) and the memmap (63 pages x 64 B = 1 page, at the top of
 * lowmem below the CMA area: memblock reserves CMA first) are present or
 * not but never free. Boot frees the rest in aligned blocks, tail first:
 * [1, 9) as 1, 2-3, 4-7, 8; [11, 55) as 11, 12-15, 16..47 in order-3
 * blocks, 48-51, 52-53, 54, and the area's [56, 64) (a policy makes it CMA).
 * managed 64 - 1 - 2 - 1 = 60; has_unmovable_pages() takes the reserved
 * pages as unmovable (PageReserved), so their pageblock cannot be isolated.
 */
Test(buddy, reserved_pages_and_sub_pageblock_holes)
{
	struct cmasim_zone_info zi;

	boot("memory:\n"
	     "  size: 256KiB\n"
	     "  max_page_order: 3\n"
	     "  pageblock_order: 3\n"
	     "  min_free_kbytes: 4\n"
	     "  struct_page: 64\n"
	     "  holes: [ { start: 0, size: 4KiB } ]\n"
	     "  reserved: [ { start: 0x9000, size: 8KiB } ]\n"
	     "cma: [ { size: 32KiB } ]\n");
	cr_assert_eq(cfg->nr_reserved, 2);
	cr_assert(cfg->reserved[1].start == 55 * 4096 && cfg->reserved[1].size == 4096,
		  "memmap at %#" PRIx64, cfg->reserved[1].start);
	ZONE(0, "M0:1,8,11,54 M1:2,52 M2:4,12,48 M3:16,24,32,40,56");
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.present, 63);
	cr_assert_eq(zi.managed, 60);
	cr_assert_eq(cmasim_isolate_range(mem, 8, 16, T_M), -EBUSY);
	cr_assert_eq(cmasim_isolate_range(mem, 0, 8, T_M), -EBUSY, "pfn 0 is PageReserved");
	cr_assert_eq(cmasim_isolate_range(mem, 16, 24, T_M), 0);
	cmasim_undo_isolate_range(mem, 16, 24, T_M);
	INV();
	/* pageblock 0 still exists: only a whole pageblock in a hole does not */
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, T_M), 8);
}

/*
 * The golden case: a real x86-64 6.18 machine's /proc/zoneinfo. Its
 * managed pages (DMA 3840, DMA32 772848, Normal 3309568) come here from
 * holes (pfn 0, pfns 0x9f-0xff, the PCI window 3-4 GiB) and reserved
 * ranges (158 pages in DMA, 9488 in DMA32). min_free_kbytes derives as
 * int_sqrt(4086256 x 4 x 16) = 16171 (init_per_zone_wmark_min()); THP
 * raises it to 512 x 3 x (2 + 3 x 3) = 16896 pages = 67584 KiB
 * (set_recommended_min_free_kbytes(), mm/khugepaged.c), below 5% of
 * lowmem. __setup_per_zone_wmarks(): pages_min 16896 shared by managed
 * pages: DMA 15, DMA32 3195, Normal 13684; steps max(min / 4, managed x
 * 10 / 10000): 3, 798, 3421. setup_per_zone_lowmem_reserve() with ratios
 * 256: DMA (3018, 15946), DMA32 12928. zoneinfo shows exactly these.
 */
Test(buddy, watermarks_of_a_real_x86_machine)
{
	static const char yaml[] =
		"memory:\n"
		"  size: 17024MiB\n"
		"  pageblock_order: 9\n"
		"  zones: [ { type: DMA, size: 16MiB }, { type: DMA32, size: 4080MiB },\n"
		"           { type: Normal, size: 12928MiB } ]\n"
		"  holes: [ { start: 0, size: 4KiB }, { start: 0x9f000, size: 388KiB },\n"
		"           { start: 0xC0000000, size: 1GiB } ]\n"
		"  reserved: [ { start: 0x100000, size: 632KiB }, { start: 0x1000000, size: 37952KiB } ]\n";
	static const uint64_t managed[] = { 3840, 772848, 3309568 };
	static const uint64_t present[] = { 3998, 782336, 3309568 };
	static const uint64_t wmarks[][3] = {
		{ 15, 18, 21 }, { 3195, 3993, 4791 }, { 13684, 17105, 20526 },
	};
	/* without THP: 16171 KiB, pages_min 4042: 3, 764, 3273 */
	static const uint64_t mins_no_thp[] = { 3, 764, 3273 };
	struct cmasim_zone_info zi;

	g_autofree char *thp = g_strconcat(yaml, "  transparent_hugepage: true\n", NULL);
	boot(thp);
	for (unsigned int z = 0; z < 3; z++) {
		cmasim_mem_zone_info(mem, z, &zi);
		cr_assert(zi.present == present[z] && zi.managed == managed[z],
			  "zone %u: present %" PRIu64 ", managed %" PRIu64, z, zi.present, zi.managed);
		cr_assert(zi.wmark_min == wmarks[z][0] && zi.wmark_low == wmarks[z][1] &&
			  zi.wmark_high == wmarks[z][2], "zone %u: %" PRIu64 "/%" PRIu64 "/%" PRIu64,
			  z, zi.wmark_min, zi.wmark_low, zi.wmark_high);
	}
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert(zi.lowmem_reserve[CMASIM_ZONE_DMA32] == 3018 &&
		  zi.lowmem_reserve[CMASIM_ZONE_NORMAL] == 15946);
	cmasim_mem_zone_info(mem, 1, &zi);
	cr_assert(zi.lowmem_reserve[CMASIM_ZONE_DMA32] == 0 &&
		  zi.lowmem_reserve[CMASIM_ZONE_NORMAL] == 12928);
	machine_teardown();

	boot(yaml);
	for (unsigned int z = 0; z < 3; z++) {
		cmasim_mem_zone_info(mem, z, &zi);
		cr_assert_eq(zi.wmark_min, mins_no_thp[z], "zone %u", z);
	}
}

/*
 * mm/vmstat.c's indices count every free list, CMA's too, so a zone whose
 * free memory is all CMA looks unfragmented even to an unmovable request.
 * Beside them, cmasim gives the same indices with CMA left out. 64 pages,
 * pageblocks of 8: [0,32) allocated but 1 and 3, [32,64) CMA and free.
 * Order 3, the kernel's: 34 free in 6 blocks, 4 suitable: unusable (34 -
 * 32) x 1000 / 34 = 58, extfrag -1000. Without CMA: 2 free in 2 blocks,
 * none suitable: unusable 1000, extfrag 1000 - (1000 + 2000 / 8) / 2 = 375.
 */
Test(buddy, fragmentation_indices_without_cma)
{
	struct cmasim_frag frag;

	boot("memory: { size: 256KiB, max_page_order: 3, pageblock_order: 3, min_free_kbytes: 4 }\n");
	for (uint64_t p = 32; p < 64; p += 8)
		RETYPE(p, T_C, 8);
	for (uint64_t p = 0; p < 32; p++)
		if (p != 1 && p != 3)
			AT(p, 0, T_M);
	ZONE(0, "M0~1,3 C3:32,40,48,56");
	cmasim_zone_frag(mem, 0, 3, &frag);
	cr_assert(frag.unusable_index == 58 && frag.extfrag_index == -1000,
		  "%d %d", frag.unusable_index, frag.extfrag_index);
	cr_assert(frag.unusable_index_no_cma == 1000 && frag.extfrag_index_no_cma == 375,
		  "%d %d", frag.unusable_index_no_cma, frag.extfrag_index_no_cma);
}

/*
 * Per-cpu page lists (mm/page_alloc.c, 6.1), with cpus: 1. 64 MiB, one
 * zone of 16384 managed pages: zone_batchsize() = min(16384 >> 10, 256) /
 * 4 = 4, rounddown_pow_of_two(4 + 2) - 1 = 3; min 1, low 1 + 16 = 17, so
 * zone_highsize() = max(17 / 1, 4 x 3) = 17. A CMA area at [15360, 16384).
 * Free: 32 Movable pages (15328-15359) and 33 CMA ones (16319 and
 * 16352-16383): NR_FREE 65, NR_FREE_CMA 33 > 65 / 2.
 *
 * Without the lists each MOVABLE page asks __rmqueue()'s half rule anew:
 * CMA 16319 (33 > 32), then 32 > 64 / 2 fails: M 15328, then 32 > 63 / 2:
 * CMA 16352. With them the first request refills a batch of 3 through
 * rmqueue_bulk(), which lowers NR_FREE_PAGES only after the batch: CMA
 * 16319 (33 > 32), then 32 > 65 / 2 fails twice: 15328, 15329; the three
 * requests take them from the list's head. The frees go back on the list
 * (3 < high 17) and count as allocated until a drain.
 */
static void pcp_layout(const char *cpus)
{
	GError *err = NULL;

	g_autofree char *yaml = g_strconcat("memory: { size: 64MiB, max_page_order: 10, "
					    "pageblock_order: 9, min_free_kbytes: 4 }\n", cpus, NULL);
	boot(yaml);
	struct cmasim_cma *area = cmasim_cma_new(mem, "c", 15360, 1024, 0, &err);
	cr_assert_not_null(area);
	for (uint64_t p = 0; p < 14336; p += 1024)
		AT(p, 10, T_M);
	AT(14336, 9, T_M);
	AT(14848, 8, T_M);
	AT(15104, 7, T_M);
	AT(15232, 6, T_M);
	AT(15296, 5, T_M);
	AT(15360, 9, T_M);
	AT(15872, 8, T_M);
	AT(16128, 7, T_M);
	AT(16256, 5, T_M);
	AT(16288, 4, T_M);
	AT(16304, 3, T_M);
	AT(16312, 2, T_M);
	AT(16316, 1, T_M);
	AT(16318, 0, T_M);
	AT(16320, 5, T_M);
	ZONE(0, "M5:15328 C0:16319 C5:16352");
	cmasim_cma_free(area);
}

Test(buddy, per_cpu_lists_refill_in_batches)
{
	static const uint64_t without[] = { 16319, 15328, 16352 };
	static const uint64_t with[] = { 16319, 15328, 15329 };
	struct cmasim_zone_info zi;

	pcp_layout("");
	for (unsigned int i = 0; i < 3; i++)
		cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), without[i], "request %u", i);
	machine_teardown();

	pcp_layout("cpus: 1\n");
	for (unsigned int i = 0; i < 3; i++) {
		cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), with[i], "request %u", i);
		cmasim_mem_zone_info(mem, 0, &zi);
		cr_assert_eq(zi.nr_free, 62, "the batch left NR_FREE_PAGES at once");
	}
	for (unsigned int i = 0; i < 3; i++)
		FREE(with[i]);
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.nr_free, 62);
	cr_assert(!cmasim_range_free(mem, 15328, 15330));
	/* a page placed where a trace says drains the lists first: all 65 free, then one taken */
	AT(16319, 0, T_M);
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.nr_free, 64);
	ZONE(0, "M5:15328 C5:16352");
}

/*
 * What goes back from the per-cpu lists, and when (free_unref_page_commit()
 * and nr_pcp_free(), 6.1), on the machine above without its CMA area:
 * batch 3, high 17, and NR_FREE_PAGES counts pages on the lists as
 * allocated until they drain.
 *
 * 39 pages taken: 13 refills of 3, the lists left empty. 30 frees with no
 * allocation between: the 17th reaches high and drains a batch, 3 (then
 * free_factor 1, as 3 < high - batch = 14); the 20th drains 3 << 1 = 6
 * (factor 2); the 26th 3 << 2 = 12 (factor 3, as 12 < 14): 21 back, 9 on
 * the lists. An allocation halves the factor to 1 and takes one of them,
 * so the 9th free after it (count 8 + 9 = 17) drains 3 << 1 = 6, not the
 * clamped 14 that a factor of 3 would, and leaves the factor at 2. An
 * order-1 allocation halves it to 1 and refills max(3 >> 1, 2) = 2
 * blocks of order 1 (4 pages), taking one; freeing that block with a
 * factor left drains everything (free_high).
 */
Test(buddy, per_cpu_lists_drain_more_while_only_freeing)
{
	uint64_t pfns[40], block;
	struct cmasim_zone_info zi;
	uint64_t nr0;

	boot("memory: { size: 64MiB, max_page_order: 10, pageblock_order: 9, "
	     "min_free_kbytes: 4 }\ncpus: 1\n");
	cmasim_mem_zone_info(mem, 0, &zi);
	nr0 = zi.nr_free;
	for (unsigned int i = 0; i < 39; i++)
		pfns[i] = ALLOC(0, T_M);
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.nr_free, nr0 - 39);
	/* free n: the free pages counted after it */
	static const struct {
		unsigned int n;
		uint64_t below;
	} drains[] = { { 16, 39 }, { 17, 36 }, { 19, 36 }, { 20, 30 }, { 25, 30 }, { 26, 18 },
		       { 30, 18 } };
	for (unsigned int i = 0, d = 0; i < 30; i++) {
		FREE(pfns[i]);
		if (i + 1 != drains[d].n)
			continue;
		cmasim_mem_zone_info(mem, 0, &zi);
		cr_assert_eq(zi.nr_free, nr0 - drains[d].below, "after free %u", i + 1);
		d++;
	}
	pfns[39] = ALLOC(0, T_M);
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.nr_free, nr0 - 18, "taken from the lists");
	for (unsigned int i = 30; i < 38; i++)
		FREE(pfns[i]);
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.nr_free, nr0 - 18, "16 on the lists, below high");
	FREE(pfns[38]);
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.nr_free, nr0 - 12, "a drain of 6 after the allocation halved the factor");
	block = ALLOC(1, T_M);
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.nr_free, nr0 - 16, "a refill of two order-1 blocks");
	FREE(block);
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.nr_free, nr0 - 1, "all drained but the one page still held");
	FREE(pfns[39]);
}

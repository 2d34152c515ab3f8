// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compaction against hand-worked zones.
 *
 * Every expectation follows from the rules at the top of sim/compact.c:
 * the migrate scanner walks MOVABLE/CMA pageblocks up from the zone start
 * and moves ANON/FILE, unpinned blocks below pageblock order (and below
 * the request's order); each goes to the top 2^order pages of the highest
 * captured free run of its order; the free scanner captures one more
 * MOVABLE/CMA pageblock, going down from the zone's last, only when no
 * captured run is large enough, and only above the migrate scanner's
 * pageblock. Comments show the derivations ("0->63": the block at pfn 0
 * moves to pfn 63). Zone descriptions are explained in helpers.h.
 *
 * Costs are page_copy 2us + migrate_page 10us = 12000 ns a page.
 */
#include "cmasim/compact.h"
#include "cmasim/migrate.h"

#include "fixture.h"

TestSuite(compact, .fini = machine_teardown);

#define NOT_MOVED UINT64_C(0xdeadbeef)
#define COST_PER_PAGE UINT64_C(12000)
#define SCAN_NS UINT64_C(1)

/* Where each tagged block went, by the cookie it was tagged with (its first pfn). */
static uint64_t moved_to[256];

static void record_move(void *arg, uint32_t cookie, uint32_t index, uint64_t new_pfn)
{
	(void)arg;
	(void)index;
	cr_assert_lt(cookie, G_N_ELEMENTS(moved_to));
	moved_to[cookie] = new_pfn;
}

/* Boots @yaml and listens for moves. */
static void boot_tracked(const char *yaml)
{
	boot(yaml);
	for (size_t i = 0; i < G_N_ELEMENTS(moved_to); i++)
		moved_to[i] = NOT_MOVED;
	cmasim_mem_set_moved_hook(mem, record_move, NULL);
}

/* 64 pages, one Normal zone; pageblocks = largest blocks = 8 pages; min = low = 1. */
#define MACHINE_64                  \
	"memory:\n"                 \
	"  size: 256KiB\n"          \
	"  max_page_order: 3\n"     \
	"  pageblock_order: 3\n"    \
	"  min_free_kbytes: 4\n"    \
	"costs:\n"                  \
	"  page_copy: 2us\n"        \
	"  migrate_page: 10us\n"    \
	"  compact_scan_page: 1ns\n"

/* under 6.10, whose compaction rules the tests below were worked out for */
static const char CFG_64[] = "kernel: \"6.10\"\n" MACHINE_64;
/* under 6.1: single pages move into single free pages */
static const char CFG_64_61[] = MACHINE_64;

/* 128 pages, one Normal zone; pageblocks = largest blocks = 16 pages; min = low = 1. */
static const char CFG_128[] =
	"kernel: \"6.10\"\n"
	"memory:\n"
	"  size: 512KiB\n"
	"  max_page_order: 4\n"
	"  pageblock_order: 4\n"
	"  min_free_kbytes: 4\n"
	"costs:\n"
	"  page_copy: 2us\n"
	"  migrate_page: 10us\n"
	"  compact_scan_page: 1ns\n";

/* 64 pages: Normal 0..31, HighMem 32..63; pageblocks of 8. */
static const char CFG_2Z[] =
	"kernel: \"6.10\"\n"
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 3\n"
	"  min_free_kbytes: 4\n"
	"  lowmem: 128KiB\n"
	"costs:\n"
	"  page_copy: 2us\n"
	"  migrate_page: 10us\n"
	"  compact_scan_page: 1ns\n";

/* Allocates every page of [start, end) as a MOVABLE order-0 block tagged with its pfn. */
static void fill(uint64_t start, uint64_t end)
{
	for (uint64_t p = start; p < end; p++) {
		cr_assert_eq(cmasim_alloc_pages_at(mem, p, 0, T_M), 0, "alloc_at(%" PRIu64 ")", p);
		cmasim_set_owner(mem, p, CMASIM_OWNER_ANON, (uint32_t)p, 0);
	}
	INV();
}

/* Frees the odd pages of [start, end). */
static void free_odd(uint64_t start, uint64_t end)
{
	for (uint64_t p = start | 1; p < end; p += 2)
		cmasim_free_pages(mem, p);
	INV();
}

/* Allocates a block at @pfn and tags it with @owner and its pfn. */
static void place(uint64_t pfn, unsigned int order, enum cmasim_migratetype mt,
		  enum cmasim_owner owner, int line)
{
	at_ok(pfn, order, mt, line);
	cmasim_set_owner(mem, pfn, owner, (uint32_t)pfn, 0);
}

/* Runs compaction and checks its result and counts. */
static void compact_at(unsigned int zone, int order, enum cmasim_compact_result want,
		       uint64_t migrate_scanned, uint64_t free_scanned, uint64_t migrated,
		       int line)
{
	struct cmasim_compact_stats st = { 0 };
	enum cmasim_compact_result got = cmasim_compact_zone(mem, zone, order, &st);

	cr_assert_eq(got, want, "line %d: compaction %s, expected %s", line,
		     cmasim_compact_result_name(got), cmasim_compact_result_name(want));
	cr_assert_eq(st.migrate_scanned, migrate_scanned, "line %d: migrate_scanned %" PRIu64
		     ", expected %" PRIu64, line, st.migrate_scanned, migrate_scanned);
	cr_assert_eq(st.free_scanned, free_scanned, "line %d: free_scanned %" PRIu64
		     ", expected %" PRIu64, line, st.free_scanned, free_scanned);
	cr_assert_eq(st.migrated, migrated, "line %d: migrated %" PRIu64 ", expected %" PRIu64,
		     line, st.migrated, migrated);
	cr_assert_eq(st.cost_ns, migrated * COST_PER_PAGE + (migrate_scanned + free_scanned) *
		     SCAN_NS, "line %d: cost %" PRIu64, line, st.cost_ns);
	check_invariants_at(mem, __FILE__, line);
}

#define COMPACT(zone, order, want, ms, fs, mig) \
	compact_at((zone), (order), CMASIM_COMPACT_##want, (ms), (fs), (mig), __LINE__)
#define PLACE(pfn, order, mt, owner) place((pfn), (order), (mt), CMASIM_OWNER_##owner, __LINE__)
#define MOVED(from, to) \
	cr_assert_eq(moved_to[from], (uint64_t)(to), "block at %d went to %" PRIu64 ", expected %s", \
		     (from), moved_to[from], #to)
#define STAYED(pfn)                                                              \
	do {                                                                     \
		cr_assert_eq(moved_to[pfn], NOT_MOVED, "block at %d moved to %" PRIu64, \
			     (pfn), moved_to[pfn]);                                \
		cr_assert(!cmasim_range_free(mem, (pfn), (pfn) + 1), "pfn %d is free", (pfn)); \
	} while (0)

Test(compact, result_names)
{
	cr_assert_str_eq(cmasim_compact_result_name(CMASIM_COMPACT_SUCCESS), "success");
	cr_assert_str_eq(cmasim_compact_result_name(CMASIM_COMPACT_COMPLETE), "complete");
	cr_assert_str_eq(cmasim_compact_result_name(CMASIM_COMPACT_SKIPPED), "skipped");
	cr_assert_str_eq(cmasim_compact_result_name(CMASIM_COMPACT_PARTIAL_SKIPPED),
			 "partial_skipped");
	cr_assert_str_eq(cmasim_compact_result_name(CMASIM_COMPACT_DEFERRED), "deferred");
}

/*
 * All allocated but the odd pages of pageblocks 0, 6 and 7: twelve free
 * order-0 pages, none of them buddies. nr_free 12 > min 1 + compact_gap(2) 8.
 */
static void odd_free_layout(void)
{
	boot_tracked(CFG_64);
	fill(0, 64);
	free_odd(0, 8);
	free_odd(48, 64);
	ZONE(0, "M0~1,3,5,7,49,51,53,55,57,59,61,63");
}

Test(compact, order2_empties_the_first_pageblock_from_the_top_down)
{
	odd_free_layout();
	/*
	 * Pageblock 0: page 0 needs a page, the free scanner scans pageblock 7
	 * (57,59,61,63), highest first: 0->63, 2->61, 4->59, 6->57. Pageblock
	 * 0 merges to one order-3 block: SUCCESS, pageblock 6 never scanned.
	 */
	COMPACT(0, 2, SUCCESS, 8, 8, 4);
	MOVED(0, 63);
	MOVED(2, 61);
	MOVED(4, 59);
	MOVED(6, 57);
	ZONE(0, "M0~49,51,53,55 M3:0");
	/* the request compaction ran for can now be had */
	cr_assert_eq(ALLOC_Z(2, T_M, CMASIM_ZONE_NORMAL), 0);
}

Test(compact, full_compaction_runs_until_the_scanners_meet)
{
	odd_free_layout();
	/*
	 * As above for pageblock 0, but no early success. Pageblock 1: 8 needs
	 * a page, pageblock 6 gives 49..55: 8->55, 9->53, 10->51, 11->49. 12
	 * needs one: pageblocks 5, 4, 3, 2 are scanned and hold none, the free
	 * scanner reaches pageblock 1: COMPLETE. 12..15 stay.
	 * Scanned: migrate 2 x 8, free 6 x 8.
	 */
	COMPACT(0, -1, COMPLETE, 16, 48, 8);
	MOVED(0, 63);
	MOVED(6, 57);
	MOVED(8, 55);
	MOVED(9, 53);
	MOVED(10, 51);
	MOVED(11, 49);
	STAYED(12);
	STAYED(15);
	ZONE(0, "M2:8 M3:0");
	/* a second run finds nothing to move into: every free page is below */
	COMPACT(0, -1, COMPLETE, 16, 48, 0);
	ZONE(0, "M2:8 M3:0");
}

Test(compact, pinned_and_unmovable_blocks_stay)
{
	odd_free_layout();
	cmasim_set_owner(mem, 0, CMASIM_OWNER_KERNEL, 0, 0);
	cmasim_set_pinned(mem, 2, true);
	/*
	 * 0 (kernel) and 2 (pinned) are skipped; 4->63, 6->61. 4..7 merge to
	 * an order-2 block: SUCCESS.
	 */
	COMPACT(0, 2, SUCCESS, 8, 8, 2);
	STAYED(0);
	STAYED(2);
	MOVED(4, 63);
	MOVED(6, 61);
	ZONE(0, "M0~1,3,49,51,53,55,57,59 M2:4");
}

Test(compact, skipped_without_free_memory_to_compact_into)
{
	odd_free_layout();
	/* order 3: nr_free 12 <= min 1 + compact_gap(3) 16 */
	COMPACT(0, 3, SKIPPED, 0, 0, 0);
	ZONE(0, "M0~1,3,5,7,49,51,53,55,57,59,61,63");
	/* order 2 with 8 free pages: 8 <= 1 + 8 */
	cmasim_alloc_pages_at(mem, 49, 0, T_M);
	cmasim_alloc_pages_at(mem, 51, 0, T_M);
	cmasim_alloc_pages_at(mem, 53, 0, T_M);
	cmasim_alloc_pages_at(mem, 55, 0, T_M);
	COMPACT(0, 2, SKIPPED, 0, 0, 0);
	ZONE(0, "M0~1,3,5,7,57,59,61,63");
	for (int i = 0; i < 64; i++)
		cr_assert_eq(moved_to[i], NOT_MOVED);
}

Test(compact, success_at_once_when_the_block_exists)
{
	boot_tracked(CFG_64);
	COMPACT(0, 3, SUCCESS, 0, 0, 0);
	/* order -1 never stops early: the migrate scanner walks pageblocks 0..6 */
	COMPACT(0, -1, COMPLETE, 56, 0, 0);
	ZONE(0, "M3~0,8,16,24,32,40,48,56");
}

Test(compact, free_pages_below_the_migrate_scanner_are_never_used)
{
	boot_tracked(CFG_64);
	fill(0, 64);
	free_odd(0, 8);
	/*
	 * 0 needs a page: the free scanner walks pageblocks 7..1 (56 pages)
	 * and finds none; 1, 3, 5, 7 lie in the migrate scanner's pageblock.
	 */
	COMPACT(0, -1, COMPLETE, 8, 56, 0);
	STAYED(0);
	ZONE(0, "M0~1,3,5,7");
}

/* Pageblock 0 Unmovable, 6 CMA, 7 Unmovable; every even page taken, the odd free but in 2..5. */
static void typed_layout(const char *yaml)
{
	boot_tracked(yaml);
	fill(0, 64);
	/* every page is allocated: no free page to move */
	RETYPE(0, T_U, 0);
	RETYPE(48, T_C, 0);
	RETYPE(56, T_U, 0);
	free_odd(0, 16);
	free_odd(48, 64);
	ZONE(0, "U0~1,3,5,7,57,59,61,63 M0~9,11,13,15 C0~49,51,53,55");
}

/*
 * The case worked from mm/compaction.c (6.1): compact_memory runs
 * compact_node(), MIGRATE_SYNC, so suitable_migration_source() takes every
 * pageblock, Unmovable ones too. Pageblock 0: 0, 2, 4, 6 are isolated
 * (list_add(): 6 first). The free scanner skips pageblock 7 (Unmovable: no
 * target) and walks 6 (CMA), which gives the 4 pages wanted; split_map_pages()
 * leaves them 55, 53, 51, 49 from the head: 6->55, 4->53, 2->51, 0->49.
 * Pageblock 1: 8..14 are isolated, migrate_pfn 16; the free scanner may
 * walk down to pageblock_end_pfn(16) = 24: 5, 4, 3 have nothing free, the
 * scanners meet: COMPLETE, 4 migrated, 8..14 stay. Scanned: migrate
 * 8 + 8, free 8 (6) + 24 (5, 4, 3).
 */
Test(compact, compact_memory_takes_unmovable_pageblocks)
{
	typed_layout(CFG_64_61);
	COMPACT(0, -1, COMPLETE, 16, 32, 4);
	MOVED(0, 49);
	MOVED(2, 51);
	MOVED(4, 53);
	MOVED(6, 55);
	STAYED(8);
	STAYED(14);
	ZONE(0, "U3:0 U0~57,59,61,63 M0~9,11,13,15");
	PBS(0, "UMMMMMCU");
}

/*
 * An allocation's direct compaction is async: suitable_migration_source()
 * takes only MOVABLE and CMA pageblocks for a movable request. Order 2,
 * nr_free 16 > min 1 + compact_gap 8. Pageblock 0 (Unmovable) is skipped
 * uncounted; pageblock 1: 8..14, and the free scanner walks 7 (skipped),
 * 6: 14->55, 12->53, 10->51, 8->49, pageblock 1 is free: SUCCESS.
 */
Test(compact, direct_async_takes_only_its_own_kind_of_pageblock)
{
	struct cmasim_compact_stats st = { 0 };

	typed_layout(CFG_64_61);
	cr_assert_eq(cmasim_compact_zone_direct(mem, 0, 2, T_M, CMASIM_ZONE_NORMAL, &st),
		     CMASIM_COMPACT_SUCCESS);
	cr_assert(st.migrate_scanned == 8 && st.free_scanned == 8 && st.migrated == 4);
	cr_assert_eq(st.cost_ns, 4 * COST_PER_PAGE + 16 * SCAN_NS);
	STAYED(0);
	MOVED(8, 49);
	MOVED(14, 55);
	ZONE(0, "U0~1,3,5,7,57,59,61,63 M3:8");
}

Test(compact, owners_and_orders_decide_what_moves)
{
	boot_tracked(CFG_64);
	/* pageblock 0: anon order 2 at 0, file at 4, slab at 6; 5 and 7 free */
	PLACE(0, 2, T_M, ANON);
	PLACE(4, 0, T_M, FILE);
	PLACE(6, 0, T_R, SLAB);
	/* pageblock 1: anon order 1 at 8, anon at 12 and 14; 10-11, 13, 15 free */
	PLACE(8, 1, T_M, ANON);
	PLACE(12, 0, T_M, ANON);
	PLACE(14, 0, T_M, ANON);
	for (uint64_t p = 16; p < 48; p += 8)
		PLACE(p, 3, T_M, ANON);
	/* pageblock 6: 48, 49, 52, 54 taken; pageblock 7: the even pages */
	PLACE(48, 0, T_M, ANON);
	PLACE(49, 0, T_M, ANON);
	PLACE(52, 0, T_M, ANON);
	PLACE(54, 0, T_M, ANON);
	for (int p = 56; p < 64; p += 2)
		PLACE(p, 0, T_M, ANON);
	ZONE(0, "M0~5,7,13,15,53,55,57,59,61,63 M1~10,50");
	/*
	 * Order 2, nr_free 14 > 9. Pageblock 0: 0 is order 2, not below the
	 * request: stays. 4 (file) needs a page: pageblock 7 is scanned,
	 * 4->63; 4-5 merge. 6 (slab) stays. No order-2 block yet.
	 * Pageblock 1: 8 (order 1) fits in no captured page: pageblock 6 is
	 * scanned, its run 50-51 is the only order-1 one: 8->50; 8-11 merge.
	 * 12->61, 14->59 (higher than 53 and 55): 8..15 merge to order 3.
	 * Migrated 1 + 2 + 1 + 1 pages.
	 */
	COMPACT(0, 2, SUCCESS, 16, 16, 5);
	STAYED(0);
	MOVED(4, 63);
	STAYED(6);
	MOVED(8, 50);
	MOVED(12, 61);
	MOVED(14, 59);
	ZONE(0, "M0~7,53,55,57 M1:4 M3:8");
}

/* 128 pages: a block of @order at each of @offsets in every pageblock. */
static void take_in_every_pageblock(const unsigned int *offsets, size_t n, unsigned int order)
{
	for (uint64_t pb = 0; pb < 128; pb += 16)
		for (size_t i = 0; i < n; i++)
			PLACE(pb + offsets[i], order, T_M, ANON);
}

Test(compact, costly_order_skipped_when_fragindex_is_low)
{
	static const unsigned int first_half[] = { 0 };
	struct cmasim_frag frag;
	struct cmasim_zone_info info;

	boot_tracked(CFG_128);
	cmasim_mem_zone_info(mem, 0, &info);
	cr_assert_eq(info.wmark_low, 1);
	/* every pageblock: 0-7 taken, 8-15 one free order-3 block */
	take_in_every_pageblock(first_half, 1, 3);
	/* 64 free pages in 8 blocks: 1000 - (1000 + 64000 / 16) / 8 = 375 */
	cmasim_zone_frag(mem, 0, 4, &frag);
	cr_assert_eq(frag.extfrag_index, 375);
	/* nr_free 64 > low 1 + compact_gap(4) 32, but 375 <= 500: lack of memory */
	COMPACT(0, 4, SKIPPED, 0, 0, 0);
	ZONE(0, "M3~8,24,40,56,72,88,104,120");
	/* an order-3 request is not costly: no fragindex check, the block exists */
	COMPACT(0, 3, SUCCESS, 0, 0, 0);
}

Test(compact, costly_order_takes_the_highest_run_and_splits_it)
{
	static const unsigned int two_pages[] = { 0, 8 };
	struct cmasim_frag frag;

	boot_tracked(CFG_128);
	/* every pageblock p: p and p+8 taken; free p+1, p+2 (1), p+4 (2), p+9, p+10 (1), p+12 (2) */
	take_in_every_pageblock(two_pages, 2, 0);
	/* 112 free pages in 48 blocks: 1000 - (1000 + 7000) / 48 = 834 > 500 */
	cmasim_zone_frag(mem, 0, 4, &frag);
	cr_assert_eq(frag.extfrag_index, 834);
	/*
	 * Pageblock 0: 0 needs a page, pageblock 7 is scanned: runs 113 (0),
	 * 114 (1), 116 (2), 121 (0), 122 (1), 124 (2). The highest is 124-127:
	 * 0->127, leaving 124-125 and 126. Then 8->126: the highest run of
	 * order >= 0 now. Pageblock 0 is one free order-4 block: SUCCESS.
	 */
	COMPACT(0, 4, SUCCESS, 16, 16, 2);
	MOVED(0, 127);
	MOVED(8, 126);
	STAYED(16);
	STAYED(120);

	g_autoptr(GString) spec = g_string_new("M4:0 M0~113,121");
	for (uint64_t p = 16; p < 112; p += 16)
		g_string_append_printf(spec, ",%" PRIu64 ",%" PRIu64, p + 1, p + 9);
	g_string_append(spec, " M1~114,122,124");
	for (uint64_t p = 16; p < 112; p += 16)
		g_string_append_printf(spec, ",%" PRIu64 ",%" PRIu64, p + 2, p + 10);
	g_string_append(spec, " M2~116");
	for (uint64_t p = 16; p < 112; p += 16)
		g_string_append_printf(spec, ",%" PRIu64 ",%" PRIu64, p + 4, p + 12);
	ZONE(0, spec->str);
}

Test(compact, stays_inside_its_zone)
{
	boot_tracked(CFG_2Z);
	cr_assert_eq(cmasim_mem_nr_zones(mem), 2);
	fill(0, 64);
	free_odd(24, 40);
	free_odd(56, 64);
	ZONE(0, "M0~25,27,29,31");
	ZONE(1, "M0~33,35,37,39,57,59,61,63");
	/*
	 * Zone 1 (32..63): pageblock 32 scanned, 32 needs a page, pageblock 56
	 * gives 57..63: 32->63, 34->61, 36->59, 38->57. Pageblock 40: 40 needs
	 * a page, pageblock 48 has none, the scanners meet. Zone 0's free
	 * pages below are never touched.
	 */
	COMPACT(1, -1, COMPLETE, 16, 16, 4);
	MOVED(32, 63);
	MOVED(34, 61);
	MOVED(36, 59);
	MOVED(38, 57);
	STAYED(40);
	STAYED(24);
	ZONE(0, "M0~25,27,29,31");
	ZONE(1, "M3:32");
	/*
	 * Zone 0 (0..31): its own top pageblock 24 gives 25..31: 0->31, 1->29,
	 * 2->27, 3->25; 4 needs a page, pageblocks 16 and 8 have none, the
	 * scanners meet. Zone 1's free block is never used.
	 */
	COMPACT(0, -1, COMPLETE, 8, 24, 4);
	MOVED(0, 31);
	MOVED(1, 29);
	MOVED(2, 27);
	MOVED(3, 25);
	STAYED(4);
	ZONE(0, "M2:0");
	ZONE(1, "M3:32");
}

Test(compact, wholly_free_pageblocks_are_not_filled)
{
	boot_tracked(CFG_64);
	fill(0, 56);
	free_odd(48, 56);
	ZONE(0, "M0~49,51,53,55 M3:56");
	/*
	 * Pageblock 7 is one free order-3 block: not a target. 0 needs a page:
	 * pageblock 7 is skipped uncounted, pageblock 6 gives 49..55: 0->55,
	 * 1->53, 2->51, 3->49. 4 needs one: pageblocks 5..1 have none, the
	 * scanners meet. Scanned: free 8 + 40.
	 */
	COMPACT(0, -1, COMPLETE, 8, 48, 4);
	MOVED(0, 55);
	MOVED(3, 49);
	STAYED(4);
	ZONE(0, "M2:0 M3:56");
}

/* 64 pages; pageblocks of 4, blocks up to 8: a block may span two pageblocks. */
static const char CFG_PB4[] =
	"kernel: \"6.10\"\n"
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 4\n"
	"costs:\n"
	"  page_copy: 2us\n"
	"  migrate_page: 10us\n"
	"  compact_scan_page: 1ns\n";

Test(compact, blocks_larger_than_a_pageblock_are_walked_over)
{
	boot_tracked(CFG_PB4);
	fill(0, 56);
	PLACE(56, 3, T_M, ANON);
	free_odd(48, 56);
	ZONE(0, "M0~49,51,53,55");
	/*
	 * 0 needs a page: pageblocks 60 and 56 lie in the order-3 block at 56
	 * and hold nothing free; pageblock 52 gives 55 and 53: 0->55, 1->53;
	 * 2 needs one: pageblock 48 gives 51 and 49: 2->51, 3->49. Pageblock
	 * 4: 4 needs a page, pageblocks 44..8 (40 pages) have none, the
	 * scanners meet. The order-3 block itself is never a source.
	 */
	COMPACT(0, -1, COMPLETE, 8, 56, 4);
	MOVED(0, 55);
	MOVED(1, 53);
	MOVED(2, 51);
	MOVED(3, 49);
	STAYED(4);
	STAYED(56);
	ZONE(0, "M2:0");
}

/*
 * mm/compaction.c (6.1): kcompactd_do_work() runs sync compaction for an
 * order and defers the zone when it fails (defer_compaction()):
 * compaction_deferred() then skips 2^shift - 1 requests of that order or
 * above, the shift growing by one a failure. Pageblocks 0 and 1 have their
 * odd pages free: 8 free > min 1 + compact_gap(1) 4, no order-1 block.
 * Pageblock 0's pages find no target above pageblock_end_pfn(8) = 16
 * (7..2 have nothing free): COMPLETE, and compact_order_failed is 0.
 */
Test(compact, failures_defer_the_zone)
{
	boot_tracked(CFG_64_61);
	fill(0, 64);
	free_odd(0, 16);
	COMPACT(0, 1, COMPLETE, 8, 48, 0);
	/* shift 1: one request skipped, the second runs */
	COMPACT(0, 1, DEFERRED, 0, 0, 0);
	COMPACT(0, 1, COMPLETE, 8, 48, 0);
	/* shift 2: three skipped, any order (compact_order_failed 0) */
	COMPACT(0, 1, DEFERRED, 0, 0, 0);
	COMPACT(0, 3, DEFERRED, 0, 0, 0);
	COMPACT(0, 1, DEFERRED, 0, 0, 0);
	COMPACT(0, 1, COMPLETE, 8, 48, 0);
	/* compact_memory is never deferred */
	COMPACT(0, -1, COMPLETE, 8, 48, 0);
}

/*
 * Direct compaction starts where the last one left the cached positions
 * (compact_cached_migrate_pfn, compact_cached_free_pfn). The first run,
 * as in direct_async_takes_only_its_own_kind_of_pageblock, skipped the
 * Unmovable pageblock 0 (update_cached_migrate(): migrate position 8) and
 * walked pageblock 6 (free position 48). With pageblock 1 taken again and
 * pageblock 2's odd pages freed (12 free > 1 + 8), the second run starts
 * at 8: pageblock 1 holds one order-3 block (compound: not isolated),
 * pageblock 2 gives 16..22; the free scanner walks 6, 5, 4 (above
 * pageblock_end_pfn(24) = 32) and finds nothing: the scanners met on a
 * run that did not start at the zone's first pageblock: PARTIAL_SKIPPED.
 * The positions go back to the edges, so a third run is whole_zone.
 */
Test(compact, direct_compaction_resumes_at_the_cached_positions)
{
	struct cmasim_compact_stats st = { 0 };

	typed_layout(CFG_64_61);
	cr_assert_eq(cmasim_compact_zone_direct(mem, 0, 2, T_M, CMASIM_ZONE_NORMAL, &st),
		     CMASIM_COMPACT_SUCCESS);
	AT(8, 3, T_M);
	free_odd(16, 24);
	st = (struct cmasim_compact_stats){ 0 };
	cr_assert_eq(cmasim_compact_zone_direct(mem, 0, 2, T_M, CMASIM_ZONE_NORMAL, &st),
		     CMASIM_COMPACT_PARTIAL_SKIPPED);
	cr_assert(st.migrate_scanned == 16 && st.free_scanned == 24 && st.migrated == 0,
		  "scanned %" PRIu64 " + %" PRIu64, st.migrate_scanned, st.free_scanned);
	st = (struct cmasim_compact_stats){ 0 };
	cr_assert_eq(cmasim_compact_zone_direct(mem, 0, 2, T_M, CMASIM_ZONE_NORMAL, &st),
		     CMASIM_COMPACT_COMPLETE);
}

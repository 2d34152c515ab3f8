// SPDX-License-Identifier: GPL-2.0-only
/*
 * Owners, migration and isolation against hand-worked states.
 *
 * Every expected value below was derived by hand from the contig-rules brief
 * (mm/migrate.c and mm/page_isolation.c of Linux 6.1 as cmasim models them)
 * and the buddy-rules brief, with the correction that blocks moved between
 * lists by cmasim_move_freepages_block() go to the TAIL of the target list.
 * The comments show the derivation. Zone descriptions ("M3:0,8 I0:1") are
 * explained in helpers.h; every list not named must be empty and nr_free /
 * nr_free_cma must match the named lists (ISOLATE lists are not counted).
 *
 * Costs are picked so each term of a sum can be told apart: a migrated page
 * costs page_copy + migrate_page = 3 + 40 = 43 ns, a reclaimed page 500 ns.
 * buddy_op and page_zero are huge so that charging them by mistake shows.
 */
#include "migration.h"

#include "cmasim/contig.h"
#include "cmasim/migrate.h"

TestSuite(migrate, .fini = cma_teardown);

#define RECLAIM_NS 500

/*
 * 64 pages at pfn 0, one Normal zone; pageblocks of 4 pages, blocks up to
 * 8. min_free_kbytes 4: pages_min = 4 >> 2 = 1, tmp = 1 * 64 / 64 = 1,
 * step = max(1 / 4, 64 * 10 / 10000) = 0, so min = low = high = 1.
 * Boot: M3:0,8,...,56.
 */
static const char CFG_A[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 4\n" COSTS;


#define M3_ALL "M3:0,8,16,24,32,40,48,56"
#define M3_FROM8 "M3:8,16,24,32,40,48,56"



/* ------------------------------------------------------------- helpers */

static struct cmasim_migrate_stats migrate_rc(uint64_t start, uint64_t end, int want, int line)
{
	struct cmasim_migrate_stats st = { 0 };
	int rc = cmasim_migrate_range(mem, start, end, &st);

	cr_assert_eq(rc, want, "line %d: migrate_range(%" PRIu64 ", %" PRIu64 ") = %d, expected %d",
		     line, start, end, rc, want);
	check_invariants_at(mem, __FILE__, line);
	return st;
}

#define MIGRATE(start, end, want) migrate_rc((start), (end), (want), __LINE__)

static void expect_stats_at(const struct cmasim_migrate_stats *st, uint64_t migrated,
			    uint64_t reclaimed, uint64_t pinned, uint64_t unmovable,
			    uint64_t no_memory, uint64_t cost, int line)
{
	cr_assert(st->migrated == migrated && st->reclaimed == reclaimed &&
		  st->busy_pinned == pinned && st->busy_unmovable == unmovable &&
		  st->no_memory == no_memory && st->cost_ns == cost,
		  "line %d: stats {migrated %" PRIu64 ", reclaimed %" PRIu64 ", pinned %" PRIu64
		  ", unmovable %" PRIu64 ", no_memory %" PRIu64 ", cost %" PRIu64 "}, expected {%"
		  PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 "}",
		  line, st->migrated, st->reclaimed, st->busy_pinned, st->busy_unmovable,
		  st->no_memory, st->cost_ns, migrated, reclaimed, pinned, unmovable, no_memory,
		  cost);
}

#define STATS(st, mig, rec, pin, unm, nomem, cost) \
	expect_stats_at(&(st), (mig), (rec), (pin), (unm), (nomem), (cost), __LINE__)

/* The type an isolation gives back: CMA inside an area, else MOVABLE. */
static enum cmasim_migratetype pageblock_mt_at(uint64_t pfn)
{
	return cmasim_get_pageblock_migratetype(mem, pfn) == T_C ? T_C : T_M;
}

static void isolate_rc(uint64_t start, uint64_t end, int want, int line)
{
	int rc = cmasim_isolate_range(mem, start, end, pageblock_mt_at(start));

	cr_assert_eq(rc, want, "line %d: isolate_range(%" PRIu64 ", %" PRIu64 ") = %d, expected %d",
		     line, start, end, rc, want);
	check_invariants_at(mem, __FILE__, line);
}

#define ISOLATE(start, end) isolate_rc((start), (end), 0, __LINE__)
#define ISOLATE_BUSY(start, end) isolate_rc((start), (end), -EBUSY, __LINE__)
#define UNDO(start, end, mt)                                   \
	do {                                                   \
		cmasim_undo_isolate_range(mem, (start), (end), (mt)); \
		INV();                                         \
	} while (0)

/* ------------------------------------------------------------- owners */

Test(migrate, owner_names)
{
	cr_assert_str_eq(cmasim_owner_name(CMASIM_OWNER_ANON), "anon");
	for (int o = 0; o < CMASIM_NR_OWNERS; o++) {
		cr_assert_not_null(cmasim_owner_name(o));
		cr_assert_gt(strlen(cmasim_owner_name(o)), 0);
	}
}

/* ---------------------------------------------------------- migration */

Test(migrate, anon_moves_to_buddy_destination)
{
	boot_hooked(CFG_A);
	/* order 0 MOVABLE: M3:0 is split: [4,8) -> M2, [2,4) -> M1, [1] -> M0 (heads) */
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	ZONE(0, "M0:1 M1:2 M2:4 " M3_FROM8);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_ANON, 7, 3);
	INV();

	/* pageblock [0,4) goes ISOLATE, its free pages 1 and 2 to the I tails */
	ISOLATE(0, 1);
	ZONE(0, "I0:1 I1:2 M2:4 " M3_FROM8);
	PBS(0, "IM");

	/*
	 * Destination: order 0 MOVABLE (ALLOC_CMA, no CMA here), low watermark: free 60 > 1.
	 * M0, M1 empty (1 and 2 are isolated); M2:4 is split: [6,8) -> M1 head,
	 * [5] -> M0 head; 4 is the destination. The source 0 is freed to its
	 * pageblock's list (ISOLATE): merges with 1 (o0) and 2 (o1) into 0 o2;
	 * buddy 4 is allocated, so it stops; order 2 is not < max - 1 = 2: HEAD.
	 */
	struct cmasim_migrate_stats st = MIGRATE(0, 1, 0);
	STATS(st, 1, 0, 0, 0, 0, 1 * MIGRATE_NS);
	NMOVES(1);
	MOVE(0, 7, 3, 4);
	ZONE(0, "I2:0 M0:5 M1:6 " M3_FROM8);
	cr_assert(all_allocated(4, 5));
	cr_assert(cmasim_range_free(mem, 0, 4));
	cr_assert_eq(cmasim_alloc_pages_at(mem, 4, 0, T_M), -EBUSY);
	INV();

	/* undo: pageblock 0 MOVABLE, block 0 o2 to the M2 tail */
	UNDO(0, 1, T_M);
	PBS(0, "MM");
	ZONE(0, "M0:5 M1:6 M2:0 " M3_FROM8);

	/*
	 * The destination kept the owner and tag: move it again. Isolating
	 * pageblock [4,8) moves 5 (o0) and 6 (o1) to the I tails; destination
	 * order 0: M2:0 split: [2,4) -> M1, [1] -> M0; 0 is taken. Source 4
	 * merges with 5 and 6 into 4 o2; buddy 0 is allocated: I2 head.
	 */
	ISOLATE(4, 5);
	ZONE(0, "I0:5 I1:6 M2:0 " M3_FROM8);
	st = MIGRATE(4, 5, 0);
	STATS(st, 1, 0, 0, 0, 0, MIGRATE_NS);
	NMOVES(2);
	MOVE(1, 7, 3, 0);
	ZONE(0, "I2:4 M0:1 M1:2 " M3_FROM8);
	UNDO(4, 5, T_M);
	ZONE(0, "M0:1 M1:2 M2:4 " M3_FROM8);

	/* freeing at the pfn the hook gave: 0 merges with 1, 2 and 4 back to o3 */
	FREE(0);
	ZONE(0, M3_ALL);
}

Test(migrate, untagged_block_moves_without_hook)
{
	boot_hooked(CFG_A);
	/* a block keeps the NIL cookie it was allocated with: no hook call */
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	ISOLATE(0, 1);
	struct cmasim_migrate_stats st = MIGRATE(0, 1, 0);
	STATS(st, 1, 0, 0, 0, 0, MIGRATE_NS);
	NMOVES(0);
	/* same destination as above: 4 */
	cr_assert(all_allocated(4, 5));
	ZONE(0, "I2:0 M0:5 M1:6 " M3_FROM8);
}

Test(migrate, file_is_reclaimed)
{
	boot_hooked(CFG_A);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_FILE, 1, 2);
	INV();
	ISOLATE(0, 1);
	ZONE(0, "I0:1 I1:2 M2:4 " M3_FROM8);

	/*
	 * Reclaimed, not migrated: no destination is taken. 0 is freed to the
	 * ISOLATE list, merging with 1 and 2 into 0 o2; at order 2 (the
	 * pageblock order) the buddy 4 is a free o2 MOVABLE block, but the
	 * types differ and ISOLATE is not U/M/R: no merge. Order 2 is not
	 * < max - 1: HEAD of I2.
	 */
	struct cmasim_migrate_stats st = MIGRATE(0, 1, 0);
	STATS(st, 0, 1, 0, 0, 0, RECLAIM_NS);
	NMOVES(1);
	MOVE(0, 1, 2, UINT64_MAX);
	ZONE(0, "I2:0 M2:4 " M3_FROM8);
	cr_assert(cmasim_range_free(mem, 0, 8));

	/*
	 * undo: 0 o2 is a whole free pageblock whose buddy 4 o2 is free and
	 * not isolated, so __putback_isolated_page() frees it again: it merges
	 * into 0 o3, which goes to the head of M3 (o3 is the largest order).
	 */
	UNDO(0, 1, T_M);
	ZONE(0, "M3:0,8,16,24,32,40,48,56");
}

Test(migrate, file_order1_reclaimed_cost)
{
	boot_hooked(CFG_A);
	/* order 1: M3:0 split: [4,8) -> M2, [2,4) -> M1; [0,2) taken */
	cr_assert_eq(ALLOC_Z(1, T_M, CMASIM_ZONE_NORMAL), 0);
	/* order 0: M0 empty, M1:2 split: [3] -> M0; 2 taken */
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 2);
	ZONE(0, "M0:3 M2:4 " M3_FROM8);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_FILE, 4, 0);
	cmasim_set_owner(mem, 2, CMASIM_OWNER_ANON, 4, 1);
	INV();
	/* pageblock [0,4): free 3 -> I0 */
	ISOLATE(0, 4);
	ZONE(0, "I0:3 M2:4 " M3_FROM8);

	/*
	 * Ascending: [0,2) FILE reclaimed: 2 pages, 1000 ns; freed to I1: buddy
	 * 2 is allocated; order 1 < 2 and the o2 buddy of 0 is 4, a free o2
	 * block: TAIL of I1. Then 2 ANON: destination order 0: M0 and M1 empty,
	 * M2:4 split: [6,8) -> M1, [5] -> M0; 4 taken. Source 2 merges with 3
	 * (o0) and 0 (o1) into 0 o2; buddy 4 allocated: I2 head.
	 */
	struct cmasim_migrate_stats st = MIGRATE(0, 4, 0);
	STATS(st, 1, 2, 0, 0, 0, 2 * RECLAIM_NS + MIGRATE_NS);
	NMOVES(2);
	MOVE(0, 4, 0, UINT64_MAX);
	MOVE(1, 4, 1, 4);
	ZONE(0, "I2:0 M0:5 M1:6 " M3_FROM8);
}

Test(migrate, pinned_is_busy)
{
	boot_hooked(CFG_A);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_ANON, 1, 1);
	cmasim_set_pinned(mem, 0, true);
	INV();
	/* isolation does not look at pins */
	ISOLATE(0, 1);
	ZONE(0, "I0:1 I1:2 M2:4 " M3_FROM8);

	g_autofree char *before = snapshot();
	struct cmasim_migrate_stats st = MIGRATE(0, 1, -EBUSY);
	STATS(st, 0, 0, 1, 0, 0, 0);
	NMOVES(0);
	SAME(before);
	cr_assert(all_allocated(0, 1));

	/* unpinned, it moves as in anon_moves_to_buddy_destination: to 4 */
	cmasim_set_pinned(mem, 0, false);
	INV();
	st = MIGRATE(0, 1, 0);
	STATS(st, 1, 0, 0, 0, 0, MIGRATE_NS);
	NMOVES(1);
	MOVE(0, 1, 1, 4);
	ZONE(0, "I2:0 M0:5 M1:6 " M3_FROM8);
}

Test(migrate, pinned_file_is_busy)
{
	boot_hooked(CFG_A);
	cr_assert_eq(ALLOC_Z(1, T_M, CMASIM_ZONE_NORMAL), 0);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_FILE, 1, 1);
	cmasim_set_pinned(mem, 0, true);
	INV();
	g_autofree char *before = snapshot();
	/*
	 * A pinned page-cache page cannot be dropped either: 2 pages busy.
	 * Unlike a pinned anon page it is isolated, and fails migration 10
	 * passes x 5 tries (mm/page_alloc.c: __alloc_contig_migrate_range(),
	 * mm/migrate.c: migrate_pages(), 6.1): 50 x 2 pages x 40 ns.
	 */
	struct cmasim_migrate_stats st = MIGRATE(1, 2, -EBUSY);
	STATS(st, 0, 0, 2, 0, 0, 50 * 2 * 40);
	NMOVES(0);
	SAME(before);
}

Test(migrate, unmovable_owners_are_busy)
{
	static const enum cmasim_owner owners[] = {
		CMASIM_OWNER_SLAB, CMASIM_OWNER_KERNEL, CMASIM_OWNER_PAGETABLE, CMASIM_OWNER_DMA,
	};

	boot_hooked(CFG_A);
	/* [0,2) order 1: M3:0 split: [4,8) -> M2, [2,4) -> M1 */
	cr_assert_eq(ALLOC_Z(1, T_M, CMASIM_ZONE_NORMAL), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(owners); i++) {
		cmasim_set_owner(mem, 0, owners[i], 9, (uint32_t)i);
		INV();
		g_autofree char *before = snapshot();
		/* not isolated (isolation would refuse): the range is just walked */
		struct cmasim_migrate_stats st = MIGRATE(0, 4, -EBUSY);
		STATS(st, 0, 0, 0, 2, 0, 0);
		NMOVES(0);
		SAME(before);
	}
}

Test(migrate, default_owners_by_migratetype)
{
	boot_hooked(CFG_B);
	/*
	 * RECLAIMABLE -> SLAB, UNMOVABLE -> KERNEL: both stay. Placed with
	 * alloc_at on whole free o3 blocks, so no split is involved.
	 */
	AT(8, 3, T_R);
	AT(16, 3, T_U);
	AT(24, 3, T_M);
	g_autofree char *before = snapshot();
	struct cmasim_migrate_stats st = MIGRATE(8, 24, -EBUSY);
	STATS(st, 0, 0, 0, 16, 0, 0);
	SAME(before);

	/*
	 * MOVABLE -> ANON: [24,32) migrates (not isolated: any destination
	 * will do). Destination order 3 MOVABLE: first of M3:0,32,40,48,56 is
	 * 0. The source goes back to M3 at the head (order 3 = max).
	 */
	st = MIGRATE(24, 25, 0);
	STATS(st, 8, 0, 0, 0, 0, 8 * MIGRATE_NS);
	NMOVES(0);
	ZONE(0, "M3:24,32,40,48,56");
	cr_assert(all_allocated(0, 1) && all_allocated(7, 8));
}

Test(migrate, busy_and_movable_in_one_range)
{
	boot_hooked(CFG_A);
	/* 0 then 1 (M0:1); lists M1:2 M2:4 */
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 1);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_ANON, 3, 0);
	cmasim_set_owner(mem, 1, CMASIM_OWNER_ANON, 3, 1);
	cmasim_set_pinned(mem, 0, true);
	INV();
	ISOLATE(0, 2);
	ZONE(0, "I1:2 M2:4 " M3_FROM8);

	/*
	 * 0 pinned: busy, and the walk goes on. 1: destination order 0: M2:4
	 * split: [6,8) -> M1, [5] -> M0; 4 taken. Source 1 to ISOLATE: buddy 0
	 * allocated; order 0 < 2 and the o1 buddy of 0 is 2, a free o1 block:
	 * TAIL of I0.
	 */
	struct cmasim_migrate_stats st = MIGRATE(0, 2, -EBUSY);
	STATS(st, 1, 0, 1, 0, 0, MIGRATE_NS);
	NMOVES(1);
	MOVE(0, 3, 1, 4);
	ZONE(0, "I0:1 I1:2 M0:5 M1:6 " M3_FROM8);
}

Test(migrate, block_half_inside_moves_whole)
{
	boot_hooked(CFG_A);
	/* order 1: [0,2); M1:2 M2:4 */
	cr_assert_eq(ALLOC_Z(1, T_M, CMASIM_ZONE_NORMAL), 0);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_ANON, 2, 9);
	INV();
	ISOLATE(1, 2);
	ZONE(0, "I1:2 M2:4 " M3_FROM8);

	/*
	 * [1,2) touches the block [0,2): all of it moves. Destination order 1:
	 * M1 empty, M2:4 split: [6,8) -> M1; [4,6) taken. Source [0,2) merges
	 * with 2 (o1) into 0 o2; buddy 4 allocated: I2 head.
	 */
	struct cmasim_migrate_stats st = MIGRATE(1, 2, 0);
	STATS(st, 2, 0, 0, 0, 0, 2 * MIGRATE_NS);
	NMOVES(1);
	MOVE(0, 2, 9, 4);
	ZONE(0, "I2:0 M1:6 " M3_FROM8);
	cr_assert(all_allocated(4, 6));
}

Test(migrate, free_range_is_a_noop)
{
	boot_hooked(CFG_A);
	g_autofree char *before = snapshot();
	struct cmasim_migrate_stats st = MIGRATE(8, 40, 0);
	STATS(st, 0, 0, 0, 0, 0, 0);
	SAME(before);
	cr_assert(cmasim_range_free(mem, 0, 64));
}

Test(migrate, no_destination_is_enomem)
{
	boot_hooked(CFG_A);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_ANON, 3, 3);
	ISOLATE(0, 1);
	/* everything outside the isolated pageblock: exact free blocks */
	AT(4, 2, T_M);
	for (uint64_t p = 8; p < 64; p += 8)
		AT(p, 3, T_M);
	ZONE(0, "I0:1 I1:2");

	/* nr_free 0 <= min 1 on both passes: no destination */
	g_autofree char *before = snapshot();
	struct cmasim_migrate_stats st = MIGRATE(0, 1, -ENOMEM);
	STATS(st, 0, 0, 0, 0, 1, 0);
	NMOVES(0);
	SAME(before);
	cr_assert(all_allocated(0, 1));

	/*
	 * Free [4,8): pageblock 1 is MOVABLE; buddy 0 is not a free o2 block:
	 * M2 head. free 4 > 1: destination M2:4 split: [6,8) -> M1, [5] -> M0;
	 * 4 taken; 0 merges with 1 and 2 into I2:0.
	 */
	FREE(4);
	ZONE(0, "I0:1 I1:2 M2:4");
	st = MIGRATE(0, 1, 0);
	STATS(st, 1, 0, 0, 0, 0, MIGRATE_NS);
	MOVE(0, 3, 3, 4);
	ZONE(0, "I2:0 M0:5 M1:6");
}

Test(migrate, watermark_bounds_destination)
{
	boot_hooked(CFG_A);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	ISOLATE(0, 1);
	AT(4, 2, T_M);
	for (uint64_t p = 8; p < 64; p += 8)
		AT(p, 3, T_M);
	/*
	 * Free the o2 block [4,8) back, then take 4, 5, 6 again with alloc_at
	 * (no watermark there): only pfn 7 is free outside the isolated block.
	 * nr_free 1: free = 1 - 0 <= min 1 on both passes: -ENOMEM though a
	 * page is free.
	 */
	FREE(4);
	AT(4, 1, T_M);
	AT(6, 0, T_M);
	struct cmasim_zone_info info;
	cmasim_mem_zone_info(mem, 0, &info);
	cr_assert_eq(info.nr_free, 1);
	struct cmasim_migrate_stats st = MIGRATE(0, 1, -ENOMEM);
	STATS(st, 0, 0, 0, 0, 1, 0);
	cr_assert(all_allocated(0, 1));
	cr_assert(!all_allocated(7, 8));
}

/* ---------------------------------------------------------- isolation */

Test(migrate, isolate_moves_free_pages)
{
	boot(CFG_B);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	ZONE(0, "M0:1 M1:2 M2:4 " M3_FROM8);

	/*
	 * [4,20) covers pageblocks [0,8), [8,16), [16,24). Their free pages go
	 * to the I tails in ascending pfn: 1, 2, 4 from the first, 8 then 16.
	 * NR_FREE_PAGES drops by 7 + 8 + 8 = 23: 63 -> 40.
	 */
	ISOLATE(4, 20);
	ZONE(0, "I0:1 I1:2 I2:4 I3:8,16 M3:24,32,40,48,56");
	PBS(0, "IIIMMMMM");
	struct cmasim_zone_info info;
	cmasim_mem_zone_info(mem, 0, &info);
	cr_assert_eq(info.nr_free, 40);
	cr_assert(!cmasim_range_free(mem, 0, 8));
	cr_assert(cmasim_range_free(mem, 1, 24));

	/* isolated pages are never handed out: an o3 request takes 24 */
	cr_assert_eq(ALLOC_Z(3, T_M, CMASIM_ZONE_NORMAL), 24);
	FREE(24);
	ZONE(0, "I0:1 I1:2 I2:4 I3:8,16 M3:24,32,40,48,56");

	/* undo: each pageblock MOVABLE, its free pages to the M tails */
	UNDO(4, 20, T_M);
	PBS(0, "MMMMMMMM");
	ZONE(0, "M0:1 M1:2 M2:4 M3:24,32,40,48,56,8,16");
	cmasim_mem_zone_info(mem, 0, &info);
	cr_assert_eq(info.nr_free, 63);
}

Test(migrate, isolate_splits_larger_free_block)
{
	boot(CFG_A);
	/*
	 * Pageblock [8,12) is half of the free o3 block 8: split first, [8,12)
	 * to the ISOLATE list, [12,16) stays on M2 (the only block there).
	 */
	ISOLATE(8, 12);
	ZONE(0, "I2:8 M2:12 M3:0,16,24,32,40,48,56");
	PBS(8, "IM");
	UNDO(8, 12, T_M);
	PBS(8, "MM");
	/*
	 * [8,12) comes back as a free o2 whose buddy 12 o2 is free and movable:
	 * unset_migratetype_isolate() refrees it, and 8 o3 heads M3 again.
	 */
	ZONE(0, "M3:8,0,16,24,32,40,48,56");
}

Test(migrate, isolate_refuses_unmovable)
{
	boot(CFG_B);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_SLAB, 0, 0);
	INV();
	g_autofree char *before = snapshot();
	ISOLATE_BUSY(0, 16);
	SAME(before);
	PBS(0, "MM");

	/*
	 * Only the part of the range inside each pageblock is looked at:
	 * [4,16) checks [4,8) of pageblock 0, which block 0 does not touch.
	 * Free pages 4 (pageblock 0) and 8 go to the I tails; 1 and 2 too.
	 */
	ISOLATE(4, 16);
	ZONE(0, "I0:1 I1:2 I2:4 I3:8 M3:16,24,32,40,48,56");
	PBS(0, "IIM");
}

Test(migrate, isolate_refuses_with_nothing_changed)
{
	static const enum cmasim_owner owners[] = {
		CMASIM_OWNER_SLAB, CMASIM_OWNER_KERNEL, CMASIM_OWNER_PAGETABLE, CMASIM_OWNER_DMA,
	};

	boot(CFG_B);
	/* an exact free block in the LAST pageblock of the range */
	AT(24, 3, T_M);
	for (size_t i = 0; i < G_N_ELEMENTS(owners); i++) {
		cmasim_set_owner(mem, 24, owners[i], 0, 0);
		INV();
		g_autofree char *before = snapshot();
		/* pageblocks [8,16) and [16,24) are fine but must not stay isolated */
		ISOLATE_BUSY(8, 32);
		SAME(before);
	}
	/* ANON and FILE pass, pinned or not */
	cmasim_set_owner(mem, 24, CMASIM_OWNER_FILE, 0, 0);
	cmasim_set_pinned(mem, 24, true);
	ISOLATE(8, 32);
	PBS(8, "IIIM");
	ZONE(0, "I3:8,16 M3:0,32,40,48,56");
	UNDO(8, 32, T_M);
	PBS(8, "MMMM");
	ZONE(0, "M3:0,32,40,48,56,8,16");
}

Test(migrate, isolate_pinned_anon_passes)
{
	boot(CFG_B);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	cmasim_set_pinned(mem, 0, true);
	INV();
	ISOLATE(0, 8);
	ZONE(0, "I0:1 I1:2 I2:4 " M3_FROM8);
}

Test(migrate, isolate_cma_regardless)
{
	GError *err = NULL;

	boot(CFG_B);
	/* [32,48) becomes CMA: its free o3 blocks 32, 40 go to the C3 tail */
	cma = cmasim_cma_new(mem, "cma", 32, 16, 0, &err);
	cr_assert_not_null(cma);
	ZONE(0, "C3:32,40 M3:0,8,16,24,48,56");
	/* an exact block in the CMA area, then made unmovable */
	AT(40, 3, T_M);
	cmasim_set_owner(mem, 40, CMASIM_OWNER_KERNEL, 0, 0);
	INV();
	/* CMA pageblocks are not checked: 32 and 40 both isolate */
	ISOLATE(32, 48);
	PBS(32, "II");
	ZONE(0, "I3:32 M3:0,8,16,24,48,56");
	UNDO(32, 48, T_C);
	PBS(32, "CC");
	ZONE(0, "C3:32 M3:0,8,16,24,48,56");
}

/*
 * mm/page_isolation.c (6.1): isolating both pageblocks of the free
 * order-3 block at 0 keeps it one block (I3:0). Undoing gives pageblock 0
 * its pages back first (0-3 on M2; its buddy 4-7 is still isolated, so
 * __free_one_page() keeps them apart), then pageblock 4:
 * unset_migratetype_isolate() frees 4-7 again (__putback_isolated_page())
 * and it merges with 0-3 into the order-3 block at the M3 head. The
 * invariant checker demands that merge: free buddies of one type always
 * merge.
 */
Test(migrate, undoing_isolation_merges_across_pageblocks)
{
	boot(CFG_A);
	ZONE(0, "M3:0,8,16,24,32,40,48,56");
	ISOLATE(0, 8);
	ZONE(0, "I3:0 M3:8,16,24,32,40,48,56");
	cmasim_undo_isolate_range(mem, 0, 4, T_M);
	ZONE(0, "I2:4 M2:0 M3:8,16,24,32,40,48,56");
	UNDO(4, 8, T_M);
	ZONE(0, "M3:0,8,16,24,32,40,48,56");
}

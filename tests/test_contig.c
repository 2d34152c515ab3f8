// SPDX-License-Identifier: GPL-2.0-only
/*
 * alloc_contig_range(), alloc_contig_pages() and CMA areas against
 * hand-worked states, and a randomized run against a model.
 *
 * Every expected value below was derived by hand from the contig-rules brief
 * (mm/page_alloc.c and mm/cma.c of Linux 6.1 as cmasim models them) and the
 * buddy-rules brief, with the correction that blocks moved between lists by
 * cmasim_move_freepages_block() go to the TAIL of the target list. The
 * comments show the derivation. Zone descriptions are explained in helpers.h.
 *
 * Costs: a migrated page costs page_copy + migrate_page = 3 + 40 = 43 ns,
 * an attempt that got past isolation lru_drain = 10000 ns. buddy_op and
 * page_zero are huge so that charging them by mistake shows.
 */
#include "migration.h"

#include "cmasim/contig.h"
#include "cmasim/migrate.h"

TestSuite(contig, .fini = cma_teardown);

#define DRAIN_NS 10000


/*
 * 128 pages, one Normal zone, pageblock == largest block == 8 pages;
 * pages_min 1, tmp = 1 * 128 / 128 = 1, step = max(0, 128 * 10 / 10000) =
 * 0: min = low = high = 1. The CMA tests put the area on [64, 128).
 */
static const char CFG_D[] =
	"memory:\n"
	"  size: 512KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 3\n"
	"  min_free_kbytes: 4\n" COSTS;

/* Normal [0, 64), HighMem [64, 128). */
static const char CFG_E[] =
	"memory:\n"
	"  size: 512KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 3\n"
	"  min_free_kbytes: 4\n"
	"  lowmem: 256KiB\n" COSTS;

#define M3_FROM8 "M3:8,16,24,32,40,48,56"
#define M3_FROM16 "M3:16,24,32,40,48,56"
#define M3_LOW "M3:0,8,16,24,32,40,48,56"
#define C3_FROM72 "C3:72,80,88,96,104,112,120"
#define C3_ALL "C3:64,72,80,88,96,104,112,120"



/* ------------------------------------------------------------- helpers */

static void expect_cstats_at(const struct cmasim_contig_stats *st, uint64_t attempts,
			     uint64_t busy, uint64_t migrated, uint64_t pinned,
			     uint64_t unmovable, uint64_t no_memory, uint64_t cost, int line)
{
	cr_assert(st->attempts == attempts && st->busy == busy &&
		  st->migrate.migrated == migrated && st->migrate.busy_pinned == pinned &&
		  st->migrate.busy_unmovable == unmovable && st->migrate.no_memory == no_memory &&
		  st->cost_ns == cost,
		  "line %d: stats {attempts %" PRIu64 ", busy %" PRIu64 ", migrated %" PRIu64
		  ", pinned %" PRIu64 ", unmovable %" PRIu64 ", no_memory %" PRIu64 ", cost %"
		  PRIu64 "}, expected {%" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %"
		  PRIu64 ", %" PRIu64 ", %" PRIu64 "}", line, st->attempts, st->busy,
		  st->migrate.migrated, st->migrate.busy_pinned, st->migrate.busy_unmovable,
		  st->migrate.no_memory, st->cost_ns, attempts, busy, migrated, pinned, unmovable,
		  no_memory, cost);
	/* the migration part of the cost is what the migrate stats say */
	cr_assert_eq(st->migrate.cost_ns, st->migrate.migrated * MIGRATE_NS,
		     "line %d: migrate.cost_ns %" PRIu64, line, st->migrate.cost_ns);
}

#define CSTATS(st, att, busy, mig, pin, unm, nomem, cost) \
	expect_cstats_at(&(st), (att), (busy), (mig), (pin), (unm), (nomem), (cost), __LINE__)

static struct cmasim_contig_stats contig_rc(uint64_t start, uint64_t end, enum cmasim_migratetype mt,
					    int want, int line)
{
	struct cmasim_contig_stats st = { 0 };
	int rc = cmasim_alloc_contig_range(mem, start, end, mt, &st);

	cr_assert_eq(rc, want, "line %d: alloc_contig_range(%" PRIu64 ", %" PRIu64 ") = %d, "
		     "expected %d", line, start, end, rc, want);
	check_invariants_at(mem, __FILE__, line);
	return st;
}

#define CONTIG(start, end, mt, want) contig_rc((start), (end), (mt), (want), __LINE__)

static struct cmasim_contig_stats cma_alloc_rc(uint64_t count, unsigned int align, int want,
					       uint64_t want_pfn, int line)
{
	struct cmasim_contig_stats st = { 0 };
	uint64_t pfn = UINT64_MAX;
	int rc = cmasim_cma_alloc(cma, count, align, &pfn, &st);

	cr_assert_eq(rc, want, "line %d: cma_alloc(%" PRIu64 ", %u) = %d, expected %d", line,
		     count, align, rc, want);
	if (!want)
		cr_assert_eq(pfn, want_pfn, "line %d: cma_alloc(%" PRIu64 ", %u) at %" PRIu64
			     ", expected %" PRIu64, line, count, align, pfn, want_pfn);
	check_invariants_at(mem, __FILE__, line);
	return st;
}

#define CMA_ALLOC(count, align, pfn) cma_alloc_rc((count), (align), 0, (pfn), __LINE__)
#define CMA_FAILS(count, align, rc) cma_alloc_rc((count), (align), (rc), 0, __LINE__)
#define CMA_RELEASE(pfn, count)                          \
	do {                                             \
		cmasim_cma_release(cma, (pfn), (count)); \
		INV();                                   \
	} while (0)
#define USED(n) cr_assert_eq(cmasim_cma_used(cma), (n), "cma used %" PRIu64 ", expected %d", \
			     cmasim_cma_used(cma), (n))

/* Creates the area [64, 128) of CFG_D with @order_per_bit. */
static void make_cma(unsigned int order_per_bit)
{
	GError *err = NULL;

	cma = cmasim_cma_new(mem, "reserved", 64, 64, order_per_bit, &err);
	cr_assert_not_null(cma, "cma_new: %s", err ? err->message : "?");
	cr_assert_null(err);
	INV();
}

/* --------------------------------------------------- alloc_contig_range */

Test(contig, range_migrates_and_takes)
{
	boot_hooked(CFG_B);
	/*
	 * o0 at 0: M3:0 split: [4,8) -> M2, [2,4) -> M1, [1] -> M0. o0: M0:1.
	 * o1: M1:2. Pageblock [0,8) now holds 0, 1, [2,4) and free [4,8).
	 */
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 1);
	cr_assert_eq(ALLOC_Z(1, T_M, CMASIM_ZONE_NORMAL), 2);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_ANON, 1, 0);
	cmasim_set_owner(mem, 1, CMASIM_OWNER_ANON, 1, 1);
	cmasim_set_owner(mem, 2, CMASIM_OWNER_ANON, 1, 2);
	ZONE(0, "M2:4 " M3_FROM8);

	/*
	 * Isolate [0,8): 4 -> I2. Block 0: destination o0: M0..M2 empty, M3:8
	 * split: [12,16) -> M2, [10,12) -> M1, [9] -> M0; 8 taken. 0 freed to
	 * I0: buddy 1 allocated; its o1 buddy 2 is allocated: HEAD.
	 * Block 1: M0:9. 1 merges with 0 into 0 o1; buddy 2 allocated; the o2
	 * buddy of 0 is 4, a free o2 block: TAIL of I1.
	 * Block [2,4): o1: M1:10. 2 merges with 0 (o1) and 4 (o2) into 0 o3.
	 * [0,4) is taken as one o2 block; [4,8) stays free and the undo moves
	 * it to the M2 tail after 12.
	 */
	struct cmasim_contig_stats st = CONTIG(0, 4, T_M, 0);
	CSTATS(st, 1, 0, 4, 0, 0, 0, DRAIN_NS + 4 * MIGRATE_NS);
	NMOVES(3);
	MOVE(0, 1, 0, 8);
	MOVE(1, 1, 1, 9);
	MOVE(2, 1, 2, 10);
	ZONE(0, "M2:12,4 " M3_FROM16);
	PBS(0, "MMMMMMMM");
	cr_assert(all_allocated(0, 4));
	cr_assert(all_allocated(8, 12));
	cr_assert_eq(cmasim_alloc_pages_at(mem, 0, 2, T_M), -EBUSY);
	cr_assert_eq(cmasim_alloc_pages_at(mem, 3, 0, T_M), -EBUSY);
	INV();

	/* the pages belong to a DMA buffer: they do not move */
	struct cmasim_migrate_stats ms = { 0 };
	cr_assert_eq(cmasim_migrate_range(mem, 0, 4, &ms), -EBUSY);
	cr_assert_eq(ms.busy_unmovable, 4);
	cr_assert_eq(ms.migrated, 0);
	INV();

	/* free_contig_range: [0,4) o2 merges with 4 (o2, MOVABLE) into 0 o3: M3 head */
	cmasim_free_contig_range(mem, 0, 4);
	INV();
	ZONE(0, "M2:12 M3:0,16,24,32,40,48,56");

	/*
	 * The moved blocks are freed where the hook said. 8: buddy 9
	 * allocated, o1 buddy 10 allocated: M0 head. 9: merges with 8; buddy
	 * 10 allocated; o2 buddy 12 is a free o2 block: M1 tail. 10: merges
	 * with 8 (o1) and 12 (o2) into 8 o3: M3 head.
	 */
	FREE(8);
	FREE(9);
	FREE(10);
	ZONE(0, "M3:8,0,16,24,32,40,48,56");
}

Test(contig, second_allocation_over_cleared_range)
{
	boot_hooked(CFG_B);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_ANON, 1, 0);
	/* first: 0 moves to the first of M3 split: 8; 0 merges back with 1, 2, 4 */
	struct cmasim_contig_stats st = CONTIG(0, 4, T_M, 0);
	CSTATS(st, 1, 0, 1, 0, 0, 0, DRAIN_NS + MIGRATE_NS);
	MOVE(0, 1, 0, 8);
	/* M3:8 split: [12,16) -> M2, [10,12) -> M1, [9] -> M0; [4,8) -> M2 tail */
	ZONE(0, "M0:9 M1:10 M2:12,4 " M3_FROM16);
	cmasim_free_contig_range(mem, 0, 4);
	INV();
	ZONE(0, "M0:9 M1:10 M2:12 M3:0,16,24,32,40,48,56");

	/* again over the range, now free: nothing to migrate, only the drain */
	st = CONTIG(0, 4, T_M, 0);
	CSTATS(st, 1, 0, 0, 0, 0, 0, DRAIN_NS);
	NMOVES(1);
	/* isolate: 0 o3 -> I3; [0,4) taken; [4,8) to the M2 tail by the undo */
	ZONE(0, "M0:9 M1:10 M2:12,4 " M3_FROM16);
	cr_assert(all_allocated(0, 4));
}

/*
 * Pageblock [0,8): [0,4) ANON (tag 2/0), 4 free, 5 ANON pinned, [6,8) free.
 * o2: M3:0 split: [4,8) -> M2; o0: M2:4 split: [6,8) -> M1, [5] -> M0;
 * o0: M0:5. Freeing 4: buddy 5 allocated; its o1 buddy 6 is a free o1
 * block: M0 tail. Lists: M0:4 M1:6 M3:8,...,56.
 */
static void setup_pinned_neighbour(void)
{
	cr_assert_eq(ALLOC_Z(2, T_M, CMASIM_ZONE_NORMAL), 0);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 4);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 5);
	cmasim_set_pinned(mem, 5, true);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_ANON, 2, 0);
	FREE(4);
	ZONE(0, "M0:4 M1:6 " M3_FROM8);
}

Test(contig, range_next_to_pinned_page_succeeds)
{
	boot_hooked(CFG_B);
	setup_pinned_neighbour();
	/*
	 * Isolate [0,8): 4 -> I0, 6 -> I1 (the pinned 5 is not looked at).
	 * Only [0,4) is migrated: o2 destination: M2 empty, M3:8 split:
	 * [12,16) -> M2; 8 taken. [0,4) freed to I2: buddy 4 is o0, no merge:
	 * HEAD. [0,4) taken; undo: 4 -> M0 tail, 6 -> M1 tail.
	 */
	struct cmasim_contig_stats st = CONTIG(0, 4, T_M, 0);
	CSTATS(st, 1, 0, 4, 0, 0, 0, DRAIN_NS + 4 * MIGRATE_NS);
	NMOVES(1);
	MOVE(0, 2, 0, 8);
	ZONE(0, "M0:4 M1:6 M2:12 " M3_FROM16);
	cr_assert(all_allocated(0, 4));
	cr_assert(all_allocated(5, 6));
	PBS(0, "MM");
}

Test(contig, pinned_page_inside_is_busy)
{
	boot_hooked(CFG_B);
	setup_pinned_neighbour();
	/*
	 * [0,8): block 0 still migrates first (to 8, as above) and is freed to
	 * I2 head; 5 is pinned: busy_pinned 1, -EBUSY, stats->busy 1. Nothing
	 * is taken; the undo moves 0 (o2), 4, 6 to the M tails in pfn order.
	 */
	struct cmasim_contig_stats st = CONTIG(0, 8, T_M, -EBUSY);
	CSTATS(st, 1, 1, 4, 1, 0, 0, DRAIN_NS + 4 * MIGRATE_NS);
	MOVE(0, 2, 0, 8);
	ZONE(0, "M0:4 M1:6 M2:12,0 " M3_FROM16);
	PBS(0, "MM");
	cr_assert(cmasim_range_free(mem, 0, 5));
	cr_assert(all_allocated(5, 6));
}

Test(contig, unmovable_page_fails_isolation)
{
	boot_hooked(CFG_B);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_KERNEL, 0, 0);
	INV();
	g_autofree char *before = snapshot();
	/* isolation refuses at once: no drain, no cost */
	struct cmasim_contig_stats st = CONTIG(0, 4, T_M, -EBUSY);
	CSTATS(st, 1, 1, 0, 0, 0, 0, 0);
	SAME(before);
}

Test(contig, contig_pages_skips_busy_candidate)
{
	boot_hooked(CFG_B);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	cmasim_set_owner(mem, 0, CMASIM_OWNER_KERNEL, 0, 0);
	ZONE(0, "M0:1 M1:2 M2:4 " M3_FROM8);

	/*
	 * count 4: step 4. p = 0: isolation sees KERNEL 0 in [0,4): busy, no
	 * drain. p = 4: [4,8) of pageblock 0 holds nothing unmovable; isolate
	 * moves 1, 2, 4 to I; [4,8) free: taken; undo: 1 -> M0, 2 -> M1.
	 */
	struct cmasim_contig_stats st = { 0 };
	uint64_t pfn = UINT64_MAX;
	cr_assert_eq(cmasim_alloc_contig_pages(mem, 4, CMASIM_ZONE_NORMAL, &pfn, &st), 0);
	INV();
	cr_assert_eq(pfn, 4);
	CSTATS(st, 2, 1, 0, 0, 0, 0, DRAIN_NS);
	ZONE(0, "M0:1 M1:2 " M3_FROM8);
	cmasim_free_contig_range(mem, 4, 4);
	INV();
	/* 4 o2: buddy 0 allocated: M2 head */
	ZONE(0, "M0:1 M1:2 M2:4 " M3_FROM8);

	/*
	 * count 3: alloc_contig_pages() (6.1) steps by 3 from ALIGN(0, 3) = 0.
	 * p = 0: busy as above. p = 3: has_unmovable_pages() looks at [3,6)
	 * only: isolated; 1, 2-3 and 4-7 go to the I tails. [3,6) is taken as
	 * 3 (splitting 2-3: 2 stays I0) and 4-5 (splitting 4-7: 6 goes to I1).
	 * The undo moves 1, 2 and 6 to the M tails in pfn order.
	 */
	st = (struct cmasim_contig_stats){ 0 };
	cr_assert_eq(cmasim_alloc_contig_pages(mem, 3, CMASIM_ZONE_NORMAL, &pfn, &st), 0);
	INV();
	cr_assert_eq(pfn, 3);
	CSTATS(st, 2, 1, 0, 0, 0, 0, DRAIN_NS);
	ZONE(0, "M0:1,2 M1:6 " M3_FROM8);
	cr_assert(all_allocated(3, 6));
	/*
	 * The range's pages are recorded as allocated MOVABLE, as
	 * split_map_pages() has post_alloc_hook() see __GFP_MOVABLE: the
	 * Movable pageblock holding them is not mixed.
	 */
	cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, T_M), 0);
	/*
	 * Free 3: merges with 2 into 2 o1 (buddy 0 allocated): M1 head. Free
	 * 4-5: merges with 6 into 4 o2 (buddy 0 allocated): M2 head.
	 */
	cmasim_free_contig_range(mem, 3, 3);
	INV();
	ZONE(0, "M0:1 M1:2 M2:4 " M3_FROM8);

	/* count 64: p = 0 only (busy); p = 64 is past the zone: -ENOMEM */
	st = (struct cmasim_contig_stats){ 0 };
	cr_assert_eq(cmasim_alloc_contig_pages(mem, 64, CMASIM_ZONE_NORMAL, &pfn, &st), -ENOMEM);
	INV();
	CSTATS(st, 1, 1, 0, 0, 0, 0, 0);
}

/* ----------------------------------------------------------- CMA areas */

Test(contig, cma_new_errors)
{
	static const struct {
		const char *cfg;
		uint64_t base, count;
		unsigned int opb;
	} bad[] = {
		{ CFG_D, 66, 16, 0 },	/* base not pageblock-aligned */
		{ CFG_D, 64, 12, 0 },	/* count not whole pageblocks */
		{ CFG_D, 64, 0, 0 },	/* empty */
		{ CFG_D, 120, 16, 0 },	/* runs past RAM */
		{ CFG_E, 56, 16, 0 },	/* Normal [0,64) and HighMem [64,128) */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		GError *err = NULL;

		boot(bad[i].cfg);
		g_autofree char *before = snapshot();
		struct cmasim_cma *c = cmasim_cma_new(mem, "bad", bad[i].base, bad[i].count,
						      bad[i].opb, &err);
		cr_assert_null(c, "case %zu: accepted", i);
		cr_assert_not_null(err, "case %zu: no error", i);
		cr_assert(g_error_matches(err, CMASIM_ERROR, CMASIM_ERROR_LAYOUT),
			  "case %zu: %s", i, err->message);
		g_clear_error(&err);
		SAME(before);
		machine_teardown();
	}

	/* the whole HighMem zone is fine */
	GError *err = NULL;
	boot(CFG_E);
	cma = cmasim_cma_new(mem, "high", 64, 64, 0, &err);
	cr_assert_not_null(cma);
	cr_assert_null(err);
	INV();
	PBS(64, "CCCCCCCC");
}

Test(contig, cma_new_moves_free_pages)
{
	boot(CFG_D);
	make_cma(0);
	cr_assert_str_eq(cmasim_cma_name(cma), "reserved");
	cr_assert_eq(cmasim_cma_base_pfn(cma), 64);
	cr_assert_eq(cmasim_cma_count(cma), 64);
	USED(0);
	PBS(0, "MMMMMMMMCCCCCCCC");
	/* free o3 blocks of the area to the C3 tail in pfn order; nr_free_cma 64 */
	ZONE(0, C3_ALL " " M3_LOW);
	struct cmasim_zone_info info;
	cmasim_mem_zone_info(mem, 0, &info);
	cr_assert_eq(info.nr_free, 128);
	cr_assert_eq(info.nr_free_cma, 64);
}

Test(contig, cma_first_fit_with_align)
{
	boot(CFG_D);
	make_cma(0);
	/*
	 * count 4, align 2: mask 3, offset (64 & 3) = 0: bit 0, pfn 64.
	 * Isolating [64,72) takes 64 o3 to I3; [64,68) is taken; [68,72) goes
	 * to the C2 tail on the undo.
	 */
	struct cmasim_contig_stats st = CMA_ALLOC(4, 2, 64);
	CSTATS(st, 1, 0, 0, 0, 0, 0, DRAIN_NS);
	USED(4);
	ZONE(0, "C2:68 " C3_FROM72 " " M3_LOW);
	PBS(64, "CC");

	/* again: bits 0-3 set, next multiple of 4 is bit 4: pfn 68 */
	st = CMA_ALLOC(4, 2, 68);
	CSTATS(st, 1, 0, 0, 0, 0, 0, DRAIN_NS);
	USED(8);
	ZONE(0, C3_FROM72 " " M3_LOW);

	/* count 1, align 0: bit 8, pfn 72; [73], [74,76), [76,80) to the C tails */
	st = CMA_ALLOC(1, 0, 72);
	USED(9);
	ZONE(0, "C0:73 C1:74 C2:76 C3:80,88,96,104,112,120 " M3_LOW);

	/* release [64,68): o2, buddy 68 allocated: C2 head; bits 0-3 clear */
	CMA_RELEASE(64, 4);
	USED(5);
	ZONE(0, "C0:73 C1:74 C2:64,76 C3:80,88,96,104,112,120 " M3_LOW);

	/* count 2, align 1: mask 1: bit 0 free again: pfn 64; [66,68) to the C1 tail */
	st = CMA_ALLOC(2, 1, 64);
	CSTATS(st, 1, 0, 0, 0, 0, 0, DRAIN_NS);
	USED(7);
	ZONE(0, "C0:73 C1:74,66 C2:76 C3:80,88,96,104,112,120 " M3_LOW);

	/*
	 * Release all. [64,66): merges with 66 into 64 o2; buddy 68 allocated:
	 * C2 head. [68,72): merges with 64 into 64 o3: C3 head. 72: merges
	 * with 73, 74, 76 into 72 o3: C3 head.
	 */
	CMA_RELEASE(64, 2);
	ZONE(0, "C0:73 C1:74 C2:64,76 C3:80,88,96,104,112,120 " M3_LOW);
	CMA_RELEASE(68, 4);
	CMA_RELEASE(72, 1);
	USED(0);
	ZONE(0, "C3:72,64,80,88,96,104,112,120 " M3_LOW);
	cr_assert_eq(cmasim_cma_used(cma), 0);
}

Test(contig, cma_order_per_bit)
{
	boot(CFG_D);
	make_cma(2);	/* 16 bits of 4 pages */
	/* count 1, align 0: mask 0, one bit: bit 0, pfn 64 */
	CMA_ALLOC(1, 0, 64);
	/* bit 0 is taken whole: the next page goes to bit 1, pfn 68 */
	CMA_ALLOC(1, 0, 68);
	USED(2);
	/*
	 * count 5, align 3: mask (1 << (3 - 2)) - 1 = 1, offset (64 & 7) >> 2
	 * = 0, nr = 2 bits: bit 0 is used; bit 2 (even, 2 and 3 clear): pfn 72.
	 */
	CMA_ALLOC(5, 3, 72);
	USED(7);
	cr_assert(all_allocated(72, 77));
	cr_assert(cmasim_range_free(mem, 77, 80));
	cr_assert(cmasim_range_free(mem, 65, 68));

	/* release the page at 68: bit 1 clear again, and the next page lands there */
	CMA_RELEASE(68, 1);
	USED(6);
	CMA_ALLOC(1, 0, 68);
	USED(7);

	/*
	 * align 7: mask (1 << 5) - 1 = 31, offset (64 & 127) >> 2 = 16: the
	 * first bit with (i + 16) & 31 == 0 is 16, past the 16-bit map:
	 * -ENOMEM at once, nothing tried.
	 */
	struct cmasim_contig_stats st = CMA_FAILS(1, 7, -ENOMEM);
	CSTATS(st, 0, 0, 0, 0, 0, 0, 0);
	USED(7);
}

/*
 * The first MOVABLE o0 comes from M3:0 (free CMA 64 is not > 128 / 2):
 * 0, with M0:1 M1:2 M2:4 left. Then free CMA 64 > 127 / 2 = 63: the next
 * MOVABLE request, of @order, tries CMA first. That second block is made
 * an anon block of @cookie and pinned; returns its pfn.
 */
static uint64_t pinned_in_cma(unsigned int order, uint32_t cookie)
{
	uint64_t pfn;

	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 0);
	pfn = ALLOC_Z(order, T_M, CMASIM_ZONE_NORMAL);
	cmasim_set_owner(mem, pfn, CMASIM_OWNER_ANON, cookie, 0);
	cmasim_set_pinned(mem, pfn, true);
	INV();
	return pfn;
}

Test(contig, cma_busy_retries_next_aligned_window)
{
	boot_hooked(CFG_D);
	make_cma(0);
	/* C3:64 split: [68,72) -> C2, [66,68) -> C1, [65] -> C0; 64 taken */
	cr_assert_eq(pinned_in_cma(0, 5), 64);
	ZONE(0, "C0:65 C1:66 C2:68 " C3_FROM72 " M0:1 M1:2 M2:4 " M3_FROM8);

	/*
	 * count 8, align 3: mask 7. Bit 0: [64,72): the pinned 64 makes it
	 * busy (CMA pageblocks isolate regardless; the undo puts 65, 66, 68
	 * back on the C tails). Resume at 0 + 7 + 1 = 8: [72,80) is free.
	 */
	struct cmasim_contig_stats st = CMA_ALLOC(8, 3, 72);
	CSTATS(st, 2, 1, 0, 1, 0, 0, 2 * DRAIN_NS);
	NMOVES(0);
	USED(8);
	ZONE(0, "C0:65 C1:66 C2:68 C3:80,88,96,104,112,120 M0:1 M1:2 M2:4 " M3_FROM8);
	cr_assert(all_allocated(72, 80));

	/*
	 * Unpinned, the first window works: 64 moves out of CMA to the first
	 * MOVABLE block of o0: M0:1. Freed to I0 it merges with 65, 66, 68
	 * into 64 o3; [64,72) is taken whole.
	 */
	cmasim_set_pinned(mem, 64, false);
	INV();
	st = CMA_ALLOC(8, 3, 64);
	CSTATS(st, 1, 0, 1, 0, 0, 0, DRAIN_NS + MIGRATE_NS);
	NMOVES(1);
	MOVE(0, 5, 0, 1);
	USED(16);
	ZONE(0, "C3:80,88,96,104,112,120 M1:2 M2:4 " M3_FROM8);
}

Test(contig, cma_align0_slides_one_page)
{
	boot_hooked(CFG_D);
	make_cma(0);
	/* o2 from CMA: C3:64 split: [68,72) -> C2; [64,68) taken */
	cr_assert_eq(pinned_in_cma(2, 6), 64);
	ZONE(0, "C2:68 " C3_FROM72 " M0:1 M1:2 M2:4 " M3_FROM8);

	/*
	 * count 4, align 0: mask 0, windows at bits 0, 1, 2, 3 all touch the
	 * pinned o2 block [64,68) (4 pinned pages each time); bit 4, [68,72),
	 * is free: 5 attempts, 4 busy, 16 pinned pages seen.
	 */
	struct cmasim_contig_stats st = CMA_ALLOC(4, 0, 68);
	CSTATS(st, 5, 4, 0, 16, 0, 0, 5 * DRAIN_NS);
	USED(4);
	ZONE(0, C3_FROM72 " M0:1 M1:2 M2:4 " M3_FROM8);
}

Test(contig, cma_every_window_busy)
{
	boot_hooked(CFG_D);
	make_cma(0);
	cr_assert_eq(pinned_in_cma(2, 6), 64);
	g_autofree char *before = snapshot();

	/* count 64: one window, bit 0, busy; resume at bit 1: no window: -EBUSY */
	struct cmasim_contig_stats st = CMA_FAILS(64, 0, -EBUSY);
	CSTATS(st, 1, 1, 0, 4, 0, 0, DRAIN_NS);
	USED(0);
	SAME(before);

	/* align 6 (mask 63): bit 0 busy, resume at 64: none left: -EBUSY */
	st = CMA_FAILS(4, 6, -EBUSY);
	CSTATS(st, 1, 1, 0, 4, 0, 0, DRAIN_NS);
	SAME(before);

	/*
	 * Unpinned, count 4 align 2 takes bit 0: [64,68) migrates to the first
	 * MOVABLE o2 block, M2:4; freed to I2 it merges with 68 into 64 o3.
	 * [64,68) is taken; [68,72) goes to the C2 tail on the undo.
	 */
	cmasim_set_pinned(mem, 64, false);
	st = CMA_ALLOC(4, 2, 64);
	CSTATS(st, 1, 0, 4, 0, 0, 0, DRAIN_NS + 4 * MIGRATE_NS);
	MOVE(0, 6, 0, 4);
	USED(4);
	ZONE(0, "C2:68 " C3_FROM72 " M0:1 M1:2 " M3_FROM8);
}

Test(contig, cma_bitmap_full_is_instant_enomem)
{
	boot(CFG_D);
	make_cma(0);
	struct cmasim_contig_stats st = CMA_ALLOC(64, 0, 64);
	CSTATS(st, 1, 0, 0, 0, 0, 0, DRAIN_NS);
	USED(64);
	ZONE(0, M3_LOW);
	g_autofree char *before = snapshot();
	st = CMA_FAILS(1, 0, -ENOMEM);
	CSTATS(st, 0, 0, 0, 0, 0, 0, 0);
	SAME(before);
	/* release: the 8 o3 blocks go back to C3 (list order left open) */
	CMA_RELEASE(64, 64);
	USED(0);
	ZONE(0, "C3~64,72,80,88,96,104,112,120 " M3_LOW);
	/* and the area can be had again */
	CMA_ALLOC(64, 0, 64);
	USED(64);
}

/*
 * The case worked from the kernel rules (Linux 6.1): the target of a page
 * migrated out of a CMA range may itself be CMA.
 * __alloc_contig_migrate_range() allocates with GFP_USER | __GFP_MOVABLE,
 * so gfp_to_alloc_flags_cma() sets ALLOC_CMA (mm/page_alloc.c), and
 * __rmqueue() takes CMA first while free CMA exceeds half of all free.
 */
Test(contig, cma_migration_target_may_be_cma)
{
	boot_hooked(CFG_D);
	make_cma(0);
	/* all of [0,64) taken as exact o3 blocks */
	for (uint64_t p = 0; p < 64; p += 8)
		AT(p, 3, T_M);
	/* free CMA 64 > 64 / 2: CMA first: C3:64 split; 64 taken */
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 64);
	cmasim_set_owner(mem, 64, CMASIM_OWNER_ANON, 7, 0);
	INV();
	ZONE(0, "C0:65 C1:66 C2:68 " C3_FROM72);

	/*
	 * cma_alloc(8, align 3): [64,72). Isolation takes 65, 66, 68 (7
	 * pages) off: NR_FREE 56, NR_FREE_CMA 56. The target is MOVABLE with
	 * ALLOC_CMA: the watermark counts CMA (56 > low 1), and 56 > 56 / 2
	 * takes CMA first: C3:72 split (76 o2, 74 o1, 73 o0 back on the CMA
	 * lists), 64 -> 72. 64 then merges with the isolated 65, 66, 68 into
	 * I3:64, which the range takes.
	 */
	struct cmasim_contig_stats st = CMA_ALLOC(8, 3, 64);
	CSTATS(st, 1, 0, 1, 0, 0, 0, DRAIN_NS + MIGRATE_NS);
	NMOVES(1);
	MOVE(0, 7, 0, 72);
	USED(8);
	ZONE(0, "C0:73 C1:74 C2:76 C3:80,88,96,104,112,120");
}

/*
 * alloc_contig_pages() (6.1) tries CMA pageblocks too: pfn_range_valid_contig()
 * does not look at the type, and the isolation for MIGRATE_MOVABLE fails on
 * them (has_unmovable_pages(): a CMA page is unmovable to a non-CMA
 * allocation). [0,64) holds kernel pages: 8 busy candidates; the 8 in the
 * CMA area are busy too: -ENOMEM after 16 attempts, no drain.
 */
Test(contig, contig_pages_fails_on_cma_at_isolation)
{
	boot_hooked(CFG_D);
	make_cma(0);
	for (uint64_t p = 0; p < 64; p += 8)
		AT(p, 3, T_U);
	struct cmasim_contig_stats st = { 0 };
	uint64_t pfn;

	cr_assert_eq(cmasim_alloc_contig_pages(mem, 8, CMASIM_ZONE_NORMAL, &pfn, &st), -ENOMEM);
	CSTATS(st, 16, 16, 0, 0, 0, 0, 0);
	ZONE(0, C3_ALL);
}

/*
 * With no free page anywhere outside the range, CMA included, the target
 * cannot be had: -ENOMEM, and cma_alloc() stops at once (not busy).
 */
Test(contig, cma_no_destination_is_enomem)
{
	boot_hooked(CFG_D);
	make_cma(0);
	for (uint64_t p = 0; p < 64; p += 8)
		AT(p, 3, T_M);
	for (uint64_t p = 72; p < 128; p += 8)
		AT(p, 3, T_M);
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 64);
	cmasim_set_owner(mem, 64, CMASIM_OWNER_ANON, 7, 0);
	INV();
	ZONE(0, "C0:65 C1:66 C2:68");

	/* isolation leaves NR_FREE 0 <= min 1 on both passes: no_memory 1 */
	g_autofree char *before = snapshot();
	struct cmasim_contig_stats st = CMA_FAILS(8, 3, -ENOMEM);
	CSTATS(st, 1, 0, 0, 0, 0, 1, DRAIN_NS);
	NMOVES(0);
	USED(0);
	SAME(before);
}

/* ------------------------------------------------------------ randomized */

/*
 * 1024 pages, pageblocks of 16, blocks up to 32, a CMA area on [512, 768)
 * with a bit per 2 pages. Background allocations, frees, pins, CMA and
 * alloc_contig_pages requests in random order, checked against a model
 * that knows who holds every page: no page is ever handed out twice, every
 * move reports a block the test owns and lands outside isolated
 * pageblocks, and frees use the pfn the hook reported.
 */
static const char CFG_R[] =
	"memory:\n"
	"  size: 4MiB\n"
	"  max_page_order: 5\n"
	"  pageblock_order: 4\n"
	"  min_free_kbytes: 32\n" COSTS;

#define R_PAGES 1024
#define R_CMA_BASE 512
#define R_CMA_COUNT 256
#define R_COOKIE 1
#define R_MAX_BLOCKS 60000
#define R_MAX_RANGES 512

enum r_kind { R_ANON, R_FILE, R_KERNEL, R_SLAB };

struct r_block {
	bool live, pinned;
	enum r_kind kind;
	unsigned int order;
	uint64_t pfn;
};

struct r_range {
	uint64_t pfn, count;
	bool from_cma;
};

static struct r_model {
	int32_t owner[R_PAGES];		/* block index, -2 for a contig range, -1 free */
	struct r_block *blocks;
	uint32_t nblocks;
	struct r_range ranges[R_MAX_RANGES];
	unsigned int nranges;
	uint64_t moves, reclaims;
} r;

static void r_mark(uint64_t pfn, uint64_t count, int32_t who)
{
	cr_assert_leq(pfn + count, R_PAGES);
	for (uint64_t p = pfn; p < pfn + count; p++) {
		cr_assert_eq(r.owner[p], -1, "pfn %" PRIu64 " handed out to %d while held by %d",
			     p, who, r.owner[p]);
		r.owner[p] = who;
	}
}

static void r_unmark(uint64_t pfn, uint64_t count, int32_t who)
{
	for (uint64_t p = pfn; p < pfn + count; p++) {
		cr_assert_eq(r.owner[p], who, "pfn %" PRIu64 " held by %d, expected %d", p,
			     r.owner[p], who);
		r.owner[p] = -1;
	}
}

static void r_moved(void *arg, uint32_t cookie, uint32_t index, uint64_t new_pfn)
{
	(void)arg;
	cr_assert_eq(cookie, R_COOKIE);
	cr_assert_lt(index, r.nblocks, "move of unknown block %u", index);
	struct r_block *b = &r.blocks[index];
	uint64_t n = (uint64_t)1 << b->order;

	cr_assert(b->live, "move of dead block %u", index);
	cr_assert(!b->pinned, "pinned block %u moved", index);
	if (new_pfn == UINT64_MAX) {
		cr_assert_eq(b->kind, R_FILE, "block %u of kind %d reclaimed", index, b->kind);
		r_unmark(b->pfn, n, (int32_t)index);
		b->live = false;
		r.reclaims++;
		return;
	}
	cr_assert_eq(b->kind, R_ANON, "block %u of kind %d migrated", index, b->kind);
	cr_assert_eq(new_pfn & (n - 1), 0);
	/* a target may be CMA (ALLOC_CMA, Linux 6.1), never isolated */
	enum cmasim_migratetype mt = cmasim_get_pageblock_migratetype(mem, new_pfn);
	cr_assert(mt != T_I, "block %u moved into an isolated pageblock at %" PRIu64, index,
		  new_pfn);
	r_unmark(b->pfn, n, (int32_t)index);
	r_mark(new_pfn, n, (int32_t)index);
	b->pfn = new_pfn;
	r.moves++;
}

/* Every page the model says is held is allocated, and every other is free. */
static void r_check_model(void)
{
	uint64_t cma_used = 0;

	for (uint64_t p = 0; p < R_PAGES; p++)
		cr_assert_eq(!cmasim_range_free(mem, p, p + 1), r.owner[p] != -1,
			     "pfn %" PRIu64 ": model owner %d", p, r.owner[p]);
	for (unsigned int i = 0; i < r.nranges; i++)
		if (r.ranges[i].from_cma)
			cma_used += r.ranges[i].count;
	cr_assert_eq(cmasim_cma_used(cma), cma_used);
}

static void r_add_range(uint64_t pfn, uint64_t count, bool from_cma)
{
	cr_assert_lt(r.nranges, R_MAX_RANGES);
	r_mark(pfn, count, -2);
	r.ranges[r.nranges++] = (struct r_range){ pfn, count, from_cma };
}

static void r_run(uint32_t seed, unsigned int ops)
{
	g_autoptr(GRand) rnd = g_rand_new_with_seed(seed);
	GError *err = NULL;
	/* cma_busy: cma_alloc() calls that met a busy window, whatever came of them */
	uint64_t cma_ok = 0, cma_busy = 0, contig_ok = 0;

	memset(&r, 0, sizeof(r));
	for (int i = 0; i < R_PAGES; i++)
		r.owner[i] = -1;
	r.blocks = g_new0(struct r_block, R_MAX_BLOCKS);
	boot(CFG_R);
	cma = cmasim_cma_new(mem, "r", R_CMA_BASE, R_CMA_COUNT, 1, &err);
	cr_assert_not_null(cma);
	cmasim_mem_set_moved_hook(mem, r_moved, NULL);
	INV();

	for (unsigned int op = 0; op < ops; op++) {
		int what = g_rand_int_range(rnd, 0, 100);

		if (what < 45) {
			/* background allocation */
			unsigned int order = (unsigned int)g_rand_int_range(rnd, 0, 4);
			int m = g_rand_int_range(rnd, 0, 10);
			enum cmasim_migratetype mt = m < 7 ? T_M : m < 9 ? T_U : T_R;
			uint64_t pfn;

			if (r.nblocks >= R_MAX_BLOCKS)
				continue;
			if (cmasim_alloc_pages(mem, order, mt, CMASIM_ZONE_NORMAL, &pfn))
				continue;
			uint32_t id = r.nblocks++;
			struct r_block *b = &r.blocks[id];

			cr_assert_eq(pfn & (((uint64_t)1 << order) - 1), 0);
			*b = (struct r_block){ .live = true, .order = order, .pfn = pfn };
			r_mark(pfn, (uint64_t)1 << order, (int32_t)id);
			if (mt == T_M) {
				b->kind = g_rand_int_range(rnd, 0, 10) < 3 ? R_FILE : R_ANON;
				cmasim_set_owner(mem, pfn, b->kind == R_FILE ? CMASIM_OWNER_FILE :
						 CMASIM_OWNER_ANON, R_COOKIE, id);
			} else if (mt == T_U) {
				b->kind = R_KERNEL;
				cmasim_set_owner(mem, pfn, CMASIM_OWNER_KERNEL, R_COOKIE, id);
			} else {
				b->kind = R_SLAB;	/* default owner, NIL cookie */
			}
		} else if (what < 65) {
			/* free a random live block at the pfn the model holds */
			if (!r.nblocks)
				continue;
			uint32_t id = (uint32_t)g_rand_int_range(rnd, 0, (gint32)r.nblocks);
			uint32_t tries = 0;

			/* the next live block from a random place */
			while (!r.blocks[id].live && ++tries < r.nblocks)
				id = (id + 1) % r.nblocks;
			struct r_block *b = &r.blocks[id];

			if (!b->live)
				continue;
			r_unmark(b->pfn, (uint64_t)1 << b->order, (int32_t)id);
			if (b->pinned)
				cmasim_set_pinned(mem, b->pfn, false);
			cmasim_free_pages(mem, b->pfn);
			b->live = false;
		} else if (what < 78) {
			/* pin or unpin a movable block */
			if (!r.nblocks)
				continue;
			uint32_t id = (uint32_t)g_rand_int_range(rnd, 0, (gint32)r.nblocks);
			uint32_t tries = 0;

			/* the next live movable block from a random place */
			while ((!r.blocks[id].live || r.blocks[id].kind > R_FILE) &&
			       ++tries < r.nblocks)
				id = (id + 1) % r.nblocks;
			struct r_block *b = &r.blocks[id];

			if (!b->live || (b->kind != R_ANON && b->kind != R_FILE))
				continue;
			b->pinned = !b->pinned;
			cmasim_set_pinned(mem, b->pfn, b->pinned);
		} else if (what < 88) {
			/* cma_alloc of a random size and alignment */
			uint64_t count = (uint64_t)g_rand_int_range(rnd, 1, 33);
			unsigned int align = (unsigned int)g_rand_int_range(rnd, 0, 5);
			struct cmasim_contig_stats st = { 0 };
			uint64_t pfn = UINT64_MAX;
			int rc = cmasim_cma_alloc(cma, count, align, &pfn, &st);

			INV();
			if (rc == 0) {
				unsigned int a = align > 1 ? align : 1;	/* a bit is 2 pages */

				cr_assert(pfn >= R_CMA_BASE && pfn + count <= R_CMA_BASE + R_CMA_COUNT);
				cr_assert_eq(pfn & (((uint64_t)1 << a) - 1), 0);
				r_add_range(pfn, count, true);
				cma_ok++;
			} else {
				cr_assert(rc == -EBUSY || rc == -ENOMEM, "cma_alloc: %d", rc);
			}
			/*
			 * cma_alloc() tries the next window only after a busy one
			 * (mm/cma.c: "if (ret != -EBUSY) break;"): every attempt
			 * but the last was busy, and the last one too exactly when
			 * it gave up with -EBUSY. No attempt at all: no window.
			 */
			cr_assert_eq(st.busy, rc == -EBUSY ? st.attempts :
				     st.attempts ? st.attempts - 1 : 0,
				     "cma_alloc: %d after %" PRIu64 " attempts, %" PRIu64 " busy",
				     rc, st.attempts, st.busy);
			if (st.busy)
				cma_busy++;
			/* a drain per attempt that got past isolation, plus the migration */
			cr_assert_geq(st.cost_ns, st.migrate.cost_ns);
			cr_assert_eq((st.cost_ns - st.migrate.cost_ns) % DRAIN_NS, 0);
			cr_assert_leq(st.cost_ns, st.attempts * DRAIN_NS + st.migrate.cost_ns);
			/* and 5 x 10 failed attempts of 40 ns for each pinned page-cache page */
			uint64_t moved_ns = st.migrate.migrated * MIGRATE_NS + st.migrate.reclaimed * 500;
			cr_assert_geq(st.migrate.cost_ns, moved_ns);
			cr_assert_eq((st.migrate.cost_ns - moved_ns) % (50 * 40), 0);
			cr_assert_leq(st.migrate.cost_ns - moved_ns, st.migrate.busy_pinned * 50 * 40);
		} else if (what < 98) {
			/* give back a contiguous range */
			if (!r.nranges)
				continue;
			unsigned int i = (unsigned int)g_rand_int_range(rnd, 0, (gint32)r.nranges);
			struct r_range rg = r.ranges[i];

			r_unmark(rg.pfn, rg.count, -2);
			if (rg.from_cma)
				cmasim_cma_release(cma, rg.pfn, rg.count);
			else
				cmasim_free_contig_range(mem, rg.pfn, rg.count);
			r.ranges[i] = r.ranges[--r.nranges];
			INV();
		} else {
			/* alloc_contig_pages now and then */
			uint64_t count = (uint64_t)g_rand_int_range(rnd, 1, 17);
			struct cmasim_contig_stats st = { 0 };
			uint64_t pfn = UINT64_MAX;
			int rc = cmasim_alloc_contig_pages(mem, count, CMASIM_ZONE_NORMAL, &pfn, &st);

			INV();
			if (rc == 0) {
				/* steps of @count from ALIGN(0, count) = 0 */
				cr_assert_eq(pfn % count, 0);
				r_add_range(pfn, count, false);
				contig_ok++;
			} else {
				cr_assert_eq(rc, -ENOMEM);
			}
		}
		if (op % 16 == 0)
			INV();
		if (op % 64 == 0)
			r_check_model();
	}
	r_check_model();
	INV();
	/* the run must have exercised what it is about */
	cr_assert_gt(r.moves, 0, "seed %u: no migration happened", seed);
	cr_assert_gt(r.reclaims, 0, "seed %u: no reclaim happened", seed);
	cr_assert_gt(cma_ok, 0);
	/*
	 * Pinned blocks in the area make windows busy now and then; a request
	 * then moves on to the next window. (That every window is busy, so
	 * that cma_alloc() fails with -EBUSY, is left to the hand-worked
	 * tests: here a later window nearly always succeeds or finds no
	 * destination in the crowded rest of memory.)
	 */
	cr_assert_gt(cma_busy, 0, "seed %u: no busy window met", seed);
	cr_assert_gt(contig_ok, 0);

	/* free everything: all of memory is free again, CMA used 0 */
	for (uint32_t id = 0; id < r.nblocks; id++) {
		struct r_block *b = &r.blocks[id];

		if (!b->live)
			continue;
		r_unmark(b->pfn, (uint64_t)1 << b->order, (int32_t)id);
		cmasim_free_pages(mem, b->pfn);
		b->live = false;
	}
	while (r.nranges) {
		struct r_range rg = r.ranges[--r.nranges];

		r_unmark(rg.pfn, rg.count, -2);
		if (rg.from_cma)
			cmasim_cma_release(cma, rg.pfn, rg.count);
		else
			cmasim_free_contig_range(mem, rg.pfn, rg.count);
	}
	INV();
	r_check_model();
	cr_assert(cmasim_range_free(mem, 0, R_PAGES));
	cr_assert_eq(cmasim_cma_used(cma), 0);
	g_free(r.blocks);
	r.blocks = NULL;
}

Test(contig, random_ops_seed1) { r_run(1, 20000); }
Test(contig, random_ops_seed2) { r_run(2, 20000); }
Test(contig, random_ops_seed3) { r_run(0xc0ffee, 20000); }
#ifdef CMASIM_LONG_TESTS
/*
 * 300,000 operations mixing churn, pins and contiguous requests (suite
 * slow): fifteen times the seeds' runs, enough for the area to fill and
 * drain many times over, in half a minute.
 */
Test(contig, random_ops_long, .timeout = 900) { r_run(0x5eed, 300000); }
#endif

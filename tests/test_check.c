// SPDX-License-Identifier: GPL-2.0-only
/*
 * The invariant checkers find what they promise: each test breaks one
 * thing in the allocator's private state (sim/mm.h), as a faulty change
 * would, and expects the check of what changed and the full recount to
 * say what. The check of what changed sees only what the allocator noted
 * (mm_touch()), and the zone totals: a fault it cannot see, the full
 * recount finds.
 */
#include <criterion/criterion.h>

/* before fixture.h, whose machine is a global of the name mm.h's helpers take */
#include "mm.h"
#include "fixture.h"

/*
 * 4 MiB of Normal, 1024 pages in pageblocks of 256 (order 8): pfn 0..255
 * and 256..511 and so on; boot frees four order-8 blocks.
 */
static const char machine[] = "memory: { size: 4MiB, max_page_order: 8, pageblock_order: 8 }\n";

/* Both checks pass. */
static void expect_changes_pass(int line)
{
	g_autoptr(GString) why = g_string_new(NULL);

	cr_assert(cmasim_mem_check_changes(mem, why), "line %d: %s", line, why->str);
	cr_assert(cmasim_mem_check_invariants(mem, why), "line %d: %s", line, why->str);
}

static void setup(void)
{
	boot(machine);
	cmasim_mem_track_changes(mem);
	expect_changes_pass(__LINE__);
}

/* The check of what changed fails, saying @what. */
static void expect_changes_fail(const char *what)
{
	g_autoptr(GString) why = g_string_new(NULL);

	cr_assert_not(cmasim_mem_check_changes(mem, why));
	cr_expect_str_eq(why->str, what);
}

/* The full recount fails, saying @what. */
static void expect_full_fail(const char *what)
{
	g_autoptr(GString) why = g_string_new(NULL);

	cr_assert_not(cmasim_mem_check_invariants(mem, why));
	cr_expect_str_eq(why->str, what);
}

TestSuite(check, .init = setup, .fini = machine_teardown);

/* Allocating and freeing, the checks of what changed agree with a full recount. */
Test(check, changes_pass_while_the_allocator_works)
{
	uint64_t a = ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL);
	uint64_t b = ALLOC_Z(3, T_U, CMASIM_ZONE_NORMAL);

	expect_changes_pass(__LINE__);
	AT(600, 2, T_U);
	expect_changes_pass(__LINE__);
	FREE(a);
	expect_changes_pass(__LINE__);
	FREE(b);
	FREE(600);
	expect_changes_pass(__LINE__);
}

/*
 * A pageblock counter that drifted from the pages allocated in it: the
 * first allocation of order 0 takes pfn 0 (the last order-8 block is
 * split down), so its pageblock counts one movable page.
 */
Test(check, pageblock_counter_out_of_step)
{
	uint64_t a = ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL);

	mem->pageblocks[a >> 8].nr_alloc[CMASIM_MT_MOVABLE]++;
	mm_touch(mem, (uint32_t)a, 0);
	expect_changes_fail("pageblock at pfn 0: allocated pages by type 0/2/0, recount 0/1/0");
	expect_full_fail("pageblock at pfn 0: allocated pages by type 0/2/0, recount 0/1/0");
}

/* A free block whose list link was lost: its neighbour no longer leads back to it. */
Test(check, free_list_link_broken)
{
	uint64_t a = ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL);

	/*
	 * Boot put the order-8 blocks on the Movable list in address order
	 * (memblock frees to the tail); the allocation split the first, so
	 * 256, 512 and 768 are left on it, in that order.
	 */
	cr_assert_eq(a, 0);
	mem->frames[512].prev = NIL;
	mm_touch(mem, 512, 0);
	expect_changes_fail("pfn 512: the block before it on the Movable order-8 list does not "
			    "lead to it");
}

/*
 * The summary of non-empty free lists out of step with a list: the
 * allocator would pass over blocks it has. Boot left the four order-8
 * blocks on the Movable list, and nothing smaller.
 */
Test(check, free_list_summary_out_of_step)
{
	cr_assert_eq(mem->zones[0].free_orders[CMASIM_MT_MOVABLE], 1U << 8);
	mem->zones[0].free_orders[CMASIM_MT_MOVABLE] = 0;
	expect_changes_fail("zone Normal: the Movable order-8 list holds 4 blocks, the summary "
			    "of non-empty lists says none");
	expect_full_fail("zone Normal: the Movable order-8 list holds 4 blocks, the summary of "
			 "non-empty lists says none");
}

/* A zone counter that drifted, though no frame changed: the totals catch it at once. */
Test(check, zone_counter_out_of_step)
{
	mem->zones[0].nr_free--;
	expect_changes_fail("zone Normal: NR_FREE_PAGES 1023 (recount 1024, on the lists 1024), "
			    "NR_FREE_CMA_PAGES 0 (recount 0, on the lists 0)");
}

/*
 * A frame changed without the allocator noting it: the check of what
 * changed cannot see it, the full recount does.
 */
Test(check, unnoted_change_is_left_to_the_full_check)
{
	mem->frames[3].state = FRAME_FREE;
	mem->frames[3].order = 0;
	cr_assert(cmasim_mem_check_changes(mem, NULL));
	expect_full_fail("pfn 3 inside the order-8 block at pfn 0 is not a tail");
}

/*
 * A pageblock made Reserve without its free pages moved: its order-8
 * block is still on the Movable list, where a fallback could take it.
 */
Test(check, reserve_pageblock_with_free_pages_elsewhere)
{
	cmasim_set_pageblock_migratetype(mem, 256, CMASIM_MT_RESERVE);
	expect_changes_fail("pfn 256: free on the Movable list in a Reserve pageblock");
	expect_full_fail("pfn 256: free on the Movable list in a Reserve pageblock");
}

/* A Reserve pageblock under 6.1, which has no MIGRATE_RESERVE (its min sets aside none). */
Test(check, reserve_pageblock_the_profile_has_not)
{
	cmasim_set_pageblock_migratetype(mem, 256, CMASIM_MT_RESERVE);
	cr_assert_eq(cmasim_move_freepages_block(mem, 256, CMASIM_MT_RESERVE, NULL), 256);
	expect_changes_fail("zone Normal: 1 Reserve pageblocks, more than the 0 kernel 6.1 sets "
			    "aside");
	expect_full_fail("zone Normal: 1 Reserve pageblocks, more than the 0 kernel 6.1 sets aside");
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the migration suites share: a CMA area freed after each test, costs
 * small and distinct enough to read off a sum (buddy_op and page_zero huge,
 * so that charging them by mistake shows), and a moved hook that records
 * every (cookie, index, new pfn) migration reports, for the tests to
 * compare with the moves they worked out by hand; and a snapshot of every
 * zone, to show that a refused call changed nothing.
 */
#ifndef CMASIM_TESTS_MIGRATION_H
#define CMASIM_TESTS_MIGRATION_H

#include "cmasim/migrate.h"
#include "cmasim/contig.h"
#include "fixture.h"

static struct cmasim_cma *cma;

static void cma_teardown(void)
{
	cmasim_cma_free(cma);
	cma = NULL;
	machine_teardown();
}

#define COSTS                          \
	"costs:\n"                     \
	"  buddy_op: 100000ns\n"       \
	"  page_zero: 1000000ns\n"     \
	"  page_copy: 3ns\n"           \
	"  migrate_page: 40ns\n"       \
	"  reclaim_page: 500ns\n"      \
	"  lru_drain: 10000ns\n"

#define MIGRATE_NS 43	/* page_copy + migrate_page */

/*
 * 64 pages at pfn 0, one Normal zone; pageblock == largest block == 8
 * pages, so no pageblock splits. min_free_kbytes 4: pages_min 1, min =
 * low = high = 1. Boot: M3:0,8,...,56.
 */
static const char CFG_B[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 3\n"
	"  min_free_kbytes: 4\n" COSTS;

struct move {
	uint32_t cookie, index;
	uint64_t pfn;
};

static struct move moves[64];
static unsigned int nmoves;

static void record_move(void *arg, uint32_t cookie, uint32_t index, uint64_t new_pfn)
{
	(void)arg;
	cr_assert_lt(nmoves, G_N_ELEMENTS(moves));
	moves[nmoves++] = (struct move){ cookie, index, new_pfn };
}

static void boot_hooked(const char *yaml)
{
	boot(yaml);
	nmoves = 0;
	cmasim_mem_set_moved_hook(mem, record_move, NULL);
}

static void expect_move_at(unsigned int i, uint32_t cookie, uint32_t index, uint64_t pfn,
			   int line)
{
	cr_assert_gt(nmoves, i, "line %d: only %u moves reported", line, nmoves);
	cr_assert(moves[i].cookie == cookie && moves[i].index == index && moves[i].pfn == pfn,
		  "line %d: move %u was (%u, %u, %" PRIu64 "), expected (%u, %u, %" PRIu64 ")",
		  line, i, moves[i].cookie, moves[i].index, moves[i].pfn, cookie, index, pfn);
}

/*
 * Every zone's free lists, counts and pageblock types, to show that nothing
 * changed.
 */
static char *snapshot(void)
{
	GString *s = g_string_new(NULL);
	uint64_t pb = (uint64_t)1 << cfg->pageblock_order;

	for (unsigned int z = 0; z < cmasim_mem_nr_zones(mem); z++) {
		struct cmasim_zone_info info;

		describe_zone(mem, z, s);
		cmasim_mem_zone_info(mem, z, &info);
		g_string_append_printf(s, " | free %" PRIu64 " cma %" PRIu64 " | ", info.nr_free,
				       info.nr_free_cma);
		for (uint64_t p = info.start_pfn; p < info.end_pfn; p += pb)
			g_string_append_c(s, mt_letter(cmasim_get_pageblock_migratetype(mem, p)));
		g_string_append(s, " || ");
	}
	return g_string_free(s, FALSE);
}

#define SAME(before)                                                              \
	do {                                                                      \
		g_autofree char *now_ = snapshot();                               \
		cr_assert_str_eq(now_, (before), "state changed:\n  before: %s\n  after:  %s", \
				 (before), now_);                                 \
	} while (0)

/* Whether every page of [start, end) is allocated. */
static bool all_allocated(uint64_t start, uint64_t end)
{
	for (uint64_t p = start; p < end; p++)
		if (cmasim_range_free(mem, p, p + 1))
			return false;
	return true;
}

#define MOVE(i, cookie, index, pfn) expect_move_at((i), (cookie), (index), (pfn), __LINE__)
#define NMOVES(n) cr_assert_eq(nmoves, (n), "moves reported: %u, expected %u", nmoves, (n))

#endif

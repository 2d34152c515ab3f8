// SPDX-License-Identifier: GPL-2.0-only
/*
 * Initial states (sim/state.c): a hand-written state loaded into a small
 * machine, its free lists worked out by the buddy rules (mm/page_alloc.c:
 * __free_one_page(), 6.1: a freed block merges with its free buddy of the
 * same order, up to the largest order); reclaim of its page cache; the
 * allocs and frees of blocks known by their pfn; a replay that uses them;
 * and bad state files with their exact messages.
 *
 * The machine: 64 pages from pfn 0, max order 3, pageblock order 2, a
 * hole at pfn 4. Booted, its free blocks are 0-3 (order 2, the hole stops
 * the merge), 5 (order 0), 6-7 (order 1) and 8, 16, ..., 56 (order 3).
 */
#include <inttypes.h>

#include "fixture.h"
#include "scratch.h"
#include "cmasim/state.h"

TestSuite(state, .fini = machine_teardown);

static const char MACHINE[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 4\n"
	"  holes:\n"
	"    - { start: 0x4000, size: 4KiB }\n";

/*
 * Pageblocks 8-11 and 12-15 unmovable; anon at 8-9 (one order-1 block),
 * clean page cache at 12 and 13 (inactive) and 16 (active), slab at 24.
 */
static const char STATE[] =
	"cmasim-state 1\n"
	"# a comment\n"
	"frames 0 64\n"
	"pageblock 0x8 2 unmovable\n"
	"alloc 0x8 1 1 anon\n"
	"alloc 0xc 0 2 file\n"
	"alloc 0x10 0 1 file-active\n"
	"alloc 0x18 0 1 slab\n";

static char *dir;

/* Boots MACHINE with @state as its initial state; the state's handle, or NULL with @error. */
static struct cmasim_state *boot_state(const char *state, GError **error)
{
	g_autofree char *path = g_build_filename(dir, "s.state", NULL);
	g_autofree char *yaml = g_strdup_printf("%sinitial: \"%s\"\n", MACHINE, path);

	cr_assert(g_file_set_contents(path, state, -1, NULL));
	cfg = load_config(yaml);
	mem = cmasim_mem_new(cfg);
	return cmasim_state_load(mem, error);
}

static void setup(void)
{
	dir = scratch_new("cmasim-state-XXXXXX");
}

static void teardown(void)
{
	machine_teardown();
	scratch_remove_path(dir);
	g_free(dir);
}

Test(state, loads, .init = setup, .fini = teardown)
{
	g_autoptr(GError) error = NULL;
	struct cmasim_state *st = boot_state(STATE, &error);

	cr_assert_not_null(st, "%s", error ? error->message : "");
	/*
	 * 8-11 unmovable: 10-11 free (order 1); 12-15 unmovable: 14-15; 17,
	 * 18-19, 20-23 and 25, 26-27, 28-31 around 16 and 24; 32-63 whole.
	 */
	ZONE(0, "M2~0,20,28 M0~5,17,25 M1~6,18,26 U1~10,14 M3~32,40,48,56");
	cr_expect_eq(cmasim_state_pages(st), 6);
	/* movable pages in the two unmovable blocks; slab (unmovable) in movable 24-27 */
	cr_expect_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, CMASIM_MT_UNMOVABLE), 2);
	cr_expect_eq(cmasim_zone_nr_mixed_pageblocks(mem, 0, CMASIM_MT_MOVABLE), 1);
	cmasim_state_free(st);
}

/* Inactive page cache goes first, then active; anon and slab never. */
Test(state, reclaim, .init = setup, .fini = teardown)
{
	struct cmasim_state *st = boot_state(STATE, NULL);

	cr_assert_not_null(st);
	cr_expect_eq(cmasim_state_reclaim(st, mem, 1), 1);
	ZONE(0, "M2~0,20,28 M0~5,17,25 M1~6,18,26 U1~10,14 M3~32,40,48,56 U0~12");
	cr_expect_eq(cmasim_state_reclaim(st, mem, UINT64_MAX), 2);
	/* 12-15 whole again, 16-23 too */
	ZONE(0, "M2~0,28 M0~5,25 M1~6,26 U1~10 U2~12 M3~16,32,40,48,56");
	cr_expect_eq(cmasim_state_reclaim(st, mem, UINT64_MAX), 0);
	cmasim_state_free(st);
}

/* A block migration took (or dropped) is no longer the LRU entry's to reclaim. */
Test(state, reclaim_after_a_move, .init = setup, .fini = teardown)
{
	struct cmasim_state *st = boot_state(STATE, NULL);

	cr_assert_not_null(st);
	cmasim_state_moved(st, 0, UINT64_MAX);
	cr_expect_eq(cmasim_state_reclaim(st, mem, 1), 1);
	/* 13 went, 12 stays */
	ZONE(0, "M2~0,20,28 M0~5,17,25 M1~6,18,26 U1~10,14 M3~32,40,48,56 U0~13");
	cmasim_state_free(st);
}

Test(state, frees_by_pfn, .init = setup, .fini = teardown)
{
	struct cmasim_state *st = boot_state(STATE, NULL);
	uint64_t mismatched = 0;

	cr_assert_not_null(st);
	/* split_page() of 8-9, then 8 alone goes */
	cr_expect_eq(cmasim_pfn_free(mem, 8, 0, &mismatched), 1);
	cr_expect_eq(mismatched, 0);
	INV();
	cr_expect_eq(cmasim_pfn_free(mem, 9, 0, &mismatched), 1);
	/* 8-9 with 10-11 into 8-11; 12-13 still hold page cache */
	ZONE(0, "M2~0,20,28 M0~5,17,25 M1~6,18,26 U2~8 U1~14 M3~32,40,48,56");
	/* both free already */
	cr_expect_eq(cmasim_pfn_free(mem, 8, 1, &mismatched), 0);
	cr_expect_eq(mismatched, 2);
	/* 24 is slab, 25-27 free */
	cr_expect_eq(cmasim_pfn_free(mem, 24, 2, &mismatched), 1);
	cr_expect_eq(mismatched, 5);
	INV();
	cmasim_state_free(st);
}

Test(state, allocs_by_pfn, .init = setup, .fini = teardown)
{
	struct cmasim_state *st = boot_state(STATE, NULL);
	uint64_t mismatched = 0;

	cr_assert_not_null(st);
	/* the state's page cache at 16 is taken over: the trace knows the page was free */
	cr_expect_eq(cmasim_pfn_alloc(mem, 16, 0, CMASIM_MT_MOVABLE, CMASIM_OWNER_ANON,
				      &mismatched), 0);
	cr_expect_eq(mismatched, 1);
	/* free pages: nothing mismatched */
	cr_expect_eq(cmasim_pfn_alloc(mem, 40, 1, CMASIM_MT_MOVABLE, CMASIM_OWNER_ANON,
				      &mismatched), 0);
	cr_expect_eq(mismatched, 1);
	/* a trace id's block and a hole stay */
	at_ok(32, 0, CMASIM_MT_MOVABLE, __LINE__);
	cmasim_set_owner(mem, 32, CMASIM_OWNER_ANON, 7, 0);
	cr_expect_eq(cmasim_pfn_alloc(mem, 32, 0, CMASIM_MT_MOVABLE, CMASIM_OWNER_ANON,
				      &mismatched), -EBUSY);
	cr_expect_eq(cmasim_pfn_alloc(mem, 4, 0, CMASIM_MT_MOVABLE, CMASIM_OWNER_ANON,
				      &mismatched), -EBUSY);
	cr_expect_eq(mismatched, 1);
	/* 40-41 and 32 taken; 16 again allocated */
	ZONE(0, "M2~0,20,28,36,44 M0~5,17,25,33 M1~6,18,26,34,42 U1~10,14 M3~48,56");
	cmasim_state_free(st);
}

/*
 * Aligned ranges of 4 pages migration alone could empty: 0-3 (free), 8-11
 * (anon), 12-15 (page cache), 16-19, 20-23, 28-31 and 32-63's eight: 14 of
 * 16; 4-7 holds the hole, 24-27 the slab page.
 */
Test(state, clearable_ranges, .init = setup, .fini = teardown)
{
	struct cmasim_state *st = boot_state(STATE, NULL);
	uint64_t all;

	cr_assert_not_null(st);
	cr_expect_eq(cmasim_mem_clearable_ranges(mem, 0, 2, &all), 14);
	cr_expect_eq(all, 16);
	cmasim_set_pinned(mem, 8, true);
	cr_expect_eq(cmasim_mem_clearable_ranges(mem, 0, 2, &all), 13);
	/* an unmovable page comes from unmovable 10-11 or 14-15, 12-15 or 8-11 no longer clears */
	alloc_ok(0, CMASIM_MT_UNMOVABLE, CMASIM_ZONE_NORMAL, __LINE__);
	cr_expect_eq(cmasim_mem_clearable_ranges(mem, 0, 2, &all), 12);
	/* 8-page ranges: 0-7 (hole), 8-15 (pinned, unmovable), 16-23, 24-31 (slab), 4 free */
	cr_expect_eq(cmasim_mem_clearable_ranges(mem, 0, 3, &all), 5);
	cr_expect_eq(all, 8);
	cmasim_state_free(st);
}

/*
 * A replay from the state: free 8 (split from 8-9); alloc 32 (free); free
 * 34-35 (free already: 2 mismatched); alloc 24 over the state's slab (1
 * mismatched); drop_caches takes 12, 13 and 16.
 */
Test(state, replay, .init = setup, .fini = teardown)
{
	g_autofree char *path = g_build_filename(dir, "s.state", NULL);
	g_autofree char *yaml = g_strdup_printf("%sinitial: \"%s\"\n", MACHINE, path);
	static const char workload[] =
		"name: w\n"
		"events:\n"
		"  - { t: 0, op: free, pfn: 0x8 }\n"
		"  - { t: 1ms, op: alloc, migratetype: movable, order: 0, pfn: 0x20 }\n"
		"  - { t: 2ms, op: free, pfn: 0x22, order: 1 }\n"
		"  - { t: 3ms, op: alloc, migratetype: unmovable, order: 0, pfn: 0x18 }\n"
		"  - { t: 4ms, op: drop_caches }\n";
	struct cmasim_results *r;

	cr_assert(g_file_set_contents(path, STATE, -1, NULL));
	r = replay_kernel(yaml, workload, "buddy", NULL, "6.1", NULL);
	cr_expect_eq(r->bg_free_pages, 1);
	cr_expect_eq(r->bg_alloc_pages, 2);
	cr_expect_eq(r->pfn_mismatched_pages, 3);
	cr_expect_eq(r->reclaimed_pages, 3);
	/*
	 * 63 pages of RAM less the page table the linear map takes at boot,
	 * as on the machine without a state; 6 of them the state's at the start
	 */
	cr_expect_eq(r->managed_bytes, 62 * 4096, "%" PRIu64, r->managed_bytes);
	cr_expect_eq(r->free_bytes_min, (62 - 6) * 4096, "%" PRIu64, r->free_bytes_min);
	cmasim_results_free(r);
}

/* The machine's SHA-256 covers the state, so that a result says which it started from. */
Test(state, sha256_covers_the_state, .init = setup, .fini = teardown)
{
	g_autofree char *path = g_build_filename(dir, "s.state", NULL);
	g_autofree char *yaml = g_strdup_printf("%sinitial: \"%s\"\n", MACHINE, path);
	g_autofree char *first = NULL;

	cr_assert(g_file_set_contents(path, STATE, -1, NULL));
	cfg = load_config(yaml);
	first = g_strdup(cfg->sha256);
	cmasim_config_free(cfg);
	cr_assert(g_file_set_contents(path, "cmasim-state 1\nframes 0 64\n", -1, NULL));
	cfg = load_config(yaml);
	cr_expect_str_neq(cfg->sha256, first);
}

Test(state, missing_file, .init = setup, .fini = teardown)
{
	g_autofree char *yaml = g_strdup_printf("%sinitial: \"%s/none\"\n", MACHINE, dir);
	g_autoptr(GError) error = NULL;
	g_autofree char *want = g_strdup_printf("m.yaml:8:10: initial state %s/none is not a file "
						"(expected a file cmasim import wrote)", dir);

	cr_expect_null(cmasim_config_load_data("m.yaml", yaml, strlen(yaml), &error));
	cr_assert_not_null(error);
	cr_expect_eq(error->code, CMASIM_ERROR_IO);
	cr_expect_str_eq(error->message, want);
}

static const struct {
	const char *state;
	const char *message;	/* after "DIR/s.state:" */
} bad_states[] = {
	{ "cmasim-state 2\n", "1:1: expected \"cmasim-state 1\" first" },
	{ "", "1:1: expected \"cmasim-state 1\" and a frames line" },
	{ "cmasim-state 1\nalloc 0 0 1 anon\n", "2:1: expected a frames line second" },
	{ "cmasim-state 1\nframes 0 32\n", "2:1: frames 0 32 (expected the machine's, 0 64: a "
	  "state of another machine)" },
	{ "cmasim-state 1\nframes 0 64\nalloc 0x8 0 1 anon\npageblock 0x8 1 unmovable\n",
	  "4:1: a pageblock line after an alloc line (expected the pageblocks' types first)" },
	{ "cmasim-state 1\nframes 0 64\npageblock 0x9 1 unmovable\n",
	  "3:11: pageblocks 0x9 + 1 are not whole pageblocks of the machine's RAM" },
	{ "cmasim-state 1\nframes 0 64\npageblock 0x8 1 sideways\n",
	  "3:17: expected a type, unmovable or reclaimable" },
	{ "cmasim-state 1\nframes 0 64\npageblock 0x8 1 unmovable\npageblock 0x8 1 unmovable\n",
	  "4:11: pageblock 0x8 is not after the previous line's (expected ascending pfns)" },
	{ "cmasim-state 1\nframes 0 64\nalloc 0x8 0 1 cat\n",
	  "3:15: expected a kind: anon, file, file-active, slab, pagetable or kernel" },
	{ "cmasim-state 1\nframes 0 64\nalloc 0x8 4 1 anon\n",
	  "3:11: order 4 (expected at most the machine's 3)" },
	{ "cmasim-state 1\nframes 0 64\nalloc 0x3f 0 2 anon\n",
	  "3:14: 2 blocks of order 0 at 0x3f are not inside the machine's RAM" },
	{ "cmasim-state 1\nframes 0 64\nalloc 0x9 0 1 anon\nalloc 0x8 0 1 anon\n",
	  "4:7: pfn 0x8 is not past the previous line's blocks (expected ascending pfns)" },
	{ "cmasim-state 1\nframes 0 64\nalloc 0x9 1 1 anon\n",
	  "3:7: the block of order 1 at 0x9 is not aligned to its order, or not in one zone" },
	{ "cmasim-state 1\nframes 0 64\nalloc 0x4 0 1 anon\n",
	  "3:7: the block of order 0 at 0x4 holds a hole or a reserved page (expected free RAM)" },
	{ "cmasim-state 1\nframes 0 64\nalloc 0x8 0 1 anon x\n", "3:20: more than the record takes" },
	{ "cmasim-state 1\nframes 0 64\nalloc 0xz 0 1 anon\n",
	  "3:7: the pfn \"0xz\" is not a hex number" },
	{ "cmasim-state 1\nframes 0 64\nalloc 0x8 0\n", "3:12: the blocks is missing" },
	{ "cmasim-state 1\nframes 0 64\nfree 0x8\n",
	  "3:1: unknown record \"free\" (expected pageblock or alloc)" },
};

Test(state, bad_states, .init = setup, .fini = teardown)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_states); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *want = g_strdup_printf("%s/s.state:%s", dir, bad_states[i].message);

		cr_expect_null(boot_state(bad_states[i].state, &error), "case %zu", i);
		cr_assert_not_null(error, "case %zu: no error", i);
		cr_expect_str_eq(error->message, want, "case %zu:\n got  %s\n want %s", i,
				 error->message, want);
		machine_teardown();
	}
}

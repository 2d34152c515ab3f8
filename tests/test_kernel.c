// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel-version profiles: each rule of include/cmasim/kernel.h against a
 * hand-worked case under the profile that has it and one that does not.
 * The expected values come from the kernel functions named beside each
 * case, in the versions named; zone descriptions are explained in helpers.h.
 */
#include "cmasim/contig.h"
#include "cmasim/kernel.h"

#include "fixture.h"

static struct cmasim_cma *cma;

static void teardown(void)
{
	cmasim_cma_free(cma);
	cma = NULL;
	machine_teardown();
}

TestSuite(kernel, .fini = teardown);

#define GiB (UINT64_C(1) << 30)
#define MiB (UINT64_C(1) << 20)

/* Boots @yaml under the profile @name. */
static void boot_as(const char *yaml, const char *name)
{
	const struct cmasim_kernel *k = cmasim_kernel_find(name);
	GError *err = NULL;

	cr_assert_not_null(k, "no profile %s", name);
	cfg = load_config(yaml);
	cr_assert(cmasim_config_set_kernel(cfg, k, &err), "%s", err ? err->message : "");
	mem = cmasim_mem_new(cfg);
	INV();
}

/* 64 pages, one Normal zone; pageblock == largest block == 8 pages; min = low = high = 1. */
static const char CFG_64[] =
	"memory: { size: 256KiB, max_page_order: 3, pageblock_order: 3, min_free_kbytes: 4 }\n";

/* As CFG_64 with 128 pages, for a CMA area on [64, 128). */
static const char CFG_128[] =
	"memory: { size: 512KiB, max_page_order: 3, pageblock_order: 3, min_free_kbytes: 4 }\n";

/*
 * Hands 3.5's MIGRATE_RESERVE back: with min 1 page, pageblock 0 of
 * CFG_64 and CFG_128 is its one reserve block (setup_zone_migrate_reserve(),
 * 3.5), which a case about fallbacks wants MOVABLE like the others.
 */
static void no_reserve(void)
{
	if (cfg->kernel->migrate_reserve)
		RETYPE(0, T_M, 8);
}

/* Allocates [@from, @to) as MOVABLE blocks of order 3. */
static void fill_o3(uint64_t from, uint64_t to)
{
	for (uint64_t p = from; p < to; p += 8)
		AT(p, 3, T_M);
}

static void make_cma(void)
{
	GError *err = NULL;

	cma = cmasim_cma_new(mem, "r", 64, 64, 0, &err);
	cr_assert_not_null(cma, "%s", err ? err->message : "");
	INV();
}

Test(kernel, profiles_and_the_default)
{
	cr_assert_str_eq(cmasim_kernel_default()->name, "6.1");
	cr_assert_str_eq(cmasim_kernel_nth(0)->name, "3.5");
	cr_assert_str_eq(cmasim_kernel_nth(1)->name, "5.10");
	cr_assert_str_eq(cmasim_kernel_nth(2)->name, "6.1");
	cr_assert_str_eq(cmasim_kernel_nth(3)->name, "6.10");
	cr_assert_null(cmasim_kernel_nth(4));
	cr_assert_null(cmasim_kernel_find("4.19"));
	for (unsigned int i = 0; cmasim_kernel_nth(i); i++)
		cr_assert_eq(cmasim_kernel_find(cmasim_kernel_nth(i)->name), cmasim_kernel_nth(i));

	cfg = load_config(CFG_64);
	cr_assert_eq(cfg->kernel, cmasim_kernel_default());
	cmasim_config_free(cfg);
	cfg = load_config("kernel: \"5.10\"\n" "memory: { size: 4MiB }\n");
	cr_assert_str_eq(cfg->kernel->name, "5.10");
}

/*
 * mm/cma.c: cma_declare_contiguous_nid() (5.10 era, still in 6.1): where
 * RAM ends at least 4 GiB + the size, an area that is not fixed is first
 * placed bottom-up from 4 GiB; 3.5 placed it top-down. 8 GiB: DMA32 below
 * 4 GiB, Normal above; the fixed 16 MiB at 4 GiB comes first, so the
 * 64 MiB area goes bottom-up right after it, at 4 GiB + 16 MiB, and
 * top-down at 8 GiB - 64 MiB.
 */
Test(kernel, cma_areas_bottom_up_above_4g)
{
	static const char yaml[] =
		"memory: { size: 8GiB, pageblock_order: 9,\n"
		"          zones: [ { type: DMA32, size: 4GiB }, { type: Normal, size: 4GiB } ] }\n"
		"devices: [ { name: d, dma_bits: 64 } ]\n"
		"cma: [ { name: fixed, size: 16MiB, base: 0x100000000, devices: [d] },\n"
		"       { size: 64MiB } ]\n";
	GError *err = NULL;

	cfg = load_config(yaml);
	cr_assert_eq(cfg->cma[0].base, 4 * GiB);
	cr_assert_eq(cfg->cma[1].base, 4 * GiB + 16 * MiB);
	cr_assert(cmasim_config_set_kernel(cfg, cmasim_kernel_find("3.5"), &err));
	cr_assert_eq(cfg->cma[0].base, 4 * GiB, "a fixed area stays");
	cr_assert_eq(cfg->cma[1].base, 8 * GiB - 64 * MiB);
	cr_assert(cmasim_config_set_kernel(cfg, cmasim_kernel_find("5.10"), &err));
	cr_assert_eq(cfg->cma[1].base, 4 * GiB + 16 * MiB);
	cmasim_config_free(cfg);

	/* the key does the same at load */
	g_autofree char *old = g_strconcat("kernel: \"3.5\"\n", yaml, NULL);
	cfg = load_config(old);
	cr_assert_eq(cfg->cma[1].base, 8 * GiB - 64 * MiB);
}

/*
 * mm/page_alloc.c: __setup_per_zone_wmarks(). 1 GiB, one zone of 262144
 * pages, min_free_kbytes 1024: min 256 pages. 6.1 (watermark_scale_factor
 * 10, since 4.6): step max(256 / 4, 262144 x 10 / 10000) = 262: low 518,
 * high 780. 3.5: low = min + 256 / 4 = 320, high = min + 256 / 2 = 384.
 */
Test(kernel, watermark_steps)
{
	static const char yaml[] = "memory: { size: 1GiB, min_free_kbytes: 1024 }\n";
	struct cmasim_zone_info zi;

	boot_as(yaml, "6.1");
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert(zi.wmark_min == 256 && zi.wmark_low == 518 && zi.wmark_high == 780,
		  "%" PRIu64 "/%" PRIu64 "/%" PRIu64, zi.wmark_min, zi.wmark_low, zi.wmark_high);
	machine_teardown();
	boot_as(yaml, "3.5");
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert(zi.wmark_min == 256 && zi.wmark_low == 320 && zi.wmark_high == 384,
		  "%" PRIu64 "/%" PRIu64 "/%" PRIu64, zi.wmark_min, zi.wmark_low, zi.wmark_high);
}

/*
 * init_per_zone_wmark_min(): min_free_kbytes = int_sqrt(lowmem KiB x 16),
 * clamped to 65536 in 3.5 and 262144 later. 1 TiB of 64 KiB pages:
 * sqrt(2^30 KiB x 16) = 131072 KiB, so min = 131072 / 64 = 2048 pages in
 * 6.1 and 65536 / 64 = 1024 in 3.5.
 */
Test(kernel, min_free_kbytes_clamp)
{
	static const char yaml[] =
		"memory: { size: 1TiB, page_size: 64KiB, max_page_order: 15, pageblock_order: 15 }\n";
	struct cmasim_zone_info zi;

	boot_as(yaml, "6.1");
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.wmark_min, 2048);
	machine_teardown();
	boot_as(yaml, "3.5");
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.wmark_min, 1024);
}

/*
 * __zone_watermark_ok(): since 3.7 a request without ALLOC_CMA leaves free
 * CMA out. [0,64) allocated but pfn 0, CMA [64,128) free: 65 free, 64 of
 * them CMA. An UNMOVABLE order-0 request at low 1: 6.1 counts 65 - 64 =
 * 1 <= 1 and fails; 3.5 counts 65 > 1, finds nothing on its own list nor
 * in fallbacks[UNMOVABLE] = RECLAIMABLE, MOVABLE, and takes 0 from
 * pageblock 0, its MIGRATE_RESERVE (__rmqueue()'s retry_reserve).
 */
Test(kernel, watermark_leaves_free_cma_out)
{
	boot_as(CFG_128, "6.1");
	make_cma();
	AT(1, 0, T_M);
	AT(2, 1, T_M);
	AT(4, 2, T_M);
	fill_o3(8, 64);
	ZONE(0, "M0:0 C3:64,72,80,88,96,104,112,120");
	cr_assert_not(cmasim_zone_watermark_ok(mem, 0, 0, CMASIM_WMARK_LOW, CMASIM_ZONE_NORMAL, T_U));
	uint64_t pfn;
	cr_assert_eq(cmasim_alloc_pages(mem, 0, T_U, CMASIM_ZONE_NORMAL, &pfn), -ENOMEM);
	teardown();

	boot_as(CFG_128, "3.5");
	make_cma();
	AT(1, 0, T_M);
	AT(2, 1, T_M);
	AT(4, 2, T_M);
	fill_o3(8, 64);
	cr_assert(cmasim_zone_watermark_ok(mem, 0, 0, CMASIM_WMARK_LOW, CMASIM_ZONE_NORMAL, T_U));
	cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL), 0);
}

/*
 * __rmqueue(): the half rule came in 5.7 (commit 16867664936e). [0,56)
 * allocated, M3:56 and the whole CMA area free: 72 free, 64 CMA > 36. A
 * MOVABLE order-0 request takes CMA first in 5.10 and 6.1 (C3:64 split),
 * its own M3:56 in 3.5.
 */
Test(kernel, cma_half_rule)
{
	static const char *const names[] = { "3.5", "5.10", "6.1" };
	static const uint64_t want[] = { 56, 64, 64 };

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		boot_as(CFG_128, names[i]);
		make_cma();
		fill_o3(0, 56);
		cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), want[i], "kernel %s", names[i]);
		teardown();
	}
}

/*
 * 3.5's fallbacks[MOVABLE] = { CMA, RECLAIMABLE, UNMOVABLE, RESERVE },
 * searched from the largest order down (__rmqueue_fallback()); since 4.1
 * a movable request tries CMA's lists, smallest first, right after its own
 * (__rmqueue_cma_fallback()). Free: a whole Reclaimable pageblock at 48
 * and one CMA page at 65 (1 > 9 / 2 is false: no half rule). 6.1 takes
 * 65. 3.5 meets RECLAIMABLE's order-3 block before CMA's order-0 one,
 * claims it (order 3 >= pageblock_order / 2; 8 free >= 4) and takes 48.
 */
Test(kernel, cma_in_movable_fallbacks)
{
	static const char *const names[] = { "6.1", "3.5" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		boot_as(CFG_128, names[i]);
		make_cma();
		fill_o3(0, 48);
		RETYPE(48, T_R, 8);
		fill_o3(56, 64);
		AT(64, 0, T_M);
		AT(66, 1, T_M);
		AT(68, 2, T_M);
		fill_o3(72, 128);
		ZONE(0, "R3:48 C0:65");
		if (i == 0) {
			cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 65);
			ZONE(0, "R3:48");
			PBS(48, "R");
		} else {
			cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 48);
			ZONE(0, "M0:49 M1:50 M2:52 C0:65");
			PBS(48, "M");
		}
		teardown();
	}
}

/*
 * 3.5, with CMA's order-3 block the largest: it is taken whole, its type
 * kept, the remainder on the CMA lists (expand() with MIGRATE_CMA).
 * [0,64) allocated but for the Reclaimable page at 0 (order 0).
 */
Test(kernel, cma_fallback_keeps_cma_type)
{
	boot_as(CFG_128, "3.5");
	make_cma();
	RETYPE(0, T_R, 8);
	AT(1, 0, T_M);
	AT(2, 1, T_M);
	AT(4, 2, T_M);
	fill_o3(8, 64);
	/* 64 CMA of 65 free: no half rule in 3.5 */
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 64);
	ZONE(0, "R0:0 C0:65 C1:66 C2:68 C3:72,80,88,96,104,112,120");
	PBS(64, "C");
}

/*
 * can_steal_fallback(): since 4.0 an UNMOVABLE fallback claims the whole
 * pageblock at any order; 3.5 only at pageblock_order / 2 (1 here) or
 * above, or for RECLAIMABLE. Pageblock 0 holds 0, 2, 4, 6 and has the odd
 * pages free (freed in turn, each to the M0 head: 7, 5, 3, 1). An
 * UNMOVABLE order-0 request: 6.1 moves all four to the U0 tail in pfn
 * order (4 free >= 4: claimed) and takes 1; 3.5 steals the M0 head 7 alone.
 */
Test(kernel, unmovable_claims_the_block)
{
	static const char *const names[] = { "6.1", "3.5" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		boot_as(CFG_64, names[i]);
		no_reserve();
		for (uint64_t p = 0; p < 8; p++)
			AT(p, 0, T_M);
		fill_o3(8, 64);
		for (uint64_t p = 1; p < 8; p += 2)
			FREE(p);
		ZONE(0, "M0:7,5,3,1");
		if (i == 0) {
			cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL), 1);
			ZONE(0, "U0:3,5,7");
			PBS(0, "U");
		} else {
			cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL), 7);
			ZONE(0, "M0:5,3,1");
			PBS(0, "M");
		}
		machine_teardown();
	}
}

/*
 * steal_suitable_fallback(): since 4.12 allocated pages of a compatible
 * type count towards the half a claim needs. Pageblock 0: UNMOVABLE 0-1
 * and 2, MOVABLE 3 and 4, free 5 (o0) and 6-7 (o1). An UNMOVABLE request
 * finds M1:6 (order 1 >= 3 / 2: both profiles move the free pages): free 3
 * + alike 8 - 3 - 2 = 3 >= 4 claims it in 6.1; 3 < 4 does not in 3.5.
 * Either way U0:5 is taken.
 */
Test(kernel, claim_counts_alike_pages)
{
	static const char *const names[] = { "6.1", "3.5" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		boot_as(CFG_64, names[i]);
		no_reserve();
		AT(0, 1, T_U);
		AT(2, 0, T_U);
		AT(3, 0, T_M);
		AT(4, 0, T_M);
		fill_o3(8, 64);
		ZONE(0, "M0:5 M1:6");
		cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL), 5);
		ZONE(0, "U1:6");
		PBS(0, i == 0 ? "U" : "M");
		machine_teardown();
	}
}

/*
 * __rmqueue_fallback(): since 4.13 a MOVABLE request that cannot claim
 * the block takes the smallest fallback block ("find_smallest"); 3.5 took
 * the largest. Pageblocks of 16 (claims from order 2): Unmovable
 * pageblock 0 has 1 (o0) and 2-3 (o1) free. MOVABLE order 0 finds U1:2
 * first, which cannot be claimed: 6.1 takes U0:1 instead, 3.5 splits 2.
 */
Test(kernel, fallback_takes_the_smallest)
{
	static const char yaml[] =
		"memory: { size: 256KiB, max_page_order: 4, pageblock_order: 4, min_free_kbytes: 4 }\n";
	static const char *const names[] = { "6.1", "3.5" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		boot_as(yaml, names[i]);
		RETYPE(0, T_U, 16);
		AT(0, 0, T_U);
		AT(4, 2, T_U);
		AT(8, 3, T_U);
		for (uint64_t p = 16; p < 64; p += 16)
			AT(p, 4, T_M);
		ZONE(0, "U0:1 U1:2");
		if (i == 0) {
			cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 1);
			ZONE(0, "U1:2");
		} else {
			cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 2);
			ZONE(0, "U0:1 M0:3");
		}
		PBS(0, "U");
		machine_teardown();
	}
}

/*
 * alloc_contig_range() before 5.19 isolated pfn_max_align_down(start) to
 * pfn_max_align_up(end): whole MAX_ORDER_NR_PAGES blocks (8 pages here,
 * pageblocks of 4), so has_unmovable_pages() saw the unmovable page at 0
 * when [4,8) was asked for: -EBUSY at once. 6.1 isolates pageblock 4 only.
 */
Test(kernel, isolation_of_max_order_blocks)
{
	static const char yaml[] =
		"memory: { size: 256KiB, max_page_order: 3, pageblock_order: 2, min_free_kbytes: 4 }\n";
	struct cmasim_contig_stats st = { 0 };

	boot_as(yaml, "5.10");
	AT(0, 0, T_U);
	cr_assert_eq(cmasim_alloc_contig_range(mem, 4, 8, T_M, &st), -EBUSY);
	cr_assert(st.attempts == 1 && st.busy == 1 && st.cost_ns == 0);
	INV();
	machine_teardown();

	st = (struct cmasim_contig_stats){ 0 };
	boot_as(yaml, "6.1");
	AT(0, 0, T_U);
	cr_assert_eq(cmasim_alloc_contig_range(mem, 4, 8, T_M, &st), 0);
	cr_assert(st.attempts == 1 && st.busy == 0);
	INV();
	machine_teardown();

	/*
	 * 5.10 with pageblock 0 Reclaimable and free: both pageblocks are
	 * isolated, [4,8) is taken, and undoing gives pageblock 0 its own
	 * type back (R2:0), not the range's.
	 */
	boot_as(yaml, "5.10");
	RETYPE(0, T_R, 4);
	ZONE(0, "R2:0 M2:4 M3:8,16,24,32,40,48,56");
	cr_assert_eq(cmasim_alloc_contig_range(mem, 4, 8, T_M, &st), 0);
	ZONE(0, "R2:0 M3:8,16,24,32,40,48,56");
	PBS(0, "RM");
}

/* The run options' kernel overrides the machine's, and the results name it. */
Test(kernel, run_option_overrides_the_machine)
{
	static const char workload[] =
		"name: w\nevents:\n  - { t: 0, op: alloc, migratetype: movable, order: 0, id: a }\n";
	struct cmasim_run_options opts = {
		.policy = cmasim_policy_find("buddy"),
		.seed = 1,
		.kernel = cmasim_kernel_find("3.5"),
	};
	GError *err = NULL;
	struct cmasim_results *r = try_replay(CFG_64, workload, &opts, NULL, &err);

	cr_assert_not_null(r, "%s", err ? err->message : "");
	cr_assert_str_eq(r->kernel, "3.5");
	cmasim_results_free(r);
	opts.kernel = NULL;
	r = try_replay("kernel: \"5.10\"\n" "memory: { size: 256KiB, max_page_order: 3 }\n",
		       workload, &opts, NULL, &err);
	cr_assert_not_null(r, "%s", err ? err->message : "");
	cr_assert_str_eq(r->kernel, "5.10");
	cmasim_results_free(r);
}

/*
 * mm/gup.c: check_and_migrate_movable_pages(). 6.1 (since 5.13) moves a
 * page out of ZONE_MOVABLE before a long-term pin, to a target asked with
 * GFP_USER | __GFP_HIGHMEM and no __GFP_MOVABLE (PF_MEMALLOC_PIN): an
 * UNMOVABLE request up to HighMem, here Normal: its lists are empty, it
 * claims Normal's first order-3 block (M3:0) and takes 0. 5.10 moved CMA
 * pages only; 3.5 nothing.
 */
Test(kernel, longterm_pin_leaves_zone_movable)
{
	static const char yaml[] =
		"memory: { size: 256KiB, max_page_order: 3, pageblock_order: 3, min_free_kbytes: 4,\n"
		"          zones: [ { type: Normal, size: 128KiB }, { type: Movable, size: 128KiB } ] }\n";
	static const char *const names[] = { "6.1", "5.10", "3.5" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		struct cmasim_migrate_stats st = { 0 };

		boot_as(yaml, names[i]);
		AT(40, 0, T_M);
		cmasim_set_owner(mem, 40, CMASIM_OWNER_ANON, 1, 0);
		cr_assert_eq(cmasim_migrate_for_longterm_pin(mem, 40, &st), 0);
		INV();
		cr_assert_eq(st.migrated, i == 0 ? 1 : 0, "kernel %s", names[i]);
		cr_assert_eq(cmasim_range_free(mem, 40, 41), i == 0);
		if (i == 0) {
			cr_assert(!cmasim_range_free(mem, 0, 1));
			PBS(0, "U");
		}
		machine_teardown();
	}
}

/*
 * The same for a page in CMA, which 5.10 moves too: to a MOVABLE target
 * outside CMA (PF_MEMALLOC_NOCMA), so Normal's M3:0 is split, not
 * claimed. A page pinned already is not moved again. Under 3.5 pageblock
 * 0 is the reserve (min 1 page: one block, setup_zone_migrate_reserve()).
 */
Test(kernel, longterm_pin_leaves_cma)
{
	static const char *const names[] = { "6.1", "5.10", "3.5" };
	static const char *const pb0[] = { "U", "M", "S" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		struct cmasim_migrate_stats st = { 0 };

		boot_as(CFG_128, names[i]);
		make_cma();
		AT(64, 0, T_M);
		cmasim_set_owner(mem, 64, CMASIM_OWNER_ANON, 1, 0);
		AT(72, 0, T_M);
		cmasim_set_owner(mem, 72, CMASIM_OWNER_ANON, 2, 0);
		cmasim_set_pinned(mem, 72, true);
		cr_assert_eq(cmasim_migrate_for_longterm_pin(mem, 64, &st), 0);
		cr_assert_eq(cmasim_migrate_for_longterm_pin(mem, 72, &st), 0);
		INV();
		cr_assert_eq(st.migrated, i < 2 ? 1 : 0, "kernel %s", names[i]);
		cr_assert_eq(cmasim_range_free(mem, 0, 1), i == 2);
		PBS(0, pb0[i]);
		cr_assert(!cmasim_range_free(mem, 72, 73));
		teardown();
	}
}

/*
 * __setup_per_zone_wmarks() shares pages_min by managed pages since 3.8
 * (zone->managed_pages); 3.5 used present_pages. DMA and Normal of 512 MiB
 * each, 256 MiB of Normal reserved, min_free_kbytes 1024 (256 pages):
 * managed 131072 and 65536 give 256 x 2/3 = 170 and 85; present, 128 each.
 */
Test(kernel, watermarks_from_managed_pages)
{
	static const char yaml[] =
		"memory: { size: 1GiB, min_free_kbytes: 1024,\n"
		"          zones: [ { type: DMA, size: 512MiB }, { type: Normal, size: 512MiB } ],\n"
		"          reserved: [ { start: 0x20000000, size: 256MiB } ] }\n";
	static const char *const names[] = { "6.1", "3.5" };
	static const uint64_t want[][2] = { { 170, 85 }, { 128, 128 } };
	struct cmasim_zone_info zi;

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		boot_as(yaml, names[i]);
		for (unsigned int z = 0; z < 2; z++) {
			cmasim_mem_zone_info(mem, z, &zi);
			cr_assert_eq(zi.wmark_min, want[i][z], "kernel %s zone %u", names[i], z);
		}
		machine_teardown();
	}
}

/*
 * The case worked from mm/page_alloc.c (6.1): alloc_flags_nofragment()
 * sets ALLOC_NOFRAGMENT for a request preferring Normal on a machine with
 * DMA32, and __rmqueue_fallback() then steals nothing below pageblock
 * order. DMA32 [0,1024), Normal [1024,2048), pageblocks of 8, blocks up
 * to 16; a movable page at the start of every Normal pageblock leaves
 * Normal only order 0-2 free blocks. An UNMOVABLE order-0 request with
 * highest zone Normal: Normal has no whole pageblock to claim, DMA32 has
 * M4:0 at its list head, claimed (its two pageblocks become Unmovable)
 * and split: pfn 0. Normal keeps no Unmovable and no mixed pageblock.
 * Without the flag (3.5) Normal's fallback takes the largest block, M2's
 * head 2044, claims pageblock 2040 (7 free >= 4 in 3.5 too) and gives 2041.
 */
Test(kernel, nofragment_tries_dma32_first)
{
	static const char yaml[] =
		"memory: { size: 8MiB, max_page_order: 4, pageblock_order: 3, min_free_kbytes: 4,\n"
		"          zones: [ { type: DMA32, size: 4MiB }, { type: Normal, size: 4MiB } ] }\n";
	static const char *const names[] = { "6.1", "3.5" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		boot_as(yaml, names[i]);
		for (uint64_t p = 1024; p < 2048; p += 8)
			AT(p, 0, T_M);
		if (i == 0) {
			cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL), 0);
			PBS(0, "UU");
			cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 1, T_U), 0);
			cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 1, T_M), 0);
			cr_assert_eq(cmasim_zone_nr_mixed_pageblocks(mem, 1, T_U), 0);
		} else {
			cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL), 2041);
			PBS(2040, "U");
			PBS(0, "MM");
		}
		machine_teardown();
	}
}

/*
 * boost_watermark() (5.0): where kswapd runs, a fallback that steals from
 * a smaller block than a pageblock raises the zone's watermarks by a
 * pageblock (8), at least that much though high x 15000 / 10000 is 1.
 * 128 pages, pageblocks of 8 (4 x 8 <= 128 managed): [0,120) taken, a
 * Movable page at 120, 121 and 122-123 and 124-127 free; UNMOVABLE order 0
 * falls back to M2:124. 3.5 has no boost; nor does a machine without kswapd.
 */
Test(kernel, watermark_boost)
{
	static const char *const names[] = { "6.1", "3.5", "6.1" };
	static const uint64_t want[] = { 8, 0, 0 };
	struct cmasim_zone_info zi;

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		boot_as(CFG_128, names[i]);
		cmasim_mem_set_kswapd(mem, i < 2);
		fill_o3(0, 120);
		AT(120, 0, T_M);
		ZONE(0, "M0:121 M1:122 M2:124");
		cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL), 121);
		cmasim_mem_zone_info(mem, 0, &zi);
		cr_assert_eq(zi.watermark_boost, want[i], "case %u", i);
		cr_assert_eq(cmasim_mem_kswapd_wanted(mem), want[i] != 0);
		cmasim_mem_kswapd_done(mem);
		cmasim_mem_zone_info(mem, 0, &zi);
		cr_assert_eq(zi.watermark_boost, 0);
		machine_teardown();
	}
}

/*
 * MIGRATE_RESERVE, mm/page_alloc.c of 3.5: setup_zone_migrate_reserve()
 * from __setup_per_zone_wmarks() reserves roundup(min_wmark_pages(zone),
 * pageblock_nr_pages) >> pageblock_order pageblocks, at most 2, the first
 * MOVABLE ones from the zone's start that pageblock_is_reserved() passes
 * (no hole, no PageReserved page), and moves their free pages to the
 * RESERVE lists.
 *
 * 128 pages, pageblocks and largest blocks of 8. min_free_kbytes 40: min
 * 40 / 4 = 10 pages, roundup(10, 8) >> 3 = 2 blocks. With pfn 1 reserved,
 * pageblock 0 is skipped: 8 and 16 join; boot freed pageblock 0 as 0, 2-3
 * and 4-7 around the reserved page. min_free_kbytes 400: min 100, 13
 * blocks, capped at 2: pageblocks 0 and 1.
 */
Test(kernel, reserve_placement_and_size)
{
	static const char yaml[] =
		"memory: { size: 512KiB, max_page_order: 3, pageblock_order: 3, min_free_kbytes: 40,\n"
		"          reserved: [ { start: 0x1000, size: 4KiB } ] }\n";
	static const char capped[] =
		"memory: { size: 512KiB, max_page_order: 3, pageblock_order: 3, min_free_kbytes: 400 }\n";

	boot_as(yaml, "3.5");
	/* the order a list gets is the model's (moved to the tail, 5.10), not asserted */
	ZONE(0, "M0:0 M1:2 M2:4 S3~8,16 M3:24,32,40,48,56,64,72,80,88,96,104,112,120");
	PBS(0, "MSSMMMMMMMMMMMMM");
	cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, CMASIM_MT_RESERVE), 2);
	machine_teardown();

	boot_as(capped, "3.5");
	PBS(0, "SSMMMMMMMMMMMMMM");
	ZONE(0, "S3~0,8 M3:16,24,32,40,48,56,64,72,80,88,96,104,112,120");
}

/*
 * Two reserve blocks that are buddies make one free block: 3.5's
 * move_freepages_block() of pageblock 0 moved the whole order-4 block at
 * 0, pageblock 1's pages with it. Blocks of 16 pages here, pageblocks of
 * 8; min 10 as above.
 */
Test(kernel, reserve_blocks_merge)
{
	boot_as("memory: { size: 512KiB, max_page_order: 4, pageblock_order: 3, "
		"min_free_kbytes: 40 }\n", "3.5");
	ZONE(0, "S4:0 M4~16,32,48,64,80,96,112");
	PBS(0, "SSMM");
}

/*
 * __rmqueue() (3.5): __rmqueue_smallest() on the request's type, then
 * __rmqueue_fallback(), whose fallbacks[] rows end at MIGRATE_RESERVE
 * ("handled later if necessary"), and only then retry_reserve. CFG_64:
 * min 1 page, one reserve block, pageblock 0 (S3:0); [8,64) taken, 9
 * given back.
 *
 * UNMOVABLE order 0 finds M0:9 in its fallbacks and takes it without
 * claiming pageblock 1 (3.5: order 0 < pageblock_order / 2). Then only
 * the reserve is free: 8 pages, 7 after the next request. A MOVABLE order-2
 * request passes __zone_watermark_ok() (3.5 counts every list's free
 * blocks: 8 - 3 > low 1) and retry_reserve splits S3:0: 0, S2:4 left.
 * UNMOVABLE order 0 then splits S2:4: 4, S0:5 and S1:6 left. Pageblock 0
 * stays Reserve: no fallback claims it.
 *
 * Frees into a reserve pageblock go to the reserve's lists
 * (__free_one_page() with get_pageblock_migratetype()): 4 merges with 5
 * and 6-7 into S2:4; 0-3 then with it into S3:0.
 */
Test(kernel, reserve_is_the_last_resort)
{
	struct cmasim_zone_info zi;

	boot_as(CFG_64, "3.5");
	ZONE(0, "S3:0 M3:8,16,24,32,40,48,56");
	fill_o3(8, 64);
	cmasim_split_page(mem, 8);
	FREE(9);
	ZONE(0, "S3:0 M0:9");
	cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL), 9);
	PBS(0, "SM");
	ZONE(0, "S3:0");
	cr_assert(cmasim_zone_watermark_ok(mem, 0, 2, CMASIM_WMARK_LOW, CMASIM_ZONE_NORMAL, T_M));
	cr_assert_eq(ALLOC_Z(2, T_M, CMASIM_ZONE_NORMAL), 0);
	ZONE(0, "S2:4");
	cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL), 4);
	ZONE(0, "S0:5 S1:6");
	PBS(0, "S");
	cmasim_mem_zone_info(mem, 0, &zi);
	cr_assert_eq(zi.nr_free, 3, "the reserve's pages are free pages");

	FREE(4);
	ZONE(0, "S2:4");
	FREE(0);
	ZONE(0, "S3:0");
	PBS(0, "S");
}

/*
 * The same machine under 5.10, 6.1 and 6.10: no reserve. Pageblock 0 is
 * Movable, and the UNMOVABLE request that 3.5 served from its reserve
 * claims it instead (steal_suitable_fallback(): order 3 >= pageblock_order)
 * and takes 0, leaving U0:1 U1:2 U2:4.
 */
Test(kernel, no_reserve_after_3_5)
{
	static const char *const names[] = { "5.10", "6.1", "6.10" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		boot_as(CFG_64, names[i]);
		cr_assert_eq(cmasim_zone_nr_pageblocks(mem, 0, CMASIM_MT_RESERVE), 0, "kernel %s",
			     names[i]);
		PBS(0, "MMMMMMMM");
		fill_o3(8, 64);
		cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL), 0, "kernel %s", names[i]);
		ZONE(0, "U0:1 U1:2 U2:4");
		PBS(0, "U");
		machine_teardown();
	}
}

/*
 * 3.5 set up its reserve after the CMA areas (cma_init_reserved_areas()
 * is a core_initcall, init_per_zone_wmark_min() a module_init), and a CMA
 * pageblock is neither MOVABLE nor RESERVE: an area over CFG_128's first
 * two pageblocks puts the one reserve block at 16.
 */
Test(kernel, reserve_after_cma_areas)
{
	GError *err = NULL;

	boot_as(CFG_128, "3.5");
	PBS(0, "SMM");
	cma = cmasim_cma_new(mem, "r", 0, 16, 0, &err);
	cr_assert_not_null(cma, "%s", err ? err->message : "");
	INV();
	PBS(0, "CCSM");
	ZONE(0, "C3~0,8 S3:16 M3~24,32,40,48,56,64,72,80,88,96,104,112,120");
}

/*
 * mm/vmstat.c: fill_contig_page_info() (3.5) sums free_area[order].nr_free,
 * the reserve's blocks with the others: with only S3:0 free in CFG_64, at
 * order 3 one free block of 8 pages is suitable: unusable index 0,
 * fragmentation index -1000, largest order 3, with or without CMA.
 */
Test(kernel, reserve_counts_in_fragmentation)
{
	struct cmasim_frag frag;

	boot_as(CFG_64, "3.5");
	fill_o3(8, 64);
	cmasim_zone_frag(mem, 0, 3, &frag);
	cr_assert(frag.free_pages == 8 && frag.free_blocks_total == 1 &&
		  frag.free_blocks_suitable == 1 && frag.largest_order == 3);
	cr_assert(frag.unusable_index == 0 && frag.extfrag_index == -1000 &&
		  frag.unusable_index_no_cma == 0 && frag.extfrag_index_no_cma == -1000,
		  "%d %d %d %d", frag.unusable_index, frag.extfrag_index,
		  frag.unusable_index_no_cma, frag.extfrag_index_no_cma);
}

/*
 * Per-cpu lists (cpus: 1) under 3.5: 64 MiB, pageblocks of 512, blocks of
 * 1024; min 1 page, so pageblock 0 is the reserve (its order-10 block
 * split, S9:0). zone_batchsize(): min(16384 >> 10, 256) / 4 = 4,
 * rounddown_pow_of_two(4 + 2) - 1 = 3. Everything else taken, UNMOVABLE
 * order 0 refills three pages through __rmqueue(), all from the reserve
 * (rmqueue_bulk(), 3.5): 0 (S9:0 split down to S0:1), 1, then 2 (S1:2
 * split, S0:3 left), and takes 0. Placing a page at 1 drains 1 and 2:
 * back to the reserve (2 merging with 3 into S1:2), where 3.5 gave them
 * the request's type and so the Unmovable lists; then 1 is taken.
 */
Test(kernel, reserve_pages_leave_per_cpu_lists_for_the_reserve)
{
	boot_as("memory: { size: 64MiB, max_page_order: 10, pageblock_order: 9, "
		"min_free_kbytes: 4 }\n" "cpus: 1\n", "3.5");
	ZONE(0, "S9:0 M9:512 M10~1024,2048,3072,4096,5120,6144,7168,8192,9216,10240,11264,"
		"12288,13312,14336,15360");
	AT(512, 9, T_M);
	for (uint64_t p = 1024; p < 16384; p += 1024)
		AT(p, 10, T_M);
	cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL), 0);
	ZONE(0, "S0:3 S2:4 S3:8 S4:16 S5:32 S6:64 S7:128 S8:256");
	cr_assert(!cmasim_range_free(mem, 1, 3), "1 and 2 wait on the per-cpu list");
	AT(1, 0, T_M);
	ZONE(0, "S1:2 S2:4 S3:8 S4:16 S5:32 S6:64 S7:128 S8:256");
	PBS(0, "SM");
}

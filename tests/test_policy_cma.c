// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CMA variants against each other on small hand-built machines: what
 * each does about the cacheable linear alias of an uncached buffer, and
 * what that costs in TLB misses, page tables and cache maintenance, with
 * the figures worked out by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cmasim/engine.h"
#include "cmasim/error.h"
#include "helpers.h"

#define MiB (UINT64_C(1) << 20)

/*
 * 32 MiB, 4 KiB pages: Normal is the first 24 MiB (pfns 0-6143, 24
 * sections of 1 MiB, all whole), HighMem the last 8. One 4 MiB CMA area at
 * 4 MiB: pfns 1024-2047, sections 4-7. dev24 reaches the first 16 MiB:
 * the lowmem area, not HighMem. A 32 KiB 4-way cache of 64-byte lines.
 */
#define SMALL_ARM_COSTS(cache, costs) \
	"name: small-arm\n" \
	"memory: { size: 32MiB, max_page_order: 8, pageblock_order: 8, min_free_kbytes: 256,\n" \
	"          zones: [ { type: Normal, size: 24MiB }, { type: HighMem, size: 8MiB } ] }\n" \
	"devices: [ { name: dev32, dma_bits: 32 }, { name: dev24, dma_bits: 24 } ]\n" \
	"cma: [ { size: 4MiB, base: 0x400000 } ]\n" \
	"cache: { size: 32KiB, ways: 4, line: 64" cache " }\n" \
	"mmu: { section_size: 1MiB }\n" \
	"costs: " costs "\n"
#define SMALL_ARM(cache) \
	SMALL_ARM_COSTS(cache, \
			"{ buddy_op: 100ns, page_zero: 1us, cache_line_op: 5ns, cache_barrier: 100ns,\n" \
			"  cache_flush_all: 200us, tlb_miss: 30ns, tlb_flush_page: 20ns,\n" \
			"  tlb_shootdown: 5us, section_split: 10us, kmap: 300ns }")

static const char pipt[] = SMALL_ARM(", prefetcher: speculative, speculation_rate: 1");
static const char vivt[] = SMALL_ARM(", indexing: vivt");

/* The variants that deal with the alias, in registry order. */
static const char *const fixed[] = { "cma-unmap", "cma-remap", "cma-highmem", "cma-flush" };

/* Replays @workload_yaml on @machine_yaml under @policy, checking the invariants. */
static struct cmasim_results *run_on(const char *machine_yaml, const char *workload_yaml,
				     const char *policy)
{
	return replay_on(machine_yaml, workload_yaml, policy, NULL, NULL);
}

/*
 * A 1 MiB buffer, then one sequential kernel walk over all 24 MiB of
 * lowmem while it is held. The walk passes over the buffer's own pages
 * (the kernel does not read a device's buffer), but a speculating core
 * fills a random line within 4 KiB of every access it makes, so the
 * accesses in the pages on either side of the buffer reach into its
 * linear alias wherever that alias is cacheable.
 */
static const char speculating_workload[] =
	"name: kernel-near-buffers\n"
	"events:\n"
	"  - { t: 0, op: dma_alloc, device: dev32, size: 1MiB, id: b }\n"
	"  - { t: 1ms, op: cpu, region: lowmem, access: read, bytes: 24MiB }\n"
	"  - { t: 2ms, op: dma_free, id: b }\n";

/* ARMv6-like: the same cache VIPT, and no speculation (ARM1176 prefetches nothing) */
static const char vipt[] = SMALL_ARM(", indexing: vipt");

/*
 * Under the speculating ARMv7-like core, the policies that leave a
 * buffer's frames cacheable in the linear map while the CPU maps them
 * uncached alias: buddy and cma, and gcma, whose area stays in the linear
 * map as cma's does. The others leave no such pair of mappings: carveout's
 * pool and cma-unmap's buffers are out of the linear map, cma-remap's
 * entries are uncached too, cma-highmem's and iommu's pages come from
 * HighMem, which has no linear address, and cma-flush's buffers are
 * cacheable everywhere. On the ARMv6-like and XScale-like cores nothing
 * speculates, and nobody aliases.
 */
Test(policy_cma, only_speculation_aliases_and_only_where_the_alias_stays)
{
	static const char *const aliasing[] = { "buddy", "cma", "gcma" };

	for (unsigned int i = 0; i < cmasim_nr_policies; i++) {
		const char *name = cmasim_policies[i]->name;
		bool aliases = false;
		struct cmasim_results *r;

		for (unsigned int k = 0; k < G_N_ELEMENTS(aliasing); k++)
			aliases |= !strcmp(name, aliasing[k]);
		r = run_on(pipt, speculating_workload, name);
		cr_expect_eq(r->dma_ok, 1, "%s", name);
		cr_expect_gt(r->cache_speculative_fills, 0, "%s: the core does speculate", name);
		cr_expect_eq(r->alias_speculative > 0, aliases, "%s: %lu speculative alias lines",
			     name, (unsigned long)r->alias_speculative);
		cr_expect_eq(r->alias_demand + r->alias_present, 0, "%s", name);
		cmasim_results_free(r);

		for (unsigned int c = 0; c < 2; c++) {
			r = run_on(c ? vivt : vipt, speculating_workload, name);
			cr_expect_eq(r->dma_ok, 1, "%s", name);
			cr_expect_eq(r->cache_speculative_fills, 0);
			cr_expect_eq(r->alias_speculative + r->alias_demand + r->alias_present, 0,
				     "%s on %s", name, c ? "VIVT" : "VIPT");
			cmasim_results_free(r);
		}
	}
}

/* One sequential kernel walk over all 24 MiB of lowmem, a 64 KiB buffer held or not. */
#define WALK_WORKLOAD(alloc, free) \
	"name: lowmem-walk\n" \
	"events:\n" alloc \
	"  - { t: 1ms, op: cpu, region: lowmem, access: read, bytes: 24MiB, pattern: sequential }\n" free

static const char walk_with_buffer[] =
	WALK_WORKLOAD("  - { t: 0, op: dma_alloc, device: dev32, size: 64KiB, id: b }\n",
		      "  - { t: 2ms, op: dma_free, id: b }\n");
static const char walk_alone[] = WALK_WORKLOAD("", "");

/*
 * cma-unmap: b takes pfns 1024-1039 (first fit, order-4 aligned), part of
 * section 4, which splits into page entries: one page-table page, one
 * shootdown; freeing folds it back (a second shootdown) and frees the page.
 * The walk enters 23 sections (23 misses in the 32-entry section TLB) and
 * section 4's 256 pages: 240 mapped, each a miss in the 32-entry page TLB,
 * and 16 unmapped, the buffer's, which it passes over. Under cma: 24
 * misses. With no buffer held, cma-unmap maps everything in sections, as
 * cma does.
 */
Test(policy_cma, unmap_splits_only_while_buffers_are_held)
{
	struct cmasim_results *r = run_on(pipt, walk_with_buffer, "cma");

	cr_expect_eq(r->tlb_misses, 24);
	cmasim_results_free(r);

	r = run_on(pipt, walk_with_buffer, "cma-unmap");
	cr_expect_eq(r->dma_ok, 1);
	cr_expect_eq(r->tlb_misses, 23 + 240);
	cr_expect_eq(r->cpu_faults, 0);
	cr_expect_eq(r->sections_split, 1);
	cr_expect_eq(r->pagetable_pages_peak, 1);
	cr_expect_eq(r->tlb_shootdowns, 2);
	cr_expect_eq(r->zones[0].free_pages, 6144, "the page-table page went back with the buffer");
	cmasim_results_free(r);

	r = run_on(pipt, walk_alone, "cma-unmap");
	cr_expect_eq(r->tlb_misses, 24);
	cr_expect_eq(r->pagetable_pages_peak, 0);
	cmasim_results_free(r);
}

/*
 * cma-remap splits the area's 4 sections at boot (4 page-table pages, kept
 * for good) and never allocates a buffer here: the walk still misses 20
 * sections plus all 1024 pages of the area, against cma's 24.
 */
Test(policy_cma, remap_pays_its_tlb_misses_from_boot)
{
	struct cmasim_results *r = run_on(pipt, walk_alone, "cma");

	cr_expect_eq(r->tlb_misses, 24);
	cr_expect_eq(r->sections_split, 0);
	cmasim_results_free(r);

	r = run_on(pipt, walk_alone, "cma-remap");
	cr_expect_eq(r->dma_requests, 0);
	cr_expect_eq(r->tlb_misses, 20 + 1024);
	cr_expect_eq(r->sections_split, 4, "the area's sections");
	cr_expect_eq(r->pagetable_pages_peak, 4);
	cr_expect_eq(r->zones[0].free_pages, 6144 - 4);
	cmasim_results_free(r);

	/*
	 * a buffer's own entries change attribute in place: no further split or
	 * page table; the walk passes over the buffer's 16 pages
	 */
	r = run_on(pipt, walk_with_buffer, "cma-remap");
	cr_expect_eq(r->tlb_misses, 20 + 1024 - 16);
	cr_expect_eq(r->sections_split, 4);
	cr_expect_eq(r->pagetable_pages_peak, 4);
	cr_expect_eq(r->alias_speculative + r->alias_demand + r->alias_present, 0);
	cmasim_results_free(r);
}

/*
 * Three 16 KiB transfers of a cacheable 64 KiB buffer, the CPU reading it
 * around them. By range (PIPT), 16 KiB is 256 lines. As v7_dma_map_area()
 * and v7_dma_unmap_area() do: to_device cleans 256 before; from_device
 * invalidates 256 before (no dirty line may land late) and 256 after;
 * bidirectional cleans and invalidates 256 before and invalidates 256
 * after: 1280 line operations at 5 ns and 5 barriers at 100 ns, 6900 ns.
 * On VIVT every sync is a whole-cache flush instead: 1 + 2 + 2 = 5 of them,
 * 1 ms, about 145 times as long. Either way the CPU reads what the device
 * wrote.
 */
static const char transfers[] =
	"name: transfers\n"
	"events:\n"
	"  - { t: 0, op: dma_alloc, device: dev32, size: 64KiB, id: b }\n"
	"  - { t: 1ms, op: cpu, buffer: b, access: write, bytes: 16KiB, pattern: sequential }\n"
	"  - { t: 2ms, op: dma, device: dev32, buffer: b, direction: to_device, bytes: 16KiB }\n"
	"  - { t: 3ms, op: cpu, buffer: b, access: read, bytes: 16KiB, pattern: sequential }\n"
	"  - { t: 4ms, op: dma, device: dev32, buffer: b, direction: from_device, bytes: 16KiB }\n"
	"  - { t: 5ms, op: cpu, buffer: b, access: read, bytes: 16KiB, pattern: sequential }\n"
	"  - { t: 6ms, op: dma, device: dev32, buffer: b, direction: bidirectional, bytes: 16KiB }\n"
	"  - { t: 7ms, op: cpu, buffer: b, access: read, bytes: 16KiB, pattern: sequential }\n"
	"  - { t: 8ms, op: dma_free, id: b }\n";

Test(policy_cma, flush_maintains_every_transfer)
{
	struct cmasim_results *r = run_on(pipt, transfers, "cma-flush");

	cr_expect_eq(r->cache_maintenance_lines, 256 + 512 + 512);
	cr_expect_eq(r->cost_ns[CMASIM_COST_CACHE], 1280 * 5 + 5 * 100);
	cr_expect_eq(r->cache_flush_alls, 0);
	cr_expect_eq(r->stale_cpu_reads, 0, "invalidated after the device wrote");
	cr_expect_eq(r->stale_device_reads, 0, "cleaned before the device read");
	cr_expect_eq(r->cpu_uncached_accesses, 0, "the buffer stays cacheable");
	cr_expect_eq(r->alias_speculative + r->alias_demand + r->alias_present, 0);
	cmasim_results_free(r);

	r = run_on(vivt, transfers, "cma-flush");
	cr_expect_eq(r->cache_flush_alls, 1 + 2 + 2);
	cr_expect_eq(r->cache_maintenance_lines, 0);
	cr_expect_eq(r->cost_ns[CMASIM_COST_CACHE], 5 * 200000);
	cr_expect_eq(r->stale_cpu_reads, 0);
	cr_expect_eq(r->stale_device_reads, 0);
	cmasim_results_free(r);
}

/*
 * The consequences of the alias, worked by hand. The ARMv7-like core
 * speculates (one fill within 64 lines of every access) and its uncached
 * accesses use a copy an alias left (cache.uncached_hits); the ARMv6-like
 * one is the same but speculates nothing.
 *
 * b takes pfns 1024-1039 (first fit at the area's base). The kernel walks
 * pfns 0-1023 (4 MiB from the linear map's start): accesses in page 1023
 * may speculate into b's first page, whose lines go to sets 0-63 (pfn
 * 1024 is line 65536, a multiple of the 128 sets), where nothing younger
 * evicts them before the CPU writes b. Call their number S:
 * alias_speculative_lines, since nothing else is speculated into b.
 *  - the CPU writes all of b uncached: each of the S copies is hit (S
 *    hits), updated and left dirty; memory is written too;
 *  - the camera writes b; the CPU reads b uncached: the S copies are hit
 *    again and are older than memory: S stale reads (2S hits in all);
 *  - user space walks its 8 pages at pfns 4096-4103: pages 4096, 4098,
 *    4100 and 4102 bring 4 new lines into each of sets 0-63, evicting the
 *    4 older lines of each (true LRU), so each dirty copy is written back
 *    over what the camera wrote: S clobbered lines. (User pages have no
 *    user address near b, so the walk speculates nothing into it.)
 * Freed without that walk, b leaves its S copies cached: S stray lines.
 * cma-unmap takes b out of the linear map and cma-remap makes its entries
 * uncached, so the prefetcher, which fills only through cacheable
 * mappings, never reaches b: every count is 0. Nothing speculates on the
 * ARMv6-like core: 0 under every policy.
 */
#define ALIAS_STEPS(evict) \
	"name: alias-steps\n" \
	"events:\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 3, pfn: 4096, owner: anon, id: u }\n" \
	"  - { t: 0, op: dma_alloc, device: dev32, size: 64KiB, id: b }\n" \
	"  - { t: 1ms, op: cpu, region: lowmem, access: read, bytes: 4MiB }\n" \
	"  - { t: 2ms, op: cpu, buffer: b, access: write, bytes: 64KiB }\n" \
	"  - { t: 3ms, op: dma, device: dev32, buffer: b, direction: from_device, bytes: 64KiB }\n" \
	"  - { t: 4ms, op: cpu, buffer: b, access: read, bytes: 64KiB }\n" evict \
	"  - { t: 6ms, op: dma_free, id: b }\n"

static const char alias_evicted[] =
	ALIAS_STEPS("  - { t: 5ms, op: cpu, region: user, access: read, bytes: 16416KiB }\n");
static const char alias_freed[] = ALIAS_STEPS("");

static const char armv7_hits[] =
	SMALL_ARM(", prefetcher: speculative, speculation_rate: 1, uncached_hits: true");
static const char armv6_hits[] = SMALL_ARM(", indexing: vipt, uncached_hits: true");

Test(policy_cma, alias_corrupts_under_cma_only_where_speculation_reaches_it)
{
	static const char *const policies[] = { "cma", "cma-unmap", "cma-remap" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(policies); i++) {
		struct cmasim_results *r = run_on(armv7_hits, alias_evicted, policies[i]);
		uint64_t s = r->alias_speculative;

		cr_expect_eq(s > 0, i == 0, "%s: %lu stray lines", policies[i], (unsigned long)s);
		cr_expect_eq(r->uncached_hits, 2 * s, "%s", policies[i]);
		cr_expect_eq(r->stale_cpu_reads, s, "%s", policies[i]);
		cr_expect_eq(r->clobbered_lines, s, "%s", policies[i]);
		cr_expect_eq(r->stale_device_reads, 0, "%s: memory was written too", policies[i]);
		cr_expect_eq(r->stray_freed_lines, 0, "%s: the walk evicted them", policies[i]);
		/* the first corruptions named: stale reads of b's first page, pfn 0x400, then clobbers */
		if (i == 0) {
			cr_expect(g_str_has_prefix(r->corruption_first, "4ms pfn 0x400 line "), "%s",
				  r->corruption_first);
			cr_expect(strstr(r->corruption_first, "; 5ms pfn 0x400 line "), "%s",
				  r->corruption_first);
		}
		else
			cr_expect_str_eq(r->corruption_first, "");
		cmasim_results_free(r);

		r = run_on(armv7_hits, alias_freed, policies[i]);
		cr_expect_eq(r->stray_freed_lines, r->alias_speculative, "%s", policies[i]);
		cr_expect_eq(r->clobbered_lines, 0, "%s", policies[i]);
		cmasim_results_free(r);

		r = run_on(armv6_hits, alias_evicted, policies[i]);
		cr_expect_eq(r->alias_speculative + r->uncached_hits + r->stale_cpu_reads +
			     r->clobbered_lines + r->stray_freed_lines, 0, "%s on ARMv6", policies[i]);
		cmasim_results_free(r);
	}
}

static const char two_devices[] =
	"name: two-devices\n"
	"events:\n"
	"  - { t: 0, op: dma_alloc, device: dev24, size: 64KiB, id: low }\n"
	"  - { t: 1ms, op: dma_alloc, device: dev32, size: 64KiB, id: any }\n"
	"  - { t: 2ms, op: cpu, region: lowmem, access: read, bytes: 1MiB, pattern: random }\n";

/*
 * cma-highmem moves the area to the top of HighMem (pfns 7168-8191): dev24,
 * which reaches 16 MiB, cannot use it; dev32 can, and holds 16 of its
 * pages at the end. HighMem's 8 MiB hold the 4 MiB area, so lowmem stays the
 * machine's 24 MiB. Under cma both devices are served from the lowmem area.
 */
Test(policy_cma, highmem_serves_only_devices_that_reach_it)
{
	struct cmasim_results *r = run_on(pipt, two_devices, "cma");

	cr_expect_eq(r->dma_ok, 2);
	cmasim_results_free(r);

	r = run_on(pipt, two_devices, "cma-highmem");
	cr_expect_eq(r->dma_failed[CMASIM_DMA_UNREACHABLE], 1);
	cr_expect_eq(r->devices[1].ok, 0, "dev24");
	cr_expect_eq(r->devices[0].ok, 1, "dev32");
	cr_expect_eq(r->zones[1].type, CMASIM_ZONE_HIGHMEM);
	cr_expect_eq(r->zones[1].cma_pages, 1024);
	cr_expect_eq(r->zones[1].free_pages, 2048 - 16);
	cr_expect_eq(r->zones[0].cma_pages, 0);
	cr_expect_eq(r->lowmem_bytes, 24 * MiB);
	cr_expect_eq(r->alias_speculative + r->alias_demand + r->alias_present, 0);
	cmasim_results_free(r);
}

/* Replays two_devices on @machine_yaml under cma-highmem with @set; NULL with @error. */
static struct cmasim_results *highmem_run(const char *machine_yaml, const char *set,
					  GError **error)
{
	const char *sets[] = { set, NULL };
	struct cmasim_run_options opts = { .policy = cmasim_policy_find("cma-highmem"),
					   .seed = 1, .set = sets, .check_invariants = true };

	return try_replay(machine_yaml, two_devices, &opts, NULL, error);
}

#define LOWMEM_64(zones) \
	"memory: { size: 64MiB, max_page_order: 8, pageblock_order: 8" zones " }\n" \
	"devices: [ { name: dev32, dma_bits: 32 }, { name: dev24, dma_bits: 24 } ]\n"

/*
 * Too little HighMem, or none: the lowmem limit moves down a 1 MiB section
 * at a time (vmalloc= grows) until HighMem holds the area. The default
 * area is 16 MiB (CONFIG_CMA_SIZE_MBYTES), so on 64 MiB all in lowmem, or
 * with 8 MiB of HighMem, lowmem becomes 48 MiB and the area lies at
 * 48-64 MiB, out of dev24's reach: its request fails as unreachable.
 */
Test(policy_cma, highmem_moves_the_lowmem_limit_down)
{
	static const char *const machines[] = {
		LOWMEM_64(""),
		LOWMEM_64(", zones: [ { type: Normal, size: 56MiB }, { type: HighMem, size: 8MiB } ]"),
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(machines); i++) {
		GError *error = NULL;
		struct cmasim_results *r = highmem_run(machines[i], NULL, &error);

		cr_assert_not_null(r, "machine %u: %s", i, error ? error->message : "");
		cr_expect_eq(r->lowmem_bytes, 48 * MiB, "machine %u", i);
		cr_assert_eq(r->nr_zones, 2, "machine %u", i);
		cr_expect_eq(r->zones[1].type, CMASIM_ZONE_HIGHMEM);
		cr_expect_eq(r->zones[1].cma_pages, 16 * MiB / 4096, "machine %u", i);
		cr_expect_eq(r->zones[0].cma_pages, 0);
		cr_expect_eq(r->devices[0].ok, 1, "dev32, machine %u", i);
		cr_expect_eq(r->dma_failed[CMASIM_DMA_UNREACHABLE], 1, "dev24, machine %u", i);
		cmasim_results_free(r);
	}
}

/*
 * vmalloc= cannot leave lowmem under 32 MiB (early_vmalloc()): a 40 MiB
 * area on 64 MiB would need 24. And a 64-bit machine (1 GiB, no HighMem,
 * more than a 32-bit linear map holds) has no HighMem at all. Both are
 * refused as a policy that cannot run on the machine, naming why.
 */
Test(policy_cma, highmem_refuses_what_vmalloc_cannot_make)
{
	static const char big[] =
		"memory: { size: 1GiB }\n"
		"devices: [ { name: dev32, dma_bits: 32 }, { name: dev24, dma_bits: 24 } ]\n";
	GError *error = NULL;

	cr_expect_null(highmem_run(LOWMEM_64(""), "size=40MiB", &error));
	cr_assert_not_null(error);
	cr_expect_eq(error->code, CMASIM_ERROR_POLICY);
	cr_expect_str_eq(error->message, "policy cma-highmem: 40 MiB of CMA areas do not fit in "
			 "HighMem even with lowmem cut to the 32 MiB vmalloc= leaves (shrink them "
			 "with --set size=)");
	g_clear_error(&error);

	cr_expect_null(highmem_run(big, NULL, &error));
	cr_assert_not_null(error);
	cr_expect_eq(error->code, CMASIM_ERROR_POLICY);
	cr_expect_str_eq(error->message, "policy cma-highmem: machine m is 64-bit: all its RAM is "
			 "in the linear map and it has no HighMem");
	g_clear_error(&error);
}

/* Every variant takes cma's parameters, and only those. */
Test(policy_cma, variants_share_the_cma_parameters)
{
	struct cmasim_param_values values;
	const char *set[] = { "size=8MiB", "align_max=4", NULL };

	for (unsigned int i = 0; i < G_N_ELEMENTS(fixed); i++) {
		const struct cmasim_policy_ops *ops = cmasim_policy_find(fixed[i]);

		cr_assert_not_null(ops, "%s", fixed[i]);
		cr_expect(ops->serialized, "%s holds the CMA mutex", fixed[i]);
		cr_expect(cmasim_policy_params(ops, set, &values, NULL), "%s", fixed[i]);
		cr_expect_eq(values.value[0], 8 * MiB);
		cr_expect_eq(values.value[2], 4);
	}
}

/*
 * Two per-device areas of 8 MiB at the top of lowmem (a at 32-40 MiB, b
 * at 24-32 MiB; no shared area), and 24 MiB of HighMem. cma-highmem moves
 * both into HighMem, each clear of those placed before it: a at the top,
 * 56-64 MiB, b below it at 48-56 MiB. HighMem holds them, so lowmem keeps
 * its 40 MiB, and each device's 8 MiB request takes its whole area.
 */
Test(policy_cma, highmem_places_per_device_areas_clear_of_each_other)
{
	static const char machine[] =
		"memory: { size: 64MiB, max_page_order: 8, pageblock_order: 8,\n"
		"          zones: [ { type: Normal, size: 40MiB }, { type: HighMem, size: 24MiB } ] }\n"
		"devices: [ { name: cam, dma_bits: 32 }, { name: gpu, dma_bits: 32 } ]\n"
		"cma: [ { name: a, size: 8MiB, devices: [cam] }, { name: b, size: 8MiB, devices: [gpu] } ]\n";
	static const char both[] =
		"name: both\n"
		"events:\n"
		"  - { t: 0, op: dma_alloc, device: cam, size: 8MiB, id: c }\n"
		"  - { t: 1ms, op: dma_alloc, device: gpu, size: 8MiB, id: g }\n";
	struct cmasim_results *r = replay_on(machine, both, "cma-highmem", NULL, NULL);

	cr_expect_eq(r->dma_ok, 2);
	cr_expect_eq(r->lowmem_bytes, 40 * MiB);
	cr_assert_eq(r->nr_zones, 2);
	cr_expect_eq(r->zones[1].cma_pages, 16 * MiB / 4096);
	cr_expect_eq(r->zones[1].cma_free_pages, 0);
	/* what is left of HighMem: its bottom 8 MiB */
	cr_expect_eq(r->zones[1].free_pages, 8 * MiB / 4096);
	cr_expect_eq(r->zones[0].cma_pages, 0);
	cmasim_results_free(r);
}

/*
 * The speculating small machine with every operation free, so that
 * requests take no simulated time.
 */
static const char pipt_free[] = SMALL_ARM_COSTS(
	", prefetcher: speculative, speculation_rate: 1",
	"{ buddy_op: 0, page_zero: 0, page_copy: 0, migrate_page: 0, reclaim_page: 0,\n"
	"  lru_drain: 0, cache_line_op: 0, cache_flush_all: 0, cache_barrier: 0, tlb_miss: 0,\n"
	"  tlb_flush_page: 0, tlb_shootdown: 0, section_split: 0, kmap: 0, iommu_map_page: 0 }");

/*
 * On the small machine (the area at 4-8 MiB, lowmem 24 MiB, 1 MiB
 * pageblocks) fallback=2MiB reserves 22-24 MiB, the top of lowmem clear
 * of the area. a fills the area; f (1 MiB) then fails in it and the
 * carve-out serves it; g (2 MiB) finds only 1 MiB left there and fails
 * for the area's reason; dev24 reaches 16 MiB, so the carve-out cannot
 * serve h, which fails for the area's reason too: full, or under
 * cma-highmem out of reach. The carve-out idles 512 pages for 1 ms, 256
 * for 3 ms while f holds the rest, and 512 again for the last 1 ms:
 * 1792 page-ms.
 */
static const char overflow[] =
	"name: overflow\n"
	"events:\n"
	"  - { t: 0, op: dma_alloc, device: dev32, size: 4MiB, id: a }\n"
	"  - { t: 1ms, op: dma_alloc, device: dev32, size: 1MiB, id: f }\n"
	"  - { t: 2ms, op: dma_alloc, device: dev32, size: 2MiB, id: g }\n"
	"  - { t: 3ms, op: dma_alloc, device: dev24, size: 64KiB, id: h }\n"
	"  - { t: 3500us, op: dma, device: dev32, buffer: f, direction: from_device, bytes: 1MiB }\n"
	"  - { t: 4ms, op: dma_free, id: f }\n"
	"  - { t: 5ms, op: sample }\n";

Test(policy_cma, fallback_carveout_serves_what_the_area_fails)
{
	const char *fallback[] = { "fallback=2MiB", NULL };
	struct cmasim_results *plain = replay_on(pipt_free, overflow, "cma", NULL, NULL);

	cr_expect_eq(plain->dma_ok, 1);
	cr_expect_eq(plain->dma_failed[CMASIM_DMA_NO_MEMORY], 3);
	cr_expect_eq(plain->dma_fallback_ok, 0);
	cr_expect_eq(plain->reserved_bytes, 0);

	for (unsigned int i = 0; i < G_N_ELEMENTS(fixed) + 1; i++) {
		const char *policy = i ? fixed[i - 1] : "cma";
		bool highmem = !strcmp(policy, "cma-highmem");
		struct cmasim_results *r = replay_on(pipt_free, overflow, policy, fallback, NULL);

		cr_expect_eq(r->dma_ok, 2, "%s", policy);
		cr_expect_eq(r->dma_fallback_ok, 1, "%s", policy);
		cr_expect_eq(r->dma_failed[CMASIM_DMA_NO_MEMORY], highmem ? 1 : 2, "%s", policy);
		cr_expect_eq(r->dma_failed[CMASIM_DMA_UNREACHABLE], highmem ? 1 : 0, "%s", policy);
		cr_expect_eq(r->reserved_bytes, 2 * MiB, "%s", policy);
		cr_expect_eq(r->managed_bytes, plain->managed_bytes - 2 * MiB, "%s", policy);
		cr_expect_eq(r->reserved_idle_page_ms, 1792, "%s", policy);
		/*
		 * a's clearing flushes its 4 MiB (65536 lines), except under
		 * cma-flush, which keeps it cacheable; f is uncached: its
		 * transfer needs no maintenance, even under cma-flush.
		 */
		cr_expect_eq(r->cache_maintenance_lines,
			     strcmp(policy, "cma-flush") ? 4 * MiB / 64 : 0, "%s", policy);
		cmasim_results_free(r);
	}
	cmasim_results_free(plain);
}

/*
 * A carve-out that does not fit beside the areas refuses the machine,
 * saying how large it was asked to be. A size near 2^64 rounds up to the
 * largest whole number of 1 MiB pageblocks below 2^64, 2^64 - 2^20 bytes
 * = 2^44 - 1 MiB, not the 0 that a wrapped rounding gave.
 */
Test(policy_cma, fallback_carveout_that_does_not_fit_is_refused)
{
	static const struct {
		const char *set, *size;
	} cases[] = {
		{ "fallback=24MiB", "24MiB" },
		{ "fallback=0xffffffffffffffff", "17592186044415MiB" },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		const char *set[] = { cases[i].set, NULL };
		struct cmasim_run_options opts = { .policy = cmasim_policy_find("cma"), .set = set };
		g_autofree char *want = g_strdup_printf("policy cma: fallback carve-out: no room for "
							"%s in zone Normal clear of the CMA areas",
							cases[i].size);
		GError *error = NULL;

		cr_expect_null(try_replay(pipt_free, overflow, &opts, NULL, &error));
		cr_assert_not_null(error);
		cr_expect_eq(error->code, CMASIM_ERROR_POLICY);
		cr_expect_str_eq(error->message, want);
		g_clear_error(&error);
	}
}

/*
 * The machine's policy: section sets parameters as --set does, a
 * "policy.name" key only that policy's, and --set wins over both. The
 * shared area, resized, moves to the top of lowmem: 8 MiB is 2048 pages.
 */
Test(policy_cma, machine_policy_section_sets_parameters)
{
	static const char machine[] =
		SMALL_ARM("") "policy: { size: 8MiB, cma-unmap.size: 2MiB }\n";
	static const char idle[] = "name: idle\nevents:\n  - { t: 1ms, op: sample }\n";
	const char *one_mib[] = { "size=1MiB", NULL };
	struct cmasim_results *cma = replay_on(machine, idle, "cma", NULL, NULL);
	struct cmasim_results *unmap = replay_on(machine, idle, "cma-unmap", NULL, NULL);
	struct cmasim_results *set = replay_on(machine, idle, "cma-unmap", one_mib, NULL);

	cr_expect_eq(cma->zones[0].cma_pages, 2048);
	cr_expect_eq(unmap->zones[0].cma_pages, 512);
	cr_expect_eq(set->zones[0].cma_pages, 256);
	cmasim_results_free(cma);
	cmasim_results_free(unmap);
	cmasim_results_free(set);
}

/*
 * The registry checks a machine's policy: section, naming the key's place
 * when no policy has it and the value's when it does not suit: size is
 * carveout's first, in registry order; the value of "size: big" starts at
 * column 16 of line 2.
 */
Test(policy_cma, machine_policy_section_is_checked)
{
	static const struct {
		const char *policy;
		enum cmasim_error code;
		const char *message;
	} rows[] = {
		{ "{nope.size: 1MiB}", CMASIM_ERROR_KEY,
		  "m.yaml:2:10: policy.nope.size: no policy named 'nope' (see cmasim list)" },
		{ "{cma.trim: false}", CMASIM_ERROR_KEY,
		  "m.yaml:2:10: policy.cma.trim: policy cma has no parameter 'trim' (expected one "
		  "of: size, base, align_max, order_per_bit, fallback, per_device)" },
		{ "{bogus: 1}", CMASIM_ERROR_KEY,
		  "m.yaml:2:10: policy.bogus: no policy has a parameter 'bogus' (see cmasim list)" },
		{ "{size: big}", CMASIM_ERROR_VALUE,
		  "m.yaml:2:16: policy.size: expected a size such as 16MiB for size of policy "
		  "carveout" },
		{ "{trim: maybe}", CMASIM_ERROR_VALUE,
		  "m.yaml:2:16: policy.trim: expected true or false for trim of policy buddy" },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree char *yaml = g_strdup_printf("memory: {size: 4MiB}\npolicy: %s\n",
							rows[i].policy);
		struct cmasim_config *cfg = cmasim_config_load_data("m.yaml", yaml, strlen(yaml),
								    NULL);
		GError *error = NULL;

		cr_assert_not_null(cfg, "%u", i);
		cr_expect_not(cmasim_policy_check_machine(cfg, &error), "%u", i);
		cr_assert_not_null(error, "%u", i);
		cr_expect_eq(error->code, (gint)rows[i].code, "%u", i);
		cr_expect_str_eq(error->message, rows[i].message, "%u", i);
		g_clear_error(&error);
		cmasim_config_free(cfg);
	}
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The carveout, iommu and gcma policies and the atomic pool, each on a
 * small machine and a trace written here, every figure worked out by hand.
 */
#include <criterion/criterion.h>

#include "helpers.h"

/*
 * 16 MiB in one Normal zone, pfns 0..4095; mappings, cache maintenance and
 * zeroing cost nothing, so latencies are the allocators' alone. Reclaiming
 * a page costs 2.7 us, the LRU drain 50 us.
 */
#define MACHINE_OF(memory) \
	"name: small\n" \
	"memory: " memory "\n" \
	"devices: [ { name: dev, dma_bits: 32 } ]\n" \
	"costs: { buddy_op: 100ns, page_zero: 0, cache_line_op: 0, cache_barrier: 0,\n" \
	"         tlb_flush_page: 0, tlb_shootdown: 0, section_split: 0, kmap: 0,\n" \
	"         iommu_map_page: 250ns, reclaim_page: 2700ns, lru_drain: 50us }\n"
#define MACHINE MACHINE_OF("{ size: 16MiB, min_free_kbytes: 128 }")

static const char machine[] = MACHINE;

/* The same machine with a 4 MiB shared CMA area: the top of lowmem, pfns 3072..4095. */
static const char cma_machine[] = MACHINE "cma: [ { size: 4MiB } ]\n";

/* A 1 MiB buffer held from 1 s to 3 s, a 4 MiB one asked for at 2 s; the run ends at 4 s. */
static const char pool_workload[] =
	"name: pool\n"
	"events:\n"
	"  - { t: 1s, op: dma_alloc, device: dev, size: 1MiB, id: a }\n"
	"  - { t: 2s, op: dma_alloc, device: dev, size: 4MiB, id: big }\n"
	"  - { t: 3s, op: dma_free, id: a }\n"
	"  - { t: 3s, op: dma_free, id: big }\n"
	"  - { t: 4s, op: sample }\n";

Test(policy_other, carveout_idle_page_time)
{
	const char *set[] = { "size=4MiB", NULL };
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(machine, pool_workload, "carveout", set, &cfg);

	/* a fits the 1024-page pool; big needs 1024 pages while 768 are free */
	cr_expect_eq(r->dma_ok, 1);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_NO_MEMORY], 1);
	cr_expect_eq(r->reserved_bytes, 4 << 20);
	/* 1024 pages x 4000 ms, less a's 256 pages x 2000 ms */
	cr_expect_eq(r->reserved_idle_page_ms, 1024 * 4000 - 256 * 2000);
	cr_expect_eq(r->managed_bytes, 12 << 20);
	/* a: one bitmap search; its free: one bitmap clear; big: one search */
	cr_expect_eq(r->cost_ns[CMASIM_COST_BUDDY], 300);
	cr_expect_eq(r->zones[0].free_pages, 3072);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

Test(policy_other, buddy_gives_the_pool_back)
{
	const char *set[] = { "size=4MiB", NULL };
	struct cmasim_config *cfg;
	struct cmasim_results *carve = replay_on(machine, pool_workload, "carveout", set, &cfg);
	struct cmasim_config *cfg2;
	struct cmasim_results *buddy = replay_on(machine, pool_workload, "buddy", NULL, &cfg2);

	/* buddy serves both from the page allocator, and manages the pool's 1024 pages too */
	cr_expect_eq(buddy->dma_ok, 2);
	cr_expect_eq(buddy->reserved_bytes, 0);
	cr_expect_eq(buddy->reserved_idle_page_ms, 0);
	cr_expect_eq(buddy->managed_bytes - carve->managed_bytes, 4 << 20);
	cr_expect_eq(buddy->zones[0].free_pages - carve->zones[0].free_pages, 1024);
	cmasim_results_free(carve);
	cmasim_results_free(buddy);
	cmasim_config_free(cfg);
	cmasim_config_free(cfg2);
}

Test(policy_other, carveout_fails_when_fragmented)
{
	const char *set[] = { "size=4MiB", NULL };
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(
		machine,
		"name: holes\n"
		"events:\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 1MiB, id: a }\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 1MiB, id: b }\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 1MiB, id: c }\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 1MiB, id: d }\n"
		"  - { t: 1ms, op: dma_free, id: b }\n"
		"  - { t: 1ms, op: dma_free, id: d }\n"
		/* 512 pages free in two runs of 256: no 512-page window */
		"  - { t: 2ms, op: dma_alloc, device: dev, size: 2MiB, id: e }\n"
		"  - { t: 2ms, op: dma_alloc, device: dev, size: 1MiB, id: f }\n",
		"carveout", set, &cfg);

	cr_expect_eq(r->dma_ok, 5);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_FRAGMENTED], 1);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/*
 * 1 MiB, one Normal zone of 256 pages in 16 blocks of order 4 (the largest);
 * a movable page in the middle of every block leaves no order-4 block free.
 */
static const char tiny_machine[] =
	"memory: { size: 1MiB, max_page_order: 4, pageblock_order: 4, min_free_kbytes: 128 }\n"
	"devices: [ { name: dev, dma_bits: 32 } ]\n"
	"costs: { buddy_op: 100ns, page_zero: 0, cache_line_op: 0, cache_barrier: 0,\n"
	"         tlb_flush_page: 0, kmap: 0, iommu_map_page: 250ns }\n";

static const char fragmented[] =
	"name: fragmented\n"
	"events:\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 8, id: p0 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 24, id: p1 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 40, id: p2 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 56, id: p3 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 72, id: p4 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 88, id: p5 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 104, id: p6 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 120, id: p7 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 136, id: p8 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 152, id: p9 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 168, id: p10 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 184, id: p11 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 200, id: p12 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 216, id: p13 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 232, id: p14 }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 248, id: p15 }\n"
	"  - { t: 1ms, op: dma_alloc, device: dev, size: 64KiB, id: buf }\n"
	"  - { t: 2ms, op: cpu, buffer: buf, access: write, bytes: 64KiB }\n";

Test(policy_other, iommu_succeeds_where_buddy_is_fragmented)
{
	const char *no_compaction[] = { "compaction=false", NULL };
	struct cmasim_config *cfg;
	struct cmasim_results *buddy = replay_on(tiny_machine, fragmented, "buddy", no_compaction,
						 &cfg);
	struct cmasim_config *cfg2;
	struct cmasim_results *iommu = replay_on(tiny_machine, fragmented, "iommu", NULL, &cfg2);

	cr_expect_eq(buddy->dma_failed[CMASIM_DMA_FRAGMENTED], 1);
	cr_expect_eq(iommu->dma_ok, 1);
	/* 16 order-0 pages, each one buddy call and one IOMMU entry */
	cr_expect_eq(iommu->cost_ns[CMASIM_COST_IOMMU], 16 * 250);
	cr_expect_eq(iommu->cost_ns[CMASIM_COST_BUDDY], 16 * 100);
	cr_expect_eq(iommu->latency.max, 16 * 250 + 16 * 100);
	/*
	 * No free run outside the placed pages is longer than 15 pages, so the
	 * 16 are not consecutive: the CPU writes all of them, 1024 lines,
	 * through one mapping of the page list, and every page counts as held.
	 */
	cr_expect_eq(iommu->dma_bytes_peak, 64 * 1024);
	cr_expect_eq(iommu->dma_waste_bytes_peak, 0);
	cr_expect_eq(iommu->cpu_accesses, 1024);
	cr_expect_eq(iommu->cpu_faults, 0);
	cmasim_results_free(buddy);
	cmasim_results_free(iommu);
	cmasim_config_free(cfg);
	cmasim_config_free(cfg2);
}

/*
 * Page cache fills cma's area (four order-8 blocks of clean file pages at
 * pfns 3072-4095); under gcma the same 1024 pages are read and evicted,
 * and cleancache puts them in its area, at the same place, lowest frame
 * first. A 1 MiB buffer then takes the first 256 frames: cma reclaims the
 * 256 pages there, gcma drops the 256 copies, each at reclaim_page (2.7
 * us), and each is a refault to come (100 us, the default, charged to no
 * request).
 */
Test(policy_other, gcma_drops_what_cma_reclaims_at_the_same_price)
{
	struct cmasim_config *cfg;
	struct cmasim_results *cma = replay_on(
		cma_machine,
		"name: cached\n"
		"events:\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 8, pfn: 3072, owner: file, id: f0 }\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 8, pfn: 3328, owner: file, id: f1 }\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 8, pfn: 3584, owner: file, id: f2 }\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 8, pfn: 3840, owner: file, id: f3 }\n"
		"  - { t: 1ms, op: dma_alloc, device: dev, size: 1MiB, id: buf }\n",
		"cma", NULL, &cfg);
	struct cmasim_config *cfg2;
	struct cmasim_results *gcma = replay_on(
		cma_machine,
		"name: evicted\n"
		"events:\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 0, count: 1024, owner: file, id: f }\n"
		"  - { t: 0, op: free, id: f }\n"
		"  - { t: 1ms, op: dma_alloc, device: dev, size: 1MiB, id: buf }\n",
		"gcma", NULL, &cfg2);

	cr_expect_eq(cma->dma_ok, 1);
	cr_expect_eq(cma->reclaimed_pages, 256);
	cr_expect_eq(cma->refaulted_pages, 256);
	cr_expect_eq(gcma->dma_ok, 1);
	cr_expect_eq(gcma->cleancache_puts, 1024);
	cr_expect_eq(gcma->reclaimed_pages, 256);
	cr_expect_eq(gcma->refaulted_pages, 256);
	cr_expect_eq(gcma->cost_ns[CMASIM_COST_REFAULT], 256 * 100000);
	/* each put a page copied, 2 us by default */
	cr_expect_eq(gcma->cost_ns[CMASIM_COST_CLEANCACHE], 1024 * 2000);
	/* one bitmap search, then 256 copies dropped at reclaim_page each */
	cr_expect_eq(gcma->latency.max, 100 + 256 * 2700);
	/*
	 * cma: the LRU drain (50 us), 256 pages reclaimed at 2.7 us, and the
	 * post-allocation hook on each page taken (100 ns): no migration to
	 * spare, so gcma is faster only by the drain and the hooks
	 */
	cr_expect_eq(cma->latency.max, 50000 + 256 * 2700 + 256 * 100);
	cmasim_results_free(cma);
	cmasim_results_free(gcma);
	cmasim_config_free(cfg);
	cmasim_config_free(cfg2);
}

/*
 * gcma's area (1024 frames) starts empty: a buffer asked for before any
 * eviction drops nothing. With reread=50 each page-cache read asks
 * cleancache for half its pages, newest copies first:
 *   1 ms  read a (1024): 512 asked, none there; a evicted: frames 0-1023;
 *   2 ms  read b (256): 128 asked, frames 1023-896 come back; b evicted:
 *         128 puts in frames 896-1023, then 128 replace the oldest copies,
 *         frames 0-127;
 *   3 ms  read c (100): 50 asked, frames 127-78 come back;
 *   4 ms  a 1 MiB buffer takes frames 0-255: copies in 0-77 and 128-255,
 *         206 of them, are dropped.
 * Idle frames: 768 (the early buffer held 256) for the first ms, none
 * while copies or buffers fill the area, 50 from 3 ms to 4 ms.
 */
Test(policy_other, gcma_holds_only_what_the_page_cache_put_there)
{
	const char *set[] = { "reread=50", NULL };
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(
		cma_machine,
		"name: cleancache\n"
		"events:\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 1MiB, id: early }\n"
		"  - { t: 1ms, op: dma_free, id: early }\n"
		"  - { t: 1ms, op: alloc, migratetype: movable, order: 0, count: 1024, owner: file, id: a }\n"
		"  - { t: 1ms, op: free, id: a }\n"
		"  - { t: 2ms, op: alloc, migratetype: movable, order: 0, count: 256, owner: file, id: b }\n"
		"  - { t: 2ms, op: free, id: b }\n"
		"  - { t: 3ms, op: alloc, migratetype: movable, order: 0, count: 100, owner: file, id: c }\n"
		"  - { t: 4ms, op: dma_alloc, device: dev, size: 1MiB, id: late }\n",
		"gcma", set, &cfg);

	cr_expect_eq(r->dma_ok, 2);
	cr_expect_eq(r->latency.min, 100, "the early buffer dropped nothing");
	cr_expect_eq(r->cleancache_puts, 1024 + 256);
	cr_expect_eq(r->cleancache_gets, 128 + 50);
	cr_expect_eq(r->reclaimed_pages, 206);
	cr_expect_eq(r->refaulted_pages, 206);
	cr_expect_eq(r->latency.max, 100 + 206 * 2700);
	cr_expect_eq(r->reserved_idle_page_ms, 768 + 50);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/* Four 64 KiB atomic buffers fill a 256 KiB pool; the fifth waits for a free. */
Test(policy_other, atomic_pool_fills_and_frees)
{
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(
		machine,
		"name: atomic\n"
		"events:\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 64KiB, atomic: true, id: a }\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 64KiB, atomic: true, id: b }\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 64KiB, atomic: true, id: c }\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 64KiB, atomic: true, id: d }\n"
		"  - { t: 1ms, op: dma_alloc, device: dev, size: 64KiB, atomic: true, id: e }\n"
		"  - { t: 2ms, op: dma_free, id: b }\n"
		"  - { t: 3ms, op: dma_alloc, device: dev, size: 64KiB, atomic: true, id: f }\n"
		/* not atomic: the policy's own, from the page allocator */
		"  - { t: 4ms, op: dma_alloc, device: dev, size: 64KiB, id: g }\n",
		"buddy", NULL, &cfg);

	cr_expect_eq(r->dma_requests, 7);
	cr_expect_eq(r->dma_ok, 6);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_ATOMIC_POOL_EMPTY], 1);
	/* the pool's 64 pages and g's 16 stay allocated */
	cr_expect_eq(r->zones[0].free_pages, 4096 - 64 - 16);
	/* six pool searches, one pool free, g's one buddy call */
	cr_expect_eq(r->cost_ns[CMASIM_COST_BUDDY], 6 * 100 + 100 + 100);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

Test(policy_other, atomic_pool_size_is_the_config_key)
{
	const char *set[] = { "size=4MiB", NULL };
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(
		MACHINE "atomic_pool: 64KiB\n",
		"name: atomic\n"
		"events:\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 64KiB, atomic: true, id: a }\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 4KiB, atomic: true, id: b }\n",
		"carveout", set, &cfg);

	/* a fills the 16-page pool; the pool, not the carve-out, serves atomic requests */
	cr_expect_eq(r->dma_ok, 1);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_ATOMIC_POOL_EMPTY], 1);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/*
 * buddy against cma on the small machine with an 8 MiB CMA area (pfns
 * 2048..4095); the largest buddy block is order 10, 4 MiB. A 6 MiB request
 * (1536 pages, order 11) is above it: buddy fails it as too large whatever
 * is free, while cma takes 1536 pages of its area.
 */
Test(policy_other, buddy_fails_above_its_largest_block_where_cma_succeeds)
{
	static const char big_area[] = MACHINE "cma: [ { size: 8MiB } ]\n";
	static const char big[] =
		"name: big\nevents:\n"
		"  - { t: 1ms, op: dma_alloc, device: dev, size: 6MiB, id: big }\n";
	struct cmasim_results *buddy = replay_on(big_area, big, "buddy", NULL, NULL);
	struct cmasim_results *cma = replay_on(big_area, big, "cma", NULL, NULL);

	cr_expect_eq(buddy->dma_ok, 0);
	cr_expect_eq(buddy->dma_failed[CMASIM_DMA_TOO_LARGE], 1);
	cr_expect_eq(cma->dma_ok, 1);
	cr_expect_eq(cma->dma_bytes_peak, 6 << 20);
	cmasim_results_free(buddy);
	cmasim_results_free(cma);
}

/*
 * 32 MiB, eight pageblocks of 1024 pages, the top one a 4 MiB CMA area
 * (pfns 7168..8191): room for compaction, which needs twice the request
 * free (compact_gap()).
 */
static const char fragmenting_machine[] =
	MACHINE_OF("{ size: 32MiB, min_free_kbytes: 128 }") "cma: [ { size: 4MiB } ]\n";

/*
 * In each of the seven low pageblocks a kernel page sits at the start,
 * movable pages fill the rest of the first half (orders 0..8 at 1, 2, 4,
 * ..., 256) and the second half is free, one order-9 block. The top
 * block gets movable pages in its first half. Then the kernel asks the
 * allocator, not a pfn, for one more order-9 block, and a device for 4 MiB.
 */
static char *fragmenting_trace(void)
{
	GString *t = g_string_new("name: fragmenting\nevents:\n");

	for (unsigned int b = 0; b < 7; b++) {
		g_string_append_printf(t, "  - { t: 0, op: alloc, migratetype: unmovable, order: 0, "
					  "pfn: %u, id: k%u }\n", b * 1024, b);
		for (unsigned int o = 0; o <= 8; o++)
			g_string_append_printf(t, "  - { t: 0, op: alloc, migratetype: movable, "
						  "order: %u, pfn: %u, id: m%u_%u }\n",
					       o, b * 1024 + (1u << o), b, o);
	}
	g_string_append(t, "  - { t: 0, op: alloc, migratetype: movable, order: 9, pfn: 7168, "
			   "id: top }\n"
			   "  - { t: 1ms, op: alloc, migratetype: unmovable, order: 9, id: slab }\n"
			   "  - { t: 2ms, op: dma_alloc, device: dev, size: 4MiB, id: buf }\n");
	return g_string_free(t, FALSE);
}

/*
 * Where the kernel's order-9 block goes decides everything. Splitting a
 * free block puts the remainder at the head of its list (expand()), so the
 * top block's hole, split last, heads the order-9 MOVABLE list.
 *
 * buddy: no UNMOVABLE block is free, so __rmqueue_fallback() takes the
 * head of that list, the top block's hole at 7680, stealing the block.
 * Every pageblock now holds an unmovable page, which compaction cannot
 * move: the 4 MiB (order-10) request fails as fragmented, with 3584 pages
 * free (seven order-9 halves), three and a half times what it needs.
 *
 * cma: the top block is the CMA area and fallbacks[] never reach
 * MIGRATE_CMA, so the kernel's block comes from the last low block's hole
 * (6656). The area holds only movable pages: cma_alloc() migrates its 512
 * into the low blocks' free halves and serves the request. The kernel's
 * allocation succeeds under both, and at the end cma has the buffer's 1024
 * pages fewer free.
 */
Test(policy_other, buddy_fails_under_fragmentation_where_cma_succeeds)
{
	g_autofree char *trace = fragmenting_trace();
	struct cmasim_results *buddy = replay_on(fragmenting_machine, trace, "buddy", NULL, NULL);
	struct cmasim_results *cma = replay_on(fragmenting_machine, trace, "cma", NULL, NULL);

	cr_expect_eq(buddy->bg_alloc_failed_pages, 0);
	cr_expect_eq(cma->bg_alloc_failed_pages, 0);
	cr_expect_eq(buddy->dma_ok, 0);
	cr_expect_eq(buddy->dma_failed[CMASIM_DMA_FRAGMENTED], 1);
	cr_expect_eq(buddy->zones[0].free_pages, 3584);
	cr_expect_eq(buddy->zones[0].largest_free_order, 9);
	cr_expect_eq(cma->dma_ok, 1);
	cr_expect_eq(cma->migrated_pages, 512);
	cr_expect_eq(cma->dma_bytes_peak, 4 << 20);
	cr_expect_eq(cma->zones[0].free_pages, 3584 - 1024);
	cmasim_results_free(buddy);
	cmasim_results_free(cma);
}

/*
 * cma-flush keeps its own buffers cacheable and maintains them around
 * each transfer: a 16 KiB transfer to the device cleans 256 lines. An
 * atomic buffer comes from the pool's uncached mapping and needs none.
 */
Test(policy_other, atomic_buffers_need_no_maintenance_under_cma_flush)
{
	struct cmasim_results *r = replay_on(
		cma_machine,
		"name: atomic-transfer\n"
		"events:\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 16KiB, atomic: true, id: a }\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 16KiB, id: b }\n"
		"  - { t: 1ms, op: dma, device: dev, buffer: a, direction: to_device, bytes: 16KiB }\n"
		"  - { t: 2ms, op: dma, device: dev, buffer: b, direction: to_device, bytes: 16KiB }\n",
		"cma-flush", NULL, NULL);

	cr_expect_eq(r->dma_ok, 2);
	cr_expect_eq(r->cache_maintenance_lines, 16 * 1024 / 64);
	cr_expect_eq(r->cache_flush_alls, 0);
	cmasim_results_free(r);
}

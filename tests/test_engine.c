// SPDX-License-Identifier: GPL-2.0-only
/*
 * End to end: a small hand-built workload replayed under the buddy policy,
 * with every figure worked out by hand from the allocator's rules.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cmasim/engine.h"
#include "cmasim/error.h"
#include "cmasim/report.h"
#include "helpers.h"

/*
 * 1 MiB: 256 pages; DMA pfns 0..63, Normal 64..255; order-4 blocks are
 * pageblocks. min_free_kbytes 128 -> pages_min 32, shared by managed pages:
 * DMA min 32*64/256 = 8, Normal 24; neither matters below.
 */
static const char machine[] =
	"name: tiny\n"
	"memory:\n"
	"  size: 1MiB\n"
	"  max_page_order: 4\n"
	"  pageblock_order: 4\n"
	"  min_free_kbytes: 128\n"
	"  zones: [ { type: DMA, size: 256KiB }, { type: Normal, size: 768KiB } ]\n"
	"devices:\n"
	"  - { name: dev32, dma_bits: 32 }\n"
	"  - { name: devlow, dma_bits: 18 }\n"
	"  - { name: devtiny, dma_bits: 16 }\n"
	/*
	 * cache maintenance is free here, so latencies are the allocator's
	 * alone; moving a page costs 2 + 55 us (buddy_compacts_on_failure)
	 */
	"costs: { buddy_op: 100ns, page_zero: 1us, cache_line_op: 0, cache_barrier: 0,\n"
	"         page_copy: 2us, migrate_page: 55us }\n";

static const char workload[] =
	"name: by-hand\n"
	"seed: 5\n"
	"events:\n"
	/* order 1: claims Normal's block 64 for UNMOVABLE, gets 64-65: 100 + 2 x 1000 */
	"  - { t: 0, op: dma_alloc, device: dev32, size: 8KiB, id: a }\n"
	/* 3 pages, order 2: 68-71 from the split, 71 trimmed: 100 + 100 + 3 x 1000 */
	"  - { t: 1ms, op: dma_alloc, device: dev32, size: 12KiB, id: b }\n"
	/* order 5 > max order 4: fails at once */
	"  - { t: 2ms, op: dma_alloc, device: dev32, size: 128KiB, id: big }\n"
	/* 18 bits reach only the DMA zone (its last byte is 0x3ffff): 100 + 1000 */
	"  - { t: 3ms, op: dma_alloc, device: devlow, size: 4KiB, id: c }\n"
	/* 16 bits reach no whole zone */
	"  - { t: 4ms, op: dma_alloc, device: devtiny, size: 4KiB, id: tiny }\n"
	/* one page in the middle of every order-4 block still whole */
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 24, id: p16 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 40, id: p32 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 56, id: p48 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 88, id: p80 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 104, id: p96 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 120, id: p112 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 136, id: p128 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 152, id: p144 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 168, id: p160 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 184, id: p176 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 200, id: p192 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 216, id: p208 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 232, id: p224 }\n"
	"  - { t: 5ms, op: alloc, migratetype: movable, order: 0, pfn: 248, id: p240 }\n"
	/*
	 * No order-4 block is left anywhere, yet 176 + 60 pages are free:
	 * fragmented, after the one buddy call that failed: 100
	 */
	"  - { t: 6ms, op: dma_alloc, device: dev32, size: 64KiB, id: d }\n"
	/* block 240 merges whole again and is claimed: 100 + 16 x 1000 */
	"  - { t: 7ms, op: free, id: p240 }\n"
	"  - { t: 8ms, op: dma_alloc, device: dev32, size: 64KiB, id: e }\n"
	"  - { t: 9ms, op: sample }\n";

/* The by-hand workload under buddy, the pages in the way left where they are. */
static struct cmasim_results *run(const char *set_trim, struct cmasim_config **cfg_out)
{
	/* see buddy_compacts_on_failure for what compaction would do */
	const char *set[] = { set_trim, "compaction=false", NULL };

	return replay_on(machine, workload, "buddy", set, cfg_out);
}

Test(engine, buddy_by_hand)
{
	struct cmasim_config *cfg;
	struct cmasim_results *r = run("trim=true", &cfg);

	cr_expect_eq(r->events, 23);
	cr_expect_eq(r->end_ns, 9000000);
	cr_expect_eq(r->dma_requests, 7);
	cr_expect_eq(r->dma_ok, 4);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_TOO_LARGE], 1);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_UNREACHABLE], 1);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_FRAGMENTED], 1);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_NO_MEMORY], 0);
	/* dev32: a, b, big, d, e; devlow: c; devtiny: tiny */
	cr_expect(r->devices[0].requests == 5 && r->devices[0].ok == 3);
	cr_expect(r->devices[1].requests == 1 && r->devices[1].ok == 1);
	cr_expect(r->devices[2].requests == 1 && r->devices[2].ok == 0);
	/* orders: a 1, b 2, big 5, c 0, tiny 0, d 4, e 4 */
	cr_expect(r->size_class[0].requests == 2 && r->size_class[0].ok == 1);
	cr_expect(r->size_class[4].requests == 2 && r->size_class[4].ok == 1);
	cr_expect(r->size_class[5].requests == 1 && r->size_class[5].ok == 0);

	/*
	 * Latencies a 2100, b 3200, big 0, c 1100, tiny 0, d 100, e 16100: the
	 * four served apart from the three that failed (big, tiny, d).
	 */
	cr_expect_eq(r->latency.count, 4);
	cr_expect_eq(r->latency.sum, 22500);
	cr_expect_eq(r->latency.max, 16100);
	/* rank 2 of 1100, 2100, 3200, 16100 is 2100, alone in its bucket [2048, 2111] */
	cr_expect_eq(cmasim_hist_percentile(&r->latency, 500), 2100);
	/* rank 4 is 16100, alone in bucket [15872, 16127] */
	cr_expect_eq(cmasim_hist_percentile(&r->latency, 990), 16100);
	cr_expect_eq(r->fail_latency.count, 3);
	cr_expect_eq(r->fail_latency.sum, 100);
	cr_expect_eq(r->fail_latency.max, 100);
	/* rank 2 of 0, 0, 100 */
	cr_expect_eq(cmasim_hist_percentile(&r->fail_latency, 500), 0);
	cr_expect_eq(r->cost_ns[CMASIM_COST_BUDDY], 100 + 200 + 100 + 100 + 100);
	cr_expect_eq(r->cost_ns[CMASIM_COST_ZEROING], 2000 + 3000 + 1000 + 16000);

	/* held at the end: a 2 + b 3 + c 1 + e 16 pages, all asked for */
	cr_expect_eq(r->dma_bytes_peak, 22 * 4096);
	cr_expect_eq(r->dma_waste_bytes_peak, 0);
	cr_expect_eq(r->bg_alloc_pages, 14);
	cr_expect_eq(r->bg_free_pages, 1);
	cr_expect_eq(r->managed_bytes, 1 << 20);
	/* lowest free: 256 - 22 - 13 = 221 pages, at the end */
	cr_expect_eq(r->free_bytes_min, 221 * 4096);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

Test(engine, buddy_without_trim_holds_the_whole_block)
{
	struct cmasim_config *cfg;
	struct cmasim_results *r = run("trim=false", &cfg);

	/* b keeps all 4 pages of its order-2 block: one page more, no trim cost */
	cr_expect_eq(r->dma_bytes_peak, 23 * 4096);
	cr_expect_eq(r->dma_waste_bytes_peak, 4096);
	cr_expect_eq(r->cost_ns[CMASIM_COST_BUDDY], 100 + 100 + 100 + 100 + 100);
	cr_expect_eq(r->dma_ok, 4);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

Test(engine, same_run_twice_gives_identical_json)
{
	GString *out[2];

	for (int i = 0; i < 2; i++) {
		struct cmasim_config *cfg;
		struct cmasim_results *r = run("trim=true", &cfg);

		out[i] = g_string_new(NULL);
		cmasim_report_results(r, cfg, &(struct cmasim_report_options){ CMASIM_FORMAT_JSON },
				      out[i]);
		cmasim_results_free(r);
		cmasim_config_free(cfg);
	}
	cr_expect_str_eq(out[0]->str, out[1]->str);
	cr_expect(strstr(out[0]->str, "\"schema\": \"" CMASIM_JSON_SCHEMA "\""));
	cr_expect(strstr(out[0]->str, "\"dma_latency_ns_p99\": 16100,"));
	cr_expect(strstr(out[0]->str, "\"dma_fail_latency_ns_max\": 100,"));
	/* 4 of 7, and 3 of 7, to four decimals */
	cr_expect(strstr(out[0]->str, "\"dma_success_rate\": 0.5714,"));
	cr_expect(strstr(out[0]->str, "\"dma_failed_rate\": 0.4286,"));
	g_string_free(out[0], TRUE);
	g_string_free(out[1], TRUE);
}

Test(engine, bad_policy_parameter_names_what_is_expected)
{
	GError *error = NULL;
	struct cmasim_param_values values;
	const char *set[] = { "trim=maybe", NULL }, *set2[] = { "frobnicate=1", NULL };

	cr_expect_not(cmasim_policy_params(cmasim_policy_find("buddy"), set, &values, &error));
	cr_expect_str_eq(error->message, "--set trim=maybe: expected true or false for trim");
	g_clear_error(&error);
	cr_expect_not(cmasim_policy_params(cmasim_policy_find("buddy"), set2, &values, &error));
	cr_expect_str_eq(error->message, "--set frobnicate=1: policy buddy has no such parameter "
					 "(expected name=value with one of: trim, compaction, contig)");
	g_clear_error(&error);
}

/*
 * 1 MiB, one Normal zone, pageblocks of 4 pages, blocks up to order 4; a
 * 64 KiB CMA area at the top of lowmem: pfns 240-255, pageblocks 240, 244,
 * 248 and 252, one bitmap bit a page. Boot leaves Normal's other pages in
 * order-4 blocks 0..224 on the Movable lists.
 */
static const char cma_machine[] =
	"name: tiny-cma\n"
	"memory: { size: 1MiB, max_page_order: 4, pageblock_order: 2, min_free_kbytes: 128 }\n"
	"devices: [ { name: dev32, dma_bits: 32 } ]\n"
	"costs: { buddy_op: 100ns, page_zero: 1us, page_copy: 2us, migrate_page: 10us,\n"
	"         reclaim_page: 1us, lru_drain: 50us, cache_line_op: 0, cache_barrier: 0 }\n";

static const char cma_workload[] =
	"name: cma-by-hand\n"
	"events:\n"
	/* movable pages placed inside the area; p is pinned */
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 241, id: a }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 1, pfn: 246, id: b }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 249, id: p, pin: true }\n"
	/*
	 * 4 pages, align min(order 2, 8): window 240-243 holds a, which moves
	 * to pfn 0 (Movable's first order-4 block, split): drain 50 us, copy
	 * and remap 12 us, 4 pages taken 400 ns, zeroed 4 us = 66.4 us.
	 */
	"  - { t: 1ms, op: dma_alloc, device: dev32, size: 16KiB, id: x }\n"
	/*
	 * At the same time: waits 66.4 us for the CMA mutex; then window
	 * 244-247 holds b, which moves to pfn 2 (M1's block from that split):
	 * 50 + 24 + 0.4 + 4 = 78.4 us, latency 144.8 us.
	 */
	"  - { t: 1ms, op: dma_alloc, device: dev32, size: 16KiB, id: y }\n"
	/*
	 * Window 248-251 is busy with the pinned p (drain paid, 50 us); the
	 * search resumes at 8 + 3 + 1 = 12: 252-255 is free, nothing to move:
	 * 50 + 50 + 0.4 + 4 = 104.4 us.
	 */
	"  - { t: 2ms, op: dma_alloc, device: dev32, size: 16KiB, id: z }\n"
	/* only 248-251 is left, still busy: fails busy after one drain, 50 us */
	"  - { t: 3ms, op: dma_alloc, device: dev32, size: 16KiB, id: w }\n"
	"  - { t: 4ms, op: unpin, id: p }\n"
	/* now p moves to pfn 1 (M0's page from the first split): 66.4 us */
	"  - { t: 5ms, op: dma_alloc, device: dev32, size: 16KiB, id: v }\n"
	/* frees reach the blocks where migration put them */
	"  - { t: 6ms, op: free, id: a }\n"
	"  - { t: 6ms, op: free, id: b }\n"
	"  - { t: 6ms, op: free, id: p }\n"
	"  - { t: 7ms, op: dma_free, id: x }\n"
	"  - { t: 7ms, op: dma_free, id: y }\n"
	"  - { t: 7ms, op: dma_free, id: z }\n"
	"  - { t: 7ms, op: dma_free, id: v }\n";

Test(engine, cma_by_hand)
{
	const char *set[] = { "size=64KiB", NULL };
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(cma_machine, cma_workload, "cma", set, &cfg);

	cr_expect_eq(r->dma_requests, 5);
	cr_expect_eq(r->dma_ok, 4);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_BUSY], 1);
	/* served: 66.4 + 144.8 + 104.4 + 66.4 us; w failed after 50 us */
	cr_expect_eq(r->latency.sum, 382000);
	cr_expect_eq(r->latency.max, 144800);
	cr_expect_eq(r->fail_latency.count, 1);
	cr_expect_eq(r->fail_latency.sum, 50000);
	cr_expect_eq(r->cost_ns[CMASIM_COST_MUTEX_WAIT], 66400);
	cr_expect_eq(r->cost_ns[CMASIM_COST_LRU_DRAIN], 6 * 50000);
	cr_expect_eq(r->cost_ns[CMASIM_COST_MIGRATION], 4 * 12000);
	cr_expect_eq(r->migrated_pages, 4);
	cr_expect_eq(r->reclaimed_pages, 0);
	/* p was in the way twice: z's first window and w's only one */
	cr_expect_eq(r->migrate_busy_pinned_pages, 2);
	cr_expect_eq(r->contig_attempts, 6);
	/*
	 * mm/cma.c (6.1): cma_alloc() traces a busy retry after every -EBUSY,
	 * w's last one too before it finds no other window
	 */
	cr_expect_eq(r->contig_retries, 2);
	/* everything given back: all 256 pages free again */
	cr_expect_eq(r->zones[0].free_pages, 256);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/*
 * A long-term pin (FOLL_LONGTERM) of a page in CMA moves it out first
 * (mm/gup.c: check_and_migrate_movable_pages(), 6.1): the target is
 * GFP_USER without __GFP_MOVABLE (PF_MEMALLOC_PIN) and without ALLOC_CMA,
 * so an UNMOVABLE request: its lists are empty, it falls back to the
 * Movable order-4 block at 0 (order 4 >= pageblock order: claimed whole)
 * and p goes 241 -> 0: copy and remap 12 us. The request then finds
 * 240-243 free: drain 50 us, 4 pages 0.4 us, zeroed 4 us = 54.4 us.
 * Under 3.5 the pin stays: 240-243 is busy (50 us), 244-247 is free
 * (54.4 us): 104.4 us.
 */
static const char longterm_pin_workload[] =
	"name: longterm-pin\n"
	"events:\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 241, id: p }\n"
	"  - { t: 0, op: pin, id: p }\n"
	"  - { t: 1ms, op: dma_alloc, device: dev32, size: 16KiB, id: x }\n";

Test(engine, longterm_pin_moves_out_of_cma)
{
	const char *set[] = { "size=64KiB", NULL };
	struct cmasim_results *r = replay_on(cma_machine, longterm_pin_workload, "cma", set, NULL);

	cr_expect_eq(r->pin_migrated_pages, 1);
	cr_expect_eq(r->pin_failed_pages, 0);
	cr_expect_eq(r->cost_ns[CMASIM_COST_MIGRATION], 12000);
	cr_expect_eq(r->dma_ok, 1);
	cr_expect_eq(r->latency.sum, 54400);
	cr_expect_eq(r->contig_attempts, 1);
	cr_expect_eq(r->migrate_busy_pinned_pages, 0);
	cmasim_results_free(r);

	r = replay_kernel(cma_machine, longterm_pin_workload, "cma", set, "3.5", NULL);
	cr_expect_eq(r->pin_migrated_pages, 0);
	cr_expect_eq(r->dma_ok, 1);
	cr_expect_eq(r->latency.sum, 50000 + 54400);
	cr_expect_eq(r->contig_attempts, 2);
	cr_expect_eq(r->migrate_busy_pinned_pages, 1);
	cmasim_results_free(r);
}

/*
 * y is cancelled while it waits for the CMA mutex, and the trace gives its
 * id to the background allocation z before the mutex comes. x takes 66.4
 * us as in cma_by_hand; y, asked at 1.01 ms, waits 56.4 us, then takes the
 * free window 244-247: drain 50 us, 4 pages 0.4 us, zeroed 4 us, 110.8 us
 * in all, and goes straight back. z keeps its page: everything is freed
 * at the end, all 256 pages free again.
 */
static const char cancelled_workload[] =
	"name: cancelled-while-waiting\n"
	"events:\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 241, id: a }\n"
	"  - { t: 1ms, op: dma_alloc, device: dev32, size: 16KiB, id: x }\n"
	"  - { t: 1010us, op: dma_alloc, device: dev32, size: 16KiB, id: y }\n"
	"  - { t: 1020us, op: dma_free, id: y }\n"
	"  - { t: 1030us, op: alloc, migratetype: movable, order: 0, id: z }\n"
	"  - { t: 2ms, op: free, id: z }\n"
	"  - { t: 2ms, op: free, id: a }\n"
	"  - { t: 2ms, op: dma_free, id: x }\n";

Test(engine, cancelled_request_leaves_its_reused_id_alone)
{
	const char *set[] = { "size=64KiB", NULL };
	struct cmasim_results *r = replay_on(cma_machine, cancelled_workload, "cma", set, NULL);

	cr_expect_eq(r->dma_requests, 2);
	cr_expect_eq(r->dma_ok, 2);
	cr_expect_eq(r->latency.max, 110800);
	cr_expect_eq(r->latency.sum, 66400 + 110800);
	cr_expect_eq(r->cost_ns[CMASIM_COST_MUTEX_WAIT], 56400);
	cr_expect_eq(r->dma_bytes_peak, 32 * 1024);
	cr_expect_eq(r->bg_alloc_pages, 2);
	cr_expect_eq(r->bg_free_pages, 2);
	cr_expect_eq(r->zones[0].free_pages, 256);
	cmasim_results_free(r);
}

/* The same tiny machine with two devices and the CMA areas @areas declares. */
#define TWO_DEVICE_MACHINE(areas) \
	"memory: { size: 1MiB, max_page_order: 4, pageblock_order: 2, min_free_kbytes: 128 }\n" \
	"devices: [ { name: gpu, dma_bits: 32 }, { name: camera, dma_bits: 32 } ]\n" \
	"costs: { buddy_op: 100ns, page_zero: 1us, page_copy: 2us, migrate_page: 10us,\n" \
	"         reclaim_page: 1us, lru_drain: 50us, cache_line_op: 0, cache_barrier: 0 }\n" areas

static const char pinning_gpu_workload[] =
	"name: gpu-pins\n"
	"events:\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 241, id: p, pin: true }\n"
	"  - { t: 1ms, op: dma_alloc, device: gpu, size: 32KiB, id: g }\n"
	"  - { t: 2ms, op: dma_alloc, device: camera, size: 32KiB, id: c }\n";

/*
 * One area per device: gpu's (pfns 240-247) holds its own pinned page, so
 * its only 8-page window is busy: the drain, 50 us, then failure. camera's
 * area (248-255) is untouched: drain 50 us, 8 pages taken 0.8 us, zeroed
 * 8 us = 58.8 us.
 */
Test(engine, cma_area_per_device_confines_a_pin)
{
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(
		TWO_DEVICE_MACHINE("cma:\n"
				   "  - { name: gpu-area, size: 32KiB, base: 0xF0000, devices: [gpu] }\n"
				   "  - { name: cam-area, size: 32KiB, base: 0xF8000, devices: [camera] }\n"),
		pinning_gpu_workload, "cma", NULL, &cfg);

	cr_expect_eq(r->dma_failed[CMASIM_DMA_BUSY], 1);
	cr_expect_eq(r->devices[0].ok, 0, "gpu fails on its own pin");
	cr_expect_eq(r->devices[1].ok, 1, "camera is not affected");
	cr_expect_eq(r->latency.sum, 58800);
	cr_expect_eq(r->fail_latency.sum, 50000);
	cr_expect_eq(r->migrate_busy_pinned_pages, 1);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/*
 * One shared area (240-255): gpu's first window 240-247 is busy (50 us),
 * the search steps 8 pages to 248-255 and succeeds (58.8 us): 108.8 us.
 * camera then finds only the busy window: 50 us and failure. The pin now
 * costs the device that did not pin.
 */
Test(engine, cma_shared_area_spreads_a_pin)
{
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(
		TWO_DEVICE_MACHINE("cma: [ { size: 64KiB, base: 0xF0000 } ]\n"),
		pinning_gpu_workload, "cma", NULL, &cfg);

	cr_expect_eq(r->devices[0].ok, 1);
	cr_expect_eq(r->devices[1].ok, 0);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_BUSY], 1);
	cr_expect_eq(r->latency.sum, 108800);
	cr_expect_eq(r->fail_latency.sum, 50000);
	/* gpu's first window, then camera's only one */
	cr_expect_eq(r->contig_retries, 2);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/* --set size= replaces the machine's shared area; areas of devices stay. */
Test(engine, cma_size_overrides_the_shared_area)
{
	const char *set[] = { "size=32KiB", "base=0xF8000", NULL };
	struct cmasim_config *cfg;
	/* gpu's own area is 240-247 with the pin; the shared one moves to 248-255 */
	struct cmasim_results *r = replay_on(
		TWO_DEVICE_MACHINE("cma:\n"
				   "  - { size: 64KiB, base: 0xE0000 }\n"
				   "  - { name: gpu-area, size: 32KiB, base: 0xF0000, devices: [gpu] }\n"),
		pinning_gpu_workload, "cma", set, &cfg);

	cr_expect_eq(r->devices[0].ok, 0);
	cr_expect_eq(r->devices[1].ok, 1);
	cr_expect_eq(r->latency.sum, 58800);
	cr_expect_eq(r->fail_latency.sum, 50000);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/*
 * per_device=true: the shared 32 KiB area gives way to one of 32 KiB per
 * device, placed top-down in the order the devices are declared: gpu's at
 * 248-255, camera's at 240-247, where the pinned page is. gpu's request
 * now takes its clean area (58.8 us) and camera's meets the pin (50 us,
 * then failure): the areas confine the pin as declared ones do.
 */
Test(engine, cma_per_device_parameter_gives_each_device_an_area)
{
	const char *set[] = { "per_device=true", NULL };
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(TWO_DEVICE_MACHINE("cma: [ { size: 32KiB } ]\n"),
					     pinning_gpu_workload, "cma", set, &cfg);

	cr_expect_eq(r->devices[0].ok, 1);
	cr_expect_eq(r->devices[1].ok, 0);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_BUSY], 1);
	cr_expect_eq(r->latency.sum, 58800);
	cr_expect_eq(r->fail_latency.sum, 50000);
	/* camera's only window was busy */
	cr_expect_eq(r->contig_retries, 1);
	cr_expect_eq(r->zones[0].cma_pages, 16);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/*
 * per_device= with sizes, or a total split by weights, on the machine's
 * 32 KiB shared area (248-255, the top). Naming both devices, the shared
 * area goes and the new areas are placed top-down in device order: gpu's
 * 16 KiB at 252-255, camera's 32 KiB at 244-251, 12 pages of CMA. Naming
 * gpu alone, camera still shares the 32 KiB area, and gpu's 16 KiB go
 * below it, 244-247: 12 pages again, and both 16 KiB requests succeed.
 * 48 KiB split 1:2 is the first layout. A device the machine lacks, a
 * share below a pageblock (16 KiB split 1:3 leaves gpu 4 KiB) and a value
 * of no known form are refused, the last before anything runs.
 */
Test(engine, cma_per_device_sizes_and_weights)
{
	static const char *const layouts[] = {
		"per_device=gpu:16KiB,camera:32KiB", "per_device=48KiB/gpu:1,camera:2",
		"per_device=gpu:16KiB",
	};
	static const char two_requests[] =
		"name: two\n"
		"events:\n"
		"  - { t: 0, op: dma_alloc, device: gpu, size: 16KiB, id: g }\n"
		"  - { t: 1ms, op: dma_alloc, device: camera, size: 16KiB, id: c }\n";
	static const struct { const char *set, *message; } bad[] = {
		{ "per_device=npu:16KiB", "policy cma: per_device: no device \"npu\" (expected a "
		  "device of machine \"m\" without a CMA area of its own)" },
		{ "per_device=16KiB/gpu:1,camera:3", "policy cma: per_device: gpu's share of 16KiB "
		  "is less than a pageblock (expected a larger total or weight)" },
		{ "per_device=gpu", "--set per_device=gpu: expected true, false, device:size,... or "
		  "total/device:weight,... for per_device" },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(layouts); i++) {
		const char *set[] = { layouts[i], NULL };
		struct cmasim_results *r = replay_on(TWO_DEVICE_MACHINE("cma: [ { size: 32KiB } ]\n"),
						     two_requests, "cma", set, NULL);

		cr_expect_eq(r->zones[0].cma_pages, 12, "%s", layouts[i]);
		cr_expect_eq(r->dma_ok, 2, "%s", layouts[i]);
		cmasim_results_free(r);
	}
	for (unsigned int i = 0; i < G_N_ELEMENTS(bad); i++) {
		const char *set[] = { bad[i].set, NULL };
		struct cmasim_run_options opts = { .policy = cmasim_policy_find("cma"), .set = set };
		GError *error = NULL;

		cr_expect_null(try_replay(TWO_DEVICE_MACHINE("cma: [ { size: 32KiB } ]\n"),
					  two_requests, &opts, NULL, &error));
		cr_assert_not_null(error, "%s", bad[i].set);
		cr_expect_str_eq(error->message, bad[i].message);
		g_clear_error(&error);
	}
}

/*
 * Whose pins block whom. gpu's driver pins p in gpu's own area (241) and
 * q in camera's (249), short-term, so both stay. gpu's request meets p
 * (its own pin), camera's meets q (gpu's: the per-device areas do not
 * contain it); each fails busy after one busy window. q unpinned, camera
 * asks again and takes its area: the drain (50 us), q migrated (2 us of
 * copy, 10 us of remapping), 8 pages (0.8 us) and their zeroing (8 us),
 * 70.8 us.
 */
Test(engine, cma_per_device_figures_say_whose_pins_block)
{
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(
		TWO_DEVICE_MACHINE("cma:\n"
				   "  - { name: gpu-area, size: 32KiB, base: 0xF0000, devices: [gpu] }\n"
				   "  - { name: cam-area, size: 32KiB, base: 0xF8000, devices: [camera] }\n"),
		"name: whose-pins\n"
		"events:\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 241, id: p, pin: true,\n"
		"      device: gpu }\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 249, id: q }\n"
		"  - { t: 0, op: pin, id: q, longterm: false, device: gpu }\n"
		"  - { t: 1ms, op: dma_alloc, device: gpu, size: 32KiB, id: g }\n"
		"  - { t: 2ms, op: dma_alloc, device: camera, size: 32KiB, id: c }\n"
		"  - { t: 3ms, op: unpin, id: q }\n"
		"  - { t: 4ms, op: dma_alloc, device: camera, size: 32KiB, id: c2 }\n",
		"cma", NULL, &cfg);
	const struct cmasim_device_stats *gpu = &r->devices[0], *cam = &r->devices[1];

	cr_expect_eq(gpu->failed[CMASIM_DMA_BUSY], 1);
	cr_expect_eq(gpu->busy_retries, 1);
	cr_expect_eq(gpu->blocked_own_pages, 1);
	cr_expect_eq(gpu->blocked_other_pages, 0);
	cr_expect_eq(gpu->latency.count, 0);
	cr_expect_eq(cam->requests, 2);
	cr_expect_eq(cam->ok, 1);
	cr_expect_eq(cam->failed[CMASIM_DMA_BUSY], 1);
	cr_expect_eq(cam->busy_retries, 1);
	cr_expect_eq(cam->blocked_own_pages, 0);
	cr_expect_eq(cam->blocked_other_pages, 1);
	cr_expect_eq(cmasim_hist_percentile(&cam->latency, 500), 70800);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

static const char gigantic_workload[] =
	"name: above-max-order\n"
	"events:\n"
	/* an unmovable page in the first 32-page range, a movable one in the second */
	"  - { t: 0, op: alloc, migratetype: unmovable, order: 0, pfn: 3, id: u }\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 40, id: m }\n"
	/* 128 KiB is 32 pages, order 5: above this machine's largest block (order 4) */
	"  - { t: 1ms, op: dma_alloc, device: dev32, size: 128KiB, id: big }\n"
	"  - { t: 2ms, op: dma_free, id: big }\n"
	"  - { t: 3ms, op: free, id: u }\n"
	"  - { t: 3ms, op: free, id: m }\n";

/*
 * @r failed every request: no latency of a request served (null in JSON,
 * where a time of 0 would make the policy look fastest), and the time
 * each took to fail on its own. buddy refuses a block above its largest
 * order before doing anything: 0 ns.
 */
static void expect_no_latency_of_success(const struct cmasim_results *r,
					 const struct cmasim_config *cfg)
{
	g_autoptr(GString) json = g_string_new(NULL);

	cr_expect_eq(r->dma_ok, 0);
	cr_expect_eq(r->latency.count, 0);
	cr_expect_eq(r->fail_latency.count, r->dma_requests);
	cmasim_report_results(r, cfg, &(struct cmasim_report_options){ CMASIM_FORMAT_JSON }, json);
	cr_expect(strstr(json->str, "\"dma_latency_ns_p50\": null,\n"), "%s", json->str);
	cr_expect(strstr(json->str, "\"dma_latency_ns_mean\": null,\n"), "%s", json->str);
	cr_expect(strstr(json->str, "\"dma_fail_latency_ns_p99\": 0,\n"), "%s", json->str);
	cr_expect(strstr(json->str, "\"dma_success_rate\": 0.0000,\n"), "%s", json->str);
}

/*
 * With contig=true, alloc_contig_pages() scans 32-page aligned ranges:
 * [0, 32) holds the unmovable page, so isolation refuses it at once (no
 * drain, no time). [32, 64) holds m, which moves (2 + 10 us) after the
 * drain (50 us); 32 pages taken (3.2 us) and zeroed (32 us): 97.2 us.
 */
Test(engine, buddy_falls_back_to_alloc_contig_pages)
{
	const char *set[] = { "contig=true", NULL };
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(cma_machine, gigantic_workload, "buddy", NULL, &cfg);

	cr_expect_eq(r->dma_failed[CMASIM_DMA_TOO_LARGE], 1, "without the fallback");
	expect_no_latency_of_success(r, cfg);
	cmasim_results_free(r);
	cmasim_config_free(cfg);

	r = replay_on(cma_machine, gigantic_workload, "buddy", set, &cfg);
	cr_expect_eq(r->dma_ok, 1);
	cr_expect_eq(r->latency.sum, 97200);
	cr_expect_eq(r->migrated_pages, 1);
	cr_expect_eq(r->contig_attempts, 2);
	/* [0, 32) was the one busy range */
	cr_expect_eq(r->contig_retries, 1);
	cr_expect_eq(r->cost_ns[CMASIM_COST_LRU_DRAIN], 50000);
	/* free_contig_range() gave all 32 pages back: everything is free again */
	cr_expect_eq(r->zones[0].free_pages, 256);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/*
 * The kernel was seen to put about 81 MiB of 600 MiB of anonymous memory
 * into a 256 MiB CMA area on a 1 GiB arm64 machine (6.1). The rule
 * (__rmqueue(), since 5.7): a movable request takes CMA first while free
 * CMA pages exceed half the zone's free pages. With 74 MiB (18944 pages)
 * held by the kernel, 243200 pages are free, 65536 of them CMA. Movable
 * requests take MOVABLE pages while free / 2 >= 65536, i.e. until free is
 * 131071: 112129 pages. Then CMA and MOVABLE alternate, CMA first (65536 >
 * 131071 / 2; then 65535 > 131070 / 2 fails; ...), so CMA gets half of the
 * remaining 153600 - 112129 = 41471, rounded up: 20736 pages, 81 MiB, in
 * whole pageblocks: 20736 / 512 = 40.5, so 40 full blocks and one half.
 */
Test(engine, movable_pages_fill_cma_by_the_half_rule)
{
	static const char machine_yaml[] =
		"memory: { base: 0x40000000, size: 1GiB, pageblock_order: 9,\n"
		"          zones: [ { type: DMA, size: 1GiB } ] }\n"
		"devices: [ { name: dev, dma_bits: 32 } ]\n"
		"cma: [ { size: 256MiB } ]\n";
	static const char workload_yaml[] =
		"name: anon600\n"
		"events:\n"
		"  - { t: 0, op: alloc, migratetype: unmovable, order: 0, count: 18944, id: k }\n"
		"  - { t: 1ms, op: alloc, migratetype: movable, order: 0, count: 153600, id: anon }\n";
	struct cmasim_results *r = replay_on(machine_yaml, workload_yaml, "cma", NULL, NULL);

	cr_expect_eq(r->zones[0].cma_pages, 65536);
	cr_expect_eq(r->zones[0].cma_movable_pages, 20736);
	cr_expect_eq(r->zones[0].cma_free_pages, 65536 - 20736);
	/* CMA blocks holding movable pages count as mixed (page_owner's Movable column) */
	cr_expect_eq(r->zones[0].mixed_pageblocks, 41);
	cmasim_results_free(r);

	/*
	 * With per-cpu lists (4 CPUs: batch 63, high 252) the rule is asked
	 * a page at a time against NR_FREE_PAGES as it was when the batch
	 * began, and up to a batch sits on the list: the CMA share moves by
	 * less than a batch at each of the 2 allocations, and stays within
	 * 15% of the measured 81 MiB.
	 */
	g_autofree char *pcp_machine = g_strconcat(machine_yaml, "cpus: 4\n", NULL);
	r = replay_on(pcp_machine, workload_yaml, "cma", NULL, NULL);
	uint64_t lent = r->zones[0].cma_movable_pages;

	cr_expect(lent + 2 * 63 >= 20736 && lent <= 20736 + 2 * 63, "%" PRIu64 " pages", lent);
	cr_expect(lent * 100 >= 20736 * 85 && lent * 100 <= 20736 * 115);
	cmasim_results_free(r);
}

static const char file_workload[] =
	"name: page-cache\n"
	"events:\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 241, owner: file, id: f1 }\n"
	/* two order-1 blocks from Movable's first order-4 block: pfns 0 and 2 */
	"  - { t: 0, op: alloc, migratetype: movable, order: 1, count: 2, owner: file, id: f2 }\n"
	/* f1 is clean page cache: dropped, not migrated: 50 + 1 + 0.4 + 4 = 55.4 us */
	"  - { t: 1ms, op: dma_alloc, device: dev32, size: 16KiB, id: x }\n"
	/* f2's four pages go too */
	"  - { t: 2ms, op: drop_caches }\n"
	/* nothing left to free of either */
	"  - { t: 3ms, op: free, id: f1 }\n"
	"  - { t: 3ms, op: free, id: f2 }\n"
	"  - { t: 4ms, op: dma_free, id: x }\n";

Test(engine, page_cache_is_dropped_not_migrated)
{
	const char *set[] = { "size=64KiB", NULL };
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(cma_machine, file_workload, "cma", set, &cfg);

	cr_expect_eq(r->dma_ok, 1);
	cr_expect_eq(r->latency.sum, 55400);
	cr_expect_eq(r->cost_ns[CMASIM_COST_MIGRATION], 1000);
	cr_expect_eq(r->migrated_pages, 0);
	cr_expect_eq(r->reclaimed_pages, 1 + 4);
	cr_expect_eq(r->bg_alloc_pages, 5);
	cr_expect_eq(r->bg_free_pages, 0);
	cr_expect_eq(r->zones[0].free_pages, 256);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/* a movable page in the middle of every order-4 block, DMA's too */
#define STRAY_PAGES \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 8, id: p0 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 24, id: p16 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 40, id: p32 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 56, id: p48 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 72, id: p64 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 88, id: p80 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 104, id: p96 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 120, id: p112 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 136, id: p128 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 152, id: p144 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 168, id: p160 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 184, id: p176 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 200, id: p192 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 216, id: p208 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 232, id: p224 }\n" \
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 248, id: p240 }\n"

static const char compact_workload[] =
	"name: compaction\n"
	"events:\n"
	STRAY_PAGES
	/*
	 * Order 4 fails (100 ns). Direct compaction is async, and for this
	 * UNMOVABLE request suitable_migration_source() takes only Unmovable
	 * pageblocks (mm/compaction.c, 6.1): every pageblock is Movable, so
	 * Normal's and DMA's scanners meet without scanning a page (180 free
	 * pages above low 30 + 2 << 4 and an extfrag index of 1000 - (1000 +
	 * 180000 / 16) / 48 = 745 > 500 let both run). The retry (100 ns)
	 * fails: fragmented.
	 */
	"  - { t: 1ms, op: dma_alloc, device: dev32, size: 64KiB, id: d }\n";

/*
 * The same with kcompactd's sync compaction of Normal for order 4 first
 * (op: compact), which takes every pageblock: the migrate scanner isolates
 * 72; the free scanner walks pageblock 240 (its 15 free pages, split to
 * single pages) and compaction_alloc() takes the list's head, 255: 72 ->
 * 255 at 2 + 55 us, and 2 x 16 pages scanned at 10 ns: 57.32 us.
 * Pageblock 64 is free and whole: SUCCESS. The request then claims it at
 * once: 100 ns, 16 pages zeroed, 16 us.
 */
static const char kcompactd_workload[] =
	"name: kcompactd\n"
	"events:\n"
	STRAY_PAGES
	"  - { t: 1ms, op: compact, zone: Normal, order: 4 }\n"
	"  - { t: 2ms, op: dma_alloc, device: dev32, size: 64KiB, id: d }\n";

Test(engine, buddy_compacts_on_failure)
{
	struct cmasim_config *cfg;
	struct cmasim_results *r = replay_on(machine, compact_workload, "buddy", NULL, &cfg);

	cr_expect_eq(r->dma_ok, 0);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_FRAGMENTED], 1);
	cr_expect_eq(r->compact_runs, 2);
	cr_expect_eq(r->compact_scanned_pages, 0);
	cr_expect_eq(r->compact_migrated_pages, 0);
	cr_expect_eq(r->fail_latency.sum, 100 + 100);
	cmasim_results_free(r);
	cmasim_config_free(cfg);

	r = replay_on(machine, kcompactd_workload, "buddy", NULL, &cfg);
	cr_expect_eq(r->dma_ok, 1);
	cr_expect_eq(r->compact_runs, 1);
	cr_expect_eq(r->compact_scanned_pages, 32);
	cr_expect_eq(r->compact_migrated_pages, 1);
	cr_expect_eq(r->cost_ns[CMASIM_COST_COMPACTION], 57320);
	cr_expect_eq(r->latency.sum, 100 + 16000);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/*
 * Background reclaim (mm/vmscan.c, 6.1). 256 pages, min_free_kbytes 128:
 * min 32, low 32 + max(32 / 4, 0) = 40, high 48. 200 pages of clean page
 * cache (f1, then f2) leave 56 free. a's 20 pages: the 17th finds 40 <=
 * low and takes the min pass, which wakes kswapd (wake_all_kswapds());
 * after the event it reclaims from the oldest page cache, f1, a
 * SWAP_CLUSTER_MAX of 32 pages at a time, until a zone is above high:
 * 36 + 32 = 68 > 48. b's 40 pages: the 37th finds 32 <= min: direct
 * reclaim drops f1's next 32 and the allocation goes on; kswapd, woken
 * again, finds the node balanced (60 > 48) and reclaims nothing.
 */
Test(engine, kswapd_and_direct_reclaim_drop_page_cache)
{
	static const char machine_yaml[] =
		"memory: { size: 1MiB, max_page_order: 4, pageblock_order: 4, min_free_kbytes: 128 }\n";
	static const char workload_yaml[] =
		"name: reclaim\n"
		"events:\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 0, count: 100, owner: file, id: f1 }\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 0, count: 100, owner: file, id: f2 }\n"
		"  - { t: 1ms, op: alloc, migratetype: movable, order: 0, count: 20, id: a }\n"
		"  - { t: 2ms, op: alloc, migratetype: movable, order: 0, count: 40, id: b }\n";
	struct cmasim_results *r = replay_on(machine_yaml, workload_yaml, "buddy", NULL, NULL);

	cr_expect_eq(r->bg_alloc_pages, 260);
	cr_expect_eq(r->bg_alloc_failed_pages, 0);
	cr_expect_eq(r->kswapd_runs, 2);
	cr_expect_eq(r->kswapd_reclaimed_pages, 32);
	cr_expect_eq(r->direct_reclaimed_pages, 32);
	cr_expect_eq(r->zones[0].free_pages, 60);
	cmasim_results_free(r);
}

/*
 * Watermark boost (mm/page_alloc.c: boost_watermark(), 5.0). 256 pages,
 * min = low = high = 1; page cache holds 0..249. An UNMOVABLE page falls
 * back to the Movable pageblock 240 (order 2 < pageblock order): the zone's
 * watermarks go up by a pageblock, max(16, high x 15000 / 10000) = 16,
 * and kswapd is woken. It reclaims at least the boost: 32 pages (0..31),
 * after which 5 + 32 = 37 > high 1 + boost 16; the boost is then cleared.
 * 3.5 has no boost: nothing wakes kswapd.
 */
Test(engine, watermark_boost_wakes_kswapd)
{
	static const char machine_yaml[] =
		"memory: { size: 1MiB, max_page_order: 4, pageblock_order: 4, min_free_kbytes: 4 }\n";
	static const char workload_yaml[] =
		"name: boost\n"
		"events:\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 0, count: 250, owner: file, id: f }\n"
		"  - { t: 1ms, op: alloc, migratetype: unmovable, order: 0, id: u }\n";
	struct cmasim_results *r = replay_on(machine_yaml, workload_yaml, "buddy", NULL, NULL);

	cr_expect_eq(r->kswapd_runs, 1);
	cr_expect_eq(r->kswapd_reclaimed_pages, 32);
	cr_expect_eq(r->zones[0].free_pages, 37);
	cmasim_results_free(r);

	r = replay_kernel(machine_yaml, workload_yaml, "buddy", NULL, "3.5", NULL);
	cr_expect_eq(r->kswapd_runs, 0);
	cr_expect_eq(r->zones[0].free_pages, 5);
	cmasim_results_free(r);
}

/*
 * A background block above PAGE_ALLOC_COSTLY_ORDER (3) compacts before it
 * reclaims (__alloc_pages_slowpath(), mm/page_alloc.c, 6.1). Order 4 on
 * the stray pages: no free block of 16. Compaction of Normal first, as
 * kcompactd_workload works out (a movable request takes the Movable
 * pageblocks in async mode too, suitable_migration_source()): 72 -> 255,
 * 32 pages scanned, 57.32 us, and block 64 is whole. With the strays
 * unmovable nothing can move: a run in Normal, one in DMA, both fail, and
 * with no page cache to drop the 16 pages are not given.
 */
Test(engine, background_huge_block_compacts)
{
	static const char huge[] =
		"  - { t: 1ms, op: alloc, migratetype: movable, order: 4, id: huge }\n";
	g_autofree char *movable = g_strconcat("name: huge\nevents:\n", STRAY_PAGES, huge, NULL);
	g_auto(GStrv) parts = g_strsplit(movable, "migratetype: movable, order: 0",
					 -1);
	g_autofree char *unmovable = g_strjoinv("migratetype: unmovable, order: 0", parts);
	struct cmasim_results *r = replay_on(machine, movable, "buddy", NULL, NULL);

	cr_expect_eq(r->bg_order[4].requests, 1);
	cr_expect_eq(r->bg_order[4].ok, 1);
	cr_expect_eq(r->compact_runs, 1);
	cr_expect_eq(r->compact_scanned_pages, 32);
	cr_expect_eq(r->compact_migrated_pages, 1);
	cr_expect_eq(r->cost_ns[CMASIM_COST_COMPACTION], 57320);
	cr_expect_eq(r->bg_alloc_pages, 16 + 16);
	cr_expect_eq(r->bg_alloc_failed_pages, 0);
	/* order 0 is no huge page */
	cr_expect_eq(r->bg_order[0].requests, 0);
	cmasim_results_free(r);

	r = replay_on(machine, unmovable, "buddy", NULL, NULL);
	cr_expect_eq(r->bg_order[4].requests, 1);
	cr_expect_eq(r->bg_order[4].ok, 0);
	cr_expect_eq(r->compact_runs, 2);
	cr_expect_eq(r->compact_migrated_pages, 0);
	cr_expect_eq(r->direct_reclaimed_pages, 0);
	cr_expect_eq(r->bg_alloc_failed_pages, 16);
	cmasim_results_free(r);
}

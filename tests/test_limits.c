// SPDX-License-Identifier: GPL-2.0-only
/*
 * Inputs at the edges of what the loaders accept: times at 2^64 - 1 ns,
 * counts and sizes near 2^64, machines larger than the host. Each must end
 * with figures worked out here or with a clear error, never a hang, an
 * abort or a number that wrapped.
 */
#define _GNU_SOURCE	/* fopencookie(), a timeline that counts its rows */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cmasim/engine.h"
#include "cmasim/error.h"
#include "helpers.h"

/*
 * 1 MiB of Normal: 256 pages in 16 pageblocks of 16; a CMA area of
 * 256 KiB for the cma policy. Costs as the defaults but page_zero, which
 * the tests that need time to add up set themselves.
 */
#define TINY(costs) \
	"name: tiny\n" \
	"memory: { size: 1MiB, max_page_order: 4, pageblock_order: 4, min_free_kbytes: 128 }\n" \
	"devices: [ { name: dev, dma_bits: 32 } ]\n" \
	"cma: [ { size: 256KiB } ]\n" \
	"costs: { page_zero: " costs " }\n"

static const char tiny[] = TINY("1us");

#define MAX_NS "18446744073709551615ns"

/* The YAML trace @text compiled on @cfg into a binary stream, opened as "w.bin". */
static struct cmasim_trace *compiled(const struct cmasim_config *cfg, const char *text,
				     char **bin)
{
	struct cmasim_trace *t = cmasim_trace_open_data("w.yaml", text, strlen(text), NULL);
	GError *error = NULL;
	size_t len = 0;
	FILE *out = open_memstream(bin, &len);

	cr_assert(cmasim_trace_start(t, cfg, 0, NULL));
	cr_assert(cmasim_trace_write(t, true, out, NULL));
	fclose(out);
	cmasim_trace_close(t);
	t = cmasim_trace_open_data("w.bin", *bin, len, &error);
	cr_assert_not_null(t, "%s", error ? error->message : "");
	return t;
}

/* Runs @workload on @machine under @policy with @opts' timeline options; NULL with @error. */
static struct cmasim_results *run_with(const char *machine, const char *workload,
				       const char *policy, const char *const *set,
				       struct cmasim_run_options *opts, GError **error)
{
	opts->policy = cmasim_policy_find(policy);
	opts->set = set;
	return try_replay(machine, workload, opts, NULL, error);
}

/* Runs @workload on @machine under @policy; it must succeed. */
static struct cmasim_results *run_ok(const char *machine, const char *workload,
				     const char *policy, const char *const *set)
{
	struct cmasim_run_options opts = { 0 };
	GError *error = NULL;
	struct cmasim_results *r = run_with(machine, workload, policy, set, &opts, &error);

	cr_assert_not_null(r, "%s", error ? error->message : "");
	return r;
}

/* Runs @workload on @machine under @policy; it must fail with @message. */
static void run_fails(const char *machine, const char *workload, const char *policy,
		      const char *const *set, const char *message)
{
	struct cmasim_run_options opts = { 0 };
	GError *error = NULL;

	cr_expect_null(run_with(machine, workload, policy, set, &opts, &error));
	cr_assert_not_null(error, "no error, expected: %s", message);
	cr_expect_eq(error->domain, CMASIM_ERROR);
	cr_expect_str_eq(error->message, message);
	g_clear_error(&error);
}

Test(limits, event_at_the_largest_time_ends)
{
	struct cmasim_results *r = run_ok(tiny, "name: w\nevents:\n"
					  "  - { t: " MAX_NS ", op: sample }\n", "buddy", NULL);

	cr_expect_eq(r->events, 1);
	cr_expect_eq(r->end_ns, UINT64_MAX);
	cmasim_results_free(r);
}

/* The same trace compiled to the binary stream, whose reader takes any time. */
Test(limits, binary_event_at_the_largest_time_ends)
{
	struct cmasim_config *cfg = load_config(tiny);
	struct cmasim_run_options opts = { .policy = cmasim_policy_find("buddy") };
	char *bin = NULL;
	struct cmasim_trace *t = compiled(cfg, "name: w\nevents:\n  - { t: " MAX_NS ", op: sample }\n",
					  &bin);
	GError *error = NULL;
	struct cmasim_results *r = cmasim_run(cfg, t, &opts, &error);

	cr_assert_not_null(r, "%s", error ? error->message : "");
	cr_expect_eq(r->events, 1);
	cr_expect_eq(r->end_ns, UINT64_MAX);
	cmasim_results_free(r);
	cmasim_trace_close(t);
	cmasim_config_free(cfg);
	free(bin);
}

/* A timeline that keeps only how many lines it got and the last three. */
struct sink {
	uint64_t lines;
	char last[3][128];	/* ring of whole lines, the newest at lines % 3 - 1 */
	char cur[128];
	size_t len;
};

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
	struct sink *s = cookie;

	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (s->len + 1 < sizeof(s->cur))
				s->cur[s->len++] = buf[i];
			continue;
		}
		s->cur[s->len] = '\0';
		memcpy(s->last[s->lines++ % 3], s->cur, s->len + 1);
		s->len = 0;
	}
	return (ssize_t)n;
}

/* The line @back lines before the last one (0: the last). */
static const char *sink_line(const struct sink *s, unsigned int back)
{
	return s->last[(s->lines - 1 - back) % 3];
}

/* A FILE writing to @s. */
static FILE *sink_open(struct sink *s)
{
	cookie_io_functions_t io = { .write = sink_write };

	memset(s, 0, sizeof(*s));
	return fopencookie(s, "w", io);
}

/*
 * Ticks every 10^15 ns up to a sample at 18446744073 s: k x 10^15 for k =
 * 0..18446, 18447 rows; the next tick, 18447 x 10^15, is past 2^64 - 1,
 * so none follows. Then the sample's row and the end's: a header and
 * 18449 rows, the last tick at 18446000000000000000.
 */
Test(limits, timeline_ticks_stop_at_the_largest_time)
{
	struct sink s;
	struct cmasim_run_options opts = { .timeline = sink_open(&s),
					   .timeline_interval_ns = UINT64_C(1000000000000000) };
	GError *error = NULL;
	struct cmasim_results *r = run_with(tiny, "name: w\nevents:\n"
					    "  - { t: 18446744073s, op: sample }\n", "buddy",
					    NULL, &opts, &error);

	cr_assert_not_null(r, "%s", error ? error->message : "");
	fclose(opts.timeline);
	cr_expect_eq(s.lines, 1 + 18449);
	cr_expect(g_str_has_prefix(sink_line(&s, 2), "18446000000000000000,"), "%s",
		  sink_line(&s, 2));
	cr_expect(g_str_has_prefix(sink_line(&s, 1), "18446744073000000000,"));
	cr_expect(g_str_has_prefix(sink_line(&s, 0), "18446744073000000000,"));
	cmasim_results_free(r);
}

/*
 * Ticks every 1 ms up to a sample at 20 ms are 21 rows (0, 1, ..., 20 ms):
 * more than 10 allowed is refused before any is written, and 21 allowed
 * is enough.
 */
Test(limits, timeline_rows_are_counted_before_they_are_written)
{
	static const char trace[] = "name: w\nevents:\n  - { t: 20ms, op: sample }\n";
	struct sink s;
	struct cmasim_run_options opts = { .timeline = sink_open(&s),
					   .timeline_interval_ns = 1000000,
					   .timeline_max_rows = 10 };
	GError *error = NULL;
	struct cmasim_results *r = run_with(tiny, trace, "buddy", NULL, &opts, &error);

	fclose(opts.timeline);
	cr_expect_null(r);
	cr_assert_not_null(error);
	cr_expect_str_eq(error->message, "w.yaml:3: a timeline row every 1ms up to 20ms makes 21 "
			 "more rows (expected at most 10: a longer timeline interval)");
	cr_expect_eq(s.lines, 1, "only the header: %" PRIu64 " lines", s.lines);
	g_clear_error(&error);

	opts = (struct cmasim_run_options){ .timeline = sink_open(&s),
					    .timeline_interval_ns = 1000000,
					    .timeline_max_rows = 21 };
	r = run_with(tiny, trace, "buddy", NULL, &opts, &error);
	fclose(opts.timeline);
	cr_assert_not_null(r, "%s", error ? error->message : "");
	/* the header, 21 ticks, the sample and the end */
	cr_expect_eq(s.lines, 1 + 21 + 2);
	cmasim_results_free(r);

	/* by default a million: every 1 ns up to 1 s is 10^9 + 1 */
	opts = (struct cmasim_run_options){ .timeline = sink_open(&s), .timeline_interval_ns = 1 };
	r = run_with(tiny, "name: w\nevents:\n  - { t: 1s, op: sample }\n", "buddy", NULL, &opts,
		     &error);
	fclose(opts.timeline);
	cr_expect_null(r);
	cr_assert_not_null(error);
	cr_expect_str_eq(error->message, "w.yaml:3: a timeline row every 1ns up to 1s makes "
			 "1000000001 more rows (expected at most 1000000: a longer timeline "
			 "interval)");
	cr_expect_eq(s.lines, 1);
	g_clear_error(&error);
}

/*
 * An alloc of 2^32 - 1 blocks gets what the machine can give and fails the
 * rest, as the allocator would: the same pages as asking for exactly as
 * many blocks as the machine holds (256 pages, 16 blocks of order 4),
 * worked out by the allocator itself in the second run.
 */
Test(limits, alloc_of_a_huge_count_gets_what_the_machine_holds)
{
	static const struct { unsigned int order; const char *fit; } cases[] = {
		{ 0, "256" },
		{ 4, "16" },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *huge = g_strdup_printf(
			"name: w\nevents:\n  - { t: 0, op: alloc, migratetype: movable, "
			"order: %u, count: 4294967295, id: a }\n", cases[i].order);
		g_autofree char *fit = g_strdup_printf(
			"name: w\nevents:\n  - { t: 0, op: alloc, migratetype: movable, "
			"order: %u, count: %s, id: a }\n", cases[i].order, cases[i].fit);
		struct cmasim_results *a = run_ok(tiny, huge, "buddy", NULL);
		struct cmasim_results *b = run_ok(tiny, fit, "buddy", NULL);

		cr_expect_gt(b->bg_alloc_pages, 0);
		cr_expect_eq(a->bg_alloc_pages, b->bg_alloc_pages, "order %u", cases[i].order);
		cr_expect_eq(a->bg_alloc_failed_pages,
			     ((UINT64_C(4294967295) << cases[i].order) - a->bg_alloc_pages));
		cmasim_results_free(a);
		cmasim_results_free(b);
	}
}

/*
 * A request at the largest time: serving it charges 1 us of zeroing, so
 * the CMA mutex would be released past 2^64 - 1 ns. The run says so
 * instead of losing the request.
 */
Test(limits, request_at_the_largest_time_is_refused_not_lost)
{
	run_fails(tiny, "name: w\nevents:\n  - { t: " MAX_NS ", op: dma_alloc, device: dev, "
		  "size: 4KiB, id: a }\n", "cma", NULL,
		  "w.yaml:3: the CMA mutex would be released after the largest time (expected "
		  "requests that end by 2^64 - 1 ns)");
}

#ifdef CMASIM_LONG_TESTS
/*
 * Requests that each hold the CMA mutex for 49 s (16 pages zeroed and 32
 * buddy operations at 1 s each, one LRU drain of 1 s), asked for 1 ns
 * apart: request i waits about 49i s, so n of them wait 24.5 n^2 s in
 * all, past 2^64 ns (18446744073 s) once n > 27400. 30000 are asked for;
 * the run stops on the charge that passes 2^64 - 1 ns rather than wrap
 * overhead_ns_cma_mutex_wait. Some seconds of zeroing through the cache:
 * suite slow.
 */
Test(limits, charges_past_the_largest_time_stop_the_run, .timeout = 300)
{
	static const char slow[] =
		"name: tiny\n"
		"memory: { size: 1MiB, max_page_order: 4, pageblock_order: 4, min_free_kbytes: 128 }\n"
		"devices: [ { name: dev, dma_bits: 32, coherent: true } ]\n"
		"cma: [ { size: 256KiB } ]\n"
		"costs: { page_zero: 1s, buddy_op: 1s, lru_drain: 1s, cache_line_op: 0,\n"
		"         cache_barrier: 0 }\n";
	struct cmasim_run_options opts = { 0 };
	GError *error = NULL;

	cr_expect_null(run_with(slow, "name: w\nevents:\n"
				"  - { t: 0, op: repeat, count: 30000, period: 1ns, events: [\n"
				"      { t: 0, op: dma_alloc, device: dev, size: 64KiB, id: a },\n"
				"      { t: 1ns, op: dma_free, id: a } ] }\n", "cma", NULL, &opts,
				&error));
	cr_assert_not_null(error);
	cr_expect_str_eq(error->message, "w.yaml:5: simulated time charged to cma_mutex_wait passes "
			 "2^64 - 1 ns (expected costs and sizes whose products and sums fit)");
	g_clear_error(&error);
}
#endif

/*
 * A carve-out idles all the run: 2^20 pages (4 GiB) for 2^64 - 1 ns is
 * 1.9 x 10^19 page-ms, past 2^64 - 1; 2^19 pages is half that and fits:
 * floor(2^19 x (2^64 - 1) / 10^6) = 9671406556917033397, worked out in
 * 128-bit arithmetic below.
 */
Test(limits, reserved_idle_page_ms_does_not_wrap)
{
	static const char big[] = "name: big\nmemory: { size: 8GiB }\n";
	static const char trace[] = "name: w\nevents:\n  - { t: " MAX_NS ", op: sample }\n";
	const char *four[] = { "size=4GiB", NULL }, *two[] = { "size=2GiB", NULL };
	unsigned __int128 want = ((unsigned __int128)1 << 19) * UINT64_MAX / 1000000;
	struct cmasim_results *r;

	run_fails(big, trace, "carveout", four, "w.yaml:3: reserved_idle_page_ms passes 2^64 - 1 "
		  "(expected a shorter run)");
	r = run_ok(big, trace, "carveout", two);
	cr_expect_eq(r->reserved_idle_page_ms, (uint64_t)want);
	cmasim_results_free(r);
}

/* A run stops after max_events records, with what they set in motion, as if the trace did. */
Test(limits, max_events_ends_the_run_early)
{
	struct cmasim_run_options opts = { .max_events = 2 };
	GError *error = NULL;
	struct cmasim_results *r = run_with(tiny, "name: w\nevents:\n"
					    "  - { t: 1ms, op: sample }\n  - { t: 2ms, op: sample }\n"
					    "  - { t: 3ms, op: sample }\n", "buddy", NULL, &opts,
					    &error);

	cr_assert_not_null(r, "%s", error ? error->message : "");
	cr_expect_eq(r->events, 2);
	cr_expect_eq(r->end_ns, 2000000);
	cmasim_results_free(r);
}

/*
 * A size of 2^64 - 1 bytes is 2^52 pages, order 52: too large, in the
 * last size class, not a request of no pages that the wrapped rounding
 * made of it.
 */
Test(limits, request_of_2_to_the_64_bytes_is_too_large)
{
	struct cmasim_results *r = run_ok(tiny, "name: w\nevents:\n  - { t: 0, op: dma_alloc, "
					  "device: dev, size: 0xffffffffffffffff, id: a }\n",
					  "buddy", NULL);

	cr_expect_eq(r->dma_requests, 1);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_TOO_LARGE], 1);
	cr_expect_eq(r->size_class[CMASIM_NR_SIZE_CLASSES - 1].requests, 1);
	cmasim_results_free(r);
}

/*
 * buddy with contig=true falls back to alloc_contig_pages() above the
 * largest block: a request of more pages than the 256 the machine has is
 * too large for any range, not a call alloc_contig_pages() refuses (a
 * critical, fatal here).
 */
Test(limits, contig_fallback_of_more_than_the_machine_is_too_large)
{
	const char *set[] = { "contig=true", NULL };
	GLogLevelFlags was = g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);
	struct cmasim_results *r = run_ok(tiny, "name: w\nevents:\n  - { t: 0, op: dma_alloc, "
					  "device: dev, size: 2MiB, id: a }\n", "buddy", set);

	g_log_set_always_fatal(was);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_TOO_LARGE], 1);
	cmasim_results_free(r);
}

/*
 * iommu builds a buffer of order-0 pages, as many as asked: a request of
 * 2^51 pages runs out of pages as the allocator would, not of host memory
 * for their list.
 */
Test(limits, iommu_request_beyond_the_machine_runs_out_of_pages)
{
	struct cmasim_results *r = run_ok(tiny, "name: w\nevents:\n  - { t: 0, op: dma_alloc, "
					  "device: dev, size: 0x7fffffffffffffff, id: a }\n",
					  "iommu", NULL);

	cr_expect_eq(r->dma_failed[CMASIM_DMA_NO_MEMORY], 1);
	cmasim_results_free(r);
}

/*
 * The host memory a machine takes is estimated before it boots. The 12
 * bytes of each frame are the least of it: a 4 TiB machine (2^30 frames)
 * took 12.6 GB, so its estimate is at least 12 GiB; a run on a machine
 * past the limit given is refused, whatever it is.
 */
Test(limits, machine_larger_than_the_host_is_refused)
{
	struct cmasim_config *huge = load_config("name: huge\nmemory: { size: 4TiB }\n");
	struct cmasim_run_options opts = { .host_memory_limit = 1024 };
	GError *error = NULL;

	cr_expect_geq(cmasim_machine_host_bytes(huge), UINT64_C(12) << 30);
	cr_expect_not(cmasim_machine_check_host(huge, UINT64_C(12) << 30, &error));
	cr_expect_not_null(error);
	g_clear_error(&error);
	cr_expect(cmasim_machine_check_host(huge, UINT64_MAX, NULL));
	cr_expect_gt(cmasim_host_available_bytes(), 0);
	cmasim_config_free(huge);

	cr_expect_null(run_with(tiny, "name: w\nevents: []\n", "buddy", NULL, &opts, &error));
	cr_assert_not_null(error);
	cr_expect_eq(error->code, CMASIM_ERROR_LAYOUT);
	cr_expect_str_eq(error->message, "m.yaml: machine \"tiny\" of 1MiB needs about 1MiB of host "
			 "memory to boot, more than the 1KiB it may take (expected a smaller "
			 "machine, or --host-memory to allow more)");
	g_clear_error(&error);
}

/*
 * A runtime error in a binary trace names the record and its byte: the
 * header here is 32 fixed bytes, the name "w" (4 + 1), no description,
 * machine or trace devices (3 x 4), the machine's device "dev" (4 + 4 +
 * 3), its one zone (4 + 1): 65, padded to 72. Record 1 takes 6 bytes: a
 * tag of 2, count 1 in 1, a b c (movable, order 0, at a pfn), its time,
 * id and pfn 0 left out. Record 2 starts at 78.
 */
Test(limits, binary_runtime_error_names_record_and_byte)
{
	struct cmasim_config *cfg = load_config(tiny);
	struct cmasim_run_options opts = { .policy = cmasim_policy_find("buddy") };
	char *bin = NULL;
	struct cmasim_trace *t = compiled(cfg, "name: w\nevents:\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 0, id: a }\n"
		"  - { t: 1ms, op: alloc, migratetype: movable, order: 0, pfn: 0, id: b }\n", &bin);
	GError *error = NULL;

	cr_expect_null(cmasim_run(cfg, t, &opts, &error));
	cr_assert_not_null(error);
	cr_expect_str_eq(error->message, "w.bin: record 2 (byte 78): alloc of order 0 at pfn 0 "
			 "failed: its pages are not all free");
	g_clear_error(&error);
	cmasim_trace_close(t);
	cmasim_config_free(cfg);
	free(bin);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftrace captures into workloads (sim/ftrace.c): hand-written traces in
 * the formats the kernel prints (include/trace/events/kmem.h and cma.h,
 * 5.10 to 6.13; kernel/trace/trace_output.c for the line's context) and
 * trace-cmd report's, and the workloads worked out from what each event
 * means to the buddy allocator's free lists (mm/page_alloc.c, 6.1):
 * mm_page_alloc_zone_locked takes a page off them (to a per-cpu list when
 * percpu_refill=1), mm_page_pcpu_drain puts one back, mm_page_free of an
 * order the per-cpu lists do not take (above PAGE_ALLOC_COSTLY_ORDER, 3)
 * goes straight back, one of an order they take stops on a list.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <gio/gio.h>

#include "cmasim/error.h"
#include "cmasim/ftrace.h"
#include "cmasim/trace.h"

static const struct cmasim_ftrace_options opts = { .name = "w", .page_size = 4096 };

/* Imports @len bytes of @text into a whole workload, which must read back; NULL with @error. */
static GString *import_bytes(const char *text, size_t len, struct cmasim_ftrace_stats *st,
			     GError **error)
{
	g_autoptr(GBytes) in = g_bytes_new(text, len);
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	struct cmasim_trace *t;

	if (!cmasim_ftrace_import("t", in, &opts, out, st, error)) {
		g_string_free(out, TRUE);
		return NULL;
	}
	t = cmasim_trace_open_data("w.yaml", out->str, out->len, &err);
	cr_assert_not_null(t, "%s\n%s", err ? err->message : "", out->str);
	cmasim_trace_close(t);
	return out;
}

/* The events of the workload @text imports; NULL with @error. */
static char *import(const char *text, struct cmasim_ftrace_stats *st, GError **error)
{
	g_autoptr(GString) out = import_bytes(text, strlen(text), st, error);
	const char *events;

	if (!out)
		return NULL;
	events = strstr(out->str, "\nevents:");
	cr_assert_not_null(events, "%s", out->str);
	return g_strdup(events + 1);
}

static char *import_ok(const char *text, struct cmasim_ftrace_stats *st)
{
	g_autoptr(GError) error = NULL;
	char *got = import(text, st, &error);

	cr_assert_not_null(got, "%s", error ? error->message : "");
	return got;
}

#define CTX(ts) "            bash-100   [001] .....   " ts ": "

Test(ftrace, buddy_view)
{
	static const char trace[] =
		"# tracer: nop\n"
		"#\n"
		"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
		"#              | |         |   |||||     |         |\n"
		CTX("10.000100") "mm_page_alloc_zone_locked: page=000000000a pfn=0x1000 order=0 "
		"migratetype=1 percpu_refill=1\n"
		CTX("10.000101") "mm_page_alloc_zone_locked: page=000000000b pfn=0x1001 order=0 "
		"migratetype=1 percpu_refill=1\n"
		CTX("10.000102") "mm_page_alloc: page=000000000a pfn=0x1000 order=0 migratetype=1 "
		"gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO\n"
		CTX("10.000200") "mm_page_free: page=000000000a pfn=0x1000 order=0\n"
		CTX("10.000201") "mm_page_free_batched: page=000000000a pfn=0x1000 order=0\n"
		"  kworker/0:1 [x]-50    [000] d..1.   10.000300: mm_page_pcpu_drain: "
		"page=000000000a pfn=0x1000 order=0 migratetype=1\n"
		CTX("10.000400") "mm_page_alloc_zone_locked: page=000000000c pfn=0x2000 order=4 "
		"migratetype=0 percpu_refill=0\n"
		CTX("10.000401") "mm_page_alloc: page=000000000c pfn=0x2000 order=4 migratetype=0 "
		"gfp_flags=GFP_KERNEL\n"
		CTX("10.000500") "mm_page_free: page=000000000c pfn=0x2000 order=4\n"
		CTX("10.000600") "mm_page_free: page=000000000d pfn=0x3000 order=0\n"
		CTX("10.000700") "mm_page_alloc_zone_locked: page=000000000d pfn=0x3000 order=0 "
		"migratetype=2 percpu_refill=1\n"
		CTX("10.000800") "sched_switch: prev_comm=bash prev_pid=100\n"
		CTX("10.000900") "mm_page_alloc: page=(null) pfn=0x0 order=9 migratetype=1 "
		"gfp_flags=GFP_TRANSHUGE\n";
	struct cmasim_ftrace_stats st;
	g_autofree char *got = import_ok(trace, &st);

	/*
	 * 0x1000 and 0x1001 leave for a per-cpu list; 0x1000 is used, freed
	 * to the list and drained back; 0x2000 leaves (order 4, no list) and
	 * comes straight back; 0x3000, freed to a list, is taken off the free
	 * lists again later: the free went to them after all.
	 */
	cr_expect_str_eq(got,
			 "events:\n"
			 "  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 0x1000 }\n"
			 "  - { t: 1us, op: alloc, migratetype: movable, order: 0, pfn: 0x1001 }\n"
			 "  - { t: 200us, op: free, pfn: 0x1000 }\n"
			 "  - { t: 300us, op: alloc, migratetype: unmovable, order: 4, pfn: 0x2000 }\n"
			 "  - { t: 400us, op: free, pfn: 0x2000, order: 4 }\n"
			 "  - { t: 600us, op: free, pfn: 0x3000 }\n"
			 "  - { t: 600us, op: alloc, migratetype: reclaimable, order: 0, pfn: 0x3000 }\n");
	cr_expect(st.buddy_view);
	cr_expect_eq(st.lines, 17);
	cr_expect_eq(st.events, 12);
	cr_expect_eq(st.unknown, 1);
	cr_expect_eq(st.duplicates, 1);
	cr_expect_eq(st.failed_allocs, 1);
	cr_expect_eq(st.allocs, 4);
	cr_expect_eq(st.frees, 3);
}

/* trace-cmd report, no per-cpu events: every allocation and free as it comes; old decimal pfns. */
Test(ftrace, allocation_view)
{
	static const char trace[] =
		"cpus=2\n"
		"CPU 1 is empty\n"
		"            bash-100   [000]    10.000100: mm_page_alloc:        "
		"page=0xffffea0000040000 pfn=4096 order=1 migratetype=1 gfp_flags=GFP_USER\n"
		"            bash-100   [000]    10.000200: mm_page_free:         "
		"page=0xffffea0000040000 pfn=4096 order=1\n"
		"            bash-100   [000]    10.000300: mm_page_free_batched: "
		"page=0xffffea0000040000 pfn=4096 order=0\n";
	struct cmasim_ftrace_stats st;
	g_autofree char *got = import_ok(trace, &st);

	cr_expect_str_eq(got,
			 "events:\n"
			 "  - { t: 0, op: alloc, migratetype: movable, order: 1, pfn: 0x1000 }\n"
			 "  - { t: 100us, op: free, pfn: 0x1000, order: 1 }\n");
	cr_expect_not(st.buddy_view);
}

#define MARK(ts, what) "  capture-snapsh-7 [000] .....   " ts ": tracing_mark_write: " \
	"cmasim-snapshot " what "\n"

/*
 * Two snapshots read 1024 pfns (8192 bytes) in 100 ms each, from 20 s and
 * from 30 s: pfn p was read at 20 s + 100 ms * p / 1024, and again at
 * 30 s + the same. An event before the first read of its page is in the
 * first snapshot (left out); one after the second read of its page is
 * not in the second (left out too).
 */
Test(ftrace, snapshot_marks)
{
	static const char trace[] =
		CTX("19.900000") "mm_page_alloc_zone_locked: page=0 pfn=0x10 order=0 migratetype=1 "
		"percpu_refill=0\n"
		MARK("20.000000", "before kpageflags begin")
		/* 0x100 was read at 20.025 s, 0x300 at 20.075 s */
		CTX("20.050000") "mm_page_alloc_zone_locked: page=0 pfn=0x100 order=0 migratetype=1 "
		"percpu_refill=0\n"
		CTX("20.050000") "mm_page_alloc_zone_locked: page=0 pfn=0x300 order=0 migratetype=1 "
		"percpu_refill=0\n"
		MARK("20.100000", "before kpageflags end 8192")
		CTX("25.000000") "mm_page_pcpu_drain: page=0 pfn=0x100 order=0 migratetype=1\n"
		MARK("30.000000", "after kpageflags begin")
		CTX("30.050000") "mm_page_alloc_zone_locked: page=0 pfn=0x100 order=0 migratetype=1 "
		"percpu_refill=0\n"
		CTX("30.050000") "mm_page_alloc_zone_locked: page=0 pfn=0x300 order=0 migratetype=1 "
		"percpu_refill=0\n"
		MARK("30.100000", "after kpageflags end 8192")
		CTX("31.000000") "mm_page_pcpu_drain: page=0 pfn=0x300 order=0 migratetype=1\n";
	struct cmasim_ftrace_stats st;
	g_autofree char *got = import_ok(trace, &st);

	cr_expect_str_eq(got,
			 "events:\n"
			 "  - { t: 50ms, op: alloc, migratetype: movable, order: 0, pfn: 0x100 }\n"
			 "  - { t: 5s, op: free, pfn: 0x100 }\n"
			 "  - { t: 10050ms, op: alloc, migratetype: movable, order: 0, pfn: 0x300 }\n");
	cr_expect_eq(st.clipped, 4);
}

/*
 * CMA: requests of 6.13 (request_count) and 5.x (count); a failure
 * (errorno -12); a release of a buffer from before the trace; and 5.4's
 * cma_alloc, which names no area and prints its pfn in hex without 0x.
 */
Test(ftrace, cma)
{
	static const char trace[] =
		CTX("1.000000") "cma_alloc_start: name=reserved request_count=256 available_count=1000 "
		"total_count=4096 align=8\n"
		CTX("1.100000") "cma_alloc_busy_retry: name=reserved pfn=0x5000 page=00000000000000aa "
		"count=256 align=8\n"
		CTX("1.200000") "cma_alloc_finish: name=reserved pfn=0x5100 page=00000000000000ab "
		"count=256 align=8 errorno=0\n"
		CTX("1.300000") "cma_alloc_start: name=cam-pool count=16 align=4\n"
		CTX("1.400000") "cma_alloc_finish: name=cam-pool pfn=0x0 page=(null) count=16 align=4 "
		"errorno=-12\n"
		CTX("2.000000") "cma_release: name=reserved pfn=0x5100 page=00000000000000ab count=256\n"
		CTX("2.100000") "cma_release: name=reserved pfn=0x9000 page=00000000000000ac count=8\n"
		CTX("3.000000") "cma_alloc: pfn=6000 page=00000000000000ad count=4 align=2\n"
		CTX("3.100000") "cma_release: pfn=6000 page=00000000000000ad count=4\n";
	struct cmasim_ftrace_stats st;
	g_autofree char *got = import_ok(trace, &st);

	cr_expect_str_eq(got,
			 "events:\n"
			 "  - { t: 0, op: dma_alloc, device: reserved, size: 1048576, align: 8, "
			 "id: cma1 }\n"
			 "  - { t: 300ms, op: dma_alloc, device: cam-pool, size: 65536, align: 4, "
			 "id: cma2 }\n"
			 "  - { t: 1s, op: dma_free, id: cma1 }\n"
			 "  - { t: 2s, op: dma_alloc, device: cma, size: 16384, align: 2, id: cma3 }\n"
			 "  - { t: 2100ms, op: dma_free, id: cma3 }\n");
	cr_expect_eq(st.busy_retries, 1);
	cr_expect_eq(st.cma_failed, 1);
	cr_expect_eq(st.orphan_releases, 1);
	cr_expect_eq(st.dma_allocs, 3);
	cr_expect_eq(st.dma_frees, 2);
}

/*
 * An area's name becomes a device name: a byte that cannot be in one
 * (a dot, a NUL) becomes '_', and the workload still reads.
 */
Test(ftrace, area_names_become_device_names)
{
	static const char trace[] =
		CTX("1.000000") "cma_alloc_start: name=a.b\0c count=16 align=4\n";
	struct cmasim_ftrace_stats st;
	g_autoptr(GString) out = import_bytes(trace, sizeof(trace) - 1, &st, NULL);

	cr_assert_not_null(out);
	cr_expect(strstr(out->str, "\ndevices: [a_b_c]\n"), "%s", out->str);
}

Test(ftrace, header)
{
	static const char trace[] = CTX("1.0") "cma_alloc_start: name=a.b count=1 align=0\n"
				    CTX("1.5") "irq_handler_entry: irq=1\n"
				    CTX("1.5") "irq_handler_entry: irq=2\n"
				    CTX("1.5") "cpu_idle: state=1\n";
	struct cmasim_ftrace_options o = { .name = "my \"w\"", .machine = "vm", .page_size = 4096 };
	g_autoptr(GBytes) in = g_bytes_new(trace, strlen(trace));
	g_autoptr(GString) out = g_string_new(NULL);
	struct cmasim_ftrace_stats st;

	cr_assert(cmasim_ftrace_import("t", in, &o, out, &st, NULL));
	cr_expect(strstr(out->str, "# unknown event cpu_idle: 1, skipped\n"
			 "# unknown event irq_handler_entry: 2, skipped\n"
			 "name: \"my \\\"w\\\"\"\n"), "%s", out->str);
	cr_expect(strstr(out->str, "seed: 1\nmachine: \"vm\"\ndevices: [a_b]\nevents:\n"), "%s",
		  out->str);
}

Test(ftrace, empty)
{
	struct cmasim_ftrace_stats st;
	g_autofree char *got = import_ok("# tracer: nop\n", &st);

	cr_expect_str_eq(got, "events: []\n");
}

Test(ftrace, gzipped)
{
	static const char trace[] = CTX("1.0") "mm_page_free: page=0 pfn=0x10 order=5\n";
	g_autoptr(GZlibCompressor) z = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GBytes) in = NULL;
	struct cmasim_ftrace_stats st;
	char gz[4096];
	gsize read, written;

	cr_assert_eq(g_converter_convert(G_CONVERTER(z), trace, strlen(trace), gz, sizeof(gz),
					 G_CONVERTER_INPUT_AT_END, &read, &written, NULL),
		     G_CONVERTER_FINISHED);
	in = g_bytes_new(gz, written);
	cr_assert(cmasim_ftrace_import("t", in, &opts, out, &st, NULL));
	cr_expect(strstr(out->str, "  - { t: 0, op: free, pfn: 0x10, order: 5 }\n"), "%s", out->str);
}

static const struct {
	const char *trace;
	const char *message;	/* after "t:" */
} bad_traces[] = {
	{ "hello world\n",
	  "1:1: expected an event line \"TASK-PID [CPU] SECONDS: EVENT: FIELDS\"" },
	{ CTX("10.x") "mm_page_free: pfn=0x1 order=0\n",
	  "1:38: \"10.x\" is not a time in seconds (expected SECONDS.FRACTION:)" },
	{ CTX("10.0") "\n", "1:44: expected \"EVENT:\" after the time" },
	{ CTX("10.0") "mm_page_free: page=0 order=0\n",
	  "1:58: mm_page_free has no pfn= (expected the kernel's format of the event)" },
	{ CTX("10.0") "mm_page_free: pfn=0xzz order=0\n", "1:62: pfn=0xzz is not a number" },
	{ CTX("10.0") "mm_page_free: pfn=0x10 order=99\n",
	  "1:73: order=99 is out of range (expected 0..15)" },
	{ CTX("10.0") "mm_page_alloc_zone_locked: pfn=0x10 order=0 migratetype=1\n",
	  "1:71: mm_page_alloc_zone_locked has no percpu_refill= (expected the kernel's format of "
	  "the event)" },
	{ CTX("10.5") "mm_page_free: pfn=0x10 order=0\n" CTX("10.4")
	  "mm_page_free: pfn=0x10 order=0\n",
	  "2:1: time goes backwards: 10400000000 ns after 10500000000 ns (expected a trace in "
	  "time order)" },
	{ CTX("10.5") "mm_page_free: pfn=0x10 order=0\nCPU:1 [LOST 42 EVENTS]\n",
	  "2:7: the ring buffer lost events here (expected a whole trace: record with a larger "
	  "buffer_size_kb)" },
	{ MARK("10.0", "before kpageflags end"),
	  "1:97: a kpageflags end mark without the bytes read (expected \"end BYTES\")" },
	{ CTX("10.0") "cma_alloc_finish: name=a pfn=0x1 page=1 count=1 align=0 errorno=x\n",
	  "1:108: errorno=x is not a number" },
	/* the event's fields: 43 characters of context, 17 of "cma_alloc_start: ", "name=" */
	{ CTX("10.0") "cma_alloc_start: name= request_count=1 align=0\n",
	  "1:66: cma_alloc_start has an empty name= (expected the CMA area's name)" },
};

Test(ftrace, bad_traces)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_traces); i++) {
		struct cmasim_ftrace_stats st;
		g_autoptr(GError) error = NULL;
		g_autofree char *want = g_strdup_printf("t:%s", bad_traces[i].message);

		cr_expect_null(import(bad_traces[i].trace, &st, &error), "case %zu", i);
		cr_assert_not_null(error, "case %zu: no error", i);
		cr_expect_eq(error->code, CMASIM_ERROR_VALUE);
		cr_expect_str_eq(error->message, want, "case %zu:\n got  %s\n want %s", i,
				 error->message, want);
	}
}

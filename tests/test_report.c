// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/buddyinfo and /proc/pagetypeinfo dumps of hand-built states,
 * compared byte for byte with text written out from mm/vmstat.c's formats:
 *   buddyinfo:   "Node 0, zone %8s " + "%6lu " per order + "\n"
 *   pagetypeinfo: "Node %4d, zone %8s, type %12s " + "%6lu " per order,
 *                 "Node %d, zone %8s " + "%12lu " per migratetype.
 */
#include "fixture.h"

TestSuite(report, .fini = machine_teardown);


/* Compares @got with @want and shows both, with the first difference, on failure. */
static void expect_text(const char *got, const char *want)
{
	size_t i = 0;

	while (got[i] && got[i] == want[i])
		i++;
	cr_assert(got[i] == want[i],
		  "text differs at byte %zu (got 0x%02x, want 0x%02x)\n--- got:\n%s\n--- want:\n%s",
		  i, (unsigned char)got[i], (unsigned char)want[i], got, want);
}

/*
 * DMA [0, 16), Normal [16, 48), HighMem [48, 64); pageblocks of 4 pages,
 * blocks up to order 3.
 */
static const char CFG_R[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 4\n"
	"  lowmem: 192KiB\n"
	"  dma_zone: 64KiB\n";

/*
 * Builds the state the dumps below describe. Boot: DMA M3: 0,8; Normal
 * M3: 16,24,32,40; HighMem M3: 48,56. Watermarks: pages_min 1, lowmem 48
 * pages: DMA and Normal tmp = 0 (min = low = high = 0); HighMem min 32.
 */
static void build_state(void)
{
	uint64_t movable = 99;

	boot(CFG_R);
	ZONE(0, "M3:0,8");
	ZONE(1, "M3:16,24,32,40");
	ZONE(2, "M3:48,56");

	/* A CMA pageblock at 44: [40, 44) to M2, [44, 48) allocated, re-typed, freed:
	 * no merge with the MOVABLE buddy 40 at pageblock order. */
	AT(44, 2, T_M);
	cmasim_set_pageblock_migratetype(mem, 44, T_C);
	cmasim_free_pages(mem, 44);
	ZONE(1, "M2:40 M3:16,24,32 C2:44");

	/* 33 in [32, 40): [36, 40) to M2, [34, 36) to M1, 32 to M0; then isolate 32's block. */
	AT(33, 0, T_M);
	ZONE(1, "M0:32 M1:34 M2:36,40 M3:16,24 C2:44");
	cmasim_set_pageblock_migratetype(mem, 32, T_I);
	cr_assert_eq(cmasim_move_freepages_block(mem, 32, T_I, &movable), 3);
	cr_assert_eq(movable, 1);
	ZONE(1, "M2:36,40 M3:16,24 C2:44 I0:32 I1:34");

	/* DMA: UNMOVABLE steals order-3 block 0 (pageblocks 0, 4 -> U). */
	cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_DMA), 0);
	/* RECLAIMABLE: U3 empty, M3's 8 (pageblocks 8, 12 -> R). */
	cr_assert_eq(ALLOC_Z(1, T_R, CMASIM_ZONE_DMA), 8);
	ZONE(0, "U0:1 U1:2 U2:4 R1:10 R2:12");
	/* A MOVABLE page in R's block 12: [14, 16) to R1, 12 to R0. */
	AT(13, 0, T_M);
	ZONE(0, "U0:1 U1:2 U2:4 R0:12 R1:14,10");

	/* Normal: CMA 4 > 28 / 2 is false; M2's 36 splits. */
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 36);
	/* UNMOVABLE order 2 steals M3's 16 (pageblocks 16, 20 -> U). */
	cr_assert_eq(ALLOC_Z(2, T_U, CMASIM_ZONE_NORMAL), 16);
	ZONE(1, "M0:37 M1:38 M2:40 M3:24 U2:20 C2:44 I0:32 I1:34");
	/* HighMem: a whole order-3 block. */
	AT(56, 3, T_M);
	/* An UNMOVABLE page in MOVABLE block 24, a MOVABLE one in CMA block 44. */
	AT(25, 0, T_U);
	AT(45, 0, T_M);

	ZONE(0, "U0:1 U1:2 U2:4 R0:12 R1:14,10");
	ZONE(1, "M0:24,37 M1:26,38 M2:28,40 U2:20 C0:44 C1:46 I0:32 I1:34");
	ZONE(2, "M3:48");
}

Test(report, names)
{
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_DMA), "DMA");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_DMA32), "DMA32");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_NORMAL), "Normal");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_HIGHMEM), "HighMem");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_MOVABLE), "Movable");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_UNMOVABLE), "Unmovable");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_MOVABLE), "Movable");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_RECLAIMABLE), "Reclaimable");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_HIGHATOMIC), "HighAtomic");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_RESERVE), "Reserve");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_CMA), "CMA");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_ISOLATE), "Isolate");
}

Test(report, buddyinfo_boot)
{
	g_autoptr(GString) out = g_string_new(NULL);

	boot(CFG_R);
	cmasim_dump_buddyinfo(mem, out);
	expect_text(out->str,
		    "Node 0, zone      DMA      0      0      0      2 \n"
		    "Node 0, zone   Normal      0      0      0      4 \n"
		    "Node 0, zone  HighMem      0      0      0      2 \n");
}

Test(report, buddyinfo_hole_nonzero_base)
{
	g_autoptr(GString) out = g_string_new("keep:");

	/* Normal [256, 280) less the hole [264, 268): 256 (o3), 268 (o2), 272 (o3). */
	boot("memory:\n"
	     "  base: 0x100000\n"
	     "  size: 192KiB\n"
	     "  max_page_order: 3\n"
	     "  pageblock_order: 2\n"
	     "  min_free_kbytes: 4\n"
	     "  lowmem: 96KiB\n"
	     "  holes:\n"
	     "    - { start: 0x108000, size: 16KiB }\n");
	/* The dump appends. */
	cmasim_dump_buddyinfo(mem, out);
	expect_text(out->str,
		    "keep:"
		    "Node 0, zone   Normal      0      0      1      2 \n"
		    "Node 0, zone  HighMem      0      0      0      3 \n");
}

Test(report, buddyinfo_state)
{
	g_autoptr(GString) out = g_string_new(NULL);

	build_state();
	cmasim_dump_buddyinfo(mem, out);
	/*
	 * DMA: o0 U0 + R0 = 2, o1 U1 + 2 R1 = 3, o2 U2 = 1.
	 * Normal (isolated blocks included): o0 2 M0 + C0 + I0 = 4,
	 * o1 2 M1 + C1 + I1 = 4, o2 2 M2 + U2 = 3.
	 */
	expect_text(out->str,
		    "Node 0, zone      DMA      2      3      1      0 \n"
		    "Node 0, zone   Normal      4      4      3      0 \n"
		    "Node 0, zone  HighMem      0      0      0      1 \n");
}

#define PTI_HEAD                                                                        \
	"Page block order: 2\n"                                                         \
	"Pages per block:  4\n"                                                         \
	"\n"                                                                            \
	"Free pages count per migrate type at order       0      1      2      3 \n"

#define PTI_FREE                                                                        \
	"Node    0, zone      DMA, type    Unmovable      1      1      1      0 \n"     \
	"Node    0, zone      DMA, type      Movable      0      0      0      0 \n"     \
	"Node    0, zone      DMA, type  Reclaimable      1      2      0      0 \n"     \
	"Node    0, zone      DMA, type   HighAtomic      0      0      0      0 \n"     \
	"Node    0, zone      DMA, type          CMA      0      0      0      0 \n"     \
	"Node    0, zone      DMA, type      Isolate      0      0      0      0 \n"     \
	"Node    0, zone   Normal, type    Unmovable      0      0      1      0 \n"     \
	"Node    0, zone   Normal, type      Movable      2      2      2      0 \n"     \
	"Node    0, zone   Normal, type  Reclaimable      0      0      0      0 \n"     \
	"Node    0, zone   Normal, type   HighAtomic      0      0      0      0 \n"     \
	"Node    0, zone   Normal, type          CMA      1      1      0      0 \n"     \
	"Node    0, zone   Normal, type      Isolate      1      1      0      0 \n"     \
	"Node    0, zone  HighMem, type    Unmovable      0      0      0      0 \n"     \
	"Node    0, zone  HighMem, type      Movable      0      0      0      1 \n"     \
	"Node    0, zone  HighMem, type  Reclaimable      0      0      0      0 \n"     \
	"Node    0, zone  HighMem, type   HighAtomic      0      0      0      0 \n"     \
	"Node    0, zone  HighMem, type          CMA      0      0      0      0 \n"     \
	"Node    0, zone  HighMem, type      Isolate      0      0      0      0 \n"

/*
 * Pageblock types: DMA 0, 4 U; 8, 12 R. Normal 16, 20 U; 24, 28, 36, 40 M;
 * 32 Isolate; 44 CMA. HighMem 48..60 M.
 */
#define PTI_BLOCKS                                                                      \
	"\n"                                                                            \
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic "   \
	"         CMA      Isolate \n"                                                  \
	"Node 0, zone      DMA            2            0            2            0 "     \
	"           0            0 \n"                                                  \
	"Node 0, zone   Normal            2            4            0            0 "     \
	"           1            1 \n"                                                  \
	"Node 0, zone  HighMem            0            4            0            0 "     \
	"           0            0 \n"

Test(report, pagetypeinfo_state)
{
	g_autoptr(GString) out = g_string_new(NULL);

	build_state();
	cmasim_dump_pagetypeinfo(mem, false, out);
	expect_text(out->str, PTI_HEAD PTI_FREE PTI_BLOCKS);
}

Test(report, pagetypeinfo_state_page_owner)
{
	g_autoptr(GString) out = g_string_new(NULL);

	build_state();
	cmasim_dump_pagetypeinfo(mem, true, out);
	/*
	 * Mixed: DMA block 12 (R) holds MOVABLE 13. Normal: block 24 (M) holds
	 * UNMOVABLE 25, CMA block 44 holds MOVABLE 45 (counted under Movable),
	 * isolated block 32 holds MOVABLE 33. HighMem: only MOVABLE in MOVABLE.
	 */
	expect_text(out->str,
		    PTI_HEAD PTI_FREE PTI_BLOCKS
		    "\n"
		    "Number of mixed blocks    Unmovable      Movable  Reclaimable   HighAtomic "
		    "         CMA      Isolate \n"
		    "Node 0, zone      DMA            0            0            1            0 "
		    "           0            0 \n"
		    "Node 0, zone   Normal            0            2            0            0 "
		    "           0            1 \n"
		    "Node 0, zone  HighMem            0            0            0            0 "
		    "           0            0 \n");
}

Test(report, unpopulated_zone_skipped)
{
	g_autoptr(GString) out = g_string_new(NULL);

	/* HighMem [48, 64) is all hole: present 0, so no line for it. */
	boot("memory:\n"
	     "  size: 256KiB\n"
	     "  max_page_order: 3\n"
	     "  pageblock_order: 2\n"
	     "  min_free_kbytes: 4\n"
	     "  lowmem: 192KiB\n"
	     "  holes:\n"
	     "    - { start: 0x30000, size: 64KiB }\n");
	cmasim_dump_buddyinfo(mem, out);
	expect_text(out->str, "Node 0, zone   Normal      0      0      0      6 \n");
	g_string_truncate(out, 0);
	cmasim_dump_pagetypeinfo(mem, true, out);
	/*
	 * No cma: and no CMA pageblock: a kernel without CONFIG_CMA, whose
	 * migratetype_names[] has no "CMA" (mm/page_alloc.c, 6.1), so no row
	 * or column of it.
	 */
	expect_text(out->str,
		    PTI_HEAD
		    "Node    0, zone   Normal, type    Unmovable      0      0      0      0 \n"
		    "Node    0, zone   Normal, type      Movable      0      0      0      6 \n"
		    "Node    0, zone   Normal, type  Reclaimable      0      0      0      0 \n"
		    "Node    0, zone   Normal, type   HighAtomic      0      0      0      0 \n"
		    "Node    0, zone   Normal, type      Isolate      0      0      0      0 \n"
		    "\n"
		    "Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic "
		    "     Isolate \n"
		    "Node 0, zone   Normal            0           12            0            0 "
		    "           0 \n"
		    "\n"
		    "Number of mixed blocks    Unmovable      Movable  Reclaimable   HighAtomic "
		    "     Isolate \n"
		    "Node 0, zone   Normal            0            0            0            0 "
		    "           0 \n");
}

/* A machine with two devices, for hand-made results. */
static const char CFG_DEVICES[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 2\n"
	"devices:\n"
	"  - { name: camera, dma_bits: 32, coherent: false }\n"
	"  - { name: display, dma_bits: 32, coherent: false }\n";

/* Results of policy @policy that made @requests requests of device @device, @ok of them good. */
static struct cmasim_results *results_of(const char *policy, unsigned int device,
					 uint64_t requests, uint64_t ok)
{
	struct cmasim_results *r = g_new0(struct cmasim_results, 1);

	r->policy = g_strdup(policy);
	r->machine = g_strdup("m1");
	r->workload = g_strdup("workload-1");
	r->seed = 7;
	r->max_order = 3;
	r->nr_devices = 2;
	r->devices = g_new0(struct cmasim_device_stats, 2);
	r->devices[device].requests = requests;
	r->devices[device].ok = ok;
	r->dma_requests = requests;
	r->dma_ok = ok;
	cmasim_hist_add(&r->latency, 1000);
	return r;
}

/* The line of @text that starts with "@key" and a space or comma, without its newline. */
static char *line_of(const char *text, const char *key)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (char **l = lines; *l; l++)
		if (g_str_has_prefix(*l, key) && ((*l)[strlen(key)] == ' ' ||
						   (*l)[strlen(key)] == ','))
			return g_strdup(*l);
	cr_assert_fail("no line %s in:\n%s", key, text);
	return NULL;
}

/* @text, which ends in a newline, with four spaces before every line but the first. */
static char *indented(const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GString *out = g_string_new(lines[0]);

	for (char **l = lines + 1; *l && **l; l++)
		g_string_append_printf(out, "\n    %s", *l);
	return g_string_free(out, FALSE);
}

/* The three formats of a comparison of @n runs on cfg, the table @width wide. */
static void compare_all(const struct cmasim_results *const *runs, unsigned int n, GString *table,
			GString *csv, GString *json, unsigned int width)
{
	const struct cmasim_compare_group group = { cfg, runs, n };

	cmasim_report_compare(&group, 1, &(struct cmasim_report_options){ CMASIM_FORMAT_TABLE,
									 width }, table);
	cmasim_report_compare(&group, 1, &(struct cmasim_report_options){ CMASIM_FORMAT_CSV }, csv);
	cmasim_report_compare(&group, 1, &(struct cmasim_report_options){ CMASIM_FORMAT_JSON }, json);
}

/*
 * Run a used the camera only, run b the display only: each device's rows
 * show "-", nothing or no key for the run without them, and b's display
 * rows, which a lacks, come after all of a's rows.
 */
Test(report, compare_figure_missing_from_one_run)
{
	struct cmasim_results *a = results_of("a", 0, 2, 1), *b = results_of("bb", 1, 1, 1);
	const struct cmasim_results *const runs[] = { a, b };
	g_autoptr(GString) table = g_string_new(NULL), csv = g_string_new(NULL);
	g_autoptr(GString) json = g_string_new(NULL), run_a = g_string_new(NULL);
	g_autofree char *l1 = NULL, *l2 = NULL, *l3 = NULL, *l4 = NULL, *l5 = NULL, *l6 = NULL;
	g_autofree char *want = NULL;

	cfg = load_config(CFG_DEVICES);
	compare_all(runs, 2, table, csv, json, 120);

	/* the figures below the summary: widest name dma_device_display_failed_atomic_pool_empty */
	l1 = line_of(table->str, "dma_device_camera_ok");
	cr_expect_str_eq(l1, "dma_device_camera_ok                              1       -");
	l2 = line_of(table->str, "dma_success_rate");
	cr_expect_str_eq(l2, "dma_success_rate                             0.5000  1.0000");
	/* 1000 ns of the one request each served */
	l6 = line_of(table->str, "dma_latency_ns_p50");
	cr_expect_str_eq(l6, "dma_latency_ns_p50                             1 µs    1 µs");
	cr_expect(strstr(table->str, "\ndma_device_display_requests                       -       1\n"
				     "dma_device_display_ok                             -       1\n"), "%s", table->str);
	/* what both runs share heads the table instead of filling rows */
	cr_expect(g_str_has_prefix(table->str, "workload-1 on m1, seed 7 (cmasim "), "%s",
		  table->str);
	cr_expect_null(strstr(table->str, "\nmachine "));

	cr_expect(g_str_has_prefix(csv->str, "figure,a,bb\ncmasim_version,"), "%s", csv->str);
	l3 = line_of(csv->str, "dma_device_camera_requests");
	cr_expect_str_eq(l3, "dma_device_camera_requests,2,");
	l4 = line_of(csv->str, "free_bytes_min");
	cr_expect_str_eq(l4, "free_bytes_min,0,0");
	/* a figure only the second run has goes where that run has it: after dma_fallback_ok */
	cr_expect(strstr(csv->str, "\ndma_fallback_ok,0,0\ndma_device_display_requests,,1\n"
				   "dma_device_display_ok,,1\n"), "%s", csv->str);
	cr_expect(strstr(csv->str, "\ndma_device_display_latency_ns_max,,\n"
				   "dma_device_camera_requests,2,\n"), "%s", csv->str);
	/* no schema or policy rows: they head the columns */
	cr_expect_null(strstr(csv->str, "\nschema,"));
	cr_expect_null(strstr(csv->str, "\npolicy,"));

	want = g_strdup_printf("{\n"
			       "  \"schema\": \"cmasim-compare/2\",\n"
			       "  \"cmasim_version\": \"%s\",\n", cmasim_version());
	cr_expect(g_str_has_prefix(json->str, want), "%s", json->str);
	cr_expect(strstr(json->str,
				   "  \"machines\": [\"m1\"],\n"
				   "  \"workloads\": [\"workload-1\"],\n"
				   "  \"policies\": [\"a\", \"bb\"],\n"
				   "  \"results\": [\n"
				   "    {\n"
				   "      \"schema\": \"cmasim-run/2\",\n"
				   "      \"policy\": \"a\",\n"),
		  "%s", json->str);
	cr_expect(g_str_has_suffix(json->str, "]\n    }\n  ]\n}\n"), "%s", json->str);
	/* each run's object is the one `run -f json` writes, indented */
	cmasim_report_results(a, cfg, &(struct cmasim_report_options){ CMASIM_FORMAT_JSON }, run_a);
	l5 = indented(run_a->str);
	cr_expect(strstr(json->str, l5), "run a's object is not in:\n%s\nit is:\n%s", json->str, l5);
	cr_expect(strstr(json->str, "\"dma_device_display_ok\": 1,"));
	cr_expect_null(strstr(strstr(json->str, "\"policy\": \"bb\""), "camera"),
		       "b has no camera figures");

	cmasim_results_free(a);
	cmasim_results_free(b);
}

/*
 * The summary: a served 1 of 2 requests in 1 us, b 1 of 1 in 5 us, c made
 * none. Success: b's 100.0% is best; c has no rate. p50 and p99: a's 1 us
 * is best; c has none. Idle reserved: no run took any time, so none has a
 * mean. Migrated, overhead, aliases, stale: all equal, so none is marked.
 * Failures: a's one, by its cause.
 */
Test(report, summary_marks_the_best_of_each_column)
{
	struct cmasim_results *a = results_of("a", 0, 2, 1), *b = results_of("b", 0, 1, 1);
	struct cmasim_results *c = results_of("c", 0, 0, 0);
	const struct cmasim_results *const runs[] = { a, b, c };
	g_autoptr(GString) table = g_string_new(NULL), csv = g_string_new(NULL);
	g_autoptr(GString) json = g_string_new(NULL);
	g_autofree char *la = NULL, *lb = NULL, *lc = NULL, *head = NULL;

	a->dma_failed[CMASIM_DMA_FRAGMENTED] = 1;
	b->latency = (struct cmasim_hist){ 0 };
	cmasim_hist_add(&b->latency, 5000);
	c->latency = (struct cmasim_hist){ 0 };
	cfg = load_config(CFG_DEVICES);
	compare_all(runs, 3, table, csv, json, 120);

	head = line_of(table->str, "policy");
	cr_expect_str_eq(head, "policy   ok  success    p50    p99  idle reserved  migrated  "
			       "overhead  aliases  stale  failures");
	/* ranked columns keep a place for the mark after each value */
	la = line_of(table->str, "a");
	cr_expect_str_eq(la, "a       1/2   50.0%   1 µs*  1 µs*           n/a         0  "
			     "       0        0      0   fragmented 1");
	lb = line_of(table->str, "b");
	cr_expect_str_eq(lb, "b       1/1  100.0%*  5 µs   5 µs            n/a         0  "
			     "       0        0      0   -");
	lc = line_of(table->str, "c");
	cr_expect_str_eq(lc, "c       0/0     n/a    n/a    n/a            n/a         0  "
			     "       0        0      0   -");
	cmasim_results_free(a);
	cmasim_results_free(b);
	cmasim_results_free(c);
}

/*
 * A narrow terminal: the summary's columns in blocks that fit. At 60
 * columns: policy 6, then ok 3, success 7, p50 5, p99 5, idle reserved 13
 * and migrated 8 (ranked columns keep a place for the mark) take
 * 6 + 6 x 2 + 41 = 59; overhead would make 69. The rest, after the policy
 * again: overhead 8, aliases 7, stale 5, failures.
 */
Test(report, summary_wraps_to_the_width)
{
	struct cmasim_results *a = results_of("a", 0, 2, 1), *b = results_of("b", 0, 1, 1);
	const struct cmasim_results *const runs[] = { a, b };
	g_autoptr(GString) table = g_string_new(NULL), csv = g_string_new(NULL);
	g_autoptr(GString) json = g_string_new(NULL);

	a->dma_failed[CMASIM_DMA_FRAGMENTED] = 1;
	cfg = load_config(CFG_DEVICES);
	compare_all(runs, 2, table, csv, json, 60);
	cr_expect(strstr(table->str, "\npolicy   ok  success    p50    p99  idle reserved  migrated\n"
				     "a       1/2   50.0%   1 µs   1 µs            n/a         0 \n"),
		  "%s", table->str);
	cr_expect(strstr(table->str, "\n\npolicy  overhead  aliases  stale  failures\n"
				     "a             0        0      0   fragmented 1\n"
				     "b             0        0      0   -\n"), "%s", table->str);
	cmasim_results_free(a);
	cmasim_results_free(b);
}

/* A rate of no requests and percentiles of no samples have no value: null, n/a, empty. */
Test(report, figures_of_nothing_have_no_value)
{
	struct cmasim_results *r = results_of("p", 0, 0, 0);
	g_autoptr(GString) json = g_string_new(NULL), table = g_string_new(NULL);
	g_autoptr(GString) csv = g_string_new(NULL);
	g_autofree char *t1 = NULL, *c1 = NULL;

	r->latency = (struct cmasim_hist){ 0 };
	cfg = load_config(CFG_DEVICES);
	cmasim_report_results(r, cfg, &(struct cmasim_report_options){ CMASIM_FORMAT_JSON }, json);
	cmasim_report_results(r, cfg, &(struct cmasim_report_options){ CMASIM_FORMAT_TABLE }, table);
	cmasim_report_results(r, cfg, &(struct cmasim_report_options){ CMASIM_FORMAT_CSV }, csv);
	cr_expect(strstr(json->str, "\"dma_success_rate\": null,\n"
				    "  \"dma_failed_rate\": null,\n"), "%s", json->str);
	cr_expect(strstr(json->str, "\"dma_latency_ns_p50\": null,\n"
				    "  \"dma_latency_ns_p90\": null,\n"
				    "  \"dma_latency_ns_p99\": null,\n"
				    "  \"dma_latency_ns_max\": null,\n"
				    "  \"dma_latency_ns_mean\": null,\n"), "%s", json->str);
	cr_expect(strstr(json->str, "\"dma_latency_ns_histogram\": [],\n"
				    "  \"dma_fail_latency_ns_histogram\": []\n}\n"), "%s", json->str);
	t1 = line_of(table->str, "dma_latency_ns_mean");
	cr_expect(g_str_has_suffix(t1, "  n/a"), "%s", t1);
	c1 = line_of(csv->str, "dma_success_rate");
	cr_expect_str_eq(c1, "dma_success_rate,");
	cmasim_results_free(r);
}

/* Times and sizes for people: three significant digits in the unit that suits. */
Test(report, human_units)
{
	static const struct {
		double v;
		enum cmasim_unit unit;
		const char *want;
	} cases[] = {
		{ 0, CMASIM_UNIT_NS, "0" },
		{ 999, CMASIM_UNIT_NS, "999 ns" },
		{ 1000, CMASIM_UNIT_NS, "1 µs" },
		{ 760200, CMASIM_UNIT_NS, "760 µs" },
		/* 999.6 us rounds to 1000 us at three digits: the next unit */
		{ 999600, CMASIM_UNIT_NS, "1.00 ms" },
		{ 1299500, CMASIM_UNIT_NS, "1.30 ms" },
		{ 25601721345.0, CMASIM_UNIT_NS, "25.6 s" },
		{ 3600e9, CMASIM_UNIT_NS, "3600 s" },
		{ 10240, CMASIM_UNIT_BYTES, "10 KiB" },
		/* 12451840 / 2^20 = 11.875 */
		{ 12451840, CMASIM_UNIT_BYTES, "11.9 MiB" },
		/* 1048575 B is 1023.999 KiB: 1.00 MiB at three digits */
		{ 1048575, CMASIM_UNIT_BYTES, "1.00 MiB" },
		{ 768.0 * (1 << 20), CMASIM_UNIT_BYTES, "768 MiB" },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = cmasim_human(cases[i].v, cases[i].unit);

		cr_expect_str_eq(got, cases[i].want, "%.17g", cases[i].v);
	}
}

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
Test(report, csv_fields_are_quoted_as_rfc_4180_says)
{
	static const char *const cases[][2] = {
		{ "plain", "plain" },
		{ "a,b\nc", "\"a,b\nc\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "", "" },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GString) out = g_string_new(NULL);

		cmasim_csv_field(out, cases[i][0]);
		cr_expect_str_eq(out->str, cases[i][1]);
	}
}

/* Every figure a run reports is in the catalog, with its unit and meaning. */
Test(report, every_figure_is_in_the_catalog)
{
	struct cmasim_results *r = results_of("p", 1, 3, 2);
	g_autoptr(GArray) figs = NULL;

	r->nr_zones = 2;
	r->zones = g_new0(struct cmasim_zone_stats, 2);
	r->zones[0].type = CMASIM_ZONE_DMA32;
	r->zones[1].type = CMASIM_ZONE_HIGHMEM;
	r->size_class[3].requests = 3;
	r->requested_orders = 1u << 3;
	cfg = load_config(CFG_DEVICES);
	figs = cmasim_figures(r, cfg);
	for (guint i = 0; i < figs->len; i++) {
		const struct cmasim_figure *f = &g_array_index(figs, struct cmasim_figure, i);

		cr_expect_not_null(f->def, "%s is not in the catalog", f->key);
		cr_expect(f->def && *f->def->meaning, "%s has no meaning", f->key);
	}
	cr_expect_not_null(cmasim_figures_find(figs, "zone_DMA32_unusable_index_order3"));
	cr_expect_null(cmasim_figure_def_find("zone_Bogus_free_pages"));
	cr_expect_null(cmasim_figure_def_find("dma_order_requests"));
	cmasim_results_free(r);
}

/* README.md documents every figure of the catalog, as `cmasim list --figures` lists it. */
Test(report, readme_documents_every_figure)
{
	g_autofree char *path = g_build_filename(CMASIM_SOURCE_ROOT, "README.md", NULL);
	g_autofree char *readme = NULL;
	unsigned int n = 0;

	cr_assert(g_file_get_contents(path, &readme, NULL, NULL));
	for (const struct cmasim_figure_def *d = cmasim_run_figure_defs; d->pattern; d++, n++) {
		g_autofree char *row = g_strdup_printf("\n| `%s` | %s | %s | %s |\n", d->pattern,
						       cmasim_unit_name(d->unit),
						       cmasim_better_name(d->better), d->meaning);

		cr_expect(strstr(readme, row), "README.md has no row%s", row);
	}
	cr_expect_gt(n, 90);
}

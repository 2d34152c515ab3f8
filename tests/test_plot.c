// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's figures from runs made by hand: every data file holds the
 * numbers worked out below, every script gnuplot runs without a word, and
 * a comparison's JSON reads back to the figures it was written from.
 */
#include <math.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cmasim/plot.h"
#include "helpers.h"
#include "scratch.h"

static void setup(void)
{
	scratch_enter("cmasim-plot-XXXXXX");
}

TestSuite(plot, .init = setup, .fini = scratch_leave);

/* 4 KiB pages, one device. */
static const char CFG[] =
	"memory: { size: 256KiB, max_page_order: 2, pageblock_order: 2 }\n"
	"devices: [ { name: cam, dma_bits: 32 } ]\n";

/*
 * Run A, "buddy": 4 requests of order 2, 3 served and 1 too large;
 * overheads buddy 2 ms and zeroing 0.5 ms; 6 alias lines, 2 stale reads.
 * Run B, "cma": 4 served; 1 MiB reserved, 0.25 MiB of it idle on average
 * (64 pages idle over the whole 1 s run: 64000 page-ms), 768 pages, 3 MiB,
 * of CMA; migration 4 ms.
 */
static GArray *figures_a(void)
{
	struct cmasim_config *cfg = load_config(CFG);
	struct cmasim_results *r = g_new0(struct cmasim_results, 1);
	GArray *figs;

	r->policy = g_strdup("buddy");
	r->max_order = 2;
	r->nr_devices = 1;
	r->devices = g_new0(struct cmasim_device_stats, 1);
	r->dma_requests = 4;
	r->dma_ok = 3;
	r->dma_failed[CMASIM_DMA_TOO_LARGE] = 1;
	r->size_class[2] = (struct cmasim_request_stats){ 4, 3 };
	r->requested_orders = 1u << 2;
	r->end_ns = 1000000000;
	r->cost_ns[CMASIM_COST_BUDDY] = 2000000;
	r->cost_ns[CMASIM_COST_ZEROING] = 500000;
	r->alias_speculative = 6;
	r->stale_cpu_reads = 2;
	figs = cmasim_figures(r, cfg);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
	return figs;
}

static GArray *figures_b(void)
{
	struct cmasim_config *cfg = load_config(CFG);
	struct cmasim_results *r = g_new0(struct cmasim_results, 1);
	GArray *figs;

	r->policy = g_strdup("cma");
	r->max_order = 2;
	r->nr_devices = 1;
	r->devices = g_new0(struct cmasim_device_stats, 1);
	r->dma_requests = 4;
	r->dma_ok = 4;
	r->end_ns = 1000000000;
	r->reserved_bytes = 1 << 20;
	r->reserved_idle_page_ms = 64000;
	r->nr_zones = 1;
	r->zones = g_new0(struct cmasim_zone_stats, 1);
	r->zones[0].type = CMASIM_ZONE_NORMAL;
	r->zones[0].cma_pages = 768;
	r->cost_ns[CMASIM_COST_MIGRATION] = 4000000;
	figs = cmasim_figures(r, cfg);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
	return figs;
}

/*
 * A timeline of two rows: at 0, 8 pages free in two order-2 blocks; at
 * 1 s, 6 pages free in two order-0 and two order-1 blocks. The columns a
 * run writes that the figures do not read are there too.
 */
static const char timeline[] =
	"time_ns,dma_requests,dma_ok,dma_bytes,free_pages,Normal_free_pages,Normal_largest_order,"
	"Normal_unusable_index_order2,Normal_mixed_pageblocks,Normal_free_blocks_order0,"
	"Normal_free_blocks_order1,Normal_free_blocks_order2\n"
	"0,0,0,0,8,8,2,0.000,0,0,0,2\n"
	"1000000000,4,3,0,6,6,1,1.000,0,2,2,0\n";

/* The plot named @name of @plots. */
static const struct cmasim_plot *plot_named(const GPtrArray *plots, const char *name)
{
	for (guint i = 0; i < plots->len; i++) {
		const struct cmasim_plot *p = plots->pdata[i];

		if (!strcmp(p->name, name))
			return p;
	}
	cr_assert_fail("no plot %s", name);
	return NULL;
}

/* The plots of runs A and B, A with a latency histogram and the timeline above. */
static GPtrArray *hand_plots(GArray **figs, GArray **latency)
{
	struct cmasim_plot_bucket buckets[] = { { 100, 103, 1 }, { 2048, 2111, 2 } };
	struct cmasim_plot_run runs[2];
	GError *error = NULL;
	GPtrArray *plots;

	figs[0] = figures_a();
	figs[1] = figures_b();
	*latency = g_array_new(FALSE, FALSE, sizeof(struct cmasim_plot_bucket));
	g_array_append_vals(*latency, buckets, G_N_ELEMENTS(buckets));
	runs[0] = (struct cmasim_plot_run){ "buddy", figs[0], *latency, timeline, NULL, 1 };
	runs[1] = (struct cmasim_plot_run){ "cma", figs[1], NULL, NULL, NULL, 2 };
	plots = cmasim_plots(runs, 2, 0, &error);
	cr_assert_not_null(plots, "%s", error ? error->message : "");
	return plots;
}

Test(plot, data_files_worked_by_hand)
{
	GArray *figs[2], *latency;
	g_autoptr(GPtrArray) plots = hand_plots(figs, &latency);
	static const char *const names[] = { "success", "latency-cdf", "fragmentation",
					     "free-by-order", "cost-success", "overhead",
					     "coherence" };

	/* no map, so no memory map; the rest in order */
	cr_assert_eq(plots->len, G_N_ELEMENTS(names));
	for (guint i = 0; i < plots->len; i++)
		cr_expect_str_eq(((struct cmasim_plot *)plots->pdata[i])->name, names[i]);

	/* shares of requests: A 3 of 4 served, 1 too large; B all */
	cr_expect(strstr(plot_named(plots, "success")->data->str,
			 "\nbuddy 0.75 0.25 0 0 0 0 0\ncma 1 0 0 0 0 0 0\n"), "%s",
		  plot_named(plots, "success")->data->str);
	/* A's successes: 1 of 3 within 103 ns, all within 2111 ns; B has none: no block */
	cr_expect_str_eq(plot_named(plots, "latency-cdf")->data->str,
			 "# seconds share: one block per policy, in plot order\n"
			 "# buddy\n 1e-07 0\n 1.03e-07 0.333333\n 2.111e-06 1\n");
	/*
	 * At order 2, the largest request's: at 0 all 8 free pages are in
	 * order-2 blocks, index 0; at 1 s none of the 6, index 1. 8 and 6
	 * pages of 4 KiB in MiB.
	 */
	cr_expect_str_eq(plot_named(plots, "fragmentation")->data->str,
			 "# seconds unusable_index free_MiB: one block per policy\n"
			 "# buddy\n 0 0 0.03125\n 1 1 0.0234375\n");
	/* one box, from 0 to the next row and a quarter beyond, for the 8 pages at order 2 */
	cr_expect(g_str_has_suffix(plot_named(plots, "free-by-order")->data->str,
				   "\n 0 2 0 1.25 1.5 2.5 8\n"), "%s",
		  plot_named(plots, "free-by-order")->data->str);
	/* B sets aside 1 MiB reserved and 3 MiB of CMA, 0.25 MiB of it idle */
	cr_expect(strstr(plot_named(plots, "cost-success")->data->str,
			 "\nbuddy 0 0 75 1\ncma 4 0.25 100 2\n"), "%s",
		  plot_named(plots, "cost-success")->data->str);
	cr_expect(strstr(plot_named(plots, "cost-success")->data->str,
			 "\n 0 75 \"buddy\"\n 4 100 \"cma\"\n"), "%s",
		  plot_named(plots, "cost-success")->data->str);
	/*
	 * milliseconds: buddy, zeroing, cache, migration, lru, compaction, mapping, tlb, iommu,
	 * cpu_memory, flush_refill, refault, cleancache
	 */
	cr_expect(strstr(plot_named(plots, "overhead")->data->str,
			 "\nbuddy 2 0.5 0 0 0 0 0 0 0 0 0 0 0\ncma 0 0 0 4 0 0 0 0 0 0 0 0 0\n"), "%s",
		  plot_named(plots, "overhead")->data->str);
	cr_expect(strstr(plot_named(plots, "coherence")->data->str,
			 "\nbuddy 6 2 0\ncma 0 0 0\n"), "%s", plot_named(plots, "coherence")->data->str);
	g_array_unref(figs[0]);
	g_array_unref(figs[1]);
	g_array_unref(latency);
}

/* Two policies at one point share one label. */
Test(plot, policies_at_one_point_share_a_label)
{
	GArray *a = figures_b(), *b = figures_b();
	struct cmasim_plot_run runs[] = { { "cma", a, NULL, NULL, NULL, 2 },
					  { "cma-flush", b, NULL, NULL, NULL, 6 } };
	g_autoptr(GPtrArray) plots = cmasim_plots(runs, 2, 0, NULL);

	cr_expect(g_str_has_suffix(plot_named(plots, "cost-success")->data->str,
				   "# set_aside_MiB served_% label\n 4 100 \"cma, cma-flush\"\n"), "%s",
		  plot_named(plots, "cost-success")->data->str);
	g_array_unref(a);
	g_array_unref(b);
}

/*
 * A pageblock map: the boxes of runs of one state. Two samples of four
 * pageblocks, reserved and free at 0, a device buffer at 1 s.
 */
Test(plot, memory_map_boxes)
{
	GArray *figs = figures_b();
	const char *map = "time_ns,map\n0,RRFF\n1000000000,DRFF\n";
	struct cmasim_plot_run run = { "cma", figs, NULL, NULL, map, 2 };
	GPtrArray *plots = cmasim_plots(&run, 1, 0, NULL);

	/*
	 * t, middle pageblock, t_low, t_high, pb_low, pb_high, state: R is
	 * state 5, F 0, D 4. The last sample lasts 1/100 of the run.
	 */
	cr_expect(g_str_has_suffix(plot_named(plots, "memory-map")->data->str,
				   "# cma\n"
				   " 0 1 0 1 -0.5 1.5 5\n"
				   " 0 3 0 1 1.5 3.5 0\n"
				   " 1 0.5 1 1.01 -0.5 0.5 4\n"
				   " 1 1.5 1 1.01 0.5 1.5 5\n"
				   " 1 3 1 1.01 1.5 3.5 0\n"), "%s",
		  plot_named(plots, "memory-map")->data->str);
	/* pageblock 0 at the top: the y axis runs from the last down to the first */
	cr_expect(strstr(plot_named(plots, "memory-map")->script->str,
			 "set yrange [3.5:-0.5]\n"));

	/*
	 * Samples closer than 1/100 of the run are left out, and the boxes of
	 * the one before reach the next one drawn: 1 ns is skipped, 0 lasts 1 s.
	 */
	run.map = "time_ns,map\n0,RRFF\n1,DRFF\n1000000000,DDFF\n";
	g_ptr_array_unref(plots);
	plots = cmasim_plots(&run, 1, 0, NULL);
	cr_expect(g_str_has_suffix(plot_named(plots, "memory-map")->data->str,
				   "# cma\n"
				   " 0 1 0 1 -0.5 1.5 5\n"
				   " 0 3 0 1 1.5 3.5 0\n"
				   " 1 1 1 1.01 -0.5 1.5 4\n"
				   " 1 3 1 1.01 1.5 3.5 0\n"), "%s",
		  plot_named(plots, "memory-map")->data->str);
	g_ptr_array_unref(plots);
	g_array_unref(figs);
}

/* A bad timeline or map names the run and the line. */
Test(plot, bad_timelines_and_maps)
{
	GArray *figs = figures_b();
	static const char *const bad[][3] = {
		{ "free_pages\n1\n", NULL, "cma's timeline:1: expected a header starting time_ns," },
		{ "time_ns,free_pages\n0,1\n5,x\n", NULL, "cma's timeline:3: field 2 is not a number" },
		{ "time_ns,free_pages\n0,1,2\n", NULL, "cma's timeline:2: expected 2 fields, found 3" },
		{ NULL, "time_ns,map\n0,RRQF\n", "cma's map:2: 'Q' is no pageblock state" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct cmasim_plot_run run = { "cma", figs, NULL, bad[i][0], bad[i][1], 2 };
		GError *error = NULL;

		cr_expect_null(cmasim_plots(&run, 1, 0, &error));
		cr_expect_str_eq(error ? error->message : "", bad[i][2]);
		g_clear_error(&error);
	}
	g_array_unref(figs);
}

/* Every script runs in gnuplot without a word on standard error, and draws both files. */
Test(plot, scripts_run_without_warnings)
{
	GArray *figs[2], *latency;
	g_autoptr(GPtrArray) plots = hand_plots(figs, &latency);

	for (guint i = 0; i < plots->len; i++) {
		const struct cmasim_plot *p = plots->pdata[i];
		g_autofree char *dat = g_strdup_printf("%s.dat", p->name);
		g_autofree char *svg = g_strdup_printf("%s/%s.svg", tmpdir, p->name);
		g_autofree char *png = g_strdup_printf("%s/%s.png", tmpdir, p->name);
		g_autofree char *err = NULL;
		const char *argv[] = { "gnuplot", "--default-settings", NULL };
		g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(
			G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
		g_autoptr(GSubprocess) gp = NULL;
		GStatBuf st;

		g_free(write_tmp(dat, p->data->str));
		g_subprocess_launcher_set_cwd(l, tmpdir);
		g_subprocess_launcher_setenv(l, "LC_ALL", "C.UTF-8", TRUE);
		gp = g_subprocess_launcher_spawnv(l, argv, NULL);
		cr_assert_not_null(gp, "gnuplot (Debian's gnuplot-nox, which scripts/test installs)");
		cr_assert(g_subprocess_communicate_utf8(gp, p->script->str, NULL, NULL, &err, NULL));
		cr_expect(g_subprocess_get_successful(gp), "%s.gp failed: %s", p->name, err);
		cr_expect_str_eq(err ? err : "", "", "%s.gp", p->name);
		cr_expect(!g_stat(svg, &st) && st.st_size > 1000, "%s.svg is empty", p->name);
		cr_expect(!g_stat(png, &st) && st.st_size > 1000, "%s.png is empty", p->name);
	}
	g_array_unref(figs[0]);
	g_array_unref(figs[1]);
	g_array_unref(latency);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim report as a reviewer uses it: a folder of figures, scripts and
 * data that gnuplot redraws without a word, a page a real browser draws
 * whole, the same bytes twice, and nothing left behind on failure.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "cli.h"
#include "scratch.h"

static void setup(void)
{
	scratch_enter("cmasim-report-XXXXXX");
}

TestSuite(report_cli, .init = setup, .fini = scratch_leave);

/* The figures of a report with timelines and maps, in page order. */
static const char *const figures[] = { "success", "latency-cdf", "fragmentation",
				       "free-by-order", "memory-map", "cost-success", "overhead",
				       "coherence" };

/* Runs cmasim in the scratch directory. */
static struct result report(const char *const *argv)
{
	return run_in(tmpdir, argv);
}

/* The report every test here draws: a light workload, three policies. */
#define REPORT_ARGS "report", "idle-device", "-p", "buddy,cma,carveout"

/*
 * The folder holds each figure as SVG and PNG with its script and data,
 * the page, its Markdown and the comparison's JSON, which is what compare
 * prints for the same runs; gnuplot said nothing.
 */
Test(report_cli, writes_the_folder)
{
	struct result r = report((const char *[]){ REPORT_ARGS, "-o", "rep", NULL });
	struct result cmp = report((const char *[]){ "compare", "idle-device", "-p",
						     "buddy,cma,carveout", "-f", "json", NULL });
	g_autofree char *json = slurp("rep/compare.json"), *md = slurp("rep/report.md");

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "cmasim report: rep/report.html\n");
	cr_expect_str_eq(r.err, "");
	for (size_t i = 0; i < G_N_ELEMENTS(figures); i++) {
		static const char *const kinds[] = { "svg", "png", "gp", "dat" };

		for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
			g_autofree char *path = g_strdup_printf("%s/rep/%s.%s", tmpdir, figures[i],
								kinds[k]);
			GStatBuf st;

			cr_expect(!g_stat(path, &st) && st.st_size > 0, "%s missing or empty", path);
		}
	}
	cr_expect_str_eq(json, cmp.out);
	/* the Markdown: a summary row per policy and every figure's PNG */
	cr_expect(strstr(md, "\n| buddy | 0/1 |"), "%s", md);
	for (size_t i = 0; i < G_N_ELEMENTS(figures); i++) {
		g_autofree char *link = g_strdup_printf("](%s.png)", figures[i]);

		cr_expect(strstr(md, link), "no %s in\n%s", link, md);
	}
	result_free(&r);
	result_free(&cmp);
}

/* Each script reruns by hand in the folder, gnuplot silent, as a reviewer restyling it would. */
Test(report_cli, scripts_rerun_without_warnings)
{
	struct result r = report((const char *[]){ REPORT_ARGS, "-o", "rep", NULL });
	g_autofree char *dir = in_tmp("rep");
	g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "LC_ALL", "C.UTF-8", TRUE);

	cr_assert_eq(r.status, 0, "%s", r.err);
	for (size_t i = 0; i < G_N_ELEMENTS(figures); i++) {
		g_autofree char *script = g_strdup_printf("%s.gp", figures[i]);
		const char *argv[] = { "gnuplot", "--default-settings", script, NULL };
		g_autofree char *err = NULL;
		int status;

		cr_assert(g_spawn_sync(dir, (char **)argv, env,
				       G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
				       NULL, &err, &status, NULL));
		cr_expect(g_spawn_check_wait_status(status, NULL), "%s: %s", script, err);
		cr_expect_str_eq(err, "", "%s", script);
	}
	result_free(&r);
}

/* The same inputs give the same data, scripts and page. */
Test(report_cli, is_deterministic)
{
	static const char *const files[] = { "report.html", "report.md", "compare.json",
					     "fragmentation.dat", "fragmentation.gp",
					     "latency-cdf.dat", "free-by-order.dat" };
	struct result a = report((const char *[]){ REPORT_ARGS, "-o", "a", NULL });
	struct result b = report((const char *[]){ REPORT_ARGS, "-o", "b", NULL });

	cr_assert_eq(a.status, 0, "%s", a.err);
	cr_assert_eq(b.status, 0, "%s", b.err);
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *na = g_strdup_printf("a/%s", files[i]);
		g_autofree char *nb = g_strdup_printf("b/%s", files[i]);
		g_autofree char *ta = slurp(na), *tb = slurp(nb);
		/* the page names the command line, which names the folder */
		g_auto(GStrv) pa = g_strsplit(ta, "-o a", -1), pb = g_strsplit(tb, "-o b", -1);
		g_autofree char *ja = g_strjoinv("", pa), *jb = g_strjoinv("", pb);

		cr_expect_str_eq(ja, jb, "%s differs", files[i]);
	}
	result_free(&a);
	result_free(&b);
}

/* An earlier comparison drawn again gives what a fresh run draws. */
Test(report_cli, from_an_earlier_comparison)
{
	struct result cmp = report((const char *[]){ "compare", "idle-device", "-p",
						     "buddy,cma,carveout", "-f", "json", "-o",
						     "c.json", "--timeline", "tl", NULL });
	struct result from = report((const char *[]){ "report", "--from", "c.json", "--timelines",
						      "tl", "-o", "again", NULL });
	struct result fresh = report((const char *[]){ REPORT_ARGS, "-o", "fresh", NULL });

	cr_assert_eq(cmp.status, 0, "%s", cmp.err);
	cr_assert_eq(from.status, 0, "%s", from.err);
	cr_assert_eq(fresh.status, 0, "%s", fresh.err);
	for (size_t i = 0; i < G_N_ELEMENTS(figures); i++) {
		g_autofree char *na = g_strdup_printf("again/%s.dat", figures[i]);
		g_autofree char *nb = g_strdup_printf("fresh/%s.dat", figures[i]);
		g_autofree char *ta = slurp(na), *tb = slurp(nb);

		cr_expect_str_eq(ta, tb, "%s differs", figures[i]);
	}
	result_free(&cmp);
	result_free(&from);
	result_free(&fresh);
}

/* Each policy's file of compare --timeline is what run --timeline writes for it. */
Test(report_cli, compare_timelines_are_run_s)
{
	static const char *const policies[] = { "buddy", "cma" };
	struct result cmp = report((const char *[]){ "compare", "idle-device", "-p", "buddy,cma",
						     "--timeline", "tl", "-o", "/dev/null", NULL });

	cr_assert_eq(cmp.status, 0, "%s", cmp.err);
	for (size_t i = 0; i < G_N_ELEMENTS(policies); i++) {
		g_autofree char *name = g_strdup_printf("tl/%s.csv", policies[i]);
		g_autofree char *mine = g_strdup_printf("%s.csv", policies[i]);
		struct result one = report((const char *[]){ "run", "idle-device", "-p", policies[i],
							     "--timeline", mine, "-o", "/dev/null",
							     NULL });
		g_autofree char *a = slurp(name), *b = slurp(mine);

		cr_assert_eq(one.status, 0, "%s", one.err);
		cr_expect_str_eq(a, b, "%s", policies[i]);
		result_free(&one);
	}
	result_free(&cmp);
}

/*
 * A real browser draws the page: headless Chromium's DOM says every figure
 * loaded, nothing is logged to its console, and its screenshot is not
 * blank.
 */
Test(report_cli, renders_in_a_browser, .timeout = 120)
{
	if (g_getenv("CMASIM_SKIP_BROWSER"))
		cr_skip_test("CMASIM_SKIP_BROWSER is set");
	struct result r = report((const char *[]){ REPORT_ARGS, "-o", "rep", NULL });
	g_autofree char *url = g_strdup_printf("file://%s/rep/report.html", tmpdir);
	g_autofree char *profile = in_tmp("chromium-profile");
	g_autofree char *profile_arg = g_strdup_printf("--user-data-dir=%s", profile);
	g_autofree char *shot = in_tmp("shot.png");
	g_autofree char *shot_arg = g_strdup_printf("--screenshot=%s", shot);
	g_autofree char *dom = NULL, *err = NULL, *want = NULL;
	const char *common[] = { "chromium", "--headless", "--no-sandbox", "--disable-gpu",
				 "--disable-quic", "--no-first-run", "--disable-background-networking",
				 "--disable-component-update", "--disable-sync", profile_arg,
				 "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000" };
	const char *dump[G_N_ELEMENTS(common) + 3], *snap[G_N_ELEMENTS(common) + 4];
	int status;
	GStatBuf st;

	cr_assert_eq(r.status, 0, "%s", r.err);
	memcpy(dump, common, sizeof(common));
	dump[G_N_ELEMENTS(common)] = "--dump-dom";
	dump[G_N_ELEMENTS(common) + 1] = url;
	dump[G_N_ELEMENTS(common) + 2] = NULL;
	cr_assert(g_spawn_sync(NULL, (char **)dump, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &dom,
			       &err, &status, NULL),
		  "chromium (Debian's chromium, which scripts/test installs)");
	cr_assert(g_spawn_check_wait_status(status, NULL), "%s", err);
	want = g_strdup_printf("data-figures=\"%zu of %zu\"", G_N_ELEMENTS(figures),
			       G_N_ELEMENTS(figures));
	cr_expect(strstr(dom, want), "not every figure loaded: %.300s", dom);
	cr_expect_null(strstr(err, ":CONSOLE("), "the page logged to the console:\n%s", err);

	memcpy(snap, common, sizeof(common));
	snap[G_N_ELEMENTS(common)] = "--window-size=1280,3000";
	snap[G_N_ELEMENTS(common) + 1] = shot_arg;
	snap[G_N_ELEMENTS(common) + 2] = url;
	snap[G_N_ELEMENTS(common) + 3] = NULL;
	g_clear_pointer(&err, g_free);
	cr_assert(g_spawn_sync(NULL, (char **)snap, NULL, G_SPAWN_SEARCH_PATH |
			       G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, NULL));
	cr_assert(g_spawn_check_wait_status(status, NULL), "%s", err);
	/* a blank 1280 x 3000 page compresses to a few KiB; the figures make it far more */
	cr_expect(!g_stat(shot, &st) && st.st_size > 100000, "screenshot of %lld bytes",
		  (long long)st.st_size);
	result_free(&r);
}

/* Without gnuplot: a message that says how to get it, and no folder, whole or half. */
Test(report_cli, without_gnuplot_nothing_is_left)
{
	g_autofree char *bin = in_tmp("bin");
	const char *cmasim = g_getenv("CMASIM");
	const char *argv[] = { cmasim, REPORT_ARGS, "-o", "rep", NULL };
	g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "PATH", bin, TRUE);
	g_autofree char *err = NULL;
	int status;

	cr_assert_eq(g_mkdir(bin, 0755), 0);
	cr_assert(g_spawn_sync(tmpdir, (char **)argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
			       NULL, &err, &status, NULL));
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d", status);
	cr_expect(g_str_has_prefix(err, "cmasim report: cannot run gnuplot ("), "%s", err);
	cr_expect(strstr(err, "install it, on Debian with apt-get install gnuplot-nox\n"), "%s",
		  err);
	expect_only((const char *[]){ "bin", NULL });
}

/* A signal while gnuplot draws: no folder, whole or half, and the signal's status. */
Test(report_cli, a_signal_leaves_nothing)
{
	const char *argv[] = { g_getenv("CMASIM"), REPORT_ARGS, "-o", "rep", NULL };
	g_autofree char *err = NULL;
	gint err_fd, status;
	GPid pid;

	cr_assert(g_spawn_async_with_pipes(tmpdir, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
					   NULL, NULL, &pid, NULL, NULL, &err_fd, NULL));
	/* until the temporary folder has its first figure */
	for (bool drawing = false; !drawing;) {
		g_autoptr(GDir) d = g_dir_open(tmpdir, 0, NULL);
		const char *name;

		g_usleep(2000);
		while ((name = g_dir_read_name(d))) {
			g_autofree char *svg = g_strdup_printf("%s/%s/success.svg", tmpdir, name);

			drawing |= g_str_has_prefix(name, "rep.tmp-") &&
				   g_file_test(svg, G_FILE_TEST_EXISTS);
		}
	}
	cr_assert_eq(kill(pid, SIGTERM), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	g_spawn_close_pid(pid);
	GIOChannel *ch = g_io_channel_unix_new(err_fd);

	g_io_channel_set_close_on_unref(ch, TRUE);
	g_io_channel_read_to_end(ch, &err, NULL, NULL);
	g_io_channel_unref(ch);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM, "status %d", status);
	cr_expect_str_eq(err, "cmasim report: interrupted by SIGTERM; its unfinished files are "
			      "removed\n");
	expect_only(NULL);
}

/* Bad command lines exit 2 before anything runs; a folder of other things is not replaced. */
Test(report_cli, bad_command_lines)
{
	static const struct {
		const char *argv[10];
		int status;
		const char *err;
	} cases[] = {
		{ { "report", NULL }, 2, "cmasim report: -o DIR is required (see cmasim report "
		  "--help)\n" },
		{ { "report", "--from", "c.json", "idle-device", "-o", "r", NULL }, 2,
		  "cmasim report: --from draws a comparison that ran: it takes no workload, -m, -p, "
		  "--set, --seed, --kernel or --host-memory (see cmasim report --help)\n" },
		{ { "report", "--timelines", "tl", "-o", "r", NULL }, 2,
		  "cmasim report: --timelines goes with --from (see cmasim report --help)\n" },
		{ { "report", "-p", "buddy,nope", "-o", "r", NULL }, 2,
		  "cmasim report: no policy named 'nope' (see cmasim list)\n" },
		{ { "report", "-o", "other", NULL }, 1,
		  "cmasim report: other: exists and is not empty nor cmasim's (expected a new "
		  "folder, an empty one or one cmasim wrote)\n" },
		{ { "report", "--from", "missing.json", "-o", "r", NULL }, 1,
		  "cmasim report: missing.json: No such file or directory\n" },
	};
	g_autofree char *other = in_tmp("other");

	cr_assert_eq(g_mkdir(other, 0755), 0);
	g_free(write_tmp("other/notes.txt", "mine\n"));
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct result r = report(cases[i].argv);

		cr_expect_eq(r.status, cases[i].status, "case %zu: %s", i, r.err);
		cr_expect_str_eq(r.err, cases[i].err, "case %zu", i);
		result_free(&r);
	}
	expect_only((const char *[]){ "other", NULL });
}

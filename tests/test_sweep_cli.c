// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim sweep with GNU parallel: the jobs it hands over, a sweep
 * interrupted and resumed giving what an uninterrupted one gives, and the
 * hosts file parallel reads.
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
	scratch_enter("cmasim-sweep-XXXXXX");
}

TestSuite(sweep_cli, .init = setup, .fini = scratch_leave);

/* Two policies, two area sizes where they have one, two seeds: 4 cma, 4 carveout, 2 buddy. */
static const char spec[] =
	"workloads: [camera-stream]\n"
	"policies: [cma, carveout, buddy]\n"
	"params:\n"
	"  size: [16MiB, 32MiB]\n"
	"seeds: [1, 2]\n";

static struct result sweep(const char *const *argv)
{
	return run_in(tmpdir, argv);
}

/* The jobs are cmasim runs, one a line, as a shell reads them; nothing runs on a dry run. */
Test(sweep_cli, dry_run_writes_the_jobs)
{
	g_autofree char *dir = in_tmp("out");
	struct result r;

	g_free(write_tmp("spec.yaml", spec));
	r = sweep((const char *[]){ "sweep", "spec.yaml", "-o", "out", "-n", NULL });
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "cmasim sweep: 10 points in out/points.tsv, jobs in out/jobs.txt\n");

	g_autofree char *jobs = slurp("out/jobs.txt"), *table = slurp("out/points.tsv");
	g_auto(GStrv) lines = g_strsplit(jobs, "\n", -1);
	g_autofree char *first = g_strdup_printf(
		"run 'camera-stream' -p 'cma' --set 'size=16MiB' --seed 1 -f json -o "
		"'%s/points/000000.json' 2> '%s/points/000000.err'", dir, dir);

	cr_expect_eq(g_strv_length(lines), 11);
	cr_expect(g_str_has_suffix(lines[0], first), "%s", lines[0]);
	cr_expect(strstr(lines[9], " -p 'buddy' --seed 2 -f json"), "%s", lines[9]);
	cr_expect(g_str_has_prefix(table, "point\tmachine\tworkload\tpolicy\tseed\tsize\n"
					  "000000\t\tcamera-stream\tcma\t1\t16MiB\n"), "%s", table);
	result_free(&r);
}

/*
 * Interrupted while its jobs run, then run again: the second run does only
 * what is left, and the merged results equal an uninterrupted sweep's.
 */
Test(sweep_cli, interrupted_and_resumed_equals_uninterrupted, .timeout = 240)
{
	const char *argv[] = { g_getenv("CMASIM"), "sweep", "spec.yaml", "-o", "cut", "-j", "1",
			       NULL };
	gint status;
	GPid pid;

	g_free(write_tmp("spec.yaml", spec));
	cr_assert(g_spawn_async(tmpdir, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
				G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
				&pid, NULL));
	/* until three points have their results */
	for (unsigned int done = 0; done < 3;) {
		g_autofree char *points = in_tmp("cut/points");
		g_autoptr(GDir) d = g_dir_open(points, 0, NULL);
		const char *name;

		g_usleep(5000);
		done = 0;
		while (d && (name = g_dir_read_name(d)))
			done += g_str_has_suffix(name, ".json");
	}
	cr_assert_eq(kill(pid, SIGINT), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	g_spawn_close_pid(pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGINT, "status %d", status);
	/* no run left a temporary file behind */
	{
		g_autofree char *points = in_tmp("cut/points");
		g_autoptr(GDir) d = g_dir_open(points, 0, NULL);
		const char *name;

		while ((name = g_dir_read_name(d)))
			cr_expect(g_str_has_suffix(name, ".json") || g_str_has_suffix(name, ".err"),
				  "left behind: %s", name);
	}

	struct result resumed = sweep((const char *[]){ "sweep", "spec.yaml", "-o", "cut", "-j",
							"2", NULL });
	struct result whole = sweep((const char *[]){ "sweep", "spec.yaml", "-o", "whole", "-j",
						      "2", NULL });
	g_autofree char *a = slurp("cut/results.csv"), *b = slurp("whole/results.csv");
	g_autofree char *log = slurp("cut/joblog");
	g_auto(GStrv) entries = g_strsplit(log, "\n", -1);

	cr_assert_eq(resumed.status, 0, "%s", resumed.err);
	cr_assert_eq(whole.status, 0, "%s", whole.err);
	cr_expect_str_eq(a, b);
	cr_expect_str_eq(resumed.out, "cmasim sweep: 10 points, 10 with results: cut/results.csv, "
				      "cut/results.json\n");
	/* ten jobs finished once each, and those the signal stopped again */
	cr_expect_geq(g_strv_length(entries) - 2, 10, "%s", log);
	result_free(&resumed);
	result_free(&whole);
}

/*
 * Across hosts: parallel reads the hosts file; ":" is this machine without
 * ssh, so the sweep runs as it would on others, two jobs at once.
 */
Test(sweep_cli, hosts_file, .timeout = 240)
{
	struct result r;

	g_free(write_tmp("spec.yaml", spec));
	g_free(write_tmp("hosts", "2/:\n"));
	r = sweep((const char *[]){ "sweep", "spec.yaml", "-o", "out", "--sshloginfile", "hosts",
				    NULL });
	cr_assert_eq(r.status, 0, "%s", r.err);
	g_autofree char *csv = slurp("out/results.csv");
	g_auto(GStrv) rows = g_strsplit(csv, "\n", -1);

	cr_expect_eq(g_strv_length(rows), 12, "a header, ten points, and the end");
	cr_expect(g_str_has_prefix(rows[1], "000000,armv7-1g,camera-stream,cma,1,16MiB,"), "%s",
		  rows[1]);
	result_free(&r);
}

/* A bad spec or folder: exit 2 or 1, a message, nothing run. */
Test(sweep_cli, bad_input)
{
	struct result r;

	g_free(write_tmp("bad.yaml", "workload: camera-stream\npolicy: cma\n"
			 "params: { size: [lots] }\n"));
	r = sweep((const char *[]){ "sweep", "bad.yaml", "-o", "out", NULL });
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "cmasim sweep: bad.yaml: point 0 (cma): --set size=lots: expected "
				"a size such as 16MiB for size\n");
	result_free(&r);

	g_free(write_tmp("spec.yaml", spec));
	g_free(write_tmp("other.yaml", "workload: camera-stream\npolicy: cma\n"));
	r = sweep((const char *[]){ "sweep", "spec.yaml", "-o", "out", "-n", NULL });
	cr_assert_eq(r.status, 0, "%s", r.err);
	result_free(&r);
	r = sweep((const char *[]){ "sweep", "other.yaml", "-o", "out", "-n", NULL });
	cr_expect_eq(r.status, 1);
	cr_expect(g_str_has_suffix(r.err, "/out holds a sweep of other points (expected a new "
					  "folder, or the same spec to resume)\n"), "%s", r.err);
	result_free(&r);
	r = sweep((const char *[]){ "sweep", "spec.yaml", NULL });
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "cmasim sweep: -o DIR is required (see cmasim sweep --help)\n");
	result_free(&r);
}

/*
 * The figure against the area size: camera-stream's four 760-page frames,
 * each aligned to 256 pages, fit one, two and four at a time in CMA areas
 * of 4, 8 and 12 MiB (1024, 2048, 3072 pages); buddy, which has no area,
 * is one value drawn at every size.
 */
Test(sweep_cli, plot_against_size, .timeout = 240)
{
	g_autofree char *data = NULL;
	struct result r;

	g_free(write_tmp("spec.yaml", "workloads: [camera-stream]\npolicies: [cma, buddy]\n"
			 "params: { size: { from: 4MiB, to: 12MiB, step: 4MiB } }\n"));
	r = sweep((const char *[]){ "sweep", "spec.yaml", "-o", "out", "-j", "2", NULL });
	cr_assert_eq(r.status, 0, "%s", r.err);
	result_free(&r);
	r = sweep((const char *[]){ "sweep", "plot", "out", "-F", "dma_failed_rate", NULL });
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.err, "");
	data = slurp("out/plot/sweep.dat");
	cr_expect_str_eq(data, "# x mean, then x value holds per seed: two blocks a series\n"
			 "# cma\n 4 0.75\n 8 0.5\n 12 0\n\n\n 4 0.75 7\n 8 0.5 7\n 12 0 7\n\n\n"
			 "# buddy\n 4 0\n 8 0\n 12 0\n\n\n 4 0 5\n 8 0 5\n 12 0 5\n");
	g_free(slurp("out/plot/sweep.svg"));
	result_free(&r);

	/* no such parameter swept; no such figure */
	r = sweep((const char *[]){ "sweep", "plot", "out", "--param", "fallback", NULL });
	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(r.err, "cmasim sweep plot: out swept size; --param names one of them\n");
	result_free(&r);
	r = sweep((const char *[]){ "sweep", "plot", "out", "-F", "policy", NULL });
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "cmasim sweep plot: -F: 'policy' is not a figure with a number; "
				"cmasim list --figures lists them (see cmasim sweep plot --help)\n");
	result_free(&r);
}

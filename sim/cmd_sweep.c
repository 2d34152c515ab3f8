// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim sweep: a spec's matrix of runs, one `cmasim run` a point, handed
 * to GNU parallel (locally, or across hosts with --sshloginfile), which
 * keeps a job log so that a sweep run again resumes where it stopped; then
 * one CSV and one JSON of every point. Each run writes its result whole
 * or not at all, as run always does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmasim/error.h"
#include "cmasim/plot.h"
#include "cmasim/report.h"
#include "cmasim/sweep.h"
#include "cli.h"

/* The point IDs' width: enough digits for any sweep. */
#define ID_DIGITS 6

/* @path made absolute, for jobs that run elsewhere (another directory, another host). */
static char *absolute(const char *path)
{
	return g_canonicalize_filename(path, NULL);
}

/* A workload or machine of the spec as a job names it: a built-in, or an absolute path. */
static char *job_input(const struct cmasim_sweep *sweep, const char *name)
{
	g_autofree char *resolved = cmasim_sweep_resolve(sweep, name);

	return !strcmp(resolved, name) && !strchr(name, '/') && !g_str_has_suffix(name, ".yaml") &&
			       !g_str_has_suffix(name, ".bin")
		? g_steal_pointer(&resolved) : absolute(resolved);
}

/* This cmasim's path, for the jobs to run the same one. */
static char *self_path(void)
{
	char *path = g_file_read_link("/proc/self/exe", NULL);

	return path ? path : g_strdup("cmasim");
}

/* Appends @s to @out quoted for the shell that GNU parallel runs each job in. */
static void quoted(GString *out, const char *s)
{
	g_autofree char *q = g_shell_quote(s);

	g_string_append_printf(out, " %s", q);
}

/*
 * The points table (points.tsv: id, machine, workload, policy, seed, the
 * swept values) and the jobs (jobs.txt: one command line each) of @sweep,
 * whose results go to @dir/points.
 */
static void sweep_files(const struct cmasim_sweep *sweep, const char *dir, GString *table,
			GString *jobs)
{
	g_autofree char *self = self_path();

	g_string_append(table, "point\tmachine\tworkload\tpolicy\tseed");
	for (char **p = sweep->params; *p; p++)
		g_string_append_printf(table, "\t%s", *p);
	g_string_append_c(table, '\n');
	for (unsigned int i = 0; i < sweep->nr_points; i++) {
		const struct cmasim_sweep_point *pt = &sweep->points[i];
		g_autofree char *workload = job_input(sweep, pt->workload);
		g_autofree char *machine = pt->machine ? job_input(sweep, pt->machine) : NULL;
		g_autofree char *out = g_strdup_printf("%s/points/%0*u.json", dir, ID_DIGITS, i);
		g_autofree char *err = g_strdup_printf("%s/points/%0*u.err", dir, ID_DIGITS, i);
		g_autofree char *seed = pt->has_seed ? g_strdup_printf("%" PRIu64, pt->seed)
						      : g_strdup("");

		g_string_append_printf(table, "%0*u\t%s\t%s\t%s\t%s", ID_DIGITS, i,
				       pt->machine ? pt->machine : "", pt->workload, pt->policy, seed);
		for (char **v = pt->values; *v; v++)
			g_string_append_printf(table, "\t%s", *v);
		g_string_append_c(table, '\n');

		g_string_append(jobs, "");
		quoted(jobs, self);
		g_string_append(jobs, " run");
		quoted(jobs, workload);
		if (machine) {
			g_string_append(jobs, " -m");
			quoted(jobs, machine);
		}
		g_string_append(jobs, " -p");
		quoted(jobs, pt->policy);
		for (char **s = pt->set; *s; s++) {
			g_string_append(jobs, " --set");
			quoted(jobs, *s);
		}
		if (pt->has_seed)
			g_string_append_printf(jobs, " --seed %s", seed);
		g_string_append(jobs, " -f json -o");
		quoted(jobs, out);
		g_string_append(jobs, " 2>");
		quoted(jobs, err);
		g_string_append_c(jobs, '\n');
	}
}

/* Checks every point's settings as run will, so that a bad one fails before any job runs. */
static bool check_settings(const struct cmasim_sweep *sweep, GError **error)
{
	for (unsigned int i = 0; i < sweep->nr_points; i++) {
		const struct cmasim_sweep_point *pt = &sweep->points[i];
		const struct cmasim_policy_ops *ops = cmasim_policy_find(pt->policy);
		g_autoptr(GArray) settings = NULL;
		g_autoptr(GError) why = NULL;

		/* points differ by their swept values, the rest is the same: one a policy will do */
		if (i && !strcmp(pt->policy, sweep->points[i - 1].policy) && !*sweep->params)
			continue;
		settings = cli_settings_parse((const char *const *)pt->set,
					      (const struct cmasim_policy_ops *const[]){ ops, NULL },
					      "run", &why);
		if (!settings) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s: point %u (%s): %s",
				    sweep->source, i, pt->policy, why->message);
			return false;
		}
	}
	return true;
}

/* Writes @text to @dir/@name whole: under a temporary name, then renamed. */
static bool put(const char *dir, const char *name, const GString *text, GError **error)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	struct cli_outfile out;

	return cli_outfile_open(&out, path, error) && cli_outfile_write(&out, text, error);
}

/*
 * Makes @dir (and @dir/points) for @table, or finds the sweep of the same
 * points there to resume. False with @error when @dir holds another.
 */
static bool prepare_folder(const char *dir, const GString *table, const GString *jobs,
			   GError **error)
{
	g_autofree char *points = g_build_filename(dir, "points", NULL);
	g_autofree char *old_table = g_build_filename(dir, "points.tsv", NULL);
	g_autofree char *old = NULL;

	if (g_file_get_contents(old_table, &old, NULL, NULL)) {
		if (strcmp(old, table->str)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
				    "%s holds a sweep of other points (expected a new folder, or the "
				    "same spec to resume)", dir);
			return false;
		}
	} else if (!cli_folder_replaceable(dir, error)) {
		return false;
	}
	if (g_mkdir_with_parents(points, 0777)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", points,
			    g_strerror(errno));
		return false;
	}
	return put(dir, "points.tsv", table, error) && put(dir, "jobs.txt", jobs, error);
}

/*
 * Runs the jobs of @dir with GNU parallel: @jobs at once, or on the hosts
 * of @sshloginfile, with parallel's bar on a terminal unless @quiet; the
 * job log makes a second run resume. Returns parallel's exit status (the
 * jobs that failed), or -1 with @error.
 */
static int run_parallel(const char *dir, const char *jobs, const char *sshloginfile,
			bool quiet, GError **error)
{
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
		G_SUBPROCESS_FLAGS_NONE);
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GSubprocess) parallel = NULL;
	g_autoptr(GError) why = NULL;
	bool ok;

	g_ptr_array_add(argv, g_strdup("parallel"));
	g_ptr_array_add(argv, g_strdup("--will-cite"));
	g_ptr_array_add(argv, g_strdup("--joblog"));
	g_ptr_array_add(argv, g_build_filename(dir, "joblog", NULL));
	/* jobs that finished are skipped, those that failed run again */
	g_ptr_array_add(argv, g_strdup("--resume-failed"));
	g_ptr_array_add(argv, g_strdup("--jobs"));
	g_ptr_array_add(argv, g_strdup(jobs));
	/* a bar for people watching; quiet in a log */
	if (isatty(STDERR_FILENO) && !quiet)
		g_ptr_array_add(argv, g_strdup("--bar"));
	if (sshloginfile) {
		g_ptr_array_add(argv, g_strdup("--sshloginfile"));
		/* parallel runs in the sweep's folder */
		g_ptr_array_add(argv, absolute(sshloginfile));
	}
	g_ptr_array_add(argv, g_strdup("--arg-file"));
	g_ptr_array_add(argv, g_build_filename(dir, "jobs.txt", NULL));
	g_ptr_array_add(argv, NULL);
	g_subprocess_launcher_set_cwd(launcher, dir);
	parallel = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &why);
	if (!parallel) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO,
			    "cannot run GNU parallel (%s): install it, on Debian with apt-get "
			    "install parallel", why->message);
		return -1;
	}
	/* a signal stops the jobs through parallel, which logs what finished */
	cli_doom_child((pid_t)atoi(g_subprocess_get_identifier(parallel)), true);
	ok = g_subprocess_wait(parallel, NULL, &why);
	cli_doom_child(0, false);
	if (!ok || !g_subprocess_get_if_exited(parallel)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "GNU parallel did not finish%s%s",
			    why ? ": " : "", why ? why->message : "");
		return -1;
	}
	return g_subprocess_get_exit_status(parallel);
}

GPtrArray *cli_sweep_table(const char *dir, GError **error)
{
	g_autofree char *path = g_build_filename(dir, "points.tsv", NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);

	if (!g_file_get_contents(path, &text, NULL, NULL)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s (expected the folder of a "
			    "cmasim sweep)", path, g_strerror(errno));
		g_ptr_array_free(rows, TRUE);
		return NULL;
	}
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l && **l; l++)
		g_ptr_array_add(rows, g_strsplit(*l, "\t", -1));
	return rows;
}

/*
 * Merges the points of @dir into results.csv and results.json: a row (an
 * object) per point, its place in the matrix, then every figure its run
 * gave; a point that has none yet (failed, or not run) has no figures and
 * is counted in *@missing.
 */
static bool merge(const char *dir, unsigned int *missing, GError **error)
{
	g_autoptr(GPtrArray) rows = cli_sweep_table(dir, error);
	g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func(
		(GDestroyNotify)cmasim_loaded_run_free);
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GString) csv = g_string_new(NULL), json = g_string_new(NULL);
	char **header;

	if (!rows)
		return false;
	header = rows->pdata[0];
	*missing = 0;
	/* a cell the spec left empty (the workload's machine or seed) takes what the run used */
	for (guint r = 1; r < rows->len; r++) {
		char **row = rows->pdata[r];
		g_autofree char *path = g_strdup_printf("%s/points/%s.json", dir, row[0]);
		struct cmasim_loaded_run *run = NULL;

		if (g_file_test(path, G_FILE_TEST_EXISTS) && !(run = cmasim_run_load(path, error)))
			return false;
		*missing += !run;
		g_ptr_array_add(runs, run);
		for (guint f = 0; run && f < run->figs->len; f++) {
			const struct cmasim_figure *fig = &g_array_index(run->figs,
									 struct cmasim_figure, f);

			if (!fig->label && !g_strv_contains((const char *const *)header, fig->key) &&
			    g_hash_table_add(seen, fig->key))
				g_ptr_array_add(names, fig->key);
		}
	}
	/* CSV: the matrix's columns, then every figure */
	for (char **h = header; *h; h++) {
		g_string_append(csv, h == header ? "" : ",");
		cmasim_csv_field(csv, *h);
	}
	for (guint n = 0; n < names->len; n++)
		g_string_append_printf(csv, ",%s", (char *)names->pdata[n]);
	g_string_append_c(csv, '\n');
	g_string_append(json, "{\n  \"schema\": \"cmasim-sweep/1\",\n  \"cmasim_version\": ");
	cmasim_json_string(json, cmasim_version());
	g_string_append(json, ",\n  \"points\": [\n");
	for (guint r = 1; r < rows->len; r++) {
		char **row = rows->pdata[r];
		const struct cmasim_loaded_run *run = runs->pdata[r - 1];

		for (guint c = 0; row[c]; c++) {
			const struct cmasim_figure *f = run && !*row[c]
				? cmasim_figures_find(run->figs, header[c]) : NULL;

			if (f && f->value) {
				g_free(row[c]);
				row[c] = g_strdup(f->value);
			}
			g_string_append(csv, c ? "," : "");
			cmasim_csv_field(csv, row[c]);
		}
		for (guint n = 0; n < names->len; n++) {
			const struct cmasim_figure *f = run ? cmasim_figures_find(run->figs,
										  names->pdata[n])
							    : NULL;

			g_string_append_c(csv, ',');
			cmasim_csv_field(csv, f && f->value ? f->value : "");
		}
		g_string_append_c(csv, '\n');
		g_string_append(json, "    {");
		for (guint c = 0; header[c] && row[c]; c++) {
			g_string_append(json, c ? ", " : "");
			cmasim_json_string(json, header[c]);
			g_string_append(json, ": ");
			cmasim_json_string(json, row[c]);
		}
		g_string_append(json, ", \"results\": ");
		if (run) {
			g_autofree char *path = g_strdup_printf("%s/points/%s.json", dir, row[0]);
			g_autofree char *text = NULL;
			g_auto(GStrv) lines = NULL;

			/* the run's object as run wrote it, indented */
			g_file_get_contents(path, &text, NULL, NULL);
			g_strchomp(text);
			lines = g_strsplit(text, "\n", -1);
			for (char **l = lines; *l; l++)
				g_string_append_printf(json, "%s%s", l == lines ? "" : "\n      ", *l);
		} else {
			g_string_append(json, "null");
		}
		g_string_append(json, r + 1 < rows->len ? "},\n" : "}\n");
	}
	g_string_append(json, "  ]\n}\n");
	return put(dir, "results.csv", csv, error) && put(dir, "results.json", json, error);
}

/* cmasim sweep merge DIR */
static int sweep_merge(int argc, char **argv)
{
	const GOptionEntry entries[] = { { NULL } };
	g_autoptr(GError) error = NULL;
	unsigned int missing;

	if (!cli_parse_options("sweep merge", "DIR",
			       "Merge a sweep's points into DIR/results.csv and DIR/results.json.",
			       "A sweep merges by itself when its jobs finish; this merges what an "
			       "interrupted one has.\n\nExample:\n  cmasim sweep merge out\n",
			       entries, &argc, &argv))
		return 2;
	if (argc != 2)
		return cli_usage_error("sweep merge", "expected the sweep's folder");
	if (!merge(argv[1], &missing, &error)) {
		cli_error("sweep merge", error);
		return 1;
	}
	if (missing)
		fprintf(stderr, "cmasim sweep merge: %u points have no result yet\n", missing);
	return missing ? 1 : 0;
}

int cmd_sweep(int argc, char **argv)
{
	g_autofree char *output = NULL, *jobs_arg = NULL, *sshloginfile = NULL;
	gboolean dry_run = FALSE, quiet = FALSE;
	const GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "The sweep's folder (required): points, job log and merged results", "DIR" },
		{ "jobs", 'j', 0, G_OPTION_ARG_STRING, &jobs_arg,
		  "Runs at once on each host, as parallel -j takes it (default: the cores)", "N" },
		{ "sshloginfile", 0, 0, G_OPTION_ARG_FILENAME, &sshloginfile,
		  "Run across the hosts of FILE, as parallel --sshloginfile takes it", "FILE" },
		{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
		  "Write the points and jobs, run nothing", NULL },
		CLI_QUIET_ENTRY(quiet),
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) table = g_string_new(NULL), jobs = g_string_new(NULL);
	g_autofree char *dir = NULL, *jobs_text = NULL;
	struct cmasim_sweep *sweep = NULL;
	unsigned int workers, missing = 0;
	int failed, ret = 1;

	if (argc > 1 && !strcmp(argv[1], "merge"))
		return sweep_merge(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "plot"))
		return cmd_sweep_plot(argc - 1, argv + 1);
	if (!cli_parse_options("sweep", "SPEC",
			       "Run a matrix of machines, workloads, policies, parameter values and "
			       "seeds with GNU parallel, and merge the results.",
			       "SPEC is a YAML sweep spec (README.md describes it). Each point is one\n"
			       "cmasim run, writing DIR/points/ID.json whole or not at all; GNU\n"
			       "parallel's job log (DIR/joblog) makes the same command resume an\n"
			       "interrupted sweep. The results: DIR/results.csv and results.json, a row\n"
			       "per point. Across hosts (--sshloginfile), cmasim and the inputs must be\n"
			       "at the same paths on each, DIR on a shared file system.\n\n"
			       "Examples:\n"
			       "  cmasim sweep cma-sizes.yaml -o out -j 2\n"
			       "  cmasim sweep cma-sizes.yaml -o /shared/out --sshloginfile hosts\n"
			       "  cmasim sweep merge out\n",
			       entries, &argc, &argv))
		return 2;
	if (argc != 2 || !output)
		return cli_usage_error("sweep", !output ? "-o DIR is required" : "expected one spec");
	if (!cli_parse_jobs("sweep", jobs_arg, &workers))
		return 2;
	sweep = cmasim_sweep_load_file(argv[1], &error);
	if (!sweep || !check_settings(sweep, &error)) {
		ret = 2;
		goto out;
	}
	dir = absolute(output);
	sweep_files(sweep, dir, table, jobs);
	if (!prepare_folder(dir, table, jobs, &error))
		goto out;
	if (dry_run) {
		printf("cmasim sweep: %u points in %s/points.tsv, jobs in %s/jobs.txt\n",
		       sweep->nr_points, output, output);
		ret = 0;
		goto out;
	}
	jobs_text = g_strdup_printf("%u", workers);
	failed = run_parallel(dir, jobs_text, sshloginfile, quiet, &error);
	if (failed < 0 || !merge(dir, &missing, &error))
		goto out;
	printf("cmasim sweep: %u points, %u with results: %s/results.csv, %s/results.json\n",
	       sweep->nr_points, sweep->nr_points - missing, output, output);
	if (missing)
		fprintf(stderr, "cmasim sweep: %u points failed; DIR/points/ID.err says why, and "
			"the same command runs them again\n", missing);
	ret = missing || failed ? 1 : 0;
out:
	if (error)
		cli_error("sweep", error);
	cmasim_sweep_free(sweep);
	return ret;
}

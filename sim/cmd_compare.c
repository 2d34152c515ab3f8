// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim compare: several policies on the same machine, trace and seed,
 * side by side; with lists of workloads and machines, a grid of them.
 */
#include <string.h>

#include "cmasim/units.h"
#include "cli.h"

/*
 * Writes each run's timeline and map, or with @requests its request log,
 * into folder @dir, whole or not at all: POLICY.csv and POLICY-map.csv.
 */
static bool write_captures(const struct cli_grid *g, const char *dir, bool requests,
			   GError **error)
{
	char *tmp = cli_folder_open(dir, error);
	bool ok = tmp != NULL;

	for (unsigned int i = 0; ok && i < g->nr_jobs; i++) {
		const struct cli_job *job = &g->jobs[i];
		const struct cli_captured *c = &job->captured[requests ? CLI_REQUESTS
								       : CLI_TIMELINE];
		const struct cli_captured *map = &job->captured[CLI_MAP];
		g_autofree char *name = NULL, *file = NULL, *map_file = NULL;

		if (!job->r)
			continue;
		name = g->nr_jobs > g->nr_policies
			? g_strdup_printf("%s--%s--%s", job->cfg->name, job->r->workload,
					  job->r->policy)
			: g_strdup(job->r->policy);
		/* a name from a file's contents never reaches outside the folder */
		g_strdelimit(name, "/", '_');
		file = g_strconcat(name, requests && job->opts.requests_json ? ".jsonl" : ".csv",
				   NULL);
		map_file = g_strconcat(name, "-map.csv", NULL);
		ok = cli_folder_put(tmp, file, c->text, (gssize)c->len, error) &&
		     (requests || cli_folder_put(tmp, map_file, map->text, (gssize)map->len, error));
	}
	return tmp ? cli_folder_close(tmp, dir, ok, error) : false;
}

int cmd_compare(int argc, char **argv)
{
	g_autofree char *kernel = NULL, *host_memory = NULL;
	g_autofree char *requests = NULL, *requests_format = NULL;
	struct cmasim_run_options replay = { 0 };
	g_autofree char *machines_arg = NULL, *policies_arg = NULL, *format = NULL;
	g_autofree char *output = NULL, *seed = NULL, *jobs_arg = NULL, *workloads_arg = NULL;
	g_autofree char *figures_arg = NULL, *timeline = NULL, *interval_arg = NULL;
	g_auto(GStrv) set = NULL, figures = NULL, workloads = NULL, machines = NULL;
	gboolean show_timings = FALSE, quiet = FALSE;
	const GOptionEntry entries[] = {
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &machines_arg,
		  "Machine configs: files or built-in names, comma-separated for a grid (default: "
		  "each workload's, else " DEFAULT_MACHINE ")", "MACHINE,..." },
		{ "workloads", 'w', 0, G_OPTION_ARG_STRING, &workloads_arg,
		  "Workloads, comma-separated, for a grid (instead of WORKLOAD)", "WORKLOAD,..." },
		{ "policies", 'p', 0, G_OPTION_ARG_STRING, &policies_arg,
		  "Policies to compare, one column each (default: all that can run on the machine, "
		  "as cmasim list orders them)", "POLICY,..." },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &set,
		  "Set a parameter of every policy that has it, or of one with POLICY.NAME; "
		  "repeatable", "[POLICY.]NAME=VALUE" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "Output format: table (default), json or csv", "FORMAT" },
		{ "figures", 'F', 0, G_OPTION_ARG_STRING, &figures_arg,
		  "Only these figures below the summary (glob patterns such as dma_*)", "NAME,..." },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "Write the figures to FILE instead of standard output", "FILE" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed,
		  "Seed for the workloads' generators (default: each workload's)", "N" },
		{ "jobs", 'j', 0, G_OPTION_ARG_STRING, &jobs_arg,
		  "Replay N runs at once (default: the available cores)", "N" },
		{ "timeline", 't', 0, G_OPTION_ARG_FILENAME, &timeline,
		  "Write each run's timeline into folder DIR: POLICY.csv, or "
		  "MACHINE--WORKLOAD--POLICY.csv for a grid", "DIR" },
		{ "timeline-interval", 0, 0, G_OPTION_ARG_STRING, &interval_arg,
		  "Simulated time between timeline rows (default 10ms; 0 for sample events only)",
		  "TIME" },
		{ "requests", 'r', 0, G_OPTION_ARG_FILENAME, &requests,
		  "Write each run's request log (as run --requests) into folder DIR, named as "
		  "--timeline's", "DIR" },
		{ "requests-format", 0, 0, G_OPTION_ARG_STRING, &requests_format,
		  "csv (default) or jsonl", "FORMAT" },
		{ "timings", 0, 0, G_OPTION_ARG_NONE, &show_timings,
		  "Print the host time each run took to standard error", NULL },
		CLI_REPLAY_ENTRIES(kernel, host_memory),
		CLI_QUIET_ENTRY(quiet),
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) settings = NULL;
	g_autoptr(GPtrArray) runs = g_ptr_array_new();
	g_autofree const struct cmasim_policy_ops **policies = NULL;
	g_autofree struct cmasim_compare_group *groups = NULL;
	struct cli_grid grid = { 0 };
	struct cli_outfile out = { 0 };
	struct cmasim_report_options ropts = { .format = CMASIM_FORMAT_TABLE };
	uint64_t seed_value = 0, interval = 10000000;
	unsigned int workers, nr_groups, failed;
	g_autoptr(GString) text = NULL;
	int ret = 1;
	gint64 start;

	if (!cli_parse_options("compare", "[WORKLOAD]",
			       "Replay a workload on a machine under several policies and print their "
			       "figures side by side.",
			       "WORKLOAD is a trace file or a built-in name, as for cmasim run; the\n"
			       "default is " DEFAULT_WORKLOAD ". Every policy sees the same machine, trace\n"
			       "and seed; each column holds the figures cmasim run -p POLICY prints. The\n"
			       "table starts with a summary, the best value of each column marked, and\n"
			       "wraps to the terminal; JSON and CSV keep the raw figures. With lists of\n"
			       "workloads (-w) and machines (-m), every pair is compared in one table.\n\n"
			       "Examples:\n"
			       "  cmasim compare\n"
			       "  cmasim compare fragmenting-churn -p buddy,cma -f csv -o churn.csv\n"
			       "  cmasim compare -m armv6-512m --set cma.size=32MiB --set trim=false\n"
			       "  cmasim compare -w camera-stream,idle-device -m armv7-1g,armv6-512m\n",
			       entries, &argc, &argv))
		return 2;
	if (argc > 2 || (argc == 2 && workloads_arg))
		return cli_usage_error("compare", "expected one workload, or -w with a list");
	if (!cli_parse_format("compare", format, &ropts.format) ||
	    !cli_parse_seed("compare", seed, &seed_value) ||
	    !cli_parse_jobs("compare", jobs_arg, &workers) ||
	    !cli_parse_figures("compare", figures_arg, &figures) ||
	    !cli_parse_replay_args("compare", kernel, host_memory, &replay))
		return 2;
	if (interval_arg && cmasim_parse_time(interval_arg, strlen(interval_arg), &interval) !=
	    CMASIM_PARSE_OK)
		return cli_usage_error("compare", "--timeline-interval expects a time such as 10ms");
	if (requests_format && strcmp(requests_format, "csv") && strcmp(requests_format, "jsonl"))
		return cli_usage_error("compare", "--requests-format expects csv or jsonl");
	if (timeline && requests && !strcmp(timeline, requests))
		return cli_usage_error("compare", "--timeline and --requests name the same folder");
	ropts.figures = (const char *const *)figures;
	ropts.width = cli_table_width();
	workloads = workloads_arg ? g_strsplit(workloads_arg, ",", -1) : g_new0(char *, 2);
	if (!workloads_arg)
		workloads[0] = g_strdup(argc == 2 ? argv[1] : DEFAULT_WORKLOAD);
	machines = machines_arg ? g_strsplit(machines_arg, ",", -1) : g_new0(char *, 1);
	if (g_strv_contains((const char *const *)workloads, "") ||
	    g_strv_contains((const char *const *)machines, ""))
		return cli_usage_error("compare", "-w and -m expect names separated by commas");
	policies = cli_parse_policies("compare", policies_arg);
	if (!policies)
		return 2;
	settings = cli_settings_parse((const char *const *)set, policies, "compared", &error);
	if (!settings) {
		cli_error("compare", error);
		return 2;
	}

	if ((timeline && !cli_folder_replaceable(timeline, &error)) ||
	    (requests && !cli_folder_replaceable(requests, &error)) ||
	    !cli_grid_build(&grid, workloads, machines, policies, settings, seed ? &seed_value : NULL,
			    &error) ||
	    !cli_outfile_open(&out, output, &error))
		goto out;
	for (unsigned int i = 0; i < grid.nr_jobs; i++) {
		grid.jobs[i].captured[CLI_TIMELINE].on = timeline;
		grid.jobs[i].captured[CLI_MAP].on = timeline;
		grid.jobs[i].opts.map_interval_ns = CLI_MAP_INTERVAL;
		grid.jobs[i].opts.timeline_interval_ns = interval;
		grid.jobs[i].opts.kernel = replay.kernel;
		grid.jobs[i].opts.host_memory_limit = replay.host_memory_limit;
		grid.jobs[i].captured[CLI_REQUESTS].on = requests;
		grid.jobs[i].opts.requests_json = requests_format && !strcmp(requests_format, "jsonl");
	}
	start = g_get_monotonic_time();
	cli_progress_start("compare", quiet);
	failed = cli_jobs_run(grid.jobs, grid.nr_jobs, workers, !policies_arg);
	if (failed < grid.nr_jobs) {
		cli_job_error("compare", &grid.jobs[failed]);
		goto out;
	}
	groups = cli_grid_groups("compare", &grid, &nr_groups, runs);
	if (!groups)
		goto out;
	text = g_string_new(NULL);
	cmasim_report_compare(groups, nr_groups, &ropts, text);
	if ((!timeline || write_captures(&grid, timeline, false, &error)) &&
	    (!requests || write_captures(&grid, requests, true, &error)) &&
	    cli_outfile_write(&out, text, &error))
		ret = 0;
	if (show_timings)
		cli_grid_timings("compare", &grid, MIN(workers, grid.nr_jobs),
				 g_get_monotonic_time() - start);
out:
	if (error)
		cli_error("compare", error);
	cli_outfile_close(&out, false, NULL);
	cli_grid_free(&grid);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim compare: several policies on the same machine, trace and seed,
 * side by side; with lists of workloads and machines, a grid of them.
 */
#include <string.h>

#include "cli.h"

/*
 * The policies of -p @list (comma-separated), or every registered one in
 * registry order; NULL-terminated. NULL after printing what was wrong.
 */
static const struct cmasim_policy_ops **parse_policies(const char *list)
{
	g_auto(GStrv) names = list ? g_strsplit(list, ",", -1) : NULL;
	unsigned int nr = names ? g_strv_length(names) : cmasim_nr_policies;
	const struct cmasim_policy_ops **ops = g_new0(const struct cmasim_policy_ops *, nr + 1);

	if (!nr || (names && g_strv_contains((const char *const *)names, ""))) {
		cli_usage_error("compare", "-p expects policy names separated by commas");
		goto fail;
	}
	for (unsigned int i = 0; i < nr; i++) {
		ops[i] = names ? cmasim_policy_find(names[i]) : cmasim_policies[i];
		if (!ops[i]) {
			fprintf(stderr, "cmasim compare: no policy named '%s' (see cmasim list)\n",
				names[i]);
			goto fail;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (ops[j] == ops[i]) {
				fprintf(stderr, "cmasim compare: -p names %s twice (expected each "
					"policy once)\n", names[i]);
				goto fail;
			}
		}
	}
	return ops;
fail:
	g_free(ops);
	return NULL;
}

/* The names of a comma-separated option @list, else of @fallback alone (may be NULL). */
static char **name_list(const char *list, const char *fallback)
{
	if (list)
		return g_strsplit(list, ",", -1);
	return g_strdupv((char **)(const char *const[]){ fallback, NULL });
}

/* What one comparison holds: its workloads and machines, and a job per cell and policy. */
struct grid {
	struct cli_workload *workloads;
	unsigned int nr_workloads;
	GPtrArray *machines;		/* of struct cmasim_config *, one per distinct name */
	struct cli_job *jobs;
	unsigned int nr_jobs;
	unsigned int nr_policies;	/* jobs per cell */
};

/* The machine called @name, loaded once for all the cells that use it. */
static struct cmasim_config *grid_machine(struct grid *g, GHashTable *by_name, const char *name,
					  GError **error)
{
	struct cmasim_config *cfg = g_hash_table_lookup(by_name, name);

	if (cfg)
		return cfg;
	cfg = cli_load_machine(name, error);
	if (cfg) {
		g_ptr_array_add(g->machines, cfg);
		g_hash_table_insert(by_name, g_strdup(name), cfg);
	}
	return cfg;
}

/*
 * Opens @workloads and @machines (NULL entry: each workload's own) and
 * makes a job for every workload x machine x policy. False with @error.
 */
static bool grid_build(struct grid *g, char **workloads, char **machines,
		       const struct cmasim_policy_ops *const *policies, const GArray *settings,
		       const char *seed, uint64_t seed_value, GError **error)
{
	g_autoptr(GHashTable) by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							      NULL);
	unsigned int nr_machines = g_strv_length(machines);

	g->machines = g_ptr_array_new_with_free_func((GDestroyNotify)cmasim_config_free);
	g->nr_workloads = g_strv_length(workloads);
	g->workloads = g_new0(struct cli_workload, g->nr_workloads);
	while (policies[g->nr_policies])
		g->nr_policies++;
	g->jobs = g_new0(struct cli_job, g->nr_workloads * MAX(nr_machines, 1) * g->nr_policies);
	for (unsigned int wl = 0; wl < g->nr_workloads; wl++) {
		struct cli_workload *w = &g->workloads[wl];

		if (!cli_workload_open(workloads[wl], true, w, error))
			return false;
		for (unsigned int m = 0; m < MAX(nr_machines, 1); m++) {
			const char *name = cli_workload_machine(w, nr_machines ? machines[m] : NULL);
			struct cmasim_config *cfg = grid_machine(g, by_name, name, error);

			if (!cfg)
				return false;
			for (unsigned int p = 0; p < g->nr_policies; p++) {
				struct cli_job *job = &g->jobs[g->nr_jobs++];

				job->cfg = cfg;
				job->workload = w;
				job->opts.policy = policies[p];
				job->opts.seed = seed ? seed_value : cmasim_trace_info(w->trace)->seed;
				job->set = cli_settings_for(settings, policies[p]);
			}
		}
	}
	return true;
}

static void grid_free(struct grid *g)
{
	cli_jobs_free(g->jobs, g->nr_jobs);
	for (unsigned int i = 0; i < g->nr_workloads; i++)
		cli_workload_close(&g->workloads[i]);
	g_free(g->workloads);
	if (g->machines)
		g_ptr_array_free(g->machines, TRUE);
}

/* Prints why @job failed, naming its policy where the message names neither it nor the workload. */
static void job_error(const struct cli_job *job)
{
	const char *source = job->workload->source;
	size_t len = strlen(source);
	const char *msg = job->error->message;

	if ((!strncmp(msg, source, len) && msg[len] == ':') || cli_job_refused(job))
		fprintf(stderr, "cmasim compare: %s\n", msg);
	else
		fprintf(stderr, "cmasim compare: policy %s: %s\n", job->opts.policy->name, msg);
}

/*
 * The groups of runs that finished, one per cell; says on standard error
 * which policies refused their machine. NULL, after saying so, when every
 * policy of some cell did.
 */
static struct cmasim_compare_group *grid_groups(const struct grid *g, unsigned int *nr,
						GPtrArray *runs)
{
	unsigned int cells = g->nr_jobs / g->nr_policies;
	struct cmasim_compare_group *groups = g_new0(struct cmasim_compare_group, cells);

	g_ptr_array_set_size(runs, g->nr_jobs);
	for (unsigned int c = 0; c < cells; c++) {
		const struct cli_job *cell = &g->jobs[c * g->nr_policies];
		unsigned int n = 0;

		groups[c].cfg = cell->cfg;
		groups[c].runs = (const struct cmasim_results *const *)&runs->pdata[c * g->nr_policies];
		for (unsigned int p = 0; p < g->nr_policies; p++) {
			if (cell[p].r) {
				runs->pdata[c * g->nr_policies + n++] = cell[p].r;
				continue;
			}
			fprintf(stderr, "cmasim compare: %s; left out\n", cell[p].error->message);
		}
		groups[c].n = n;
		if (!n) {
			fprintf(stderr, "cmasim compare: no policy can run on machine %s\n",
				cell->cfg->name);
			g_free(groups);
			return NULL;
		}
	}
	*nr = cells;
	return groups;
}

/* Prints the host time each job took, and all of them @all_us, to standard error. */
static void timings(const struct grid *g, unsigned int workers, gint64 all_us)
{
	fprintf(stderr, "cmasim compare: host time of each run, %u at a time:\n", workers);
	for (unsigned int i = 0; i < g->nr_jobs; i++) {
		const struct cli_job *job = &g->jobs[i];

		if (!job->r)
			continue;
		if (g->nr_jobs > g->nr_policies)
			fprintf(stderr, "  %s/%s/%-14s %8.3f s\n", job->cfg->name, job->r->workload,
				job->opts.policy->name, (double)job->wall_us / 1e6);
		else
			fprintf(stderr, "  %-14s %8.3f s\n", job->opts.policy->name,
				(double)job->wall_us / 1e6);
	}
	fprintf(stderr, "  %-14s %8.3f s\n", "all", (double)all_us / 1e6);
}

int cmd_compare(int argc, char **argv)
{
	g_autofree char *machines_arg = NULL, *policies_arg = NULL, *format = NULL;
	g_autofree char *output = NULL, *seed = NULL, *jobs_arg = NULL, *workloads_arg = NULL;
	g_autofree char *figures_arg = NULL;
	g_auto(GStrv) set = NULL, figures = NULL, workloads = NULL, machines = NULL;
	gboolean show_timings = FALSE;
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
		{ "timings", 0, 0, G_OPTION_ARG_NONE, &show_timings,
		  "Print the host time each run took to standard error", NULL },
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) settings = NULL;
	g_autoptr(GPtrArray) runs = g_ptr_array_new();
	g_autofree const struct cmasim_policy_ops **policies = NULL;
	g_autofree struct cmasim_compare_group *groups = NULL;
	struct grid grid = { 0 };
	struct cli_outfile out = { 0 };
	struct cmasim_report_options ropts = { .format = CMASIM_FORMAT_TABLE };
	uint64_t seed_value = 0;
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
	    !cli_parse_figures("compare", figures_arg, &figures))
		return 2;
	ropts.figures = (const char *const *)figures;
	ropts.width = cli_table_width();
	workloads = name_list(workloads_arg, argc == 2 ? argv[1] : DEFAULT_WORKLOAD);
	machines = machines_arg ? g_strsplit(machines_arg, ",", -1) : g_new0(char *, 1);
	if (g_strv_contains((const char *const *)workloads, "") ||
	    g_strv_contains((const char *const *)machines, ""))
		return cli_usage_error("compare", "-w and -m expect names separated by commas");
	policies = parse_policies(policies_arg);
	if (!policies)
		return 2;
	settings = cli_settings_parse((const char *const *)set, policies, "compared", &error);
	if (!settings) {
		cli_error("compare", error);
		return 2;
	}

	if (!grid_build(&grid, workloads, machines, policies, settings, seed, seed_value, &error) ||
	    !cli_outfile_open(&out, output, &error))
		goto out;
	start = g_get_monotonic_time();
	failed = cli_jobs_run(grid.jobs, grid.nr_jobs, workers, !policies_arg);
	if (failed < grid.nr_jobs) {
		job_error(&grid.jobs[failed]);
		goto out;
	}
	groups = grid_groups(&grid, &nr_groups, runs);
	if (!groups)
		goto out;
	text = g_string_new(NULL);
	cmasim_report_compare(groups, nr_groups, &ropts, text);
	if (cli_outfile_write(&out, text, &error))
		ret = 0;
	if (show_timings)
		timings(&grid, MIN(workers, grid.nr_jobs), g_get_monotonic_time() - start);
out:
	if (error)
		cli_error("compare", error);
	cli_outfile_close(&out, false, NULL);
	grid_free(&grid);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim report: a comparison turned into figures (gnuplot, SVG and PNG),
 * report.html and report.md, with the scripts and data beside them. The
 * folder appears whole or not at all: it is written under a temporary
 * name and renamed into place.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmasim/error.h"
#include "cmasim/plot.h"
#include "cmasim/summary.h"
#include "cmasim/units.h"
#include "cli.h"

/* What the report draws, fresh from runs or read back from a comparison's JSON. */
struct source {
	struct cmasim_plot_run *runs;
	unsigned int n;
	GArray **figs;			/* each run's, owned here */
	GString *json;			/* the comparison, written beside the report */
	struct cmasim_page page;
	GPtrArray *strings;		/* what the page's fields point into */
	GPtrArray *loaded;		/* runs read back, when from JSON */
};

static void source_clear(struct source *src)
{
	for (unsigned int i = 0; src->figs && i < src->n; i++) {
		g_array_unref(src->figs[i]);
		if (src->runs[i].latency && !src->loaded)
			g_array_unref(src->runs[i].latency);
	}
	g_free(src->figs);
	g_free(src->runs);
	if (src->json)
		g_string_free(src->json, TRUE);
	if (src->strings)
		g_ptr_array_free(src->strings, TRUE);
	if (src->loaded)
		g_ptr_array_free(src->loaded, TRUE);
}

/* Keeps @s for as long as @src, and returns it. */
static const char *keep(struct source *src, char *s)
{
	g_ptr_array_add(src->strings, s);
	return s;
}

/* The text value of figure @key of @figs, or NULL. */
static const char *text_of(const GArray *figs, const char *key)
{
	const struct cmasim_figure *f = cmasim_figures_find(figs, key);

	return f ? f->value : NULL;
}

/* The buckets of histogram @h, as the JSON lists them. */
static GArray *buckets_of(const struct cmasim_hist *h)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct cmasim_plot_bucket));

	for (unsigned int b = 0; b < CMASIM_HIST_BUCKETS; b++) {
		struct cmasim_plot_bucket k = { .count = h->buckets[b] };

		if (!k.count)
			continue;
		cmasim_hist_bucket_bounds(b, &k.lo, &k.hi);
		g_array_append_val(out, k);
	}
	return out;
}

/*
 * The description of built-in or file @name of @kind, if what it holds
 * now is what the comparison ran (its hash @sha256); else NULL.
 */
static char *description_of(const char *kind, const char *name, const char *sha256)
{
	g_autoptr(GError) error = NULL;

	if (!name || !sha256)
		return NULL;
	if (!strcmp(kind, "configs")) {
		struct cmasim_config *cfg = cli_load_machine(name, &error);
		char *d = cfg && !g_strcmp0(cfg->sha256, sha256) ? g_strdup(cfg->description) : NULL;

		cmasim_config_free(cfg);
		return d;
	}
	struct cli_workload w;
	char *d = NULL;

	if (cli_workload_open(name, false, &w, &error)) {
		const char *info = cmasim_trace_info(w.trace)->description;

		d = info && !g_strcmp0(cmasim_trace_sha256(w.trace), sha256) ? g_strdup(info) : NULL;
	}
	cli_workload_close(&w);
	return d;
}

/* Fills the page's fields that come from the first run's figures. */
static void page_from_figures(struct source *src)
{
	const GArray *f = src->figs[0];

	src->page.machine = text_of(f, "machine");
	src->page.machine_sha256 = text_of(f, "machine_sha256");
	src->page.workload = text_of(f, "workload");
	src->page.workload_sha256 = text_of(f, "workload_sha256");
	src->page.seed = text_of(f, "seed");
	src->page.version = cmasim_version();
}

/*
 * Runs the comparison: the grid of one workload and machine, timelines
 * kept, every run with @base's timeline interval, kernel and host limit.
 */
static bool source_run(struct source *src, const char *workload, const char *machine,
		       const struct cmasim_policy_ops *const *policies, const GArray *settings,
		       const uint64_t *seed, const struct cmasim_run_options *base,
		       unsigned int workers, bool all_policies, GError **error)
{
	g_auto(GStrv) workloads = g_strdupv((char *[]){ (char *)workload, NULL });
	g_auto(GStrv) machines = machine ? g_strdupv((char *[]){ (char *)machine, NULL })
					 : g_new0(char *, 1);
	g_autoptr(GPtrArray) results = g_ptr_array_new();
	g_autofree struct cmasim_compare_group *groups = NULL;
	struct cli_grid grid = { 0 };
	unsigned int failed, nr_groups;
	bool ok = false;

	if (!cli_grid_build(&grid, workloads, machines, policies, settings, seed, error))
		goto out;
	for (unsigned int i = 0; i < grid.nr_jobs; i++) {
		grid.jobs[i].captured[CLI_TIMELINE].on = true;
		grid.jobs[i].captured[CLI_MAP].on = true;
		grid.jobs[i].opts.map_interval_ns = CLI_MAP_INTERVAL;
		grid.jobs[i].opts.timeline_interval_ns = base->timeline_interval_ns;
		grid.jobs[i].opts.kernel = base->kernel;
		grid.jobs[i].opts.host_memory_limit = base->host_memory_limit;
	}
	failed = cli_jobs_run(grid.jobs, grid.nr_jobs, workers, all_policies);
	if (failed < grid.nr_jobs) {
		cli_job_error("report", &grid.jobs[failed]);
		goto out;
	}
	groups = cli_grid_groups("report", &grid, &nr_groups, results);
	if (!groups)
		goto out;
	src->n = groups[0].n;
	src->runs = g_new0(struct cmasim_plot_run, src->n);
	src->figs = g_new0(GArray *, src->n);
	for (unsigned int i = 0, r = 0; i < grid.nr_jobs; i++) {
		const struct cli_job *job = &grid.jobs[i];

		if (!job->r)
			continue;
		src->figs[r] = cmasim_figures(job->r, job->cfg);
		src->runs[r] = (struct cmasim_plot_run){
			.policy = keep(src, g_strdup(job->r->policy)),
			.figs = src->figs[r],
			.latency = buckets_of(&job->r->latency),
			.timeline = keep(src, g_strndup(job->captured[CLI_TIMELINE].text,
							job->captured[CLI_TIMELINE].len)),
			.map = keep(src, g_strndup(job->captured[CLI_MAP].text,
						   job->captured[CLI_MAP].len)),
			.colour = cli_policy_colour(job->r->policy),
		};
		r++;
	}
	src->json = g_string_new(NULL);
	cmasim_report_compare(groups, 1, &(struct cmasim_report_options){ CMASIM_FORMAT_JSON },
			      src->json);
	page_from_figures(src);
	src->page.machine_description = keep(src, g_strdup(grid.jobs[0].cfg->description));
	src->page.workload_description =
		keep(src, g_strdup(cmasim_trace_info(grid.workloads[0].trace)->description));
	ok = true;
out:
	cli_grid_free(&grid);
	return ok;
}

/* Reads @dir/@policy@suffix into *@text if it exists (else NULL); false with @error. */
static bool read_capture(const char *dir, const char *policy, const char *suffix, char **text,
			 GError **error)
{
	g_autofree char *path = dir ? g_strconcat(dir, "/", policy, suffix, NULL) : NULL;

	*text = NULL;
	if (!path || !g_file_test(path, G_FILE_TEST_EXISTS) ||
	    g_file_get_contents(path, text, NULL, NULL))
		return true;
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", path, g_strerror(errno));
	return false;
}

/*
 * Reads the comparison at @path back, with each policy's timeline and map
 * from @timelines/POLICY.csv and POLICY-map.csv where there are. False
 * with @error.
 */
static bool source_load(struct source *src, const char *path, const char *timelines,
			GError **error)
{
	g_autofree char *json = NULL;
	gsize len;

	src->loaded = cmasim_compare_load(path, error);
	if (!src->loaded)
		return false;
	src->n = src->loaded->len;
	src->runs = g_new0(struct cmasim_plot_run, src->n);
	src->figs = g_new0(GArray *, src->n);
	for (unsigned int i = 0; i < src->n; i++) {
		struct cmasim_loaded_run *run = src->loaded->pdata[i];
		char *text, *map;

		src->figs[i] = g_array_ref(run->figs);
		if (g_strcmp0(text_of(run->figs, "machine"), text_of(src->figs[0], "machine")) ||
		    g_strcmp0(text_of(run->figs, "workload"), text_of(src->figs[0], "workload"))) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
				    "%s: a report draws one machine and workload; this comparison "
				    "holds more (compare them without -w or -m lists)", path);
			return false;
		}
		if (!read_capture(timelines, run->policy, ".csv", &text, error))
			return false;
		src->runs[i] = (struct cmasim_plot_run){
			.policy = run->policy,
			.figs = run->figs,
			.latency = run->latency,
			.timeline = text ? keep(src, text) : NULL,
			.colour = cli_policy_colour(run->policy),
		};
		if (!read_capture(timelines, run->policy, "-map.csv", &map, error))
			return false;
		src->runs[i].map = map ? keep(src, map) : NULL;
	}
	if (!g_file_get_contents(path, &json, &len, NULL)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", path, g_strerror(errno));
		return false;
	}
	src->json = g_string_new_len(json, (gssize)len);
	page_from_figures(src);
	src->page.machine_description =
		keep(src, description_of("configs", src->page.machine, src->page.machine_sha256));
	src->page.workload_description =
		keep(src, description_of("workloads", src->page.workload, src->page.workload_sha256));
	return true;
}

/*
 * Writes the report of @src into @dir: plots, their data and scripts,
 * the SVG and PNG gnuplot draws, report.html, report.md and the
 * comparison's JSON. Nothing is left of it on failure.
 */
static bool write_report(struct source *src, const char *dir, unsigned int heatmap,
			 GError **error)
{
	g_autofree char *tmp = NULL;
	g_autoptr(GPtrArray) plots = NULL;
	g_autoptr(GPtrArray) svgs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GString) html = g_string_new(NULL), md = g_string_new(NULL);
	struct cmasim_summary_row *rows = NULL;
	bool ok = false;

	plots = cmasim_plots(src->runs, src->n, heatmap, error);
	if (!plots)
		return false;
	tmp = cli_folder_open(dir, error);
	if (!tmp)
		return false;
	for (guint i = 0; i < plots->len; i++) {
		struct cmasim_plot *p = plots->pdata[i];
		g_autofree char *dat = g_strdup_printf("%s.dat", p->name);
		g_autofree char *gp = g_strdup_printf("%s.gp", p->name);
		GBytes *svg;

		if (!cli_folder_put(tmp, dat, p->data->str, (gssize)p->data->len, error) ||
		    !cli_folder_put(tmp, gp, p->script->str, (gssize)p->script->len, error))
			goto out;
		svg = cli_gnuplot(tmp, p->name, p->script->str, error);
		if (!svg)
			goto out;
		g_ptr_array_add(svgs, svg);
	}
	rows = cmasim_summary_new(src->figs, NULL, src->n);
	src->page.rows = rows;
	src->page.nr_rows = src->n;
	src->page.plots = (struct cmasim_plot *const *)plots->pdata;
	src->page.nr_plots = plots->len;
	src->page.svgs = (GBytes *const *)svgs->pdata;
	cmasim_page_html(&src->page, html);
	cmasim_page_markdown(&src->page, md);
	ok = cli_folder_put(tmp, "report.html", html->str, (gssize)html->len, error) &&
	     cli_folder_put(tmp, "report.md", md->str, (gssize)md->len, error) &&
	     cli_folder_put(tmp, "compare.json", src->json->str, (gssize)src->json->len, error);
out:
	cmasim_summary_free(rows, src->n);
	return cli_folder_close(g_steal_pointer(&tmp), dir, ok, error);
}

/* The command line, as a reviewer would type it again. */
static char *command_line(int argc, char **argv)
{
	GString *s = g_string_new("cmasim");

	for (int i = 0; i < argc; i++) {
		g_autofree char *q = g_shell_quote(argv[i]);

		g_string_append_printf(s, " %s", strpbrk(argv[i], " '\"\\$*?;&|<>()`") ? q
											: argv[i]);
	}
	return g_string_free(s, FALSE);
}

int cmd_report(int argc, char **argv)
{
	g_autofree char *machine = NULL, *policies_arg = NULL, *output = NULL, *seed_arg = NULL;
	g_autofree char *jobs_arg = NULL, *from = NULL, *timelines = NULL, *heatmap_arg = NULL;
	g_autofree char *interval_arg = NULL, *command = command_line(argc, argv);
	g_autofree char *kernel = NULL, *host_memory = NULL;
	g_auto(GStrv) set = NULL;
	gboolean quiet = FALSE;
	const GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "The folder to write the report into (required)", "DIR" },
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &machine,
		  "Machine config: a file or a built-in name (default: the workload's)", "MACHINE" },
		{ "policies", 'p', 0, G_OPTION_ARG_STRING, &policies_arg,
		  "Policies to compare (default: all that can run on the machine)", "POLICY,..." },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &set,
		  "Set a policy parameter, as compare takes it; repeatable", "[POLICY.]NAME=VALUE" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed_arg,
		  "Seed for the workload's generators (default: the workload's)", "N" },
		{ "jobs", 'j', 0, G_OPTION_ARG_STRING, &jobs_arg,
		  "Replay N runs at once (default: the available cores)", "N" },
		{ "timeline-interval", 0, 0, G_OPTION_ARG_STRING, &interval_arg,
		  "Simulated time between timeline samples (default 10ms)", "TIME" },
		{ "heatmap", 0, 0, G_OPTION_ARG_STRING, &heatmap_arg,
		  "The policy whose free pages by order are drawn (default: cma, else the first)",
		  "POLICY" },
		{ "from", 0, 0, G_OPTION_ARG_FILENAME, &from,
		  "Draw an earlier comparison: the JSON cmasim compare -f json wrote", "FILE" },
		{ "timelines", 0, 0, G_OPTION_ARG_FILENAME, &timelines,
		  "With --from: the folder cmasim compare --timeline wrote", "DIR" },
		CLI_REPLAY_ENTRIES(kernel, host_memory),
		CLI_QUIET_ENTRY(quiet),
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) settings = NULL;
	g_autofree const struct cmasim_policy_ops **policies = NULL;
	struct source src = { .strings = g_ptr_array_new_with_free_func(g_free) };
	struct cmasim_run_options base = { .timeline_interval_ns = 10000000 };
	uint64_t seed = 0;
	unsigned int workers, heatmap = 0;
	int ret = 1;

	if (!cli_parse_options("report", "[WORKLOAD]",
			       "Compare policies and write figures, report.html and report.md for a "
			       "design review.",
			       "Runs the comparison cmasim compare would, or draws an earlier one\n"
			       "(--from), and writes into DIR: a figure per question (SVG and PNG,\n"
			       "with the gnuplot script and data beside it), report.html (one page\n"
			       "that needs nothing else) and report.md (to paste into a review).\n"
			       "gnuplot must be installed.\n\n"
			       "Examples:\n"
			       "  cmasim report -o report\n"
			       "  cmasim report fragmenting-churn -p buddy,cma,carveout -o churn\n"
			       "  cmasim compare -f json -o c.json --timeline tl && "
			       "cmasim report --from c.json --timelines tl -o report\n",
			       entries, &argc, &argv)) {
		source_clear(&src);
		return 2;
	}
	if (!output || argc > 2 || (from && (argc == 2 || machine || policies_arg || set ||
					     seed_arg || kernel || host_memory)) ||
	    (timelines && !from)) {
		source_clear(&src);
		return cli_usage_error("report", !output ? "-o DIR is required"
					: from ? "--from draws a comparison that ran: it takes no "
						 "workload, -m, -p, --set, --seed, --kernel or "
						 "--host-memory"
					: timelines ? "--timelines goes with --from"
						    : "expected at most one workload");
	}
	if (!cli_parse_seed("report", seed_arg, &seed) || !cli_parse_jobs("report", jobs_arg,
									   &workers) ||
	    !cli_parse_replay_args("report", kernel, host_memory, &base) ||
	    (interval_arg && cmasim_parse_time(interval_arg, strlen(interval_arg),
					       &base.timeline_interval_ns) != CMASIM_PARSE_OK &&
	     cli_usage_error("report", "--timeline-interval expects a time such as 10ms"))) {
		source_clear(&src);
		return 2;
	}
	if (!from) {
		policies = cli_parse_policies("report", policies_arg);
		settings = policies ? cli_settings_parse((const char *const *)set, policies,
							 "compared", &error) : NULL;
		if (!settings) {
			if (error)
				cli_error("report", error);
			source_clear(&src);
			return 2;
		}
	}
	src.page.command = command;
	cli_progress_start("report", quiet);
	if (!cli_folder_replaceable(output, &error))
		goto out;
	if (from ? !source_load(&src, from, timelines, &error)
		 : !source_run(&src, argc == 2 ? argv[1] : DEFAULT_WORKLOAD, machine, policies,
			       settings, seed_arg ? &seed : NULL, &base, workers, !policies_arg,
			       &error))
		goto out;
	for (unsigned int i = 0; i < src.n; i++)
		if (!strcmp(src.runs[i].policy, heatmap_arg ? heatmap_arg : "cma"))
			heatmap = i;
	if (heatmap_arg && strcmp(src.runs[heatmap].policy, heatmap_arg)) {
		g_set_error(&error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "--heatmap %s: no such policy in the comparison", heatmap_arg);
		goto out;
	}
	if (write_report(&src, output, heatmap, &error)) {
		printf("cmasim report: %s/report.html\n", output);
		ret = 0;
	}
out:
	if (error)
		cli_error("report", error);
	source_clear(&src);
	return ret;
}

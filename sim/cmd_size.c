// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim size: the smallest size of a policy's area (or carve-out, or
 * fallback) at which a target on a figure holds, the "how much CMA do I
 * need?" of cma= sizing. The search scans, then refines (cmasim/search.h);
 * each size runs once a seed, the runs in parallel.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/figures.h"
#include "cmasim/plot.h"
#include "cmasim/search.h"
#include "cmasim/units.h"
#include "cli.h"

/* A target: figure, comparison, value, as --target 'dma_failed_rate<=0.01' gives it. */
struct target {
	char *figure;
	const struct cmasim_figure_def *def;
	char op[3];
	double value;
};

/* Reads --target @s into @t; false after a usage error. */
static bool parse_target(const char *s, struct target *t)
{
	static const char *const ops[] = { "<=", ">=", "==", "<", ">" };
	const char *at = NULL;
	unsigned int o;

	for (o = 0; o < G_N_ELEMENTS(ops) && !(at = strstr(s, ops[o])); o++)
		;
	if (!at || at == s) {
		cli_usage_error("size", "--target expects FIGURE<=VALUE (or <, >=, >, ==), such as "
				"'dma_failed_rate<=0.01'");
		return false;
	}
	t->figure = g_strstrip(g_strndup(s, (size_t)(at - s)));
	g_strlcpy(t->op, ops[o], sizeof(t->op));
	t->def = cmasim_figure_def_find(t->figure);
	if (!t->def || t->def->unit == CMASIM_UNIT_TEXT) {
		g_autofree char *what = g_strdup_printf("--target: '%s' is not a figure with a "
							"number; cmasim list --figures lists them",
							t->figure);

		cli_usage_error("size", what);
		return false;
	}
	g_autofree char *value = g_strstrip(g_strdup(at + strlen(ops[o])));

	if (!cmasim_figure_parse(t->def, value, &t->value)) {
		g_autofree char *what = g_strdup_printf("--target: expected a %s after %s, got '%s'",
							cmasim_figure_expects(t->def), t->op, value);

		cli_usage_error("size", what);
		return false;
	}
	return true;
}

/* Whether @v meets target @t; no value meets none. */
static bool meets(const struct target *t, double v)
{
	if (isnan(v))
		return false;
	switch (t->op[0]) {
	case '<':
		return t->op[1] ? v <= t->value : v < t->value;
	case '>':
		return t->op[1] ? v >= t->value : v > t->value;
	default:
		return v == t->value;
	}
}

/* What one size gave: each seed's value (NAN: none, or the policy refused the size). */
struct point {
	uint64_t size;
	double *values;
	bool holds;
	bool refused;		/* the policy could not place an area of this size */
};

/* The search's state: its inputs, and every size it tried. */
struct sizing {
	struct cli_workload w;
	struct cmasim_config *cfg;
	const struct cmasim_policy_ops *ops;
	char **set;			/* the user's settings for the policy */
	const char *param;
	GArray *seeds;			/* uint64_t */
	struct target target;
	GArray *points;			/* struct point, in the order tried */
	struct cmasim_run_options base;	/* the kernel and host limit every run gets */
};

/*
 * Runs sizes @batch, each once a seed, @workers at a time, and records
 * them. False with @error when a run fails for another reason than the
 * policy refusing the size.
 */
static bool try_batch(struct sizing *sz, const GArray *batch, unsigned int workers,
		      struct cmasim_search *search, GError **error)
{
	unsigned int nr_seeds = sz->seeds->len, nr = batch->len * nr_seeds, failed;
	struct cli_job *jobs = g_new0(struct cli_job, nr);
	bool ok = false;

	for (unsigned int i = 0; i < nr; i++) {
		uint64_t size = g_array_index(batch, uint64_t, i / nr_seeds);
		guint n = g_strv_length(sz->set);

		jobs[i].cfg = sz->cfg;
		jobs[i].workload = &sz->w;
		jobs[i].opts = sz->base;
		jobs[i].opts.policy = sz->ops;
		jobs[i].opts.seed = g_array_index(sz->seeds, uint64_t, i % nr_seeds);
		jobs[i].set = g_new0(char *, n + 2);
		for (guint k = 0; k < n; k++)
			jobs[i].set[k] = g_strdup(sz->set[k]);
		jobs[i].set[n] = g_strdup_printf("%s=%" PRIu64, sz->param, size);
	}
	failed = cli_jobs_run(jobs, nr, workers, true);
	if (failed < nr) {
		g_propagate_error(error, g_error_copy(jobs[failed].error));
		goto out;
	}
	for (guint b = 0; b < batch->len; b++) {
		struct point p = { g_array_index(batch, uint64_t, b), g_new(double, nr_seeds), true };

		for (unsigned int k = 0; k < nr_seeds; k++) {
			const struct cli_job *job = &jobs[b * nr_seeds + k];
			g_autoptr(GArray) figs = job->r ? cmasim_figures(job->r, job->cfg) : NULL;
			const struct cmasim_figure *f = figs ? cmasim_figures_find(figs,
										  sz->target.figure)
							     : NULL;

			if (figs && !f) {
				g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
					    "--target: the runs have no figure %s (this machine or "
					    "workload lacks what it counts)", sz->target.figure);
				g_free(p.values);
				goto out;
			}
			p.refused |= cli_job_refused(job);
			p.values[k] = f && f->value ? g_ascii_strtod(f->value, NULL) : NAN;
			/* every seed must meet it: the spread is the risk */
			p.holds &= meets(&sz->target, p.values[k]);
		}
		cmasim_search_result(search, p.size, p.holds);
		g_array_append_val(sz->points, p);
	}
	ok = true;
out:
	cli_jobs_free(jobs, nr);
	return ok;
}

/* The point tried at @size. */
static const struct point *point_at(const struct sizing *sz, uint64_t size)
{
	for (guint i = 0; i < sz->points->len; i++)
		if (g_array_index(sz->points, struct point, i).size == size)
			return &g_array_index(sz->points, struct point, i);
	return NULL;
}

/* "0.0031 .. 0.0042", a value's spread over the seeds, "refused" or "n/a" (no value). */
static char *spread_text(const struct sizing *sz, const struct point *p)
{
	double lo = INFINITY, hi = -INFINITY;
	struct cmasim_figure f = { .def = sz->target.def };
	g_autofree char *a = NULL, *b = NULL;

	if (p->refused)
		return g_strdup("refused");
	for (guint k = 0; k < sz->seeds->len; k++) {
		if (isnan(p->values[k]))
			return g_strdup("n/a");
		lo = MIN(lo, p->values[k]);
		hi = MAX(hi, p->values[k]);
	}
	f.value = g_strdup_printf("%.10g", lo);
	a = cmasim_figure_human(&f);
	g_free(f.value);
	if (lo == hi)
		return g_steal_pointer(&a);
	f.value = g_strdup_printf("%.10g", hi);
	b = cmasim_figure_human(&f);
	g_free(f.value);
	return g_strdup_printf("%s .. %s", a, b);
}

static void report_table(const struct sizing *sz, const struct cmasim_search *search,
			 GString *out)
{
	uint64_t size;
	bool holds;

	g_string_append_printf(out, "%s on %s, %s: %s %s %.10g, over %u seed%s\n\n",
			       sz->ops->name, sz->cfg->name, cmasim_trace_info(sz->w.trace)->name,
			       sz->target.figure, sz->target.op, sz->target.value, sz->seeds->len,
			       sz->seeds->len > 1 ? "s" : "");
	g_string_append_printf(out, "%12s  %-28s  %s\n", sz->param, sz->target.figure, "holds");
	for (unsigned int i = 0; i < cmasim_search_nr_tried(search); i++) {
		g_autofree char *human = NULL, *values = NULL;

		cmasim_search_tried(search, i, &size, &holds);
		human = cmasim_human((double)size, CMASIM_UNIT_BYTES);
		values = spread_text(sz, point_at(sz, size));
		g_string_append_printf(out, "%12s  %-28s  %s\n", human, values, holds ? "yes" : "no");
	}
	g_string_append_c(out, '\n');
	if (cmasim_search_smallest(search, &size)) {
		g_autofree char *human = cmasim_human((double)size, CMASIM_UNIT_BYTES);

		g_string_append_printf(out, "smallest %s at which it holds: %s (%" PRIu64 " bytes)\n",
				       sz->param, human, size);
	} else {
		g_string_append_printf(out, "it holds at no %s tried\n", sz->param);
	}
	if (cmasim_search_always(search, &size)) {
		g_autofree char *human = cmasim_human((double)size, CMASIM_UNIT_BYTES);

		g_string_append_printf(out, "it holds at every %s tried from %s up\n", sz->param,
				       human);
	}
}

static void report_json(const struct sizing *sz, const struct cmasim_search *search,
			GString *out)
{
	uint64_t size;
	bool holds;

	g_string_append(out, "{\n  \"schema\": \"cmasim-size/1\",\n  \"cmasim_version\": ");
	cmasim_json_string(out, cmasim_version());
	g_string_append(out, ",\n  \"policy\": ");
	cmasim_json_string(out, sz->ops->name);
	g_string_append(out, ",\n  \"machine\": ");
	cmasim_json_string(out, sz->cfg->name);
	g_string_append(out, ",\n  \"workload\": ");
	cmasim_json_string(out, cmasim_trace_info(sz->w.trace)->name);
	g_string_append(out, ",\n  \"param\": ");
	cmasim_json_string(out, sz->param);
	g_string_append(out, ",\n  \"target\": { \"figure\": ");
	cmasim_json_string(out, sz->target.figure);
	g_string_append(out, ", \"op\": ");
	cmasim_json_string(out, sz->target.op);
	g_string_append_printf(out, ", \"value\": %.10g },\n  \"seeds\": [", sz->target.value);
	for (guint k = 0; k < sz->seeds->len; k++)
		g_string_append_printf(out, "%s%" PRIu64, k ? ", " : "",
				       g_array_index(sz->seeds, uint64_t, k));
	g_string_append(out, "],\n  \"points\": [\n");
	for (unsigned int i = 0; i < cmasim_search_nr_tried(search); i++) {
		const struct point *p;

		cmasim_search_tried(search, i, &size, &holds);
		p = point_at(sz, size);
		g_string_append_printf(out, "    { \"bytes\": %" PRIu64 ", \"values\": [", size);
		for (guint k = 0; k < sz->seeds->len; k++) {
			if (isnan(p->values[k]))
				g_string_append_printf(out, "%snull", k ? ", " : "");
			else
				g_string_append_printf(out, "%s%.10g", k ? ", " : "", p->values[k]);
		}
		g_string_append_printf(out, "], \"refused\": %s, \"holds\": %s }%s\n",
				       p->refused ? "true" : "false", holds ? "true" : "false",
				       i + 1 < cmasim_search_nr_tried(search) ? "," : "");
	}
	g_string_append(out, "  ],\n  \"smallest_bytes\": ");
	if (cmasim_search_smallest(search, &size))
		g_string_append_printf(out, "%" PRIu64, size);
	else
		g_string_append(out, "null");
	g_string_append(out, ",\n  \"always_from_bytes\": ");
	if (cmasim_search_always(search, &size))
		g_string_append_printf(out, "%" PRIu64, size);
	else
		g_string_append(out, "null");
	g_string_append(out, "\n}\n");
}

/* Draws the figure against the size into folder @dir: data, script, SVG and PNG. */
static bool plot(const struct sizing *sz, const struct cmasim_search *search, const char *dir,
		 GError **error)
{
	unsigned int nr = cmasim_search_nr_tried(search), nr_seeds = sz->seeds->len;
	g_autofree double *x = g_new(double, nr), *y = g_new(double, (gsize)nr * nr_seeds);
	g_autofree bool *holds = g_new(bool, nr);
	g_autofree char *title = g_strdup_printf("%s on %s, %s: %s %s %.10g", sz->ops->name,
						 sz->cfg->name,
						 cmasim_trace_info(sz->w.trace)->name,
						 sz->target.figure, sz->target.op, sz->target.value);
	g_autofree char *xlabel = g_strdup_printf("%s (MiB)", sz->param);
	struct cmasim_plot_series series = { sz->ops->name, 0, nr, x, y, holds };
	struct cmasim_plot *p;
	g_autoptr(GBytes) svg = NULL;
	char *tmp;
	bool ok;

	for (unsigned int i = 0; i < nr; i++) {
		uint64_t size;

		cmasim_search_tried(search, i, &size, &holds[i]);
		x[i] = (double)size / (1 << 20);
		memcpy(&y[(gsize)i * nr_seeds], point_at(sz, size)->values,
		       nr_seeds * sizeof(double));
	}
	series.colour = cli_policy_colour(sz->ops->name);
	p = cmasim_plot_against("size", title, xlabel, sz->target.figure, &series, 1, nr_seeds,
				&sz->target.value);
	tmp = cli_folder_replaceable(dir, error) ? cli_folder_open(dir, error) : NULL;
	ok = tmp && cli_folder_put(tmp, "size.dat", p->data->str, -1, error) &&
	     cli_folder_put(tmp, "size.gp", p->script->str, -1, error) &&
	     (svg = cli_gnuplot(tmp, "size", p->script->str, error));
	cmasim_plot_free(p);
	return tmp ? cli_folder_close(tmp, dir, ok, error) : false;
}

int cmd_size(int argc, char **argv)
{
	g_autofree char *machine = NULL, *policy = NULL, *param = NULL, *target = NULL;
	g_autofree char *from_arg = NULL, *to_arg = NULL, *step_arg = NULL, *points_arg = NULL;
	g_autofree char *seeds_arg = NULL, *jobs_arg = NULL, *format = NULL, *output = NULL;
	g_autofree char *plot_dir = NULL, *kernel = NULL, *host_memory = NULL;
	g_auto(GStrv) set = NULL;
	gboolean quiet = FALSE;
	const GOptionEntry entries[] = {
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &machine,
		  "Machine config: a file or a built-in name (default: the workload's)", "MACHINE" },
		{ "policy", 'p', 0, G_OPTION_ARG_STRING, &policy,
		  "The policy whose size is searched (required)", "POLICY" },
		{ "param", 0, 0, G_OPTION_ARG_STRING, &param,
		  "The size parameter searched (default: size; fallback for the fallback "
		  "carve-out)", "NAME" },
		{ "target", 't', 0, G_OPTION_ARG_STRING, &target,
		  "What must hold at every seed (required): FIGURE<=VALUE, or <, >=, >, ==",
		  "CONDITION" },
		{ "from", 0, 0, G_OPTION_ARG_STRING, &from_arg,
		  "The smallest size tried (default: a pageblock)", "SIZE" },
		{ "to", 0, 0, G_OPTION_ARG_STRING, &to_arg,
		  "The largest size tried (default: half of lowmem)", "SIZE" },
		{ "step", 0, 0, G_OPTION_ARG_STRING, &step_arg,
		  "Sizes are multiples of this (default: a pageblock)", "SIZE" },
		{ "points", 0, 0, G_OPTION_ARG_STRING, &points_arg,
		  "Sizes a round tries: the scan, then each refinement (default 16)", "N" },
		{ "seeds", 0, 0, G_OPTION_ARG_STRING, &seeds_arg,
		  "Seeds each size runs with (default: the workload's)", "N,..." },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &set,
		  "Set another parameter of the policy; repeatable", "NAME=VALUE" },
		{ "jobs", 'j', 0, G_OPTION_ARG_STRING, &jobs_arg,
		  "Runs at once (default: the cores)", "N" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "Output format: table (default) or json", "FORMAT" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "Write to FILE instead of standard output", "FILE" },
		{ "plot", 0, 0, G_OPTION_ARG_FILENAME, &plot_dir,
		  "Also draw the figure against the size into folder DIR (gnuplot)", "DIR" },
		CLI_REPLAY_ENTRIES(kernel, host_memory),
		CLI_QUIET_ENTRY(quiet),
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) settings = NULL;
	g_autoptr(GString) text = g_string_new(NULL);
	struct sizing sz = { .seeds = g_array_new(FALSE, FALSE, sizeof(uint64_t)),
			     .points = g_array_new(FALSE, FALSE, sizeof(struct point)) };
	struct cmasim_search *search = NULL;
	struct cli_outfile out = { 0 };
	enum cmasim_format fmt = CMASIM_FORMAT_TABLE;
	uint64_t from = 0, to = 0, step = 0, points = 16;
	unsigned int workers;
	int ret = 2;

	if (!cli_parse_options("size", "[WORKLOAD]",
			       "Find the smallest size of a policy's area at which a target holds.",
			       "The answer to \"how much CMA do I need?\": the workload runs at sizes\n"
			       "spread from --from to --to, then at every step in the gap below the\n"
			       "smallest that held, and so on. A target may stop holding at a larger\n"
			       "size (the area lands elsewhere), so the search does not bisect: it\n"
			       "reports every size tried, the smallest that held and the size from which\n"
			       "it held at every size tried. With several seeds, it must hold at each.\n\n"
			       "Examples:\n"
			       "  cmasim size gpu-pinning -p cma --target 'dma_failed_rate<=0.01'\n"
			       "  cmasim size video-pipeline -p cma --param fallback --set size=32MiB \\\n"
			       "      --target 'dma_failed_rate==0' --seeds 1,2,3 --plot fallback\n",
			       entries, &argc, &argv))
		goto out;
	if (argc > 2 || !policy || !target) {
		cli_usage_error("size", !policy ? "-p POLICY is required"
				: !target ? "--target is required" : "expected at most one workload");
		goto out;
	}
	sz.ops = cmasim_policy_find(policy);
	sz.param = param ? param : "size";
	if (!sz.ops) {
		fprintf(stderr, "cmasim size: no policy named '%s' (see cmasim list)\n", policy);
		goto out;
	}
	if (!cmasim_policy_has_param(sz.ops, sz.param, strlen(sz.param))) {
		fprintf(stderr, "cmasim size: policy %s has no parameter %s (see cmasim list)\n",
			policy, sz.param);
		goto out;
	}
	if (!parse_target(target, &sz.target) || !cli_parse_jobs("size", jobs_arg, &workers) ||
	    !cli_parse_format("size", format, &fmt) ||
	    !cli_parse_replay_args("size", kernel, host_memory, &sz.base))
		goto out;
	if (fmt == CMASIM_FORMAT_CSV) {
		cli_usage_error("size", "--format expects table or json");
		goto out;
	}
	if ((from_arg && !cmasim_parse_size(from_arg, strlen(from_arg), &from)) ||
	    (to_arg && !cmasim_parse_size(to_arg, strlen(to_arg), &to)) ||
	    (step_arg && (!cmasim_parse_size(step_arg, strlen(step_arg), &step) || !step)) ||
	    (points_arg && (!cmasim_parse_uint(points_arg, strlen(points_arg), &points) ||
			    points < 2 || points > 1000))) {
		cli_usage_error("size", "--from, --to and --step expect sizes such as 8MiB (a step "
				"above 0), --points a number from 2 to 1000");
		goto out;
	}
	settings = cli_settings_parse((const char *const *)set,
				      (const struct cmasim_policy_ops *const[]){ sz.ops, NULL },
				      "searched", &error);
	if (!settings) {
		cli_error("size", error);
		goto out;
	}
	sz.set = cli_settings_for(settings, sz.ops);
	if (seeds_arg) {
		g_auto(GStrv) list = g_strsplit(seeds_arg, ",", -1);

		for (char **s = list; *s; s++) {
			uint64_t seed;

			if (!cmasim_parse_uint(*s, strlen(*s), &seed)) {
				cli_usage_error("size", "--seeds expects integers separated by commas");
				goto out;
			}
			g_array_append_val(sz.seeds, seed);
		}
	}

	ret = 1;
	if (!cli_workload_open(argc == 2 ? argv[1] : DEFAULT_WORKLOAD, true, &sz.w, &error))
		goto out;
	sz.cfg = cli_load_machine(cli_workload_machine(&sz.w, machine), &error);
	if (!sz.cfg)
		goto out;
	if (!sz.seeds->len)
		g_array_append_val(sz.seeds, cmasim_trace_info(sz.w.trace)->seed);
	step = step ? step : cmasim_config_pageblock_bytes(sz.cfg);
	cli_progress_start("size", quiet);
	search = cmasim_search_new(from ? from : step, to ? to : sz.cfg->lowmem_size / 2, step,
				   (unsigned int)points);
	for (;;) {
		g_autoptr(GArray) batch = cmasim_search_next(search);

		if (!batch->len)
			break;
		if (!try_batch(&sz, batch, workers, search, &error))
			goto out;
	}
	if (fmt == CMASIM_FORMAT_JSON)
		report_json(&sz, search, text);
	else
		report_table(&sz, search, text);
	if ((!plot_dir || plot(&sz, search, plot_dir, &error)) &&
	    cli_outfile_open(&out, output, &error) && cli_outfile_write(&out, text, &error))
		ret = 0;
out:
	if (error)
		cli_error("size", error);
	cli_outfile_close(&out, false, NULL);
	cmasim_search_free(search);
	for (guint i = 0; i < sz.points->len; i++)
		g_free(g_array_index(sz.points, struct point, i).values);
	g_array_unref(sz.points);
	g_array_unref(sz.seeds);
	g_strfreev(sz.set);
	g_free(sz.target.figure);
	cli_workload_close(&sz.w);
	cmasim_config_free(sz.cfg);
	return ret;
}

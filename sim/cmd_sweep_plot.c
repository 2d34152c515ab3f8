// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim sweep plot: a figure of a sweep's points against one swept
 * parameter, a line per policy (and per machine, workload or other
 * parameter value where the sweep varies them), the seeds as points. A
 * policy without the parameter is a flat line over the range, the baseline
 * the others are weighed against.
 */
#include <math.h>
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/figures.h"
#include "cmasim/plot.h"
#include "cmasim/units.h"
#include "cli.h"

/* The fixed columns of points.tsv before the swept parameters. */
enum { COL_POINT, COL_MACHINE, COL_WORKLOAD, COL_POLICY, COL_SEED, COL_PARAMS };

/* One line of the figure: its points' values by x, the seeds of an x in order. */
struct line {
	char *label;
	unsigned int colour;
	bool flat;		/* its policy lacks the parameter: one value at every x */
	GArray *xs;		/* double, ascending, as the points come */
	GPtrArray *ys;		/* per x, GArray of double: one per seed */
};

static void line_free(struct line *l)
{
	g_free(l->label);
	g_array_unref(l->xs);
	g_ptr_array_unref(l->ys);
	g_free(l);
}

/* The parameter @name (as the sweep names it, maybe "policy.name") of @policy, or NULL. */
static const struct cmasim_param *param_of(const char *policy, const char *name)
{
	const struct cmasim_policy_ops *ops = cmasim_policy_find(policy);
	const char *dot = strchr(name, '.');

	if (dot)
		name = dot + 1;
	for (const struct cmasim_param *p = ops ? ops->params : NULL; p && p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/* The x of value @text of parameter @param: sizes in MiB. */
static double x_of(const struct cmasim_param *param, const char *text)
{
	uint64_t n = 0;

	if (param->type == CMASIM_PARAM_SIZE) {
		cmasim_parse_size(text, strlen(text), &n);
		return (double)n / (1 << 20);
	}
	/* a text parameter (per_device=) plots as whether it is on */
	if (param->type == CMASIM_PARAM_BOOL || param->type == CMASIM_PARAM_TEXT)
		return !strcmp(text, "true") || !strcmp(text, "1");
	return g_ascii_strtod(text, NULL);
}

/* Whether column @c of @rows holds more than one value. */
static bool varies(const GPtrArray *rows, guint c)
{
	for (guint r = 2; r < rows->len; r++)
		if (strcmp(((char **)rows->pdata[r])[c], ((char **)rows->pdata[1])[c]))
			return true;
	return false;
}

/* The line of @row: the policy, and the other dimensions the sweep varies. */
static char *label_of(const GPtrArray *rows, char **row, guint x_col)
{
	char **header = rows->pdata[0];
	GString *label = g_string_new(row[COL_POLICY]);
	bool first = true;

	for (guint c = COL_MACHINE; header[c]; c++) {
		if (c == COL_POLICY || c == COL_SEED || c == x_col || !varies(rows, c) || !*row[c])
			continue;
		g_string_append(label, first ? " (" : ", ");
		if (c >= COL_PARAMS)
			g_string_append_printf(label, "%s=", header[c]);
		g_string_append(label, row[c]);
		first = false;
	}
	if (!first)
		g_string_append_c(label, ')');
	return g_string_free(label, FALSE);
}

/* Adds value @y at @x to @l: another seed where @x is its last x, else a new x. */
static void line_add(struct line *l, double x, double y)
{
	if (!l->xs->len || g_array_index(l->xs, double, l->xs->len - 1) != x) {
		g_array_append_val(l->xs, x);
		g_ptr_array_add(l->ys, g_array_new(FALSE, FALSE, sizeof(double)));
	}
	g_array_append_val((GArray *)l->ys->pdata[l->ys->len - 1], y);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Every x the lines with the parameter have, ascending, once each. */
static GArray *all_xs(const GPtrArray *lines)
{
	GArray *xs = g_array_new(FALSE, FALSE, sizeof(double));
	guint n = 0;

	for (guint i = 0; i < lines->len; i++) {
		const struct line *l = lines->pdata[i];

		if (!l->flat)
			g_array_append_vals(xs, l->xs->data, l->xs->len);
	}
	g_array_sort(xs, compare_doubles);
	for (guint i = 0; i < xs->len; i++)
		if (!n || g_array_index(xs, double, i) != g_array_index(xs, double, n - 1))
			g_array_index(xs, double, n++) = g_array_index(xs, double, i);
	g_array_set_size(xs, n);
	return xs;
}

/*
 * The lines of the sweep in @dir, @figure against swept parameter column
 * @x_col, in the order of the points; *@missing counts points without a
 * result, *@size says the parameter is a size.
 */
static GPtrArray *read_lines(const char *dir, const GPtrArray *rows, guint x_col,
			     const char *figure, unsigned int *missing, bool *size, GError **error)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func((GDestroyNotify)line_free);
	g_autoptr(GHashTable) by_label = g_hash_table_new(g_str_hash, g_str_equal);
	char **header = rows->pdata[0];

	*missing = 0;
	*size = false;
	for (guint r = 1; r < rows->len; r++) {
		char **row = rows->pdata[r];
		g_autofree char *path = g_strdup_printf("%s/points/%s.json", dir, row[COL_POINT]);
		g_autofree char *label = label_of(rows, row, x_col);
		const struct cmasim_param *param = param_of(row[COL_POLICY], header[x_col]);
		struct cmasim_loaded_run *run;
		const struct cmasim_figure *f;
		struct line *l;

		if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
			(*missing)++;
			continue;
		}
		run = cmasim_run_load(path, error);
		if (!run)
			return NULL;
		f = cmasim_figures_find(run->figs, figure);
		l = g_hash_table_lookup(by_label, label);
		if (!l) {
			l = g_new0(struct line, 1);
			l->label = g_steal_pointer(&label);
			l->colour = cli_policy_colour(row[COL_POLICY]);
			l->flat = !*row[x_col] || !param;
			l->xs = g_array_new(FALSE, FALSE, sizeof(double));
			l->ys = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
			g_hash_table_insert(by_label, l->label, l);
			g_ptr_array_add(lines, l);
		}
		*size |= param && param->type == CMASIM_PARAM_SIZE && *row[x_col];
		line_add(l, l->flat ? 0 : x_of(param, row[x_col]),
			 f && f->value ? g_ascii_strtod(f->value, NULL) : NAN);
		cmasim_loaded_run_free(run);
	}
	return g_steal_pointer(&lines);
}

/* Draws @lines into folder @out. */
static bool draw(const GPtrArray *lines, const char *title, const char *xlabel,
		 const char *figure, const char *out, GError **error)
{
	g_autoptr(GArray) xs = all_xs(lines);
	g_autofree struct cmasim_plot_series *series = g_new0(struct cmasim_plot_series,
							      lines->len);
	g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func(g_free);
	unsigned int nr_seeds = 1;
	struct cmasim_plot *p;
	g_autoptr(GBytes) svg = NULL;
	char *tmp;
	bool ok;

	for (guint i = 0; i < lines->len; i++) {
		const struct line *l = lines->pdata[i];

		for (guint k = 0; k < l->ys->len; k++)
			nr_seeds = MAX(nr_seeds, ((GArray *)l->ys->pdata[k])->len);
	}
	for (guint i = 0; i < lines->len; i++) {
		const struct line *l = lines->pdata[i];
		const GArray *xv = l->flat ? xs : l->xs;
		double *y = g_new(double, (gsize)xv->len * nr_seeds);

		for (guint k = 0; k < xv->len; k++) {
			const GArray *seeds = l->ys->pdata[l->flat ? 0 : k];

			for (unsigned int j = 0; j < nr_seeds; j++)
				y[k * nr_seeds + j] = j < seeds->len ? g_array_index(seeds, double, j)
								     : NAN;
		}
		g_ptr_array_add(owned, y);
		series[i] = (struct cmasim_plot_series){ l->label, l->colour, xv->len,
							 (const double *)(void *)xv->data, y, NULL };
	}
	p = cmasim_plot_against("sweep", title, xlabel, figure, series, lines->len, nr_seeds, NULL);
	tmp = cli_folder_replaceable(out, error) ? cli_folder_open(out, error) : NULL;
	ok = tmp && cli_folder_put(tmp, "sweep.dat", p->data->str, -1, error) &&
	     cli_folder_put(tmp, "sweep.gp", p->script->str, -1, error) &&
	     (svg = cli_gnuplot(tmp, "sweep", p->script->str, error));
	cmasim_plot_free(p);
	return tmp ? cli_folder_close(tmp, out, ok, error) : false;
}

int cmd_sweep_plot(int argc, char **argv)
{
	g_autofree char *figure = NULL, *param = NULL, *output = NULL, *title = NULL;
	g_autofree char *xlabel = NULL;
	const GOptionEntry entries[] = {
		{ "figure", 'F', 0, G_OPTION_ARG_STRING, &figure,
		  "The figure drawn (default: dma_success_rate)", "FIGURE" },
		{ "param", 0, 0, G_OPTION_ARG_STRING, &param,
		  "The swept parameter along x (default: the only one swept)", "NAME" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "The figure's folder (default: DIR/plot)", "FIGDIR" },
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL, lines = NULL;
	const struct cmasim_figure_def *def;
	unsigned int missing;
	guint x_col = 0;
	bool size;
	char **header;

	if (!cli_parse_options("sweep plot", "DIR",
			       "Draw a sweep's figure against a swept parameter.",
			       "A line per policy (and per machine, workload or other parameter where\n"
			       "the sweep varies them) through the mean over the seeds, a point per\n"
			       "seed; a policy without the parameter is a flat line. Writes\n"
			       "sweep.dat, sweep.gp, sweep.svg and sweep.png.\n\n"
			       "Examples:\n"
			       "  cmasim sweep plot out\n"
			       "  cmasim sweep plot out --param size -F dma_latency_ns_p99 -o p99\n",
			       entries, &argc, &argv))
		return 2;
	if (argc != 2)
		return cli_usage_error("sweep plot", "expected the sweep's folder");
	if (!figure)
		figure = g_strdup("dma_success_rate");
	def = cmasim_figure_def_find(figure);
	if (!def || def->unit == CMASIM_UNIT_TEXT) {
		g_autofree char *what = g_strdup_printf("-F: '%s' is not a figure with a number; "
							"cmasim list --figures lists them", figure);

		return cli_usage_error("sweep plot", what);
	}
	rows = cli_sweep_table(argv[1], &error);
	if (!rows)
		goto fail;
	header = rows->pdata[0];
	for (guint c = COL_PARAMS; header[c]; c++)
		if (param ? !strcmp(header[c], param) : !x_col)
			x_col = c;
	if (!x_col || (!param && g_strv_length(header) > COL_PARAMS + 1)) {
		g_autofree char *swept = g_strjoinv(", ", header + COL_PARAMS);

		if (!*swept)
			fprintf(stderr, "cmasim sweep plot: %s swept no parameter\n", argv[1]);
		else
			fprintf(stderr, "cmasim sweep plot: %s swept %s; --param names one of "
				"them\n", argv[1], swept);
		return 1;
	}
	lines = read_lines(argv[1], rows, x_col, figure, &missing,
			   &size, &error);
	if (!lines)
		goto fail;
	if (!lines->len) {
		fprintf(stderr, "cmasim sweep plot: %s has no results yet\n", argv[1]);
		return 1;
	}
	if (missing)
		fprintf(stderr, "cmasim sweep plot: %u points have no result; they are left out\n",
			missing);
	title = g_strdup_printf("%s against %s", figure,
				header[x_col]);
	xlabel = g_strdup_printf("%s%s", header[x_col], size ? " (MiB)" : "");
	if (!output)
		output = g_build_filename(argv[1], "plot", NULL);
	if (draw(lines, title, xlabel, figure, output, &error))
		return 0;
fail:
	cli_error("sweep plot", error);
	return 1;
}

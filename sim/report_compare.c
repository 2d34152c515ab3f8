// SPDX-License-Identifier: GPL-2.0-only
/*
 * Comparisons: runs of several policies side by side, in groups that
 * share a machine, a workload and a seed. The table is for people (a
 * summary of headline figures, best marked, then every figure wrapped to
 * the terminal); CSV and JSON keep the raw figures for programs.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "cmasim/summary.h"
#include "report_private.h"

#define DEFAULT_WIDTH 120

/* One run of a comparison and its figures. */
struct run {
	const struct cmasim_results *r;
	GArray *figs;
	const char *group;	/* machine/workload: names the group in a grid */
	unsigned int group_index;
};

/* The display width of UTF-8 text @s (µ is one column, two bytes). */
static int width_of(const char *s)
{
	return (int)g_utf8_strlen(s, -1);
}

/* Appends @s padded with spaces to @width columns, on the right if @right. */
static void pad(GString *out, const char *s, int width, bool right)
{
	int fill = MAX(width - width_of(s), 0);

	if (right)
		g_string_append_printf(out, "%*s", fill, "");
	cmasim__text(out, s);
	if (!right)
		g_string_append_printf(out, "%*s", fill, "");
}

/*
 * Summary columns [@first, @last) of @nr rows, after the policy's name:
 * the header, then a row per run, a heading line before each group's in a
 * grid. @width holds each column's width, the policy's first.
 */
static void summary_block(GString *out, const struct run *runs,
			  const struct cmasim_summary_row *rows, unsigned int nr, bool grid,
			  const int *width, unsigned int first, unsigned int last)
{
	pad(out, "policy", width[0], false);
	for (unsigned int c = first; c < last; c++) {
		g_string_append(out, "  ");
		/* the last column runs on: failures by cause vary in length */
		pad(out, cmasim_summary_defs[c].title, c + 1 < CMASIM_NR_SUM ? width[c + 1] : 0,
		    c + 1 < CMASIM_NR_SUM);
	}
	g_string_append_c(out, '\n');
	for (unsigned int i = 0; i < nr; i++) {
		if (grid && (!i || runs[i].group != runs[i - 1].group))
			g_string_append_printf(out, "%s\n", runs[i].group);
		pad(out, rows[i].policy, width[0], false);
		for (unsigned int c = first; c < last; c++) {
			bool ranked = cmasim_summary_defs[c].better != CMASIM_BETTER_NEITHER;

			g_string_append(out, "  ");
			if (c + 1 == CMASIM_NR_SUM) {
				pad(out, rows[i].text[c], 0, false);
				continue;
			}
			pad(out, rows[i].text[c], width[c + 1] - ranked, true);
			if (ranked)
				g_string_append_c(out, rows[i].best[c] ? '*' : ' ');
		}
		g_string_append_c(out, '\n');
	}
}

/*
 * The summary of @nr runs in groups: one row per run, a heading line per
 * group in a grid, the columns in as many blocks as fitting @max_width takes.
 */
static void summary(GString *out, const struct run *runs, unsigned int nr, bool grid,
		    int max_width)
{
	g_autofree GArray **figs = g_new(GArray *, nr);
	g_autofree unsigned int *group = g_new(unsigned int, nr);
	struct cmasim_summary_row *rows;
	int width[CMASIM_NR_SUM + 1];

	for (unsigned int i = 0; i < nr; i++) {
		figs[i] = runs[i].figs;
		group[i] = runs[i].group_index;
	}
	rows = cmasim_summary_new(figs, group, nr);
	width[0] = width_of("policy");
	for (unsigned int c = 0; c < CMASIM_NR_SUM; c++)
		width[c + 1] = width_of(cmasim_summary_defs[c].title);
	for (unsigned int i = 0; i < nr; i++) {
		width[0] = MAX(width[0], width_of(rows[i].policy));
		for (unsigned int c = 0; c < CMASIM_NR_SUM; c++)
			width[c + 1] = MAX(width[c + 1], width_of(rows[i].text[c]) +
					   (cmasim_summary_defs[c].better != CMASIM_BETTER_NEITHER));
	}
	for (unsigned int first = 0, c = 0; first < CMASIM_NR_SUM; first = c) {
		int used = width[0];

		/* at least one column a block, however narrow the terminal */
		for (c = first; c < CMASIM_NR_SUM &&
				(c == first || used + 2 + width[c + 1] <= max_width); c++)
			used += 2 + width[c + 1];
		if (first)
			g_string_append_c(out, '\n');
		summary_block(out, runs, rows, nr, grid, width, first, c);
	}
	g_string_append_c(out, '\n');
	g_string_append(out, cmasim_summary_legend);
	g_string_append(out, "* marks the best of its column.\n");
	cmasim_summary_free(rows, nr);
}

/* Figures a group's heading names once: the same for every policy of one machine and trace. */
static bool in_heading(const char *key)
{
	static const char *const keys[] = { "cmasim_version", "machine", "machine_sha256",
					    "workload", "workload_sha256", "seed" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(keys); i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

/*
 * The rows of @n runs: the names of their figures, the first run's in
 * order, and each that only later runs have after the one it follows
 * there, so that a zone's rows stay together. The names are borrowed
 * from the runs' figures.
 */
static GPtrArray *row_names(const struct run *runs, unsigned int n)
{
	GPtrArray *names = g_ptr_array_new();
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (unsigned int i = 0; i < n; i++) {
		guint at = 0;	/* where the run's next new name goes */

		for (guint f = 0; f < runs[i].figs->len; f++) {
			struct cmasim_figure *fig = &g_array_index(runs[i].figs,
								   struct cmasim_figure, f);

			if (fig->label)
				continue;
			if (g_hash_table_add(seen, fig->key)) {
				g_ptr_array_insert(names, (gint)at++, fig->key);
				continue;
			}
			g_ptr_array_find_with_equal_func(names, fig->key, g_str_equal, &at);
			at++;
		}
	}
	return names;
}

/* Whether figure @key is text (a list, a name) in @runs. */
static bool is_text(const char *key)
{
	const struct cmasim_figure_def *def = cmasim_figure_def_find(key);

	return def && def->unit == CMASIM_UNIT_TEXT;
}

/* @run's value of @key for people: "-" when it lacks the figure. */
static char *cell(const struct run *run, const char *key)
{
	const struct cmasim_figure *f = cmasim_figures_find(run->figs, key);

	return f ? cmasim_figure_human(f) : g_strdup("-");
}

/*
 * Every number of @n runs of one group, one column per policy: as many
 * policies to a block as fit @width, blocks balanced, each with the
 * figure names down its left.
 */
static void details(GString *out, const struct run *runs, unsigned int n, GPtrArray *names,
		    const char *const *figures, int width)
{
	g_autofree int *w = g_new0(int, n);
	g_autoptr(GPtrArray) rows = g_ptr_array_new();
	int name_width = width_of("figure");
	unsigned int blocks, per;

	for (guint i = 0; i < names->len; i++) {
		const char *key = names->pdata[i];
		struct cmasim_figure probe = { .key = (char *)key };

		if (is_text(key) || in_heading(key) || !cmasim__selected(&probe, figures))
			continue;
		g_ptr_array_add(rows, (void *)key);
		name_width = MAX(name_width, width_of(key));
	}
	if (!rows->len)
		return;
	for (unsigned int p = 0; p < n; p++) {
		w[p] = width_of(runs[p].r->policy);
		for (guint i = 0; i < rows->len; i++) {
			g_autofree char *c = cell(&runs[p], rows->pdata[i]);

			w[p] = MAX(w[p], width_of(c));
		}
	}
	/* the fewest blocks whose balanced split fits */
	for (blocks = 1; blocks < n; blocks++) {
		bool fits = true;

		per = (n + blocks - 1) / blocks;
		for (unsigned int first = 0; first < n && fits; first += per) {
			int total = name_width;

			for (unsigned int p = first; p < MIN(first + per, n); p++)
				total += 2 + w[p];
			fits = total <= width;
		}
		if (fits)
			break;
	}
	per = (n + blocks - 1) / blocks;
	for (unsigned int first = 0; first < n; first += per) {
		unsigned int last = MIN(first + per, n);

		g_string_append_c(out, '\n');
		pad(out, "figure", name_width, false);
		for (unsigned int p = first; p < last; p++) {
			g_string_append(out, "  ");
			pad(out, runs[p].r->policy, w[p], true);
		}
		g_string_append_c(out, '\n');
		for (guint i = 0; i < rows->len; i++) {
			pad(out, rows->pdata[i], name_width, false);
			for (unsigned int p = first; p < last; p++) {
				g_autofree char *c = cell(&runs[p], rows->pdata[i]);

				g_string_append(out, "  ");
				pad(out, c, w[p], true);
			}
			g_string_append_c(out, '\n');
		}
	}
}

/* The text figures of @n runs (settings, buddyinfo lists): a line per policy under each name. */
static void text_sections(GString *out, const struct run *runs, unsigned int n,
			  GPtrArray *names, const char *const *figures)
{
	int policy_width = 0;

	for (unsigned int p = 0; p < n; p++)
		policy_width = MAX(policy_width, width_of(runs[p].r->policy));
	for (guint i = 0; i < names->len; i++) {
		const char *key = names->pdata[i];
		struct cmasim_figure probe = { .key = (char *)key };
		bool any = false;

		if (!is_text(key) || in_heading(key) || !cmasim__selected(&probe, figures))
			continue;
		for (unsigned int p = 0; p < n; p++) {
			const struct cmasim_figure *f = cmasim_figures_find(runs[p].figs, key);

			any |= f && f->value && *f->value;
		}
		if (!any)
			continue;
		g_string_append_printf(out, "\n%s\n", key);
		for (unsigned int p = 0; p < n; p++) {
			g_autofree char *c = cell(&runs[p], key);

			g_string_append(out, "  ");
			pad(out, runs[p].r->policy, policy_width, false);
			g_string_append(out, "  ");
			cmasim__text(out, c);
			g_string_append_c(out, '\n');
		}
	}
}

/* The first 12 hex digits of a hash, enough to tell inputs apart by eye. */
static char *short_hash(const char *sha256)
{
	return sha256 ? g_strndup(sha256, 12) : g_strdup("none");
}

/* "camera-stream on armv7-1g, seed 1" and the inputs' hashes: what a group's runs share. */
static void heading(GString *out, const struct run *run)
{
	const struct cmasim_results *r = run->r;
	g_autofree char *w = short_hash(r->workload_sha256), *m = short_hash(r->machine_sha256);

	cmasim__text(out, r->workload);
	g_string_append(out, " on ");
	cmasim__text(out, r->machine);
	g_string_append_printf(out, ", seed %" PRIu64 " (cmasim %s)\ninputs: workload sha256 "
			       "%s..., machine sha256 %s...\n", r->seed, cmasim_version(), w, m);
}

static void compare_table(GString *out, const struct run *runs, unsigned int nr,
			  unsigned int nr_groups, const struct cmasim_report_options *opts)
{
	int width = opts->width ? (int)opts->width : DEFAULT_WIDTH;

	if (nr_groups == 1)
		heading(out, &runs[0]);
	else
		g_string_append_printf(out, "%u machine and workload pairs (cmasim %s)\n",
				       nr_groups, cmasim_version());
	g_string_append_c(out, '\n');
	summary(out, runs, nr, nr_groups > 1, width);
	for (unsigned int first = 0, i = 1; i <= nr; i++) {
		if (i < nr && runs[i].group == runs[first].group)
			continue;
		g_autoptr(GPtrArray) names = row_names(runs + first, i - first);

		g_string_append_c(out, '\n');
		if (nr_groups > 1) {
			g_string_append(out, "\n");
			heading(out, &runs[first]);
		}
		details(out, runs + first, i - first, names, opts->figures, width);
		text_sections(out, runs + first, i - first, names, opts->figures);
		first = i;
	}
}

/* A header figure,<column>,... and one row per figure; empty cells for no figure or value. */
static void compare_csv(GString *out, const struct run *runs, unsigned int nr,
			unsigned int nr_groups, const char *const *figures)
{
	g_autoptr(GPtrArray) names = row_names(runs, nr);

	g_string_append(out, "figure");
	for (unsigned int i = 0; i < nr; i++) {
		g_autofree char *col = nr_groups > 1 ? g_strdup_printf("%s/%s", runs[i].group,
								       runs[i].r->policy)
						     : g_strdup(runs[i].r->policy);

		g_string_append_c(out, ',');
		cmasim_csv_field(out, col);
	}
	g_string_append_c(out, '\n');
	for (guint row = 0; row < names->len; row++) {
		struct cmasim_figure probe = { .key = names->pdata[row] };

		if (!cmasim__selected(&probe, figures))
			continue;
		g_string_append(out, names->pdata[row]);
		for (unsigned int i = 0; i < nr; i++) {
			const struct cmasim_figure *f = cmasim_figures_find(runs[i].figs,
									    names->pdata[row]);

			g_string_append_c(out, ',');
			cmasim_csv_field(out, f && f->value ? f->value : "");
		}
		g_string_append_c(out, '\n');
	}
}

/* Appends "key": [each distinct @field of @runs, in order]. */
static void json_names(GString *out, const char *key, const struct run *runs, unsigned int nr,
		       const char *(*field)(const struct cmasim_results *))
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	bool first = true;

	g_string_append_printf(out, "  \"%s\": [", key);
	for (unsigned int i = 0; i < nr; i++) {
		const char *name = field(runs[i].r);

		if (!g_hash_table_add(seen, (void *)name))
			continue;
		g_string_append(out, first ? "" : ", ");
		cmasim_json_string(out, name);
		first = false;
	}
	g_string_append(out, "],\n");
}

static const char *machine_of(const struct cmasim_results *r)
{
	return r->machine;
}

static const char *workload_of(const struct cmasim_results *r)
{
	return r->workload;
}

static const char *policy_of(const struct cmasim_results *r)
{
	return r->policy;
}

static void compare_json(GString *out, const struct run *runs, unsigned int nr,
			 const char *const *figures)
{
	g_string_append(out, "{\n  \"schema\": ");
	cmasim_json_string(out, CMASIM_COMPARE_JSON_SCHEMA);
	g_string_append(out, ",\n  \"cmasim_version\": ");
	cmasim_json_string(out, cmasim_version());
	g_string_append(out, ",\n");
	json_names(out, "machines", runs, nr, machine_of);
	json_names(out, "workloads", runs, nr, workload_of);
	json_names(out, "policies", runs, nr, policy_of);
	g_string_append(out, "  \"results\": [\n");
	for (unsigned int i = 0; i < nr; i++) {
		g_string_append(out, "    ");
		cmasim__json_run(out, runs[i].figs, runs[i].r, "    ", figures);
		g_string_append(out, i + 1 < nr ? ",\n" : "\n");
	}
	g_string_append(out, "  ]\n}\n");
}

void cmasim_report_compare(const struct cmasim_compare_group *groups, unsigned int nr_groups,
			   const struct cmasim_report_options *opts, GString *out)
{
	g_return_if_fail(groups && nr_groups > 0 && opts);
	g_autoptr(GPtrArray) group_names = g_ptr_array_new_with_free_func(g_free);
	g_autofree struct run *runs = NULL;
	unsigned int nr = 0;

	for (unsigned int g = 0; g < nr_groups; g++)
		nr += groups[g].n;
	g_return_if_fail(nr > 0);
	runs = g_new0(struct run, nr);
	nr = 0;
	for (unsigned int g = 0; g < nr_groups; g++) {
		const struct cmasim_compare_group *grp = &groups[g];
		char *name = grp->n ? g_strdup_printf("%s/%s", grp->runs[0]->machine,
						      grp->runs[0]->workload) : NULL;

		g_ptr_array_add(group_names, name);
		for (unsigned int i = 0; i < grp->n; i++)
			runs[nr++] = (struct run){ grp->runs[i], cmasim_figures(grp->runs[i], grp->cfg),
						   name, g };
	}
	if (opts->format == CMASIM_FORMAT_JSON)
		compare_json(out, runs, nr, opts->figures);
	else if (opts->format == CMASIM_FORMAT_CSV)
		compare_csv(out, runs, nr, nr_groups, opts->figures);
	else
		compare_table(out, runs, nr, nr_groups, opts);
	for (unsigned int i = 0; i < nr; i++)
		g_array_unref(runs[i].figs);
}

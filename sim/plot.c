// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's figures: see cmasim/plot.h. Every script writes the same
 * figure twice, as SVG for the page and PNG for slides, in one loop over
 * the two terminals; labels are not enhanced text, so that
 * "Normal_free_pages" keeps its underscores; a policy has one colour in
 * every figure.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/figures.h"
#include "cmasim/metrics.h"
#include "cmasim/plot.h"

/* Timeline rows a figure draws at most: finer than a figure can show. */
#define MAX_ROWS 500

/*
 * Okabe and Ito's palette (2008), which colour-blind readers tell apart,
 * with Tol's wine for their yellow, too faint for a line on white, and a grey.
 */
static const char *const palette[] = {
	"#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000", "#882255",
	"#999999",
};

const char *cmasim_plot_colour(unsigned int i)
{
	return palette[i % G_N_ELEMENTS(palette)];
}

void cmasim_plot_free(struct cmasim_plot *plot)
{
	if (!plot)
		return;
	g_free(plot->name);
	g_free(plot->title);
	g_free(plot->caption);
	g_string_free(plot->data, TRUE);
	g_string_free(plot->script, TRUE);
	g_free(plot);
}

/* A new figure @name; its script starts the loop over both terminals. */
G_GNUC_PRINTF(3, 4)
static struct cmasim_plot *plot_new(const char *name, const char *title, const char *caption,
				    ...)
{
	struct cmasim_plot *p = g_new0(struct cmasim_plot, 1);
	va_list ap;

	p->name = g_strdup(name);
	p->title = g_strdup(title);
	va_start(ap, caption);
	p->caption = g_strdup_vprintf(caption, ap);
	va_end(ap);
	p->data = g_string_new(NULL);
	p->script = g_string_new(NULL);
	g_string_append_printf(p->script,
		"# cmasim report: %s\n"
		"# Reads %s.dat; writes %s.svg and %s.png. Rerun in a UTF-8 locale: gnuplot %s.gp\n"
		"set encoding utf8\n"
		"set micro\n"
		"do for [png = 0:1] {\n"
		"if (!png) {\n"
		"  set terminal svg size 960,600 dynamic noenhanced font 'sans,14' background '#ffffff'\n"
		"  set output '%s.svg'\n"
		"} else {\n"
		"  set terminal pngcairo size 1920,1200 noenhanced font 'sans,28' background '#ffffff'\n"
		"  set output '%s.png'\n"
		"}\n"
		"set title '%s'\n"
		"set key outside right top\n"
		"set grid ytics lc rgb '#dddddd'\n",
		title, name, name, name, name, name, name, title);
	return p;
}

/* Ends @p's loop over the terminals. */
static void plot_end(struct cmasim_plot *p)
{
	g_string_append(p->script, "unset output\n}\n");
}

/* The value of figure @key of @run, 0 when it has none. */
static double num(const struct cmasim_plot_run *run, const char *key)
{
	const struct cmasim_figure *f = cmasim_figures_find(run->figs, key);

	return f && f->value ? g_ascii_strtod(f->value, NULL) : 0;
}

/* Appends @v to @out as gnuplot reads numbers, whatever the locale. */
static void put_num(GString *out, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	g_string_append_c(out, ' ');
	g_string_append(out, g_ascii_formatd(buf, sizeof(buf), "%.6g", v));
}

/* Appends @s as a gnuplot string, in single quotes. */
static void put_quoted(GString *out, const char *s)
{
	g_string_append_c(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			g_string_append_c(out, '\'');
		g_string_append_c(out, *s);
	}
	g_string_append_c(out, '\'');
}

/* The policies' colours as gnuplot's line types 1..n, so that `lt i` is policy i's colour. */
static void policy_colours(GString *script, const struct cmasim_plot_run *runs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		g_string_append_printf(script, "set linetype %u lc rgb '%s' lw 2 pt 7 ps 1.2\n",
				       i + 1, cmasim_plot_colour(runs[i].colour));
}

/* A figure with no data: says so in its middle rather than failing. */
static void empty_plot(struct cmasim_plot *p, const char *why)
{
	g_string_append(p->script, "unset border\nunset tics\nunset key\nset label ");
	put_quoted(p->script, why);
	g_string_append(p->script, " at 0.5,0.5 center\nplot [0:1][0:1] -1 notitle\n"
			"unset label\nset border\nset tics\n");
}

/* gnuplot's style of the bar charts: a bar per policy, its parts stacked. */
#define STACKED_BARS                                          \
	"set style data histograms\n"                         \
	"set style histogram rowstacked\n"                    \
	"set style fill solid 0.9 border rgb '#ffffff'\n"     \
	"set boxwidth 0.7\n"

/* Figure 1: requests by outcome, failures stacked by cause. */
static struct cmasim_plot *success_plot(const struct cmasim_plot_run *runs, unsigned int n)
{
	static const char *const cause_colours[] = {
		"#D55E00", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#999999",
	};
	struct cmasim_plot *p = plot_new("success", "Requests served and failed, by cause",
					 "Each policy's requests: the share served, and the shares "
					 "that failed stacked by cause.");
	bool any_cause[CMASIM_NR_DMA_STATUS] = { 0 }, any = false;

	g_string_append(p->data, "# policy served");
	for (unsigned int st = CMASIM_DMA_OK + 1; st < CMASIM_NR_DMA_STATUS; st++)
		g_string_append_printf(p->data, " %s", cmasim_dma_status_name(st));
	g_string_append(p->data, "\n# shares of the policy's requests\n");
	for (unsigned int i = 0; i < n; i++) {
		double requests = num(&runs[i], "dma_requests");

		any |= requests > 0;
		g_string_append(p->data, runs[i].policy);
		put_num(p->data, requests ? num(&runs[i], "dma_ok") / requests : 0);
		for (unsigned int st = CMASIM_DMA_OK + 1; st < CMASIM_NR_DMA_STATUS; st++) {
			g_autofree char *key = g_strdup_printf("dma_failed_%s",
							       cmasim_dma_status_name(st));
			double failed = num(&runs[i], key);

			any_cause[st] |= failed > 0;
			put_num(p->data, requests ? failed / requests : 0);
		}
		g_string_append_c(p->data, '\n');
	}
	if (!any) {
		empty_plot(p, "no device made a request");
		plot_end(p);
		return p;
	}
	g_string_append(p->script,
		STACKED_BARS
		"set yrange [0:100]\n"
		"set ylabel 'share of requests (%)'\n"
		"set xtics rotate by -30 nomirror\n"
		"plot 'success.dat' using ($2*100):xtic(1) title 'served' lc rgb '#009E73'");
	for (unsigned int st = CMASIM_DMA_OK + 1; st < CMASIM_NR_DMA_STATUS; st++) {
		if (!any_cause[st])
			continue;
		g_string_append_printf(p->script, ", \\\n  '' using ($%u*100) title 'failed: %s' "
				       "lc rgb '%s'", st + 2, cmasim_dma_status_name(st),
				       cause_colours[(st - 1) % G_N_ELEMENTS(cause_colours)]);
	}
	g_string_append(p->script, "\nset yrange [*:*]\n");
	plot_end(p);
	return p;
}

/* Figure 2: the distribution of the time to serve requests that succeeded. */
static struct cmasim_plot *latency_plot(const struct cmasim_plot_run *runs, unsigned int n)
{
	struct cmasim_plot *p = plot_new("latency-cdf", "Time to serve a request that succeeded",
					 "The share of each policy's successful requests served "
					 "within a time (log scale); failed requests are left out.");
	GString *plot = g_string_new("plot ");
	unsigned int blocks = 0;

	g_string_append(p->data, "# seconds share: one block per policy, in plot order\n");
	for (unsigned int i = 0; i < n; i++) {
		const GArray *h = runs[i].latency;
		uint64_t total = 0, seen = 0;

		for (guint b = 0; h && b < h->len; b++)
			total += g_array_index(h, struct cmasim_plot_bucket, b).count;
		if (!total)
			continue;
		g_string_append_printf(p->data, "%s# %s\n", blocks ? "\n\n" : "", runs[i].policy);
		for (guint b = 0; b < h->len; b++) {
			const struct cmasim_plot_bucket *k = &g_array_index(h, struct cmasim_plot_bucket,
									    b);

			/* a step at the bucket's upper bound: at most that long, the share so far */
			if (!b) {
				put_num(p->data, MAX(k->lo, 1) / 1e9);
				put_num(p->data, 0);
				g_string_append_c(p->data, '\n');
			}
			seen += k->count;
			put_num(p->data, MAX(k->hi, 1) / 1e9);
			put_num(p->data, (double)seen / (double)total);
			g_string_append_c(p->data, '\n');
		}
		g_string_append_printf(plot, "%s'latency-cdf.dat' index %u using 1:2 with steps "
				       "lt %u title ", blocks ? ", \\\n  " : "", blocks, i + 1);
		put_quoted(plot, runs[i].policy);
		blocks++;
	}
	policy_colours(p->script, runs, n);
	if (!blocks) {
		empty_plot(p, "no request succeeded");
	} else {
		g_string_append(p->script,
			"set logscale x\n"
			"set format x '%.0s %cs'\n"
			"set xlabel 'time to serve the request (log scale)'\n"
			"set yrange [0:1.02]\n"
			"set ylabel 'share of successful requests'\n"
			"set key inside right bottom\n");
		g_string_append_printf(p->script, "%s\nunset logscale x\nset yrange [*:*]\n",
				       plot->str);
	}
	g_string_free(plot, TRUE);
	plot_end(p);
	return p;
}

/* A timeline read back: its column names and rows of numbers, at most MAX_ROWS of them. */
struct timeline {
	GPtrArray *names;	/* of char * */
	GArray *rows;		/* of double, names->len a row */
};

static void timeline_clear(struct timeline *t)
{
	if (t->names)
		g_ptr_array_free(t->names, TRUE);
	if (t->rows)
		g_array_free(t->rows, TRUE);
}

/* The index of column @name of @t, or -1. */
static int column(const struct timeline *t, const char *name)
{
	for (guint i = 0; i < t->names->len; i++)
		if (!strcmp(t->names->pdata[i], name))
			return (int)i;
	return -1;
}

/* The rows of @t. */
static guint nr_rows(const struct timeline *t)
{
	return t->rows && t->names->len ? t->rows->len / t->names->len : 0;
}

/* Row @r of @t. */
static const double *row(const struct timeline *t, guint r)
{
	return &g_array_index(t->rows, double, r * t->names->len);
}

/*
 * Reads timeline @text of @policy into @t, keeping rows at least 1/MAX_ROWS
 * of its span apart and the last. False with @error on a malformed line.
 */
static bool timeline_read(const char *text, const char *policy, struct timeline *t,
			  GError **error)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_auto(GStrv) header = NULL;
	double span, next = 0;
	guint nr_lines = g_strv_length(lines);
	g_autofree double *cells = NULL;
	guint width;

	if (!lines[0] || !g_str_has_prefix(lines[0], "time_ns,")) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "%s's timeline:1: expected a header starting time_ns,", policy);
		return false;
	}
	header = g_strsplit(lines[0], ",", -1);
	width = g_strv_length(header);
	t->names = g_ptr_array_new_with_free_func(g_free);
	for (char **h = header; *h; h++)
		g_ptr_array_add(t->names, g_strdup(*h));
	t->rows = g_array_new(FALSE, FALSE, sizeof(double));
	cells = g_new(double, width);
	while (nr_lines > 1 && !*lines[nr_lines - 1])
		nr_lines--;
	span = nr_lines > 1 ? g_ascii_strtod(lines[nr_lines - 1], NULL) : 0;
	for (guint l = 1; l < nr_lines; l++) {
		g_auto(GStrv) fields = g_strsplit(lines[l], ",", -1);

		if (g_strv_length(fields) != width) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
				    "%s's timeline:%u: expected %u fields, found %u", policy, l + 1,
				    width, g_strv_length(fields));
			return false;
		}
		for (guint c = 0; c < width; c++) {
			char *end;

			cells[c] = g_ascii_strtod(fields[c], &end);
			if (end == fields[c] || *end) {
				g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
					    "%s's timeline:%u: field %u is not a number", policy,
					    l + 1, c + 1);
				return false;
			}
		}
		if (cells[0] < next && l + 1 < nr_lines)
			continue;
		g_array_append_vals(t->rows, cells, width);
		next = cells[0] + span / MAX_ROWS;
	}
	return true;
}

/*
 * The free pages of row @r in blocks of order @order or more, over every
 * zone, and the largest order in the timeline in *@max.
 */
static double suitable_pages(const struct timeline *t, guint r, unsigned int order,
			     unsigned int *max)
{
	double pages = 0;

	*max = 0;
	for (guint c = 0; c < t->names->len; c++) {
		const char *at = strstr(t->names->pdata[c], "_free_blocks_order");
		unsigned int o;

		if (!at)
			continue;
		o = (unsigned int)atoi(at + strlen("_free_blocks_order"));
		*max = MAX(*max, o);
		if (o >= order)
			pages += row(t, r)[c] * (double)(UINT64_C(1) << o);
	}
	return pages;
}

/* The order of the largest request any run made, or -1. */
static int largest_request_order(const struct cmasim_plot_run *runs, unsigned int n)
{
	int order = -1;

	for (unsigned int i = 0; i < n; i++) {
		for (guint f = 0; f < runs[i].figs->len; f++) {
			const struct cmasim_figure *fig = &g_array_index(runs[i].figs,
									 struct cmasim_figure, f);
			int o;

			if (sscanf(fig->key, "dma_order%d_requests", &o) == 1 && fig->value &&
			    g_ascii_strtod(fig->value, NULL) > 0)
				order = MAX(order, o);
		}
	}
	return order;
}

/*
 * Figure 3: over time, the unusable free space index at the order of the
 * largest request (mm/vmstat.c: unusable_free_index(), over all zones),
 * and free memory.
 */
static struct cmasim_plot *fragmentation_plot(const struct cmasim_plot_run *runs,
					      const struct timeline *tl, unsigned int n,
					      unsigned int order)
{
	struct cmasim_plot *p = plot_new(
		"fragmentation", "Fragmentation and free memory over time",
		"Top: the share of free memory in blocks smaller than order %u (the largest "
		"request's, at most the largest block), over all zones; 1 is none usable. Bottom: "
		"free memory.", order);
	GString *top = g_string_new("plot "), *bottom = g_string_new("plot ");
	unsigned int blocks = 0;

	g_string_append(p->data, "# seconds unusable_index free_MiB: one block per policy\n");
	for (unsigned int i = 0; i < n; i++) {
		int c_free = tl[i].names ? column(&tl[i], "free_pages") : -1;
		double page = num(&runs[i], "page_bytes");

		if (c_free < 0)
			continue;
		g_string_append_printf(p->data, "%s# %s\n", blocks ? "\n\n" : "", runs[i].policy);
		for (guint r = 0; r < nr_rows(&tl[i]); r++) {
			double free = row(&tl[i], r)[c_free];
			unsigned int max;
			double suitable = suitable_pages(&tl[i], r, order, &max);

			put_num(p->data, row(&tl[i], r)[0] / 1e9);
			/* no free memory counts as all of it unusable, as the kernel counts it */
			put_num(p->data, free > 0 ? (free - suitable) / free : 1);
			put_num(p->data, free * page / (1 << 20));
			g_string_append_c(p->data, '\n');
		}
		g_string_append_printf(top, "%s'fragmentation.dat' index %u using 1:2 with lines "
				       "lt %u title ", blocks ? ", \\\n  " : "", blocks, i + 1);
		put_quoted(top, runs[i].policy);
		g_string_append_printf(bottom, "%s'fragmentation.dat' index %u using 1:3 with lines "
				       "lt %u notitle", blocks ? ", \\\n  " : "", blocks, i + 1);
		blocks++;
	}
	policy_colours(p->script, runs, n);
	g_string_append_printf(p->script,
		"set multiplot layout 2,1 title '%s'\n"
		"unset title\n"
		"set lmargin at screen 0.12\n"
		"set rmargin at screen 0.74\n"
		"set autoscale xfix\n"
		"set xlabel 'simulated time (s)'\n"
		"set ylabel 'unusable index, order %u'\n"
		"set yrange [0:1.05]\n"
		"%s\n"
		"set yrange [0:*]\n"
		"set ylabel 'free memory (MiB)'\n"
		"%s\n"
		"unset multiplot\n"
		"set lmargin\nset rmargin\nset autoscale x\n"
		"set yrange [*:*]\n", p->title, order, top->str, bottom->str);
	g_string_free(top, TRUE);
	g_string_free(bottom, TRUE);
	plot_end(p);
	return p;
}

/* Figure 4: free pages in blocks of each order over time, for one policy. */
static struct cmasim_plot *heatmap_plot(const struct cmasim_plot_run *run,
					const struct timeline *tl)
{
	struct cmasim_plot *p = plot_new(
		"free-by-order", "Free pages by block order over time",
		"Free pages of %s in blocks of each order over time, over all zones, on a log "
		"colour scale: fragmentation moves them to the bottom rows.", run->policy);
	unsigned int max = 0;
	double most = 0;

	suitable_pages(tl, 0, 0, &max);
	g_string_append(p->data, "# t0 order t_low t_high order_low order_high free_pages\n");
	for (guint r = 0; r + 1 < nr_rows(tl); r++) {
		for (unsigned int o = 0; o <= max; o++) {
			double pages = 0;

			for (guint c = 0; c < tl->names->len; c++) {
				const char *at = strstr(tl->names->pdata[c], "_free_blocks_order");

				if (at && (unsigned int)atoi(at + 18) == o)
					pages += row(tl, r)[c] * (double)(UINT64_C(1) << o);
			}
			/* no cell where nothing is free: the background shows through */
			if (!pages)
				continue;
			most = MAX(most, pages);
			put_num(p->data, row(tl, r)[0] / 1e9);
			put_num(p->data, o);
			put_num(p->data, row(tl, r)[0] / 1e9);
			/* into the next box a little, which is drawn over it: no hairline between */
			put_num(p->data, (row(tl, r + 1)[0] + (row(tl, r + 1)[0] - row(tl, r)[0]) / 4) /
					 1e9);
			put_num(p->data, o - 0.5);
			put_num(p->data, o + 0.5);
			put_num(p->data, pages);
			g_string_append_c(p->data, '\n');
		}
	}
	if (!p->data->str[strcspn(p->data->str, "\n") + 1]) {
		empty_plot(p, "no free page in the timeline");
		plot_end(p);
		return p;
	}
	g_string_append_printf(p->script,
		"set title '%s: free pages by block order'\n"
		"set xlabel 'simulated time (s)'\n"
		"set ylabel 'block order'\n"
		"set yrange [-0.5:%u.5]\n"
		"set ytics 1\n"
		"set logscale cb\n"
		"set cbrange [1:%.0f]\n"
		"set autoscale xfix\n"
		"set rmargin at screen 0.85\n"
		"set cblabel 'free pages'\n"
		"set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', "
		"4 '#fde725')\n"
		"unset key\n"
		"plot 'free-by-order.dat' using 1:2:3:4:5:6:7 with boxxyerror fs solid 1.0 noborder "
		"lc palette notitle\n"
		"unset logscale cb\nset cbrange [*:*]\nset yrange [*:*]\nset ytics autofreq\n"
		"set autoscale x\n"
		"set rmargin\n", run->policy, max, MAX(most, 2));
	plot_end(p);
	return p;
}

/* The states a pageblock map gives, one letter each (`run --map`), and how they show. */
static const struct {
	char letter;
	const char *name;
	const char *colour;
} states[] = {
	{ 'F', "free", "#eeeeee" },
	{ 'M', "movable", "#56B4E9" },
	{ 'U', "unmovable", "#D55E00" },
	{ 'P', "pinned", "#000000" },
	{ 'D', "device buffer", "#009E73" },
	{ 'R', "reserved, idle", "#E69F00" },
	{ 'H', "hole", "#ffffff" },
};

/* The index of state @letter in states[], or -1. */
static int state_of(char letter)
{
	for (unsigned int i = 0; i < G_N_ELEMENTS(states); i++)
		if (states[i].letter == letter)
			return (int)i;
	return -1;
}

/*
 * Appends @run's pageblock map as boxes to @data: one block for the run, a
 * box per run of pageblocks in one state at one sample, at most MAX_ROWS /
 * 5 samples; *@nr_pageblocks is the map's width. False with @error on a
 * malformed line.
 */
static bool map_boxes(const struct cmasim_plot_run *run, GString *data, size_t *nr_pageblocks,
		      GError **error)
{
	g_auto(GStrv) lines = g_strsplit(run->map, "\n", -1);
	g_autoptr(GPtrArray) rows = g_ptr_array_new();
	double span = 0, next = 0;
	guint l;

	for (l = 0; lines[l]; l++) {
		const char *comma = strchr(lines[l], ',');

		if (!*lines[l] || *lines[l] == '#' || g_str_has_prefix(lines[l], "time_ns,"))
			continue;
		if (!comma || comma == lines[l] || !comma[1]) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
				    "%s's map:%u: expected time_ns,states", run->policy, l + 1);
			return false;
		}
		for (const char *c = comma + 1; *c; c++) {
			if (state_of(*c) < 0) {
				g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
					    "%s's map:%u: '%c' is no pageblock state", run->policy,
					    l + 1, *c);
				return false;
			}
		}
		g_ptr_array_add(rows, lines[l]);
	}
	*nr_pageblocks = 0;
	if (!rows->len)
		return true;
	span = g_ascii_strtod(rows->pdata[rows->len - 1], NULL);
	/* the samples drawn: no closer than a fifth of MAX_ROWS of the span, the last always */
	g_autoptr(GArray) kept = g_array_new(FALSE, FALSE, sizeof(guint));

	for (guint r = 0; r < rows->len; r++) {
		double t = g_ascii_strtod(rows->pdata[r], NULL);

		if (t < next && r + 1 < rows->len)
			continue;
		next = t + span / (MAX_ROWS / 5);
		g_array_append_val(kept, r);
	}
	for (guint k = 0; k < kept->len; k++) {
		const char *line = rows->pdata[g_array_index(kept, guint, k)];
		const char *map = strchr(line, ',') + 1;
		double t = g_ascii_strtod(line, NULL) / 1e9;
		/* each sample's boxes reach the next sample drawn */
		double t_next = k + 1 < kept->len
				? g_ascii_strtod(rows->pdata[g_array_index(kept, guint, k + 1)], NULL) / 1e9
				: t + MAX(span / 1e9 / (MAX_ROWS / 5), 1e-9);

		*nr_pageblocks = MAX(*nr_pageblocks, strlen(map));
		for (size_t pb = 0, len = strlen(map); pb < len;) {
			size_t end = pb;

			while (end < len && map[end] == map[pb])
				end++;
			put_num(data, t);
			put_num(data, (double)(pb + end) / 2);
			put_num(data, t);
			put_num(data, t_next);
			put_num(data, (double)pb - 0.5);
			put_num(data, (double)end - 0.5);
			put_num(data, state_of(map[pb]));
			g_string_append_c(data, '\n');
			pb = end;
		}
	}
	return true;
}

/* Figure 5: the pageblocks of each run that sets memory aside, by state over time. */
static struct cmasim_plot *map_plot(const struct cmasim_plot_run *runs, unsigned int n,
				    GError **error)
{
	struct cmasim_plot *p = plot_new(
		"memory-map", "Physical memory by pageblock over time",
		"Each pageblock's state over time, for the policies that set memory aside: idle "
		"reserved memory, device buffers, and pinned pages where a device needed room.");
	GString *panels = g_string_new(NULL);
	unsigned int nr = 0;

	g_string_append(p->data, "# t pageblock t_low t_high pb_low pb_high state: one block a "
			"policy\n");
	g_string_append(p->script, "set palette maxcolors 7\nset palette defined (");
	for (unsigned int s = 0; s < G_N_ELEMENTS(states); s++)
		g_string_append_printf(p->script, "%s%u '%s'", s ? ", " : "", s, states[s].colour);
	g_string_append(p->script, ")\nset cbrange [-0.5:6.5]\nset cbtics (");
	for (unsigned int s = 0; s < G_N_ELEMENTS(states); s++)
		g_string_append_printf(p->script, "%s'%s' %u", s ? ", " : "", states[s].name, s);
	g_string_append(p->script, ")\n");
	for (unsigned int i = 0; i < n; i++) {
		if (!runs[i].map || (num(&runs[i], "reserved_bytes") <= 0 &&
				     num(&runs[i], "cma_area_bytes") <= 0))
			continue;
		g_string_append_printf(p->data, "%s# %s\n", nr ? "\n\n" : "", runs[i].policy);
		size_t width = 0;

		if (!map_boxes(&runs[i], p->data, &width, error)) {
			g_string_free(panels, TRUE);
			cmasim_plot_free(p);
			return NULL;
		}
		g_string_append(panels, "set title ");
		put_quoted(panels, runs[i].policy);
		/* pageblock 0, the lowest address, at the top */
		g_string_append_printf(panels, "\nset yrange [%zu.5:-0.5]", width ? width - 1 : 0);
		g_string_append_printf(panels, "\nplot 'memory-map.dat' index %u using "
				       "1:2:3:4:5:6:7 with boxxyerror fs solid 1.0 noborder "
				       "lc palette notitle\n", nr);
		nr++;
	}
	if (!nr) {
		empty_plot(p, "no policy sets memory aside, or no run has a map");
	} else {
		g_string_append_printf(p->script,
			"set multiplot layout %u,1 title '%s'\n"
			"set xlabel 'simulated time (s)'\n"
			"set ylabel 'pageblock'\n"
			"set autoscale xfix\n"
			"%s"
			"unset multiplot\n"
			"set yrange [*:*]\nset autoscale x\n", nr, p->title, panels->str);
	}
	g_string_free(panels, TRUE);
	plot_end(p);
	return p;
}

/* Figure 6: memory set aside for devices, and of it idle, against success. */
static struct cmasim_plot *cost_plot(const struct cmasim_plot_run *runs, unsigned int n)
{
	struct cmasim_plot *p = plot_new(
		"cost-success", "Memory set aside for devices against success",
		"Filled: memory each policy sets aside for devices (reserved, or in CMA areas); "
		"hollow: of it, what held nothing on average; against the share of requests "
		"served. Policies at one point share a label.");
	g_autofree double *x = g_new(double, n), *y = g_new(double, n);
	double low = 100, high = 0;

	g_string_append(p->data, "# policy set_aside_MiB idle_MiB served_% colour\n");
	for (unsigned int i = 0; i < n; i++) {
		x[i] = (num(&runs[i], "reserved_bytes") + num(&runs[i], "cma_area_bytes")) / (1 << 20);
		y[i] = num(&runs[i], "dma_success_rate") * 100;
		low = MIN(low, y[i]);
		high = MAX(high, y[i]);
		g_string_append(p->data, runs[i].policy);
		put_num(p->data, x[i]);
		put_num(p->data, num(&runs[i], "reserved_idle_bytes_mean") / (1 << 20));
		put_num(p->data, y[i]);
		put_num(p->data, i + 1);
		g_string_append_c(p->data, '\n');
	}
	/* one label for the policies at one point, at the first of them */
	g_string_append(p->data, "\n\n# set_aside_MiB served_% label\n");
	for (unsigned int i = 0; i < n; i++) {
		g_autoptr(GString) label = g_string_new(NULL);
		bool first = true;

		for (unsigned int j = 0; j < n && first; j++)
			first = j >= i || x[j] != x[i] || y[j] != y[i];
		if (!first)
			continue;
		for (unsigned int j = i; j < n; j++)
			if (x[j] == x[i] && y[j] == y[i])
				g_string_append_printf(label, "%s%s", label->len ? ", " : "",
						       runs[j].policy);
		put_num(p->data, x[i]);
		put_num(p->data, y[i]);
		g_string_append_c(p->data, ' ');
		g_string_append_c(p->data, '"');
		g_string_append(p->data, label->str);
		g_string_append(p->data, "\"\n");
	}
	policy_colours(p->script, runs, n);
	/* room around the points, never an empty range however alike the policies */
	g_string_append_printf(p->script, "set yrange [%.0f:%.0f]\n", MAX(floor(low) - 5, 0),
			       MIN(ceil(high) + 5, 105));
	g_string_append(p->script,
		"set xlabel 'memory set aside for devices (MiB)'\n"
		"set ylabel 'requests served (%)'\n"
		"set xrange [0:*]\n"
		"set offsets 0, graph 0.35, 0, 0\n"
		"unset key\n"
		"plot 'cost-success.dat' index 0 using 2:4:5 with points pt 7 ps 2.5 lc variable, \\\n"
		"  '' index 0 using 3:4:5 with points pt 6 ps 2.5 lc variable, \\\n"
		"  '' index 1 using 1:2:3 with labels left offset char 1.5,0 tc rgb '#333333'\n"
		"set offsets 0, 0, 0, 0\n"
		"set xrange [*:*]\nset yrange [*:*]\nset key\n");
	plot_end(p);
	return p;
}

/* The CPU's costs, the mutex wait left out: it burns no CPU. */
static const char *const cpu_costs[] = {
	"buddy", "zeroing", "cache_maintenance", "migration", "lru_drain", "compaction",
	"mapping", "tlb_miss", "iommu", "cpu_memory", "flush_refill", "refault", "cleancache",
};

/* Figure 7: CPU time by component. */
static struct cmasim_plot *overhead_plot(const struct cmasim_plot_run *runs, unsigned int n)
{
	struct cmasim_plot *p = plot_new("overhead", "CPU time by component",
					 "The simulated CPU time each policy spent, stacked by "
					 "what it was spent on.");
	bool any[G_N_ELEMENTS(cpu_costs)] = { 0 }, some = false;

	g_string_append(p->data, "# policy");
	for (unsigned int c = 0; c < G_N_ELEMENTS(cpu_costs); c++)
		g_string_append_printf(p->data, " %s", cpu_costs[c]);
	g_string_append(p->data, "\n# milliseconds\n");
	for (unsigned int i = 0; i < n; i++) {
		g_string_append(p->data, runs[i].policy);
		for (unsigned int c = 0; c < G_N_ELEMENTS(cpu_costs); c++) {
			g_autofree char *key = g_strdup_printf("overhead_ns_%s", cpu_costs[c]);
			double ms = num(&runs[i], key) / 1e6;

			any[c] |= ms > 0;
			some |= ms > 0;
			put_num(p->data, ms);
		}
		g_string_append_c(p->data, '\n');
	}
	if (!some) {
		empty_plot(p, "no CPU time spent");
		plot_end(p);
		return p;
	}
	g_string_append(p->script,
		STACKED_BARS
		"set ylabel 'simulated CPU time (ms)'\n"
		"set xtics rotate by -30 nomirror\n"
		"plot ");
	for (unsigned int c = 0, shown = 0; c < G_N_ELEMENTS(cpu_costs); c++) {
		if (!any[c])
			continue;
		g_string_append_printf(p->script, "%s'overhead.dat' using %u%s title '%s' "
				       "lc rgb '%s'", shown ? ", \\\n  " : "", c + 2,
				       shown ? "" : ":xtic(1)", cpu_costs[c], cmasim_plot_colour(c));
		shown++;
	}
	g_string_append_c(p->script, '\n');
	plot_end(p);
	return p;
}

/* Figure 8: attribute aliases and what they did. */
static struct cmasim_plot *coherence_plot(const struct cmasim_plot_run *runs, unsigned int n)
{
	struct cmasim_plot *p = plot_new(
		"coherence", "Attribute aliases and stale data",
		"Cache lines filled for frames also mapped uncached (aliases), reads of stale data "
		"by the CPU or a device, and device data overwritten by a write-back.");
	bool some = false;

	g_string_append(p->data, "# policy alias_lines stale_read_lines clobbered_lines\n");
	for (unsigned int i = 0; i < n; i++) {
		double alias = num(&runs[i], "alias_demand_lines") +
			       num(&runs[i], "alias_speculative_lines") +
			       num(&runs[i], "alias_present_lines");
		double stale = num(&runs[i], "stale_cpu_read_lines") +
			       num(&runs[i], "stale_device_read_lines");
		double clobbered = num(&runs[i], "clobbered_lines");

		some |= alias > 0 || stale > 0 || clobbered > 0;
		g_string_append(p->data, runs[i].policy);
		put_num(p->data, alias);
		put_num(p->data, stale);
		put_num(p->data, clobbered);
		g_string_append_c(p->data, '\n');
	}
	if (!some) {
		empty_plot(p, "no run left a line aliased, stale or clobbered");
		plot_end(p);
		return p;
	}
	g_string_append(p->script,
		"set style data histograms\n"
		"set style histogram clustered gap 1\n"
		"set style fill solid 0.9 border rgb '#ffffff'\n"
		"set ylabel 'cache lines'\n"
		"set yrange [0:*]\n"
		"set xtics rotate by -30 nomirror\n"
		"plot 'coherence.dat' using 2:xtic(1) title 'aliased' lc rgb '#E69F00', \\\n"
		"  '' using 3 title 'stale reads' lc rgb '#D55E00', \\\n"
		"  '' using 4 title 'clobbered' lc rgb '#000000'\n"
		"set yrange [*:*]\n");
	plot_end(p);
	return p;
}

GPtrArray *cmasim_plots(const struct cmasim_plot_run *runs, unsigned int n,
			unsigned int heatmap, GError **error)
{
	g_autoptr(GPtrArray) plots = g_ptr_array_new_with_free_func((GDestroyNotify)cmasim_plot_free);
	g_autofree struct timeline *tl = g_new0(struct timeline, n);
	bool timelines = false, maps = false;
	int order = largest_request_order(runs, n);
	unsigned int max = 0;
	struct cmasim_plot *map;

	g_return_val_if_fail(runs && n > 0 && heatmap < n, NULL);
	for (unsigned int i = 0; i < n; i++) {
		if (runs[i].timeline && !timeline_read(runs[i].timeline, runs[i].policy, &tl[i],
						       error))
			goto fail;
		timelines |= nr_rows(&tl[i]) > 0;
		maps |= runs[i].map != NULL;
		if (nr_rows(&tl[i]))
			suitable_pages(&tl[i], 0, 0, &max);
	}
	g_ptr_array_add(plots, success_plot(runs, n));
	g_ptr_array_add(plots, latency_plot(runs, n));
	if (timelines) {
		/* the largest request's order, or the largest block's if it is larger */
		g_ptr_array_add(plots, fragmentation_plot(runs, tl, n,
							  order < 0 ? max : MIN((unsigned int)order,
										max)));
		if (nr_rows(&tl[heatmap]) > 1)
			g_ptr_array_add(plots, heatmap_plot(&runs[heatmap], &tl[heatmap]));
	}
	if (maps) {
		map = map_plot(runs, n, error);
		if (!map)
			goto fail;
		g_ptr_array_add(plots, map);
	}
	g_ptr_array_add(plots, cost_plot(runs, n));
	g_ptr_array_add(plots, overhead_plot(runs, n));
	g_ptr_array_add(plots, coherence_plot(runs, n));
	for (unsigned int i = 0; i < n; i++)
		timeline_clear(&tl[i]);
	return g_steal_pointer(&plots);
fail:
	for (unsigned int i = 0; i < n; i++)
		timeline_clear(&tl[i]);
	return NULL;
}

/* How a value in @unit is drawn: its scale and the axis's unit, so that times read in ms. */
static double unit_scale(enum cmasim_unit unit, const char **suffix)
{
	switch (unit) {
	case CMASIM_UNIT_NS:
		*suffix = " (ms)";
		return 1e-6;
	case CMASIM_UNIT_BYTES:
		*suffix = " (MiB)";
		return 1.0 / (1 << 20);
	default:
		*suffix = "";
		return 1;
	}
}

struct cmasim_plot *cmasim_plot_against(const char *name, const char *title, const char *xlabel,
					const char *key, const struct cmasim_plot_series *series,
					unsigned int n, unsigned int nr_seeds, const double *target)
{
	const struct cmasim_figure_def *def = cmasim_figure_def_find(key);
	const char *suffix;
	double scale = unit_scale(def ? def->unit : CMASIM_UNIT_COUNT, &suffix);
	struct cmasim_plot *p = plot_new(
		name, title, "%s against %s: a line through the mean over %u seed%s, a point for "
		"each; each line its own shape and dashes, so that lines on each other show%s.",
		key, xlabel, nr_seeds, nr_seeds > 1 ? "s" : "",
		target ? "; hollow where the target does not hold; grey: the target" : "");
	GString *plot = g_string_new("plot ");
	g_autofree char *ylabel = g_strconcat(key, suffix, NULL);
	/* gnuplot's filled circle, square, triangle, diamond, pentagon; hollow is one less */
	static const unsigned int shapes[] = { 7, 5, 9, 13, 15 };

	g_string_append(p->data, "# x mean, then x value holds per seed: two blocks a series\n");
	/* the target first, so that the lines are drawn over it */
	if (target) {
		put_num(plot, *target * scale);
		g_string_append(plot, " with lines lw 4 lc rgb '#bbbbbb' title 'target', \\\n  ");
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct cmasim_plot_series *s = &series[i];

		g_string_append_printf(p->data, "%s# %s\n", i ? "\n\n" : "", s->label);
		for (unsigned int k = 0; k < s->nr; k++) {
			double sum = 0;
			unsigned int m = 0;

			for (unsigned int j = 0; j < nr_seeds; j++) {
				double v = s->y[k * nr_seeds + j];

				if (!isnan(v)) {
					sum += v;
					m++;
				}
			}
			/* no seed's value: a gap in the line */
			if (!m) {
				g_string_append_c(p->data, '\n');
				continue;
			}
			put_num(p->data, s->x[k]);
			put_num(p->data, sum / m * scale);
			g_string_append_c(p->data, '\n');
		}
		g_string_append(p->data, "\n\n");
		for (unsigned int k = 0; k < s->nr; k++) {
			for (unsigned int j = 0; j < nr_seeds; j++) {
				double v = s->y[k * nr_seeds + j];

				if (isnan(v))
					continue;
				put_num(p->data, s->x[k]);
				put_num(p->data, v * scale);
				put_num(p->data, !s->holds || s->holds[k] ? shapes[i % G_N_ELEMENTS(shapes)]
									  : shapes[i % G_N_ELEMENTS(shapes)] - 1);
				g_string_append_c(p->data, '\n');
			}
		}
		g_string_append_printf(p->script, "set linetype %u lc rgb '%s' lw 2 ps 1.4 dt %u\n",
				       i + 1, cmasim_plot_colour(s->colour), i % 5 + 1);
		g_string_append_printf(plot, "%s'%s.dat' index %u using 1:2 with lines lt %u title ",
				       i ? ", \\\n  " : "", name, 2 * i, i + 1);
		put_quoted(plot, s->label);
		g_string_append_printf(plot, ", \\\n  '' index %u using 1:2:3 with points lt %u "
				       "pt variable notitle", 2 * i + 1, i + 1);
	}
	g_string_append(p->script, "set xlabel ");
	put_quoted(p->script, xlabel);
	g_string_append(p->script, "\nset ylabel ");
	put_quoted(p->script, ylabel);
	g_string_append_printf(p->script, "\nset offsets graph 0.02, graph 0.02, graph 0.05, "
			       "graph 0.05\n%s\nset offsets 0, 0, 0, 0\n", plot->str);
	g_string_free(plot, TRUE);
	plot_end(p);
	return p;
}

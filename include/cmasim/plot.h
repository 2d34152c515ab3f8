/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The figures of a design-review report: for each, a data file and a
 * gnuplot script that reads it and writes an SVG and a PNG. Built from the
 * runs' figures, latency histograms and timelines alone, so that a report
 * of an earlier comparison's JSON draws what a fresh one would.
 */
#ifndef CMASIM_PLOT_H
#define CMASIM_PLOT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

/* One bucket of a latency histogram, as JSON gives them: [lo, hi] ns, count. */
struct cmasim_plot_bucket {
	uint64_t lo, hi, count;
};

/* One run a report draws. */
struct cmasim_plot_run {
	const char *policy;
	GArray *figs;		/* struct cmasim_figure, as cmasim_figures() gives them */
	GArray *latency;	/* struct cmasim_plot_bucket: the successes' histogram */
	const char *timeline;	/* its timeline CSV as `run --timeline` writes it, or NULL */
	const char *map;	/* its pageblock map (`run --map`), or NULL */
	unsigned int colour;	/* its colour: the policy's place in the registry */
};

/* One figure: files NAME.dat and NAME.gp, which writes NAME.svg and NAME.png. */
struct cmasim_plot {
	char *name;
	char *title;
	char *caption;		/* one line: what the figure shows */
	GString *data;
	GString *script;
};

void cmasim_plot_free(struct cmasim_plot *plot);

/*
 * The report's figures of @n runs of one machine and workload, in order:
 * success by cause, latency CDF, fragmentation and free memory over time,
 * free pages by order over time for run @heatmap, the pageblock map of
 * the runs that reserve memory, memory cost against success, CPU overhead
 * by component, coherence. Figures that need timelines or maps are left
 * out when no run has one. Returns the plots, or NULL with @error when a
 * timeline or map cannot be read ("source:line: ...").
 */
GPtrArray *cmasim_plots(const struct cmasim_plot_run *runs, unsigned int n,
			unsigned int heatmap, GError **error);

/* A run read back from `cmasim compare -f json`. */
struct cmasim_loaded_run {
	char *policy;
	GArray *figs;		/* struct cmasim_figure, values as printed (NULL: null) */
	GArray *latency;	/* struct cmasim_plot_bucket */
};

void cmasim_loaded_run_free(struct cmasim_loaded_run *run);

/*
 * The runs of a comparison's JSON at @path, in its order. NULL with
 * @error ("path:line:column: ...") when it is not one of this version.
 */
GPtrArray *cmasim_compare_load(const char *path, GError **error);
/* The run `cmasim run -f json` wrote at @path, or NULL with @error. */
struct cmasim_loaded_run *cmasim_run_load(const char *path, GError **error);

/* One curve of a figure against a parameter: a value per seed at each x. */
struct cmasim_plot_series {
	const char *label;	/* in the key */
	unsigned int colour;	/* palette entry */
	unsigned int nr;	/* points */
	const double *x;	/* @nr, ascending */
	const double *y;	/* @nr x the seeds, a point's seeds together; NAN: none */
	const bool *holds;	/* @nr: whether a target held there, or NULL */
};

/*
 * Figure @name: figure @key (its unit scaled for people) against a
 * parameter, @xlabel, one line through each series' seeds' mean and a
 * point for each seed, hollow where a target did not hold; a dashed line
 * at *@target when not NULL.
 */
struct cmasim_plot *cmasim_plot_against(const char *name, const char *title, const char *xlabel,
					const char *key, const struct cmasim_plot_series *series,
					unsigned int n, unsigned int nr_seeds, const double *target);

/* The colour of palette entry @i: a colour-blind-safe palette (Okabe and Ito), "#rrggbb". */
const char *cmasim_plot_colour(unsigned int i);

struct cmasim_summary_row;

/* What a report page shows: the comparison, its figures, how to make it again. */
struct cmasim_page {
	const char *machine, *machine_description, *machine_sha256;	/* descriptions may be NULL */
	const char *workload, *workload_description, *workload_sha256;
	const char *seed;
	const char *version;
	const char *command;			/* the command line that made it */
	const struct cmasim_summary_row *rows;
	unsigned int nr_rows;
	struct cmasim_plot *const *plots;
	unsigned int nr_plots;
	GBytes *const *svgs;			/* each plot's SVG */
};

/*
 * report.html: one page that needs nothing else, the figures' SVG in it,
 * no script or style from the network. A small script of its own says on
 * the root element (data-figures="N of M") how many figures the browser
 * drew, so that a headless browser's DOM tells a broken one.
 */
void cmasim_page_html(const struct cmasim_page *page, GString *out);
/* report.md: the summary table and the figures' PNGs, to paste into a review. */
void cmasim_page_markdown(const struct cmasim_page *page, GString *out);

#endif

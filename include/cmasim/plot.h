/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The figures of a design-review report: for each, a data file and a
 * gnuplot script that reads it and writes an SVG and a PNG. Built from the
 * runs' figures, latency histograms and timelines alone, so that a report
 * of an earlier comparison's JSON draws what a fresh one would.
 */
#ifndef CMASIM_PLOT_H
#define CMASIM_PLOT_H

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

/* The colour of palette entry @i: a colour-blind-safe palette (Okabe and Ito), "#rrggbb". */
const char *cmasim_plot_colour(unsigned int i);

#endif

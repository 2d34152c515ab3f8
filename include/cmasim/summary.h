/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The summary of a comparison: a row of headline figures per run, in
 * units for people, with the best of each column marked. The compare
 * table, the report page and its Markdown all show the same rows.
 */
#ifndef CMASIM_SUMMARY_H
#define CMASIM_SUMMARY_H

#include <stdbool.h>
#include <glib.h>

#include "cmasim/figures.h"

enum cmasim_summary_column {
	CMASIM_SUM_OK,		/* "4/4": requests served of those made */
	CMASIM_SUM_SUCCESS,
	CMASIM_SUM_P50,		/* of requests that succeeded */
	CMASIM_SUM_P99,
	CMASIM_SUM_IDLE,	/* reserved_idle_bytes_mean */
	CMASIM_SUM_MIGRATED,
	CMASIM_SUM_OVERHEAD,	/* CPU time: every overhead but the CMA mutex wait */
	CMASIM_SUM_ALIASES,
	CMASIM_SUM_STALE,	/* stale reads and clobbered lines */
	CMASIM_SUM_FAILURES,	/* "fragmented 2, busy 1" */
	CMASIM_NR_SUM,
};

struct cmasim_summary_def {
	const char *title;
	enum cmasim_better better;	/* NEITHER: not ranked */
};

extern const struct cmasim_summary_def cmasim_summary_defs[CMASIM_NR_SUM];

/* What the columns mean, a paragraph broken at 80 columns. */
extern const char cmasim_summary_legend[];

struct cmasim_summary_row {
	char *policy;
	char *text[CMASIM_NR_SUM];
	double value[CMASIM_NR_SUM];	/* what the column is ranked by; NAN: not ranked */
	bool best[CMASIM_NR_SUM];
};

/*
 * The rows of @n runs, from their figures @figs (cmasim_figures()); runs
 * with equal @group[i] compete for best (NULL: all together). A column's
 * best is marked in every row that has it, unless all have it.
 */
struct cmasim_summary_row *cmasim_summary_new(GArray *const *figs, const unsigned int *group,
					      unsigned int n);
void cmasim_summary_free(struct cmasim_summary_row *rows, unsigned int n);

#endif

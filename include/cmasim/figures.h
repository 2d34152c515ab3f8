/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Figures: every number a run, a comparison or a gate reports comes from
 * one list built here, and each figure's unit, meaning and better
 * direction are declared once, in the catalog (sim/figures.c).
 */
#ifndef CMASIM_FIGURES_H
#define CMASIM_FIGURES_H

#include <stdbool.h>
#include <glib.h>

#include "cmasim/metrics.h"

enum cmasim_unit {
	CMASIM_UNIT_COUNT,	/* a whole number of events, requests, pages or lines */
	CMASIM_UNIT_NS,		/* simulated time */
	CMASIM_UNIT_BYTES,
	CMASIM_UNIT_RATIO,	/* 0 to 1, to four decimals */
	CMASIM_UNIT_INDEX,	/* one of the kernel's fragmentation indices, x.yyy */
	CMASIM_UNIT_TEXT,	/* a name, a hash or a list: not a number */
	CMASIM_UNIT_BOOL,	/* true or false */
};

/* Which way a figure gets better, for marking winners and for relative gates. */
enum cmasim_better {
	CMASIM_BETTER_NEITHER,	/* describes the input or the machine */
	CMASIM_BETTER_LOWER,
	CMASIM_BETTER_HIGHER,
};

struct cmasim_figure_def {
	/* the name; <zone>, <device>, <N>, <reason> and <cost> stand for the parts that vary */
	const char *pattern;
	enum cmasim_unit unit;
	enum cmasim_better better;
	const char *meaning;	/* one line for people */
};

/* "count", "ns", "bytes", "ratio", "index", "text", "bool" */
const char *cmasim_unit_name(enum cmasim_unit unit);
/* "-", "lower", "higher" */
const char *cmasim_better_name(enum cmasim_better better);

/* The catalog of run figures, in report order; NULL-pattern terminated. */
extern const struct cmasim_figure_def cmasim_run_figure_defs[];

/* The catalog entry whose pattern matches @name, or NULL. */
const struct cmasim_figure_def *cmasim_figure_def_find(const char *name);

/*
 * Reads @text as a value of a figure of @def: a time with its unit for
 * one in ns (2ms), a size for one in bytes (64MiB), or a plain decimal.
 * False when it is none of these, or not finite.
 */
bool cmasim_figure_parse(const struct cmasim_figure_def *def, const char *text, double *v);
/* What cmasim_figure_parse() takes for @def, for "expected a ..." messages. */
const char *cmasim_figure_expects(const struct cmasim_figure_def *def);

/* One figure of a run. */
struct cmasim_figure {
	char *key;
	char *value;	/* as JSON prints it (unquoted); NULL when there is none: a rate of nothing */
	const struct cmasim_figure_def *def;
	bool label;	/* schema or policy: names the run; heads a column rather than filling a row */
};

/*
 * Every figure of @r (a run on @cfg) in report order, labels first: the
 * one list that run, compare and check read. g_array_unref() frees it.
 */
GArray *cmasim_figures(const struct cmasim_results *r, const struct cmasim_config *cfg);

/* The figure named @key in @figs, or NULL. */
const struct cmasim_figure *cmasim_figures_find(const GArray *figs, const char *key);

/*
 * @f's value for people: times and sizes in the unit that suits them
 * ("1.30 ms", "64 MiB", three significant digits), everything else as
 * printed, and "n/a" for no value. g_free() it.
 */
char *cmasim_figure_human(const struct cmasim_figure *f);

/* One of the kernel's indices kept x1000, as it prints them: "0.123", "-1.000", in @buf. */
const char *cmasim_index_text(int x1000, char buf[static 16]);

/* The same for a number @v in @unit. */
char *cmasim_human(double v, enum cmasim_unit unit);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Regression gates for CI: a gate file names cases (workload x machine x
 * policy x settings x seed) and the limits of the figures each must meet,
 * absolute or relative to a baseline that records the figures of an
 * earlier run. `cmasim check` runs the cases and applies the limits.
 */
#ifndef CMASIM_GATE_H
#define CMASIM_GATE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "cmasim/figures.h"

/* What one figure of a case must meet. */
struct cmasim_limit {
	char *figure;
	const struct cmasim_figure_def *def;
	bool has_max, has_min, has_tolerance;
	double max, min;		/* in the figure's raw unit (ns, bytes, ...) */
	double tolerance;		/* worse than the baseline by at most this... */
	bool percent;			/* ...percent of it, else in the figure's unit */
	char *where;			/* "file:line:column" of the figure in the gate file */
};

/* One run to check; what it points to, the gate owns, shared with the other runs of its entry. */
struct cmasim_gate_case {
	const char *workload;	/* as the gate file names it: see cmasim_gate_resolve() */
	const char *machine;	/* the same; NULL: the workload's own */
	const char *policy;
	bool optional;		/* from "policies: all": left out where it cannot run */
	const char *const *set;	/* policy settings, as --set takes them; NULL-terminated */
	bool has_seed;
	uint64_t seed;		/* when has_seed; else the workload's */
	const struct cmasim_limit *limits;
	unsigned int nr_limits;
	const char *where;	/* "file:line:column" of its entry in the gate file */
};

/* The strings and arrays the cases of a gate point to. */
struct gate_store;

struct cmasim_gate {
	char *source;
	char *baseline;		/* the baseline: key, from the gate file's folder; may be NULL */
	struct cmasim_gate_case *cases;
	unsigned int nr_cases;
	struct gate_store *store;
};

/*
 * Loads a gate file; cases expand in the order workload, machine, policy,
 * seed. Returns NULL with @error ("file:line:column: ...") on bad input:
 * unknown keys or figures, a figure that is not a number, a limit that is
 * not one, more than 100000 runs in all.
 */
struct cmasim_gate *cmasim_gate_load_file(const char *path, GError **error);
/* The same from @len bytes of text; @source names it and is the folder paths start from. */
struct cmasim_gate *cmasim_gate_load_data(const char *source, const char *data, size_t len,
					  GError **error);
void cmasim_gate_free(struct cmasim_gate *gate);

/*
 * The file or built-in a case's workload or machine @name means: a path
 * is taken from the gate file's folder, so a gate file works from any
 * directory; a built-in name stays as it is. g_free() it.
 */
char *cmasim_gate_resolve(const struct cmasim_gate *gate, const char *name);

/* A baseline: the figures of each case as an earlier run recorded them. */
struct cmasim_baseline;

/*
 * Loads a baseline file. Returns NULL with @error on bad input. A
 * baseline written by cmasim_baseline_write() always loads.
 */
struct cmasim_baseline *cmasim_baseline_load_file(const char *path, GError **error);
/* The same from @len bytes of text that @source names. */
struct cmasim_baseline *cmasim_baseline_load_data(const char *source, const char *data,
						  size_t len, GError **error);
void cmasim_baseline_free(struct cmasim_baseline *b);
/* The cmasim version that recorded @b. */
const char *cmasim_baseline_version(const struct cmasim_baseline *b);

/*
 * Appends a baseline of @n cases to @out: case @names[i] ran as @cases[i]
 * and gave @figs[i]. It holds every figure some limit of the case names,
 * and the hashes of the inputs, so that the same runs give the same
 * bytes.
 */
void cmasim_baseline_write(GString *out, const char *const *names,
			   const struct cmasim_gate_case *const *cases, GArray *const *figs,
			   unsigned int n);

/* A figure that broke a limit, in words for people and numbers for JUnit. */
struct cmasim_regression {
	char *figure;
	char *value;		/* now, in human units */
	char *baseline;		/* the baseline's value, or NULL when the limit is absolute */
	char *limit;		/* "max 0.02", "at most 5% worse than the baseline" */
};

/*
 * Checks the figures @figs of case @c, called @name, against its limits
 * and the baseline @b (NULL: none given). Returns the regressions (an
 * empty array when all hold), or NULL with @error (CMASIM_ERROR_VALUE)
 * when the case cannot be judged: a limit names a figure the run does not
 * have, a relative limit has no baseline, or the baseline is stale
 * (recorded from other inputs) or lacks the case or the figure.
 */
GPtrArray *cmasim_gate_evaluate(const struct cmasim_gate_case *c, const char *name,
				const GArray *figs, const struct cmasim_baseline *b,
				const char *baseline_path, GError **error);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sweeps: a matrix of machines x workloads x policies x parameter values x
 * seeds, expanded into one point per run, in a fixed order so that an
 * interrupted sweep resumes where it stopped.
 */
#ifndef CMASIM_SWEEP_H
#define CMASIM_SWEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

/* One run of a sweep. */
struct cmasim_sweep_point {
	char *machine;		/* as the spec names it; NULL: the workload's own */
	char *workload;
	char *policy;
	char **values;		/* per swept parameter, "" where it does not apply to the policy */
	char **set;		/* the settings of the run: the spec's, then the swept ones */
	bool has_seed;
	uint64_t seed;
};

struct cmasim_sweep {
	char *source;
	char **params;		/* the swept parameters' names, as the spec gives them */
	struct cmasim_sweep_point *points;
	unsigned int nr_points;
};

/* A sweep has at most this many points: past it, a spec is surely a mistake. */
#define CMASIM_SWEEP_MAX_POINTS 1000000

/*
 * Loads and expands a sweep spec. A swept parameter applies to the
 * policies that have it ("size", every policy with a size; "cma.size",
 * cma's), and a policy gets one point per value of the parameters it has
 * only. Returns NULL with @error ("file:line:column: ...") on bad input.
 */
struct cmasim_sweep *cmasim_sweep_load_file(const char *path, GError **error);
struct cmasim_sweep *cmasim_sweep_load_data(const char *source, const char *data, size_t len,
					    GError **error);
void cmasim_sweep_free(struct cmasim_sweep *sweep);

/* The file or built-in @name of a spec means: see cmasim_gate_resolve(). */
char *cmasim_sweep_resolve(const struct cmasim_sweep *sweep, const char *name);

#endif

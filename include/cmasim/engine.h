/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replaying a workload trace on a machine under one policy.
 */
#ifndef CMASIM_ENGINE_H
#define CMASIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

#include "cmasim/config.h"
#include "cmasim/metrics.h"
#include "cmasim/policy.h"
#include "cmasim/trace.h"

/* Timeline (and map) rows a run writes at its interval unless told otherwise (about 100 MB). */
#define CMASIM_TIMELINE_MAX_ROWS UINT64_C(1000000)

/* Records between calls of a run's progress callback: cheap next to replaying them. */
#define CMASIM_PROGRESS_EVENTS 65536

struct cmasim_run_options {
	const struct cmasim_policy_ops *policy;
	const char *const *set;		/* "name=value" policy parameters; NULL-terminated or NULL */
	uint64_t seed;			/* seeds the trace's generators */
	uint64_t timeline_interval_ns;	/* a timeline row every so often; 0: only at sample events */
	/*
	 * Rows at the interval the run may write, 0 for CMASIM_TIMELINE_MAX_ROWS:
	 * a run that would write more stops with an error before writing them.
	 */
	uint64_t timeline_max_rows;
	FILE *timeline;			/* where the timeline CSV goes, header first; or NULL */
	/*
	 * Where the pageblock map goes, or NULL: a row every @map_interval_ns
	 * (0: at sample events only) and at sample events, "time_ns,map" then
	 * "T,LETTERS", a letter per pageblock: H hole, D device buffer, P
	 * pinned, R reserved, U unmovable, M movable, F free, the first that
	 * holds for any of its pages. Bounded as the timeline's rows are.
	 */
	FILE *map;
	uint64_t map_interval_ns;
	/*
	 * Host bytes the machine may take when it boots: 0 for what the host
	 * has available, UINT64_MAX for no check (cmasim_machine_check_host()).
	 */
	uint64_t host_memory_limit;
	/*
	 * Check the allocator after every event, where it changed, and all of
	 * it and the mappings every 4096 events and at the end.
	 */
	bool check_invariants;
	/*
	 * Trace records the run replays at most, 0 for all: the run ends after
	 * that many as if the trace did, with what they set in motion.
	 */
	uint64_t max_events;
	/* a line per device request, CSV or with @requests_json JSON lines; or NULL */
	FILE *requests;
	bool requests_json;
	/* the kernel's messages where it would print them, per the kernel profile; or NULL */
	FILE *kernel_log;
	/*
	 * Called every CMASIM_PROGRESS_EVENTS records with the records
	 * replayed, the simulated time and cmasim_trace_fraction_read(); or
	 * NULL. For a progress line: it must not touch the run.
	 */
	void (*progress)(void *arg, uint64_t events, uint64_t time_ns, double fraction);
	void *progress_arg;
	const struct cmasim_kernel *kernel; /* whose mm rules, over the machine's kernel:; or NULL */
};

/*
 * Replays @trace (opened, not started) on a fresh machine built from @cfg.
 * Returns the run's figures, or NULL with @error for bad input found on
 * the way (file:line in the trace) or a policy that cannot run on @cfg.
 */
struct cmasim_results *cmasim_run(const struct cmasim_config *cfg, struct cmasim_trace *trace,
				  const struct cmasim_run_options *opts, GError **error);

#endif

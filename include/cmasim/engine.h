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

struct cmasim_run_options {
	const struct cmasim_policy_ops *policy;
	const char *const *set;		/* "name=value" policy parameters; NULL-terminated or NULL */
	uint64_t seed;			/* seeds the trace's generators */
	uint64_t timeline_interval_ns;	/* a timeline row every so often; 0: only at sample events */
	FILE *timeline;			/* where the timeline CSV goes, header first; or NULL */
	bool check_invariants;		/* recount the allocator after every event (slow) */
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

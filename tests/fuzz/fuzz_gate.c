// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the gate file and baseline loaders of cmasim check.
 * Any bytes must give either what include/cmasim/gate.h promises or one
 * error in the cmasim domain that points into the input; never a crash, a
 * leak or undefined behaviour (the build adds ASan and UBSan).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/gate.h"
#include "cmasim/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts, so that libFuzzer keeps the input, unless @error is a located cmasim error. */
static void check_error(const GError *error)
{
	if (error->domain != CMASIM_ERROR || strncmp(error->message, "fuzz.yaml:", 10) != 0)
		abort();
}

/*
 * Aborts unless every case of @gate is one check can run and judge. The
 * runs of one entry share their limits, which are checked once: an entry
 * expands into up to 100000 runs, and the sanitizers make each string
 * compare slow.
 */
static void check_gate(const struct cmasim_gate *gate)
{
	if (!gate->nr_cases)
		abort();
	for (unsigned int i = 0; i < gate->nr_cases; i++) {
		const struct cmasim_gate_case *c = &gate->cases[i];
		bool known = i && c->limits == c[-1].limits && c->nr_limits == c[-1].nr_limits;

		if (!c->workload || !*c->workload || !cmasim_policy_find(c->policy) ||
		    !c->nr_limits || !c->set || strncmp(c->where, "fuzz.yaml:", 10))
			abort();
		for (unsigned int l = 0; !known && l < c->nr_limits; l++) {
			const struct cmasim_limit *lim = &c->limits[l];

			if (!lim->def || cmasim_figure_def_find(lim->figure) != lim->def ||
			    lim->def->unit == CMASIM_UNIT_TEXT ||
			    !(lim->has_max || lim->has_min || lim->has_tolerance) ||
			    (lim->has_max && !isfinite(lim->max)) ||
			    (lim->has_min && !isfinite(lim->min)) ||
			    (lim->has_tolerance && !(lim->tolerance >= 0 && isfinite(lim->tolerance))))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	struct cmasim_gate *gate = cmasim_gate_load_data("fuzz.yaml", (const char *)data, size,
							 &error);
	struct cmasim_baseline *b;

	/* exactly one of the two, and every message says where */
	if (!gate == !error)
		abort();
	if (error)
		check_error(error);
	else
		check_gate(gate);
	cmasim_gate_free(gate);
	g_clear_error(&error);

	b = cmasim_baseline_load_data("fuzz.yaml", (const char *)data, size, &error);
	if (!b == !error || (b && !cmasim_baseline_version(b)))
		abort();
	if (error)
		check_error(error);
	cmasim_baseline_free(b);
	g_clear_error(&error);
	return 0;
}

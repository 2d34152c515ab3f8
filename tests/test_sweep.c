// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sweep specs expand into points in a fixed order, a parameter varying
 * only for the policies that have it; bad specs say where and what.
 */
#include "cmasim/sweep.h"
#include "helpers.h"

#include <criterion/parameterized.h>

TestSuite(sweep);

static struct cmasim_sweep *load(const char *yaml)
{
	GError *error = NULL;
	struct cmasim_sweep *s = cmasim_sweep_load_data("dir/s.yaml", yaml, strlen(yaml), &error);

	cr_assert_not_null(s, "%s", error ? error->message : "");
	return s;
}

/*
 * Two policies; size 8, 16 and 24 MiB (a range), trim true and false;
 * seeds 1 and 2. cma has size but no trim: 3 sizes x 2 seeds = 6 points;
 * buddy has trim but no size: 2 x 2 = 4. Ten in all, machine and
 * workload outermost, then policy, then the values, the first slowest,
 * then the seed.
 */
Test(sweep, points_expand_in_order)
{
	struct cmasim_sweep *s = load("workloads: [w.yaml]\n"
				      "policies: [cma, buddy]\n"
				      "set: [cma.fallback=4MiB]\n"
				      "params:\n"
				      "  size: { from: 8MiB, to: 24MiB, step: 8MiB }\n"
				      "  trim: [true, false]\n"
				      "seeds: [1, 2]\n");
	const struct cmasim_sweep_point *p = s->points;

	cr_assert_eq(s->nr_points, 10);
	cr_expect_str_eq(s->params[0], "size");
	cr_expect_str_eq(s->params[1], "trim");
	cr_expect_null(s->params[2]);
	for (unsigned int i = 0; i < 6; i++) {
		g_autofree char *size = g_strdup_printf("%uMiB", 8 * (i / 2 + 1));
		g_autofree char *setting = g_strdup_printf("size=%s", size);

		cr_expect_str_eq(p[i].policy, "cma");
		cr_expect_str_eq(p[i].values[0], size);
		cr_expect_str_eq(p[i].values[1], "", "cma has no trim");
		cr_expect(p[i].has_seed && p[i].seed == 1 + i % 2);
		cr_expect_str_eq(p[i].set[0], "cma.fallback=4MiB");
		cr_expect_str_eq(p[i].set[1], setting);
		cr_expect_null(p[i].set[2]);
		cr_expect_null(p[i].machine);
		cr_expect_str_eq(p[i].workload, "w.yaml");
	}
	for (unsigned int i = 6; i < 10; i++) {
		cr_expect_str_eq(p[i].policy, "buddy");
		cr_expect_str_eq(p[i].values[0], "", "buddy has no size");
		cr_expect_str_eq(p[i].values[1], i < 8 ? "true" : "false");
		cr_expect_str_eq(p[i].set[1], i < 8 ? "trim=true" : "trim=false");
	}
	g_autofree char *path = cmasim_sweep_resolve(s, "w.yaml");

	cr_expect_str_eq(path, "dir/w.yaml");
	cmasim_sweep_free(s);
}

/* A range's last value stops at "to", however the step falls; seeds take a range too. */
Test(sweep, ranges)
{
	struct cmasim_sweep *s = load("workload: w\npolicy: carveout\n"
				      "params: { size: { from: 4MiB, to: 14MiB, step: 4MiB } }\n"
				      "seeds: { from: 3, to: 5 }\n");

	/* 4, 8, 12 MiB x seeds 3, 4, 5 */
	cr_assert_eq(s->nr_points, 9);
	cr_expect_str_eq(s->points[8].values[0], "12MiB");
	cr_expect_eq(s->points[8].seed, 5);
	cmasim_sweep_free(s);
}

/* No parameter and no seed: one point a policy, on the workload's machine and seed. */
Test(sweep, all_policies_once)
{
	struct cmasim_sweep *s = load("workload: w\npolicies: all\nmachines: [a, b]\n");

	cr_assert_eq(s->nr_points, 2 * cmasim_nr_policies);
	cr_expect_str_eq(s->points[0].machine, "a");
	cr_expect_str_eq(s->points[cmasim_nr_policies].machine, "b");
	cr_expect_not(s->points[0].has_seed);
	cmasim_sweep_free(s);
}

struct bad {
	const char *name;
	const char *yaml;
	unsigned int line, column;
	const char *message;
};

static const struct bad bad_rows[] = {
	{ "no workload", "policy: cma\n", 1, 1,
	  "the sweep spec has no \"workload\" or \"workloads\"" },
	{ "no policy", "workload: w\n", 1, 1, "the sweep spec has no \"policy\" or \"policies\"" },
	{ "unknown key", "workload: w\npolicy: cma\nparam: {}\n", 3, 1,
	  "unknown key \"param\" in the sweep spec (expected one of: workload, workloads, machine, "
	  "machines, policy, policies, set, params, seed, seeds)" },
	{ "unknown parameter", "workload: w\npolicy: cma\nparams: { colour: [red] }\n", 3, 11,
	  "no policy has a parameter \"colour\" (see cmasim list)" },
	{ "unknown policy", "workload: w\npolicies: [cma, cmx]\n", 2, 11,
	  "no policy named \"cmx\" (see cmasim list)" },
	{ "backwards range", "workload: w\npolicy: cma\n"
	  "params: { size: { from: 8MiB, to: 4MiB } }\n", 3, 17,
	  "size: expected from <= to and a step above 0" },
	{ "zero step", "workload: w\npolicy: cma\n"
	  "params: { size: { from: 4MiB, to: 8MiB, step: 0 } }\n", 3, 17,
	  "size: expected from <= to and a step above 0" },
	{ "empty values", "workload: w\npolicy: cma\nparams: { size: [] }\n", 3, 17,
	  "expected at least one value for \"size\"" },
	{ "too many points", "workload: w\npolicy: cma\n"
	  "params: { size: { from: 1, to: 1000, step: 1 }, align_max: { from: 0, to: 2000 } }\n",
	  1, 1, "the sweep has more than 1000000 points" },
	{ "seed and seeds", "workload: w\npolicy: cma\nseed: 1\nseeds: [2]\n", 4, 1,
	  "both \"seed\" and \"seeds\" (expected one of them)" },
};

ParameterizedTestParameters(sweep, bad_specs)
{
	static size_t index[G_N_ELEMENTS(bad_rows)];

	for (size_t i = 0; i < G_N_ELEMENTS(index); i++)
		index[i] = i;
	return cr_make_param_array(size_t, index, G_N_ELEMENTS(index));
}

ParameterizedTest(size_t *i, sweep, bad_specs)
{
	const struct bad *row = &bad_rows[*i];
	g_autofree char *want = g_strdup_printf("s.yaml:%u:%u: %s", row->line, row->column,
						row->message);
	GError *error = NULL;

	cr_assert_null(cmasim_sweep_load_data("s.yaml", row->yaml, strlen(row->yaml), &error),
		       "%s: loaded", row->name);
	cr_expect_str_eq(error ? error->message : "", want, "%s", row->name);
	g_clear_error(&error);
}

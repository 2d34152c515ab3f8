// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gate files, baselines and the limits `cmasim check` applies: loading and
 * expanding cases, every bad input with its place, and the verdicts on
 * hand-made figures.
 */
#include <math.h>

#include "cmasim/gate.h"
#include "helpers.h"
#include "scratch.h"

#include <criterion/parameterized.h>

static void setup(void)
{
	scratch_enter("cmasim-gate-XXXXXX");
}

TestSuite(gate, .init = setup, .fini = scratch_leave);

/* Loads @yaml as gate file "dir/g.yaml"; fails the test with the loader's message. */
static struct cmasim_gate *load_gate(const char *yaml)
{
	GError *error = NULL;
	struct cmasim_gate *gate = cmasim_gate_load_data("dir/g.yaml", yaml, strlen(yaml), &error);

	cr_assert_not_null(gate, "%s", error ? error->message : "");
	return gate;
}

/*
 * Two workloads x one default machine x two policies x two seeds: eight
 * cases in the order workload, machine, policy, seed. The case's gate adds
 * to the defaults' and replaces the one figure they share.
 */
Test(gate, cases_expand_and_limits_merge)
{
	struct cmasim_gate *gate = load_gate(
		"baseline: base.yaml\n"
		"defaults:\n"
		"  set: [trim=false]\n"
		"  gate:\n"
		"    dma_failed_rate: { max: 0.02 }\n"
		"    dma_latency_ns_p99: { baseline: 5% }\n"
		"cases:\n"
		"  - workloads: [camera-stream, traces/mine.yaml]\n"
		"    policies: [buddy, cma]\n"
		"    seeds: [1, 2]\n"
		"    set: [cma.size=32MiB]\n"
		"    gate:\n"
		"      dma_latency_ns_p99: { max: 2ms, baseline: 100us }\n"
		"      dma_bytes_peak: { min: 64MiB }\n");
	const struct cmasim_gate_case *c = gate->cases;

	cr_assert_eq(gate->nr_cases, 8);
	cr_expect_str_eq(gate->baseline, "dir/base.yaml");
	cr_expect_str_eq(c[0].workload, "camera-stream");
	cr_expect_str_eq(c[0].policy, "buddy");
	cr_expect(c[0].has_seed && c[0].seed == 1 && c[1].seed == 2);
	cr_expect_str_eq(c[2].policy, "cma");
	cr_expect_str_eq(c[4].workload, "traces/mine.yaml");
	cr_expect_null(c[0].machine);
	cr_expect_not(c[0].optional);
	/* the defaults' settings first, so that the case's win */
	cr_expect_str_eq(c[0].set[0], "trim=false");
	cr_expect_str_eq(c[0].set[1], "cma.size=32MiB");
	cr_expect_null(c[0].set[2]);
	cr_expect_str_eq(c[0].where, "dir/g.yaml:8:5");

	cr_assert_eq(c[0].nr_limits, 3);
	cr_expect_str_eq(c[0].limits[0].figure, "dma_failed_rate");
	cr_expect(c[0].limits[0].has_max && c[0].limits[0].max == 0.02 && !c[0].limits[0].has_min);
	/* the case's p99: 2 ms and 100 us in ns */
	cr_expect_str_eq(c[0].limits[1].figure, "dma_latency_ns_p99");
	cr_expect(c[0].limits[1].has_max && c[0].limits[1].max == 2e6);
	cr_expect(c[0].limits[1].has_tolerance && !c[0].limits[1].percent &&
		  c[0].limits[1].tolerance == 1e5);
	cr_expect_str_eq(c[0].limits[1].where, "dir/g.yaml:13:7");
	cr_expect_str_eq(c[0].limits[2].figure, "dma_bytes_peak");
	cr_expect(c[0].limits[2].has_min && c[0].limits[2].min == 64.0 * 1024 * 1024);

	/* paths are the gate file's neighbours; built-in names stay */
	g_autofree char *builtin = cmasim_gate_resolve(gate, "camera-stream");
	g_autofree char *file = cmasim_gate_resolve(gate, "traces/mine.yaml");
	g_autofree char *absolute = cmasim_gate_resolve(gate, "/abs/w.yaml");

	cr_expect_str_eq(builtin, "camera-stream");
	cr_expect_str_eq(file, "dir/traces/mine.yaml");
	cr_expect_str_eq(absolute, "/abs/w.yaml");
	cmasim_gate_free(gate);
}

/* "policies: all" is every registered policy, each left out where it cannot run. */
Test(gate, all_policies)
{
	struct cmasim_gate *gate = load_gate("cases:\n  - workload: w.yaml\n    machine: m.yaml\n"
					     "    policies: all\n"
					     "    gate: { dma_ok: { min: 1 } }\n");

	cr_assert_eq(gate->nr_cases, cmasim_nr_policies);
	for (unsigned int i = 0; i < cmasim_nr_policies; i++) {
		cr_expect_str_eq(gate->cases[i].policy, cmasim_policies[i]->name);
		cr_expect(gate->cases[i].optional);
		cr_expect_str_eq(gate->cases[i].machine, "m.yaml");
		cr_expect_not(gate->cases[i].has_seed);
	}
	cmasim_gate_free(gate);
}

/* "[prefix0, prefix1, ...]": @n names, or "[0, 1, ...]" without a prefix. */
static void append_list(GString *s, const char *prefix, unsigned int n)
{
	g_string_append_c(s, '[');
	for (unsigned int i = 0; i < n; i++)
		g_string_append_printf(s, "%s%s%u", i ? ", " : "", prefix, i);
	g_string_append_c(s, ']');
}

/*
 * 10 workloads x 10 machines x 1 policy x 1000 seeds is 100000 runs, all
 * a gate file may hold: it loads alone, and is refused after a case of 10.
 */
Test(gate, runs_are_bounded_before_they_are_made)
{
	g_autoptr(GString) big = g_string_new("  - { workloads: ");
	g_autoptr(GString) yaml = g_string_new("cases:\n");
	struct cmasim_gate *gate;
	GError *error = NULL;

	append_list(big, "w", 10);
	g_string_append(big, ", machines: ");
	append_list(big, "m", 10);
	g_string_append(big, ", policy: cma, seeds: ");
	append_list(big, "", 1000);
	g_string_append(big, ", gate: { dma_ok: { min: 1 } } }\n");

	g_string_append(yaml, big->str);
	gate = load_gate(yaml->str);
	cr_expect_eq(gate->nr_cases, 100000);
	cr_expect_str_eq(gate->cases[99999].workload, "w9");
	cr_expect_str_eq(gate->cases[99999].machine, "m9");
	cr_expect_eq(gate->cases[99999].seed, 999);
	cmasim_gate_free(gate);

	g_string_truncate(yaml, strlen("cases:\n"));
	g_string_append(yaml, "  - { workload: w, policy: cma, seeds: ");
	append_list(yaml, "", 10);
	g_string_append(yaml, ", gate: { dma_ok: { min: 1 } } }\n");
	g_string_append(yaml, big->str);
	gate = cmasim_gate_load_data("g.yaml", yaml->str, yaml->len, &error);
	cr_assert_null(gate);
	cr_assert_not_null(error);
	cr_expect_str_eq(error->message, "g.yaml:3:5: case expands into 10 x 10 x 1 x 1000 "
			 "runs (workloads x machines x policies x seeds), which takes the gate "
			 "file past 100000 (expected at most that many; split it into several "
			 "files)");
	g_error_free(error);
}

/* One bad gate file and exactly what it must give; line and column count from 1. */
struct bad {
	const char *name;
	const char *yaml;
	enum cmasim_error code;
	unsigned int line, column;
	const char *message;	/* without the "g.yaml:line:column: " prefix */
};

/* A case on line 2 whose gate holds @limit on line 3, column 7. */
#define CASE_GATE(limit) "cases:\n  - { workload: w, policy: cma,\n      gate: { " limit " } }\n"

static const struct bad bad_rows[] = {
	{ "empty", "", CMASIM_ERROR_KEY, 1, 1,
	  "empty gate file (expected a mapping with \"cases\")" },
	{ "no cases", "baseline: b.yaml\n", CMASIM_ERROR_KEY, 1, 1,
	  "the gate file has no \"cases\"" },
	{ "unknown top key", "cases: []\nbaselines: x\n", CMASIM_ERROR_KEY, 2, 1,
	  "unknown key \"baselines\" in the gate file (expected one of: baseline, defaults, cases)" },
	{ "no case", "cases: []\n", CMASIM_ERROR_VALUE, 1, 8,
	  "expected at least one case in \"cases\"" },
	{ "unknown case key", "cases:\n  - { workload: w, policy: cma, colour: red }\n",
	  CMASIM_ERROR_KEY, 2, 33,
	  "unknown key \"colour\" in cases[0] (expected one of: workload, workloads, machine, "
	  "machines, policy, policies, set, seed, seeds, gate)" },
	{ "workload and workloads", "cases:\n  - { workload: w, workloads: [v], policy: cma }\n",
	  CMASIM_ERROR_KEY, 2, 20, "both \"workload\" and \"workloads\" (expected one of them)" },
	{ "no workload", "cases:\n  - { policy: cma, gate: { dma_ok: { min: 1 } } }\n",
	  CMASIM_ERROR_KEY, 2, 5, "case has no \"workload\" (nor has defaults)" },
	{ "no policy", "cases:\n  - { workload: w, gate: { dma_ok: { min: 1 } } }\n",
	  CMASIM_ERROR_KEY, 2, 5, "case has no \"policy\" or \"policies\" (nor has defaults)" },
	{ "no gate", "cases:\n  - { workload: w, policy: cma }\n", CMASIM_ERROR_KEY, 2, 5,
	  "case gates no figure (expected a \"gate\" here or in defaults)" },
	{ "unknown policy", "cases:\n  - { workload: w, policies: [cma, cmx] }\n",
	  CMASIM_ERROR_VALUE, 2, 36, "no policy named \"cmx\" (see cmasim list)" },
	{ "policies neither list nor all", "cases:\n  - { workload: w, policies: some }\n",
	  CMASIM_ERROR_VALUE, 2, 30, "expected a list of policies or \"all\" for \"policies\"" },
	{ "empty workloads", "cases:\n  - { workloads: [], policy: cma }\n", CMASIM_ERROR_VALUE,
	  2, 18, "expected at least one name in \"workloads\"" },
	{ "bad seed", "cases:\n  - { workload: w, policy: cma, seed: -1 }\n", CMASIM_ERROR_VALUE,
	  2, 39, "expected an integer from 0 to 18446744073709551615, got \"-1\"" },
	{ "set not a list", "cases:\n  - { workload: w, policy: cma, set: size=1MiB }\n",
	  CMASIM_ERROR_TYPE, 2, 38, "expected a sequence for \"set\", got a scalar" },
	/* the sanitized build sees whether the setting read before the refused one is freed */
	{ "set item after a good one",
	  "cases:\n  - { workload: w, policy: cma, set: [trim=0, ''] }\n", CMASIM_ERROR_VALUE,
	  2, 47, "expected a non-empty string for \"set\"" },
	{ "unknown figure, with the one meant",
	  CASE_GATE("dma_sucess_rate: { min: 0.9 }"), CMASIM_ERROR_KEY, 3, 15,
	  "no figure named \"dma_sucess_rate\" (did you mean dma_success_rate? expected one of: " },
	/* the pruned search still finds a name one letter short, or long */
	{ "unknown figure one letter short", CASE_GATE("dma_success_rat: { min: 0.9 }"),
	  CMASIM_ERROR_KEY, 3, 15,
	  "no figure named \"dma_success_rat\" (did you mean dma_success_rate? expected one of: " },
	{ "unknown figure one letter long", CASE_GATE("dma_latency_ns_p999: { max: 1 }"),
	  CMASIM_ERROR_KEY, 3, 15, "no figure named \"dma_latency_ns_p999\" (did you mean "
	  "dma_latency_ns_p99? expected one of: " },
	{ "unknown figure near none", CASE_GATE("dma_latency_in_the_worst_case: { max: 1 }"),
	  CMASIM_ERROR_KEY, 3, 15,
	  "no figure named \"dma_latency_in_the_worst_case\" (expected one of: " },
	{ "text figure", CASE_GATE("machine: { max: 1 }"), CMASIM_ERROR_VALUE, 3, 15,
	  "figure \"machine\" is text, not a number: it cannot be gated" },
	{ "limit not a mapping", CASE_GATE("dma_ok: 3"), CMASIM_ERROR_TYPE, 3, 23,
	  "expected a mapping for \"gate.dma_ok\", got a scalar" },
	{ "no limit", CASE_GATE("dma_ok: {}"), CMASIM_ERROR_KEY, 3, 23,
	  "gate.dma_ok sets no limit (expected max, min or baseline)" },
	{ "unknown limit", CASE_GATE("dma_ok: { maximum: 3 }"), CMASIM_ERROR_KEY, 3, 25,
	  "unknown key \"maximum\" in gate.dma_ok (expected one of: max, min, baseline)" },
	{ "not a number", CASE_GATE("dma_ok: { max: lots }"), CMASIM_ERROR_VALUE, 3, 30,
	  "expected a number for \"gate.dma_ok\", got \"lots\"" },
	{ "not a time", CASE_GATE("dma_latency_ns_p99: { max: soon }"), CMASIM_ERROR_VALUE, 3,
	  42, "expected a time such as 2ms, or a number of ns for \"gate.dma_latency_ns_p99\", "
	  "got \"soon\"" },
	{ "nan", CASE_GATE("dma_ok: { min: nan }"), CMASIM_ERROR_VALUE, 3, 30,
	  "expected a number for \"gate.dma_ok\", got \"nan\"" },
	{ "negative tolerance", CASE_GATE("dma_ok: { baseline: -1 }"), CMASIM_ERROR_VALUE, 3, 35,
	  "expected a non-negative number for \"gate.dma_ok\", got \"-1\"" },
	{ "bad percentage", CASE_GATE("dma_ok: { baseline: x% }"), CMASIM_ERROR_VALUE, 3, 35,
	  "expected a percentage such as 5% for \"gate.dma_ok\", got \"x%\"" },
	{ "defaults not a mapping", "defaults: []\ncases: []\n", CMASIM_ERROR_TYPE, 1, 11,
	  "expected a mapping for \"defaults\", got a sequence" },
	{ "syntax", "cases: [\n", CMASIM_ERROR_SYNTAX, 2, 1,
	  "did not find expected node content while parsing a flow node" },
};

ParameterizedTestParameters(gate, bad_input)
{
	static size_t index[G_N_ELEMENTS(bad_rows)];

	for (size_t i = 0; i < G_N_ELEMENTS(index); i++)
		index[i] = i;
	return cr_make_param_array(size_t, index, G_N_ELEMENTS(index));
}

ParameterizedTest(size_t *i, gate, bad_input)
{
	const struct bad *row = &bad_rows[*i];
	g_autofree char *expected =
		g_strdup_printf("g.yaml:%u:%u: %s", row->line, row->column, row->message);
	GError *error = NULL;
	struct cmasim_gate *gate = cmasim_gate_load_data("g.yaml", row->yaml, strlen(row->yaml),
							 &error);

	cr_assert_null(gate, "%s: loaded", row->name);
	cr_assert_not_null(error, "%s: NULL without an error", row->name);
	cr_expect(error->domain == CMASIM_ERROR && (int)row->code == error->code,
		  "%s: code %d, expected %d (%s)", row->name, error->code, row->code,
		  error->message);
	/* the list of figures after "expected one of" is long: its start is enough */
	cr_expect(g_str_has_prefix(error->message, expected), "%s:\n  got      %s\n  expected %s",
		  row->name, error->message, expected);
	g_error_free(error);
}

/* A machine with one device, for hand-made results. */
static const char CFG[] =
	"memory: { size: 256KiB, max_page_order: 3, pageblock_order: 2 }\n"
	"devices: [ { name: camera, dma_bits: 32 } ]\n";

/* The figures of a run that served @ok of @requests, the served in @ns each. */
static GArray *figures_of(uint64_t requests, uint64_t ok, uint64_t ns, const char *workload_sha)
{
	struct cmasim_config *cfg = load_config(CFG);
	struct cmasim_results *r = g_new0(struct cmasim_results, 1);
	GArray *figs;

	r->policy = g_strdup("cma");
	r->machine = g_strdup("m");
	r->machine_sha256 = g_strdup("m-sha");
	r->workload = g_strdup("w");
	r->workload_sha256 = g_strdup(workload_sha);
	r->max_order = 3;
	r->nr_devices = 1;
	r->devices = g_new0(struct cmasim_device_stats, 1);
	r->dma_requests = requests;
	r->dma_ok = ok;
	for (uint64_t i = 0; i < ok; i++)
		cmasim_hist_add(&r->latency, ns);
	figs = cmasim_figures(r, cfg);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
	return figs;
}

/* The verdicts on @figs of the one case of gate @yaml, against @b. */
static GPtrArray *judge(const char *yaml, const GArray *figs, const struct cmasim_baseline *b,
			GError **error)
{
	struct cmasim_gate *gate = load_gate(yaml);
	GPtrArray *out;

	cr_assert_eq(gate->nr_cases, 1);
	out = cmasim_gate_evaluate(&gate->cases[0], "w/m/cma", figs, b, "b.yaml", error);
	cmasim_gate_free(gate);
	return out;
}

/* The regression of @figure in @regs, or NULL. */
static const struct cmasim_regression *regression(const GPtrArray *regs, const char *figure)
{
	for (guint i = 0; i < regs->len; i++) {
		const struct cmasim_regression *r = regs->pdata[i];

		if (!strcmp(r->figure, figure))
			return r;
	}
	return NULL;
}

/* One case; its gate's first figure is at column 46 of line 1. */
#define ONE_CASE(gate) "cases: [ { workload: w, policy: cma, gate: { " gate " } } ]\n"

/*
 * Absolute limits: 3 of 4 served is a failed rate of 0.25, above max 0.2;
 * a success rate of 0.75, below min 0.8; 2 ms latency is under max 5ms.
 */
Test(gate, absolute_limits)
{
	g_autoptr(GArray) figs = figures_of(4, 3, 2000000, "w-sha");
	g_autoptr(GPtrArray) regs = judge(ONE_CASE("dma_failed_rate: { max: 0.2 }, "
						   "dma_success_rate: { min: 0.8 }, "
						   "dma_latency_ns_p99: { max: 5ms }"), figs, NULL, NULL);
	const struct cmasim_regression *failed = regression(regs, "dma_failed_rate");
	const struct cmasim_regression *success = regression(regs, "dma_success_rate");

	cr_assert_eq(regs->len, 2);
	cr_assert_not_null(failed);
	cr_expect_str_eq(failed->value, "0.25");
	cr_expect_null(failed->baseline);
	cr_expect_str_eq(failed->limit, "max 0.2");
	cr_assert_not_null(success);
	cr_expect_str_eq(success->limit, "min 0.8");
}

/* A run with no requests has no rate: that meets no absolute limit. */
Test(gate, no_value_meets_no_absolute_limit)
{
	g_autoptr(GArray) figs = figures_of(0, 0, 0, "w-sha");
	g_autoptr(GPtrArray) regs = judge(ONE_CASE("dma_failed_rate: { max: 1 }"), figs, NULL,
					  NULL);

	cr_assert_eq(regs->len, 1);
	cr_expect_str_eq(((struct cmasim_regression *)regs->pdata[0])->value, "no value");
}

/* Writes a baseline of case "w/m/cma" from @figs gated by @gate_yaml, and loads it. */
static struct cmasim_baseline *baseline_of(const char *gate_yaml, GArray *figs)
{
	struct cmasim_gate *gate = load_gate(gate_yaml);
	const char *names[] = { "w/m/cma" };
	const struct cmasim_gate_case *cases[] = { &gate->cases[0] };
	g_autoptr(GString) text = g_string_new(NULL);
	g_autofree char *path = NULL;
	GError *error = NULL;
	struct cmasim_baseline *b;

	cmasim_baseline_write(text, names, cases, &figs, 1);
	path = write_tmp("b.yaml", text->str);
	b = cmasim_baseline_load_file(path, &error);
	cr_assert_not_null(b, "%s", error ? error->message : "");
	cmasim_gate_free(gate);
	return b;
}

/*
 * Relative limits, worse by at most: latency (lower is better) 2 ms then,
 * 2.1 ms now is 5% worse: within 5%, beyond 4%; 1.9 ms now is better,
 * whatever the tolerance. Success (higher is better) 1.0 then, 0.75 now is
 * 0.25 worse: beyond 0.2, within 0.25.
 */
Test(gate, relative_limits_follow_the_figure_s_better_direction)
{
	const char *gate5 = ONE_CASE("dma_latency_ns_p99: { baseline: 5% }, "
				     "dma_success_rate: { baseline: 0.25 }");
	const char *gate4 = ONE_CASE("dma_latency_ns_p99: { baseline: 4% }, "
				     "dma_success_rate: { baseline: 0.2 }");
	g_autoptr(GArray) then = figures_of(4, 4, 2000000, "w-sha");
	g_autoptr(GArray) now = figures_of(4, 3, 2100000, "w-sha");
	g_autoptr(GArray) faster = figures_of(4, 4, 1900000, "w-sha");
	struct cmasim_baseline *b = baseline_of(gate5, then);
	g_autoptr(GPtrArray) within = judge(gate5, now, b, NULL);
	g_autoptr(GPtrArray) beyond = judge(gate4, now, b, NULL);
	g_autoptr(GPtrArray) better = judge(gate4, faster, b, NULL);
	const struct cmasim_regression *p99 = NULL;

	cr_expect_eq(within->len, 0);
	cr_assert_eq(beyond->len, 2);
	p99 = regression(beyond, "dma_latency_ns_p99");
	cr_assert_not_null(p99);
	cr_expect_str_eq(p99->value, "2.10 ms");
	cr_expect_str_eq(p99->baseline, "2 ms");
	cr_expect_str_eq(p99->limit, "at most 4% worse than the baseline");
	cr_expect_str_eq(regression(beyond, "dma_success_rate")->limit,
			 "at most 0.2 worse than the baseline");
	cr_expect_eq(better->len, 0);
	cmasim_baseline_free(b);
}

/* A figure that describes the input rather than ranks policies may move neither way. */
Test(gate, relative_limit_without_direction_holds_both_ways)
{
	const char *yaml = ONE_CASE("dma_requests: { baseline: 1 }");
	g_autoptr(GArray) then = figures_of(10, 10, 1000, "w-sha");
	g_autoptr(GArray) more = figures_of(12, 12, 1000, "w-sha");
	g_autoptr(GArray) fewer = figures_of(8, 8, 1000, "w-sha");
	g_autoptr(GArray) close = figures_of(11, 11, 1000, "w-sha");
	struct cmasim_baseline *b = baseline_of(yaml, then);
	g_autoptr(GPtrArray) up = judge(yaml, more, b, NULL);
	g_autoptr(GPtrArray) down = judge(yaml, fewer, b, NULL);
	g_autoptr(GPtrArray) near = judge(yaml, close, b, NULL);

	cr_expect_eq(up->len, 1);
	cr_expect_eq(down->len, 1);
	cr_expect_eq(near->len, 0);
	cr_expect_str_eq(((struct cmasim_regression *)up->pdata[0])->limit,
			 "within 1 of the baseline");
	cmasim_baseline_free(b);
}

/* What makes a case impossible to judge: no baseline, a stale one, a missing figure. */
Test(gate, cases_that_cannot_be_judged)
{
	const char *yaml = ONE_CASE("dma_latency_ns_p99: { baseline: 5% }");
	g_autoptr(GArray) then = figures_of(1, 1, 1000, "w-sha");
	g_autoptr(GArray) changed = figures_of(1, 1, 1000, "other-sha");
	struct cmasim_baseline *b = baseline_of(yaml, then);
	GError *error = NULL;

	cr_expect_null(judge(yaml, then, NULL, &error));
	cr_expect_str_eq(error->message, "dir/g.yaml:1:46: dma_latency_ns_p99 is gated against a "
			 "baseline, and none was given (give --baseline FILE; record one with "
			 "--update-baseline FILE)");
	g_clear_error(&error);

	cr_expect_null(judge(yaml, changed, b, &error));
	cr_expect_str_eq(error->message, "b.yaml: the baseline is stale: case w/m/cma's workload "
			 "changed since it was recorded (sha256 w-sha... then, other-sha... now); "
			 "record it again with --update-baseline b.yaml");
	g_clear_error(&error);

	cr_expect_null(judge(ONE_CASE("dma_latency_ns_p50: { baseline: 5% }"), then, b, &error));
	cr_expect_str_eq(error->message, "b.yaml: the baseline has no figure dma_latency_ns_p50 "
			 "for case w/m/cma; record it again with --update-baseline b.yaml");
	g_clear_error(&error);

	cr_expect_null(judge(ONE_CASE("zone_HighMem_free_pages: { min: 1 }"), then, b, &error));
	cr_expect_str_eq(error->message, "dir/g.yaml:1:46: case w/m/cma has no figure "
			 "zone_HighMem_free_pages (this machine or workload lacks what it counts)");
	g_clear_error(&error);
	cmasim_baseline_free(b);
}

/* The same figures give the same baseline, byte for byte; it holds what the gate names. */
Test(gate, baseline_is_deterministic)
{
	const char *yaml = ONE_CASE("dma_failed_rate: { baseline: 0.01 }, "
				    "dma_latency_ns_p99: { max: 1s }");
	struct cmasim_gate *gate = load_gate(yaml);
	g_autoptr(GArray) figs = figures_of(3, 2, 1500, "w-sha");
	const char *names[] = { "w/m/cma" };
	const struct cmasim_gate_case *cases[] = { &gate->cases[0] };
	g_autoptr(GString) a = g_string_new(NULL), b = g_string_new(NULL);
	g_autofree char *want = g_strdup_printf(
		"schema: cmasim-baseline/1\n"
		"cmasim_version: \"%s\"\n"
		"cases:\n"
		"  - case: \"w/m/cma\"\n"
		"    machine_sha256: \"m-sha\"\n"
		"    workload_sha256: \"w-sha\"\n"
		"    figures:\n"
		"      dma_failed_rate: 0.3333\n"
		"      dma_latency_ns_p99: 1500\n", cmasim_version());

	cmasim_baseline_write(a, names, cases, &figs, 1);
	cmasim_baseline_write(b, names, cases, &figs, 1);
	cr_expect_str_eq(a->str, b->str);
	cr_expect(g_str_has_suffix(a->str, want), "%s", a->str);
	cmasim_gate_free(gate);
}

/* A baseline that is not one: its place and what was expected. */
Test(gate, bad_baseline)
{
	static const char *const rows[][2] = {
		{ "schema: cmasim-baseline/9\ncmasim_version: x\ncases: []\n",
		  "b.yaml:1:9: expected schema cmasim-baseline/1 (record it again with cmasim "
		  "check --update-baseline)" },
		{ "schema: cmasim-baseline/1\ncmasim_version: x\ncases:\n  - case: a\n"
		  "    machine_sha256: m\n    workload_sha256: w\n    figures: { dma_ok: many }\n",
		  "b.yaml:7:24: expected a number or null for \"dma_ok\"" },
		{ "schema: cmasim-baseline/1\ncmasim_version: x\ncases:\n"
		  "  - { case: a, machine_sha256: m, workload_sha256: w, figures: {} }\n"
		  "  - { case: a, machine_sha256: m, workload_sha256: w, figures: {} }\n",
		  "b.yaml:5:13: case \"a\" is recorded twice" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree char *path = write_tmp("b.yaml", rows[i][0]);
		g_autofree char *want = g_strdup_printf("%s/%s", tmpdir, rows[i][1]);
		GError *error = NULL;

		cr_expect_null(cmasim_baseline_load_file(path, &error));
		cr_expect_str_eq(error ? error->message : "", want);
		g_clear_error(&error);
	}
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim check: runs a gate file's cases and fails (exit 1) when a figure
 * breaks its limit; records baselines; writes JUnit XML for CI.
 */
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/gate.h"
#include "cli.h"

/* One case as it runs: its job, and its name in messages, baselines and JUnit. */
struct run {
	const struct cmasim_gate_case *c;
	char *name;		/* workload/machine/policy [settings] seed N */
	char *suite;		/* machine/workload */
	char *test;		/* policy [settings] seed N */
	GPtrArray *regressions;	/* of struct cmasim_regression *, once judged */
};

/* What the check holds: the gate, its inputs loaded once each, a job per case. */
struct check {
	struct cmasim_gate *gate;
	GHashTable *workloads;	/* resolved name -> struct cli_workload * */
	GHashTable *machines;	/* resolved name -> struct cmasim_config * */
	struct cli_job *jobs;
	struct run *runs;
	unsigned int nr;
};

static void workload_free(void *p)
{
	cli_workload_close(p);
	g_free(p);
}

/* The workload @name of the gate, opened once for every case that replays it. */
static struct cli_workload *check_workload(struct check *ck, const char *name, GError **error)
{
	g_autofree char *path = cmasim_gate_resolve(ck->gate, name);
	struct cli_workload *w = g_hash_table_lookup(ck->workloads, path);

	if (w)
		return w;
	w = g_new0(struct cli_workload, 1);
	if (!cli_workload_open(path, true, w, error)) {
		workload_free(w);
		return NULL;
	}
	g_hash_table_insert(ck->workloads, g_steal_pointer(&path), w);
	return w;
}

/* The machine @name (a gate file's, or the workload's own), loaded once. */
static struct cmasim_config *check_machine(struct check *ck, const char *name, bool from_gate,
					   GError **error)
{
	g_autofree char *path = from_gate ? cmasim_gate_resolve(ck->gate, name) : g_strdup(name);
	struct cmasim_config *cfg = g_hash_table_lookup(ck->machines, path);

	if (cfg)
		return cfg;
	cfg = cli_load_machine(path, error);
	if (cfg)
		g_hash_table_insert(ck->machines, g_steal_pointer(&path), cfg);
	return cfg;
}

/* Every policy the gate's cases run, NULL-terminated, for checking settings. */
static const struct cmasim_policy_ops **gate_policies(const struct cmasim_gate *gate)
{
	const struct cmasim_policy_ops **ops = g_new0(const struct cmasim_policy_ops *,
						      cmasim_nr_policies + 1);
	unsigned int n = 0;

	for (unsigned int i = 0; i < cmasim_nr_policies; i++)
		for (unsigned int c = 0; c < gate->nr_cases; c++)
			if (!strcmp(gate->cases[c].policy, cmasim_policies[i]->name)) {
				ops[n++] = cmasim_policies[i];
				break;
			}
	return ops;
}

/* " [size=8MiB trim=false]" for a case's settings, "" without any. */
static char *settings_text(const char *const *set)
{
	g_autofree char *joined = set && *set ? g_strjoinv(" ", (char **)set) : NULL;

	return joined ? g_strdup_printf(" [%s]", joined) : g_strdup("");
}

/*
 * Prepares case @i: its inputs, its name, and its job with the case's
 * settings that apply to its policy, then those of @extra (from --set).
 * The case's are checked against @policies, every policy of the gate.
 * False with @error naming the case's place in the gate file.
 */
static bool check_prepare(struct check *ck, unsigned int i, const GArray *extra,
			  const struct cmasim_policy_ops *const *policies, GError **error)
{
	const struct cmasim_gate_case *c = &ck->gate->cases[i];
	struct cli_job *job = &ck->jobs[i];
	struct run *run = &ck->runs[i];
	const struct cmasim_policy_ops *ops = cmasim_policy_find(c->policy);
	g_autoptr(GArray) settings = NULL;
	g_autoptr(GError) why = NULL;
	g_autofree char *seed = NULL, *settings_name = settings_text(c->set);
	g_auto(GStrv) own = NULL, more = NULL;
	struct cli_workload *w = check_workload(ck, c->workload, error);
	const char *machine;

	if (!w)
		return false;
	machine = cli_workload_machine(w, c->machine);
	job->cfg = check_machine(ck, machine, c->machine != NULL, error);
	if (!job->cfg)
		return false;
	settings = cli_settings_parse(c->set, policies, "checked", &why);
	if (!settings) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s: %s", c->where,
			    why->message);
		return false;
	}
	own = cli_settings_for(settings, ops);
	more = cli_settings_for(extra, ops);
	job->set = g_new0(char *, g_strv_length(own) + g_strv_length(more) + 1);
	for (unsigned int k = 0, n = 0; k < 2; k++)
		for (char **p = k ? more : own; *p; p++)
			job->set[n++] = g_strdup(*p);
	job->workload = w;
	job->opts.policy = ops;
	job->opts.seed = c->has_seed ? c->seed : cmasim_trace_info(w->trace)->seed;
	seed = c->has_seed ? g_strdup_printf(" seed %" G_GUINT64_FORMAT, c->seed) : g_strdup("");
	run->c = c;
	run->name = g_strdup_printf("%s/%s/%s%s%s", c->workload, machine, c->policy,
				    settings_name, seed);
	run->suite = g_strdup_printf("%s/%s", machine, c->workload);
	run->test = g_strdup_printf("%s%s%s", c->policy, settings_name, seed);
	for (unsigned int j = 0; j < i; j++) {
		if (!strcmp(ck->runs[j].name, run->name)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_KEY,
				    "%s: case %s is in the gate file twice (first at %s)", c->where,
				    run->name, ck->runs[j].c->where);
			return false;
		}
	}
	return true;
}

static void check_free(struct check *ck)
{
	cli_jobs_free(ck->jobs, ck->nr);
	for (unsigned int i = 0; ck->runs && i < ck->nr; i++) {
		g_free(ck->runs[i].name);
		g_free(ck->runs[i].suite);
		g_free(ck->runs[i].test);
		if (ck->runs[i].regressions)
			g_ptr_array_unref(ck->runs[i].regressions);
	}
	g_free(ck->runs);
	if (ck->workloads)
		g_hash_table_unref(ck->workloads);
	if (ck->machines)
		g_hash_table_unref(ck->machines);
	cmasim_gate_free(ck->gate);
}

/* Whether case @i was left out: an optional policy that cannot run on its machine. */
static bool skipped(const struct check *ck, unsigned int i)
{
	return !ck->jobs[i].r;
}

/*
 * Judges every case that ran against its limits and @b; false with
 * @error when one cannot be judged.
 */
static bool check_judge(struct check *ck, const struct cmasim_baseline *b, const char *path,
			GError **error)
{
	for (unsigned int i = 0; i < ck->nr; i++) {
		g_autoptr(GArray) figs = NULL;

		if (skipped(ck, i))
			continue;
		figs = cmasim_figures(ck->jobs[i].r, ck->jobs[i].cfg);
		ck->runs[i].regressions = cmasim_gate_evaluate(ck->runs[i].c, ck->runs[i].name,
							       figs, b, path, error);
		if (!ck->runs[i].regressions)
			return false;
	}
	return true;
}

/* The report for people: a line per case, and a line per figure that regressed. */
static void report_text(GString *out, const struct check *ck, unsigned int *failed)
{
	unsigned int nr_skipped = 0;

	*failed = 0;
	for (unsigned int i = 0; i < ck->nr; i++) {
		const struct run *run = &ck->runs[i];

		if (skipped(ck, i)) {
			g_string_append_printf(out, "skip  %s: %s\n", run->name,
					       ck->jobs[i].error->message);
			nr_skipped++;
			continue;
		}
		g_string_append_printf(out, "%s  %s\n", run->regressions->len ? "FAIL" : "pass",
				       run->name);
		*failed += run->regressions->len > 0;
		for (guint k = 0; k < run->regressions->len; k++) {
			const struct cmasim_regression *r = run->regressions->pdata[k];

			g_string_append_printf(out, "        %s: now %s", r->figure, r->value);
			if (r->baseline)
				g_string_append_printf(out, ", baseline %s", r->baseline);
			g_string_append_printf(out, ", limit %s\n", r->limit);
		}
	}
	g_string_append_printf(out, "%u cases: %u passed, %u failed", ck->nr,
			       ck->nr - *failed - nr_skipped, *failed);
	if (nr_skipped)
		g_string_append_printf(out, ", %u skipped (policy cannot run on the machine)",
				       nr_skipped);
	g_string_append_c(out, '\n');
}

/* Appends attribute @name="@value", escaped. */
static void xml_attr(GString *out, const char *name, const char *value)
{
	g_autofree char *v = g_markup_escape_text(value, -1);

	g_string_append_printf(out, " %s=\"%s\"", name, v);
}

/* One testcase element for case @i. */
static void junit_case(GString *out, const struct check *ck, unsigned int i)
{
	const struct run *run = &ck->runs[i];

	g_string_append(out, "    <testcase");
	xml_attr(out, "name", run->test);
	xml_attr(out, "classname", run->suite);
	if (skipped(ck, i)) {
		g_string_append(out, ">\n      <skipped");
		xml_attr(out, "message", ck->jobs[i].error->message);
		g_string_append(out, "/>\n    </testcase>\n");
		return;
	}
	if (!run->regressions->len) {
		g_string_append(out, "/>\n");
		return;
	}
	g_string_append(out, ">\n");
	for (guint k = 0; k < run->regressions->len; k++) {
		const struct cmasim_regression *r = run->regressions->pdata[k];
		g_autofree char *message = g_strdup_printf("%s: now %s%s%s, limit %s", r->figure,
							   r->value, r->baseline ? ", baseline " : "",
							   r->baseline ? r->baseline : "", r->limit);
		g_autofree char *body = g_markup_escape_text(message, -1);

		g_string_append(out, "      <failure type=\"regression\"");
		xml_attr(out, "message", message);
		g_string_append_printf(out, ">%s</failure>\n", body);
	}
	g_string_append(out, "    </testcase>\n");
}

/* Counts of the cases of suite @suite (NULL: all): tests, failures, skipped. */
static void junit_counts(const struct check *ck, const char *suite, unsigned int n[3])
{
	n[0] = n[1] = n[2] = 0;
	for (unsigned int i = 0; i < ck->nr; i++) {
		if (suite && strcmp(ck->runs[i].suite, suite))
			continue;
		n[0]++;
		if (skipped(ck, i))
			n[2]++;
		else
			n[1] += ck->runs[i].regressions->len > 0;
	}
}

/*
 * JUnit XML as Jenkins, GitLab and GitHub's reporters read it: a
 * testsuite per machine and workload, a testcase per case, a failure per
 * figure that regressed. No times: the same runs give the same file.
 */
static void report_junit(GString *out, const struct check *ck)
{
	g_autoptr(GHashTable) done = g_hash_table_new(g_str_hash, g_str_equal);
	unsigned int n[3];

	junit_counts(ck, NULL, n);
	g_string_append(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
	xml_attr(out, "name", ck->gate->source);
	g_string_append_printf(out, " tests=\"%u\" failures=\"%u\" errors=\"0\">\n", n[0], n[1]);
	for (unsigned int i = 0; i < ck->nr; i++) {
		const char *suite = ck->runs[i].suite;

		if (!g_hash_table_add(done, (void *)suite))
			continue;
		junit_counts(ck, suite, n);
		g_string_append(out, "  <testsuite");
		xml_attr(out, "name", suite);
		g_string_append_printf(out, " tests=\"%u\" failures=\"%u\" errors=\"0\" "
				       "skipped=\"%u\">\n", n[0], n[1], n[2]);
		for (unsigned int j = i; j < ck->nr; j++)
			if (!strcmp(ck->runs[j].suite, suite))
				junit_case(out, ck, j);
		g_string_append(out, "  </testsuite>\n");
	}
	g_string_append(out, "</testsuites>\n");
}

/* Writes @text to @path whole, or not at all. */
static bool write_file(const char *path, const GString *text, GError **error)
{
	struct cli_outfile out;

	return cli_outfile_open(&out, path, error) && cli_outfile_write(&out, text, error);
}

/* Records the figures of every case that ran into the baseline @path. */
static bool record(const struct check *ck, const char *path, GError **error)
{
	g_autofree const char **names = g_new(const char *, ck->nr);
	g_autofree const struct cmasim_gate_case **cases = g_new(const struct cmasim_gate_case *,
								 ck->nr);
	g_autofree GArray **figs = g_new(GArray *, ck->nr);
	g_autoptr(GString) text = g_string_new(NULL);
	unsigned int n = 0;
	bool ok;

	for (unsigned int i = 0; i < ck->nr; i++) {
		if (skipped(ck, i))
			continue;
		names[n] = ck->runs[i].name;
		cases[n] = ck->runs[i].c;
		figs[n++] = cmasim_figures(ck->jobs[i].r, ck->jobs[i].cfg);
	}
	cmasim_baseline_write(text, names, cases, figs, n);
	ok = write_file(path, text, error);
	for (unsigned int i = 0; i < n; i++)
		g_array_unref(figs[i]);
	if (ok)
		printf("cmasim check: recorded %u cases in %s\n", n, path);
	return ok;
}

int cmd_check(int argc, char **argv)
{
	g_autofree char *baseline_arg = NULL, *update = NULL, *junit = NULL, *jobs_arg = NULL;
	g_auto(GStrv) set = NULL;
	gboolean quiet = FALSE;
	const GOptionEntry entries[] = {
		{ "baseline", 'b', 0, G_OPTION_ARG_FILENAME, &baseline_arg,
		  "Compare with the figures recorded in FILE (default: the gate file's "
		  "baseline:)", "FILE" },
		{ "update-baseline", 0, 0, G_OPTION_ARG_FILENAME, &update,
		  "Record the figures of every case in FILE instead of checking them", "FILE" },
		{ "junit", 0, 0, G_OPTION_ARG_FILENAME, &junit,
		  "Also write the outcome as JUnit XML to FILE", "FILE" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &set,
		  "Set a policy parameter in every case, after the gate file's (to try a change "
		  "against the baseline); repeatable", "[POLICY.]NAME=VALUE" },
		{ "jobs", 'j', 0, G_OPTION_ARG_STRING, &jobs_arg,
		  "Run N cases at once (default: the available cores)", "N" },
		CLI_QUIET_ENTRY(quiet),
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) extra = NULL;
	g_autofree const struct cmasim_policy_ops **policies = NULL;
	struct cmasim_baseline *b = NULL;
	struct check ck = { 0 };
	g_autoptr(GString) text = g_string_new(NULL);
	const char *baseline;
	unsigned int workers, failed, first_failed;
	int ret = 2;

	if (!cli_parse_options("check", "GATE",
			       "Run the cases of a gate file and check their figures against limits.",
			       "GATE is a YAML gate file: cases (workload x machine x policy x settings\n"
			       "x seed) and, for each, limits on any figure cmasim run -f json prints:\n"
			       "absolute ({max: 0.02}, {min: 0.9}) or relative to a baseline\n"
			       "({baseline: 5%} or an amount); README.md describes it. Exit status: 0\n"
			       "when every case passes, 1 when a figure regressed, 2 for a bad command\n"
			       "line, gate file or baseline (missing, or stale: recorded from other\n"
			       "inputs), which writes no file.\n\n"
			       "Examples:\n"
			       "  cmasim check gate.yaml\n"
			       "  cmasim check gate.yaml --update-baseline baseline.yaml\n"
			       "  cmasim check gate.yaml --baseline baseline.yaml --junit check.xml\n"
			       "  cmasim check gate.yaml --set cma.size=8MiB\n",
			       entries, &argc, &argv))
		return 2;
	if (argc != 2)
		return cli_usage_error("check", "expected one gate file");
	if (update && (baseline_arg || junit))
		return cli_usage_error("check", "--update-baseline records; it takes no "
				       "--baseline or --junit");
	if (!cli_parse_jobs("check", jobs_arg, &workers))
		return 2;
	ck.gate = cmasim_gate_load_file(argv[1], &error);
	if (!ck.gate)
		goto out;
	policies = gate_policies(ck.gate);
	extra = cli_settings_parse((const char *const *)set, policies, "checked", &error);
	if (!extra)
		goto out;
	baseline = baseline_arg ? baseline_arg : ck.gate->baseline;
	if (!update && baseline && !(b = cmasim_baseline_load_file(baseline, &error))) {
		if (g_error_matches(error, CMASIM_ERROR, CMASIM_ERROR_IO)) {
			g_autofree char *why = g_strdup(error->message);

			g_clear_error(&error);
			g_set_error(&error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s (record a baseline "
				    "with cmasim check %s --update-baseline %s)", why, argv[1],
				    baseline);
		}
		goto out;
	}
	ck.nr = ck.gate->nr_cases;
	ck.jobs = g_new0(struct cli_job, ck.nr);
	ck.runs = g_new0(struct run, ck.nr);
	ck.workloads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, workload_free);
	ck.machines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    (GDestroyNotify)cmasim_config_free);
	for (unsigned int i = 0; i < ck.nr; i++)
		if (!check_prepare(&ck, i, extra, policies, &error))
			goto out;

	cli_progress_start("check", quiet);
	first_failed = cli_jobs_run(ck.jobs, ck.nr, workers, true);
	for (unsigned int i = 0; i < ck.nr && first_failed == ck.nr; i++)
		if (skipped(&ck, i) && !ck.gate->cases[i].optional)
			first_failed = i;
	if (first_failed < ck.nr) {
		g_set_error(&error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s: case %s: %s",
			    ck.gate->cases[first_failed].where, ck.runs[first_failed].name,
			    ck.jobs[first_failed].error->message);
		goto out;
	}
	if (update) {
		ret = record(&ck, update, &error) ? 0 : 2;
		goto out;
	}
	if (!check_judge(&ck, b, baseline, &error))
		goto out;
	report_text(text, &ck, &failed);
	if (junit) {
		g_autoptr(GString) xml = g_string_new(NULL);

		report_junit(xml, &ck);
		if (!write_file(junit, xml, &error))
			goto out;
	}
	fputs(text->str, stdout);
	ret = failed ? 1 : 0;
out:
	if (error)
		cli_error("check", error);
	cmasim_baseline_free(b);
	check_free(&ck);
	return ret;
}

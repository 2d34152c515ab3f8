// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cmasim command: one GOptionContext per subcommand. Machines and
 * workloads are files, or built-in names served from the GResource bundle.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "cmasim/addrtrace.h"
#include "cmasim/buddy.h"
#include "cmasim/cache.h"
#include "cmasim/config.h"
#include "cmasim/engine.h"
#include "cmasim/error.h"
#include "cmasim/report.h"
#include "cmasim/trace.h"
#include "cmasim/units.h"

#define DEFAULT_MACHINE "armv7-1g"
#define DEFAULT_WORKLOAD "camera-stream"
#define RESOURCE_ROOT "/org/cmasim"

struct subcommand {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static void print_error(const char *cmd, const GError *error)
{
	fprintf(stderr, "cmasim %s: %s\n", cmd, error->message);
}

/* Reports a bad command line; returns the exit status for it. */
static int usage_error(const char *cmd, const char *what)
{
	fprintf(stderr, "cmasim %s: %s (see cmasim %s --help)\n", cmd, what, cmd);
	return 2;
}

/* Parses @argv with @entries; prints the error and returns false on bad options. */
static bool parse_options(const char *name, const char *params, const char *summary,
			  const char *description, const GOptionEntry *entries,
			  int *argc, char ***argv)
{
	g_autofree char *prog = g_strdup_printf("cmasim %s", name);
	GOptionContext *ctx = g_option_context_new(params);
	g_autoptr(GError) error = NULL;
	bool ok;

	g_set_prgname(prog);
	g_option_context_set_summary(ctx, summary);
	g_option_context_set_description(ctx, description);
	g_option_context_add_main_entries(ctx, entries, NULL);
	ok = g_option_context_parse(ctx, argc, argv, &error);
	if (!ok)
		usage_error(name, error->message);
	g_option_context_free(ctx);
	return ok;
}

/* Whether @name is a file rather than a built-in name: it exists, or it looks like a path. */
static bool is_file(const char *name)
{
	return g_file_test(name, G_FILE_TEST_EXISTS) || strchr(name, '/') ||
	       g_str_has_suffix(name, ".yaml") || g_str_has_suffix(name, ".bin");
}

/* The text of the built-in @kind ("configs", "workloads") @name; *@source names it in messages. */
static GBytes *lookup_builtin(const char *kind, const char *name, char **source, GError **error)
{
	g_autofree char *path = g_strdup_printf(RESOURCE_ROOT "/%s/%s.yaml", kind, name);
	GBytes *bytes = g_resources_lookup_data(path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

	if (!bytes) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO,
			    "%s: no such file, and no built-in %s of that name (see cmasim list)",
			    name, kind);
		return NULL;
	}
	*source = g_strdup_printf("%s/%s.yaml", kind, name);
	return bytes;
}

/* The machine config file or built-in machine @name, if the policies can run on it. */
static struct cmasim_config *load_machine(const char *name, GError **error)
{
	struct cmasim_config *cfg;

	if (is_file(name)) {
		cfg = cmasim_config_load_file(name, error);
	} else {
		g_autofree char *source = NULL;
		g_autoptr(GBytes) bytes = lookup_builtin("configs", name, &source, error);
		const char *data;
		gsize len;

		if (!bytes)
			return NULL;
		data = g_bytes_get_data(bytes, &len);
		cfg = cmasim_config_load_data(source, data, len, error);
	}
	if (cfg && !cmasim_policy_check_machine(cfg, error)) {
		cmasim_config_free(cfg);
		return NULL;
	}
	return cfg;
}

/*
 * A workload: a trace file, read as a stream so that a large one is never
 * in memory whole, or text in memory that its traces read (a built-in, or
 * a pipe that cmasim compare replays more than once).
 */
struct workload {
	char *source;			/* the file, or the built-in's name in messages */
	GBytes *bytes;			/* the text, or NULL to read the file */
	struct cmasim_trace *trace;	/* opened by open_workload() */
};

/* Opens a trace of @w from its start; cmasim compare opens one for each policy. */
static struct cmasim_trace *workload_trace(const struct workload *w, GError **error)
{
	const char *data;
	gsize len;

	if (!w->bytes)
		return cmasim_trace_open(w->source, error);
	data = g_bytes_get_data(w->bytes, &len);
	return cmasim_trace_open_data(w->source, data, len, error);
}

/*
 * Opens the workload file or built-in workload @name. With @again, for
 * more traces of it, a file that cannot be read twice (a pipe, a device)
 * is read into memory whole.
 */
static bool open_workload(const char *name, bool again, struct workload *w, GError **error)
{
	struct stat st;

	if (!is_file(name)) {
		w->bytes = lookup_builtin("workloads", name, &w->source, error);
		if (!w->bytes)
			return false;
	} else if (again && !stat(name, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		char *data;
		gsize len;

		if (!g_file_get_contents(name, &data, &len, NULL)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", name,
				    g_strerror(errno));
			return false;
		}
		w->bytes = g_bytes_new_take(data, len);
		w->source = g_strdup(name);
	} else {
		w->source = g_strdup(name);
	}
	w->trace = workload_trace(w, error);
	return w->trace != NULL;
}

static void close_workload(struct workload *w)
{
	cmasim_trace_close(w->trace);
	if (w->bytes)
		g_bytes_unref(w->bytes);
	g_free(w->source);
}

/* The machine to replay @info's workload on: @machine, else the workload's, else the default. */
static struct cmasim_config *workload_machine(const char *machine,
					      const struct cmasim_trace_info *info, GError **error)
{
	return load_machine(machine ? machine : info->machine ? info->machine : DEFAULT_MACHINE,
			    error);
}

/*
 * An output file written under a temporary name and renamed when complete,
 * so that an interrupted or failed run leaves no half-written file. No
 * path, or "-", is standard output; a path that exists and is not a
 * regular file (/dev/null, a FIFO) is written in place.
 */
struct outfile {
	char *path;
	char *tmp;
	FILE *f;
};

static bool outfile_open(struct outfile *o, const char *path, GError **error)
{
	*o = (struct outfile){ 0 };
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return true;
	}
	if (g_file_test(path, G_FILE_TEST_EXISTS) && !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		o->f = fopen(path, "w");
		if (!o->f) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", path,
				    g_strerror(errno));
			return false;
		}
		o->path = g_strdup(path);
		return true;
	}
	o->path = g_strdup(path);
	o->tmp = g_strdup_printf("%s.XXXXXX", path);
	int fd = g_mkstemp(o->tmp);
	mode_t mask = umask(0);

	/* the mode a plain fopen() would give, not mkstemp()'s 0600 */
	umask(mask);
	if (fd < 0 || fchmod(fd, 0666 & ~mask) || !(o->f = fdopen(fd, "w"))) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", path, g_strerror(errno));
		if (fd >= 0)
			close(fd);
		g_clear_pointer(&o->tmp, g_free);
		g_clear_pointer(&o->path, g_free);
		return false;
	}
	return true;
}

/* Renames the file into place if @keep and all was written, else removes it. */
static bool outfile_close(struct outfile *o, bool keep, GError **error)
{
	bool ok = true;

	if (!o->f)
		return true;
	if (o->f == stdout) {
		ok = fflush(stdout) == 0;
	} else {
		ok = !ferror(o->f);
		ok = fclose(o->f) == 0 && ok;
		if (o->tmp && keep && ok && rename(o->tmp, o->path))
			ok = false;
		if (o->tmp && (!keep || !ok))
			unlink(o->tmp);
	}
	if (keep && !ok)
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s",
			    o->path ? o->path : "standard output", g_strerror(errno));
	g_free(o->path);
	g_free(o->tmp);
	*o = (struct outfile){ 0 };
	return ok || !keep;
}

/*
 * Writes @text, the figures of a command that succeeded, to @out, then
 * closes and keeps @tl (its timeline, if not NULL) and @out.
 */
static bool outfile_finish(struct outfile *out, const GString *text, struct outfile *tl,
			   GError **error)
{
	fputs(text->str, out->f);
	return (!tl || outfile_close(tl, true, error)) && outfile_close(out, true, error);
}

/* Reads --format @s of @cmd, if given, into *@format; false after a usage error. */
static bool parse_format(const char *cmd, const char *s, enum cmasim_format *format)
{
	static const char *const names[] = { "table", "json", "csv" };

	if (!s)
		return true;
	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		if (!strcmp(s, names[i])) {
			*format = i;
			return true;
		}
	}
	usage_error(cmd, "--format expects table, json or csv");
	return false;
}

/* Reads --seed @s of @cmd, if given, into *@seed; false after a usage error. */
static bool parse_seed(const char *cmd, const char *s, uint64_t *seed)
{
	if (!s || cmasim_parse_uint(s, strlen(s), seed))
		return true;
	usage_error(cmd, "--seed expects an integer");
	return false;
}

static int cmd_run(int argc, char **argv)
{
	g_autofree char *machine = NULL, *policy = NULL, *format = NULL, *output = NULL;
	g_autofree char *timeline = NULL, *interval = NULL, *seed = NULL;
	g_auto(GStrv) set = NULL;
	struct cmasim_param_values values;
	gboolean check = FALSE;
	const GOptionEntry entries[] = {
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &machine,
		  "Machine config: a file or a built-in name (default: the workload's, "
		  "else " DEFAULT_MACHINE ")", "MACHINE" },
		{ "policy", 'p', 0, G_OPTION_ARG_STRING, &policy,
		  "Placement policy (default: buddy; see cmasim list)", "POLICY" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &set,
		  "Set a policy parameter; repeatable", "NAME=VALUE" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "Output format: table (default), json or csv", "FORMAT" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "Write the figures to FILE instead of standard output", "FILE" },
		{ "timeline", 't', 0, G_OPTION_ARG_FILENAME, &timeline,
		  "Write a CSV timeline of the figures to FILE", "FILE" },
		{ "timeline-interval", 0, 0, G_OPTION_ARG_STRING, &interval,
		  "Simulated time between timeline rows (default 10ms; 0 for sample events only)",
		  "TIME" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed,
		  "Seed for the workload's generators (default: the workload's)", "N" },
		{ "check-invariants", 0, 0, G_OPTION_ARG_NONE, &check,
		  "Recount the allocator after every event and stop at the first mismatch (slow)",
		  NULL },
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	struct cmasim_config *cfg = NULL;
	struct cmasim_results *r = NULL;
	struct workload w = { 0 };
	struct outfile out = { 0 }, tl = { 0 };
	enum cmasim_format fmt = CMASIM_FORMAT_TABLE;
	struct cmasim_run_options opts = { .timeline_interval_ns = 10000000 };
	const struct cmasim_trace_info *info;
	g_autoptr(GString) text = NULL;
	int ret = 1;

	if (!parse_options("run", "[WORKLOAD]",
			   "Replay a workload on a machine under one policy and print its figures.",
			   "WORKLOAD is a trace file (YAML, or binary from cmasim gen --binary) or a\n"
			   "built-in name; the default is " DEFAULT_WORKLOAD ".\n\n"
			   "Examples:\n"
			   "  cmasim run\n"
			   "  cmasim run fragmenting-churn -m armv6-512m --format json -o out.json\n"
			   "  cmasim run my-trace.yaml -p buddy --set trim=false --timeline tl.csv\n",
			   entries, &argc, &argv))
		return 2;
	if (argc > 2)
		return usage_error("run", "expected at most one workload");
	if (!parse_format("run", format, &fmt))
		return 2;
	if (interval && cmasim_parse_time(interval, strlen(interval),
					  &opts.timeline_interval_ns) != CMASIM_PARSE_OK)
		return usage_error("run", "--timeline-interval expects a time such as 10ms");
	if (!parse_seed("run", seed, &opts.seed))
		return 2;
	opts.policy = cmasim_policy_find(policy ? policy : "buddy");
	if (!opts.policy) {
		fprintf(stderr, "cmasim run: no policy named '%s' (see cmasim list)\n", policy);
		return 2;
	}
	opts.set = (const char *const *)set;
	opts.check_invariants = check;
	/* a bad --set is a bad command line, as for compare: checked before any input is read */
	if (!cmasim_policy_params(opts.policy, opts.set, &values, &error)) {
		fprintf(stderr, "cmasim run: %s\n", error->message);
		return 2;
	}

	if (!open_workload(argc == 2 ? argv[1] : DEFAULT_WORKLOAD, false, &w, &error))
		goto out;
	info = cmasim_trace_info(w.trace);
	if (!seed)
		opts.seed = info->seed;
	cfg = workload_machine(machine, info, &error);
	if (!cfg || !outfile_open(&out, output, &error) ||
	    (timeline && !outfile_open(&tl, timeline, &error)))
		goto out;
	opts.timeline = tl.f;
	r = cmasim_run(cfg, w.trace, &opts, &error);
	if (!r)
		goto out;

	text = g_string_new(NULL);
	cmasim_report_results(r, cfg, fmt, text);
	if (outfile_finish(&out, text, &tl, &error))
		ret = 0;
out:
	if (error)
		print_error("run", error);
	outfile_close(&tl, false, NULL);
	outfile_close(&out, false, NULL);
	cmasim_results_free(r);
	close_workload(&w);
	cmasim_config_free(cfg);
	return ret;
}

/* One policy's replay in cmasim compare; a worker thread fills in the last three fields. */
struct compare_job {
	const struct cmasim_config *cfg;	/* shared, read-only */
	const struct workload *workload;	/* shared; each job opens its own trace */
	struct cmasim_run_options opts;
	GPtrArray *set;				/* owns the NULL-terminated opts.set */
	struct cmasim_results *r;		/* on success */
	GError *error;				/* on failure */
	gint64 wall_us;				/* host time the replay took */
};

/* What compare's worker threads share: the jobs, and which to take next. */
struct compare_queue {
	struct compare_job *jobs;
	int nr;
	int next;		/* index of the next job to take; atomic */
	int first_failed;	/* lowest index of a job that failed, nr if none; atomic */
	bool skip_refusals;	/* a policy that refuses the machine is left out, not a failure */
};

/* Whether @job's policy refused the machine, which leaves it out of a compare of all. */
static bool refused(const struct compare_job *job)
{
	return g_error_matches(job->error, CMASIM_ERROR, CMASIM_ERROR_POLICY);
}

/* Replays @job's policy on its own trace of the shared workload. */
static void compare_job_run(struct compare_job *job)
{
	gint64 start = g_get_monotonic_time();
	struct cmasim_trace *trace = workload_trace(job->workload, &job->error);

	if (trace)
		job->r = cmasim_run(job->cfg, trace, &job->opts, &job->error);
	cmasim_trace_close(trace);
	job->wall_us = g_get_monotonic_time() - start;
}

/*
 * A worker thread: runs jobs in index order until none are left. Jobs
 * after one that failed are skipped, so the failure reported (the lowest)
 * is the same however many workers there are.
 */
static void *compare_worker(void *arg)
{
	struct compare_queue *q = arg;

	for (int i; (i = g_atomic_int_add(&q->next, 1)) < q->nr;) {
		if (g_atomic_int_get(&q->first_failed) < i)
			continue;
		compare_job_run(&q->jobs[i]);
		if (q->skip_refusals && refused(&q->jobs[i]))
			continue;
		for (int old; !q->jobs[i].r && (old = g_atomic_int_get(&q->first_failed)) > i;)
			if (g_atomic_int_compare_and_exchange(&q->first_failed, old, i))
				break;
	}
	return NULL;
}

/* Frees @nr jobs and what they own. */
static void compare_jobs_free(struct compare_job *jobs, unsigned int nr)
{
	for (unsigned int i = 0; jobs && i < nr; i++) {
		g_ptr_array_free(jobs[i].set, TRUE);
		cmasim_results_free(jobs[i].r);
		g_clear_error(&jobs[i].error);
	}
	g_free(jobs);
}

/*
 * One job for each policy in @list (comma-separated), or for every
 * registered one in registry order; *@nr gets their number. NULL after
 * printing what was wrong.
 */
static struct compare_job *compare_jobs(const char *list, unsigned int *nr)
{
	g_auto(GStrv) names = list ? g_strsplit(list, ",", -1) : NULL;
	struct compare_job *jobs;

	*nr = names ? g_strv_length(names) : cmasim_nr_policies;
	jobs = g_new0(struct compare_job, *nr);
	for (unsigned int i = 0; i < *nr; i++)
		jobs[i].set = g_ptr_array_new_with_free_func(g_free);
	if (!*nr || (names && g_strv_contains((const char *const *)names, ""))) {
		usage_error("compare", "-p expects policy names separated by commas");
		goto fail;
	}
	for (unsigned int i = 0; i < *nr; i++) {
		jobs[i].opts.policy = names ? cmasim_policy_find(names[i]) : cmasim_policies[i];
		if (!jobs[i].opts.policy) {
			fprintf(stderr, "cmasim compare: no policy named '%s' (see cmasim list)\n",
				names[i]);
			goto fail;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (jobs[j].opts.policy == jobs[i].opts.policy) {
				fprintf(stderr, "cmasim compare: -p names %s twice (expected each "
					"policy once)\n", names[i]);
				goto fail;
			}
		}
	}
	return jobs;
fail:
	compare_jobs_free(jobs, *nr);
	return NULL;
}

/* "buddy, cma": the policies of @nr jobs, for messages. */
static char *policy_names(const struct compare_job *jobs, unsigned int nr)
{
	GString *names = g_string_new(NULL);

	for (unsigned int i = 0; i < nr; i++)
		g_string_append_printf(names, "%s%s", i ? ", " : "", jobs[i].opts.policy->name);
	return g_string_free(names, FALSE);
}

/*
 * Hands each of @set to the jobs it applies to: "policy.name=value" to
 * that policy's, "name=value" to every policy with that parameter; each
 * is checked as `run --set` checks it. Returns false after printing what
 * was wrong.
 */
static bool compare_settings(const char *const *set, struct compare_job *jobs, unsigned int nr)
{
	g_autofree char *compared = policy_names(jobs, nr);

	for (; set && *set; set++) {
		const char *eq = strchr(*set, '=');
		const char *dot = eq ? memchr(*set, '.', (size_t)(eq - *set)) : NULL;
		const char *setting = dot ? dot + 1 : *set;
		g_autofree char *policy = dot ? g_strndup(*set, (size_t)(dot - *set)) : NULL;
		unsigned int applied = 0;

		if (!eq) {
			g_autofree char *what = g_strdup_printf(
				"--set %s: expected name=value or policy.name=value", *set);
			usage_error("compare", what);
			return false;
		}
		if (policy && !cmasim_policy_find(policy)) {
			fprintf(stderr, "cmasim compare: --set %s: no policy named '%s' "
				"(see cmasim list)\n", *set, policy);
			return false;
		}
		for (unsigned int i = 0; i < nr; i++) {
			const struct cmasim_policy_ops *ops = jobs[i].opts.policy;
			const char *const one[] = { setting, NULL };
			struct cmasim_param_values values;
			g_autoptr(GError) error = NULL;

			if (policy ? strcmp(ops->name, policy) != 0
				   : !cmasim_policy_has_param(ops, setting, (size_t)(eq - setting)))
				continue;
			if (!cmasim_policy_params(ops, one, &values, &error)) {
				fprintf(stderr, "cmasim compare: %s\n", error->message);
				return false;
			}
			g_ptr_array_add(jobs[i].set, g_strdup(setting));
			applied++;
		}
		if (!applied && policy) {
			fprintf(stderr, "cmasim compare: --set %s: policy %s is not compared "
				"(expected one of: %s)\n", *set, policy, compared);
			return false;
		}
		if (!applied) {
			fprintf(stderr, "cmasim compare: --set %s: none of the policies compared (%s) "
				"has a parameter %.*s (see cmasim list)\n", *set, compared,
				(int)(eq - setting), setting);
			return false;
		}
	}
	for (unsigned int i = 0; i < nr; i++) {
		g_ptr_array_add(jobs[i].set, NULL);
		jobs[i].opts.set = (const char *const *)jobs[i].set->pdata;
	}
	return true;
}

/* Prints why @job failed, naming its policy where the message names neither it nor the workload. */
static void compare_error(const struct compare_job *job)
{
	const char *source = job->workload->source;
	size_t len = strlen(source);
	const char *msg = job->error->message;

	if ((!strncmp(msg, source, len) && msg[len] == ':') || refused(job))
		fprintf(stderr, "cmasim compare: %s\n", msg);
	else
		fprintf(stderr, "cmasim compare: policy %s: %s\n", job->opts.policy->name, msg);
}

/*
 * Replays every job, @workers at a time (the calling thread is one of
 * them); with @skip_refusals a policy that refuses the machine is no failure.
 */
static void compare_run_all(struct compare_job *jobs, unsigned int nr, unsigned int workers,
			    bool skip_refusals, int *first_failed)
{
	struct compare_queue q = { .jobs = jobs, .nr = (int)nr, .first_failed = (int)nr,
				   .skip_refusals = skip_refusals };
	g_autofree GThread **threads = g_new(GThread *, workers - 1);

	/*
	 * G_DEFINE_QUARK (sim/error.c) sets its quark on first use without a
	 * lock: set it here, so that workers failing at once only read it.
	 */
	(void)CMASIM_ERROR;
	for (unsigned int t = 0; t + 1 < workers; t++)
		threads[t] = g_thread_new("compare", compare_worker, &q);
	compare_worker(&q);
	for (unsigned int t = 0; t + 1 < workers; t++)
		g_thread_join(threads[t]);
	*first_failed = q.first_failed;
}

/* Renders the figures of the jobs of @nr that finished side by side into @text. */
static void compare_report(const struct compare_job *jobs, unsigned int nr,
			   const struct cmasim_config *cfg, enum cmasim_format fmt, GString *text)
{
	g_autofree const struct cmasim_results **runs = g_new(const struct cmasim_results *, nr);
	unsigned int n = 0;

	for (unsigned int i = 0; i < nr; i++)
		if (jobs[i].r)
			runs[n++] = jobs[i].r;
	cmasim_report_compare(runs, n, cfg, fmt, text);
}

/*
 * Says on standard error which policies refused the machine and why.
 * Returns false, after saying so, when all of them did.
 */
static bool compare_refusals(const struct compare_job *jobs, unsigned int nr)
{
	unsigned int left_out = 0;

	for (unsigned int i = 0; i < nr; i++) {
		if (jobs[i].r)
			continue;
		fprintf(stderr, "cmasim compare: %s; left out\n", jobs[i].error->message);
		left_out++;
	}
	if (left_out == nr)
		fprintf(stderr, "cmasim compare: no policy can run on machine %s\n",
			jobs[0].cfg->name);
	return left_out < nr;
}

/* Prints the host time each job took, and all of them @all_us, to standard error. */
static void compare_timings(const struct compare_job *jobs, unsigned int nr,
			    unsigned int workers, gint64 all_us)
{
	fprintf(stderr, "cmasim compare: host time of each policy, %u at a time:\n", workers);
	for (unsigned int i = 0; i < nr; i++)
		if (jobs[i].r)
			fprintf(stderr, "  %-14s %8.3f s\n", jobs[i].opts.policy->name,
				(double)jobs[i].wall_us / 1e6);
	fprintf(stderr, "  %-14s %8.3f s\n", "all", (double)all_us / 1e6);
}

/* cmasim compare: runs the policies, prints their figures; returns the exit status. */
static int cmd_compare(int argc, char **argv)
{
	g_autofree char *machine = NULL, *policies = NULL, *format = NULL, *output = NULL;
	g_autofree char *seed = NULL, *jobs_arg = NULL;
	g_auto(GStrv) set = NULL;
	gboolean timings = FALSE;
	const GOptionEntry entries[] = {
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &machine,
		  "Machine config: a file or a built-in name (default: the workload's, "
		  "else " DEFAULT_MACHINE ")", "MACHINE" },
		{ "policies", 'p', 0, G_OPTION_ARG_STRING, &policies,
		  "Policies to compare, one column each (default: all that can run on the machine, "
		  "as cmasim list orders them)",
		  "POLICY,..." },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &set,
		  "Set a parameter of every policy that has it, or of one with POLICY.NAME; "
		  "repeatable", "[POLICY.]NAME=VALUE" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "Output format: table (default), json or csv", "FORMAT" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "Write the figures to FILE instead of standard output", "FILE" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed,
		  "Seed for the workload's generators (default: the workload's)", "N" },
		{ "jobs", 'j', 0, G_OPTION_ARG_STRING, &jobs_arg,
		  "Replay N policies at once (default: the available cores)", "N" },
		{ "timings", 0, 0, G_OPTION_ARG_NONE, &timings,
		  "Print the host time each policy took to standard error", NULL },
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	struct cmasim_config *cfg = NULL;
	struct compare_job *jobs = NULL;
	struct workload w = { 0 };
	struct outfile out = { 0 };
	enum cmasim_format fmt = CMASIM_FORMAT_TABLE;
	const struct cmasim_trace_info *info;
	uint64_t seed_value = 0, workers = g_get_num_processors();
	g_autoptr(GString) text = NULL;
	unsigned int nr = 0;
	int first_failed, ret = 1;
	gint64 start;

	if (!parse_options("compare", "[WORKLOAD]",
			   "Replay a workload on a machine under several policies and print their "
			   "figures side by side.",
			   "WORKLOAD is a trace file or a built-in name, as for cmasim run; the\n"
			   "default is " DEFAULT_WORKLOAD ". Every policy sees the same machine, trace\n"
			   "and seed; each column holds the figures cmasim run -p POLICY prints.\n\n"
			   "Examples:\n"
			   "  cmasim compare\n"
			   "  cmasim compare fragmenting-churn -p buddy,cma -f csv -o churn.csv\n"
			   "  cmasim compare -m armv6-512m --set cma.size=32MiB --set trim=false\n",
			   entries, &argc, &argv))
		return 2;
	if (argc > 2)
		return usage_error("compare", "expected at most one workload");
	if (!parse_format("compare", format, &fmt) || !parse_seed("compare", seed, &seed_value))
		return 2;
	if (jobs_arg && (!cmasim_parse_uint(jobs_arg, strlen(jobs_arg), &workers) || !workers))
		return usage_error("compare", "--jobs expects a positive integer");
	jobs = compare_jobs(policies, &nr);
	if (!jobs)
		return 2;
	if (!compare_settings((const char *const *)set, jobs, nr)) {
		compare_jobs_free(jobs, nr);
		return 2;
	}

	if (!open_workload(argc == 2 ? argv[1] : DEFAULT_WORKLOAD, true, &w, &error))
		goto out;
	info = cmasim_trace_info(w.trace);
	cfg = workload_machine(machine, info, &error);
	if (!cfg || !outfile_open(&out, output, &error))
		goto out;
	for (unsigned int i = 0; i < nr; i++) {
		jobs[i].cfg = cfg;
		jobs[i].workload = &w;
		jobs[i].opts.seed = seed ? seed_value : info->seed;
	}
	start = g_get_monotonic_time();
	compare_run_all(jobs, nr, (unsigned int)MIN(workers, nr), !policies, &first_failed);
	if (first_failed < (int)nr) {
		compare_error(&jobs[first_failed]);
		goto out;
	}
	if (!compare_refusals(jobs, nr))
		goto out;

	text = g_string_new(NULL);
	compare_report(jobs, nr, cfg, fmt, text);
	if (outfile_finish(&out, text, NULL, &error))
		ret = 0;
	if (timings)
		compare_timings(jobs, nr, (unsigned int)MIN(workers, nr),
				g_get_monotonic_time() - start);
out:
	if (error)
		print_error("compare", error);
	outfile_close(&out, false, NULL);
	compare_jobs_free(jobs, nr);
	close_workload(&w);
	cmasim_config_free(cfg);
	return ret;
}

static int cmd_gen(int argc, char **argv)
{
	g_autofree char *machine = NULL, *output = NULL, *seed = NULL;
	gboolean binary = FALSE;
	const GOptionEntry entries[] = {
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &machine,
		  "Machine the trace is checked against (default: the workload's)", "MACHINE" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "Write to FILE instead of standard output", "FILE" },
		{ "binary", 'b', 0, G_OPTION_ARG_NONE, &binary,
		  "Write the compiled binary event stream that cmasim run reads fastest", NULL },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed,
		  "Seed for the generators (default: the workload's)", "N" },
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	struct cmasim_config *cfg = NULL;
	struct workload w = { 0 };
	struct outfile out = { 0 };
	uint64_t seed_value = 0;
	int ret = 1;

	if (!parse_options("gen", "WORKLOAD",
			   "Expand a workload's generators into an explicit trace.",
			   "Examples:\n"
			   "  cmasim gen fragmenting-churn -o churn-explicit.yaml\n"
			   "  cmasim gen big-trace.yaml --binary -o big-trace.bin\n",
			   entries, &argc, &argv))
		return 2;
	if (argc != 2)
		return usage_error("gen", "expected one workload");
	if (!parse_seed("gen", seed, &seed_value))
		return 2;
	if (!open_workload(argv[1], false, &w, &error))
		goto out;
	const struct cmasim_trace_info *info = cmasim_trace_info(w.trace);
	cfg = workload_machine(machine, info, &error);
	if (!cfg || !cmasim_trace_start(w.trace, cfg, seed ? seed_value : info->seed, &error) ||
	    !outfile_open(&out, output, &error))
		goto out;
	if (cmasim_trace_write(w.trace, binary, out.f, &error) &&
	    outfile_close(&out, true, &error))
		ret = 0;
out:
	if (error)
		print_error("gen", error);
	outfile_close(&out, false, NULL);
	close_workload(&w);
	cmasim_config_free(cfg);
	return ret;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the built-in @kind, sorted. */
static char **builtin_names(const char *kind)
{
	g_autofree char *dir = g_strdup_printf(RESOURCE_ROOT "/%s/", kind);
	char **names = g_resources_enumerate_children(dir, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

	for (char **n = names; n && *n; n++)
		if (g_str_has_suffix(*n, ".yaml"))
			(*n)[strlen(*n) - 5] = '\0';
	if (names)
		qsort(names, g_strv_length(names), sizeof(char *), compare_names);
	return names;
}

static int cmd_list(int argc, char **argv)
{
	const GOptionEntry entries[] = { { NULL } };
	g_autoptr(GString) out = g_string_new("policies:\n");

	if (!parse_options("list", "", "List the policies, built-in machines and workloads.",
			   "Example:\n  cmasim list\n", entries, &argc, &argv))
		return 2;
	for (unsigned int i = 0; i < cmasim_nr_policies; i++) {
		const struct cmasim_policy_ops *ops = cmasim_policies[i];

		g_string_append_printf(out, "  %-12s %s\n", ops->name, ops->summary);
		for (const struct cmasim_param *p = ops->params; p && p->name; p++)
			g_string_append_printf(out, "  %12s --set %s=... (default %s): %s\n", "",
					       p->name, p->default_value, p->help);
	}
	static const char *const kinds[] = { "configs", "workloads" };
	for (unsigned int k = 0; k < G_N_ELEMENTS(kinds); k++) {
		g_auto(GStrv) names = builtin_names(kinds[k]);

		g_string_append_printf(out, "\nbuilt-in %s:\n", k ? "workloads" : "machines");
		for (char **n = names; n && *n; n++)
			g_string_append_printf(out, "  %s\n", *n);
	}
	fputs(out->str, stdout);
	return 0;
}

static int cmd_info(int argc, char **argv)
{
	gboolean pagetypeinfo = FALSE;
	const GOptionEntry entries[] = {
		{ "pagetypeinfo", 'p', 0, G_OPTION_ARG_NONE, &pagetypeinfo,
		  "Also print /proc/pagetypeinfo", NULL },
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	struct cmasim_config *cfg;
	struct cmasim_mem *mem;

	if (!parse_options("info", "[MACHINE]",
			   "Print a machine's zones, watermarks and free lists after boot.",
			   "MACHINE is a config file or a built-in name (default " DEFAULT_MACHINE ").\n\n"
			   "Examples:\n  cmasim info\n  cmasim info x86-64-8g --pagetypeinfo\n"
			   "  cmasim info my-board.yaml\n",
			   entries, &argc, &argv))
		return 2;
	if (argc > 2)
		return usage_error("info", "expected one machine");
	cfg = load_machine(argc == 2 ? argv[1] : DEFAULT_MACHINE, &error);
	if (!cfg) {
		print_error("info", error);
		return 1;
	}
	mem = cmasim_mem_new(cfg);

	g_autoptr(GString) out = g_string_new(NULL);
	g_string_append_printf(out, "machine %s: %" PRIu64 " MiB at %#" PRIx64 ", %u-byte pages, "
			       "max order %u, pageblock order %u, lowmem %" PRIu64 " MiB\n",
			       cfg->name, cfg->mem_size >> 20, cfg->mem_base, cfg->page_size,
			       cfg->max_page_order, cfg->pageblock_order, cfg->lowmem_size >> 20);
	g_string_append_printf(out, "%-8s %12s %12s %10s %8s %8s %8s\n", "zone", "start_pfn",
			       "end_pfn", "present", "min", "low", "high");
	for (unsigned int z = 0; z < cmasim_mem_nr_zones(mem); z++) {
		struct cmasim_zone_info zi;

		cmasim_mem_zone_info(mem, z, &zi);
		g_string_append_printf(out, "%-8s %#12" PRIx64 " %#12" PRIx64 " %10" PRIu64
				       " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
				       cmasim_zone_type_name(zi.type), zi.start_pfn, zi.end_pfn,
				       zi.present, zi.wmark_min, zi.wmark_low, zi.wmark_high);
	}
	for (unsigned int d = 0; d < cfg->nr_devices; d++)
		g_string_append_printf(out, "device %s: dma mask %#" PRIx64 ", %s\n",
				       cfg->devices[d].name, cfg->devices[d].dma_mask,
				       cfg->devices[d].coherent ? "coherent" : "not coherent");
	g_string_append(out, "\n/proc/buddyinfo:\n");
	cmasim_dump_buddyinfo(mem, out);
	if (pagetypeinfo) {
		g_string_append(out, "\n/proc/pagetypeinfo:\n");
		cmasim_dump_pagetypeinfo(mem, false, out);
	}
	fputs(out->str, stdout);
	cmasim_mem_free(mem);
	cmasim_config_free(cfg);
	return 0;
}

static int cmd_cache(int argc, char **argv)
{
	g_autofree char *machine = NULL, *size = NULL, *ways = NULL, *line = NULL;
	g_autofree char *indexing = NULL, *write_policy = NULL, *prefetcher = NULL, *degree = NULL;
	g_autofree char *trace_format = NULL, *format = NULL, *output = NULL;
	gboolean no_write_allocate = FALSE;
	const GOptionEntry entries[] = {
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &machine,
		  "Machine whose data cache to start from: a file or a built-in name (default "
		  DEFAULT_MACHINE ")", "MACHINE" },
		{ "size", 0, 0, G_OPTION_ARG_STRING, &size, "Cache size, such as 32KiB", "SIZE" },
		{ "ways", 0, 0, G_OPTION_ARG_STRING, &ways, "Ways (associativity)", "N" },
		{ "line", 0, 0, G_OPTION_ARG_STRING, &line, "Line size in bytes, a power of two",
		  "BYTES" },
		{ "indexing", 0, 0, G_OPTION_ARG_STRING, &indexing, "pipt, vipt or vivt", "MODE" },
		{ "write-policy", 0, 0, G_OPTION_ARG_STRING, &write_policy,
		  "wb (write-back) or wt (write-through)", "POLICY" },
		{ "no-write-allocate", 0, 0, G_OPTION_ARG_NONE, &no_write_allocate,
		  "A write that misses goes around the cache instead of filling the line", NULL },
		{ "prefetcher", 0, 0, G_OPTION_ARG_STRING, &prefetcher, "none, next-line or stride",
		  "NAME" },
		{ "prefetch-degree", 0, 0, G_OPTION_ARG_STRING, &degree,
		  "Lines a prefetch fetches (0 to 64)", "N" },
		{ "trace-format", 0, 0, G_OPTION_ARG_STRING, &trace_format,
		  "auto (default: told from the first record), lackey, din or plain", "FORMAT" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "Output format: table (default), json or csv", "FORMAT" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "Write the figures to FILE instead of standard output", "FILE" },
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	struct cmasim_config *cfg = NULL;
	struct cmasim_cache *cache = NULL;
	struct cmasim_addrtrace *trace = NULL;
	struct cmasim_cache_config cc;
	struct outfile out = { 0 };
	enum cmasim_format fmt = CMASIM_FORMAT_TABLE;
	enum cmasim_addrtrace_format tfmt = CMASIM_ADDRTRACE_AUTO;
	uint64_t cache_size = 0, nr_ways = 0, line_bytes = 0, nr_degree = 0;
	uint64_t loads = 0, stores = 0, modifies = 0, cleans = 0, invalidates = 0, line_ops = 0;
	unsigned int ix = 0, pf = 0;
	struct cmasim_addr_ref ref;
	g_autoptr(GString) text = NULL;
	int got, ret = 1;

	if (!parse_options("cache", "TRACE",
			   "Run an address trace through a data cache and print its hits and misses.",
			   "TRACE is an address trace, gzipped or not: valgrind lackey's output\n"
			   "(--tool=lackey --trace-mem=yes), DineroIV din ('label address [size]'), or\n"
			   "plain 'R|W address size' lines. Instruction fetches are skipped, and each\n"
			   "address is taken as both virtual and physical. A modify (lackey M) is a read\n"
			   "then a write of the same bytes: cachegrind's Dr, D1mr and D1mw are\n"
			   "read_accesses, read_misses and write_misses, and its Dw is write_accesses\n"
			   "less trace_modifies. The cache is the machine's, changed by the options.\n\n"
			   "Examples:\n"
			   "  valgrind --tool=lackey --trace-mem=yes --log-file=trace.txt ./prog\n"
			   "  cmasim cache trace.txt\n"
			   "  cmasim cache trace.txt.gz --size 16KiB --ways 2 --line 32 -f json -o d1.json\n"
			   "  cmasim cache refs.din --write-policy wt --no-write-allocate --prefetcher stride\n",
			   entries, &argc, &argv))
		return 2;
	if (argc != 2)
		return usage_error("cache", "expected one trace");
	if (!parse_format("cache", format, &fmt))
		return 2;
	if (trace_format && !cmasim_addrtrace_format_parse(trace_format, &tfmt))
		return usage_error("cache", "--trace-format expects auto, lackey, din or plain");
	if (size && !cmasim_parse_size(size, strlen(size), &cache_size))
		return usage_error("cache", "--size expects a size such as 32KiB");
	if (ways && (!cmasim_parse_uint(ways, strlen(ways), &nr_ways) || !nr_ways ||
		     nr_ways > UINT_MAX))
		return usage_error("cache", "--ways expects a whole number from 1");
	if (line && (!cmasim_parse_uint(line, strlen(line), &line_bytes) || line_bytes > UINT_MAX))
		return usage_error("cache", "--line expects a number of bytes, such as 64");
	for (ix = 0; indexing && ix <= CMASIM_CACHE_VIVT &&
		     strcmp(indexing, cmasim_cache_indexing_name(ix)); ix++)
		;
	if (indexing && ix > CMASIM_CACHE_VIVT)
		return usage_error("cache", "--indexing expects pipt, vipt or vivt");
	if (write_policy && strcmp(write_policy, "wb") && strcmp(write_policy, "wt"))
		return usage_error("cache", "--write-policy expects wb or wt");
	/* speculation needs the machine's mappings, which a trace does not carry */
	for (pf = 0; prefetcher && pf < CMASIM_PREFETCH_SPECULATIVE &&
		     strcmp(prefetcher, cmasim_prefetcher_name(pf)); pf++)
		;
	if (prefetcher && pf == CMASIM_PREFETCH_SPECULATIVE)
		return usage_error("cache", "--prefetcher expects none, next-line or stride");
	if (degree && (!cmasim_parse_uint(degree, strlen(degree), &nr_degree) ||
		       nr_degree > CMASIM_PREFETCH_DEGREE_MAX))
		return usage_error("cache", "--prefetch-degree expects a number from 0 to 64");

	cfg = load_machine(machine ? machine : DEFAULT_MACHINE, &error);
	if (!cfg)
		goto out;
	cc = cfg->cache;
	if (size)
		cc.size = cache_size;
	if (ways)
		cc.ways = (unsigned int)nr_ways;
	if (line)
		cc.line_size = (unsigned int)line_bytes;
	if (indexing)
		cc.indexing = ix;
	if (write_policy)
		cc.write_back = !strcmp(write_policy, "wb");
	if (no_write_allocate)
		cc.write_allocate = false;
	if (prefetcher)
		cc.prefetcher = pf;
	if (degree)
		cc.prefetch_degree = (unsigned int)nr_degree;
	cache = cmasim_cache_new(&cc, cfg->page_shift, 0, &error);
	if (!cache) {
		ret = 2;	/* the options asked for an impossible cache */
		goto out;
	}

	trace = cmasim_addrtrace_open(argv[1], tfmt, &error);
	if (!trace)
		goto out;
	while ((got = cmasim_addrtrace_next(trace, &ref, &error)) > 0) {
		switch (ref.op) {
		case CMASIM_ADDR_READ:
			loads++;
			cmasim_cache_access(cache, ref.addr, ref.addr, ref.size, false);
			break;
		case CMASIM_ADDR_WRITE:
			stores++;
			cmasim_cache_access(cache, ref.addr, ref.addr, ref.size, true);
			break;
		case CMASIM_ADDR_MODIFY:
			modifies++;
			cmasim_cache_access(cache, ref.addr, ref.addr, ref.size, false);
			cmasim_cache_access(cache, ref.addr, ref.addr, ref.size, true);
			break;
		case CMASIM_ADDR_CLEAN:
			cleans++;
			line_ops += cmasim_cache_clean(cache, ref.addr, ref.addr, ref.size);
			break;
		case CMASIM_ADDR_INVALIDATE:
			invalidates++;
			line_ops += cmasim_cache_invalidate(cache, ref.addr, ref.addr, ref.size);
			break;
		}
	}
	if (got < 0)
		goto out;

	const struct cmasim_cache_report report = {
		.cache = &cc,
		.trace_format = cmasim_addrtrace_format_name(cmasim_addrtrace_format(trace)),
		.loads = loads, .stores = stores, .modifies = modifies,
		.ifetches = cmasim_addrtrace_nr_ifetches(trace),
		.cleans = cleans, .invalidates = invalidates, .line_ops = line_ops,
		.stats = cmasim_cache_stats(cache),
	};

	text = g_string_new(NULL);
	cmasim_report_cache(&report, fmt, text);
	if (outfile_open(&out, output, &error) && outfile_finish(&out, text, NULL, &error))
		ret = 0;
out:
	if (error)
		print_error("cache", error);
	outfile_close(&out, false, NULL);
	cmasim_addrtrace_close(trace);
	cmasim_cache_free(cache);
	cmasim_config_free(cfg);
	return ret;
}

static const struct subcommand subcommands[] = {
	{ "run", "replay a workload under one policy and print its figures", cmd_run },
	{ "compare", "replay a workload under several policies, figures side by side",
	  cmd_compare },
	{ "gen", "expand a workload's generators into an explicit or binary trace", cmd_gen },
	{ "list", "list policies, built-in machines and workloads", cmd_list },
	{ "info", "print a machine's zones, watermarks and free lists", cmd_info },
	{ "cache", "run an address trace through a data cache and print its misses", cmd_cache },
};

static void usage(FILE *to)
{
	fprintf(to, "Usage: cmasim COMMAND [OPTION...]\n\nCommands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(subcommands); i++)
		fprintf(to, "  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(to, "\nRun 'cmasim COMMAND --help' for a command's options and examples.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(subcommands); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "cmasim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

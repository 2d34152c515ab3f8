// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy settings as --set and gate files give them, and many replays on
 * worker threads: see cli.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/error.h"
#include "cli.h"

static void setting_clear(void *p)
{
	struct cli_setting *s = p;

	g_free(s->text);
	g_free(s->policy);
	g_free(s->setting);
}

/* "buddy, cma": the names of @policies, for messages. */
static char *policy_names(const struct cmasim_policy_ops *const *policies)
{
	GString *names = g_string_new(NULL);

	for (; *policies; policies++)
		g_string_append_printf(names, "%s%s", names->len ? ", " : "", (*policies)->name);
	return g_string_free(names, FALSE);
}

/* Checks and appends one @text to @all; false with @error. */
static bool setting_parse(GArray *all, const char *text,
			  const struct cmasim_policy_ops *const *policies, const char *verb,
			  GError **error)
{
	const char *eq = strchr(text, '=');
	const char *dot = eq ? memchr(text, '.', (size_t)(eq - text)) : NULL;
	struct cli_setting s = { g_strdup(text), dot ? g_strndup(text, (size_t)(dot - text)) : NULL,
				 g_strdup(dot ? dot + 1 : text) };
	g_autofree char *run = policy_names(policies);
	size_t name_len = strcspn(s.setting, "=");
	unsigned int applied = 0;

	g_array_append_val(all, s);
	if (!eq) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "--set %s: expected name=value or policy.name=value", text);
		return false;
	}
	if (s.policy && !cmasim_policy_find(s.policy)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "--set %s: no policy named '%s' (see cmasim list)", text, s.policy);
		return false;
	}
	for (const struct cmasim_policy_ops *const *p = policies; *p; p++) {
		const char *const one[] = { s.setting, NULL };
		struct cmasim_param_values values;
		g_autoptr(GError) why = NULL;

		if (s.policy ? strcmp((*p)->name, s.policy) != 0
			     : !cmasim_policy_has_param(*p, s.setting, name_len))
			continue;
		if (!cmasim_policy_params(*p, one, &values, &why)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE, "%s", why->message);
			return false;
		}
		applied++;
	}
	if (!applied && s.policy)
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "--set %s: policy %s is not %s (expected one of: %s)", text, s.policy,
			    verb, run);
	else if (!applied)
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "--set %s: none of the policies %s (%s) has a parameter %.*s "
			    "(see cmasim list)", text, verb, run, (int)name_len, s.setting);
	return applied > 0;
}

GArray *cli_settings_parse(const char *const *set, const struct cmasim_policy_ops *const *policies,
			   const char *verb, GError **error)
{
	GArray *all = g_array_new(FALSE, FALSE, sizeof(struct cli_setting));

	g_array_set_clear_func(all, setting_clear);
	for (; set && *set; set++) {
		if (!setting_parse(all, *set, policies, verb, error)) {
			g_array_unref(all);
			return NULL;
		}
	}
	return all;
}

char **cli_settings_for(const GArray *settings, const struct cmasim_policy_ops *ops)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; settings && i < settings->len; i++) {
		const struct cli_setting *s = &g_array_index(settings, struct cli_setting, i);
		size_t len = strcspn(s->setting, "=");

		if (s->policy ? !strcmp(s->policy, ops->name)
			      : cmasim_policy_has_param(ops, s->setting, len))
			g_ptr_array_add(out, g_strdup(s->setting));
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

bool cli_job_refused(const struct cli_job *job)
{
	return g_error_matches(job->error, CMASIM_ERROR, CMASIM_ERROR_POLICY);
}

/* What the worker threads share: the jobs, and which to take next. */
struct queue {
	struct cli_job *jobs;
	int nr;
	const int *order;	/* the jobs' indices in the order to take them */
	int done;		/* jobs finished; atomic */
	int next;		/* position in order of the next job to take; atomic */
	int first_failed;	/* lowest index of a job that failed, nr if none; atomic */
	bool skip_refusals;
};

/* Replays @job's policy on its own trace of its workload. */
static void job_run(struct cli_job *job)
{
	gint64 start = g_get_monotonic_time();
	struct cmasim_trace *trace = cli_workload_trace(job->workload, &job->error);

	job->opts.set = (const char *const *)job->set;
	FILE **streams[CLI_NR_CAPTURES] = { &job->opts.timeline, &job->opts.requests,
					    &job->opts.map };

	for (unsigned int c = 0; c < CLI_NR_CAPTURES; c++)
		if (job->captured[c].on)
			*streams[c] = open_memstream(&job->captured[c].text, &job->captured[c].len);
	if (trace)
		job->r = cmasim_run(job->cfg, trace, &job->opts, &job->error);
	for (unsigned int c = 0; c < CLI_NR_CAPTURES; c++) {
		if (*streams[c])
			fclose(*streams[c]);
		*streams[c] = NULL;
	}
	cmasim_trace_close(trace);
	job->wall_us = g_get_monotonic_time() - start;
}

/*
 * A worker: runs jobs in the queue's order until none are left. Jobs
 * after one that failed are skipped: the lowest that fails is never
 * skipped, so it is the one reported however many workers there are.
 */
static void *worker(void *arg)
{
	struct queue *q = arg;

	for (int at; (at = g_atomic_int_add(&q->next, 1)) < q->nr;) {
		int i = q->order[at];

		if (g_atomic_int_get(&q->first_failed) < i)
			continue;
		job_run(&q->jobs[i]);
		cli_progress_runs((unsigned int)g_atomic_int_add(&q->done, 1) + 1,
				  (unsigned int)q->nr);
		if (q->skip_refusals && cli_job_refused(&q->jobs[i]))
			continue;
		for (int old; !q->jobs[i].r && (old = g_atomic_int_get(&q->first_failed)) > i;)
			if (g_atomic_int_compare_and_exchange(&q->first_failed, old, i))
				break;
	}
	return NULL;
}

unsigned int cli_jobs_run(struct cli_job *jobs, unsigned int nr, unsigned int workers,
			  bool skip_refusals)
{
	struct queue q = { .jobs = jobs, .nr = (int)nr, .first_failed = (int)nr,
			   .skip_refusals = skip_refusals };
	g_autofree GThread **threads = NULL;
	g_autofree int *order = g_new(int, nr);
	unsigned int at = 0;

	/*
	 * Longest first, so that the short ones fill the other workers while
	 * it runs: a policy that maintains the cache maps its buffers
	 * cacheable, and every CPU access to them then runs line by line
	 * through the modelled cache, many times the work of any other.
	 */
	for (int heavy = 1; heavy >= 0; heavy--)
		for (unsigned int i = 0; i < nr; i++)
			if ((jobs[i].opts.policy->sync_for_device != NULL) == heavy)
				order[at++] = (int)i;
	q.order = order;

	workers = MAX(MIN(workers, nr), 1);
	threads = g_new(GThread *, workers);
	/* the error quark is made before any worker can race to make it */
	(void)CMASIM_ERROR;
	for (unsigned int t = 1; t < workers; t++)
		threads[t] = g_thread_new("cmasim-job", worker, &q);
	worker(&q);
	for (unsigned int t = 1; t < workers; t++)
		g_thread_join(threads[t]);
	cli_progress_end();
	return (unsigned int)q.first_failed;
}

void cli_jobs_free(struct cli_job *jobs, unsigned int nr)
{
	for (unsigned int i = 0; jobs && i < nr; i++) {
		g_strfreev(jobs[i].set);
		for (unsigned int c = 0; c < CLI_NR_CAPTURES; c++)
			free(jobs[i].captured[c].text);
		cmasim_results_free(jobs[i].r);
		g_clear_error(&jobs[i].error);
	}
	g_free(jobs);
}

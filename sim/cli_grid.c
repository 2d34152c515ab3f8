// SPDX-License-Identifier: GPL-2.0-only
/*
 * Grids of runs: every workload on every machine under every policy, each
 * input loaded once; what compare and report share. See cli.h.
 */
#include <string.h>

#include "cli.h"

const struct cmasim_policy_ops **cli_parse_policies(const char *cmd, const char *list)
{
	g_auto(GStrv) names = list ? g_strsplit(list, ",", -1) : NULL;
	unsigned int nr = names ? g_strv_length(names) : cmasim_nr_policies;
	const struct cmasim_policy_ops **ops = g_new0(const struct cmasim_policy_ops *, nr + 1);

	if (!nr || (names && g_strv_contains((const char *const *)names, ""))) {
		cli_usage_error(cmd, "-p expects policy names separated by commas");
		goto fail;
	}
	for (unsigned int i = 0; i < nr; i++) {
		ops[i] = names ? cmasim_policy_find(names[i]) : cmasim_policies[i];
		if (!ops[i]) {
			fprintf(stderr, "cmasim %s: no policy named '%s' (see cmasim list)\n", cmd,
				names[i]);
			goto fail;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (ops[j] == ops[i]) {
				fprintf(stderr, "cmasim %s: -p names %s twice (expected each "
					"policy once)\n", cmd, names[i]);
				goto fail;
			}
		}
	}
	return ops;
fail:
	g_free(ops);
	return NULL;
}

/* The machine called @name, loaded once for all the cells that use it. */
static struct cmasim_config *grid_machine(struct cli_grid *g, GHashTable *by_name, const char *name,
					  GError **error)
{
	struct cmasim_config *cfg = g_hash_table_lookup(by_name, name);

	if (cfg)
		return cfg;
	cfg = cli_load_machine(name, error);
	if (cfg) {
		g_ptr_array_add(g->machines, cfg);
		g_hash_table_insert(by_name, g_strdup(name), cfg);
	}
	return cfg;
}

bool cli_grid_build(struct cli_grid *g, char **workloads, char **machines,
		    const struct cmasim_policy_ops *const *policies, const GArray *settings,
		    const uint64_t *seed, GError **error)
{
	g_autoptr(GHashTable) by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							      NULL);
	unsigned int nr_machines = g_strv_length(machines);

	g->machines = g_ptr_array_new_with_free_func((GDestroyNotify)cmasim_config_free);
	g->nr_workloads = g_strv_length(workloads);
	g->workloads = g_new0(struct cli_workload, g->nr_workloads);
	while (policies[g->nr_policies])
		g->nr_policies++;
	g->jobs = g_new0(struct cli_job, g->nr_workloads * MAX(nr_machines, 1) * g->nr_policies);
	for (unsigned int wl = 0; wl < g->nr_workloads; wl++) {
		struct cli_workload *w = &g->workloads[wl];

		if (!cli_workload_open(workloads[wl], true, w, error))
			return false;
		for (unsigned int m = 0; m < MAX(nr_machines, 1); m++) {
			const char *name = cli_workload_machine(w, nr_machines ? machines[m] : NULL);
			struct cmasim_config *cfg = grid_machine(g, by_name, name, error);

			if (!cfg)
				return false;
			for (unsigned int p = 0; p < g->nr_policies; p++) {
				struct cli_job *job = &g->jobs[g->nr_jobs++];

				job->cfg = cfg;
				job->workload = w;
				job->opts.policy = policies[p];
				job->opts.seed = seed ? *seed : cmasim_trace_info(w->trace)->seed;
				job->set = cli_settings_for(settings, policies[p]);
			}
		}
	}
	return true;
}

void cli_grid_free(struct cli_grid *g)
{
	cli_jobs_free(g->jobs, g->nr_jobs);
	for (unsigned int i = 0; i < g->nr_workloads; i++)
		cli_workload_close(&g->workloads[i]);
	g_free(g->workloads);
	if (g->machines)
		g_ptr_array_free(g->machines, TRUE);
}

void cli_job_error(const char *cmd, const struct cli_job *job)
{
	const char *source = job->workload->source;
	size_t len = strlen(source);
	const char *msg = job->error->message;

	if ((!strncmp(msg, source, len) && msg[len] == ':') || cli_job_refused(job))
		fprintf(stderr, "cmasim %s: %s\n", cmd, msg);
	else
		fprintf(stderr, "cmasim %s: policy %s: %s\n", cmd, job->opts.policy->name, msg);
}

struct cmasim_compare_group *cli_grid_groups(const char *cmd, const struct cli_grid *g,
					     unsigned int *nr, GPtrArray *runs)
{
	unsigned int cells = g->nr_jobs / g->nr_policies;
	struct cmasim_compare_group *groups = g_new0(struct cmasim_compare_group, cells);

	g_ptr_array_set_size(runs, g->nr_jobs);
	for (unsigned int c = 0; c < cells; c++) {
		const struct cli_job *cell = &g->jobs[c * g->nr_policies];
		unsigned int n = 0;

		groups[c].cfg = cell->cfg;
		groups[c].runs = (const struct cmasim_results *const *)&runs->pdata[c * g->nr_policies];
		for (unsigned int p = 0; p < g->nr_policies; p++) {
			if (cell[p].r) {
				runs->pdata[c * g->nr_policies + n++] = cell[p].r;
				continue;
			}
			fprintf(stderr, "cmasim %s: %s; left out\n", cmd, cell[p].error->message);
		}
		groups[c].n = n;
		if (!n) {
			fprintf(stderr, "cmasim %s: no policy can run on machine %s\n", cmd,
				cell->cfg->name);
			g_free(groups);
			return NULL;
		}
	}
	*nr = cells;
	return groups;
}

void cli_grid_timings(const char *cmd, const struct cli_grid *g, unsigned int workers,
		      gint64 all_us)
{
	fprintf(stderr, "cmasim %s: host time of each run, %u at a time:\n", cmd, workers);
	for (unsigned int i = 0; i < g->nr_jobs; i++) {
		const struct cli_job *job = &g->jobs[i];

		if (!job->r)
			continue;
		if (g->nr_jobs > g->nr_policies)
			fprintf(stderr, "  %s/%s/%-14s %8.3f s\n", job->cfg->name, job->r->workload,
				job->opts.policy->name, (double)job->wall_us / 1e6);
		else
			fprintf(stderr, "  %-14s %8.3f s\n", job->opts.policy->name,
				(double)job->wall_us / 1e6);
	}
	fprintf(stderr, "  %-14s %8.3f s\n", "all", (double)all_us / 1e6);
}


// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replay speed: shipped workloads compiled once into the binary event
 * stream, then replayed by the engine on their machines under the buddy
 * policy, as `cmasim run trace.bin` does. Prints events per second of CPU
 * time, the best of five runs, boot included. Then what the request log
 * (run --requests) costs: gpu-pinning under cma, whose every request
 * meets pinned pages, with and without it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cmasim/engine.h"
#include "bench.h"

/* What each workload must replay at, in million events per second. */
static const struct {
	const char *workload;
	double goal;
} cases[] = {
	{ "fragmenting-churn", 8 },
	{ "video-pipeline", 2 },
};

/* The path of @dir/@name.yaml in the source tree. */
static char *source_file(const char *dir, const char *name)
{
	g_autofree char *file = g_strconcat(name, ".yaml", NULL);

	return g_build_filename(CMASIM_SOURCE_ROOT, dir, file, NULL);
}

/* Compiles workload @name for its machine into @bin; the machine, or NULL. */
static struct cmasim_config *compile(const char *name, const char *bin, GError **error)
{
	g_autofree char *path = source_file("workloads", name);
	struct cmasim_trace *trace = cmasim_trace_open(path, error);
	struct cmasim_config *cfg = NULL;
	FILE *out;

	if (!trace)
		return NULL;
	g_autofree char *machine = source_file("configs", cmasim_trace_info(trace)->machine);

	cfg = cmasim_config_load_file(machine, error);
	out = fopen(bin, "wb");
	if (!cfg || !out || !cmasim_trace_start(trace, cfg, cmasim_trace_info(trace)->seed, error) ||
	    !cmasim_trace_write(trace, true, out, error)) {
		cmasim_config_free(cfg);
		cfg = NULL;
	}
	if (out)
		fclose(out);
	cmasim_trace_close(trace);
	return cfg;
}

/*
 * Replays @bin on @cfg under @policy, its request log to @requests (or
 * none); the CPU seconds it took, or a negative number.
 */
static double replay(const struct cmasim_config *cfg, const char *bin, const char *policy,
		     FILE *requests, uint64_t *events, GError **error)
{
	struct cmasim_trace *trace = cmasim_trace_open(bin, error);
	struct cmasim_run_options opts = { .policy = cmasim_policy_find(policy),
					   .seed = trace ? cmasim_trace_info(trace)->seed : 0,
					   .requests = requests };
	double t0 = now();
	struct cmasim_results *r = trace ? cmasim_run(cfg, trace, &opts, error) : NULL;
	double secs = now() - t0;

	cmasim_trace_close(trace);
	if (!r)
		return -1;
	*events = r->events;
	cmasim_results_free(r);
	return secs;
}

/*
 * The request log's cost: RUNS pairs of runs, one with it and one without,
 * their order swapped from pair to pair, and the median of the pairs'
 * ratios. A run is a tenth of a second, as short as the host's slow
 * spells: the two runs of a pair mostly share one, where the best of each
 * side may come from different ones.
 */
static bool request_log(const char *dir)
{
	enum { RUNS = 15 };
	GError *error = NULL;
	g_autofree char *bin = g_build_filename(dir, "trace.bin", NULL);
	struct cmasim_config *cfg = compile("gpu-pinning", bin, &error);
	FILE *null = fopen("/dev/null", "w");
	double ratio[RUNS], best[2] = { 0, 0 };
	uint64_t events = 0;

	for (int p = 0; cfg && null && !error && p < RUNS; p++) {
		double secs[2];

		for (int k = 0; k < 2 && !error; k++) {
			bool with = (p + k) % 2;

			secs[with] = replay(cfg, bin, "cma", with ? null : NULL, &events, &error);
			best[with] = p ? MIN(best[with], secs[with]) : secs[with];
		}
		if (!error)
			ratio[p] = secs[1] / secs[0];
	}
	g_unlink(bin);
	cmasim_config_free(cfg);
	if (null)
		fclose(null);
	if (error || !null) {
		fprintf(stderr, "gpu-pinning: %s\n", error ? error->message : "no /dev/null");
		return false;
	}
	qsort(ratio, RUNS, sizeof(ratio[0]), bench_by_value);
	printf("request log (gpu-pinning, cma, to /dev/null): %d pairs of runs, median ratio %.3f\n",
	       RUNS, ratio[RUNS / 2]);
	printf("request log: best %.3f s without, %.3f s with\n", best[0], best[1]);
	printf("result request_log_overhead %.1f %% <=10\n", (ratio[RUNS / 2] - 1) * 100);
	return true;
}

int main(void)
{
	enum { RUNS = 5 };
	GError *error = NULL;
	g_autofree char *dir = g_dir_make_tmp("cmasim-bench-XXXXXX", &error);

	if (!dir) {
		fprintf(stderr, "%s\n", error->message);
		return 1;
	}
	for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
		g_autofree char *bin = g_build_filename(dir, "trace.bin", NULL);
		struct cmasim_config *cfg = compile(cases[c].workload, bin, &error);
		double best = 0;
		uint64_t events = 0;

		for (int i = 0; cfg && i < RUNS; i++) {
			double secs = replay(cfg, bin, "buddy", NULL, &events, &error);

			if (secs < 0)
				break;
			best = i ? MIN(best, secs) : secs;
		}
		g_unlink(bin);
		cmasim_config_free(cfg);
		if (error) {
			fprintf(stderr, "%s: %s\n", cases[c].workload, error->message);
			return 1;
		}
		printf("replay %s: %" PRIu64 " events, best of %d runs %.3f s of CPU: %.2f million "
		       "events/s (binary stream, buddy policy)\n", cases[c].workload, events, RUNS,
		       best, (double)events / best / 1e6);
		printf("result replay_%s %.2f Mevents/s >=%g\n", cases[c].workload,
		       (double)events / best / 1e6, cases[c].goal);
	}
	return request_log(dir) ? (g_rmdir(dir), 0) : 1;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replay speed: a churn workload expanded once into the binary event
 * stream, then replayed by the engine under the buddy policy, as `cmasim
 * run trace.bin` does. Prints events per second of host time.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cmasim/engine.h"

static const char machine[] =
	"name: bench-1g\n"
	"memory: { size: 1GiB, lowmem: 768MiB }\n"
	"devices: [ { name: camera, dma_bits: 32 } ]\n";

int main(int argc, char **argv)
{
	uint64_t nr_events = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	/* half allocations, half frees: rate x duration allocations */
	uint64_t seconds = nr_events / 2 / 100000;
	g_autofree char *workload = g_strdup_printf(
		"name: bench-churn\nseed: 1\nevents:\n"
		"  - { t: 0, op: churn, duration: %" PRIu64 "s, rate: 100000, lifetime: 100ms,\n"
		"      orders: { 0: 85, 1: 8, 2: 4, 3: 3 },\n"
		"      migratetypes: { movable: 70, unmovable: 20, reclaimable: 10 } }\n"
		"  - { t: 1s, op: repeat, count: %" PRIu64 ", period: 1s, events: [\n"
		"      { t: 0, op: dma_alloc, device: camera, size: 3110400, id: frame },\n"
		"      { t: 500ms, op: dma_free, id: frame } ] }\n",
		seconds, seconds > 1 ? seconds - 1 : 1);
	GError *error = NULL;
	struct cmasim_config *cfg = cmasim_config_load_data("bench-1g", machine,
							    strlen(machine), &error);
	g_autofree char *dir = g_dir_make_tmp("cmasim-bench-XXXXXX", &error);

	if (!cfg || !dir) {
		fprintf(stderr, "%s\n", error->message);
		return 1;
	}
	g_autofree char *path = g_build_filename(dir, "churn.bin", NULL);
	FILE *out = fopen(path, "wb");
	struct cmasim_trace *trace = cmasim_trace_open_data("bench-churn", workload,
							    strlen(workload), &error);

	if (!out || !trace || !cmasim_trace_start(trace, cfg, 1, &error) ||
	    !cmasim_trace_write(trace, true, out, &error) || fclose(out)) {
		fprintf(stderr, "%s\n", error ? error->message : "cannot write the trace");
		return 1;
	}
	cmasim_trace_close(trace);

	trace = cmasim_trace_open(path, &error);
	struct cmasim_run_options opts = { .policy = cmasim_policy_find("buddy"), .seed = 1 };
	int64_t t0 = g_get_monotonic_time();
	struct cmasim_results *r = trace ? cmasim_run(cfg, trace, &opts, &error) : NULL;
	double secs = (double)(g_get_monotonic_time() - t0) / 1e6;

	if (!r) {
		fprintf(stderr, "%s\n", error->message);
		return 1;
	}
	printf("replay: %" PRIu64 " events in %.3f s: %.2f million events/s "
	       "(binary stream, buddy policy, %" PRIu64 " of %" PRIu64 " dma_alloc ok)\n",
	       r->events, secs, (double)r->events / secs / 1e6, r->dma_ok, r->dma_requests);
	cmasim_results_free(r);
	cmasim_trace_close(trace);
	g_unlink(path);
	g_rmdir(dir);
	cmasim_config_free(cfg);
	return 0;
}

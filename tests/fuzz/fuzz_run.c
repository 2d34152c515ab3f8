// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the whole replay: a fuzzed trace, YAML or binary,
 * runs on a tiny machine under a policy and parameters the input picks,
 * with the invariants checked after every event. Any input must give
 * figures that add up or one error in the cmasim domain; a crash, a leak,
 * undefined behaviour, a GLib critical or warning (made fatal) or a hang
 * (libFuzzer's -timeout) is a finding. The work is bounded: the machine
 * has 256 pages, so no event does more than some thousands of steps, and
 * a run replays at most RECORDS records.
 *
 * Input: byte 0 picks the policy (modulo their number), byte 1 the
 * parameters set away from their defaults (bit i: parameter i), byte 2 the
 * seed; the rest is the trace.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/engine.h"
#include "cmasim/error.h"
#include "cmasim/trace.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RECORDS 64

/*
 * 1 MiB: DMA, Normal and HighMem, so that every policy runs (cma-highmem
 * needs HighMem); a device of each kind of reach and coherence; a
 * speculating VIPT cache, the case where aliases matter most.
 */
static const char machine_yaml[] =
	"name: fuzz\n"
	"memory: { size: 1MiB, max_page_order: 5, pageblock_order: 3, min_free_kbytes: 128,\n"
	"          zones: [ { type: DMA, size: 128KiB }, { type: Normal, size: 640KiB },\n"
	"                   { type: HighMem, size: 256KiB } ] }\n"
	"devices:\n"
	"  - { name: camera, dma_bits: 32 }\n"
	"  - { name: gpu, dma_bits: 32, coherent: true, roles: [gpu, display] }\n"
	"  - { name: legacy, dma_bits: 18 }\n"
	"cma: [ { size: 128KiB } ]\n"
	"cache: { size: 4KiB, ways: 2, line: 32, indexing: vipt, prefetcher: speculative,\n"
	"         speculation_rate: 0.5, uncached_hits: true }\n"
	"mmu: { section_size: 64KiB, tlb_page_entries: 8, tlb_section_entries: 4 }\n"
	"atomic_pool: 32KiB\n";

static struct cmasim_config *machine;

/*
 * As G_DEBUG=fatal-criticals does, a critical or a warning (a misuse the
 * input led to) ends the process, but by abort(), which libFuzzer catches
 * to keep the input, rather than the breakpoint trap GLib uses.
 */
static void fatal_log(const char *domain, GLogLevelFlags level, const char *message, void *data)
{
	g_log_default_handler(domain, level, message, data);
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	g_log_set_default_handler(fatal_log, NULL);
	machine = cmasim_config_load_data("fuzz-machine.yaml", machine_yaml,
					  sizeof(machine_yaml) - 1, NULL);
	if (!machine)
		abort();
	return 0;
}

/* A value for parameter @p away from its default. */
static const char *other_value(const struct cmasim_param *p)
{
	switch (p->type) {
	case CMASIM_PARAM_BOOL:
		return strcmp(p->default_value, "true") ? "true" : "false";
	case CMASIM_PARAM_UINT:
		return strcmp(p->default_value, "1") ? "1" : "2";
	default:
		return strcmp(p->default_value, "64KiB") ? "64KiB" : "32KiB";
	}
}

/* Aborts, so that libFuzzer keeps the input, unless @r's figures add up. */
static void check_results(const struct cmasim_results *r)
{
	uint64_t failed = 0, per_device = 0;

	for (unsigned int s = 0; s < CMASIM_NR_DMA_STATUS; s++)
		failed += r->dma_failed[s];
	for (unsigned int d = 0; d < r->nr_devices; d++)
		per_device += r->devices[d].requests;
	if (r->events > RECORDS || r->dma_ok > r->dma_requests || r->dma_failed[CMASIM_DMA_OK] ||
	    r->dma_ok + failed != r->dma_requests || per_device != r->dma_requests ||
	    r->dma_fallback_ok > r->dma_ok || r->dma_waste_bytes_peak > r->dma_bytes_peak)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *set[CMASIM_MAX_PARAMS + 1] = { NULL };
	struct cmasim_run_options opts = { .check_invariants = true, .max_events = RECORDS };
	struct cmasim_results *r = NULL;
	struct cmasim_trace *trace;
	GError *error = NULL;
	unsigned int n = 0;

	if (size < 3)
		return 0;
	opts.policy = cmasim_policies[data[0] % cmasim_nr_policies];
	for (unsigned int i = 0; i < CMASIM_MAX_PARAMS && opts.policy->params &&
			      opts.policy->params[i].name; i++) {
		const struct cmasim_param *p = &opts.policy->params[i];

		if (!(data[1] & (1u << i)))
			continue;
		set[n++] = g_strdup_printf("%s=%s", p->name, other_value(p));
	}
	opts.set = (const char *const *)set;
	opts.seed = data[2];
	trace = cmasim_trace_open_data("fuzz.yaml", (const char *)data + 3, size - 3, &error);
	if (trace)
		r = cmasim_run(machine, trace, &opts, &error);
	/* exactly one of the two, and a message in the cmasim domain */
	if (!r == !error || (error && (error->domain != CMASIM_ERROR || !error->message[0])))
		abort();
	if (r)
		check_results(r);
	cmasim_results_free(r);
	cmasim_trace_close(trace);
	g_clear_error(&error);
	for (unsigned int i = 0; i < n; i++)
		g_free(set[i]);
	return 0;
}

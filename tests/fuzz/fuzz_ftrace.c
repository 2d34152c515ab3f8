// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the ftrace importer: any bytes, as tracefs or
 * trace-cmd text (or gzip), must give a workload or one error in the
 * cmasim domain. A workload it writes must be YAML the trace reader
 * reads: records, or an error about a value (a pfn outside the machine),
 * never about its syntax or keys.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cmasim/error.h"
#include "cmasim/ftrace.h"
#include "cmasim/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct cmasim_config machine = {
	.name = (char *)"fuzz",
	.mem_base = 0,
	.mem_size = UINT64_C(1) << 30,
	.page_size = 4096,
	.page_shift = 12,
	.max_page_order = 10,
	.pageblock_order = 9,
	.lowmem_size = UINT64_C(1) << 30,
	.nr_zones = 1,
	.zones = { { CMASIM_ZONE_NORMAL, 0, UINT64_C(1) << 30 } },
};

/* Aborts, so that libFuzzer keeps the input, unless @error is a value's in the cmasim domain. */
static void check_error(const GError *error, bool value_only)
{
	if (!error || error->domain != CMASIM_ERROR || !error->message[0] ||
	    (value_only && error->code != CMASIM_ERROR_VALUE))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cmasim_ftrace_options opts = { .name = "fuzz", .page_size = 4096 };
	GBytes *in = g_bytes_new_static(data, size);
	GString *out = g_string_new(NULL);
	struct cmasim_ftrace_stats st;
	struct cmasim_trace *trace;
	struct cmasim_record rec;
	GError *error = NULL;
	int got = 1;

	if (!cmasim_ftrace_import("fuzz", in, &opts, out, &st, &error)) {
		check_error(error, false);
		goto out;
	}
	trace = cmasim_trace_open_data("fuzz.yaml", out->str, out->len, &error);
	if (!trace)
		abort();
	/* the workload's devices are its CMA areas, which this machine lacks */
	if (cmasim_trace_start(trace, &machine, 1, &error)) {
		while ((got = cmasim_trace_next(trace, &rec, &error)) > 0)
			;
	}
	if (error)
		check_error(error, !st.dma_allocs);
	cmasim_trace_close(trace);
out:
	g_clear_error(&error);
	g_string_free(out, TRUE);
	g_bytes_unref(in);
	return 0;
}

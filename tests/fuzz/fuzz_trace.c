// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the workload trace reader, YAML and binary alike
 * (the binary stream's magic picks the path). Any bytes must give records
 * or one error in the cmasim domain; never a crash, a leak or undefined
 * behaviour. Generators can expand without end, so a run stops reading
 * after a bounded number of records.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cmasim/error.h"
#include "cmasim/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cmasim_device devices[] = {
	{ .name = (char *)"camera", .dma_mask = 0xffffffff },
	/* a role, so that workloads naming a device by its job reach the resolver */
	{ .name = (char *)"gpu", .dma_mask = 0xffffffffff, .roles = 1u << CMASIM_ROLE_DISPLAY },
};

static const struct cmasim_config machine = {
	.name = (char *)"fuzz",
	.mem_base = 0x80000000,
	.mem_size = UINT64_C(1) << 30,
	.page_size = 4096,
	.page_shift = 12,
	.max_page_order = 10,
	.pageblock_order = 10,
	.lowmem_size = 768u << 20,
	.nr_zones = 2,
	.zones = {
		{ CMASIM_ZONE_NORMAL, 0x80000000, 0xb0000000 },
		{ CMASIM_ZONE_HIGHMEM, 0xb0000000, 0xc0000000 },
	},
	.nr_devices = 2,
	.devices = devices,
};

/* Aborts, so that libFuzzer keeps the input, if @error breaks the message contract. */
static void check_error(const GError *error)
{
	if (!error || error->domain != CMASIM_ERROR || !error->message[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	struct cmasim_trace *trace = cmasim_trace_open_data("fuzz.yaml", (const char *)data, size,
							    &error);
	struct cmasim_record rec;
	int got = 1;

	if (!trace) {
		check_error(error);
		g_error_free(error);
		return 0;
	}
	if (!cmasim_trace_start(trace, &machine, 1, &error)) {
		check_error(error);
		g_clear_error(&error);
		got = 0;
	}
	for (unsigned int n = 0; got > 0 && n < 100000; n++) {
		got = cmasim_trace_next(trace, &rec, &error);
		if (got > 0 && (rec.op >= CMASIM_NR_OPS ||
				(rec.op == CMASIM_OP_DMA_ALLOC && rec.a >= machine.nr_devices)))
			abort();
	}
	if (got < 0) {
		check_error(error);
		g_error_free(error);
	}
	cmasim_trace_close(trace);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for initial state files: any bytes (gzipped or not)
 * loaded into a small machine must load, leaving the allocator's
 * invariants whole, or give one error in the cmasim domain.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 MiB from 0x100000 (pfns 0x100-0x1ff), a hole, a reserved page, two zones */
static const char MACHINE[] =
	"memory:\n"
	"  base: 0x100000\n"
	"  size: 1MiB\n"
	"  max_page_order: 4\n"
	"  pageblock_order: 3\n"
	"  min_free_kbytes: 64\n"
	"  zones:\n"
	"    - { type: DMA, size: 256KiB }\n"
	"    - { type: Normal, size: 768KiB }\n"
	"  holes:\n"
	"    - { start: 0x120000, size: 12KiB }\n"
	"  reserved:\n"
	"    - { start: 0x130000, size: 4KiB }\n"
	"cpus: 2\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmasim_config *cfg;
	GBytes *in = g_bytes_new_static(data, size);
	GError *error = NULL;
	g_autoptr(GString) why = g_string_new(NULL);
	struct cmasim_mem *mem;
	struct cmasim_state *st;

	if (!cfg)
		cfg = cmasim_config_load_data("fuzz.yaml", MACHINE, strlen(MACHINE), NULL);
	if (!cfg)
		abort();
	mem = cmasim_mem_new(cfg);
	st = cmasim_state_load_data(mem, "fuzz.state", in, &error);
	if (!st && (!error || error->domain != CMASIM_ERROR || !error->message[0]))
		abort();
	if (!cmasim_mem_check_invariants(mem, why)) {
		fprintf(stderr, "%s\n", why->str);
		abort();
	}
	if (st) {
		uint64_t mismatched = 0;

		cmasim_state_reclaim(st, mem, UINT64_MAX);
		cmasim_pfn_free(mem, 0x100, 4, &mismatched);
		if (!cmasim_mem_check_invariants(mem, why)) {
			fprintf(stderr, "%s\n", why->str);
			abort();
		}
	}
	cmasim_state_free(st);
	g_clear_error(&error);
	cmasim_mem_free(mem);
	g_bytes_unref(in);
	return 0;
}

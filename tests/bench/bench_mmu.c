// SPDX-License-Identifier: GPL-2.0-only
/*
 * Translation speed: a fixed mix of CPU accesses on an ARMv7 phone whose
 * 64 MiB CMA area is page-mapped (cma-remap) and which holds 64 uncached
 * 1 MiB remaps: mostly short sequential runs in lowmem, some in the remaps.
 * Prints translations per second and the TLB hit rate, then how many
 * split-and-fold cycles (one page unmapped and mapped back) run per second.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/config.h"
#include "cmasim/mmu.h"
#include "bench.h"

static const char machine[] =
	"name: bench-mmu\n"
	"memory: { base: 0x80000000, size: 1GiB, max_page_order: 10, pageblock_order: 10,"
	" lowmem: 768MiB }\n";

#define NR_REMAPS 64

/* The access stream: runs of 16 reads 64 bytes apart from a random start. */
static void fill_vas(uint64_t *vas, size_t n, uint64_t lowmem_va, const uint64_t *remaps)
{
	uint64_t state = 1;

	for (size_t i = 0; i < n; i += 16) {
		uint64_t r = cmasim_splitmix64(&state), start;

		if (r % 10 < 8)		/* lowmem's first 256 MiB, the CMA area included */
			start = lowmem_va + ((r >> 8) % (256 << 20));
		else
			start = remaps[(r >> 8) % NR_REMAPS] + ((r >> 16) % ((1 << 20) - 1024));
		for (size_t k = 0; k < 16 && i + k < n; k++)
			vas[i + k] = start + 64 * k;
	}
}

int main(int argc, char **argv)
{
	uint64_t nr = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
	GError *error = NULL;
	struct cmasim_config *cfg = cmasim_config_load_data("bench-mmu", machine, strlen(machine),
							    &error);
	struct cmasim_mmu_stats st = { 0 };
	struct cmasim_mmu_counters c;
	uint64_t remaps[NR_REMAPS], pa, base, hits = 0;
	enum cmasim_attr attr;

	if (!cfg) {
		fprintf(stderr, "%s\n", error->message);
		return 1;
	}
	struct cmasim_mem *mem = cmasim_mem_new(cfg);
	struct cmasim_mmu *mmu = cmasim_mmu_new(mem, &error);
	if (!mmu) {
		fprintf(stderr, "%s\n", error->message);
		return 1;
	}
	base = cfg->mem_base >> cfg->page_shift;
	/* a 64 MiB CMA area 64 MiB into lowmem, page-mapped at boot */
	if (cmasim_mmu_linear_split(mmu, base + 16384, 16384, &st))
		return 1;
	for (int i = 0; i < NR_REMAPS; i++)
		if (cmasim_mmu_vmap(mmu, base + 16384 + 256 * (uint64_t)i, 256,
				    CMASIM_ATTR_UNCACHED, &remaps[i]))
			return 1;
	uint64_t *vas = g_new(uint64_t, nr);
	fill_vas(vas, nr, cmasim_mmu_page_address(mmu, base), remaps);

	double t0 = now();
	for (uint64_t i = 0; i < nr; i++)
		hits += cmasim_mmu_translate(mmu, vas[i], &pa, &attr) == 0;
	double secs = now() - t0;
	cmasim_mmu_counters(mmu, &c);
	printf("mmu: %" PRIu64 " translations in %.3f s: %.1f M per second, %.2f%% TLB hits "
	       "(%" PRIu64 " page misses, %" PRIu64 " section misses)\n", nr, secs,
	       (double)nr / secs / 1e6, 100.0 * (double)hits / (double)nr, c.tlb_page_misses,
	       c.tlb_section_misses);

	/* one page of a section out of the linear map and back: split, then fold */
	uint64_t cycles = 100000, pfn = base + 0x20005;
	printf("result mmu_translate %.1f Mtranslations/s -\n", (double)nr / secs / 1e6);
	t0 = now();
	for (uint64_t i = 0; i < cycles; i++)
		if (cmasim_mmu_linear_set_attr(mmu, pfn, 1, CMASIM_ATTR_NONE, &st) ||
		    cmasim_mmu_linear_set_attr(mmu, pfn, 1, CMASIM_ATTR_CACHEABLE, &st))
			return 1;
	secs = now() - t0;
	printf("mmu: %" PRIu64 " split-and-fold cycles in %.3f s: %.2f M per second\n", cycles,
	       secs, (double)cycles / secs / 1e6);
	printf("result mmu_split_fold %.2f Mcycles/s -\n", (double)cycles / secs / 1e6);

	g_free(vas);
	cmasim_mmu_free(mmu);
	cmasim_mem_free(mem);
	cmasim_config_free(cfg);
	return 0;
}

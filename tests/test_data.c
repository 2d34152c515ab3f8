// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shipped data: every machine in configs/ loads and says what its
 * sources say (the kernel files, device trees and TRMs its comments cite),
 * and every workload in workloads/ parses, names devices its default
 * machine has, and runs under buddy and cma with the request counts
 * worked out by hand from its events and generators.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glib.h>
#include <string.h>

#include "cmasim/config.h"
#include "cmasim/engine.h"
#include "cmasim/error.h"
#include "cmasim/policy.h"
#include "cmasim/report.h"
#include "cmasim/trace.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

/* Loads configs/@name.yaml from the source tree. */
static struct cmasim_config *load_machine(const char *name)
{
	g_autofree char *file = g_strconcat(name, ".yaml", NULL);
	g_autofree char *path = g_build_filename(CMASIM_SOURCE_ROOT, "configs", file, NULL);
	GError *error = NULL;
	struct cmasim_config *cfg = cmasim_config_load_file(path, &error);

	cr_assert_not_null(cfg, "%s: %s", path, error ? error->message : "");
	return cfg;
}

/* The device of @cfg named @name; fails the test if there is none. */
static const struct cmasim_device *device(const struct cmasim_config *cfg, const char *name)
{
	int i = cmasim_config_device(cfg, name);

	cr_assert_geq(i, 0, "%s has no device %s", cfg->name, name);
	return &cfg->devices[i];
}

/* The names of the .yaml files in @dir of the source tree, without the suffix. */
static GPtrArray *shipped(const char *dir)
{
	g_autofree char *path = g_build_filename(CMASIM_SOURCE_ROOT, dir, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	cr_assert_not_null(d, "cannot open %s", path);
	while ((name = g_dir_read_name(d)))
		if (g_str_has_suffix(name, ".yaml"))
			g_ptr_array_add(names, g_strndup(name, strlen(name) - 5));
	g_dir_close(d);
	return names;
}

/* ------------------------------------------------------------ machines */

/* One CMA area as its config's comments work it out. */
struct area_facts {
	uint64_t size, base;
	enum cmasim_zone_type zone;
	bool shared;			/* serves every device without an area of its own */
};

/* The figures every config states, by machine. */
static const struct machine_facts {
	const char *name;
	uint64_t cache_size;
	unsigned int ways, line;
	enum cmasim_cache_indexing indexing;
	bool write_allocate;
	enum cmasim_prefetcher prefetcher;
	uint64_t section;
	uint64_t pageblock;
	unsigned int tlb;		/* page and section entries alike */
	bool coherent;			/* every device */
	unsigned int nr_cma;
	struct area_facts cma[3];	/* in the config's order */
} machines[] = {
	/*
	 * Cortex-A15 TRM: 32 KiB 2-way 64-byte PIPT; 512-entry L2 TLB; SMP:
	 * write-allocate. The area at the top of lowmem (768 MiB above 2 GiB),
	 * as dma_contiguous_reserve() puts it.
	 */
	{ "armv7-1g", 32 * KiB, 2, 64, CMASIM_CACHE_PIPT, true, CMASIM_PREFETCH_SPECULATIVE,
	  1 * MiB, 4 * MiB, 512, false,
	  1, { { 128 * MiB, 0xB0000000 - 128 * MiB, CMASIM_ZONE_NORMAL, true } } },
	/* the same core with LPAE: 2 MiB blocks, a 256 MiB area at the top of lowmem */
	{ "arm-lpae-4g", 32 * KiB, 2, 64, CMASIM_CACHE_PIPT, true, CMASIM_PREFETCH_SPECULATIVE,
	  2 * MiB, 2 * MiB, 512, false,
	  1, { { 256 * MiB, 0xB0000000 - 256 * MiB, CMASIM_ZONE_NORMAL, true } } },
	/* ARM1176 TRM: 16 KiB 4-way 32-byte VIPT, 64-entry main TLB; UP: read-allocate */
	{ "armv6-512m", 16 * KiB, 4, 32, CMASIM_CACHE_VIPT, false, CMASIM_PREFETCH_NONE,
	  1 * MiB, 4 * MiB, 64, false,
	  1, { { 64 * MiB, 512 * MiB - 64 * MiB, CMASIM_ZONE_NORMAL, true } } },
	/* XScale developer's manual: 32 KiB 32-way 32-byte VIVT, 32-entry data TLB */
	{ "xscale-vivt", 32 * KiB, 32, 32, CMASIM_CACHE_VIVT, false, CMASIM_PREFETCH_NONE,
	  1 * MiB, 4 * MiB, 32, false,
	  1, { { 24 * MiB, 0xA8000000 - 24 * MiB, CMASIM_ZONE_NORMAL, true } } },
	/* Skylake-class: 32 KiB 8-way 64-byte, stride prefetch, 1536-entry STLB; no CMA */
	{ "x86-64-8g", 32 * KiB, 8, 64, CMASIM_CACHE_PIPT, true, CMASIM_PREFETCH_STRIDE,
	  2 * MiB, 2 * MiB, 1536, true, 0, { { 0 } } },
	/* the same server class with 32 GiB */
	{ "x86-64-32g", 32 * KiB, 8, 64, CMASIM_CACHE_PIPT, true, CMASIM_PREFETCH_STRIDE,
	  2 * MiB, 2 * MiB, 1536, true, 0, { { 0 } } },
	/* Cortex-A72 TRM: 32 KiB 2-way 64-byte PIPT, 1024-entry L2 TLB; LPAE kernel */
	{ "rpi4-2g", 32 * KiB, 2, 64, CMASIM_CACHE_PIPT, true, CMASIM_PREFETCH_SPECULATIVE,
	  2 * MiB, 2 * MiB, 1024, false,
	  1, { { 256 * MiB, 768 * MiB - 256 * MiB, CMASIM_ZONE_NORMAL, true } } },
	/*
	 * The same cores under arm64: 64 MiB at the top of ZONE_DMA (the first
	 * GiB) below the VideoCore's 76 MiB at 0x3B400000: 0x3B400000 - 64 MiB.
	 */
	{ "rpi4-4g", 32 * KiB, 2, 64, CMASIM_CACHE_PIPT, true, CMASIM_PREFETCH_SPECULATIVE,
	  2 * MiB, 2 * MiB, 1024, false,
	  1, { { 64 * MiB, 0x3B400000 - 64 * MiB, CMASIM_ZONE_DMA, true } } },
	/* vc4-kms-v3d's cma-512 at the overlay's fixed 256 MiB */
	{ "rpi4-4g-kms", 32 * KiB, 2, 64, CMASIM_CACHE_PIPT, true, CMASIM_PREFETCH_SPECULATIVE,
	  2 * MiB, 2 * MiB, 1024, false,
	  1, { { 512 * MiB, 256 * MiB, CMASIM_ZONE_DMA, true } } },
	/*
	 * Cortex-A53 TRM: 32 KiB 4-way 64-byte PIPT, 512-entry L2 TLB. 960 MiB
	 * top-down in ZONE_DMA, which ends at 4 GiB: 0x100000000 - 0x3C000000.
	 */
	{ "imx8mp-evk", 32 * KiB, 4, 64, CMASIM_CACHE_PIPT, true, CMASIM_PREFETCH_STRIDE,
	  2 * MiB, 2 * MiB, 512, false,
	  1, { { 960 * MiB, 0xC4000000, CMASIM_ZONE_DMA, true } } },
	/*
	 * Cortex-A57 TRM: 32 KiB 2-way 64-byte PIPT, 1024-entry L2 TLB. The
	 * default 64 MiB top-down below the 18 MiB hole at 0xFEE00000, 4 MiB
	 * aligned: 0xFAE00000 rounds down to 0xFAC00000; VPR at its fixed base.
	 */
	{ "jetson-nano", 32 * KiB, 2, 64, CMASIM_CACHE_PIPT, true, CMASIM_PREFETCH_SPECULATIVE,
	  2 * MiB, 2 * MiB, 1024, false,
	  2, { { 64 * MiB, 0xFAC00000, CMASIM_ZONE_DMA, true },
	       { 400 * MiB, 0xD7000000, CMASIM_ZONE_DMA, false } } },
	/*
	 * Cortex-A55 TRM: 32 KiB 4-way 64-byte PIPT, 1024-entry L2 TLB; no
	 * HUGETLB_PAGE, so pageblocks of MAX_ORDER - 1 (4 MiB). The default
	 * area bottom-up from 4 GiB (the 5.10 rules), video_stream and camera
	 * below the modem and the secure camera heap, as the config works out.
	 */
	{ "exynos9810-4g", 32 * KiB, 4, 64, CMASIM_CACHE_PIPT, true, CMASIM_PREFETCH_STRIDE,
	  2 * MiB, 4 * MiB, 1024, false,
	  3, { { 28 * MiB, 0x100000000, CMASIM_ZONE_NORMAL, true },
	       { 108 * MiB, 0xE9400000, CMASIM_ZONE_NORMAL, false },
	       { 228 * MiB, 0xD3400000, CMASIM_ZONE_NORMAL, false } } },
};

static const struct machine_facts *facts_of(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(machines); i++)
		if (!strcmp(machines[i].name, name))
			return &machines[i];
	return NULL;
}

/* Every shipped machine has a row above, and every row a shipped file. */
Test(data, every_shipped_machine_is_described)
{
	g_autoptr(GPtrArray) names = shipped("configs");

	for (guint i = 0; i < names->len; i++)
		cr_expect_not_null(facts_of(names->pdata[i]), "configs/%s.yaml has no row here",
				   (char *)names->pdata[i]);
	cr_expect_eq(names->len, G_N_ELEMENTS(machines));
}

Test(data, machines_state_their_sources)
{
	for (size_t m = 0; m < G_N_ELEMENTS(machines); m++) {
		const struct machine_facts *f = &machines[m];
		struct cmasim_config *cfg = load_machine(f->name);
		const struct cmasim_cache_config *c = &cfg->cache;

		cr_expect_str_eq(cfg->name, f->name);
		cr_expect_eq(c->size, f->cache_size, "%s cache size", f->name);
		cr_expect_eq(c->ways, f->ways, "%s ways", f->name);
		cr_expect_eq(c->line_size, f->line, "%s line", f->name);
		cr_expect_eq(c->indexing, f->indexing, "%s indexing", f->name);
		cr_expect(c->write_back, "%s: every shipped cache is write-back", f->name);
		cr_expect_eq(c->write_allocate, f->write_allocate, "%s write-allocate", f->name);
		cr_expect_eq(c->prefetcher, f->prefetcher, "%s prefetcher", f->name);
		/* only the cores that speculate aggressively fill speculatively, and they do */
		if (f->prefetcher == CMASIM_PREFETCH_SPECULATIVE) {
			cr_expect_gt(c->spec_rate_ppm, 0, "%s speculation rate", f->name);
			cr_expect_geq(c->spec_window, 4 * KiB, "%s speculation window", f->name);
		} else {
			cr_expect_eq(c->spec_rate_ppm, 0, "%s speculates", f->name);
		}
		cr_expect_geq(c->prefetch_degree, 1, "%s prefetch degree", f->name);

		cr_expect_eq(cfg->mmu.section_size, f->section, "%s section", f->name);
		cr_expect_eq(cfg->mmu.tlb_page_entries, f->tlb, "%s page TLB", f->name);
		cr_expect_eq(cfg->mmu.tlb_section_entries, f->tlb, "%s section TLB", f->name);
		cr_expect_eq(cmasim_config_pageblock_bytes(cfg), f->pageblock, "%s pageblock",
			     f->name);

		cr_expect_eq(cfg->nr_cma, f->nr_cma, "%s areas", f->name);
		for (unsigned int a = 0; a < f->nr_cma && a < cfg->nr_cma; a++) {
			const struct area_facts *want = &f->cma[a];

			cr_expect_eq(cfg->cma[a].size, want->size, "%s area %u size", f->name, a);
			cr_expect_eq(cfg->cma[a].base, want->base, "%s area %u base", f->name, a);
			cr_expect_eq(cfg->cma[a].zone, want->zone, "%s area %u zone", f->name, a);
			cr_expect_eq(cfg->cma[a].shared, want->shared, "%s area %u shared", f->name,
				     a);
		}
		for (unsigned int d = 0; d < cfg->nr_devices; d++)
			cr_expect_eq(cfg->devices[d].coherent, f->coherent, "%s device %s coherent",
				     f->name, cfg->devices[d].name);

		/* every cost the CPU side uses is set; kmap only under 32-bit kernels (32-byte struct page) */
		cr_expect_gt(cfg->costs.cache_line_op_ns, 0, "%s", f->name);
		cr_expect_gt(cfg->costs.cache_flush_all_ns, cfg->costs.cache_line_op_ns, "%s", f->name);
		cr_expect_gt(cfg->costs.cache_barrier_ns, 0, "%s", f->name);
		cr_expect_gt(cfg->costs.tlb_miss_ns, 0, "%s", f->name);
		cr_expect_gt(cfg->costs.tlb_flush_page_ns, 0, "%s", f->name);
		cr_expect_gt(cfg->costs.tlb_shootdown_ns, cfg->costs.tlb_flush_page_ns, "%s", f->name);
		cr_expect_gt(cfg->costs.section_split_ns, 0, "%s", f->name);
		cr_expect_gt(cfg->costs.iommu_map_page_ns, 0, "%s", f->name);
		cr_expect_eq(cfg->costs.kmap_ns == 0, cfg->struct_page == 64, "%s kmap", f->name);
		cmasim_config_free(cfg);
	}
}

/* ARM1176 TRM: page colouring restrictions apply only above 16 KiB, when a way outgrows a page. */
Test(data, armv6_cache_ways_are_one_page)
{
	struct cmasim_config *cfg = load_machine("armv6-512m");

	cr_expect_eq(cfg->cache.size / cfg->cache.ways, cfg->page_size);
	cmasim_config_free(cfg);
}

/* Per-machine figures beyond the table: costs and devices the sources fix. */
Test(data, machine_details)
{
	struct cmasim_config *cfg = load_machine("armv7-1g");

	/* 0.02 speculative fills per access in a 64 KiB window: the comments' estimate */
	cr_expect_eq(cfg->cache.spec_rate_ppm, 20000);
	cr_expect_eq(cfg->cache.spec_window, 64 * KiB);
	/* a 30-bit master on RAM that starts at 2 GiB reaches none of it */
	cr_expect_lt(device(cfg, "legacy")->dma_mask, cfg->mem_base);
	cr_expect_eq(cfg->costs.cache_line_op_ns, 10);
	cr_expect_eq(cfg->costs.tlb_shootdown_ns, 2000);
	cmasim_config_free(cfg);

	cfg = load_machine("arm-lpae-4g");
	/* three-level LPAE walks cost more than armv7-1g's two levels */
	cr_expect_eq(cfg->costs.tlb_miss_ns, 40);
	cr_expect_eq(device(cfg, "gpu")->dma_mask, (UINT64_C(1) << 40) - 1);
	cmasim_config_free(cfg);

	cfg = load_machine("armv6-512m");
	cr_expect_eq(cfg->costs.tlb_shootdown_ns, 200);	/* uniprocessor: no IPIs */
	cmasim_config_free(cfg);

	cfg = load_machine("xscale-vivt");
	/* kunmap on a VIVT cache flushes the page: 128 lines x 50 ns + 0.6 us */
	cr_expect_eq(cfg->costs.kmap_ns, 7000);
	cr_expect_eq(cfg->cache.size / cfg->cache.ways / cfg->cache.line_size, 32);	/* sets */
	cmasim_config_free(cfg);

	cfg = load_machine("x86-64-8g");
	cr_expect_eq(device(cfg, "legacy")->dma_mask, 0xFFFFFFFF);
	cr_expect_eq(cfg->cache.prefetch_degree, 2);
	cmasim_config_free(cfg);

	cfg = load_machine("rpi4-2g");
	/* bcm2711.dtsi dma-ranges: legacy DMA sees the first GiB, PCIe all 2 GiB */
	cr_expect_eq(device(cfg, "legacy")->dma_mask, GiB - 1);
	cr_expect_geq(device(cfg, "pcie")->dma_mask, cfg->mem_base + cfg->mem_size - 1);
	/* lowmem lies inside the legacy mask, HighMem mostly outside it */
	cr_expect_eq(cfg->nr_zones, 2);
	cr_expect_eq(cfg->zones[0].type, CMASIM_ZONE_NORMAL);
	cr_expect_leq(cfg->zones[0].end - 1, device(cfg, "legacy")->dma_mask);
	cr_expect_eq(cfg->zones[1].type, CMASIM_ZONE_HIGHMEM);
	cr_expect_gt(cfg->zones[1].end - 1, device(cfg, "legacy")->dma_mask);
	/* the VideoCore's 76 MiB below 1 GiB */
	cr_expect_eq(cfg->nr_holes, 1);
	cr_expect_eq(cfg->holes[0].start + cfg->holes[0].size, GiB);
	cr_expect_eq(cfg->holes[0].size, 76 * MiB);
	cmasim_config_free(cfg);

	cfg = load_machine("rpi4-4g");
	/* arm64: the 30-bit masters' first GiB is ZONE_DMA; PCIe's inbound window is 31-bit */
	cr_expect_eq(device(cfg, "legacy")->dma_mask, GiB - 1);
	cr_expect_eq(cfg->zones[0].type, CMASIM_ZONE_DMA);
	cr_expect_eq(cfg->zones[0].end, GiB);
	cr_expect_eq(device(cfg, "pcie")->dma_mask, 2 * GiB - 1);
	cmasim_config_free(cfg);

	cfg = load_machine("jetson-nano");
	/* the VPR heap is the decoder's alone; the PCIe NIC is a 32-bit master */
	cr_expect_eq(device(cfg, "nvdec")->cma_area, 1);
	cr_expect_eq(device(cfg, "gpu")->cma_area, -1);
	cr_expect_eq(device(cfg, "rtl8111")->dma_mask, 0xFFFFFFFF);
	cmasim_config_free(cfg);

	cfg = load_machine("exynos9810-4g");
	/* the ISP and the codec have their areas, the display shares the default one */
	cr_expect_eq(device(cfg, "isp")->cma_area, 2);
	cr_expect_eq(device(cfg, "mfc")->cma_area, 1);
	cr_expect_eq(device(cfg, "decon")->cma_area, -1);
	cmasim_config_free(cfg);
}

/*
 * No device is handed an area it cannot reach while it reaches some RAM:
 * every area lies inside the mask of each device it serves, unless that
 * device reaches no RAM at all (armv7-1g's legacy master).
 */
Test(data, areas_are_reachable)
{
	for (size_t m = 0; m < G_N_ELEMENTS(machines); m++) {
		struct cmasim_config *cfg = load_machine(machines[m].name);

		for (unsigned int a = 0; a < cfg->nr_cma; a++) {
			const struct cmasim_cma_config *area = &cfg->cma[a];

			for (unsigned int d = 0; d < cfg->nr_devices; d++) {
				const struct cmasim_device *dev = &cfg->devices[d];
				bool served = dev->cma_area == (int)a ||
					      (dev->cma_area < 0 && area->shared);

				if (!served || dev->dma_mask < cfg->mem_base)
					continue;
				cr_expect_leq(area->base + area->size - 1, dev->dma_mask,
					      "%s: %s cannot reach area %s", cfg->name, dev->name,
					      area->name);
			}
		}
		cmasim_config_free(cfg);
	}
}

/* ----------------------------------------------------------- workloads */

/*
 * What each shipped workload asks for, counted by hand from its events and
 * generators. orders[o] is the number of dma_alloc requests needing page
 * order o (pages = ceil(size / 4 KiB), rounded up to a power of two);
 * huge is the number of order-9 background blocks asked for.
 */
static const struct workload_facts {
	const char *name;
	const char *machine;
	uint64_t requests;
	uint64_t orders[CMASIM_NR_SIZE_CLASSES];
	uint64_t huge;
} workloads[] = {
	/* 4 NV12 frames of 760 pages: order 10 */
	{ "camera-stream", "armv7-1g", 4, { [10] = 4 } },
	/* a 4 MiB buffer every second from 1 s, 59 times */
	{ "fragmenting-churn", "armv7-1g", 59, { [10] = 59 } },
	/* one 16 MiB binner: order 12 */
	{ "idle-device", "armv7-1g", 1, { [12] = 1 } },
	/*
	 * 2 scanouts (2025 pages, order 11) + 4 camera frames (760, order 10)
	 * + 1 MiB bitstream (order 8) at start; 15 cycles x (6 x 4K frames of
	 * 3038 pages, order 12, + 6 x 1080p frames, order 10) = 7 + 180.
	 */
	{ "video-pipeline", "armv7-1g", 187, { [8] = 1, [10] = 4 + 90, [11] = 2, [12] = 90 } },
	/*
	 * At boot a binner (order 12), 2 scanouts (order 11) and 5 4K frames
	 * (order 12); 5 binner re-allocations; 240 iterations of 1, 2, 4 and
	 * 8 MiB objects (orders 8-11) = 8 + 5 + 960.
	 */
	{ "gpu-pinning", "armv7-1g", 973,
	  { [8] = 240, [9] = 240, [10] = 240, [11] = 240 + 2, [12] = 1 + 5 + 5 } },
	/* 15 bursts x (4 NV12 previews, order 10, + 2 stills of 4395 pages, order 13) */
	{ "pagecache-pressure", "armv7-1g", 90, { [10] = 60, [13] = 30 } },
	/*
	 * 2 rings of 64 KiB (order 4); 120 x 1 MiB (order 8) and 12 x 4 MiB
	 * (order 10) legacy; 60 x 2 MiB PCIe (order 9) = 2 + 192.
	 */
	{ "legacy-dma30", "rpi4-2g", 194, { [4] = 2, [8] = 120, [9] = 60, [10] = 12 } },
	/*
	 * 2 scanouts (order 11), a binner (order 12), 4 camera frames and 40
	 * decoder buffers of 4 MiB (order 10) = 7 + 40.
	 */
	{ "kernel-accesses", "armv7-1g", 47, { [10] = 44, [11] = 2, [12] = 1 } },
	/*
	 * Frame sizes, pages = ceil(bytes / 4096): XRGB8888 1080x2220 = 4 x
	 * 1080 x 2220 = 9590400 B, 2342 pages, order 12; NV12 1920x1080 =
	 * 1920 x 1080 x 3 / 2 = 3110400 B, 760 pages, order 10; RAW10
	 * 4032x3024 = 4032 x 10 / 8 x 3024 = 15240960 B, 3721 pages, order 12;
	 * NV12 3840x2160 = 12441600 B, 3038 pages, order 12. 2 scanouts, 6
	 * previews x 4, 5 bursts x 3 stills, 4 recording buffers = 45.
	 */
	{ "camera-modes", "exynos9810-4g", 45, { [10] = 24, [12] = 2 + 15 + 4 } },
	/* no dma_alloc: 2 passes x 3891 order-9 attempts (95% of 8 GiB in 2 MiB) */
	{ "stress-highalloc", "x86-64-8g", 0, { 0 }, 2 * 3891 },
	/* the pass at rest alone */
	{ "stress-highalloc-rest", "x86-64-8g", 0, { 0 }, 3891 },
	/* 4 NV12 frames of 760 pages: order 10 */
	{ "alias-corruption", "armv7-1g", 4, { [10] = 4 } },
	/* a 16 KiB statistics buffer and a 16 KiB cursor plane: 4 pages, order 2 */
	{ "cache-flush-cost", "xscale-vivt", 2, { [2] = 2 } },
	/* 20 jobs x (a 1 MiB GPU buffer, order 8, + 2 NV12 frames, order 10) */
	{ "per-device-pins", "armv7-1g", 60, { [8] = 20, [10] = 40 } },
	/* 3 stills of 4395 pages: order 13 */
	{ "gcma-latency", "armv7-1g", 3, { [13] = 3 } },
};

static const struct workload_facts *workload_of(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(workloads); i++)
		if (!strcmp(workloads[i].name, name))
			return &workloads[i];
	return NULL;
}

static struct cmasim_trace *open_workload(const char *name)
{
	g_autofree char *file = g_strconcat(name, ".yaml", NULL);
	g_autofree char *path = g_build_filename(CMASIM_SOURCE_ROOT, "workloads", file, NULL);
	GError *error = NULL;
	struct cmasim_trace *trace = cmasim_trace_open(path, &error);

	cr_assert_not_null(trace, "%s: %s", path, error ? error->message : "");
	return trace;
}

/*
 * Replays workload @name on shipped machine @machine (NULL: its default)
 * under @policy with @set and the workload's own seed.
 */
static struct cmasim_results *run_workload_on(const char *name, const char *machine,
					      const char *policy, const char *const *set,
					      struct cmasim_config **cfg_out)
{
	struct cmasim_trace *trace = open_workload(name);
	const struct cmasim_trace_info *info = cmasim_trace_info(trace);
	struct cmasim_config *cfg = load_machine(machine ? machine : info->machine);
	struct cmasim_run_options opts = {
		.policy = cmasim_policy_find(policy),
		.set = set,
		.seed = info->seed,
	};
	GError *error = NULL;
	struct cmasim_results *r;

	cr_assert_not_null(opts.policy, "no policy %s", policy);
	r = cmasim_run(cfg, trace, &opts, &error);
	cr_assert_not_null(r, "%s under %s: %s", name, policy, error ? error->message : "");
	cmasim_trace_close(trace);
	*cfg_out = cfg;
	return r;
}

/* run_workload_on() its default machine. */
static struct cmasim_results *run_workload(const char *name, const char *policy,
					   const char *const *set, struct cmasim_config **cfg_out)
{
	return run_workload_on(name, NULL, policy, set, cfg_out);
}

Test(data, every_shipped_workload_is_described)
{
	g_autoptr(GPtrArray) names = shipped("workloads");

	for (guint i = 0; i < names->len; i++)
		cr_expect_not_null(workload_of(names->pdata[i]), "workloads/%s.yaml has no row here",
				   (char *)names->pdata[i]);
	cr_expect_eq(names->len, G_N_ELEMENTS(workloads));
}

/*
 * Each workload's header names a shipped machine that has every device or
 * role it lists (none for the ones without dma_alloc), and its expanded
 * stream holds the dma_alloc requests and order-9 blocks counted above, in
 * time order.
 */
Test(data, workloads_parse_on_their_machines, .timeout = 60)
{
	for (size_t w = 0; w < G_N_ELEMENTS(workloads); w++) {
		const struct workload_facts *f = &workloads[w];
		struct cmasim_trace *trace = open_workload(f->name);
		const struct cmasim_trace_info *info = cmasim_trace_info(trace);
		struct cmasim_config *cfg;
		struct cmasim_record rec;
		GError *error = NULL;
		uint64_t allocs = 0, frees = 0, huge = 0, last = 0;
		int ret;

		cr_expect_str_eq(info->name, f->name);
		cr_assert_not_null(info->machine, "%s names no machine", f->name);
		cr_expect_str_eq(info->machine, f->machine, "%s machine", f->name);
		cr_expect_not_null(info->description, "%s has no description", f->name);
		cr_expect_eq(info->nr_devices > 0, f->requests > 0, "%s lists devices", f->name);
		cfg = load_machine(info->machine);
		for (unsigned int d = 0; d < info->nr_devices; d++)
			cr_expect_geq(cmasim_config_resolve_device(cfg, info->devices[d],
								   strlen(info->devices[d])), 0,
				      "%s: machine %s has no device %s", f->name, cfg->name,
				      info->devices[d]);
		cr_assert(cmasim_trace_start(trace, cfg, info->seed, &error), "%s: %s", f->name,
			  error ? error->message : "");
		while ((ret = cmasim_trace_next(trace, &rec, &error)) > 0) {
			cr_assert_geq(rec.time_ns, last, "%s goes back in time", f->name);
			last = rec.time_ns;
			allocs += rec.op == CMASIM_OP_DMA_ALLOC;
			frees += rec.op == CMASIM_OP_DMA_FREE;
			if (rec.op == CMASIM_OP_ALLOC && rec.b == 9)
				huge += rec.y;
		}
		cr_assert_eq(ret, 0, "%s: %s", f->name, error ? error->message : "");
		cr_expect_eq(allocs, f->requests, "%s dma_alloc requests", f->name);
		/* every buffer is given back by the end: the runs' idle figures end at zero */
		cr_expect_eq(frees, allocs, "%s: dma_free for every dma_alloc", f->name);
		cr_expect_eq(huge, f->huge, "%s order-9 blocks", f->name);
		cmasim_trace_close(trace);
		cmasim_config_free(cfg);
	}
}

/*
 * Under buddy and cma every workload replays; each request counts in its
 * size class; buddy fails exactly the requests above the largest buddy
 * block (order 10), as too large, and nothing else as too large; the
 * order-9 blocks count as background huge pages. About 10 s of CPU, most
 * of it the two stress-highalloc workloads.
 */
Test(data, workloads_run_under_buddy_and_cma, .timeout = 300)
{
	static const char *const policies[] = { "buddy", "cma" };

	for (size_t w = 0; w < G_N_ELEMENTS(workloads); w++) {
		const struct workload_facts *f = &workloads[w];

		for (size_t p = 0; p < G_N_ELEMENTS(policies); p++) {
			struct cmasim_config *cfg;
			struct cmasim_results *r = run_workload(f->name, policies[p], NULL, &cfg);
			uint64_t above = 0, outcomes = r->dma_ok;

			cr_expect_eq(r->dma_requests, f->requests, "%s/%s requests", f->name,
				     policies[p]);
			for (unsigned int o = 0; o < CMASIM_NR_SIZE_CLASSES; o++) {
				cr_expect_eq(r->size_class[o].requests, f->orders[o],
					     "%s/%s order %u", f->name, policies[p], o);
				if (o > cfg->max_page_order)
					above += f->orders[o];
			}
			for (unsigned int s = CMASIM_DMA_OK + 1; s < CMASIM_NR_DMA_STATUS; s++)
				outcomes += r->dma_failed[s];
			cr_expect_eq(outcomes, r->dma_requests, "%s/%s: each request once",
				     f->name, policies[p]);
			cr_expect_eq(r->bg_order[9].requests, f->huge, "%s/%s order-9 blocks",
				     f->name, policies[p]);
			if (!strcmp(policies[p], "buddy"))
				cr_expect_eq(r->dma_failed[CMASIM_DMA_TOO_LARGE], above,
					     "%s/buddy too large", f->name);
			else
				cr_expect_eq(r->dma_failed[CMASIM_DMA_TOO_LARGE], 0,
					     "%s/cma too large", f->name);
			cmasim_results_free(r);
			cmasim_config_free(cfg);
		}
	}
}

#ifdef CMASIM_LONG_TESTS
/* Replays workload @name under @policy, checking the invariants if @check; NULL with @error. */
static struct cmasim_results *try_workload(const char *name, const char *policy, bool check,
					   struct cmasim_config **cfg_out, GError **error)
{
	struct cmasim_trace *trace = open_workload(name);
	const struct cmasim_trace_info *info = cmasim_trace_info(trace);
	struct cmasim_run_options opts = {
		.policy = cmasim_policy_find(policy),
		.seed = info->seed,
		.check_invariants = check,
	};
	struct cmasim_results *r;

	*cfg_out = load_machine(info->machine);
	r = cmasim_run(*cfg_out, trace, &opts, error);
	cmasim_trace_close(trace);
	return r;
}

/*
 * Every policy replays the whole workload with the invariants checked
 * (what each event changed, all of it every 4096 events and at the end):
 * the checks pass. One policy a workload, a different one for each, also
 * replays it without the checks, which must give the same figures: the
 * checker only reads. A policy may refuse the machine (cma-highmem without
 * HighMem to spare), with or without the checks alike. A workload without
 * device requests gives a policy nothing to do after boot, so it runs
 * under one policy of each kind of boot: nothing set aside (buddy), a
 * no-map pool (carveout), a CMA area lent to movable pages (cma) and an
 * area only cleancache fills (gcma).
 */
ParameterizedTestParameters(data, every_policy_keeps_the_invariants)
{
	/* an index: pointers in a parameter would dangle in the process that runs the case */
	static size_t index[G_N_ELEMENTS(workloads)];

	for (size_t i = 0; i < G_N_ELEMENTS(index); i++)
		index[i] = i;
	return cr_make_param_array(size_t, index, G_N_ELEMENTS(index));
}

ParameterizedTest(size_t *i, data, every_policy_keeps_the_invariants, .timeout = 600)
{
	const struct workload_facts *f = &workloads[*i];

	static const char *const boots[] = { "buddy", "carveout", "cma", "gcma", NULL };
	unsigned int run = 0;

	for (unsigned int p = 0; p < cmasim_nr_policies; p++) {
		const char *policy = cmasim_policies[p]->name;
		bool compare;
		struct cmasim_config *cfg = NULL, *cfg2;
		GError *error = NULL, *error2 = NULL;
		struct cmasim_results *checked, *plain;

		if (!f->requests && !g_strv_contains(boots, policy))
			continue;
		compare = run++ == *i % (f->requests ? cmasim_nr_policies : g_strv_length((char **)boots));
		checked = try_workload(f->name, policy, true, &cfg2, &error2);
		plain = compare ? try_workload(f->name, policy, false, &cfg, &error) : NULL;

		if (!checked) {
			cr_expect_eq(error2->code, CMASIM_ERROR_POLICY, "%s/%s: %s", f->name, policy,
				     error2->message);
			cr_expect(!compare || error, "%s/%s: refused only checked", f->name, policy);
		} else if (compare) {
			g_autoptr(GString) a = g_string_new(NULL);
			g_autoptr(GString) b = g_string_new(NULL);
			const struct cmasim_report_options json = { CMASIM_FORMAT_JSON };

			cr_assert_not_null(plain, "%s/%s: %s", f->name, policy,
					   error ? error->message : "");
			cmasim_report_results(plain, cfg, &json, a);
			cmasim_report_results(checked, cfg2, &json, b);
			cr_expect_str_eq(b->str, a->str, "%s/%s: the checks changed the figures",
					 f->name, policy);
		}
		g_clear_error(&error);
		g_clear_error(&error2);
		cmasim_results_free(plain);
		cmasim_results_free(checked);
		cmasim_config_free(cfg);
		cmasim_config_free(cfg2);
	}
}
#endif

/* The number of requests of device @name in @r. */
static uint64_t device_requests(const struct cmasim_results *r, const struct cmasim_config *cfg,
				const char *name, bool ok)
{
	int d = cmasim_config_device(cfg, name);

	cr_assert_geq(d, 0);
	return ok ? r->devices[d].ok : r->devices[d].requests;
}

/*
 * video-pipeline's peak is 2 scanouts + 4 camera frames + the bitstream +
 * 6 4K frames = 4050 + 3040 + 256 + 18228 = 25574 pages, inside the
 * 32768 of armv7-1g's area: cma serves all 187, emptying borrowed pages
 * out of the way (page cache dropped, anonymous memory migrated).
 */
Test(data, video_pipeline_fits_the_area, .timeout = 60)
{
	struct cmasim_config *cfg;
	struct cmasim_results *r = run_workload("video-pipeline", "cma", NULL, &cfg);

	cr_expect_eq(r->dma_ok, 187);
	cr_expect_gt(r->migrated_pages, 0);
	cr_expect_gt(r->reclaimed_pages, 0);
	cr_expect_leq(r->dma_bytes_peak, 128 * MiB);
	cr_expect_geq(r->dma_bytes_peak, (uint64_t)25574 * 4096);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/* Replays YAML @text on armv7-1g under cma with the trace's seed. */
static struct cmasim_results *run_text(const char *text)
{
	struct cmasim_config *cfg = load_machine("armv7-1g");
	GError *error = NULL;
	struct cmasim_trace *trace = cmasim_trace_open_data("edited.yaml", text, strlen(text),
							    &error);
	struct cmasim_results *r;

	cr_assert_not_null(trace, "%s", error ? error->message : "");
	struct cmasim_run_options opts = {
		.policy = cmasim_policy_find("cma"),
		.seed = cmasim_trace_info(trace)->seed,
	};
	r = cmasim_run(cfg, trace, &opts, &error);
	cr_assert_not_null(r, "%s", error ? error->message : "");
	cmasim_trace_close(trace);
	cmasim_config_free(cfg);
	return r;
}

/* @s with every @from replaced by @to, which must occur. */
static char *replace(const char *s, const char *from, const char *to)
{
	g_auto(GStrv) parts = g_strsplit(s, from, -1);

	cr_assert_gt(g_strv_length(parts), 1, "no \"%s\"", from);
	return g_strjoinv(to, parts);
}

/*
 * Pinned pages in the area block windows: cma retries past them, and with
 * 87 MiB of the 128 MiB area held by the display, the decoder and the
 * binner, some binner re-allocations find no window free of pins. The same
 * trace without its pins (no pin: on the churn or the userptr buffers)
 * needs no retry and serves every request.
 */
Test(data, gpu_pinning_pins_block_cma, .timeout = 60)
{
	g_autofree char *path = g_build_filename(CMASIM_SOURCE_ROOT, "workloads",
						 "gpu-pinning.yaml", NULL);
	g_autofree char *text = NULL;
	g_autofree char *no_churn_pins = NULL;
	g_autofree char *no_pins = NULL;
	struct cmasim_results *r;

	cr_assert(g_file_get_contents(path, &text, NULL, NULL));
	r = run_text(text);
	cr_expect_gt(r->migrate_busy_pinned_pages, 0);
	cr_expect_gt(r->contig_retries, 0);
	cr_expect_gt(r->contig_attempts, r->dma_requests);
	/* what fails is busy, and an order-12 request: a binner re-allocation */
	cr_expect_eq(r->dma_ok + r->dma_failed[CMASIM_DMA_BUSY], r->dma_requests);
	cr_expect_eq(r->size_class[12].requests - r->size_class[12].ok,
		     r->dma_failed[CMASIM_DMA_BUSY]);
	cmasim_results_free(r);

	no_churn_pins = replace(text, ", pin: 0.01 }", " }");
	no_pins = replace(no_churn_pins, ", id: userptr, pin: true }", ", id: userptr }");
	r = run_text(no_pins);
	cr_expect_eq(r->migrate_busy_pinned_pages, 0);
	cr_expect_eq(r->contig_retries, 0);
	cr_expect_eq(r->dma_ok, r->dma_requests);
	cmasim_results_free(r);
}

/* Page cache fills the area, so cma's stills drop more pages than they migrate. */
Test(data, pagecache_pressure_reclaims, .timeout = 60)
{
	struct cmasim_config *cfg;
	struct cmasim_results *r = run_workload("pagecache-pressure", "cma", NULL, &cfg);

	cr_expect_eq(r->dma_ok, 90);
	cr_expect_gt(r->reclaimed_pages, r->migrated_pages);
	cr_expect_gt(r->migrated_pages, 0);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/*
 * rpi4-2g's lowmem and its area lie inside the legacy master's first GiB:
 * buddy and cma serve its 1 + 120 + 12 = 133 requests. An area at 1.5 GiB
 * is out of its reach: all 133 fail as unreachable while the PCIe
 * device's 1 + 60 succeed.
 */
Test(data, legacy_dma30_mask, .timeout = 60)
{
	static const char *const high[] = { "base=0x60000000", NULL };
	static const char *const policies[] = { "buddy", "cma" };
	struct cmasim_config *cfg;
	struct cmasim_results *r;

	for (size_t p = 0; p < G_N_ELEMENTS(policies); p++) {
		r = run_workload("legacy-dma30", policies[p], NULL, &cfg);
		cr_expect_eq(device_requests(r, cfg, "legacy", false), 133);
		cr_expect_eq(device_requests(r, cfg, "legacy", true), 133, "%s", policies[p]);
		cr_expect_eq(device_requests(r, cfg, "pcie", true), 61, "%s", policies[p]);
		cmasim_results_free(r);
		cmasim_config_free(cfg);
	}
	r = run_workload("legacy-dma30", "cma", high, &cfg);
	cr_expect_eq(device_requests(r, cfg, "legacy", true), 0);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_UNREACHABLE], 133);
	cr_expect_eq(device_requests(r, cfg, "pcie", true), 61);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/* kernel-accesses holds 2 scanouts, a binner and 4 frames, 14.7 + 16 + 11.9 MiB: all fit. */
Test(data, kernel_accesses_buffers_fit, .timeout = 60)
{
	struct cmasim_config *cfg;
	struct cmasim_results *r = run_workload("kernel-accesses", "cma", NULL, &cfg);

	cr_expect_eq(r->dma_ok, 47);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/* ------------------------------------------------ the debate's claims */

/* The CPU time @r spent: every overhead but the wait for the CMA mutex, as compare's summary. */
static uint64_t cpu_time(const struct cmasim_results *r)
{
	uint64_t ns = 0;

	for (unsigned int c = 0; c < CMASIM_NR_COSTS; c++)
		ns += c == CMASIM_COST_MUTEX_WAIT ? 0 : r->cost_ns[c];
	return ns;
}

/* Lines whose data was read stale or overwritten. */
static uint64_t corrupted(const struct cmasim_results *r)
{
	return r->stale_cpu_reads + r->stale_device_reads + r->clobbered_lines;
}

/*
 * alias-corruption. The kernel's walk over the area passes the four gaps
 * of 8 pages (32 KiB, 512 lines) between and after the frames in its first
 * 12 MiB; each access there speculates with probability 0.02 within 64 KiB
 * either side, and about three quarters of such fills land in a frame:
 * some 4 x 512 x 0.02 x 0.75 = 31 stray lines, a few more in later
 * passes. Each is read stale by the next full read of its frame once the
 * camera has written it, so cma shows dozens of corrupted lines; the
 * bounds allow a factor of three either way. cma-unmap and cma-remap leave
 * nothing cacheable to speculate through; armv6-512m speculates nothing.
 */
Test(data, claim_alias_corrupts_only_where_speculation_reaches, .timeout = 120)
{
	static const char *const policies[] = { "cma", "cma-unmap", "cma-remap" };

	for (size_t p = 0; p < G_N_ELEMENTS(policies); p++) {
		struct cmasim_config *cfg;
		struct cmasim_results *r = run_workload("alias-corruption", policies[p], NULL, &cfg);

		if (p == 0) {
			cr_expect(r->alias_speculative >= 10 && r->alias_speculative <= 100,
				  "%lu stray lines", (unsigned long)r->alias_speculative);
			cr_expect_geq(corrupted(r), r->alias_speculative / 2);
			cr_expect_leq(corrupted(r), 300);
			cr_expect_gt(r->clobbered_lines, 0, "header writes left copies dirty");
			cr_expect(strstr(r->corruption_first, "cma's dma_alloc left cacheable"), "%s",
				  r->corruption_first);
		} else {
			cr_expect_eq(r->alias_speculative + corrupted(r) + r->uncached_hits, 0, "%s",
				     policies[p]);
		}
		cmasim_results_free(r);
		cmasim_config_free(cfg);

		r = run_workload_on("alias-corruption", "armv6-512m", policies[p], NULL, &cfg);
		cr_expect_eq(r->alias_speculative + corrupted(r) + r->uncached_hits, 0,
			     "%s on ARMv6", policies[p]);
		cmasim_results_free(r);
		cmasim_config_free(cfg);
	}
}

/*
 * cache-flush-cost. cma-flush syncs each of the 300 statistics transfers
 * from the device twice (invalidate before, after) and each of the 600
 * cursor transfers to it once: 1200 syncs. On xscale-vivt each is a whole
 * flush (60 us) and its refill (90 us): 72 ms and 108 ms, exactly. On
 * armv7-1g each is 256 lines of 16 KiB at 10 ns and a 100 ns barrier:
 * 307200 lines, 3.192 ms. cma's buffers are uncached: 300 x 64 lines read
 * and 600 x 64 written (4 KiB of 64-byte lines), 57600 uncached accesses
 * on armv7-1g, 115200 of 32-byte lines on xscale-vivt. The flushes cost
 * cma-flush more than its cached accesses save on VIVT, and less on PIPT.
 */
Test(data, claim_cache_flush_is_costly_on_vivt, .timeout = 120)
{
	struct cmasim_config *cfg;
	struct cmasim_results *cma, *flush;

	cma = run_workload("cache-flush-cost", "cma", NULL, &cfg);
	cmasim_config_free(cfg);
	flush = run_workload("cache-flush-cost", "cma-flush", NULL, &cfg);
	cmasim_config_free(cfg);
	cr_expect_eq(flush->cache_flush_alls, 1200);
	cr_expect_eq(flush->cost_ns[CMASIM_COST_CACHE], 1200 * 60000);
	cr_expect_eq(flush->cost_ns[CMASIM_COST_FLUSH_REFILL], 1200 * 90000);
	cr_expect_eq(cma->cpu_uncached_accesses, 2 * 57600);
	cr_expect_lt(flush->cost_ns[CMASIM_COST_CPU_MEMORY], cma->cost_ns[CMASIM_COST_CPU_MEMORY],
		     "cached accesses save");
	cr_expect_gt(cpu_time(flush), cpu_time(cma), "but the flushes cost more on VIVT");
	cmasim_results_free(cma);
	cmasim_results_free(flush);

	cma = run_workload_on("cache-flush-cost", "armv7-1g", "cma", NULL, &cfg);
	cmasim_config_free(cfg);
	flush = run_workload_on("cache-flush-cost", "armv7-1g", "cma-flush", NULL, &cfg);
	cmasim_config_free(cfg);
	cr_expect_eq(flush->cache_maintenance_lines, 307200);
	cr_expect_eq(flush->cost_ns[CMASIM_COST_CACHE], 307200 * 10 + 1200 * 100);
	cr_expect_eq(cma->cpu_uncached_accesses, 57600);
	cr_expect_lt(cpu_time(flush), cpu_time(cma), "by-line maintenance costs less than it saves");
	cmasim_results_free(cma);
	cmasim_results_free(flush);
}

/*
 * per-device-pins. The GPU pins 2048 pages a job, allocated while CMA
 * holds over half the free pages, so in CMA. Shared, the camera's frames
 * meet them; split into a camera and a GPU area, the GPU's pages still
 * land in both areas (the page allocator knows no devices), so the camera
 * meets at least half as many of them: not contained.
 */
Test(data, claim_per_device_areas_do_not_contain_pinned_pages, .timeout = 120)
{
	static const char *const split[] = { "per_device=128MiB/camera:1,gpu:1", "size=4MiB", NULL };
	struct cmasim_config *cfg, *cfg2;
	struct cmasim_results *shared = run_workload("per-device-pins", "cma", NULL, &cfg);
	struct cmasim_results *own = run_workload("per-device-pins", "cma", split, &cfg2);
	int cam = cmasim_config_device(cfg, "camera");

	cr_assert_geq(cam, 0);
	cr_expect_gt(shared->devices[cam].blocked_other_pages, 0);
	cr_expect_gt(shared->devices[cam].busy_retries, 0);
	cr_expect_geq(own->devices[cam].blocked_other_pages,
		      shared->devices[cam].blocked_other_pages / 2, "the split contains nothing");
	cr_expect_geq(own->devices[cam].busy_retries, shared->devices[cam].busy_retries / 2);
	cr_expect_eq(own->devices[cam].blocked_own_pages, 0, "the camera pins nothing");
	cmasim_results_free(shared);
	cmasim_results_free(own);
	cmasim_config_free(cfg);
	cmasim_config_free(cfg2);
}

/*
 * fragmenting-churn. Scattered unmovable pages leave no free 4 MiB block
 * once memory has filled, and buddy's asynchronous compaction of a
 * GFP_KERNEL request cannot move movable pageblocks: buddy fails at least
 * a third of the 59 requests, cma none. With alloc_contig_pages() as a
 * fallback (contig=true) buddy serves them all too: the claim holds for
 * plain alloc_pages() only.
 */
Test(data, claim_buddy_fails_under_fragmentation_where_cma_succeeds, .timeout = 120)
{
	static const char *const contig[] = { "contig=true", NULL };
	struct cmasim_config *cfg;
	struct cmasim_results *r = run_workload("fragmenting-churn", "buddy", NULL, &cfg);

	cr_expect_leq(r->dma_ok, 59 - 20);
	cr_expect_eq(r->dma_failed[CMASIM_DMA_FRAGMENTED], 59 - r->dma_ok);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
	r = run_workload("fragmenting-churn", "cma", NULL, &cfg);
	cr_expect_eq(r->dma_ok, 59);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
	r = run_workload("fragmenting-churn", "buddy", contig, &cfg);
	cr_expect_eq(r->dma_ok, 59);
	cmasim_results_free(r);
	cmasim_config_free(cfg);
}

/*
 * gcma-latency. Each 4395-page still under cma migrates the anonymous
 * pages in its window at 57 us (page_copy 2 + migrate_page 55), about
 * 250 ms; under gcma it drops the copies cleancache put there at 2.7 us
 * each, about 12 ms; both then zero and flush the buffer (~7 ms). About
 * 259 / 19 = 14x; the bounds allow 10-20x. gcma's 3 x 4395 drops are
 * refaults to come. On pagecache-pressure, where cma's area holds clean
 * page cache it drops as cheaply, gcma is less than 3x faster at the
 * median: the claim's size depends on what the area lends out.
 */
Test(data, claim_gcma_is_faster_at_the_price_of_refaults, .timeout = 120)
{
	struct cmasim_config *cfg;
	struct cmasim_results *cma = run_workload("gcma-latency", "cma", NULL, &cfg);

	cmasim_config_free(cfg);
	struct cmasim_results *gcma = run_workload("gcma-latency", "gcma", NULL, &cfg);
	uint64_t c50 = cmasim_hist_percentile(&cma->latency, 500);
	uint64_t g50 = cmasim_hist_percentile(&gcma->latency, 500);

	cmasim_config_free(cfg);
	cr_expect(c50 >= 10 * g50 && c50 <= 20 * g50, "cma %lu ns, gcma %lu ns",
		  (unsigned long)c50, (unsigned long)g50);
	cr_expect_eq(gcma->reclaimed_pages, 3 * 4395);
	cr_expect_eq(gcma->refaulted_pages, 3 * 4395);
	cr_expect_lt(cma->refaulted_pages, gcma->refaulted_pages);
	cr_expect_gt(gcma->cost_ns[CMASIM_COST_REFAULT], cma->cost_ns[CMASIM_COST_REFAULT]);
	cmasim_results_free(cma);
	cmasim_results_free(gcma);

	cma = run_workload("pagecache-pressure", "cma", NULL, &cfg);
	cmasim_config_free(cfg);
	gcma = run_workload("pagecache-pressure", "gcma", NULL, &cfg);
	cmasim_config_free(cfg);
	cr_expect_lt(cmasim_hist_percentile(&cma->latency, 500),
		     3 * cmasim_hist_percentile(&gcma->latency, 500));
	cmasim_results_free(cma);
	cmasim_results_free(gcma);
}

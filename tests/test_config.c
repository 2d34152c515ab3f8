// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine config loader: shipped configs, the size syntax, each zone
 * layout form, devices and costs, and a table of bad inputs with the exact
 * error each gives.
 *
 * Expected values are worked out by hand in the comments, not copied from
 * the loader's output, so a change in how it derives zones shows up here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "cmasim/config.h"
#include "cmasim/error.h"
#include "helpers.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)

/* Loads NUL-terminated @yaml under the name "t.yaml"; NULL with @error set on failure. */
static struct cmasim_config *load(const char *yaml, GError **error)
{
	return cmasim_config_load_data("t.yaml", yaml, strlen(yaml), error);
}

/* Asserts zone @i of @cfg is @type over [@start, @end). */
static void assert_zone(const struct cmasim_config *cfg, unsigned int i,
			enum cmasim_zone_type type, uint64_t start, uint64_t end)
{
	cr_assert_lt(i, cfg->nr_zones);
	cr_assert_eq(cfg->zones[i].type, type, "zone %u: type %d, expected %d", i,
		     cfg->zones[i].type, type);
	cr_assert_eq(cfg->zones[i].start, start, "zone %u: start %#" PRIx64 ", expected %#" PRIx64,
		     i, cfg->zones[i].start, start);
	cr_assert_eq(cfg->zones[i].end, end, "zone %u: end %#" PRIx64 ", expected %#" PRIx64, i,
		     cfg->zones[i].end, end);
}

/* DMA_BIT_MASK(n) for the shipped configs' masks, spelled out by hand. */
#define MASK_30 UINT64_C(0x3FFFFFFF)
#define MASK_31 UINT64_C(0x7FFFFFFF)
#define MASK_32 UINT64_C(0xFFFFFFFF)
#define MASK_34 UINT64_C(0x3FFFFFFFF)
#define MASK_36 UINT64_C(0xFFFFFFFFF)
#define MASK_40 UINT64_C(0xFFFFFFFFFF)
#define MASK_64 UINT64_C(0xFFFFFFFFFFFFFFFF)

/* A role's bit in struct cmasim_device's roles. */
#define R(role) (UINT32_C(1) << CMASIM_ROLE_##role)

/* The Raspberry Pi 4's masters, whose PCIe window is @pcie (bcm2711.dtsi). */
#define RPI4_DEVICES(pcie) \
	{ "legacy", MASK_30, false, R(LEGACY_DMA) }, \
	{ "pcie", pcie, false, R(USB) }, \
	{ "unicam", MASK_30, false, R(CAMERA) }, \
	{ "hvs", MASK_30, false, R(DISPLAY) }, \
	{ "v3d", MASK_32, false, R(GPU) }, \
	{ "hevc", MASK_32, false, R(CODEC) }, \
	{ "genet", MASK_32, false, R(NIC) }

/* What a shipped config must derive to. */
struct shipped {
	const char *file;
	const char *name;
	uint64_t base, size, lowmem_size;
	unsigned int pageblock_order;
	unsigned int nr_zones;
	struct cmasim_zone_config zones[3];
	unsigned int nr_holes;
	struct cmasim_hole hole;	/* the first */
	unsigned int nr_devices;
	struct {
		const char *name;
		uint64_t dma_mask;
		bool coherent;
		uint32_t roles;
	} devices[7];
	bool check_cma;			/* the areas below are all it has, placed there */
	unsigned int nr_cma;
	struct cmasim_range cma[3];
	uint64_t buddy_op_ns, page_zero_ns;
};

static const struct shipped shipped[] = {
	{
		/* 768 MiB from 0x80000000 ends at 0xB0000000; 1 GiB ends at 0xC0000000 */
		.file = "armv7-1g.yaml", .name = "armv7-1g",
		.base = 0x80000000, .size = 1 * GiB, .lowmem_size = 768 * MiB,
		.pageblock_order = 10,
		.nr_zones = 2,
		.zones = {
			{ CMASIM_ZONE_NORMAL, 0x80000000, 0xB0000000 },
			{ CMASIM_ZONE_HIGHMEM, 0xB0000000, 0xC0000000 },
		},
		.nr_devices = 5,
		.devices = {
			{ "camera", MASK_32, false, R(CAMERA) },
			{ "display", MASK_32, false, R(DISPLAY) },
			{ "decoder", MASK_32, false, R(CODEC) },
			{ "gpu", MASK_32, false, R(GPU) },
			{ "legacy", MASK_30, false, R(LEGACY_DMA) },
		},
		/* 1 us = 1000 ns */
		.buddy_op_ns = 200, .page_zero_ns = 1000,
	},
	{
		/* 512 MiB is below the 768 MiB lowmem limit: one Normal zone */
		.file = "armv6-512m.yaml", .name = "armv6-512m",
		.base = 0, .size = 512 * MiB, .lowmem_size = 512 * MiB,
		.pageblock_order = 10,
		.nr_zones = 1,
		.zones = { { CMASIM_ZONE_NORMAL, 0, 0x20000000 } },
		.nr_devices = 2,
		.devices = {
			{ "camera", MASK_32, false, R(CAMERA) },
			{ "display", MASK_32, false, R(DISPLAY) },
		},
		.buddy_op_ns = 200, .page_zero_ns = 4000,
	},
	{
		/* 128 MiB = 0x08000000 from 0xA0000000 */
		.file = "xscale-vivt.yaml", .name = "xscale-vivt",
		.base = 0xA0000000, .size = 128 * MiB, .lowmem_size = 128 * MiB,
		.pageblock_order = 10,
		.nr_zones = 1,
		.zones = { { CMASIM_ZONE_NORMAL, 0xA0000000, 0xA8000000 } },
		.nr_devices = 2,
		.devices = {
			{ "camera", MASK_32, false, R(CAMERA) },
			{ "display", MASK_32, false, R(DISPLAY) },
		},
		.buddy_op_ns = 200, .page_zero_ns = 4000,
	},
	{
		/* 4 GiB from 0x80000000 ends at 0x1_8000_0000, past 32 bits (LPAE) */
		.file = "arm-lpae-4g.yaml", .name = "arm-lpae-4g",
		.base = 0x80000000, .size = 4 * GiB, .lowmem_size = 768 * MiB,
		.pageblock_order = 9,
		.nr_zones = 2,
		.zones = {
			{ CMASIM_ZONE_NORMAL, 0x80000000, 0xB0000000 },
			{ CMASIM_ZONE_HIGHMEM, 0xB0000000, 0x180000000 },
		},
		.nr_devices = 3,
		.devices = {
			{ "camera", MASK_32, false, R(CAMERA) },
			{ "display", MASK_32, false, R(DISPLAY) },
			{ "gpu", MASK_40, false, R(GPU) },
		},
		.buddy_op_ns = 200, .page_zero_ns = 1000,
	},
	{
		/*
		 * 8 GiB usable plus the 1 GiB hole span 9 GiB = 0x2_4000_0000.
		 * DMA32 is 4 GiB - 16 MiB; Normal is the 5 GiB above 4 GiB. No
		 * HighMem, so every zone is lowmem: 9 GiB less the 1 GiB hole.
		 */
		.file = "x86-64-8g.yaml", .name = "x86-64-8g",
		.base = 0, .size = 9 * GiB, .lowmem_size = 8 * GiB,
		.pageblock_order = 9,
		.nr_zones = 3,
		.zones = {
			{ CMASIM_ZONE_DMA, 0, 0x1000000 },
			{ CMASIM_ZONE_DMA32, 0x1000000, 0x100000000 },
			{ CMASIM_ZONE_NORMAL, 0x100000000, 0x240000000 },
		},
		.nr_holes = 1,
		.hole = { 0xC0000000, 0x40000000 },
		.nr_devices = 5,
		.devices = {
			{ "nic", MASK_64, true, R(NIC) },
			{ "gpu", MASK_64, true, R(GPU) | R(DISPLAY) | R(CODEC) },
			{ "legacy", MASK_32, true, R(LEGACY_DMA) },
			{ "capture", MASK_64, true, R(CAMERA) },
			{ "xhci", MASK_64, true, R(USB) },
		},
		.check_cma = true,
		.buddy_op_ns = 200, .page_zero_ns = 250,
	},
	{
		/*
		 * 768 MiB of lowmem; the 76 MiB hole at 0x3B400000 is in
		 * HighMem. CMA: 256 MiB at the top of lowmem, 0x30000000 -
		 * 0x10000000.
		 */
		.file = "rpi4-2g.yaml", .name = "rpi4-2g",
		.base = 0, .size = 2 * GiB, .lowmem_size = 768 * MiB,
		.pageblock_order = 9,
		.nr_zones = 2,
		.zones = {
			{ CMASIM_ZONE_NORMAL, 0, 0x30000000 },
			{ CMASIM_ZONE_HIGHMEM, 0x30000000, 0x80000000 },
		},
		.nr_holes = 1,
		.hole = { 0x3B400000, 76 * MiB },
		.nr_devices = 7,
		.devices = { RPI4_DEVICES(MASK_32) },
		.check_cma = true, .nr_cma = 1, .cma = { { 0x20000000, 256 * MiB } },
		.buddy_op_ns = 200, .page_zero_ns = 1000,
	},
	{
		/*
		 * RAM to 0xFC000000 less 76 MiB: 4032 - 76 = 3956 MiB, all
		 * lowmem. DMA is the first GiB, DMA32 the rest. The upstream
		 * 64 MiB area goes top-down in DMA below the hole at
		 * 0x3B400000: 0x3B400000 - 0x4000000 = 0x37400000.
		 */
		.file = "rpi4-4g.yaml", .name = "rpi4-4g",
		.base = 0, .size = 0xFC000000, .lowmem_size = 3956 * MiB,
		.pageblock_order = 9,
		.nr_zones = 2,
		.zones = {
			{ CMASIM_ZONE_DMA, 0, 0x40000000 },
			{ CMASIM_ZONE_DMA32, 0x40000000, 0xFC000000 },
		},
		.nr_holes = 1,
		.hole = { 0x3B400000, 76 * MiB },
		.nr_devices = 7,
		.devices = { RPI4_DEVICES(MASK_31) },
		.check_cma = true, .nr_cma = 1, .cma = { { 0x37400000, 64 * MiB } },
		.buddy_op_ns = 200, .page_zero_ns = 1000,
	},
	{
		/* the same board; the overlay's 512 MiB below 768 MiB: 0x30000000 - 0x20000000 */
		.file = "rpi4-4g-kms.yaml", .name = "rpi4-4g-kms",
		.base = 0, .size = 0xFC000000, .lowmem_size = 3956 * MiB,
		.pageblock_order = 9,
		.nr_zones = 2,
		.zones = {
			{ CMASIM_ZONE_DMA, 0, 0x40000000 },
			{ CMASIM_ZONE_DMA32, 0x40000000, 0xFC000000 },
		},
		.nr_holes = 1,
		.hole = { 0x3B400000, 76 * MiB },
		.nr_devices = 7,
		.devices = { RPI4_DEVICES(MASK_31) },
		.check_cma = true, .nr_cma = 1, .cma = { { 0x10000000, 512 * MiB } },
		.buddy_op_ns = 200, .page_zero_ns = 1000,
	},
	{
		/*
		 * 6 GiB from 0x40000000 ends at 0x1C0000000; DMA is the 3 GiB
		 * below 4 GiB. 960 MiB = 0x3C000000 at the top of DMA:
		 * 0x100000000 - 0x3C000000 = 0xC4000000.
		 */
		.file = "imx8mp-evk.yaml", .name = "imx8mp-evk",
		.base = 0x40000000, .size = 6 * GiB, .lowmem_size = 6 * GiB,
		.pageblock_order = 9,
		.nr_zones = 2,
		.zones = {
			{ CMASIM_ZONE_DMA, 0x40000000, 0x100000000 },
			{ CMASIM_ZONE_NORMAL, 0x100000000, 0x1C0000000 },
		},
		.nr_devices = 6,
		.devices = {
			{ "isi", MASK_32, false, R(CAMERA) },
			{ "lcdif", MASK_32, false, R(DISPLAY) },
			{ "vpu", MASK_32, false, R(CODEC) },
			{ "gpu", MASK_32, false, R(GPU) },
			{ "eqos", MASK_32, false, R(NIC) },
			{ "dwc3", MASK_32, false, R(USB) },
		},
		.check_cma = true, .nr_cma = 1, .cma = { { 0xC4000000, 960 * MiB } },
		.buddy_op_ns = 250, .page_zero_ns = 2000,
	},
	{
		/*
		 * 0x80000000 + 0xFF200000 = 0x17F200000; 4082 - 18 = 4064 MiB
		 * of RAM. The default area where L4T's dmesg put it: below the
		 * 18 MiB hole, 0xFEE00000 - 64 MiB = 0xFAE00000, down to 4 MiB:
		 * 0xFAC00000. The VPR is fixed at 0xD7000000.
		 */
		.file = "jetson-nano.yaml", .name = "jetson-nano",
		.base = 0x80000000, .size = 0xFF200000, .lowmem_size = 4064 * MiB,
		.pageblock_order = 9,
		.nr_zones = 2,
		.zones = {
			{ CMASIM_ZONE_DMA, 0x80000000, 0x100000000 },
			{ CMASIM_ZONE_NORMAL, 0x100000000, 0x17F200000 },
		},
		.nr_holes = 1,
		.hole = { 0xFEE00000, 18 * MiB },
		.nr_devices = 6,
		.devices = {
			{ "vi", MASK_34, false, R(CAMERA) },
			{ "dc", MASK_34, false, R(DISPLAY) },
			{ "nvdec", MASK_34, false, R(CODEC) },
			{ "gpu", MASK_34, false, R(GPU) },
			{ "rtl8111", MASK_32, false, R(NIC) },
			{ "xusb", MASK_34, false, R(USB) },
		},
		.check_cma = true, .nr_cma = 2,
		.cma = { { 0xFAC00000, 64 * MiB }, { 0xD7000000, 400 * MiB } },
		.buddy_op_ns = 200, .page_zero_ns = 1000,
	},
	{
		/*
		 * 4 GiB from 0x80000000, one Normal zone; holes of 32, 2 and
		 * 8 MiB leave 4054 MiB. The 28 MiB default area goes
		 * bottom-up from 4 GiB under the 5.10 rules (RAM reaches
		 * 0x180000000, past 4 GiB + 28 MiB): 0x100000000. The codec's
		 * and camera's areas are fixed.
		 */
		.file = "exynos9810-4g.yaml", .name = "exynos9810-4g",
		.base = 0x80000000, .size = 4 * GiB, .lowmem_size = 4054 * MiB,
		.pageblock_order = 10,
		.nr_zones = 1,
		.zones = { { CMASIM_ZONE_NORMAL, 0x80000000, 0x180000000 } },
		.nr_holes = 3,
		.hole = { 0xAF800000, 32 * MiB },
		.nr_devices = 6,
		.devices = {
			{ "isp", MASK_36, false, R(CAMERA) },
			{ "decon", MASK_36, false, R(DISPLAY) },
			{ "mfc", MASK_36, false, R(CODEC) },
			{ "mali", MASK_36, false, R(GPU) },
			{ "dwc3", MASK_36, false, R(USB) },
			{ "wifi", MASK_36, false, R(NIC) },
		},
		.check_cma = true, .nr_cma = 3,
		.cma = { { 0x100000000, 28 * MiB }, { 0xE9400000, 108 * MiB },
			 { 0xD3400000, 228 * MiB } },
		.buddy_op_ns = 250, .page_zero_ns = 1000,
	},
	{
		/* 32 GiB and the 1 GiB hole span 33 GiB = 0x8_4000_0000; no CMA */
		.file = "x86-64-32g.yaml", .name = "x86-64-32g",
		.base = 0, .size = 33 * GiB, .lowmem_size = 32 * GiB,
		.pageblock_order = 9,
		.nr_zones = 3,
		.zones = {
			{ CMASIM_ZONE_DMA, 0, 0x1000000 },
			{ CMASIM_ZONE_DMA32, 0x1000000, 0x100000000 },
			{ CMASIM_ZONE_NORMAL, 0x100000000, 0x840000000 },
		},
		.nr_holes = 1,
		.hole = { 0xC0000000, 0x40000000 },
		.nr_devices = 5,
		.devices = {
			{ "nic", MASK_64, true, R(NIC) },
			{ "gpu", MASK_64, true, R(GPU) | R(DISPLAY) | R(CODEC) },
			{ "capture", MASK_64, true, R(CAMERA) },
			{ "xhci", MASK_64, true, R(USB) },
			{ "legacy", MASK_32, true, R(LEGACY_DMA) },
		},
		.check_cma = true,
		.buddy_op_ns = 200, .page_zero_ns = 250,
	},
};

Test(config, shipped_configs_load)
{
	for (size_t i = 0; i < G_N_ELEMENTS(shipped); i++) {
		const struct shipped *s = &shipped[i];
		g_autofree char *path =
			g_build_filename(CMASIM_SOURCE_ROOT, "configs", s->file, NULL);
		GError *error = NULL;
		struct cmasim_config *cfg = cmasim_config_load_file(path, &error);

		cr_assert_not_null(cfg, "%s", error ? error->message : "?");
		cr_assert_str_eq(cfg->source, path);
		cr_assert_str_eq(cfg->name, s->name);
		cr_assert_not_null(cfg->description, "%s has no description", s->file);
		cr_assert_eq(cfg->mem_base, s->base, "%s: base", s->file);
		cr_assert_eq(cfg->mem_size, s->size, "%s: size", s->file);
		cr_assert_eq(cfg->page_size, 4096, "%s: page_size", s->file);
		cr_assert_eq(cfg->page_shift, 12, "%s: page_shift", s->file);
		cr_assert_eq(cfg->max_page_order, 10, "%s: max_page_order", s->file);
		cr_assert_eq(cfg->pageblock_order, s->pageblock_order, "%s: pageblock_order",
			     s->file);
		cr_assert_eq(cfg->min_free_kbytes, 0, "%s: min_free_kbytes", s->file);
		cr_assert_eq(cfg->lowmem_size, s->lowmem_size, "%s: lowmem_size", s->file);
		cr_assert_eq(cfg->nr_zones, s->nr_zones, "%s: nr_zones", s->file);
		for (unsigned int z = 0; z < s->nr_zones; z++)
			assert_zone(cfg, z, s->zones[z].type, s->zones[z].start, s->zones[z].end);
		cr_assert_eq(cfg->nr_holes, s->nr_holes, "%s: nr_holes", s->file);
		if (s->nr_holes) {
			cr_assert_eq(cfg->holes[0].start, s->hole.start);
			cr_assert_eq(cfg->holes[0].size, s->hole.size);
		}
		cr_assert_eq(cfg->nr_devices, s->nr_devices, "%s: nr_devices", s->file);
		for (unsigned int d = 0; d < s->nr_devices; d++) {
			cr_assert_str_eq(cfg->devices[d].name, s->devices[d].name, "%s: device %u",
					 s->file, d);
			cr_assert_eq(cfg->devices[d].dma_mask, s->devices[d].dma_mask,
				     "%s: %s: mask %#" PRIx64, s->file, s->devices[d].name,
				     cfg->devices[d].dma_mask);
			cr_assert_eq(cfg->devices[d].coherent, s->devices[d].coherent, "%s: %s",
				     s->file, s->devices[d].name);
			cr_assert_eq(cfg->devices[d].roles, s->devices[d].roles, "%s: %s: roles %#x",
				     s->file, s->devices[d].name, cfg->devices[d].roles);
			cr_assert_eq(cmasim_config_device(cfg, s->devices[d].name), (int)d);
		}
		if (s->check_cma) {
			cr_assert_eq(cfg->nr_cma, s->nr_cma, "%s: nr_cma", s->file);
			for (unsigned int a = 0; a < s->nr_cma; a++) {
				cr_assert_eq(cfg->cma[a].base, s->cma[a].base,
					     "%s: area %u at %#" PRIx64, s->file, a, cfg->cma[a].base);
				cr_assert_eq(cfg->cma[a].size, s->cma[a].size, "%s: area %u size",
					     s->file, a);
			}
		}
		cr_assert_eq(cfg->costs.buddy_op_ns, s->buddy_op_ns, "%s: buddy_op", s->file);
		cr_assert_eq(cfg->costs.page_zero_ns, s->page_zero_ns, "%s: page_zero", s->file);
		cmasim_config_free(cfg);
	}
}

/* What the shipped masks mean for the RAM each device can reach, worked by hand. */
Test(config, shipped_device_reach)
{
	g_autofree char *armv7 = g_build_filename(CMASIM_SOURCE_ROOT, "configs", "armv7-1g.yaml",
						  NULL);
	g_autofree char *lpae = g_build_filename(CMASIM_SOURCE_ROOT, "configs",
						 "arm-lpae-4g.yaml", NULL);
	struct cmasim_config *cfg = cmasim_config_load_file(armv7, NULL);
	int d;

	/* armv7-1g: RAM is [0x80000000, 0xC0000000); legacy reaches 0x3FFFFFFF at most */
	cr_assert_not_null(cfg);
	d = cmasim_config_device(cfg, "legacy");
	cr_assert_geq(d, 0);
	cr_assert_lt(cfg->devices[d].dma_mask, cfg->mem_base, "legacy reaches some RAM");
	/* the 32-bit masters reach its last byte, 0xBFFFFFFF */
	d = cmasim_config_device(cfg, "camera");
	cr_assert_geq(cfg->devices[d].dma_mask, cfg->mem_base + cfg->mem_size - 1);
	cr_assert_eq(cmasim_config_device(cfg, "nic"), -1);
	cmasim_config_free(cfg);

	/*
	 * arm-lpae-4g: RAM is [0x80000000, 0x180000000). The camera reaches the
	 * 768 MiB of lowmem (to 0xAFFFFFFF) but not the last 2 GiB, from
	 * 0x100000000; the 40-bit GPU reaches all of it.
	 */
	cfg = cmasim_config_load_file(lpae, NULL);
	cr_assert_not_null(cfg);
	d = cmasim_config_device(cfg, "camera");
	cr_assert_geq(cfg->devices[d].dma_mask, cfg->zones[0].end - 1);
	cr_assert_lt(cfg->devices[d].dma_mask, UINT64_C(0x100000000));
	d = cmasim_config_device(cfg, "gpu");
	cr_assert_geq(cfg->devices[d].dma_mask, UINT64_C(0x17FFFFFFF));
	cmasim_config_free(cfg);
}

Test(config, missing_file_is_io_error)
{
	const char *path = CMASIM_SOURCE_ROOT "/configs/no-such-machine.yaml";
	g_autofree char *expected = g_strdup_printf("%s: %s", path, g_strerror(ENOENT));
	GError *error = NULL;

	cr_assert_null(cmasim_config_load_file(path, &error));
	cr_assert_not_null(error);
	cr_assert(g_error_matches(error, CMASIM_ERROR, CMASIM_ERROR_IO), "code %d", error->code);
	cr_assert_str_eq(error->message, expected);
	g_error_free(error);
}

Test(config, directory_is_io_error)
{
	const char *path = CMASIM_SOURCE_ROOT "/configs";
	g_autofree char *expected = g_strdup_printf("%s: %s", path, g_strerror(EISDIR));
	GError *error = NULL;

	cr_assert_null(cmasim_config_load_file(path, &error));
	cr_assert(g_error_matches(error, CMASIM_ERROR, CMASIM_ERROR_IO));
	cr_assert_str_eq(error->message, expected);
	g_error_free(error);
}

/* A config is small; endless input stops at the size cap instead of eating memory. */
Test(config, endless_file_is_io_error)
{
	g_autofree char *expected = g_strdup_printf("/dev/zero: %s", g_strerror(EFBIG));
	GError *error = NULL;

	cr_assert_null(cmasim_config_load_file("/dev/zero", &error));
	cr_assert(g_error_matches(error, CMASIM_ERROR, CMASIM_ERROR_IO));
	cr_assert_str_eq(error->message, expected);
	g_error_free(error);
}

Test(config, defaults)
{
	struct cmasim_config *cfg =
		cmasim_config_load_data("some/dir/board.yaml", "memory: {size: 64MiB}\n", 22, NULL);

	cr_assert_not_null(cfg);
	cr_assert_str_eq(cfg->source, "some/dir/board.yaml");
	cr_assert_str_eq(cfg->name, "board");
	cr_assert_null(cfg->description);
	cr_assert_eq(cfg->mem_base, 0);
	cr_assert_eq(cfg->mem_size, 64 * MiB);
	cr_assert_eq(cfg->page_size, 4096);
	cr_assert_eq(cfg->page_shift, 12);
	cr_assert_eq(cfg->max_page_order, 10);
	cr_assert_eq(cfg->pageblock_order, 10);
	cr_assert_eq(cfg->min_free_kbytes, 0);
	cr_assert_eq(cfg->atomic_pool_size, 256 * KiB);
	cr_assert_eq(cfg->nr_zones, 1);
	assert_zone(cfg, 0, CMASIM_ZONE_NORMAL, 0, 64 * MiB);
	cr_assert_eq(cfg->lowmem_size, 64 * MiB);
	cr_assert_eq(cfg->nr_holes, 0);
	/* no devices: and no costs:, so the header's default costs */
	cr_assert_eq(cfg->nr_devices, 0);
	cr_assert_eq(cmasim_config_device(cfg, "gpu"), -1);
	cr_assert_eq(cfg->costs.buddy_op_ns, 200);
	cr_assert_eq(cfg->costs.page_zero_ns, 1000);
	cr_assert_eq(cfg->kernel, cmasim_kernel_default());
	cmasim_config_free(cfg);
}

Test(config, every_scalar_field)
{
	struct cmasim_config *cfg = load_config(
		"# a comment\n"
		"name: \"board one\"\n"
		"description: 'Two\n  lines'\n"
		"memory:\n"
		"  base: 0x40000000\n"
		"  size: 256MiB\n"
		"  page_size: 16KiB\n"
		"  max_page_order: 11\n"
		"  pageblock_order: 7\n"
		"  min_free_kbytes: 2048\n"
		"atomic_pool: 1MiB\n");

	cr_assert_str_eq(cfg->name, "board one");
	cr_assert_str_eq(cfg->description, "Two lines");
	cr_assert_eq(cfg->mem_base, 0x40000000);
	cr_assert_eq(cfg->mem_size, 256 * MiB);
	cr_assert_eq(cfg->page_size, 16 * KiB);
	cr_assert_eq(cfg->page_shift, 14);
	cr_assert_eq(cfg->max_page_order, 11);
	cr_assert_eq(cfg->pageblock_order, 7);
	cr_assert_eq(cfg->min_free_kbytes, 2048);
	cr_assert_eq(cfg->atomic_pool_size, 1 * MiB);
	cmasim_config_free(cfg);
}

Test(config, pageblock_order_defaults_to_a_smaller_max_page_order)
{
	struct cmasim_config *cfg = load_config("memory: {size: 8MiB, max_page_order: 8}\n");

	cr_assert_eq(cfg->max_page_order, 8);
	cr_assert_eq(cfg->pageblock_order, 8);
	cmasim_config_free(cfg);
}

Test(config, order_limits)
{
	/* 64 KiB pages << 15 = 2 GiB blocks: the largest the format allows */
	struct cmasim_config *cfg = load_config(
		"memory: {size: 4GiB, page_size: 64KiB,\n"
		"         max_page_order: 15, pageblock_order: 15}\n");

	cr_assert_eq(cfg->page_shift, 16);
	cr_assert_eq(cfg->max_page_order, CMASIM_ORDER_LIMIT);
	cmasim_config_free(cfg);

	/* order 0 everywhere: every 4 KiB page is its own pageblock */
	cfg = load_config("memory: {size: 12KiB, max_page_order: 0, pageblock_order: 0}\n");
	cr_assert_eq(cfg->mem_size, 12 * KiB);
	cmasim_config_free(cfg);
}

/* One spelling of a size and the bytes it means. */
struct size_case {
	const char *text;
	uint64_t bytes;
};

Test(config, size_syntax)
{
	/* memory.size must be a multiple of the 4 MiB pageblock, so each is one */
	static const struct size_case cases[] = {
		{ "4194304", 4 * MiB },
		{ "4194304B", 4 * MiB },
		{ "4194304 B", 4 * MiB },
		{ "0x400000", 4 * MiB },
		{ "0X400000", 4 * MiB },
		{ "0x00400000", 4 * MiB },
		{ "0x4 MiB", 4 * MiB },
		{ "0xc00000", 12 * MiB },
		{ "0xC00000", 12 * MiB },
		{ "4096K", 4 * MiB },
		{ "4096 K", 4 * MiB },
		{ "4096KiB", 4 * MiB },
		{ "4096 KiB", 4 * MiB },
		{ "4M", 4 * MiB },
		{ "4 M", 4 * MiB },
		{ "4MiB", 4 * MiB },
		{ "4 MiB", 4 * MiB },
		{ "\"4MiB\"", 4 * MiB },
		{ "'4 MiB'", 4 * MiB },
		{ "1G", 1 * GiB },
		{ "1 GiB", 1 * GiB },
		{ "1T", 1 * TiB },
		{ "1 TiB", 1 * TiB },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *yaml = g_strdup_printf("memory:\n  size: %s\n", cases[i].text);
		struct cmasim_config *cfg = load_config(yaml);

		cr_assert_eq(cfg->mem_size, cases[i].bytes, "%s: %" PRIu64, cases[i].text,
			     cfg->mem_size);
		cmasim_config_free(cfg);
	}
}

Test(config, size_syntax_small_and_large)
{
	/* a 64-bit hex address: RAM may end exactly at 2^64 - 1 */
	struct cmasim_config *cfg = load_config(
		"memory: {base: 0xFFFFFFFFFF800000, size: 4MiB, page_size: 4 K}\n");

	cr_assert_eq(cfg->mem_base, UINT64_C(0xFFFFFFFFFF800000));
	cr_assert_eq(cfg->page_size, 4096);
	assert_zone(cfg, 0, CMASIM_ZONE_NORMAL, UINT64_C(0xFFFFFFFFFF800000),
		    UINT64_C(0xFFFFFFFFFFC00000));
	cmasim_config_free(cfg);

	/* "B" after hex digits is a digit: 0x1000 = 4096 needs no unit, 0x1 B is one byte */
	cfg = load_config("memory: {size: 4MiB, page_size: 0x1000}\n");
	cr_assert_eq(cfg->page_size, 4096);
	cmasim_config_free(cfg);
	cfg = load_config("memory: {size: 8MiB, page_size: 0x2000 B}\n");
	cr_assert_eq(cfg->page_size, 8192);
	cmasim_config_free(cfg);
}

Test(config, layout_none_is_one_normal_zone)
{
	struct cmasim_config *cfg = load_config("memory: {base: 0x10000000, size: 1GiB}\n");

	cr_assert_eq(cfg->nr_zones, 1);
	assert_zone(cfg, 0, CMASIM_ZONE_NORMAL, 0x10000000, 0x50000000);
	cr_assert_eq(cfg->lowmem_size, 1 * GiB);
	cmasim_config_free(cfg);
}

Test(config, layout_lowmem)
{
	/* 1 GiB at 1 GiB: lowmem to 1 GiB + 760 MiB = 0x6F800000, then HighMem to 2 GiB */
	struct cmasim_config *cfg =
		load_config("memory: {base: 0x40000000, size: 1GiB, lowmem: 760MiB}\n");

	cr_assert_eq(cfg->nr_zones, 2);
	assert_zone(cfg, 0, CMASIM_ZONE_NORMAL, 0x40000000, 0x6F800000);
	assert_zone(cfg, 1, CMASIM_ZONE_HIGHMEM, 0x6F800000, 0x80000000);
	cr_assert_eq(cfg->lowmem_size, 760 * MiB);
	cmasim_config_free(cfg);
}

Test(config, layout_lowmem_equal_to_size_has_no_highmem)
{
	struct cmasim_config *cfg = load_config("memory: {size: 512MiB, lowmem: 512MiB}\n");

	cr_assert_eq(cfg->nr_zones, 1);
	assert_zone(cfg, 0, CMASIM_ZONE_NORMAL, 0, 512 * MiB);
	cr_assert_eq(cfg->lowmem_size, 512 * MiB);
	cmasim_config_free(cfg);

	cfg = load_config("memory: {size: 512MiB, lowmem: 512MiB, dma_zone: 16MiB}\n");
	cr_assert_eq(cfg->nr_zones, 2);
	assert_zone(cfg, 0, CMASIM_ZONE_DMA, 0, 16 * MiB);
	assert_zone(cfg, 1, CMASIM_ZONE_NORMAL, 16 * MiB, 512 * MiB);
	cr_assert_eq(cfg->lowmem_size, 512 * MiB);
	cmasim_config_free(cfg);
}

Test(config, layout_lowmem_with_dma_zone)
{
	/* 0xC0000000 + 16 MiB = 0xC1000000; + 768 MiB = 0xF0000000; + 1 GiB = 0x1_0000_0000 */
	struct cmasim_config *cfg = load_config(
		"memory:\n"
		"  base: 0xC0000000\n"
		"  size: 1GiB\n"
		"  lowmem: 768MiB\n"
		"  dma_zone: 16MiB\n");

	cr_assert_eq(cfg->nr_zones, 3);
	assert_zone(cfg, 0, CMASIM_ZONE_DMA, 0xC0000000, 0xC1000000);
	assert_zone(cfg, 1, CMASIM_ZONE_NORMAL, 0xC1000000, 0xF0000000);
	assert_zone(cfg, 2, CMASIM_ZONE_HIGHMEM, 0xF0000000, 0x100000000);
	cr_assert_eq(cfg->lowmem_size, 768 * MiB);
	cmasim_config_free(cfg);

	/* a zero dma_zone lists no DMA zone */
	cfg = load_config("memory: {size: 1GiB, lowmem: 768MiB, dma_zone: 0}\n");
	cr_assert_eq(cfg->nr_zones, 2);
	assert_zone(cfg, 0, CMASIM_ZONE_NORMAL, 0, 768 * MiB);
	assert_zone(cfg, 1, CMASIM_ZONE_HIGHMEM, 768 * MiB, 1 * GiB);
	cmasim_config_free(cfg);
}

Test(config, layout_zones)
{
	/* 4 + 28 + 32 + 64 = 128 MiB; lowmem stops at HighMem, so Movable is not in it */
	struct cmasim_config *cfg = load_config(
		"memory:\n"
		"  size: 128MiB\n"
		"  zones:\n"
		"    - { type: DMA, size: 4MiB }\n"
		"    - { type: Normal, size: 28MiB }\n"
		"    - type: HighMem\n"
		"      size: 32MiB\n"
		"    - { type: Movable, size: 64MiB }\n");

	cr_assert_eq(cfg->nr_zones, 4);
	assert_zone(cfg, 0, CMASIM_ZONE_DMA, 0, 4 * MiB);
	assert_zone(cfg, 1, CMASIM_ZONE_NORMAL, 4 * MiB, 32 * MiB);
	assert_zone(cfg, 2, CMASIM_ZONE_HIGHMEM, 32 * MiB, 64 * MiB);
	assert_zone(cfg, 3, CMASIM_ZONE_MOVABLE, 64 * MiB, 128 * MiB);
	cr_assert_eq(cfg->lowmem_size, 32 * MiB);
	cmasim_config_free(cfg);

	/* without HighMem, Movable is in the linear map too */
	cfg = load_config("memory: {size: 8MiB, zones: [{type: Normal, size: 4MiB},"
			  " {type: Movable, size: 4MiB}]}\n");
	cr_assert_eq(cfg->nr_zones, 2);
	assert_zone(cfg, 1, CMASIM_ZONE_MOVABLE, 4 * MiB, 8 * MiB);
	cr_assert_eq(cfg->lowmem_size, 8 * MiB);
	cmasim_config_free(cfg);

	/* all five types, once each, in the kernel's order */
	cfg = load_config("memory: {size: 20MiB, zones: [{type: DMA, size: 4MiB},"
			  " {type: DMA32, size: 4MiB}, {type: Normal, size: 4MiB},"
			  " {type: HighMem, size: 4MiB}, {type: Movable, size: 4MiB}]}\n");
	cr_assert_eq(cfg->nr_zones, CMASIM_NR_ZONE_TYPES);
	for (unsigned int z = 0; z < CMASIM_NR_ZONE_TYPES; z++)
		assert_zone(cfg, z, (enum cmasim_zone_type)z, z * 4 * MiB, (z + 1) * 4 * MiB);
	cr_assert_eq(cfg->lowmem_size, 12 * MiB);
	cmasim_config_free(cfg);
}

Test(config, holes)
{
	/* adjacent holes are fine; so is one that ends exactly at the end of RAM */
	struct cmasim_config *cfg = load_config(
		"memory:\n"
		"  base: 0x80000000\n"
		"  size: 64MiB\n"
		"  holes:\n"
		"    - { start: 0x80400000, size: 4MiB }\n"
		"    - { start: 0x80800000, size: 8MiB }\n"
		"    - { start: 0x83C00000, size: 4MiB }\n");

	cr_assert_eq(cfg->nr_holes, 3);
	cr_assert_eq(cfg->holes[0].start, 0x80400000);
	cr_assert_eq(cfg->holes[0].size, 4 * MiB);
	cr_assert_eq(cfg->holes[1].start, 0x80800000);
	cr_assert_eq(cfg->holes[1].size, 8 * MiB);
	cr_assert_eq(cfg->holes[2].start, 0x83C00000);
	cr_assert_eq(cfg->nr_zones, 1);
	assert_zone(cfg, 0, CMASIM_ZONE_NORMAL, 0x80000000, 0x84000000);
	cmasim_config_free(cfg);
}

/* Holes have no pages, so lowmem_size leaves out the part of each below the end of lowmem. */
Test(config, lowmem_size_excludes_holes)
{
	/*
	 * lowmem ends at 0x80000000 + 32 MiB = 0x82000000. The first hole is all
	 * lowmem (4 MiB); the second, [0x81C00000, 0x82400000), straddles the end
	 * and has 0x82000000 - 0x81C00000 = 4 MiB below it; the third is in
	 * HighMem. 32 - 4 - 4 = 24 MiB.
	 */
	struct cmasim_config *cfg = load_config(
		"memory:\n"
		"  base: 0x80000000\n"
		"  size: 64MiB\n"
		"  lowmem: 32MiB\n"
		"  holes:\n"
		"    - { start: 0x80400000, size: 4MiB }\n"
		"    - { start: 0x81C00000, size: 8MiB }\n"
		"    - { start: 0x83000000, size: 4MiB }\n");

	cr_assert_eq(cfg->lowmem_size, 24 * MiB);
	cmasim_config_free(cfg);

	/*
	 * zones: Normal [0, 8 MiB) less the hole at 4 MiB; the hole in Movable
	 * comes after HighMem, so it is not lowmem anyway
	 */
	cfg = load_config("memory:\n"
			  "  size: 16MiB\n"
			  "  zones: [{type: Normal, size: 8MiB}, {type: HighMem, size: 4MiB},\n"
			  "          {type: Movable, size: 4MiB}]\n"
			  "  holes: [{start: 4MiB, size: 4MiB}, {start: 12MiB, size: 4MiB}]\n");
	cr_assert_eq(cfg->lowmem_size, 4 * MiB);
	cmasim_config_free(cfg);

	/* no layout: all of RAM less the hole */
	cfg = load_config("memory: {size: 16MiB, holes: [{start: 8MiB, size: 4MiB}]}\n");
	cr_assert_eq(cfg->lowmem_size, 12 * MiB);
	cmasim_config_free(cfg);

	/* a hole over all of lowmem leaves none */
	cfg = load_config("memory: {size: 8MiB, lowmem: 4MiB, holes: [{start: 0, size: 4MiB}]}\n");
	cr_assert_eq(cfg->lowmem_size, 0);
	cmasim_config_free(cfg);
}

Test(config, devices)
{
	/* DMA_BIT_MASK(n) = 2^n - 1: 1 bit is 0x1, 33 bits 0x1_FFFF_FFFF, 64 bits all ones */
	struct cmasim_config *cfg = load_config(
		"memory: {size: 4MiB}\n"
		"devices:\n"
		"  - { name: camera, dma_bits: 32 }\n"
		"  - name: dsp_2\n"
		"    dma_bits: 1\n"
		"    coherent: true\n"
		"  - { name: 'a-B_9', dma_bits: 33, coherent: false }\n"
		"  - { coherent: true, dma_bits: 64, name: \"64\" }\n");

	cr_assert_eq(cfg->nr_devices, 4);
	cr_assert_str_eq(cfg->devices[0].name, "camera");
	cr_assert_eq(cfg->devices[0].dma_mask, UINT64_C(0xFFFFFFFF));
	cr_assert_not(cfg->devices[0].coherent, "coherent defaults to false");
	cr_assert_str_eq(cfg->devices[1].name, "dsp_2");
	cr_assert_eq(cfg->devices[1].dma_mask, 1);
	cr_assert(cfg->devices[1].coherent);
	cr_assert_str_eq(cfg->devices[2].name, "a-B_9");
	cr_assert_eq(cfg->devices[2].dma_mask, UINT64_C(0x1FFFFFFFF));
	cr_assert_not(cfg->devices[2].coherent);
	cr_assert_str_eq(cfg->devices[3].name, "64");
	cr_assert_eq(cfg->devices[3].dma_mask, UINT64_MAX);
	cr_assert(cfg->devices[3].coherent);
	cr_assert_eq(cmasim_config_device(cfg, "camera"), 0);
	cr_assert_eq(cmasim_config_device(cfg, "64"), 3);
	cr_assert_eq(cmasim_config_device(cfg, "Camera"), -1, "names are case-sensitive");
	cmasim_config_free(cfg);

	cfg = load_config("memory: {size: 4MiB}\ndevices: []\n");
	cr_assert_eq(cfg->nr_devices, 0);
	cmasim_config_free(cfg);
}

/*
 * Roles: a device may have several, two devices the same one. A name
 * resolves to the device of that name first, else to the first device,
 * in the order written, that has the role.
 */
Test(config, roles)
{
	struct cmasim_config *cfg = load_config(
		"memory: {size: 4MiB}\n"
		"devices:\n"
		"  - { name: isp, dma_bits: 32, roles: [camera] }\n"
		"  - { name: gpu0, dma_bits: 32, roles: [gpu, display, codec] }\n"
		"  - { name: camera, dma_bits: 32 }\n"
		"  - { name: usb2, dma_bits: 32, roles: [usb, legacy-dma, nic] }\n"
		"  - { name: cam2, dma_bits: 32, roles: [camera] }\n"
		"  - { name: none, dma_bits: 32, roles: [] }\n");

	cr_assert_eq(cfg->devices[0].roles, R(CAMERA));
	cr_assert_eq(cfg->devices[1].roles, R(GPU) | R(DISPLAY) | R(CODEC));
	cr_assert_eq(cfg->devices[2].roles, 0, "no roles: key, no role");
	cr_assert_eq(cfg->devices[3].roles, R(USB) | R(LEGACY_DMA) | R(NIC));
	cr_assert_eq(cfg->devices[5].roles, 0);
	/* a device name wins over a role: "camera" is device 2, not isp */
	cr_assert_eq(cmasim_config_resolve_device(cfg, "camera", 6), 2);
	cr_assert_eq(cmasim_config_resolve_device(cfg, "display", 7), 1);
	cr_assert_eq(cmasim_config_resolve_device(cfg, "codec", 5), 1);
	cr_assert_eq(cmasim_config_resolve_device(cfg, "legacy-dma", 10), 3);
	cr_assert_eq(cmasim_config_resolve_device(cfg, "usb2", 4), 3);
	/* the length counts: "cam2" cut to "cam" is nothing */
	cr_assert_eq(cmasim_config_resolve_device(cfg, "cam2", 3), -1);
	cr_assert_eq(cmasim_config_resolve_device(cfg, "Camera", 6), -1, "roles are case-sensitive");
	cr_assert_eq(cmasim_config_device(cfg, "codec"), -1, "cmasim_config_device takes names only");
	cmasim_config_free(cfg);

	/* nobody has the camera role here, and no device is named so */
	cfg = load_config("memory: {size: 4MiB}\ndevices: [{name: gpu, dma_bits: 32}]\n");
	cr_assert_eq(cmasim_config_resolve_device(cfg, "camera", 6), -1);
	cr_assert_eq(cmasim_config_resolve_device(cfg, "gpu", 3), 0);
	cmasim_config_free(cfg);
}

Test(config, role_names)
{
	static const char *const names[] = {
		"camera", "display", "codec", "gpu", "nic", "legacy-dma", "usb",
	};

	cr_assert_eq(G_N_ELEMENTS(names), CMASIM_NR_ROLES);
	for (int r = 0; r < CMASIM_NR_ROLES; r++) {
		cr_assert_str_eq(cmasim_role_name(r), names[r]);
		cr_assert_eq(cmasim_role_lookup(names[r], strlen(names[r])), r);
	}
	cr_assert_eq(cmasim_role_lookup("legacy", 6), -1);
	cr_assert_eq(cmasim_role_lookup("", 0), -1);
}

/* 1 GiB at 2 GiB, 768 MiB of lowmem (Normal ends at 0xB0000000), four devices. */
#define PHONE "memory: {base: 0x80000000, size: 1GiB, lowmem: 768MiB}\n" \
	      "devices:\n  - {name: camera, dma_bits: 32}\n  - {name: gpu, dma_bits: 32}\n" \
	      "  - {name: display, dma_bits: 32}\n  - {name: decoder, dma_bits: 32}\n"

Test(config, cma_areas)
{
	/*
	 * Top-down placement, as memblock does: the shared area ends where
	 * lowmem ends, 0xB0000000 - 64 MiB = 0xAC000000; cam goes below it,
	 * 0xAC000000 - 32 MiB = 0xAA000000; hm in HighMem ends at 0xC0000000,
	 * 0xBF000000 rounded down to 32 MiB is 0xBE000000.
	 */
	struct cmasim_config *cfg = load_config(
		PHONE "cma:\n"
		"  - {size: 64MiB}\n"
		"  - {name: cam, size: 32MiB, devices: [camera]}\n"
		"  - {name: hm, size: 16MiB, zone: HighMem, alignment: 32MiB, devices: [gpu]}\n"
		"  - {name: fixed, size: 8MiB, base: 0x90000000, order_per_bit: 2,\n"
		"     devices: [display]}\n");

	cr_assert_eq(cfg->nr_cma, 4);
	cr_assert_str_eq(cfg->cma[0].name, "reserved");
	cr_assert(cfg->cma[0].shared);
	cr_assert_eq(cfg->cma[0].base, UINT64_C(0xAC000000));
	cr_assert_eq(cfg->cma[0].size, 64 * MiB);
	cr_assert_eq(cfg->cma[0].alignment, 4 * MiB, "a pageblock by default");
	cr_assert_eq(cfg->cma[0].zone, CMASIM_ZONE_NORMAL);
	cr_assert_eq(cfg->cma[1].base, UINT64_C(0xAA000000));
	cr_assert_not(cfg->cma[1].shared);
	cr_assert_eq(cfg->cma[2].base, UINT64_C(0xBE000000));
	cr_assert_eq(cfg->cma[2].zone, CMASIM_ZONE_HIGHMEM);
	cr_assert_eq(cfg->cma[3].base, UINT64_C(0x90000000));
	cr_assert_eq(cfg->cma[3].zone, CMASIM_ZONE_NORMAL);
	cr_assert_eq(cfg->cma[3].order_per_bit, 2);
	cr_assert_eq(cfg->devices[0].cma_area, 1);
	cr_assert_eq(cfg->devices[1].cma_area, 2);
	cr_assert_eq(cfg->devices[2].cma_area, 3);
	cr_assert_eq(cfg->devices[3].cma_area, -1, "decoder uses the shared area");
	cmasim_config_free(cfg);
}

Test(config, cma_placement_avoids_holes_and_fixed_areas)
{
	/*
	 * The hole covers [0xAC000000, 0xAC800000), so a 64 MiB area cannot end
	 * at 0xB0000000; the next fit ends at the hole: 0xA8000000. The fixed
	 * area at 0xA4000000 (given first) pushes the second one below it.
	 */
	struct cmasim_config *cfg = load_config(
		"memory:\n  base: 0x80000000\n  size: 1GiB\n  lowmem: 768MiB\n"
		"  holes: [{start: 0xAC000000, size: 8MiB}]\n"
		"devices: [{name: camera, dma_bits: 32}]\n"
		"cma:\n"
		"  - {name: fixed, size: 16MiB, base: 0xA4000000, devices: [camera]}\n"
		"  - {size: 64MiB}\n");

	cr_assert_eq(cfg->cma[0].base, UINT64_C(0xA4000000));
	cr_assert_eq(cfg->cma[1].base, UINT64_C(0xA8000000));
	cmasim_config_free(cfg);

	uint64_t base;

	cfg = load_config(
		"memory:\n  base: 0x80000000\n  size: 1GiB\n  lowmem: 768MiB\n"
		"  holes: [{start: 0xAC000000, size: 8MiB}]\n"
		"cma: [{name: fixed, size: 16MiB, base: 0xA4000000}]\n");
	/* 8 MiB fits above the hole, which ends at 0xAC800000: 0xB0000000 - 8 MiB */
	cr_assert(cmasim_config_place_cma(cfg, CMASIM_ZONE_NORMAL, 8 * MiB, 8 * MiB, -1, &base));
	cr_assert_eq(base, UINT64_C(0xAF800000));
	/* 60 MiB does not (56 MiB there); below the hole it ends at 0xAC000000 */
	cr_assert(cmasim_config_place_cma(cfg, CMASIM_ZONE_NORMAL, 60 * MiB, 4 * MiB, -1, &base));
	cr_assert_eq(base, UINT64_C(0xA8400000));
	/* 120 MiB below the hole would cover the fixed area, so it goes below that too */
	cr_assert(cmasim_config_place_cma(cfg, CMASIM_ZONE_NORMAL, 120 * MiB, 4 * MiB, -1, &base));
	cr_assert_eq(base, UINT64_C(0xA4000000) - 120 * MiB);
	/* unless the fixed area is the one being placed again */
	cr_assert(cmasim_config_place_cma(cfg, CMASIM_ZONE_NORMAL, 120 * MiB, 4 * MiB, 0, &base));
	cr_assert_eq(base, UINT64_C(0xAC000000) - 120 * MiB);
	cr_assert_not(cmasim_config_place_cma(cfg, CMASIM_ZONE_NORMAL, 1024 * MiB, 4 * MiB, -1,
					      &base));
	cr_assert_not(cmasim_config_place_cma(cfg, CMASIM_ZONE_DMA, 4 * MiB, 4 * MiB, -1, &base),
		      "no DMA zone");
	cr_assert_eq(cmasim_config_lowmem_zone(cfg), CMASIM_ZONE_NORMAL);
	cr_assert_eq(cmasim_config_zone_of(cfg, UINT64_C(0xAE000000), 64 * MiB),
		     CMASIM_NR_ZONE_TYPES, "spans Normal and HighMem");
	cmasim_config_free(cfg);
}

Test(config, cache_and_mmu)
{
	struct cmasim_config *cfg = load_config(
		"memory: {size: 4MiB}\n"
		"cache: {size: 64KiB, ways: 2, line: 32, indexing: vivt, write: through,\n"
		"        write_allocate: false, prefetcher: speculative, prefetch_degree: 3,\n"
		"        speculation_window: 16KiB, speculation_rate: 0.125, uncached_hits: true}\n"
		"mmu: {section_size: 2MiB, tlb_page_entries: 64, tlb_section_entries: 16}\n");

	cr_assert_eq(cfg->cache.size, 64 * KiB);
	cr_assert_eq(cfg->cache.ways, 2);
	cr_assert_eq(cfg->cache.line_size, 32);
	cr_assert_eq(cfg->cache.indexing, CMASIM_CACHE_VIVT);
	cr_assert_not(cfg->cache.write_back);
	cr_assert_not(cfg->cache.write_allocate);
	cr_assert_eq(cfg->cache.prefetcher, CMASIM_PREFETCH_SPECULATIVE);
	cr_assert_eq(cfg->cache.prefetch_degree, 3);
	cr_assert_eq(cfg->cache.spec_window, 16 * KiB);
	cr_assert_eq(cfg->cache.spec_rate_ppm, 125000);
	cr_assert(cfg->cache.uncached_hits);
	cr_assert_eq(cfg->mmu.section_size, 2 * MiB);
	cr_assert_eq(cfg->mmu.tlb_page_entries, 64);
	cr_assert_eq(cfg->mmu.tlb_section_entries, 16);
	cmasim_config_free(cfg);

	/* defaults: a 32 KiB 4-way PIPT write-back cache of 64-byte lines, 1 MiB sections */
	cfg = load_config("memory: {size: 4MiB}\n");
	cr_assert_eq(cfg->cache.size, 32 * KiB);
	cr_assert_eq(cfg->cache.ways, 4);
	cr_assert_eq(cfg->cache.line_size, 64);
	cr_assert_eq(cfg->cache.indexing, CMASIM_CACHE_PIPT);
	cr_assert(cfg->cache.write_back && cfg->cache.write_allocate);
	cr_assert_eq(cfg->cache.prefetcher, CMASIM_PREFETCH_NONE);
	cr_assert_eq(cfg->cache.spec_rate_ppm, 0);
	cr_assert_not(cfg->cache.uncached_hits, "by default uncached accesses go around the cache");
	cr_assert_eq(cfg->mmu.section_size, 1 * MiB);
	cr_assert_eq(cfg->nr_cma, 0);
	cmasim_config_free(cfg);
}

/* Appends @n devices d0, d1, ... to a config of 4 MiB. */
static char *many_devices(unsigned int n)
{
	GString *yaml = g_string_new("memory: {size: 4MiB}\ndevices:\n");

	for (unsigned int i = 0; i < n; i++)
		g_string_append_printf(yaml, "  - {name: d%u, dma_bits: 32}\n", i);
	return g_string_free(yaml, FALSE);
}

/* Trace records keep a device's index in 8 bits, 0xff meaning none: 254 at most. */
Test(config, device_limit)
{
	g_autofree char *most = many_devices(254);
	g_autofree char *too_many = many_devices(255);
	struct cmasim_config *cfg = load_config(most);
	GError *error = NULL;

	cr_assert_eq(cfg->nr_devices, 254);
	cr_assert_eq(cmasim_config_device(cfg, "d253"), 253);
	cmasim_config_free(cfg);

	/* the block sequence starts at its first "-", line 3 column 3 */
	cr_assert_null(load(too_many, &error));
	cr_assert(g_error_matches(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT), "%s", error->message);
	cr_assert_str_eq(error->message,
			 "t.yaml:3:3: devices lists 255 devices, more than the 254 supported");
	g_error_free(error);
}

/* One spelling of a time and the ns it means. */
struct time_case {
	const char *text;
	uint64_t ns;
};

Test(config, costs)
{
	static const struct time_case cases[] = {
		{ "0", 0 },
		{ "0ns", 0 },
		{ "0 s", 0 },
		{ "1ns", 1 },
		{ "250ns", 250 },
		{ "250 ns", 250 },
		{ "3us", 3000 },
		{ "3 us", 3000 },
		{ "2ms", 2000000 },
		{ "1s", 1000000000 },
		{ "\"7us\"", 7000 },
		/* the most a cost may be: 1 s (costs beyond it are refused, see bad_rows) */
		{ "1000000000ns", 1000000000 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *yaml = g_strdup_printf("memory: {size: 4MiB}\n"
							"costs: {page_zero: %s}\n", cases[i].text);
		struct cmasim_config *cfg = load_config(yaml);

		cr_assert_eq(cfg->costs.page_zero_ns, cases[i].ns, "%s: %" PRIu64, cases[i].text,
			     cfg->costs.page_zero_ns);
		/* the one not given keeps its default */
		cr_assert_eq(cfg->costs.buddy_op_ns, 200);
		cmasim_config_free(cfg);
	}
}

/* !!str makes a scalar text: where text is wanted it is taken as written. */
Test(config, str_tag_gives_text)
{
	struct cmasim_config *cfg = load_config("name: !!str 123\n"
						"memory: {size: 4MiB}\n"
						"devices: [{name: !!str 7, dma_bits: 32}]\n");

	cr_expect_str_eq(cfg->name, "123");
	cr_assert_eq(cfg->nr_devices, 1);
	cr_expect_str_eq(cfg->devices[0].name, "7");
	cmasim_config_free(cfg);
}

Test(config, costs_both_and_none)
{
	struct cmasim_config *cfg = load_config("memory: {size: 4MiB}\n"
						"costs:\n"
						"  buddy_op: 1us\n"
						"  page_zero: 0\n");

	cr_assert_eq(cfg->costs.buddy_op_ns, 1000);
	cr_assert_eq(cfg->costs.page_zero_ns, 0);
	cmasim_config_free(cfg);

	cfg = load_config("memory: {size: 4MiB}\ncosts: {}\n");
	cr_assert_eq(cfg->costs.buddy_op_ns, 200);
	cr_assert_eq(cfg->costs.page_zero_ns, 1000);
	cmasim_config_free(cfg);
}

Test(config, anchors_and_aliases_resolve)
{
	struct cmasim_config *cfg = load_config(
		"memory:\n"
		"  size: &sz 8MiB\n"
		"  zones:\n"
		"    - { type: Normal, size: *sz }\n");

	assert_zone(cfg, 0, CMASIM_ZONE_NORMAL, 0, 8 * MiB);
	cmasim_config_free(cfg);
}

Test(config, zone_type_names)
{
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_DMA), "DMA");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_DMA32), "DMA32");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_NORMAL), "Normal");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_HIGHMEM), "HighMem");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_MOVABLE), "Movable");
}

/*
 * policy: keeps its settings in file order with where each key and value
 * is (whether a policy has them is the registry's to say); a copy keeps
 * them too.
 */
Test(config, policy_settings)
{
	struct cmasim_config *cfg = load_config("memory: {size: 4MiB}\n"
						"policy:\n  fallback: 8MiB\n"
						"  cma-unmap.size:   2MiB\n  bogus: 1\n");
	struct cmasim_config *copy = cmasim_config_dup(cfg);
	static const struct {
		const char *key, *value;
		unsigned int line, key_column, value_line, value_column;
	} want[] = {
		{ "fallback", "8MiB", 3, 3, 3, 13 },
		{ "cma-unmap.size", "2MiB", 4, 3, 4, 21 },
		{ "bogus", "1", 5, 3, 5, 10 },
	};

	for (const struct cmasim_config *c = cfg; c; c = c == cfg ? copy : NULL) {
		cr_assert_eq(c->nr_policy_settings, G_N_ELEMENTS(want));
		for (unsigned int i = 0; i < G_N_ELEMENTS(want); i++) {
			const struct cmasim_policy_setting *s = &c->policy_settings[i];

			cr_expect_str_eq(s->key, want[i].key);
			cr_expect_str_eq(s->value, want[i].value);
			cr_expect_eq(s->line, want[i].line, "%u", i);
			cr_expect_eq(s->key_column, want[i].key_column, "%u", i);
			cr_expect_eq(s->value_line, want[i].value_line, "%u", i);
			cr_expect_eq(s->value_column, want[i].value_column, "%u", i);
		}
	}
	cmasim_config_free(copy);
	cmasim_config_free(cfg);
}

Test(config, free_null_is_a_noop)
{
	cmasim_config_free(NULL);
}

/* One bad input and exactly what it must give; line and column count from 1. */
struct bad {
	const char *name;
	const char *yaml;
	size_t len;		/* 0: up to the NUL */
	enum cmasim_error code;
	unsigned int line, column;
	const char *message;	/* without the "t.yaml:line:column: " prefix */
};

#define MEMORY_FIELDS "base, size, page_size, max_page_order, pageblock_order, " \
		      "min_free_kbytes, lowmem, dma_zone, zones, holes, reserved, " \
		      "transparent_hugepage, struct_page"
#define ZONE_ORDER "(expected each type at most once, in the order DMA, DMA32, Normal, " \
		   "HighMem, Movable)"
#define SIZE_MSG(text) "expected a size such as 64MiB, got \"" text "\""
#define TIME_MSG(text) "expected a time such as 200ns, got \"" text "\""
#define TOP_FIELDS "name, description, kernel, memory, devices, cma, costs, cache, mmu, atomic_pool, " \
		   "policy, cpus, initial"
#define DEVICE_FIELDS "name, dma_bits, coherent, roles"
#define NAME_MSG(text) "expected a device name of letters, digits, '_' and '-', got \"" text "\""
#define BITS_MSG(text) "expected an integer from 1 to 64, got \"" text "\""
#define BOOL_MSG(text) "expected true or false, got \"" text "\""

/* A valid memory: on line 1, so that what follows starts on line 2. */
#define MEM "memory: {size: 4MiB}\n"

/* One device in flow form on line 3: its first key is at column 6. */
#define DEVICE(fields) MEM "devices:\n  - {" fields "}\n"

/* A time on line 2, at column 19 for buddy_op and 20 for page_zero. */
#define BUDDY_OP(text) MEM "costs: {buddy_op: " text "}\n"
#define PAGE_ZERO(text) MEM "costs: {page_zero: " text "}\n"
#define NOT_INSIDE "expected ascending ranges that do not overlap"

/* A config with RAM at 0x80000000 for the hole rows: holes start on line 5, column 15. */
#define HOLES_AT_2G(size, ...) \
	"memory:\n  base: 0x80000000\n  size: " size "\n  holes:\n" __VA_ARGS__

static const struct bad bad_rows[] = {
	/* SYNTAX: libyaml's problem, then its context */
	{ "unclosed flow sequence", "memory: [1, 2\n", 0, CMASIM_ERROR_SYNTAX, 2, 1,
	  "did not find expected ',' or ']' while parsing a flow sequence" },
	{ "tab indentation", "memory:\n\tsize: 1GiB\n", 0, CMASIM_ERROR_SYNTAX, 2, 1,
	  "found character that cannot start any token while scanning for the next token" },
	{ "missing colon", "memory:\n  size 1GiB\n  base: 0\n", 0, CMASIM_ERROR_SYNTAX, 3, 7,
	  "mapping values are not allowed in this context" },
	{ "bad UTF-8", "name: \xff\nmemory: {size: 4MiB}\n", 0, CMASIM_ERROR_SYNTAX, 1, 7,
	  "invalid leading UTF-8 octet" },
	/* the column counts characters, so the two-byte é is one */
	{ "bad UTF-8 after multibyte text", "name: x\ndescription: \"h\xc3\xa9llo \xff\"\n",
	  0, CMASIM_ERROR_SYNTAX, 2, 21, "invalid leading UTF-8 octet" },
	{ "control character", "name: a\x01\n", 0, CMASIM_ERROR_SYNTAX, 1, 8,
	  "control characters are not allowed" },
	{ "NUL byte", "name: a\0\nmemory: {size: 4MiB}\n", 30, CMASIM_ERROR_SYNTAX, 1, 8,
	  "control characters are not allowed" },
	{ "undefined alias", "memory: *nope\n", 0, CMASIM_ERROR_SYNTAX, 1, 9,
	  "found undefined alias" },
	{ "second document", "memory: {size: 4MiB}\n---\nmemory: {size: 4MiB}\n", 0,
	  CMASIM_ERROR_SYNTAX, 2, 1, "expected a single document, found a second one" },
	/* the top-level mapping is the first level, so the 32nd "[" is the 33rd: 7 + 31 */
	{ "nested too deeply",
	  "name: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	  0, CMASIM_ERROR_SYNTAX, 1, 38, "nested more than 32 levels deep" },

	{ "cpus zero", MEM "cpus: 0\n", 0, CMASIM_ERROR_VALUE, 2, 7,
	  "expected an integer from 1 to 4096, got \"0\"" },
	/* VALUE of kernel:, read before memory: */
	{ "unknown kernel", "kernel: 4.19\nmemory: {size: 0}\n", 0, CMASIM_ERROR_VALUE, 1, 9,
	  "unknown kernel \"4.19\" (expected one of 3.5, 5.10, 6.1, 6.10)" },

	/* TYPE */
	{ "empty input", "", 0, CMASIM_ERROR_TYPE, 1, 1,
	  "expected a mapping at the top level, got an empty document" },
	{ "only a comment", "# nothing here\n", 0, CMASIM_ERROR_TYPE, 1, 1,
	  "expected a mapping at the top level, got an empty document" },
	{ "top level is a sequence", "- memory\n", 0, CMASIM_ERROR_TYPE, 1, 1,
	  "expected a mapping at the top level, got a sequence" },
	{ "top level is a scalar", "\n  just text\n", 0, CMASIM_ERROR_TYPE, 2, 3,
	  "expected a mapping at the top level, got a scalar" },
	{ "memory is a sequence", "memory:\n  - size: 4MiB\n", 0, CMASIM_ERROR_TYPE, 2, 3,
	  "expected a mapping for \"memory\", got a sequence" },
	/* an empty value sits just after the colon */
	{ "memory is empty", "memory:\n", 0, CMASIM_ERROR_TYPE, 1, 8,
	  "expected a mapping for \"memory\", got an empty value" },
	{ "size is a mapping", "memory:\n  size: {a: 1}\n", 0, CMASIM_ERROR_TYPE, 2, 9,
	  "expected a scalar for \"memory.size\", got a mapping" },
	{ "name is a sequence", "name: [a]\nmemory: {size: 4MiB}\n", 0, CMASIM_ERROR_TYPE,
	  1, 7, "expected a scalar for \"name\", got a sequence" },
	{ "zones is a mapping", "memory:\n  size: 8MiB\n  zones: {type: Normal}\n", 0,
	  CMASIM_ERROR_TYPE, 3, 10,
	  "expected a sequence for \"memory.zones\", got a mapping" },
	{ "zone item is a scalar", "memory:\n  size: 8MiB\n  zones: [Normal]\n", 0,
	  CMASIM_ERROR_TYPE, 3, 11,
	  "expected a mapping for \"memory.zones[0]\", got a scalar" },
	{ "hole size is a sequence",
	  "memory:\n  size: 8MiB\n  holes:\n    - {start: 0, size: [4MiB]}\n", 0,
	  CMASIM_ERROR_TYPE, 4, 24,
	  "expected a scalar for \"memory.holes[0].size\", got a sequence" },
	{ "holes is null", "memory:\n  size: 8MiB\n  holes: ~\n", 0, CMASIM_ERROR_TYPE, 3, 10,
	  "expected a sequence for \"memory.holes\", got an empty value" },
	{ "key is a sequence", "memory:\n  size: 8MiB\n  [a]: 1\n", 0, CMASIM_ERROR_TYPE, 3, 3,
	  "expected a scalar key in memory, got a sequence" },
	{ "devices is a mapping", MEM "devices: {name: a, dma_bits: 32}\n", 0,
	  CMASIM_ERROR_TYPE, 2, 10, "expected a sequence for \"devices\", got a mapping" },
	{ "devices is empty", MEM "devices:\n", 0, CMASIM_ERROR_TYPE, 2, 9,
	  "expected a sequence for \"devices\", got an empty value" },
	{ "device is a scalar", MEM "devices: [camera]\n", 0, CMASIM_ERROR_TYPE, 2, 11,
	  "expected a mapping for \"devices[0]\", got a scalar" },
	{ "device name is a sequence", DEVICE("name: [a], dma_bits: 32"), 0, CMASIM_ERROR_TYPE,
	  3, 12, "expected a scalar for \"devices[0].name\", got a sequence" },
	{ "dma_bits is a mapping", DEVICE("dma_bits: {a: 1}, name: a"), 0, CMASIM_ERROR_TYPE,
	  3, 16, "expected a scalar for \"devices[0].dma_bits\", got a mapping" },
	{ "coherent is a sequence", DEVICE("coherent: [true], name: a, dma_bits: 1"), 0,
	  CMASIM_ERROR_TYPE, 3, 16,
	  "expected a scalar for \"devices[0].coherent\", got a sequence" },
	{ "costs is a sequence", MEM "costs: [1us]\n", 0, CMASIM_ERROR_TYPE, 2, 8,
	  "expected a mapping for \"costs\", got a sequence" },
	{ "costs is empty", MEM "costs:\n", 0, CMASIM_ERROR_TYPE, 2, 7,
	  "expected a mapping for \"costs\", got an empty value" },
	{ "cost is a mapping", MEM "costs:\n  buddy_op: {ns: 1}\n", 0, CMASIM_ERROR_TYPE, 3, 13,
	  "expected a scalar for \"costs.buddy_op\", got a mapping" },

	{ "policy is a sequence", MEM "policy: [size]\n", 0, CMASIM_ERROR_TYPE, 2, 9,
	  "expected a mapping for \"policy\", got a sequence" },
	{ "policy key is a sequence", MEM "policy: {[size]: 1}\n", 0, CMASIM_ERROR_TYPE, 2, 10,
	  "expected a scalar key in policy, got a sequence" },
	{ "policy value is a mapping", MEM "policy: {size: {a: 1}}\n", 0, CMASIM_ERROR_TYPE, 2, 16,
	  "expected a scalar for \"policy.size\", got a mapping" },

	/* KEY */
	{ "policy key twice", MEM "policy:\n  size: 1MiB\n  size: 2MiB\n", 0, CMASIM_ERROR_KEY,
	  4, 3, "policy.size is given twice (expected each key once)" },
	{ "unknown top-level key", "memroy: {size: 4MiB}\n", 0, CMASIM_ERROR_KEY, 1, 1,
	  "unknown key \"memroy\" in the document (expected one of: " TOP_FIELDS ")" },
	{ "section of later work", "memory: {size: 4MiB}\ncaches: {}\n", 0, CMASIM_ERROR_KEY,
	  2, 1, "unknown key \"caches\" in the document (expected one of: " TOP_FIELDS ")" },
	{ "unknown memory key", "memory:\n  size: 4MiB\n  foo: 1\n", 0, CMASIM_ERROR_KEY, 3, 3,
	  "unknown key \"foo\" in memory (expected one of: " MEMORY_FIELDS ")" },
	{ "keys are case-sensitive", "memory:\n  Size: 4MiB\n", 0, CMASIM_ERROR_KEY, 2, 3,
	  "unknown key \"Size\" in memory (expected one of: " MEMORY_FIELDS ")" },
	{ "unknown zone key",
	  "memory:\n  size: 4MiB\n  zones:\n    - {type: Normal, size: 4MiB, node: 0}\n", 0,
	  CMASIM_ERROR_KEY, 4, 34,
	  "unknown key \"node\" in memory.zones[0] (expected one of: type, size)" },
	{ "duplicate key", "memory:\n  size: 4MiB\n  size: 8MiB\n", 0, CMASIM_ERROR_KEY, 3, 3,
	  "duplicate key \"size\" in memory (first given on line 2)" },
	{ "duplicate top-level key", "memory: {size: 4MiB}\nmemory: {size: 4MiB}\n", 0,
	  CMASIM_ERROR_KEY, 2, 1,
	  "duplicate key \"memory\" in the document (first given on line 1)" },
	{ "no memory", "name: x\n", 0, CMASIM_ERROR_KEY, 1, 1,
	  "the document has no \"memory\"" },
	{ "no size", "name: x\nmemory:\n  base: 0\n", 0, CMASIM_ERROR_KEY, 3, 3,
	  "memory has no \"size\"" },
	{ "zone without type", "memory:\n  size: 4MiB\n  zones:\n    - {size: 4MiB}\n", 0,
	  CMASIM_ERROR_KEY, 4, 7, "memory.zones[0] has no \"type\"" },
	{ "second hole without size",
	  "memory:\n  size: 8MiB\n  holes:\n    - {start: 0, size: 4MiB}\n    - start: 0\n",
	  0, CMASIM_ERROR_KEY, 5, 7, "memory.holes[1] has no \"size\"" },
	{ "unknown device key", DEVICE("name: cam, dma_bits: 32, node: 0"), 0, CMASIM_ERROR_KEY,
	  3, 31, "unknown key \"node\" in devices[0] (expected one of: " DEVICE_FIELDS ")" },
	{ "dma_mask is not a device key", DEVICE("name: cam, dma_mask: 0xFFFFFFFF"), 0,
	  CMASIM_ERROR_KEY, 3, 17,
	  "unknown key \"dma_mask\" in devices[0] (expected one of: " DEVICE_FIELDS ")" },
	{ "device without name", DEVICE("dma_bits: 32"), 0, CMASIM_ERROR_KEY, 3, 5,
	  "devices[0] has no \"name\"" },
	{ "device without dma_bits", MEM "devices:\n  - name: cam\n    coherent: true\n", 0,
	  CMASIM_ERROR_KEY, 3, 5, "devices[0] has no \"dma_bits\"" },
	{ "key twice in a device", MEM "devices:\n  - name: a\n    dma_bits: 1\n    name: b\n",
	  0, CMASIM_ERROR_KEY, 5, 5,
	  "duplicate key \"name\" in devices[0] (first given on line 3)" },
	/* the second camera's name is on line 5; the first's on line 3, column 12 */
	{ "duplicate device",
	  MEM "devices:\n  - {name: camera, dma_bits: 32}\n  - {name: display, dma_bits: 32}\n"
	  "  - {name: camera, dma_bits: 30}\n", 0, CMASIM_ERROR_KEY, 5, 12,
	  "duplicate device \"camera\" in devices (first given at 3:12)" },
	{ "duplicate device in block form",
	  MEM "devices:\n- name: gpu\n  dma_bits: 40\n- dma_bits: 32\n  name: 'gpu'\n", 0,
	  CMASIM_ERROR_KEY, 6, 9, "duplicate device \"gpu\" in devices (first given at 3:9)" },
	{ "unknown cost key", MEM "costs: {buddy_op: 1us, page_move: 2us}\n", 0,
	  CMASIM_ERROR_KEY, 2, 24,
	  "unknown key \"page_move\" in costs (expected one of: buddy_op, page_zero, page_copy, "
	  "migrate_page, reclaim_page, lru_drain, cache_line_op, cache_flush_all, cache_barrier, "
	  "tlb_miss, tlb_flush_page, tlb_shootdown, section_split, kmap, iommu_map_page, "
	  "compact_scan_page, line_fill, line_writeback, uncached_access, flush_refill, "
	  "refault_page)" },
	{ "cost keys are case-sensitive", MEM "costs: {Buddy_op: 1us}\n", 0, CMASIM_ERROR_KEY,
	  2, 9, "unknown key \"Buddy_op\" in costs (expected one of: buddy_op, page_zero, "
	  "page_copy, migrate_page, reclaim_page, lru_drain, cache_line_op, cache_flush_all, "
	  "cache_barrier, "
	  "tlb_miss, tlb_flush_page, tlb_shootdown, section_split, kmap, iommu_map_page, "
	  "compact_scan_page, line_fill, line_writeback, uncached_access, flush_refill, "
	  "refault_page)" },
	{ "cost key twice", MEM "costs:\n  page_zero: 1us\n  page_zero: 2us\n", 0,
	  CMASIM_ERROR_KEY, 4, 3, "duplicate key \"page_zero\" in costs (first given on line 3)" },
	/*
	 * A cost of at most 1 s (2^30 ns) times any page count of a machine
	 * (under 2^32 frames) fits in 64 bits; 1 s + 1 ns is the first refused.
	 */
	{ "cost past a second", PAGE_ZERO("1000000001ns"), 0, CMASIM_ERROR_VALUE, 2, 20,
	  "expected a time of at most 1s for \"costs.page_zero\", got \"1000000001ns\"" },
	{ "cost of 2^64-1 ns", PAGE_ZERO("18446744073709551615ns"), 0, CMASIM_ERROR_VALUE, 2, 20,
	  "expected a time of at most 1s for \"costs.page_zero\", got \"18446744073709551615ns\"" },
	{ "cost of the most whole seconds", PAGE_ZERO("18446744073s"), 0, CMASIM_ERROR_VALUE, 2,
	  20, "expected a time of at most 1s for \"costs.page_zero\", got \"18446744073s\"" },
	/* tags: a node's place is its tag's, where the node starts */
	{ "!!str on a size", "memory: {size: !!str 4MiB}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  "!!str makes \"4MiB\" text, which \"memory.size\" is not (expected it without !!str)" },
	{ "!!str on a cost", PAGE_ZERO("!!str 1us"), 0, CMASIM_ERROR_VALUE, 2, 20,
	  "!!str makes \"1us\" text, which \"costs.page_zero\" is not (expected it without "
	  "!!str)" },
	{ "!!str on an integer", DEVICE("name: a, dma_bits: !!str 32"), 0, CMASIM_ERROR_VALUE, 3,
	  25, "!!str makes \"32\" text, which \"devices[0].dma_bits\" is not (expected it "
	  "without !!str)" },
	{ "!!str on a boolean", DEVICE("name: a, dma_bits: 32, coherent: !!str true"), 0,
	  CMASIM_ERROR_VALUE, 3, 39, "!!str makes \"true\" text, which \"devices[0].coherent\" "
	  "is not (expected it without !!str)" },
	{ "unknown tag", "memory: {size: !weird 4MiB}\n", 0, CMASIM_ERROR_TYPE, 1, 16,
	  "unsupported tag !weird on a scalar (expected no tag, or !!str on a scalar)" },
	{ "core tag other than !!str", "memory: {size: !!int 4}\n", 0, CMASIM_ERROR_TYPE, 1, 16,
	  "unsupported tag !!int on a scalar (expected no tag, or !!str on a scalar)" },
	{ "tag on a mapping", "memory: !!map {size: 4MiB}\n", 0, CMASIM_ERROR_TYPE, 1, 9,
	  "unsupported tag !!map on a mapping (expected no tag, or !!str on a scalar)" },
	{ "tag on a sequence", MEM "devices: !seq []\n", 0, CMASIM_ERROR_TYPE, 2, 10,
	  "unsupported tag !seq on a sequence (expected no tag, or !!str on a scalar)" },

	/* VALUE: sizes, at column 16 after "memory: {size: " */
	{ "unknown unit", "memory: {size: 64 lots}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("64 lots") },
	{ "decimal unit", "memory: {size: 64MB}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("64MB") },
	{ "lower-case unit", "memory: {size: 64mib}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("64mib") },
	{ "negative size", "memory: {size: -1}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("-1") },
	{ "empty size", "memory:\n  size:\n", 0, CMASIM_ERROR_VALUE, 2, 8, SIZE_MSG("") },
	{ "quoted blank size", "memory: {size: ' '}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG(" ") },
	{ "unit without number", "memory: {size: MiB}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("MiB") },
	{ "two spaces before unit", "memory: {size: 64  MiB}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("64  MiB") },
	{ "space without unit", "memory: {size: '64 '}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("64 ") },
	{ "fraction", "memory: {size: 1.5GiB}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("1.5GiB") },
	{ "leading zero", "memory: {size: 010MiB}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("010MiB") },
	{ "hex without digits", "memory: {size: 0x}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("0x") },
	{ "decimal past 2^64-1", "memory: {size: 18446744073709551616}\n", 0,
	  CMASIM_ERROR_VALUE, 1, 16, SIZE_MSG("18446744073709551616") },
	{ "hex past 2^64-1", "memory: {size: 0x10000000000000000}\n", 0, CMASIM_ERROR_VALUE,
	  1, 16, SIZE_MSG("0x10000000000000000") },
	/* 2^24 TiB = 2^64 */
	{ "unit past 2^64-1", "memory: {size: 16777216TiB}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("16777216TiB") },
	{ "quote and backslash escaped", "memory: {size: '6\"4\\'}\n", 0, CMASIM_ERROR_VALUE,
	  1, 16, SIZE_MSG("6\\\"4\\\\") },
	{ "long value cut at 40 characters",
	  "memory: {size: 1234567890123456789012345678901234567890123}\n", 0,
	  CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("1234567890123456789012345678901234567890...") },
	{ "NUL in a size", "memory: {size: \"64\\0MiB\"}\n", 0, CMASIM_ERROR_VALUE, 1, 16,
	  SIZE_MSG("64\\x00MiB") },

	/* VALUE: page size and integers */
	{ "page size not a power of two", "memory: {size: 4MiB, page_size: 12KiB}\n", 0,
	  CMASIM_ERROR_VALUE, 1, 33,
	  "expected a power of two from 4KiB to 64KiB, got \"12KiB\"" },
	{ "page size too small", "memory: {size: 4MiB, page_size: 2048}\n", 0,
	  CMASIM_ERROR_VALUE, 1, 33,
	  "expected a power of two from 4KiB to 64KiB, got \"2048\"" },
	{ "page size too large", "memory: {size: 4MiB, page_size: 128KiB}\n", 0,
	  CMASIM_ERROR_VALUE, 1, 33,
	  "expected a power of two from 4KiB to 64KiB, got \"128KiB\"" },
	{ "max_page_order past the limit", "memory: {size: 4MiB, max_page_order: 16}\n", 0,
	  CMASIM_ERROR_VALUE, 1, 38, "expected an integer from 0 to 15, got \"16\"" },
	{ "negative max_page_order", "memory: {size: 4MiB, max_page_order: -1}\n", 0,
	  CMASIM_ERROR_VALUE, 1, 38, "expected an integer from 0 to 15, got \"-1\"" },
	{ "huge pageblock_order",
	  "memory: {size: 4MiB, pageblock_order: 99999999999999999999999}\n", 0,
	  CMASIM_ERROR_VALUE, 1, 39,
	  "expected an integer from 0 to 15, got \"99999999999999999999999\"" },
	{ "zero min_free_kbytes", "memory: {size: 4MiB, min_free_kbytes: 0}\n", 0,
	  CMASIM_ERROR_VALUE, 1, 39, "expected an integer from 1 to 2147483647, got \"0\"" },
	{ "min_free_kbytes past INT_MAX", "memory: {size: 4MiB, min_free_kbytes: 2147483648}\n",
	  0, CMASIM_ERROR_VALUE, 1, 39,
	  "expected an integer from 1 to 2147483647, got \"2147483648\"" },
	{ "zone type in lower case",
	  "memory:\n  size: 4MiB\n  zones:\n    - {type: normal, size: 4MiB}\n", 0,
	  CMASIM_ERROR_VALUE, 4, 14,
	  "expected a zone type (DMA, DMA32, Normal, HighMem or Movable), got \"normal\"" },
	{ "empty name", "name: \"\"\nmemory: {size: 4MiB}\n", 0, CMASIM_ERROR_VALUE, 1, 7,
	  "expected a non-empty string for \"name\"" },
	{ "NUL in description", "description: \"a\\0b\"\nmemory: {size: 4MiB}\n", 0,
	  CMASIM_ERROR_VALUE, 1, 14, "expected text without NUL characters for \"description\"" },

	/* VALUE: devices, on line 3; a name at column 12, other fields first at 16 */
	{ "device name with a space", DEVICE("name: 'my cam', dma_bits: 32"), 0,
	  CMASIM_ERROR_VALUE, 3, 12, NAME_MSG("my cam") },
	{ "empty device name", DEVICE("name: '', dma_bits: 32"), 0, CMASIM_ERROR_VALUE, 3, 12,
	  NAME_MSG("") },
	{ "device name with a dot", DEVICE("name: a.b, dma_bits: 32"), 0, CMASIM_ERROR_VALUE, 3,
	  12, NAME_MSG("a.b") },
	{ "non-ASCII device name", DEVICE("name: cam\xc3\xa9ra, dma_bits: 32"), 0,
	  CMASIM_ERROR_VALUE, 3, 12, NAME_MSG("cam\xc3\xa9ra") },
	{ "NUL in a device name", DEVICE("name: \"a\\0b\", dma_bits: 32"), 0, CMASIM_ERROR_VALUE,
	  3, 12, NAME_MSG("a\\x00b") },
	{ "dma_bits 0", DEVICE("dma_bits: 0, name: a"), 0, CMASIM_ERROR_VALUE, 3, 16,
	  BITS_MSG("0") },
	{ "dma_bits 65", DEVICE("dma_bits: 65, name: a"), 0, CMASIM_ERROR_VALUE, 3, 16,
	  BITS_MSG("65") },
	{ "dma_bits not a number", DEVICE("dma_bits: x, name: a"), 0, CMASIM_ERROR_VALUE, 3, 16,
	  BITS_MSG("x") },
	{ "negative dma_bits", DEVICE("dma_bits: -1, name: a"), 0, CMASIM_ERROR_VALUE, 3, 16,
	  BITS_MSG("-1") },
	{ "dma_bits with a leading zero", DEVICE("dma_bits: 032, name: a"), 0,
	  CMASIM_ERROR_VALUE, 3, 16, BITS_MSG("032") },
	{ "dma_bits as a mask", DEVICE("dma_bits: 4294967295, name: a"), 0, CMASIM_ERROR_VALUE,
	  3, 16, BITS_MSG("4294967295") },
	{ "dma_bits past 2^64-1", DEVICE("dma_bits: 18446744073709551616, name: a"), 0,
	  CMASIM_ERROR_VALUE, 3, 16, BITS_MSG("18446744073709551616") },
	{ "coherent maybe", DEVICE("coherent: maybe, name: a, dma_bits: 1"), 0,
	  CMASIM_ERROR_VALUE, 3, 16, BOOL_MSG("maybe") },
	{ "coherent yes (YAML 1.1)", DEVICE("coherent: yes, name: a, dma_bits: 1"), 0,
	  CMASIM_ERROR_VALUE, 3, 16, BOOL_MSG("yes") },
	{ "coherent True", DEVICE("coherent: True, name: a, dma_bits: 1"), 0,
	  CMASIM_ERROR_VALUE, 3, 16, BOOL_MSG("True") },
	{ "coherent 1", DEVICE("coherent: 1, name: a, dma_bits: 1"), 0, CMASIM_ERROR_VALUE, 3,
	  16, BOOL_MSG("1") },
	{ "coherent empty", DEVICE("coherent: '', name: a, dma_bits: 1"), 0, CMASIM_ERROR_VALUE,
	  3, 16, BOOL_MSG("") },

	/* VALUE: costs, on line 2 at column 19 (buddy_op) or 20 (page_zero) */
	{ "time without a unit", BUDDY_OP("200"), 0, CMASIM_ERROR_VALUE, 2, 19,
	  TIME_MSG("200") },
	{ "unknown time unit", BUDDY_OP("200 lots"), 0, CMASIM_ERROR_VALUE, 2, 19,
	  TIME_MSG("200 lots") },
	{ "upper-case time unit", BUDDY_OP("200NS"), 0, CMASIM_ERROR_VALUE, 2, 19,
	  TIME_MSG("200NS") },
	{ "time in minutes", BUDDY_OP("1min"), 0, CMASIM_ERROR_VALUE, 2, 19, TIME_MSG("1min") },
	{ "size as a time", BUDDY_OP("200B"), 0, CMASIM_ERROR_VALUE, 2, 19, TIME_MSG("200B") },
	{ "time finer than a ns", BUDDY_OP("1.5ns"), 0, CMASIM_ERROR_VALUE, 2, 19,
	  TIME_MSG("1.5ns") },
	{ "negative time", BUDDY_OP("-1ns"), 0, CMASIM_ERROR_VALUE, 2, 19, TIME_MSG("-1ns") },
	{ "two spaces before a time unit", BUDDY_OP("200  ns"), 0, CMASIM_ERROR_VALUE, 2, 19,
	  TIME_MSG("200  ns") },
	{ "space after a time", BUDDY_OP("'200 '"), 0, CMASIM_ERROR_VALUE, 2, 19,
	  TIME_MSG("200 ") },
	{ "time with a leading zero", BUDDY_OP("010ns"), 0, CMASIM_ERROR_VALUE, 2, 19,
	  TIME_MSG("010ns") },
	{ "00 as a time", BUDDY_OP("00"), 0, CMASIM_ERROR_VALUE, 2, 19, TIME_MSG("00") },
	{ "hex time", BUDDY_OP("0x10ns"), 0, CMASIM_ERROR_VALUE, 2, 19, TIME_MSG("0x10ns") },
	{ "time unit alone", BUDDY_OP("ns"), 0, CMASIM_ERROR_VALUE, 2, 19, TIME_MSG("ns") },
	{ "empty time", BUDDY_OP("''"), 0, CMASIM_ERROR_VALUE, 2, 19, TIME_MSG("") },
	/* 2^64 ns; 2^64 / 1000 = 18446744073709551.616 us; 2^64 / 10^9 = 18446744073.7 s */
	{ "ns past 2^64-1", PAGE_ZERO("18446744073709551616ns"), 0, CMASIM_ERROR_VALUE, 2, 20,
	  TIME_MSG("18446744073709551616ns") },
	{ "us past 2^64-1", PAGE_ZERO("18446744073709552us"), 0, CMASIM_ERROR_VALUE, 2, 20,
	  TIME_MSG("18446744073709552us") },
	{ "s past 2^64-1", PAGE_ZERO("18446744074s"), 0, CMASIM_ERROR_VALUE, 2, 20,
	  TIME_MSG("18446744074s") },
	{ "NUL in a time", PAGE_ZERO("\"1\\0ns\""), 0, CMASIM_ERROR_VALUE, 2, 20,
	  TIME_MSG("1\\x00ns") },

	/* LAYOUT: the machine as a whole; pageblocks are 4 MiB unless said */
	{ "size not a pageblock multiple", "memory: {size: 6MiB}\n", 0, CMASIM_ERROR_LAYOUT,
	  1, 16, "size 6MiB is not a positive multiple of the pageblock size 4MiB" },
	{ "size 0", "memory: {size: 0}\n", 0, CMASIM_ERROR_LAYOUT, 1, 16,
	  "size 0B is not a positive multiple of the pageblock size 4MiB" },
	/* 64 KiB << 10 = 64 MiB pageblocks */
	{ "size smaller than a 64KiB-page pageblock", "memory: {size: 32MiB, page_size: 64KiB}\n",
	  0, CMASIM_ERROR_LAYOUT, 1, 16,
	  "size 32MiB is not a positive multiple of the pageblock size 64MiB" },
	/* 16 TiB / 4 KiB = 2^32 frames */
	{ "too many frames", "memory: {size: 16TiB}\n", 0, CMASIM_ERROR_LAYOUT, 1, 16,
	  "size 16TiB is 4294967296 frames, more than the 4294967294 supported" },
	{ "pageblock_order above max_page_order",
	  "memory: {size: 4MiB, max_page_order: 8, pageblock_order: 10}\n", 0,
	  CMASIM_ERROR_LAYOUT, 1, 58, "pageblock_order 10 is larger than max_page_order 8" },
	{ "base not aligned", "memory: {base: 0x80100000, size: 4MiB}\n", 0,
	  CMASIM_ERROR_LAYOUT, 1, 16, "base 0x80100000 is not aligned to 4MiB (the larger "
	  "of a max_page_order block and a pageblock)" },
	/* a 2 MiB pageblock, but order-10 blocks of 4 MiB still need 4 MiB alignment */
	{ "base aligned to the pageblock only",
	  "memory: {base: 0x200000, size: 4MiB, pageblock_order: 9}\n", 0,
	  CMASIM_ERROR_LAYOUT, 1, 16, "base 0x200000 is not aligned to 4MiB (the larger of "
	  "a max_page_order block and a pageblock)" },
	{ "RAM past 2^64", "memory: {base: 0xFFFFFFFFFFC00000, size: 8MiB}\n", 0,
	  CMASIM_ERROR_LAYOUT, 1, 42, "RAM of size 8MiB at 0xffffffffffc00000 runs past the "
	  "end of the 64-bit address space" },
	{ "lowmem larger than size", "memory: {size: 8MiB, lowmem: 12MiB}\n", 0,
	  CMASIM_ERROR_LAYOUT, 1, 30, "lowmem 12MiB is larger than the memory size 8MiB" },
	{ "lowmem 0", "memory: {size: 8MiB, lowmem: 0}\n", 0, CMASIM_ERROR_LAYOUT, 1, 30,
	  "lowmem 0B is not a positive multiple of the pageblock size 4MiB" },
	{ "lowmem not pageblock-aligned", "memory: {size: 1GiB, lowmem: 766MiB}\n", 0,
	  CMASIM_ERROR_LAYOUT, 1, 30,
	  "lowmem 766MiB is not a positive multiple of the pageblock size 4MiB" },
	{ "dma_zone as large as lowmem",
	  "memory: {size: 16MiB, lowmem: 8MiB, dma_zone: 8MiB}\n", 0, CMASIM_ERROR_LAYOUT,
	  1, 47, "dma_zone 8MiB is not smaller than lowmem 8MiB" },
	{ "dma_zone not pageblock-aligned",
	  "memory: {size: 16MiB, lowmem: 8MiB, dma_zone: 2MiB}\n", 0, CMASIM_ERROR_LAYOUT,
	  1, 47, "dma_zone 2MiB is not a multiple of the pageblock size 4MiB" },
	{ "dma_zone without lowmem", "memory: {size: 16MiB, dma_zone: 4MiB}\n", 0,
	  CMASIM_ERROR_LAYOUT, 1, 33,
	  "dma_zone needs lowmem (with zones, list a DMA zone instead)" },
	{ "lowmem and zones",
	  "memory:\n  size: 8MiB\n  lowmem: 4MiB\n  zones: [{type: Normal, size: 8MiB}]\n", 0,
	  CMASIM_ERROR_LAYOUT, 4, 10,
	  "lowmem and zones both lay out the zones; give only one of them" },
	{ "zones out of order",
	  "memory:\n  size: 8MiB\n  zones:\n    - {type: Normal, size: 4MiB}\n"
	  "    - {type: DMA, size: 4MiB}\n", 0, CMASIM_ERROR_LAYOUT, 5, 14,
	  "zone DMA after Normal " ZONE_ORDER },
	{ "zone type twice",
	  "memory:\n  size: 8MiB\n  zones:\n    - {type: Normal, size: 4MiB}\n"
	  "    - {type: Normal, size: 4MiB}\n", 0, CMASIM_ERROR_LAYOUT, 5, 14,
	  "zone Normal after Normal " ZONE_ORDER },
	{ "zone size 0",
	  "memory:\n  size: 8MiB\n  zones:\n    - {type: Normal, size: 0}\n", 0,
	  CMASIM_ERROR_LAYOUT, 4, 28,
	  "zone size 0B is not a positive multiple of the pageblock size 4MiB" },
	{ "zone size not pageblock-aligned",
	  "memory:\n  size: 8MiB\n  zones:\n    - {type: Normal, size: 6MiB}\n", 0,
	  CMASIM_ERROR_LAYOUT, 4, 28,
	  "zone size 6MiB is not a positive multiple of the pageblock size 4MiB" },
	/* sums point at the zones sequence, whose block form starts at its first "-" */
	{ "zones short of size",
	  "memory:\n  size: 8MiB\n  zones:\n    - {type: Normal, size: 4MiB}\n", 0,
	  CMASIM_ERROR_LAYOUT, 4, 5, "zone sizes add up to 4MiB, not the memory size 8MiB" },
	{ "zones past size",
	  "memory:\n  size: 8MiB\n  zones:\n    - {type: Normal, size: 8MiB}\n"
	  "    - {type: HighMem, size: 4MiB}\n", 0, CMASIM_ERROR_LAYOUT, 4, 5,
	  "zone sizes add up to more than the memory size 8MiB" },
	{ "no zones", "memory:\n  size: 8MiB\n  zones: []\n", 0, CMASIM_ERROR_LAYOUT, 3, 10,
	  "zone sizes add up to 0B, not the memory size 8MiB" },
	{ "hole below RAM", HOLES_AT_2G("8MiB", "    - {start: 0x7FC00000, size: 4MiB}\n"),
	  0, CMASIM_ERROR_LAYOUT, 5, 15,
	  "hole of 4MiB at 0x7fc00000 is not inside RAM [0x80000000, 0x80800000)" },
	{ "hole past RAM", HOLES_AT_2G("8MiB", "    - {start: 0x80400000, size: 8MiB}\n"),
	  0, CMASIM_ERROR_LAYOUT, 5, 15,
	  "hole of 8MiB at 0x80400000 is not inside RAM [0x80000000, 0x80800000)" },
	{ "hole far past RAM",
	  HOLES_AT_2G("8MiB", "    - {start: 0xFFFFFFFFFFC00000, size: 8MiB}\n"), 0,
	  CMASIM_ERROR_LAYOUT, 5, 15, "hole of 8MiB at 0xffffffffffc00000 is not inside "
	  "RAM [0x80000000, 0x80800000)" },
	{ "holes overlapping",
	  HOLES_AT_2G("16MiB", "    - {start: 0x80000000, size: 8MiB}\n"
		      "    - {start: 0x80400000, size: 4MiB}\n"), 0,
	  CMASIM_ERROR_LAYOUT, 6, 15, "hole at 0x80400000 starts before the previous one "
	  "ends at 0x80800000 (" NOT_INSIDE ")" },
	{ "holes out of order",
	  HOLES_AT_2G("16MiB", "    - {start: 0x80800000, size: 4MiB}\n"
		      "    - {start: 0x80000000, size: 4MiB}\n"), 0,
	  CMASIM_ERROR_LAYOUT, 6, 15, "hole at 0x80000000 starts before the previous one "
	  "ends at 0x80c00000 (" NOT_INSIDE ")" },
	{ "hole size 0", HOLES_AT_2G("8MiB", "    - {start: 0x80000000, size: 0}\n"), 0,
	  CMASIM_ERROR_LAYOUT, 5, 33,
	  "hole size 0B is not a positive multiple of the page size 4KiB" },
	/* holes may be smaller than a pageblock (x86's pfn 0), but whole pages */
	{ "hole size not whole pages",
	  HOLES_AT_2G("8MiB", "    - {start: 0x80000000, size: 1K}\n"), 0,
	  CMASIM_ERROR_LAYOUT, 5, 33,
	  "hole size 1KiB is not a positive multiple of the page size 4KiB" },
	{ "hole start not page-aligned",
	  HOLES_AT_2G("8MiB", "    - {start: 0x80000800, size: 4KiB}\n"), 0,
	  CMASIM_ERROR_LAYOUT, 5, 15,
	  "hole start 0x80000800 is not aligned to the page size 4KiB" },
	{ "reserved range in a hole",
	  HOLES_AT_2G("8MiB", "    - {start: 0x80000000, size: 4KiB}\n"
		      "  reserved: [{start: 0x80000000, size: 8KiB}]\n"), 0,
	  CMASIM_ERROR_LAYOUT, 6, 22, "reserved range at 0x80000000 overlaps the hole at "
	  "0x80000000 (reserved memory is present RAM)" },
	{ "reserved range past RAM",
	  HOLES_AT_2G("8MiB", "    - {start: 0x80000000, size: 4KiB}\n"
		      "  reserved: [{start: 0x80800000, size: 4KiB}]\n"), 0,
	  CMASIM_ERROR_LAYOUT, 6, 22, "reserved range of 4KiB at 0x80800000 is not inside "
	  "RAM [0x80000000, 0x80800000)" },
	{ "struct_page zero", "memory: {size: 4MiB, struct_page: 0}\n", 0, CMASIM_ERROR_VALUE,
	  1, 35, "expected an integer from 1 to 256, got \"0\"" },

	/* cma: */
	{ "two shared areas", PHONE "cma:\n  - {size: 8MiB}\n  - {size: 4MiB}\n", 0,
	  CMASIM_ERROR_LAYOUT, 9, 6, "a second shared area (the one at 8:6 lists no devices "
	  "either; expected devices: on all but one)" },
	{ "area for an unknown device", PHONE "cma: [{size: 8MiB, devices: [camera, isp]}]\n", 0,
	  CMASIM_ERROR_KEY, 7, 38, "unknown device \"isp\" (expected one listed in devices)" },
	{ "device in two areas",
	  PHONE "cma:\n  - {size: 8MiB, devices: [gpu]}\n  - {size: 8MiB, devices: [gpu]}\n", 0,
	  CMASIM_ERROR_LAYOUT, 9, 28, "device \"gpu\" already has the area \"cma0\"" },
	{ "duplicate area name",
	  PHONE "cma:\n  - {name: a, size: 8MiB}\n  - {name: a, size: 8MiB, devices: [gpu]}\n",
	  0, CMASIM_ERROR_KEY, 9, 12, "duplicate area \"a\" in cma (first given at 8:12)" },
	{ "area size not whole pageblocks", PHONE "cma: [{size: 6MiB}]\n", 0,
	  CMASIM_ERROR_LAYOUT, 7, 14, "size is not a positive multiple of the pageblock size 4MiB" },
	{ "area alignment below a pageblock", PHONE "cma: [{size: 8MiB, alignment: 1MiB}]\n", 0,
	  CMASIM_ERROR_VALUE, 7, 31, "expected a power of two of at least the pageblock size 4MiB" },
	{ "area order_per_bit above the pageblock order",
	  PHONE "cma: [{size: 8MiB, order_per_bit: 11}]\n", 0, CMASIM_ERROR_VALUE, 7, 35,
	  "expected an integer from 0 to 10, got \"11\"" },
	{ "area base misaligned", PHONE "cma: [{size: 8MiB, base: 0x90100000}]\n", 0,
	  CMASIM_ERROR_LAYOUT, 7, 26, "base 0x90100000 is not aligned to 4MiB" },
	{ "area across two zones", PHONE "cma: [{size: 8MiB, base: 0xAFC00000}]\n", 0,
	  CMASIM_ERROR_LAYOUT, 7, 26, "an area of 8MiB at 0xafc00000 is not inside one zone" },
	{ "area outside RAM", PHONE "cma: [{size: 8MiB, base: 0x40000000}]\n", 0,
	  CMASIM_ERROR_LAYOUT, 7, 26, "an area of 8MiB at 0x40000000 is not inside one zone" },
	{ "areas overlap",
	  PHONE "cma:\n  - {size: 8MiB, base: 0x90000000}\n"
	  "  - {size: 8MiB, base: 0x90400000, devices: [gpu]}\n", 0, CMASIM_ERROR_LAYOUT, 9, 24,
	  "an area of 8MiB at 0x90400000 overlaps a hole or an earlier area at 0x90000000" },
	{ "area base and zone", PHONE "cma: [{size: 8MiB, base: 0x90000000, zone: Normal}]\n", 0,
	  CMASIM_ERROR_KEY, 7, 38, "base and zone both place the area; give only one of them" },
	{ "area in a zone the machine lacks", PHONE "cma: [{size: 8MiB, zone: DMA}]\n", 0,
	  CMASIM_ERROR_LAYOUT, 7, 26, "no room for an area of 8MiB in zone DMA (clear of holes "
	  "and earlier areas)" },
	{ "area larger than its zone", PHONE "cma: [{size: 512MiB, zone: HighMem}]\n", 0,
	  CMASIM_ERROR_LAYOUT, 7, 28, "no room for an area of 512MiB in zone HighMem (clear of "
	  "holes and earlier areas)" },

	/* cache: and mmu: */
	{ "unknown indexing", MEM "cache: {indexing: pivt}\n", 0, CMASIM_ERROR_VALUE, 2, 19,
	  "expected pipt, vipt or vivt, got \"pivt\"" },
	{ "unknown prefetcher", MEM "cache: {prefetcher: nextline}\n", 0, CMASIM_ERROR_VALUE, 2,
	  21, "expected none, next-line, stride or speculative, got \"nextline\"" },
	{ "line not a power of two", MEM "cache: {line: 48}\n", 0, CMASIM_ERROR_VALUE, 2, 15,
	  "expected a power of two from 16B to 4KiB, got \"48\"" },
	{ "rate above one", MEM "cache: {speculation_rate: 1.5}\n", 0, CMASIM_ERROR_VALUE, 2, 27,
	  "expected a rate from 0 to 1 with at most 6 decimals, got \"1.5\"" },
	{ "rate too fine", MEM "cache: {speculation_rate: 0.0000001}\n", 0, CMASIM_ERROR_VALUE,
	  2, 27, "expected a rate from 0 to 1 with at most 6 decimals, got \"0.0000001\"" },
	/* 4 KiB in 3 ways of 64 bytes: 64 lines do not split into 3 ways */
	{ "ways that do not divide the cache", MEM "cache: {size: 4KiB, ways: 3}\n", 0,
	  CMASIM_ERROR_LAYOUT, 2, 8, "a cache of 4KiB with 3 ways of 64-byte lines has no whole, "
	  "power-of-two number of sets" },
	/* 8 KiB, 4 ways of 1 KiB lines: 2 sets; 64 ways: more lines than the cache has */
	{ "more ways than lines", MEM "cache: {size: 8KiB, ways: 64, line: 1KiB}\n", 0,
	  CMASIM_ERROR_LAYOUT, 2, 8, "a cache of 8KiB with 64 ways of 1024-byte lines has no "
	  "whole, power-of-two number of sets" },
	{ "section smaller than two pages", MEM "mmu: {section_size: 4KiB}\n", 0,
	  CMASIM_ERROR_VALUE, 2, 21, "expected a power of two from 8KiB to 1GiB, got \"4KiB\"" },
	{ "no TLB entries", MEM "mmu: {tlb_page_entries: 0}\n", 0, CMASIM_ERROR_VALUE, 2, 25,
	  "expected an integer from 1 to 4096, got \"0\"" },

	/* ORDER: memory: with its layout, then devices:, then costs:, whatever the file's order */
	{ "memory layout before a bad device",
	  "devices: [{name: 'a b', dma_bits: 0}]\nmemory: {size: 6MiB}\n", 0,
	  CMASIM_ERROR_LAYOUT, 2, 16,
	  "size 6MiB is not a positive multiple of the pageblock size 4MiB" },
	/* roles: the fields start at 3:6, so roles: is at 3:29 and its list at 3:36 */
	{ "unknown role", DEVICE("name: a, dma_bits: 32, roles: [camera, dsp]"), 0,
	  CMASIM_ERROR_VALUE, 3, 45, "unknown role \"dsp\" (expected one of: camera, display, "
	  "codec, gpu, nic, legacy-dma, usb)" },
	{ "role listed twice", DEVICE("name: a, dma_bits: 32, roles: [gpu, nic, gpu]"), 0,
	  CMASIM_ERROR_VALUE, 3, 47, "role \"gpu\" listed twice (first given at 3:37)" },
	{ "roles not a list", DEVICE("name: a, dma_bits: 32, roles: camera"), 0,
	  CMASIM_ERROR_TYPE, 3, 36, "expected a sequence for \"devices[0].roles\", got a scalar" },
	{ "role not a scalar", DEVICE("name: a, dma_bits: 32, roles: [[gpu]]"), 0,
	  CMASIM_ERROR_TYPE, 3, 37,
	  "expected a scalar for \"devices[0].roles[0]\", got a sequence" },
	{ "a bad device before a bad cost",
	  "costs: {buddy_op: x}\n" MEM "devices: [{name: a, dma_bits: 0}]\n", 0,
	  CMASIM_ERROR_VALUE, 3, 31, BITS_MSG("0") },
	{ "a duplicate device before a bad dma_bits",
	  MEM "devices: [{name: a, dma_bits: 1}, {name: a, dma_bits: 0}]\n", 0,
	  CMASIM_ERROR_KEY, 2, 42, "duplicate device \"a\" in devices (first given at 2:18)" },
};

/*
 * Criterion runs each case in a fresh process, where pointers in a parameter
 * would dangle: the parameter is the row's index into bad_rows.
 */
ParameterizedTestParameters(config, bad_input)
{
	static size_t index[G_N_ELEMENTS(bad_rows)];

	for (size_t i = 0; i < G_N_ELEMENTS(index); i++)
		index[i] = i;
	return cr_make_param_array(size_t, index, G_N_ELEMENTS(index));
}

ParameterizedTest(size_t *i, config, bad_input)
{
	const struct bad *row = &bad_rows[*i];
	size_t len = row->len ? row->len : strlen(row->yaml);
	g_autofree char *expected =
		g_strdup_printf("t.yaml:%u:%u: %s", row->line, row->column, row->message);
	GError *error = NULL;
	struct cmasim_config *cfg = cmasim_config_load_data("t.yaml", row->yaml, len, &error);

	cr_assert_null(cfg, "%s: loaded", row->name);
	cr_assert_not_null(error, "%s: NULL without an error", row->name);
	cr_assert(error->domain == CMASIM_ERROR && (int)row->code == error->code,
		  "%s: code %d, expected %d (%s)", row->name, error->code, row->code,
		  error->message);
	cr_assert_str_eq(error->message, expected, "%s:\n  got      %s\n  expected %s", row->name,
			 error->message, expected);
	g_error_free(error);
}

/* The loader must not depend on a NUL after the input, nor read past @len. */
Test(config, input_is_not_nul_terminated)
{
	static const char text[] = "memory: {size: 4MiB}\nXX";
	char *copy = g_memdup2(text, sizeof(text) - 3);	/* no NUL, no "XX" */
	struct cmasim_config *cfg =
		cmasim_config_load_data("t.yaml", copy, sizeof(text) - 3, NULL);

	cr_assert_not_null(cfg);
	cr_assert_eq(cfg->mem_size, 4 * MiB);
	cmasim_config_free(cfg);
	g_free(copy);
}

Test(config, empty_data_pointer)
{
	GError *error = NULL;

	cr_assert_null(cmasim_config_load_data("t.yaml", NULL, 0, &error));
	cr_assert(g_error_matches(error, CMASIM_ERROR, CMASIM_ERROR_TYPE));
	g_error_free(error);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the machine config loader. Any bytes must give either
 * a config that keeps the promises of include/cmasim/config.h or one error in
 * the cmasim domain that points into the input; never a crash, a leak or
 * undefined behaviour (the build adds ASan and UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/config.h"
#include "cmasim/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts, so that libFuzzer keeps the input, unless @cfg is a machine physmem can build. */
static void check_config(const struct cmasim_config *cfg)
{
	uint64_t end = cfg->mem_base + cfg->mem_size;
	uint64_t pageblock = (uint64_t)cfg->page_size << cfg->pageblock_order;
	uint64_t prev_end = cfg->mem_base, hole_bytes = 0;

	if (cfg->page_size != 1u << cfg->page_shift || cfg->mem_size == 0 ||
	    cfg->mem_size % pageblock || end < cfg->mem_base ||
	    cfg->pageblock_order > cfg->max_page_order ||
	    cfg->max_page_order > CMASIM_ORDER_LIMIT ||
	    cfg->nr_zones == 0 || cfg->nr_zones > CMASIM_NR_ZONE_TYPES ||
	    cfg->zones[0].start != cfg->mem_base || cfg->zones[cfg->nr_zones - 1].end != end ||
	    cfg->lowmem_size > cfg->mem_size || !cfg->name)
		abort();
	for (unsigned int i = 0; i < cfg->nr_zones; i++) {
		const struct cmasim_zone_config *z = &cfg->zones[i];

		if (z->start >= z->end || (z->end - z->start) % pageblock ||
		    (i > 0 && (z->start != cfg->zones[i - 1].end ||
			       z->type <= cfg->zones[i - 1].type)))
			abort();
	}
	for (unsigned int i = 0; i < cfg->nr_holes; i++) {
		const struct cmasim_hole *h = &cfg->holes[i];

		/* holes are whole pages, not pageblocks (x86's pfn 0) */
		if (h->size == 0 || h->start < prev_end || h->size > end - h->start ||
		    h->start % cfg->page_size || h->size % cfg->page_size)
			abort();
		prev_end = h->start + h->size;
		hole_bytes += h->size;
	}
	/* reserved ranges: whole pages of RAM, clear of holes (the memmap, last, too) */
	for (unsigned int i = 0; i < cfg->nr_reserved; i++) {
		const struct cmasim_hole *r = &cfg->reserved[i];

		if (r->size == 0 || r->start < cfg->mem_base || r->size > end - r->start ||
		    r->start % cfg->page_size || r->size % cfg->page_size)
			abort();
		for (unsigned int h = 0; h < cfg->nr_holes; h++)
			if (r->start < cfg->holes[h].start + cfg->holes[h].size &&
			    cfg->holes[h].start < r->start + r->size)
				abort();
	}
	/* lowmem counts only RAM that is there */
	if (cfg->lowmem_size > cfg->mem_size - hole_bytes)
		abort();
	/* trace records index devices in 8 bits, with 0xff kept for "none" */
	if (cfg->nr_devices > 254 || (cfg->nr_devices && !cfg->devices))
		abort();
	for (unsigned int i = 0; i < cfg->nr_devices; i++) {
		const struct cmasim_device *d = &cfg->devices[i];

		/* DMA_BIT_MASK(1..64): one or more low bits set, nothing above them */
		if (!d->name || !d->name[0] || d->dma_mask == 0 ||
		    (d->dma_mask & (d->dma_mask + 1)))
			abort();
		for (const char *c = d->name; *c; c++)
			if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-')
				abort();
		if (cmasim_config_device(cfg, d->name) != (int)i)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	struct cmasim_config *cfg =
		cmasim_config_load_data("fuzz.yaml", (const char *)data, size, &error);

	/* exactly one of the two, and every message says where: "fuzz.yaml:L:C: ..." */
	if (!cfg == !error)
		abort();
	if (error && (error->domain != CMASIM_ERROR ||
		      strncmp(error->message, "fuzz.yaml:", 10) != 0))
		abort();
	if (cfg)
		check_config(cfg);
	cmasim_config_free(cfg);
	g_clear_error(&error);
	return 0;
}

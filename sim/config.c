// SPDX-License-Identifier: GPL-2.0-only
/*
 * Machine config loader: YAML text to a validated struct cmasim_config.
 *
 * The document is composed whole with libyaml's document API rather than
 * read as a stream of events, so every node keeps its mark and a message
 * can point at any value after the fact, including layout checks that need
 * several values at once. The schema is small and fixed, so it is walked by
 * hand, one function per mapping, and any key it does not name is an error:
 * a typo must not silently fall back to a default.
 *
 * Errors are found in a fixed order: syntax, then each mapping's keys, then
 * its values in the order of its field table, then the layout as a whole.
 * At the top level that means memory: with its layout, then devices:, then
 * cma: (which names devices), then costs:, cache:, atomic_pool: and mmu:.
 * Tests rely on that order to predict which of several problems is reported.
 *
 * What the description it builds answers (placement, zones, devices) is in
 * machdesc.c, which knows no YAML.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include <yaml.h>

#include "cmasim/config.h"
#include "cmasim/error.h"
#include "cmasim/units.h"
#include "config_cpu.h"
#include "confyaml.h"
#include "machdesc.h"
#include "sha256.h"

/* The frame array is indexed in 32 bits, with the top two values kept for sentinels. */
#define MAX_FRAMES (UINT32_MAX - 1)

/* Defaults from include/linux/mmzone.h (MAX_PAGE_ORDER) and pageblock-flags.h on ARM. */
#define DEFAULT_PAGE_SIZE 4096u
#define DEFAULT_MAX_PAGE_ORDER 10u
#define DEFAULT_PAGEBLOCK_ORDER 10u
/* coherent_pool= (arch/arm/mm/dma-mapping.c): where atomic requests are served */
#define DEFAULT_ATOMIC_POOL_SIZE (256u << 10)
#define MIN_PAGE_SIZE (4u << 10)
#define MAX_PAGE_SIZE (64u << 10)

/* The defaults include/cmasim/config.h documents for what costs: leaves out. */

/* Trace records number devices in 8 bits and keep 0xff for "none" (CMASIM_REC_ANY). */
#define MAX_DEVICES 254

/* Reads a zone type name (DMA, DMA32, Normal, HighMem, Movable) from @node. */
static bool get_zone_type(struct conf_loader *ld, const yaml_node_t *node, const char *path,
			  enum cmasim_zone_type *type)
{
	g_autofree char *text = NULL;
	unsigned int t;

	if (!conf_expect_kind(ld, node, YAML_SCALAR_NODE, path))
		return false;
	for (t = 0; t < CMASIM_NR_ZONE_TYPES; t++) {
		if (conf_scalar_is(node, cmasim_zone_type_name(t))) {
			*type = (enum cmasim_zone_type)t;
			return true;
		}
	}
	text = conf_quote(node);
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "expected a zone type (DMA, DMA32, Normal, HighMem or Movable), got \"%s\"",
			    text);
}


enum {
	MEM_BASE,
	MEM_SIZE,
	MEM_PAGE_SIZE,
	MEM_MAX_PAGE_ORDER,
	MEM_PAGEBLOCK_ORDER,
	MEM_MIN_FREE_KBYTES,
	MEM_LOWMEM,
	MEM_DMA_ZONE,
	MEM_ZONES,
	MEM_HOLES,
	MEM_RESERVED,
	MEM_THP,
	MEM_STRUCT_PAGE,
	NR_MEM_FIELDS,
};

static const struct conf_field_spec memory_specs[NR_MEM_FIELDS] = {
	[MEM_BASE] = { "base", false },
	[MEM_SIZE] = { "size", true },
	[MEM_PAGE_SIZE] = { "page_size", false },
	[MEM_MAX_PAGE_ORDER] = { "max_page_order", false },
	[MEM_PAGEBLOCK_ORDER] = { "pageblock_order", false },
	[MEM_MIN_FREE_KBYTES] = { "min_free_kbytes", false },
	[MEM_LOWMEM] = { "lowmem", false },
	[MEM_DMA_ZONE] = { "dma_zone", false },
	[MEM_ZONES] = { "zones", false },
	[MEM_HOLES] = { "holes", false },
	[MEM_RESERVED] = { "reserved", false },
	[MEM_THP] = { "transparent_hugepage", false },
	[MEM_STRUCT_PAGE] = { "struct_page", false },
};

enum { ZONE_TYPE, ZONE_SIZE, NR_ZONE_FIELDS };

static const struct conf_field_spec zone_specs[NR_ZONE_FIELDS] = {
	[ZONE_TYPE] = { "type", true },
	[ZONE_SIZE] = { "size", true },
};

enum { HOLE_START, HOLE_SIZE, NR_HOLE_FIELDS };

static const struct conf_field_spec hole_specs[NR_HOLE_FIELDS] = {
	[HOLE_START] = { "start", true },
	[HOLE_SIZE] = { "size", true },
};

/* One entry of zones: as written. */
struct zone_entry {
	enum cmasim_zone_type type;
	uint64_t size;			/* bytes */
	yaml_node_t *type_node, *size_node;
};

/* One entry of holes: as written. */
struct hole_entry {
	struct cmasim_hole hole;
	yaml_node_t *start_node, *size_node;
};

/* memory: as written, with the nodes that layout errors point at. */
struct memory_input {
	struct conf_field f[NR_MEM_FIELDS];
	uint64_t lowmem;		/* bytes; set when f[MEM_LOWMEM].value */
	uint64_t dma_zone;		/* bytes; 0 when absent */
	struct zone_entry *zones;
	size_t nr_zones;
	struct hole_entry *holes;
	size_t nr_holes;
	struct hole_entry *reserved;
	size_t nr_reserved;
};

/* conf_entry_reader for zones: items. */
static bool read_zone(struct conf_loader *ld, const struct conf_field *f, const char *where,
		      void *entries, size_t i)
{
	struct zone_entry *z = (struct zone_entry *)entries + i;
	g_autofree char *type_path = g_strconcat(where, ".type", NULL);
	g_autofree char *size_path = g_strconcat(where, ".size", NULL);

	z->type_node = f[ZONE_TYPE].value;
	z->size_node = f[ZONE_SIZE].value;
	return get_zone_type(ld, z->type_node, type_path, &z->type) &&
	       conf_get_size(ld, z->size_node, size_path, &z->size);
}

/* conf_entry_reader for holes: items. */
static bool read_hole(struct conf_loader *ld, const struct conf_field *f, const char *where,
		      void *entries, size_t i)
{
	struct hole_entry *h = (struct hole_entry *)entries + i;
	g_autofree char *start_path = g_strconcat(where, ".start", NULL);
	g_autofree char *size_path = g_strconcat(where, ".size", NULL);

	h->start_node = f[HOLE_START].value;
	h->size_node = f[HOLE_SIZE].value;
	return conf_get_size(ld, h->start_node, start_path, &h->hole.start) &&
	       conf_get_size(ld, h->size_node, size_path, &h->hole.size);
}

/* Reads every value of memory: into @in and @cfg, without checking how they fit together. */
static bool read_memory(struct conf_loader *ld, const yaml_node_t *node, struct memory_input *in,
			struct cmasim_config *cfg)
{
	struct conf_field *f = in->f;
	uint64_t v;

	if (!conf_expect_kind(ld, node, YAML_MAPPING_NODE, "memory") ||
	    !conf_collect_fields(ld, node, "memory", memory_specs, NR_MEM_FIELDS, f))
		return false;

	if (f[MEM_BASE].value && !conf_get_size(ld, f[MEM_BASE].value, "memory.base", &cfg->mem_base))
		return false;
	if (!conf_get_size(ld, f[MEM_SIZE].value, "memory.size", &cfg->mem_size))
		return false;
	if (f[MEM_PAGE_SIZE].value) {
		if (!conf_get_pow2_size(ld, f[MEM_PAGE_SIZE].value, "memory.page_size",
					MIN_PAGE_SIZE, MAX_PAGE_SIZE, &v))
			return false;
		cfg->page_size = (uint32_t)v;
	}
	if (f[MEM_MAX_PAGE_ORDER].value) {
		if (!conf_get_uint(ld, f[MEM_MAX_PAGE_ORDER].value, "memory.max_page_order", 0,
				   CMASIM_ORDER_LIMIT, &v))
			return false;
		cfg->max_page_order = (unsigned int)v;
	}
	if (f[MEM_PAGEBLOCK_ORDER].value) {
		if (!conf_get_uint(ld, f[MEM_PAGEBLOCK_ORDER].value, "memory.pageblock_order", 0,
				   CMASIM_ORDER_LIMIT, &v))
			return false;
		cfg->pageblock_order = (unsigned int)v;
	} else {
		cfg->pageblock_order = MIN(DEFAULT_PAGEBLOCK_ORDER, cfg->max_page_order);
	}
	/* the kernel's min_free_kbytes is an int sysctl */
	if (f[MEM_MIN_FREE_KBYTES].value &&
	    !conf_get_uint(ld, f[MEM_MIN_FREE_KBYTES].value, "memory.min_free_kbytes", 1, INT32_MAX,
			   &cfg->min_free_kbytes))
		return false;
	if (f[MEM_LOWMEM].value && !conf_get_size(ld, f[MEM_LOWMEM].value, "memory.lowmem", &in->lowmem))
		return false;
	if (f[MEM_DMA_ZONE].value &&
	    !conf_get_size(ld, f[MEM_DMA_ZONE].value, "memory.dma_zone", &in->dma_zone))
		return false;
	if (f[MEM_ZONES].value) {
		if (!conf_expect_kind(ld, f[MEM_ZONES].value, YAML_SEQUENCE_NODE, "memory.zones"))
			return false;
		in->nr_zones = conf_seq_len(f[MEM_ZONES].value);
		in->zones = g_new0(struct zone_entry, in->nr_zones);
		if (!conf_read_list(ld, f[MEM_ZONES].value, "memory.zones", zone_specs, NR_ZONE_FIELDS,
				    read_zone, in->zones))
			return false;
	}
	if (f[MEM_HOLES].value) {
		if (!conf_expect_kind(ld, f[MEM_HOLES].value, YAML_SEQUENCE_NODE, "memory.holes"))
			return false;
		in->nr_holes = conf_seq_len(f[MEM_HOLES].value);
		in->holes = g_new0(struct hole_entry, in->nr_holes);
		if (!conf_read_list(ld, f[MEM_HOLES].value, "memory.holes", hole_specs, NR_HOLE_FIELDS,
				    read_hole, in->holes))
			return false;
	}
	if (f[MEM_RESERVED].value) {
		if (!conf_expect_kind(ld, f[MEM_RESERVED].value, YAML_SEQUENCE_NODE,
				      "memory.reserved"))
			return false;
		in->nr_reserved = conf_seq_len(f[MEM_RESERVED].value);
		in->reserved = g_new0(struct hole_entry, in->nr_reserved);
		if (!conf_read_list(ld, f[MEM_RESERVED].value, "memory.reserved", hole_specs,
				    NR_HOLE_FIELDS, read_hole, in->reserved))
			return false;
	}
	if (f[MEM_THP].value &&
	    !conf_get_bool(ld, f[MEM_THP].value, "memory.transparent_hugepage", &cfg->thp))
		return false;
	/* sizeof(struct page): 64 on 64-bit kernels, 32 on 32-bit ARM */
	if (f[MEM_STRUCT_PAGE].value &&
	    !conf_get_uint(ld, f[MEM_STRUCT_PAGE].value, "memory.struct_page", 1, 256,
			   &cfg->struct_page))
		return false;
	return true;
}

/* Page and pageblock sizes, the size of RAM and where it sits; false with a LAYOUT error. */
static bool check_geometry(struct conf_loader *ld, const struct memory_input *in,
			   const struct cmasim_config *cfg)
{
	const yaml_node_t *size_node = in->f[MEM_SIZE].value;
	uint64_t pageblock = cmasim_config_pageblock_bytes(cfg);
	unsigned int align_order = MAX(cfg->max_page_order, cfg->pageblock_order);
	uint64_t align = (uint64_t)cfg->page_size << align_order;
	g_autofree char *size = conf_format_size(cfg->mem_size);
	g_autofree char *pb = conf_format_size(pageblock);
	g_autofree char *al = conf_format_size(align);

	if (cfg->pageblock_order > cfg->max_page_order)
		return conf_fail_at(ld, in->f[MEM_PAGEBLOCK_ORDER].value->start_mark,
				    CMASIM_ERROR_LAYOUT,
				    "pageblock_order %u is larger than max_page_order %u",
				    cfg->pageblock_order, cfg->max_page_order);
	if (cfg->mem_size == 0 || cfg->mem_size % pageblock)
		return conf_fail_at(ld, size_node->start_mark, CMASIM_ERROR_LAYOUT,
				    "size %s is not a positive multiple of the pageblock size %s",
				    size, pb);
	if (cfg->mem_size / cfg->page_size > MAX_FRAMES)
		return conf_fail_at(ld, size_node->start_mark, CMASIM_ERROR_LAYOUT,
				    "size %s is %" PRIu64 " frames, more than the %u supported",
				    size, cfg->mem_size / cfg->page_size, MAX_FRAMES);
	/* the kernel's buddy and pageblock arithmetic assumes aligned pfns */
	if (cfg->mem_base % align)
		return conf_fail_at(ld, in->f[MEM_BASE].value->start_mark, CMASIM_ERROR_LAYOUT,
				    "base 0x%" PRIx64 " is not aligned to %s (the larger of a "
				    "max_page_order block and a pageblock)", cfg->mem_base, al);
	/* zone and hole ends are exclusive, so the end of RAM must be representable */
	if (cfg->mem_size > UINT64_MAX - cfg->mem_base)
		return conf_fail_at(ld, size_node->start_mark, CMASIM_ERROR_LAYOUT,
				    "RAM of size %s at 0x%" PRIx64 " runs past the end of the 64-bit "
				    "address space", size, cfg->mem_base);
	return true;
}

/* lowmem: and dma_zone:, if given; false with a LAYOUT error. */
static bool check_lowmem(struct conf_loader *ld, const struct memory_input *in,
			 const struct cmasim_config *cfg)
{
	const yaml_node_t *lowmem_node = in->f[MEM_LOWMEM].value;
	const yaml_node_t *dma_node = in->f[MEM_DMA_ZONE].value;
	uint64_t pageblock = cmasim_config_pageblock_bytes(cfg);
	g_autofree char *pb = conf_format_size(pageblock);
	g_autofree char *lowmem = conf_format_size(in->lowmem);
	g_autofree char *dma = conf_format_size(in->dma_zone);
	g_autofree char *size = conf_format_size(cfg->mem_size);

	if (dma_node && !lowmem_node)
		return conf_fail_at(ld, dma_node->start_mark, CMASIM_ERROR_LAYOUT,
				    "dma_zone needs lowmem (with zones, list a DMA zone instead)");
	if (!lowmem_node)
		return true;
	if (in->lowmem == 0 || in->lowmem % pageblock)
		return conf_fail_at(ld, lowmem_node->start_mark, CMASIM_ERROR_LAYOUT,
				    "lowmem %s is not a positive multiple of the pageblock size %s",
				    lowmem, pb);
	if (in->lowmem > cfg->mem_size)
		return conf_fail_at(ld, lowmem_node->start_mark, CMASIM_ERROR_LAYOUT,
				    "lowmem %s is larger than the memory size %s", lowmem, size);
	if (dma_node && in->dma_zone % pageblock)
		return conf_fail_at(ld, dma_node->start_mark, CMASIM_ERROR_LAYOUT,
				    "dma_zone %s is not a multiple of the pageblock size %s", dma, pb);
	if (dma_node && in->dma_zone >= in->lowmem)
		return conf_fail_at(ld, dma_node->start_mark, CMASIM_ERROR_LAYOUT,
				    "dma_zone %s is not smaller than lowmem %s", dma, lowmem);
	return true;
}

/* zones:, if given; false with a LAYOUT error. */
static bool check_zone_list(struct conf_loader *ld, const struct memory_input *in,
			    const struct cmasim_config *cfg)
{
	const yaml_node_t *zones_node = in->f[MEM_ZONES].value;
	uint64_t pageblock = cmasim_config_pageblock_bytes(cfg);
	g_autofree char *pb = conf_format_size(pageblock);
	g_autofree char *size = conf_format_size(cfg->mem_size);
	g_autofree char *sum_text = NULL;
	uint64_t sum = 0;
	size_t i;

	if (!zones_node)
		return true;
	if (in->f[MEM_LOWMEM].value)
		return conf_fail_at(ld, zones_node->start_mark, CMASIM_ERROR_LAYOUT,
				    "lowmem and zones both lay out the zones; give only one of them");
	for (i = 0; i < in->nr_zones; i++) {
		const struct zone_entry *z = &in->zones[i];
		g_autofree char *zsize = conf_format_size(z->size);

		/* the order is the kernel's enum zone_type, which physmem indexes by */
		if (i > 0 && z->type <= in->zones[i - 1].type)
			return conf_fail_at(ld, z->type_node->start_mark, CMASIM_ERROR_LAYOUT,
					    "zone %s after %s (expected each type at most once, in the "
					    "order DMA, DMA32, Normal, HighMem, Movable)",
					    cmasim_zone_type_name(z->type),
					    cmasim_zone_type_name(in->zones[i - 1].type));
		if (z->size == 0 || z->size % pageblock)
			return conf_fail_at(ld, z->size_node->start_mark, CMASIM_ERROR_LAYOUT,
					    "zone size %s is not a positive multiple of the pageblock "
					    "size %s", zsize, pb);
		if (z->size > cfg->mem_size - sum)
			return conf_fail_at(ld, zones_node->start_mark, CMASIM_ERROR_LAYOUT,
					    "zone sizes add up to more than the memory size %s", size);
		sum += z->size;
	}
	sum_text = conf_format_size(sum);
	if (sum != cfg->mem_size)
		return conf_fail_at(ld, zones_node->start_mark, CMASIM_ERROR_LAYOUT,
				    "zone sizes add up to %s, not the memory size %s", sum_text, size);
	return true;
}

/*
 * holes: or reserved: (@what, "hole" or "reserved range"), if given: whole
 * pages inside RAM, ascending, not overlapping; false with a LAYOUT error.
 */
static bool check_ranges(struct conf_loader *ld, const struct hole_entry *ranges, size_t n,
			 const char *what, const struct cmasim_config *cfg)
{
	uint64_t ram_end = cfg->mem_base + cfg->mem_size;
	g_autofree char *page = conf_format_size(cfg->page_size);
	uint64_t prev_end = cfg->mem_base;

	for (size_t i = 0; i < n; i++) {
		const struct hole_entry *h = &ranges[i];
		g_autofree char *hsize = conf_format_size(h->hole.size);

		if (h->hole.size == 0 || h->hole.size % cfg->page_size)
			return conf_fail_at(ld, h->size_node->start_mark, CMASIM_ERROR_LAYOUT,
					    "%s size %s is not a positive multiple of the page size %s",
					    what, hsize, page);
		if (h->hole.start % cfg->page_size)
			return conf_fail_at(ld, h->start_node->start_mark, CMASIM_ERROR_LAYOUT,
					    "%s start 0x%" PRIx64 " is not aligned to the page size %s",
					    what, h->hole.start, page);
		if (h->hole.start < cfg->mem_base || h->hole.start > ram_end ||
		    h->hole.size > ram_end - h->hole.start)
			return conf_fail_at(ld, h->start_node->start_mark, CMASIM_ERROR_LAYOUT,
					    "%s of %s at 0x%" PRIx64 " is not inside RAM [0x%" PRIx64
					    ", 0x%" PRIx64 ")", what, hsize, h->hole.start, cfg->mem_base,
					    ram_end);
		if (h->hole.start < prev_end)
			return conf_fail_at(ld, h->start_node->start_mark, CMASIM_ERROR_LAYOUT,
					    "%s at 0x%" PRIx64 " starts before the previous one ends "
					    "at 0x%" PRIx64 " (expected ascending ranges that do not "
					    "overlap)", what, h->hole.start, prev_end);
		prev_end = h->hole.start + h->hole.size;
	}
	return true;
}

/* reserved: ranges lie in RAM, clear of holes; false with a LAYOUT error. */
static bool check_reserved_vs_holes(struct conf_loader *ld, const struct memory_input *in)
{
	for (size_t r = 0; r < in->nr_reserved; r++) {
		const struct cmasim_hole *a = &in->reserved[r].hole;

		for (size_t h = 0; h < in->nr_holes; h++) {
			const struct cmasim_hole *b = &in->holes[h].hole;

			if (a->start < b->start + b->size && b->start < a->start + a->size)
				return conf_fail_at(ld, in->reserved[r].start_node->start_mark,
						    CMASIM_ERROR_LAYOUT, "reserved range at 0x%" PRIx64
						    " overlaps the hole at 0x%" PRIx64 " (reserved "
						    "memory is present RAM)", a->start, b->start);
		}
	}
	return true;
}

/* Appends a zone of @type over [@start, @end) to @cfg unless it is empty. */
static void add_zone(struct cmasim_config *cfg, enum cmasim_zone_type type, uint64_t start,
		     uint64_t end)
{
	struct cmasim_zone_config *z;

	if (start == end)
		return;
	g_assert(cfg->nr_zones < CMASIM_NR_ZONE_TYPES);
	z = &cfg->zones[cfg->nr_zones++];
	z->type = type;
	z->start = start;
	z->end = end;
}

/* Fills @cfg's zones, lowmem_size and holes from a checked @in. */
static void derive_layout(const struct memory_input *in, struct cmasim_config *cfg)
{
	uint64_t base = cfg->mem_base, end = cfg->mem_base + cfg->mem_size, at = base;
	size_t i;

	if (in->f[MEM_LOWMEM].value) {
		add_zone(cfg, CMASIM_ZONE_DMA, base, base + in->dma_zone);
		add_zone(cfg, CMASIM_ZONE_NORMAL, base + in->dma_zone, base + in->lowmem);
		add_zone(cfg, CMASIM_ZONE_HIGHMEM, base + in->lowmem, end);
	} else if (in->f[MEM_ZONES].value) {
		for (i = 0; i < in->nr_zones; i++) {
			add_zone(cfg, in->zones[i].type, at, at + in->zones[i].size);
			at += in->zones[i].size;
		}
	} else {
		add_zone(cfg, CMASIM_ZONE_NORMAL, base, end);
	}
	cfg->nr_holes = (unsigned int)in->nr_holes;
	cfg->holes = g_new0(struct cmasim_hole, in->nr_holes);
	for (i = 0; i < in->nr_holes; i++)
		cfg->holes[i] = in->holes[i].hole;
	/* one more for the memmap, which is placed after cma: */
	cfg->nr_reserved = (unsigned int)in->nr_reserved;
	cfg->reserved = g_new0(struct cmasim_hole, in->nr_reserved + 1);
	for (i = 0; i < in->nr_reserved; i++)
		cfg->reserved[i] = in->reserved[i].hole;
	cfg->lowmem_size = cmasim_config_ram_bytes(cfg, base, cmasim_config_lowmem_end(cfg));
}

/* Reads, checks and derives everything under memory: into @cfg. */
static bool load_memory(struct conf_loader *ld, const yaml_node_t *node, struct cmasim_config *cfg)
{
	struct memory_input in = { 0 };
	bool ok;

	ok = read_memory(ld, node, &in, cfg) && check_geometry(ld, &in, cfg) &&
	     check_lowmem(ld, &in, cfg) && check_zone_list(ld, &in, cfg) &&
	     check_ranges(ld, in.holes, in.nr_holes, "hole", cfg) &&
	     check_ranges(ld, in.reserved, in.nr_reserved, "reserved range", cfg) &&
	     check_reserved_vs_holes(ld, &in);
	if (ok) {
		cfg->page_shift = (unsigned int)g_bit_nth_lsf(cfg->page_size, -1);
		derive_layout(&in, cfg);
	}
	g_free(in.zones);
	g_free(in.holes);
	g_free(in.reserved);
	return ok;
}

enum { DEV_NAME, DEV_DMA_BITS, DEV_COHERENT, DEV_ROLES, NR_DEVICE_FIELDS };

static const struct conf_field_spec device_specs[NR_DEVICE_FIELDS] = {
	[DEV_NAME] = { "name", true },
	[DEV_DMA_BITS] = { "dma_bits", true },
	[DEV_COHERENT] = { "coherent", false },
	[DEV_ROLES] = { "roles", false },
};

/* Reads devices[].roles, sequence @seq named @path, into @dev; false with an error. */
static bool read_roles(struct conf_loader *ld, const yaml_node_t *seq, const char *path,
		       struct cmasim_device *dev)
{
	const yaml_node_t *first[CMASIM_NR_ROLES] = { NULL };

	if (!conf_expect_kind(ld, seq, YAML_SEQUENCE_NODE, path))
		return false;
	for (size_t i = 0; i < conf_seq_len(seq); i++) {
		yaml_node_t *item = yaml_document_get_node(ld->doc, seq->data.sequence.items.start[i]);
		g_autofree char *where = g_strdup_printf("%s[%zu]", path, i);
		g_autofree char *text = NULL;
		int r;

		if (!conf_expect_kind(ld, item, YAML_SCALAR_NODE, where))
			return false;
		r = cmasim_role_lookup(CONF_SCALAR_TEXT(item));
		text = conf_quote(item);
		if (r < 0) {
			g_autoptr(GString) list = g_string_new(NULL);

			for (int k = 0; k < CMASIM_NR_ROLES; k++)
				g_string_append_printf(list, "%s%s", k ? ", " : "",
						       cmasim_role_name(k));
			return conf_fail_at(ld, item->start_mark, CMASIM_ERROR_VALUE,
					    "unknown role \"%s\" (expected one of: %s)", text,
					    list->str);
		}
		if (first[r])
			return conf_fail_at(ld, item->start_mark, CMASIM_ERROR_VALUE,
					    "role \"%s\" listed twice (first given at %zu:%zu)", text,
					    first[r]->start_mark.line + 1,
					    first[r]->start_mark.column + 1);
		first[r] = item;
		dev->roles |= UINT32_C(1) << r;
	}
	return true;
}

/* devices: as it is read. */
struct device_input {
	struct cmasim_device *devices;	/* cfg->devices, filled in order */
	GHashTable *first;		/* name -> the yaml_node_t that first gave it */
};

/* True if the @len bytes at @s are a device name: one or more of [A-Za-z0-9_-]. */
static bool is_device_name(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!g_ascii_isalnum(s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	}
	return len > 0;
}

/* conf_entry_reader for devices: items; @entries is the struct device_input. */
static bool read_device(struct conf_loader *ld, const struct conf_field *f, const char *where,
			void *entries, size_t i)
{
	struct device_input *in = entries;
	struct cmasim_device *dev = &in->devices[i];
	const yaml_node_t *name = f[DEV_NAME].value;
	g_autofree char *name_path = g_strconcat(where, ".name", NULL);
	g_autofree char *bits_path = g_strconcat(where, ".dma_bits", NULL);
	g_autofree char *coherent_path = g_strconcat(where, ".coherent", NULL);
	g_autofree char *roles_path = g_strconcat(where, ".roles", NULL);
	const yaml_node_t *first;
	uint64_t bits;

	if (!conf_expect_kind(ld, name, YAML_SCALAR_NODE, name_path))
		return false;
	if (!is_device_name(CONF_SCALAR_TEXT(name))) {
		g_autofree char *text = conf_quote(name);

		return conf_fail_at(ld, name->start_mark, CMASIM_ERROR_VALUE,
				    "expected a device name of letters, digits, '_' and '-', got \"%s\"",
				    text);
	}
	dev->name = g_strndup(CONF_SCALAR_TEXT(name));
	dev->cma_area = -1;
	/* traces name devices, so a second one of the same name could never be used */
	first = g_hash_table_lookup(in->first, dev->name);
	if (first)
		return conf_fail_at(ld, name->start_mark, CMASIM_ERROR_KEY,
				    "duplicate device \"%s\" in devices (first given at %zu:%zu)",
				    dev->name, first->start_mark.line + 1, first->start_mark.column + 1);
	g_hash_table_insert(in->first, dev->name, (gpointer)name);
	if (!conf_get_uint(ld, f[DEV_DMA_BITS].value, bits_path, 1, 64, &bits))
		return false;
	/* the DMA API's DMA_BIT_MASK(n), which avoids shifting a 64-bit 1 by 64 */
	dev->dma_mask = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	return (!f[DEV_COHERENT].value ||
		conf_get_bool(ld, f[DEV_COHERENT].value, coherent_path, &dev->coherent)) &&
	       (!f[DEV_ROLES].value || read_roles(ld, f[DEV_ROLES].value, roles_path, dev));
}

/* Reads devices: into @cfg; false with an error. */
static bool load_devices(struct conf_loader *ld, const yaml_node_t *node, struct cmasim_config *cfg)
{
	struct device_input in;
	size_t n;
	bool ok;

	if (!conf_expect_kind(ld, node, YAML_SEQUENCE_NODE, "devices"))
		return false;
	n = conf_seq_len(node);
	/* all of them, so that cmasim_config_free() frees the names read before a failure */
	cfg->nr_devices = (unsigned int)n;
	cfg->devices = g_new0(struct cmasim_device, n);
	in.devices = cfg->devices;
	in.first = g_hash_table_new(g_str_hash, g_str_equal);
	ok = conf_read_list(ld, node, "devices", device_specs, NR_DEVICE_FIELDS, read_device, &in);
	g_hash_table_destroy(in.first);
	if (ok && n > MAX_DEVICES)
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_LAYOUT,
				    "devices lists %zu devices, more than the %d supported", n,
				    MAX_DEVICES);
	return ok;
}

enum {
	CMA_NAME,
	CMA_SIZE,
	CMA_BASE,
	CMA_ZONE,
	CMA_ALIGNMENT,
	CMA_ORDER_PER_BIT,
	CMA_DEVICES,
	NR_CMA_FIELDS,
};

static const struct conf_field_spec cma_specs[NR_CMA_FIELDS] = {
	[CMA_NAME] = { "name", false },
	[CMA_SIZE] = { "size", true },
	[CMA_BASE] = { "base", false },
	[CMA_ZONE] = { "zone", false },
	[CMA_ALIGNMENT] = { "alignment", false },
	[CMA_ORDER_PER_BIT] = { "order_per_bit", false },
	[CMA_DEVICES] = { "devices", false },
};

/* cma: as it is read. */
struct cma_input {
	struct cmasim_config *cfg;
	GHashTable *names;		/* name -> the yaml_node_t that first gave it */
	const yaml_node_t *shared;	/* the item without devices:, once seen */
};

/* Reads cma[@i].devices: each names a device that has no area yet; false with an error. */
static bool read_cma_devices(struct conf_loader *ld, const yaml_node_t *seq, const char *path,
			     struct cmasim_config *cfg, size_t i)
{
	if (!conf_expect_kind(ld, seq, YAML_SEQUENCE_NODE, path))
		return false;
	for (size_t d = 0; d < conf_seq_len(seq); d++) {
		yaml_node_t *item = yaml_document_get_node(ld->doc, seq->data.sequence.items.start[d]);
		g_autofree char *name = NULL;
		g_autofree char *where = g_strdup_printf("%s[%zu]", path, d);
		int dev;

		if (!conf_get_string(ld, item, where, true, &name))
			return false;
		dev = cmasim_config_device(cfg, name);
		if (dev < 0)
			return conf_fail_at(ld, item->start_mark, CMASIM_ERROR_KEY,
					    "unknown device \"%s\" (expected one listed in devices)",
					    name);
		if (cfg->devices[dev].cma_area >= 0)
			return conf_fail_at(ld, item->start_mark, CMASIM_ERROR_LAYOUT,
					    "device \"%s\" already has the area \"%s\"", name,
					    cfg->cma[cfg->devices[dev].cma_area].name);
		cfg->devices[dev].cma_area = (int)i;
	}
	return true;
}

/* Checks that a given base lies in RAM in one zone, aligned, clear of holes and areas. */
static bool check_cma_base(struct conf_loader *ld, const yaml_node_t *node,
			   struct cmasim_config *cfg, size_t i)
{
	struct cmasim_cma_config *a = &cfg->cma[i];
	g_autofree char *size = conf_format_size(a->size);
	g_autofree char *align = conf_format_size(a->alignment);
	g_autofree struct cmasim_range *taken = machdesc_areas_but(cfg, (int)i);
	struct cmasim_range hit;

	if (a->base & (a->alignment - 1))
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_LAYOUT,
				    "base 0x%" PRIx64 " is not aligned to %s", a->base, align);
	a->zone = cmasim_config_zone_of(cfg, a->base, a->size);
	if (a->zone == CMASIM_NR_ZONE_TYPES)
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_LAYOUT,
				    "an area of %s at 0x%" PRIx64 " is not inside one zone", size,
				    a->base);
	if (machdesc_overlap(cfg, a->base, a->size, taken, cfg->nr_cma, &hit))
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_LAYOUT,
				    "an area of %s at 0x%" PRIx64 " overlaps a hole or an earlier "
				    "area at 0x%" PRIx64, size, a->base, hit.base);
	return true;
}

/* Places cma[@i], read from @f, where base: or zone: says; false with an error. */
static bool place_cma(struct conf_loader *ld, const struct conf_field *f, const char *where,
		      struct cmasim_config *cfg, size_t i)
{
	struct cmasim_cma_config *a = &cfg->cma[i];
	g_autofree char *base_path = g_strconcat(where, ".base", NULL);
	g_autofree char *zone_path = g_strconcat(where, ".zone", NULL);
	g_autofree char *size = conf_format_size(a->size);
	const yaml_node_t *at = f[CMA_ZONE].value ? f[CMA_ZONE].value : f[CMA_SIZE].value;

	if (f[CMA_BASE].value && f[CMA_ZONE].value)
		return conf_fail_at(ld, f[CMA_ZONE].key->start_mark, CMASIM_ERROR_KEY,
				    "base and zone both place the area; give only one of them");
	a->fixed = f[CMA_BASE].value;
	if (f[CMA_BASE].value)
		return conf_get_size(ld, f[CMA_BASE].value, base_path, &a->base) &&
		       check_cma_base(ld, f[CMA_BASE].value, cfg, i);
	a->zone = cmasim_config_lowmem_zone(cfg);
	if (f[CMA_ZONE].value && !get_zone_type(ld, f[CMA_ZONE].value, zone_path, &a->zone))
		return false;
	if (cmasim_config_place_cma(cfg, a->zone, a->size, a->alignment, (int)i, &a->base))
		return true;
	return conf_fail_at(ld, at->start_mark, CMASIM_ERROR_LAYOUT,
			    "no room for an area of %s in zone %s (clear of holes and earlier "
			    "areas)", size, cmasim_zone_type_name(a->zone));
}

/* conf_entry_reader for cma: items; @entries is the struct cma_input. */
static bool read_cma(struct conf_loader *ld, const struct conf_field *f, const char *where,
		     void *entries, size_t i)
{
	struct cma_input *in = entries;
	struct cmasim_config *cfg = in->cfg;
	struct cmasim_cma_config *a = &cfg->cma[i];
	uint64_t pageblock = cmasim_config_pageblock_bytes(cfg);
	g_autofree char *pb = conf_format_size(pageblock);
	g_autofree char *name_path = g_strconcat(where, ".name", NULL);
	g_autofree char *size_path = g_strconcat(where, ".size", NULL);
	g_autofree char *align_path = g_strconcat(where, ".alignment", NULL);
	g_autofree char *opb_path = g_strconcat(where, ".order_per_bit", NULL);
	g_autofree char *dev_path = g_strconcat(where, ".devices", NULL);
	const yaml_node_t *name_at = f[CMA_NAME].value ? f[CMA_NAME].value : f[CMA_SIZE].key;
	const yaml_node_t *first;
	uint64_t v;

	a->shared = !f[CMA_DEVICES].value;
	if (a->shared && in->shared)
		return conf_fail_at(ld, f[CMA_SIZE].key->start_mark, CMASIM_ERROR_LAYOUT,
				    "a second shared area (the one at %zu:%zu lists no devices "
				    "either; expected devices: on all but one)",
				    in->shared->start_mark.line + 1, in->shared->start_mark.column + 1);
	if (a->shared)
		in->shared = f[CMA_SIZE].key;
	if (f[CMA_NAME].value && !conf_get_string(ld, f[CMA_NAME].value, name_path, true, &a->name))
		return false;
	if (!a->name)
		a->name = a->shared ? g_strdup("reserved") : g_strdup_printf("cma%zu", i);
	first = g_hash_table_lookup(in->names, a->name);
	if (first)
		return conf_fail_at(ld, name_at->start_mark, CMASIM_ERROR_KEY,
				    "duplicate area \"%s\" in cma (first given at %zu:%zu)", a->name,
				    first->start_mark.line + 1, first->start_mark.column + 1);
	g_hash_table_insert(in->names, a->name, (gpointer)name_at);
	if (!conf_get_size(ld, f[CMA_SIZE].value, size_path, &a->size))
		return false;
	if (!a->size || a->size % pageblock)
		return conf_fail_at(ld, f[CMA_SIZE].value->start_mark, CMASIM_ERROR_LAYOUT,
				    "size is not a positive multiple of the pageblock size %s", pb);
	a->alignment = pageblock;
	if (f[CMA_ALIGNMENT].value) {
		if (!conf_get_size(ld, f[CMA_ALIGNMENT].value, align_path, &a->alignment))
			return false;
		/* cma_init_reserved_mem(): CMA_MIN_ALIGNMENT_BYTES, a pageblock */
		if (a->alignment < pageblock || (a->alignment & (a->alignment - 1)))
			return conf_fail_at(ld, f[CMA_ALIGNMENT].value->start_mark,
					    CMASIM_ERROR_VALUE, "expected a power of two of at "
					    "least the pageblock size %s", pb);
	}
	if (f[CMA_ORDER_PER_BIT].value) {
		if (!conf_get_uint(ld, f[CMA_ORDER_PER_BIT].value, opb_path, 0,
				   cfg->pageblock_order, &v))
			return false;
		a->order_per_bit = (unsigned int)v;
	}
	if (f[CMA_DEVICES].value && !read_cma_devices(ld, f[CMA_DEVICES].value, dev_path, cfg, i))
		return false;
	return place_cma(ld, f, where, cfg, i);
}

/* Reads cma: into @cfg, after devices:; false with an error. */
static bool load_cma(struct conf_loader *ld, const yaml_node_t *node, struct cmasim_config *cfg)
{
	struct cma_input in = { .cfg = cfg };
	bool ok;

	if (!conf_expect_kind(ld, node, YAML_SEQUENCE_NODE, "cma"))
		return false;
	/* all of them, zeroed, so that placement skips those not read yet */
	cfg->nr_cma = (unsigned int)conf_seq_len(node);
	cfg->cma = g_new0(struct cmasim_cma_config, cfg->nr_cma);
	in.names = g_hash_table_new(g_str_hash, g_str_equal);
	ok = conf_read_list(ld, node, "cma", cma_specs, NR_CMA_FIELDS, read_cma, &in);
	g_hash_table_destroy(in.names);
	return ok;
}

/*
 * Every cost the costs: section takes, with its default. The defaults for
 * migration follow "discard clean pages during contiguous allocation":
 * migrating 10 MB took 146 ms (57 us a page: 2 us of copy, 55 us of
 * unmapping, remapping and TLB flushes), dropping clean pages 7 ms (2.7 us).
 */
static const struct {
	struct conf_field_spec spec;
	size_t offset;			/* in struct cmasim_costs */
	uint64_t default_ns;
} cost_fields[] = {
	{ { "buddy_op", false }, offsetof(struct cmasim_costs, buddy_op_ns), 200 },
	{ { "page_zero", false }, offsetof(struct cmasim_costs, page_zero_ns), 1000 },
	{ { "page_copy", false }, offsetof(struct cmasim_costs, page_copy_ns), 2000 },
	{ { "migrate_page", false }, offsetof(struct cmasim_costs, migrate_page_ns), 55000 },
	{ { "reclaim_page", false }, offsetof(struct cmasim_costs, reclaim_page_ns), 2700 },
	{ { "lru_drain", false }, offsetof(struct cmasim_costs, lru_drain_ns), 50000 },
	{ { "cache_line_op", false }, offsetof(struct cmasim_costs, cache_line_op_ns), 5 },
	{ { "cache_flush_all", false }, offsetof(struct cmasim_costs, cache_flush_all_ns), 200000 },
	{ { "cache_barrier", false }, offsetof(struct cmasim_costs, cache_barrier_ns), 100 },
	{ { "tlb_miss", false }, offsetof(struct cmasim_costs, tlb_miss_ns), 30 },
	{ { "tlb_flush_page", false }, offsetof(struct cmasim_costs, tlb_flush_page_ns), 20 },
	{ { "tlb_shootdown", false }, offsetof(struct cmasim_costs, tlb_shootdown_ns), 5000 },
	{ { "section_split", false }, offsetof(struct cmasim_costs, section_split_ns), 10000 },
	{ { "kmap", false }, offsetof(struct cmasim_costs, kmap_ns), 300 },
	{ { "iommu_map_page", false }, offsetof(struct cmasim_costs, iommu_map_page_ns), 250 },
	/* an estimate: a few loads of struct page and a branch per page */
	{ { "compact_scan_page", false }, offsetof(struct cmasim_costs, compact_scan_page_ns), 10 },
	/* estimates: a 64-byte line at ~3 GB/s; an uncached line five times that (see README) */
	{ { "line_fill", false }, offsetof(struct cmasim_costs, line_fill_ns), 20 },
	{ { "line_writeback", false }, offsetof(struct cmasim_costs, line_writeback_ns), 20 },
	{ { "uncached_access", false }, offsetof(struct cmasim_costs, uncached_access_ns), 100 },
	/* an estimate: half of a 32 KiB L1 and a 2 MiB L2 refilled at 20 ns a line */
	{ { "flush_refill", false }, offsetof(struct cmasim_costs, flush_refill_ns), 330000 },
	/* an estimate: a 4 KiB random read from eMMC or an SSD, ~100 us */
	{ { "refault_page", false }, offsetof(struct cmasim_costs, refault_page_ns), 100000 },
};

#define NR_COST_FIELDS G_N_ELEMENTS(cost_fields)

/*
 * No operation costs more than a second, so that a cost times any count
 * of pages a machine holds (under 2^32) fits in 64 bits of ns.
 */
#define MAX_COST_NS UINT64_C(1000000000)

/* The field of @cfg's costs that row @i fills: every field is a uint64_t. */
static uint64_t *cost_slot(struct cmasim_config *cfg, size_t i)
{
	G_STATIC_ASSERT(sizeof(struct cmasim_costs) % sizeof(uint64_t) == 0);
	return (uint64_t *)&cfg->costs + cost_fields[i].offset / sizeof(uint64_t);
}

/* Reads costs: into @cfg, over the defaults already there; false with an error. */
static bool load_costs(struct conf_loader *ld, const yaml_node_t *node, struct cmasim_config *cfg)
{
	struct conf_field_spec specs[NR_COST_FIELDS];
	struct conf_field f[NR_COST_FIELDS];

	for (size_t i = 0; i < NR_COST_FIELDS; i++)
		specs[i] = cost_fields[i].spec;
	if (!conf_expect_kind(ld, node, YAML_MAPPING_NODE, "costs") ||
	    !conf_collect_fields(ld, node, "costs", specs, NR_COST_FIELDS, f))
		return false;
	for (size_t i = 0; i < NR_COST_FIELDS; i++) {
		g_autofree char *what = g_strdup_printf("costs.%s", specs[i].key);
		g_autofree char *text = NULL;

		if (!f[i].value)
			continue;
		if (!conf_get_time(ld, f[i].value, what, cost_slot(cfg, i)))
			return false;
		if (*cost_slot(cfg, i) <= MAX_COST_NS)
			continue;
		text = conf_quote(f[i].value);
		return conf_fail_at(ld, f[i].value->start_mark, CMASIM_ERROR_VALUE,
				    "expected a time of at most 1s for \"%s\", got \"%s\"", what, text);
	}
	return true;
}

/*
 * policy: maps "name" or "policy.name" to a scalar value, kept in file
 * order with where each was. Whether a policy has such a parameter is
 * for the registry to say (cmasim_policy_check_machine()): the loader
 * stays below the policies.
 */
static bool load_policy(struct conf_loader *ld, const yaml_node_t *map, struct cmasim_config *cfg)
{
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);

	if (!conf_expect_kind(ld, map, YAML_MAPPING_NODE, "policy"))
		return false;
	cfg->policy_settings = g_new0(struct cmasim_policy_setting, n);
	for (size_t i = 0; i < n; i++) {
		yaml_node_pair_t *pair = &map->data.mapping.pairs.start[i];
		yaml_node_t *key = yaml_document_get_node(ld->doc, pair->key);
		yaml_node_t *value = yaml_document_get_node(ld->doc, pair->value);
		struct cmasim_policy_setting *s = &cfg->policy_settings[i];

		if (key->type != YAML_SCALAR_NODE)
			return conf_fail_at(ld, key->start_mark, CMASIM_ERROR_TYPE,
					    "expected a scalar key in policy, got %s",
					    conf_kind_name(key));
		if (!conf_get_string(ld, key, "policy key", true, &s->key))
			return false;
		cfg->nr_policy_settings++;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cfg->policy_settings[j].key, s->key))
				return conf_fail_at(ld, key->start_mark, CMASIM_ERROR_KEY,
						    "policy.%s is given twice (expected each key "
						    "once)", s->key);
		g_autofree char *path = g_strconcat("policy.", s->key, NULL);

		if (!conf_get_string(ld, value, path, true, &s->value))
			return false;
		s->line = (unsigned int)key->start_mark.line + 1;
		s->key_column = (unsigned int)key->start_mark.column + 1;
		s->value_line = (unsigned int)value->start_mark.line + 1;
		s->value_column = (unsigned int)value->start_mark.column + 1;
	}
	return true;
}

/*
 * The memmap: struct_page bytes for every present page, reserved top-down
 * at the top of lowmem clear of holes, reserved ranges and the CMA areas,
 * which the kernel reserves before it (arm_memblock_init() and x86's
 * setup_arch() call dma_contiguous_reserve() before sparse_init()).
 */
static bool place_memmap(struct conf_loader *ld, const yaml_node_t *memory,
			 struct cmasim_config *cfg)
{
	uint64_t present = cmasim_config_ram_bytes(cfg, cfg->mem_base,
						   cfg->mem_base + cfg->mem_size) / cfg->page_size;
	uint64_t bytes = (present * cfg->struct_page + cfg->page_size - 1) &
			 ~((uint64_t)cfg->page_size - 1);
	g_autofree char *size = conf_format_size(bytes);
	g_autofree struct cmasim_range *taken = machdesc_areas_but(cfg, -1);
	uint64_t base;

	if (!cmasim_config_place_clear(cfg, cmasim_config_lowmem_zone(cfg), bytes, cfg->page_size,
				       taken, cfg->nr_cma, &base))
		return conf_fail_at(ld, memory->start_mark, CMASIM_ERROR_LAYOUT,
				    "no room for the memmap (%s) in lowmem", size);
	cfg->reserved[cfg->nr_reserved++] = (struct cmasim_hole){ base, bytes };
	return true;
}

/* kernel: the name of a profile (include/cmasim/kernel.h). */
static bool load_kernel(struct conf_loader *ld, const yaml_node_t *node, struct cmasim_config *cfg)
{
	g_autofree char *name = NULL;
	g_autoptr(GString) names = g_string_new(NULL);
	const struct cmasim_kernel *k;

	if (!conf_get_string(ld, node, "kernel", true, &name))
		return false;
	cfg->kernel = cmasim_kernel_find(name);
	if (cfg->kernel)
		return true;
	for (unsigned int i = 0; (k = cmasim_kernel_nth(i)); i++)
		g_string_append_printf(names, "%s%s", i ? ", " : "", k->name);
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "unknown kernel \"%s\" (expected one of %s)", name, names->str);
}

enum {
	TOP_NAME,
	TOP_DESCRIPTION,
	TOP_KERNEL,
	TOP_MEMORY,
	TOP_DEVICES,
	TOP_CMA,
	TOP_COSTS,
	TOP_CACHE,
	TOP_MMU,
	TOP_ATOMIC_POOL,
	TOP_POLICY,
	TOP_CPUS,
	TOP_INITIAL,
	NR_TOP_FIELDS,
};

static const struct conf_field_spec top_specs[NR_TOP_FIELDS] = {
	[TOP_NAME] = { "name", false },
	[TOP_DESCRIPTION] = { "description", false },
	[TOP_KERNEL] = { "kernel", false },
	[TOP_MEMORY] = { "memory", true },
	[TOP_DEVICES] = { "devices", false },
	[TOP_CMA] = { "cma", false },
	[TOP_COSTS] = { "costs", false },
	[TOP_CACHE] = { "cache", false },
	[TOP_MMU] = { "mmu", false },
	[TOP_ATOMIC_POOL] = { "atomic_pool", false },
	[TOP_POLICY] = { "policy", false },
	[TOP_CPUS] = { "cpus", false },
	[TOP_INITIAL] = { "initial", false },
};

/*
 * initial: the initial state's file, from the config's folder. Its bytes
 * go into the config's SHA-256, which names what a run started from.
 */
static bool load_initial(struct conf_loader *ld, const yaml_node_t *node, struct cmasim_config *cfg)
{
	g_autofree char *name = NULL, *dir = NULL, *state = NULL;
	g_autoptr(GError) err = NULL;
	struct cmasim_sha256 *sum;
	gsize len;

	if (!conf_get_string(ld, node, "initial", true, &name))
		return false;
	dir = g_path_get_dirname(ld->source);
	cfg->initial = g_path_is_absolute(name) ? g_strdup(name) : g_build_filename(dir, name, NULL);
	/* a device or a FIFO could be read for ever */
	if (!g_file_test(cfg->initial, G_FILE_TEST_IS_REGULAR))
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_IO, "initial state %s is not "
				    "a file (expected a file cmasim import wrote)", cfg->initial);
	if (!g_file_get_contents(cfg->initial, &state, &len, &err))
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_IO,
				    "initial state: %s (expected a file cmasim import wrote)",
				    err->message);
	sum = cmasim_sha256_new();
	cmasim_sha256_update(sum, cfg->sha256, strlen(cfg->sha256));
	cmasim_sha256_update(sum, state, len);
	g_free(cfg->sha256);
	cfg->sha256 = g_strdup(cmasim_sha256_hex(sum));
	cmasim_sha256_free(sum);
	return true;
}

/* Reads the document's top-level mapping @root (NULL for an empty document) into @cfg. */
static bool load_top(struct conf_loader *ld, const yaml_node_t *root, struct cmasim_config *cfg)
{
	struct conf_field f[NR_TOP_FIELDS];
	yaml_mark_t start = { 0 };

	if (!root)
		return conf_fail_at(ld, start, CMASIM_ERROR_TYPE,
				    "expected a mapping at the top level, got an empty document");
	if (root->type != YAML_MAPPING_NODE)
		return conf_fail_at(ld, root->start_mark, CMASIM_ERROR_TYPE,
				    "expected a mapping at the top level, got %s", conf_kind_name(root));
	if (!conf_collect_fields(ld, root, "the document", top_specs, NR_TOP_FIELDS, f))
		return false;
	if (f[TOP_NAME].value && !conf_get_string(ld, f[TOP_NAME].value, "name", true, &cfg->name))
		return false;
	if (f[TOP_DESCRIPTION].value &&
	    !conf_get_string(ld, f[TOP_DESCRIPTION].value, "description", false, &cfg->description))
		return false;
	/* before cma:, whose placement is one of the profile's rules */
	if (f[TOP_KERNEL].value && !load_kernel(ld, f[TOP_KERNEL].value, cfg))
		return false;
	/* memory: is checked whole, layout included, before devices: and costs: are read */
	if (!load_memory(ld, f[TOP_MEMORY].value, cfg))
		return false;
	if (f[TOP_DEVICES].value && !load_devices(ld, f[TOP_DEVICES].value, cfg))
		return false;
	if (f[TOP_CMA].value && !load_cma(ld, f[TOP_CMA].value, cfg))
		return false;
	if (cfg->struct_page && !place_memmap(ld, f[TOP_MEMORY].value, cfg))
		return false;
	if (f[TOP_COSTS].value && !load_costs(ld, f[TOP_COSTS].value, cfg))
		return false;
	if (f[TOP_CACHE].value && !conf_load_cache(ld, f[TOP_CACHE].value, cfg))
		return false;
	if (f[TOP_ATOMIC_POOL].value &&
	    !conf_get_size(ld, f[TOP_ATOMIC_POOL].value, "atomic_pool", &cfg->atomic_pool_size))
		return false;
	if (f[TOP_POLICY].value && !load_policy(ld, f[TOP_POLICY].value, cfg))
		return false;
	if (f[TOP_CPUS].value && !conf_get_uint(ld, f[TOP_CPUS].value, "cpus", 1, 4096, &cfg->cpus))
		return false;
	if (f[TOP_INITIAL].value && !load_initial(ld, f[TOP_INITIAL].value, cfg))
		return false;
	return !f[TOP_MMU].value || conf_load_mmu(ld, f[TOP_MMU].value, cfg);
}

struct cmasim_config *cmasim_config_load_data(const char *source, const char *data,
					      size_t len, GError **error)
{
	g_auto(yaml_parser_t) parser = { 0 };
	g_auto(yaml_document_t) doc = { 0 };
	struct conf_loader ld = { .source = source, .doc = &doc, .error = error };
	struct cmasim_config *cfg = NULL;

	g_return_val_if_fail(source != NULL, NULL);
	g_return_val_if_fail(data != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	/* libyaml asserts on a NULL input even when it is empty */
	if (!data)
		data = "";
	if (!conf_load_document(&ld, data, len, &parser))
		goto fail;

	cfg = g_new0(struct cmasim_config, 1);
	cfg->source = g_strdup(source);
	cfg->sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
	cfg->kernel = cmasim_kernel_default();
	cfg->page_size = DEFAULT_PAGE_SIZE;
	cfg->max_page_order = DEFAULT_MAX_PAGE_ORDER;
	cfg->atomic_pool_size = DEFAULT_ATOMIC_POOL_SIZE;
	for (size_t i = 0; i < NR_COST_FIELDS; i++)
		*cost_slot(cfg, i) = cost_fields[i].default_ns;
	cfg->cache = (struct cmasim_cache_config){
		.size = 32 * 1024, .ways = 4, .line_size = 64, .indexing = CMASIM_CACHE_PIPT,
		.write_back = true, .write_allocate = true, .prefetcher = CMASIM_PREFETCH_NONE,
		.prefetch_degree = 1, .spec_window = 4096, .spec_rate_ppm = 0,
	};
	cfg->mmu = (struct cmasim_mmu_config){
		.section_size = 1024 * 1024, .tlb_page_entries = 32, .tlb_section_entries = 32,
	};
	if (!load_top(&ld, yaml_document_get_root_node(&doc), cfg))
		goto fail;
	if (!cfg->name)
		cfg->name = conf_default_name(source);
	conf_loader_clear(&ld);
	return cfg;

fail:
	conf_loader_clear(&ld);
	cmasim_config_free(cfg);
	return NULL;
}

struct cmasim_config *cmasim_config_load_file(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	size_t len = 0;

	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!conf_read_file(path, CONF_MAX_FILE_BYTES, &data, &len, error))
		return NULL;
	return cmasim_config_load_data(path, data, len, error);
}

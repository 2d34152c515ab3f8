// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPU side of a machine config: its data cache (cache:) and its MMU
 * and TLB (mmu:). Geometry is checked here, at load, so that a bad value
 * is reported at its line and column rather than when a run starts.
 */
#include <inttypes.h>

#include "cmasim/units.h"
#include "config_cpu.h"

static const char *const indexing_names[] = { "pipt", "vipt", "vivt", NULL };
static const char *const prefetcher_names[] = { "none", "next-line", "stride", "speculative",
						NULL };

const char *cmasim_cache_indexing_name(enum cmasim_cache_indexing indexing)
{
	g_return_val_if_fail(indexing <= CMASIM_CACHE_VIVT, "?");
	return indexing_names[indexing];
}

const char *cmasim_prefetcher_name(enum cmasim_prefetcher prefetcher)
{
	g_return_val_if_fail(prefetcher <= CMASIM_PREFETCH_SPECULATIVE, "?");
	return prefetcher_names[prefetcher];
}

enum {
	CACHE_SIZE,
	CACHE_WAYS,
	CACHE_LINE,
	CACHE_INDEXING,
	CACHE_WRITE,
	CACHE_WRITE_ALLOCATE,
	CACHE_PREFETCHER,
	CACHE_PREFETCH_DEGREE,
	CACHE_SPEC_WINDOW,
	CACHE_SPEC_RATE,
	CACHE_UNCACHED_HITS,
	NR_CACHE_FIELDS,
};

static const struct conf_field_spec cache_specs[NR_CACHE_FIELDS] = {
	[CACHE_SIZE] = { "size", false },
	[CACHE_WAYS] = { "ways", false },
	[CACHE_LINE] = { "line", false },
	[CACHE_INDEXING] = { "indexing", false },
	[CACHE_WRITE] = { "write", false },
	[CACHE_WRITE_ALLOCATE] = { "write_allocate", false },
	[CACHE_PREFETCHER] = { "prefetcher", false },
	[CACHE_PREFETCH_DEGREE] = { "prefetch_degree", false },
	[CACHE_SPEC_WINDOW] = { "speculation_window", false },
	[CACHE_SPEC_RATE] = { "speculation_rate", false },
	[CACHE_UNCACHED_HITS] = { "uncached_hits", false },
};

/* Reads one of @names (NULL-terminated) from @node as its index; false with an error. */
static bool get_choice(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		       const char *const *names, unsigned int *out)
{
	g_autoptr(GString) expected = g_string_new(NULL);
	g_autofree char *text = NULL;

	if (!conf_expect_kind(ld, node, YAML_SCALAR_NODE, path))
		return false;
	for (unsigned int i = 0; names[i]; i++) {
		if (conf_scalar_is(node, names[i])) {
			*out = i;
			return true;
		}
		g_string_append_printf(expected, "%s%s", i ? (names[i + 1] ? ", " : " or ") : "",
				       names[i]);
	}
	text = conf_quote(node);
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE, "expected %s, got \"%s\"",
			    expected->str, text);
}

/* Reads a rate from 0 to 1 in millionths ("0.05" is 50000); false with an error. */
static bool get_rate_ppm(struct conf_loader *ld, const yaml_node_t *node, const char *path,
			 uint32_t *ppm)
{
	g_autofree char *text = NULL;

	if (!conf_expect_kind(ld, node, YAML_SCALAR_NODE, path))
		return false;
	if (cmasim_parse_rate_ppm(CONF_SCALAR_TEXT(node), ppm))
		return true;
	text = conf_quote(node);
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "expected a rate from 0 to 1 with at most 6 decimals, got \"%s\"", text);
}

bool conf_load_cache(struct conf_loader *ld, const yaml_node_t *node, struct cmasim_config *cfg)
{
	static const char *const write[] = { "back", "through", NULL };
	struct cmasim_cache_config *c = &cfg->cache;
	struct conf_field f[NR_CACHE_FIELDS];
	unsigned int choice;
	uint64_t v;

	if (!conf_expect_kind(ld, node, YAML_MAPPING_NODE, "cache") ||
	    !conf_collect_fields(ld, node, "cache", cache_specs, NR_CACHE_FIELDS, f))
		return false;
	if (f[CACHE_SIZE].value &&
	    !conf_get_pow2_size(ld, f[CACHE_SIZE].value, "cache.size", 1024, UINT64_C(1) << 30,
				&c->size))
		return false;
	if (f[CACHE_WAYS].value) {
		if (!conf_get_uint(ld, f[CACHE_WAYS].value, "cache.ways", 1, 64, &v))
			return false;
		c->ways = (unsigned int)v;
	}
	if (f[CACHE_LINE].value) {
		if (!conf_get_pow2_size(ld, f[CACHE_LINE].value, "cache.line", 16, 4096, &v))
			return false;
		c->line_size = (unsigned int)v;
	}
	if (f[CACHE_INDEXING].value) {
		if (!get_choice(ld, f[CACHE_INDEXING].value, "cache.indexing", indexing_names, &choice))
			return false;
		c->indexing = (enum cmasim_cache_indexing)choice;
	}
	if (f[CACHE_WRITE].value) {
		if (!get_choice(ld, f[CACHE_WRITE].value, "cache.write", write, &choice))
			return false;
		c->write_back = choice == 0;
	}
	if (f[CACHE_WRITE_ALLOCATE].value &&
	    !conf_get_bool(ld, f[CACHE_WRITE_ALLOCATE].value, "cache.write_allocate",
			   &c->write_allocate))
		return false;
	if (f[CACHE_PREFETCHER].value) {
		if (!get_choice(ld, f[CACHE_PREFETCHER].value, "cache.prefetcher", prefetcher_names,
				&choice))
			return false;
		c->prefetcher = (enum cmasim_prefetcher)choice;
	}
	if (f[CACHE_PREFETCH_DEGREE].value) {
		if (!conf_get_uint(ld, f[CACHE_PREFETCH_DEGREE].value, "cache.prefetch_degree", 1,
				   64, &v))
			return false;
		c->prefetch_degree = (unsigned int)v;
	}
	if (f[CACHE_SPEC_WINDOW].value &&
	    !conf_get_size(ld, f[CACHE_SPEC_WINDOW].value, "cache.speculation_window",
			   &c->spec_window))
		return false;
	if (f[CACHE_SPEC_RATE].value &&
	    !get_rate_ppm(ld, f[CACHE_SPEC_RATE].value, "cache.speculation_rate", &c->spec_rate_ppm))
		return false;
	if (f[CACHE_UNCACHED_HITS].value &&
	    !conf_get_bool(ld, f[CACHE_UNCACHED_HITS].value, "cache.uncached_hits",
			   &c->uncached_hits))
		return false;
	/* the whole geometry: ways x sets x line, with a power-of-two number of sets */
	if ((uint64_t)c->ways * c->line_size > c->size ||
	    (c->size / c->line_size) % c->ways ||
	    ((c->size / c->line_size / c->ways) & (c->size / c->line_size / c->ways - 1))) {
		g_autofree char *size = conf_format_size(c->size);

		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_LAYOUT,
				    "a cache of %s with %u ways of %u-byte lines has no whole, "
				    "power-of-two number of sets", size, c->ways, c->line_size);
	}
	return true;
}

enum { MMU_SECTION_SIZE, MMU_TLB_PAGE, MMU_TLB_SECTION, NR_MMU_FIELDS };

static const struct conf_field_spec mmu_specs[NR_MMU_FIELDS] = {
	[MMU_SECTION_SIZE] = { "section_size", false },
	[MMU_TLB_PAGE] = { "tlb_page_entries", false },
	[MMU_TLB_SECTION] = { "tlb_section_entries", false },
};

bool conf_load_mmu(struct conf_loader *ld, const yaml_node_t *node, struct cmasim_config *cfg)
{
	struct cmasim_mmu_config *m = &cfg->mmu;
	struct conf_field f[NR_MMU_FIELDS];
	uint64_t v;

	if (!conf_expect_kind(ld, node, YAML_MAPPING_NODE, "mmu") ||
	    !conf_collect_fields(ld, node, "mmu", mmu_specs, NR_MMU_FIELDS, f))
		return false;
	/* a section maps whole pages and is at most a pageblock-aligned 1 GiB block */
	if (f[MMU_SECTION_SIZE].value &&
	    !conf_get_pow2_size(ld, f[MMU_SECTION_SIZE].value, "mmu.section_size",
				(uint64_t)cfg->page_size * 2, UINT64_C(1) << 30, &m->section_size))
		return false;
	if (f[MMU_TLB_PAGE].value) {
		if (!conf_get_uint(ld, f[MMU_TLB_PAGE].value, "mmu.tlb_page_entries", 1, 4096, &v))
			return false;
		m->tlb_page_entries = (unsigned int)v;
	}
	if (f[MMU_TLB_SECTION].value) {
		if (!conf_get_uint(ld, f[MMU_TLB_SECTION].value, "mmu.tlb_section_entries", 1, 4096,
				   &v))
			return false;
		m->tlb_section_entries = (unsigned int)v;
	}
	return true;
}

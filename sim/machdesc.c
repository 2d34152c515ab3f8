// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine description, struct cmasim_config, and what the model, the
 * policies and the importer ask of it: zone and role names, where lowmem
 * ends, which zone holds a range, where memblock would place a boot-time
 * reservation or a CMA area, devices by name or role; and what a run
 * changes in one (its kernel, its lowmem limit), copying and freeing.
 *
 * Apart from the YAML reader (config.c), which builds a description from
 * a file, so that code that only queries one does not need the reader.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cmasim/config.h"
#include "cmasim/error.h"
#include "machdesc.h"

static const char *const zone_names[CMASIM_NR_ZONE_TYPES] = {
	[CMASIM_ZONE_DMA] = "DMA",
	[CMASIM_ZONE_DMA32] = "DMA32",
	[CMASIM_ZONE_NORMAL] = "Normal",
	[CMASIM_ZONE_HIGHMEM] = "HighMem",
	[CMASIM_ZONE_MOVABLE] = "Movable",
};

const char *cmasim_zone_type_name(enum cmasim_zone_type type)
{
	g_return_val_if_fail((unsigned int)type < CMASIM_NR_ZONE_TYPES, NULL);
	return zone_names[type];
}

uint64_t cmasim_config_lowmem_end(const struct cmasim_config *cfg)
{
	/* the linear map ends at the first HighMem zone: nothing after it is lowmem */
	for (unsigned int z = 0; z < cfg->nr_zones; z++)
		if (cfg->zones[z].type == CMASIM_ZONE_HIGHMEM)
			return cfg->zones[z].start;
	return cfg->mem_base + cfg->mem_size;
}

uint64_t cmasim_config_ram_bytes(const struct cmasim_config *cfg, uint64_t start, uint64_t end)
{
	uint64_t bytes = end - start;

	/* a hole has no pages, so none of it counts */
	for (unsigned int i = 0; i < cfg->nr_holes; i++) {
		uint64_t lo = MAX(cfg->holes[i].start, start);
		uint64_t hi = MIN(cfg->holes[i].start + cfg->holes[i].size, end);

		if (lo < hi)
			bytes -= hi - lo;
	}
	return bytes;
}

static const char *const role_names[CMASIM_NR_ROLES] = {
	[CMASIM_ROLE_CAMERA] = "camera",
	[CMASIM_ROLE_DISPLAY] = "display",
	[CMASIM_ROLE_CODEC] = "codec",
	[CMASIM_ROLE_GPU] = "gpu",
	[CMASIM_ROLE_NIC] = "nic",
	[CMASIM_ROLE_LEGACY_DMA] = "legacy-dma",
	[CMASIM_ROLE_USB] = "usb",
};

const char *cmasim_role_name(enum cmasim_role role)
{
	g_return_val_if_fail((unsigned int)role < CMASIM_NR_ROLES, NULL);
	return role_names[role];
}

int cmasim_role_lookup(const char *name, size_t len)
{
	for (int r = 0; r < CMASIM_NR_ROLES; r++)
		if (strlen(role_names[r]) == len && !memcmp(role_names[r], name, len))
			return r;
	return -1;
}

enum cmasim_zone_type cmasim_config_lowmem_zone(const struct cmasim_config *cfg)
{
	enum cmasim_zone_type type = cfg->zones[0].type;

	for (unsigned int z = 0; z < cfg->nr_zones && cfg->zones[z].type < CMASIM_ZONE_HIGHMEM; z++)
		type = cfg->zones[z].type;
	return type;
}

enum cmasim_zone_type cmasim_config_zone_of(const struct cmasim_config *cfg, uint64_t base,
					    uint64_t size)
{
	for (unsigned int z = 0; z < cfg->nr_zones; z++) {
		const struct cmasim_zone_config *zc = &cfg->zones[z];

		if (base >= zc->start && base < zc->end)
			return size <= zc->end - base ? zc->type : CMASIM_NR_ZONE_TYPES;
	}
	return CMASIM_NR_ZONE_TYPES;
}

/* Whether a hole, reserved or taken range overlaps [@base, @base + @size); *@hit gets the first. */
bool machdesc_overlap(const struct cmasim_config *cfg, uint64_t base, uint64_t size,
		      const struct cmasim_range *taken, unsigned int nr_taken,
		      struct cmasim_range *hit)
{
	for (unsigned int i = 0; i < cfg->nr_holes; i++) {
		const struct cmasim_hole *h = &cfg->holes[i];

		if (h->start < base + size && base < h->start + h->size) {
			*hit = (struct cmasim_range){ h->start, h->size };
			return true;
		}
	}
	for (unsigned int i = 0; i < cfg->nr_reserved; i++) {
		const struct cmasim_hole *r = &cfg->reserved[i];

		if (r->start < base + size && base < r->start + r->size) {
			*hit = (struct cmasim_range){ r->start, r->size };
			return true;
		}
	}
	for (unsigned int i = 0; i < nr_taken; i++) {
		const struct cmasim_range *t = &taken[i];

		if (t->size && t->base < base + size && base < t->base + t->size) {
			*hit = *t;
			return true;
		}
	}
	return false;
}

bool cmasim_config_place_clear(const struct cmasim_config *cfg, enum cmasim_zone_type zone,
			       uint64_t size, uint64_t alignment, const struct cmasim_range *taken,
			       unsigned int nr_taken, uint64_t *base)
{
	for (unsigned int z = 0; z < cfg->nr_zones; z++) {
		const struct cmasim_zone_config *zc = &cfg->zones[z];
		uint64_t end = zc->end;
		struct cmasim_range hit;

		if (zc->type != zone)
			continue;
		/* memblock_alloc_range_nid() is top-down: the highest free fit wins */
		while (size && size <= end - zc->start) {
			uint64_t at = (end - size) & ~(alignment - 1);

			if (at < zc->start)
				break;
			if (!machdesc_overlap(cfg, at, size, taken, nr_taken, &hit)) {
				*base = at;
				return true;
			}
			end = hit.base;
		}
		return false;
	}
	return false;
}

/* The ranges of @cfg's areas, @skip's (-1: none) left empty; g_free() it. */
struct cmasim_range *machdesc_areas_but(const struct cmasim_config *cfg, int skip)
{
	struct cmasim_range *taken = g_new0(struct cmasim_range, cfg->nr_cma + 1);

	for (unsigned int i = 0; i < cfg->nr_cma; i++)
		if ((int)i != skip)
			taken[i] = (struct cmasim_range){ cfg->cma[i].base, cfg->cma[i].size };
	return taken;
}

/*
 * memblock bottom-up: the lowest @size bytes aligned to @alignment at or
 * above @from in the first zone of type @zone, clear of holes and @taken.
 */
static bool place_bottom_up(const struct cmasim_config *cfg, enum cmasim_zone_type zone,
			    uint64_t size, uint64_t alignment, const struct cmasim_range *taken,
			    unsigned int nr_taken, uint64_t from, uint64_t *base)
{
	for (unsigned int z = 0; z < cfg->nr_zones; z++) {
		const struct cmasim_zone_config *zc = &cfg->zones[z];
		uint64_t at = MAX(zc->start, from);
		struct cmasim_range hit;

		if (zc->type != zone)
			continue;
		for (;;) {
			at = (at + alignment - 1) & ~(alignment - 1);
			if (at >= zc->end || size > zc->end - at)
				return false;
			if (!machdesc_overlap(cfg, at, size, taken, nr_taken, &hit)) {
				*base = at;
				return true;
			}
			at = hit.base + hit.size;
		}
	}
	return false;
}

/* Where cma_declare_contiguous_nid() puts an area that is not fixed, by @cfg's kernel. */
static bool place_area(const struct cmasim_config *cfg, enum cmasim_zone_type zone, uint64_t size,
		       uint64_t alignment, const struct cmasim_range *taken, unsigned int nr_taken,
		       uint64_t *base)
{
	const uint64_t four_gib = UINT64_C(1) << 32;

	/*
	 * cma_declare_contiguous_nid() (5.10 era): "try a bottom-up
	 * allocation first" from 4 GiB, clear of DMA and DMA32, where RAM
	 * ends at least @size above it, so that compaction moves pages out
	 * of the area and not into it.
	 */
	if (cfg->kernel->cma_bottom_up && cfg->mem_base + cfg->mem_size >= four_gib + size &&
	    place_bottom_up(cfg, zone, size, alignment, taken, nr_taken, four_gib, base))
		return true;
	return cmasim_config_place_clear(cfg, zone, size, alignment, taken, nr_taken, base);
}

bool cmasim_config_place_cma(const struct cmasim_config *cfg, enum cmasim_zone_type zone,
			     uint64_t size, uint64_t alignment, int skip, uint64_t *base)
{
	g_autofree struct cmasim_range *taken = machdesc_areas_but(cfg, skip);

	return place_area(cfg, zone, size, alignment, taken, cfg->nr_cma, base);
}

int cmasim_config_device(const struct cmasim_config *cfg, const char *name)
{
	unsigned int i;

	g_return_val_if_fail(cfg != NULL && name != NULL, -1);

	for (i = 0; i < cfg->nr_devices; i++) {
		if (!strcmp(cfg->devices[i].name, name))
			return (int)i;
	}
	return -1;
}

int cmasim_config_resolve_device(const struct cmasim_config *cfg, const char *name, size_t len)
{
	int role;

	g_return_val_if_fail(cfg != NULL && name != NULL, -1);

	for (unsigned int i = 0; i < cfg->nr_devices; i++)
		if (strlen(cfg->devices[i].name) == len && !memcmp(cfg->devices[i].name, name, len))
			return (int)i;
	role = cmasim_role_lookup(name, len);
	for (unsigned int i = 0; role >= 0 && i < cfg->nr_devices; i++)
		if (cfg->devices[i].roles & (UINT32_C(1) << role))
			return (int)i;
	return -1;
}

void cmasim_config_free(struct cmasim_config *cfg)
{
	unsigned int i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nr_devices; i++)
		g_free(cfg->devices[i].name);
	g_free(cfg->devices);
	for (i = 0; i < cfg->nr_cma; i++)
		g_free(cfg->cma[i].name);
	g_free(cfg->cma);
	g_free(cfg->source);
	g_free(cfg->name);
	g_free(cfg->description);
	g_free(cfg->sha256);
	g_free(cfg->initial);
	g_free(cfg->holes);
	g_free(cfg->reserved);
	for (i = 0; i < cfg->nr_policy_settings; i++) {
		g_free(cfg->policy_settings[i].key);
		g_free(cfg->policy_settings[i].value);
	}
	g_free(cfg->policy_settings);
	g_free(cfg);
}

struct cmasim_config *cmasim_config_dup(const struct cmasim_config *cfg)
{
	struct cmasim_config *copy = g_memdup2(cfg, sizeof(*cfg));

	copy->source = g_strdup(cfg->source);
	copy->name = g_strdup(cfg->name);
	copy->description = g_strdup(cfg->description);
	copy->sha256 = g_strdup(cfg->sha256);
	copy->initial = g_strdup(cfg->initial);
	copy->holes = g_memdup2(cfg->holes, cfg->nr_holes * sizeof(*cfg->holes));
	copy->reserved = g_memdup2(cfg->reserved, cfg->nr_reserved * sizeof(*cfg->reserved));
	copy->devices = g_memdup2(cfg->devices, cfg->nr_devices * sizeof(*cfg->devices));
	for (unsigned int i = 0; i < cfg->nr_devices; i++)
		copy->devices[i].name = g_strdup(cfg->devices[i].name);
	copy->cma = g_memdup2(cfg->cma, cfg->nr_cma * sizeof(*cfg->cma));
	for (unsigned int i = 0; i < cfg->nr_cma; i++)
		copy->cma[i].name = g_strdup(cfg->cma[i].name);
	copy->policy_settings = g_memdup2(cfg->policy_settings,
					  cfg->nr_policy_settings * sizeof(*cfg->policy_settings));
	for (unsigned int i = 0; i < cfg->nr_policy_settings; i++) {
		copy->policy_settings[i].key = g_strdup(cfg->policy_settings[i].key);
		copy->policy_settings[i].value = g_strdup(cfg->policy_settings[i].value);
	}
	return copy;
}

bool cmasim_config_set_kernel(struct cmasim_config *cfg, const struct cmasim_kernel *kernel,
			      GError **error)
{
	g_autofree struct cmasim_range *taken = g_new0(struct cmasim_range, cfg->nr_cma);

	cfg->kernel = kernel;
	/* in file order, each clear of the fixed ones and of those placed before it */
	for (unsigned int i = 0; i < cfg->nr_cma; i++)
		if (cfg->cma[i].fixed)
			taken[i] = (struct cmasim_range){ cfg->cma[i].base, cfg->cma[i].size };
	for (unsigned int i = 0; i < cfg->nr_cma; i++) {
		struct cmasim_cma_config *a = &cfg->cma[i];

		if (a->fixed)
			continue;
		if (!place_area(cfg, a->zone, a->size, a->alignment, taken, cfg->nr_cma, &a->base)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
				    "CMA area %s: no room for %" PRIu64 " MiB in zone %s under kernel %s",
				    a->name, a->size >> 20, zone_names[a->zone], kernel->name);
			return false;
		}
		taken[i] = (struct cmasim_range){ a->base, a->size };
	}
	return true;
}

bool cmasim_config_64bit(const struct cmasim_config *cfg)
{
	uint64_t limit = cmasim_config_lowmem_end(cfg);

	/* a 32-bit linear map ends by vmalloc_min: 768 MiB under the default 240 MiB vmalloc= */
	return limit == cfg->mem_base + cfg->mem_size &&
	       (limit > UINT64_C(1) << 32 || limit - cfg->mem_base > UINT64_C(768) << 20);
}

void cmasim_config_set_lowmem_limit(struct cmasim_config *cfg, uint64_t limit)
{
	struct cmasim_zone_config zones[CMASIM_NR_ZONE_TYPES];
	uint64_t old = cmasim_config_lowmem_end(cfg), ram_end = cfg->mem_base + cfg->mem_size;
	unsigned int n = 0;
	bool highmem_done = false;

	g_return_if_fail(limit > cfg->mem_base && limit <= old &&
			 !(limit & (cmasim_config_pageblock_bytes(cfg) - 1)));
	for (unsigned int z = 0; z < cfg->nr_zones; z++) {
		struct cmasim_zone_config zc = cfg->zones[z];

		if (zc.end <= old) {
			/* a lowmem zone: what lies above the limit goes to HighMem */
			zc.end = MIN(zc.end, limit);
			if (zc.start < zc.end)
				zones[n++] = zc;
			if (cfg->zones[z].end == old && old == ram_end)
				zones[n++] = (struct cmasim_zone_config){ CMASIM_ZONE_HIGHMEM, limit,
									  ram_end };
			continue;
		}
		if (zc.type == CMASIM_ZONE_HIGHMEM && !highmem_done)
			zc.start = limit;
		highmem_done |= zc.type == CMASIM_ZONE_HIGHMEM;
		zones[n++] = zc;
	}
	memcpy(cfg->zones, zones, sizeof(zones));
	cfg->nr_zones = n;
	cfg->lowmem_size = cmasim_config_ram_bytes(cfg, cfg->mem_base, limit);
	/* an area keeps its place, and takes the zone that now holds it */
	for (unsigned int i = 0; i < cfg->nr_cma; i++)
		cfg->cma[i].zone = cmasim_config_zone_of(cfg, cfg->cma[i].base, cfg->cma[i].size);
}

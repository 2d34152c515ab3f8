// SPDX-License-Identifier: GPL-2.0-only
/*
 * CMA areas for the CMA-based policies: see cma_areas.h. Areas follow
 * kernel/dma/contiguous.c: the machine's reserved-memory nodes, each
 * device's own area or the default one (dma_contiguous_default_area),
 * and cma_alloc() aligned as dma_alloc_from_contiguous() asks.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cma_areas.h"
#include "cmasim/error.h"
#include "cmasim/units.h"
#include "policies.h"

/* CONFIG_CMA_SIZE_MBYTES: the default area when the machine declares none. */
#define DEFAULT_AREA_SIZE (UINT64_C(16) << 20)

/* Index of @cfg's shared area, or -1 when it declares none. */
static int shared_area(const struct cmasim_config *cfg)
{
	int shared = -1;

	for (unsigned int i = 0; i < cfg->nr_cma; i++)
		if (cfg->cma[i].shared)
			shared = (int)i;
	return shared;
}

bool cma_areas_place_shared(const struct cmasim_config *cfg, const struct cma_areas_params *p,
			    const char *what, struct cmasim_cma_config *out, GError **error)
{
	uint64_t pb_bytes = (uint64_t)cfg->page_size << cfg->pageblock_order;
	int shared = shared_area(cfg);
	char text[32];

	if (shared >= 0)
		*out = cfg->cma[shared];
	else
		*out = (struct cmasim_cma_config){ .name = (char *)"reserved", .alignment = pb_bytes,
						   .size = DEFAULT_AREA_SIZE, .shared = true };
	/* mm/cma.c: cma_declare_contiguous_nid() rounds the size up to the alignment */
	if (p->size)
		out->size = (p->size + MAX(out->alignment, pb_bytes) - 1) &
			    ~(MAX(out->alignment, pb_bytes) - 1);
	if (shared < 0 || p->size)
		out->order_per_bit = p->order_per_bit;
	if (p->base) {
		out->base = p->base;
		return true;
	}
	if (shared >= 0 && !p->size && !p->force_zone)
		return true;
	out->zone = shared >= 0 && !p->force_zone ? cfg->cma[shared].zone : p->zone;
	if (cmasim_config_place_cma(cfg, out->zone, out->size, out->alignment, shared, &out->base))
		return true;
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT, "%s %s: no room for %s in zone %s",
		    what, out->name, cmasim_format_size(out->size, text),
		    cmasim_zone_type_name(out->zone));
	return false;
}

/* Whether some device of @cfg has no area of its own. */
static bool some_device_shares(const struct cmasim_config *cfg)
{
	for (unsigned int d = 0; d < cfg->nr_devices; d++)
		if (cfg->devices[d].cma_area < 0)
			return true;
	return false;
}

/*
 * The default area exists when the machine declares one, or declares none,
 * or @p sizes it; with per_device, while some device is left to share it.
 */
static bool wants_shared(const struct cmasim_config *cfg, const struct cma_areas_params *p)
{
	if (p->per_device)
		return some_device_shares(cfg);
	return shared_area(cfg) >= 0 || !cfg->nr_cma || p->size || p->base;
}

/* The parameters @values give, for areas placed in @zone (every one of them if @force_zone). */
static struct cma_areas_params params_of(const struct cmasim_param_values *values,
					 enum cmasim_zone_type zone, bool force_zone)
{
	return (struct cma_areas_params){
		.size = values->value[CMA_PARAM_SIZE],
		.base = values->value[CMA_PARAM_BASE],
		.zone = zone,
		.force_zone = force_zone,
		.order_per_bit = (unsigned int)MIN(values->value[CMA_PARAM_ORDER_PER_BIT], 63),
		.align_max = (unsigned int)MIN(values->value[CMA_PARAM_ALIGN_MAX], 63),
		.fallback = values->value[CMA_PARAM_FALLBACK],
		.per_device = values->value[CMA_PARAM_PER_DEVICE],
		.per_device_text = values->text[CMA_PARAM_PER_DEVICE],
	};
}

/* @bytes rounded up to whole pageblocks of @pb_bytes; a size near 2^64 stays too large to place. */
static uint64_t pageblocks_up(uint64_t bytes, uint64_t pb_bytes)
{
	return (bytes > UINT64_MAX - (pb_bytes - 1) ? UINT64_MAX : bytes + pb_bytes - 1) &
	       ~(pb_bytes - 1);
}

/* The shared area's bytes: size= in whole pageblocks, else the machine's, else the default. */
static uint64_t shared_size(const struct cmasim_config *cfg, const struct cma_areas_params *p)
{
	uint64_t pb_bytes = (uint64_t)cfg->page_size << cfg->pageblock_order;
	int shared = shared_area(cfg);

	return p->size ? pageblocks_up(p->size, pb_bytes) :
	       shared >= 0 ? cfg->cma[shared].size : DEFAULT_AREA_SIZE;
}

int cma_areas_boot_params(struct cmasim_config *cfg, const struct cmasim_param_values *values,
			  GError **error)
{
	struct cma_areas_params p = params_of(values, cmasim_config_lowmem_zone(cfg), false);
	uint64_t pb_bytes = (uint64_t)cfg->page_size << cfg->pageblock_order;
	int shared = shared_area(cfg);
	bool sharing = false;

	if (!p.per_device)
		return 0;
	g_autofree uint64_t *sizes = g_new(uint64_t, MAX(cfg->nr_devices, 1));

	if (!cma_per_device_sizes(cfg, p.per_device_text, shared_size(cfg, &p), sizes, error))
		return -1;
	for (unsigned int d = 0; d < cfg->nr_devices; d++)
		sharing |= cfg->devices[d].cma_area < 0 && !sizes[d];
	if (p.base && !sharing) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "base= places the shared CMA area, and per_device=%s leaves none",
			    p.per_device_text);
		return -1;
	}
	/* the shared area gives way to reserved-memory nodes when nobody is left to share it */
	if (shared >= 0 && !sharing) {
		g_free(cfg->cma[shared].name);
		memmove(&cfg->cma[shared], &cfg->cma[shared + 1],
			(cfg->nr_cma - (unsigned int)shared - 1) * sizeof(*cfg->cma));
		cfg->nr_cma--;
		for (unsigned int d = 0; d < cfg->nr_devices; d++)
			if (cfg->devices[d].cma_area > shared)
				cfg->devices[d].cma_area--;
	}
	for (unsigned int d = 0; d < cfg->nr_devices; d++) {
		struct cmasim_cma_config *a;

		if (!sizes[d])
			continue;
		cfg->cma = g_renew(struct cmasim_cma_config, cfg->cma, cfg->nr_cma + 1);
		a = &cfg->cma[cfg->nr_cma];
		*a = (struct cmasim_cma_config){ .name = g_strdup(cfg->devices[d].name),
						 .size = sizes[d], .alignment = pb_bytes,
						 .zone = p.zone, .order_per_bit = p.order_per_bit };
		/* counted before placing, so that the new area frees its name with the config */
		cfg->nr_cma++;
		if (!cmasim_config_place_cma(cfg, p.zone, sizes[d], pb_bytes, (int)cfg->nr_cma - 1,
					     &a->base)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
				    "CMA area %s: no room for %" PRIu64 " MiB in zone %s (one per "
				    "device: shrink them with --set size= or per_device=)", a->name,
				    sizes[d] >> 20, cmasim_zone_type_name(p.zone));
			return -1;
		}
		cfg->devices[d].cma_area = (int)cfg->nr_cma - 1;
	}
	return 0;
}

uint64_t cma_areas_span(const struct cmasim_config *cfg, const struct cmasim_param_values *values)
{
	struct cma_areas_params p = params_of(values, CMASIM_ZONE_NORMAL, false);
	uint64_t span = 0;
	int shared = shared_area(cfg);

	for (unsigned int i = 0; i < cfg->nr_cma; i++)
		if ((int)i != shared)
			span += (cfg->cma[i].size + cfg->cma[i].alignment - 1) &
				~(cfg->cma[i].alignment - 1);
	if (wants_shared(cfg, &p))
		span += shared_size(cfg, &p);
	return span;
}

/* True if [@a, @a + @na) and [@b, @b + @nb) share a byte. */
static bool overlaps(uint64_t a, uint64_t na, uint64_t b, uint64_t nb)
{
	return a < b + nb && b < a + na;
}

static void areas_destroy(struct cma_areas *areas);

/*
 * The areas' configs: the machine's, the shared one as @p has it, and
 * with @p->force_zone every other one outside @p->zone moved into it,
 * placed after those that stay, clear of them and of each other.
 * Returns false with @error when a moved area finds no room.
 */
static bool areas_layout(const struct cmasim_config *cfg, const struct cma_areas_params *p,
			 const struct cmasim_cma_config *shared_cfg, int shared,
			 struct cmasim_cma_config *a, struct cmasim_range *placed, unsigned int n,
			 GError **error)
{
	for (unsigned int i = 0; i < n; i++) {
		a[i] = (int)i == shared ? *shared_cfg : cfg->cma[i];
		if ((int)i == shared || !p->force_zone || a[i].zone == p->zone)
			placed[i] = (struct cmasim_range){ a[i].base, a[i].size };
	}
	for (unsigned int i = 0; i < n; i++) {
		if (placed[i].size)
			continue;
		if (!cmasim_config_place_clear(cfg, p->zone, a[i].size, a[i].alignment, placed, n,
					       &a[i].base)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
				    "CMA area %s: no room for %" PRIu64 " MiB in zone %s", a[i].name,
				    a[i].size >> 20, cmasim_zone_type_name(p->zone));
			return false;
		}
		a[i].zone = p->zone;
		placed[i] = (struct cmasim_range){ a[i].base, a[i].size };
	}
	return true;
}

/*
 * The carve-out of @p->fallback bytes at the top of lowmem, below the
 * areas (@placed, @n of them) as memblock puts a later reservation.
 * Returns 0, or -1 with @error.
 */
static int fallback_init(struct cmasim_sim *sim, const struct cma_areas_params *p,
			 const struct cmasim_range *placed, unsigned int n, struct cma_areas *areas,
			 GError **error)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	uint64_t pb_bytes = (uint64_t)cfg->page_size << cfg->pageblock_order;
	uint64_t size = pageblocks_up(p->fallback, pb_bytes), base, pfn, pages;
	enum cmasim_zone_type zone = cmasim_config_lowmem_zone(cfg);
	char text[32];

	if (!cmasim_config_place_clear(cfg, zone, size, pb_bytes, placed, n, &base)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
			    "fallback carve-out: no room for %s in zone %s clear of the CMA areas",
			    cmasim_format_size(size, text), cmasim_zone_type_name(zone));
		return -1;
	}
	if (policy_reserve_range(sim, "fallback carve-out", base, size, &pfn, &pages, error))
		return -1;
	areas->fallback = carve_new(sim, pfn, pages, p->align_max);
	return 0;
}

/*
 * Declares the areas on @sim's machine, and the fallback carve-out if @p
 * asks for one. Returns 0, or -1 with @error when an area does not fit or
 * overlaps another.
 */
static int areas_init(struct cmasim_sim *sim, const struct cma_areas_params *p,
		      struct cma_areas *areas, GError **error)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct cmasim_cma_config shared_cfg;
	int shared = shared_area(cfg);
	unsigned int n = cfg->nr_cma;
	bool want_shared = wants_shared(cfg, p);

	if (want_shared && !cma_areas_place_shared(cfg, p, "CMA area", &shared_cfg, error))
		return -1;
	if (want_shared && shared < 0)
		shared = (int)n++;

	g_autofree struct cmasim_cma_config *a = g_new(struct cmasim_cma_config, n);
	g_autofree struct cmasim_range *placed = g_new0(struct cmasim_range, n);

	*areas = (struct cma_areas){ .align_max = p->align_max };
	areas->area = g_new0(struct cmasim_cma *, n);
	areas->device_area = g_new(int, cfg->nr_devices);
	if (!areas_layout(cfg, p, &shared_cfg, shared, a, placed, n, error))
		goto fail;
	for (unsigned int i = 0; i < n; i++) {
		for (unsigned int j = 0; j < i; j++) {
			if (overlaps(a[i].base, a[i].size, a[j].base, a[j].size)) {
				g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
					    "CMA area %s: 0x%" PRIx64 " overlaps area %s", a[i].name,
					    a[i].base, a[j].name);
				goto fail;
			}
		}
		areas->area[i] = cmasim_cma_new(cmasim_sim_mem(sim), a[i].name,
						a[i].base >> cfg->page_shift,
						a[i].size >> cfg->page_shift, a[i].order_per_bit,
						error);
		if (!areas->area[i])
			goto fail;
		areas->nr = i + 1;
	}
	if (p->fallback && fallback_init(sim, p, placed, n, areas, error))
		goto fail;
	for (unsigned int d = 0; d < cfg->nr_devices; d++)
		areas->device_area[d] = cfg->devices[d].cma_area >= 0 ? cfg->devices[d].cma_area
								      : shared;
	return 0;

fail:
	areas_destroy(areas);
	return -1;
}

static void areas_destroy(struct cma_areas *areas)
{
	for (unsigned int i = 0; i < areas->nr; i++)
		cmasim_cma_free(areas->area[i]);
	if (areas->fallback)
		carve_free(areas->fallback);
	g_free(areas->area);
	g_free(areas->device_area);
	*areas = (struct cma_areas){ 0 };
}

/* The area serving @device, or NULL when it has none. */
static struct cmasim_cma *area_of(const struct cma_areas *areas, uint32_t device)
{
	int a = areas->device_area[device];

	return a < 0 ? NULL : areas->area[a];
}

/*
 * dma_alloc_from_contiguous() for @req from its device's area: charges the
 * search, migration and the pages taken (not zeroing), and on success fills
 * @buf->pfn and nr_pages.
 */
static enum cmasim_dma_status areas_alloc(struct cmasim_sim *sim, struct cma_areas *areas,
					  const struct cmasim_dma_request *req,
					  struct cmasim_dma_buffer *buf)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct cmasim_cma *area = area_of(areas, req->device);
	struct cmasim_contig_stats st = { 0 };
	uint64_t pages = cmasim_bytes_to_pages(cfg, req->size);
	uint64_t pfn;

	if (!area)
		return CMASIM_DMA_NO_MEMORY;
	if (!policy_reaches(sim, req, cmasim_cma_base_pfn(area) + cmasim_cma_count(area)))
		return CMASIM_DMA_UNREACHABLE;
	int ret = cmasim_cma_alloc(area, pages, policy_dma_align(req, pages, areas->align_max),
				   &pfn, &st);

	cmasim_charge_contig(sim, &st);
	if (ret == -EBUSY)
		return CMASIM_DMA_BUSY;
	if (ret)
		return st.migrate.no_memory || cmasim_cma_count(area) - cmasim_cma_used(area) < pages ?
		       CMASIM_DMA_NO_MEMORY : CMASIM_DMA_FRAGMENTED;
	/* post_alloc_hook() on every page taken */
	cmasim_charge(sim, CMASIM_COST_BUDDY, pages * cfg->costs.buddy_op_ns);
	buf->pfn = pfn;
	buf->nr_pages = pages;
	return CMASIM_DMA_OK;
}

/* cma_release() of @buf into its device's area, charged. */
static void areas_release(struct cmasim_sim *sim, struct cma_areas *areas,
			  const struct cmasim_dma_buffer *buf)
{
	/* free_contig_range() frees page by page */
	cmasim_cma_release(area_of(areas, buf->device), buf->pfn, buf->nr_pages);
	cmasim_charge(sim, CMASIM_COST_BUDDY,
		      buf->nr_pages * cmasim_sim_config(sim)->costs.buddy_op_ns);
}

const struct cmasim_param cma_areas_param_table[] = {
	[CMA_PARAM_SIZE] = { "size", CMASIM_PARAM_SIZE, "0",
			     "size of the shared area (cma=); 0: the machine's cma: areas, or 16MiB "
			     "when it declares none (CONFIG_CMA_SIZE_MBYTES)" },
	[CMA_PARAM_BASE] = { "base", CMASIM_PARAM_SIZE, "0",
			     "physical address of the shared area; 0: where the machine puts it, "
			     "else the top of its zone, as dma_contiguous_reserve() does" },
	[CMA_PARAM_ALIGN_MAX] = { "align_max", CMASIM_PARAM_UINT, "8",
				  "largest alignment order a buffer gets (CONFIG_CMA_ALIGNMENT)" },
	[CMA_PARAM_ORDER_PER_BIT] = { "order_per_bit", CMASIM_PARAM_UINT, "0",
				      "pages per bitmap bit of a shared area sized by size, as a "
				      "power of two" },
	[CMA_PARAM_FALLBACK] = { "fallback", CMASIM_PARAM_SIZE, "0",
				 "size of a no-map carve-out at the top of lowmem, below the areas, "
				 "that serves requests they fail; 0: none" },
	[CMA_PARAM_PER_DEVICE] = { "per_device", CMASIM_PARAM_TEXT, "false",
				   "devices that get an area of their own: true (each without one, "
				   "of the shared area's size), camera:32MiB,gpu:64MiB, or a total "
				   "split by weights, 128MiB/camera:1,gpu:3; the rest share",
				   cma_per_device_check,
				   "true, false, device:size,... or total/device:weight,..." },
	{ NULL },
};

int cma_areas_boot(struct cmasim_sim *sim, const struct cmasim_param_values *values,
		   enum cmasim_zone_type zone, bool force_zone, void **priv, GError **error)
{
	struct cma_areas_params p = params_of(values, zone, force_zone);
	struct cma_areas *areas = g_new0(struct cma_areas, 1);

	if (areas_init(sim, &p, areas, error)) {
		g_free(areas);
		return -1;
	}
	*priv = areas;
	return 0;
}

void cma_areas_teardown(struct cmasim_sim *sim, void *priv)
{
	(void)sim;
	areas_destroy(priv);
	g_free(priv);
}

int cma_areas_boot_lowmem(struct cmasim_sim *sim, const struct cmasim_param_values *values,
			  void **priv, GError **error)
{
	return cma_areas_boot(sim, values, cmasim_config_lowmem_zone(cmasim_sim_config(sim)), false,
			      priv, error);
}

bool cma_areas_lowmem(const struct cmasim_config *cfg, uint64_t pfn, uint64_t nr)
{
	return (pfn + nr) << cfg->page_shift <= cmasim_config_lowmem_end(cfg);
}

/*
 * Undoes what a map function did to @buf, as far as it got, and gives its
 * frames back to the area.
 */
static void areas_free_mapped(struct cmasim_sim *sim, struct cma_areas *areas,
			      struct cmasim_dma_buffer *buf)
{
	cmasim_sim_unmap(sim, buf);
	/* cannot fail: the entries' sections are split already, and fold back here if they may */
	if (buf->priv == CMA_AREAS_LINEAR_REWRITTEN)
		cmasim_sim_linear_attr(sim, buf->pfn, buf->nr_pages, CMASIM_ATTR_CACHEABLE);
	areas_release(sim, areas, buf);
}

enum cmasim_dma_status cma_areas_alloc_mapped(struct cmasim_sim *sim, struct cma_areas *areas,
					      const struct cmasim_dma_request *req,
					      struct cmasim_dma_buffer *buf,
					      int (*map)(struct cmasim_sim *sim,
							 struct cmasim_dma_buffer *buf))
{
	enum cmasim_dma_status status = areas_alloc(sim, areas, req, buf);

	if (status == CMASIM_DMA_OK && map(sim, buf)) {
		areas_free_mapped(sim, areas, buf);
		status = CMASIM_DMA_NO_MEMORY;
	}
	if (status == CMASIM_DMA_OK || !areas->fallback ||
	    carve_alloc(sim, areas->fallback, req, buf) != CMASIM_DMA_OK)
		return status;
	buf->priv = CMA_AREAS_FALLBACK;
	cmasim_sim_fallback_served(sim);
	return CMASIM_DMA_OK;
}

bool cma_areas_linear_alias(struct cmasim_sim *sim, const struct cmasim_dma_buffer *buf)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);

	return !cfg->devices[buf->device].coherent && cma_areas_lowmem(cfg, buf->pfn, buf->nr_pages);
}

int cma_areas_rewrite_linear(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf,
			     enum cmasim_attr attr)
{
	cmasim_sim_zero(sim, buf, CMASIM_ZERO_LINEAR);
	if (cmasim_sim_linear_attr(sim, buf->pfn, buf->nr_pages, attr))
		return -ENOMEM;
	buf->priv = CMA_AREAS_LINEAR_REWRITTEN;
	return 0;
}

void cma_areas_dma_free(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf)
{
	struct cma_areas *areas = priv;

	if (buf->priv == CMA_AREAS_FALLBACK)
		carve_release(sim, areas->fallback, buf);
	else
		areas_free_mapped(sim, areas, buf);
}

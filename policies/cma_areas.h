/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CMA areas a CMA-based policy serves buffers from: the machine's cma:
 * list, or one area built from the policy's parameters, and which area each
 * device uses (dev_get_cma_area(): its own, else the shared one). Shared by
 * every policy that allocates with cma_alloc(); they differ in how the CPU
 * maps what they hand out.
 */
#ifndef CMASIM_POLICIES_CMA_AREAS_H
#define CMASIM_POLICIES_CMA_AREAS_H

#include "carve.h"
#include "cmasim/policy.h"

/* What the policy asks for beyond the machine's cma: list. */
struct cma_areas_params {
	uint64_t size;		/* bytes of the shared area; 0: as the machine declares */
	uint64_t base;		/* physical address of the shared area; 0: placed in zone */
	enum cmasim_zone_type zone;	/* where to place areas the config does not fix */
	bool force_zone;	/* place every area in zone, whatever the config says */
	unsigned int order_per_bit;	/* of an area built from size */
	unsigned int align_max;	/* CONFIG_CMA_ALIGNMENT */
	uint64_t fallback;	/* bytes of the fallback carve-out; 0: none */
	bool per_device;	/* devices get areas of their own (per_device_text says which) */
	const char *per_device_text;	/* per_device= as set: see cma_per_device.c */
};

struct cma_areas {
	unsigned int nr;
	struct cmasim_cma **area;
	int *device_area;	/* by device index: its area, or -1 when it has none */
	unsigned int align_max;
	struct carve *fallback;	/* serves what the areas fail; NULL: nothing does */
};

/*
 * Where the shared area goes: the machine's, resized or moved by @p, or
 * else CONFIG_CMA_SIZE_MBYTES (16 MiB) at the top of @p->zone, placed as
 * memblock does. Returns false with @error naming @what when nothing fits.
 */
bool cma_areas_place_shared(const struct cmasim_config *cfg, const struct cma_areas_params *p,
			    const char *what, struct cmasim_cma_config *out, GError **error);

/*
 * The parameters of every CMA variant, indexes into its values
 * (size, base, align_max, order_per_bit, fallback, per_device: see
 * cma_areas_param_table).
 */
enum {
	CMA_PARAM_SIZE,
	CMA_PARAM_BASE,
	CMA_PARAM_ALIGN_MAX,
	CMA_PARAM_ORDER_PER_BIT,
	CMA_PARAM_FALLBACK,
	CMA_PARAM_PER_DEVICE,
};
extern const struct cmasim_param cma_areas_param_table[];

/* Whether per_device= @text is well formed (the parameter's check()). */
bool cma_per_device_check(const char *text);
/*
 * The size of the area of its own per_device= @text gives each device of
 * @cfg, in @sizes (by device index, 0: it shares), @shared what "true"
 * gives each. False with @error for a device the machine lacks, one that
 * has an area already, or a share below a pageblock.
 */
bool cma_per_device_sizes(const struct cmasim_config *cfg, const char *text, uint64_t shared,
			  uint64_t *sizes, GError **error);

/*
 * A variant's boot_params: with per_device, the devices it names (every
 * one that has no area, for true) get areas of their own, placed top-down
 * in lowmem as reserved-memory nodes are, and the machine's shared area
 * goes when no device is left to share it. Returns 0, or -1 with @error
 * when they do not fit or per_device names what the machine lacks.
 */
int cma_areas_boot_params(struct cmasim_config *cfg, const struct cmasim_param_values *values,
			  GError **error);

/*
 * A variant's init: the areas from @values of cma_areas_param_table,
 * placed in @zone (every area when @force_zone), in a new *@priv.
 * Returns 0, or -1 with @error when an area does not fit or overlaps another.
 */
int cma_areas_boot(struct cmasim_sim *sim, const struct cmasim_param_values *values,
		   enum cmasim_zone_type zone, bool force_zone, void **priv, GError **error);
/*
 * The bytes the areas cma_areas_boot() would make take, each rounded up
 * to its alignment: the room a zone needs to hold them all.
 */
uint64_t cma_areas_span(const struct cmasim_config *cfg, const struct cmasim_param_values *values);

/* A variant's teardown: frees what cma_areas_boot() made. */
void cma_areas_teardown(struct cmasim_sim *sim, void *priv);

/* A variant's init for areas in lowmem: cma_areas_boot() at the top of lowmem. */
int cma_areas_boot_lowmem(struct cmasim_sim *sim, const struct cmasim_param_values *values,
			  void **priv, GError **error);

/* Whether frames [@pfn, @pfn + @nr) all lie in lowmem, the linear map's range. */
bool cma_areas_lowmem(const struct cmasim_config *cfg, uint64_t pfn, uint64_t nr);

/* buf->priv of a buffer whose linear-map entries were rewritten: restored on free. */
#define CMA_AREAS_LINEAR_REWRITTEN 1
/* buf->priv of a buffer the fallback carve-out served: uncached, with no linear alias. */
#define CMA_AREAS_FALLBACK 2

/*
 * Whether @buf has a cacheable linear alias a variant must deal with: it
 * is in lowmem and for a device that does not snoop the caches.
 */
bool cma_areas_linear_alias(struct cmasim_sim *sim, const struct cmasim_dma_buffer *buf);
/*
 * __dma_clear_buffer() through the linear map (cleared, flushed), then its
 * entries for @buf rewritten to @attr (NONE unmaps) and marked in
 * buf->priv. Returns 0, or -ENOMEM with the entries left as they were.
 */
int cma_areas_rewrite_linear(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf,
			     enum cmasim_attr attr);
/*
 * A variant's dma_free: undoes the CPU mapping, maps rewritten linear-map
 * entries back cacheable, and releases the frames.
 */
void cma_areas_dma_free(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf);

/*
 * dma_alloc_from_contiguous() from the device's area (charged, zeroing
 * left to @map), then @map on the buffer; a buffer @map could not
 * map (it returns nonzero) has the mapping it got so far and any
 * rewritten linear-map entries undone, as dma_free would, and the
 * request fails CMASIM_DMA_NO_MEMORY. A request that fails is served
 * by the fallback carve-out, if there is one and it can; if it cannot,
 * the request fails for the area's reason.
 */
enum cmasim_dma_status cma_areas_alloc_mapped(struct cmasim_sim *sim, struct cma_areas *areas,
					      const struct cmasim_dma_request *req,
					      struct cmasim_dma_buffer *buf,
					      int (*map)(struct cmasim_sim *sim,
							 struct cmasim_dma_buffer *buf));

#endif

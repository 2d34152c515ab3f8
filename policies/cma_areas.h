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

#include "cmasim/policy.h"

/* What the policy asks for beyond the machine's cma: list. */
struct cma_areas_params {
	uint64_t size;		/* bytes of the shared area; 0: as the machine declares */
	uint64_t base;		/* physical address of the shared area; 0: placed in zone */
	enum cmasim_zone_type zone;	/* where to place areas the config does not fix */
	bool force_zone;	/* place every area in zone, whatever the config says */
	unsigned int order_per_bit;	/* of an area built from size */
	unsigned int align_max;	/* CONFIG_CMA_ALIGNMENT */
};

struct cma_areas {
	unsigned int nr;
	struct cmasim_cma **area;
	int *device_area;	/* by device index: its area, or -1 when it has none */
	unsigned int align_max;
};

/*
 * Declares the areas on @sim's machine. Returns 0, or -1 with @error when
 * an area does not fit or overlaps another.
 */
int cma_areas_init(struct cmasim_sim *sim, const struct cma_areas_params *p,
		   struct cma_areas *areas, GError **error);
void cma_areas_destroy(struct cma_areas *areas);

/* The area serving @device, or NULL when it has none. */
struct cmasim_cma *cma_areas_of(const struct cma_areas *areas, uint32_t device);

/*
 * dma_alloc_from_contiguous() for @req from its device's area: charges the
 * search, migration and the pages taken (not zeroing), and on success fills
 * @buf->pfn and nr_pages.
 */
enum cmasim_dma_status cma_areas_alloc(struct cmasim_sim *sim, struct cma_areas *areas,
				       const struct cmasim_dma_request *req,
				       struct cmasim_dma_buffer *buf);
/* cma_release() of @buf into its device's area (@device), charged. */
void cma_areas_release(struct cmasim_sim *sim, struct cma_areas *areas, uint32_t device,
		       const struct cmasim_dma_buffer *buf);

#endif

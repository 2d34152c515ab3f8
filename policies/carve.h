/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A carve-out: frames reserved at boot that the page allocator never sees
 * and the linear map leaves out (a device tree shared-dma-pool with
 * no-map), handed out by a first-fit bitmap as kernel/dma/coherent.c
 * does. The carveout policy is one; the CMA policies keep one as a
 * fallback for what their areas fail.
 */
#ifndef CMASIM_POLICIES_CARVE_H
#define CMASIM_POLICIES_CARVE_H

#include "cmasim/policy.h"

struct carve;

/*
 * A carve-out of the frames [@pfn, @pfn + @pages), reserved already
 * (policy_reserve()): taken out of the linear map, its idle pages counted
 * from now on.
 */
struct carve *carve_new(struct cmasim_sim *sim, uint64_t pfn, uint64_t pages,
			unsigned int align_max);
void carve_free(struct carve *c);

/*
 * dma_alloc_from_dev_coherent(): first fit aligned as the DMA API aligns
 * (min(get_order(size), align_max)), remapped uncached and cleared through
 * that mapping, so no cacheable alias exists. Fills @buf on success.
 */
enum cmasim_dma_status carve_alloc(struct cmasim_sim *sim, struct carve *c,
				   const struct cmasim_dma_request *req,
				   struct cmasim_dma_buffer *buf);
/* dma_release_from_dev_coherent(): unmaps @buf and gives its frames back to @c. */
void carve_release(struct cmasim_sim *sim, struct carve *c, struct cmasim_dma_buffer *buf);

#endif

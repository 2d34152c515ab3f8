// SPDX-License-Identifier: GPL-2.0-only
/* Steps every policy's dma_alloc shares: see policies.h. */
#include <errno.h>

#include "policies.h"

int policy_map_cacheable(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	/* dma_direct_alloc(): the linear address, cleared in place through the cache */
	cmasim_sim_use_linear(sim, buf);
	if (!buf->va && cmasim_sim_remap(sim, buf, CMASIM_ATTR_CACHEABLE))
		return -ENOMEM;
	cmasim_sim_zero(sim, buf, CMASIM_ZERO_CACHED);
	return 0;
}

int policy_map_uncached(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf,
			enum cmasim_zero_via via)
{
	cmasim_sim_zero(sim, buf, via);
	return cmasim_sim_remap(sim, buf, CMASIM_ATTR_UNCACHED);
}

int policy_map_coherent(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	if (cmasim_sim_config(sim)->devices[buf->device].coherent)
		return policy_map_cacheable(sim, buf);
	/* __dma_clear_buffer(), then __dma_alloc_remap() with pgprot_dmacoherent */
	return policy_map_uncached(sim, buf, CMASIM_ZERO_LINEAR);
}

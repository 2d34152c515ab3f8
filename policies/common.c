// SPDX-License-Identifier: GPL-2.0-only
/* Steps every policy's dma_alloc shares: see policies.h. */
#include <errno.h>

#include "policies.h"

int policy_map_coherent(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	if (cmasim_sim_config(sim)->devices[buf->device].coherent) {
		/* dma_direct_alloc(): the linear address, cleared in place through the cache */
		cmasim_sim_use_linear(sim, buf);
		if (!buf->va && cmasim_sim_remap(sim, buf, CMASIM_ATTR_CACHEABLE))
			return -ENOMEM;
		cmasim_sim_zero(sim, buf, CMASIM_ZERO_CACHED);
		return 0;
	}
	/* __dma_clear_buffer(), then __dma_alloc_remap() with pgprot_dmacoherent */
	cmasim_sim_zero(sim, buf, CMASIM_ZERO_LINEAR);
	return cmasim_sim_remap(sim, buf, CMASIM_ATTR_UNCACHED);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cma: Contiguous Memory Allocator areas in lowmem that movable pages
 * borrow while no device needs them; a request migrates them out with
 * alloc_contig_range() under the CMA mutex (mm/cma.c, kernel/dma/contiguous.c).
 * Buffers are remapped uncached and the linear map is left as it is, as
 * the 2010-2011 patch sets did.
 */
#include "cma_areas.h"
#include "policies.h"

enum {
	PARAM_SIZE,
	PARAM_BASE,
	PARAM_ALIGN_MAX,
	PARAM_ORDER_PER_BIT,
};

static const struct cmasim_param cma_params[] = {
	[PARAM_SIZE] = { "size", CMASIM_PARAM_SIZE, "0",
			 "size of the shared area (cma=); 0: the machine's cma: areas, or 16MiB "
			 "when it declares none (CONFIG_CMA_SIZE_MBYTES)" },
	[PARAM_BASE] = { "base", CMASIM_PARAM_SIZE, "0",
			 "physical address of the shared area; 0: where the machine puts it, "
			 "else the top of lowmem, as dma_contiguous_reserve() does" },
	[PARAM_ALIGN_MAX] = { "align_max", CMASIM_PARAM_UINT, "8",
			      "largest alignment order a buffer gets (CONFIG_CMA_ALIGNMENT)" },
	[PARAM_ORDER_PER_BIT] = { "order_per_bit", CMASIM_PARAM_UINT, "0",
				  "pages per bitmap bit of a shared area sized by size, as a "
				  "power of two" },
	{ NULL },
};

static int cma_init(struct cmasim_sim *sim, const struct cmasim_param_values *params,
		    void **priv, GError **error)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	struct cma_areas_params p = {
		.size = params->value[PARAM_SIZE],
		.base = params->value[PARAM_BASE],
		.zone = cmasim_config_lowmem_zone(cfg),
		.order_per_bit = (unsigned int)MIN(params->value[PARAM_ORDER_PER_BIT], 63),
		.align_max = (unsigned int)MIN(params->value[PARAM_ALIGN_MAX], 63),
	};
	struct cma_areas *areas = g_new0(struct cma_areas, 1);

	if (cma_areas_init(sim, &p, areas, error)) {
		g_free(areas);
		return -1;
	}
	*priv = areas;
	return 0;
}

static enum cmasim_dma_status cma_dma_alloc(struct cmasim_sim *sim, void *priv,
					    const struct cmasim_dma_request *req,
					    struct cmasim_dma_buffer *buf)
{
	enum cmasim_dma_status status = cma_areas_alloc(sim, priv, req, buf);

	/* __alloc_from_contiguous(): cleared, flushed, remapped uncached; the linear alias stays */
	if (status == CMASIM_DMA_OK && policy_map_coherent(sim, buf)) {
		cma_areas_release(sim, priv, buf->device, buf);
		return CMASIM_DMA_NO_MEMORY;
	}
	return status;
}

static void cma_dma_free(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf)
{
	cmasim_sim_unmap(sim, buf);
	cma_areas_release(sim, priv, buf->device, buf);
}

static void cma_teardown(struct cmasim_sim *sim, void *priv)
{
	(void)sim;
	cma_areas_destroy(priv);
	g_free(priv);
}

const struct cmasim_policy_ops cmasim_policy_cma = {
	.name = "cma",
	.summary = "CMA areas in lowmem lent to movable pages, migrated out on request; "
		   "uncached remap, linear alias left",
	.params = cma_params,
	.serialized = true,
	.init = cma_init,
	.dma_alloc = cma_dma_alloc,
	.dma_free = cma_dma_free,
	.teardown = cma_teardown,
};

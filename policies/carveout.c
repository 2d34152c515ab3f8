// SPDX-License-Identifier: GPL-2.0-only
/*
 * carveout: one carve-out (carve.h) serves every device. It never
 * migrates anything, but its pages sit idle whenever devices do, and it
 * fails once the pool is full or fragmented.
 */
#include "carve.h"
#include "policies.h"

enum {
	PARAM_SIZE,
	PARAM_BASE,
	PARAM_ALIGN_MAX,
};

static const struct cmasim_param carveout_params[] = {
	[PARAM_SIZE] = { "size", CMASIM_PARAM_SIZE, "0",
			 "size of the pool; 0: the machine's shared cma: area's, or 16MiB" },
	[PARAM_BASE] = { "base", CMASIM_PARAM_SIZE, "0",
			 "physical address of the pool; 0: where the machine's shared area is, "
			 "else the top of lowmem" },
	[PARAM_ALIGN_MAX] = { "align_max", CMASIM_PARAM_UINT, "8",
			      "largest alignment order a buffer gets, as the DMA API's "
			      "CONFIG_CMA_ALIGNMENT" },
	{ NULL },
};

static int carveout_init(struct cmasim_sim *sim, const struct cmasim_param_values *params,
			 void **priv, GError **error)
{
	uint64_t pfn, pages;

	if (policy_reserve(sim, "carve-out", params->value[PARAM_SIZE], params->value[PARAM_BASE],
			   &pfn, &pages, error))
		return -1;
	*priv = carve_new(sim, pfn, pages, (unsigned int)MIN(params->value[PARAM_ALIGN_MAX], 63));
	return 0;
}

static enum cmasim_dma_status carveout_dma_alloc(struct cmasim_sim *sim, void *priv,
						 const struct cmasim_dma_request *req,
						 struct cmasim_dma_buffer *buf)
{
	return carve_alloc(sim, priv, req, buf);
}

static void carveout_dma_free(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf)
{
	carve_release(sim, priv, buf);
}

static void carveout_teardown(struct cmasim_sim *sim, void *priv)
{
	(void)sim;
	carve_free(priv);
}

const struct cmasim_policy_ops cmasim_policy_carveout = {
	.name = "carveout",
	.summary = "a no-map range reserved at boot with its own first-fit bitmap; idle when "
		   "devices are, fails when full or fragmented",
	.params = carveout_params,
	.init = carveout_init,
	.dma_alloc = carveout_dma_alloc,
	.dma_free = carveout_dma_free,
	.teardown = carveout_teardown,
};

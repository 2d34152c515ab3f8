// SPDX-License-Identifier: GPL-2.0-only
/*
 * Latency histograms and the names of the figures.
 */
#include <glib.h>

#include "cmasim/metrics.h"

unsigned int cmasim_hist_bucket(uint64_t value)
{
	if (value < 64)
		return (unsigned int)value;
	unsigned int msb = 63 - (unsigned int)__builtin_clzll(value);
	unsigned int shift = msb - CMASIM_HIST_SUB_BITS;

	return 64 + (msb - 6) * 32 + (unsigned int)(value >> shift) - 32;
}

void cmasim_hist_bucket_bounds(unsigned int bucket, uint64_t *lo, uint64_t *hi)
{
	g_return_if_fail(bucket < CMASIM_HIST_BUCKETS);
	if (bucket < 64) {
		*lo = *hi = bucket;
		return;
	}
	unsigned int msb = (bucket - 64) / 32 + 6;
	unsigned int shift = msb - CMASIM_HIST_SUB_BITS;
	uint64_t mantissa = 32 + (bucket - 64) % 32;

	*lo = mantissa << shift;
	*hi = *lo + ((UINT64_C(1) << shift) - 1);
}

void cmasim_hist_add(struct cmasim_hist *h, uint64_t value)
{
	if (!h->count || value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	unsigned int b = cmasim_hist_bucket(value);

	h->count++;
	h->sum += value;
	h->buckets[b]++;
	h->bucket_max[b] = MAX(h->bucket_max[b], value);
}

uint64_t cmasim_hist_percentile(const struct cmasim_hist *h, unsigned int permille)
{
	g_return_val_if_fail(permille >= 1 && permille <= 1000, 0);
	if (!h->count)
		return 0;
	/* nearest rank: the smallest value with at least p of the samples at or below it */
	uint64_t rank = (h->count * permille + 999) / 1000, seen = 0;

	for (unsigned int b = 0; b < CMASIM_HIST_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen >= rank)
			return h->bucket_max[b];
	}
	return h->max;
}

const char *cmasim_dma_status_name(enum cmasim_dma_status status)
{
	static const char *const names[CMASIM_NR_DMA_STATUS] = {
		[CMASIM_DMA_OK] = "ok",
		[CMASIM_DMA_TOO_LARGE] = "too_large",
		[CMASIM_DMA_NO_MEMORY] = "out_of_memory",
		[CMASIM_DMA_FRAGMENTED] = "fragmented",
		[CMASIM_DMA_UNREACHABLE] = "unreachable",
		[CMASIM_DMA_BUSY] = "busy",
		[CMASIM_DMA_ATOMIC_POOL_EMPTY] = "atomic_pool_empty",
	};

	g_return_val_if_fail(status < CMASIM_NR_DMA_STATUS, "?");
	return names[status];
}

const char *cmasim_cost_name(enum cmasim_cost cost)
{
	static const char *const names[CMASIM_NR_COSTS] = {
		[CMASIM_COST_BUDDY] = "buddy",
		[CMASIM_COST_ZEROING] = "zeroing",
		[CMASIM_COST_CACHE] = "cache_maintenance",
		[CMASIM_COST_MIGRATION] = "migration",
		[CMASIM_COST_LRU_DRAIN] = "lru_drain",
		[CMASIM_COST_MUTEX_WAIT] = "cma_mutex_wait",
		[CMASIM_COST_COMPACTION] = "compaction",
		[CMASIM_COST_MAPPING] = "mapping",
		[CMASIM_COST_TLB_MISS] = "tlb_miss",
		[CMASIM_COST_IOMMU] = "iommu",
		[CMASIM_COST_CPU_MEMORY] = "cpu_memory",
		[CMASIM_COST_FLUSH_REFILL] = "flush_refill",
		[CMASIM_COST_REFAULT] = "refault",
		[CMASIM_COST_CLEANCACHE] = "cleancache",
	};

	g_return_val_if_fail(cost < CMASIM_NR_COSTS, "?");
	return names[cost];
}

void cmasim_results_free(struct cmasim_results *r)
{
	if (!r)
		return;
	g_free(r->policy);
	g_free(r->settings);
	g_free(r->machine);
	g_free(r->machine_sha256);
	g_free(r->workload);
	g_free(r->workload_sha256);
	g_free(r->blocking_owners);
	g_free(r->top_blockers);
	g_free(r->devices);
	g_free(r->zones);
	g_free(r->corruption_first);
	g_free(r);
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Figures of one run: counters, latency histograms, fragmentation.
 */
#ifndef CMASIM_METRICS_H
#define CMASIM_METRICS_H

#include <stdint.h>

#include "cmasim/config.h"

/*
 * A latency histogram with log-linear buckets: exact below 64 ns, then 32
 * buckets per power of two. A percentile is nearest-rank and reports the
 * largest value seen in the bucket holding the exact answer: never below
 * it, at most 1/32 (3.1%) above, and exact whenever that bucket saw one
 * value only, as deterministic costs often make it.
 */
#define CMASIM_HIST_SUB_BITS 5
#define CMASIM_HIST_BUCKETS (64 + (64 - 6) * 32)

struct cmasim_hist {
	uint64_t count;
	uint64_t sum;		/* ns */
	uint64_t min, max;	/* ns, exact */
	uint64_t buckets[CMASIM_HIST_BUCKETS];		/* samples per bucket */
	uint64_t bucket_max[CMASIM_HIST_BUCKETS];	/* ns, the largest sample in each */
};

void cmasim_hist_add(struct cmasim_hist *h, uint64_t value);
/* The nearest-rank @permille/1000 percentile (500 = median), 0 when empty. */
uint64_t cmasim_hist_percentile(const struct cmasim_hist *h, unsigned int permille);
/* The bucket @value falls in, and that bucket's bounds (inclusive). */
unsigned int cmasim_hist_bucket(uint64_t value);
void cmasim_hist_bucket_bounds(unsigned int bucket, uint64_t *lo, uint64_t *hi);

/* Why a contiguous request failed; CMASIM_DMA_OK when it did not. */
enum cmasim_dma_status {
	CMASIM_DMA_OK,
	CMASIM_DMA_TOO_LARGE,		/* above the largest block the policy can give */
	CMASIM_DMA_NO_MEMORY,		/* too few free pages the device can reach */
	CMASIM_DMA_FRAGMENTED,		/* enough free pages, no contiguous run */
	CMASIM_DMA_UNREACHABLE,		/* no memory within the device's DMA mask */
	CMASIM_DMA_BUSY,		/* every window held pinned or unmovable pages */
	CMASIM_DMA_ATOMIC_POOL_EMPTY,	/* an atomic request found no room in the atomic pool */
	CMASIM_NR_DMA_STATUS,
};

/* The name reports use, e.g. "fragmented". */
const char *cmasim_dma_status_name(enum cmasim_dma_status status);

/* Where simulated time went; a request's latency is the sum of its charges. */
enum cmasim_cost {
	CMASIM_COST_BUDDY,	/* page allocator operations */
	CMASIM_COST_ZEROING,	/* clearing buffers before a device gets them */
	CMASIM_COST_CACHE,	/* cache maintenance around transfers */
	CMASIM_COST_MIGRATION,	/* copying, remapping and reclaiming pages out of the way */
	CMASIM_COST_LRU_DRAIN,	/* draining per-cpu lists before a contiguous allocation */
	CMASIM_COST_MUTEX_WAIT,	/* waiting for the CMA mutex */
	CMASIM_COST_COMPACTION,	/* moving pages to make free blocks larger */
	CMASIM_COST_MAPPING,	/* section splits, TLB flushes and shootdowns, kmaps */
	CMASIM_COST_TLB_MISS,	/* page-table walks of CPU accesses (in no request's latency) */
	CMASIM_COST_IOMMU,	/* IOMMU page-table entries */
	CMASIM_COST_CPU_MEMORY,	/* line fills, write-backs and uncached accesses of CPU accesses */
	CMASIM_COST_FLUSH_REFILL, /* the rest of the system refilling a cache a flush emptied */
	CMASIM_COST_REFAULT,	/* reading page cache dropped for buffers back from storage */
	CMASIM_COST_CLEANCACHE,	/* copying evicted page cache into a GCMA area and back */
	CMASIM_NR_COSTS,
};

const char *cmasim_cost_name(enum cmasim_cost cost);

/* Requests by size class: the order of the pages a request needs. */
#define CMASIM_NR_SIZE_CLASSES 32

struct cmasim_request_stats {
	uint64_t requests;
	uint64_t ok;
};

/* One device's requests. */
struct cmasim_device_stats {
	uint64_t requests;
	uint64_t ok;
	uint64_t failed[CMASIM_NR_DMA_STATUS];	/* by reason; [OK] stays 0 */
	uint64_t busy_retries;		/* busy ranges its requests met */
	uint64_t blocked_own_pages;	/* pinned pages they met that its own driver pinned */
	uint64_t blocked_other_pages;	/* pinned pages they met of another driver, or none */
	struct cmasim_hist latency;	/* of those that succeeded, ns */
};

/* Fragmentation of one zone when the run ended. */
struct cmasim_zone_stats {
	enum cmasim_zone_type type;
	uint64_t free_pages;
	uint64_t free_blocks[CMASIM_ORDER_LIMIT + 1];	/* by order, all migratetypes */
	int largest_free_order;				/* -1 if none */
	uint64_t mixed_pageblocks;			/* any column */
	uint64_t cma_pages;				/* in CMA pageblocks */
	uint64_t cma_free_pages;
	uint64_t cma_movable_pages;			/* lent to movable users */
	int unusable_index[CMASIM_ORDER_LIMIT + 1];	/* x1000, at each order */
	int extfrag_index[CMASIM_ORDER_LIMIT + 1];	/* x1000, at each order */
	int unusable_index_no_cma[CMASIM_ORDER_LIMIT + 1]; /* the same, free CMA left out */
	int extfrag_index_no_cma[CMASIM_ORDER_LIMIT + 1];
};

struct cmasim_results {
	char *policy;
	char *settings;			/* the policy's parameters as set: "name=value ...", or "" */
	char *machine;
	char *machine_sha256;		/* of the machine config's text, hex; NULL if not loaded from one */
	char *workload;
	char *workload_sha256;		/* of the trace's bytes, hex */
	const char *kernel;		/* the profile's name (static) */
	uint64_t seed;
	unsigned int max_order;		/* of the machine: bounds the per-order arrays */
	uint64_t end_ns;		/* simulated time of the last event */
	uint64_t events;		/* trace records replayed */

	uint64_t dma_requests;
	uint64_t dma_ok;
	uint64_t dma_failed[CMASIM_NR_DMA_STATUS];	/* by reason; [OK] stays 0 */
	uint64_t dma_fallback_ok;			/* of dma_ok, served by a fallback */
	unsigned int nr_devices;
	struct cmasim_device_stats *devices;		/* by machine device index */
	struct cmasim_request_stats size_class[CMASIM_NR_SIZE_CLASSES];
	uint32_t requested_orders;			/* bit o: some request needed order o */
	struct cmasim_hist latency;			/* requests that succeeded, ns */
	struct cmasim_hist fail_latency;		/* requests that failed: time to failure, ns */
	uint64_t dma_bytes_peak;			/* held by devices at once */
	uint64_t dma_waste_bytes_peak;			/* held beyond what was asked for */

	uint64_t bg_alloc_pages;
	uint64_t bg_alloc_failed_pages;
	/* blocks of an order above PAGE_ALLOC_COSTLY_ORDER asked for, and got: huge pages */
	struct cmasim_request_stats bg_order[CMASIM_ORDER_LIMIT + 1];
	uint64_t bg_free_pages;
	/* pages allocs and frees by pfn found not free, or not allocated by pfn */
	uint64_t pfn_mismatched_pages;
	uint64_t kswapd_runs;			/* times kswapd was woken and ran */
	uint64_t kswapd_reclaimed_pages;	/* clean page cache kswapd dropped */
	uint64_t direct_reclaimed_pages;	/* the same by background allocations that failed */

	uint64_t cost_ns[CMASIM_NR_COSTS];

	/* contiguous allocations' migration, pages */
	uint64_t migrated_pages;
	uint64_t reclaimed_pages;
	uint64_t migrate_busy_pinned_pages;
	uint64_t migrate_busy_unmovable_pages;
	uint64_t migrate_no_memory_pages;
	uint64_t contig_attempts;	/* ranges tried */
	uint64_t contig_retries;	/* busy ranges met (trace_cma_alloc_busy_retry) */
	uint64_t blocking_pages;	/* pages that kept busy ranges from clearing, a range at a time */
	uint64_t blocking_pinned_pages;	/* of which pinned */
	char *blocking_owners;		/* those pages by what they hold: "anon 12, kernel 3" */
	char *top_blockers;		/* the trace allocations in most busy ranges: "gpu3 4x" */
	uint64_t pin_migrated_pages;	/* moved out of CMA or Movable before a long-term pin */
	uint64_t pin_failed_pages;	/* of long-term pins whose migration found no target */
	uint64_t compact_runs;		/* zones compacted */
	uint64_t compact_deferred;	/* compactions skipped while deferred */
	uint64_t compact_scanned_pages;	/* by both scanners */
	uint64_t compact_migrated_pages;

	/* the CPU side: cpu events' accesses, one per cache line touched */
	uint64_t cpu_accesses;
	uint64_t cpu_faults;		/* found no mapping */
	uint64_t cpu_uncached_accesses;	/* through an uncached or write-combined mapping */
	uint64_t cache_read_misses, cache_write_misses;
	uint64_t cache_writebacks;	/* dirty lines evicted */
	uint64_t cache_speculative_fills;
	uint64_t cache_aliases;		/* second copies of a line (VIPT colours, VIVT synonyms) */
	uint64_t cache_maintenance_lines;	/* clean/invalidate operations by address */
	uint64_t cache_flush_alls;	/* whole-cache flushes by set/way */
	uint64_t tlb_hits, tlb_misses;
	uint64_t sections_split;	/* linear-map sections split, boot included */
	uint64_t pagetable_pages_peak;	/* page-table pages the splits took at once */
	uint64_t tlb_shootdowns;

	/* coherence of DMA buffers, in cache lines */
	uint64_t alias_demand;		/* cacheable fills of frames mapped uncached, by demand */
	uint64_t alias_speculative;	/* the same by prefetch or speculation */
	uint64_t alias_present;		/* cached when the uncached mapping was made */
	uint64_t stale_cpu_reads;
	uint64_t stale_device_reads;
	uint64_t clobbered_lines;	/* device data overwritten by a write-back */
	uint64_t uncached_hits;		/* uncached accesses that used a copy a cacheable alias left */
	uint64_t stray_freed_lines;	/* lines a freed uncached buffer left cached through an alias */
	char *corruption_first;		/* the first corruptions described; "" when none */

	uint64_t lowmem_bytes;
	uint64_t managed_bytes;		/* what the page allocator manages */
	uint64_t free_bytes_min;	/* lowest free memory at any event */
	uint64_t reserved_bytes;	/* taken from the page allocator at boot by the policy */
	uint64_t reserved_idle_page_ms;	/* reserved pages holding nothing, integrated over time */
	uint64_t refaulted_pages;	/* clean cache dropped for buffers, to be read back */
	uint64_t cleancache_puts;	/* evicted page-cache pages a cleancache backend kept */
	uint64_t cleancache_gets;	/* reads it served */
	unsigned int nr_zones;
	struct cmasim_zone_stats *zones;
};

void cmasim_results_free(struct cmasim_results *r);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Placement policies: how a machine hands contiguous DMA buffers to devices.
 *
 * A policy is one const struct cmasim_policy_ops in its own file under
 * policies/, listed once in policies/registry.c. Every policy serves the
 * same requests; the simulator charges whatever simulated time the
 * policy's work costs through cmasim_charge(), and a request's latency is
 * the sum of those charges.
 */
#ifndef CMASIM_POLICY_H
#define CMASIM_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "cmasim/buddy.h"
#include "cmasim/compact.h"
#include "cmasim/config.h"
#include "cmasim/contig.h"
#include "cmasim/metrics.h"
#include "cmasim/mmu.h"
#include "cmasim/trace.h"

/* The pages @bytes take on @cfg's machine; no wrap for sizes near 2^64. */
static inline uint64_t cmasim_bytes_to_pages(const struct cmasim_config *cfg, uint64_t bytes)
{
	return (bytes >> cfg->page_shift) + !!(bytes & (cfg->page_size - 1));
}

/* The order of the smallest block of at least @pages pages (get_order()). */
static inline unsigned int cmasim_pages_order(uint64_t pages)
{
	return pages <= 1 ? 0 : 64 - (unsigned int)__builtin_clzll(pages - 1);
}

/* The running simulation as a policy sees it. */
struct cmasim_sim;

struct cmasim_mem *cmasim_sim_mem(struct cmasim_sim *sim);
const struct cmasim_config *cmasim_sim_config(const struct cmasim_sim *sim);
/*
 * Adds @ns of simulated time to @cost and to the request being served.
 * A charge that would take the run's total past 2^64 - 1 ns (or is
 * UINT64_MAX, a product that saturated) stops the run with an error.
 */
void cmasim_charge(struct cmasim_sim *sim, enum cmasim_cost cost, uint64_t ns);
/* Charges @n operations of @unit_ns each, the product checked. */
void cmasim_charge_n(struct cmasim_sim *sim, enum cmasim_cost cost, uint64_t n, uint64_t unit_ns);
/* Charges what a contiguous allocation did and counts its migration figures. */
void cmasim_charge_contig(struct cmasim_sim *sim, const struct cmasim_contig_stats *stats);
/*
 * Compacts zone @zone for a block of @order (-1: the whole zone), charging
 * and counting it (compact_zone()).
 */
enum cmasim_compact_result cmasim_sim_compact(struct cmasim_sim *sim, unsigned int zone,
					      int order);
/* The same as an allocation of @mt up to @highest_zone compacts, directly. */
enum cmasim_compact_result cmasim_sim_compact_direct(struct cmasim_sim *sim, unsigned int zone,
						     unsigned int order, enum cmasim_migratetype mt,
						     enum cmasim_zone_type highest_zone);
/*
 * __alloc_pages_direct_compact(): compacts the zones an allocation of
 * @order and @mt up to @highest_zone may use, highest first, stopping at
 * the first that now has the block. True if one has.
 */
bool cmasim_sim_compact_for(struct cmasim_sim *sim, unsigned int order,
			    enum cmasim_migratetype mt, enum cmasim_zone_type highest_zone);

enum cmasim_param_type {
	CMASIM_PARAM_BOOL,	/* true/false */
	CMASIM_PARAM_UINT,	/* a decimal integer */
	CMASIM_PARAM_SIZE,	/* bytes, with a unit such as 16MiB */
	CMASIM_PARAM_TEXT,	/* text the policy reads; as a value, 0 for "false" or nothing, else 1 */
};

/* One tunable of a policy, set by --set name=value. */
struct cmasim_param {
	const char *name;
	enum cmasim_param_type type;
	const char *default_value;
	const char *help;
	bool (*check)(const char *text);	/* TEXT: whether @text is well formed */
	const char *expects;			/* TEXT: what check() takes, for messages */
};

#define CMASIM_MAX_PARAMS 8

/* Parameter values after defaults and overrides, in the order of ops->params. */
struct cmasim_param_values {
	unsigned int nr;
	uint64_t value[CMASIM_MAX_PARAMS];	/* bool as 0/1, sizes in bytes */
	/* TEXT: the text as set, pointing into the settings (or the default), which outlive it */
	const char *text[CMASIM_MAX_PARAMS];
};

struct cmasim_dma_request {
	uint32_t device;	/* index into the machine's devices */
	uint64_t size;		/* bytes asked for */
	unsigned int align;	/* alignment order, or CMASIM_REC_ANY for the DMA API's default */
	bool atomic;		/* from a context that cannot sleep: the simulator serves it from
				 * the atomic pool for a non-coherent device, never the policy */
};

/* A buffer a policy handed out; the simulator keeps it until dma_free. */
struct cmasim_dma_buffer {
	uint32_t device;	/* the device it is for; set by the simulator */
	uint64_t size;		/* bytes asked for; set by the simulator */
	uint64_t pfn;		/* first frame */
	uint64_t nr_pages;	/* frames held, which may exceed the size asked for */
	/*
	 * NULL: the frames are [pfn, pfn + nr_pages). Else the policy's list
	 * of the nr_pages frames in the device's address order (an IOMMU
	 * buffer), which must outlive the buffer; cmasim_sim_remap() maps
	 * them in that order and zeroing clears them in it; cache
	 * maintenance takes only buffers without one.
	 */
	const uint64_t *pages;
	uint64_t va;		/* the CPU's address of it; set by cmasim_sim_remap() and co. */
	uint8_t mapping;	/* how the CPU maps it; set by those helpers */
	uint64_t priv;		/* the policy's own */
};

/*
 * The CPU's view of a buffer. A policy maps each buffer it hands out with
 * one of these in dma_alloc and undoes it with cmasim_sim_unmap() in
 * dma_free; what the mappings cost is charged (CMASIM_COST_MAPPING).
 */
/*
 * dma_common_contiguous_remap(): maps @buf in the vmalloc space with @attr
 * and counts the lines already cached for it when @attr is not cacheable.
 * Returns 0, or -ENOMEM when the vmalloc space is full.
 */
int cmasim_sim_remap(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf,
		     enum cmasim_attr attr);
/* page_address(): the CPU uses @buf's linear-map address (lowmem buffers only). */
void cmasim_sim_use_linear(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf);
/* Undoes cmasim_sim_remap() or cmasim_sim_use_linear(). */
void cmasim_sim_unmap(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf);

/*
 * Rewrites the linear map of lowmem [@pfn, @pfn + @nr) to @attr
 * (CMASIM_ATTR_NONE unmaps; see cmasim_mmu_linear_set_attr()), or splits
 * its sections into page entries for good. Return 0 or -ENOMEM.
 */
int cmasim_sim_linear_attr(struct cmasim_sim *sim, uint64_t pfn, uint64_t nr,
			   enum cmasim_attr attr);
int cmasim_sim_linear_split(struct cmasim_sim *sim, uint64_t pfn, uint64_t nr);

/* How a buffer is cleared before a device gets it (page_zero_ns a page, plus what it takes). */
enum cmasim_zero_via {
	CMASIM_ZERO_UNCACHED,	/* through its own uncached mapping: nothing enters the cache */
	CMASIM_ZERO_LINEAR,	/* memset through the linear map, then dmac_flush_range() */
	CMASIM_ZERO_KMAP,	/* a page at a time through a cacheable kmap, flushed before kunmap */
	CMASIM_ZERO_CACHED,	/* through its own cacheable mapping, left in the cache */
};
void cmasim_sim_zero(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf,
		     enum cmasim_zero_via via);

/* Cache maintenance by address over the first @bytes of @buf's mapping. */
enum cmasim_maint {
	CMASIM_MAINT_CLEAN,		/* dma_sync_*_for_device: write dirty lines back */
	CMASIM_MAINT_INVALIDATE,	/* dma_sync_*_for_cpu: drop stale lines */
	CMASIM_MAINT_FLUSH,		/* both */
};
void cmasim_sim_cache_maint(struct cmasim_sim *sim, const struct cmasim_dma_buffer *buf,
			    enum cmasim_maint op, uint64_t bytes);
/* Cleans and invalidates the whole data cache by set/way (VIVT caches). */
void cmasim_sim_cache_flush_all(struct cmasim_sim *sim);

/*
 * A boot-time reservation the page allocator never manages (memblock_remove()
 * of a no-map carve-out): the @pages at @pfn leave managed_bytes, count in
 * reserved_bytes and show as reserved in the run's map.
 */
void cmasim_sim_reserve(struct cmasim_sim *sim, uint64_t pfn, uint64_t pages);
/*
 * From now on @idle reserved pages hold nothing; the simulator integrates
 * them over simulated time up to the next call or the end of the run
 * (reserved_idle_page_ms).
 */
void cmasim_sim_reserved_idle(struct cmasim_sim *sim, uint64_t idle);
/*
 * @pages of clean cache were dropped to make room: each is read back later
 * (a refault), at refault_page_ns, which is charged to no request.
 */
void cmasim_sim_refault(struct cmasim_sim *sim, uint64_t pages);
/*
 * A cleancache backend stored @puts evicted pages and gave @gets back to
 * reads, each a page copied, charged to no request.
 */
void cmasim_sim_cleancache(struct cmasim_sim *sim, uint64_t puts, uint64_t gets);
/* The request being served failed the policy's allocator and its fallback served it. */
void cmasim_sim_fallback_served(struct cmasim_sim *sim);

/*
 * A page pool: a first-fit bitmap allocator over a reserved run of frames
 * (lib/genalloc.c's gen_pool_first_fit_order_align, kernel/dma/coherent.c),
 * for carve-outs and the atomic pool.
 */
struct cmasim_pagepool;

struct cmasim_pagepool *cmasim_pagepool_new(uint64_t base_pfn, uint64_t nr_pages);
void cmasim_pagepool_free(struct cmasim_pagepool *pool);
uint64_t cmasim_pagepool_base_pfn(const struct cmasim_pagepool *pool);
uint64_t cmasim_pagepool_size(const struct cmasim_pagepool *pool);
/* Frames handed out now. */
uint64_t cmasim_pagepool_used(const struct cmasim_pagepool *pool);
/*
 * The first run of @nr free frames starting 2^@align frames from the
 * pool's base, marked handed out. Returns 0 with *@pfn, or -ENOMEM.
 */
int cmasim_pagepool_alloc(struct cmasim_pagepool *pool, uint64_t nr, unsigned int align,
			  uint64_t *pfn);
/* Gives [@pfn, @pfn + @nr) back to @pool. */
void cmasim_pagepool_release(struct cmasim_pagepool *pool, uint64_t pfn, uint64_t nr);

struct cmasim_policy_ops {
	const char *name;
	const char *summary;		/* one line for `cmasim list` */
	const struct cmasim_param *params; /* NULL-terminated; NULL when it has none */
	/*
	 * Requests hold the global CMA mutex (cma_mutex) while they are
	 * served: one waits until the one before has finished, and its wait
	 * is part of its latency.
	 */
	bool serialized;

	/*
	 * Changes what the kernel's command line would (vmalloc=, say) in
	 * @cfg, a private copy of the machine, before it boots. Returns 0, or
	 * -1 with @error when no such change lets the policy run. NULL: the
	 * machine boots as declared.
	 */
	int (*boot_params)(struct cmasim_config *cfg, const struct cmasim_param_values *params,
			   GError **error);
	/*
	 * Boots the policy on @sim's machine. Returns 0 with its state in
	 * *@priv, or -1 with @error when the machine cannot run it.
	 */
	int (*init)(struct cmasim_sim *sim, const struct cmasim_param_values *params, void **priv,
		    GError **error);
	/*
	 * Serves @req. Returns CMASIM_DMA_OK with @buf filled in, or the
	 * reason it failed; what it did either way is charged.
	 */
	enum cmasim_dma_status (*dma_alloc)(struct cmasim_sim *sim, void *priv,
					    const struct cmasim_dma_request *req,
					    struct cmasim_dma_buffer *buf);
	/* Gives @buf's memory back; what that takes is charged. */
	void (*dma_free)(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf);
	/*
	 * Cache maintenance before a transfer of @bytes of @buf in direction
	 * @dir (dma_sync_single_for_device: clean for a device that reads,
	 * invalidate for one that writes) and after a transfer from the
	 * device (dma_sync_single_for_cpu); what it takes is charged. Never
	 * called for a snooping device's buffer nor one the CPU maps only
	 * uncached, which need none. NULL: no buffer of the policy needs any.
	 */
	void (*sync_for_device)(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf,
				enum cmasim_dma_dir dir, uint64_t bytes);
	void (*sync_for_cpu)(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf,
			     enum cmasim_dma_dir dir, uint64_t bytes);
	/*
	 * Clean page cache left memory, @pages of it: reclaimed, dropped by
	 * drop_caches, or freed by the workload (an eviction). A cleancache
	 * backend may keep copies (cleancache_put_page() from
	 * __delete_from_page_cache()). NULL: nobody keeps them.
	 */
	void (*page_cache_evicted)(struct cmasim_sim *sim, void *priv, uint64_t pages);
	/*
	 * The workload read @pages into the page cache; a cleancache backend
	 * is asked for each first (cleancache_get_page() on a miss). NULL:
	 * nobody is asked.
	 */
	void (*page_cache_read)(struct cmasim_sim *sim, void *priv, uint64_t pages);
	/* Frees *@priv's state. NULL: g_free(priv). */
	void (*teardown)(struct cmasim_sim *sim, void *priv);
};

/* The registry: every policy, in the order `cmasim list` and `compare` show them. */
extern const struct cmasim_policy_ops *const cmasim_policies[];
extern const unsigned int cmasim_nr_policies;

/* The policy called @name, or NULL. */
const struct cmasim_policy_ops *cmasim_policy_find(const char *name);

/*
 * Fills @values from @ops's defaults and "name=value" strings in @set
 * (NULL-terminated, may be NULL). Returns false with @error naming the
 * bad setting and what was expected.
 */
bool cmasim_policy_params(const struct cmasim_policy_ops *ops, const char *const *set,
			  struct cmasim_param_values *values, GError **error);
/* Whether @ops has a parameter named by the @len bytes at @name. */
bool cmasim_policy_has_param(const struct cmasim_policy_ops *ops, const char *name, size_t len);
/*
 * Checks @cfg's policy: section against the policies: "policy.name" must
 * name a policy's parameter, "name" some policy's, and each value must
 * suit every parameter it sets. Returns false with @error naming the
 * setting's file:line:column.
 */
bool cmasim_policy_check_machine(const struct cmasim_config *cfg, GError **error);
/*
 * The settings of @cfg's policy: section that apply to @ops, as
 * "name=value", then @set: the list cmasim_policy_params() takes for a
 * run on that machine, later settings winning. g_strfreev() it.
 */
char **cmasim_policy_settings(const struct cmasim_policy_ops *ops,
			      const struct cmasim_config *cfg, const char *const *set);

#endif

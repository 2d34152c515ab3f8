/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPU side of a running machine: its mappings and TLB, its data cache,
 * the coherence model, and the CPU accesses and DMA transfers of a trace.
 * Private to sim/: the engine owns one per run and the policy helpers of
 * include/cmasim/policy.h reach it through the running simulation.
 */
#ifndef CMASIM_MACHINE_H
#define CMASIM_MACHINE_H

#include "cmasim/cache.h"
#include "cmasim/coherence.h"
#include "cmasim/event.h"
#include "cmasim/metrics.h"
#include "cmasim/mmu.h"
#include "cmasim/policy.h"
#include "cmasim/trace.h"

/*
 * The run of consecutive frames of @buf from its page @i: returns the
 * run's first frame and puts its length in *@nr.
 */
static inline uint64_t buffer_run(const struct cmasim_dma_buffer *buf, uint64_t i, uint64_t *nr)
{
	uint64_t n = 1;

	if (!buf->pages) {
		*nr = buf->nr_pages - i;
		return buf->pfn + i;
	}
	while (i + n < buf->nr_pages && buf->pages[i + n] == buf->pages[i] + n)
		n++;
	*nr = n;
	return buf->pages[i];
}

/* What the log describes: the coherence model's corruptions, then this. */
#define MACHINE_STRAY_FREED CMASIM_NR_COH_EVENTS
#define MACHINE_NR_EVENTS (MACHINE_STRAY_FREED + 1)

/* How many of each kind a run describes: the first few tell where to look. */
#define MACHINE_LOG_EACH 2
#define MACHINE_LOG_MAX (MACHINE_LOG_EACH * MACHINE_NR_EVENTS)

/* One corruption, as it was found. */
struct machine_event {
	uint64_t time_ns;
	uint64_t pa;		/* of the line */
	uint64_t va;		/* the CPU access that met it; 0 for a device's or an eviction's */
	uint8_t kind;		/* enum cmasim_coherence_event or MACHINE_STRAY_FREED */
	bool alias;		/* the line's frame had a cacheable linear entry and an uncached mapping */
};

struct machine {
	const struct cmasim_config *cfg;
	const struct cmasim_eventq *q;	/* the run's clock, for the log; set by the engine */
	struct cmasim_mmu *mmu;
	struct cmasim_cache *cache;
	struct cmasim_coherence *coh;
	struct cmasim_mmu_layout layout;
	uint64_t rng;			/* random access patterns */
	uint64_t cursor[CMASIM_CPU_CMA + 1];	/* where the next sequential region access starts */
	struct cmasim_mem *mem;
	uint64_t cma_first, cma_end;	/* lowmem pfns from the first CMA pageblock to past the last */
	bool cma_known;			/* those are found (the policy's boot placed the areas) */
	uint64_t faults;		/* CPU accesses that found no mapping */
	uint64_t uncached_accesses;	/* CPU accesses that bypassed the cache */
	uint64_t uncached_hits;		/* of those, accesses that used a copy an alias left */
	uint64_t stray_freed;		/* lines a freed uncached buffer left cached */
	uint64_t access_va;		/* the line a CPU access is at, for the log; 0 between */
	/* the last frame_noncacheable() answer, for the fills of a page's lines */
	struct {
		uint64_t pfn, generation;
		bool noncacheable;
	} nc_memo;
	unsigned int nr_log;
	uint8_t nr_logged[MACHINE_NR_EVENTS];	/* of each kind in the log */
	struct machine_event log[MACHINE_LOG_MAX];
};

/* Builds the mappings and the cache of @mem's machine; false with @error. */
bool machine_init(struct machine *m, struct cmasim_mem *mem, uint64_t seed, GError **error);
void machine_destroy(struct machine *m);

struct cmasim_sim;

/*
 * CPU accesses of @rec (an op cpu record) through [@va, @va + @len) when
 * the target is a buffer, on @sim's machine: their TLB misses, line fills,
 * write-backs and uncached accesses are charged.
 */
void machine_cpu(struct cmasim_sim *sim, const struct cmasim_record *rec, uint64_t va,
		 uint64_t len);

/*
 * Before @buf's own uncached mapping goes (dma_free): counts the lines of
 * its frames still cached through their linear-map alias, which the
 * frames' next owner inherits.
 */
void machine_uncached_unmap(struct machine *m, const struct cmasim_dma_buffer *buf);

/*
 * A device's transfer of @bytes between memory and the buffer mapped at
 * @va on frames from @pfn: @to_device reads memory, else writes it. A
 * device that snoops the caches (@coherent) sees and updates cached data.
 */
void machine_dma(struct machine *m, uint64_t va, uint64_t pfn, uint64_t bytes, bool to_device,
		 bool coherent);

/* dmamap.c: whether the CPU maps @buf only through its own uncached or write-combined vmap. */
bool dmamap_noncached(const struct cmasim_dma_buffer *buf);

/* engine.c: the running simulation's machine and figures, for the policy helpers. */
struct machine *cmasim__sim_machine(struct cmasim_sim *sim);
struct cmasim_results *cmasim__sim_results(struct cmasim_sim *sim);

/* Adds the machine's counts, and the first corruptions described, to @r at the end of a run. */
void machine_collect(const struct machine *m, struct cmasim_results *r);

#endif

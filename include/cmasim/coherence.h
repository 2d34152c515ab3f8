/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Coherence between the CPU's data cache, memory and devices, for the
 * frames that matter: those of DMA buffers, tracked while they are
 * allocated. Every write, by the CPU or a device, makes a new version of a
 * line; memory and each cached copy hold one. Comparing them finds the
 * four ways a mismatched-attribute alias or a missing cache maintenance
 * corrupts data:
 *  - an attribute alias: a cacheable line filled (or already present) for a
 *    frame that some live mapping holds uncached or write-combined;
 *  - a stale CPU read: a cached copy older than memory;
 *  - a stale device read: memory older than a dirty cached copy;
 *  - a clobber: a dirty copy written back over data a device wrote since
 *    the copy was filled.
 * Memory use is proportional to the tracked frames, never to all of RAM.
 */
#ifndef CMASIM_COHERENCE_H
#define CMASIM_COHERENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "cmasim/cache.h"

/* What was found since the model was made; lines unless said otherwise. */
struct cmasim_coherence_counts {
	uint64_t alias_demand;		/* demand fills of a line with a live non-cacheable mapping */
	uint64_t alias_speculative;	/* prefetch and speculative fills of such lines */
	uint64_t alias_present;		/* lines cached when a non-cacheable mapping was made */
	uint64_t stale_cpu_reads;	/* CPU reads of a cached copy older than memory */
	uint64_t stale_device_reads;	/* device reads of memory a dirty cached copy overtook */
	uint64_t clobbers;		/* write-backs over data a device wrote after the fill */
};

/* The corruptions the model finds, one line each. */
enum cmasim_coherence_event {
	CMASIM_COH_STALE_CPU_READ,
	CMASIM_COH_STALE_DEVICE_READ,
	CMASIM_COH_CLOBBER,
	CMASIM_NR_COH_EVENTS,
};

/* Hears each corruption as it is counted: @kind at the line of physical @pa. */
typedef void (*cmasim_coherence_event_fn)(void *ctx, enum cmasim_coherence_event kind,
					  uint64_t pa);

/* Whether some live mapping of RAM frame @pfn is uncached or write-combined. */
typedef bool (*cmasim_noncacheable_fn)(void *ctx, uint64_t pfn);

struct cmasim_coherence;

/* A model for pages of 2^@page_shift bytes and cache lines of @line_size bytes. */
struct cmasim_coherence *cmasim_coherence_new(unsigned int page_shift, unsigned int line_size,
					      cmasim_noncacheable_fn noncacheable, void *ctx);
void cmasim_coherence_free(struct cmasim_coherence *coh);
/* Makes @fn hear every corruption from now on (NULL: nobody). */
void cmasim_coherence_on_event(struct cmasim_coherence *coh, cmasim_coherence_event_fn fn,
			       void *ctx);

/* Is @va mapped cacheable now, and where (the speculative prefetcher's question)? */
typedef bool (*cmasim_translate_fn)(void *ctx, uint64_t va, uint64_t *pa);

/*
 * Fills @hooks for the cache with the model's hooks (ctx the model), whose
 * translate asks @translate with @translate_ctx: the caller knows the
 * mappings.
 */
void cmasim_coherence_hooks(struct cmasim_coherence *coh, cmasim_translate_fn translate,
			    void *translate_ctx, struct cmasim_cache_hooks *hooks);

/* Starts tracking frames [@pfn, @pfn + @nr): memory holds a new version of each line. */
void cmasim_coherence_track(struct cmasim_coherence *coh, uint64_t pfn, uint64_t nr);
/* Stops tracking them (the buffer was freed). */
void cmasim_coherence_untrack(struct cmasim_coherence *coh, uint64_t pfn, uint64_t nr);
/* Whether frame @pfn is tracked: part of a DMA buffer. */
bool cmasim_coherence_tracked(struct cmasim_coherence *coh, uint64_t pfn);
/* Counts @lines cached lines that a new non-cacheable mapping now aliases. */
void cmasim_coherence_alias_present(struct cmasim_coherence *coh, uint64_t lines);

/*
 * Memory at physical [@pa, @pa + @len) is written without the cache: by a
 * device (@device), or by the CPU through an uncached or write-combined
 * mapping.
 */
void cmasim_coherence_memory_write(struct cmasim_coherence *coh, uint64_t pa, uint64_t len,
				   bool device);
/* A device that does not snoop the caches reads memory at [@pa, @pa + @len). */
void cmasim_coherence_device_read(struct cmasim_coherence *coh, uint64_t pa, uint64_t len);

const struct cmasim_coherence_counts *cmasim_coherence_counts(const struct cmasim_coherence *coh);

#endif

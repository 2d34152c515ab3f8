/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kernel's page allocator as ftrace saw it, turned into a workload: the
 * kmem and cma events of tracefs's trace (or trace_pipe) text, or of
 * `trace-cmd report`, as allocs and frees at their pfns and the DMA
 * requests of CMA allocations. The trace may be gzipped.
 *
 * Which events become what:
 *  - with mm_page_alloc_zone_locked and mm_page_pcpu_drain in the trace,
 *    the buddy allocator's own view: a page leaving its free lists
 *    (alloc_zone_locked) is an alloc at its pfn, a page coming back (a
 *    drain, or mm_page_free of an order the per-cpu lists do not take)
 *    a free by pfn; pages on per-cpu lists count as allocated, as
 *    kpageflags shows them. mm_page_alloc and mm_page_free of the orders
 *    per-cpu lists take only say which pages those lists hold.
 *  - without them, every mm_page_alloc is an alloc and every
 *    mm_page_free a free, as if no page stopped on a per-cpu list.
 *  - mm_page_free_batched repeats an mm_page_free and is skipped;
 *    mm_page_alloc_extfrag and cma_alloc_busy_retry are counted.
 *  - cma_alloc_start (or the older cma_alloc) is a dma_alloc of a device
 *    named after the area, cma_release of a buffer the trace allocated its
 *    dma_free; the policy then decides where and whether it succeeds.
 * Lines "cmasim-snapshot LABEL kpageflags begin" and "... end BYTES" that
 * scripts/capture-snapshot writes into the trace mark when a snapshot
 * read kpageflags: an event on a pfn the first snapshot read after it is
 * in that snapshot already and left out, as is one on a pfn the last
 * snapshot read before it (kpageflags is read in pfn order at a steady
 * pace, so when a pfn was read is interpolated).
 */
#ifndef CMASIM_FTRACE_H
#define CMASIM_FTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct cmasim_ftrace_options {
	const char *name;		/* the workload's name */
	const char *machine;		/* its machine: line, or NULL for none */
	uint64_t page_size;		/* bytes of a page, for the DMA requests' sizes */
};

/* What an import read and wrote. */
struct cmasim_ftrace_stats {
	uint64_t lines;			/* of the trace */
	uint64_t events;		/* events of the kinds it knows */
	uint64_t unknown;		/* other events, skipped */
	bool buddy_view;		/* it had alloc_zone_locked or pcpu_drain events */
	uint64_t clipped;		/* page events a snapshot already held, or did not yet */
	uint64_t failed_allocs;		/* mm_page_alloc of no page */
	uint64_t duplicates;		/* mm_page_free_batched, skipped */
	uint64_t extfrag;		/* mm_page_alloc_extfrag */
	uint64_t busy_retries;		/* cma_alloc_busy_retry */
	uint64_t cma_failed;		/* CMA allocations the kernel failed */
	uint64_t orphan_releases;	/* cma_release of a buffer from before the trace */
	uint64_t allocs, frees;		/* alloc and free events written */
	uint64_t dma_allocs, dma_frees;	/* dma_alloc and dma_free events written */
	uint64_t first_ns, last_ns;	/* trace times the workload's 0 and end stand for */
};

/*
 * Reads the trace in @data (@source names it in messages) and writes the
 * workload YAML into @out. Unknown events are counted and skipped; a line
 * that is not an event, an event that misses a field, time going
 * backwards, or lost events are errors "source:line:column: ...".
 */
bool cmasim_ftrace_import(const char *source, GBytes *data,
			  const struct cmasim_ftrace_options *opts, GString *out,
			  struct cmasim_ftrace_stats *st, GError **error);

#endif

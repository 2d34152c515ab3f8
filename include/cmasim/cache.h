/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPU's data cache: a set-associative cache with true LRU per set,
 * indexed and tagged by physical or virtual address (PIPT, VIPT, VIVT),
 * write-back or write-through, with an optional prefetcher. Built from
 * struct cmasim_cache_config; it counts what it does and, through optional
 * hooks, tells a coherence model every copy that comes, changes and goes.
 *
 * Addresses are byte addresses. An access or maintained range is taken to
 * be contiguous both virtually from @va and physically from @pa: split one
 * that crosses into a page mapped elsewhere. A VIVT cache finds lines by
 * virtual address alone, whatever the address maps now: flush it when a
 * mapping changes, as the kernel does. Nothing here costs simulated time;
 * maintenance returns its line operations so the caller can charge them
 * (cache_line_op_ns, cache_flush_all_ns).
 */
#ifndef CMASIM_CACHE_H
#define CMASIM_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "cmasim/config.h"

/* Largest prefetch_degree a config may ask for. */
#define CMASIM_PREFETCH_DEGREE_MAX 64

/* Largest number of lines a cache may have (a 1 GiB cache of 64-byte lines). */
#define CMASIM_CACHE_LINES_MAX (UINT64_C(1) << 24)

/* The version write() receives when a write misses and does not allocate (see below). */
#define CMASIM_CACHE_NO_COPY UINT32_MAX

struct cmasim_cache;

/* Why a line came into the cache. */
enum cmasim_fill_kind {
	CMASIM_FILL_DEMAND,		/* a CPU access missed */
	CMASIM_FILL_PREFETCH,		/* next-line or stride prefetch */
	CMASIM_FILL_SPECULATIVE,	/* speculative prefetch through a cacheable mapping */
};

/*
 * What a coherence model hears. Every hook may be NULL; with all of them
 * NULL the cache keeps version 0 in every line and costs nothing more.
 * Physical addresses passed to hooks are line-aligned; @va of fill() too.
 * Within one access the order is: for each line the access touches, the
 * eviction of a victim (writeback() if dirty), fill(), then read() on a
 * hit or write(); on a write-through write, writeback() right after
 * write(). Prefetch fills follow the demand access that triggered them.
 * A clean copy leaves unheard: memory holds what it holds, so its going
 * changes nothing a model of memory and devices can see.
 */
struct cmasim_cache_hooks {
	void *ctx;	/* passed to every hook */
	/* a copy of physical line @pa comes in through @va; returns the version the copy holds */
	uint32_t (*fill)(void *ctx, uint64_t va, uint64_t pa, enum cmasim_fill_kind kind);
	/* dirty data of @pa with @version goes to memory (eviction, clean, or a write-through write) */
	void (*writeback)(void *ctx, uint64_t pa, uint32_t version);
	/* a dirty copy of @pa holding @version is invalidated unwritten: its data is lost */
	void (*discard)(void *ctx, uint64_t pa, uint32_t version);
	/* a hit: the CPU reads @pa's copy that holds @version (a miss reads what fill() gave) */
	void (*read)(void *ctx, uint64_t pa, uint32_t version);
	/*
	 * The CPU writes @pa's copy that held @version; returns the version it
	 * holds now. A write that misses without write_allocate writes memory
	 * around the cache: @version is CMASIM_CACHE_NO_COPY, and writeback()
	 * follows with the version returned. An uncached write that hits a
	 * copy writes memory too: @version is CMASIM_CACHE_NO_COPY, and the
	 * copy, dirty, holds the version returned.
	 */
	uint32_t (*write)(void *ctx, uint64_t pa, uint32_t version);
	/*
	 * Speculative prefetcher: is @va mapped cacheable now? Sets *@pa if so.
	 * Without this hook the speculative prefetcher fills nothing, since no
	 * mapping is known to be cacheable.
	 */
	bool (*translate)(void *ctx, uint64_t va, uint64_t *pa);
};

/* CPU accesses of one direction. An access that straddles lines is one access, one miss at most. */
struct cmasim_cache_counts {
	uint64_t accesses;
	uint64_t hits;		/* every line it touched was present */
	uint64_t misses;	/* at least one line was not */
	uint64_t writebacks;	/* dirty lines evicted by the fills of these accesses */
};

/* What a cache did since it was made; all derived. */
struct cmasim_cache_stats {
	struct cmasim_cache_counts read;	/* loads (and modifies' reads) */
	struct cmasim_cache_counts write;	/* stores */
	uint64_t prefetch_fills;	/* lines next-line or stride prefetch brought in */
	uint64_t speculative_fills;	/* lines the speculative prefetcher brought in */
	uint64_t prefetch_writebacks;	/* dirty lines evicted by prefetch or speculative fills */
	uint64_t maintenance_writebacks; /* dirty lines written back by clean or flush */
	uint64_t dirty_invalidates;	/* dirty lines invalidated without write-back: data lost */
	/*
	 * Fills that made a second copy of a physical line: VIPT, another set
	 * (page colour) held it; VIVT, another virtual address held it (a
	 * synonym). Always 0 for PIPT.
	 */
	uint64_t aliases;
};

/* Host bytes the lines of a cache of @cc take. */
uint64_t cmasim_cache_host_bytes(const struct cmasim_cache_config *cc);

/*
 * A cache of geometry @cc on pages of 2^@page_shift bytes; @seed drives the
 * speculative prefetcher. Returns NULL with @error (CMASIM_ERROR_VALUE or
 * _LAYOUT) when the geometry is impossible.
 */
struct cmasim_cache *cmasim_cache_new(const struct cmasim_cache_config *cc, unsigned int page_shift,
				      uint64_t seed, GError **error);

void cmasim_cache_free(struct cmasim_cache *cache);

/* Installs @hooks (copied), or removes them all with NULL. */
void cmasim_cache_set_hooks(struct cmasim_cache *cache, const struct cmasim_cache_hooks *hooks);

/* One CPU load or store of @size bytes (at least 1) at virtual @va, physical @pa. */
void cmasim_cache_access(struct cmasim_cache *cache, uint64_t va, uint64_t pa, uint32_t size,
			 bool write);
/*
 * @n CPU loads or stores of a line's size each, from @va, @pa on: the
 * same as @n calls of cmasim_cache_access() a line apart (each straddles
 * two lines if @va is not aligned), one call's cost. *@at, unless @at is
 * NULL, is each access's @va before it is made, for a hook's listener
 * that wants to know which access it hears.
 */
void cmasim_cache_access_lines(struct cmasim_cache *cache, uint64_t va, uint64_t pa, uint64_t n,
			       bool write, uint64_t *at);

/*
 * An uncached or write-combined access of the line holding @pa, on a core
 * whose non-cacheable accesses look the cache up (mismatched memory
 * attributes: the ARM ARM makes the outcome UNPREDICTABLE, and some cores
 * use the lookup's "unexpected hit"). @va is where a cacheable alias would
 * have put the line: its address in that alias. Returns false, changing
 * nothing, when no copy is there; else a read returns the copy (read()),
 * and a write updates it, marks it dirty and goes to memory too
 * (write() with CMASIM_CACHE_NO_COPY), as an early ARM core documents its
 * forced non-cacheable writes that hit. LRU order does not change: the
 * access did not allocate.
 */
bool cmasim_cache_uncached_access(struct cmasim_cache *cache, uint64_t va, uint64_t pa,
				  bool write);

/*
 * For a cache configured with uncached_hits: false when no line of the
 * page holding @va/@pa can be in it, so that cmasim_cache_uncached_access()
 * of each would find none; true when one may be.
 */
bool cmasim_cache_may_hold_page(const struct cmasim_cache *cache, uint64_t va, uint64_t pa);

/*
 * Whether the indexing finds a copy of the line holding @va/@pa, and if so
 * whether it is dirty (in *@dirty, unless NULL). Changes nothing, LRU order
 * included.
 */
bool cmasim_cache_probe(const struct cmasim_cache *cache, uint64_t va, uint64_t pa, bool *dirty);
/*
 * How many lines of [@va, @va + @len) (physical @pa) are present: what
 * cmasim_cache_probe() of each would find, at the cost of the smaller of
 * the range and the cache.
 */
uint64_t cmasim_cache_count_present(struct cmasim_cache *cache, uint64_t va, uint64_t pa,
				    uint64_t len);

/*
 * Maintenance by address over the lines of [@va, @va + @len), found as the
 * indexing finds them (PIPT by @pa; VIPT set by @va, tag by @pa; VIVT by
 * @va), as ARM's DCCMVAC, DCIMVAC and DCCIMVAC do one line at a time. Each
 * returns the number of line operations: every line of the range, present
 * or not.
 */
/* Writes dirty lines back and keeps them, clean. */
uint64_t cmasim_cache_clean(struct cmasim_cache *cache, uint64_t va, uint64_t pa, uint64_t len);
/* Drops the lines without writing them back; dirty data is lost. */
uint64_t cmasim_cache_invalidate(struct cmasim_cache *cache, uint64_t va, uint64_t pa,
				 uint64_t len);
/* Writes dirty lines back, then drops them. */
uint64_t cmasim_cache_clean_invalidate(struct cmasim_cache *cache, uint64_t va, uint64_t pa,
				       uint64_t len);

/* Cleans and invalidates the whole cache by set/way; returns sets x ways. */
uint64_t cmasim_cache_flush_all(struct cmasim_cache *cache);

/* The counters as they are now. */
struct cmasim_cache_stats cmasim_cache_stats(const struct cmasim_cache *cache);

#endif

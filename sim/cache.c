// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data cache, split as gem5 splits its caches:
 *
 *   indexing     the only place PIPT, VIPT and VIVT differ: which address
 *                picks the set and which gives the tag, one preset per mode;
 *   replacement  true LRU: each line keeps the access clock of its last use
 *                and the victim is the smallest (an invalid line has 0);
 *   prefetch     a prefetcher only proposes virtual line numbers; one issue
 *                path drops what is beyond prefetch_degree for the access,
 *                off the trigger's page (its physical address is unknown)
 *                or unmapped, and what is present already, then fills.
 *
 * A line is 16 bytes, key and stamp, and the lines are 64-byte aligned, so
 * that a 4-way set is one host cache line; the key holds the tag's whole
 * line number, so that any set's lines can be compared by physical line
 * when looking for aliases. Versions, and for VIVT each line's physical
 * line number, sit in side arrays that only fills, hooks and write-backs
 * touch.
 *
 * Hooks cost nothing when none is installed: the access path is inlined
 * several times, with `hooked` a constant in each: a lean copy for the
 * common one-line access with no hook and no prefetcher, a general copy
 * with hooks and one without, and for runs of lines (the machine's
 * cacheable accesses, always hooked) one per common way count as well.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/cache.h"
#include "cmasim/error.h"
#include "random.h"

#define KEY_VALID UINT64_C(1)
#define KEY_DIRTY UINT64_C(2)
#define KEY_SHIFT 2

/* The access path's helpers are G_ALWAYS_INLINE: each copy of the path is its own function body. */

struct line {
	uint64_t key;	/* tag's line number << KEY_SHIFT | KEY_DIRTY | KEY_VALID; 0 when invalid */
	uint64_t stamp;	/* the access clock at the last use; 0 when invalid */
};

/* Which address picks the set and which one gives the tag. */
struct indexing {
	bool set_by_va;
	bool tag_by_va;
};

static const struct indexing indexings[] = {
	[CMASIM_CACHE_PIPT] = { .set_by_va = false, .tag_by_va = false },
	[CMASIM_CACHE_VIPT] = { .set_by_va = true, .tag_by_va = false },
	[CMASIM_CACHE_VIVT] = { .set_by_va = true, .tag_by_va = true },
};

/* A demand access as the prefetchers see it. */
struct demand {
	uint64_t first;		/* virtual line number of its first byte */
	uint64_t last;		/* virtual line number of its last byte */
	bool miss;
};

struct cmasim_cache;

/* Writes up to CMASIM_PREFETCH_DEGREE_MAX virtual line numbers to prefetch into @out; how many. */
typedef unsigned int (*propose_fn)(struct cmasim_cache *c, const struct demand *d, uint64_t *out);

struct cmasim_cache {
	struct line *lines;		/* nr_sets x ways, set by set */
	uint32_t *versions;		/* per line: what fill() or write() returned, 0 without hooks */
	uint64_t *plines;		/* VIVT: each line's physical line number; NULL otherwise */
	uint64_t clock;			/* the last stamp given */
	uint64_t set_mask;		/* nr_sets - 1 */
	uint64_t nr_sets;
	unsigned int ways;
	unsigned int line_shift;	/* log2(line_size) */
	unsigned int page_lines_shift;	/* log2(lines in a page) */
	struct indexing ix;
	bool write_back;
	bool write_allocate;

	/* where else a physical line may sit: the same set in every page colour */
	bool check_aliases;		/* VIVT, or VIPT with a way larger than a page */
	unsigned int nr_colours;	/* way size / page size, at least 1 */
	uint64_t colour_mask;		/* set bits that come from the page offset */

	propose_fn propose;		/* NULL: no prefetcher */
	enum cmasim_fill_kind prefetch_kind;
	unsigned int degree;		/* most prefetch fills per demand access */
	uint64_t stride_last;		/* stride: first line of the last access */
	uint64_t stride;		/* stride: its distance from the one before, in lines */
	uint64_t rng;			/* speculative: splitmix64 state */
	uint64_t spec_threshold;	/* speculative: a draw below it speculates */
	bool spec_always;		/* speculative: spec_rate_ppm is a million */
	uint64_t spec_lines;		/* speculative: window, in lines either side */

	/*
	 * With uncached_hits: the lines each page has in the cache, counted
	 * in a slot its tag's page hashes to, so that an uncached access of a
	 * page with none need not look up each line. A shared slot only
	 * makes the look-ups happen; an empty one is never wrong.
	 */
	uint32_t *page_lines;
	unsigned int page_hash_shift;	/* 64 - log2(slots) */

	bool hooked;			/* some hook is set */
	bool lean;			/* no hook and no prefetcher: the fast path may run */
	struct cmasim_cache_hooks hooks;
	struct cmasim_cache_stats stats;
};

/* Indexing */

/* The set the indexing puts line @vline/@pline in. */
G_ALWAYS_INLINE
static inline uint64_t set_of(const struct cmasim_cache *c, uint64_t vline, uint64_t pline)
{
	return (c->ix.set_by_va ? vline : pline) & c->set_mask;
}

/* The tag's line number the indexing keeps for @vline/@pline. */
G_ALWAYS_INLINE
static inline uint64_t tag_of(const struct cmasim_cache *c, uint64_t vline, uint64_t pline)
{
	return c->ix.tag_by_va ? vline : pline;
}

/*
 * The line of @set holding tag @tline, or NULL. Every way is compared,
 * with no branch on the outcome: which way hits is not predictable, and a
 * mispredicted branch costs more than the extra compares. @ways is the
 * cache's, a constant where the caller is a copy for one way count.
 */
G_ALWAYS_INLINE
static inline struct line *lookup(const struct cmasim_cache *c, uint64_t set, uint64_t tline,
				  unsigned int ways)
{
	struct line *l = &c->lines[set * ways];
	uint64_t want = tline << KEY_SHIFT | KEY_VALID | KEY_DIRTY;
	unsigned int hit = ways;

	for (unsigned int w = 0; w < ways; w++)
		hit = (l[w].key | KEY_DIRTY) == want ? w : hit;
	return hit < ways ? &l[hit] : NULL;
}

/* The page_lines slot of the page holding tag line @tline. */
G_ALWAYS_INLINE
static inline uint32_t *page_slot(const struct cmasim_cache *c, uint64_t tline)
{
	return &c->page_lines[((tline >> c->page_lines_shift) * UINT64_C(0x9e3779b97f4a7c15)) >>
			      c->page_hash_shift];
}

/* Index of @l in the line arrays. */
G_ALWAYS_INLINE
static inline size_t line_index(const struct cmasim_cache *c, const struct line *l)
{
	return (size_t)(l - c->lines);
}

/* The physical address of valid line @l's first byte. */
G_ALWAYS_INLINE
static inline uint64_t line_pa(const struct cmasim_cache *c, const struct line *l)
{
	uint64_t pline = c->plines ? c->plines[line_index(c, l)] : l->key >> KEY_SHIFT;

	return pline << c->line_shift;
}

/*
 * Whether a copy of physical line @pline sits where a second one could:
 * set @set in every other page colour, and for VIVT @set itself under
 * another virtual tag (a VIPT set cannot hold one physical tag twice).
 */
static bool has_alias(const struct cmasim_cache *c, uint64_t set, uint64_t pline)
{
	uint64_t low = set & c->colour_mask;

	for (unsigned int colour = 0; colour < c->nr_colours; colour++) {
		uint64_t s = low | (uint64_t)colour << c->page_lines_shift;
		const struct line *l = &c->lines[s * c->ways];

		if (s == set && !c->ix.tag_by_va)
			continue;
		for (unsigned int w = 0; w < c->ways; w++)
			if ((l[w].key & KEY_VALID) && line_pa(c, &l[w]) >> c->line_shift == pline)
				return true;
	}
	return false;
}

/* Replacement */

/* LRU: the way of @set used longest ago, an invalid one first; branch-free as lookup(). */
G_ALWAYS_INLINE
static inline struct line *victim(const struct cmasim_cache *c, uint64_t set, unsigned int ways)
{
	struct line *l = &c->lines[set * ways];
	uint64_t oldest = l[0].stamp;
	unsigned int v = 0;

	for (unsigned int w = 1; w < ways; w++) {
		bool older = l[w].stamp < oldest;

		v = older ? w : v;
		oldest = older ? l[w].stamp : oldest;
	}
	return &l[v];
}

/* Marks @l used now. */
G_ALWAYS_INLINE
static inline void touch(struct cmasim_cache *c, struct line *l)
{
	l->stamp = ++c->clock;
}

/* Lines coming and going */

/* Writes valid line @l back if dirty and marks it clean; returns whether it was dirty. */
G_ALWAYS_INLINE
static inline bool write_back(struct cmasim_cache *c, struct line *l, bool hooked)
{
	if (!(l->key & KEY_DIRTY))
		return false;
	if (hooked && c->hooks.writeback)
		c->hooks.writeback(c->hooks.ctx, line_pa(c, l), c->versions[line_index(c, l)]);
	l->key &= ~KEY_DIRTY;
	return true;
}

/* Empties valid line @l without writing it back: dirty, its data is lost. */
G_ALWAYS_INLINE
static inline void drop(struct cmasim_cache *c, struct line *l, bool hooked)
{
	if (hooked && c->hooks.discard && (l->key & KEY_DIRTY))
		c->hooks.discard(c->hooks.ctx, line_pa(c, l), c->versions[line_index(c, l)]);
	if (c->page_lines)
		(*page_slot(c, l->key >> KEY_SHIFT))--;
	*l = (struct line){ 0 };
}

/*
 * Brings physical line @pline into @set of a cache of @ways through
 * virtual line @vline in place of the LRU line, which is written back
 * first if dirty (counted in *@writebacks). Returns the new line, used now.
 */
G_ALWAYS_INLINE
static inline struct line *fill(struct cmasim_cache *c, uint64_t set, unsigned int ways,
				uint64_t vline, uint64_t pline, enum cmasim_fill_kind kind,
				uint64_t *writebacks, bool hooked)
{
	struct line *l = victim(c, set, ways);
	size_t i = line_index(c, l);

	if (l->key & KEY_VALID) {
		if (write_back(c, l, hooked))
			(*writebacks)++;
		drop(c, l, hooked);
	}
	if (c->check_aliases && has_alias(c, set, pline))
		c->stats.aliases++;
	l->key = tag_of(c, vline, pline) << KEY_SHIFT | KEY_VALID;
	if (c->page_lines)
		(*page_slot(c, l->key >> KEY_SHIFT))++;
	touch(c, l);
	if (c->plines)
		c->plines[i] = pline;
	c->versions[i] = hooked && c->hooks.fill
		? c->hooks.fill(c->hooks.ctx, vline << c->line_shift, pline << c->line_shift, kind)
		: 0;
	return l;
}

/* Prefetch */

/* Next-line: a demand miss fetches the lines after the access's last. */
static unsigned int propose_next_line(struct cmasim_cache *c, const struct demand *d, uint64_t *out)
{
	if (!d->miss)
		return 0;
	for (unsigned int k = 0; k < c->degree; k++)
		out[k] = d->last + 1 + k;
	return c->degree;
}

/*
 * Stride: one stream, no program counter. An access whose first line is
 * as far from the last access's as that one was from the one before
 * fetches the lines at that stride ahead of it. Repeats of a line are not
 * strides and change nothing.
 */
static unsigned int propose_stride(struct cmasim_cache *c, const struct demand *d, uint64_t *out)
{
	uint64_t stride = d->first - c->stride_last;	/* modulo 2^64: negative strides too */
	unsigned int n = 0;

	if (!stride)
		return 0;
	if (stride == c->stride)
		for (; n < c->degree; n++)
			out[n] = d->first + (n + 1) * stride;
	c->stride = stride;
	c->stride_last = d->first;
	return n;
}

/*
 * Speculative: with probability spec_rate_ppm / 10^6 per demand access
 * (the draw is speculates(), on the access path, since most accesses do
 * not), one line drawn uniformly from the window of spec_window bytes
 * either side of the access's first line (that line included).
 */
static unsigned int propose_speculative(struct cmasim_cache *c, const struct demand *d,
					uint64_t *out)
{
	uint64_t width = 2 * c->spec_lines + 1;

	/* uniform below width without a division: the high half of a product */
	out[0] = d->first - c->spec_lines +
		 (uint64_t)(((unsigned __int128)cmasim_splitmix64(&c->rng) * width) >> 64);
	return 1;
}

static const propose_fn proposers[] = {
	[CMASIM_PREFETCH_NONE] = NULL,
	[CMASIM_PREFETCH_NEXT_LINE] = propose_next_line,
	[CMASIM_PREFETCH_STRIDE] = propose_stride,
	[CMASIM_PREFETCH_SPECULATIVE] = propose_speculative,
};

/*
 * The one issue path: asks the prefetcher about demand access @d at
 * virtual line d->first, physical line @pfirst, and fills what it proposes
 * that is allowed and absent. A speculative line is filled only through a
 * mapping translate() calls cacheable; any other stays on the trigger's
 * page, the only one whose physical address is known.
 */
static void prefetch(struct cmasim_cache *c, const struct demand *d, uint64_t pfirst)
{
	uint64_t cand[CMASIM_PREFETCH_DEGREE_MAX];
	unsigned int n = c->propose(c, d, cand);
	bool spec = c->prefetch_kind == CMASIM_FILL_SPECULATIVE;

	for (unsigned int i = 0; i < n && i < c->degree; i++) {
		uint64_t vline = cand[i], pline, pa, set;

		if (spec) {
			if (!c->hooks.translate ||
			    !c->hooks.translate(c->hooks.ctx, vline << c->line_shift, &pa))
				continue;
			pline = pa >> c->line_shift;
		} else {
			if ((vline ^ d->first) >> c->page_lines_shift)
				continue;
			pline = pfirst + (vline - d->first);
		}
		set = set_of(c, vline, pline);
		if (lookup(c, set, tag_of(c, vline, pline), c->ways))
			continue;
		fill(c, set, c->ways, vline, pline, c->prefetch_kind, &c->stats.prefetch_writebacks,
		     c->hooked);
		if (spec)
			c->stats.speculative_fills++;
		else
			c->stats.prefetch_fills++;
	}
}

/* Whether a demand access makes the speculative prefetcher propose; every access draws. */
G_ALWAYS_INLINE
static inline bool speculates(struct cmasim_cache *c)
{
	return cmasim_splitmix64(&c->rng) < c->spec_threshold || c->spec_always;
}

/* Demand accesses */

/*
 * One line of a demand access: virtual line @vline, physical @pline, in a
 * cache of @ways. Returns true on a miss.
 */
G_ALWAYS_INLINE
static inline bool access_line(struct cmasim_cache *c, uint64_t vline, uint64_t pline, bool write,
			       bool hooked, unsigned int ways)
{
	uint64_t set = set_of(c, vline, pline), pa = pline << c->line_shift;
	struct line *l = lookup(c, set, tag_of(c, vline, pline), ways);
	bool miss = !l;
	uint32_t *version;

	if (!miss) {
		touch(c, l);
	} else if (write && !c->write_allocate) {
		if (hooked && c->hooks.write) {
			uint32_t v = c->hooks.write(c->hooks.ctx, pa, CMASIM_CACHE_NO_COPY);

			if (c->hooks.writeback)
				c->hooks.writeback(c->hooks.ctx, pa, v);
		}
		return true;
	} else {
		l = fill(c, set, ways, vline, pline, CMASIM_FILL_DEMAND,
			 write ? &c->stats.write.writebacks : &c->stats.read.writebacks, hooked);
	}
	if (!write) {
		if (hooked && c->hooks.read && !miss)
			c->hooks.read(c->hooks.ctx, pa, c->versions[line_index(c, l)]);
		return miss;
	}
	version = &c->versions[line_index(c, l)];
	if (hooked && c->hooks.write)
		*version = c->hooks.write(c->hooks.ctx, pa, *version);
	if (c->write_back)
		l->key |= KEY_DIRTY;
	else if (hooked && c->hooks.writeback)
		c->hooks.writeback(c->hooks.ctx, pa, *version);
	return miss;
}

/* Counts demand access @d, at physical line @pfirst, in @n, and lets the prefetcher see it. */
G_ALWAYS_INLINE
static inline void demand_done(struct cmasim_cache *c, const struct demand *d, uint64_t pfirst,
			       struct cmasim_cache_counts *n)
{
	n->accesses++;
	n->misses += d->miss;
	if (c->propose && (c->prefetch_kind != CMASIM_FILL_SPECULATIVE || speculates(c)))
		prefetch(c, d, pfirst);
}

/*
 * A demand access touches every line it covers, in order, and counts as
 * one access that missed if any line missed: the rule of cachegrind's
 * cachesim_ref_is_miss() (cg_sim.c), extended past two lines.
 */
G_ALWAYS_INLINE
static inline void access_lines(struct cmasim_cache *c, uint64_t va, uint64_t pa, uint32_t size,
				bool write, bool hooked, unsigned int ways)
{
	struct demand d = {
		.first = va >> c->line_shift,
		.last = (va + size - 1) >> c->line_shift,
	};
	uint64_t pfirst = pa >> c->line_shift;
	struct cmasim_cache_counts *n = write ? &c->stats.write : &c->stats.read;

	d.miss = access_line(c, d.first, pfirst, write, hooked, ways);
	for (uint64_t v = d.first + 1; v <= d.last; v++)
		d.miss |= access_line(c, v, pfirst + (v - d.first), write, hooked, ways);
	demand_done(c, &d, pfirst, n);
}

/* Any access: hooks, a prefetcher, or more than one line. Out of line, off the lean path. */
static G_GNUC_NO_INLINE void access_any(struct cmasim_cache *c, uint64_t va, uint64_t pa,
					uint32_t size, bool write)
{
	if (c->hooked)
		access_lines(c, va, pa, size, write, true, c->ways);
	else
		access_lines(c, va, pa, size, write, false, c->ways);
}

void cmasim_cache_access(struct cmasim_cache *cache, uint64_t va, uint64_t pa, uint32_t size,
			 bool write)
{
	uint64_t first = va >> cache->line_shift;
	struct cmasim_cache_counts *n = write ? &cache->stats.write : &cache->stats.read;
	bool miss;

	g_return_if_fail(size > 0 && va + (size - 1) >= va && pa + (size - 1) >= pa);
	if (!cache->lean || first != (va + size - 1) >> cache->line_shift) {
		access_any(cache, va, pa, size, write);
		return;
	}
	/* the common case, one line and nobody listening, with nothing more than it needs */
	miss = access_line(cache, first, pa >> cache->line_shift, write, false, cache->ways);
	n->accesses++;
	n->misses += miss;
}

/*
 * cmasim_cache_access_lines(). An aligned run's accesses are one line
 * each, and skip building each one's range (a tenth of cma-flush's time).
 */
G_ALWAYS_INLINE
static inline void access_run(struct cmasim_cache *c, uint64_t va, uint64_t pa, uint64_t n,
			      bool write, uint64_t *at, bool hooked, unsigned int ways)
{
	uint32_t line = UINT32_C(1) << c->line_shift;
	struct cmasim_cache_counts *counts = write ? &c->stats.write : &c->stats.read;
	struct demand d;

	if ((va | pa) & (line - 1)) {
		for (uint64_t i = 0; i < n; i++, va += line, pa += line) {
			if (at)
				*at = va;
			access_lines(c, va, pa, line, write, hooked, ways);
		}
		return;
	}
	for (uint64_t i = 0, pline = pa >> c->line_shift; i < n; i++, pline++) {
		d.first = d.last = (va >> c->line_shift) + i;
		if (at)
			*at = d.first << c->line_shift;
		d.miss = access_line(c, d.first, pline, write, hooked, ways);
		demand_done(c, &d, pline, counts);
	}
}

/*
 * access_run() out of line, with @hooked and @ways constants in each
 * copy: one with hooks and one without for any way count, and with hooks
 * (as the machine's cacheable accesses always are) for the way counts of
 * most L1 data caches, whose comparison the compiler then unrolls.
 */
#define ACCESS_RUN(name, hooked, ways)								\
	static G_GNUC_NO_INLINE void name(struct cmasim_cache *c, uint64_t va, uint64_t pa,	\
					  uint64_t n, bool write, uint64_t *at)			\
	{											\
		access_run(c, va, pa, n, write, at, hooked, ways);				\
	}
ACCESS_RUN(run_plain, false, c->ways)
ACCESS_RUN(run_hooked, true, c->ways)
ACCESS_RUN(run_hooked_2, true, 2)
ACCESS_RUN(run_hooked_4, true, 4)
ACCESS_RUN(run_hooked_8, true, 8)

void cmasim_cache_access_lines(struct cmasim_cache *cache, uint64_t va, uint64_t pa, uint64_t n,
			       bool write, uint64_t *at)
{
	uint64_t bytes;

	/* what cmasim_cache_access() asks of each access, for the last */
	g_return_if_fail(!__builtin_mul_overflow(n, UINT64_C(1) << cache->line_shift, &bytes) &&
			 (!n || (va + (bytes - 1) >= va && pa + (bytes - 1) >= pa)));
	if (!cache->hooked)
		run_plain(cache, va, pa, n, write, at);
	else if (cache->ways == 2)
		run_hooked_2(cache, va, pa, n, write, at);
	else if (cache->ways == 4)
		run_hooked_4(cache, va, pa, n, write, at);
	else if (cache->ways == 8)
		run_hooked_8(cache, va, pa, n, write, at);
	else
		run_hooked(cache, va, pa, n, write, at);
}

bool cmasim_cache_uncached_access(struct cmasim_cache *cache, uint64_t va, uint64_t pa,
				  bool write)
{
	uint64_t vline = va >> cache->line_shift, pline = pa >> cache->line_shift;
	struct line *l = lookup(cache, set_of(cache, vline, pline), tag_of(cache, vline, pline),
				 cache->ways);
	const struct cmasim_cache_hooks *h = &cache->hooks;
	uint32_t *version;

	if (!l)
		return false;
	version = &cache->versions[line_index(cache, l)];
	pa = pline << cache->line_shift;
	if (!write) {
		if (h->read)
			h->read(h->ctx, pa, *version);
		return true;
	}
	/* memory takes the write, and the copy holds what memory does, dirty */
	if (h->write)
		*version = h->write(h->ctx, pa, CMASIM_CACHE_NO_COPY);
	if (cache->write_back)
		l->key |= KEY_DIRTY;
	return true;
}

bool cmasim_cache_may_hold_page(const struct cmasim_cache *cache, uint64_t va, uint64_t pa)
{
	uint64_t vline = va >> cache->line_shift, pline = pa >> cache->line_shift;

	g_return_val_if_fail(cache->page_lines, true);
	return *page_slot(cache, tag_of(cache, vline, pline)) != 0;
}

bool cmasim_cache_probe(const struct cmasim_cache *cache, uint64_t va, uint64_t pa, bool *dirty)
{
	uint64_t vline = va >> cache->line_shift, pline = pa >> cache->line_shift;
	const struct line *l = lookup(cache, set_of(cache, vline, pline),
				      tag_of(cache, vline, pline), cache->ways);

	if (l && dirty)
		*dirty = l->key & KEY_DIRTY;
	return l != NULL;
}

/* Maintenance */

enum {
	MAINT_CLEAN = 1u << 0,
	MAINT_INVALIDATE = 1u << 1,
};

/* Applies @ops to present line @l; counts what cleaning wrote back and what invalidating lost. */
static void maintain_line(struct cmasim_cache *c, struct line *l, unsigned int ops)
{
	if ((ops & MAINT_CLEAN) && write_back(c, l, c->hooked))
		c->stats.maintenance_writebacks++;
	if (ops & MAINT_INVALIDATE) {
		if (l->key & KEY_DIRTY)
			c->stats.dirty_invalidates++;
		drop(c, l, c->hooked);
	}
}

/*
 * maintain_range() for a range of more lines than the cache holds: each
 * valid line is the one a lookup of the range finds iff its tag is the
 * range's line v (by virtual or physical address, as the indexing tags)
 * and it sits in v's set. Lines are independent, so the order of the
 * walk changes nothing but its cost: the cache's size, not the range's.
 */
static uint64_t maintain_by_lines(struct cmasim_cache *c, uint64_t first, uint64_t last,
				  uint64_t pfirst, unsigned int ops)
{
	uint64_t found = 0;

	for (uint64_t set = 0; set < c->nr_sets; set++) {
		for (unsigned int w = 0; w < c->ways; w++) {
			struct line *l = &c->lines[set * c->ways + w];
			uint64_t tline = l->key >> KEY_SHIFT, v;

			if (!(l->key & KEY_VALID))
				continue;
			v = c->ix.tag_by_va ? tline : first + (tline - pfirst);
			if (v < first || v > last || set_of(c, v, pfirst + (v - first)) != set)
				continue;
			found++;
			maintain_line(c, l, ops);
		}
	}
	return found;
}

/*
 * Applies @ops (none: only counts) to every line of the range the
 * indexing finds, and puts how many in *@found; returns the number of
 * lines in the range.
 */
static uint64_t maintain_range(struct cmasim_cache *c, uint64_t va, uint64_t pa, uint64_t len,
			       unsigned int ops, uint64_t *found)
{
	uint64_t first = va >> c->line_shift, pfirst = pa >> c->line_shift, last;

	*found = 0;
	if (!len)
		return 0;
	g_return_val_if_fail(va + (len - 1) >= va && pa + (len - 1) >= pa, 0);
	last = (va + len - 1) >> c->line_shift;
	if (last - first >= c->nr_sets * c->ways) {
		*found = maintain_by_lines(c, first, last, pfirst, ops);
		return last - first + 1;
	}
	for (uint64_t v = first; v <= last; v++) {
		uint64_t pline = pfirst + (v - first);
		struct line *l = lookup(c, set_of(c, v, pline), tag_of(c, v, pline), c->ways);

		if (!l)
			continue;
		++*found;
		maintain_line(c, l, ops);
	}
	return last - first + 1;
}

uint64_t cmasim_cache_count_present(struct cmasim_cache *cache, uint64_t va, uint64_t pa,
				    uint64_t len)
{
	uint64_t found;

	maintain_range(cache, va, pa, len, 0, &found);
	return found;
}

uint64_t cmasim_cache_clean(struct cmasim_cache *cache, uint64_t va, uint64_t pa, uint64_t len)
{
	uint64_t found;

	return maintain_range(cache, va, pa, len, MAINT_CLEAN, &found);
}

uint64_t cmasim_cache_invalidate(struct cmasim_cache *cache, uint64_t va, uint64_t pa,
				 uint64_t len)
{
	uint64_t found;

	return maintain_range(cache, va, pa, len, MAINT_INVALIDATE, &found);
}

uint64_t cmasim_cache_clean_invalidate(struct cmasim_cache *cache, uint64_t va, uint64_t pa,
				       uint64_t len)
{
	uint64_t found;

	return maintain_range(cache, va, pa, len, MAINT_CLEAN | MAINT_INVALIDATE, &found);
}

uint64_t cmasim_cache_flush_all(struct cmasim_cache *cache)
{
	uint64_t nr_lines = cache->nr_sets * cache->ways;

	for (uint64_t i = 0; i < nr_lines; i++)
		if (cache->lines[i].key & KEY_VALID)
			maintain_line(cache, &cache->lines[i], MAINT_CLEAN | MAINT_INVALIDATE);
	return nr_lines;
}

/* Setup */

/* Whether @x is 1, 2, 4, ... */
static bool is_power_of_two(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* @n zeroed lines, 64-byte aligned; aborts when out of memory, as g_new() does. */
static struct line *lines_new(uint64_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, n * sizeof(struct line)))
		g_error("cache: out of memory for %" PRIu64 " lines", n);
	memset(p, 0, n * sizeof(struct line));
	return p;
}

/* log2 of power of two @x. */
static unsigned int log2_exact(uint64_t x)
{
	return (unsigned int)__builtin_ctzll(x);
}

/* Checks @cc against pages of 2^@page_shift bytes; sets @error on the first impossible value. */
static bool check_geometry(const struct cmasim_cache_config *cc, unsigned int page_shift,
			   GError **error)
{
	uint64_t page = UINT64_C(1) << page_shift, way_bytes;

	if (!cc->ways) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "cache: ways is 0 (expected 1 or more)");
		return false;
	}
	if (!is_power_of_two(cc->line_size) || cc->line_size < 4 || cc->line_size > page) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "cache: line_size %u bytes is not a power of two from 4 to the page size, "
			    "%" PRIu64 " (expected 32 or 64, say)", cc->line_size, page);
		return false;
	}
	way_bytes = (uint64_t)cc->ways * cc->line_size;
	if (!cc->size || cc->size % way_bytes) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
			    "cache: size %" PRIu64 " bytes is not ways x sets x line_size "
			    "(expected a multiple of %u x %u = %" PRIu64 " bytes)",
			    cc->size, cc->ways, cc->line_size, way_bytes);
		return false;
	}
	if (!is_power_of_two(cc->size / way_bytes)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
			    "cache: size %" PRIu64 " bytes in %u ways of %u-byte lines makes %" PRIu64
			    " sets (expected a power of two)",
			    cc->size, cc->ways, cc->line_size, cc->size / way_bytes);
		return false;
	}
	if (cc->size / cc->line_size > CMASIM_CACHE_LINES_MAX) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "cache: size %" PRIu64 " bytes makes %" PRIu64 " lines (expected at most %"
			    PRIu64 ")", cc->size, cc->size / cc->line_size, CMASIM_CACHE_LINES_MAX);
		return false;
	}
	if (cc->prefetch_degree > CMASIM_PREFETCH_DEGREE_MAX) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "cache: prefetch_degree %u (expected 0 to %u)", cc->prefetch_degree,
			    CMASIM_PREFETCH_DEGREE_MAX);
		return false;
	}
	if (cc->spec_rate_ppm > 1000000) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
			    "cache: spec_rate_ppm %" PRIu32 " (expected 0 to 1000000)",
			    cc->spec_rate_ppm);
		return false;
	}
	return true;
}

uint64_t cmasim_cache_host_bytes(const struct cmasim_cache_config *cc)
{
	uint64_t nr_lines = cc->line_size ? cc->size / cc->line_size : 0;
	bool tag_by_va = (unsigned int)cc->indexing < G_N_ELEMENTS(indexings) &&
			 indexings[cc->indexing].tag_by_va;

	return nr_lines * (sizeof(struct line) + sizeof(uint32_t) + (tag_by_va ? sizeof(uint64_t) : 0));
}

struct cmasim_cache *cmasim_cache_new(const struct cmasim_cache_config *cc, unsigned int page_shift,
				      uint64_t seed, GError **error)
{
	struct cmasim_cache *c;
	uint64_t nr_lines, way_bytes;

	g_return_val_if_fail(cc && page_shift >= 9 && page_shift <= 30, NULL);
	g_return_val_if_fail((unsigned int)cc->indexing < G_N_ELEMENTS(indexings), NULL);
	g_return_val_if_fail((unsigned int)cc->prefetcher < G_N_ELEMENTS(proposers), NULL);
	if (!check_geometry(cc, page_shift, error))
		return NULL;

	c = g_new0(struct cmasim_cache, 1);
	nr_lines = cc->size / cc->line_size;
	c->ways = cc->ways;
	c->nr_sets = nr_lines / cc->ways;
	c->set_mask = c->nr_sets - 1;
	c->line_shift = log2_exact(cc->line_size);
	c->page_lines_shift = page_shift - c->line_shift;
	c->ix = indexings[cc->indexing];
	c->write_back = cc->write_back;
	c->write_allocate = cc->write_allocate;
	c->lines = lines_new(nr_lines);
	c->versions = g_new0(uint32_t, nr_lines);
	if (c->ix.tag_by_va)
		c->plines = g_new0(uint64_t, nr_lines);
	if (cc->uncached_hits) {
		/* four slots a line at least, so that few pages share one */
		unsigned int bits = MAX(6, 2 + (unsigned int)g_bit_storage(nr_lines));

		c->page_lines = g_new0(uint32_t, (size_t)1 << bits);
		c->page_hash_shift = 64 - bits;
	}

	way_bytes = c->nr_sets << c->line_shift;
	c->nr_colours = way_bytes > (UINT64_C(1) << page_shift) ? (unsigned int)(way_bytes >> page_shift)
								 : 1;
	c->colour_mask = c->set_mask & ((UINT64_C(1) << c->page_lines_shift) - 1);
	c->check_aliases = c->ix.tag_by_va || (c->ix.set_by_va && c->nr_colours > 1);

	c->propose = proposers[cc->prefetcher];
	c->prefetch_kind = cc->prefetcher == CMASIM_PREFETCH_SPECULATIVE ? CMASIM_FILL_SPECULATIVE
									 : CMASIM_FILL_PREFETCH;
	if ((cc->prefetcher == CMASIM_PREFETCH_SPECULATIVE && !cc->spec_rate_ppm) ||
	    !cc->prefetch_degree)
		c->propose = NULL;
	c->degree = cc->prefetch_degree;
	c->rng = seed;
	c->spec_always = cc->spec_rate_ppm >= 1000000;
	c->spec_threshold = c->spec_always ? 0 : (uint64_t)(((unsigned __int128)cc->spec_rate_ppm << 64) /
							    1000000);
	c->spec_lines = cc->spec_window >> c->line_shift;
	c->lean = !c->propose;
	return c;
}

void cmasim_cache_free(struct cmasim_cache *cache)
{
	if (!cache)
		return;
	free(cache->lines);
	g_free(cache->versions);
	g_free(cache->plines);
	g_free(cache->page_lines);
	g_free(cache);
}

void cmasim_cache_set_hooks(struct cmasim_cache *cache, const struct cmasim_cache_hooks *hooks)
{
	cache->hooks = hooks ? *hooks : (struct cmasim_cache_hooks){ 0 };
	cache->hooked = hooks && (hooks->fill || hooks->writeback || hooks->discard ||
				  hooks->read || hooks->write || hooks->translate);
	cache->lean = !cache->hooked && !cache->propose;
}

struct cmasim_cache_stats cmasim_cache_stats(const struct cmasim_cache *cache)
{
	struct cmasim_cache_stats s = cache->stats;

	/* not counted as they happen: one increment fewer an access */
	s.read.hits = s.read.accesses - s.read.misses;
	s.write.hits = s.write.accesses - s.write.misses;
	return s;
}

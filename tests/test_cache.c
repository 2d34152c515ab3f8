// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data cache: geometry checks, hand-worked access sequences for each
 * indexing mode, write policy and prefetcher, maintenance, the coherence
 * hooks, and equality with cachegrind's D1 simulation on a recorded trace.
 *
 * Sets and tags in the comments: a line number is address >> log2(line);
 * its set is the line number modulo the number of sets.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmasim/addrtrace.h"
#include "cmasim/cache.h"
#include "cmasim/error.h"

#define PAGE_SHIFT 12
#define KiB 1024u

/* A write-back, write-allocate PIPT cache of @size bytes, @ways ways, @line-byte lines. */
static struct cmasim_cache_config geometry(uint64_t size, unsigned int ways, unsigned int line)
{
	return (struct cmasim_cache_config){
		.size = size, .ways = ways, .line_size = line, .indexing = CMASIM_CACHE_PIPT,
		.write_back = true, .write_allocate = true, .prefetcher = CMASIM_PREFETCH_NONE,
		.prefetch_degree = 1, .spec_window = 4096, .spec_rate_ppm = 0,
	};
}

/* A cache of @cc seeded with @seed; fails the test if it is refused. */
static struct cmasim_cache *make(const struct cmasim_cache_config *cc, uint64_t seed)
{
	GError *error = NULL;
	struct cmasim_cache *c = cmasim_cache_new(cc, PAGE_SHIFT, seed, &error);

	cr_assert_not_null(c, "%s", error ? error->message : "no error");
	return c;
}

/* A load of @size bytes at @va/@pa. */
static void rd(struct cmasim_cache *c, uint64_t va, uint64_t pa, uint32_t size)
{
	cmasim_cache_access(c, va, pa, size, false);
}

/* A store of @size bytes at @va/@pa. */
static void wr(struct cmasim_cache *c, uint64_t va, uint64_t pa, uint32_t size)
{
	cmasim_cache_access(c, va, pa, size, true);
}

/* Asserts one direction's counters. */
#define expect_counts(n, acc, hit, miss, wb)                                                   \
	do {                                                                                    \
		cr_expect_eq((n).accesses, (acc), "accesses %" PRIu64, (n).accesses);          \
		cr_expect_eq((n).hits, (hit), "hits %" PRIu64, (n).hits);                      \
		cr_expect_eq((n).misses, (miss), "misses %" PRIu64, (n).misses);               \
		cr_expect_eq((n).writebacks, (wb), "writebacks %" PRIu64, (n).writebacks);     \
	} while (0)

/* Whether the line of @va/@pa is cached. */
static bool present(const struct cmasim_cache *c, uint64_t va, uint64_t pa)
{
	return cmasim_cache_probe(c, va, pa, NULL);
}

/* Whether the line of @va/@pa is dirty; fails the test if it is not cached. */
static bool dirty(const struct cmasim_cache *c, uint64_t va, uint64_t pa)
{
	bool d = false;

	cr_assert(cmasim_cache_probe(c, va, pa, &d), "%#" PRIx64 " is not cached", va);
	return d;
}

/* Geometry */

struct bad_geometry {
	uint64_t size;
	unsigned int ways, line, degree;
	uint32_t rate;
	int code;
	const char *message;
};

Test(cache, impossible_geometries_are_refused_with_the_value_and_what_is_expected)
{
	static const struct bad_geometry rows[] = {
		{ 32 * KiB, 0, 64, 1, 0, CMASIM_ERROR_VALUE,
		  "cache: ways is 0 (expected 1 or more)" },
		{ 32 * KiB, 4, 48, 1, 0, CMASIM_ERROR_VALUE,
		  "cache: line_size 48 bytes is not a power of two from 4 to the page size, 4096 "
		  "(expected 32 or 64, say)" },
		{ 32 * KiB, 4, 8192, 1, 0, CMASIM_ERROR_VALUE,
		  "cache: line_size 8192 bytes is not a power of two from 4 to the page size, 4096 "
		  "(expected 32 or 64, say)" },
		{ 3000, 4, 64, 1, 0, CMASIM_ERROR_LAYOUT,
		  "cache: size 3000 bytes is not ways x sets x line_size "
		  "(expected a multiple of 4 x 64 = 256 bytes)" },
		{ 0, 4, 64, 1, 0, CMASIM_ERROR_LAYOUT,
		  "cache: size 0 bytes is not ways x sets x line_size "
		  "(expected a multiple of 4 x 64 = 256 bytes)" },
		/* 24 KiB / (4 x 64) = 96 */
		{ 24 * KiB, 4, 64, 1, 0, CMASIM_ERROR_LAYOUT,
		  "cache: size 24576 bytes in 4 ways of 64-byte lines makes 96 sets "
		  "(expected a power of two)" },
		/* 2 GiB / 64 = 2^25 lines */
		{ UINT64_C(2) << 30, 4, 64, 1, 0, CMASIM_ERROR_VALUE,
		  "cache: size 2147483648 bytes makes 33554432 lines (expected at most 16777216)" },
		{ 32 * KiB, 4, 64, 65, 0, CMASIM_ERROR_VALUE,
		  "cache: prefetch_degree 65 (expected 0 to 64)" },
		{ 32 * KiB, 4, 64, 1, 1000001, CMASIM_ERROR_VALUE,
		  "cache: spec_rate_ppm 1000001 (expected 0 to 1000000)" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct cmasim_cache_config cc = geometry(rows[i].size, rows[i].ways, rows[i].line);
		GError *error = NULL;

		cc.prefetch_degree = rows[i].degree;
		cc.spec_rate_ppm = rows[i].rate;
		cr_expect_null(cmasim_cache_new(&cc, PAGE_SHIFT, 0, &error), "row %zu", i);
		cr_assert_not_null(error, "row %zu", i);
		cr_expect(g_error_matches(error, CMASIM_ERROR, rows[i].code), "row %zu: code %d", i,
			  error->code);
		cr_expect_str_eq(error->message, rows[i].message, "row %zu", i);
		g_error_free(error);
	}
}

Test(cache, usual_geometries_are_accepted)
{
	/* direct-mapped, fully associative (one set), and a 4-byte line */
	struct cmasim_cache_config cc[] = {
		geometry(1 * KiB, 1, 16), geometry(1 * KiB, 16, 64), geometry(256, 2, 4),
		geometry(8192 * KiB, 16, 64),
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cc); i++)
		cmasim_cache_free(make(&cc[i], 0));
}

/* PIPT */

Test(cache, pipt_lru_hits_misses_and_evictions)
{
	/* 256 bytes: 2 sets x 2 ways x 64; set = line & 1 */
	struct cmasim_cache_config cc = geometry(256, 2, 64);
	struct cmasim_cache *c = make(&cc, 0);

	rd(c, 0x000, 0x000, 4);		/* line 0, set 0: miss; set 0 = {0} */
	rd(c, 0x100, 0x100, 4);		/* line 4, set 0: miss; {0, 4} */
	rd(c, 0x000, 0x000, 4);		/* hit: line 0 is now the most recent */
	rd(c, 0x200, 0x200, 4);		/* line 8: miss, evicts 4, the LRU; {0, 8} */
	rd(c, 0x100, 0x100, 4);		/* line 4: miss, evicts 0 (used before 8); {8, 4} */
	rd(c, 0x200, 0x200, 4);		/* hit */
	rd(c, 0x000, 0x000, 4);		/* line 0: miss, evicts 4 (used before 8); {8, 0} */
	rd(c, 0x040, 0x040, 4);		/* line 1, set 1: miss */
	rd(c, 0x07c, 0x07c, 4);		/* line 1 again: hit */
	expect_counts(cmasim_cache_stats(c).read, 9, 3, 6, 0);
	expect_counts(cmasim_cache_stats(c).write, 0, 0, 0, 0);
	cr_expect(present(c, 0x000, 0x000));
	cr_expect(present(c, 0x23f, 0x23f));
	cr_expect(present(c, 0x040, 0x040));
	cr_expect_not(present(c, 0x100, 0x100));
	cr_expect_not(present(c, 0x0c0, 0x0c0));
	/* PIPT ignores the virtual address */
	cr_expect(present(c, 0xdead000, 0x000));
	cr_expect_eq(cmasim_cache_stats(c).aliases, 0);
	cmasim_cache_free(c);
}

/*
 * With uncached_hits the cache keeps, per page, whether it may hold a
 * line of it: an empty page answers no, a page with a line yes, until
 * its last line is evicted or invalidated. (Pages 0, 3 and 5 fall in
 * different slots of the 64 this cache has, so none answers for another.)
 */
Test(cache, may_hold_page_follows_fills_evictions_and_invalidations)
{
	/* 256 bytes: 2 sets x 2 ways x 64; set = line & 1 */
	struct cmasim_cache_config cc = geometry(256, 2, 64);
	struct cmasim_cache *c;

	cc.uncached_hits = true;
	c = make(&cc, 0);
	cr_expect_not(cmasim_cache_may_hold_page(c, 0x0000, 0x0000));
	cr_expect_not(cmasim_cache_may_hold_page(c, 0x5000, 0x5000));
	rd(c, 0x000, 0x000, 4);		/* page 0, set 0 */
	cr_expect(cmasim_cache_may_hold_page(c, 0xfc0, 0xfc0));
	rd(c, 0x100, 0x100, 4);
	rd(c, 0x200, 0x200, 4);		/* evicts line 0; set 0 holds lines 4 and 8 of page 0 */
	cr_expect(cmasim_cache_may_hold_page(c, 0x000, 0x000));
	rd(c, 0x5000, 0x5000, 4);
	rd(c, 0x5100, 0x5100, 4);	/* page 5 takes both ways of set 0 */
	cr_expect_not(cmasim_cache_may_hold_page(c, 0x000, 0x000));
	cr_expect(cmasim_cache_may_hold_page(c, 0x5000, 0x5000));
	cmasim_cache_clean_invalidate(c, 0x5000, 0x5000, 0x1000);
	cr_expect_not(cmasim_cache_may_hold_page(c, 0x5000, 0x5000));
	cmasim_cache_free(c);

	/* VIVT keeps lines by virtual tag: the page is the virtual one */
	cc.indexing = CMASIM_CACHE_VIVT;
	c = make(&cc, 0);
	rd(c, 0x3000, 0x0000, 4);
	cr_expect(cmasim_cache_may_hold_page(c, 0x3000, 0x7000));
	cr_expect_not(cmasim_cache_may_hold_page(c, 0x0000, 0x0000));
	cmasim_cache_free(c);
}

Test(cache, write_back_marks_dirty_and_writes_back_on_eviction)
{
	/* 128 bytes: one set of 2 ways x 64 */
	struct cmasim_cache_config cc = geometry(128, 2, 64);
	struct cmasim_cache *c = make(&cc, 0);

	wr(c, 0x000, 0x000, 8);		/* miss, allocates line 0 dirty */
	rd(c, 0x040, 0x040, 8);		/* miss, line 1 clean */
	cr_expect(dirty(c, 0x000, 0x000));
	cr_expect_not(dirty(c, 0x040, 0x040));
	rd(c, 0x080, 0x080, 8);		/* miss, evicts line 0, dirty: a read's write-back */
	wr(c, 0x040, 0x040, 8);		/* hit, line 1 dirty */
	wr(c, 0x0c0, 0x0c0, 8);		/* miss, evicts line 2 (read before line 1 was written), clean */
	rd(c, 0x100, 0x100, 8);		/* miss, evicts line 1, dirty: another read's write-back */
	expect_counts(cmasim_cache_stats(c).read, 3, 0, 3, 2);
	expect_counts(cmasim_cache_stats(c).write, 3, 1, 2, 0);
	cr_expect(dirty(c, 0x0c0, 0x0c0));
	cr_expect_not(dirty(c, 0x100, 0x100));
	rd(c, 0x000, 0x000, 8);		/* miss, evicts line 3, dirty */
	expect_counts(cmasim_cache_stats(c).read, 4, 0, 4, 3);
	cmasim_cache_free(c);
}

Test(cache, write_through_never_dirties_and_no_write_allocate_goes_around)
{
	struct cmasim_cache_config cc = geometry(128, 2, 64);
	struct cmasim_cache *c;

	cc.write_back = false;
	c = make(&cc, 0);
	wr(c, 0x000, 0x000, 4);		/* miss, allocated clean */
	wr(c, 0x004, 0x004, 4);		/* hit, still clean */
	cr_expect_not(dirty(c, 0x000, 0x000));
	rd(c, 0x040, 0x040, 4);		/* miss */
	rd(c, 0x080, 0x080, 4);		/* miss, evicts line 0: clean, no write-back */
	expect_counts(cmasim_cache_stats(c).write, 2, 1, 1, 0);
	expect_counts(cmasim_cache_stats(c).read, 2, 0, 2, 0);
	cmasim_cache_free(c);

	cc.write_allocate = false;
	c = make(&cc, 0);
	wr(c, 0x000, 0x000, 4);		/* miss, written around the cache */
	cr_expect_not(present(c, 0x000, 0x000));
	rd(c, 0x000, 0x000, 4);		/* miss, now cached */
	wr(c, 0x000, 0x000, 4);		/* hit */
	expect_counts(cmasim_cache_stats(c).write, 2, 1, 1, 0);
	expect_counts(cmasim_cache_stats(c).read, 1, 0, 1, 0);
	cmasim_cache_free(c);

	/* write-back without write-allocate: a missing write leaves no line either */
	cc.write_back = true;
	c = make(&cc, 0);
	wr(c, 0x100, 0x100, 4);
	cr_expect_not(present(c, 0x100, 0x100));
	rd(c, 0x100, 0x100, 4);
	wr(c, 0x100, 0x100, 4);		/* hit: dirty now */
	cr_expect(dirty(c, 0x100, 0x100));
	expect_counts(cmasim_cache_stats(c).write, 2, 1, 1, 0);
	cmasim_cache_free(c);
}

Test(cache, an_access_straddling_lines_is_one_access_and_one_miss_at_most)
{
	struct cmasim_cache_config cc = geometry(32 * KiB, 4, 64);
	struct cmasim_cache *c = make(&cc, 0);

	rd(c, 0x03c, 0x03c, 8);		/* lines 0 and 1, both miss: one miss */
	rd(c, 0x03c, 0x03c, 8);		/* both hit: one hit */
	rd(c, 0x07c, 0x07c, 8);		/* line 1 hits, line 2 misses: one miss */
	expect_counts(cmasim_cache_stats(c).read, 3, 1, 2, 0);
	cr_expect(present(c, 0x080, 0x080));
	wr(c, 0x100, 0x100, 200);	/* lines 4 to 7: one write, one miss, all four dirty */
	expect_counts(cmasim_cache_stats(c).write, 1, 0, 1, 0);
	for (uint64_t a = 0x100; a < 0x200; a += 64)
		cr_expect(dirty(c, a, a), "%#" PRIx64, a);
	cr_expect_not(present(c, 0x200, 0x200));
	cmasim_cache_free(c);
}

/* VIPT and VIVT */

Test(cache, vipt_with_a_way_larger_than_a_page_counts_aliases)
{
	/*
	 * 16 KiB, 2 ways, 64-byte lines: 128 sets, a way of 8 KiB on 4 KiB
	 * pages, so virtual address bit 12 picks one of two page colours.
	 * Physical line 0x5000 through virtual 0x1000 sits in set 64, through
	 * 0x2000 in set 0.
	 */
	struct cmasim_cache_config cc = geometry(16 * KiB, 2, 64);
	struct cmasim_cache *c;

	cc.indexing = CMASIM_CACHE_VIPT;
	c = make(&cc, 0);
	rd(c, 0x1000, 0x5000, 4);	/* set 64: miss */
	cr_expect_eq(cmasim_cache_stats(c).aliases, 0);
	rd(c, 0x2000, 0x5000, 4);	/* set 0: miss, and set 64 has the same physical line */
	cr_expect_eq(cmasim_cache_stats(c).aliases, 1);
	rd(c, 0x3000, 0x5000, 4);	/* colour 1 again, set 64: hit, the tag is physical */
	rd(c, 0x4000, 0x7000, 4);	/* set 0, another physical line: miss, no alias */
	expect_counts(cmasim_cache_stats(c).read, 4, 1, 3, 0);
	cr_expect_eq(cmasim_cache_stats(c).aliases, 1);
	cr_expect(present(c, 0x1000, 0x5000));
	cr_expect(present(c, 0x2000, 0x5000));

	/* a write through one alias dirties only its copy, and cleaning by the other misses it */
	wr(c, 0x1000, 0x5000, 4);
	cr_expect(dirty(c, 0x1000, 0x5000));
	cr_expect_not(dirty(c, 0x2000, 0x5000));
	cr_expect_eq(cmasim_cache_clean(c, 0x2000, 0x5000, 64), 1);
	cr_expect_eq(cmasim_cache_stats(c).maintenance_writebacks, 0);
	cr_expect(dirty(c, 0x1000, 0x5000));
	cmasim_cache_free(c);

	/* 8 KiB, 2 ways: a 4 KiB way, one colour, so VIPT behaves as PIPT */
	cc.size = 8 * KiB;
	c = make(&cc, 0);
	rd(c, 0x1000, 0x5000, 4);	/* set 0: miss */
	rd(c, 0x2000, 0x5000, 4);	/* set 0 again: hit */
	expect_counts(cmasim_cache_stats(c).read, 2, 1, 1, 0);
	cr_expect_eq(cmasim_cache_stats(c).aliases, 0);
	cmasim_cache_free(c);
}

Test(cache, vivt_counts_synonyms_and_writes_back_to_the_physical_line)
{
	/*
	 * 8 KiB, 2 ways, 64-byte lines: 64 sets, set = virtual bits 6-11.
	 * Virtual 0x1000 and 0x3000 both map physical 0x5000 and both land in
	 * set 0 under different virtual tags.
	 */
	struct cmasim_cache_config cc = geometry(8 * KiB, 2, 64);
	struct cmasim_cache *c;

	cc.indexing = CMASIM_CACHE_VIVT;
	c = make(&cc, 0);
	rd(c, 0x1000, 0x5000, 4);	/* miss */
	rd(c, 0x3000, 0x5000, 4);	/* miss: a second copy, a synonym */
	cr_expect_eq(cmasim_cache_stats(c).aliases, 1);
	rd(c, 0x1000, 0x5000, 4);	/* hit; 0x3000 is now the LRU of set 0 */
	wr(c, 0x3000, 0x5000, 4);	/* hit, dirty; 0x1000 is the LRU */
	rd(c, 0x7000, 0x9000, 4);	/* miss, evicts 0x1000, clean */
	cr_expect_not(present(c, 0x1000, 0x5000));
	rd(c, 0x5000, 0xa000, 4);	/* miss, evicts 0x3000, dirty: written back */
	expect_counts(cmasim_cache_stats(c).read, 5, 1, 4, 1);
	expect_counts(cmasim_cache_stats(c).write, 1, 1, 0, 0);
	cr_expect_eq(cmasim_cache_stats(c).aliases, 1);
	/* the tag is virtual: the same virtual line under another physical one hits */
	cr_expect(present(c, 0x7000, 0x1234000));
	cmasim_cache_free(c);

	/* 16 KiB, 2 ways: a synonym may also sit in the other page colour */
	cc.size = 16 * KiB;
	c = make(&cc, 0);
	rd(c, 0x1000, 0x5000, 4);	/* set 64 */
	rd(c, 0x2000, 0x5000, 4);	/* set 0: synonym in the other colour */
	rd(c, 0x2040, 0x5040, 4);	/* another physical line: none */
	cr_expect_eq(cmasim_cache_stats(c).aliases, 1);
	cmasim_cache_free(c);
}

/* Prefetchers */

Test(cache, next_line_fetches_after_a_miss_within_the_page)
{
	struct cmasim_cache_config cc = geometry(32 * KiB, 4, 64);
	struct cmasim_cache *c;

	cc.prefetcher = CMASIM_PREFETCH_NEXT_LINE;
	c = make(&cc, 0);
	rd(c, 0x0fc0, 0x0fc0, 4);	/* miss on the page's last line: 0x1000 is another page */
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 0);
	cr_expect_not(present(c, 0x1000, 0x1000));
	rd(c, 0x2000, 0x2000, 4);	/* miss: 0x2040 is fetched */
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 1);
	cr_expect(present(c, 0x2040, 0x2040));
	rd(c, 0x2040, 0x2040, 4);	/* hit: no prefetch on a hit */
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 1);
	cr_expect_not(present(c, 0x2080, 0x2080));
	rd(c, 0x2100, 0x2100, 4);	/* miss: 0x2140 */
	rd(c, 0x20c0, 0x20c0, 4);	/* miss: 0x2100 is there already, nothing fetched */
	expect_counts(cmasim_cache_stats(c).read, 5, 1, 4, 0);
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 2);
	cmasim_cache_free(c);

	/* degree 3 from line 0x3f40: 0x3f80 and 0x3fc0; 0x4000 is off the page */
	cc.prefetch_degree = 3;
	c = make(&cc, 0);
	rd(c, 0x3f40, 0x3f40, 4);
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 2);
	cr_expect(present(c, 0x3f80, 0x3f80));
	cr_expect(present(c, 0x3fc0, 0x3fc0));
	cr_expect_not(present(c, 0x4000, 0x4000));
	/* a straddling miss fetches after its last line: 0x5000 and 0x5040 missed, so 0x5080.. */
	rd(c, 0x503c, 0x503c, 8);
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 5);
	cr_expect(present(c, 0x5080, 0x5080));
	cr_expect(present(c, 0x5100, 0x5100));
	cr_expect_not(present(c, 0x5140, 0x5140));
	cmasim_cache_free(c);

	/* VIPT: the fetched line's physical address follows the trigger's page */
	cc.indexing = CMASIM_CACHE_VIPT;
	cc.prefetch_degree = 1;
	c = make(&cc, 0);
	rd(c, 0x1000, 0x8000, 4);
	cr_expect(present(c, 0x1040, 0x8040));
	cmasim_cache_free(c);
}

Test(cache, stride_detects_two_equal_strides_and_fetches_ahead)
{
	struct cmasim_cache_config cc = geometry(32 * KiB, 4, 64);
	struct cmasim_cache *c;

	cc.prefetcher = CMASIM_PREFETCH_STRIDE;
	c = make(&cc, 0);
	rd(c, 0x000, 0x000, 4);		/* line 0 */
	rd(c, 0x080, 0x080, 4);		/* line 2: stride 2, seen once */
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 0);
	rd(c, 0x100, 0x100, 4);		/* line 4: stride 2 twice, fetch line 6 */
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 1);
	cr_expect(present(c, 0x180, 0x180));
	rd(c, 0x180, 0x180, 4);		/* line 6: hit, stride 2 again, fetch line 8 */
	rd(c, 0x184, 0x184, 4);		/* line 6 again: not a stride, nothing changes */
	rd(c, 0x200, 0x200, 4);		/* line 8: hit, fetch line 10 */
	expect_counts(cmasim_cache_stats(c).read, 6, 3, 3, 0);
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 3);
	cr_expect(present(c, 0x280, 0x280));
	rd(c, 0x500, 0x500, 4);		/* line 20: stride 12, no fetch */
	rd(c, 0x540, 0x540, 4);		/* line 21: stride 1, no fetch */
	rd(c, 0x580, 0x580, 4);		/* line 22: stride 1 twice, fetch 23 */
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 4);
	cr_expect(present(c, 0x5c0, 0x5c0));
	/* a negative stride: lines 0x3f, 0x3d, 0x3b fetch 0x39 */
	rd(c, 0xfc0, 0xfc0, 4);
	rd(c, 0xf40, 0xf40, 4);
	rd(c, 0xec0, 0xec0, 4);
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 5);
	cr_expect(present(c, 0xe40, 0xe40));
	cmasim_cache_free(c);

	/* degree 2 at stride 1 from line 63: lines 64 and 65 are on the next page */
	cc.prefetch_degree = 2;
	c = make(&cc, 0);
	rd(c, 0xf40, 0xf40, 4);		/* line 61: a first stride from line 0 */
	rd(c, 0xf80, 0xf80, 4);		/* line 62: stride 1 */
	rd(c, 0xfc0, 0xfc0, 4);		/* line 63: stride 1 twice; 64 and 65 are off the page */
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 0);
	cmasim_cache_free(c);
}

/* Translation for the speculative tests: virtual [0x10000, 0x11000) is cacheable at +0x100000. */
struct spec_map {
	uint64_t translations;
	uint64_t cacheable;
	GString *log;
};

/* translate(): counts the calls, and maps only the page at 0x10000. */
static bool spec_translate(void *ctx, uint64_t va, uint64_t *pa)
{
	struct spec_map *m = ctx;

	m->translations++;
	if (m->log)
		g_string_append_printf(m->log, "translate %#" PRIx64 "\n", va);
	if (va < 0x10000 || va >= 0x11000)
		return false;
	m->cacheable++;
	*pa = va + 0x100000;
	return true;
}

/* fill(): fails the test on a speculative fill outside the cacheable page; logs the others. */
static uint32_t spec_fill(void *ctx, uint64_t va, uint64_t pa, enum cmasim_fill_kind kind)
{
	struct spec_map *m = ctx;

	if (kind == CMASIM_FILL_SPECULATIVE) {
		/* the rule the remedies rely on: only through a cacheable mapping */
		cr_assert(va >= 0x10000 && va < 0x11000 && pa == va + 0x100000,
			  "speculative fill of %#" PRIx64 " at %#" PRIx64, va, pa);
		if (m->log)
			g_string_append_printf(m->log, "fill %#" PRIx64 " %#" PRIx64 "\n", va, pa);
	}
	return 0;
}

Test(cache, speculative_fills_only_through_cacheable_mappings)
{
	/*
	 * Always speculating (10^6 ppm), a window of 4096 bytes: 64 lines either
	 * side, 129 in all. Seed 42 gives these splitmix64 draws, the second of
	 * each pair scaled to an offset as (draw x 129) >> 64, minus 64:
	 *   0x28efe333b266f103 -> 20 - 64 = -44
	 *   0x581ce1ff0e4ae394 -> 44 - 64 = -20
	 *   0xde4431fa3c80db06 -> 112 - 64 = +48
	 *   0xccf635ee9e9e2fa4 -> 103 - 64 = +39
	 *   0x9e54d738297f77ae -> 79 - 64 = +15
	 *   0x7e348a0e451650be -> 63 - 64 = -1
	 * Accesses at 0x10800 (line 0x420) therefore try lines 0x3f4 (0xfd00,
	 * unmapped), 0x40c (0x10300, filled), 0x450 (0x11400, unmapped), 0x447
	 * (0x111c0, unmapped), 0x42f (0x10bc0, filled) and 0x41f (0x107c0, filled).
	 */
	struct cmasim_cache_config cc = geometry(32 * KiB, 4, 64);
	struct spec_map m = { .log = g_string_new(NULL) };
	struct cmasim_cache_hooks hooks = { .ctx = &m, .fill = spec_fill,
					    .translate = spec_translate };
	struct cmasim_cache *c;

	cc.prefetcher = CMASIM_PREFETCH_SPECULATIVE;
	cc.spec_rate_ppm = 1000000;
	c = make(&cc, 42);
	cmasim_cache_set_hooks(c, &hooks);
	for (int i = 0; i < 6; i++)
		rd(c, 0x10800, 0x110800, 4);
	cr_expect_str_eq(m.log->str,
			 "translate 0xfd00\n"
			 "translate 0x10300\n"
			 "fill 0x10300 0x110300\n"
			 "translate 0x11400\n"
			 "translate 0x111c0\n"
			 "translate 0x10bc0\n"
			 "fill 0x10bc0 0x110bc0\n"
			 "translate 0x107c0\n"
			 "fill 0x107c0 0x1107c0\n");
	cr_expect_eq(cmasim_cache_stats(c).speculative_fills, 3);
	cr_expect_eq(cmasim_cache_stats(c).prefetch_fills, 0);
	cr_expect(present(c, 0x10300, 0x110300));
	cmasim_cache_free(c);
	g_string_free(m.log, TRUE);

	/* without a translate hook nothing is known cacheable: no fills */
	c = make(&cc, 42);
	for (int i = 0; i < 100; i++)
		rd(c, 0x10800, 0x110800, 4);
	cr_expect_eq(cmasim_cache_stats(c).speculative_fills, 0);
	cmasim_cache_free(c);
}

/* Runs @n accesses sweeping the mapped page and its neighbours under @seed; the fill log. */
static char *speculate(const struct cmasim_cache_config *cc, uint64_t seed, unsigned int n,
		       struct spec_map *m)
{
	struct cmasim_cache_hooks hooks = { .ctx = m, .fill = spec_fill,
					    .translate = spec_translate };
	struct cmasim_cache *c = make(cc, seed);

	m->log = g_string_new(NULL);
	cmasim_cache_set_hooks(c, &hooks);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t va = 0xf000 + (uint64_t)(i * 52) % 0x3000;

		cmasim_cache_access(c, va, va + 0x100000, 4, i % 3 == 0);
	}
	cr_expect_leq(cmasim_cache_stats(c).speculative_fills, m->cacheable);
	cmasim_cache_free(c);
	return g_string_free(m->log, FALSE);
}

Test(cache, speculative_is_deterministic_for_a_seed_and_keeps_its_rate)
{
	struct cmasim_cache_config cc = geometry(32 * KiB, 4, 64);
	struct spec_map a = { 0 }, b = { 0 }, other = { 0 };
	g_autofree char *log_a = NULL, *log_b = NULL, *log_other = NULL;

	cc.prefetcher = CMASIM_PREFETCH_SPECULATIVE;
	cc.spec_rate_ppm = 100000;	/* 10% */
	log_a = speculate(&cc, 7, 100000, &a);
	log_b = speculate(&cc, 7, 100000, &b);
	log_other = speculate(&cc, 8, 100000, &other);
	cr_expect_str_eq(log_a, log_b);
	cr_expect_str_neq(log_a, log_other);
	/* 10^5 draws at p = 0.1: mean 10^4, standard deviation 95; +-500 is 5 of them */
	cr_expect(a.translations > 9500 && a.translations < 10500, "%" PRIu64, a.translations);
	cr_expect(other.translations > 9500 && other.translations < 10500, "%" PRIu64,
		  other.translations);
	/* some windows reach outside the mapped page, some inside */
	cr_expect(a.cacheable > 0 && a.cacheable < a.translations);
}

/* Maintenance */

Test(cache, maintenance_by_range_counts_every_line_and_keeps_or_drops)
{
	/* 32 KiB, 4 ways, 64-byte lines: 128 sets */
	struct cmasim_cache_config cc = geometry(32 * KiB, 4, 64);
	struct cmasim_cache *c = make(&cc, 0);

	wr(c, 0x1000, 0x1000, 4);
	wr(c, 0x1040, 0x1040, 4);
	rd(c, 0x1080, 0x1080, 4);
	/* lines 0x1000 to 0x10c0: four operations, two dirty lines written back and kept */
	cr_expect_eq(cmasim_cache_clean(c, 0x1000, 0x1000, 0x100), 4);
	cr_expect_eq(cmasim_cache_stats(c).maintenance_writebacks, 2);
	cr_expect_not(dirty(c, 0x1000, 0x1000));
	cr_expect_not(dirty(c, 0x1040, 0x1040));
	cr_expect(present(c, 0x1080, 0x1080));

	/* invalidate drops a dirty line without writing it back */
	wr(c, 0x1000, 0x1000, 4);
	cr_expect_eq(cmasim_cache_invalidate(c, 0x1000, 0x1000, 64), 1);
	cr_expect_not(present(c, 0x1000, 0x1000));
	cr_expect_eq(cmasim_cache_stats(c).maintenance_writebacks, 2);
	cr_expect_eq(cmasim_cache_stats(c).dirty_invalidates, 1);

	/* [0x1040, 0x1081) covers lines 0x1040 and 0x1080: both written back if dirty, dropped */
	wr(c, 0x1040, 0x1040, 4);
	cr_expect_eq(cmasim_cache_clean_invalidate(c, 0x1040, 0x1040, 0x41), 2);
	cr_expect_eq(cmasim_cache_stats(c).maintenance_writebacks, 3);
	cr_expect_not(present(c, 0x1040, 0x1040));
	cr_expect_not(present(c, 0x1080, 0x1080));

	/* an unaligned range of two bytes across a line boundary is two lines; none is none */
	cr_expect_eq(cmasim_cache_clean(c, 0x103f, 0x103f, 2), 2);
	cr_expect_eq(cmasim_cache_invalidate(c, 0x1000, 0x1000, 0), 0);

	/* flush by set/way: 128 x 4 operations; dirty lines written back, everything dropped */
	wr(c, 0x2000, 0x2000, 4);
	wr(c, 0x9000, 0x9000, 4);
	rd(c, 0x3000, 0x3000, 4);
	cr_expect_eq(cmasim_cache_flush_all(c), 512);
	cr_expect_eq(cmasim_cache_stats(c).maintenance_writebacks, 5);
	cr_expect_not(present(c, 0x2000, 0x2000));
	cr_expect_not(present(c, 0x3000, 0x3000));
	cr_expect_eq(cmasim_cache_stats(c).dirty_invalidates, 1);
	/* writes to 0x1000, 0x1040 (twice each: a miss, then a hit), 0x2000 and 0x9000 */
	expect_counts(cmasim_cache_stats(c).write, 6, 2, 4, 0);
	cmasim_cache_free(c);
}

/* Hooks */

/* Logs every hook call; fill() hands out versions 10, 11, ...; write() adds 100. */
struct recorder {
	GString *log;
	uint32_t next_version;
};

/* How the log spells @kind. */
static const char *kind_name(enum cmasim_fill_kind kind)
{
	return kind == CMASIM_FILL_DEMAND ? "demand" : kind == CMASIM_FILL_PREFETCH ? "prefetch"
										  : "speculative";
}

/* The recorder's hooks: each logs its call in one line. */
static uint32_t rec_fill(void *ctx, uint64_t va, uint64_t pa, enum cmasim_fill_kind kind)
{
	struct recorder *r = ctx;

	g_string_append_printf(r->log, "fill %#" PRIx64 " %#" PRIx64 " %s -> %u\n", va, pa,
			       kind_name(kind), r->next_version);
	return r->next_version++;
}

static void rec_writeback(void *ctx, uint64_t pa, uint32_t version)
{
	struct recorder *r = ctx;

	g_string_append_printf(r->log, "writeback %#" PRIx64 " %u\n", pa, version);
}

static void rec_discard(void *ctx, uint64_t pa, uint32_t version)
{
	struct recorder *r = ctx;

	g_string_append_printf(r->log, "discard %#" PRIx64 " %u\n", pa, version);
}

static void rec_read(void *ctx, uint64_t pa, uint32_t version)
{
	struct recorder *r = ctx;

	g_string_append_printf(r->log, "read %#" PRIx64 " %u\n", pa, version);
}

static uint32_t rec_write(void *ctx, uint64_t pa, uint32_t version)
{
	struct recorder *r = ctx;
	uint32_t now = version == CMASIM_CACHE_NO_COPY ? 500 : version + 100;

	if (version == CMASIM_CACHE_NO_COPY)
		g_string_append_printf(r->log, "write %#" PRIx64 " no copy -> %u\n", pa, now);
	else
		g_string_append_printf(r->log, "write %#" PRIx64 " %u -> %u\n", pa, version, now);
	return now;
}

/* A cache of @cc's geometry and policies, seeded with @seed, recording into @r. */
static struct cmasim_cache *recording(const struct cmasim_cache_config *cc, uint64_t seed,
				      struct recorder *r)
{
	struct cmasim_cache_hooks hooks = {
		.ctx = r, .fill = rec_fill, .writeback = rec_writeback, .discard = rec_discard,
		.read = rec_read, .write = rec_write,
	};
	struct cmasim_cache *c = make(cc, seed);

	r->log = g_string_new(NULL);
	r->next_version = 10;
	cmasim_cache_set_hooks(c, &hooks);
	return c;
}

/* A 128-byte cache (one set of two 64-byte lines) under @cc's policies, recording into @r. */
static struct cmasim_cache *recorded(struct cmasim_cache_config *cc, struct recorder *r)
{
	cc->size = 128;
	cc->ways = 2;
	cc->line_size = 64;
	return recording(cc, 0, r);
}

/*
 * A miss's read is its fill, and a clean copy leaves unheard; a dirty one
 * invalidated unwritten is discarded with its version.
 */
Test(cache, hooks_hear_fills_hits_writes_writebacks_and_discards_in_order)
{
	struct cmasim_cache_config cc = geometry(0, 0, 0);
	struct recorder r;
	struct cmasim_cache *c = recorded(&cc, &r);

	rd(c, 0x7000, 0x1000, 4);		/* miss */
	wr(c, 0x7004, 0x1004, 4);		/* hit */
	rd(c, 0x7040, 0x1040, 4);		/* miss */
	rd(c, 0x7044, 0x1044, 4);		/* hit */
	rd(c, 0x7080, 0x1080, 4);		/* miss, evicts the dirty 0x1000 */
	cr_expect_eq(cmasim_cache_clean_invalidate(c, 0x7040, 0x1040, 64), 1);
	wr(c, 0x70c0, 0x10c0, 4);		/* miss into the free way */
	cr_expect_eq(cmasim_cache_clean(c, 0x70c0, 0x10c0, 64), 1);
	cr_expect_eq(cmasim_cache_flush_all(c), 2);
	wr(c, 0x7100, 0x1100, 4);		/* miss, then invalidated dirty */
	cr_expect_eq(cmasim_cache_invalidate(c, 0x7100, 0x1100, 64), 1);
	cr_expect_eq(cmasim_cache_stats(c).dirty_invalidates, 1);
	cr_expect_str_eq(r.log->str,
			 "fill 0x7000 0x1000 demand -> 10\n"
			 "write 0x1000 10 -> 110\n"
			 "fill 0x7040 0x1040 demand -> 11\n"
			 "read 0x1040 11\n"
			 "writeback 0x1000 110\n"
			 "fill 0x7080 0x1080 demand -> 12\n"
			 "fill 0x70c0 0x10c0 demand -> 13\n"
			 "write 0x10c0 13 -> 113\n"
			 "writeback 0x10c0 113\n"
			 "fill 0x7100 0x1100 demand -> 14\n"
			 "write 0x1100 14 -> 114\n"
			 "discard 0x1100 114\n");
	cmasim_cache_free(c);
	g_string_free(r.log, TRUE);

	/* removing the hooks silences them; versions are then 0 */
	c = recorded(&cc, &r);
	cmasim_cache_set_hooks(c, NULL);
	rd(c, 0x7000, 0x1000, 4);
	cr_expect_str_eq(r.log->str, "");
	cmasim_cache_free(c);
	g_string_free(r.log, TRUE);
}

Test(cache, hooks_under_write_through_and_write_around)
{
	struct cmasim_cache_config cc = geometry(0, 0, 0);
	struct recorder r;
	struct cmasim_cache *c;

	cc.write_back = false;
	c = recorded(&cc, &r);
	wr(c, 0x1000, 0x1000, 4);		/* miss: allocated, written, written through */
	wr(c, 0x1000, 0x1000, 4);		/* hit: written, written through */
	cr_expect_str_eq(r.log->str,
			 "fill 0x1000 0x1000 demand -> 10\n"
			 "write 0x1000 10 -> 110\n"
			 "writeback 0x1000 110\n"
			 "write 0x1000 110 -> 210\n"
			 "writeback 0x1000 210\n");
	cmasim_cache_free(c);
	g_string_free(r.log, TRUE);

	cc.write_allocate = false;
	c = recorded(&cc, &r);
	wr(c, 0x2000, 0x2000, 4);		/* miss: written around the cache, to memory */
	cr_expect_str_eq(r.log->str,
			 "write 0x2000 no copy -> 500\n"
			 "writeback 0x2000 500\n");
	cmasim_cache_free(c);
	g_string_free(r.log, TRUE);
}

Test(cache, hooks_hear_prefetch_fills_after_the_demand_and_straddles_line_by_line)
{
	struct cmasim_cache_config cc = geometry(0, 0, 0);
	struct recorder r;
	struct cmasim_cache *c;

	cc.prefetcher = CMASIM_PREFETCH_NEXT_LINE;
	c = recorded(&cc, &r);
	rd(c, 0x503c, 0x903c, 8);	/* lines 0x5000 and 0x5040 miss; 0x5080 evicts 0x5000 */
	cr_expect_str_eq(r.log->str,
			 "fill 0x5000 0x9000 demand -> 10\n"
			 "fill 0x5040 0x9040 demand -> 11\n"
			 "fill 0x5080 0x9080 prefetch -> 12\n");
	cmasim_cache_free(c);
	g_string_free(r.log, TRUE);
}

/* Where cmasim_cache_access_lines() says it is, and what fill() and read() heard there. */
static uint64_t lines_at;
static GString *heard_at;

static uint32_t at_fill(void *ctx, uint64_t va, uint64_t pa, enum cmasim_fill_kind kind)
{
	(void)ctx;
	(void)va;
	g_string_append_printf(heard_at, "fill %#" PRIx64 " %s@%#" PRIx64 " ", pa, kind_name(kind),
			       lines_at);
	return 0;
}

static void at_read(void *ctx, uint64_t pa, uint32_t version)
{
	(void)ctx;
	(void)version;
	g_string_append_printf(heard_at, "read %#" PRIx64 "@%#" PRIx64 " ", pa, lines_at);
}

/*
 * A run of three lines is three one-line accesses, each with its own
 * prefetch: on the one set of two ways with next-line prefetch, line
 * 0x9000 misses and prefetches 0x9040, which then hits (no prefetch on a
 * hit); 0x9080 misses, evicting 0x9000, the least recently used, and
 * prefetches 0x90c0 over 0x9040. Each hook is heard at the VA of the
 * line whose access made it, a prefetch at its trigger's.
 */
Test(cache, a_run_of_lines_is_so_many_accesses)
{
	struct cmasim_cache_config cc = geometry(0, 0, 0);
	struct cmasim_cache_hooks listen = { .fill = at_fill, .read = at_read };
	struct recorder r;
	struct cmasim_cache *c;
	struct cmasim_cache_stats st;

	cc.prefetcher = CMASIM_PREFETCH_NEXT_LINE;
	c = recorded(&cc, &r);
	cmasim_cache_access_lines(c, 0x5000, 0x9000, 3, false, NULL);
	cr_expect_str_eq(r.log->str,
			 "fill 0x5000 0x9000 demand -> 10\n"
			 "fill 0x5040 0x9040 prefetch -> 11\n"
			 "read 0x9040 11\n"
			 "fill 0x5080 0x9080 demand -> 12\n"
			 "fill 0x50c0 0x90c0 prefetch -> 13\n");
	st = cmasim_cache_stats(c);
	expect_counts(st.read, 3, 1, 2, 0);
	cr_expect_eq(st.prefetch_fills, 2);
	cmasim_cache_free(c);
	g_string_free(r.log, TRUE);

	c = recorded(&cc, &r);
	heard_at = g_string_new(NULL);
	cmasim_cache_set_hooks(c, &listen);
	cmasim_cache_access_lines(c, 0x5000, 0x9000, 3, false, &lines_at);
	cr_expect_str_eq(heard_at->str, "fill 0x9000 demand@0x5000 fill 0x9040 prefetch@0x5000 "
			 "read 0x9040@0x5040 fill 0x9080 demand@0x5080 "
			 "fill 0x90c0 prefetch@0x5080 ");
	cmasim_cache_free(c);
	g_string_free(r.log, TRUE);
	g_string_free(heard_at, TRUE);
}

/*
 * Runs of hooked accesses take a copy of the loop made for their cache's
 * way count (2, 4 and 8) or the general one: on caches of 1 to 16 ways, a
 * thousand runs of reads and writes, of 1 to 40 lines at random places in
 * 64 KiB, with the speculative prefetcher, hear the same hooks in the
 * same order and count the same as the same accesses made one by one.
 */
Test(cache, runs_are_single_accesses_whatever_the_ways)
{
	static const unsigned int ways[] = { 1, 2, 3, 4, 8, 16 };

	for (unsigned int k = 0; k < G_N_ELEMENTS(ways); k++) {
		struct cmasim_cache_config cc = geometry(ways[k] * 4 * 64, ways[k], 64);
		struct recorder one, run;
		struct cmasim_cache *a, *b;
		struct cmasim_cache_stats sa, sb;
		g_autoptr(GRand) rand = g_rand_new_with_seed(7);

		cc.prefetcher = CMASIM_PREFETCH_SPECULATIVE;
		cc.spec_rate_ppm = 200000;
		cc.spec_window = 1024;
		a = recording(&cc, 3, &one);
		b = recording(&cc, 3, &run);
		for (unsigned int i = 0; i < 1000; i++) {
			uint64_t va = 64 * (uint64_t)g_rand_int_range(rand, 0, 1024), pa = va + 0x100000;
			uint64_t n = (uint64_t)g_rand_int_range(rand, 1, 41);
			bool write = g_rand_boolean(rand);

			for (uint64_t j = 0; j < n; j++)
				cmasim_cache_access(a, va + j * 64, pa + j * 64, 64, write);
			cmasim_cache_access_lines(b, va, pa, n, write, NULL);
		}
		cr_expect_str_eq(run.log->str, one.log->str, "%u ways", ways[k]);
		sa = cmasim_cache_stats(a);
		sb = cmasim_cache_stats(b);
		cr_expect_eq(memcmp(&sa, &sb, sizeof(sa)), 0, "%u ways", ways[k]);
		cr_expect_gt(sa.read.hits, 0);
		cr_expect_gt(sa.write.misses, 0);
		cmasim_cache_free(a);
		cmasim_cache_free(b);
		g_string_free(one.log, TRUE);
		g_string_free(run.log, TRUE);
	}
}

/*
 * Unaligned, each access of a run straddles two lines, as the same calls
 * of cmasim_cache_access() do: the two caches hear the same hooks in the
 * same order and count the same. The last line of the address space is
 * a run of one.
 */
Test(cache, an_unaligned_run_straddles_as_single_accesses_do)
{
	struct cmasim_cache_config cc = geometry(0, 0, 0);
	struct recorder one, run;
	struct cmasim_cache *a, *b;
	struct cmasim_cache_stats sa, sb;
	const uint64_t top = UINT64_MAX - 63;

	cc.prefetcher = CMASIM_PREFETCH_NEXT_LINE;
	a = recorded(&cc, &one);
	b = recorded(&cc, &run);
	for (uint64_t i = 0; i < 3; i++)
		wr(a, 0x5020 + 64 * i, 0x9020 + 64 * i, 64);
	cmasim_cache_access_lines(b, 0x5020, 0x9020, 3, true, NULL);
	cr_expect_str_eq(run.log->str, one.log->str);
	sa = cmasim_cache_stats(a);
	sb = cmasim_cache_stats(b);
	expect_counts(sb.write, sa.write.accesses, sa.write.hits, sa.write.misses,
		      sa.write.writebacks);
	cr_expect_eq(sa.write.accesses, 3);
	cr_expect_eq(sb.prefetch_fills, sa.prefetch_fills);

	cmasim_cache_access_lines(b, top, top, 1, false, NULL);
	cr_expect_eq(cmasim_cache_stats(b).read.accesses, 1);
	cmasim_cache_free(a);
	cmasim_cache_free(b);
	g_string_free(one.log, TRUE);
	g_string_free(run.log, TRUE);
}

/*
 * Cachegrind equality. tests/fixtures/cachegrind/ holds a lackey trace of
 * workout.c and cachegrind's D1 figures for three geometries, with the
 * commands that made them (make-fixture.sh). Cachegrind counts as follows
 * (valgrind 3.19, cachegrind/cg_main.c and cg_sim.c):
 *   - a modify (lackey's M, one instruction reading then writing the same
 *     bytes, which both tools merge from a load and a store of one address)
 *     is one data read: flushEvents() emits Ev_Dm through the same helper
 *     as Ev_Dr, since the write cannot miss once the read brought the line
 *     in. It adds to Dr and D1mr, never to Dw;
 *   - an access that straddles two lines is one access that misses if
 *     either line misses; both lines are looked up and moved to most
 *     recently used (cachesim_ref_is_miss());
 *   - D1 is LRU and write-allocate, the set from the line number's low bits.
 * So: L and M are reads, S writes, each one cmasim_cache_access() on a PIPT
 * write-back write-allocate cache with va = pa.
 */
Test(cache, misses_equal_cachegrinds_on_a_recorded_trace)
{
	g_autofree char *dir = g_build_filename(CMASIM_SOURCE_ROOT, "tests", "fixtures",
						"cachegrind", NULL);
	g_autofree char *trace_path = g_build_filename(dir, "lackey.txt.gz", NULL);
	g_autofree char *expected_path = g_build_filename(dir, "expected.txt", NULL);
	g_autofree char *expected = NULL;
	g_auto(GStrv) lines = NULL;
	unsigned int rows = 0;

	cr_assert(g_file_get_contents(expected_path, &expected, NULL, NULL));
	lines = g_strsplit(expected, "\n", -1);
	for (char **l = lines; *l; l++) {
		uint64_t size, dr, d1mr, dw, d1mw;
		unsigned int ways, line;
		GError *error = NULL;
		struct cmasim_addr_ref ref;
		int got;

		if (!**l || **l == '#')
			continue;
		cr_assert_eq(sscanf(*l, "%" SCNu64 ",%u,%u %" SCNu64 " %" SCNu64 " %" SCNu64
				    " %" SCNu64, &size, &ways, &line, &dr, &d1mr, &dw, &d1mw), 7,
			     "%s", *l);
		struct cmasim_cache_config cc = geometry(size, ways, line);
		struct cmasim_cache *c = make(&cc, 0);
		struct cmasim_addrtrace *t = cmasim_addrtrace_open(trace_path,
								   CMASIM_ADDRTRACE_AUTO, &error);

		cr_assert_not_null(t, "%s", error ? error->message : "");
		cr_expect_eq(cmasim_addrtrace_format(t), CMASIM_ADDRTRACE_LACKEY);
		while ((got = cmasim_addrtrace_next(t, &ref, &error)) > 0) {
			cr_assert(ref.op <= CMASIM_ADDR_MODIFY);
			cmasim_cache_access(c, ref.addr, ref.addr, ref.size, ref.op == CMASIM_ADDR_WRITE);
		}
		cr_assert_eq(got, 0, "%s", error ? error->message : "");

		struct cmasim_cache_stats s = cmasim_cache_stats(c);
		cr_expect_eq(s.read.accesses, dr, "%s: Dr %" PRIu64, *l, s.read.accesses);
		cr_expect_eq(s.read.misses, d1mr, "%s: D1mr %" PRIu64, *l, s.read.misses);
		cr_expect_eq(s.write.accesses, dw, "%s: Dw %" PRIu64, *l, s.write.accesses);
		cr_expect_eq(s.write.misses, d1mw, "%s: D1mw %" PRIu64, *l, s.write.misses);
		cmasim_addrtrace_close(t);
		cmasim_cache_free(c);
		rows++;
	}
	cr_expect_eq(rows, 3);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The coherence model on a small PIPT cache: attribute aliases, stale CPU
 * and device reads, and write-backs that clobber device data, each worked
 * out by hand from the sequence of accesses.
 *
 * The cache: 1 KiB, 2 ways, 64-byte lines: 8 sets. Physical addresses
 * equal virtual ones (PIPT, so indexing does not matter here), but for
 * the one VIVT test of two copies of a line. Frame 1 (0x1000) is "mapped
 * uncached" elsewhere; frame 2 (0x2000) is not.
 */
#include <inttypes.h>

#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

#include "cmasim/cache.h"
#include "cmasim/coherence.h"

#define PAGE_SHIFT 12

struct fixture {
	struct cmasim_cache *cache;
	struct cmasim_coherence *coh;
	uint64_t cacheable_lo, cacheable_hi;	/* translate(): VAs mapped cacheable */
};

static struct fixture fx;

static bool uncached_frame(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return pfn == 1;
}

/* Identity mapping, cacheable only inside [cacheable_lo, cacheable_hi). */
static bool translate(void *ctx, uint64_t va, uint64_t *pa)
{
	struct fixture *f = ctx;

	*pa = va;
	return va >= f->cacheable_lo && va < f->cacheable_hi;
}

/* A fresh cache of @indexing with the coherence hooks; @spec_ppm > 0 makes it speculate. */
static void setup_indexed(uint32_t spec_ppm, enum cmasim_cache_indexing indexing)
{
	struct cmasim_cache_config cc = {
		.size = 1024, .ways = 2, .line_size = 64, .indexing = indexing,
		.write_back = true, .write_allocate = true,
		.prefetcher = spec_ppm ? CMASIM_PREFETCH_SPECULATIVE : CMASIM_PREFETCH_NONE,
		.prefetch_degree = 1, .spec_window = 4096, .spec_rate_ppm = spec_ppm,
	};
	struct cmasim_cache_hooks hooks;

	fx.cache = cmasim_cache_new(&cc, PAGE_SHIFT, 1, NULL);
	cr_assert_not_null(fx.cache);
	fx.coh = cmasim_coherence_new(PAGE_SHIFT, 64, uncached_frame, NULL);
	cmasim_coherence_hooks(fx.coh, translate, &fx, &hooks);
	cmasim_cache_set_hooks(fx.cache, &hooks);
	cmasim_coherence_track(fx.coh, 1, 2);
}

/* The fixture's PIPT cache. */
static void setup(uint32_t spec_ppm)
{
	setup_indexed(spec_ppm, CMASIM_CACHE_PIPT);
}

static void teardown(void)
{
	cmasim_cache_free(fx.cache);
	cmasim_coherence_free(fx.coh);
	fx = (struct fixture){ 0 };
}

static const struct cmasim_coherence_counts *counts(void)
{
	return cmasim_coherence_counts(fx.coh);
}

static void rd(uint64_t a)
{
	cmasim_cache_access(fx.cache, a, a, 4, false);
}

static void wr(uint64_t a)
{
	cmasim_cache_access(fx.cache, a, a, 4, true);
}

TestSuite(coherence, .init = NULL, .fini = teardown);

Test(coherence, demand_alias_and_stale_read)
{
	setup(0);
	/* a demand miss on the uncached frame 1 fills a cacheable copy: one alias */
	rd(0x1000);
	cr_expect_eq(counts()->alias_demand, 1);
	cr_expect_eq(counts()->stale_cpu_reads, 0, "the copy is as new as memory");
	/* a device writes the line; the CPU's hit returns the old copy: stale */
	cmasim_coherence_memory_write(fx.coh, 0x1000, 64, true);
	rd(0x1004);
	cr_expect_eq(counts()->stale_cpu_reads, 1);
	/* invalidating before the read, as dma_sync_single_for_cpu() does, cures it */
	cmasim_coherence_memory_write(fx.coh, 0x1000, 64, true);
	cmasim_cache_invalidate(fx.cache, 0x1000, 0x1000, 64);
	rd(0x1008);
	cr_expect_eq(counts()->stale_cpu_reads, 1, "no new stale read");
	cr_expect_eq(counts()->alias_demand, 2, "the refill is another alias");
	/* frame 2 has no uncached mapping: filling it is no alias */
	rd(0x2000);
	cr_expect_eq(counts()->alias_demand, 2);
}

Test(coherence, clobber_and_stale_device_read)
{
	setup(0);
	/* the CPU dirties a line of frame 2, then a device reads memory: stale */
	wr(0x2040);
	cmasim_coherence_device_read(fx.coh, 0x2000, 128);
	cr_expect_eq(counts()->stale_device_reads, 1, "only line 0x2040 is dirty");
	/* cleaning first, as dma_sync_single_for_device() does, cures it */
	cmasim_cache_clean(fx.cache, 0x2040, 0x2040, 64);
	cmasim_coherence_device_read(fx.coh, 0x2000, 128);
	cr_expect_eq(counts()->stale_device_reads, 1);
	/* dirty again, then the device writes the line: the write-back clobbers it */
	wr(0x2044);
	cmasim_coherence_memory_write(fx.coh, 0x2040, 64, true);
	cmasim_cache_clean(fx.cache, 0x2040, 0x2040, 64);
	cr_expect_eq(counts()->clobbers, 1);
	/* a CPU write through an uncached mapping is not a device's data: no clobber */
	wr(0x2048);
	cmasim_coherence_memory_write(fx.coh, 0x2040, 64, false);
	cmasim_cache_clean(fx.cache, 0x2040, 0x2040, 64);
	cr_expect_eq(counts()->clobbers, 1);
}

Test(coherence, eviction_writes_back_over_device_data)
{
	setup(0);
	/*
	 * Lines 0x2000, 0x2400 and 0x2800 share set 0 (line number mod 8 = 0)
	 * of a 2-way cache. Dirty 0x2000, let the device write it, then touch
	 * the other two: the third fill evicts 0x2000, the LRU line, and its
	 * write-back clobbers what the device wrote.
	 */
	wr(0x2000);
	cmasim_coherence_memory_write(fx.coh, 0x2000, 64, true);
	rd(0x2400);
	cr_expect_eq(counts()->clobbers, 0);
	rd(0x2800);
	cr_expect_eq(counts()->clobbers, 1);
}

Test(coherence, untracked_frames_count_nothing)
{
	setup(0);
	cmasim_coherence_untrack(fx.coh, 1, 2);
	rd(0x1000);
	wr(0x2000);
	cmasim_coherence_memory_write(fx.coh, 0x2000, 64, true);
	cmasim_coherence_device_read(fx.coh, 0x2000, 64);
	cmasim_cache_flush_all(fx.cache);
	cr_expect_eq(counts()->alias_demand, 0);
	cr_expect_eq(counts()->stale_device_reads, 0);
	cr_expect_eq(counts()->clobbers, 0);
}

Test(coherence, copies_older_than_tracking_are_stale)
{
	setup(0);
	cmasim_coherence_untrack(fx.coh, 2, 1);
	/* a previous owner of frame 2 left a line in the cache */
	rd(0x2000);
	/* the frame becomes a buffer: memory gets new data */
	cmasim_coherence_track(fx.coh, 2, 1);
	rd(0x2000);
	cr_expect_eq(counts()->stale_cpu_reads, 1);
}

/*
 * A speculative prefetcher filling at every demand access (rate 1) within
 * 4 KiB: accesses around 0x1800 may fill lines of frame 1 only through a
 * cacheable mapping. With frame 1 cacheable-mapped (translate says yes for
 * [0x1000, 0x2000)), speculative fills of it are aliases; with nothing
 * cacheable there, none can happen.
 */
Test(coherence, speculative_fills_only_through_cacheable_mappings)
{
	setup(1000000);
	for (int i = 0; i < 200; i++)
		rd(0x2000 + (uint64_t)(i % 16) * 64);
	cr_expect_eq(counts()->alias_speculative, 0, "translate: nothing cacheable");
	teardown();

	setup(1000000);
	fx.cacheable_lo = 0x1000;
	fx.cacheable_hi = 0x2000;
	for (int i = 0; i < 200; i++)
		rd(0x2000 + (uint64_t)(i % 16) * 64);
	cr_expect_gt(counts()->alias_speculative, 0);
	cr_expect_eq(counts()->alias_demand, 0, "no demand access touched frame 1");
}

/*
 * Frames are kept in chunks of consecutive frames, found by a table that
 * grows: frames on either side of a chunk's edge, frames far apart (more
 * chunks than the table first holds) and the last pfns are each tracked
 * on their own, and untracking one leaves its neighbours.
 */
Test(coherence, frames_far_apart_are_tracked_apart)
{
	uint64_t pfns[200];
	unsigned int n = 0;

	setup(0);
	cmasim_coherence_untrack(fx.coh, 1, 2);
	for (uint64_t i = 0; i < 96; i++)
		pfns[n++] = i * 100003 + (i & 1 ? 511 : 512);
	pfns[n++] = UINT64_C(1) << 40;
	pfns[n++] = UINT64_MAX - 1;
	for (unsigned int i = 0; i < n; i++)
		cmasim_coherence_track(fx.coh, pfns[i], 1);
	for (unsigned int i = 0; i < n; i++) {
		cr_expect(cmasim_coherence_tracked(fx.coh, pfns[i]), "pfn %#" PRIx64, pfns[i]);
		cr_expect_not(cmasim_coherence_tracked(fx.coh, pfns[i] + 1), "pfn %#" PRIx64,
			      pfns[i] + 1);
		cr_expect_not(cmasim_coherence_tracked(fx.coh, pfns[i] - 1), "pfn %#" PRIx64,
			      pfns[i] - 1);
	}
	for (unsigned int i = 0; i < n; i += 2)
		cmasim_coherence_untrack(fx.coh, pfns[i], 1);
	for (unsigned int i = 0; i < n; i++)
		cr_expect_eq(cmasim_coherence_tracked(fx.coh, pfns[i]), i % 2 == 1,
			     "pfn %#" PRIx64, pfns[i]);
}

/*
 * Device writes of many frames at once, as transfers are. Frames 0-703
 * are tracked, in two chunks of 512; the 8-set cache holds one line of
 * each frame below, each in a set of its own but for set 0 (two ways).
 * Frames 32-33, written whole, make the copy of 0x200c0 stale. Then one
 * write from 0x3040 to 0x258080: the rest of frame 3 (from line 1),
 * frames 4-599 whole, across the chunks' edge, and lines 0-1 of frame 600.
 * Copies in it go stale (frame 100, 0x3040, frame 520, 0x258040); those
 * beside it do not (0x3000, 0x258080, frame 700). The line of frame 599
 * (the last written whole) the CPU dirtied before it clobbers the device's
 * data when cleaned. A line the CPU dirties after it is one a device then
 * reads stale.
 */
Test(coherence, writes_of_many_frames)
{
	static const uint64_t stale[] = { 0x64000, 0x3040, 0x208100, 0x258040 };
	static const uint64_t fresh[] = { 0x3000, 0x258080, 0x2bc140 };

	setup(0);
	cmasim_coherence_track(fx.coh, 0, 704);
	rd(0x200c0);
	cmasim_coherence_memory_write(fx.coh, 0x20000, 0x2000, true);
	rd(0x200c0);
	cr_expect_eq(counts()->stale_cpu_reads, 1, "frames 32-33 written whole");

	for (size_t i = 0; i < G_N_ELEMENTS(stale); i++)
		rd(stale[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(fresh); i++)
		rd(fresh[i]);
	wr(0x2571c0);
	cmasim_coherence_memory_write(fx.coh, 0x3040, 0x258080 - 0x3040, true);
	for (size_t i = 0; i < G_N_ELEMENTS(stale); i++) {
		rd(stale[i]);
		cr_expect_eq(counts()->stale_cpu_reads, 2 + i, "%#" PRIx64, stale[i]);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(fresh); i++)
		rd(fresh[i]);
	cr_expect_eq(counts()->stale_cpu_reads, 1 + G_N_ELEMENTS(stale));
	cmasim_cache_clean(fx.cache, 0x2571c0, 0x2571c0, 64);
	cr_expect_eq(counts()->clobbers, 1);

	wr(0x212180);
	cmasim_coherence_device_read(fx.coh, 0x200000, 0x20000);
	cr_expect_eq(counts()->stale_device_reads, 1, "line 0x212180 is dirty");
	cmasim_coherence_device_read(fx.coh, 0x213000, 0x20000);
	cr_expect_eq(counts()->stale_device_reads, 1);
}

/*
 * A frame's record is used again for the next frame tracked: a line left
 * dirty in the first is no dirty line of the second, which a device reads
 * as memory holds it until the CPU writes one.
 */
Test(coherence, a_frame_tracked_anew_has_no_dirty_lines)
{
	setup(0);
	wr(0x2040);
	cmasim_coherence_untrack(fx.coh, 2, 1);
	cmasim_coherence_track(fx.coh, 3, 1);
	rd(0x3000);
	cmasim_coherence_device_read(fx.coh, 0x3000, 4096);
	cr_expect_eq(counts()->stale_device_reads, 0);
	wr(0x3080);
	cmasim_coherence_device_read(fx.coh, 0x3000, 4096);
	cr_expect_eq(counts()->stale_device_reads, 1, "only line 0x3080 is dirty");
}

/* What each hook call reports, counted by kind. */
static unsigned int heard[CMASIM_NR_COH_EVENTS];
static uint64_t heard_pa;

static void listen(void *ctx, enum cmasim_coherence_event kind, uint64_t pa)
{
	(void)ctx;
	heard[kind]++;
	heard_pa = pa;
}

/*
 * A core whose uncached accesses use a copy a cacheable alias left: line
 * 0x1040 of frame 1 (mapped uncached) comes in by a demand read, as a
 * stray would. The device writes it; an uncached read finds the old copy:
 * one stale read. An uncached write hits it: it is dirty now, and memory
 * has the write too, so the device reads no stale memory; the device
 * writes the line again, and cleaning the copy writes it back over that:
 * one clobber. An access to a line that is not cached misses and changes
 * nothing. The listener hears each corruption at its line.
 */
Test(coherence, uncached_accesses_that_hit_a_stray_copy)
{
	bool dirty = false;

	setup(0);
	memset(heard, 0, sizeof(heard));
	cmasim_coherence_on_event(fx.coh, listen, NULL);
	rd(0x1040);
	cmasim_coherence_memory_write(fx.coh, 0x1040, 64, true);
	cr_expect(cmasim_cache_uncached_access(fx.cache, 0x1040, 0x1044, false));
	cr_expect_eq(counts()->stale_cpu_reads, 1);
	cr_expect_eq(heard[CMASIM_COH_STALE_CPU_READ], 1);
	cr_expect_eq(heard_pa, 0x1040);

	cr_expect(cmasim_cache_uncached_access(fx.cache, 0x1040, 0x1048, true));
	cr_expect(cmasim_cache_probe(fx.cache, 0x1040, 0x1040, &dirty));
	cr_expect(dirty, "the write left the copy dirty");
	cmasim_coherence_device_read(fx.coh, 0x1040, 64);
	cr_expect_eq(counts()->stale_device_reads, 0, "memory has the write");
	cmasim_coherence_memory_write(fx.coh, 0x1040, 64, true);
	cmasim_cache_clean(fx.cache, 0x1040, 0x1040, 64);
	cr_expect_eq(counts()->clobbers, 1);
	cr_expect_eq(heard[CMASIM_COH_CLOBBER], 1);

	cr_expect_not(cmasim_cache_uncached_access(fx.cache, 0x1080, 0x1080, true));
	cr_expect_not(cmasim_cache_probe(fx.cache, 0x1080, 0x1080, NULL), "a miss fills nothing");
	cr_expect_eq(counts()->stale_cpu_reads + counts()->clobbers, 2);
}

/*
 * A dirty copy invalidated unwritten takes its data with it: a device then
 * reads memory as the CPU never changed it, which is no stale read (the
 * write is lost, which dirty_invalidates counts).
 */
Test(coherence, a_discarded_dirty_copy_leaves_memory_current)
{
	setup(0);
	wr(0x2040);
	cmasim_cache_invalidate(fx.cache, 0x2040, 0x2040, 64);
	cmasim_coherence_device_read(fx.coh, 0x2000, 4096);
	cr_expect_eq(counts()->stale_device_reads, 0);
	cr_expect_eq(cmasim_cache_stats(fx.cache).dirty_invalidates, 1);
}

static void access_at(uint64_t va, uint64_t pa, bool write)
{
	cmasim_cache_access(fx.cache, va, pa, 4, write);
}

/*
 * Two virtual copies of physical line 0x2040 in a VIVT cache. The CPU
 * dirties the one at VA 0x5040 (set 1), then reads the line at VA 0x6080
 * (set 2): a second, clean copy. Two more lines of set 2 (VAs 0x6480 and
 * 0x6880) evict it. The dirty copy is still cached, so a device reading
 * memory reads stale data; once that copy is cleaned it does not. Two
 * dirty copies: invalidating the older leaves the newer's data unwritten,
 * and memory stale.
 */
Test(coherence, a_second_copy_leaving_keeps_the_first_dirty)
{
	setup_indexed(0, CMASIM_CACHE_VIVT);
	access_at(0x5040, 0x2040, true);
	access_at(0x6080, 0x2040, false);
	access_at(0x6480, 0x2480, false);
	access_at(0x6880, 0x2880, false);
	cr_expect_not(cmasim_cache_probe(fx.cache, 0x6080, 0x2040, NULL), "the clean copy left");
	cmasim_coherence_device_read(fx.coh, 0x2040, 64);
	cr_expect_eq(counts()->stale_device_reads, 1);
	cmasim_cache_clean(fx.cache, 0x5040, 0x2040, 64);
	cmasim_coherence_device_read(fx.coh, 0x2040, 64);
	cr_expect_eq(counts()->stale_device_reads, 1, "memory has the write now");

	access_at(0x5040, 0x2040, true);
	access_at(0x6080, 0x2040, true);
	cmasim_cache_invalidate(fx.cache, 0x5040, 0x2040, 64);
	cmasim_coherence_device_read(fx.coh, 0x2040, 64);
	cr_expect_eq(counts()->stale_device_reads, 2, "the newer copy is still dirty");
	cmasim_cache_invalidate(fx.cache, 0x6080, 0x2040, 64);
	cmasim_coherence_device_read(fx.coh, 0x2040, 64);
	cr_expect_eq(counts()->stale_device_reads, 2);
}

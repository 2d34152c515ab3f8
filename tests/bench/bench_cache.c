// SPDX-License-Identifier: GPL-2.0-only
/*
 * Data cache and address-trace speed. Builds N accesses in memory
 * (default 16,000,000; argv[1] overrides), a mix of what programs do:
 *   45% a hot 4 KiB stack, reads mostly;
 *   25% four sequential streams of 4- and 8-byte accesses over 1 MiB
 *       buffers, one of them written (memcpy-like);
 *   10% a 16 KiB column walk with a 1 KiB stride, reads and writes;
 *   12% random accesses over an 8 KiB hot heap, a third of them writes;
 *    8% random accesses over a 4 MiB heap, a third of them writes;
 * one stream unaligned, so that about 1% straddle two lines: one access in
 * eight misses. Then measures:
 *   (a) cmasim_cache_access over them: a 32 KiB 4-way 64-byte PIPT
 *       write-back cache without hooks, then VIPT with next-line prefetch,
 *       then with hooks that only count; best of five runs each;
 *   (b) the same accesses written as a plain trace and read back with
 *       cmasim_addrtrace_next; then converted to the binary format and
 *       read back, alone and through the cache as `cmasim cache` does.
 * Times are CPU seconds of this process, which a busy host disturbs less
 * than wall-clock time.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "cmasim/addrtrace.h"
#include "cmasim/cache.h"
#include "bench.h"

/* One access: address, and size << 1 | write. */
struct access {
	uint64_t addr;
	uint32_t size_write;
};

/* Fills @a with @n accesses of the mix above. */
static void generate(struct access *a, uint64_t n)
{
	uint64_t seed = 1, stream[4] = { 0 }, row = 0, col = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t r = cmasim_splitmix64(&seed);
		unsigned int pct = (unsigned int)(r % 100), size;
		bool write;
		uint64_t addr;

		if (pct < 45) {
			/* stack: 8-byte slots, 1 in 4 a store */
			addr = 0x7ffff000 + ((r >> 8) & 0xff8);
			size = 8;
			write = (r >> 20) % 4 == 0;
		} else if (pct < 70) {
			unsigned int s = (unsigned int)(r >> 8) % 4;

			size = s < 2 ? 4 : 8;
			addr = 0x10000000 + (uint64_t)s * 0x1000000 + stream[s];
			/* stream 3 starts 3 bytes in: its 8-byte accesses straddle lines */
			addr += s == 3 ? 3 : 0;
			stream[s] = (stream[s] + size) & 0xfffff;
			write = s == 1;
		} else if (pct < 80) {
			/* 16 rows of 1 KiB, walked down one 8-byte column at a time */
			addr = 0x20000000 + row * 1024 + col * 8;
			if (++row == 16) {
				row = 0;
				col = (col + 1) % 128;
			}
			size = 8;
			write = (r >> 8) & 1;
		} else if (pct < 92) {
			addr = 0x40000000 + ((r >> 8) & 0x1ffc);
			size = 4;
			write = (r >> 40) % 3 == 0;
		} else {
			addr = 0x30000000 + ((r >> 8) & 0x3ffffc);
			size = 4;
			write = (r >> 40) % 3 == 0;
		}
		a[i] = (struct access){ addr, size << 1 | write };
	}
}

static uint64_t hook_calls;

/* Hooks that only count their calls: the price of listening. */
static uint32_t count_fill(void *ctx, uint64_t va, uint64_t pa, enum cmasim_fill_kind kind)
{
	(void)ctx, (void)va, (void)pa, (void)kind;
	hook_calls++;
	return 0;
}

static void count_read(void *ctx, uint64_t pa, uint32_t version)
{
	(void)ctx, (void)pa, (void)version;
	hook_calls++;
}

static uint32_t count_write(void *ctx, uint64_t pa, uint32_t version)
{
	(void)ctx, (void)pa;
	hook_calls++;
	return version;
}

/* Best of five runs of @a through fresh caches of @cc; prints and returns accesses per second. */
static double run(const char *what, const struct cmasim_cache_config *cc,
		  const struct cmasim_cache_hooks *hooks, const struct access *a, uint64_t n)
{
	double best = 1e30;
	uint64_t misses = 0, fills = 0;

	for (int round = 0; round < 5; round++) {
		GError *error = NULL;
		struct cmasim_cache *c = cmasim_cache_new(cc, 12, 1, &error);
		struct cmasim_cache_stats s;
		double t0, t;

		if (!c) {
			fprintf(stderr, "%s\n", error->message);
			exit(1);
		}
		cmasim_cache_set_hooks(c, hooks);
		t0 = now();
		for (uint64_t i = 0; i < n; i++)
			cmasim_cache_access(c, a[i].addr, a[i].addr, a[i].size_write >> 1,
					    a[i].size_write & 1);
		t = now() - t0;
		best = t < best ? t : best;
		s = cmasim_cache_stats(c);
		misses = s.read.misses + s.write.misses;
		fills = s.prefetch_fills;
		cmasim_cache_free(c);
	}
	printf("  %-34s %6.3f s  %6.1f M accesses/s  (miss rate %.2f%%, %" PRIu64
	       " prefetch fills)\n", what, best, (double)n / best / 1e6,
	       100.0 * (double)misses / (double)n, fills);
	return (double)n / best;
}

/*
 * Reads the trace at @path through, into the cache @c unless NULL; the
 * CPU seconds it took, after checking that it gave @n records.
 */
static double read_trace(const char *path, struct cmasim_cache *c, uint64_t n)
{
	GError *error = NULL;
	double t0 = now();
	struct cmasim_addrtrace *t = cmasim_addrtrace_open(path, CMASIM_ADDRTRACE_AUTO, &error);
	struct cmasim_addr_ref ref;
	uint64_t records = 0;
	int got = 0;

	while (t && (got = cmasim_addrtrace_next(t, &ref, &error)) > 0) {
		records++;
		if (c)
			cmasim_cache_access(c, ref.addr, ref.addr, ref.size,
					    ref.op == CMASIM_ADDR_WRITE);
	}
	if (!t || got < 0 || records != n) {
		fprintf(stderr, "%s: %s\n", path, error ? error->message : "records lost");
		exit(1);
	}
	cmasim_addrtrace_close(t);
	return now() - t0;
}

/* Converts the trace at @from into the binary format at @to; its size in bytes. */
static uint64_t convert(const char *from, const char *to)
{
	GError *error = NULL;
	struct cmasim_addrtrace *t = cmasim_addrtrace_open(from, CMASIM_ADDRTRACE_AUTO, &error);
	FILE *out = fopen(to, "wb");
	long bytes;

	if (!t || !out || !cmasim_addrtrace_convert(t, out, &error)) {
		fprintf(stderr, "%s\n", error ? error->message : to);
		exit(1);
	}
	bytes = ftell(out);
	fclose(out);
	cmasim_addrtrace_close(t);
	return (uint64_t)bytes;
}

/* Writes @a as a plain trace to @path; returns its size in bytes. */
static uint64_t write_plain(const char *path, const struct access *a, uint64_t n)
{
	static char iobuf[1 << 20];
	FILE *f = fopen(path, "w");
	uint64_t bytes = 0;

	if (!f) {
		perror(path);
		exit(1);
	}
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	for (uint64_t i = 0; i < n; i++) {
		int len = fprintf(f, "%c %" PRIx64 " %u\n", a[i].size_write & 1 ? 'W' : 'R',
				  a[i].addr, a[i].size_write >> 1);

		bytes += (uint64_t)len;
	}
	if (fclose(f)) {
		perror(path);
		exit(1);
	}
	return bytes;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 16000000;
	struct access *a = g_new(struct access, n);
	struct cmasim_cache_config cc = {
		.size = 32 * 1024, .ways = 4, .line_size = 64, .indexing = CMASIM_CACHE_PIPT,
		.write_back = true, .write_allocate = true, .prefetcher = CMASIM_PREFETCH_NONE,
		.prefetch_degree = 1, .spec_window = 4096,
	};
	struct cmasim_cache_hooks hooks = { .fill = count_fill, .read = count_read,
					    .write = count_write };
	GError *error = NULL;
	g_autofree char *dir = g_dir_make_tmp("cmasim-bench-XXXXXX", &error);
	g_autofree char *path = NULL, *bin = NULL;
	struct cmasim_cache *c;
	uint64_t bytes, bin_bytes;
	double secs, rate;

	if (!dir) {
		fprintf(stderr, "%s\n", error->message);
		return 1;
	}
	generate(a, n);
	printf("cache: %" PRIu64 " accesses, 32 KiB, 4 ways, 64-byte lines, write-back\n", n);
	rate = run("PIPT, no prefetch, no hooks", &cc, NULL, a, n);
	cc.indexing = CMASIM_CACHE_VIPT;
	cc.prefetcher = CMASIM_PREFETCH_NEXT_LINE;
	run("VIPT (2 colours), next-line", &cc, NULL, a, n);
	cc.indexing = CMASIM_CACHE_PIPT;
	cc.prefetcher = CMASIM_PREFETCH_NONE;
	run("PIPT, counting hooks", &cc, &hooks, a, n);

	path = g_build_filename(dir, "trace.txt", NULL);
	bin = g_build_filename(dir, "trace.bin", NULL);
	bytes = write_plain(path, a, n);
	secs = read_trace(path, NULL, n);
	printf("parse: plain trace, %" PRIu64 " lines, %.1f MB: %.3f s, %.1f M lines/s, "
	       "%.0f MB/s\n", n, (double)bytes / 1e6, secs, (double)n / secs / 1e6,
	       (double)bytes / secs / 1e6);
	printf("result cache_text_parse %.1f Mrefs/s >=24\n", (double)n / secs / 1e6);
	bin_bytes = convert(path, bin);
	secs = read_trace(bin, NULL, n);
	for (int i = 1; i < 5; i++)
		secs = MIN(secs, read_trace(bin, NULL, n));
	printf("parse: binary trace, %.1f MB (%.2f bytes a record): best of 5 %.3f s, %.1f M "
	       "records/s\n", (double)bin_bytes / 1e6, (double)bin_bytes / (double)n, secs,
	       (double)n / secs / 1e6);
	printf("result cache_binary_parse %.1f Mrefs/s >=50\n", (double)n / secs / 1e6);
	cc.indexing = CMASIM_CACHE_PIPT;
	c = cmasim_cache_new(&cc, 12, 1, &error);
	secs = read_trace(bin, c, n);
	cmasim_cache_free(c);
	printf("run: binary trace through the cache, as cmasim cache: %.3f s, %.1f M records/s\n",
	       secs, (double)n / secs / 1e6);
	g_unlink(path);
	g_unlink(bin);
	g_rmdir(dir);
	g_free(a);
	printf("result cache_access %.1f Maccesses/s >=50\n", rate / 1e6);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buddy allocator throughput: a fixed random mix of allocations and frees
 * (orders 0..3 mostly, some up to the largest) on a 4 GiB machine, in CPU
 * time. Allocations and frees come at even odds, with only frees once half
 * the memory is allocated; at even odds the live set wanders, and after
 * the default 20 M operations holds about 8,500 blocks, 9% of the memory.
 * The mix runs twice on the model: on a machine without per-cpu lists,
 * every request through the free lists, and on one with a CPU's, which
 * every real kernel has and every shipped machine models, and which serve
 * orders 0 to 3 since Linux 5.13. It runs too on a bare buddy allocator
 * written here, free lists and merging and nothing else (no migratetypes,
 * zones, watermarks or counters), as the floor to compare with. Prints
 * nanoseconds per operation, and host bytes per frame.
 */
#define _DEFAULT_SOURCE	/* MAP_ANONYMOUS, madvise() */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cmasim/buddy.h"
#include "cmasim/config.h"
#include "bench.h"

#define MACHINE "memory: { size: 4GiB, max_page_order: 10, pageblock_order: 9 }\n"
static const char machine[] = "name: bench-4g\n" MACHINE;
static const char machine_pcp[] = "name: bench-4g-pcp\n" MACHINE "cpus: 1\n";

static unsigned int pick_order(uint64_t r)
{
	unsigned int pct = (unsigned int)(r % 1000);

	if (pct < 600)
		return 0;
	if (pct < 750)
		return 1;
	if (pct < 870)
		return 2;
	if (pct < 970)
		return 3;
	return 4 + (unsigned int)((r >> 32) % 7);
}

static const enum cmasim_migratetype types[10] = {
	CMASIM_MT_MOVABLE, CMASIM_MT_MOVABLE, CMASIM_MT_MOVABLE, CMASIM_MT_MOVABLE,
	CMASIM_MT_MOVABLE, CMASIM_MT_MOVABLE, CMASIM_MT_MOVABLE, CMASIM_MT_UNMOVABLE,
	CMASIM_MT_UNMOVABLE, CMASIM_MT_RECLAIMABLE,
};

/*
 * One pass of the fixed sequence on a freshly booted machine, at most half
 * full. The live list packs pfn and order in 32 bits (4 GiB is 2^20
 * frames) and sits on huge pages, so the harness's own cache misses do not
 * swamp the allocator's. Returns the seconds it took.
 */
static double run(const struct cmasim_config *cfg, uint64_t nr_ops, uint32_t *live,
		  uint64_t *failed)
{
	struct cmasim_mem *mem = cmasim_mem_new(cfg);
	uint64_t target = (cfg->mem_size >> cfg->page_shift) / 2;
	uint64_t nr_live = 0, pages_live = 0, seed = 42;

	*failed = 0;
	double t0 = now();
	for (uint64_t op = 0; op < nr_ops; op++) {
		uint64_t r = cmasim_splitmix64(&seed);

		if (nr_live && (pages_live >= target || (r & 1))) {
			/* an index below nr_live without a division: the high half of a product */
			uint64_t i = (uint64_t)(((unsigned __int128)(r >> 1) * nr_live) >> 63);
			unsigned int order = live[i] & 0xf;

			cmasim_free_pages(mem, live[i] >> 4);
			pages_live -= UINT64_C(1) << order;
			live[i] = live[--nr_live];
		} else {
			unsigned int order = pick_order(r >> 1);
			uint64_t pfn;

			if (cmasim_alloc_pages(mem, order, types[(r >> 40) % 10],
					       CMASIM_ZONE_NORMAL, &pfn)) {
				(*failed)++;
				continue;
			}
			live[nr_live++] = (uint32_t)(pfn << 4 | order);
			pages_live += UINT64_C(1) << order;
		}
	}
	double secs = now() - t0;

	cmasim_mem_free(mem);
	return secs;
}

/* The bare buddy allocator: one frame per page, a free list per order. */
struct bare_frame {
	uint32_t next, prev;		/* free head: list links, NIL at the ends */
	uint8_t order;			/* head: of its block */
	uint8_t free;			/* head of a free block */
};

#define NIL UINT32_MAX

struct bare {
	struct bare_frame *f;
	uint32_t head[16];		/* by order */
	unsigned int max_order;
};

static void bare_push(struct bare *b, uint32_t i, unsigned int order)
{
	b->f[i] = (struct bare_frame){ .next = b->head[order], .prev = NIL, .order = (uint8_t)order,
				       .free = 1 };
	if (b->head[order] != NIL)
		b->f[b->head[order]].prev = i;
	b->head[order] = i;
}

static void bare_unlink(struct bare *b, uint32_t i)
{
	struct bare_frame *f = &b->f[i];

	if (f->prev != NIL)
		b->f[f->prev].next = f->next;
	else
		b->head[f->order] = f->next;
	if (f->next != NIL)
		b->f[f->next].prev = f->prev;
	f->free = 0;
}

static int bare_alloc(struct bare *b, unsigned int order, uint64_t *pfn)
{
	unsigned int o = order;
	uint32_t i;

	while (o <= b->max_order && b->head[o] == NIL)
		o++;
	if (o > b->max_order)
		return -1;
	i = b->head[o];
	bare_unlink(b, i);
	while (o > order) {
		o--;
		bare_push(b, i + (UINT32_C(1) << o), o);
	}
	b->f[i].order = (uint8_t)order;
	*pfn = i;
	return 0;
}

static void bare_free(struct bare *b, uint32_t i)
{
	unsigned int order = b->f[i].order;

	for (; order < b->max_order; order++) {
		uint32_t buddy = i ^ (UINT32_C(1) << order);

		if (!b->f[buddy].free || b->f[buddy].order != order)
			break;
		bare_unlink(b, buddy);
		i &= ~(UINT32_C(1) << order);
	}
	bare_push(b, i, order);
}

/* run() on the bare allocator with @nr_frames frames; the seconds it took. */
static double run_bare(uint32_t nr_frames, unsigned int max_order, uint64_t nr_ops,
		       uint32_t *live)
{
	size_t bytes = (size_t)nr_frames * sizeof(struct bare_frame);
	struct bare b = { .f = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), .max_order = max_order };
	uint64_t target = nr_frames / 2, nr_live = 0, pages_live = 0, seed = 42;

	madvise(b.f, bytes, MADV_HUGEPAGE);
	for (unsigned int o = 0; o < G_N_ELEMENTS(b.head); o++)
		b.head[o] = NIL;
	for (uint32_t i = 0; i < nr_frames; i += UINT32_C(1) << max_order)
		bare_push(&b, i, max_order);
	double t0 = now();
	for (uint64_t op = 0; op < nr_ops; op++) {
		uint64_t r = cmasim_splitmix64(&seed);

		if (nr_live && (pages_live >= target || (r & 1))) {
			uint64_t i = (uint64_t)(((unsigned __int128)(r >> 1) * nr_live) >> 63);

			bare_free(&b, live[i] >> 4);
			pages_live -= UINT64_C(1) << (live[i] & 0xf);
			live[i] = live[--nr_live];
		} else {
			unsigned int order = pick_order(r >> 1);
			uint64_t pfn;

			(void)types[(r >> 40) % 10];
			if (bare_alloc(&b, order, &pfn))
				continue;
			live[nr_live++] = (uint32_t)(pfn << 4 | order);
			pages_live += UINT64_C(1) << order;
		}
	}
	double secs = now() - t0;

	munmap(b.f, bytes);
	return secs;
}

/* Machine @name, described by @yaml; NULL after saying why. */
static struct cmasim_config *load(const char *name, const char *yaml)
{
	GError *error = NULL;
	struct cmasim_config *cfg = cmasim_config_load_data(name, yaml, strlen(yaml), &error);

	if (!cfg) {
		fprintf(stderr, "%s\n", error->message);
		g_error_free(error);
	}
	return cfg;
}

/* ns per operation of @nr_ops taking @secs */
static double ns_per_op(double secs, uint64_t nr_ops)
{
	return secs / (double)nr_ops * 1e9;
}

int main(int argc, char **argv)
{
	enum { RUNS = 5 };
	uint64_t nr_ops = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
	struct cmasim_config *cfg = load("bench-4g", machine);
	struct cmasim_config *cfg_pcp = load("bench-4g-pcp", machine_pcp);
	double secs[RUNS], pcp[RUNS], bare[RUNS];
	uint64_t failed, failed_pcp;

	if (!cfg || !cfg_pcp)
		return 1;
	size_t live_bytes = ((cfg->mem_size >> cfg->page_shift) / 2 + 1024) * sizeof(uint32_t);
	uint32_t *live = mmap(NULL, live_bytes, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (live == MAP_FAILED)
		return 1;
	madvise(live, live_bytes, MADV_HUGEPAGE);
	/* the host is shared: the same sequence several times, interleaved, best and median */
	for (int i = 0; i < RUNS; i++) {
		secs[i] = run(cfg, nr_ops, live, &failed);
		pcp[i] = run(cfg_pcp, nr_ops, live, &failed_pcp);
		bare[i] = run_bare((uint32_t)(cfg->mem_size >> cfg->page_shift), cfg->max_page_order,
				   nr_ops, live);
	}
	qsort(secs, RUNS, sizeof(secs[0]), bench_by_value);
	qsort(pcp, RUNS, sizeof(pcp[0]), bench_by_value);
	qsort(bare, RUNS, sizeof(bare[0]), bench_by_value);
	printf("buddy: %" PRIu64 " operations, best of %d runs %.3f s of CPU: %.1f ns/op "
	       "(median %.1f; %" PRIu64 " allocations failed)\n", nr_ops, RUNS, secs[0],
	       ns_per_op(secs[0], nr_ops), ns_per_op(secs[RUNS / 2], nr_ops), failed);
	printf("buddy: with a CPU's per-cpu lists: %.1f ns/op (median %.1f; %" PRIu64
	       " allocations failed)\n", ns_per_op(pcp[0], nr_ops), ns_per_op(pcp[RUNS / 2], nr_ops),
	       failed_pcp);
	printf("buddy: the bare free-list buddy on the same mix: %.1f ns/op (median %.1f)\n",
	       ns_per_op(bare[0], nr_ops), ns_per_op(bare[RUNS / 2], nr_ops));
	printf("result buddy_alloc_free %.1f ns/op <=20 bare %.1f\n", ns_per_op(secs[0], nr_ops),
	       ns_per_op(bare[0], nr_ops));
	printf("result buddy_alloc_free_pcp %.1f ns/op - bare %.1f\n", ns_per_op(pcp[0], nr_ops),
	       ns_per_op(bare[0], nr_ops));

	struct cmasim_mem *mem = cmasim_mem_new(cfg);
	printf("buddy: %.2f host bytes per simulated frame\n", cmasim_mem_bytes_per_frame(mem));
	cmasim_mem_free(mem);
	munmap(live, live_bytes);
	cmasim_config_free(cfg_pcp);
	cmasim_config_free(cfg);
	return 0;
}

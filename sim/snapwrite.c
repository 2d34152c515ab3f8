// SPDX-License-Identifier: GPL-2.0-only
/*
 * A snapshot (snapshot.c) written out as a machine config and its initial
 * state (state.h).
 *
 * The layout is the kernel's: zones from zoneinfo, on pageblock
 * boundaries, RAM starting at a max-order boundary at or below the first
 * zone's start; holes where iomem has no RAM (down to single pages);
 * reserved ranges where kpageflags says PageReserved or PageOffline, or
 * the kernel never handed the pages to the allocator.
 *
 * Pageblock types are not in kpageflags, only how many pageblocks of
 * each type a zone has (pagetypeinfo). They are guessed to match those
 * counts: the reclaimable pageblocks are those holding the most slab
 * pages, the unmovable ones (HighAtomic too, which cmasim does not model)
 * those holding the most pages that never move, each less the free pages
 * it holds (a pageblock the kernel gave to unmovable allocations is full
 * of them: on the VM of tests/fixtures, 75 unmovable pageblocks held 194
 * free pages); the rest are movable, as memmap_init() leaves every
 * pageblock, Isolate and CMA included (a CMA area is the policy's to set
 * up, from the config's cma:). Ties go to the lower pfn.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmasim/snapshot.h"
#include "cmasim/units.h"
#include "textscan.h"

/* Pages of a pageblock by what says its type. */
struct block_score {
	uint32_t block;		/* pageblock index from the machine's first pfn */
	uint32_t unmovable;	/* kernel and page-table pages */
	uint32_t slab;
	uint32_t free;		/* free pages */
};

/* Where the config's RAM and zones lie, in pfns. */
struct layout {
	uint64_t base, end;			/* RAM: [base, end) */
	uint64_t zone_start[CMASIM_NR_ZONE_TYPES + 1];	/* the config's zones, then end */
	unsigned int pb_order;
};

static void get_layout(const struct cmasim_snapshot *s, struct layout *l)
{
	unsigned int align = MAX(s->max_order, s->pageblock_order);
	uint64_t pb = UINT64_C(1) << s->pageblock_order;
	const struct cmasim_snapshot_zone *last = &s->zones[s->nr_zones - 1];

	l->pb_order = s->pageblock_order;
	l->base = s->zones[0].start_pfn >> align << align;
	l->end = (last->start_pfn + last->spanned + pb - 1) & ~(pb - 1);
	l->zone_start[0] = l->base;
	for (unsigned int z = 1; z < s->nr_zones; z++)
		l->zone_start[z] = s->zones[z].start_pfn & ~(pb - 1);
	l->zone_start[s->nr_zones] = l->end;
}

/* What pfn @pfn of @s is: past kpageflags' end, a hole. */
static enum cmasim_page_kind kind_at(const struct cmasim_snapshot *s, uint64_t pfn)
{
	return pfn < s->nr_pfns ? CMASIM_PFN_KIND(s->pfn[pfn]) : CMASIM_PAGE_HOLE;
}

/* Appends "- { start: ..., size: ... }" lines for each run of @kind. */
static void write_runs(const struct cmasim_snapshot *s, const struct layout *l,
		       enum cmasim_page_kind kind, const char *key, GString *out)
{
	bool any = false;

	for (uint64_t pfn = l->base; pfn < l->end;) {
		uint64_t start = pfn;
		char size[32];

		while (pfn < l->end && kind_at(s, pfn) == kind)
			pfn++;
		if (pfn == start) {
			pfn++;
			continue;
		}
		if (!any)
			g_string_append_printf(out, "  %s:\n", key);
		any = true;
		g_string_append_printf(out, "    - { start: %#" PRIx64 ", size: %s }\n",
				       start << s->page_shift,
				       cmasim_format_size((pfn - start) << s->page_shift, size));
	}
}

/*
 * The newest kernel profile cmasim has that is not newer than release
 * @release, else the oldest. Kernels from 4.4 on get none with
 * MIGRATE_RESERVE, which 4.4 removed ("mm, page_alloc: remove
 * MIGRATE_RESERVE"): a 4.9 capture gets 5.10's rules, not 3.5's.
 */
static const char *kernel_profile(const char *release)
{
	unsigned int major = 0, minor = 0;
	const struct cmasim_kernel *best = NULL, *oldest = NULL, *k;
	bool reserve_gone;

	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return cmasim_kernel_default()->name;
	reserve_gone = major > 4 || (major == 4 && minor >= 4);
	/* the profiles come oldest first */
	for (unsigned int i = 0; (k = cmasim_kernel_nth(i)); i++) {
		unsigned int kmaj = 0, kmin = 0;

		if (sscanf(k->name, "%u.%u", &kmaj, &kmin) != 2 ||
		    (reserve_gone && k->migrate_reserve))
			continue;
		if (!oldest)
			oldest = k;
		if (kmaj < major || (kmaj == major && kmin <= minor))
			best = k;
	}
	return (best ? best : oldest)->name;
}

/*
 * Which area is the default one that devices without their own share
 * (dma_contiguous_default_area): the one cma= or CONFIG_CMA_SIZE_MBYTES
 * made, which dma_contiguous_reserve() names "reserved"; else the first.
 * The capture cannot tell which devices the others serve: they are
 * written with none.
 */
static unsigned int shared_area(const struct cmasim_snapshot *s)
{
	for (unsigned int i = 0; i < s->nr_cma; i++)
		if (!strcmp(s->cma[i].name, "reserved"))
			return i;
	return 0;
}

static void write_config(const struct cmasim_snapshot *s, const struct layout *l,
			 const char *name, const char *state_file, GString *out)
{
	char size[32];

	g_string_append(out, "# Imported by cmasim import snapshot from ");
	text_append_quoted(out, s->dir);
	g_string_append_c(out, '\n');
	for (unsigned int z = 0; z < s->nr_zones; z++) {
		const struct cmasim_snapshot_zone *zi = &s->zones[z];

		g_string_append_printf(out, "# zoneinfo: %s start_pfn %#" PRIx64 " spanned %" PRIu64
				       " present %" PRIu64 " managed %" PRIu64 "\n",
				       cmasim_zone_type_name(zi->type), zi->start_pfn, zi->spanned,
				       zi->present, zi->managed);
	}
	g_autofree char *what = g_strdup_printf("snapshot of Linux %s (%s)", s->kernel, s->arch);

	g_string_append(out, "name: ");
	text_append_quoted(out, name);
	g_string_append(out, "\ndescription: ");
	text_append_quoted(out, what);
	g_string_append_c(out, '\n');
	g_string_append_printf(out, "kernel: \"%s\"\n", kernel_profile(s->kernel));
	if (s->cpus)
		g_string_append_printf(out, "cpus: %u\n", s->cpus);
	g_string_append(out, "memory:\n");
	g_string_append_printf(out, "  base: %#" PRIx64 "\n", l->base << s->page_shift);
	g_string_append_printf(out, "  size: %s\n",
			       cmasim_format_size((l->end - l->base) << s->page_shift, size));
	g_string_append_printf(out, "  page_size: %s\n", cmasim_format_size(s->page_size, size));
	g_string_append_printf(out, "  max_page_order: %u\n", s->max_order);
	g_string_append_printf(out, "  pageblock_order: %u\n", s->pageblock_order);
	if (s->min_free_kbytes)
		g_string_append_printf(out, "  min_free_kbytes: %" PRIu64 "\n", s->min_free_kbytes);
	g_string_append(out, "  zones:\n");
	for (unsigned int z = 0; z < s->nr_zones; z++)
		g_string_append_printf(out, "    - { type: %s, size: %s }\n",
				       cmasim_zone_type_name(s->zones[z].type),
				       cmasim_format_size((l->zone_start[z + 1] - l->zone_start[z])
							  << s->page_shift, size));
	write_runs(s, l, CMASIM_PAGE_HOLE, "holes", out);
	write_runs(s, l, CMASIM_PAGE_RESERVED, "reserved", out);
	if (s->nr_cma)
		g_string_append(out, "cma:\n");
	unsigned int shared = shared_area(s);

	for (unsigned int i = 0; i < s->nr_cma; i++) {
		g_string_append(out, "  - { name: ");
		text_append_quoted(out, s->cma[i].name);
		g_string_append_printf(out, ", base: %#" PRIx64 ", size: %s, order_per_bit: %u%s"
				       " }\n", s->cma[i].base_pfn << s->page_shift,
				       cmasim_format_size(s->cma[i].count << s->page_shift, size),
				       s->cma[i].order_per_bit, i == shared ? "" : ", devices: []");
	}
	g_string_append(out, "initial: ");
	text_append_quoted(out, state_file);
	g_string_append_c(out, '\n');
}

/* Pageblocks with more pages that never move, less free ones, first; then the lower pfn. */
static int by_unmovable(const void *a, const void *b)
{
	const struct block_score *x = a, *y = b;
	int64_t ux = (int64_t)x->unmovable + x->slab - x->free;
	int64_t uy = (int64_t)y->unmovable + y->slab - y->free;

	return ux != uy ? (ux > uy ? -1 : 1) : (x->block > y->block) - (x->block < y->block);
}

/* Pageblocks with more slab pages less free ones first, then as by_unmovable(). */
static int by_slab(const void *a, const void *b)
{
	const struct block_score *x = a, *y = b;
	int64_t sx = (int64_t)x->slab - x->free, sy = (int64_t)y->slab - y->free;

	return sx != sy ? (sx > sy ? -1 : 1) : by_unmovable(a, b);
}

/*
 * Types the pageblocks of config zone @z (pageblocks [@first, @end)):
 * @types gets CMASIM_MT_RECLAIMABLE or CMASIM_MT_UNMOVABLE for those the
 * counts of pagetypeinfo pick (see the top of this file).
 */
static void guess_types(const struct cmasim_snapshot *s, const struct layout *l, unsigned int z,
			uint8_t *types)
{
	uint64_t first = (l->zone_start[z] - l->base) >> l->pb_order;
	uint64_t end = (l->zone_start[z + 1] - l->base) >> l->pb_order;
	const uint64_t *want = s->zones[z].pageblocks;
	g_autoptr(GArray) scores = g_array_new(FALSE, FALSE, sizeof(struct block_score));
	uint64_t recl = want[CMASIM_MT_RECLAIMABLE];
	uint64_t unmov = want[CMASIM_MT_UNMOVABLE] + want[CMASIM_MT_HIGHATOMIC];

	for (uint64_t b = first; b < end; b++) {
		struct block_score sc = { .block = (uint32_t)b };
		bool present = false;

		for (uint64_t pfn = l->base + (b << l->pb_order);
		     pfn < l->base + ((b + 1) << l->pb_order); pfn++) {
			enum cmasim_page_kind k = kind_at(s, pfn);

			present |= k != CMASIM_PAGE_HOLE;
			sc.unmovable += k == CMASIM_PAGE_KERNEL || k == CMASIM_PAGE_PAGETABLE;
			sc.slab += k == CMASIM_PAGE_SLAB;
			sc.free += k == CMASIM_PAGE_FREE;
		}
		if (present)
			g_array_append_val(scores, sc);
	}
	g_array_sort(scores, by_slab);
	for (guint i = 0; i < scores->len && recl; i++, recl--)
		types[g_array_index(scores, struct block_score, i).block] = CMASIM_MT_RECLAIMABLE;
	g_array_sort(scores, by_unmovable);
	for (guint i = 0; i < scores->len && unmov; i++) {
		struct block_score *sc = &g_array_index(scores, struct block_score, i);

		if (types[sc->block] == CMASIM_MT_MOVABLE) {
			types[sc->block] = CMASIM_MT_UNMOVABLE;
			unmov--;
		}
	}
}

/* The pageblock lines: runs of pageblocks of one type other than movable. */
static void write_pageblocks(const struct layout *l, const uint8_t *types, uint64_t nr,
			     GString *out)
{
	for (uint64_t b = 0; b < nr;) {
		uint64_t start = b;

		while (b < nr && types[b] == types[start])
			b++;
		if (types[start] != CMASIM_MT_MOVABLE)
			g_string_append_printf(out, "pageblock %#" PRIx64 " %" PRIu64 " %s\n",
					       l->base + (start << l->pb_order), b - start,
					       types[start] == CMASIM_MT_UNMOVABLE ? "unmovable"
										  : "reclaimable");
	}
}

/* The order of the allocated block at @pfn: its compound page's, else 0. */
static unsigned int block_order(const struct cmasim_snapshot *s, uint64_t pfn)
{
	unsigned int order = 0;

	if (!(s->pfn[pfn] & CMASIM_PFN_HEAD))
		return 0;
	while (pfn + (UINT64_C(1) << order) < s->nr_pfns &&
	       (s->pfn[pfn + (UINT64_C(1) << order)] & CMASIM_PFN_TAIL) &&
	       !(s->pfn[pfn + (UINT64_C(1) << order)] & CMASIM_PFN_HEAD))
		order++;
	return order;
}

/* The alloc lines: runs of contiguous blocks of one order and kind. */
static void write_blocks(const struct cmasim_snapshot *s, const struct layout *l, GString *out)
{
	uint64_t run_pfn = 0, run_count = 0;
	unsigned int run_order = 0;
	enum cmasim_page_kind run_kind = CMASIM_PAGE_HOLE;

	for (uint64_t pfn = l->base; pfn <= MIN(l->end, s->nr_pfns);) {
		enum cmasim_page_kind k = pfn < MIN(l->end, s->nr_pfns) ? kind_at(s, pfn)
									 : CMASIM_PAGE_HOLE;
		bool allocated = k >= CMASIM_PAGE_ANON && k < CMASIM_NR_PAGE_KINDS;
		unsigned int order = allocated ? block_order(s, pfn) : 0;

		if (run_count && (!allocated || k != run_kind || order != run_order ||
				  pfn != run_pfn + (run_count << run_order))) {
			g_string_append_printf(out, "alloc %#" PRIx64 " %u %" PRIu64 " %s\n", run_pfn,
					       run_order, run_count, cmasim_page_kind_name(run_kind));
			run_count = 0;
		}
		if (allocated && !run_count) {
			run_pfn = pfn;
			run_order = order;
			run_kind = k;
		}
		run_count += allocated;
		pfn += UINT64_C(1) << order;
	}
}

void cmasim_snapshot_write(const struct cmasim_snapshot *s, const char *name,
			   const char *state_file, GString *config, GString *state)
{
	struct layout l;

	g_return_if_fail(s && name && state_file && config && state);
	get_layout(s, &l);
	write_config(s, &l, name, state_file, config);

	uint64_t nr_blocks = (l.end - l.base) >> l.pb_order;
	g_autofree uint8_t *types = g_malloc(nr_blocks);

	memset(types, CMASIM_MT_MOVABLE, nr_blocks);
	for (unsigned int z = 0; z < s->nr_zones; z++)
		guess_types(s, &l, z, types);
	g_string_append(state, "cmasim-state 1\n");
	g_string_append(state, "# imported from ");
	text_append_quoted(state, s->dir);
	g_string_append_c(state, '\n');
	g_string_append_printf(state, "frames %#" PRIx64 " %" PRIu64 "\n", l.base, l.end - l.base);
	write_pageblocks(&l, types, nr_blocks, state);
	write_blocks(s, &l, state);
}

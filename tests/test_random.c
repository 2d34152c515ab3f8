// SPDX-License-Identifier: GPL-2.0-only
/*
 * Randomized alloc/free against a trivially simple model of the frames.
 *
 * The model is a byte per frame (free, hole, or allocated as a migratetype)
 * plus which pageblocks were made CMA. From it alone, and the watermarks
 * the machine reports, it predicts which zone each cmasim_alloc_pages()
 * must use, or that it must fail:
 *
 *  - zone z passes __zone_watermark_ok(order, mark) iff
 *      free(z) - (2^order - 1) - (mt != MOVABLE ? free_cma(z) : 0)
 *          > mark(z) + lowmem_reserve(z)[highest_zone]
 *    and, for order > 0, a free block of order >= order exists on a list mt
 *    may use. Free buddies always merge unless the merge would cross a zone,
 *    a hole, or join a CMA pageblock with a non-CMA one at or above
 *    pageblock order (and CMA pageblocks never change type, and their free
 *    pages are only ever on CMA lists). So such a block exists iff the model
 *    has an aligned, entirely free 2^order range inside the zone whose
 *    pageblocks are all CMA or all not CMA (all not CMA for non-MOVABLE).
 *  - once a zone passes, __rmqueue cannot fail: a block mt may use exists,
 *    and fallback / CMA reach every such list.
 *  - so the allocation comes from the highest allowed zone passing low; if
 *    none, the highest passing min; if none, -ENOMEM.
 *
 * Every successful range is also checked to be aligned, free in the model,
 * inside one zone of type <= highest_zone, out of holes, and out of CMA
 * pageblocks for non-MOVABLE requests. Every few thousand steps the zone
 * counters are compared with the model and the invariants are checked; at
 * the end everything is freed and the free blocks must be fully merged.
 */
#include "helpers.h"

#define FREE_FRAME 0
#define HOLE_FRAME 0xff
/* Allocated frames hold 1 + the migratetype asked for. */

#define MAX_ZONES CMASIM_NR_ZONE_TYPES

struct live {
	uint64_t pfn;
	unsigned int order;
};

struct sim {
	struct cmasim_config *cfg;
	struct cmasim_mem *mem;
	uint64_t rng;
	uint64_t base;			/* first pfn of RAM */
	uint64_t n;			/* frames of RAM */
	unsigned int max_order, pb_order;
	unsigned int nz;
	uint64_t zstart[MAX_ZONES], zend[MAX_ZONES];
	struct cmasim_zone_info zi[MAX_ZONES];	/* watermarks and reserves, read at boot */
	bool zhole[MAX_ZONES];		/* some pageblock of the zone is (partly) a hole */
	int64_t zfree[MAX_ZONES], zfree_cma[MAX_ZONES];
	uint8_t *st;			/* per frame */
	uint8_t *cma;			/* per pageblock: made CMA */
	struct live *live;
	size_t nlive, cap;
	/* statistics, to show the run exercised what it should */
	uint64_t nalloc, nfail, nat, nat_ok, nfree, zone_checks_scanned;
};

/* splitmix64: a fixed-seed generator of our own, the same on every libc. */
static uint64_t rnd(struct sim *s)
{
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond))                               \
			cr_assert_fail(__VA_ARGS__);       \
	} while (0)

/* Model zone index of @pfn, or -1 outside RAM. */
static int zone_of(const struct sim *s, uint64_t pfn)
{
	for (unsigned int z = 0; z < s->nz; z++)
		if (pfn >= s->zstart[z] && pfn < s->zend[z])
			return (int)z;
	return -1;
}

static uint8_t *frame(struct sim *s, uint64_t pfn)
{
	return &s->st[pfn - s->base];
}

static bool is_cma(const struct sim *s, uint64_t pfn)
{
	return s->cma[(pfn - s->base) >> s->pb_order];
}

static void check_invariants(struct sim *s, uint64_t step)
{
	g_autoptr(GString) why = g_string_new(NULL);

	if (!cmasim_mem_check_invariants(s->mem, why))
		cr_assert_fail("%s step %" PRIu64 ": invariants broken: %s", s->cfg->name, step,
			       why->str);
	if (!cmasim_mem_check_changes(s->mem, why))
		cr_assert_fail("%s step %" PRIu64 ": the check of what changed fails where a "
			       "full recount passes: %s", s->cfg->name, step, why->str);
}

/* Marks [pfn, pfn + 2^order) allocated as @mt (or free, mt < 0) in the model. */
static void model_set(struct sim *s, uint64_t pfn, unsigned int order, int mt)
{
	uint64_t nr = (uint64_t)1 << order;
	int z = zone_of(s, pfn);

	for (uint64_t p = pfn; p < pfn + nr; p++)
		*frame(s, p) = mt < 0 ? FREE_FRAME : (uint8_t)(1 + mt);
	s->zfree[z] += mt < 0 ? (int64_t)nr : -(int64_t)nr;
	if (is_cma(s, pfn))
		s->zfree_cma[z] += mt < 0 ? (int64_t)nr : -(int64_t)nr;
}

static void live_push(struct sim *s, uint64_t pfn, unsigned int order)
{
	if (s->nlive == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->live = g_renew(struct live, s->live, s->cap);
	}
	s->live[s->nlive++] = (struct live){ pfn, order };
}

/*
 * Whether [pfn, pfn + 2^order) is free in the model, inside one zone, and of
 * one CMA-ness (not CMA unless @cma_ok).
 */
static bool range_usable(struct sim *s, uint64_t pfn, unsigned int order, bool cma_ok)
{
	uint64_t nr = (uint64_t)1 << order;
	bool first_cma = is_cma(s, pfn);

	if (first_cma && !cma_ok)
		return false;
	for (uint64_t p = pfn; p < pfn + nr; p++) {
		if (*frame(s, p) != FREE_FRAME)
			return false;
		if (((p - s->base) & (((uint64_t)1 << s->pb_order) - 1)) == 0 &&
		    is_cma(s, p) != first_cma)
			return false;
	}
	return true;
}

/* Is there a free block of order >= @order in zone @z that @mt may use? */
static bool block_exists(struct sim *s, unsigned int z, unsigned int order,
			 enum cmasim_migratetype mt)
{
	uint64_t nr = (uint64_t)1 << order;
	uint64_t p = (s->zstart[z] + nr - 1) & ~(nr - 1);

	s->zone_checks_scanned++;
	for (; p + nr <= s->zend[z]; p += nr)
		if (range_usable(s, p, order, mt == CMASIM_MT_MOVABLE))
			return true;
	return false;
}

/*
 * The zone cmasim_alloc_pages() must use, by the rules in the file comment,
 * or -1 for -ENOMEM.
 */
static int expected_zone(struct sim *s, unsigned int order, enum cmasim_migratetype mt,
			 enum cmasim_zone_type hz)
{
	int blocks[MAX_ZONES];	/* -1 unknown, else bool */

	for (unsigned int z = 0; z < MAX_ZONES; z++)
		blocks[z] = -1;
	for (int pass = 0; pass < 2; pass++) {
		for (int z = (int)s->nz - 1; z >= 0; z--) {
			const struct cmasim_zone_info *zi = &s->zi[z];
			uint64_t mark = pass == 0 ? zi->wmark_low : zi->wmark_min;
			int64_t free = s->zfree[z] - (((int64_t)1 << order) - 1) -
				       (mt != CMASIM_MT_MOVABLE ? s->zfree_cma[z] : 0);

			if (zi->type > hz)
				continue;
			if (free <= (int64_t)(mark + zi->lowmem_reserve[hz]))
				continue;
			if (order == 0)
				return z;
			if (blocks[z] < 0)
				blocks[z] = block_exists(s, (unsigned int)z, order, mt);
			if (blocks[z])
				return z;
		}
	}
	return -1;
}

static unsigned int pick_order(struct sim *s)
{
	uint64_t r = rnd(s) % 100;
	unsigned int o;

	if (r < 50)
		o = 0;
	else if (r < 70)
		o = 1;
	else if (r < 82)
		o = 2;
	else if (r < 90)
		o = 3;
	else
		o = (unsigned int)(rnd(s) % (s->max_order + 1));
	return o > s->max_order ? s->max_order : o;
}

static void do_alloc(struct sim *s, uint64_t step)
{
	unsigned int order = pick_order(s);
	enum cmasim_migratetype mt = (enum cmasim_migratetype)(rnd(s) % CMASIM_NR_ALLOC_TYPES);
	enum cmasim_zone_type hz = s->zi[rnd(s) % s->nz].type;
	int want = expected_zone(s, order, mt, hz);
	uint64_t pfn = UINT64_MAX, nr = (uint64_t)1 << order;
	int rc = cmasim_alloc_pages(s->mem, order, mt, hz, &pfn);
	int z;

	if (rc) {
		CHECK(rc == -ENOMEM, "%s step %" PRIu64 ": alloc returned %d", s->cfg->name, step,
		      rc);
		CHECK(want < 0, "%s step %" PRIu64 ": order %u %s (highest %s) failed, but zone %d "
		      "(free %" PRId64 ", cma %" PRId64 ", min %" PRIu64 ", low %" PRIu64
		      ", reserve %" PRIu64 ") should have served it", s->cfg->name, step, order,
		      cmasim_migratetype_name(mt), cmasim_zone_type_name(hz), want,
		      want >= 0 ? s->zfree[want] : 0, want >= 0 ? s->zfree_cma[want] : 0,
		      want >= 0 ? s->zi[want].wmark_min : 0, want >= 0 ? s->zi[want].wmark_low : 0,
		      want >= 0 ? s->zi[want].lowmem_reserve[hz] : 0);
		s->nfail++;
		return;
	}
	CHECK(pfn % nr == 0, "%s step %" PRIu64 ": pfn %" PRIu64 " not aligned to order %u",
	      s->cfg->name, step, pfn, order);
	CHECK(pfn >= s->base && pfn + nr <= s->base + s->n,
	      "%s step %" PRIu64 ": pfn %" PRIu64 " outside RAM", s->cfg->name, step, pfn);
	z = zone_of(s, pfn);
	CHECK(z >= 0 && pfn + nr <= s->zend[z] && s->zi[z].type <= hz,
	      "%s step %" PRIu64 ": pfn %" PRIu64 " order %u in zone %d, highest %s",
	      s->cfg->name, step, pfn, order, z, cmasim_zone_type_name(hz));
	for (uint64_t p = pfn; p < pfn + nr; p++) {
		CHECK(*frame(s, p) == FREE_FRAME, "%s step %" PRIu64 ": alloc order %u at %" PRIu64
		      " hands out pfn %" PRIu64 " which is %s", s->cfg->name, step, order, pfn, p,
		      *frame(s, p) == HOLE_FRAME ? "a hole" : "allocated");
		CHECK(mt == CMASIM_MT_MOVABLE || !is_cma(s, p), "%s step %" PRIu64
		      ": %s allocation at %" PRIu64 " in a CMA pageblock", s->cfg->name, step,
		      cmasim_migratetype_name(mt), pfn);
	}
	CHECK(z == want, "%s step %" PRIu64 ": order %u %s (highest %s) served from zone %d, "
	      "expected zone %d (free %" PRId64 "/%" PRId64 ")", s->cfg->name, step, order,
	      cmasim_migratetype_name(mt), cmasim_zone_type_name(hz), z, want,
	      s->zfree[z], want >= 0 ? s->zfree[want] : -1);
	model_set(s, pfn, order, (int)mt);
	live_push(s, pfn, order);
	s->nalloc++;
}

static void do_alloc_at(struct sim *s, uint64_t step)
{
	unsigned int order = (unsigned int)(rnd(s) % (s->max_order + 1));
	uint64_t nr = (uint64_t)1 << order;
	uint64_t pfn = s->base + ((rnd(s) % s->n) & ~(nr - 1));
	enum cmasim_migratetype mt = (enum cmasim_migratetype)(rnd(s) % CMASIM_NR_ALLOC_TYPES);
	bool outside = pfn + nr > s->base + s->n;
	bool cross = false, hole = false, busy = false, cma = false, non_cma = false;
	int rc;

	if (!outside) {
		cross = zone_of(s, pfn) != zone_of(s, pfn + nr - 1);
		for (uint64_t p = pfn; p < pfn + nr; p++) {
			hole |= *frame(s, p) == HOLE_FRAME;
			busy |= *frame(s, p) != FREE_FRAME && *frame(s, p) != HOLE_FRAME;
			cma |= is_cma(s, p);
			non_cma |= !is_cma(s, p);
		}
	}
	/*
	 * A free range over CMA and non-CMA pageblocks is two free blocks that
	 * never merge: no single block holds it, and the rules leave open what
	 * alloc_at does then (and freeing it would put non-CMA pages on a CMA
	 * list, as 6.1's __free_one_page would). Not a placement a trace makes.
	 */
	if (cma && non_cma)
		return;
	if (cma)
		mt = CMASIM_MT_MOVABLE;
	rc = cmasim_alloc_pages_at(s->mem, pfn, order, mt);
	s->nat++;
	if (outside)
		CHECK(rc == -EINVAL, "%s step %" PRIu64 ": alloc_at(%" PRIu64
		      ", %u) outside RAM = %d",
		      s->cfg->name, step, pfn, order, rc);
	else if (cross)
		CHECK(rc == -EINVAL || (rc == -EBUSY && (hole || busy)), "%s step %" PRIu64
		      ": alloc_at(%" PRIu64 ", %u) across zones = %d", s->cfg->name, step, pfn,
		      order, rc);
	else if (hole)
		CHECK(rc == -EINVAL || rc == -EBUSY, "%s step %" PRIu64 ": alloc_at(%" PRIu64
		      ", %u) over a hole = %d", s->cfg->name, step, pfn, order, rc);
	else if (busy)
		CHECK(rc == -EBUSY, "%s step %" PRIu64 ": alloc_at(%" PRIu64 ", %u) over allocated "
		      "pages = %d", s->cfg->name, step, pfn, order, rc);
	else
		CHECK(rc == 0, "%s step %" PRIu64 ": alloc_at(%" PRIu64 ", %u) of free pages = %d",
		      s->cfg->name, step, pfn, order, rc);
	if (rc == 0) {
		CHECK(!outside && !cross && !hole && !busy, "alloc_at succeeded on a bad range");
		model_set(s, pfn, order, (int)mt);
		live_push(s, pfn, order);
		s->nat_ok++;
	}
}

static void do_free(struct sim *s)
{
	size_t i = (size_t)(rnd(s) % s->nlive);
	struct live l = s->live[i];

	s->live[i] = s->live[--s->nlive];
	cmasim_free_pages(s->mem, l.pfn);
	model_set(s, l.pfn, l.order, -1);
	s->nfree++;
}

/* Counters against the model, and the allocator's own recount. */
static void checkpoint(struct sim *s, uint64_t step)
{
	for (unsigned int z = 0; z < s->nz; z++) {
		struct cmasim_zone_info info;

		cmasim_mem_zone_info(s->mem, z, &info);
		CHECK((int64_t)info.nr_free == s->zfree[z], "%s step %" PRIu64 ": zone %u nr_free %"
		      PRIu64 ", model %" PRId64, s->cfg->name, step, z, info.nr_free, s->zfree[z]);
		CHECK((int64_t)info.nr_free_cma == s->zfree_cma[z], "%s step %" PRIu64
		      ": zone %u nr_free_cma %" PRIu64 ", model %" PRId64, s->cfg->name, step, z,
		      info.nr_free_cma, s->zfree_cma[z]);
	}
	check_invariants(s, step);
}

/* Pageblock types and the mixed-pageblock counts against the model. */
static void checkpoint_pageblocks(struct sim *s, uint64_t step)
{
	uint64_t pbnr = (uint64_t)1 << s->pb_order;

	for (unsigned int z = 0; z < s->nz; z++) {
		uint64_t mixed[CMASIM_NR_MIGRATETYPES] = { 0 };
		uint64_t types[CMASIM_NR_MIGRATETYPES] = { 0 };

		for (uint64_t pb = s->zstart[z]; pb < s->zend[z]; pb += pbnr) {
			enum cmasim_migratetype t;
			bool all_hole = true, mix = false;

			for (uint64_t p = pb; p < pb + pbnr; p++)
				all_hole &= *frame(s, p) == HOLE_FRAME;
			if (all_hole)
				continue;
			t = cmasim_get_pageblock_migratetype(s->mem, pb);
			types[t]++;
			if (is_cma(s, pb))
				CHECK(t == CMASIM_MT_CMA, "%s step %" PRIu64 ": CMA pageblock %"
				      PRIu64 " re-typed %s", s->cfg->name, step, pb,
				      cmasim_migratetype_name(t));
			else
				CHECK(t == CMASIM_MT_UNMOVABLE || t == CMASIM_MT_MOVABLE ||
				      t == CMASIM_MT_RECLAIMABLE, "%s step %" PRIu64 ": pageblock %"
				      PRIu64 " became %s", s->cfg->name, step, pb,
				      cmasim_migratetype_name(t));
			for (uint64_t p = pb; p < pb + pbnr; p++) {
				uint8_t f = *frame(s, p);

				if (f != FREE_FRAME && f != HOLE_FRAME &&
				    (enum cmasim_migratetype)(f - 1) != t)
					mix = true;
			}
			if (mix)
				mixed[t == CMASIM_MT_CMA ? CMASIM_MT_MOVABLE : t]++;
		}
		for (int mt = 0; mt < CMASIM_NR_MIGRATETYPES; mt++) {
			uint64_t got = cmasim_zone_nr_mixed_pageblocks(s->mem, z, mt);

			CHECK(got == mixed[mt], "%s step %" PRIu64 ": zone %u mixed %s = %" PRIu64
			      ", model %" PRIu64, s->cfg->name, step, z,
			      cmasim_migratetype_name(mt), got, mixed[mt]);
			if (s->zhole[z])
				continue;
			got = cmasim_zone_nr_pageblocks(s->mem, z, mt);
			CHECK(got == types[mt], "%s step %" PRIu64 ": zone %u pageblocks %s = %"
			      PRIu64 ", counted %" PRIu64, s->cfg->name, step, z,
			      cmasim_migratetype_name(mt), got, types[mt]);
		}
	}
}

/*
 * After everything is freed: per zone and order, the free blocks must be
 * the maximal aligned blocks of each run of present frames of one
 * CMA-ness (the zone fully merged).
 */
static void check_fully_merged(struct sim *s)
{
	for (unsigned int z = 0; z < s->nz; z++) {
		uint64_t want[CMASIM_ORDER_LIMIT + 1] = { 0 };
		uint64_t p = s->zstart[z];

		while (p < s->zend[z]) {
			uint64_t end = p;

			if (*frame(s, p) == HOLE_FRAME) {
				p++;
				continue;
			}
			while (end < s->zend[z] && *frame(s, end) != HOLE_FRAME &&
			       is_cma(s, end) == is_cma(s, p))
				end++;
			while (p < end) {
				unsigned int o = s->max_order;

				while (o && (((p - s->base) & (((uint64_t)1 << o) - 1)) ||
					     p + ((uint64_t)1 << o) > end))
					o--;
				want[o]++;
				p += (uint64_t)1 << o;
			}
		}
		for (unsigned int o = 0; o <= s->max_order; o++) {
			uint64_t got = 0;

			for (int mt = 0; mt < CMASIM_NR_MIGRATETYPES; mt++)
				got += cmasim_zone_nr_free_blocks(s->mem, z, o, mt);
			CHECK(got == want[o], "%s: zone %u after freeing everything: %" PRIu64
			      " free blocks of order %u, fully merged would be %" PRIu64,
			      s->cfg->name, z, got, o, want[o]);
		}
	}
}

static void sim_init(struct sim *s, const char *yaml, uint64_t seed,
		     const uint64_t *cma_offsets, size_t ncma)
{
	uint64_t pbnr;

	memset(s, 0, sizeof(*s));
	s->cfg = load_config(yaml);
	s->mem = cmasim_mem_new(s->cfg);
	cr_assert_not_null(s->mem);
	/* the checks of what changed must agree with the full recount, at every checkpoint */
	cmasim_mem_track_changes(s->mem);
	s->rng = seed;
	s->base = s->cfg->mem_base >> s->cfg->page_shift;
	s->n = s->cfg->mem_size >> s->cfg->page_shift;
	s->max_order = s->cfg->max_page_order;
	s->pb_order = s->cfg->pageblock_order;
	pbnr = (uint64_t)1 << s->pb_order;
	s->nz = s->cfg->nr_zones;
	cr_assert_eq(cmasim_mem_nr_zones(s->mem), s->nz);
	s->st = g_new0(uint8_t, s->n);
	s->cma = g_new0(uint8_t, (s->n >> s->pb_order) + 1);
	for (unsigned int i = 0; i < s->cfg->nr_holes; i++) {
		uint64_t a = s->cfg->holes[i].start >> s->cfg->page_shift;
		uint64_t b = a + (s->cfg->holes[i].size >> s->cfg->page_shift);

		for (uint64_t p = a; p < b; p++)
			*frame(s, p) = HOLE_FRAME;
	}
	for (unsigned int z = 0; z < s->nz; z++) {
		s->zstart[z] = s->cfg->zones[z].start >> s->cfg->page_shift;
		s->zend[z] = s->cfg->zones[z].end >> s->cfg->page_shift;
		cmasim_mem_zone_info(s->mem, z, &s->zi[z]);
		cr_assert_eq(s->zi[z].start_pfn, s->zstart[z]);
		cr_assert_eq(s->zi[z].end_pfn, s->zend[z]);
		for (uint64_t p = s->zstart[z]; p < s->zend[z]; p++) {
			if (*frame(s, p) == HOLE_FRAME)
				s->zhole[z] = true;
			else
				s->zfree[z]++;
		}
		cr_assert_eq(s->zi[z].present, (uint64_t)s->zfree[z]);
		if (z)
			cr_assert(s->zi[z].type > s->zi[z - 1].type);
	}
	checkpoint(s, 0);
	/*
	 * CMA pageblocks, as cma_init_reserved_pageblock() makes them: take the
	 * pageblock out of the buddy allocator, type it CMA, free it back.
	 */
	for (size_t i = 0; i < ncma; i++) {
		uint64_t pfn = s->base + cma_offsets[i];

		cr_assert_eq(cmasim_alloc_pages_at(s->mem, pfn, s->pb_order, CMASIM_MT_MOVABLE), 0,
			     "%s: taking CMA pageblock %" PRIu64, s->cfg->name, pfn);
		cmasim_set_pageblock_migratetype(s->mem, pfn, CMASIM_MT_CMA);
		cmasim_free_pages(s->mem, pfn);
		s->cma[cma_offsets[i] >> s->pb_order] = 1;
		s->zfree_cma[zone_of(s, pfn)] += (int64_t)pbnr;
	}
	checkpoint(s, 0);
	checkpoint_pageblocks(s, 0);
}

static void sim_fini(struct sim *s)
{
	cmasim_mem_free(s->mem);
	cmasim_config_free(s->cfg);
	g_free(s->st);
	g_free(s->cma);
	g_free(s->live);
}

static void run(const char *yaml, uint64_t seed, const uint64_t *cma, size_t ncma,
		uint64_t steps)
{
	/* Alloc probability per 1024, by phase: fill, churn, drain, churn. */
	static const uint64_t phase_alloc[] = { 820, 540, 280, 560 };
	struct sim s;

	sim_init(&s, yaml, seed, cma, ncma);
	for (uint64_t step = 1; step <= steps; step++) {
		uint64_t p = phase_alloc[(step / 25000) % G_N_ELEMENTS(phase_alloc)];

		if (s.nlive == 0 || rnd(&s) % 1024 < p) {
			if (rnd(&s) % 48 == 0)
				do_alloc_at(&s, step);
			else
				do_alloc(&s, step);
		} else {
			do_free(&s);
		}
		if (step % 2000 == 0)
			checkpoint(&s, step);
		if (step % 20000 == 0)
			checkpoint_pageblocks(&s, step);
	}
	checkpoint(&s, steps);
	checkpoint_pageblocks(&s, steps);
	while (s.nlive)
		do_free(&s);
	checkpoint(&s, steps);
	checkpoint_pageblocks(&s, steps);
	for (unsigned int z = 0; z < s.nz; z++) {
		struct cmasim_zone_info info;

		cmasim_mem_zone_info(s.mem, z, &info);
		cr_assert_eq(info.nr_free, info.present, "%s: zone %u not all free at the end",
			     s.cfg->name, z);
	}
	check_fully_merged(&s);
	cr_log_info("%s: %" PRIu64 " allocations, %" PRIu64 " -ENOMEM, %" PRIu64 " frees, %"
		    PRIu64 "/%" PRIu64 " alloc_at placed, %" PRIu64 " zone scans",
		    s.cfg->name, s.nalloc, s.nfail, s.nfree, s.nat_ok, s.nat,
		    s.zone_checks_scanned);
	/* The run must have reached both full and failing states. */
	cr_assert(s.nfail > steps / 100, "%s: only %" PRIu64 " failures", s.cfg->name, s.nfail);
	cr_assert(s.nalloc > steps / 4, "%s: only %" PRIu64 " allocations", s.cfg->name,
		  s.nalloc);
	cr_assert(s.nat_ok > 0, "%s: no alloc_at placement succeeded", s.cfg->name);
	sim_fini(&s);
}

#define STEPS 1000000

/*
 * DMA [0, 128), Normal [128, 512) with a hole [256, 320), HighMem
 * [512, 1024); pageblock = largest block = 16 pages. CMA: Normal pageblocks
 * 448 and 464, HighMem 992.
 */
Test(random, highmem_hole, .timeout = 300)
{
	static const uint64_t cma[] = { 448, 464, 992 };

	run("name: highmem-hole\n"
	    "memory:\n"
	    "  size: 4MiB\n"
	    "  max_page_order: 4\n"
	    "  pageblock_order: 4\n"
	    "  lowmem: 2MiB\n"
	    "  dma_zone: 512KiB\n"
	    "  holes:\n"
	    "    - { start: 0x100000, size: 256KiB }\n",
	    0x1234567887654321ULL, cma, G_N_ELEMENTS(cma), STEPS);
}

/*
 * 512 pages, pageblocks of 4 pages under blocks of 32; DMA [0, 100) and
 * Normal [100, 512), a boundary inside an order-5 block, so buddies across
 * it exist and must never merge. CMA: a run of four pageblocks [400, 416)
 * (which merge with each other), a lone one at 256, inside what boot made
 * one order-5 block, and 96, the last pageblock of DMA.
 */
Test(random, small_pageblocks, .timeout = 300)
{
	static const uint64_t cma[] = { 400, 404, 408, 412, 256, 96 };

	run("name: small-pageblocks\n"
	    "memory:\n"
	    "  size: 2MiB\n"
	    "  max_page_order: 5\n"
	    "  pageblock_order: 2\n"
	    "  lowmem: 2MiB\n"
	    "  dma_zone: 400KiB\n",
	    0x0123456789abcdefULL, cma, G_N_ELEMENTS(cma), STEPS);
}

/*
 * RAM at 2 GiB: DMA, Normal (hole of 16 pages at offset 384) and
 * Movable, 256 pages each; pageblocks of 4, blocks up to 8. CMA: Normal
 * offsets 420, 424, Movable 600. DMA, not DMA32: with DMA32 the kernel's
 * ALLOC_NOFRAGMENT first pass would depend on pageblock types, which this
 * model does not track.
 */
Test(random, nonzero_base, .timeout = 300)
{
	static const uint64_t cma[] = { 420, 424, 600 };

	run("name: nonzero-base\n"
	    "memory:\n"
	    "  base: 0x80000000\n"
	    "  size: 3MiB\n"
	    "  max_page_order: 3\n"
	    "  pageblock_order: 2\n"
	    "  zones:\n"
	    "    - { type: DMA, size: 1MiB }\n"
	    "    - { type: Normal, size: 1MiB }\n"
	    "    - { type: Movable, size: 1MiB }\n"
	    "  holes:\n"
	    "    - { start: 0x80180000, size: 64KiB }\n",
	    0xfeedfacecafebeefULL, cma, G_N_ELEMENTS(cma), STEPS);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's mappings and the TLB against hand-worked expectations.
 *
 * Costs are picked so each term of a sum can be told apart: a section split
 * costs 100000 ns, a shootdown 1000 ns, a page flushed by page 7 ns, a kmap
 * 3 ns, a TLB miss 30 ns. With 1 MiB sections and 4 KiB pages a section
 * holds 256 pages, and flush_tlb_kernel_range() flushes up to 256 pages one
 * by one (7 ns each) and more with one shootdown (1000 ns).
 *
 * Buddy states are in the zone notation of helpers.h, derived from the
 * buddy rules: a page-table page is an order-0 UNMOVABLE request, which on
 * a machine of MOVABLE pageblocks steals the first order-10 block whole and
 * splits it, handing out its first page and putting the upper halves on
 * the UNMOVABLE lists.
 */
#include "fixture.h"

#include "cmasim/migrate.h"
#include "cmasim/mmu.h"

static struct cmasim_mmu *mmu;

static void mmu_teardown(void)
{
	cmasim_mmu_free(mmu);
	mmu = NULL;
	machine_teardown();
}

TestSuite(mmu, .fini = mmu_teardown);

#define COSTS                          \
	"costs:\n"                     \
	"  tlb_miss: 30ns\n"           \
	"  tlb_flush_page: 7ns\n"      \
	"  tlb_shootdown: 1000ns\n"    \
	"  section_split: 100000ns\n"  \
	"  kmap: 3ns\n"

#define SPLIT_NS 100000
#define SHOOT_NS 1000
#define FLUSH_NS 7
#define MiB (UINT64_C(1) << 20)

/*
 * 16 MiB at 0, all lowmem (32-bit: one Normal zone, no HighMem), four
 * pageblocks of 4 MiB; 1 MiB sections: 16 of them, pfns 0x100 apart.
 * Boot: M10:0,1024,2048,3072. VA = 0xC0000000 + pa.
 */
static const char CFG_A[] =
	"memory:\n"
	"  size: 16MiB\n"
	"  max_page_order: 10\n"
	"  pageblock_order: 10\n"
	"  min_free_kbytes: 64\n" COSTS;

/* An ARMv7 phone: 1 GiB at 0x80000000, 768 MiB lowmem, then HighMem. */
static const char CFG_ARM[] =
	"memory:\n"
	"  base: 0x80000000\n"
	"  size: 1GiB\n"
	"  max_page_order: 10\n"
	"  pageblock_order: 10\n"
	"  lowmem: 768MiB\n" COSTS;

/*
 * 32 MiB at 0: Normal [0, 20 MiB) with a hole at [8, 16) MiB, HighMem
 * [20, 32) MiB. With 8 MiB sections lowmem spans three: s0 RAM whole, s1
 * all hole, s2 half lowmem (ragged).
 */
static const char CFG_RAGGED[] =
	"memory:\n"
	"  size: 32MiB\n"
	"  max_page_order: 10\n"
	"  pageblock_order: 10\n"
	"  lowmem: 20MiB\n"
	"  holes:\n"
	"    - { start: 0x800000, size: 8MiB }\n" COSTS;

#define A_ALL "M10:0,1024,2048,3072"
/* the first page-table page took pfn 0 out of pageblock 0, now UNMOVABLE */
#define U_FROM1 "U0:1 U1:2 U2:4 U3:8 U4:16 U5:32 U6:64 U7:128 U8:256 U9:512"
#define U_FROM2 "U1:2 U2:4 U3:8 U4:16 U5:32 U6:64 U7:128 U8:256 U9:512"
#define M_REST "M10:1024,2048,3072"

/* ------------------------------------------------------------- helpers */

/* Boots @yaml with @section-byte sections and TLBs of @pages and @sections entries. */
static void boot_mmu_tlb(const char *yaml, uint64_t section, unsigned int pages,
			 unsigned int sections)
{
	GError *err = NULL;

	boot(yaml);
	cfg->mmu.section_size = section;
	cfg->mmu.tlb_page_entries = pages;
	cfg->mmu.tlb_section_entries = sections;
	mmu = cmasim_mmu_new(mem, &err);
	cr_assert_not_null(mmu, "mmu_new: %s", err ? err->message : "?");
	cr_assert_null(err);
}

static void boot_mmu(const char *yaml, uint64_t section)
{
	boot_mmu_tlb(yaml, section, 32, 32);
}

static void mmu_invariants_at(int line)
{
	g_autoptr(GString) why = g_string_new(NULL);

	cr_assert(cmasim_mmu_check_invariants(mmu, why), "line %d: mmu invariants: %s", line,
		  why->str);
	check_invariants_at(mem, __FILE__, line);
}

#define MINV() mmu_invariants_at(__LINE__)

static struct cmasim_mmu_stats set_attr_at(uint64_t pfn, uint64_t nr, enum cmasim_attr attr,
					   int line)
{
	struct cmasim_mmu_stats st = { 0 };
	int rc = cmasim_mmu_linear_set_attr(mmu, pfn, nr, attr, &st);

	cr_assert_eq(rc, 0, "line %d: set_attr(%#" PRIx64 ", %" PRIu64 ", %s) = %d", line, pfn,
		     nr, cmasim_attr_name(attr), rc);
	mmu_invariants_at(line);
	return st;
}

#define SET(pfn, nr, attr) set_attr_at((pfn), (nr), (attr), __LINE__)

static struct cmasim_mmu_stats split_at(uint64_t pfn, uint64_t nr, int line)
{
	struct cmasim_mmu_stats st = { 0 };
	int rc = cmasim_mmu_linear_split(mmu, pfn, nr, &st);

	cr_assert_eq(rc, 0, "line %d: linear_split(%#" PRIx64 ", %" PRIu64 ") = %d", line, pfn,
		     nr, rc);
	mmu_invariants_at(line);
	return st;
}

#define SPLIT(pfn, nr) split_at((pfn), (nr), __LINE__)

static void expect_stats_at(const struct cmasim_mmu_stats *st, uint64_t cost, uint64_t split,
			    uint64_t collapsed, uint64_t pt_alloc, uint64_t pt_freed,
			    uint64_t flushed, uint64_t shootdowns, int line)
{
	cr_assert(st->cost_ns == cost && st->sections_split == split &&
		  st->sections_collapsed == collapsed && st->pt_alloc == pt_alloc &&
		  st->pt_freed == pt_freed && st->pages_flushed == flushed &&
		  st->shootdowns == shootdowns,
		  "line %d: stats {cost %" PRIu64 ", split %" PRIu64 ", collapsed %" PRIu64
		  ", pt_alloc %" PRIu64 ", pt_freed %" PRIu64 ", flushed %" PRIu64
		  ", shootdowns %" PRIu64 "}, expected {%" PRIu64 ", %" PRIu64 ", %" PRIu64
		  ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 "}", line, st->cost_ns,
		  st->sections_split, st->sections_collapsed, st->pt_alloc, st->pt_freed,
		  st->pages_flushed, st->shootdowns, cost, split, collapsed, pt_alloc, pt_freed,
		  flushed, shootdowns);
}

/* STATS(st, cost, split, collapsed, pt_alloc, pt_freed, pages flushed, shootdowns) */
#define STATS(st, cost, split, coll, alloc, freed, flushed, shoot) \
	expect_stats_at(&(st), (cost), (split), (coll), (alloc), (freed), (flushed), (shoot), \
			__LINE__)

/* A translation of @va that must return @rc and, unless it faults, @pa with @attr. */
static void xlat_at(uint64_t va, int rc, uint64_t pa, enum cmasim_attr attr, int line)
{
	uint64_t got_pa = UINT64_MAX;
	enum cmasim_attr got_attr = CMASIM_NR_ATTRS;
	int got = cmasim_mmu_translate(mmu, va, &got_pa, &got_attr);

	cr_assert_eq(got, rc, "line %d: translate(%#" PRIx64 ") = %d, expected %d", line, va,
		     got, rc);
	if (rc >= 0)
		cr_assert(got_pa == pa && got_attr == attr, "line %d: translate(%#" PRIx64
			  ") gave %#" PRIx64 " %s, expected %#" PRIx64 " %s", line, va, got_pa,
			  cmasim_attr_name(got_attr), pa, cmasim_attr_name(attr));
}

#define HIT(va, pa, attr) xlat_at((va), 0, (pa), (attr), __LINE__)
#define MISS(va, pa, attr) xlat_at((va), CMASIM_MMU_TLB_MISS, (pa), (attr), __LINE__)
#define FAULT(va) xlat_at((va), -EFAULT, 0, CMASIM_ATTR_NONE, __LINE__)

static void expect_frame_at(uint64_t pfn, bool lowmem, enum cmasim_attr linear, bool cacheable,
			    bool noncacheable, int line)
{
	struct cmasim_mmu_frame f;

	cmasim_mmu_frame(mmu, pfn, &f);
	cr_assert(f.lowmem == lowmem && f.linear == linear && f.cacheable == cacheable &&
		  f.noncacheable == noncacheable,
		  "line %d: frame %#" PRIx64 " {lowmem %d, linear %s, cacheable %d, noncacheable "
		  "%d}, expected {%d, %s, %d, %d}", line, pfn, f.lowmem,
		  cmasim_attr_name(f.linear), f.cacheable, f.noncacheable, lowmem,
		  cmasim_attr_name(linear), cacheable, noncacheable);
}

/* FRAME(pfn, lowmem, linear attribute, any cacheable mapping, any non-cacheable one) */
#define FRAME(pfn, low, lin, c, nc) expect_frame_at((pfn), (low), (lin), (c), (nc), __LINE__)

static struct cmasim_mmu_counters counters(void)
{
	struct cmasim_mmu_counters c;

	cmasim_mmu_counters(mmu, &c);
	return c;
}

/* The linear-map VA of @pfn, which must be lowmem. */
static uint64_t lva(uint64_t pfn)
{
	uint64_t va = cmasim_mmu_page_address(mmu, pfn);

	cr_assert_neq(va, 0, "pfn %#" PRIx64 " is not lowmem", pfn);
	return va;
}

#define C CMASIM_ATTR_CACHEABLE
#define UC CMASIM_ATTR_UNCACHED
#define WC CMASIM_ATTR_WRITE_COMBINE
#define NONE CMASIM_ATTR_NONE

/* -------------------------------------------------------------- layout */

Test(mmu, attr_names)
{
	cr_assert_str_eq(cmasim_attr_name(CMASIM_ATTR_WRITE_COMBINE), "write-combine");
	for (int a = 0; a < CMASIM_NR_ATTRS; a++)
		cr_assert_gt(strlen(cmasim_attr_name(a)), 0);
}

/*
 * 768 MiB of lowmem in 1 MiB sections: 768 section entries at 0xC0000000.
 * vmalloc: 0xF0000000 + 8 MiB rounded down to 8 MiB = 0xF0800000, up to
 * 0xff800000: 240 MiB, the ARM default.
 */
Test(mmu, boot_layout_32bit)
{
	struct cmasim_mmu_layout l;

	boot_mmu(CFG_ARM, MiB);
	cmasim_mmu_layout(mmu, &l);
	cr_assert(!l.is_64bit);
	cr_assert_eq(l.page_offset, 0xC0000000);
	cr_assert_eq(l.linear_end, 0xF0000000);
	cr_assert_eq(l.nr_sections, 768);
	cr_assert_eq(l.vmalloc_start, 0xF0800000);
	cr_assert_eq(l.vmalloc_end, 0xFF800000);
	cr_assert_eq(l.kmap_start, 0xFFC00000);

	cr_assert_eq(cmasim_mmu_page_address(mmu, 0x80000), 0xC0000000);
	cr_assert_eq(cmasim_mmu_page_address(mmu, 0x80123), 0xC0123000);
	cr_assert_eq(cmasim_mmu_page_address(mmu, 0xAFFFF), 0xEFFFF000);
	cr_assert_eq(cmasim_mmu_page_address(mmu, 0xB0000), 0, "HighMem has no linear address");
	cr_assert_eq(cmasim_mmu_user_va(mmu, 0x80001), CMASIM_MMU_USER_BASE + 0x1000);

	struct cmasim_mmu_counters c = counters();
	cr_assert(c.pt_pages == 0 && c.pt_pages_peak == 0 &&
		  c.sections_split_total == 0 && c.shootdowns == 0);

	/* one section entry serves the whole MiB */
	MISS(0xC0123456, 0x80123456, C);
	HIT(0xC0123456, 0x80123456, C);
	HIT(0xC01FF000, 0x801FF000, C);
	MISS(0xC0200000, 0x80200000, C);
	c = counters();
	cr_assert(c.tlb_section_misses == 2 && c.tlb_section_hits == 2 &&
		  c.tlb_page_misses == 0 && c.tlb_page_hits == 0);

	FRAME(0x80123, true, C, true, false);
	FRAME(0xB0000, false, NONE, false, false);
	MINV();
}

/*
 * 6 GiB at 0 and no HighMem: RAM reaches past 4 GiB, so the x86-64 layout.
 * 2 MiB sections: 3072.
 */
Test(mmu, boot_layout_64bit)
{
	struct cmasim_mmu_layout l;

	boot_mmu("memory: { size: 6GiB, max_page_order: 10, pageblock_order: 9 }\n", 2 * MiB);
	cmasim_mmu_layout(mmu, &l);
	cr_assert(l.is_64bit);
	cr_assert_eq(l.page_offset, UINT64_C(0xffff888000000000));
	cr_assert_eq(l.linear_end, UINT64_C(0xffff888180000000));
	cr_assert_eq(l.nr_sections, 3072);
	cr_assert_eq(l.vmalloc_start, UINT64_C(0xffffc90000000000));
	cr_assert_eq(l.vmalloc_end, UINT64_C(0xffffe90000000000));
	cr_assert_eq(cmasim_mmu_page_address(mmu, 0x100000), UINT64_C(0xffff888100000000));
	MISS(UINT64_C(0xffff888100012345), UINT64_C(0x100012345), C);
	HIT(UINT64_C(0xffff8881001fffff), UINT64_C(0x1001fffff), C);
	MINV();
}

/* HighMem makes a machine 32-bit even when its RAM ends past 4 GiB (ARM LPAE). */
Test(mmu, boot_layout_lpae_highmem)
{
	struct cmasim_mmu_layout l;

	boot_mmu("memory: { base: 0x80000000, size: 4GiB, max_page_order: 10, "
		 "pageblock_order: 9, lowmem: 768MiB }\n", 2 * MiB);
	cmasim_mmu_layout(mmu, &l);
	cr_assert(!l.is_64bit);
	cr_assert_eq(l.nr_sections, 384);
	cr_assert_eq(cmasim_mmu_page_address(mmu, 0x80000), 0xC0000000);
	cr_assert_eq(cmasim_mmu_page_address(mmu, 0x100000), 0, "pa 4 GiB is HighMem");
	MINV();
}

Test(mmu, boot_refuses_bad_layouts)
{
	GError *err = NULL;

	/* 1 GiB of 32-bit lowmem: the linear map ends at 4 GiB, no vmalloc space */
	boot("memory: { size: 2GiB, max_page_order: 10, pageblock_order: 10, lowmem: 1GiB }\n");
	cr_assert_null(cmasim_mmu_new(mem, &err));
	cr_assert(g_error_matches(err, CMASIM_ERROR, CMASIM_ERROR_LAYOUT));
	cr_assert(strstr(err->message, "vmalloc"), "%s", err->message);
	g_clear_error(&err);

	cfg->mmu.section_size = 3 * MiB;
	cr_assert_null(cmasim_mmu_new(mem, &err));
	cr_assert(g_error_matches(err, CMASIM_ERROR, CMASIM_ERROR_LAYOUT));
	cr_assert(strstr(err->message, "section_size"), "%s", err->message);
	g_clear_error(&err);
}

/*
 * 8 MiB sections over Normal [0, 20 MiB) with a hole at [8, 16) MiB:
 * s0 [0, 8) is RAM whole: a section entry. s1 [8, 16) is all hole: no
 * entry. s2 [16, 24) is lowmem up to 20 MiB only: page entries at boot, in
 * a page-table page (the first UNMOVABLE request: pfn 0). Lowmem spans 20
 * MiB, so 3 sections; the linear map ends at 0xC1400000 and vmalloc starts
 * at (0xC1400000 + 8 MiB) rounded down to 8 MiB = 0xC1800000.
 */
Test(mmu, boot_ragged_edge_and_hole)
{
	struct cmasim_mmu_layout l;
	struct cmasim_mmu_stats st = { 0 };

	boot_mmu(CFG_RAGGED, 8 * MiB);
	cmasim_mmu_layout(mmu, &l);
	cr_assert_eq(l.nr_sections, 3);
	cr_assert_eq(l.linear_end, 0xC1400000);
	cr_assert_eq(l.vmalloc_start, 0xC1800000);
	struct cmasim_mmu_counters c = counters();
	cr_assert(c.pt_pages == 1 && c.pt_pages_peak == 1 &&
		  c.sections_split_total == 0, "a ragged section is page-mapped, never split");
	FRAME(0, true, C, true, false);	/* the page-table page itself is mapped cacheable */

	MISS(0xC0000000, 0, C);
	HIT(0xC07FF000, 0x7FF000, C);	/* the same 8 MiB section entry */
	FAULT(0xC0800000);		/* the hole */
	MISS(0xC1000000, 0x1000000, C);
	FAULT(0xC1400000);		/* past lowmem, before vmalloc */
	c = counters();
	cr_assert(c.tlb_section_misses == 1 && c.tlb_section_hits == 1 &&
		  c.tlb_page_misses == 1 && c.faults == 2);

	cr_assert_eq(cmasim_mmu_page_address(mmu, 0x800), 0, "a hole has no linear address");
	cr_assert_eq(cmasim_mmu_page_address(mmu, 0x1400), 0, "HighMem");
	FRAME(0x1400, false, NONE, false, false);

	/* only lowmem RAM can be re-attributed */
	cr_assert_eq(cmasim_mmu_linear_set_attr(mmu, 0x800, 1, NONE, &st), -EINVAL);
	cr_assert_eq(cmasim_mmu_linear_set_attr(mmu, 0x7FF, 2, NONE, &st), -EINVAL);
	cr_assert_eq(cmasim_mmu_linear_set_attr(mmu, 0x13FF, 2, NONE, &st), -EINVAL);
	cr_assert_eq(cmasim_mmu_linear_set_attr(mmu, 0x1400, 1, NONE, &st), -EINVAL);
	cr_assert_eq(cmasim_mmu_linear_set_attr(mmu, 0x100, 0, NONE, &st), -EINVAL);
	cr_assert_eq(cmasim_mmu_linear_set_attr(mmu, 0x100, 1, CMASIM_NR_ATTRS, &st), -EINVAL);
	STATS(st, 0, 0, 0, 0, 0, 0, 0);

	/* the ragged section has page entries already: no split, and it never folds */
	st = SET(0x1000, 1, NONE);
	STATS(st, FLUSH_NS, 0, 0, 0, 0, 1, 0);
	st = SET(0x1000, 1, C);
	STATS(st, FLUSH_NS, 0, 0, 0, 0, 1, 0);
	cr_assert_eq(counters().pt_pages, 1);
}

/* ------------------------------------------------- splits and collapses */

/*
 * Unmapping pfn 0x805 (section 8, page 5): section 8 is split (a
 * page-table page, 100000 ns, break-before-make shootdown 1000 ns), then
 * its entry 5 cleared and the page flushed (7 ns): 101007 ns.
 */
Test(mmu, unmap_one_page_splits_one_section)
{
	boot_mmu(CFG_A, MiB);
	ZONE(0, A_ALL);
	MISS(lva(0x805), 0x805000, C);	/* section 8 in the TLB */

	struct cmasim_mmu_stats st = SET(0x805, 1, NONE);
	STATS(st, SPLIT_NS + SHOOT_NS + FLUSH_NS, 1, 0, 1, 0, 1, 1);
	/* the page-table page: pfn 0, pageblock 0 stolen whole for UNMOVABLE */
	ZONE(0, U_FROM1 " " M_REST);
	PBS(0, "UMMM");
	/* a page-table page never moves */
	struct cmasim_migrate_stats mst = { 0 };
	cr_assert_eq(cmasim_migrate_range(mem, 0, 1, &mst), -EBUSY);
	cr_assert_eq(mst.busy_unmovable, 1);

	FAULT(lva(0x805));
	MISS(lva(0x804), 0x804000, C);	/* a page entry now */
	HIT(lva(0x804) + 0xFFF, 0x804FFF, C);
	MISS(lva(0x806), 0x806000, C);	/* one more page entry per page */
	FRAME(0x805, true, NONE, false, false);
	FRAME(0x804, true, C, true, false);

	struct cmasim_mmu_counters c = counters();
	cr_assert(c.sections_split_total == 1 && c.pt_pages == 1 &&
		  c.pt_pages_peak == 1 && c.shootdowns == 1 && c.pages_flushed == 1 &&
		  c.faults == 1 && c.tlb_page_misses == 2 && c.tlb_page_hits == 1 &&
		  c.tlb_section_misses == 1);

	/* mapped back: entries agree again, the section folds, the page goes back */
	st = SET(0x805, 1, C);
	STATS(st, FLUSH_NS + SHOOT_NS, 0, 1, 0, 1, 1, 1);
	ZONE(0, "U10:0 " M_REST);
	c = counters();
	cr_assert(c.sections_split_total == 1 && c.pt_pages == 0 &&
		  c.pt_pages_peak == 1 && c.sections_collapsed == 1);
	MISS(lva(0x805), 0x805000, C);	/* a section entry again */
	HIT(lva(0x8FF), 0x8FF000, C);
}

/*
 * Unmapping [0x1F0, 0x310), 288 pages: 16 at the end of section 1, all of
 * section 2, 16 at the start of section 3. Sections 1 and 3 are split
 * (two page-table pages, pfns 0 and 1); section 2, covered whole, is
 * cleared as a section (pmd_clear()), with no split. The range flush is
 * 288 > 256 pages: one shootdown of everything. 2 x (100000 + 1000) + 1000.
 */
Test(mmu, unmap_across_three_sections)
{
	boot_mmu(CFG_A, MiB);
	struct cmasim_mmu_stats st = SET(0x1F0, 288, NONE);
	STATS(st, 2 * (SPLIT_NS + SHOOT_NS) + SHOOT_NS, 2, 0, 2, 0, 0, 3);
	ZONE(0, U_FROM2 " " M_REST);
	struct cmasim_mmu_counters c = counters();
	cr_assert(c.pt_pages == 2 && c.pt_pages_peak == 2);

	MISS(lva(0x1EF), 0x1EF000, C);
	FAULT(lva(0x1F0));
	FAULT(lva(0x200));
	FAULT(lva(0x2FF));
	FAULT(lva(0x30F));
	MISS(lva(0x310), 0x310000, C);
	MISS(lva(0x400), 0x400000, C);
	c = counters();
	cr_assert(c.tlb_page_misses == 2 && c.tlb_section_misses == 1 && c.faults == 4);

	/*
	 * Back: section 2 a cacheable section again; sections 1 and 3 agree
	 * again and fold (a shootdown each); the range flush is a shootdown.
	 * Section 1's page (pfn 0) is freed first, then pfn 1 merges with it
	 * and its buddies up to order 10.
	 */
	st = SET(0x1F0, 288, C);
	STATS(st, 3 * SHOOT_NS, 0, 2, 0, 2, 0, 3);
	ZONE(0, "U10:0 " M_REST);
	c = counters();
	cr_assert(c.pt_pages == 0 && c.pt_pages_peak == 2 &&
		  c.sections_split_total == 2 && c.sections_collapsed == 2);
	MISS(lva(0x1F0), 0x1F0000, C);
}

/* Two partial sections and 32 pages: the range is flushed page by page. */
Test(mmu, unmap_small_range_over_a_boundary)
{
	boot_mmu(CFG_A, MiB);
	struct cmasim_mmu_stats st = SET(0x1F0, 32, NONE);
	STATS(st, 2 * (SPLIT_NS + SHOOT_NS) + 32 * FLUSH_NS, 2, 0, 2, 0, 32, 2);
	st = SET(0x1F0, 32, C);
	STATS(st, 32 * FLUSH_NS + 2 * SHOOT_NS, 0, 2, 0, 2, 32, 2);
	ZONE(0, "U10:0 " M_REST);
}

Test(mmu, reattribute)
{
	boot_mmu(CFG_A, MiB);

	/* part of section 4 uncached: split, 16 pages flushed */
	MISS(lva(0x400), 0x400000, C);
	struct cmasim_mmu_stats st = SET(0x400, 16, UC);
	STATS(st, SPLIT_NS + SHOOT_NS + 16 * FLUSH_NS, 1, 0, 1, 0, 16, 1);
	MISS(lva(0x400), 0x400000, UC);
	MISS(lva(0x410), 0x410000, C);
	FRAME(0x400, true, UC, false, true);
	FRAME(0x410, true, C, true, false);

	/* all of section 5 write-combined: rewritten as a section, 256 pages flushed */
	MISS(lva(0x5AB), 0x5AB000, C);
	st = SET(0x500, 256, WC);
	STATS(st, 256 * FLUSH_NS, 0, 0, 0, 0, 256, 0);
	MISS(lva(0x5AB) + 0x10, 0x5AB010, WC);	/* the old entry was flushed */
	HIT(lva(0x500), 0x500000, WC);
	FRAME(0x5FF, true, WC, false, true);
	cr_assert_eq(counters().pt_pages, 1);

	/* restored: section 4 folds back, section 5 is a cacheable section again */
	st = SET(0x400, 16, C);
	STATS(st, 16 * FLUSH_NS + SHOOT_NS, 0, 1, 0, 1, 16, 1);
	st = SET(0x500, 256, C);
	STATS(st, 256 * FLUSH_NS, 0, 0, 0, 0, 256, 0);
	cr_assert_eq(counters().pt_pages, 0);

	/*
	 * A section that is uncached whole splits when part of it goes
	 * write-combine, and folds back into an uncached section when that
	 * part is uncached again: entries that agree fold, whatever they hold.
	 */
	st = SET(0x600, 256, UC);
	STATS(st, 256 * FLUSH_NS, 0, 0, 0, 0, 256, 0);
	st = SET(0x680, 16, WC);
	STATS(st, SPLIT_NS + SHOOT_NS + 16 * FLUSH_NS, 1, 0, 1, 0, 16, 1);
	FRAME(0x67F, true, UC, false, true);
	FRAME(0x680, true, WC, false, true);
	st = SET(0x680, 16, UC);
	STATS(st, 16 * FLUSH_NS + SHOOT_NS, 0, 1, 0, 1, 16, 1);
	MISS(lva(0x680), 0x680000, UC);
	cr_assert_eq(counters().tlb_section_misses, 4);
	cr_assert_eq(counters().pt_pages, 0);
}

/*
 * dma_contiguous_remap() over sections 6 and 7: two page tables kept for
 * good. The flush covers both sections, 512 pages > 256: one shootdown.
 */
Test(mmu, boot_split_never_collapses)
{
	boot_mmu(CFG_A, MiB);
	struct cmasim_mmu_stats st = SPLIT(0x600, 512);
	STATS(st, 2 * SPLIT_NS + SHOOT_NS, 2, 0, 2, 0, 0, 1);
	ZONE(0, U_FROM2 " " M_REST);
	MISS(lva(0x600), 0x600000, C);
	MISS(lva(0x601), 0x601000, C);

	st = SET(0x600, 1, UC);
	STATS(st, FLUSH_NS, 0, 0, 0, 0, 1, 0);
	st = SET(0x600, 1, C);
	STATS(st, FLUSH_NS, 0, 0, 0, 0, 1, 0);
	struct cmasim_mmu_counters c = counters();
	cr_assert(c.pt_pages == 2 && c.sections_split_total == 2 &&
		  c.sections_collapsed == 0);

	/* section 7 is page-mapped already: only the flush of its 256 pages */
	st = SPLIT(0x700, 1);
	STATS(st, 256 * FLUSH_NS, 0, 0, 0, 0, 256, 0);

	/* a section split at run time and then at boot stays split too */
	st = SET(0x805, 1, NONE);
	STATS(st, SPLIT_NS + SHOOT_NS + FLUSH_NS, 1, 0, 1, 0, 1, 1);
	st = SPLIT(0x800, 1);
	STATS(st, 256 * FLUSH_NS, 0, 0, 0, 0, 256, 0);
	st = SET(0x805, 1, C);
	STATS(st, FLUSH_NS, 0, 0, 0, 0, 1, 0);
	cr_assert_eq(counters().pt_pages, 3);
}

/*
 * With the allocator at its min watermark no page-table page can be had:
 * the operation fails and changes nothing. With one page freed, the first
 * of two tables is allocated and given back when the second fails.
 */
Test(mmu, split_without_memory)
{
	struct cmasim_mmu_stats st = { 0 };
	uint64_t pfn, last = 0;

	boot_mmu(CFG_A, MiB);
	while (!cmasim_alloc_pages(mem, 0, CMASIM_MT_MOVABLE, CMASIM_ZONE_NORMAL, &pfn))
		last = pfn;
	uint64_t free_before = cmasim_mem_nr_free(mem);

	MISS(lva(0x805), 0x805000, C);
	cr_assert_eq(cmasim_mmu_linear_set_attr(mmu, 0x805, 1, NONE, &st), -ENOMEM);
	cr_assert_eq(cmasim_mmu_linear_split(mmu, 0x800, 1, &st), -ENOMEM);
	STATS(st, 0, 0, 0, 0, 0, 0, 0);
	HIT(lva(0x805), 0x805000, C);
	cr_assert_eq(counters().pt_pages, 0);
	MINV();

	cmasim_free_pages(mem, last);
	cr_assert_eq(cmasim_mmu_linear_set_attr(mmu, 0x1F0, 288, NONE, &st), -ENOMEM);
	STATS(st, 0, 0, 0, 0, 0, 0, 0);
	cr_assert_eq(cmasim_mem_nr_free(mem), free_before + 1);
	HIT(lva(0x805), 0x805000, C);
	MISS(lva(0x1F0), 0x1F0000, C);
	struct cmasim_mmu_counters c = counters();
	cr_assert(c.pt_pages == 0 && c.pt_pages_peak == 1, "peak counts the table held briefly");
	MINV();
}

/* ---------------------------------------------------------- translation */

Test(mmu, translate_unmapped_faults)
{
	boot_mmu(CFG_A, MiB);
	FAULT(0);
	FAULT(0xBFFFF000);			/* below PAGE_OFFSET */
	FAULT(0xC1400000);			/* past lowmem (0xC1000000), before vmalloc */
	FAULT(0xC1800000);			/* vmalloc space, no area */
	FAULT(0xFFC00000);			/* a free kmap slot */
	FAULT(cmasim_mmu_user_va(mmu, 0x10));	/* a free frame */
	struct cmasim_mmu_counters c = counters();
	cr_assert(c.faults == 6 && c.tlb_page_misses == 0 && c.tlb_section_misses == 0);
}

/* The speculative lookup answers from the page tables and leaves the TLB alone. */
Test(mmu, probe_does_not_touch_the_tlb)
{
	uint64_t pa;
	enum cmasim_attr attr;

	boot_mmu(CFG_A, MiB);
	cr_assert_eq(cmasim_mmu_probe(mmu, lva(0x100) + 8, &pa, &attr), 0);
	cr_assert(pa == 0x100008 && attr == C);
	cr_assert_eq(cmasim_mmu_probe(mmu, 0xC1400000, &pa, &attr), -EFAULT);
	struct cmasim_mmu_counters c = counters();
	cr_assert(c.tlb_section_misses == 0 && c.tlb_section_hits == 0 && c.faults == 0);
	MISS(lva(0x100), 0x100000, C);	/* the probe filled nothing */
}

/* ---------------------------------------------------------- vmap, kmap */

/*
 * vmalloc space [0xF0800000, 0xFF800000): 61440 pages. Each area takes its
 * pages plus a guard page, first fit from the bottom.
 */
Test(mmu, vmap_first_fit_guard_and_exhaustion)
{
	const uint64_t V = 0xF0800000, P = 0x1000;
	struct cmasim_mmu_stats st = { 0 };
	uint64_t va, big;

	boot_mmu(CFG_ARM, MiB);
	cr_assert_eq(cmasim_mmu_vmap(mmu, 0x80000, 4, UC, &va), 0);
	cr_assert_eq(va, V);
	cr_assert_eq(cmasim_mmu_vmap(mmu, 0x90000, 2, WC, &va), 0);
	cr_assert_eq(va, V + 5 * P, "after 4 pages and a guard page");
	MINV();

	MISS(V + 0x1234, 0x80001234, UC);
	HIT(V + 0x1FFF, 0x80001FFF, UC);		/* page entries: one per page */
	MISS(V + 3 * P, 0x80003000, UC);
	FAULT(V + 4 * P);			/* guard */
	MISS(V + 5 * P, 0x90000000, WC);
	MISS(V + 6 * P + 8, 0x90001008, WC);
	FAULT(V + 7 * P);			/* guard */
	FAULT(V + 8 * P);			/* free */

	/* the uncached area aliases the cacheable linear map: what `cma` risks */
	FRAME(0x80000, true, C, true, true);
	FRAME(0x80004, true, C, true, false);
	FRAME(0x90001, true, C, true, true);

	/* unmapped: 4 pages flushed one by one, the VA reusable */
	cmasim_mmu_vunmap(mmu, V, &st);
	STATS(st, 4 * FLUSH_NS, 0, 0, 0, 0, 4, 0);
	FAULT(V + 0x1234);
	FRAME(0x80000, true, C, true, false);
	MINV();

	/* 5 pages need 6: the 5-page hole at V is too small */
	cr_assert_eq(cmasim_mmu_vmap(mmu, 0x80000, 5, C, &va), 0);
	cr_assert_eq(va, V + 8 * P);
	/* 4 pages need 5: they fit the hole exactly */
	cr_assert_eq(cmasim_mmu_vmap(mmu, 0x80000, 4, C, &va), 0);
	cr_assert_eq(va, V);
	/* the rest: from V + 14 pages to the end, 61440 - 14 = 61426 pages, guard included */
	cr_assert_eq(cmasim_mmu_vmap(mmu, 0x80000, 61425, C, &big), 0);
	cr_assert_eq(big, V + 14 * P);
	cr_assert_eq(cmasim_mmu_vmap(mmu, 0x80000, 1, C, &va), -ENOMEM);
	MINV();

	/* 61425 pages are more than a page table's worth: one shootdown */
	st = (struct cmasim_mmu_stats){ 0 };
	cmasim_mmu_vunmap(mmu, big, &st);
	STATS(st, SHOOT_NS, 0, 0, 0, 0, 0, 1);
	cr_assert_eq(cmasim_mmu_vmap(mmu, 0xB0000, 1, UC, &va), 0);
	cr_assert_eq(va, big);
	FRAME(0xB0000, false, NONE, false, true);	/* HighMem, mapped uncached only */

	cr_assert_eq(cmasim_mmu_vmap(mmu, 0x80000, 0, C, &va), -EINVAL);
	cr_assert_eq(cmasim_mmu_vmap(mmu, 0x80000, 1, NONE, &va), -EINVAL);
	cr_assert_eq(cmasim_mmu_vmap(mmu, 0xC0000, 1, C, &va), -EINVAL);	/* past RAM */
	cr_assert_eq(cmasim_mmu_vmap(mmu, 0xBFFFF, 2, C, &va), -EINVAL);
	cr_assert_eq(cmasim_mmu_vmap(mmu, 0x7FFFF, 1, C, &va), -EINVAL);	/* before RAM */
	MINV();
}

/*
 * A page list maps its frames in list order, however scattered: page i of
 * the area translates to frame pages[i]. The reverse counts follow each
 * frame, and vunmap gives them back. A page outside RAM is refused.
 */
Test(mmu, vmap_pages_in_list_order)
{
	const uint64_t V = 0xF0800000, P = 0x1000;
	const uint64_t pages[] = { 0x90002, 0x80000, 0x80001 };
	const uint64_t outside[] = { 0x80000, 0x1 };
	struct cmasim_mmu_stats st = { 0 };
	uint64_t va;

	boot_mmu(CFG_ARM, MiB);
	cr_assert_eq(cmasim_mmu_vmap_pages(mmu, outside, 2, UC, &va), -EINVAL);
	cr_assert_eq(cmasim_mmu_vmap_pages(mmu, pages, 3, UC, &va), 0);
	cr_assert_eq(va, V);
	MINV();
	MISS(V + 8, 0x90002008, UC);
	MISS(V + P + 16, 0x80000010, UC);
	MISS(V + 2 * P, 0x80001000, UC);
	FAULT(V + 3 * P);			/* guard */
	FRAME(0x90002, true, C, true, true);
	FRAME(0x90001, true, C, true, false);
	cmasim_mmu_vunmap(mmu, V, &st);
	STATS(st, 3 * FLUSH_NS, 0, 0, 0, 0, 3, 0);
	FRAME(0x90002, true, C, true, false);
	MINV();
}

/*
 * The generation: each call that makes, removes or re-attributes a mapping
 * changes it (each changes some frame's noncacheable here), and lookups
 * leave it, so an answer read at one generation holds until the next.
 */
Test(mmu, generation_follows_every_mapping_change)
{
	struct cmasim_mmu_stats st = { 0 };
	const uint64_t pages[] = { 0x90002 };
	uint64_t va, kva, gen, pa;
	enum cmasim_attr attr;

	boot_mmu(CFG_ARM, MiB);
#define CHANGED(call)                                                          \
	do {                                                                   \
		gen = cmasim_mmu_generation(mmu);                              \
		cr_assert_eq(call, 0);                                         \
		cr_expect_neq(cmasim_mmu_generation(mmu), gen, "%s", #call);   \
	} while (0)
	CHANGED(cmasim_mmu_vmap(mmu, 0x80000, 4, UC, &va));
	FRAME(0x80000, true, C, true, true);
	gen = cmasim_mmu_generation(mmu);
	MISS(va, 0x80000000, UC);
	cr_assert_eq(cmasim_mmu_probe(mmu, lva(0x80000), &pa, &attr), 0);
	cr_assert(cmasim_mmu_frame_noncacheable(mmu, 0x80000));
	cr_expect_eq(cmasim_mmu_generation(mmu), gen, "lookups change nothing");
	CHANGED((cmasim_mmu_vunmap(mmu, va, &st), 0));
	FRAME(0x80000, true, C, true, false);
	CHANGED(cmasim_mmu_vmap_pages(mmu, pages, 1, WC, &va));
	FRAME(0x90002, true, C, true, true);
	CHANGED(cmasim_mmu_linear_set_attr(mmu, 0x80010, 1, UC, &st));
	FRAME(0x80010, true, UC, false, true);
	CHANGED(cmasim_mmu_kmap(mmu, 0xB0000, &kva, &st));
	FRAME(0xB0000, false, NONE, true, false);
	CHANGED((cmasim_mmu_kunmap(mmu, kva), 0));
	FRAME(0xB0000, false, NONE, false, false);
#undef CHANGED
	MINV();
}

Test(mmu, kmap_slots)
{
	struct cmasim_mmu_stats st = { 0 };
	uint64_t va, va2;

	boot_mmu(CFG_ARM, MiB);
	cr_assert_eq(cmasim_mmu_kmap(mmu, 0xB0000, &va, &st), 0);
	cr_assert_eq(va, 0xFFC00000);
	STATS(st, 3, 0, 0, 0, 0, 0, 0);
	MISS(va + 0x10, 0xB0000010, C);
	HIT(va + 0x20, 0xB0000020, C);
	FRAME(0xB0000, false, NONE, true, false);
	cr_assert_eq(cmasim_mmu_kmap(mmu, 0xB0001, &va2, &st), 0);
	cr_assert_eq(va2, 0xFFC01000);
	MINV();

	/* kunmap drops the slot's TLB entry */
	cmasim_mmu_kunmap(mmu, va);
	FAULT(va);
	FRAME(0xB0000, false, NONE, false, false);

	/* slot 0 again, then 14 more: 16 in all, the 17th has none */
	for (unsigned int i = 0; i < CMASIM_MMU_KMAP_SLOTS - 1; i++)
		cr_assert_eq(cmasim_mmu_kmap(mmu, 0x80000 + i, &va, &st), 0);
	cr_assert_eq(cmasim_mmu_kmap(mmu, 0x80100, &va, &st), -ENOMEM);
	cr_assert_eq(st.cost_ns, 17 * 3);
	FRAME(0x80000, true, C, true, false);
	cr_assert_eq(cmasim_mmu_kmap(mmu, 0xC0000, &va, &st), -EINVAL);
	MINV();
}

/* ------------------------------------------------------------- users */

Test(mmu, user_pages_follow_the_allocator)
{
	boot_mmu(CFG_RAGGED, 8 * MiB);
	/* an anon page in HighMem (MOVABLE pages are owned anon) */
	uint64_t pfn = 0x1500;
	uint64_t va = cmasim_mmu_user_va(mmu, pfn);

	AT(pfn, 0, T_M);
	cr_assert_eq(va, CMASIM_MMU_USER_BASE + 0x1500000);
	MISS(va + 5, (pfn << 12) + 5, C);
	HIT(va + 6, (pfn << 12) + 6, C);
	FRAME(pfn, false, NONE, true, false);
	MINV();

	/* freed: the TLB entry is dropped when it next hits */
	cmasim_free_pages(mem, pfn);
	FAULT(va);
	FRAME(pfn, false, NONE, false, false);

	/* kernel pages are not user-mapped */
	pfn = ALLOC_Z(0, T_U, CMASIM_ZONE_NORMAL);
	FAULT(cmasim_mmu_user_va(mmu, pfn));
	cr_assert_eq(counters().faults, 2);
	MINV();
}

/* ---------------------------------------------------------------- TLB */

/* Reads 8 MiB of lowmem from its start at 4 KiB steps, twice; returns the counters. */
static struct cmasim_mmu_counters sweep_8mib_twice(void)
{
	uint64_t pa;
	enum cmasim_attr attr;

	for (int pass = 0; pass < 2; pass++)
		for (uint64_t off = 0; off < 8 * MiB; off += 4096)
			cmasim_mmu_translate(mmu, lva(0) + off, &pa, &attr);
	MINV();
	return counters();
}

static void expect_tlb_at(const struct cmasim_mmu_counters *c, uint64_t sh, uint64_t sm,
			  uint64_t ph, uint64_t pm, uint64_t faults, int line)
{
	cr_assert(c->tlb_section_hits == sh && c->tlb_section_misses == sm &&
		  c->tlb_page_hits == ph && c->tlb_page_misses == pm && c->faults == faults,
		  "line %d: section hits %" PRIu64 " misses %" PRIu64 ", page hits %" PRIu64
		  " misses %" PRIu64 ", faults %" PRIu64 "; expected %" PRIu64 " %" PRIu64
		  " %" PRIu64 " %" PRIu64 " %" PRIu64, line, c->tlb_section_hits,
		  c->tlb_section_misses, c->tlb_page_hits, c->tlb_page_misses, c->faults, sh, sm,
		  ph, pm, faults);
}

#define TLB(c, sh, sm, ph, pm, faults) expect_tlb_at(&(c), (sh), (sm), (ph), (pm), (faults), \
						     __LINE__)

/*
 * 8 MiB at 4 KiB steps is 2048 reads a pass over sections 0-7.
 * No split: each section misses once on the first pass (8 misses, 2040
 * hits); the second pass finds all 8 in the 32-entry section TLB (2048
 * hits). 8 misses x 30 ns = 240 ns of walks.
 */
Test(mmu, tlb_sweep_sections_only)
{
	boot_mmu(CFG_A, MiB);
	struct cmasim_mmu_counters c = sweep_8mib_twice();
	TLB(c, 4088, 8, 0, 0, 0);
}

/*
 * Section 2 split at boot (page entries, all cacheable). Sections 0, 1,
 * 3-7: 7 misses on the first pass, 7 x 256 - 7 = 1785 hits, then 1792
 * hits: 3577. Section 2: 256 page entries read in order through a 32-entry
 * LRU: every read evicts the entry read 32 reads ago, so nothing is ever
 * found again: 256 misses a pass, 512 in all, no hits. Walks: 7 + 512 =
 * 519 against 8: the split adds 511 misses, 511 x 30 = 15330 ns.
 */
Test(mmu, tlb_sweep_with_a_split_section)
{
	boot_mmu(CFG_A, MiB);
	SPLIT(0x200, 256);
	struct cmasim_mmu_counters c = sweep_8mib_twice();
	TLB(c, 3577, 7, 0, 512, 0);
}

/*
 * As above with pfn 0x205 unmapped at run time instead: section 2 is split
 * with page 5 empty. Per pass 255 page misses and one fault: 510 misses
 * and 2 faults.
 */
Test(mmu, tlb_sweep_with_an_unmapped_page)
{
	boot_mmu(CFG_A, MiB);
	SET(0x205, 1, NONE);
	struct cmasim_mmu_counters c = sweep_8mib_twice();
	TLB(c, 3577, 7, 0, 510, 2);
}

/*
 * A page TLB of 256 entries holds all of section 2: 256 misses on the first
 * pass and 256 hits on the second. A section TLB of 4 entries thrashes on
 * 8 sections read in order (LRU): 8 misses a pass, 7 x 256 x 2 - 14 = 3570
 * hits.
 */
Test(mmu, tlb_sweep_capacity)
{
	boot_mmu_tlb(CFG_A, MiB, 256, 4);
	SPLIT(0x200, 256);
	struct cmasim_mmu_counters c = sweep_8mib_twice();
	TLB(c, 3570, 14, 256, 256, 0);
}

/* No TLB at all: every read walks. */
Test(mmu, tlb_absent)
{
	boot_mmu_tlb(CFG_A, MiB, 0, 0);
	struct cmasim_mmu_counters c = sweep_8mib_twice();
	TLB(c, 0, 4096, 0, 0, 0);
}

/*
 * A second model of a fully associative true-LRU TLB, written the simple
 * way: a tag and a use stamp per entry, searched linearly.
 */
struct ref_tlb {
	uint64_t tag[512];
	uint64_t used[512];	/* 0: invalid */
	uint64_t tick;
};

/* Whether @tag hits in @r; a miss fills an invalid entry, else the least recently used. */
static bool ref_access(struct ref_tlb *r, uint64_t tag)
{
	unsigned int victim = 0;

	for (unsigned int i = 0; i < 512; i++) {
		if (r->used[i] && r->tag[i] == tag) {
			r->used[i] = ++r->tick;
			return true;
		}
		if (r->used[i] < r->used[victim])
			victim = i;
	}
	r->tag[victim] = tag;
	r->used[victim] = ++r->tick;
	return false;
}

static void ref_drop(struct ref_tlb *r, uint64_t first, uint64_t nr)
{
	for (unsigned int i = 0; i < 512; i++)
		if (r->used[i] && r->tag[i] >= first && r->tag[i] < first + nr)
			r->used[i] = 0;
}

/*
 * All 4096 pages of CFG_A split at boot, so every read takes the 512-entry
 * page TLB. 200,000 reads, mostly within a drifting window of 700 pages
 * (more than the TLB holds, so that it evicts) and otherwise anywhere,
 * with re-attributions of up to 16 pages between them (each flushed page
 * by page, as flush_tlb_kernel_range() does under 256 pages). Every read
 * must hit or miss exactly as the simple model says.
 */
Test(mmu, tlb_is_true_lru)
{
	static struct ref_tlb ref;
	g_autoptr(GRand) rand = g_rand_new_with_seed(42);
	uint64_t hits = 0, window = 0;

	boot_mmu_tlb(CFG_A, MiB, 512, 32);
	SPLIT(0, 4096);
	for (unsigned int n = 0; n < 200000; n++) {
		uint64_t pfn, pa;
		enum cmasim_attr attr;
		bool hit;

		if (n % 97 == 0) {
			uint64_t first = (uint64_t)g_rand_int_range(rand, 0, 4096 - 16);
			uint64_t nr = (uint64_t)g_rand_int_range(rand, 1, 17);
			struct cmasim_mmu_stats st = { 0 };

			cr_assert_eq(cmasim_mmu_linear_set_attr(mmu, first, nr, n % 2 ? UC : C,
								&st), 0);
			ref_drop(&ref, first, nr);
		}
		if (n % 1000 == 0)
			window = (uint64_t)g_rand_int_range(rand, 0, 4096 - 700);
		pfn = g_rand_int_range(rand, 0, 10) ? window + (uint64_t)g_rand_int_range(rand, 0, 700)
						    : (uint64_t)g_rand_int_range(rand, 0, 4096);
		hit = cmasim_mmu_translate(mmu, lva(pfn), &pa, &attr) == 0;
		cr_assert_eq(hit, ref_access(&ref, pfn), "read %u of pfn %#" PRIx64, n, pfn);
		cr_assert_eq(pa, pfn << 12);
		hits += hit;
		if (n % 20000 == 0)
			MINV();
	}
	/* the window holds 700 pages in a 512-entry TLB: many hits and many misses */
	cr_assert(hits > 50000 && hits < 150000, "%" PRIu64 " hits", hits);
	MINV();
}

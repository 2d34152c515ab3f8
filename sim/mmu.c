// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's mappings and the TLB.
 *
 * The linear map is one entry per section of lowmem (struct section): a
 * section entry with an attribute, or a page table (struct table) with one
 * attribute per page. Only split sections have per-page state, and each
 * holds one page-table page allocated from the buddy allocator as an
 * UNMOVABLE page owned by PAGETABLE. (Classic ARM packs the tables of two
 * 1 MiB sections in one page; cmasim spends a page per split section.)
 *
 * Rules and where they come from:
 * - Boot: lowmem is mapped with sections where a whole section is RAM and
 *   with page entries where lowmem or a hole covers a section in part
 *   (arch/arm/mm/mmu.c: map_lowmem(), alloc_init_pmd()). Holes are not
 *   mapped (map_lowmem() walks memblock's RAM regions only).
 * - Runtime changes (cmasim_mmu_linear_set_attr()) follow the kernel's
 *   set_memory_*() (arch/x86/mm/pat/set_memory.c, arm64's
 *   split_kernel_leaf_mapping()): first split the sections the range covers
 *   in part, each by break-before-make (the section entry is cleared, the
 *   TLB shot down on every CPU, then the table written with the old
 *   attributes: section_split_ns + tlb_shootdown_ns), then rewrite the
 *   entries and flush the range with flush_tlb_kernel_range(). A section
 *   the range covers whole is rewritten as a section entry (an unmap is
 *   pmd_clear(), as dma_contiguous_remap() does), with no split.
 * - cmasim's own rule, not the kernel's: a split section whose entries all
 *   agree again is folded back into a section entry (break-before-make:
 *   one more shootdown) and its page-table page freed, so page tables are
 *   held only while buffers are. ARM never re-merges; recent x86 kernels
 *   do for executable memory (set_memory_rox(): cpa_collapse_large_pages(),
 *   followed by a flush of the whole TLB). Sections
 *   split at boot (cmasim_mmu_linear_split(), dma_contiguous_remap()) and
 *   ragged ones never fold.
 * - flush_tlb_kernel_range() invalidates page by page, tlb_flush_page_ns
 *   each, up to a page table's worth of entries; beyond that it flushes
 *   everything with one broadcast, tlb_shootdown_ns (arm64: MAX_TLBI_OPS =
 *   PTRS_PER_PTE; x86: tlb_single_page_flush_ceiling; 32-bit ARM has no
 *   ceiling and would loop over every page).
 * - vmalloc space: first fit at the lowest address with a guard page after
 *   each area (mm/vmalloc.c: __get_vm_area_node(), alloc_vmap_area()). New
 *   entries need no flush. vunmap() flushes the area's range at once:
 *   the kernel frees the VA lazily and flushes in a later purge
 *   (__purge_vmap_area_lazy()), which cmasim runs immediately.
 * - kmap: kmap_local_page() slots of the fixmap; kunmap_local() drops the
 *   slot's TLB entry on this CPU only (arch_kmap_local_post_unmap(), ARM's
 *   local_flush_tlb_kernel_page()), which kmap_ns covers.
 * - User pages are read from the allocator: a frame is user-mapped while it
 *   is allocated as anon or page cache. No per-frame state is kept, so a
 *   user TLB entry is checked against the allocator when it hits and
 *   dropped if the frame was freed (standing in for the unmap's flush,
 *   which the caller charges if it wants).
 * - The TLB: two fully associative LRU arrays, one for page entries and
 *   one for section entries, as the micro-TLBs of a Cortex-A hold 4 KiB and
 *   1 MiB entries side by side. A walk fills the array of the size it
 *   found.
 *
 * Host memory: 16 bytes per section of RAM and a pointer for the reverse
 * counts; a byte per page of each split section; 4 bytes per page of each
 * section whose frames a vmap area or kmap slot maps; 32 bytes per area.
 */
#include <errno.h>
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/mmu.h"
#include "mm.h"

/* 32-bit ARM: arch/arm/include/asm/{memory,pgtable,fixmap}.h, arch/arm/mm/mmu.c */
#define PAGE_OFFSET_32 UINT64_C(0xC0000000)
#define VMALLOC_OFFSET_32 (UINT64_C(8) << 20)
#define VMALLOC_END_32 UINT64_C(0xff800000)
#define VMALLOC_MIN_32 (UINT64_C(16) << 20)	/* early_vmalloc()'s floor */
#define KMAP_START_32 UINT64_C(0xffc00000)	/* FIXADDR_START */
/* x86-64, 4-level paging: arch/x86/include/asm/page_64_types.h, pgtable_64_types.h */
#define PAGE_OFFSET_64 UINT64_C(0xffff888000000000)
#define VMALLOC_START_64 UINT64_C(0xffffc90000000000)
#define VMALLOC_SIZE_64 (UINT64_C(32) << 40)
#define KMAP_START_64 UINT64_C(0xffffffffff000000)

#define LM_TABLE 0xff		/* struct section's lm: page entries in a table */
#define NO_PFN UINT64_MAX

/* A split section's page entries. */
struct table {
	uint64_t pfn;			/* the page-table page, allocated in the mem */
	uint32_t nr[CMASIM_NR_ATTRS];	/* entries holding each attribute */
	bool boot;			/* split at boot or ragged: never folds back */
	uint8_t attr[];			/* enum cmasim_attr, one per page of the section */
};

/* One section of RAM: its linear-map entry if it is lowmem. */
struct section {
	uint8_t lm;			/* enum cmasim_attr of a section entry, or LM_TABLE */
	struct table *table;		/* lm == LM_TABLE */
};

enum { REF_CACHEABLE, REF_NONCACHEABLE, NR_REF_KINDS };

/* How many vmap areas and kmap slots map each frame of one section. */
struct refs {
	uint64_t total;			/* the sum of the counts; freed at 0 */
	uint16_t count[][NR_REF_KINDS];	/* per page, by kind of mapping */
};

/* A vmap/remap area: nr pages of VA, then an unmapped guard page. */
struct area {
	uint64_t va;
	uint64_t pfn;			/* first frame; the area maps nr contiguous frames */
	uint64_t nr;
	enum cmasim_attr attr;
	uint64_t *pages;		/* owned; else NULL: its nr frames, in VA order */
};

/* The frame page @i of area @a maps. */
static uint64_t area_frame(const struct area *a, uint64_t i)
{
	return a->pages ? a->pages[i] : a->pfn + i;
}

enum { TLB_PAGE, TLB_SECTION, NR_TLBS };

#define TLB_INVALID UINT64_MAX	/* a tag no VA shifts to */

struct tlb_entry {
	uint64_t pa;			/* of the page or section's first byte */
	uint32_t prev, next;		/* neighbours in the use order, towards mru and lru */
	uint8_t attr;			/* enum cmasim_attr */
};

struct tlb {
	uint64_t *tag;			/* va >> shift per entry, TLB_INVALID when invalid */
	struct tlb_entry *e;
	uint32_t *slot;			/* hash of the valid tags: entry index + 1, 0 empty */
	uint32_t mask;			/* hash slots - 1; at least twice n slots */
	uint32_t n;
	unsigned int shift;		/* page or section shift */
	uint32_t mru, lru;		/* the ends of the use order */
	uint64_t hits, misses;
};

/* A walk's answer: the mapping's first byte, its attribute and which TLB takes it. */
struct xlat {
	uint64_t pa;
	enum cmasim_attr attr;
	unsigned int size;		/* TLB_PAGE or TLB_SECTION */
};

struct cmasim_mmu {
	const struct cmasim_config *cfg;
	struct cmasim_mem *mem;
	unsigned int page_shift, section_shift;
	uint32_t pps;			/* pages per section */
	uint64_t base_pfn, lowmem_end_pfn, end_pfn;
	struct cmasim_mmu_layout layout;
	uint64_t user_end;		/* VA one past the user window */
	uint64_t nr_sections;		/* of all RAM; the first layout.nr_sections are lowmem */
	struct section *sections;
	struct refs **refs;		/* per section of RAM, NULL when nothing maps its frames */
	GArray *areas;			/* struct area, ascending VA */
	uint64_t kmap[CMASIM_MMU_KMAP_SLOTS];	/* pfn per slot, NO_PFN when free */
	struct tlb tlb[NR_TLBS];
	struct cmasim_mmu_counters c;	/* what operations count; the getter adds the TLB's */
	uint64_t generation;		/* mappings changed: see cmasim_mmu_generation() */
};

const char *cmasim_attr_name(enum cmasim_attr attr)
{
	static const char *const names[CMASIM_NR_ATTRS] = {
		[CMASIM_ATTR_CACHEABLE] = "cacheable",
		[CMASIM_ATTR_UNCACHED] = "uncached",
		[CMASIM_ATTR_WRITE_COMBINE] = "write-combine",
		[CMASIM_ATTR_NONE] = "none",
	};

	g_return_val_if_fail(attr < CMASIM_NR_ATTRS, "?");
	return names[attr];
}

/* ------------------------------------------------------------ geometry */

/* The section holding RAM frame @pfn. */
static uint64_t sec_of(const struct cmasim_mmu *mmu, uint64_t pfn)
{
	return (pfn - mmu->base_pfn) >> (mmu->section_shift - mmu->page_shift);
}

/* The first frame of section @s (past the end of RAM for the last one's end). */
static uint64_t sec_pfn(const struct cmasim_mmu *mmu, uint64_t s)
{
	return mmu->base_pfn + (s << (mmu->section_shift - mmu->page_shift));
}

/* The linear-map VA of section @s. */
static uint64_t sec_va(const struct cmasim_mmu *mmu, uint64_t s)
{
	return mmu->layout.page_offset + (s << mmu->section_shift);
}

/* @pfn's index inside its section. */
static uint32_t page_in_sec(const struct cmasim_mmu *mmu, uint64_t pfn)
{
	return (uint32_t)((pfn - mmu->base_pfn) & (mmu->pps - 1));
}

/* Whether RAM frame @pfn lies in a hole: O(1) from the frame array. */
static bool pfn_in_hole(const struct cmasim_mmu *mmu, uint64_t pfn)
{
	return in_hole(mmu->mem, (uint32_t)(pfn - mmu->base_pfn));
}

/* Pages of [@start, @end) in the config's holes: O(holes), for range checks. */
static uint64_t hole_pages(const struct cmasim_mmu *mmu, uint64_t start, uint64_t end)
{
	const struct cmasim_config *cfg = mmu->cfg;
	uint64_t n = 0;

	for (unsigned int i = 0; i < cfg->nr_holes; i++) {
		uint64_t hs = cfg->holes[i].start >> mmu->page_shift;
		uint64_t he = hs + (cfg->holes[i].size >> mmu->page_shift);

		if (hs < end && start < he)
			n += MIN(he, end) - MAX(hs, start);
	}
	return n;
}

/* Whether [@pfn, @pfn + @nr) is non-empty RAM below @limit with no hole in it. */
static bool ram_range(const struct cmasim_mmu *mmu, uint64_t pfn, uint64_t nr, uint64_t limit)
{
	return nr && pfn >= mmu->base_pfn && pfn < limit && nr <= limit - pfn &&
	       !hole_pages(mmu, pfn, pfn + nr);
}

/* Whether RAM frame @pfn is allocated as user memory: anon or page cache. */
static bool user_frame(const struct cmasim_mmu *mmu, uint64_t pfn)
{
	const struct cmasim_mem *mem = mmu->mem;
	uint32_t idx = (uint32_t)(pfn - mmu->base_pfn);
	const struct frame *f;

	if (in_hole(mem, idx))
		return false;
	f = &mem->frames[buddy_block_head(mem, idx)];
	return f->state == FRAME_ALLOC && owner_is_lru(f->owner);
}

/* The linear-map attribute of lowmem RAM frame @pfn. */
static enum cmasim_attr lm_attr(const struct cmasim_mmu *mmu, uint64_t pfn)
{
	const struct section *sec = &mmu->sections[sec_of(mmu, pfn)];

	return sec->lm == LM_TABLE ? sec->table->attr[page_in_sec(mmu, pfn)] : sec->lm;
}

/* ----------------------------------------------------------------- TLB */
/*
 * A fully associative TLB with true LRU replacement, in O(1) per lookup
 * and fill whatever its size: a hash of tag to entry finds an entry, and a
 * list in order of use, least recent last, names the victim. Invalid
 * entries sit at the cold end of that list, so a fill takes one of them
 * before it evicts. Which slot an entry takes is not observable; hits and
 * misses are those of true LRU.
 */

/* Where @tag's search starts in the hash: Fibonacci hashing of the tag. */
static uint32_t tlb_home(const struct tlb *tlb, uint64_t tag)
{
	return (uint32_t)((tag * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & tlb->mask;
}

/* The index of @tlb's entry tagged @tag, or -1. */
static int tlb_lookup(const struct tlb *tlb, uint64_t tag)
{
	if (!tlb->n)
		return -1;
	if (tlb->tag[tlb->mru] == tag)
		return (int)tlb->mru;
	for (uint32_t h = tlb_home(tlb, tag); tlb->slot[h]; h = (h + 1) & tlb->mask)
		if (tlb->tag[tlb->slot[h] - 1] == tag)
			return (int)tlb->slot[h] - 1;
	return -1;
}

static void lru_unlink(struct tlb *tlb, uint32_t i)
{
	struct tlb_entry *e = &tlb->e[i];

	if (i == tlb->mru)
		tlb->mru = e->next;
	else
		tlb->e[e->prev].next = e->next;
	if (i == tlb->lru)
		tlb->lru = e->prev;
	else
		tlb->e[e->next].prev = e->prev;
}

/* Puts entry @i at the hot end of the use order. */
static void lru_touch(struct tlb *tlb, uint32_t i)
{
	if (i == tlb->mru)
		return;
	lru_unlink(tlb, i);
	tlb->e[i].next = tlb->mru;
	tlb->e[tlb->mru].prev = i;
	tlb->mru = i;
}

/* Puts entry @i at the cold end, to be the next one filled. */
static void lru_retire(struct tlb *tlb, uint32_t i)
{
	if (i == tlb->lru)
		return;
	lru_unlink(tlb, i);
	tlb->e[i].prev = tlb->lru;
	tlb->e[tlb->lru].next = i;
	tlb->lru = i;
}

/*
 * Takes entry @i's tag out of the hash: linear probing with backward-shift
 * deletion, so that no search ever stops at the hole it leaves.
 */
static void hash_remove(struct tlb *tlb, uint32_t i)
{
	uint32_t hole = tlb_home(tlb, tlb->tag[i]);

	while (tlb->slot[hole] != i + 1)
		hole = (hole + 1) & tlb->mask;
	for (uint32_t h = (hole + 1) & tlb->mask; tlb->slot[h]; h = (h + 1) & tlb->mask) {
		uint32_t home = tlb_home(tlb, tlb->tag[tlb->slot[h] - 1]);

		/* the entry at h may fill the hole if its home is not in (hole, h] */
		if (((h - home) & tlb->mask) >= ((h - hole) & tlb->mask)) {
			tlb->slot[hole] = tlb->slot[h];
			hole = h;
		}
	}
	tlb->slot[hole] = 0;
}

/* Invalidates entry @i of @tlb. */
static void tlb_drop(struct tlb *tlb, uint32_t i)
{
	hash_remove(tlb, i);
	tlb->tag[i] = TLB_INVALID;
	lru_retire(tlb, i);
}

/* Puts a translation in @tlb over an invalid entry, else the least recently used. */
static void tlb_fill(struct tlb *tlb, uint64_t tag, const struct xlat *x)
{
	uint32_t i = tlb->lru, h;

	if (!tlb->n)
		return;
	if (tlb->tag[i] != TLB_INVALID)
		hash_remove(tlb, i);
	tlb->tag[i] = tag;
	tlb->e[i].pa = x->pa;
	tlb->e[i].attr = (uint8_t)x->attr;
	for (h = tlb_home(tlb, tag); tlb->slot[h]; h = (h + 1) & tlb->mask)
		;
	tlb->slot[h] = i + 1;
	lru_touch(tlb, i);
}

/*
 * Drops every entry of @tlb that translates some byte of [@va, @va + @len):
 * by tag when the range spans fewer tags than @tlb has entries, else by a
 * pass over the entries, so that the cost is the smaller of the two.
 */
static void tlb_invalidate_one(struct tlb *tlb, uint64_t va, uint64_t len)
{
	uint64_t first = va >> tlb->shift, last = (va + (len - 1)) >> tlb->shift;

	if (last - first < tlb->n) {
		for (uint64_t tag = first; tag <= last; tag++) {
			int i = tlb_lookup(tlb, tag);

			if (i >= 0)
				tlb_drop(tlb, (uint32_t)i);
		}
		return;
	}
	for (uint32_t i = 0; i < tlb->n; i++)
		if (tlb->tag[i] != TLB_INVALID && tlb->tag[i] >= first && tlb->tag[i] <= last)
			tlb_drop(tlb, i);
}

/* Drops every TLB entry that translates some byte of [@va, @va + @len). */
static void tlb_invalidate(struct cmasim_mmu *mmu, uint64_t va, uint64_t len)
{
	for (unsigned int t = 0; t < NR_TLBS; t++)
		tlb_invalidate_one(&mmu->tlb[t], va, len);
}

/* flush_tlb_all() broadcast to every CPU. */
static void shootdown_all(struct cmasim_mmu *mmu, struct cmasim_mmu_stats *st)
{
	for (unsigned int t = 0; t < NR_TLBS; t++)
		for (uint32_t i = 0; i < mmu->tlb[t].n; i++)
			if (mmu->tlb[t].tag[i] != TLB_INVALID)
				tlb_drop(&mmu->tlb[t], i);
	st->cost_ns += mmu->cfg->costs.tlb_shootdown_ns;
	st->shootdowns++;
	mmu->c.shootdowns++;
}

/* Break-before-make on section @s: its entries invalidated on every CPU. */
static void shootdown_section(struct cmasim_mmu *mmu, uint64_t s, struct cmasim_mmu_stats *st)
{
	tlb_invalidate(mmu, sec_va(mmu, s), UINT64_C(1) << mmu->section_shift);
	st->cost_ns += mmu->cfg->costs.tlb_shootdown_ns;
	st->shootdowns++;
	mmu->c.shootdowns++;
}

/*
 * flush_tlb_kernel_range() over @pages pages at @va: page by page up to a
 * page table's worth, else all at once (arm64's MAX_TLBI_OPS).
 */
static void flush_range(struct cmasim_mmu *mmu, uint64_t va, uint64_t pages,
			struct cmasim_mmu_stats *st)
{
	if (pages > mmu->pps) {
		shootdown_all(mmu, st);
		return;
	}
	tlb_invalidate(mmu, va, pages << mmu->page_shift);
	st->cost_ns += pages * mmu->cfg->costs.tlb_flush_page_ns;
	st->pages_flushed += pages;
	mmu->c.pages_flushed += pages;
}

/* ---------------------------------------------------------- page walks */

/* The linear map's entry for @va inside it. */
static int walk_linear(const struct cmasim_mmu *mmu, uint64_t va, struct xlat *x)
{
	uint64_t off = va - mmu->layout.page_offset;
	const struct section *sec = &mmu->sections[off >> mmu->section_shift];
	uint64_t base = mmu->base_pfn << mmu->page_shift;

	if (sec->lm == LM_TABLE) {
		x->attr = sec->table->attr[(off >> mmu->page_shift) & (mmu->pps - 1)];
		x->pa = base + (off >> mmu->page_shift << mmu->page_shift);
		x->size = TLB_PAGE;
	} else {
		x->attr = sec->lm;
		x->pa = base + (off >> mmu->section_shift << mmu->section_shift);
		x->size = TLB_SECTION;
	}
	return x->attr == CMASIM_ATTR_NONE ? -EFAULT : 0;
}

/* Index of the last area starting at or below @va, or -1: binary search. */
static gint area_before(const struct cmasim_mmu *mmu, uint64_t va)
{
	const struct area *a = (const struct area *)(const void *)mmu->areas->data;
	guint lo = 0, hi = mmu->areas->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;

		if (a[mid].va <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (gint)lo - 1;
}

/* The vmap area holding @va inside the vmalloc space; guard pages fault. */
static int walk_vmalloc(const struct cmasim_mmu *mmu, uint64_t va, struct xlat *x)
{
	gint i = area_before(mmu, va);
	const struct area *a;
	uint64_t page;

	if (i < 0)
		return -EFAULT;
	a = &g_array_index(mmu->areas, struct area, i);
	page = (va - a->va) >> mmu->page_shift;
	if (page >= a->nr)
		return -EFAULT;
	x->pa = area_frame(a, page) << mmu->page_shift;
	x->attr = a->attr;
	x->size = TLB_PAGE;
	return 0;
}

/* The page tables' translation of @va, faulting where nothing maps it. */
static int walk(const struct cmasim_mmu *mmu, uint64_t va, struct xlat *x)
{
	const struct cmasim_mmu_layout *l = &mmu->layout;
	uint64_t pfn;

	if (va >= l->page_offset && va < l->linear_end)
		return walk_linear(mmu, va, x);
	if (va >= l->vmalloc_start && va < l->vmalloc_end)
		return walk_vmalloc(mmu, va, x);
	x->attr = CMASIM_ATTR_CACHEABLE;
	x->size = TLB_PAGE;
	if (va >= l->kmap_start &&
	    va - l->kmap_start < (uint64_t)CMASIM_MMU_KMAP_SLOTS << mmu->page_shift) {
		pfn = mmu->kmap[(va - l->kmap_start) >> mmu->page_shift];
		if (pfn == NO_PFN)
			return -EFAULT;
		x->pa = pfn << mmu->page_shift;
		return 0;
	}
	if (va >= CMASIM_MMU_USER_BASE && va < mmu->user_end) {
		pfn = mmu->base_pfn + ((va - CMASIM_MMU_USER_BASE) >> mmu->page_shift);
		x->pa = pfn << mmu->page_shift;
		return user_frame(mmu, pfn) ? 0 : -EFAULT;
	}
	return -EFAULT;
}

/*
 * The TLB that can hold @va's entry. Hardware looks in both; since every
 * change to the tables flushes what it touches, the other one never holds
 * @va, and the page tables tell which it is without a second scan.
 */
static unsigned int tlb_for(const struct cmasim_mmu *mmu, uint64_t va)
{
	uint64_t off = va - mmu->layout.page_offset;

	if (va >= mmu->layout.page_offset && va < mmu->layout.linear_end &&
	    mmu->sections[off >> mmu->section_shift].lm != LM_TABLE)
		return TLB_SECTION;
	return TLB_PAGE;
}

int cmasim_mmu_translate(struct cmasim_mmu *mmu, uint64_t va, uint64_t *pa,
			 enum cmasim_attr *attr)
{
	struct tlb *tlb = &mmu->tlb[tlb_for(mmu, va)];
	int i = tlb_lookup(tlb, va >> tlb->shift);
	struct xlat x;

	/* a freed user page's entry goes: the unmap would have flushed it */
	if (i >= 0 && va >= CMASIM_MMU_USER_BASE && va < mmu->user_end &&
	    !user_frame(mmu, tlb->e[i].pa >> mmu->page_shift)) {
		tlb_drop(tlb, (uint32_t)i);
		i = -1;
	}
	if (i >= 0) {
		lru_touch(tlb, (uint32_t)i);
		tlb->hits++;
		*pa = tlb->e[i].pa | (va & ((UINT64_C(1) << tlb->shift) - 1));
		*attr = tlb->e[i].attr;
		return 0;
	}
	if (walk(mmu, va, &x)) {
		mmu->c.faults++;
		return -EFAULT;
	}
	tlb_fill(&mmu->tlb[x.size], va >> mmu->tlb[x.size].shift, &x);
	mmu->tlb[x.size].misses++;
	*pa = x.pa | (va & ((UINT64_C(1) << mmu->tlb[x.size].shift) - 1));
	*attr = x.attr;
	return CMASIM_MMU_TLB_MISS;
}

int cmasim_mmu_probe(const struct cmasim_mmu *mmu, uint64_t va, uint64_t *pa,
		     enum cmasim_attr *attr)
{
	struct xlat x;

	if (walk(mmu, va, &x))
		return -EFAULT;
	*pa = x.pa | (va & ((UINT64_C(1) << mmu->tlb[x.size].shift) - 1));
	*attr = x.attr;
	return 0;
}

/* ------------------------------------------------------- page tables */

/* A page table for one section, every entry @attr; NULL when no page can be had. */
static struct table *table_new(struct cmasim_mmu *mmu, uint8_t attr)
{
	struct table *t;
	uint64_t pfn;

	/* GFP_KERNEL: pte_alloc_one_kernel() takes an unmovable lowmem page */
	if (cmasim_alloc_pages(mmu->mem, 0, CMASIM_MT_UNMOVABLE, CMASIM_ZONE_NORMAL, &pfn))
		return NULL;
	/* no trace allocation holds it: untagged, so that no one is told it moved */
	cmasim_set_owner(mmu->mem, pfn, CMASIM_OWNER_PAGETABLE, NIL, NIL);
	t = g_malloc0(sizeof(*t) + mmu->pps);
	t->pfn = pfn;
	t->nr[attr] = mmu->pps;
	memset(t->attr, attr, mmu->pps);
	mmu->c.pt_pages++;
	mmu->c.pt_pages_peak = MAX(mmu->c.pt_pages_peak, mmu->c.pt_pages);
	return t;
}

/* Gives @t's page-table page back to the buddy allocator. */
static void table_free(struct cmasim_mmu *mmu, struct table *t)
{
	cmasim_free_pages(mmu->mem, t->pfn);
	g_free(t);
	mmu->c.pt_pages--;
}

/* Sets the entry of @pfn in @t to @attr, keeping the per-attribute counts. */
static void table_set(const struct cmasim_mmu *mmu, struct table *t, uint64_t pfn, uint8_t attr)
{
	uint8_t *e = &t->attr[page_in_sec(mmu, pfn)];

	t->nr[*e]--;
	t->nr[attr]++;
	*e = attr;
}

/* Makes section @s the page table @t, whose entries already hold its attribute. */
static void install_table(struct cmasim_mmu *mmu, uint64_t s, struct table *t,
			  struct cmasim_mmu_stats *st)
{
	mmu->sections[s].lm = LM_TABLE;
	mmu->sections[s].table = t;
	st->cost_ns += mmu->cfg->costs.section_split_ns;
	st->sections_split++;
	st->pt_alloc++;
	mmu->c.sections_split_total++;
}

/* Splits section @s into @t by break-before-make: the old entry is shot down first. */
static void split(struct cmasim_mmu *mmu, uint64_t s, struct table *t,
		  struct cmasim_mmu_stats *st)
{
	shootdown_section(mmu, s, st);
	install_table(mmu, s, t, st);
}

/* Folds split section @s back into one section entry if its entries agree and it may. */
static void maybe_collapse(struct cmasim_mmu *mmu, uint64_t s, struct cmasim_mmu_stats *st)
{
	struct section *sec = &mmu->sections[s];
	struct table *t = sec->table;

	if (sec->lm != LM_TABLE || t->boot || t->nr[t->attr[0]] != mmu->pps)
		return;
	sec->lm = t->attr[0];
	sec->table = NULL;
	table_free(mmu, t);
	st->sections_collapsed++;
	st->pt_freed++;
	mmu->c.sections_collapsed++;
	shootdown_section(mmu, s, st);
}

/* Whether @attr on [@start, @end) needs section @s split: a section entry covered in part. */
static bool needs_split(const struct cmasim_mmu *mmu, uint64_t s, uint64_t start, uint64_t end,
			enum cmasim_attr attr)
{
	const struct section *sec = &mmu->sections[s];

	return sec->lm != LM_TABLE && sec->lm != attr &&
	       (start > sec_pfn(mmu, s) || end < sec_pfn(mmu, s + 1));
}

/* Rewrites the entries of [@start, @end), all inside section @s, to @attr. */
static void set_section(struct cmasim_mmu *mmu, uint64_t s, uint64_t start, uint64_t end,
			uint8_t attr)
{
	struct section *sec = &mmu->sections[s];

	if (sec->lm == LM_TABLE) {
		for (uint64_t pfn = start; pfn < end; pfn++)
			table_set(mmu, sec->table, pfn, attr);
	} else if (start == sec_pfn(mmu, s) && end == sec_pfn(mmu, s + 1)) {
		sec->lm = attr;
	}
}

int cmasim_mmu_linear_set_attr(struct cmasim_mmu *mmu, uint64_t pfn, uint64_t nr,
			       enum cmasim_attr attr, struct cmasim_mmu_stats *st)
{
	struct table *fresh[2];
	uint64_t need[2], first, last, end = pfn + nr;
	unsigned int n = 0;

	if (attr >= CMASIM_NR_ATTRS || !ram_range(mmu, pfn, nr, mmu->lowmem_end_pfn))
		return -EINVAL;
	first = sec_of(mmu, pfn);
	last = sec_of(mmu, end - 1);
	/* only the first and last sections can be covered in part */
	if (needs_split(mmu, first, pfn, end, attr))
		need[n++] = first;
	if (last != first && needs_split(mmu, last, pfn, end, attr))
		need[n++] = last;
	for (unsigned int i = 0; i < n; i++) {
		fresh[i] = table_new(mmu, mmu->sections[need[i]].lm);
		if (!fresh[i]) {
			while (i--)
				table_free(mmu, fresh[i]);
			return -ENOMEM;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		split(mmu, need[i], fresh[i], st);
	for (uint64_t s = first; s <= last; s++)
		set_section(mmu, s, MAX(pfn, sec_pfn(mmu, s)), MIN(end, sec_pfn(mmu, s + 1)),
			    (uint8_t)attr);
	mmu->generation++;
	flush_range(mmu, cmasim_mmu_page_address(mmu, pfn), nr, st);
	for (uint64_t s = first; s <= last; s++)
		maybe_collapse(mmu, s, st);
	return 0;
}

int cmasim_mmu_linear_split(struct cmasim_mmu *mmu, uint64_t pfn, uint64_t nr,
			    struct cmasim_mmu_stats *st)
{
	uint64_t first, last;
	g_autofree struct table **fresh = NULL;

	if (!ram_range(mmu, pfn, nr, mmu->lowmem_end_pfn))
		return -EINVAL;
	first = sec_of(mmu, pfn);
	last = sec_of(mmu, pfn + nr - 1);
	fresh = g_new0(struct table *, last - first + 1);
	for (uint64_t s = first; s <= last; s++) {
		if (mmu->sections[s].lm == LM_TABLE)
			continue;
		fresh[s - first] = table_new(mmu, mmu->sections[s].lm);
		if (!fresh[s - first]) {
			while (s-- > first)
				if (fresh[s - first])
					table_free(mmu, fresh[s - first]);
			return -ENOMEM;
		}
	}
	/* pmd_clear() on every section, one flush_tlb_kernel_range(), then the tables */
	for (uint64_t s = first; s <= last; s++) {
		if (fresh[s - first])
			install_table(mmu, s, fresh[s - first], st);
		mmu->sections[s].table->boot = true;
	}
	flush_range(mmu, sec_va(mmu, first), (last - first + 1) * mmu->pps, st);
	return 0;
}

/* --------------------------------------------------- vmap, kmap, users */

/* Adds @delta to the @kind count of frames [@pfn, @pfn + @nr) in @refs (per section of RAM). */
static void refs_add(const struct cmasim_mmu *mmu, struct refs **refs, uint64_t pfn,
		     uint64_t nr, unsigned int kind, int delta)
{
	for (uint64_t p = pfn; p < pfn + nr; p++) {
		struct refs **r = &refs[sec_of(mmu, p)];
		uint16_t *count;

		if (!*r)
			*r = g_malloc0(sizeof(**r) + mmu->pps * sizeof((*r)->count[0]));
		count = &(*r)->count[page_in_sec(mmu, p)][kind];
		g_return_if_fail(delta > 0 ? *count < UINT16_MAX : *count > 0);
		*count = (uint16_t)(*count + delta);
		(*r)->total += (uint64_t)(int64_t)delta;
		if (!(*r)->total)
			g_clear_pointer(r, g_free);
	}
}

/* The kind of mapping an attribute makes, for the reverse counts. */
static unsigned int ref_kind(enum cmasim_attr attr)
{
	return attr == CMASIM_ATTR_CACHEABLE ? REF_CACHEABLE : REF_NONCACHEABLE;
}

/* Adds @delta to the counts of every frame @a maps, in @refs. */
static void refs_add_area(const struct cmasim_mmu *mmu, struct refs **refs, const struct area *a,
			  int delta)
{
	if (!a->pages) {
		refs_add(mmu, refs, a->pfn, a->nr, ref_kind(a->attr), delta);
		return;
	}
	for (uint64_t i = 0; i < a->nr; i++)
		refs_add(mmu, refs, a->pages[i], 1, ref_kind(a->attr), delta);
}

/* Puts @a at the lowest free VA of the vmalloc space with a guard page after it. */
static int vmap_area(struct cmasim_mmu *mmu, struct area *a, uint64_t *va)
{
	const struct area *o = (const struct area *)(const void *)mmu->areas->data;
	uint64_t at = mmu->layout.vmalloc_start, need = (a->nr + 1) << mmu->page_shift;
	guint i;

	/* first fit from the bottom, each area followed by its guard page */
	for (i = 0; i < mmu->areas->len && o[i].va - at < need; i++)
		at = o[i].va + ((o[i].nr + 1) << mmu->page_shift);
	if (i == mmu->areas->len && mmu->layout.vmalloc_end - at < need)
		return -ENOMEM;
	a->va = at;
	g_array_insert_val(mmu->areas, i, *a);
	refs_add_area(mmu, mmu->refs, a, 1);
	mmu->generation++;
	*va = at;
	return 0;
}

int cmasim_mmu_vmap(struct cmasim_mmu *mmu, uint64_t pfn, uint64_t nr, enum cmasim_attr attr,
		    uint64_t *va)
{
	struct area a = { .pfn = pfn, .nr = nr, .attr = attr };

	if (attr >= CMASIM_ATTR_NONE || !ram_range(mmu, pfn, nr, mmu->end_pfn))
		return -EINVAL;
	return vmap_area(mmu, &a, va);
}

int cmasim_mmu_vmap_pages(struct cmasim_mmu *mmu, const uint64_t *pages, uint64_t nr,
			  enum cmasim_attr attr, uint64_t *va)
{
	struct area a = { .pfn = nr ? pages[0] : 0, .nr = nr, .attr = attr };
	int ret;

	if (attr >= CMASIM_ATTR_NONE || !nr)
		return -EINVAL;
	for (uint64_t i = 0; i < nr; i++)
		if (!ram_range(mmu, pages[i], 1, mmu->end_pfn))
			return -EINVAL;
	a.pages = g_memdup2(pages, nr * sizeof(pages[0]));
	ret = vmap_area(mmu, &a, va);
	if (ret)
		g_free(a.pages);
	return ret;
}

void cmasim_mmu_vunmap(struct cmasim_mmu *mmu, uint64_t va, struct cmasim_mmu_stats *st)
{
	gint i = area_before(mmu, va);
	struct area a;

	g_return_if_fail(i >= 0 && g_array_index(mmu->areas, struct area, i).va == va);
	a = g_array_index(mmu->areas, struct area, i);
	g_array_remove_index(mmu->areas, (guint)i);
	refs_add_area(mmu, mmu->refs, &a, -1);
	mmu->generation++;
	flush_range(mmu, a.va, a.nr, st);
	g_free(a.pages);
}

int cmasim_mmu_kmap(struct cmasim_mmu *mmu, uint64_t pfn, uint64_t *va,
		    struct cmasim_mmu_stats *st)
{
	if (!ram_range(mmu, pfn, 1, mmu->end_pfn))
		return -EINVAL;
	for (unsigned int slot = 0; slot < CMASIM_MMU_KMAP_SLOTS; slot++) {
		if (mmu->kmap[slot] != NO_PFN)
			continue;
		mmu->kmap[slot] = pfn;
		refs_add(mmu, mmu->refs, pfn, 1, REF_CACHEABLE, 1);
		mmu->generation++;
		*va = mmu->layout.kmap_start + ((uint64_t)slot << mmu->page_shift);
		st->cost_ns += mmu->cfg->costs.kmap_ns;
		return 0;
	}
	return -ENOMEM;
}

void cmasim_mmu_kunmap(struct cmasim_mmu *mmu, uint64_t va)
{
	uint64_t slot = (va - mmu->layout.kmap_start) >> mmu->page_shift;

	g_return_if_fail(va >= mmu->layout.kmap_start && slot < CMASIM_MMU_KMAP_SLOTS &&
			 mmu->kmap[slot] != NO_PFN);
	refs_add(mmu, mmu->refs, mmu->kmap[slot], 1, REF_CACHEABLE, -1);
	mmu->kmap[slot] = NO_PFN;
	mmu->generation++;
	tlb_invalidate(mmu, va, UINT64_C(1) << mmu->page_shift);
}

uint64_t cmasim_mmu_page_address(const struct cmasim_mmu *mmu, uint64_t pfn)
{
	if (pfn < mmu->base_pfn || pfn >= mmu->lowmem_end_pfn || pfn_in_hole(mmu, pfn))
		return 0;
	return mmu->layout.page_offset + ((pfn - mmu->base_pfn) << mmu->page_shift);
}

uint64_t cmasim_mmu_linear_pfn(const struct cmasim_mmu *mmu, uint64_t va)
{
	return mmu->base_pfn + ((va - mmu->layout.page_offset) >> mmu->page_shift);
}

uint64_t cmasim_mmu_user_va(const struct cmasim_mmu *mmu, uint64_t pfn)
{
	g_return_val_if_fail(pfn >= mmu->base_pfn && pfn < mmu->end_pfn, 0);
	return CMASIM_MMU_USER_BASE + ((pfn - mmu->base_pfn) << mmu->page_shift);
}

/* @pfn's mapping counts by kind, or NULL when nothing but the linear map maps its section. */
static const uint16_t *frame_counts(const struct cmasim_mmu *mmu, uint64_t pfn)
{
	const struct refs *r = mmu->refs[sec_of(mmu, pfn)];

	return r ? r->count[page_in_sec(mmu, pfn)] : NULL;
}

/* @pfn's linear-map entry; NONE when it is unmapped or not lowmem RAM. */
static enum cmasim_attr frame_linear(const struct cmasim_mmu *mmu, uint64_t pfn)
{
	return pfn < mmu->lowmem_end_pfn && !pfn_in_hole(mmu, pfn) ? lm_attr(mmu, pfn)
								  : CMASIM_ATTR_NONE;
}

static bool noncacheable(enum cmasim_attr linear, const uint16_t *count)
{
	return linear == CMASIM_ATTR_UNCACHED || linear == CMASIM_ATTR_WRITE_COMBINE ||
	       (count && count[REF_NONCACHEABLE]);
}

uint64_t cmasim_mmu_generation(const struct cmasim_mmu *mmu)
{
	return mmu->generation;
}

bool cmasim_mmu_frame_noncacheable(const struct cmasim_mmu *mmu, uint64_t pfn)
{
	g_return_val_if_fail(pfn >= mmu->base_pfn && pfn < mmu->end_pfn, false);
	return noncacheable(frame_linear(mmu, pfn), frame_counts(mmu, pfn));
}

void cmasim_mmu_frame(const struct cmasim_mmu *mmu, uint64_t pfn, struct cmasim_mmu_frame *f)
{
	g_return_if_fail(pfn >= mmu->base_pfn && pfn < mmu->end_pfn);
	const uint16_t *count = frame_counts(mmu, pfn);

	*f = (struct cmasim_mmu_frame){
		.lowmem = pfn < mmu->lowmem_end_pfn && !pfn_in_hole(mmu, pfn),
		.linear = frame_linear(mmu, pfn),
	};
	f->cacheable = f->linear == CMASIM_ATTR_CACHEABLE ||
		       (count && count[REF_CACHEABLE]) || user_frame(mmu, pfn);
	f->noncacheable = noncacheable(f->linear, count);
}

/* --------------------------------------------------------------- boot */

/* The VA layout; false with @error when a 32-bit linear map leaves too little vmalloc space. */
static bool set_layout(struct cmasim_mmu *mmu, GError **error)
{
	const struct cmasim_config *cfg = mmu->cfg;
	struct cmasim_mmu_layout *l = &mmu->layout;
	uint64_t span = cmasim_config_lowmem_end(cfg) - cfg->mem_base;

	l->is_64bit = cmasim_config_64bit(cfg);
	l->nr_sections = (span + (UINT64_C(1) << mmu->section_shift) - 1) >> mmu->section_shift;
	if (l->is_64bit) {
		l->page_offset = PAGE_OFFSET_64;
		l->vmalloc_start = VMALLOC_START_64;
		l->vmalloc_end = VMALLOC_START_64 + VMALLOC_SIZE_64;
		l->kmap_start = KMAP_START_64;
	} else {
		l->page_offset = PAGE_OFFSET_32;
		/* VMALLOC_START: high_memory rounded past VMALLOC_OFFSET */
		l->vmalloc_start = (PAGE_OFFSET_32 + span + VMALLOC_OFFSET_32) &
				   ~(VMALLOC_OFFSET_32 - 1);
		l->vmalloc_end = VMALLOC_END_32;
		l->kmap_start = KMAP_START_32;
		if (l->vmalloc_start > VMALLOC_END_32 - VMALLOC_MIN_32) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
				    "%s: lowmem of %" PRIu64 " MiB leaves less than the 16 MiB "
				    "of vmalloc space a 32-bit kernel needs (expected at most "
				    "992 MiB)", cfg->source, span >> 20);
			return false;
		}
	}
	l->linear_end = l->page_offset + span;
	return true;
}

/* Maps lowmem at boot: sections where RAM covers them whole, page entries where in part. */
static bool map_lowmem(struct cmasim_mmu *mmu, GError **error)
{
	for (uint64_t s = 0; s < mmu->layout.nr_sections; s++) {
		uint64_t start = sec_pfn(mmu, s), end = MIN(sec_pfn(mmu, s + 1), mmu->lowmem_end_pfn);
		uint64_t ram = end - start - hole_pages(mmu, start, end);
		struct table *t;

		if (ram == mmu->pps || !ram) {
			mmu->sections[s].lm = ram ? CMASIM_ATTR_CACHEABLE : CMASIM_ATTR_NONE;
			continue;
		}
		t = table_new(mmu, CMASIM_ATTR_NONE);
		if (!t) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
				    "%s: no page for the page table of the linear map at 0x%" PRIx64,
				    mmu->cfg->source, start << mmu->page_shift);
			return false;
		}
		t->boot = true;
		for (uint64_t pfn = start; pfn < end; pfn++)
			if (!pfn_in_hole(mmu, pfn))
				table_set(mmu, t, pfn, CMASIM_ATTR_CACHEABLE);
		mmu->sections[s].lm = LM_TABLE;
		mmu->sections[s].table = t;
	}
	return true;
}

/* An empty TLB of @n entries for mappings of 2^@shift bytes. */
static void tlb_init(struct tlb *tlb, uint32_t n, unsigned int shift)
{
	uint32_t slots = 2;

	while (slots < 2 * n)
		slots *= 2;
	*tlb = (struct tlb){ .tag = g_new(uint64_t, n), .e = g_new0(struct tlb_entry, n),
			     .slot = g_new0(uint32_t, slots), .mask = slots - 1, .n = n,
			     .shift = shift, .mru = 0, .lru = n ? n - 1 : 0 };
	for (uint32_t i = 0; i < n; i++) {
		tlb->tag[i] = TLB_INVALID;
		tlb->e[i].prev = i - 1;
		tlb->e[i].next = i + 1;
	}
}

uint64_t cmasim_mmu_host_bytes(const struct cmasim_config *cfg)
{
	uint64_t section = MAX(cfg->mmu.section_size, cfg->page_size);
	uint64_t nr = cfg->mem_size / section + 1, lowmem = cfg->lowmem_size / section + 1;

	/* a section entry and its refs pointer each; a table of every lowmem section split */
	return nr * (sizeof(struct section) + sizeof(struct refs *)) +
	       lowmem * (sizeof(struct table) + (section >> cfg->page_shift));
}

struct cmasim_mmu *cmasim_mmu_new(struct cmasim_mem *mem, GError **error)
{
	const struct cmasim_config *cfg = cmasim_mem_config(mem);
	uint64_t section = cfg->mmu.section_size;
	struct cmasim_mmu *mmu;

	if (section < cfg->page_size || (section & (section - 1)) || section > (UINT64_C(1) << 30)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
			    "%s: mmu.section_size %" PRIu64 " is not a power of two between the "
			    "page size %" PRIu32 " and 1 GiB", cfg->source, section, cfg->page_size);
		return NULL;
	}
	mmu = g_new0(struct cmasim_mmu, 1);
	mmu->cfg = cfg;
	mmu->mem = mem;
	mmu->page_shift = cfg->page_shift;
	mmu->section_shift = (unsigned int)g_bit_nth_lsf(section, -1);
	mmu->pps = (uint32_t)(section >> cfg->page_shift);
	mmu->base_pfn = cfg->mem_base >> cfg->page_shift;
	mmu->end_pfn = mmu->base_pfn + (cfg->mem_size >> cfg->page_shift);
	mmu->lowmem_end_pfn = cmasim_config_lowmem_end(cfg) >> cfg->page_shift;
	mmu->user_end = CMASIM_MMU_USER_BASE + cfg->mem_size;
	mmu->nr_sections = (cfg->mem_size + section - 1) >> mmu->section_shift;
	mmu->sections = g_new0(struct section, mmu->nr_sections);
	for (uint64_t s = 0; s < mmu->nr_sections; s++)
		mmu->sections[s].lm = CMASIM_ATTR_NONE;
	mmu->refs = g_new0(struct refs *, mmu->nr_sections);
	mmu->areas = g_array_new(FALSE, FALSE, sizeof(struct area));
	for (unsigned int i = 0; i < CMASIM_MMU_KMAP_SLOTS; i++)
		mmu->kmap[i] = NO_PFN;
	tlb_init(&mmu->tlb[TLB_PAGE], cfg->mmu.tlb_page_entries, mmu->page_shift);
	tlb_init(&mmu->tlb[TLB_SECTION], cfg->mmu.tlb_section_entries, mmu->section_shift);
	if (!set_layout(mmu, error) || !map_lowmem(mmu, error)) {
		cmasim_mmu_free(mmu);
		return NULL;
	}
	return mmu;
}

void cmasim_mmu_free(struct cmasim_mmu *mmu)
{
	if (!mmu)
		return;
	for (uint64_t s = 0; s < mmu->nr_sections; s++) {
		g_free(mmu->sections[s].table);
		g_free(mmu->refs[s]);
	}
	g_free(mmu->sections);
	g_free(mmu->refs);
	for (guint i = 0; i < mmu->areas->len; i++)
		g_free(g_array_index(mmu->areas, struct area, i).pages);
	g_array_unref(mmu->areas);
	for (unsigned int t = 0; t < NR_TLBS; t++) {
		g_free(mmu->tlb[t].tag);
		g_free(mmu->tlb[t].e);
		g_free(mmu->tlb[t].slot);
	}
	g_free(mmu);
}

void cmasim_mmu_layout(const struct cmasim_mmu *mmu, struct cmasim_mmu_layout *layout)
{
	*layout = mmu->layout;
}

void cmasim_mmu_counters(const struct cmasim_mmu *mmu, struct cmasim_mmu_counters *c)
{
	*c = mmu->c;
	c->tlb_page_hits = mmu->tlb[TLB_PAGE].hits;
	c->tlb_page_misses = mmu->tlb[TLB_PAGE].misses;
	c->tlb_section_hits = mmu->tlb[TLB_SECTION].hits;
	c->tlb_section_misses = mmu->tlb[TLB_SECTION].misses;
}

/* ---------------------------------------------------------- invariants */

/* Section @s's entries recounted: well formed, a live page-table page behind each table. */
static bool check_section(const struct cmasim_mmu *mmu, uint64_t s, GString *why)
{
	const struct section *sec = &mmu->sections[s];
	const struct table *t = sec->table;
	uint64_t start = sec_pfn(mmu, s), end = MIN(sec_pfn(mmu, s + 1), mmu->lowmem_end_pfn);
	uint32_t nr[CMASIM_NR_ATTRS] = { 0 };
	const struct frame *pt;

	if (s >= mmu->layout.nr_sections) {
		if (sec->lm != CMASIM_ATTR_NONE || t)
			FAIL("section %" PRIu64 " is mapped but not lowmem", s);
		return true;
	}
	if (sec->lm != LM_TABLE) {
		if (t || sec->lm > CMASIM_ATTR_NONE)
			FAIL("section %" PRIu64 ": bad entry %u", s, sec->lm);
		if (sec->lm != CMASIM_ATTR_NONE && (end - start != mmu->pps ||
						    hole_pages(mmu, start, end)))
			FAIL("section %" PRIu64 " maps pages that are not lowmem RAM", s);
		return true;
	}
	for (uint32_t i = 0; i < mmu->pps; i++) {
		uint64_t pfn = start + i;

		if (t->attr[i] > CMASIM_ATTR_NONE)
			FAIL("section %" PRIu64 " page %u: bad entry %u", s, i, t->attr[i]);
		nr[t->attr[i]]++;
		if (t->attr[i] != CMASIM_ATTR_NONE && (pfn >= end || pfn_in_hole(mmu, pfn)))
			FAIL("pfn %" PRIu64 " is mapped but not lowmem RAM", pfn);
	}
	if (memcmp(nr, t->nr, sizeof(nr)))
		FAIL("section %" PRIu64 ": entry counts differ from the entries", s);
	if (!t->boot && nr[t->attr[0]] == mmu->pps)
		FAIL("section %" PRIu64 ": all its entries agree but it was not folded back", s);
	pt = &mmu->mem->frames[t->pfn - mmu->base_pfn];
	if (pt->state != FRAME_ALLOC || pt->order || OWNER_KIND(pt->owner) != CMASIM_OWNER_PAGETABLE)
		FAIL("section %" PRIu64 ": its page table at pfn %" PRIu64
		     " is not an allocated page-table page", s, t->pfn);
	return true;
}

/* The areas: ascending, each with its guard page, inside the vmalloc space. */
static bool check_areas(const struct cmasim_mmu *mmu, GString *why)
{
	uint64_t at = mmu->layout.vmalloc_start;

	for (guint i = 0; i < mmu->areas->len; i++) {
		const struct area *a = &g_array_index(mmu->areas, struct area, i);

		if (a->va < at || !a->nr || a->attr >= CMASIM_ATTR_NONE)
			FAIL("area %u at 0x%" PRIx64 " overlaps the one before or is empty", i, a->va);
		at = a->va + ((a->nr + 1) << mmu->page_shift);
	}
	if (at > mmu->layout.vmalloc_end)
		FAIL("the last area ends past the vmalloc space");
	return true;
}

/* The reverse counts equal a recount from the areas and kmap slots. */
static bool check_refs(const struct cmasim_mmu *mmu, GString *why)
{
	struct refs **want = g_new0(struct refs *, mmu->nr_sections);
	size_t bytes = mmu->pps * sizeof(want[0]->count[0]);
	bool ok = true;

	for (guint i = 0; i < mmu->areas->len; i++) {
		refs_add_area(mmu, want, &g_array_index(mmu->areas, struct area, i), 1);
	}
	for (unsigned int i = 0; i < CMASIM_MMU_KMAP_SLOTS; i++)
		if (mmu->kmap[i] != NO_PFN)
			refs_add(mmu, want, mmu->kmap[i], 1, REF_CACHEABLE, 1);
	for (uint64_t s = 0; s < mmu->nr_sections && ok; s++) {
		const struct refs *r = mmu->refs[s], *w = want[s];

		ok = (!r && !w) || (r && w && r->total == w->total &&
				    !memcmp(r->count, w->count, bytes));
		if (!ok && why)
			g_string_append_printf(why, "section %" PRIu64 ": mapping counts differ "
					       "from the areas and kmap slots", s);
	}
	for (uint64_t s = 0; s < mmu->nr_sections; s++)
		g_free(want[s]);
	g_free(want);
	return ok;
}

/*
 * The use order runs through every entry once, valid ones before invalid
 * ones; the hash finds every valid entry and holds nothing else.
 */
static bool check_tlb_structure(const struct tlb *tlb, GString *why)
{
	uint32_t valid = 0, used_slots = 0, i = tlb->mru, last = i;
	bool invalid_seen = false;

	if (!tlb->n)
		return true;
	for (uint32_t k = 0; k < tlb->n; k++, last = i, i = tlb->e[i].next) {
		bool invalid;

		if (i >= tlb->n)
			FAIL("TLB use order leaves the entries at step %u", k);
		invalid = tlb->tag[i] == TLB_INVALID;
		if (k && tlb->e[tlb->e[i].prev].next != i)
			FAIL("TLB entry %u: its neighbours do not point back", i);
		if (!invalid && invalid_seen)
			FAIL("TLB entry %u is valid but colder than an invalid one", i);
		if (!invalid && tlb_lookup(tlb, tlb->tag[i]) != (int)i)
			FAIL("TLB entry %u: the hash does not find its tag", i);
		invalid_seen |= invalid;
		valid += !invalid;
	}
	if (last != tlb->lru)
		FAIL("TLB use order ends at entry %u, not at its cold end %u", last, tlb->lru);
	for (uint32_t h = 0; h <= tlb->mask; h++)
		used_slots += tlb->slot[h] != 0;
	if (used_slots != valid)
		FAIL("TLB hash holds %u tags for %u valid entries", used_slots, valid);
	return true;
}

/* Every valid TLB entry agrees with the page tables: no flush was missed. */
static bool check_tlb(const struct cmasim_mmu *mmu, GString *why)
{
	for (unsigned int t = 0; t < NR_TLBS; t++) {
		if (!check_tlb_structure(&mmu->tlb[t], why))
			return false;
		for (uint32_t i = 0; i < mmu->tlb[t].n; i++) {
			const struct tlb_entry *e = &mmu->tlb[t].e[i];
			uint64_t va = mmu->tlb[t].tag[i] << mmu->tlb[t].shift;
			struct xlat x;

			/* user entries are checked when they hit */
			if (mmu->tlb[t].tag[i] == TLB_INVALID ||
			    (va >= CMASIM_MMU_USER_BASE && va < mmu->user_end))
				continue;
			if (walk(mmu, va, &x) || x.size != t || x.pa != e->pa || x.attr != e->attr)
				FAIL("stale TLB entry for 0x%" PRIx64, va);
		}
	}
	return true;
}

bool cmasim_mmu_check_invariants(const struct cmasim_mmu *mmu, GString *why)
{
	uint64_t tables = 0;

	for (uint64_t s = 0; s < mmu->nr_sections; s++) {
		if (!check_section(mmu, s, why))
			return false;
		tables += mmu->sections[s].lm == LM_TABLE;
	}
	if (tables != mmu->c.pt_pages || mmu->c.pt_pages > mmu->c.pt_pages_peak)
		FAIL("%" PRIu64 " page tables, %" PRIu64 " page-table pages counted", tables,
		     mmu->c.pt_pages);
	for (unsigned int i = 0; i < CMASIM_MMU_KMAP_SLOTS; i++)
		if (mmu->kmap[i] != NO_PFN && (mmu->kmap[i] < mmu->base_pfn ||
					       mmu->kmap[i] >= mmu->end_pfn))
			FAIL("kmap slot %u maps pfn %" PRIu64 " outside RAM", i, mmu->kmap[i]);
	return check_areas(mmu, why) && check_refs(mmu, why) && check_tlb(mmu, why);
}

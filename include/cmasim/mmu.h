/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's mappings of page frames and the CPU's TLB: the linear map of
 * lowmem in sections that split to page entries, vmap/remap areas in the
 * vmalloc space, kmap slots, user mappings, and translation through
 * separate LRU TLBs for page and section entries.
 *
 * Virtual addresses are uint64_t on every machine. The layout:
 * - A machine is 64-bit when it has no HighMem zone and either its RAM
 *   reaches above 4 GiB or its lowmem spans more than 768 MiB (what fits
 *   below ARM's vmalloc area of the default 240 MiB); otherwise 32-bit.
 * - The linear map covers lowmem, [mem_base, end of the last zone before
 *   HighMem), at VA = PAGE_OFFSET + (pa - mem_base): PAGE_OFFSET is
 *   0xC0000000 (ARM's 3G/1G split) or 0xffff888000000000 (x86-64's direct
 *   map). Sections are counted from mem_base.
 * - vmalloc space: 32-bit from the end of the linear map rounded past
 *   VMALLOC_OFFSET (8 MiB) up to VMALLOC_END 0xff800000; 64-bit 32 TiB at
 *   0xffffc90000000000 (x86-64, 4-level paging).
 * - kmap: CMASIM_MMU_KMAP_SLOTS pages at 0xffc00000 (ARM's FIXADDR_START)
 *   or 0xffffffffff000000.
 * - User pages: a model window, VA = CMASIM_MMU_USER_BASE + (pa - mem_base),
 *   on every machine; on 32-bit ones it lies past 4 GiB on purpose, so that
 *   it holds every frame and never meets a kernel VA.
 */
#ifndef CMASIM_MMU_H
#define CMASIM_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "cmasim/physmem.h"

/* What a mapping does with the CPU's caches, or that there is none. */
enum cmasim_attr {
	CMASIM_ATTR_CACHEABLE,
	CMASIM_ATTR_UNCACHED,		/* strongly ordered / device: pgprot_noncached */
	CMASIM_ATTR_WRITE_COMBINE,	/* normal non-cacheable: pgprot_writecombine */
	CMASIM_ATTR_NONE,		/* not mapped */
	CMASIM_NR_ATTRS,
};

/* The name reports use, e.g. "write-combine". */
const char *cmasim_attr_name(enum cmasim_attr attr);

#define CMASIM_MMU_KMAP_SLOTS 16	/* KM_MAX_IDX, include/asm-generic/kmap_size.h */
#define CMASIM_MMU_USER_BASE UINT64_C(0x100000000000)

/* cmasim_mmu_translate()'s return when it walked the page tables. */
#define CMASIM_MMU_TLB_MISS 1

struct cmasim_mmu;

/*
 * What one mapping operation did; counts, and ns of simulated time. The
 * operations add to it (zero it first); the caller charges cost_ns.
 */
struct cmasim_mmu_stats {
	uint64_t cost_ns;		/* splits, flushes, shootdowns and kmaps */
	uint64_t sections_split;	/* section entries rewritten as page tables */
	uint64_t sections_collapsed;	/* page tables folded back into a section entry */
	uint64_t pt_alloc;		/* page-table pages allocated from the buddy allocator */
	uint64_t pt_freed;		/* page-table pages given back */
	uint64_t pages_flushed;		/* TLB entries invalidated one page at a time */
	uint64_t shootdowns;		/* TLB flushes broadcast to every CPU */
};

/* Totals since boot; all derived. */
struct cmasim_mmu_counters {
	uint64_t tlb_page_hits, tlb_page_misses;
	uint64_t tlb_section_hits, tlb_section_misses;
	uint64_t faults;		/* translations that found no mapping */
	uint64_t sections_split_total;	/* splits done, boot-time splits included */
	uint64_t sections_collapsed;
	uint64_t pt_pages;		/* page-table pages now: one per section mapped with pages */
	uint64_t pt_pages_peak;
	uint64_t shootdowns;
	uint64_t pages_flushed;
};

/* Where things are; all derived from the config. */
struct cmasim_mmu_layout {
	bool is_64bit;
	uint64_t page_offset;		/* VA of mem_base */
	uint64_t linear_end;		/* VA one past lowmem */
	uint64_t nr_sections;		/* sections of the linear map, a ragged last one included */
	uint64_t vmalloc_start, vmalloc_end;
	uint64_t kmap_start;		/* CMASIM_MMU_KMAP_SLOTS pages */
};

/* What maps one frame now, for the coherence model. */
struct cmasim_mmu_frame {
	bool lowmem;			/* RAM in the linear map's range */
	enum cmasim_attr linear;	/* its linear-map entry; NONE when unmapped or not lowmem */
	bool cacheable;			/* some live mapping is cacheable: linear, vmap, kmap or user */
	bool noncacheable;		/* some live mapping is UNCACHED or WRITE_COMBINE */
};

/* Host bytes the mappings of @cfg's machine take, with its whole linear map split to pages. */
uint64_t cmasim_mmu_host_bytes(const struct cmasim_config *cfg);

/*
 * Builds the kernel's page tables for @mem's machine at boot: the linear
 * map of lowmem in cacheable section entries; a section that lowmem or a
 * hole covers only in part is mapped with page entries from a page-table
 * page allocated in @mem, as arch/arm/mm/mmu.c's alloc_init_pmd() does.
 * @mem must outlive the result. Returns NULL with a CMASIM_ERROR_LAYOUT
 * @error when mmu.section_size is not a power of two of at least a page,
 * when a 32-bit linear map leaves less than 16 MiB of vmalloc space, or
 * when the boot page tables cannot be allocated.
 */
struct cmasim_mmu *cmasim_mmu_new(struct cmasim_mem *mem, GError **error);
/* Frees host memory only: page-table pages stay allocated in the mem. */
void cmasim_mmu_free(struct cmasim_mmu *mmu);

/* Where the linear map, vmalloc space and kmap slots are, for reports and the cache model. */
void cmasim_mmu_layout(const struct cmasim_mmu *mmu, struct cmasim_mmu_layout *layout);
/* The totals since boot, for the overhead figures of a run. */
void cmasim_mmu_counters(const struct cmasim_mmu *mmu, struct cmasim_mmu_counters *counters);

/* page_address(): the linear-map VA of lowmem @pfn, mapped or not; 0 if not lowmem RAM. */
uint64_t cmasim_mmu_page_address(const struct cmasim_mmu *mmu, uint64_t pfn);
/* virt_to_pfn(): the frame at linear-map address @va, which must lie in the linear map. */
uint64_t cmasim_mmu_linear_pfn(const struct cmasim_mmu *mmu, uint64_t va);
/* The user VA of @pfn, valid while the frame is allocated as anon or page cache. */
uint64_t cmasim_mmu_user_va(const struct cmasim_mmu *mmu, uint64_t pfn);

/*
 * Rewrites the linear-map entries of lowmem [@pfn, @pfn + @nr) to @attr:
 * CMASIM_ATTR_NONE unmaps them, CACHEABLE maps them back. Sections the
 * range covers whole are rewritten as sections; a section it covers in
 * part is split into page entries first (a page-table page, section_split_ns
 * and a shootdown). Then the range is flushed as flush_tlb_kernel_range()
 * does: tlb_flush_page_ns a page up to a section's worth of pages, one
 * shootdown beyond. Last, a split section whose entries all agree again is
 * folded back into a section entry (a shootdown) and its page-table page
 * freed, unless it was split at boot. Returns 0; -EINVAL for an empty
 * range, one outside lowmem RAM or a bad @attr; -ENOMEM, with nothing
 * changed, when a page-table page cannot be allocated.
 */
int cmasim_mmu_linear_set_attr(struct cmasim_mmu *mmu, uint64_t pfn, uint64_t nr,
			       enum cmasim_attr attr, struct cmasim_mmu_stats *stats);

/*
 * dma_contiguous_remap(): maps the sections around lowmem [@pfn, @pfn +
 * @nr) with page entries for good (they never fold back), keeping their
 * attributes: section_split_ns per section split, then one flush of those
 * sections' range. Returns 0, -EINVAL as cmasim_mmu_linear_set_attr(), or
 * -ENOMEM with nothing changed.
 */
int cmasim_mmu_linear_split(struct cmasim_mmu *mmu, uint64_t pfn, uint64_t nr,
			    struct cmasim_mmu_stats *stats);

/*
 * Maps RAM frames [@pfn, @pfn + @nr) with @attr at the lowest free VA of
 * the vmalloc space that has room for them and a guard page after
 * (dma_common_contiguous_remap(), vmap()). Costs nothing: new entries need
 * no flush. Returns 0 with *@va; -EINVAL for an empty range, one outside
 * RAM or touching a hole, or @attr NONE; -ENOMEM when no VA range is free.
 */
int cmasim_mmu_vmap(struct cmasim_mmu *mmu, uint64_t pfn, uint64_t nr, enum cmasim_attr attr,
		    uint64_t *va);
/*
 * vmap() of @nr frames that need not be consecutive, @pages[i] at page i
 * of the area, as dma_common_pages_remap() maps an IOMMU buffer's pages;
 * otherwise as cmasim_mmu_vmap(). @pages is copied.
 */
int cmasim_mmu_vmap_pages(struct cmasim_mmu *mmu, const uint64_t *pages, uint64_t nr,
			  enum cmasim_attr attr, uint64_t *va);
/* vunmap(): removes the area a vmap returned @va for, and flushes its range. */
void cmasim_mmu_vunmap(struct cmasim_mmu *mmu, uint64_t va, struct cmasim_mmu_stats *stats);

/*
 * kmap_local_page(): a cacheable mapping of RAM frame @pfn in a free kmap
 * slot, lowmem frames included; costs kmap_ns, which covers kunmap too.
 * Returns 0 with *@va, -EINVAL if @pfn is not RAM, or -ENOMEM when every
 * slot is taken.
 */
int cmasim_mmu_kmap(struct cmasim_mmu *mmu, uint64_t pfn, uint64_t *va,
		    struct cmasim_mmu_stats *stats);
/* kunmap_local(): frees the slot of @va and drops its TLB entry. */
void cmasim_mmu_kunmap(struct cmasim_mmu *mmu, uint64_t va);

/*
 * A CPU access to @va through the TLB: O(TLB entries), plus on a miss a
 * walk that is O(1) but for a binary search of the vmap areas and an
 * O(max order) look at user pages. Returns 0 on a TLB hit,
 * CMASIM_MMU_TLB_MISS after a page-table walk that filled the TLB (the
 * caller charges tlb_miss_ns), or -EFAULT when nothing maps @va; *@pa and
 * *@attr are set unless it fails.
 */
int cmasim_mmu_translate(struct cmasim_mmu *mmu, uint64_t va, uint64_t *pa,
			 enum cmasim_attr *attr);
/*
 * The page tables' answer for @va without touching the TLB or its counts,
 * for a speculative prefetcher. Returns 0 or -EFAULT, as translate.
 */
int cmasim_mmu_probe(const struct cmasim_mmu *mmu, uint64_t va, uint64_t *pa,
		     enum cmasim_attr *attr);

/* What maps RAM frame @pfn now; O(1) apart from an O(max order) look at user pages. */
void cmasim_mmu_frame(const struct cmasim_mmu *mmu, uint64_t pfn, struct cmasim_mmu_frame *frame);
/* Its noncacheable alone, in O(1): the coherence model asks at every fill. */
bool cmasim_mmu_frame_noncacheable(const struct cmasim_mmu *mmu, uint64_t pfn);
/*
 * A number that changes whenever a mapping is made or removed or the
 * linear map changes attributes: what was read of a frame's mappings
 * holds while it stays the same.
 */
uint64_t cmasim_mmu_generation(const struct cmasim_mmu *mmu);

/*
 * Recounts the page tables, areas, mapping counts and page-table pages from
 * scratch. Returns true when all agree; otherwise false with what disagreed
 * first in @why. For tests and --check-invariants only.
 */
bool cmasim_mmu_check_invariants(const struct cmasim_mmu *mmu, GString *why);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A real machine's physical memory as scripts/capture-snapshot captures it:
 * /proc/zoneinfo, buddyinfo, pagetypeinfo and iomem, and every pfn's
 * /proc/kpageflags word, read and cross-checked; then rebuilt as a machine
 * config and an initial state (state.h) that cmasim boots into.
 */
#ifndef CMASIM_SNAPSHOT_H
#define CMASIM_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "cmasim/config.h"
#include "cmasim/physmem.h"

/*
 * What kpageflags says a page holds, decided from its bits (snapshot.c
 * says how), and so how cmasim treats it.
 */
enum cmasim_page_kind {
	CMASIM_PAGE_HOLE,		/* no RAM: outside iomem's System RAM, or KPF_NOPAGE */
	CMASIM_PAGE_RESERVED,		/* present, never the allocator's: PageReserved, PageOffline */
	CMASIM_PAGE_FREE,		/* on the buddy allocator's free lists */
	CMASIM_PAGE_ANON,		/* anonymous, shmem, hugetlb, dirty or locked page cache: migrates */
	CMASIM_PAGE_FILE,		/* clean page cache on the inactive LRU: dropped, not migrated */
	CMASIM_PAGE_FILE_ACTIVE,	/* the same on the active LRU, which reclaim reaches last */
	CMASIM_PAGE_SLAB,		/* slab: never moves */
	CMASIM_PAGE_PAGETABLE,		/* page tables: never move */
	CMASIM_PAGE_KERNEL,		/* no flag says what: kernel allocations, per-cpu lists */
	CMASIM_NR_PAGE_KINDS,
};

/* The name summaries and state files use: "anon", "file-active". */
const char *cmasim_page_kind_name(enum cmasim_page_kind kind);

/* Pages of a kind besides the kinds themselves, for the import's summary. */
enum cmasim_snapshot_count {
	CMASIM_SNAP_THP,		/* in transparent huge pages (KPF_THP) */
	CMASIM_SNAP_HUGETLB,		/* in hugetlbfs pages (KPF_HUGE) */
	CMASIM_SNAP_SHMEM,		/* swap-backed page cache (shmem, tmpfs) */
	CMASIM_SNAP_DIRTY,		/* page cache being written: it migrates, it is not dropped */
	CMASIM_SNAP_UNEVICTABLE,	/* mlocked or unevictable LRU pages */
	CMASIM_SNAP_ZERO_FLAGS,		/* not free and not one flag set */
	CMASIM_SNAP_COMPOUND_SPLIT,	/* compound pages of no power-of-two size, taken page by page */
	CMASIM_NR_SNAP_COUNTS,
};

/* One zone of the capture: what the kernel printed, and what kpageflags rebuilt. */
struct cmasim_snapshot_zone {
	enum cmasim_zone_type type;
	unsigned int zoneinfo_line;	/* its "Node 0, zone" line in zoneinfo, from 1 */
	/* /proc/zoneinfo */
	uint64_t start_pfn, spanned, present, managed;
	uint64_t wmark_min, wmark_low, wmark_high;
	uint64_t nr_free;		/* nr_free_pages */
	uint64_t pcp_count;		/* pages on its per-cpu lists, every CPU's */
	/* /proc/buddyinfo just before and just after kpageflags was read */
	uint64_t buddyinfo[CMASIM_ORDER_LIMIT + 1];
	uint64_t buddyinfo_after[CMASIM_ORDER_LIMIT + 1];
	/* /proc/pagetypeinfo: pageblocks by type; free blocks by type and order */
	uint64_t pageblocks[CMASIM_NR_MIGRATETYPES];
	uint64_t free_by_type[CMASIM_NR_MIGRATETYPES][CMASIM_ORDER_LIMIT + 1];
	/* rebuilt from kpageflags */
	uint64_t free_blocks[CMASIM_ORDER_LIMIT + 1];	/* free blocks by order */
	uint64_t kinds[CMASIM_NR_PAGE_KINDS];		/* pages by kind */
	uint64_t unmanaged_tail;	/* present pages with no flag the kernel never managed, at its top */
};

/* A CMA area, where debugfs showed it. */
struct cmasim_snapshot_cma {
	char *name;
	uint64_t base_pfn, count;	/* pages */
	unsigned int order_per_bit;
	unsigned int line;		/* of capture.txt, for messages */
};

struct cmasim_snapshot {
	char *dir;			/* the capture's folder, for messages */
	char *kernel;			/* uname -r */
	char *arch;			/* uname -m */
	uint32_t page_size;		/* bytes */
	unsigned int page_shift;
	unsigned int max_order;		/* inclusive: buddyinfo's columns less one */
	unsigned int pageblock_order;	/* pagetypeinfo's "Page block order" */
	unsigned int cpus;		/* per-cpu pagesets in zoneinfo */
	uint64_t min_free_kbytes;	/* 0 when not captured */
	uint64_t watermark_scale_factor; /* 0 when not captured */
	double read_seconds;		/* how long kpageflags took to read; < 0 unknown */
	bool buddy_head_only;		/* kpageflags marks only a free block's first page */
	bool buddyinfo_after;		/* buddyinfo was read again after kpageflags */

	unsigned int nr_zones;		/* populated zones, ascending */
	struct cmasim_snapshot_zone zones[CMASIM_NR_ZONE_TYPES];
	unsigned int nr_cma;
	struct cmasim_snapshot_cma *cma;

	uint64_t nr_pfns;		/* kpageflags' length in pfns */
	/*
	 * By pfn: enum cmasim_page_kind in the low bits, and where the page
	 * sits in a compound page (CMASIM_PFN_HEAD, CMASIM_PFN_TAIL)
	 */
	uint8_t *pfn;
	uint64_t counts[CMASIM_NR_SNAP_COUNTS];
};

#define CMASIM_PFN_KIND(b) ((enum cmasim_page_kind)((b) & 0x0f))
#define CMASIM_PFN_HEAD 0x10		/* KPF_COMPOUND_HEAD */
#define CMASIM_PFN_TAIL 0x20		/* KPF_COMPOUND_TAIL */
#define CMASIM_PFN_NOFLAGS 0x40		/* the word was 0: maybe a free block's tail (head-only kernels) */

/*
 * Reads the capture in folder @dir and rebuilds its pages: which are
 * holes, reserved, free (in free blocks as the buddy allocator holds
 * them) and allocated, cross-checking kpageflags against zoneinfo. NULL
 * with "file:line:column: what (expected)" on bad or contradictory input.
 */
struct cmasim_snapshot *cmasim_snapshot_read(const char *dir, GError **error);
void cmasim_snapshot_free(struct cmasim_snapshot *snap);

/*
 * The same from files in memory (for tests and fuzzing): @files maps
 * "zoneinfo", "buddyinfo", "pagetypeinfo", "iomem", "capture.txt" and
 * "kpageflags" (raw or gzipped; "buddyinfo.after" optional) to GBytes.
 */
struct cmasim_snapshot *cmasim_snapshot_read_files(const char *dir, GHashTable *files,
						   GError **error);

/*
 * Writes @snap as a machine config named @name (YAML that
 * cmasim_config_load_file() reads back) whose initial: is @state_file,
 * into @config; and the initial state into @state (the format state.h
 * documents). The pageblocks' types are guessed as state.h says.
 */
void cmasim_snapshot_write(const struct cmasim_snapshot *snap, const char *name,
			   const char *state_file, GString *config, GString *state);

#endif

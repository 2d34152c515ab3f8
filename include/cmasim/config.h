/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Machine configuration: what the files in configs/ describe.
 *
 * The loader validates everything it derives, so a struct cmasim_config
 * that it returns always describes a machine cmasim_mem_new() can build.
 */
#ifndef CMASIM_CONFIG_H
#define CMASIM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "cmasim/kernel.h"

/* Largest max_page_order a config may ask for; sizes the free-list arrays. */
#define CMASIM_ORDER_LIMIT 15

/* The kernel's zone types, in its order (include/linux/mmzone.h). */
enum cmasim_zone_type {
	CMASIM_ZONE_DMA,
	CMASIM_ZONE_DMA32,
	CMASIM_ZONE_NORMAL,
	CMASIM_ZONE_HIGHMEM,
	CMASIM_ZONE_MOVABLE,
	CMASIM_NR_ZONE_TYPES,
};

/* The name /proc/zoneinfo and /proc/buddyinfo print, e.g. "HighMem". */
const char *cmasim_zone_type_name(enum cmasim_zone_type type);

struct cmasim_zone_config {
	enum cmasim_zone_type type;	/* user (zones:) or derived (lowmem:, dma_zone:) */
	uint64_t start;			/* bytes, physical address; derived */
	uint64_t end;			/* bytes, physical address, exclusive; derived */
};

struct cmasim_hole {
	uint64_t start;			/* bytes, physical address; user */
	uint64_t size;			/* bytes; user */
};

/*
 * What a device does, so that a workload can name the job instead of one
 * machine's device: devices[].roles in a config, and a role where a
 * workload names a device.
 */
enum cmasim_role {
	CMASIM_ROLE_CAMERA,
	CMASIM_ROLE_DISPLAY,
	CMASIM_ROLE_CODEC,
	CMASIM_ROLE_GPU,
	CMASIM_ROLE_NIC,
	CMASIM_ROLE_LEGACY_DMA,
	CMASIM_ROLE_USB,
	CMASIM_NR_ROLES,
};

/* The name configs and workloads spell a role with: "legacy-dma". */
const char *cmasim_role_name(enum cmasim_role role);

/* The role @len bytes of @name spell, or -1. */
int cmasim_role_lookup(const char *name, size_t len);

struct cmasim_device {
	char *name;			/* user */
	uint64_t dma_mask;		/* highest bus address it can reach; from dma_bits (user) */
	bool coherent;			/* snoops the CPU caches; user, default false */
	int cma_area;			/* index in cma of its own area, -1: the shared one; derived (cma[].devices) */
	uint32_t roles;			/* bit per enum cmasim_role; user (roles:), default none */
};

/*
 * A CMA area, as cma=size@base or a device tree "shared-dma-pool" node with
 * "reusable" declares it; user (cma:).
 */
struct cmasim_cma_config {
	char *name;			/* user; default "reserved" (the shared area) or "cma<i>" */
	uint64_t base;			/* bytes, physical address; user, or derived: top-down in zone */
	uint64_t size;			/* bytes, whole pageblocks; user */
	uint64_t alignment;		/* bytes, of base: a power of two, at least a pageblock; user */
	unsigned int order_per_bit;	/* pages per bitmap bit, log2; user, default 0 */
	enum cmasim_zone_type zone;	/* where it lies; user (placement) or derived from base */
	bool fixed;			/* base: was given; user */
	bool shared;			/* serves every device without an area of its own; derived */
};

/* What operations cost in simulated time; user (costs:), with defaults. */
struct cmasim_costs {
	uint64_t buddy_op_ns;		/* one buddy allocation or free, default 200 */
	uint64_t page_zero_ns;		/* zeroing one page, default 1000 */
	uint64_t page_copy_ns;		/* copying one page, default 2000 */
	uint64_t migrate_page_ns;	/* unmapping and remapping a page to move it, default 55000 */
	uint64_t reclaim_page_ns;	/* dropping one clean page-cache page, default 2700 */
	uint64_t lru_drain_ns;		/* draining the per-cpu LRU caches (IPIs), default 50000 */
	uint64_t cache_line_op_ns;	/* cleaning or invalidating one line by address, default 5 */
	uint64_t cache_flush_all_ns;	/* cleaning and invalidating the whole cache by set/way, default 200000 */
	uint64_t cache_barrier_ns;	/* the barrier ending a maintenance operation, default 100 */
	uint64_t tlb_miss_ns;		/* one page-table walk, default 30 */
	uint64_t tlb_flush_page_ns;	/* invalidating one page's TLB entry, default 20 */
	uint64_t tlb_shootdown_ns;	/* a TLB flush broadcast to every CPU, default 5000 */
	uint64_t section_split_ns;	/* rewriting a section as a table of page entries, default 10000 */
	uint64_t kmap_ns;		/* mapping and unmapping one HighMem page, default 300 */
	uint64_t iommu_map_page_ns;	/* one IOMMU page-table entry and its TLB invalidate, default 250 */
	uint64_t compact_scan_page_ns;	/* a compaction scanner looking at one page, default 10 */
	uint64_t line_fill_ns;		/* a demand miss filling a cache line from memory, default 20 */
	uint64_t line_writeback_ns;	/* a dirty line written back on eviction, default 20 */
	uint64_t uncached_access_ns;	/* a line's worth of uncached or write-combined access, default 100 */
	uint64_t flush_refill_ns;	/* refilling what a whole-cache flush threw away, default 330000 */
	uint64_t refault_page_ns;	/* reading a dropped page-cache page back from storage, default 100000 */
};

/* How a cache finds a line's set and tag (virtual or physical address). */
enum cmasim_cache_indexing {
	CMASIM_CACHE_PIPT,
	CMASIM_CACHE_VIPT,
	CMASIM_CACHE_VIVT,
};

enum cmasim_prefetcher {
	CMASIM_PREFETCH_NONE,
	CMASIM_PREFETCH_NEXT_LINE,	/* a miss fetches the next line(s) too */
	CMASIM_PREFETCH_STRIDE,		/* a repeated stride fetches ahead along it */
	/* demand accesses also fill random lines of cacheable mappings near them */
	CMASIM_PREFETCH_SPECULATIVE,
};

/* The CPU's data cache; user (cache:), with defaults. */
struct cmasim_cache_config {
	uint64_t size;			/* bytes, default 32 KiB */
	unsigned int ways;		/* default 4 */
	unsigned int line_size;		/* bytes, a power of two, default 64 */
	enum cmasim_cache_indexing indexing;	/* default PIPT */
	bool write_back;		/* false: write-through; default true */
	bool write_allocate;		/* a write miss fills the line; default true */
	enum cmasim_prefetcher prefetcher;	/* default none */
	unsigned int prefetch_degree;	/* lines a next-line or stride prefetch fetches, default 1 */
	uint64_t spec_window;		/* bytes either side of a demand access, default 4 KiB */
	uint32_t spec_rate_ppm;		/* speculative fills per million demand accesses, default 0 */
	/*
	 * an uncached or write-combined access looks the line up and uses a
	 * copy a cacheable alias left (a read returns it, a write updates it
	 * and memory); default false: it goes around the cache
	 */
	bool uncached_hits;
};

/* The names configs and options spell them with: "vipt", "next-line". */
const char *cmasim_cache_indexing_name(enum cmasim_cache_indexing indexing);
const char *cmasim_prefetcher_name(enum cmasim_prefetcher prefetcher);

/* The kernel's mappings and the TLB; user (mmu:), with defaults. */
struct cmasim_mmu_config {
	uint64_t section_size;		/* linear-map block mapping, bytes: 1 MiB (ARM), 2 MiB (LPAE, x86-64) */
	unsigned int tlb_page_entries;	/* TLB entries for page mappings, default 32 */
	unsigned int tlb_section_entries; /* TLB entries for section mappings, default 32 */
};

struct cmasim_config {
	char *source;			/* file name used in messages; set by the loader */
	char *name;			/* user; defaults to the file's base name */
	char *description;		/* user; may be NULL */
	/*
	 * of the text it was loaded from, hex; with initial:, of that digest
	 * (hex) and the state file's bytes; set by the loader
	 */
	char *sha256;
	/*
	 * the initial state's file (state.h), resolved from the config's
	 * folder; user (initial:), NULL: a machine as it boots
	 */
	char *initial;
	const struct cmasim_kernel *kernel; /* whose mm rules; user (kernel:), default today's */

	uint64_t mem_base;		/* bytes, physical address of RAM's first byte; user, default 0 */
	uint64_t mem_size;		/* bytes of RAM, holes included; user */
	uint32_t page_size;		/* bytes; user, default 4 KiB */
	unsigned int page_shift;	/* log2(page_size); derived */
	unsigned int max_page_order;	/* largest buddy order, inclusive (MAX_PAGE_ORDER); user, 10 */
	unsigned int pageblock_order;	/* user, default 10 */
	uint64_t lowmem_size;		/* bytes of RAM in the linear map (lowmem less holes); derived */
	uint64_t min_free_kbytes;	/* KiB; user, or 0 to derive as the kernel does */
	bool thp;			/* transparent hugepages: raises a derived min_free_kbytes; user */
	uint64_t struct_page;		/* bytes of memmap per page; user, 0: memmap not modelled */
	uint64_t atomic_pool_size;	/* bytes of the atomic pool (coherent_pool=); user, 256 KiB */
	uint64_t cpus;			/* CPUs sharing the per-cpu lists' high; user, 0: no per-cpu lists */

	unsigned int nr_zones;		/* derived */
	struct cmasim_zone_config zones[CMASIM_NR_ZONE_TYPES]; /* ascending, contiguous; derived */
	unsigned int nr_holes;		/* user */
	struct cmasim_hole *holes;	/* ascending, inside RAM, whole pages; user */
	/*
	 * present RAM the page allocator never gets (PageReserved): the kernel
	 * image, firmware, reserved-memory nodes (user, reserved:), and the
	 * memmap (derived from struct_page), last
	 */
	unsigned int nr_reserved;
	struct cmasim_hole *reserved;

	unsigned int nr_devices;	/* user */
	struct cmasim_device *devices;	/* user */
	unsigned int nr_cma;		/* user */
	struct cmasim_cma_config *cma;	/* user, in the order given */
	struct cmasim_costs costs;
	struct cmasim_cache_config cache;
	struct cmasim_mmu_config mmu;
	unsigned int nr_policy_settings;	/* user */
	struct cmasim_policy_setting *policy_settings;	/* policy:, in file order; user */
};

/* The bytes of one pageblock, the unit of migratetypes and of CMA areas. */
static inline uint64_t cmasim_config_pageblock_bytes(const struct cmasim_config *cfg)
{
	return (uint64_t)cfg->page_size << cfg->pageblock_order;
}

/*
 * One setting of the policy: section: @key is "name" or "policy.name",
 * checked against the policies by cmasim_policy_check_machine(); where
 * each part is in the file, counted from 1, for its messages.
 */
struct cmasim_policy_setting {
	char *key, *value;
	unsigned int line, key_column, value_line, value_column;
};

/* Physical addresses [base, base + size). */
struct cmasim_range {
	uint64_t base, size;
};

/*
 * Places @size bytes aligned to @alignment as memblock places a boot-time
 * reservation: the highest such range in the first zone of type @zone that
 * overlaps no hole and none of the @nr_taken ranges of @taken. Returns
 * false when nothing fits.
 */
bool cmasim_config_place_clear(const struct cmasim_config *cfg, enum cmasim_zone_type zone,
			       uint64_t size, uint64_t alignment, const struct cmasim_range *taken,
			       unsigned int nr_taken, uint64_t *base);
/* cmasim_config_place_clear() clear of every area of @cfg's cma list but @skip (-1: none). */
bool cmasim_config_place_cma(const struct cmasim_config *cfg, enum cmasim_zone_type zone,
			     uint64_t size, uint64_t alignment, int skip, uint64_t *base);

/* The zone type an area at @base of @size lies in, or CMASIM_NR_ZONE_TYPES if it spans two. */
enum cmasim_zone_type cmasim_config_zone_of(const struct cmasim_config *cfg, uint64_t base,
					    uint64_t size);

/* The first byte past lowmem: where the first HighMem zone starts, else the end of RAM. */
uint64_t cmasim_config_lowmem_end(const struct cmasim_config *cfg);

/* The bytes of RAM in [@start, @end), holes left out. */
uint64_t cmasim_config_ram_bytes(const struct cmasim_config *cfg, uint64_t start, uint64_t end);

/* The highest zone type below HighMem: where CMA goes by default (the top of lowmem). */
enum cmasim_zone_type cmasim_config_lowmem_zone(const struct cmasim_config *cfg);

/* Index of the device named @name in @cfg, or -1. */
int cmasim_config_device(const struct cmasim_config *cfg, const char *name);

/*
 * The device a workload means by the @len bytes of @name: the device of
 * that name, else the first in @cfg's list with that role; -1 if none.
 */
int cmasim_config_resolve_device(const struct cmasim_config *cfg, const char *name, size_t len);

/* Loads a machine config from the file at @path, of at most 1 MiB. */
struct cmasim_config *cmasim_config_load_file(const char *path, GError **error);

/* Loads a machine config from @len bytes of YAML; @source names it in messages. */
struct cmasim_config *cmasim_config_load_data(const char *source, const char *data,
					      size_t len, GError **error);

void cmasim_config_free(struct cmasim_config *cfg);

/* A deep copy of @cfg, freed with cmasim_config_free(). */
struct cmasim_config *cmasim_config_dup(const struct cmasim_config *cfg);

/*
 * Makes @cfg follow @kernel's rules, placing again, in file order, the CMA
 * areas whose base the config did not fix (placement is one of the rules).
 * Returns false with @error when one finds no room.
 */
bool cmasim_config_set_kernel(struct cmasim_config *cfg, const struct cmasim_kernel *kernel,
			      GError **error);

/*
 * Whether @cfg describes a 64-bit kernel: no HighMem, and more RAM than a
 * 32-bit linear map holds (above 4 GiB, or over 768 MiB of lowmem).
 */
bool cmasim_config_64bit(const struct cmasim_config *cfg);

/*
 * Moves @cfg's lowmem limit down to physical address @limit, pageblock
 * aligned, as a larger vmalloc= does on 32-bit ARM: the lowmem zones end
 * there and HighMem, made if there was none, starts there. CMA areas keep
 * their bases and take the zone that now holds them.
 */
void cmasim_config_set_lowmem_limit(struct cmasim_config *cfg, uint64_t limit);

#endif

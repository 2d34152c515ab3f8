// SPDX-License-Identifier: GPL-2.0-only
/*
 * The figures of a run and of `cmasim cache`: the catalog that declares
 * each one's unit, meaning and better direction, and the lists built from
 * results that every report, comparison and gate reads.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/figures.h"
#include "cmasim/report.h"
#include "cmasim/units.h"

#define C CMASIM_UNIT_COUNT
#define NS CMASIM_UNIT_NS
#define B CMASIM_UNIT_BYTES
#define R CMASIM_UNIT_RATIO
#define IX CMASIM_UNIT_INDEX
#define T CMASIM_UNIT_TEXT
#define LO CMASIM_BETTER_LOWER
#define HI CMASIM_BETTER_HIGHER
#define NO CMASIM_BETTER_NEITHER

const struct cmasim_figure_def cmasim_run_figure_defs[] = {
	{ "schema", T, NO, "the JSON layout: cmasim-run/N, bumped when a figure changes meaning" },
	{ "policy", T, NO, "the placement policy" },
	{ "cmasim_version", T, NO, "the cmasim that ran it" },
	{ "settings", T, NO, "the policy's parameters as set (machine policy: section, then --set)" },
	{ "kernel", T, NO, "the kernel whose mm rules ran: the machine's kernel:, or --kernel" },
	{ "machine", T, NO, "the machine config's name" },
	{ "machine_sha256", T, NO, "SHA-256 of the machine config's text (and initial state)" },
	{ "workload", T, NO, "the workload's name" },
	{ "workload_sha256", T, NO, "SHA-256 of the workload file's bytes" },
	{ "seed", C, NO, "seed of the workload's generators" },
	{ "end_ns", NS, NO, "simulated time of the last event" },
	{ "events", C, NO, "trace records replayed" },
	{ "dma_requests", C, NO, "contiguous buffer requests (dma_alloc)" },
	{ "dma_ok", C, HI, "requests that got a buffer" },
	{ "dma_failed", C, LO, "requests that got none" },
	{ "dma_success_rate", R, HI, "dma_ok / dma_requests; no value without requests" },
	{ "dma_failed_rate", R, LO, "dma_failed / dma_requests; no value without requests" },
	{ "dma_failed_too_large", C, LO, "failed: above the largest block the policy can give" },
	{ "dma_failed_out_of_memory", C, LO, "failed: too few free pages the device can reach" },
	{ "dma_failed_fragmented", C, LO, "failed: enough free pages, but no contiguous run" },
	{ "dma_failed_unreachable", C, LO, "failed: no memory within the device's DMA mask" },
	{ "dma_failed_busy", C, LO, "failed: every window held pinned or unmovable pages" },
	{ "dma_failed_atomic_pool_empty", C, LO, "failed: an atomic request found the atomic pool full" },
	{ "dma_fallback_ok", C, NO, "of dma_ok, requests a CMA policy's fallback carve-out served" },
	{ "dma_device_<device>_requests", C, NO, "requests of one device the workload used" },
	{ "dma_device_<device>_ok", C, HI, "of those, how many succeeded" },
	{ "dma_device_<device>_failed_<reason>", C, LO, "of those, how many failed for each reason" },
	{ "dma_device_<device>_busy_retries", C, LO, "busy ranges its requests met" },
	{ "dma_device_<device>_blocked_own_pages", C, NO,
	  "pinned pages in its requests' way that its own driver pinned (alloc or pin device:)" },
	{ "dma_device_<device>_blocked_other_pages", C, LO,
	  "pinned pages in their way of another device's driver, or of none: pins not contained" },
	{ "dma_device_<device>_latency_ns_p50", NS, LO, "median time to serve its requests that succeeded" },
	{ "dma_device_<device>_latency_ns_p99", NS, LO, "99th percentile of the same" },
	{ "dma_device_<device>_latency_ns_max", NS, LO, "the longest of the same" },
	{ "dma_order<N>_requests", C, NO, "requests whose size needs 2^N pages" },
	{ "dma_order<N>_ok", C, HI, "of those, how many succeeded" },
	{ "dma_latency_ns_p50", NS, LO, "median time to serve a request that succeeded" },
	{ "dma_latency_ns_p90", NS, LO, "90th percentile of the same" },
	{ "dma_latency_ns_p99", NS, LO, "99th percentile of the same" },
	{ "dma_latency_ns_max", NS, LO, "the longest of the same" },
	{ "dma_latency_ns_mean", NS, LO, "the mean of the same" },
	{ "dma_fail_latency_ns_p50", NS, LO, "median time a failing request took to fail" },
	{ "dma_fail_latency_ns_p90", NS, LO, "90th percentile of the same" },
	{ "dma_fail_latency_ns_p99", NS, LO, "99th percentile of the same" },
	{ "dma_fail_latency_ns_max", NS, LO, "the longest of the same" },
	{ "dma_fail_latency_ns_mean", NS, LO, "the mean of the same" },
	{ "dma_bytes_peak", B, NO, "memory held by devices at once, at most" },
	{ "dma_waste_bytes_peak", B, LO, "of that, memory beyond what was asked for" },
	{ "bg_alloc_pages", C, NO, "pages the background workload allocated" },
	{ "bg_alloc_failed_pages", C, LO, "pages it asked for and did not get" },
	{ "bg_order<N>_requests", C, NO, "background blocks of order N > 3 asked for (huge pages)" },
	{ "bg_order<N>_ok", C, HI, "of those, how many it got" },
	{ "bg_free_pages", C, NO, "pages it freed" },
	{ "pfn_mismatched_pages", C, LO, "pages its allocs and frees by pfn found in another state "
					   "(a replayed trace departing from its start)" },
	{ "direct_reclaimed_pages", C, LO, "clean page cache its allocations dropped to succeed" },
	{ "kswapd_runs", C, NO, "times kswapd woke, below the low watermark or boosted" },
	{ "kswapd_reclaimed_pages", C, NO, "clean page cache kswapd dropped" },
	{ "migrated_pages", C, LO, "pages contiguous allocations moved out of the way" },
	{ "reclaimed_pages", C, LO, "clean page-cache pages they dropped instead" },
	{ "migrate_failed_pinned_pages", C, LO, "pages they could not move: pinned" },
	{ "migrate_failed_unmovable_pages", C, LO, "pages they could not move: unmovable" },
	{ "migrate_failed_no_memory_pages", C, LO, "pages they could not move: no free page to go to" },
	{ "contig_attempts", C, LO, "ranges alloc_contig_range() tried" },
	{ "contig_retries", C, LO, "busy ranges met, as trace_cma_alloc_busy_retry counts them" },
	{ "blocking_pages", C, LO, "pages that kept busy ranges from clearing, counted a range at "
	  "a time (PFNs busy)" },
	{ "blocking_pinned_pages", C, LO, "of those, pinned pages" },
	{ "blocking_owners", T, NO, "those pages by what they hold, reserved or isolated" },
	{ "top_blockers", T, NO, "the trace allocations in most busy ranges, with how many" },
	{ "pin_migrated_pages", C, LO, "pages long-term pins moved out of CMA or Movable first" },
	{ "pin_failed_pages", C, LO, "pages of long-term pins that failed: no page to move to" },
	{ "compact_runs", C, NO, "zones compacted" },
	{ "compact_deferred", C, NO, "compactions skipped while deferred after failures" },
	{ "compact_scanned_pages", C, LO, "pages compaction's two scanners looked at" },
	{ "compact_migrated_pages", C, LO, "pages compaction moved" },
	{ "alias_demand_lines", C, LO, "cache lines filled by demand for a frame mapped uncached" },
	{ "alias_speculative_lines", C, LO, "the same, filled by prefetch or speculation" },
	{ "alias_present_lines", C, LO, "lines already cached when the uncached mapping was made" },
	{ "stale_cpu_read_lines", C, LO, "CPU reads of a cached copy older than memory" },
	{ "stale_device_read_lines", C, LO, "device reads of memory older than a dirty cached copy" },
	{ "clobbered_lines", C, LO, "write-backs over data a device wrote" },
	{ "uncached_hit_lines", C, LO,
	  "uncached accesses that used a copy a cacheable alias left (mismatched attributes)" },
	{ "stray_freed_lines", C, LO,
	  "lines a freed uncached buffer left cached through its linear alias, for the next owner" },
	{ "corruption_first", T, NO,
	  "the first corruptions: time, pfn and line, what, the mapping and the policy step" },
	{ "cpu_accesses", C, NO, "cache-line accesses of cpu events" },
	{ "cpu_faults", C, LO, "of those, accesses to a buffer that found no mapping" },
	{ "cpu_uncached_accesses", C, NO, "of those, accesses that went around the cache" },
	{ "cache_read_misses", C, LO, "data-cache read misses" },
	{ "cache_write_misses", C, LO, "data-cache write misses" },
	{ "cache_writebacks", C, LO, "dirty lines written back on eviction" },
	{ "cache_speculative_fills", C, NO, "lines the speculative prefetcher filled" },
	{ "cache_aliases", C, LO, "second copies of a line (VIPT colours, VIVT synonyms)" },
	{ "cache_maintenance_lines", C, LO, "clean and invalidate operations by address" },
	{ "cache_flush_alls", C, LO, "whole-cache flushes by set/way" },
	{ "tlb_hits", C, NO, "TLB lookups that hit: one per page an access run enters" },
	{ "tlb_misses", C, LO, "TLB lookups that missed" },
	{ "tlb_shootdowns", C, LO, "TLB invalidations of changed mappings" },
	{ "sections_split", C, LO, "linear-map sections split into pages, boot included" },
	{ "pagetable_pages_peak", C, LO, "page-table pages those splits held at once" },
	{ "overhead_ns_buddy", NS, LO, "simulated time in page allocator operations" },
	{ "overhead_ns_zeroing", NS, LO, "time clearing buffers before a device gets them" },
	{ "overhead_ns_cache_maintenance", NS, LO, "time in cache maintenance around transfers" },
	{ "overhead_ns_migration", NS, LO, "time copying, remapping and reclaiming pages" },
	{ "overhead_ns_lru_drain", NS, LO, "time draining per-cpu lists before contiguous allocations" },
	{ "overhead_ns_cma_mutex_wait", NS, LO, "time requests waited for the CMA mutex" },
	{ "overhead_ns_compaction", NS, LO, "time compacting" },
	{ "overhead_ns_mapping", NS, LO, "time in section splits, TLB flushes and shootdowns, kmaps" },
	{ "overhead_ns_tlb_miss", NS, LO, "time in page-table walks of CPU accesses" },
	{ "overhead_ns_iommu", NS, LO, "time writing IOMMU page-table entries" },
	{ "overhead_ns_cpu_memory", NS, LO,
	  "time CPU accesses spent on line fills, write-backs and uncached accesses" },
	{ "overhead_ns_flush_refill", NS, LO, "time the system refilled caches whole flushes emptied" },
	{ "overhead_ns_refault", NS, LO, "time reading page cache dropped for buffers back from storage" },
	{ "overhead_ns_cleancache", NS, LO, "time copying evicted page cache into a GCMA area and back" },
	{ "page_bytes", B, NO, "the machine's page size" },
	{ "lowmem_bytes", B, HI, "memory in the kernel's linear map" },
	{ "managed_bytes", B, HI, "memory the page allocator manages after the policy's boot" },
	{ "free_bytes_min", B, HI, "the least free memory seen at any event" },
	{ "reserved_bytes", B, LO, "memory the policy took from the page allocator at boot" },
	{ "cma_area_bytes", B, NO, "memory in CMA pageblocks: lent to movable pages while no "
	  "device uses it" },
	{ "reserved_idle_page_ms", C, LO, "reserved pages holding nothing, integrated over time (page x ms)" },
	{ "reserved_idle_bytes_mean", B, LO,
	  "memory reserved and holding nothing, averaged over the run; no value for a run of no time" },
	{ "refaulted_pages", C, LO, "clean page cache dropped for buffers, to be read back" },
	{ "cleancache_put_pages", C, NO, "evicted page-cache pages a GCMA area kept (cleancache)" },
	{ "cleancache_get_pages", C, NO, "page-cache reads it served from those copies" },
	{ "zone_<zone>_free_pages", C, NO, "free pages of the zone at the end" },
	{ "zone_<zone>_buddyinfo", T, NO, "its free blocks by order, as /proc/buddyinfo" },
	{ "zone_<zone>_largest_free_order", C, HI, "its largest free block's order, -1 if none" },
	{ "zone_<zone>_mixed_pageblocks", C, LO, "its pageblocks holding pages of another type" },
	{ "zone_<zone>_cma_pages", C, NO, "its pages in CMA pageblocks" },
	{ "zone_<zone>_cma_free_pages", C, NO, "of those, free" },
	{ "zone_<zone>_cma_movable_pages", C, NO, "of those, lent to movable users" },
	{ "zone_<zone>_unusable_index_order<N>", IX, LO,
	  "share of free memory in blocks below order N, 0 to 1 (mm/vmstat.c)" },
	{ "zone_<zone>_extfrag_index_order<N>", IX, LO,
	  "Gorman's index at order N: towards 1 fragmentation, towards 0 lack of memory, "
	  "-1 a block exists" },
	{ "zone_<zone>_unusable_index_no_cma_order<N>", IX, LO,
	  "the unusable index with free CMA left out: what an unmovable request sees (zones "
	  "with CMA)" },
	{ "zone_<zone>_extfrag_index_no_cma_order<N>", IX, LO,
	  "the same of Gorman's index" },
	{ NULL },
};

/* `cmasim cache`'s figures; the same <dir> stands for read, write. */
static const struct cmasim_figure_def cache_defs[] = {
	{ "schema", T, NO, "the JSON layout: cmasim-cache/N" },
	{ "cmasim_version", T, NO, "the cmasim that ran it" },
	{ "trace_format", T, NO, "lackey, din or plain" },
	{ "trace_sha256", T, NO, "SHA-256 of the trace file's bytes" },
	{ "cache_size_bytes", B, NO, "cache size" },
	{ "cache_ways", C, NO, "associativity" },
	{ "cache_line_bytes", B, NO, "line size" },
	{ "cache_sets", C, NO, "sets" },
	{ "cache_indexing", T, NO, "pipt, vipt or vivt" },
	{ "cache_write_policy", T, NO, "wb or wt" },
	{ "cache_write_allocate", CMASIM_UNIT_BOOL, NO, "whether a write miss fills the line" },
	{ "cache_prefetcher", T, NO, "the prefetcher" },
	{ "cache_prefetch_degree", C, NO, "lines a prefetch fetches" },
	{ "cache_speculation_rate", R, NO, "speculative fills per access (speculative prefetcher)" },
	{ "cache_speculation_window_bytes", B, NO, "how far from an access speculation may fill" },
	{ "trace_loads", C, NO, "load records" },
	{ "trace_stores", C, NO, "store records" },
	{ "trace_modifies", C, NO, "modify records (a read, then a write)" },
	{ "trace_instruction_fetches", C, NO, "instruction fetches, skipped" },
	{ "trace_cleans", C, NO, "clean records" },
	{ "trace_invalidates", C, NO, "invalidate records" },
	{ "<dir>_accesses", C, NO, "accesses" },
	{ "<dir>_hits", C, HI, "hits" },
	{ "<dir>_misses", C, LO, "misses" },
	{ "<dir>_writebacks", C, LO, "write-backs they caused" },
	{ "<dir>_miss_rate", R, LO, "misses / accesses; no value without accesses" },
	{ "miss_rate", R, LO, "all misses / all accesses; no value without accesses" },
	{ "prefetch_fills", C, NO, "lines the prefetcher filled" },
	{ "speculative_fills", C, NO, "lines speculation filled" },
	{ "prefetch_writebacks", C, LO, "write-backs prefetch fills caused" },
	{ "maintenance_line_ops", C, NO, "line operations of cleans and invalidates" },
	{ "maintenance_writebacks", C, NO, "dirty lines they wrote back" },
	{ "dirty_invalidates", C, LO, "dirty lines invalidated unwritten" },
	{ "aliases", C, LO, "second copies of a line" },
	{ NULL },
};

#undef C
#undef NS
#undef B
#undef R
#undef IX
#undef T
#undef LO
#undef HI
#undef NO

/*
 * Whether @name matches @pat: <zone> a zone type, <N> digits, <dir>
 * read, write or total, <reason> why a request failed, <device> any
 * non-empty run (devices are named by the machine), the rest literally.
 */
static bool match(const char *pat, const char *name)
{
	static const char *const dirs[] = { "read", "write", "total" };
	size_t len;

	while (*pat) {
		if (!strncmp(pat, "<reason>", 8)) {
			for (unsigned int s = CMASIM_DMA_OK + 1; s < CMASIM_NR_DMA_STATUS; s++) {
				const char *reason = cmasim_dma_status_name(s);

				if (g_str_has_prefix(name, reason) && match(pat + 8, name + strlen(reason)))
					return true;
			}
			return false;
		}
		if (!strncmp(pat, "<zone>", 6)) {
			/* zone names are no prefix of one another but for DMA and DMA32 */
			for (unsigned int z = 0; z < CMASIM_NR_ZONE_TYPES; z++) {
				const char *zone = cmasim_zone_type_name(z);

				len = strlen(zone);
				if (!strncmp(name, zone, len) && match(pat + 6, name + len))
					return true;
			}
			return false;
		}
		if (!strncmp(pat, "<N>", 3)) {
			for (len = 0; g_ascii_isdigit(name[len]); len++)
				;
			if (!len)
				return false;
			pat += 3;
			name += len;
			continue;
		}
		if (!strncmp(pat, "<dir>", 5)) {
			for (unsigned int d = 0; d < G_N_ELEMENTS(dirs); d++)
				if (g_str_has_prefix(name, dirs[d]) &&
				    match(pat + 5, name + strlen(dirs[d])))
					return true;
			return false;
		}
		if (!strncmp(pat, "<device>", 8)) {
			for (len = strlen(name); len > 0; len--)
				if (match(pat + 8, name + len))
					return true;
			return false;
		}
		if (*pat++ != *name++)
			return false;
	}
	return !*name;
}

/* The entry of @defs that matches @name, or NULL. */
static const struct cmasim_figure_def *find_def(const struct cmasim_figure_def *defs,
						const char *name)
{
	for (const struct cmasim_figure_def *d = defs; d->pattern; d++)
		if (match(d->pattern, name))
			return d;
	return NULL;
}

const char *cmasim_unit_name(enum cmasim_unit unit)
{
	static const char *const names[] = {
		[CMASIM_UNIT_COUNT] = "count", [CMASIM_UNIT_NS] = "ns", [CMASIM_UNIT_BYTES] = "bytes",
		[CMASIM_UNIT_RATIO] = "ratio", [CMASIM_UNIT_INDEX] = "index",
		[CMASIM_UNIT_TEXT] = "text", [CMASIM_UNIT_BOOL] = "bool",
	};

	g_return_val_if_fail((unsigned int)unit < G_N_ELEMENTS(names), "?");
	return names[unit];
}

const char *cmasim_better_name(enum cmasim_better better)
{
	static const char *const names[] = {
		[CMASIM_BETTER_NEITHER] = "-", [CMASIM_BETTER_LOWER] = "lower",
		[CMASIM_BETTER_HIGHER] = "higher",
	};

	g_return_val_if_fail((unsigned int)better < G_N_ELEMENTS(names), "?");
	return names[better];
}

const struct cmasim_figure_def *cmasim_figure_def_find(const char *name)
{
	g_return_val_if_fail(name, NULL);
	return find_def(cmasim_run_figure_defs, name);
}

/* Frees what figure @p owns; the clear function of figure lists. */
static void figure_clear(void *p)
{
	struct cmasim_figure *f = p;

	g_free(f->key);
	g_free(f->value);
}

/* A figure list of @defs' figures that frees them with itself. */
struct list {
	GArray *figs;
	const struct cmasim_figure_def *defs;
};

static struct list list_new(const struct cmasim_figure_def *defs)
{
	struct list l = { g_array_new(FALSE, FALSE, sizeof(struct cmasim_figure)), defs };

	g_array_set_clear_func(l.figs, figure_clear);
	return l;
}

/* Appends figure @key with @value (taken; NULL for none). */
static void add_taken(struct list *l, const char *key, char *value)
{
	struct cmasim_figure f = { g_strdup(key), value, find_def(l->defs, key), false };

	/* a figure missing from the catalog is a bug: the tests run every figure through it */
	g_warn_if_fail(f.def);
	g_array_append_val(l->figs, f);
}

/* Appends figure @key with the value printed from @fmt. */
G_GNUC_PRINTF(3, 4)
static void add(struct list *l, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_taken(l, key, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

/* A key built from @fmt in @buf, for figures named after a zone, device or order. */
G_GNUC_PRINTF(2, 3)
static const char *fmt_key(char buf[static 96], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_vsnprintf(buf, 96, fmt, ap);
	va_end(ap);
	return buf;
}

static void add_u64(struct list *l, const char *key, uint64_t v)
{
	add(l, key, "%" PRIu64, v);
}

/* Appends a figure with the value @s (NULL: none). */
static void add_text(struct list *l, const char *key, const char *s)
{
	add_taken(l, key, g_strdup(s));
}

const char *cmasim_index_text(int x1000, char buf[static 16])
{
	snprintf(buf, 16, "%s%d.%03d", x1000 < 0 ? "-" : "", abs(x1000) / 1000, abs(x1000) % 1000);
	return buf;
}

static void add_index(struct list *l, const char *key, int x1000)
{
	char buf[16];

	add_text(l, key, cmasim_index_text(x1000, buf));
}

/* Appends @num / @den to four decimals; no value when @den is 0, for there is no rate. */
static void add_ratio(struct list *l, const char *key, uint64_t num, uint64_t den)
{
	/* rounded half up, in integers so that no locale or float creeps in */
	uint64_t x = den ? (num * 20000 / den + 1) / 2 : 0;

	if (!den)
		add_taken(l, key, NULL);
	else
		add(l, key, "%" PRIu64 ".%04" PRIu64, x / 10000, x % 10000);
}

/* The percentiles, maximum and mean of @h as @prefix_p50 ...; no values when it is empty. */
static void add_latency(struct list *l, const char *prefix, const struct cmasim_hist *h)
{
	static const unsigned int permille[] = { 500, 900, 990 };
	char k[96];

	for (unsigned int i = 0; i < G_N_ELEMENTS(permille); i++) {
		fmt_key(k, "%s_p%u", prefix, permille[i] / 10);
		if (h->count)
			add_u64(l, k, cmasim_hist_percentile(h, permille[i]));
		else
			add_taken(l, k, NULL);
	}
	if (h->count) {
		add_u64(l, fmt_key(k, "%s_max", prefix), h->max);
		add_u64(l, fmt_key(k, "%s_mean", prefix), h->sum / h->count);
	} else {
		add_taken(l, fmt_key(k, "%s_max", prefix), NULL);
		add_taken(l, fmt_key(k, "%s_mean", prefix), NULL);
	}
}

/* Appends device @name's figures from @ds. */
static void add_device(struct list *l, const char *name, const struct cmasim_device_stats *ds)
{
	static const unsigned int permille[] = { 500, 990 };
	char k[96];

	add_u64(l, fmt_key(k, "dma_device_%s_requests", name), ds->requests);
	add_u64(l, fmt_key(k, "dma_device_%s_ok", name), ds->ok);
	for (unsigned int s = CMASIM_DMA_OK + 1; s < CMASIM_NR_DMA_STATUS; s++)
		add_u64(l, fmt_key(k, "dma_device_%s_failed_%s", name, cmasim_dma_status_name(s)),
			ds->failed[s]);
	add_u64(l, fmt_key(k, "dma_device_%s_busy_retries", name), ds->busy_retries);
	add_u64(l, fmt_key(k, "dma_device_%s_blocked_own_pages", name), ds->blocked_own_pages);
	add_u64(l, fmt_key(k, "dma_device_%s_blocked_other_pages", name), ds->blocked_other_pages);
	for (unsigned int i = 0; i < G_N_ELEMENTS(permille); i++) {
		fmt_key(k, "dma_device_%s_latency_ns_p%u", name, permille[i] / 10);
		if (ds->latency.count)
			add_u64(l, k, cmasim_hist_percentile(&ds->latency, permille[i]));
		else
			add_taken(l, k, NULL);
	}
	fmt_key(k, "dma_device_%s_latency_ns_max", name);
	if (ds->latency.count)
		add_u64(l, k, ds->latency.max);
	else
		add_taken(l, k, NULL);
}

/* Appends each zone's end-of-run figures, the indices at each requested order. */
static void add_zone_figures(struct list *l, const struct cmasim_results *r,
			     const struct cmasim_config *cfg)
{
	uint32_t orders = r->requested_orders ? r->requested_orders
					      : UINT32_C(1) << cfg->pageblock_order;

	for (unsigned int z = 0; z < r->nr_zones; z++) {
		const struct cmasim_zone_stats *zs = &r->zones[z];
		const char *name = cmasim_zone_type_name(zs->type);
		g_autoptr(GString) buddyinfo = g_string_new(NULL);
		char k[96];

		add_u64(l, fmt_key(k, "zone_%s_free_pages", name), zs->free_pages);
		for (unsigned int o = 0; o <= r->max_order; o++)
			g_string_append_printf(buddyinfo, "%s%" PRIu64, o ? " " : "",
					       zs->free_blocks[o]);
		add_text(l, fmt_key(k, "zone_%s_buddyinfo", name), buddyinfo->str);
		add(l, fmt_key(k, "zone_%s_largest_free_order", name), "%d", zs->largest_free_order);
		add_u64(l, fmt_key(k, "zone_%s_mixed_pageblocks", name), zs->mixed_pageblocks);
		add_u64(l, fmt_key(k, "zone_%s_cma_pages", name), zs->cma_pages);
		add_u64(l, fmt_key(k, "zone_%s_cma_free_pages", name), zs->cma_free_pages);
		add_u64(l, fmt_key(k, "zone_%s_cma_movable_pages", name), zs->cma_movable_pages);
		for (unsigned int o = 0; o <= r->max_order; o++) {
			if (!(orders & (UINT32_C(1) << o)))
				continue;
			add_index(l, fmt_key(k, "zone_%s_unusable_index_order%u", name, o),
				  zs->unusable_index[o]);
			add_index(l, fmt_key(k, "zone_%s_extfrag_index_order%u", name, o),
				  zs->extfrag_index[o]);
			if (!zs->cma_pages)
				continue;
			add_index(l, fmt_key(k, "zone_%s_unusable_index_no_cma_order%u", name, o),
				  zs->unusable_index_no_cma[o]);
			add_index(l, fmt_key(k, "zone_%s_extfrag_index_no_cma_order%u", name, o),
				  zs->extfrag_index_no_cma[o]);
		}
	}
}

/* Appends a label figure: one that names the run and heads a column in compare. */
static void add_label(struct list *l, const char *key, const char *value)
{
	add_text(l, key, value);
	g_array_index(l->figs, struct cmasim_figure, l->figs->len - 1).label = true;
}

/* The pages in CMA pageblocks, over every zone. */
static uint64_t cma_pages(const struct cmasim_results *r)
{
	uint64_t pages = 0;

	for (unsigned int z = 0; z < r->nr_zones; z++)
		pages += r->zones[z].cma_pages;
	return pages;
}

GArray *cmasim_figures(const struct cmasim_results *r, const struct cmasim_config *cfg)
{
	struct list l = list_new(cmasim_run_figure_defs);
	uint64_t failed = r->dma_requests - r->dma_ok;
	char k[96];

	add_label(&l, "schema", CMASIM_JSON_SCHEMA);
	add_label(&l, "policy", r->policy);
	add_text(&l, "cmasim_version", cmasim_version());
	add_text(&l, "settings", r->settings ? r->settings : "");
	add_text(&l, "kernel", r->kernel);
	add_text(&l, "machine", r->machine);
	add_text(&l, "machine_sha256", r->machine_sha256);
	add_text(&l, "workload", r->workload);
	add_text(&l, "workload_sha256", r->workload_sha256);
	add_u64(&l, "seed", r->seed);
	add_u64(&l, "end_ns", r->end_ns);
	add_u64(&l, "events", r->events);

	add_u64(&l, "dma_requests", r->dma_requests);
	add_u64(&l, "dma_ok", r->dma_ok);
	add_u64(&l, "dma_failed", failed);
	add_ratio(&l, "dma_success_rate", r->dma_ok, r->dma_requests);
	add_ratio(&l, "dma_failed_rate", failed, r->dma_requests);
	for (unsigned int s = CMASIM_DMA_OK + 1; s < CMASIM_NR_DMA_STATUS; s++)
		add_u64(&l, fmt_key(k, "dma_failed_%s", cmasim_dma_status_name(s)),
			r->dma_failed[s]);
	add_u64(&l, "dma_fallback_ok", r->dma_fallback_ok);
	/* the devices the workload used: the same for every policy on one trace */
	for (unsigned int d = 0; d < r->nr_devices; d++)
		if (r->devices[d].requests)
			add_device(&l, cfg->devices[d].name, &r->devices[d]);
	for (unsigned int c = 0; c < CMASIM_NR_SIZE_CLASSES; c++) {
		if (!r->size_class[c].requests)
			continue;
		add_u64(&l, fmt_key(k, "dma_order%u_requests", c), r->size_class[c].requests);
		add_u64(&l, fmt_key(k, "dma_order%u_ok", c), r->size_class[c].ok);
	}
	add_latency(&l, "dma_latency_ns", &r->latency);
	add_latency(&l, "dma_fail_latency_ns", &r->fail_latency);
	add_u64(&l, "dma_bytes_peak", r->dma_bytes_peak);
	add_u64(&l, "dma_waste_bytes_peak", r->dma_waste_bytes_peak);

	add_u64(&l, "bg_alloc_pages", r->bg_alloc_pages);
	add_u64(&l, "bg_alloc_failed_pages", r->bg_alloc_failed_pages);
	for (unsigned int o = 0; o <= CMASIM_ORDER_LIMIT; o++) {
		if (!r->bg_order[o].requests)
			continue;
		add_u64(&l, fmt_key(k, "bg_order%u_requests", o), r->bg_order[o].requests);
		add_u64(&l, fmt_key(k, "bg_order%u_ok", o), r->bg_order[o].ok);
	}
	add_u64(&l, "bg_free_pages", r->bg_free_pages);
	add_u64(&l, "pfn_mismatched_pages", r->pfn_mismatched_pages);
	add_u64(&l, "direct_reclaimed_pages", r->direct_reclaimed_pages);
	add_u64(&l, "kswapd_runs", r->kswapd_runs);
	add_u64(&l, "kswapd_reclaimed_pages", r->kswapd_reclaimed_pages);
	add_u64(&l, "migrated_pages", r->migrated_pages);
	add_u64(&l, "reclaimed_pages", r->reclaimed_pages);
	add_u64(&l, "migrate_failed_pinned_pages", r->migrate_busy_pinned_pages);
	add_u64(&l, "migrate_failed_unmovable_pages", r->migrate_busy_unmovable_pages);
	add_u64(&l, "migrate_failed_no_memory_pages", r->migrate_no_memory_pages);
	add_u64(&l, "contig_attempts", r->contig_attempts);
	add_u64(&l, "contig_retries", r->contig_retries);
	add_u64(&l, "blocking_pages", r->blocking_pages);
	add_u64(&l, "blocking_pinned_pages", r->blocking_pinned_pages);
	add_text(&l, "blocking_owners", r->blocking_owners ? r->blocking_owners : "");
	add_text(&l, "top_blockers", r->top_blockers ? r->top_blockers : "");
	add_u64(&l, "pin_migrated_pages", r->pin_migrated_pages);
	add_u64(&l, "pin_failed_pages", r->pin_failed_pages);
	add_u64(&l, "compact_runs", r->compact_runs);
	add_u64(&l, "compact_deferred", r->compact_deferred);
	add_u64(&l, "compact_scanned_pages", r->compact_scanned_pages);
	add_u64(&l, "compact_migrated_pages", r->compact_migrated_pages);
	add_u64(&l, "alias_demand_lines", r->alias_demand);
	add_u64(&l, "alias_speculative_lines", r->alias_speculative);
	add_u64(&l, "alias_present_lines", r->alias_present);
	add_u64(&l, "stale_cpu_read_lines", r->stale_cpu_reads);
	add_u64(&l, "stale_device_read_lines", r->stale_device_reads);
	add_u64(&l, "clobbered_lines", r->clobbered_lines);
	add_u64(&l, "uncached_hit_lines", r->uncached_hits);
	add_u64(&l, "stray_freed_lines", r->stray_freed_lines);
	add_text(&l, "corruption_first", r->corruption_first ? r->corruption_first : "");
	add_u64(&l, "cpu_accesses", r->cpu_accesses);
	add_u64(&l, "cpu_faults", r->cpu_faults);
	add_u64(&l, "cpu_uncached_accesses", r->cpu_uncached_accesses);
	add_u64(&l, "cache_read_misses", r->cache_read_misses);
	add_u64(&l, "cache_write_misses", r->cache_write_misses);
	add_u64(&l, "cache_writebacks", r->cache_writebacks);
	add_u64(&l, "cache_speculative_fills", r->cache_speculative_fills);
	add_u64(&l, "cache_aliases", r->cache_aliases);
	add_u64(&l, "cache_maintenance_lines", r->cache_maintenance_lines);
	add_u64(&l, "cache_flush_alls", r->cache_flush_alls);
	add_u64(&l, "tlb_hits", r->tlb_hits);
	add_u64(&l, "tlb_misses", r->tlb_misses);
	add_u64(&l, "tlb_shootdowns", r->tlb_shootdowns);
	add_u64(&l, "sections_split", r->sections_split);
	add_u64(&l, "pagetable_pages_peak", r->pagetable_pages_peak);
	for (unsigned int c = 0; c < CMASIM_NR_COSTS; c++)
		add_u64(&l, fmt_key(k, "overhead_ns_%s", cmasim_cost_name(c)), r->cost_ns[c]);
	add_u64(&l, "page_bytes", cfg->page_size);
	add_u64(&l, "lowmem_bytes", r->lowmem_bytes);
	add_u64(&l, "managed_bytes", r->managed_bytes);
	add_u64(&l, "free_bytes_min", r->free_bytes_min);
	add_u64(&l, "reserved_bytes", r->reserved_bytes);
	add_u64(&l, "cma_area_bytes", cma_pages(r) * cfg->page_size);
	add_u64(&l, "reserved_idle_page_ms", r->reserved_idle_page_ms);
	/* page x ms x bytes a page / ms of the run, without overflow */
	if (r->end_ns)
		add_u64(&l, "reserved_idle_bytes_mean",
			(uint64_t)((unsigned __int128)r->reserved_idle_page_ms * cfg->page_size *
				   1000000 / r->end_ns));
	else
		add_taken(&l, "reserved_idle_bytes_mean", NULL);
	add_u64(&l, "refaulted_pages", r->refaulted_pages);
	add_u64(&l, "cleancache_put_pages", r->cleancache_puts);
	add_u64(&l, "cleancache_get_pages", r->cleancache_gets);
	add_zone_figures(&l, r, cfg);
	return l.figs;
}

/* Appends the counts of one direction's accesses as figures @dir_accesses ... */
static void add_counts(struct list *l, const char *dir, const struct cmasim_cache_counts *n)
{
	char k[96];

	add_u64(l, fmt_key(k, "%s_accesses", dir), n->accesses);
	add_u64(l, fmt_key(k, "%s_hits", dir), n->hits);
	add_u64(l, fmt_key(k, "%s_misses", dir), n->misses);
	add_u64(l, fmt_key(k, "%s_writebacks", dir), n->writebacks);
	if (strcmp(dir, "total"))
		add_ratio(l, fmt_key(k, "%s_miss_rate", dir), n->misses, n->accesses);
}

GArray *cmasim_cache_figures(const struct cmasim_cache_report *c)
{
	const struct cmasim_cache_config *cc = c->cache;
	const struct cmasim_cache_stats *s = &c->stats;
	struct cmasim_cache_counts all = {
		.accesses = s->read.accesses + s->write.accesses,
		.hits = s->read.hits + s->write.hits,
		.misses = s->read.misses + s->write.misses,
		.writebacks = s->read.writebacks + s->write.writebacks,
	};
	struct list l = list_new(cache_defs);

	add_text(&l, "schema", CMASIM_CACHE_JSON_SCHEMA);
	add_text(&l, "cmasim_version", cmasim_version());
	add_text(&l, "trace_format", c->trace_format);
	add_text(&l, "trace_sha256", c->trace_sha256);
	add_u64(&l, "cache_size_bytes", cc->size);
	add_u64(&l, "cache_ways", cc->ways);
	add_u64(&l, "cache_line_bytes", cc->line_size);
	add_u64(&l, "cache_sets", cc->size / cc->ways / cc->line_size);
	add_text(&l, "cache_indexing", cmasim_cache_indexing_name(cc->indexing));
	add_text(&l, "cache_write_policy", cc->write_back ? "wb" : "wt");
	add_text(&l, "cache_write_allocate", cc->write_allocate ? "true" : "false");
	add_text(&l, "cache_prefetcher", cmasim_prefetcher_name(cc->prefetcher));
	add_u64(&l, "cache_prefetch_degree", cc->prefetch_degree);
	add(&l, "cache_speculation_rate", "%u.%06u", cc->spec_rate_ppm / 1000000,
	    cc->spec_rate_ppm % 1000000);
	add_u64(&l, "cache_speculation_window_bytes", cc->spec_window);
	add_u64(&l, "trace_loads", c->loads);
	add_u64(&l, "trace_stores", c->stores);
	add_u64(&l, "trace_modifies", c->modifies);
	add_u64(&l, "trace_instruction_fetches", c->ifetches);
	add_u64(&l, "trace_cleans", c->cleans);
	add_u64(&l, "trace_invalidates", c->invalidates);
	add_counts(&l, "read", &s->read);
	add_counts(&l, "write", &s->write);
	add_counts(&l, "total", &all);
	add_ratio(&l, "miss_rate", all.misses, all.accesses);
	add_u64(&l, "prefetch_fills", s->prefetch_fills);
	add_u64(&l, "speculative_fills", s->speculative_fills);
	add_u64(&l, "prefetch_writebacks", s->prefetch_writebacks);
	add_u64(&l, "maintenance_line_ops", c->line_ops);
	add_u64(&l, "maintenance_writebacks", s->maintenance_writebacks);
	add_u64(&l, "dirty_invalidates", s->dirty_invalidates);
	add_u64(&l, "aliases", s->aliases);
	return l.figs;
}

const struct cmasim_figure *cmasim_figures_find(const GArray *figs, const char *key)
{
	for (guint i = 0; i < figs->len; i++) {
		const struct cmasim_figure *f = &g_array_index(figs, struct cmasim_figure, i);

		if (!strcmp(f->key, key))
			return f;
	}
	return NULL;
}

/* @v, a positive amount, to three significant digits, or whole when it is whole. */
static char *sig3(double v, const char *unit)
{
	if (v == floor(v) && v < 1e5)
		return g_strdup_printf("%.0f %s", v, unit);
	return g_strdup_printf(v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, unit);
}

char *cmasim_human(double v, enum cmasim_unit unit)
{
	static const char *const times[] = { "ns", "µs", "ms", "s" };
	static const char *const sizes[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	const char *const *units = unit == CMASIM_UNIT_NS ? times : sizes;
	unsigned int nr = unit == CMASIM_UNIT_NS ? G_N_ELEMENTS(times) : G_N_ELEMENTS(sizes);
	double step = unit == CMASIM_UNIT_NS ? 1000 : 1024;
	unsigned int u = 0;

	if (unit != CMASIM_UNIT_NS && unit != CMASIM_UNIT_BYTES)
		return g_strdup_printf("%.17g", v);
	if (v < 0)
		return g_strdup_printf("-%s", cmasim_human(-v, unit));
	/* nothing needs no unit */
	if (v == 0)
		return g_strdup("0");
	/* the unit that leaves three digits before the point at most, after rounding */
	while (u + 1 < nr && v >= step * 0.9995)
		v /= step, u++;
	return sig3(v, units[u]);
}

char *cmasim_figure_human(const struct cmasim_figure *f)
{
	if (!f->value)
		return g_strdup("n/a");
	if (!*f->value)
		return g_strdup("none");
	if (f->def && (f->def->unit == CMASIM_UNIT_NS || f->def->unit == CMASIM_UNIT_BYTES))
		return cmasim_human(g_ascii_strtod(f->value, NULL), f->def->unit);
	return g_strdup(f->value);
}

bool cmasim_figure_parse(const struct cmasim_figure_def *def, const char *text, double *v)
{
	uint64_t n;
	char *end;

	if (def->unit == CMASIM_UNIT_NS &&
	    cmasim_parse_time(text, strlen(text), &n) == CMASIM_PARSE_OK) {
		*v = (double)n;
		return true;
	}
	if (def->unit == CMASIM_UNIT_BYTES && cmasim_parse_size(text, strlen(text), &n)) {
		*v = (double)n;
		return true;
	}
	*v = g_ascii_strtod(text, &end);
	return *text && !*end && isfinite(*v) && !g_ascii_isspace(*text);
}

const char *cmasim_figure_expects(const struct cmasim_figure_def *def)
{
	return def->unit == CMASIM_UNIT_NS ? "time such as 2ms, or a number of ns"
	       : def->unit == CMASIM_UNIT_BYTES ? "size such as 64MiB, or a number of bytes"
						 : "number";
}

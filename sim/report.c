// SPDX-License-Identifier: GPL-2.0-only
/*
 * Text reports. The /proc dumps print what mm/vmstat.c prints, format
 * string for format string, for node 0 and its populated zones.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/buddy.h"
#include "cmasim/report.h"

/* The largest order @mem's free lists hold. */
static unsigned int max_order(const struct cmasim_mem *mem)
{
	return cmasim_mem_config(mem)->max_page_order;
}

/* Whether zone @zone has any present pages (the kernel skips those that do not). */
static bool zone_populated(const struct cmasim_mem *mem, unsigned int zone)
{
	struct cmasim_zone_info info;

	cmasim_mem_zone_info(mem, zone, &info);
	return info.present > 0;
}

/* The kernel's name of zone @zone, e.g. "Normal". */
static const char *zone_name(const struct cmasim_mem *mem, unsigned int zone)
{
	struct cmasim_zone_info info;

	cmasim_mem_zone_info(mem, zone, &info);
	return cmasim_zone_type_name(info.type);
}

/* frag_show_print() */
void cmasim_dump_buddyinfo(const struct cmasim_mem *mem, GString *out)
{
	for (unsigned int z = 0; z < cmasim_mem_nr_zones(mem); z++) {
		if (!zone_populated(mem, z))
			continue;
		g_string_append_printf(out, "Node %d, zone %8s ", 0, zone_name(mem, z));
		for (unsigned int o = 0; o <= max_order(mem); o++) {
			uint64_t blocks = 0;

			for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
				blocks += cmasim_zone_nr_free_blocks(mem, z, o, t);
			g_string_append_printf(out, "%6" PRIu64 " ", blocks);
		}
		g_string_append_c(out, '\n');
	}
}

/* The header row of the block-count tables. */
static void type_header(GString *out, const char *title)
{
	g_string_append_printf(out, "\n%-23s", title);
	for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
		g_string_append_printf(out, "%12s ", cmasim_migratetype_name(t));
	g_string_append_c(out, '\n');
}

/* One row per populated zone of @count(mem, zone, type). */
static void type_rows(const struct cmasim_mem *mem, GString *out,
		      uint64_t (*count)(const struct cmasim_mem *, unsigned int,
					enum cmasim_migratetype))
{
	for (unsigned int z = 0; z < cmasim_mem_nr_zones(mem); z++) {
		if (!zone_populated(mem, z))
			continue;
		g_string_append_printf(out, "Node %d, zone %8s ", 0, zone_name(mem, z));
		for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
			g_string_append_printf(out, "%12" PRIu64 " ", count(mem, z, t));
		g_string_append_c(out, '\n');
	}
}

/* pagetypeinfo_show() and the three tables it prints. */
void cmasim_dump_pagetypeinfo(const struct cmasim_mem *mem, bool page_owner, GString *out)
{
	const struct cmasim_config *cfg = cmasim_mem_config(mem);

	g_string_append_printf(out, "Page block order: %u\n", cfg->pageblock_order);
	g_string_append_printf(out, "Pages per block:  %lu\n\n", 1UL << cfg->pageblock_order);

	g_string_append_printf(out, "%-43s ", "Free pages count per migrate type at order");
	for (unsigned int o = 0; o <= max_order(mem); o++)
		g_string_append_printf(out, "%6u ", o);
	g_string_append_c(out, '\n');
	for (unsigned int z = 0; z < cmasim_mem_nr_zones(mem); z++) {
		if (!zone_populated(mem, z))
			continue;
		for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++) {
			g_string_append_printf(out, "Node %4d, zone %8s, type %12s ", 0,
					       zone_name(mem, z), cmasim_migratetype_name(t));
			/* The kernel stops counting a list at 100000 and prints ">". */
			for (unsigned int o = 0; o <= max_order(mem); o++) {
				uint64_t n = cmasim_zone_nr_free_blocks(mem, z, o, t);

				g_string_append_printf(out, "%s%6" PRIu64 " ", n >= 100000 ? ">" : "",
						       MIN(n, 100000));
			}
			g_string_append_c(out, '\n');
		}
	}

	type_header(out, "Number of blocks type ");
	type_rows(mem, out, cmasim_zone_nr_pageblocks);
	if (page_owner) {
		type_header(out, "Number of mixed blocks ");
		type_rows(mem, out, cmasim_zone_nr_mixed_pageblocks);
	}
}

/* One figure: its name and its value as text, quoted in JSON when a string. */
struct figure {
	char *key;
	char *value;
	bool string;
	bool label;	/* schema or policy: names the run; a heading, not a row, in compare */
};

/* Frees what figure @p owns; the clear function of figure lists. */
static void figure_clear(void *p)
{
	struct figure *f = p;

	g_free(f->key);
	g_free(f->value);
}

/* A figure list that frees its figures with itself (g_array_unref). */
static GArray *figures_new(void)
{
	GArray *figs = g_array_new(FALSE, FALSE, sizeof(struct figure));

	g_array_set_clear_func(figs, figure_clear);
	return figs;
}

/* Appends figure @key with the value printed from @fmt; @string quotes it in JSON. */
G_GNUC_PRINTF(4, 5)
static void add(GArray *figs, const char *key, bool string, const char *fmt, ...)
{
	struct figure f = { g_strdup(key), NULL, string, false };
	va_list ap;

	va_start(ap, fmt);
	f.value = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_array_append_val(figs, f);
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

/* Appends figure @key with the count @v. */
static void add_u64(GArray *figs, const char *key, uint64_t v)
{
	add(figs, key, false, "%" PRIu64, v);
}

/* An index kept x1000, printed as the kernel prints it: "0.123", "-1.000". */
static void add_index(GArray *figs, const char *key, int x1000)
{
	add(figs, key, false, "%s%d.%03d", x1000 < 0 ? "-" : "", abs(x1000) / 1000,
	    abs(x1000) % 1000);
}

/* Appends figure @key with @num / @den to four decimals, 0 when @den is 0. */
static void add_ratio(GArray *figs, const char *key, uint64_t num, uint64_t den)
{
	/* four decimals, rounded half up, in integers so no locale or float creeps in */
	uint64_t x = den ? (num * 20000 / den + 1) / 2 : 0;

	add(figs, key, false, "%" PRIu64 ".%04" PRIu64, x / 10000, x % 10000);
}

/* Appends each zone's end-of-run figures, the indices at each requested order. */
static void add_zone_figures(GArray *figs, const struct cmasim_results *r,
			     const struct cmasim_config *cfg)
{
	uint32_t orders = r->requested_orders ? r->requested_orders
					      : UINT32_C(1) << cfg->pageblock_order;

	for (unsigned int z = 0; z < r->nr_zones; z++) {
		const struct cmasim_zone_stats *zs = &r->zones[z];
		const char *name = cmasim_zone_type_name(zs->type);
		g_autoptr(GString) buddyinfo = g_string_new(NULL);
		char k[96];

		add_u64(figs, fmt_key(k, "zone_%s_free_pages", name), zs->free_pages);
		for (unsigned int o = 0; o <= r->max_order; o++)
			g_string_append_printf(buddyinfo, "%s%" PRIu64, o ? " " : "",
					       zs->free_blocks[o]);
		add(figs, fmt_key(k, "zone_%s_buddyinfo", name), true, "%s", buddyinfo->str);
		add(figs, fmt_key(k, "zone_%s_largest_free_order", name), false, "%d",
		    zs->largest_free_order);
		add_u64(figs, fmt_key(k, "zone_%s_mixed_pageblocks", name), zs->mixed_pageblocks);
		add_u64(figs, fmt_key(k, "zone_%s_cma_pages", name), zs->cma_pages);
		add_u64(figs, fmt_key(k, "zone_%s_cma_free_pages", name), zs->cma_free_pages);
		add_u64(figs, fmt_key(k, "zone_%s_cma_movable_pages", name), zs->cma_movable_pages);
		for (unsigned int o = 0; o <= r->max_order; o++) {
			if (!(orders & (UINT32_C(1) << o)))
				continue;
			add_index(figs, fmt_key(k, "zone_%s_unusable_index_order%u", name, o),
				  zs->unusable_index[o]);
			add_index(figs, fmt_key(k, "zone_%s_extfrag_index_order%u", name, o),
				  zs->extfrag_index[o]);
		}
	}
}

/* Appends the label figures that name @r's run: its JSON schema and its policy. */
static void add_labels(GArray *figs, const struct cmasim_results *r)
{
	struct figure labels[] = {
		{ g_strdup("schema"), g_strdup(CMASIM_JSON_SCHEMA), true, true },
		{ g_strdup("policy"), g_strdup(r->policy), true, true },
	};

	g_array_append_vals(figs, labels, G_N_ELEMENTS(labels));
}

/* Every figure of @r in report order, labels first: the one list run and compare share. */
static GArray *figures(const struct cmasim_results *r, const struct cmasim_config *cfg)
{
	GArray *figs = figures_new();
	uint64_t failed = r->dma_requests - r->dma_ok;
	char k[96];

	add_labels(figs, r);
	add(figs, "machine", true, "%s", r->machine);
	add(figs, "workload", true, "%s", r->workload);
	add_u64(figs, "seed", r->seed);
	add_u64(figs, "end_ns", r->end_ns);
	add_u64(figs, "events", r->events);

	add_u64(figs, "dma_requests", r->dma_requests);
	add_u64(figs, "dma_ok", r->dma_ok);
	add_u64(figs, "dma_failed", failed);
	add_ratio(figs, "dma_success_rate", r->dma_ok, r->dma_requests);
	for (unsigned int s = CMASIM_DMA_OK + 1; s < CMASIM_NR_DMA_STATUS; s++)
		add_u64(figs, fmt_key(k, "dma_failed_%s", cmasim_dma_status_name(s)),
			r->dma_failed[s]);
	add_u64(figs, "dma_fallback_ok", r->dma_fallback_ok);
	/* the devices the workload used: the same for every policy on one trace */
	for (unsigned int d = 0; d < r->nr_devices; d++) {
		if (!r->devices[d].requests)
			continue;
		add_u64(figs, fmt_key(k, "dma_device_%s_requests", cfg->devices[d].name),
			r->devices[d].requests);
		add_u64(figs, fmt_key(k, "dma_device_%s_ok", cfg->devices[d].name), r->devices[d].ok);
	}
	for (unsigned int c = 0; c < CMASIM_NR_SIZE_CLASSES; c++) {
		if (!r->size_class[c].requests)
			continue;
		add_u64(figs, fmt_key(k, "dma_order%u_requests", c), r->size_class[c].requests);
		add_u64(figs, fmt_key(k, "dma_order%u_ok", c), r->size_class[c].ok);
	}
	add_u64(figs, "dma_latency_ns_p50", cmasim_hist_percentile(&r->latency, 500));
	add_u64(figs, "dma_latency_ns_p90", cmasim_hist_percentile(&r->latency, 900));
	add_u64(figs, "dma_latency_ns_p99", cmasim_hist_percentile(&r->latency, 990));
	add_u64(figs, "dma_latency_ns_max", r->latency.max);
	add_u64(figs, "dma_latency_ns_mean", r->latency.count ? r->latency.sum / r->latency.count
							       : 0);
	add_u64(figs, "dma_bytes_peak", r->dma_bytes_peak);
	add_u64(figs, "dma_waste_bytes_peak", r->dma_waste_bytes_peak);

	add_u64(figs, "bg_alloc_pages", r->bg_alloc_pages);
	add_u64(figs, "bg_alloc_failed_pages", r->bg_alloc_failed_pages);
	add_u64(figs, "bg_free_pages", r->bg_free_pages);
	add_u64(figs, "migrated_pages", r->migrated_pages);
	add_u64(figs, "reclaimed_pages", r->reclaimed_pages);
	add_u64(figs, "migrate_failed_pinned_pages", r->migrate_busy_pinned_pages);
	add_u64(figs, "migrate_failed_unmovable_pages", r->migrate_busy_unmovable_pages);
	add_u64(figs, "migrate_failed_no_memory_pages", r->migrate_no_memory_pages);
	add_u64(figs, "contig_attempts", r->contig_attempts);
	add_u64(figs, "contig_retries", r->contig_retries);
	add_u64(figs, "compact_runs", r->compact_runs);
	add_u64(figs, "compact_scanned_pages", r->compact_scanned_pages);
	add_u64(figs, "compact_migrated_pages", r->compact_migrated_pages);
	add_u64(figs, "alias_demand_lines", r->alias_demand);
	add_u64(figs, "alias_speculative_lines", r->alias_speculative);
	add_u64(figs, "alias_present_lines", r->alias_present);
	add_u64(figs, "stale_cpu_read_lines", r->stale_cpu_reads);
	add_u64(figs, "stale_device_read_lines", r->stale_device_reads);
	add_u64(figs, "clobbered_lines", r->clobbered_lines);
	add_u64(figs, "cpu_accesses", r->cpu_accesses);
	add_u64(figs, "cpu_faults", r->cpu_faults);
	add_u64(figs, "cpu_uncached_accesses", r->cpu_uncached_accesses);
	add_u64(figs, "cache_read_misses", r->cache_read_misses);
	add_u64(figs, "cache_write_misses", r->cache_write_misses);
	add_u64(figs, "cache_writebacks", r->cache_writebacks);
	add_u64(figs, "cache_speculative_fills", r->cache_speculative_fills);
	add_u64(figs, "cache_aliases", r->cache_aliases);
	add_u64(figs, "cache_maintenance_lines", r->cache_maintenance_lines);
	add_u64(figs, "cache_flush_alls", r->cache_flush_alls);
	add_u64(figs, "tlb_hits", r->tlb_hits);
	add_u64(figs, "tlb_misses", r->tlb_misses);
	add_u64(figs, "tlb_shootdowns", r->tlb_shootdowns);
	add_u64(figs, "sections_split", r->sections_split);
	add_u64(figs, "pagetable_pages_peak", r->pagetable_pages_peak);
	for (unsigned int c = 0; c < CMASIM_NR_COSTS; c++)
		add_u64(figs, fmt_key(k, "overhead_ns_%s", cmasim_cost_name(c)), r->cost_ns[c]);
	add_u64(figs, "lowmem_bytes", r->lowmem_bytes);
	add_u64(figs, "managed_bytes", r->managed_bytes);
	add_u64(figs, "free_bytes_min", r->free_bytes_min);
	add_u64(figs, "reserved_bytes", r->reserved_bytes);
	add_u64(figs, "reserved_idle_page_ms", r->reserved_idle_page_ms);
	add_u64(figs, "refaulted_pages", r->refaulted_pages);
	add_zone_figures(figs, r, cfg);
	return figs;
}

/* Appends @s as a JSON string; names and values here are plain printable text. */
static void json_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(out, '\\');
		if ((unsigned char)*s < 0x20)
			g_string_append_printf(out, "\\u%04x", *s);
		else
			g_string_append_c(out, *s);
	}
	g_string_append_c(out, '"');
}

/* The non-empty buckets of @h as [low, high, count] triples, on a line after @indent. */
static void json_histogram(GString *out, const struct cmasim_hist *h, const char *indent)
{
	bool first = true;

	g_string_append_printf(out, "%s  \"dma_latency_ns_histogram\": [", indent);
	for (unsigned int b = 0; b < CMASIM_HIST_BUCKETS; b++) {
		uint64_t lo, hi;

		if (!h->buckets[b])
			continue;
		cmasim_hist_bucket_bounds(b, &lo, &hi);
		g_string_append_printf(out, "%s[%" PRIu64 ", %" PRIu64 ", %" PRIu64 "]",
				       first ? "" : ", ", lo, hi, h->buckets[b]);
		first = false;
	}
	g_string_append(out, "]\n");
}

/*
 * Appends the JSON object of one run: @figs, then @r's latency histogram;
 * every line after the first starts with @indent, and none follows the
 * closing brace.
 */
/* Appends @figs as JSON members at @indent, a comma after the last one if @more follows. */
static void json_figures(GString *out, const GArray *figs, const char *indent, bool more)
{
	for (guint i = 0; i < figs->len; i++) {
		const struct figure *f = &g_array_index(figs, struct figure, i);

		g_string_append_printf(out, "%s  ", indent);
		json_string(out, f->key);
		g_string_append(out, ": ");
		if (f->string)
			json_string(out, f->value);
		else
			g_string_append(out, f->value);
		g_string_append(out, more || i + 1 < figs->len ? ",\n" : "\n");
	}
}

static void json_run(GString *out, const GArray *figs, const struct cmasim_results *r,
		     const char *indent)
{
	g_string_append(out, "{\n");
	json_figures(out, figs, indent, true);
	json_histogram(out, &r->latency, indent);
	g_string_append_printf(out, "%s}", indent);
}

/* Appends @figs as an aligned table or figure,value CSV rows. */
static void text_figures(GString *out, const GArray *figs, enum cmasim_format format)
{
	int width = 0;

	for (guint i = 0; i < figs->len; i++)
		width = MAX(width, (int)strlen(g_array_index(figs, struct figure, i).key));
	if (format == CMASIM_FORMAT_CSV)
		g_string_append(out, "figure,value\n");
	for (guint i = 0; i < figs->len; i++) {
		const struct figure *f = &g_array_index(figs, struct figure, i);

		/* CSV values never hold commas or quotes: names are identifiers */
		if (format == CMASIM_FORMAT_TABLE)
			g_string_append_printf(out, "%-*s  %s\n", width, f->key, f->value);
		else
			g_string_append_printf(out, "%s,%s\n", f->key, f->value);
	}
}

void cmasim_report_results(const struct cmasim_results *r, const struct cmasim_config *cfg,
			   enum cmasim_format format, GString *out)
{
	g_autoptr(GArray) figs = figures(r, cfg);

	if (format == CMASIM_FORMAT_JSON) {
		json_run(out, figs, r, "");
		g_string_append_c(out, '\n');
		return;
	}
	text_figures(out, figs, format);
}

/* Appends the counts of one direction's accesses as figures @dir_read_... */
static void add_counts(GArray *figs, const char *dir, const struct cmasim_cache_counts *n)
{
	char k[96];

	add_u64(figs, fmt_key(k, "%s_accesses", dir), n->accesses);
	add_u64(figs, fmt_key(k, "%s_hits", dir), n->hits);
	add_u64(figs, fmt_key(k, "%s_misses", dir), n->misses);
	add_u64(figs, fmt_key(k, "%s_writebacks", dir), n->writebacks);
	add_ratio(figs, fmt_key(k, "%s_miss_rate", dir), n->misses, n->accesses);
}

void cmasim_report_cache(const struct cmasim_cache_report *c, enum cmasim_format format,
			 GString *out)
{
	const struct cmasim_cache_config *cc = c->cache;
	const struct cmasim_cache_stats *s = &c->stats;
	struct cmasim_cache_counts all = {
		.accesses = s->read.accesses + s->write.accesses,
		.hits = s->read.hits + s->write.hits,
		.misses = s->read.misses + s->write.misses,
		.writebacks = s->read.writebacks + s->write.writebacks,
	};
	g_autoptr(GArray) figs = figures_new();

	add(figs, "schema", true, "%s", CMASIM_CACHE_JSON_SCHEMA);
	add(figs, "trace_format", true, "%s", c->trace_format);
	add_u64(figs, "cache_size_bytes", cc->size);
	add_u64(figs, "cache_ways", cc->ways);
	add_u64(figs, "cache_line_bytes", cc->line_size);
	add_u64(figs, "cache_sets", cc->size / cc->ways / cc->line_size);
	add(figs, "cache_indexing", true, "%s", cmasim_cache_indexing_name(cc->indexing));
	add(figs, "cache_write_policy", true, "%s", cc->write_back ? "wb" : "wt");
	add(figs, "cache_write_allocate", false, "%s", cc->write_allocate ? "true" : "false");
	add(figs, "cache_prefetcher", true, "%s", cmasim_prefetcher_name(cc->prefetcher));
	add_u64(figs, "cache_prefetch_degree", cc->prefetch_degree);
	add_u64(figs, "trace_loads", c->loads);
	add_u64(figs, "trace_stores", c->stores);
	add_u64(figs, "trace_modifies", c->modifies);
	add_u64(figs, "trace_instruction_fetches", c->ifetches);
	add_u64(figs, "trace_cleans", c->cleans);
	add_u64(figs, "trace_invalidates", c->invalidates);
	add_counts(figs, "read", &s->read);
	add_counts(figs, "write", &s->write);
	add_u64(figs, "total_accesses", all.accesses);
	add_u64(figs, "total_hits", all.hits);
	add_u64(figs, "total_misses", all.misses);
	add_u64(figs, "total_writebacks", all.writebacks);
	add_ratio(figs, "miss_rate", all.misses, all.accesses);
	add_u64(figs, "prefetch_fills", s->prefetch_fills);
	add_u64(figs, "speculative_fills", s->speculative_fills);
	add_u64(figs, "prefetch_writebacks", s->prefetch_writebacks);
	add_u64(figs, "maintenance_line_ops", c->line_ops);
	add_u64(figs, "maintenance_writebacks", s->maintenance_writebacks);
	add_u64(figs, "dirty_invalidates", s->dirty_invalidates);
	add_u64(figs, "aliases", s->aliases);
	if (format != CMASIM_FORMAT_JSON) {
		text_figures(out, figs, format);
		return;
	}
	g_string_append(out, "{\n");
	json_figures(out, figs, "", false);
	g_string_append(out, "}\n");
}

/*
 * The figures of several runs side by side: row names, and each row's
 * value for each of @n runs (NULL where a run lacks that figure).
 */
struct grid {
	unsigned int n;		/* runs, one column each */
	GPtrArray *rows;	/* of const char *, the figure names in report order */
	GPtrArray *cells;	/* of const struct figure *, rows x n: [row * n + run] */
};

/*
 * Fills @g from the figure lists @figs of @n runs, labels left out: the
 * rows of the first run in order, then those only later runs have, in
 * the order met. The grid borrows the names and values of @figs.
 */
static void grid_fill(struct grid *g, GArray *const *figs, unsigned int n)
{
	g_autoptr(GHashTable) row_of = g_hash_table_new(g_str_hash, g_str_equal);

	g->n = n;
	g->rows = g_ptr_array_new();
	g->cells = g_ptr_array_new();
	for (unsigned int run = 0; run < n; run++) {
		for (guint i = 0; i < figs[run]->len; i++) {
			const struct figure *f = &g_array_index(figs[run], struct figure, i);
			void *found;
			guint row;

			if (f->label)
				continue;
			if (g_hash_table_lookup_extended(row_of, f->key, NULL, &found)) {
				row = GPOINTER_TO_UINT(found);
			} else {
				row = g->rows->len;
				g_hash_table_insert(row_of, f->key, GUINT_TO_POINTER(row));
				g_ptr_array_add(g->rows, f->key);
				g_ptr_array_set_size(g->cells, (row + 1) * n);
			}
			g->cells->pdata[row * n + run] = (void *)f;
		}
	}
}

/* Frees what @g holds, not the figures it borrows. */
static void grid_clear(struct grid *g)
{
	g_ptr_array_free(g->rows, TRUE);
	g_ptr_array_free(g->cells, TRUE);
}

/* The figure of run @run in row @row, or NULL when that run lacks it. */
static const struct figure *cell(const struct grid *g, guint row, unsigned int run)
{
	return g->cells->pdata[row * g->n + run];
}

/* The value of run @run in row @row, or @missing when that run lacks the figure. */
static const char *cell_value(const struct grid *g, guint row, unsigned int run,
			      const char *missing)
{
	const struct figure *f = cell(g, row, run);

	return f ? f->value : missing;
}

/*
 * An aligned table: figure names left-aligned under "figure", each run's
 * values right-aligned under its policy's name, "-" where it has none.
 * Numbers set the widths: text (names, buddyinfo lists) that is wider
 * runs on to the right, so that many policies still fit a terminal.
 */
static void compare_table(GString *out, const struct grid *g,
			  const struct cmasim_results *const *runs)
{
	g_autofree int *width = g_new(int, g->n + 1);

	width[0] = (int)strlen("figure");
	for (guint row = 0; row < g->rows->len; row++)
		width[0] = MAX(width[0], (int)strlen(g->rows->pdata[row]));
	for (unsigned int run = 0; run < g->n; run++) {
		width[run + 1] = (int)strlen(runs[run]->policy);
		for (guint row = 0; row < g->rows->len; row++)
			if (!cell(g, row, run) || !cell(g, row, run)->string)
				width[run + 1] = MAX(width[run + 1],
						     (int)strlen(cell_value(g, row, run, "-")));
	}
	g_string_append_printf(out, "%-*s", width[0], "figure");
	for (unsigned int run = 0; run < g->n; run++)
		g_string_append_printf(out, "  %*s", width[run + 1], runs[run]->policy);
	g_string_append_c(out, '\n');
	for (guint row = 0; row < g->rows->len; row++) {
		g_string_append_printf(out, "%-*s", width[0], (const char *)g->rows->pdata[row]);
		for (unsigned int run = 0; run < g->n; run++)
			g_string_append_printf(out, "  %*s", width[run + 1],
					       cell_value(g, row, run, "-"));
		g_string_append_c(out, '\n');
	}
}

/* A header of figure,<policy>,... and one row per figure, empty where a run has none. */
static void compare_csv(GString *out, const struct grid *g,
			const struct cmasim_results *const *runs)
{
	g_string_append(out, "figure");
	for (unsigned int run = 0; run < g->n; run++)
		g_string_append_printf(out, ",%s", runs[run]->policy);
	g_string_append_c(out, '\n');
	for (guint row = 0; row < g->rows->len; row++) {
		g_string_append(out, g->rows->pdata[row]);
		for (unsigned int run = 0; run < g->n; run++)
			g_string_append_printf(out, ",%s", cell_value(g, row, run, ""));
		g_string_append_c(out, '\n');
	}
}

/*
 * What the runs share (machine, workload, seed), the policies in column
 * order, and under "results" each policy's run object as `run -f json`
 * writes it.
 */
static void compare_json(GString *out, GArray *const *figs,
			 const struct cmasim_results *const *runs, unsigned int n)
{
	g_string_append(out, "{\n  \"schema\": ");
	json_string(out, CMASIM_COMPARE_JSON_SCHEMA);
	g_string_append(out, ",\n  \"machine\": ");
	json_string(out, runs[0]->machine);
	g_string_append(out, ",\n  \"workload\": ");
	json_string(out, runs[0]->workload);
	g_string_append_printf(out, ",\n  \"seed\": %" PRIu64 ",\n  \"policies\": [",
			       runs[0]->seed);
	for (unsigned int run = 0; run < n; run++) {
		g_string_append(out, run ? ", " : "");
		json_string(out, runs[run]->policy);
	}
	g_string_append(out, "],\n  \"results\": {\n");
	for (unsigned int run = 0; run < n; run++) {
		g_string_append(out, "    ");
		json_string(out, runs[run]->policy);
		g_string_append(out, ": ");
		json_run(out, figs[run], runs[run], "    ");
		g_string_append(out, run + 1 < n ? ",\n" : "\n");
	}
	g_string_append(out, "  }\n}\n");
}

void cmasim_report_compare(const struct cmasim_results *const *runs, unsigned int n,
			   const struct cmasim_config *cfg, enum cmasim_format format,
			   GString *out)
{
	g_return_if_fail(runs && n > 0);
	g_autofree GArray **figs = g_new(GArray *, n);
	struct grid g;

	for (unsigned int run = 0; run < n; run++)
		figs[run] = figures(runs[run], cfg);
	if (format == CMASIM_FORMAT_JSON) {
		compare_json(out, figs, runs, n);
	} else {
		grid_fill(&g, figs, n);
		if (format == CMASIM_FORMAT_TABLE)
			compare_table(out, &g, runs);
		else
			compare_csv(out, &g, runs);
		grid_clear(&g);
	}
	for (unsigned int run = 0; run < n; run++)
		g_array_unref(figs[run]);
}

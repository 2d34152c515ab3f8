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
#include "report_private.h"

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

/*
 * Whether @mem's kernel was built with CMA: migratetype_names[] has a
 * "CMA" entry only with CONFIG_CMA. A machine has it when its config
 * declares an area or a policy set one up.
 */
static bool has_cma(const struct cmasim_mem *mem)
{
	if (cmasim_mem_config(mem)->nr_cma)
		return true;
	for (unsigned int z = 0; z < cmasim_mem_nr_zones(mem); z++)
		if (cmasim_zone_nr_pageblocks(mem, z, CMASIM_MT_CMA))
			return true;
	return false;
}

/* Whether the /proc dumps have a row or column for @mt. */
static bool shown(const struct cmasim_mem *mem, enum cmasim_migratetype mt)
{
	return mt != CMASIM_MT_CMA || has_cma(mem);
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

/* The types a dump lists: the kernel's MIGRATE_TYPES, six of cmasim's seven. */
#define NR_PAGETYPES (CMASIM_NR_MIGRATETYPES - 1)

/*
 * The types in the order of the kernel's migratetype_names[], which the
 * dump follows: today's, or where the profile has MIGRATE_RESERVE, before
 * 4.4, RECLAIMABLE before MOVABLE and Reserve where HighAtomic is now.
 */
static const uint8_t *pagetypes(const struct cmasim_mem *mem)
{
	static const uint8_t today[NR_PAGETYPES] = {
		CMASIM_MT_UNMOVABLE, CMASIM_MT_MOVABLE, CMASIM_MT_RECLAIMABLE,
		CMASIM_MT_HIGHATOMIC, CMASIM_MT_CMA, CMASIM_MT_ISOLATE,
	};
	static const uint8_t with_reserve[NR_PAGETYPES] = {
		CMASIM_MT_UNMOVABLE, CMASIM_MT_RECLAIMABLE, CMASIM_MT_MOVABLE,
		CMASIM_MT_RESERVE, CMASIM_MT_CMA, CMASIM_MT_ISOLATE,
	};

	return cmasim_mem_config(mem)->kernel->migrate_reserve ? with_reserve : today;
}

/* The header row of the block-count tables. */
static void type_header(const struct cmasim_mem *mem, GString *out, const char *title)
{
	g_string_append_printf(out, "\n%-23s", title);
	for (unsigned int i = 0; i < NR_PAGETYPES; i++)
		if (shown(mem, pagetypes(mem)[i]))
			g_string_append_printf(out, "%12s ", cmasim_migratetype_name(pagetypes(mem)[i]));
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
		for (unsigned int i = 0; i < NR_PAGETYPES; i++)
			if (shown(mem, pagetypes(mem)[i]))
				g_string_append_printf(out, "%12" PRIu64 " ",
						       count(mem, z, pagetypes(mem)[i]));
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
		for (unsigned int i = 0; i < NR_PAGETYPES; i++) {
			unsigned int t = pagetypes(mem)[i];

			if (!shown(mem, t))
				continue;
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

	type_header(mem, out, "Number of blocks type ");
	type_rows(mem, out, cmasim_zone_nr_pageblocks);
	if (page_owner) {
		type_header(mem, out, "Number of mixed blocks ");
		type_rows(mem, out, cmasim_zone_nr_mixed_pageblocks);
	}
}

const char *cmasim_version(void)
{
	return CMASIM_VERSION;
}

void cmasim_json_string(GString *out, const char *s)
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

void cmasim_csv_field(GString *out, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		g_string_append(out, s);
		return;
	}
	g_string_append_c(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *s);
	}
	g_string_append_c(out, '"');
}

void cmasim__text(GString *out, const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			g_string_append_printf(out, "\\x%02x", (unsigned char)*s);
		else
			g_string_append_c(out, *s);
	}
}

bool cmasim__selected(const struct cmasim_figure *f, const char *const *figures)
{
	if (!figures || f->label)
		return true;
	for (; *figures; figures++)
		if (g_pattern_match_simple(*figures, f->key))
			return true;
	return false;
}

/* The non-empty buckets of @h as "@key": [[low, high, count], ...] after @indent. */
static void json_histogram(GString *out, const char *key, const struct cmasim_hist *h,
			   const char *indent)
{
	bool first = true;

	g_string_append_printf(out, "%s  \"%s\": [", indent, key);
	for (unsigned int b = 0; b < CMASIM_HIST_BUCKETS; b++) {
		uint64_t lo, hi;

		if (!h->buckets[b])
			continue;
		cmasim_hist_bucket_bounds(b, &lo, &hi);
		g_string_append_printf(out, "%s[%" PRIu64 ", %" PRIu64 ", %" PRIu64 "]",
				       first ? "" : ", ", lo, hi, h->buckets[b]);
		first = false;
	}
	g_string_append(out, "]");
}

/* Appends figure @f as a JSON member at @indent. */
static void json_figure(GString *out, const struct cmasim_figure *f, const char *indent)
{
	g_string_append_printf(out, "%s  ", indent);
	cmasim_json_string(out, f->key);
	g_string_append(out, ": ");
	if (!f->value)
		g_string_append(out, "null");
	else if (f->def && f->def->unit == CMASIM_UNIT_TEXT)
		cmasim_json_string(out, f->value);
	else
		g_string_append(out, f->value);
}

void cmasim__json_run(GString *out, const GArray *figs, const struct cmasim_results *r,
		      const char *indent, const char *const *figures)
{
	g_string_append(out, "{\n");
	for (guint i = 0; i < figs->len; i++) {
		const struct cmasim_figure *f = &g_array_index(figs, struct cmasim_figure, i);

		if (!cmasim__selected(f, figures))
			continue;
		json_figure(out, f, indent);
		g_string_append(out, ",\n");
	}
	json_histogram(out, "dma_latency_ns_histogram", &r->latency, indent);
	g_string_append(out, ",\n");
	json_histogram(out, "dma_fail_latency_ns_histogram", &r->fail_latency, indent);
	g_string_append_printf(out, "\n%s}", indent);
}

/* Appends @figs as "name  value" lines, values in human units, or as figure,value CSV rows. */
static void text_figures(GString *out, const GArray *figs, enum cmasim_format format,
			 const char *const *figures)
{
	int width = 0;

	for (guint i = 0; i < figs->len; i++)
		width = MAX(width, (int)strlen(g_array_index(figs, struct cmasim_figure, i).key));
	if (format == CMASIM_FORMAT_CSV)
		g_string_append(out, "figure,value\n");
	for (guint i = 0; i < figs->len; i++) {
		const struct cmasim_figure *f = &g_array_index(figs, struct cmasim_figure, i);

		if (!cmasim__selected(f, figures))
			continue;
		if (format == CMASIM_FORMAT_CSV) {
			g_string_append_printf(out, "%s,", f->key);
			cmasim_csv_field(out, f->value ? f->value : "");
		} else {
			g_autofree char *human = cmasim_figure_human(f);

			g_string_append_printf(out, "%-*s  ", width, f->key);
			cmasim__text(out, human);
		}
		g_string_append_c(out, '\n');
	}
}

void cmasim_report_results(const struct cmasim_results *r, const struct cmasim_config *cfg,
			   const struct cmasim_report_options *opts, GString *out)
{
	g_autoptr(GArray) figs = cmasim_figures(r, cfg);

	if (opts->format == CMASIM_FORMAT_JSON) {
		cmasim__json_run(out, figs, r, "", opts->figures);
		g_string_append_c(out, '\n');
		return;
	}
	text_figures(out, figs, opts->format, opts->figures);
}

void cmasim_report_cache(const struct cmasim_cache_report *c, enum cmasim_format format,
			 GString *out)
{
	g_autoptr(GArray) figs = cmasim_cache_figures(c);

	if (format != CMASIM_FORMAT_JSON) {
		text_figures(out, figs, format, NULL);
		return;
	}
	g_string_append(out, "{\n");
	for (guint i = 0; i < figs->len; i++) {
		json_figure(out, &g_array_index(figs, struct cmasim_figure, i), "");
		g_string_append(out, i + 1 < figs->len ? ",\n" : "\n");
	}
	g_string_append(out, "}\n");
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The summary of a comparison: see cmasim/summary.h. Every cell comes
 * from the runs' figures, so that a summary of runs read back from JSON is
 * the one compare printed.
 */
#include <math.h>
#include <string.h>

#include "cmasim/summary.h"

const struct cmasim_summary_def cmasim_summary_defs[CMASIM_NR_SUM] = {
	[CMASIM_SUM_OK] = { "ok", CMASIM_BETTER_NEITHER },
	[CMASIM_SUM_SUCCESS] = { "success", CMASIM_BETTER_HIGHER },
	[CMASIM_SUM_P50] = { "p50", CMASIM_BETTER_LOWER },
	[CMASIM_SUM_P99] = { "p99", CMASIM_BETTER_LOWER },
	[CMASIM_SUM_IDLE] = { "idle reserved", CMASIM_BETTER_LOWER },
	[CMASIM_SUM_MIGRATED] = { "migrated", CMASIM_BETTER_LOWER },
	[CMASIM_SUM_OVERHEAD] = { "overhead", CMASIM_BETTER_LOWER },
	[CMASIM_SUM_ALIASES] = { "aliases", CMASIM_BETTER_LOWER },
	[CMASIM_SUM_STALE] = { "stale", CMASIM_BETTER_LOWER },
	[CMASIM_SUM_FAILURES] = { "failures", CMASIM_BETTER_NEITHER },
};

const char cmasim_summary_legend[] =
	"ok: requests served of those made; p50, p99: time to serve those that\n"
	"succeeded; idle reserved: memory reserved for devices and holding nothing,\n"
	"averaged over the run; overhead: CPU time in the allocator, zeroing, cache\n"
	"maintenance, migration, compaction, mapping, TLB misses, the IOMMU, the CPU's\n"
	"line fills, write-backs and uncached accesses, refills after whole-cache\n"
	"flushes, refaults and cleancache copies; aliases: cache lines filled for\n"
	"frames also mapped uncached; stale: stale reads and clobbered lines.\n";

/* The value of figure @key of @figs, NAN when there is no such figure or it has none. */
static double num(const GArray *figs, const char *key)
{
	const struct cmasim_figure *f = cmasim_figures_find(figs, key);

	return f && f->value ? g_ascii_strtod(f->value, NULL) : NAN;
}

/* The sum of the figures of @figs whose names match @pattern, but @except. */
static double sum(const GArray *figs, const char *pattern, const char *except)
{
	double total = 0;

	for (guint i = 0; i < figs->len; i++) {
		const struct cmasim_figure *f = &g_array_index(figs, struct cmasim_figure, i);

		if (f->value && g_pattern_match_simple(pattern, f->key) &&
		    (!except || strcmp(f->key, except)))
			total += g_ascii_strtod(f->value, NULL);
	}
	return total;
}

/* "fragmented 2, busy 1", or "-": the failures of @figs by cause. */
static char *failures_text(const GArray *figs)
{
	GString *s = g_string_new(NULL);

	for (unsigned int st = CMASIM_DMA_OK + 1; st < CMASIM_NR_DMA_STATUS; st++) {
		g_autofree char *key = g_strdup_printf("dma_failed_%s", cmasim_dma_status_name(st));
		double n = num(figs, key);

		if (n > 0)
			g_string_append_printf(s, "%s%s %.0f", s->len ? ", " : "",
					       cmasim_dma_status_name(st), n);
	}
	if (!s->len)
		g_string_append_c(s, '-');
	return g_string_free(s, FALSE);
}

/* @v for people in @unit, "n/a" when it has none. */
static char *cell(double v, enum cmasim_unit unit)
{
	if (isnan(v))
		return g_strdup("n/a");
	if (unit == CMASIM_UNIT_COUNT)
		return g_strdup_printf("%.0f", v);
	return cmasim_human(v, unit);
}

/* Fills @row from figures @figs. */
static void row_fill(struct cmasim_summary_row *row, const GArray *figs)
{
	const struct cmasim_figure *policy = cmasim_figures_find(figs, "policy");
	double *v = row->value;

	row->policy = g_strdup(policy && policy->value ? policy->value : "?");
	v[CMASIM_SUM_OK] = NAN;
	row->text[CMASIM_SUM_OK] = g_strdup_printf("%.0f/%.0f", num(figs, "dma_ok"),
						   num(figs, "dma_requests"));
	v[CMASIM_SUM_SUCCESS] = num(figs, "dma_success_rate");
	row->text[CMASIM_SUM_SUCCESS] = isnan(v[CMASIM_SUM_SUCCESS])
		? g_strdup("n/a") : g_strdup_printf("%.1f%%", v[CMASIM_SUM_SUCCESS] * 100);
	v[CMASIM_SUM_P50] = num(figs, "dma_latency_ns_p50");
	row->text[CMASIM_SUM_P50] = cell(v[CMASIM_SUM_P50], CMASIM_UNIT_NS);
	v[CMASIM_SUM_P99] = num(figs, "dma_latency_ns_p99");
	row->text[CMASIM_SUM_P99] = cell(v[CMASIM_SUM_P99], CMASIM_UNIT_NS);
	v[CMASIM_SUM_IDLE] = num(figs, "reserved_idle_bytes_mean");
	row->text[CMASIM_SUM_IDLE] = cell(v[CMASIM_SUM_IDLE], CMASIM_UNIT_BYTES);
	v[CMASIM_SUM_MIGRATED] = num(figs, "migrated_pages");
	row->text[CMASIM_SUM_MIGRATED] = cell(v[CMASIM_SUM_MIGRATED], CMASIM_UNIT_COUNT);
	/* the CPU's time: every overhead but waiting for the mutex, which burns none */
	v[CMASIM_SUM_OVERHEAD] = sum(figs, "overhead_ns_*", "overhead_ns_cma_mutex_wait");
	row->text[CMASIM_SUM_OVERHEAD] = cell(v[CMASIM_SUM_OVERHEAD], CMASIM_UNIT_NS);
	v[CMASIM_SUM_ALIASES] = sum(figs, "alias_*_lines", NULL);
	row->text[CMASIM_SUM_ALIASES] = cell(v[CMASIM_SUM_ALIASES], CMASIM_UNIT_COUNT);
	v[CMASIM_SUM_STALE] = num(figs, "stale_cpu_read_lines") +
			      num(figs, "stale_device_read_lines") + num(figs, "clobbered_lines");
	row->text[CMASIM_SUM_STALE] = cell(v[CMASIM_SUM_STALE], CMASIM_UNIT_COUNT);
	v[CMASIM_SUM_FAILURES] = NAN;
	row->text[CMASIM_SUM_FAILURES] = failures_text(figs);
}

/*
 * Marks the best value of each ranked column among @n rows: every row
 * that has it, unless all rows have it, which tells nobody anything.
 */
static void rank(struct cmasim_summary_row *rows, unsigned int n)
{
	for (unsigned int c = 0; c < CMASIM_NR_SUM; c++) {
		bool lower = cmasim_summary_defs[c].better == CMASIM_BETTER_LOWER;
		double best = NAN;
		unsigned int nr_best = 0, ranked = 0;

		if (cmasim_summary_defs[c].better == CMASIM_BETTER_NEITHER)
			continue;
		for (unsigned int i = 0; i < n; i++) {
			double v = rows[i].value[c];

			if (isnan(v))
				continue;
			ranked++;
			if (isnan(best) || (lower ? v < best : v > best))
				best = v;
		}
		for (unsigned int i = 0; i < n; i++)
			nr_best += rows[i].value[c] == best;
		for (unsigned int i = 0; nr_best < ranked && i < n; i++)
			rows[i].best[c] = rows[i].value[c] == best;
	}
}

struct cmasim_summary_row *cmasim_summary_new(GArray *const *figs, const unsigned int *group,
					      unsigned int n)
{
	struct cmasim_summary_row *rows = g_new0(struct cmasim_summary_row, n);

	for (unsigned int i = 0; i < n; i++)
		row_fill(&rows[i], figs[i]);
	/* a group is a run of equal @group values */
	for (unsigned int i = 0, first = 0; i < n; i++) {
		if (i + 1 == n || (group && group[i + 1] != group[i])) {
			rank(rows + first, i + 1 - first);
			first = i + 1;
		}
	}
	return rows;
}

void cmasim_summary_free(struct cmasim_summary_row *rows, unsigned int n)
{
	for (unsigned int i = 0; rows && i < n; i++) {
		g_free(rows[i].policy);
		for (unsigned int c = 0; c < CMASIM_NR_SUM; c++)
			g_free(rows[i].text[c]);
	}
	g_free(rows);
}

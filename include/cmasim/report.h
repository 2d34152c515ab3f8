/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Text reports. The /proc dumps keep the kernel's layout to the byte
 * (mm/vmstat.c), so they can be diffed against a real machine's.
 */
#ifndef CMASIM_REPORT_H
#define CMASIM_REPORT_H

#include <stdbool.h>
#include <glib.h>

#include "cmasim/cache.h"
#include "cmasim/figures.h"
#include "cmasim/metrics.h"
#include "cmasim/physmem.h"

enum cmasim_format {
	CMASIM_FORMAT_TABLE,
	CMASIM_FORMAT_JSON,
	CMASIM_FORMAT_CSV,
};

/* The version of cmasim, as `cmasim --version` and every JSON output give it. */
const char *cmasim_version(void);

/* Schema of the JSON a run writes; bumped whenever a key changes meaning or goes. */
#define CMASIM_JSON_SCHEMA "cmasim-run/2"
/* Schema of the JSON a comparison writes; bumped as CMASIM_JSON_SCHEMA is. */
#define CMASIM_COMPARE_JSON_SCHEMA "cmasim-compare/2"
/* Schema of the JSON `cmasim cache` writes. */
#define CMASIM_CACHE_JSON_SCHEMA "cmasim-cache/2"

/* How to render figures. */
struct cmasim_report_options {
	enum cmasim_format format;
	unsigned int width;		/* table: the columns to fit; 0 for 120 */
	/* figures to show (glob patterns, dma_*); NULL for all. Labels always show. */
	const char *const *figures;
};

/*
 * Appends the figures of a run on @cfg to @out: one "name  value" line
 * each, times and sizes in human units; one JSON object with the latency
 * histograms as [low_ns, high_ns, count] buckets; or CSV rows of
 * figure,value. Every format has the same figures under the same names.
 */
void cmasim_report_results(const struct cmasim_results *r, const struct cmasim_config *cfg,
			   const struct cmasim_report_options *opts, GString *out);

/* Runs of several policies on one machine, trace and seed: one group of a comparison. */
struct cmasim_compare_group {
	const struct cmasim_config *cfg;
	const struct cmasim_results *const *runs;	/* one per policy, in column order */
	unsigned int n;
};

/*
 * Appends a comparison of @nr groups to @out:
 *   table  per group, a heading naming machine, workload and seed; a
 *          summary, one row per policy with the headline figures in human
 *          units and the best of each column marked; then every figure,
 *          one column per policy, wrapped to the width, and the text
 *          figures (settings, buddyinfo) one line per policy;
 *   csv    a header figure,<column>,... (the policy, or machine/workload/
 *          policy for several groups) and one row per figure; a cell is
 *          empty where a run lacks the figure or it has no value;
 *   json   {"schema", "cmasim_version", "machines", "workloads",
 *          "policies", "results": [each run's object as
 *          cmasim_report_results() writes it, in group then column order]}.
 */
void cmasim_report_compare(const struct cmasim_compare_group *groups, unsigned int nr,
			   const struct cmasim_report_options *opts, GString *out);

/* What `cmasim cache` ran: the cache, the trace's records, and the cache's counts. */
struct cmasim_cache_report {
	const struct cmasim_cache_config *cache;
	const char *trace_format;	/* "lackey" and the like */
	const char *trace_sha256;	/* of the trace file's bytes, hex */
	uint64_t loads, stores, modifies, ifetches, cleans, invalidates;	/* records */
	uint64_t line_ops;		/* line operations of the cleans and invalidates */
	struct cmasim_cache_stats stats;
};

/* The figures of @c, as cmasim_figures() gives a run's. */
GArray *cmasim_cache_figures(const struct cmasim_cache_report *c);

/* Appends @c's figures to @out as a table, one JSON object or figure,value CSV rows. */
void cmasim_report_cache(const struct cmasim_cache_report *c, enum cmasim_format format,
			 GString *out);

/*
 * Appends @s to @out as one CSV field, quoted as RFC 4180 says when it
 * holds a comma, a quote or a line break.
 */
void cmasim_csv_field(GString *out, const char *s);

/* Appends @s to @out as a JSON string. */
void cmasim_json_string(GString *out, const char *s);

/* Appends /proc/buddyinfo for node 0 to @out. */
void cmasim_dump_buddyinfo(const struct cmasim_mem *mem, GString *out);

/*
 * Appends /proc/pagetypeinfo to @out; with @page_owner, also the
 * "Number of mixed blocks" table a CONFIG_PAGE_OWNER kernel prints.
 */
void cmasim_dump_pagetypeinfo(const struct cmasim_mem *mem, bool page_owner, GString *out);

#endif

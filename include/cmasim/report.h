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
#include "cmasim/metrics.h"
#include "cmasim/physmem.h"

enum cmasim_format {
	CMASIM_FORMAT_TABLE,
	CMASIM_FORMAT_JSON,
	CMASIM_FORMAT_CSV,
};

/* Schema of the JSON a run writes; bumped whenever a key changes meaning or goes. */
#define CMASIM_JSON_SCHEMA "cmasim-run/1"

/*
 * Appends the figures of a run on @cfg to @out: an aligned table, one JSON
 * object, or CSV rows of figure,value. Every format has the same figures
 * under the same names, each with its unit in the name (latency_ns_p99).
 */
void cmasim_report_results(const struct cmasim_results *r, const struct cmasim_config *cfg,
			   enum cmasim_format format, GString *out);

/* Schema of the JSON a comparison writes; bumped as CMASIM_JSON_SCHEMA is. */
#define CMASIM_COMPARE_JSON_SCHEMA "cmasim-compare/1"

/*
 * Appends the figures of @n runs of different policies on one machine
 * @cfg, trace and seed to @out, side by side in the order of @runs:
 *   table  "figure" and one right-aligned column per policy, "-" where a
 *          run lacks a figure; numbers set the column widths, and wider
 *          text (buddyinfo lists, long names) runs on to the right;
 *   csv    a header figure,<policy>,... and one row per figure, empty
 *          where a run lacks it;
 *   json   {"schema", "machine", "workload", "seed", "policies": [names],
 *          "results": {name: the object cmasim_report_results() writes}}.
 * Rows are the first run's figures in report order, then any that only
 * later runs have, in the order met; the table and CSV leave out schema
 * and policy, which head the columns. Each value is the one
 * cmasim_report_results() gives that run.
 */
void cmasim_report_compare(const struct cmasim_results *const *runs, unsigned int n,
			   const struct cmasim_config *cfg, enum cmasim_format format,
			   GString *out);

/* Schema of the JSON `cmasim cache` writes. */
#define CMASIM_CACHE_JSON_SCHEMA "cmasim-cache/1"

/* What `cmasim cache` ran: the cache, the trace's records, and the cache's counts. */
struct cmasim_cache_report {
	const struct cmasim_cache_config *cache;
	const char *trace_format;	/* "lackey" and the like */
	uint64_t loads, stores, modifies, ifetches, cleans, invalidates;	/* records */
	uint64_t line_ops;		/* line operations of the cleans and invalidates */
	struct cmasim_cache_stats stats;
};

/* Appends @c's figures to @out as a table, one JSON object or figure,value CSV rows. */
void cmasim_report_cache(const struct cmasim_cache_report *c, enum cmasim_format format,
			 GString *out);

/* Appends /proc/buddyinfo for node 0 to @out. */
void cmasim_dump_buddyinfo(const struct cmasim_mem *mem, GString *out);

/*
 * Appends /proc/pagetypeinfo to @out; with @page_owner, also the
 * "Number of mixed blocks" table a CONFIG_PAGE_OWNER kernel prints.
 */
void cmasim_dump_pagetypeinfo(const struct cmasim_mem *mem, bool page_owner, GString *out);

#endif

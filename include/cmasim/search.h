/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The search for the smallest size (of a CMA area, a carve-out, a
 * fallback) at which a target holds. A target need not hold more as the
 * size grows (an area's placement changes what it meets), so the search
 * does not bisect: it scans sizes evenly, then refines the gap below the
 * smallest size that met, down to a step, and keeps every size it tried.
 */
#ifndef CMASIM_SEARCH_H
#define CMASIM_SEARCH_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct cmasim_search;

/*
 * A search of the multiples of @step from @from to @to (rounded down to
 * multiples, at least @step), @points of them a round (at least 2).
 */
struct cmasim_search *cmasim_search_new(uint64_t from, uint64_t to, uint64_t step,
					unsigned int points);
void cmasim_search_free(struct cmasim_search *s);

/*
 * The sizes to try next, ascending, none tried before: the scan, then
 * each refinement. Empty when the search is done. g_array_unref() it.
 */
GArray *cmasim_search_next(struct cmasim_search *s);
/* Records whether the target held at @size, one of those next gave. */
void cmasim_search_result(struct cmasim_search *s, uint64_t size, bool holds);

/* Every size tried, ascending, and whether the target held there. */
unsigned int cmasim_search_nr_tried(const struct cmasim_search *s);
void cmasim_search_tried(const struct cmasim_search *s, unsigned int i, uint64_t *size,
			 bool *holds);
/* The smallest size tried at which the target held; false if none. */
bool cmasim_search_smallest(const struct cmasim_search *s, uint64_t *size);
/* The smallest size tried from which it held at every size tried above; false if none. */
bool cmasim_search_always(const struct cmasim_search *s, uint64_t *size);

#endif

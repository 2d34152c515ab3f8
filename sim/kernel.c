// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel-version profiles: every rule that differs between them is a
 * field of this one table, documented in include/cmasim/kernel.h with the
 * version that brought it.
 */
#include <string.h>
#include <glib.h>

#include "cmasim/kernel.h"

/* The rules 5.10 and every later profile share. */
#define SINCE_5_10                            \
	.unmovable_claims_block = true,       \
	.claim_counts_alike = true,           \
	.fallback_smallest = true,            \
	.nofragment = true,                   \
	.watermark_boost_factor = 15000,      \
	.cma_half_rule = true,                \
	.watermark_cma_unusable = true,       \
	.watermark_scale_factor = true,       \
	.watermark_managed = true,            \
	.min_free_kbytes_max = 262144,        \
	.longterm_pin_migrates = true,        \
	.cma_bottom_up = true,                \
	.log_cma_alloc_failed = true

static const struct cmasim_kernel profiles[] = {
	{
		.name = "3.5",
		.summary = "CMA merged (2012): CMA in MOVABLE's fallbacks, MIGRATE_RESERVE "
			   "pageblocks at each zone's start, watermarks min x 5/4 and x 3/2 of "
			   "present pages, free CMA counted for every request, MAX_ORDER "
			   "isolation, long-term pins stay",
		.migrate_reserve = true,
		.cma_in_fallbacks = true,
		.min_free_kbytes_max = 65536,
		.isolate_max_order = true,
	},
	{
		.name = "5.10",
		.summary = "CMA after MOVABLE's lists, the half rule, watermark_scale_factor, "
			   "long-term pins migrate out of CMA, areas bottom-up above 4 GiB, "
			   "MAX_ORDER isolation",
		SINCE_5_10,
		.isolate_max_order = true,
		.log_pfns_busy = true,
	},
	{
		.name = "6.1",
		.summary = "today's rules: as 5.10, with isolation a pageblock at a time and "
			   "long-term pins moved to UNMOVABLE pages, out of ZONE_MOVABLE too",
		SINCE_5_10,
		.longterm_pin_unmovable = true,
		.pcp_high_order = true,
		.pcp_high_from_low = true,
	},
	{
		.name = "6.10",
		.summary = "as 6.1, with large folios compacted (skip_isolation_on_order())",
		SINCE_5_10,
		.longterm_pin_unmovable = true,
		.pcp_high_order = true,
		.pcp_high_from_low = true,
		.compaction_folios = true,
	},
};

const struct cmasim_kernel *cmasim_kernel_find(const char *name)
{
	for (unsigned int i = 0; i < G_N_ELEMENTS(profiles); i++)
		if (!strcmp(profiles[i].name, name))
			return &profiles[i];
	return NULL;
}

const struct cmasim_kernel *cmasim_kernel_default(void)
{
	return &profiles[2];	/* 6.1 */
}

const struct cmasim_kernel *cmasim_kernel_nth(unsigned int i)
{
	return i < G_N_ELEMENTS(profiles) ? &profiles[i] : NULL;
}

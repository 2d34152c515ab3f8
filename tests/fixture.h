/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine fixture shared by the physical-memory suites: one machine per
 * test, booted from YAML, freed after it, and the checked steps the tests
 * are written in. Every step re-runs the invariant checker.
 */
#ifndef CMASIM_TESTS_FIXTURE_H
#define CMASIM_TESTS_FIXTURE_H

#include "helpers.h"

static struct cmasim_config *cfg;
static struct cmasim_mem *mem;

static void machine_teardown(void)
{
	if (mem)
		cmasim_mem_free(mem);
	mem = NULL;
	if (cfg)
		cmasim_config_free(cfg);
	cfg = NULL;
}


#define INV() check_invariants_at(mem, __FILE__, __LINE__)
#define ZONE(z, spec)                                              \
	do {                                                       \
		expect_zone_at(mem, (z), (spec), __FILE__, __LINE__); \
		check_invariants_at(mem, __FILE__, __LINE__);      \
	} while (0)
#define PBS(pfn, types) expect_pageblocks_at(mem, (pfn), (types), __FILE__, __LINE__)

static inline void boot(const char *yaml)
{
	cfg = load_config(yaml);
	mem = cmasim_mem_new(cfg);
	cr_assert_not_null(mem);
	INV();
}

/* cmasim_alloc_pages() that must succeed; returns the pfn. */
static uint64_t alloc_ok(unsigned int order, enum cmasim_migratetype mt,
			 enum cmasim_zone_type hz, int line)
{
	uint64_t pfn = UINT64_MAX;
	int rc = cmasim_alloc_pages(mem, order, mt, hz, &pfn);

	cr_assert_eq(rc, 0, "line %d: alloc order %u %s failed: %d", line, order,
		     cmasim_migratetype_name(mt), rc);
	check_invariants_at(mem, __FILE__, line);
	return pfn;
}

/* cmasim_alloc_pages_at() that must succeed. */
static void at_ok(uint64_t pfn, unsigned int order, enum cmasim_migratetype mt, int line)
{
	int rc = cmasim_alloc_pages_at(mem, pfn, order, mt);

	cr_assert_eq(rc, 0, "line %d: alloc_at(%" PRIu64 ", %u) = %d", line, pfn, order, rc);
	check_invariants_at(mem, __FILE__, line);
}

/* cmasim_free_pages(), then the invariants. */
static inline void free_ok(uint64_t pfn, int line)
{
	cmasim_free_pages(mem, pfn);
	check_invariants_at(mem, __FILE__, line);
}

/* Re-types a pageblock and moves its free pages, as the kernel does: @moved of them. */
static inline void retype(uint64_t pfn, enum cmasim_migratetype mt, uint64_t moved, int line)
{
	uint64_t got;

	cmasim_set_pageblock_migratetype(mem, pfn, mt);
	got = cmasim_move_freepages_block(mem, pfn, mt, NULL);
	cr_assert_eq(got, moved, "line %d: move_freepages_block(%" PRIu64 ") moved %" PRIu64
		     ", expected %" PRIu64, line, pfn, got, moved);
	check_invariants_at(mem, __FILE__, line);
}

#define ALLOC_Z(order, mt, hz) alloc_ok((order), (mt), (hz), __LINE__)
#define AT(pfn, order, mt) at_ok((pfn), (order), (mt), __LINE__)
#define FREE(pfn) free_ok((pfn), __LINE__)
#define RETYPE(pfn, mt, moved) retype((pfn), (mt), (moved), __LINE__)

#endif

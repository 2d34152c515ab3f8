/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the physical-memory test suites: load a machine from a
 * YAML string, and compare a zone's free lists with a compact description.
 *
 * A zone description is a space-separated list of tokens "<T><order>:<pfns>"
 * where T is one of U M R H C I S (Unmovable, Movable, Reclaimable,
 * HighAtomic, CMA, Isolate, and 3.5's Reserve) and <pfns> a comma-separated list in list order
 * (the next allocation takes the first). "<T><order>~<pfns>" compares as a
 * set, for lists whose order the rules leave open. Every list that is not
 * named must be empty.
 */
#ifndef CMASIM_TESTS_HELPERS_H
#define CMASIM_TESTS_HELPERS_H

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <glib.h>

#include "cmasim/buddy.h"
#include "cmasim/config.h"
#include "cmasim/engine.h"
#include "cmasim/error.h"
#include "cmasim/physmem.h"
#include "cmasim/report.h"

#define T_U CMASIM_MT_UNMOVABLE
#define T_M CMASIM_MT_MOVABLE
#define T_R CMASIM_MT_RECLAIMABLE
#define T_H CMASIM_MT_HIGHATOMIC
#define T_C CMASIM_MT_CMA
#define T_I CMASIM_MT_ISOLATE

/* Loads @yaml as a machine config; fails the test with the loader's message. */
static inline struct cmasim_config *load_config(const char *yaml)
{
	GError *err = NULL;
	struct cmasim_config *cfg = cmasim_config_load_data("test.yaml", yaml, strlen(yaml), &err);

	if (!cfg) {
		char msg[512];

		g_snprintf(msg, sizeof(msg), "%s", err ? err->message : "(no GError)");
		g_clear_error(&err);
		cr_assert_fail("config did not load: %s", msg);
	}
	cr_assert_null(err);
	return cfg;
}

/*
 * Replays @workload_yaml on @machine_yaml (loaded as "m.yaml" and "w.yaml",
 * both of which must load) with @opts. Returns the results, or NULL with
 * @error set when the run refuses; the config is handed back in *@cfg_out
 * for reports, to be freed with the results, or freed at once when
 * @cfg_out is NULL.
 */
static inline struct cmasim_results *try_replay(const char *machine_yaml,
						const char *workload_yaml,
						const struct cmasim_run_options *opts,
						struct cmasim_config **cfg_out, GError **error)
{
	GError *load_error = NULL;
	struct cmasim_config *cfg = cmasim_config_load_data("m.yaml", machine_yaml,
							    strlen(machine_yaml), &load_error);

	cr_assert_not_null(cfg, "%s", load_error ? load_error->message : "");
	struct cmasim_trace *trace = cmasim_trace_open_data("w.yaml", workload_yaml,
							    strlen(workload_yaml), &load_error);
	cr_assert_not_null(trace, "%s", load_error ? load_error->message : "");
	cr_assert_not_null(opts->policy, "no policy to run");
	struct cmasim_results *r = cmasim_run(cfg, trace, opts, error);

	cmasim_trace_close(trace);
	if (cfg_out)
		*cfg_out = cfg;
	else
		cmasim_config_free(cfg);
	return r;
}

/*
 * Replays @workload_yaml on @machine_yaml under @policy with @set (seed 5)
 * and the kernel profile @kernel (NULL: the machine's), checking the
 * invariants after every event; the run must succeed. The config is
 * handed back in *@cfg_out as try_replay() does.
 */
static inline struct cmasim_results *replay_kernel(const char *machine_yaml,
						   const char *workload_yaml, const char *policy,
						   const char *const *set, const char *kernel,
						   struct cmasim_config **cfg_out)
{
	struct cmasim_run_options opts = {
		.policy = cmasim_policy_find(policy),
		.set = set,
		.seed = 5,
		.check_invariants = true,
		.kernel = kernel ? cmasim_kernel_find(kernel) : NULL,
	};
	GError *error = NULL;
	struct cmasim_results *r;

	cr_assert_not_null(opts.policy, "no policy %s", policy);
	if (kernel)
		cr_assert_not_null(opts.kernel, "no kernel %s", kernel);
	r = try_replay(machine_yaml, workload_yaml, &opts, cfg_out, &error);
	cr_assert_not_null(r, "%s: %s", policy, error ? error->message : "");
	return r;
}

/* replay_kernel() with the machine's own kernel. */
static inline struct cmasim_results *replay_on(const char *machine_yaml,
					       const char *workload_yaml, const char *policy,
					       const char *const *set,
					       struct cmasim_config **cfg_out)
{
	return replay_kernel(machine_yaml, workload_yaml, policy, set, NULL, cfg_out);
}

/* The letter a zone description uses for @mt. */
static inline char mt_letter(enum cmasim_migratetype mt)
{
	return "UMRHCIS"[mt];
}

/* Inverse of mt_letter(); -1 if @c is none of them. */
static inline int mt_of_letter(char c)
{
	const char *p = strchr("UMRHCIS", c);

	return (p && c) ? (int)(p - "UMRHCIS") : -1;
}

/* Appends the actual free lists of @zone in the zone description notation. */
static inline void describe_zone(const struct cmasim_mem *mem, unsigned int zone, GString *out)
{
	unsigned int max_order = cmasim_mem_config(mem)->max_page_order;

	for (int mt = 0; mt < CMASIM_NR_MIGRATETYPES; mt++) {
		for (unsigned int o = 0; o <= max_order; o++) {
			uint64_t pfns[4096];
			size_t n = cmasim_zone_free_list(mem, zone, o, mt, pfns, 4096);

			if (!n)
				continue;
			g_string_append_printf(out, "%s%c%u:", out->len ? " " : "", mt_letter(mt), o);
			for (size_t i = 0; i < n && i < 4096; i++)
				g_string_append_printf(out, "%s%" PRIu64, i ? "," : "", pfns[i]);
			if (n > 4096)
				g_string_append(out, ",...");
		}
	}
}

static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Asserts that the free lists of @zone are exactly @spec (see the top of
 * this file), and that nr_free, nr_free_cma and cmasim_zone_nr_free_blocks()
 * agree with them.
 */
static inline void expect_zone_at(const struct cmasim_mem *mem, unsigned int zone,
				  const char *spec, const char *file, int line)
{
	unsigned int max_order = cmasim_mem_config(mem)->max_page_order;
	bool named[CMASIM_NR_MIGRATETYPES][CMASIM_ORDER_LIMIT + 1] = { { false } };
	uint64_t want_free = 0, want_cma = 0;
	g_autoptr(GString) actual = g_string_new(NULL);
	g_auto(GStrv) tokens = g_strsplit(spec, " ", -1);
	struct cmasim_zone_info info;

	describe_zone(mem, zone, actual);
	for (char **t = tokens; *t; t++) {
		const char *p = *t;
		int mt;
		unsigned int order;
		bool as_set;
		uint64_t want[256], got[256];
		size_t nwant = 0, ngot;
		char *end;

		if (!*p)
			continue;
		mt = mt_of_letter(p[0]);
		cr_assert(mt >= 0, "%s:%d: bad token \"%s\"", file, line, p);
		order = (unsigned int)strtoul(p + 1, &end, 10);
		cr_assert(end != p + 1 && (*end == ':' || *end == '~') && order <= max_order,
			  "%s:%d: bad token \"%s\"", file, line, p);
		as_set = *end == '~';
		p = end + 1;
		while (*p) {
			want[nwant++] = strtoull(p, &end, 10);
			cr_assert(end != p && (*end == ',' || !*end) && nwant < 256,
				  "%s:%d: bad token \"%s\"", file, line, *t);
			p = *end ? end + 1 : end;
		}
		cr_assert(!named[mt][order], "%s:%d: list %c%u named twice", file, line,
			  mt_letter(mt), order);
		named[mt][order] = true;
		ngot = cmasim_zone_free_list(mem, zone, order, mt, got, 256);
		if (as_set && ngot == nwant && ngot <= 256) {
			qsort(want, nwant, sizeof(want[0]), cmp_u64);
			qsort(got, ngot, sizeof(got[0]), cmp_u64);
		}
		cr_assert(ngot == nwant && !memcmp(want, got, nwant * sizeof(want[0])),
			  "%s:%d: zone %u list %c%u differs\n  expected: %s\n  actual:   %s",
			  file, line, zone, mt_letter(mt), order, spec, actual->str);
		cr_assert_eq(cmasim_zone_nr_free_blocks(mem, zone, order, mt), nwant,
			     "%s:%d: nr_free_blocks(%c%u) = %" PRIu64 ", list has %zu",
			     file, line, mt_letter(mt), order,
			     cmasim_zone_nr_free_blocks(mem, zone, order, mt), nwant);
		if (mt != CMASIM_MT_ISOLATE)
			want_free += (uint64_t)nwant << order;
		if (mt == CMASIM_MT_CMA)
			want_cma += (uint64_t)nwant << order;
	}
	for (int mt = 0; mt < CMASIM_NR_MIGRATETYPES; mt++) {
		for (unsigned int o = 0; o <= max_order; o++) {
			uint64_t dummy[1];

			if (named[mt][o])
				continue;
			cr_assert(cmasim_zone_free_list(mem, zone, o, mt, dummy, 1) == 0,
				  "%s:%d: zone %u list %c%u should be empty\n  expected: %s\n"
				  "  actual:   %s", file, line, zone, mt_letter(mt), o, spec,
				  actual->str);
			cr_assert_eq(cmasim_zone_nr_free_blocks(mem, zone, o, mt), 0,
				     "%s:%d: nr_free_blocks(%c%u) should be 0", file, line,
				     mt_letter(mt), o);
		}
	}
	cmasim_mem_zone_info(mem, zone, &info);
	cr_assert_eq(info.nr_free, want_free, "%s:%d: zone %u nr_free %" PRIu64 ", expected %"
		     PRIu64 " (%s)", file, line, zone, info.nr_free, want_free, spec);
	cr_assert_eq(info.nr_free_cma, want_cma, "%s:%d: zone %u nr_free_cma %" PRIu64
		     ", expected %" PRIu64, file, line, zone, info.nr_free_cma, want_cma);
}

/* Asserts cmasim_mem_check_invariants(), printing what it found. */
static inline void check_invariants_at(const struct cmasim_mem *mem, const char *file, int line)
{
	g_autoptr(GString) why = g_string_new(NULL);

	if (!cmasim_mem_check_invariants(mem, why))
		cr_assert_fail("%s:%d: invariants broken: %s", file, line, why->str);
}

/*
 * Asserts the types of consecutive pageblocks from the one holding @pfn:
 * one letter per pageblock, as in a zone description.
 */
static inline void expect_pageblocks_at(const struct cmasim_mem *mem, uint64_t pfn,
					const char *types, const char *file, int line)
{
	uint64_t nr = (uint64_t)1 << cmasim_mem_config(mem)->pageblock_order;
	g_autoptr(GString) actual = g_string_new(NULL);

	for (size_t i = 0; types[i]; i++)
		g_string_append_c(actual, mt_letter(cmasim_get_pageblock_migratetype(mem,
						     pfn + i * nr)));
	cr_assert_str_eq(actual->str, types, "%s:%d: pageblock types from pfn %" PRIu64
			 ": expected %s, got %s", file, line, pfn, types, actual->str);
}

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The size search against a target known in advance: it finds the
 * smallest size that holds, whatever holds above it, without trying every
 * size; and what it reports of the sizes it tried agrees with a plain
 * recount of them.
 */
#include <criterion/criterion.h>
#include <glib.h>

#include "cmasim/search.h"

TestSuite(search);

/* The target: holds from @threshold on, but where @dips says it fails, and at @spikes below. */
struct target {
	uint64_t threshold;
	uint64_t dips[4], spikes[4];
};

static bool holds(const struct target *t, uint64_t size)
{
	for (unsigned int i = 0; i < G_N_ELEMENTS(t->dips); i++)
		if (t->dips[i] == size)
			return false;
	for (unsigned int i = 0; i < G_N_ELEMENTS(t->spikes); i++)
		if (t->spikes[i] == size)
			return true;
	return size >= t->threshold;
}

/* Runs the search of [@from, @to] by @step, @points a round; the number of sizes tried. */
static unsigned int search(struct cmasim_search *s, const struct target *t)
{
	unsigned int tried = 0;

	for (;;) {
		g_autoptr(GArray) next = cmasim_search_next(s);

		if (!next->len)
			return tried;
		for (guint i = 0; i < next->len; i++) {
			uint64_t size = g_array_index(next, uint64_t, i);

			cr_assert(i == 0 || size > g_array_index(next, uint64_t, i - 1));
			cmasim_search_result(s, size, holds(t, size));
			tried++;
		}
	}
}

/*
 * Step 4, sizes 4 to 4096 (1024 of them), 16 a round: the smallest size
 * that holds is found exactly for every threshold, in a few rounds.
 */
Test(search, finds_the_threshold_exactly)
{
	for (uint64_t x = 4; x <= 4096; x += 4 * 37) {
		struct target t = { .threshold = x };
		struct cmasim_search *s = cmasim_search_new(4, 4096, 4, 16);
		unsigned int tried = search(s, &t);
		uint64_t smallest, always;

		cr_assert(cmasim_search_smallest(s, &smallest));
		cr_expect_eq(smallest, x, "threshold %" G_GUINT64_FORMAT, x);
		cr_assert(cmasim_search_always(s, &always));
		cr_expect_eq(always, x);
		/* 16 a round, the gap shrinking 15 times a round: at most 4 rounds */
		cr_expect_leq(tried, 4 * 16, "threshold %" G_GUINT64_FORMAT, x);
		cmasim_search_free(s);
	}
}

/*
 * Not monotonic: with the threshold at 2000, a dip at 2456 (an area
 * placed where a pin sits, say) and the scan landing on it, the smallest
 * size is still 2000, and the target holds always only above the dip.
 */
Test(search, a_dip_above_the_threshold)
{
	struct cmasim_search *s = cmasim_search_new(4, 4096, 4, 16);
	/* the scan's sizes: 4 + 4 * floor(k * 1023 / 15), k = 0..15; k = 9 gives 2456 */
	struct target t = { .threshold = 2000, .dips = { 2456 } };
	uint64_t smallest, always, size;
	bool held, found_dip = false;

	search(s, &t);
	cr_assert(cmasim_search_smallest(s, &smallest));
	cr_expect_eq(smallest, 2000);
	for (unsigned int i = 0; i < cmasim_search_nr_tried(s); i++) {
		cmasim_search_tried(s, i, &size, &held);
		cr_expect_eq(held, holds(&t, size));
		found_dip |= size == 2456;
	}
	cr_assert(found_dip, "the scan passes by 2456");
	cr_assert(cmasim_search_always(s, &always));
	/* the next size tried above the dip: the scan's k = 10, 4 + 4 * 682 */
	cr_expect_eq(always, 2732);
	cmasim_search_free(s);
}

/* Nothing holds: no smallest, no always; everything holds: the first size. */
Test(search, none_and_all)
{
	struct target never = { .threshold = UINT64_MAX }, ever = { .threshold = 0 };
	struct cmasim_search *a = cmasim_search_new(8, 64, 8, 4), *b = cmasim_search_new(8, 64, 8, 4);
	uint64_t size;

	search(a, &never);
	cr_expect_not(cmasim_search_smallest(a, &size));
	cr_expect_not(cmasim_search_always(a, &size));
	search(b, &ever);
	cr_assert(cmasim_search_smallest(b, &size));
	cr_expect_eq(size, 8);
	cmasim_search_free(a);
	cmasim_search_free(b);
}

// SPDX-License-Identifier: GPL-2.0-only
/* Latency histograms: bucket edges and nearest-rank percentiles by hand. */
#include <criterion/criterion.h>

#include "cmasim/metrics.h"

Test(hist, buckets_are_exact_below_64_then_32_per_octave)
{
	uint64_t lo, hi;

	cr_expect_eq(cmasim_hist_bucket(0), 0);
	cr_expect_eq(cmasim_hist_bucket(63), 63);
	/* 64 = 0b1000000: msb 6, keep the top 6 bits (shift 1): mantissa 32 -> 64 + 0 */
	cr_expect_eq(cmasim_hist_bucket(64), 64);
	cr_expect_eq(cmasim_hist_bucket(65), 64);
	cr_expect_eq(cmasim_hist_bucket(66), 65);
	/* 127 >> 1 = 63 -> 64 + 31 */
	cr_expect_eq(cmasim_hist_bucket(127), 95);
	/* 128: msb 7, shift 2, mantissa 32 -> 64 + 32 */
	cr_expect_eq(cmasim_hist_bucket(128), 96);
	cmasim_hist_bucket_bounds(96, &lo, &hi);
	cr_expect(lo == 128 && hi == 131);
	cmasim_hist_bucket_bounds(95, &lo, &hi);
	cr_expect(lo == 126 && hi == 127);
	/* 1 ms = 1000000 ns: msb 19, shift 14, 1000000 >> 14 = 61 -> 64 + 13*32 + 29 */
	cr_expect_eq(cmasim_hist_bucket(1000000), 64 + 13 * 32 + 29);
	cmasim_hist_bucket_bounds(64 + 13 * 32 + 29, &lo, &hi);
	cr_expect(lo == 61 << 14 && hi == (62 << 14) - 1);
	cr_expect_eq(cmasim_hist_bucket(UINT64_MAX), CMASIM_HIST_BUCKETS - 1);
}

Test(hist, every_bucket_bound_maps_back_to_its_bucket)
{
	for (unsigned int b = 0; b < CMASIM_HIST_BUCKETS; b++) {
		uint64_t lo, hi;

		cmasim_hist_bucket_bounds(b, &lo, &hi);
		cr_assert_eq(cmasim_hist_bucket(lo), b);
		cr_assert_eq(cmasim_hist_bucket(hi), b);
		if (b + 1 < CMASIM_HIST_BUCKETS) {
			uint64_t next_lo, next_hi;

			cmasim_hist_bucket_bounds(b + 1, &next_lo, &next_hi);
			cr_assert_eq(next_lo, hi + 1, "gap after bucket %u", b);
		}
	}
}

Test(hist, nearest_rank_percentiles)
{
	struct cmasim_hist h = { 0 };

	cr_expect_eq(cmasim_hist_percentile(&h, 500), 0);
	for (uint64_t v = 100; v >= 1; v--)
		cmasim_hist_add(&h, v);
	cr_expect(h.count == 100 && h.sum == 5050 && h.min == 1 && h.max == 100);
	/* rank 50 is 50, exact below 64 */
	cr_expect_eq(cmasim_hist_percentile(&h, 500), 50);
	/* rank 90 is 90, in bucket [90, 91], whose largest sample is 91 */
	cr_expect_eq(cmasim_hist_percentile(&h, 900), 91);
	/* rank 99 is 99, bucket [98, 99] */
	cr_expect_eq(cmasim_hist_percentile(&h, 990), 99);
	/* rank 100 is 100, bucket [100, 101], which saw 100 only */
	cr_expect_eq(cmasim_hist_percentile(&h, 1000), 100);
	/* rank ceil(1000 * 1 / 1000) = 1 */
	cr_expect_eq(cmasim_hist_percentile(&h, 1), 1);
}

Test(hist, one_value_reports_itself)
{
	struct cmasim_hist h = { 0 };

	cmasim_hist_add(&h, 1000000);
	/* its bucket is [999424, 1015807], which saw this value only */
	cr_expect_eq(cmasim_hist_percentile(&h, 500), 1000000);
	cr_expect_eq(cmasim_hist_percentile(&h, 990), 1000000);
}

Test(hist, percentile_is_the_largest_sample_in_its_bucket)
{
	struct cmasim_hist h = { 0 };

	/*
	 * 1000 and 1005 share bucket [992, 1007]: msb 9, shift 4, and both
	 * >> 4 are 62, so 64 + 3 * 32 + 30; 1010 >> 4 is 63, the next one.
	 */
	cmasim_hist_add(&h, 1000);
	cmasim_hist_add(&h, 1005);
	cmasim_hist_add(&h, 5000);
	cr_expect_eq(cmasim_hist_bucket(1000), 64 + 3 * 32 + 30);
	cr_expect_eq(cmasim_hist_bucket(1005), 64 + 3 * 32 + 30);
	cr_expect_eq(cmasim_hist_bucket(1010), 64 + 3 * 32 + 31);
	/* rank 1 is 1000, reported as 1005: above, by less than 1/32 */
	cr_expect_eq(cmasim_hist_percentile(&h, 333), 1005);
	/* rank 2 is 1005 itself */
	cr_expect_eq(cmasim_hist_percentile(&h, 500), 1005);
	cr_expect_eq(cmasim_hist_percentile(&h, 1000), 5000);
}

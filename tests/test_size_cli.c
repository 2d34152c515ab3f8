// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim size against a case worked by hand. camera-stream allocates four
 * 1080p NV12 frames at once, 3,110,400 bytes = 760 pages each; the cma
 * policy aligns each to order min(get_order(size), CONFIG_CMA_ALIGNMENT =
 * 8), 256 pages, so they sit at pages 0, 768, 1536 and 2304 of the area,
 * the last ending at 3064. A 4 MiB area (1024 pages) holds one, 8 MiB
 * (2048) two, 12 MiB (3072) all four: failure rates 0.75, 0.5, 0. Sizes
 * round up to a pageblock (4 MiB) as cma_declare_contiguous_nid() rounds
 * them, so 9 MiB is 12 MiB.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cli.h"
#include "scratch.h"

static void setup(void)
{
	scratch_enter("cmasim-size-XXXXXX");
}

TestSuite(size_cli, .init = setup, .fini = scratch_leave);

static struct result size(const char *const *argv)
{
	return run_in(tmpdir, argv);
}

/* Two sizes scanned, then the gap between refined: 4 and 16, then 8 and 12. */
Test(size_cli, scan_then_refine)
{
	struct result r = size((const char *[]){ "size", "camera-stream", "-p", "cma", "--target",
						 "dma_failed_rate==0", "--from", "4MiB", "--to",
						 "16MiB", "--points", "2", NULL });

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.err, "");
	cr_expect_str_eq(r.out,
		"cma on armv7-1g, camera-stream: dma_failed_rate == 0, over 1 seed\n\n"
		"        size  dma_failed_rate               holds\n"
		"       4 MiB  0.75                          no\n"
		"       8 MiB  0.5                           no\n"
		"      12 MiB  0                             yes\n"
		"      16 MiB  0                             yes\n\n"
		"smallest size at which it holds: 12 MiB (12582912 bytes)\n"
		"it holds at every size tried from 12 MiB up\n");
	result_free(&r);
}

/* A looser target holds at 8 MiB, found by the refinement of the gap from 4 to 16 MiB. */
Test(size_cli, looser_target)
{
	struct result r = size((const char *[]){ "size", "camera-stream", "-p", "cma", "-t",
						 "dma_failed_rate <= 0.5", "--from", "4MiB",
						 "--to", "16MiB", "--points", "2", "-f", "json",
						 "--seeds", "1,7", NULL });

	cr_assert_eq(r.status, 0, "%s", r.err);
	/* the frames' places do not hang on the seed: the background churn migrates away */
	cr_expect(strstr(r.out, "\"target\": { \"figure\": \"dma_failed_rate\", \"op\": \"<=\", "
			 "\"value\": 0.5 },\n  \"seeds\": [1, 7],\n  \"points\": [\n"
			 "    { \"bytes\": 4194304, \"values\": [0.75, 0.75], \"refused\": false, "
			 "\"holds\": false },\n"
			 "    { \"bytes\": 8388608, \"values\": [0.5, 0.5], \"refused\": false, "
			 "\"holds\": true },\n"
			 "    { \"bytes\": 12582912, \"values\": [0, 0], \"refused\": false, "
			 "\"holds\": true },\n"
			 "    { \"bytes\": 16777216, \"values\": [0, 0], \"refused\": false, "
			 "\"holds\": true }\n  ],\n"
			 "  \"smallest_bytes\": 8388608,\n  \"always_from_bytes\": 8388608\n}\n"),
		  "%s", r.out);
	cr_expect(g_str_has_prefix(r.out, "{\n  \"schema\": \"cmasim-size/1\",\n"));
	result_free(&r);
}

/* A size the zone cannot hold is refused, never held; the smaller ones still answer. */
Test(size_cli, refused_size)
{
	struct result r = size((const char *[]){ "size", "camera-stream", "-p", "cma", "-t",
						 "dma_failed_rate==0", "--from", "12MiB", "--to",
						 "1GiB", "--step", "12MiB", "--points", "2", NULL });

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "      12 MiB  0                             yes\n"), "%s", r.out);
	/* 1 GiB rounds down to 85 steps of 12 MiB, 1020 MiB: more than lowmem (768 MiB) */
	cr_expect(strstr(r.out, "    1020 MiB  refused                       no\n"), "%s", r.out);
	cr_expect(strstr(r.out, "smallest size at which it holds: 12 MiB (12582912 bytes)\n"));
	cr_expect(!strstr(r.out, "every size tried"), "%s", r.out);
	result_free(&r);
}

/* The figure: the values it draws, scaled to MiB, hollow (6) where the target fails. */
Test(size_cli, plot)
{
	g_autofree char *data = NULL, *dat = in_tmp("fig/size.dat"), *svg = in_tmp("fig/size.svg");
	struct result r = size((const char *[]){ "size", "camera-stream", "-p", "cma", "-t",
						 "dma_failed_rate==0", "--from", "4MiB", "--to",
						 "12MiB", "--points", "3", "--plot", "fig", "-o",
						 "size.txt", NULL });

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "");
	cr_assert(g_file_get_contents(dat, &data, NULL, NULL));
	cr_expect_str_eq(data, "# x mean, then x value holds per seed: two blocks a series\n"
			 "# cma\n 4 0.75\n 8 0.5\n 12 0\n\n\n 4 0.75 6\n 8 0.5 6\n 12 0 7\n");
	cr_expect(g_file_test(svg, G_FILE_TEST_IS_REGULAR));
	result_free(&r);
}

Test(size_cli, bad_command_lines)
{
	static const struct {
		const char *args[8];
		const char *err;
	} cases[] = {
		{ { "size", "-t", "dma_failed_rate==0" },
		  "cmasim size: -p POLICY is required (see cmasim size --help)\n" },
		{ { "size", "-p", "cma" },
		  "cmasim size: --target is required (see cmasim size --help)\n" },
		{ { "size", "-p", "buddy", "-t", "dma_failed_rate==0" },
		  "cmasim size: policy buddy has no parameter size (see cmasim list)\n" },
		{ { "size", "-p", "cma", "-t", "dma_failed_rate=0" },
		  "cmasim size: --target expects FIGURE<=VALUE (or <, >=, >, ==), such as "
		  "'dma_failed_rate<=0.01' (see cmasim size --help)\n" },
		{ { "size", "-p", "cma", "-t", "policy==cma" },
		  "cmasim size: --target: 'policy' is not a figure with a number; cmasim list "
		  "--figures lists them (see cmasim size --help)\n" },
		{ { "size", "-p", "cma", "-t", "dma_latency_ns_p99<=fast" },
		  "cmasim size: --target: expected a time such as 2ms, or a number of ns after <=, "
		  "got 'fast' (see cmasim size --help)\n" },
		{ { "size", "-p", "cma", "-t", "dma_failed_rate==0", "--points", "1" },
		  "cmasim size: --from, --to and --step expect sizes such as 8MiB (a step above 0), "
		  "--points a number from 2 to 1000 (see cmasim size --help)\n" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct result r = size(cases[i].args);

		cr_expect_eq(r.status, 2, "case %zu: %d", i, r.status);
		cr_expect_str_eq(r.err, cases[i].err, "case %zu", i);
		cr_expect_str_eq(r.out, "", "case %zu", i);
		result_free(&r);
	}
	expect_only(NULL);
}

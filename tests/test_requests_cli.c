// SPDX-License-Identifier: GPL-2.0-only
/*
 * Why a request failed or took long, worked by hand from mm/cma.c:
 * cma_alloc() (6.1). A 1 MiB machine of 256 pages holds a CMA area of
 * 64 pages at pfn 192 (0xc0); one anon page at pfn 200 (0xc8) is pinned.
 *
 * Request a: 16 pages aligned to order 2 (mask 3). Window 0 is [192, 208),
 * which holds 200: busy; the search resumes at bitmap_no + mask + 1 = 4,
 * [196, 212): busy; 8, [200, 216): busy; 12, [204, 220): clear, pfn 204
 * (0xcc). Four attempts, three busy ranges, each blocked by the pinned page.
 * Request b: 16 pages at the default alignment, order 4 (mask 15): bits
 * 0-15 and 16-31 overlap a's 12-27, so the first free window is 32, pfn
 * 224 (0xe0), at the first attempt. Request c: 32 pages, order 5: no
 * window of 32 aligned bits is free, so cma_alloc() fails at once with
 * -ENOMEM and tries no range.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "cli.h"
#include "scratch.h"

static const char machine[] =
	"name: tiny\n"
	"memory:\n"
	"  size: 1MiB\n"
	"  max_page_order: 4\n"
	"  pageblock_order: 4\n"
	"  min_free_kbytes: 128\n"
	"  zones: [ { type: DMA, size: 256KiB }, { type: Normal, size: 768KiB } ]\n"
	"devices:\n"
	"  - { name: dev32, dma_bits: 32 }\n";

static const char workload[] =
	"name: blocked\n"
	"machine: m.yaml\n"
	"events:\n"
	"  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 200, pin: true, id: gup }\n"
	"  - { t: 1ms, op: dma_alloc, device: dev32, size: 64KiB, align: 2, id: a }\n"
	"  - { t: 1500us, op: sample }\n"
	"  - { t: 2ms, op: dma_alloc, device: dev32, size: 64KiB, id: b }\n"
	"  - { t: 3ms, op: dma_alloc, device: dev32, size: 128KiB, id: c }\n";

static void setup(void)
{
	scratch_enter("cmasim-requests-XXXXXX");
	g_free(write_tmp("m.yaml", machine));
	g_free(write_tmp("w.yaml", workload));
}

TestSuite(requests_cli, .init = setup, .fini = scratch_leave);

/* Runs w.yaml under cma with the area above, and @extra options. */
static struct result run_cma(const char *const *extra)
{
	const char *argv[24] = { "run", "w.yaml", "-p", "cma", "--set", "size=256KiB", "--set",
				 "base=0xC0000", "-f", "csv", "-o", "figures.csv" };
	size_t n = 12;

	for (; *extra; extra++)
		argv[n++] = *extra;
	return run_in(tmpdir, argv);
}

/* Field @i (from 0) of CSV line @line, which has no quoted field. */
static char *field(const char *line, unsigned int i)
{
	g_auto(GStrv) cells = g_strsplit(line, ",", -1);

	cr_assert_lt(i, g_strv_length(cells), "%s", line);
	return g_strdup(cells[i]);
}

Test(requests_cli, csv_lines_follow_cma_alloc)
{
	static const char *const expect[][8] = {
		/* time, request, device, size, align, outcome, pfn, phys */
		{ "1000000", "a", "dev32", "65536", "2", "ok", "0xcc", "0xcc000" },
		{ "2000000", "b", "dev32", "65536", "", "ok", "0xe0", "0xe0000" },
		{ "3000000", "c", "dev32", "131072", "", "fragmented", "", "" },
	};
	/* attempts, busy ranges, migrated, reclaimed, blockers */
	static const char *const tail[][5] = {
		{ "4", "3", "0", "0", "0xc8+1:anon:pinned:gup;0xc8+1:anon:pinned:gup;"
				      "0xc8+1:anon:pinned:gup" },
		{ "1", "0", "0", "0", "" },
		{ "0", "0", "0", "0", "" },
	};
	struct result r = run_cma((const char *[]){ "--requests", "req.csv", NULL });
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL, header = NULL;
	guint cols, costs_from, costs_to;

	cr_assert_eq(r.status, 0, "%s", r.err);
	text = slurp("req.csv");
	lines = g_strsplit(text, "\n", -1);
	cr_assert_eq(g_strv_length(lines), 5, "a header, three requests and the end:\n%s", text);
	header = g_strsplit(lines[0], ",", -1);
	cols = g_strv_length(header);
	cr_expect_str_eq(header[8], "latency_ns");
	cr_expect_str_eq(header[9], "buddy_ns");
	cr_expect_str_eq(header[cols - 5], "attempts");
	costs_from = 9;
	costs_to = cols - 5;
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t sum = 0;

		for (unsigned int f = 0; f < 8; f++) {
			g_autofree char *got = field(lines[i + 1], f);

			cr_expect_str_eq(got, expect[i][f], "request %u, %s", i, header[f]);
		}
		for (unsigned int f = 0; f < 5; f++) {
			g_autofree char *got = field(lines[i + 1], cols - 5 + f);

			cr_expect_str_eq(got, tail[i][f], "request %u, %s", i, header[cols - 5 + f]);
		}
		/* the latency is its components, each charged once */
		for (unsigned int f = costs_from; f < costs_to; f++) {
			g_autofree char *cost = field(lines[i + 1], f);

			sum += g_ascii_strtoull(cost, NULL, 10);
		}
		g_autofree char *latency = field(lines[i + 1], 8);

		cr_expect_eq(g_ascii_strtoull(latency, NULL, 10), sum, "request %u", i);
	}
	result_free(&r);

	/* the run's summary names the same blocker */
	g_autofree char *figures = slurp("figures.csv");

	cr_expect(strstr(figures, "\nblocking_pages,3\nblocking_pinned_pages,3\n"
				  "blocking_owners,anon 3\ntop_blockers,gup 3x\n"), "%s", figures);
}

Test(requests_cli, json_lines)
{
	struct result r = run_cma((const char *[]){ "--requests", "req.jsonl", NULL });
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	cr_assert_eq(r.status, 0, "%s", r.err);
	text = slurp("req.jsonl");
	lines = g_strsplit(text, "\n", -1);
	cr_assert_eq(g_strv_length(lines), 4, "%s", text);
	cr_expect(g_str_has_prefix(lines[0], "{\"time_ns\": 1000000, \"request\": \"a\", \"device\": "
				   "\"dev32\", \"size_bytes\": 65536, \"align_order\": 2, \"outcome\": "
				   "\"ok\", \"pfn\": 204, \"phys_addr\": 835584, \"latency_ns\": "),
		  "%s", lines[0]);
	cr_expect(g_str_has_suffix(lines[0], "\"attempts\": 4, \"busy_ranges\": 3, \"migrated_pages\": "
				   "0, \"reclaimed_pages\": 0, \"blockers\": [{\"pfn\": 200, \"pages\": "
				   "1, \"why\": \"pinned\", \"owner\": \"anon\", \"allocation\": \"gup\"}, "
				   "{\"pfn\": 200, \"pages\": 1, \"why\": \"pinned\", \"owner\": \"anon\", "
				   "\"allocation\": \"gup\"}, {\"pfn\": 200, \"pages\": 1, \"why\": "
				   "\"pinned\", \"owner\": \"anon\", \"allocation\": \"gup\"}]}"),
		  "%s", lines[0]);
	cr_expect(strstr(lines[2], "\"outcome\": \"fragmented\", \"pfn\": null, \"phys_addr\": null"),
		  "%s", lines[2]);
	result_free(&r);
}

/*
 * The kernel's messages: 5.10 prints alloc_contig_range()'s "PFNs busy" for
 * each range migration left busy ([start, end) in hex, as %lx) and
 * cma_alloc()'s failure; 6.1 only the failure; 3.5 neither.
 */
Test(requests_cli, kernel_log_by_profile)
{
	static const char busy[] = "[    0.001000] alloc_contig_range: [c0, d0) PFNs busy\n"
				   "[    0.001000] alloc_contig_range: [c4, d4) PFNs busy\n"
				   "[    0.001000] alloc_contig_range: [c8, d8) PFNs busy\n";
	static const char failed[] = "[    0.003000] cma: cma_alloc: reserved: alloc failed, "
				     "req-size: 32 pages, ret: -12\n";
	g_autofree char *both = g_strconcat(busy, failed, NULL);
	static const char *const kernels[] = { "5.10", "6.1", "3.5" };
	const char *want[] = { both, failed, "" };

	for (unsigned int i = 0; i < G_N_ELEMENTS(kernels); i++) {
		struct result r = run_cma((const char *[]){ "--kernel", kernels[i], "--kernel-log",
							    "dmesg.txt", NULL });
		g_autofree char *log = NULL;

		cr_assert_eq(r.status, 0, "%s", r.err);
		log = slurp("dmesg.txt");
		cr_expect_str_eq(log, want[i], "kernel %s", kernels[i]);
		result_free(&r);
	}
}

Test(requests_cli, bad_command_lines)
{
	struct result same = run_cma((const char *[]){ "--requests", "figures.csv", NULL });
	struct result format = run_cma((const char *[]){ "--requests", "r", "--requests-format",
							 "xml", NULL });

	cr_expect_eq(same.status, 2);
	cr_expect_str_eq(same.err, "cmasim run: -o, --timeline, --map, --requests and --kernel-log "
				   "name the same file; the one would replace the other (see cmasim "
				   "run --help)\n");
	cr_expect_eq(format.status, 2);
	cr_expect_str_eq(format.err, "cmasim run: --requests-format expects csv or jsonl (see "
				     "cmasim run --help)\n");
	expect_only((const char *[]){ "m.yaml", "w.yaml", NULL });
	result_free(&same);
	result_free(&format);
}

/* compare --requests DIR holds each policy's log, the one run --requests writes. */
Test(requests_cli, compare_writes_what_run_writes)
{
	struct result cmp = run_in(tmpdir, (const char *[]){ "compare", "w.yaml", "-p",
							     "cma,buddy", "--set", "cma.size=256KiB",
							     "--set", "cma.base=0xC0000", "-o",
							     "c.txt", "--requests", "logs",
							     "--requests-format", "jsonl", NULL });
	struct result cma = run_cma((const char *[]){ "--requests", "cma.jsonl", NULL });
	struct result buddy = run_in(tmpdir, (const char *[]){ "run", "w.yaml", "-p", "buddy",
							       "-o", "r.txt", "--requests",
							       "buddy.jsonl", NULL });
	g_autofree char *cma_dir = NULL, *cma_run = NULL, *buddy_dir = NULL, *buddy_run = NULL;

	cr_assert_eq(cmp.status, 0, "%s", cmp.err);
	cr_assert_eq(cma.status, 0, "%s", cma.err);
	cr_assert_eq(buddy.status, 0, "%s", buddy.err);
	cma_dir = slurp("logs/cma.jsonl");
	cma_run = slurp("cma.jsonl");
	buddy_dir = slurp("logs/buddy.jsonl");
	buddy_run = slurp("buddy.jsonl");
	cr_expect_str_eq(cma_dir, cma_run);
	cr_expect_str_eq(buddy_dir, buddy_run);
	result_free(&cmp);
	result_free(&cma);
	result_free(&buddy);
}

/*
 * The pageblock map (16 pageblocks of 16 pages) under carveout, whose pool
 * is pfns 128-159 (pageblocks 8 and 9): before anything, the pool is
 * reserved (R), and the section of the linear map it leaves was split at
 * boot, its page table an unmovable page that the fallback took from
 * Normal's first block, pageblock 4 (U); at the sample, a (16 pages, first
 * fit) holds pageblock 8 (D), 9 is idle, and the pinned page makes
 * pageblock 12 P; at the end b holds 9 too and c (32 pages) found no room.
 */
Test(requests_cli, pageblock_map)
{
	struct result r = run_in(tmpdir, (const char *[]){ "run", "w.yaml", "-p", "carveout",
							   "--set", "size=128KiB", "--set",
							   "base=0x80000", "-o", "r.txt", "--map",
							   "map.csv", NULL });
	g_autofree char *map = NULL;

	cr_assert_eq(r.status, 0, "%s", r.err);
	map = slurp("map.csv");
	cr_expect_str_eq(map, "time_ns,map\n"
			 "0,FFFFUFFFRRFFFFFF\n"
			 "1500000,FFFFUFFFDRFFPFFF\n"
			 "3000000,FFFFUFFFDDFFPFFF\n");
	result_free(&r);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * `cmasim cache` as users call it: figures worked by hand for small traces
 * in each format, every output format, exit codes and messages, no partial
 * output files, and cachegrind's figures end to end.
 *
 * The machine is a minimal config file, so its cache is the loader's
 * default; the options then set everything the figures depend on.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmasim/report.h"
#include "cli.h"
#include "scratch.h"

static char *machine;

/* A temporary directory with a minimal machine config in it. */
static void setup(void)
{
	scratch_enter("cmasim-cache-cli-XXXXXX");
	machine = write_tmp("machine.yaml", "name: t\nmemory: { size: 64MiB }\n");
}

/* Removes the temporary directory and what the test left in it. */
static void teardown(void)
{
	scratch_leave();
	g_clear_pointer(&machine, g_free);
}

TestSuite(cache_cli, .init = setup, .fini = teardown);

/*
 * 1 KiB, 2 ways, 64-byte lines: 8 sets, set = (address >> 6) & 7.
 *   W 0 4     line 0, set 0: miss, dirty
 *   R 200 8   line 8, set 0: miss
 *   R 400 4   line 16, set 0: miss, evicts line 0, dirty: a read's write-back
 *   W 3c 8    lines 0 and 1: line 0 misses and evicts 8 (clean), line 1 misses: one miss
 *   R 40 4    line 1: hit
 *   W 204 4   line 8, set 0: miss, evicts 16 (clean)
 *   R 0 4     line 0: hit
 * Reads 4: 2 hits, 2 misses, 1 write-back; writes 3: 3 misses; 5 misses in 7.
 */
static const char plain_trace[] =
	"# worked by hand\n"
	"W 0 4\nR 200 8\nR 400 4\nW 3c 8\nR 40 4\nW 204 4\nR 0 4\n";

#define GEOMETRY "--size", "1KiB", "--ways", "2", "--line", "64", "--indexing", "pipt", \
		 "--write-policy", "wb", "--prefetcher", "none"

/* The JSON of the trace above, after the schema, version, format and trace hash. */
static const char plain_json[] =
	"  \"cache_size_bytes\": 1024,\n"
	"  \"cache_ways\": 2,\n"
	"  \"cache_line_bytes\": 64,\n"
	"  \"cache_sets\": 8,\n"
	"  \"cache_indexing\": \"pipt\",\n"
	"  \"cache_write_policy\": \"wb\",\n"
	"  \"cache_write_allocate\": true,\n"
	"  \"cache_prefetcher\": \"none\",\n"
	"  \"cache_prefetch_degree\": 1,\n"
	"  \"cache_speculation_rate\": 0.000000,\n"
	"  \"cache_speculation_window_bytes\": 4096,\n"
	"  \"trace_loads\": 4,\n"
	"  \"trace_stores\": 3,\n"
	"  \"trace_modifies\": 0,\n"
	"  \"trace_instruction_fetches\": 0,\n"
	"  \"trace_cleans\": 0,\n"
	"  \"trace_invalidates\": 0,\n"
	"  \"read_accesses\": 4,\n"
	"  \"read_hits\": 2,\n"
	"  \"read_misses\": 2,\n"
	"  \"read_writebacks\": 1,\n"
	"  \"read_miss_rate\": 0.5000,\n"
	"  \"write_accesses\": 3,\n"
	"  \"write_hits\": 0,\n"
	"  \"write_misses\": 3,\n"
	"  \"write_writebacks\": 0,\n"
	"  \"write_miss_rate\": 1.0000,\n"
	"  \"total_accesses\": 7,\n"
	"  \"total_hits\": 2,\n"
	"  \"total_misses\": 5,\n"
	"  \"total_writebacks\": 1,\n"
	"  \"miss_rate\": 0.7143,\n"
	"  \"prefetch_fills\": 0,\n"
	"  \"speculative_fills\": 0,\n"
	"  \"prefetch_writebacks\": 0,\n"
	"  \"maintenance_line_ops\": 0,\n"
	"  \"maintenance_writebacks\": 0,\n"
	"  \"dirty_invalidates\": 0,\n"
	"  \"aliases\": 0\n"
	"}\n";

Test(cache_cli, a_plain_trace_worked_by_hand_in_every_format)
{
	g_autofree char *trace = write_tmp("t.txt", plain_trace);
	struct result r = run((const char *[]){ "cache", trace, "-m", machine, GEOMETRY,
						"-f", "json", NULL });

	/* the hash of the trace's bytes, worked out apart from cmasim */
	g_autofree char *sha256 = g_compute_checksum_for_string(G_CHECKSUM_SHA256, plain_trace, -1);
	g_autofree char *json = g_strdup_printf("{\n"
						"  \"schema\": \"cmasim-cache/2\",\n"
						"  \"cmasim_version\": \"%s\",\n"
						"  \"trace_format\": \"plain\",\n"
						"  \"trace_sha256\": \"%s\",\n%s",
						cmasim_version(), sha256, plain_json);

	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, json);
	cr_expect_str_eq(r.err, "");
	result_free(&r);

	/* the table: one aligned "figure  value" line each, the same figures */
	r = run((const char *[]){ "cache", trace, "-m", machine, GEOMETRY, NULL });
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(g_str_has_prefix(r.out, "schema                          cmasim-cache/2\n"), "%s",
		  r.out);
	/* sizes in human units, as in every table */
	cr_expect(strstr(r.out, "\ncache_size_bytes                1 KiB\n"), "%s", r.out);
	cr_expect(strstr(r.out, "\nread_writebacks                 1\n"), "%s", r.out);
	cr_expect(strstr(r.out, "\ncache_write_allocate            true\n"), "%s", r.out);
	cr_expect(g_str_has_suffix(r.out, "\naliases                         0\n"), "%s", r.out);
	result_free(&r);

	/* CSV, to a file: nothing on standard output */
	g_autofree char *out = in_tmp("out.csv");
	g_autofree char *csv = NULL;

	r = run((const char *[]){ "cache", trace, "-m", machine, GEOMETRY, "-f", "csv",
				  "-o", out, NULL });
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "");
	cr_assert(g_file_get_contents(out, &csv, NULL, NULL));
	cr_expect(g_str_has_prefix(csv, "figure,value\nschema,cmasim-cache/2\ncmasim_version,"));
	cr_expect(strstr(csv, "\ncache_size_bytes,1024\n"), "%s", csv);
	cr_expect(strstr(csv, "\ntotal_misses,5\ntotal_writebacks,1\nmiss_rate,0.7143\n"), "%s", csv);
	result_free(&r);
}

/* The figure @key of CSV output @csv. */
static uint64_t csv_figure(const char *csv, const char *key)
{
	g_autofree char *needle = g_strdup_printf("\n%s,", key);
	const char *at = strstr(csv, needle);

	cr_assert_not_null(at, "no %s in\n%s", key, csv);
	return g_ascii_strtoull(at + strlen(needle), NULL, 10);
}

Test(cache_cli, lackey_modifies_are_a_read_then_a_write)
{
	/*
	 * M 2000,8: a read that misses, then a write that hits; L 2004,4 hits;
	 * S 3000,4 misses. The I line is skipped and counted.
	 */
	g_autofree char *trace = write_tmp("t.lackey",
					   "==7== Lackey, an example Valgrind tool\n"
					   "I  00001000,4\n"
					   " M 00002000,8\n"
					   " L 00002004,4\n"
					   " S 00003000,4\n"
					   "==7== \n");
	struct result r = run((const char *[]){ "cache", trace, "-m", machine, GEOMETRY,
						"-f", "csv", NULL });

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "\ntrace_format,lackey\n"));
	cr_expect_eq(csv_figure(r.out, "trace_loads"), 1);
	cr_expect_eq(csv_figure(r.out, "trace_stores"), 1);
	cr_expect_eq(csv_figure(r.out, "trace_modifies"), 1);
	cr_expect_eq(csv_figure(r.out, "trace_instruction_fetches"), 1);
	cr_expect_eq(csv_figure(r.out, "read_accesses"), 2);
	cr_expect_eq(csv_figure(r.out, "read_misses"), 1);
	cr_expect_eq(csv_figure(r.out, "write_accesses"), 2);
	cr_expect_eq(csv_figure(r.out, "write_hits"), 1);
	cr_expect_eq(csv_figure(r.out, "write_misses"), 1);
	result_free(&r);
}

Test(cache_cli, din_copy_back_and_invalidate_records_maintain_the_cache)
{
	/*
	 *   1 1000 4    write miss, line 0x1000 dirty
	 *   1 1040      write miss (no size: 4 bytes), line 0x1040 dirty
	 *   4 1000 128  copy-back of lines 0x1000 and 0x1040: 2 line operations, 2 write-backs
	 *   1 1000 4    write hit, dirty again
	 *   5 1000 64   invalidate: 1 line operation, dirty data dropped
	 *   0 1000      read miss
	 *   2 400       instruction fetch, skipped
	 */
	g_autofree char *trace = write_tmp("t.din", "1 1000 4\n1 1040\n4 1000 128\n1 1000 4\n"
					   "5 1000 64\n0 1000\n2 400\n");
	struct result r = run((const char *[]){ "cache", trace, "-m", machine, GEOMETRY,
						"-f", "csv", NULL });

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "\ntrace_format,din\n"));
	cr_expect_eq(csv_figure(r.out, "trace_cleans"), 1);
	cr_expect_eq(csv_figure(r.out, "trace_invalidates"), 1);
	cr_expect_eq(csv_figure(r.out, "trace_instruction_fetches"), 1);
	cr_expect_eq(csv_figure(r.out, "maintenance_line_ops"), 3);
	cr_expect_eq(csv_figure(r.out, "maintenance_writebacks"), 2);
	cr_expect_eq(csv_figure(r.out, "dirty_invalidates"), 1);
	cr_expect_eq(csv_figure(r.out, "write_accesses"), 3);
	cr_expect_eq(csv_figure(r.out, "write_hits"), 1);
	cr_expect_eq(csv_figure(r.out, "read_misses"), 1);
	result_free(&r);
}

Test(cache_cli, prefetch_and_policy_options_change_the_figures)
{
	/*
	 * Next-line: the miss on 0x1000 fetches 0x1040, so the read of 0x1040
	 * hits. Without write-allocate the first write of 0x2000 misses and
	 * goes to memory, yet its miss fetches 0x2040; the second misses too,
	 * and 0x2040 is there already.
	 */
	g_autofree char *trace = write_tmp("t.txt", "R 1000 4\nR 1040 4\nW 2000 4\nW 2000 4\n");
	struct result r = run((const char *[]){ "cache", trace, "-m", machine, GEOMETRY,
						"--prefetcher", "next-line", "--write-policy", "wt",
						"--no-write-allocate", "-f", "csv", NULL });

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "\ncache_prefetcher,next-line\n"));
	cr_expect(strstr(r.out, "\ncache_write_policy,wt\ncache_write_allocate,false\n"));
	cr_expect_eq(csv_figure(r.out, "prefetch_fills"), 2);
	cr_expect_eq(csv_figure(r.out, "read_hits"), 1);
	cr_expect_eq(csv_figure(r.out, "write_misses"), 2);
	result_free(&r);
}

Test(cache_cli, cachegrinds_figures_end_to_end)
{
	/* the fixture's first geometry, 32768,8,64: Dr 53739 D1mr 5118 Dw 21920 D1mw 2375 */
	g_autofree char *trace = g_build_filename(CMASIM_SOURCE_ROOT, "tests", "fixtures",
						  "cachegrind", "lackey.txt.gz", NULL);
	struct result r = run((const char *[]){ "cache", trace, "-m", machine, "--size",
						"32KiB", "--ways", "8", "--line", "64", "-f", "csv",
						NULL });

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_eq(csv_figure(r.out, "read_accesses"), 53739);
	cr_expect_eq(csv_figure(r.out, "read_misses"), 5118);
	cr_expect_eq(csv_figure(r.out, "write_accesses") - csv_figure(r.out, "trace_modifies"),
		     21920);
	cr_expect_eq(csv_figure(r.out, "write_misses"), 2375);
	result_free(&r);
}

/* A command line that exits 2 with @message on standard error. */
struct bad_option {
	const char *args[6];
	const char *message;
};

Test(cache_cli, bad_options_exit_2_with_a_message)
{
	g_autofree char *trace = write_tmp("t.txt", plain_trace);
	static const struct bad_option rows[] = {
		{ { NULL }, "cmasim cache: expected one trace (see cmasim cache --help)\n" },
		{ { "--size", "lots" },
		  "cmasim cache: --size expects a size such as 32KiB (see cmasim cache --help)\n" },
		{ { "--ways", "0" },
		  "cmasim cache: --ways expects a whole number from 1 (see cmasim cache --help)\n" },
		{ { "--line", "x" }, "cmasim cache: --line expects a number of bytes, such as 64 "
		  "(see cmasim cache --help)\n" },
		{ { "--indexing", "pivt" },
		  "cmasim cache: --indexing expects pipt, vipt or vivt (see cmasim cache --help)\n" },
		{ { "--write-policy", "back" },
		  "cmasim cache: --write-policy expects wb or wt (see cmasim cache --help)\n" },
		{ { "--prefetcher", "psychic" }, "cmasim cache: --prefetcher expects none, "
		  "next-line, stride or speculative (see cmasim cache --help)\n" },
		{ { "--speculation-rate", "1.5" }, "cmasim cache: --speculation-rate expects a rate "
		  "from 0 to 1, such as 0.25 (see cmasim cache --help)\n" },
		{ { "--speculation-window", "near" }, "cmasim cache: --speculation-window expects a "
		  "size such as 4KiB (see cmasim cache --help)\n" },
		{ { "--prefetch-degree", "65" }, "cmasim cache: --prefetch-degree expects a number "
		  "from 0 to 64 (see cmasim cache --help)\n" },
		{ { "--trace-format", "pin" }, "cmasim cache: --trace-format expects auto, lackey, "
		  "din or plain (see cmasim cache --help)\n" },
		{ { "-f", "xml" },
		  "cmasim cache: --format expects table, json or csv (see cmasim cache --help)\n" },
		/* 1 KiB is not a multiple of 3 x 64 */
		{ { "--size", "1KiB", "--ways", "3" }, "cmasim cache: cache: size 1024 bytes is not "
		  "ways x sets x line_size (expected a multiple of 3 x 64 = 192 bytes)\n" },
		{ { "--line", "48" }, "cmasim cache: cache: line_size 48 bytes is not a power of two "
		  "from 4 to the page size, 4096 (expected 32 or 64, say)\n" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		const char *argv[16] = { "cache", "-m", machine };
		unsigned int n = 3;

		if (rows[i].args[0])
			argv[n++] = trace;
		for (const char *const *a = rows[i].args; *a; a++)
			argv[n++] = *a;
		struct result r = run(argv);

		cr_expect_eq(r.status, 2, "row %zu", i);
		cr_expect_str_eq(r.err, rows[i].message, "row %zu", i);
		cr_expect_str_eq(r.out, "", "row %zu", i);
		result_free(&r);
	}
}

Test(cache_cli, bad_traces_exit_1_naming_the_line_and_leave_no_file)
{
	g_autofree char *trace = write_tmp("bad.txt", "R 1000 4\nW 2000 4\nX 3000 4\n");
	g_autofree char *out = in_tmp("out.json");
	g_autofree char *want = g_strdup_printf("cmasim cache: %s:3:1: bad access 'X' (expected R "
						"or W, a blank, the address and the size)\n", trace);
	struct result r = run((const char *[]){ "cache", trace, "-m", machine, "-f", "json",
						"-o", out, NULL });

	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(r.err, want);
	cr_expect_not(g_file_test(out, G_FILE_TEST_EXISTS));
	result_free(&r);
	/* only the machine and the trace: no temporary output left behind */
	expect_only((const char *[]){ "machine.yaml", "bad.txt", NULL });

	g_autofree char *missing = in_tmp("missing.txt");
	g_autofree char *gone = g_strdup_printf("cmasim cache: %s: No such file or directory\n",
						missing);
	r = run((const char *[]){ "cache", missing, "-m", machine, NULL });
	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(r.err, gone);
	result_free(&r);

	/* a trace that is none of the formats */
	g_autofree char *odd = write_tmp("odd.txt", "hello\n");
	g_autofree char *what = g_strdup_printf("cmasim cache: %s:1:1: cannot tell the trace format "
						"from 'hello' (expected a lackey, DineroIV din or "
						"plain R/W record, or the format named)\n", odd);
	r = run((const char *[]){ "cache", odd, "-m", machine, NULL });
	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(r.err, what);
	result_free(&r);
}

Test(cache_cli, help_has_examples_and_the_command_is_listed)
{
	struct result r = run((const char *[]){ "cache", "--help", NULL });

	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "Examples:\n  valgrind --tool=lackey"), "%s", r.out);
	cr_expect(strstr(r.out, "--no-write-allocate"));
	result_free(&r);

	r = run((const char *[]){ "--help", NULL });
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "\n  cache    run an address trace through a data cache"), "%s", r.out);
	result_free(&r);
}

/*
 * The speculative prefetcher runs on a trace, every address taken as
 * cacheable memory. Reads of every other line, 300 of them: a speculation
 * one line either side of an access can never fill the next line read, two
 * lines on, so every read misses; with a rate of 1 each read proposes one
 * of its line (present) and the two beside it (absent unless filled
 * before): some fills, never more than one a read. At rate 0, none.
 */
Test(cache_cli, speculative_prefetcher_runs_on_a_trace)
{
	g_autoptr(GString) text = g_string_new(NULL);
	g_autofree char *trace = NULL;

	for (unsigned int i = 0; i < 300; i++)
		g_string_append_printf(text, "R %x 4\n", i * 128);
	trace = write_tmp("stride.txt", text->str);
	struct result on = run((const char *[]){ "cache", trace, "-m", machine, "--size", "64KiB",
						 "--prefetcher", "speculative", "--speculation-rate",
						 "1", "--speculation-window", "64", "-f", "csv",
						 NULL });
	struct result again = run((const char *[]){ "cache", trace, "-m", machine, "--size",
						    "64KiB", "--prefetcher", "speculative",
						    "--speculation-rate", "1", "--speculation-window",
						    "64", "-f", "csv", NULL });
	struct result off = run((const char *[]){ "cache", trace, "-m", machine, "--size", "64KiB",
						  "--prefetcher", "speculative", "-f", "csv", NULL });

	cr_assert_eq(on.status, 0, "%s", on.err);
	cr_expect(strstr(on.out, "\ncache_prefetcher,speculative\n"), "%s", on.out);
	cr_expect(strstr(on.out, "\nread_misses,300\n"), "%s", on.out);
	cr_expect_gt(csv_figure(on.out, "speculative_fills"), 0);
	cr_expect_leq(csv_figure(on.out, "speculative_fills"), 300);
	cr_expect_str_eq(again.out, on.out);
	cr_expect_eq(csv_figure(off.out, "speculative_fills"), 0);
	result_free(&on);
	result_free(&again);
	result_free(&off);
}

/* A trace with no data accesses has no miss rate: said on standard error, n/a in the table. */
Test(cache_cli, empty_trace_warns)
{
	g_autofree char *trace = write_tmp("empty.txt", "# nothing here\n");
	struct result r = run((const char *[]){ "cache", trace, "-m", machine, "--trace-format",
						"plain", NULL });
	g_autofree char *want = g_strdup_printf("cmasim cache: warning: %s has no data accesses; "
						"its miss rates have no value\n", trace);

	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.err, want);
	cr_expect(strstr(r.out, "\nmiss_rate                       n/a\n"), "%s", r.out);
	result_free(&r);
}

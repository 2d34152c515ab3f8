// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim import on a real capture: tests/fixtures/capture-vm is what
 * scripts/capture-trace recorded on a 25 GiB x86-64 VM running Linux
 * 6.18 (before/ and after/ snapshots, trace.txt.gz between them; see
 * tests/fixtures/capture-vm/README). The import's summary and the /proc
 * dumps of the machine it writes are golden; its free blocks are checked
 * against a second, naive reading of the same kpageflags, and against
 * /proc/buddyinfo read at the same time. With CMASIM_LONG_TESTS (suite
 * slow), the trace is replayed from the first snapshot and the result
 * compared with the second.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "cli.h"
#include "scratch.h"

#define FIXTURE "tests/fixtures/capture-vm"
#define MAX_ORDER 10		/* buddyinfo's 11 columns */
#define KPF_BUDDY 10		/* include/uapi/linux/kernel-page-flags.h */

static void setup(void)
{
	scratch_enter("cmasim-import-XXXXXX");
}

TestSuite(import_cli, .init = setup, .fini = scratch_leave);

/* cmasim in the source root, where the fixture's path is relative (and so the same in outputs). */
static struct result in_root(const char *const *argv)
{
	return run_in(CMASIM_SOURCE_ROOT, argv);
}

/* Imports snapshot @capture into folder @name of the scratch directory; its path. */
static char *import(const char *capture, const char *name)
{
	char *out = in_tmp(name);
	struct result r = in_root((const char *[]){ "import", "snapshot", capture, "-o", out, NULL });

	cr_assert_eq(r.status, 0, "%s", r.err);
	result_free(&r);
	return out;
}

/* A zone of zoneinfo as a second reader sees it: name, start_pfn, spanned and per-cpu pages. */
struct zone {
	char name[16];
	uint64_t start, spanned, pcp;
};

/* Reads the populated zones of @path (the lines "Node 0, zone", "spanned", "start_pfn:", "count:"). */
static unsigned int read_zones(const char *path, struct zone *zones)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	unsigned int n = 0;
	struct zone z = { 0 };

	cr_assert(g_file_get_contents(path, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines;; l++) {
		char name[16];
		uint64_t v;

		if (!*l || sscanf(*l, "Node 0, zone %15s", name) == 1) {
			if (z.spanned)
				zones[n++] = z;
			if (!*l)
				return n;
			z = (struct zone){ 0 };
			g_strlcpy(z.name, name, sizeof(z.name));
		} else if (sscanf(*l, " spanned %" SCNu64, &v) == 1) {
			z.spanned = v;
		} else if (sscanf(*l, " start_pfn: %" SCNu64, &v) == 1) {
			z.start = v;
		} else if (sscanf(*l, " count: %" SCNu64, &v) == 1) {
			z.pcp += v;
		}
	}
}

/* Whether each pfn of kpageflags @path carries KPF_BUDDY; *@nr gets how many pfns. */
static bool *read_free(const char *path, uint64_t *nr)
{
	g_autoptr(GFile) f = g_file_new_for_path(path);
	g_autoptr(GInputStream) raw = G_INPUT_STREAM(g_file_read(f, NULL, NULL));
	g_autoptr(GZlibDecompressor) z = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
	g_autoptr(GInputStream) in = g_converter_input_stream_new(raw, G_CONVERTER(z));
	GArray *free = g_array_new(FALSE, FALSE, sizeof(bool));
	uint64_t word;
	gsize got;

	cr_assert_not_null(raw);
	while (g_input_stream_read_all(in, &word, sizeof(word), &got, NULL, NULL) &&
	       got == sizeof(word)) {
		bool b = (GUINT64_FROM_LE(word) >> KPF_BUDDY) & 1;

		g_array_append_val(free, b);
	}
	*nr = free->len;
	return (bool *)g_array_free(free, FALSE);
}

/*
 * The buddy allocator's free blocks of [@start, @end) the naive way: for
 * each order from the largest down, every naturally aligned block inside
 * the zone whose pages are all free and not yet in a larger block.
 */
static void naive_blocks(const bool *free, uint64_t start, uint64_t end, uint64_t *blocks)
{
	g_autofree bool *taken = g_new0(bool, end - start);

	for (int o = MAX_ORDER; o >= 0; o--) {
		uint64_t size = UINT64_C(1) << o;

		for (uint64_t b = (start + size - 1) / size * size; b + size <= end; b += size) {
			bool all = true;

			for (uint64_t p = b; p < b + size && all; p++)
				all = free[p] && !taken[p - start];
			if (!all)
				continue;
			blocks[o]++;
			memset(taken + (b - start), 1, size);
		}
	}
}

/* Free blocks by order of zone @zone in buddyinfo text @text; false when it has no such zone. */
static bool buddyinfo_row(const char *text, const char *zone, uint64_t *blocks)
{
	g_autofree char *key = g_strdup_printf("zone %8s ", zone);
	const char *at = strstr(text, key);

	if (!at)
		return false;
	at += strlen(key);
	for (int o = 0; o <= MAX_ORDER; o++) {
		char *end;

		blocks[o] = g_ascii_strtoull(at, &end, 10);
		cr_assert(end != at, "buddyinfo row of %s is short", zone);
		at = end;
	}
	return true;
}

static uint64_t pages(const uint64_t *blocks)
{
	uint64_t n = 0;

	for (int o = 0; o <= MAX_ORDER; o++)
		n += blocks[o] << o;
	return n;
}

Test(import_cli, snapshot_golden)
{
	g_autofree char *vm = in_tmp("vm");
	g_autofree char *summary_path = g_build_filename(vm, "import.txt", NULL);
	g_autofree char *summary = NULL;
	struct result r = in_root((const char *[]){ "import", "snapshot", FIXTURE "/before", "-o",
						     vm, NULL });
	struct result info;

	cr_assert_eq(r.status, 0, "%s", r.err);
	expect_golden("import-snapshot-vm.txt", r.out);
	cr_assert(g_file_get_contents(summary_path, &summary, NULL, NULL));
	cr_expect_str_eq(summary, r.out);
	info = run((const char *[]){ "info", vm, "--pagetypeinfo", NULL });
	cr_assert_eq(info.status, 0, "%s", info.err);
	expect_golden("info-capture-vm.txt", info.out);
	result_free(&r);
	result_free(&info);
}

/* The same capture gives the same folder, byte for byte. */
Test(import_cli, deterministic)
{
	g_autofree char *a = import(FIXTURE "/before", "vm");
	g_autofree char *b = g_build_filename(tmpdir, "again", "vm", NULL);
	g_autofree char *parent = g_path_get_dirname(b);
	static const char *const files[] = { "machine.yaml", "initial.state.gz", "import.txt" };

	cr_assert_eq(g_mkdir(parent, 0755), 0);
	g_free(import(FIXTURE "/before", "again/vm"));
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *pa = g_build_filename(a, files[i], NULL);
		g_autofree char *pb = g_build_filename(b, files[i], NULL);
		g_autofree char *ta = NULL, *tb = NULL;
		gsize la, lb;

		cr_assert(g_file_get_contents(pa, &ta, &la, NULL));
		cr_assert(g_file_get_contents(pb, &tb, &lb, NULL));
		cr_expect(la == lb && !memcmp(ta, tb, la), "%s differs", files[i]);
	}
}

/*
 * The imported machine boots into the free blocks a naive reading of
 * kpageflags gives, order by order; and they come within what the
 * per-cpu lists held of /proc/buddyinfo read just before or just after
 * kpageflags (zoneinfo's per-cpu counts, read before).
 */
Test(import_cli, free_blocks_as_kpageflags_has_them)
{
	g_autofree char *vm = import(FIXTURE "/before", "vm");
	g_autofree char *before = NULL, *after = NULL;
	struct zone zones[8];
	unsigned int nr = read_zones(CMASIM_SOURCE_ROOT "/" FIXTURE "/before/zoneinfo", zones);
	uint64_t nr_pfns;
	g_autofree bool *free = read_free(CMASIM_SOURCE_ROOT "/" FIXTURE "/before/kpageflags.gz",
					  &nr_pfns);
	struct result info = run((const char *[]){ "info", vm, NULL });

	cr_assert_eq(info.status, 0, "%s", info.err);
	cr_assert(g_file_get_contents(CMASIM_SOURCE_ROOT "/" FIXTURE "/before/buddyinfo", &before,
				      NULL, NULL));
	cr_assert(g_file_get_contents(CMASIM_SOURCE_ROOT "/" FIXTURE "/before/buddyinfo.after",
				      &after, NULL, NULL));
	cr_assert_eq(nr, 3, "DMA, DMA32 and Normal");
	for (unsigned int z = 0; z < nr; z++) {
		uint64_t want[MAX_ORDER + 1] = { 0 }, got[MAX_ORDER + 1], real[MAX_ORDER + 1],
			 real_after[MAX_ORDER + 1];
		uint64_t end = zones[z].start + zones[z].spanned;

		cr_assert_leq(end, nr_pfns);
		naive_blocks(free, zones[z].start, end, want);
		cr_assert(buddyinfo_row(info.out, zones[z].name, got), "%s", info.out);
		for (int o = 0; o <= MAX_ORDER; o++)
			cr_expect_eq(got[o], want[o], "zone %s order %d: %" PRIu64 " != %" PRIu64,
				     zones[z].name, o, got[o], want[o]);
		cr_assert(buddyinfo_row(before, zones[z].name, real));
		cr_assert(buddyinfo_row(after, zones[z].name, real_after));
		uint64_t p = pages(got), pb = pages(real), pa = pages(real_after);
		uint64_t d = MIN(p > pb ? p - pb : pb - p, p > pa ? p - pa : pa - p);

		cr_expect_leq(d, zones[z].pcp, "zone %s: %" PRIu64 " free pages, buddyinfo %" PRIu64
			      " and %" PRIu64 ", per-cpu lists %" PRIu64, zones[z].name, p, pb, pa,
			      zones[z].pcp);
	}
	result_free(&info);
}

/* What the trace import says, and the workload's header. */
Test(import_cli, ftrace)
{
	g_autofree char *w = in_tmp("w.yaml");
	g_autofree char *text = NULL;
	struct result r = in_root((const char *[]){ "import", "ftrace", FIXTURE "/trace.txt.gz",
						     "-o", w, "-m", "vm", NULL });
	char *events;

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(g_file_get_contents(w, &text, NULL, NULL));
	events = strstr(text, "\nevents:\n");
	cr_assert_not_null(events);
	events[1] = '\0';
	g_autofree char *both = g_strconcat(r.out, text, NULL);

	expect_golden("import-ftrace-vm.txt", both);
	result_free(&r);
}

Test(import_cli, bad_input)
{
	g_autofree char *vm = in_tmp("vm");
	g_autofree char *bad = write_tmp("bad.txt", "hello\n");
	g_autofree char *mine_dir = in_tmp("mine");
	g_autofree char *mine = NULL;
	struct result r;

	cr_assert_eq(g_mkdir(mine_dir, 0755), 0);
	mine = write_tmp("mine/file", "x");

	r = in_root((const char *[]){ "import", "snapshot", "tests/fixtures/none", "-o", vm, NULL });
	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(r.err, "cmasim import snapshot: tests/fixtures/none/capture.txt: missing "
			 "(expected a folder scripts/capture-snapshot wrote)\n");
	cr_expect_not(g_file_test(vm, G_FILE_TEST_EXISTS));
	result_free(&r);
	r = in_root((const char *[]){ "import", "snapshot", FIXTURE "/before", NULL });
	cr_expect_eq(r.status, 2);
	result_free(&r);
	/* a folder of someone else's files is not replaced */
	r = in_root((const char *[]){ "import", "snapshot", FIXTURE "/before", "-o", mine_dir,
				      NULL });
	cr_expect_eq(r.status, 1);
	cr_expect(g_file_test(mine, G_FILE_TEST_EXISTS));
	result_free(&r);
	r = run((const char *[]){ "import", "ftrace", bad, NULL });
	cr_expect_eq(r.status, 1);
	g_autofree char *want = g_strdup_printf("cmasim import ftrace: %s:1:1: expected an event "
						"line \"TASK-PID [CPU] SECONDS: EVENT: "
						"FIELDS\"\n", bad);
	cr_expect_str_eq(r.err, want);
	result_free(&r);
	r = run((const char *[]){ "import", NULL });
	cr_expect_eq(r.status, 2);
	result_free(&r);
}

#ifdef CMASIM_LONG_TESTS
/*
 * The trace replayed from the first snapshot ends within what the
 * per-cpu lists hold of the second: the per-cpu lists are traced, so
 * what is left is what changed while the snapshots were read, and what
 * no event shows (the balloon driver's free page reporting, which takes
 * blocks of order 9 and up off the lists for a while).
 */
Test(import_cli, replay_ends_as_the_after_snapshot, .timeout = 600)
{
	g_autofree char *vm = import(FIXTURE "/before", "vm");
	g_autofree char *after = import(FIXTURE "/after", "after");
	g_autofree char *w = in_tmp("w.yaml");
	struct zone zones[8];
	unsigned int nr = read_zones(CMASIM_SOURCE_ROOT "/" FIXTURE "/after/zoneinfo", zones);
	struct result r = in_root((const char *[]){ "import", "ftrace", FIXTURE "/trace.txt.gz",
						     "-o", w, NULL });
	struct result run_r, info;

	cr_assert_eq(r.status, 0, "%s", r.err);
	run_r = run((const char *[]){ "run", w, "-m", vm, "-p", "buddy", "--check-invariants",
				      "-f", "csv", "--figures", "zone_*_buddyinfo,pfn_*", NULL });
	cr_assert_eq(run_r.status, 0, "%s", run_r.err);
	info = run((const char *[]){ "info", after, NULL });
	cr_assert_eq(info.status, 0, "%s", info.err);
	for (unsigned int z = 0; z < nr; z++) {
		g_autofree char *key = g_strdup_printf("zone_%s_buddyinfo,", zones[z].name);
		const char *at = strstr(run_r.out, key);
		uint64_t got[MAX_ORDER + 1], want[MAX_ORDER + 1];

		cr_assert_not_null(at, "%s", run_r.out);
		at += strlen(key);
		for (int o = 0; o <= MAX_ORDER; o++) {
			char *end;

			got[o] = g_ascii_strtoull(at, &end, 10);
			at = end;
		}
		cr_assert(buddyinfo_row(info.out, zones[z].name, want));
		uint64_t p = pages(got), q = pages(want);

		cr_expect_leq(p > q ? p - q : q - p, zones[z].pcp, "zone %s: replay %" PRIu64
			      " free pages, after snapshot %" PRIu64, zones[z].name, p, q);
	}
	result_free(&r);
	result_free(&run_r);
	result_free(&info);
}
#endif

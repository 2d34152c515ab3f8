// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim check as CI runs it: a regression fails it (exit 1) and names the
 * case and figure in the text and in JUnit XML that the JUnit schema
 * accepts; bad gate files, missing and stale baselines exit 2 and write
 * nothing.
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <string.h>

#include "cli.h"
#include "scratch.h"

static void setup(void)
{
	scratch_enter("cmasim-check-XXXXXX");
}

TestSuite(check, .init = setup, .fini = scratch_leave);

/*
 * idle-device makes one request, 16 MiB for the GPU. buddy fails it (order
 * 12 is above its largest block), cma serves it from its area: failed
 * rates 1 and 0 when the baseline is recorded.
 */
static const char gate[] =
	"baseline: base.yaml\n"
	"cases:\n"
	"  - workload: idle-device\n"
	"    policies: [buddy, cma]\n"
	"    gate:\n"
	"      dma_failed_rate: { baseline: 0 }\n"
	"      dma_ok: { min: 0 }\n";

/* Runs cmasim in the scratch directory, where the files of these tests are. */
static struct result check(const char *const *argv)
{
	return run_in(tmpdir, argv);
}

/* Records gate.yaml's baseline; returns the baseline's text. */
static char *record(void)
{
	g_autofree char *base = in_tmp("base.yaml");
	struct result r = check((const char *[]){ "check", "gate.yaml", "--update-baseline",
						  "base.yaml", NULL });
	char *text = NULL;

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "cmasim check: recorded 2 cases in base.yaml\n");
	cr_assert(g_file_get_contents(base, &text, NULL, NULL));
	result_free(&r);
	return text;
}

/* Whether xmllint accepts @xml against the JUnit schema; its complaint in *@why. */
static bool junit_valid(const char *xml, char **why)
{
	g_autofree char *xsd = g_build_filename(CMASIM_SOURCE_ROOT, "tests", "fixtures", "junit",
						"junit.xsd", NULL);
	const char *argv[] = { "xmllint", "--noout", "--schema", xsd, xml, NULL };
	g_autoptr(GError) error = NULL;
	int status;

	cr_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
			       G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, why, &status, &error),
		  "xmllint (Debian's libxml2-utils, which scripts/test installs): %s",
		  error ? error->message : "");
	return g_spawn_check_wait_status(status, NULL);
}

/*
 * The deliberately worse setting: an 8 MiB area cannot hold the 16 MiB
 * request, so cma's failed rate goes from 0 to 1. The check fails, names
 * the case and the figure with both numbers and the limit, and so does the
 * JUnit file, which the schema accepts.
 */
Test(check, a_worse_setting_fails_naming_the_case_and_figure)
{
	g_autofree char *junit = in_tmp("check.xml");
	g_autofree char *xml = NULL, *why = NULL;

	g_free(write_tmp("gate.yaml", gate));
	g_free(record());
	struct result ok = check((const char *[]){ "check", "gate.yaml", NULL });
	struct result worse = check((const char *[]){ "check", "gate.yaml", "--set", "cma.size=8MiB",
						      "--junit", "check.xml", NULL });

	cr_expect_eq(ok.status, 0, "%s", ok.err);
	cr_expect_str_eq(ok.out, "pass  idle-device/armv7-1g/buddy\n"
				 "pass  idle-device/armv7-1g/cma\n"
				 "2 cases: 2 passed, 0 failed\n");
	cr_expect_eq(worse.status, 1, "%s", worse.err);
	cr_expect_str_eq(worse.out, "pass  idle-device/armv7-1g/buddy\n"
				    "FAIL  idle-device/armv7-1g/cma\n"
				    "        dma_failed_rate: now 1, baseline 0, limit at most 0 worse "
				    "than the baseline\n"
				    "2 cases: 1 passed, 1 failed\n");
	cr_expect_str_eq(worse.err, "");

	cr_assert(g_file_get_contents(junit, &xml, NULL, NULL));
	cr_expect(junit_valid(junit, &why), "%s\n%s", why, xml);
	const char *want =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"gate.yaml\" tests=\"2\" failures=\"1\" errors=\"0\">\n"
		"  <testsuite name=\"armv7-1g/idle-device\" tests=\"2\" failures=\"1\" errors=\"0\" "
		"skipped=\"0\">\n"
		"    <testcase name=\"buddy\" classname=\"armv7-1g/idle-device\"/>\n"
		"    <testcase name=\"cma\" classname=\"armv7-1g/idle-device\">\n"
		"      <failure type=\"regression\" message=\"dma_failed_rate: now 1, baseline 0, "
		"limit at most 0 worse than the baseline\">dma_failed_rate: now 1, baseline 0, "
		"limit at most 0 worse than the baseline</failure>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"</testsuites>\n";

	cr_expect_str_eq(xml, want);
	result_free(&ok);
	result_free(&worse);
}

/* The schema is strict enough to catch what a CI server would not read. */
Test(check, the_junit_schema_refuses_what_readers_need)
{
	static const char *const bad[] = {
		/* no counts on the suite */
		"<testsuites><testsuite name=\"s\"><testcase name=\"t\"/></testsuite></testsuites>",
		/* a count that is not one */
		"<testsuites><testsuite name=\"s\" tests=\"two\" failures=\"0\" errors=\"0\">"
		"</testsuite></testsuites>",
		/* a case without a name */
		"<testsuites><testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\">"
		"<testcase/></testsuite></testsuites>",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *path = write_tmp("bad.xml", bad[i]);
		g_autofree char *why = NULL;

		cr_expect_not(junit_valid(path, &why), "accepted: %s", bad[i]);
	}
}

/* Runs are deterministic: recording twice gives the same file, byte for byte. */
Test(check, recording_twice_gives_the_same_baseline)
{
	g_free(write_tmp("gate.yaml", gate));
	g_autofree char *first = record();
	g_autofree char *second = record();

	cr_expect_str_eq(second, first);
	cr_expect(strstr(first, "\n  - case: \"idle-device/armv7-1g/cma\"\n"), "%s", first);
	cr_expect(strstr(first, "      dma_failed_rate: 0.0000\n      dma_ok: 1\n"), "%s", first);
}

/* A baseline recorded from other inputs is stale: the check says so and exits 2. */
Test(check, a_stale_baseline_is_refused)
{
	g_autofree char *src = g_build_filename(CMASIM_SOURCE_ROOT, "workloads", "idle-device.yaml",
						NULL);
	g_autofree char *text = NULL, *changed = NULL;

	cr_assert(g_file_get_contents(src, &text, NULL, NULL));
	g_free(write_tmp("w.yaml", text));
	g_free(write_tmp("gate.yaml", "baseline: base.yaml\ncases:\n  - workload: w.yaml\n"
			 "    policy: cma\n    gate: { dma_failed_rate: { baseline: 0 } }\n"));
	struct result rec = check((const char *[]){ "check", "gate.yaml", "--update-baseline",
						    "base.yaml", NULL });

	cr_assert_eq(rec.status, 0, "%s", rec.err);
	/* the same events with a comment more: other bytes, another hash */
	changed = g_strconcat(text, "# edited\n", NULL);
	g_free(write_tmp("w.yaml", changed));

	struct result r = check((const char *[]){ "check", "gate.yaml", "--junit", "check.xml",
						  NULL });
	g_autofree char *then = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
	g_autofree char *now = g_compute_checksum_for_string(G_CHECKSUM_SHA256, changed, -1);
	g_autofree char *want = g_strdup_printf(
		"cmasim check: ./base.yaml: the baseline is stale: case w.yaml/armv7-1g/cma's "
		"workload changed since it was recorded (sha256 %.12s... then, %.12s... now); "
		"record it again with --update-baseline ./base.yaml\n", then, now);

	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, want);
	cr_expect_str_eq(r.out, "");
	expect_only((const char *[]){ "gate.yaml", "w.yaml", "base.yaml", NULL });
	result_free(&rec);
	result_free(&r);
}

/* Bad command lines, gate files and missing baselines: exit 2, a clear message, no file. */
Test(check, bad_input_exits_2_and_writes_nothing)
{
	static const struct {
		const char *argv[8];
		const char *err;	/* the message's start */
	} cases[] = {
		{ { "check", NULL }, "cmasim check: expected one gate file" },
		{ { "check", "typo.yaml", "--junit", "j.xml", NULL },
		  "cmasim check: typo.yaml:4:13: no figure named \"dma_fialed_rate\" (did you mean "
		  "dma_failed_rate? expected one of: seed, end_ns, events, dma_requests, " },
		{ { "check", "gate.yaml", "--junit", "j.xml", NULL },
		  "cmasim check: ./base.yaml: No such file or directory (record a baseline with "
		  "cmasim check gate.yaml --update-baseline ./base.yaml)" },
		{ { "check", "gate.yaml", "--baseline", "none.yaml", NULL },
		  "cmasim check: none.yaml:1:1: the baseline has no \"schema\"" },
		{ { "check", "none.yaml", "--junit", "j.xml", NULL },
		  "cmasim check: none.yaml:4:13: case idle-device/armv7-1g/cma has no figure "
		  "zone_DMA32_free_pages (this machine or workload lacks what it counts)" },
		{ { "check", "gate.yaml", "--set", "cma.sise=1", NULL },
		  "cmasim check: --set sise=1: policy cma has no such parameter" },
		{ { "check", "gate.yaml", "--update-baseline", "b.yaml", "--junit", "j.xml", NULL },
		  "cmasim check: --update-baseline records; it takes no --baseline or --junit" },
	};

	g_free(write_tmp("gate.yaml", gate));
	g_free(write_tmp("typo.yaml", "cases:\n  - workload: idle-device\n    policy: cma\n"
			 "    gate: { dma_fialed_rate: { max: 0 } }\n"));
	g_free(write_tmp("none.yaml", "cases:\n  - workload: idle-device\n    policy: cma\n"
			 "    gate: { zone_DMA32_free_pages: { min: 0 } }\n"));
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct result r = check(cases[i].argv);

		cr_expect_eq(r.status, 2, "case %zu: %s", i, r.err);
		cr_expect(g_str_has_prefix(r.err, cases[i].err), "case %zu:\n%s\nnot\n%s", i, r.err,
			  cases[i].err);
		cr_expect_str_eq(r.out, "", "case %zu", i);
		result_free(&r);
	}
	expect_only((const char *[]){ "gate.yaml", "typo.yaml", "none.yaml", NULL });
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cmasim command as users call it: exit codes, messages, atomic output
 * files, determinism, the built-in bundle, and golden outputs.
 *
 * Golden files live in tests/golden/; CMASIM_REGENERATE_GOLDEN=1 rewrites
 * them from the current build (review the diff before committing).
 */
#include <criterion/criterion.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "cmasim/policy.h"
#include "cmasim/report.h"
#include "cli.h"
#include "scratch.h"

static void setup(void)
{
	scratch_enter("cmasim-cli-XXXXXX");
}

TestSuite(cli, .init = setup, .fini = scratch_leave);

Test(cli, help_and_usage_errors)
{
	struct result r = run((const char *[]){ "--help", NULL });

	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "Usage: cmasim COMMAND"));
	result_free(&r);

	r = run((const char *[]){ "frobnicate", NULL });
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "cmasim: unknown command 'frobnicate'"));
	result_free(&r);

	r = run((const char *[]){ "run", "--format", "xml", NULL });
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "cmasim run: --format expects table, json or csv "
				"(see cmasim run --help)\n");
	result_free(&r);

	r = run((const char *[]){ "run", "--policy", "nope", NULL });
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "cmasim run: no policy named 'nope' (see cmasim list)\n");
	result_free(&r);

	/* a bad --set is a bad command line, as compare's is */
	r = run((const char *[]){ "run", "-p", "cma", "--set", "size=lots", NULL });
	cr_expect_eq(r.status, 2);
	cr_expect(g_str_has_prefix(r.err, "cmasim run: --set size=lots: "), "%s", r.err);
	cr_expect_str_eq(r.out, "");
	result_free(&r);

	static const char *const commands[] = { "run", "compare", "check", "gen", "list", "show",
						"info", "cache" };
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		r = run((const char *[]){ commands[i], "--help", NULL });
		cr_expect_eq(r.status, 0, "%s --help", commands[i]);
		cr_expect(strstr(r.out, "Example"), "%s --help has no examples", commands[i]);
		result_free(&r);
	}
}

/* Every file shipped in @dir is listed by `cmasim list`: the bundle is complete. */
static void expect_all_built_in(const char *list, const char *dir)
{
	g_autofree char *path = g_build_filename(CMASIM_SOURCE_ROOT, dir, NULL);
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;
	unsigned int n = 0;

	cr_assert_not_null(d);
	while ((name = g_dir_read_name(d))) {
		if (!g_str_has_suffix(name, ".yaml"))
			continue;
		g_autofree char *base = g_strndup(name, strlen(name) - 5);
		g_autofree char *line = g_strdup_printf("\n  %-20s ", base);

		cr_expect(strstr(list, line), "%s/%s is not built in", dir, name);
		n++;
	}
	g_dir_close(d);
	cr_expect_gt(n, 2);
}

Test(cli, list_shows_policies_and_every_shipped_file)
{
	struct result r = run((const char *[]){ "list", NULL });

	cr_assert_eq(r.status, 0);
	cr_expect(strstr(r.out, "policies (cmasim run -p NAME; --set NAME=VALUE):\n  carveout "));
	cr_expect(strstr(r.out, "--set trim=... (default true)"));
	expect_all_built_in(r.out, "configs");
	expect_all_built_in(r.out, "workloads");
	/*
	 * each machine's devices with their roles (none for a device named
	 * after its one role), and each workload's needs and the built-in
	 * machines that have them, as their files declare them: legacy-dma30
	 * needs the legacy-dma and usb roles, which the Raspberry Pi 4s and
	 * the x86-64 machines have
	 */
	cr_expect(strstr(r.out, "\n  armv7-1g             ARMv7 Cortex-A15-like phone, 1 GiB at "
				"0x80000000, 768 MiB lowmem\n                       devices: camera, "
				"display, decoder (codec), gpu, legacy (legacy-dma)\n"), "%s", r.out);
	cr_expect(strstr(r.out, "\n  legacy-dma30         a 30-bit legacy DMA master and a PCIe "
				"controller on a Raspberry Pi 4 with a full page cache\n"
				"                       needs: legacy-dma, usb\n"
				"                       machine: rpi4-2g\n"
				"                       runs on: rpi4-2g, rpi4-4g, rpi4-4g-kms, x86-64-32g, "
				"x86-64-8g\n"), "%s", r.out);
	result_free(&r);
}

/* show prints a built-in file byte for byte, to copy and edit. */
Test(cli, show_prints_the_built_in_file)
{
	static const char *const files[][2] = {
		{ "armv6-512m", "configs/armv6-512m.yaml" },
		{ "idle-device", "workloads/idle-device.yaml" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autofree char *path = g_build_filename(CMASIM_SOURCE_ROOT, files[i][1], NULL);
		g_autofree char *text = NULL;
		struct result r = run((const char *[]){ "show", files[i][0], NULL });

		cr_assert(g_file_get_contents(path, &text, NULL, NULL));
		cr_expect_eq(r.status, 0, "%s", r.err);
		cr_expect_str_eq(r.out, text);
		result_free(&r);
	}
	struct result r = run((const char *[]){ "show", "nope", NULL });

	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(r.err, "cmasim show: no built-in machine or workload named 'nope' "
				"(see cmasim list)\n");
	result_free(&r);
}

/* --version and version print the project's version, as every JSON output does. */
Test(cli, version)
{
	static const char *const forms[] = { "--version", "version" };
	g_autofree char *want = g_strdup_printf("cmasim %s\n", cmasim_version());

	for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
		struct result r = run((const char *[]){ forms[i], NULL });

		cr_expect_eq(r.status, 0);
		cr_expect_str_eq(r.out, want);
		result_free(&r);
	}
	/* meson.build's project version, which cmasim_version() is built from */
	g_autofree char *meson = NULL;
	g_autofree char *path = g_build_filename(CMASIM_SOURCE_ROOT, "meson.build", NULL);
	g_autofree char *line = g_strdup_printf("version : '%s',", cmasim_version());

	cr_assert(g_file_get_contents(path, &meson, NULL, NULL));
	cr_expect(strstr(meson, line), "meson.build has no %s", line);
}

Test(cli, run_without_arguments_uses_the_built_in_default)
{
	struct result r = run((const char *[]){ "run", NULL });

	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "machine                "));
	cr_expect(strstr(r.out, "armv7-1g"));
	cr_expect(strstr(r.out, "camera-stream"));
	result_free(&r);
}

Test(cli, same_run_twice_is_byte_identical)
{
	const char *argv[] = { "run", "fragmenting-churn", "--format", "json", NULL };
	struct result a = run(argv), b = run(argv);

	cr_assert_eq(a.status, 0, "%s", a.err);
	cr_expect_str_eq(a.out, b.out);
	cr_expect(strstr(a.out, "\"schema\": \"cmasim-run/2\""));
	result_free(&a);
	result_free(&b);
}

/* A trace whose event on line 4 is no op cmasim knows. */
static const char teleport[] =
	"name: bad\nevents:\n  - { t: 0, op: dma_alloc, device: camera, size: 1MiB, id: a }\n"
	"  - { t: 1ms, op: teleport }\n";

Test(cli, bad_trace_names_the_place_and_writes_nothing)
{
	g_autofree char *trace = write_tmp("bad.yaml", teleport);
	g_autofree char *out = in_tmp("out.json");
	g_autofree char *tl = in_tmp("tl.csv");
	struct result r = run((const char *[]){ "run", trace, "-o", out, "--timeline", tl, NULL });

	cr_expect_eq(r.status, 1);
	g_autofree char *where = g_strdup_printf("cmasim run: %s:4:", trace);
	cr_expect(g_str_has_prefix(r.err, where), "%s", r.err);
	cr_expect_not(g_file_test(out, G_FILE_TEST_EXISTS), "a partial output file was left");
	cr_expect_not(g_file_test(tl, G_FILE_TEST_EXISTS), "a partial timeline was left");
	/* nor a temporary one */
	expect_only((const char *[]){ "bad.yaml", NULL });
	result_free(&r);
}

Test(cli, output_and_timeline_files)
{
	g_autofree char *out = in_tmp("out.csv");
	g_autofree char *tl = in_tmp("tl.csv");
	g_autofree char *text = NULL, *timeline = NULL;
	struct result r = run((const char *[]){ "run", "idle-device", "-f", "csv", "-o", out,
						"--timeline", tl, "--timeline-interval", "1s", NULL });

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "");
	cr_assert(g_file_get_contents(out, &text, NULL, NULL));
	cr_expect(g_str_has_prefix(text, "figure,value\nschema,cmasim-run/2\n"));
	cr_assert(g_file_get_contents(tl, &timeline, NULL, NULL));
	cr_expect(g_str_has_prefix(timeline, "time_ns,dma_requests,dma_ok,dma_bytes,free_pages,"));
	/*
	 * The churn's last frees fall after its 30 s, at a time the report
	 * gives: a row every second up to then, one at the sample event at
	 * 30 s, one at the end; and the header.
	 */
	const char *end = strstr(text, "\nend_ns,");
	cr_assert_not_null(end);
	guint64 end_ns = g_ascii_strtoull(end + 8, NULL, 10), end_s = end_ns / 1000000000;
	g_autofree char *last = g_strdup_printf("%" G_GUINT64_FORMAT ",", end_ns);
	g_auto(GStrv) lines = g_strsplit(timeline, "\n", -1);
	cr_expect_gt(end_s, 30);
	cr_expect_eq(g_strv_length(lines), 1 + (end_s + 1) + 1 + 1 + 1 /* after the last \n */);
	cr_expect(g_str_has_prefix(lines[1], "0,"));
	cr_expect(g_str_has_prefix(lines[2], "1000000000,"));
	cr_expect(g_str_has_prefix(lines[31], "30000000000,"));
	cr_expect(g_str_has_prefix(lines[32], "30000000000,"));
	cr_expect(g_str_has_prefix(lines[end_s + 3], last));

	/* the last row is the state the run ends in: its index on run's scale and order */
	g_auto(GStrv) header = g_strsplit(lines[0], ",", -1);
	g_auto(GStrv) final = g_strsplit(lines[end_s + 3], ",", -1);
	const char *figure = strstr(text, "\nzone_Normal_unusable_index_order10,");
	guint col = 0;

	while (header[col] && strcmp(header[col], "Normal_unusable_index_order10"))
		col++;
	cr_assert_not_null(header[col], "%s", lines[0]);
	cr_assert_not_null(figure);
	g_autofree char *value = g_strndup(figure + 36, strcspn(figure + 36, "\n"));

	cr_expect_str_eq(final[col], value);
	cr_expect_not_null(strchr(value, '.'), "%s", value);
	result_free(&r);
}

Test(cli, output_to_a_device_is_written_in_place)
{
	struct result r = run((const char *[]){ "run", "idle-device", "-o", "/dev/null",
						"--timeline", "/dev/null", NULL });

	cr_expect_eq(r.status, 0, "%s", r.err);
	/* not replaced by a regular file, as a rename over it would */
	cr_expect(g_file_test("/dev/null", G_FILE_TEST_EXISTS) &&
		  !g_file_test("/dev/null", G_FILE_TEST_IS_REGULAR));
	result_free(&r);
}

Test(cli, output_file_gets_the_usual_mode)
{
	g_autofree char *out = in_tmp("mode.txt");
	struct result r = run((const char *[]){ "run", "idle-device", "-o", out, NULL });
	GStatBuf st;
	mode_t mask = umask(0);

	umask(mask);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(g_stat(out, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0666 & ~mask);
	result_free(&r);
}

/* A file that -o replaces keeps its mode: its owner chose who may read it. */
Test(cli, output_file_keeps_the_mode_of_the_one_it_replaces)
{
	g_autofree char *out = write_tmp("private.txt", "old\n");
	GStatBuf st;

	cr_assert_eq(g_chmod(out, 0640), 0);
	struct result r = run((const char *[]){ "run", "idle-device", "-o", out, NULL });

	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(g_stat(out, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0640);
	result_free(&r);
}

/* -o and --timeline on one file would lose one of them: refused before anything runs. */
Test(cli, output_and_timeline_on_one_file_are_refused)
{
	g_autofree char *out = write_tmp("both.csv", "keep me\n");
	g_autofree char *other = g_strdup_printf("%s/./both.csv", tmpdir);
	g_autofree char *text = NULL;
	struct result r = run((const char *[]){ "run", "idle-device", "-o", out, "--timeline",
						other, NULL });

	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "cmasim run: -o, --timeline, --map, --requests and --kernel-log "
				"name the same file; the one would replace the other (see cmasim "
				"run --help)\n");
	cr_assert(g_file_get_contents(out, &text, NULL, NULL));
	cr_expect_str_eq(text, "keep me\n");
	expect_only((const char *[]){ "both.csv", NULL });
	result_free(&r);
}

/*
 * A signal in the middle of a run: the unfinished output and timeline are
 * removed, the run says what stopped it and exits with 128 + the signal.
 */
Test(cli, a_signal_leaves_no_unfinished_file)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	static const char *const names[] = { "SIGINT", "SIGTERM", "SIGHUP" };

	for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
		g_autofree char *out = in_tmp("out.json"), *tl = in_tmp("tl.csv");
		const char *argv[] = { g_getenv("CMASIM"), "run", "fragmenting-churn", "-f", "json",
				       "-o", out, "--timeline", tl, "--timeline-interval", "1ms",
				       NULL };
		g_autofree char *err = NULL;
		g_autoptr(GError) error = NULL;
		gint err_fd, status;
		GPid pid;

		cr_assert(g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
						   G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL,
						   NULL, &err_fd, &error), "%s",
			  error ? error->message : "");
		/* until the timeline's temporary file has some rows in it */
		for (bool started = false; !started;) {
			g_autoptr(GDir) d = g_dir_open(tmpdir, 0, NULL);
			const char *name;

			g_usleep(10000);
			while ((name = g_dir_read_name(d))) {
				g_autofree char *path = in_tmp(name);
				GStatBuf st;

				started |= g_str_has_prefix(name, "tl.csv.") && !g_stat(path, &st) &&
					   st.st_size > 4096;
			}
		}
		cr_assert_eq(kill(pid, sigs[i]), 0);
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		g_spawn_close_pid(pid);
		GIOChannel *ch = g_io_channel_unix_new(err_fd);

		g_io_channel_set_close_on_unref(ch, TRUE);
		g_io_channel_read_to_end(ch, &err, NULL, NULL);
		g_io_channel_unref(ch);
		g_autofree char *want = g_strdup_printf("cmasim run: interrupted by %s; its "
							"unfinished files are removed\n", names[i]);

		cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 128 + sigs[i], "%s: status %d",
			  names[i], status);
		cr_expect_str_eq(err, want);
		expect_only(NULL);
	}
}

/* @text without its lines that hold @key. */
static char *without_line(const char *text, const char *key)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GString *out = g_string_new(NULL);

	for (char **l = lines; *l; l++)
		if (!strstr(*l, key))
			g_string_append_printf(out, "%s\n", *l);
	return g_string_free(out, FALSE);
}

/* @text, which ends in a newline, with @indent before every line but the first. */
static char *indented_by(const char *text, const char *indent)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GString *out = g_string_new(NULL);

	g_string_append_printf(out, "%s%s", indent, lines[0]);
	for (char **l = lines + 1; *l && **l; l++)
		g_string_append_printf(out, "\n%s%s", indent, *l);
	return g_string_free(out, FALSE);
}

Test(cli, gen_expands_to_a_trace_that_replays_identically)
{
	g_autofree char *explicit = in_tmp("explicit.yaml");
	g_autofree char *binary = in_tmp("trace.bin");
	struct result g = run((const char *[]){ "gen", "fragmenting-churn", "-o", explicit, NULL });
	struct result b = run((const char *[]){ "gen", "fragmenting-churn", "--binary", "-o",
						binary, NULL });

	cr_assert_eq(g.status, 0, "%s", g.err);
	cr_assert_eq(b.status, 0, "%s", b.err);
	struct result r0 = run((const char *[]){ "run", "fragmenting-churn", "-f", "json", NULL });
	struct result r1 = run((const char *[]){ "run", explicit, "-f", "json", NULL });
	struct result r2 = run((const char *[]){ "run", binary, "-f", "json", NULL });

	cr_assert_eq(r1.status, 0, "%s", r1.err);
	cr_assert_eq(r2.status, 0, "%s", r2.err);
	/* the same figures; only the inputs' hashes tell the three files apart */
	g_autofree char *j0 = without_line(r0.out, "workload_sha256");
	g_autofree char *j1 = without_line(r1.out, "workload_sha256");
	g_autofree char *j2 = without_line(r2.out, "workload_sha256");

	cr_expect_str_eq(j1, j0);
	cr_expect_str_eq(j2, j0);
	cr_expect_str_neq(r1.out, r0.out);
	result_free(&g);
	result_free(&b);
	result_free(&r0);
	result_free(&r1);
	result_free(&r2);
}

Test(cli, golden_outputs)
{
	static const struct {
		const char *golden;
		const char *argv[8];
	} cases[] = {
		{ "info-armv7-1g.txt", { "info", "armv7-1g", "--pagetypeinfo", NULL } },
		{ "info-x86-64-8g.txt", { "info", "x86-64-8g", NULL } },
		{ "run-camera-stream.txt", { "run", "camera-stream", NULL } },
		{ "run-fragmenting-churn.json", { "run", "fragmenting-churn", "-f", "json", NULL } },
		{ "run-idle-device.csv", { "run", "idle-device", "-f", "csv", NULL } },
		{ "compare-camera-stream.txt", { "compare", "camera-stream", "-p", "buddy,cma", NULL } },
		{ "compare-fragmenting-churn.json",
		  { "compare", "fragmenting-churn", "-p", "buddy,cma", "-f", "json", NULL } },
		{ "compare-idle-device.csv",
		  { "compare", "idle-device", "-p", "buddy,cma", "-f", "csv", NULL } },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct result r = run(cases[i].argv);

		cr_expect_eq(r.status, 0, "%s: %s", cases[i].golden, r.err);
		expect_golden(cases[i].golden, r.out);
		result_free(&r);
	}
}

/* The whole of what `cmasim compare` prints does not depend on how many run at once. */
Test(cli, compare_output_does_not_depend_on_jobs)
{
	static const char *const cases[][3] = {
		/* light workloads: every registered policy runs twice per case */
		{ "idle-device", "json", NULL },
		{ "idle-device", "table", "--set=trim=false" },
		{ "legacy-dma30", "csv", "--seed=9" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct result one = run((const char *[]){ "compare", cases[i][0], "-f", cases[i][1],
							  "-j", "1", cases[i][2], NULL });
		struct result many = run((const char *[]){ "compare", cases[i][0], "-f", cases[i][1],
							   "-j", "8", cases[i][2], NULL });

		cr_assert_eq(one.status, 0, "%s", one.err);
		cr_assert_eq(many.status, 0, "%s", many.err);
		cr_expect_str_eq(one.out, many.out, "%s -f %s: -j 1 and -j 8 differ", cases[i][0],
				 cases[i][1]);
		cr_expect_str_eq(one.err, "");
		result_free(&one);
		result_free(&many);
	}
}

/* The column of @policy in compare's CSV @csv, as "figure,value" rows like run's CSV. */
static char *csv_column(const char *csv, const char *policy)
{
	g_auto(GStrv) lines = g_strsplit(csv, "\n", -1);
	g_auto(GStrv) header = g_strsplit(lines[0], ",", -1);
	GString *out = g_string_new("figure,value\n");
	guint col = 0;

	while (header[col] && strcmp(header[col], policy))
		col++;
	cr_assert_not_null(header[col], "no column %s in %s", policy, lines[0]);
	for (char **l = lines + 1; *l && **l; l++) {
		g_auto(GStrv) cells = g_strsplit(*l, ",", -1);

		cr_assert_eq(g_strv_length(cells), g_strv_length(header), "%s", *l);
		if (*cells[col])
			g_string_append_printf(out, "%s,%s\n", cells[0], cells[col]);
	}
	return g_string_free(out, FALSE);
}

/*
 * @run's CSV without its schema and policy rows, which compare has as its
 * header, and without empty values, which a column cannot tell from none.
 */
static char *without_labels(const char *csv)
{
	g_auto(GStrv) lines = g_strsplit(csv, "\n", -1);
	GString *out = g_string_new(NULL);

	for (char **l = lines; *l && **l; l++)
		if (!g_str_has_prefix(*l, "schema,") && !g_str_has_prefix(*l, "policy,") &&
		    !g_str_has_suffix(*l, ","))
			g_string_append_printf(out, "%s\n", *l);
	return g_string_free(out, FALSE);
}

/*
 * Expects each policy's column of `compare @workload -f csv @options` to be
 * what `run @workload -f csv -p POLICY --set @run_set[i]` prints (no --set
 * where @run_set or its entry is NULL).
 */
static void expect_columns_are_runs(const char *workload, const char *const *options,
				    const char *const *run_set)
{
	const char *argv[16] = { "compare", workload, "-f", "csv" };
	size_t n = 4;

	for (; options && *options; options++)
		argv[n++] = *options;
	struct result cmp = run(argv);

	cr_assert_eq(cmp.status, 0, "%s", cmp.err);
	/* every registered policy, in registry order */
	g_autoptr(GString) header = g_string_new("figure");
	for (unsigned int i = 0; i < cmasim_nr_policies; i++)
		g_string_append_printf(header, ",%s", cmasim_policies[i]->name);
	g_string_append_c(header, '\n');
	cr_expect(g_str_has_prefix(cmp.out, header->str), "%s", cmp.out);

	for (unsigned int i = 0; i < cmasim_nr_policies; i++) {
		const char *name = cmasim_policies[i]->name;
		const char *set = run_set ? run_set[i] : NULL;
		struct result one = run((const char *[]){ "run", workload, "-f", "csv", "-p", name,
							  set ? "--set" : NULL, set, NULL });
		g_autofree char *column = csv_column(cmp.out, name);
		g_autofree char *expected = without_labels(one.out);

		cr_assert_eq(one.status, 0, "%s", one.err);
		cr_expect_str_eq(column, expected, "compare's %s column is not run -p %s", name,
				 name);
		result_free(&one);
	}
	result_free(&cmp);
}

Test(cli, compare_columns_are_what_run_prints)
{
	expect_columns_are_runs("legacy-dma30", NULL, NULL);
}

/*
 * --set NAME=VALUE reaches every policy with that parameter, POLICY.NAME=VALUE
 * that one, whatever they change in the figures.
 */
Test(cli, compare_settings_reach_the_right_policies)
{
	static const char *const options[] = { "--set=trim=false", "--set=cma.size=8MiB", NULL };
	g_autofree const char **run_set = g_new0(const char *, cmasim_nr_policies);

	for (unsigned int i = 0; i < cmasim_nr_policies; i++) {
		const struct cmasim_policy_ops *ops = cmasim_policies[i];

		for (const struct cmasim_param *p = ops->params; p && p->name; p++)
			if (!strcmp(p->name, "trim"))
				run_set[i] = "trim=false";
		if (!strcmp(ops->name, "cma"))
			run_set[i] = "size=8MiB";
	}
	expect_columns_are_runs("idle-device", options, run_set);
}

/* Each policy's object in compare's JSON is the one `run -f json` writes, indented. */
Test(cli, compare_json_holds_what_run_prints)
{
	struct result cmp = run((const char *[]){ "compare", "idle-device", "-f", "json", NULL });

	cr_assert_eq(cmp.status, 0, "%s", cmp.err);
	cr_expect(g_str_has_prefix(cmp.out, "{\n  \"schema\": \"cmasim-compare/2\",\n"));
	for (unsigned int i = 0; i < cmasim_nr_policies; i++) {
		const char *name = cmasim_policies[i]->name;
		struct result one = run((const char *[]){ "run", "idle-device", "-f", "json", "-p",
							  name, NULL });
		g_autofree char *object = indented_by(one.out, "    ");

		cr_assert_eq(one.status, 0, "%s", one.err);
		cr_expect(strstr(cmp.out, object), "no %s object as run prints it", name);
		result_free(&one);
	}
	result_free(&cmp);
}

Test(cli, compare_bad_command_lines)
{
	static const struct {
		const char *argv[8];
		const char *err;
	} cases[] = {
		{ { "compare", "-p", "buddy,nope", NULL },
		  "cmasim compare: no policy named 'nope' (see cmasim list)\n" },
		{ { "compare", "-p", "buddy,,cma", NULL },
		  "cmasim compare: -p expects policy names separated by commas "
		  "(see cmasim compare --help)\n" },
		{ { "compare", "-p", "cma,cma", NULL },
		  "cmasim compare: -p names cma twice (expected each policy once)\n" },
		{ { "compare", "-p", "buddy", "--set", "cma.size=32MiB", NULL },
		  "cmasim compare: --set cma.size=32MiB: policy cma is not compared "
		  "(expected one of: buddy)\n" },
		{ { "compare", "--set", "nope.size=1", NULL },
		  "cmasim compare: --set nope.size=1: no policy named 'nope' (see cmasim list)\n" },
		{ { "compare", "-p", "buddy,cma", "--set", "bogus=1", NULL },
		  "cmasim compare: --set bogus=1: none of the policies compared (buddy, cma) has a "
		  "parameter bogus (see cmasim list)\n" },
		{ { "compare", "-p", "buddy,cma", "--set", "cma.bogus=1", NULL },
		  "cmasim compare: --set bogus=1: policy cma has no such parameter (expected "
		  "name=value with one of: size, base, align_max, order_per_bit, fallback, "
		  "per_device)\n" },
		{ { "compare", "-p", "cma", "--set", "trim=false", NULL },
		  "cmasim compare: --set trim=false: none of the policies compared (cma) has a "
		  "parameter trim (see cmasim list)\n" },
		{ { "compare", "-p", "buddy", "--set", "trim=maybe", NULL },
		  "cmasim compare: --set trim=maybe: expected true or false for trim\n" },
		{ { "compare", "--set", "trim", NULL },
		  "cmasim compare: --set trim: expected name=value or policy.name=value\n" },
		{ { "compare", "-j", "0", NULL },
		  "cmasim compare: --jobs expects a number of jobs from 1 to 4096 "
		  "(see cmasim compare --help)\n" },
		{ { "compare", "-f", "xml", NULL },
		  "cmasim compare: --format expects table, json or csv "
		  "(see cmasim compare --help)\n" },
		{ { "compare", "a", "b", NULL },
		  "cmasim compare: expected one workload, or -w with a list "
		  "(see cmasim compare --help)\n" },
		{ { "compare", "a", "-w", "b,c", NULL },
		  "cmasim compare: expected one workload, or -w with a list "
		  "(see cmasim compare --help)\n" },
		{ { "compare", "-w", "idle-device,", NULL },
		  "cmasim compare: -w and -m expect names separated by commas "
		  "(see cmasim compare --help)\n" },
		{ { "compare", "--figures", "dma_bogus*", NULL },
		  "cmasim compare: --figures: 'dma_bogus*' names no figure (the figures are what run "
		  "-f json prints; README.md lists them) (see cmasim compare --help)\n" },
	};
	g_autofree char *out = in_tmp("out.txt");

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const char *argv[12] = { 0 };
		size_t n = 0;

		for (; cases[i].argv[n]; n++)
			argv[n] = cases[i].argv[n];
		argv[n++] = "-o";
		argv[n++] = out;
		struct result r = run(argv);

		cr_expect_eq(r.status, 2, "case %zu: %s", i, r.err);
		cr_expect_str_eq(r.err, cases[i].err, "case %zu", i);
		cr_expect_str_eq(r.out, "");
		result_free(&r);
	}
	expect_only(NULL);
}

/*
 * A policy that cannot run on the machine fails the comparison with the
 * message `run` gives for it, naming the policy, whichever -j.
 */
Test(cli, compare_policy_that_cannot_run_names_it_and_writes_nothing)
{
	g_autofree char *out = in_tmp("out.json");
	struct result one = run((const char *[]){ "run", "-p", "cma", "--set", "size=2GiB", NULL });
	const char *why = one.err + strlen("cmasim run: ");

	cr_assert_eq(one.status, 1, "%s", one.err);
	cr_assert(g_str_has_prefix(one.err, "cmasim run: policy cma: "), "%s", one.err);
	for (const char *jobs = "1"; jobs; jobs = strcmp(jobs, "1") ? NULL : "2") {
		struct result r = run((const char *[]){ "compare", "-p", "buddy,cma", "--set",
							"cma.size=2GiB", "-j", jobs, "-f", "json",
							"-o", out, NULL });
		g_autofree char *want = g_strdup_printf("cmasim compare: %s", why);

		cr_expect_eq(r.status, 1, "-j %s", jobs);
		cr_expect_str_eq(r.err, want, "-j %s", jobs);
		cr_expect_str_eq(r.out, "");
		result_free(&r);
	}
	expect_only(NULL);
	result_free(&one);
}

/*
 * Comparing all policies (no -p) on a 64-bit machine leaves out
 * cma-highmem, which has no HighMem there, says so on standard error, and
 * gives the others' columns as -p would.
 */
Test(cli, compare_of_all_leaves_out_a_policy_that_cannot_run)
{
	g_autofree char *trace = write_tmp("gpu.yaml", "name: gpu\nevents:\n  - { t: 0, op: "
					   "dma_alloc, device: gpu, size: 4MiB, id: a }\n");
	g_autofree char *others = NULL;
	GString *names = g_string_new(NULL);

	for (unsigned int i = 0; i < cmasim_nr_policies; i++)
		if (strcmp(cmasim_policies[i]->name, "cma-highmem"))
			g_string_append_printf(names, "%s%s", names->len ? "," : "",
					       cmasim_policies[i]->name);
	others = g_string_free(names, FALSE);

	struct result all = run((const char *[]){ "compare", "-m", "x86-64-8g", trace, NULL });
	struct result listed = run((const char *[]){ "compare", "-m", "x86-64-8g", trace, "-p",
						     others, NULL });

	cr_expect_eq(all.status, 0, "%s", all.err);
	cr_expect_str_eq(all.err, "cmasim compare: policy cma-highmem: machine x86-64-8g is 64-bit: "
			 "all its RAM is in the linear map and it has no HighMem; left out\n");
	cr_expect_eq(listed.status, 0, "%s", listed.err);
	cr_expect_str_eq(all.out, listed.out);
	result_free(&all);
	result_free(&listed);
}

Test(cli, compare_bad_trace_names_the_place_and_writes_nothing)
{
	g_autofree char *trace = write_tmp("bad.yaml", teleport);
	g_autofree char *out = in_tmp("out.csv");
	struct result r = run((const char *[]){ "compare", trace, "-f", "csv", "-o", out, NULL });
	struct result one = run((const char *[]){ "run", trace, NULL });

	cr_expect_eq(r.status, 1);
	g_autofree char *where = g_strdup_printf("cmasim compare: %s:4:", trace);
	cr_expect(g_str_has_prefix(r.err, where), "%s", r.err);
	/* the message run gives */
	cr_expect_str_eq(r.err + strlen("cmasim compare"), one.err + strlen("cmasim run"));
	expect_only((const char *[]){ "bad.yaml", NULL });
	result_free(&r);
	result_free(&one);
}

Test(cli, compare_timings_go_to_standard_error_only)
{
	struct result plain = run((const char *[]){ "compare", "idle-device", NULL });
	struct result timed = run((const char *[]){ "compare", "idle-device", "--timings", NULL });

	cr_assert_eq(timed.status, 0, "%s", timed.err);
	cr_expect_str_eq(timed.out, plain.out);
	cr_expect(g_str_has_prefix(timed.err, "cmasim compare: host time of each run, "),
		  "%s", timed.err);
	for (unsigned int i = 0; i < cmasim_nr_policies; i++) {
		g_autofree char *line = g_strdup_printf("\n  %-14s ", cmasim_policies[i]->name);

		cr_expect(strstr(timed.err, line), "no time for %s", cmasim_policies[i]->name);
	}
	result_free(&plain);
	result_free(&timed);
}

/* The display width of a line: µ is one column of two bytes. */
static glong columns(const char *line)
{
	return g_utf8_strlen(line, -1);
}

/*
 * compare on the defaults, as a file or pipe gets it: every line fits 120
 * columns, the summary names every policy once, and the figures' blocks
 * repeat the names column.
 */
Test(cli, compare_table_fits_120_columns)
{
	struct result r = run((const char *[]){ "compare", NULL });
	g_auto(GStrv) lines = g_strsplit(r.out, "\n", -1);
	unsigned int blocks = 0;

	cr_assert_eq(r.status, 0, "%s", r.err);
	for (char **l = lines; *l; l++) {
		cr_expect_leq(columns(*l), 120, "%ld columns: %s", columns(*l), *l);
		blocks += g_str_has_prefix(*l, "figure ");
	}
	cr_expect(g_str_has_prefix(r.out, "camera-stream on armv7-1g, seed 1 (cmasim "), "%s", r.out);
	cr_expect_geq(blocks, 2, "nine policies do not fit one block of 120 columns");
	for (unsigned int i = 0; i < cmasim_nr_policies; i++) {
		g_autofree char *row = g_strdup_printf("\n%-11s ", cmasim_policies[i]->name);

		cr_expect(strstr(r.out, row), "no summary row for %s", cmasim_policies[i]->name);
	}
	result_free(&r);
}

/*
 * A grid: two workloads on their own machines. The JSON holds each pair's
 * runs in order, each what `run` prints for it; the table heads each
 * pair's rows in the one summary with its machine and workload.
 */
Test(cli, compare_grid_of_workloads_and_machines)
{
	static const char *const pairs[][2] = { { "idle-device", "armv7-1g" },
						{ "legacy-dma30", "rpi4-2g" } };
	static const char *const policies[] = { "buddy", "cma" };
	struct result json = run((const char *[]){ "compare", "-w", "idle-device,legacy-dma30",
						   "-p", "buddy,cma", "-f", "json", NULL });
	struct result table = run((const char *[]){ "compare", "-w", "idle-device,legacy-dma30",
						    "-p", "buddy,cma", NULL });
	const char *at = json.out;

	cr_assert_eq(json.status, 0, "%s", json.err);
	cr_expect(strstr(json.out, "  \"machines\": [\"armv7-1g\", \"rpi4-2g\"],\n"
				   "  \"workloads\": [\"idle-device\", \"legacy-dma30\"],\n"
				   "  \"policies\": [\"buddy\", \"cma\"],\n"), "%s", json.out);
	for (size_t w = 0; w < G_N_ELEMENTS(pairs); w++) {
		for (size_t p = 0; p < G_N_ELEMENTS(policies); p++) {
			struct result one = run((const char *[]){ "run", pairs[w][0], "-p",
								  policies[p], "-f", "json", NULL });
			g_autofree char *object = indented_by(one.out, "    ");
			const char *found = strstr(at, object);

			cr_expect(found, "no %s/%s object, in order, as run prints it", pairs[w][0],
				  policies[p]);
			at = found ? found + 1 : at;
			result_free(&one);
		}
	}
	cr_assert_eq(table.status, 0, "%s", table.err);
	cr_expect(g_str_has_prefix(table.out, "2 machine and workload pairs"), "%s", table.out);
	cr_expect(strstr(table.out, "\narmv7-1g/idle-device\nbuddy "), "%s", table.out);
	cr_expect(strstr(table.out, "\nrpi4-2g/legacy-dma30\nbuddy "), "%s", table.out);
	result_free(&json);
	result_free(&table);
}

/* run takes POLICY.NAME=VALUE as compare and policy: sections do, and refuses the same way. */
Test(cli, run_settings_are_compare_s)
{
	struct result plain = run((const char *[]){ "run", "idle-device", "-p", "cma", "--set",
						    "size=8MiB", "-f", "csv", NULL });
	struct result named = run((const char *[]){ "run", "idle-device", "-p", "cma", "--set",
						    "cma.size=8MiB", "-f", "csv", NULL });
	struct result other = run((const char *[]){ "run", "idle-device", "-p", "cma", "--set",
						    "buddy.trim=false", NULL });
	struct result cmp = run((const char *[]){ "compare", "idle-device", "-p", "cma", "--set",
						  "buddy.trim=false", NULL });

	cr_expect_eq(plain.status, 0, "%s", plain.err);
	cr_expect_str_eq(named.out, plain.out);
	cr_expect(strstr(plain.out, "\nsettings,size=8MiB\n"), "%s", plain.out);
	cr_expect_eq(other.status, 2);
	cr_expect_str_eq(other.err, "cmasim run: --set buddy.trim=false: policy buddy is not run "
				    "(expected one of: cma)\n");
	cr_expect_eq(cmp.status, other.status);
	cr_expect_str_eq(cmp.err, "cmasim compare: --set buddy.trim=false: policy buddy is not "
				  "compared (expected one of: cma)\n");
	result_free(&plain);
	result_free(&named);
	result_free(&other);
	result_free(&cmp);
}

/*
 * /proc/pagetypeinfo as 3.5's mm/vmstat.c printed it: migratetype_names[]
 * were Unmovable, Reclaimable, Movable, Reserve, CMA, Isolate. armv7-1g
 * under 3.5 has min 882 in Normal and 64 in HighMem (as below): each
 * rounds up to one pageblock of 1024 pages (setup_zone_migrate_reserve()),
 * the first of each zone, which the memmap at the top of lowmem leaves
 * alone. Normal frees 190 order-10 blocks (two pageblocks hold the
 * memmap), HighMem 64; one of each is the reserve's.
 */
Test(cli, pagetypeinfo_of_3_5)
{
	struct result info = run((const char *[]){ "info", "armv7-1g", "--kernel", "3.5",
						   "--pagetypeinfo", NULL });
	static const char zeros[] = "      0      0      0      0      0      0      0      0      0"
				    "      0";

	cr_assert_eq(info.status, 0, "%s", info.err);
	g_autofree char *normal = g_strdup_printf(
		"Node    0, zone   Normal, type    Unmovable%s      0 \n"
		"Node    0, zone   Normal, type  Reclaimable%s      0 \n"
		"Node    0, zone   Normal, type      Movable%s    189 \n"
		"Node    0, zone   Normal, type      Reserve%s      1 \n"
		"Node    0, zone   Normal, type          CMA%s      0 \n"
		"Node    0, zone   Normal, type      Isolate%s      0 \n", zeros, zeros, zeros,
		zeros, zeros, zeros);
	g_autofree char *highmem = g_strdup_printf(
		"Node    0, zone  HighMem, type      Movable%s     63 \n"
		"Node    0, zone  HighMem, type      Reserve%s      1 \n", zeros, zeros);

	cr_expect(strstr(info.out, normal), "%s", info.out);
	cr_expect(strstr(info.out, highmem), "%s", info.out);
	cr_expect(strstr(info.out,
			 "\nNumber of blocks type     Unmovable  Reclaimable      Movable      Reserve"
			 "          CMA      Isolate \n"
			 "Node 0, zone   Normal            0            0          191            1"
			 "            0            0 \n"
			 "Node 0, zone  HighMem            0            0           63            1"
			 "            0            0 \n"), "%s", info.out);
	/* /proc/buddyinfo counts the reserve's free blocks with the others' */
	g_autofree char *buddyinfo = g_strdup_printf("\nNode 0, zone   Normal%s    190 \n"
						     "Node 0, zone  HighMem%s     64 \n", zeros,
						     zeros);
	cr_expect(strstr(info.out, buddyinfo), "%s", info.out);
	result_free(&info);
}

/*
 * --kernel picks the rules: 3.5's watermarks are min x 5/4 and x 3/2
 * (__setup_per_zone_wmarks() of 3.5), HighMem's min its own (present /
 * 1024, clamped to 32..128) and low and high from its share of min_free
 * pages: armv7-1g's 882 pages of min over 196608 lowmem pages give
 * HighMem's 65536 a share of 294, so 64 + 73 and 64 + 147.
 */
Test(cli, kernel_profile_option)
{
	struct result info = run((const char *[]){ "info", "armv7-1g", "--kernel", "3.5", NULL });
	struct result one = run((const char *[]){ "run", "idle-device", "--kernel", "5.10", "-F",
						  "kernel", "-f", "csv", NULL });
	struct result bad = run((const char *[]){ "run", "--kernel", "4.0", NULL });

	cr_assert_eq(info.status, 0, "%s", info.err);
	cr_expect(strstr(info.out, ", kernel 3.5\n"), "%s", info.out);
	cr_expect(strstr(info.out, "\nNormal        0x80000      0xb0000     196608      882     1102"
				   "     1323\n"
				   "HighMem       0xb0000      0xc0000      65536       64      137"
				   "      211\n"), "%s", info.out);
	cr_assert_eq(one.status, 0, "%s", one.err);
	cr_expect_str_eq(one.out, "figure,value\nschema,cmasim-run/2\npolicy,buddy\nkernel,5.10\n");
	cr_expect_eq(bad.status, 2);
	cr_expect_str_eq(bad.err, "cmasim run: --kernel: no profile '4.0' (expected 3.5, 5.10, "
				  "6.1, 6.10) (see cmasim run --help)\n");
	result_free(&info);
	result_free(&one);
	result_free(&bad);
}

/* A machine larger than the host may give is refused before it boots; the limit can be raised. */
Test(cli, host_memory_option)
{
	struct result small = run((const char *[]){ "run", "idle-device", "-m", "x86-64-8g",
						    "--host-memory", "1MiB", NULL });
	struct result bad = run((const char *[]){ "info", "--host-memory", "lots", NULL });

	cr_expect_eq(small.status, 1);
	cr_expect(strstr(small.err, "needs about ") && strstr(small.err, "more than the 1MiB it "
								    "may take"), "%s", small.err);
	cr_expect_str_eq(small.out, "");
	cr_expect_eq(bad.status, 2);
	cr_expect_str_eq(bad.err, "cmasim info: --host-memory expects a size such as 4GiB, or "
				  "unlimited (see cmasim info --help)\n");
	result_free(&small);
	result_free(&bad);
}

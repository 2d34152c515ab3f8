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
#include <string.h>
#include <sys/stat.h>

struct result {
	int status;
	char *out;
	char *err;
};

/* Runs cmasim with @argv (NULL-terminated, without the program) in LC_ALL=C. */
static struct result run(const char *const *argv)
{
	GPtrArray *args = g_ptr_array_new();
	struct result r = { 0 };
	GError *error = NULL;
	char **env = g_environ_setenv(g_get_environ(), "LC_ALL", "C", TRUE);

	g_ptr_array_add(args, (char *)g_getenv("CMASIM"));
	for (; *argv; argv++)
		g_ptr_array_add(args, (char *)*argv);
	g_ptr_array_add(args, NULL);
	cr_assert(g_spawn_sync(NULL, (char **)args->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
			       &r.out, &r.err, &r.status, &error), "%s", error ? error->message : "");
	r.status = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
	g_ptr_array_free(args, TRUE);
	g_strfreev(env);
	return r;
}

static void result_free(struct result *r)
{
	g_free(r->out);
	g_free(r->err);
}

static char *tmpdir;

static void setup(void)
{
	cr_assert_not_null(g_getenv("CMASIM"), "CMASIM must name the binary under test");
	tmpdir = g_dir_make_tmp("cmasim-cli-XXXXXX", NULL);
	cr_assert_not_null(tmpdir);
}

static void teardown(void)
{
	GDir *dir = g_dir_open(tmpdir, 0, NULL);
	const char *name;

	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree char *path = g_build_filename(tmpdir, name, NULL);

		g_unlink(path);
	}
	if (dir)
		g_dir_close(dir);
	g_rmdir(tmpdir);
	g_free(tmpdir);
}

TestSuite(cli, .init = setup, .fini = teardown);

static char *in_tmp(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static void write_file(const char *path, const char *text)
{
	cr_assert(g_file_set_contents(path, text, -1, NULL));
}

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

	static const char *const commands[] = { "run", "gen", "list", "info" };
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
		g_autofree char *line = g_strdup_printf("\n  %s\n", base);

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
	cr_expect(strstr(r.out, "policies:\n  buddy "));
	cr_expect(strstr(r.out, "--set trim=... (default true)"));
	expect_all_built_in(r.out, "configs");
	expect_all_built_in(r.out, "workloads");
	result_free(&r);
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
	cr_expect(strstr(a.out, "\"schema\": \"cmasim-run/1\""));
	result_free(&a);
	result_free(&b);
}

Test(cli, bad_trace_names_the_place_and_writes_nothing)
{
	g_autofree char *trace = in_tmp("bad.yaml");
	g_autofree char *out = in_tmp("out.json");
	g_autofree char *tl = in_tmp("tl.csv");

	write_file(trace, "name: bad\nevents:\n  - { t: 0, op: dma_alloc, device: camera, "
			  "size: 1MiB, id: a }\n  - { t: 1ms, op: teleport }\n");
	struct result r = run((const char *[]){ "run", trace, "-o", out, "--timeline", tl, NULL });

	cr_expect_eq(r.status, 1);
	g_autofree char *where = g_strdup_printf("cmasim run: %s:4:", trace);
	cr_expect(g_str_has_prefix(r.err, where), "%s", r.err);
	cr_expect_not(g_file_test(out, G_FILE_TEST_EXISTS), "a partial output file was left");
	cr_expect_not(g_file_test(tl, G_FILE_TEST_EXISTS), "a partial timeline was left");
	/* nor a temporary one */
	GDir *d = g_dir_open(tmpdir, 0, NULL);
	const char *name;
	while ((name = g_dir_read_name(d)))
		cr_expect(!strcmp(name, "bad.yaml"), "left behind: %s", name);
	g_dir_close(d);
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
	cr_expect(g_str_has_prefix(text, "figure,value\nschema,cmasim-run/1\n"));
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
	cr_expect_str_eq(r1.out, r0.out);
	cr_expect_str_eq(r2.out, r0.out);
	result_free(&g);
	result_free(&b);
	result_free(&r0);
	result_free(&r1);
	result_free(&r2);
}

/* Compares @actual with tests/golden/@name, or rewrites it when asked to. */
static void expect_golden(const char *name, const char *actual)
{
	g_autofree char *path = g_build_filename(CMASIM_SOURCE_ROOT, "tests", "golden", name, NULL);
	g_autofree char *expected = NULL;

	if (g_getenv("CMASIM_REGENERATE_GOLDEN")) {
		cr_assert(g_file_set_contents(path, actual, -1, NULL));
		return;
	}
	cr_assert(g_file_get_contents(path, &expected, NULL, NULL), "no golden file %s", path);
	cr_expect_str_eq(actual, expected, "output differs from %s", path);
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
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct result r = run(cases[i].argv);

		cr_expect_eq(r.status, 0, "%s: %s", cases[i].golden, r.err);
		expect_golden(cases[i].golden, r.out);
		result_free(&r);
	}
}

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running the cmasim command under test: the binary the CMASIM environment
 * variable names (tests/meson.build sets it), in LC_ALL=C.
 */
#ifndef CMASIM_TESTS_CLI_H
#define CMASIM_TESTS_CLI_H

#include <sys/wait.h>

#include <criterion/criterion.h>
#include <glib.h>

struct result {
	int status;	/* exit status, or -1 if it did not exit */
	char *out;
	char *err;
};

/* Runs cmasim with @argv (NULL-terminated, without the program) in LC_ALL=C, in @dir. */
static inline struct result run_in(const char *dir, const char *const *argv)
{
	const char *cmasim = g_getenv("CMASIM");
	GPtrArray *args;
	struct result r = { 0 };
	GError *error = NULL;
	char **env;

	cr_assert_not_null(cmasim, "CMASIM must name the binary under test");
	args = g_ptr_array_new();
	env = g_environ_setenv(g_get_environ(), "LC_ALL", "C", TRUE);
	g_ptr_array_add(args, (char *)cmasim);
	for (; *argv; argv++)
		g_ptr_array_add(args, (char *)*argv);
	g_ptr_array_add(args, NULL);
	cr_assert(g_spawn_sync(dir, (char **)args->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
			       &r.out, &r.err, &r.status, &error), "%s", error ? error->message : "");
	r.status = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
	g_ptr_array_free(args, TRUE);
	g_strfreev(env);
	return r;
}

/* The same in the current directory. */
static inline struct result run(const char *const *argv)
{
	return run_in(NULL, argv);
}

/* Frees what run() captured. */
static inline void result_free(struct result *r)
{
	g_free(r->out);
	g_free(r->err);
}

/* Compares @actual with tests/golden/@name, or rewrites it when CMASIM_REGENERATE_GOLDEN is set. */
static inline void expect_golden(const char *name, const char *actual)
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

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A scratch directory for the suites that write files; removed with what a
 * test left in it. A suite that keeps one per test makes it with
 * scratch_enter() in its .init and removes it with scratch_leave() in its
 * .fini; in_tmp(), write_tmp() and expect_only() then work in it.
 */
#ifndef CMASIM_TESTS_SCRATCH_H
#define CMASIM_TESTS_SCRATCH_H

#include <string.h>

#include <criterion/criterion.h>
#include <glib.h>
#include <glib/gstdio.h>

/* A fresh temporary directory named from @pattern ("cmasim-x-XXXXXX"). */
static inline char *scratch_new(const char *pattern)
{
	GError *error = NULL;
	char *dir = g_dir_make_tmp(pattern, &error);

	cr_assert_not_null(dir, "%s: %s", pattern, error ? error->message : "?");
	return dir;
}

/* Removes @path: a file, or a folder with what is in it. */
static inline void scratch_remove_path(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	if (!d) {
		g_unlink(path);
		return;
	}
	while ((name = g_dir_read_name(d))) {
		g_autofree char *in = g_build_filename(path, name, NULL);

		scratch_remove_path(in);
	}
	g_dir_close(d);
	g_rmdir(path);
}

/* Removes @dir and what is in it, and frees @dir. */
static inline void scratch_remove(char *dir)
{
	scratch_remove_path(dir);
	g_free(dir);
}

/* The running test's scratch directory. */
static char *tmpdir;

/* Makes tmpdir, a fresh directory named from @pattern. */
static inline void scratch_enter(const char *pattern)
{
	tmpdir = scratch_new(pattern);
}

/* Removes tmpdir and what the test left in it. */
static inline void scratch_leave(void)
{
	if (tmpdir)
		scratch_remove(tmpdir);
	tmpdir = NULL;
}

/* The path of @name in tmpdir. */
static inline char *in_tmp(const char *name)
{
	cr_assert_not_null(tmpdir, "no scratch directory");
	return g_build_filename(tmpdir, name, NULL);
}

/* The text of @name in tmpdir; fails the test without it. */
static inline char *slurp(const char *name)
{
	g_autofree char *path = in_tmp(name);
	char *text = NULL;

	cr_assert(g_file_get_contents(path, &text, NULL, NULL), "no %s", name);
	return text;
}

/* Writes @len bytes at @data to @name in tmpdir; its path. */
static inline char *write_tmp_data(const char *name, const void *data, size_t len)
{
	char *path = in_tmp(name);
	GError *error = NULL;

	cr_assert(g_file_set_contents(path, data, (gssize)len, &error), "%s: %s", path,
		  error ? error->message : "?");
	return path;
}

/* Writes @text to @name in tmpdir; its path. */
static inline char *write_tmp(const char *name, const char *text)
{
	return write_tmp_data(name, text, strlen(text));
}

/*
 * Expects nothing in tmpdir but the files @keep names (NULL-terminated, or
 * NULL for none): no output file left, nor a temporary one.
 */
static inline void expect_only(const char *const *keep)
{
	GDir *d = g_dir_open(tmpdir, 0, NULL);
	const char *name;

	cr_assert_not_null(d);
	while ((name = g_dir_read_name(d))) {
		bool kept = false;

		for (const char *const *k = keep; k && *k && !kept; k++)
			kept = !strcmp(name, *k);
		cr_expect(kept, "left behind: %s", name);
	}
	g_dir_close(d);
}

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/* A scratch directory for the suites that write files; removed with what a test left in it. */
#ifndef CMASIM_TESTS_SCRATCH_H
#define CMASIM_TESTS_SCRATCH_H

#include <criterion/criterion.h>
#include <glib.h>
#include <glib/gstdio.h>

/* A fresh temporary directory named from @pattern ("cmasim-x-XXXXXX"). */
static inline char *scratch_new(const char *pattern)
{
	char *dir = g_dir_make_tmp(pattern, NULL);

	cr_assert_not_null(dir);
	return dir;
}

/* Removes @dir and the files in it, and frees @dir. */
static inline void scratch_remove(char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);

		g_unlink(path);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
	g_free(dir);
}

#endif

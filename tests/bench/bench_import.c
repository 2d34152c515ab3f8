// SPDX-License-Identifier: GPL-2.0-only
/*
 * Import speed of a real machine: the committed capture of a 25 GiB VM
 * (6.5 million pfns; argv[1] names another capture folder) read and
 * rebuilt, written as a machine and its state, and booted into; and its
 * ftrace capture (argv[2]) turned into a workload. Times are CPU seconds
 * of this process; the goal is under 2 s for the whole of a snapshot.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "cmasim/ftrace.h"
#include "cmasim/snapshot.h"
#include "cmasim/state.h"
#include "bench.h"

#define FIXTURE CMASIM_SOURCE_ROOT "/tests/fixtures/capture-vm"

static unsigned int lines(const char *s)
{
	unsigned int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : FIXTURE "/before";
	const char *trace = argc > 2 ? argv[2] : FIXTURE "/trace.txt.gz";
	g_autofree char *tmp = g_dir_make_tmp("cmasim-bench-XXXXXX", NULL);
	g_autofree char *cfg_path = g_build_filename(tmp, "m.yaml", NULL);
	g_autofree char *state_path = g_build_filename(tmp, "m.state", NULL);
	g_autoptr(GString) config = g_string_new(NULL);
	g_autoptr(GString) state = g_string_new(NULL);
	g_autoptr(GString) workload = g_string_new(NULL);
	g_autoptr(GMappedFile) m = NULL;
	g_autoptr(GBytes) bytes = NULL;
	struct cmasim_ftrace_options opts = { .name = "bench", .page_size = 4096 };
	struct cmasim_ftrace_stats st;
	GError *error = NULL;
	struct cmasim_snapshot *s;
	struct cmasim_config *cfg;
	struct cmasim_mem *mem;
	struct cmasim_state *initial;
	double t0, t1, t2, t3, t4;
	uint64_t pfns;

	t0 = now();
	s = cmasim_snapshot_read(dir, &error);
	if (!s) {
		fprintf(stderr, "bench_import: %s\n", error->message);
		return 1;
	}
	pfns = s->nr_pfns;
	t1 = now();
	cmasim_snapshot_write(s, "bench", "m.state", config, state);
	cmasim_snapshot_free(s);
	t2 = now();
	if (!g_file_set_contents(cfg_path, config->str, -1, &error) ||
	    !g_file_set_contents(state_path, state->str, -1, &error) ||
	    !(cfg = cmasim_config_load_file(cfg_path, &error))) {
		fprintf(stderr, "bench_import: %s\n", error->message);
		return 1;
	}
	mem = cmasim_mem_new(cfg);
	initial = cmasim_state_load(mem, &error);
	if (!initial) {
		fprintf(stderr, "bench_import: %s\n", error->message);
		return 1;
	}
	t3 = now();
	printf("snapshot %s: %" PRIu64 " pfns\n", dir, pfns);
	printf("  read and rebuilt      %6.3f s  (%.0f Mpfn/s)\n", t1 - t0, pfns / (t1 - t0) / 1e6);
	printf("  machine and state     %6.3f s  (%zu bytes of state text)\n", t2 - t1, state->len);
	printf("  booted into           %6.3f s  (%.3f us a state line)\n", t3 - t2,
	       (t3 - t2) * 1e6 / (double)MAX(1, lines(state->str)));
	printf("  all                   %6.3f s\n", t3 - t0);
	printf("result import_snapshot %.3f s <=2\n", t3 - t0);
	cmasim_state_free(initial);
	cmasim_mem_free(mem);
	cmasim_config_free(cfg);

	m = g_mapped_file_new(trace, FALSE, &error);
	if (!m) {
		fprintf(stderr, "bench_import: %s\n", error->message);
		return 1;
	}
	bytes = g_mapped_file_get_bytes(m);
	t3 = now();
	if (!cmasim_ftrace_import(trace, bytes, &opts, workload, &st, &error)) {
		fprintf(stderr, "bench_import: %s\n", error->message);
		return 1;
	}
	t4 = now();
	printf("ftrace %s: %" PRIu64 " lines in %.3f s (%.0f klines/s), %zu bytes of workload\n",
	       trace, st.lines, t4 - t3, st.lines / (t4 - t3) / 1e3, workload->len);
	printf("result import_ftrace %.0f klines/s -\n", st.lines / (t4 - t3) / 1e3);
	g_unlink(cfg_path);
	g_unlink(state_path);
	g_rmdir(tmp);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the snapshot importer: a capture's files, each
 * after a line "=== NAME" (capture.txt, zoneinfo, buddyinfo,
 * buddyinfo.after, pagetypeinfo, iomem, kpageflags, raw or gzipped).
 * Any bytes must give a snapshot or one error in the cmasim domain. A
 * snapshot it accepts must write a machine the config loader takes and a
 * state that boots into exactly the free blocks the snapshot rebuilt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/buddy.h"
#include "cmasim/error.h"
#include "cmasim/snapshot.h"
#include "cmasim/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The files of @data, by name; the bytes are @data's. */
static GHashTable *split(const char *data, size_t size)
{
	GHashTable *files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						  (GDestroyNotify)g_bytes_unref);
	const char *end = data + size, *p = data;

	while (p + 4 <= end && !memcmp(p, "=== ", 4)) {
		const char *name = p + 4, *nl = memchr(name, '\n', (size_t)(end - name));
		const char *next;

		if (!nl)
			break;
		p = nl + 1;
		for (next = p; next + 5 <= end && memcmp(next, "\n=== ", 5); next++)
			;
		next = next + 5 <= end ? next + 1 : end;
		g_hash_table_insert(files, g_strndup(name, (size_t)(nl - name)),
				    g_bytes_new(p, (size_t)(next - p) - (next < end)));
		p = next;
	}
	return files;
}

/* Boots what @s writes and aborts unless it has @s's free blocks. */
static void boot(const struct cmasim_snapshot *s)
{
	g_autoptr(GString) config = g_string_new(NULL);
	g_autoptr(GString) state = g_string_new(NULL);
	g_autoptr(GBytes) bytes = NULL;
	GError *error = NULL;
	struct cmasim_config *cfg;
	struct cmasim_mem *mem;
	struct cmasim_state *st;
	char *initial;

	cmasim_snapshot_write(s, "fuzz", "fuzz.state", config, state);
	/* the state comes from memory here: the config without its initial: line */
	initial = g_strrstr(config->str, "\ninitial: ");
	if (!initial)
		abort();
	g_string_truncate(config, (gsize)(initial - config->str) + 1);
	cfg = cmasim_config_load_data("fuzz.yaml", config->str, config->len, &error);
	if (!cfg)
		abort();
	mem = cmasim_mem_new(cfg);
	bytes = g_bytes_new(state->str, state->len);
	st = cmasim_state_load_data(mem, "fuzz.state", bytes, &error);
	if (!st || cmasim_mem_nr_zones(mem) != s->nr_zones ||
	    !cmasim_mem_check_invariants(mem, NULL))
		abort();
	/*
	 * Under 3.5's rules the reserve's pageblocks keep their free pages on
	 * its lists, so a free block across a reserve pageblock's edge boots
	 * split (where 3.5 merged across types): import refuses such a capture
	 * by name. Then only the free pages must be the capture's.
	 */
	for (unsigned int z = 0; z < s->nr_zones; z++) {
		uint64_t pages = 0, want = 0;

		for (unsigned int o = 0; o <= s->max_order; o++) {
			uint64_t n = 0;

			for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
				n += cmasim_zone_nr_free_blocks(mem, z, o, t);
			if (n != s->zones[z].free_blocks[o] && !cfg->kernel->migrate_reserve)
				abort();
			pages += n << o;
			want += s->zones[z].free_blocks[o] << o;
		}
		if (pages != want)
			abort();
	}
	cmasim_state_free(st);
	cmasim_mem_free(mem);
	cmasim_config_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GHashTable *files = split((const char *)data, size);
	GError *error = NULL;
	struct cmasim_snapshot *s = cmasim_snapshot_read_files("fuzz", files, &error);

	if (s) {
		boot(s);
		cmasim_snapshot_free(s);
	} else if (!error || error->domain != CMASIM_ERROR || !error->message[0]) {
		abort();
	}
	g_clear_error(&error);
	g_hash_table_destroy(files);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim import: a real machine in. `import snapshot` turns a capture of
 * scripts/capture-snapshot into a machine folder (its config and initial
 * state), checked by booting it; `import ftrace` a kernel trace into a
 * workload.
 */
#include <inttypes.h>
#include <string.h>

#include "cmasim/buddy.h"
#include "cmasim/error.h"
#include "cmasim/ftrace.h"
#include "cmasim/snapshot.h"
#include "cmasim/state.h"
#include "cmasim/units.h"
#include "cli.h"

#define STATE_FILE "initial.state.gz"

/* Sizes of the aligned ranges whose clearing the summary counts, in MiB. */
static const unsigned int range_mib[] = { 4, 16, 64 };

/* @text gzipped (deterministic: no name, no time in the header). */
static GBytes *gzip_text(const GString *text, GError **error)
{
	g_autoptr(GZlibCompressor) z = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
	g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable();
	g_autoptr(GOutputStream) out = g_converter_output_stream_new(mem, G_CONVERTER(z));

	if (!g_output_stream_write_all(out, text->str, text->len, NULL, NULL, error) ||
	    !g_output_stream_close(out, NULL, error))
		return NULL;
	return g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(mem));
}

/* Free blocks of @zone of @mem by order, every list's. */
static uint64_t free_blocks(const struct cmasim_mem *mem, unsigned int zone, unsigned int order)
{
	uint64_t n = 0;

	for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
		n += cmasim_zone_nr_free_blocks(mem, zone, order, t);
	return n;
}

/* The pages in @counts (blocks by order, up to @max_order). */
static uint64_t block_pages(const uint64_t *counts, unsigned int max_order)
{
	uint64_t pages = 0;

	for (unsigned int o = 0; o <= max_order; o++)
		pages += counts[o] << o;
	return pages;
}

static void row(GString *out, const char *zone, const char *what, const uint64_t *counts,
		unsigned int max_order)
{
	g_string_append_printf(out, "%-8s %-20s", zone, what);
	for (unsigned int o = 0; o <= max_order; o++)
		g_string_append_printf(out, " %6" PRIu64, counts[o]);
	g_string_append_printf(out, "  = %" PRIu64 " pages\n", block_pages(counts, max_order));
}

/*
 * Checks the booted machine @mem against the capture @s (its free blocks
 * must be the capture's, order by order) and writes what an engineer
 * wants to know of it into @out; false with @error on a mismatch.
 */
static bool summarize(const struct cmasim_snapshot *s, const struct cmasim_mem *mem, GString *out,
		      GError **error)
{
	const struct cmasim_config *cfg = cmasim_mem_config(mem);
	/* MIGRATE_RESERVE is last and only kernels before 4.4 have it */
	unsigned int nr_types = cfg->kernel->migrate_reserve ? CMASIM_NR_MIGRATETYPES
							     : CMASIM_MT_RESERVE;
	char size[32];

	g_string_append_printf(out, "capture %s: Linux %s (%s), %u-byte pages, %u cpus, kpageflags "
			       "of %" PRIu64 " pfns", s->dir, s->kernel, s->arch, s->page_size,
			       s->cpus, s->nr_pfns);
	if (s->read_seconds >= 0)
		g_string_append_printf(out, " read in %.2f s", s->read_seconds);
	g_string_append_printf(out, "; free pages: %s\n", s->buddy_head_only ?
			       "only a free block's first carries KPF_BUDDY" :
			       "each carries KPF_BUDDY");
	g_string_append_printf(out, "machine %s: %s at %#" PRIx64 ", max order %u, pageblock order %u, "
			       "kernel rules %s, min_free_kbytes %" PRIu64 "\n\n", cfg->name,
			       cmasim_format_size(cfg->mem_size, size), cfg->mem_base,
			       cfg->max_page_order, cfg->pageblock_order, cfg->kernel->name,
			       s->min_free_kbytes);
	g_string_append_printf(out, "%-8s %10s %10s %10s %10s %10s %10s %8s %8s %8s\n", "zone",
			       "start_pfn", "spanned", "present", "managed", "free", "per-cpu", "min",
			       "low", "high");
	for (unsigned int z = 0; z < s->nr_zones; z++) {
		const struct cmasim_snapshot_zone *sz = &s->zones[z];
		struct cmasim_zone_info zi;

		cmasim_mem_zone_info(mem, z, &zi);
		g_string_append_printf(out, "%-8s %#10" PRIx64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
				       " %10" PRIu64 " %10" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8"
				       PRIu64 "   zoneinfo\n", cmasim_zone_type_name(sz->type),
				       sz->start_pfn, sz->spanned, sz->present, sz->managed,
				       sz->nr_free, sz->pcp_count, sz->wmark_min, sz->wmark_low,
				       sz->wmark_high);
		g_string_append_printf(out, "%-8s %#10" PRIx64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
				       " %10" PRIu64 " %10s %8" PRIu64 " %8" PRIu64 " %8" PRIu64
				       "   imported\n", "", zi.start_pfn, zi.end_pfn - zi.start_pfn,
				       zi.present, zi.managed, zi.nr_free, "-", zi.wmark_min,
				       zi.wmark_low, zi.wmark_high);
	}

	g_string_append_printf(out, "\n%-8s", "pages");
	for (unsigned int k = CMASIM_PAGE_RESERVED; k < CMASIM_NR_PAGE_KINDS; k++)
		g_string_append_printf(out, " %11s", cmasim_page_kind_name(k));
	g_string_append_c(out, '\n');
	for (unsigned int z = 0; z < s->nr_zones; z++) {
		g_string_append_printf(out, "%-8s", cmasim_zone_type_name(s->zones[z].type));
		for (unsigned int k = CMASIM_PAGE_RESERVED; k < CMASIM_NR_PAGE_KINDS; k++)
			g_string_append_printf(out, " %11" PRIu64, s->zones[z].kinds[k]);
		g_string_append_c(out, '\n');
	}
	g_string_append_printf(out, "of which %" PRIu64 " in transparent huge pages, %" PRIu64
			       " hugetlb, %" PRIu64 " shmem, %" PRIu64 " dirty page cache, %" PRIu64
			       " unevictable; %" PRIu64 " carry no flag at all (kernel allocations "
			       "and per-cpu lists look alike); %" PRIu64 " in compound pages that "
			       "are no buddy block, taken page by page\n",
			       s->counts[CMASIM_SNAP_THP], s->counts[CMASIM_SNAP_HUGETLB],
			       s->counts[CMASIM_SNAP_SHMEM], s->counts[CMASIM_SNAP_DIRTY],
			       s->counts[CMASIM_SNAP_UNEVICTABLE], s->counts[CMASIM_SNAP_ZERO_FLAGS],
			       s->counts[CMASIM_SNAP_COMPOUND_SPLIT]);

	g_string_append_printf(out, "\nfree blocks by order %*s", 8, "");
	for (unsigned int o = 0; o <= s->max_order; o++)
		g_string_append_printf(out, " %6u", o);
	g_string_append_c(out, '\n');
	for (unsigned int z = 0; z < s->nr_zones; z++) {
		const struct cmasim_snapshot_zone *sz = &s->zones[z];
		const char *name = cmasim_zone_type_name(sz->type);
		uint64_t imported[CMASIM_ORDER_LIMIT + 1] = { 0 };

		for (unsigned int o = 0; o <= s->max_order; o++)
			imported[o] = free_blocks(mem, z, o);
		if (memcmp(imported, sz->free_blocks, sizeof(imported))) {
			g_autoptr(GString) got = g_string_new(NULL), want = g_string_new(NULL);

			for (unsigned int o = 0; o <= s->max_order; o++) {
				g_string_append_printf(got, " %" PRIu64, imported[o]);
				g_string_append_printf(want, " %" PRIu64, sz->free_blocks[o]);
			}
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT, "%s: zone %s booted with "
				    "free blocks%s by order, not the capture's%s (a bug of cmasim "
				    "import)", s->dir, name, got->str, want->str);
			return false;
		}
		row(out, name, "imported", imported, s->max_order);
		row(out, "", "buddyinfo before", sz->buddyinfo, s->max_order);
		if (s->buddyinfo_after)
			row(out, "", "buddyinfo after", sz->buddyinfo_after, s->max_order);
	}
	g_string_append(out, "(kpageflags shows pages on per-cpu lists as allocated, buddyinfo does "
			"not count them: the two differ by up to what the lists hold, and by what "
			"changed while kpageflags was read)\n");

	g_string_append_printf(out, "\n%-8s %-12s", "pageblocks", "");
	for (unsigned int t = 0; t < nr_types; t++)
		g_string_append_printf(out, " %11s", cmasim_migratetype_name(t));
	g_string_append_c(out, '\n');
	for (unsigned int z = 0; z < s->nr_zones; z++) {
		g_string_append_printf(out, "%-8s %-12s", cmasim_zone_type_name(s->zones[z].type),
				       "imported");
		for (unsigned int t = 0; t < nr_types; t++)
			g_string_append_printf(out, " %11" PRIu64, cmasim_zone_nr_pageblocks(mem, z, t));
		g_string_append_printf(out, "\n%-8s %-12s", "", "pagetypeinfo");
		for (unsigned int t = 0; t < nr_types; t++)
			g_string_append_printf(out, " %11" PRIu64, s->zones[z].pageblocks[t]);
		g_string_append_c(out, '\n');
	}
	g_string_append(out, "(types guessed from the pages in each pageblock to match "
			"pagetypeinfo's counts; HighAtomic taken as Unmovable, CMA and Isolate as "
			"Movable)\n");
	cli_clearable_ranges(mem, out);
	return true;
}

void cli_clearable_ranges(const struct cmasim_mem *mem, GString *out)
{
	const struct cmasim_config *cfg = cmasim_mem_config(mem);

	g_string_append_printf(out, "\naligned ranges migration alone could empty (no hole, "
			       "reserved, pinned or unmovable page inside):\n%-8s", "zone");
	for (size_t i = 0; i < G_N_ELEMENTS(range_mib); i++)
		g_string_append_printf(out, " %11u MiB", range_mib[i]);
	g_string_append_c(out, '\n');
	for (unsigned int z = 0; z < cmasim_mem_nr_zones(mem); z++) {
		struct cmasim_zone_info zi;

		cmasim_mem_zone_info(mem, z, &zi);
		g_string_append_printf(out, "%-8s", cmasim_zone_type_name(zi.type));
		for (size_t i = 0; i < G_N_ELEMENTS(range_mib); i++) {
			unsigned int order = (unsigned int)g_bit_nth_lsf((uint64_t)range_mib[i] << 20,
									 -1) - cfg->page_shift;
			uint64_t all, clear = cmasim_mem_clearable_ranges(mem, z, order, &all);
			g_autofree char *cell = g_strdup_printf("%" PRIu64 "/%" PRIu64, clear, all);

			g_string_append_printf(out, " %15s", cell);
		}
		g_string_append_c(out, '\n');
	}
	g_string_append(out, "(pinned pages are not in kpageflags: of a snapshot, only those "
			"the workload pins count)\n");
}

/* Writes the machine folder @output from capture @dir; false with @error. */
static bool import_snapshot(const char *dir, const char *output, GError **error)
{
	g_autofree char *name = g_path_get_basename(output);
	g_autoptr(GString) config = g_string_new(NULL);
	g_autoptr(GString) state = g_string_new(NULL);
	g_autoptr(GString) summary = g_string_new(NULL);
	g_autoptr(GBytes) gz = NULL;
	g_autofree char *config_path = NULL;
	struct cmasim_snapshot *s;
	struct cmasim_config *cfg = NULL;
	struct cmasim_mem *mem = NULL;
	struct cmasim_state *st = NULL;
	char *tmp;
	bool ok = false;

	if (!cli_folder_replaceable(output, error) || !(s = cmasim_snapshot_read(dir, error)))
		return false;
	cmasim_snapshot_write(s, name, STATE_FILE, config, state);
	tmp = cli_folder_open(output, error);
	if (!tmp)
		goto out;
	config_path = g_build_filename(tmp, CLI_MACHINE_FILE, NULL);

	/* booted from what was written, as run and info will boot it */
	ok = (gz = gzip_text(state, error)) &&
	     cli_folder_put(tmp, STATE_FILE, g_bytes_get_data(gz, NULL),
			    (gssize)g_bytes_get_size(gz), error) &&
	     cli_folder_put(tmp, CLI_MACHINE_FILE, config->str, (gssize)config->len, error) &&
	     (cfg = cmasim_config_load_file(config_path, error)) &&
	     cmasim_machine_check_host(cfg, UINT64_MAX, error) &&
	     (mem = cmasim_mem_new(cfg)) && (st = cmasim_state_load(mem, error)) &&
	     summarize(s, mem, summary, error) &&
	     cli_folder_put(tmp, "import.txt", summary->str, (gssize)summary->len, error);
	ok = cli_folder_close(tmp, output, ok, error) && ok;
	if (ok)
		fputs(summary->str, stdout);
out:
	cmasim_state_free(st);
	cmasim_mem_free(mem);
	cmasim_config_free(cfg);
	cmasim_snapshot_free(s);
	return ok;
}

static int import_snapshot_cmd(int argc, char **argv)
{
	g_autofree char *output = NULL;
	const GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "The machine folder to write (its config, initial state and this summary)",
		  "NAME" },
		{ NULL },
	};
	g_autoptr(GError) error = NULL;

	if (!cli_parse_options("import snapshot", "DIR -o NAME",
			   "Turn a capture of scripts/capture-snapshot into a machine.",
			   "DIR is the folder scripts/capture-snapshot wrote (run it as root on the "
			   "machine). NAME becomes a folder holding machine.yaml, its initial state "
			   "and import.txt, what this prints: the zones, the pages by kind, the "
			   "free blocks against /proc/buddyinfo, the pageblocks against "
			   "/proc/pagetypeinfo, and the aligned ranges migration could empty.\n\n"
			   "Examples:\n"
			   "  sudo scripts/capture-snapshot cap && cmasim import snapshot cap -o my-vm\n"
			   "  cmasim info my-vm --pagetypeinfo\n"
			   "  cmasim run camera-stream -m my-vm\n",
			   entries, &argc, &argv))
		return 2;
	if (argc != 2 || !output)
		return cli_usage_error("import snapshot", argc != 2 ? "expected one capture folder"
								    : "expected -o NAME");
	if (!import_snapshot(argv[1], output, &error)) {
		cli_error("import snapshot", error);
		return 1;
	}
	return 0;
}

/* Writes workload @output (NULL: standard output) from trace @path; false with @error. */
static bool import_ftrace(const char *path, const char *output,
			  const struct cmasim_ftrace_options *opts, GError **error)
{
	g_autoptr(GMappedFile) m = g_mapped_file_new(path, FALSE, error);
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	struct cmasim_ftrace_stats st;
	struct cli_outfile o;

	if (!m) {
		g_prefix_error(error, "%s: ", path);
		return false;
	}
	bytes = g_mapped_file_get_bytes(m);
	if (!cmasim_ftrace_import(path, bytes, opts, out, &st, error) ||
	    !cli_outfile_open(&o, output, error) || !cli_outfile_write(&o, out, error))
		return false;
	fprintf(output && strcmp(output, "-") ? stdout : stderr,
		"%s: %" PRIu64 " lines, %" PRIu64 " events (%s); wrote %" PRIu64 " allocs, %" PRIu64
		" frees, %" PRIu64 " dma_allocs and %" PRIu64 " dma_frees over %.3f s; left out %"
		PRIu64 " page events a snapshot held, %" PRIu64 " unknown events\n", path, st.lines,
		st.events, st.buddy_view ? "the buddy allocator's view, per-cpu lists traced"
					 : "allocations only, no per-cpu list events",
		st.allocs, st.frees, st.dma_allocs, st.dma_frees,
		(double)(st.last_ns - st.first_ns) / 1e9, st.clipped, st.unknown);
	return true;
}

int cmd_import_ftrace(int argc, char **argv)
{
	g_autofree char *output = NULL, *name = NULL, *machine = NULL, *page_size = NULL;
	const GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "Write the workload to FILE instead of standard output", "FILE" },
		{ "name", 'n', 0, G_OPTION_ARG_STRING, &name,
		  "The workload's name (default: FILE's, less .yaml)", "NAME" },
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &machine,
		  "The machine the workload names as its own (a file, folder or built-in name)",
		  "MACHINE" },
		{ "page-size", 0, 0, G_OPTION_ARG_STRING, &page_size,
		  "The traced machine's page size, for CMA requests' sizes (default 4KiB)", "SIZE" },
		{ NULL },
	};
	struct cmasim_ftrace_options opts = { .page_size = 4096 };
	g_autofree char *base = NULL;
	g_autoptr(GError) error = NULL;

	if (!cli_parse_options("import ftrace", "FILE",
			   "Turn a trace of the kernel's page allocator into a workload.",
			   "FILE is tracefs's trace or trace_pipe text, or trace-cmd report's, gzipped "
			   "or not, with the kmem events mm_page_alloc, mm_page_free, "
			   "mm_page_alloc_zone_locked and mm_page_pcpu_drain, and the cma events; "
			   "scripts/capture-trace records one between two snapshots. Other events "
			   "are counted and skipped.\n\n"
			   "Examples:\n"
			   "  sudo scripts/capture-trace cap -- make -j2 && cmasim import snapshot "
			   "cap/before -o vm\n"
			   "  cmasim import ftrace cap/trace.txt.gz -m vm -o build.yaml\n"
			   "  cmasim run build.yaml -m vm\n",
			   entries, &argc, &argv))
		return 2;
	if (argc != 2)
		return cli_usage_error("import ftrace", "expected one trace file");
	if (page_size && (!cmasim_parse_size(page_size, strlen(page_size), &opts.page_size) ||
			  !opts.page_size))
		return cli_usage_error("import ftrace", "--page-size expects a size such as 4KiB");
	base = output && strcmp(output, "-") ? g_path_get_basename(output) : g_strdup("ftrace");
	if (g_str_has_suffix(base, ".yaml"))
		base[strlen(base) - 5] = '\0';
	opts.name = name ? name : base;
	opts.machine = machine;
	if (!import_ftrace(argv[1], output, &opts, &error)) {
		cli_error("import ftrace", error);
		return 1;
	}
	return 0;
}

int cmd_import(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "snapshot"))
		return import_snapshot_cmd(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "ftrace"))
		return cmd_import_ftrace(argc - 1, argv + 1);
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: cmasim import snapshot DIR -o NAME\n"
		       "       cmasim import ftrace FILE -o WORKLOAD.yaml\n\n"
		       "Run 'cmasim import snapshot --help' or 'cmasim import ftrace --help' for "
		       "their options.\n");
		return 0;
	}
	return cli_usage_error("import", "expected snapshot or ftrace");
}

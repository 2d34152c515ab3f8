// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim info: a machine's zones, watermarks and free lists after boot, in
 * its initial state when it has one.
 */
#include <inttypes.h>

#include "cmasim/buddy.h"
#include "cmasim/state.h"
#include "cli.h"

int cmd_info(int argc, char **argv)
{
	g_autofree char *kernel = NULL, *host_memory = NULL;
	gboolean pagetypeinfo = FALSE;
	const GOptionEntry entries[] = {
		{ "pagetypeinfo", 'p', 0, G_OPTION_ARG_NONE, &pagetypeinfo,
		  "Also print /proc/pagetypeinfo", NULL },
		CLI_REPLAY_ENTRIES(kernel, host_memory),
		{ NULL },
	};
	struct cmasim_run_options opts = { 0 };
	g_autoptr(GError) error = NULL;
	struct cmasim_config *cfg;
	struct cmasim_mem *mem;
	struct cmasim_state *st = NULL;

	if (!cli_parse_options("info", "[MACHINE]",
			   "Print a machine's zones, watermarks and free lists after boot.",
			   "MACHINE is a config file or a built-in name (default " DEFAULT_MACHINE ").\n\n"
			   "Examples:\n  cmasim info\n  cmasim info x86-64-8g --pagetypeinfo\n"
			   "  cmasim info my-board.yaml --kernel 3.5\n",
			   entries, &argc, &argv))
		return 2;
	if (argc > 2)
		return cli_usage_error("info", "expected one machine");
	if (!cli_parse_replay_args("info", kernel, host_memory, &opts))
		return 2;
	cfg = cli_load_machine(argc == 2 ? argv[1] : DEFAULT_MACHINE, &error);
	if (!cfg || (opts.kernel && !cmasim_config_set_kernel(cfg, opts.kernel, &error)) ||
	    !cmasim_machine_check_host(cfg, opts.host_memory_limit, &error)) {
		cli_error("info", error);
		cmasim_config_free(cfg);
		return 1;
	}
	mem = cmasim_mem_new(cfg);
	if (cfg->initial && !(st = cmasim_state_load(mem, &error))) {
		cli_error("info", error);
		cmasim_mem_free(mem);
		cmasim_config_free(cfg);
		return 1;
	}

	g_autoptr(GString) out = g_string_new(NULL);
	g_string_append_printf(out, "machine %s: %" PRIu64 " MiB at %#" PRIx64 ", %u-byte pages, "
			       "max order %u, pageblock order %u, lowmem %" PRIu64 " MiB, kernel %s\n",
			       cfg->name, cfg->mem_size >> 20, cfg->mem_base, cfg->page_size,
			       cfg->max_page_order, cfg->pageblock_order, cfg->lowmem_size >> 20,
			       cfg->kernel->name);
	g_string_append_printf(out, "%-8s %12s %12s %10s %8s %8s %8s\n", "zone", "start_pfn",
			       "end_pfn", "present", "min", "low", "high");
	for (unsigned int z = 0; z < cmasim_mem_nr_zones(mem); z++) {
		struct cmasim_zone_info zi;

		cmasim_mem_zone_info(mem, z, &zi);
		g_string_append_printf(out, "%-8s %#12" PRIx64 " %#12" PRIx64 " %10" PRIu64
				       " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n",
				       cmasim_zone_type_name(zi.type), zi.start_pfn, zi.end_pfn,
				       zi.present, zi.wmark_min, zi.wmark_low, zi.wmark_high);
	}
	for (unsigned int d = 0; d < cfg->nr_devices; d++) {
		g_autofree char *dev = cli_device_text(&cfg->devices[d]);

		g_string_append_printf(out, "device %s: dma mask %#" PRIx64 ", %s\n", dev,
				       cfg->devices[d].dma_mask,
				       cfg->devices[d].coherent ? "coherent" : "not coherent");
	}
	g_string_append(out, "\n/proc/buddyinfo:\n");
	cmasim_dump_buddyinfo(mem, out);
	if (pagetypeinfo) {
		g_string_append(out, "\n/proc/pagetypeinfo:\n");
		cmasim_dump_pagetypeinfo(mem, false, out);
	}
	if (st)
		cli_clearable_ranges(mem, out);
	fputs(out->str, stdout);
	cmasim_state_free(st);
	cmasim_mem_free(mem);
	cmasim_config_free(cfg);
	return 0;
}

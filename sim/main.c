// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cmasim command: the table of subcommands, one file each (cmd_*.c),
 * and the dispatch to them.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct subcommand {
	const char *name;
	const char *summary;
	cmd_fn *run;
} subcommands[] = {
	{ "run", "replay a workload under one policy and print its figures", cmd_run },
	{ "compare", "replay workloads under several policies, figures side by side", cmd_compare },
	{ "check", "gate figures against limits and a baseline, for CI (JUnit XML)", cmd_check },
	{ "report", "compare policies into figures and a page for a design review", cmd_report },
	{ "size", "find the smallest area at which a target holds", cmd_size },
	{ "sweep", "run a matrix of machines, workloads, policies, parameters and seeds", cmd_sweep },
	{ "gen", "expand a workload's generators into an explicit or binary trace", cmd_gen },
	{ "list", "list policies, built-in machines and workloads", cmd_list },
	{ "show", "print a built-in machine or workload, to copy and edit", cmd_show },
	{ "info", "print a machine's zones, watermarks and free lists", cmd_info },
	{ "import", "turn a real machine's snapshot or ftrace capture into a machine or workload",
	  cmd_import },
	{ "cache", "run an address trace through a data cache and print its misses", cmd_cache },
};

static void usage(FILE *to)
{
	fprintf(to, "Usage: cmasim COMMAND [OPTION...]\n\nCommands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(subcommands); i++)
		fprintf(to, "  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(to, "  %-8s %s\n", "version", "print cmasim's version (also --version)");
	fprintf(to, "\nRun 'cmasim COMMAND --help' for a command's options and examples.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("cmasim %s\n", cmasim_version());
		return 0;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(subcommands); i++) {
		if (!strcmp(argv[1], subcommands[i].name)) {
			cli_catch_signals(subcommands[i].name);
			return subcommands[i].run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "cmasim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim gen: a workload's generators expanded into an explicit or binary trace.
 */

#include "cli.h"

int cmd_gen(int argc, char **argv)
{
	g_autofree char *machine = NULL, *output = NULL, *seed = NULL;
	gboolean binary = FALSE;
	const GOptionEntry entries[] = {
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &machine,
		  "Machine the trace is checked against (default: the workload's)", "MACHINE" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "Write to FILE instead of standard output", "FILE" },
		{ "binary", 'b', 0, G_OPTION_ARG_NONE, &binary,
		  "Write the compiled binary event stream that cmasim run reads fastest", NULL },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed,
		  "Seed for the generators (default: the workload's)", "N" },
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	struct cmasim_config *cfg = NULL;
	struct cli_workload w = { 0 };
	struct cli_outfile out = { 0 };
	uint64_t seed_value = 0;
	int ret = 1;

	if (!cli_parse_options("gen", "WORKLOAD",
			   "Expand a workload's generators into an explicit trace.",
			   "Examples:\n"
			   "  cmasim gen fragmenting-churn -o churn-explicit.yaml\n"
			   "  cmasim gen big-trace.yaml --binary -o big-trace.bin\n",
			   entries, &argc, &argv))
		return 2;
	if (argc != 2)
		return cli_usage_error("gen", "expected one workload");
	if (!cli_parse_seed("gen", seed, &seed_value))
		return 2;
	if (!cli_workload_open(argv[1], false, &w, &error))
		goto out;
	const struct cmasim_trace_info *info = cmasim_trace_info(w.trace);
	cfg = cli_load_machine(cli_workload_machine(&w, machine), &error);
	if (!cfg || !cmasim_trace_start(w.trace, cfg, seed ? seed_value : info->seed, &error) ||
	    !cli_outfile_open(&out, output, &error))
		goto out;
	if (cmasim_trace_write(w.trace, binary, out.f, &error) &&
	    cli_outfile_close(&out, true, &error))
		ret = 0;
out:
	if (error)
		cli_error("gen", error);
	cli_outfile_close(&out, false, NULL);
	cli_workload_close(&w);
	cmasim_config_free(cfg);
	return ret;
}

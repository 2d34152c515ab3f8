// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim run: one workload, one machine, one policy; its figures.
 */
#include <string.h>

#include "cmasim/units.h"
#include "cli.h"

/*
 * Whether paths @a and @b name one regular file, whether or not it exists
 * yet; a device (/dev/null) takes any number of writers.
 */
static bool same_file(const char *a, const char *b)
{
	g_autofree char *ca = g_canonicalize_filename(a, NULL);
	g_autofree char *cb = g_canonicalize_filename(b, NULL);

	return !strcmp(ca, cb) && (!g_file_test(ca, G_FILE_TEST_EXISTS) ||
				   g_file_test(ca, G_FILE_TEST_IS_REGULAR));
}

int cmd_run(int argc, char **argv)
{
	g_autofree char *kernel = NULL, *host_memory = NULL;
	g_autofree char *machine = NULL, *policy = NULL, *format = NULL, *output = NULL;
	g_autofree char *timeline = NULL, *interval = NULL, *seed = NULL, *figures_arg = NULL;
	g_autofree char *requests = NULL, *requests_format = NULL, *kernel_log = NULL;
	g_autofree char *map = NULL, *map_interval = NULL;
	g_auto(GStrv) set = NULL, figures = NULL, own_set = NULL;
	gboolean check = FALSE, quiet = FALSE;
	const GOptionEntry entries[] = {
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &machine,
		  "Machine config: a file or a built-in name (default: the workload's, "
		  "else " DEFAULT_MACHINE ")", "MACHINE" },
		{ "policy", 'p', 0, G_OPTION_ARG_STRING, &policy,
		  "Placement policy (default: buddy; see cmasim list)", "POLICY" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &set,
		  "Set a policy parameter (NAME=VALUE, or POLICY.NAME=VALUE as compare takes it); "
		  "repeatable", "[POLICY.]NAME=VALUE" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "Output format: table (default), json or csv", "FORMAT" },
		{ "figures", 'F', 0, G_OPTION_ARG_STRING, &figures_arg,
		  "Only these figures (glob patterns such as dma_*)", "NAME,..." },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "Write the figures to FILE instead of standard output", "FILE" },
		{ "timeline", 't', 0, G_OPTION_ARG_FILENAME, &timeline,
		  "Write a CSV timeline of the figures to FILE", "FILE" },
		{ "timeline-interval", 0, 0, G_OPTION_ARG_STRING, &interval,
		  "Simulated time between timeline rows (default 10ms; 0 for sample events only)",
		  "TIME" },
		{ "map", 0, 0, G_OPTION_ARG_FILENAME, &map,
		  "Write each pageblock's state over time to FILE (hole, device buffer, pinned, "
		  "reserved, unmovable, movable, free): the memory-map figure's data", "FILE" },
		{ "map-interval", 0, 0, G_OPTION_ARG_STRING, &map_interval,
		  "Simulated time between map rows (default 100ms; 0 for sample events only)",
		  "TIME" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed,
		  "Seed for the workload's generators (default: the workload's)", "N" },
		{ "requests", 'r', 0, G_OPTION_ARG_FILENAME, &requests,
		  "Write a line per device request to FILE: outcome, where it landed, its latency "
		  "by component, busy ranges and the pages that blocked them", "FILE" },
		{ "requests-format", 0, 0, G_OPTION_ARG_STRING, &requests_format,
		  "csv or jsonl (default: jsonl for a FILE ending in .jsonl, else csv)", "FORMAT" },
		{ "kernel-log", 0, 0, G_OPTION_ARG_FILENAME, &kernel_log,
		  "Write the kernel's own messages to FILE where the kernel would print them, "
		  "to diff against a real dmesg", "FILE" },
		{ "check-invariants", 0, 0, G_OPTION_ARG_NONE, &check,
		  "Recount the allocator after every event and stop at the first mismatch (slow)",
		  NULL },
		CLI_REPLAY_ENTRIES(kernel, host_memory),
		CLI_QUIET_ENTRY(quiet),
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) settings = NULL;
	struct cmasim_config *cfg = NULL;
	struct cmasim_results *r = NULL;
	struct cli_workload w = { 0 };
	struct cli_outfile out = { 0 }, tl = { 0 }, req = { 0 }, klog = { 0 }, mapf = { 0 };
	struct cmasim_report_options ropts = { .format = CMASIM_FORMAT_TABLE };
	struct cmasim_run_options opts = { .timeline_interval_ns = 10000000,
					   .map_interval_ns = CLI_MAP_INTERVAL };
	g_autoptr(GString) text = NULL;
	int ret = 1;

	if (!cli_parse_options("run", "[WORKLOAD]",
			       "Replay a workload on a machine under one policy and print its figures.",
			       "WORKLOAD is a trace file (YAML, or binary from cmasim gen --binary) or a\n"
			       "built-in name; the default is " DEFAULT_WORKLOAD ". Times and sizes are\n"
			       "in human units in the table; JSON and CSV keep the raw figures.\n\n"
			       "Examples:\n"
			       "  cmasim run\n"
			       "  cmasim run fragmenting-churn -m armv6-512m --format json -o out.json\n"
			       "  cmasim run my-trace.yaml -p cma --set cma.size=32MiB --timeline tl.csv\n"
			       "  cmasim run -p cma --figures 'dma_*'\n"
			       "  cmasim run gpu-pinning -p cma --requests req.csv --kernel-log dmesg.txt\n",
			       entries, &argc, &argv))
		return 2;
	if (argc > 2)
		return cli_usage_error("run", "expected at most one workload");
	if (!cli_parse_format("run", format, &ropts.format) ||
	    !cli_parse_figures("run", figures_arg, &figures))
		return 2;
	ropts.figures = (const char *const *)figures;
	if (interval && cmasim_parse_time(interval, strlen(interval),
					  &opts.timeline_interval_ns) != CMASIM_PARSE_OK)
		return cli_usage_error("run", "--timeline-interval expects a time such as 10ms");
	if (map_interval && cmasim_parse_time(map_interval, strlen(map_interval),
					      &opts.map_interval_ns) != CMASIM_PARSE_OK)
		return cli_usage_error("run", "--map-interval expects a time such as 100ms");
	if (!cli_parse_seed("run", seed, &opts.seed) ||
	    !cli_parse_replay_args("run", kernel, host_memory, &opts))
		return 2;
	const char *files[] = { output, timeline, requests, kernel_log, map };

	for (unsigned int i = 0; i < G_N_ELEMENTS(files); i++)
		for (unsigned int j = i + 1; j < G_N_ELEMENTS(files); j++)
			if (files[i] && files[j] && strcmp(files[i], "-") &&
			    same_file(files[i], files[j]))
				return cli_usage_error("run", "-o, --timeline, --map, --requests "
						       "and --kernel-log name the same file; the "
						       "one would replace the other");
	if (requests_format && strcmp(requests_format, "csv") && strcmp(requests_format, "jsonl"))
		return cli_usage_error("run", "--requests-format expects csv or jsonl");
	opts.requests_json = requests_format ? !strcmp(requests_format, "jsonl")
					     : requests && g_str_has_suffix(requests, ".jsonl");
	opts.policy = cmasim_policy_find(policy ? policy : "buddy");
	if (!opts.policy) {
		fprintf(stderr, "cmasim run: no policy named '%s' (see cmasim list)\n", policy);
		return 2;
	}
	/* a bad --set is a bad command line, as for compare: checked before any input is read */
	settings = cli_settings_parse((const char *const *)set,
				      (const struct cmasim_policy_ops *const[]){ opts.policy, NULL },
				      "run", &error);
	if (!settings) {
		cli_error("run", error);
		return 2;
	}
	own_set = cli_settings_for(settings, opts.policy);
	opts.set = (const char *const *)own_set;
	opts.check_invariants = check;

	if (!cli_workload_open(argc == 2 ? argv[1] : DEFAULT_WORKLOAD, false, &w, &error))
		goto out;
	if (!seed)
		opts.seed = cmasim_trace_info(w.trace)->seed;
	cfg = cli_load_machine(cli_workload_machine(&w, machine), &error);
	if (!cfg || !cli_outfile_open(&out, output, &error) ||
	    (timeline && !cli_outfile_open(&tl, timeline, &error)) ||
	    (requests && !cli_outfile_open(&req, requests, &error)) ||
	    (kernel_log && !cli_outfile_open(&klog, kernel_log, &error)) ||
	    (map && !cli_outfile_open(&mapf, map, &error)))
		goto out;
	opts.map = mapf.f;
	opts.timeline = tl.f;
	opts.requests = req.f;
	opts.kernel_log = klog.f;
	opts.progress = cli_progress_events;
	cli_progress_start("run", quiet);
	r = cmasim_run(cfg, w.trace, &opts, &error);
	cli_progress_end();
	if (!r)
		goto out;

	text = g_string_new(NULL);
	cmasim_report_results(r, cfg, &ropts, text);
	if ((!timeline || cli_outfile_close(&tl, true, &error)) &&
	    (!requests || cli_outfile_close(&req, true, &error)) &&
	    (!kernel_log || cli_outfile_close(&klog, true, &error)) &&
	    (!map || cli_outfile_close(&mapf, true, &error)) &&
	    cli_outfile_write(&out, text, &error))
		ret = 0;
out:
	if (error)
		cli_error("run", error);
	cli_outfile_close(&tl, false, NULL);
	cli_outfile_close(&req, false, NULL);
	cli_outfile_close(&klog, false, NULL);
	cli_outfile_close(&mapf, false, NULL);
	cli_outfile_close(&out, false, NULL);
	cmasim_results_free(r);
	cli_workload_close(&w);
	cmasim_config_free(cfg);
	return ret;
}

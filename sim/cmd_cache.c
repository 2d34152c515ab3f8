// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim cache: an address trace through a data cache.
 */
#include <limits.h>
#include <string.h>

#include "cmasim/addrtrace.h"
#include "cmasim/cache.h"
#include "cmasim/units.h"
#include "cli.h"

/* Translates address @va of a trace to itself: every address is cacheable memory. */
static bool identity(void *ctx, uint64_t va, uint64_t *pa)
{
	(void)ctx;
	*pa = va;
	return true;
}

int cmd_cache(int argc, char **argv)
{
	g_autofree char *machine = NULL, *size = NULL, *ways = NULL, *line = NULL;
	g_autofree char *indexing = NULL, *write_policy = NULL, *prefetcher = NULL, *degree = NULL;
	g_autofree char *trace_format = NULL, *format = NULL, *output = NULL;
	g_autofree char *spec_rate = NULL, *spec_window = NULL;
	gboolean no_write_allocate = FALSE;
	const GOptionEntry entries[] = {
		{ "machine", 'm', 0, G_OPTION_ARG_STRING, &machine,
		  "Machine whose data cache to start from: a file or a built-in name (default "
		  DEFAULT_MACHINE ")", "MACHINE" },
		{ "size", 0, 0, G_OPTION_ARG_STRING, &size, "Cache size, such as 32KiB", "SIZE" },
		{ "ways", 0, 0, G_OPTION_ARG_STRING, &ways, "Ways (associativity)", "N" },
		{ "line", 0, 0, G_OPTION_ARG_STRING, &line, "Line size in bytes, a power of two",
		  "BYTES" },
		{ "indexing", 0, 0, G_OPTION_ARG_STRING, &indexing, "pipt, vipt or vivt", "MODE" },
		{ "write-policy", 0, 0, G_OPTION_ARG_STRING, &write_policy,
		  "wb (write-back) or wt (write-through)", "POLICY" },
		{ "no-write-allocate", 0, 0, G_OPTION_ARG_NONE, &no_write_allocate,
		  "A write that misses goes around the cache instead of filling the line", NULL },
		{ "prefetcher", 0, 0, G_OPTION_ARG_STRING, &prefetcher,
		  "none, next-line, stride or speculative", "NAME" },
		{ "prefetch-degree", 0, 0, G_OPTION_ARG_STRING, &degree,
		  "Lines a prefetch fetches (0 to 64)", "N" },
		{ "speculation-rate", 0, 0, G_OPTION_ARG_STRING, &spec_rate,
		  "Speculative fills per access, 0 to 1", "RATE" },
		{ "speculation-window", 0, 0, G_OPTION_ARG_STRING, &spec_window,
		  "How far from an access speculation may fill, such as 4KiB", "SIZE" },
		{ "trace-format", 0, 0, G_OPTION_ARG_STRING, &trace_format,
		  "auto (default: told from the first record), lackey, din or plain", "FORMAT" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "Output format: table (default), json or csv", "FORMAT" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "Write the figures to FILE instead of standard output", "FILE" },
		{ NULL },
	};
	g_autoptr(GError) error = NULL;
	struct cmasim_config *cfg = NULL;
	struct cmasim_cache *cache = NULL;
	struct cmasim_addrtrace *trace = NULL;
	struct cmasim_cache_config cc;
	struct cli_outfile out = { 0 };
	enum cmasim_format fmt = CMASIM_FORMAT_TABLE;
	enum cmasim_addrtrace_format tfmt = CMASIM_ADDRTRACE_AUTO;
	uint64_t cache_size = 0, nr_ways = 0, line_bytes = 0, nr_degree = 0, window = 0;
	uint32_t rate_ppm = 0;
	uint64_t loads = 0, stores = 0, modifies = 0, cleans = 0, invalidates = 0, line_ops = 0;
	unsigned int ix = 0, pf = 0;
	struct cmasim_addr_ref ref;
	g_autoptr(GString) text = NULL;
	int got, ret = 1;

	if (!cli_parse_options("cache", "TRACE",
			   "Run an address trace through a data cache and print its hits and misses.",
			   "TRACE is an address trace, gzipped or not: valgrind lackey's output\n"
			   "(--tool=lackey --trace-mem=yes), DineroIV din ('label address [size]'), or\n"
			   "plain 'R|W address size' lines. Instruction fetches are skipped, and each\n"
			   "address is taken as both virtual and physical. A modify (lackey M) is a read\n"
			   "then a write of the same bytes: cachegrind's Dr, D1mr and D1mw are\n"
			   "read_accesses, read_misses and write_misses, and its Dw is write_accesses\n"
			   "less trace_modifies. The cache is the machine's, changed by the options.\n\n"
			   "Examples:\n"
			   "  valgrind --tool=lackey --trace-mem=yes --log-file=trace.txt ./prog\n"
			   "  cmasim cache trace.txt\n"
			   "  cmasim cache trace.txt.gz --size 16KiB --ways 2 --line 32 -f json -o d1.json\n"
			   "  cmasim cache refs.din --write-policy wt --no-write-allocate --prefetcher stride\n",
			   entries, &argc, &argv))
		return 2;
	if (argc != 2)
		return cli_usage_error("cache", "expected one trace");
	if (!cli_parse_format("cache", format, &fmt))
		return 2;
	if (trace_format && !cmasim_addrtrace_format_parse(trace_format, &tfmt))
		return cli_usage_error("cache", "--trace-format expects auto, lackey, din or plain");
	if (size && !cmasim_parse_size(size, strlen(size), &cache_size))
		return cli_usage_error("cache", "--size expects a size such as 32KiB");
	if (ways && (!cmasim_parse_uint(ways, strlen(ways), &nr_ways) || !nr_ways ||
		     nr_ways > UINT_MAX))
		return cli_usage_error("cache", "--ways expects a whole number from 1");
	if (line && (!cmasim_parse_uint(line, strlen(line), &line_bytes) || line_bytes > UINT_MAX))
		return cli_usage_error("cache", "--line expects a number of bytes, such as 64");
	for (ix = 0; indexing && ix <= CMASIM_CACHE_VIVT &&
		     strcmp(indexing, cmasim_cache_indexing_name(ix)); ix++)
		;
	if (indexing && ix > CMASIM_CACHE_VIVT)
		return cli_usage_error("cache", "--indexing expects pipt, vipt or vivt");
	if (write_policy && strcmp(write_policy, "wb") && strcmp(write_policy, "wt"))
		return cli_usage_error("cache", "--write-policy expects wb or wt");
	for (pf = 0; prefetcher && pf <= CMASIM_PREFETCH_SPECULATIVE &&
		     strcmp(prefetcher, cmasim_prefetcher_name(pf)); pf++)
		;
	if (prefetcher && pf > CMASIM_PREFETCH_SPECULATIVE)
		return cli_usage_error("cache", "--prefetcher expects none, next-line, stride or "
				       "speculative");
	if (spec_rate && !cmasim_parse_rate_ppm(spec_rate, strlen(spec_rate), &rate_ppm))
		return cli_usage_error("cache", "--speculation-rate expects a rate from 0 to 1, "
				       "such as 0.25");
	if (spec_window && !cmasim_parse_size(spec_window, strlen(spec_window), &window))
		return cli_usage_error("cache", "--speculation-window expects a size such as 4KiB");
	if (degree && (!cmasim_parse_uint(degree, strlen(degree), &nr_degree) ||
		       nr_degree > CMASIM_PREFETCH_DEGREE_MAX))
		return cli_usage_error("cache", "--prefetch-degree expects a number from 0 to 64");

	cfg = cli_load_machine(machine ? machine : DEFAULT_MACHINE, &error);
	if (!cfg)
		goto out;
	cc = cfg->cache;
	if (size)
		cc.size = cache_size;
	if (ways)
		cc.ways = (unsigned int)nr_ways;
	if (line)
		cc.line_size = (unsigned int)line_bytes;
	if (indexing)
		cc.indexing = ix;
	if (write_policy)
		cc.write_back = !strcmp(write_policy, "wb");
	if (no_write_allocate)
		cc.write_allocate = false;
	if (prefetcher)
		cc.prefetcher = pf;
	if (degree)
		cc.prefetch_degree = (unsigned int)nr_degree;
	if (spec_rate)
		cc.spec_rate_ppm = rate_ppm;
	if (spec_window)
		cc.spec_window = window;
	cache = cmasim_cache_new(&cc, cfg->page_shift, 0, &error);
	if (!cache) {
		ret = 2;	/* the options asked for an impossible cache */
		goto out;
	}
	/*
	 * A trace's addresses are virtual and physical at once, all of them
	 * cacheable: where speculation may fill, any line near an access.
	 */
	if (cc.prefetcher == CMASIM_PREFETCH_SPECULATIVE)
		cmasim_cache_set_hooks(cache, &(struct cmasim_cache_hooks){
					       .translate = identity });

	trace = cmasim_addrtrace_open(argv[1], tfmt, &error);
	if (!trace)
		goto out;
	while ((got = cmasim_addrtrace_next(trace, &ref, &error)) > 0) {
		switch (ref.op) {
		case CMASIM_ADDR_READ:
			loads++;
			cmasim_cache_access(cache, ref.addr, ref.addr, ref.size, false);
			break;
		case CMASIM_ADDR_WRITE:
			stores++;
			cmasim_cache_access(cache, ref.addr, ref.addr, ref.size, true);
			break;
		case CMASIM_ADDR_MODIFY:
			modifies++;
			cmasim_cache_access(cache, ref.addr, ref.addr, ref.size, false);
			cmasim_cache_access(cache, ref.addr, ref.addr, ref.size, true);
			break;
		case CMASIM_ADDR_CLEAN:
			cleans++;
			line_ops += cmasim_cache_clean(cache, ref.addr, ref.addr, ref.size);
			break;
		case CMASIM_ADDR_INVALIDATE:
			invalidates++;
			line_ops += cmasim_cache_invalidate(cache, ref.addr, ref.addr, ref.size);
			break;
		}
	}
	if (got < 0)
		goto out;
	if (!loads && !stores && !modifies)
		fprintf(stderr, "cmasim cache: warning: %s has no data accesses; its miss rates have "
			"no value\n", argv[1]);

	const struct cmasim_cache_report report = {
		.cache = &cc,
		.trace_format = cmasim_addrtrace_format_name(cmasim_addrtrace_format(trace)),
		.trace_sha256 = cmasim_addrtrace_sha256(trace),
		.loads = loads, .stores = stores, .modifies = modifies,
		.ifetches = cmasim_addrtrace_nr_ifetches(trace),
		.cleans = cleans, .invalidates = invalidates, .line_ops = line_ops,
		.stats = cmasim_cache_stats(cache),
	};

	text = g_string_new(NULL);
	cmasim_report_cache(&report, fmt, text);
	if (cli_outfile_open(&out, output, &error) && cli_outfile_write(&out, text, &error))
		ret = 0;
out:
	if (error)
		cli_error("cache", error);
	cli_outfile_close(&out, false, NULL);
	cmasim_addrtrace_close(trace);
	cmasim_cache_free(cache);
	cmasim_config_free(cfg);
	return ret;
}

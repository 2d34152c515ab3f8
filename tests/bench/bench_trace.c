// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trace reading speed and memory. Writes a flow-style YAML trace of N
 * events (default 10,000,000; argv[1] overrides) and one of N/10, then in
 * this process measures:
 *   (a) libyaml alone: yaml_parser_parse + yaml_event_delete over the file
 *   (b) cmasim_trace_next over the same file, and the ratio (b)/(a); both
 *       run twice, alternating, and the faster of each counts
 *   (c) the binary stream cmasim_trace_write makes of it (its time includes
 *       reading the YAML), read back
 *   (d) peak RSS after reading N/10 events, then after reading N: the
 *       reader's memory must not grow with the trace's length
 * The trace mixes background alloc/free pairs on a pool of reused ids with
 * DMA buffers that are allocated, transferred, touched by the CPU and freed.
 * Times are CPU seconds of this process, which a busy host disturbs less
 * than wall-clock time.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <yaml.h>

#include "cmasim/trace.h"
#include "bench.h"

#define MiB (UINT64_C(1) << 20)

static char camera[] = "camera", display[] = "display", machine_name[] = "bench-1g";
static struct cmasim_device devices[] = {
	{ .name = camera, .dma_mask = 0xffffffff },
	{ .name = display, .dma_mask = 0xffffffff },
};

/* Filled by hand so the benchmark measures the trace reader and nothing else. */
static const struct cmasim_config machine = {
	.name = machine_name,
	.mem_size = 1024 * MiB,
	.page_size = 4096,
	.page_shift = 12,
	.max_page_order = 10,
	.pageblock_order = 10,
	.lowmem_size = 1024 * MiB,
	.nr_zones = 1,
	.zones = { { CMASIM_ZONE_NORMAL, 0, 1024 * MiB } },
	.nr_devices = 2,
	.devices = devices,
};

#define NR_IDS 4096	/* background ids, reused */
#define NR_BUFS 16	/* DMA buffers */

/* Writes an @n-event trace to @path. */
static void write_trace(const char *path, uint64_t n)
{
	static const char *const mts[] = { "movable", "movable", "movable", "unmovable",
					   "reclaimable" };
	static char iobuf[1 << 20];
	uint32_t live[NR_IDS], nr_live = 0, free_ids[NR_IDS], nr_free = NR_IDS;
	int buf_state[NR_BUFS] = { 0 };	/* 0 free, 1 allocated */
	uint64_t seed = 7;
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	for (uint32_t i = 0; i < NR_IDS; i++)
		free_ids[i] = NR_IDS - 1 - i;
	fputs("name: bench\nseed: 1\nmachine: bench-1g\ndevices: [camera, display]\nevents:\n", f);
	for (uint64_t e = 0; e < n; e++) {
		uint64_t r = cmasim_splitmix64(&seed);
		unsigned int pct = (unsigned int)(r % 100);
		double us = (double)e * 1.5;	/* 1.5us apart: whole us or 500ns */
		char t[32];

		if (e % 2 == 0)
			snprintf(t, sizeof(t), "%" PRIu64 "us", (uint64_t)us);
		else
			snprintf(t, sizeof(t), "%" PRIu64 "ns", (uint64_t)(us * 1000));
		if (pct < 80) {
			if (nr_free && (nr_live < NR_IDS / 2 || (r >> 8) % 2)) {
				uint32_t id = free_ids[--nr_free];

				live[nr_live++] = id;
				fprintf(f, "  - { t: %s, op: alloc, migratetype: %s, order: %u, "
					"id: b%u }\n", t, mts[(r >> 16) % 5],
					(unsigned int)((r >> 24) % 4), id);
			} else {
				uint32_t i = (uint32_t)((r >> 32) % nr_live), id = live[i];

				live[i] = live[--nr_live];
				free_ids[nr_free++] = id;
				fprintf(f, "  - { t: %s, op: free, id: b%u }\n", t, id);
			}
			continue;
		}
		unsigned int b = (unsigned int)((r >> 8) % NR_BUFS);
		const char *dev = b % 2 ? "display" : "camera";

		if (!buf_state[b]) {
			fprintf(f, "  - { t: %s, op: dma_alloc, device: %s, size: %uKiB, "
				"id: frame%u }\n", t, dev, 64u << (b % 5), b);
			buf_state[b] = 1;
		} else if (pct < 90) {
			fprintf(f, "  - { t: %s, op: dma, device: %s, buffer: frame%u, direction: "
				"from_device, bytes: 64KiB }\n", t, dev, b);
		} else if (pct < 96) {
			fprintf(f, "  - { t: %s, op: cpu, buffer: frame%u, access: read, "
				"bytes: 4KiB }\n", t, b);
		} else {
			fprintf(f, "  - { t: %s, op: dma_free, id: frame%u }\n", t, b);
			buf_state[b] = 0;
		}
	}
	if (fclose(f)) {
		perror(path);
		exit(1);
	}
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* libyaml alone over @path: seconds; *@nr_events gets the event count. */
static double bare_libyaml(const char *path, uint64_t *nr_events)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;
	double t0;

	if (!f) {
		perror(path);
		exit(1);
	}
	*nr_events = 0;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	t0 = now();
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			fprintf(stderr, "%s: libyaml: %s\n", path, parser.problem);
			exit(1);
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		(*nr_events)++;
	}
	t0 = now() - t0;
	yaml_parser_delete(&parser);
	fclose(f);
	return t0;
}

/* Opens and starts @path, or exits with the message. */
static struct cmasim_trace *open_started(const char *path)
{
	GError *error = NULL;
	struct cmasim_trace *t = cmasim_trace_open(path, &error);

	if (!t || !cmasim_trace_start(t, &machine, 1, &error)) {
		fprintf(stderr, "%s\n", error->message);
		exit(1);
	}
	return t;
}

/* Reads every record of @path: seconds (open included); *@nr gets the count. */
static double read_all(const char *path, uint64_t *nr)
{
	struct cmasim_record rec;
	GError *error = NULL;
	double t0 = now();
	struct cmasim_trace *t = open_started(path);
	uint64_t check = 0;
	int got;

	*nr = 0;
	while ((got = cmasim_trace_next(t, &rec, &error)) > 0) {
		check += rec.id;
		(*nr)++;
	}
	t0 = now() - t0;
	if (got < 0) {
		fprintf(stderr, "%s\n", error->message);
		exit(1);
	}
	cmasim_trace_close(t);
	if (check == 1)
		puts("");	/* keeps the loop from being optimised away */
	return t0;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000, nr, nr_small, nr_ev;
	char *dir = g_dir_make_tmp("cmasim-bench-trace-XXXXXX", NULL);
	char *big = g_build_filename(dir, "big.yaml", NULL);
	char *small = g_build_filename(dir, "small.yaml", NULL);
	char *bin = g_build_filename(dir, "big.bin", NULL);
	double gen, bare, yaml, convert, binary;
	long rss_small, rss_big;
	GError *error = NULL;
	struct cmasim_trace *t;
	FILE *out;

	if (!dir || n < 10) {
		fprintf(stderr, "usage: %s [events >= 10]\n", argv[0]);
		return 1;
	}
	gen = now();
	write_trace(small, n / 10);
	write_trace(big, n);
	gen = now() - gen;
	printf("trace: wrote %" PRIu64 " + %" PRIu64 " events in %.2f s CPU\n", n, n / 10, gen);

	read_all(small, &nr_small);
	rss_small = peak_rss_kib();

	/* Twice each, alternating, keeping the faster: the host may be busy. */
	bare = bare_libyaml(big, &nr_ev);
	yaml = read_all(big, &nr);
	rss_big = peak_rss_kib();
	bare = MIN(bare, bare_libyaml(big, &nr_ev));
	yaml = MIN(yaml, read_all(big, &nr));
	printf("trace: yaml %" PRIu64 " events in %.2f s CPU (%.2f M/s); libyaml bare %.2f s "
	       "(%" PRIu64 " libyaml events); ratio %.2f\n", nr, yaml, (double)nr / yaml / 1e6,
	       bare, nr_ev, yaml / bare);
	/* the peer: the same events at libyaml's bare parsing speed */
	printf("result trace_yaml_read %.2f Mevents/s - libyaml %.2f\n", (double)nr / yaml / 1e6,
	       (double)nr / bare / 1e6);

	/* the conversion reads the yaml as it goes: its time includes a yaml read */
	convert = now();
	t = open_started(big);
	out = fopen(bin, "wb");
	if (!out || !cmasim_trace_write(t, true, out, &error)) {
		fprintf(stderr, "%s\n", error ? error->message : "cannot write");
		return 1;
	}
	fclose(out);
	cmasim_trace_close(t);
	convert = now() - convert;
	binary = read_all(bin, &nr);
	printf("trace: yaml converted to binary in %.2f s CPU (the yaml read included); binary "
	       "read %" PRIu64 " records in %.3f s CPU (%.1f M/s)\n",
	       convert, nr, binary, (double)nr / binary / 1e6);
	printf("result trace_binary_read %.1f Mrecords/s -\n", (double)nr / binary / 1e6);
	printf("trace: peak RSS %ld KiB after %" PRIu64 " events, %ld KiB after %" PRIu64
	       " events\n", rss_small, nr_small, rss_big, n);

	g_remove(small);
	g_remove(big);
	g_remove(bin);
	g_rmdir(dir);
	g_free(small);
	g_free(big);
	g_free(bin);
	g_free(dir);
	return 0;
}

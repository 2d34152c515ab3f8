// SPDX-License-Identifier: GPL-2.0-only
/*
 * The trace reader: every op into exact records, times, generators against
 * hand-worked and independently modelled expansions, merge order, YAML and
 * binary round trips, and a table of bad traces with their exact messages.
 * The machine is filled in by hand so these tests do not depend on the
 * config loader.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/migrate.h"
#include "cmasim/physmem.h"
#include "cmasim/trace.h"
#include "scratch.h"

#define MiB (UINT64_C(1) << 20)
#define MS UINT64_C(1000000)

static char camera[] = "camera", display[] = "display";
static struct cmasim_device devices[] = {
	{ .name = camera, .dma_mask = 0xffffffff },
	{ .name = display, .dma_mask = 0xffffffff, .coherent = true },
};
static char machine_name[] = "test-1g";

/* 1 GiB at 0x80000000: 768 MiB Normal, 256 MiB HighMem; two devices. */
static const struct cmasim_config machine = {
	.name = machine_name,
	.mem_base = 0x80000000,
	.mem_size = 1024 * MiB,
	.page_size = 4096,
	.page_shift = 12,
	.max_page_order = 10,
	.pageblock_order = 10,
	.lowmem_size = 768 * MiB,
	.nr_zones = 2,
	.zones = {
		{ CMASIM_ZONE_NORMAL, 0x80000000, 0xb0000000 },
		{ CMASIM_ZONE_HIGHMEM, 0xb0000000, 0xc0000000 },
	},
	.nr_devices = 2,
	.devices = devices,
};

/* What reading a trace gave: its records, the slot name of each (or ""), the first error. */
struct run {
	GArray *recs;
	GPtrArray *names;
	GError *error;
};

/* Whether record @r's op carries an id: not an alloc or free of a block known by its pfn. */
static bool has_id(const struct cmasim_record *r)
{
	switch (r->op) {
	case CMASIM_OP_ALLOC:
		return !(r->c & CMASIM_REC_NO_ID);
	case CMASIM_OP_FREE:
		return !(r->c & CMASIM_REC_AT_PFN);
	case CMASIM_OP_PIN:
	case CMASIM_OP_UNPIN:
	case CMASIM_OP_DMA_ALLOC:
	case CMASIM_OP_DMA_FREE:
	case CMASIM_OP_DMA:
		return true;
	case CMASIM_OP_CPU:
		return r->a == CMASIM_CPU_BUFFER;
	default:
		return false;
	}
}

/* Reads every record of an opened @t (NULL: @r->error is set) started on @cfg. */
static void drain(struct cmasim_trace *t, const struct cmasim_config *cfg, uint64_t seed,
		  struct run *r)
{
	struct cmasim_record rec;
	int got;

	r->recs = g_array_new(FALSE, FALSE, sizeof(struct cmasim_record));
	r->names = g_ptr_array_new_with_free_func(g_free);
	if (!t)
		return;
	if (cmasim_trace_start(t, cfg, seed, &r->error)) {
		while ((got = cmasim_trace_next(t, &rec, &r->error)) > 0) {
			g_array_append_val(r->recs, rec);
			g_ptr_array_add(r->names, g_strdup(has_id(&rec) ?
					cmasim_trace_slot_name(t, rec.id) : ""));
		}
		cr_assert(got == 0 || r->error, "next returned -1 without an error");
	}
	cmasim_trace_close(t);
}

/* Reads the YAML @text on the test machine. */
static void run_yaml(const char *text, uint64_t seed, struct run *r)
{
	memset(r, 0, sizeof(*r));
	drain(cmasim_trace_open_data("t.yaml", text, strlen(text), &r->error), &machine, seed, r);
}

static void run_free(struct run *r)
{
	g_array_free(r->recs, TRUE);
	g_ptr_array_free(r->names, TRUE);
	g_clear_error(&r->error);
}

static const struct cmasim_record *rec_at(const struct run *r, unsigned int i)
{
	return &g_array_index(r->recs, struct cmasim_record, i);
}

/* Asserts that @got equals @want field by field, the source line too if @line. */
static void expect_rec(const struct cmasim_record *got, const struct cmasim_record *want,
		       bool line, unsigned int i)
{
	cr_expect_eq(got->time_ns, want->time_ns, "record %u: time %" PRIu64 " != %" PRIu64, i,
		     got->time_ns, want->time_ns);
	cr_expect_eq(got->op, want->op, "record %u: op %u != %u", i, got->op, want->op);
	cr_expect_eq(got->a, want->a, "record %u: a %u != %u", i, got->a, want->a);
	cr_expect_eq(got->b, want->b, "record %u: b %u != %u", i, got->b, want->b);
	cr_expect_eq(got->c, want->c, "record %u: c %u != %u", i, got->c, want->c);
	cr_expect_eq(got->id, want->id, "record %u: id %u != %u", i, got->id, want->id);
	cr_expect_eq(got->x, want->x, "record %u: x %" PRIu64 " != %" PRIu64, i, got->x, want->x);
	cr_expect_eq(got->y, want->y, "record %u: y %u != %u", i, got->y, want->y);
	cr_expect_eq(got->dev, want->dev, "record %u: dev %u != %u", i, got->dev, want->dev);
	if (line)
		cr_expect_eq(got->line, want->line, "record %u: line %u != %u", i, got->line,
			     want->line);
}

/* Asserts that two runs produced the same records and names. */
static void expect_same(const struct run *a, const struct run *b, bool line)
{
	cr_assert_eq(a->recs->len, b->recs->len, "%u records != %u", a->recs->len, b->recs->len);
	for (unsigned int i = 0; i < a->recs->len; i++) {
		expect_rec(rec_at(b, i), rec_at(a, i), line, i);
		cr_expect_str_eq(b->names->pdata[i], a->names->pdata[i], "record %u", i);
	}
}

/* Reads YAML @text and asserts its @n records are @want, lines too, and their names @names (if any). */
static void expect_records(const char *text, const struct cmasim_record *want, unsigned int n,
			   const char *const *names)
{
	struct run r;

	run_yaml(text, 0, &r);
	cr_assert_null(r.error, "%s", r.error->message);
	cr_assert_eq(r.recs->len, n, "%u records, expected %u", r.recs->len, n);
	for (unsigned int i = 0; i < n; i++) {
		expect_rec(rec_at(&r, i), &want[i], true, i);
		if (names)
			cr_expect_str_eq(r.names->pdata[i], names[i], "record %u", i);
	}
	run_free(&r);
}

#define REC(t_, op_, a_, b_, c_, id_, x_, y_, line_) \
	{ .time_ns = (t_), .op = CMASIM_OP_##op_, .a = (a_), .b = (b_), .c = (c_), \
	  .id = (id_), .x = (x_), .y = (y_), .line = (line_) }
#define ANY CMASIM_REC_ANY

Test(trace, every_op_and_field)
{
	static const char text[] =
		"name: ops\n"
		"description: every op\n"
		"seed: 7\n"
		"machine: test-1g\n"
		"devices: [camera, display]\n"
		"events:\n"
		"  - { t: 0, op: alloc, migratetype: unmovable, order: 3, count: 4, id: a }\n"
		"  - { t: 1ns, op: alloc, migratetype: reclaimable, order: 2, pin: true, "
		"pfn: 0x80004, device: camera, id: b }\n"
		"  - { t: 2us, op: pin, id: a }\n"
		"  - { t: 3ms, op: unpin, id: a }\n"
		"  - { t: 3ms, op: pin, id: a, longterm: false, device: display }\n"
		"  - { t: 3ms, op: pin, id: a, longterm: true }\n"
		"  - { t: 4s, op: free, id: a }\n"
		"  - { t: 4s, op: dma_alloc, device: display, size: 8MiB, align: 4, atomic: true, "
		"id: cam0 }\n"
		"  - { t: 4.5s, op: dma, device: camera, buffer: cam0, direction: from_device, "
		"bytes: 1 MiB }\n"
		"  - { t: 5 s, op: cpu, buffer: cam0, access: write, bytes: 4KiB, pattern: stride, "
		"stride: 64 }\n"
		"  - { t: 5s, op: cpu, region: user, access: read, bytes: 0x1000, "
		"pattern: random }\n"
		"  - { t: 5s, op: cpu, region: lowmem, access: read, bytes: 100 }\n"
		"  - { t: 6s, op: compact, zone: HighMem, order: 9 }\n"
		"  - { t: 6s, op: compact }\n"
		"  - { t: 7s, op: drop_caches }\n"
		"  - { t: 8s, op: sample }\n"
		"  - { t: 9s, op: dma_free, id: cam0 }\n"
		"  - { t: 9s, op: dma_alloc, device: camera, size: 4096, id: 17 }\n"
		"  - { t: 9s, op: alloc, migratetype: movable, order: 1, owner: file, pfn: 0x80006 }\n"
		"  - { t: 9s, op: free, pfn: 0x80006, order: 1 }\n"
		"  - { t: 9s, op: free, pfn: 0x80007 }\n"
		"  - t: 10s\n"
		"    op: alloc\n"
		"    migratetype: movable\n"
		"    order: 0\n"
		"    id: \"a b\"\n";
	struct cmasim_record want[] = {
		REC(0, ALLOC, CMASIM_MT_UNMOVABLE, 3, 0, 0, 0, 4, 7),
		REC(1, ALLOC, CMASIM_MT_RECLAIMABLE, 2, CMASIM_REC_PIN | CMASIM_REC_AT_PFN, 1,
		    0x80004, 1, 8),
		REC(2000, PIN, 0, 0, 0, 0, 0, 0, 9),
		REC(3 * MS, UNPIN, 0, 0, 0, 0, 0, 0, 10),
		REC(3 * MS, PIN, 0, 0, CMASIM_REC_SHORTTERM, 0, 0, 0, 11),
		REC(3 * MS, PIN, 0, 0, 0, 0, 0, 0, 12),
		REC(4000 * MS, FREE, 0, 0, 0, 0, 0, 0, 13),
		/* cam0 takes the oldest free slot, a's */
		REC(4000 * MS, DMA_ALLOC, 1, 4, CMASIM_REC_ATOMIC, 0, 8 * MiB, 0, 14),
		REC(4500 * MS, DMA, 0, CMASIM_DMA_FROM_DEVICE, 0, 0, MiB, 0, 15),
		REC(5000 * MS, CPU, CMASIM_CPU_BUFFER, 1, CMASIM_PATTERN_STRIDE, 0, 4096, 64, 16),
		REC(5000 * MS, CPU, CMASIM_CPU_USER, 0, CMASIM_PATTERN_RANDOM, 0, 4096, 0, 17),
		REC(5000 * MS, CPU, CMASIM_CPU_LOWMEM, 0, CMASIM_PATTERN_SEQUENTIAL, 0, 100, 0, 18),
		REC(6000 * MS, COMPACT, 1, 9, 0, 0, 0, 0, 19),
		REC(6000 * MS, COMPACT, ANY, ANY, 0, 0, 0, 0, 20),
		REC(7000 * MS, DROP_CACHES, 0, 0, 0, 0, 0, 0, 21),
		REC(8000 * MS, SAMPLE, 0, 0, 0, 0, 0, 0, 22),
		REC(9000 * MS, DMA_FREE, 0, 0, 0, 0, 0, 0, 23),
		REC(9000 * MS, DMA_ALLOC, 0, ANY, 0, 0, 4096, 0, 24),
		/* blocks known by their pfn: no id, so no slot */
		REC(9000 * MS, ALLOC, CMASIM_MT_MOVABLE, 1,
		    CMASIM_REC_AT_PFN | CMASIM_REC_NO_ID | (CMASIM_OWNER_FILE + 1) << 4, 0,
		    0x80006, 1, 25),
		REC(9000 * MS, FREE, 0, 1, CMASIM_REC_AT_PFN, 0, 0x80006, 0, 26),
		REC(9000 * MS, FREE, 0, 0, CMASIM_REC_AT_PFN, 0, 0x80007, 0, 27),
		REC(10000 * MS, ALLOC, CMASIM_MT_MOVABLE, 0, 0, 2, 0, 1, 28),
	};
	static const char *const names[] = {
		"a", "b", "a", "a", "a", "a", "a", "cam0", "cam0", "cam0", "", "", "", "", "", "",
		"cam0", "17", "", "", "", "a b",
	};

	/* device: of an alloc and a pin: 1 + camera's index 0, 1 + display's 1 */
	want[1].dev = 1;
	want[4].dev = 2;
	G_STATIC_ASSERT(G_N_ELEMENTS(names) == G_N_ELEMENTS(want));
	expect_records(text, want, G_N_ELEMENTS(want), names);
}

Test(trace, header)
{
	static const char text[] =
		"name: cam\n"
		"description: \"1080p preview\"\n"
		"seed: 0x2a\n"
		"machine: armv7-1g\n"
		"devices: [display, camera]\n"
		"events: []\n";
	struct cmasim_trace *t = cmasim_trace_open_data("dir/x.yaml", text, strlen(text), NULL);
	const struct cmasim_trace_info *info;
	struct cmasim_record rec;

	cr_assert_not_null(t);
	info = cmasim_trace_info(t);
	cr_expect_str_eq(info->source, "dir/x.yaml");
	cr_expect_str_eq(info->name, "cam");
	cr_expect_str_eq(info->description, "1080p preview");
	cr_expect_str_eq(info->machine, "armv7-1g");
	cr_expect_eq(info->seed, 42);
	cr_assert_eq(info->nr_devices, 2);
	cr_expect_str_eq(info->devices[0], "display");
	cr_expect_str_eq(info->devices[1], "camera");
	cr_expect_null(info->devices[2]);
	cr_assert(cmasim_trace_start(t, &machine, 0, NULL));
	cr_expect_eq(cmasim_trace_next(t, &rec, NULL), 0);
	cmasim_trace_close(t);

	t = cmasim_trace_open_data("dir/wl.yaml", "events: []", 10, NULL);
	cr_assert_not_null(t);
	info = cmasim_trace_info(t);
	cr_expect_str_eq(info->name, "wl", "default name is the base name without .yaml");
	cr_expect_null(info->description);
	cr_expect_null(info->machine);
	cr_expect_eq(info->seed, 0);
	cr_expect_eq(info->nr_devices, 0);
	cmasim_trace_close(t);
}

Test(trace, op_names)
{
	static const char *const want[CMASIM_NR_OPS] = {
		"alloc", "free", "pin", "unpin", "dma_alloc", "dma_free", "dma", "cpu",
		"compact", "drop_caches", "sample",
	};

	for (int op = 0; op < CMASIM_NR_OPS; op++)
		cr_expect_str_eq(cmasim_op_name(op), want[op]);
}

Test(trace, time_units)
{
	static const struct {
		const char *text;
		uint64_t ns;
	} times[] = {
		{ "0", 0 },
		{ "1ns", 1 },
		{ "0.000000002s", 2 },
		{ "5ns", 5 },
		{ "7us", 7000 },
		{ "7.5 us", 7500 },
		{ "0.0085ms", 8500 },
		{ "3ms", 3 * MS },
		{ "3.25ms", 3250000 },
		{ "0.25s", 250 * MS },
		{ "1.5 ms", 1500000 },
		{ "2s", 2000 * MS },
		{ "2.000s", 2000 * MS },
		{ "18446744073s", UINT64_C(18446744073000000000) },
		{ "18446744073.709551615s", UINT64_MAX },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(times); i++) {
		char *text = g_strdup_printf("events:\n  - { t: %s, op: sample }\n", times[i].text);
		struct run r;

		run_yaml(text, 0, &r);
		cr_expect_null(r.error, "%s: %s", times[i].text, r.error ? r.error->message : "");
		if (!r.error) {
			cr_assert_eq(r.recs->len, 1);
			cr_expect_eq(rec_at(&r, 0)->time_ns, times[i].ns, "%s", times[i].text);
		}
		run_free(&r);
		g_free(text);
	}
}

/*
 * repeat worked by hand: count 3, period 5ms from 10ms, block {0: alloc x,
 * 1ms: free x, 6ms: sample}. Iteration 0's sample (16ms) overlaps
 * iteration 1 (15ms..): at 16ms the explicit drop_caches goes first, then
 * the repeat's records by iteration.
 */
Test(trace, repeat_by_hand)
{
	static const char text[] =
		"events:\n"
		"  - { t: 1ms, op: sample }\n"
		"  - t: 10ms\n"
		"    op: repeat\n"
		"    count: 3\n"
		"    period: 5ms\n"
		"    events:\n"
		"      - { t: 0, op: alloc, migratetype: movable, order: 1, id: x }\n"
		"      - { t: 1ms, op: free, id: x }\n"
		"      - { t: 6ms, op: sample }\n"
		"  - { t: 16ms, op: drop_caches }\n"
		"  - { t: 30ms, op: sample }\n";
	static const struct cmasim_record want[] = {
		REC(1 * MS, SAMPLE, 0, 0, 0, 0, 0, 0, 2),
		REC(10 * MS, ALLOC, CMASIM_MT_MOVABLE, 1, 0, 0, 0, 1, 8),
		REC(11 * MS, FREE, 0, 0, 0, 0, 0, 0, 9),
		REC(15 * MS, ALLOC, CMASIM_MT_MOVABLE, 1, 0, 0, 0, 1, 8),
		REC(16 * MS, DROP_CACHES, 0, 0, 0, 0, 0, 0, 11),
		REC(16 * MS, SAMPLE, 0, 0, 0, 0, 0, 0, 10),	/* iteration 0 */
		REC(16 * MS, FREE, 0, 0, 0, 0, 0, 0, 9),	/* iteration 1 */
		REC(20 * MS, ALLOC, CMASIM_MT_MOVABLE, 1, 0, 0, 0, 1, 8),
		REC(21 * MS, SAMPLE, 0, 0, 0, 0, 0, 0, 10),
		REC(21 * MS, FREE, 0, 0, 0, 0, 0, 0, 9),
		REC(26 * MS, SAMPLE, 0, 0, 0, 0, 0, 0, 10),
		REC(30 * MS, SAMPLE, 0, 0, 0, 0, 0, 0, 12),
	};

	expect_records(text, want, G_N_ELEMENTS(want), NULL);
}

/*
 * Ids ending in '#' in a repeat block are numbered by iteration: x0, x1,
 * x2 live at once, and a second repeat frees them by the same numbers.
 */
Test(trace, repeat_numbers_ids)
{
	static const char text[] =
		"events:\n"
		"  - { t: 0, op: repeat, count: 3, period: 1ms, events: [\n"
		"      { t: 0, op: alloc, migratetype: movable, order: 0, id: \"x#\" } ] }\n"
		"  - { t: 5ms, op: repeat, count: 3, period: 1us, events: [\n"
		"      { t: 0, op: free, id: \"x#\" } ] }\n";
	static const struct cmasim_record want[] = {
		REC(0, ALLOC, CMASIM_MT_MOVABLE, 0, 0, 0, 0, 1, 3),
		REC(1 * MS, ALLOC, CMASIM_MT_MOVABLE, 0, 0, 1, 0, 1, 3),
		REC(2 * MS, ALLOC, CMASIM_MT_MOVABLE, 0, 0, 2, 0, 1, 3),
		REC(5 * MS, FREE, 0, 0, 0, 0, 0, 0, 5),
		REC(5 * MS + 1000, FREE, 0, 0, 0, 1, 0, 0, 5),
		REC(5 * MS + 2000, FREE, 0, 0, 0, 2, 0, 0, 5),
	};
	static const char *const names[] = { "x0", "x1", "x2", "x0", "x1", "x2" };

	G_STATIC_ASSERT(G_N_ELEMENTS(names) == G_N_ELEMENTS(want));
	expect_records(text, want, G_N_ELEMENTS(want), names);
}

/*
 * frame: sizes worked by hand from the format definitions (sim/frame.c
 * cites them); dma_alloc rounds up to whole 4 KiB pages, dma moves the
 * frame's bytes as they are.
 *   NV12 1920x1080: Y 1920 x 1080 = 2073600, CbCr 960 x 540 x 2 = 1036800:
 *     3110400 B, 759.4 pages: 760 x 4096 = 3112960
 *   RAW10 4056x3040 (a 12.3 MP sensor): 4056 x 10 / 8 = 5070 B a line x
 *     3040 = 15412800 B, 3762.9 pages: 3763 x 4096 = 15413248
 *   RAW12 4000x3000: 4000 x 12 / 8 = 6000 x 3000 = 18000000 B, 4394.5
 *     pages: 4395 x 4096 = 18001920
 *   XRGB8888 1920x1080: 4 x 1920 x 1080 = 8294400 B, exactly 2025 pages
 *   YUV420 3x3: Y 9, Cb and Cr ceil(3/2) x ceil(3/2) = 4 each: 17 B
 *   RAW10 3x1: 30 bits end in a whole byte: 4 B
 */
Test(trace, frame_sizes)
{
	static const char text[] =
		"events:\n"
		"  - { t: 0, op: dma_alloc, device: camera, frame: NV12 1920x1080, id: a }\n"
		"  - { t: 0, op: dma_alloc, device: camera, frame: RAW10 4056x3040, id: b }\n"
		"  - { t: 0, op: dma_alloc, device: camera, frame: RAW12 4000x3000, id: c }\n"
		"  - { t: 0, op: dma_alloc, device: display, frame: XRGB8888 1920x1080, id: d }\n"
		"  - { t: 0, op: dma_alloc, device: camera, frame: YUV420 3x3, id: e }\n"
		"  - { t: 1ms, op: dma, device: camera, buffer: a, direction: from_device, "
		"frame: NV12 1920x1080 }\n"
		"  - { t: 1ms, op: dma, device: camera, buffer: e, direction: from_device, "
		"frame: YUV420 3x3 }\n"
		"  - { t: 1ms, op: dma, device: camera, buffer: e, direction: from_device, "
		"frame: RAW10 3x1 }\n";
	static const struct cmasim_record want[] = {
		REC(0, DMA_ALLOC, 0, ANY, 0, 0, 3112960, 0, 2),
		REC(0, DMA_ALLOC, 0, ANY, 0, 1, 15413248, 0, 3),
		REC(0, DMA_ALLOC, 0, ANY, 0, 2, 18001920, 0, 4),
		REC(0, DMA_ALLOC, 1, ANY, 0, 3, 8294400, 0, 5),
		REC(0, DMA_ALLOC, 0, ANY, 0, 4, 4096, 0, 6),
		REC(1 * MS, DMA, 0, CMASIM_DMA_FROM_DEVICE, 0, 0, 3110400, 0, 7),
		REC(1 * MS, DMA, 0, CMASIM_DMA_FROM_DEVICE, 0, 4, 17, 0, 8),
		REC(1 * MS, DMA, 0, CMASIM_DMA_FROM_DEVICE, 0, 4, 4, 0, 9),
	};

	expect_records(text, want, G_N_ELEMENTS(want), NULL);
}

/*
 * Two streams worked by hand. s: 2 NV12 64x64 buffers (64 x 64 x 3 / 2 =
 * 6144 B, 2 pages) allocated at 10 ms; frame k lands at 10 ms + floor(k x
 * 10^9 / 30) ns while that is before the 100 ms duration: k = 1 at
 * 43333333 into s.0, k = 2 at 76666666 into s.1 (k = 3 would be at 110 ms
 * exactly, not before it); both freed at 110 ms. At 29.97 frames a second
 * (rate 2997/100), k x 10^11 / 2997 ns: 33366700 and 66733400, then
 * 100100100 past the end. The first stream's frees go before the second's
 * allocation at 110 ms (file order), so the name s is free to take again.
 */
Test(trace, streams_by_hand)
{
	static const char text[] =
		"events:\n"
		"  - { t: 10ms, op: stream, device: camera, frame: NV12 64x64, count: 2, rate: 30, "
		"duration: 100ms, id: s }\n"
		"  - { t: 110ms, op: stream, device: display, frame: NV12 64x64, count: 1, "
		"rate: 29.97, duration: 100ms, id: s, align: 4, direction: to_device }\n";
	static const struct cmasim_record want[] = {
		REC(10 * MS, DMA_ALLOC, 0, ANY, 0, 0, 8192, 0, 2),
		REC(10 * MS, DMA_ALLOC, 0, ANY, 0, 1, 8192, 0, 2),
		REC(43333333, DMA, 0, CMASIM_DMA_FROM_DEVICE, 0, 0, 6144, 0, 2),
		REC(76666666, DMA, 0, CMASIM_DMA_FROM_DEVICE, 0, 1, 6144, 0, 2),
		REC(110 * MS, DMA_FREE, 0, 0, 0, 0, 0, 0, 2),
		REC(110 * MS, DMA_FREE, 0, 0, 0, 1, 0, 0, 2),
		REC(110 * MS, DMA_ALLOC, 1, 4, 0, 0, 8192, 0, 3),
		REC(110 * MS + 33366700, DMA, 1, CMASIM_DMA_TO_DEVICE, 0, 0, 6144, 0, 3),
		REC(110 * MS + 66733400, DMA, 1, CMASIM_DMA_TO_DEVICE, 0, 0, 6144, 0, 3),
		REC(210 * MS, DMA_FREE, 0, 0, 0, 0, 0, 0, 3),
	};
	static const char *const names[] = {
		"s.0", "s.1", "s.0", "s.1", "s.0", "s.1", "s.0", "s.0", "s.0", "s.0",
	};

	G_STATIC_ASSERT(G_N_ELEMENTS(names) == G_N_ELEMENTS(want));
	expect_records(text, want, G_N_ELEMENTS(want), names);
}

/*
 * A workload may name a role where it names a device: a device of that
 * name wins, else the first device with the role. Here display also has
 * the camera and gpu roles: "camera" is the device camera, "gpu" is
 * display, in the header and in events alike.
 */
Test(trace, roles_name_devices)
{
	struct cmasim_device roled[] = {
		{ .name = camera, .dma_mask = 0xffffffff },
		{ .name = display, .dma_mask = 0xffffffff,
		  .roles = 1u << CMASIM_ROLE_CAMERA | 1u << CMASIM_ROLE_GPU },
	};
	struct cmasim_config m = machine;
	static const char text[] =
		"devices: [camera, gpu]\n"
		"events:\n"
		"  - { t: 0, op: dma_alloc, device: camera, size: 1, id: a }\n"
		"  - { t: 0, op: dma_alloc, device: gpu, size: 1, id: b }\n"
		"  - { t: 0, op: dma, device: gpu, buffer: a, direction: to_device, bytes: 1 }\n";
	struct run r;

	m.devices = roled;
	memset(&r, 0, sizeof(r));
	drain(cmasim_trace_open_data("t.yaml", text, strlen(text), &r.error), &m, 0, &r);
	cr_assert_null(r.error, "%s", r.error->message);
	cr_assert_eq(r.recs->len, 3);
	cr_expect_eq(rec_at(&r, 0)->a, 0);
	cr_expect_eq(rec_at(&r, 1)->a, 1);
	cr_expect_eq(rec_at(&r, 2)->a, 1);
	run_free(&r);
}

/* The documented churn draws, written again from the description alone. */
struct model_ev {
	uint64_t time;
	bool alloc;
	uint64_t k;
	uint8_t order, mt;
	bool pin;
};

static uint64_t model_next(uint64_t *s)
{
	uint64_t z;

	*s += 0x9e3779b97f4a7c15ull;
	z = *s;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int model_cmp(const void *pa, const void *pb)
{
	const struct model_ev *a = pa, *b = pb;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	if (a->alloc != b->alloc)
		return a->alloc ? 1 : -1;	/* frees first */
	return a->k < b->k ? -1 : a->k > b->k;
}

Test(trace, churn_against_model)
{
	static const char text[] =
		"seed: 12345\n"
		"events:\n"
		"  - { t: 2ms, op: churn, duration: 5ms, rate: 1000, lifetime: 2ms, pin: 0.5,\n"
		"      orders: {0: 80, 1: 10, 3: 10},\n"
		"      migratetypes: {movable: 70, unmovable: 20, reclaimable: 10} }\n";
	static const unsigned int order_v[] = { 0, 1, 3 }, order_w[] = { 80, 10, 10 };
	static const unsigned int mt_v[] = { CMASIM_MT_MOVABLE, CMASIM_MT_UNMOVABLE,
					     CMASIM_MT_RECLAIMABLE }, mt_w[] = { 70, 20, 10 };
	struct model_ev ev[10];
	uint32_t slot_of[5], queue[10], q_head = 0, q_tail = 0, next_slot = 0;
	uint64_t state = 12345 ^ 0x9e3779b97f4a7c15ull;	/* generator index 0 */
	unsigned int n = 0;
	struct run r;

	for (uint64_t k = 0; k < 5; k++) {
		uint64_t r1 = model_next(&state), r2 = model_next(&state);
		uint64_t r3 = model_next(&state), r4 = model_next(&state);
		uint64_t x = r1 % 100, y = r2 % 100, life;
		unsigned int i = 0, j = 0;
		double u = ((r3 >> 11) + 1) / 9007199254740992.0;

		while (x >= order_w[i])
			x -= order_w[i++];
		while (y >= mt_w[j])
			y -= mt_w[j++];
		life = (uint64_t)llround(-2e6 * log(u));
		if (life < 1)
			life = 1;
		ev[n++] = (struct model_ev){ 2 * MS + k * MS, true, k, (uint8_t)order_v[i],
					     (uint8_t)mt_v[j], (double)(r4 >> 11) < 0.5 * 0x1p53 };
		ev[n++] = (struct model_ev){ 2 * MS + k * MS + life, false, k, 0, 0, false };
	}
	qsort(ev, n, sizeof(ev[0]), model_cmp);

	run_yaml(text, 12345, &r);
	cr_assert_null(r.error, "%s", r.error->message);
	cr_assert_eq(r.recs->len, n);
	for (unsigned int i = 0; i < n; i++) {
		struct cmasim_record want = { .time_ns = ev[i].time, .line = 3 };
		char name[32];

		if (ev[i].alloc) {
			slot_of[ev[i].k] = q_head != q_tail ? queue[q_head++] : next_slot++;
			want.op = CMASIM_OP_ALLOC;
			want.a = ev[i].mt;
			want.b = ev[i].order;
			want.c = ev[i].pin ? CMASIM_REC_PIN : 0;
			want.y = 1;
		} else {
			queue[q_tail++] = slot_of[ev[i].k];
			want.op = CMASIM_OP_FREE;
		}
		want.id = slot_of[ev[i].k];
		expect_rec(rec_at(&r, i), &want, true, i);
		snprintf(name, sizeof(name), "churn0.%" PRIu64, ev[i].k);
		cr_expect_str_eq(r.names->pdata[i], name, "record %u", i);
	}

	/* By hand: allocations every 1ms exactly from 2ms, k in order; frees after allocs. */
	for (unsigned int i = 0, k = 0; i < n; i++) {
		const struct cmasim_record *rec = rec_at(&r, i);
		uint64_t kk;

		cr_assert_eq(sscanf(r.names->pdata[i], "churn0.%" SCNu64, &kk), 1);
		if (rec->op == CMASIM_OP_ALLOC) {
			cr_expect_eq(kk, k);
			cr_expect_eq(rec->time_ns, 2 * MS + k * MS);
			k++;
		} else {
			cr_expect(rec->time_ns > 2 * MS + kk * MS && kk < k,
				  "free of %" PRIu64 " before its allocation", kk);
		}
		cr_expect(i == 0 || rec->time_ns >= rec_at(&r, i - 1)->time_ns);
	}
	run_free(&r);
}

Test(trace, churn_seed_and_forever)
{
	static const char text[] =
		"events:\n"
		"  - { t: 0, op: churn, duration: 1s, rate: 2.5, lifetime: forever }\n";
	struct run a, b;

	/* rate 2.5/s: 400ms apart; forever: no frees; defaults: order 0, movable. */
	run_yaml(text, 1, &a);
	cr_assert_null(a.error, "%s", a.error->message);
	cr_assert_eq(a.recs->len, 3);
	for (unsigned int i = 0; i < 3; i++) {
		const struct cmasim_record *rec = rec_at(&a, i);

		cr_expect_eq(rec->op, CMASIM_OP_ALLOC);
		cr_expect_eq(rec->time_ns, i * 400 * MS);
		cr_expect_eq(rec->a, CMASIM_MT_MOVABLE);
		cr_expect_eq(rec->b, 0);
		cr_expect_eq(rec->c, 0);
		cr_expect_eq(rec->id, i);
	}
	run_yaml(text, 2, &b);
	expect_same(&a, &b, true);	/* nothing random shows */
	run_free(&a);
	run_free(&b);
}

/* Ties: explicit events first in file order, then generators by definition order. */
Test(trace, merge_order)
{
	static const char text[] =
		"events:\n"
		"  - { t: 0, op: churn, duration: 3ms, rate: 1000, lifetime: forever }\n"
		"  - { t: 1ms, op: sample }\n"
		"  - { t: 1ms, op: churn, duration: 3ms, rate: 1000, lifetime: forever }\n"
		"  - { t: 2ms, op: drop_caches }\n"
		"  - { t: 2ms, op: sample }\n"
		"  - { t: 9ms, op: compact }\n";
	static const struct {
		uint64_t time;
		const char *what;
	} want[] = {
		{ 0, "churn0.0" },
		{ 1 * MS, "sample" }, { 1 * MS, "churn0.1" }, { 1 * MS, "churn1.0" },
		{ 2 * MS, "drop_caches" }, { 2 * MS, "sample" }, { 2 * MS, "churn0.2" },
		{ 2 * MS, "churn1.1" },
		{ 3 * MS, "churn1.2" },
		{ 9 * MS, "compact" },
	};
	struct run r;

	run_yaml(text, 0, &r);
	cr_assert_null(r.error, "%s", r.error->message);
	cr_assert_eq(r.recs->len, G_N_ELEMENTS(want));
	for (unsigned int i = 0; i < G_N_ELEMENTS(want); i++) {
		const struct cmasim_record *rec = rec_at(&r, i);
		const char *what = rec->op == CMASIM_OP_ALLOC ? r.names->pdata[i] :
				   cmasim_op_name(rec->op);

		cr_expect_eq(rec->time_ns, want[i].time, "record %u", i);
		cr_expect_str_eq(what, want[i].what, "record %u", i);
	}
	run_free(&r);
}

/* Ids shared by generators and user names: slots are handed out oldest-free first. */
Test(trace, slots_reused)
{
	static const char text[] =
		"events:\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 0, id: a }\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 0, id: b }\n"
		"  - { t: 0, op: alloc, migratetype: movable, order: 0, id: c }\n"
		"  - { t: 1ms, op: free, id: b }\n"
		"  - { t: 1ms, op: free, id: a }\n"
		"  - { t: 2ms, op: alloc, migratetype: movable, order: 0, id: a }\n"
		"  - { t: 2ms, op: alloc, migratetype: movable, order: 0, id: d }\n"
		"  - { t: 2ms, op: alloc, migratetype: movable, order: 0, id: e }\n"
		"  - { t: 3ms, op: free, id: b }\n";
	static const uint32_t ids[] = { 0, 1, 2, 1, 0, 1, 0, 3 };
	struct run r;

	run_yaml(text, 0, &r);
	cr_assert_not_null(r.error);
	/* b's slot went to a, which forgot b: the second free of b is an unknown id. */
	cr_expect_str_eq(r.error->message,
			 "t.yaml:10:29: unknown id \"b\" (expected a live alloc id)");
	cr_assert_eq(r.recs->len, G_N_ELEMENTS(ids));
	for (unsigned int i = 0; i < G_N_ELEMENTS(ids); i++)
		cr_expect_eq(rec_at(&r, i)->id, ids[i], "record %u", i);
	run_free(&r);
}

/* A trace using every op, generators and odd names, for the round trips. */
static const char mixed[] =
	"name: \"mixed: trace\"\n"
	"description: \"with \\\"quotes\\\" and \\\\\"\n"
	"seed: 99\n"
	"machine: test-1g\n"
	"devices: [camera]\n"
	"events:\n"
	"  - { t: 0, op: churn, duration: 20ms, rate: 1500, lifetime: 3ms, pin: 0.1,\n"
	"      orders: {0: 5, 2: 1}, migratetypes: {unmovable: 1, movable: 3} }\n"
	"  - { t: 1ms, op: alloc, migratetype: unmovable, order: 3, count: 4,\n"
	"      id: \"odd id, {x}\" }\n"
	"  - { t: 1ms, op: alloc, migratetype: movable, order: 1, pin: true, pfn: 0x80002,\n"
	"      id: pinned_at_a_fixed_pfn_0x80002 }\n"
	"  - { t: 1500us, op: dma_alloc, device: camera, size: 1MiB, align: 8, atomic: true,\n"
	"      id: 5 }\n"
	"  - { t: 2ms, op: repeat, count: 4, period: 3ms, events: [\n"
	"      { t: 0, op: dma_alloc, device: display, size: 64KiB, id: buf },\n"
	"      { t: 1us, op: dma, device: display, buffer: buf, direction: bidirectional,\n"
	"        bytes: 4KiB },\n"
	"      { t: 2us, op: cpu, buffer: buf, access: read, bytes: 4KiB, pattern: stride,\n"
	"        stride: 128 },\n"
	"      { t: 1ms, op: dma_free, id: buf } ] }\n"
	"  - { t: 3ms, op: cpu, region: lowmem, access: write, bytes: 64 }\n"
	"  - { t: 4ms, op: pin, id: \"odd id, {x}\", longterm: false, device: camera }\n"
	"  - { t: 5ms, op: unpin, id: \"odd id, {x}\" }\n"
	"  - { t: 6ms, op: compact, zone: Normal }\n"
	"  - { t: 7ms, op: compact, order: 4 }\n"
	"  - { t: 8ms, op: free, id: \"odd id, {x}\" }\n"
	"  - { t: 9ms, op: dma, device: camera, buffer: 5, direction: to_device, bytes: 1 }\n"
	"  - { t: 9ms, op: dma_free, id: 5 }\n"
	"  - { t: 10ms, op: drop_caches }\n"
	"  - { t: 11ms, op: alloc, migratetype: reclaimable, order: 2, pfn: 0x80010 }\n"
	"  - { t: 12ms, op: free, pfn: 0x80010, order: 2 }\n"
	"  - { t: 12ms, op: free, pfn: 0x80011 }\n"
	"  - { t: 30ms, op: sample }\n";

/* Writes the started trace @t into a string; the caller frees it. */
static char *write_to_string(struct cmasim_trace *t, bool binary, size_t *len)
{
	GError *error = NULL;
	char *buf = NULL;
	FILE *out = open_memstream(&buf, len);

	cr_assert_not_null(out);
	cr_assert(cmasim_trace_write(t, binary, out, &error), "%s",
		  error ? error->message : "");
	fclose(out);
	return buf;
}

Test(trace, yaml_round_trip)
{
	struct cmasim_trace *t;
	struct run a, b;
	char *text;
	size_t len;

	run_yaml(mixed, 99, &a);
	cr_assert_null(a.error, "%s", a.error->message);
	cr_assert_gt(a.recs->len, 40);

	t = cmasim_trace_open_data("mixed.yaml", mixed, strlen(mixed), NULL);
	cr_assert(cmasim_trace_start(t, &machine, 99, NULL));
	text = write_to_string(t, false, &len);
	cmasim_trace_close(t);
	cr_expect(strstr(text, "name: \"mixed: trace\"\n"), "%s", text);
	cr_expect(strstr(text, "  - { t: 1500us, op: dma_alloc, device: camera, size: 1048576, "
			 "align: 8, atomic: true, id: 5 }\n"), "%s", text);
	cr_expect(strstr(text, "  - { t: 1ms, op: alloc, migratetype: unmovable, order: 3, "
			 "count: 4, id: \"odd id, {x}\" }\n"), "%s", text);
	cr_expect(strstr(text, "id: churn0.0 }\n"), "%s", text);
	cr_expect(strstr(text, "  - { t: 4ms, op: pin, longterm: false, device: camera, "
			 "id: \"odd id, {x}\" }\n"),
		  "%s", text);
	cr_expect(strstr(text, "  - { t: 11ms, op: alloc, migratetype: reclaimable, order: 2, "
			 "pfn: 0x80010 }\n"), "%s", text);
	cr_expect(strstr(text, "  - { t: 12ms, op: free, pfn: 0x80010, order: 2 }\n"), "%s", text);
	cr_expect(strstr(text, "  - { t: 12ms, op: free, pfn: 0x80011 }\n"), "%s", text);

	run_yaml(text, 0, &b);
	cr_assert_null(b.error, "%s\n%s", b.error->message, text);
	expect_same(&a, &b, false);

	/* And a written trace writes itself again byte for byte. */
	t = cmasim_trace_open_data("again.yaml", text, len, NULL);
	cr_assert(cmasim_trace_start(t, &machine, 99, NULL));
	{
		size_t len2;
		char *again = write_to_string(t, false, &len2);

		cr_expect_str_eq(again, text);
		free(again);
	}
	cmasim_trace_close(t);
	free(text);
	run_free(&a);
	run_free(&b);
}

Test(trace, empty_events_written)
{
	static const char in[] = "name: e\nevents: []\n";
	struct cmasim_trace *t = cmasim_trace_open_data("e.yaml", in, strlen(in), NULL);
	size_t len;
	char *text;

	cr_assert(cmasim_trace_start(t, &machine, 3, NULL));
	text = write_to_string(t, false, &len);
	cr_expect_str_eq(text, "name: e\nseed: 3\nevents: []\n");
	cmasim_trace_close(t);
	free(text);
}

/* Reads binary @data on @cfg into @r. */
static void run_binary(const char *data, size_t len, const struct cmasim_config *cfg,
		       struct run *r)
{
	memset(r, 0, sizeof(*r));
	drain(cmasim_trace_open_data("bin", data, len, &r->error), cfg, 0, r);
}

Test(trace, binary_round_trip)
{
	struct cmasim_trace *t;
	const struct cmasim_trace_info *info;
	struct run a, b;
	char *data;
	size_t len;

	run_yaml(mixed, 99, &a);
	cr_assert_null(a.error, "%s", a.error->message);
	t = cmasim_trace_open_data("mixed.yaml", mixed, strlen(mixed), NULL);
	cr_assert(cmasim_trace_start(t, &machine, 99, NULL));
	data = write_to_string(t, true, &len);
	cmasim_trace_close(t);
	cr_expect_eq(memcmp(data, "CMASIMTR", 8), 0);

	t = cmasim_trace_open_data("bin", data, len, NULL);
	cr_assert_not_null(t);
	info = cmasim_trace_info(t);
	cr_expect_str_eq(info->name, "mixed: trace");
	cr_expect_str_eq(info->description, "with \"quotes\" and \\");
	cr_expect_str_eq(info->machine, "test-1g");
	cr_expect_eq(info->seed, 99);
	cr_assert_eq(info->nr_devices, 1);
	cr_expect_str_eq(info->devices[0], "camera");
	cmasim_trace_close(t);

	run_binary(data, len, &machine, &b);
	cr_assert_null(b.error, "%s", b.error->message);
	cr_assert_eq(b.recs->len, a.recs->len);
	for (unsigned int i = 0; i < a.recs->len; i++) {
		char name[32];

		/* the stream does not keep the source line */
		expect_rec(rec_at(&b, i), rec_at(&a, i), false, i);
		cr_expect_eq(rec_at(&b, i)->line, 0);
		snprintf(name, sizeof(name), "slot%u", rec_at(&a, i)->id);
		if (has_id(rec_at(&a, i)))
			cr_expect_str_eq(b.names->pdata[i], name);
	}
	run_free(&b);
	free(data);
	run_free(&a);
}

Test(trace, binary_other_machine)
{
	static const char text[] =
		"events:\n"
		"  - { t: 0, op: dma_alloc, device: display, size: 4096, id: d }\n"
		"  - { t: 1ms, op: compact, zone: HighMem }\n"
		"  - { t: 2ms, op: dma_alloc, device: camera, size: 4096, id: c }\n"
		"  - { t: 3ms, op: alloc, migratetype: movable, order: 0, device: camera, id: p }\n";
	static char gpu[] = "gpu";
	struct cmasim_device swapped[] = {
		{ .name = gpu }, { .name = display }, { .name = camera },
	};
	struct cmasim_device no_camera[] = { { .name = display } };
	struct cmasim_config m2 = machine, m3 = machine;
	struct cmasim_trace *t;
	struct run r;
	char *data;
	size_t len;

	m2.devices = swapped;
	m2.nr_devices = 3;
	m2.nr_zones = 3;
	m2.zones[0] = (struct cmasim_zone_config){ CMASIM_ZONE_DMA, 0x80000000, 0x81000000 };
	m2.zones[1] = (struct cmasim_zone_config){ CMASIM_ZONE_NORMAL, 0x81000000, 0xb0000000 };
	m2.zones[2] = (struct cmasim_zone_config){ CMASIM_ZONE_HIGHMEM, 0xb0000000, 0xc0000000 };
	m3.devices = no_camera;
	m3.nr_devices = 1;

	t = cmasim_trace_open_data("x.yaml", text, strlen(text), NULL);
	cr_assert(cmasim_trace_start(t, &machine, 0, NULL));
	data = write_to_string(t, true, &len);
	cmasim_trace_close(t);

	run_binary(data, len, &m2, &r);
	cr_assert_null(r.error, "%s", r.error->message);
	cr_assert_eq(r.recs->len, 4);
	cr_expect_eq(rec_at(&r, 0)->a, 1, "display is device 1 of m2");
	cr_expect_eq(rec_at(&r, 1)->a, 2, "HighMem is zone 2 of m2");
	cr_expect_eq(rec_at(&r, 2)->a, 2, "camera is device 2 of m2");
	cr_expect_eq(rec_at(&r, 3)->dev, 3, "the alloc's pages are camera's, device 2 of m2");
	run_free(&r);

	run_binary(data, len, &m3, &r);
	cr_assert_not_null(r.error);
	cr_expect_eq(r.error->code, CMASIM_ERROR_VALUE);
	/*
	 * The header is 32 fixed bytes, the name "x" (4 + 1), description and
	 * machine absent (4 + 4), no trace devices (4), the machine's camera and
	 * display (4 + 10 + 11), two zones (4 + 2): 80 bytes. Then the records,
	 * each a tag of 2 bytes, or 3 with x or dev:
	 *   1 dma_alloc at 0, id 0: tag 3, a b c 3 (display, align any),
	 *     size 4096 in 2: 8 bytes, at 80
	 *   2 compact 1 ms later: tag 2, 1000000 ns in 3, a b c 3: 8, at 88
	 *   3 dma_alloc 1 ms later, id 1: tag 3, time 3, id 1, a b c 3, x 2:
	 *     12, at 96
	 *   4 alloc 1 ms later, id 2, count 1, owned by camera: tag 3, time 3,
	 *     id 1, y 1, a b c 3, dev 1: 12, at 108
	 */
	cr_expect_str_eq(r.error->message,
			 "bin: record 3 (byte 96): device \"camera\" is not in machine \"test-1g\"");
	cr_expect_eq(r.recs->len, 2);
	run_free(&r);

	/* A stream cut inside a record: the fourth. */
	cr_expect_eq(len, 120);
	run_binary(data, len - 1, &machine, &r);
	cr_assert_not_null(r.error);
	cr_expect_str_eq(r.error->message, "bin: record 4 (byte 108): truncated (11 of 12 bytes)");
	run_free(&r);
	free(data);
}

/* Appends a u32 in the host's order, as the stream has it. */
static void put32(GString *s, uint32_t v)
{
	g_string_append_len(s, (const char *)&v, 4);
}

/*
 * A binary stream of format @version as the format documents it, built
 * here rather than by cmasim_trace_write(): name @name (@name_len bytes),
 * no description, machine or trace devices, the test machine's devices,
 * zone types @zones, then the @len bytes of records @recs. With the name
 * "b" and two zones the header is 32 + 5 + 3 x 4 + (4 + 10 + 11) + (4 + 2)
 * = 80 bytes, no padding.
 */
static GString *bin_stream(uint32_t version, const char *name, size_t name_len,
			   const uint8_t *zones, uint32_t nr_zones, const void *recs, size_t len)
{
	GString *s = g_string_new("CMASIMTR");
	uint64_t seed = 0;

	put32(s, version);
	put32(s, version == 1 ? sizeof(struct cmasim_record) : 0);
	put32(s, 0x01020304);
	put32(s, 0);		/* header size, below */
	g_string_append_len(s, (const char *)&seed, 8);
	put32(s, (uint32_t)name_len);
	g_string_append_len(s, name, (gssize)name_len);
	put32(s, 0xffffffff);
	put32(s, 0xffffffff);
	put32(s, 0);
	put32(s, 2);
	put32(s, 6);
	g_string_append(s, "camera");
	put32(s, 7);
	g_string_append(s, "display");
	put32(s, nr_zones);
	g_string_append_len(s, (const char *)zones, nr_zones);
	while (s->len % 8)
		g_string_append_c(s, '\0');
	memcpy(s->str + 20, &(uint32_t){ (uint32_t)s->len }, 4);
	g_string_append_len(s, recs, (gssize)len);
	return s;
}

/* What the header is checked for when the file opens: where, and what was wrong. */
Test(trace, binary_header_checked_at_open)
{
	static const uint8_t normal_high[] = { CMASIM_ZONE_NORMAL, CMASIM_ZONE_HIGHMEM };
	static const uint8_t bad_type[] = { CMASIM_ZONE_NORMAL, 99 };
	static const uint8_t descending[] = { CMASIM_ZONE_HIGHMEM, CMASIM_ZONE_NORMAL };
	static const struct {
		const char *name;
		size_t len;
		const uint8_t *zones;
		const char *message;
	} cases[] = {
		/* the zone bytes are the header's last two: 78 and 79 */
		{ "b", 1, bad_type, "bin: header byte 79: zone type 99 (expected one of 0..4, "
		  "ascending)" },
		{ "b", 1, descending, "bin: header byte 79: zone type 2 (expected one of 0..4, "
		  "ascending)" },
		/* the name's bytes start at 36, after its length */
		{ "\xff", 1, normal_high, "bin: header byte 36: the name is not UTF-8 text without "
		  "NUL characters" },
		{ "a\0b", 3, normal_high, "bin: header byte 36: the name is not UTF-8 text without "
		  "NUL characters" },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GString) s = bin_stream(2, cases[i].name, cases[i].len,
						  cases[i].zones, 2, NULL, 0);
		GError *error = NULL;

		cr_expect_null(cmasim_trace_open_data("bin", s->str, s->len, &error));
		cr_assert_not_null(error, "case %u", i);
		cr_expect_str_eq(error->message, cases[i].message);
		g_clear_error(&error);
	}
}

/*
 * The binary reader keeps the rules the YAML reader keeps, and names the
 * record and its byte. The records are built as version 1's raw structs,
 * which readers still take: record 1 at 80, record 2 at 120 (a sample
 * first).
 */
Test(trace, binary_records_keep_the_yaml_rules)
{
	static const uint8_t zones[] = { CMASIM_ZONE_NORMAL, CMASIM_ZONE_HIGHMEM };
	static const struct {
		struct cmasim_record rec;
		const char *message;
	} cases[] = {
		{ REC(0, ALLOC, CMASIM_MT_UNMOVABLE, 0, (CMASIM_OWNER_FILE + 1) << 4, 0, 0, 1, 0),
		  "owner file with migratetype unmovable (expected migratetype movable)" },
		{ REC(0, ALLOC, CMASIM_MT_MOVABLE, 0, CMASIM_REC_AT_PFN, 0, 0x80000, 2, 0),
		  "count 2 with a pfn (expected count 1)" },
		{ REC(0, ALLOC, CMASIM_MT_MOVABLE, 0, 0x08, 0, 0, 1, 0),
		  "unknown flags 0x08 for alloc (expected bits of 0xf3 only)" },
		{ REC(0, ALLOC, CMASIM_MT_MOVABLE, 0, CMASIM_REC_NO_ID, 0, 0, 1, 0),
		  "an alloc without an id and without a pfn (expected one of them)" },
		{ REC(0, ALLOC, CMASIM_MT_MOVABLE, 0, CMASIM_REC_NO_ID | CMASIM_REC_AT_PFN, 3,
		      0x80000, 1, 0),
		  "alloc carries a value in a field it does not use (expected 0)" },
		{ REC(0, FREE, 0, 1, CMASIM_REC_AT_PFN, 0, 0x80001, 0, 0),
		  "pfn 0x80001 is not aligned to order 1 (expected a multiple of 2)" },
		{ REC(0, FREE, 0, 11, CMASIM_REC_AT_PFN, 0, 0x80000, 0, 0),
		  "order 11 is out of range (expected 0..10)" },
		{ REC(0, FREE, 0, 0, CMASIM_REC_AT_PFN, 4, 0x80000, 0, 0),
		  "free carries a value in a field it does not use (expected 0)" },
		{ REC(0, CPU, CMASIM_CPU_LOWMEM, 0, CMASIM_PATTERN_STRIDE, 0, 64, 0, 0),
		  "stride 0 with pattern stride (expected a stride greater than 0)" },
		{ REC(0, CPU, CMASIM_CPU_LOWMEM, 0, CMASIM_PATTERN_SEQUENTIAL, 0, 64, 64, 0),
		  "stride 64 with pattern sequential (expected no stride)" },
		{ REC(0, CPU, CMASIM_CPU_USER, 0, 0, 0, 1024 * MiB + 1, 0, 0),
		  "bytes 1073741825 is more than the machine's memory (expected at most 1GiB)" },
		{ REC(0, SAMPLE, 0, 0, 0, 3, 0, 0, 0),
		  "sample carries a value in a field it does not use (expected 0)" },
	};
	const struct cmasim_record sample = REC(0, SAMPLE, 0, 0, 0, 0, 0, 0, 0);

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		for (unsigned int second = 0; second < 2; second++) {
			struct cmasim_record recs[2] = { sample, cases[i].rec };
			g_autoptr(GString) s = bin_stream(1, "b", 1, zones, 2, recs + !second,
							  (1 + second) * sizeof(*recs));
			g_autofree char *want = g_strdup_printf("bin: record %u (byte %u): %s",
								1 + second, 80 + 40 * second,
								cases[i].message);
			struct run r;

			run_binary(s->str, s->len, &machine, &r);
			cr_assert_not_null(r.error, "case %u: no error", i);
			cr_expect_str_eq(r.error->message, want);
			cr_expect_eq(r.recs->len, second);
			run_free(&r);
		}
	}
}

/*
 * Version 2 records, built byte by byte from the format's description, at
 * 80 after the header:
 *   1 alloc at 258 ns: tag 0x20 (alloc, time in 2 bytes) 0x48 (y in 1,
 *     a b c), time 02 01, count 1, movable, order 3, flags 0; id 0 is
 *     left out: 8 bytes, at 80
 *   2 dma_alloc 65536 ns later: tag 0x34 0xc1 (id in 1, a b c, tag byte 2)
 *     0x03 (x in 3), time 00 00 01, id 1, display, align any, atomic,
 *     size 56 34 12: 13 bytes, at 88
 *   3 free of id 0 at the same time: tag 0x01 0x00: 2 bytes, at 101
 *   4 alloc 1 ns later, count 2, owned by camera: tag 0x10 0xc8 0x10
 *     (dev), time 01, count 02, movable, order 0, flags 0, dev 01: 9
 *     bytes, at 103
 *   5 op 11, which is none: 2 bytes, at 112
 */
Test(trace, binary_version_2_records)
{
	static const uint8_t zones[] = { CMASIM_ZONE_NORMAL, CMASIM_ZONE_HIGHMEM };
	static const uint8_t bytes[] = {
		0x20, 0x48, 0x02, 0x01, 0x01, CMASIM_MT_MOVABLE, 3, 0,
		0x34, 0xc1, 0x03, 0x00, 0x00, 0x01, 0x01, 0x01, 0xff, CMASIM_REC_ATOMIC,
		0x56, 0x34, 0x12,
		0x01, 0x00,
		0x10, 0xc8, 0x10, 0x01, 0x02, CMASIM_MT_MOVABLE, 0, 0, 0x01,
		0x0b, 0x00,
	};
	struct cmasim_record want[] = {
		REC(258, ALLOC, CMASIM_MT_MOVABLE, 3, 0, 0, 0, 1, 0),
		REC(258 + 65536, DMA_ALLOC, 1, ANY, CMASIM_REC_ATOMIC, 1, 0x123456, 0, 0),
		REC(258 + 65536, FREE, 0, 0, 0, 0, 0, 0, 0),
		REC(258 + 65537, ALLOC, CMASIM_MT_MOVABLE, 0, 0, 0, 0, 2, 0),
	};
	g_autoptr(GString) s = bin_stream(2, "b", 1, zones, 2, bytes, sizeof(bytes));
	struct run r;

	want[3].dev = 1;
	run_binary(s->str, s->len, &machine, &r);
	cr_assert_eq(r.recs->len, G_N_ELEMENTS(want));
	for (unsigned int i = 0; i < G_N_ELEMENTS(want); i++)
		expect_rec(rec_at(&r, i), &want[i], true, i);
	cr_assert_not_null(r.error);
	cr_expect_str_eq(r.error->message, "bin: record 5 (byte 112): bad op 11 (expected 0..10)");
	run_free(&r);
}

/* What a version 2 record is checked for as it is decoded: each case's last record is bad. */
Test(trace, binary_version_2_bad_records)
{
	static const uint8_t zones[] = { CMASIM_ZONE_NORMAL, CMASIM_ZONE_HIGHMEM };
	/* a sample at 0, 2 bytes at 80, before each case's record at 82 */
	static const struct {
		uint8_t bytes[16];
		size_t len;
		const char *message;
	} cases[] = {
		{ { 0x0a, 0x00, 0x9a, 0x00 }, 4,
		  "record 2 (byte 82): tag gives the time 9 bytes (expected at most 8)" },
		{ { 0x0a, 0x00, 0x0a, 0x05 }, 4,
		  "record 2 (byte 82): tag gives id 5 bytes (expected at most 4)" },
		{ { 0x0a, 0x00, 0x0a, 0x28 }, 4,
		  "record 2 (byte 82): tag gives y 5 bytes (expected at most 4)" },
		{ { 0x0a, 0x00, 0x0a, 0x80, 0x09 }, 5,
		  "record 2 (byte 82): tag gives x 9 bytes (expected at most 8)" },
		{ { 0x0a, 0x00, 0x0a, 0x80, 0x20 }, 5,
		  "record 2 (byte 82): tag byte 2 is 0x20 (expected bits 5 to 7 clear)" },
		{ { 0x0a, 0x00, 0x0a }, 3, "record 2 (byte 82): truncated (1 of 2 bytes)" },
		{ { 0x0a, 0x00, 0x0a, 0x80 }, 4, "record 2 (byte 82): truncated (2 of 3 bytes)" },
		{ { 0x0a, 0x00, 0x2a, 0x00, 0x01 }, 5,
		  "record 2 (byte 82): truncated (3 of 4 bytes)" },
		/* the rules every reader keeps: a sample has no count */
		{ { 0x0a, 0x00, 0x0a, 0x08, 0x03 }, 5, "record 2 (byte 82): sample carries a value "
		  "in a field it does not use (expected 0)" },
		/* a sample at the last nanosecond (10 bytes), then one a nanosecond later */
		{ { 0x8a, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1a, 0x00, 0x01 },
		  13, "record 2 (byte 90): time passes the last nanosecond, 18446744073709551615" },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GString) s = bin_stream(2, "b", 1, zones, 2, cases[i].bytes, cases[i].len);
		g_autofree char *want = g_strdup_printf("bin: %s", cases[i].message);
		struct run r;

		run_binary(s->str, s->len, &machine, &r);
		cr_assert_not_null(r.error, "case %u: no error", i);
		cr_expect_str_eq(r.error->message, want, "case %u", i);
		cr_expect_eq(r.recs->len, 1, "case %u", i);
		run_free(&r);
	}
}

/*
 * Streams longer than the reader's buffers: 40000 samples, the i-th i ns
 * after the one before, in version 2 (its time in as few bytes as hold i,
 * so records of 2 to 4 bytes straddle every refill), and 3000 in version
 * 1, each followed by a record cut short, whose place is counted here.
 */
Test(trace, binary_long_streams_cross_buffers)
{
	static const uint8_t zones[] = { CMASIM_ZONE_NORMAL, CMASIM_ZONE_HIGHMEM };
	g_autoptr(GByteArray) v2 = g_byte_array_new();
	g_autoptr(GArray) v1 = g_array_new(FALSE, TRUE, sizeof(struct cmasim_record));
	uint64_t time = 0;
	struct run r;

	for (uint32_t i = 0; i < 40000; i++) {
		uint8_t rec[4] = { CMASIM_OP_SAMPLE, 0, (uint8_t)i, (uint8_t)(i >> 8) };
		unsigned int w = i > 0xff ? 2 : i > 0;

		rec[0] |= (uint8_t)(w << 4);
		g_byte_array_append(v2, rec, 2 + w);
	}
	g_byte_array_append(v2, (const uint8_t[]){ 0x2a, 0x00, 0x01 }, 3);
	g_autoptr(GString) s2 = bin_stream(2, "b", 1, zones, 2, v2->data, v2->len);
	g_autofree char *want2 = g_strdup_printf("bin: record 40001 (byte %u): truncated (3 of 4 "
						 "bytes)", 80 + v2->len - 3);

	run_binary(s2->str, s2->len, &machine, &r);
	cr_assert_eq(r.recs->len, 40000);
	for (uint32_t i = 0; i < 40000; i++) {
		time += i;
		cr_assert_eq(rec_at(&r, i)->time_ns, time, "record %u", i + 1);
		cr_assert_eq(rec_at(&r, i)->op, CMASIM_OP_SAMPLE, "record %u", i + 1);
	}
	cr_assert_not_null(r.error);
	cr_expect_str_eq(r.error->message, want2);
	run_free(&r);

	for (uint32_t i = 0; i <= 3000; i++) {
		struct cmasim_record rec = REC(i, SAMPLE, 0, 0, 0, 0, 0, 0, 0);

		g_array_append_val(v1, rec);
	}
	g_autoptr(GString) s1 = bin_stream(1, "b", 1, zones, 2, v1->data,
					   v1->len * sizeof(struct cmasim_record) - 1);
	run_binary(s1->str, s1->len, &machine, &r);
	cr_assert_eq(r.recs->len, 3000, "%u records, then %s", r.recs->len,
		     r.error ? r.error->message : "");
	cr_expect_eq(rec_at(&r, 2999)->time_ns, 2999);
	cr_assert_not_null(r.error);
	cr_expect_str_eq(r.error->message, "bin: record 3001 (byte 120080): truncated (39 of 40 "
			 "bytes)");
	run_free(&r);
}

/* The fixed header says which format follows; a reader takes versions 1 and 2. */
Test(trace, binary_version_and_record_size_checked)
{
	static const uint8_t zones[] = { CMASIM_ZONE_NORMAL, CMASIM_ZONE_HIGHMEM };
	static const struct {
		uint32_t version, size;
		const char *message;
	} cases[] = {
		{ 3, 0, "bin: binary trace version 3 (expected 1 or 2)" },
		{ 2, 40, "bin: record size 40 (expected 0 in version 2)" },
		{ 1, 0, "bin: record size 0 (expected 40 in version 1)" },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GString) s = bin_stream(2, "b", 1, zones, 2, NULL, 0);
		GError *error = NULL;

		memcpy(s->str + 8, &cases[i].version, 4);
		memcpy(s->str + 12, &cases[i].size, 4);
		cr_expect_null(cmasim_trace_open_data("bin", s->str, s->len, &error));
		cr_assert_not_null(error, "case %u", i);
		cr_expect_str_eq(error->message, cases[i].message);
		g_clear_error(&error);
	}
}

/* !!str makes a scalar text: where text is wanted, it is taken as written. */
Test(trace, str_tag_gives_text)
{
	struct run r;

	run_yaml("events:\n  - { t: 0, op: dma_alloc, device: !!str camera, size: 1, "
		 "id: !!str 12 }\n", 0, &r);
	cr_assert_null(r.error, "%s", r.error->message);
	cr_assert_eq(r.recs->len, 1);
	cr_expect_str_eq(r.names->pdata[0], "12");
	run_free(&r);
}

/*
 * A machine of many devices: the message lists names until the list
 * passes 200 characters, then says how many more. Each name here is 26
 * characters: seven with their separators make 194, the eighth 222.
 */
Test(trace, device_list_in_a_message_is_cut_short)
{
	struct cmasim_device many[100];
	char names[100][32];
	struct cmasim_config m = machine;
	struct run r;

	for (unsigned int i = 0; i < G_N_ELEMENTS(many); i++) {
		snprintf(names[i], sizeof(names[i]), "device-with-a-long-name-%02u", i);
		many[i] = (struct cmasim_device){ .name = names[i], .dma_mask = 0xffffffff };
	}
	m.devices = many;
	m.nr_devices = G_N_ELEMENTS(many);
	memset(&r, 0, sizeof(r));
	static const char text[] = "name: bad\nevents:\n"
				   "  - { t: 0, op: dma_alloc, device: dsp, size: 1, id: d }\n";
	drain(cmasim_trace_open_data("t.yaml", text, strlen(text), &r.error), &m, 0, &r);
	cr_assert_not_null(r.error);
	cr_expect_str_eq(r.error->message, "t.yaml:3:36: device \"dsp\" is not in machine "
			 "\"test-1g\" (expected one of: device-with-a-long-name-00, "
			 "device-with-a-long-name-01, device-with-a-long-name-02, "
			 "device-with-a-long-name-03, device-with-a-long-name-04, "
			 "device-with-a-long-name-05, device-with-a-long-name-06, "
			 "device-with-a-long-name-07 and 92 more)");
	run_free(&r);
}

static void files_setup(void)
{
	scratch_enter("cmasim-trace-XXXXXX");
}

Test(trace, files, .init = files_setup, .fini = scratch_leave)
{
	GError *error = NULL;
	g_autofree char *bin = in_tmp("t.bin");
	g_autofree char *missing = in_tmp("missing.yaml");
	g_autofree char *path = NULL;
	struct cmasim_trace *t;
	FILE *out;
	struct run a, b;

	cr_assert_null(cmasim_trace_open(missing, &error));
	cr_assert_not_null(error);
	cr_expect_eq(error->code, CMASIM_ERROR_IO);
	{
		char *want = g_strdup_printf("%s: No such file or directory", missing);

		cr_expect_str_eq(error->message, want);
		g_free(want);
	}
	g_clear_error(&error);

	path = write_tmp("t.yaml", mixed);
	memset(&a, 0, sizeof(a));
	drain(cmasim_trace_open(path, &a.error), &machine, 99, &a);
	cr_assert_null(a.error, "%s", a.error->message);
	cr_expect_str_eq(cmasim_trace_info(t = cmasim_trace_open(path, NULL))->source, path);
	cr_assert(cmasim_trace_start(t, &machine, 99, NULL));
	out = fopen(bin, "wb");
	cr_assert_not_null(out, "%s", bin);
	cr_assert(cmasim_trace_write(t, true, out, NULL));
	fclose(out);
	cmasim_trace_close(t);
	memset(&b, 0, sizeof(b));
	drain(cmasim_trace_open(bin, &b.error), &machine, 0, &b);
	cr_assert_null(b.error, "%s", b.error->message);
	cr_assert_eq(b.recs->len, a.recs->len);
	for (unsigned int i = 0; i < a.recs->len; i++)
		expect_rec(rec_at(&b, i), rec_at(&a, i), false, i);
	run_free(&a);
	run_free(&b);
}

/* Bad traces: where each fails and what it says. Events start on line 3. */
#define P "name: bad\nevents:\n"

static const struct bad {
	const char *name;
	const char *yaml;
	int code;
	unsigned int line, col;
	const char *message;	/* after "t.yaml:line:col: " */
} bad_traces[] = {
	{ "unknown_op", P "  - { t: 0, op: alloc2 }\n", CMASIM_ERROR_VALUE, 3, 17,
	  "unknown op \"alloc2\" (expected one of: alloc, free, pin, unpin, dma_alloc, dma_free, "
	  "dma, cpu, compact, drop_caches, sample, churn, repeat, stream)" },
	{ "missing_op", P "  - { t: 0, id: a }\n", CMASIM_ERROR_KEY, 3, 5,
	  "event has no \"op\"" },
	{ "missing_t", P "  - { op: sample }\n", CMASIM_ERROR_KEY, 3, 5,
	  "sample event has no \"t\"" },
	{ "missing_order", P "  - { t: 0, op: alloc, migratetype: movable, id: a }\n",
	  CMASIM_ERROR_KEY, 3, 5, "alloc event has no \"order\"" },
	{ "unknown_key", P "  - { t: 0, op: free, id: a, colour: red }\n", CMASIM_ERROR_KEY, 3, 30,
	  "unknown key \"colour\" in free event (expected one of: t, op, id, order, pfn)" },
	{ "unknown_key_before_op", P "  - { t: 0, colour: red, op: sample }\n", CMASIM_ERROR_KEY,
	  3, 13, "unknown key \"colour\" in sample event (expected one of: t, op)" },
	{ "key_of_other_op", P "  - { t: 0, op: sample, size: 4 }\n", CMASIM_ERROR_KEY, 3, 25,
	  "unknown key \"size\" in sample event (expected one of: t, op)" },
	{ "duplicate_key", P "  - { t: 0, t: 1ms, op: sample }\n", CMASIM_ERROR_KEY, 3, 13,
	  "duplicate key \"t\" (first given at 3:7)" },
	{ "time_no_unit", P "  - { t: 12, op: sample }\n", CMASIM_ERROR_VALUE, 3, 10,
	  "expected a time such as 5ms, got \"12\"" },
	{ "time_bad_unit", P "  - { t: 5min, op: sample }\n", CMASIM_ERROR_VALUE, 3, 10,
	  "expected a time such as 5ms, got \"5min\"" },
	{ "time_two_spaces", P "  - { t: \"5  ms\", op: sample }\n", CMASIM_ERROR_VALUE, 3, 10,
	  "expected a time such as 5ms, got \"5  ms\"" },
	{ "time_negative", P "  - { t: -1ms, op: sample }\n", CMASIM_ERROR_VALUE, 3, 10,
	  "expected a time such as 5ms, got \"-1ms\"" },
	{ "time_not_whole", P "  - { t: 1.5ns, op: sample }\n", CMASIM_ERROR_VALUE, 3, 10,
	  "time \"1.5ns\" is not a whole number of ns (expected a time such as 5ms)" },
	{ "time_overflow", P "  - { t: 18446744074s, op: sample }\n", CMASIM_ERROR_VALUE, 3, 10,
	  "time \"18446744074s\" is too large (expected at most 18446744073s)" },
	{ "time_backwards", P "  - { t: 5ms, op: sample }\n  - { t: 3ms, op: sample }\n",
	  CMASIM_ERROR_VALUE, 4, 10, "time goes backwards: 3ms after 5ms" },
	{ "freed_twice", P "  - { t: 0, op: alloc, migratetype: movable, order: 0, id: a }\n"
	  "  - { t: 0, op: free, id: a }\n  - { t: 0, op: free, id: a }\n",
	  CMASIM_ERROR_VALUE, 5, 27, "id \"a\" was already freed (at 4:27)" },
	{ "free_unknown", P "  - { t: 0, op: free, id: nope }\n", CMASIM_ERROR_VALUE, 3, 27,
	  "unknown id \"nope\" (expected a live alloc id)" },
	{ "free_dma_id", P "  - { t: 0, op: dma_alloc, device: camera, size: 4KiB, id: d }\n"
	  "  - { t: 0, op: free, id: d }\n", CMASIM_ERROR_VALUE, 4, 27,
	  "id \"d\" is a dma_alloc buffer (expected a live alloc id)" },
	{ "pin_dma_id", P "  - { t: 0, op: dma_alloc, device: camera, size: 4KiB, id: d }\n"
	  "  - { t: 0, op: pin, id: d }\n", CMASIM_ERROR_VALUE, 4, 26,
	  "id \"d\" is a dma_alloc buffer (expected a live alloc id)" },
	{ "dma_on_alloc_id", P "  - { t: 0, op: alloc, migratetype: movable, order: 0, id: a }\n"
	  "  - { t: 0, op: dma, device: camera, buffer: a, direction: to_device, bytes: 1 }\n",
	  CMASIM_ERROR_VALUE, 4, 46, "id \"a\" is an alloc id (expected a live dma_alloc id)" },
	{ "dma_free_freed", P "  - { t: 0, op: dma_alloc, device: camera, size: 1, id: d }\n"
	  "  - { t: 0, op: dma_free, id: d }\n  - { t: 0, op: cpu, buffer: d, access: read, "
	  "bytes: 1 }\n", CMASIM_ERROR_VALUE, 5, 30, "id \"d\" was already freed (at 4:31)" },
	{ "already_allocated", P "  - { t: 0, op: alloc, migratetype: movable, order: 0, id: a }\n"
	  "  - { t: 0, op: dma_alloc, device: camera, size: 1, id: a }\n", CMASIM_ERROR_VALUE, 4,
	  57, "id \"a\" is already allocated (at 3:60)" },
	{ "device_not_in_machine", P "  - { t: 0, op: dma_alloc, device: dsp, size: 1, id: d }\n",
	  CMASIM_ERROR_VALUE, 3, 36,
	  "device \"dsp\" is not in machine \"test-1g\" (expected one of: camera, display)" },
	{ "pin_device_not_in_machine", P "  - { t: 0, op: alloc, migratetype: movable, order: 0, "
	  "id: a }\n  - { t: 0, op: pin, id: a, device: dsp }\n", CMASIM_ERROR_VALUE, 4, 37,
	  "device \"dsp\" is not in machine \"test-1g\" (expected one of: camera, display)" },
	{ "device_on_free", P "  - { t: 0, op: alloc, migratetype: movable, order: 0, id: a }\n"
	  "  - { t: 0, op: free, id: a, device: camera }\n", CMASIM_ERROR_KEY, 4, 30,
	  "unknown key \"device\" in free event (expected one of: t, op, id, order, pfn)" },
	{ "header_device_not_in_machine", "devices: [camera, dsp]\nevents: []\n",
	  CMASIM_ERROR_VALUE, 1, 19,
	  "device \"dsp\" is not in machine \"test-1g\" (expected one of: camera, display)" },
	/* gpu is a role: test-1g's devices have no roles, so none serves it */
	{ "role_not_in_machine", P "  - { t: 0, op: dma_alloc, device: gpu, size: 1, id: d }\n",
	  CMASIM_ERROR_VALUE, 3, 36,
	  "no device of machine \"test-1g\" has the role \"gpu\" (its devices: camera, display)" },
	{ "header_role_not_in_machine", "devices: [camera, gpu]\nevents: []\n",
	  CMASIM_ERROR_VALUE, 1, 19,
	  "no device of machine \"test-1g\" has the role \"gpu\" (its devices: camera, display)" },
	/* frame: a known format, then WIDTHxHEIGHT; exactly one of size and frame */
	{ "frame_format", P "  - { t: 0, op: dma_alloc, device: camera, frame: NV21 64x64, "
	  "id: a }\n", CMASIM_ERROR_VALUE, 3, 51,
	  "unknown frame format \"NV21\" (expected one of: NV12, YUV420, XRGB8888, RAW10, RAW12)" },
	{ "frame_no_height", P "  - { t: 0, op: dma_alloc, device: camera, frame: NV12 64, "
	  "id: a }\n", CMASIM_ERROR_VALUE, 3, 51,
	  "expected a frame such as \"NV12 1920x1080\" (a format, then width x height, each 1 to "
	  "65536), got \"NV12 64\"" },
	{ "frame_zero", P "  - { t: 0, op: dma_alloc, device: camera, frame: NV12 0x64, "
	  "id: a }\n", CMASIM_ERROR_VALUE, 3, 51,
	  "expected a frame such as \"NV12 1920x1080\" (a format, then width x height, each 1 to "
	  "65536), got \"NV12 0x64\"" },
	{ "frame_too_wide", P "  - { t: 0, op: dma_alloc, device: camera, frame: NV12 65537x64, "
	  "id: a }\n", CMASIM_ERROR_VALUE, 3, 51,
	  "expected a frame such as \"NV12 1920x1080\" (a format, then width x height, each 1 to "
	  "65536), got \"NV12 65537x64\"" },
	{ "frame_and_size", P "  - { t: 0, op: dma_alloc, device: camera, frame: NV12 64x64, "
	  "size: 1, id: a }\n", CMASIM_ERROR_KEY, 3, 63,
	  "dma_alloc event has both \"size\" and \"frame\" (expected exactly one)" },
	{ "no_size_or_frame", P "  - { t: 0, op: dma_alloc, device: camera, id: a }\n",
	  CMASIM_ERROR_KEY, 3, 5, "dma_alloc event has no \"size\" or \"frame\" (expected exactly one)" },
	{ "dma_bytes_and_frame", P "  - { t: 0, op: dma_alloc, device: camera, size: 1, id: a }\n"
	  "  - { t: 0, op: dma, device: camera, buffer: a, direction: to_device, bytes: 1, "
	  "frame: NV12 2x2 }\n", CMASIM_ERROR_KEY, 4, 81,
	  "dma event has both \"bytes\" and \"frame\" (expected exactly one)" },
	/* a stream: at most VIDEO_MAX_FRAME buffers, a duration, and not in a repeat */
	{ "stream_count_zero", P "  - { t: 0, op: stream, device: camera, frame: NV12 64x64, "
	  "count: 0, rate: 30, duration: 1s, id: s }\n", CMASIM_ERROR_VALUE, 3, 67,
	  "count 0 is out of range (expected 1..32)" },
	{ "stream_count_33", P "  - { t: 0, op: stream, device: camera, frame: NV12 64x64, "
	  "count: 33, rate: 30, duration: 1s, id: s }\n", CMASIM_ERROR_VALUE, 3, 67,
	  "count 33 is out of range (expected 1..32)" },
	{ "stream_no_duration", P "  - { t: 0, op: stream, device: camera, frame: NV12 64x64, "
	  "count: 2, rate: 30, id: s }\n", CMASIM_ERROR_KEY, 3, 5,
	  "stream event has no \"duration\"" },
	{ "stream_no_frame", P "  - { t: 0, op: stream, device: camera, count: 2, rate: 30, "
	  "duration: 1s, id: s }\n", CMASIM_ERROR_KEY, 3, 5, "stream event has no \"frame\"" },
	{ "stream_in_repeat", P "  - { t: 0, op: repeat, count: 2, period: 1s, events: [ "
	  "{ t: 0, op: stream, device: camera, frame: NV12 64x64, count: 2, rate: 30, "
	  "duration: 1s, id: s } ] }\n", CMASIM_ERROR_VALUE, 3, 69,
	  "a repeat block cannot hold a stream (expected an explicit op)" },
	{ "stream_role_not_in_machine", P "  - { t: 0, op: stream, device: codec, "
	  "frame: NV12 64x64, count: 2, rate: 30, duration: 1s, id: s }\n", CMASIM_ERROR_VALUE,
	  3, 33, "no device of machine \"test-1g\" has the role \"codec\" (its devices: camera, "
	  "display)" },
	{ "order_out_of_range",
	  P "  - { t: 0, op: alloc, migratetype: movable, order: 11, id: a }\n",
	  CMASIM_ERROR_VALUE, 3, 53, "order 11 is out of range (expected 0..10)" },
	{ "order_not_integer", P "  - { t: 0, op: compact, order: big }\n", CMASIM_ERROR_VALUE,
	  3, 33, "expected an integer, got \"big\"" },
	{ "pfn_misaligned",
	  P "  - { t: 0, op: alloc, migratetype: movable, order: 3, pfn: 0x80004, "
	  "id: a }\n", CMASIM_ERROR_VALUE, 3, 61,
	  "pfn 0x80004 is not aligned to order 3 (expected a multiple of 8)" },
	{ "pfn_outside_ram",
	  P "  - { t: 0, op: alloc, migratetype: movable, order: 0, pfn: 0x1000, "
	  "id: a }\n", CMASIM_ERROR_VALUE, 3, 61,
	  "pfn 0x1000 is outside RAM (expected 0x80000..0xbffff)" },
	{ "alloc_no_id_no_pfn", P "  - { t: 0, op: alloc, migratetype: movable, order: 0 }\n",
	  CMASIM_ERROR_KEY, 3, 5, "alloc event has no \"id\"" },
	{ "free_no_id_no_pfn", P "  - { t: 0, op: free, order: 1 }\n", CMASIM_ERROR_KEY, 3, 5,
	  "free event has no \"id\"" },
	{ "free_id_and_pfn", P "  - { t: 0, op: free, pfn: 0x80000, id: a }\n", CMASIM_ERROR_KEY,
	  3, 37, "a free by pfn with an id (expected one of them)" },
	{ "free_pfn_misaligned", P "  - { t: 0, op: free, pfn: 0x80001, order: 1 }\n",
	  CMASIM_ERROR_VALUE, 3, 28, "pfn 0x80001 is not aligned to order 1 (expected a multiple "
	  "of 2)" },
	{ "free_pfn_outside_ram", P "  - { t: 0, op: free, pfn: 0x1000 }\n", CMASIM_ERROR_VALUE,
	  3, 28, "pfn 0x1000 is outside RAM (expected 0x80000..0xbffff)" },
	{ "free_bad_pfn", P "  - { t: 0, op: free, pfn: x80000 }\n", CMASIM_ERROR_VALUE, 3, 28,
	  "expected a pfn such as 0x80000, got \"x80000\"" },
	{ "alloc_no_id_pinned", P "  - { t: 0, op: alloc, migratetype: movable, order: 0, pin: true, "
	  "pfn: 0x80000 }\n", CMASIM_ERROR_VALUE, 3, 61, "pin: true on an alloc without an id "
	  "(expected an id to unpin it by)" },
	{ "pfn_with_count", P "  - { t: 0, op: alloc, migratetype: movable, order: 0, count: 2, "
	  "pfn: 0x80000, id: a }\n", CMASIM_ERROR_VALUE, 3, 63,
	  "count 2 with a pfn (expected count 1)" },
	{ "bad_migratetype", P "  - { t: 0, op: alloc, migratetype: cma, order: 0, id: a }\n",
	  CMASIM_ERROR_VALUE, 3, 37,
	  "unknown migratetype \"cma\" (expected one of: unmovable, movable, reclaimable)" },
	{ "bad_owner",
	  P "  - { t: 0, op: alloc, migratetype: movable, order: 0, owner: disk, id: a }\n",
	  CMASIM_ERROR_VALUE, 3, 63,
	  "unknown owner \"disk\" (expected one of: anon, file, slab, kernel, pagetable)" },
	{ "owner_against_migratetype",
	  P "  - { t: 0, op: alloc, migratetype: unmovable, order: 0, owner: file, id: a }\n",
	  CMASIM_ERROR_VALUE, 3, 65,
	  "owner file with migratetype unmovable (expected migratetype movable)" },
	{ "bad_bool",
	  P "  - { t: 0, op: alloc, migratetype: movable, order: 0, pin: maybe, id: a }\n",
	  CMASIM_ERROR_VALUE, 3, 61, "expected true or false, got \"maybe\"" },
	{ "bad_size", P "  - { t: 0, op: dma_alloc, device: camera, size: 64 lots, id: d }\n",
	  CMASIM_ERROR_VALUE, 3, 50, "expected a size such as 64MiB, got \"64 lots\"" },
	{ "size_zero", P "  - { t: 0, op: dma_alloc, device: camera, size: 0, id: d }\n",
	  CMASIM_ERROR_VALUE, 3, 50, "size \"0\" is zero (expected a size greater than 0)" },
	{ "bad_direction", P "  - { t: 0, op: dma_alloc, device: camera, size: 1, id: d }\n"
	  "  - { t: 0, op: dma, device: camera, buffer: d, direction: up, bytes: 1 }\n",
	  CMASIM_ERROR_VALUE, 4, 60,
	  "unknown direction \"up\" (expected one of: to_device, from_device, bidirectional)" },
	{ "cpu_buffer_and_region", P "  - { t: 0, op: cpu, buffer: d, region: user, access: read, "
	  "bytes: 1 }\n", CMASIM_ERROR_KEY, 3, 33,
	  "cpu event has both \"buffer\" and \"region\" (expected exactly one)" },
	{ "cpu_no_target", P "  - { t: 0, op: cpu, access: read, bytes: 1 }\n", CMASIM_ERROR_KEY,
	  3, 5, "cpu event has no \"buffer\" or \"region\" (expected exactly one)" },
	{ "cpu_stride_missing", P "  - { t: 0, op: cpu, region: user, access: read, bytes: 1, "
	  "pattern: stride }\n", CMASIM_ERROR_KEY, 3, 5,
	  "cpu event has no \"stride\" (pattern stride needs one)" },
	{ "cpu_stride_unwanted", P "  - { t: 0, op: cpu, region: user, access: read, bytes: 1, "
	  "stride: 64 }\n", CMASIM_ERROR_KEY, 3, 60,
	  "\"stride\" without pattern stride (expected pattern: stride)" },
	{ "zone_not_in_machine", P "  - { t: 0, op: compact, zone: DMA }\n", CMASIM_ERROR_VALUE,
	  3, 32, "zone \"DMA\" is not in machine \"test-1g\" (expected one of: Normal, HighMem)" },
	{ "header_key_after_events", P "  - { t: 0, op: sample }\nseed: 3\n",
	  CMASIM_ERROR_KEY, 4, 1,
	  "header key \"seed\" after \"events\" (events must be the last key)" },
	{ "unknown_header_key", "name: x\ncolour: red\nevents: []\n", CMASIM_ERROR_KEY, 2, 1,
	  "unknown key \"colour\" in the trace header (expected one of: name, description, seed, "
	  "machine, devices, events)" },
	{ "duplicate_header_key", "name: x\nname: y\nevents: []\n", CMASIM_ERROR_KEY, 2, 1,
	  "duplicate key \"name\" (first given at 1:1)" },
	{ "bad_seed", "seed: -1\nevents: []\n", CMASIM_ERROR_VALUE, 1, 7,
	  "expected an unsigned integer for \"seed\", got \"-1\"" },
	{ "no_events", "name: x\n", CMASIM_ERROR_KEY, 1, 1, "the trace has no \"events\"" },
	{ "events_not_sequence", "events: 5\n", CMASIM_ERROR_TYPE, 1, 9,
	  "expected a sequence for \"events\", got a scalar" },
	{ "event_not_mapping", P "  - sample\n", CMASIM_ERROR_TYPE, 3, 5,
	  "expected a mapping for an event, got a scalar" },
	{ "id_not_scalar", P "  - { t: 0, op: free, id: [a] }\n", CMASIM_ERROR_TYPE, 3, 27,
	  "expected a scalar for \"id\", got a sequence" },
	{ "top_not_mapping", "- a\n", CMASIM_ERROR_TYPE, 1, 1,
	  "expected a mapping at the top of the trace, got a sequence" },
	{ "empty", "", CMASIM_ERROR_TYPE, 1, 1,
	  "expected a mapping at the top of the trace, got nothing" },
	{ "two_documents", "events: []\n---\nname: x\n", CMASIM_ERROR_TYPE, 2, 1,
	  "a second document after the trace (expected one document)" },
	{ "syntax", P "  - { t: 0, op: sample\n", CMASIM_ERROR_SYNTAX, 4, 1,
	  "did not find expected ',' or '}' while parsing a flow mapping" },
	{ "bad_utf8", P "  - { t: 0, op: sample }\n  - { t: 0, op: s\xffmple }\n",
	  CMASIM_ERROR_SYNTAX, 4, 18, "invalid leading UTF-8 octet" },
	{ "churn_in_repeat", P "  - { t: 0, op: repeat, count: 2, period: 1ms, events: [\n"
	  "      { t: 0, op: churn, duration: 1s, rate: 1, lifetime: 1s } ] }\n",
	  CMASIM_ERROR_VALUE, 4, 19,
	  "a repeat block cannot hold a churn (expected an explicit op)" },
	{ "repeat_live_id", P "  - { t: 0, op: repeat, count: 3, period: 1ms, events: [\n"
	  "      { t: 0, op: alloc, migratetype: movable, order: 0, id: x },\n"
	  "      { t: 2ms, op: free, id: x } ] }\n", CMASIM_ERROR_VALUE, 4, 62,
	  "in iteration 2 of 3: id \"x\" is already allocated (at 4:62)" },
	{ "repeat_backwards", P "  - { t: 0, op: repeat, count: 3, period: 1ms, events: [\n"
	  "      { t: 2ms, op: sample }, { t: 1ms, op: sample } ] }\n", CMASIM_ERROR_VALUE, 4, 36,
	  "time goes backwards: 1ms after 2ms" },
	{ "repeat_zero_period", P "  - { t: 0, op: repeat, count: 3, period: 0s, events: [\n"
	  "      { t: 0, op: sample } ] }\n", CMASIM_ERROR_VALUE, 3, 43,
	  "period \"0s\" is zero (expected a time greater than 0)" },
	{ "repeat_count_zero", P "  - { t: 0, op: repeat, count: 0, period: 1s, events: [\n"
	  "      { t: 0, op: sample } ] }\n", CMASIM_ERROR_VALUE, 3, 32,
	  "count 0 is out of range (expected 1..4294967295)" },
	{ "churn_order_range", P "  - { t: 0, op: churn, duration: 1s, rate: 1, lifetime: 1s, "
	  "orders: {11: 1} }\n", CMASIM_ERROR_VALUE, 3, 70,
	  "order \"11\" is out of range (expected 0..10)" },
	{ "churn_weights_zero", P "  - { t: 0, op: churn, duration: 1s, rate: 1, lifetime: 1s, "
	  "migratetypes: {movable: 0} }\n", CMASIM_ERROR_VALUE, 3, 75,
	  "migratetypes weights sum to 0 (expected a positive weight)" },
	{ "churn_rate_zero", P "  - { t: 0, op: churn, duration: 1s, rate: 0.0, lifetime: 1s }\n",
	  CMASIM_ERROR_VALUE, 3, 44, "expected a rate greater than 0, got \"0.0\"" },
	{ "churn_pin_range", P "  - { t: 0, op: churn, duration: 1s, rate: 1, lifetime: 1s, "
	  "pin: 1.5 }\n", CMASIM_ERROR_VALUE, 3, 66,
	  "expected a probability between 0 and 1, got \"1.5\"" },
	{ "churn_orders_scalar", P "  - { t: 0, op: churn, duration: 1s, rate: 1, lifetime: 1s, "
	  "orders: 3 }\n", CMASIM_ERROR_TYPE, 3, 69,
	  "expected a mapping for \"orders\", got a scalar" },
	{ "churn_missing_lifetime", P "  - { t: 0, op: churn, duration: 1s, rate: 1 }\n",
	  CMASIM_ERROR_KEY, 3, 5, "churn event has no \"lifetime\"" },
	/* no machine moves more bytes at once than it has: 2^64 - 64 would be 2^58 lines */
	{ "cpu_bytes_beyond_memory", P "  - { t: 0, op: cpu, region: user, access: read, "
	  "bytes: 0xffffffffffffffc0 }\n", CMASIM_ERROR_VALUE, 3, 57,
	  "bytes 18446744073709551552 is more than the machine's memory (expected at most 1GiB)" },
	{ "dma_bytes_beyond_memory", P "  - { t: 0, op: dma_alloc, device: camera, size: 1, id: d }\n"
	  "  - { t: 0, op: dma, device: camera, buffer: d, direction: to_device, bytes: 1025MiB }\n",
	  CMASIM_ERROR_VALUE, 4, 78,
	  "bytes 1074790400 is more than the machine's memory (expected at most 1GiB)" },
	{ "churn_rate_beyond_one_per_ns", P "  - { t: 0, op: churn, duration: 1s, "
	  "rate: 1000000000000, lifetime: 1s }\n", CMASIM_ERROR_VALUE, 3, 44,
	  "expected a rate of at most 1000000000, one allocation per ns, got \"1000000000000\"" },
	/* 18446744073 s at 2000 a second: 3.7 x 10^13 allocations */
	{ "churn_endless", P "  - { t: 0, op: churn, duration: 18446744073s, rate: 2000, "
	  "lifetime: 1s }\n", CMASIM_ERROR_VALUE, 3, 34,
	  "churn makes more than 1000000000 allocations (expected at most that many from one "
	  "generator: a shorter duration or a lower rate)" },
	{ "repeat_endless", P "  - { t: 0, op: repeat, count: 4294967295, period: 1ns, "
	  "events: [ { t: 0, op: sample } ] }\n", CMASIM_ERROR_VALUE, 3, 32,
	  "repeat makes 4294967295 x 1 events (expected at most 1000000000 from one generator)" },
	/* tags: only !!str, and only where text is wanted */
	{ "str_tag_on_time", P "  - { t: !!str 5ms, op: sample }\n", CMASIM_ERROR_VALUE, 3, 10,
	  "!!str makes \"5ms\" text, which \"t\" is not (expected it without !!str)" },
	{ "str_tag_on_seed", "seed: !!str 5\nevents: []\n", CMASIM_ERROR_VALUE, 1, 7,
	  "!!str makes \"5\" text, which \"seed\" is not (expected it without !!str)" },
	{ "str_tag_on_order_weight", P "  - { t: 0, op: churn, duration: 1s, rate: 1, "
	  "lifetime: 1s, orders: { !!str 0: 1 } }\n", CMASIM_ERROR_VALUE, 3, 71,
	  "!!str makes \"0\" text, which an order is not (expected it without !!str)" },
	{ "unknown_tag", P "  - { t: 0, op: !weird sample }\n", CMASIM_ERROR_TYPE, 3, 17,
	  "unsupported tag !weird on a scalar (expected no tag, or !!str on a scalar)" },
	{ "tag_on_event", P "  - !!map { t: 0, op: sample }\n", CMASIM_ERROR_TYPE, 3, 5,
	  "unsupported tag !!map on a mapping (expected no tag, or !!str on a scalar)" },
	/* a NUL would cut the name short in every report */
	{ "nul_in_name", "name: \"a\\0b\"\nevents: []\n", CMASIM_ERROR_VALUE, 1, 7,
	  "expected text without NUL characters for \"name\"" },
};
G_STATIC_ASSERT(G_N_ELEMENTS(bad_traces) >= 25);

Test(trace, bad_traces)
{
	for (unsigned int i = 0; i < G_N_ELEMENTS(bad_traces); i++) {
		const struct bad *b = &bad_traces[i];
		char *want = g_strdup_printf("t.yaml:%u:%u: %s", b->line, b->col, b->message);
		struct run r;

		run_yaml(b->yaml, 0, &r);
		cr_expect_not_null(r.error, "%s: no error", b->name);
		if (r.error) {
			cr_expect_eq(r.error->domain, CMASIM_ERROR, "%s", b->name);
			cr_expect_eq(r.error->code, b->code, "%s: code %d, expected %d", b->name,
				     r.error->code, b->code);
			cr_expect(!strcmp(r.error->message, want), "%s:\n  got  %s\n  want %s",
				  b->name, r.error->message, want);
		}
		run_free(&r);
		g_free(want);
	}
}

/* Records before the bad one still come out: validation happens as they are produced. */
Test(trace, error_after_good_records)
{
	struct run r;

	run_yaml(P "  - { t: 0, op: sample }\n  - { t: 1ms, op: free, id: q }\n", 0, &r);
	cr_assert_not_null(r.error);
	cr_expect_eq(r.recs->len, 1);
	run_free(&r);
}

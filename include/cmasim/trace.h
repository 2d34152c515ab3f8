/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workload traces: YAML read as a stream of events, or the compact binary
 * stream that `cmasim gen --binary` writes. Either way the engine pulls one
 * fixed-size record at a time, so no trace sits in memory whole.
 */
#ifndef CMASIM_TRACE_H
#define CMASIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

#include "cmasim/config.h"

enum cmasim_op {
	CMASIM_OP_ALLOC,
	CMASIM_OP_FREE,
	CMASIM_OP_PIN,
	CMASIM_OP_UNPIN,
	CMASIM_OP_DMA_ALLOC,
	CMASIM_OP_DMA_FREE,
	CMASIM_OP_DMA,
	CMASIM_OP_CPU,
	CMASIM_OP_COMPACT,
	CMASIM_OP_DROP_CACHES,
	CMASIM_OP_SAMPLE,
	CMASIM_NR_OPS,
};

/* The name a trace spells the op with, e.g. "dma_alloc". */
const char *cmasim_op_name(enum cmasim_op op);

enum cmasim_dma_dir {
	CMASIM_DMA_TO_DEVICE,
	CMASIM_DMA_FROM_DEVICE,
	CMASIM_DMA_BIDIRECTIONAL,
};

enum cmasim_cpu_target {
	CMASIM_CPU_BUFFER,	/* a DMA buffer, through the mapping its policy gave the CPU */
	CMASIM_CPU_LOWMEM,	/* the kernel's linear map */
	CMASIM_CPU_USER,	/* movable user memory */
	CMASIM_CPU_CMA,		/* the linear map of CMA pageblocks: pages CMA lends out */
};

enum cmasim_cpu_pattern {
	CMASIM_PATTERN_SEQUENTIAL,
	CMASIM_PATTERN_RANDOM,
	CMASIM_PATTERN_STRIDE,
};

/* Record flags (field c). */
#define CMASIM_REC_PIN		0x01	/* alloc: pin the pages at once, where they are */
#define CMASIM_REC_AT_PFN	0x02	/* alloc: place at exactly pfn x; free: the block(s) at pfn x */
#define CMASIM_REC_ATOMIC	0x04	/* dma_alloc: from atomic context */
#define CMASIM_REC_SHORTTERM	0x08	/* pin: without FOLL_LONGTERM (O_DIRECT): pages stay put */
/* alloc: enum cmasim_owner + 1 in these bits; 0 means the migratetype's usual owner */
#define CMASIM_REC_OWNER_SHIFT	4
#define CMASIM_REC_OWNER_MASK	0x70
/* alloc at a pfn: no id, a block known by its pfn (include/cmasim/state.h) */
#define CMASIM_REC_NO_ID	0x80

#define CMASIM_REC_ANY		0xff	/* a, b: "not given" (all zones, default order) */

/*
 * One compiled event, 40 bytes. Fields by op:
 *   ALLOC       a migratetype, b order, c flags and owner, id, y count of blocks,
 *               x pfn (AT_PFN); no id with NO_ID; dev
 *               (any op's dev is 0 but ALLOC's and PIN's)
 *   FREE        id, or with c AT_PFN: b order, x pfn (no id)
 *   UNPIN, DMA_FREE   id
 *   PIN         id, c flags, dev
 *   DMA_ALLOC   a device, b align order or ANY, c flags, id, x size in bytes
 *   DMA         a device, b enum cmasim_dma_dir, id buffer, x bytes
 *   CPU         a enum cmasim_cpu_target, b 0 read / 1 write, c enum cmasim_cpu_pattern,
 *               id buffer (target BUFFER), x bytes, y stride in bytes (pattern STRIDE)
 *   COMPACT     a zone index or ANY, b order or ANY (whole zone)
 *   DROP_CACHES, SAMPLE   nothing (id 0)
 * Ids are slots: small integers the trace reuses once freed, so the engine
 * keeps its allocations in an array bounded by the most live at once.
 *
 * At one time, explicit events come first in file order, then generators
 * in the order they were defined; a churn gives its frees before its
 * allocation, a repeat orders by (iteration, place in its block).
 */
struct cmasim_record {
	uint64_t time_ns;
	uint64_t x;
	uint32_t id;
	uint32_t y;
	uint32_t line;		/* line in the YAML source, for messages; generators give theirs */
	uint8_t op;		/* enum cmasim_op */
	uint8_t a, b, c;
	uint32_t dev;		/* ALLOC, PIN: 1 + the device whose driver owns the pages, 0 none */
};

/* What a trace's header says. */
struct cmasim_trace_info {
	char *source;		/* file name used in messages */
	char *name;
	char *description;	/* may be NULL */
	char *machine;		/* default machine: built-in name or path; may be NULL */
	uint64_t seed;
	unsigned int nr_devices;
	char **devices;		/* names the trace uses; NULL-terminated */
};

struct cmasim_trace;

/*
 * Opens a trace file, YAML or binary (told apart by the binary stream's
 * magic), and reads its header. Returns NULL with @error on bad input.
 */
struct cmasim_trace *cmasim_trace_open(const char *path, GError **error);
/* Same, from @len bytes in memory that must outlive the trace; @source names it. */
struct cmasim_trace *cmasim_trace_open_data(const char *source, const char *data, size_t len,
					    GError **error);

const struct cmasim_trace_info *cmasim_trace_info(const struct cmasim_trace *trace);

/*
 * Binds the trace to the machine it will run on (device names resolve to
 * indices in @cfg->devices) and seeds its generators with @seed. Must be
 * called once before the first cmasim_trace_next(). Returns false with
 * @error when the trace uses a device the machine lacks.
 */
bool cmasim_trace_start(struct cmasim_trace *trace, const struct cmasim_config *cfg,
			uint64_t seed, GError **error);

/*
 * The next record, in time order. Returns 1 with *@rec filled, 0 at the
 * end of the trace, -1 with @error on bad input: "file:line:column: ..."
 * for YAML, "file: record N (byte B): ..." for a binary stream.
 */
int cmasim_trace_next(struct cmasim_trace *trace, struct cmasim_record *rec, GError **error);

/*
 * The trace's name for slot @id as of the record just returned ("cam0",
 * "churn1.17"; "slot17" in a binary trace). Valid until the next call.
 */
const char *cmasim_trace_slot_name(struct cmasim_trace *trace, uint32_t id);

/*
 * The share of the trace's source read so far, 0 to 1, for a progress
 * line; -1 when its size is unknown (a pipe). A generator's records come
 * after its definition is read, so this runs ahead of the records.
 */
double cmasim_trace_fraction_read(const struct cmasim_trace *trace);

/*
 * The SHA-256 of the trace's source bytes, hex, for telling inputs apart in
 * reports and baselines. Reads the rest of a file source, so call it only
 * after the last record. NULL if reading failed.
 */
const char *cmasim_trace_sha256(struct cmasim_trace *trace);

/*
 * Where @rec, the @nr-th record cmasim_trace_next() returned (counted from
 * 1), comes from, for messages: "w.yaml:12" (its line; a generator's
 * definition) or "w.bin: record 7 (byte 312)". g_free() it.
 */
char *cmasim_trace_place(const struct cmasim_trace *trace, const struct cmasim_record *rec,
			 uint64_t nr);

void cmasim_trace_close(struct cmasim_trace *trace);

/*
 * Expands @trace (started) into @out: explicit YAML events with the
 * trace's names, or with @binary the compiled stream. Returns false with
 * @error on bad input or a write error.
 */
bool cmasim_trace_write(struct cmasim_trace *trace, bool binary, FILE *out, GError **error);

#endif

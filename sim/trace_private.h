/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to sim/trace.c (API, merging, ids), sim/traceyaml.c (the YAML),
 * sim/tracegen.c (churn and repeat) and sim/tracebin.c (the binary stream
 * and cmasim_trace_write).
 * Never installed.
 *
 * Records pass through two stages. Parsing turns an event mapping into a
 * struct proto whose id is still the name the trace wrote; committing it,
 * in merged output order, turns the name into a slot. Ids are resolved only
 * at commit because slots come from one pool shared by every stream, so the
 * slot a name gets depends on what the generators did before it.
 */
#ifndef CMASIM_TRACE_PRIVATE_H
#define CMASIM_TRACE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <yaml.h>

#include "cmasim/error.h"
#include "cmasim/physmem.h"
#include "cmasim/trace.h"

struct cmasim_sha256;

/* Ops only the YAML knows: generator definitions, never in a record. */
enum {
	OP_CHURN = CMASIM_NR_OPS,
	OP_REPEAT,
	OP_STREAM,
	NR_TRACE_OPS,
};

/* The keys of an event mapping; the record rules name the one a problem is about. */
enum key {
	K_T, K_OP, K_ID, K_MIGRATETYPE, K_ORDER, K_COUNT, K_PIN, K_PFN,
	K_DEVICE, K_SIZE, K_ALIGN, K_ATOMIC, K_BUFFER, K_DIRECTION, K_BYTES,
	K_REGION, K_ACCESS, K_PATTERN, K_STRIDE, K_ZONE,
	K_DURATION, K_RATE, K_ORDERS, K_MIGRATETYPES, K_LIFETIME, K_EVENTS, K_PERIOD,
	K_OWNER, K_LONGTERM, K_FRAME,
	NR_KEYS,
};
G_STATIC_ASSERT(NR_KEYS <= 32);

/* How a trace spells each key (traceyaml.c). */
extern const char *const cmasim__key_names[NR_KEYS];

/* A place in the YAML source, counted from 1. */
struct pos {
	uint32_t line;
	uint32_t col;
};

/* A parsed event whose id is still a name. */
struct proto {
	struct cmasim_record rec;	/* id unset; time relative to the iteration in a repeat */
	char *id;			/* NUL-terminated user id, or NULL if the op takes none */
	uint32_t id_len;		/* bytes in id */
	struct pos id_pos;		/* where the id was written */
	bool numbered;			/* a repeat block's id ending in '#': the '#' is the iteration */
};

enum slot_state {
	SLOT_FREE,		/* in the free pool */
	SLOT_ALLOC,		/* live, allocated by alloc */
	SLOT_DMA,		/* live, allocated by dma_alloc */
};

#define SLOT_INLINE 16	/* names shorter than this live in the slot itself */

/* One id slot, 64 bytes; slot numbers are what records carry. */
struct slot {
	uint32_t hash;		/* of the name, when hashed */
	uint32_t name_len;	/* bytes in the name */
	uint32_t name_cap;	/* bytes allocated for name.heap, 0 while the name is inline */
	uint8_t state;		/* enum slot_state */
	bool hashed;		/* name is in the id table (live, or freed and remembered) */
	bool churn;		/* named "churnN.K" from gen and k instead of name */
	union {
		char inline_name[SLOT_INLINE];
		char *heap;
	} name;			/* the user id, NUL-terminated; reused by the next name */
	struct pos alloc_pos;	/* where the live or last allocation was written */
	struct pos free_pos;	/* where the last free was written */
	uint32_t gen;		/* churn: generator index N */
	uint64_t k;		/* churn: allocation counter K */
};

/* Scalars and marks of one event mapping being read; two levels for repeat blocks. */
struct fields {
	yaml_event_t val[32];	/* scalar value events kept until compiled, by key */
	struct pos key_pos[32];	/* where each key was written */
	struct pos val_pos[32];	/* where each value starts */
	uint32_t present;	/* keys seen, bit per key */
	uint32_t kept;		/* keys whose val[] must be deleted */
	struct pos start;	/* the mapping's start */
	char *unknown;		/* the first unknown key, or NULL */
	struct pos unknown_pos;
};

/*
 * Allocations (churn) or events (repeat) one generator may make: a few
 * lines of YAML must not stand for a replay of days.
 */
#define GEN_MAX_RECORDS UINT64_C(1000000000)

/* Weighted choices of a churn generator, in the order the trace wrote them. */
struct weights {
	unsigned int nr;
	uint8_t value[CMASIM_ORDER_LIMIT + 1];	/* order or migratetype */
	uint64_t cum[CMASIM_ORDER_LIMIT + 1];	/* running sum of the weights */
};

/* What a churn definition says, validated. */
struct churn_params {
	uint64_t start;		/* ns, the definition's t */
	uint64_t duration;	/* ns, > 0 */
	uint64_t rate_num;	/* rate = rate_num / rate_den allocations per second */
	uint64_t rate_den;	/* a power of ten, at most 10^9 */
	uint64_t lifetime;	/* ns mean, 0 = forever */
	uint64_t pin_threshold;	/* pinned iff a 53-bit draw is below this */
	struct weights orders;
	struct weights mts;
};

/*
 * What a stream definition says, validated: @count buffers allocated at
 * @start, a frame into buffer (k - 1) % @count at start + floor(k * 10^9 *
 * rate_den / rate_num) ns for every k >= 1 before @duration, and the
 * buffers freed at start + @duration. Buffer i is the id "NAME.i".
 */
struct stream_params {
	uint64_t start;		/* ns, the definition's t */
	uint64_t duration;	/* ns, > 0 */
	uint64_t rate_num;	/* frames per second = rate_num / rate_den */
	uint64_t rate_den;	/* a power of ten, at most 10^9 */
	uint32_t count;		/* buffers, >= 1 */
	struct proto alloc;	/* the dma_alloc, dma and dma_free records, their id the */
	struct proto frame;	/* stream's name; the generator takes ownership of */
	struct proto free;	/* alloc.id and shares it */
};

/* What a repeat definition says, validated. */
struct repeat_params {
	uint64_t start;		/* ns, the definition's t */
	uint64_t period;	/* ns, > 0 */
	uint32_t count;		/* iterations, >= 1 */
	struct proto *ev;	/* the block, times relative; the generator takes ownership */
	uint32_t nr_ev;
};

struct gen;

struct cmasim_trace {
	struct cmasim_trace_info info;
	const struct cmasim_config *cfg;	/* set by cmasim_trace_start */
	uint64_t seed;				/* the generators' seed, from cmasim_trace_start */
	bool started;
	bool binary;
	bool done;				/* the source is exhausted */
	char name_buf[48];			/* slot names built on demand */

	FILE *fp;				/* NULL when reading from memory */
	uint64_t fp_size;			/* its bytes, 0 when unknown (a pipe) */
	const char *data;			/* memory input */
	size_t data_len, data_pos;
	char peek[8];				/* bytes read to look for the binary magic */
	size_t peek_len, peek_pos;
	int read_errno;				/* set when reading the source failed */
	struct cmasim_sha256 *sha256;		/* of the source's bytes read so far */
	char *sha256_hex;			/* its digest, once the source was read whole */

	/* YAML */
	yaml_parser_t parser;
	bool parser_ready;
	struct fields fr[2];			/* the event, and an event of its repeat block */
	struct proto ahead;			/* the next explicit event, parsed, not committed */
	bool have_ahead;
	char *ahead_id;				/* ahead's id buffer, reused */
	uint32_t ahead_id_cap;			/* bytes allocated for ahead_id */
	struct pos *dev_pos;			/* where each header device was written */
	uint64_t last_time;			/* ns, the latest explicit event's t */
	struct proto *block;			/* repeat block being read */
	uint32_t nr_block, block_cap;
	struct weights scratch_w[2];		/* orders, migratetypes being read */

	/* ids */
	struct slot *slots;
	uint32_t nr_slots, slots_cap;
	uint32_t *pool;				/* free slots, a FIFO ring */
	uint32_t pool_head, pool_nr, pool_cap;
	uint64_t *table;			/* open addressing: hash << 32 | slot, or ~0 */
	uint32_t table_mask, table_used;

	/* generators */
	struct gen **heap;			/* active generators, min by (next time, index) */
	uint32_t nr_heap, heap_cap;
	uint32_t nr_gens;			/* generators defined so far */

	/* binary */
	char **bin_devices;			/* names of the machine at gen time */
	uint32_t nr_bin_devices;
	uint8_t *dev_map;			/* bin device index -> cfg index, or REC_ANY */
	uint8_t bin_zones[CMASIM_NR_ZONE_TYPES];	/* zone types at gen time */
	uint32_t nr_bin_zones;
	uint8_t zone_map[CMASIM_NR_ZONE_TYPES];	/* gen-time zone index -> cfg index */
	uint32_t bin_version;			/* of the stream's format */
	struct cmasim_record *buf;		/* records read ahead */
	size_t buf_nr, buf_pos;
	uint64_t nr_read;			/* records returned so far */
	uint32_t bin_header;			/* bytes before the first record */
	uint8_t *raw;				/* version 2: bytes read, not yet decoded */
	size_t raw_len, raw_pos;
	bool raw_eof;				/* the source has no more bytes */
	uint64_t nr_decoded;			/* records decoded, returned or in buf */
	uint64_t bin_time;			/* ns, the time of the record decoded last */
	uint64_t next_offset;			/* byte of the source where the next record starts */
	uint64_t *offsets;			/* where record n started, at n % BIN_PLACES */
	GError *deferred;			/* a bad record met decoding, after those in buf */
	uint8_t *bin_state;			/* enum slot_state by slot */
	uint32_t nr_bin_slots, bin_state_cap;
	uint64_t bin_last_time;
};

/* Sets a CMASIM_ERROR at @p of the trace's source. */
void cmasim__trace_error(const struct cmasim_trace *t, GError **error, int code, struct pos p,
			 const char *fmt, ...) G_GNUC_PRINTF(5, 6);
/* Sets the IO error "source: strerror" for t->read_errno. */
void cmasim__trace_io_error(const struct cmasim_trace *t, GError **error);

/* Takes a slot from the pool (oldest freed first) or a new one; forgets its old name. */
uint32_t cmasim__slot_take(struct cmasim_trace *t);
/* Returns live slot @s to the pool; its name stays remembered until the slot is taken. */
void cmasim__slot_release(struct cmasim_trace *t, uint32_t s, struct pos p);

/* Makes a churn generator with index t->nr_gens++ and puts it in the heap. */
void cmasim__churn_start(struct cmasim_trace *t, const struct churn_params *cp, struct pos p);
/* Same for a repeat; takes ownership of rp->ev. */
void cmasim__repeat_start(struct cmasim_trace *t, struct repeat_params *rp, struct pos p);
/* Same for a stream; takes ownership of sp->alloc.id. */
void cmasim__stream_start(struct cmasim_trace *t, struct stream_params *sp, struct pos p);
/* Time of the earliest pending generator record; false if none is active. */
bool cmasim__gen_peek(const struct cmasim_trace *t, uint64_t *time);
/* Produces the earliest generator record (a generator must be active). */
bool cmasim__gen_next(struct cmasim_trace *t, struct cmasim_record *rec, GError **error);
/* Frees every generator. */
void cmasim__gen_free_all(struct cmasim_trace *t);
/*
 * Commits @p at @time: resolves its id to a slot and fills @rec. For a
 * repeat's block event @iter (0-based) of @count names the iteration in
 * messages; @count is 0 for everything else.
 */
bool cmasim__commit(struct cmasim_trace *t, const struct proto *p, uint64_t time, uint32_t iter,
		    uint32_t count, struct cmasim_record *rec, GError **error);
/* Frees the ids of @nr protos and the array. */
void cmasim__protos_free(struct proto *ev, uint32_t nr);

/*
 * tracecheck.c: whether compiled record @r (devices and zones as indices
 * into @cfg's, id unchecked) keeps the rules every reader shares. False
 * with the problem in @what (unless NULL: a second call says it), without
 * a place, and in *@key the key it is about.
 */
bool cmasim__record_check(const struct cmasim_config *cfg, const struct cmasim_record *r,
			  GString *what, int *key);

/* YAML: sets up the parser on t's input and reads the header up to the events. */
bool cmasim__yaml_open(struct cmasim_trace *t, GError **error);
/* YAML: checks the header's devices against t->cfg. */
bool cmasim__yaml_start(struct cmasim_trace *t, GError **error);
/*
 * YAML: reads the next item of the events sequence. An explicit event lands
 * in t->ahead (have_ahead), a generator starts; at the end t->done is set.
 */
bool cmasim__yaml_next(struct cmasim_trace *t, GError **error);
void cmasim__yaml_close(struct cmasim_trace *t);

/* Binary stream: reads the header that follows the magic just peeked. */
bool cmasim__bin_open(struct cmasim_trace *t, GError **error);
/* Binary stream: "source: record @n (byte B)" for messages, the source alone if @n is 0. */
char *cmasim__bin_place(const struct cmasim_trace *t, uint64_t n);
/* Binary stream: maps the stream's devices and zones onto t->cfg's. */
bool cmasim__bin_start(struct cmasim_trace *t, GError **error);
/* Binary stream: the next record, remapped and checked; as cmasim_trace_next(). */
int cmasim__bin_next(struct cmasim_trace *t, struct cmasim_record *rec, GError **error);
void cmasim__bin_close(struct cmasim_trace *t);

/* Reads up to @len bytes of the trace's source, the peeked bytes first; 0 at EOF or error. */
size_t cmasim__trace_read(struct cmasim_trace *t, void *buf, size_t len);

/*
 * How a trace spells what record fields hold (traceyaml.c), for the YAML
 * reader and cmasim_trace_write(): alloc's migratetype (a), dma's direction
 * (b), and cpu's region (a less CMASIM_CPU_LOWMEM), access (b) and pattern (c).
 */
extern const char *const cmasim__mt_names[CMASIM_NR_ALLOC_TYPES];
extern const char *const cmasim__dir_names[CMASIM_DMA_BIDIRECTIONAL + 1];
extern const char *const cmasim__region_names[CMASIM_CPU_CMA - CMASIM_CPU_LOWMEM + 1];
extern const char *const cmasim__access_names[2];
extern const char *const cmasim__pattern_names[CMASIM_PATTERN_STRIDE + 1];

/* The binary stream's magic. */
#define CMASIM_TRACE_MAGIC "CMASIMTR"

#endif

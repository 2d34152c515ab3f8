// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload traces in YAML, read with libyaml's event API one event mapping
 * at a time, never as a document tree: a trace of millions of events costs
 * the memory of its live ids and active generators, not of its length.
 * Each event mapping becomes a struct proto (ids still names) or starts a
 * generator; trace.c commits protos in merged order.
 *
 * Speed. libyaml allocates every scalar already; this file adds no
 * allocation per event in the steady state: keys are matched by first
 * character and length, numbers are parsed by hand, scalar events are kept
 * (not copied) until their mapping is compiled, and the id of the event
 * parsed ahead goes into one reused buffer.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cmasim/migrate.h"
#include "cmasim/physmem.h"
#include "cmasim/units.h"
#include "confyaml.h"
#include "frame.h"
#include "trace_private.h"

#define B(k) (UINT32_C(1) << (k))

#define key_names cmasim__key_names

const char *const cmasim__key_names[NR_KEYS] = {
	"t", "op", "id", "migratetype", "order", "count", "pin", "pfn",
	"device", "size", "align", "atomic", "buffer", "direction", "bytes",
	"region", "access", "pattern", "stride", "zone",
	"duration", "rate", "orders", "migratetypes", "lifetime", "events", "period",
	"owner", "longterm", "frame",
};

static const char *const op_names[NR_TRACE_OPS] = {
	[CMASIM_OP_ALLOC] = "alloc",
	[CMASIM_OP_FREE] = "free",
	[CMASIM_OP_PIN] = "pin",
	[CMASIM_OP_UNPIN] = "unpin",
	[CMASIM_OP_DMA_ALLOC] = "dma_alloc",
	[CMASIM_OP_DMA_FREE] = "dma_free",
	[CMASIM_OP_DMA] = "dma",
	[CMASIM_OP_CPU] = "cpu",
	[CMASIM_OP_COMPACT] = "compact",
	[CMASIM_OP_DROP_CACHES] = "drop_caches",
	[CMASIM_OP_SAMPLE] = "sample",
	[OP_CHURN] = "churn",
	[OP_REPEAT] = "repeat",
	[OP_STREAM] = "stream",
};

/* Keys each op accepts, in the order messages list them. */
static const uint32_t op_allowed[NR_TRACE_OPS] = {
	[CMASIM_OP_ALLOC] = B(K_T) | B(K_OP) | B(K_MIGRATETYPE) | B(K_ORDER) | B(K_COUNT) |
			    B(K_PIN) | B(K_PFN) | B(K_ID) | B(K_OWNER) | B(K_DEVICE),
	[CMASIM_OP_FREE] = B(K_T) | B(K_OP) | B(K_ID) | B(K_PFN) | B(K_ORDER),
	[CMASIM_OP_PIN] = B(K_T) | B(K_OP) | B(K_ID) | B(K_LONGTERM) | B(K_DEVICE),
	[CMASIM_OP_UNPIN] = B(K_T) | B(K_OP) | B(K_ID),
	[CMASIM_OP_DMA_ALLOC] = B(K_T) | B(K_OP) | B(K_DEVICE) | B(K_SIZE) | B(K_FRAME) |
				B(K_ID) | B(K_ALIGN) | B(K_ATOMIC),
	[CMASIM_OP_DMA_FREE] = B(K_T) | B(K_OP) | B(K_ID),
	[CMASIM_OP_DMA] = B(K_T) | B(K_OP) | B(K_DEVICE) | B(K_BUFFER) | B(K_DIRECTION) |
			  B(K_BYTES) | B(K_FRAME),
	[CMASIM_OP_CPU] = B(K_T) | B(K_OP) | B(K_BUFFER) | B(K_REGION) | B(K_ACCESS) |
			  B(K_BYTES) | B(K_PATTERN) | B(K_STRIDE),
	[CMASIM_OP_COMPACT] = B(K_T) | B(K_OP) | B(K_ZONE) | B(K_ORDER),
	[CMASIM_OP_DROP_CACHES] = B(K_T) | B(K_OP),
	[CMASIM_OP_SAMPLE] = B(K_T) | B(K_OP),
	[OP_CHURN] = B(K_T) | B(K_OP) | B(K_DURATION) | B(K_RATE) | B(K_ORDERS) |
		     B(K_MIGRATETYPES) | B(K_LIFETIME) | B(K_PIN),
	[OP_REPEAT] = B(K_T) | B(K_OP) | B(K_COUNT) | B(K_PERIOD) | B(K_EVENTS),
	[OP_STREAM] = B(K_T) | B(K_OP) | B(K_DEVICE) | B(K_FRAME) | B(K_COUNT) | B(K_RATE) |
		      B(K_DURATION) | B(K_ID) | B(K_ALIGN) | B(K_DIRECTION),
};

/*
 * Keys each op requires (cpu's buffer/region, dma_alloc's size/frame,
 * dma's bytes/frame and stride are checked apart; alloc and free need an
 * id unless they have a pfn).
 */
static const uint32_t op_required[NR_TRACE_OPS] = {
	[CMASIM_OP_ALLOC] = B(K_T) | B(K_OP) | B(K_MIGRATETYPE) | B(K_ORDER),
	[CMASIM_OP_FREE] = B(K_T) | B(K_OP),
	[CMASIM_OP_PIN] = B(K_T) | B(K_OP) | B(K_ID),
	[CMASIM_OP_UNPIN] = B(K_T) | B(K_OP) | B(K_ID),
	[CMASIM_OP_DMA_ALLOC] = B(K_T) | B(K_OP) | B(K_DEVICE) | B(K_ID),
	[CMASIM_OP_DMA_FREE] = B(K_T) | B(K_OP) | B(K_ID),
	[CMASIM_OP_DMA] = B(K_T) | B(K_OP) | B(K_DEVICE) | B(K_BUFFER) | B(K_DIRECTION),
	[CMASIM_OP_CPU] = B(K_T) | B(K_OP) | B(K_ACCESS) | B(K_BYTES),
	[CMASIM_OP_COMPACT] = B(K_T) | B(K_OP),
	[CMASIM_OP_DROP_CACHES] = B(K_T) | B(K_OP),
	[CMASIM_OP_SAMPLE] = B(K_T) | B(K_OP),
	[OP_CHURN] = B(K_T) | B(K_OP) | B(K_DURATION) | B(K_RATE) | B(K_LIFETIME),
	[OP_REPEAT] = B(K_T) | B(K_OP) | B(K_COUNT) | B(K_PERIOD) | B(K_EVENTS),
	[OP_STREAM] = B(K_T) | B(K_OP) | B(K_DEVICE) | B(K_FRAME) | B(K_COUNT) | B(K_RATE) |
		      B(K_DURATION) | B(K_ID),
};

const char *const cmasim__mt_names[CMASIM_NR_ALLOC_TYPES] = {
	"unmovable", "movable", "reclaimable",
};
G_STATIC_ASSERT(CMASIM_MT_UNMOVABLE == 0 && CMASIM_MT_MOVABLE == 1 &&
		CMASIM_MT_RECLAIMABLE == 2);
const char *const cmasim__dir_names[CMASIM_DMA_BIDIRECTIONAL + 1] = {
	"to_device", "from_device", "bidirectional",
};
const char *const cmasim__region_names[CMASIM_CPU_CMA - CMASIM_CPU_LOWMEM + 1] = {
	"lowmem", "user", "cma",
};
const char *const cmasim__access_names[2] = { "read", "write" };
const char *const cmasim__pattern_names[CMASIM_PATTERN_STRIDE + 1] = {
	"sequential", "random", "stride",
};

enum hkey { H_NAME, H_DESCRIPTION, H_SEED, H_MACHINE, H_DEVICES, H_EVENTS, NR_HKEYS };

static const char *const hkey_names[NR_HKEYS] = {
	"name", "description", "seed", "machine", "devices", "events",
};

#define MAX_TIME_S "18446744073s"
#define NS_PER_S UINT64_C(1000000000)
#define HEADER_KEYS "name, description, seed, machine, devices, events"

const char *cmasim_op_name(enum cmasim_op op)
{
	g_return_val_if_fail((unsigned int)op < CMASIM_NR_OPS, NULL);
	return op_names[op];
}

#define trace_error cmasim__trace_error

/* libyaml counts from 0, people from 1. */
static struct pos pos_of(yaml_mark_t m)
{
	return (struct pos){ (uint32_t)m.line + 1, (uint32_t)m.column + 1 };
}

/* "a, b, c" from @n names, for "(expected one of: ...)"; the caller frees it. */
static char *join_names(const char *const *names, unsigned int n)
{
	GString *s = g_string_new(NULL);

	for (unsigned int i = 0; i < n; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", names[i]);
	return g_string_free(s, FALSE);
}

/* Index of @s in @names, or -1. */
static int lookup_name(const char *const *names, unsigned int n, const char *s, size_t len)
{
	for (unsigned int i = 0; i < n; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], s, len))
			return (int)i;
	return -1;
}

#define STR_IS(lit) (len == sizeof(lit) - 1 && !memcmp(s, lit, sizeof(lit) - 1))

/* The event key @s names, or -1; called for every key, hence no table walk. */
static int key_lookup(const char *s, size_t len)
{
	if (!len)
		return -1;
	switch (s[0]) {
	case 't':
		return len == 1 ? K_T : -1;
	case 'o':
		return STR_IS("op") ? K_OP : STR_IS("order") ? K_ORDER :
		       STR_IS("orders") ? K_ORDERS : STR_IS("owner") ? K_OWNER : -1;
	case 'i':
		return STR_IS("id") ? K_ID : -1;
	case 'm':
		return STR_IS("migratetype") ? K_MIGRATETYPE :
		       STR_IS("migratetypes") ? K_MIGRATETYPES : -1;
	case 'c':
		return STR_IS("count") ? K_COUNT : -1;
	case 'p':
		return STR_IS("pin") ? K_PIN : STR_IS("pfn") ? K_PFN :
		       STR_IS("pattern") ? K_PATTERN : STR_IS("period") ? K_PERIOD : -1;
	case 'd':
		return STR_IS("device") ? K_DEVICE : STR_IS("direction") ? K_DIRECTION :
		       STR_IS("duration") ? K_DURATION : -1;
	case 's':
		return STR_IS("size") ? K_SIZE : STR_IS("stride") ? K_STRIDE : -1;
	case 'a':
		return STR_IS("align") ? K_ALIGN : STR_IS("atomic") ? K_ATOMIC :
		       STR_IS("access") ? K_ACCESS : -1;
	case 'b':
		return STR_IS("buffer") ? K_BUFFER : STR_IS("bytes") ? K_BYTES : -1;
	case 'r':
		return STR_IS("region") ? K_REGION : STR_IS("rate") ? K_RATE : -1;
	case 'z':
		return STR_IS("zone") ? K_ZONE : -1;
	case 'l':
		return STR_IS("lifetime") ? K_LIFETIME : STR_IS("longterm") ? K_LONGTERM : -1;
	case 'e':
		return STR_IS("events") ? K_EVENTS : -1;
	case 'f':
		return STR_IS("frame") ? K_FRAME : -1;
	default:
		return -1;
	}
}

/* The op @s names (generators included), or -1. */
static int op_lookup(const char *s, size_t len)
{
	if (!len)
		return -1;
	switch (s[0]) {
	case 'a':
		return STR_IS("alloc") ? CMASIM_OP_ALLOC : -1;
	case 'f':
		return STR_IS("free") ? CMASIM_OP_FREE : -1;
	case 'p':
		return STR_IS("pin") ? CMASIM_OP_PIN : -1;
	case 'u':
		return STR_IS("unpin") ? CMASIM_OP_UNPIN : -1;
	case 'd':
		return STR_IS("dma") ? CMASIM_OP_DMA : STR_IS("dma_alloc") ? CMASIM_OP_DMA_ALLOC :
		       STR_IS("dma_free") ? CMASIM_OP_DMA_FREE :
		       STR_IS("drop_caches") ? CMASIM_OP_DROP_CACHES : -1;
	case 'c':
		return STR_IS("cpu") ? CMASIM_OP_CPU : STR_IS("compact") ? CMASIM_OP_COMPACT :
		       STR_IS("churn") ? OP_CHURN : -1;
	case 's':
		return STR_IS("sample") ? CMASIM_OP_SAMPLE : STR_IS("stream") ? OP_STREAM : -1;
	case 'r':
		return STR_IS("repeat") ? OP_REPEAT : -1;
	default:
		return -1;
	}
}

/* libyaml's read handler: feeds it from the trace's source. */
static int yaml_read(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
	struct cmasim_trace *t = data;

	*size_read = cmasim__trace_read(t, buffer, size);
	return !t->read_errno;
}

/* Counts lines and characters of @n bytes of @s onward from @p. */
static void advance_pos(struct pos *p, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			*p = (struct pos){ p->line + 1, 1 };
		else if ((s[i] & 0xc0) != 0x80)
			p->col++;
	}
}

/*
 * Where byte @offset of the source is. libyaml's reader decodes ahead of
 * the parser and reports bad UTF-8 by byte offset only, so the place is
 * found by reading the source again (1:1 if it cannot be, a pipe say).
 */
static struct pos offset_pos(struct cmasim_trace *t, size_t offset)
{
	struct pos p = { 1, 1 };
	unsigned char buf[4096];
	size_t n;

	if (!t->fp) {
		advance_pos(&p, (const unsigned char *)t->data, MIN(offset, t->data_len));
		return p;
	}
	if (fseek(t->fp, 0, SEEK_SET))
		return p;
	while (offset && (n = fread(buf, 1, MIN(sizeof(buf), offset), t->fp)) > 0) {
		advance_pos(&p, buf, n);
		offset -= n;
	}
	return p;
}

/* "a scalar", "a mapping"... for TYPE messages about @ev. */
static const char *kind_name(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return "a scalar";
	case YAML_SEQUENCE_START_EVENT:
		return "a sequence";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_ALIAS_EVENT:
		return "an alias (not supported)";
	default:
		return "nothing";
	}
}

/* Whether scalar event @ev is tagged !!str (the one tag next_event() lets by): text. */
static bool is_str_tagged(const yaml_event_t *ev)
{
	return ev->data.scalar.tag != NULL;
}

/* Reads the next YAML event; on failure sets a SYNTAX (or IO) error, TYPE for a tag. */
static bool next_event(struct cmasim_trace *t, yaml_event_t *ev, GError **error)
{
	yaml_parser_t *p = &t->parser;
	struct pos where;
	char *bad;

	if (yaml_parser_parse(p, ev)) {
		if (!(bad = conf_bad_tag(ev)))
			return true;
		trace_error(t, error, CMASIM_ERROR_TYPE, pos_of(ev->start_mark), "%s", bad);
		g_free(bad);
		yaml_event_delete(ev);
		return false;
	}
	if (t->read_errno) {
		cmasim__trace_io_error(t, error);
		return false;
	}
	where = p->error == YAML_READER_ERROR ? offset_pos(t, p->problem_offset) :
		pos_of(p->problem_mark);
	if (p->context)
		trace_error(t, error, CMASIM_ERROR_SYNTAX, where, "%s %s",
			    p->problem ? p->problem : "bad YAML", p->context);
	else
		trace_error(t, error, CMASIM_ERROR_SYNTAX, where, "%s",
			    p->problem ? p->problem : "bad YAML");
	return false;
}

/* Consumes the rest of the node @ev starts (and deletes @ev). */
static bool skip_node(struct cmasim_trace *t, yaml_event_t *ev, GError **error)
{
	unsigned int depth = 0;

	for (;;) {
		if (ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT)
			depth++;
		else if (ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT)
			depth--;
		yaml_event_delete(ev);
		if (!depth)
			return true;
		if (!next_event(t, ev, error))
			return false;
	}
}

/* The text of scalar event @ev. */
static inline const char *stext(const yaml_event_t *ev, size_t *len)
{
	*len = ev->data.scalar.length;
	return (const char *)ev->data.scalar.value;
}

/* Event mappings */

/* Deletes the scalar events @f kept and forgets its keys. */
static void fields_release(struct fields *f)
{
	while (f->kept) {
		int k = __builtin_ctz(f->kept);

		yaml_event_delete(&f->val[k]);
		f->kept &= f->kept - 1;
	}
	f->present = 0;
	g_clear_pointer(&f->unknown, g_free);
}

/* The text of key @k's scalar in @f. */
static inline const char *fval(const struct fields *f, int k, size_t *len)
{
	return stext(&f->val[k], len);
}

/* Keys whose values are text; the others are numbers, sizes, times or booleans. */
#define TEXT_KEYS (B(K_OP) | B(K_ID) | B(K_MIGRATETYPE) | B(K_DEVICE) | B(K_BUFFER) | \
		   B(K_DIRECTION) | B(K_REGION) | B(K_ACCESS) | B(K_PATTERN) | B(K_ZONE) | \
		   B(K_OWNER) | B(K_FRAME))

/* A VALUE error: scalar @ev of @what is tagged !!str, and @what is not text. */
static void not_text_error(struct cmasim_trace *t, const yaml_event_t *ev, const char *what,
			   GError **error)
{
	size_t len;
	const char *s = stext(ev, &len);

	trace_error(t, error, CMASIM_ERROR_VALUE, pos_of(ev->start_mark),
		    "!!str makes \"%.*s\" text, which %s is not (expected it without !!str)",
		    (int)len, s, what);
}

/* Reads a TYPE error for key @k whose value @ev is not of kind @want. */
static void type_error(struct cmasim_trace *t, const yaml_event_t *ev, const char *want,
		       const char *key, GError **error)
{
	trace_error(t, error, CMASIM_ERROR_TYPE, pos_of(ev->start_mark),
		    "expected %s for \"%s\", got %s", want, key, kind_name(ev));
}

static bool read_block(struct cmasim_trace *t, GError **error);
static bool check_record(struct cmasim_trace *t, const struct fields *f,
			 const struct cmasim_record *r, GError **error);
static bool read_weights(struct cmasim_trace *t, int k, struct pos at, GError **error);

/*
 * Reads the keys and values of an event mapping at @depth (1 inside a repeat
 * block) up to its end, keeping scalar values in t->fr[depth].
 */
static bool read_fields(struct cmasim_trace *t, int depth, struct pos start, GError **error)
{
	struct fields *f = &t->fr[depth];
	yaml_event_t ev;
	size_t len;
	const char *s;
	int k;

	f->start = start;
	for (;;) {
		if (!next_event(t, &ev, error))
			return false;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return true;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			trace_error(t, error, CMASIM_ERROR_TYPE, pos_of(ev.start_mark),
				    "expected a key, got %s", kind_name(&ev));
			yaml_event_delete(&ev);
			return false;
		}
		s = stext(&ev, &len);
		k = key_lookup(s, len);
		if (k < 0) {
			if (!f->unknown) {
				f->unknown = g_strndup(s, len);
				f->unknown_pos = pos_of(ev.start_mark);
			}
			yaml_event_delete(&ev);
			if (!next_event(t, &ev, error) || !skip_node(t, &ev, error))
				return false;
			continue;
		}
		if (f->present & B(k)) {
			trace_error(t, error, CMASIM_ERROR_KEY, pos_of(ev.start_mark),
				    "duplicate key \"%s\" (first given at %" PRIu32 ":%" PRIu32 ")",
				    key_names[k], f->key_pos[k].line, f->key_pos[k].col);
			yaml_event_delete(&ev);
			return false;
		}
		f->present |= B(k);
		f->key_pos[k] = pos_of(ev.start_mark);
		yaml_event_delete(&ev);
		if (!next_event(t, &f->val[k], error))
			return false;
		f->val_pos[k] = pos_of(f->val[k].start_mark);
		if (f->val[k].type == YAML_SCALAR_EVENT && !(B(k) & TEXT_KEYS) &&
		    is_str_tagged(&f->val[k])) {
			char quoted[32];

			snprintf(quoted, sizeof(quoted), "\"%s\"", key_names[k]);
			not_text_error(t, &f->val[k], quoted, error);
			yaml_event_delete(&f->val[k]);
			return false;
		}
		if (f->val[k].type == YAML_SCALAR_EVENT) {
			if (k == K_ORDERS || k == K_MIGRATETYPES || k == K_EVENTS) {
				type_error(t, &f->val[k],
					   k == K_EVENTS ? "a sequence" : "a mapping",
					   key_names[k], error);
				yaml_event_delete(&f->val[k]);
				return false;
			}
			f->kept |= B(k);
			continue;
		}
		/* Only generators take collections; blocks hold none, the op check says so. */
		if (depth == 0 && (k == K_ORDERS || k == K_MIGRATETYPES) &&
		    f->val[k].type == YAML_MAPPING_START_EVENT) {
			yaml_event_delete(&f->val[k]);
			if (!read_weights(t, k, f->val_pos[k], error))
				return false;
			continue;
		}
		if (depth == 0 && k == K_EVENTS && f->val[k].type == YAML_SEQUENCE_START_EVENT) {
			yaml_event_delete(&f->val[k]);
			if (!read_block(t, error))
				return false;
			continue;
		}
		if (depth == 0 || (k != K_ORDERS && k != K_MIGRATETYPES && k != K_EVENTS)) {
			type_error(t, &f->val[k], k == K_EVENTS ? "a sequence" :
				   k == K_ORDERS || k == K_MIGRATETYPES ? "a mapping" : "a scalar",
				   key_names[k], error);
			yaml_event_delete(&f->val[k]);
			return false;
		}
		if (!skip_node(t, &f->val[k], error))
			return false;
	}
}

/* VALUE error: key @k of @f did not parse as @expected. */
static void expected_error(struct cmasim_trace *t, const struct fields *f, int k,
			   const char *expected, GError **error)
{
	size_t len;
	const char *s = fval(f, k, &len);

	trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[k], "expected %s, got \"%.*s\"",
		    expected, (int)len, s);
}

/* Key @k of @f as an integer in [@lo, @hi]. */
static bool get_uint(struct cmasim_trace *t, const struct fields *f, int k, uint64_t lo,
		     uint64_t hi, uint64_t *v, GError **error)
{
	size_t len;
	const char *s = fval(f, k, &len);

	if (!cmasim_parse_uint(s, len, v)) {
		expected_error(t, f, k, "an integer", error);
		return false;
	}
	if (*v < lo || *v > hi) {
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[k],
			    "%s %.*s is out of range (expected %" PRIu64 "..%" PRIu64 ")",
			    key_names[k], (int)len, s, lo, hi);
		return false;
	}
	return true;
}

/* Key @k of @f as a buddy order of the machine. */
static bool get_order(struct cmasim_trace *t, const struct fields *f, int k, uint8_t *order,
		      GError **error)
{
	uint64_t v;

	if (!get_uint(t, f, k, 0, t->cfg->max_page_order, &v, error))
		return false;
	*order = (uint8_t)v;
	return true;
}

/* Key @k of @f as a size in bytes, not zero if @nonzero. */
static bool get_size(struct cmasim_trace *t, const struct fields *f, int k, bool nonzero,
		     uint64_t *v, GError **error)
{
	size_t len;
	const char *s = fval(f, k, &len);

	if (!cmasim_parse_size(s, len, v)) {
		expected_error(t, f, k, "a size such as 64MiB", error);
		return false;
	}
	if (nonzero && !*v) {
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[k],
			    "%s \"%.*s\" is zero (expected a size greater than 0)", key_names[k],
			    (int)len, s);
		return false;
	}
	return true;
}

/* Key @k of @f as a time in ns; zero allowed only if @zero_ok. */
static bool get_time(struct cmasim_trace *t, const struct fields *f, int k, bool zero_ok,
		     uint64_t *ns, GError **error)
{
	size_t len;
	const char *s = fval(f, k, &len);

	switch (cmasim_parse_time(s, len, ns)) {
	case CMASIM_PARSE_OK:
		if (*ns || zero_ok)
			return true;
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[k],
			    "%s \"%.*s\" is zero (expected a time greater than 0)",
			    key_names[k], (int)len, s);
		return false;
	case CMASIM_PARSE_INEXACT:
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[k],
			    "time \"%.*s\" is not a whole number of ns "
			    "(expected a time such as 5ms)", (int)len, s);
		return false;
	case CMASIM_PARSE_OVERFLOW:
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[k],
			    "time \"%.*s\" is too large (expected at most " MAX_TIME_S ")",
			    (int)len, s);
		return false;
	default:
		expected_error(t, f, k, "a time such as 5ms", error);
		return false;
	}
}

/* Key @k of @f as true or false. */
static bool get_bool(struct cmasim_trace *t, const struct fields *f, int k, bool *v,
		     GError **error)
{
	size_t len;
	const char *s = fval(f, k, &len);

	if (cmasim_parse_bool(s, len, v))
		return true;
	expected_error(t, f, k, "true or false", error);
	return false;
}

/* Key @k of @f as one of @n @names, its index. */
static bool get_enum(struct cmasim_trace *t, const struct fields *f, int k,
		     const char *const *names, unsigned int n, uint8_t *v, GError **error)
{
	size_t len;
	const char *s = fval(f, k, &len);
	int i = lookup_name(names, n, s, len);
	char *list;

	if (i >= 0) {
		*v = (uint8_t)i;
		return true;
	}
	list = join_names(names, n);
	trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[k],
		    "unknown %s \"%.*s\" (expected one of: %s)", key_names[k], (int)len, s, list);
	g_free(list);
	return false;
}

/* Characters of the machine's device names a message lists before it says how many more. */
#define DEVICE_LIST_CHARS 200

/* Appends @cfg's devices, cut short, each with its roles in parentheses if @roles. */
static void append_devices(GString *list, const struct cmasim_config *cfg, bool roles)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_devices && list->len < DEVICE_LIST_CHARS; i++) {
		const struct cmasim_device *dev = &cfg->devices[i];
		g_autofree char *name = conf_quote_text(dev->name, strlen(dev->name));

		g_string_append_printf(list, "%s%s", i ? ", " : "", name);
		for (int r = 0, n = 0; roles && r < CMASIM_NR_ROLES; r++)
			if (dev->roles & (UINT32_C(1) << r))
				g_string_append_printf(list, "%s%s", n++ ? ", " : " (",
						       cmasim_role_name(r));
		if (roles && dev->roles)
			g_string_append_c(list, ')');
	}
	if (i < cfg->nr_devices)
		g_string_append_printf(list, " and %u more", cfg->nr_devices - i);
}

/*
 * "not in machine" for device or role @s: a role names the devices and
 * the roles they have, a device name the devices and the roles to use
 * instead.
 */
static void no_device_error(struct cmasim_trace *t, struct pos p, const char *s, size_t len,
			    GError **error)
{
	const struct cmasim_config *cfg = t->cfg;
	g_autofree char *name = conf_quote_text(s, len);
	g_autoptr(GString) list = g_string_new(NULL);
	const char *machine = cfg->name ? cfg->name : "";
	uint32_t roles = 0;

	for (unsigned int i = 0; i < cfg->nr_devices; i++)
		roles |= cfg->devices[i].roles;
	if (cmasim_role_lookup(s, len) >= 0) {
		append_devices(list, cfg, true);
		trace_error(t, error, CMASIM_ERROR_VALUE, p,
			    "no device of machine \"%s\" has the role \"%s\" (%s%s)", machine, name,
			    cfg->nr_devices ? "its devices: " : "it has no devices", list->str);
		return;
	}
	append_devices(list, cfg, false);
	for (int r = 0, n = 0; r < CMASIM_NR_ROLES; r++)
		if (roles & (UINT32_C(1) << r))
			g_string_append_printf(list, "%s%s", n++ ? ", " : ", or a role: ",
					       cmasim_role_name(r));
	trace_error(t, error, CMASIM_ERROR_VALUE, p,
		    "device \"%s\" is not in machine \"%s\" (%s%s)", name, machine,
		    cfg->nr_devices ? "expected one of: " : "it has no devices", list->str);
}

/* Key @k of @f as a device of the machine, or a role one has: the device's index. */
static bool get_device(struct cmasim_trace *t, const struct fields *f, int k, uint8_t *v,
		       GError **error)
{
	size_t len;
	const char *s = fval(f, k, &len);
	int i = cmasim_config_resolve_device(t->cfg, s, len);

	if (i < 0) {
		no_device_error(t, f->val_pos[k], s, len, error);
		return false;
	}
	*v = (uint8_t)i;
	return true;
}

/* Key @k of @f as a zone type the machine has, the zone's index. */
static bool get_zone(struct cmasim_trace *t, const struct fields *f, int k, uint8_t *v,
		     GError **error)
{
	const struct cmasim_config *cfg = t->cfg;
	size_t len;
	const char *s = fval(f, k, &len);
	GString *list;

	for (unsigned int i = 0; i < cfg->nr_zones; i++) {
		const char *name = cmasim_zone_type_name(cfg->zones[i].type);

		if (strlen(name) == len && !memcmp(name, s, len)) {
			*v = (uint8_t)i;
			return true;
		}
	}
	list = g_string_new(NULL);
	for (unsigned int i = 0; i < cfg->nr_zones; i++)
		g_string_append_printf(list, "%s%s", i ? ", " : "",
				       cmasim_zone_type_name(cfg->zones[i].type));
	trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[k],
		    "zone \"%.*s\" is not in machine \"%s\" (expected one of: %s)", (int)len, s,
		    cfg->name ? cfg->name : "", list->str);
	g_string_free(list, TRUE);
	return false;
}

/* Key @k of @f as an id into @p: in the reused look-ahead buffer at depth 0, copied in a block. */
static bool get_id(struct cmasim_trace *t, const struct fields *f, int k, int depth,
		   struct proto *p, GError **error)
{
	size_t len;
	const char *s = fval(f, k, &len);

	if (!len || len >= UINT32_MAX) {
		expected_error(t, f, k, "an id", error);
		return false;
	}
	if (depth) {
		p->id = g_strndup(s, len);
		p->numbered = s[len - 1] == '#';
	} else {
		if (t->ahead_id_cap < len + 1) {
			t->ahead_id_cap = (uint32_t)MAX(len + 1, 64);
			g_free(t->ahead_id);
			t->ahead_id = g_malloc(t->ahead_id_cap);
		}
		memcpy(t->ahead_id, s, len);
		t->ahead_id[len] = '\0';
		p->id = t->ahead_id;
	}
	p->id_len = (uint32_t)len;
	p->id_pos = f->val_pos[k];
	return true;
}

/* Key owner of @f into @r's flags: what the pages hold (a record rule matches the migratetype). */
static bool get_owner(struct cmasim_trace *t, const struct fields *f, struct cmasim_record *r,
		      GError **error)
{
	/* every owner but dma, which only a dma_alloc has */
	const char *names[CMASIM_OWNER_PAGETABLE + 1];
	uint8_t owner;

	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++)
		names[i] = cmasim_owner_name(i);
	if (!get_enum(t, f, K_OWNER, names, G_N_ELEMENTS(names), &owner, error))
		return false;
	r->c |= (uint8_t)((owner + 1) << CMASIM_REC_OWNER_SHIFT);
	return true;
}

/* Key pfn of @f into @r's x, with the AT_PFN flag. */
static bool get_pfn(struct cmasim_trace *t, const struct fields *f, struct cmasim_record *r,
		    GError **error)
{
	size_t len;
	const char *s = fval(f, K_PFN, &len);

	if (!cmasim_parse_uint(s, len, &r->x)) {
		expected_error(t, f, K_PFN, "a pfn such as 0x80000", error);
		return false;
	}
	r->c |= CMASIM_REC_AT_PFN;
	return true;
}

/* The optional device: of an alloc or pin in @f, whose driver owns the pages, into @r->dev. */
static bool get_owning_device(struct cmasim_trace *t, const struct fields *f,
			      struct cmasim_record *r, GError **error)
{
	uint8_t d;

	if (!(f->present & B(K_DEVICE)))
		return true;
	if (!get_device(t, f, K_DEVICE, &d, error))
		return false;
	r->dev = d + 1u;
	return true;
}

/* Compiles a pin event of @f into @p: long-term (FOLL_LONGTERM) unless longterm: false. */
static bool compile_pin(struct cmasim_trace *t, const struct fields *f, int depth,
			struct proto *p, GError **error)
{
	bool longterm = true;

	if ((f->present & B(K_LONGTERM) && !get_bool(t, f, K_LONGTERM, &longterm, error)) ||
	    !get_owning_device(t, f, &p->rec, error))
		return false;
	if (!longterm)
		p->rec.c |= CMASIM_REC_SHORTTERM;
	return get_id(t, f, K_ID, depth, p, error);
}

/* Compiles an alloc event of @f into @p. */
static bool compile_alloc(struct cmasim_trace *t, const struct fields *f, int depth,
			  struct proto *p, GError **error)
{
	struct cmasim_record *r = &p->rec;
	uint64_t count = 1;
	bool pin = false;

	if (!get_enum(t, f, K_MIGRATETYPE, cmasim__mt_names, CMASIM_NR_ALLOC_TYPES, &r->a, error) ||
	    !get_order(t, f, K_ORDER, &r->b, error) ||
	    (f->present & B(K_COUNT) && !get_uint(t, f, K_COUNT, 1, UINT32_MAX, &count, error)) ||
	    (f->present & B(K_PIN) && !get_bool(t, f, K_PIN, &pin, error)))
		return false;
	r->y = (uint32_t)count;
	if (pin)
		r->c |= CMASIM_REC_PIN;
	if ((f->present & B(K_OWNER) && !get_owner(t, f, r, error)) ||
	    !get_owning_device(t, f, r, error))
		return false;
	if (f->present & B(K_PFN) && !get_pfn(t, f, r, error))
		return false;
	if (!(f->present & B(K_ID))) {
		r->c |= CMASIM_REC_NO_ID;
		return true;
	}
	return get_id(t, f, K_ID, depth, p, error);
}

/* Compiles a free event of @f into @p: of an id, or of the blocks at a pfn. */
static bool compile_free(struct cmasim_trace *t, const struct fields *f, int depth,
			 struct proto *p, GError **error)
{
	if (!(f->present & B(K_PFN)))
		return get_id(t, f, K_ID, depth, p, error);
	if (f->present & B(K_ID)) {
		trace_error(t, error, CMASIM_ERROR_KEY, f->key_pos[K_ID],
			    "a free by pfn with an id (expected one of them)");
		return false;
	}
	return get_pfn(t, f, &p->rec, error) &&
	       (!(f->present & B(K_ORDER)) || get_order(t, f, K_ORDER, &p->rec.b, error));
}

/* The key in @mask written first, by position. */
static int first_key(const struct fields *f, uint32_t mask)
{
	int best = -1;

	for (; mask; mask &= mask - 1) {
		int k = __builtin_ctz(mask);

		if (best < 0 || f->key_pos[k].line < f->key_pos[best].line ||
		    (f->key_pos[k].line == f->key_pos[best].line &&
		     f->key_pos[k].col < f->key_pos[best].col))
			best = k;
	}
	return best;
}

/*
 * Checks that @f has exactly one of keys @a and @b, which op @op takes
 * instead of each other; *@which is the one it has.
 */
static bool exactly_one(struct cmasim_trace *t, const struct fields *f, int op, int a, int b,
			int *which, GError **error)
{
	bool has_a = f->present & B(a), has_b = f->present & B(b);

	if (has_a && has_b) {
		int later = first_key(f, B(a) | B(b)) == a ? b : a;

		trace_error(t, error, CMASIM_ERROR_KEY, f->key_pos[later],
			    "%s event has both \"%s\" and \"%s\" (expected exactly one)",
			    op_names[op], key_names[a], key_names[b]);
		return false;
	}
	if (!has_a && !has_b) {
		trace_error(t, error, CMASIM_ERROR_KEY, f->start,
			    "%s event has no \"%s\" or \"%s\" (expected exactly one)",
			    op_names[op], key_names[a], key_names[b]);
		return false;
	}
	*which = has_a ? a : b;
	return true;
}

/*
 * Key frame of @f as the bytes of one frame, rounded up to whole pages if
 * @pages: what a buffer for it takes, as videobuf2's __vb2_buf_mem_alloc()
 * (PAGE_ALIGN) and drm_gem_dma_create() (round_up to PAGE_SIZE) allocate
 * (6.1).
 */
static bool get_frame(struct cmasim_trace *t, const struct fields *f, bool pages,
		      uint64_t *bytes, GError **error)
{
	uint64_t page = t->cfg->page_size;
	size_t len;
	const char *s = fval(f, K_FRAME, &len);

	if (!cmasim__frame_bytes(s, len, bytes, NULL)) {
		g_autoptr(GString) what = g_string_new(NULL);

		cmasim__frame_bytes(s, len, bytes, what);
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[K_FRAME], "%s", what->str);
		return false;
	}
	if (pages)
		*bytes = (*bytes + page - 1) & ~(page - 1);
	return true;
}

/* Compiles a dma_alloc event of @f into @p: a size, or a frame's whole pages. */
static bool compile_dma_alloc(struct cmasim_trace *t, const struct fields *f, int depth,
			      struct proto *p, GError **error)
{
	struct cmasim_record *r = &p->rec;
	bool atomic = false;
	int k;

	r->b = CMASIM_REC_ANY;
	if (!get_device(t, f, K_DEVICE, &r->a, error) ||
	    !exactly_one(t, f, CMASIM_OP_DMA_ALLOC, K_SIZE, K_FRAME, &k, error) ||
	    !(k == K_SIZE ? get_size(t, f, K_SIZE, true, &r->x, error) :
			    get_frame(t, f, true, &r->x, error)) ||
	    (f->present & B(K_ALIGN) && !get_order(t, f, K_ALIGN, &r->b, error)) ||
	    (f->present & B(K_ATOMIC) && !get_bool(t, f, K_ATOMIC, &atomic, error)))
		return false;
	if (atomic)
		r->c |= CMASIM_REC_ATOMIC;
	return get_id(t, f, K_ID, depth, p, error);
}

/* Compiles a dma event of @f into @p: bytes, or the frame's own (unrounded). */
static bool compile_dma(struct cmasim_trace *t, const struct fields *f, int depth,
			struct proto *p, GError **error)
{
	int k;

	return get_device(t, f, K_DEVICE, &p->rec.a, error) &&
	       get_enum(t, f, K_DIRECTION, cmasim__dir_names, G_N_ELEMENTS(cmasim__dir_names),
			&p->rec.b, error) &&
	       exactly_one(t, f, CMASIM_OP_DMA, K_BYTES, K_FRAME, &k, error) &&
	       (k == K_BYTES ? get_size(t, f, K_BYTES, false, &p->rec.x, error) :
			       get_frame(t, f, false, &p->rec.x, error)) &&
	       get_id(t, f, K_BUFFER, depth, p, error);
}

/* Compiles a cpu event of @f into @p. */
static bool compile_cpu(struct cmasim_trace *t, const struct fields *f, int depth,
			struct proto *p, GError **error)
{
	struct cmasim_record *r = &p->rec;
	uint64_t stride;
	int k;

	if (!exactly_one(t, f, CMASIM_OP_CPU, K_BUFFER, K_REGION, &k, error))
		return false;
	if (k == K_REGION) {
		if (!get_enum(t, f, K_REGION, cmasim__region_names,
			      G_N_ELEMENTS(cmasim__region_names), &r->a, error))
			return false;
		r->a = (uint8_t)(r->a + CMASIM_CPU_LOWMEM);
	} else {
		r->a = CMASIM_CPU_BUFFER;
	}
	r->c = CMASIM_PATTERN_SEQUENTIAL;
	if (!get_enum(t, f, K_ACCESS, cmasim__access_names, G_N_ELEMENTS(cmasim__access_names),
		      &r->b, error) ||
	    !get_size(t, f, K_BYTES, false, &r->x, error) ||
	    (f->present & B(K_PATTERN) &&
	     !get_enum(t, f, K_PATTERN, cmasim__pattern_names,
		       G_N_ELEMENTS(cmasim__pattern_names), &r->c, error)))
		return false;
	if (r->c == CMASIM_PATTERN_STRIDE && !(f->present & B(K_STRIDE))) {
		trace_error(t, error, CMASIM_ERROR_KEY, f->start,
			    "cpu event has no \"stride\" (pattern stride needs one)");
		return false;
	}
	if (r->c != CMASIM_PATTERN_STRIDE && f->present & B(K_STRIDE)) {
		trace_error(t, error, CMASIM_ERROR_KEY, f->key_pos[K_STRIDE],
			    "\"stride\" without pattern stride (expected pattern: stride)");
		return false;
	}
	if (f->present & B(K_STRIDE)) {
		if (!get_size(t, f, K_STRIDE, true, &stride, error))
			return false;
		if (stride > UINT32_MAX) {
			trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[K_STRIDE],
				    "stride %" PRIu64 " is too large "
				    "(expected at most 4294967295 bytes)", stride);
			return false;
		}
		r->y = (uint32_t)stride;
	}
	return k == K_BUFFER ? get_id(t, f, K_BUFFER, depth, p, error) : true;
}

/* 10^@n, for n up to 19. */
static uint64_t pow10(unsigned int n)
{
	uint64_t p = 1;

	while (n--)
		p *= 10;
	return p;
}

/* Parses "digits[.digits]" of key @k into num / 10^frac with at most @max_frac digits. */
static bool get_decimal(struct cmasim_trace *t, const struct fields *f, int k,
			unsigned int max_frac, const char *expected, uint64_t *num,
			unsigned int *frac, GError **error)
{
	size_t len;
	const char *s = fval(f, k, &len);

	if (cmasim_parse_decimal(s, len, max_frac, num, frac) != CMASIM_PARSE_OK) {
		expected_error(t, f, k, expected, error);
		return false;
	}
	return true;
}

/* Key duration of @f for generator @op defined at @start: it must end by the largest time. */
static bool get_duration(struct cmasim_trace *t, const struct fields *f, int op, uint64_t start,
			 uint64_t *duration, GError **error)
{
	if (!get_time(t, f, K_DURATION, false, duration, error))
		return false;
	if (*duration <= UINT64_MAX - start)
		return true;
	trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[K_DURATION],
		    "%s runs past the largest time (expected t + duration <= " MAX_TIME_S ")",
		    op_names[op]);
	return false;
}

/*
 * Key rate of @f, events a second, as @num / @den (@den a power of ten),
 * at most one a ns. Event k of generator @op falls at floor(k * 10^9 *
 * den / num) ns; those before @duration, of which there must be at most
 * GEN_MAX_RECORDS (one @noun in messages), number *@n.
 */
static bool get_rate(struct cmasim_trace *t, const struct fields *f, int op, const char *noun,
		     uint64_t duration, uint64_t *num, uint64_t *den, uint64_t *n,
		     GError **error)
{
	unsigned int frac;

	if (!get_decimal(t, f, K_RATE, 9, "a rate such as 2000", num, &frac, error))
		return false;
	if (!*num) {
		expected_error(t, f, K_RATE, "a rate greater than 0", error);
		return false;
	}
	*den = pow10(frac);
	if (*num > NS_PER_S * *den) {
		g_autofree char *most = g_strdup_printf("a rate of at most 1000000000, one %s per ns",
							noun);

		expected_error(t, f, K_RATE, most, error);
		return false;
	}
	unsigned __int128 step = (unsigned __int128)NS_PER_S * *den;
	unsigned __int128 events = ((unsigned __int128)duration * *num + step - 1) / step;

	if (events > GEN_MAX_RECORDS) {
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[K_DURATION],
			    "%s makes more than %" PRIu64 " %ss (expected at most that many from "
			    "one generator: a shorter duration or a lower rate)", op_names[op],
			    GEN_MAX_RECORDS, noun);
		return false;
	}
	*n = (uint64_t)events;
	return true;
}

/* Compiles a churn definition of @f and starts the generator. */
static bool compile_churn(struct cmasim_trace *t, const struct fields *f, uint64_t start,
			  GError **error)
{
	struct churn_params cp = { .start = start };
	unsigned int frac;
	uint64_t num, allocs;
	size_t len;
	const char *s;

	if (!get_duration(t, f, OP_CHURN, start, &cp.duration, error) ||
	    !get_rate(t, f, OP_CHURN, "allocation", cp.duration, &cp.rate_num, &cp.rate_den,
		      &allocs, error))
		return false;
	s = fval(f, K_LIFETIME, &len);
	if (!STR_IS("forever") && !get_time(t, f, K_LIFETIME, false, &cp.lifetime, error))
		return false;
	if (f->present & B(K_PIN)) {
		if (!get_decimal(t, f, K_PIN, 18, "a probability such as 0.01", &num, &frac, error))
			return false;
		if (num > pow10(frac)) {
			expected_error(t, f, K_PIN, "a probability between 0 and 1", error);
			return false;
		}
		/* pinned iff a 53-bit draw < p * 2^53: exact, no floating point. */
		cp.pin_threshold = (uint64_t)(((unsigned __int128)num << 53) / pow10(frac));
	}
	if (f->present & B(K_ORDERS)) {
		cp.orders = t->scratch_w[0];
	} else {
		cp.orders.nr = 1;
		cp.orders.value[0] = 0;
		cp.orders.cum[0] = 1;
	}
	if (f->present & B(K_MIGRATETYPES)) {
		cp.mts = t->scratch_w[1];
	} else {
		cp.mts.nr = 1;
		cp.mts.value[0] = CMASIM_MT_MOVABLE;
		cp.mts.cum[0] = 1;
	}
	cmasim__churn_start(t, &cp, f->start);
	return true;
}

/*
 * Buffers one stream may allocate: VIDEO_MAX_FRAME, the most a V4L2 queue
 * has (include/uapi/linux/videodev2.h).
 */
#define STREAM_MAX_BUFFERS 32

/*
 * Compiles a stream definition of @f and starts the generator: a camera,
 * decoder or display queue's buffers allocated at once, a frame into each
 * in turn at the rate, all freed at the end (see struct stream_params).
 */
static bool compile_stream(struct cmasim_trace *t, const struct fields *f, uint64_t start,
			   GError **error)
{
	struct stream_params sp = { .start = start };
	struct cmasim_record *a = &sp.alloc.rec, *fr = &sp.frame.rec;
	uint64_t count, frames;

	*a = (struct cmasim_record){ .op = CMASIM_OP_DMA_ALLOC, .b = CMASIM_REC_ANY,
				     .line = f->start.line };
	*fr = (struct cmasim_record){ .op = CMASIM_OP_DMA, .b = CMASIM_DMA_FROM_DEVICE,
				      .line = f->start.line };
	sp.free.rec = (struct cmasim_record){ .op = CMASIM_OP_DMA_FREE, .line = f->start.line };
	if (!get_duration(t, f, OP_STREAM, start, &sp.duration, error) ||
	    !get_rate(t, f, OP_STREAM, "frame", sp.duration, &sp.rate_num, &sp.rate_den, &frames,
		      error) ||
	    !get_uint(t, f, K_COUNT, 1, STREAM_MAX_BUFFERS, &count, error) ||
	    !get_device(t, f, K_DEVICE, &a->a, error) ||
	    !get_frame(t, f, true, &a->x, error) || !get_frame(t, f, false, &fr->x, error) ||
	    (f->present & B(K_ALIGN) && !get_order(t, f, K_ALIGN, &a->b, error)) ||
	    (f->present & B(K_DIRECTION) &&
	     !get_enum(t, f, K_DIRECTION, cmasim__dir_names, G_N_ELEMENTS(cmasim__dir_names),
		       &fr->b, error)))
		return false;
	fr->a = a->a;
	sp.count = (uint32_t)count;
	if (!check_record(t, f, a, error) || !check_record(t, f, fr, error) ||
	    !get_id(t, f, K_ID, 1, &sp.alloc, error))
		return false;
	sp.frame.id = sp.free.id = sp.alloc.id;
	sp.frame.id_len = sp.free.id_len = sp.alloc.id_len;
	sp.frame.id_pos = sp.free.id_pos = sp.alloc.id_pos;
	cmasim__stream_start(t, &sp, f->start);
	return true;
}

/* Compiles a repeat definition of @f (its block already in t->block) and starts it. */
static bool compile_repeat(struct cmasim_trace *t, const struct fields *f, uint64_t start,
			   GError **error)
{
	struct repeat_params rp = { .start = start };
	uint64_t count, span, room = UINT64_MAX - start;

	if (!get_uint(t, f, K_COUNT, 1, UINT32_MAX, &count, error) ||
	    !get_time(t, f, K_PERIOD, false, &rp.period, error))
		return false;
	if (!t->nr_block) {
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[K_EVENTS],
			    "repeat has no events (expected at least one)");
		return false;
	}
	if (count * t->nr_block > GEN_MAX_RECORDS) {
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[K_COUNT],
			    "repeat makes %" PRIu64 " x %" PRIu32 " events (expected at most %"
			    PRIu64 " from one generator)", count, t->nr_block, GEN_MAX_RECORDS);
		return false;
	}
	span = t->block[t->nr_block - 1].rec.time_ns;
	if (span > room || (count - 1) > (room - span) / rp.period) {
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[K_COUNT],
			    "repeat runs past the largest time (expected t + (count - 1) * period"
			    " + span <= " MAX_TIME_S ")");
		return false;
	}
	rp.count = (uint32_t)count;
	rp.ev = g_renew(struct proto, t->block, t->nr_block);
	rp.nr_ev = t->nr_block;
	t->block = NULL;
	t->nr_block = t->block_cap = 0;
	cmasim__repeat_start(t, &rp, f->start);
	return true;
}

/* Applies the record rules to @r compiled from @f, blaming the key a broken rule is about. */
static bool check_record(struct cmasim_trace *t, const struct fields *f,
			 const struct cmasim_record *r, GError **error)
{
	g_autoptr(GString) what = g_string_new(NULL);
	int k;

	if (cmasim__record_check(t->cfg, r, what, &k))
		return true;
	/* a frame stands for the size or bytes its rule is about */
	if ((k == K_SIZE || k == K_BYTES) && !(f->present & B(k)))
		k = K_FRAME;
	trace_error(t, error, CMASIM_ERROR_VALUE, f->present & B(k) ? f->val_pos[k] : f->start,
		    "%s", what->str);
	return false;
}

/* Rejects keys @op does not take, the earliest first. */
static bool check_keys(struct cmasim_trace *t, const struct fields *f, int op, GError **error)
{
	/* alloc and free name their block by id, or by its pfn alone */
	uint32_t id = (op == CMASIM_OP_ALLOC || op == CMASIM_OP_FREE) && !(f->present & B(K_PFN)) ?
		      B(K_ID) : 0;
	uint32_t bad = f->present & ~op_allowed[op], missing = (op_required[op] | id) & ~f->present;
	int k = first_key(f, bad);
	const char *names[NR_KEYS];
	unsigned int n = 0;
	char *list;

	if (k >= 0 || f->unknown) {
		bool unknown_first = f->unknown && (k < 0 ||
			f->unknown_pos.line < f->key_pos[k].line ||
			(f->unknown_pos.line == f->key_pos[k].line &&
			 f->unknown_pos.col < f->key_pos[k].col));

		for (int i = 0; i < NR_KEYS; i++)
			if (op_allowed[op] & B(i))
				names[n++] = key_names[i];
		list = join_names(names, n);
		trace_error(t, error, CMASIM_ERROR_KEY,
			    unknown_first ? f->unknown_pos : f->key_pos[k],
			    "unknown key \"%s\" in %s event (expected one of: %s)",
			    unknown_first ? f->unknown : key_names[k], op_names[op], list);
		g_free(list);
		return false;
	}
	if (missing) {
		trace_error(t, error, CMASIM_ERROR_KEY, f->start, "%s event has no \"%s\"",
			    op_names[op], key_names[__builtin_ctz(missing)]);
		return false;
	}
	return true;
}

/*
 * Reads and compiles the event mapping just started at @start. At depth 0
 * a generator is started and *@op says so; an explicit event lands in @p.
 * At depth 1 (a repeat block) @last is the previous block event's time.
 */
static bool compile_event(struct cmasim_trace *t, int depth, struct pos start, uint64_t *last,
			  struct proto *p, int *op_out, GError **error)
{
	struct fields *f = &t->fr[depth];
	size_t len;
	const char *s;
	uint64_t time;
	char b1[32], b2[32];
	bool ok = false;
	int op;

	memset(p, 0, sizeof(*p));
	if (!read_fields(t, depth, start, error))
		goto out;
	if (!(f->present & B(K_OP))) {
		trace_error(t, error, CMASIM_ERROR_KEY, f->start, "event has no \"op\"");
		goto out;
	}
	s = fval(f, K_OP, &len);
	op = op_lookup(s, len);
	if (op < 0) {
		char *list = join_names(op_names, NR_TRACE_OPS);

		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[K_OP],
			    "unknown op \"%.*s\" (expected one of: %s)", (int)len, s, list);
		g_free(list);
		goto out;
	}
	if (depth && op >= CMASIM_NR_OPS) {
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[K_OP],
			    "a repeat block cannot hold a %s (expected an explicit op)",
			    op_names[op]);
		goto out;
	}
	if (!check_keys(t, f, op, error) || !get_time(t, f, K_T, true, &time, error))
		goto out;
	if (time < *last) {
		trace_error(t, error, CMASIM_ERROR_VALUE, f->val_pos[K_T],
			    "time goes backwards: %s after %s", cmasim_format_time(time, b1),
			    cmasim_format_time(*last, b2));
		goto out;
	}
	*last = time;
	*op_out = op;
	p->rec.time_ns = time;
	p->rec.line = f->start.line;
	p->rec.op = (uint8_t)op;
	switch (op) {
	case CMASIM_OP_ALLOC:
		ok = compile_alloc(t, f, depth, p, error);
		break;
	case CMASIM_OP_PIN:
		ok = compile_pin(t, f, depth, p, error);
		break;
	case CMASIM_OP_FREE:
		ok = compile_free(t, f, depth, p, error);
		break;
	case CMASIM_OP_UNPIN:
	case CMASIM_OP_DMA_FREE:
		ok = get_id(t, f, K_ID, depth, p, error);
		break;
	case CMASIM_OP_DMA_ALLOC:
		ok = compile_dma_alloc(t, f, depth, p, error);
		break;
	case CMASIM_OP_DMA:
		ok = compile_dma(t, f, depth, p, error);
		break;
	case CMASIM_OP_CPU:
		ok = compile_cpu(t, f, depth, p, error);
		break;
	case CMASIM_OP_COMPACT:
		p->rec.a = p->rec.b = CMASIM_REC_ANY;
		ok = (!(f->present & B(K_ZONE)) || get_zone(t, f, K_ZONE, &p->rec.a, error)) &&
		     (!(f->present & B(K_ORDER)) || get_order(t, f, K_ORDER, &p->rec.b, error));
		break;
	case OP_CHURN:
		ok = compile_churn(t, f, time, error);
		break;
	case OP_REPEAT:
		ok = compile_repeat(t, f, time, error);
		break;
	case OP_STREAM:
		ok = compile_stream(t, f, time, error);
		break;
	default:
		ok = true;
		break;
	}
	if (ok && op < CMASIM_NR_OPS)
		ok = check_record(t, f, &p->rec, error);
out:
	fields_release(f);
	return ok;
}

/* Reads a repeat's block (its SEQUENCE_START read) into t->block, times relative. */
static bool read_block(struct cmasim_trace *t, GError **error)
{
	uint64_t last = 0;
	yaml_event_t ev;
	struct pos p;
	int op;

	cmasim__protos_free(t->block, t->nr_block);
	t->block = NULL;
	t->nr_block = t->block_cap = 0;
	for (;;) {
		if (!next_event(t, &ev, error))
			return false;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return true;
		}
		if (ev.type != YAML_MAPPING_START_EVENT) {
			trace_error(t, error, CMASIM_ERROR_TYPE, pos_of(ev.start_mark),
				    "expected a mapping for an event, got %s", kind_name(&ev));
			yaml_event_delete(&ev);
			return false;
		}
		if (t->nr_block == t->block_cap) {
			t->block_cap = t->block_cap ? t->block_cap * 2 : 8;
			t->block = g_renew(struct proto, t->block, t->block_cap);
		}
		p = pos_of(ev.start_mark);
		yaml_event_delete(&ev);
		if (!compile_event(t, 1, p, &last, &t->block[t->nr_block], &op, error)) {
			g_free(t->block[t->nr_block].id);
			return false;
		}
		t->nr_block++;
	}
}

/* Reads a churn's orders (@k K_ORDERS) or migratetypes mapping into t->scratch_w. */
static bool read_weights(struct cmasim_trace *t, int k, struct pos at, GError **error)
{
	struct weights *w = &t->scratch_w[k == K_ORDERS ? 0 : 1];
	struct pos seen[CMASIM_ORDER_LIMIT + 1];
	uint64_t sum = 0, v;
	yaml_event_t key, val;
	const char *s;
	size_t len;
	int i;

	memset(w, 0, sizeof(*w));
	for (;;) {
		if (!next_event(t, &key, error))
			return false;
		if (key.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&key);
			break;
		}
		if (key.type != YAML_SCALAR_EVENT) {
			trace_error(t, error, CMASIM_ERROR_TYPE, pos_of(key.start_mark),
				    "expected a key, got %s", kind_name(&key));
			yaml_event_delete(&key);
			return false;
		}
		s = stext(&key, &len);
		if (k == K_ORDERS && is_str_tagged(&key)) {
			not_text_error(t, &key, "an order", error);
			yaml_event_delete(&key);
			return false;
		}
		if (k == K_ORDERS) {
			i = cmasim_parse_uint(s, len, &v) && v <= t->cfg->max_page_order ? (int)v : -1;
			if (i < 0)
				trace_error(t, error, CMASIM_ERROR_VALUE, pos_of(key.start_mark),
					    "order \"%.*s\" is out of range (expected 0..%u)",
					    (int)len, s, t->cfg->max_page_order);
		} else {
			i = lookup_name(cmasim__mt_names, CMASIM_NR_ALLOC_TYPES, s, len);
			if (i < 0)
				trace_error(t, error, CMASIM_ERROR_VALUE, pos_of(key.start_mark),
					    "unknown migratetype \"%.*s\" (expected one of: "
					    "unmovable, movable, reclaimable)", (int)len, s);
		}
		for (unsigned int j = 0; i >= 0 && j < w->nr; j++) {
			if (w->value[j] != i)
				continue;
			trace_error(t, error, CMASIM_ERROR_KEY, pos_of(key.start_mark),
				    "duplicate key \"%.*s\" (first given at %" PRIu32 ":%"
				    PRIu32 ")", (int)len, s, seen[j].line, seen[j].col);
			i = -1;
		}
		if (i < 0) {
			yaml_event_delete(&key);
			return false;
		}
		seen[w->nr] = pos_of(key.start_mark);
		yaml_event_delete(&key);
		if (!next_event(t, &val, error))
			return false;
		if (val.type != YAML_SCALAR_EVENT) {
			type_error(t, &val, "a scalar", key_names[k], error);
			yaml_event_delete(&val);
			return false;
		}
		s = stext(&val, &len);
		if (is_str_tagged(&val)) {
			not_text_error(t, &val, "a weight", error);
			yaml_event_delete(&val);
			return false;
		}
		if (!cmasim_parse_uint(s, len, &v) || v > UINT32_MAX) {
			trace_error(t, error, CMASIM_ERROR_VALUE, pos_of(val.start_mark),
				    "expected a weight such as 10, got \"%.*s\"", (int)len, s);
			yaml_event_delete(&val);
			return false;
		}
		yaml_event_delete(&val);
		sum += v;
		w->value[w->nr] = (uint8_t)i;
		w->cum[w->nr++] = sum;
	}
	if (!sum) {
		trace_error(t, error, CMASIM_ERROR_VALUE, at,
			    "%s weights sum to 0 (expected a positive weight)", key_names[k]);
		return false;
	}
	return true;
}

/* Header */

/* Reads the trace's scalar header value for key @hk, at @p. */
static bool read_header_scalar(struct cmasim_trace *t, int hk, GError **error)
{
	yaml_event_t ev;
	const char *s;
	size_t len;

	if (!next_event(t, &ev, error))
		return false;
	if (ev.type != YAML_SCALAR_EVENT) {
		type_error(t, &ev, "a scalar", hkey_names[hk], error);
		yaml_event_delete(&ev);
		return false;
	}
	s = stext(&ev, &len);
	/* a NUL would cut the name short in every report */
	if (hk != H_SEED && memchr(s, '\0', len)) {
		trace_error(t, error, CMASIM_ERROR_VALUE, pos_of(ev.start_mark),
			    "expected text without NUL characters for \"%s\"", hkey_names[hk]);
		yaml_event_delete(&ev);
		return false;
	}
	if (hk == H_SEED && is_str_tagged(&ev)) {
		not_text_error(t, &ev, "\"seed\"", error);
		yaml_event_delete(&ev);
		return false;
	}
	switch (hk) {
	case H_NAME:
		g_free(t->info.name);
		t->info.name = g_strndup(s, len);
		break;
	case H_DESCRIPTION:
		t->info.description = g_strndup(s, len);
		break;
	case H_MACHINE:
		t->info.machine = g_strndup(s, len);
		break;
	case H_SEED:
		if (!cmasim_parse_uint(s, len, &t->info.seed)) {
			trace_error(t, error, CMASIM_ERROR_VALUE, pos_of(ev.start_mark),
				    "expected an unsigned integer for \"seed\", got \"%.*s\"",
				    (int)len, s);
			yaml_event_delete(&ev);
			return false;
		}
		break;
	}
	yaml_event_delete(&ev);
	return true;
}

/* Reads the header's devices sequence. */
static bool read_header_devices(struct cmasim_trace *t, GError **error)
{
	GPtrArray *names = g_ptr_array_new();
	GArray *where = g_array_new(FALSE, FALSE, sizeof(struct pos));
	yaml_event_t ev;
	bool ok = false;

	if (!next_event(t, &ev, error))
		goto out;
	if (ev.type != YAML_SEQUENCE_START_EVENT) {
		type_error(t, &ev, "a sequence", "devices", error);
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev);
	for (;;) {
		size_t len;
		const char *s;
		struct pos p;

		if (!next_event(t, &ev, error))
			goto out;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		p = pos_of(ev.start_mark);
		if (ev.type != YAML_SCALAR_EVENT) {
			trace_error(t, error, CMASIM_ERROR_TYPE, p,
				    "expected a device name, got %s", kind_name(&ev));
			yaml_event_delete(&ev);
			goto out;
		}
		s = stext(&ev, &len);
		if (memchr(s, '\0', len)) {
			trace_error(t, error, CMASIM_ERROR_VALUE, p,
				    "expected a device name without NUL characters");
			yaml_event_delete(&ev);
			goto out;
		}
		for (unsigned int i = 0; i < names->len; i++) {
			const struct pos *first = &g_array_index(where, struct pos, i);

			if (strlen(names->pdata[i]) != len || memcmp(names->pdata[i], s, len))
				continue;
			trace_error(t, error, CMASIM_ERROR_VALUE, p,
				    "device \"%.*s\" listed twice (first at %" PRIu32 ":%"
				    PRIu32 ")", (int)len, s, first->line, first->col);
			yaml_event_delete(&ev);
			goto out;
		}
		g_ptr_array_add(names, g_strndup(s, len));
		g_array_append_val(where, p);
		yaml_event_delete(&ev);
	}
	t->info.nr_devices = names->len;
	g_ptr_array_add(names, NULL);
	g_strfreev(t->info.devices);
	t->info.devices = (char **)g_ptr_array_free(names, FALSE);
	names = NULL;
	g_free(t->dev_pos);
	t->dev_pos = (struct pos *)(void *)g_array_free(where, FALSE);
	where = NULL;
	ok = true;
out:
	if (names) {
		g_ptr_array_set_free_func(names, g_free);
		g_ptr_array_free(names, TRUE);
	}
	if (where)
		g_array_free(where, TRUE);
	return ok;
}

/* Reads the document up to the start of the events sequence. */
static bool read_header(struct cmasim_trace *t, GError **error)
{
	struct pos seen[NR_HKEYS] = { { 0, 0 } }, top;
	yaml_event_t ev;

	for (;;) {
		if (!next_event(t, &ev, error))
			return false;
		if (ev.type != YAML_STREAM_START_EVENT && ev.type != YAML_DOCUMENT_START_EVENT)
			break;
		yaml_event_delete(&ev);
	}
	if (ev.type != YAML_MAPPING_START_EVENT) {
		struct pos p = ev.type == YAML_STREAM_END_EVENT ? (struct pos){ 1, 1 } :
			       pos_of(ev.start_mark);

		trace_error(t, error, CMASIM_ERROR_TYPE, p,
			    "expected a mapping at the top of the trace, got %s", kind_name(&ev));
		yaml_event_delete(&ev);
		return false;
	}
	top = pos_of(ev.start_mark);
	yaml_event_delete(&ev);
	for (;;) {
		const char *s;
		size_t len;
		struct pos p;
		int hk;

		if (!next_event(t, &ev, error))
			return false;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			trace_error(t, error, CMASIM_ERROR_KEY, top, "the trace has no \"events\"");
			return false;
		}
		p = pos_of(ev.start_mark);
		if (ev.type != YAML_SCALAR_EVENT) {
			trace_error(t, error, CMASIM_ERROR_TYPE, p, "expected a key, got %s",
				    kind_name(&ev));
			yaml_event_delete(&ev);
			return false;
		}
		s = stext(&ev, &len);
		hk = lookup_name(hkey_names, NR_HKEYS, s, len);
		if (hk < 0) {
			trace_error(t, error, CMASIM_ERROR_KEY, p,
				    "unknown key \"%.*s\" in the trace header (expected one of: "
				    HEADER_KEYS ")", (int)len, s);
			yaml_event_delete(&ev);
			return false;
		}
		yaml_event_delete(&ev);
		if (seen[hk].line) {
			trace_error(t, error, CMASIM_ERROR_KEY, p,
				    "duplicate key \"%s\" (first given at %" PRIu32 ":%" PRIu32 ")",
				    hkey_names[hk], seen[hk].line, seen[hk].col);
			return false;
		}
		seen[hk] = p;
		if (hk == H_DEVICES) {
			if (!read_header_devices(t, error))
				return false;
		} else if (hk != H_EVENTS) {
			if (!read_header_scalar(t, hk, error))
				return false;
		} else {
			if (!next_event(t, &ev, error))
				return false;
			if (ev.type != YAML_SEQUENCE_START_EVENT) {
				type_error(t, &ev, "a sequence", "events", error);
				yaml_event_delete(&ev);
				return false;
			}
			yaml_event_delete(&ev);
			return true;
		}
	}
}

/* Reads what follows the events sequence: the end of the header mapping and the stream. */
static bool read_trailer(struct cmasim_trace *t, GError **error)
{
	yaml_event_t ev;

	if (!next_event(t, &ev, error))
		return false;
	if (ev.type == YAML_SCALAR_EVENT) {
		size_t len;
		const char *s = stext(&ev, &len);
		int hk = lookup_name(hkey_names, NR_HKEYS, s, len);

		if (hk == H_EVENTS)
			trace_error(t, error, CMASIM_ERROR_KEY, pos_of(ev.start_mark),
				    "duplicate key \"events\" (expected one events sequence)");
		else if (hk >= 0)
			trace_error(t, error, CMASIM_ERROR_KEY, pos_of(ev.start_mark),
				    "header key \"%.*s\" after \"events\" "
				    "(events must be the last key)", (int)len, s);
		else
			trace_error(t, error, CMASIM_ERROR_KEY, pos_of(ev.start_mark),
				    "unknown key \"%.*s\" in the trace header (expected one of: "
				    HEADER_KEYS ")", (int)len, s);
		yaml_event_delete(&ev);
		return false;
	}
	yaml_event_delete(&ev);		/* MAPPING_END: the parser checks the nesting */
	if (!next_event(t, &ev, error))
		return false;
	yaml_event_delete(&ev);		/* DOCUMENT_END */
	if (!next_event(t, &ev, error))
		return false;
	if (ev.type != YAML_STREAM_END_EVENT) {
		trace_error(t, error, CMASIM_ERROR_TYPE, pos_of(ev.start_mark),
			    "a second document after the trace (expected one document)");
		yaml_event_delete(&ev);
		return false;
	}
	yaml_event_delete(&ev);
	return true;
}

bool cmasim__yaml_next(struct cmasim_trace *t, GError **error)
{
	yaml_event_t ev;
	struct pos p;
	int op;

	if (!next_event(t, &ev, error))
		return false;
	if (ev.type == YAML_SEQUENCE_END_EVENT) {
		yaml_event_delete(&ev);
		t->done = true;
		return read_trailer(t, error);
	}
	p = pos_of(ev.start_mark);
	if (ev.type != YAML_MAPPING_START_EVENT) {
		trace_error(t, error, CMASIM_ERROR_TYPE, p,
			    "expected a mapping for an event, got %s", kind_name(&ev));
		yaml_event_delete(&ev);
		return false;
	}
	yaml_event_delete(&ev);
	if (!compile_event(t, 0, p, &t->last_time, &t->ahead, &op, error))
		return false;
	t->have_ahead = op < CMASIM_NR_OPS;
	return true;
}

bool cmasim__yaml_open(struct cmasim_trace *t, GError **error)
{
	t->info.name = conf_default_name(t->info.source);
	if (!yaml_parser_initialize(&t->parser)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: out of memory",
			    t->info.source);
		return false;
	}
	t->parser_ready = true;
	if (t->fp) {
		yaml_parser_set_input(&t->parser, yaml_read, t);
	} else {
		/* From memory libyaml reads the whole buffer, peeked bytes included. */
		t->peek_pos = t->peek_len;
		yaml_parser_set_input_string(&t->parser, (const unsigned char *)t->data,
					     t->data_len);
	}
	return read_header(t, error);
}

bool cmasim__yaml_start(struct cmasim_trace *t, GError **error)
{
	for (unsigned int i = 0; i < t->info.nr_devices; i++) {
		const char *name = t->info.devices[i];

		if (cmasim_config_resolve_device(t->cfg, name, strlen(name)) < 0) {
			no_device_error(t, t->dev_pos[i], name, strlen(name), error);
			return false;
		}
	}
	return true;
}

void cmasim__yaml_close(struct cmasim_trace *t)
{
	for (int i = 0; i < 2; i++)
		fields_release(&t->fr[i]);
	if (t->parser_ready)
		yaml_parser_delete(&t->parser);
	g_free(t->dev_pos);
}

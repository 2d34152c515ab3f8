// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rules a compiled record meets whichever reader made it: the YAML
 * reader checks its events with them (and points at the key a rule is
 * about), the binary reader every record it reads (and names the record).
 * What only one syntax can get wrong stays with its reader: a number that
 * does not parse, a key missing, a slot in the wrong state.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "cmasim/migrate.h"
#include "confyaml.h"
#include "trace_private.h"

/* Flag bits each op may carry in field c; cpu's c is its pattern, checked apart. */
static const uint8_t op_flags[CMASIM_NR_OPS] = {
	[CMASIM_OP_ALLOC] = CMASIM_REC_PIN | CMASIM_REC_AT_PFN | CMASIM_REC_OWNER_MASK |
			    CMASIM_REC_NO_ID,
	[CMASIM_OP_FREE] = CMASIM_REC_AT_PFN,
	[CMASIM_OP_PIN] = CMASIM_REC_SHORTTERM,
	[CMASIM_OP_DMA_ALLOC] = CMASIM_REC_ATOMIC,
};

/* The migratetype an allocation holding pages of each owner must ask for (dma: none). */
static const int8_t owner_mt[CMASIM_NR_OWNERS] = {
	[CMASIM_OWNER_ANON] = CMASIM_MT_MOVABLE,
	[CMASIM_OWNER_FILE] = CMASIM_MT_MOVABLE,
	[CMASIM_OWNER_SLAB] = CMASIM_MT_RECLAIMABLE,
	[CMASIM_OWNER_KERNEL] = CMASIM_MT_UNMOVABLE,
	[CMASIM_OWNER_PAGETABLE] = CMASIM_MT_UNMOVABLE,
	[CMASIM_OWNER_DMA] = -1,
};

/* Sets the problem (unless @what is NULL) and its key; always false. */
G_GNUC_PRINTF(4, 5)
static bool bad(GString *what, int *key, int k, const char *fmt, ...)
{
	va_list ap;

	*key = k;
	if (!what)
		return false;
	va_start(ap, fmt);
	g_string_vprintf(what, fmt, ap);
	va_end(ap);
	return false;
}

/* An order or alignment of @key: @v at most the machine's largest, or ANY if @any_ok. */
static bool check_order(const struct cmasim_config *cfg, unsigned int v, bool any_ok,
			GString *what, int *key, int k)
{
	if (v <= cfg->max_page_order || (any_ok && v == CMASIM_REC_ANY))
		return true;
	return bad(what, key, k, "%s %u is out of range (expected 0..%u)", cmasim__key_names[k],
		   v, cfg->max_page_order);
}

/* A device index into the machine's devices. */
static bool check_device(const struct cmasim_config *cfg, unsigned int v, GString *what, int *key)
{
	if (v < cfg->nr_devices)
		return true;
	return bad(what, key, K_DEVICE, "device %u is not one of machine \"%s\"'s %u", v,
		   cfg->name ? cfg->name : "", cfg->nr_devices);
}

/* Bytes a dma or cpu event moves: no machine moves more than its memory at once. */
static bool check_bytes(const struct cmasim_config *cfg, uint64_t v, GString *what, int *key)
{
	g_autofree char *mem = NULL;

	if (v <= cfg->mem_size)
		return true;
	if (what)
		mem = conf_format_size(cfg->mem_size);
	return bad(what, key, K_BYTES, "bytes %" PRIu64 " is more than the machine's memory "
		   "(expected at most %s)", v, mem);
}

/* A block of order @order at @pfn: aligned, in RAM. */
static bool check_pfn(const struct cmasim_config *cfg, uint64_t pfn, unsigned int order,
		      GString *what, int *key)
{
	uint64_t first = cfg->mem_base >> cfg->page_shift;
	uint64_t end = (cfg->mem_base + cfg->mem_size) >> cfg->page_shift;
	uint64_t pages = UINT64_C(1) << MIN(order, 63);

	if (pfn & (pages - 1))
		return bad(what, key, K_PFN, "pfn 0x%" PRIx64 " is not aligned to order %u "
			   "(expected a multiple of %" PRIu64 ")", pfn, order, pages);
	if (pfn < first || pfn >= end || end - pfn < pages)
		return bad(what, key, K_PFN, "pfn 0x%" PRIx64 " is outside RAM (expected 0x%" PRIx64
			   "..0x%" PRIx64 ")", pfn, first, end - pages);
	return true;
}

/* An alloc's migratetype, order, count, owner and pfn. */
static bool check_alloc(const struct cmasim_config *cfg, const struct cmasim_record *r,
			GString *what, int *key)
{
	unsigned int owner = (r->c & CMASIM_REC_OWNER_MASK) >> CMASIM_REC_OWNER_SHIFT;

	if (r->a >= CMASIM_NR_ALLOC_TYPES)
		return bad(what, key, K_MIGRATETYPE, "migratetype %u is out of range (expected 0..%u)",
			   r->a, CMASIM_NR_ALLOC_TYPES - 1);
	if (!check_order(cfg, r->b, false, what, key, K_ORDER))
		return false;
	if (!r->y)
		return bad(what, key, K_COUNT, "count 0 is out of range (expected 1..%" PRIu32 ")",
			   UINT32_MAX);
	/* owner 0 is "the migratetype's usual one"; a dma buffer is no alloc's */
	if (owner > CMASIM_OWNER_PAGETABLE + 1)
		return bad(what, key, K_OWNER, "owner %u is out of range (expected 0..%u)", owner,
			   CMASIM_OWNER_PAGETABLE + 1);
	if (owner && owner_mt[owner - 1] != r->a)
		return bad(what, key, K_OWNER, "owner %s with migratetype %s (expected migratetype "
			   "%s)", cmasim_owner_name(owner - 1), cmasim__mt_names[r->a],
			   cmasim__mt_names[owner_mt[owner - 1]]);
	if ((r->c & CMASIM_REC_NO_ID) && !(r->c & CMASIM_REC_AT_PFN))
		return bad(what, key, K_ID, "an alloc without an id and without a pfn (expected one "
			   "of them)");
	if ((r->c & CMASIM_REC_NO_ID) && (r->c & CMASIM_REC_PIN))
		return bad(what, key, K_PIN, "pin: true on an alloc without an id (expected an id "
			   "to unpin it by)");
	if (!(r->c & CMASIM_REC_AT_PFN))
		return true;
	if (r->y != 1)
		return bad(what, key, K_COUNT, "count %" PRIu32 " with a pfn (expected count 1)",
			   r->y);
	return check_pfn(cfg, r->x, r->b, what, key);
}

/* A cpu event's target, access, pattern, stride and bytes. */
static bool check_cpu(const struct cmasim_config *cfg, const struct cmasim_record *r,
		      GString *what, int *key)
{
	bool stride = r->c == CMASIM_PATTERN_STRIDE;

	if (r->a > CMASIM_CPU_CMA)
		return bad(what, key, K_REGION, "cpu target %u is out of range (expected 0..%u)",
			   r->a, CMASIM_CPU_CMA);
	if (r->b > 1)
		return bad(what, key, K_ACCESS, "access %u is out of range (expected 0 or 1)", r->b);
	if (r->c > CMASIM_PATTERN_STRIDE)
		return bad(what, key, K_PATTERN, "pattern %u is out of range (expected 0..%u)", r->c,
			   CMASIM_PATTERN_STRIDE);
	if (stride != (r->y != 0))
		return bad(what, key, K_STRIDE, "stride %" PRIu32 " with pattern %s (expected %s)",
			   r->y, cmasim__pattern_names[r->c],
			   stride ? "a stride greater than 0" : "no stride");
	if (r->a != CMASIM_CPU_BUFFER && r->id)
		return bad(what, key, K_REGION, "a region access with buffer slot%" PRIu32
			   " (expected none)", r->id);
	return check_bytes(cfg, r->x, what, key);
}

bool cmasim__record_check(const struct cmasim_config *cfg, const struct cmasim_record *r,
			  GString *what, int *key)
{
	/* fields an op leaves unused are zero, so a damaged record cannot hide in them */
	bool uses_x = false, uses_y = false, uses_id = true;

	if (r->op >= CMASIM_NR_OPS)
		return bad(what, key, K_OP, "op %u is out of range (expected 0..%u)", r->op,
			   CMASIM_NR_OPS - 1);
	if (r->op != CMASIM_OP_CPU && (r->c & ~op_flags[r->op]))
		return bad(what, key, K_OP, "unknown flags 0x%02x for %s (expected bits of 0x%02x "
			   "only)", r->c & ~op_flags[r->op], cmasim_op_name(r->op), op_flags[r->op]);
	/* a free by pfn: the block's order and pfn, no id */
	if (r->op == CMASIM_OP_FREE && (r->c & CMASIM_REC_AT_PFN)) {
		if (r->a)
			return bad(what, key, K_OP, "field a of a free by pfn is %u (expected 0)",
				   r->a);
		if (!check_order(cfg, r->b, false, what, key, K_ORDER) ||
		    !check_pfn(cfg, r->x, r->b, what, key))
			return false;
		uses_x = true;
		uses_id = false;
	}
	switch ((enum cmasim_op)r->op) {
	case CMASIM_OP_ALLOC:
		if (!check_alloc(cfg, r, what, key))
			return false;
		uses_x = uses_y = true;
		uses_id = !(r->c & CMASIM_REC_NO_ID);
		break;
	case CMASIM_OP_DMA_ALLOC:
		if (!check_device(cfg, r->a, what, key) ||
		    !check_order(cfg, r->b, true, what, key, K_ALIGN))
			return false;
		if (!r->x)
			return bad(what, key, K_SIZE, "size is 0 (expected a size greater than 0)");
		uses_x = true;
		break;
	case CMASIM_OP_DMA:
		if (!check_device(cfg, r->a, what, key))
			return false;
		if (r->b > CMASIM_DMA_BIDIRECTIONAL)
			return bad(what, key, K_DIRECTION, "direction %u is out of range (expected "
				   "0..%u)", r->b, CMASIM_DMA_BIDIRECTIONAL);
		if (!check_bytes(cfg, r->x, what, key))
			return false;
		uses_x = true;
		break;
	case CMASIM_OP_CPU:
		if (!check_cpu(cfg, r, what, key))
			return false;
		uses_x = uses_y = true;
		break;
	case CMASIM_OP_COMPACT:
		if (r->a != CMASIM_REC_ANY && r->a >= cfg->nr_zones)
			return bad(what, key, K_ZONE, "zone %u is not one of machine \"%s\"'s %u",
				   r->a, cfg->name ? cfg->name : "", cfg->nr_zones);
		if (!check_order(cfg, r->b, true, what, key, K_ORDER))
			return false;
		uses_id = false;
		break;
	case CMASIM_OP_DROP_CACHES:
	case CMASIM_OP_SAMPLE:
	case CMASIM_OP_FREE:
	case CMASIM_OP_PIN:
	case CMASIM_OP_UNPIN:
	case CMASIM_OP_DMA_FREE:
		if (!uses_x && (r->a || r->b))
			return bad(what, key, K_OP, "fields a and b of %s are %u and %u (expected 0)",
				   cmasim_op_name(r->op), r->a, r->b);
		if (r->op == CMASIM_OP_DROP_CACHES || r->op == CMASIM_OP_SAMPLE)
			uses_id = false;
		break;
	case CMASIM_NR_OPS:
		break;
	}
	if (r->dev && (r->op == CMASIM_OP_ALLOC || r->op == CMASIM_OP_PIN) &&
	    !check_device(cfg, r->dev - 1, what, key))
		return false;
	if ((!uses_x && r->x) || (!uses_y && r->y) || (!uses_id && r->id) ||
	    (r->dev && r->op != CMASIM_OP_ALLOC && r->op != CMASIM_OP_PIN))
		return bad(what, key, K_OP, "%s carries a value in a field it does not use "
			   "(expected 0)", cmasim_op_name(r->op));
	return true;
}

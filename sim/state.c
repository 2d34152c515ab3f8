// SPDX-License-Identifier: GPL-2.0-only
/*
 * Initial states (state.h): loading one into a booted machine, reclaiming
 * its page cache, and the blocks a trace knows by their pfn only.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/state.h"
#include "cmasim/units.h"
#include "mm.h"
#include "textscan.h"

/* Past this a state file is refused rather than read: a real machine's takes a few MiB. */
#define MAX_STATE_BYTES (UINT64_C(1) << 30)

/* A page-cache block's place on the LRUs, in its frame's index: with this bit, the active's. */
#define LRU_ACTIVE 0x80000000u

struct cmasim_state {
	GArray *lru[2];		/* uint64_t pfns of page-cache blocks: inactive, active */
	guint next[2];		/* the next entry reclaim looks at */
	uint64_t pages;		/* the blocks' pages when it loaded */
};

/* A state file being read: where, into what, and the order its lines must keep. */
struct line_reader {
	struct textscan ts;
	struct cmasim_mem *mem;
	struct cmasim_state *st;
	bool allocs;		/* an alloc line was read: pageblock lines come before */
	uint64_t next_block;	/* pageblock lines ascend: the first pageblock index not yet typed */
	uint64_t next_pfn;	/* alloc lines ascend: the first pfn no block has reached */
};

/* The next word as a hex pfn (@hex) or a decimal; false with an error naming @what. */
static bool get_number(struct line_reader *r, const char *what, bool hex, uint64_t *v,
		       const char **at, GError **error)
{
	struct word w;

	if (!textscan_word(&r->ts, &w))
		return textscan_fail(&r->ts, error, r->ts.cur, "%s is missing", what);
	*at = w.s;
	if (hex ? !cmasim_parse_hex(w.s, w.len, v) : !word_uint(&w, v))
		return textscan_fail(&r->ts, error, w.s, "%s \"%.*s\" is not a %s number", what,
				     (int)w.len, w.s, hex ? "hex" : "decimal");
	return true;
}

/* Whether pfn range [@pfn, +@pages) is inside the machine's frames. */
static bool in_frames(const struct cmasim_mem *mem, uint64_t pfn, uint64_t pages)
{
	return pfn >= mem->base_pfn && pfn - mem->base_pfn <= mem->nr_frames &&
	       pages <= mem->nr_frames - (pfn - mem->base_pfn);
}

/* "frames PFN COUNT": the state is of this machine's RAM. */
static bool read_frames(struct line_reader *r, GError **error)
{
	uint64_t pfn, count;
	const char *at;

	if (!get_number(r, "the first pfn", true, &pfn, &at, error) ||
	    !get_number(r, "the frames", false, &count, &at, error))
		return false;
	if (pfn != r->mem->base_pfn || count != r->mem->nr_frames)
		return textscan_fail(&r->ts, error, r->ts.line, "frames %#" PRIx64 " %" PRIu64 " (expected "
				     "the machine's, %#" PRIx64 " %" PRIu32 ": a state of another "
				     "machine)", pfn, count, r->mem->base_pfn, r->mem->nr_frames);
	return true;
}

/* "pageblock PFN COUNT TYPE" */
static bool read_pageblock(struct line_reader *r, GError **error)
{
	struct cmasim_mem *mem = r->mem;
	uint64_t pfn, count, block;
	const char *at, *count_at;
	struct word w;
	enum cmasim_migratetype mt;

	if (r->allocs)
		return textscan_fail(&r->ts, error, r->ts.line, "a pageblock line after an alloc line "
				     "(expected the pageblocks' types first)");
	if (!get_number(r, "the pfn", true, &pfn, &at, error) ||
	    !get_number(r, "the pageblocks", false, &count, &count_at, error))
		return false;
	if (!textscan_word(&r->ts, &w))
		w = (struct word){ r->ts.cur, 0 };
	if (!word_is(&w, "unmovable") && !word_is(&w, "reclaimable"))
		return textscan_fail(&r->ts, error, w.s, "expected a type, unmovable or reclaimable");
	mt = word_is(&w, "unmovable") ? CMASIM_MT_UNMOVABLE : CMASIM_MT_RECLAIMABLE;
	if ((pfn & (pageblock_nr_pages(mem) - 1)) || !count || count >> 32 ||
	    !in_frames(mem, pfn, count << mem->pb_order))
		return textscan_fail(&r->ts, error, at, "pageblocks %#" PRIx64 " + %" PRIu64 " are not "
				     "whole pageblocks of the machine's RAM", pfn, count);
	block = (pfn - mem->base_pfn) >> mem->pb_order;
	if (block < r->next_block)
		return textscan_fail(&r->ts, error, at, "pageblock %#" PRIx64 " is not after the "
				     "previous line's (expected ascending pfns)", pfn);
	for (uint64_t b = block; b < block + count; b++) {
		uint32_t idx = (uint32_t)(b << mem->pb_order);

		if (pageblock_absent(mem, idx))
			return textscan_fail(&r->ts, error, at, "pageblock %#" PRIx64 " lies in a "
					     "hole", mem->base_pfn + idx);
		cmasim_set_pageblock_migratetype(mem, mem->base_pfn + idx, mt);
		cmasim_move_freepages_block(mem, mem->base_pfn + idx, mt, NULL);
		/* moving split a larger free block at the pageblock's edge: let it merge again */
		buddy_merge_block(mem, idx);
	}
	r->next_block = block + count;
	return true;
}

/* The owner and the migratetype asked for of a block of @kind at @pfn. */
static bool kind_of(const struct word *w, const struct cmasim_mem *mem, uint64_t pfn,
		    enum cmasim_owner *owner, enum cmasim_migratetype *mt, bool *active)
{
	static const struct {
		const char *name;
		enum cmasim_owner owner;
		enum cmasim_migratetype mt;
	} kinds[] = {
		{ "anon", CMASIM_OWNER_ANON, CMASIM_MT_MOVABLE },
		{ "file", CMASIM_OWNER_FILE, CMASIM_MT_MOVABLE },
		{ "file-active", CMASIM_OWNER_FILE, CMASIM_MT_MOVABLE },
		{ "slab", CMASIM_OWNER_SLAB, CMASIM_MT_UNMOVABLE },
		{ "pagetable", CMASIM_OWNER_PAGETABLE, CMASIM_MT_UNMOVABLE },
		{ "kernel", CMASIM_OWNER_KERNEL, CMASIM_MT_UNMOVABLE },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
		if (!word_is(w, kinds[i].name))
			continue;
		*owner = kinds[i].owner;
		*mt = kinds[i].mt;
		/* slab in a reclaimable pageblock is reclaimable slab (SLAB_RECLAIM_ACCOUNT) */
		if (*owner == CMASIM_OWNER_SLAB &&
		    cmasim_get_pageblock_migratetype(mem, pfn) == CMASIM_MT_RECLAIMABLE)
			*mt = CMASIM_MT_RECLAIMABLE;
		*active = i == 2;
		return true;
	}
	return false;
}

/* "alloc PFN ORDER COUNT KIND" */
static bool read_alloc(struct line_reader *r, GError **error)
{
	struct cmasim_mem *mem = r->mem;
	uint64_t pfn, order, count;
	const char *at, *order_at, *count_at;
	enum cmasim_owner owner;
	enum cmasim_migratetype mt;
	struct word w;
	bool active;

	r->allocs = true;
	if (!get_number(r, "the pfn", true, &pfn, &at, error) ||
	    !get_number(r, "the order", false, &order, &order_at, error) ||
	    !get_number(r, "the blocks", false, &count, &count_at, error))
		return false;
	if (order > mem->max_order)
		return textscan_fail(&r->ts, error, order_at, "order %" PRIu64 " (expected at most "
				     "the machine's %u)", order, mem->max_order);
	if (!count || count >> 32 || !in_frames(mem, pfn, count << order))
		return textscan_fail(&r->ts, error, count_at, "%" PRIu64 " blocks of order %" PRIu64
				     " at %#" PRIx64 " are not inside the machine's RAM", count, order,
				     pfn);
	if (pfn < r->next_pfn)
		return textscan_fail(&r->ts, error, at, "pfn %#" PRIx64 " is not past the previous "
				     "line's blocks (expected ascending pfns)", pfn);
	if (!textscan_word(&r->ts, &w))
		w = (struct word){ r->ts.cur, 0 };
	if (!kind_of(&w, mem, pfn, &owner, &mt, &active))
		return textscan_fail(&r->ts, error, w.s, "expected a kind: anon, file, file-active, "
				     "slab, pagetable or kernel");
	for (uint64_t i = 0; i < count; i++) {
		uint64_t p = pfn + (i << order);
		int ret = cmasim_alloc_pages_at(mem, p, (unsigned int)order, mt);
		GArray *lru = r->st->lru[active];

		if (ret)
			return textscan_fail(&r->ts, error, at, "the block of order %" PRIu64 " at %#"
					     PRIx64 " %s", order, p, ret == -EBUSY ?
					     "holds a hole or a reserved page (expected free RAM)" :
					     "is not aligned to its order, or not in one zone");
		r->st->pages += UINT64_C(1) << order;
		if (owner == CMASIM_OWNER_FILE) {
			cmasim_set_owner(mem, p, owner, CMASIM_COOKIE_PFN,
					 lru->len | (active ? LRU_ACTIVE : 0));
			g_array_append_val(lru, p);
		} else {
			cmasim_set_owner(mem, p, owner, CMASIM_COOKIE_PFN, NIL);
		}
	}
	r->next_pfn = pfn + (count << order);
	return true;
}

static bool read_lines(struct line_reader *r, GError **error)
{
	struct word w;
	bool header = false, frames = false;

	while (textscan_next(&r->ts)) {
		if (!textscan_word(&r->ts, &w) || w.s[0] == '#')
			continue;
		if (!header) {
			struct word v;

			if (!word_is(&w, "cmasim-state") || !textscan_word(&r->ts, &v) ||
			    !word_is(&v, "1"))
				return textscan_fail(&r->ts, error, w.s, "expected \"cmasim-state 1\" "
						     "first");
			header = true;
		} else if (word_is(&w, "frames") && !frames) {
			if (!read_frames(r, error))
				return false;
			frames = true;
		} else if (!frames) {
			return textscan_fail(&r->ts, error, w.s, "expected a frames line second");
		} else if (word_is(&w, "pageblock")) {
			if (!read_pageblock(r, error))
				return false;
		} else if (word_is(&w, "alloc")) {
			if (!read_alloc(r, error))
				return false;
		} else {
			return textscan_fail(&r->ts, error, w.s, "unknown record \"%.*s\" (expected "
					     "pageblock or alloc)", (int)w.len, w.s);
		}
		if (textscan_word(&r->ts, &w))
			return textscan_fail(&r->ts, error, w.s, "more than the record takes");
	}
	if (!frames)
		return textscan_fail(&r->ts, error, NULL, "expected \"cmasim-state 1\" and a frames "
				     "line");
	return true;
}

struct cmasim_state *cmasim_state_load_data(struct cmasim_mem *mem, const char *source,
					    GBytes *bytes, GError **error)
{
	g_return_val_if_fail(mem && source && bytes, NULL);
	g_autoptr(GBytes) text = text_inflate(bytes, source, MAX_STATE_BYTES, error);
	struct cmasim_state *st;
	struct line_reader r = { .mem = mem };
	gsize len;
	const char *data;

	if (!text)
		return NULL;
	st = g_new0(struct cmasim_state, 1);
	st->lru[0] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	st->lru[1] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	r.st = st;
	data = g_bytes_get_data(text, &len);
	textscan_init(&r.ts, source, data, len);
	if (read_lines(&r, error))
		return st;
	cmasim_state_free(st);
	return NULL;
}

struct cmasim_state *cmasim_state_load(struct cmasim_mem *mem, GError **error)
{
	g_return_val_if_fail(mem && mem->cfg->initial, NULL);
	g_autoptr(GMappedFile) m = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) err = NULL;

	m = g_mapped_file_new(mem->cfg->initial, FALSE, &err);
	if (!m) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", mem->cfg->initial,
			    err->message);
		return NULL;
	}
	bytes = g_mapped_file_get_bytes(m);
	return cmasim_state_load_data(mem, mem->cfg->initial, bytes, error);
}

uint64_t cmasim_state_pages(const struct cmasim_state *st)
{
	return st->pages;
}

uint64_t cmasim_state_reclaim(struct cmasim_state *st, struct cmasim_mem *mem, uint64_t max)
{
	uint64_t pages = 0;

	for (unsigned int a = 0; a < 2; a++) {
		for (; st->next[a] < st->lru[a]->len && pages < max; st->next[a]++) {
			uint64_t pfn = g_array_index(st->lru[a], uint64_t, st->next[a]);
			uint32_t idx = (uint32_t)(pfn - mem->base_pfn);
			const struct frame *f = &mem->frames[idx];

			/* moved, freed, or given to another since: no longer this entry's */
			if (pfn == UINT64_MAX || f->state != FRAME_ALLOC || f->owner != CMASIM_OWNER_FILE ||
			    f->next != CMASIM_COOKIE_PFN ||
			    f->prev != (st->next[a] | (a ? LRU_ACTIVE : 0)))
				continue;
			pages += UINT64_C(1) << f->order;
			cmasim_free_pages(mem, pfn);
		}
	}
	return pages;
}

void cmasim_state_moved(struct cmasim_state *st, uint32_t index, uint64_t new_pfn)
{
	GArray *lru = st->lru[!!(index & LRU_ACTIVE)];

	if (index != NIL && (index & ~LRU_ACTIVE) < lru->len)
		g_array_index(lru, uint64_t, index & ~LRU_ACTIVE) = new_pfn;
}

void cmasim_state_free(struct cmasim_state *st)
{
	if (!st)
		return;
	g_array_free(st->lru[0], TRUE);
	g_array_free(st->lru[1], TRUE);
	g_free(st);
}

/* Whether the allocated head @f is a block known by its pfn only. */
static bool pfn_block(const struct frame *f)
{
	return f->state == FRAME_ALLOC && f->next == CMASIM_COOKIE_PFN;
}

/* The end of the block (or hole, or free block) at head @h, clipped to @end. */
static uint32_t block_end(const struct cmasim_mem *mem, uint32_t h, uint32_t end)
{
	const struct frame *f = &mem->frames[h];
	uint32_t size = f->state == FRAME_HOLE || f->state == FRAME_RESERVED ? 1 : UINT32_C(1) << f->order;

	return MIN(h + size, end);
}

uint64_t cmasim_pfn_free(struct cmasim_mem *mem, uint64_t pfn, unsigned int order,
			 uint64_t *mismatched)
{
	g_return_val_if_fail(in_frames(mem, pfn, UINT64_C(1) << order), 0);
	uint32_t idx = (uint32_t)(pfn - mem->base_pfn), end = idx + (UINT32_C(1) << order);
	uint64_t freed = 0;

	for (uint32_t i = idx; i < end;) {
		uint32_t h = buddy_block_head(mem, i);
		const struct frame *f = &mem->frames[h];

		if (!pfn_block(f)) {
			*mismatched += block_end(mem, h, end) - i;
			i = block_end(mem, h, end);
			continue;
		}
		/* split_page(): the range frees part of a larger block */
		if (h < idx || h + (UINT32_C(1) << f->order) > end) {
			cmasim_split_page(mem, mem->base_pfn + h);
			continue;
		}
		freed += UINT64_C(1) << f->order;
		i = h + (UINT32_C(1) << f->order);
		buddy_free(mem, h, false);
	}
	return freed;
}

int cmasim_pfn_alloc(struct cmasim_mem *mem, uint64_t pfn, unsigned int order,
		     enum cmasim_migratetype mt, enum cmasim_owner owner, uint64_t *mismatched)
{
	int ret = cmasim_alloc_pages_at(mem, pfn, order, mt);

	if (ret == -EBUSY) {
		uint32_t idx = (uint32_t)(pfn - mem->base_pfn), end = idx + (UINT32_C(1) << order);

		/* only free pages and blocks known by their pfn may be in the way */
		for (uint32_t i = idx; i < end; i = block_end(mem, buddy_block_head(mem, i), end)) {
			const struct frame *f = &mem->frames[buddy_block_head(mem, i)];

			if (f->state != FRAME_FREE && f->state != FRAME_PCP && !pfn_block(f))
				return -EBUSY;
		}
		*mismatched += cmasim_pfn_free(mem, pfn, order, &(uint64_t){ 0 });
		ret = cmasim_alloc_pages_at(mem, pfn, order, mt);
	}
	if (!ret)
		cmasim_set_owner(mem, pfn, owner, CMASIM_COOKIE_PFN, NIL);
	return ret;
}

uint64_t cmasim_mem_clearable_ranges(const struct cmasim_mem *mem, unsigned int zone,
				     unsigned int order, uint64_t *ranges)
{
	g_return_val_if_fail(zone < mem->nr_zones && order < 32, 0);
	const struct zone *z = &mem->zones[zone];
	uint32_t size = UINT32_C(1) << order;
	/* aligned as pfns, which may be more than frame indices are */
	uint32_t first = (uint32_t)(((mem->base_pfn + z->start + size - 1) & ~(uint64_t)(size - 1)) -
				    mem->base_pfn);
	uint64_t clear = 0;

	*ranges = 0;
	for (uint32_t r = first; r + size <= z->end && r + size > r; r += size) {
		bool ok = true;

		(*ranges)++;
		for (uint32_t i = r; i < r + size && ok;) {
			uint32_t h = buddy_block_head(mem, i);
			const struct frame *f = &mem->frames[h];

			ok = f->state == FRAME_FREE || f->state == FRAME_PCP ||
			     (f->state == FRAME_ALLOC && owner_is_lru(f->owner) &&
			      !(f->owner & OWNER_PINNED));
			i = block_end(mem, h, r + size);
		}
		clear += ok;
	}
	return clear;
}

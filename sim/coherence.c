// SPDX-License-Identifier: GPL-2.0-only
/*
 * Versions of tracked lines, and the corruption they reveal: see
 * include/cmasim/coherence.h.
 */
#include <glib.h>

#include "cmasim/coherence.h"

/* Frames whose lookups are remembered: a fill and its victim's drop are often pages apart. */
#define MEMO_SIZE 64

/* One tracked line. Versions grow with every write anywhere, so older is smaller. */
struct line {
	uint32_t mem;		/* the version memory holds */
	uint32_t base;		/* memory's version when the line was last filled */
	uint32_t dirty;		/* the version a dirty copy holds, 0 when none */
	bool by_device;		/* memory's version was written by a device */
};

struct cmasim_coherence {
	unsigned int page_shift, line_shift;
	uint32_t lines_per_page;
	uint32_t version;		/* the last version handed out */
	GHashTable *frames;		/* pfn -> struct line[lines_per_page] */
	/* frames looked up lately, direct-mapped by pfn: pfn UINT64_MAX is none */
	struct {
		uint64_t pfn;
		struct line *lines;	/* NULL when the frame is not tracked */
	} memo[MEMO_SIZE];
	cmasim_noncacheable_fn noncacheable;
	void *ctx;
	cmasim_translate_fn translate;
	void *translate_ctx;
	struct cmasim_coherence_counts counts;
};

/* Empties the memo of lookups, whose answers a change of tracking makes wrong. */
static void forget(struct cmasim_coherence *coh)
{
	for (unsigned int i = 0; i < MEMO_SIZE; i++)
		coh->memo[i].pfn = UINT64_MAX;
}

struct cmasim_coherence *cmasim_coherence_new(unsigned int page_shift, unsigned int line_size,
					      cmasim_noncacheable_fn noncacheable, void *ctx)
{
	g_return_val_if_fail(line_size && !(line_size & (line_size - 1)) &&
			     line_size <= (1u << page_shift), NULL);
	struct cmasim_coherence *coh = g_new0(struct cmasim_coherence, 1);

	coh->page_shift = page_shift;
	coh->line_shift = (unsigned int)g_bit_nth_lsf(line_size, -1);
	coh->lines_per_page = UINT32_C(1) << (page_shift - coh->line_shift);
	coh->frames = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	forget(coh);
	coh->noncacheable = noncacheable;
	coh->ctx = ctx;
	return coh;
}

void cmasim_coherence_free(struct cmasim_coherence *coh)
{
	if (!coh)
		return;
	g_hash_table_destroy(coh->frames);
	g_free(coh);
}

/*
 * The record of the line holding physical @pa, or NULL when its frame is
 * not tracked; lookups are remembered.
 */
static struct line *line_of(struct cmasim_coherence *coh, uint64_t pa)
{
	uint64_t pfn = pa >> coh->page_shift;
	unsigned int slot = (unsigned int)(pfn & (MEMO_SIZE - 1));

	if (coh->memo[slot].pfn != pfn) {
		coh->memo[slot].pfn = pfn;
		coh->memo[slot].lines = g_hash_table_lookup(coh->frames, &pfn);
	}
	if (!coh->memo[slot].lines)
		return NULL;
	return &coh->memo[slot].lines[(pa >> coh->line_shift) & (coh->lines_per_page - 1)];
}

bool cmasim_coherence_tracked(struct cmasim_coherence *coh, uint64_t pfn)
{
	return line_of(coh, pfn << coh->page_shift) != NULL;
}

/* A version newer than any so far. */
static uint32_t next_version(struct cmasim_coherence *coh)
{
	return ++coh->version;
}

static uint32_t hook_fill(void *ctx, uint64_t va, uint64_t pa, enum cmasim_fill_kind kind)
{
	struct cmasim_coherence *coh = ctx;
	struct line *l = line_of(coh, pa);

	(void)va;
	if (!l)
		return 0;
	if (coh->noncacheable(coh->ctx, pa >> coh->page_shift)) {
		if (kind == CMASIM_FILL_DEMAND)
			coh->counts.alias_demand++;
		else
			coh->counts.alias_speculative++;
	}
	l->base = l->mem;
	return l->mem;
}

static void hook_writeback(void *ctx, uint64_t pa, uint32_t version)
{
	struct cmasim_coherence *coh = ctx;
	struct line *l = line_of(coh, pa);

	if (!l)
		return;
	/* the device wrote memory after this copy was filled: its data is lost */
	if (l->by_device && l->mem != l->base)
		coh->counts.clobbers++;
	l->mem = version;
	l->base = version;
	l->by_device = false;
	if (l->dirty == version)
		l->dirty = 0;
}

/*
 * A copy leaves. With one copy per line, as PIPT caches and most VIPT use
 * keep, its dirty data left with it (a write-back came first if there was
 * one); a second copy of an aliasing VIPT or VIVT cache may lose track.
 */
static void hook_drop(void *ctx, uint64_t pa)
{
	struct line *l = line_of(ctx, pa);

	if (l)
		l->dirty = 0;
}

static void hook_read(void *ctx, uint64_t pa, uint32_t version)
{
	struct cmasim_coherence *coh = ctx;
	struct line *l = line_of(coh, pa);

	if (l && version < l->mem)
		coh->counts.stale_cpu_reads++;
}

static uint32_t hook_write(void *ctx, uint64_t pa, uint32_t version)
{
	struct cmasim_coherence *coh = ctx;
	struct line *l = line_of(coh, pa);

	(void)version;
	if (!l)
		return 0;
	l->dirty = next_version(coh);
	return l->dirty;
}

static bool hook_translate(void *ctx, uint64_t va, uint64_t *pa)
{
	struct cmasim_coherence *coh = ctx;

	return coh->translate(coh->translate_ctx, va, pa);
}

void cmasim_coherence_hooks(struct cmasim_coherence *coh, cmasim_translate_fn translate,
			    void *translate_ctx, struct cmasim_cache_hooks *hooks)
{
	coh->translate = translate;
	coh->translate_ctx = translate_ctx;
	*hooks = (struct cmasim_cache_hooks){
		.translate = hook_translate,
		.ctx = coh,
		.fill = hook_fill,
		.writeback = hook_writeback,
		.drop = hook_drop,
		.read = hook_read,
		.write = hook_write,
	};
}

void cmasim_coherence_track(struct cmasim_coherence *coh, uint64_t pfn, uint64_t nr)
{
	for (uint64_t p = pfn; p < pfn + nr; p++) {
		struct line *lines = g_new0(struct line, coh->lines_per_page);
		uint64_t *key = g_new(uint64_t, 1);

		/* copies cached before tracking hold version 0: older than this */
		for (uint32_t i = 0; i < coh->lines_per_page; i++)
			lines[i].mem = lines[i].base = next_version(coh);
		*key = p;
		g_hash_table_replace(coh->frames, key, lines);
	}
	forget(coh);
}

void cmasim_coherence_untrack(struct cmasim_coherence *coh, uint64_t pfn, uint64_t nr)
{
	for (uint64_t p = pfn; p < pfn + nr; p++)
		g_hash_table_remove(coh->frames, &p);
	forget(coh);
}

void cmasim_coherence_alias_present(struct cmasim_coherence *coh, uint64_t lines)
{
	coh->counts.alias_present += lines;
}

void cmasim_coherence_memory_write(struct cmasim_coherence *coh, uint64_t pa, uint64_t len,
				   bool device)
{
	uint64_t line = UINT64_C(1) << coh->line_shift;

	for (uint64_t a = pa & ~(line - 1); a < pa + len; a += line) {
		struct line *l = line_of(coh, a);

		if (l) {
			l->mem = next_version(coh);
			l->by_device = device;
		}
	}
}

void cmasim_coherence_device_read(struct cmasim_coherence *coh, uint64_t pa, uint64_t len)
{
	uint64_t line = UINT64_C(1) << coh->line_shift;

	for (uint64_t a = pa & ~(line - 1); a < pa + len; a += line) {
		const struct line *l = line_of(coh, a);

		if (l && l->dirty > l->mem)
			coh->counts.stale_device_reads++;
	}
}

const struct cmasim_coherence_counts *cmasim_coherence_counts(const struct cmasim_coherence *coh)
{
	return &coh->counts;
}

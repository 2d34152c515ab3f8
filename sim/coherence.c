// SPDX-License-Identifier: GPL-2.0-only
/*
 * Versions of tracked lines, and the corruption they reveal: see
 * include/cmasim/coherence.h.
 */
#include <string.h>
#include <glib.h>

#include "cmasim/coherence.h"

/* Frames whose lookups are remembered: a fill and its victim's write-back are often pages apart. */
#define MEMO_SIZE 64

/* One tracked line. Versions grow with every write anywhere, so older is smaller. */
struct line {
	uint32_t mem;		/* the version memory holds */
	uint32_t base;		/* memory's version when the line was last filled */
	uint32_t dirty;		/* the version a dirty copy holds, 0 when none */
	bool by_device;		/* memory's version was written by a device */
};

/* One tracked frame. */
struct tracked {
	uint32_t nr_dirty;	/* lines with a dirty copy (dirty != 0) */
	struct line lines[] __attribute__((aligned(16)));	/* lines_per_page */
};

/* Frames in a chunk of the table of tracked frames. */
#define CHUNK_FRAMES 512

/*
 * The records of frames nr * CHUNK_FRAMES on, NULL where a frame is not
 * tracked. A write of a whole frame to memory (a device's transfer,
 * mostly) is kept here as one version for all its lines, and applied to
 * them when the frame is next looked up for a line: a transfer of a
 * thousand frames stores into a few lines of this array, not into a
 * thousand records, and the per-line hooks find lines up to date.
 */
struct chunk {
	uint64_t nr;
	struct tracked *frames[CHUNK_FRAMES];
	uint32_t bulk[CHUNK_FRAMES];	/* a whole-frame write not in the lines yet, or 0 */
	bool bulk_by_device[CHUNK_FRAMES];	/* that write was a device's */
};

struct cmasim_coherence {
	unsigned int page_shift, line_shift;
	uint32_t lines_per_page;
	uint32_t version;		/* the last version handed out */
	/*
	 * Tracked frames by pfn, in chunks of CHUNK_FRAMES frames found by
	 * open addressing with linear probing on the chunk's number; a chunk,
	 * once made, stays (8 bytes a frame of the memory buffers ever held,
	 * where a tracked frame's record takes a kilobyte or more). At most
	 * half the slots are used.
	 */
	struct chunk **chunks;
	uint64_t mask;			/* slots - 1, a power of two less one */
	uint64_t nr_chunks;		/* slots used */
	GPtrArray *spare;		/* struct tracked no longer in use, for the next frames tracked */
	/* frames looked up lately, direct-mapped by pfn: pfn UINT64_MAX is none */
	struct {
		uint64_t pfn;
		struct tracked *frame;	/* NULL when the frame is not tracked */
	} memo[MEMO_SIZE];
	cmasim_noncacheable_fn noncacheable;
	void *ctx;
	cmasim_translate_fn translate;
	void *translate_ctx;
	cmasim_coherence_event_fn event;
	void *event_ctx;
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
	coh->mask = 15;
	coh->chunks = g_new0(struct chunk *, coh->mask + 1);
	coh->spare = g_ptr_array_new_with_free_func(g_free);
	forget(coh);
	coh->noncacheable = noncacheable;
	coh->ctx = ctx;
	return coh;
}

void cmasim_coherence_free(struct cmasim_coherence *coh)
{
	if (!coh)
		return;
	for (uint64_t i = 0; i <= coh->mask; i++) {
		if (!coh->chunks[i])
			continue;
		for (unsigned int f = 0; f < CHUNK_FRAMES; f++)
			g_free(coh->chunks[i]->frames[f]);
		g_free(coh->chunks[i]);
	}
	g_free(coh->chunks);
	g_ptr_array_free(coh->spare, TRUE);
	g_free(coh);
}

/* The slot where chunk @nr's run starts. */
static uint64_t home(const struct cmasim_coherence *coh, uint64_t nr)
{
	return (nr * UINT64_C(0x9e3779b97f4a7c15)) >> 32 & coh->mask;
}

/* The slot holding chunk @nr, or the empty one ending its run. */
static uint64_t find(const struct cmasim_coherence *coh, uint64_t nr)
{
	uint64_t i = home(coh, nr);

	while (coh->chunks[i] && coh->chunks[i]->nr != nr)
		i = (i + 1) & coh->mask;
	return i;
}

void cmasim_coherence_on_event(struct cmasim_coherence *coh, cmasim_coherence_event_fn fn,
			       void *ctx)
{
	coh->event = fn;
	coh->event_ctx = ctx;
}

/* Counts a corruption of @kind at the line of @pa in *@count, and tells the listener. */
static void corrupted(struct cmasim_coherence *coh, enum cmasim_coherence_event kind, uint64_t pa,
		      uint64_t *count)
{
	++*count;
	if (coh->event)
		coh->event(coh->event_ctx, kind, pa);
}

/* The chunk of frame @pfn, or NULL when none of its frames was ever tracked. */
static struct chunk *chunk_of(struct cmasim_coherence *coh, uint64_t pfn)
{
	return coh->chunks[find(coh, pfn / CHUNK_FRAMES)];
}

/* The chunk of frame @pfn, made if need be. */
static struct chunk *chunk_place(struct cmasim_coherence *coh, uint64_t pfn)
{
	uint64_t nr = pfn / CHUNK_FRAMES, i = find(coh, nr);

	if (!coh->chunks[i]) {
		/* doubles the table when it would be more than half full */
		if (coh->nr_chunks + 1 > (coh->mask + 1) / 2) {
			struct chunk **old = coh->chunks;
			uint64_t old_slots = coh->mask + 1;

			coh->mask = old_slots * 2 - 1;
			coh->chunks = g_new0(struct chunk *, coh->mask + 1);
			for (uint64_t j = 0; j < old_slots; j++)
				if (old[j])
					coh->chunks[find(coh, old[j]->nr)] = old[j];
			g_free(old);
			i = find(coh, nr);
		}
		coh->chunks[i] = g_new0(struct chunk, 1);
		coh->chunks[i]->nr = nr;
		coh->nr_chunks++;
	}
	return coh->chunks[i];
}

/* Applies the whole-frame write waiting for frame @i of @c, if one does, to its lines. */
static void settle(struct cmasim_coherence *coh, struct chunk *c, unsigned int i)
{
	struct tracked *f = c->frames[i];

	if (!c->bulk[i])
		return;
	for (uint32_t l = 0; l < coh->lines_per_page; l++) {
		f->lines[l].mem = c->bulk[i];
		f->lines[l].by_device = c->bulk_by_device[i];
	}
	c->bulk[i] = 0;
}

/* Tracked frame @pfn with its lines up to date, or NULL; lookups are remembered. */
static struct tracked *frame_of(struct cmasim_coherence *coh, uint64_t pfn)
{
	unsigned int slot = (unsigned int)(pfn & (MEMO_SIZE - 1));

	if (coh->memo[slot].pfn != pfn) {
		struct chunk *c = chunk_of(coh, pfn);
		unsigned int i = pfn % CHUNK_FRAMES;

		coh->memo[slot].pfn = pfn;
		coh->memo[slot].frame = c ? c->frames[i] : NULL;
		if (coh->memo[slot].frame)
			settle(coh, c, i);
	}
	return coh->memo[slot].frame;
}

/* Drops what the memo holds of frame @pfn, whose lines a whole-frame write leaves behind. */
static void unmemo(struct cmasim_coherence *coh, uint64_t pfn)
{
	unsigned int slot = (unsigned int)(pfn & (MEMO_SIZE - 1));

	if (coh->memo[slot].pfn == pfn)
		coh->memo[slot].pfn = UINT64_MAX;
}

/*
 * The record of the line holding physical @pa, up to date, and its frame
 * in *@frame; NULL when the frame is not tracked.
 */
static struct line *line_of(struct cmasim_coherence *coh, uint64_t pa, struct tracked **frame)
{
	struct tracked *f = frame_of(coh, pa >> coh->page_shift);

	*frame = f;
	if (!f)
		return NULL;
	return &f->lines[(pa >> coh->line_shift) & (coh->lines_per_page - 1)];
}

/* Sets the version of @l's dirty copy (0: none), keeping @f's count of dirty lines. */
static void set_dirty(struct tracked *f, struct line *l, uint32_t version)
{
	if ((version != 0) != (l->dirty != 0))
		f->nr_dirty += version ? 1 : (uint32_t)-1;
	l->dirty = version;
}

/*
 * The frame part of [@at, @end): *@first the index of its first line in
 * the frame, *@n its lines. Returns where the next frame's part starts.
 */
static uint64_t next_part(const struct cmasim_coherence *coh, uint64_t at, uint64_t end,
			  uint32_t *first, uint32_t *n)
{
	uint64_t frame_end = ((at >> coh->page_shift) + 1) << coh->page_shift;
	uint64_t stop = MIN(frame_end, end);

	*first = (uint32_t)(at >> coh->line_shift) & (coh->lines_per_page - 1);
	*n = (uint32_t)(((stop - 1) >> coh->line_shift) - (at >> coh->line_shift) + 1);
	return stop;
}

/* The chunk of frame @pfn, looked up again only when @pfn leaves *@c's (number *@c_nr). */
static struct chunk *chunk_at(struct cmasim_coherence *coh, uint64_t pfn, struct chunk **c,
			      uint64_t *c_nr)
{
	if (pfn / CHUNK_FRAMES != *c_nr) {
		*c = chunk_of(coh, pfn);
		*c_nr = pfn / CHUNK_FRAMES;
	}
	return *c;
}

bool cmasim_coherence_tracked(struct cmasim_coherence *coh, uint64_t pfn)
{
	return frame_of(coh, pfn) != NULL;
}

/* A version newer than any so far. */
static uint32_t next_version(struct cmasim_coherence *coh)
{
	return ++coh->version;
}

static uint32_t hook_fill(void *ctx, uint64_t va, uint64_t pa, enum cmasim_fill_kind kind)
{
	struct cmasim_coherence *coh = ctx;
	struct tracked *f;
	struct line *l = line_of(coh, pa, &f);

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
	struct tracked *f;
	struct line *l = line_of(coh, pa, &f);

	if (!l)
		return;
	/* the device wrote memory after this copy was filled: its data is lost */
	if (l->by_device && l->mem != l->base)
		corrupted(coh, CMASIM_COH_CLOBBER, pa, &coh->counts.clobbers);
	l->mem = version;
	l->base = version;
	l->by_device = false;
	if (l->dirty == version)
		set_dirty(f, l, 0);
}

/*
 * A dirty copy is invalidated: its data never reaches memory, which is
 * then no older than any copy, unless a second copy of an aliasing VIPT
 * or VIVT cache dirtied the line since, with a newer version.
 */
static void hook_discard(void *ctx, uint64_t pa, uint32_t version)
{
	struct tracked *f;
	struct line *l = line_of(ctx, pa, &f);

	if (l && l->dirty == version)
		set_dirty(f, l, 0);
}

static void hook_read(void *ctx, uint64_t pa, uint32_t version)
{
	struct cmasim_coherence *coh = ctx;
	struct tracked *f;
	struct line *l = line_of(coh, pa, &f);

	if (l && version < l->mem)
		corrupted(coh, CMASIM_COH_STALE_CPU_READ, pa, &coh->counts.stale_cpu_reads);
}

/*
 * A CPU write of a whole line: into a cached copy, which is dirty then; or,
 * with CMASIM_CACHE_NO_COPY, to memory itself (around the cache, or an
 * uncached write that also updates a copy it hit), whose line is the CPU's
 * now, as new as any copy the write leaves.
 */
static uint32_t hook_write(void *ctx, uint64_t pa, uint32_t version)
{
	struct cmasim_coherence *coh = ctx;
	struct tracked *f;
	struct line *l = line_of(coh, pa, &f);

	if (!l)
		return 0;
	if (version == CMASIM_CACHE_NO_COPY) {
		l->mem = l->base = next_version(coh);
		l->by_device = false;
		return l->mem;
	}
	set_dirty(f, l, next_version(coh));
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
		.discard = hook_discard,
		.read = hook_read,
		.write = hook_write,
	};
}

void cmasim_coherence_track(struct cmasim_coherence *coh, uint64_t pfn, uint64_t nr)
{
	size_t lines = coh->lines_per_page * sizeof(struct line);

	for (uint64_t p = pfn; p < pfn + nr; p++) {
		struct chunk *c = chunk_place(coh, p);
		unsigned int i = p % CHUNK_FRAMES;
		struct tracked *f = c->frames[i];

		/* a buffer's frames come and go by the thousand: their records are kept for reuse */
		if (!f) {
			f = coh->spare->len ? g_ptr_array_steal_index_fast(coh->spare,
									    coh->spare->len - 1)
					    : g_malloc0(sizeof(*f) + lines);
			c->frames[i] = f;
		}
		/*
		 * Memory holds a new version of every line: copies cached
		 * before tracking hold version 0, older. The whole-frame
		 * write gives every line's mem and by_device when the frame
		 * is next looked up, so a record used before needs only its
		 * dirty versions cleared. (A line's base is only read once a
		 * device wrote it, and then only compared with mem: one left
		 * from before, or 0, is older all the same.)
		 */
		if (f->nr_dirty)
			memset(f->lines, 0, lines);
		f->nr_dirty = 0;
		c->bulk[i] = next_version(coh);
		c->bulk_by_device[i] = false;
	}
	forget(coh);
}

void cmasim_coherence_untrack(struct cmasim_coherence *coh, uint64_t pfn, uint64_t nr)
{
	for (uint64_t p = pfn; p < pfn + nr; p++) {
		struct chunk *c = chunk_of(coh, p);

		if (c && c->frames[p % CHUNK_FRAMES]) {
			g_ptr_array_add(coh->spare, c->frames[p % CHUNK_FRAMES]);
			c->frames[p % CHUNK_FRAMES] = NULL;
		}
	}
	forget(coh);
}

void cmasim_coherence_alias_present(struct cmasim_coherence *coh, uint64_t lines)
{
	coh->counts.alias_present += lines;
}

/* Gives the lines of [@pa, @end), within frames none of which it covers whole, @version. */
static void write_lines(struct cmasim_coherence *coh, uint64_t pa, uint64_t end, uint32_t version,
			bool device)
{
	uint64_t c_nr = UINT64_MAX;
	struct chunk *c = NULL;
	uint32_t first, n;

	for (uint64_t a = pa; a < end;) {
		uint64_t pfn = a >> coh->page_shift;
		unsigned int at = pfn % CHUNK_FRAMES;
		struct tracked *f;

		a = next_part(coh, a, end, &first, &n);
		if (!chunk_at(coh, pfn, &c, &c_nr) || !(f = c->frames[at]))
			continue;
		settle(coh, c, at);
		for (uint32_t i = first; i < first + n; i++) {
			f->lines[i].mem = version;
			f->lines[i].by_device = device;
		}
	}
}

/* Gives every line of frames [@pfn, @end) @version, as one whole-frame write each. */
static void write_frames(struct cmasim_coherence *coh, uint64_t pfn, uint64_t end,
			 uint32_t version, bool device)
{
	for (uint64_t p = pfn; p < end;) {
		uint64_t stop = MIN(end, (p / CHUNK_FRAMES + 1) * CHUNK_FRAMES);
		struct chunk *c = chunk_of(coh, p);
		unsigned int lo = p % CHUNK_FRAMES, hi = lo + (unsigned int)(stop - p);

		/* an untracked frame's entry is never read, and tracking it sets one */
		if (c) {
			for (unsigned int i = lo; i < hi; i++)
				c->bulk[i] = version;
			memset(&c->bulk_by_device[lo], device, hi - lo);
		}
		p = stop;
	}
	/* the memo's frames in the range were settled before this write */
	if (end - pfn < MEMO_SIZE) {
		for (uint64_t p = pfn; p < end; p++)
			unmemo(coh, p);
		return;
	}
	for (unsigned int i = 0; i < MEMO_SIZE; i++)
		if (coh->memo[i].pfn - pfn < end - pfn)
			coh->memo[i].pfn = UINT64_MAX;
}

/*
 * One version for every line of a write: versions are only ever compared
 * within a line, where one newer than all before and older than all after
 * is all that matters.
 */
void cmasim_coherence_memory_write(struct cmasim_coherence *coh, uint64_t pa, uint64_t len,
				   bool device)
{
	uint32_t version = next_version(coh);
	uint64_t page = UINT64_C(1) << coh->page_shift, end = pa + len;
	uint64_t whole = (pa + page - 1) >> coh->page_shift, whole_end = end >> coh->page_shift;

	if (whole >= whole_end) {
		write_lines(coh, pa, end, version, device);
		return;
	}
	write_lines(coh, pa, whole << coh->page_shift, version, device);
	write_frames(coh, whole, whole_end, version, device);
	write_lines(coh, whole_end << coh->page_shift, end, version, device);
}

void cmasim_coherence_device_read(struct cmasim_coherence *coh, uint64_t pa, uint64_t len)
{
	uint32_t first, n;
	uint64_t c_nr = UINT64_MAX;
	struct chunk *c = NULL;

	for (uint64_t a = pa; a < pa + len;) {
		uint64_t pfn = a >> coh->page_shift;
		unsigned int at = pfn % CHUNK_FRAMES;
		struct tracked *f;

		a = next_part(coh, a, pa + len, &first, &n);
		/* a copy dirtied before a whole-frame write is older than memory */
		if (!chunk_at(coh, pfn, &c, &c_nr) || !(f = c->frames[at]) || !f->nr_dirty ||
		    c->bulk[at])
			continue;
		for (uint32_t i = first; i < first + n; i++)
			if (f->lines[i].dirty > f->lines[i].mem)
				corrupted(coh, CMASIM_COH_STALE_DEVICE_READ,
					  pfn << coh->page_shift |
					  (uint64_t)i << coh->line_shift,
					  &coh->counts.stale_device_reads);
	}
}

const struct cmasim_coherence_counts *cmasim_coherence_counts(const struct cmasim_coherence *coh)
{
	return &coh->counts;
}

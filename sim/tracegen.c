// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trace generators, expanded lazily: a generator holds only what it must
 * remember to produce its next record, and the reader keeps the active ones
 * in a min-heap on (next record time, generator index), so generators run
 * concurrently with each other and with the explicit events.
 *
 * churn. Allocation k falls at t + floor(k * 1e9 / rate) ns (rate kept as
 * an exact fraction, 128-bit products), for every k with that offset below
 * the duration. Each generator draws from its own splitmix64 whose state
 * starts at seed ^ (0x9e3779b97f4a7c15 * (index + 1)), index counting
 * generators (churn and repeat) from 0 in file order. Every allocation takes
 * exactly four outputs r1..r4, in this order:
 *   order       r1 % W over the orders' weights in the order written: the
 *               first whose running sum exceeds it (W is their sum)
 *   migratetype r2, the same over the migratetypes' weights
 *   lifetime    u = ((r3 >> 11) + 1) / 2^53 in (0, 1]; the allocation lives
 *               -mean * ln(u) ns, rounded to nearest, at least 1 ns; never
 *               freed if the lifetime is forever, if that is 2^63 ns or more,
 *               or if its free would fall past the largest time
 *   pin         pinned iff (r4 >> 11) < floor(p * 2^53)
 * The draws are taken even when they cannot matter (one order, forever), so
 * that changing one parameter does not shift the others' sequences.
 * A generator's frees go into its own min-heap on (time, k). At one time it
 * emits its frees before its allocation, frees in allocation order.
 *
 * repeat. Iteration i of block event j falls at t + i * period + t_j. The
 * block's events are a heap on (time, iteration, j): at most one entry per
 * block event, however many iterations overlap. A block id ending in '#'
 * names iteration i's own: the '#' becomes i, counted from 0.
 *
 * stream. Its count buffers' dma_allocs at t, buffer order; frame k >= 1
 * (churn's schedule, from k = 1) into buffer (k - 1) % count while it falls
 * before the duration; the dma_frees at t + duration, buffer order. It
 * holds no more than the next record's place.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "random.h"
#include "trace_private.h"

/* A churn allocation waiting for its free. */
struct churn_free {
	uint64_t time;		/* ns */
	uint64_t k;		/* allocation counter */
	uint32_t slot;
};

/* A repeat block event's next iteration. */
struct rep_next {
	uint64_t time;		/* ns, absolute */
	uint32_t iter;		/* 0-based */
	uint32_t j;		/* index in the block */
};

enum gen_kind { GEN_CHURN, GEN_REPEAT, GEN_STREAM };

/* Where a stream is: allocating, streaming frames, or freeing. */
enum stream_phase { STREAM_ALLOC, STREAM_FRAMES, STREAM_FREE };

struct gen {
	uint32_t index;		/* in file order, among churn, repeat and stream */
	uint8_t kind;		/* enum gen_kind */
	struct pos pos;		/* the definition's mapping */
	uint64_t next_time;	/* ns, of the next record */

	/* churn */
	struct churn_params cp;
	uint64_t rng;		/* splitmix64 state */
	uint64_t k;		/* next allocation */
	uint64_t alloc_time;	/* ns, of allocation k */
	bool allocs_done;	/* allocation k falls past the duration */
	struct churn_free *frees;	/* min-heap on (time, k) */
	uint32_t nr_frees, frees_cap;

	/* repeat */
	struct repeat_params rp;
	struct rep_next *items;	/* min-heap on (time, iter, j) */
	uint32_t nr_items;

	/* stream */
	struct stream_params sp;
	uint8_t phase;		/* enum stream_phase */
	uint32_t buf;		/* next buffer to allocate or free */
	uint64_t frame;		/* next frame k, from 1 */
	char *id;		/* stream's "NAME.i" or repeat's numbered id being made */
};

/* Whether generator @a's next record goes before @b's. */
static bool gen_before(const struct gen *a, const struct gen *b)
{
	return a->next_time < b->next_time ||
	       (a->next_time == b->next_time && a->index < b->index);
}

/* Restores the generator heap after entry @i moved down in key. */
static void gen_sift_down(struct cmasim_trace *t, uint32_t i)
{
	struct gen **h = t->heap, *g = h[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= t->nr_heap)
			break;
		if (c + 1 < t->nr_heap && gen_before(h[c + 1], h[c]))
			c++;
		if (!gen_before(h[c], g))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = g;
}

/* Adds @g to the generator heap. */
static void gen_push(struct cmasim_trace *t, struct gen *g)
{
	uint32_t i;

	if (t->nr_heap == t->heap_cap) {
		t->heap_cap = t->heap_cap ? t->heap_cap * 2 : 8;
		t->heap = g_renew(struct gen *, t->heap, t->heap_cap);
	}
	for (i = t->nr_heap++; i && gen_before(g, t->heap[(i - 1) / 2]); i = (i - 1) / 2)
		t->heap[i] = t->heap[(i - 1) / 2];
	t->heap[i] = g;
}

/* Frees @g and what it owns. */
static void gen_free(struct gen *g)
{
	g_free(g->frees);
	g_free(g->items);
	cmasim__protos_free(g->rp.ev, g->rp.nr_ev);
	g_free(g->sp.alloc.id);
	g_free(g->id);
	g_free(g);
}

/* Whether free @a goes before @b. */
static bool free_before(const struct churn_free *a, const struct churn_free *b)
{
	return a->time < b->time || (a->time == b->time && a->k < b->k);
}

/* Adds @f to @g's pending frees. */
static void free_push(struct gen *g, struct churn_free f)
{
	uint32_t i;

	if (g->nr_frees == g->frees_cap) {
		g->frees_cap = g->frees_cap ? g->frees_cap * 2 : 64;
		g->frees = g_renew(struct churn_free, g->frees, g->frees_cap);
	}
	for (i = g->nr_frees++; i && free_before(&f, &g->frees[(i - 1) / 2]); i = (i - 1) / 2)
		g->frees[i] = g->frees[(i - 1) / 2];
	g->frees[i] = f;
}

/* Removes @g's earliest pending free. */
static void free_pop(struct gen *g)
{
	struct churn_free last = g->frees[--g->nr_frees], *h = g->frees;
	uint32_t i = 0;

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= g->nr_frees)
			break;
		if (c + 1 < g->nr_frees && free_before(&h[c + 1], &h[c]))
			c++;
		if (!free_before(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (g->nr_frees)
		h[i] = last;
}

/* Sets allocation k's time, or allocs_done once it falls past the duration. */
static void churn_schedule(struct gen *g)
{
	const struct churn_params *cp = &g->cp;
	unsigned __int128 off = (unsigned __int128)g->k * 1000000000u * cp->rate_den / cp->rate_num;

	if (off >= cp->duration) {
		g->allocs_done = true;
		return;
	}
	g->alloc_time = cp->start + (uint64_t)off;
}

/* The value the weights @w pick for draw @r. */
static uint8_t pick(const struct weights *w, uint64_t r)
{
	uint64_t x = r % w->cum[w->nr - 1];
	unsigned int i = 0;

	while (x >= w->cum[i])
		i++;
	return w->value[i];
}

/* Whether churn @g's next record is its earliest free rather than allocation k. */
static inline bool free_due(const struct gen *g)
{
	return g->nr_frees && (g->allocs_done || g->frees[0].time <= g->alloc_time);
}

/* Time of stream @g's next record, moving on a phase when one is done; false at the end. */
static bool stream_update(struct gen *g)
{
	const struct stream_params *sp = &g->sp;

	if (g->phase == STREAM_ALLOC && g->buf == sp->count) {
		g->phase = STREAM_FRAMES;
		g->frame = 1;
	}
	if (g->phase == STREAM_FRAMES) {
		unsigned __int128 off = (unsigned __int128)g->frame * 1000000000u * sp->rate_den /
					sp->rate_num;

		if (off < sp->duration) {
			g->next_time = sp->start + (uint64_t)off;
			return true;
		}
		g->phase = STREAM_FREE;
		g->buf = 0;
	}
	if (g->phase == STREAM_FREE && g->buf == sp->count)
		return false;
	g->next_time = g->phase == STREAM_ALLOC ? sp->start : sp->start + sp->duration;
	return true;
}

/* Time of @g's next record, or false when it has none left. */
static bool gen_update(struct gen *g)
{
	if (g->kind == GEN_STREAM)
		return stream_update(g);
	if (g->kind == GEN_REPEAT) {
		if (!g->nr_items)
			return false;
		g->next_time = g->items[0].time;
		return true;
	}
	if (free_due(g)) {
		g->next_time = g->frees[0].time;
		return true;
	}
	if (g->allocs_done)
		return false;
	g->next_time = g->alloc_time;
	return true;
}

void cmasim__churn_start(struct cmasim_trace *t, const struct churn_params *cp, struct pos p)
{
	struct gen *g = g_new0(struct gen, 1);

	g->index = t->nr_gens++;
	g->kind = GEN_CHURN;
	g->pos = p;
	g->cp = *cp;
	g->rng = t->seed ^ (UINT64_C(0x9e3779b97f4a7c15) * (g->index + UINT64_C(1)));
	churn_schedule(g);
	gen_update(g);
	gen_push(t, g);
}

void cmasim__repeat_start(struct cmasim_trace *t, struct repeat_params *rp, struct pos p)
{
	struct gen *g = g_new0(struct gen, 1);
	uint32_t longest = 0;

	g->index = t->nr_gens++;
	g->kind = GEN_REPEAT;
	g->pos = p;
	g->rp = *rp;
	rp->ev = NULL;
	rp->nr_ev = 0;
	/* Block times never go backwards, so iteration 0 in block order is already a heap. */
	g->items = g_new(struct rep_next, g->rp.nr_ev);
	for (uint32_t j = 0; j < g->rp.nr_ev; j++) {
		g->items[j] = (struct rep_next){ g->rp.start + g->rp.ev[j].rec.time_ns, 0, j };
		/* room for the longest numbered id: its name and an iteration's digits */
		if (g->rp.ev[j].numbered)
			longest = MAX(longest, g->rp.ev[j].id_len + 11);
	}
	if (longest)
		g->id = g_malloc(longest);
	g->nr_items = g->rp.nr_ev;
	gen_update(g);
	gen_push(t, g);
}

void cmasim__stream_start(struct cmasim_trace *t, struct stream_params *sp, struct pos p)
{
	struct gen *g = g_new0(struct gen, 1);

	g->index = t->nr_gens++;
	g->kind = GEN_STREAM;
	g->pos = p;
	g->sp = *sp;
	sp->alloc.id = NULL;
	/* the name, then "." and a buffer number below STREAM_MAX_BUFFERS */
	g->id = g_malloc(g->sp.alloc.id_len + 12);
	memcpy(g->id, g->sp.alloc.id, g->sp.alloc.id_len);
	stream_update(g);
	gen_push(t, g);
}

bool cmasim__gen_peek(const struct cmasim_trace *t, uint64_t *time)
{
	if (!t->nr_heap)
		return false;
	*time = t->heap[0]->next_time;
	return true;
}

/* Emits @g's next record: a due free, else allocation k. */
static void churn_step(struct cmasim_trace *t, struct gen *g, struct cmasim_record *rec)
{
	const struct churn_params *cp = &g->cp;
	uint64_t r1, r2, r3, r4, life;
	struct slot *sl;
	uint32_t s;

	memset(rec, 0, sizeof(*rec));
	rec->line = g->pos.line;
	if (free_due(g)) {
		rec->time_ns = g->frees[0].time;
		rec->op = CMASIM_OP_FREE;
		rec->id = g->frees[0].slot;
		cmasim__slot_release(t, rec->id, g->pos);
		free_pop(g);
		return;
	}
	r1 = cmasim_splitmix64(&g->rng);
	r2 = cmasim_splitmix64(&g->rng);
	r3 = cmasim_splitmix64(&g->rng);
	r4 = cmasim_splitmix64(&g->rng);
	s = cmasim__slot_take(t);
	sl = &t->slots[s];
	sl->churn = true;
	sl->gen = g->index;
	sl->k = g->k;
	sl->state = SLOT_ALLOC;
	sl->alloc_pos = g->pos;
	rec->time_ns = g->alloc_time;
	rec->op = CMASIM_OP_ALLOC;
	rec->a = pick(&cp->mts, r2);
	rec->b = pick(&cp->orders, r1);
	rec->c = (r4 >> 11) < cp->pin_threshold ? CMASIM_REC_PIN : 0;
	rec->y = 1;
	rec->id = s;
	if (cp->lifetime) {
		double u = (double)((r3 >> 11) + 1) * 0x1p-53;
		double mean_life = -(double)cp->lifetime * log(u);

		if (mean_life < 0x1p63) {
			life = (uint64_t)llround(mean_life);
			life = life ? life : 1;
			if (life <= UINT64_MAX - g->alloc_time)
				free_push(g, (struct churn_free){ g->alloc_time + life, g->k, s });
		}
	}
	g->k++;
	churn_schedule(g);
}

/* Emits @g's next block event. */
static bool repeat_step(struct cmasim_trace *t, struct gen *g, struct cmasim_record *rec,
			GError **error)
{
	struct rep_next *top = &g->items[0];
	const struct proto *p = &g->rp.ev[top->j];
	struct proto numbered;

	if (p->numbered) {
		numbered = *p;
		memcpy(g->id, p->id, p->id_len - 1);
		numbered.id = g->id;
		numbered.id_len = p->id_len - 1 +
				  (uint32_t)sprintf(g->id + p->id_len - 1, "%" PRIu32, top->iter);
		p = &numbered;
	}
	if (!cmasim__commit(t, p, top->time, top->iter, g->rp.count, rec, error))
		return false;
	if (top->iter + 1 < g->rp.count) {
		top->time += g->rp.period;
		top->iter++;
	} else {
		*top = g->items[--g->nr_items];
	}
	/* Sift the top down on (time, iter, j). */
	for (uint32_t i = 0;;) {
		uint32_t c = 2 * i + 1, m = i;
		struct rep_next tmp;

		for (uint32_t d = c; d < c + 2 && d < g->nr_items; d++) {
			const struct rep_next *a = &g->items[d], *b = &g->items[m];

			if (a->time < b->time || (a->time == b->time &&
			    (a->iter < b->iter || (a->iter == b->iter && a->j < b->j))))
				m = d;
		}
		if (m == i)
			break;
		tmp = g->items[i];
		g->items[i] = g->items[m];
		g->items[m] = tmp;
		i = m;
	}
	return true;
}

/* Emits stream @g's next record: an allocation, a frame or a free of buffer "NAME.i". */
static bool stream_step(struct cmasim_trace *t, struct gen *g, struct cmasim_record *rec,
			GError **error)
{
	const struct stream_params *sp = &g->sp;
	struct proto p = g->phase == STREAM_ALLOC ? sp->alloc :
			 g->phase == STREAM_FRAMES ? sp->frame : sp->free;
	uint32_t buf = g->phase == STREAM_FRAMES ? (uint32_t)((g->frame - 1) % sp->count) : g->buf;

	p.id = g->id;
	p.id_len = sp->alloc.id_len + (uint32_t)sprintf(g->id + sp->alloc.id_len, ".%" PRIu32, buf);
	if (!cmasim__commit(t, &p, g->next_time, 0, 0, rec, error))
		return false;
	if (g->phase == STREAM_FRAMES)
		g->frame++;
	else
		g->buf++;
	return true;
}

bool cmasim__gen_next(struct cmasim_trace *t, struct cmasim_record *rec, GError **error)
{
	struct gen *g = t->heap[0];

	if (g->kind == GEN_CHURN)
		churn_step(t, g, rec);
	else if (g->kind == GEN_REPEAT ? !repeat_step(t, g, rec, error) :
		 !stream_step(t, g, rec, error))
		return false;
	if (!gen_update(g)) {
		t->heap[0] = t->heap[--t->nr_heap];
		gen_free(g);
		if (!t->nr_heap)
			return true;
	}
	gen_sift_down(t, 0);
	return true;
}

void cmasim__gen_free_all(struct cmasim_trace *t)
{
	for (uint32_t i = 0; i < t->nr_heap; i++)
		gen_free(t->heap[i]);
	g_free(t->heap);
	t->heap = NULL;
	t->nr_heap = t->heap_cap = 0;
}

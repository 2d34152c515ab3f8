// SPDX-License-Identifier: GPL-2.0-only
/*
 * The search for the smallest size that meets a target: see
 * cmasim/search.h.
 */
#include "cmasim/search.h"

/* One size tried. */
struct tried {
	uint64_t size;
	bool holds;
};

struct cmasim_search {
	uint64_t step, from, to;
	unsigned int points;
	GArray *tried;		/* struct tried, ascending */
	bool scanned;		/* the even scan was handed out */
};

struct cmasim_search *cmasim_search_new(uint64_t from, uint64_t to, uint64_t step,
					unsigned int points)
{
	struct cmasim_search *s = g_new0(struct cmasim_search, 1);

	g_return_val_if_fail(step > 0, NULL);
	s->step = step;
	s->from = MAX(from / step, 1) * step;
	s->to = MAX(to / step * step, s->from);
	s->points = MAX(points, 2);
	s->tried = g_array_new(FALSE, FALSE, sizeof(struct tried));
	return s;
}

void cmasim_search_free(struct cmasim_search *s)
{
	if (!s)
		return;
	g_array_unref(s->tried);
	g_free(s);
}

/* The index of @size in tried, or where it would go. */
static guint place(const struct cmasim_search *s, uint64_t size)
{
	guint lo = 0, hi = s->tried->len;

	while (lo < hi) {
		guint mid = (lo + hi) / 2;

		if (g_array_index(s->tried, struct tried, mid).size < size)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool was_tried(const struct cmasim_search *s, uint64_t size)
{
	guint i = place(s, size);

	return i < s->tried->len && g_array_index(s->tried, struct tried, i).size == size;
}

/* Appends to @out the multiples of the step spread evenly over [@lo, @hi], not tried yet. */
static void spread(const struct cmasim_search *s, uint64_t lo, uint64_t hi, GArray *out)
{
	uint64_t n = (hi - lo) / s->step + 1;

	for (unsigned int k = 0; k < MIN(n, s->points); k++) {
		/* the k-th of points even places, rounded down to a multiple of the step */
		uint64_t i = n <= s->points ? k : (uint64_t)k * (n - 1) / (s->points - 1);
		uint64_t size = lo + i * s->step;

		if (!was_tried(s, size) &&
		    (!out->len || g_array_index(out, uint64_t, out->len - 1) != size))
			g_array_append_val(out, size);
	}
}

GArray *cmasim_search_next(struct cmasim_search *s)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	guint first;

	if (!s->scanned) {
		s->scanned = true;
		spread(s, s->from, s->to, out);
		return out;
	}
	/* the gap between the smallest size that held and the size tried below it */
	for (first = 0; first < s->tried->len; first++)
		if (g_array_index(s->tried, struct tried, first).holds)
			break;
	if (first == s->tried->len || !first)
		return out;
	uint64_t lo = g_array_index(s->tried, struct tried, first - 1).size + s->step;
	uint64_t hi = g_array_index(s->tried, struct tried, first).size - s->step;

	if (lo <= hi && hi - lo < UINT64_MAX)
		spread(s, lo, hi, out);
	return out;
}

void cmasim_search_result(struct cmasim_search *s, uint64_t size, bool holds)
{
	struct tried t = { size, holds };
	guint i = place(s, size);

	g_return_if_fail(i == s->tried->len || g_array_index(s->tried, struct tried, i).size != size);
	g_array_insert_val(s->tried, i, t);
}

unsigned int cmasim_search_nr_tried(const struct cmasim_search *s)
{
	return s->tried->len;
}

void cmasim_search_tried(const struct cmasim_search *s, unsigned int i, uint64_t *size,
			 bool *holds)
{
	const struct tried *t = &g_array_index(s->tried, struct tried, i);

	*size = t->size;
	*holds = t->holds;
}

bool cmasim_search_smallest(const struct cmasim_search *s, uint64_t *size)
{
	for (guint i = 0; i < s->tried->len; i++) {
		const struct tried *t = &g_array_index(s->tried, struct tried, i);

		if (t->holds) {
			*size = t->size;
			return true;
		}
	}
	return false;
}

bool cmasim_search_always(const struct cmasim_search *s, uint64_t *size)
{
	bool found = false;

	for (guint i = s->tried->len; i-- > 0;) {
		const struct tried *t = &g_array_index(s->tried, struct tried, i);

		if (!t->holds)
			break;
		*size = t->size;
		found = true;
	}
	return found;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event queue as a binary min-heap on (time, seq), as libuv keeps its
 * timers, and FIFO resources on top of it.
 */
#include <glib.h>

#include "cmasim/event.h"

struct event {
	uint64_t time;
	uint64_t seq;		/* push order: breaks ties so equal times replay in order */
	cmasim_event_fn fn;
	void *arg;
	uint64_t data;
};

struct cmasim_eventq {
	GArray *heap;		/* of struct event */
	uint64_t now;
	uint64_t next_seq;
};

struct cmasim_eventq *cmasim_eventq_new(void)
{
	struct cmasim_eventq *q = g_new0(struct cmasim_eventq, 1);

	q->heap = g_array_sized_new(FALSE, FALSE, sizeof(struct event), 64);
	return q;
}

void cmasim_eventq_free(struct cmasim_eventq *q)
{
	if (!q)
		return;
	g_array_free(q->heap, TRUE);
	g_free(q);
}

uint64_t cmasim_eventq_now(const struct cmasim_eventq *q)
{
	return q->now;
}

static bool before(const struct event *a, const struct event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

void cmasim_eventq_push(struct cmasim_eventq *q, uint64_t time_ns, cmasim_event_fn fn,
			void *arg, uint64_t data)
{
	g_return_if_fail(time_ns >= q->now && fn);
	struct event ev = { time_ns, q->next_seq++, fn, arg, data };
	struct event *h;
	guint i = q->heap->len;

	g_array_set_size(q->heap, i + 1);
	h = &g_array_index(q->heap, struct event, 0);
	while (i > 0 && before(&ev, &h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = ev;
}

void cmasim_eventq_set_now(struct cmasim_eventq *q, uint64_t time_ns)
{
	g_return_if_fail(time_ns >= q->now && (!q->heap->len ||
			 time_ns <= g_array_index(q->heap, struct event, 0).time));
	q->now = time_ns;
}

bool cmasim_eventq_peek(const struct cmasim_eventq *q, uint64_t *time_ns)
{
	if (!q->heap->len)
		return false;
	*time_ns = g_array_index(q->heap, struct event, 0).time;
	return true;
}

bool cmasim_eventq_pop(struct cmasim_eventq *q)
{
	if (!q->heap->len)
		return false;

	struct event *h = &g_array_index(q->heap, struct event, 0);
	struct event ev = h[0], last = h[q->heap->len - 1];
	guint n = q->heap->len - 1, i = 0;

	/* Sift the last event down from the root before running the first. */
	for (;;) {
		guint c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && before(&h[c + 1], &h[c]))
			c++;
		if (!before(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = last;
	g_array_set_size(q->heap, n);

	q->now = ev.time;
	ev.fn(q, ev.arg, ev.data);
	return true;
}

struct waiter {
	cmasim_event_fn fn;
	void *arg;
	uint64_t data;
};

struct cmasim_resource {
	struct cmasim_eventq *q;
	bool held;
	GQueue waiters;		/* of struct waiter *, first come first served */
};

struct cmasim_resource *cmasim_resource_new(struct cmasim_eventq *q)
{
	struct cmasim_resource *res = g_new0(struct cmasim_resource, 1);

	res->q = q;
	g_queue_init(&res->waiters);
	return res;
}

void cmasim_resource_free(struct cmasim_resource *res)
{
	if (!res)
		return;
	g_queue_clear_full(&res->waiters, g_free);
	g_free(res);
}

void cmasim_resource_acquire(struct cmasim_resource *res, cmasim_event_fn fn, void *arg,
			     uint64_t data)
{
	if (!res->held) {
		res->held = true;
		cmasim_eventq_push(res->q, res->q->now, fn, arg, data);
		return;
	}
	struct waiter *w = g_new(struct waiter, 1);

	*w = (struct waiter){ fn, arg, data };
	g_queue_push_tail(&res->waiters, w);
}

void cmasim_resource_release(struct cmasim_resource *res)
{
	g_return_if_fail(res->held);
	struct waiter *w = g_queue_pop_head(&res->waiters);

	if (!w) {
		res->held = false;
		return;
	}
	cmasim_eventq_push(res->q, res->q->now, w->fn, w->arg, w->data);
	g_free(w);
}

unsigned int cmasim_resource_nr_waiting(const struct cmasim_resource *res)
{
	return res->waiters.length;
}

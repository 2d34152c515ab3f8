// SPDX-License-Identifier: GPL-2.0-only
/* The event queue and resources: ordering by (time, push order), waiting. */
#include <criterion/criterion.h>
#include <glib.h>

#include "cmasim/event.h"

/* Every handler appends "<data>@<now>" to this log. */
static GString *trace_log;

static void log_event(struct cmasim_eventq *q, void *arg, uint64_t data)
{
	(void)arg;
	g_string_append_printf(trace_log, "%s%" G_GUINT64_FORMAT "@%" G_GUINT64_FORMAT,
			       trace_log->len ? " " : "", data, cmasim_eventq_now(q));
}

static void setup(void)
{
	trace_log = g_string_new(NULL);
}

static void teardown(void)
{
	g_string_free(trace_log, TRUE);
}

TestSuite(event, .init = setup, .fini = teardown);

static void run_all(struct cmasim_eventq *q)
{
	while (cmasim_eventq_pop(q))
		;
}

Test(event, time_order_then_push_order)
{
	struct cmasim_eventq *q = cmasim_eventq_new();
	uint64_t next = 0;

	cr_expect_not(cmasim_eventq_peek(q, &next));
	cmasim_eventq_push(q, 30, log_event, NULL, 1);
	cmasim_eventq_push(q, 10, log_event, NULL, 2);
	cmasim_eventq_push(q, 30, log_event, NULL, 3);
	cmasim_eventq_push(q, 20, log_event, NULL, 4);
	cmasim_eventq_push(q, 10, log_event, NULL, 5);
	cr_expect(cmasim_eventq_peek(q, &next));
	cr_expect_eq(next, 10);
	run_all(q);
	/* 10: pushed 2 then 5; 20: 4; 30: 1 then 3 */
	cr_expect_str_eq(trace_log->str, "2@10 5@10 4@20 1@30 3@30");
	cr_expect_eq(cmasim_eventq_now(q), 30);
	cmasim_eventq_free(q);
}

/* An event may be due at 2^64 - 1 ns: pending until it runs, not a sign of none. */
Test(event, event_at_the_largest_time_is_pending)
{
	struct cmasim_eventq *q = cmasim_eventq_new();
	uint64_t next = 0;

	cmasim_eventq_push(q, UINT64_MAX, log_event, NULL, 1);
	cr_expect(cmasim_eventq_peek(q, &next));
	cr_expect_eq(next, UINT64_MAX);
	cr_expect(cmasim_eventq_pop(q));
	cr_expect_not(cmasim_eventq_peek(q, &next));
	cr_expect_str_eq(trace_log->str, "1@18446744073709551615");
	cmasim_eventq_free(q);
}

/* Pushes an event at the current time, and one later, from inside a handler. */
static void spawn(struct cmasim_eventq *q, void *arg, uint64_t data)
{
	log_event(q, arg, data);
	cmasim_eventq_push(q, cmasim_eventq_now(q), log_event, NULL, data * 10);
	cmasim_eventq_push(q, cmasim_eventq_now(q) + 5, log_event, NULL, data * 100);
}

Test(event, events_pushed_while_dispatching_queue_behind_those_due)
{
	struct cmasim_eventq *q = cmasim_eventq_new();

	cmasim_eventq_push(q, 0, spawn, NULL, 1);
	cmasim_eventq_push(q, 0, log_event, NULL, 2);
	cmasim_eventq_push(q, 5, log_event, NULL, 3);
	run_all(q);
	/*
	 * 1 runs and pushes 10 (at 0) and 100 (at 5): 10 comes after 2, which
	 * was queued before it; at 5, 3 was queued before 100.
	 */
	cr_expect_str_eq(trace_log->str, "1@0 2@0 10@0 3@5 100@5");
	cmasim_eventq_free(q);
}

static struct cmasim_resource *mutex;

/* Holds the mutex for @data ns, then releases it. */
static void hold(struct cmasim_eventq *q, void *arg, uint64_t data);

static void release(struct cmasim_eventq *q, void *arg, uint64_t data)
{
	(void)arg;
	(void)data;
	g_string_append_printf(trace_log, " rel@%" G_GUINT64_FORMAT, cmasim_eventq_now(q));
	cmasim_resource_release(mutex);
}

static void hold(struct cmasim_eventq *q, void *arg, uint64_t data)
{
	log_event(q, arg, data);
	cmasim_eventq_push(q, cmasim_eventq_now(q) + data, release, NULL, 0);
}

static void ask(struct cmasim_eventq *q, void *arg, uint64_t data)
{
	(void)q;
	cmasim_resource_acquire(mutex, hold, arg, data);
}

Test(event, resource_serves_waiters_in_order_when_released)
{
	struct cmasim_eventq *q = cmasim_eventq_new();

	mutex = cmasim_resource_new(q);
	/* three users ask at 0, 2 and 3 to hold it for 10, 20 and 5 ns */
	cmasim_eventq_push(q, 0, ask, NULL, 10);
	cmasim_eventq_push(q, 2, ask, NULL, 20);
	cmasim_eventq_push(q, 3, ask, NULL, 5);
	for (uint64_t next; cmasim_eventq_peek(q, &next) && next <= 3;)
		cmasim_eventq_pop(q);
	cr_expect_eq(cmasim_resource_nr_waiting(mutex), 2);
	run_all(q);
	/*
	 * The first holds 0..10; the second, waiting since 2, gets it at 10
	 * and holds it to 30; the third, waiting since 3, holds 30..35.
	 */
	cr_expect_str_eq(trace_log->str, "10@0 rel@10 20@10 rel@30 5@30 rel@35");
	cr_expect_eq(cmasim_resource_nr_waiting(mutex), 0);
	cmasim_resource_free(mutex);
	cmasim_eventq_free(q);
}

struct stamp {
	uint64_t time, order;
};

static struct stamp *popped;
static size_t nr_popped;

static void record(struct cmasim_eventq *q, void *arg, uint64_t data)
{
	(void)arg;
	popped[nr_popped++] = (struct stamp){ cmasim_eventq_now(q), data };
}

static int by_time_then_order(const void *a, const void *b)
{
	const struct stamp *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

Test(event, heap_matches_a_stable_sort)
{
	enum { N = 20000 };
	struct cmasim_eventq *q = cmasim_eventq_new();
	struct stamp *expect = g_new(struct stamp, N);
	GRand *rand = g_rand_new_with_seed(17);

	popped = g_new(struct stamp, N);
	nr_popped = 0;
	/* few distinct times, so ties are common; order = push order */
	for (uint64_t i = 0; i < N; i++) {
		expect[i] = (struct stamp){ (uint64_t)g_rand_int_range(rand, 0, 500), i };
		cmasim_eventq_push(q, expect[i].time, record, NULL, i);
	}
	qsort(expect, N, sizeof(*expect), by_time_then_order);
	run_all(q);
	cr_assert_eq(nr_popped, N);
	for (size_t i = 0; i < N; i++)
		cr_assert(popped[i].time == expect[i].time && popped[i].order == expect[i].order,
			  "event %zu: got (%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ")", i,
			  popped[i].time, popped[i].order);
	g_rand_free(rand);
	g_free(expect);
	g_free(popped);
	cmasim_eventq_free(q);
}

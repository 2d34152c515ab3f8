/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event queue: simulated time in nanoseconds and what happens when.
 *
 * A min-heap keyed on (time, sequence number): events due at the same time
 * run in the order they were pushed, so every run is deterministic.
 */
#ifndef CMASIM_EVENT_H
#define CMASIM_EVENT_H

#include <stdbool.h>
#include <stdint.h>

struct cmasim_eventq;

typedef void (*cmasim_event_fn)(struct cmasim_eventq *q, void *arg, uint64_t data);

struct cmasim_eventq *cmasim_eventq_new(void);
void cmasim_eventq_free(struct cmasim_eventq *q);

/* The time of the event running now, or of the last one run. */
uint64_t cmasim_eventq_now(const struct cmasim_eventq *q);

/* Schedules @fn(@q, @arg, @data) at @time_ns, which must not be in the past. */
void cmasim_eventq_push(struct cmasim_eventq *q, uint64_t time_ns, cmasim_event_fn fn,
			void *arg, uint64_t data);

/*
 * Moves the clock to @time_ns, for work done outside events (the trace's
 * records); it must not pass a pending event or go back.
 */
void cmasim_eventq_set_now(struct cmasim_eventq *q, uint64_t time_ns);

/*
 * Puts the time of the earliest pending event in *@time_ns; false when
 * none is pending (an event may be due at any time, UINT64_MAX included).
 */
bool cmasim_eventq_peek(const struct cmasim_eventq *q, uint64_t *time_ns);

/*
 * Runs the earliest pending event, advancing now to its time. Returns
 * false when none is pending.
 */
bool cmasim_eventq_pop(struct cmasim_eventq *q);

/*
 * A resource such as a mutex, held by one user at a time. Waiters are
 * served in the order they asked, each resumed by an event at the time
 * the previous holder releases it, so waiting shows in their latency.
 */
struct cmasim_resource;

struct cmasim_resource *cmasim_resource_new(struct cmasim_eventq *q);
void cmasim_resource_free(struct cmasim_resource *res);

/*
 * Calls @fn(@q, @arg, @data) once the caller holds @res: from an event at
 * the current time if @res is free, else when it is handed over.
 */
void cmasim_resource_acquire(struct cmasim_resource *res, cmasim_event_fn fn, void *arg,
			     uint64_t data);

/* Releases @res at the current time, handing it to the first waiter if any. */
void cmasim_resource_release(struct cmasim_resource *res);

/* Users waiting for @res, not counting its holder. */
unsigned int cmasim_resource_nr_waiting(const struct cmasim_resource *res);

#endif

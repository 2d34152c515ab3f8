/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the benchmarks share: the simulator's random sequence, a CPU-time
 * clock and an order to sort runs' times by.
 */
#ifndef CMASIM_TESTS_BENCH_H
#define CMASIM_TESTS_BENCH_H

#include <stdint.h>
#include <time.h>

#include "random.h"

/* Seconds of CPU this process used: on a shared host, time spent waiting for a CPU is not ours. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* qsort() order of doubles, for the best and the median of several runs. */
static inline int bench_by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif

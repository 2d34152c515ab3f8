/* SPDX-License-Identifier: GPL-2.0-only */
/* What the benchmarks share: a fixed random sequence and a CPU-time clock. */
#ifndef CMASIM_TESTS_BENCH_H
#define CMASIM_TESTS_BENCH_H

#include <stdint.h>
#include <time.h>

/* splitmix64: a fixed sequence from @state, the same on every host. */
static inline uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Seconds of CPU this process used: on a shared host, time spent waiting for a CPU is not ours. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif

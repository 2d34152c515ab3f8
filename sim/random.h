/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to sim/: the simulator's one pseudo-random generator, splitmix64
 * (Steele, Lea and Flood, 2014): a 64-bit state, one add and three
 * xor-shift-multiplies per number, and every seed gives a full-period
 * sequence, so runs are reproducible from the seed alone.
 */
#ifndef CMASIM_SIM_RANDOM_H
#define CMASIM_SIM_RANDOM_H

#include <stdint.h>

static inline uint64_t cmasim_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sizes and times as people write them in configs, traces and options.
 */
#ifndef CMASIM_UNITS_H
#define CMASIM_UNITS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A byte count: a decimal or 0x-hex integer with an optional unit (B, K or
 * KiB, M or MiB, G or GiB, T or TiB; binary, as the kernel's memparse),
 * optionally after one space. False on anything else or on overflow.
 */
bool cmasim_parse_size(const char *s, uint64_t *bytes);

/* "true" or "false". */
bool cmasim_parse_bool(const char *s, bool *value);

/* A decimal or 0x-hex integer with nothing after it. */
bool cmasim_parse_uint(const char *s, uint64_t *value);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sizes, times, booleans and integers as people write them in configs,
 * traces and options. This is the one place they are parsed.
 *
 * Every function reads exactly @len bytes (no NUL needed after it; an embedded NUL is
 * simply a character that matches nothing), and a decimal number may not
 * start with 0 unless it is 0, because YAML 1.1 readers of the same file
 * would take 010 for octal 8. Each returns false, leaving the output alone,
 * on anything else or when the value would pass 2^64 - 1.
 * Options and policy parameters use the same rules as files.
 */
#ifndef CMASIM_UNITS_H
#define CMASIM_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A byte count or address: a decimal or 0x-hex integer with an optional
 * unit (B, K or KiB, M or MiB, G or GiB, T or TiB; binary, as the kernel's
 * memparse), optionally after one space. Hex digits are taken greedily, so
 * 0x1B is 27 and 0x1 B is one byte. Leading zeros are allowed after 0x.
 */
bool cmasim_parse_size(const char *s, size_t len, uint64_t *bytes);

/*
 * A time in whole ns: a decimal integer, then a unit ns, us, ms or s,
 * optionally after one space; 0 alone needs no unit. No fractions.
 */
bool cmasim_parse_time(const char *s, size_t len, uint64_t *ns);

/* Exactly "true" or "false". */
bool cmasim_parse_bool(const char *s, size_t len, bool *value);

/* A decimal integer with nothing before or after it: no sign, no hex. */
bool cmasim_parse_uint(const char *s, size_t len, uint64_t *value);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sizes, times, booleans and integers as people write them in configs,
 * traces and options. This is the one place they are parsed.
 *
 * The functions that take a length are the strict ones that files use: the
 * text is exactly @len bytes (no NUL needed after it; an embedded NUL is
 * simply a character that matches nothing), and a decimal number may not
 * start with 0 unless it is 0, because YAML 1.1 readers of the same file
 * would take 010 for octal 8. Each returns false, leaving the output alone,
 * on anything else or when the value would pass 2^64 - 1.
 *
 * The older NUL-terminated functions serve command-line options and policy
 * parameters and keep their looser syntax: leading zeros are decimal, and
 * cmasim_parse_uint() also takes 0x-hex.
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
bool cmasim_parse_size_n(const char *s, size_t len, uint64_t *bytes);

/*
 * A time in whole ns: a decimal integer, then a unit ns, us, ms or s,
 * optionally after one space; 0 alone needs no unit. No fractions.
 */
bool cmasim_parse_time(const char *s, size_t len, uint64_t *ns);

/* Exactly "true" or "false". */
bool cmasim_parse_bool_n(const char *s, size_t len, bool *value);

/* A decimal integer with nothing before or after it: no sign, no hex. */
bool cmasim_parse_uint_n(const char *s, size_t len, uint64_t *value);

/* As cmasim_parse_size_n() on a NUL-terminated @s, but 010M is 10 MiB. */
bool cmasim_parse_size(const char *s, uint64_t *bytes);

/* "true" or "false". */
bool cmasim_parse_bool(const char *s, bool *value);

/* A decimal or 0x-hex integer with nothing after it; leading zeros are decimal. */
bool cmasim_parse_uint(const char *s, uint64_t *value);

#endif

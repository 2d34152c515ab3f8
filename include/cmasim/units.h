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

/* Why a decimal or a time did not parse. */
enum cmasim_parse {
	CMASIM_PARSE_OK,
	CMASIM_PARSE_BAD,	/* not the syntax */
	CMASIM_PARSE_INEXACT,	/* more fraction digits than can be kept */
	CMASIM_PARSE_OVERFLOW,	/* past 2^64 - 1 */
};

/*
 * A decimal "digits[.digits]" as *@num / 10^*@frac, exactly: at most
 * @max_frac fraction digits once trailing zeros are dropped.
 */
enum cmasim_parse cmasim_parse_decimal(const char *s, size_t len, unsigned int max_frac,
				       uint64_t *num, unsigned int *frac);

/* A rate from 0 to 1 with at most six decimals ("0.25", "1") as parts per million. */
bool cmasim_parse_rate_ppm(const char *s, size_t len, uint32_t *ppm);

/*
 * A time in whole ns: a decimal, then a unit ns, us, ms or s, optionally
 * after one space ("5ms", "1.5 us", "0.25s"); 0 alone needs no unit. A
 * fraction finer than 1 ns is INEXACT.
 */
enum cmasim_parse cmasim_parse_time(const char *s, size_t len, uint64_t *ns);

/* Writes @bytes as cmasim_parse_size() reads it back, in the largest unit that divides it. */
char *cmasim_format_size(uint64_t bytes, char buf[static 32]);

/*
 * Writes @ns in the largest unit that shows it exactly ("5ms", "1500ns",
 * "0"), as cmasim_parse_time() reads it back; returns @buf.
 */
char *cmasim_format_time(uint64_t ns, char buf[static 32]);

/* Exactly "true" or "false". */
bool cmasim_parse_bool(const char *s, size_t len, bool *value);

/* A decimal or 0x-hex integer with nothing before or after it: no sign, no unit. */
bool cmasim_parse_uint(const char *s, size_t len, uint64_t *value);
/* Hex digits, with or without 0x, leading zeros allowed, as the kernel prints pfns and addresses. */
bool cmasim_parse_hex(const char *s, size_t len, uint64_t *value);

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sizes, times, decimals, booleans and integers: the one parser of each.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmasim/units.h"

/* A unit and what it multiplies by. */
struct unit {
	const char *name;
	uint64_t scale;
};

/* Binary multiples, as the kernel's memparse() reads them (lib/cmdline.c). */
static const struct unit size_units[] = {
	{ "B", 1 },
	{ "K", UINT64_C(1) << 10 }, { "KiB", UINT64_C(1) << 10 },
	{ "M", UINT64_C(1) << 20 }, { "MiB", UINT64_C(1) << 20 },
	{ "G", UINT64_C(1) << 30 }, { "GiB", UINT64_C(1) << 30 },
	{ "T", UINT64_C(1) << 40 }, { "TiB", UINT64_C(1) << 40 },
};

/*
 * Reads the decimal or 0x-hex integer that starts the @len bytes at @s into
 * *@value; the number of bytes it took, or 0 (and *@value untouched) if
 * there is none or it passes 2^64 - 1.
 */
static size_t scan_integer(const char *s, size_t len, uint64_t *value)
{
	unsigned int base = 10;
	size_t i = 0, first;
	uint64_t v = 0;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (first = i; i < len; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return 0;
		v = v * base + d;
	}
	if (i == first)
		return 0;
	/* memparse() and YAML 1.1 read a leading 0 as octal; refuse rather than guess */
	if (base == 10 && s[first] == '0' && i - first > 1)
		return 0;
	*value = v;
	return i;
}

bool cmasim_parse_size(const char *s, size_t len, uint64_t *bytes)
{
	uint64_t v, scale = 1;
	size_t i = scan_integer(s, len, &v), u;

	if (!i)
		return false;
	/* a unit, after at most one space, or nothing */
	if (i < len) {
		if (s[i] == ' ')
			i++;
		for (u = 0; u < sizeof(size_units) / sizeof(size_units[0]); u++) {
			size_t n = strlen(size_units[u].name);

			if (len - i == n && !memcmp(s + i, size_units[u].name, n))
				break;
		}
		if (u == sizeof(size_units) / sizeof(size_units[0]))
			return false;
		scale = size_units[u].scale;
	}
	if (v > UINT64_MAX / scale)
		return false;
	*bytes = v * scale;
	return true;
}

enum cmasim_parse cmasim_parse_decimal(const char *s, size_t len, unsigned int max_frac,
				       uint64_t *num, unsigned int *frac)
{
	size_t dot = len, end = len;
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && dot == len && i > 0 && i + 1 < len)
			dot = i;
		else if (s[i] < '0' || s[i] > '9')
			return CMASIM_PARSE_BAD;
	}
	/* memparse() and YAML 1.1 read a leading 0 as octal; refuse rather than guess */
	if (!len || (s[0] == '0' && dot > 1))
		return CMASIM_PARSE_BAD;
	/* 1.50 is 1.5: trailing zeros carry no precision to lose */
	if (dot < len) {
		while (s[end - 1] == '0')
			end--;
		if (end == dot + 1)
			end = dot;
	}
	if (end > dot && end - dot - 1 > max_frac)
		return CMASIM_PARSE_INEXACT;
	for (size_t i = 0; i < end; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (i == dot)
			continue;
		if (v > (UINT64_MAX - d) / 10)
			return CMASIM_PARSE_OVERFLOW;
		v = v * 10 + d;
	}
	*num = v;
	*frac = end > dot ? (unsigned int)(end - dot - 1) : 0;
	return CMASIM_PARSE_OK;
}

enum cmasim_parse cmasim_parse_time(const char *s, size_t len, uint64_t *ns)
{
	static const struct {
		const char *name;
		uint64_t scale;
		unsigned int digits;	/* fraction digits a whole ns allows */
	} units[] = {
		{ "ns", 1, 0 },
		{ "us", 1000, 3 },
		{ "ms", 1000 * 1000, 6 },
		{ "s", 1000 * 1000 * 1000, 9 },
	};
	uint64_t num, scale;
	unsigned int frac, u;
	enum cmasim_parse r;

	/* "0" alone is a time in any unit; "5" is not */
	if (len == 1 && s[0] == '0') {
		*ns = 0;
		return CMASIM_PARSE_OK;
	}
	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		size_t n = strlen(units[u].name);

		/* ns, us and ms come before s, so "5ms" is never 5m seconds */
		if (len > n && !memcmp(s + len - n, units[u].name, n))
			break;
	}
	if (u == sizeof(units) / sizeof(units[0]))
		return CMASIM_PARSE_BAD;
	len -= strlen(units[u].name);
	if (len > 1 && s[len - 1] == ' ')
		len--;
	r = cmasim_parse_decimal(s, len, units[u].digits, &num, &frac);
	if (r != CMASIM_PARSE_OK)
		return r;
	scale = units[u].scale;
	for (; frac; frac--)
		scale /= 10;
	if (num > UINT64_MAX / scale)
		return CMASIM_PARSE_OVERFLOW;
	*ns = num * scale;
	return CMASIM_PARSE_OK;
}

char *cmasim_format_size(uint64_t bytes, char buf[static 32])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	/* the largest binary unit that divides it */
	while (bytes && u + 1 < sizeof(units) / sizeof(units[0]) && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, 32, "%" PRIu64 "%s", bytes, units[u]);
	return buf;
}

char *cmasim_format_time(uint64_t ns, char buf[static 32])
{
	if (!ns)
		snprintf(buf, 32, "0");
	else if (ns % 1000000000 == 0)
		snprintf(buf, 32, "%" PRIu64 "s", ns / 1000000000);
	else if (ns % 1000000 == 0)
		snprintf(buf, 32, "%" PRIu64 "ms", ns / 1000000);
	else if (ns % 1000 == 0)
		snprintf(buf, 32, "%" PRIu64 "us", ns / 1000);
	else
		snprintf(buf, 32, "%" PRIu64 "ns", ns);
	return buf;
}

bool cmasim_parse_bool(const char *s, size_t len, bool *value)
{
	if (len == 4 && !memcmp(s, "true", 4)) {
		*value = true;
		return true;
	}
	if (len == 5 && !memcmp(s, "false", 5)) {
		*value = false;
		return true;
	}
	return false;
}

bool cmasim_parse_uint(const char *s, size_t len, uint64_t *value)
{
	uint64_t v;

	if (!len || scan_integer(s, len, &v) != len)
		return false;
	*value = v;
	return true;
}

bool cmasim_parse_hex(const char *s, size_t len, uint64_t *value)
{
	char buf[2 + 16];
	uint64_t v;

	/* the kernel prints pfns and addresses with or without 0x, often zero-padded */
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	while (len > 1 && s[0] == '0') {
		s++;
		len--;
	}
	if (!len || len > 16)
		return false;
	memcpy(buf, "0x", 2);
	memcpy(buf + 2, s, len);
	if (scan_integer(buf, len + 2, &v) != len + 2)
		return false;
	*value = v;
	return true;
}

bool cmasim_parse_rate_ppm(const char *s, size_t len, uint32_t *ppm)
{
	uint64_t num;
	unsigned int frac;

	if (cmasim_parse_decimal(s, len, 6, &num, &frac) != CMASIM_PARSE_OK)
		return false;
	for (; frac < 6; frac++)
		num = num > UINT64_MAX / 10 ? UINT64_MAX : num * 10;
	if (num > 1000000)
		return false;
	*ppm = (uint32_t)num;
	return true;
}

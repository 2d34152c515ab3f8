// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sizes, times, booleans and integers: the one parser of each, with the
 * strict rules of files and the looser ones options have always had.
 */
#include <string.h>

#include "cmasim/units.h"

/* What scan_integer() accepts beyond decimal digits without a leading zero. */
enum {
	ALLOW_HEX = 1u << 0,		/* 0x or 0X, then hex digits */
	ALLOW_LEADING_ZEROS = 1u << 1,	/* 010 is ten */
};

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

static const struct unit time_units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "ms", 1000 * 1000 },
	{ "s", 1000 * 1000 * 1000 },
};

/*
 * Reads the integer that starts the @len bytes at @s into *@value; the
 * number of bytes it took, or 0 (and *@value untouched) if there is none,
 * it passes 2^64 - 1, or @flags do not allow how it is written.
 */
static size_t scan_integer(const char *s, size_t len, unsigned int flags, uint64_t *value)
{
	unsigned int base = 10;
	size_t i = 0, first;
	uint64_t v = 0;

	if ((flags & ALLOW_HEX) && len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
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
	if (base == 10 && !(flags & ALLOW_LEADING_ZEROS) && s[first] == '0' && i - first > 1)
		return 0;
	*value = v;
	return i;
}

/*
 * Reads an integer followed by nothing, or by a unit from @units after at
 * most one space, and scales it; a bare integer needs @unitless. False on
 * anything else or past 2^64 - 1.
 */
static bool scan_quantity(const char *s, size_t len, unsigned int flags, const struct unit *units,
			  size_t nr_units, bool unitless, uint64_t *out)
{
	uint64_t v, scale = 1;
	size_t i = scan_integer(s, len, flags, &v), u;

	if (!i)
		return false;
	if (i < len) {
		if (s[i] == ' ')
			i++;
		for (u = 0; u < nr_units; u++) {
			size_t n = strlen(units[u].name);

			if (len - i == n && !memcmp(s + i, units[u].name, n))
				break;
		}
		if (u == nr_units)
			return false;
		scale = units[u].scale;
	} else if (!unitless) {
		return false;
	}
	if (v > UINT64_MAX / scale)
		return false;
	*out = v * scale;
	return true;
}

bool cmasim_parse_size(const char *s, size_t len, uint64_t *bytes)
{
	return scan_quantity(s, len, ALLOW_HEX, size_units,
			     sizeof(size_units) / sizeof(size_units[0]), true, bytes);
}

bool cmasim_parse_time(const char *s, size_t len, uint64_t *ns)
{
	/* "0" alone is a time in any unit; "5" is not */
	if (len == 1 && s[0] == '0') {
		*ns = 0;
		return true;
	}
	return scan_quantity(s, len, 0, time_units, sizeof(time_units) / sizeof(time_units[0]),
			     false, ns);
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

	if (!len || scan_integer(s, len, 0, &v) != len)
		return false;
	*value = v;
	return true;
}

// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "cmasim/units.h"

/* Parses the integer at *@s, advancing it; false if there is none or it overflows. */
static bool parse_integer(const char **s, uint64_t *value)
{
	unsigned int base = 10;
	const char *p = *s;
	uint64_t v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	const char *digits = p;
	for (;; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned int)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned int)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned int)(*p - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (p == digits)
		return false;
	*s = p;
	*value = v;
	return true;
}

bool cmasim_parse_uint(const char *s, uint64_t *value)
{
	return parse_integer(&s, value) && !*s;
}

bool cmasim_parse_size(const char *s, uint64_t *bytes)
{
	static const struct {
		const char *name;
		unsigned int shift;
	} units[] = {
		{ "", 0 }, { "B", 0 },
		{ "K", 10 }, { "KiB", 10 },
		{ "M", 20 }, { "MiB", 20 },
		{ "G", 30 }, { "GiB", 30 },
		{ "T", 40 }, { "TiB", 40 },
	};
	uint64_t v;

	if (!parse_integer(&s, &v))
		return false;
	if (*s == ' ' && s[1])
		s++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s, units[i].name))
			continue;
		if (v > UINT64_MAX >> units[i].shift)
			return false;
		*bytes = v << units[i].shift;
		return true;
	}
	return false;
}

bool cmasim_parse_bool(const char *s, bool *value)
{
	if (!strcmp(s, "true") || !strcmp(s, "false")) {
		*value = s[0] == 't';
		return true;
	}
	return false;
}

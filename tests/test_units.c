// SPDX-License-Identifier: GPL-2.0-only
/*
 * The unit parsers of include/cmasim/units.h: sizes, times, booleans and
 * integers, strict with an explicit length, and the looser NUL-terminated
 * ones that options use.
 *
 * Every expected value is worked out by hand in a comment or spelled in
 * hex, including the edges at 2^64 - 1 = 18446744073709551615.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <glib.h>

#include "cmasim/units.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)

/* Set by a parser only on success, so a failure must leave it alone. */
#define UNTOUCHED UINT64_C(0x5A5A5A5A5A5A5A5A)

/* One input and what a parser must make of it. */
struct num_case {
	const char *text;
	size_t len;		/* 0: up to the NUL */
	bool ok;
	uint64_t value;		/* when ok */
};

/* The bytes of a string literal, NULs included, but not the final NUL. */
#define LIT(s) s, sizeof(s) - 1

typedef bool (*num_parser)(const char *s, size_t len, uint64_t *out);

/* Runs @parser over @cases; @what names it in messages. */
static void check_cases(const char *what, num_parser parser, const struct num_case *cases,
			size_t nr_cases)
{
	for (size_t i = 0; i < nr_cases; i++) {
		const struct num_case *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		uint64_t v = UNTOUCHED;
		bool ok = parser(c->text, len, &v);

		cr_expect_eq(ok, c->ok, "%s(\"%s\", %zu): %s, expected %s", what, c->text, len,
			     ok ? "true" : "false", c->ok ? "true" : "false");
		if (ok && c->ok)
			cr_expect_eq(v, c->value,
				     "%s(\"%s\", %zu) = %" PRIu64 ", expected %" PRIu64, what,
				     c->text, len, v, c->value);
		if (!ok)
			cr_expect_eq(v, UNTOUCHED, "%s(\"%s\"): output changed on failure", what,
				     c->text);
	}
}

Test(units, size)
{
	static const struct num_case cases[] = {
		{ "0", 0, true, 0 },
		{ "1", 0, true, 1 },
		{ "4096", 0, true, 4096 },
		{ "4096B", 0, true, 4096 },
		{ "4096 B", 0, true, 4096 },
		{ "4K", 0, true, 4 * KiB },
		{ "4 KiB", 0, true, 4 * KiB },
		{ "3M", 0, true, 3 * MiB },
		{ "3MiB", 0, true, 3 * MiB },
		{ "2 G", 0, true, 2 * GiB },
		{ "2GiB", 0, true, 2 * GiB },
		{ "1T", 0, true, TiB },
		{ "1 TiB", 0, true, TiB },
		{ "0x10", 0, true, 16 },
		{ "0X1f", 0, true, 31 },
		{ "0x0010", 0, true, 16 },		/* zeros after 0x are not octal */
		{ "0x1B", 0, true, 27 },		/* B is a hex digit here */
		{ "0x1 B", 0, true, 1 },		/* and a unit after a space */
		{ "0x4 MiB", 0, true, 4 * MiB },
		{ "0xa K", 0, true, 10 * KiB },
		{ "18446744073709551615", 0, true, UINT64_MAX },
		{ "0xFFFFFFFFFFFFFFFF", 0, true, UINT64_MAX },
		{ "18446744073709551615B", 0, true, UINT64_MAX },
		/* (2^24 - 1) TiB = 2^64 - 2^40; (2^34 - 1) GiB = 2^64 - 2^30 */
		{ "16777215TiB", 0, true, UINT64_C(0xFFFFFF0000000000) },
		{ "17179869183 GiB", 0, true, UINT64_C(0xFFFFFFFFC0000000) },
		/* only @len bytes count */
		{ "4MiBXX", 4, true, 4 * MiB },
		{ "4MiB", 1, true, 4 },
		{ "12", 1, true, 1 },

		{ "", 0, false, 0 },
		{ " 4", 0, false, 0 },
		{ "4 ", 0, false, 0 },
		{ "4  K", 0, false, 0 },
		{ "4 KiB ", 0, false, 0 },
		{ "-1", 0, false, 0 },
		{ "+1", 0, false, 0 },
		{ "1.5G", 0, false, 0 },
		{ "010", 0, false, 0 },
		{ "010M", 0, false, 0 },
		{ "00", 0, false, 0 },
		{ "0x", 0, false, 0 },
		{ "0xG", 0, false, 0 },
		{ "0x G", 0, false, 0 },
		{ "0b101", 0, false, 0 },
		{ "4MB", 0, false, 0 },
		{ "4mib", 0, false, 0 },
		{ "4k", 0, false, 0 },
		{ "4Ki", 0, false, 0 },
		{ "KiB", 0, false, 0 },
		{ "18446744073709551616", 0, false, 0 },
		{ "99999999999999999999", 0, false, 0 },
		{ "0x10000000000000000", 0, false, 0 },
		{ "16777216TiB", 0, false, 0 },		/* 2^24 TiB = 2^64 */
		{ "17179869184GiB", 0, false, 0 },	/* 2^34 GiB = 2^64 */
		{ "18014398509481984 K", 0, false, 0 },	/* 2^54 KiB = 2^64 */
		{ LIT("4\0MiB"), false, 0 },
		{ LIT("4\0"), false, 0 },
		{ LIT("4 \0"), false, 0 },
		{ LIT("\0"), false, 0 },
	};

	check_cases("cmasim_parse_size", cmasim_parse_size, cases, G_N_ELEMENTS(cases));
}

/* cmasim_parse_time() as a yes or no, for the table. */
static bool time_ok(const char *s, size_t len, uint64_t *ns)
{
	return cmasim_parse_time(s, len, ns) == CMASIM_PARSE_OK;
}

Test(units, time)
{
	static const struct num_case cases[] = {
		{ "0", 0, true, 0 },
		{ "0ns", 0, true, 0 },
		{ "0 s", 0, true, 0 },
		{ "1ns", 0, true, 1 },
		{ "1 ns", 0, true, 1 },
		{ "200ns", 0, true, 200 },
		{ "5us", 0, true, 5000 },
		{ "5 us", 0, true, 5000 },
		{ "5ms", 0, true, 5000000 },
		{ "5s", 0, true, UINT64_C(5000000000) },
		{ "10 s", 0, true, UINT64_C(10000000000) },
		/* the largest of each unit below 2^64 ns: 2^64 - 1 = 18446744073709551615 */
		{ "18446744073709551615ns", 0, true, UINT64_MAX },
		{ "18446744073709551us", 0, true, UINT64_C(18446744073709551000) },
		{ "18446744073709ms", 0, true, UINT64_C(18446744073709000000) },
		{ "18446744073s", 0, true, UINT64_C(18446744073000000000) },
		/* only @len bytes count */
		{ "10msXX", 4, true, 10000000 },
		{ "3s", 0, true, UINT64_C(3000000000) },
		{ "0s", 1, true, 0 },
		/* fractions, exact to the ns */
		{ "1.5us", 0, true, 1500 },
		{ "1.50 us", 0, true, 1500 },
		{ "0.25s", 0, true, 250000000 },
		{ "0.000000001s", 0, true, 1 },
		{ "2.0ns", 0, true, 2 },

		{ "", 0, false, 0 },
		{ "5", 0, false, 0 },			/* a unit is needed unless it is 0 */
		{ "3s", 1, false, 0 },
		{ "00", 0, false, 0 },
		{ "05ns", 0, false, 0 },
		{ "0x5ns", 0, false, 0 },
		{ "5 ", 0, false, 0 },
		{ "5  ns", 0, false, 0 },
		{ " 5ns", 0, false, 0 },
		{ "5ns ", 0, false, 0 },
		{ "5NS", 0, false, 0 },
		{ "5Ms", 0, false, 0 },
		{ "5m", 0, false, 0 },
		{ "5min", 0, false, 0 },
		{ "5sec", 0, false, 0 },
		{ "5 µs", 0, false, 0 },
		{ "1.5ns", 0, false, 0 },		/* not a whole ns */
		{ "0.0001us", 0, false, 0 },
		{ "01.5us", 0, false, 0 },
		{ ".5us", 0, false, 0 },
		{ "5.us", 0, false, 0 },
		{ "1..5us", 0, false, 0 },
		{ "-1ns", 0, false, 0 },
		{ "+1ns", 0, false, 0 },
		{ "ns", 0, false, 0 },
		/* 2^64 ns, and one more of each unit than above */
		{ "18446744073709551616ns", 0, false, 0 },
		{ "18446744073709552us", 0, false, 0 },
		{ "18446744073710ms", 0, false, 0 },
		{ "18446744074s", 0, false, 0 },
		{ "99999999999999999999s", 0, false, 0 },
		{ LIT("5\0ns"), false, 0 },
		{ LIT("5ns\0"), false, 0 },
		{ LIT("0\0"), false, 0 },
	};

	check_cases("cmasim_parse_time", time_ok, cases, G_N_ELEMENTS(cases));
}

Test(units, uint)
{
	static const struct num_case cases[] = {
		{ "0", 0, true, 0 },
		{ "7", 0, true, 7 },
		{ "10", 0, true, 10 },
		{ "4294967296", 0, true, UINT64_C(1) << 32 },
		{ "18446744073709551615", 0, true, UINT64_MAX },
		{ "12X", 2, true, 12 },
		{ "0x10", 0, true, 16 },
		{ "0XfF", 0, true, 255 },
		{ "0xFFFFFFFFFFFFFFFF", 0, true, UINT64_MAX },

		{ "", 0, false, 0 },
		{ "00", 0, false, 0 },
		{ "010", 0, false, 0 },
		{ "0x", 0, false, 0 },
		{ "0x10000000000000000", 0, false, 0 },
		{ "-1", 0, false, 0 },
		{ "+1", 0, false, 0 },
		{ " 1", 0, false, 0 },
		{ "1 ", 0, false, 0 },
		{ "1K", 0, false, 0 },
		{ "1e3", 0, false, 0 },
		{ "18446744073709551616", 0, false, 0 },
		{ "18446744073709551620", 0, false, 0 },
		{ "99999999999999999999", 0, false, 0 },
		{ LIT("12\0"), false, 0 },
		{ LIT("\0"), false, 0 },
	};

	check_cases("cmasim_parse_uint", cmasim_parse_uint, cases, G_N_ELEMENTS(cases));
}

/* One input for the bool parser: 0 false, 1 true, -1 refused. */
struct bool_case {
	const char *text;
	size_t len;		/* 0: up to the NUL */
	int want;
};

Test(units, boolean)
{
	static const struct bool_case cases[] = {
		{ "true", 0, 1 },
		{ "false", 0, 0 },
		{ "trueX", 4, 1 },
		{ "falsehood", 5, 0 },

		{ "", 0, -1 },
		{ "True", 0, -1 },
		{ "TRUE", 0, -1 },
		{ "False", 0, -1 },
		{ "yes", 0, -1 },
		{ "no", 0, -1 },
		{ "on", 0, -1 },
		{ "1", 0, -1 },
		{ "0", 0, -1 },
		{ "tru", 0, -1 },
		{ "true", 3, -1 },
		{ "true ", 0, -1 },
		{ " true", 0, -1 },
		{ "falsey", 0, -1 },
		{ LIT("true\0"), -1 },
		{ LIT("fal\0se"), -1 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct bool_case *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		bool v = c->want != 1;	/* the opposite of what a success must give */
		bool before = v;
		bool ok = cmasim_parse_bool(c->text, len, &v);

		cr_expect_eq(ok, c->want >= 0, "cmasim_parse_bool(\"%s\", %zu): %d", c->text,
			     len, ok);
		if (ok)
			cr_expect_eq(v, c->want == 1, "cmasim_parse_bool(\"%s\", %zu) = %d",
				     c->text, len, v);
		else
			cr_expect_eq(v, before, "cmasim_parse_bool(\"%s\"): output changed",
				     c->text);
	}
}

Test(units, decimal_and_why_a_time_failed)
{
	uint64_t num = 0, ns = 0;
	unsigned int frac = 99;

	/* 0.01: 1 / 10^2 */
	cr_expect_eq(cmasim_parse_decimal("0.01", 4, 9, &num, &frac), CMASIM_PARSE_OK);
	cr_expect(num == 1 && frac == 2);
	/* trailing zeros drop: 2000.500 is 20005 / 10 */
	cr_expect_eq(cmasim_parse_decimal("2000.500", 8, 9, &num, &frac), CMASIM_PARSE_OK);
	cr_expect(num == 20005 && frac == 1);
	cr_expect_eq(cmasim_parse_decimal("1.0000000001", 12, 9, &num, &frac),
		     CMASIM_PARSE_INEXACT);
	cr_expect_eq(cmasim_parse_decimal("18446744073709551616", 20, 9, &num, &frac),
		     CMASIM_PARSE_OVERFLOW);
	cr_expect_eq(cmasim_parse_decimal("1.5e3", 5, 9, &num, &frac), CMASIM_PARSE_BAD);
	cr_expect_eq(cmasim_parse_time("1.5ns", 5, &ns), CMASIM_PARSE_INEXACT);
	cr_expect_eq(cmasim_parse_time("18446744074s", 12, &ns), CMASIM_PARSE_OVERFLOW);
	cr_expect_eq(cmasim_parse_time("5min", 4, &ns), CMASIM_PARSE_BAD);
	cr_expect_eq(ns, 0, "output changed on failure");
}

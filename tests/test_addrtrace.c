// SPDX-License-Identifier: GPL-2.0-only
/*
 * Address-trace readers: each format, format detection, gzip, lines across
 * buffer refills, and a table of bad lines with their exact messages.
 */
#include <criterion/criterion.h>
#include <gio/gio.h>
#include <inttypes.h>
#include <string.h>

#include "cmasim/addrtrace.h"
#include "cmasim/error.h"
#include "scratch.h"

/* @text opened as trace "t.txt" in @format; fails the test if it cannot be. */
static struct cmasim_addrtrace *open_text(const char *text, enum cmasim_addrtrace_format format)
{
	GError *error = NULL;
	struct cmasim_addrtrace *t = cmasim_addrtrace_open_data("t.txt", text, strlen(text), format,
								 &error);

	cr_assert_not_null(t, "%s", error ? error->message : "");
	return t;
}

/* Reads the records of @t into "op addr size" lines, up to its end or its first @error. */
static char *records_until_error(struct cmasim_addrtrace *t, GError **error)
{
	static const char ops[] = "RWMCI";
	GString *out = g_string_new(NULL);
	struct cmasim_addr_ref ref;

	while (cmasim_addrtrace_next(t, &ref, error) > 0)
		g_string_append_printf(out, "%c %#" PRIx64 " %" PRIu32 "\n", ops[ref.op], ref.addr,
				       ref.size);
	return g_string_free(out, FALSE);
}

/* Reads every record of @t into "op addr size" lines; fails the test at an error. */
static char *records(struct cmasim_addrtrace *t)
{
	GError *error = NULL;
	char *out = records_until_error(t, &error);

	cr_assert_null(error, "%s", error ? error->message : "");
	return out;
}

Test(addrtrace, lackey_loads_stores_and_modifies_without_instruction_fetches)
{
	struct cmasim_addrtrace *t = open_text(
		"==1234== Lackey, an example Valgrind tool\n"
		"==1234== Command: ./a.out\n"
		"I  04000b40,3\n"
		" L 1ffefffe78,8\n"
		" S 04022bd8,4\n"
		" M 0402ab00,16\n"
		"I  04000b43,5\n"
		" L 00000010,1\n"
		"==1234== \n", CMASIM_ADDRTRACE_AUTO);
	g_autofree char *got = NULL;

	cr_expect_eq(cmasim_addrtrace_format(t), CMASIM_ADDRTRACE_LACKEY);
	got = records(t);
	cr_expect_str_eq(got,
			 "R 0x1ffefffe78 8\n"
			 "W 0x4022bd8 4\n"
			 "M 0x402ab00 16\n"
			 "R 0x10 1\n");
	cr_expect_eq(cmasim_addrtrace_nr_ifetches(t), 2);
	cmasim_addrtrace_close(t);
}

Test(addrtrace, din_labels_sizes_and_dineros_word_rule)
{
	struct cmasim_addrtrace *t = open_text(
		"# a comment, then a blank line\n"
		"\n"
		"0 1000\n"			/* no size: 4 bytes */
		"1 0x2003 this is a comment\n"	/* no size: rounded down to 0x2000 */
		"2 400000\n"			/* instruction fetch */
		"3 1006 2\n"			/* misc, a read; a size keeps the address */
		"4 3000 64\n"			/* copy-back */
		"5 3040 64 and a comment\n"	/* invalidate */
		"0 ABCDEF 8\n"
		"1\t0x10\t4\n", CMASIM_ADDRTRACE_AUTO);
	g_autofree char *got = NULL;

	cr_expect_eq(cmasim_addrtrace_format(t), CMASIM_ADDRTRACE_DIN);
	got = records(t);
	cr_expect_str_eq(got,
			 "R 0x1000 4\n"
			 "W 0x2000 4\n"
			 "R 0x1006 2\n"
			 "C 0x3000 64\n"
			 "I 0x3040 64\n"
			 "R 0xabcdef 8\n"
			 "W 0x10 4\n");
	cr_expect_eq(cmasim_addrtrace_nr_ifetches(t), 1);
	cmasim_addrtrace_close(t);
}

Test(addrtrace, plain_reads_and_writes_with_blank_lines_comments_and_crlf)
{
	struct cmasim_addrtrace *t = open_text(
		"R 1000 4\r\n"
		"   \n"
		"# comment\n"
		"W 0x2000 8\r\n"
		"R\tdeadbeef\t16  \n"
		"W ffffffffffffffff 1", CMASIM_ADDRTRACE_AUTO);
	g_autofree char *got = NULL;

	cr_expect_eq(cmasim_addrtrace_format(t), CMASIM_ADDRTRACE_PLAIN);
	got = records(t);
	cr_expect_str_eq(got,
			 "R 0x1000 4\n"
			 "W 0x2000 8\n"
			 "R 0xdeadbeef 16\n"
			 "W 0xffffffffffffffff 1\n");
	cmasim_addrtrace_close(t);
}

Test(addrtrace, an_empty_trace_has_no_records_and_no_format)
{
	struct cmasim_addrtrace *t = open_text("# nothing\n\n", CMASIM_ADDRTRACE_AUTO);
	g_autofree char *got = records(t);

	cr_expect_str_eq(got, "");
	cr_expect_eq(cmasim_addrtrace_format(t), CMASIM_ADDRTRACE_AUTO);
	cmasim_addrtrace_close(t);
}

Test(addrtrace, format_names)
{
	enum cmasim_addrtrace_format f = CMASIM_ADDRTRACE_AUTO;

	cr_expect(cmasim_addrtrace_format_parse("lackey", &f));
	cr_expect_eq(f, CMASIM_ADDRTRACE_LACKEY);
	cr_expect(cmasim_addrtrace_format_parse("plain", &f));
	cr_expect_eq(f, CMASIM_ADDRTRACE_PLAIN);
	cr_expect_not(cmasim_addrtrace_format_parse("Lackey", &f));
	cr_expect_str_eq(cmasim_addrtrace_format_name(CMASIM_ADDRTRACE_DIN), "din");
	cr_expect_str_eq(cmasim_addrtrace_format_name(CMASIM_ADDRTRACE_AUTO), "auto");
	cr_expect(cmasim_addrtrace_format_parse("binary", &f));
	cr_expect_eq(f, CMASIM_ADDRTRACE_BINARY);
}

/* A bad line, third in a trace of @format after a good record and a comment. */
struct bad_line {
	enum cmasim_addrtrace_format format;
	const char *line;
	unsigned int col;
	const char *message;
};

static const char *const good_line[] = {
	[CMASIM_ADDRTRACE_LACKEY] = " L 1000,4",
	[CMASIM_ADDRTRACE_DIN] = "0 1000",
	[CMASIM_ADDRTRACE_PLAIN] = "R 1000 4",
};

#define LACKEY CMASIM_ADDRTRACE_LACKEY
#define DIN CMASIM_ADDRTRACE_DIN
#define PLAIN CMASIM_ADDRTRACE_PLAIN

static const struct bad_line bad_lines[] = {
	{ LACKEY, " X 1000,4", 1, "unknown lackey record ' X 1000,4' (expected 'I  addr,size', "
	  "' L addr,size', ' S addr,size', ' M addr,size' or a ==pid== line)" },
	{ LACKEY, "L 1000,4", 1, "unknown lackey record 'L 1000,4' (expected 'I  addr,size', "
	  "' L addr,size', ' S addr,size', ' M addr,size' or a ==pid== line)" },
	{ LACKEY, " L zz,4", 4, "bad address 'zz' (expected hex digits)" },
	{ LACKEY, " L 12345678901234567,4", 4, "address '12345678901234567' has more than 16 hex "
	  "digits (expected a 64-bit address)" },
	{ LACKEY, " L 1000 4", 8, "' ' after the address (expected ',' and the size)" },
	{ LACKEY, " L 1000", 8, "missing size (expected ',' and the size after the address)" },
	{ LACKEY, " L 1000,", 9, "missing size (expected a decimal number of bytes from 1 to "
	  "4096)" },
	{ LACKEY, " L 1000,0", 9, "bad size '0' (expected a decimal number of bytes from 1 to "
	  "4096)" },
	{ LACKEY, " L 1000,4097", 9, "bad size '4097' (expected a decimal number of bytes from 1 "
	  "to 4096)" },
	{ LACKEY, " L 1000,8x", 9, "bad size '8x' (expected a decimal number of bytes from 1 to "
	  "4096)" },
	{ LACKEY, " S 1000,8 x", 11, "unexpected 'x' after the size (expected the end of the "
	  "line)" },
	{ LACKEY, " M ffffffffffffffff,2", 4, "2 bytes at 0xffffffffffffffff pass the top of the "
	  "address space (expected an access below 2^64)" },
	{ LACKEY, "I  zz,3", 4, "bad address 'zz' (expected hex digits)" },
	{ DIN, "7 1000", 1, "bad label '7' (expected 0 read, 1 write, 2 instruction fetch, "
	  "3 misc, 4 copy-back or 5 invalidate)" },
	{ DIN, "01 1000", 1, "bad label '01' (expected 0 read, 1 write, 2 instruction fetch, "
	  "3 misc, 4 copy-back or 5 invalidate)" },
	{ DIN, "0", 2, "missing address (expected 'label address [size]')" },
	{ DIN, "0  ", 4, "missing address (expected 'label address [size]')" },
	{ DIN, "0 xyz", 3, "bad address 'xyz' (expected hex digits)" },
	{ DIN, "1 10g0", 5, "'g0' after the address (expected a blank, then a size or a "
	  "comment)" },
	{ DIN, "0 1000 0", 8, "bad size '0' (expected a decimal number of bytes from 1 to "
	  "4096)" },
	{ DIN, "0 1000 12abc", 8, "bad size '12abc' (expected a decimal number of bytes from 1 "
	  "to 4096)" },
	{ DIN, "0 ffffffffffffffff 8", 3, "8 bytes at 0xffffffffffffffff pass the top of the "
	  "address space (expected an access below 2^64)" },
	{ PLAIN, "X 1000 4", 1, "bad access 'X' (expected R or W, a blank, the address and the "
	  "size)" },
	{ PLAIN, "r 1000 4", 1, "bad access 'r' (expected R or W, a blank, the address and the "
	  "size)" },
	{ PLAIN, "R 1000", 7, "missing size (expected 'R|W address size')" },
	{ PLAIN, "R 1000,4", 7, "',' after the address (expected a blank and the size)" },
	{ PLAIN, "W -5 4", 3, "bad address '-5' (expected hex digits)" },
	{ PLAIN, "R 1000 4 5", 10, "unexpected '5' after the size (expected the end of the "
	  "line)" },
	{ PLAIN, "W 0x1000 4096x", 10, "bad size '4096x' (expected a decimal number of bytes "
	  "from 1 to 4096)" },
	{ PLAIN, " L 1000,4", 1, "bad access ' ' (expected R or W, a blank, the address and the "
	  "size)" },
	{ PLAIN, "R 12345678901234567 4", 3, "address '12345678901234567' has more than 16 hex "
	  "digits (expected a 64-bit address)" },
	{ PLAIN, "R  16", 6, "missing size (expected 'R|W address size')" },
	{ PLAIN, "R 0x 4", 4, "'x' after the address (expected a blank and the size)" },
	{ PLAIN, "W 1000 0", 8, "bad size '0' (expected a decimal number of bytes from 1 to "
	  "4096)" },
	{ PLAIN, "W 1000 4097", 8, "bad size '4097' (expected a decimal number of bytes from 1 "
	  "to 4096)" },
	{ PLAIN, "W 1000 12345", 8, "bad size '12345' (expected a decimal number of bytes from 1 "
	  "to 4096)" },
	{ PLAIN, "R ffffffffffffffff 2", 3, "2 bytes at 0xffffffffffffffff pass the top of the "
	  "address space (expected an access below 2^64)" },
	{ PLAIN, "W 1000 4\r\r", 8, "bad size '4\\r' (expected a decimal number of bytes from 1 "
	  "to 4096)" },
};

/* Reads the good first record of @t, then expects its bad second one to give @want. */
static void expect_bad_second_record(struct cmasim_addrtrace *t, const char *want, size_t row)
{
	struct cmasim_addr_ref ref;
	GError *error = NULL;

	cr_expect_eq(cmasim_addrtrace_next(t, &ref, &error), 1, "row %zu", row);
	cr_expect_eq(cmasim_addrtrace_next(t, &ref, &error), -1, "row %zu", row);
	cr_assert_not_null(error, "row %zu", row);
	cr_expect(g_error_matches(error, CMASIM_ERROR, CMASIM_ERROR_VALUE), "row %zu", row);
	cr_expect_str_eq(error->message, want, "row %zu", row);
	g_clear_error(&error);
}

Test(addrtrace, bad_lines_name_file_line_column_and_what_was_expected)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_lines); i++) {
		const struct bad_line *b = &bad_lines[i];
		g_autofree char *text = g_strdup_printf("%s\n# comment\n%s\n%s\n", good_line[b->format],
							b->line, good_line[b->format]);
		g_autofree char *want = g_strdup_printf("t.txt:3:%u: %s", b->col, b->message);
		struct cmasim_addrtrace *t = open_text(text, b->format);
		struct cmasim_addr_ref ref;
		GError *error = NULL;

		expect_bad_second_record(t, want, i);
		/* the reader goes on after the bad line */
		cr_expect_eq(cmasim_addrtrace_next(t, &ref, &error), 1, "row %zu", i);
		cr_expect_eq(ref.addr, 0x1000);
		cmasim_addrtrace_close(t);

		/* detected, the line gives the same message */
		t = open_text(text, CMASIM_ADDRTRACE_AUTO);
		cr_expect_eq(cmasim_addrtrace_format(t), b->format, "row %zu", i);
		expect_bad_second_record(t, want, i);
		cmasim_addrtrace_close(t);

		/* right after a record, with a long line behind it: read as records mostly are */
		g_autofree char *packed = g_strdup_printf("%s\n%s\n%s\n#%40s\n",
							  good_line[b->format], b->line,
							  good_line[b->format], "");
		g_autofree char *want2 = g_strdup_printf("t.txt:2:%u: %s", b->col, b->message);

		t = open_text(packed, b->format);
		expect_bad_second_record(t, want2, i);
		cmasim_addrtrace_close(t);
	}
}

Test(addrtrace, an_unknown_format_is_refused_at_its_first_record_line)
{
	static const char text[] = "# comment\n\n   \nhello world\n";
	GError *error = NULL;

	cr_expect_null(cmasim_addrtrace_open_data("t.txt", text, strlen(text),
						  CMASIM_ADDRTRACE_AUTO, &error));
	cr_assert_not_null(error);
	cr_expect(g_error_matches(error, CMASIM_ERROR, CMASIM_ERROR_VALUE));
	cr_expect_str_eq(error->message, "t.txt:4:1: cannot tell the trace format from "
			 "'hello world' (expected a lackey, DineroIV din or plain R/W record, or the "
			 "format named)");
	g_clear_error(&error);
}

/* A fresh temporary directory for each test that writes files. */
static void setup(void)
{
	scratch_enter("cmasim-addrtrace-XXXXXX");
}

/* @len bytes at @data, gzip-compressed. */
static GBytes *gzip(const void *data, size_t len)
{
	GConverter *z = G_CONVERTER(g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6));
	size_t cap = len + len / 2 + 1024;
	char *out = g_malloc(cap);
	gsize rd = 0, wr = 0;
	GError *error = NULL;

	cr_assert_eq(g_converter_convert(z, data, len, out, cap, G_CONVERTER_INPUT_AT_END, &rd, &wr,
					 &error), G_CONVERTER_FINISHED, "%s",
		     error ? error->message : "");
	cr_assert_eq(rd, len);
	g_object_unref(z);
	return g_bytes_new_take(out, wr);
}

/* The trace at @path, its format told; fails the test if it cannot be opened. */
static struct cmasim_addrtrace *open_path(const char *path)
{
	GError *error = NULL;
	struct cmasim_addrtrace *t = cmasim_addrtrace_open(path, CMASIM_ADDRTRACE_AUTO, &error);

	cr_assert_not_null(t, "%s", error ? error->message : "");
	return t;
}

/* Records of big_plain(): about 6 MB of text, 1.4 MB in the binary format. */
#define BIG 400000u

/* BIG plain lines: several buffers' worth. */
static char *big_plain(void)
{
	GString *s = g_string_new(NULL);

	for (unsigned int i = 0; i < BIG; i++)
		g_string_append_printf(s, "%c %x %u\n", i % 5 ? 'R' : 'W', i * 64, 1 + i % 64);
	return g_string_free(s, FALSE);
}

/* Reads @t through, checking it gives back big_plain()'s records. */
static void expect_big_plain(struct cmasim_addrtrace *t)
{
	struct cmasim_addr_ref ref;
	GError *error = NULL;
	unsigned int n = 0;
	int got;

	while ((got = cmasim_addrtrace_next(t, &ref, &error)) > 0) {
		cr_assert_eq(ref.addr, (uint64_t)n * 64, "record %u", n);
		cr_assert_eq(ref.size, 1 + n % 64, "record %u", n);
		cr_assert_eq(ref.op, n % 5 ? CMASIM_ADDR_READ : CMASIM_ADDR_WRITE, "record %u", n);
		n++;
	}
	cr_assert_eq(got, 0, "%s", error ? error->message : "");
	cr_expect_eq(n, BIG);
}

Test(addrtrace, files_stream_across_buffer_refills, .init = setup, .fini = scratch_leave)
{
	g_autofree char *text = big_plain();
	g_autofree char *path = write_tmp("big.txt", text);
	struct cmasim_addrtrace *t = open_path(path);

	cr_expect_gt(strlen(text), 2u << 20);
	expect_big_plain(t);
	cmasim_addrtrace_close(t);
}

Test(addrtrace, gzip_files_and_data_are_read_as_they_are, .init = setup, .fini = scratch_leave)
{
	g_autofree char *text = big_plain();
	g_autoptr(GBytes) z = gzip(text, strlen(text));
	gsize zlen;
	const char *zdata = g_bytes_get_data(z, &zlen);
	g_autofree char *path = write_tmp_data("big.txt.gz", zdata, zlen);
	struct cmasim_addrtrace *t = open_path(path);
	GError *error = NULL;

	expect_big_plain(t);
	cmasim_addrtrace_close(t);

	t = cmasim_addrtrace_open_data("big.gz", zdata, zlen, CMASIM_ADDRTRACE_AUTO, &error);
	cr_assert_not_null(t, "%s", error ? error->message : "");
	expect_big_plain(t);
	cmasim_addrtrace_close(t);

	/* two members one after the other, as `cat a.gz b.gz` makes */
	g_autoptr(GBytes) z1 = gzip(" L 10,4\n", 8);
	g_autoptr(GBytes) z2 = gzip(" S 20,8\n", 8);
	g_autoptr(GByteArray) both = g_byte_array_new();
	gsize n1, n2;
	const guint8 *d1 = g_bytes_get_data(z1, &n1), *d2 = g_bytes_get_data(z2, &n2);

	g_byte_array_append(both, d1, (guint)n1);
	g_byte_array_append(both, d2, (guint)n2);
	g_autofree char *two = write_tmp_data("two.gz", both->data, both->len);
	t = open_path(two);
	g_autofree char *got = records(t);
	cr_expect_str_eq(got, "R 0x10 4\nW 0x20 8\n");
	cmasim_addrtrace_close(t);

	/* cut short: an IO error naming the file */
	g_autofree char *cut = write_tmp_data("cut.gz", zdata, zlen / 2);
	struct cmasim_addr_ref ref;
	int r;

	t = open_path(cut);
	while ((r = cmasim_addrtrace_next(t, &ref, &error)) > 0)
		;
	cr_expect_eq(r, -1);
	cr_assert_not_null(error);
	cr_expect(g_error_matches(error, CMASIM_ERROR, CMASIM_ERROR_IO));
	g_autofree char *prefix = g_strdup_printf("%s: bad gzip data (", cut);
	cr_expect(g_str_has_prefix(error->message, prefix), "%s", error->message);
	g_clear_error(&error);
	cr_expect_eq(cmasim_addrtrace_next(t, &ref, &error), 0);
	cmasim_addrtrace_close(t);
}

Test(addrtrace, unreadable_files_and_overlong_lines, .init = setup, .fini = scratch_leave)
{
	GError *error = NULL;
	struct cmasim_addr_ref ref;

	cr_expect_null(cmasim_addrtrace_open("/nonexistent/trace.txt", CMASIM_ADDRTRACE_AUTO,
					     &error));
	cr_assert_not_null(error);
	cr_expect(g_error_matches(error, CMASIM_ERROR, CMASIM_ERROR_IO));
	cr_expect_str_eq(error->message, "/nonexistent/trace.txt: No such file or directory");
	g_clear_error(&error);

	cr_expect_null(cmasim_addrtrace_open(tmpdir, CMASIM_ADDRTRACE_AUTO, &error));
	cr_assert_not_null(error);
	g_autofree char *isdir = g_strdup_printf("%s: Is a directory", tmpdir);
	cr_expect_str_eq(error->message, isdir);
	g_clear_error(&error);

	/* a line must fit the 1 MiB buffer */
	GString *text = g_string_new("R 1000 4\n# ");
	for (unsigned int i = 0; i < (1u << 20); i++)
		g_string_append_c(text, 'x');
	g_string_append(text, "\nR 2000 4\n");
	g_autofree char *path = write_tmp_data("long.txt", text->str, text->len);
	struct cmasim_addrtrace *t = open_path(path);

	cr_expect_eq(cmasim_addrtrace_next(t, &ref, &error), 1);
	cr_expect_eq(cmasim_addrtrace_next(t, &ref, &error), -1);
	cr_assert_not_null(error);
	g_autofree char *want = g_strdup_printf("%s:2:1: line longer than 1048576 bytes "
						"(expected one record a line)", path);
	cr_expect_str_eq(error->message, want);
	g_clear_error(&error);
	/* it ends the trace: the error is not repeated, the next line not read */
	cr_expect_eq(cmasim_addrtrace_next(t, &ref, &error), 0);
	cmasim_addrtrace_close(t);
	g_string_free(text, TRUE);
}

/* @len bytes of a binary trace opened as "t.bin" in @format; NULL with @error. */
static struct cmasim_addrtrace *open_binary(const char *bytes, size_t len,
					    enum cmasim_addrtrace_format format, GError **error)
{
	return cmasim_addrtrace_open_data("t.bin", bytes, len, format, error);
}

/*
 * Records written by hand as include/cmasim/addrtrace.h documents the
 * format: 08 80 40 is a read (op 0) of 8 bytes at 0 + zigzag 0x2000 / 2 =
 * 0x1000 (0x2000 in LEB128: 0x80, 0x40); 24 0f a write of 4 bytes 8 back
 * (zigzag 15 is -8); 00 40 10 a read of 64 bytes, the size in a varint of
 * its own, 8 on; 63 01 a modify of 3 bytes 1 back; e0 05 five instruction
 * fetches.
 */
Test(addrtrace, binary_records_as_documented)
{
	static const char bytes[] = "CMASIMAT\x01" "\x08\x80\x40" "\x24\x0f" "\x00\x40\x10"
				    "\x43\x01" "\xe0\x05";
	GError *error = NULL;
	struct cmasim_addrtrace *t = open_binary(bytes, sizeof(bytes) - 1, CMASIM_ADDRTRACE_AUTO,
						 &error);
	g_autofree char *got = NULL;

	cr_assert_not_null(t, "%s", error ? error->message : "");
	cr_expect_eq(cmasim_addrtrace_format(t), CMASIM_ADDRTRACE_BINARY);
	got = records(t);
	cr_expect_str_eq(got, "R 0x1000 8\nW 0xff8 4\nR 0x1000 64\nM 0xfff 3\n");
	cr_expect_eq(cmasim_addrtrace_nr_ifetches(t), 5);
	cmasim_addrtrace_close(t);
}

/* A lackey trace converted gives back its records and its count of instruction fetches. */
Test(addrtrace, binary_conversion_keeps_records_and_fetches)
{
	static const char text[] =
		"I  04000b40,3\n"
		" L 1ffefffe78,8\n"
		" S 04022bd8,4\n"
		" M 0402ab00,16\n"
		"I  04000b43,5\n"
		" L 00000010,4096\n"
		" L ffffffffffffffff,1\n";
	struct cmasim_addrtrace *t = open_text(text, CMASIM_ADDRTRACE_AUTO);
	GError *error = NULL;
	char *bin = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&bin, &len);
	struct cmasim_addrtrace *plain = open_text(text, CMASIM_ADDRTRACE_AUTO);
	g_autofree char *want = records(plain);
	g_autofree char *got = NULL;

	cmasim_addrtrace_close(plain);
	cr_assert(cmasim_addrtrace_convert(t, out, &error), "%s", error ? error->message : "");
	fclose(out);
	cmasim_addrtrace_close(t);
	t = open_binary(bin, len, CMASIM_ADDRTRACE_BINARY, &error);
	cr_assert_not_null(t, "%s", error ? error->message : "");
	got = records(t);
	cr_expect_str_eq(got, want);
	cr_expect_eq(cmasim_addrtrace_nr_ifetches(t), 2);
	cmasim_addrtrace_close(t);
	free(bin);
}

/* A bad binary record names its number and byte; a file not binary is refused as such. */
Test(addrtrace, bad_binary_records)
{
	static const struct {
		const char *bytes;
		size_t len;
		const char *message;
	} cases[] = {
		{ "CMASIMAT\x01\xa0\x00", 11,
		  "t.bin: record 1 (byte 9): op 5 (expected 0 read to 4 invalidate, or 7 "
		  "instruction fetches)" },
		{ "CMASIMAT\x01\x08\x00\x08\x80", 13, "t.bin: record 2 (byte 11): cut short "
		  "(expected a whole record)" },
		{ "CMASIMAT\x01\x00\x00\x00", 12, "t.bin: record 1 (byte 9): size 0 (expected 1 to "
		  "4096 bytes)" },
		/* 0 less 1 wraps to 2^64 - 1; 2 bytes there pass the top */
		{ "CMASIMAT\x01\x02\x01", 11, "t.bin: record 1 (byte 9): 2 bytes at "
		  "0xffffffffffffffff pass the top of the address space (expected an access below "
		  "2^64)" },
		{ "CMASIMAT\x02", 9, "t.bin: binary address trace version 2 (expected 1)" },
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		GError *error = NULL;
		struct cmasim_addrtrace *t = open_binary(cases[i].bytes, cases[i].len,
							 CMASIM_ADDRTRACE_AUTO, &error);
		struct cmasim_addr_ref ref;

		while (t && cmasim_addrtrace_next(t, &ref, &error) > 0)
			;
		cr_assert_not_null(error, "case %u: no error", i);
		cr_expect_str_eq(error->message, cases[i].message);
		/* a bad record ends the trace */
		if (t)
			cr_expect_eq(cmasim_addrtrace_next(t, &ref, NULL), 0);
		g_clear_error(&error);
		cmasim_addrtrace_close(t);
	}
	{
		GError *error = NULL;

		cr_expect_null(open_binary("R 10 4\n", 7, CMASIM_ADDRTRACE_BINARY, &error));
		cr_assert_not_null(error);
		cr_expect_str_eq(error->message, "t.bin: not a binary address trace (expected one "
				 "that starts with CMASIMAT)");
		g_clear_error(&error);
	}
}

/* A binary file longer than the reader's buffer, plain or gzipped, reads back whole. */
Test(addrtrace, binary_files_stream_across_buffer_refills, .init = setup, .fini = scratch_leave)
{
	g_autofree char *text = big_plain();
	g_autofree char *path = in_tmp("big.bin");
	struct cmasim_addrtrace *t = open_text(text, CMASIM_ADDRTRACE_PLAIN);
	FILE *out = fopen(path, "wb");
	GError *error = NULL;
	char *bin;
	gsize len;

	cr_assert_not_null(out);
	cr_assert(cmasim_addrtrace_convert(t, out, &error), "%s", error ? error->message : "");
	fclose(out);
	cmasim_addrtrace_close(t);
	t = open_path(path);
	cr_expect_eq(cmasim_addrtrace_format(t), CMASIM_ADDRTRACE_BINARY);
	expect_big_plain(t);
	cmasim_addrtrace_close(t);

	cr_assert(g_file_get_contents(path, &bin, &len, NULL));
	/* records of 3 or 4 bytes: past the reader's 1 MiB buffer, plain or inflated */
	cr_expect_gt(len, 1u << 20);
	g_autoptr(GBytes) z = gzip(bin, len);
	gsize zlen;
	const char *zdata = g_bytes_get_data(z, &zlen);

	t = cmasim_addrtrace_open_data("big.bin.gz", zdata, zlen, CMASIM_ADDRTRACE_AUTO, &error);
	cr_assert_not_null(t, "%s", error ? error->message : "");
	expect_big_plain(t);
	cmasim_addrtrace_close(t);
	g_free(bin);
}

/*
 * A varint of each length from 1 to 10 bytes, the address steps' bits
 * all over their groups, worked out by the rules include/cmasim/addrtrace.h
 * gives: 08 2b reads 8 bytes at 0 + zigzag 0x2b = -22; 24 cb 56 writes 4
 * at zigzag 0x2b4b = -0x15a6 from there; 40 40 d6 8b 01 modifies 64 (size
 * in a varint) at +0x22eb, ...; 83 a3 .. cb 01 invalidates 3, its step's
 * tenth byte 01, the top bit of 0xcb2d856778436c23 (a step of -0x6596...).
 */
static const char varint_records[] =
	"\x08\x2b" "\x24\xcb\x56" "\x40\x40\xd6\x8b\x01" "\x61\xe1\x96\xcb\x2c"
	"\x80\x80\x20\xec\xa1\xd6\x8b\x57" "\x02\xf7\xac\xe1\x96\xcb\x02"
	"\x30\x82\xb7\xec\xa1\xd6\x8b\x2d" "\x5f\x8d\xc2\xf7\xac\xe1\x96\xcb\x58"
	"\x60\xff\x1f\x98\xcd\x82\xb7\xec\xa1\xd6\x8b\x03"
	"\x83\xa3\xd8\x8d\xc2\xf7\xac\xe1\x96\xcb\x01";
static const char varint_want[] =
	"R 0xffffffffffffffea 8\n"
	"W 0xffffffffffffea44 4\n"
	"M 0xd2f 64\n"
	"C 0xfffffffffd36a77e 1\n"
	"I 0x2b5f16ff4 4096\n"
	"R 0xfffffff85c8544b8 2\n"
	"W 0x5a270ea2d279 16\n"
	"M 0xffa7c3cc03d3e1f2 31\n"
	"C 0x13370536744353e 4095\n"
	"I 0x9b9cad9fab227f2c 3\n";

Test(addrtrace, binary_varints_of_every_length)
{
	g_autofree char *bytes = g_strconcat("CMASIMAT\x01", varint_records, NULL);
	GError *error = NULL;
	struct cmasim_addrtrace *t = open_binary(bytes, strlen(bytes), CMASIM_ADDRTRACE_BINARY,
						 &error);
	g_autofree char *got = NULL;

	cr_assert_not_null(t, "%s", error ? error->message : "");
	got = records(t);
	cr_expect_str_eq(got, varint_want);
	cmasim_addrtrace_close(t);
}

/* Plain lines of every form, the bad last one among them, with what they give. */
static const char split_lines[] =
	"W 0x123456789abcdef0 4095\r\n"
	"R\t0Xff  17\n"
	"W 00000000000000000abc 4096\n"
	"R ffffffffffffffff 1\n"
	"\n"
	"R 0x0 1\n"
	"W 1f 10 \n"
	"X\n";
static const char split_want[] =
	"W 0x123456789abcdef0 4095\n"
	"R 0xff 17\n"
	"W 0xabc 4096\n"
	"R 0xffffffffffffffff 1\n"
	"R 0 1\n"
	"W 0x1f 10\n";

/*
 * Writes @head, then @tail of @len bytes, to @name; reads it to its first
 * error, expecting @pad records "R 0 1", then @want, then @message (after
 * the file's path). The error ends the records.
 */
static void expect_split(const char *name, GString *head, const char *tail, size_t len,
			 unsigned int pad, const char *want, const char *message)
{
	g_autofree char *path = NULL, *got = NULL;
	struct cmasim_addrtrace *t;
	struct cmasim_addr_ref ref;
	GError *error = NULL;
	unsigned int n = 0;

	g_string_append_len(head, tail, (gssize)len);
	path = write_tmp_data(name, head->str, head->len);
	t = open_path(path);
	while (n < pad && cmasim_addrtrace_next(t, &ref, &error) > 0 && ref.addr == 0 &&
	       ref.size == 1 && ref.op == CMASIM_ADDR_READ)
		n++;
	cr_expect_eq(n, pad, "%s: record %u", name, n + 1);
	got = records_until_error(t, &error);
	cr_expect_str_eq(got, want, "%s", name);
	cr_assert_not_null(error, "%s", name);
	cr_expect(g_str_has_prefix(error->message, path), "%s", error->message);
	cr_expect_str_eq(error->message + strlen(path), message);
	g_clear_error(&error);
	cr_expect_eq(cmasim_addrtrace_next(t, &ref, &error), 0, "%s", name);
	cmasim_addrtrace_close(t);
}

/*
 * Records that start a few bytes before the reader's 1 MiB buffer ends,
 * after records "R 0 1" from the start (and a comment, or a record whose
 * step takes two bytes, to land them there): whatever byte the end falls
 * on they read the same, and the bad one after them is counted right.
 */
Test(addrtrace, records_split_across_the_read_buffer, .init = setup, .fini = scratch_leave)
{
	static const unsigned int before_end[] = { 1, 2, 14, 26, 27, 40, 80, 106 };

	for (unsigned int i = 0; i < G_N_ELEMENTS(before_end); i++) {
		unsigned int at = (1u << 20) - before_end[i];
		/* plain: a comment of 2 to 7 bytes, then "R 0 1" lines */
		unsigned int comment = 2 + (at - 2) % 6, pad = (at - comment) / 6;
		GString *s = g_string_sized_new(at + 128);
		g_autofree char *msg = NULL;

		g_string_append_c(s, '#');

		for (unsigned int j = 2; j < comment; j++)
			g_string_append_c(s, 'x');
		g_string_append_c(s, '\n');
		for (unsigned int j = 0; j < pad; j++)
			g_string_append(s, "R 0 1\n");
		cr_assert_eq(s->len, at);
		/* the comment, the padding, seven lines, then X */
		msg = g_strdup_printf(":%u:1: bad access 'X' (expected R or W, a blank, the "
				      "address and the size)", 1 + pad + 8);
		expect_split("split.txt", s, split_lines, strlen(split_lines), pad, split_want,
			     msg);
		g_free(msg);

		/* binary: 01 00 reads a byte at 0, and so does 01 80 00, its step in two bytes */
		g_string_assign(s, "CMASIMAT\x01");
		pad = (at - 9) / 2;
		if ((at - 9) % 2)
			g_string_append_len(s, "\x01\x80\x00", 3);
		for (unsigned int j = (at - 9) % 2; j < pad; j++)
			g_string_append_len(s, "\x01\x00", 2);
		cr_assert_eq(s->len, at);
		/* the varint records, then an op 5 */
		g_string_append_len(s, varint_records, sizeof(varint_records) - 1);
		msg = g_strdup_printf(": record %u (byte %zu): op 5 (expected 0 read to 4 "
				      "invalidate, or 7 instruction fetches)", pad + 11, s->len);
		expect_split("split.bin", s, "\xa0", 1, pad, varint_want, msg);
		g_string_free(s, TRUE);
	}
}

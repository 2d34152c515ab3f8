// SPDX-License-Identifier: GPL-2.0-only
/*
 * sim/sha256.c gives FIPS 180-4's digests (its test vectors, worked out
 * by NIST) and GLib's GChecksum's (an independent implementation) for
 * every length around the block and padding edges, however the bytes are
 * split into updates.
 */
#include <string.h>
#include <criterion/criterion.h>
#include <glib.h>

#include "sha256.h"
#include "random.h"

/* The digest of @len bytes at @data, added in pieces of at most @piece bytes. */
static char *digest(const void *data, size_t len, size_t piece)
{
	struct cmasim_sha256 *sha = cmasim_sha256_new();
	char *hex;

	for (size_t at = 0; at < len; at += MIN(piece, len - at))
		cmasim_sha256_update(sha, (const char *)data + at, MIN(piece, len - at));
	hex = g_strdup(cmasim_sha256_hex(sha));
	cmasim_sha256_free(sha);
	return hex;
}

/* FIPS 180-2 appendix B and the empty message. */
Test(sha256, nist_vectors)
{
	static const struct {
		const char *msg;
		const char *hex;
	} rows[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	g_autofree char *million = g_malloc(1000000);

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autofree char *hex = digest(rows[i].msg, strlen(rows[i].msg), 64);

		cr_expect_str_eq(hex, rows[i].hex, "\"%s\"", rows[i].msg);
	}
	memset(million, 'a', 1000000);
	for (size_t piece = 1; piece <= 1000000; piece *= 1000) {
		g_autofree char *hex = digest(million, 1000000, piece);

		cr_expect_str_eq(hex,
				 "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
				 "a million a's in pieces of %zu", piece);
	}
}

/* Every length from 0 to 300 (padding into one block or two), split every way up to 130. */
Test(sha256, matches_gchecksum_at_every_edge)
{
	uint8_t data[300];
	uint64_t seed = 7;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)cmasim_splitmix64(&seed);
	for (size_t len = 0; len <= sizeof(data); len++) {
		g_autofree char *want = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);

		for (size_t piece = 1; piece <= 130; piece += piece < 5 ? 1 : 21) {
			g_autofree char *hex = digest(data, len, piece);

			cr_assert_str_eq(hex, want, "%zu bytes in pieces of %zu", len, piece);
		}
	}
}

/* Asking twice gives the same digest, and nothing more can be added. */
Test(sha256, the_digest_is_final)
{
	struct cmasim_sha256 *sha = cmasim_sha256_new();
	g_autofree char *first = NULL;

	cmasim_sha256_update(sha, "abc", 3);
	first = g_strdup(cmasim_sha256_hex(sha));
	cr_expect_str_eq(cmasim_sha256_hex(sha), first);
	cmasim_sha256_free(sha);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * SHA-256 (FIPS 180-4) of a stream. GLib's GChecksum spends about 50
 * instructions a byte, two thirds of a binary trace's replay; the SHA
 * instructions of x86-64 CPUs (Goldmont, Zen and Ice Lake on) do a
 * 64-byte block in a few hundred cycles. Where the CPU has them, the
 * blocks go through them; elsewhere GChecksum does the work.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "sha256.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define SHA_NI 1
#endif

struct cmasim_sha256 {
	GChecksum *fallback;	/* without SHA instructions: all of it; else NULL */
	uint32_t state[8];	/* H0..H7 */
	uint64_t bytes;		/* added so far */
	uint8_t block[64];	/* the partial block */
	size_t fill;		/* its bytes */
	char *hex;		/* once finished */
};

#ifdef SHA_NI
/* FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the first 64 primes' cube roots */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Whether the CPU has the SHA instructions and the SSSE3 and SSE4.1 ones they are used with. */
static bool have_sha_ni(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}

/*
 * Runs @n 64-byte blocks at @data through @state. The instructions keep
 * the state as ABEF and CDGH; each sha256rnds2 does two rounds, and
 * sha256msg1/msg2 extend the message schedule four words at a time
 * (Intel, "Intel SHA Extensions", 2013).
 */
__attribute__((target("sha,ssse3,sse4.1")))
static void blocks(uint32_t state[8], const uint8_t *data, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i dcba = _mm_loadu_si128((const __m128i_u *)&state[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i_u *)&state[4]);
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
	__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);

	for (; n; n--, data += 64) {
		__m128i abef0 = abef, cdgh0 = cdgh, w[4];

		for (unsigned int i = 0; i < 16; i++) {
			__m128i m;

			if (i < 4) {
				const __m128i_u *in = (const __m128i_u *)(data + 16 * i);

				w[i] = _mm_shuffle_epi8(_mm_loadu_si128(in), bswap);
			} else {
				/* the groups of words 16, 12, 8 and 4 before this one's */
				__m128i w16 = w[i & 3], w12 = w[(i + 1) & 3];
				__m128i w8 = w[(i + 2) & 3], w4 = w[(i + 3) & 3];

				/* W[t-16] + s0(W[t-15]) + W[t-7], then + s1(W[t-2]) */
				m = _mm_sha256msg1_epu32(w16, w12);
				m = _mm_add_epi32(m, _mm_alignr_epi8(w4, w8, 4));
				w[i & 3] = _mm_sha256msg2_epu32(m, w4);
			}
			m = _mm_add_epi32(w[i & 3], _mm_loadu_si128((const __m128i_u *)&K[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(m, 0x0e));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	__m128i feba = _mm_shuffle_epi32(abef, 0x1b);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);

	_mm_storeu_si128((__m128i_u *)&state[0], _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i_u *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}
#endif

struct cmasim_sha256 *cmasim_sha256_new(void)
{
	/* FIPS 180-4 5.3.3 */
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	struct cmasim_sha256 *sha = g_new0(struct cmasim_sha256, 1);

#ifdef SHA_NI
	if (have_sha_ni()) {
		memcpy(sha->state, h0, sizeof(h0));
		return sha;
	}
#endif
	(void)h0;
	sha->fallback = g_checksum_new(G_CHECKSUM_SHA256);
	return sha;
}

void cmasim_sha256_update(struct cmasim_sha256 *sha, const void *data, size_t len)
{
	const uint8_t *p = data;

	g_return_if_fail(!sha->hex);
	if (sha->fallback) {
		for (size_t at = 0; at < len; at += MIN(len - at, G_MAXSSIZE))
			g_checksum_update(sha->fallback, p + at, (gssize)MIN(len - at, G_MAXSSIZE));
		return;
	}
#ifdef SHA_NI
	sha->bytes += len;
	if (sha->fill) {
		size_t take = MIN(len, sizeof(sha->block) - sha->fill);

		memcpy(sha->block + sha->fill, p, take);
		sha->fill += take;
		p += take;
		len -= take;
		if (sha->fill < sizeof(sha->block))
			return;
		blocks(sha->state, sha->block, 1);
		sha->fill = 0;
	}
	blocks(sha->state, p, len / 64);
	memcpy(sha->block, p + len / 64 * 64, len % 64);
	sha->fill = len % 64;
#endif
}

const char *cmasim_sha256_hex(struct cmasim_sha256 *sha)
{
	if (sha->hex)
		return sha->hex;
	if (sha->fallback) {
		sha->hex = g_strdup(g_checksum_get_string(sha->fallback));
		return sha->hex;
	}
#ifdef SHA_NI
	/* FIPS 180-4 5.1.1: a one bit, zeros to 56 bytes of a block, the length in bits */
	uint64_t bits = sha->bytes * 8;
	uint8_t pad[72] = { 0x80 };
	size_t zeros = (sha->fill < 56 ? 56 : 120) - sha->fill;

	for (int i = 0; i < 8; i++)
		pad[zeros + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
	cmasim_sha256_update(sha, pad, zeros + 8);
	sha->hex = g_malloc(65);
	for (int i = 0; i < 8; i++)
		g_snprintf(sha->hex + 8 * i, 9, "%08x", sha->state[i]);
#endif
	return sha->hex;
}

void cmasim_sha256_free(struct cmasim_sha256 *sha)
{
	if (!sha)
		return;
	if (sha->fallback)
		g_checksum_free(sha->fallback);
	g_free(sha->hex);
	g_free(sha);
}

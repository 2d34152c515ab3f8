// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the address-trace readers, every format and gzip
 * alike. Any bytes, read as each format and as told from the first line,
 * must give records that keep the promises of include/cmasim/addrtrace.h,
 * or errors in the cmasim domain naming the input; never a crash, a leak
 * or undefined behaviour. The records then drive two small caches, VIPT
 * with two page colours and VIVT, with next-line and stride prefetchers,
 * maintenance included; the physical address drops bit 12 of the virtual
 * one, so aliases happen. A gzip stream can inflate without end, so each
 * reading stops after a bounded number of calls. A text trace that reads
 * without error in the format told from it is converted to the binary
 * format, which must read back as the same records and instruction fetches.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmasim/addrtrace.h"
#include "cmasim/cache.h"
#include "cmasim/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts, so that libFuzzer keeps the input, if @error breaks the message contract. */
static void check_error(const GError *error)
{
	if (!error || error->domain != CMASIM_ERROR ||
	    (error->code != CMASIM_ERROR_VALUE && error->code != CMASIM_ERROR_IO) ||
	    strncmp(error->message, "fuzz.txt:", 9))
		abort();
}

/* Records read at most from one trace. */
#define MAX_RECORDS 100000

/*
 * Converts @data, read as @format, to the binary format and aborts unless
 * that reads back as the @nr records @refs and @ifetches fetches.
 */
static void check_conversion(const uint8_t *data, size_t size, enum cmasim_addrtrace_format format,
			     const struct cmasim_addr_ref *refs, unsigned int nr, uint64_t ifetches)
{
	struct cmasim_addrtrace *t = cmasim_addrtrace_open_data("fuzz.txt", data, size, format, NULL);
	struct cmasim_addr_ref ref;
	char *bin = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&bin, &len);
	unsigned int n = 0;
	int got;

	if (!t || !out || !cmasim_addrtrace_convert(t, out, NULL))
		abort();
	fclose(out);
	cmasim_addrtrace_close(t);
	t = cmasim_addrtrace_open_data("fuzz.txt", bin, len, CMASIM_ADDRTRACE_AUTO, NULL);
	if (!t || cmasim_addrtrace_format(t) != CMASIM_ADDRTRACE_BINARY)
		abort();
	while ((got = cmasim_addrtrace_next(t, &ref, NULL)) > 0) {
		if (n >= nr || ref.addr != refs[n].addr || ref.size != refs[n].size ||
		    ref.op != refs[n].op)
			abort();
		n++;
	}
	if (got < 0 || n != nr || cmasim_addrtrace_nr_ifetches(t) != ifetches)
		abort();
	cmasim_addrtrace_close(t);
	free(bin);
}

/* Reads @data as @format into both @caches. */
static void read_all(const uint8_t *data, size_t size, enum cmasim_addrtrace_format format,
		     struct cmasim_cache *caches[2])
{
	GError *error = NULL;
	struct cmasim_addrtrace *t = cmasim_addrtrace_open_data("fuzz.txt", data, size, format,
								 &error);
	/* as many as were read: a large array made for every input would cost more than the run */
	g_autoptr(GArray) refs = g_array_new(FALSE, FALSE, sizeof(struct cmasim_addr_ref));
	struct cmasim_addr_ref ref;
	bool clean = true, whole = false;

	if (!t) {
		check_error(error);
		g_error_free(error);
		return;
	}
	for (unsigned int n = 0; n < MAX_RECORDS; n++) {
		int got = cmasim_addrtrace_next(t, &ref, &error);

		if (!got) {
			whole = true;
			break;
		}
		if (got < 0) {
			check_error(error);
			g_clear_error(&error);
			clean = false;
			continue;	/* a bad line: the next one; an IO error: the end */
		}
		g_array_append_val(refs, ref);
		if (ref.size < 1 || ref.size > CMASIM_ADDR_SIZE_MAX ||
		    ref.addr + (ref.size - 1) < ref.addr || ref.op > CMASIM_ADDR_INVALIDATE)
			abort();
		for (int c = 0; c < 2; c++) {
			uint64_t pa = ref.addr & ~UINT64_C(0x1000);

			if (ref.op == CMASIM_ADDR_CLEAN)
				cmasim_cache_clean(caches[c], ref.addr, pa, ref.size);
			else if (ref.op == CMASIM_ADDR_INVALIDATE)
				cmasim_cache_invalidate(caches[c], ref.addr, pa, ref.size);
			else
				cmasim_cache_access(caches[c], ref.addr, pa, ref.size,
						    ref.op != CMASIM_ADDR_READ);
		}
	}
	/* once an input, for the format the reader tells from it */
	if (clean && whole && format == CMASIM_ADDRTRACE_AUTO &&
	    cmasim_addrtrace_format(t) != CMASIM_ADDRTRACE_BINARY)
		check_conversion(data, size, format, (const struct cmasim_addr_ref *)(void *)refs->data,
				 refs->len, cmasim_addrtrace_nr_ifetches(t));
	cmasim_addrtrace_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cmasim_cache_config cc[2] = {
		{ .size = 16384, .ways = 2, .line_size = 64, .indexing = CMASIM_CACHE_VIPT,
		  .write_back = true, .write_allocate = true,
		  .prefetcher = CMASIM_PREFETCH_NEXT_LINE, .prefetch_degree = 2 },
		{ .size = 2048, .ways = 2, .line_size = 32, .indexing = CMASIM_CACHE_VIVT,
		  .write_back = false, .write_allocate = false,
		  .prefetcher = CMASIM_PREFETCH_STRIDE, .prefetch_degree = 3 },
	};
	struct cmasim_cache *caches[2] = {
		cmasim_cache_new(&cc[0], 12, 1, NULL), cmasim_cache_new(&cc[1], 12, 1, NULL),
	};

	for (int f = CMASIM_ADDRTRACE_AUTO; f <= CMASIM_ADDRTRACE_BINARY; f++)
		read_all(data, size, f, caches);
	for (int c = 0; c < 2; c++) {
		cmasim_cache_flush_all(caches[c]);
		cmasim_cache_free(caches[c]);
	}
	return 0;
}

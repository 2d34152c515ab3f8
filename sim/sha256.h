/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to sim/: the SHA-256 of an input as it streams in, for the
 * workload_sha256 and trace_sha256 figures. The same digest as GLib's
 * GChecksum, several times faster where the CPU has SHA instructions.
 */
#ifndef CMASIM_SIM_SHA256_H
#define CMASIM_SIM_SHA256_H

#include <stddef.h>

struct cmasim_sha256;

struct cmasim_sha256 *cmasim_sha256_new(void);
/* Adds @len bytes at @data; not after cmasim_sha256_hex(). */
void cmasim_sha256_update(struct cmasim_sha256 *sha, const void *data, size_t len);
/* The digest of everything added, in lower-case hex; owned by @sha. */
const char *cmasim_sha256_hex(struct cmasim_sha256 *sha);
void cmasim_sha256_free(struct cmasim_sha256 *sha);

#endif

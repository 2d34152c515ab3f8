/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Buffer sizes from a frame's pixel format and dimensions, for the trace
 * reader's frame: key. Private to sim/.
 */
#ifndef CMASIM_FRAME_H
#define CMASIM_FRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

/*
 * The bytes one frame "FORMAT WIDTHxHEIGHT" (the @len bytes of @s) holds,
 * every plane whole, before the allocation rounds it to pages. False with
 * what was wrong and what was expected in @what unless it is NULL.
 */
bool cmasim__frame_bytes(const char *s, size_t len, uint64_t *bytes, GString *what);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the machine description (machdesc.c) shares with the YAML reader
 * (config.c), which checks a given CMA base and places the memmap with
 * them. Private to sim/.
 */
#ifndef CMASIM_MACHDESC_H
#define CMASIM_MACHDESC_H

#include "cmasim/config.h"

/* Whether a hole, reserved or taken range overlaps [@base, @base + @size); *@hit gets the first. */
bool machdesc_overlap(const struct cmasim_config *cfg, uint64_t base, uint64_t size,
		      const struct cmasim_range *taken, unsigned int nr_taken,
		      struct cmasim_range *hit);
/* The ranges of @cfg's areas, @skip's (-1: none) left empty; g_free() it. */
struct cmasim_range *machdesc_areas_but(const struct cmasim_config *cfg, int skip);

#endif

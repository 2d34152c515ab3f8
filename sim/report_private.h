/* SPDX-License-Identifier: GPL-2.0-only */
/* What report.c shares with report_compare.c. */
#ifndef CMASIM_REPORT_PRIVATE_H
#define CMASIM_REPORT_PRIVATE_H

#include "cmasim/report.h"

/* Appends @s for a terminal: control characters as \xNN, so that no name breaks a line. */
void cmasim__text(GString *out, const char *s);

/* Whether figure @f is one of @figures (glob patterns; NULL: all); labels always are. */
bool cmasim__selected(const struct cmasim_figure *f, const char *const *figures);

/*
 * Appends the JSON object of run @r, whose figures are @figs, then its
 * latency histograms; lines after the first start with @indent, and
 * nothing follows the closing brace. Only @figures are written.
 */
void cmasim__json_run(GString *out, const GArray *figs, const struct cmasim_results *r,
		      const char *indent, const char *const *figures);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
/* What gate.c shares with baseline.c. */
#ifndef CMASIM_GATE_PRIVATE_H
#define CMASIM_GATE_PRIVATE_H

#include "cmasim/gate.h"

/* One case of a baseline. */
struct gate_baseline_case;

/*
 * The record of case @name (whose run gave @figs) in @b, whose file is
 * @path; NULL with @error when @b lacks it or recorded it from other
 * inputs than @figs names (a stale baseline).
 */
const struct gate_baseline_case *gate_baseline_case(const struct cmasim_baseline *b,
						    const char *name, const GArray *figs,
						    const char *path, GError **error);
/* The value of @l's figure in @base into *@v (NAN: no value); false with @error if it has none. */
bool gate_baseline_value(const struct gate_baseline_case *base, const struct cmasim_limit *l,
			 const char *name, const char *path, double *v, GError **error);
/* @v of a figure defined by @def for people: human units for times and sizes. */
char *gate_value_text(double v, const struct cmasim_figure_def *def);

#endif

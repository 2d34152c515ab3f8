// SPDX-License-Identifier: GPL-2.0-only
#include "cmasim/error.h"

/* Not G_DEFINE_QUARK: compare's workers may be the first to ask, at once. */
GQuark cmasim_error_quark(void)
{
	static gsize quark;

	if (g_once_init_enter(&quark))
		g_once_init_leave(&quark, g_quark_from_static_string("cmasim-error-quark"));
	return (GQuark)quark;
}

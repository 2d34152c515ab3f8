/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cmasim error domain: what bad input reports.
 *
 * Every GError in this domain carries a message of the form
 *   file:line:column: what was wrong (what was expected)
 * with line and column counted from 1, so that editors can jump to it.
 * API misuse is not reported this way: it trips g_return_val_if_fail().
 */
#ifndef CMASIM_ERROR_H
#define CMASIM_ERROR_H

#include <glib.h>

#define CMASIM_ERROR (cmasim_error_quark())

enum cmasim_error {
	CMASIM_ERROR_IO,	/* a file could not be opened or read */
	CMASIM_ERROR_SYNTAX,	/* not well-formed YAML */
	CMASIM_ERROR_TYPE,	/* a mapping, sequence or scalar where another was expected */
	CMASIM_ERROR_KEY,	/* an unknown, duplicate or missing key */
	CMASIM_ERROR_VALUE,	/* a malformed or out-of-range value */
	CMASIM_ERROR_LAYOUT,	/* values that are each fine but describe an impossible machine */
	CMASIM_ERROR_POLICY,	/* a policy that cannot run on the machine given */
};

GQuark cmasim_error_quark(void);

#endif

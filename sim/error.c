// SPDX-License-Identifier: GPL-2.0-only
#include "cmasim/error.h"

G_DEFINE_QUARK(cmasim-error-quark, cmasim_error)

/* SPDX-License-Identifier: GPL-2.0-only */
/* Private to policies/: every policy's ops, for the registry. */
#ifndef CMASIM_POLICIES_H
#define CMASIM_POLICIES_H

#include "cmasim/policy.h"

extern const struct cmasim_policy_ops cmasim_policy_buddy;
extern const struct cmasim_policy_ops cmasim_policy_cma;

#endif

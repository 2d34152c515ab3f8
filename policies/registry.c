// SPDX-License-Identifier: GPL-2.0-only
/*
 * The policy registry, and the parsing of policy parameters that every
 * policy shares.
 */
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/units.h"
#include "policies.h"

const struct cmasim_policy_ops *const cmasim_policies[] = {
	&cmasim_policy_carveout,
	&cmasim_policy_buddy,
	&cmasim_policy_cma,
	&cmasim_policy_cma_unmap,
	&cmasim_policy_cma_remap,
	&cmasim_policy_cma_highmem,
	&cmasim_policy_cma_flush,
	&cmasim_policy_iommu,
	&cmasim_policy_gcma,
};

const unsigned int cmasim_nr_policies = G_N_ELEMENTS(cmasim_policies);

const struct cmasim_policy_ops *cmasim_policy_find(const char *name)
{
	for (unsigned int i = 0; i < cmasim_nr_policies; i++)
		if (!strcmp(cmasim_policies[i]->name, name))
			return cmasim_policies[i];
	return NULL;
}

static const char *const type_expects[] = {
	[CMASIM_PARAM_BOOL] = "true or false",
	[CMASIM_PARAM_UINT] = "an integer",
	[CMASIM_PARAM_SIZE] = "a size such as 16MiB",
};

/* Parses @text as a value of @type into *@value. */
static bool parse_value(enum cmasim_param_type type, const char *text, uint64_t *value)
{
	bool b;

	switch (type) {
	case CMASIM_PARAM_BOOL:
		if (!cmasim_parse_bool(text, strlen(text), &b))
			return false;
		*value = b;
		return true;
	case CMASIM_PARAM_UINT:
		return cmasim_parse_uint(text, strlen(text), value);
	case CMASIM_PARAM_SIZE:
		return cmasim_parse_size(text, strlen(text), value);
	}
	return false;
}

/* "a, b, c": the names of @ops's parameters, for messages. */
static char *param_names(const struct cmasim_policy_ops *ops)
{
	GString *names = g_string_new(NULL);

	for (const struct cmasim_param *p = ops->params; p && p->name; p++)
		g_string_append_printf(names, "%s%s", names->len ? ", " : "", p->name);
	if (!names->len)
		g_string_append(names, "none");
	return g_string_free(names, FALSE);
}

bool cmasim_policy_params(const struct cmasim_policy_ops *ops, const char *const *set,
			  struct cmasim_param_values *values, GError **error)
{
	*values = (struct cmasim_param_values){ 0 };
	for (const struct cmasim_param *p = ops->params; p && p->name; p++) {
		g_return_val_if_fail(values->nr < CMASIM_MAX_PARAMS, false);
		if (!parse_value(p->type, p->default_value, &values->value[values->nr++]))
			g_return_val_if_reached(false);
	}
	for (; set && *set; set++) {
		const char *eq = strchr(*set, '=');
		unsigned int i = 0;
		const struct cmasim_param *p;

		for (p = ops->params; p && p->name; p++, i++)
			if (eq && strlen(p->name) == (size_t)(eq - *set) &&
			    !strncmp(p->name, *set, (size_t)(eq - *set)))
				break;
		if (!eq || !p || !p->name) {
			g_autofree char *names = param_names(ops);

			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_KEY,
				    "--set %s: policy %s has no such parameter (expected name=value "
				    "with one of: %s)", *set, ops->name, names);
			return false;
		}
		if (!parse_value(p->type, eq + 1, &values->value[i])) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
				    "--set %s: expected %s for %s", *set, type_expects[p->type],
				    p->name);
			return false;
		}
	}
	return true;
}

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

/* What a value of @p looks like, for messages. */
static const char *param_expects(const struct cmasim_param *p)
{
	static const char *const type_expects[] = {
		[CMASIM_PARAM_BOOL] = "true or false",
		[CMASIM_PARAM_UINT] = "an integer",
		[CMASIM_PARAM_SIZE] = "a size such as 16MiB",
	};

	return p->type == CMASIM_PARAM_TEXT ? p->expects : type_expects[p->type];
}

/* Parses @text as a value of @p into *@value. */
static bool parse_value(const struct cmasim_param *p, const char *text, uint64_t *value)
{
	bool b;

	switch (p->type) {
	case CMASIM_PARAM_BOOL:
		if (!cmasim_parse_bool(text, strlen(text), &b))
			return false;
		*value = b;
		return true;
	case CMASIM_PARAM_UINT:
		return cmasim_parse_uint(text, strlen(text), value);
	case CMASIM_PARAM_SIZE:
		return cmasim_parse_size(text, strlen(text), value);
	case CMASIM_PARAM_TEXT:
		*value = *text && strcmp(text, "false");
		return p->check(text);
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

/* @ops's parameter named by the @len bytes at @name, and its index in *@index; NULL if none. */
static const struct cmasim_param *find_param(const struct cmasim_policy_ops *ops, const char *name,
					     size_t len, unsigned int *index)
{
	unsigned int i = 0;

	for (const struct cmasim_param *p = ops->params; p && p->name; p++, i++) {
		if (strlen(p->name) == len && !strncmp(p->name, name, len)) {
			*index = i;
			return p;
		}
	}
	return NULL;
}

bool cmasim_policy_has_param(const struct cmasim_policy_ops *ops, const char *name, size_t len)
{
	unsigned int i;

	return find_param(ops, name, len, &i) != NULL;
}

bool cmasim_policy_params(const struct cmasim_policy_ops *ops, const char *const *set,
			  struct cmasim_param_values *values, GError **error)
{
	*values = (struct cmasim_param_values){ 0 };
	for (const struct cmasim_param *p = ops->params; p && p->name; p++) {
		g_return_val_if_fail(values->nr < CMASIM_MAX_PARAMS, false);
		values->text[values->nr] = p->default_value;
		if (!parse_value(p, p->default_value, &values->value[values->nr++]))
			g_return_val_if_reached(false);
	}
	for (; set && *set; set++) {
		const char *eq = strchr(*set, '=');
		unsigned int i;
		const struct cmasim_param *p = eq ? find_param(ops, *set, (size_t)(eq - *set), &i)
						  : NULL;

		if (!p) {
			g_autofree char *names = param_names(ops);

			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_KEY,
				    "--set %s: policy %s has no such parameter (expected name=value "
				    "with one of: %s)", *set, ops->name, names);
			return false;
		}
		if (!parse_value(p, eq + 1, &values->value[i])) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
				    "--set %s: expected %s for %s", *set, param_expects(p), p->name);
			return false;
		}
		values->text[i] = eq + 1;
	}
	return true;
}

/*
 * The parameter of @ops a machine's policy: key @key ("policy.name" or
 * "name") sets, with its name in *@name; NULL if none.
 */
static const struct cmasim_param *setting_param(const struct cmasim_policy_ops *ops,
						const char *key, const char **name)
{
	const char *dot = strchr(key, '.');
	unsigned int i;

	if (dot && (strlen(ops->name) != (size_t)(dot - key) ||
		    strncmp(ops->name, key, (size_t)(dot - key))))
		return NULL;
	*name = dot ? dot + 1 : key;
	return find_param(ops, *name, strlen(*name), &i);
}

/*
 * Checks one policy: setting: "policy.name" sets that policy's parameter,
 * "name" every policy's parameter of that name (some policy must have
 * one), and @value must suit each. Returns false with @error, its code
 * CMASIM_ERROR_KEY when @key is wrong and CMASIM_ERROR_VALUE when @value is.
 */
static bool check_setting(const char *key, const char *value, GError **error)
{
	const char *dot = strchr(key, '.');
	unsigned int applies = 0;

	if (dot) {
		g_autofree char *policy = g_strndup(key, (size_t)(dot - key));
		const struct cmasim_policy_ops *ops = cmasim_policy_find(policy);

		if (!ops) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_KEY,
				    "no policy named '%s' (see cmasim list)", policy);
			return false;
		}
		if (!cmasim_policy_has_param(ops, dot + 1, strlen(dot + 1))) {
			g_autofree char *names = param_names(ops);

			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_KEY,
				    "policy %s has no parameter '%s' (expected one of: %s)", ops->name,
				    dot + 1, names);
			return false;
		}
	}
	for (unsigned int i = 0; i < cmasim_nr_policies; i++) {
		const struct cmasim_policy_ops *ops = cmasim_policies[i];
		const char *name;
		const struct cmasim_param *p = setting_param(ops, key, &name);
		uint64_t v;

		if (!p)
			continue;
		if (!parse_value(p, value, &v)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
				    "expected %s for %s of policy %s", param_expects(p), name,
				    ops->name);
			return false;
		}
		applies++;
	}
	if (!applies) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_KEY,
			    "no policy has a parameter '%s' (see cmasim list)", key);
		return false;
	}
	return true;
}

bool cmasim_policy_check_machine(const struct cmasim_config *cfg, GError **error)
{
	for (unsigned int i = 0; i < cfg->nr_policy_settings; i++) {
		const struct cmasim_policy_setting *s = &cfg->policy_settings[i];
		g_autoptr(GError) why = NULL;

		if (check_setting(s->key, s->value, &why))
			continue;
		bool value = why->code == CMASIM_ERROR_VALUE;

		g_set_error(error, CMASIM_ERROR, why->code, "%s:%u:%u: policy.%s: %s", cfg->source,
			    value ? s->value_line : s->line, value ? s->value_column : s->key_column,
			    s->key, why->message);
		return false;
	}
	return true;
}

char **cmasim_policy_settings(const struct cmasim_policy_ops *ops,
			      const struct cmasim_config *cfg, const char *const *set)
{
	GPtrArray *all = g_ptr_array_new();

	for (unsigned int i = 0; i < cfg->nr_policy_settings; i++) {
		const struct cmasim_policy_setting *s = &cfg->policy_settings[i];
		const char *name;

		if (setting_param(ops, s->key, &name))
			g_ptr_array_add(all, g_strconcat(name, "=", s->value, NULL));
	}
	for (; set && *set; set++)
		g_ptr_array_add(all, g_strdup(*set));
	g_ptr_array_add(all, NULL);
	return (char **)g_ptr_array_free(all, FALSE);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sweep specs: see cmasim/sweep.h. Points expand in the order machine,
 * workload, policy, parameter values (the first parameter slowest), seed.
 */
#include <string.h>

#include "cmasim/policy.h"
#include "cmasim/sweep.h"
#include "cmasim/units.h"
#include "confyaml.h"

enum {
	S_WORKLOAD, S_WORKLOADS, S_MACHINE, S_MACHINES, S_POLICY, S_POLICIES, S_SET, S_PARAMS,
	S_SEED, S_SEEDS, NR_S,
};

static const struct conf_field_spec specs[NR_S] = {
	[S_WORKLOAD] = { "workload", false }, [S_WORKLOADS] = { "workloads", false },
	[S_MACHINE] = { "machine", false }, [S_MACHINES] = { "machines", false },
	[S_POLICY] = { "policy", false }, [S_POLICIES] = { "policies", false },
	[S_SET] = { "set", false }, [S_PARAMS] = { "params", false },
	[S_SEED] = { "seed", false }, [S_SEEDS] = { "seeds", false },
};

/* A swept parameter: its name as given and its values as --set takes them. */
struct param {
	char *name;
	GPtrArray *values;	/* of char * */
};

static void param_clear(void *p)
{
	struct param *pm = p;

	g_free(pm->name);
	g_ptr_array_free(pm->values, TRUE);
}

/* Item @i of sequence @seq. */
static yaml_node_t *item(const struct conf_loader *ld, const yaml_node_t *seq, size_t i)
{
	return yaml_document_get_node(ld->doc, seq->data.sequence.items.start[i]);
}

/* The scalars of @one or of sequence @many into @out; neither: leaves @out empty. */
static bool read_names(struct conf_loader *ld, const struct conf_field *one,
		       const struct conf_field *many, const char *key, const char *keys,
		       GPtrArray *out)
{
	char *name = NULL;

	if (one->key && many->key)
		return conf_fail_at(ld, many->key->start_mark, CMASIM_ERROR_KEY,
				    "both \"%s\" and \"%s\" (expected one of them)", key, keys);
	if (one->key) {
		if (!conf_get_string(ld, one->value, key, true, &name))
			return false;
		g_ptr_array_add(out, name);
		return true;
	}
	if (!many->key)
		return true;
	if (!conf_expect_kind(ld, many->value, YAML_SEQUENCE_NODE, keys))
		return false;
	for (size_t i = 0; i < conf_seq_len(many->value); i++) {
		name = NULL;
		if (!conf_get_string(ld, item(ld, many->value, i), keys, true, &name))
			return false;
		g_ptr_array_add(out, name);
	}
	if (!out->len)
		return conf_fail_at(ld, many->value->start_mark, CMASIM_ERROR_VALUE,
				    "expected at least one name in \"%s\"", keys);
	return true;
}

/* The parameter @name ("size" or "cma.size") means for @ops, or NULL if it has none. */
static const struct cmasim_param *param_of(const struct cmasim_policy_ops *ops, const char *name)
{
	const char *dot = strchr(name, '.');

	if (dot && (strlen(ops->name) != (size_t)(dot - name) ||
		    strncmp(ops->name, name, (size_t)(dot - name))))
		return NULL;
	for (const struct cmasim_param *p = ops->params; p && p->name; p++)
		if (!strcmp(p->name, dot ? dot + 1 : name))
			return p;
	return NULL;
}

/* The type of parameter @name in the first policy that has it; false if none has. */
static bool param_type(const char *name, enum cmasim_param_type *type)
{
	for (unsigned int i = 0; i < cmasim_nr_policies; i++) {
		const struct cmasim_param *p = param_of(cmasim_policies[i], name);

		if (p) {
			*type = p->type;
			return true;
		}
	}
	return false;
}

/* Reads range @node, {from, to, step}, of parameter or seeds @path into @out as text. */
static bool read_range(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		       bool size, GPtrArray *out)
{
	static const struct conf_field_spec range_specs[] = {
		{ "from", true }, { "to", true }, { "step", false },
	};
	struct conf_field f[G_N_ELEMENTS(range_specs)];
	uint64_t v[3] = { 0, 0, 1 };

	if (!conf_collect_fields(ld, node, path, range_specs, G_N_ELEMENTS(range_specs), f))
		return false;
	for (unsigned int k = 0; k < 3; k++) {
		if (!f[k].key)
			continue;
		if (size ? !conf_get_size(ld, f[k].value, path, &v[k])
			 : !conf_get_uint(ld, f[k].value, path, 0, UINT64_MAX, &v[k]))
			return false;
	}
	if (!v[2] || v[1] < v[0])
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
				    "%s: expected from <= to and a step above 0", path);
	if ((v[1] - v[0]) / v[2] >= CMASIM_SWEEP_MAX_POINTS)
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
				    "%s: more than %u values", path, CMASIM_SWEEP_MAX_POINTS);
	for (uint64_t x = v[0]; x <= v[1]; x += v[2]) {
		g_ptr_array_add(out, size ? conf_format_size(x) : g_strdup_printf("%" G_GUINT64_FORMAT,
										   x));
		if (v[1] - x < v[2])
			break;
	}
	return true;
}

/* Reads params: name -> a list of values, or a range. */
static bool read_params(struct conf_loader *ld, const yaml_node_t *node, GArray *params)
{
	if (!conf_expect_kind(ld, node, YAML_MAPPING_NODE, "params"))
		return false;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		const yaml_node_t *key = yaml_document_get_node(ld->doc, p->key);
		const yaml_node_t *value = yaml_document_get_node(ld->doc, p->value);
		struct param pm = { NULL, g_ptr_array_new_with_free_func(g_free) };
		enum cmasim_param_type type;
		bool ok;

		g_array_append_val(params, pm);
		if (!conf_get_string(ld, key, "params", true, &g_array_index(params, struct param,
									     params->len - 1).name))
			return false;
		pm = g_array_index(params, struct param, params->len - 1);
		if (!param_type(pm.name, &type))
			return conf_fail_at(ld, key->start_mark, CMASIM_ERROR_KEY,
					    "no policy has a parameter \"%s\" (see cmasim list)",
					    pm.name);
		if (value->type == YAML_MAPPING_NODE) {
			ok = read_range(ld, value, pm.name, type == CMASIM_PARAM_SIZE, pm.values);
		} else {
			ok = conf_expect_kind(ld, value, YAML_SEQUENCE_NODE, pm.name);
			for (size_t i = 0; ok && i < conf_seq_len(value); i++) {
				char *text = NULL;

				ok = conf_get_string(ld, item(ld, value, i), pm.name, true, &text);
				if (ok)
					g_ptr_array_add(pm.values, text);
			}
			if (ok && !pm.values->len)
				ok = conf_fail_at(ld, value->start_mark, CMASIM_ERROR_VALUE,
						  "expected at least one value for \"%s\"", pm.name);
		}
		if (!ok)
			return false;
	}
	return true;
}

/* Reads seed, or seeds as a list or a range. */
static bool read_seeds(struct conf_loader *ld, const struct conf_field *f, GPtrArray *seeds)
{
	const yaml_node_t *many = f[S_SEEDS].value;
	uint64_t seed;

	if (f[S_SEED].key && f[S_SEEDS].key)
		return conf_fail_at(ld, f[S_SEEDS].key->start_mark, CMASIM_ERROR_KEY,
				    "both \"seed\" and \"seeds\" (expected one of them)");
	if (f[S_SEED].key) {
		if (!conf_get_uint(ld, f[S_SEED].value, "seed", 0, UINT64_MAX, &seed))
			return false;
		g_ptr_array_add(seeds, g_strdup_printf("%" G_GUINT64_FORMAT, seed));
	}
	if (!many)
		return true;
	if (many->type == YAML_MAPPING_NODE)
		return read_range(ld, many, "seeds", false, seeds);
	if (!conf_expect_kind(ld, many, YAML_SEQUENCE_NODE, "seeds"))
		return false;
	for (size_t i = 0; i < conf_seq_len(many); i++) {
		if (!conf_get_uint(ld, item(ld, many, i), "seeds", 0, UINT64_MAX, &seed))
			return false;
		g_ptr_array_add(seeds, g_strdup_printf("%" G_GUINT64_FORMAT, seed));
	}
	if (!seeds->len)
		return conf_fail_at(ld, many->start_mark, CMASIM_ERROR_VALUE,
				    "expected at least one seed in \"seeds\"");
	return true;
}

/* What a spec says, before it expands. */
struct spec {
	GPtrArray *workloads, *machines, *policies, *set, *seeds;	/* of char * */
	GArray *params;							/* of struct param */
};

/* Appends the points of @s for policy @ops on @machine and @workload to @points. */
static void expand_policy(const struct spec *s, const struct cmasim_policy_ops *ops,
			  const char *machine, const char *workload, GArray *points)
{
	unsigned int np = s->params->len;
	g_autofree guint *at = g_new0(guint, np + 1);

	/* an odometer over the values of the parameters the policy has, the first slowest */
	for (;;) {
		for (guint k = 0; k < MAX(s->seeds->len, 1); k++) {
			struct cmasim_sweep_point pt = { g_strdup(machine), g_strdup(workload),
							 g_strdup(ops->name) };
			GPtrArray *set = g_ptr_array_new();

			pt.values = g_new0(char *, np + 1);
			for (guint i = 0; i < s->set->len; i++)
				g_ptr_array_add(set, g_strdup(s->set->pdata[i]));
			for (unsigned int i = 0; i < np; i++) {
				const struct param *pm = &g_array_index(s->params, struct param, i);

				if (!param_of(ops, pm->name)) {
					pt.values[i] = g_strdup("");
					continue;
				}
				pt.values[i] = g_strdup(pm->values->pdata[at[i]]);
				g_ptr_array_add(set, g_strdup_printf("%s=%s", pm->name, pt.values[i]));
			}
			g_ptr_array_add(set, NULL);
			pt.set = (char **)g_ptr_array_free(set, FALSE);
			pt.has_seed = s->seeds->len > 0;
			if (pt.has_seed)
				pt.seed = g_ascii_strtoull(s->seeds->pdata[k], NULL, 10);
			g_array_append_val(points, pt);
		}
		int i = (int)np - 1;

		for (; i >= 0; i--) {
			const struct param *pm = &g_array_index(s->params, struct param, i);

			if (!param_of(ops, pm->name))
				continue;
			if (++at[i] < pm->values->len)
				break;
			at[i] = 0;
		}
		if (i < 0)
			return;
	}
}

static void point_clear(struct cmasim_sweep_point *pt)
{
	g_free(pt->machine);
	g_free(pt->workload);
	g_free(pt->policy);
	g_strfreev(pt->values);
	g_strfreev(pt->set);
}

void cmasim_sweep_free(struct cmasim_sweep *sweep)
{
	if (!sweep)
		return;
	for (unsigned int i = 0; i < sweep->nr_points; i++)
		point_clear(&sweep->points[i]);
	g_free(sweep->points);
	g_strfreev(sweep->params);
	g_free(sweep->source);
	g_free(sweep);
}

/* The number of points @s expands to, counting only the values each policy takes. */
static uint64_t count_points(const struct spec *s, const struct cmasim_policy_ops *const *ops,
			     unsigned int nr_ops)
{
	uint64_t total = 0;

	for (unsigned int p = 0; p < nr_ops; p++) {
		uint64_t n = MAX(s->seeds->len, 1);

		for (guint i = 0; i < s->params->len; i++) {
			const struct param *pm = &g_array_index(s->params, struct param, i);

			if (param_of(ops[p], pm->name))
				n = MIN(n * pm->values->len, (uint64_t)CMASIM_SWEEP_MAX_POINTS + 1);
		}
		total += n;
	}
	return MIN(total * MAX(s->machines->len, 1) * s->workloads->len,
		   (uint64_t)CMASIM_SWEEP_MAX_POINTS + 1);
}

static bool read_spec(struct conf_loader *ld, struct spec *s, struct cmasim_sweep *sweep)
{
	const yaml_node_t *root = yaml_document_get_root_node(ld->doc);
	g_autofree const struct cmasim_policy_ops **ops = NULL;
	struct conf_field f[NR_S];
	unsigned int nr_ops = 0;
	GArray *points;

	if (!root)
		return conf_fail_at(ld, (yaml_mark_t){ 0 }, CMASIM_ERROR_KEY,
				    "empty sweep spec (expected a mapping with \"workloads\")");
	if (!conf_expect_kind(ld, root, YAML_MAPPING_NODE, "sweep spec") ||
	    !conf_collect_fields(ld, root, "the sweep spec", specs, NR_S, f) ||
	    !read_names(ld, &f[S_WORKLOAD], &f[S_WORKLOADS], "workload", "workloads", s->workloads) ||
	    !read_names(ld, &f[S_MACHINE], &f[S_MACHINES], "machine", "machines", s->machines) ||
	    !read_seeds(ld, f, s->seeds) ||
	    (f[S_PARAMS].key && !read_params(ld, f[S_PARAMS].value, s->params)))
		return false;
	if (!s->workloads->len)
		return conf_fail_at(ld, root->start_mark, CMASIM_ERROR_KEY,
				    "the sweep spec has no \"workload\" or \"workloads\"");
	if (f[S_SET].key) {
		if (!conf_expect_kind(ld, f[S_SET].value, YAML_SEQUENCE_NODE, "set"))
			return false;
		for (size_t i = 0; i < conf_seq_len(f[S_SET].value); i++) {
			char *text = NULL;

			if (!conf_get_string(ld, item(ld, f[S_SET].value, i), "set", true, &text))
				return false;
			g_ptr_array_add(s->set, text);
		}
	}
	ops = g_new0(const struct cmasim_policy_ops *, cmasim_nr_policies + 1);
	if (f[S_POLICIES].key && f[S_POLICIES].value->type == YAML_SCALAR_NODE &&
	    conf_scalar_is(f[S_POLICIES].value, "all")) {
		for (; nr_ops < cmasim_nr_policies; nr_ops++)
			ops[nr_ops] = cmasim_policies[nr_ops];
	} else {
		if (!read_names(ld, &f[S_POLICY], &f[S_POLICIES], "policy", "policies", s->policies))
			return false;
		if (!s->policies->len)
			return conf_fail_at(ld, root->start_mark, CMASIM_ERROR_KEY,
					    "the sweep spec has no \"policy\" or \"policies\"");
		for (guint i = 0; i < s->policies->len; i++) {
			ops[nr_ops] = cmasim_policy_find(s->policies->pdata[i]);
			if (!ops[nr_ops])
				return conf_fail_at(ld, (f[S_POLICY].key ? f[S_POLICY]
									 : f[S_POLICIES]).value->start_mark,
						    CMASIM_ERROR_VALUE,
						    "no policy named \"%s\" (see cmasim list)",
						    (char *)s->policies->pdata[i]);
			nr_ops++;
		}
	}
	if (count_points(s, ops, nr_ops) > CMASIM_SWEEP_MAX_POINTS)
		return conf_fail_at(ld, root->start_mark, CMASIM_ERROR_VALUE,
				    "the sweep has more than %u points", CMASIM_SWEEP_MAX_POINTS);
	points = g_array_new(FALSE, FALSE, sizeof(struct cmasim_sweep_point));
	for (guint m = 0; m < MAX(s->machines->len, 1); m++)
		for (guint w = 0; w < s->workloads->len; w++)
			for (unsigned int p = 0; p < nr_ops; p++)
				expand_policy(s, ops[p], s->machines->len ? s->machines->pdata[m]
									  : NULL,
					      s->workloads->pdata[w], points);
	sweep->nr_points = points->len;
	sweep->points = (struct cmasim_sweep_point *)(void *)g_array_free(points, FALSE);
	sweep->params = g_new0(char *, s->params->len + 1);
	for (guint i = 0; i < s->params->len; i++)
		sweep->params[i] = g_strdup(g_array_index(s->params, struct param, i).name);
	return true;
}

struct cmasim_sweep *cmasim_sweep_load_data(const char *source, const char *data, size_t len,
					    GError **error)
{
	g_auto(yaml_parser_t) parser = { 0 };
	g_auto(yaml_document_t) doc = { 0 };
	struct conf_loader ld = { .source = source, .doc = &doc, .error = error };
	struct cmasim_sweep *sweep = g_new0(struct cmasim_sweep, 1);
	struct spec s = {
		g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free),
		g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free),
		g_ptr_array_new_with_free_func(g_free), g_array_new(FALSE, TRUE, sizeof(struct param)),
	};
	bool ok;

	g_array_set_clear_func(s.params, param_clear);
	sweep->source = g_strdup(source);
	ok = conf_load_document(&ld, data ? data : "", len, &parser) && read_spec(&ld, &s, sweep);
	g_ptr_array_free(s.workloads, TRUE);
	g_ptr_array_free(s.machines, TRUE);
	g_ptr_array_free(s.policies, TRUE);
	g_ptr_array_free(s.set, TRUE);
	g_ptr_array_free(s.seeds, TRUE);
	g_array_free(s.params, TRUE);
	if (ok)
		return sweep;
	cmasim_sweep_free(sweep);
	return NULL;
}

struct cmasim_sweep *cmasim_sweep_load_file(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	size_t len = 0;

	if (!conf_read_file(path, CONF_MAX_FILE_BYTES, &data, &len, error))
		return NULL;
	return cmasim_sweep_load_data(path, data, len, error);
}

char *cmasim_sweep_resolve(const struct cmasim_sweep *sweep, const char *name)
{
	return conf_resolve(sweep->source, name);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gate files and the limits they set: see cmasim/gate.h. The baseline
 * that relative limits compare with is in baseline.c.
 */
#include <math.h>
#include <string.h>

#include "cmasim/gate.h"
#include "cmasim/policy.h"
#include "cmasim/units.h"
#include "confyaml.h"
#include "gate_private.h"

/* The most runs a gate file may expand into: days of check, and its memory, well before. */
#define GATE_MAX_RUNS 100000u

/* The keys a case (or defaults:) may have. */
enum {
	K_WORKLOAD, K_WORKLOADS, K_MACHINE, K_MACHINES, K_POLICY, K_POLICIES, K_SET, K_SEED,
	K_SEEDS, K_GATE, NR_K,
};

static const struct conf_field_spec case_specs[NR_K] = {
	[K_WORKLOAD] = { "workload", false }, [K_WORKLOADS] = { "workloads", false },
	[K_MACHINE] = { "machine", false }, [K_MACHINES] = { "machines", false },
	[K_POLICY] = { "policy", false }, [K_POLICIES] = { "policies", false },
	[K_SET] = { "set", false }, [K_SEED] = { "seed", false }, [K_SEEDS] = { "seeds", false },
	[K_GATE] = { "gate", false },
};

static const struct conf_field_spec top_specs[] = {
	{ "baseline", false }, { "defaults", false }, { "cases", true },
};

static const struct conf_field_spec limit_specs[] = {
	{ "max", false }, { "min", false }, { "baseline", false },
};

/* "file:line:column" of @node, for messages made after loading. */
static char *where(const struct conf_loader *ld, const yaml_node_t *node)
{
	return g_strdup_printf("%s:%zu:%zu", ld->source, node->start_mark.line + 1,
			       node->start_mark.column + 1);
}

/* Item @i of sequence @seq. */
static yaml_node_t *item(const struct conf_loader *ld, const yaml_node_t *seq, size_t i)
{
	return yaml_document_get_node(ld->doc, seq->data.sequence.items.start[i]);
}

char *cmasim_gate_resolve(const struct cmasim_gate *gate, const char *name)
{
	return conf_resolve(gate->source, name);
}

/*
 * The names of @one (a scalar) or @many (a sequence of them), @key and
 * @keys in messages; NULL-terminated, or NULL with an error. Neither
 * given: an empty list.
 */
static char **names_of(struct conf_loader *ld, const struct conf_field *one,
		       const struct conf_field *many, const char *key, const char *keys)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	char *name = NULL;

	if (one->key && many->key) {
		conf_fail_at(ld, many->key->start_mark, CMASIM_ERROR_KEY,
			     "both \"%s\" and \"%s\" (expected one of them)", key, keys);
		goto fail;
	}
	if (one->key) {
		if (!conf_get_string(ld, one->value, key, true, &name))
			goto fail;
		g_ptr_array_add(out, name);
	} else if (many->key) {
		if (!conf_expect_kind(ld, many->value, YAML_SEQUENCE_NODE, keys))
			goto fail;
		for (size_t i = 0; i < conf_seq_len(many->value); i++) {
			name = NULL;
			if (!conf_get_string(ld, item(ld, many->value, i), keys, true, &name))
				goto fail;
			g_ptr_array_add(out, name);
		}
		if (!out->len) {
			conf_fail_at(ld, many->value->start_mark, CMASIM_ERROR_VALUE,
				     "expected at least one name in \"%s\"", keys);
			goto fail;
		}
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
fail:
	g_ptr_array_free(out, TRUE);
	return NULL;
}

/* Reads a number in @def's unit: a time or a size with its unit, or a plain decimal. */
static bool get_number(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		       const struct cmasim_figure_def *def, bool non_negative, double *out)
{
	g_autofree char *text = NULL, *quoted = NULL;

	if (!conf_expect_kind(ld, node, YAML_SCALAR_NODE, path))
		return false;
	text = g_strndup(CONF_SCALAR_TEXT(node));
	if (cmasim_figure_parse(def, text, out) && (!non_negative || *out >= 0))
		return true;
	quoted = conf_quote(node);
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "expected %s%s for \"%s\", got \"%s\"", non_negative ? "a non-negative " : "a ",
			    cmasim_figure_expects(def), path, quoted);
}

/* Reads a baseline tolerance: "5%", or an amount in @def's unit. */
static bool get_tolerance(struct conf_loader *ld, const yaml_node_t *node, const char *path,
			  const struct cmasim_figure_def *def, struct cmasim_limit *l)
{
	size_t len = node->type == YAML_SCALAR_NODE ? node->data.scalar.length : 0;
	g_autofree char *text = NULL, *quoted = NULL;
	char *end;

	l->has_tolerance = true;
	if (!len || node->data.scalar.value[len - 1] != '%')
		return get_number(ld, node, path, def, true, &l->tolerance);
	text = g_strndup((const char *)node->data.scalar.value, len - 1);
	l->percent = true;
	l->tolerance = g_ascii_strtod(text, &end);
	if (*text && !*end && isfinite(l->tolerance) && l->tolerance >= 0 &&
	    !g_ascii_isspace(*text))
		return true;
	quoted = conf_quote(node);
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "expected a percentage such as 5%% for \"%s\", got \"%s\"", path, quoted);
}

/* The figure names of the catalog, for "expected one of". */
static char *catalog_names(void)
{
	GString *s = g_string_new(NULL);

	for (const struct cmasim_figure_def *d = cmasim_run_figure_defs; d->pattern; d++)
		if (d->unit != CMASIM_UNIT_TEXT)
			g_string_append_printf(s, "%s%s", s->len ? ", " : "", d->pattern);
	return g_string_free(s, FALSE);
}

/* Edit distance of @a and @b, for suggesting the figure a typo meant. */
static unsigned int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	g_autofree unsigned int *row = g_new(unsigned int, lb + 1);

	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned int diag = row[0];

		row[0] = (unsigned int)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned int up = row[j];

			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), diag + (a[i - 1] != b[j - 1]));
			diag = up;
		}
	}
	return row[lb];
}

/* The catalog figure nearest to @name, if it is near enough to be what was meant. */
static const char *nearest(const char *name)
{
	const char *best = NULL;
	unsigned int best_d = 4;
	size_t len = strlen(name);

	for (const struct cmasim_figure_def *d = cmasim_run_figure_defs; d->pattern; d++) {
		size_t plen = strlen(d->pattern);
		unsigned int dist;

		/* the lengths' difference bounds the distance: skip the quadratic walk */
		if (d->unit == CMASIM_UNIT_TEXT || MAX(len, plen) - MIN(len, plen) >= best_d)
			continue;
		dist = distance(name, d->pattern);
		if (dist < best_d) {
			best = d->pattern;
			best_d = dist;
		}
	}
	return best;
}

/* Reads one "figure: {max, min, baseline}" of @gate into @l. */
static bool read_limit(struct conf_loader *ld, const yaml_node_t *key, const yaml_node_t *value,
		       struct cmasim_limit *l)
{
	struct conf_field f[G_N_ELEMENTS(limit_specs)];
	g_autofree char *path = NULL;

	if (!conf_get_string(ld, key, "gate", true, &l->figure))
		return false;
	l->where = where(ld, key);
	l->def = cmasim_figure_def_find(l->figure);
	if (!l->def) {
		g_autofree char *names = catalog_names();
		const char *near = nearest(l->figure);
		g_autofree char *hint = near ? g_strdup_printf("did you mean %s? ", near) : NULL;

		return conf_fail_at(ld, key->start_mark, CMASIM_ERROR_KEY,
				    "no figure named \"%s\" (%sexpected one of: %s)", l->figure,
				    hint ? hint : "", names);
	}
	if (l->def->unit == CMASIM_UNIT_TEXT)
		return conf_fail_at(ld, key->start_mark, CMASIM_ERROR_VALUE,
				    "figure \"%s\" is text, not a number: it cannot be gated",
				    l->figure);
	path = g_strdup_printf("gate.%s", l->figure);
	if (!conf_expect_kind(ld, value, YAML_MAPPING_NODE, path) ||
	    !conf_collect_fields(ld, value, path, limit_specs, G_N_ELEMENTS(limit_specs), f))
		return false;
	if (!f[0].key && !f[1].key && !f[2].key)
		return conf_fail_at(ld, value->start_mark, CMASIM_ERROR_KEY,
				    "%s sets no limit (expected max, min or baseline)", path);
	l->has_max = f[0].key;
	l->has_min = f[1].key;
	return (!f[0].key || get_number(ld, f[0].value, path, l->def, false, &l->max)) &&
	       (!f[1].key || get_number(ld, f[1].value, path, l->def, false, &l->min)) &&
	       (!f[2].key || get_tolerance(ld, f[2].value, path, l->def, l));
}

static void limit_clear(void *p)
{
	struct cmasim_limit *l = p;

	g_free(l->figure);
	g_free(l->where);
}

/* Reads mapping @node (a case's or defaults' gate:) into @limits, replacing equal figures. */
static bool read_gate(struct conf_loader *ld, const yaml_node_t *node, GArray *limits)
{
	if (!conf_expect_kind(ld, node, YAML_MAPPING_NODE, "gate"))
		return false;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		struct cmasim_limit l = { 0 };
		guint i;

		if (!read_limit(ld, yaml_document_get_node(ld->doc, p->key),
				yaml_document_get_node(ld->doc, p->value), &l)) {
			limit_clear(&l);
			return false;
		}
		for (i = 0; i < limits->len; i++)
			if (!strcmp(g_array_index(limits, struct cmasim_limit, i).figure, l.figure))
				break;
		if (i < limits->len)
			g_array_remove_index(limits, i);
		g_array_append_val(limits, l);
	}
	return true;
}

/* What a case (or defaults:) says, before it expands into runs. */
struct spec {
	char **workloads, **machines, **policies, **set;
	GArray *seeds;		/* of uint64_t; empty: the workload's */
	GArray *limits;		/* of struct cmasim_limit */
	bool all_policies;
	bool has[NR_K];		/* which keys it gave */
	char *where;
};

static void spec_clear(struct spec *s)
{
	g_strfreev(s->workloads);
	g_strfreev(s->machines);
	g_strfreev(s->policies);
	g_strfreev(s->set);
	if (s->seeds)
		g_array_unref(s->seeds);
	if (s->limits)
		g_array_unref(s->limits);
	g_free(s->where);
}

/* Reads @f's policy or policies: names the registry has, or "all". */
static bool read_policies(struct conf_loader *ld, const struct conf_field *f, struct spec *s)
{
	const struct conf_field *many = &f[K_POLICIES];

	if (many->key && many->value->type == YAML_SCALAR_NODE) {
		if (!conf_scalar_is(many->value, "all"))
			return conf_fail_at(ld, many->value->start_mark, CMASIM_ERROR_VALUE,
					    "expected a list of policies or \"all\" for \"policies\"");
		s->all_policies = true;
		s->policies = g_new0(char *, cmasim_nr_policies + 1);
		for (unsigned int i = 0; i < cmasim_nr_policies; i++)
			s->policies[i] = g_strdup(cmasim_policies[i]->name);
		return true;
	}
	s->policies = names_of(ld, &f[K_POLICY], many, "policy", "policies");
	if (!s->policies)
		return false;
	for (size_t i = 0; s->policies[i]; i++) {
		const yaml_node_t *node = f[K_POLICY].key ? f[K_POLICY].value : item(ld, many->value, i);

		if (!cmasim_policy_find(s->policies[i]))
			return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
					    "no policy named \"%s\" (see cmasim list)",
					    s->policies[i]);
	}
	return true;
}

/* Reads seed or seeds. */
static bool read_seeds(struct conf_loader *ld, const struct conf_field *f, struct spec *s)
{
	const yaml_node_t *many = f[K_SEEDS].value;
	uint64_t seed;

	if (f[K_SEED].key && f[K_SEEDS].key)
		return conf_fail_at(ld, f[K_SEEDS].key->start_mark, CMASIM_ERROR_KEY,
				    "both \"seed\" and \"seeds\" (expected one of them)");
	if (f[K_SEED].key) {
		if (!conf_get_uint(ld, f[K_SEED].value, "seed", 0, UINT64_MAX, &seed))
			return false;
		g_array_append_val(s->seeds, seed);
	}
	if (!f[K_SEEDS].key)
		return true;
	if (!conf_expect_kind(ld, many, YAML_SEQUENCE_NODE, "seeds"))
		return false;
	for (size_t i = 0; i < conf_seq_len(many); i++) {
		if (!conf_get_uint(ld, item(ld, many, i), "seeds", 0, UINT64_MAX, &seed))
			return false;
		g_array_append_val(s->seeds, seed);
	}
	if (!s->seeds->len)
		return conf_fail_at(ld, many->start_mark, CMASIM_ERROR_VALUE,
				    "expected at least one seed in \"seeds\"");
	return true;
}

/* Reads set: a list of policy settings as --set takes them. */
static bool read_set(struct conf_loader *ld, const yaml_node_t *node, struct spec *s)
{
	/* the texts read so far go with the array when a later one is refused */
	GPtrArray *set = g_ptr_array_new_with_free_func(g_free);

	if (!conf_expect_kind(ld, node, YAML_SEQUENCE_NODE, "set")) {
		g_ptr_array_free(set, TRUE);
		return false;
	}
	for (size_t i = 0; i < conf_seq_len(node); i++) {
		char *text = NULL;

		if (!conf_get_string(ld, item(ld, node, i), "set", true, &text)) {
			g_ptr_array_free(set, TRUE);
			return false;
		}
		g_ptr_array_add(set, text);
	}
	g_ptr_array_add(set, NULL);
	s->set = (char **)g_ptr_array_free(set, FALSE);
	return true;
}

/* Reads a case, or defaults: (@path), into @s. */
static bool read_spec(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		      struct spec *s)
{
	struct conf_field f[NR_K];

	s->seeds = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	s->limits = g_array_new(FALSE, TRUE, sizeof(struct cmasim_limit));
	g_array_set_clear_func(s->limits, limit_clear);
	s->where = where(ld, node);
	if (!conf_expect_kind(ld, node, YAML_MAPPING_NODE, path) ||
	    !conf_collect_fields(ld, node, path, case_specs, NR_K, f))
		return false;
	for (unsigned int k = 0; k < NR_K; k++)
		s->has[k] = f[k].key != NULL;
	s->workloads = names_of(ld, &f[K_WORKLOAD], &f[K_WORKLOADS], "workload", "workloads");
	if (!s->workloads)
		return false;
	s->machines = names_of(ld, &f[K_MACHINE], &f[K_MACHINES], "machine", "machines");
	if (!s->machines)
		return false;
	return (!(f[K_POLICY].key || f[K_POLICIES].key) || read_policies(ld, f, s)) &&
	       read_seeds(ld, f, s) && (!f[K_SET].key || read_set(ld, f[K_SET].value, s)) &&
	       (!f[K_GATE].key || read_gate(ld, f[K_GATE].value, s->limits));
}

/* Whether spec @s gave @one or @many (a key and its plural). */
static bool gave(const struct spec *s, unsigned int one, unsigned int many)
{
	return s->has[one] || s->has[many];
}

/*
 * What the cases of a gate point to: each entry's runs share one list of
 * limits and one of settings, and equal strings are stored once, so that
 * 100000 runs take a few megabytes, not a hundred.
 */
struct gate_store {
	GStringChunk *strings;
	GPtrArray *arrays;	/* limit arrays and setting lists */
};

static struct gate_store *store_new(void)
{
	struct gate_store *st = g_new(struct gate_store, 1);

	st->strings = g_string_chunk_new(4096);
	st->arrays = g_ptr_array_new_with_free_func(g_free);
	return st;
}

static void store_free(struct gate_store *st)
{
	if (!st)
		return;
	g_string_chunk_free(st->strings);
	g_ptr_array_free(st->arrays, TRUE);
	g_free(st);
}

/* @text kept in @st; NULL stays NULL. */
static const char *store_string(struct gate_store *st, const char *text)
{
	return text ? g_string_chunk_insert_const(st->strings, text) : NULL;
}

/* @l kept in @st, with its strings. */
static struct cmasim_limit store_limit(struct gate_store *st, const struct cmasim_limit *l)
{
	struct cmasim_limit c = *l;

	c.figure = (char *)store_string(st, l->figure);
	c.where = (char *)store_string(st, l->where);
	return c;
}

/*
 * The limits of a case, kept in @st: @defaults', then the case's own,
 * which replace a default of the same figure.
 */
static GArray *merged_limits(struct gate_store *st, const struct spec *defaults,
			     const struct spec *s)
{
	GArray *all = g_array_new(FALSE, TRUE, sizeof(struct cmasim_limit));

	for (guint i = 0; i < defaults->limits->len; i++) {
		const struct cmasim_limit *d = &g_array_index(defaults->limits, struct cmasim_limit, i);
		bool replaced = false;

		for (guint j = 0; j < s->limits->len; j++)
			replaced |= !strcmp(g_array_index(s->limits, struct cmasim_limit, j).figure,
					    d->figure);
		if (!replaced) {
			struct cmasim_limit c = store_limit(st, d);

			g_array_append_val(all, c);
		}
	}
	for (guint j = 0; j < s->limits->len; j++) {
		const struct cmasim_limit *own = &g_array_index(s->limits, struct cmasim_limit, j);
		struct cmasim_limit c = store_limit(st, own);

		g_array_append_val(all, c);
	}
	return all;
}

/*
 * Refuses a case whose runs would take the gate file past GATE_MAX_RUNS,
 * before they are made: a few lines of lists multiply into millions of
 * runs, memory the loader would exhaust and days check would take.
 */
static bool room_for(struct conf_loader *ld, const yaml_node_t *node, guint before,
		     guint workloads, guint machines, guint policies, guint seeds)
{
	const guint factors[] = { workloads, machines, policies, seeds };
	uint64_t room = GATE_MAX_RUNS - before, runs = 1;
	size_t i;

	/* runs * factor > room, asked as a division so that nothing wraps */
	for (i = 0; i < G_N_ELEMENTS(factors) && factors[i] <= room / runs; i++)
		runs *= factors[i];
	if (i == G_N_ELEMENTS(factors))
		return true;
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "case expands into %u x %u x %u x %u runs (workloads x machines x "
			    "policies x seeds), which takes the gate file past %u (expected at "
			    "most that many; split it into several files)", workloads, machines,
			    policies, seeds, GATE_MAX_RUNS);
}

/* Expands case @s, with @defaults for what it does not say, into runs appended to @cases. */
static bool expand(struct conf_loader *ld, const yaml_node_t *node, const struct spec *defaults,
		   const struct spec *s, struct gate_store *st, GArray *cases)
{
	char *const *workloads = gave(s, K_WORKLOAD, K_WORKLOADS) ? s->workloads : defaults->workloads;
	char *const *machines = gave(s, K_MACHINE, K_MACHINES) ? s->machines : defaults->machines;
	const struct spec *pol = gave(s, K_POLICY, K_POLICIES) ? s : defaults;
	const GArray *seeds = gave(s, K_SEED, K_SEEDS) ? s->seeds : defaults->seeds;
	g_autoptr(GArray) limits = merged_limits(st, defaults, s);
	unsigned int nr_machines = MAX(g_strv_length((char **)machines), 1);
	GPtrArray *set;
	const struct cmasim_limit *shared_limits;
	const char *const *shared_set;
	const char *where;
	unsigned int nr_limits;

	if (!*workloads)
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_KEY,
				    "case has no \"workload\" (nor has defaults)");
	if (!pol->policies)
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_KEY,
				    "case has no \"policy\" or \"policies\" (nor has defaults)");
	if (!limits->len)
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_KEY,
				    "case gates no figure (expected a \"gate\" here or in defaults)");
	if (!room_for(ld, node, cases->len, g_strv_length((char **)workloads), nr_machines,
		      g_strv_length(pol->policies), MAX(seeds->len, 1)))
		return false;
	set = g_ptr_array_new();
	for (char **p = defaults->set; p && *p; p++)
		g_ptr_array_add(set, (char *)store_string(st, *p));
	for (char **p = s->set; p && *p; p++)
		g_ptr_array_add(set, (char *)store_string(st, *p));
	g_ptr_array_add(set, NULL);
	shared_set = (const char *const *)g_ptr_array_free(set, FALSE);
	g_ptr_array_add(st->arrays, (gpointer)shared_set);
	where = store_string(st, s->where);
	shared_limits = &g_array_index(limits, struct cmasim_limit, 0);
	nr_limits = limits->len;
	g_ptr_array_add(st->arrays, g_array_free(g_steal_pointer(&limits), FALSE));
	for (char *const *w = workloads; *w; w++) {
		const char *workload = store_string(st, *w);

		/* no machine named: one run on each workload's own */
		for (unsigned int m = 0; m < nr_machines; m++) {
			const char *machine = store_string(st, machines[m]);

			for (char **p = pol->policies; *p; p++) {
				const char *policy = store_string(st, *p);

				for (guint k = 0; k < MAX(seeds->len, 1); k++) {
					struct cmasim_gate_case c = {
						.workload = workload,
						.machine = machine,
						.policy = policy,
						.optional = pol->all_policies,
						.set = shared_set,
						.has_seed = seeds->len > 0,
						.seed = seeds->len ? g_array_index(seeds, uint64_t, k) : 0,
						.limits = shared_limits,
						.nr_limits = nr_limits,
						.where = where,
					};

					g_array_append_val(cases, c);
				}
			}
		}
	}
	return true;
}

void cmasim_gate_free(struct cmasim_gate *gate)
{
	if (!gate)
		return;
	g_free(gate->cases);
	store_free(gate->store);
	g_free(gate->source);
	g_free(gate->baseline);
	g_free(gate);
}

/* Reads the top of a gate file into @gate; false with an error. */
static bool read_gate_file(struct conf_loader *ld, struct cmasim_gate *gate, GArray *cases)
{
	const yaml_node_t *root = yaml_document_get_root_node(ld->doc);
	struct conf_field f[G_N_ELEMENTS(top_specs)];
	struct spec defaults = { 0 };
	bool ok = false;

	if (!root)
		return conf_fail_at(ld, (yaml_mark_t){ 0 }, CMASIM_ERROR_KEY,
				    "empty gate file (expected a mapping with \"cases\")");
	if (!conf_expect_kind(ld, root, YAML_MAPPING_NODE, "gate file") ||
	    !conf_collect_fields(ld, root, "the gate file", top_specs, G_N_ELEMENTS(top_specs), f))
		return false;
	if (f[0].key) {
		g_autofree char *name = NULL, *dir = g_path_get_dirname(ld->source);

		if (!conf_get_string(ld, f[0].value, "baseline", true, &name))
			return false;
		/* the gate's neighbour, whatever it is called: baselines are never built in */
		gate->baseline = g_path_is_absolute(name) ? g_strdup(name)
							   : g_build_filename(dir, name, NULL);
	}
	if (f[1].key && !read_spec(ld, f[1].value, "defaults", &defaults))
		goto out;
	if (!f[1].key) {
		defaults.seeds = g_array_new(FALSE, FALSE, sizeof(uint64_t));
		defaults.limits = g_array_new(FALSE, TRUE, sizeof(struct cmasim_limit));
		defaults.workloads = g_new0(char *, 1);
		defaults.machines = g_new0(char *, 1);
	}
	if (!conf_expect_kind(ld, f[2].value, YAML_SEQUENCE_NODE, "cases"))
		goto out;
	if (!conf_seq_len(f[2].value)) {
		conf_fail_at(ld, f[2].value->start_mark, CMASIM_ERROR_VALUE,
			     "expected at least one case in \"cases\"");
		goto out;
	}
	for (size_t i = 0; i < conf_seq_len(f[2].value); i++) {
		const yaml_node_t *node = item(ld, f[2].value, i);
		g_autofree char *path = g_strdup_printf("cases[%zu]", i);
		struct spec s = { 0 };
		bool read = read_spec(ld, node, path, &s) &&
			    expand(ld, node, &defaults, &s, gate->store, cases);

		spec_clear(&s);
		if (!read)
			goto out;
	}
	ok = true;
out:
	spec_clear(&defaults);
	return ok;
}

struct cmasim_gate *cmasim_gate_load_data(const char *source, const char *data, size_t len,
					  GError **error)
{
	g_auto(yaml_parser_t) parser = { 0 };
	g_auto(yaml_document_t) doc = { 0 };
	struct conf_loader ld = { .source = source, .doc = &doc, .error = error };
	struct cmasim_gate *gate = g_new0(struct cmasim_gate, 1);
	GArray *cases = g_array_new(FALSE, TRUE, sizeof(struct cmasim_gate_case));

	g_return_val_if_fail(source && (data || !len), NULL);
	gate->source = g_strdup(source);
	gate->store = store_new();
	if (conf_load_document(&ld, data ? data : "", len, &parser) &&
	    read_gate_file(&ld, gate, cases)) {
		gsize nr;

		gate->cases = g_array_steal(cases, &nr);
		gate->nr_cases = (unsigned int)nr;
		g_array_unref(cases);
		return gate;
	}
	g_array_free(cases, TRUE);
	cmasim_gate_free(gate);
	return NULL;
}

struct cmasim_gate *cmasim_gate_load_file(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	size_t len = 0;

	g_return_val_if_fail(path, NULL);
	if (!conf_read_file(path, CONF_MAX_FILE_BYTES, &data, &len, error))
		return NULL;
	return cmasim_gate_load_data(path, data, len, error);
}

/* A limit's bound in words: "max 2 ms", "at most 5% worse than the baseline". */
static char *limit_text(const struct cmasim_limit *l, bool max, bool tolerance)
{
	g_autofree char *v = NULL;

	if (!tolerance) {
		v = gate_value_text(max ? l->max : l->min, l->def);
		return g_strdup_printf("%s %s", max ? "max" : "min", v);
	}
	v = l->percent ? g_strdup_printf("%g%%", l->tolerance) : gate_value_text(l->tolerance, l->def);
	if (l->def->better == CMASIM_BETTER_NEITHER)
		return g_strdup_printf("within %s of the baseline", v);
	return g_strdup_printf("at most %s worse than the baseline", v);
}

static void regression_free(void *p)
{
	struct cmasim_regression *r = p;

	g_free(r->figure);
	g_free(r->value);
	g_free(r->baseline);
	g_free(r->limit);
	g_free(r);
}

/* Records that @l's figure, at @v (@base from the baseline, or NAN), broke a bound. */
static void regressed(GPtrArray *out, const struct cmasim_limit *l, double v, double base,
		      char *bound)
{
	struct cmasim_regression *r = g_new0(struct cmasim_regression, 1);

	r->figure = g_strdup(l->figure);
	r->value = isnan(v) ? g_strdup("no value") : gate_value_text(v, l->def);
	r->baseline = isnan(base) ? NULL : gate_value_text(base, l->def);
	r->limit = bound;
	g_ptr_array_add(out, r);
}

/* Whether @v is worse than @base by more than @l allows. */
static bool beyond_tolerance(const struct cmasim_limit *l, double v, double base)
{
	double allowed = l->percent ? fabs(base) * l->tolerance / 100 : l->tolerance;
	/* printed values are rounded: a difference below a millionth of them is no change */
	double slack = 1e-9 * MAX(fabs(base), 1);

	switch (l->def->better) {
	case CMASIM_BETTER_LOWER:
		return v - base > allowed + slack;
	case CMASIM_BETTER_HIGHER:
		return base - v > allowed + slack;
	default:
		return fabs(v - base) > allowed + slack;
	}
}

GPtrArray *cmasim_gate_evaluate(const struct cmasim_gate_case *c, const char *name,
				const GArray *figs, const struct cmasim_baseline *b,
				const char *baseline_path, GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(regression_free);
	const struct gate_baseline_case *base = NULL;

	for (unsigned int i = 0; i < c->nr_limits; i++) {
		const struct cmasim_limit *l = &c->limits[i];
		const struct cmasim_figure *f = cmasim_figures_find(figs, l->figure);
		double v = f && f->value ? g_ascii_strtod(f->value, NULL) : NAN, bv = NAN;

		if (!f) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
				    "%s: case %s has no figure %s (this machine or workload lacks "
				    "what it counts)", l->where, name, l->figure);
			return NULL;
		}
		if (l->has_tolerance) {
			if (!b) {
				g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
					    "%s: %s is gated against a baseline, and none was given "
					    "(give --baseline FILE; record one with --update-baseline "
					    "FILE)", l->where, l->figure);
				return NULL;
			}
			if (!base && !(base = gate_baseline_case(b, name, figs, baseline_path, error)))
				return NULL;
			if (!gate_baseline_value(base, l, name, baseline_path, &bv, error))
				return NULL;
		}
		/* no value (a rate of nothing) meets no absolute bound, and only itself before */
		if (l->has_max && (isnan(v) || v > l->max))
			regressed(out, l, v, NAN, limit_text(l, true, false));
		if (l->has_min && (isnan(v) || v < l->min))
			regressed(out, l, v, NAN, limit_text(l, false, false));
		if (l->has_tolerance && (isnan(v) != isnan(bv) ||
					 (!isnan(v) && beyond_tolerance(l, v, bv))))
			regressed(out, l, v, bv, limit_text(l, false, true));
	}
	return g_steal_pointer(&out);
}

char *gate_value_text(double v, const struct cmasim_figure_def *def)
{
	if (def->unit == CMASIM_UNIT_NS || def->unit == CMASIM_UNIT_BYTES)
		return cmasim_human(v, def->unit);
	return g_strdup_printf("%.10g", v);
}

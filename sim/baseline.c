// SPDX-License-Identifier: GPL-2.0-only
/*
 * Baselines for `cmasim check`: the figures of each case as a run
 * recorded them, with the hashes of the inputs they came from, so that a
 * baseline of other inputs is told apart from a regression.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "cmasim/report.h"
#include "confyaml.h"
#include "gate_private.h"

#define BASELINE_SCHEMA "cmasim-baseline/1"

/* Thousands of cases with a few figures each: far below this. */
#define MAX_BASELINE_BYTES (64u << 20)

struct gate_baseline_case {
	char *machine_sha256;
	char *workload_sha256;
	GHashTable *figures;	/* name -> value as printed, or NULL for none */
};

struct cmasim_baseline {
	char *version;
	GHashTable *cases;	/* name -> struct gate_baseline_case * */
};

static void case_free(void *p)
{
	struct gate_baseline_case *c = p;

	g_free(c->machine_sha256);
	g_free(c->workload_sha256);
	if (c->figures)
		g_hash_table_unref(c->figures);
	g_free(c);
}

void cmasim_baseline_free(struct cmasim_baseline *b)
{
	if (!b)
		return;
	g_free(b->version);
	g_hash_table_unref(b->cases);
	g_free(b);
}

const char *cmasim_baseline_version(const struct cmasim_baseline *b)
{
	return b->version;
}

/* Item @i of sequence @seq. */
static yaml_node_t *item(const struct conf_loader *ld, const yaml_node_t *seq, size_t i)
{
	return yaml_document_get_node(ld->doc, seq->data.sequence.items.start[i]);
}

/* Reads mapping @node of figure: value pairs into @c. */
static bool read_figures(struct conf_loader *ld, const yaml_node_t *node,
			 struct gate_baseline_case *c)
{
	if (!conf_expect_kind(ld, node, YAML_MAPPING_NODE, "figures"))
		return false;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *key = yaml_document_get_node(ld->doc, p->key);
		yaml_node_t *value = yaml_document_get_node(ld->doc, p->value);
		char *name = NULL, *text = NULL;
		char *end;

		if (!conf_get_string(ld, key, "figures", true, &name) ||
		    !conf_get_string(ld, value, name, true, &text)) {
			g_free(name);
			return false;
		}
		if (strcmp(text, "null")) {
			double v = g_ascii_strtod(text, &end);

			if (*end || !isfinite(v)) {
				conf_fail_at(ld, value->start_mark, CMASIM_ERROR_VALUE,
					     "expected a number or null for \"%s\"", name);
				g_free(name);
				g_free(text);
				return false;
			}
		} else {
			g_clear_pointer(&text, g_free);
		}
		g_hash_table_replace(c->figures, name, text);
	}
	return true;
}

/* Reads one entry of cases: into @b. */
static bool read_case(struct conf_loader *ld, const yaml_node_t *node, struct cmasim_baseline *b)
{
	static const struct conf_field_spec specs[] = {
		{ "case", true }, { "machine_sha256", true }, { "workload_sha256", true },
		{ "figures", true },
	};
	struct gate_baseline_case *c = g_new0(struct gate_baseline_case, 1);
	struct conf_field f[G_N_ELEMENTS(specs)];
	g_autofree char *name = NULL;

	c->figures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (!conf_expect_kind(ld, node, YAML_MAPPING_NODE, "cases") ||
	    !conf_collect_fields(ld, node, "a baseline case", specs, G_N_ELEMENTS(specs), f) ||
	    !conf_get_string(ld, f[0].value, "case", true, &name) ||
	    !conf_get_string(ld, f[1].value, "machine_sha256", true, &c->machine_sha256) ||
	    !conf_get_string(ld, f[2].value, "workload_sha256", true, &c->workload_sha256) ||
	    !read_figures(ld, f[3].value, c)) {
		case_free(c);
		return false;
	}
	if (g_hash_table_contains(b->cases, name)) {
		case_free(c);
		return conf_fail_at(ld, f[0].value->start_mark, CMASIM_ERROR_KEY,
				    "case \"%s\" is recorded twice", name);
	}
	g_hash_table_insert(b->cases, g_steal_pointer(&name), c);
	return true;
}

static bool read_baseline(struct conf_loader *ld, struct cmasim_baseline *b)
{
	static const struct conf_field_spec specs[] = {
		{ "schema", true }, { "cmasim_version", true }, { "cases", true },
	};
	const yaml_node_t *root = yaml_document_get_root_node(ld->doc);
	struct conf_field f[G_N_ELEMENTS(specs)];

	if (!root)
		return conf_fail_at(ld, (yaml_mark_t){ 0 }, CMASIM_ERROR_KEY,
				    "empty baseline (record one with cmasim check --update-baseline)");
	if (!conf_expect_kind(ld, root, YAML_MAPPING_NODE, "baseline") ||
	    !conf_collect_fields(ld, root, "the baseline", specs, G_N_ELEMENTS(specs), f))
		return false;
	if (!conf_scalar_is(f[0].value, BASELINE_SCHEMA))
		return conf_fail_at(ld, f[0].value->start_mark, CMASIM_ERROR_VALUE,
				    "expected schema " BASELINE_SCHEMA " (record it again with "
				    "cmasim check --update-baseline)");
	if (!conf_get_string(ld, f[1].value, "cmasim_version", true, &b->version) ||
	    !conf_expect_kind(ld, f[2].value, YAML_SEQUENCE_NODE, "cases"))
		return false;
	for (size_t i = 0; i < conf_seq_len(f[2].value); i++)
		if (!read_case(ld, item(ld, f[2].value, i), b))
			return false;
	return true;
}

struct cmasim_baseline *cmasim_baseline_load_data(const char *source, const char *data,
						  size_t len, GError **error)
{
	g_auto(yaml_parser_t) parser = { 0 };
	g_auto(yaml_document_t) doc = { 0 };
	struct conf_loader ld = { .source = source, .doc = &doc, .error = error };
	struct cmasim_baseline *b;

	g_return_val_if_fail(source && (data || !len), NULL);
	b = g_new0(struct cmasim_baseline, 1);
	b->cases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, case_free);
	if (conf_load_document(&ld, data ? data : "", len, &parser) && read_baseline(&ld, b))
		return b;
	cmasim_baseline_free(b);
	return NULL;
}

struct cmasim_baseline *cmasim_baseline_load_file(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	size_t len = 0;

	g_return_val_if_fail(path, NULL);
	if (!conf_read_file(path, MAX_BASELINE_BYTES, &data, &len, error))
		return NULL;
	return cmasim_baseline_load_data(path, data, len, error);
}

/* The value of text figure @key in @figs, "" if it has none. */
static const char *text_of(const GArray *figs, const char *key)
{
	const struct cmasim_figure *f = cmasim_figures_find(figs, key);

	return f && f->value ? f->value : "";
}

/* Appends @s as a double-quoted YAML scalar (JSON's escapes are YAML's). */
static void quoted(GString *out, const char *s)
{
	cmasim_json_string(out, s);
}

void cmasim_baseline_write(GString *out, const char *const *names,
			   const struct cmasim_gate_case *const *cases, GArray *const *figs,
			   unsigned int n)
{
	g_string_append(out, "# The figures `cmasim check` compares with, and the inputs they came\n"
			"# from. Recorded by cmasim check --update-baseline: record it again when\n"
			"# a change of figures is meant.\n"
			"schema: " BASELINE_SCHEMA "\ncmasim_version: ");
	quoted(out, cmasim_version());
	g_string_append(out, "\ncases:\n");
	for (unsigned int i = 0; i < n; i++) {
		g_string_append(out, "  - case: ");
		quoted(out, names[i]);
		g_string_append(out, "\n    machine_sha256: ");
		quoted(out, text_of(figs[i], "machine_sha256"));
		g_string_append(out, "\n    workload_sha256: ");
		quoted(out, text_of(figs[i], "workload_sha256"));
		g_string_append(out, "\n    figures:\n");
		for (unsigned int l = 0; l < cases[i]->nr_limits; l++) {
			const char *key = cases[i]->limits[l].figure;
			const struct cmasim_figure *f = cmasim_figures_find(figs[i], key);

			/* a figure the run lacks fails the check, which says so, before recording */
			if (!f)
				continue;
			g_string_append_printf(out, "      %s: %s\n", key, f->value ? f->value : "null");
		}
	}
}

/* Sets the error that @path must be recorded again because of @why. */
G_GNUC_PRINTF(3, 4)
static void stale(GError **error, const char *path, const char *fmt, ...)
{
	g_autofree char *why = NULL;
	va_list ap;

	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
		    "%s: %s; record it again with --update-baseline %s", path, why, path);
}

const struct gate_baseline_case *gate_baseline_case(const struct cmasim_baseline *b,
						    const char *name, const GArray *figs,
						    const char *path, GError **error)
{
	const struct gate_baseline_case *base = g_hash_table_lookup(b->cases, name);
	static const char *const inputs[] = { "machine", "workload" };

	if (!base) {
		stale(error, path, "the baseline has no case %s", name);
		return NULL;
	}
	for (unsigned int i = 0; i < G_N_ELEMENTS(inputs); i++) {
		g_autofree char *key = g_strdup_printf("%s_sha256", inputs[i]);
		const char *then = i ? base->workload_sha256 : base->machine_sha256;
		const char *now = text_of(figs, key);

		if (strcmp(then, now)) {
			stale(error, path, "the baseline is stale: case %s's %s changed since it "
			      "was recorded (sha256 %.12s... then, %.12s... now)", name, inputs[i],
			      then, now);
			return NULL;
		}
	}
	return base;
}

bool gate_baseline_value(const struct gate_baseline_case *base, const struct cmasim_limit *l,
			 const char *name, const char *path, double *v, GError **error)
{
	const char *text;

	if (!g_hash_table_lookup_extended(base->figures, l->figure, NULL, (void **)&text)) {
		stale(error, path, "the baseline has no figure %s for case %s", l->figure, name);
		return false;
	}
	*v = text ? g_ascii_strtod(text, NULL) : NAN;
	return true;
}

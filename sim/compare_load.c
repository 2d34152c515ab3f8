// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading back what `cmasim compare -f json` wrote, so that a report draws
 * an earlier comparison without running it again. JSON is YAML, so
 * libyaml reads it; every figure keeps its name and its value as printed.
 */
#include <string.h>

#include "cmasim/plot.h"
#include "cmasim/report.h"
#include "confyaml.h"

/* A compare JSON of hundreds of runs stays far below this. */
#define MAX_COMPARE_BYTES (256u << 20)

static void figure_clear(void *p)
{
	struct cmasim_figure *f = p;

	g_free(f->key);
	g_free(f->value);
}

void cmasim_loaded_run_free(struct cmasim_loaded_run *run)
{
	if (!run)
		return;
	g_free(run->policy);
	g_array_unref(run->figs);
	g_array_unref(run->latency);
	g_free(run);
}

/* Reads histogram @node, [[lo, hi, count], ...], into @out. */
static bool read_histogram(struct conf_loader *ld, const yaml_node_t *node, GArray *out)
{
	if (!conf_expect_kind(ld, node, YAML_SEQUENCE_NODE, "dma_latency_ns_histogram"))
		return false;
	for (yaml_node_item_t *i = node->data.sequence.items.start;
	     i < node->data.sequence.items.top; i++) {
		const yaml_node_t *b = yaml_document_get_node(ld->doc, *i);
		uint64_t v[3];

		if (!conf_expect_kind(ld, b, YAML_SEQUENCE_NODE, "a histogram bucket"))
			return false;
		if (conf_seq_len(b) != 3)
			return conf_fail_at(ld, b->start_mark, CMASIM_ERROR_VALUE,
					    "expected a bucket [low_ns, high_ns, count]");
		for (size_t k = 0; k < 3; k++)
			if (!conf_get_uint(ld, yaml_document_get_node(ld->doc,
								      b->data.sequence.items.start[k]),
					   "a histogram bucket", 0, UINT64_MAX, &v[k]))
				return false;
		g_array_append_val(out, ((struct cmasim_plot_bucket){ v[0], v[1], v[2] }));
	}
	return true;
}

/* Reads one run object of results into a new run appended to @runs. */
static bool read_run(struct conf_loader *ld, const yaml_node_t *node, GPtrArray *runs)
{
	struct cmasim_loaded_run *run = g_new0(struct cmasim_loaded_run, 1);

	run->figs = g_array_new(FALSE, FALSE, sizeof(struct cmasim_figure));
	g_array_set_clear_func(run->figs, figure_clear);
	run->latency = g_array_new(FALSE, FALSE, sizeof(struct cmasim_plot_bucket));
	g_ptr_array_add(runs, run);
	if (!conf_expect_kind(ld, node, YAML_MAPPING_NODE, "results"))
		return false;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		const yaml_node_t *key = yaml_document_get_node(ld->doc, p->key);
		const yaml_node_t *value = yaml_document_get_node(ld->doc, p->value);
		struct cmasim_figure f = { 0 };

		if (!conf_get_string(ld, key, "results", true, &f.key))
			return false;
		if (!strcmp(f.key, "dma_latency_ns_histogram")) {
			g_free(f.key);
			if (!read_histogram(ld, value, run->latency))
				return false;
			continue;
		}
		if (value->type != YAML_SCALAR_NODE) {
			/* histograms the report does not draw, and what later versions add */
			g_free(f.key);
			continue;
		}
		/* JSON's null is a plain scalar; a string "null" is quoted */
		if (value->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		    !conf_scalar_is(value, "null"))
			f.value = g_strndup(CONF_SCALAR_TEXT(value));
		f.def = cmasim_figure_def_find(f.key);
		f.label = !strcmp(f.key, "schema") || !strcmp(f.key, "policy");
		if (!strcmp(f.key, "policy"))
			run->policy = g_strdup(f.value ? f.value : "");
		g_array_append_val(run->figs, f);
	}
	if (!run->policy)
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_KEY,
				    "a run of results has no \"policy\"");
	return true;
}

static bool read_compare(struct conf_loader *ld, GPtrArray *runs)
{
	const yaml_node_t *root = yaml_document_get_root_node(ld->doc);
	const yaml_node_t *results = NULL;

	if (!root)
		return conf_fail_at(ld, (yaml_mark_t){ 0 }, CMASIM_ERROR_KEY,
				    "empty file (expected cmasim compare -f json's output)");
	if (!conf_expect_kind(ld, root, YAML_MAPPING_NODE, "the comparison"))
		return false;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		const yaml_node_t *key = yaml_document_get_node(ld->doc, p->key);
		const yaml_node_t *value = yaml_document_get_node(ld->doc, p->value);

		if (conf_scalar_is(key, "schema") &&
		    (value->type != YAML_SCALAR_NODE ||
		     !conf_scalar_is(value, CMASIM_COMPARE_JSON_SCHEMA)))
			return conf_fail_at(ld, value->start_mark, CMASIM_ERROR_VALUE,
					    "expected schema " CMASIM_COMPARE_JSON_SCHEMA
					    " (cmasim compare -f json of this version)");
		if (conf_scalar_is(key, "results"))
			results = value;
	}
	if (!results)
		return conf_fail_at(ld, root->start_mark, CMASIM_ERROR_KEY,
				    "no \"results\" (expected cmasim compare -f json's output)");
	if (!conf_expect_kind(ld, results, YAML_SEQUENCE_NODE, "results"))
		return false;
	if (!conf_seq_len(results))
		return conf_fail_at(ld, results->start_mark, CMASIM_ERROR_VALUE,
				    "no run in \"results\"");
	for (size_t i = 0; i < conf_seq_len(results); i++)
		if (!read_run(ld, yaml_document_get_node(ld->doc,
							 results->data.sequence.items.start[i]), runs))
			return false;
	return true;
}

GPtrArray *cmasim_compare_load(const char *path, GError **error)
{
	g_auto(yaml_parser_t) parser = { 0 };
	g_auto(yaml_document_t) doc = { 0 };
	struct conf_loader ld = { .source = path, .doc = &doc, .error = error };
	GPtrArray *runs = g_ptr_array_new_with_free_func((GDestroyNotify)cmasim_loaded_run_free);
	g_autofree char *data = NULL;
	size_t len = 0;

	if (conf_read_file(path, MAX_COMPARE_BYTES, &data, &len, error) &&
	    conf_load_document(&ld, data, len, &parser) && read_compare(&ld, runs))
		return runs;
	g_ptr_array_free(runs, TRUE);
	return NULL;
}

/* The run object of `run -f json` at the root of @ld's document, into @runs. */
static bool read_run_file(struct conf_loader *ld, GPtrArray *runs)
{
	const yaml_node_t *root = yaml_document_get_root_node(ld->doc);

	if (!root)
		return conf_fail_at(ld, (yaml_mark_t){ 0 }, CMASIM_ERROR_KEY,
				    "empty file (expected cmasim run -f json's output)");
	if (!read_run(ld, root, runs))
		return false;
	const struct cmasim_loaded_run *run = runs->pdata[0];
	const struct cmasim_figure *schema = cmasim_figures_find(run->figs, "schema");

	if (!schema || g_strcmp0(schema->value, CMASIM_JSON_SCHEMA))
		return conf_fail_at(ld, root->start_mark, CMASIM_ERROR_VALUE,
				    "expected schema " CMASIM_JSON_SCHEMA
				    " (cmasim run -f json of this version)");
	return true;
}

struct cmasim_loaded_run *cmasim_run_load(const char *path, GError **error)
{
	g_auto(yaml_parser_t) parser = { 0 };
	g_auto(yaml_document_t) doc = { 0 };
	struct conf_loader ld = { .source = path, .doc = &doc, .error = error };
	g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func(
		(GDestroyNotify)cmasim_loaded_run_free);
	g_autofree char *data = NULL;
	size_t len = 0;

	if (conf_read_file(path, MAX_COMPARE_BYTES, &data, &len, error) &&
	    conf_load_document(&ld, data, len, &parser) && read_run_file(&ld, runs))
		return g_ptr_array_steal_index(runs, 0);
	return NULL;
}

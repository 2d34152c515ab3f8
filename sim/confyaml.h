/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a composed YAML document by hand, for the machine config loader
 * (config.c and config_cpu.c): typed getters that report bad values as
 * "source:line:col: what was wrong (what was expected)", and mapping and
 * list walkers that refuse unknown or repeated keys. The trace reader
 * (traceyaml.c) shares the default name of a YAML file. Private to sim/.
 */
#ifndef CMASIM_CONFYAML_H
#define CMASIM_CONFYAML_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <yaml.h>

#include "cmasim/error.h"

/* The most fields one item of a list (zones:, holes:, devices:, cma:) may have. */
#define CONF_MAX_ITEM_FIELDS 8

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(yaml_parser_t, yaml_parser_delete)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(yaml_document_t, yaml_document_delete)

/* A document being read, and where its first error goes. */
struct conf_loader {
	const char *source;		/* names the input in messages */
	yaml_document_t *doc;		/* resolves node indices */
	GError **error;
	/*
	 * Where scalars tagged !!str start (mark index), which are text
	 * whatever they look like: composing gives every untagged scalar
	 * that tag too, so conf_scan_events() notes them. NULL if none;
	 * conf_loader_clear() frees it.
	 */
	GHashTable *str_tagged;
};

/* One key a mapping may hold. */
struct conf_field_spec {
	const char *key;
	bool required;
};

/* Where a key and its value were found; both NULL when the key is absent. */
struct conf_field {
	yaml_node_t *key;
	yaml_node_t *value;
};

/* The text of scalar @node and its length in bytes, for the parsers of units.h. */
#define CONF_SCALAR_TEXT(node) (const char *)(node)->data.scalar.value, (node)->data.scalar.length

/* Fills item @i of @entries from the fields of one list item named @where. */
typedef bool (*conf_entry_reader)(struct conf_loader *ld, const struct conf_field *f,
				  const char *where, void *entries, size_t i);

/* Sets a "source:line:col: ..." error at @mark (counted from 0); always returns false. */
G_GNUC_PRINTF(4, 5) bool conf_fail_at(struct conf_loader *ld, yaml_mark_t mark,
				      enum cmasim_error code, const char *fmt, ...);
/* Turns @parser's error into a SYNTAX error; always returns false. */
bool conf_syntax_error(struct conf_loader *ld, const yaml_parser_t *parser, const char *data,
		       size_t len);
/*
 * Checks @data's syntax, depth, tags (none, or !!str on a scalar) and
 * single document before it is composed; false with an error.
 */
bool conf_scan_events(struct conf_loader *ld, const char *data, size_t len);
/*
 * The TYPE message for the tag on @ev, or NULL when it has none or !!str
 * on a scalar: the one tag that means anything to cmasim (text, whatever
 * it looks like). Any other would be ignored silently. g_free() it.
 */
char *conf_bad_tag(const yaml_event_t *ev);
/* Frees what conf_scan_events() noted. */
void conf_loader_clear(struct conf_loader *ld);

/* True if scalar @node's text is exactly @s. */
bool conf_scalar_is(const yaml_node_t *node, const char *s);
/* "a mapping" and the like, for "expected X, got Y". */
const char *conf_kind_name(const yaml_node_t *node);
/* A scalar's text for a message, escaped and cut short; g_free() it. */
char *conf_quote(const yaml_node_t *node);
/* The same for @len bytes of @text. */
char *conf_quote_text(const char *text, size_t len);
/* @bytes as the input syntax would write it (64MiB); g_free() it. */
char *conf_format_size(uint64_t bytes);

/* Checks that @node is of @kind; false with a TYPE error naming @path otherwise. */
bool conf_expect_kind(struct conf_loader *ld, const yaml_node_t *node, yaml_node_type_t kind,
		      const char *path);
/* Sorts mapping @map's pairs into @fields by @specs; false on unknown, repeated or missing keys. */
bool conf_collect_fields(struct conf_loader *ld, const yaml_node_t *map, const char *where,
			 const struct conf_field_spec *specs, size_t nr_specs,
			 struct conf_field *fields);
/* Number of items in sequence @node. */
size_t conf_seq_len(const yaml_node_t *node);
/* Hands the fields of each mapping in sequence @seq to @read; false on the first bad item. */
bool conf_read_list(struct conf_loader *ld, const yaml_node_t *seq, const char *path,
		    const struct conf_field_spec *specs, size_t nr_specs, conf_entry_reader read,
		    void *entries);

/* Typed values of scalar @node named @path; each is false with an error naming the place. */
bool conf_get_size(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		   uint64_t *bytes);
bool conf_get_uint(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		   uint64_t min, uint64_t max, uint64_t *out);
bool conf_get_pow2_size(struct conf_loader *ld, const yaml_node_t *node, const char *path,
			uint64_t min, uint64_t max, uint64_t *out);
bool conf_get_time(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		   uint64_t *ns);
bool conf_get_bool(struct conf_loader *ld, const yaml_node_t *node, const char *path, bool *out);
bool conf_get_string(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		     bool nonempty, char **out);

/* A config, gate or baseline is a few pages; the cap keeps /dev/zero from eating memory. */
#define CONF_MAX_FILE_BYTES (1u << 20)

/* Reads all of @path, at most @max bytes; false with an IO error "path: strerror". */
bool conf_read_file(const char *path, size_t max, char **data, size_t *len, GError **error);
/*
 * Checks @data (see conf_scan_events()) and composes it into @ld->doc with
 * @parser, which the caller deletes; false with an error.
 */
bool conf_load_document(struct conf_loader *ld, const char *data, size_t len,
			yaml_parser_t *parser);

/*
 * The file or built-in a name in file @source means: a path (it holds a
 * '/' or ends in .yaml or .bin) from @source's folder, so that the file
 * works from any directory; a built-in name as it is. g_free() it.
 */
char *conf_resolve(const char *source, const char *name);

/* The base name of @source without ".yaml", the name of a file that gives none; g_free() it. */
char *conf_default_name(const char *source);

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading a composed YAML document by hand: see confyaml.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "cmasim/units.h"
#include "confyaml.h"

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(yaml_event_t, yaml_event_delete)

/*
 * Nothing in the schema nests deeper than four levels. libyaml's scanner
 * costs O(depth) per token in flow collections, so "[[[[..." a few hundred
 * KiB long takes minutes; deeper input is refused before it is composed.
 */
#define MAX_DEPTH 32

/* Characters of a bad value quoted in a message, so one bad line stays one line. */
#define MAX_QUOTED 40

/* Sets a "source:line:col: ..." error at @mark (counted from 0); always returns false. */
bool conf_fail_at(struct conf_loader *ld, yaml_mark_t mark,
		  enum cmasim_error code, const char *fmt, ...)
{
	g_autofree char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(ld->error, CMASIM_ERROR, code, "%s:%zu:%zu: %s", ld->source,
		    mark.line + 1, mark.column + 1, what);
	return false;
}

/* The line and column of byte @offset of @data, counted from 0 as libyaml counts them. */
static yaml_mark_t mark_of_offset(const char *data, size_t len, size_t offset)
{
	yaml_mark_t mark = { .index = offset };
	size_t i;

	for (i = 0; i < offset && i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '\n' || (c == '\r' && (i + 1 >= len || data[i + 1] != '\n'))) {
			mark.line++;
			mark.column = 0;
		} else if ((c & 0xc0) != 0x80 && c != '\r') {
			/* libyaml counts characters, not the bytes of a UTF-8 sequence */
			mark.column++;
		}
	}
	return mark;
}

/* Turns @parser's error into a SYNTAX error; always returns false. */
bool conf_syntax_error(struct conf_loader *ld, const yaml_parser_t *parser, const char *data,
		       size_t len)
{
	yaml_mark_t mark = parser->problem_mark;

	/* the reader knows only the byte offset of bad UTF-8 or a control character */
	if (parser->error == YAML_READER_ERROR)
		mark = mark_of_offset(data, len, parser->problem_offset);
	if (!parser->problem)
		return conf_fail_at(ld, mark, CMASIM_ERROR_SYNTAX, "out of memory while parsing");
	if (parser->context)
		return conf_fail_at(ld, mark, CMASIM_ERROR_SYNTAX, "%s %s", parser->problem,
				    parser->context);
	return conf_fail_at(ld, mark, CMASIM_ERROR_SYNTAX, "%s", parser->problem);
}

char *conf_bad_tag(const yaml_event_t *ev)
{
	static const char core[] = "tag:yaml.org,2002:";
	const char *tag, *kind;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		tag = (const char *)ev->data.scalar.tag;
		if (!tag || !strcmp(tag, YAML_STR_TAG))
			return NULL;
		kind = "a scalar";
		break;
	case YAML_SEQUENCE_START_EVENT:
		tag = (const char *)ev->data.sequence_start.tag;
		kind = "a sequence";
		break;
	case YAML_MAPPING_START_EVENT:
		tag = (const char *)ev->data.mapping_start.tag;
		kind = "a mapping";
		break;
	default:
		return NULL;
	}
	if (!tag)
		return NULL;
	/* as it was most likely written: !!int rather than its full name */
	if (g_str_has_prefix(tag, core))
		return g_strdup_printf("unsupported tag !!%s on %s (expected no tag, or !!str on a "
				       "scalar)", tag + sizeof(core) - 1, kind);
	return g_strdup_printf("unsupported tag %s on %s (expected no tag, or !!str on a scalar)",
			       tag, kind);
}

void conf_loader_clear(struct conf_loader *ld)
{
	g_clear_pointer(&ld->str_tagged, g_hash_table_destroy);
}

/* Whether @node was tagged !!str: text, which no number, size, time or boolean is. */
static bool str_tagged(const struct conf_loader *ld, const yaml_node_t *node)
{
	return ld->str_tagged &&
	       g_hash_table_contains(ld->str_tagged, GSIZE_TO_POINTER(node->start_mark.index));
}

/* A VALUE error: @node of @path is tagged !!str and is not text; always false. */
static bool not_text(struct conf_loader *ld, const yaml_node_t *node, const char *path)
{
	g_autofree char *text = conf_quote(node);

	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "!!str makes \"%s\" text, which \"%s\" is not (expected it without "
			    "!!str)", text, path);
}

/*
 * Reads @data as events, without composing it; false with a SYNTAX error on
 * malformed YAML, nesting deeper than MAX_DEPTH, or more than one document,
 * and a TYPE error on a tag other than !!str on a scalar.
 */
bool conf_scan_events(struct conf_loader *ld, const char *data, size_t len)
{
	g_auto(yaml_parser_t) parser = { 0 };
	unsigned int depth = 0, nr_docs = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return conf_syntax_error(ld, &parser, data, len);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done) {
		g_auto(yaml_event_t) event = { 0 };
		g_autofree char *bad = NULL;

		if (!yaml_parser_parse(&parser, &event))
			return conf_syntax_error(ld, &parser, data, len);
		switch (event.type) {
		case YAML_DOCUMENT_START_EVENT:
			/* a second document would be silently ignored by a loader of one */
			if (++nr_docs > 1)
				return conf_fail_at(ld, event.start_mark, CMASIM_ERROR_SYNTAX,
						    "expected a single document, found a second one");
			break;
		case YAML_SCALAR_EVENT:
			if (!event.data.scalar.tag)
				break;
			if ((bad = conf_bad_tag(&event)))
				return conf_fail_at(ld, event.start_mark, CMASIM_ERROR_TYPE, "%s", bad);
			if (!ld->str_tagged)
				ld->str_tagged = g_hash_table_new(g_direct_hash, g_direct_equal);
			g_hash_table_add(ld->str_tagged, GSIZE_TO_POINTER(event.start_mark.index));
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if ((bad = conf_bad_tag(&event)))
				return conf_fail_at(ld, event.start_mark, CMASIM_ERROR_TYPE, "%s", bad);
			if (++depth > MAX_DEPTH)
				return conf_fail_at(ld, event.start_mark, CMASIM_ERROR_SYNTAX,
						    "nested more than %d levels deep", MAX_DEPTH);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
	}
	return true;
}

/* True if scalar @node's text is exactly @s; an embedded NUL never matches. */
bool conf_scalar_is(const yaml_node_t *node, const char *s)
{
	size_t n = strlen(s);

	return node->type == YAML_SCALAR_NODE && node->data.scalar.length == n &&
	       memcmp(node->data.scalar.value, s, n) == 0;
}

/* A YAML null written plainly: "", "~" or "null". */
static bool is_null(const yaml_node_t *node)
{
	if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return node->data.scalar.length == 0 || conf_scalar_is(node, "~") ||
	       conf_scalar_is(node, "null") || conf_scalar_is(node, "Null") ||
	       conf_scalar_is(node, "NULL");
}

/* "a mapping" and the like, for "expected X, got Y". */
const char *conf_kind_name(const yaml_node_t *node)
{
	if (is_null(node))
		return "an empty value";
	switch (node->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

char *conf_quote(const yaml_node_t *node)
{
	return conf_quote_text((const char *)node->data.scalar.value, node->data.scalar.length);
}

char *conf_quote_text(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i, nr_chars = 0;
	GString *out = g_string_new(NULL);

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		/* UTF-8 continuation bytes stay with the character they belong to */
		if ((c & 0xc0) != 0x80 && nr_chars++ == MAX_QUOTED) {
			g_string_append(out, "...");
			break;
		}
		if (c == '"' || c == '\\')
			g_string_append_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			g_string_append_printf(out, "\\x%02x", c);
		else
			g_string_append_c(out, (char)c);
	}
	return g_string_free(out, FALSE);
}

/* Checks that @node is of @kind; false with a TYPE error naming @path otherwise. */
bool conf_expect_kind(struct conf_loader *ld, const yaml_node_t *node, yaml_node_type_t kind,
		      const char *path)
{
	static const char *const names[] = {
		[YAML_SCALAR_NODE] = "a scalar",
		[YAML_SEQUENCE_NODE] = "a sequence",
		[YAML_MAPPING_NODE] = "a mapping",
	};

	if (node->type == kind)
		return true;
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_TYPE, "expected %s for \"%s\", got %s",
			    names[kind], path, conf_kind_name(node));
}

/* A KEY error for @key, listing what @where accepts; always returns false. */
static bool unknown_key(struct conf_loader *ld, const yaml_node_t *key, const char *where,
			const struct conf_field_spec *specs, size_t nr_specs)
{
	g_autoptr(GString) expected = g_string_new(NULL);
	g_autofree char *text = conf_quote(key);
	size_t i;

	for (i = 0; i < nr_specs; i++)
		g_string_append_printf(expected, "%s%s", i ? ", " : "", specs[i].key);
	return conf_fail_at(ld, key->start_mark, CMASIM_ERROR_KEY,
			    "unknown key \"%s\" in %s (expected one of: %s)", text, where,
			    expected->str);
}

/*
 * Sorts mapping @map's pairs into @fields by @specs; false on a key that is
 * not a scalar, unknown or given twice, or a required key missing. @where
 * names the mapping in messages.
 */
bool conf_collect_fields(struct conf_loader *ld, const yaml_node_t *map, const char *where,
			 const struct conf_field_spec *specs, size_t nr_specs, struct conf_field *fields)
{
	yaml_node_pair_t *pair;
	size_t i;

	memset(fields, 0, nr_specs * sizeof(*fields));
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(ld->doc, pair->key);

		if (key->type != YAML_SCALAR_NODE)
			return conf_fail_at(ld, key->start_mark, CMASIM_ERROR_TYPE,
					    "expected a scalar key in %s, got %s", where,
					    conf_kind_name(key));
		for (i = 0; i < nr_specs && !conf_scalar_is(key, specs[i].key); i++)
			;
		if (i == nr_specs)
			return unknown_key(ld, key, where, specs, nr_specs);
		if (fields[i].key)
			return conf_fail_at(ld, key->start_mark, CMASIM_ERROR_KEY,
					    "duplicate key \"%s\" in %s (first given on line %zu)",
					    specs[i].key, where, fields[i].key->start_mark.line + 1);
		fields[i].key = key;
		fields[i].value = yaml_document_get_node(ld->doc, pair->value);
	}
	for (i = 0; i < nr_specs; i++) {
		if (specs[i].required && !fields[i].key)
			return conf_fail_at(ld, map->start_mark, CMASIM_ERROR_KEY, "%s has no \"%s\"",
					    where, specs[i].key);
	}
	return true;
}

/* Reads a size or address (see cmasim_parse_size()) from @node; false with an error. */
bool conf_get_size(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		   uint64_t *bytes)
{
	g_autofree char *text = NULL;

	if (!conf_expect_kind(ld, node, YAML_SCALAR_NODE, path))
		return false;
	if (str_tagged(ld, node))
		return not_text(ld, node, path);
	if (cmasim_parse_size(CONF_SCALAR_TEXT(node), bytes))
		return true;
	text = conf_quote(node);
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "expected a size such as 64MiB, got \"%s\"", text);
}

/* Reads a decimal integer from @min to @max from @node; false with an error. */
bool conf_get_uint(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		   uint64_t min, uint64_t max, uint64_t *out)
{
	g_autofree char *text = NULL;
	uint64_t v;

	if (!conf_expect_kind(ld, node, YAML_SCALAR_NODE, path))
		return false;
	if (str_tagged(ld, node))
		return not_text(ld, node, path);
	if (cmasim_parse_uint(CONF_SCALAR_TEXT(node), &v) && v >= min && v <= max) {
		*out = v;
		return true;
	}
	text = conf_quote(node);
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "expected an integer from %" PRIu64 " to %" PRIu64 ", got \"%s\"", min, max,
			    text);
}

/* Reads a size that is a power of two from @min to @max; false with an error. */
bool conf_get_pow2_size(struct conf_loader *ld, const yaml_node_t *node, const char *path,
			uint64_t min, uint64_t max, uint64_t *out)
{
	g_autofree char *lo = conf_format_size(min);
	g_autofree char *hi = conf_format_size(max);
	g_autofree char *text = NULL;

	if (!conf_get_size(ld, node, path, out))
		return false;
	if (*out >= min && *out <= max && !(*out & (*out - 1)))
		return true;
	text = conf_quote(node);
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "expected a power of two from %s to %s, got \"%s\"", lo, hi, text);
}

/* Reads a time in whole ns (see cmasim_parse_time()) from @node; false with an error. */
bool conf_get_time(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		   uint64_t *ns)
{
	g_autofree char *text = NULL;

	if (!conf_expect_kind(ld, node, YAML_SCALAR_NODE, path))
		return false;
	if (str_tagged(ld, node))
		return not_text(ld, node, path);
	if (cmasim_parse_time(CONF_SCALAR_TEXT(node), ns) == CMASIM_PARSE_OK)
		return true;
	text = conf_quote(node);
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "expected a time such as 200ns, got \"%s\"", text);
}

/* Reads true or false from @node; false with an error. */
bool conf_get_bool(struct conf_loader *ld, const yaml_node_t *node, const char *path, bool *out)
{
	g_autofree char *text = NULL;

	if (!conf_expect_kind(ld, node, YAML_SCALAR_NODE, path))
		return false;
	if (str_tagged(ld, node))
		return not_text(ld, node, path);
	if (cmasim_parse_bool(CONF_SCALAR_TEXT(node), out))
		return true;
	text = conf_quote(node);
	return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
			    "expected true or false, got \"%s\"", text);
}

/* Copies text without NUL bytes from @node into @out, non-empty if @nonempty; or errors. */
bool conf_get_string(struct conf_loader *ld, const yaml_node_t *node, const char *path,
		     bool nonempty, char **out)
{
	const char *s = (const char *)node->data.scalar.value;
	size_t len = node->data.scalar.length;

	if (!conf_expect_kind(ld, node, YAML_SCALAR_NODE, path))
		return false;
	/* "\0" in a double-quoted scalar would cut the C string short without a word */
	if (memchr(s, '\0', len))
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
				    "expected text without NUL characters for \"%s\"", path);
	if (nonempty && len == 0)
		return conf_fail_at(ld, node->start_mark, CMASIM_ERROR_VALUE,
				    "expected a non-empty string for \"%s\"", path);
	g_free(*out);
	*out = g_strndup(s, len);
	return true;
}

char *conf_format_size(uint64_t bytes)
{
	char buf[32];

	return g_strdup(cmasim_format_size(bytes, buf));
}

/* Number of items in sequence @node. */
size_t conf_seq_len(const yaml_node_t *node)
{
	return (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
}

/* Hands the fields of each mapping in sequence @seq to @read; false on the first bad item. */
bool conf_read_list(struct conf_loader *ld, const yaml_node_t *seq, const char *path,
		    const struct conf_field_spec *specs, size_t nr_specs, conf_entry_reader read,
		    void *entries)
{
	struct conf_field f[CONF_MAX_ITEM_FIELDS];
	size_t i, n;

	g_assert(nr_specs <= G_N_ELEMENTS(f));
	n = conf_seq_len(seq);
	for (i = 0; i < n; i++) {
		yaml_node_t *item =
			yaml_document_get_node(ld->doc, seq->data.sequence.items.start[i]);
		g_autofree char *where = g_strdup_printf("%s[%zu]", path, i);

		if (!conf_expect_kind(ld, item, YAML_MAPPING_NODE, where) ||
		    !conf_collect_fields(ld, item, where, specs, nr_specs, f) ||
		    !read(ld, f, where, entries, i))
			return false;
	}
	return true;
}

/* The base name of @source without ".yaml", for configs and traces that do not name themselves. */
char *conf_default_name(const char *source)
{
	char *name = g_path_get_basename(source);
	size_t len = strlen(name);

	if (len > 5 && g_str_has_suffix(name, ".yaml"))
		name[len - 5] = '\0';
	return name;
}

bool conf_read_file(const char *path, size_t max, char **data, size_t *len, GError **error)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;
	int err = 0;

	if (!f) {
		err = errno;
		goto out;
	}
	errno = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf->len + n > max) {
			err = EFBIG;
			goto out;
		}
		g_byte_array_append(buf, (const guint8 *)chunk, (guint)n);
	}
	if (ferror(f))
		err = errno ? errno : EIO;
out:
	if (f)
		fclose(f);
	if (err) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", path, g_strerror(err));
		return false;
	}
	*len = buf->len;
	*data = (char *)g_byte_array_free(g_steal_pointer(&buf), FALSE);
	return true;
}

bool conf_load_document(struct conf_loader *ld, const char *data, size_t len,
			yaml_parser_t *parser)
{
	if (!conf_scan_events(ld, data, len))
		return false;
	/* composing can still fail on an undefined alias or a lack of memory */
	if (!yaml_parser_initialize(parser))
		return conf_syntax_error(ld, parser, data, len);
	yaml_parser_set_input_string(parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(parser, ld->doc))
		return conf_syntax_error(ld, parser, data, len);
	return true;
}

char *conf_resolve(const char *source, const char *name)
{
	g_autofree char *dir = NULL;

	if (g_path_is_absolute(name) ||
	    (!strchr(name, '/') && !g_str_has_suffix(name, ".yaml") &&
	     !g_str_has_suffix(name, ".bin")))
		return g_strdup(name);
	dir = g_path_get_dirname(source);
	return g_build_filename(dir, name, NULL);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading a capture of scripts/capture-snapshot: the /proc text files, and
 * /proc/kpageflags turned into one byte a pfn (what the page holds), with
 * holes, reserved pages and free blocks rebuilt and checked against what
 * zoneinfo says. Writing it out as a machine is snapwrite.c's.
 *
 * Free pages: since 6.x kpageflags sets KPF_BUDDY on every page of a free
 * block (stable_page_flags() asks page_is_buddy of each page's block);
 * older kernels set it only on the block's first page, PageBuddy's page,
 * and its tails read 0. The first gives free blocks as the maximal
 * naturally aligned runs of free pages, as __free_one_page() leaves them;
 * the second only the heads, whose order kpageflags does not give: each
 * is taken to reach over the flagless pages after it as far as alignment
 * allows (a guess: an allocated page with no flag right after a free
 * block cannot be told from its tail). Which kernel made the capture is
 * told from the data: two free buddies of order 0 side by side would have
 * merged, so a free page at an even pfn with a free page after it means
 * every page is flagged.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "cmasim/error.h"
#include "cmasim/snapshot.h"
#include "cmasim/units.h"
#include "textscan.h"

/* include/uapi/linux/kernel-page-flags.h and include/linux/kernel-page-flags.h */
#define KPF_DIRTY		4
#define KPF_LRU			5
#define KPF_ACTIVE		6
#define KPF_SLAB		7
#define KPF_WRITEBACK		8
#define KPF_BUDDY		10
#define KPF_ANON		12
#define KPF_SWAPCACHE		13
#define KPF_SWAPBACKED		14
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_HUGE		17
#define KPF_UNEVICTABLE		18
#define KPF_NOPAGE		20
#define KPF_KSM			21
#define KPF_THP			22
#define KPF_OFFLINE		23
#define KPF_PGTABLE		26
#define KPF_RESERVED		32
#define KPF_MLOCKED		33

#define BIT(n) (UINT64_C(1) << (n))

/* The most pfns a capture may have: cmasim indexes frames in 32 bits. */
#define MAX_PFNS (UINT64_C(1) << 32)

static const char *const kind_names[CMASIM_NR_PAGE_KINDS] = {
	[CMASIM_PAGE_HOLE] = "hole",
	[CMASIM_PAGE_RESERVED] = "reserved",
	[CMASIM_PAGE_FREE] = "free",
	[CMASIM_PAGE_ANON] = "anon",
	[CMASIM_PAGE_FILE] = "file",
	[CMASIM_PAGE_FILE_ACTIVE] = "file-active",
	[CMASIM_PAGE_SLAB] = "slab",
	[CMASIM_PAGE_PAGETABLE] = "pagetable",
	[CMASIM_PAGE_KERNEL] = "kernel",
};

const char *cmasim_page_kind_name(enum cmasim_page_kind kind)
{
	g_return_val_if_fail(kind < CMASIM_NR_PAGE_KINDS, "?");
	return kind_names[kind];
}

/* Sets an error about a whole file; always false. */
static bool G_GNUC_PRINTF(4, 5) file_fail(GError **error, const char *dir, const char *file,
					  const char *fmt, ...)
{
	g_autofree char *where = g_strdup_printf("%s/%s", dir, file);
	va_list ap;

	va_start(ap, fmt);
	text_vfail(error, where, fmt, ap);
	va_end(ap);
	return false;
}

/* Sets an error about zone @z, at its line of zoneinfo; always false. */
static bool G_GNUC_PRINTF(4, 5) zone_fail(GError **error, const struct cmasim_snapshot *s,
					  const struct cmasim_snapshot_zone *z, const char *fmt, ...)
{
	g_autofree char *where = g_strdup_printf("%s/zoneinfo:%u:1: zone %s", s->dir,
						 z->zoneinfo_line, cmasim_zone_type_name(z->type));
	va_list ap;

	va_start(ap, fmt);
	text_vfail(error, where, fmt, ap);
	va_end(ap);
	return false;
}

/* Sets an error about CMA area @a, at its line of capture.txt; always false. */
static bool G_GNUC_PRINTF(4, 5) cma_fail(GError **error, const struct cmasim_snapshot *s,
					 const struct cmasim_snapshot_cma *a, const char *fmt, ...)
{
	g_autofree char *where = g_strdup_printf("%s/capture.txt:%u:1: CMA area \"%s\"", s->dir,
						 a->line, a->name);
	va_list ap;

	va_start(ap, fmt);
	text_vfail(error, where, fmt, ap);
	va_end(ap);
	return false;
}

/* Starts @ts on file @name of the capture; false with an error if the capture lacks it. */
static bool open_text(GHashTable *files, const char *dir, const char *name, char **source,
		      struct textscan *ts, GError **error)
{
	GBytes *b = g_hash_table_lookup(files, name);
	gsize len;
	const char *data;

	if (!b) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO,
			    "%s/%s: missing (expected a folder scripts/capture-snapshot wrote)", dir,
			    name);
		return false;
	}
	data = g_bytes_get_data(b, &len);
	*source = g_strdup_printf("%s/%s", dir, name);
	textscan_init(ts, *source, data, len);
	return true;
}

/* The next word as a decimal; false with an error naming @what otherwise. */
static bool next_uint(struct textscan *ts, const char *what, uint64_t *v, GError **error)
{
	struct word w;

	if (!textscan_word(ts, &w))
		return textscan_fail(ts, error, ts->cur, "%s is missing (expected a number)", what);
	if (!word_uint(&w, v))
		return textscan_fail(ts, error, w.s, "%s \"%.*s\" is not a number", what, (int)w.len,
				     w.s);
	return true;
}

/* capture.txt: what scripts/capture-snapshot noted about the machine and the reads. */
static bool parse_capture(struct cmasim_snapshot *s, GHashTable *files, uint64_t *kpf_bytes,
			  bool *swap, GError **error)
{
	g_autofree char *src = NULL;
	struct textscan ts;
	double begin = -1, end = -1;
	bool format = false;

	if (!open_text(files, s->dir, "capture.txt", &src, &ts, error))
		return false;
	*kpf_bytes = UINT64_MAX;
	while (textscan_next(&ts)) {
		struct word key, v;
		uint64_t n;

		if (!textscan_word(&ts, &key))
			continue;
		const char *at = ts.cur;

		if (!textscan_word(&ts, &v))
			return textscan_fail(&ts, error, at, "\"%.*s\" has no value", (int)key.len,
					     key.s);
		if (word_is(&key, "format")) {
			struct word version;

			if (!word_is(&v, "cmasim-snapshot") || !textscan_word(&ts, &version) ||
			    !word_is(&version, "1"))
				return textscan_fail(&ts, error, v.s, "unknown format (expected "
						     "\"cmasim-snapshot 1\")");
			format = true;
		} else if (word_is(&key, "kernel") || word_is(&key, "machine")) {
			char **value = word_is(&key, "kernel") ? &s->kernel : &s->arch;

			if (*value)
				return textscan_fail(&ts, error, key.s, "\"%.*s\" is given twice",
						     (int)key.len, key.s);
			*value = g_strndup(v.s, v.len);
		} else if (word_is(&key, "page_size")) {
			if (!word_uint(&v, &n) || n < 4096 || n > 65536 || (n & (n - 1)))
				return textscan_fail(&ts, error, v.s, "page size \"%.*s\" (expected a "
						     "power of two from 4096 to 65536)",
						     (int)v.len, v.s);
			s->page_size = (uint32_t)n;
			s->page_shift = (unsigned int)g_bit_nth_lsf(n, -1);
		} else if (word_is(&key, "byte_order")) {
			if (!word_is(&v, "little") && !word_is(&v, "big"))
				return textscan_fail(&ts, error, v.s, "byte order \"%.*s\" (expected "
						     "little or big)", (int)v.len, v.s);
			*swap = word_is(&v, "little") != (G_BYTE_ORDER == G_LITTLE_ENDIAN);
		} else if (word_is(&key, "min_free_kbytes") || word_is(&key, "watermark_scale_factor") ||
			   word_is(&key, "kpageflags_bytes")) {
			if (!word_uint(&v, &n))
				return textscan_fail(&ts, error, v.s, "\"%.*s\" is not a number",
						     (int)v.len, v.s);
			/* the kernel's sysctls are ints */
			if (!word_is(&key, "kpageflags_bytes") && n > INT32_MAX)
				return textscan_fail(&ts, error, v.s, "%.*s is out of range (expected "
						     "at most %d)", (int)v.len, v.s, INT32_MAX);
			*(word_is(&key, "min_free_kbytes") ? &s->min_free_kbytes :
			  word_is(&key, "kpageflags_bytes") ? kpf_bytes :
			  &s->watermark_scale_factor) = n;
		} else if (word_is(&key, "kpageflags_begin") || word_is(&key, "kpageflags_end")) {
			g_autofree char *text = g_strndup(v.s, v.len);
			char *rest;
			double t = g_ascii_strtod(text, &rest);

			if (*rest || t < 0)
				return textscan_fail(&ts, error, v.s, "time \"%s\" (expected seconds)",
						     text);
			*(word_is(&key, "kpageflags_begin") ? &begin : &end) = t;
		} else if (word_is(&key, "cma")) {
			struct cmasim_snapshot_cma a = { 0 };
			uint64_t opb;

			/* a NUL would cut the name the machine config gives it */
			if (memchr(v.s, '\0', v.len))
				return textscan_fail(&ts, error, v.s, "a CMA area's name with a NUL "
						     "byte (expected the name debugfs shows)");
			if (!next_uint(&ts, "the area's base pfn", &a.base_pfn, error) ||
			    !next_uint(&ts, "the area's pages", &a.count, error) ||
			    !next_uint(&ts, "the area's order_per_bit", &opb, error))
				return false;
			a.name = g_strndup(v.s, v.len);
			a.order_per_bit = (unsigned int)MIN(opb, 63);
			a.line = ts.lineno;
			s->cma = g_renew(struct cmasim_snapshot_cma, s->cma, s->nr_cma + 1);
			s->cma[s->nr_cma++] = a;
		} else if (!word_is(&key, "begin") && !word_is(&key, "end")) {
			return textscan_fail(&ts, error, key.s, "unknown key \"%.*s\"", (int)key.len,
					     key.s);
		}
	}
	if (!format || !s->kernel || !s->arch || !s->page_size)
		return file_fail(error, s->dir, "capture.txt", "lacks %s (expected a file "
				 "scripts/capture-snapshot wrote)", !format ? "format" :
				 !s->kernel ? "kernel" : !s->arch ? "machine" : "page_size");
	s->read_seconds = begin >= 0 && end >= begin ? end - begin : -1;
	return true;
}

/* The zone type named @w, as zoneinfo and buddyinfo print it, or -1. */
static int zone_type(const struct word *w)
{
	for (unsigned int t = 0; t < CMASIM_NR_ZONE_TYPES; t++)
		if (word_is(w, cmasim_zone_type_name(t)))
			return (int)t;
	return -1;
}

/* Reads "Node 0, zone NAME" from @ts, NAME into @w; an error for another node. */
static bool node_zone(struct textscan *ts, struct word *w, GError **error)
{
	struct word node, n, zone;

	if (!textscan_word(ts, &node) || !word_is(&node, "Node") || !textscan_word(ts, &n))
		return textscan_fail(ts, error, ts->line, "expected \"Node N, zone NAME\"");
	if (!word_is(&n, "0,"))
		return textscan_fail(ts, error, n.s, "node %.*s (expected one node, 0: cmasim "
				     "models one)", (int)(n.len ? n.len - 1 : 0), n.s);
	if (!textscan_word(ts, &zone) || !word_is(&zone, "zone") || !textscan_word(ts, w))
		return textscan_fail(ts, error, ts->cur, "expected \"zone NAME\"");
	return true;
}

/* Index in @s->zones of the zone named @w; an error if it is not a populated zone. */
static int known_zone(struct cmasim_snapshot *s, struct textscan *ts, const struct word *w,
		      GError **error)
{
	int type = zone_type(w);

	for (unsigned int z = 0; z < s->nr_zones; z++)
		if ((int)s->zones[z].type == type)
			return (int)z;
	textscan_fail(ts, error, w->s, "zone %.*s is not a populated zone of zoneinfo", (int)w->len,
		      w->s);
	return -1;
}

/* zoneinfo's fields of one zone, by the name it prints. */
static uint64_t *zone_field(struct cmasim_snapshot_zone *z, const struct word *w)
{
	if (word_is(w, "min"))
		return &z->wmark_min;
	if (word_is(w, "low"))
		return &z->wmark_low;
	if (word_is(w, "high"))
		return &z->wmark_high;
	if (word_is(w, "spanned"))
		return &z->spanned;
	if (word_is(w, "present"))
		return &z->present;
	if (word_is(w, "managed"))
		return &z->managed;
	if (word_is(w, "nr_free_pages"))
		return &z->nr_free;
	if (word_is(w, "start_pfn:"))
		return &z->start_pfn;
	return NULL;
}

/* Adds zone @zone, just read, to @s if it has present pages; false with an error. */
static bool add_zone(struct cmasim_snapshot *s, const struct cmasim_snapshot_zone *zone,
		     bool have_start, unsigned int cpus, GError **error)
{
	if (!zone->present)
		return true;
	if (zone->spanned > UINT64_MAX - zone->start_pfn)
		return zone_fail(error, s, zone, "spans past the end of the pfns");
	if (!have_start)
		return zone_fail(error, s, zone, "no start_pfn (expected a kernel of 4.12 or later)");
	if (s->nr_zones && zone->type <= s->zones[s->nr_zones - 1].type)
		return zone_fail(error, s, zone, "after zone %s (expected zones in the kernel's order)",
				 cmasim_zone_type_name(s->zones[s->nr_zones - 1].type));
	/* NR_CPUS is at most 8192; cmasim shares per-cpu lists' high among 4096 */
	if (!s->nr_zones)
		s->cpus = MIN(cpus, 4096);
	s->zones[s->nr_zones++] = *zone;
	return true;
}

/*
 * /proc/zoneinfo (mm/vmstat.c: zoneinfo_show_print()): each zone's
 * size, watermarks, free pages, its per-cpu lists' counts and start_pfn.
 * Zones with no present pages are left out, as buddyinfo leaves them.
 */
static bool parse_zoneinfo(struct cmasim_snapshot *s, GHashTable *files, GError **error)
{
	g_autofree char *src = NULL;
	struct cmasim_snapshot_zone zone = { 0 };
	unsigned int cpus = 0;
	bool in_zone = false, have_start = false;
	struct textscan ts;

	if (!open_text(files, s->dir, "zoneinfo", &src, &ts, error))
		return false;
	for (;;) {
		bool more = textscan_next(&ts);
		struct word w, v;
		uint64_t *field;

		if (more && !textscan_word(&ts, &w))
			continue;
		if (more && !word_is(&w, "Node")) {
			if (!in_zone)
				continue;
			/* "pages free N"; per-cpu lists' "cpu: N", then "count: N" */
			if (word_is(&w, "pages") && textscan_word(&ts, &v) && word_is(&v, "free"))
				w = (struct word){ "nr_free_pages", 13 };
			cpus += word_is(&w, "cpu:");
			if (word_is(&w, "count:")) {
				uint64_t n;

				if (!next_uint(&ts, "count", &n, error))
					return false;
				zone.pcp_count += n;
				continue;
			}
			have_start |= word_is(&w, "start_pfn:");
			field = zone_field(&zone, &w);
			if (field && !next_uint(&ts, "the value", field, error))
				return false;
			continue;
		}
		if (in_zone && !add_zone(s, &zone, have_start, cpus, error))
			return false;
		if (!more)
			break;
		ts.cur = ts.line;
		if (!node_zone(&ts, &w, error))
			return false;
		int type = zone_type(&w);

		/* ZONE_DEVICE holds no page the allocator gives out */
		if (type < 0 && !word_is(&w, "Device"))
			return textscan_fail(&ts, error, w.s, "unknown zone %.*s (expected DMA, "
					     "DMA32, Normal, HighMem, Movable or Device)",
					     (int)w.len, w.s);
		in_zone = type >= 0;
		zone = (struct cmasim_snapshot_zone){ .type = (enum cmasim_zone_type)MAX(type, 0),
						      .zoneinfo_line = ts.lineno };
		have_start = false;
		cpus = 0;
	}
	if (!s->nr_zones)
		return file_fail(error, s->dir, "zoneinfo", "no zone has present pages");
	return true;
}

/* One /proc/buddyinfo reading into @counts (by zone index, then order) of @s's zones. */
static bool parse_buddyinfo(struct cmasim_snapshot *s, GHashTable *files, const char *name,
			    bool after, GError **error)
{
	g_autofree char *src = NULL;
	struct textscan ts;
	unsigned int seen = 0;

	if (!open_text(files, s->dir, name, &src, &ts, error))
		return false;
	while (textscan_next(&ts)) {
		struct word w;
		unsigned int o = 0;
		int z;

		if (textscan_at_end(&ts))
			continue;
		if (!node_zone(&ts, &w, error) || (z = known_zone(s, &ts, &w, error)) < 0)
			return false;
		uint64_t *counts = after ? s->zones[z].buddyinfo_after : s->zones[z].buddyinfo;

		for (; textscan_word(&ts, &w); o++) {
			if (o > CMASIM_ORDER_LIMIT)
				return textscan_fail(&ts, error, w.s, "more than %u orders",
						     CMASIM_ORDER_LIMIT + 1);
			if (!word_uint(&w, &counts[o]))
				return textscan_fail(&ts, error, w.s, "\"%.*s\" is not a number",
						     (int)w.len, w.s);
		}
		if (!o || (s->max_order && o != s->max_order + 1))
			return textscan_fail(&ts, error, ts.cur, "%u orders (expected %u, as on the "
					     "first line)", o, s->max_order + 1);
		s->max_order = o - 1;
		seen |= 1u << z;
	}
	if (seen != (1u << s->nr_zones) - 1)
		return file_fail(error, s->dir, name, "lacks zones of zoneinfo (expected every "
				 "populated zone)");
	return true;
}

/* The migratetype pagetypeinfo names @w (mm/page_alloc.c: migratetype_names[]), or -1. */
static int migratetype(const struct word *w)
{
	for (unsigned int t = 0; t < CMASIM_NR_MIGRATETYPES; t++)
		if (word_is(w, cmasim_migratetype_name(t)))
			return (int)t;
	/* 3.5's MIGRATE_RESERVE kept the slot HighAtomic took */
	return word_is(w, "Reserve") ? CMASIM_MT_HIGHATOMIC : -1;
}

/*
 * /proc/pagetypeinfo (mm/vmstat.c: pagetypeinfo_show()): the pageblock
 * order, free blocks by zone, type and order, and pageblocks by type.
 */
static bool parse_pagetypeinfo(struct cmasim_snapshot *s, GHashTable *files, GError **error)
{
	g_autofree char *src = NULL;
	struct textscan ts;
	int columns[CMASIM_NR_MIGRATETYPES] = { 0 };
	unsigned int nr_columns = 0;
	bool have_order = false, skip_rows = false;

	if (!open_text(files, s->dir, "pagetypeinfo", &src, &ts, error))
		return false;
	while (textscan_next(&ts)) {
		struct word w, zw, tw;
		uint64_t n;
		int z, t;

		if (!textscan_word(&ts, &w))
			continue;
		if (word_is(&w, "Page")) {
			/* "Page block order: N" */
			for (int i = 0; i < 2; i++)
				textscan_word(&ts, &w);
			if (!word_is(&w, "order:"))
				continue;
			if (!next_uint(&ts, "the pageblock order", &n, error))
				return false;
			if (n > s->max_order)
				return textscan_fail(&ts, error, ts.line, "pageblock order %" PRIu64
						     " is above the largest order %u of buddyinfo",
						     n, s->max_order);
			s->pageblock_order = (unsigned int)n;
			have_order = true;
		} else if (word_is(&w, "Number")) {
			/* "Number of blocks type  Unmovable ..." (or "of mixed blocks") */
			textscan_word(&ts, &w);
			textscan_word(&ts, &w);
			/* page_owner's mixed blocks follow: rows to skip */
			skip_rows = !word_is(&w, "blocks");
			if (skip_rows)
				continue;
			textscan_word(&ts, &w);
			for (nr_columns = 0; textscan_word(&ts, &tw); nr_columns++) {
				if (nr_columns == CMASIM_NR_MIGRATETYPES || (t = migratetype(&tw)) < 0)
					return textscan_fail(&ts, error, tw.s, "unknown migratetype "
							     "\"%.*s\"", (int)tw.len, tw.s);
				columns[nr_columns] = t;
			}
		} else if (word_is(&w, "Node")) {
			ts.cur = ts.line;
			if (!node_zone(&ts, &zw, error))
				return false;
			if (zw.len && zw.s[zw.len - 1] == ',') {
				/* "Node 0, zone DMA, type Movable c0 c1 ..." */
				zw = word_chop(zw, ',');
				if ((z = known_zone(s, &ts, &zw, error)) < 0)
					return false;
				textscan_word(&ts, &w);
				if (!textscan_word(&ts, &tw) || (t = migratetype(&tw)) < 0)
					return textscan_fail(&ts, error, ts.cur, "expected a "
							     "migratetype after \"type\"");
				for (unsigned int o = 0; o <= s->max_order; o++) {
					if (!textscan_word(&ts, &w))
						return textscan_fail(&ts, error, ts.cur, "%u orders "
								     "(expected %u)", o,
								     s->max_order + 1);
					/* a count past 100000 prints as ">100000" */
					if (w.len && w.s[0] == '>')
						w = (struct word){ w.s + 1, w.len - 1 };
					if (!word_uint(&w, &s->zones[z].free_by_type[t][o]))
						return textscan_fail(&ts, error, w.s, "\"%.*s\" is not "
								     "a number", (int)w.len, w.s);
				}
				continue;
			}
			if (skip_rows)
				continue;
			if ((z = known_zone(s, &ts, &zw, error)) < 0)
				return false;
			if (!nr_columns)
				return textscan_fail(&ts, error, ts.line, "a count of pageblocks "
						     "before the \"Number of blocks type\" header");
			for (unsigned int c = 0; c < nr_columns; c++)
				if (!next_uint(&ts, "the pageblock count", &n, error))
					return false;
				else
					s->zones[z].pageblocks[columns[c]] = n;
		}
	}
	if (!have_order)
		return file_fail(error, s->dir, "pagetypeinfo", "lacks \"Page block order\"");
	return true;
}

/* A range of RAM pfns [start, end) from iomem. */
struct pfn_range {
	uint64_t start, end;
};

static int cmp_range(const void *a, const void *b)
{
	const struct pfn_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * /proc/iomem (kernel/resource.c: r_show()): every "System RAM"
 * resource, as whole pages (memblock rounds partial pages out of RAM).
 */
static bool parse_iomem(struct cmasim_snapshot *s, GHashTable *files, GArray *ram, GError **error)
{
	g_autofree char *src = NULL;
	struct textscan ts;
	bool nonzero = false;

	if (!open_text(files, s->dir, "iomem", &src, &ts, error))
		return false;
	while (textscan_next(&ts)) {
		struct word w;
		const char *dash, *name;
		uint64_t start, end;

		if (!textscan_word(&ts, &w))
			continue;
		dash = memchr(w.s, '-', w.len);
		if (!dash || !cmasim_parse_hex(w.s, (size_t)(dash - w.s), &start) ||
		    !cmasim_parse_hex(dash + 1, w.len - (size_t)(dash + 1 - w.s), &end) || end < start)
			return textscan_fail(&ts, error, w.s, "\"%.*s\" is not a range "
					     "(expected START-END in hex)", (int)w.len, w.s);
		nonzero |= end != 0;
		name = memchr(ts.line, ':', ts.line_len);
		if (!name)
			return textscan_fail(&ts, error, ts.cur, "expected \" : NAME\"");
		name++;
		while (name < ts.line + ts.line_len && *name == ' ')
			name++;
		if ((size_t)(ts.line + ts.line_len - name) != 10 || memcmp(name, "System RAM", 10))
			continue;
		/* whole pages only: partial ones at either end are not RAM to the allocator */
		struct pfn_range r = { (start >> s->page_shift) + !!(start & (s->page_size - 1)),
				       end == UINT64_MAX ? UINT64_MAX >> s->page_shift
							 : (end + 1) >> s->page_shift };

		if (r.start < r.end)
			g_array_append_val(ram, r);
	}
	if (!nonzero)
		return file_fail(error, s->dir, "iomem", "every address is 0 (expected a capture "
				 "made as root: iomem hides addresses from other users)");
	if (!ram->len)
		return file_fail(error, s->dir, "iomem", "has no \"System RAM\"");
	g_array_sort(ram, cmp_range);
	return true;
}

/*
 * What the kpageflags word @f says the page holds (fs/proc/page.c:
 * stable_page_flags(), 6.1). Free and reserved pages first; then what
 * can never move; then what migrates; clean page cache, which reclaim
 * drops, last. @counts gains the summary's extra counts.
 */
static uint8_t classify(uint64_t f, uint64_t *counts)
{
	uint8_t compound = (f & BIT(KPF_COMPOUND_HEAD) ? CMASIM_PFN_HEAD : 0) |
			   (f & BIT(KPF_COMPOUND_TAIL) ? CMASIM_PFN_TAIL : 0);

	if (f & BIT(KPF_NOPAGE))
		return CMASIM_PAGE_HOLE;
	if (f & BIT(KPF_BUDDY))
		return CMASIM_PAGE_FREE;
	/* PageOffline: ballooned out or unplugged, no longer managed */
	if (f & (BIT(KPF_RESERVED) | BIT(KPF_OFFLINE)))
		return CMASIM_PAGE_RESERVED;
	if (!f) {
		counts[CMASIM_SNAP_ZERO_FLAGS]++;
		return CMASIM_PAGE_KERNEL | CMASIM_PFN_NOFLAGS;
	}
	counts[CMASIM_SNAP_THP] += !!(f & BIT(KPF_THP));
	if (f & BIT(KPF_SLAB))
		return CMASIM_PAGE_SLAB | compound;
	if (f & BIT(KPF_PGTABLE))
		return CMASIM_PAGE_PAGETABLE | compound;
	/* hugetlb pages migrate: alloc_contig_range() moves them (isolate_or_dissolve_huge_page) */
	if (f & BIT(KPF_HUGE)) {
		counts[CMASIM_SNAP_HUGETLB]++;
		return CMASIM_PAGE_ANON | compound;
	}
	if (f & (BIT(KPF_ANON) | BIT(KPF_SWAPBACKED) | BIT(KPF_KSM) | BIT(KPF_SWAPCACHE))) {
		counts[CMASIM_SNAP_SHMEM] += !(f & BIT(KPF_ANON)) && (f & BIT(KPF_SWAPBACKED));
		return CMASIM_PAGE_ANON | compound;
	}
	if (!(f & BIT(KPF_LRU)))
		return (f & BIT(KPF_THP) ? CMASIM_PAGE_ANON : CMASIM_PAGE_KERNEL) | compound;
	/* page cache that cannot simply be dropped still migrates */
	if (f & (BIT(KPF_DIRTY) | BIT(KPF_WRITEBACK))) {
		counts[CMASIM_SNAP_DIRTY]++;
		return CMASIM_PAGE_ANON | compound;
	}
	if (f & (BIT(KPF_UNEVICTABLE) | BIT(KPF_MLOCKED))) {
		counts[CMASIM_SNAP_UNEVICTABLE]++;
		return CMASIM_PAGE_ANON | compound;
	}
	return (f & BIT(KPF_ACTIVE) ? CMASIM_PAGE_FILE_ACTIVE : CMASIM_PAGE_FILE) | compound;
}

/*
 * /proc/kpageflags (fs/proc/page.c: kpageflags_read()): a u64 a pfn from
 * pfn 0, in the captured machine's byte order. Classified as it is read,
 * so that only a byte a pfn is kept.
 */
static bool read_kpageflags(struct cmasim_snapshot *s, GHashTable *files, uint64_t expect_bytes,
			    bool swap, GError **error)
{
	GBytes *bytes = g_hash_table_lookup(files, "kpageflags");
	g_autoptr(GInputStream) in = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree uint64_t *buf = g_new(uint64_t, 1 << 16);
	uint64_t total = 0, cap = 1 << 20;
	gsize got;

	if (!bytes) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s/kpageflags.gz: missing "
			    "(expected a folder scripts/capture-snapshot wrote)", s->dir);
		return false;
	}
	in = text_stream(bytes);
	s->pfn = g_malloc(cap);
	for (;;) {
		if (!g_input_stream_read_all(in, buf, sizeof(uint64_t) << 16, &got, NULL, &err))
			return file_fail(error, s->dir, "kpageflags.gz", "byte %" PRIu64 ": %s (expected "
					 "gzip data or raw words)", total, err->message);
		if (!got)
			break;
		if ((total + got) / 8 > MAX_PFNS)
			return file_fail(error, s->dir, "kpageflags.gz", "byte %" PRIu64 ": more than "
					 "%" PRIu64 " pfns (cmasim indexes frames in 32 bits)", total,
					 MAX_PFNS);
		if (got % 8)
			return file_fail(error, s->dir, "kpageflags.gz", "byte %" PRIu64 ": the file "
					 "ends inside a word (expected whole 8-byte words)",
					 (total + got) & ~(uint64_t)7);
		while ((total + got) / 8 > cap) {
			cap *= 2;
			s->pfn = g_realloc(s->pfn, cap);
		}
		for (gsize i = 0; i < got / 8; i++)
			s->pfn[total / 8 + i] = classify(swap ? GUINT64_SWAP_LE_BE(buf[i]) : buf[i],
							 s->counts);
		total += got;
	}
	if (expect_bytes != UINT64_MAX && total != expect_bytes)
		return file_fail(error, s->dir, "kpageflags.gz", "byte %" PRIu64 ": the file ends, "
				 "but the capture read %" PRIu64 " bytes (expected the whole file)",
				 total, expect_bytes);
	s->nr_pfns = total / 8;
	return true;
}

/* Makes pfn @pfn a hole, as iomem or zoneinfo says; an error if kpageflags has it in use. */
static bool make_hole(struct cmasim_snapshot *s, uint64_t pfn, const char *why, GError **error)
{
	enum cmasim_page_kind k = CMASIM_PFN_KIND(s->pfn[pfn]);

	if (k != CMASIM_PAGE_HOLE && k != CMASIM_PAGE_RESERVED && !(s->pfn[pfn] & CMASIM_PFN_NOFLAGS))
		return file_fail(error, s->dir, "kpageflags.gz", "byte %" PRIu64 ": pfn %#" PRIx64
				 " is %s, but %s (expected a capture of one moment of one machine)",
				 pfn * 8, pfn, kind_names[k], why);
	s->counts[CMASIM_SNAP_ZERO_FLAGS] -= !!(s->pfn[pfn] & CMASIM_PFN_NOFLAGS);
	s->pfn[pfn] = CMASIM_PAGE_HOLE;
	return true;
}

/* Makes holes of the pfns that no System RAM range of @ram, or no zone, covers. */
static bool mark_holes(struct cmasim_snapshot *s, const GArray *ram, GError **error)
{
	uint64_t pfn = 0;

	for (guint i = 0; i <= ram->len; i++) {
		uint64_t end = i < ram->len ? MIN(g_array_index(ram, struct pfn_range, i).start,
						  s->nr_pfns) : s->nr_pfns;

		for (; pfn < end; pfn++)
			if (!make_hole(s, pfn, "iomem has no RAM there", error))
				return false;
		if (i < ram->len)
			pfn = MAX(pfn, MIN(g_array_index(ram, struct pfn_range, i).end, s->nr_pfns));
	}
	pfn = 0;
	for (unsigned int z = 0; z <= s->nr_zones; z++) {
		uint64_t end = MIN(z < s->nr_zones ? s->zones[z].start_pfn : s->nr_pfns, s->nr_pfns);

		for (; pfn < end; pfn++)
			if (!make_hole(s, pfn, "no zone spans it", error))
				return false;
		if (z < s->nr_zones)
			pfn = MAX(pfn, s->zones[z].start_pfn + s->zones[z].spanned);
	}
	return true;
}

/* The zone span of @z as pfns: [start_pfn, start_pfn + spanned). */
static uint64_t zone_end(const struct cmasim_snapshot_zone *z)
{
	return z->start_pfn + z->spanned;
}

/*
 * Checks the CMA areas as the kernel made them: whole pageblocks
 * (cma_init_reserved_mem()'s CMA_MIN_ALIGNMENT_PAGES), of RAM, in one
 * zone (cma_activate_area() gives up an area that is not), none of their
 * pages PageReserved (init_cma_reserved_pageblock() clears it), none over
 * another (memblock reserved each), each with its own name (its debugfs
 * folder).
 */
static bool check_cma(const struct cmasim_snapshot *s, GError **error)
{
	uint64_t pb = UINT64_C(1) << s->pageblock_order;

	for (unsigned int i = 0; i < s->nr_cma; i++) {
		const struct cmasim_snapshot_cma *a = &s->cma[i];
		uint64_t end = a->base_pfn + a->count;
		unsigned int z = 0;

		if (!a->count || a->count % pb || a->base_pfn % pb)
			return cma_fail(error, s, a, "%" PRIu64 " pages at pfn %#" PRIx64
					" (expected whole pageblocks of %" PRIu64 " pages)",
					a->count, a->base_pfn, pb);
		if (a->order_per_bit > s->pageblock_order)
			return cma_fail(error, s, a, "order_per_bit %u (expected at most the "
					"pageblock order, %u)", a->order_per_bit,
					s->pageblock_order);
		while (z < s->nr_zones &&
		       (a->base_pfn < s->zones[z].start_pfn || end > zone_end(&s->zones[z])))
			z++;
		if (z == s->nr_zones)
			return cma_fail(error, s, a, "pfns %#" PRIx64 "-%#" PRIx64 " are not inside "
					"one zone", a->base_pfn, end - 1);
		for (uint64_t pfn = a->base_pfn; pfn < end; pfn++) {
			enum cmasim_page_kind k = CMASIM_PFN_KIND(s->pfn[pfn]);

			if (k == CMASIM_PAGE_HOLE || k == CMASIM_PAGE_RESERVED)
				return cma_fail(error, s, a, "pfn %#" PRIx64 " is %s (expected RAM "
						"the buddy allocator was given)", pfn,
						k == CMASIM_PAGE_HOLE ? "in a hole" : "reserved");
		}
		for (unsigned int j = 0; j < i; j++) {
			const struct cmasim_snapshot_cma *b = &s->cma[j];

			if (!strcmp(a->name, b->name))
				return cma_fail(error, s, a, "named again (first on line %u)",
						b->line);
			if (a->base_pfn < b->base_pfn + b->count && b->base_pfn < end)
				return cma_fail(error, s, a, "overlaps area \"%s\"", b->name);
		}
	}
	return true;
}

/*
 * Checks zone @z of zoneinfo against kpageflags: its present pages are
 * those of its span that are RAM, its managed pages those not reserved.
 * Present pages the kernel never managed and that carry no flag, left
 * over at the top of the zone, are memory it has not handed to the
 * allocator (deferred struct page initialisation): reserved here too.
 */
static bool check_zone(struct cmasim_snapshot *s, struct cmasim_snapshot_zone *z, GError **error)
{
	const char *name = cmasim_zone_type_name(z->type);
	uint64_t present = 0, reserved = 0, tail;

	if (zone_end(z) > s->nr_pfns)
		return file_fail(error, s->dir, "kpageflags.gz", "byte %" PRIu64 ": the file ends at "
				 "pfn %#" PRIx64 ", but zone %s spans to %#" PRIx64 " (expected a whole "
				 "capture)", s->nr_pfns * 8, s->nr_pfns, name, zone_end(z));
	for (uint64_t pfn = z->start_pfn; pfn < zone_end(z); pfn++) {
		present += CMASIM_PFN_KIND(s->pfn[pfn]) != CMASIM_PAGE_HOLE;
		reserved += CMASIM_PFN_KIND(s->pfn[pfn]) == CMASIM_PAGE_RESERVED;
	}
	if (present != z->present)
		return zone_fail(error, s, z, "%" PRIu64 " pages present, but iomem and kpageflags "
				 "give %" PRIu64 " pages of RAM in its span (expected a capture of one "
				 "machine, in its page size)", z->present, present);
	if (present - reserved <= z->managed)
		return true;
	tail = present - reserved - z->managed;
	for (uint64_t pfn = zone_end(z), left = tail; left; pfn--) {
		uint8_t b = s->pfn[pfn - 1];

		if (CMASIM_PFN_KIND(b) == CMASIM_PAGE_HOLE)
			continue;
		if (!(b & CMASIM_PFN_NOFLAGS))
			return zone_fail(error, s, z, "%" PRIu64 " pages managed, but kpageflags shows "
					 "%" PRIu64 " present pages not reserved, and pfn %#" PRIx64
					 " is %s (expected %" PRIu64 " unmanaged pages without flags at "
					 "the top of the zone)", z->managed, present - reserved,
					 pfn - 1, kind_names[CMASIM_PFN_KIND(b)], tail);
		s->pfn[pfn - 1] = CMASIM_PAGE_RESERVED;
		left--;
	}
	s->counts[CMASIM_SNAP_ZERO_FLAGS] -= tail;
	z->unmanaged_tail = tail;
	return true;
}

/* Whether @s's kernel flags every page of a free block: two free order-0 buddies side by side. */
static bool every_free_page_flagged(const struct cmasim_snapshot *s)
{
	bool head_then_noflags = false;

	for (uint64_t pfn = 0; pfn + 1 < s->nr_pfns; pfn += 2) {
		if (CMASIM_PFN_KIND(s->pfn[pfn]) != CMASIM_PAGE_FREE)
			continue;
		if (CMASIM_PFN_KIND(s->pfn[pfn + 1]) == CMASIM_PAGE_FREE)
			return true;
		head_then_noflags |= s->pfn[pfn + 1] & CMASIM_PFN_NOFLAGS;
	}
	/* no free block of order 1 or more could be seen either way */
	return !head_then_noflags;
}

/* The largest order of a block at @pfn that @ok accepts every page of, within [pfn, @end). */
static unsigned int largest_block(const struct cmasim_snapshot *s, uint64_t pfn, uint64_t end,
				  bool (*ok)(uint8_t b))
{
	unsigned int order = 0;

	while (order < s->max_order && !(pfn & (UINT64_C(1) << order)) &&
	       pfn + (UINT64_C(2) << order) <= end) {
		uint64_t half = pfn + (UINT64_C(1) << order);
		bool all = true;

		for (uint64_t p = half; p < half + (UINT64_C(1) << order) && all; p++)
			all = ok(s->pfn[p]);
		if (!all)
			break;
		order++;
	}
	return order;
}

static bool is_free(uint8_t b)
{
	return CMASIM_PFN_KIND(b) == CMASIM_PAGE_FREE;
}

static bool is_free_tail(uint8_t b)
{
	return (b & CMASIM_PFN_NOFLAGS) != 0;
}

/*
 * Rebuilds zone @z's free blocks by order: the maximal aligned runs of
 * free pages, as __free_one_page() leaves them. Head-only, each flagged
 * head first reaches over the flagless pages after it, which become free
 * (and heads a kernel could not have left side by side merge).
 */
static void rebuild_free(struct cmasim_snapshot *s, struct cmasim_snapshot_zone *z)
{
	uint64_t end = zone_end(z);

	for (uint64_t pfn = z->start_pfn; s->buddy_head_only && pfn < end; pfn++) {
		unsigned int order;

		if (!is_free(s->pfn[pfn]))
			continue;
		order = largest_block(s, pfn, end, is_free_tail);
		for (uint64_t p = pfn + 1; p < pfn + (UINT64_C(1) << order); p++)
			s->pfn[p] = CMASIM_PAGE_FREE;
		s->counts[CMASIM_SNAP_ZERO_FLAGS] -= (UINT64_C(1) << order) - 1;
		pfn += (UINT64_C(1) << order) - 1;
	}
	for (uint64_t pfn = z->start_pfn; pfn < end;) {
		unsigned int order;

		if (!is_free(s->pfn[pfn])) {
			pfn++;
			continue;
		}
		order = largest_block(s, pfn, end, is_free);
		z->free_blocks[order]++;
		pfn += UINT64_C(1) << order;
	}
	for (uint64_t pfn = z->start_pfn; pfn < end; pfn++)
		z->kinds[CMASIM_PFN_KIND(s->pfn[pfn])]++;
}

/*
 * Leaves the compound marks only on compound pages that are one buddy
 * block (a power of two of pages, naturally aligned, at most the largest
 * order): the others, which no allocation of the buddy allocator makes,
 * are taken page by page.
 */
static void check_compounds(struct cmasim_snapshot *s)
{
	for (uint64_t pfn = 0; pfn < s->nr_pfns;) {
		uint64_t n = 1;

		if (!(s->pfn[pfn] & (CMASIM_PFN_HEAD | CMASIM_PFN_TAIL))) {
			pfn++;
			continue;
		}
		if (s->pfn[pfn] & CMASIM_PFN_HEAD)
			while (pfn + n < s->nr_pfns && (s->pfn[pfn + n] & CMASIM_PFN_TAIL) &&
			       !(s->pfn[pfn + n] & CMASIM_PFN_HEAD))
				n++;
		if (!(s->pfn[pfn] & CMASIM_PFN_HEAD) || (n & (n - 1)) || (pfn & (n - 1)) ||
		    n > (UINT64_C(1) << s->max_order)) {
			for (uint64_t p = pfn; p < pfn + n; p++)
				s->pfn[p] &= (uint8_t)~(CMASIM_PFN_HEAD | CMASIM_PFN_TAIL);
			s->counts[CMASIM_SNAP_COMPOUND_SPLIT] += n;
		}
		pfn += n;
	}
}

/* Files are read in this order: each may check what those before it said. */
static bool read_all(struct cmasim_snapshot *s, GHashTable *files, GError **error)
{
	g_autoptr(GArray) ram = g_array_new(FALSE, FALSE, sizeof(struct pfn_range));
	uint64_t kpf_bytes;
	bool swap = false;

	if (!parse_capture(s, files, &kpf_bytes, &swap, error) || !parse_zoneinfo(s, files, error) ||
	    !parse_buddyinfo(s, files, "buddyinfo", false, error) ||
	    ((s->buddyinfo_after = g_hash_table_contains(files, "buddyinfo.after")) &&
	     !parse_buddyinfo(s, files, "buddyinfo.after", true, error)) ||
	    !parse_pagetypeinfo(s, files, error) || !parse_iomem(s, files, ram, error) ||
	    !read_kpageflags(s, files, kpf_bytes, swap, error) || !mark_holes(s, ram, error))
		return false;
	for (unsigned int z = 0; z < s->nr_zones; z++) {
		if (!check_zone(s, &s->zones[z], error))
			return false;
		if (z && (s->zones[z].start_pfn & ((UINT64_C(1) << s->pageblock_order) - 1)))
			return zone_fail(error, s, &s->zones[z], "starts at pfn %#" PRIx64 ", not on "
					 "a pageblock boundary (cmasim's zones are whole pageblocks)",
					 s->zones[z].start_pfn);
		if (z && s->zones[z].start_pfn < zone_end(&s->zones[z - 1]))
			return zone_fail(error, s, &s->zones[z], "overlaps zone %s (expected one node)",
					 cmasim_zone_type_name(s->zones[z - 1].type));
	}
	if (!check_cma(s, error))
		return false;
	for (unsigned int z = 0; z < s->nr_zones; z++)
		if (s->zones[z].pageblocks[CMASIM_MT_CMA] && !s->nr_cma)
			return file_fail(error, s->dir, "capture.txt", "lists no CMA area, but "
					 "pagetypeinfo has CMA pageblocks in zone %s (expected cma "
					 "lines: capture with debugfs at /sys/kernel/debug)",
					 cmasim_zone_type_name(s->zones[z].type));
	s->buddy_head_only = !every_free_page_flagged(s);
	for (unsigned int z = 0; z < s->nr_zones; z++)
		rebuild_free(s, &s->zones[z]);
	check_compounds(s);
	return true;
}

struct cmasim_snapshot *cmasim_snapshot_read_files(const char *dir, GHashTable *files,
						   GError **error)
{
	g_return_val_if_fail(dir && files, NULL);
	struct cmasim_snapshot *s = g_new0(struct cmasim_snapshot, 1);

	s->dir = g_strdup(dir);
	if (read_all(s, files, error))
		return s;
	cmasim_snapshot_free(s);
	return NULL;
}

struct cmasim_snapshot *cmasim_snapshot_read(const char *dir, GError **error)
{
	static const char *const names[] = { "capture.txt", "zoneinfo", "buddyinfo",
					     "buddyinfo.after", "pagetypeinfo", "iomem",
					     "kpageflags.gz" };
	g_autoptr(GHashTable) files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							    (GDestroyNotify)g_bytes_unref);

	g_return_val_if_fail(dir, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *path = g_build_filename(dir, names[i], NULL);
		g_autoptr(GMappedFile) m = g_mapped_file_new(path, FALSE, NULL);

		if (!m)
			continue;
		/* kpageflags may be gzipped or not: the reader looks at its first bytes */
		g_hash_table_insert(files, g_strdup(g_str_has_prefix(names[i], "kpageflags") ?
						    "kpageflags" : names[i]),
				    g_mapped_file_get_bytes(m));
	}
	return cmasim_snapshot_read_files(dir, files, error);
}

void cmasim_snapshot_free(struct cmasim_snapshot *s)
{
	if (!s)
		return;
	for (unsigned int i = 0; i < s->nr_cma; i++)
		g_free(s->cma[i].name);
	g_free(s->cma);
	g_free(s->pfn);
	g_free(s->dir);
	g_free(s->kernel);
	g_free(s->arch);
	g_free(s);
}

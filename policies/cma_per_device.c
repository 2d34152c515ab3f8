// SPDX-License-Identifier: GPL-2.0-only
/*
 * per_device=: which devices get a CMA area of their own, and how large,
 * as a device tree gives a device its own reusable shared-dma-pool node
 * (memory-region), kernel/dma/contiguous.c's rmem_cma_device_init():
 *
 *   true                        every device, each the shared area's size
 *   camera:32MiB,gpu:64MiB      these devices, these sizes
 *   128MiB/camera:1,gpu:3       these devices, 128 MiB split by the weights
 *
 * Sizes round up to whole pageblocks, as cma_declare_contiguous_nid()
 * rounds cma=; shares of a total round down, so that they stay within it.
 * A device not named shares the shared area, which stays only while some
 * device does.
 */
#include <inttypes.h>
#include <string.h>

#include "cma_areas.h"
#include "cmasim/error.h"
#include "cmasim/units.h"

/* One "name:value" of a per_device= list. */
struct share {
	char *name;
	uint64_t value;		/* bytes, or a weight when the list has a total */
};

static void share_clear(void *p)
{
	g_free(((struct share *)p)->name);
}

/*
 * Parses per_device= @text into *@total (0: none) and @shares; "true" and
 * "false" leave @shares empty. False when @text is none of the forms.
 */
static bool parse(const char *text, uint64_t *total, GArray *shares)
{
	const char *slash = strchr(text, '/');
	g_auto(GStrv) items = NULL;

	*total = 0;
	if (!strcmp(text, "true") || !strcmp(text, "false"))
		return true;
	if (slash && (!cmasim_parse_size(text, (size_t)(slash - text), total) || !*total))
		return false;
	items = g_strsplit(slash ? slash + 1 : text, ",", -1);
	for (char **it = items; *it; it++) {
		const char *colon = strrchr(*it, ':');
		struct share s = { 0 };

		if (!colon || colon == *it || !colon[1] ||
		    !(*total ? cmasim_parse_uint(colon + 1, strlen(colon + 1), &s.value)
			     : cmasim_parse_size(colon + 1, strlen(colon + 1), &s.value)) ||
		    !s.value)
			return false;
		s.name = g_strndup(*it, (size_t)(colon - *it));
		g_array_append_val(shares, s);
		for (guint i = 0; i + 1 < shares->len; i++)
			if (!strcmp(g_array_index(shares, struct share, i).name, s.name))
				return false;
	}
	return shares->len > 0;
}

/* A new array of shares that frees them with itself. */
static GArray *shares_new(void)
{
	GArray *shares = g_array_new(FALSE, FALSE, sizeof(struct share));

	g_array_set_clear_func(shares, share_clear);
	return shares;
}

bool cma_per_device_check(const char *text)
{
	g_autoptr(GArray) shares = shares_new();
	uint64_t total;

	return parse(text, &total, shares);
}

bool cma_per_device_sizes(const struct cmasim_config *cfg, const char *text, uint64_t shared,
			  uint64_t *sizes, GError **error)
{
	uint64_t pb_bytes = cmasim_config_pageblock_bytes(cfg), total, weights = 0;
	g_autoptr(GArray) shares = shares_new();

	memset(sizes, 0, cfg->nr_devices * sizeof(*sizes));
	if (!parse(text, &total, shares))
		g_return_val_if_reached(false);
	if (!shares->len) {
		for (unsigned int d = 0; d < cfg->nr_devices; d++)
			sizes[d] = cfg->devices[d].cma_area < 0 ? shared : 0;
		return true;
	}
	for (guint i = 0; i < shares->len; i++)
		weights += g_array_index(shares, struct share, i).value;
	for (guint i = 0; i < shares->len; i++) {
		const struct share *s = &g_array_index(shares, struct share, i);
		int d = cmasim_config_device(cfg, s->name);
		char text_size[32];

		if (d < 0 || cfg->devices[d].cma_area >= 0) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
				    "per_device: %s \"%s\" (expected a device of machine \"%s\" "
				    "without a CMA area of its own)", d < 0 ? "no device" : "device",
				    s->name, cfg->name ? cfg->name : "");
			return false;
		}
		/* a share of a total, rounded down; a size, rounded up as cma= is */
		sizes[d] = total ? (uint64_t)((unsigned __int128)total * s->value / weights) &
				   ~(pb_bytes - 1)
				 : (s->value > UINT64_MAX - pb_bytes ? UINT64_MAX & ~(pb_bytes - 1)
								     : (s->value + pb_bytes - 1) &
								       ~(pb_bytes - 1));
		if (!sizes[d]) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_VALUE,
				    "per_device: %s's share of %s is less than a pageblock (expected "
				    "a larger total or weight)", s->name,
				    cmasim_format_size(total, text_size));
			return false;
		}
	}
	return true;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Frame sizes as the kernel computes them for a format's planes: each
 * plane is its width in samples times bytes per sample, times its lines,
 * with subsampled planes rounded up (DIV_ROUND_UP), as
 * drm_format_info_plane_width()/height() do for a DRM framebuffer
 * (include/drm/drm_fourcc.h, 6.1) and v4l2_fill_pixfmt() for a V4L2 buffer
 * (drivers/media/v4l2-core/v4l2-common.c, 6.1). A driver that pads lines
 * or heights (a decoder's 1920x1088) is written with the padded size.
 */
#include <string.h>

#include "confyaml.h"
#include "frame.h"

/* The largest width or height taken: 64K lines of 64K pixels, 16 GiB of XRGB8888. */
#define FRAME_MAX_DIM 65536u

/*
 * One format: @bits per pixel of its first plane, and for 4:2:0 formats
 * the bytes of chroma per 2x2 block in the planes after it.
 */
struct frame_format {
	const char *name;
	unsigned int bits;		/* per pixel of the first plane, packed across the line */
	unsigned int chroma_bytes;	/* per 2x2 block, 0 without subsampled planes */
};

static const struct frame_format formats[] = {
	/*
	 * DRM_FORMAT_NV12 (include/uapi/drm/drm_fourcc.h: "2x2 subsampled
	 * Cr:Cb plane") and V4L2_PIX_FMT_NV12
	 * (Documentation/userspace-api/media/v4l/pixfmt-yuv-planar.rst): a Y
	 * plane of one byte a pixel, then one CbCr plane with a Cb and a Cr
	 * byte for each 2x2 block (drm_fourcc.c: cpp { 1, 2 }, hsub = vsub = 2).
	 */
	{ "NV12", 8, 2 },
	/*
	 * DRM_FORMAT_YUV420 and V4L2_PIX_FMT_YUV420 (the same rst): Y, then
	 * separate Cb and Cr planes of one byte per 2x2 block each
	 * (drm_fourcc.c: cpp { 1, 1, 1 }, hsub = vsub = 2).
	 */
	{ "YUV420", 8, 2 },
	/* DRM_FORMAT_XRGB8888: [31:0] x:R:G:B 8:8:8:8, four bytes a pixel (cpp 4). */
	{ "XRGB8888", 32, 0 },
	/*
	 * V4L2_PIX_FMT_SRGGB10P, the MIPI CSI-2 RAW10 packing
	 * (Documentation/userspace-api/media/v4l/pixfmt-srggb10p.rst): every
	 * four pixels in five bytes.
	 */
	{ "RAW10", 10, 0 },
	/* V4L2_PIX_FMT_SRGGB12P (pixfmt-srggb12p.rst): every two pixels in three bytes. */
	{ "RAW12", 12, 0 },
};

/* Parses a dimension of 1..FRAME_MAX_DIM from @s, *@i onward; false if there is none. */
static bool parse_dim(const char *s, size_t len, size_t *i, uint64_t *v)
{
	size_t start = *i;

	*v = 0;
	while (*i < len && g_ascii_isdigit(s[*i]) && *v <= FRAME_MAX_DIM)
		*v = *v * 10 + (uint64_t)(s[(*i)++] - '0');
	return *i > start && *v >= 1 && *v <= FRAME_MAX_DIM;
}

bool cmasim__frame_bytes(const char *s, size_t len, uint64_t *bytes, GString *what)
{
	const struct frame_format *fmt = NULL;
	size_t name_len = 0, i;
	uint64_t w, h;

	while (name_len < len && s[name_len] != ' ')
		name_len++;
	for (i = 0; i < G_N_ELEMENTS(formats); i++)
		if (strlen(formats[i].name) == name_len && !memcmp(formats[i].name, s, name_len))
			fmt = &formats[i];
	if (!fmt) {
		if (!what)
			return false;
		g_autofree char *name = conf_quote_text(s, name_len);

		g_string_append_printf(what, "unknown frame format \"%s\" (expected one of: ",
				       name);
		for (i = 0; i < G_N_ELEMENTS(formats); i++)
			g_string_append_printf(what, "%s%s", i ? ", " : "", formats[i].name);
		g_string_append(what, ")");
		return false;
	}
	i = name_len;
	while (i < len && s[i] == ' ')
		i++;
	if (i == name_len || !parse_dim(s, len, &i, &w) || i == len || s[i++] != 'x' ||
	    !parse_dim(s, len, &i, &h) || i != len) {
		g_autofree char *text = what ? conf_quote_text(s, len) : NULL;

		if (what)
			g_string_append_printf(what, "expected a frame such as \"NV12 1920x1080\" "
					       "(a format, then width x height, each 1 to %u), "
					       "got \"%s\"", FRAME_MAX_DIM, text);
		return false;
	}
	/* a packed line ends in a whole byte: DIV_ROUND_UP(width * bits, 8) */
	*bytes = (w * fmt->bits + 7) / 8 * h + fmt->chroma_bytes * ((w + 1) / 2) * ((h + 1) / 2);
	return true;
}

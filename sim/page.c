// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's page and its Markdown: see cmasim/plot.h. Everything a
 * reviewer needs is in report.html itself: the figures as SVG data, the
 * summary, and what made it.
 */
#include <string.h>

#include "cmasim/plot.h"
#include "cmasim/summary.h"

/* Appends @s escaped for HTML text and attributes. */
static void esc(GString *out, const char *s)
{
	g_autofree char *e = g_markup_escape_text(s ? s : "", -1);

	g_string_append(out, e);
}

static const char style[] =
	"body{font-family:system-ui,'DejaVu Sans',sans-serif;max-width:1100px;margin:2em auto;"
	"padding:0 1em;color:#222;line-height:1.45}"
	"h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em}"
	"table{border-collapse:collapse;font-size:.92em;margin:.6em 0}"
	"th,td{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}"
	"th:first-child,td:first-child,td.text{text-align:left}"
	"td.best{font-weight:bold;background:#e8f4ea}"
	"figure{margin:1.5em 0}figure img{width:100%;height:auto;border:1px solid #eee}"
	"figcaption{font-size:.92em;color:#444;margin-top:.3em}"
	".meta,.legend{font-size:.88em;color:#555}code{font-size:.92em;word-break:break-all}";

/* The summary as an HTML table, the best of each column in bold. */
static void html_summary(const struct cmasim_page *page, GString *out)
{
	g_string_append(out, "<table>\n<tr><th>policy</th>");
	for (unsigned int c = 0; c < CMASIM_NR_SUM; c++) {
		g_string_append(out, "<th>");
		esc(out, cmasim_summary_defs[c].title);
		g_string_append(out, "</th>");
	}
	g_string_append(out, "</tr>\n");
	for (unsigned int i = 0; i < page->nr_rows; i++) {
		const struct cmasim_summary_row *row = &page->rows[i];

		g_string_append(out, "<tr><td>");
		esc(out, row->policy);
		g_string_append(out, "</td>");
		for (unsigned int c = 0; c < CMASIM_NR_SUM; c++) {
			g_string_append_printf(out, "<td%s>", row->best[c] ? " class=\"best\""
							   : c + 1 == CMASIM_NR_SUM ? " class=\"text\"" : "");
			esc(out, row->text[c]);
			g_string_append(out, "</td>");
		}
		g_string_append(out, "</tr>\n");
	}
	g_string_append(out, "</table>\n");
}

/* "name, description" of an input, for the page's first lines. */
static void html_input(GString *out, const char *what, const char *name, const char *description)
{
	g_string_append_printf(out, "<b>%s</b> ", what);
	esc(out, name);
	if (description) {
		g_string_append(out, ": ");
		esc(out, description);
	}
}

void cmasim_page_html(const struct cmasim_page *page, GString *out)
{
	g_autofree char *legend = g_strstrip(g_strdelimit(g_strdup(cmasim_summary_legend), "\n",
							   ' '));

	g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<title>cmasim: ");
	esc(out, page->workload);
	g_string_append(out, " on ");
	esc(out, page->machine);
	g_string_append_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
	esc(out, page->workload);
	g_string_append(out, " on ");
	esc(out, page->machine);
	g_string_append(out, "</h1>\n<p>");
	html_input(out, "Machine", page->machine, page->machine_description);
	g_string_append(out, "<br>\n");
	html_input(out, "Workload", page->workload, page->workload_description);
	g_string_append(out, "<br>\n<b>Seed</b> ");
	esc(out, page->seed);
	g_string_append(out, "</p>\n<h2>Summary</h2>\n");
	html_summary(page, out);
	g_string_append(out, "<p class=\"legend\">");
	esc(out, legend);
	g_string_append(out, " The best of each column is in bold.</p>\n<h2>Figures</h2>\n");
	for (unsigned int i = 0; i < page->nr_plots; i++) {
		gsize len;
		const guchar *svg = g_bytes_get_data(page->svgs[i], &len);
		g_autofree char *data = g_base64_encode(svg, len);

		g_string_append_printf(out, "<figure id=\"%s\">\n<img alt=\"", page->plots[i]->name);
		esc(out, page->plots[i]->title);
		g_string_append_printf(out, "\" src=\"data:image/svg+xml;base64,%s\">\n<figcaption>"
				       "<b>%u. ", data, i + 1);
		esc(out, page->plots[i]->title);
		g_string_append(out, ".</b> ");
		esc(out, page->plots[i]->caption);
		g_string_append_printf(out, " (<a href=\"%s.png\">PNG</a>, <a href=\"%s.gp\">"
				       "script</a>, <a href=\"%s.dat\">data</a>)</figcaption>\n"
				       "</figure>\n", page->plots[i]->name, page->plots[i]->name,
				       page->plots[i]->name);
	}
	g_string_append(out, "<h2>Reproduce</h2>\n<p class=\"meta\"><code>");
	esc(out, page->command);
	g_string_append(out, "</code><br>\ncmasim ");
	esc(out, page->version);
	g_string_append(out, "; machine sha256 <code>");
	esc(out, page->machine_sha256);
	g_string_append(out, "</code>; workload sha256 <code>");
	esc(out, page->workload_sha256);
	g_string_append(out, "</code></p>\n"
			/* how many figures the browser drew, for a headless check */
			"<script>\n"
			"window.addEventListener('load', function () {\n"
			"  var imgs = document.images, ok = 0;\n"
			"  for (var i = 0; i < imgs.length; i++)\n"
			"    if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++;\n"
			"  document.documentElement.dataset.figures = ok + ' of ' + imgs.length;\n"
			"});\n"
			"</script>\n</body>\n</html>\n");
}

/* Appends @s for a Markdown table cell: a pipe would end the cell. */
static void md_cell(GString *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *s);
	}
}

void cmasim_page_markdown(const struct cmasim_page *page, GString *out)
{
	g_autofree char *legend = g_strstrip(g_strdelimit(g_strdup(cmasim_summary_legend), "\n",
							   ' '));

	g_string_append_printf(out, "# %s on %s\n\n", page->workload, page->machine);
	g_string_append_printf(out, "Machine %s%s%s; workload %s%s%s; seed %s.\n\n", page->machine,
			       page->machine_description ? ": " : "",
			       page->machine_description ? page->machine_description : "",
			       page->workload, page->workload_description ? ": " : "",
			       page->workload_description ? page->workload_description : "",
			       page->seed);
	g_string_append(out, "| policy |");
	for (unsigned int c = 0; c < CMASIM_NR_SUM; c++)
		g_string_append_printf(out, " %s |", cmasim_summary_defs[c].title);
	g_string_append(out, "\n|:---|");
	for (unsigned int c = 0; c < CMASIM_NR_SUM; c++)
		g_string_append(out, c + 1 < CMASIM_NR_SUM ? "---:|" : ":---|");
	g_string_append_c(out, '\n');
	for (unsigned int i = 0; i < page->nr_rows; i++) {
		const struct cmasim_summary_row *row = &page->rows[i];

		g_string_append(out, "| ");
		md_cell(out, row->policy);
		g_string_append(out, " |");
		for (unsigned int c = 0; c < CMASIM_NR_SUM; c++) {
			g_string_append(out, row->best[c] ? " **" : " ");
			md_cell(out, row->text[c]);
			g_string_append(out, row->best[c] ? "** |" : " |");
		}
		g_string_append_c(out, '\n');
	}
	g_string_append_printf(out, "\n%s The best of each column is in bold.\n", legend);
	for (unsigned int i = 0; i < page->nr_plots; i++)
		g_string_append_printf(out, "\n![%s](%s.png)\n\n*%u. %s.* %s\n", page->plots[i]->title,
				       page->plots[i]->name, i + 1, page->plots[i]->title,
				       page->plots[i]->caption);
	g_string_append_printf(out, "\nMade with `%s` (cmasim %s; machine sha256 %.12s..., workload "
			       "sha256 %.12s...).\n", page->command, page->version,
			       page->machine_sha256 ? page->machine_sha256 : "none",
			       page->workload_sha256 ? page->workload_sha256 : "none");
}

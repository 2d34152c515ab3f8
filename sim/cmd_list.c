// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmasim list: the policies, built-in machines and workloads; cmasim show:
 * a built-in file, to copy and edit.
 */
#include <string.h>

#include "cmasim/figures.h"
#include "cmasim/kernel.h"
#include "cli.h"

/*
 * Appends @first, then @text's words wrapped to @width columns, each
 * later line indented by @indent spaces, so that entries read at any
 * terminal width.
 */
static void wrapped(GString *out, const char *first, const char *text, size_t indent,
		    size_t width)
{
	g_auto(GStrv) words = g_strsplit(text, " ", -1);
	size_t col = strlen(first);

	g_string_append(out, first);
	for (char **w = words; *w; w++) {
		if (!**w)
			continue;
		if (col > indent && col + 1 + strlen(*w) > width) {
			g_string_append_printf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else {
			g_string_append_c(out, ' ');
			col++;
		}
		g_string_append(out, *w);
		col += strlen(*w);
	}
	g_string_append_c(out, '\n');
}

/* "  name  text" with later lines under the text, as list prints each entry. */
static void entry(GString *out, const char *name, const char *text)
{
	g_autofree char *first = g_strdup_printf("  %-20s", name);

	wrapped(out, first, text, 23, cli_table_width());
}

/* Appends "label: a, b, c" of @names (NULL-terminated) as a continuation line. */
static void names_line(GString *out, const char *label, char *const *names, unsigned int nr)
{
	g_autofree char *list = NULL, *text = NULL;
	GPtrArray *all = g_ptr_array_new();

	for (unsigned int i = 0; i < nr; i++)
		g_ptr_array_add(all, names[i]);
	g_ptr_array_add(all, NULL);
	list = g_strjoinv(", ", (char **)all->pdata);
	g_ptr_array_free(all, TRUE);
	text = g_strdup_printf("%s: %s", label, nr ? list : "none");
	entry(out, "", text);
}

static void list_machines(GString *out, struct cmasim_config **cfgs, char **names)
{
	g_string_append(out, "\nbuilt-in machines (cmasim show NAME prints one; devices with their "
			"roles):\n");
	for (unsigned int m = 0; names[m]; m++) {
		const struct cmasim_config *cfg = cfgs[m];
		g_auto(GStrv) devices = g_new0(char *, cfg->nr_devices + 1);

		entry(out, names[m], cfg->description ? cfg->description : "");
		for (unsigned int d = 0; d < cfg->nr_devices; d++)
			devices[d] = cli_device_text(&cfg->devices[d]);
		names_line(out, "devices", devices, cfg->nr_devices);
	}
}

/* Whether every device or role @info names resolves on @cfg: the workload runs there. */
static bool runs_on(const struct cmasim_trace_info *info, const struct cmasim_config *cfg)
{
	for (unsigned int d = 0; d < info->nr_devices; d++)
		if (cmasim_config_resolve_device(cfg, info->devices[d],
						 strlen(info->devices[d])) < 0)
			return false;
	return true;
}

static void list_workloads(GString *out, struct cmasim_config **cfgs, char **machines)
{
	g_auto(GStrv) names = cli_builtin_names("workloads");

	g_string_append(out, "\nbuilt-in workloads (cmasim show NAME prints one; the devices or "
			"roles each needs, and the machines that have them):\n");
	for (char **n = names; n && *n; n++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GPtrArray) runs = g_ptr_array_new();
		struct cli_workload w;

		if (!cli_workload_open(*n, false, &w, &error)) {
			g_critical("built-in workload %s: %s", *n, error->message);
			cli_workload_close(&w);
			continue;
		}
		const struct cmasim_trace_info *info = cmasim_trace_info(w.trace);
		g_autofree char *machine = g_strdup_printf("machine: %s",
							   cli_workload_machine(&w, NULL));

		for (unsigned int m = 0; machines[m]; m++)
			if (runs_on(info, cfgs[m]))
				g_ptr_array_add(runs, machines[m]);
		entry(out, *n, info->description ? info->description : "");
		names_line(out, "needs", info->devices, info->nr_devices);
		entry(out, "", machine);
		names_line(out, "runs on", (char **)runs->pdata, runs->len);
		cli_workload_close(&w);
	}
}

/* The figures a run reports: name, unit, which way is better, and what each means. */
static void list_figures(GString *out)
{
	int name_width = (int)strlen("figure");

	for (const struct cmasim_figure_def *d = cmasim_run_figure_defs; d->pattern; d++)
		name_width = MAX(name_width, (int)strlen(d->pattern));
	g_string_append_printf(out, "%-*s %-6s %-7s %s\n", name_width, "figure", "unit", "better",
			       "meaning");
	for (const struct cmasim_figure_def *d = cmasim_run_figure_defs; d->pattern; d++) {
		g_autofree char *first = g_strdup_printf("%-*s %-6s %-7s", name_width, d->pattern,
							 cmasim_unit_name(d->unit),
							 cmasim_better_name(d->better));

		wrapped(out, first, d->meaning, (size_t)name_width + 16, cli_table_width());
	}
}

/* The kernel profiles, for --kernel and a machine's kernel:. */
static void list_kernels(GString *out)
{
	const struct cmasim_kernel *k;

	g_string_append_printf(out, "\nkernel profiles (--kernel NAME, or kernel: in a machine; "
			       "default %s):\n", cmasim_kernel_default()->name);
	for (unsigned int i = 0; (k = cmasim_kernel_nth(i)); i++)
		entry(out, k->name, k->summary);
}

int cmd_list(int argc, char **argv)
{
	gboolean figures = FALSE;
	const GOptionEntry entries[] = {
		{ "figures", 'F', 0, G_OPTION_ARG_NONE, &figures,
		  "List the figures a run reports instead: unit, better direction, meaning", NULL },
		{ NULL },
	};
	g_autoptr(GString) out = g_string_new(NULL);
	g_auto(GStrv) machines = NULL;
	g_autofree struct cmasim_config **cfgs = NULL;

	if (!cli_parse_options("list", "",
			       "List the policies with their parameters, the built-in machines with their "
			       "devices and roles, and the workloads with the devices or roles each "
			       "needs and the machines it runs on.",
			       "Examples:\n  cmasim list\n  cmasim list --figures\n", entries, &argc,
			       &argv))
		return 2;
	if (argc > 1)
		return cli_usage_error("list", "expected no arguments");
	if (figures) {
		list_figures(out);
		fputs(out->str, stdout);
		return 0;
	}
	g_string_append(out, "policies (cmasim run -p NAME; --set NAME=VALUE):\n");
	for (unsigned int i = 0; i < cmasim_nr_policies; i++) {
		const struct cmasim_policy_ops *ops = cmasim_policies[i];

		entry(out, ops->name, ops->summary);
		for (const struct cmasim_param *p = ops->params; p && p->name; p++) {
			g_autofree char *text = g_strdup_printf("--set %s=... (default %s): %s",
								p->name, p->default_value,
								p->help);
			g_autofree char *first = g_strdup_printf("%22s", "");

			wrapped(out, first, text, 25, cli_table_width());
		}
	}
	list_kernels(out);
	machines = cli_builtin_names("configs");
	cfgs = g_new0(struct cmasim_config *, g_strv_length(machines) + 1);
	for (unsigned int m = 0; machines[m]; m++) {
		g_autoptr(GError) error = NULL;

		cfgs[m] = cli_load_machine(machines[m], &error);
		/* the tests load every built-in: one that fails is a bug, not input */
		g_return_val_if_fail(cfgs[m], 1);
	}
	list_machines(out, cfgs, machines);
	list_workloads(out, cfgs, machines);
	for (unsigned int m = 0; machines[m]; m++)
		cmasim_config_free(cfgs[m]);
	fputs(out->str, stdout);
	return 0;
}

int cmd_show(int argc, char **argv)
{
	const GOptionEntry entries[] = { { NULL } };
	g_autoptr(GBytes) bytes = NULL;
	const char *data;
	gsize len;

	if (!cli_parse_options("show", "NAME",
			       "Print a built-in machine config or workload, to copy and edit.",
			       "Examples:\n  cmasim show armv7-1g > my-board.yaml\n"
			       "  cmasim show camera-stream\n", entries, &argc, &argv))
		return 2;
	if (argc != 2)
		return cli_usage_error("show", "expected one built-in name (see cmasim list)");
	bytes = cli_builtin("configs", argv[1], NULL);
	if (!bytes)
		bytes = cli_builtin("workloads", argv[1], NULL);
	if (!bytes) {
		fprintf(stderr, "cmasim show: no built-in machine or workload named '%s' "
			"(see cmasim list)\n", argv[1]);
		return 1;
	}
	data = g_bytes_get_data(bytes, &len);
	fwrite(data, 1, len, stdout);
	return fflush(stdout) ? 1 : 0;
}

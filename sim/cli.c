// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the subcommands share: see cli.h.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmasim/error.h"
#include "cmasim/figures.h"
#include "cmasim/units.h"
#include "cmasim/kernel.h"
#include "cli.h"

#define RESOURCE_ROOT "/org/cmasim"

/*
 * What a signal must remove: the temporary files being written, folders
 * last. The handler only reads the table, with the signals blocked while
 * it changes, and only calls what is async-signal-safe (unlink, rmdir,
 * write, _exit).
 */
#define MAX_DOOMED 256
static struct {
	char *path;
	bool dir;
} doomed[MAX_DOOMED];
static const char *signalled_cmd = "";
/*
 * A child to stop first: one writing into a doomed folder (gnuplot), killed;
 * or one that has children of its own to stop (GNU parallel), sent the
 * signal and waited for. 0 for none.
 */
static volatile sig_atomic_t doomed_child, doomed_child_forward;

void cli_doom_child(pid_t pid, bool forward)
{
	doomed_child = 0;
	doomed_child_forward = forward;
	doomed_child = pid;
}

/* Blocks (@block) or unblocks the signals the command catches. */
static void hold_signals(bool block, sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (block)
		pthread_sigmask(SIG_BLOCK, &set, old);
	else
		pthread_sigmask(SIG_SETMASK, old, NULL);
}

void cli_doom(const char *path, bool dir)
{
	sigset_t old;

	hold_signals(true, &old);
	for (unsigned int i = 0; i < MAX_DOOMED; i++) {
		if (!doomed[i].path) {
			doomed[i].path = g_strdup(path);
			doomed[i].dir = dir;
			break;
		}
	}
	hold_signals(false, &old);
}

void cli_undoom(const char *path)
{
	sigset_t old;

	hold_signals(true, &old);
	for (unsigned int i = 0; i < MAX_DOOMED; i++) {
		if (doomed[i].path && !strcmp(doomed[i].path, path)) {
			g_free(doomed[i].path);
			doomed[i].path = NULL;
		}
	}
	hold_signals(false, &old);
}

/* Writes @s to standard error from a signal handler. */
static void say(const char *s)
{
	ssize_t n = write(STDERR_FILENO, s, strlen(s));

	(void)n;
}

static void on_signal(int sig)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = { { SIGINT, "SIGINT" }, { SIGTERM, "SIGTERM" }, { SIGHUP, "SIGHUP" } };
	bool removed = false;

	/* so that it writes nothing more where its files are removed */
	if (doomed_child) {
		kill(doomed_child, doomed_child_forward ? sig : SIGKILL);
		waitpid(doomed_child, NULL, 0);
	}
	for (unsigned int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < MAX_DOOMED; i++) {
			if (!doomed[i].path || doomed[i].dir != (pass == 1))
				continue;
			removed |= (pass ? rmdir(doomed[i].path) : unlink(doomed[i].path)) == 0;
		}
	}
	say("cmasim ");
	say(signalled_cmd);
	say(": interrupted by ");
	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++)
		if (names[i].sig == sig)
			say(names[i].name);
	say(removed ? "; its unfinished files are removed\n" : "\n");
	_exit(128 + sig);
}

void cli_catch_signals(const char *cmd)
{
	struct sigaction sa = { .sa_handler = on_signal };
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	signalled_cmd = cmd;
	sigemptyset(&sa.sa_mask);
	for (unsigned int i = 0; i < G_N_ELEMENTS(sigs); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (unsigned int i = 0; i < G_N_ELEMENTS(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

void cli_error(const char *cmd, const GError *error)
{
	fprintf(stderr, "cmasim %s: %s\n", cmd, error->message);
}

int cli_usage_error(const char *cmd, const char *what)
{
	fprintf(stderr, "cmasim %s: %s (see cmasim %s --help)\n", cmd, what, cmd);
	return 2;
}

bool cli_parse_options(const char *name, const char *params, const char *summary,
		       const char *description, const GOptionEntry *entries, int *argc,
		       char ***argv)
{
	g_autofree char *prog = g_strdup_printf("cmasim %s", name);
	GOptionContext *ctx = g_option_context_new(params);
	g_autoptr(GError) error = NULL;
	bool ok;

	g_set_prgname(prog);
	g_option_context_set_summary(ctx, summary);
	g_option_context_set_description(ctx, description);
	g_option_context_add_main_entries(ctx, entries, NULL);
	ok = g_option_context_parse(ctx, argc, argv, &error);
	if (!ok)
		cli_usage_error(name, error->message);
	g_option_context_free(ctx);
	return ok;
}

bool cli_parse_format(const char *cmd, const char *s, enum cmasim_format *format)
{
	static const char *const names[] = { "table", "json", "csv" };

	if (!s)
		return true;
	for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
		if (!strcmp(s, names[i])) {
			*format = i;
			return true;
		}
	}
	cli_usage_error(cmd, "--format expects table, json or csv");
	return false;
}

bool cli_parse_seed(const char *cmd, const char *s, uint64_t *seed)
{
	if (!s || cmasim_parse_uint(s, strlen(s), seed))
		return true;
	cli_usage_error(cmd, "--seed expects an integer");
	return false;
}

bool cli_parse_jobs(const char *cmd, const char *s, unsigned int *jobs)
{
	uint64_t n = g_get_num_processors();

	if (s && (!cmasim_parse_uint(s, strlen(s), &n) || !n || n > 4096)) {
		cli_usage_error(cmd, "--jobs expects a number of jobs from 1 to 4096");
		return false;
	}
	*jobs = (unsigned int)n;
	return true;
}

/* @pattern's figure name with its placeholders filled in, to try globs against. */
static char *example_name(const char *pattern)
{
	GString *s = g_string_new(NULL);

	for (const char *p = pattern; *p;) {
		const char *end = *p == '<' ? strchr(p, '>') : NULL;

		if (!end) {
			g_string_append_c(s, *p++);
			continue;
		}
		if (!strncmp(p, "<zone>", 6))
			g_string_append(s, "Normal");
		else if (!strncmp(p, "<N>", 3))
			g_string_append(s, "10");
		else if (!strncmp(p, "<reason>", 8))
			g_string_append(s, "busy");
		else
			g_string_append(s, "x");
		p = end + 1;
	}
	return g_string_free(s, FALSE);
}

char *cli_device_text(const struct cmasim_device *dev)
{
	GString *s = g_string_new(dev->name);
	int own = cmasim_role_lookup(dev->name, strlen(dev->name));

	/* a device named after its one role needs no parentheses */
	if (own >= 0 && dev->roles == UINT32_C(1) << own)
		return g_string_free(s, FALSE);
	for (int r = 0, n = 0; r < CMASIM_NR_ROLES; r++)
		if (dev->roles & (UINT32_C(1) << r))
			g_string_append_printf(s, "%s%s", n++ ? ", " : " (", cmasim_role_name(r));
	if (dev->roles)
		g_string_append_c(s, ')');
	return g_string_free(s, FALSE);
}

/* Whether glob @pattern matches some run figure. */
static bool matches_a_figure(const char *pattern)
{
	if (!strpbrk(pattern, "*?"))
		return cmasim_figure_def_find(pattern) != NULL;
	for (const struct cmasim_figure_def *d = cmasim_run_figure_defs; d->pattern; d++) {
		g_autofree char *name = example_name(d->pattern);

		if (g_pattern_match_simple(pattern, name) ||
		    g_pattern_match_simple(pattern, d->pattern))
			return true;
	}
	return false;
}

bool cli_parse_figures(const char *cmd, const char *s, char ***figures)
{
	g_auto(GStrv) list = NULL;

	*figures = NULL;
	if (!s)
		return true;
	list = g_strsplit(s, ",", -1);
	for (char **p = list; *p; p++) {
		if (!**p || !matches_a_figure(*p)) {
			g_autofree char *what = g_strdup_printf(
				"--figures: '%s' names no figure (the figures are what run -f json "
				"prints; README.md lists them)", *p);

			cli_usage_error(cmd, what);
			return false;
		}
	}
	*figures = g_steal_pointer(&list);
	return true;
}

/* The progress line: one a process, as one command runs in it. */
static struct {
	GMutex lock;
	const char *cmd;
	bool on;		/* standard error is a terminal, and no --quiet */
	bool shown;		/* a line is on the screen */
	gint64 start, last;	/* monotonic us: the command's start, the last line */
} progress;

void cli_progress_start(const char *cmd, bool quiet)
{
	progress.cmd = cmd;
	progress.on = !quiet && isatty(STDERR_FILENO);
	progress.start = progress.last = g_get_monotonic_time();
}

/* Shows @text as the line, at most four times a second, after the first second. */
static void progress_show(const char *text)
{
	gint64 now = g_get_monotonic_time();

	if (!progress.on || now - progress.start < G_USEC_PER_SEC ||
	    now - progress.last < G_USEC_PER_SEC / 4)
		return;
	progress.last = now;
	progress.shown = true;
	/* the line is rewritten in place, and cleared to its end */
	fprintf(stderr, "\rcmasim %s: %s\033[K", progress.cmd, text);
	fflush(stderr);
}

void cli_progress_events(void *arg, uint64_t events, uint64_t time_ns, double fraction)
{
	double elapsed = (double)(g_get_monotonic_time() - progress.start) / G_USEC_PER_SEC;
	g_autofree char *sim = cmasim_human((double)time_ns, CMASIM_UNIT_NS), *text = NULL;
	char left[64] = "";

	(void)arg;
	if (fraction > 0.01 && fraction < 1)
		snprintf(left, sizeof(left), ", %.0f%% read, about %.0f s left", fraction * 100,
			 elapsed * (1 - fraction) / fraction);
	text = g_strdup_printf("%.1f M events, %s simulated%s", (double)events / 1e6, sim, left);
	progress_show(text);
}

void cli_progress_runs(unsigned int done, unsigned int nr)
{
	g_autofree char *text = g_strdup_printf("%u of %u runs done", done, nr);

	g_mutex_lock(&progress.lock);
	progress_show(text);
	g_mutex_unlock(&progress.lock);
}

void cli_progress_end(void)
{
	if (progress.shown)
		fputs("\r\033[K", stderr);
	progress.shown = false;
}

bool cli_parse_replay_args(const char *cmd, const char *kernel, const char *host,
			   struct cmasim_run_options *opts)
{
	if (kernel && !(opts->kernel = cmasim_kernel_find(kernel))) {
		g_autoptr(GString) what = g_string_new(NULL);
		const struct cmasim_kernel *k;

		g_string_append_printf(what, "--kernel: no profile '%s' (expected ", kernel);
		for (unsigned int i = 0; (k = cmasim_kernel_nth(i)); i++)
			g_string_append_printf(what, "%s%s", i ? ", " : "", k->name);
		g_string_append_c(what, ')');
		cli_usage_error(cmd, what->str);
		return false;
	}
	if (!host)
		return true;
	if (!strcmp(host, "unlimited")) {
		opts->host_memory_limit = UINT64_MAX;
		return true;
	}
	if (!cmasim_parse_size(host, strlen(host),
			       &opts->host_memory_limit) || !opts->host_memory_limit) {
		cli_usage_error(cmd, "--host-memory expects a size such as 4GiB, or unlimited");
		return false;
	}
	return true;
}

unsigned int cli_policy_colour(const char *policy)
{
	for (unsigned int i = 0; i < cmasim_nr_policies; i++)
		if (!strcmp(cmasim_policies[i]->name, policy))
			return i;
	return cmasim_nr_policies;
}

unsigned int cli_table_width(void)
{
	struct winsize ws;

	const char *columns = g_getenv("COLUMNS");
	guint64 n;

	/* COLUMNS, as less and ls take it, then the terminal's */
	if (columns && g_ascii_string_to_unsigned(columns, 10, 40, 1000, &n, NULL))
		return (unsigned int)n;
	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col >= 40)
		return ws.ws_col;
	/* a file or a pipe gets the same table wherever it is written */
	return 120;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cli_builtin_names(const char *kind)
{
	g_autofree char *dir = g_strdup_printf(RESOURCE_ROOT "/%s/", kind);
	char **names = g_resources_enumerate_children(dir, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

	for (char **n = names; n && *n; n++)
		if (g_str_has_suffix(*n, ".yaml"))
			(*n)[strlen(*n) - 5] = '\0';
	if (names)
		qsort(names, g_strv_length(names), sizeof(char *), compare_strings);
	return names;
}

GBytes *cli_builtin(const char *kind, const char *name, char **source)
{
	g_autofree char *path = g_strdup_printf(RESOURCE_ROOT "/%s/%s.yaml", kind, name);
	GBytes *bytes = g_resources_lookup_data(path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

	if (bytes && source)
		*source = g_strdup_printf("%s/%s.yaml", kind, name);
	return bytes;
}

/* Whether @name is a file rather than a built-in name: it exists, or it looks like a path. */
static bool is_file(const char *name)
{
	return g_file_test(name, G_FILE_TEST_EXISTS) || strchr(name, '/') ||
	       g_str_has_suffix(name, ".yaml") || g_str_has_suffix(name, ".bin");
}

/* The built-in @kind @name; an IO error naming both when there is none. */
static GBytes *lookup_builtin(const char *kind, const char *name, char **source, GError **error)
{
	GBytes *bytes = cli_builtin(kind, name, source);

	if (!bytes)
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO,
			    "%s: no such file, and no built-in %s of that name (see cmasim list)",
			    name, kind);
	return bytes;
}

struct cmasim_config *cli_load_machine(const char *name, GError **error)
{
	struct cmasim_config *cfg;

	/* a folder cmasim import wrote: the config in it names its initial state */
	if (g_file_test(name, G_FILE_TEST_IS_DIR)) {
		g_autofree char *path = g_build_filename(name, CLI_MACHINE_FILE, NULL);

		cfg = cmasim_config_load_file(path, error);
	} else if (is_file(name)) {
		cfg = cmasim_config_load_file(name, error);
	} else {
		g_autofree char *source = NULL;
		g_autoptr(GBytes) bytes = lookup_builtin("configs", name, &source, error);
		const char *data;
		gsize len;

		if (!bytes)
			return NULL;
		data = g_bytes_get_data(bytes, &len);
		cfg = cmasim_config_load_data(source, data, len, error);
	}
	if (cfg && !cmasim_policy_check_machine(cfg, error)) {
		cmasim_config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct cmasim_trace *cli_workload_trace(const struct cli_workload *w, GError **error)
{
	const char *data;
	gsize len;

	if (!w->bytes)
		return cmasim_trace_open(w->source, error);
	data = g_bytes_get_data(w->bytes, &len);
	return cmasim_trace_open_data(w->source, data, len, error);
}

bool cli_workload_open(const char *name, bool again, struct cli_workload *w, GError **error)
{
	struct stat st;

	*w = (struct cli_workload){ .name = g_strdup(name) };
	if (!is_file(name)) {
		w->bytes = lookup_builtin("workloads", name, &w->source, error);
		if (!w->bytes)
			return false;
	} else if (again && !stat(name, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		char *data;
		gsize len;

		if (!g_file_get_contents(name, &data, &len, NULL)) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", name,
				    g_strerror(errno));
			return false;
		}
		w->bytes = g_bytes_new_take(data, len);
		w->source = g_strdup(name);
	} else {
		w->source = g_strdup(name);
	}
	w->trace = cli_workload_trace(w, error);
	return w->trace != NULL;
}

void cli_workload_close(struct cli_workload *w)
{
	cmasim_trace_close(w->trace);
	if (w->bytes)
		g_bytes_unref(w->bytes);
	g_free(w->source);
	g_free(w->name);
	*w = (struct cli_workload){ 0 };
}

const char *cli_workload_machine(const struct cli_workload *w, const char *machine)
{
	const struct cmasim_trace_info *info = cmasim_trace_info(w->trace);

	return machine ? machine : info->machine ? info->machine : DEFAULT_MACHINE;
}

bool cli_outfile_open(struct cli_outfile *o, const char *path, GError **error)
{
	*o = (struct cli_outfile){ 0 };
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return true;
	}
	if (g_file_test(path, G_FILE_TEST_EXISTS) && !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		o->f = fopen(path, "w");
		if (!o->f) {
			g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", path,
				    g_strerror(errno));
			return false;
		}
		o->path = g_strdup(path);
		return true;
	}
	o->path = g_strdup(path);
	o->tmp = g_strdup_printf("%s.XXXXXX", path);
	int fd = g_mkstemp(o->tmp);
	mode_t mask = umask(0), mode = 0666 & ~mask;
	struct stat st;

	umask(mask);
	/* the mode of the file it replaces, else what fopen() would give; not mkstemp()'s 0600 */
	if (!stat(path, &st))
		mode = st.st_mode & 07777;
	if (fd >= 0)
		cli_doom(o->tmp, false);
	if (fd < 0 || fchmod(fd, mode) || !(o->f = fdopen(fd, "w"))) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", path, g_strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
			cli_undoom(o->tmp);
		}
		g_clear_pointer(&o->tmp, g_free);
		g_clear_pointer(&o->path, g_free);
		return false;
	}
	return true;
}

bool cli_outfile_close(struct cli_outfile *o, bool keep, GError **error)
{
	bool ok = true;

	if (!o->f)
		return true;
	if (o->f == stdout) {
		ok = fflush(stdout) == 0;
	} else {
		ok = !ferror(o->f);
		ok = fclose(o->f) == 0 && ok;
		if (o->tmp && keep && ok && rename(o->tmp, o->path))
			ok = false;
		if (o->tmp && (!keep || !ok))
			unlink(o->tmp);
		if (o->tmp)
			cli_undoom(o->tmp);
	}
	if (keep && !ok)
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s",
			    o->path ? o->path : "standard output", g_strerror(errno));
	g_free(o->path);
	g_free(o->tmp);
	*o = (struct cli_outfile){ 0 };
	return ok || !keep;
}

bool cli_outfile_write(struct cli_outfile *o, const GString *text, GError **error)
{
	fwrite(text->str, 1, text->len, o->f);
	return cli_outfile_close(o, true, error);
}

/* What marks a folder as cmasim's, for a later command to replace. */
#define FOLDER_MARK ".cmasim-output"

bool cli_folder_replaceable(const char *dir, GError **error)
{
	g_autoptr(GDir) d = NULL;
	g_autofree char *mark = g_build_filename(dir, FOLDER_MARK, NULL);

	if (!g_file_test(dir, G_FILE_TEST_EXISTS) || g_file_test(mark, G_FILE_TEST_EXISTS))
		return true;
	d = g_dir_open(dir, 0, NULL);
	if (d && !g_dir_read_name(d))
		return true;
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: exists and is not empty nor "
		    "cmasim's (expected a new folder, an empty one or one cmasim wrote)", dir);
	return false;
}

char *cli_folder_open(const char *dir, GError **error)
{
	char *tmp = g_strdup_printf("%s.tmp-XXXXXX", dir);
	mode_t mask = umask(0);

	umask(mask);
	if (!g_mkdtemp(tmp)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", dir, g_strerror(errno));
		g_free(tmp);
		return NULL;
	}
	cli_doom(tmp, true);
	/* the mode mkdir() would give, not mkdtemp()'s 0700 */
	chmod(tmp, 0777 & ~mask);
	if (!cli_folder_put(tmp, FOLDER_MARK, "written by cmasim; it may replace this folder\n",
			    -1, error)) {
		cli_folder_close(tmp, dir, false, NULL);
		return NULL;
	}
	return tmp;
}

bool cli_folder_put(const char *tmp, const char *name, const char *text, gssize len,
		    GError **error)
{
	g_autofree char *path = g_build_filename(tmp, name, NULL);
	g_autoptr(GError) why = NULL;

	cli_doom(path, false);
	if (g_file_set_contents(path, text, len, &why))
		return true;
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s", why->message);
	return false;
}

/* Removes folder @dir and the files in it, and forgets them. */
static void remove_folder(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);

		unlink(path);
		cli_undoom(path);
	}
	rmdir(dir);
}

/* Forgets the files written in folder @tmp, now in place as @dir. */
static void keep_folder(const char *tmp, const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(tmp, name, NULL);

		cli_undoom(path);
	}
}

bool cli_folder_close(char *tmp, const char *dir, bool ok, GError **error)
{
	g_autofree char *old = g_strdup_printf("%s.old-XXXXXX", dir);
	bool moved = false;

	if (!ok)
		goto out;
	/* an earlier one goes aside first, and back if the new one cannot take its place */
	if (g_file_test(dir, G_FILE_TEST_EXISTS)) {
		if (!g_mkdtemp(old) || rmdir(old) || rename(dir, old))
			goto fail;
		moved = true;
	}
	if (rename(tmp, dir)) {
		if (moved)
			rename(old, dir);
		goto fail;
	}
	keep_folder(tmp, dir);
	if (moved)
		remove_folder(old);
	cli_undoom(tmp);
	g_free(tmp);
	return true;
fail:
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "%s: %s", dir, g_strerror(errno));
	ok = false;
out:
	remove_folder(tmp);
	cli_undoom(tmp);
	g_free(tmp);
	return ok;
}

GBytes *cli_gnuplot(const char *dir, const char *name, const char *script, GError **error)
{
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
		G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
		G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autoptr(GSubprocess) gnuplot = NULL;
	g_autofree char *out = NULL, *err = NULL, *svg = NULL, *png = NULL;
	g_autoptr(GError) why = NULL;
	char *data;
	gsize len;
	bool ok;

	svg = g_strdup_printf("%s/%s.svg", dir, name);
	png = g_strdup_printf("%s/%s.png", dir, name);
	cli_doom(svg, false);
	cli_doom(png, false);
	g_subprocess_launcher_set_cwd(launcher, dir);
	/* the scripts are UTF-8 (µs); in the C locale gnuplot would warn of its iconv */
	g_subprocess_launcher_setenv(launcher, "LC_ALL", "C.UTF-8", TRUE);
	/* --default-settings: a user's ~/.gnuplot does not change the figures */
	gnuplot = g_subprocess_launcher_spawn(launcher, &why, "gnuplot", "--default-settings",
					      NULL);
	if (!gnuplot) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO,
			    "cannot run gnuplot (%s): install it, on Debian with apt-get install "
			    "gnuplot-nox", why->message);
		return NULL;
	}
	cli_doom_child((pid_t)atoi(g_subprocess_get_identifier(gnuplot)), false);
	ok = g_subprocess_communicate_utf8(gnuplot, script, NULL, &out, &err, &why);
	cli_doom_child(0, false);
	if (!ok) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "gnuplot: %s", why->message);
		return NULL;
	}
	if (!g_subprocess_get_successful(gnuplot)) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "gnuplot failed on %s.gp:\n%s",
			    name, err ? err : "");
		return NULL;
	}
	if (err && *err)
		fprintf(stderr, "cmasim %s: gnuplot says of %s.gp:\n%s", signalled_cmd, name, err);
	if (!g_file_get_contents(svg, &data, &len, NULL) || !len) {
		g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_IO, "gnuplot wrote no %s.svg",
			    name);
		return NULL;
	}
	return g_bytes_new_take(data, len);
}

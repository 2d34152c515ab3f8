/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the cmasim command's subcommands (cmd_*.c) share: option parsing,
 * messages, machines and workloads by file or built-in name, output files
 * that appear whole or not at all, and replaying many runs on threads.
 * Private to the command.
 */
#ifndef CMASIM_CLI_H
#define CMASIM_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <gio/gio.h>

#include "cmasim/config.h"
#include "cmasim/engine.h"
#include "cmasim/policy.h"
#include "cmasim/report.h"
#include "cmasim/trace.h"

#define DEFAULT_MACHINE "armv7-1g"
/* Simulated ns between pageblock map rows unless told: a row is a byte per pageblock. */
#define CLI_MAP_INTERVAL UINT64_C(100000000)
#define DEFAULT_WORKLOAD "camera-stream"

/* A subcommand: returns the exit status (0 success, 1 bad input or a failed gate, 2 usage). */
typedef int cmd_fn(int argc, char **argv);

cmd_fn cmd_run, cmd_compare, cmd_check, cmd_report, cmd_sweep, cmd_gen, cmd_list, cmd_show,
	cmd_info, cmd_cache, cmd_size, cmd_import;
/* cmasim sweep plot, which cmd_sweep() hands over to. */
cmd_fn cmd_sweep_plot;
/* cmasim import ftrace, which cmd_import() hands over to. */
cmd_fn cmd_import_ftrace;

/*
 * How many naturally aligned 4, 16 and 64 MiB ranges of each zone of @mem
 * migration alone could empty, as a table into @out.
 */
void cli_clearable_ranges(const struct cmasim_mem *mem, GString *out);

/*
 * The rows of a sweep folder's points.tsv: the header (point, machine,
 * workload, policy, seed, the swept parameters), then a row per point,
 * each a NULL-terminated array of fields. NULL with @error.
 */
GPtrArray *cli_sweep_table(const char *dir, GError **error);

/*
 * Catches SIGINT, SIGTERM and SIGHUP for subcommand @cmd: the temporary
 * files and folders being written (cli_doom()) are removed, the command
 * says what interrupted it and exits with 128 + the signal's number.
 */
void cli_catch_signals(const char *cmd);
/* Marks temporary @path (a file, or with @dir an empty-once folder) to be removed on a signal. */
void cli_doom(const char *path, bool dir);
/* Forgets @path: it was renamed into place or removed. */
void cli_undoom(const char *path);
/*
 * Marks child @pid to be stopped first on a signal: killed, or with
 * @forward sent the same signal and waited for; 0 for none.
 */
void cli_doom_child(pid_t pid, bool forward);

/*
 * A progress line on standard error while a command works, once it has
 * taken a second, when standard error is a terminal and not @quiet: the
 * events and simulated time of one run, or the runs done of many.
 */
void cli_progress_start(const char *cmd, bool quiet);
/* cmasim_run_options.progress, for a single run. */
void cli_progress_events(void *arg, uint64_t events, uint64_t time_ns, double fraction);
/* @done of @nr runs are done; from any thread. */
void cli_progress_runs(unsigned int done, unsigned int nr);
/* Takes the line away, if one was shown. */
void cli_progress_end(void);

#define CLI_QUIET_ENTRY(quiet) \
	{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &(quiet), "No progress line on standard error", NULL }

/* Prints "cmasim @cmd: message" for @error. */
void cli_error(const char *cmd, const GError *error);
/* Reports a bad command line; returns the exit status for it, 2. */
int cli_usage_error(const char *cmd, const char *what);

/* Parses @argv with @entries; prints the error and returns false on bad options. */
bool cli_parse_options(const char *name, const char *params, const char *summary,
		       const char *description, const GOptionEntry *entries, int *argc,
		       char ***argv);
/* Reads --format @s of @cmd, if given, into *@format; false after a usage error. */
bool cli_parse_format(const char *cmd, const char *s, enum cmasim_format *format);
/* Reads --seed @s of @cmd, if given, into *@seed; false after a usage error. */
bool cli_parse_seed(const char *cmd, const char *s, uint64_t *seed);
/* Reads --jobs @s of @cmd, if given, into *@jobs (default: the cores); false after a usage error. */
bool cli_parse_jobs(const char *cmd, const char *s, unsigned int *jobs);
/*
 * Reads --figures @s (comma-separated glob patterns) of @cmd into *@figures,
 * NULL when not given; false after a usage error naming a pattern that
 * matches no figure.
 */
bool cli_parse_figures(const char *cmd, const char *s, char ***figures);
/* The colour of @policy in figures: its place in the registry. */
unsigned int cli_policy_colour(const char *policy);
/* The width a table should fit: $COLUMNS, else the terminal's when standard output is one, else 120. */
unsigned int cli_table_width(void);

/*
 * "name (role, role)" of device @dev, as list and info print it, the name
 * alone for a device named after its one role; g_free() it.
 */
char *cli_device_text(const struct cmasim_device *dev);

/* The names of the built-in @kind ("configs", "workloads"), sorted; g_strfreev() them. */
char **cli_builtin_names(const char *kind);
/* The text of built-in @kind @name, or NULL; *@source names it in messages. */
GBytes *cli_builtin(const char *kind, const char *name, char **source);

/*
 * --kernel and --host-memory, which the commands that replay take into
 * strings @kernel and @host: the kernel profile whose rules run, and the
 * host memory a machine may take.
 */
#define CLI_REPLAY_ENTRIES(kernel, host)                                                   \
	{ "kernel", 0, 0, G_OPTION_ARG_STRING, &(kernel),                                  \
	  "The kernel whose mm rules run (default: the machine's kernel:; see cmasim list)", \
	  "VERSION" },                                                                     \
	{ "host-memory", 0, 0, G_OPTION_ARG_STRING, &(host),                               \
	  "Host memory a machine may take to boot (default: what the host has available; " \
	  "unlimited for no check)", "SIZE" }

/* Sets @opts's kernel and host memory limit from @kernel and @host; false after a usage error. */
bool cli_parse_replay_args(const char *cmd, const char *kernel, const char *host,
			   struct cmasim_run_options *opts);

/* The machine config in a machine folder (cmasim import snapshot -o FOLDER). */
#define CLI_MACHINE_FILE "machine.yaml"

/*
 * The machine config file, machine folder or built-in machine @name, if
 * the policies accept its settings.
 */
struct cmasim_config *cli_load_machine(const char *name, GError **error);

/*
 * A workload: a trace file, read as a stream so that a large one is never
 * in memory whole, or text in memory that its traces read (a built-in, or
 * a pipe that several runs replay).
 */
struct cli_workload {
	char *name;			/* as the user gave it */
	char *source;			/* the file, or the built-in's name in messages */
	GBytes *bytes;			/* the text, or NULL to read the file */
	struct cmasim_trace *trace;	/* opened by cli_workload_open(), header read */
};

/*
 * Opens the workload file or built-in workload @name. With @again, for
 * more traces of it, a file that cannot be read twice (a pipe) is read
 * into memory whole.
 */
bool cli_workload_open(const char *name, bool again, struct cli_workload *w, GError **error);
/* Opens another trace of @w from its start. */
struct cmasim_trace *cli_workload_trace(const struct cli_workload *w, GError **error);
void cli_workload_close(struct cli_workload *w);
/* The machine to replay @w on: @machine, else the workload's, else the default. */
const char *cli_workload_machine(const struct cli_workload *w, const char *machine);

/*
 * An output file written under a temporary name and renamed when complete,
 * so that an interrupted or failed command leaves no half-written file. No
 * path, or "-", is standard output; a path that exists and is not a
 * regular file (/dev/null, a FIFO) is written in place.
 */
struct cli_outfile {
	char *path;
	char *tmp;
	FILE *f;
};

bool cli_outfile_open(struct cli_outfile *o, const char *path, GError **error);
/* Renames the file into place if @keep and all was written, else removes it. */
bool cli_outfile_close(struct cli_outfile *o, bool keep, GError **error);
/* Writes @text to @o and keeps it: cli_outfile_close(@o, true). */
bool cli_outfile_write(struct cli_outfile *o, const GString *text, GError **error);

/*
 * Output folders (a report, timelines), which appear whole or not at all:
 * written under a temporary name beside @dir and renamed into place. A
 * folder cmasim wrote holds a marker file, so that a later command may
 * replace it; any other folder it replaces only if it is empty.
 */
/* Whether @dir may be replaced: absent, empty, or one cmasim wrote. False with @error. */
bool cli_folder_replaceable(const char *dir, GError **error);
/* Makes the temporary folder for @dir; its path, or NULL with @error. */
char *cli_folder_open(const char *dir, GError **error);
/* Writes @len bytes of @text (-1: to its NUL) to file @name of folder @tmp. */
bool cli_folder_put(const char *tmp, const char *name, const char *text, gssize len,
		    GError **error);
/*
 * Puts folder @tmp (g_free()d) in the place of @dir if @ok, else removes
 * it; returns @ok, false with @error if the rename failed.
 */
bool cli_folder_close(char *tmp, const char *dir, bool ok, GError **error);

/*
 * Runs gnuplot in folder @dir with @script (NAME.gp) on its standard
 * input; returns NAME.svg, which the script writes, or NULL with @error
 * (gnuplot's own message, or how to install it). Anything gnuplot says on
 * success is passed on to standard error.
 */
GBytes *cli_gnuplot(const char *dir, const char *name, const char *script, GError **error);

/*
 * Policy settings, as --set and gate files give them: "policy.name=value"
 * goes to that policy, "name=value" to every policy with such a parameter.
 */
struct cli_setting {
	char *text;		/* as given, for messages */
	char *policy;		/* NULL: every policy with the parameter */
	char *setting;		/* "name=value" */
};

/*
 * Parses @set into an array of struct cli_setting, checking the syntax,
 * the policy names and, for each of @policies (NULL-terminated) it
 * applies to, the parameter and value; one setting must apply to some of
 * them. Messages say the policies are "@verb" ("compared"). Returns NULL
 * with @error (code CMASIM_ERROR_VALUE) otherwise.
 */
GArray *cli_settings_parse(const char *const *set, const struct cmasim_policy_ops *const *policies,
			   const char *verb, GError **error);
/* The "name=value" settings of @settings for @ops, NULL-terminated; g_strfreev() them. */
char **cli_settings_for(const GArray *settings, const struct cmasim_policy_ops *ops);

/* What a job may keep of its run's streams, in memory. */
enum cli_capture {
	CLI_TIMELINE,	/* the timeline CSV */
	CLI_REQUESTS,	/* the request log, as opts.requests_json says */
	CLI_MAP,	/* the pageblock map */
	CLI_NR_CAPTURES,
};

struct cli_captured {
	bool on;
	char *text;
	size_t len;
};

/* One replay of a workload on a machine under a policy. */
struct cli_job {
	const struct cmasim_config *cfg;	/* shared, read-only */
	const struct cli_workload *workload;	/* shared; each job opens its own trace */
	struct cmasim_run_options opts;
	char **set;				/* owns opts.set */
	struct cli_captured captured[CLI_NR_CAPTURES];	/* what to keep, and what was */
	struct cmasim_results *r;		/* on success */
	GError *error;				/* on failure */
	gint64 wall_us;				/* host time it took */
};

/*
 * Runs every job, @workers at a time on threads (the caller is one).
 * With @skip_refusals, a policy that refuses its machine is not a
 * failure. Returns the index of the first job (lowest) that failed, or
 * @nr; jobs after it may not have run, so that the failure reported is
 * the same however many workers there are.
 */
unsigned int cli_jobs_run(struct cli_job *jobs, unsigned int nr, unsigned int workers,
			  bool skip_refusals);
/* Whether @job's policy refused its machine. */
bool cli_job_refused(const struct cli_job *job);
/* Frees what @nr jobs own, and the array. */
void cli_jobs_free(struct cli_job *jobs, unsigned int nr);
/* Prints why @job failed, naming its policy where the message names neither it nor the workload. */
void cli_job_error(const char *cmd, const struct cli_job *job);

/*
 * The policies of -p @list (comma-separated), or every registered one in
 * registry order; NULL-terminated. NULL after printing what was wrong.
 */
const struct cmasim_policy_ops **cli_parse_policies(const char *cmd, const char *list);

/* A grid of runs: workloads x machines x policies, each input loaded once. */
struct cli_grid {
	struct cli_workload *workloads;
	unsigned int nr_workloads;
	GPtrArray *machines;		/* of struct cmasim_config *, one per distinct name */
	struct cli_job *jobs;		/* workload-major, then machine, then policy */
	unsigned int nr_jobs;
	unsigned int nr_policies;	/* jobs per cell */
};

/*
 * Opens @workloads and @machines (empty: each workload's own) and makes a
 * job for every workload x machine x policy, with @settings and @seed
 * (NULL: each workload's). False with @error.
 */
bool cli_grid_build(struct cli_grid *g, char **workloads, char **machines,
		    const struct cmasim_policy_ops *const *policies, const GArray *settings,
		    const uint64_t *seed, GError **error);
void cli_grid_free(struct cli_grid *g);
/*
 * The groups of runs that finished, one per cell, the results in @runs;
 * says on standard error which policies refused their machine. NULL,
 * after saying so, when every policy of some cell did.
 */
struct cmasim_compare_group *cli_grid_groups(const char *cmd, const struct cli_grid *g,
					     unsigned int *nr, GPtrArray *runs);
/* Prints the host time each job took, and all of them @all_us, to standard error. */
void cli_grid_timings(const char *cmd, const struct cli_grid *g, unsigned int workers,
		      gint64 all_us);

#endif

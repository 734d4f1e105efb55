/*
 * Subcommands: one file each, exporting a constant wsx_cmd. The command's
 * option groups drive both parsing and --help.
 */
#ifndef WSX_CMD_CMD_H
#define WSX_CMD_CMD_H

#include <stdbool.h>

#include "util/err.h"
#include "util/opt.h"

struct wsx_cmd {
	const char *name;			  /* "pipe" */
	const char *args;			  /* "[options] URL" */
	const char *summary;			  /* one line for `wsx help` */
	const char *description;		  /* a paragraph for --help */
	const char *examples;			  /* lines for --help */
	const struct wsx_optgroup *const *groups; /* the command's own first */
	int (*run)(const struct wsx_cmd *cmd, int argc, char **argv);
};

extern const struct wsx_cmd cmd_connect;
extern const struct wsx_cmd cmd_pipe;
extern const struct wsx_cmd cmd_relay;
extern const struct wsx_cmd cmd_serve;
extern const struct wsx_cmd cmd_bench;
extern const struct wsx_cmd cmd_check;
/* Every subcommand, NULL-terminated, in `wsx help` order. */
extern const struct wsx_cmd *const wsx_cmds[];

const struct wsx_cmd *wsx_cmd_find(const char *name);
/* For "did you mean": a unique prefix match, else the nearest within 2. */
const struct wsx_cmd *wsx_cmd_suggest(const char *name);

/* -h, -v, -q and the hidden --list-options: every command has them. */
struct cmd_common {
	bool help;
	bool list_options;
	int verbose;
	int quiet;
};
extern const struct wsx_optgroup cmd_common_group;

/*
 * What every command does once its options are parsed: print --help or
 * --list-options if asked for (true: the command is done, exit 0), else
 * set the log level from -v and -q.
 */
bool cmd_common_done(const struct wsx_cmd *cmd,
		     const struct cmd_common *common);
/*
 * Parse argv into targets (one per group). Returns the index of the first
 * operand; or -1 with *status set: 0 after --help/--list-options were
 * printed, 2 after a usage error was reported.
 */
int cmd_parse(const struct wsx_cmd *cmd, int argc, char **argv,
	      void *const *targets, struct cmd_common *common, int *status);
/*
 * cmd_parse() for a command that takes exactly one URL: returns its index,
 * or -1 with *status set as cmd_parse() does (2 for no URL or more).
 */
int cmd_parse_url(const struct wsx_cmd *cmd, int argc, char **argv,
		  void *const *targets, struct cmd_common *common, int *status);
void cmd_print_help(const struct wsx_cmd *cmd, FILE *out);
/* Report err as "wsx CMD: ..." and return its exit status. */
int cmd_fail(const struct wsx_cmd *cmd, const struct wsx_err *err);
/* Usage error: "wsx CMD: <msg> (see 'wsx CMD --help')", returns 2. */
int cmd_usage(const struct wsx_cmd *cmd, const char *fmt, ...) WSX_PRINTF(2, 3);

#endif

/*
 * Option tables. Each owner (client and server options in proto/, framing in
 * io/, a subcommand's own in cmd/) declares a group: its options and a
 * function that stores a parsed value into the owner's struct. A command
 * joins its groups into one getopt_long table; the same tables print --help
 * and the hidden --list-options that completions and doc checks read.
 */
#ifndef WSX_UTIL_OPT_H
#define WSX_UTIL_OPT_H

#include <stdio.h>

#include "util/err.h"

/* Keys of options without a short letter; one range per owner. */
enum {
	WSX_OPTKEY_COMMON = 0x100,
	WSX_OPTKEY_CLIENT = 0x200,
	WSX_OPTKEY_SERVER = 0x300,
	WSX_OPTKEY_FRAMING = 0x400,
	WSX_OPTKEY_CMD = 0x500,
};

struct wsx_opt {
	int key;	  /* short letter, or a WSX_OPTKEY_* based id */
	const char *name; /* long name without "--" */
	const char *arg;  /* shown as --name=ARG; NULL for a flag */
	const char *help; /* one line; NULL hides the option from --help */
};

struct wsx_optgroup {
	const char *title;	    /* "Client options" */
	const struct wsx_opt *opts; /* ends with a zeroed entry */
	/* Store the option's value into target; -1 with err on a bad value. */
	int (*set)(void *target, const struct wsx_opt *opt, const char *arg,
		   struct wsx_err *err);
	/*
	 * A command can take another owner's group without some of its
	 * options (which would clash with its own): base is that group (its
	 * opts and set are used), except the long names left out.
	 */
	const struct wsx_optgroup *base;
	const char *const *except; /* NULL-terminated */
};

/*
 * Parse argv against groups (NULL-terminated) with targets[i] for groups[i].
 * Returns the index of the first operand, or -1 with err (exit 2) naming the
 * bad option. prog ("wsx pipe") prefixes nothing: the caller prints err.
 */
int wsx_opt_parse(int argc, char **argv,
		  const struct wsx_optgroup *const *groups,
		  void *const *targets, struct wsx_err *err);

/* Print every group's options as --help lines, wrapped to 80 columns. */
void wsx_opt_print_help(FILE *out, const struct wsx_optgroup *const *groups);
/* Print every option, visible or not, one per line: "-x --name ARG". */
void wsx_opt_print_list(FILE *out, const struct wsx_optgroup *const *groups);

#endif

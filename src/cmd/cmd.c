/* The subcommand table and what every subcommand shares: -h, -v, -q. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/log.h"

const struct wsx_cmd *const wsx_cmds[] = {
	&cmd_bench, &cmd_check, &cmd_connect, &cmd_pipe, &cmd_relay, &cmd_serve, NULL,
};

const struct wsx_cmd *
wsx_cmd_find(const char *name)
{
	for (size_t i = 0; wsx_cmds[i]; i++)
		if (!strcmp(wsx_cmds[i]->name, name))
			return wsx_cmds[i];
	return NULL;
}

/* Optimal string alignment distance: edits plus swaps of neighbours. */
static size_t
cmd_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[32][32];

	if (la >= 32 || lb >= 32)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/*
 * A unique command name that starts with name, else the one nearest within
 * two edits; NULL when there is none or a tie. Only a suggestion: like git,
 * and unlike tmux, wsx never runs a command it was not given by name.
 */
const struct wsx_cmd *
wsx_cmd_suggest(const char *name)
{
	const struct wsx_cmd *found = NULL;
	size_t n = strlen(name), best = 3;
	bool tie = false;

	for (size_t i = 0; n && wsx_cmds[i]; i++)
		if (!strncmp(wsx_cmds[i]->name, name, n)) {
			if (found)
				return NULL;
			found = wsx_cmds[i];
		}
	if (found)
		return found;
	for (size_t i = 0; wsx_cmds[i]; i++) {
		size_t d = cmd_distance(name, wsx_cmds[i]->name);

		if (d < best) {
			best = d;
			found = wsx_cmds[i];
			tie = false;
		} else if (d == best && found) {
			tie = true;
		}
	}
	return tie ? NULL : found;
}

enum {
	OPT_LIST_OPTIONS = WSX_OPTKEY_COMMON,
};

static const struct wsx_opt common_opts[] = {
	{ 'v', "verbose", NULL, "say more on stderr (repeatable)" },
	{ 'q', "quiet", NULL, "only errors on stderr" },
	{ 'h', "help", NULL, "show this help" },
	{ OPT_LIST_OPTIONS, "list-options", NULL, NULL },
	{ 0 },
};

static int
common_set(void *target, const struct wsx_opt *opt, const char *arg,
	   struct wsx_err *err)
{
	struct cmd_common *c = target;

	(void)arg;
	(void)err;
	switch (opt->key) {
	case 'v':
		c->verbose++;
		break;
	case 'q':
		c->quiet++;
		break;
	case 'h':
		c->help = true;
		break;
	case OPT_LIST_OPTIONS:
		c->list_options = true;
		break;
	}
	return 0;
}

const struct wsx_optgroup cmd_common_group = {
	.title = "Common options",
	.opts = common_opts,
	.set = common_set,
};

void
cmd_print_help(const struct wsx_cmd *cmd, FILE *out)
{
	fprintf(out, "Usage: wsx %s %s\n\n%s\n", cmd->name, cmd->args,
		cmd->description);
	wsx_opt_print_help(out, cmd->groups);
	if (cmd->examples)
		fprintf(out, "\nExamples:\n%s", cmd->examples);
	fprintf(out, "\nSee wsx-%s(1) for the exit statuses and more.\n",
		cmd->name);
}

int
cmd_fail(const struct wsx_cmd *cmd, const struct wsx_err *err)
{
	(void)cmd;
	wsx_error("%s", err->msg);
	return err->code;
}

int
cmd_usage(const struct wsx_cmd *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "wsx: %s (see 'wsx %s --help')\n", msg, cmd->name);
	return WSX_EXIT_USAGE;
}

bool
cmd_common_done(const struct wsx_cmd *cmd, const struct cmd_common *common)
{
	if (common->help)
		cmd_print_help(cmd, stdout);
	else if (common->list_options)
		wsx_opt_print_list(stdout, cmd->groups);
	else
		wsx_log_set_level(common->quiet ? WSX_LOG_ERROR
						: common->verbose);
	return common->help || common->list_options;
}

int
cmd_parse(const struct wsx_cmd *cmd, int argc, char **argv,
	  void *const *targets, struct cmd_common *common, int *status)
{
	struct wsx_err err;
	int first;

	first = wsx_opt_parse(argc, argv, cmd->groups, targets, &err);
	if (first < 0) {
		*status = cmd_usage(cmd, "%s", err.msg);
		return -1;
	}
	if (cmd_common_done(cmd, common)) {
		*status = WSX_EXIT_OK;
		return -1;
	}
	return first;
}

int
cmd_parse_url(const struct wsx_cmd *cmd, int argc, char **argv,
	      void *const *targets, struct cmd_common *common, int *status)
{
	int first = cmd_parse(cmd, argc, argv, targets, common, status);

	if (first < 0 || argc - first == 1)
		return first;
	*status = cmd_usage(cmd, argc == first ? "missing URL"
					       : "too many arguments");
	return -1;
}

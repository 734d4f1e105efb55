/*
 * wsx: a command-line WebSocket toolkit. Dispatches `wsx SUBCMD ...` and
 * links named wsx-SUBCMD through the one table in cmd/cmd.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "proto/version.h"
#include "util/err.h"

static void
main_usage(FILE *out)
{
	fprintf(out,
		"Usage: wsx [--version] [--help] COMMAND [options] [args]\n\n"
		"A command-line WebSocket toolkit. Commands:\n");
	for (size_t i = 0; wsx_cmds[i]; i++)
		fprintf(out, "  %-10s %s\n", wsx_cmds[i]->name,
			wsx_cmds[i]->summary);
	fprintf(out, "\n'wsx help COMMAND' or 'wsx COMMAND --help' shows a "
		     "command's options.\n");
}

static int
main_version(void)
{
	printf("wsx %s\nlibwebsockets %s\n%s\n", PACKAGE_VERSION,
	       wsx_lws_version(), wsx_openssl_version());
	return WSX_EXIT_OK;
}

/*
 * On a terminal, `wsx help CMD` shows the man page wsx-CMD, as `git help`
 * does, when man finds it installed (`man -w` succeeds). Returns only when it
 * did not: not a terminal, no man, no page, so --help is printed instead.
 */
static void
main_try_man(const char *name)
{
	char page[64];
	pid_t pid;
	int status, fd;

	if (!isatty(STDOUT_FILENO))
		return;
	snprintf(page, sizeof(page), "wsx-%s", name);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execlp("man", "man", "-w", page, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return;
	fflush(stdout);
	execlp("man", "man", page, (char *)NULL);
}

static int
main_help(int argc, char **argv)
{
	const struct wsx_cmd *cmd;

	if (argc < 2) {
		main_usage(stdout);
		return WSX_EXIT_OK;
	}
	cmd = wsx_cmd_find(argv[1]);
	if (!cmd) {
		fprintf(stderr,
			"wsx: no help for '%s': not a wsx command (see 'wsx help')\n",
			argv[1]);
		return WSX_EXIT_USAGE;
	}
	main_try_man(cmd->name);
	cmd_print_help(cmd, stdout);
	return WSX_EXIT_OK;
}

int
main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	const struct wsx_cmd *cmd;

	base = base ? base + 1 : argv[0];
	if (!strncmp(base, "wsx-", 4)) {
		cmd = wsx_cmd_find(base + 4);
		if (cmd)
			return cmd->run(cmd, argc, argv);
	}
	if (argc < 2) {
		main_usage(stderr);
		return WSX_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))
		return main_version();
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return main_help(1, argv);
	if (!strcmp(argv[1], "help"))
		return main_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--list-commands")) {
		/* for shell completion, like each command's --list-options */
		for (size_t i = 0; wsx_cmds[i]; i++)
			printf("%s\n", wsx_cmds[i]->name);
		return WSX_EXIT_OK;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "wsx: unknown option '%s' (see 'wsx --help')\n",
			argv[1]);
		return WSX_EXIT_USAGE;
	}
	cmd = wsx_cmd_find(argv[1]);
	if (!cmd) {
		fprintf(stderr,
			"wsx: '%s' is not a wsx command (see 'wsx help')\n",
			argv[1]);
		return WSX_EXIT_USAGE;
	}
	return cmd->run(cmd, argc - 1, argv + 1);
}

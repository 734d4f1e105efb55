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
#if HAVE_HIREDIS
#include <hiredis/hiredis.h>
#endif

#include "cmd/cmd.h"
#include "proto/version.h"
#include "util/err.h"
#include "util/url.h"

static void
main_usage(FILE *out)
{
	fprintf(out,
		"Usage: wsx [--version] [--help] COMMAND [options] [args]\n"
		"       wsx URL [options]   (connect on a terminal, else pipe)\n\n"
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
#if HAVE_HIREDIS
	printf("hiredis %d.%d.%d (serve --redis)\n", HIREDIS_MAJOR,
	       HIREDIS_MINOR, HIREDIS_PATCH);
#else
	printf("hiredis: none (built --without-redis)\n");
#endif
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

/* "wsx: 'conect' is not a wsx command. Did you mean 'connect'?" */
static int
main_not_a_command(const char *name)
{
	const struct wsx_cmd *near = wsx_cmd_suggest(name);
	char shown[64];

	snprintf(shown, sizeof(shown), "%s", name);
	for (char *p = shown; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (near)
		fprintf(stderr,
			"wsx: '%s' is not a wsx command. Did you mean '%s'?\n",
			shown, near->name);
	else
		fprintf(stderr,
			"wsx: '%s' is not a wsx command (see 'wsx help')\n",
			shown);
	return WSX_EXIT_USAGE;
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
	if (!cmd)
		return main_not_a_command(argv[1]);
	main_try_man(cmd->name);
	cmd_print_help(cmd, stdout);
	return WSX_EXIT_OK;
}

/*
 * `wsx URL [options]`, websocat's habit: connect on a terminal, else pipe.
 * The URL goes last, so options after it reach the command as if written
 * before it.
 */
static int
main_url(int argc, char **argv)
{
	const struct wsx_cmd *cmd =
		isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) ? &cmd_connect
							      : &cmd_pipe;
	char *url = argv[1];

	/* argv[1..argc-1] becomes CMD options... URL: argv[0] is the name */
	memmove(&argv[1], &argv[2], (size_t)(argc - 2) * sizeof(char *));
	argv[argc - 1] = url;
	argv[0] = (char *)cmd->name;
	return cmd->run(cmd, argc, argv);
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
	if (!cmd && wsx_url_has_scheme(argv[1]))
		return main_url(argc, argv);
	if (!cmd)
		return main_not_a_command(argv[1]);
	return cmd->run(cmd, argc - 1, argv + 1);
}

/* Option tables joined into getopt_long, and --help from the same tables. */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "util/opt.h"
#include "util/xalloc.h"

static const struct wsx_opt *
opt_list(const struct wsx_optgroup *g)
{
	return g->base ? g->base->opts : g->opts;
}

static bool
opt_skipped(const struct wsx_optgroup *g, const struct wsx_opt *o)
{
	for (size_t i = 0; g->except && g->except[i]; i++)
		if (!strcmp(g->except[i], o->name))
			return true;
	return false;
}

static size_t
opt_count(const struct wsx_optgroup *const *groups)
{
	size_t n = 0;

	for (size_t g = 0; groups[g]; g++)
		for (const struct wsx_opt *o = opt_list(groups[g]); o->name;
		     o++)
			n += !opt_skipped(groups[g], o);
	return n;
}

static int
opt_find(const struct wsx_optgroup *const *groups, int key, size_t *group,
	 const struct wsx_opt **opt)
{
	for (size_t g = 0; groups[g]; g++)
		for (const struct wsx_opt *o = opt_list(groups[g]); o->name;
		     o++)
			if (o->key == key && !opt_skipped(groups[g], o)) {
				*group = g;
				*opt = o;
				return 0;
			}
	return -1;
}

int
wsx_opt_parse(int argc, char **argv, const struct wsx_optgroup *const *groups,
	      void *const *targets, struct wsx_err *err)
{
	size_t n = opt_count(groups), i = 0;
	struct option *longopts = xcalloc(n + 1, sizeof(*longopts));
	char *shortopts = xcalloc(1, 3 * n + 2);
	char *sp = shortopts;
	int c, ret = -1;

	*sp++ = ':'; /* report a missing argument as ':' */
	for (size_t g = 0; groups[g]; g++) {
		for (const struct wsx_opt *o = opt_list(groups[g]); o->name;
		     o++) {
			if (opt_skipped(groups[g], o))
				continue;
			longopts[i].name = o->name;
			longopts[i].has_arg =
				o->arg ? required_argument : no_argument;
			longopts[i].val = o->key;
			i++;
			if (o->key < 0x100) {
				*sp++ = (char)o->key;
				if (o->arg)
					*sp++ = ':';
			}
		}
	}

	optind = 0; /* full reinitialisation of getopt */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct wsx_opt *o;
		size_t g;

		if (c == '?' || c == ':') {
			const char *what = argv[optind - 1];
			char shortname[3] = { '-', (char)optopt, '\0' };

			/* for a bundled short option argv holds the bundle */
			if (optopt && optopt < 0x100 &&
			    (strncmp(what, "--", 2) || !what[2]))
				what = shortname;
			if (c == '?')
				wsx_err_set(err, WSX_EXIT_USAGE,
					    "unknown option '%s'", what);
			else
				wsx_err_set(err, WSX_EXIT_USAGE,
					    "option '%s' needs a value", what);
			goto out;
		}
		if (opt_find(groups, c, &g, &o)) {
			wsx_err_set(err, WSX_EXIT_USAGE, "unhandled option");
			goto out;
		}
		if ((groups[g]->base ? groups[g]->base : groups[g])
			    ->set(targets[g], o, optarg, err))
			goto out;
	}
	ret = optind;
out:
	free(longopts);
	free(shortopts);
	return ret;
}

static void
opt_print_one(FILE *out, const struct wsx_opt *o)
{
	char lhs[64];
	int n;

	if (o->key < 0x100)
		n = snprintf(lhs, sizeof(lhs), "  -%c, --%s%s%s", o->key,
			     o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	else
		n = snprintf(lhs, sizeof(lhs), "      --%s%s%s", o->name,
			     o->arg ? " " : "", o->arg ? o->arg : "");
	if (n < 30)
		fprintf(out, "%-30s%s\n", lhs, o->help);
	else
		fprintf(out, "%s\n%-30s%s\n", lhs, "", o->help);
}

void
wsx_opt_print_help(FILE *out, const struct wsx_optgroup *const *groups)
{
	for (size_t g = 0; groups[g]; g++) {
		fprintf(out, "\n%s:\n", groups[g]->title);
		for (const struct wsx_opt *o = opt_list(groups[g]); o->name;
		     o++)
			if (o->help && !opt_skipped(groups[g], o))
				opt_print_one(out, o);
	}
}

void
wsx_opt_print_list(FILE *out, const struct wsx_optgroup *const *groups)
{
	for (size_t g = 0; groups[g]; g++)
		for (const struct wsx_opt *o = opt_list(groups[g]); o->name;
		     o++) {
			if (!o->help || opt_skipped(groups[g], o))
				continue;
			if (o->key < 0x100)
				fprintf(out, "-%c ", o->key);
			fprintf(out, "--%s%s%s\n", o->name, o->arg ? " " : "",
				o->arg ? o->arg : "");
		}
}

/*
 * Fuzz wsx relay's setup (cmd/relay.h): whole `relay [options] A B` command
 * lines, each also as `relay [options] B A`, go through everything the
 * relay does before it opens a side: options, specs, the checks that they
 * go together, which side listens, and the URL each ws:// side that would
 * be opened connects to. Any line is refused with an exit-2 message or
 * gives sides that can be opened: no listener upstream, never '-' twice, a
 * framing mode, and a ws:// side's URL its own.
 *
 * Input: byte 0 picks a prefix for A (byte % 13) and for B (byte / 13 %
 * 13) from the kinds below, the last being none; the rest, split at
 * newlines and NULs, is the options followed by what goes after A's and
 * B's prefixes (the last two words).
 */
#include "config.h"

#include <string.h>

#include "cmd/relay.h"
#include "fuzz.h"
#include "util/xalloc.h"

#define FUZZ_MAX_WORDS 32

static const char *const fuzz_prefixes[] = {
	"ws://", "wss://",  "ws+unix:", "ws-l:", "wss-l:", "tcp:", "tcp-l:",
	"unix:", "unix-l:", "exec:",	"sh:",	 "-",	   "",
};
#define FUZZ_N_PREFIXES (sizeof(fuzz_prefixes) / sizeof(fuzz_prefixes[0]))

/* The URL a ws:// spec connects to starts with the spec's own URL. */
static void
fuzz_check_url(const struct relay_setup *s, const struct wsx_spec *sp,
	       const char *path)
{
	char *url = relay_setup_url(s, sp, path);
	size_t n = strlen(sp->url);

	if (n && sp->url[n - 1] == '/' && path)
		n--; /* --forward-path puts the path in place of the '/' */
	FUZZ_ASSERT(url && !strncmp(url, sp->url, n));
	free(url);
}

/* What relay.c opens after a setup that passed, and with what. */
static void
fuzz_check_sides(const struct relay_setup *s)
{
	bool listens = relay_setup_listens(s);

	FUZZ_ASSERT(!wsx_spec_listens(&s->spec[1]));
	FUZZ_ASSERT(s->spec[0].kind != WSX_SPEC_STDIO ||
		    s->spec[1].kind != WSX_SPEC_STDIO);
	FUZZ_ASSERT(s->sopts.framing.mode >= WSX_FRAMING_LINES &&
		    s->sopts.framing.mode <= WSX_FRAMING_JSONL);
	/* a listener opens spec[1] per client, else both open at once */
	for (int i = listens; i < 2; i++) {
		const struct wsx_spec *sp = &s->spec[i];

		FUZZ_ASSERT(sp->text && sp->text[0]);
		if (sp->kind == WSX_SPEC_WS) {
			fuzz_check_url(s, sp, NULL);
			if (listens)
				fuzz_check_url(s, sp, "/room?x=1");
		}
		if (sp->kind == WSX_SPEC_EXEC)
			FUZZ_ASSERT(sp->argv && sp->argv[0]);
	}
}

/* Set up `relay WORDS...` from copies (getopt permutes, --user scrubs). */
static void
fuzz_relay(char *const *words, int n)
{
	char *argv[FUZZ_MAX_WORDS + 2];
	struct relay_setup s;
	struct wsx_err err = { 0, "" };
	int argc = 0, rc;

	argv[argc++] = xstrdup("relay");
	for (int i = 0; i < n; i++)
		argv[argc++] = xstrdup(words[i]);
	argv[argc] = NULL;
	relay_setup_init(&s);
	rc = relay_setup_parse(&s, argc, argv, &err);
	if (rc < 0)
		FUZZ_ASSERT(err.code == WSX_EXIT_USAGE && err.msg[0]);
	else if (rc == 0)
		fuzz_check_sides(&s);
	else
		FUZZ_ASSERT(s.common.help || s.common.list_options);
	relay_setup_release(&s);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
}

/* Split text at newlines into at most max words, in place. */
static int
fuzz_split(char *text, char **words, int max)
{
	int n = 0;

	for (char *p = text; n < max;) {
		words[n++] = p;
		p += strcspn(p, "\n");
		if (!*p)
			break;
		*p++ = '\0';
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char none[1];
	char *text, *words[FUZZ_MAX_WORDS], *a, *b;
	const char *pa, *pb;
	int n;

	if (size < 1)
		return 0;
	pa = fuzz_prefixes[data[0] % FUZZ_N_PREFIXES];
	pb = fuzz_prefixes[data[0] / FUZZ_N_PREFIXES % FUZZ_N_PREFIXES];
	text = xmalloc(size);
	for (size_t i = 1; i < size; i++) /* a NUL separates words too */
		text[i - 1] = data[i] ? (char)data[i] : '\n';
	text[size - 1] = '\0';
	n = fuzz_split(text, words, FUZZ_MAX_WORDS - 2);
	while (n < 2)
		words[n++] = none;
	a = xmalloc(strlen(pa) + strlen(words[n - 2]) + 1);
	b = xmalloc(strlen(pb) + strlen(words[n - 1]) + 1);
	strcat(strcpy(a, pa), words[n - 2]);
	strcat(strcpy(b, pb), words[n - 1]);
	words[n - 2] = a;
	words[n - 1] = b;
	fuzz_relay(words, n);
	words[n - 2] = b;
	words[n - 1] = a;
	fuzz_relay(words, n);
	free(a);
	free(b);
	free(text);
	return 0;
}

/*
 * Slash commands of the interactive session: the table (for /help and tab
 * completion) and a parser that turns a typed line into what to do. Pure:
 * nothing here sends or prints.
 */
#ifndef WSX_TERM_SLASH_H
#define WSX_TERM_SLASH_H

#include <stddef.h>

enum slash_kind {
	SLASH_SEND, /* a text message: the line, or "//x" sent as "/x" */
	SLASH_PING,
	SLASH_PONG,
	SLASH_CLOSE,
	SLASH_BINARY,
	SLASH_FILE,
	SLASH_JSON,
	SLASH_HEX,
	SLASH_TIMESTAMPS,
	SLASH_QUIET,
	SLASH_HELP,
	SLASH_ERROR, /* msg says what was wrong; nothing is to be sent */
};

struct slash_info {
	const char *name; /* "/ping" */
	const char *args; /* "[DATA]" or "" */
	const char *help; /* one line */
	enum slash_kind kind;
};

/* Every command, ending with a zeroed entry. */
extern const struct slash_info slash_commands[];

struct slash_cmd {
	enum slash_kind kind;
	const char *text; /* SEND, PING, PONG data, FILE path, CLOSE reason */
	size_t len;	  /* of text; points into the parsed line (FILE: path) */
	int code;	  /* CLOSE */
	int toggle;	  /* JSON HEX TIMESTAMPS QUIET: 1 on, 0 off, -1 flip */
	unsigned char *bytes; /* BINARY, malloc'd */
	size_t n_bytes;
	char *path;    /* FILE: as typed, trailing blanks dropped; malloc'd */
	char msg[200]; /* ERROR: one line, no "wsx: " prefix */
};

/* Parse line into c; returns c->kind. Release c afterwards. */
enum slash_kind slash_parse(const char *line, struct slash_cmd *c);
void slash_cmd_release(struct slash_cmd *c);
/* A close code a client may send: 1000-1003, 1007-1014, 3000-4999. */
int slash_close_code_ok(long code);
/* Hex digits to bytes; spaces, ':' and "0x" prefixes may separate bytes.
 * Returns the byte count, or -1 with *bad_at the offset of the bad char. */
long slash_hex_decode(unsigned char *out, const char *s, size_t *bad_at);

#endif

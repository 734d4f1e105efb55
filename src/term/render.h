/*
 * How messages look in an interactive session: text with control characters
 * escaped, JSON re-indented and coloured by token kind, binary as a hex dump
 * (offset, hex, ASCII). Pure functions appending to a buffer; no terminal.
 */
#ifndef WSX_TERM_RENDER_H
#define WSX_TERM_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* SGR sequences used for each token kind, or "" without colour. */
#define RENDER_C_KEY	"\033[34m"
#define RENDER_C_STRING "\033[32m"
#define RENDER_C_NUMBER "\033[36m"
#define RENDER_C_WORD	"\033[35m" /* true, false, null */
#define RENDER_C_ESCAPE "\033[2m"  /* an escaped control character */
#define RENDER_C_RESET	"\033[0m"

/*
 * Text as is, except: control characters (but tab), DEL and C1 controls become
 * \xNN (dimmed with colour); a newline starts a new line that begins with
 * indent.
 */
void render_text(struct wsx_buf *out, const unsigned char *s, size_t len,
		 bool colour, const char *indent);
/*
 * A JSON object or array (checked with cJSON) re-indented by two spaces, each
 * line after the first starting with indent; numbers and strings are copied
 * from the input exactly. false (nothing appended) when s is not one.
 */
bool render_json(struct wsx_buf *out, const char *s, size_t len, bool colour,
		 const char *indent);
/*
 * 16 bytes a line: "00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a ...
 * |Hello world.|", lines after the first starting with indent, no final
 * newline. An empty message gives "(empty)".
 */
void render_hexdump(struct wsx_buf *out, const unsigned char *d, size_t len,
		    const char *indent);

#endif

/* Standard base64 (RFC 4648, with padding) for --base64 framing and JSON lines.
 */
#ifndef WSX_UTIL_BASE64_H
#define WSX_UTIL_BASE64_H

#include <stddef.h>

/* Bytes needed to encode n bytes, without a terminating NUL. */
size_t wsx_base64_encoded_len(size_t n);
/* Encode n bytes into out (room for wsx_base64_encoded_len(n)); returns length.
 */
size_t wsx_base64_encode(char *out, const void *in, size_t n);
/*
 * Decode n characters into out (room for n / 4 * 3 + 3). Whitespace is not
 * allowed; padding is optional. Returns the decoded length, or -1 on bad input.
 */
long wsx_base64_decode(void *out, const char *in, size_t n);

#endif

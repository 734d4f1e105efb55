/* The case functions of wsx check, shared by its case files and table. */
#ifndef WSX_CHECK_CASES_INT_H
#define WSX_CHECK_CASES_INT_H

#include "check/run.h"

#define CASE(name) void name(struct chk_ctx *x, const struct chk_case *k)

/* cases_frame.c */
CASE(hs_request);
CASE(fr_len);
CASE(fr_chunked);
CASE(fr_nonminimal);
CASE(fr_topbit);
CASE(fr_unmasked);
CASE(fr_bytewise);
CASE(ping_echo);
CASE(ping_bytewise);
CASE(ping_too_long);
CASE(pong_unsolicited);
CASE(pong_then_ping);
CASE(ping_ten);
CASE(bad_first_byte);
CASE(bad_after_echo);
CASE(frag_text);
CASE(frag_ping_between);
CASE(frag_bytes);
CASE(frag_empty);
CASE(frag_bad);
CASE(frag_close_between);

/* cases_text.c */
CASE(utf8_valid);
CASE(utf8_invalid);
CASE(utf8_split);
CASE(utf8_frags);
CASE(utf8_fail_fast);
CASE(utf8_fail_fast_frame);
CASE(close_code);
CASE(close_raw);
CASE(close_then);
CASE(close_after_echo);
CASE(close_bad_code);
CASE(limit_size);

/* cases_deflate.c */
CASE(dfl_negotiate);
CASE(dfl_decline);
CASE(dfl_echo);
CASE(dfl_plain);
CASE(dfl_ten);
CASE(dfl_bad);

/* Fill len bytes with a pattern (text-safe when text). */
void chk_pattern(unsigned char *p, size_t len, bool text);
/* Sleep ms milliseconds, never past the case's deadline. */
void chk_pause(struct chk_ctx *x, unsigned ms);

#endif

/* Allocation that aborts on out-of-memory: the one place wsx gives up. */
#ifndef WSX_UTIL_XALLOC_H
#define WSX_UTIL_XALLOC_H

#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* The first n bytes of s, all of which must be there (not strndup). */
char *xstrndup(const char *s, size_t n);

#endif

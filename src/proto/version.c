/* Library versions; see version.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "proto/internal.h"
#include "proto/version.h"

/* "4.1.6-" or "4.1.6-v4.1.6-3-gabc": drop the empty git part's dash */
const char *
wsx_lws_version(void)
{
	static char v[64];
	size_t n;

	snprintf(v, sizeof(v), "%s", lws_get_library_version());
	n = strlen(v);
	if (n && v[n - 1] == '-')
		v[n - 1] = '\0';
	return v;
}

const char *
wsx_openssl_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

/* Library versions; see version.h. */
#include "config.h"

#include <openssl/crypto.h>

#include "proto/internal.h"
#include "proto/version.h"

const char *
wsx_lws_version(void)
{
	return lws_get_library_version();
}

const char *
wsx_openssl_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

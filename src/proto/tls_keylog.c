/*
 * SSLKEYLOGFILE: every TLS session's secrets, in the NSS key log format
 * that Wireshark reads to decrypt a capture, appended to the file the
 * environment names, as curl, Firefox and Chrome do; see tls.h.
 *
 * The file is the one process-wide state of the TLS module: opened once,
 * on the first context made, and kept open until the process ends. Each
 * line goes out in one write() on an O_APPEND descriptor, so the sessions
 * of many threads (bench) and of other processes writing the same file do
 * not interleave their lines.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "proto/tls_int.h"
#include "util/log.h"
#include "util/xalloc.h"

static pthread_once_t keylog_once = PTHREAD_ONCE_INIT;
static int keylog_fd = -1;

static void
keylog_open(void)
{
	const char *path = getenv("SSLKEYLOGFILE");
	char shown[256];

	if (!path || !*path)
		return;
	wsx_printable(shown, sizeof(shown), path, strlen(path));
	/* the secrets are the session's plaintext: for our user alone */
	keylog_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (keylog_fd < 0)
		wsx_notice("SSLKEYLOGFILE: cannot open '%s': %s; TLS keys are "
			   "not logged",
			   shown, strerror(errno));
	else
		wsx_info("* TLS keys logged to %s (SSLKEYLOGFILE)", shown);
}

/* A line from OpenSSL, "LABEL CLIENT_RANDOM SECRET" in hex, no newline. */
static void
keylog_line(const SSL *ssl, const char *line)
{
	char small[512], *buf = small;
	size_t n = strlen(line);
	ssize_t w;

	(void)ssl;
	if (n + 1 > sizeof(small))
		buf = xmalloc(n + 1);
	memcpy(buf, line, n);
	buf[n] = '\n';
	/* one write: the line is whole in the file or not at all */
	w = write(keylog_fd, buf, n + 1);
	(void)w;
	if (buf != small)
		free(buf);
}

void
wsx_tls_keylog_attach(SSL_CTX *ssl)
{
	pthread_once(&keylog_once, keylog_open);
	if (keylog_fd >= 0)
		SSL_CTX_set_keylog_callback(ssl, keylog_line);
}

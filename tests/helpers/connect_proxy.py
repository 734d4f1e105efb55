#!/usr/bin/python3
"""A tiny HTTP CONNECT proxy (stdlib only) for the `wsx connect` suite.

  connect_proxy.py [--user U --password P] [--deny] [--timeout SECS]
                   [--cert FILE --key FILE]

Binds 127.0.0.1 on port 0, prints "listening on ws://127.0.0.1:PORT" like
the other test servers, logs "CONNECT HOST:PORT" per tunnel, and tunnels
only to loopback addresses (anything else gets 403).
--user/--password: Basic credentials are required (RFC 7617); a request
without them, or with others, gets 407 with Proxy-Authenticate: Basic, and
a line "auth: none" or "auth: bad USER" is logged ("auth: ok USER" when
they match). --deny: every CONNECT gets 403 Forbidden.
--timeout: exit after SECS with no tunnel open (default: never).
--cert/--key: an https:// proxy: every accepted connection speaks TLS with
this certificate first, and the CONNECT request comes inside it (the
"listening on" line is the same).
SIGTERM or SIGINT: exit 0.
"""
import argparse
import asyncio
import base64
import binascii
import signal
import ssl
import sys
import time

LOOPBACK = {"127.0.0.1", "::1", "localhost", "[::1]"}


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


ARGS = None
ACTIVE = 0
LAST = time.monotonic()


def credentials(lines):
    """(user, password) from a Proxy-Authorization: Basic field, else None."""
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip().lower() != "proxy-authorization":
            continue
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(
                token.strip(), validate=True).decode("latin-1").partition(":")
        except (binascii.Error, ValueError):
            return None
        return user, password
    return None


async def handle(reader, writer):
    global ACTIVE, LAST
    ACTIVE += 1
    try:
        await serve(reader, writer)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError,
            ConnectionError):
        pass
    finally:
        ACTIVE -= 1
        LAST = time.monotonic()


async def serve(reader, writer):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split()
    if len(parts) < 2 or parts[0] != "CONNECT":
        writer.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
        writer.close()
        return
    host, _, port = parts[1].rpartition(":")
    print("CONNECT %s" % parts[1], flush=True)
    if ARGS.user is not None:
        cred = credentials(lines[1:])
        if cred != (ARGS.user, ARGS.password):
            print("auth: " + ("bad " + cred[0] if cred else "none"),
                  flush=True)
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                         b"Proxy-Authenticate: Basic realm=\"wsx-test\"\r\n"
                         b"Content-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        print("auth: ok " + cred[0], flush=True)
    if ARGS.deny or host not in LOOPBACK:
        writer.write(b"HTTP/1.1 403 Forbidden\r\n\r\n")
        writer.close()
        return
    try:
        r2, w2 = await asyncio.open_connection(host.strip("[]"), int(port))
    except OSError:
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
        writer.close()
        return
    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await writer.drain()
    await asyncio.gather(pipe(reader, w2), pipe(r2, writer))


async def main():
    tls = None
    if ARGS.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(ARGS.cert, ARGS.key)
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=tls)
    print("listening on ws://127.0.0.1:%d" % server.sockets[0].getsockname()[1],
          flush=True)
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    while not stop.done():
        await asyncio.wait([stop], timeout=0.1)
        if (ARGS.timeout is not None and ACTIVE == 0 and
                time.monotonic() - LAST > ARGS.timeout):
            break
    server.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description="an HTTP CONNECT proxy for tests")
    p.add_argument("--user", help="require Basic credentials with this user")
    p.add_argument("--password", default="", help="and this password")
    p.add_argument("--deny", action="store_true",
                   help="answer every CONNECT with 403 Forbidden")
    p.add_argument("--timeout", type=float,
                   help="exit after this many idle seconds")
    p.add_argument("--cert", help="speak TLS with this certificate (PEM)")
    p.add_argument("--key", help="the private key of --cert (PEM)")
    ARGS = p.parse_args()
    if bool(ARGS.cert) != bool(ARGS.key):
        p.error("--cert and --key go together")
    asyncio.run(main())
    sys.exit(0)

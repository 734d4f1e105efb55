#!/usr/bin/python3
"""A small SOCKS5 proxy (RFC 1928, RFC 1929; stdlib only) for the proxy tests.

  socks5_proxy.py [--user U --password P] [--deny] [--timeout SECS]

Binds 127.0.0.1 on port 0 and prints "listening on tcp://127.0.0.1:PORT" as
its first line on stdout, like the other test servers (start_server in
tests/bats/helpers.bash reads the port from it). CONNECT only; tunnels only
to loopback ("localhost" or a loopback address): anything else, and every
request with --deny, gets reply 0x02 (connection not allowed by ruleset).
With --user, only user and password (method 0x02) is accepted, and a wrong
pair is refused with status 0x01.

Each step is logged on stderr, one line each, so a test can tell socks5://
(the client sends an address) from socks5h:// (it sends the name):

  methods 00 02                      the methods the client offered
  auth alice ok | auth alice refused
  CONNECT atyp=3 localhost:8080      atyp 1 IPv4, 3 domain name, 4 IPv6
  reply 0x00 | reply 0x05 ...        what was answered

Bounded: exits 0 after --timeout seconds (default 60) with no connection
open, on SIGTERM or SIGINT; a client gets 10 s for each handshake step.
"""
import argparse
import asyncio
import errno
import ipaddress
import signal
import socket
import struct
import sys
import time

STEP_TIMEOUT = 10

REP_OK, REP_FAIL, REP_RULESET, REP_NET, REP_HOST, REP_REFUSED = 0, 1, 2, 3, 4, 5
REP_TTL, REP_CMD, REP_ATYP = 6, 7, 8


def log(*words):
    print(*words, file=sys.stderr, flush=True)


def loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def reply(writer, code, sockname=None):
    """VER REP RSV ATYP BND.ADDR BND.PORT: the bound address when there is
    one, else 0.0.0.0:0."""
    if sockname and ":" in sockname[0]:
        bnd = b"\x04" + socket.inet_pton(socket.AF_INET6, sockname[0])
    elif sockname:
        bnd = b"\x01" + socket.inet_pton(socket.AF_INET, sockname[0])
    else:
        bnd = b"\x01\x00\x00\x00\x00"
    port = sockname[1] if sockname else 0
    writer.write(b"\x05" + bytes([code]) + b"\x00" + bnd +
                 struct.pack("!H", port))
    log("reply 0x%02x" % code)


def errno_reply(e):
    return {
        errno.ECONNREFUSED: REP_REFUSED,
        errno.ENETUNREACH: REP_NET,
        errno.EHOSTUNREACH: REP_HOST,
        errno.ETIMEDOUT: REP_TTL,
    }.get(getattr(e, "errno", None), REP_FAIL)


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


class Proxy:
    def __init__(self, args):
        self.args = args
        self.active = 0
        self.last = time.monotonic()

    async def handle(self, reader, writer):
        self.active += 1
        try:
            await self.serve(reader, writer)
        except (asyncio.IncompleteReadError, asyncio.TimeoutError,
                ConnectionError) as e:
            log("dropped: %s" % type(e).__name__)
        finally:
            try:
                writer.close()
            except Exception:
                pass
            self.active -= 1
            self.last = time.monotonic()

    async def read(self, reader, n):
        return await asyncio.wait_for(reader.readexactly(n), STEP_TIMEOUT)

    async def serve(self, reader, writer):
        a = self.args
        ver, nmethods = await self.read(reader, 2)
        if ver != 5:
            log("not SOCKS5: version 0x%02x" % ver)
            return
        methods = await self.read(reader, nmethods)
        log("methods " + " ".join("%02x" % m for m in methods))
        want = 2 if a.user is not None else 0
        if want not in methods:
            writer.write(b"\x05\xff")
            log("method ff")
            await writer.drain()
            return
        writer.write(bytes([5, want]))
        await writer.drain()
        if want == 2:
            ver, ulen = await self.read(reader, 2)
            user = (await self.read(reader, ulen)).decode("latin-1")
            (plen,) = await self.read(reader, 1)
            password = (await self.read(reader, plen)).decode("latin-1")
            good = ver == 1 and user == a.user and password == a.password
            log("auth %s %s" % (user, "ok" if good else "refused"))
            writer.write(b"\x01" + (b"\x00" if good else b"\x01"))
            await writer.drain()
            if not good:
                return
        ver, cmd, _, atyp = await self.read(reader, 4)
        if atyp == 1:
            host = socket.inet_ntop(socket.AF_INET, await self.read(reader, 4))
        elif atyp == 4:
            host = socket.inet_ntop(socket.AF_INET6,
                                    await self.read(reader, 16))
        elif atyp == 3:
            (n,) = await self.read(reader, 1)
            host = (await self.read(reader, n)).decode("latin-1")
        else:
            log("atyp=%d unknown" % atyp)
            reply(writer, REP_ATYP)
            await writer.drain()
            return
        (port,) = struct.unpack("!H", await self.read(reader, 2))
        shown = "[%s]" % host if atyp == 4 else host
        log("%s atyp=%d %s:%d" % ("CONNECT" if cmd == 1 else "cmd=%d" % cmd,
                                   atyp, shown, port))
        if ver != 5 or cmd != 1:
            reply(writer, REP_CMD)
            await writer.drain()
            return
        if a.deny or not loopback(host):
            reply(writer, REP_RULESET)
            await writer.drain()
            return
        try:
            r2, w2 = await asyncio.wait_for(
                asyncio.open_connection(host, port), STEP_TIMEOUT)
        except asyncio.TimeoutError:
            reply(writer, REP_TTL)
            await writer.drain()
            return
        except OSError as e:
            reply(writer, errno_reply(e))
            await writer.drain()
            return
        reply(writer, REP_OK, w2.get_extra_info("sockname")[:2])
        await writer.drain()
        await asyncio.gather(pipe(reader, w2), pipe(r2, writer))


async def main(args):
    proxy = Proxy(args)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    print("listening on tcp://127.0.0.1:%d" %
          server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(
            sig, lambda: stop.done() or stop.set_result(None))
    while not stop.done():
        await asyncio.wait([stop], timeout=0.1)
        if proxy.active == 0 and time.monotonic() - proxy.last > args.timeout:
            log("idle for %g s: exiting" % args.timeout)
            break
    server.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description="a SOCKS5 proxy for tests")
    p.add_argument("--user", help="require this user (RFC 1929)")
    p.add_argument("--password", default="", help="and this password")
    p.add_argument("--deny", action="store_true",
                   help="answer every CONNECT with reply 0x02")
    p.add_argument("--timeout", type=float, default=60,
                   help="exit after this many idle seconds (default 60)")
    asyncio.run(main(p.parse_args()))
    sys.exit(0)

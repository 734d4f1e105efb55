#!/usr/bin/python3
"""A tiny HTTP CONNECT proxy (stdlib only) for the `wsx connect` suite.
Binds 127.0.0.1 on port 0, prints "listening on ws://127.0.0.1:PORT" like
the other test servers, logs "CONNECT HOST:PORT" per tunnel, and tunnels
only to loopback addresses (anything else gets 403).
SIGTERM or SIGINT: exit 0.
"""
import asyncio
import signal
import sys

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


async def handle(reader, writer):
    head = await reader.readuntil(b"\r\n\r\n")
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split()
    if len(parts) < 2 or parts[0] != "CONNECT":
        writer.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
        writer.close()
        return
    host, _, port = parts[1].rpartition(":")
    print("CONNECT %s" % parts[1], flush=True)
    if host not in LOOPBACK:
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
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print("listening on ws://127.0.0.1:%d" % server.sockets[0].getsockname()[1],
          flush=True)
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    await stop
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)

#!/usr/bin/python3
"""A Python `websockets` (Debian python3-websockets) server for the
`wsx connect` suite. Echoes every message unchanged and logs what it saw
on stdout, one line per event:
  "connection path=PATH auth=yes|no extensions=NAMES|-",
  "message text DATA",
  "message binary HEX", "ping DATA", "closed CODE REASON".
Binds --host (127.0.0.1) on --port (0: any free one), or --unix PATH, and
prints "listening on ws://HOST:PORT" once ready.

  --push-file PATH     when PATH appears, send its text to every client
                       and delete it (polled every 50 ms)
  --redirect FROM=TO   answer a request for path FROM with 301 Location TO
                       ({port} in TO becomes this server's port)
  --no-compress        refuse permessage-deflate
SIGTERM or SIGINT: close every client with 1001 and exit 0.
"""
import argparse
import asyncio
import http
import os
import signal
import sys

import websockets


def log(line):
    print(line, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--unix")
    p.add_argument("--push-file")
    p.add_argument("--redirect", action="append", default=[])
    p.add_argument("--no-compress", action="store_true")
    return p.parse_args()


async def main(args):
    clients = set()
    redirects = dict(r.split("=", 1) for r in args.redirect)
    auth_seen = {}

    async def process_request(path, headers):
        if path in redirects:
            log("redirect %s" % path)
            return (http.HTTPStatus.MOVED_PERMANENTLY,
                    [("Location", redirects[path].replace("{port}", str(port)))],
                    b"moved\n")
        auth_seen[path] = "Authorization" in headers
        return None

    async def handler(ws, path=None):
        path = path or getattr(ws, "path", "-")
        names = ",".join(e.name for e in ws.extensions) or "-"
        log("connection path=%s auth=%s extensions=%s"
            % (path, "yes" if auth_seen.get(path) else "no", names))
        clients.add(ws)
        try:
            async for msg in ws:
                if isinstance(msg, str):
                    log("message text %s" % msg)
                else:
                    log("message binary %s" % msg.hex())
                await ws.send(msg)
        except websockets.ConnectionClosed:
            pass
        finally:
            clients.discard(ws)
        log("closed %s %s" % (ws.close_code, ws.close_reason))

    async def pusher():
        while True:
            await asyncio.sleep(0.05)
            if args.push_file and os.path.exists(args.push_file):
                with open(args.push_file) as f:
                    text = f.read()
                os.unlink(args.push_file)
                for ws in list(clients):
                    await ws.send(text)
                log("pushed %s" % text)

    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))

    common = dict(max_size=None, process_request=process_request,
                  compression=None if args.no_compress else "deflate")
    port = 0
    if args.unix:
        server = await websockets.unix_serve(handler, args.unix, **common)
        log("listening on ws://unix:%s" % args.unix)
    else:
        server = await websockets.serve(handler, args.host, args.port, **common)
        port = server.sockets[0].getsockname()[1]
        host = "[%s]" % args.host if ":" in args.host else args.host
        log("listening on ws://%s:%d" % (host, port))
    task = asyncio.ensure_future(pusher())
    await stop
    task.cancel()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
    sys.exit(0)

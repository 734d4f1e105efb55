#!/usr/bin/python3
"""Echo server built on Python's `websockets` (Debian python3-websockets),
a peer nobody on the team wrote. Binds 127.0.0.1 on port 0 (or --port),
prints "listening on ws://127.0.0.1:PORT" once ready and echoes every
message unchanged: str stays str, bytes stays bytes.

On stdout it also logs one line per event so a test can check what the
server saw:  "connection subprotocol=NAME|-", "message text|binary N",
"closed CODE".

  --tls CERT KEY            serve wss:// with this certificate and key
  --close-with CODE REASON  on the first message, close with CODE REASON
                            instead of echoing
  --subprotocols a,b        subprotocols supported; the first one the
                            client offers that is in this list is selected
SIGTERM or SIGINT: close every client with 1001 and exit 0.
Run with /usr/bin/python3 (the interpreter python3-websockets is for).
"""
import argparse
import asyncio
import signal
import ssl
import sys

import websockets


def log(line):
    print(line, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--close-with", nargs=2, metavar=("CODE", "REASON"))
    p.add_argument("--subprotocols", default="")
    return p.parse_args()


async def main(args):
    supported = [s for s in args.subprotocols.split(",") if s]
    close_with = None
    if args.close_with:
        close_with = (int(args.close_with[0]), args.close_with[1])

    def select(client_subprotocols, server_subprotocols):
        for offered in client_subprotocols:
            if offered in server_subprotocols:
                return offered
        return None

    async def handler(ws, path=None):
        log("connection subprotocol=%s" % (ws.subprotocol or "-"))
        try:
            async for msg in ws:
                kind = "text" if isinstance(msg, str) else "binary"
                size = len(msg.encode("utf-8")) if kind == "text" else len(msg)
                log("message %s %d" % (kind, size))
                if close_with:
                    await ws.close(code=close_with[0], reason=close_with[1])
                    break
                await ws.send(msg)
        except websockets.ConnectionClosed:
            pass
        log("closed %s" % ws.close_code)

    ssl_ctx = None
    if args.tls:
        ssl_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_ctx.load_cert_chain(args.tls[0], args.tls[1])

    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))

    server = await websockets.serve(
        handler,
        args.host,
        args.port,
        ssl=ssl_ctx,
        max_size=None,
        subprotocols=supported or None,
        select_subprotocol=select if supported else None,
    )
    port = server.sockets[0].getsockname()[1]
    log("listening on %s://%s:%d" % ("wss" if ssl_ctx else "ws", args.host, port))
    await stop
    server.close()  # closes every open connection with 1001
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
    sys.exit(0)

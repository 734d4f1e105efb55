#!/usr/bin/python3
"""Echo server on Python's `websockets` with its default permessage-deflate
support, logging the extensions each connection negotiated as
"extensions NAME,NAME|-", so a test can tell whether a client offered
compression. Prints "listening on ws://127.0.0.1:PORT"; exits after 120 s.
Run with /usr/bin/python3 (the interpreter python3-websockets is for)."""
import asyncio

import websockets


async def echo(ws, path=None):
    names = [e.name for e in ws.extensions]
    print("extensions", ",".join(names) or "-", flush=True)
    try:
        async for m in ws:
            await ws.send(m)
    except websockets.ConnectionClosed:
        pass


async def main():
    async with websockets.serve(echo, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        print("listening on ws://127.0.0.1:%d" % port, flush=True)
        await asyncio.sleep(120)


asyncio.run(main())

#!/usr/bin/python3
"""Push server built on Python's `websockets` (Debian python3-websockets), a
peer nobody on the team wrote. A client of ws://127.0.0.1:PORT/NAME gets
the messages of DIR/NAME (NAME may have directories, never "..") (records of a type byte "t" or "b", a 4-byte
big-endian length and the payload; see bytes_gen.py) in order, text as
text and binary as binary, then a close with 1000.

With ?echo in the URL it then reads as many messages back and checks each
is the one it sent (type and bytes): close 1000 if all are, else 4000.
?id=TAG goes into its log lines.

  py_push_server.py DIR

Binds 127.0.0.1 on port 0, prints "listening on ws://127.0.0.1:PORT" once
ready and logs "TAG: connection NAME", "TAG: sent N", "TAG: echo ok N" or
"TAG: echo differs: ...", and "TAG: closed CODE". Exits on SIGTERM or
after 600 s.
Run with /usr/bin/python3 (the interpreter python3-websockets is for).
"""
import asyncio
import os
import re
import signal
import struct
import sys
import urllib.parse

import websockets


def log(line):
    print(line, flush=True)


def read_msgs(path):
    msgs = []
    with open(path, "rb") as f:
        data = f.read()
    i = 0
    while i < len(data):
        kind = data[i:i + 1]
        (n,) = struct.unpack("!I", data[i + 1:i + 5])
        payload = data[i + 5:i + 5 + n]
        msgs.append(payload.decode("utf-8") if kind == b"t" else payload)
        i += 5 + n
    return msgs


async def main(top):
    async def handler(ws, path=None):
        url = urllib.parse.urlsplit(path if path is not None else ws.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        tag = query.get("id", ["-"])[0]
        name = url.path.lstrip("/")
        log("%s: connection %s" % (tag, name))
        if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*", name) or \
                not os.path.isfile(os.path.join(top, name)):
            await ws.close(4004, "no such message file")
            log("%s: closed 4004" % tag)
            return
        msgs = read_msgs(os.path.join(top, name))
        try:
            for m in msgs:
                await ws.send(m)
            log("%s: sent %d" % (tag, len(msgs)))
            code = 1000
            if "echo" in query:
                bad = []
                for i, m in enumerate(msgs):
                    got = await ws.recv()
                    if type(got) is not type(m) or got != m:
                        bad.append("message %d (%s, %d): got %s of %d"
                                   % (i, type(m).__name__, len(m),
                                      type(got).__name__, len(got)))
                if bad:
                    code = 4000
                    log("%s: echo differs: %s" % (tag, "; ".join(bad)))
                else:
                    log("%s: echo ok %d" % (tag, len(msgs)))
            await ws.close(code)
        except websockets.ConnectionClosed:
            pass
        log("%s: closed %s" % (tag, ws.close_code))

    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM,
                            lambda: stop.done() or stop.set_result(None))
    # no pings: a client under valgrind may be slow to answer; a long
    # close_timeout: a slow client reads everything before it sees our close
    server = await websockets.serve(handler, "127.0.0.1", 0, max_size=None,
                                    ping_interval=None, close_timeout=300,
                                    compression=None)
    log("listening on ws://127.0.0.1:%d" % server.sockets[0].getsockname()[1])
    try:
        await asyncio.wait_for(stop, 600)
    except asyncio.TimeoutError:
        pass
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1]))

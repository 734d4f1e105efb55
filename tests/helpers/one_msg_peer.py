#!/usr/bin/python3
r"""The far end of one side of `wsx relay A B`, for relay-pairs.bats: it
sends one message, takes one, says whether that one is byte for byte what
it expected, and goes (loopback only).

  one_msg_peer.py ROLE WHERE SEND EXPECT

ROLE is what this peer is to the relay, WHERE its address:
  ws-server   -     listen on 127.0.0.1:0, print "listening on ws://HOST:PORT"
  tcp-server  -     the same, "listening on tcp://HOST:PORT"
  unix-server PATH  listen on unix socket PATH, print "listening on unix:PATH"
  ws-client   URL   connect to a WebSocket URL
  tcp-client  PORT  connect to 127.0.0.1:PORT
  unix-client PATH  connect to unix socket PATH
  stdio       FILE  a relay's program: stdin and stdout; the verdict goes
                    to FILE, not stdout
A server takes one connection. SEND goes out first (a WebSocket one as a
text message); then one message is taken: a WebSocket message, or on a
byte stream the bytes up to and with the first newline (or to EOF). EXPECT
is "text:DATA" or "binary:DATA" for a WebSocket message, "bytes:DATA" for a
stream. SEND and EXPECT take Python escapes (\n, \xNN, \\). Prints "ok
TYPE REPR" and exits 0 on a match, else "FAIL: ..." and exits 1; gives up
after 60 s. A WebSocket peer closes with 1000 afterwards, a stream peer
closes its socket or exits.
"""
import asyncio
import codecs
import os
import signal
import socket
import sys


def unescape(s):
    return codecs.escape_decode(s.encode())[0]


def verdict(kind, data, expect):
    want_kind, _, want = expect.partition(":")
    want = unescape(want)
    if kind == want_kind and data == want:
        return 0, "ok %s %r" % (kind, data)
    return 1, "FAIL: expected %s %r, got %s %r" % (want_kind, want, kind, data)


def read_line(read):
    data = b""
    while not data.endswith(b"\n"):
        b = read(1 << 16)
        if not b:
            break
        data += b
    return data


def stream_talk(s, send, expect):
    s.sendall(unescape(send))
    rc, line = verdict("bytes", read_line(s.recv), expect)
    s.close()
    return rc, line


def stream_server(family, where, send, expect):
    ls = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_UNIX:
        ls.bind(where)
        addr = "unix:" + where
    else:
        ls.bind(("127.0.0.1", 0))
        addr = "tcp://127.0.0.1:%d" % ls.getsockname()[1]
    ls.listen(1)
    print("listening on " + addr, flush=True)
    c, _ = ls.accept()
    ls.close()
    return stream_talk(c, send, expect)


def stream_client(family, where, send, expect):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.connect(where if family == socket.AF_UNIX else ("127.0.0.1", int(where)))
    return stream_talk(s, send, expect)


def stdio(where, send, expect):
    os.write(1, unescape(send))
    rc, line = verdict("bytes", read_line(lambda n: os.read(0, n)), expect)
    with open(where, "w") as f:
        f.write(line + "\n")
    return rc, line


async def ws_talk(ws, send, expect):
    import websockets

    await ws.send(unescape(send).decode())
    try:
        m = await ws.recv()
    except websockets.ConnectionClosed as e:
        return 1, "FAIL: closed %s before a message came" % e.code
    if isinstance(m, str):
        result = verdict("text", m.encode(), expect)
    else:
        result = verdict("binary", m, expect)
    await ws.close(1000)
    return result


async def ws_server(send, expect):
    import websockets

    done = asyncio.get_running_loop().create_future()

    async def handler(ws, path=None):
        if not done.done():
            done.set_result(await ws_talk(ws, send, expect))

    server = await websockets.serve(handler, "127.0.0.1", 0, max_size=None)
    port = server.sockets[0].getsockname()[1]
    print("listening on ws://127.0.0.1:%d" % port, flush=True)
    result = await done
    server.close()
    await server.wait_closed()
    return result


async def ws_client(url, send, expect):
    import websockets

    async with websockets.connect(url, max_size=None) as ws:
        return await ws_talk(ws, send, expect)


def main():
    signal.alarm(60)
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    role, where, send, expect = sys.argv[1:]
    if role == "ws-server":
        rc, line = asyncio.run(ws_server(send, expect))
    elif role == "ws-client":
        rc, line = asyncio.run(ws_client(where, send, expect))
    elif role in ("tcp-server", "unix-server"):
        family = socket.AF_INET if role == "tcp-server" else socket.AF_UNIX
        rc, line = stream_server(family, where, send, expect)
    elif role in ("tcp-client", "unix-client"):
        family = socket.AF_INET if role == "tcp-client" else socket.AF_UNIX
        rc, line = stream_client(family, where, send, expect)
    elif role == "stdio":
        return stdio(where, send, expect)[0]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(line, flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())

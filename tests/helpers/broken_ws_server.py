#!/usr/bin/python3
"""A WebSocket echo server written on raw sockets, right by default and
wrong on purpose with --mode, so `wsx check` can be seen to catch each
mistake (tests/bats/check.bats). Binds 127.0.0.1 on port 0 (or --port) and
prints "listening on ws://127.0.0.1:PORT" once ready.

  --mode right                 no mistake (the default)
  --mode wrong-accept-key      a 101 with a wrong Sec-WebSocket-Accept
  --mode accept-bad-utf8       text messages are echoed without a UTF-8 check
  --mode accept-rsv            RSV bits are ignored instead of refused
  --mode no-pong               pings are never answered
  --mode accept-bad-close-code any close code is answered as if valid
  --mode no-version-header     a bad version gets 426 without naming 13
  --mode no-close-reply        a close is answered by dropping the connection

SIGTERM or SIGINT: exit 0.
"""
import argparse
import asyncio
import base64
import codecs
import hashlib
import signal
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MODES = ("right", "wrong-accept-key", "accept-bad-utf8", "accept-rsv",
         "no-pong", "accept-bad-close-code", "no-version-header",
         "no-close-reply")
MAX_MESSAGE = 64 << 20


class Fail(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def valid_close_code(code):
    return code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011,
                    1012, 1013, 1014) or 3000 <= code <= 4999


def frame(opcode, payload):
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


async def http_answer(writer, status, extra=""):
    writer.write(("HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n%s\r\n"
                  % (status, extra)).encode())
    await writer.drain()


async def handshake(mode, reader, writer):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method = lines[0].split(" ")[0]
    h = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            h[k.strip().lower()] = v.strip()
    tokens = lambda v: [t.strip().lower() for t in v.split(",")]
    if method != "GET":
        await http_answer(writer, "405 Method Not Allowed")
        return False
    if "websocket" not in tokens(h.get("upgrade", "")):
        await http_answer(writer, "426 Upgrade Required", "Upgrade: websocket\r\n")
        return False
    if "upgrade" not in tokens(h.get("connection", "")):
        await http_answer(writer, "400 Bad Request")
        return False
    if h.get("sec-websocket-version") != "13":
        extra = "" if mode == "no-version-header" else "Sec-WebSocket-Version: 13\r\n"
        await http_answer(writer, "426 Upgrade Required", extra)
        return False
    key = h.get("sec-websocket-key", "")
    try:
        ok = len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        ok = False
    if not ok:
        await http_answer(writer, "400 Bad Request")
        return False
    if mode == "wrong-accept-key":
        key += "x"
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n"
                  % accept).encode())
    await writer.drain()
    return True


async def read_frame(mode, reader):
    b0, b1 = await reader.readexactly(2)
    fin, rsv, opcode = b0 & 0x80, b0 & 0x70, b0 & 0x0F
    if rsv and mode != "accept-rsv":
        raise Fail(1002)
    if opcode in (3, 4, 5, 6, 7) or opcode > 0xA:
        raise Fail(1002)
    if not b1 & 0x80:
        raise Fail(1002)
    n = b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", await reader.readexactly(2))
    elif n == 127:
        (n,) = struct.unpack("!Q", await reader.readexactly(8))
        if n >> 63:
            raise Fail(1002)
    if opcode >= 8 and (not fin or n > 125):
        raise Fail(1002)
    if n > MAX_MESSAGE:
        raise Fail(1009)
    key = await reader.readexactly(4)
    data = bytearray(await reader.readexactly(n))
    for i in range(n):
        data[i] ^= key[i & 3]
    return bool(fin), opcode, bytes(data)


async def session(mode, reader, writer):
    msg_op, parts, size, decoder = 0, [], 0, None
    while True:
        fin, opcode, data = await read_frame(mode, reader)
        if opcode == 9:
            if mode != "no-pong":
                writer.write(frame(0xA, data))
        elif opcode == 0xA:
            pass
        elif opcode == 8:
            if len(data) == 1:
                raise Fail(1002)
            if len(data) >= 2:
                (code,) = struct.unpack("!H", data[:2])
                if not valid_close_code(code) and mode != "accept-bad-close-code":
                    raise Fail(1002)
                try:
                    data[2:].decode("utf-8")
                except UnicodeDecodeError:
                    raise Fail(1007)
            if mode == "no-close-reply":
                return
            writer.write(frame(8, data[:2]))
            await writer.drain()
            return
        else:
            if opcode == 0 and not msg_op or opcode != 0 and msg_op:
                raise Fail(1002)
            if opcode:
                msg_op, parts, size = opcode, [], 0
                decoder = codecs.getincrementaldecoder("utf-8")()
            size += len(data)
            if size > MAX_MESSAGE:
                raise Fail(1009)
            parts.append(data)
            if msg_op == 1 and mode != "accept-bad-utf8":
                try:
                    decoder.decode(data, final=fin)
                except UnicodeDecodeError:
                    raise Fail(1007)
            if fin:
                writer.write(frame(msg_op, b"".join(parts)))
                msg_op = 0
        await writer.drain()


async def client(mode, reader, writer):
    try:
        if await handshake(mode, reader, writer):
            try:
                await session(mode, reader, writer)
            except Fail as f:
                writer.write(frame(8, struct.pack("!H", f.code)))
                await writer.drain()
                # let the client answer, so the close is not lost to a reset
                try:
                    await asyncio.wait_for(reader.read(1 << 20), 1.0)
                except asyncio.TimeoutError:
                    pass
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--mode", choices=MODES, default="right")
    args = p.parse_args()
    server = await asyncio.start_server(
        lambda r, w: client(args.mode, r, w), "127.0.0.1", args.port)
    print("listening on ws://127.0.0.1:%d" % server.sockets[0].getsockname()[1],
          flush=True)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(
            sig, lambda: stop.done() or stop.set_result(None))
    await stop
    server.close()


if __name__ == "__main__":
    asyncio.run(main())

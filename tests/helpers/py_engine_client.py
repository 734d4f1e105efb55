#!/usr/bin/python3
"""A `wsx serve` client on Python's `websockets` (Debian python3-websockets),
for serve-engine.bats: what the server's 101 said about extensions, what
was negotiated, whether the server's frames really came compressed, and
byte-exact echoes of the messages asked for.

  py_engine_client.py URL [options] MSG...

MSG is TYPE:SIZE[:KIND], TYPE text or binary, SIZE in bytes (k and M
suffixes), KIND random (the default) or zeros (highly compressible: one
repeated character or byte). The same MSG twice is the same message.
Every message is sent and its echo awaited, in order, on one connection
(so context takeover spans messages).

  --no-compression    do not offer permessage-deflate (compression=None)
  --cafile FILE       wss: trust this CA
  --cert FILE --key FILE   wss: present this client certificate
  --timeout SECS      give up after SECS (default 30)

Prints, in order:
  extensions HEADER        the 101's Sec-WebSocket-Extensions, or "-"
  negotiated NAME,...      the extensions in use, or "-"
  ok TYPE SIZE KIND        for each echo identical in type and bytes (or
                           FAIL ... saying what differed)
  compressed N of M        how many of the server's M data frames had RSV1
                           set (a compressed message)
  closed CODE              the close code once closed
Exit: 0 every echo identical and the close was 1000, 1 a check failed,
3 could not connect (the reason is printed as "FAIL could not connect:").
Run with /usr/bin/python3.
"""
import argparse
import asyncio
import random
import ssl
import sys

import websockets
import websockets.frames
from websockets.extensions import permessage_deflate

FRAMES = {"data": 0, "rsv1": 0}
_decode = permessage_deflate.PerMessageDeflate.decode


def counting_decode(self, frame, *, max_size=None):
    """Count the server's data frames, and those with RSV1 (compressed)."""
    if frame.opcode in (websockets.frames.Opcode.TEXT, websockets.frames.Opcode.BINARY):
        FRAMES["data"] += 1
        if frame.rsv1:
            FRAMES["rsv1"] += 1
    return _decode(self, frame, max_size=max_size)


permessage_deflate.PerMessageDeflate.decode = counting_decode


def parse_size(s):
    mult = 1
    if s[-1:] in ("k", "K"):
        mult, s = 1024, s[:-1]
    elif s[-1:] in ("m", "M"):
        mult, s = 1 << 20, s[:-1]
    return int(s) * mult


def make(kind, size, how, seed):
    if how == "zeros":
        return "a" * size if kind == "text" else bytes(size)
    rng = random.Random(seed)
    if kind == "binary":
        return rng.randbytes(size)
    # random UTF-8 text of exactly size bytes: ASCII and 2-byte characters
    out, n = [], 0
    while n < size:
        if size - n >= 2 and rng.random() < 0.3:
            out.append(rng.choice("éßñøЖλ"))
            n += 2
        else:
            out.append(chr(rng.randrange(0x20, 0x7F)))
            n += 1
    return "".join(out)


async def run(args):
    ctx = None
    if args.url.startswith("wss:"):
        ctx = ssl.create_default_context(cafile=args.cafile)
        if args.cert:
            ctx.load_cert_chain(args.cert, args.key)
    try:
        ws = await websockets.connect(
            args.url,
            ssl=ctx,
            compression=None if args.no_compression else "deflate",
            max_size=None,
            open_timeout=10,
            ping_interval=None,
        )
    except Exception as e:  # noqa: BLE001 - any failure is "could not connect"
        print("FAIL could not connect: %s: %s" % (type(e).__name__, e))
        return 3
    print("extensions", ws.response_headers.get("Sec-WebSocket-Extensions", "-"))
    print("negotiated", ",".join(e.name for e in ws.extensions) or "-")
    failures = 0
    try:
        for spec in args.msgs:
            parts = spec.split(":")
            kind, size = parts[0], parse_size(parts[1])
            how = parts[2] if len(parts) > 2 else "random"
            sent = make(kind, size, how, size * 2 + (kind == "text"))
            label = "%s %d %s" % (kind, size, how)
            await ws.send(sent)
            got = await ws.recv()
            if type(got) is not type(sent):
                print("FAIL %s: got %s" % (label, type(got).__name__))
                failures += 1
            elif got != sent:
                print("FAIL %s: %d bytes back, not the same" % (label, len(got)))
                failures += 1
            else:
                print("ok", label)
        await ws.close(1000)
    except websockets.ConnectionClosed as e:
        print("FAIL connection closed early: %s" % e)
        failures += 1
    print("compressed %d of %d" % (FRAMES["rsv1"], FRAMES["data"]))
    await ws.wait_closed()
    print("closed", ws.close_code)
    if ws.close_code != 1000:
        failures += 1
    return 1 if failures else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("url")
    p.add_argument("msgs", nargs="*")
    p.add_argument("--no-compression", action="store_true")
    p.add_argument("--cafile")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--timeout", type=float, default=30)
    args = p.parse_intermixed_args()
    try:
        return asyncio.run(asyncio.wait_for(run(args), args.timeout))
    except asyncio.TimeoutError:
        print("FAIL timed out after %g s" % args.timeout)
        return 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""A bulk client built on Python's `websockets` (Debian python3-websockets):
sends --bytes of random binary to URL in --chunk-sized binary messages
while reading whatever comes back, and checks that the same bytes came back
(an echo behind a byte-stream relay may cut them into other messages).
Prints "sent N sha256 X" and "received N sha256 Y" per connection and exits
0 only if every connection got its bytes back.

  --conns N      N connections at once, each with its own data (default 1)
  --send-only    do not expect anything back: send, then close with 1000
  --timeout SECS give up after SECS (default 120)
Exit: 0 all identical, 1 a difference or an error, 3 could not connect.
"""
import argparse
import asyncio
import hashlib
import os
import sys

import websockets


async def one(args, idx):
    try:
        ws = await websockets.connect(args.url, max_size=None, open_timeout=10,
                                      ping_interval=None, close_timeout=10)
    except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as e:
        print("FAIL %d: could not connect: %s" % (idx, e))
        return 3
    sent = hashlib.sha256()
    got = hashlib.sha256()
    received = 0

    async def sender():
        left = args.bytes
        while left:
            n = min(left, args.chunk)
            data = os.urandom(n)
            sent.update(data)
            await ws.send(data)
            left -= n

    async def receiver():
        nonlocal received
        while received < args.bytes:
            msg = await ws.recv()
            if isinstance(msg, str):
                msg = msg.encode()
            got.update(msg)
            received += len(msg)

    try:
        if args.send_only:
            await sender()
        else:
            await asyncio.gather(sender(), receiver())
        await ws.close(1000)
    except websockets.ConnectionClosed as e:
        print("FAIL %d: closed early: %s" % (idx, e))
        return 1
    print("sent %d sha256 %s" % (args.bytes, sent.hexdigest()))
    if args.send_only:
        return 0
    print("received %d sha256 %s" % (received, got.hexdigest()))
    return 0 if got.digest() == sent.digest() and received == args.bytes else 1


async def run(args):
    rcs = await asyncio.gather(*(one(args, i) for i in range(args.conns)))
    bad = [rc for rc in rcs if rc]
    print("%d of %d connections intact" % (len(rcs) - len(bad), len(rcs)))
    return max(bad) if bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("url")
    p.add_argument("--bytes", type=int, required=True)
    p.add_argument("--chunk", type=int, default=65536)
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--send-only", action="store_true")
    p.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()
    try:
        return asyncio.run(asyncio.wait_for(run(args), args.timeout))
    except asyncio.TimeoutError:
        print("FAIL timed out after %g s" % args.timeout)
        return 1


if __name__ == "__main__":
    sys.exit(main())

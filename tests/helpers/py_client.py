#!/usr/bin/python3
"""Client built on Python's `websockets` (Debian python3-websockets), a peer
nobody on the team wrote. Connects to URL, sends one message per size in
--sizes of each --type, and checks that each echo comes back identical in
type and bytes. Prints one line per check ("ok text 65536", or "FAIL ..."
saying what differed) and exits 0 only if every check passed.

Payloads are deterministic pseudo-random: binary is random bytes; text is
valid UTF-8 mixing ASCII with 2-, 3- and 4-byte characters, exactly the
requested number of bytes long.

  --sizes 0,1,125,...      message sizes in bytes (suffixes k, M allowed)
  --type text|binary|both  message type(s) to send (default both)
  --fragmented             send each message as several fragments (cut at
                           pseudo-random places, at character boundaries for
                           text, with an empty fragment in the middle)
  --expect-close CODE      the server is expected to close with CODE: stop
                           checking echoes once it does, and pass only if the
                           close code is CODE (waits up to --timeout)
  --subprotocol NAME       offer this subprotocol (repeatable)
  --timeout SECS           give up after SECS (default 60)
Exit: 0 all checks passed, 1 a check failed, 2 usage, 3 could not connect.
Run with /usr/bin/python3 (the interpreter python3-websockets is for).
"""
import argparse
import asyncio
import random
import sys

import websockets

POOL = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;-\n")
    + list("\u00e9\u00df\u00f1\u00f8\u0416\u03bb")  # 2-byte characters
    + list("\u20ac\u4e2d\u6587")  # 3-byte characters
    + ["\U0001f600", "\U0001f389"]  # 4-byte characters
)


def gen_binary(n, seed):
    return random.Random(seed).randbytes(n)


def gen_text(n, seed):
    """Valid UTF-8 of exactly n bytes, returned as str."""
    rng = random.Random(seed)
    b = b""
    while len(b) < n:
        b += "".join(rng.choices(POOL, k=(n - len(b)) // 2 + 8)).encode()
    b = b[:n]
    # If the cut split a character, drop its remains; pad with ASCII.
    i = len(b)
    while i > 0 and (b[i - 1] & 0xC0) == 0x80:
        i -= 1
    if i > 0 and b[i - 1] >= 0xC0:
        b = b[: i - 1]
    b += b"x" * (n - len(b))
    assert len(b) == n
    return b.decode("utf-8")


def fragments(msg, seed):
    """Cut msg into 3 non-empty-ish pieces plus an empty one in the middle.
    A str is cut between characters, so each piece is valid on its own."""
    rng = random.Random(seed)
    n = len(msg)
    if n < 2:
        return [msg, msg[:0]]
    a, b = sorted(rng.sample(range(1, n), 2)) if n > 2 else (1, 1)
    return [msg[:a], msg[a:b], msg[:0], msg[b:]]


def parse_size(s):
    s = s.strip()
    mult = 1
    if s[-1:] in ("k", "K"):
        mult, s = 1024, s[:-1]
    elif s[-1:] in ("m", "M"):
        mult, s = 1 << 20, s[:-1]
    return int(s) * mult


def describe(m):
    if isinstance(m, str):
        return "text of %d bytes" % len(m.encode("utf-8"))
    return "binary of %d bytes" % len(m)


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


async def run(args):
    types = ["text", "binary"] if args.type == "both" else [args.type]
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    failures = 0
    try:
        ws = await websockets.connect(
            args.url,
            max_size=None,
            subprotocols=args.subprotocol or None,
            open_timeout=10,
            ping_interval=None,
        )
    except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as e:
        print("FAIL could not connect to %s: %s" % (args.url, e))
        return 3
    if args.subprotocol:
        print("subprotocol %s" % (ws.subprotocol or "-"))
    closed_early = False
    try:
        for kind in types:
            for n in sizes:
                seed = n * 2 + (kind == "text")
                sent = gen_text(n, seed) if kind == "text" else gen_binary(n, seed)
                label = "%s %d%s" % (kind, n, " fragmented" if args.fragmented else "")
                try:
                    if args.fragmented:
                        await ws.send(fragments(sent, seed))
                    else:
                        await ws.send(sent)
                    got = await ws.recv()
                except websockets.ConnectionClosed as e:
                    if args.expect_close is None:
                        print("FAIL %s: connection closed before the echo (code %s %r)"
                              % (label, e.rcvd.code if e.rcvd else 1006,
                                 e.rcvd.reason if e.rcvd else ""))
                        failures += 1
                    else:
                        print("closed %s: no echo" % label)
                    closed_early = True
                    break
                if type(got) is not type(sent):
                    print("FAIL %s: sent %s, got %s" % (label, describe(sent), describe(got)))
                    failures += 1
                elif got != sent:
                    if isinstance(sent, str):
                        sent_b, got_b = sent.encode(), got.encode()
                    else:
                        sent_b, got_b = sent, got
                    print("FAIL %s: sent %d bytes, got %d bytes, first difference at byte %d"
                          % (label, len(sent_b), len(got_b), first_difference(sent_b, got_b)))
                    failures += 1
                else:
                    print("ok %s" % label)
            if closed_early:
                break
        if args.expect_close is None:
            await ws.close(1000)
            if ws.close_code not in (1000,):
                print("FAIL close: expected 1000 back, got %s" % ws.close_code)
                failures += 1
        else:
            try:
                await ws.wait_closed()
            except asyncio.CancelledError:
                raise
            code = ws.close_code
            if code == args.expect_close:
                print("ok close %d %r" % (code, ws.close_reason))
            else:
                print("FAIL close: expected %d, got %s %r"
                      % (args.expect_close, code, ws.close_reason))
                failures += 1
    finally:
        if not ws.closed:
            await ws.close()
    return 1 if failures else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("url")
    p.add_argument("--sizes", default="0,1,125,126,65535,65536")
    p.add_argument("--type", choices=("text", "binary", "both"), default="both")
    p.add_argument("--fragmented", action="store_true")
    p.add_argument("--expect-close", type=int)
    p.add_argument("--subprotocol", action="append")
    p.add_argument("--timeout", type=float, default=60)
    args = p.parse_args()
    try:
        return asyncio.run(asyncio.wait_for(run(args), args.timeout))
    except asyncio.TimeoutError:
        print("FAIL timed out after %g s" % args.timeout)
        return 1


if __name__ == "__main__":
    sys.exit(main())

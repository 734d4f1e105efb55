#!/usr/bin/python3
"""Rooms shared through Redis (`wsx serve --broadcast --redis`), checked
with Python `websockets` clients (a peer nobody on the team wrote) and
redis-cli. URLS is a comma-separated list of `wsx serve` URLs, one per
instance; RPORT is the Redis port (redis-cli -p), or a unix socket path.

  spread URLS RPORT ROOM:N [ROOM:N...] [--echo-self] [--prefix P]
      N clients join each ROOM, spread over the instances in turn; once
      every instance with clients in a room is subscribed to its channel,
      each client sends its name. Every client must get each name of the
      others in its room exactly once (and its own, once, with
      --echo-self), and nothing from other rooms.
  exact URLS RPORT SIZE[,SIZE...]
      A client on the first instance sends a text and a binary message of
      each SIZE (text is valid UTF-8 with multi-byte characters), then 500
      numbered messages back to back; a client on the second instance must
      get each with its type and exact bytes, and the numbered ones in the
      order sent.
  follow URLS RPORT
      Subscriptions follow rooms: PUBSUB NUMSUB of the room's channel
      counts the instances with clients in it, as clients come and go.
  restart URLA,URLB RPORT LOGA LOGB PIDFILE REDIS-COMMAND...
      Two clients on A and one on B in a room. Redis is shut down: a
      message from A reaches the other client on A and not B. Redis is
      started again with REDIS-COMMAND (its pid written to PIDFILE):
      once both logs say it is back, a message from A and one from B reach
      every other client exactly once.
  behind URLA,URLB RPORT REDIS-PID COUNT SIZE
      Redis is stopped (SIGSTOP) while a client on A sends COUNT messages
      of SIZE bytes: the other client on A gets all of them at once (wsx
      never waits for Redis), then Redis continues (SIGCONT).
Prints "ok ..." lines; exit 0 when every check held, 1 otherwise.
Run with /usr/bin/python3 (the interpreter python3-websockets is for)."""
import asyncio
import os
import random
import signal
import subprocess
import sys
import time

import websockets

WAIT = float(os.environ.get("ROOMS_WAIT", "20"))  # valgrind is slow


def redis_cli(rport, *args):
    where = ["-s", rport] if rport.startswith("/") else ["-p", rport]
    out = subprocess.run(["redis-cli"] + where + list(args),
                         capture_output=True, text=True, timeout=10)
    return out.stdout.split()


def numsub(rport, channel):
    out = redis_cli(rport, "PUBSUB", "NUMSUB", channel)
    return int(out[1]) if len(out) == 2 else -1


async def wait_numsub(rport, channel, want):
    deadline = time.monotonic() + WAIT
    got = None
    while time.monotonic() < deadline:
        got = numsub(rport, channel)
        if got == want:
            return True
        await asyncio.sleep(0.05)
    print("FAIL %s: %s subscribers, wanted %d" % (channel, got, want))
    return False


async def connect(url, room):
    return await websockets.connect(url + room, max_size=None)


async def drain(ws, want_n, quiet=0.5):
    """want_n messages (WAIT s at most), then whatever comes in `quiet` s."""
    got = []
    try:
        while len(got) < want_n:
            got.append(await asyncio.wait_for(ws.recv(), WAIT))
        while True:
            got.append(await asyncio.wait_for(ws.recv(), quiet))
    except asyncio.TimeoutError:
        pass
    return got


async def spread(urls, rport, specs, echo_self, prefix):
    clients = []  # (room, name, ws)
    i = 0
    rooms = {}
    for spec in specs:
        room, n = spec.rsplit(":", 1)
        room = "/" + room
        for k in range(int(n)):
            url = urls[i % len(urls)]
            i += 1
            ws = await connect(url, room)
            clients.append((room, "%s-%d" % (room, k), ws))
            rooms.setdefault(room, set()).add(url)
    ok = True
    for room, where in rooms.items():
        ok &= await wait_numsub(rport, prefix + ":room:" + room, len(where))
    if not ok:
        return False
    for _, name, ws in clients:
        await ws.send(name)
    for room, name, ws in clients:
        want = sorted(n for r, n, _ in clients
                      if r == room and (n != name or echo_self))
        got = sorted(await drain(ws, len(want)))
        if got != want:
            print("FAIL %s got %s, wanted %s" % (name, got, want))
            ok = False
        else:
            print("ok %s got %d, each once" % (name, len(got)))
    for _, _, ws in clients:
        await ws.close()
    return ok


def text_of(size, rng):
    """Valid UTF-8, exactly size bytes, with 2-, 3- and 4-byte characters."""
    out = bytearray()
    chars = ["a", "\u00e9", "\u20ac", "\U0001f600"]
    while len(out) < size:
        c = rng.choice(chars).encode()
        if len(out) + len(c) > size:
            c = b"z"
        out += c
    return out.decode()


async def exact(urls, rport, sizes):
    a = await connect(urls[0], "/exact")
    b = await connect(urls[1], "/exact")
    if not await wait_numsub(rport, "wsx:room:/exact", 2):
        return False
    rng = random.Random(6455)
    sent = []
    for size in sizes:
        sent.append(text_of(size, rng))
        sent.append(rng.randbytes(size))
    for m in sent:
        await a.send(m)
    ok = True
    for m in sent:
        got = await asyncio.wait_for(b.recv(), WAIT)
        kind = "text" if isinstance(m, str) else "binary"
        size = len(m.encode()) if isinstance(m, str) else len(m)
        if type(got) is not type(m):
            print("FAIL %s %d came as %s" % (kind, size, type(got).__name__))
            ok = False
        elif got != m:
            print("FAIL %s %d: bytes differ" % (kind, size))
            ok = False
        else:
            print("ok %s %d bytes, same type and bytes" % (kind, size))
    numbered = ["n%d" % i for i in range(500)]
    for m in numbered:
        await a.send(m)
    got = [await asyncio.wait_for(b.recv(), WAIT) for _ in numbered]
    if got != numbered:
        print("FAIL order: %s..." % got[:10])
        ok = False
    else:
        print("ok 500 messages in the order sent")
    await a.close()
    await b.close()
    return ok


async def follow(urls, rport):
    chan = "wsx:room:/follow"
    ok = await wait_numsub(rport, chan, 0)
    c1 = await connect(urls[0], "/follow")
    ok &= await wait_numsub(rport, chan, 1)
    c2 = await connect(urls[1], "/follow?x=1")  # the query is not the room
    ok &= await wait_numsub(rport, chan, 2)
    c3 = await connect(urls[0], "/follow")
    await c1.close()
    await asyncio.sleep(0.3)
    ok &= await wait_numsub(rport, chan, 2)  # c3 is still on the first
    await c3.close()
    ok &= await wait_numsub(rport, chan, 1)
    await c2.close()
    ok &= await wait_numsub(rport, chan, 0)
    if ok:
        print("ok subscribed while a room has clients there, not after")
    return ok


async def expect(ws, want, who):
    got = await drain(ws, len(want))
    if sorted(got) != sorted(want):
        print("FAIL %s got %s, wanted %s" % (who, got, want))
        return False
    print("ok %s got %s" % (who, got))
    return True


async def wait_log(path, *texts):
    """Until the log has one of texts (the text log's or --log-json's)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            log = f.read()
        if any(t in log for t in texts):
            return True
        await asyncio.sleep(0.1)
    print("FAIL %s never said %r" % (path, texts))
    return False


async def restart(urls, rport, log_a, log_b, pidfile, command):
    a1 = await connect(urls[0], "/r")
    a2 = await connect(urls[0], "/r")
    b1 = await connect(urls[1], "/r")
    ok = await wait_numsub(rport, "wsx:room:/r", 2)
    await a1.send("before")
    ok &= await expect(a2, ["before"], "a2 (Redis up)")
    ok &= await expect(b1, ["before"], "b1 (Redis up)")
    redis_cli(rport, "SHUTDOWN", "NOSAVE")
    ok &= await wait_log(log_a, '"state":"down"', "redis: lost")
    await a1.send("while away")
    ok &= await expect(a2, ["while away"], "a2 (Redis away: local)")
    ok &= await expect(b1, [], "b1 (Redis away: nothing)")
    p = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    with open(pidfile, "w") as f:
        f.write(str(p.pid))
    for log in (log_a, log_b):
        ok &= await wait_log(log, '"first":false,"away', "is back after")
    ok &= await wait_numsub(rport, "wsx:room:/r", 2)
    await a1.send("after")
    await b1.send("from b")
    ok &= await expect(a1, ["from b"], "a1 (Redis back)")
    ok &= await expect(a2, ["after", "from b"], "a2 (Redis back)")
    ok &= await expect(b1, ["after"], "b1 (Redis back)")
    for ws in (a1, a2, b1):
        await ws.close()
    return ok


async def behind(urls, rport, pid, count, size):
    a1 = await connect(urls[0], "/behind")
    a2 = await connect(urls[0], "/behind")
    ok = await wait_numsub(rport, "wsx:room:/behind", 1)
    os.kill(pid, signal.SIGSTOP)
    window = 8  # the sender stays this far ahead of the receiver at most
    got = 0
    try:
        payload = bytes(size)
        t0 = time.monotonic()
        for i in range(count + window):
            if i < count:
                await a1.send(payload)
            if i >= window:
                await asyncio.wait_for(a2.recv(), WAIT)
                got += 1
        print("ok %d messages of %d bytes reached the client on the same "
              "instance in %.1f s while Redis was stopped"
              % (got, size, time.monotonic() - t0))
    except (asyncio.TimeoutError, websockets.ConnectionClosed) as e:
        print("FAIL local delivery while Redis was stopped: %r (%d of %d)"
              % (e, got, count))
        ok = False
    finally:
        os.kill(pid, signal.SIGCONT)
    await a1.close()
    await a2.close()
    return ok


def main(argv):
    cmd, args = argv[1], argv[2:]
    urls = args[0].split(",")
    rport = args[1]
    if cmd == "spread":
        echo_self = "--echo-self" in args
        prefix = "wsx"
        if "--prefix" in args:
            prefix = args[args.index("--prefix") + 1]
        specs = [a for a in args[2:] if ":" in a]
        ok = asyncio.run(spread(urls, rport, specs, echo_self, prefix))
    elif cmd == "exact":
        sizes = [int(s) for s in args[2].split(",")]
        ok = asyncio.run(exact(urls, rport, sizes))
    elif cmd == "follow":
        ok = asyncio.run(follow(urls, rport))
    elif cmd == "restart":
        ok = asyncio.run(restart(urls, rport, args[2], args[3], args[4],
                                 args[5:]))
    elif cmd == "behind":
        ok = asyncio.run(behind(urls, rport, int(args[2]), int(args[3]),
                                int(args[4])))
    else:
        print(__doc__)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

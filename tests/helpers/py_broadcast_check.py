#!/usr/bin/python3
"""Broadcast checks for `wsx serve --broadcast`, with Python `websockets`
clients (a peer nobody on the team wrote).

  rooms URL ROOM:N [ROOM:N...] [--echo-self]
      N clients join each ROOM (the URL path); each sends one message.
      Every client must get exactly the messages of the others in its room
      (and its own with --echo-self), and nothing from other rooms.
  slow URL ROOM COUNT SIZE
      one client in ROOM stops reading; another sends COUNT binary messages
      of SIZE bytes, at most 8 ahead of a third, which must receive all of
      them, in order.
  roster URL READYFILE IMPL ROOM:NPY:NNODE [ROOM:NPY:NNODE...]
      Mixed rooms, shared with tests/helpers/node_broadcast_check.js: this
      side connects the NPY clients "ROOM-IMPL-i" of each room, writes
      READYFILE, and waits for a "go" broadcast into each room (the test
      sends it with wsx pipe once both sides are ready); then every client
      sends its name and must receive exactly the names of the other
      members of its room, Python's and Node's.
Prints "ok ..." lines; exit 0 when every check held, 1 otherwise.
Run with /usr/bin/python3 (the interpreter python3-websockets is for)."""
import asyncio
import sys

import websockets


async def rooms(url, specs, echo_self):
    clients = []
    for spec in specs:
        room, n = spec.split(":")
        for i in range(int(n)):
            ws = await websockets.connect(url + "/" + room, max_size=None)
            clients.append((room, "%s-%d" % (room, i), ws))
    await asyncio.sleep(0.2)  # every client has joined before anyone sends
    for _, name, ws in clients:
        await ws.send(name)
    failed = False
    for room, name, ws in clients:
        want = sorted(n for r, n, _ in clients
                      if r == room and (n != name or echo_self))
        got = []
        try:
            while len(got) < len(want):
                got.append(await asyncio.wait_for(ws.recv(), 10))
            # nothing more may come
            extra = await asyncio.wait_for(ws.recv(), 0.3)
            got.append(extra)
        except asyncio.TimeoutError:
            pass
        if sorted(got) != want:
            print("FAIL %s got %s, wanted %s" % (name, sorted(got), want))
            failed = True
        else:
            print("ok %s got %d" % (name, len(got)))
    for _, _, ws in clients:
        await ws.close()
    return failed


async def slow(url, room, count, size):
    # max_queue=1 and a small read limit: this client stops reading at once
    stuck = await websockets.connect(url + "/" + room, max_queue=1,
                                     read_limit=1024, max_size=None)
    reader = await websockets.connect(url + "/" + room, max_size=None)
    sender = await websockets.connect(url + "/" + room, max_size=None)
    await asyncio.sleep(0.2)
    payloads = [bytes([i % 256]) * size for i in range(count)]
    window = 8  # the sender stays this far ahead of the reader at most
    problem = None
    try:
        for i in range(count + window):
            if i < count:
                await sender.send(payloads[i])
            if i >= window:
                m = await asyncio.wait_for(reader.recv(), 30)
                if m != payloads[i - window]:
                    problem = "message %d differs" % (i - window)
                    break
    except (asyncio.TimeoutError, websockets.ConnectionClosed) as e:
        problem = "%s: %s" % (type(e).__name__, e)
    if problem:
        print("FAIL reader: " + problem)
    else:
        print("ok reader got all %d while one client did not read" % count)
    for ws in (sender, reader):
        await ws.close()
    stuck.transport.abort()
    return problem is not None


async def roster(url, ready_file, impl, specs):
    rooms_ = [s.split(":") for s in specs]
    mine = []
    for room, npy, nnode in rooms_:
        everyone = (["%s-py-%d" % (room, i) for i in range(int(npy))] +
                    ["%s-node-%d" % (room, i) for i in range(int(nnode))])
        for i in range(int(npy)):
            name = "%s-%s-%d" % (room, impl, i)
            ws = await websockets.connect(url + "/" + room, max_size=None)
            mine.append((name, sorted(n for n in everyone if n != name), ws))
    with open(ready_file, "w") as f:
        f.write("ready\n")

    async def one(name, want, ws):
        got = []
        try:
            if await asyncio.wait_for(ws.recv(), 30) != "go":
                return "FAIL %s: the first message was not go" % name
            await ws.send(name)
            while len(got) < len(want):
                got.append(await asyncio.wait_for(ws.recv(), 30))
            got.append(await asyncio.wait_for(ws.recv(), 0.5))
        except asyncio.TimeoutError:
            pass
        await ws.close()
        if sorted(got) != want:
            return "FAIL %s got %d, wanted %d" % (name, len(got), len(want))
        return "ok %s got %d" % (name, len(got))

    lines = await asyncio.gather(*(one(*m) for m in mine))
    for line in lines:
        print(line)
    return any(line.startswith("FAIL") for line in lines)


def main():
    mode, url = sys.argv[1], sys.argv[2].rstrip("/")
    if mode == "rooms":
        args = [a for a in sys.argv[3:] if a != "--echo-self"]
        failed = asyncio.run(rooms(url, args, "--echo-self" in sys.argv))
    elif mode == "roster":
        failed = asyncio.run(roster(url, sys.argv[3], sys.argv[4],
                                    sys.argv[5:]))
    else:
        failed = asyncio.run(slow(url, sys.argv[3], int(sys.argv[4]),
                                  int(sys.argv[5])))
    sys.exit(1 if failed else 0)


main()

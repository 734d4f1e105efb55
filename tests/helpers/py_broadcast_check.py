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


def main():
    mode, url = sys.argv[1], sys.argv[2].rstrip("/")
    if mode == "rooms":
        args = [a for a in sys.argv[3:] if a != "--echo-self"]
        failed = asyncio.run(rooms(url, args, "--echo-self" in sys.argv))
    else:
        failed = asyncio.run(slow(url, sys.argv[3], int(sys.argv[4]),
                                  int(sys.argv[5])))
    sys.exit(1 if failed else 0)


main()

#!/usr/bin/python3
"""Plain TCP peers for the relay tests (loopback only).

  tcp_peer.py client PORT BYTES   send BYTES random bytes to 127.0.0.1:PORT
                                  while reading; print "sent N sha256 X",
                                  "received N sha256 Y"; exit 0 if the same
                                  bytes came back
  tcp_peer.py slow-sink RATE SECS listen on 127.0.0.1:0 (prints "listening
                                  on tcp://127.0.0.1:PORT"), take one
                                  connection, read RATE bytes/s for SECS,
                                  then as fast as it can until EOF; print
                                  "received N"
Both give up after 120 s.
"""
import hashlib
import os
import signal
import socket
import sys
import threading
import time


def client(port, total):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    sent, got = hashlib.sha256(), hashlib.sha256()
    received = 0

    def reader():
        nonlocal received
        while received < total:
            b = s.recv(1 << 16)
            if not b:
                break
            got.update(b)
            received += len(b)

    t = threading.Thread(target=reader)
    t.start()
    left = total
    while left:
        data = os.urandom(min(left, 1 << 16))
        sent.update(data)
        s.sendall(data)
        left -= len(data)
    t.join(100)
    s.close()
    print("sent %d sha256 %s" % (total, sent.hexdigest()))
    print("received %d sha256 %s" % (received, got.hexdigest()))
    return 0 if received == total and got.digest() == sent.digest() else 1


def slow_sink(rate, secs):
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    print("listening on tcp://127.0.0.1:%d" % ls.getsockname()[1], flush=True)
    c, _ = ls.accept()
    received = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        t0 = time.monotonic()
        want = rate // 10
        while want > 0:
            b = c.recv(min(want, 1 << 16))
            if not b:
                print("received %d" % received, flush=True)
                return 0
            received += len(b)
            want -= len(b)
        time.sleep(max(0, 0.1 - (time.monotonic() - t0)))
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        received += len(b)
    print("received %d" % received, flush=True)
    return 0


def main():
    signal.alarm(120)
    if len(sys.argv) == 4 and sys.argv[1] == "client":
        return client(int(sys.argv[2]), int(sys.argv[3]))
    if len(sys.argv) == 4 and sys.argv[1] == "slow-sink":
        return slow_sink(int(sys.argv[2]), float(sys.argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

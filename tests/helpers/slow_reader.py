#!/usr/bin/python3
"""A slow reader for bytes.bats: reads a pipe (stdin) or one TCP connection
in chunks of --min to --max bytes (pseudo-random), sleeping --sleep seconds
after each read, and writes what it read to OUT. A writer faster than that
fills the pipe or socket buffer and gets EAGAIN and short writes.

  slow_reader.py [options] OUT          read stdin
  slow_reader.py --listen [options] OUT listen on 127.0.0.1 port 0 (prints
                                        "listening on tcp://127.0.0.1:PORT"),
                                        read the first connection
  --send FILE     (--listen) also send FILE to the peer, while reading
  --until N       (--listen) once N bytes were read, shut the sending side
                  of the connection down (the peer reads EOF) and read on
                  until the peer closes too
  --fast          read 1 MiB at a time without sleeping
  --min N, --max N, --sleep SECS   (defaults 16384, 65536, 0.002)

At the end (EOF or an error) it writes OUT.done:
"bytes N reads R full F", F being how many reads found the pipe full (less
than a page free, so the writer got EAGAIN or a short write; always 0 on a
socket), and exits 0; after 300 s it gives up (exit 1).
"""
import argparse
import fcntl
import os
import random
import signal
import socket
import struct
import sys
import termios
import threading
import time

F_GETPIPE_SZ = 1032


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--listen", action="store_true")
    p.add_argument("--send")
    p.add_argument("--until", type=int)
    p.add_argument("--fast", action="store_true")
    p.add_argument("--min", type=int, default=16384)
    p.add_argument("--max", type=int, default=65536)
    p.add_argument("--sleep", type=float, default=0.002)
    a = p.parse_args()
    signal.alarm(300)

    conn = None
    if a.listen:
        ls = socket.socket()
        ls.bind(("127.0.0.1", 0))
        if not a.fast:
            # a small receive buffer: the sender's side fills up soon
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        ls.listen(1)
        print("listening on tcp://127.0.0.1:%d" % ls.getsockname()[1],
              flush=True)
        conn, _ = ls.accept()
        ls.close()
        fd = conn.fileno()
        if a.send:
            def sender():
                with open(a.send, "rb") as f:
                    try:
                        conn.sendall(f.read())
                    except OSError:
                        pass
            threading.Thread(target=sender, daemon=True).start()
    else:
        fd = 0

    try:
        capacity = fcntl.fcntl(fd, F_GETPIPE_SZ)
    except OSError:
        capacity = None  # not a pipe
    rng = random.Random(64)
    total = reads = full = 0
    # unbuffered: a test may watch OUT grow
    with open(a.out, "wb", buffering=0) as out:
        while True:
            if capacity:
                avail = struct.unpack(
                    "i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
                # less than a page free: the writer had to wait
                full += avail > capacity - 4096
            want = 1 << 20 if a.fast else rng.randint(a.min, a.max)
            if a.until is not None and total < a.until:
                want = min(want, a.until - total)
            try:
                b = os.read(fd, want)
            except OSError as e:
                print("slow_reader: %s" % e, file=sys.stderr)
                break
            if not b:
                break
            view = memoryview(b)
            while view:
                view = view[out.write(view):]
            total += len(b)
            reads += 1
            if a.until is not None and total == a.until:
                conn.shutdown(socket.SHUT_WR)
            if not a.fast:
                time.sleep(a.sleep)
    if conn:
        conn.close()
    with open(a.out + ".done", "w") as f:
        f.write("bytes %d reads %d full %d\n" % (total, reads, full))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""A misbehaving WebSocket server with no WebSocket library, for hardening
tests of wsx's clients. Prints "listening on ws://127.0.0.1:PORT" and serves
every connection the same way, by MODE:

  masked-frames   a correct handshake, then a text frame masked (servers
                  must not mask)
  bad-accept      101 with a wrong Sec-WebSocket-Accept
  no-upgrade      101 without the Upgrade and Connection headers
  huge-headers    101 with 1 MiB of headers
  garbage         an answer that is not HTTP at all
  flood SIZE      a correct handshake, then binary messages of SIZE bytes
                  as fast as the client takes them, for up to 60 s
  big-frame       a correct handshake, then a frame header announcing 2^40
                  bytes, and then a trickle of them
  mute            a correct handshake, then reads and never answers: a
                  client's Close is printed ("close CODE REASON") but gets
                  no Close back
Exits by itself after 120 s so it cannot outlive a test run.
Run with /usr/bin/python3."""
import base64
import hashlib
import os
import signal
import socket
import struct
import sys
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_key(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()


def read_request(c):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = c.recv(4096)
        if not chunk:
            return None
        head += chunk
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"sec-websocket-key:"):
            return line.split(b":", 1)[1].strip()
    return b""


def answer(key, accept=None, upgrade=True, extra=""):
    lines = ["HTTP/1.1 101 Switching Protocols"]
    if upgrade:
        lines += ["Upgrade: websocket", "Connection: Upgrade"]
    lines.append("Sec-WebSocket-Accept: " + (accept or accept_key(key)))
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def frame(opcode, payload, mask=False):
    head = bytes([0x80 | opcode])
    n = len(payload)
    m = 0x80 if mask else 0
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack("!H", n)
    else:
        head += bytes([m | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    k = os.urandom(4)
    return head + k + bytes(b ^ k[i % 4] for i, b in enumerate(payload))


def read_mute(c):
    """Read a client's frames (masked, short) until EOF; print Closes."""
    buf = b""
    end = time.time() + 30
    c.settimeout(1)
    while time.time() < end:
        try:
            chunk = c.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            return
        buf += chunk
        while len(buf) >= 6 and len(buf) >= 6 + (buf[1] & 0x7F):
            n = buf[1] & 0x7F
            if n > 125:
                return  # a long data frame: not what this mode is for
            k, body = buf[2:6], buf[6:6 + n]
            body = bytes(b ^ k[i % 4] for i, b in enumerate(body))
            if buf[0] & 0x0F == 8:
                code = struct.unpack("!H", body[:2])[0] if n >= 2 else 1005
                print("close %d %s" % (code, body[2:].decode(errors="replace")),
                      flush=True)
            buf = buf[6 + n:]


def serve(c, mode, arg):
    key = read_request(c)
    if key is None:
        return
    if mode == "masked-frames":
        c.sendall(answer(key) + frame(1, b"masked", mask=True))
    elif mode == "bad-accept":
        c.sendall(answer(key, accept=accept_key(b"not the key")))
    elif mode == "no-upgrade":
        c.sendall(answer(key, upgrade=False))
    elif mode == "huge-headers":
        c.sendall(answer(key, extra="".join(
            "X-Pad-%d: %s\r\n" % (i, "p" * 1000) for i in range(1024))))
    elif mode == "garbage":
        c.sendall(os.urandom(4096))
    elif mode == "flood":
        c.sendall(answer(key))
        msg = frame(2, os.urandom(int(arg)))
        end = time.time() + 60
        while time.time() < end:
            c.sendall(msg)
    elif mode == "mute":
        c.sendall(answer(key))
        read_mute(c)
    elif mode == "big-frame":
        c.sendall(answer(key) + bytes([0x82, 127]) + struct.pack("!Q", 1 << 40))
        end = time.time() + 30
        while time.time() < end:
            c.sendall(b"x" * 65536)
    time.sleep(30)  # hold the connection: the client must end it


def handle(c, mode, arg):
    try:
        serve(c, mode, arg)
    except OSError:
        pass
    finally:
        c.close()


def main():
    mode = sys.argv[1]
    arg = sys.argv[2] if len(sys.argv) > 2 else None
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    print("listening on ws://127.0.0.1:%d" % s.getsockname()[1], flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Timer(120, lambda: os._exit(0)).start()
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c, mode, arg), daemon=True).start()


main()

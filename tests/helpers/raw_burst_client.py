#!/usr/bin/python3
"""A WebSocket client with no WebSocket library, for an echo server: it
sends COUNT binary messages of SIZE random bytes and then its close (1000)
all at once, from a thread, while it reads the answers slowly (a small
receive buffer, 32 KiB reads with short pauses), so the close reaches the
server while many echoes are still queued there. Every echo must arrive
before the server's close.

  raw_burst_client.py PORT COUNT SIZE

Prints "echoed N of M bytes, same|different bytes, close CODE" and exits 0
only if all M bytes came back, identical, before a close with 1000. Gives
up after 60 s.
"""
import base64
import hashlib
import os
import signal
import socket
import struct
import sys
import threading
import time


def frame(opcode, payload):
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, 0x80 | n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack("!H", n)
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack("!Q", n)
    return head + b"\0\0\0\0" + payload  # a zero mask: payload as is


def main():
    port, count, size = (int(a) for a in sys.argv[1:4])
    signal.alarm(60)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n" % key).encode())
    data = bytearray()
    while b"\r\n\r\n" not in data:
        data += s.recv(1)
    if b" 101 " not in bytes(data).split(b"\r\n")[0]:
        print("handshake refused: %r" % bytes(data))
        return 1
    payload = os.urandom(size)
    burst = b"".join(frame(2, payload) for _ in range(count))
    burst += frame(8, struct.pack("!H", 1000))
    threading.Thread(target=s.sendall, args=(burst,), daemon=True).start()

    data = bytearray()
    while True:
        b = s.recv(32768)
        if not b:
            break
        data += b
        time.sleep(0.0003)
    got, close, i = hashlib.sha256(), None, 0
    n_got = 0
    while i + 2 <= len(data):
        op, n, j = data[i] & 15, data[i + 1] & 127, i + 2
        if n == 126:
            n, j = struct.unpack("!H", data[j:j + 2])[0], j + 2
        elif n == 127:
            n, j = struct.unpack("!Q", data[j:j + 8])[0], j + 8
        if op == 8:
            close = struct.unpack("!H", data[j:j + 2])[0] if n >= 2 else 1005
            break
        if op in (0, 1, 2):
            got.update(data[j:j + n])
            n_got += n
        i = j + n
    want = hashlib.sha256(payload * count).digest()
    same = got.digest() == want
    print("echoed %d of %d bytes, %s bytes, close %s"
          % (n_got, count * size, "same" if same else "different", close))
    return 0 if same and n_got == count * size and close == 1000 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""A WebSocket client with no WebSocket library, so it can send what a
well-behaved library refuses to: invalid UTF-8 in text frames, split
across fragments or not. Prints the close code the server answers with.

usage: raw_client.py URL invalid-text|invalid-split|valid-text
"""
import base64
import os
import socket
import struct
import sys
import urllib.parse


def frame(opcode, payload, fin=True):
    mask = os.urandom(4)
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


def read_frame(sock):
    b0, b1 = read_exact(sock, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", read_exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", read_exact(sock, 8))[0]
    return b0 & 0x0F, read_exact(sock, n)


def main():
    url = urllib.parse.urlparse(sys.argv[1])
    case = sys.argv[2]
    sock = socket.create_connection((url.hostname, url.port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((
        "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
        % (url.path or "/", url.hostname, url.port, key)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += read_exact(sock, 1)
    if b" 101 " not in head.split(b"\r\n")[0]:
        print("handshake failed:", head.split(b"\r\n")[0].decode())
        return 1
    if case == "invalid-text":
        sock.sendall(frame(1, b"abc\xff\xfedef"))
    elif case == "invalid-split":
        # "é" is C3 A9: the first fragment ends inside the character, the
        # second one continues it with a byte that is not a continuation.
        sock.sendall(frame(1, b"caf\xc3", fin=False))
        sock.sendall(frame(0, b"(", fin=True))
    elif case == "valid-text":
        sock.sendall(frame(1, "caf\u00e9".encode(), fin=False))
        sock.sendall(frame(0, b"!", fin=True))
    else:
        print("unknown case", case)
        return 2
    while True:
        try:
            opcode, payload = read_frame(sock)
        except (EOFError, OSError) as e:
            print("no close frame:", e)
            return 1
        if opcode == 8:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            print("close", code)
            return 0
        print("message", opcode, payload.decode("utf-8", "replace"))


sys.exit(main())

#!/usr/bin/python3
"""A misbehaving WebSocket client with no WebSocket library, for hardening
tests of `wsx serve`: each CASE breaks the handshake or RFC 6455 framing in
one way and prints what the server did, as one line:

  close CODE      the server sent a close frame with CODE
  http STATUS     the server answered the handshake with STATUS
  dropped         the server closed the TCP connection without a close frame
  open            the server neither closed nor answered within the timeout
  echo TEXT       (valid cases) what came back

usage: hostile_client.py URL CASE    (CASE "list" prints every case)
       hostile_client.py URL churn N (N connections opened and dropped in
                                      all the ways below; prints "done N")
Run with /usr/bin/python3."""
import base64
import os
import socket
import struct
import sys
import time
import urllib.parse

TIMEOUT = 5


def frame(opcode, payload, fin=True, rsv=0, mask=True, length=None):
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    n = len(payload) if length is None else length
    m = 0x80 if mask else 0
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack("!H", n)
    else:
        head += bytes([m | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def connect(url):
    s = socket.create_connection((url.hostname, url.port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def request(url, extra="", key=True, version="13", path=None):
    lines = ["GET %s HTTP/1.1" % (path or url.path or "/"),
             "Host: %s:%d" % (url.hostname, url.port),
             "Upgrade: websocket", "Connection: Upgrade"]
    if key:
        lines.append("Sec-WebSocket-Key: " +
                     base64.b64encode(os.urandom(16)).decode())
    if version:
        lines.append("Sec-WebSocket-Version: " + version)
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def read_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def answer_head(s):
    """The server's HTTP answer: its status, or None if it hung up."""
    head = b""
    try:
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = s.recv(1)
            if not chunk:
                break
            head += chunk
    except socket.timeout:
        return "open"
    except (ConnectionResetError, BrokenPipeError):
        return "dropped"
    if not head:
        return "dropped"
    first = head.split(b"\r\n")[0].split()
    return first[1].decode() if len(first) > 1 else "dropped"


def outcome(s):
    """Read frames until the server closes: the close code, or how it ended."""
    try:
        while True:
            b0, b1 = read_exact(s, 2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", read_exact(s, 2))[0]
            elif n == 127:
                n = struct.unpack("!Q", read_exact(s, 8))[0]
            payload = read_exact(s, n)
            op = b0 & 0x0F
            if op == 8:
                code = struct.unpack("!H", payload[:2])[0] if n >= 2 else 1005
                return "close %d" % code
            if op in (1, 2):
                return "echo " + payload.decode("utf-8", "replace")
    except socket.timeout:
        return "open"
    except (EOFError, ConnectionResetError, BrokenPipeError):
        return "dropped"


def upgraded(url, **kw):
    s = connect(url)
    s.sendall(request(url, **kw))
    status = answer_head(s)
    if status != "101":
        raise RuntimeError("handshake: " + status)
    return s


def send_then_outcome(url, *frames, shut=False):
    s = upgraded(url)
    try:
        for f in frames:
            s.sendall(f)
        if shut:
            s.shutdown(socket.SHUT_WR)
    except (BrokenPipeError, ConnectionResetError):
        return "dropped"
    return outcome(s)


def handshake_case(url, data):
    s = connect(url)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        return "dropped"
    status = answer_head(s)
    return status if status in ("open", "dropped") else "http " + status


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


CASES = {
    # the handshake
    "no-key": lambda u: handshake_case(u, request(u, key=False)),
    "bad-version": lambda u: handshake_case(u, request(u, version="8")),
    "no-version": lambda u: handshake_case(u, request(u, version=None)),
    "duplicate-key": lambda u: handshake_case(
        u, request(u, extra="Sec-WebSocket-Key: " +
                   base64.b64encode(os.urandom(16)).decode() + "\r\n")),
    "huge-header": lambda u: handshake_case(
        u, request(u, extra="X-Big: " + "a" * 65536 + "\r\n")),
    "many-headers": lambda u: handshake_case(
        u, request(u, extra="".join("X-H%d: v\r\n" % i for i in range(2000)))),
    "huge-request-line": lambda u: handshake_case(
        u, request(u, path="/" + "a" * (1 << 20))),
    "not-http": lambda u: handshake_case(u, b"\x16\x03\x01\x00\xff" * 100),
    "bare-newlines": lambda u: handshake_case(
        u, request(u).replace(b"\r\n", b"\n")),
    # frames after a good handshake
    "rsv-bits": lambda u: send_then_outcome(u, frame(1, b"x", rsv=4)),
    "reserved-opcode": lambda u: send_then_outcome(u, frame(3, b"x")),
    "reserved-control-opcode": lambda u: send_then_outcome(u, frame(11, b"")),
    "unmasked": lambda u: send_then_outcome(u, frame(1, b"hi", mask=False)),
    "length-2^63": lambda u: send_then_outcome(
        u, frame(2, b"", length=1 << 63)[:10] + os.urandom(4)),
    "length-2^62": lambda u: send_then_outcome(
        u, frame(2, b"", length=1 << 62)[:10] + os.urandom(4)),
    "non-minimal-length": lambda u: send_then_outcome(
        u, bytes([0x81, 0xFE, 0x00, 0x02]) + b"\0\0\0\0" + b"hi"),
    "big-ping": lambda u: send_then_outcome(u, frame(9, b"p" * 126)),
    "fragmented-ping": lambda u: send_then_outcome(u, frame(9, b"p", fin=False)),
    "continuation-first": lambda u: send_then_outcome(u, frame(0, b"x")),
    "text-inside-text": lambda u: send_then_outcome(
        u, frame(1, b"a", fin=False), frame(1, b"b")),
    "invalid-utf8": lambda u: send_then_outcome(u, frame(1, b"\xc0\xaf")),
    "invalid-utf8-split": lambda u: send_then_outcome(
        u, frame(1, b"caf\xc3", fin=False), frame(0, b"(")),
    "surrogate-utf8": lambda u: send_then_outcome(u, frame(1, b"\xed\xa0\x80")),
    "close-1005": lambda u: send_then_outcome(u, frame(8, close_payload(1005))),
    "close-999": lambda u: send_then_outcome(u, frame(8, close_payload(999))),
    "close-one-byte": lambda u: send_then_outcome(u, frame(8, b"\x03")),
    "close-bad-reason": lambda u: send_then_outcome(
        u, frame(8, close_payload(1000, b"\xff\xfe"))),
    "data-after-close": lambda u: send_then_outcome(
        u, frame(8, close_payload(1000)) + frame(1, b"late")),
    "half-close": lambda u: send_then_outcome(u, frame(1, b"x", fin=False),
                                              shut=True),
    # the good path, to show the server still works
    "valid": lambda u: send_then_outcome(u, frame(1, b"still fine")),
}


def rst_mid_frame(url):
    s = upgraded(url)
    s.sendall(frame(2, b"z" * 1000)[:500])
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    return "reset"


CASES["rst-mid-frame"] = rst_mid_frame


def churn(url, n):
    """Open and drop n connections: before, during and after the handshake."""
    for i in range(n):
        s = connect(url)
        try:
            kind = i % 4
            if kind == 1:
                s.sendall(request(url)[:20])
            elif kind >= 2:
                s.sendall(request(url))
                answer_head(s)
                if kind == 3:
                    s.sendall(frame(1, b"half")[:4])
            if i % 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
        except OSError:
            pass
        s.close()
    return "done %d" % n


def main():
    url = urllib.parse.urlparse(sys.argv[1])
    case = sys.argv[2]
    if case == "list":
        print("\n".join(CASES))
        return 0
    if case == "churn":
        print(churn(url, int(sys.argv[3])))
        return 0
    if case not in CASES:
        print("unknown case " + case, file=sys.stderr)
        return 2
    print(CASES[case](url))
    return 0


sys.exit(main())

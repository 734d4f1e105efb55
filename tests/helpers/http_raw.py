#!/usr/bin/python3
"""Raw HTTP/1.x against a server on 127.0.0.1, to see exactly what comes
back: send REQUEST (backslash escapes such as \\r\\n and \\x00 are decoded)
in one write, then read and parse every answer in turn, a HEAD's without
a body, and say whether the server closed the connection.

  http_raw.py PORT REQUEST [--linger SECS] [--timeout SECS]
  http_raw.py PORT --tls-hello [--timeout SECS]

REQUEST may hold several requests back to back (pipelined); their methods
tell which answers have no body. --tls-hello sends a TLS ClientHello
instead, as a wss:// client would to a ws:// port.

Prints, for each answer:
  answer N: STATUS-LINE
  header NAME: VALUE      one per field, NAME lower-cased (field names are
                          case-insensitive), or "bad header line: ..." for
                          a line that is not NAME: VALUE
  body N bytes sha256 HEX (the first 12 hex digits)
then:
  trailing N bytes        what came after the last answer expected
  closed after S s        the server closed the connection (S to 0.1 s),
  or open after S s       it kept it open for --linger SECS after the last
                          answer (default 0.5), or --timeout SECS in all
                          (default 10) ran out
Exit 0 whatever was received (the caller checks the lines); 1 if the
connection could not be made.
"""
import argparse
import hashlib
import re
import socket
import ssl
import sys
import time

TOKEN = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def client_hello():
    """The first flight of a TLS client, taken from a memory BIO."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def parse(buf, methods):
    """Yield printed lines for each answer in buf; return the bytes used."""
    lines, pos = [], 0
    for n, method in enumerate(methods, 1):
        end = buf.find(b"\r\n\r\n", pos)
        if end < 0:
            break
        head = buf[pos:end].split(b"\r\n")
        lines.append("answer %d: %s" % (n, head[0].decode("latin-1")))
        length = 0
        for h in head[1:]:
            name, sep, value = h.partition(b":")
            if not sep or not TOKEN.match(name):
                lines.append("bad header line: %r" % h)
                continue
            value = value.strip(b" \t").decode("latin-1")
            lines.append("header %s: %s" % (name.decode().lower(), value))
            if name.lower() == b"content-length":
                length = int(value)
        status = head[0].split(b" ")[1] if b" " in head[0] else b""
        if method == "HEAD" or status in (b"204", b"304") or status.startswith(b"1"):
            length = 0
        body = buf[end + 4:end + 4 + length]
        if len(body) < length:
            lines.append("body %d of %d bytes (cut short)" % (len(body), length))
            pos = len(buf)
            break
        lines.append("body %d bytes sha256 %s" % (length, hashlib.sha256(body).hexdigest()[:12]))
        pos = end + 4 + length
    return lines, pos


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("port", type=int)
    p.add_argument("request", nargs="?")
    p.add_argument("--tls-hello", action="store_true")
    p.add_argument("--linger", type=float, default=0.5)
    p.add_argument("--timeout", type=float, default=10)
    args = p.parse_args()
    if args.tls_hello:
        data, methods = client_hello(), ["TLS"]
    else:
        data = args.request.encode("latin-1").decode("unicode_escape").encode("latin-1")
        methods = [m.decode() for m in re.findall(rb"(?:^|\r\n\r\n)([A-Z]+) ", data)]
    try:
        s = socket.create_connection(("127.0.0.1", args.port), timeout=5)
    except OSError as e:
        print("could not connect: %s" % e)
        return 1
    t0 = time.monotonic()
    s.sendall(data)
    buf, closed, done_at = b"", False, None
    while True:
        now = time.monotonic()
        if now - t0 >= args.timeout or (done_at is not None and now - done_at >= args.linger):
            break
        limit = t0 + args.timeout
        if done_at is not None:
            limit = min(limit, done_at + args.linger)
        s.settimeout(max(0.01, limit - now))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            closed = True
            break
        buf += chunk
        if done_at is None:
            lines, pos = parse(buf, methods)
            if sum(line.startswith("body ") for line in lines) == len(methods):
                done_at = time.monotonic()
    elapsed = time.monotonic() - t0
    lines, pos = parse(buf, methods)
    for line in lines:
        print(line)
    print("trailing %d bytes" % (len(buf) - pos))
    print("%s after %.1f s" % ("closed" if closed else "open", elapsed))
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""A raw-socket WebSocket peer (no WebSocket library), both roles, playing
the RFC 6455 / RFC 7692 cases of two tables below: CLIENT_CASES against a
server (wsx serve), SERVER_CASES against a client (wsx pipe) it starts.

  ws_peer.py client URL CASE      play CASE as the client against URL
  ws_peer.py server CASE CMD...   listen on 127.0.0.1 (port 0), print
                                  "listening on ws://127.0.0.1:PORT", run
                                  CMD plus the case's arguments plus that
                                  URL as the client, play CASE as its server
  ws_peer.py serve-args CASE      the `wsx serve` options CASE needs
  ws_peer.py list client|server   the cases: NAME<TAB>what it checks

A case is a handshake, then steps (send frames exactly as described: any
opcode, FIN, RSV bits, masked or not, a chosen length form or a false
length, split into TCP writes of given sizes with pauses; read; close) and
the transcript expected back, one canonical line per event:

  http STATUS [PROBLEM]     the answer's status (101: Accept, Upgrade and
                            Connection checked; a problem is named)
  header NAME: VALUE        a header the case shows ("(absent)" if absent)
  ext ...                   Sec-WebSocket-Extensions, checked against the
                            offer: "ext none", "ext permessage-deflate[;
                            what the offer required]", "ext invalid: ..."
  text "..." / binary ...   a whole message (fragments joined, inflated);
                            long ones as "N bytes sha256:..."
  ping / pong "..."         control frames
  close CODE / close        a Close frame (code, or no payload)
  eof / reset               the peer closed TCP (FIN / RST; after a
                            Close, an RST counts as eof)
  timeout                   nothing came within the wait
  exit N / exit timeout     (server role) the client's exit status
  stdout "..."              (server role) what the client printed
  masks distinct            (server role) every frame had a new mask key
A frame that breaks the RFC in itself gets tags on its line: masked or
unmasked (the wrong way for its sender), nonminimal (length), rsvN,
fragmented-control, control>125, bad-utf8. Reading goes on after a Close
until TCP ends, so whatever follows a Close is in the transcript too.

As the client, a Close from the server is answered with its code (unless
ours went first) and the server is left to close TCP. As the server, when
the steps are done: the client's Close is awaited and answered, then we
close TCP (at once after an answer other than 101), and the client has
WS_PEER_TIMEOUT to exit.

Prints "ok CASE" and exits 0 when the transcript is the expected one;
otherwise prints the expected and the received transcript and the whole
dialogue with times, and exits 1. WS_PEER_TIMEOUT (seconds, default 2) is
how long one wait lasts. Run with /usr/bin/python3."""
import base64
import hashlib
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
import zlib

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10
TIMEOUT = float(os.environ.get("WS_PEER_TIMEOUT", "2"))
RNG = random.Random(6455)


def accept_of(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def xor_mask(data, key):
    if not data:
        return b""
    n = len(data)
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


def show(data, limit=48):
    """Bytes as the transcript shows them: escaped, or length and digest."""
    if len(data) > limit:
        return "%d bytes sha256:%s" % (len(data), hashlib.sha256(data).hexdigest()[:12])
    out = ""
    for b in data:
        c = chr(b)
        out += c if 32 <= b < 127 and c not in '"\\' else "\\x%02x" % b
    return '"%s"' % out


def pattern(n, seed=1):
    return random.Random(seed).randbytes(n)


# ---------------------------------------------------------------- frames

class F:
    """A frame to send. mask=None: masked as a client, unmasked as a server.
    form=16/64 forces that length encoding; length= declares a false one;
    deflate=True compresses the payload as a whole message (RSV1 set)."""

    def __init__(self, op, payload=b"", fin=True, rsv=0, mask=None, key=None,
                 form=None, length=None, deflate=False):
        self.op, self.payload, self.fin, self.rsv = op, payload, fin, rsv
        self.mask, self.key, self.form, self.length = mask, key, form, length
        self.deflate = deflate

    def encode(self, peer):
        payload, rsv = self.payload, self.rsv
        if self.deflate:
            payload, rsv = peer.compress(payload), rsv | 4
        mask = peer.role == "client" if self.mask is None else self.mask
        n = len(payload) if self.length is None else self.length
        form = self.form or (7 if n < 126 else 16 if n < 65536 else 64)
        head = bytes([(0x80 if self.fin else 0) | (rsv << 4) | self.op])
        m = 0x80 if mask else 0
        if form == 7:
            head += bytes([m | n])
        elif form == 16:
            head += bytes([m | 126]) + struct.pack("!H", n)
        else:
            head += bytes([m | 127]) + struct.pack("!Q", n)
        if not mask:
            return head + payload
        key = self.key or bytes(RNG.getrandbits(8) for _ in range(4))
        return head + key + xor_mask(payload, key)

    def describe(self):
        names = {0: "cont", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong"}
        d = "%s %s" % (names.get(self.op, "opcode %d" % self.op), show(self.payload))
        if self.op == CLOSE and len(self.payload) >= 2:
            d = "close %d %s" % (struct.unpack("!H", self.payload[:2])[0],
                                 show(self.payload[2:]))
        for flag, on in (("fin=0", not self.fin), ("rsv=%d" % self.rsv, self.rsv),
                         ("deflate", self.deflate), ("form=%s" % self.form, self.form),
                         ("length=%s" % self.length, self.length is not None),
                         ("masked" if self.mask else "unmasked", self.mask is not None)):
            if on:
                d += " " + flag
        return d


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


def deflated(op, data, parts=1, rsv_on_all=False):
    """A message compressed whole, its compressed bytes cut into `parts`
    frames (RSV1 on the first only, unless rsv_on_all): a step."""
    def step(p):
        z = p.compress(data)
        cuts = [len(z) * i // parts for i in range(parts + 1)]
        frames = []
        for i in range(parts):
            first, last = i == 0, i == parts - 1
            rsv = 4 if first or rsv_on_all else 0
            frames.append(F(op if first else CONT, z[cuts[i]:cuts[i + 1]], fin=last, rsv=rsv))
        p.send_frames(frames, "deflated %s in %d frame(s)" % (show(data), parts))
    return step


def fragments(op, data, parts):
    """A message cut into `parts` frames of (nearly) equal size."""
    cuts = [len(data) * i // parts for i in range(parts + 1)]
    return [F(op if i == 0 else CONT, data[cuts[i]:cuts[i + 1]], fin=i == parts - 1)
            for i in range(parts)]


# ---------------------------------------------------------------- steps

def Send(*frames, writes=None, pause=0.0):
    """Send frames (F or raw bytes) in one write, or in writes of `writes`
    bytes (an int, or a list of sizes), `pause` seconds apart."""
    return lambda p: p.send_frames(list(frames), writes=writes, pause=pause)


def Close(code=None, reason=b"", **kw):
    payload = b"" if code is None else close_payload(code, reason)
    return Send(F(CLOSE, payload), **kw)


def Recv(n):
    """Read until n more transcript lines (or the end of the connection)."""
    return lambda p: p.read_lines(n)


def UntilClose():
    """Read until the peer's Close frame (at once if it came already)."""
    return lambda p: p.read_until_close()


def Watch(secs):
    """Read for `secs` seconds: whatever comes is in the transcript."""
    return lambda p: p.watch(secs)


def CloseTCP():
    return lambda p: p.close_tcp()


def CheckMasks():
    return lambda p: p.check_masks()


def Sleep(secs):
    return lambda p: time.sleep(secs)


# ---------------------------------------------------------------- the peer

class Peer:
    def __init__(self, role, sock):
        self.role = role                   # what we are: client or server
        self.sock = sock
        self.buf = bytearray()
        self.got = []                      # the transcript
        self.log = []                      # the dialogue, with times
        self.t0 = time.monotonic()
        self.ended = sock is None          # TCP ended (either way)
        self.sent_close = False
        self.got_close = False
        self.auto_close_reply = role == "client"
        self.close_reply = b""             # the code of the peer's Close
        self.msg = None                    # [opcode, data, compressed, tags]
        self.masks = []                    # the peer's mask keys
        self.pmd = None                    # negotiated deflate parameters
        self.comp = self.inflater = None

    # -- records
    def note(self, text):
        self.log.append("%+8.3f %s" % (time.monotonic() - self.t0, text))

    def line(self, text):
        self.got.append(text)
        self.note("< " + text)

    # -- sending
    def write(self, data, writes=None, pause=0.0):
        if self.ended:
            self.note("  (not sent: the connection is gone)")
            return
        if writes is None:
            sizes = [len(data)]
        elif isinstance(writes, int):
            sizes = [writes] * ((len(data) + writes - 1) // writes)
        else:
            sizes = list(writes) + [len(data) - sum(writes)]
        off = 0
        try:
            for i, n in enumerate(sizes):
                if n <= 0:
                    continue
                if i and pause:
                    time.sleep(pause)
                self.sock.sendall(data[off:off + n])
                off += n
        except OSError as e:
            self.note("  (write failed after %d of %d bytes: %s)" % (off, len(data), e))

    def send_frames(self, frames, label=None, writes=None, pause=0.0):
        data = b""
        for f in frames:
            if isinstance(f, F):
                data += f.encode(self)
                if f.op == CLOSE:
                    self.sent_close = True
                if label is None:
                    self.note("> " + f.describe())
            else:
                data += f
                if label is None:
                    self.note("> raw %s" % show(f))
        if label:
            self.note("> " + label)
        if writes is not None or len(frames) > 1:
            self.note("  (%d bytes%s)" % (len(data), "" if writes is None else
                                          " in writes of %s, %.3f s apart" % (writes, pause)))
        self.write(data, writes, pause)

    def close_tcp(self):
        if self.sock is None:
            return
        if not self.ended:
            self.note("> (we close TCP)")
        self.ended = True
        self.sock.close()
        self.sock = None

    # -- deflate (RFC 7692)
    def compress(self, data):
        p = self.pmd or {}
        bits = p.get("client_max_window_bits" if self.role == "client"
                      else "server_max_window_bits") or 15
        fresh = p.get("client_no_context_takeover" if self.role == "client"
                      else "server_no_context_takeover")
        if self.comp is None or fresh:
            # zlib has no raw deflate with an 8-bit window: stored blocks
            # refer to nothing, so they fit any window
            level = zlib.Z_DEFAULT_COMPRESSION if bits > 8 else 0
            self.comp = zlib.compressobj(level, zlib.DEFLATED, -max(bits, 9))
        z = self.comp.compress(data) + self.comp.flush(zlib.Z_SYNC_FLUSH)
        assert z.endswith(b"\x00\x00\xff\xff")
        return z[:-4]

    def inflate(self, data):
        p = self.pmd or {}
        bits = p.get("server_max_window_bits" if self.role == "client"
                     else "client_max_window_bits") or 15
        fresh = p.get("server_no_context_takeover" if self.role == "client"
                      else "client_no_context_takeover")
        if self.inflater is None or fresh:
            self.inflater = zlib.decompressobj(-bits)
        return self.inflater.decompress(data + b"\x00\x00\xff\xff", 1 << 26)

    # -- receiving
    def fill(self, deadline):
        """Read more bytes; False once TCP ended or the deadline passed."""
        if self.ended:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.sock], [], [], left)
        if not r:
            return False
        try:
            data = self.sock.recv(1 << 20)
        except ConnectionResetError:
            self.ended = True
            self.line("eof" if self.got_close else "reset")
            return False
        except OSError as e:
            self.ended = True
            self.line("error %s" % e)
            return False
        if not data:
            self.ended = True
            self.line("eof")
            return False
        self.buf += data
        return True

    def parse_frame(self):
        """One whole frame out of the buffer, or None."""
        b = self.buf
        if len(b) < 2:
            return None
        b0, b1 = b[0], b[1]
        n, off, tags = b1 & 0x7F, 2, []
        if n == 126:
            if len(b) < 4:
                return None
            n, off = struct.unpack("!H", b[2:4])[0], 4
            if n < 126:
                tags.append("nonminimal")
        elif n == 127:
            if len(b) < 10:
                return None
            n, off = struct.unpack("!Q", b[2:10])[0], 10
            if n < 65536:
                tags.append("nonminimal")
            if n >> 63:
                tags.append("length-top-bit")
                n = 0
        masked = bool(b1 & 0x80)
        key = None
        if masked:
            if len(b) < off + 4:
                return None
            key, off = bytes(b[off:off + 4]), off + 4
        if len(b) < off + n:
            return None
        payload = bytes(b[off:off + n])
        del b[:off + n]
        if masked:
            payload = xor_mask(payload, key)
            self.masks.append(key)
        if masked and self.role == "client":
            tags.append("masked")
        if not masked and self.role == "server":
            tags.append("unmasked")
        return b0 & 0x0F, bool(b0 & 0x80), (b0 >> 4) & 7, payload, tags

    def next_lines(self, deadline):
        """Read until at least one transcript line more: a frame's, "eof",
        "reset" or "timeout". False if the connection had ended already."""
        start = len(self.got)
        while len(self.got) == start:
            fr = self.parse_frame()
            if fr is not None:
                self.on_frame(*fr)
            elif self.ended:
                return False
            elif not self.fill(deadline) and not self.ended:
                self.line("timeout")
        return True

    def on_frame(self, op, fin, rsv, payload, tags):
        names = {TEXT: "text", BINARY: "binary", PING: "ping", PONG: "pong", CLOSE: "close"}
        if op >= 8:
            if not fin:
                tags.append("fragmented-control")
            if len(payload) > 125:
                tags.append("control>125")
        if rsv & 4 and (op >= 8 or op == CONT or self.pmd is None):
            tags.append("rsv1")
        for bit, name in ((2, "rsv2"), (1, "rsv3")):
            if rsv & bit:
                tags.append(name)
        extra = "".join(" " + t for t in tags)
        if op in (CLOSE, PING, PONG):
            if op == CLOSE:
                self.on_close(payload, extra)
            else:
                self.line("%s %s%s" % (names[op], show(payload), extra))
                if op == PING and not self.sent_close:
                    self.send_frames([F(PONG, payload)])
            return
        if op not in (CONT, TEXT, BINARY):
            self.line("opcode %d %s%s" % (op, show(payload), extra))
            return
        if op == CONT and self.msg is None:
            self.line("cont-without-message %s%s" % (show(payload), extra))
            return
        if op != CONT and self.msg is not None:
            self.line("new-message-inside-fragmented%s" % extra)
            self.msg = None
        if op != CONT:
            self.msg = [op, bytearray(), bool(rsv & 4 and self.pmd is not None), extra]
        elif extra:
            self.msg[3] += extra
        self.msg[1] += payload
        if not fin:
            return
        op, data, compressed, extra = self.msg
        self.msg = None
        data = bytes(data)
        if compressed:
            try:
                data = self.inflate(data)
            except zlib.error as e:
                self.line("%s inflate-error (%s)%s" % (names[op], e, extra))
                return
        if op == TEXT:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                extra += " bad-utf8"
        self.line("%s %s%s" % (names[op], show(data), extra))

    def on_close(self, payload, extra):
        if len(payload) == 0:
            self.line("close" + extra)
        elif len(payload) == 1:
            self.line("close %s%s" % (show(payload), extra))
        else:
            code = struct.unpack("!H", payload[:2])[0]
            reason = payload[2:]
            try:
                reason.decode("utf-8")
            except UnicodeDecodeError:
                extra += " bad-utf8-reason"
            self.line("close %d%s" % (code, extra))
            self.note("  (its reason: %s)" % show(reason, 125))
        self.got_close = True
        self.close_reply = payload[:2] if len(payload) >= 2 else b""
        if self.auto_close_reply and not self.sent_close:
            self.send_frames([F(CLOSE, self.close_reply)])

    def read_lines(self, n):
        deadline = time.monotonic() + TIMEOUT
        for _ in range(n):
            if not self.next_lines(deadline) or self.got[-1] == "timeout":
                return

    def read_until_close(self):
        deadline = time.monotonic() + TIMEOUT
        while not self.got_close:
            if not self.next_lines(deadline) or self.got[-1] == "timeout":
                return

    def read_to_end(self):
        deadline = time.monotonic() + TIMEOUT
        while self.next_lines(deadline) and self.got[-1] != "timeout":
            pass

    def watch(self, secs):
        deadline = time.monotonic() + secs
        self.note("  (watching %.1f s)" % secs)
        while not self.ended and time.monotonic() < deadline:
            fr = self.parse_frame()
            if fr is not None:
                self.on_frame(*fr)
            elif not self.fill(deadline):
                break

    def check_masks(self):
        n, d = len(self.masks), len(set(self.masks))
        if n and n == d and b"\0\0\0\0" not in self.masks:
            self.line("masks distinct")
        else:
            self.line("masks: %d distinct keys in %d frames" % (d, n))


# ---------------------------------------------------------------- handshakes

def tokens(value):
    return [t.strip().lower() for t in value.split(",")]


def parse_extensions(value):
    """[(name, {param: value or True})] of a Sec-WebSocket-Extensions value."""
    out = []
    for ext in value.split(","):
        parts = [x.strip() for x in ext.split(";")]
        params = {}
        for prm in parts[1:]:
            if "=" in prm:
                k, v = prm.split("=", 1)
                params[k.strip().lower()] = v.strip().strip('"')
            elif prm:
                params[prm.lower()] = True
        out.append((parts[0].lower(), params))
    return out


def check_deflate_answer(offer, value):
    """The ext line for the server's answer `value` to our `offer`, and the
    parameters in force (None unless it is a valid acceptance)."""
    if value is None:
        return "ext none", None
    exts = parse_extensions(value)
    if len(exts) != 1 or exts[0][0] != "permessage-deflate":
        return "ext invalid: %r" % value, None
    params = exts[0][1]
    offered = parse_extensions(offer)[0][1] if offer else {}
    pmd, shown, bad = {}, [], []
    for k, v in params.items():
        if k in ("server_no_context_takeover", "client_no_context_takeover"):
            if v is not True:
                bad.append(k + " has a value")
            pmd[k] = True
        elif k in ("server_max_window_bits", "client_max_window_bits"):
            if k == "client_max_window_bits" and k not in offered:
                bad.append(k + " not offered")
            if v is True or not v.isdigit() or not 8 <= int(v) <= 15:
                bad.append("%s=%s" % (k, v))
                continue
            pmd[k] = int(v)
        else:
            bad.append("unknown %s" % k)
    if "server_no_context_takeover" in offered:
        if "server_no_context_takeover" in pmd:
            shown.append("server_no_context_takeover")
        else:
            bad.append("server_no_context_takeover offered, not in the answer")
    if "server_max_window_bits" in offered:
        want = int(offered["server_max_window_bits"])
        got = pmd.get("server_max_window_bits")
        if got is not None and got <= want:
            shown.append("server_max_window_bits<=%d" % want)
        else:
            bad.append("server_max_window_bits=%s, offered %d" % (got, want))
    if bad:
        return "ext invalid: %s (%r)" % ("; ".join(bad), value), None
    if offered.get("client_no_context_takeover"):
        pmd["client_no_context_takeover"] = True
    return "; ".join(["ext permessage-deflate"] + shown), pmd


class Handshake:
    """The client's opening request. Everything can be wrong: method,
    version, key (None: no header), host (None: no header), drop= header
    names left out, replace= {name: value}, add= extra lines, ext= an
    offer, show= answer headers to put in the transcript."""

    def __init__(self, method="GET", path="/", version="13", key="random",
                 host="default", drop=(), replace=None, add=(), ext=None, show=()):
        self.method, self.path, self.version = method, path, version
        self.key, self.host, self.drop = key, host, [d.lower() for d in drop]
        self.replace = replace or {}
        self.add, self.ext, self.show = list(add), ext, show

    def request(self, url):
        key = base64.b64encode(os.urandom(16)).decode() if self.key == "random" else self.key
        host = "%s:%d" % (url.hostname, url.port) if self.host == "default" else self.host
        headers = [("Host", host), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
                   ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", self.version)]
        if self.ext:
            headers.append(("Sec-WebSocket-Extensions", self.ext))
        lines = ["%s %s HTTP/1.1" % (self.method, self.path)]
        for name, value in headers:
            if name.lower() in self.drop or value is None:
                continue
            lines.append("%s: %s" % (name, self.replace.get(name, value)))
        lines += self.add
        return ("\r\n".join(lines) + "\r\n\r\n").encode(), key

    def play(self, p, url):
        data, key = self.request(url)
        for l in data.decode().split("\r\n")[:-2]:
            p.note("> " + l)
        p.write(data)
        head = b""
        deadline = time.monotonic() + TIMEOUT
        while b"\r\n\r\n" not in head:
            if not p.buf and not p.fill(deadline):
                if not p.ended:
                    p.line("timeout")
                return False
            head += bytes(p.buf[:1])
            del p.buf[:1]
        text = head.decode("latin-1")
        lines = text.split("\r\n")
        for l in lines[:-2]:
            p.note("< " + l)
        status = lines[0].split()
        status = status[1] if len(status) > 1 else "?"
        headers = {}
        for l in lines[1:]:
            if ":" in l:
                k, v = l.split(":", 1)
                k = k.strip().lower()
                headers[k] = headers[k] + ", " + v.strip() if k in headers else v.strip()
        problems = []
        if status == "101":
            if headers.get("sec-websocket-accept") != accept_of(key or ""):
                problems.append("bad-accept")
            if headers.get("upgrade", "").lower() != "websocket":
                problems.append("no-upgrade")
            if "upgrade" not in tokens(headers.get("connection", "")):
                problems.append("no-connection-upgrade")
        p.line(" ".join(["http " + status] + problems))
        for name in self.show:
            p.line("header %s: %s" % (name.lower(), headers.get(name.lower(), "(absent)")))
        if status == "101":
            answer = headers.get("sec-websocket-extensions")
            if self.ext or answer is not None:
                line, p.pmd = check_deflate_answer(self.ext, answer)
                if not self.ext:
                    line = "ext unsolicited: %r" % answer
                    p.pmd = None
                p.line(line)
        return status == "101"


class Answer:
    """The server's answer to the client's request: status, a wrong Accept
    (accept="bad"), headers left out or added, a body."""

    def __init__(self, status=101, accept="good", drop=(), add=(), body=b""):
        self.status, self.accept = status, accept
        self.drop, self.add, self.body = [d.lower() for d in drop], list(add), body

    def play(self, p):
        head = b""
        deadline = time.monotonic() + TIMEOUT
        while b"\r\n\r\n" not in head:
            if not p.buf and not p.fill(deadline):
                if not p.ended:
                    p.line("no request")
                return False
            head += bytes(p.buf[:1])
            del p.buf[:1]
        lines = head.decode("latin-1").split("\r\n")[:-2]
        for l in lines:
            p.note("> " + l)
        req = lines[0].split()
        headers = {}
        for l in lines[1:]:
            if ":" in l:
                k, v = l.split(":", 1)
                headers.setdefault(k.strip().lower(), []).append(v.strip())
        one = lambda k: headers.get(k, [""])[0] if len(headers.get(k, [])) == 1 else None
        problems = []
        if len(req) != 3 or req[0] != "GET" or req[2] != "HTTP/1.1":
            problems.append("request line %r" % lines[0])
        if not one("host"):
            problems.append("Host")
        if (one("upgrade") or "").lower() != "websocket":
            problems.append("Upgrade")
        if "upgrade" not in tokens(",".join(headers.get("connection", []))):
            problems.append("Connection")
        key = one("sec-websocket-key") or ""
        try:
            if len(base64.b64decode(key, validate=True)) != 16:
                problems.append("Sec-WebSocket-Key")
        except ValueError:
            problems.append("Sec-WebSocket-Key")
        if one("sec-websocket-version") != "13":
            problems.append("Sec-WebSocket-Version")
        if problems:
            p.line("request bad: " + ", ".join(problems))
        reasons = {101: "Switching Protocols", 200: "OK", 403: "Forbidden", 404: "Not Found"}
        out = ["HTTP/1.1 %d %s" % (self.status, reasons.get(self.status, "Status"))]
        if self.status == 101:
            acc = accept_of(key) if self.accept == "good" else accept_of("not the key")
            for name, value in (("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                ("Sec-WebSocket-Accept", acc)):
                if name.lower() not in self.drop:
                    out.append("%s: %s" % (name, value))
        else:
            out += ["Content-Length: %d" % len(self.body), "Connection: close"]
        out += self.add
        for l in out:
            p.note("< " + l)
        p.write(("\r\n".join(out) + "\r\n\r\n").encode() + self.body)
        return True


# ---------------------------------------------------------------- cases

class Case:
    def __init__(self, name, title, steps, expect, handshake=None, args=(),
                 stdin=None, stderr_has=None):
        self.name, self.title, self.steps = name, title, steps
        self.expect, self.handshake, self.args = expect, handshake, list(args)
        self.stdin, self.stderr_has = stdin, stderr_has


CLIENT_CASES = {}   # we are the client: cases against wsx serve
SERVER_CASES = {}   # we are the server: cases against wsx pipe


def client_case(name, title, steps, expect, handshake=None, args=("--echo",)):
    """expect: the transcript after "http 101" (added unless a handshake
    is given, whose expectations then start with the status)."""
    if handshake is None:
        expect = ["http 101"] + expect
    CLIENT_CASES[name] = Case(name, title, steps, expect, handshake, args)


def server_case(name, title, steps, expect, answer=None, args=(), stdin=None,
                stderr_has=None):
    """stdin: bytes the client reads (then EOF), or None: left open."""
    c = Case(name, title, steps, expect, answer or Answer(), args, stdin, stderr_has)
    SERVER_CASES[name] = c


FAIL = lambda code: ["close %d" % code, "eof"]
BYE = [Close(1000)]
CLOSED = ["close 1000", "eof"]

# -- the opening handshake
client_case("handshake-ok", "a good request gets 101 with the right Accept, "
            "Upgrade and Connection, no extension", BYE, CLOSED)
client_case("post", "an upgrade by POST gets 405", [], ["http 405"],
            handshake=Handshake(method="POST"))
client_case("no-upgrade-header", "Connection: Upgrade without an Upgrade header gets 400",
            [], ["http 400"], handshake=Handshake(drop=["Upgrade"]))
client_case("connection-without-upgrade", "Upgrade: websocket with Connection: keep-alive "
            "gets 400",
            [], ["http 400"], handshake=Handshake(replace={"Connection": "keep-alive"}))
client_case("version-8", "version 8 gets 426 naming version 13", [],
            ["http 426", "header sec-websocket-version: 13"],
            handshake=Handshake(version="8", show=["Sec-WebSocket-Version"]))
client_case("key-15-bytes", "a key of 15 bytes (base64) gets 400", [], ["http 400"],
            handshake=Handshake(key=base64.b64encode(b"fifteen bytes!!").decode()))
client_case("key-not-base64", "a key that is not base64 gets 400", [], ["http 400"],
            handshake=Handshake(key="!!not-base64-at-all!!!=="))
client_case("no-key", "no key gets 400", [], ["http 400"], handshake=Handshake(key=None))
client_case("no-host", "no Host header gets 400", [], ["http 400"],
            handshake=Handshake(host=None))

# -- masking, control frames
client_case("unmasked", "an unmasked client frame: Close 1002, then the server closes TCP",
            [Send(F(TEXT, b"hi", mask=False))], FAIL(1002))
client_case("ten-pings", "ten pings in one write: ten pongs, in order, same payloads",
            [Send(*[F(PING, b"ping-%d" % i) for i in range(10)]), Recv(10)] + BYE,
            ['pong "ping-%d"' % i for i in range(10)] + CLOSED)
client_case("ping-125", "a ping of 125 bytes gets its pong",
            [Send(F(PING, b"p" * 125)), Recv(1)] + BYE, ["pong " + show(b"p" * 125)] + CLOSED)
client_case("ping-126", "a ping of 126 bytes: 1002", [Send(F(PING, b"p" * 126))], FAIL(1002))
client_case("ping-fragmented", "a ping without FIN: 1002", [Send(F(PING, b"p", fin=False))],
            FAIL(1002))
client_case("pong-unsolicited", "an unsolicited pong is ignored",
            [Send(F(PONG, b"unasked"), F(TEXT, b"after")), Recv(1)] + BYE,
            ['text "after"'] + CLOSED)
for op in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15):
    client_case("opcode-%d" % op, "reserved opcode %d: 1002" % op, [Send(F(op, b"x"))],
                FAIL(1002))
for bit, rsv in ((1, 4), (2, 2), (3, 1)):
    client_case("rsv%d" % bit, "RSV%d without an extension: 1002" % bit,
                [Send(F(TEXT, b"x", rsv=rsv))], FAIL(1002))

# -- fragmentation
client_case("continuation-first", "a continuation with no message under way: 1002",
            [Send(F(CONT, b"x"))], FAIL(1002))
client_case("text-inside-fragmented", "a new text message while a fragmented one is open: 1002",
            [Send(F(TEXT, b"a", fin=False), F(TEXT, b"b"))], FAIL(1002))
client_case("ping-inside-fragmented", "a ping between fragments is answered, the message "
            "echoed whole",
            [Send(F(TEXT, b"frag", fin=False), F(PING, b"p"), F(CONT, b"ment")), Recv(2)] + BYE,
            ['pong "p"', 'text "fragment"'] + CLOSED)
client_case("valid-then-bad", "a message then a bad frame in one write: the echo, "
            "then Close 1002, then nothing",
            [Send(F(TEXT, b"valid"), F(5, b"x"))], ['text "valid"'] + FAIL(1002))
client_case("big-valid-then-bad", "a 200000-byte message then a stray continuation in one "
            "write: the echo, then Close 1002, then nothing",
            [Send(F(BINARY, pattern(200000)), F(CONT, b"x"))],
            ["binary " + show(pattern(200000))] + FAIL(1002))

# -- UTF-8
client_case("utf8-invalid", "invalid UTF-8 in a text message: 1007",
            [Send(F(TEXT, b"abc\xff"))], FAIL(1007))
client_case("utf8-overlong", "an overlong encoding (C0 AF): 1007",
            [Send(F(TEXT, b"\xc0\xaf"))], FAIL(1007))
client_case("utf8-surrogate", "a UTF-16 surrogate (ED A0 80): 1007",
            [Send(F(TEXT, b"\xed\xa0\x80"))], FAIL(1007))
client_case("utf8-above-max", "a code point above U+10FFFF (F4 90 80 80): 1007",
            [Send(F(TEXT, b"\xf4\x90\x80\x80"))], FAIL(1007))
client_case("utf8-fail-fast", "a first fragment with a bad byte: 1007 before the last "
            "fragment is sent",
            [Send(F(TEXT, b"hello \xff", fin=False)), UntilClose(), Send(F(CONT, b"world"))],
            FAIL(1007))
client_case("utf8-fail-fast-partial", "a first fragment ending in F4 90 (never valid): 1007 "
            "before the last fragment is sent",
            [Send(F(TEXT, b"hello \xf4\x90", fin=False)), UntilClose(),
             Send(F(CONT, b"\x80\x80"))], FAIL(1007))
client_case("utf8-split-valid", "a character split across fragments is fine",
            [Send(F(TEXT, b"caf\xc3", fin=False), F(CONT, b"\xa9")), Recv(1)] + BYE,
            ['text "caf\\xc3\\xa9"'] + CLOSED)
client_case("utf8-split-invalid", "a character split across fragments, continued wrongly: 1007",
            [Send(F(TEXT, b"caf\xc3", fin=False), F(CONT, b"("))], FAIL(1007))

# -- the closing handshake
client_case("close-reason-bad-utf8", "a close reason that is not UTF-8: 1007",
            [Send(F(CLOSE, close_payload(1000, b"\xff\xfe")))], FAIL(1007))
client_case("close-1-byte", "a close payload of 1 byte: 1002",
            [Send(F(CLOSE, b"\x03"))], FAIL(1002))
client_case("close-empty", "a Close with no payload is answered with an empty Close or 1000",
            [Close()], [("close", "close 1000"), "eof"])
for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2999, 5000):
    client_case("close-code-%d" % code, "close code %d: 1002" % code, [Close(code)], FAIL(1002))
for code in (1000, 1001, 1011, 3000, 4999):
    client_case("close-code-%d" % code,
                "close code %d is echoed, then the server closes TCP" % code,
                [Close(code, b"bye")], ["close %d" % code, "eof"])
client_case("clean-close", "a clean close: the echo, the code echoed, the server closes TCP first",
            [Send(F(TEXT, b"bye")), Recv(1), Close(1000, b"done")], ['text "bye"'] + CLOSED)
client_case("data-after-close", "a message after our Close is not echoed",
            [Send(F(CLOSE, close_payload(1000)), F(TEXT, b"late"))], CLOSED)

# -- sizes and lengths
MAX = ("--echo", "--max-message", "4096")
client_case("max-message-exact", "a message of exactly --max-message bytes is echoed",
            [Send(F(TEXT, b"m" * 4096)), Recv(1)] + BYE, ["text " + show(b"m" * 4096)] + CLOSED,
            args=MAX)
client_case("max-message-over", "a message one byte over --max-message: 1009",
            [Send(F(TEXT, b"m" * 4097))], FAIL(1009), args=MAX)
client_case("max-message-over-fragmented", "fragments adding up to one byte over "
            "--max-message: 1009",
            [Send(F(BINARY, b"m" * 2048, fin=False), F(CONT, b"m" * 2048, fin=False),
                  F(CONT, b"m"))], FAIL(1009), args=MAX)
client_case("length-16-for-5", "a 5-byte payload with a 16-bit length: 1002",
            [Send(F(TEXT, b"hello", form=16))], FAIL(1002))
client_case("length-64-for-5", "a 5-byte payload with a 64-bit length: 1002",
            [Send(F(TEXT, b"hello", form=64))], FAIL(1002))
client_case("length-64-for-200", "a 200-byte payload with a 64-bit length: 1002",
            [Send(F(BINARY, b"b" * 200, form=64))], FAIL(1002))
client_case("length-top-bit", "a 64-bit length with the top bit set: 1002",
            [Send(F(BINARY, b"hello", length=(1 << 63) | 5))], FAIL(1002))
SIZES = (125, 126, 65535, 65536)
client_case("sizes", "messages of 125, 126, 65535 and 65536 bytes are echoed",
            [Send(*[F(BINARY, pattern(n, n)) for n in SIZES]), Recv(4)] + BYE,
            ["binary " + show(pattern(n, n)) for n in SIZES] + CLOSED)
client_case("one-byte-writes", "frames sent one byte per TCP write are echoed",
            [Send(F(PING, b"pp"), F(TEXT, b"one byte at a time"), writes=1, pause=0.002),
             Recv(2), Close(1000, writes=1, pause=0.002)],
            ['pong "pp"', 'text "one byte at a time"'] + CLOSED)
MIB = pattern(1 << 20, 7)
client_case("mib-in-1000-fragments", "a 1 MiB binary message in 1000 fragments is echoed "
            "byte-exact", [Send(*fragments(BINARY, MIB, 1000)), Recv(1)] + BYE,
            ["binary " + show(MIB)] + CLOSED)
client_case("empty-text", "an empty text message is echoed",
            [Send(F(TEXT, b"")), Recv(1)] + BYE, ['text ""'] + CLOSED)
client_case("empty-binary", "an empty binary message is echoed",
            [Send(F(BINARY, b"")), Recv(1)] + BYE, ['binary ""'] + CLOSED)
client_case("empty-fragments", "a text message of three empty fragments is echoed empty",
            [Send(*fragments(TEXT, b"", 3)), Recv(1)] + BYE, ['text ""'] + CLOSED)
client_case("types-kept", "echoes keep text as text and binary as binary",
            [Send(F(TEXT, b"t1"), F(BINARY, b"\x00\xff"), F(TEXT, b"t2"), F(BINARY, b"b")),
             Recv(4)] + BYE,
            ['text "t1"', 'binary "\\x00\\xff"', 'text "t2"', 'binary "b"'] + CLOSED)

# -- permessage-deflate (RFC 7692), on `wsx serve --compress`
PMD = ("--echo", "--compress")
ZTEXT = b"permessage-deflate, permessage-deflate, permessage-deflate! " * 20
ZBIN = pattern(3000, 3) * 6     # repeats 3000 bytes apart: past a 1 KiB window


def pmd_case(name, title, offer, steps, expect, ext="ext permessage-deflate", args=PMD):
    client_case(name, "permessage-deflate: " + title, steps, ["http 101", ext] + expect,
                handshake=Handshake(ext=offer), args=args)


Z = "permessage-deflate"
ECHO_ZTEXT_TWICE = [deflated(TEXT, ZTEXT), Recv(1), deflated(TEXT, ZTEXT), Recv(1)] + BYE
pmd_case("pmd-offer", "an offer is accepted in the 101", Z, BYE, CLOSED)
pmd_case("pmd-echo", "compressed messages (whole and in 3 fragments) and an uncompressed "
         "one are echoed byte-exact", Z,
         ECHO_ZTEXT_TWICE[:-1] + [deflated(BINARY, ZBIN, parts=3), Recv(1),
                                  Send(F(TEXT, b"plain")), Recv(1)] + BYE,
         ["text " + show(ZTEXT)] * 2 + ["binary " + show(ZBIN), 'text "plain"'] + CLOSED)
pmd_case("pmd-client-no-context-takeover", "client_no_context_takeover: accepted, messages "
         "compressed each on its own are echoed", Z + "; client_no_context_takeover",
         ECHO_ZTEXT_TWICE, ["text " + show(ZTEXT)] * 2 + CLOSED)
pmd_case("pmd-server-no-context-takeover", "server_no_context_takeover: in the answer, and "
         "each echo inflates on its own", Z + "; server_no_context_takeover",
         ECHO_ZTEXT_TWICE, ["text " + show(ZTEXT)] * 2 + CLOSED,
         ext="ext permessage-deflate; server_no_context_takeover")
pmd_case("pmd-server-max-window-bits", "server_max_window_bits=10: answered with 10 or less, "
         "and the echo inflates with that window", Z + "; server_max_window_bits=10",
         [deflated(BINARY, ZBIN), Recv(1)] + BYE, ["binary " + show(ZBIN)] + CLOSED,
         ext="ext permessage-deflate; server_max_window_bits<=10")
pmd_case("pmd-client-max-window-bits", "client_max_window_bits offered: a valid answer, and "
         "a message compressed within its window is echoed", Z + "; client_max_window_bits",
         [deflated(BINARY, ZBIN), Recv(1)] + BYE, ["binary " + show(ZBIN)] + CLOSED)
pmd_case("pmd-bomb", "4 KiB of deflate inflating to 4 MiB, past --max-message 65536: 1009",
         Z, [deflated(BINARY, bytes(4 << 20))], FAIL(1009),
         args=PMD + ("--max-message", "65536"))
pmd_case("pmd-rsv1-continuation", "RSV1 on a continuation frame: 1002", Z,
         [deflated(TEXT, ZTEXT, parts=2, rsv_on_all=True)], FAIL(1002))
pmd_case("pmd-rsv1-ping", "RSV1 on a ping: 1002", Z, [Send(F(PING, b"x", rsv=4))], FAIL(1002))

# -- against a client (wsx pipe): we are the server
EXIT6 = lambda code: ["close %d" % code, "exit 6"]
server_case("masked-frame", "a masked frame from the server: Close 1002, exit 6",
            [Send(F(TEXT, b"masked", mask=True))], EXIT6(1002))
server_case("utf8-fail-fast", "invalid UTF-8 in a first fragment: 1007 before the last "
            "fragment is sent, exit 6",
            [Send(F(TEXT, b"hello \xff", fin=False)), UntilClose(), Send(F(CONT, b"world"))],
            EXIT6(1007))
server_case("utf8-fail-fast-partial", "a first fragment ending in F4 90 (never valid): 1007 "
            "before the last fragment is sent",
            [Send(F(TEXT, b"hello \xf4\x90", fin=False)), UntilClose(),
             Send(F(CONT, b"\x80\x80"))], EXIT6(1007))
server_case("utf8-invalid", "invalid UTF-8 in a text message: 1007, exit 6",
            [Send(F(TEXT, b"abc\xff"))], EXIT6(1007))
server_case("bad-accept", "a wrong Sec-WebSocket-Accept: no frame sent, exit 6",
            [], ["eof", "exit 6"], answer=Answer(accept="bad"))
server_case("status-200", "200 instead of 101: exit 4, the status printed",
            [], ["exit 4"], answer=Answer(status=200, body=b"hello"), stderr_has="200")
server_case("status-403", "403 instead of 101: exit 4, the status printed",
            [], ["exit 4"], answer=Answer(status=403), stderr_has="403")
server_case("pings", "five pings in one write: five pongs in order, same payloads",
            [Send(*[F(PING, b"p%d" % i) for i in range(5)]), Recv(5), Close(1000)],
            ['pong "p%d"' % i for i in range(5)] + ["close 1000", "exit 0"])
server_case("clean-close", "after stdin's EOF: Close 1000, then wsx waits for the server's "
            "Close and for the server to close TCP",
            [Recv(1), UntilClose(), Watch(0.5), Close(1000), Watch(0.5), CloseTCP()],
            ['text "hello"', "close 1000", "exit 0"], stdin=b"hello\n")
server_case("fresh-masks", "every frame from wsx is masked, each with a new key",
            [Recv(20), UntilClose(), Close(1000), CloseTCP(), CheckMasks()],
            ['text "m%d"' % i for i in range(20)] + ["close 1000", "masks distinct", "exit 0"],
            stdin=b"".join(b"m%d\n" % i for i in range(20)))
for code, status in ((1000, 0), (1001, 0), (3000, 6)):
    server_case("server-close-%d" % code, "a server Close %d is answered with %d, wsx waits "
                "for TCP to close, exit %d" % (code, code, status),
                [Close(code, b"bye"), UntilClose(), Watch(0.5), CloseTCP()],
                ["close %d" % code, "exit %d" % status])
server_case("length-16-for-5", "a 5-byte payload with a 16-bit length: 1002, exit 6",
            [Send(F(TEXT, b"hello", form=16))], EXIT6(1002))
server_case("length-64-for-5", "a 5-byte payload with a 64-bit length: 1002, exit 6",
            [Send(F(TEXT, b"hello", form=64))], EXIT6(1002))
server_case("reserved-opcode", "reserved opcode 3: 1002, exit 6", [Send(F(3, b"x"))], EXIT6(1002))
server_case("rsv1", "RSV1 without an extension: 1002, exit 6",
            [Send(F(TEXT, b"x", rsv=4))], EXIT6(1002))
server_case("ping-126", "a ping of 126 bytes: 1002, exit 6",
            [Send(F(PING, b"p" * 126))], EXIT6(1002))
server_case("close-code-1005", "close code 1005 from the server: 1002, exit 6",
            [Close(1005)], EXIT6(1002))
server_case("continuation-first", "a continuation with no message under way: 1002, exit 6",
            [Send(F(CONT, b"x"))], EXIT6(1002))
server_case("fragmented-text", "a text message in three fragments with a ping between: "
            "the pong, then the message printed whole",
            [Send(F(TEXT, b"hello", fin=False), F(CONT, b" ", fin=False), F(PING, b"mid"),
                  F(CONT, b"world")), Recv(1), Sleep(0.2), Close(1000)],
            ['pong "mid"', "close 1000", "exit 0", 'stdout "hello world\\x0a"'])


# ---------------------------------------------------------------- running

def matches(want, got):
    return got in want if isinstance(want, tuple) else got == want


def verdict(case, p, extra=()):
    ok = len(case.expect) == len(p.got) and all(map(matches, case.expect, p.got))
    if ok:
        print("ok " + case.name)
        return 0
    first = next((i for i, (w, g) in enumerate(zip(case.expect, p.got)) if not matches(w, g)),
                 min(len(case.expect), len(p.got)))
    print("FAIL %s: %s" % (case.name, case.title))
    print("expected:")
    for i, w in enumerate(case.expect):
        w = " or ".join(w) if isinstance(w, tuple) else w
        print("  %s %s" % (">" if i == first else " ", w))
    print("got:")
    for i, g in enumerate(p.got):
        print("  %s %s" % (">" if i == first else " ", g))
    if not p.got:
        print("    (nothing)")
    print("dialogue (> us, < the peer under test):")
    for l in p.log:
        print("  " + l)
    for l in extra:
        print(l)
    return 1


def run_client(url_text, case):
    url = urllib.parse.urlparse(url_text)
    sock = socket.create_connection((url.hostname, url.port), timeout=TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    p = Peer("client", sock)
    hs = case.handshake or Handshake()
    if hs.play(p, url):
        for step in case.steps:
            step(p)
        p.read_to_end()
    p.close_tcp()
    return verdict(case, p)


def run_server(case, cmd):
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(4)
    url = "ws://127.0.0.1:%d/" % lsock.getsockname()[1]
    print("listening on " + url.rstrip("/"), flush=True)
    proc = None
    if cmd:
        argv = cmd + (case.args or ["pipe"]) + [url]
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        if case.stdin is not None:
            proc.stdin.write(case.stdin)
            proc.stdin.close()
            proc.stdin = None       # communicate() is not to touch it
    lsock.settimeout(TIMEOUT)
    try:
        sock, _ = lsock.accept()
    except socket.timeout:
        sock = None
    p = Peer("server", sock)
    if sock is None:
        p.line("no connection")
    else:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if case.handshake.play(p) and case.handshake.status == 101:
            for step in case.steps:
                step(p)
            # the end: the client's Close, answered with its code, then
            # we close TCP first, as a server does
            p.read_until_close()
            if p.got_close and not p.sent_close:
                p.send_frames([F(CLOSE, p.close_reply)])
        p.close_tcp()   # after another answer than 101, at once
    extra = []
    if proc:
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
            p.line("exit %d" % proc.returncode)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            p.line("exit timeout")
        if out:
            p.line("stdout " + show(out))
        err = err.decode("utf-8", "replace")
        if case.stderr_has and case.stderr_has not in err:
            p.line("stderr without %r" % case.stderr_has)
        extra = ["client: " + " ".join(argv), "its stderr:"] + \
            ["  " + l for l in err.splitlines()]
    return verdict(case, p, extra)


def main(argv):
    if len(argv) >= 3 and argv[0] == "client":
        case = CLIENT_CASES.get(argv[2])
        return run_client(argv[1], case) if case else usage("no client case " + argv[2])
    if len(argv) >= 2 and argv[0] == "server":
        case = SERVER_CASES.get(argv[1])
        return run_server(case, argv[2:]) if case else usage("no server case " + argv[1])
    if len(argv) == 2 and argv[0] == "serve-args":
        case = CLIENT_CASES.get(argv[1])
        if not case:
            return usage("no client case " + argv[1])
        print(" ".join(case.args))
        return 0
    if len(argv) == 2 and argv[0] == "list" and argv[1] in ("client", "server"):
        for c in (CLIENT_CASES if argv[1] == "client" else SERVER_CASES).values():
            print("%s\t%s" % (c.name, c.title))
        return 0
    return usage()


def usage(msg=None):
    if msg:
        print("ws_peer.py: " + msg, file=sys.stderr)
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

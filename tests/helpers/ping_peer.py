#!/usr/bin/python3
"""A raw-socket WebSocket server (no WebSocket library, so nothing answers
a ping behind our back) for the ping and pong tests of wsx relay, pipe and
connect. Listens on 127.0.0.1 (port 0), prints
"listening on ws://127.0.0.1:PORT", serves any number of connections one
thread each, and logs what it sees on stdout, one line per event (payloads
of pings and pongs in base64, "-" for none):

  connection              a client finished its handshake
  ping B64                a ping from the client
  pong-sent B64           our answer to it went out (after --pong-delay)
  pong B64                a pong from the client
  text DATA / binary B64  a message (echoed back unless --no-echo)
  close CODE              the client's Close (answered, then TCP closed)
  eof                     the client closed TCP

  --pong-delay SECS     wait this long before answering a ping (0)
  --ping PAYLOAD        on connecting, send a ping with PAYLOAD...
  --pong PAYLOAD        ...then an unsolicited pong with PAYLOAD...
  --send TEXT           ...then a text message TEXT (each optional, in
                        this order)
  --close-after-pong    once the client answered our --ping, close with
                        1000 (waits at most 5 s for that pong)
  --handshake-delay S   wait S seconds before answering the handshake
  --no-echo             do not echo messages

SIGTERM: exit 0. Gives up after 60 s. Run with /usr/bin/python3."""
import argparse
import base64
import hashlib
import signal
import socket
import struct
import sys
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10
LOCK = threading.Lock()


def log(line):
    with LOCK:
        print(line, flush=True)


def b64(data):
    return base64.b64encode(data).decode() if data else "-"


def frame(op, payload=b""):
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | op, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | op, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | op, 127, n)
    return head + payload


class Conn:
    def __init__(self, sock, args):
        self.sock, self.args = sock, args
        self.buf = b""
        self.send_lock = threading.Lock()
        self.got_pong = threading.Event()
        self.closed = False

    def read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, data):
        with self.send_lock:
            if not self.closed:
                self.sock.sendall(data)

    def handshake(self):
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        key = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"sec-websocket-key":
                key = value.strip()
        if key is None:
            raise EOFError
        if self.args.handshake_delay:
            time.sleep(self.args.handshake_delay)
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        self.sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\n"
                          b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                          b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        log("connection")

    def read_frame(self):
        b0, b1 = self.read(2)
        op, n = b0 & 0x0F, b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self.read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.read(8))[0]
        key = self.read(4) if b1 & 0x80 else None
        data = self.read(n)
        if key:
            data = bytes(b ^ key[i % 4] for i, b in enumerate(data))
        return op, bool(b0 & 0x80), data

    def answer_ping(self, data):
        if self.args.pong_delay:
            time.sleep(self.args.pong_delay)
        self.send(frame(PONG, data))
        log("pong-sent %s" % b64(data))

    def greet(self):
        a = self.args
        if a.ping is not None:
            self.send(frame(PING, a.ping.encode()))
        if a.pong is not None:
            self.send(frame(PONG, a.pong.encode()))
        if a.send is not None:
            self.send(frame(TEXT, a.send.encode()))
        if a.close_after_pong:
            threading.Thread(target=self.close_after_pong, daemon=True).start()

    def close_after_pong(self):
        self.got_pong.wait(5)
        self.send(frame(CLOSE, struct.pack("!H", 1000)))

    def run(self):
        self.handshake()
        self.greet()
        msg_op, msg = None, b""
        while True:
            op, fin, data = self.read_frame()
            if op == PING:
                log("ping %s" % b64(data))
                threading.Thread(target=self.answer_ping, args=(data,),
                                 daemon=True).start()
            elif op == PONG:
                log("pong %s" % b64(data))
                self.got_pong.set()
            elif op == CLOSE:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else "-"
                log("close %s" % code)
                self.send(frame(CLOSE, data[:2]))
                return
            else:
                if op != CONT:
                    msg_op, msg = op, b""
                msg += data
                if not fin:
                    continue
                if msg_op == TEXT:
                    log("text %s" % msg.decode("utf-8", "replace"))
                else:
                    log("binary %s" % b64(msg))
                if not self.args.no_echo:
                    self.send(frame(msg_op, msg))


def serve(sock, args):
    conn = Conn(sock, args)
    try:
        conn.run()
    except (EOFError, OSError):
        log("eof")
    finally:
        with conn.send_lock:
            conn.closed = True
        sock.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pong-delay", type=float, default=0.0)
    p.add_argument("--ping")
    p.add_argument("--pong")
    p.add_argument("--send")
    p.add_argument("--close-after-pong", action="store_true")
    p.add_argument("--handshake-delay", type=float, default=0.0)
    p.add_argument("--no-echo", action="store_true")
    args = p.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    lsock.settimeout(1)
    log("listening on ws://127.0.0.1:%d" % lsock.getsockname()[1])
    deadline = time.time() + 60  # never outlive a test run
    while time.time() < deadline:
        try:
            sock, _ = lsock.accept()
        except socket.timeout:
            continue
        sock.settimeout(None)
        threading.Thread(target=serve, args=(sock, args), daemon=True).start()


if __name__ == "__main__":
    main()

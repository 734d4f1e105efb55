#!/usr/bin/python3
"""A TCP server that accepts connections and never answers: a WebSocket
client talking to it can only time out. Prints its port like wsx serve."""
import signal
import socket
import sys
import time

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", 0))
sock.listen(16)
print("listening on ws://127.0.0.1:%d" % sock.getsockname()[1], flush=True)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
held = []
deadline = time.time() + 120  # never outlive a test run
sock.settimeout(1)
while time.time() < deadline:
    try:
        conn, _ = sock.accept()
        held.append(conn)
    except socket.timeout:
        pass

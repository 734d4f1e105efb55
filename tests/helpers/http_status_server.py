#!/usr/bin/python3
"""A plain HTTP server (stdlib only) that answers every request, WebSocket
upgrades included, with one fixed status, so a WebSocket client gets a
non-101 handshake answer. Binds 127.0.0.1 on port 0 (or --port) and prints
"listening on ws://127.0.0.1:PORT" like the other test servers.

  http_status_server.py [--port N] STATUS     e.g. 403 or 404
Logs "request METHOD PATH upgrade=VALUE" on stdout for each request.
SIGTERM or SIGINT: exit 0.
"""
import argparse
import http.server
import signal
import sys
import threading


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("status", type=int, help="HTTP status to answer with")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    if not 200 <= args.status <= 599 or args.status == 101:
        p.error("status must be a final HTTP status (200..599)")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self):
            print("request %s %s upgrade=%s"
                  % (self.command, self.path, self.headers.get("Upgrade", "-")),
                  flush=True)
            body = ("%d %s\n" % (args.status, self.responses.get(args.status, ("",))[0])).encode()
            self.send_response(args.status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            self.close_connection = True

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = answer

        def log_message(self, fmt, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("listening on ws://127.0.0.1:%d" % srv.server_address[1], flush=True)
    srv.serve_forever(poll_interval=0.1)
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

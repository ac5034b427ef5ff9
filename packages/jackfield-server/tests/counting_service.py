"""A local HTTP service that counts deliveries, and can refuse or stall them.

It stands in for the external service plugins deliver to. Each POST is
recorded as *received*; it is *accepted* once it was answered with 2xx to a
client that was still connected, which is what a delivery means to the
sender. ``plan(path, replies)`` sets the next answers for a path: an int is a
status code, ``"stall"`` holds the request until :meth:`release` (or the
service stops). Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Delivery:
    path: str
    body: dict[str, Any]
    authorization: str | None


def _peer_closed(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class CountingService:
    """Start with ``with CountingService() as service:``; ``service.url(path)``."""

    def __init__(self) -> None:
        self.received: list[Delivery] = []
        self.accepted: list[Delivery] = []
        self.stalled = threading.Event()
        self.stall_over = threading.Event()
        self._release = threading.Event()
        self._plans: dict[str, deque[int | str]] = defaultdict(deque)
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                delivery = Delivery(
                    self.path,
                    json.loads(self.rfile.read(length) or b"{}"),
                    self.headers.get("Authorization"),
                )
                with service._lock:
                    service.received.append(delivery)
                    plan = service._plans[self.path]
                    reply = plan.popleft() if plan else 200
                stalled = reply == "stall"
                if stalled:
                    service.stalled.set()
                    service._release.wait()
                    reply = 200
                try:
                    if _peer_closed(self.connection):
                        return
                    self._answer(int(reply), delivery)
                finally:
                    if stalled:
                        service.stall_over.set()

            def _answer(self, status: int, delivery: Delivery) -> None:
                payload = b'{"ok": true}'
                self.send_response(status)
                if status == 503:
                    self.send_header("Retry-After", "0.2")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                if 200 <= status < 300:
                    with service._lock:
                        service.accepted.append(delivery)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def plan(self, path: str, *replies: int | str) -> None:
        with self._lock:
            self._plans[path].extend(replies)

    def release(self) -> None:
        self._release.set()

    def accepted_by_node(self) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = defaultdict(int)
        with self._lock:
            for delivery in self.accepted:
                counts[(delivery.body["run_id"], delivery.body["node_id"])] += 1
        return dict(counts)

    def __enter__(self) -> CountingService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

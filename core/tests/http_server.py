"""A real HTTP/1.1 server on 127.0.0.1 for the jackfield.http tests, in a thread.

Routes (any method):

- ``/status/<code>``: answers ``<code>``; ``?retry_after=<value>`` adds a
  ``Retry-After`` header. The body is ``BODY-MUST-NOT-LEAK``.
- ``/sleep/<seconds>``: waits, then answers 200.
- ``/drip``: answers 200 at once, then sends its 10-byte body one byte every 0.1 s.
- anything else: 200.

Each request's path, client port and headers are kept in ``requests``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

BODY = b"BODY-MUST-NOT-LEAK"


@dataclass
class Seen:
    method: str
    path: str
    client_port: int
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output clean (BaseHTTPRequestHandler writes to stderr)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        parts = urlsplit(self.path)
        self.server.requests.append(
            Seen(self.command, parts.path, self.client_address[1], dict(self.headers.items()))
        )
        segments = parts.path.strip("/").split("/")
        query = parse_qs(parts.query)
        if segments[0] == "status" and len(segments) > 1:
            code = int(segments[1])
            extra = {"Retry-After": query["retry_after"][0]} if "retry_after" in query else {}
            self._answer(code, b"" if code in (204, 304) else BODY, extra)
        elif segments[0] == "sleep" and len(segments) > 1:
            time.sleep(float(segments[1]))
            self._answer(200, b"slept")
        elif segments[0] == "drip":
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self._answer(200, b"ok")

    def _answer(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if code not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[Seen] = []

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out and hung up is expected here


class LocalServer:
    """The running server: ``url(path)`` gives an address on it."""

    def __init__(self) -> None:
        self._server = _Server()
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def requests(self) -> list[Seen]:
        return self._server.requests

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

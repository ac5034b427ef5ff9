"""A local HTTP server that records every request and answers as it is told.

It stands in for the external service a plugin delivers to: point the node's
base URL at :attr:`RecordingServer.url`, run the completion, then look at
:attr:`RecordingServer.requests`. It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["RecordedRequest", "RecordingServer", "Reply"]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON.

        :raises ValueError: if the body is not JSON.
        """
        return json.loads(self.body or b"null")


@dataclass(frozen=True, slots=True)
class Reply:
    """What the server answers to one request.

    :param status: the HTTP status code.
    :param json_body: a JSON value to send (``None`` sends an empty body).
    :param headers: extra response headers (for example ``Retry-After``).
    :param delay_s: wait this long before answering (to provoke client timeouts).
    :param method: answer only requests with this method (any if ``None``).
    :param path: answer only requests to this path (any if ``None``).
    """

    status: int = 200
    json_body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    method: str | None = None
    path: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """Whether this reply is meant for a request of ``method`` to ``path``."""
        return (self.method is None or self.method == method) and (
            self.path is None or self.path == path
        )


class RecordingServer:
    """An HTTP server on 127.0.0.1 recording requests; a context manager.

    Replies queued with :meth:`reply` are used once each, first matching first;
    then replies set with :meth:`always` answer every matching request; when
    none matches, the :attr:`default` reply (200, ``{}``) is sent.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.default = Reply(200, {})
        self._replies: deque[Reply] = deque()
        self._standing: list[Reply] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def reply(self, *replies: Reply) -> None:
        """Queue replies, each used for one matching request."""
        with self._lock:
            self._replies.extend(replies)

    def always(self, *replies: Reply) -> None:
        """Answer every matching request with these replies (after any queued one)."""
        with self._lock:
            self._standing.extend(replies)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The recorded requests whose path is ``path``."""
        return [r for r in self.requests if r.path == path]

    def clear(self) -> None:
        """Forget the recorded requests and the queued replies."""
        with self._lock:
            self.requests.clear()
            self._replies.clear()
            self._standing.clear()

    def start(self) -> RecordingServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> RecordingServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _next_reply(self, method: str, path: str) -> Reply:
        with self._lock:
            for reply in self._replies:
                if reply.matches(method, path):
                    self._replies.remove(reply)
                    return reply
            for reply in self._standing:
                if reply.matches(method, path):
                    return reply
        return self.default

    def _record(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
        return self._next_reply(request.method, request.path)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                reply = server._record(
                    RecordedRequest(
                        method=self.command,
                        path=parts.path,
                        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                    )
                )
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                payload = b"" if reply.json_body is None else json.dumps(reply.json_body).encode()
                self.send_response(reply.status)
                if payload:
                    self.send_header("Content-Type", "application/json")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet: requests are in ``server.requests``."""

        return Handler

"""Local stand-ins for the four first-party plugins' services, and a workflow that uses them.

Standard library only, so the demo and the ``runs_e2e`` benchmark both load it
whatever else is installed. One HTTP server on 127.0.0.1 answers for Tuner
(``/tuner/...``), Paygent (``/paygent/...``), an OpenAI-compatible QA model
(``/qa/chat/completions``, a fixed review) and a webhook receiver
(``/hooks/...``), counting every request by path.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["QA_REVIEW", "StandIns", "demo_workflow"]

#: The review the stand-in QA model gives of every call (conversation node ids as in
#: :func:`demo_workflow`).
QA_REVIEW = {
    "summary": "The caller booked a check-up for Tuesday at 9:30 and the agent confirmed it.",
    "nodes": {
        "greet": {
            "summary": "Friendly greeting; asked how to help.",
            "scores": {"tone": 5, "clarity": 5},
            "tags": ["greeting"],
        },
        "book": {
            "summary": "Found the next free slot and booked it after confirming the name.",
            "scores": {"accuracy": 5, "efficiency": 4},
            "tags": ["booking", "resolved"],
        },
    },
}

_QA_REPLY = json.dumps(
    {
        "id": "chatcmpl-demo",
        "object": "chat.completion",
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": json.dumps(QA_REVIEW)},
            }
        ],
        "usage": {"prompt_tokens": 940, "completion_tokens": 160, "total_tokens": 1100},
    }
).encode()

#: First path segment → the plugin whose service it stands in for.
_SERVICES = {"qa": "qa", "tuner": "tuner", "paygent": "paygent", "hooks": "webhook"}


class StandIns(ThreadingHTTPServer):
    """One HTTP server answering for the four external services; start it with ``serve_forever``."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _StandInHandler)
        self.received: Counter[str] = Counter()
        """Requests received, by path."""
        self.webhook_bodies: list[Any] = []
        """The JSON bodies the webhook receiver got, in order."""
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        """The base URL the workflow's nodes point at."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def per_service(self) -> dict[str, int]:
        """Requests received, by plugin (``qa``, ``tuner``, ``paygent``, ``webhook``)."""
        counts: Counter[str] = Counter()
        with self.lock:
            for path, count in self.received.items():
                first = path.lstrip("/").split("/", 1)[0]
                counts[_SERVICES.get(first, first)] += count
        return dict(counts)

    def clear(self) -> None:
        """Forget what was received."""
        with self.lock:
            self.received.clear()
            self.webhook_bodies.clear()


class _StandInHandler(BaseHTTPRequestHandler):
    server: StandIns

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.received[path] += 1
            if path.startswith("/hooks/"):
                self.server.webhook_bodies.append(json.loads(body or b"null"))
        payload = _QA_REPLY if path == "/qa/chat/completions" else b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: what arrived is counted in ``server.received``."""


def demo_workflow(services: str) -> dict[str, Any]:
    """A dental-booking workflow: three conversation nodes and the four integrations.

    :param services: the :attr:`StandIns.url` every integration node points at.
    """
    return {
        "nodes": [
            {
                "id": "greet",
                "type": "start",
                "data": {"name": "Greet", "prompt": "Greet the caller as Ava, Riverside Dental."},
            },
            {
                "id": "book",
                "type": "agent",
                "data": {"name": "Book", "prompt": "Find the next free slot and book it."},
            },
            {"id": "bye", "type": "end", "data": {"name": "Goodbye", "prompt": "Say goodbye."}},
            {
                "id": "qa",
                "type": "qa",
                "data": {
                    "name": "Call review",
                    "api_key": "sk-demo-qa-0123456789",
                    "base_url": f"{services}/qa",
                    "min_duration_s": 5,
                },
            },
            {
                "id": "tuner",
                "type": "tuner",
                "data": {
                    "name": "Tuner export",
                    "agent_id": "riverside-ava",
                    "workspace_id": 101,
                    "api_key": "tk-demo-0123456789",
                    "base_url": f"{services}/tuner",
                    "calculate_cost": True,
                    "llm_input_usd_per_1m_tokens": 0.15,
                    "llm_output_usd_per_1m_tokens": 0.6,
                },
            },
            {
                "id": "paygent",
                "type": "paygent",
                "data": {
                    "name": "Billing",
                    "api_key": "pg-demo-0123456789",
                    "agent_id": "riverside-ava",
                    "customer_id": "riverside-dental",
                    "indicator": "per-minute-call",
                    "base_url": f"{services}/paygent",
                },
            },
            {
                "id": "crm",
                "type": "webhook",
                "data": {
                    "name": "CRM update",
                    "endpoint_url": f"{services}/hooks/crm",
                    "payload_template": {
                        "run": "{{ run.id }}",
                        "summary": "{{ annotations.qa.summary | default('no review') }}",
                        "tags": "{{ annotations.qa.tags }}",
                        "recording": "{{ recording_url }}",
                    },
                },
            },
        ],
        "edges": [
            {
                "id": "e1",
                "source": "greet",
                "target": "book",
                "data": {"label": "wants a slot", "condition": "The caller asks to book a visit."},
            },
            {
                "id": "e2",
                "source": "book",
                "target": "bye",
                "data": {"label": "booked", "condition": "The caller accepted a slot."},
            },
        ],
    }

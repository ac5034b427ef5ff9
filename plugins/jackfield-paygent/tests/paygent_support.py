"""Helpers shared by the Paygent plugin's tests: a host, a call, and what was sent."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import jackfield_paygent.plugin
from jackfield_paygent import API_KEY_HEADER, IDEMPOTENCY_HEADER
from pytest_httpserver import HTTPServer

from jackfield import RuntimeContext
from jackfield.host import (
    CompletionOutcome,
    PluginHost,
    PluginSettings,
    ScriptedCall,
    WorkflowDefinition,
    complete_call,
    prepare_live_call,
)

API_KEY = "pg_test_secret_0123456789"
RUN_ID = "run-42"

#: A complete call: one STT, one LLM and one TTS model, 16 s long.
CALL_EVENTS: list[dict[str, Any]] = [
    {"kind": "call_started", "timestamp": "2025-03-01T10:00:00Z", "call_id": "call-7"},
    {
        "kind": "user_turn",
        "timestamp": "2025-03-01T10:00:04Z",
        "text": "I would like to book a check-up.",
        "started_at": "2025-03-01T10:00:02Z",
        "ended_at": "2025-03-01T10:00:04Z",
    },
    {
        "kind": "usage",
        "timestamp": "2025-03-01T10:00:04Z",
        "service": "stt",
        "provider": "deepgram",
        "model": "nova-3",
        "stt_seconds": 2.5,
    },
    {
        "kind": "usage",
        "timestamp": "2025-03-01T10:00:05Z",
        "service": "llm",
        "provider": "openai",
        "model": "gpt-4o-mini",
        "prompt_tokens": 400,
        "completion_tokens": 40,
        "cached_tokens": 256,
    },
    {
        "kind": "usage",
        "timestamp": "2025-03-01T10:00:09Z",
        "service": "llm",
        "provider": "openai",
        "model": "gpt-4o-mini",
        "prompt_tokens": 100,
        "completion_tokens": 10,
    },
    {
        "kind": "usage",
        "timestamp": "2025-03-01T10:00:06Z",
        "service": "tts",
        "provider": "cartesia",
        "model": "sonic-2",
        "tts_characters": 52,
    },
    {"kind": "call_ended", "timestamp": "2025-03-01T10:00:16Z", "disposition": "completed"},
]

#: A realtime call: a speech-to-speech model reports its tokens as LLM usage.
REALTIME_EVENTS: list[dict[str, Any]] = [
    {"kind": "call_started", "timestamp": "2025-03-01T10:00:00Z", "call_id": "call-8"},
    {
        "kind": "usage",
        "timestamp": "2025-03-01T10:00:05Z",
        "service": "llm",
        "provider": "openai",
        "model": "gpt-realtime",
        "prompt_tokens": 900,
        "completion_tokens": 300,
        "cached_tokens": 100,
    },
    {"kind": "call_ended", "timestamp": "2025-03-01T10:00:30Z", "disposition": "completed"},
]

PATHS = {
    "session": "/api/v1/voice/session",
    "stt": "/api/v1/voice/stt",
    "llm": "/api/v1/voice/llm",
    "tts": "/api/v1/voice/tts",
    "speech-to-speech": "/api/v1/voice/speech-to-speech",
    "indicator": "/api/v1/voice/indicator",
}


def make_host() -> PluginHost:
    """A host with only the built-in plugin and Paygent, every problem raised."""
    host = PluginHost(autoload=False, strict=True, settings=PluginSettings(autoload=False))
    host.register(jackfield_paygent.plugin, name="paygent")
    return host


def node_data(base_url: str, **changes: Any) -> dict[str, Any]:
    """Valid data of an enabled Paygent node pointing at ``base_url``."""
    data: dict[str, Any] = {
        "name": "Paygent billing",
        "api_key": API_KEY,
        "agent_id": "agent_support",
        "customer_id": "cust_acme",
        "indicator": "per-minute-call",
        "base_url": base_url,
    }
    data.update(changes)
    return data


def workflow(*nodes: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """A workflow definition holding a Paygent node per ``(id, data)``."""
    return {"nodes": [{"id": node_id, "type": "paygent", "data": data} for node_id, data in nodes]}


def record(
    host: PluginHost,
    definition: dict[str, Any],
    events: list[dict[str, Any]],
    *,
    is_realtime: bool = False,
    gathered: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run a scripted call through the host's live path; return the integration logs."""
    context = RuntimeContext(
        workflow_run_id=RUN_ID,
        workflow_graph=WorkflowDefinition.from_dict(definition),
        is_realtime=is_realtime,
    )
    live = prepare_live_call(host, context)
    call = ScriptedCall.from_json(json.dumps(events))
    live.attach(call)
    call.run()
    return asyncio.run(live.finish(gathered or {}))


def complete(
    host: PluginHost,
    definition: dict[str, Any],
    logs: dict[str, Any] | None,
    previous: dict[str, Any] | None = None,
    workflow_run: Any = None,
) -> CompletionOutcome:
    """Run the post-call completion once."""
    return asyncio.run(
        complete_call(
            host,
            workflow_run_id=RUN_ID,
            workflow_definition=definition,
            workflow_run=workflow_run,
            integration_logs=logs,
            previous_annotations=previous,
        )
    )


def sent(server: HTTPServer) -> list[dict[str, Any]]:
    """Every request the server received, in order: path, headers of interest, body."""
    requests = []
    for request, _ in server.log:
        requests.append(
            {
                "method": request.method,
                "path": request.path,
                "query": request.query_string.decode(),
                "content_type": request.headers.get("Content-Type"),
                "api_key": request.headers.get(API_KEY_HEADER),
                "idempotency_key": request.headers.get(IDEMPOTENCY_HEADER),
                "body": json.loads(request.get_data()),
            }
        )
    return requests


def accept_all(server: HTTPServer, status: int = 200) -> None:
    """Answer every Paygent path with ``status``."""
    for path in PATHS.values():
        server.expect_request(path, method="POST").respond_with_json({"ok": True}, status=status)

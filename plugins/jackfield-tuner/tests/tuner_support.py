"""Test helpers of jackfield-tuner: a scripted call, workflows, the live path."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Final

from jackfield import RuntimeContext
from jackfield.host import PluginHost, ScriptedCall, WorkflowDefinition, prepare_live_call

#: The API key every test node holds; no result or log may contain it.
API_KEY: Final = "tr_api_secret_value_7f3a"


def call_events() -> list[dict[str, Any]]:
    """A two-minute call: greeting, a question, a tool call, an interrupted answer."""
    return [
        {"kind": "call_started", "timestamp": "2025-03-01T10:00:00Z", "call_id": "call-0001"},
        {
            "kind": "bot_turn",
            "timestamp": "2025-03-01T10:00:03Z",
            "text": "Hello, Riverside Dental.",
            "started_at": "2025-03-01T10:00:00.500Z",
            "ended_at": "2025-03-01T10:00:03Z",
        },
        {
            "kind": "usage",
            "timestamp": "2025-03-01T10:00:03Z",
            "service": "tts",
            "provider": "cartesia",
            "model": "sonic-2",
            "tts_characters": 2000,
        },
        {
            "kind": "user_turn",
            "timestamp": "2025-03-01T10:00:06Z",
            "text": "I'd like to book a check-up.",
            "started_at": "2025-03-01T10:00:04Z",
            "ended_at": "2025-03-01T10:00:06Z",
        },
        {
            "kind": "usage",
            "timestamp": "2025-03-01T10:00:06Z",
            "service": "stt",
            "provider": "deepgram",
            "model": "nova-3",
            "stt_seconds": 30.0,
        },
        {
            "kind": "usage",
            "timestamp": "2025-03-01T10:00:06.500Z",
            "service": "llm",
            "provider": "openai",
            "model": "gpt-4o-mini",
            "prompt_tokens": 1_000_000,
            "completion_tokens": 200_000,
            "cached_tokens": 400_000,
        },
        {
            "kind": "tool_call",
            "timestamp": "2025-03-01T10:00:06.900Z",
            "name": "next_free_slot",
            "arguments": {"service": "check-up"},
            "result": {"slot": "2025-03-04T09:30"},
            "duration_s": 0.25,
        },
        {
            "kind": "bot_turn",
            "timestamp": "2025-03-01T10:00:10Z",
            "text": "Tuesday at 9:30?",
            "started_at": "2025-03-01T10:00:07Z",
            "ended_at": "2025-03-01T10:00:10Z",
            "interrupted": True,
        },
        {
            "kind": "latency",
            "timestamp": "2025-03-01T10:00:10Z",
            "turn": 1,
            "response_s": 1.1,
            "stt_s": 0.25,
            "llm_ttfb_s": 0.42,
            "tts_ttfb_s": 0.18,
        },
        {"kind": "call_ended", "timestamp": "2025-03-01T10:02:00Z", "disposition": "user_hangup"},
    ]


def tuner_workflow(tuner_data: dict[str, Any], *, node_id: str = "t1") -> dict[str, Any]:
    """A workflow with a start node and one Tuner node holding ``tuner_data``."""
    return {
        "nodes": [
            {
                "id": "greet",
                "type": "start",
                "data": {"name": "Greeting", "prompt": "Greet the caller."},
            },
            {"id": node_id, "type": "tuner", "data": tuner_data},
        ],
        "edges": [],
    }


def tuner_data(base_url: str, **extra: Any) -> dict[str, Any]:
    """Valid Tuner node data pointing at ``base_url``."""
    return {
        "name": "Tuner",
        "agent_id": "riverside-receptionist",
        "workspace_id": 42,
        "api_key": API_KEY,
        "base_url": base_url,
        **extra,
    }


def record_call(
    host: PluginHost,
    workflow: dict[str, Any],
    events: list[dict[str, Any]] | None = None,
    gathered_context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run the live path over a scripted call; return the integration logs."""
    context = RuntimeContext(
        workflow_run_id="run-1", workflow_graph=WorkflowDefinition.from_dict(workflow)
    )
    live = prepare_live_call(host, context)
    call = ScriptedCall.from_json(json.dumps(call_events() if events is None else events))
    live.attach(call)
    call.run()
    return asyncio.run(live.finish(gathered_context or {"disposition": "completed"}))

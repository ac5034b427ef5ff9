"""Test helpers of jackfield-qa: a workflow, a recorded call, canned model answers."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Final

from jackfield import RuntimeContext
from jackfield.host import (
    CompletionOutcome,
    PluginHost,
    ScriptedCall,
    WorkflowDefinition,
    complete_call,
    prepare_live_call,
)
from jackfield_testing import CallBuilder

#: The API key every test node holds; no result or log may contain it.
API_KEY: Final = "sk-qa-secret-value-91c2"

#: The model the service names in its canned answers.
ANSWER_MODEL: Final = "gpt-4o-mini-2024-07-18"


def qa_data(base_url: str, **extra: Any) -> dict[str, Any]:
    """Valid, enabled QA node data pointing at ``base_url``."""
    return {"name": "Call review", "api_key": API_KEY, "base_url": base_url, **extra}


def qa_workflow(data: dict[str, Any], *, node_id: str = "q1") -> dict[str, Any]:
    """A booking workflow (greet → book → bye) with one QA node holding ``data``."""
    return {
        "nodes": [
            {
                "id": "greet",
                "type": "start",
                "data": {"name": "Greeting", "prompt": "Greet the caller and ask what they need."},
            },
            {
                "id": "book",
                "type": "agent",
                "data": {"name": "Booking", "prompt": "Find a free slot and book it."},
            },
            {
                "id": "bye",
                "type": "end",
                "data": {"name": "Goodbye", "prompt": "Confirm the slot and say goodbye."},
            },
            {"id": node_id, "type": "qa", "data": data},
        ],
        "edges": [
            {
                "id": "e1",
                "source": "greet",
                "target": "book",
                "data": {"label": "Wants a visit", "condition": "The caller wants to book."},
            },
            {
                "id": "e2",
                "source": "book",
                "target": "bye",
                "data": {"label": "Booked", "condition": "A slot is booked."},
            },
        ],
    }


def booking_call(*, disposition: str = "completed", turn_s: float = 5.0) -> ScriptedCall:
    """A six-turn call (30 s at the default turn length) with one tool call."""
    return (
        CallBuilder(turn_s=turn_s)
        .started("call-42")
        .bot("Hello, Riverside Dental. How can I help?")
        .user("I'd like to book a check-up.")
        .tool("next_free_slot", {"service": "check-up"}, {"slot": "Tuesday 9:30"})
        .bot("Tuesday at 9:30 is free. Shall I book it?", interrupted=True)
        .user("Yes please.")
        .bot("Booked for Tuesday at 9:30. Goodbye!")
        .user("Bye.")
        .ended(disposition)
        .build()
    )


def record_call(
    host: PluginHost,
    workflow: dict[str, Any],
    call: ScriptedCall | None = None,
    *,
    run_id: str = "run-1",
) -> dict[str, Any]:
    """Run the live path over a scripted call; return the integration logs."""
    context = RuntimeContext(
        workflow_run_id=run_id, workflow_graph=WorkflowDefinition.from_dict(workflow)
    )
    live = prepare_live_call(host, context)
    scripted = booking_call() if call is None else call
    live.attach(scripted)
    scripted.run()
    return asyncio.run(live.finish({"disposition": "completed"}))


def complete(
    host: PluginHost,
    workflow: dict[str, Any],
    logs: dict[str, Any] | None,
    *,
    run_id: str = "run-1",
    **kwargs: Any,
) -> CompletionOutcome:
    """Run the host's completion for ``run_id`` to the end."""
    return asyncio.run(
        complete_call(
            host,
            workflow_run_id=run_id,
            workflow_definition=workflow,
            integration_logs=logs,
            **kwargs,
        )
    )


def review(**overrides: Any) -> dict[str, Any]:
    """A valid review of the booking call, as the model would write it."""
    document: dict[str, Any] = {
        "summary": "The caller booked a check-up for Tuesday at 9:30.",
        "nodes": {
            "greet": {
                "summary": "The agent greeted the caller and asked what they needed.",
                "scores": {"instruction_following": 5, "tone": 4},
                "tags": ["Booking intent", "polite"],
            },
            "book": {
                "summary": "The agent found a slot and booked it after the caller agreed.",
                "scores": {"instruction_following": 5, "accuracy": 4.5},
                "tags": ["appointment-booked", "talked-over-caller"],
            },
        },
    }
    document.update(overrides)
    return document


def chat_completion(
    content: str | None,
    *,
    prompt_tokens: int = 812,
    completion_tokens: int = 164,
    finish_reason: str = "stop",
) -> dict[str, Any]:
    """An OpenAI chat-completion response whose message content is ``content``."""
    return {
        "id": "chatcmpl-test-1",
        "object": "chat.completion",
        "created": 1735725600,
        "model": ANSWER_MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def review_completion(**overrides: Any) -> dict[str, Any]:
    """A chat completion carrying :func:`review` as JSON."""
    return chat_completion(json.dumps(review(**overrides)))


def record_snapshot(call: ScriptedCall | None = None) -> dict[str, Any]:
    """The snapshot the plugin's recorder keeps of ``call`` (the booking call by default)."""
    from jackfield_qa import create_runtime_sessions

    (session,) = create_runtime_sessions(
        RuntimeContext(
            workflow_run_id="run-1",
            workflow_graph=WorkflowDefinition.from_dict(qa_workflow({"name": "QA"})),
        )
    )
    scripted = booking_call() if call is None else call
    session.attach(scripted)
    scripted.run()
    snapshot: dict[str, Any] = asyncio.run(session.on_call_finished(gathered_context={}))
    return snapshot

"""CallRecorder: the ready-made runtime session, driven by a scripted call."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from call_plugins import make_host, make_plugin, workflow

from jackfield import CallRecorder, CallSnapshot, RuntimeContext, UsageService
from jackfield.host import ScriptedCall, WorkflowDefinition, complete_call, prepare_live_call

EXAMPLE_CALL = Path(__file__).parents[2] / "examples" / "call.json"


def record(call: ScriptedCall, **options) -> dict:
    recorder = CallRecorder("test", **options)
    recorder.attach(call)
    call.run()
    return asyncio.run(recorder.on_call_finished(gathered_context={}))


def test_records_transcript_tool_calls_latency_usage_and_outcome():
    snapshot = record(ScriptedCall.from_file(EXAMPLE_CALL))
    json.dumps(snapshot)
    call = CallSnapshot.from_snapshot(snapshot)
    assert call.call_id == "demo-0001"
    assert call.disposition == "completed"
    assert call.duration_s == 16.0
    roles = [entry.role for entry in call.transcript]
    assert roles == ["assistant", "user", "tool", "assistant", "user", "assistant"]
    tool = call.transcript[2]
    assert (tool.name, tool.arguments, tool.result) == (
        "next_free_slot",
        {"service": "check-up"},
        {"slot": "2025-03-04T09:30"},
    )
    assert [(e.turn, e.response_s) for e in call.latency] == [(1, 1.1)]
    (llm,) = call.usage_of(UsageService.LLM)
    assert (llm.label, llm.prompt_tokens, llm.cached_tokens) == ("openai/gpt-4o-mini", 412, 256)
    assert call.usage_of(UsageService.TTS)[0].tts_characters == 52
    assert call.usage_of(UsageService.STT)[0].stt_seconds == 2.0


def test_usage_is_summed_per_service_provider_and_model():
    events = [
        {"kind": "usage", "service": "llm", "provider": "openai", "model": "m", "prompt_tokens": 5},
        {"kind": "usage", "service": "llm", "provider": "openai", "model": "m", "prompt_tokens": 7},
        {"kind": "usage", "service": "llm", "provider": "openai", "model": "n", "prompt_tokens": 1},
    ]
    call = CallSnapshot.from_snapshot(record(ScriptedCall.from_json(json.dumps(events))))
    assert [(u.model, u.prompt_tokens) for u in call.usage] == [("m", 12), ("n", 1)]


def test_parts_can_be_switched_off_and_gathered_context_fills_the_outcome():
    call = ScriptedCall.from_file(EXAMPLE_CALL)
    recorder = CallRecorder("lean", transcript=False, latency=False, usage=False)
    recorder.attach(call)
    snapshot = asyncio.run(
        recorder.on_call_finished(gathered_context={"disposition": "voicemail", "duration_s": 3})
    )
    assert snapshot["transcript"] == snapshot["latency"] == snapshot["usage"] == []
    assert snapshot["disposition"] == "voicemail"
    assert snapshot["duration_s"] == 3.0
    assert CallSnapshot.from_snapshot(None) is None


def test_snapshot_reaches_the_completion_handler_through_the_host():
    seen = []

    async def handler(nodes, context):
        seen.append(CallSnapshot.from_snapshot(context.runtime_snapshot))
        return {}

    plugin = make_plugin(
        ["alpha"], sessions=lambda ctx: [CallRecorder("alpha")], completion=handler
    )
    host = make_host({"alpha": plugin})
    definition = workflow(("a1", "alpha"))
    live = prepare_live_call(
        host,
        RuntimeContext(
            workflow_run_id="run-1", workflow_graph=WorkflowDefinition.from_dict(definition)
        ),
    )
    call = ScriptedCall.from_file(EXAMPLE_CALL)
    live.attach(call)
    call.run()
    logs = asyncio.run(live.finish(gathered_context={}))
    asyncio.run(
        complete_call(
            host, workflow_run_id="run-1", workflow_definition=definition, integration_logs=logs
        )
    )
    assert seen[0].disposition == "completed"
    assert len(seen[0].transcript) == 6


def test_credentials_resolver_reaches_the_handler():
    seen = []

    def handler(nodes, context):
        seen.append((context.credentials("cred-1"), context.credentials("nope")))
        return {}

    host = make_host({"alpha": make_plugin(["alpha"], completion=handler)})
    store = {"cred-1": {"Authorization": "Bearer s3cr3t-value"}}
    asyncio.run(
        complete_call(
            host,
            workflow_run_id="run-1",
            workflow_definition=workflow(("a1", "alpha")),
            credentials=store.get,
        )
    )
    assert seen == [({"Authorization": "Bearer s3cr3t-value"}, None)]

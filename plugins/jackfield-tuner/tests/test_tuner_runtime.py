"""The live-call side: a call recorder only while a Tuner node is enabled."""

from __future__ import annotations

import json

from jackfield_tuner import SESSION_NAME, create_runtime_sessions, has_enabled_tuner_node
from tuner_support import call_events, record_call, tuner_data, tuner_workflow

from jackfield import CallRecorder, CallSnapshot, RuntimeContext, UsageService
from jackfield.host import WorkflowDefinition


def _context(workflow):
    return RuntimeContext(
        workflow_run_id="run-1", workflow_graph=WorkflowDefinition.from_dict(workflow)
    )


def test_enabled_node_gets_one_call_recorder():
    sessions = create_runtime_sessions(_context(tuner_workflow(tuner_data("https://t.test"))))
    assert len(sessions) == 1
    assert isinstance(sessions[0], CallRecorder)
    assert sessions[0].name == SESSION_NAME


def test_disabled_node_gets_no_session():
    workflow = tuner_workflow({"name": "Tuner", "enabled": False})
    assert not has_enabled_tuner_node(WorkflowDefinition.from_dict(workflow))
    assert create_runtime_sessions(_context(workflow)) == []


def test_graph_in_json_form_is_read_too():
    assert has_enabled_tuner_node(tuner_workflow(tuner_data("https://t.test")))
    assert not has_enabled_tuner_node(tuner_workflow({"name": "Tuner", "enabled": False}))
    assert not has_enabled_tuner_node({"nodes": [{"id": "greet", "type": "start", "data": {}}]})


def test_no_graph_means_no_session():
    assert create_runtime_sessions(RuntimeContext(workflow_run_id="run-1")) == []


def test_scripted_call_snapshot_is_json_and_reads_back(host):
    logs = record_call(host, tuner_workflow(tuner_data("https://t.test")))
    assert set(logs) == {"tuner"}
    assert "errors" not in logs["tuner"]
    snapshot = logs["tuner"]["snapshot"]
    assert json.loads(json.dumps(snapshot)) == snapshot

    call = CallSnapshot.from_snapshot(snapshot)
    assert call is not None
    assert call.call_id == "call-0001"
    assert call.duration_s == 120.0
    assert call.disposition == "user_hangup"
    assert [entry.role for entry in call.transcript] == [
        "assistant",
        "user",
        "tool",
        "assistant",
    ]
    assert call.transcript[2].name == "next_free_slot"
    assert call.transcript[2].arguments == {"service": "check-up"}
    assert call.transcript[3].interrupted
    assert [entry.label for entry in call.usage] == [
        "cartesia/sonic-2",
        "deepgram/nova-3",
        "openai/gpt-4o-mini",
    ]
    assert call.usage_of(UsageService.LLM)[0].cached_tokens == 400_000
    assert call.latency[0].response_s == 1.1


def test_disposition_falls_back_to_the_gathered_context(host):
    events = [event for event in call_events() if event["kind"] != "call_ended"]
    logs = record_call(
        host,
        tuner_workflow(tuner_data("https://t.test")),
        events=events,
        gathered_context={"disposition": "voicemail", "duration_s": 33.0},
    )
    call = CallSnapshot.from_snapshot(logs["tuner"]["snapshot"])
    assert call is not None
    assert call.disposition == "voicemail"
    assert call.duration_s == 33.0


def test_disabled_node_records_nothing_through_the_host(host):
    logs = record_call(host, tuner_workflow({"name": "Tuner", "enabled": False}))
    assert logs == {}

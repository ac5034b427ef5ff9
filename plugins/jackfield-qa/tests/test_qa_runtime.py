"""The live-call side: a transcript recorder only while a QA node is enabled."""

from __future__ import annotations

import json

from jackfield_qa import SESSION_NAME, create_runtime_sessions, has_enabled_qa_node
from qa_support import booking_call, qa_data, qa_workflow, record_call

from jackfield import CallSnapshot, RuntimeContext
from jackfield.host import WorkflowDefinition


def _context(workflow):
    return RuntimeContext(
        workflow_run_id="run-1", workflow_graph=WorkflowDefinition.from_dict(workflow)
    )


def test_enabled_node_gets_one_recorder_and_disabled_or_absent_none():
    enabled = qa_workflow(qa_data("http://127.0.0.1:9/v1"))
    disabled = qa_workflow({"name": "QA", "enabled": False})
    absent = {"nodes": enabled["nodes"][:3], "edges": []}

    (session,) = create_runtime_sessions(_context(enabled))
    assert session.name == SESSION_NAME
    assert create_runtime_sessions(_context(disabled)) == []
    assert create_runtime_sessions(_context(absent)) == []
    assert has_enabled_qa_node(enabled)
    assert not has_enabled_qa_node(disabled)
    assert not has_enabled_qa_node(None)


def test_snapshot_of_a_scripted_call_is_compact_json(host):
    workflow = qa_workflow(qa_data("http://127.0.0.1:9/v1"))

    logs = record_call(host, workflow, booking_call(disposition="transferred"))

    entry = logs["qa"]
    assert "errors" not in entry
    snapshot = entry["snapshot"]
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["latency"] == []
    assert snapshot["usage"] == []
    call = CallSnapshot.from_snapshot(snapshot)
    assert call is not None
    assert call.call_id == "call-42"
    assert call.disposition == "transferred"
    assert call.duration_s == 30.0
    assert [e.role for e in call.transcript] == [
        "assistant",
        "user",
        "tool",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert call.transcript[2].arguments == {"service": "check-up"}

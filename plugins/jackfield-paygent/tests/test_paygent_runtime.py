"""The live side: the session the plugin attaches, its snapshot, and a light import."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from jackfield_paygent import DEFAULT_BASE_URL, REALTIME_KEY, PaygentRecorder
from jackfield_paygent.plugin import jackfield_create_runtime_sessions
from paygent_support import CALL_EVENTS, RUN_ID, make_host, node_data, record, workflow

from jackfield import CallSnapshot, RuntimeContext, UsageService
from jackfield.host import ScriptedCall, WorkflowDefinition


def test_snapshot_from_a_scripted_call_is_compact_json():
    host = make_host()
    definition = workflow(("billing", node_data(DEFAULT_BASE_URL)))

    logs = record(host, definition, CALL_EVENTS)

    assert set(logs) == {"paygent"}
    assert "errors" not in logs["paygent"]
    snapshot = logs["paygent"]["snapshot"]
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot[REALTIME_KEY] is False
    assert snapshot["transcript"] == []
    assert snapshot["latency"] == []
    call = CallSnapshot.from_snapshot(snapshot)
    assert call is not None
    assert call.call_id == "call-7"
    assert call.duration_s == 16.0
    assert call.disposition == "completed"
    (llm,) = call.usage_of(UsageService.LLM)
    assert (llm.label, llm.prompt_tokens, llm.completion_tokens) == ("openai/gpt-4o-mini", 500, 50)
    assert [e.label for e in call.usage_of(UsageService.STT)] == ["deepgram/nova-3"]
    assert [e.tts_characters for e in call.usage_of(UsageService.TTS)] == [52]


def test_snapshot_records_a_realtime_call():
    host = make_host()
    definition = workflow(("billing", node_data(DEFAULT_BASE_URL)))

    logs = record(host, definition, CALL_EVENTS, is_realtime=True)

    assert logs["paygent"]["snapshot"][REALTIME_KEY] is True


def test_recorder_used_directly():
    recorder = PaygentRecorder(is_realtime=False)
    call = ScriptedCall.from_json(json.dumps(CALL_EVENTS[:1]))
    recorder.attach(call)
    call.run()

    snapshot = asyncio.run(recorder.on_call_finished(gathered_context={"duration_s": 3.5}))

    assert recorder.name == "paygent"
    assert snapshot["call_id"] == "call-7"
    assert snapshot["duration_s"] == 3.5
    assert snapshot[REALTIME_KEY] is False


def context_for(*nodes, is_realtime=False):
    return RuntimeContext(
        workflow_run_id=RUN_ID,
        workflow_graph=WorkflowDefinition.from_dict(workflow(*nodes)),
        is_realtime=is_realtime,
    )


def test_one_session_only_when_a_paygent_node_is_enabled():
    enabled = context_for(("billing", node_data(DEFAULT_BASE_URL)), is_realtime=True)
    disabled = context_for(("off", {"name": "Paygent", "enabled": False}))

    (session,) = jackfield_create_runtime_sessions(enabled)
    assert isinstance(session, PaygentRecorder)
    assert jackfield_create_runtime_sessions(disabled) == []
    assert jackfield_create_runtime_sessions(RuntimeContext(workflow_run_id=RUN_ID)) == []


def test_importing_the_plugin_is_light():
    code = (
        "import sys\n"
        "import jackfield_paygent.plugin, jackfield_paygent\n"
        "heavy = [m for m in ('httpx', 'httpcore', 'anyio') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print('ok')\n"
    )
    # An empty environment: the import must need no variable at all.
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env={}
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"

"""Delivery to a fake Tuner on 127.0.0.1, driven through the host's completion."""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import pytest
from jackfield_tuner import run_completion
from tuner_support import API_KEY, record_call, tuner_data, tuner_workflow

from jackfield import COMPLETION_STATE_KEY, CompletionContext, NodeStatus, RetryLater
from jackfield.host import complete_call

CALL_PATH = "/api/v1/public/call"
QUERY = {"workspace_id": "42", "agent_remote_identifier": "riverside-receptionist"}
HEADERS = {"Authorization": f"Bearer {API_KEY}"}


def _complete(host, workflow, logs, **kwargs):
    return asyncio.run(
        complete_call(
            host,
            workflow_run_id="run-1",
            workflow_definition=workflow,
            integration_logs=logs,
            definition_id="def-7",
            public_token="tok123",
            public_base_url="https://calls.test/api/v1/public/runs",
            **kwargs,
        )
    )


def _sent_bodies(httpserver):
    return [json.loads(request.get_data()) for request, _ in httpserver.log]


def _assert_no_secret(outcome):
    assert API_KEY not in json.dumps(outcome.annotations)


def test_happy_path_sends_one_exact_request(host, httpserver):
    httpserver.expect_oneshot_request(
        CALL_PATH, method="POST", query_string=QUERY, headers=HEADERS
    ).respond_with_json({"id": 1, "is_new": True}, status=201)
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/")))
    logs = record_call(host, workflow)

    outcome = _complete(
        host, workflow, logs, workflow_run={"gathered_context": {"caller_number": "+1415"}}
    )

    httpserver.check_assertions()
    ((request, _),) = httpserver.log
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.get_data())
    assert body["call_id"] == "call-0001"
    assert body["call_type"] == "phone_call"
    assert body["recording_url"] == "https://calls.test/api/v1/public/runs/tok123/recording"
    assert body["disconnection_reason"] == "user_hangup"
    assert body["general_meta_data_raw"]["agent_version"] == "def-7"
    assert body["general_meta_data_raw"]["ai_models"]["llm_model"] == "openai/gpt-4o-mini"
    assert [s["role"] for s in body["transcript_with_tool_calls"]] == [
        "agent",
        "user",
        "agent_function",
        "agent_result",
        "agent",
    ]
    assert "call_cost" not in body
    assert API_KEY not in request.get_data(as_text=True)

    assert outcome.done
    assert outcome.nodes["t1"].status is NodeStatus.DELIVERED
    assert outcome.annotations["tuner"] == {
        "t1": {
            "status": "delivered",
            "status_code": 201,
            "call_id": "call-0001",
            "call_type": "phone_call",
        }
    }
    _assert_no_secret(outcome)


def test_cost_is_sent_in_cents(host, httpserver):
    httpserver.expect_oneshot_request(CALL_PATH, method="POST").respond_with_data(status=200)
    rates = {
        "calculate_cost": True,
        "llm_input_usd_per_1m_tokens": 2.0,
        "llm_cached_input_usd_per_1m_tokens": 1.0,
        "llm_output_usd_per_1m_tokens": 10.0,
        "tts_usd_per_1k_chars": 0.05,
        "stt_usd_per_minute": 0.01,
        "telephony_usd_per_minute": 0.02,
    }
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/"), **rates))
    logs = record_call(host, workflow)

    outcome = _complete(host, workflow, logs, workflow_run={"call_type": "web_call"})

    (body,) = _sent_bodies(httpserver)
    assert body["call_type"] == "web_call"
    assert body["call_cost"] == 370.5
    assert body["general_meta_data_raw"]["cost_cents"]["telephony"] == 0.0
    assert outcome.annotations["tuner"]["t1"]["cost_cents"] == 370.5


def test_409_is_a_final_duplicate_not_an_error(host, httpserver):
    httpserver.expect_oneshot_request(CALL_PATH, method="POST").respond_with_json(
        {"detail": "exists"}, status=409
    )
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/")))
    outcome = _complete(host, workflow, record_call(host, workflow))

    assert outcome.done
    assert outcome.nodes["t1"].status is NodeStatus.DELIVERED
    assert outcome.annotations["tuner"]["t1"]["status"] == "duplicate"
    assert outcome.annotations["tuner"]["t1"]["status_code"] == 409


def test_503_is_retried_and_the_retry_delivers_once(host, httpserver):
    httpserver.expect_ordered_request(CALL_PATH, method="POST").respond_with_data(
        "busy", status=503, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request(CALL_PATH, method="POST").respond_with_data(status=201)
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/")))
    logs = record_call(host, workflow)

    first = _complete(host, workflow, logs)
    assert not first.done
    assert first.nodes["t1"].status is NodeStatus.RETRY
    assert first.retry_in_s == 7.0
    assert "t1" not in first.annotations.get("tuner", {})

    second = _complete(host, workflow, logs, previous_annotations=first.annotations)
    assert second.done
    assert second.nodes["t1"].attempts == 2
    assert second.annotations["tuner"]["t1"]["status"] == "delivered"

    third = _complete(host, workflow, logs, previous_annotations=second.annotations)
    assert third.called == ()
    assert len(httpserver.log) == 2
    first_body, second_body = _sent_bodies(httpserver)
    assert first_body == second_body
    httpserver.check_assertions()


def test_429_is_retried_with_backoff_when_no_retry_after(host, httpserver):
    httpserver.expect_oneshot_request(CALL_PATH, method="POST").respond_with_data(status=429)
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/")))
    outcome = _complete(host, workflow, record_call(host, workflow))

    assert outcome.nodes["t1"].status is NodeStatus.RETRY
    assert outcome.nodes["t1"].reason == "retry_later"
    assert outcome.retry_in_s == 30.0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_4xx_is_a_final_failure(host, httpserver, status):
    httpserver.expect_oneshot_request(CALL_PATH, method="POST").respond_with_json(
        {"detail": f"rejected {API_KEY}"}, status=status
    )
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/")))
    outcome = _complete(host, workflow, record_call(host, workflow))

    assert outcome.done
    assert outcome.nodes["t1"].status is NodeStatus.FAILED
    assert outcome.nodes["t1"].reason == f"http_{status}"
    assert outcome.annotations["tuner"]["t1"] == {
        "status": "failed",
        "reason": f"http_{status}",
        "status_code": status,
    }
    _assert_no_secret(outcome)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_network_error_is_retried(host):
    workflow = tuner_workflow(tuner_data(f"http://127.0.0.1:{_closed_port()}"))
    outcome = _complete(host, workflow, record_call(host, workflow))

    assert outcome.nodes["t1"].status is NodeStatus.RETRY
    assert outcome.annotations["tuner"] == {}


@pytest.fixture
def silent_tuner():
    """A server on 127.0.0.1 that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_request_timeout_asks_for_a_retry(host, silent_tuner):
    workflow = tuner_workflow(tuner_data(silent_tuner))
    logs = record_call(host, workflow)
    context = CompletionContext(workflow_run_id="run-1", runtime_snapshot=logs["tuner"]["snapshot"])

    result = asyncio.run(run_completion(workflow["nodes"][1:], context, request_timeout_s=0.1))

    assert isinstance(result["t1"], RetryLater)
    assert "in time" in str(result["t1"])


def test_handler_cut_off_by_the_host_time_limit_fails_the_node(host, silent_tuner):
    workflow = tuner_workflow(tuner_data(silent_tuner))
    logs = record_call(host, workflow)
    timeouts = {"tuner": 0.1}
    outcome = _complete(host, workflow, logs, timeouts_s=timeouts)

    # The host's limit (0.1 s) is shorter than the request's (10 s): the
    # handler is cut off and its node fails as timed out.
    assert outcome.nodes["t1"].status is NodeStatus.FAILED
    assert outcome.nodes["t1"].reason == "timeout"


def test_missing_snapshot_is_skipped_without_a_request(host, httpserver):
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/")))
    outcome = _complete(host, workflow, {})

    assert httpserver.log == []
    assert outcome.nodes["t1"].status is NodeStatus.SKIPPED
    assert outcome.nodes["t1"].reason == "no_call_snapshot"


def test_snapshot_of_another_shape_is_a_final_failure(host, httpserver):
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/")))
    logs = {"tuner": {"snapshot": {"transcript": "not a list"}}}
    outcome = _complete(host, workflow, logs)

    assert httpserver.log == []
    assert outcome.nodes["t1"].status is NodeStatus.FAILED
    assert outcome.nodes["t1"].reason == "invalid_snapshot"


def test_disabled_node_is_skipped_by_the_host(host, httpserver):
    workflow = tuner_workflow({"name": "Tuner", "enabled": False})
    outcome = _complete(host, workflow, {})

    assert httpserver.log == []
    assert outcome.called == ()
    assert outcome.nodes["t1"].status is NodeStatus.SKIPPED
    assert outcome.nodes["t1"].reason == "node_disabled"


def test_disabled_node_given_to_the_handler_is_skipped(host, httpserver):
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/")))
    logs = record_call(host, workflow)
    context = CompletionContext(workflow_run_id="run-1", runtime_snapshot=logs["tuner"]["snapshot"])
    nodes = [{"id": "t1", "type": "tuner", "data": {"name": "Tuner", "enabled": False}}]

    result = asyncio.run(run_completion(nodes, context))

    assert result == {"t1": {"status": "skipped", "reason": "node_disabled"}}
    assert httpserver.log == []


def test_invalid_settings_fail_the_node_naming_fields_not_values(host, httpserver, caplog):
    data = tuner_data(httpserver.url_for("/"), workspace_id=-1)
    del data["agent_id"]
    workflow = tuner_workflow(data)
    logs = record_call(host, tuner_workflow(tuner_data(httpserver.url_for("/"))))

    with caplog.at_level(logging.DEBUG):
        outcome = _complete(host, workflow, logs)

    assert httpserver.log == []
    assert outcome.nodes["t1"].status is NodeStatus.FAILED
    result = outcome.annotations["tuner"]["t1"]
    assert result["reason"] == "invalid_config"
    assert any(problem.startswith("workspace_id:") for problem in result["problems"])
    _assert_no_secret(outcome)
    assert API_KEY not in caplog.text


def test_without_call_id_the_run_id_identifies_the_call(host, httpserver):
    httpserver.expect_oneshot_request(CALL_PATH, method="POST").respond_with_data(status=201)
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/")))
    events = [{"kind": "call_started", "timestamp": "2025-03-01T10:00:00Z"}]
    outcome = _complete(host, workflow, record_call(host, workflow, events=events))

    (body,) = _sent_bodies(httpserver)
    assert body["call_id"] == "run-1"
    assert "recording_url" in body
    assert outcome.annotations["tuner"]["t1"]["call_id"] == "run-1"


def test_no_recording_url_without_a_public_token(host, httpserver):
    httpserver.expect_oneshot_request(CALL_PATH, method="POST").respond_with_data(status=201)
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/")))
    logs = record_call(host, workflow)

    asyncio.run(
        complete_call(
            host, workflow_run_id="run-1", workflow_definition=workflow, integration_logs=logs
        )
    )

    (body,) = _sent_bodies(httpserver)
    assert "recording_url" not in body
    assert "agent_version" not in body["general_meta_data_raw"]


def test_logs_never_contain_the_api_key(host, httpserver, caplog):
    httpserver.expect_oneshot_request(CALL_PATH, method="POST").respond_with_data(status=500)
    workflow = tuner_workflow(tuner_data(httpserver.url_for("/")))
    logs = record_call(host, workflow)

    with caplog.at_level(logging.DEBUG):
        outcome = _complete(host, workflow, logs)

    assert outcome.nodes["t1"].status is NodeStatus.RETRY
    assert "HTTP 500" in caplog.text
    assert API_KEY not in caplog.text
    assert COMPLETION_STATE_KEY in outcome.annotations

"""Reviews by a fake chat-completions API on 127.0.0.1, driven through the host's completion."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from jackfield_qa import run_completion
from qa_support import (
    ANSWER_MODEL,
    API_KEY,
    booking_call,
    chat_completion,
    complete,
    qa_data,
    qa_workflow,
    record_call,
    record_snapshot,
    review,
    review_completion,
)
from werkzeug import Response

from jackfield import NodeStatus, RetryLater

PATH = "/v1/chat/completions"
HEADERS = {"Authorization": f"Bearer {API_KEY}"}


def _base_url(httpserver):
    return httpserver.url_for("/v1")


def _sent(httpserver):
    return [json.loads(request.get_data()) for request, _ in httpserver.log]


def _assert_no_secret(outcome):
    assert API_KEY not in json.dumps(outcome.annotations)


def test_happy_path_sends_one_exact_request_and_records_the_review(host, httpserver, caplog):
    caplog.set_level(logging.DEBUG)
    httpserver.expect_oneshot_request(
        PATH, method="POST", headers=HEADERS, query_string=""
    ).respond_with_json(review_completion())
    workflow = qa_workflow(qa_data(_base_url(httpserver), model="gpt-4o-mini"))
    logs = record_call(host, workflow)

    outcome = complete(host, workflow, logs)

    httpserver.check_assertions()
    ((request, _),) = httpserver.log
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.get_data())
    assert set(body) == {"model", "messages", "response_format"}
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"] == {"type": "json_object"}
    system, user = body["messages"]
    assert system["role"] == "system"
    assert system["content"].startswith("You are a quality reviewer for an AI voice agent.")
    assert '"nodes"' in system["content"]
    assert user["role"] == "user"
    assert '- id "greet": start step "Greeting"' in user["content"]
    assert "  instructions: Find a free slot and book it." in user["content"]
    assert "The call: disposition: completed, duration: 30 s." in user["content"]
    assert "[00:05] Caller: I'd like to book a check-up." in user["content"]
    assert "(tool next_free_slot called with" in user["content"]
    assert API_KEY not in request.get_data(as_text=True)

    assert outcome.done
    assert outcome.nodes["q1"].status is NodeStatus.DELIVERED
    assert outcome.annotations["qa"] == {
        "q1": {
            "status": "analysed",
            "model": ANSWER_MODEL,
            "summary": "The caller booked a check-up for Tuesday at 9:30.",
            "nodes": {
                "greet": {
                    "summary": "The agent greeted the caller and asked what they needed.",
                    "scores": {"instruction_following": 5, "tone": 4},
                    "tags": ["booking-intent", "polite"],
                },
                "book": {
                    "summary": "The agent found a slot and booked it after the caller agreed.",
                    "scores": {"instruction_following": 5, "accuracy": 4.5},
                    "tags": ["appointment-booked", "talked-over-caller"],
                },
            },
            "tags": ["appointment-booked", "booking-intent", "polite", "talked-over-caller"],
            "usage": {
                "model": ANSWER_MODEL,
                "prompt_tokens": 812,
                "completion_tokens": 164,
                "total_tokens": 976,
            },
        },
        "tags": ["appointment-booked", "booking-intent", "polite", "talked-over-caller"],
        "usage": {
            "model": ANSWER_MODEL,
            "prompt_tokens": 812,
            "completion_tokens": 164,
            "total_tokens": 976,
        },
        "summary": "The caller booked a check-up for Tuesday at 9:30.",
    }
    _assert_no_secret(outcome)
    assert API_KEY not in caplog.text


def test_custom_prompt_is_sent_with_the_answer_shape_appended(host, httpserver):
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(review_completion())
    prompt = "Score disclosure only. Tag every promise."
    workflow = qa_workflow(qa_data(_base_url(httpserver), prompt=prompt))

    complete(host, workflow, record_call(host, workflow))

    (body,) = _sent(httpserver)
    system = body["messages"][0]["content"]
    assert system.startswith(prompt + "\n\n")
    assert "Answer with a single JSON object" in system


def test_disabled_node_gets_no_session_sends_nothing_and_is_skipped(host, httpserver):
    workflow = qa_workflow({"name": "Call review", "enabled": False})
    logs = record_call(host, workflow)

    outcome = complete(host, workflow, logs)

    assert "qa" not in logs
    assert httpserver.log == []
    assert outcome.nodes["q1"].status is NodeStatus.SKIPPED
    assert outcome.nodes["q1"].reason == "node_disabled"


def test_missing_snapshot_is_skipped_without_a_request(host, httpserver):
    workflow = qa_workflow(qa_data(_base_url(httpserver)))

    outcome = complete(host, workflow, None)

    assert httpserver.log == []
    assert outcome.nodes["q1"].status is NodeStatus.SKIPPED
    assert outcome.annotations["qa"] == {
        "q1": {"status": "skipped", "reason": "no_call_snapshot"},
        "tags": [],
    }


def test_voicemail_is_skipped_unless_enabled(host, httpserver):
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(review_completion())
    call = booking_call(disposition="voicemail")
    skipping = qa_workflow(qa_data(_base_url(httpserver)))

    outcome = complete(host, skipping, record_call(host, skipping, call))

    assert httpserver.log == []
    assert outcome.nodes["q1"].status is NodeStatus.SKIPPED
    assert outcome.nodes["q1"].reason == "voicemail"
    assert outcome.annotations["qa"]["q1"] == {
        "status": "skipped",
        "reason": "voicemail",
        "disposition": "voicemail",
    }

    analysing = qa_workflow(qa_data(_base_url(httpserver), analyse_voicemail=True))
    outcome = complete(
        host, analysing, record_call(host, analysing, booking_call(disposition="voicemail"))
    )

    assert len(httpserver.log) == 1
    assert outcome.annotations["qa"]["q1"]["status"] == "analysed"


def test_short_call_is_skipped_with_its_duration(host, httpserver):
    workflow = qa_workflow(qa_data(_base_url(httpserver), min_duration_s=45))

    outcome = complete(host, workflow, record_call(host, workflow))

    assert httpserver.log == []
    assert outcome.nodes["q1"].reason == "call_too_short"
    assert outcome.annotations["qa"]["q1"] == {
        "status": "skipped",
        "reason": "call_too_short",
        "duration_s": 30.0,
        "min_duration_s": 45.0,
    }


def test_sampling_is_decided_by_run_id_and_kept_on_a_rerun(host, httpserver):
    # sample_bucket("run-1") is 45 and sample_bucket("run-4") is 78 (pinned in test_qa_skips).
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(review_completion())
    workflow = qa_workflow(qa_data(_base_url(httpserver), sample_rate=50))

    reviewed = complete(host, workflow, record_call(host, workflow, run_id="run-1"), run_id="run-1")
    left_out = complete(host, workflow, record_call(host, workflow, run_id="run-4"), run_id="run-4")
    again = complete(host, workflow, record_call(host, workflow, run_id="run-4"), run_id="run-4")

    assert len(httpserver.log) == 1
    assert reviewed.annotations["qa"]["q1"]["status"] == "analysed"
    for outcome in (left_out, again):
        assert outcome.nodes["q1"].status is NodeStatus.SKIPPED
        assert outcome.annotations["qa"]["q1"] == {
            "status": "skipped",
            "reason": "not_sampled",
            "sample_rate": 50,
        }


def test_transient_failure_is_retried_then_succeeds_once(host, httpserver):
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_json(
        {"error": {"message": "overloaded"}}, status=503, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request(PATH, method="POST").respond_with_json(review_completion())
    workflow = qa_workflow(qa_data(_base_url(httpserver)))
    logs = record_call(host, workflow)

    first = complete(host, workflow, logs)

    assert not first.done
    assert first.nodes["q1"].status is NodeStatus.RETRY
    assert first.nodes["q1"].retry_in_s == 7.0
    assert first.annotations["qa"] == {"tags": []}

    second = complete(host, workflow, logs, previous_annotations=first.annotations)
    third = complete(host, workflow, logs, previous_annotations=second.annotations)

    httpserver.check_assertions()
    assert len(httpserver.log) == 2
    assert second.done
    assert second.nodes["q1"].status is NodeStatus.DELIVERED
    assert second.nodes["q1"].attempts == 2
    assert second.annotations["qa"]["q1"]["status"] == "analysed"
    assert second.annotations["qa"]["usage"]["total_tokens"] == 976
    assert third.called == ()
    assert third.annotations["qa"] == second.annotations["qa"]


@pytest.mark.parametrize("status", [429, 408, 500, 502])
def test_busy_or_failing_service_is_retried(host, httpserver, status):
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data("busy", status=status)
    workflow = qa_workflow(qa_data(_base_url(httpserver)))

    outcome = complete(host, workflow, record_call(host, workflow))

    assert outcome.nodes["q1"].status is NodeStatus.RETRY
    assert outcome.nodes["q1"].reason == "retry_later"


@pytest.mark.parametrize(
    ("retry_after", "retry_in_s"),
    [
        ("12", 12.0),
        ("Wed, 21 Oct 2099 07:28:00 GMT", 3600.0),  # far off: capped by the orchestrator
        ("Thu, 01 Jan 2015 00:00:00 GMT", 0.0),  # already past
        ("soon", 30.0),  # unusable: the plugin's back-off applies
    ],
)
def test_retry_after_sets_the_retry_delay(host, httpserver, retry_after, retry_in_s):
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data(
        "slow down", status=429, headers={"Retry-After": retry_after}
    )
    workflow = qa_workflow(qa_data(_base_url(httpserver)))

    outcome = complete(host, workflow, record_call(host, workflow))

    assert outcome.nodes["q1"].retry_in_s == retry_in_s


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_refusal_is_a_final_failure_with_its_status(host, httpserver, status):
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(
        {"error": {"message": f"key {API_KEY} is not valid"}}, status=status
    )
    workflow = qa_workflow(qa_data(_base_url(httpserver)))

    outcome = complete(host, workflow, record_call(host, workflow))

    assert outcome.done
    assert outcome.nodes["q1"].status is NodeStatus.FAILED
    assert outcome.nodes["q1"].reason == f"http_{status}"
    assert outcome.annotations["qa"]["q1"] == {
        "status": "failed",
        "reason": f"http_{status}",
        "status_code": status,
    }
    _assert_no_secret(outcome)


def test_request_timeout_is_retried_for_that_node_only(httpserver, jackfield_completion_context):
    def slow(request):
        time.sleep(1.0)
        return Response(json.dumps(review_completion()), content_type="application/json")

    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_handler(slow)
    data = qa_data(_base_url(httpserver))
    workflow = qa_workflow(data)
    context = jackfield_completion_context(
        definition=workflow,
        snapshot=record_snapshot(),
        workflow_run_id="run-1",
    )

    results = asyncio.run(
        run_completion([{"id": "q1", "type": "qa", "data": data}], context, request_timeout_s=0.2)
    )

    assert isinstance(results["q1"], RetryLater)
    assert results["tags"] == []
    assert "usage" not in results


def test_unreachable_service_is_retried(host, unused_port_url):
    workflow = qa_workflow(qa_data(unused_port_url))

    outcome = complete(host, workflow, record_call(host, workflow))

    assert outcome.nodes["q1"].status is NodeStatus.RETRY


@pytest.fixture
def unused_port_url():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("Sure! The call went well.", "not valid JSON (line 1, column 1)"),
        (None, "the answer is empty"),
        (json.dumps(["not", "an", "object"]), "(answer): Input should be a valid dictionary"),
        (json.dumps({"nodes": {}}), "summary: Field required"),
        (
            json.dumps(
                review(nodes={"greet": {"summary": "ok", "scores": {"tone": 9}, "tags": []}})
            ),
            "nodes.greet.scores.tone: Value error, must be a number from 1 to 5",
        ),
        (
            json.dumps(review(nodes={"q1": {"summary": "ok", "scores": {}, "tags": []}})),
            "nodes.q1: not a conversation node of this workflow",
        ),
    ],
)
def test_malformed_model_output_is_a_final_failure_not_a_crash(host, httpserver, content, problem):
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(
        chat_completion(content, finish_reason="stop")
    )
    workflow = qa_workflow(qa_data(_base_url(httpserver)))

    outcome = complete(host, workflow, record_call(host, workflow))

    assert outcome.done
    assert outcome.nodes["q1"].status is NodeStatus.FAILED
    assert outcome.nodes["q1"].reason == "invalid_model_output"
    result = outcome.annotations["qa"]["q1"]
    assert result["status"] == "failed"
    assert any(p.startswith(problem) for p in result["problems"]), result["problems"]
    assert result["finish_reason"] == "stop"
    assert result["usage"]["total_tokens"] == 976
    # The tokens were spent: the host can still add them to the run's usage.
    assert outcome.annotations["qa"]["usage"]["prompt_tokens"] == 812
    assert outcome.annotations["qa"]["tags"] == []
    assert "summary" not in outcome.annotations["qa"]


def test_model_output_in_a_code_fence_is_accepted(host, httpserver):
    fenced = "```json\n" + json.dumps(review()) + "\n```"
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_json(
        chat_completion(fenced)
    )
    workflow = qa_workflow(qa_data(_base_url(httpserver)))

    outcome = complete(host, workflow, record_call(host, workflow))

    assert outcome.annotations["qa"]["q1"]["status"] == "analysed"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<html>gateway</html>", "not valid JSON"),
        (json.dumps({"choices": []}), "choices: List should have at least 1 item"),
        (json.dumps({"object": "list"}), "choices: Field required"),
    ],
)
def test_answer_that_is_not_a_chat_completion_is_a_final_failure(host, httpserver, body, problem):
    httpserver.expect_oneshot_request(PATH, method="POST").respond_with_data(
        body, status=200, content_type="application/json"
    )
    workflow = qa_workflow(qa_data(_base_url(httpserver)))

    outcome = complete(host, workflow, record_call(host, workflow))

    assert outcome.nodes["q1"].status is NodeStatus.FAILED
    assert outcome.annotations["qa"]["q1"]["reason"] == "invalid_response"
    assert outcome.annotations["qa"]["q1"]["problems"][0].startswith(problem)
    assert "usage" not in outcome.annotations["qa"]


def test_invalid_node_settings_fail_naming_fields_not_values(host, httpserver):
    workflow = qa_workflow(
        {"name": "Call review", "api_key": API_KEY, "sample_rate": 0, "base_url": "ftp://x"}
    )

    outcome = complete(host, workflow, record_call(host, workflow))

    assert httpserver.log == []
    result = outcome.annotations["qa"]["q1"]
    assert result["reason"] == "invalid_config"
    assert [p.split(":")[0] for p in result["problems"]] == ["base_url", "sample_rate"]
    assert "ftp" not in json.dumps(result)
    _assert_no_secret(outcome)


def test_snapshot_that_is_not_a_recorders_fails(host, httpserver):
    workflow = qa_workflow(qa_data(_base_url(httpserver)))

    outcome = complete(host, workflow, {"qa": {"snapshot": {"transcript": "not a list"}}})

    assert httpserver.log == []
    assert outcome.annotations["qa"]["q1"] == {"status": "failed", "reason": "invalid_snapshot"}


def test_call_without_speech_is_skipped(host, httpserver, jackfield_call):
    silent = jackfield_call.started("call-9").tool("lookup", {}, None).ended("completed").build()
    workflow = qa_workflow(qa_data(_base_url(httpserver), min_duration_s=0))

    outcome = complete(host, workflow, record_call(host, workflow, silent))

    assert httpserver.log == []
    assert outcome.annotations["qa"]["q1"] == {"status": "skipped", "reason": "empty_transcript"}

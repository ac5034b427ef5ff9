"""Completion: what the Paygent plugin sends, and every outcome, against a local server."""

from __future__ import annotations

import json
import threading

from jackfield_paygent import RETRYING_KEY, idempotency_key
from paygent_support import (
    API_KEY,
    CALL_EVENTS,
    PATHS,
    REALTIME_EVENTS,
    RUN_ID,
    accept_all,
    complete,
    make_host,
    node_data,
    record,
    sent,
    workflow,
)
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from jackfield import NodeStatus

WHO = {"session_id": RUN_ID, "agent_id": "agent_support", "customer_id": "cust_acme"}

EXPECTED_STEPS = [
    (
        "session",
        PATHS["session"],
        {
            **WHO,
            "call_id": "call-7",
            "started_at": "2025-03-01T10:00:00+00:00",
            "ended_at": "2025-03-01T10:00:16+00:00",
            "realtime": False,
        },
    ),
    (
        "stt:deepgram/nova-3",
        PATHS["stt"],
        {**WHO, "provider": "deepgram", "model": "nova-3", "audio_seconds": 2.5},
    ),
    (
        "llm:openai/gpt-4o-mini",
        PATHS["llm"],
        {
            **WHO,
            "provider": "openai",
            "model": "gpt-4o-mini",
            "prompt_tokens": 500,
            "completion_tokens": 50,
            "cached_tokens": 256,
        },
    ),
    (
        "tts:cartesia/sonic-2",
        PATHS["tts"],
        {**WHO, "provider": "cartesia", "model": "sonic-2", "characters": 52},
    ),
    (
        "indicator",
        PATHS["indicator"],
        {**WHO, "indicator": "per-minute-call", "duration_seconds": 16.0},
    ),
]


def expected_requests(node_id, steps=EXPECTED_STEPS):
    return [
        {
            "method": "POST",
            "path": path,
            "query": "",
            "content_type": "application/json",
            "api_key": API_KEY,
            "idempotency_key": idempotency_key(RUN_ID, node_id, key),
            "body": body,
        }
        for key, path, body in steps
    ]


def test_happy_path_sends_every_step_in_order(httpserver: HTTPServer):
    accept_all(httpserver)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))
    logs = record(host, definition, CALL_EVENTS)

    outcome = complete(host, definition, logs)

    assert sent(httpserver) == expected_requests("billing")
    assert outcome.nodes["billing"].status is NodeStatus.DELIVERED
    assert outcome.annotations["paygent"] == {
        "billing": {
            "status": "ok",
            "session_id": RUN_ID,
            "steps": {key: "delivered" for key, _, _ in EXPECTED_STEPS},
            "errors": [],
        }
    }
    assert API_KEY not in json.dumps(outcome.annotations)


def test_base_url_with_trailing_slash_and_path_prefix(httpserver: HTTPServer):
    for path in PATHS.values():
        httpserver.expect_request("/proxy" + path, method="POST").respond_with_json({})
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for("/proxy/"))))

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    assert [r["path"] for r in sent(httpserver)] == ["/proxy" + p for _, p, _ in EXPECTED_STEPS]
    assert outcome.annotations["paygent"]["billing"]["status"] == "ok"


def test_realtime_call_sends_speech_to_speech_instead_of_separate_usage(httpserver: HTTPServer):
    accept_all(httpserver)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))
    logs = record(host, definition, REALTIME_EVENTS, is_realtime=True)

    outcome = complete(host, definition, logs)

    requests = sent(httpserver)
    assert [r["path"] for r in requests] == [
        PATHS["session"],
        PATHS["speech-to-speech"],
        PATHS["indicator"],
    ]
    assert requests[0]["body"]["realtime"] is True
    assert requests[1]["body"] == {
        **WHO,
        "provider": "openai",
        "model": "gpt-realtime",
        "prompt_tokens": 900,
        "completion_tokens": 300,
        "cached_tokens": 100,
        "characters": 0,
        "audio_seconds": 0.0,
    }
    assert requests[2]["body"]["duration_seconds"] == 30.0
    assert outcome.annotations["paygent"]["billing"]["steps"] == {
        "session": "delivered",
        "speech-to-speech:openai/gpt-realtime": "delivered",
        "indicator": "delivered",
    }


def test_disabled_node_is_skipped_and_nothing_is_sent(httpserver: HTTPServer):
    accept_all(httpserver)
    host = make_host()
    definition = workflow(
        ("billing", node_data(httpserver.url_for(""))),
        ("off", {"name": "Old billing", "enabled": False}),
    )

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    assert outcome.nodes["off"].status is NodeStatus.SKIPPED
    assert outcome.nodes["off"].reason == "node_disabled"
    assert "off" not in outcome.annotations["paygent"]
    keys = {r["idempotency_key"] for r in sent(httpserver)}
    assert keys == {idempotency_key(RUN_ID, "billing", key) for key, _, _ in EXPECTED_STEPS}


def test_no_session_when_the_only_node_is_disabled(httpserver: HTTPServer):
    host = make_host()
    definition = workflow(("off", {"name": "Old billing", "enabled": False}))

    logs = record(host, definition, CALL_EVENTS)
    outcome = complete(host, definition, logs)

    assert "paygent" not in logs
    assert outcome.called == ()
    assert sent(httpserver) == []


def test_missing_snapshot_fails_the_node_without_sending(httpserver: HTTPServer):
    accept_all(httpserver)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))

    outcome = complete(host, definition, logs=None)

    assert sent(httpserver) == []
    assert outcome.nodes["billing"].status is NodeStatus.FAILED
    assert outcome.nodes["billing"].reason == "no_snapshot"
    assert outcome.annotations["paygent"]["billing"] == {
        "status": "failed",
        "reason": "no_snapshot",
        "steps": {},
        "errors": [],
    }


def test_snapshot_that_is_not_a_recorders_fails_the_node(httpserver: HTTPServer):
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))
    logs = {"paygent": {"snapshot": {"usage": "lots"}}}

    outcome = complete(host, definition, logs)

    assert sent(httpserver) == []
    assert outcome.nodes["billing"].reason == "invalid_snapshot"


def test_invalid_configuration_is_a_final_failure_naming_fields_only(httpserver: HTTPServer):
    host = make_host()
    bad = node_data(httpserver.url_for(""), customer_id="   ", timeout_s=0)
    definition = workflow(("billing", bad))

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    assert sent(httpserver) == []
    assert outcome.nodes["billing"].status is NodeStatus.FAILED
    result = outcome.annotations["paygent"]["billing"]
    assert result["status"] == "failed"
    assert result["reason"] == "invalid_config"
    assert {p["field"] for p in result["problems"]} == {"timeout_s"}
    assert API_KEY not in json.dumps(outcome.annotations)


def test_missing_required_field_is_reported_by_name(httpserver: HTTPServer):
    host = make_host()
    data = node_data(httpserver.url_for(""))
    del data["indicator"]
    definition = workflow(("billing", data))

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    (problem,) = outcome.annotations["paygent"]["billing"]["problems"]
    assert problem["type"] == "missing"
    assert problem["field"] == "indicator"
    assert API_KEY not in json.dumps(problem)


def test_duplicate_steps_count_as_delivered(httpserver: HTTPServer):
    accept_all(httpserver, status=409)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    result = outcome.annotations["paygent"]["billing"]
    assert result["status"] == "ok"
    assert set(result["steps"].values()) == {"duplicate"}
    assert outcome.nodes["billing"].status is NodeStatus.DELIVERED


def test_transient_failure_then_retry_sends_only_the_missing_steps(httpserver: HTTPServer):
    httpserver.expect_request(PATHS["session"]).respond_with_json({})
    httpserver.expect_request(PATHS["stt"]).respond_with_json({})
    httpserver.expect_request(PATHS["llm"]).respond_with_data(
        "busy", status=503, headers={"Retry-After": "7"}
    )
    accept_all(httpserver)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))
    logs = record(host, definition, CALL_EVENTS)

    first = complete(host, definition, logs)

    assert sent(httpserver) == expected_requests("billing", EXPECTED_STEPS[:3])
    assert first.nodes["billing"].status is NodeStatus.RETRY
    assert first.retry_in_s == 7.0
    assert "billing" not in first.annotations["paygent"]
    assert first.annotations["paygent"][RETRYING_KEY]["billing"] == {
        "steps": {
            "session": "delivered",
            "stt:deepgram/nova-3": "delivered",
            "llm:openai/gpt-4o-mini": "not_sent",
            "tts:cartesia/sonic-2": "not_sent",
            "indicator": "not_sent",
        },
        "errors": [],
        "last_failure": {
            "step": "llm:openai/gpt-4o-mini",
            "reason": "http_503",
            "transient": True,
            "status_code": 503,
        },
    }

    httpserver.clear()
    accept_all(httpserver)
    second = complete(host, definition, logs, previous=first.annotations)

    assert sent(httpserver) == expected_requests("billing", EXPECTED_STEPS[2:])
    assert second.nodes["billing"].status is NodeStatus.DELIVERED
    assert second.nodes["billing"].attempts == 2
    assert second.annotations["paygent"]["billing"]["status"] == "ok"
    assert second.annotations["paygent"]["billing"]["steps"] == {
        key: "delivered" for key, _, _ in EXPECTED_STEPS
    }
    assert second.annotations["paygent"][RETRYING_KEY] == {}

    httpserver.clear()
    accept_all(httpserver)
    third = complete(host, definition, logs, previous=second.annotations)

    assert sent(httpserver) == []
    assert third.called == ()


def test_rate_limit_without_retry_after_leaves_the_delay_to_jackfield(httpserver: HTTPServer):
    httpserver.expect_request(PATHS["session"]).respond_with_data("", status=429)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    assert len(sent(httpserver)) == 1
    assert outcome.nodes["billing"].status is NodeStatus.RETRY
    assert outcome.retry_in_s == 30.0  # the plugin's base delay: no Retry-After given
    failure = outcome.annotations["paygent"][RETRYING_KEY]["billing"]["last_failure"]
    assert failure["reason"] == "http_429"


def test_rejected_session_fails_the_node_and_sends_nothing_else(httpserver: HTTPServer):
    httpserver.expect_request(PATHS["session"]).respond_with_data("denied", status=401)
    accept_all(httpserver)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    assert [r["path"] for r in sent(httpserver)] == [PATHS["session"]]
    assert outcome.nodes["billing"].status is NodeStatus.FAILED
    assert outcome.nodes["billing"].reason == "session_rejected"
    result = outcome.annotations["paygent"]["billing"]
    assert result["status"] == "failed"
    assert result["errors"] == [{"step": "session", "reason": "http_401", "status_code": 401}]
    assert set(list(result["steps"].values())[1:]) == {"not_sent"}


def test_refused_usage_step_gives_partial_and_the_rest_is_still_sent(httpserver: HTTPServer):
    httpserver.expect_request(PATHS["llm"]).respond_with_data("bad", status=422)
    accept_all(httpserver)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    assert sent(httpserver) == expected_requests("billing")
    assert outcome.nodes["billing"].status is NodeStatus.DELIVERED
    result = outcome.annotations["paygent"]["billing"]
    assert result["status"] == "partial"
    assert result["steps"]["llm:openai/gpt-4o-mini"] == "failed"
    assert result["errors"] == [
        {"step": "llm:openai/gpt-4o-mini", "reason": "http_422", "status_code": 422}
    ]


def test_partial_failure_is_kept_and_not_resent_after_a_retry(httpserver: HTTPServer):
    httpserver.expect_request(PATHS["stt"]).respond_with_data("bad", status=400)
    httpserver.expect_request(PATHS["tts"]).respond_with_data("", status=502)
    accept_all(httpserver)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))
    logs = record(host, definition, CALL_EVENTS)

    first = complete(host, definition, logs)
    httpserver.clear()
    accept_all(httpserver)
    second = complete(host, definition, logs, previous=first.annotations)

    assert [r["path"] for r in sent(httpserver)] == [PATHS["tts"], PATHS["indicator"]]
    result = second.annotations["paygent"]["billing"]
    assert result["status"] == "partial"
    assert result["errors"] == [
        {"step": "stt:deepgram/nova-3", "reason": "http_400", "status_code": 400}
    ]


def test_timeout_is_retried():
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(10)
        return Response("{}", status=200, content_type="application/json")

    # A server of its own: the request the client gave up on is still being
    # answered when the test ends, and must not land in another test's log.
    server = HTTPServer(host="127.0.0.1")
    server.expect_request(PATHS["session"]).respond_with_handler(slow)
    server.start()
    try:
        host = make_host()
        definition = workflow(("billing", node_data(server.url_for(""), timeout_s=0.1)))
        outcome = complete(host, definition, record(host, definition, CALL_EVENTS))
    finally:
        release.set()
        server.stop()

    assert outcome.nodes["billing"].status is NodeStatus.RETRY
    progress = outcome.annotations["paygent"][RETRYING_KEY]["billing"]
    assert progress["last_failure"] == {"step": "session", "reason": "timeout", "transient": True}
    assert set(progress["steps"].values()) == {"not_sent"}


def test_network_error_is_retried():
    host = make_host()
    definition = workflow(("billing", node_data("http://127.0.0.1:1")))

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    assert outcome.nodes["billing"].status is NodeStatus.RETRY
    failure = outcome.annotations["paygent"][RETRYING_KEY]["billing"]["last_failure"]
    assert failure["reason"] == "network_error"
    assert failure["type"] == "ConnectError"


def test_last_attempt_turns_a_transient_failure_into_a_final_result(httpserver: HTTPServer):
    httpserver.expect_request(PATHS["indicator"]).respond_with_data("", status=500)
    accept_all(httpserver)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))
    logs = record(host, definition, CALL_EVENTS)

    outcome = complete(host, definition, logs)
    for _ in range(4):
        assert outcome.nodes["billing"].status is NodeStatus.RETRY
        outcome = complete(host, definition, logs, previous=outcome.annotations)

    indicator_calls = [r for r in sent(httpserver) if r["path"] == PATHS["indicator"]]
    assert len(indicator_calls) == 5
    assert len(sent(httpserver)) == 4 + 5  # the other steps went through once
    assert outcome.nodes["billing"].status is NodeStatus.DELIVERED
    assert outcome.nodes["billing"].attempts == 5
    result = outcome.annotations["paygent"]["billing"]
    assert result["status"] == "partial"
    assert result["steps"]["indicator"] == "failed"
    assert result["errors"] == [
        {
            "step": "indicator",
            "reason": "http_500",
            "transient": True,
            "status_code": 500,
            "retries_exhausted": True,
        }
    ]


def test_unknown_duration_fails_the_indicator_only(httpserver: HTTPServer):
    accept_all(httpserver)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))
    events = [e for e in CALL_EVENTS if e["kind"] not in ("call_started", "call_ended")]

    outcome = complete(host, definition, record(host, definition, events))

    assert PATHS["indicator"] not in [r["path"] for r in sent(httpserver)]
    result = outcome.annotations["paygent"]["billing"]
    assert result["status"] == "partial"
    assert result["errors"] == [{"step": "indicator", "reason": "duration_unknown"}]


def test_duration_falls_back_to_the_runs_gathered_context(httpserver: HTTPServer):
    accept_all(httpserver)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))
    events = [e for e in CALL_EVENTS if e["kind"] not in ("call_started", "call_ended")]
    run = {"id": RUN_ID, "gathered_context": {"duration_s": 61}}

    outcome = complete(host, definition, record(host, definition, events), workflow_run=run)

    (indicator,) = [r for r in sent(httpserver) if r["path"] == PATHS["indicator"]]
    assert indicator["body"]["duration_seconds"] == 61.0
    assert outcome.annotations["paygent"]["billing"]["status"] == "ok"


def test_two_nodes_are_delivered_independently(httpserver: HTTPServer):
    httpserver.expect_request(
        PATHS["session"], json={**EXPECTED_STEPS[0][2], "customer_id": "cust_other"}
    ).respond_with_data("", status=403)
    accept_all(httpserver)
    host = make_host()
    definition = workflow(
        ("billing", node_data(httpserver.url_for(""))),
        ("resale", node_data(httpserver.url_for(""), customer_id="cust_other")),
    )

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    assert outcome.annotations["paygent"]["billing"]["status"] == "ok"
    assert outcome.annotations["paygent"]["resale"]["status"] == "failed"
    assert outcome.nodes["resale"].status is NodeStatus.FAILED
    assert len(sent(httpserver)) == len(EXPECTED_STEPS) + 1


def test_nothing_secret_reaches_the_logs(httpserver: HTTPServer, caplog):
    httpserver.expect_request(PATHS["session"]).respond_with_data(API_KEY, status=400)
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))

    with caplog.at_level("DEBUG"):
        outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    assert outcome.annotations["paygent"]["billing"]["reason"] == "session_rejected"
    assert "billing" in caplog.text
    assert API_KEY not in caplog.text
    assert API_KEY not in json.dumps(outcome.annotations)


def test_retry_after_as_a_past_http_date_means_retry_now(httpserver: HTTPServer):
    httpserver.expect_request(PATHS["session"]).respond_with_data(
        "", status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    assert outcome.retry_in_s == 0.0


def test_unreadable_retry_after_is_ignored(httpserver: HTTPServer):
    httpserver.expect_request(PATHS["session"]).respond_with_data(
        "", status=503, headers={"Retry-After": "soon"}
    )
    host = make_host()
    definition = workflow(("billing", node_data(httpserver.url_for(""))))

    outcome = complete(host, definition, record(host, definition, CALL_EVENTS))

    assert outcome.retry_in_s == 30.0


def test_progress_is_read_from_the_annotations_and_bad_entries_ignored(httpserver: HTTPServer):
    accept_all(httpserver)
    host = make_host()
    definition = workflow(
        ("billing", node_data(httpserver.url_for(""))),
        ("resale", node_data(httpserver.url_for(""), customer_id="cust_other")),
    )
    logs = record(host, definition, CALL_EVENTS)
    previous = {
        "paygent": {
            RETRYING_KEY: {
                "billing": {
                    "steps": {"session": "delivered", "stt:deepgram/nova-3": "duplicate"},
                    "errors": [],
                },
                "resale": {
                    "steps": {"session": "teleported", "stt:deepgram/nova-3": ["delivered"]},
                    "errors": "none",
                },
            }
        }
    }

    outcome = complete(host, definition, logs, previous=previous)

    keys = [r["idempotency_key"] for r in sent(httpserver)]
    billing = [idempotency_key(RUN_ID, "billing", k) for k, _, _ in EXPECTED_STEPS[2:]]
    resale = [idempotency_key(RUN_ID, "resale", k) for k, _, _ in EXPECTED_STEPS]
    assert sorted(keys) == sorted(billing + resale)
    assert outcome.annotations["paygent"]["billing"]["steps"]["stt:deepgram/nova-3"] == (
        "duplicate"
    )
    assert outcome.annotations["paygent"][RETRYING_KEY] == {}

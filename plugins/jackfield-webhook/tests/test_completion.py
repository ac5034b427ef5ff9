"""Completion through the host: what reaches the endpoint, and every outcome per node."""

from __future__ import annotations

import asyncio
import json
import logging
import threading

import jackfield_webhook.plugin
from jackfield_webhook import IDEMPOTENCY_HEADER, idempotency_key
from pydantic import model_validator
from pytest_httpserver import HTTPServer
from werkzeug import Response

from jackfield import (
    COMPLETION_STATE_KEY,
    BaseNodeData,
    CompletionContext,
    CompletionPhase,
    NodeRegistration,
    NodeStatus,
    RetryLater,
    build_spec,
    completion_settings,
    hookimpl,
    node_spec,
)
from jackfield.host import complete_call, read_completion_settings

RUN = {
    "id": "run_42",
    "name": "Morning call",
    "workflow_id": "wf_1",
    "workflow_name": "Reception",
    "campaign_id": "cmp_9",
    "created_at": "2025-03-01T10:00:00Z",
    "initial_context": {"phone": "+15550100"},
    "gathered_context": {"disposition": "completed", "duration_s": 16.0, "customer": "Ann"},
    "usage": {"llm": {"prompt_tokens": 120}},
    "cost": {"total_usd": 0.02},
}


@node_spec(name="fake_qa", description="Scores every call for these tests, in the analysis phase.")
class FakeQaNode(BaseNodeData):
    """A stand-in for the QA node, whose results the webhook must see."""

    @model_validator(mode="after")
    def _nothing_to_check(self) -> FakeQaNode:
        return self


class FakeQaPlugin:
    """An analysis-phase plugin whose annotation the webhook payload reads."""

    @hookimpl
    def jackfield_register_nodes(self) -> list[NodeRegistration]:
        return [
            NodeRegistration(
                type_name="fake_qa", data_model=FakeQaNode, node_spec=build_spec(FakeQaNode)
            )
        ]

    @hookimpl
    @completion_settings(phase=CompletionPhase.ANALYSIS)
    def jackfield_run_completion(self, nodes, context):
        return {"summary": "Booked a check-up.", "score": 4}


def _complete(host, definition, **kwargs):
    kwargs.setdefault("workflow_run", RUN)
    return asyncio.run(
        complete_call(host, workflow_run_id="run_42", workflow_definition=definition, **kwargs)
    )


def _hook(httpserver, **data):
    return {"name": "Hook", "endpoint_url": httpserver.url_for("/hooks/calls"), **data}


def test_runs_in_the_notification_phase():
    settings = read_completion_settings(jackfield_webhook.plugin)

    assert settings.phase is CompletionPhase.NOTIFICATION
    assert settings.timeout_s > 30


def test_delivers_the_rendered_payload_with_exact_request(host, httpserver, workflow):
    httpserver.expect_oneshot_request("/hooks/calls", method="POST").respond_with_json({"ok": 1})
    template = {
        "run": "{{ run.id }}",
        "who": "{{ gathered_context.customer }} ({{ initial_context.phone }})",
        "duration": "{{ gathered_context.duration_s }}",
        "workflow": "{{ workflow.name }}",
        "campaign": "{{ campaign_id }}",
        "at": "{{ call_time }}",
        "usage": "{{ usage }}",
        "cost": "{{ cost.total_usd }}",
        "recording": "{{ recording_url }}",
        "missing": "{{ gathered_context.email }}",
    }
    headers = [{"name": "X-Source", "value": "a"}]
    definition = workflow(w1=_hook(httpserver, payload_template=template, headers=headers))

    outcome = _complete(
        host,
        definition,
        definition_id="def_1",
        public_token="tok",
        public_base_url="https://calls.example.com/public/runs",
    )

    httpserver.check_assertions()
    assert len(httpserver.log) == 1
    request = httpserver.log[0][0]
    assert request.path == "/hooks/calls"
    assert request.query_string == b""
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Source"] == "a"
    assert request.headers["User-Agent"] == "jackfield-webhook"
    assert request.headers[IDEMPOTENCY_HEADER] == idempotency_key("run_42", "w1")
    assert "Authorization" not in request.headers
    assert json.loads(request.data) == {
        "run": "run_42",
        "who": "Ann (+15550100)",
        "duration": 16.0,
        "workflow": "Reception",
        "campaign": "cmp_9",
        "at": "2025-03-01T10:00:00Z",
        "usage": {"llm": {"prompt_tokens": 120}},
        "cost": 0.02,
        "recording": "https://calls.example.com/public/runs/tok/recording",
        "missing": "",
        "call_disposition": "completed",
    }
    result = outcome.annotations["webhook"]["w1"]
    assert result["status"] == "delivered"
    assert result["status_code"] == 200
    assert result["idempotency_key"] == idempotency_key("run_42", "w1")
    assert result["missing_variables"] == ["gathered_context.email"]
    assert isinstance(result["duration_ms"], float)
    assert outcome.nodes["w1"].status is NodeStatus.DELIVERED
    assert outcome.done
    assert httpserver.url_for("/") not in json.dumps(outcome.annotations)


def test_default_template_sends_the_run_and_earlier_results(host, httpserver, workflow):
    host.register(FakeQaPlugin(), name="fake_qa")
    httpserver.expect_oneshot_request("/hooks/calls", method="POST").respond_with_data("")
    definition = workflow(w1=_hook(httpserver))
    definition["nodes"].append({"id": "q1", "type": "fake_qa", "data": {"name": "QA"}})

    outcome = _complete(host, definition)

    body = json.loads(httpserver.log[0][0].data)
    assert body["event"] == "call.completed"
    assert body["run"] == {"id": "run_42", "name": "Morning call"}
    assert body["workflow"] == {"id": "wf_1", "name": "Reception"}
    assert body["call_disposition"] == "completed"
    assert body["gathered_context"] == RUN["gathered_context"]
    assert body["annotations"]["fake_qa"] == {"summary": "Booked a check-up.", "score": 4}
    assert body["recording_url"] is None
    assert outcome.called == ("fake_qa", "webhook")
    assert outcome.annotations["webhook"]["w1"]["missing_variables"] == []


def test_qa_results_reach_a_custom_template(host, httpserver, workflow):
    host.register(FakeQaPlugin(), name="fake_qa")
    httpserver.expect_oneshot_request("/hooks/calls").respond_with_data("")
    template = {"qa": "{{ annotations.fake_qa.summary }} ({{ annotations.fake_qa.score }}/5)"}
    definition = workflow(w1=_hook(httpserver, payload_template=template))
    definition["nodes"].append({"id": "q1", "type": "fake_qa", "data": {"name": "QA"}})

    _complete(host, definition)

    assert json.loads(httpserver.log[0][0].data)["qa"] == "Booked a check-up. (4/5)"


def test_put_and_patch_are_used_as_configured(host, httpserver, workflow):
    httpserver.expect_oneshot_request("/put", method="PUT").respond_with_data("")
    httpserver.expect_oneshot_request("/patch", method="PATCH").respond_with_data("")
    definition = workflow(
        w1={"name": "A", "endpoint_url": httpserver.url_for("/put"), "method": "PUT"},
        w2={"name": "B", "endpoint_url": httpserver.url_for("/patch"), "method": "PATCH"},
    )

    outcome = _complete(host, definition)

    httpserver.check_assertions()
    assert outcome.done
    keys = {r.headers[IDEMPOTENCY_HEADER] for r, _ in httpserver.log}
    assert keys == {idempotency_key("run_42", "w1"), idempotency_key("run_42", "w2")}


def test_works_without_any_run_record_or_snapshot(host, httpserver, workflow):
    httpserver.expect_oneshot_request("/hooks/calls").respond_with_data("")
    template = {"run": "{{ run.id }}", "name": "{{ run.name }}", "c": "{{ gathered_context }}"}

    outcome = _complete(
        host, workflow(w1=_hook(httpserver, payload_template=template)), workflow_run=None
    )

    assert json.loads(httpserver.log[0][0].data) == {
        "run": "run_42",
        "name": None,
        "c": {},
        "call_disposition": None,
    }
    assert outcome.annotations["webhook"]["w1"]["status"] == "delivered"


def test_disabled_node_is_skipped_and_nothing_is_sent(host, httpserver, workflow):
    outcome = _complete(host, workflow(w1={"name": "Hook", "enabled": False}))

    assert httpserver.log == []
    assert outcome.nodes["w1"].status is NodeStatus.SKIPPED
    assert outcome.nodes["w1"].reason == "node_disabled"
    assert outcome.called == ()


def test_handler_itself_skips_a_disabled_node(httpserver):
    context = CompletionContext(workflow_run_id="run_42")
    nodes = [{"id": "w1", "type": "webhook", "data": {"name": "Hook", "enabled": False}}]

    result = asyncio.run(jackfield_webhook.plugin.jackfield_run_completion(nodes, context))

    assert result == {"w1": {"status": "skipped", "reason": "node_disabled"}}
    assert httpserver.log == []


def test_invalid_settings_fail_the_node_without_echoing_values(host, httpserver, workflow):
    secretish = "https://hooks.example.com/T0KEN"
    outcome = _complete(
        host, workflow(w1={"name": "Hook", "endpoint_url": secretish, "method": "GET"})
    )

    result = outcome.annotations["webhook"]["w1"]
    assert result["status"] == "failed"
    assert result["reason"] == "invalid_config"
    assert any(problem.startswith("method:") for problem in result["problems"])
    assert "T0KEN" not in json.dumps(outcome.annotations)
    assert outcome.nodes["w1"].status is NodeStatus.FAILED
    assert httpserver.log == []


def test_template_error_fails_the_node_and_sends_nothing(host, httpserver, workflow):
    definition = workflow(w1=_hook(httpserver, payload_template={"a": ["{{ run.id "]}))

    outcome = _complete(host, definition)

    assert outcome.annotations["webhook"]["w1"] == {
        "status": "failed",
        "reason": "invalid_template",
        "location": "/a/0",
        "error": "syntax_error",
        "line": 1,
    }
    assert outcome.nodes["w1"].reason == "invalid_template"
    assert httpserver.log == []


def test_secret_looking_custom_headers_are_refused_and_never_recorded(
    host, httpserver, workflow, caplog
):
    httpserver.expect_oneshot_request("/hooks/calls").respond_with_data("")
    headers = [
        {"name": "X-Source", "value": "agent"},
        {"name": "Authorization", "value": "Bearer typed-in-s3cret"},
        {"name": "X-Api-Key", "value": "typed-in-k3y"},
    ]

    with caplog.at_level(logging.WARNING, logger="jackfield_webhook"):
        outcome = _complete(host, workflow(w1=_hook(httpserver, headers=headers)))

    request = httpserver.log[0][0]
    assert request.headers["X-Source"] == "agent"
    assert "Authorization" not in request.headers
    assert "X-Api-Key" not in request.headers
    result = outcome.annotations["webhook"]["w1"]
    assert result["status"] == "delivered"
    assert result["refused_headers"] == 2
    recorded = json.dumps(outcome.annotations)
    assert "Authorization" not in recorded
    assert "s3cret" not in recorded
    assert "k3y" not in recorded
    assert "'Authorization'" in caplog.text
    assert "'X-Api-Key'" in caplog.text
    assert "s3cret" not in caplog.text
    assert "k3y" not in caplog.text


def test_credential_headers_are_sent_and_never_recorded(host, httpserver, workflow, caplog):
    httpserver.expect_oneshot_request("/hooks/calls").respond_with_data("")
    asked = []

    def credentials(ref):
        asked.append(ref)
        return {"Authorization": "Bearer st0red-secret"} if ref == "cred_1" else None

    with caplog.at_level(logging.DEBUG):
        outcome = _complete(
            host,
            workflow(w1=_hook(httpserver, credential_ref="cred_1")),
            credentials=credentials,
        )

    assert asked == ["cred_1"]
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer st0red-secret"
    assert outcome.annotations["webhook"]["w1"]["status"] == "delivered"
    assert "st0red" not in json.dumps(outcome.annotations)
    assert "st0red" not in caplog.text


def test_unknown_credential_or_no_store_fails_the_node(host, httpserver, workflow):
    definition = workflow(w1=_hook(httpserver, credential_ref="cred_missing"))

    unknown = _complete(host, definition, credentials=lambda ref: None)
    no_store = _complete(host, definition)

    assert unknown.annotations["webhook"]["w1"] == {
        "status": "failed",
        "reason": "credential_not_found",
    }
    assert no_store.annotations["webhook"]["w1"] == {
        "status": "failed",
        "reason": "no_credential_store",
    }
    assert httpserver.log == []


def test_a_failing_credential_store_is_retried(host, httpserver, workflow):
    def broken_store(ref):
        raise ConnectionError("store down")

    outcome = _complete(
        host, workflow(w1=_hook(httpserver, credential_ref="cred_1")), credentials=broken_store
    )

    assert outcome.nodes["w1"].status is NodeStatus.RETRY
    assert httpserver.log == []


def test_server_error_is_retried_then_delivered_with_the_same_key(host, httpserver, workflow):
    httpserver.expect_ordered_request("/hooks/calls").respond_with_data(
        "busy", status=503, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/hooks/calls").respond_with_data("", status=202)
    definition = workflow(w1=_hook(httpserver))

    first = _complete(host, definition)

    assert first.nodes["w1"].status is NodeStatus.RETRY
    assert first.nodes["w1"].retry_in_s == 7.0
    assert "w1" not in first.annotations.get("webhook", {})

    second = _complete(host, definition, previous_annotations=first.annotations)

    httpserver.check_assertions()
    assert second.nodes["w1"].status is NodeStatus.DELIVERED
    assert second.nodes["w1"].attempts == 2
    assert second.annotations["webhook"]["w1"]["status_code"] == 202
    keys = [r.headers[IDEMPOTENCY_HEADER] for r, _ in httpserver.log]
    assert keys == [idempotency_key("run_42", "w1")] * 2


def test_rate_limit_is_retried(host, httpserver, workflow):
    httpserver.expect_oneshot_request("/hooks/calls").respond_with_data("", status=429)

    outcome = _complete(host, workflow(w1=_hook(httpserver)))

    assert outcome.nodes["w1"].status is NodeStatus.RETRY
    assert outcome.nodes["w1"].reason == "retry_later"


def test_unreachable_endpoint_is_retried(host, workflow, closed_port_url):
    outcome = _complete(host, workflow(w1={"name": "Hook", "endpoint_url": closed_port_url}))

    assert outcome.nodes["w1"].status is NodeStatus.RETRY


def test_slow_endpoint_times_out_and_is_retried(host, workflow):
    # A server of its own: the held request must not end up in the shared server's log.
    release = threading.Event()

    def held(request):
        release.wait(10)
        return Response("", status=200)

    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/slow").respond_with_handler(held)
    server.start()
    try:
        hook = {"name": "Hook", "endpoint_url": server.url_for("/slow"), "timeout_s": 0.2}
        outcome = _complete(host, workflow(w1=hook))
    finally:
        release.set()
        server.stop()

    assert outcome.nodes["w1"].status is NodeStatus.RETRY
    assert outcome.nodes["w1"].reason == "retry_later"


def test_client_error_is_a_final_failure_and_never_retried(host, httpserver, workflow):
    httpserver.expect_oneshot_request("/hooks/calls").respond_with_data(
        "echo of what you sent", status=404
    )
    definition = workflow(w1=_hook(httpserver))

    first = _complete(host, definition)
    again = _complete(host, definition, previous_annotations=first.annotations)

    result = first.annotations["webhook"]["w1"]
    assert result["status"] == "failed"
    assert result["reason"] == "http_404"
    assert result["status_code"] == 404
    assert "echo" not in json.dumps(first.annotations)
    assert first.nodes["w1"].status is NodeStatus.FAILED
    assert again.called == ()
    assert len(httpserver.log) == 1


def test_redirects_are_not_followed(host, httpserver, workflow):
    httpserver.expect_oneshot_request("/hooks/calls").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/elsewhere")}
    )

    outcome = _complete(host, workflow(w1=_hook(httpserver)))

    assert outcome.annotations["webhook"]["w1"]["reason"] == "http_302"
    assert len(httpserver.log) == 1


def test_conflict_means_already_delivered(host, httpserver, workflow):
    httpserver.expect_oneshot_request("/hooks/calls").respond_with_data("", status=409)

    outcome = _complete(host, workflow(w1=_hook(httpserver)))

    assert outcome.annotations["webhook"]["w1"]["status"] == "duplicate"
    assert outcome.nodes["w1"].status is NodeStatus.DELIVERED


def test_a_delivered_node_is_never_sent_again(host, httpserver, workflow):
    httpserver.expect_oneshot_request("/hooks/calls").respond_with_data("")
    definition = workflow(w1=_hook(httpserver))

    first = _complete(host, definition)
    second = _complete(host, definition, previous_annotations=first.annotations)

    assert len(httpserver.log) == 1
    assert second.called == ()
    assert second.annotations["webhook"] == first.annotations["webhook"]
    assert second.annotations[COMPLETION_STATE_KEY]["nodes"]["w1"]["status"] == "delivered"


def test_only_the_failed_node_is_sent_again(host, httpserver, workflow):
    httpserver.expect_oneshot_request("/ok").respond_with_data("")
    httpserver.expect_oneshot_request("/flaky").respond_with_data("", status=500)
    httpserver.expect_oneshot_request("/flaky").respond_with_data("")
    definition = workflow(
        good={"name": "Good", "endpoint_url": httpserver.url_for("/ok")},
        flaky={"name": "Flaky", "endpoint_url": httpserver.url_for("/flaky")},
    )

    first = _complete(host, definition)
    second = _complete(host, definition, previous_annotations=first.annotations)

    httpserver.check_assertions()
    assert first.nodes["good"].status is NodeStatus.DELIVERED
    assert first.nodes["flaky"].status is NodeStatus.RETRY
    assert second.nodes["flaky"].status is NodeStatus.DELIVERED
    assert [r.path for r, _ in httpserver.log] == ["/ok", "/flaky", "/flaky"]
    assert set(second.annotations["webhook"]) == {"good", "flaky"}


def test_handler_returns_retry_later_per_node(httpserver):
    httpserver.expect_oneshot_request("/hooks/calls").respond_with_data("", status=502)
    nodes = [{"id": "w1", "type": "webhook", "data": _hook(httpserver)}]

    result = asyncio.run(
        jackfield_webhook.plugin.jackfield_run_completion(
            nodes, CompletionContext(workflow_run_id="run_42")
        )
    )

    assert isinstance(result["w1"], RetryLater)
    assert result["w1"].delay_s is None

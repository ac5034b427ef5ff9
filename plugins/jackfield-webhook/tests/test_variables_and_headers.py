"""Template variables from a run or sample data; header rules and idempotency keys."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from jackfield_webhook import (
    IDEMPOTENCY_HEADER,
    TEMPLATE_VARIABLES,
    WebhookHeader,
    build_render_context,
    idempotency_key,
    is_secret_header_name,
    sample_render_context,
    webhook_credentials,
)
from jackfield_webhook._headers import prepare_headers

from jackfield import CompletionContext


def _context(**kwargs):
    return CompletionContext(workflow_run_id="run_42", **kwargs)


def test_render_context_reads_the_run_annotations_and_public_urls():
    run = {
        "id": "run_42",
        "name": "Callback",
        "workflow_id": "wf_1",
        "workflow_name": "Reception",
        "campaign_id": "cmp_9",
        "created_at": datetime(2025, 3, 1, 10, 0, tzinfo=UTC),
        "initial_context": {"phone": "+15550100"},
        "gathered_context": {"disposition": "voicemail", "duration_s": 12.0},
        "usage": {"llm": {"prompt_tokens": 5}},
        "cost": {"total_usd": 0.01},
    }
    context = _context(
        workflow_run=run,
        definition_id="def_3",
        organization_id="org_7",
        public_token="tok",
        public_base_url="https://calls.example.com/public/runs/",
        annotations={"qa": {"score": 5}},
    )

    variables = build_render_context(context)

    assert set(variables) == set(TEMPLATE_VARIABLES)
    assert variables["run"] == {
        "id": "run_42",
        "name": "Callback",
        "created_at": "2025-03-01T10:00:00+00:00",
    }
    assert variables["workflow"] == {"id": "wf_1", "name": "Reception", "definition_id": "def_3"}
    assert variables["campaign_id"] == "cmp_9"
    assert variables["organization_id"] == "org_7"
    assert variables["call_time"] == "2025-03-01T10:00:00+00:00"
    assert variables["call_disposition"] == "voicemail"
    assert variables["initial_context"] == {"phone": "+15550100"}
    assert variables["gathered_context"] == {"disposition": "voicemail", "duration_s": 12.0}
    assert variables["usage"] == {"llm": {"prompt_tokens": 5}}
    assert variables["cost"] == {"total_usd": 0.01}
    assert variables["annotations"] == {"qa": {"score": 5}}
    assert variables["recording_url"] == "https://calls.example.com/public/runs/tok/recording"
    assert variables["transcript_url"] == "https://calls.example.com/public/runs/tok/transcript"
    json.dumps(variables)


def test_render_context_without_a_run_record_defines_every_variable():
    variables = build_render_context(_context())

    assert set(variables) == set(TEMPLATE_VARIABLES)
    assert variables["run"] == {"id": "run_42", "name": None, "created_at": None}
    assert variables["call_disposition"] is None
    assert variables["initial_context"] == {}
    assert variables["gathered_context"] == {}
    assert variables["usage"] == {}
    assert variables["cost"] == {}
    assert variables["annotations"] == {}
    assert variables["recording_url"] is None
    assert variables["transcript_url"] is None


def test_sample_context_has_every_variable_and_takes_overrides():
    default = sample_render_context()
    overridden = sample_render_context({"gathered_context": {"disposition": "no_answer"}})
    explicit = sample_render_context({"call_disposition": "busy"})

    assert set(default) == set(TEMPLATE_VARIABLES)
    assert default["call_disposition"] == "completed"
    assert overridden["gathered_context"] == {"disposition": "no_answer"}
    assert overridden["call_disposition"] == "no_answer"
    assert explicit["call_disposition"] == "busy"
    json.dumps(default)


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "proxy-authorization",
        "X-Auth-Token",
        "X-API-Key",
        "x_api_key",
        "Api.Key",
        "X-Access-Key",
        "Cookie",
        "Set-Cookie",
        "X-Client-Secret",
        "X-Password",
        "X-Credentials",
        "X-Session-Id",
        "X-Hub-Signature",
        "X-Key",
    ],
)
def test_secret_looking_header_names(name):
    assert is_secret_header_name(name)


@pytest.mark.parametrize("name", ["X-Source", "Content-Type", "Accept", "X-Request-Id", "X-Team"])
def test_ordinary_header_names(name):
    assert not is_secret_header_name(name)


def test_idempotency_key_depends_only_on_run_and_node():
    key = idempotency_key("run_1", "w1")

    assert key == idempotency_key("run_1", "w1")
    assert len({key, idempotency_key("run_1", "w2"), idempotency_key("run_2", "w1")}) == 3
    assert idempotency_key("a:b", "c") != idempotency_key("a", "b:c")


def test_headers_merge_refuse_secrets_and_end_with_the_idempotency_key(caplog):
    custom = [
        WebhookHeader(name="X-Source", value="agent"),
        WebhookHeader(name="Authorization", value="Bearer typed-in-secret"),
        WebhookHeader(name="Idempotency-Key", value="mine"),
        WebhookHeader(name="content-type", value="application/cloudevents+json"),
    ]
    with caplog.at_level(logging.WARNING, logger="jackfield_webhook"):
        prepared = prepare_headers(
            custom,
            key="k-1",
            credential_headers={"authorization": "Bearer stored-secret", "Host": "evil"},
            node_id="w1",
        )

    assert prepared.headers == {
        "content-type": "application/cloudevents+json",
        "User-Agent": "jackfield-webhook",
        "X-Source": "agent",
        "authorization": "Bearer stored-secret",
        IDEMPOTENCY_HEADER: "k-1",
    }
    assert prepared.refused == 2
    assert "secret" not in repr(prepared)
    logged = caplog.text
    assert "'Authorization'" in logged
    assert "'Idempotency-Key'" in logged
    assert "'Host'" in logged
    assert "typed-in-secret" not in logged
    assert "stored-secret" not in logged
    assert "evil" not in logged


def test_the_route_credential_dependency_has_no_store_by_default():
    assert webhook_credentials() is None

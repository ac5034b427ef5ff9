"""``POST /test``: one test delivery with sample data, through FastAPI's test client."""

from __future__ import annotations

import json
import sys

import jackfield_webhook.plugin
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jackfield_webhook import IDEMPOTENCY_HEADER, webhook_credentials


@pytest.fixture
def client(host):
    """A FastAPI app with the webhook plugin's routers mounted under /webhook."""
    app = FastAPI()
    for router in host.routers()["webhook"]:
        app.include_router(router, prefix="/webhook")
    with TestClient(app) as test_client:
        yield test_client


def _node(httpserver, **data):
    return {"name": "Hook", "endpoint_url": httpserver.url_for("/hooks/test"), **data}


def test_sends_one_test_delivery_with_sample_data(client, httpserver):
    httpserver.expect_oneshot_request("/hooks/test", method="POST").respond_with_data("", 204)
    template = {
        "run": "{{ run.id }}",
        "customer": "{{ gathered_context.customer_name }}",
        "qa": "{{ annotations.qa.summary }}",
        "email": "{{ gathered_context.email }}",
    }

    response = client.post(
        "/webhook/test", json={"data": _node(httpserver, payload_template=template)}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["status_code"] == 204
    assert body["error"] is None
    assert body["missing_variables"] == ["gathered_context.email"]
    assert body["refused_headers"] == 0
    assert isinstance(body["duration_ms"], float)
    sent = json.loads(httpserver.log[0][0].data)
    assert sent == body["payload"]
    assert sent == {
        "run": "run_sample",
        "customer": "Sam Sample",
        "qa": "The caller booked a check-up.",
        "email": "",
        "call_disposition": "completed",
    }
    assert httpserver.log[0][0].headers[IDEMPOTENCY_HEADER]
    assert len(httpserver.log) == 1


def test_each_test_delivery_has_a_fresh_idempotency_key(client, httpserver):
    httpserver.expect_request("/hooks/test").respond_with_data("")

    client.post("/webhook/test", json={"data": _node(httpserver)})
    client.post("/webhook/test", json={"data": _node(httpserver)})

    keys = {request.headers[IDEMPOTENCY_HEADER] for request, _ in httpserver.log}
    assert len(keys) == 2


def test_sample_context_overrides_the_samples(client, httpserver):
    httpserver.expect_oneshot_request("/hooks/test", method="PUT").respond_with_data("")
    node = _node(httpserver, method="PUT", payload_template={"c": "{{ gathered_context.city }}"})

    response = client.post(
        "/webhook/test",
        json={"data": node, "sample_context": {"gathered_context": {"city": "Oslo"}}},
    )

    assert response.json()["ok"] is True
    assert json.loads(httpserver.log[0][0].data) == {"c": "Oslo", "call_disposition": None}


def test_endpoint_errors_are_reported_not_raised(client, httpserver):
    httpserver.expect_oneshot_request("/hooks/test").respond_with_data("nope", status=500)

    response = client.post("/webhook/test", json={"data": _node(httpserver)})

    assert response.status_code == 200
    body = response.json()
    assert (body["ok"], body["status_code"], body["error"]) == (False, 500, None)


def test_unreachable_endpoint_is_reported(client, closed_port_url):
    node = {"name": "Hook", "endpoint_url": closed_port_url}

    body = client.post("/webhook/test", json={"data": node}).json()

    assert (body["ok"], body["status_code"], body["error"]) == (False, None, "network_error")


def test_invalid_node_data_is_unprocessable_without_echoing_values(client):
    node = {"name": "Hook", "endpoint_url": "https://example.com/T0KEN", "method": "GET"}

    response = client.post("/webhook/test", json={"data": node})

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["error"] == "invalid_config"
    assert any(p.startswith("method:") for p in detail["problems"])
    assert "T0KEN" not in response.text


def test_a_node_without_endpoint_cannot_be_tested(client):
    response = client.post("/webhook/test", json={"data": {"name": "Hook", "enabled": False}})

    assert response.status_code == 422
    assert response.json()["detail"]["problems"] == ["endpoint_url: required"]


def test_template_errors_are_unprocessable(client, httpserver):
    node = _node(httpserver, payload_template={"x": "{% for i in range(3) %}{% endfor %}"})

    response = client.post("/webhook/test", json={"data": node})

    assert response.status_code == 422
    assert response.json()["detail"] == {
        "error": "invalid_template",
        "location": "/x",
        "kind": "statement_not_allowed",
    }
    assert httpserver.log == []


def test_secret_looking_headers_are_refused(client, httpserver):
    httpserver.expect_oneshot_request("/hooks/test").respond_with_data("")
    headers = [{"name": "X-Source", "value": "a"}, {"name": "Cookie", "value": "sid=s3cret"}]

    response = client.post("/webhook/test", json={"data": _node(httpserver, headers=headers)})

    assert response.json()["refused_headers"] == 1
    sent = httpserver.log[0][0].headers
    assert sent["X-Source"] == "a"
    assert "Cookie" not in sent
    assert "s3cret" not in response.text


def test_credential_needs_a_store(client, httpserver):
    response = client.post(
        "/webhook/test", json={"data": _node(httpserver, credential_ref="cred_1")}
    )

    assert response.status_code == 422
    assert response.json()["detail"] == {"error": "no_credential_store"}
    assert httpserver.log == []


def test_credential_from_the_servers_store_is_sent(client, httpserver):
    httpserver.expect_oneshot_request("/hooks/test").respond_with_data("")
    store = {"cred_1": {"Authorization": "Bearer st0red"}}
    client.app.dependency_overrides[webhook_credentials] = lambda: store.get

    sent = client.post("/webhook/test", json={"data": _node(httpserver, credential_ref="cred_1")})
    unknown = client.post(
        "/webhook/test", json={"data": _node(httpserver, credential_ref="cred_2")}
    )

    assert sent.status_code == 200
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer st0red"
    assert "st0red" not in sent.text
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == {"error": "credential_not_found"}
    assert len(httpserver.log) == 1


def test_no_routes_without_fastapi(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "fastapi", None)
    monkeypatch.delitem(sys.modules, "jackfield_webhook._routes", raising=False)

    assert jackfield_webhook.plugin.jackfield_routers() == []
    assert "jackfield-webhook[routes]" in caplog.text

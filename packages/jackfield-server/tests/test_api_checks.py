"""POST /workflows/{id}/nodes/{node_id}/check: "Save & test" with the stored secrets."""

from __future__ import annotations

import socket
import threading
import types
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from api_helpers import Api, definition, delivery_node
from server_plugins import delivery_model, delivery_plugin, make_host

from jackfield import CheckCode, CheckResult, NodeRegistration, build_spec, hookimpl
from jackfield.host import PluginHost

GOOD = "pk_live_good_secret_1234"
WRONG = "pk_live_wrong_secret_9876"


def probe_plugin() -> object:
    """Node type ``probe`` (``url``, secret ``api_key``) whose check GETs ``url``."""
    model = delivery_model("probe")

    @hookimpl
    def jackfield_register_nodes() -> list[NodeRegistration]:
        return [
            NodeRegistration(
                type_name="probe",
                data_model=model,
                node_spec=build_spec(model),
                sensitive_fields=("api_key",),
            )
        ]

    @hookimpl
    def jackfield_check_node(node_type: str, data: Any, context: Any) -> CheckResult:
        if data.url.endswith("/explode"):
            raise RuntimeError(f"exploded while using {data.api_key}")
        headers = {"Authorization": f"Bearer {data.api_key}"}
        try:
            response = httpx.get(data.url, headers=headers, timeout=context.timeout_s * 0.8)
        except httpx.TransportError:
            return CheckResult.failed("url", "cannot reach the service", code=CheckCode.UNREACHABLE)
        if response.status_code == 401:
            return CheckResult.failed(
                "api_key", f"key {data.api_key} refused", code=CheckCode.INVALID_CREDENTIAL
            )
        return CheckResult(detail={"latency_ms": 1, "status": response.status_code})

    return types.SimpleNamespace(
        jackfield_register_nodes=jackfield_register_nodes,
        jackfield_check_node=jackfield_check_node,
    )


@pytest.fixture
def plugin_host() -> PluginHost:
    return make_host(("probe", probe_plugin()), ("deliver", delivery_plugin("deliver")))


@pytest.fixture
def service() -> Iterator[tuple[str, list[str]]]:
    """A service accepting ``Bearer GOOD``; yields its URL and the Authorization headers seen."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization", ""))
            ok = self.headers.get("Authorization") == f"Bearer {GOOD}"
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ping", seen
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/ping"


def probe_node(node_id: str, url: str, api_key: str = GOOD) -> dict[str, Any]:
    return delivery_node(node_id, url, type_name="probe", api_key=api_key)


async def _check(api: Api, workflow_id: str, node_id: str, org: str = "acme", **kwargs: Any):
    return await api.request(
        "POST", f"/workflows/{workflow_id}/nodes/{node_id}/check", org, **kwargs
    )


async def test_a_node_is_checked_with_its_stored_secret(api: Api, service):
    url, seen = service
    created = await api.create_workflow(definition(probe_node("p", url)))
    response = await _check(api, created["id"], "p")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert body["ok"] is True
    assert (body["node_id"], body["node_type"], body["plugin"]) == ("p", "probe", "probe")
    assert body["detail"] == {"latency_ms": 1, "status": 200}
    assert body["problems"] == []
    assert seen == [f"Bearer {GOOD}"]
    assert GOOD not in response.text


async def test_a_bad_credential_names_the_field_and_never_the_secret(api: Api, service):
    url, _ = service
    created = await api.create_workflow(definition(probe_node("p", url, api_key=WRONG)))
    response = await _check(api, created["id"], "p")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["ok"]) == ("failed", False)
    assert [(p["field"], p["code"]) for p in body["problems"]] == [
        ("api_key", "invalid_credential")
    ]
    assert body["problems"][0]["message"] == "key [secret] refused"
    assert WRONG not in response.text


async def test_an_unreachable_service_and_a_raising_plugin(api: Api, service):
    url, _ = service
    created = await api.create_workflow(
        definition(
            probe_node("down", closed_port_url()),
            probe_node("boom", url.replace("/ping", "/explode")),
        )
    )
    down = (await _check(api, created["id"], "down")).json()
    assert [(p["field"], p["code"]) for p in down["problems"]] == [("url", "unreachable")]
    boom = await _check(api, created["id"], "boom")
    assert [p["code"] for p in boom.json()["problems"]] == ["plugin_error"]
    assert GOOD not in boom.text


async def test_unsaved_changes_in_the_body_keep_the_stored_secret(api: Api, service):
    url, seen = service
    created = await api.create_workflow(definition(probe_node("p", closed_port_url())))
    masked = next(n for n in created["definition"]["nodes"] if n["id"] == "p")["data"]["api_key"]
    response = await _check(api, created["id"], "p", json={"data": {"url": url, "api_key": masked}})
    assert response.json()["status"] == "ok", response.text
    assert seen == [f"Bearer {GOOD}"]
    typed = await _check(api, created["id"], "p", json={"data": {"url": url, "api_key": WRONG}})
    assert typed.json()["problems"][0]["code"] == "invalid_credential"
    assert WRONG not in typed.text
    stray = await _check(api, created["id"], "p", json={"data": {"api_key": "****zzzz"}})
    assert stray.status_code == 422
    assert stray.json()["problems"][0]["code"] == "unmatched_masked_value"
    # nothing was stored: the workflow is still at version 1 and the stored url unchanged
    read = (await api.request("GET", f"/workflows/{created['id']}")).json()
    assert read["latest_version"] == 1
    node = next(n for n in read["definition"]["nodes"] if n["id"] == "p")
    assert node["data"]["url"] != url


async def test_invalid_stored_data_and_plugins_without_a_check(api: Api, service):
    url, seen = service
    created = await api.create_workflow(
        definition(probe_node("p", url), delivery_node("d", url, api_key=GOOD))
    )
    invalid = await _check(api, created["id"], "p", json={"data": {"url": ""}})
    assert [(p["field"], p["code"]) for p in invalid.json()["problems"]] == [("url", "invalid")]
    assert seen == []
    unsupported = (await _check(api, created["id"], "d")).json()
    assert (unsupported["status"], unsupported["plugin"]) == ("unsupported", "deliver")


async def test_other_organizations_unknown_nodes_and_missing_keys(api: Api, service):
    url, seen = service
    created = await api.create_workflow(definition(probe_node("p", url)))
    assert (await _check(api, created["id"], "p", org="globex")).status_code == 404
    assert (await _check(api, created["id"], "nope")).status_code == 404
    path = f"/api/v1/workflows/{created['id']}/nodes/p/check"
    assert (await api.client.post(path)).status_code == 401
    assert seen == []

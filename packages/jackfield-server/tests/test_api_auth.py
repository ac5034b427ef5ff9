"""API keys on every route but health and public links; one organization never sees another's."""

from __future__ import annotations

import pytest
from api_helpers import Api, call_events, definition, delivery_node, new_id

from jackfield_server._store import find_organization, list_api_keys, revoke_api_key

AUTHENTICATED = [
    ("GET", "/node-types"),
    ("GET", "/node-types/start"),
    ("GET", "/plugins"),
    ("GET", "/workflows"),
    ("POST", "/workflows"),
    ("GET", f"/workflows/{new_id()}"),
    ("PUT", f"/workflows/{new_id()}"),
    ("POST", f"/workflows/{new_id()}/runs"),
    ("GET", "/runs"),
    ("GET", f"/runs/{new_id()}"),
    ("GET", "/completion-jobs"),
]


@pytest.mark.parametrize(("method", "path"), AUTHENTICATED)
async def test_every_core_route_needs_a_valid_key(api: Api, method: str, path: str):
    url = f"/api/v1{path}"
    missing = await api.client.request(method, url)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    for bad in ("Bearer nope", "Bearer jfk_000000000000_" + "a" * 43, "Basic abc"):
        response = await api.client.request(method, url, headers={"Authorization": bad})
        assert response.status_code == 401, bad
        assert "nope" not in response.text


async def test_health_needs_no_key(api: Api):
    response = await api.client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_a_revoked_key_stops_working_at_once(api: Api):
    assert (await api.request("GET", "/workflows")).status_code == 200
    async with api.database.transaction() as session:
        org = await find_organization(session, "acme")
        [key] = await list_api_keys(session, org.id)
        await revoke_api_key(session, org.id, key.id)
    response = await api.request("GET", "/workflows")
    assert response.status_code == 401
    assert response.json()["detail"] == "revoked API key"


async def test_an_organization_never_sees_or_changes_another_organizations_data(api: Api):
    url = "http://127.0.0.1:9/unused"
    workflow = await api.create_workflow(definition(delivery_node("d", url)), org="acme")
    run = await api.start_run(workflow["id"], call_events(), org="acme")
    wid, rid = workflow["id"], run["id"]
    for method, path, body in [
        ("GET", f"/workflows/{wid}", None),
        ("PUT", f"/workflows/{wid}", {"definition": definition()}),
        ("POST", f"/workflows/{wid}/runs", {"events": call_events()}),
        ("GET", f"/runs/{rid}", None),
    ]:
        response = await api.request(method, path, org="globex", json=body)
        assert response.status_code == 404, (method, path)
        assert "acme" not in response.text
    assert (await api.request("GET", "/workflows", org="globex")).json() == []
    assert (await api.request("GET", "/runs", org="globex")).json() == []
    assert (await api.request("GET", "/completion-jobs", org="globex")).json() == []
    # acme's own view is intact: the globex update attempt changed nothing.
    mine = (await api.request("GET", f"/workflows/{wid}", org="acme")).json()
    assert mine["latest_version"] == 1
    assert [w["id"] for w in (await api.request("GET", "/workflows")).json()] == [wid]
    assert [r["id"] for r in (await api.request("GET", "/runs")).json()] == [rid]

"""Workflows through the API: masking, the masked round trip, 422s and drafts."""

from __future__ import annotations

import uuid

from api_helpers import Api, call_events, definition, delivery_node, start_api
from counting_service import CountingService
from server_plugins import make_host

from jackfield_server._store import find_organization, get_workflow

SECRET = "sk_live_abcdef123456"
URL = "http://127.0.0.1:9/unused"


def _node(response_body: dict, node_id: str) -> dict:
    return next(n for n in response_body["definition"]["nodes"] if n["id"] == node_id)


async def _stored_secret(api: Api, workflow_id: str, node_id: str, version: int | None = None):
    state = api.app.state.jackfield
    async with api.database.transaction() as session:
        org = await find_organization(session, "acme")
        stored = await get_workflow(
            session, state.box, org.id, uuid.UUID(workflow_id), version=version
        )
    return next(n for n in stored.definition["nodes"] if n["id"] == node_id)["data"]["api_key"]


async def test_every_response_masks_secrets(api: Api):
    created = await api.create_workflow(definition(delivery_node("d", URL, api_key=SECRET)))
    assert _node(created, "d")["data"]["api_key"] == "****3456"
    assert SECRET not in str(created)
    read = await api.request("GET", f"/workflows/{created['id']}")
    assert _node(read.json(), "d")["data"]["api_key"] == "****3456"
    assert SECRET not in read.text
    assert read.json()["definition"]["node_types"]["deliver"] == {
        "plugin": "deliver",
        "sensitive_fields": ["api_key"],
    }
    assert await _stored_secret(api, created["id"], "d") == SECRET


async def test_masked_values_sent_back_keep_the_secret_and_new_values_replace_it(api: Api):
    created = await api.create_workflow(
        definition(
            delivery_node("d", URL, api_key=SECRET), delivery_node("e", URL, api_key="e_old_secret")
        )
    )
    edited = created["definition"]
    _node(created, "d")["data"]["name"] = "renamed"
    _node(created, "e")["data"]["api_key"] = "e_new_secret"
    response = await api.request("PUT", f"/workflows/{created['id']}", json={"definition": edited})
    assert response.status_code == 200, response.text
    saved = response.json()
    assert (saved["version"], saved["latest_version"]) == (2, 2)
    assert _node(saved, "d")["data"] == {"name": "renamed", "url": URL, "api_key": "****3456"}
    assert await _stored_secret(api, created["id"], "d") == SECRET
    assert await _stored_secret(api, created["id"], "e") == "e_new_secret"
    assert await _stored_secret(api, created["id"], "e", version=1) == "e_old_secret"


async def test_a_mask_that_matches_no_stored_secret_is_rejected(api: Api):
    created = await api.create_workflow(definition(delivery_node("d", URL, api_key=SECRET)))
    edited = created["definition"]
    copy = dict(_node(created, "d"), id="copy")  # a pasted node keeps the mask only
    edited["nodes"].append(copy)
    response = await api.request("PUT", f"/workflows/{created['id']}", json={"definition": edited})
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert {(p["id"], p["field"], p["code"]) for p in problems} >= {
        ("copy", "api_key", "unmatched_masked_value")
    }
    assert (await api.request("GET", f"/workflows/{created['id']}")).json()["latest_version"] == 1
    fresh = await api.request(
        "POST",
        "/workflows",
        json={"name": "w", "definition": definition(delivery_node("d", URL, api_key="****3456"))},
    )
    assert fresh.status_code == 422
    assert [p["code"] for p in fresh.json()["problems"]].count("unmatched_masked_value") == 1


async def test_invalid_definitions_get_every_problem_and_no_secret_value(api: Api):
    bad = definition(
        delivery_node("short", URL, api_key="abc"),  # too short: the value must not show
        delivery_node("nourl", "", api_key="sk_secret_value_1"),
        {"id": "greet", "type": "start", "data": {"name": "again", "prompt": "x"}},  # duplicate id
    )
    response = await api.request("POST", "/workflows", json={"name": "w", "definition": bad})
    assert response.status_code == 422
    body = response.json()
    fields = {(p["kind"], p["id"], p["field"]) for p in body["problems"]}
    assert ("node", "short", "api_key") in fields
    assert ("node", "nourl", "url") in fields
    assert ("node", "greet", "id") in fields  # the duplicate id
    assert "max_instances" in {p["code"] for p in body["problems"]}  # two start nodes
    assert "sk_secret_value_1" not in response.text
    assert '"abc"' not in response.text
    structural = await api.request(
        "POST", "/workflows", json={"name": "w", "definition": {"nodes": 5}}
    )
    assert structural.status_code == 422
    assert structural.json()["problems"][0]["field"] == "nodes"
    request = await api.request("POST", "/workflows", json={"name": "", "definition": []})
    assert request.status_code == 422
    assert {p["field"] for p in request.json()["problems"]} == {"body.name", "body.definition"}


async def test_a_draft_keeps_nodes_of_uninstalled_plugins_but_cannot_run(api: Api):
    ghost = {
        "id": "g",
        "type": "ghost",
        "data": {"name": "Ghost", "token": "ghost_secret_1234", "anything": [1, 2]},
    }
    draft = definition(ghost)
    draft["node_types"] = {"ghost": {"plugin": "ghost", "sensitive_fields": ["token"]}}
    created = await api.create_workflow(draft)
    [warning] = created["problems"]
    assert (warning["id"], warning["code"], warning["severity"]) == (
        "g",
        "unknown_node_type",
        "warning",
    )
    assert "'ghost'" in warning["message"]
    node = _node(created, "g")
    assert node["data"] == {"name": "Ghost", "token": "****1234", "anything": [1, 2]}
    state = api.app.state.jackfield
    async with api.database.transaction() as session:
        org = await find_organization(session, "acme")
        stored = await get_workflow(session, state.box, org.id, uuid.UUID(created["id"]))
    assert next(n for n in stored.definition["nodes"] if n["id"] == "g") == ghost
    run = await api.request(
        "POST", f"/workflows/{created['id']}/runs", json={"events": call_events()}
    )
    assert run.status_code == 422
    assert [p["code"] for p in run.json()["problems"]] == ["unknown_node_type"]


async def test_secrets_stay_masked_after_their_plugin_is_uninstalled(
    api: Api, database, server_settings
):
    created = await api.create_workflow(definition(delivery_node("d", URL, api_key=SECRET)))
    async with start_api(server_settings, make_host(), database) as without_plugin:
        read = await without_plugin.request("GET", f"/workflows/{created['id']}")
    assert read.status_code == 200
    assert _node(read.json(), "d")["data"]["api_key"] == "****3456"
    assert SECRET not in read.text
    assert read.json()["problems"][0]["code"] == "unknown_node_type"


async def test_a_run_pins_the_version_it_started_with(api: Api):
    with CountingService() as service:
        created = await api.create_workflow(definition(delivery_node("d", service.url("/v1"))))
        run = await api.start_run(created["id"], call_events())
        edited = created["definition"]
        _node(created, "d")["data"]["url"] = service.url("/v2")
        response = await api.request(
            "PUT", f"/workflows/{created['id']}", json={"definition": edited}
        )
        assert response.status_code == 200
        done = await api.wait_for_run(run["id"])
    assert done["workflow_version"] == 1
    assert [d.path for d in service.accepted] == ["/v1"]

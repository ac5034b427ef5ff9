"""Runs through the API: a scripted call replayed, completion by the in-process worker."""

from __future__ import annotations

import base64
import json

from api_helpers import Api, call_events, definition, delivery_node
from counting_service import CountingService


async def test_a_run_replays_the_call_and_the_worker_delivers_each_node_once(api: Api):
    with CountingService() as service:
        service.plan("/b", 503)  # node b is retried once
        workflow = await api.create_workflow(
            definition(
                delivery_node("a", service.url("/a")),
                delivery_node("b", service.url("/b")),
                delivery_node("off", service.url("/off"), enabled=False),
            )
        )
        started = await api.start_run(workflow["id"], call_events())
        assert started["state"] == "completing"
        assert started["workflow_version"] == 1
        assert started["logs"]["deliver"]["snapshot"]["disposition"] == "completed"
        assert started["gathered_context"]["disposition"] == "completed"
        assert started["usage"]["totals"]["prompt_tokens"] == 120
        assert started["completion"]["job"]["state"] in ("queued", "running", "done")
        run = await api.wait_for_run(started["id"])
    assert run["state"] == "completed"
    assert service.accepted_by_node() == {(run["id"], "a"): 1, (run["id"], "b"): 1}
    deliver = run["completion"]["plugins"]["deliver"]
    statuses = {node["node_id"]: node["status"] for node in deliver["nodes"]}
    assert statuses == {"a": "delivered", "b": "delivered", "off": "skipped"}
    assert deliver["status"] == "delivered"
    assert run["completion"]["job"]["state"] == "done"
    assert run["annotations"]["deliver"]["a"] == {"status_code": 200}
    # The plugin got the decrypted secret, and the public transcript link.
    first = service.accepted[0]
    assert first.authorization == "Bearer sk_live_abcdef123456"
    assert first.body["transcript_url"] == run["links"]["transcript"]
    assert first.body["turns"] == 3


async def test_the_public_transcript_needs_no_key_and_a_missing_recording_is_404(api: Api):
    workflow = await api.create_workflow(definition())
    run = await api.start_run(workflow["id"], call_events())
    link = run["links"]["transcript"]
    assert link.startswith("http://jackfield.test/api/v1/public/runs/")
    path = link.removeprefix("http://jackfield.test")
    response = await api.client.get(path)
    assert response.status_code == 200
    transcript = json.loads(response.content)
    assert [entry["role"] for entry in transcript["entries"]] == ["assistant", "user", "tool"]
    assert transcript["disposition"] == "completed"
    assert run["links"]["recording"] is None
    missing = await api.client.get(path.replace("/transcript", "/recording"))
    assert missing.status_code == 404
    unknown = await api.client.get("/api/v1/public/runs/" + "x" * 43 + "/transcript")
    assert unknown.status_code == 404


async def test_a_recording_uploaded_with_the_run_is_served_by_its_public_link(api: Api):
    audio = bytes(range(256)) * 4
    workflow = await api.create_workflow(definition())
    run = await api.start_run(
        workflow["id"],
        call_events(),
        recording={"media_type": "audio/wav", "content_base64": base64.b64encode(audio).decode()},
    )
    response = await api.client.get(run["links"]["recording"].removeprefix("http://jackfield.test"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert response.content == audio


async def test_invalid_calls_get_422_naming_each_event_field(api: Api):
    workflow = await api.create_workflow(definition())
    events = call_events()
    events[1]["text"] = 42
    events[2]["kind"] = "shout"
    del events[-1]["disposition"]
    response = await api.request(
        "POST", f"/workflows/{workflow['id']}/runs", json={"events": events}
    )
    assert response.status_code == 422
    fields = [p["field"] for p in response.json()["problems"]]
    assert "body.events.1.bot_turn.text" in fields
    assert any(f.startswith("body.events.2") for f in fields)
    assert "body.events.5.call_ended.disposition" in fields
    bad_audio = await api.request(
        "POST",
        f"/workflows/{workflow['id']}/runs",
        json={
            "events": call_events(),
            "recording": {"media_type": "audio/wav", "content_base64": "not base64!"},
        },
    )
    assert bad_audio.status_code == 422
    assert bad_audio.json()["problems"][0]["field"] == "body.recording.content_base64"
    assert (await api.request("GET", "/runs")).json() == []  # nothing was started

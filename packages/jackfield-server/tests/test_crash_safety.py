"""SIGKILL a server in the middle of a completion; its restart delivers nothing twice."""

from __future__ import annotations

import httpx
from api_helpers import call_events, definition, delivery_node
from counting_service import CountingService
from server_process import running_server
from test_e2e_uvicorn import _create_key, _env, _wait


def test_a_worker_killed_mid_delivery_resumes_after_restart_and_delivers_each_node_once(
    tmp_path,
):
    env = {**_env(tmp_path), "JACKFIELD_WORKER_LEASE_S": "2"}
    key = _create_key(env, "acme")
    headers = {"Authorization": f"Bearer {key}"}
    plugins = ["alpha:delivery", "beta:notification"]
    with CountingService() as service:
        # beta: first a 503 (retry later), then the retry stalls until the worker is killed.
        service.plan("/b", 503, "stall")
        nodes = [
            delivery_node("a", service.url("/a"), type_name="alpha"),
            delivery_node("b", service.url("/b"), type_name="beta"),
        ]
        with running_server(env, tmp_path / "first.log", plugins) as first:
            with httpx.Client(base_url=first.url, headers=headers, timeout=30) as client:
                workflow = client.post(
                    "/api/v1/workflows", json={"name": "w", "definition": definition(*nodes)}
                ).json()
                run_id = client.post(
                    f"/api/v1/workflows/{workflow['id']}/runs", json={"events": call_events()}
                ).json()["id"]
                assert service.stalled.wait(30), first.log.read_text()
                during = client.get(f"/api/v1/runs/{run_id}").json()
            first.kill()
        statuses = {
            plugin: [n["status"] for n in status["nodes"]]
            for plugin, status in during["completion"]["plugins"].items()
        }
        assert statuses == {"alpha": ["delivered"], "beta": ["pending"]}
        assert during["completion"]["job"]["state"] == "running"
        with (
            running_server(env, tmp_path / "second.log", plugins) as second,
            httpx.Client(base_url=second.url, headers=headers, timeout=30) as client,
        ):
            run = _wait(client, run_id)
        service.release()
        assert service.stall_over.wait(10)
    assert run["state"] == "completed"
    assert run["completion"]["job"]["state"] == "done"
    assert run["completion"]["job"]["attempts"] == 3  # 503, killed mid-stall, delivered
    assert service.accepted_by_node() == {(run_id, "a"): 1, (run_id, "b"): 1}
    assert [d.path for d in service.received].count("/a") == 1  # never sent again
    assert [d.path for d in service.received].count("/b") == 3

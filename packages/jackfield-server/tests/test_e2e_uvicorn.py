"""End to end over a real socket: `jackfield keys create`, a uvicorn server process, its worker."""

from __future__ import annotations

import json
import time

import httpx
from api_helpers import call_events, definition, delivery_node
from click.testing import CliRunner
from counting_service import CountingService
from server_process import running_server

from jackfield import SPEC_VERSION
from jackfield._cli import main as jackfield_cli
from jackfield_server import SecretBox


def _env(tmp_path) -> dict[str, str]:
    return {
        "JACKFIELD_DATA_DIR": str(tmp_path / "data"),
        "JACKFIELD_DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}",
        "JACKFIELD_SECRET_KEY": SecretBox.generate_key(),
        "JACKFIELD_WORKER_POLL_S": "0.1",
    }


def _create_key(env: dict[str, str], org: str) -> str:
    result = CliRunner().invoke(
        jackfield_cli, ["keys", "create", org, "--database-url", env["JACKFIELD_DATABASE_URL"]]
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def _wait(client: httpx.Client, run_id: str, timeout_s: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run = client.get(f"/api/v1/runs/{run_id}").json()
        if run["state"] in ("completed", "failed"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish: {run}")


def test_a_workflow_run_end_to_end_over_http(tmp_path):
    env = _env(tmp_path)
    key = _create_key(env, "acme")
    assert key.startswith("jfk_")
    with (
        CountingService() as service,
        running_server(
            env, tmp_path / "server.log", ["alpha:delivery", "beta:notification"]
        ) as server,
    ):
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            catalog = client.get("/api/v1/node-types")
            assert catalog.json()["spec_version"] == SPEC_VERSION
            nodes = [
                delivery_node("a", service.url("/a"), type_name="alpha"),
                delivery_node("b", service.url("/b"), type_name="beta"),
            ]
            created = client.post(
                "/api/v1/workflows", json={"name": "e2e", "definition": definition(*nodes)}
            )
            assert created.status_code == 201, created.text
            started = client.post(
                f"/api/v1/workflows/{created.json()['id']}/runs", json={"events": call_events()}
            )
            assert started.status_code == 201, started.text
            run = _wait(client, started.json()["id"])
        transcript = httpx.get(run["links"]["transcript"])  # absolute, no key
    assert run["state"] == "completed"
    assert service.accepted_by_node() == {(run["id"], "a"): 1, (run["id"], "b"): 1}
    # The notification phase saw the delivery phase's annotations.
    beta = next(d for d in service.accepted if d.path == "/b")
    assert "alpha" in beta.body["annotations_seen"]
    assert transcript.status_code == 200
    assert transcript.json()["entries"][0]["text"] == "Hello, how can I help?"
    assert run["links"]["transcript"].startswith(server.url)
    records = [
        json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")
    ]
    assert any(r["logger"] == "jackfield.server" and "migration" in r["message"] for r in records)
    assert any(r["logger"] == "uvicorn.access" for r in records)
    assert key not in server.log.read_text()


def test_keys_create_makes_the_organization_once_and_prints_each_key_once(tmp_path):
    env = _env(tmp_path)
    first = CliRunner().invoke(
        jackfield_cli, ["keys", "create", "acme", "--database-url", env["JACKFIELD_DATABASE_URL"]]
    )
    second = CliRunner().invoke(
        jackfield_cli,
        ["keys", "create", "acme", "--name", "ci", "--database-url", env["JACKFIELD_DATABASE_URL"]],
    )
    assert first.exit_code == second.exit_code == 0
    assert "Created organization 'acme'" in first.stderr
    assert "Created organization" not in second.stderr
    keys = [first.stdout.strip(), second.stdout.strip()]
    assert len(set(keys)) == 2
    assert all(k.startswith("jfk_") for k in keys)
    assert all(k not in r.stderr for k in keys for r in (first, second))

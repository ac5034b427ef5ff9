"""Completion in two Celery worker processes, on PostgreSQL and the local Redis."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import secrets
import socket
from collections import Counter

import pytest
from api_helpers import call_events, definition, delivery_node, start_api
from conftest import POSTGRES_URL
from counting_service import CountingService
from server_plugins import delivery_plugin, make_host
from server_process import running_workers

from jackfield import CompletionPhase

REDIS_URL = os.environ.get("JACKFIELD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUNS = 6


def _redis_reachable() -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2):
            return True
    except OSError:
        return False


@pytest.fixture
def queue() -> str:
    """A queue of this test's own on the shared Redis, deleted afterwards."""
    if not _redis_reachable():
        pytest.skip(f"Redis at {REDIS_URL.split('@')[-1]} is not reachable")
    import redis

    name = f"jackfield-test-{secrets.token_hex(6)}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(name, f"_kombu.binding.{name}")
    client.close()


async def test_two_celery_workers_deliver_every_node_exactly_once(
    postgres_database, server_settings, queue, tmp_path
):
    settings = dataclasses.replace(server_settings, broker_url=REDIS_URL, broker_queue=queue)
    host = make_host(
        ("alpha", delivery_plugin("alpha")),
        ("beta", delivery_plugin("beta", phase=CompletionPhase.NOTIFICATION)),
    )
    env = {
        "JACKFIELD_DATA_DIR": str(tmp_path / "data"),
        "JACKFIELD_DATABASE_URL": POSTGRES_URL,
        "JACKFIELD_SECRET_KEY": settings.secret_keys[0],
        "JACKFIELD_BROKER_URL": REDIS_URL,
        "JACKFIELD_BROKER_QUEUE": queue,
        "JACKFIELD_WORKER_LEASE_S": "5",
    }
    plugins = ["alpha:delivery", "beta:notification"]
    with (
        CountingService() as service,
        running_workers(2, env, tmp_path, plugins, schema=postgres_database.schema),
    ):
        service.plan("/b", 503, 503, 503)  # three runs retry their beta node
        async with start_api(settings, host, postgres_database) as api:
            assert api.app.state.jackfield_worker is None  # completion is the workers' job
            nodes = [
                delivery_node("a1", service.url("/a1"), type_name="alpha"),
                delivery_node("a2", service.url("/a2"), type_name="alpha"),
                delivery_node("b", service.url("/b"), type_name="beta"),
            ]
            workflow = await api.create_workflow(definition(*nodes))
            started = [await api.start_run(workflow["id"], call_events()) for _ in range(RUNS)]
            runs = await asyncio.gather(
                *(api.wait_for_run(run["id"], timeout_s=120) for run in started)
            )
    assert {run["state"] for run in runs} == {"completed"}
    expected = {(run["id"], node) for run in runs for node in ("a1", "a2", "b")}
    assert service.accepted_by_node() == dict.fromkeys(expected, 1)
    sent = Counter((d.body["run_id"], d.body["node_id"]) for d in service.received)
    assert all(sent[(run["id"], node)] == 1 for run in runs for node in ("a1", "a2"))
    assert sum(sent[(run["id"], "b")] for run in runs) == RUNS + 3
    # Each claim of a job is logged once by the worker that ran it: one per run,
    # plus one per retry, and nothing ran twice.
    outcomes = Counter()
    for n in range(2):
        for line in (tmp_path / f"worker-{n}.log").read_text().splitlines():
            if line.startswith("{") and '"jackfield.server.worker"' in line:
                outcomes[json.loads(line)["message"].split(": ")[1].split(",")[0]] += 1
    assert outcomes == {"done": RUNS, "retry": 3}

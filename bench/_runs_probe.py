"""Child process of the ``runs_e2e`` benchmark: completed runs per second, end to end.

Run as ``python -I _runs_probe.py MODE RUNS WARMUP POSTGRES_URL REDIS_URL CALL_JSON``
in an environment with jackfield, jackfield-server (with Celery's Redis
extra), httpx and the four first-party plugins. MODE is one of

* ``inprocess-sqlite``: ``jackfield serve`` on a SQLite file, completion by
  its in-process worker (the default deployment);
* ``inprocess-postgres``: the same on a PostgreSQL database;
* ``celery``: ``jackfield serve`` with ``JACKFIELD_BROKER_URL`` (it only sends
  tasks) and two ``jackfield worker`` processes, PostgreSQL and Redis.

A PostgreSQL database of its own is created for the probe and dropped after;
the Celery queue is named after the probe and deleted after. One HTTP server
in this process stands in for Tuner, Paygent, the QA model and the webhook
receiver, counting what it receives. A workflow with the three conversation
nodes and one node of each plugin is created through the API; WARMUP runs of
CALL_JSON are started and completed first (not counted), then RUNS runs are
started, four requests at a time, while the run list is polled every 50 ms
until every one of them is final. Every timed run must end ``completed`` with
each plugin's node ``delivered``.

Prints one JSON line, ``{"mode", "error"}`` if the deployment failed (the
traceback goes to stderr), else ``{"python", "jackfield", "jackfield_server", "mode",
"runs", "workers", "seconds", "start_seconds", "cpu_seconds", "states",
"node_statuses", "received"}``; ``cpu_seconds`` is what the server, the
workers and this process (client and stand-in) used during the timed batch,
from ``/proc`` (``null`` elsewhere).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The demo's stand-in services and workflow (standard library only).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples" / "demo"))

import asyncpg
import httpx
import redis
from _processes import Service, environ, free_port, venv_program, wait_until_ready
from standins import StandIns, demo_workflow

MODES = ("inprocess-sqlite", "inprocess-postgres", "celery")
PLUGINS = ("qa", "tuner", "paygent", "webhook")
#: Starts of runs in flight at once, like a few concurrent calls ending.
CONCURRENT_STARTS = 4
CELERY_WORKERS = 2
LIFETIME_S = 600
FINAL_STATES = {"completed", "failed"}


def _database_url(base: str, name: str) -> str:
    """``base`` with its database replaced by ``name``."""
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin(postgres_url: str, statement: str) -> None:
    """Run one statement (CREATE or DROP DATABASE) on the PostgreSQL server."""
    connection = await asyncpg.connect(postgres_url, timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _delete_queue(redis_url: str, queue: str) -> None:
    """Remove what Celery left of the probe's queue in Redis."""
    client = redis.Redis.from_url(redis_url, socket_timeout=10)
    try:
        # The queue itself and kombu's bindings of it (``_kombu.binding*.<queue>``).
        leftovers = [queue, *client.scan_iter(match=f"_kombu.binding*.{queue}")]
        client.delete(*leftovers)
    finally:
        client.close()


def _cleanup(step: Callable[..., Any], *args: str) -> None:
    """Run one clean-up step (a coroutine function is run to completion); print a failure."""
    try:
        result = step(*args)
        if asyncio.iscoroutine(result):
            asyncio.run(result)
    except Exception:
        print(f"clean-up {step.__name__} failed:", file=sys.stderr)
        traceback.print_exc()


def _create_key(env: dict[str, str]) -> str:
    """A fresh API key of organization ``bench`` (this also migrates the database)."""
    made = subprocess.run(
        [venv_program("jackfield"), "keys", "create", "bench"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )
    if made.returncode != 0:
        raise RuntimeError(f"jackfield keys create failed:\n{made.stderr}")
    return str(made.stdout.strip().splitlines()[-1])


async def _start_runs(
    api: httpx.AsyncClient, workflow_id: str, events: list[Any], count: int
) -> list[str]:
    """Start ``count`` runs, :data:`CONCURRENT_STARTS` requests at a time; return their ids."""
    gate = asyncio.Semaphore(CONCURRENT_STARTS)

    async def start() -> str:
        async with gate:
            response = await api.post(f"/workflows/{workflow_id}/runs", json={"events": events})
            if response.status_code != 201:
                raise RuntimeError(f"starting a run answered {response.status_code}")
            return str(response.json()["id"])

    return list(await asyncio.gather(*(start() for _ in range(count))))


async def _wait_final(
    api: httpx.AsyncClient, workflow_id: str, ids: set[str], timeout_s: float
) -> dict[str, str]:
    """Poll the run list until every run in ``ids`` is final; return each one's state."""
    deadline = time.monotonic() + timeout_s
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        response = await api.get("/runs", params={"workflow_id": workflow_id, "limit": 500})
        response.raise_for_status()
        states = {run["id"]: run["state"] for run in response.json() if run["id"] in ids}
        if len(states) == len(ids) and set(states.values()) <= FINAL_STATES:
            return states
        await asyncio.sleep(0.05)
    raise RuntimeError(f"runs not final after {timeout_s:.0f} s: {Counter(states.values())}")


def _cpu_use(processes: list[Service]) -> dict[str, float | None]:
    """CPU seconds so far of the server, of the workers (summed) and of this process."""
    workers = [process.cpu_seconds() for process in processes[1:]]
    return {
        "server": processes[0].cpu_seconds(),
        "workers": None if None in workers else sum(w for w in workers if w is not None),
        "probe": time.process_time(),
    }


def _cpu_spent(
    before: dict[str, float | None], after: dict[str, float | None]
) -> dict[str, float | None]:
    """CPU seconds used between two :func:`_cpu_use` readings."""
    spent: dict[str, float | None] = {}
    for name, start in before.items():
        end = after[name]
        spent[name] = None if start is None or end is None else end - start
    return spent


async def _drive(
    base: str,
    key: str,
    services: StandIns,
    events: list[Any],
    counts: tuple[int, int],
    processes: list[Service],
) -> dict[str, Any]:
    """Create the workflow, complete the warm-up runs, then time ``runs`` runs and check them."""
    runs, warmup = counts
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=CONCURRENT_STARTS + 2)
    async with httpx.AsyncClient(
        base_url=f"{base}/api/v1", headers=headers, timeout=60.0, limits=limits
    ) as api:
        created = await api.post(
            "/workflows", json={"name": "Bench", "definition": demo_workflow(services.url)}
        )
        if created.status_code != 201:
            raise RuntimeError(f"creating the workflow answered {created.status_code}")
        workflow_id = created.json()["id"]
        warm = await _start_runs(api, workflow_id, events, warmup)
        await _wait_final(api, workflow_id, set(warm), timeout_s=120)
        services.clear()

        cpu_before = _cpu_use(processes)
        started = time.perf_counter()
        ids = await _start_runs(api, workflow_id, events, runs)
        start_seconds = time.perf_counter() - started
        states = await _wait_final(api, workflow_id, set(ids), timeout_s=180)
        seconds = time.perf_counter() - started
        cpu = _cpu_spent(cpu_before, _cpu_use(processes))

        node_statuses: Counter[str] = Counter()
        for run_id in ids:
            run = (await api.get(f"/runs/{run_id}")).raise_for_status().json()
            for plugin, report in run["completion"]["plugins"].items():
                for node in report["nodes"]:
                    node_statuses[f"{plugin}:{node['status']}"] += 1
    return {
        "seconds": seconds,
        "start_seconds": start_seconds,
        "cpu_seconds": cpu,
        "states": dict(Counter(states.values())),
        "node_statuses": dict(node_statuses),
        "received": services.per_service(),
    }


def measure(
    mode: str, runs: int, warmup: int, postgres_url: str, redis_url: str, events: list[Any]
) -> dict[str, Any]:
    """Set up ``mode``'s servers, drive the runs, tear everything down; return the report."""
    work = Path(tempfile.mkdtemp(prefix="jackfield-bench-runs-"))
    tag = f"jackfield_bench_{os.getpid()}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    extra = {"JACKFIELD_DATA_DIR": str(work / "data"), "JACKFIELD_PUBLIC_URL": base}
    if mode != "inprocess-sqlite":
        extra["JACKFIELD_DATABASE_URL"] = _database_url(postgres_url, tag)
    if mode == "celery":
        extra["JACKFIELD_BROKER_URL"] = redis_url
        extra["JACKFIELD_BROKER_QUEUE"] = tag
    env = environ(extra)
    services = StandIns()
    threading.Thread(target=services.serve_forever, daemon=True).start()
    processes: list[Service] = []
    database_created = False
    try:
        if mode != "inprocess-sqlite":
            asyncio.run(_admin(postgres_url, f'CREATE DATABASE "{tag}"'))
            database_created = True
        key = _create_key(env)
        server = Service(
            "jackfield serve",
            [venv_program("jackfield"), "serve", "--port", str(port), "--log-level", "warning"],
            env=env,
            log=work / "serve.log",
            lifetime_s=LIFETIME_S,
        )
        processes.append(server)
        if mode == "celery":
            for index in range(CELERY_WORKERS):
                processes.append(
                    Service(
                        f"jackfield worker {index + 1}",
                        [venv_program("jackfield"), "worker", "--log-level", "info"],
                        env=env,
                        log=work / f"worker-{index + 1}.log",
                        lifetime_s=LIFETIME_S,
                    )
                )
        wait_until_ready(server, f"{base}/api/v1/health")
        for worker in processes[1:]:
            _wait_for_line(worker, " ready.", timeout_s=60)
        result = asyncio.run(_drive(base, key, services, events, (runs, warmup), processes))
        for process in processes:
            if not process.alive():
                raise RuntimeError(f"{process.name} exited:\n{process.output()}")
    finally:
        for process in reversed(processes):
            process.stop()
        services.shutdown()
        services.server_close()
        # Clean-up failures are reported, never allowed to hide the measurement's own error.
        if database_created:
            _cleanup(_admin, postgres_url, f'DROP DATABASE IF EXISTS "{tag}" WITH (FORCE)')
        if mode == "celery":
            _cleanup(_delete_queue, redis_url, tag)
        shutil.rmtree(work, ignore_errors=True)
    return {
        "python": platform.python_version(),
        "jackfield": version("jackfield"),
        "jackfield_server": version("jackfield-server"),
        "mode": mode,
        "runs": runs,
        "workers": CELERY_WORKERS if mode == "celery" else 1,
        **result,
    }


def _wait_for_line(service: Service, text: str, *, timeout_s: float) -> None:
    """Wait until ``service`` has written ``text`` (a Celery worker's "ready.")."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if text in service.output(1_000_000):
            return
        if not service.alive():
            raise RuntimeError(f"{service.name} exited:\n{service.output()}")
        time.sleep(0.1)
    raise RuntimeError(f"{service.name} not ready in {timeout_s:.0f} s:\n{service.output()}")


def main() -> None:
    """Measure the command line's mode and print the report."""
    mode, runs, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    postgres_url, redis_url, call = sys.argv[4], sys.argv[5], Path(sys.argv[6])
    if mode not in MODES:
        raise SystemExit(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    events = json.loads(call.read_text("utf-8"))
    try:
        report = measure(mode, runs, warmup, postgres_url, redis_url, events)
    except Exception as exc:
        # A deployment that does not work is a result too: say why, in one line.
        traceback.print_exc()
        first_line = (str(exc).strip().splitlines() or [""])[0]
        report = {"mode": mode, "error": f"{type(exc).__name__}: {first_line}"}
    print(json.dumps(report))


if __name__ == "__main__":
    main()

"""Benchmark section ``runs_e2e``: completed runs per second with the first-party plugins.

One fresh environment holds jackfield, jackfield-server (and Celery with its
Redis extra), httpx and the wheels of the four first-party plugins.
``_runs_probe.py`` runs there once per deployment: ``jackfield serve`` with
its in-process worker on SQLite and on PostgreSQL, then ``jackfield serve``
sending Celery tasks to two ``jackfield worker`` processes (PostgreSQL, Redis).
Each time a batch of runs of ``examples/call.json`` is started through the
HTTP API and timed until every run is completed, every plugin's node
delivered to a local stand-in service. This module turns the reports into the
Markdown table. A deployment whose database or broker cannot be reached, or
that fails, is reported as not measured, with the reason.

PostgreSQL and Redis are those of the server's tests:
``JACKFIELD_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``;
the probe creates and drops a database of its own there) and
``JACKFIELD_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``; a queue of
its own, deleted after).
"""

from __future__ import annotations

import os
import platform
import socket
import sys
from typing import Any
from urllib.parse import urlsplit

from _options import BENCH_DIR, Options
from _server_env import FIRST_PARTY, run_server_probe, server_environment
from _wheels import ROOT, build_wheels

__all__ = ["run"]

RUNS = 50
WARMUP = 5
PLUGINS = ("qa", "tuner", "paygent", "webhook")
CALL = ROOT / "examples" / "call.json"
#: (probe mode, deployment, database, needs PostgreSQL, needs Redis)
DEPLOYMENTS = (
    ("inprocess-sqlite", "`jackfield serve`, in-process worker", "SQLite", False, False),
    ("inprocess-postgres", "`jackfield serve`, in-process worker", "PostgreSQL", True, False),
    (
        "celery",
        "`jackfield serve` + 2 `jackfield worker` (Celery, Redis)",
        "PostgreSQL",
        True,
        True,
    ),
)


def _unreachable(url: str, default_port: int) -> str | None:
    """Why ``url``'s server cannot be reached, or ``None`` if a TCP connection opens."""
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or default_port)
    try:
        with socket.create_connection(address, timeout=3):
            return None
    except OSError as exc:
        return f"{address[0]}:{address[1]} not reachable ({exc.strerror or exc})"


def _checked(report: dict[str, Any]) -> str:
    """``ok``, or what is wrong with the runs' final states and node results."""
    expected_nodes = {f"{plugin}:delivered": RUNS for plugin in PLUGINS}
    problems = []
    if report["states"] != {"completed": RUNS}:
        problems.append(f"run states {report['states']}")
    if report["node_statuses"] != expected_nodes:
        problems.append(f"node results {report['node_statuses']}")
    return "; ".join(problems) or "ok"


def _cpu_ms(report: dict[str, Any], process: str) -> str:
    """CPU milliseconds per timed run of ``process`` (``server`` or ``workers``)."""
    seconds = report["cpu_seconds"][process]
    if report["workers"] == 1 and process == "workers":
        return "-"
    return "?" if seconds is None else f"{seconds * 1000 / RUNS:.0f}"


def run(options: Options) -> str:
    """Build the environment, run every deployment, return the Markdown report."""
    del options  # one timed batch per deployment; --runs and --sizes do not apply
    postgres = os.environ.get(
        "JACKFIELD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    redis = os.environ.get("JACKFIELD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    plugin_wheels = build_wheels(list(FIRST_PARTY), BENCH_DIR / "wheels" / "first-party")
    venv = server_environment("runs", plugin_wheels, ["httpx>=0.27", "celery[redis]>=5.4"])
    rows, notes, versions = [], [], ""
    for mode, deployment, database, needs_postgres, needs_redis in DEPLOYMENTS:
        reason = (_unreachable(postgres, 5432) if needs_postgres else None) or (
            _unreachable(redis, 6379) if needs_redis else None
        )
        report = None
        if reason is None:
            try:
                report = run_server_probe(
                    venv,
                    "_runs_probe.py",
                    *(mode, str(RUNS), str(WARMUP), postgres, redis, str(CALL)),
                    timeout_s=240,
                )
            except RuntimeError as exc:  # the probe itself crashed or hung
                print(exc, file=sys.stderr)
                reason = str(exc).strip().splitlines()[0]
            if report is not None and "error" in report:
                reason, report = report["error"], None
        if report is None:
            rows.append(f"| {deployment} | {database} | not measured | | | | | | |")
            notes.append(f"{deployment} ({database}) not measured: {reason}")
            continue
        versions = (
            f"Python {report['python']}, jackfield {report['jackfield']}, "
            f"jackfield-server {report['jackfield_server']}"
        )
        received = report["received"]
        per_run = " / ".join(f"{received.get(p, 0) / RUNS:g}" for p in PLUGINS)
        rows.append(
            f"| {deployment} | {database} | {RUNS / report['seconds']:.1f} | "
            f"{report['seconds']:.2f} | {report['start_seconds']:.2f} | {per_run} | "
            f"{_cpu_ms(report, 'server')} | {_cpu_ms(report, 'workers')} | "
            f"{_checked(report)} |"
        )
    lines = [
        "## runs_e2e: completed runs per second, four first-party plugins",
        "",
        f"A workflow with three conversation nodes and one node each of qa, tuner, paygent "
        f"and webhook, all pointed at one local stand-in HTTP server (the QA model answers "
        f"a fixed review). {RUNS} runs of `examples/call.json` started through "
        f"`POST /api/v1/workflows/{{id}}/runs`, 4 requests at a time (each replays the "
        f"call through the plugins' runtime sessions and queues the completion), timed "
        f"from the first request until the run list (polled every 50 ms) shows every "
        f"run completed; {WARMUP} warm-up runs before, not counted. Defaults throughout: "
        f"the in-process worker runs 4 jobs at once, each Celery worker one. All processes "
        f"on 127.0.0.1; {platform.machine()} ({os.cpu_count()} CPUs shared by the server, "
        f"workers, database, stand-in and client); {versions or 'no deployment ran'}.",
        "",
        "| deployment | database | runs/s | seconds | starting them took s "
        "| requests per run: qa / tuner / paygent / webhook | server CPU ms per run "
        "| workers CPU ms per run | check |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- |",
        *rows,
        "",
        "The check requires every run `completed` with each plugin's node `delivered`; the "
        "requests column is what the stand-in received per timed run (paygent delivers a "
        "call as a fixed sequence of requests, one step each).",
    ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)

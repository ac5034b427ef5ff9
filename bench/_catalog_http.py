"""Benchmark section ``catalog_http``: ``GET /api/v1/node-types`` over loopback.

One fresh environment holds jackfield, jackfield-server and the 100 generated
plugin wheels of ``_generate.py`` (the ``startup`` section's, in a folder of
their own). ``_catalog_probe.py`` runs there: it starts ``jackfield serve``
(SQLite, API key from ``jackfield keys create``), the plain FastAPI app of
``_catalog_plain_app.py`` (the catalog through ``response_model`` on every
request) and, for scale, a bare ASGI app answering the same bytes (uvicorn's
floor), checks that all answer the same document, and loads each in turn;
this module turns the samples into the Markdown table.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
from pathlib import Path

from _generate import plugin_projects, tree_digest
from _options import BENCH_DIR, Options
from _server_env import run_server_probe, server_environment
from _wheels import build_wheels

__all__ = ["run"]

PLUGINS = 100
SECONDS = 2.0
CONNECTIONS = 4
#: The issue's budget: jackfield at least this many times the plain route's throughput.
TARGET_RATIO = 5.0


def _plugin_wheels(count: int) -> list[Path]:
    """``count`` generated plugin wheels, rebuilt only when their sources change."""
    root = BENCH_DIR / "projects" / "catalog-plugins"
    projects = plugin_projects(root, count)
    folder = BENCH_DIR / "wheels" / f"catalog-plugins-{count}-{tree_digest(root)}"
    marker = folder / "wheels.json"
    if marker.is_file():
        return [folder / name for name in json.loads(marker.read_text("utf-8"))]
    wheels = build_wheels(projects, folder)
    marker.write_text(json.dumps([w.name for w in wheels]), "utf-8")
    return wheels


def _rate(sample: dict[str, float]) -> float:
    return sample["requests"] / sample["seconds"]


def run(options: Options) -> str:
    """Build the environment, run the probe, return the Markdown report."""
    venv = server_environment("catalog", _plugin_wheels(PLUGINS), ["httpx>=0.27"])
    timeout = 120 + options.runs * 3 * (SECONDS + 1)
    report = run_server_probe(
        venv,
        "_catalog_probe.py",
        str(options.runs),
        str(SECONDS),
        str(CONNECTIONS),
        timeout_s=timeout,
    )
    samples = report["samples"]
    rps = {name: statistics.median(_rate(s) for s in samples[name]) for name in samples}
    p50 = {name: statistics.median(s["p50_ms"] for s in samples[name]) for name in samples}
    p99 = {name: statistics.median(s["p99_ms"] for s in samples[name]) for name in samples}
    ratio = rps["jackfield"] / rps["plain"]
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    rows = [
        (
            "jackfield",
            "`jackfield serve`: cached bytes + ETag, bearer API key checked (auth cache)",
        ),
        ("plain", "FastAPI route, `response_model` built from `host.node_specs()`, no auth"),
        ("floor", "bare ASGI callable sending the catalog bytes, no framework, no auth"),
    ]
    table = [
        f"| {name} | {what} | {rps[name]:,.0f} | {p50[name]:.2f} | {p99[name]:.2f} | "
        f"{report['bytes'][name]:,} |"
        for name, what in rows
    ]
    lines = [
        "## catalog_http: `GET /api/v1/node-types` over loopback",
        "",
        f"{PLUGINS} generated plugin wheels installed ({report['node_types']} node types with "
        f"the built-in ones), one uvicorn process per server on 127.0.0.1. Load: "
        f"{report['generator']}, {CONNECTIONS} keep-alive connections, {SECONDS:g} s per "
        f"round; median of {options.runs} rounds per server, order rotating, after a 1 s "
        f"warm-up each; every answer a 200 with the whole catalog (no `If-None-Match`). "
        f"All three answer the same JSON document. Python {report['python']} on "
        f"{platform.machine()} ({os.cpu_count()} CPUs, shared by server and load "
        f"generator), jackfield {report['jackfield']}, jackfield-server "
        f"{report['jackfield_server']}.",
        "",
        "| server | route | requests/s | p50 ms | p99 ms | body bytes |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *table,
        "",
        f"Target: jackfield at least {TARGET_RATIO:g}x the plain route's throughput: "
        f"{verdict} ({ratio:.1f}x). The floor row is what uvicorn alone serves of this "
        f"{report['bytes']['jackfield'] / 1024:,.0f} KiB body here: jackfield reaches "
        f"{rps['jackfield'] / rps['floor']:.0%} of it, so the ratio is bounded by "
        f"{rps['floor'] / rps['plain']:.1f}x on this machine.",
    ]
    return "\n".join(lines)

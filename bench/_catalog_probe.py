"""Child process of the ``catalog_http`` benchmark: ``GET /node-types`` requests per second.

Run as ``python -I _catalog_probe.py RUNS SECONDS CONNECTIONS`` in an
environment with jackfield, jackfield-server, httpx and the generated plugins.

1. ``jackfield keys create bench`` in a temporary data directory (it creates
   the SQLite database too);
2. ``jackfield serve`` on 127.0.0.1 with that data directory, and the
   ``plain`` and ``floor`` apps of ``_catalog_plain_app.py`` on other ports;
3. the three catalogs are fetched and must be the same JSON document;
4. after a one-second warm-up each, RUNS rounds go through the three
   servers (the order rotates each round), each a SECONDS-long load of
   CONNECTIONS keep-alive connections from ``wrk`` when it is installed,
   else from an httpx client in this process. Any error or non-200 answer
   fails the probe.

Prints one JSON line: ``{"python", "jackfield", "generator", "node_types",
"bytes": {...}, "samples": {"jackfield": [...], "plain": [...], "floor": [...]}}``, each
sample ``{"requests", "seconds", "p50_ms", "p99_ms"}``.
"""

from __future__ import annotations

import asyncio
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from _processes import Service, environ, free_port, venv_program, wait_until_ready

PLAIN_APP = Path(__file__).resolve().parent / "_catalog_plain_app.py"
CATALOG = "/api/v1/node-types"
SERVERS = ("jackfield", "plain", "floor")
#: Hard limit on each server's life, whatever becomes of this probe.
LIFETIME_S = 600

#: wrk's summary as one JSON line (latencies in microseconds).
_WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"errors":%d,"non_2xx":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(99)))
end
"""


def create_key(data_dir: Path) -> str:
    """A fresh API key of organization ``bench`` (the last line ``jackfield keys`` prints)."""
    made = subprocess.run(
        [venv_program("jackfield"), "keys", "create", "bench", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=False,
        env=environ({}),
        timeout=120,
    )
    if made.returncode != 0:
        raise RuntimeError(f"jackfield keys create failed:\n{made.stderr}")
    return made.stdout.strip().splitlines()[-1]


def wrk_load(
    wrk: str, url: str, headers: dict[str, str], seconds: float, connections: int, script: Path
) -> dict[str, float]:
    """One load of ``url`` by wrk (one thread, ``connections`` keep-alive connections)."""
    command = [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "-s", str(script), url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=seconds + 30
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed:\n{result.stderr}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    if report["errors"] or report["non_2xx"]:
        raise RuntimeError(f"wrk saw failed requests on {url}: {report}")
    return {
        "requests": report["requests"],
        "seconds": report["duration_us"] / 1e6,
        "p50_ms": report["p50_us"] / 1000,
        "p99_ms": report["p99_us"] / 1000,
    }


async def _httpx_load(
    url: str, headers: dict[str, str], seconds: float, connections: int
) -> dict[str, float]:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30.0) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def one_connection() -> None:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                response = await client.get(url)
                await response.aread()
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} answered {response.status_code}")
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(one_connection() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def measure(runs: int, seconds: float, connections: int, work: Path) -> dict[str, Any]:
    """Start both servers under ``work``, check their catalogs, load them; return the report."""
    data_dir = work / "data"
    key = create_key(data_dir)
    auth = {"Authorization": f"Bearer {key}"}
    ports = {name: free_port() for name in SERVERS}
    commands = {
        "jackfield": [
            venv_program("jackfield"),
            *("serve", "--port", str(ports["jackfield"]), "--data-dir", str(data_dir)),
            *("--log-level", "warning"),
        ],
        **{
            kind: [sys.executable, "-I", str(PLAIN_APP), kind, str(ports[kind])]
            for kind in ("plain", "floor")
        },
    }
    headers = {name: auth if name == "jackfield" else {} for name in SERVERS}
    urls = {name: f"http://127.0.0.1:{port}{CATALOG}" for name, port in ports.items()}
    services: list[Service] = []
    try:
        for name, command in commands.items():
            service = Service(
                name, command, env=environ({}), log=work / f"{name}.log", lifetime_s=LIFETIME_S
            )
            services.append(service)
            wait_until_ready(service, urls[name], headers=headers[name])
        bodies = {name: httpx.get(urls[name], headers=headers[name]).content for name in urls}
        documents = {name: json.loads(body) for name, body in bodies.items()}
        if any(document != documents["jackfield"] for document in documents.values()):
            raise RuntimeError("the servers answer different catalogs")

        wrk = shutil.which("wrk")
        script = work / "report.lua"
        script.write_text(_WRK_REPORT, "utf-8")

        def load(name: str, duration: float) -> dict[str, float]:
            if wrk:
                return wrk_load(wrk, urls[name], headers[name], duration, connections, script)
            return asyncio.run(_httpx_load(urls[name], headers[name], duration, connections))

        for name in urls:
            load(name, 1.0)  # warm-up, not counted
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in urls}
        for round_ in range(runs):
            for name in SERVERS[round_ % 3 :] + SERVERS[: round_ % 3]:
                samples[name].append(load(name, seconds))
        for service in services:
            if not service.alive():
                raise RuntimeError(f"{service.name} exited:\n{service.output()}")
    finally:
        for service in services:
            service.stop()
    return {
        "python": platform.python_version(),
        "jackfield": version("jackfield"),
        "jackfield_server": version("jackfield-server"),
        "generator": f"wrk ({wrk})" if wrk else f"httpx {version('httpx')}",
        "node_types": len(documents["jackfield"]["node_types"]),
        "bytes": {name: len(body) for name, body in bodies.items()},
        "samples": samples,
    }


def main() -> None:
    """Measure with the command line's settings and print the report."""
    runs, seconds, connections = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    work = Path(tempfile.mkdtemp(prefix="jackfield-bench-catalog-"))
    try:
        report = measure(runs, seconds, connections, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report))


if __name__ == "__main__":
    main()

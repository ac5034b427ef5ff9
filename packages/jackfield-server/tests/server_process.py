"""A server or Celery worker in a process of its own, with the test plugins.

Run as a script (``python server_process.py serve|worker ...``): it builds a
plugin host with delivery plugins (``--plugin alpha:delivery``) and runs
:func:`jackfield_server.run_server` or :func:`jackfield_server.run_celery_worker`
with the settings in the environment, as ``jackfield serve`` / ``jackfield
worker`` would with installed plugins. The helpers below start such
processes from a test and stop them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, leases left held."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, str(HERE / "server_process.py"), *args],
            env={**os.environ, "PYTHONPATH": str(HERE), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextlib.contextmanager
def running_server(
    env: dict[str, str], log: Path, plugins: list[str], *, schema: str | None = None
) -> Iterator[ServerProcess]:
    """A server process on a free port, up and answering health checks."""
    port = free_port()
    args = ["serve", "--port", str(port), *(f"--plugin={p}" for p in plugins)]
    if schema:
        args.append(f"--schema={schema}")
    process = _spawn(args, env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield ServerProcess(process, url, log)
    finally:
        _stop(process)


@contextlib.contextmanager
def running_workers(
    count: int, env: dict[str, str], logs: Path, plugins: list[str], *, schema: str | None
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` Celery worker processes (their logs in ``logs/worker-N.log``)."""
    args = ["worker", *(f"--plugin={p}" for p in plugins)]
    if schema:
        args.append(f"--schema={schema}")
    processes = [_spawn(args, env, logs / f"worker-{n}.log") for n in range(count)]
    try:
        yield processes
    finally:
        for process in processes:
            _stop(process)


def _main() -> None:
    from server_plugins import delivery_plugin, make_host

    from jackfield import CompletionPhase
    from jackfield_server import Database, Settings, run_celery_worker, run_server
    from jackfield_server._logging import configure_json_logging

    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["serve", "worker"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--schema")
    parser.add_argument("--plugin", action="append", default=[])
    options = parser.parse_args()
    plugins = []
    for spec in options.plugin:
        name, _, phase = spec.partition(":")
        plugins.append((name, delivery_plugin(name, phase=CompletionPhase(phase or "delivery"))))
    host = make_host(*plugins)
    settings = Settings.from_env()
    database = Database.connect(settings.database_url, schema=options.schema)
    configure_json_logging("INFO")
    if options.mode == "serve":
        run_server(settings, host, port=options.port, database=database)
    else:
        run_celery_worker(settings, host, database=database)


if __name__ == "__main__":
    _main()

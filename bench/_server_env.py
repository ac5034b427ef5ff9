"""Environments holding jackfield-server, and running a server probe in one.

The ``catalog_http`` and ``runs_e2e`` sections measure the reference server as
an operator runs it: ``jackfield serve`` (and ``jackfield worker``) processes
started from a fresh environment built from this tree's wheels. Like
:mod:`_child`, the wheels are built with hatchling's hook and installed with
uv (or pip); the environment also gets the plain requirements a probe needs
(httpx for its client, Celery's Redis extra for the workers).

A probe script does the orchestration inside that environment and prints one
JSON object as its last line. It runs in a process group of its own with a
time limit: on expiry the whole group is killed (and every server a probe
starts also carries its own hard time limit, see ``_processes.py``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _options import BENCH_DIR
from _wheels import CORE, ROOT, VirtualEnv, build_wheels, clean_environ, create_venv

__all__ = ["FIRST_PARTY", "SERVER", "run_server_probe", "server_environment"]

HERE = Path(__file__).resolve().parent
SERVER = ROOT / "packages" / "jackfield-server"
#: The four first-party plugins, in completion-phase order.
FIRST_PARTY = tuple(
    ROOT / "plugins" / f"jackfield-{name}" for name in ("qa", "tuner", "paygent", "webhook")
)


def _install(venv: VirtualEnv, items: Sequence[str]) -> None:
    """Install wheels (paths) and requirement strings in one resolution."""
    if venv.uv:
        command = [venv.uv, "pip", "install", "--quiet", *items, "--python", str(venv.python)]
    else:
        command = [str(venv.python), "-m", "pip", "install", "--quiet"]
        command += ["--disable-pip-version-check", *items]
    subprocess.run(command, check=True, env=clean_environ())


def server_environment(
    name: str, extra_wheels: Sequence[Path] = (), requirements: Sequence[str] = ()
) -> VirtualEnv:
    """A fresh ``.bench/venvs/<name>`` with jackfield, jackfield-server and ``extra_wheels``.

    Core and server are built from this tree each time (a second or two);
    ``requirements`` are plain requirement strings resolved from the index.
    """
    core_and_server = build_wheels([CORE, SERVER], BENCH_DIR / "wheels" / "server")
    venv = create_venv(BENCH_DIR / "venvs" / name)
    _install(venv, [*(str(w) for w in (*core_and_server, *extra_wheels)), *requirements])
    return venv


def run_server_probe(venv: VirtualEnv, script: str, *args: str, timeout_s: float) -> dict[str, Any]:
    """Run ``bench/<script>`` in ``venv``; return its last JSON line.

    A report with an ``error`` key is a failure the probe could describe: it is
    returned, and the probe's stderr copied to ours.

    The probe and everything it starts (in its process group) is killed if it
    has not finished after ``timeout_s``.

    :raises RuntimeError: the probe failed or ran out of time (its stderr attached).
    """
    env = clean_environ({"JACKFIELD_CONFIG": str(BENCH_DIR / "jackfield.toml")})
    process = subprocess.Popen(
        [str(venv.python), "-I", str(HERE / script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        raise RuntimeError(
            f"{script} did not finish within {timeout_s:.0f} s:\n{stderr[-4000:]}"
        ) from None
    if process.returncode != 0:
        raise RuntimeError(f"{script} failed in {venv.path}:\n{stderr[-4000:]}")
    report: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    if "error" in report:  # the probe reports a failure as its result; show the details
        print(f"{script}: {report['error']}\n{stderr[-4000:]}", file=sys.stderr)
    return report

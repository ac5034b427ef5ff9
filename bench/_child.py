"""Run an in-process benchmark probe in an environment with jackfield built from this tree.

The ``secrets``, ``dispatch`` and ``completion`` sections time jackfield's own
functions, not process start-up, so each needs a single interpreter with
jackfield importable. The ``bench`` nox session's interpreter has only the
wheel builder, so, like ``startup``, these sections build the core wheel and
install it into ``.bench/venvs/core`` (once per ``run.py`` process), then run
their probe script there with ``python -I`` and a clean environment. A probe
prints one JSON object as its last line; :func:`run_probe` returns it.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from _options import BENCH_DIR
from _wheels import CORE, VirtualEnv, build_wheels, clean_environ, create_venv

__all__ = ["core_environment", "machine_note", "run_probe"]

HERE = Path(__file__).resolve().parent


@functools.cache
def core_environment() -> VirtualEnv:
    """A fresh environment holding jackfield (built from ``core/``) and its requirements."""
    core_wheel = build_wheels([CORE], BENCH_DIR / "wheels" / "core")[0]
    return create_venv(BENCH_DIR / "venvs" / "core", [core_wheel])


def run_probe(script: str, *args: str) -> dict[str, Any]:
    """Run ``bench/<script>`` in :func:`core_environment`; return its last JSON line."""
    venv = core_environment()
    # Never written: the user's own jackfield config stays out of the measurement.
    env = clean_environ({"JACKFIELD_CONFIG": str(BENCH_DIR / "jackfield.toml")})
    result = subprocess.run(
        [str(venv.python), "-I", str(HERE / script), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{script} failed in {venv.path}:\n{result.stderr}")
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def machine_note(report: dict[str, Any]) -> str:
    """One sentence naming the interpreter and machine a probe ran on."""
    return (
        f"Python {report['python']} on {platform.machine()} ({os.cpu_count()} CPUs), "
        f"jackfield {report['jackfield']}."
    )

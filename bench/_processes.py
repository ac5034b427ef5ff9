"""Server processes the benchmark probes start, each bounded in time, always stopped.

Imported by the server probes (``_catalog_probe.py``, ``_runs_probe.py``)
inside the benchmark environment. Every :class:`Service` runs under coreutils
``timeout`` when it is available, so it ends by itself after ``lifetime_s``
even if the probe that started it is killed; :meth:`Service.stop` asks it to
stop (SIGTERM, which ``timeout`` passes on), then kills its whole process
group. Output goes to a log file, read back when something fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

__all__ = ["Service", "environ", "free_port", "venv_program", "wait_until_ready"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def venv_program(name: str) -> str:
    """The path of ``name`` in the running interpreter's environment (``jackfield``)."""
    return str(Path(sys.executable).with_name(name))


def environ(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment (already cleaned by the bench runner) plus ``extra``."""
    return {**os.environ, **extra}


class Service:
    """A child process with a hard time limit and a log file.

    :param name: what it is, for error messages.
    :param argv: the command.
    :param env: its whole environment.
    :param log: the file its stdout and stderr go to.
    :param lifetime_s: it is ended after this long, whatever happens to the probe.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        log: Path,
        lifetime_s: float,
    ) -> None:
        self.name = name
        self.log = log
        limiter = shutil.which("timeout")
        if limiter:
            # `timeout` makes itself a process group leader and passes SIGTERM on.
            argv = [limiter, "--kill-after=5", f"{lifetime_s:.0f}", *argv]
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                list(argv),
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=dict(env),
                start_new_session=limiter is None,
            )

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) used so far by the process and its descendants.

        Read from ``/proc``; ``None`` where there is none (not Linux).
        """
        if not Path("/proc/self/stat").is_file():
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        total, pending = 0, [self.process.pid]
        while pending:
            pid = pending.pop()
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                fields = stat[stat.rindex(")") + 2 :].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
                for task in Path(f"/proc/{pid}/task").iterdir():
                    pending.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue  # it exited meanwhile
        return total / ticks

    def output(self, last_chars: int = 3000) -> str:
        """The end of what the process wrote."""
        try:
            return self.log.read_text("utf-8", errors="replace")[-last_chars:]
        except OSError:
            return ""

    def stop(self, grace_s: float = 15.0) -> None:
        """SIGTERM, wait up to ``grace_s``, then SIGKILL the whole process group."""
        if self.alive():
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace_s)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def wait_until_ready(
    service: Service,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    timeout_s: float = 60.0,
) -> None:
    """Poll ``url`` until it answers 200.

    :raises RuntimeError: the service exited or did not answer in time (its log attached).
    """
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=5.0, headers=dict(headers or {})) as client:
        while time.monotonic() < deadline:
            if not service.alive():
                raise RuntimeError(f"{service.name} exited:\n{service.output()}")
            try:
                if client.get(url).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(
        f"{service.name} did not answer {url} in {timeout_s:.0f} s:\n{service.output()}"
    )

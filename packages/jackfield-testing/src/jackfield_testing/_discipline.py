"""Check what importing a plugin's entry-point module does, in a fresh interpreter.

The host imports every enabled plugin to build the node catalog: at server
start, in ``jackfield node-types``, in tests. So importing a plugin must be
cheap and side-effect free: no heavy modules, no environment variables, no
file or network I/O. This runs the import in a child process that watches for
exactly those.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DEFAULT_HEAVY_MODULES", "ImportReport", "check_import"]

#: Modules a plugin's entry-point module must not pull in at import time.
DEFAULT_HEAVY_MODULES: tuple[str, ...] = (
    "httpx",
    "requests",
    "aiohttp",
    "urllib3",
    "openai",
    "fastapi",
    "sqlalchemy",
    "jinja2",
    "numpy",
    "pandas",
    "torch",
)

_PROBE = r"""
import builtins, json, os, socket, sys

target, heavy = sys.argv[1], json.loads(sys.argv[2])
package = target.split(".")[0]
import jackfield  # the host is already imported when plugins load: not the plugin's cost

env_reads, io = [], []

def plugin_is_caller():
    # Only what the plugin's own code does counts, not the standard library's.
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name not in ("os", "_collections_abc", "__main__"):
            return name == package or name.startswith(package + ".")
        frame = frame.f_back
    return False

class WatchedEnviron(type(os.environ)):
    def __getitem__(self, key):
        if plugin_is_caller():
            env_reads.append(key)
        return super().__getitem__(key)
    def get(self, key, default=None):
        if plugin_is_caller():
            env_reads.append(key)
        return super().get(key, default)
    def __contains__(self, key):
        if plugin_is_caller():
            env_reads.append(key)
        return super().__contains__(key)

os.environ.__class__ = WatchedEnviron
real_open = builtins.open
def watched_open(file, *args, **kwargs):
    if plugin_is_caller():
        io.append(f"open({str(file)!r})")
    return real_open(file, *args, **kwargs)
builtins.open = watched_open
real_connect = socket.socket.connect
def watched_connect(self, address):
    io.append(f"connect({address!r})")
    return real_connect(self, address)
socket.socket.connect = watched_connect

before = set(sys.modules)
error = None
try:
    __import__(target)
except BaseException as exc:
    error = f"{type(exc).__name__}: {exc}"
builtins.open, socket.socket.connect = real_open, real_connect
new = set(sys.modules) - before
print(json.dumps({
    "error": error,
    "heavy": sorted(m for m in new if m.split(".")[0] in heavy),
    "env": sorted(set(env_reads)),
    "io": io,
}))
"""


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What importing a module did."""

    module: str
    error: str | None
    heavy_modules: tuple[str, ...]
    environment_reads: tuple[str, ...]
    io: tuple[str, ...]

    @property
    def problems(self) -> list[str]:
        """Each broken rule, as a readable sentence."""
        found = []
        if self.error:
            found.append(f"importing {self.module} raised {self.error}")
        if self.heavy_modules:
            found.append(
                f"importing {self.module} imported heavy modules: {', '.join(self.heavy_modules)}"
                " (import them inside the hook that needs them)"
            )
        if self.environment_reads:
            found.append(
                f"importing {self.module} read environment variables: "
                f"{', '.join(self.environment_reads)}"
            )
        if self.io:
            found.append(f"importing {self.module} did I/O: {', '.join(self.io)}")
        return found


def check_import(module: str, *, heavy: Iterable[str] = DEFAULT_HEAVY_MODULES) -> ImportReport:
    """Import ``module`` in a fresh interpreter and report what it did.

    :param module: the dotted name of the plugin's entry-point module.
    :param heavy: top-level module names that must not be imported.
    """
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, module, json.dumps(sorted(set(heavy)))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        return ImportReport(module, completed.stderr.strip()[-500:] or "probe failed", (), (), ())
    data = json.loads(lines[-1])
    return ImportReport(
        module=module,
        error=data["error"],
        heavy_modules=tuple(data["heavy"]),
        environment_reads=tuple(data["env"]),
        io=tuple(data["io"]),
    )

"""Real wheels and throwaway virtual environments for the cross-distribution tests.

The benchmarks (``bench/``) use the same helpers, so there is one way to build
and install a distribution outside the development environment.

Building: every wheel is built by calling hatchling's PEP 517 hook
``hatchling.build.build_wheel`` -- the exact entry point ``pip wheel``,
``python -m build`` and ``hatch build`` end up calling -- in ONE child
process for all projects. That skips what those front ends add around it (an
isolated build environment per project, resolving and installing hatchling into
it), which costs seconds per wheel and, for the benchmark's hundred plugin
wheels, minutes; the wheel produced is the same. hatchling must therefore be
importable by the running interpreter (the ``e2e`` and ``bench`` nox sessions
install hatch, which depends on it); a project whose build backend is not
hatchling is refused rather than built wrongly.

Environments: ``uv venv`` + ``uv pip install`` when ``uv`` is available (an
environment with jackfield and its dependencies takes about a second), else
``python -m venv`` + pip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CORE",
    "FIXTURE_PROJECTS",
    "ROOT",
    "VirtualEnv",
    "build_wheels",
    "clean_environ",
    "create_venv",
]

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
FIXTURE_PROJECTS = Path(__file__).resolve().parent / "fixtures" / "projects"

#: Run in the child process: argv[1] is the output directory, the rest are
#: project directories; prints one JSON list of wheel file names, in order.
_BUILD_SCRIPT = """
import json, os, sys
from hatchling.build import build_wheel
out = sys.argv[1]
names = []
for project in sys.argv[2:]:
    os.chdir(project)
    names.append(build_wheel(out))
print(json.dumps(names))
"""


def _check_backend(project: Path) -> None:
    """Refuse a project that hatchling's hook would not build the way pip would."""
    pyproject = project / "pyproject.toml"
    if not pyproject.is_file():
        raise FileNotFoundError(f"{project}: no pyproject.toml, not a project")
    backend = tomllib.loads(pyproject.read_text("utf-8")).get("build-system", {})
    if backend.get("build-backend") != "hatchling.build":
        raise ValueError(f"{project}: build backend is not hatchling.build; build it another way")


def build_wheels(projects: Sequence[Path], out_dir: Path) -> list[Path]:
    """Build one wheel per project into ``out_dir``; return the wheel paths, in order.

    All projects are built by one child process (see the module docstring).
    """
    if not projects:
        return []
    for project in projects:
        _check_backend(project)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-c", _BUILD_SCRIPT, str(out_dir), *(str(p.resolve()) for p in projects)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"building wheels failed:\n{result.stderr}")
    names: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return [out_dir / name for name in names]


def _uv() -> str | None:
    """Path of a ``uv`` executable, or ``None`` (then venv + pip are used)."""
    found = shutil.which("uv")
    if found:
        return found
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return str(find_uv_bin())


def clean_environ(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any ``JACKFIELD_*`` or virtualenv setting, plus ``extra``.

    The developer's own plugin settings must not leak into a test or benchmark.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("JACKFIELD_") and key not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class VirtualEnv:
    """A virtual environment made by :func:`create_venv`."""

    path: Path
    uv: str | None

    @property
    def bin_dir(self) -> Path:
        """The folder holding the environment's executables."""
        return self.path / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        """The environment's interpreter."""
        return self.bin_dir / ("python.exe" if os.name == "nt" else "python")

    def _pip(self, *args: str) -> list[str]:
        if self.uv:
            return [self.uv, "pip", *args, "--python", str(self.python)]
        return [str(self.python), "-m", "pip", *args]

    def install(self, wheels: Iterable[Path], *, no_deps: bool = False) -> None:
        """Install ``wheels`` (and, unless ``no_deps``, what they require).

        ``no_deps`` installs a wheel whose requirements cannot be met, the way an
        operator forcing it (or upgrading jackfield past its range) would.
        """
        args = ["install", "--quiet", *(str(w) for w in wheels)]
        if no_deps:
            args.append("--no-deps")
        if not self.uv:
            args.append("--disable-pip-version-check")
        subprocess.run(self._pip(*args), check=True, env=clean_environ())

    def install_editable(self, project: Path, *, extras: str = "") -> None:
        """Install the project at ``project`` editable (``pip install -e``), with ``extras``."""
        target = f"{project}[{extras}]" if extras else str(project)
        subprocess.run(
            self._pip("install", "--quiet", "-e", target), check=True, env=clean_environ()
        )

    def uninstall(self, *distributions: str) -> None:
        """Uninstall ``distributions`` by name."""
        args = ["uninstall", *distributions] if self.uv else ["uninstall", "--yes", *distributions]
        subprocess.run(self._pip(*args), check=True, env=clean_environ(), capture_output=True)

    def run(
        self, program: str, *args: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``program`` from the environment's bin folder with a clean environment plus ``env``.

        Never raises for a non-zero exit: callers check ``returncode``.
        """
        return subprocess.run(
            [str(self.bin_dir / program), *args],
            capture_output=True,
            text=True,
            check=False,
            env=clean_environ(env),
        )


def create_venv(path: Path, wheels: Iterable[Path] = ()) -> VirtualEnv:
    """Create a fresh virtual environment at ``path`` for this interpreter's version.

    Whatever is at ``path`` already is deleted first. ``wheels`` are installed
    right away with their requirements.
    """
    if path.exists():
        shutil.rmtree(path)
    uv = _uv()
    if uv:
        subprocess.run(
            [uv, "venv", "--quiet", "--python", sys.executable, str(path)],
            check=True,
            env=clean_environ(),
        )
    else:
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    venv = VirtualEnv(path=path, uv=uv)
    wheels = list(wheels)
    if wheels:
        venv.install(wheels)
    return venv

"""Every check of the jackfield monorepo.

``nox`` runs the default set (lint, typecheck, unit tests of each distribution
in its own environment, the cross-distribution wheel tests, and every suite in
the hatch workspace environment developers use). ``nox -s bench`` runs the
benchmarks, which are never part of pass/fail.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nox

ROOT = Path(__file__).parent
CORE = ROOT / "core"
KIT = ROOT / "packages" / "jackfield-testing"
PYTHONS = ["3.11", "3.13"]

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests", "plugins", "packages", "e2e", "workspace"]


def _members(folder: str) -> list[str]:
    """Names of the distributions (folders with a pyproject.toml) under ``folder``."""
    return sorted(p.parent.name for p in (ROOT / folder).glob("*/pyproject.toml"))


@nox.session(python=PYTHONS[0])
def lint(session: nox.Session) -> None:
    """Ruff lint and format check over the whole repository, and core's import layers.

    The layering contract (``[tool.importlinter]`` in the root pyproject.toml)
    needs ``jackfield`` importable, so core is installed here too.
    """
    session.install("ruff>=0.8", "import-linter>=2.1", str(CORE))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session(python=PYTHONS[0])
def typecheck(session: nox.Session) -> None:
    """mypy --strict over core, the support packages and the first-party plugins.

    FastAPI is installed only for its types: ``jackfield.hookspecs`` names
    ``APIRouter`` under ``TYPE_CHECKING``, and FastAPI is no dependency of core.
    """
    members = [ROOT / "packages" / name for name in _members("packages")]
    members += [ROOT / "plugins" / name for name in _members("plugins")]
    extras = {"jackfield-server": "[celery]", "jackfield-webhook": "[routes]"}
    session.install(
        "mypy>=1.13",
        "fastapi>=0.110",
        str(CORE),
        *(f"{m}{extras.get(m.name, '')}" for m in members),
    )
    # A cache of this environment's own: one shared with other environments
    # (the dev venv) can hold results computed against other installed packages.
    cache = f"--cache-dir={session.create_tmp()}/mypy-cache"
    session.run("mypy", "--strict", cache, str(CORE / "src"))
    for member in members:
        session.run("mypy", "--strict", cache, str(member / "src"))


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Unit tests of the ``jackfield`` distribution, installed alone."""
    session.install(f"{CORE}[test]")
    session.run("pytest", str(CORE / "tests"), *session.posargs)


def _test_member(session: nox.Session, folder: str, name: str) -> None:
    """Install ``jackfield`` and one member with its ``test`` extra, run its tests.

    The plugin author's kit is installed from this checkout too, since plugins'
    test extras use its contract suite (it is not resolved from an index).
    """
    member = ROOT / folder / name
    session.install(str(CORE), str(KIT), f"{member}[test]")
    session.run("pytest", str(member / "tests"), *session.posargs)


@nox.session(python=PYTHONS[0])
@nox.parametrize("name", _members("plugins") or ["<none>"])
def plugins(session: nox.Session, name: str) -> None:
    """Each first-party plugin's tests, with only it and ``jackfield`` installed."""
    if name == "<none>":
        session.skip("no plugin distributions yet")
    _test_member(session, "plugins", name)


@nox.session(python=PYTHONS[0])
@nox.parametrize("name", _members("packages") or ["<none>"])
def packages(session: nox.Session, name: str) -> None:
    """Each support distribution's tests, with only it and ``jackfield`` installed."""
    if name == "<none>":
        session.skip("no support distributions yet")
    _test_member(session, "packages", name)


@nox.session(python=PYTHONS[0])
def e2e(session: nox.Session) -> None:
    """Build real wheels and test them installed together in fresh environments."""
    # tests/_wheels.py calls hatchling's PEP 517 hook directly, and makes venvs with uv;
    # the kit's RecordingServer stands in for the first-party plugins' services.
    session.install("pytest>=8.0", "hatchling>=1.26", "uv>=0.5", str(CORE), str(KIT))
    session.run("pytest", str(ROOT / "tests"), *session.posargs)


@nox.session(python=PYTHONS[0])
def workspace(session: nox.Session) -> None:
    """Every suite in the hatch workspace environment, the one ``hatch shell`` gives.

    That environment holds every member editable with its ``test`` extra, so each
    member's tests meet the others' pytest plugins there (pytest-asyncio,
    schemathesis, pytest-httpserver, the kit's ``pytest11`` entry point), which
    they never do alone in ``tests``, ``plugins`` and ``packages``. hatch builds
    it from the root pyproject.toml, with its data, cache and config kept in this
    session's folder (a developer's own hatch environments are never touched) and
    uv as its installer. From the root, each member's tests are collected by path
    (a configuration error fails here, fast); then ``pytest`` runs in each
    member's folder and at the root (the cross-distribution tests), through
    ``hatch run`` as a developer types it. In a member's folder hatch would take
    that member for the project, so the workspace is named with ``-p``.
    """
    session.install("hatch>=1.16", "uv>=0.5")
    home = Path(session.virtualenv.location)
    config = home / "hatch-config.toml"
    config.write_text(f"[projects]\njackfield = {json.dumps(str(ROOT))}\n")
    hatch_env: dict[str, str | None] = {
        "HATCH_CONFIG": str(config),
        "HATCH_DATA_DIR": str(home / "hatch-data"),
        "HATCH_CACHE_DIR": str(home / "hatch-cache"),
        "HATCH_PYTHON": "self",  # this session's interpreter
        "HATCH_ENV_TYPE_VIRTUAL_UV_PATH": shutil.which("uv", path=session.bin) or "uv",
        # nox points uv at this session's venv with these; hatch's uv must install
        # into the hatch environment instead.
        "UV_PYTHON": None,
        "UV_PROJECT_ENVIRONMENT": None,
    }
    hatch_run = ["hatch", "-p", "jackfield", "run"]
    members = [CORE]
    members += [ROOT / "packages" / name for name in _members("packages")]
    members += [ROOT / "plugins" / name for name in _members("plugins")]
    with session.chdir(ROOT):
        for member in members:
            tests = str((member / "tests").relative_to(ROOT))
            session.run(*hatch_run, "pytest", "-qq", "--collect-only", tests, env=hatch_env)
    for member in members:
        with session.chdir(member):
            session.run(*hatch_run, "pytest", *session.posargs, env=hatch_env)
    with session.chdir(ROOT):
        session.run(*hatch_run, "pytest", *session.posargs, env=hatch_env)


@nox.session(python=PYTHONS[0], default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks: print the tables quoted in the README's performance section."""
    # Every measurement runs in environments bench/ builds itself from wheels;
    # this session only needs the wheel builder and uv.
    session.install("hatchling>=1.26", "uv>=0.5")
    session.run("python", str(ROOT / "bench" / "run.py"), *session.posargs)

"""Fixtures of the cross-distribution tests: real wheels, fresh environments, the CLI.

Wheels are built once per test session. Environments are few and shared by the
tests of one scenario family (building one costs about a second with uv, many
more with pip); tests that change an environment get their own. Every CLI call
gets a config file path of its own test, so no test sees another's settings or
the developer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from _jackfield_cli import Jackfield
from _wheels import CORE, FIXTURE_PROJECTS, VirtualEnv, build_wheels, create_venv

#: The fixture plugin distributions, by distribution name.
FIXTURES = ("jackfield-sample", "jackfield-broken", "jackfield-incompatible", "jackfield-shadow")


@dataclass(frozen=True)
class Wheels:
    """The wheels built for this test session."""

    core: Path
    sample: Path
    broken: Path
    incompatible: Path
    shadow: Path


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Wheels:
    """Wheels of ``jackfield`` (from ``core/``) and of the fixture plugins, built once."""
    out = tmp_path_factory.mktemp("wheels")
    core, sample, broken, incompatible, shadow = build_wheels(
        [CORE, *(FIXTURE_PROJECTS / name for name in FIXTURES)], out
    )
    return Wheels(core=core, sample=sample, broken=broken, incompatible=incompatible, shadow=shadow)


@pytest.fixture(scope="session")
def mixed_env(wheels: Wheels, tmp_path_factory: pytest.TempPathFactory) -> VirtualEnv:
    """One environment with jackfield and all three fixture plugins; tests must not change it.

    The incompatible plugin is installed without its requirements, which
    ``jackfield`` 0.1 cannot meet.
    """
    path = tmp_path_factory.mktemp("mixed") / "venv"
    venv = create_venv(path, [wheels.core, wheels.sample, wheels.broken])
    venv.install([wheels.incompatible], no_deps=True)
    return venv


@pytest.fixture
def mixed(mixed_env: VirtualEnv, tmp_path: Path) -> Jackfield:
    """The shared mixed environment's CLI, with this test's own config file."""
    return Jackfield(mixed_env, tmp_path / "jackfield.toml")


@pytest.fixture
def sample_only(wheels: Wheels, tmp_path: Path) -> Jackfield:
    """A fresh environment with jackfield and the sample plugin, for tests that change it."""
    venv = create_venv(tmp_path / "venv", [wheels.core, wheels.sample])
    return Jackfield(venv, tmp_path / "jackfield.toml")


@pytest.fixture(scope="session")
def shadowed(wheels: Wheels, tmp_path_factory: pytest.TempPathFactory) -> Jackfield:
    """jackfield, the sample plugin and jackfield-shadow, whose entry point is named ``core``."""
    root = tmp_path_factory.mktemp("shadowed")
    venv = create_venv(root / "venv", [wheels.core, wheels.sample, wheels.shadow])
    return Jackfield(venv, root / "jackfield.toml")

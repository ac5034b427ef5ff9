"""A plugin author's golden path, as a new user follows it: scaffold, test, build, install.

`jackfield new-plugin` (from jackfield-testing) writes a project; installed
editable with its test extra next to the kit, its tests pass; its wheel,
installed next to `jackfield` alone in another fresh environment, is picked up
by the host.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from _jackfield_cli import Jackfield
from _wheels import CORE, ROOT, build_wheels, clean_environ, create_venv

KIT = ROOT / "packages" / "jackfield-testing"


@pytest.fixture(scope="module")
def kit_wheels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_wheels([CORE, KIT], tmp_path_factory.mktemp("kit-wheels"))


def test_scaffolded_plugin_passes_its_tests_and_its_wheel_is_picked_up(kit_wheels, tmp_path):
    author = create_venv(tmp_path / "author-venv", kit_wheels)
    project = tmp_path / "jackfield-call-archive"
    made = author.run("jackfield", "new-plugin", "call_archive", "--dir", str(project))
    assert made.returncode == 0, made.stderr
    assert (project / "pyproject.toml").is_file()

    author.install_editable(project, extras="test")
    tests = subprocess.run(
        [str(author.bin_dir / "pytest"), "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env=clean_environ(),
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "12 passed" in tests.stdout

    (wheel,) = build_wheels([project], tmp_path / "dist")
    assert wheel.name.startswith("jackfield_call_archive-0.1.0-")

    operator = create_venv(tmp_path / "operator-venv", [kit_wheels[0], wheel])
    cli = Jackfield(operator, tmp_path / "jackfield.toml")
    assert "call_archive" in cli.node_type_names()
    listed = cli.plugins()["call_archive"]
    assert (listed["distribution"], listed["status"]) == ("jackfield-call-archive", "loaded")
    assert cli.run("doctor").returncode == 0


def test_new_plugin_refuses_the_name_of_an_installed_plugin(kit_wheels, tmp_path):
    venv = create_venv(tmp_path / "venv", kit_wheels)
    first = venv.run("jackfield", "new-plugin", "archive", "--dir", str(tmp_path / "one"))
    assert first.returncode == 0, first.stderr
    (wheel,) = build_wheels([tmp_path / "one"], tmp_path / "dist")
    venv.install([wheel])
    second = venv.run("jackfield", "new-plugin", "archive", "--dir", str(tmp_path / "two"))
    assert second.returncode == 2
    assert "already used by an installed plugin" in second.stderr
    assert not (tmp_path / "two").exists()

"""`jackfield new-plugin`: the project it writes, its refusals, and that its tests pass."""

from __future__ import annotations

import os
import sys

import pytest
from click.testing import CliRunner

from jackfield._cli import main
from jackfield_testing._scaffold import ScaffoldError, scaffold_plugin


def test_new_plugin_writes_a_complete_project(tmp_path):
    target = tmp_path / "proj"
    result = CliRunner().invoke(main, ["new-plugin", "call_archive", "--dir", str(target)])
    assert result.exit_code == 0, result.output
    files = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert files == {
        "pyproject.toml",
        "README.md",
        ".gitignore",
        "noxfile.py",
        "src/jackfield_call_archive/__init__.py",
        "src/jackfield_call_archive/plugin.py",
        "src/jackfield_call_archive/_node.py",
        "src/jackfield_call_archive/_completion.py",
        "src/jackfield_call_archive/py.typed",
        "tests/test_contract.py",
        "tests/test_retry.py",
    }
    pyproject = (target / "pyproject.toml").read_text()
    assert 'name = "jackfield-call-archive"' in pyproject
    assert 'call_archive = "jackfield_call_archive.plugin"' in pyproject
    assert '"jackfield>=0.1,<0.2"' in pyproject
    assert (
        "class CallArchiveNode(IntegrationNodeData)"
        in (target / "src/jackfield_call_archive/_node.py").read_text()
    )


@pytest.mark.parametrize("name", ["Call", "call-archive", "1call", "class", "call archive", ""])
def test_names_that_are_not_lower_case_identifiers_are_refused(tmp_path, name):
    result = CliRunner().invoke(main, ["new-plugin", name, "--dir", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert "identifier" in result.output
    assert not (tmp_path / "p").exists()


def test_an_existing_directory_is_never_overwritten(tmp_path):
    target = tmp_path / "proj"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold_plugin("archive", target)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_a_name_of_an_installed_plugin_is_refused(tmp_path, monkeypatch):
    class EntryPoint:
        name, value = "archive", "jackfield_archive.plugin"

    monkeypatch.setattr(
        "jackfield_testing._scaffold.importlib_metadata.entry_points",
        lambda group: [EntryPoint()] if group == "jackfield.integrations" else [],
    )
    with pytest.raises(ScaffoldError, match="already used by an installed plugin"):
        scaffold_plugin("archive", tmp_path / "p")


def test_the_scaffolded_projects_tests_pass(tmp_path, pytester, monkeypatch):
    target = tmp_path / "proj"
    scaffold_plugin("call_archive", target)
    env_path = os.pathsep.join([str(target / "src"), *sys.path])
    monkeypatch.setenv("PYTHONPATH", env_path)
    result = pytester.runpytest_subprocess(
        str(target / "tests"), "-p", "no:cacheprovider", "-p", "no:asyncio"
    )
    result.assert_outcomes(passed=12)

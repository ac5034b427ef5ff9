"""`jackfield new-plugin`: the project it writes, its refusals, and that its tests pass."""

from __future__ import annotations

import os
import sys

import importlib_metadata
import pytest
from click.testing import CliRunner

from jackfield._cli import main
from jackfield._host._discovery import discover_plugins
from jackfield.host import RESERVED_PLUGIN_NAMES, PluginHost
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
    assert result.exit_code == 2
    assert "identifier" in result.output
    assert not (tmp_path / "p").exists()


def test_an_existing_directory_is_never_overwritten(tmp_path):
    target = tmp_path / "proj"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold_plugin("archive", target)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


@pytest.fixture
def installed_plugin(monkeypatch):
    """One installed plugin, ``archive``, as the host's (cached) entry-point scan sees it."""

    class EntryPoint:
        name, value, dist = "archive", "jackfield_archive.plugin", None

    real = importlib_metadata.entry_points

    def entry_points(**params):  # other groups (the CLI's commands) stay real
        if params.get("group") == "jackfield.integrations":
            return [EntryPoint()]
        return real(**params)

    monkeypatch.setattr(importlib_metadata, "entry_points", entry_points)
    discover_plugins.cache_clear()
    yield "archive"
    discover_plugins.cache_clear()


def test_a_name_of_an_installed_plugin_is_refused(tmp_path, installed_plugin):
    with pytest.raises(ScaffoldError, match="already used by an installed plugin"):
        scaffold_plugin(installed_plugin, tmp_path / "p")
    assert not (tmp_path / "p").exists()


def test_the_cli_refuses_an_installed_plugins_name_with_exit_2(tmp_path, installed_plugin):
    result = CliRunner().invoke(main, ["new-plugin", "archive", "--dir", str(tmp_path / "p")])
    assert result.exit_code == 2
    assert "plugin name 'archive' is already used by an installed plugin" in result.output
    assert "choose another name" in result.output
    assert not (tmp_path / "p").exists()


def test_an_installed_plugin_is_refused_even_with_autoload_off(tmp_path, installed_plugin):
    env = {"JACKFIELD_DISABLE_PLUGIN_AUTOLOAD": "1", "JACKFIELD_DISABLE_PLUGINS": "archive"}
    result = CliRunner().invoke(
        main, ["new-plugin", "archive", "--dir", str(tmp_path / "p")], env=env
    )
    assert result.exit_code == 2
    assert "already used by an installed plugin" in result.output


@pytest.mark.parametrize("name", sorted(RESERVED_PLUGIN_NAMES))
def test_reserved_names_are_refused_with_exit_2(tmp_path, name):
    result = CliRunner().invoke(main, ["new-plugin", name, "--dir", str(tmp_path / "p")])
    assert result.exit_code == 2
    assert f"plugin name {name!r} is reserved for jackfield" in result.output
    assert "choose another name" in result.output
    assert not (tmp_path / "p").exists()


def test_core_is_reserved_because_it_is_the_builtin_plugin(tmp_path):
    assert "core" in RESERVED_PLUGIN_NAMES
    assert PluginHost(autoload=False).plugin("core").distribution == "jackfield"
    with pytest.raises(ScaffoldError, match="reserved"):
        scaffold_plugin("core", tmp_path / "p")


def test_a_name_that_only_starts_like_a_reserved_one_is_accepted(tmp_path):
    scaffold_plugin("core_archive", tmp_path / "p")
    assert (tmp_path / "p" / "src" / "jackfield_core_archive" / "plugin.py").is_file()


def test_the_scaffolded_projects_tests_pass(tmp_path, pytester, monkeypatch):
    target = tmp_path / "proj"
    scaffold_plugin("call_archive", target)
    env_path = os.pathsep.join([str(target / "src"), *sys.path])
    monkeypatch.setenv("PYTHONPATH", env_path)
    result = pytester.runpytest_subprocess(
        str(target / "tests"), "-p", "no:cacheprovider", "-p", "no:asyncio"
    )
    # the 4 check-hook contract cases skip: the template implements no jackfield_check_node
    result.assert_outcomes(passed=12, skipped=4)

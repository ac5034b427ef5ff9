"""The one convention of every ``jackfield`` command: its host, ``--strict``, exit codes.

The commands are found by walking the parser, added ones (``jackfield.cli``
entry points) included, so a new command cannot forget ``--strict``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from host_plugins import RaisingPlugin

from jackfield._cli import main
from jackfield._cli._convention import _remember_strict
from jackfield.host import ExitCode, HostFactory, PluginHost, PluginSettings, cli_host

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
OPERATORS_DOC = ROOT / "docs" / "operators.md"

#: Commands that load no plugin, so take no --strict. Any other command must.
LOADS_NO_PLUGINS = {
    "specs diff",  # compares two catalog files
    "plugins enable",  # edits the config file; reads plugin names, imports none
    "plugins disable",
    "keys create",  # jackfield-server: the database only
    "new-plugin",  # jackfield-testing: writes a project
}

#: Arguments that get each built-in plugin-loading command as far as loading the plugins.
STRICT_RUNS = {
    "doctor": [],
    "node-types": [],
    "plugins list": [],
    "plugins show": ["core"],
    "run-call": ["--workflow", EXAMPLES / "workflow.json", "--call", EXAMPLES / "call.json"],
    "workflow mask": [EXAMPLES / "workflow.json"],
    "workflow validate": [EXAMPLES / "workflow.json"],
}


def _leaves(
    group: click.Group, ctx: click.Context, prefix: str = ""
) -> Iterator[tuple[str, click.Command]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from _leaves(command, ctx, f"{path} ")
        else:
            yield path, command


def _commands() -> dict[str, click.Command]:
    with click.Context(main, info_name="jackfield") as ctx:
        return dict(_leaves(main, ctx))


def _strict_param(command: click.Command) -> click.Parameter | None:
    return next((p for p in command.params if "--strict" in getattr(p, "opts", ())), None)


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    monkeypatch.setenv("JACKFIELD_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("JACKFIELD_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("JACKFIELD_DISABLE_PLUGINS", "JACKFIELD_PLUGINS", "JACKFIELD_STRICT"):
        monkeypatch.delenv(name, raising=False)


def _broken_factory() -> HostFactory:
    """Hosts with the built-in plugin and a registered plugin whose registration raises."""

    def make(strict: bool | None) -> PluginHost:
        host = PluginHost(strict=strict, settings=PluginSettings.from_env())
        host.register(RaisingPlugin(), name="broken", distribution="jackfield-broken", version="1")
        return host

    return HostFactory(make)


def test_every_command_that_loads_plugins_takes_strict():
    commands = _commands()
    missing = sorted(
        name
        for name, c in commands.items()
        if name not in LOADS_NO_PLUGINS and not _strict_param(c)
    )
    assert missing == [], f"commands without --strict (or add them to LOADS_NO_PLUGINS): {missing}"
    needless = sorted(n for n in LOADS_NO_PLUGINS & set(commands) if _strict_param(commands[n]))
    assert needless == []


def test_every_strict_option_is_the_shared_one():
    for name, command in _commands().items():
        param = _strict_param(command)
        if param is not None:
            assert param.callback is _remember_strict, f"{name} has a --strict of its own"
            assert not param.expose_value


def test_every_built_in_strict_command_is_run_strictly_below():
    built_in = {
        name
        for name, command in _commands().items()
        if _strict_param(command) and command.callback.__module__.startswith("jackfield.")
    }
    assert built_in == set(STRICT_RUNS)


@pytest.mark.parametrize("name", sorted(STRICT_RUNS))
def test_strict_run_with_a_broken_plugin_exits_problems_naming_it(clean_env, name):
    args = [*name.split(), *map(str, STRICT_RUNS[name]), "--strict"]

    result = CliRunner().invoke(main, args, obj=_broken_factory())

    assert result.exit_code == ExitCode.PROBLEMS == 1, result.output
    assert "strict mode: plugin 'broken' (distribution 'jackfield-broken')" in result.output


@pytest.mark.parametrize("name", sorted(set(STRICT_RUNS) - {"doctor"}))
def test_jackfield_strict_means_the_same(clean_env, monkeypatch, name):
    monkeypatch.setenv("JACKFIELD_STRICT", "1")
    args = [*name.split(), *map(str, STRICT_RUNS[name])]

    result = CliRunner().invoke(main, args, obj=_broken_factory())

    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "strict mode: plugin 'broken'" in result.output


def test_without_strict_a_broken_plugin_is_reported_not_raised(clean_env):
    result = CliRunner().invoke(main, ["plugins", "list", "--json"], obj=_broken_factory())
    assert result.exit_code == ExitCode.OK, result.output
    assert '"failed"' in result.output


@pytest.mark.parametrize("verb", ["enable", "disable"])
def test_commands_that_load_no_plugins_ignore_a_broken_one(clean_env, monkeypatch, verb):
    monkeypatch.setenv("JACKFIELD_STRICT", "1")
    result = CliRunner().invoke(main, ["plugins", verb, "broken"], obj=_broken_factory())
    assert result.exit_code == ExitCode.OK, result.output


def test_a_command_that_loads_plugins_without_strict_is_refused():
    @click.command("careless")
    @click.pass_context
    def careless(ctx: click.Context) -> None:
        cli_host(ctx)

    result = CliRunner().invoke(careless, [], obj=_broken_factory())

    assert isinstance(result.exception, RuntimeError)
    assert "must take --strict" in str(result.exception)


def test_help_lists_every_exit_code():
    result = CliRunner().invoke(main, ["--help"])

    assert result.exit_code == ExitCode.OK
    text = result.output[result.output.index("Exit codes:") :]
    for code in ExitCode:
        assert re.search(rf"^\s+{code.value}\s+{code.name}\s+\S", text, flags=re.M), code
    assert "USAGE     bad input" in text


def test_the_operators_guide_lists_every_exit_code():
    if not OPERATORS_DOC.exists():
        pytest.skip("docs/ is not part of this checkout (sdist)")
    text = OPERATORS_DOC.read_text(encoding="utf-8")
    section = text[text.index("## Exit codes") :]
    listed = re.findall(r"^\| (\d+) \| `([A-Z_]+)` \|", section, flags=re.M)
    assert listed == [(str(code.value), code.name) for code in ExitCode]


def test_bad_usage_exits_usage():
    result = CliRunner().invoke(main, ["node-types", "--no-such-option"])
    assert result.exit_code == ExitCode.USAGE

"""The plugin commands of the CLI: plugins list/show/enable/disable, node-types, doctor."""

from __future__ import annotations

import json
import tomllib

import pytest
from click.testing import CliRunner
from host_plugins import NodesPlugin, RaisingPlugin, make_model, make_registration

from jackfield._cli import main
from jackfield._cli._plugins import HostFactory
from jackfield.host import PluginHost, PluginSettings

PLUGIN_KEYS = {
    "name",
    "distribution",
    "version",
    "status",
    "reason",
    "hooks",
    "node_types",
    "load_ms",
}


@pytest.fixture
def config(tmp_path, monkeypatch):
    """A config file of the test's own; no installed plugin is ever looked at."""
    path = tmp_path / "jackfield" / "config.toml"
    monkeypatch.setenv("JACKFIELD_CONFIG", str(path))
    monkeypatch.setenv("JACKFIELD_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("JACKFIELD_DISABLE_PLUGINS", "JACKFIELD_PLUGINS", "JACKFIELD_STRICT"):
        monkeypatch.delenv(name, raising=False)
    return path


def _factory(*plugins: tuple[str, object]) -> HostFactory:
    """Hosts with the built-in plugin plus ``plugins``, settings read from the environment."""

    def make(strict: bool | None) -> PluginHost:
        host = PluginHost(strict=strict, settings=PluginSettings.from_env())
        for name, plugin in plugins:
            host.register(plugin, name=name, distribution=f"jackfield-{name}", version="1.0")
        return host

    return HostFactory(make)


def _run(args, factory=None):
    return CliRunner().invoke(main, args, obj=factory or _factory())


def test_plugins_list_json(config):
    factory = _factory(
        ("tuner", NodesPlugin(make_registration("tuner"))), ("broken", RaisingPlugin())
    )

    result = _run(["plugins", "list", "--json"], factory)

    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert set(rows) == {"broken", "core", "tuner"}
    for row in rows.values():
        assert set(row) >= PLUGIN_KEYS
    assert rows["core"]["distribution"] == "jackfield"
    assert rows["tuner"]["status"] == "loaded"
    assert rows["tuner"]["node_types"] == ["tuner"]
    assert rows["broken"]["status"] == "failed"
    assert "RuntimeError" in rows["broken"]["reason"]


def test_plugins_list_table(config):
    result = _run(["plugins", "list"], _factory(("tuner", NodesPlugin(make_registration("tuner")))))
    assert result.exit_code == 0, result.output
    assert "tuner" in result.output
    assert "loaded" in result.output


def test_plugins_list_strict_fails_on_a_broken_plugin(config):
    result = _run(["plugins", "list", "--strict"], _factory(("broken", RaisingPlugin())))
    assert result.exit_code == 1
    assert "plugin 'broken'" in result.output


def test_plugins_show(config):
    factory = _factory(("tuner", NodesPlugin(make_registration("tuner"))))

    as_json = _run(["plugins", "show", "tuner", "--json"], factory)
    readable = _run(["plugins", "show", "tuner"], factory)

    assert as_json.exit_code == 0
    data = json.loads(as_json.output)
    assert set(data) >= PLUGIN_KEYS
    assert (data["name"], data["version"]) == ("tuner", "1.0")
    assert readable.exit_code == 0
    assert "jackfield-tuner" in readable.output


def test_plugins_show_unknown_exits_1(config):
    result = _run(["plugins", "show", "nobody", "--json"])
    assert result.exit_code == 1
    assert "no plugin named 'nobody'" in result.output


def test_disable_then_enable_round_trip(config):
    factory = _factory(("tuner", NodesPlugin(make_registration("tuner"))))

    disabled = _run(["plugins", "disable", "tuner"], factory)

    assert disabled.exit_code == 0, disabled.output
    assert str(config) in disabled.output
    assert tomllib.loads(config.read_text())["plugins"]["disabled"] == ["tuner"]
    row = json.loads(_run(["plugins", "show", "tuner", "--json"], factory).output)
    assert row["status"] == "disabled"
    catalog = json.loads(_run(["node-types"], factory).output)
    assert "tuner" not in [t["name"] for t in catalog["node_types"]]

    enabled = _run(["plugins", "enable", "tuner"], factory)

    assert enabled.exit_code == 0
    assert tomllib.loads(config.read_text())["plugins"]["disabled"] == []
    row = json.loads(_run(["plugins", "show", "tuner", "--json"], factory).output)
    assert row["status"] == "loaded"


def test_disable_unknown_name_warns_but_writes(config):
    result = _run(["plugins", "disable", "ghost"])
    assert result.exit_code == 0
    assert "no installed plugin is named 'ghost'" in result.output
    assert tomllib.loads(config.read_text())["plugins"]["disabled"] == ["ghost"]


def test_enable_notes_an_environment_override(config, monkeypatch):
    monkeypatch.setenv("JACKFIELD_DISABLE_PLUGINS", "core")
    result = _run(["plugins", "enable", "core"])
    assert result.exit_code == 0
    assert "JACKFIELD_DISABLE_PLUGINS still disables 'core'" in result.output


def test_disable_with_a_broken_config_exits_1(config):
    config.parent.mkdir(parents=True)
    config.write_text("[plugins\n")
    result = _run(["plugins", "disable", "core"])
    assert result.exit_code == 1
    assert "not valid TOML" in result.output


def test_node_types_prints_the_catalog_bytes(config):
    plugins = ("tuner", NodesPlugin(make_registration("tuner")))
    factory = _factory(plugins)
    expected = factory.make(None).catalog_json()

    result = _run(["node-types"], factory)

    assert result.exit_code == 0
    assert result.stdout_bytes == expected + b"\n"
    names = [t["name"] for t in json.loads(result.output)["node_types"]]
    assert names == ["agent", "end", "start", "tuner"]


def test_node_types_mcp(config):
    factory = _factory(("tuner", NodesPlugin(make_registration("tuner"))))
    result = _run(["node-types", "--mcp"], factory)
    assert result.exit_code == 0
    assert result.stdout_bytes == factory.make(None).catalog_json(mcp=True) + b"\n"


def test_node_types_single_type(config):
    factory = _factory(("tuner", NodesPlugin(make_registration("tuner"))))

    full = json.loads(_run(["node-types", "--type", "tuner"], factory).output)
    lean = json.loads(_run(["node-types", "--type", "tuner", "--mcp"], factory).output)

    spec = factory.make(None).node_spec("tuner")
    assert full == spec.model_dump(mode="json")
    assert lean == spec.to_mcp_dict()


def test_node_types_unknown_type_exits_1(config):
    result = _run(["node-types", "--type", "nope"])
    assert result.exit_code == 1
    assert "node type 'nope'" in result.output


def test_node_types_strict(config):
    assert _run(["node-types", "--strict"], _factory(("bad", RaisingPlugin()))).exit_code == 1
    assert _run(["node-types", "--strict"]).exit_code == 0


def test_doctor_is_happy_with_healthy_plugins(config):
    result = _run(["doctor"], _factory(("tuner", NodesPlugin(make_registration("tuner")))))
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output


def test_doctor_lists_every_failure_and_lint_problem(config):
    factory = _factory(
        ("broken", RaisingPlugin()),
        ("leaky", NodesPlugin(make_registration("leaky", sensitive_fields=("nope",)))),
        (
            "sparse",
            NodesPlugin(
                make_registration("sparse", model=make_model("sparse", with_example=False))
            ),
        ),
        ("fine", NodesPlugin(make_registration("fine"))),
    )

    result = _run(["doctor"], factory)

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(
        line.startswith("FAILED") and "broken (jackfield-broken 1.0)" in line for line in lines
    )
    assert any(line.startswith("FAILED") and "LeakyNode.nope" in line for line in lines)
    assert any(
        line.startswith("LINT") and "sparse" in line and "examples-missing" in line
        for line in lines
    )
    assert not any("fine" in line for line in lines if line.startswith(("FAILED", "LINT")))
    assert "3 problem(s)" in result.output


def test_doctor_does_not_count_disabled_plugins(config, monkeypatch):
    monkeypatch.setenv("JACKFIELD_DISABLE_PLUGINS", "broken")
    result = _run(["doctor"], _factory(("broken", RaisingPlugin())))
    assert result.exit_code == 0
    assert "1 disabled" in result.output


def test_doctor_reports_a_broken_config_file(config):
    config.parent.mkdir(parents=True)
    config.write_text("[plugins\n")
    result = _run(["doctor"])
    assert result.exit_code == 1
    assert "CONFIG" in result.output
    assert "not valid TOML" in result.output


def test_default_factory_uses_the_environment(config, monkeypatch):
    monkeypatch.setenv("JACKFIELD_DISABLE_PLUGINS", "core")
    result = CliRunner().invoke(main, ["plugins", "list", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [(r["name"], r["status"]) for r in rows] == [("core", "disabled")]


def test_strict_environment_fails_commands_but_not_doctor(config, monkeypatch):
    monkeypatch.setenv("JACKFIELD_STRICT", "1")
    factory = _factory(("broken", RaisingPlugin()))

    listed = _run(["plugins", "list", "--json"], factory)
    checked = _run(["doctor"], factory)

    assert listed.exit_code == 1
    assert "strict mode: plugin 'broken'" in listed.output
    assert checked.exit_code == 1
    assert "FAILED" in checked.output
    assert "1 problem(s)" in checked.output

"""A plugin whose hook implementations pluggy rejects keeps pluggy's reason, without values.

pluggy checks the argument names and wrapper options of implementations of
known hooks when a plugin is registered; implementations of unknown hooks pass
registration and are only rejected by ``check_pending``. The host reports both.
"""

from __future__ import annotations

import pluggy
import pytest
from click.testing import CliRunner
from host_plugins import fresh_host

from jackfield import PluginLoadError, hookimpl, hookspecs
from jackfield._cli import main
from jackfield._cli._plugins import HostFactory
from jackfield._host import _loading
from jackfield._host._hook_errors import hook_rejection_reason
from jackfield.host import PluginHost, PluginSettings, PluginStatus

SECRET = "sk-live-DO-NOT-SHOW"
HOOKS = [n for n in hookspecs.__all__ if n.startswith("jackfield_")]


class Misnamed:
    """``nodez`` instead of ``nodes``, and a default value that must not show."""

    @hookimpl
    def jackfield_run_completion(self, nodez, context, token: str = SECRET):
        return None


class Typo:
    @hookimpl
    def jackfield_registr_nodes(self):
        return []

    def __repr__(self) -> str:
        return f"<Typo api_key={SECRET}>"


class Plain:
    @hookimpl
    def jackfield_register_nodes(self):
        return []

    def __repr__(self) -> str:
        return f"<Plain api_key={SECRET}>"


class NotAGenerator:
    @hookimpl(wrapper=True)
    def jackfield_register_nodes(self):
        return []


def _reason(host: PluginHost, name: str) -> str:
    info = host.plugin(name)
    assert info is not None
    assert info.status is PluginStatus.FAILED
    assert info.reason is not None
    assert SECRET not in info.reason
    return info.reason


def test_wrong_argument_name_keeps_pluggys_explanation():
    host = fresh_host()
    host.register(Misnamed(), name="misnamed")

    reason = _reason(host, "misnamed")

    assert reason.startswith("invalid hook implementation of 'jackfield_run_completion': ")
    assert "hookimpl definition: jackfield_run_completion(nodez, context, token)" in reason
    assert "Argument(s) {'nodez'} are declared in the hookimpl" in reason
    assert "the hookspec's arguments: nodes, context" in reason
    assert ": str" not in reason  # nor annotations: names only
    assert "\n" not in reason
    assert host.plugin_for_node_type("start") == "core"  # confined to its plugin


def test_wrapper_that_is_not_a_generator_keeps_pluggys_explanation():
    host = fresh_host()
    host.register(NotAGenerator(), name="nogen")

    reason = _reason(host, "nogen")

    assert "invalid hook implementation of 'jackfield_register_nodes'" in reason
    assert "hookimpl definition: jackfield_register_nodes()" in reason
    assert "but function is not a generator function" in reason


def test_unknown_hook_is_rejected_at_registration_with_a_suggestion():
    # pluggy itself accepts it at register(); the host checks right after.
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(Typo(), name="typo")

    host = fresh_host()
    host.register(Typo(), name="typo")

    reason = _reason(host, "typo")
    assert "'jackfield_registr_nodes', which is not a jackfield hook" in reason
    assert "did you mean 'jackfield_register_nodes'?" in reason
    host.plugin_manager.check_pending()  # nothing left behind


def test_unknown_hook_found_only_by_check_pending_fails_its_plugin(monkeypatch):
    """Should the host's own check miss one, pluggy's check_pending names it, not the load."""

    def register_only(self, record):
        record.plugin, record.load_ms = record.candidate.importer()
        self.pm.register(record.plugin, name=record.name)

    monkeypatch.setattr(_loading._Loader, "import_and_register", register_only)
    host = fresh_host()
    host.register(Typo(), name="typo")

    reason = _reason(host, "typo")  # and the plugin object's repr is not in it
    assert "'jackfield_registr_nodes', which is not a jackfield hook" in reason
    assert host.plugin("core").status is PluginStatus.LOADED


def test_check_pending_message_loses_the_plugin_repr():
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(Typo(), name="typo")
    with pytest.raises(pluggy.PluginValidationError) as caught:
        pm.check_pending()
    assert SECRET in str(caught.value)  # pluggy's own message prints the repr

    reason = hook_rejection_reason(caught.value, pm, HOOKS)

    assert SECRET not in reason
    assert "jackfield_registr_nodes" in reason


def test_strict_host_raises_with_the_reason():
    host = fresh_host(strict=True)
    host.register(Misnamed(), name="misnamed")

    with pytest.raises(PluginLoadError) as caught:
        host.load()

    message = str(caught.value)
    assert "plugin 'misnamed'" in message
    assert "Argument(s) {'nodez'}" in message
    assert SECRET not in message


def test_same_object_under_two_names_does_not_print_the_objects():
    plugin = Plain()
    host = fresh_host()
    host.register(plugin, name="first")
    host.register(plugin, name="second")

    reason = _reason(host, "second")
    assert reason == "cannot be registered: Plugin already registered under a different name"


def test_doctor_shows_pluggys_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("JACKFIELD_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("JACKFIELD_DISABLE_PLUGIN_AUTOLOAD", "1")
    for name in ("JACKFIELD_DISABLE_PLUGINS", "JACKFIELD_PLUGINS", "JACKFIELD_STRICT"):
        monkeypatch.delenv(name, raising=False)

    def make(strict: bool | None) -> PluginHost:
        host = PluginHost(strict=strict, settings=PluginSettings.from_env())
        host.register(Misnamed(), name="misnamed", distribution="jackfield-misnamed", version="1")
        host.register(Typo(), name="typo", distribution="jackfield-typo", version="1")
        return host

    result = CliRunner().invoke(main, ["doctor"], obj=HostFactory(make))

    assert result.exit_code == 1
    assert SECRET not in result.output
    lines = result.output.splitlines()
    misnamed = next(line for line in lines if "misnamed (jackfield-misnamed 1)" in line)
    assert misnamed.startswith("FAILED")
    assert "'jackfield_run_completion'" in misnamed
    assert "Argument(s) {'nodez'} are declared in the hookimpl" in misnamed
    assert "the hookspec's arguments: nodes, context" in misnamed
    typo = next(line for line in lines if "typo (jackfield-typo 1)" in line)
    assert "did you mean 'jackfield_register_nodes'?" in typo

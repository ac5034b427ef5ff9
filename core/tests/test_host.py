"""Loading plugins on a PluginHost: statuses, and every failure confined to its plugin."""

from __future__ import annotations

import logging
import types

import pytest
from host_plugins import (
    NodesPlugin,
    RaisingPlugin,
    fresh_host,
    make_model,
    make_registration,
)

from jackfield import (
    DuplicateNameError,
    NodeRegistration,
    PluginLoadError,
    RegistrationError,
    UnknownNodeTypeError,
    build_spec,
    hookimpl,
)
from jackfield.host import PluginStatus


def test_registered_plugin_is_loaded_with_its_hooks_and_node_types():
    host = fresh_host()
    host.register(NodesPlugin(make_registration("tuner")), name="tuner-plugin")

    info = host.plugin("tuner-plugin")

    assert info is not None
    assert info.status is PluginStatus.LOADED
    assert info.hooks == ("jackfield_register_nodes",)
    assert info.node_types == ("tuner",)
    assert info.reason is None
    assert info.distribution is None
    assert host.plugin_for_node_type("tuner") == "tuner-plugin"


def test_loading_is_lazy_and_happens_once():
    calls = []

    class CountingPlugin:
        @hookimpl
        def jackfield_register_nodes(self):
            calls.append(1)
            return [make_registration("counted")]

    host = fresh_host()
    host.register(CountingPlugin(), name="counting")
    assert calls == []

    host.load()
    host.load()
    host.node_specs()

    assert calls == [1]


def test_register_after_load_reloads_with_the_new_plugin():
    host = fresh_host(builtins=False)
    host.register(NodesPlugin(make_registration("first")), name="one")
    assert [s.name for s in host.node_specs()] == ["first"]

    host.register(NodesPlugin(make_registration("second")), name="two")

    assert [s.name for s in host.node_specs()] == ["first", "second"]


def test_registering_the_same_name_twice_is_refused():
    host = fresh_host()
    host.register(NodesPlugin(), name="twice")
    with pytest.raises(ValueError, match="twice"):
        host.register(NodesPlugin(), name="twice")


def test_plugin_without_node_types_is_loaded():
    host = fresh_host()
    host.register(NodesPlugin(value=None), name="quiet")
    info = host.plugin("quiet")
    assert info is not None
    assert info.status is PluginStatus.LOADED
    assert info.node_types == ()


def test_module_plugin_is_accepted():
    module = types.ModuleType("jackfield_test_module_plugin")

    @hookimpl
    def jackfield_register_nodes():
        return [make_registration("from_module")]

    module.jackfield_register_nodes = jackfield_register_nodes  # type: ignore[attr-defined]
    host = fresh_host()
    host.register(module, name="module-plugin")

    info = host.plugin("module-plugin")
    assert info is not None
    assert info.module == "jackfield_test_module_plugin"
    assert info.node_types == ("from_module",)


def _failed(host, name):
    info = host.plugin(name)
    assert info is not None
    assert info.status is PluginStatus.FAILED, info
    assert info.node_types == ()
    return info.reason


def test_hook_raising_fails_only_that_plugin(caplog):
    host = fresh_host()
    host.register(RaisingPlugin(), name="broken")
    host.register(NodesPlugin(make_registration("healthy")), name="fine")

    with caplog.at_level(logging.WARNING, logger="jackfield.host"):
        reason = _failed(host, "broken")

    assert "jackfield_register_nodes raised RuntimeError" in reason
    assert host.plugin_for_node_type("healthy") == "fine"
    assert any("plugin 'broken'" in r.getMessage() for r in caplog.records)


def test_node_type_claimed_by_two_plugins_is_served_by_neither():
    host = fresh_host()
    host.register(NodesPlugin(make_registration("shared"), make_registration("only_a")), name="a")
    host.register(NodesPlugin(make_registration("shared")), name="b")
    host.register(NodesPlugin(make_registration("other")), name="c")

    reason_a = _failed(host, "a")
    reason_b = _failed(host, "b")

    assert "'shared'" in reason_a
    assert "plugin 'b'" in reason_a
    assert "'shared'" in reason_b
    assert "plugin 'a'" in reason_b
    assert host.find_registration("shared") is None
    assert host.find_registration("only_a") is None  # a failed plugin contributes nothing
    assert host.find_registration("other") is not None
    with pytest.raises(UnknownNodeTypeError, match=r"'shared'.*plugin 'a'"):
        host.registration("shared")


def test_plugin_claiming_a_builtin_type_makes_it_contested():
    host = fresh_host()
    host.register(NodesPlugin(make_registration("start")), name="impostor")

    assert "plugin 'core' (distribution 'jackfield')" in _failed(host, "impostor")
    assert "plugin 'impostor'" in _failed(host, "core")
    assert host.find_registration("start") is None


def test_same_type_twice_in_one_plugin_fails_it():
    host = fresh_host()
    host.register(NodesPlugin(make_registration("twin"), make_registration("twin")), name="p")
    assert "registered twice" in _failed(host, "p")


def test_spec_name_differing_from_type_name_fails_the_plugin():
    model = make_model("real_name")
    registration = NodeRegistration(
        type_name="other_name", data_model=model, node_spec=build_spec(model)
    )
    host = fresh_host()
    host.register(NodesPlugin(registration), name="mismatch")

    reason = _failed(host, "mismatch")

    assert "'other_name'" in reason
    assert "'real_name'" in reason
    assert host.find_registration("other_name") is None
    assert host.find_registration("real_name") is None


def test_sensitive_field_not_on_the_model_fails_the_plugin():
    host = fresh_host()
    registration = make_registration("leaky", sensitive_fields=("api_key", "token"))
    host.register(NodesPlugin(registration), name="leaky-plugin")

    assert "LeakyNode.token" in _failed(host, "leaky-plugin")


def test_loading_writes_nothing_onto_the_model_even_for_registration_only_secrets():
    registration = make_registration("quiet")
    model = registration.data_model
    before = dict(vars(model))
    host = fresh_host()
    host.register(NodesPlugin(registration), name="quiet-plugin")
    host.load()

    assert host.find_registration("quiet") is registration
    assert dict(vars(model)) == before
    assert model.sensitive_fields == ()
    assert host.sensitive_fields("quiet") == ("api_key",)


def test_example_that_does_not_validate_makes_the_node_unusable():
    model = make_model("bad_example", example={"name": "x", "api_key": "no"})  # min_length 4
    host = fresh_host()
    host.register(NodesPlugin(make_registration("bad_example", model=model)), name="p")

    assert "example-invalid" in _failed(host, "p")


def test_quality_lint_problems_are_reported_but_do_not_fail():
    model = make_model("no_examples", with_example=False)
    host = fresh_host()
    host.register(NodesPlugin(make_registration("no_examples", model=model)), name="p")

    info = host.plugin("p")
    assert info is not None
    assert info.status is PluginStatus.LOADED
    assert [(plugin, p.rule) for plugin, p in host.spec_problems()] == [("p", "examples-missing")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("tuner", "not str"),
        (make_registration("single"), "not NodeRegistration"),
        (42, "not int"),
        ([{"type_name": "dict"}], "returned a dict where a NodeRegistration was expected"),
    ],
)
def test_register_nodes_returning_the_wrong_shape_fails_the_plugin(value, expected):
    host = fresh_host()
    host.register(NodesPlugin(value=value), name="shape")
    assert expected in _failed(host, "shape")


def test_data_model_that_is_not_a_node_model_fails_the_plugin():
    good = make_registration("typed")
    registration = NodeRegistration(
        type_name="typed",
        data_model=dict,  # type: ignore[arg-type]
        node_spec=good.node_spec,
    )
    host = fresh_host()
    host.register(NodesPlugin(registration), name="p")
    assert "BaseNodeData subclass" in _failed(host, "p")


def test_unknown_hook_name_fails_the_plugin():
    class Typo:
        @hookimpl
        def jackfield_register_node(self):
            return []

    host = fresh_host()
    host.register(Typo(), name="typo")

    reason = _failed(host, "typo")
    assert "'jackfield_register_node', which is not a jackfield hook" in reason
    host.plugin_manager.check_pending()  # nothing left behind


def test_hook_argument_not_in_the_spec_fails_the_plugin():
    class WrongArgs:
        @hookimpl
        def jackfield_register_nodes(self, registry):
            return []

    host = fresh_host()
    host.register(WrongArgs(), name="wrong-args")
    assert "invalid hook implementation" in _failed(host, "wrong-args")


def test_hook_wrapper_fails_the_plugin():
    class Wrapper:
        @hookimpl(wrapper=True)
        def jackfield_register_nodes(self):
            return (yield)

    host = fresh_host()
    host.register(Wrapper(), name="wrapper")
    assert "hook wrapper" in _failed(host, "wrapper")


def test_optional_unknown_hook_is_allowed():
    class Optional:
        @hookimpl(optionalhook=True)
        def jackfield_future_hook(self):
            return None

    host = fresh_host()
    host.register(Optional(), name="future")
    info = host.plugin("future")
    assert info is not None
    assert info.status is PluginStatus.LOADED


def test_failed_plugin_is_unregistered_from_pluggy():
    host = fresh_host()
    host.register(RaisingPlugin(), name="broken")
    assert host.plugin_manager.get_plugin("broken") is None
    assert host.plugin_manager.get_plugin("core") is not None


def test_disabled_plugin_is_never_called():
    host = fresh_host(disabled_by_env=frozenset({"broken"}))
    host.register(RaisingPlugin(), name="broken")

    info = host.plugin("broken")

    assert info is not None
    assert info.status is PluginStatus.DISABLED
    assert info.reason == "disabled by JACKFIELD_DISABLE_PLUGINS"
    assert info.hooks == ()


def test_builtin_plugin_can_be_disabled_by_name():
    host = fresh_host(disabled_by_config=frozenset({"core"}))
    assert host.node_specs() == ()


def test_allow_list_does_not_apply_to_registered_plugins():
    host = fresh_host(allowed=frozenset())
    host.register(NodesPlugin(make_registration("kept")), name="registered")
    assert host.find_registration("kept") is not None


@pytest.mark.parametrize(
    ("plugin", "error"),
    [
        (RaisingPlugin(), PluginLoadError),
        (NodesPlugin(make_registration("x", sensitive_fields=("nope",))), RegistrationError),
        (NodesPlugin(make_registration("start")), DuplicateNameError),
    ],
)
def test_strict_mode_raises_the_first_problem(plugin, error):
    host = fresh_host(strict=True)
    host.register(plugin, name="offender")

    with pytest.raises(error) as caught:
        host.load()

    assert caught.value.plugin in {"offender", "core"}


def test_strict_mode_from_settings():
    host = fresh_host(strict=False)
    assert not host.strict
    from jackfield.host import PluginHost, PluginSettings

    strict_host = PluginHost(autoload=False, settings=PluginSettings(strict=True))
    strict_host.register(RaisingPlugin(), name="offender")
    with pytest.raises(PluginLoadError, match="plugin 'offender'"):
        strict_host.load()


def test_unreadable_config_is_reported_or_raised_in_strict_mode(caplog):
    from jackfield import ConfigError
    from jackfield.host import PluginHost, PluginSettings

    settings = PluginSettings(unreadable_config="config file /x.toml is not valid TOML")
    with caplog.at_level(logging.WARNING, logger="jackfield.host"):
        PluginHost(autoload=False, settings=settings).load()
    assert any("not valid TOML" in r.getMessage() for r in caplog.records)

    with pytest.raises(ConfigError, match="not valid TOML"):
        PluginHost(autoload=False, strict=True, settings=settings).load()

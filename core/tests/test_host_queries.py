"""Registry queries on a PluginHost: registrations, specs, the catalog, plugin reports."""

from __future__ import annotations

import json

import pytest
from host_plugins import NodesPlugin, RaisingPlugin, fresh_host, make_registration

from jackfield import SPEC_VERSION, UnknownNodeTypeError
from jackfield.host import NodeTypeRegistry, PluginHost, PluginStatus, default_host


def _host_with_two_types():
    host = fresh_host(builtins=False)
    zeta = make_registration("zeta")
    alpha = make_registration("alpha", sensitive_fields=())
    host.register(NodesPlugin(zeta, alpha), name="letters")
    return host, zeta, alpha


def test_lookups_by_type_return_the_registered_parts():
    host, zeta, _ = _host_with_two_types()

    assert host.find_registration("zeta") is zeta
    assert host.registration("zeta") is zeta
    assert host.data_model("zeta") is zeta.data_model
    assert host.node_spec("zeta") is zeta.node_spec
    assert host.sensitive_fields("zeta") == ("api_key",)
    assert host.sensitive_fields("alpha") == ()
    assert host.plugin_for_node_type("zeta") == "letters"


def test_unknown_type_lookups():
    host, _, _ = _host_with_two_types()

    assert host.find_registration("missing") is None
    assert host.plugin_for_node_type("missing") is None
    for query in (host.registration, host.data_model, host.node_spec, host.sensitive_fields):
        with pytest.raises(UnknownNodeTypeError, match="node type 'missing'") as caught:
            query("missing")
        assert isinstance(caught.value, KeyError)
        assert caught.value.node_type == "missing"
        assert caught.value.plugin is None


def test_unknown_type_error_names_the_failed_plugin_that_claimed_it():
    host = fresh_host()
    bad = make_registration("claimed", sensitive_fields=("nope",))
    host.register(NodesPlugin(bad), name="claimer")

    with pytest.raises(UnknownNodeTypeError) as caught:
        host.registration("claimed")

    assert caught.value.plugin == "claimer"
    assert "plugin 'claimer' provides it but is failed" in str(caught.value)


def test_host_is_a_node_type_registry():
    host, zeta, _ = _host_with_two_types()

    def lookup(registry: NodeTypeRegistry, name: str):
        return registry.find_registration(name)

    assert lookup(host, "zeta") is zeta


def test_node_specs_are_sorted_by_name_and_cached():
    host, _, _ = _host_with_two_types()

    specs = host.node_specs()

    assert [s.name for s in specs] == ["alpha", "zeta"]
    assert host.node_specs() is specs


def test_catalog_json_shape_and_stability():
    host, zeta, alpha = _host_with_two_types()

    raw = host.catalog_json()
    document = json.loads(raw)

    assert list(document) == ["spec_version", "node_types"]
    assert document["spec_version"] == SPEC_VERSION
    assert document["node_types"] == [
        alpha.node_spec.model_dump(mode="json"),
        zeta.node_spec.model_dump(mode="json"),
    ]
    assert host.catalog_json() is raw

    other, _, _ = _host_with_two_types()
    assert other.catalog_json() == raw


def test_catalog_json_mcp_projection():
    host, zeta, alpha = _host_with_two_types()

    document = json.loads(host.catalog_json(mcp=True))

    assert document == {
        "spec_version": SPEC_VERSION,
        "node_types": [alpha.node_spec.to_mcp_dict(), zeta.node_spec.to_mcp_dict()],
    }


def test_catalog_includes_builtin_types():
    host = fresh_host()
    names = [t["name"] for t in json.loads(host.catalog_json())["node_types"]]
    assert names == ["agent", "end", "start"]


def test_packages_lists_every_plugin_sorted_with_status():
    host = fresh_host(disabled_by_env=frozenset({"off"}))
    host.register(NodesPlugin(make_registration("b_type")), name="bravo")
    host.register(RaisingPlugin(), name="alpha")
    host.register(NodesPlugin(), name="off")

    infos = host.packages()

    assert [(i.name, i.status) for i in infos] == [
        ("alpha", PluginStatus.FAILED),
        ("bravo", PluginStatus.LOADED),
        ("core", PluginStatus.LOADED),
        ("off", PluginStatus.DISABLED),
    ]
    core = infos[2]
    assert core.distribution == "jackfield"
    assert core.module == "jackfield._host._builtin_plugin"
    assert core.load_ms is not None


def test_plugin_info_json_form():
    host = fresh_host()
    host.register(NodesPlugin(make_registration("x")), name="p", distribution="jf-p", version="2")
    info = host.plugin("p")
    assert info is not None

    data = info.to_json_dict()

    assert data["name"] == "p"
    assert data["distribution"] == "jf-p"
    assert data["version"] == "2"
    assert data["status"] == "loaded"
    assert data["reason"] is None
    assert data["hooks"] == ["jackfield_register_nodes"]
    assert data["node_types"] == ["x"]
    assert data["load_ms"] is None
    json.dumps(data)


def test_plugin_returns_none_for_unknown_names():
    assert fresh_host().plugin("nobody") is None


def test_known_names_do_not_load():
    host = fresh_host()
    host.register(RaisingPlugin(), name="lazy")
    assert host.known_names() == {"core", "lazy"}


def test_default_host_is_one_object_per_process(monkeypatch):
    monkeypatch.setenv("JACKFIELD_DISABLE_PLUGIN_AUTOLOAD", "1")
    default_host.cache_clear()
    try:
        first = default_host()
        assert isinstance(first, PluginHost)
        assert default_host() is first
    finally:
        default_host.cache_clear()

"""Entry-point discovery, with importlib_metadata faked (real wheels are tested in tests/)."""

from __future__ import annotations

import email.message
import logging

import importlib_metadata
import pytest
from host_plugins import NodesPlugin, make_registration
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

import jackfield._host._discovery as discovery
import jackfield._host._loading as loading
from jackfield import DuplicateNameError
from jackfield._host._discovery import ENTRY_POINT_GROUP, discover_plugins, requirement_admits
from jackfield._host._plugin_host import DEFAULT_PLUGINS
from jackfield.host import (
    RESERVED_PLUGIN_NAMES,
    RESERVED_PLUGIN_PREFIX,
    PluginHost,
    PluginSettings,
    PluginStatus,
    is_reserved_plugin_name,
)


class FakeDist:
    """A distribution whose METADATA is built in memory; counts metadata reads."""

    def __init__(self, name: str, version: str, requires: tuple[str, ...] = ()) -> None:
        self._fields = [("Name", name), ("Version", version)]
        self._fields += [("Requires-Dist", r) for r in requires]
        self.reads = 0

    @property
    def metadata(self) -> email.message.Message:
        self.reads += 1
        message = email.message.Message()
        for key, value in self._fields:
            message[key] = value
        return message


class FakeEntryPoint:
    """An entry point whose ``load`` returns a given object (or raises); counts loads."""

    def __init__(self, name: str, dist: FakeDist, plugin: object) -> None:
        self.name = name
        self.value = f"{name.replace('-', '_')}_plugin"
        self.group = ENTRY_POINT_GROUP
        self.dist = dist
        self.plugin = plugin
        self.loads = 0

    def load(self) -> object:
        self.loads += 1
        if isinstance(self.plugin, Exception):
            raise self.plugin
        return self.plugin


@pytest.fixture
def installed(monkeypatch):
    """Fake the installed entry points; returns the list to fill and the scan counter."""
    entry_points: list[FakeEntryPoint] = []
    scans: list[dict[str, str]] = []

    def fake_entry_points(**params: str) -> list[FakeEntryPoint]:
        scans.append(params)
        return [ep for ep in entry_points if ep.group == params.get("group")]

    monkeypatch.setattr(importlib_metadata, "entry_points", fake_entry_points)
    monkeypatch.setattr(loading, "jackfield_version", lambda: "1.2.0")
    discover_plugins.cache_clear()
    yield entry_points, scans
    discover_plugins.cache_clear()


def _plugin(name, dist_name=None, *, version="1.0", requires=(), types=None, plugin=None):
    dist = FakeDist(dist_name or f"jackfield-{name}", version, requires)
    obj = (
        plugin if plugin is not None else NodesPlugin(*(make_registration(t) for t in types or ()))
    )
    return FakeEntryPoint(name, dist, obj)


def _host(**settings):
    return PluginHost(settings=PluginSettings(**settings))


def test_installed_plugin_is_loaded_with_distribution_facts(installed):
    entry_points, _ = installed
    entry_points.append(_plugin("tuner", version="0.3.1", types=["tuner"]))

    info = _host().plugin("tuner")

    assert info is not None
    assert info.status is PluginStatus.LOADED
    assert (info.distribution, info.version, info.module) == (
        "jackfield-tuner",
        "0.3.1",
        "tuner_plugin",
    )
    assert info.node_types == ("tuner",)
    assert info.load_ms is not None
    assert info.load_ms >= 0


def test_one_scan_per_process_and_metadata_read_once(installed):
    entry_points, scans = installed
    ep = _plugin("tuner", types=["tuner"])
    entry_points.append(ep)

    _host().load()
    _host().load()

    assert scans == [{"group": ENTRY_POINT_GROUP}]
    assert ep.dist.reads == 1
    assert ep.loads == 2  # each host registers the (cached) module object itself


def test_discovery_imports_nothing(installed):
    entry_points, _ = installed
    ep = _plugin("tuner", types=["tuner"])
    entry_points.append(ep)

    found = discover_plugins()

    assert [p.name for p in found] == ["tuner"]
    assert ep.loads == 0
    assert ep.dist.reads == 0


def test_disabled_plugin_is_never_imported(installed):
    entry_points, _ = installed
    ep = _plugin("tuner", types=["tuner"])
    entry_points.append(ep)

    info = _host(disabled_by_config=frozenset({"tuner"}), config_path=None).plugin("tuner")

    assert info is not None
    assert info.status is PluginStatus.DISABLED
    assert info.distribution == "jackfield-tuner"
    assert ep.loads == 0


def test_allow_list_limits_installed_plugins(installed):
    entry_points, _ = installed
    kept, dropped = _plugin("kept", types=["kept"]), _plugin("dropped", types=["dropped"])
    entry_points += [kept, dropped]

    host = _host(allowed=frozenset({"kept"}))

    assert host.plugin("kept").status is PluginStatus.LOADED
    dropped_info = host.plugin("dropped")
    assert dropped_info.status is PluginStatus.DISABLED
    assert dropped_info.reason == "not in the JACKFIELD_PLUGINS allow-list"
    assert dropped.loads == 0
    assert host.plugin("core").status is PluginStatus.LOADED


def test_empty_allow_list_loads_no_installed_plugin(installed):
    entry_points, _ = installed
    entry_points.append(_plugin("tuner", types=["tuner"]))

    host = _host(allowed=frozenset())

    assert host.plugin("tuner").status is PluginStatus.DISABLED
    assert [s.name for s in host.node_specs()] == ["agent", "end", "start"]


def test_autoload_off_ignores_entry_points(installed):
    entry_points, scans = installed
    entry_points.append(_plugin("tuner", types=["tuner"]))

    host = PluginHost(autoload=False, settings=PluginSettings())

    assert host.plugin("tuner") is None
    assert scans == []


def test_import_error_fails_the_plugin_and_the_rest_loads(installed):
    entry_points, _ = installed
    entry_points += [
        _plugin("broken", plugin=ImportError("No module named 'missing_sdk'")),
        _plugin("fine", types=["fine"]),
    ]

    host = _host()

    broken = host.plugin("broken")
    assert broken.status is PluginStatus.FAILED
    assert broken.reason == "import failed: ImportError: No module named 'missing_sdk'"
    assert host.plugin("fine").status is PluginStatus.LOADED


def test_same_plugin_name_from_two_distributions_loads_neither(installed):
    entry_points, _ = installed
    one = _plugin("tuner", "jackfield-tuner", types=["tuner"])
    two = _plugin("tuner", "tuner-fork", types=["tuner"])
    entry_points += [one, two]

    infos = [i for i in _host().packages() if i.name == "tuner"]

    assert [i.distribution for i in infos] == ["jackfield-tuner", "tuner-fork"]
    for info in infos:
        assert info.status is PluginStatus.FAILED
        assert "'jackfield-tuner' and 'tuner-fork'" in info.reason
    assert one.loads == two.loads == 0


def test_installed_plugin_with_a_registered_plugins_name_loads_neither(installed):
    entry_points, _ = installed
    entry_points.append(_plugin("tuner", types=["tuner"]))
    host = _host()
    host.register(NodesPlugin(), name="tuner")

    statuses = [i.status for i in host.packages() if i.name == "tuner"]

    assert statuses == [PluginStatus.FAILED, PluginStatus.FAILED]


@pytest.mark.parametrize("name", [*sorted(RESERVED_PLUGIN_NAMES), "jackfield.completion"])
def test_an_installed_plugin_with_a_reserved_name_fails_and_core_keeps_serving(installed, name):
    entry_points, _ = installed
    shadow = _plugin(name, "jackfield-shadow", types=["shadow_node"])
    entry_points.append(shadow)
    host = _host()

    infos = {i.distribution: i for i in host.packages() if i.name in {name, "core"}}

    assert infos["jackfield-shadow"].status is PluginStatus.FAILED
    reason = infos["jackfield-shadow"].reason
    assert f"plugin name {name!r} of distribution 'jackfield-shadow' is reserved" in reason
    assert shadow.loads == 0
    assert infos["jackfield"].status is PluginStatus.LOADED
    assert {"start", "agent", "end"} <= set(infos["jackfield"].node_types)
    assert host.plugin("core").status is PluginStatus.LOADED
    assert host.plugin_for_node_type("start") == "core"
    assert host.find_registration("shadow_node") is None


def test_a_reserved_name_is_an_error_in_strict_mode(installed):
    entry_points, _ = installed
    entry_points.append(_plugin("core", "jackfield-shadow"))

    with pytest.raises(DuplicateNameError, match="is reserved"):
        PluginHost(settings=PluginSettings(), strict=True).load()


def test_reserved_names_are_the_builtin_plugins_and_the_hosts_own():
    assert {name for name, _ in DEFAULT_PLUGINS} <= RESERVED_PLUGIN_NAMES
    assert "jackfield" in RESERVED_PLUGIN_NAMES
    assert is_reserved_plugin_name("core")
    assert is_reserved_plugin_name(RESERVED_PLUGIN_PREFIX + "completion")
    assert not is_reserved_plugin_name("tuner")
    assert not is_reserved_plugin_name("core_extras")


@pytest.mark.parametrize(
    ("requires", "status"),
    [
        (("jackfield>=1.0,<2",), PluginStatus.LOADED),
        (("jackfield>=2.0",), PluginStatus.INCOMPATIBLE),
        (("Jackfield<1.0",), PluginStatus.INCOMPATIBLE),
        (("jackfield[test]>=9; extra == 'dev'",), PluginStatus.LOADED),
        (("jackfield-tools>=9",), PluginStatus.LOADED),
        (("pydantic>=2", "jackfield~=1.2"), PluginStatus.LOADED),
        (("jackfield==1.1.*",), PluginStatus.INCOMPATIBLE),
    ],
)
def test_requires_dist_on_jackfield_is_checked_before_import(installed, requires, status):
    entry_points, _ = installed
    ep = _plugin("tuner", requires=requires, types=["tuner"])
    entry_points.append(ep)

    info = _host().plugin("tuner")

    assert info.status is status
    if status is PluginStatus.INCOMPATIBLE:
        assert ep.loads == 0
        assert "but jackfield 1.2.0 is running" in info.reason
        assert info.distribution == "jackfield-tuner"


def test_unknown_names_in_settings_are_warned_about(installed, caplog):
    entry_points, _ = installed
    entry_points.append(_plugin("tuner", types=["tuner"]))

    with caplog.at_level(logging.WARNING, logger="jackfield.host"):
        host = _host(disabled_by_env=frozenset({"tunr"}), allowed=frozenset({"tuner", "extra"}))
        host.load()

    assert host.unknown_setting_names() == ("extra", "tunr")
    messages = [r.getMessage() for r in caplog.records]
    assert any("'tunr'" in m and "no installed plugin" in m for m in messages)


def test_requirement_admits_helper():
    assert requirement_admits(("jackfield>=1",), "1.0") is None
    assert requirement_admits(("jackfield>=1",), None) is None
    assert requirement_admits(("jackfield>=2", "jackfield<3"), "1.5") == ">=2"
    assert requirement_admits(("not a requirement !!",), "1.0") is None


def test_discovered_plugins_are_sorted_by_name(installed):
    entry_points, _ = installed
    entry_points += [_plugin("zeta"), _plugin("alpha")]
    assert [p.name for p in discovery.discover_plugins()] == ["alpha", "zeta"]


_releases = st.lists(st.integers(0, 12), min_size=1, max_size=4).map(
    lambda parts: ".".join(map(str, parts))
)
_clauses = st.tuples(st.sampled_from([">=", "<=", "==", "!=", "<", ">"]), _releases).map("".join)


@given(
    clauses=st.lists(_clauses, min_size=1, max_size=3),
    running=_releases,
    old_style=st.booleans(),
)
def test_plain_requirements_agree_with_packaging(clauses, running, old_style):
    spec = ",".join(clauses)
    line = f"jackfield ({spec})" if old_style else f"jackfield{spec}"

    verdict = requirement_admits((line,), running)

    assert (verdict is None) == SpecifierSet(spec).contains(running, prereleases=True)


@pytest.mark.parametrize(
    ("line", "running", "admitted"),
    [
        ("jackfield>=1.0rc1", "1.0", True),
        ("jackfield<1.0", "1.0rc1", False),  # PEP 440: <V excludes pre-releases of V
        ("jackfield>=1.0", "1.0.dev3", False),
        ("jackfield==1.*", "1.4.2", True),
        ("jackfield===1.0", "1.0", True),
        ("jackfield>=1 ; python_version >= '3'", "0.5", False),
    ],
)
def test_other_requirement_forms_are_read_with_packaging(line, running, admitted):
    assert (requirement_admits((line,), running) is None) is admitted

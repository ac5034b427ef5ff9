"""Plugins installed as real wheels are discovered, listed, disabled and diagnosed.

Each test drives the ``jackfield`` command of an environment built from wheels
(see ``conftest.py``): nothing here imports jackfield in the test process.
"""

from __future__ import annotations

import tomllib

from _jackfield_cli import Jackfield

SAMPLE_TYPE = "sample_tagger"
INCOMPATIBLE_TYPE = "incompatible_future"
CONVERSATION_TYPES = {"start", "agent", "end"}
STATUSES = {"loaded", "disabled", "failed", "incompatible"}
ENTRY_KEYS = {
    "name",
    "distribution",
    "version",
    "status",
    "reason",
    "hooks",
    "node_types",
    "load_ms",
}


def test_every_listed_plugin_has_the_documented_fields(mixed: Jackfield):
    plugins = mixed.plugins()

    assert {"sample", "broken", "incompatible"} <= plugins.keys()
    for name, entry in plugins.items():
        assert entry.keys() >= ENTRY_KEYS, name
        assert entry["status"] in STATUSES, name
        assert isinstance(entry["hooks"], list), name
        assert isinstance(entry["node_types"], list), name


def test_sample_plugin_is_loaded_from_its_wheel(mixed: Jackfield):
    sample = mixed.plugins()["sample"]

    assert sample["distribution"] == "jackfield-sample"
    assert sample["version"] == "1.2.0"
    assert sample["status"] == "loaded"
    assert not sample["reason"]
    assert "jackfield_register_nodes" in sample["hooks"]
    assert sample["node_types"] == [SAMPLE_TYPE]
    assert sample["load_ms"] >= 0


def test_builtin_plugin_provides_the_conversation_nodes(mixed: Jackfield):
    builtin = [p for p in mixed.plugins().values() if p["distribution"] == "jackfield"]

    assert len(builtin) == 1
    assert builtin[0]["status"] == "loaded"
    assert set(builtin[0]["node_types"]) >= CONVERSATION_TYPES


def test_plugins_show_matches_the_listing(mixed: Jackfield):
    listed = mixed.plugins()

    for name in ("sample", "broken", "incompatible"):
        shown = mixed.json("plugins", "show", name, "--json")
        # Import times differ from one process to the next; everything else must not.
        assert {**shown, "load_ms": None} == {**listed[name], "load_ms": None}


def test_plugins_show_unknown_name_fails(mixed: Jackfield):
    result = mixed.run("plugins", "show", "no-such-plugin", "--json")

    assert result.returncode != 0
    assert "no-such-plugin" in result.stdout + result.stderr


def test_catalog_holds_sample_and_builtin_nodes_only(mixed: Jackfield):
    version = mixed.venv.run("python", "-c", "import jackfield; print(jackfield.SPEC_VERSION)")
    catalog = mixed.json("node-types")

    assert catalog["spec_version"] == version.stdout.strip()
    names = [spec["name"] for spec in catalog["node_types"]]
    assert len(names) == len(set(names))
    assert set(names) >= CONVERSATION_TYPES | {SAMPLE_TYPE}
    assert INCOMPATIBLE_TYPE not in names


def test_sample_spec_is_derived_from_its_model(mixed: Jackfield):
    catalog = mixed.json("node-types")
    (spec,) = [s for s in catalog["node_types"] if s["name"] == SAMPLE_TYPE]
    properties = {p["name"]: p for p in spec["properties"]}

    assert spec["category"] == "integration"
    assert {"name", "enabled", "api_key", "endpoint", "mode", "sample_rate"} <= properties.keys()
    assert properties["mode"]["type"] == "options"
    assert [o["value"] for o in properties["mode"]["options"]] == ["all", "sampled"]
    assert properties["sample_rate"]["max_value"] == 1.0
    assert len(spec["examples"]) == 2


def test_broken_plugin_is_reported_failed(mixed: Jackfield):
    broken = mixed.plugins()["broken"]

    assert broken["distribution"] == "jackfield-broken"
    assert broken["status"] == "failed"
    assert "jackfield_broken_missing_client" in broken["reason"]  # says why
    assert broken["node_types"] == []


def test_incompatible_plugin_is_reported_and_not_loaded(mixed: Jackfield):
    incompatible = mixed.plugins()["incompatible"]

    assert incompatible["distribution"] == "jackfield-incompatible"
    assert incompatible["version"] == "2.0.0"
    assert incompatible["status"] == "incompatible"
    assert "jackfield" in incompatible["reason"]
    assert incompatible["node_types"] == []


def test_doctor_fails_naming_each_faulty_plugin(mixed: Jackfield):
    result = mixed.run("doctor")

    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "jackfield-broken" in output
    assert "jackfield-incompatible" in output


def test_doctor_passes_when_faulty_plugins_are_disabled(mixed: Jackfield):
    env = {"JACKFIELD_DISABLE_PLUGINS": "broken,incompatible"}

    result = mixed.run("doctor", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    plugins = mixed.plugins(env=env)
    assert plugins["broken"]["status"] == "disabled"
    assert plugins["incompatible"]["status"] == "disabled"
    assert plugins["sample"]["status"] == "loaded"


def test_disable_by_environment_variable_without_uninstalling(mixed: Jackfield):
    env = {"JACKFIELD_DISABLE_PLUGINS": "sample"}

    assert mixed.plugins(env=env)["sample"]["status"] == "disabled"
    assert SAMPLE_TYPE not in mixed.node_type_names(env=env)
    assert SAMPLE_TYPE in mixed.node_type_names()


def test_allow_list_loads_only_the_named_plugins(mixed: Jackfield):
    env = {"JACKFIELD_PLUGINS": "sample"}

    plugins = mixed.plugins(env=env)

    assert plugins["sample"]["status"] == "loaded"
    assert plugins["broken"]["status"] == "disabled"
    assert plugins["incompatible"]["status"] == "disabled"
    assert SAMPLE_TYPE in mixed.node_type_names(env=env)


def test_disable_and_enable_commands_edit_the_config_file(mixed: Jackfield):
    mixed.ok("plugins", "disable", "sample")

    assert mixed.config.is_file()
    tomllib.loads(mixed.config.read_text("utf-8"))
    assert mixed.plugins()["sample"]["status"] == "disabled"
    assert SAMPLE_TYPE not in mixed.node_type_names()
    metadata = mixed.venv.run(  # still installed
        "python", "-c", "import importlib.metadata as m; print(m.version('jackfield-sample'))"
    )
    assert metadata.stdout.strip() == "1.2.0"

    mixed.ok("plugins", "enable", "sample")

    assert mixed.plugins()["sample"]["status"] == "loaded"
    assert SAMPLE_TYPE in mixed.node_type_names()


def test_uninstalled_plugin_is_gone(sample_only: Jackfield):
    assert sample_only.plugins()["sample"]["status"] == "loaded"
    assert SAMPLE_TYPE in sample_only.node_type_names()

    sample_only.venv.uninstall("jackfield-sample")

    assert "sample" not in sample_only.plugins()
    names = sample_only.node_type_names()
    assert SAMPLE_TYPE not in names
    assert names >= CONVERSATION_TYPES
    result = sample_only.run("doctor")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_installed_plugin_named_core_is_reported_and_the_builtin_keeps_serving(
    shadowed: Jackfield,
):
    listing = shadowed.json("plugins", "list", "--json")
    cores = {entry["distribution"]: entry for entry in listing if entry["name"] == "core"}

    assert cores.keys() == {"jackfield", "jackfield-shadow"}
    shadow = cores["jackfield-shadow"]
    assert shadow["status"] == "failed"
    assert "jackfield-shadow" in shadow["reason"]
    assert "reserved" in shadow["reason"]  # not an import failure: it is never imported
    assert shadow["node_types"] == []
    assert cores["jackfield"]["status"] == "loaded"
    assert set(cores["jackfield"]["node_types"]) >= CONVERSATION_TYPES
    assert shadowed.node_type_names() >= CONVERSATION_TYPES | {SAMPLE_TYPE}
    assert shadowed.json("plugins", "show", "core", "--json")["distribution"] == "jackfield"


def test_doctor_reports_the_reserved_name_with_its_distribution(shadowed: Jackfield):
    result = shadowed.run("doctor")

    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if "jackfield-shadow" in line]
    assert len(lines) == 1, result.stdout + result.stderr
    assert lines[0].startswith("FAILED")
    assert "plugin name 'core' of distribution 'jackfield-shadow' is reserved" in lines[0]
    assert "1 problem(s)" in result.stdout

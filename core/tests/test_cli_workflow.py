"""``jackfield workflow validate`` and ``jackfield workflow mask``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from workflow_nodes import TunerNode, WebhookNode, make_registry, registration, sample_definition

from jackfield import hookimpl
from jackfield._cli import main
from jackfield._host._settings import PluginSettings
from jackfield.host import HostFactory, PluginHost, mask_definition

SECRETS = ["tk_live0123456789", "ws_secretworkspace", "key-alpha-11111", "hunter2hunter2"]


@pytest.fixture
def definition_file(tmp_path):
    path = tmp_path / "workflow.json"
    path.write_text(sample_definition().to_json(), encoding="utf-8")
    return path


class _RegistrationsPlugin:
    def __init__(self, registrations):
        self.registrations = list(registrations)

    @hookimpl
    def jackfield_register_nodes(self):
        return self.registrations


def _invoke(args, registry):
    """Run ``jackfield workflow ARGS`` with a host serving ``registry``'s node types."""
    if isinstance(registry, PluginHost):
        host = registry
    else:
        host = PluginHost(autoload=False, builtins=False, settings=PluginSettings(autoload=False))
        host.register(_RegistrationsPlugin(registry.registrations.values()), name="acme")
    factory = HostFactory(lambda strict: host)
    return CliRunner().invoke(main, ["workflow", *map(str, args)], obj=factory)


def test_validate_a_valid_file_exits_0(definition_file):
    result = _invoke(["validate", definition_file, "--mode", "run"], make_registry())

    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("no problems")


def test_validate_prints_every_problem_and_exits_1(tmp_path):
    document = sample_definition().to_dict()
    document["nodes"][3]["data"]["api_key"] = "short"
    document["nodes"].append({"id": "x", "type": "crm_sync"})
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    result = _invoke(["validate", path], make_registry())

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("error: node 't' [api_key]: Tuner node 't' field 'api_key'")
    assert lines[1].startswith("warning: node 'x': Node 'x': no loaded plugin provides")
    assert lines[-1].endswith("2 problem(s), 1 error(s), 1 warning(s)")
    assert "short" not in result.output


def test_validate_json_output_is_stable_and_complete(tmp_path):
    masked = mask_definition(sample_definition(), make_registry())
    path = tmp_path / "masked.json"
    path.write_text(masked.to_json(), encoding="utf-8")

    result = _invoke(["validate", path, "--mode", "run", "--json"], make_registry())

    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False
    assert report["file"] == str(path)
    codes = {(p["id"], p["field"], p["code"]) for p in report["problems"]}
    assert ("t", "api_key", "masked_value") in codes
    assert set(report["problems"][0]) == {"kind", "id", "field", "message", "code", "severity"}


def test_validate_a_file_that_is_not_json_exits_1_with_the_problem(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{nodes: oops", encoding="utf-8")

    result = _invoke(["validate", path, "--json"], make_registry())

    assert result.exit_code == 1
    assert [p["code"] for p in json.loads(result.output)["problems"]] == ["invalid_json"]


def test_validate_a_missing_file_exits_2(tmp_path):
    result = _invoke(["validate", tmp_path / "absent.json"], make_registry())

    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_mask_prints_the_masked_definition(definition_file):
    result = _invoke(["mask", definition_file], make_registry())

    assert result.exit_code == 0
    masked = json.loads(result.output)
    assert masked["nodes"][3]["data"]["api_key"] == "****6789"
    assert masked["nodes"][4]["data"]["signing_keys"] == ["****1111", "****2222", "****3333"]
    assert all(secret not in result.output for secret in SECRETS)


def test_mask_of_an_invalid_definition_exits_2_without_echoing_it(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"nodes": [{"data": {"api_key": SECRETS[0]}}]}), encoding="utf-8")

    result = _invoke(["mask", path], make_registry())

    assert result.exit_code == 2
    assert SECRETS[0] not in result.output
    assert "node #0" in result.stderr


class _AcmePlugin:
    @hookimpl
    def jackfield_register_nodes(self):
        return [
            registration(TunerNode, "api_key", "workspace_token"),
            registration(WebhookNode, "signing_keys", "password"),
        ]


def _conversation_with_tuner() -> dict:
    return {
        "nodes": [
            {"id": "s", "type": "start", "data": {"name": "Open", "prompt": "Greet."}},
            {"id": "a", "type": "agent", "data": {"name": "Help", "prompt": "Help."}},
            {"id": "e", "type": "end", "data": {"name": "Bye", "prompt": "Say goodbye."}},
            sample_definition().to_dict()["nodes"][3],
        ],
        "edges": [
            {"id": "e1", "source": "s", "target": "a", "data": {"label": "go", "condition": "x"}},
            {"id": "e2", "source": "a", "target": "e", "data": {"label": "end", "condition": "y"}},
        ],
    }


def test_validate_through_a_real_plugin_host(tmp_path):
    host = PluginHost(autoload=False, settings=PluginSettings(autoload=False))
    host.register(_AcmePlugin(), name="acme")
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(_conversation_with_tuner()), encoding="utf-8")

    result = _invoke(["validate", path, "--mode", "run"], host)

    assert result.exit_code == 0, result.output


def test_a_disabled_plugin_is_named_with_how_to_enable_it(tmp_path):
    loaded = PluginHost(autoload=False, settings=PluginSettings(autoload=False))
    loaded.register(_AcmePlugin(), name="acme")
    from jackfield.host import WorkflowDefinition, record_node_types

    saved = record_node_types(WorkflowDefinition.from_dict(_conversation_with_tuner()), loaded)
    path = tmp_path / "workflow.json"
    path.write_text(saved.to_json(), encoding="utf-8")
    disabled = PluginHost(
        autoload=False,
        settings=PluginSettings(autoload=False, disabled_by_env=frozenset({"acme"})),
    )
    disabled.register(_AcmePlugin(), name="acme")

    result = _invoke(["validate", path], disabled)
    masked = _invoke(["mask", path], disabled)

    assert result.exit_code == 1
    assert "plugin 'acme', which is disabled" in result.output
    assert "jackfield plugins enable acme" in result.output
    assert "tk_live0123456789" not in masked.output
    assert json.loads(masked.output)["nodes"][3]["data"]["api_key"] == "****6789"


def test_the_command_uses_the_process_plugin_host(tmp_path):
    path = tmp_path / "workflow.json"
    document = _conversation_with_tuner()
    document["nodes"] = document["nodes"][:3]
    path.write_text(json.dumps(document), encoding="utf-8")
    env = {
        **os.environ,
        "JACKFIELD_DISABLE_PLUGIN_AUTOLOAD": "1",
        "JACKFIELD_CONFIG": str(tmp_path / "absent.toml"),
    }
    command = [sys.executable, "-c", "from jackfield._cli import main; main()"]

    ok = subprocess.run(
        [*command, "workflow", "validate", str(path), "--mode", "run"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    document["nodes"][2]["type"] = "hangup"
    path.write_text(json.dumps(document), encoding="utf-8")
    bad = subprocess.run(
        [*command, "workflow", "validate", str(path), "--mode", "run", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert bad.returncode == 1
    assert "unknown_node_type" in {p["code"] for p in json.loads(bad.stdout)["problems"]}

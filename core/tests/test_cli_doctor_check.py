"""``jackfield doctor --check WORKFLOW.json``: the check hook for every integration node."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from host_plugins import make_registration

from jackfield import CheckCode, CheckResult, hookimpl
from jackfield._cli import main
from jackfield._cli._plugins import HostFactory
from jackfield.host import PluginHost, PluginSettings

SECRET = "sk-live-DOCTOR-CHECK-5150"


class KeyCheckPlugin:
    """Owns ``export``: the check accepts only SECRET; ``plain`` has no check."""

    @hookimpl
    def jackfield_register_nodes(self):
        return [make_registration("export")]

    @hookimpl
    def jackfield_check_node(self, node_type, data, context):
        if data.api_key == SECRET:
            return CheckResult(detail={"latency_ms": 1})
        return CheckResult.failed(
            "api_key", f"key {data.api_key} refused", code=CheckCode.INVALID_CREDENTIAL
        )


class PlainPlugin:
    @hookimpl
    def jackfield_register_nodes(self):
        return [make_registration("plain")]


def _factory() -> HostFactory:
    def make(strict: bool | None) -> PluginHost:
        host = PluginHost(autoload=False, strict=strict, settings=PluginSettings())
        host.register(KeyCheckPlugin(), name="exporter")
        host.register(PlainPlugin(), name="plain")
        return host

    return HostFactory(make)


def _workflow(tmp_path: Path, *nodes: dict[str, Any]) -> Path:
    definition = {
        "nodes": [
            {"id": "greet", "type": "start", "data": {"name": "Greet", "prompt": "Hello."}},
            *nodes,
        ],
        "edges": [],
    }
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    return path


def _node(node_id: str, api_key: str, type_name: str = "export", **data: Any) -> dict[str, Any]:
    return {"id": node_id, "type": type_name, "data": {"name": node_id, "api_key": api_key, **data}}


def _run(*args: str):
    return CliRunner().invoke(main, ["doctor", *args], obj=_factory())


def test_every_integration_node_is_checked_and_reported(tmp_path):
    path = _workflow(tmp_path, _node("a", SECRET), _node("p", SECRET, "plain"))
    result = _run("--check", str(path))
    assert result.exit_code == 0, result.output
    assert "CHECK OK     a (export)" in result.output
    assert "SKIPPED      p (plain): plugin 'plain' has no check" in result.output
    assert "greet" not in result.output  # jackfield's own nodes are not checked
    assert "2 integration node(s)" in result.output


def test_a_failed_check_exits_1_and_names_the_field_not_the_secret(tmp_path):
    wrong = "sk-live-WRONG-KEY-0000"
    path = _workflow(
        tmp_path, _node("a", SECRET), _node("b", wrong), _node("off", wrong, enabled=False)
    )
    result = _run("--check", str(path))
    assert result.exit_code == 1
    assert "CHECK FAILED b (export)" in result.output
    assert "api_key: key [secret] refused [invalid_credential]" in result.output
    assert "SKIPPED      off (export): disabled" in result.output
    assert wrong not in result.output
    assert "1 check(s) failed" in result.output


def test_invalid_node_data_and_unknown_types_fail(tmp_path):
    path = _workflow(tmp_path, _node("short", "xy"), _node("u", SECRET, "nope"))
    result = _run("--check", str(path))
    assert result.exit_code == 1
    assert "[invalid]" in result.output
    assert "[unknown_node_type]" in result.output


def test_a_file_that_is_not_a_workflow_is_bad_input(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    assert _run("--check", str(path)).exit_code == 2
    assert _run("--check", str(tmp_path / "missing.json")).exit_code == 2


def test_doctor_without_check_is_unchanged(tmp_path):
    result = _run()
    assert result.exit_code == 0, result.output
    assert "CHECK" not in result.output

"""``jackfield specs diff``: exit codes, readable and JSON output, bad input files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from jackfield import SPEC_VERSION
from jackfield._cli import main


def node(name: str = "tuner", **changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": name,
        "display_name": "Tuner",
        "description": "Exports every finished call to Tuner for analysis.",
        "category": "integration",
        "properties": [
            {
                "name": "agent_id",
                "type": "string",
                "display_name": "Agent ID",
                "description": "Tuner agent that receives the calls.",
                "required": True,
            },
            {
                "name": "region",
                "type": "options",
                "display_name": "Region",
                "description": "Tuner data region.",
                "options": [{"value": "eu", "label": "EU"}, {"value": "us", "label": "US"}],
            },
        ],
    }
    spec.update(changes)
    return spec


def write_catalog(path: Path, *nodes: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"spec_version": SPEC_VERSION, "node_types": list(nodes)}))
    return path


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(main, ["specs", "diff", *map(str, args)])


def test_identical_catalogs_exit_zero(tmp_path):
    old = write_catalog(tmp_path / "old.json", node())
    new = write_catalog(tmp_path / "new.json", node())
    result = run(old, new)
    assert result.exit_code == 0, result.output
    assert result.output == "No changes.\n"


def test_compatible_changes_exit_zero_and_are_listed(tmp_path):
    old = write_catalog(tmp_path / "old.json", node())
    new = write_catalog(tmp_path / "new.json", node(), node("billing"))
    result = run(old, new)
    assert result.exit_code == 0, result.output
    assert "Compatible change (1):" in result.output
    assert "node type 'billing' was added" in result.output
    assert "Breaking" not in result.output


def test_breaking_changes_exit_one_and_are_listed_first(tmp_path):
    changed = node()
    changed["properties"][1]["options"].pop()
    changed["display_name"] = "Tuner export"
    old = write_catalog(tmp_path / "old.json", node())
    new = write_catalog(tmp_path / "new.json", changed)
    result = run(old, new)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Breaking change (1):"
    assert 'option "us" was removed' in lines[1]
    assert "[option-removed]" in lines[1]
    assert "Compatible change (1):" in lines
    assert "display_name changed" in result.output


def test_json_output(tmp_path):
    old = write_catalog(tmp_path / "old.json", node(), node("billing"))
    new = write_catalog(tmp_path / "new.json", node())
    result = run(old, new, "--json")
    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "breaking": True,
        "changes": [
            {
                "kind": "breaking",
                "node_type": "billing",
                "path": "",
                "code": "node-type-removed",
                "message": "node type 'billing' was removed",
            }
        ],
    }


def test_json_output_without_changes(tmp_path):
    old = write_catalog(tmp_path / "old.json", node())
    result = run(old, old, "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"breaking": False, "changes": []}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "is not valid JSON (line 1, column 2)"),
        ("42", "is not a node catalog"),
        ('{"spec_version": "1.0"}', "'node_types' list"),
        (json.dumps({"node_types": [{"name": "tuner"}]}), "node_types[0] ('tuner')"),
    ],
)
def test_invalid_file_exits_two_naming_it(tmp_path, content, fragment):
    good = write_catalog(tmp_path / "good.json", node())
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = run(good, bad)
    assert result.exit_code == 2
    assert f"Error: {bad}" in result.output
    assert fragment in result.output


def test_missing_file_exits_two_naming_it(tmp_path):
    good = write_catalog(tmp_path / "good.json", node())
    missing = tmp_path / "missing.json"
    result = run(missing, good)
    assert result.exit_code == 2
    assert f"cannot read {missing}" in result.output


def test_non_utf8_file_exits_two(tmp_path):
    good = write_catalog(tmp_path / "good.json", node())
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"node_types": ["\xe9"]}')
    result = run(bad, good)
    assert result.exit_code == 2
    assert "not UTF-8" in result.output


def test_help_describes_exit_codes():
    result = CliRunner().invoke(main, ["specs", "diff", "--help"])
    assert result.exit_code == 0
    assert "Exits 1 if any change is" in result.output

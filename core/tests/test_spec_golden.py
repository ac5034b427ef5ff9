"""The full spec of a realistic integration node, pinned byte for byte.

After an intended change, regenerate the files with
``JACKFIELD_REGEN_GOLDEN=1 pytest core/tests/test_spec_golden.py`` and review
the diff of ``core/tests/golden/``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import sample_nodes

from jackfield import NodeSpec, build_spec

GOLDEN = Path(__file__).parent / "golden"


def _check_golden(file_name: str, data: Any) -> None:
    path = GOLDEN / file_name
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("JACKFIELD_REGEN_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"regenerated {file_name}")
    assert path.read_text(encoding="utf-8") == text, (
        f"{file_name} differs from the built spec; if the change is intended, "
        "rerun with JACKFIELD_REGEN_GOLDEN=1 and review the diff"
    )


def test_full_spec_matches_golden_file():
    spec = build_spec(sample_nodes.CallInsightsExportNode)
    _check_golden("call_insights_export.spec.json", spec.model_dump(mode="json"))


def test_mcp_projection_matches_golden_file():
    spec = build_spec(sample_nodes.CallInsightsExportNode)
    _check_golden("call_insights_export.mcp.json", spec.to_mcp_dict())


def test_golden_spec_file_is_a_valid_node_spec():
    text = (GOLDEN / "call_insights_export.spec.json").read_text(encoding="utf-8")
    spec = NodeSpec.model_validate_json(text)
    assert spec == build_spec(sample_nodes.CallInsightsExportNode)


def test_sample_examples_validate_against_the_model():
    spec = build_spec(sample_nodes.CallInsightsExportNode)
    assert len(spec.examples) == 2
    for example in spec.examples:
        sample_nodes.CallInsightsExportNode.model_validate(example.data)


def test_registration_uses_the_spec_name():
    registration = sample_nodes.CALL_INSIGHTS_REGISTRATION
    assert registration.type_name == registration.node_spec.name == "call_insights_export"
    assert registration.sensitive_fields == ("api_key",)

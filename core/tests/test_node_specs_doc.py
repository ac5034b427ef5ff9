"""docs/node-specs.md shows real output: its example is run and compared."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "node-specs.md"


def _blocks(language: str) -> list[str]:
    if not DOC.is_file():
        pytest.skip("docs/node-specs.md is not part of this checkout")
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_documented_spec_is_what_build_spec_returns():
    namespace: dict[str, object] = {"__name__": "node_specs_doc_example"}
    code = compile(_blocks("python")[0], str(DOC), "exec", dont_inherit=True)
    exec(code, namespace)
    spec = namespace["SPEC"]
    full, transcript = (json.loads(block) for block in _blocks("json")[:2])
    assert spec.model_dump(mode="json", exclude_none=True) == full
    lean = spec.to_mcp_dict()
    assert next(p for p in lean["properties"] if p["name"] == "transcript") == transcript

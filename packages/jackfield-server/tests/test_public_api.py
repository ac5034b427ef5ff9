"""The public surface of jackfield_server: small, documented, and named in the docs."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import jackfield_server

_PACKAGE = Path(__file__).resolve().parents[1]
_DOCS = (_PACKAGE / "README.md", _PACKAGE.parents[1] / "docs" / "operators.md")


def _documentation() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in _DOCS if path.is_file())


@pytest.mark.parametrize("name", sorted(jackfield_server.__all__))
def test_each_public_name_has_a_docstring(name: str):
    value = getattr(jackfield_server, name)
    assert (inspect.getdoc(value) or "").strip(), f"{name} has no docstring"


@pytest.mark.parametrize("name", sorted(jackfield_server.__all__))
def test_each_public_name_is_in_the_readme_or_the_operator_guide(name: str):
    assert re.search(rf"`{re.escape(name)}\b", _documentation()), (
        f"{name} is public but neither the server README nor docs/operators.md mentions it"
    )


def test_the_public_names_are_exactly_what_the_module_exports():
    exported = {
        name
        for name, value in vars(jackfield_server).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert exported == set(jackfield_server.__all__)
    assert len(jackfield_server.__all__) <= 20

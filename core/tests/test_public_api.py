"""The public namespaces: each exported name is documented, and nothing else is exported."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

import jackfield
import jackfield.host
import jackfield.http

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
NAMESPACES = {
    "jackfield": jackfield,
    "jackfield.host": jackfield.host,
    "jackfield.http": jackfield.http,
}


@pytest.fixture(scope="module")
def api_sections() -> dict[str, str]:
    if not API_DOC.exists():
        pytest.skip("docs/ is not part of this checkout (sdist)")
    text = API_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## `([a-z_.]+)`$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _listed(section: str) -> set[str]:
    return set(re.findall(r"^\| `([A-Za-z_][A-Za-z0-9_]*)` \|", section, flags=re.M))


@pytest.mark.parametrize("name", sorted(NAMESPACES))
def test_api_doc_lists_exactly_the_namespace(api_sections, name):
    exported = set(NAMESPACES[name].__all__)
    listed = _listed(api_sections.get(name, ""))
    assert exported - listed == set(), f"exported from {name} but not in docs/api.md"
    assert listed - exported == set(), f"in docs/api.md under {name} but not exported"


@pytest.mark.parametrize("name", sorted(NAMESPACES))
def test_every_exported_name_exists(name):
    module: ModuleType = NAMESPACES[name]
    assert len(set(module.__all__)) == len(module.__all__)
    for export in module.__all__:
        assert hasattr(module, export), f"{name}.__all__ names {export!r}, which is missing"


@pytest.mark.parametrize(
    ("one", "other"), [(a, b) for a in sorted(NAMESPACES) for b in sorted(NAMESPACES) if a < b]
)
def test_the_namespaces_do_not_overlap(one, other):
    assert set(NAMESPACES[one].__all__) & set(NAMESPACES[other].__all__) == set()


@pytest.mark.parametrize(
    ("namespace", "export"),
    [(n, e) for n, m in sorted(NAMESPACES.items()) for e in m.__all__],
)
def test_every_exported_class_and_function_has_a_docstring(namespace, export):
    value = getattr(NAMESPACES[namespace], export)
    if inspect.isclass(value) or inspect.isfunction(value):
        assert inspect.getdoc(value), f"{namespace}.{export} has no docstring"


def test_private_modules_stay_private():
    public = {n for n in dir(jackfield) if not n.startswith("_")}
    modules = {n for n in public if isinstance(getattr(jackfield, n), ModuleType)}
    assert modules <= {"host", "hookspecs", "http"}, modules

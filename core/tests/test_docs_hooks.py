"""Every hook is documented in docs/authoring.md with its exact signature."""

from __future__ import annotations

from pathlib import Path

import pluggy
import pytest

from jackfield import hookspecs

AUTHORING = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"


def _hook_signatures() -> list[str]:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    signatures = []
    for name, caller in sorted(vars(pm.hook).items()):
        if not name.startswith("_"):
            signatures.append(f"{name}({', '.join(caller.spec.argnames)})")
    return signatures


@pytest.fixture(scope="module")
def authoring() -> str:
    if not AUTHORING.exists():
        pytest.skip("docs/ is not part of this checkout (sdist)")
    return AUTHORING.read_text(encoding="utf-8")


def test_there_are_hooks_to_document():
    assert len(_hook_signatures()) == 5


@pytest.mark.parametrize("signature", _hook_signatures())
def test_hook_is_in_the_hooks_reference(authoring, signature):
    reference = authoring.split("## Hooks reference", 1)
    assert len(reference) == 2, "docs/authoring.md has no 'Hooks reference' section"
    assert f"### `{signature}`" in reference[1]

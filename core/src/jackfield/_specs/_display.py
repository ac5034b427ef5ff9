"""Evaluating a property's display options, and the shared golden cases for it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import Enum
from importlib import resources
from typing import Any, Final

from jackfield._specs._node_spec import DisplayOptions

__all__ = ["display_options_cases", "evaluate_display_options"]

_CASES_FILE: Final = "data/display_options_cases.json"


def evaluate_display_options(
    rules: DisplayOptions | Mapping[str, Any] | None, values: Mapping[str, Any]
) -> bool:
    """Return whether a property with these display rules is visible.

    :param rules: the property's ``display_options``: a
        :class:`~jackfield.DisplayOptions`, the same as a dict
        (``{"show": {...}, "hide": {...}}``), or ``None``.
    :param values: the node's current values by property name, as JSON data.
        Fill in defaults before calling: this function does not know them.

    The rules:

    * no rules, or empty ``show`` and ``hide``: visible;
    * ``show``: visible only if *every* listed field matches one of its values;
    * ``hide``: hidden if *any* listed field matches one of its values;
    * both given: hidden if ``hide`` matches, else as ``show`` says.

    A field *matches* a list of values when its value equals one of them with
    JSON semantics: ``1`` equals ``1.0``, but ``true`` never equals ``1`` and
    ``"1"`` never equals ``1``. A field missing from ``values`` counts as
    ``null``, so it matches only a listed ``None``. A list value (a
    ``multi_options`` field) matches when any of its items does; an empty list
    matches nothing, not even ``None``. An empty list of values matches nothing.
    Enum members are compared by their value.

    :raises pydantic.ValidationError: ``rules`` is a dict that is not valid
        display options.
    """
    if rules is None:
        return True
    parsed = rules if isinstance(rules, DisplayOptions) else DisplayOptions.model_validate(rules)
    if parsed.hide and any(
        _matches(values.get(field), allowed) for field, allowed in parsed.hide.items()
    ):
        return False
    if parsed.show:
        return all(_matches(values.get(field), allowed) for field, allowed in parsed.show.items())
    return True


def display_options_cases() -> list[dict[str, Any]]:
    """Return the golden display-option cases shipped with jackfield.

    Each case is a dict with ``name`` (what it checks), ``rules`` (display
    options or ``null``), ``values`` (the node's values) and ``visible`` (what
    :func:`evaluate_display_options` must return). The same cases are in
    ``jackfield/data/display_options_cases.json`` inside the installed package,
    so a form renderer in another language can be tested against them.
    A new list is returned on every call.
    """
    text = resources.files("jackfield").joinpath(_CASES_FILE).read_text(encoding="utf-8")
    cases: list[dict[str, Any]] = json.loads(text)["cases"]
    return cases


def _matches(value: Any, allowed: list[Any]) -> bool:
    """Whether ``value`` (a field's value; a list for multi-valued fields) is in ``allowed``."""
    if isinstance(value, list | tuple):
        return any(_equal(item, candidate) for item in value for candidate in allowed)
    return any(_equal(value, candidate) for candidate in allowed)


def _equal(value: Any, candidate: Any) -> bool:
    """JSON equality: numbers by value, booleans only with booleans, null only with null."""
    if isinstance(value, Enum):
        value = value.value
    if value is None or candidate is None:
        return value is None and candidate is None
    if isinstance(value, bool) or isinstance(candidate, bool):
        return isinstance(value, bool) and isinstance(candidate, bool) and value == candidate
    if isinstance(value, int | float) and isinstance(candidate, int | float):
        return value == candidate
    if isinstance(value, str) and isinstance(candidate, str):
        return value == candidate
    return False

"""Evaluating a property's display options and required-when rule, and their golden cases."""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import Enum
from importlib import resources
from typing import Any, Final

from jackfield._specs._node_spec import DisplayOptions, RequiredWhen

__all__ = [
    "display_options_cases",
    "evaluate_display_options",
    "evaluate_required_when",
    "required_when_cases",
]

_CASES_FILE: Final = "data/display_options_cases.json"
_REQUIRED_WHEN_CASES_FILE: Final = "data/required_when_cases.json"


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


def evaluate_required_when(
    rule: RequiredWhen | Mapping[str, Any] | None, values: Mapping[str, Any]
) -> bool:
    """Return whether a property with this ``required_when`` rule must have a value.

    :param rule: the property's ``required_when``: a
        :class:`~jackfield.RequiredWhen`, the same as a dict
        (``{"enabled": [True]}``), or ``None``.
    :param values: the node's current values by property name, as JSON data.
        Fill in defaults before calling: this function does not know them.

    The rule has the shape of a display options ``show`` condition and is
    matched the same way (see :func:`evaluate_display_options`): the property
    is required when *every* listed field matches one of its listed values.
    No rule, or an empty one, never makes a property required. A required
    property counts as missing when its value is absent, ``None``, or a string
    that is empty or only whitespace; :class:`~jackfield.BaseNodeData` enforces
    this for every field declared with ``spec_field(required_when=...)``.

    :raises pydantic.ValidationError: ``rule`` is a dict that is not a valid rule.
    """
    if rule is None:
        return False
    parsed = rule if isinstance(rule, RequiredWhen) else RequiredWhen.model_validate(rule)
    if not parsed.root:
        return False
    return all(_matches(values.get(field), allowed) for field, allowed in parsed.root.items())


def required_when_cases() -> list[dict[str, Any]]:
    """Return the golden ``required_when`` cases shipped with jackfield.

    Each case is a dict with ``name`` (what it checks), ``rule`` (a
    ``required_when`` map or ``null``), ``values`` (the node's values) and
    ``required`` (what :func:`evaluate_required_when` must return). The same
    cases are in ``jackfield/data/required_when_cases.json`` inside the
    installed package, for form renderers and SDKs in other languages.
    A new list is returned on every call.
    """
    return _read_cases(_REQUIRED_WHEN_CASES_FILE)


def _read_cases(file_name: str) -> list[dict[str, Any]]:
    text = resources.files("jackfield").joinpath(file_name).read_text(encoding="utf-8")
    cases: list[dict[str, Any]] = json.loads(text)["cases"]
    return cases


def display_options_cases() -> list[dict[str, Any]]:
    """Return the golden display-option cases shipped with jackfield.

    Each case is a dict with ``name`` (what it checks), ``rules`` (display
    options or ``null``), ``values`` (the node's values) and ``visible`` (what
    :func:`evaluate_display_options` must return). The same cases are in
    ``jackfield/data/display_options_cases.json`` inside the installed package,
    so a form renderer in another language can be tested against them.
    A new list is returned on every call.
    """
    return _read_cases(_CASES_FILE)


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

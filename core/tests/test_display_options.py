"""evaluate_display_options, checked against the golden cases shipped in the package."""

from __future__ import annotations

import json
from enum import Enum
from importlib import resources

import pytest
from pydantic import ValidationError

from jackfield import DisplayOptions, display_options_cases, evaluate_display_options

CASES = display_options_cases()


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_golden_case_with_rules_as_dict(case):
    assert evaluate_display_options(case["rules"], case["values"]) is case["visible"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_golden_case_with_rules_as_model(case):
    rules = None if case["rules"] is None else DisplayOptions.model_validate(case["rules"])
    assert evaluate_display_options(rules, case["values"]) is case["visible"]


def test_the_golden_file_is_well_formed_and_covers_the_edge_cases():
    cases = display_options_cases()
    assert len(cases) >= 20
    names = [case["name"] for case in cases]
    assert len(set(names)) == len(names)
    for case in cases:
        assert set(case) == {"name", "rules", "values", "visible"}
        assert isinstance(case["visible"], bool)
        if case["rules"] is not None:
            DisplayOptions.model_validate(case["rules"])
    text = " ".join(names)
    for topic in ("missing", "null", "true is not 1", "empty list", "hide wins", "multi-valued"):
        assert topic in text
    assert {case["visible"] for case in cases} == {True, False}


def test_the_golden_file_ships_inside_the_package():
    path = resources.files("jackfield").joinpath("data/display_options_cases.json")
    assert json.loads(path.read_text(encoding="utf-8"))["cases"] == display_options_cases()


def test_each_call_returns_a_fresh_list():
    first = display_options_cases()
    first.clear()
    assert display_options_cases()


def test_enum_values_compare_by_their_value():
    class Mode(Enum):
        WEBHOOK = "webhook"

    rules = {"show": {"mode": ["webhook"]}}
    assert evaluate_display_options(rules, {"mode": Mode.WEBHOOK}) is True
    assert evaluate_display_options(rules, {"mode": [Mode.WEBHOOK]}) is True


def test_invalid_rules_are_rejected():
    with pytest.raises(ValidationError):
        evaluate_display_options({"shw": {"mode": ["a"]}}, {})
    with pytest.raises(ValidationError):
        evaluate_display_options({"show": {"mode": "a"}}, {})

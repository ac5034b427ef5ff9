"""Spec lint: one failing case per rule, and a clean spec with no problems."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest
from pydantic import BaseModel, Field, field_validator

from jackfield import NodeSpec, SpecProblem, lint_catalog, lint_node_spec


class Method(StrEnum):
    GET = "get"
    POST = "post"


class Header(BaseModel):
    name: str = Field(min_length=1)
    value: str


class WebhookData(BaseModel):
    name: str = Field(min_length=1)
    url: str
    method: Method = Method.POST
    secret: str | None = None
    headers: list[Header] = Field(default_factory=list)


def webhook_spec(**changes: Any) -> dict[str, Any]:
    """A clean webhook node spec as a JSON dict; ``changes`` replace top-level keys."""
    spec: dict[str, Any] = {
        "name": "webhook",
        "display_name": "Webhook",
        "description": "Posts the call summary to an HTTP endpoint after each call.",
        "category": "integration",
        "properties": [
            {
                "name": "name",
                "type": "string",
                "display_name": "Name",
                "description": "Label of this node in the workflow editor.",
                "required": True,
            },
            {
                "name": "url",
                "type": "url",
                "display_name": "URL",
                "description": "Endpoint that receives the POST request.",
                "required": True,
            },
            {
                "name": "method",
                "type": "options",
                "display_name": "Method",
                "description": "HTTP method used for the request.",
                "default": "post",
                "options": [{"value": "get", "label": "GET"}, {"value": "post", "label": "POST"}],
            },
            {
                "name": "secret",
                "type": "string",
                "display_name": "Signing secret",
                "description": "Shared secret used to sign the request body.",
                "display_options": {"show": {"method": ["post"]}},
            },
            {
                "name": "headers",
                "type": "fixed_collection",
                "display_name": "Headers",
                "description": "Extra HTTP headers sent with the request.",
                "properties": [
                    {
                        "name": "name",
                        "type": "string",
                        "display_name": "Header name",
                        "description": "Name of the HTTP header, e.g. X-Team.",
                    },
                    {
                        "name": "value",
                        "type": "string",
                        "display_name": "Header value",
                        "description": "Value sent for this header.",
                        "display_options": {"hide": {"name": [None]}},
                    },
                ],
            },
        ],
        "examples": [
            {
                "name": "Post to a team endpoint",
                "data": {
                    "name": "Post summary",
                    "url": "https://example.com/hook",
                    "headers": [{"name": "X-Team", "value": "support"}],
                },
            }
        ],
    }
    spec.update(changes)
    return spec


def property_dict(spec: dict[str, Any], name: str) -> dict[str, Any]:
    prop: dict[str, Any] = next(p for p in spec["properties"] if p["name"] == name)
    return prop


def lint(spec: dict[str, Any], model: type[BaseModel] | None = WebhookData) -> list[SpecProblem]:
    return lint_node_spec(NodeSpec.model_validate(spec), model)


def rules_at(problems: list[SpecProblem]) -> list[tuple[str, str]]:
    return [(p.path, p.rule) for p in problems]


def test_clean_spec_has_no_problems():
    assert lint(webhook_spec()) == []


def test_clean_spec_without_model_has_no_problems():
    assert lint(webhook_spec(), model=None) == []


@pytest.mark.parametrize(
    "description",
    ["TODO", "tbd", "...", "Description", "xxx", "FIXME", "", "   ", "TODO: explain", "webhook"],
)
def test_node_description_placeholder(description):
    problems = lint(webhook_spec(description=description))
    assert rules_at(problems) == [("description", "description-placeholder")]
    assert "'webhook'" in problems[0].message
    assert not problems[0].unusable


def test_node_description_too_short():
    problems = lint(webhook_spec(description="Sends a webhook."))
    assert rules_at(problems) == [("description", "description-too-short")]
    assert "20" in problems[0].message


@pytest.mark.parametrize("description", ["TBD", "...", "url", "URL", "description", "n/a"])
def test_property_description_placeholder(description):
    spec = webhook_spec()
    property_dict(spec, "url")["description"] = description
    problems = lint(spec)
    assert rules_at(problems) == [("url", "description-placeholder")]
    assert "node type 'webhook', property 'url'" in problems[0].message


def test_sub_property_description_placeholder_uses_collection_path():
    spec = webhook_spec()
    property_dict(spec, "headers")["properties"][0]["description"] = "todo"
    assert rules_at(lint(spec)) == [("headers[].name", "description-placeholder")]


def test_description_that_mentions_a_marker_word_is_not_a_placeholder():
    spec = webhook_spec()
    property_dict(spec, "url")["description"] = "Endpoint of the todo-list service to notify."
    assert lint(spec) == []


def test_examples_missing():
    problems = lint(webhook_spec(examples=[]))
    assert rules_at(problems) == [("examples", "examples-missing")]
    assert not problems[0].unusable


def test_example_invalid_reports_location_and_type_but_not_values():
    secret_looking = "sk-live-DO-NOT-PRINT"
    spec = webhook_spec(
        examples=[
            {"name": "good", "data": {"name": "n", "url": "https://example.com"}},
            {
                "name": "bad",
                "data": {
                    "name": "n",
                    "method": secret_looking,
                    "headers": [{"name": "", "value": secret_looking}],
                },
            },
        ]
    )
    problems = lint(spec)
    assert {(p.path, p.rule) for p in problems} == {("examples[1]", "example-invalid")}
    assert all(p.unusable for p in problems)
    messages = "\n".join(p.message for p in problems)
    assert "url: missing" in messages
    assert "method: enum" in messages
    assert "headers.0.name: string_too_short" in messages
    assert "WebhookData" in messages
    assert "'webhook'" in messages
    assert secret_looking not in messages


def test_example_whose_validator_crashes_is_reported_without_its_message():
    class CrashingData(WebhookData):
        @field_validator("url")
        @classmethod
        def crash(cls, value: str) -> str:
            raise KeyError(value)

    problems = lint(webhook_spec(), model=CrashingData)
    assert rules_at(problems) == [("examples[0]", "example-invalid")]
    assert "KeyError" in problems[0].message
    assert "example.com" not in problems[0].message


def test_display_options_unknown_field():
    spec = webhook_spec()
    property_dict(spec, "secret")["display_options"] = {"show": {"mode": ["post"]}}
    problems = lint(spec)
    assert rules_at(problems) == [("secret", "display-options-unknown-field")]
    assert "'mode'" in problems[0].message
    assert not problems[0].unusable


def test_display_options_must_reference_siblings_inside_a_collection():
    spec = webhook_spec()
    sub = property_dict(spec, "headers")["properties"][1]
    sub["display_options"] = {"hide": {"url": [None]}}
    assert rules_at(lint(spec)) == [("headers[].value", "display-options-unknown-field")]


def test_display_options_unknown_option_value():
    spec = webhook_spec()
    property_dict(spec, "secret")["display_options"] = {"show": {"method": ["post", "put"]}}
    problems = lint(spec)
    assert rules_at(problems) == [("secret", "display-options-unknown-value")]
    assert "'put'" not in problems[0].message


@pytest.mark.parametrize("options", [None, []])
def test_options_property_without_options(options):
    spec = webhook_spec()
    property_dict(spec, "method")["options"] = options
    property_dict(spec, "secret")["display_options"] = None
    problems = lint(spec, model=None)
    assert rules_at(problems) == [("method", "options-missing")]
    assert problems[0].unusable


def test_multi_options_property_without_options():
    spec = webhook_spec()
    spec["properties"].append(
        {
            "name": "events",
            "type": "multi_options",
            "display_name": "Events",
            "description": "Which call events trigger the webhook.",
        }
    )
    assert rules_at(lint(spec, model=None)) == [("events", "options-missing")]


def test_fixed_collection_without_sub_properties():
    spec = webhook_spec()
    property_dict(spec, "headers")["properties"] = []
    problems = lint(spec, model=None)
    assert rules_at(problems) == [("headers", "fixed-collection-empty")]
    assert problems[0].unusable


def test_duplicate_property_names():
    spec = webhook_spec()
    spec["properties"].append(dict(property_dict(spec, "url"), display_name="Other URL"))
    problems = lint(spec, model=None)
    assert rules_at(problems) == [("url", "property-name-duplicate")]
    assert problems[0].unusable


def test_duplicate_sub_property_names():
    spec = webhook_spec()
    subs = property_dict(spec, "headers")["properties"]
    subs.append(dict(subs[0], description="Another header name field."))
    assert rules_at(lint(spec, model=None)) == [("headers[].name", "property-name-duplicate")]


def test_lint_catalog_validates_examples_per_type_and_finds_duplicate_types():
    good = NodeSpec.model_validate(webhook_spec())
    broken = NodeSpec.model_validate(
        webhook_spec(name="hook2", examples=[{"name": "empty", "data": {}}])
    )
    problems = lint_catalog([good, broken, good], models={"hook2": WebhookData})
    assert [(p.node_type, p.rule) for p in problems] == [
        ("hook2", "example-invalid"),
        ("hook2", "example-invalid"),
        ("webhook", "node-type-duplicate"),
    ]
    assert problems[-1].unusable


def test_problem_str_names_rule():
    problem = lint(webhook_spec(examples=[]))[0]
    assert str(problem) == f"{problem.message} [examples-missing]"

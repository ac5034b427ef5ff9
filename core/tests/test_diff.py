"""Spec compatibility diff: one case per classification."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from jackfield import SPEC_VERSION, NodeSpec, SpecChange, SpecDiff, diff_specs


def tuner_spec() -> dict[str, Any]:
    """A realistic node spec as JSON, fresh on every call."""
    return {
        "name": "tuner",
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
                "min_length": 1,
                "max_length": 64,
            },
            {
                "name": "region",
                "type": "options",
                "display_name": "Region",
                "description": "Tuner data region.",
                "default": "eu",
                "options": [{"value": "eu", "label": "EU"}, {"value": "us", "label": "US"}],
            },
            {
                "name": "sample_rate",
                "type": "number",
                "display_name": "Sample rate",
                "description": "Share of calls to export.",
                "min_value": 0,
                "max_value": 1,
            },
            {
                "name": "tags",
                "type": "fixed_collection",
                "display_name": "Tags",
                "description": "Tags attached to each exported call.",
                "properties": [
                    {
                        "name": "key",
                        "type": "string",
                        "display_name": "Key",
                        "description": "Tag key.",
                    },
                    {
                        "name": "value",
                        "type": "string",
                        "display_name": "Value",
                        "description": "Tag value.",
                    },
                ],
            },
        ],
        "examples": [{"name": "basic", "data": {"name": "t", "agent_id": "a1"}}],
        "graph_constraints": {"max_incoming": 0, "max_outgoing": 0, "max_instances": 2},
    }


def catalog(*specs: dict[str, Any]) -> dict[str, Any]:
    return {"spec_version": SPEC_VERSION, "node_types": list(specs)}


def prop(spec: dict[str, Any], path: str) -> dict[str, Any]:
    """The property at ``path`` (``tags[].key`` for a sub-property)."""
    properties = spec["properties"]
    found: dict[str, Any] = {}
    for part in path.split("[]."):
        found = next(p for p in properties if p["name"] == part)
        properties = found.get("properties") or []
    return found


def diff_one(change: Any) -> SpecDiff:
    """Diff ``tuner_spec()`` against a copy changed in place by ``change``."""
    old = tuner_spec()
    new = copy.deepcopy(old)
    change(new)
    return diff_specs(catalog(old), catalog(new))


def codes(diff: SpecDiff) -> list[tuple[str, str, str]]:
    return [(c.kind, c.path, c.code) for c in diff.changes]


def test_identical_catalogs_have_no_changes():
    diff = diff_specs(catalog(tuner_spec()), catalog(tuner_spec()))
    assert diff.changes == ()
    assert not diff.is_breaking
    assert diff.to_text() == "No changes."


def test_catalog_may_be_a_list_of_node_specs():
    old = [NodeSpec.model_validate(tuner_spec())]
    new_dict = tuner_spec()
    new_dict["description"] = "Exports every finished call to Tuner for QA."
    diff = diff_specs(old, [NodeSpec.model_validate(new_dict)])
    assert codes(diff) == [("compatible", "description", "text-changed")]


def test_node_type_removed():
    other = dict(tuner_spec(), name="other", properties=[])
    diff = diff_specs(catalog(tuner_spec(), other), catalog(tuner_spec()))
    assert codes(diff) == [("breaking", "", "node-type-removed")]
    assert diff.changes[0].node_type == "other"
    assert diff.is_breaking


def test_node_type_renamed_when_an_added_type_has_the_same_properties():
    renamed = dict(tuner_spec(), name="tuner_export", display_name="Tuner export")
    diff = diff_specs(catalog(tuner_spec()), catalog(renamed))
    assert codes(diff) == [("breaking", "", "node-type-renamed")]
    assert "'tuner' was renamed to 'tuner_export'" in diff.changes[0].message


def test_removed_and_unrelated_added_type_are_not_a_rename():
    unrelated = dict(tuner_spec(), name="billing", properties=tuner_spec()["properties"][:1])
    diff = diff_specs(catalog(tuner_spec()), catalog(unrelated))
    assert codes(diff) == [
        ("compatible", "", "node-type-added"),
        ("breaking", "", "node-type-removed"),
    ]
    assert [c.node_type for c in diff.changes] == ["billing", "tuner"]


def test_node_type_added_is_compatible():
    extra = dict(tuner_spec(), name="zeta", properties=[])
    diff = diff_specs(catalog(tuner_spec()), catalog(tuner_spec(), extra))
    assert codes(diff) == [("compatible", "", "node-type-added")]
    assert not diff.is_breaking


def test_category_changed_is_breaking():
    diff = diff_one(lambda s: s.update(category="call_node"))
    assert codes(diff) == [("breaking", "category", "category-changed")]


def test_property_removed():
    diff = diff_one(lambda s: s["properties"].pop(2))
    assert codes(diff) == [("breaking", "sample_rate", "property-removed")]
    assert diff.changes[0].message == "node type 'tuner': property 'sample_rate' was removed"


def test_sub_property_removed():
    diff = diff_one(lambda s: prop(s, "tags")["properties"].pop(1))
    assert codes(diff) == [("breaking", "tags[].value", "property-removed")]


def test_property_type_changed():
    diff = diff_one(lambda s: prop(s, "sample_rate").update(type="string"))
    assert codes(diff) == [("breaking", "sample_rate", "property-type-changed")]
    assert "'number' to 'string'" in diff.changes[0].message


def test_property_newly_required():
    diff = diff_one(lambda s: prop(s, "tags[].key").update(required=True))
    assert codes(diff) == [("breaking", "tags[].key", "property-now-required")]


def test_property_no_longer_required_is_compatible():
    diff = diff_one(lambda s: prop(s, "agent_id").update(required=False))
    assert codes(diff) == [("compatible", "agent_id", "property-now-optional")]


def new_property(**fields: Any) -> dict[str, Any]:
    return {
        "name": "team",
        "type": "string",
        "display_name": "Team",
        "description": "Team that owns the agent.",
        **fields,
    }


def test_new_required_property_without_default_is_breaking():
    diff = diff_one(lambda s: s["properties"].append(new_property(required=True)))
    assert codes(diff) == [("breaking", "team", "property-added-required")]


@pytest.mark.parametrize("fields", [{}, {"required": True, "default": "support"}])
def test_new_optional_or_defaulted_property_is_compatible(fields):
    diff = diff_one(lambda s: s["properties"].append(new_property(**fields)))
    assert codes(diff) == [("compatible", "team", "property-added")]


def test_option_value_removed():
    diff = diff_one(lambda s: prop(s, "region")["options"].pop(1))
    assert codes(diff) == [("breaking", "region", "option-removed")]
    assert 'option "us" was removed' in diff.changes[0].message


def test_option_added_and_relabelled_are_compatible():
    def change(spec: dict[str, Any]) -> None:
        options = prop(spec, "region")["options"]
        options[0]["label"] = "Europe"
        options.append({"value": "ap", "label": "Asia-Pacific"})

    diff = diff_one(change)
    assert codes(diff) == [
        ("compatible", "region", "option-added"),
        ("compatible", "region", "option-text-changed"),
    ]


def test_option_values_of_different_json_types_are_distinct():
    def change(spec: dict[str, Any]) -> None:
        prop(spec, "region")["options"] = [{"value": 1, "label": "One"}]

    old = tuner_spec()
    prop(old, "region")["options"] = [{"value": True, "label": "One"}]
    new = copy.deepcopy(old)
    change(new)
    assert [c.code for c in diff_specs(catalog(old), catalog(new)).changes] == [
        "option-added",
        "option-removed",
    ]


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("sample_rate", "min_value", 0.1),
        ("sample_rate", "max_value", 0.5),
        ("agent_id", "min_length", 2),
        ("agent_id", "max_length", 32),
        ("agent_id", "pattern", "^[a-z0-9]+$"),
        ("tags[].key", "max_length", 10),
    ],
)
def test_constraint_tightened(path, field, value):
    diff = diff_one(lambda s: prop(s, path).update({field: value}))
    assert codes(diff) == [("breaking", path, "constraint-tightened")]
    assert field in diff.changes[0].message


@pytest.mark.parametrize("flag", ["min_exclusive", "max_exclusive"])
def test_exclusive_bound_is_tightened_and_inclusive_relaxed(flag):
    tightened = diff_one(lambda s: prop(s, "sample_rate").update({flag: True}))
    assert codes(tightened) == [("breaking", "sample_rate", "constraint-tightened")]
    assert flag in tightened.changes[0].message
    old = tuner_spec()
    prop(old, "sample_rate")[flag] = True
    new = copy.deepcopy(old)
    prop(new, "sample_rate")[flag] = None
    assert codes(diff_specs(catalog(old), catalog(new))) == [
        ("compatible", "sample_rate", "constraint-relaxed")
    ]


def test_pattern_changed_is_tightened():
    old = tuner_spec()
    prop(old, "agent_id")["pattern"] = "^[a-z]+$"
    new = copy.deepcopy(old)
    prop(new, "agent_id")["pattern"] = "^[a-z0-9]+$"
    assert codes(diff_specs(catalog(old), catalog(new))) == [
        ("breaking", "agent_id", "constraint-tightened")
    ]


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("sample_rate", "min_value", -1),
        ("sample_rate", "max_value", None),
        ("agent_id", "min_length", None),
        ("agent_id", "max_length", 128),
    ],
)
def test_constraint_relaxed(path, field, value):
    diff = diff_one(lambda s: prop(s, path).update({field: value}))
    assert codes(diff) == [("compatible", path, "constraint-relaxed")]


def test_unset_min_length_equals_zero():
    diff = diff_one(lambda s: prop(s, "tags[].key").update(min_length=0))
    assert diff.changes == ()


@pytest.mark.parametrize(
    ("bound", "value", "kind", "code"),
    [
        ("max_instances", 1, "breaking", "constraint-tightened"),
        ("min_instances", 1, "breaking", "constraint-tightened"),
        ("max_incoming", None, "compatible", "constraint-relaxed"),
        ("max_instances", 5, "compatible", "constraint-relaxed"),
    ],
)
def test_graph_constraints(bound, value, kind, code):
    diff = diff_one(lambda s: s["graph_constraints"].update({bound: value}))
    assert codes(diff) == [(kind, f"graph_constraints.{bound}", code)]


def test_graph_constraints_removed_entirely_is_a_relaxation():
    diff = diff_one(lambda s: s.update(graph_constraints=None))
    assert {c.kind for c in diff.changes} == {"compatible"}
    assert len(diff.changes) == 3


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s.update(display_name="Tuner QA"), ("display_name", "text-changed")),
        (lambda s: s.update(llm_hint="Use for QA."), ("llm_hint", "text-changed")),
        (lambda s: s.update(icon="tuner.svg"), ("icon", "text-changed")),
        (lambda s: s.update(version="2"), ("version", "version-changed")),
        (lambda s: s.update(examples=[]), ("examples", "examples-changed")),
        (
            lambda s: prop(s, "agent_id").update(description="The Tuner agent."),
            ("agent_id", "text-changed"),
        ),
        (
            lambda s: prop(s, "tags[].key").update(display_name="Tag key"),
            ("tags[].key", "text-changed"),
        ),
        (
            lambda s: prop(s, "agent_id").update(placeholder="agent-123"),
            ("agent_id", "presentation-changed"),
        ),
        (
            lambda s: prop(s, "sample_rate").update(display_options={"show": {"region": ["eu"]}}),
            ("sample_rate", "presentation-changed"),
        ),
        (lambda s: prop(s, "region").update(default="us"), ("region", "default-changed")),
        (lambda s: s["properties"].reverse(), ("", "property-order-changed")),
        (
            lambda s: prop(s, "tags")["properties"].reverse(),
            ("tags[]", "property-order-changed"),
        ),
    ],
)
def test_text_and_presentation_changes_are_compatible(change, expected):
    diff = diff_one(change)
    assert [(c.path, c.code) for c in diff.changes] == [expected]
    assert not diff.is_breaking


def test_changes_are_sorted_and_split_by_kind():
    def change(spec: dict[str, Any]) -> None:
        spec["description"] = "Exports every call to Tuner."
        spec["properties"].pop(0)
        prop(spec, "region")["options"].pop(0)

    diff = diff_one(change)
    assert codes(diff) == [
        ("breaking", "agent_id", "property-removed"),
        ("compatible", "description", "text-changed"),
        ("breaking", "region", "option-removed"),
    ]
    assert [c.code for c in diff.breaking] == ["property-removed", "option-removed"]
    assert [c.code for c in diff.compatible] == ["text-changed"]
    assert diff_one(change) == diff


def test_text_rendering_lists_breaking_first():
    def change(spec: dict[str, Any]) -> None:
        spec["display_name"] = "Tuner export"
        spec["properties"].pop(0)

    assert diff_one(change).to_text() == (
        "Breaking change (1):\n"
        "  - node type 'tuner': property 'agent_id' was removed [property-removed]\n"
        "\n"
        "Compatible change (1):\n"
        "  - node type 'tuner': display_name changed [text-changed]"
    )


def test_to_dict_is_json_ready():
    diff = diff_one(lambda s: s["properties"].pop(0))
    assert diff.to_dict() == {
        "breaking": True,
        "changes": [
            {
                "kind": "breaking",
                "node_type": "tuner",
                "path": "agent_id",
                "code": "property-removed",
                "message": "node type 'tuner': property 'agent_id' was removed",
            }
        ],
    }
    assert SpecChange(**diff.to_dict()["changes"][0]) == diff.changes[0]


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ({"node_types": "tuner"}, "'node_types' list"),
        ({"spec_version": "2.0", "node_types": []}, "spec format 2.0"),
        ({"spec_version": 1, "node_types": []}, "'spec_version' must be a string"),
        ("tuner", "sequence of NodeSpec"),
        (catalog(tuner_spec(), tuner_spec()), "'tuner' appears more than once"),
        (catalog(dict(tuner_spec(), category="robot")), "node_types[0] ('tuner')"),
    ],
)
def test_malformed_catalog_is_rejected(bad, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        diff_specs(bad, catalog())

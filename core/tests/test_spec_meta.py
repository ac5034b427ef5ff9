"""spec_field as a drop-in for pydantic.Field, and the @node_spec decorator's checks."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ValidationError

from jackfield import (
    BaseNodeData,
    DisplayOptions,
    PropertyType,
    SpecError,
    build_spec,
    node_spec,
    spec_field,
)

DESCRIPTION = "A node built by the spec metadata tests."


def test_spec_field_validates_like_pydantic_field():
    class Settings(BaseModel):
        count: int = spec_field(default=1, gt=0, le=5, description="How many.")
        code: str = spec_field(min_length=2, max_length=3, pattern=r"^[A-Z]+$", description="C.")
        key: str = spec_field(alias="apiKey", description="Key.")
        tags: list[str] = spec_field(default_factory=list, description="Tags.")

    settings = Settings.model_validate({"code": "AB", "apiKey": "k"})
    assert (settings.count, settings.key, settings.tags) == (1, "k", [])
    for bad in ({"count": 0}, {"count": 6}, {"code": "A"}, {"code": "abc"}, {"code": "ABCD"}):
        with pytest.raises(ValidationError):
            Settings.model_validate({"code": "AB", "apiKey": "k", **bad})
    with pytest.raises(ValidationError):
        Settings.model_validate({"code": "AB"})


def test_spec_settings_stay_out_of_the_json_schema():
    class Settings(BaseModel):
        count: int = spec_field(
            default=1, description="How many.", display_name="Count", placeholder="1", gt=0
        )

    schema = Settings.model_json_schema()["properties"]["count"]
    assert schema == {
        "default": 1,
        "description": "How many.",
        "exclusiveMinimum": 0,
        "title": "Count",
        "type": "integer",
    }


Level = Annotated[int, spec_field(ge=1, le=10, display_name="Level", editor="slider")]


def test_spec_field_works_inside_annotated_and_settings_merge():
    @node_spec(name="probe", description=DESCRIPTION)
    class ProbeNode(BaseNodeData):
        level: Level = spec_field(default=2, description="Level.", llm_hint="Usually 2.")

    assert ProbeNode(name="n").level == 2
    with pytest.raises(ValidationError):
        ProbeNode(name="n", level=0)
    prop = build_spec(ProbeNode).property("level")
    assert prop is not None
    assert (prop.display_name, prop.editor, prop.llm_hint) == ("Level", "slider", "Usually 2.")
    assert (prop.min_value, prop.max_value, prop.default) == (1, 10, 2)


def test_spec_field_calls_that_disagree_are_an_error():
    @node_spec(name="probe", description=DESCRIPTION)
    class ProbeNode(BaseNodeData):
        level: Level = spec_field(default=2, description="Level.", editor="stepper")

    with pytest.raises(
        SpecError, match=r"^ProbeNode\.level: spec_field calls on this field disagree on editor"
    ):
        build_spec(ProbeNode)


def test_node_spec_returns_the_class_itself():
    class ProbeNode(BaseNodeData):
        pass

    assert node_spec(name="probe", description=DESCRIPTION)(ProbeNode) is ProbeNode


def test_field_overrides_win_over_field_settings():
    @node_spec(
        name="probe",
        description=DESCRIPTION,
        field_overrides={
            "mode": {
                "display_name": "Delivery",
                "description": "Overridden description.",
                "required": True,
                "spec_default": "b",
                "display_options": {"hide": {"name": ["x"]}},
                "placeholder": "Pick one",
                "llm_hint": "Prefer b.",
                "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                "ui_type": "options",
            },
            "undocumented": {"description": "Filled in by the override."},
            "internal": {"spec_exclude": True},
        },
    )
    class ProbeNode(BaseNodeData):
        mode: str = spec_field(default="a", description="Original.", display_name="Mode")
        undocumented: int = 0
        internal: str = spec_field(default="", description="Internal.")

    spec = build_spec(ProbeNode)
    assert [p.name for p in spec.properties] == ["name", "mode", "undocumented"]
    mode = spec.property("mode")
    assert mode is not None
    assert (mode.display_name, mode.description, mode.required, mode.default) == (
        "Delivery",
        "Overridden description.",
        True,
        "b",
    )
    assert mode.display_options == DisplayOptions(hide={"name": ["x"]})
    assert (mode.placeholder, mode.llm_hint, mode.type) == ("Pick one", "Prefer b.", "options")
    undocumented = spec.property("undocumented")
    assert undocumented is not None
    assert undocumented.description == "Filled in by the override."


def test_field_overrides_for_an_unknown_field_are_an_error():
    class ProbeNode(BaseNodeData):
        mode: str = spec_field(description="Mode.")

    decorate = node_spec(
        name="probe", description=DESCRIPTION, field_overrides={"mdoe": {"display_name": "M"}}
    )
    with pytest.raises(SpecError, match=r"^ProbeNode\.mdoe: field_overrides names a field") as info:
        decorate(ProbeNode)
    assert (info.value.model, info.value.field) == ("ProbeNode", "mdoe")


def test_field_overrides_with_an_unknown_key_are_an_error():
    class ProbeNode(BaseNodeData):
        mode: str = spec_field(description="Mode.")

    decorate = node_spec(
        name="probe", description=DESCRIPTION, field_overrides={"mode": {"label": "M"}}
    )
    with pytest.raises(SpecError, match=r"^ProbeNode\.mode: unknown field_overrides key 'label'"):
        decorate(ProbeNode)


def test_field_overrides_entries_must_be_dicts():
    class ProbeNode(BaseNodeData):
        mode: str = spec_field(description="Mode.")

    decorate = node_spec(name="probe", description=DESCRIPTION, field_overrides={"mode": "M"})  # type: ignore[dict-item]
    with pytest.raises(SpecError, match=r"^ProbeNode\.mode: field_overrides entries"):
        decorate(ProbeNode)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "name must start with a letter"),
        ({"name": "tuner node"}, "name must start with a letter"),
        ({"name": "1tuner"}, "name must start with a letter"),
        ({"description": "  "}, "description must be a non-empty string"),
        ({"category": "sidebar"}, "unknown node category"),
        ({"examples": [{"data": {}}]}, r"invalid examples: name: Field required"),
        ({"graph_constraints": {"max_incoming": -1}}, "invalid graph_constraints: max_incoming"),
        ({"graph_constraints": {"max_edges": 1}}, "invalid graph_constraints: max_edges"),
        ({"property_order": "name"}, "property_order must be a sequence"),
    ],
)
def test_node_spec_argument_errors_name_the_model(kwargs, message):
    class ProbeNode(BaseNodeData):
        pass

    arguments = {"name": "probe", "description": DESCRIPTION, **kwargs}
    with pytest.raises(SpecError, match=message) as info:
        node_spec(**arguments)(ProbeNode)
    assert (info.value.model, info.value.field) == ("ProbeNode", None)


def test_node_spec_errors_do_not_show_example_values():
    class ProbeNode(BaseNodeData):
        pass

    decorate = node_spec(
        name="probe",
        description=DESCRIPTION,
        examples=[{"name": "Secretive", "data": "sk_live_secret_value"}],
    )
    with pytest.raises(SpecError) as info:
        decorate(ProbeNode)
    assert "sk_live_secret_value" not in str(info.value)


def test_node_spec_twice_on_one_class_is_an_error():
    @node_spec(name="probe", description=DESCRIPTION)
    class ProbeNode(BaseNodeData):
        pass

    with pytest.raises(SpecError, match="applied more than once"):
        node_spec(name="probe_again", description=DESCRIPTION)(ProbeNode)


def test_node_spec_only_decorates_pydantic_models():
    class NotAModel:
        pass

    with pytest.raises(SpecError, match=r"^NotAModel: @node_spec decorates Pydantic model"):
        node_spec(name="probe", description=DESCRIPTION)(NotAModel)  # type: ignore[type-var]


def test_ui_type_accepts_the_enum_and_its_string_value():
    @node_spec(name="probe", description=DESCRIPTION)
    class ProbeNode(BaseNodeData):
        endpoint: str = spec_field(ui_type=PropertyType.URL, description="Endpoint.")
        notes: str = spec_field(ui_type="mention_textarea", description="Notes.")

    spec = build_spec(ProbeNode)
    assert [p.type for p in spec.properties] == ["string", "url", "mention_textarea"]

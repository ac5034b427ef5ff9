"""build_spec: every derivation rule and every error it raises."""

from __future__ import annotations

import collections.abc
import datetime
from enum import Enum, IntEnum, StrEnum
from typing import Annotated, Any, Literal, Optional

import annotated_types
import pytest
from pydantic import AliasChoices, BaseModel, Field, StringConstraints, conint

from jackfield import (
    BaseNodeData,
    NodeSpec,
    PropertyType,
    SpecError,
    build_spec,
    node_spec,
    spec_field,
)
from jackfield._specs._derive import humanize

DESCRIPTION = "A node built by the build_spec tests."


def _one(annotation: Any, field: Any = None, **node_kwargs: Any):
    """Build the spec of a node with one extra field ``value`` and return that property."""
    info = field if field is not None else spec_field(description="The value under test.")

    @node_spec(name="probe", description=DESCRIPTION, **node_kwargs)
    class ProbeNode(BaseNodeData):
        value: annotation = info  # type: ignore[valid-type]

    prop = build_spec(ProbeNode).property("value")
    assert prop is not None
    return prop


def _spec_error(annotation: Any, field: Any = None) -> SpecError:
    with pytest.raises(SpecError) as info:
        _one(annotation, field)
    return info.value


class Colour(Enum):
    DARK_RED = "dark-red"
    SKY_BLUE = "sky-blue"


class Size(IntEnum):
    SMALL = 1
    LARGE = 2


class Mode(StrEnum):
    FAST = "fast"
    API_FIRST = "api_first"


class Header(BaseModel):
    key: str = spec_field(description="Header name.", min_length=1)
    value: str = spec_field(default="", description="Header value.")


# -- type derivation ---------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (str, PropertyType.STRING),
        (int, PropertyType.NUMBER),
        (float, PropertyType.NUMBER),
        (bool, PropertyType.BOOLEAN),
        (dict, PropertyType.JSON),
        (dict[str, Any], PropertyType.JSON),
        (dict[str, int], PropertyType.JSON),
        (collections.abc.Mapping[str, str], PropertyType.JSON),
        (Any, PropertyType.JSON),
        (Optional[str], PropertyType.STRING),  # noqa: UP045 - the typing spelling is under test
        (int | None, PropertyType.NUMBER),
        (None | bool, PropertyType.BOOLEAN),
        (Annotated[str, "unrelated metadata"], PropertyType.STRING),
        (Optional[Annotated[float, annotated_types.Gt(0)]], PropertyType.NUMBER),  # noqa: UP045
    ],
)
def test_scalar_types_are_derived(annotation, expected):
    assert _one(annotation).type == expected


def test_enum_becomes_options_with_values_and_humanized_labels():
    prop = _one(Colour)
    assert prop.type == PropertyType.OPTIONS
    assert [(o.value, o.label) for o in prop.options or []] == [
        ("dark-red", "Dark red"),
        ("sky-blue", "Sky blue"),
    ]


def test_int_and_str_enums_become_options_not_numbers_or_strings():
    assert [(o.value, o.label) for o in _one(Size).options or []] == [(1, "Small"), (2, "Large")]
    assert _one(Size).type == PropertyType.OPTIONS
    assert [(o.value, o.label) for o in _one(Mode).options or []] == [
        ("fast", "Fast"),
        ("api_first", "API first"),
    ]


def test_literal_becomes_options():
    prop = _one(Literal["gpt_4o", "whisper", 3, True])
    assert prop.type == PropertyType.OPTIONS
    assert [(o.value, o.label) for o in prop.options or []] == [
        ("gpt_4o", "Gpt 4o"),
        ("whisper", "Whisper"),
        (3, "3"),
        (True, "True"),
    ]


def test_optional_literal_drops_none_from_options():
    field = spec_field(default=None, description="Optional choice.")
    prop = _one(Literal["a", "b"] | None, field)
    assert [o.value for o in prop.options or []] == ["a", "b"]
    assert prop.required is False


def test_enum_with_non_scalar_values_is_an_error():
    class Pair(Enum):
        ONE = (1, 2)

    error = _spec_error(Pair)
    assert str(error).startswith("ProbeNode.value: option values must be")


def test_list_of_models_becomes_fixed_collection_with_nested_properties():
    prop = _one(list[Header], spec_field(default_factory=list, description="Extra headers."))
    assert prop.type == PropertyType.FIXED_COLLECTION
    nested = prop.properties or []
    assert [(p.name, p.type, p.required) for p in nested] == [
        ("key", PropertyType.STRING, True),
        ("value", PropertyType.STRING, False),
    ]
    assert nested[0].min_length == 1
    assert nested[0].display_name == "Key"


def test_nested_model_errors_name_the_path():
    class BadItem(BaseModel):
        when: datetime.date = spec_field(description="A date.")

    error = _spec_error(list[BadItem])
    assert (error.model, error.field) == ("ProbeNode", "value.when")
    assert str(error).startswith("ProbeNode.value.when: cannot derive a property type from date")


def test_nested_model_without_description_names_the_path():
    class Undescribed(BaseModel):
        label: str

    error = _spec_error(list[Undescribed])
    assert error.field == "value.label"
    assert "no description" in str(error)


def test_a_model_that_contains_itself_is_an_error():
    class Tree(BaseModel):
        label: str = spec_field(description="Label of the branch.")
        children: list[Tree] = spec_field(default_factory=list, description="Sub-branches.")

    Tree.model_rebuild()
    error = _spec_error(list[Tree])
    assert error.field == "value.children"
    assert "contains itself" in str(error)


@pytest.mark.parametrize(
    "annotation", [list[str], list[int], list, set[str], tuple[str, ...], list[Colour]]
)
def test_other_collections_need_an_explicit_ui_type(annotation):
    error = _spec_error(annotation)
    assert error.field == "value"
    assert "pass ui_type=" in str(error)


@pytest.mark.parametrize(
    "annotation", [datetime.datetime, bytes, int | str, Header, object, type(None)]
)
def test_underivable_types_are_errors_naming_the_field(annotation):
    error = _spec_error(annotation)
    assert (error.model, error.field) == ("ProbeNode", "value")
    assert "pass ui_type=" in str(error)


def test_explicit_ui_type_wins_for_any_annotation():
    prop = _one(list[str], spec_field(ui_type=PropertyType.TOOL_REFS, description="Tools."))
    assert prop.type == PropertyType.TOOL_REFS
    prop = _one(datetime.datetime, spec_field(ui_type="string", description="When."))
    assert prop.type == PropertyType.STRING
    prop = _one(str, spec_field(ui_type=PropertyType.URL, description="Endpoint."))
    assert prop.type == PropertyType.URL


def test_multi_options_takes_its_options_from_the_item_type():
    prop = _one(list[Colour], spec_field(ui_type=PropertyType.MULTI_OPTIONS, description="C."))
    assert prop.type == PropertyType.MULTI_OPTIONS
    assert [o.value for o in prop.options or []] == ["dark-red", "sky-blue"]
    prop = _one(
        set[Literal["sms", "email"]], spec_field(ui_type="multi_options", description="Channels.")
    )
    assert [o.value for o in prop.options or []] == ["sms", "email"]


def test_explicit_options_replace_derived_ones():
    field = spec_field(
        ui_type=PropertyType.OPTIONS,
        options=[{"value": "eu", "label": "Europe", "description": "Dublin."}],
        description="Region.",
    )
    prop = _one(str, field)
    assert [(o.value, o.label, o.description) for o in prop.options or []] == [
        ("eu", "Europe", "Dublin.")
    ]
    prop = _one(
        Colour, spec_field(options=[{"value": "sky-blue", "label": "Blue"}], description="C.")
    )
    assert [(o.value, o.label) for o in prop.options or []] == [("sky-blue", "Blue")]


def test_explicit_options_must_be_accepted_by_the_type():
    error = _spec_error(
        Colour, spec_field(options=[{"value": "green", "label": "G"}], description="C.")
    )
    assert error.field == "value"
    assert "does not accept" in str(error)
    error = _spec_error(
        Literal[1], spec_field(options=[{"value": True, "label": "T"}], description="C.")
    )
    assert "does not accept" in str(error)


@pytest.mark.parametrize("ui_type", [PropertyType.OPTIONS, PropertyType.MULTI_OPTIONS])
def test_options_types_without_options_are_errors(ui_type):
    error = _spec_error(str, spec_field(ui_type=ui_type, description="Choice."))
    assert "needs options" in str(error)
    error = _spec_error(str, spec_field(ui_type=ui_type, options=[], description="Choice."))
    assert "needs options" in str(error)


def test_options_on_a_non_options_property_is_an_error():
    error = _spec_error(str, spec_field(options=[{"value": "a", "label": "A"}], description="S."))
    assert "options= only applies" in str(error)


def test_fixed_collection_needs_a_list_of_models():
    error = _spec_error(list[str], spec_field(ui_type="fixed_collection", description="Items."))
    assert "list[SomeModel]" in str(error)


def test_unknown_ui_type_is_an_error():
    error = _spec_error(str, spec_field(ui_type="colour_picker", description="Colour."))
    assert error.field == "value"
    assert "unknown ui_type" in str(error)


# -- constraints -------------------------------------------------------------


def test_float_bounds_keep_exclusiveness():
    prop = _one(float, spec_field(gt=0, le=1, description="Rate."))
    assert (prop.min_value, prop.min_exclusive, prop.max_value, prop.max_exclusive) == (
        0,
        True,
        1,
        None,
    )
    prop = _one(float, spec_field(ge=-1.5, lt=2.5, description="Offset."))
    assert (prop.min_value, prop.min_exclusive, prop.max_value, prop.max_exclusive) == (
        -1.5,
        None,
        2.5,
        True,
    )


def test_integer_exclusive_bounds_become_the_next_whole_number():
    prop = _one(int, spec_field(gt=0, lt=10, description="Count."))
    assert (prop.min_value, prop.max_value) == (1, 9)
    assert (prop.min_exclusive, prop.max_exclusive) == (None, None)
    prop = _one(int, spec_field(ge=-3, le=3, description="Offset."))
    assert (prop.min_value, prop.max_value) == (-3, 3)


def test_the_tightest_bound_is_shown():
    prop = _one(Annotated[float, annotated_types.Ge(1), annotated_types.Gt(1)], None)
    assert (prop.min_value, prop.min_exclusive) == (1, True)
    prop = _one(Annotated[int, annotated_types.Ge(3)], spec_field(ge=5, description="N."))
    assert prop.min_value == 5


def test_length_and_pattern_are_read_from_the_field():
    prop = _one(str, spec_field(min_length=2, max_length=8, pattern=r"^[a-z]+$", description="S."))
    assert (prop.min_length, prop.max_length, prop.pattern) == (2, 8, "^[a-z]+$")
    prop = _one(list[Header], spec_field(max_length=3, description="Headers."))
    assert prop.max_length == 3


@pytest.mark.parametrize(
    "annotation",
    [
        Annotated[str, StringConstraints(min_length=2, max_length=8, pattern=r"^a")],
        Annotated[str, annotated_types.Len(2, 8), Field(pattern=r"^a")],
        Optional[Annotated[str, annotated_types.MinLen(2), annotated_types.MaxLen(8)]],  # noqa: UP045
    ],
)
def test_constraints_are_read_from_annotated_metadata(annotation):
    prop = _one(annotation, spec_field(default=None, description="S."))
    assert (prop.min_length, prop.max_length) == (2, 8)


def test_constrained_int_type_bounds():
    prop = _one(conint(ge=2, lt=5), spec_field(default=3, description="N."))
    assert (prop.min_value, prop.max_value) == (2, 4)


def test_spec_level_bound_overrides_win():
    field = spec_field(
        gt=0,
        min_value=10,
        max_value=20,
        spec_min_length=1,
        spec_max_length=4,
        spec_pattern="^x",
        min_length=0,
        description="Overridden.",
    )
    prop = _one(float, field)
    assert (prop.min_value, prop.min_exclusive, prop.max_value) == (10, None, 20)
    assert (prop.min_length, prop.max_length, prop.pattern) == (1, 4, "^x")


# -- descriptions, names, defaults, requiredness -----------------------------


def test_missing_description_is_an_error_naming_the_field():
    @node_spec(name="probe", description=DESCRIPTION)
    class ProbeNode(BaseNodeData):
        api_key: str

    with pytest.raises(SpecError, match=r"^ProbeNode\.api_key: the field has no description"):
        build_spec(ProbeNode)


def test_blank_description_is_an_error():
    error = _spec_error(str, spec_field(description="   "))
    assert "no description" in str(error)


def test_description_comes_from_plain_pydantic_fields_too():
    prop = _one(int, Field(default=3, description="Plain Field description.", ge=1))
    assert (prop.description, prop.default, prop.min_value) == ("Plain Field description.", 3, 1)


def test_display_name_is_humanized_unless_given():
    assert _one(str).display_name == "Value"
    prop = _one(str, spec_field(display_name="Custom label", description="S."))
    assert prop.display_name == "Custom label"


@pytest.mark.parametrize(
    ("identifier", "label"),
    [
        ("api_key", "API key"),
        ("max_retries", "Max retries"),
        ("webhookURL", "Webhook URL"),
        ("agentIds", "Agent IDs"),
        ("EU_WEST", "Eu west"),
        ("call-insights-export", "Call insights export"),
        ("HTTPServer", "HTTP server"),
        ("sample_rate_8k", "Sample rate 8k"),
        ("x", "X"),
        ("_", "_"),
    ],
)
def test_humanize(identifier, label):
    assert humanize(identifier) == label


def test_defaults_are_json_data():
    assert _one(Colour, spec_field(default=Colour.SKY_BLUE, description="C.")).default == "sky-blue"
    assert _one(Size, spec_field(default=Size.LARGE, description="S.")).default == 2
    headers = [Header(key="X-A", value="1")]
    prop = _one(list[Header], spec_field(default=headers, description="H."))
    assert prop.default == [{"key": "X-A", "value": "1"}]
    assert _one(float, spec_field(default=0.5, description="F.")).default == 0.5


def test_default_factory_is_not_called():
    def factory() -> list[Header]:
        raise AssertionError("the builder called the default factory")

    prop = _one(list[Header], spec_field(default_factory=factory, description="H."))
    assert (prop.default, prop.required) == (None, False)


def test_spec_default_is_shown_instead_of_the_model_default():
    prop = _one(int, spec_field(default=1, spec_default=5, description="N."))
    assert prop.default == 5
    prop = _one(Mode, spec_field(default=Mode.FAST, spec_default=Mode.API_FIRST, description="M."))
    assert prop.default == "api_first"


def test_a_default_that_is_not_json_is_an_error():
    field = spec_field(ui_type="json", default=object(), description="Opaque.")
    error = _spec_error(Any, field)
    assert error.field == "value"
    assert "cannot be written as JSON" in str(error)


def test_required_follows_the_model_unless_overridden():
    assert _one(str).required is True
    assert _one(str | None).required is True  # no default: pydantic requires it
    assert _one(str, spec_field(default="x", description="S.")).required is False
    assert _one(str, spec_field(default="x", required=True, description="S.")).required is True
    assert _one(str, spec_field(required=False, description="S.")).required is False


def test_spec_exclude_fields_are_omitted():
    @node_spec(name="probe", description=DESCRIPTION)
    class ProbeNode(BaseNodeData):
        shown: str = spec_field(description="Shown.")
        cursor: int = spec_field(default=0, description="Internal.", spec_exclude=True)

    assert [p.name for p in build_spec(ProbeNode).properties] == ["name", "shown"]


def test_spec_exclude_field_without_default_is_an_error():
    @node_spec(name="probe", description=DESCRIPTION)
    class ProbeNode(BaseNodeData):
        cursor: int = spec_field(description="Internal.", spec_exclude=True)

    with pytest.raises(SpecError, match=r"^ProbeNode\.cursor: a spec_exclude field must have"):
        build_spec(ProbeNode)


def test_alias_is_the_property_name():
    prop_names = [
        p.name
        for p in build_spec(
            node_spec(name="probe", description=DESCRIPTION)(
                type(
                    "AliasNode",
                    (BaseNodeData,),
                    {
                        "__annotations__": {"api_key": str},
                        "api_key": spec_field(alias="apiKey", description="Key."),
                    },
                )
            )
        ).properties
    ]
    assert prop_names == ["name", "apiKey"]


def test_alias_choices_are_an_error():
    field = Field(validation_alias=AliasChoices("a", "b"), description="Ambiguous.")
    error = _spec_error(str, field)
    assert "AliasChoices" in str(error)


def test_invalid_spec_settings_are_errors_without_values():
    error = _spec_error(int, spec_field(renderer_options={"column_span": 13}, description="N."))
    assert error.field == "value"
    assert "renderer_options.column_span" in str(error)
    assert "13" not in str(error)
    error = _spec_error(str, spec_field(display_options={"shw": {"a": ["b"]}}, description="S."))
    assert "display_options.shw" in str(error)


# -- ordering and the model as a whole --------------------------------------


def _ordered_model(order: tuple[str, ...]):
    @node_spec(name="probe", description=DESCRIPTION, property_order=order)
    class ProbeNode(BaseNodeData):
        first: str = spec_field(description="First.")
        second: str = spec_field(description="Second.")
        hidden: str = spec_field(default="", description="Hidden.", spec_exclude=True)

    return ProbeNode


def test_property_order_puts_listed_fields_first():
    spec = build_spec(_ordered_model(("second", "name")))
    assert [p.name for p in spec.properties] == ["second", "name", "first"]


@pytest.mark.parametrize(
    ("order", "field", "message"),
    [
        (("second", "missing"), "missing", "not a property"),
        (("hidden",), "hidden", "not a property"),
        (("first", "first"), "first", "twice"),
    ],
)
def test_property_order_errors(order, field, message):
    with pytest.raises(SpecError, match=message) as info:
        build_spec(_ordered_model(order))
    assert (info.value.model, info.value.field) == ("ProbeNode", field)


def test_node_level_settings_are_copied_into_the_spec():
    @node_spec(
        name="crmSync",
        description=DESCRIPTION,
        category="trigger",
        icon="bolt",
        llm_hint="Hint.",
        docs_url="https://example.com/docs",
        version="3",
        examples=[{"name": "Basic", "data": {"name": "Sync"}}],
        graph_constraints={"max_incoming": 0},
    )
    class CrmSyncNode(BaseNodeData):
        pass

    spec = build_spec(CrmSyncNode)
    assert isinstance(spec, NodeSpec)
    assert spec.display_name == "CRM sync"
    assert (spec.category, spec.icon, spec.llm_hint, spec.version) == (
        "trigger",
        "bolt",
        "Hint.",
        "3",
    )
    assert spec.docs_url == "https://example.com/docs"
    assert [(e.name, e.data) for e in spec.examples] == [("Basic", {"name": "Sync"})]
    assert spec.graph_constraints is not None
    assert spec.graph_constraints.max_incoming == 0


def test_model_without_decorator_is_an_error():
    class PlainNode(BaseNodeData):
        pass

    with pytest.raises(SpecError, match=r"^PlainNode: the model has no @node_spec decorator$"):
        build_spec(PlainNode)


def test_subclass_of_a_decorated_model_needs_its_own_decorator():
    @node_spec(name="parent", description=DESCRIPTION)
    class ParentNode(BaseNodeData):
        token: str = spec_field(description="Token.", editor="password")

    class ChildNode(ParentNode):
        pass

    with pytest.raises(SpecError, match="its base ParentNode is decorated") as info:
        build_spec(ChildNode)
    assert info.value.model == "ChildNode"

    decorated_child = node_spec(name="child", description=DESCRIPTION)(ChildNode)
    spec = build_spec(decorated_child)
    assert spec.name == "child"
    token = spec.property("token")
    assert token is not None
    assert token.editor == "password"
    assert build_spec(ParentNode).name == "parent"


def test_a_model_with_undefined_annotations_is_an_error():
    @node_spec(name="probe", description=DESCRIPTION)
    class ProbeNode(BaseNodeData):
        later: DefinedLater = spec_field(description="Defined after the class.")  # noqa: F821

    with pytest.raises(SpecError, match=r"^ProbeNode: the model ProbeNode is not fully defined"):
        build_spec(ProbeNode)


def test_a_model_completed_later_is_rebuilt_by_build_spec(monkeypatch):
    class Later(BaseModel):
        item: Pending = spec_field(description="Pending item.")  # noqa: F821

    assert Later.__pydantic_complete__ is False
    monkeypatch.setitem(globals(), "Pending", str)  # defined after the class, as a module would
    prop = _one(list[Later], spec_field(description="Items."))
    assert [(p.name, p.type) for p in prop.properties or []] == [("item", "string")]


def test_models_not_derived_from_base_node_data_are_rejected():
    @node_spec(name="probe", description=DESCRIPTION)
    class Loose(BaseModel):
        name: str = spec_field(description="Name.")

    with pytest.raises(SpecError, match=r"^Loose: a node model must be a subclass"):
        build_spec(Loose)  # type: ignore[arg-type]


def test_settings_inside_optional_annotated_are_read():
    level = Annotated[int, spec_field(ge=1, le=5, display_name="Level")]
    prop = _one(level | None, spec_field(default=None, description="Optional level."))
    assert (prop.display_name, prop.min_value, prop.max_value) == ("Level", 1, 5)
    prop = _one(Optional[Annotated[str, Field(max_length=3)]], None)  # noqa: UP045
    assert prop.max_length == 3


def test_explicit_options_must_be_options_or_dicts():
    error = _spec_error(Colour, spec_field(options=["dark-red"], description="C."))
    assert "entries must be PropertyOption objects or dicts" in str(error)

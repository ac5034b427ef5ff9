"""Property-based checks over generated node models.

For any node model we can build, the spec must survive a JSON round trip, and
its lean MCP projection must hold no nulls and no UI-only keys.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any, Literal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, create_model

from jackfield import (
    BaseNodeData,
    NodeSpec,
    PropertyType,
    build_spec,
    node_spec,
    spec_field,
)

UI_ONLY_KEYS = frozenset(
    {"display_name", "placeholder", "display_options", "renderer_options", "editor", "icon"}
    | {"label", "docs_url"}
)
PATTERNS = [r"^[a-z]+$", r"^\d{3}-\d{4}$", r"\S", r"^https://"]
SCALAR_KINDS = ["str", "int", "float", "bool", "enum", "literal"]
ALL_KINDS = [*SCALAR_KINDS, "json", "any", "models", "multi"]

texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda text: text.strip())
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
small_ints = st.integers(min_value=-(10**6), max_value=10**6)
option_scalars = st.one_of(st.text(min_size=0, max_size=8), small_ints, st.booleans())


@st.composite
def enums(draw: st.DrawFn) -> type[Enum]:
    names = draw(
        st.lists(
            st.from_regex(r"[A-Z][A-Z0-9_]{0,6}", fullmatch=True),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    values = draw(
        st.one_of(
            st.lists(st.text(max_size=8), min_size=len(names), max_size=len(names), unique=True),
            st.lists(small_ints, min_size=len(names), max_size=len(names), unique=True),
        )
    )
    return Enum("GeneratedEnum", list(zip(names, values, strict=True)))  # type: ignore[return-value]


@st.composite
def literals(draw: st.DrawFn) -> Any:
    values = draw(
        st.lists(option_scalars, min_size=1, max_size=4, unique_by=lambda v: (type(v), v))
    )
    return Literal[tuple(values)]


@st.composite
def fields(draw: st.DrawFn, kinds: list[str], depth: int) -> tuple[Any, Any]:
    """Return ``(annotation, spec_field(...))`` for one generated field."""
    kind = draw(st.sampled_from(kinds))
    extra: dict[str, Any] = {"description": draw(texts)}
    annotation: Any
    default: Any = None
    if kind == "str":
        annotation = str
        extra |= draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "min_length": st.integers(0, 5),
                    "max_length": st.integers(5, 50),
                    "pattern": st.sampled_from(PATTERNS),
                },
            )
        )
        default = draw(st.text(max_size=10))
    elif kind == "int":
        annotation = int
        extra |= draw(
            st.fixed_dictionaries(
                {},
                optional={"gt": small_ints, "ge": small_ints, "lt": small_ints, "le": small_ints},
            )
        )
        default = draw(small_ints)
    elif kind == "float":
        annotation = float
        extra |= draw(
            st.fixed_dictionaries(
                {}, optional={"gt": finite, "ge": finite, "lt": finite, "le": finite}
            )
        )
        default = draw(finite)
    elif kind == "bool":
        annotation = bool
        default = draw(st.booleans())
    elif kind == "enum":
        annotation = draw(enums())
        default = draw(st.sampled_from(list(annotation)))
    elif kind == "literal":
        annotation = draw(literals())
        default = annotation.__args__[0]
    elif kind == "json":
        annotation = dict[str, Any]
        default = draw(
            st.dictionaries(
                st.text(max_size=5), st.one_of(small_ints, st.text(max_size=5)), max_size=3
            )
        )
    elif kind == "any":
        annotation = Any
        default = draw(st.one_of(st.none(), small_ints, st.text(max_size=5)))
    elif kind == "multi":
        annotation = list[draw(st.one_of(enums(), literals()))]  # type: ignore[misc]
        extra["ui_type"] = PropertyType.MULTI_OPTIONS
        default = []
    else:
        annotation = list[draw(sub_models(depth + 1))]  # type: ignore[misc]
        extra["max_length"] = draw(st.integers(0, 10))
        default = []
    if draw(st.booleans()):
        annotation = annotation | None
    extra |= draw(
        st.fixed_dictionaries(
            {},
            optional={
                "display_name": texts,
                "placeholder": texts,
                "llm_hint": texts,
                "editor": st.sampled_from(["password", "code", "textarea"]),
                "renderer_options": st.fixed_dictionaries(
                    {}, optional={"column_span": st.integers(1, 12), "fractional": st.booleans()}
                ),
                "display_options": st.fixed_dictionaries(
                    {},
                    optional={
                        "show": st.dictionaries(
                            st.just("name"),
                            st.lists(st.one_of(st.none(), option_scalars), max_size=3),
                            max_size=1,
                        ),
                        "hide": st.dictionaries(
                            st.just("name"), st.lists(option_scalars, max_size=3), max_size=1
                        ),
                    },
                ),
                "required": st.booleans(),
            },
        )
    )
    if draw(st.booleans()):
        extra["default"] = default
        if draw(st.booleans()):
            extra["spec_exclude"] = True
    return annotation, spec_field(**extra)


@st.composite
def sub_models(draw: st.DrawFn, depth: int) -> type[BaseModel]:
    kinds = SCALAR_KINDS if depth >= 2 else [*SCALAR_KINDS, "models"]
    names = draw(
        st.lists(
            st.from_regex(r"s_[a-z]{1,6}", fullmatch=True), min_size=1, max_size=4, unique=True
        )
    )
    definitions = {name: draw(fields(kinds, depth)) for name in names}
    return create_model("GeneratedItem", **definitions)  # type: ignore[call-overload, no-any-return]


@st.composite
def node_models(draw: st.DrawFn) -> type[BaseNodeData]:
    names = draw(st.lists(st.from_regex(r"f_[a-z]{1,8}", fullmatch=True), max_size=8, unique=True))
    definitions = {name: draw(fields(ALL_KINDS, 0)) for name in names}
    model = create_model("GeneratedNode", __base__=BaseNodeData, **definitions)  # type: ignore[call-overload]
    order = draw(st.permutations(["name", *[n for n in names if not _excluded(model, n)]]))
    decorate = node_spec(
        name="generated_node",
        description="A generated node model for property-based tests.",
        icon=draw(st.none() | texts),
        docs_url=draw(st.none() | st.just("https://example.com/docs")),
        property_order=order[: draw(st.integers(0, len(order)))],
    )
    return decorate(model)  # type: ignore[no-any-return]


def _excluded(model: type[BaseModel], field_name: str) -> bool:
    return any(getattr(m, "spec_exclude", None) for m in model.model_fields[field_name].metadata)


def _walk(data: Any, path: str = "$"):
    """Yield ``(path, key, value)`` for every key of every dict inside ``data``.

    Defaults and example data are values written by the author, not spec keys:
    their keys are yielded but their insides are not walked.
    """
    if isinstance(data, dict):
        for key, value in data.items():
            yield path, key, value
            if key not in ("default", "data"):
                yield from _walk(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _walk(item, f"{path}[{index}]")


PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(node_models())
def test_built_specs_round_trip_through_json(model):
    spec = build_spec(model)
    assert NodeSpec.model_validate(spec.model_dump(mode="json")) == spec
    assert NodeSpec.model_validate_json(spec.model_dump_json()) == spec


@PROPERTY_SETTINGS
@given(node_models())
def test_mcp_projection_has_no_nulls_and_no_ui_only_keys(model):
    lean = build_spec(model).to_mcp_dict()
    json.dumps(lean)
    for path, key, value in _walk(lean):
        assert value is not None, f"null at {path}.{key}"
        assert key not in UI_ONLY_KEYS, f"UI-only key at {path}.{key}"


@PROPERTY_SETTINGS
@given(node_models())
def test_every_field_becomes_a_property_unless_excluded(model):
    spec = build_spec(model)
    expected = {name for name in model.model_fields if not _excluded(model, name)}
    expected -= {"is_start", "is_end"}
    assert {p.name for p in spec.properties} == expected

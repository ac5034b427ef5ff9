"""Wire models: the node catalog as UIs, SDKs and LLM tools read it.

These models are *derived* from plugin node models by :func:`jackfield.build_spec`;
nobody writes them by hand. Every model forbids unknown keys, so a typo in a
spec is an error rather than a silently ignored setting.

Each model has :meth:`to_mcp_dict`, a lean projection for LLM tools: it keeps
what an author needs to write a valid value (names, types, descriptions, hints,
requiredness, defaults, option values, nested properties, bounds, examples and
graph constraints) and drops what only a form renderer needs (display names,
placeholders, visibility rules, renderer options, icons) and every null.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    SerializerFunctionWrapHandler,
    model_serializer,
)

__all__ = [
    "SPEC_VERSION",
    "DisplayOptions",
    "GraphConstraints",
    "NodeCategory",
    "NodeExample",
    "NodeSpec",
    "PropertyOption",
    "PropertySpec",
    "PropertyType",
    "RendererOptions",
    "RequiredWhen",
]

#: Version of the wire format. Bump the major part on any breaking change to
#: the shape of these models (not to a plugin's own specs).
SPEC_VERSION: Final = "1.0"

#: A value a property can hold or compare against: JSON scalars only.
OptionValue = str | int | float | bool


class _WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _lean(pairs: dict[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values, empty lists and empty dicts from ``pairs``."""
    return {k: v for k, v in pairs.items() if v is not None and v != [] and v != {}}


class PropertyType(StrEnum):
    """How a property's value is typed and edited."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    OPTIONS = "options"
    MULTI_OPTIONS = "multi_options"
    FIXED_COLLECTION = "fixed_collection"
    JSON = "json"
    URL = "url"
    MENTION_TEXTAREA = "mention_textarea"
    TOOL_REFS = "tool_refs"
    DOCUMENT_REFS = "document_refs"
    RECORDING_REF = "recording_ref"
    CREDENTIAL_REF = "credential_ref"


class NodeCategory(StrEnum):
    """Where a node type belongs in a workflow editor's palette."""

    CALL_NODE = "call_node"
    GLOBAL_NODE = "global_node"
    TRIGGER = "trigger"
    INTEGRATION = "integration"


class DisplayOptions(_WireModel):
    """When a property is shown, in terms of the values of sibling properties.

    ``show``: the property is visible only if *every* listed field's current
    value is one of its listed values (AND). ``hide``: the property is hidden if
    *any* listed field's value is one of its listed values (OR). Both may be
    given; hiding wins. See :func:`jackfield.evaluate_display_options`.
    """

    show: dict[str, list[OptionValue | None]] | None = None
    hide: dict[str, list[OptionValue | None]] | None = None

    def to_mcp_dict(self) -> dict[str, Any]:
        """Return the rules without nulls."""
        return _lean({"show": self.show, "hide": self.hide})


class RequiredWhen(RootModel[dict[str, list[OptionValue | None]]]):
    """When a property must have a value, in terms of the values of sibling properties.

    The same shape as :attr:`DisplayOptions.show`: a map from a sibling
    property's name to the values it may have. The property is required when
    *every* listed field's current value is one of its listed values (AND), for
    example ``{"enabled": [true]}``: required while the node is enabled. Values
    compare as in display options; see :func:`jackfield.evaluate_required_when`.
    In JSON it is the map itself: ``"required_when": {"enabled": [true]}``.
    """

    model_config = ConfigDict(frozen=True)

    def to_mcp_dict(self) -> dict[str, Any]:
        """Return the conditions: an author needs them to write a valid value."""
        return dict(self.root)


class PropertyOption(_WireModel):
    """One allowed value of an ``options`` or ``multi_options`` property."""

    value: OptionValue
    label: str
    description: str | None = None

    def to_mcp_dict(self) -> dict[str, Any]:
        """Return the value and its description; the label is for people."""
        return _lean({"value": self.value, "description": self.description})


class RendererOptions(_WireModel):
    """Layout hints for a form renderer; never part of validation."""

    column_span: int | None = Field(default=None, ge=1, le=12)
    """Width of the input in a 12-column grid."""
    fractional: bool | None = None
    """For ``number`` inputs: accept fractional values (step below 1)."""
    step: float | None = Field(default=None, gt=0)
    """For ``number`` inputs: the increment of the spinner."""

    def to_mcp_dict(self) -> dict[str, Any]:
        """Renderer options are UI-only: the lean projection is empty."""
        return {}


class GraphConstraints(_WireModel):
    """How nodes of a type may be connected and how many a workflow may hold.

    ``None`` means unbounded. Configuration-only integration nodes typically
    set every edge bound to 0.
    """

    min_incoming: int | None = Field(default=None, ge=0)
    max_incoming: int | None = Field(default=None, ge=0)
    min_outgoing: int | None = Field(default=None, ge=0)
    max_outgoing: int | None = Field(default=None, ge=0)
    min_instances: int | None = Field(default=None, ge=0)
    max_instances: int | None = Field(default=None, ge=0)

    def to_mcp_dict(self) -> dict[str, Any]:
        """Return only the bounds that are set."""
        return _lean(self.model_dump())


class NodeExample(_WireModel):
    """A complete, valid ``data`` object for a node of this type."""

    name: str
    description: str | None = None
    data: dict[str, Any]

    def to_mcp_dict(self) -> dict[str, Any]:
        """Return the example without nulls."""
        return _lean({"name": self.name, "description": self.description, "data": self.data})


class PropertySpec(_WireModel):
    """One field of a node's ``data``, as a form and an LLM see it."""

    name: str
    type: PropertyType
    display_name: str
    description: str
    llm_hint: str | None = None
    required: bool = False
    default: Any = None
    placeholder: str | None = None
    display_options: DisplayOptions | None = None
    required_when: RequiredWhen | None = None
    """When the property must have a value although ``required`` is false (for
    example only while the node is enabled). Left out of the JSON form when unset."""
    options: list[PropertyOption] | None = None
    properties: list[PropertySpec] | None = None
    """Sub-properties of each item of a ``fixed_collection``."""
    min_value: float | None = None
    max_value: float | None = None
    min_exclusive: bool | None = None
    """``True`` when ``min_value`` itself is not allowed (the value must be greater)."""
    max_exclusive: bool | None = None
    """``True`` when ``max_value`` itself is not allowed (the value must be smaller)."""
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=0)
    pattern: str | None = None
    editor: str | None = None
    """Editor hint for a renderer (for example ``"code"`` or ``"textarea"``)."""
    renderer_options: RendererOptions | None = None

    @model_serializer(mode="wrap")
    def _lean_required_when(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A key added after wire format 1.0 is absent when unset, so catalogs
        # and golden files of specs that do not use it stay byte for byte the same.
        data: dict[str, Any] = handler(self)
        if self.required_when is None:
            data.pop("required_when", None)
        return data

    def to_mcp_dict(self) -> dict[str, Any]:
        """Return what an author needs to write a valid value for this property."""
        return _lean(
            {
                "name": self.name,
                "type": self.type.value,
                "description": self.description,
                "llm_hint": self.llm_hint,
                "required": self.required,
                "required_when": (self.required_when.to_mcp_dict() if self.required_when else None),
                "default": self.default,
                "options": [o.to_mcp_dict() for o in self.options] if self.options else None,
                "properties": (
                    [p.to_mcp_dict() for p in self.properties] if self.properties else None
                ),
                "min_value": self.min_value,
                "max_value": self.max_value,
                "min_exclusive": self.min_exclusive,
                "max_exclusive": self.max_exclusive,
                "min_length": self.min_length,
                "max_length": self.max_length,
                "pattern": self.pattern,
            }
        )


class NodeSpec(_WireModel):
    """The full description of a node type: the catalog entry."""

    name: str = Field(min_length=1)
    """The workflow node type string; stable once published."""
    display_name: str
    description: str
    category: NodeCategory
    icon: str | None = None
    llm_hint: str | None = None
    docs_url: str | None = None
    version: str = "1"
    properties: list[PropertySpec]
    examples: list[NodeExample] = Field(default_factory=list)
    graph_constraints: GraphConstraints | None = None

    def property(self, name: str) -> PropertySpec | None:
        """Return the top-level property called ``name``, or ``None``."""
        for prop in self.properties:
            if prop.name == name:
                return prop
        return None

    def to_mcp_dict(self) -> dict[str, Any]:
        """Return the lean projection of this node type for LLM tools."""
        constraints = self.graph_constraints.to_mcp_dict() if self.graph_constraints else None
        return _lean(
            {
                "name": self.name,
                "description": self.description,
                "category": self.category.value,
                "llm_hint": self.llm_hint,
                "version": self.version,
                "properties": [p.to_mcp_dict() for p in self.properties],
                "examples": [e.to_mcp_dict() for e in self.examples],
                "graph_constraints": constraints,
            }
        )

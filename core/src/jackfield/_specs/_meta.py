"""Spec metadata on node models: :func:`spec_field` and :func:`node_spec`.

A node model is an ordinary Pydantic model. :func:`spec_field` is used in place
of :func:`pydantic.Field` and attaches spec-only settings (how the field is
shown and described) to the field; :func:`node_spec` attaches node-level
settings to the class. :func:`jackfield.build_spec` reads both.

Where the metadata lives, and what inheritance does with it:

* ``spec_field`` settings are stored on the field itself (as an extra item in
  ``FieldInfo.metadata``, which Pydantic ignores), so a subclass inherits them
  together with the field.
* ``@node_spec`` settings are stored on the decorated class only and are never
  inherited: :func:`jackfield.build_spec` on a subclass that has no decorator of
  its own is an error, so a subclass can never silently reuse its parent's node
  type name. ``field_overrides`` and ``property_order`` belong to the decorator
  and are not inherited either.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from pydantic import BaseModel, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from jackfield._errors import SpecError
from jackfield._specs._node_spec import (
    DisplayOptions,
    GraphConstraints,
    NodeCategory,
    NodeExample,
    PropertyOption,
    PropertyType,
    RendererOptions,
    RequiredWhen,
)

__all__ = [
    "FIELD_OVERRIDE_KEYS",
    "FieldSpecMeta",
    "NodeSpecMeta",
    "conflicting_spec_keys",
    "describe_validation_error",
    "field_spec_meta",
    "node_spec",
    "node_spec_meta",
    "spec_field",
]

_ModelT = TypeVar("_ModelT", bound=type[BaseModel])

#: Class attribute holding a model's :class:`NodeSpecMeta`; read from the
#: class's own ``__dict__`` only, so subclasses never inherit it.
_NODE_META_ATTR: Final = "__jackfield_node_spec__"

#: Node type strings: a letter, then letters, digits, ``_``, ``.`` or ``-``.
_NODE_TYPE_PATTERN: Final = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")


@dataclass(frozen=True, slots=True, eq=False)
class FieldSpecMeta:
    """Spec-only settings of one field; ``None`` always means "not set".

    Values are kept as given (plain mappings included) and validated by the
    builder, which knows the ``Model.field`` to name in an error.
    """

    ui_type: PropertyType | str | None = None
    display_name: str | None = None
    description: str | None = None
    """Only set by ``field_overrides``; ``spec_field`` passes it to Pydantic."""
    llm_hint: str | None = None
    required: bool | None = None
    spec_default: Any = None
    placeholder: str | None = None
    display_options: DisplayOptions | Mapping[str, Any] | None = None
    options: tuple[PropertyOption | Mapping[str, Any], ...] | None = None
    editor: str | None = None
    renderer_options: RendererOptions | Mapping[str, Any] | None = None
    spec_exclude: bool | None = None
    min_value: float | None = None
    max_value: float | None = None
    spec_min_length: int | None = None
    spec_max_length: int | None = None
    spec_pattern: str | None = None
    secret: bool | None = None
    """The field holds a secret: hidden in reprs, masked by hosts. Field-only."""
    required_when: RequiredWhen | Mapping[str, Any] | None = None
    """When the field must have a value; enforced by the model. Field-only."""

    def merged_with(self, other: FieldSpecMeta) -> FieldSpecMeta:
        """Return these settings with every setting that ``other`` sets replaced."""
        changes = {
            f.name: getattr(other, f.name)
            for f in dataclasses.fields(other)
            if getattr(other, f.name) is not None
        }
        return dataclasses.replace(self, **changes)


#: Settings that change how a node model behaves, not only its spec: they are
#: declared on the field, never in ``field_overrides``.
_FIELD_ONLY_KEYS: Final = frozenset({"secret", "required_when"})

#: Keys accepted in one entry of ``@node_spec(field_overrides=...)``.
FIELD_OVERRIDE_KEYS: Final = (
    frozenset(f.name for f in dataclasses.fields(FieldSpecMeta)) - _FIELD_ONLY_KEYS
)


@dataclass(frozen=True, slots=True, eq=False)
class NodeSpecMeta:
    """Node-level settings given to :func:`node_spec`, already validated."""

    model: type[BaseModel]
    name: str
    display_name: str | None
    description: str
    category: NodeCategory
    icon: str | None
    llm_hint: str | None
    docs_url: str | None
    version: str
    examples: tuple[NodeExample, ...]
    graph_constraints: GraphConstraints | None
    property_order: tuple[str, ...] | None
    field_overrides: Mapping[str, FieldSpecMeta]


def spec_field(
    default: Any = PydanticUndefined,
    *,
    default_factory: Callable[[], Any] | None = None,
    alias: str | None = None,
    validation_alias: str | None = None,
    serialization_alias: str | None = None,
    title: str | None = None,
    description: str | None = None,
    examples: list[Any] | None = None,
    exclude: bool | None = None,
    frozen: bool | None = None,
    validate_default: bool | None = None,
    strict: bool | None = None,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    multiple_of: float | None = None,
    allow_inf_nan: bool | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
    ui_type: PropertyType | str | None = None,
    display_name: str | None = None,
    llm_hint: str | None = None,
    required: bool | None = None,
    spec_default: Any = None,
    placeholder: str | None = None,
    display_options: DisplayOptions | Mapping[str, Any] | None = None,
    options: Iterable[PropertyOption | Mapping[str, Any]] | None = None,
    editor: str | None = None,
    renderer_options: RendererOptions | Mapping[str, Any] | None = None,
    spec_exclude: bool = False,
    min_value: float | None = None,
    max_value: float | None = None,
    spec_min_length: int | None = None,
    spec_max_length: int | None = None,
    spec_pattern: str | None = None,
    secret: bool = False,
    required_when: RequiredWhen | Mapping[str, Any] | None = None,
) -> Any:
    """Declare a node model field, like :func:`pydantic.Field`, plus its spec settings.

    The arguments up to ``pattern`` are passed to :func:`pydantic.Field` and keep
    their Pydantic meaning: they validate data. ``description`` is required by
    :func:`~jackfield.build_spec`, and the constraints (``gt``, ``ge``, ``lt``,
    ``le``, ``min_length``, ``max_length``, ``pattern``) are shown in the spec.
    A ``default_factory`` is never called to fill the spec; use ``spec_default``.

    The remaining arguments only change the spec (``None`` means "derive it"):

    :param ui_type: property type to use instead of the derived one; required
        for types with no derivation (a ``list`` of anything but a model, for
        example ``list[Channel]`` as ``PropertyType.MULTI_OPTIONS``).
    :param display_name: form label; defaults to the humanized field name.
    :param llm_hint: extra guidance for an LLM writing this value.
    :param required: spec-level requiredness instead of the model's.
    :param spec_default: default shown in the spec instead of the model's.
    :param placeholder: placeholder text of the form input.
    :param display_options: when the form shows the field (a
        :class:`~jackfield.DisplayOptions` or a ``{"show": ..., "hide": ...}`` dict).
    :param options: explicit allowed values (``PropertyOption`` or dicts) of an
        ``options`` / ``multi_options`` property, instead of derived ones.
    :param editor: editor hint for a renderer, for example ``"password"`` or ``"code"``.
    :param renderer_options: layout hints (a :class:`~jackfield.RendererOptions` or dict).
    :param spec_exclude: keep the field out of the spec (it must have a default).
    :param min_value: inclusive lower bound shown instead of the derived one.
    :param max_value: inclusive upper bound shown instead of the derived one.
    :param spec_min_length: minimum length shown instead of the derived one.
    :param spec_max_length: maximum length shown instead of the derived one.
    :param spec_pattern: regular expression shown instead of the derived one.

    Two more settings change how the model behaves, so they belong on the field
    (``field_overrides`` does not take them), and only on top-level fields of a
    :class:`~jackfield.BaseNodeData` model:

    :param secret: the field holds a secret (an API key, a token, a URL that
        carries one). ``repr()`` and ``str()`` of the model hide it,
        :meth:`~jackfield.NodeRegistration.from_model` registers it as a
        sensitive field, and hosts mask it in every definition they send out.
        It does not change the spec; add ``editor="password"`` for a password input.
    :param required_when: when the field must have a value although it has a
        default, as a map from sibling field names to the values that make it
        required (all must match), for example ``{"enabled": [True]}``. The
        model rejects a missing value (``None``, ``""`` or only whitespace)
        with an error located at this field; the spec shows the rule as the
        property's ``required_when``.

    Example::

        class TunerNode(IntegrationNodeData):
            agent_id: str | None = spec_field(
                default=None,
                description="Tuner agent to report to.",
                required_when={"enabled": [True]},
            )
            api_key: str | None = spec_field(
                default=None,
                description="Tuner API key.",
                editor="password",
                secret=True,
                required_when={"enabled": [True]},
            )
    """
    field_kwargs: dict[str, Any] = {
        "alias": alias,
        "validation_alias": validation_alias,
        "serialization_alias": serialization_alias,
        "title": title,
        "description": description,
        "examples": examples,
        "exclude": exclude,
        "frozen": frozen,
        "validate_default": validate_default,
        "strict": strict,
        "gt": gt,
        "ge": ge,
        "lt": lt,
        "le": le,
        "multiple_of": multiple_of,
        "allow_inf_nan": allow_inf_nan,
        "min_length": min_length,
        "max_length": max_length,
        "pattern": pattern,
    }
    field_kwargs = {key: value for key, value in field_kwargs.items() if value is not None}
    if default is not PydanticUndefined:
        field_kwargs["default"] = default
    if default_factory is not None:
        field_kwargs["default_factory"] = default_factory
    info: FieldInfo = Field(**field_kwargs)
    info.metadata.append(
        FieldSpecMeta(
            ui_type=ui_type,
            display_name=display_name,
            llm_hint=llm_hint,
            required=required,
            spec_default=spec_default,
            placeholder=placeholder,
            display_options=(
                dict(display_options) if isinstance(display_options, Mapping) else display_options
            ),
            options=tuple(options) if options is not None else None,
            editor=editor,
            renderer_options=(
                dict(renderer_options)
                if isinstance(renderer_options, Mapping)
                else renderer_options
            ),
            spec_exclude=spec_exclude or None,
            min_value=min_value,
            max_value=max_value,
            spec_min_length=spec_min_length,
            spec_max_length=spec_max_length,
            spec_pattern=spec_pattern,
            secret=secret or None,
            required_when=(
                dict(required_when) if isinstance(required_when, Mapping) else required_when
            ),
        )
    )
    return info


def node_spec(
    *,
    name: str,
    description: str,
    display_name: str | None = None,
    category: NodeCategory | str = NodeCategory.INTEGRATION,
    icon: str | None = None,
    llm_hint: str | None = None,
    docs_url: str | None = None,
    version: str = "1",
    examples: Iterable[NodeExample | Mapping[str, Any]] = (),
    graph_constraints: GraphConstraints | Mapping[str, Any] | None = None,
    property_order: Sequence[str] | None = None,
    field_overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Callable[[_ModelT], _ModelT]:
    """Class decorator giving a node model its node-level spec settings.

    :param name: the workflow node type string (``"tuner"``): a letter, then
        letters, digits, ``_``, ``.`` or ``-``. Stable once published, and equal
        to the registration's ``type_name``.
    :param description: what the node does, for people and LLMs.
    :param display_name: palette label; defaults to the humanized ``name``.
    :param category: palette section (default :attr:`NodeCategory.INTEGRATION`).
    :param icon: icon name for an editor.
    :param llm_hint: guidance for an LLM adding this node to a workflow.
    :param docs_url: link to the node's documentation.
    :param version: the node type's own version string.
    :param examples: complete ``data`` objects (``NodeExample`` or dicts with
        ``name``, ``data`` and optionally ``description``).
    :param graph_constraints: edge and instance bounds (object or dict).
    :param property_order: field names to put first, in this order; the other
        properties follow in declaration order.
    :param field_overrides: per field name, spec settings that win over the
        field's own; the keys are the spec-only arguments of :func:`spec_field`
        plus ``description``.

    The decorated class is returned unchanged. The settings apply to that class
    only: a subclass needs its own ``@node_spec`` (see the module docs).
    Problems are raised as :class:`~jackfield.SpecError` when the class is decorated.
    """

    def decorate(model: _ModelT) -> _ModelT:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise SpecError(
                "@node_spec decorates Pydantic model classes only",
                model=getattr(model, "__name__", type(model).__name__),
            )
        where = model.__name__
        if _NODE_META_ATTR in vars(model):
            raise SpecError("@node_spec is applied more than once", model=where)
        if not isinstance(name, str) or not _NODE_TYPE_PATTERN.fullmatch(name):
            raise SpecError(
                "node_spec name must start with a letter and contain only letters, "
                "digits, '_', '.' or '-'",
                model=where,
            )
        if not isinstance(description, str) or not description.strip():
            raise SpecError("node_spec description must be a non-empty string", model=where)
        if isinstance(property_order, str):
            raise SpecError(
                "property_order must be a sequence of field names, not one string", model=where
            )
        meta = NodeSpecMeta(
            model=model,
            name=name,
            display_name=display_name,
            description=description,
            category=_category(category, where),
            icon=icon,
            llm_hint=llm_hint,
            docs_url=docs_url,
            version=version,
            examples=tuple(_validated(NodeExample, e, where, "examples") for e in examples),
            graph_constraints=(
                None
                if graph_constraints is None
                else _validated(GraphConstraints, graph_constraints, where, "graph_constraints")
            ),
            property_order=tuple(property_order) if property_order is not None else None,
            field_overrides=_field_overrides(model, field_overrides or {}),
        )
        setattr(model, _NODE_META_ATTR, meta)
        return model

    return decorate


def node_spec_meta(model: type[BaseModel]) -> NodeSpecMeta:
    """Return the ``@node_spec`` settings of ``model`` itself (never a parent's).

    :raises SpecError: ``model`` was not decorated with :func:`node_spec`.
    """
    meta = vars(model).get(_NODE_META_ATTR)
    if isinstance(meta, NodeSpecMeta):
        return meta
    inherited = next(
        (base.__name__ for base in model.__mro__[1:] if _NODE_META_ATTR in vars(base)), None
    )
    hint = (
        f"; its base {inherited} is decorated, but settings are not inherited, so "
        "decorate the subclass with its own node type name"
        if inherited
        else ""
    )
    raise SpecError(f"the model has no @node_spec decorator{hint}", model=model.__name__)


def field_spec_meta(
    model: type[BaseModel], field_name: str, metadata: Iterable[object]
) -> FieldSpecMeta:
    """Return the merged spec settings of one field.

    ``metadata`` is the field's metadata (``FieldInfo.metadata`` plus anything
    inside ``Optional[Annotated[...]]``). Settings from every :func:`spec_field`
    found there are combined, then the ``field_overrides`` entry of ``model``'s
    own ``@node_spec``, if any, wins. Two ``spec_field`` calls setting one key
    differently are reported by :func:`conflicting_spec_keys`.
    """
    merged = FieldSpecMeta()
    for item in metadata:
        if isinstance(item, FieldSpecMeta):
            merged = merged.merged_with(item)
    node_meta = vars(model).get(_NODE_META_ATTR)
    if isinstance(node_meta, NodeSpecMeta) and field_name in node_meta.field_overrides:
        merged = merged.merged_with(node_meta.field_overrides[field_name])
    return merged


def conflicting_spec_keys(metadata: Iterable[object]) -> list[str]:
    """Return the spec settings that two ``spec_field`` calls in ``metadata`` set differently."""
    seen: dict[str, Any] = {}
    conflicts: list[str] = []
    for item in metadata:
        if not isinstance(item, FieldSpecMeta):
            continue
        for f in dataclasses.fields(item):
            value = getattr(item, f.name)
            if value is None:
                continue
            if f.name in seen and seen[f.name] != value and f.name not in conflicts:
                conflicts.append(f.name)
            seen[f.name] = value
    return conflicts


def describe_validation_error(exc: ValidationError) -> str:
    """Summarise a validation error by location and message, never by input value."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        location = ".".join(str(part) for part in error["loc"])
        parts.append(f"{location}: {error['msg']}" if location else error["msg"])
    return "; ".join(parts)


_WireT = TypeVar("_WireT", bound=BaseModel)


def _validated(cls: type[_WireT], value: object, model: str, what: str) -> _WireT:
    """Return ``value`` as a ``cls`` instance, or raise a SpecError naming ``what``."""
    if isinstance(value, cls):
        return value
    try:
        return cls.model_validate(value)
    except ValidationError as exc:
        raise SpecError(f"invalid {what}: {describe_validation_error(exc)}", model=model) from None


def _category(category: NodeCategory | str, model: str) -> NodeCategory:
    try:
        return NodeCategory(category)
    except ValueError:
        allowed = ", ".join(c.value for c in NodeCategory)
        raise SpecError(f"unknown node category; use one of {allowed}", model=model) from None


def _field_overrides(
    model: type[BaseModel], overrides: Mapping[str, Mapping[str, Any]]
) -> dict[str, FieldSpecMeta]:
    """Check every override names a real field and a known key; return them as metas."""
    result: dict[str, FieldSpecMeta] = {}
    for field_name, settings in overrides.items():
        if field_name not in model.model_fields:
            raise SpecError(
                "field_overrides names a field the model does not have",
                model=model.__name__,
                field=field_name,
            )
        if not isinstance(settings, Mapping):
            raise SpecError(
                "field_overrides entries must be dicts of spec settings",
                model=model.__name__,
                field=field_name,
            )
        for key in settings:
            if key not in FIELD_OVERRIDE_KEYS:
                allowed = ", ".join(sorted(FIELD_OVERRIDE_KEYS))
                raise SpecError(
                    f"unknown field_overrides key {key!r}; allowed keys: {allowed}",
                    model=model.__name__,
                    field=field_name,
                )
        values = dict(settings)
        if values.get("options") is not None:
            values["options"] = tuple(values["options"])
        result[field_name] = FieldSpecMeta(**values)
    return result

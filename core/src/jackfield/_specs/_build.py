"""Deriving a :class:`~jackfield.NodeSpec` from a node model: :func:`build_spec`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, PydanticUndefinedAnnotation, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticSerializationError, PydanticUndefined, to_jsonable_python

from jackfield._errors import SpecError
from jackfield._specs._derive import (
    bounds,
    humanize,
    is_integer,
    lengths_and_pattern,
    resolve_type,
    unwrap,
)
from jackfield._specs._meta import (
    FieldSpecMeta,
    conflicting_spec_keys,
    describe_validation_error,
    field_spec_meta,
    node_spec_meta,
)
from jackfield._specs._node_data import BaseNodeData
from jackfield._specs._node_spec import NodeSpec, PropertySpec, RequiredWhen

__all__ = ["build_spec"]


def build_spec(model: type[BaseNodeData]) -> NodeSpec:
    """Derive the :class:`~jackfield.NodeSpec` of a node model.

    ``model`` must subclass :class:`~jackfield.BaseNodeData` and carry its own
    :func:`~jackfield.node_spec` decorator. Every field becomes one property (in
    ``property_order`` first, then in declaration order) unless it is marked
    ``spec_exclude``. Property types are derived from the annotation, after
    ``Optional[...]`` is unwrapped:

    ============================  =======================================
    annotation                    property
    ============================  =======================================
    ``str``                       ``string``
    ``int``, ``float``            ``number``
    ``bool``                      ``boolean``
    ``Enum``, ``Literal[...]``    ``options`` (values, humanized labels)
    ``list[SomeModel]``           ``fixed_collection`` (nested properties)
    ``dict[...]``, ``Any``        ``json``
    anything else                 needs ``spec_field(ui_type=...)``
    ============================  =======================================

    Constraints (``gt``/``ge``/``lt``/``le``, ``min_length``/``max_length``,
    ``pattern``) come from the field; on an ``int`` field an exclusive bound is
    shown as the next whole number. Descriptions come from ``description=``;
    display names default to the humanized field name; defaults are written as
    JSON (enum members as their values). ``spec_field`` settings and then
    ``field_overrides`` win over everything derived.

    :raises SpecError: naming ``Model.field`` for a field without a
        description, a type with no derivation, an unusable setting or
        default; naming the model when it is not a decorated ``BaseNodeData``
        subclass or ``property_order`` names an unknown field.
    """
    given: object = model  # callers without type checking may pass anything
    if not (isinstance(given, type) and issubclass(given, BaseNodeData)):
        name = given.__name__ if isinstance(given, type) else type(given).__name__
        raise SpecError("a node model must be a subclass of jackfield.BaseNodeData", model=name)
    meta = node_spec_meta(model)
    context = _Context(root=model.__name__, prefix="", stack=(model,))
    named = _properties(model, context)
    properties = _ordered(named, meta.property_order, model.__name__)
    try:
        return NodeSpec(
            name=meta.name,
            display_name=meta.display_name or humanize(meta.name),
            description=meta.description,
            category=meta.category,
            icon=meta.icon,
            llm_hint=meta.llm_hint,
            docs_url=meta.docs_url,
            version=meta.version,
            properties=properties,
            examples=list(meta.examples),
            graph_constraints=meta.graph_constraints,
        )
    except ValidationError as exc:
        raise SpecError(describe_validation_error(exc), model=model.__name__) from None


@dataclass(frozen=True, slots=True)
class _Context:
    """Where the builder is: the root model's name, the dotted path so far, the models open."""

    root: str
    prefix: str
    stack: tuple[type[BaseModel], ...]

    def path(self, field_name: str) -> str:
        return f"{self.prefix}{field_name}"

    def error(self, message: str, field_name: str) -> SpecError:
        return SpecError(message, model=self.root, field=self.path(field_name))


def _properties(model: type[BaseModel], context: _Context) -> list[tuple[str, PropertySpec]]:
    """Build the properties of ``model``'s fields, paired with their field names."""
    _ensure_complete(model, context)
    named: list[tuple[str, PropertySpec]] = []
    seen: set[str] = set()
    for field_name, info in model.model_fields.items():
        base, inner_metadata = unwrap(info.annotation)
        metadata = [*info.metadata, *inner_metadata]
        conflicts = conflicting_spec_keys(metadata)
        if conflicts:
            raise context.error(
                f"spec_field calls on this field disagree on {', '.join(conflicts)}; "
                "set each spec setting in one place",
                field_name,
            )
        meta = field_spec_meta(model, field_name, metadata)
        if context.prefix and (meta.secret or meta.required_when is not None):
            raise context.error(
                "secret and required_when apply to top-level fields of a node model only "
                "(the node model enforces them), not to fields inside a fixed collection",
                field_name,
            )
        if meta.required_when is not None and not _conditions(meta.required_when):
            raise context.error(
                "required_when needs at least one condition, for example {'enabled': [True]}",
                field_name,
            )
        if meta.spec_exclude:
            if info.is_required():
                raise context.error("a spec_exclude field must have a default", field_name)
            continue
        prop = _property(field_name, info, _Field(base, metadata, meta), context)
        if prop.name in seen:
            raise context.error(f"two fields use the property name {prop.name!r}", field_name)
        seen.add(prop.name)
        named.append((field_name, prop))
    return named


def _conditions(rule: RequiredWhen | Mapping[str, Any]) -> Mapping[str, Any]:
    return rule.root if isinstance(rule, RequiredWhen) else rule


def _ensure_complete(model: type[BaseModel], context: _Context) -> None:
    """Finish a model whose annotations were not all defined when its class was built."""
    if model.__pydantic_complete__:
        return
    try:
        model.model_rebuild()
    except PydanticUndefinedAnnotation as exc:
        raise SpecError(
            f"the model {model.__name__} is not fully defined ({exc.name} is not defined); "
            f"call {model.__name__}.model_rebuild() once it is",
            model=context.root,
            field=context.prefix.removesuffix(".") or None,
        ) from None


def _ordered(
    named: list[tuple[str, PropertySpec]], order: tuple[str, ...] | None, model: str
) -> list[PropertySpec]:
    """Put the fields listed in ``order`` first, the rest after in declaration order."""
    if order is None:
        return [prop for _, prop in named]
    by_field = dict(named)
    listed: list[str] = []
    for field_name in order:
        if field_name not in by_field:
            raise SpecError(
                "property_order names a field that is not a property "
                "(no such field, or it is spec_exclude)",
                model=model,
                field=field_name,
            )
        if field_name in listed:
            raise SpecError("property_order lists the field twice", model=model, field=field_name)
        listed.append(field_name)
    rest = [prop for field_name, prop in named if field_name not in listed]
    return [by_field[field_name] for field_name in listed] + rest


@dataclass(frozen=True, slots=True)
class _Field:
    """One field as read so far: its core type, all its metadata, its spec settings."""

    base: Any
    metadata: list[Any]
    meta: FieldSpecMeta


def _property(field_name: str, info: FieldInfo, field: _Field, context: _Context) -> PropertySpec:
    """Build one property; every problem is a SpecError naming the field's path."""
    base, metadata, meta = field.base, field.metadata, field.meta
    prop_type, options, submodel = resolve_type(
        base, meta, lambda message: context.error(message, field_name)
    )
    description = (meta.description or info.description or "").strip()
    if not description:
        raise context.error(
            "the field has no description; pass description=... to spec_field "
            "(forms and LLMs show it)",
            field_name,
        )
    nested = None
    if submodel is not None:
        if submodel in context.stack:
            raise context.error(f"the model {submodel.__name__} contains itself", field_name)
        child = _Context(
            root=context.root,
            prefix=f"{context.path(field_name)}.",
            stack=(*context.stack, submodel),
        )
        nested = [prop for _, prop in _properties(submodel, child)]
    low, low_exclusive, high, high_exclusive = bounds(metadata, integer=is_integer(base))
    if meta.min_value is not None:
        low, low_exclusive = meta.min_value, False
    if meta.max_value is not None:
        high, high_exclusive = meta.max_value, False
    min_length, max_length, pattern = lengths_and_pattern(metadata)
    try:
        return PropertySpec(
            name=_wire_name(field_name, info, context),
            type=prop_type,
            display_name=meta.display_name or humanize(field_name),
            description=description,
            llm_hint=meta.llm_hint,
            required=info.is_required() if meta.required is None else meta.required,
            default=_default(field_name, info, meta, context),
            placeholder=meta.placeholder,
            display_options=meta.display_options,
            required_when=meta.required_when,
            options=options,
            properties=nested,
            min_value=low,
            max_value=high,
            min_exclusive=low_exclusive or None,
            max_exclusive=high_exclusive or None,
            min_length=meta.spec_min_length if meta.spec_min_length is not None else min_length,
            max_length=meta.spec_max_length if meta.spec_max_length is not None else max_length,
            pattern=meta.spec_pattern if meta.spec_pattern is not None else pattern,
            editor=meta.editor,
            renderer_options=meta.renderer_options,
        )
    except ValidationError as exc:
        raise context.error(describe_validation_error(exc), field_name) from None


def _default(field_name: str, info: FieldInfo, meta: FieldSpecMeta, context: _Context) -> Any:
    """Return the spec default as JSON data; a ``default_factory`` is never called."""
    if meta.spec_default is not None:
        raw = meta.spec_default
    elif info.default is PydanticUndefined:
        return None
    else:
        raw = info.default
    try:
        return to_jsonable_python(raw)
    except PydanticSerializationError:
        raise context.error(
            "the default cannot be written as JSON; pass a JSON-compatible spec_default",
            field_name,
        ) from None


def _wire_name(field_name: str, info: FieldInfo, context: _Context) -> str:
    """Return the key the field has in a node's data (its alias, if it has one)."""
    if isinstance(info.validation_alias, str):
        return info.validation_alias
    if info.validation_alias is not None:
        raise context.error(
            "AliasPath and AliasChoices aliases cannot be shown in a spec; use a plain string",
            field_name,
        )
    return info.alias or field_name

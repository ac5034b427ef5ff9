"""The base classes of every node model, and what they read from field metadata."""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Self

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from jackfield._errors import SpecError
from jackfield._specs._derive import unwrap
from jackfield._specs._display import evaluate_required_when
from jackfield._specs._meta import FieldSpecMeta, spec_field
from jackfield._specs._node_spec import RequiredWhen

__all__ = ["BaseNodeData", "IntegrationNodeData", "node_secret_fields"]

#: What ``repr()`` and ``str()`` show instead of a secret field's value.
_HIDDEN: Final = "**********"


@dataclass(frozen=True, slots=True)
class _RequiredRule:
    field_name: str
    wire_name: str
    rule: RequiredWhen
    condition: str
    """The rule as words (``enabled is true``), for the error message."""


@dataclass(frozen=True, slots=True)
class _NodeRules:
    """What a node model's field metadata declares, read once per class."""

    secret_fields: tuple[str, ...]
    required: tuple[_RequiredRule, ...]
    fields_by_wire_name: dict[str, str]


_RULES: weakref.WeakKeyDictionary[type[BaseModel], _NodeRules] = weakref.WeakKeyDictionary()


def _field_metas(model: type[BaseModel]) -> Iterator[tuple[str, str, FieldSpecMeta]]:
    """Each field's name, wire name and merged ``spec_field`` settings (without overrides)."""
    for field_name, info in model.model_fields.items():
        metadata = [*info.metadata, *unwrap(info.annotation)[1]]
        merged = FieldSpecMeta()
        for item in metadata:
            if isinstance(item, FieldSpecMeta):
                merged = merged.merged_with(item)
        alias = info.validation_alias if isinstance(info.validation_alias, str) else None
        yield field_name, alias or info.alias or field_name, merged


def _describe(rule: RequiredWhen) -> str:
    parts = []
    for field, values in rule.root.items():
        shown = " or ".join(json.dumps(value) for value in values) or "(nothing)"
        parts.append(f"{field} is {shown}")
    return " and ".join(parts)


def _rules(model: type[BaseModel]) -> _NodeRules:
    found = _RULES.get(model)
    if found is not None:
        return found
    secrets: list[str] = []
    required: list[_RequiredRule] = []
    by_wire: dict[str, str] = {}
    for field_name, wire_name, meta in _field_metas(model):
        by_wire[wire_name] = field_name
        if meta.secret:
            secrets.append(field_name)
        if meta.required_when is not None:
            try:
                rule = (
                    meta.required_when
                    if isinstance(meta.required_when, RequiredWhen)
                    else RequiredWhen.model_validate(meta.required_when)
                )
            except ValidationError:
                raise SpecError(
                    "required_when must map sibling field names to lists of JSON scalars",
                    model=model.__name__,
                    field=field_name,
                ) from None
            if rule.root:
                required.append(_RequiredRule(field_name, wire_name, rule, _describe(rule)))
    found = _NodeRules(tuple(secrets), tuple(required), by_wire)
    _RULES[model] = found
    return found


def node_secret_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Return the secret fields a node model declares, by field name.

    Those marked ``spec_field(secret=True)``, then (for compatibility) those
    named by a ``sensitive_fields`` class attribute.
    """
    names = list(_rules(model).secret_fields)
    legacy = getattr(model, "sensitive_fields", ())
    if isinstance(legacy, tuple | list | frozenset | set):
        names.extend(n for n in legacy if isinstance(n, str) and n not in names)
    return tuple(names)


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class BaseNodeData(BaseModel):
    """Base class of every node's ``data`` model; plugin node models inherit it.

    It gives every node a ``name`` (required, not blank, part of the spec) and
    the workflow flags ``is_start`` / ``is_end``, which are persisted with the
    node but never part of its spec.

    Unknown keys are rejected (``extra="forbid"``), so a misspelt field in a
    hand- or LLM-written workflow is an error rather than silently dropped.
    Validation errors never show the offending input (``hide_input_in_errors``):
    node data holds secrets such as API keys, and errors end up in logs.

    It also applies what the fields declare, with no code in the subclass:
    fields marked ``spec_field(secret=True)`` show as ``'**********'`` in
    ``repr()`` and ``str()``, and a field with ``spec_field(required_when=...)``
    must have a value (not ``None``, ``""`` or only whitespace) whenever its
    rule matches; a missing one is a ``missing`` error located at that field.
    Both are read from the field metadata once per class.

    Example::

        @node_spec(name="tuner", description="Sends call analytics to Tuner after each call.")
        class TunerNode(BaseNodeData):
            agent_id: str = spec_field(description="Tuner agent that receives the calls.")
            api_key: str = spec_field(description="Tuner API key.", secret=True)
    """

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    sensitive_fields: ClassVar[tuple[str, ...]] = ()
    """Kept for compatibility: names of further secret fields, hidden in reprs and
    masked like ``spec_field(secret=True)`` fields. Declare ``secret=True`` on
    the field instead."""

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        hidden = node_secret_fields(type(self))
        for name, value in super().__repr_args__():
            yield name, (_HIDDEN if name in hidden and value is not None else value)

    name: str = spec_field(
        description="Name of this node, shown in the workflow editor.",
        min_length=1,
    )
    is_start: bool = spec_field(
        default=False,
        description="Whether the workflow starts at this node.",
        spec_exclude=True,
    )
    is_end: bool = spec_field(
        default=False,
        description="Whether the workflow ends at this node.",
        spec_exclude=True,
    )

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name must not be blank")
        return value

    @model_validator(mode="after")
    def _jackfield_required_when(self) -> Self:
        rules = _rules(type(self))
        if not rules.required:
            return self
        values = {wire: getattr(self, name) for wire, name in rules.fields_by_wire_name.items()}
        errors = [
            InitErrorDetails(
                type=PydanticCustomError(
                    "missing", "Field required when {condition}", {"condition": rule.condition}
                ),
                loc=(rule.wire_name,),
                input=None,
            )
            for rule in rules.required
            if _is_missing(values.get(rule.wire_name)) and evaluate_required_when(rule.rule, values)
        ]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors, hide_input=True)
        return self


class IntegrationNodeData(BaseNodeData):
    """Base class of integration node models: :class:`BaseNodeData` plus ``enabled``.

    ``enabled`` (default ``True``) is the host's convention for switching a node
    off without removing it: a node is enabled unless its data says
    ``"enabled": false`` (what :func:`jackfield.enabled_nodes` filters on), and a
    disabled node does nothing. Fields a working node needs are declared
    ``spec_field(default=None, required_when={"enabled": [True]})``, so a
    disabled node may leave them empty. Give ``enabled`` a node-specific
    description with ``@node_spec(field_overrides={"enabled": {"description": ...}})``.
    """

    enabled: bool = spec_field(
        default=True,
        description="Whether the node acts on this workflow's calls; when off it does nothing.",
    )

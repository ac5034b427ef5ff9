"""Reading a field's annotation: property type, options and constraints.

The derivation table itself is documented on :func:`jackfield.build_spec`.
"""

from __future__ import annotations

import collections.abc
import math
import re
import types
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Annotated, Any, Final, Literal, TypeAlias, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from jackfield._errors import SpecError
from jackfield._specs._meta import FieldSpecMeta
from jackfield._specs._node_spec import PropertyOption, PropertyType

__all__ = ["bounds", "humanize", "is_integer", "lengths_and_pattern", "resolve_type", "unwrap"]

#: Builds the SpecError for the field being read, from a message.
_Fail: TypeAlias = Callable[[str], SpecError]

_UNION_ORIGINS: Final = (Union, types.UnionType)
_MAPPING_ORIGINS: Final = (dict, collections.abc.Mapping, collections.abc.MutableMapping)
_COLLECTION_ORIGINS: Final = (
    list,
    set,
    frozenset,
    tuple,
    collections.abc.Sequence,
    collections.abc.MutableSequence,
    collections.abc.Set,
    collections.abc.MutableSet,
)
_OPTION_TYPES: Final = (PropertyType.OPTIONS, PropertyType.MULTI_OPTIONS)

#: Words written in capitals in humanized names (a trailing "s" is kept: "IDs").
_ACRONYMS: Final = frozenset(
    {"ai", "api", "crm", "csv", "dtmf", "http", "https", "id", "ip", "json", "llm", "pdf", "pii"}
    | {"qa", "sdk", "sip", "sms", "sql", "ssl", "stt", "tls", "ttl", "tts", "ui", "uri", "url"}
    | {"uuid", "xml"}
)
_WORD: Final = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z0-9]+")


def humanize(identifier: str) -> str:
    """Turn a field, enum member or type name into a label: ``"api_key"`` -> ``"API key"``.

    Words are split on ``_``, ``-``, spaces and camelCase; the first word is
    capitalised, the others lower-cased, and common acronyms upper-cased.
    """
    words = _WORD.findall(identifier)
    if not words:
        return identifier
    out = []
    for index, word in enumerate(words):
        lower = word.lower()
        if lower in _ACRONYMS:
            out.append(lower.upper())
        elif lower.endswith("s") and lower[:-1] in _ACRONYMS:
            out.append(lower[:-1].upper() + "s")
        else:
            out.append(lower.capitalize() if index == 0 else lower)
    return " ".join(out)


def unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """Strip ``Annotated`` and ``Optional``; return the core type and the metadata met.

    A ``FieldInfo`` found inside (``Optional[Annotated[int, Field(gt=0)]]``)
    contributes its own metadata, where Pydantic keeps its constraints.
    """
    metadata: list[Any] = []
    current = annotation
    while True:
        origin = get_origin(current)
        if origin is Annotated:
            for item in current.__metadata__:
                metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
            current = current.__origin__
        elif origin in _UNION_ORIGINS:
            members = get_args(current)
            not_none = [m for m in members if m is not type(None)]
            if len(not_none) != 1 or len(members) == 1:
                return current, metadata
            current = not_none[0]
        else:
            return current, metadata


def resolve_type(
    base: Any, meta: FieldSpecMeta, fail: _Fail
) -> tuple[PropertyType, list[Any] | None, type[BaseModel] | None]:
    """Return the property type, its options and (for a fixed collection) the item model."""
    item = _collection_item(base)
    submodel = (
        item
        if get_origin(base) is list and isinstance(item, type) and issubclass(item, BaseModel)
        else None
    )
    if meta.ui_type is None:
        prop_type = _derived_type(base, submodel, fail)
    else:
        try:
            prop_type = PropertyType(meta.ui_type)
        except ValueError:
            allowed = ", ".join(t.value for t in PropertyType)
            raise fail(f"unknown ui_type; use one of {allowed}") from None
    options: list[Any] | None = None
    if prop_type in _OPTION_TYPES:
        source = base if prop_type is PropertyType.OPTIONS else item
        derived = _derived_options(source, fail) if source is not None else None
        options = derived
        if meta.options is not None:
            options = list(meta.options)
            if derived is not None:
                _check_explicit_options(options, derived, fail)
        if not options:
            raise fail(
                f"a {prop_type.value} property needs options: annotate it with an Enum or "
                "Literal (a list of one for multi_options) or pass options=[...]"
            )
    elif meta.options is not None:
        raise fail(
            f"options= only applies to options and multi_options properties, not {prop_type.value}"
        )
    if prop_type is PropertyType.FIXED_COLLECTION:
        if submodel is None:
            raise fail("a fixed_collection property must be annotated list[SomeModel]")
        return prop_type, options, submodel
    return prop_type, options, None


def _derived_type(base: Any, submodel: type[BaseModel] | None, fail: _Fail) -> PropertyType:
    """Apply the derivation table of :func:`build_spec`, or raise naming the field."""
    origin = get_origin(base)
    if base is Any or base in _MAPPING_ORIGINS or origin in _MAPPING_ORIGINS:
        return PropertyType.JSON
    if origin is Literal or (isinstance(base, type) and issubclass(base, Enum)):
        return PropertyType.OPTIONS
    if base is bool:
        return PropertyType.BOOLEAN
    if isinstance(base, type) and issubclass(base, (int, float)):
        return PropertyType.NUMBER
    if isinstance(base, type) and issubclass(base, str):
        return PropertyType.STRING
    if submodel is not None:
        return PropertyType.FIXED_COLLECTION
    if base in _COLLECTION_ORIGINS or origin in _COLLECTION_ORIGINS:
        raise fail(
            f"{_type_name(base)} has no derived property type (only lists of models do); "
            "pass ui_type=... to spec_field, for example PropertyType.MULTI_OPTIONS "
            "or PropertyType.JSON"
        )
    raise fail(
        f"cannot derive a property type from {_type_name(base)}; pass ui_type=... to spec_field"
    )


def _collection_item(annotation: Any) -> Any:
    """Return the unwrapped item type of a list-like annotation, else ``None``."""
    if annotation in _COLLECTION_ORIGINS:
        return Any
    if get_origin(annotation) not in _COLLECTION_ORIGINS:
        return None
    args = [a for a in get_args(annotation) if a is not Ellipsis]
    if len(args) != 1:
        return None
    return unwrap(args[0])[0]


def _derived_options(source: Any, fail: _Fail) -> list[PropertyOption] | None:
    """Return the options of an Enum or Literal type (``None`` for any other type)."""
    if get_origin(source) is Literal:
        pairs = [(value, _label(value)) for value in get_args(source) if value is not None]
    elif isinstance(source, type) and issubclass(source, Enum):
        pairs = [(member.value, humanize(member.name)) for member in source]
    else:
        return None
    for value, _ in pairs:
        if not isinstance(value, str | int | float):
            raise fail("option values must be strings, numbers or booleans")
    return [PropertyOption(value=value, label=label) for value, label in pairs]


def _check_explicit_options(
    explicit: list[Any], derived: list[PropertyOption], fail: _Fail
) -> None:
    """Every explicit option of an Enum or Literal field must be a value the field accepts."""
    accepted = [option.value for option in derived]
    for option in explicit:
        value: object
        if isinstance(option, PropertyOption):
            value = option.value
        elif isinstance(option, Mapping):
            value = option.get("value")
        else:
            raise fail("options= entries must be PropertyOption objects or dicts")
        if isinstance(value, Enum):
            value = value.value
        if not any(value == a and isinstance(value, bool) == isinstance(a, bool) for a in accepted):
            raise fail(
                f"options= lists the value {value!r}, which the field's type does not accept"
            )


def _label(value: object) -> str:
    """Label of a ``Literal`` option: humanized text, or the number or boolean as written."""
    if isinstance(value, str):
        return humanize(value)
    return str(value)


def is_integer(base: Any) -> bool:
    """Whether ``base`` is an integer type (not ``bool``, not an ``IntEnum``)."""
    return isinstance(base, type) and issubclass(base, int) and not issubclass(base, (bool, Enum))


def bounds(metadata: list[Any], *, integer: bool) -> tuple[float | None, bool, float | None, bool]:
    """Return the tightest (lower, lower exclusive, upper, upper exclusive) bounds."""
    lows: list[tuple[float, bool]] = []
    highs: list[tuple[float, bool]] = []
    for item in metadata:
        for attr, bucket, exclusive in (
            ("gt", lows, True),
            ("ge", lows, False),
            ("lt", highs, True),
            ("le", highs, False),
        ):
            value = getattr(item, attr, None)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if not math.isfinite(value):
                continue
            if integer:
                rounded = {
                    "gt": math.floor(value) + 1,
                    "ge": math.ceil(value),
                    "lt": math.ceil(value) - 1,
                    "le": math.floor(value),
                }[attr]
                bucket.append((rounded, False))
            else:
                bucket.append((value, exclusive))
    low = max(lows, key=lambda bound: (bound[0], bound[1])) if lows else None
    high = min(highs, key=lambda bound: (bound[0], not bound[1])) if highs else None
    return (
        low[0] if low else None,
        low[1] if low else False,
        high[0] if high else None,
        high[1] if high else False,
    )


def lengths_and_pattern(metadata: list[Any]) -> tuple[int | None, int | None, str | None]:
    """Return the tightest min/max length and the first pattern in ``metadata``."""
    mins: list[int] = []
    maxes: list[int] = []
    pattern: str | None = None
    for item in metadata:
        low = getattr(item, "min_length", None)
        high = getattr(item, "max_length", None)
        if isinstance(low, int) and not isinstance(low, bool):
            mins.append(low)
        if isinstance(high, int) and not isinstance(high, bool):
            maxes.append(high)
        found = getattr(item, "pattern", None)
        if isinstance(found, re.Pattern):
            found = found.pattern
        if pattern is None and isinstance(found, str):
            pattern = found
    return (max(mins) if mins else None, min(maxes) if maxes else None, pattern)


def _type_name(annotation: Any) -> str:
    """A short readable name of an annotation, for error messages."""
    if isinstance(annotation, type) and not get_args(annotation):
        return annotation.__qualname__
    return repr(annotation).replace("typing.", "")

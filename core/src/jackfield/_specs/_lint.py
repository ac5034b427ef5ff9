"""Spec lint: find what makes a node spec hard to use before anyone installs it.

:func:`lint_node_spec` checks one :class:`~jackfield.NodeSpec` (and, when given,
the Pydantic model it was built from) and returns every problem it finds as a
:class:`SpecProblem`; it never raises for a bad spec. ``jackfield doctor``, the
testing kit and the plugin host all call it, so its rule codes are stable.

Most problems are about quality (a placeholder description, no example). A few
make the node *unusable* (an example the model rejects, an ``options`` property
with nothing to choose): :attr:`SpecProblem.unusable` says which, and a host
refuses a plugin only for those.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from jackfield._specs._node_spec import DisplayOptions, NodeSpec, PropertySpec, PropertyType

__all__ = ["MIN_NODE_DESCRIPTION_LENGTH", "SpecProblem", "lint_catalog", "lint_node_spec"]

#: A node type's description must have at least this many characters.
MIN_NODE_DESCRIPTION_LENGTH: Final = 20

#: Descriptions that say nothing (compared lower-cased, trimmed, without a final ".").
_PLACEHOLDERS: Final = frozenset(
    {
        "",
        "todo",
        "tbd",
        "tba",
        "fixme",
        "xxx",
        "...",
        "…",
        "-",
        "--",
        "?",
        "n/a",
        "na",
        "none",
        "null",
        "placeholder",
        "description",
        "desc",
        "lorem ipsum",
        "some description",
        "add description",
        "no description",
        "description here",
    }
)
#: A description that starts with one of these markers is unfinished work ("TODO: explain").
_UNFINISHED_MARKER: Final = re.compile(r"^(todo|tbd|fixme|xxx)\b", re.IGNORECASE)
_OPTION_TYPES: Final = frozenset({PropertyType.OPTIONS, PropertyType.MULTI_OPTIONS})


@dataclass(frozen=True, slots=True)
class SpecProblem:
    """One problem :func:`lint_node_spec` found in a node spec.

    :param node_type: the node type the problem is in (``NodeSpec.name``).
    :param path: where in the spec: a property path such as ``api_key`` or
        ``headers[].name`` (a sub-property of the ``headers`` fixed collection),
        or a node attribute such as ``description`` or ``examples[0]``.
    :param rule: the stable code of the rule that failed, for example
        ``description-placeholder``; ``docs/spec-compatibility.md`` lists them all.
    :param message: a readable sentence naming the node type and path. It never
        contains a value from an example or a default: those may be secrets.
    :param unusable: ``True`` when the node cannot be used as specified (a host
        refuses the plugin); ``False`` for quality problems worth fixing.
    """

    node_type: str
    path: str
    rule: str
    message: str
    unusable: bool = False

    def __str__(self) -> str:
        return f"{self.message} [{self.rule}]"


def lint_node_spec(spec: NodeSpec, model: type[BaseModel] | None = None) -> list[SpecProblem]:
    """Return every problem found in ``spec``, in a stable order (empty when it is clean).

    Checks that the node description has at least
    :data:`MIN_NODE_DESCRIPTION_LENGTH` characters, that no node or property
    description is a placeholder (``TODO``, ``TBD``, ``...``, ``description``, the
    property's own name...), that property names are unique, that ``options`` and
    ``multi_options`` properties list options, that fixed collections have
    sub-properties, that display options and ``required_when`` rules refer to
    sibling properties (and to option values those properties can hold) and that
    there is at least one
    example. When ``model`` is given, every example's ``data`` must also pass
    ``model.model_validate``; each validation error is reported with its location
    and error type only.

    :param spec: the node spec to check.
    :param model: the Pydantic model the spec was built from, to validate examples.
    :returns: the problems; see :attr:`SpecProblem.unusable` for which are fatal.
    """
    problems: list[SpecProblem] = []
    problems.extend(_lint_node_description(spec))
    problems.extend(_lint_properties(spec.name, spec.properties, prefix=""))
    problems.extend(_lint_examples(spec, model))
    return problems


def lint_catalog(
    specs: Iterable[NodeSpec],
    models: Mapping[str, type[BaseModel]] | None = None,
) -> list[SpecProblem]:
    """Lint many node specs at once, and check that their type names are unique.

    :param specs: the node specs, for example every spec a plugin registers.
    :param models: the model of each node type, by type name; a type without an
        entry is linted without example validation.
    :returns: the problems of every spec, in input order, then one
        ``node-type-duplicate`` problem per type name used more than once.
    """
    specs = list(specs)
    models = models or {}
    problems: list[SpecProblem] = []
    for spec in specs:
        problems.extend(lint_node_spec(spec, models.get(spec.name)))
    counts = Counter(spec.name for spec in specs)
    for name, count in counts.items():
        if count > 1:
            problems.append(
                SpecProblem(
                    name,
                    "",
                    "node-type-duplicate",
                    f"node type {name!r} is defined {count} times; type names must be unique",
                    unusable=True,
                )
            )
    return problems


def _is_placeholder(description: str, *names: str) -> bool:
    """Whether ``description`` says nothing: a placeholder word or just a name repeated."""
    text = " ".join(description.split()).lower().rstrip(".:")
    if text in _PLACEHOLDERS or _UNFINISHED_MARKER.match(text):
        return True
    if not any(ch.isalnum() for ch in text):
        return True
    spelled = {n.lower() for n in names} | {n.replace("_", " ").lower() for n in names}
    return text in spelled


def _lint_node_description(spec: NodeSpec) -> list[SpecProblem]:
    where = f"node type {spec.name!r}"
    if _is_placeholder(spec.description, spec.name, spec.display_name):
        return [
            SpecProblem(
                spec.name,
                "description",
                "description-placeholder",
                f"{where}: the description is a placeholder; say what the node does",
            )
        ]
    length = len(spec.description.strip())
    if length < MIN_NODE_DESCRIPTION_LENGTH:
        return [
            SpecProblem(
                spec.name,
                "description",
                "description-too-short",
                f"{where}: the description has {length} characters; write at least "
                f"{MIN_NODE_DESCRIPTION_LENGTH} saying what the node does",
            )
        ]
    return []


def _lint_properties(
    node_type: str, properties: Sequence[PropertySpec], *, prefix: str
) -> list[SpecProblem]:
    """Check one level of properties (top-level, or one fixed collection's items)."""
    problems: list[SpecProblem] = []
    by_name = {prop.name: prop for prop in properties}
    for name, count in Counter(prop.name for prop in properties).items():
        if count > 1:
            problems.append(
                SpecProblem(
                    node_type,
                    prefix + name,
                    "property-name-duplicate",
                    f"node type {node_type!r}: property {prefix + name!r} is defined "
                    f"{count} times; property names must be unique",
                    unusable=True,
                )
            )
    for prop in properties:
        path = prefix + prop.name
        where = f"node type {node_type!r}, property {path!r}"
        if _is_placeholder(prop.description, prop.name, prop.display_name):
            problems.append(
                SpecProblem(
                    node_type,
                    path,
                    "description-placeholder",
                    f"{where}: the description is a placeholder; say what the value is for",
                )
            )
        if prop.type in _OPTION_TYPES and not prop.options:
            problems.append(
                SpecProblem(
                    node_type,
                    path,
                    "options-missing",
                    f"{where}: an {prop.type.value} property must list its options",
                    unusable=True,
                )
            )
        if prop.type is PropertyType.FIXED_COLLECTION and not prop.properties:
            problems.append(
                SpecProblem(
                    node_type,
                    path,
                    "fixed-collection-empty",
                    f"{where}: a fixed_collection property must have sub-properties",
                    unusable=True,
                )
            )
        if prop.display_options is not None:
            problems.extend(_lint_display_options(node_type, path, prop.display_options, by_name))
        if prop.required_when is not None:
            problems.extend(
                _lint_conditions(node_type, path, "required_when", prop.required_when.root, by_name)
            )
        if prop.properties:
            problems.extend(_lint_properties(node_type, prop.properties, prefix=f"{path}[]."))
    return problems


def _lint_display_options(
    node_type: str,
    path: str,
    rules: DisplayOptions,
    siblings: Mapping[str, PropertySpec],
) -> list[SpecProblem]:
    """Check that ``show``/``hide`` name sibling properties and values they can hold."""
    problems: list[SpecProblem] = []
    for kind, conditions in (("show", rules.show), ("hide", rules.hide)):
        problems.extend(
            _lint_conditions(node_type, path, f"display_options.{kind}", conditions, siblings)
        )
    return problems


def _lint_conditions(
    node_type: str,
    path: str,
    what: str,
    conditions: Mapping[str, Sequence[Any]] | None,
    siblings: Mapping[str, PropertySpec],
) -> list[SpecProblem]:
    """Check one condition map (``display_options.show``, ``required_when``...)."""
    problems: list[SpecProblem] = []
    where = f"node type {node_type!r}, property {path!r}"
    rule = "required-when" if what == "required_when" else "display-options"
    for field, values in sorted((conditions or {}).items()):
        target = siblings.get(field)
        if target is None:
            problems.append(
                SpecProblem(
                    node_type,
                    path,
                    f"{rule}-unknown-field",
                    f"{where}: {what} refers to {field!r}, which is not a sibling property",
                )
            )
            continue
        if target.type not in _OPTION_TYPES or not target.options:
            continue
        allowed = {option.value for option in target.options}
        unknown = [v for v in values if v is not None and v not in allowed]
        if unknown:
            problems.append(
                SpecProblem(
                    node_type,
                    path,
                    f"{rule}-unknown-value",
                    f"{where}: {what} compares {field!r} with "
                    f"{len(unknown)} value(s) that are not among its options",
                )
            )
    return problems


def _lint_examples(spec: NodeSpec, model: type[BaseModel] | None) -> list[SpecProblem]:
    where = f"node type {spec.name!r}"
    if not spec.examples:
        return [
            SpecProblem(
                spec.name,
                "examples",
                "examples-missing",
                f"{where}: add at least one example of a complete, valid node data object",
            )
        ]
    if model is None:
        return []
    problems: list[SpecProblem] = []
    for index, example in enumerate(spec.examples):
        path = f"examples[{index}]"
        label = f"{where}: example {index} ({example.name!r})"
        for detail in _validation_failures(model, example.data):
            problems.append(
                SpecProblem(
                    spec.name,
                    path,
                    "example-invalid",
                    f"{label} does not validate against {model.__name__}: {detail}",
                    unusable=True,
                )
            )
    return problems


def _validation_failures(model: type[BaseModel], data: dict[str, Any]) -> list[str]:
    """Validate ``data``; describe each failure by location and error type, never by value."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        failures = []
        for error in exc.errors(include_url=False, include_context=False, include_input=False):
            loc = ".".join(str(part) for part in error["loc"]) or "(whole object)"
            failures.append(f"{loc}: {error['type']}")
        return failures
    except Exception as exc:  # a validator crashed; its message may quote the value
        return [f"validation raised {type(exc).__name__}"]
    return []

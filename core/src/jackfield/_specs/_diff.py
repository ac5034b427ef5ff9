"""Spec compatibility: what changed between two node catalogs, and does it break anything.

Persisted workflows store node type names and ``data`` objects keyed by property
name, so a plugin release that renames a type, drops a property or tightens a
constraint can make saved workflows fail to load. :func:`diff_specs` compares the
catalog of the last release with the new one and classifies every change as
``"breaking"`` or ``"compatible"``; ``jackfield specs diff`` runs it in CI.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from jackfield._specs._node_spec import SPEC_VERSION, GraphConstraints, NodeSpec, PropertySpec

__all__ = ["CatalogInput", "ChangeKind", "SpecChange", "SpecDiff", "diff_specs", "load_catalog"]

ChangeKind = Literal["breaking", "compatible"]

#: What :func:`diff_specs` accepts for each side: node specs, or the catalog JSON
#: object ``{"spec_version": ..., "node_types": [...]}`` that ``jackfield node-types`` prints.
CatalogInput = Sequence[NodeSpec] | Mapping[str, Any]

_TEXT_ATTRIBUTES = ("display_name", "description", "llm_hint")
_NODE_PRESENTATION = ("icon", "docs_url")
_PROPERTY_PRESENTATION = ("placeholder", "editor", "renderer_options", "display_options")


@dataclass(frozen=True, slots=True)
class SpecChange:
    """One difference between two catalogs.

    :param kind: ``"breaking"`` if workflows saved against the old catalog may no
        longer load or validate, else ``"compatible"``.
    :param node_type: the node type concerned (the *old* name for a rename).
    :param path: a property path (``api_key``, ``headers[].name``), a node
        attribute (``description``, ``graph_constraints.max_instances``), or
        ``""`` for the node type as a whole.
    :param code: a stable code such as ``property-removed``.
    :param message: a readable sentence naming the node type and path.
    """

    kind: ChangeKind
    node_type: str
    path: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """Return the change as a JSON-ready dictionary."""
        return {
            "kind": self.kind,
            "node_type": self.node_type,
            "path": self.path,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class SpecDiff:
    """All changes between two catalogs, sorted by node type, path, code and message."""

    changes: tuple[SpecChange, ...]

    @property
    def breaking(self) -> list[SpecChange]:
        """The changes that can break saved workflows."""
        return [c for c in self.changes if c.kind == "breaking"]

    @property
    def compatible(self) -> list[SpecChange]:
        """The changes that keep every saved workflow valid."""
        return [c for c in self.changes if c.kind == "compatible"]

    @property
    def is_breaking(self) -> bool:
        """Whether any change is breaking."""
        return any(c.kind == "breaking" for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"breaking": bool, "changes": [...]}``, ready for :func:`json.dumps`."""
        return {"breaking": self.is_breaking, "changes": [c.to_dict() for c in self.changes]}

    def to_text(self) -> str:
        """Render the diff for people: breaking changes first, then compatible ones."""
        if not self.changes:
            return "No changes."
        lines: list[str] = []
        for title, changes in (("Breaking", self.breaking), ("Compatible", self.compatible)):
            if not changes:
                continue
            if lines:
                lines.append("")
            noun = "change" if len(changes) == 1 else "changes"
            lines.append(f"{title} {noun} ({len(changes)}):")
            lines.extend(f"  - {c.message} [{c.code}]" for c in changes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def load_catalog(catalog: CatalogInput) -> list[NodeSpec]:
    """Turn either accepted catalog form into node specs.

    :raises ValueError: if the catalog has the wrong shape, a newer major
        ``spec_version``, an invalid node spec, or one type name twice. The
        message names the offending entry but never quotes its values.
    """
    entries = _catalog_entries(catalog)
    specs = [_node_spec(index, entry) for index, entry in enumerate(entries)]
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ValueError(f"node type {spec.name!r} appears more than once")
        seen.add(spec.name)
    return specs


def _catalog_entries(catalog: object) -> list[object]:
    """The node entries of a catalog in either form; typed ``object`` as callers may err."""
    if isinstance(catalog, Mapping):
        version = catalog.get("spec_version")
        if version is not None and not isinstance(version, str):
            raise ValueError("'spec_version' must be a string")
        if version is not None and version.split(".")[0] != SPEC_VERSION.split(".")[0]:
            raise ValueError(
                f"the catalog uses spec format {version}; this jackfield reads {SPEC_VERSION}"
            )
        entries = catalog.get("node_types")
        if not isinstance(entries, list):
            raise ValueError("a catalog must be an object with a 'node_types' list")
        return list(entries)
    if isinstance(catalog, str | bytes) or not isinstance(catalog, Sequence):
        raise ValueError("a catalog must be a sequence of NodeSpec or a catalog object")
    return list(catalog)


def _node_spec(index: int, entry: object) -> NodeSpec:
    if isinstance(entry, NodeSpec):
        return entry
    try:
        return NodeSpec.model_validate(entry)
    except ValidationError as exc:
        name = entry.get("name") if isinstance(entry, Mapping) else None
        what = f"node_types[{index}]" + (f" ({name!r})" if isinstance(name, str) else "")
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(entry)'}: {err['msg']}"
            for err in exc.errors(include_url=False, include_context=False, include_input=False)
        )
        raise ValueError(f"{what} is not a valid node spec: {details}") from None


def diff_specs(old_catalog: CatalogInput, new_catalog: CatalogInput) -> SpecDiff:
    """Compare two node catalogs and classify every change.

    Breaking: a node type removed (reported as a rename when an added type has
    exactly the same properties), its category changed, a property removed
    (including fixed-collection sub-properties), a property's type changed, a
    property newly required, a new required property without a default, an
    option value removed, or a constraint tightened (``min_value`` or
    ``min_length`` raised, ``max_value`` or ``max_length`` lowered, a ``pattern``
    added or changed, a graph constraint bound narrowed). Everything else is
    compatible: additions, relaxations, and changes to text, defaults, examples
    and presentation.

    :param old_catalog: the catalog of the last release.
    :param new_catalog: the catalog of the new build.
    :returns: the changes in a deterministic order.
    :raises ValueError: if either catalog is malformed (see :func:`load_catalog`).
    """
    old = {spec.name: spec for spec in load_catalog(old_catalog)}
    new = {spec.name: spec for spec in load_catalog(new_catalog)}
    changes: list[SpecChange] = []
    removed = sorted(old.keys() - new.keys())
    added = sorted(new.keys() - old.keys())
    renames = _match_renames([old[n] for n in removed], [new[n] for n in added])
    for old_name in removed:
        if old_name in renames:
            changes.append(
                _breaking(
                    old_name,
                    "",
                    "node-type-renamed",
                    f"node type {old_name!r} was renamed to {renames[old_name]!r}; "
                    "saved workflows still use the old name",
                )
            )
        else:
            changes.append(
                _breaking(old_name, "", "node-type-removed", f"node type {old_name!r} was removed")
            )
    renamed_to = set(renames.values())
    for new_name in added:
        if new_name not in renamed_to:
            changes.append(
                _compatible(new_name, "", "node-type-added", f"node type {new_name!r} was added")
            )
    for name in sorted(old.keys() & new.keys()):
        changes.extend(_diff_node(old[name], new[name]))
    return SpecDiff(tuple(sorted(changes, key=lambda c: (c.node_type, c.path, c.code, c.message))))


def _breaking(node_type: str, path: str, code: str, message: str) -> SpecChange:
    return SpecChange("breaking", node_type, path, code, message)


def _compatible(node_type: str, path: str, code: str, message: str) -> SpecChange:
    return SpecChange("compatible", node_type, path, code, message)


def _shape(spec: NodeSpec) -> frozenset[tuple[str, str]]:
    return frozenset((p.name, p.type.value) for p in spec.properties)


def _match_renames(removed: list[NodeSpec], added: list[NodeSpec]) -> dict[str, str]:
    """Pair each removed type with the first unpaired added type of identical shape."""
    renames: dict[str, str] = {}
    available = list(added)
    for old in removed:
        if not old.properties:
            continue
        for candidate in available:
            if _shape(candidate) == _shape(old):
                renames[old.name] = candidate.name
                available.remove(candidate)
                break
    return renames


def _diff_node(old: NodeSpec, new: NodeSpec) -> Iterator[SpecChange]:
    name = old.name
    where = f"node type {name!r}"
    if old.category != new.category:
        yield _breaking(
            name,
            "category",
            "category-changed",
            f"{where}: category changed from {old.category.value!r} to {new.category.value!r}",
        )
    for attribute in (*_TEXT_ATTRIBUTES, *_NODE_PRESENTATION):
        if getattr(old, attribute) != getattr(new, attribute):
            yield _compatible(name, attribute, "text-changed", f"{where}: {attribute} changed")
    if old.version != new.version:
        yield _compatible(
            name,
            "version",
            "version-changed",
            f"{where}: version changed from {old.version!r} to {new.version!r}",
        )
    if old.examples != new.examples:
        yield _compatible(name, "examples", "examples-changed", f"{where}: examples changed")
    yield from _diff_graph_constraints(name, old.graph_constraints, new.graph_constraints)
    yield from _diff_properties(name, old.properties, new.properties, prefix="")


def _diff_graph_constraints(
    name: str, old: GraphConstraints | None, new: GraphConstraints | None
) -> Iterator[SpecChange]:
    old_values = (old or GraphConstraints()).model_dump()
    new_values = (new or GraphConstraints()).model_dump()
    for bound in GraphConstraints.model_fields:
        path = f"graph_constraints.{bound}"
        yield from _diff_bound(
            name,
            path,
            f"node type {name!r}: {path}",
            old_values[bound],
            new_values[bound],
            upper=bound.startswith("max_"),
            unbounded_lower=0,
        )


def _diff_bound(
    name: str,
    path: str,
    where: str,
    old: float | None,
    new: float | None,
    *,
    upper: bool,
    unbounded_lower: float | None = None,
) -> Iterator[SpecChange]:
    """Classify a change of one lower or upper bound (``None`` = unbounded)."""
    if upper:
        old_key, new_key = _upper(old), _upper(new)
    else:
        old_key = _lower(old if old is not None else unbounded_lower)
        new_key = _lower(new if new is not None else unbounded_lower)
    if old_key == new_key:
        return
    tightened = new_key < old_key if upper else new_key > old_key
    change = f"{where} changed from {_show(old)} to {_show(new)}"
    if tightened:
        yield _breaking(name, path, "constraint-tightened", change)
    else:
        yield _compatible(name, path, "constraint-relaxed", change)


def _upper(value: float | None) -> float:
    return float("inf") if value is None else value


def _lower(value: float | None) -> float:
    return float("-inf") if value is None else value


def _show(value: float | None) -> str:
    if value is None:
        return "unbounded"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


def _diff_properties(
    name: str,
    old_properties: Sequence[PropertySpec],
    new_properties: Sequence[PropertySpec],
    *,
    prefix: str,
) -> Iterator[SpecChange]:
    old_by_name = {p.name: p for p in old_properties}
    new_by_name = {p.name: p for p in new_properties}
    for prop in old_properties:
        if prop.name not in new_by_name:
            path = prefix + prop.name
            yield _breaking(
                name, path, "property-removed", f"node type {name!r}: property {path!r} was removed"
            )
    for prop in new_properties:
        if prop.name in old_by_name:
            continue
        path = prefix + prop.name
        where = f"node type {name!r}: property {path!r}"
        if prop.required and prop.default is None:
            yield _breaking(
                name,
                path,
                "property-added-required",
                f"{where} was added as required without a default",
            )
        else:
            yield _compatible(name, path, "property-added", f"{where} was added")
    old_common = [p.name for p in old_properties if p.name in new_by_name]
    new_common = [p.name for p in new_properties if p.name in old_by_name]
    if old_common != new_common:
        where = f"node type {name!r}: properties" + (f" of {prefix[:-3]!r}" if prefix else "")
        yield _compatible(name, prefix[:-1], "property-order-changed", f"{where} were reordered")
    for prop_name in new_common:
        yield from _diff_property(name, old_by_name[prop_name], new_by_name[prop_name], prefix)


def _diff_property(
    name: str, old: PropertySpec, new: PropertySpec, prefix: str
) -> Iterator[SpecChange]:
    path = prefix + old.name
    where = f"node type {name!r}: property {path!r}"
    if old.type != new.type:
        yield _breaking(
            name,
            path,
            "property-type-changed",
            f"{where} changed type from {old.type.value!r} to {new.type.value!r}",
        )
    if new.required and not old.required:
        yield _breaking(name, path, "property-now-required", f"{where} is now required")
    elif old.required and not new.required:
        yield _compatible(name, path, "property-now-optional", f"{where} is no longer required")
    if old.required_when != new.required_when:
        if new.required_when is None:
            yield _compatible(
                name, path, "required-when-removed", f"{where}: required_when was removed"
            )
        else:
            yield _breaking(
                name,
                path,
                "required-when-changed",
                f"{where}: required_when was added or changed, so it may now be required",
            )
    if old.default != new.default:
        yield _compatible(name, path, "default-changed", f"{where}: default changed")
    for attribute in _TEXT_ATTRIBUTES:
        if getattr(old, attribute) != getattr(new, attribute):
            yield _compatible(name, path, "text-changed", f"{where}: {attribute} changed")
    for attribute in _PROPERTY_PRESENTATION:
        if getattr(old, attribute) != getattr(new, attribute):
            yield _compatible(name, path, "presentation-changed", f"{where}: {attribute} changed")
    yield from _diff_options(name, path, where, old, new)
    yield from _diff_constraints(name, path, where, old, new)
    if old.properties is not None or new.properties is not None:
        yield from _diff_properties(
            name, old.properties or [], new.properties or [], prefix=f"{path}[]."
        )


def _diff_options(
    name: str, path: str, where: str, old: PropertySpec, new: PropertySpec
) -> Iterator[SpecChange]:
    old_options = {_option_key(o.value): o for o in old.options or []}
    new_options = {_option_key(o.value): o for o in new.options or []}
    for key, option in old_options.items():
        if key not in new_options:
            yield _breaking(
                name,
                path,
                "option-removed",
                f"{where}: option {json.dumps(option.value)} was removed",
            )
        elif (option.label, option.description) != (
            new_options[key].label,
            new_options[key].description,
        ):
            yield _compatible(
                name,
                path,
                "option-text-changed",
                f"{where}: label or description of option {json.dumps(option.value)} changed",
            )
    for key, option in new_options.items():
        if key not in old_options:
            yield _compatible(
                name, path, "option-added", f"{where}: option {json.dumps(option.value)} was added"
            )


def _option_key(value: object) -> tuple[str, object]:
    """Key an option value by type too, so ``1``, ``1.0`` and ``True`` stay distinct."""
    return (type(value).__name__, value)


_Getter = Callable[[PropertySpec], float | None]
#: (name, getter, is an upper bound, what an unset lower bound means)
_VALUE_BOUNDS: tuple[tuple[str, _Getter, bool, float | None], ...] = (
    ("min_value", lambda p: p.min_value, False, None),
    ("max_value", lambda p: p.max_value, True, None),
    ("min_length", lambda p: p.min_length, False, 0),
    ("max_length", lambda p: p.max_length, True, None),
)


def _diff_constraints(
    name: str, path: str, where: str, old: PropertySpec, new: PropertySpec
) -> Iterator[SpecChange]:
    for bound, get, upper, unbounded_lower in _VALUE_BOUNDS:
        yield from _diff_bound(
            name,
            path,
            f"{where}: {bound}",
            get(old),
            get(new),
            upper=upper,
            unbounded_lower=unbounded_lower,
        )
    for flag in ("min_exclusive", "max_exclusive"):
        was, now = bool(getattr(old, flag)), bool(getattr(new, flag))
        if was != now:
            bound = "exclusive" if now else "inclusive"
            message = f"{where}: {flag} changed, the bound is now {bound}"
            yield (_breaking if now else _compatible)(
                name, path, "constraint-tightened" if now else "constraint-relaxed", message
            )
    if old.pattern == new.pattern:
        return
    if new.pattern is None:
        yield _compatible(name, path, "constraint-relaxed", f"{where}: pattern was removed")
    elif old.pattern is None:
        yield _breaking(name, path, "constraint-tightened", f"{where}: a pattern was added")
    else:
        yield _breaking(name, path, "constraint-tightened", f"{where}: pattern changed")

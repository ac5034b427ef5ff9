"""Secrets in workflow definitions: mask what leaves the host, restore what comes back.

A node type's secret fields are the ``sensitive_fields`` of its
:class:`~jackfield.NodeRegistration` (plus any its data model declares). The
stored definition records them per node type (``node_types``), so secrets of a
node whose plugin is disabled or uninstalled stay hidden too.

The round trip:

1. :func:`mask_definition` before a definition leaves the host: each secret
   becomes ``mask_key(secret)`` (lists item by item).
2. The client edits and sends the definition back, returning masked values
   untouched for secrets it did not change.
3. :func:`merge_definition` with the stored definition: a masked value equal to
   the mask of the stored secret of the *same node id, type and field* gets the
   secret back; anything else that looks masked is rejected, never stored.
4. Before running, :func:`find_masked_values` (also part of
   ``validate_workflow(mode="run")``) checks that no mask is left.

Every function copies only the nodes it changes: the rest are shared with the
input, which is safe because definitions are frozen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from jackfield._errors import WorkflowProblem
from jackfield._specs._registration import NodeTypeRegistry
from jackfield._workflows._definition import (
    WorkflowDefinition,
    WorkflowNode,
    record_node_types,
)
from jackfield._workflows._type_index import SensitiveFieldIndex

__all__ = [
    "MASK_PREFIX",
    "MergeResult",
    "find_masked_values",
    "looks_masked",
    "mask_definition",
    "mask_key",
    "merge_definition",
]

#: Every masked value starts with this; a client must treat such values as opaque.
MASK_PREFIX: Final = "****"
#: The mask of a secret too short to show any of it, or of a non-string secret.
_FULL_MASK: Final = MASK_PREFIX * 2
#: How many trailing characters of a secret a mask shows.
_SHOWN: Final = 4


def mask_key(value: str) -> str:
    """Return ``value`` masked: ``"****"`` and its last 4 characters.

    A value of 4 characters or fewer is masked completely (``"********"``), and
    the empty string stays empty (there is no secret to hide). Masks have a
    fixed width, so they do not reveal a secret's length::

        >>> mask_key("sk-live-0123456789abcd")
        '****abcd'
        >>> mask_key("abcd")
        '********'
    """
    if not value:
        return value
    if len(value) <= _SHOWN:
        return _FULL_MASK
    return MASK_PREFIX + value[-_SHOWN:]


def looks_masked(value: object) -> bool:
    """Return whether ``value`` is a string in the form :func:`mask_key` produces."""
    return isinstance(value, str) and value.startswith(MASK_PREFIX)


def _mask_item(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value if not value else mask_key(value)
    return _FULL_MASK


def _mask_value(value: Any) -> Any:
    """Mask one secret field's value: strings, lists item by item, anything else whole."""
    if isinstance(value, list):
        return [_mask_item(item) for item in value]
    return _mask_item(value)


def mask_definition(
    definition: WorkflowDefinition, registry: NodeTypeRegistry
) -> WorkflowDefinition:
    """Return ``definition`` with every secret masked, ready to leave the host.

    Secret fields come from ``registry`` and from the definition's own
    ``node_types`` record (for types no loaded plugin provides). Nodes without
    secrets are shared with the input, not copied.
    """
    index = SensitiveFieldIndex(registry, definition.node_types)
    nodes: list[WorkflowNode] | None = None
    for position, node in enumerate(definition.nodes):
        secret_fields = index.fields(node.type)
        if not secret_fields:
            continue
        data = node.data
        masked: dict[str, Any] | None = None
        for name in secret_fields:
            if name in data:
                value = data[name]
                hidden = _mask_value(value)
                if hidden != value:
                    if masked is None:
                        masked = dict(data)
                    masked[name] = hidden
        if masked is not None:
            if nodes is None:
                nodes = list(definition.nodes)
            nodes[position] = node.model_copy(update={"data": masked})
    if nodes is None:
        return definition
    return definition.model_copy(update={"nodes": nodes})


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What :func:`merge_definition` returns.

    :param definition: the definition to store: secrets restored, node-type
        record up to date, rejected values left out.
    :param problems: one per rejected masked value; store nothing while any
        is present, and show them to the client.
    """

    definition: WorkflowDefinition
    problems: list[WorkflowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the merge found no problem (the definition may be stored)."""
        return not self.problems


_MISSING: Final = object()


class _NodeMerger:
    """Merges the secret fields of one incoming node with its stored twin."""

    def __init__(self, node: WorkflowNode, stored: WorkflowNode | None, display_name: str) -> None:
        self.node = node
        self.stored_data: Mapping[str, Any] = stored.data if stored is not None else {}
        self.display_name = display_name
        self.problems: list[WorkflowProblem] = []

    def _reject(self, path: str) -> None:
        self.problems.append(
            WorkflowProblem(
                kind="node",
                id=self.node.id,
                field=path,
                message=(
                    f"{self.display_name} node {self.node.id!r} field {path!r} holds a masked "
                    "value that matches no stored secret of this node; send the secret "
                    "itself, or the masked value exactly as it was received for this node"
                ),
                code="unmatched_masked_value",
            )
        )

    def merge(self, name: str, value: Any) -> Any:
        """Return the value to store for field ``name``, or ``_MISSING`` to leave it out."""
        stored = self.stored_data.get(name, _MISSING)
        if isinstance(value, list):
            return self._merge_list(name, value, stored)
        if not looks_masked(value):
            return value
        if stored is not _MISSING and not isinstance(stored, list) and value == _mask_value(stored):
            return stored
        self._reject(name)
        return _MISSING

    def _merge_list(self, name: str, items: list[Any], stored: Any) -> list[Any]:
        old = stored if isinstance(stored, list) else []
        masks = [_mask_item(item) for item in old]
        used = [False] * len(old)
        merged: list[Any] = []
        for position, item in enumerate(items):
            if not looks_masked(item):
                merged.append(item)
                continue
            match = None
            if position < len(old) and not used[position] and masks[position] == item:
                match = position
            else:
                match = next(
                    (i for i, mask in enumerate(masks) if not used[i] and mask == item), None
                )
            if match is None:
                self._reject(f"{name}.{position}")
                continue
            used[match] = True
            merged.append(old[match])
        return merged


def merge_definition(
    incoming: WorkflowDefinition, stored: WorkflowDefinition, registry: NodeTypeRegistry
) -> MergeResult:
    """Merge a definition sent back by a client with the stored one.

    For each secret field of each incoming node:

    * a value equal to the mask of the stored secret of the same node (same id
      and type) and field is replaced by that secret;
    * a list is merged item by item, so items may be added, removed,
      reordered or replaced; each stored item is restored at most once;
    * a new (unmasked) value replaces the secret; an empty value or ``None``
      clears it; a field left out is removed;
    * a value that looks masked but matches nothing (a new node, a changed
      id, a pasted mask) is rejected: a problem on that node and field, and
      the value is left out of the result.

    Secret fields come from ``registry`` and the ``node_types`` records of
    both definitions. Node ids used twice (in either definition) never get a
    secret restored. The result's ``node_types`` record is brought up to date
    with :func:`~jackfield.host.record_node_types`, keeping the stored record for
    types no loaded plugin provides.
    """
    index = SensitiveFieldIndex(registry, stored.node_types, incoming.node_types)
    stored_nodes = _unique_nodes(stored.nodes)
    unique_incoming = _unique_nodes(incoming.nodes)
    problems: list[WorkflowProblem] = []
    nodes: list[WorkflowNode] | None = None
    for position, node in enumerate(incoming.nodes):
        secret_fields = index.fields(node.type)
        data = node.data
        if not secret_fields or not any(name in data for name in secret_fields):
            continue
        twin = stored_nodes.get(node.id) if node.id in unique_incoming else None
        if twin is not None and twin.type != node.type:
            twin = None
        merger = _NodeMerger(node, twin, index.display_name(node.type))
        merged = dict(data)
        for name in secret_fields:
            if name in data:
                value = merger.merge(name, data[name])
                if value is _MISSING:
                    del merged[name]
                else:
                    merged[name] = value
        problems.extend(merger.problems)
        if merged != data:
            if nodes is None:
                nodes = list(incoming.nodes)
            nodes[position] = node.model_copy(update={"data": merged})
    result = incoming if nodes is None else incoming.model_copy(update={"nodes": nodes})
    result = _carry_records(result, stored)
    return MergeResult(definition=record_node_types(result, registry), problems=problems)


def _unique_nodes(nodes: list[WorkflowNode]) -> dict[str, WorkflowNode]:
    """Map node id to node, leaving out ids used more than once."""
    found: dict[str, WorkflowNode] = {}
    repeated: set[str] = set()
    for node in nodes:
        if node.id in found:
            repeated.add(node.id)
        found[node.id] = node
    for node_id in repeated:
        del found[node_id]
    return found


def _carry_records(result: WorkflowDefinition, stored: WorkflowDefinition) -> WorkflowDefinition:
    """Prefer the stored ``node_types`` records over the client's copies of them."""
    if not stored.node_types:
        return result
    records = dict(result.node_types)
    records.update(stored.node_types)
    if records == result.node_types:
        return result
    return result.model_copy(update={"node_types": records})


def find_masked_values(
    definition: WorkflowDefinition, registry: NodeTypeRegistry
) -> list[WorkflowProblem]:
    """Return a problem for each secret field (or list item) that still holds a mask.

    A definition about to run must have none: a mask is not a credential.
    """
    index = SensitiveFieldIndex(registry, definition.node_types)
    problems: list[WorkflowProblem] = []
    for node in definition.nodes:
        for name in index.fields(node.type):
            value = node.data.get(name)
            paths: list[str] = []
            if isinstance(value, list):
                paths = [f"{name}.{i}" for i, item in enumerate(value) if looks_masked(item)]
            elif looks_masked(value):
                paths = [name]
            problems.extend(
                WorkflowProblem(
                    kind="node",
                    id=node.id,
                    field=path,
                    message=(
                        f"{index.display_name(node.type)} node {node.id!r} field {path!r} "
                        "holds a masked value instead of a secret; merge the definition with "
                        "the stored one before running it"
                    ),
                    code="masked_value",
                )
                for path in paths
            )
    return problems


def secret_strings(data: Mapping[str, Any], secret_fields: tuple[str, ...]) -> list[str]:
    """Return the secret strings held by ``secret_fields`` of ``data`` (list items included).

    Empty and whitespace-only strings are left out: they reveal nothing, and
    looking for them in a message would match every message.
    """
    found: list[str] = []
    for name in secret_fields:
        value = data.get(name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str):
                if item.strip():
                    found.append(item)
            elif item is not None and not isinstance(item, bool):
                found.append(str(item))
    return found

"""Encrypting the sensitive field values of a workflow definition at rest.

A definition is stored as JSON with each sensitive field value replaced by a
sealed form, ``{"$jackfield_sealed": "<token>"}``, where the token is the
:class:`~jackfield_server.SecretBox` encryption of the value's JSON text (so
strings, lists of strings and any other JSON value are sealed alike). Which
fields are sensitive is the caller's knowledge (the plugins' registrations); it
is passed in per node id and stored beside the definition, so the secrets can
be found again even when the plugin is no longer installed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from typing import Any

from jackfield_server._crypto import SecretBox

__all__ = [
    "SEALED_KEY",
    "SensitiveFields",
    "normalize_sensitive_fields",
    "seal_definition",
    "unseal_definition",
]

SEALED_KEY = "$jackfield_sealed"
"""The single key of the JSON object that replaces a sealed value."""

SensitiveFields = Mapping[str, Collection[str]]
"""Sensitive field names of a definition's nodes, by node id."""


def normalize_sensitive_fields(
    definition: Mapping[str, Any], sensitive_fields: SensitiveFields
) -> dict[str, list[str]]:
    """Keep the entries of ``sensitive_fields`` for nodes ``definition`` has, sorted.

    The result is the JSON form stored beside the definition.
    """
    node_ids = {node.get("id") for node in _nodes(definition)}
    return {
        node_id: sorted(set(fields))
        for node_id, fields in sorted(sensitive_fields.items())
        if node_id in node_ids and fields
    }


def seal_definition(
    definition: Mapping[str, Any], sensitive_fields: SensitiveFields, box: SecretBox
) -> dict[str, Any]:
    """Return a copy of ``definition`` with every sensitive value encrypted.

    ``None`` (an unset secret) stays ``None``. Only the containers on the path to
    a changed value are copied; ``definition`` itself is not modified.
    """

    def seal(_where: str, value: Any) -> Any:
        return {SEALED_KEY: box.encrypt(json.dumps(value))}

    return _map_sensitive(definition, sensitive_fields, seal)


def unseal_definition(
    definition: Mapping[str, Any], sensitive_fields: SensitiveFields, box: SecretBox
) -> dict[str, Any]:
    """Return a copy of a sealed ``definition`` with the sensitive values in clear.

    :raises SecretDecryptionError: a value cannot be decrypted (the error names
        the node and field, never a value).
    """

    def unseal(where: str, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {SEALED_KEY}:
            return json.loads(box.decrypt(value[SEALED_KEY], what=where))
        return value

    return _map_sensitive(definition, sensitive_fields, unseal)


def _nodes(definition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    nodes = definition.get("nodes")
    if not isinstance(nodes, list):
        return []
    return [node for node in nodes if isinstance(node, Mapping)]


def _map_sensitive(
    definition: Mapping[str, Any],
    sensitive_fields: SensitiveFields,
    transform: Callable[[str, Any], Any],
) -> dict[str, Any]:
    result = dict(definition)
    nodes = definition.get("nodes")
    if not isinstance(nodes, list):
        return result
    new_nodes: list[Any] = []
    for node in nodes:
        node_id = node.get("id") if isinstance(node, Mapping) else None
        fields = sensitive_fields.get(node_id) if isinstance(node_id, str) else None
        data = node.get("data") if fields else None
        if not isinstance(data, Mapping):
            new_nodes.append(node)
            continue
        new_data = dict(data)
        for name in fields or ():
            if new_data.get(name) is not None:
                where = f"node {node_id!r} field {name!r}"
                new_data[name] = transform(where, new_data[name])
        new_nodes.append({**node, "data": new_data})
    result["nodes"] = new_nodes
    return result

"""A plugin's own workflow nodes, validated: :class:`PluginNode`.

The host hands ``jackfield_run_completion(nodes, context)`` and the live path's
``context.nodes`` the plugin's own enabled nodes as :class:`PluginNode` items:
the node id and type, the ``data`` validated by the type's registered model,
and the stored dict (``raw``). First-edition handlers that read nodes as dicts
(``node["id"]``, ``node.get("data", {})``) keep working: a ``PluginNode`` is a
read-only mapping over ``raw``. Reading it that way is deprecated and logged
once per plugin and process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

if TYPE_CHECKING:
    from jackfield._host._plugin_host import PluginHost


__all__ = ["PluginNode", "field_problems", "validate_node"]

_log = logging.getLogger("jackfield.deprecation")

_warned: set[str] = set()
_warned_lock: Final = threading.Lock()


def _deprecated_mapping_use(plugin: str | None) -> None:
    """Log, once per plugin and process, that it reads its nodes as dicts."""
    name = plugin or "?"
    with _warned_lock:
        if name in _warned:
            return
        _warned.add(name)
    _log.warning(
        "plugin %r reads its nodes as dicts (node['id'], node.get('data')); this is "
        "deprecated: use node.id, node.type and node.data (the validated model)",
        name,
        extra={"plugin": name, "deprecation": "node_as_dict"},
    )


def field_problems(error: ValidationError) -> list[dict[str, str]]:
    """The field problems of a validation error: field path and error type, never values."""
    problems = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        location = ".".join(str(part) for part in item.get("loc", ())) or "data"
        problems.append({"field": location, "type": str(item.get("type", "invalid"))})
    return problems


@dataclass(frozen=True, slots=True, eq=False)
class PluginNode(Mapping[str, Any]):
    """One of a plugin's own workflow nodes, with its data validated.

    :param id: the node's id in the workflow.
    :param type: the node's type, one of the plugin's registered types.
    :param data: the node's ``data``, an instance of the type's registered
        ``data_model`` (secrets included, as stored). ``None`` only for a
        first-edition handler given a node that no longer validates (see
        ``problems``); a handler declaring ``typed_nodes=True`` never gets one.
    :param raw: the node as stored in the definition (``{"id", "type", "data", ...}``).
    :param plugin: the plugin the node belongs to.
    :param problems: for an invalid node only: ``{"field", "type"}`` per problem.

    Reading it as a mapping (``node["id"]``, ``node.get("data")``, ``"data" in
    node``, iterating) reads ``raw``; that is the first edition's contract and
    is deprecated (logged once per plugin).
    """

    id: str
    type: str
    data: Any
    raw: Mapping[str, Any] = field(repr=False)
    plugin: str | None = None
    problems: tuple[Mapping[str, str], ...] = ()

    @property
    def enabled(self) -> bool:
        """Always ``True`` here: disabled nodes never reach a plugin."""
        return True

    def __getitem__(self, key: str) -> Any:
        _deprecated_mapping_use(self.plugin)
        return self.raw[key]

    def __iter__(self) -> Iterator[str]:
        _deprecated_mapping_use(self.plugin)
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __contains__(self, key: object) -> bool:
        _deprecated_mapping_use(self.plugin)
        return key in self.raw

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PluginNode):
            return self.raw == other.raw and self.data == other.data
        if isinstance(other, Mapping):
            return dict(self.raw) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def validate_node(host: PluginHost, plugin: str, node: Mapping[str, Any]) -> PluginNode:
    """Validate one stored node with its type's registered model.

    :return: the node; ``data`` is ``None`` and ``problems`` is set when the
        data no longer validates.
    """
    node_type = str(node.get("type", ""))
    raw = dict(node)
    model = host.data_model(node_type)
    try:
        data = model.model_validate(raw.get("data") or {})
    except ValidationError as exc:
        problems = tuple(field_problems(exc))
        return PluginNode(str(raw.get("id", "")), node_type, None, raw, plugin, problems)
    return PluginNode(str(raw.get("id", "")), node_type, data, raw, plugin)

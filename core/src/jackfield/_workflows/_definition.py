"""Workflow definitions: the document users save, validate, mask and run.

A definition is plain JSON::

    {
      "nodes": [{"id": "n1", "type": "agent", "position": {"x": 0, "y": 0}, "data": {...}}],
      "edges": [{"id": "e1", "source": "n1", "target": "n2", "data": {...}}],
      "node_types": {"tuner": {"plugin": "tuner", "sensitive_fields": ["api_key"]}}
    }

Every model here keeps keys it does not know (a definition written by a newer
editor survives a round trip through an older host) and is frozen: functions
that change a definition return a new one that shares every untouched node
with the old one.

``node_types`` is jackfield's own record, kept with the stored definition: for
each node type in use, which plugin provided it and which of its fields are
secrets. A host that no longer has the plugin still knows what to hide and
whom to ask for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jackfield._errors import ProblemKind, WorkflowError, WorkflowProblem
from jackfield._specs._registration import NodeTypeRegistry
from jackfield._workflows._type_index import PluginDirectory, declared_sensitive_fields

#: How strictly a definition is checked: ``"draft"`` while being edited, ``"run"`` before a call.
ValidationMode = Literal["draft", "run"]

__all__ = [
    "NodePosition",
    "NodeTypeRecord",
    "ValidationMode",
    "WorkflowDefinition",
    "WorkflowEdge",
    "WorkflowNode",
    "enabled_nodes",
    "node_is_enabled",
    "record_node_types",
    "recorded_plugin",
    "workflow_nodes",
]


class _DefinitionModel(BaseModel):
    # Unknown keys are kept; inputs never appear in errors (a node's data may
    # hold secrets); frozen so that masked and merged copies can share nodes.
    model_config = ConfigDict(extra="allow", frozen=True, hide_input_in_errors=True)


class NodePosition(_DefinitionModel):
    """Where an editor draws a node. Integers stay integers on a round trip."""

    x: int | float
    y: int | float


class WorkflowNode(_DefinitionModel):
    """One node: its ``type`` names a node type, ``data`` is that type's settings.

    ``data`` is kept as plain JSON; :func:`jackfield.host.validate_workflow` checks
    it against the type's data model without changing it.
    """

    id: str
    type: str
    position: NodePosition | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class WorkflowEdge(_DefinitionModel):
    """A connection from node ``source`` to node ``target``."""

    id: str
    source: str
    target: str
    data: dict[str, Any] = Field(default_factory=dict)


class NodeTypeRecord(_DefinitionModel):
    """What a stored definition remembers about one node type it uses.

    :param plugin: the plugin that provided the type when the definition was
        saved (``None`` if unknown).
    :param sensitive_fields: the type's secret fields, so they stay hidden even
        when the plugin is disabled or uninstalled.
    """

    plugin: str | None = None
    sensitive_fields: tuple[str, ...] = ()


class WorkflowDefinition(_DefinitionModel):
    """A workflow: nodes, edges, and jackfield's record of the node types used.

    Load with :meth:`from_json` / :meth:`from_dict` and save with :meth:`to_json`
    / :meth:`to_dict`: the round trip keeps unknown keys and adds none.
    """

    nodes: list[WorkflowNode] = Field(default_factory=list)
    edges: list[WorkflowEdge] = Field(default_factory=list)
    node_types: dict[str, NodeTypeRecord] = Field(default_factory=dict)

    @classmethod
    def from_dict(cls, document: Any) -> WorkflowDefinition:
        """Build a definition from decoded JSON.

        :raises WorkflowError: the document is not a workflow definition; its
            ``problems`` say where, without echoing any value.
        """
        try:
            return cls.model_validate(document)
        except ValidationError as exc:
            problems = [
                _structure_problem(document, err["loc"], err["msg"]) for err in exc.errors()
            ]
            raise WorkflowError("not a valid workflow definition", problems=problems) from None

    @classmethod
    def from_json(cls, text: str | bytes) -> WorkflowDefinition:
        """Parse a definition from JSON text.

        :raises WorkflowError: the text is not JSON, or not a workflow definition.
        """
        try:
            document = json.loads(text)
        except ValueError as exc:
            problem = WorkflowProblem(
                kind="workflow",
                id=None,
                field=None,
                message=f"not valid JSON (line {getattr(exc, 'lineno', '?')})",
                code="invalid_json",
            )
            raise WorkflowError("not valid JSON", problems=[problem]) from None
        return cls.from_dict(document)

    def to_dict(self) -> dict[str, Any]:
        """Return the definition as JSON-ready data, exactly the keys it was given."""
        return self.model_dump(mode="json", exclude_unset=True)

    def to_json(self, *, indent: int | None = None) -> str:
        """Return the definition as JSON text (see :meth:`to_dict`)."""
        return self.model_dump_json(exclude_unset=True, indent=indent)

    def node(self, node_id: str) -> WorkflowNode | None:
        """Return the first node with id ``node_id``, or ``None``."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        return None


def _structure_problem(document: Any, loc: tuple[int | str, ...], msg: str) -> WorkflowProblem:
    """Turn one structural validation error into a problem on the right node or edge."""
    if len(loc) >= 2 and loc[0] in ("nodes", "edges") and isinstance(loc[1], int):
        kind: ProblemKind = "node" if loc[0] == "nodes" else "edge"
        item_id = _id_at(document, str(loc[0]), loc[1])
        field = ".".join(str(part) for part in loc[2:]) or None
        label = f"{kind} {item_id!r}" if item_id is not None else f"{kind} #{loc[1]}"
        where = f"{label} field {field!r}" if field else label
        return WorkflowProblem(kind, item_id, field, f"{where}: {msg}", "invalid_structure")
    field = ".".join(str(part) for part in loc) or None
    where = f"key {field!r}: " if field else ""
    return WorkflowProblem("workflow", None, field, f"{where}{msg}", "invalid_structure")


def _id_at(document: Any, key: str, index: int) -> str | None:
    """Return the string id of ``document[key][index]`` if there is one."""
    if isinstance(document, Mapping):
        items = document.get(key)
        if isinstance(items, list) and index < len(items):
            item = items[index]
            if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                return str(item["id"])
    return None


def record_node_types(
    definition: WorkflowDefinition, registry: NodeTypeRegistry
) -> WorkflowDefinition:
    """Return ``definition`` with its ``node_types`` record brought up to date.

    Call it before storing a definition. For each node type the definition
    uses: a loaded type is recorded from the registry (its secret fields, and
    its plugin when the registry is a :class:`PluginDirectory`); a type no
    loaded plugin provides keeps the record it had. Types no longer used are
    dropped from the record.
    """
    directory = registry if isinstance(registry, PluginDirectory) else None
    records: dict[str, NodeTypeRecord] = {}
    for node in definition.nodes:
        if node.type in records:
            continue
        old = definition.node_types.get(node.type)
        registration = registry.find_registration(node.type)
        if registration is None:
            if old is not None:
                records[node.type] = old
            continue
        plugin = directory.plugin_for_node_type(node.type) if directory else None
        if plugin is None and old is not None:
            plugin = old.plugin
        records[node.type] = NodeTypeRecord(
            plugin=plugin, sensitive_fields=declared_sensitive_fields(registration)
        )
    if records == definition.node_types:
        return definition
    return definition.model_copy(update={"node_types": records})


def workflow_nodes(workflow: Any) -> Iterator[dict[str, Any]]:
    """Yield each node of ``workflow`` as a plain dict (``{"id", "type", "data", ...}``).

    ``workflow`` is a :class:`~jackfield.host.WorkflowDefinition`, its JSON form (a
    mapping with ``"nodes"``, a list or an id-keyed mapping of nodes), or
    ``None`` (no nodes).
    """
    if workflow is None:
        return
    nodes = (
        workflow.get("nodes") if isinstance(workflow, Mapping) else getattr(workflow, "nodes", None)
    )
    if isinstance(nodes, Mapping):
        nodes = list(nodes.values())
    for node in nodes or ():
        if isinstance(node, Mapping):
            yield dict(node)
        elif hasattr(node, "model_dump"):
            yield node.model_dump(mode="json", exclude_unset=True)


def node_is_enabled(node: Mapping[str, Any]) -> bool:
    """A node is enabled unless its ``data`` says ``"enabled": false``."""
    data = node.get("data")
    return not (isinstance(data, Mapping) and data.get("enabled", True) is False)


def enabled_nodes(workflow: Any, *type_names: str) -> list[dict[str, Any]]:
    """The enabled nodes of ``workflow``, of the given types (of any type if none is given).

    What a plugin's ``jackfield_create_runtime_sessions`` uses to find its own
    nodes in ``context.workflow_graph``::

        if not enabled_nodes(context.workflow_graph, "tuner"):
            return []

    :param workflow: a :class:`WorkflowDefinition`, its JSON form, or ``None``
        (see :func:`workflow_nodes`).
    :return: plain node dicts; a node is enabled unless its ``data`` has
        ``"enabled": false``.
    """
    wanted = set(type_names)
    return [
        node
        for node in workflow_nodes(workflow)
        if node_is_enabled(node) and (not wanted or node.get("type") in wanted)
    ]


def recorded_plugin(workflow: Any, type_name: str) -> str | None:
    """The plugin a stored definition's ``node_types`` record names for ``type_name``."""
    records = (
        workflow.get("node_types")
        if isinstance(workflow, Mapping)
        else getattr(workflow, "node_types", None)
    )
    if not isinstance(records, Mapping):
        return None
    record = records.get(type_name)
    plugin = (
        record.get("plugin") if isinstance(record, Mapping) else getattr(record, "plugin", None)
    )
    return plugin if isinstance(plugin, str) else None

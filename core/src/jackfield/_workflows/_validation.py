"""Validate a workflow definition through a node type registry.

One path for every node type, core and plugin alike: each node's ``data`` is
validated by the data model registered for its ``type``. All problems are
returned at once, and none of them contains a configuration value: Pydantic's
messages are passed on only when they cannot echo a secret.
"""

from __future__ import annotations

import logging
from typing import Any, Final, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core.core_schema import ErrorType

from jackfield._errors import ProblemKind, ProblemSeverity, WorkflowProblem
from jackfield._specs._conversation_nodes import CONVERSATION_NODE_MODELS, EdgeData
from jackfield._specs._meta import node_spec_meta
from jackfield._specs._registration import NodeRegistration, NodeTypeRegistry
from jackfield._workflows._definition import (
    NodeTypeRecord,
    ValidationMode,
    WorkflowDefinition,
    WorkflowEdge,
    WorkflowNode,
)
from jackfield._workflows._graph import graph_problems
from jackfield._workflows._secrets import find_masked_values, secret_strings
from jackfield._workflows._type_index import PluginDirectory, SensitiveFieldIndex

__all__ = ["validate_workflow"]

logger = logging.getLogger("jackfield.workflow")


#: Pydantic's own error types, whose messages are built from the field's
#: constraints only. ``value_error`` and ``assertion_error`` carry a model
#: author's text, which may quote the value.
_CONSTRAINT_ERRORS: Final = frozenset(get_args(ErrorType)) - {"value_error", "assertion_error"}
_WITHHELD: Final = "invalid value (details withheld: they could reveal a secret)"

#: The node types whose connecting edges are transitions, with :class:`EdgeData`.
CONVERSATION_NODE_TYPES: Final = frozenset(
    node_spec_meta(model).name for model in CONVERSATION_NODE_MODELS
)


def validate_workflow(
    definition: WorkflowDefinition,
    registry: NodeTypeRegistry,
    *,
    mode: ValidationMode = "draft",
) -> list[WorkflowProblem]:
    """Return every problem of ``definition``; an empty list means it is valid.

    Checks, in this order: node types (each must be provided by a loaded
    plugin), each node's ``data`` against its type's data model, each
    transition's ``data`` against :class:`~jackfield.host.EdgeData` (an edge
    whose source and target are both conversation nodes: ``start``, ``agent``
    or ``end``), the graph rules (unique ids, edge endpoints, each type's
    :class:`~jackfield.GraphConstraints`), and in ``run`` mode a start node
    and no masked secret left in the definition.

    An invalid transition is a ``warning`` in ``draft`` mode (an editor may
    save an edge before its label and condition are written) and an ``error``
    in ``run`` mode, like the lower graph bounds.

    A node of a type no loaded plugin provides is a ``warning`` in ``draft``
    mode (the node is kept untouched; saving may go on) and an ``error`` in
    ``run`` mode. Its problem says which plugin provides the type when that is
    known (from the definition's ``node_types`` record, or the registry when it
    is a :class:`~jackfield.host.PluginDirectory`) and how to enable or install it.

    :param registry: resolves node types; a :class:`~jackfield.host.PluginHost` or
        any :class:`~jackfield.host.NodeTypeRegistry`.
    :param mode: ``"draft"`` (saving) or ``"run"`` (about to run).
    """
    if mode not in ("draft", "run"):
        raise ValueError(f"mode must be 'draft' or 'run', not {mode!r}")
    index = SensitiveFieldIndex(registry, definition.node_types)
    directory = registry if isinstance(registry, PluginDirectory) else None
    severity: ProblemSeverity = "error" if mode == "run" else "warning"
    unknown: dict[str, str] = {}
    problems: list[WorkflowProblem] = []
    for node in definition.nodes:
        registration = index.registration(node.type)
        if registration is None:
            if node.type not in unknown:
                record = definition.node_types.get(node.type)
                unknown[node.type] = _explain_unknown(node.type, record, directory)
            message = f"Node {node.id!r}: {unknown[node.type]}"
            problems.append(
                WorkflowProblem("node", node.id, None, message, "unknown_node_type", severity)
            )
            continue
        problems.extend(_data_problems(node, registration, index.fields(node.type)))
    problems.extend(_edge_problems(definition, severity))
    problems.extend(graph_problems(definition, index, mode=mode))
    if mode == "run":
        problems.extend(find_masked_values(definition, registry))
    return problems


def _data_problems(
    node: WorkflowNode, registration: NodeRegistration, secret_fields: tuple[str, ...]
) -> list[WorkflowProblem]:
    """Validate one node's data with its type's model; problems never quote a value."""
    display = registration.node_spec.display_name
    try:
        return _model_problems(
            registration.data_model,
            node.data,
            "node",
            node.id,
            f"{display} node {node.id!r}",
            secret_fields,
        )
    except Exception as exc:
        # A validator raised something Pydantic does not turn into an error: a
        # bug in the model. Its message may quote the data, so only its type goes out.
        kind = type(exc).__name__
        logger.warning(
            "data model %s of node type %r raised %s while validating node %r",
            registration.data_model.__qualname__,
            registration.type_name,
            kind,
            node.id,
        )
        message = (
            f"{display} node {node.id!r}: the node type's data model raised {kind} while "
            "validating (a bug in the plugin that provides it)"
        )
        return [WorkflowProblem("node", node.id, None, message, "validator_crashed")]


def _edge_problems(
    definition: WorkflowDefinition, severity: ProblemSeverity
) -> list[WorkflowProblem]:
    """Validate the ``data`` of every transition (an edge between conversation nodes).

    Other edges (to or from an integration node, or to a node that does not
    exist, which the graph rules report) carry data no model describes here.
    """
    types: dict[str, str] = {}
    for node in definition.nodes:
        types.setdefault(node.id, node.type)
    problems: list[WorkflowProblem] = []
    for edge in definition.edges:
        if _is_transition(edge, types):
            where = f"Edge {edge.id!r} from {edge.source!r} to {edge.target!r}"
            problems.extend(
                _model_problems(EdgeData, edge.data, "edge", edge.id, where, (), severity)
            )
    return problems


def _is_transition(edge: WorkflowEdge, types: dict[str, str]) -> bool:
    return (
        types.get(edge.source) in CONVERSATION_NODE_TYPES
        and types.get(edge.target) in CONVERSATION_NODE_TYPES
    )


def _model_problems(
    model: type[BaseModel],
    data: dict[str, Any],
    kind: ProblemKind,
    item_id: str,
    where: str,
    secret_fields: tuple[str, ...],
    severity: ProblemSeverity = "error",
) -> list[WorkflowProblem]:
    """Validate ``data`` with ``model``: one ``invalid_data`` problem per error.

    ``where`` starts each message ("Tuner node 't'"); the problem's ``field``
    is the error's dotted path. No message quotes a value (see
    :func:`_safe_message`). Exceptions other than a validation error propagate.
    """
    try:
        model.model_validate(data)
    except ValidationError as exc:
        secrets = secret_strings(data, secret_fields)
        problems = []
        for error in exc.errors(include_url=False, include_context=False, include_input=False):
            path = ".".join(str(part) for part in error["loc"]) or None
            message = _safe_message(error, secret_fields, secrets)
            at = where + (f" field {path!r}" if path else "")
            problems.append(
                WorkflowProblem(kind, item_id, path, f"{at}: {message}", "invalid_data", severity)
            )
        return problems
    return []


def _safe_message(error: Any, secret_fields: tuple[str, ...], secrets: list[str]) -> str:
    """Return Pydantic's message for ``error`` unless it could reveal a secret."""
    message = str(error["msg"])
    loc = error["loc"]
    on_secret = bool(loc) and loc[0] in secret_fields
    if on_secret and error["type"] not in _CONSTRAINT_ERRORS:
        return _WITHHELD
    if any(secret in message for secret in secrets):
        return _WITHHELD
    return message


def _status_name(status: object) -> str:
    return str(getattr(status, "value", status))


def _explain_unknown(
    type_name: str, record: NodeTypeRecord | None, directory: PluginDirectory | None
) -> str:
    """Say that no loaded plugin provides ``type_name``, who does, and how to get it."""
    base = f"no loaded plugin provides node type {type_name!r}"
    plugin = record.plugin if record is not None else None
    if plugin is None:
        idle = []
        if directory is not None:
            idle = [
                f"{p.name!r} ({_status_name(p.status)})"
                for p in directory.packages()
                if _status_name(p.status) != "loaded"
            ]
        hint = f"; installed plugins that are not loaded: {', '.join(idle)}" if idle else ""
        return (
            f"{base}; install or enable the plugin that provides it "
            f"(`jackfield plugins list` shows the installed plugins){hint}"
        )
    provided = f"{base}; it was provided by plugin {plugin!r}"
    if directory is None:
        return f"{provided}: install or enable that plugin"
    info = next((p for p in directory.packages() if p.name == plugin), None)
    if info is None:
        return (
            f"{provided}, which is not installed: install the distribution that provides it "
            f"(conventionally `pip install jackfield-{plugin}`)"
        )
    status = _status_name(info.status)
    if status == "disabled":
        return (
            f"{provided}, which is disabled: enable it with `jackfield plugins enable {plugin}` "
            "and make sure JACKFIELD_DISABLE_PLUGINS does not name it (nor JACKFIELD_PLUGINS, "
            "when set, leave it out)"
        )
    if status in ("failed", "incompatible"):
        why = f" ({info.reason})" if info.reason else ""
        return (
            f"{provided}, which is {status}{why}: fix or reinstall it; "
            "`jackfield doctor` shows the details"
        )
    if status == "loaded":
        return (
            f"{provided}, which is loaded but no longer provides it: install a version of the "
            "plugin that does"
        )
    return f"{provided}, which is {status}"

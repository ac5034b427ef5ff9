"""Graph rules of a workflow: ids, edge endpoints, and each type's GraphConstraints.

Used by :func:`jackfield.host.validate_workflow`; every message names node types by
their display name ("Workflow can have at most one Tuner node").

Upper bounds, duplicate ids and dangling edges are errors in both modes. Lower
bounds (``min_incoming``, ``min_outgoing``, ``min_instances``) and the start
node rule are errors when running; a draft being edited may not meet them yet,
so there they are warnings (the start node rule is not checked at all).
"""

from __future__ import annotations

from collections import Counter

from jackfield._errors import ProblemSeverity, WorkflowProblem
from jackfield._specs._conversation_nodes import START_NODE_TYPE
from jackfield._specs._node_spec import GraphConstraints
from jackfield._workflows._definition import ValidationMode, WorkflowDefinition, WorkflowNode
from jackfield._workflows._type_index import SensitiveFieldIndex

__all__ = ["graph_problems", "is_start_node"]


def is_start_node(node: WorkflowNode) -> bool:
    """Return whether ``node`` starts the workflow: a ``start`` node, or ``is_start`` set."""
    return node.type == START_NODE_TYPE or node.data.get("is_start") is True


def _count(number: int, noun: str) -> str:
    """``_count(1, "Tuner node")`` is ``"one Tuner node"``; 2 gives ``"2 Tuner nodes"``."""
    return f"one {noun}" if number == 1 else f"{number} {noun}s"


def _duplicate_ids(definition: WorkflowDefinition) -> list[WorkflowProblem]:
    problems: list[WorkflowProblem] = []
    for node_id, uses in Counter(node.id for node in definition.nodes).items():
        if uses > 1:
            message = f"Node id {node_id!r} is used by {uses} nodes; node ids must be unique"
            problems.append(WorkflowProblem("node", node_id, "id", message, "duplicate_node_id"))
    for edge_id, uses in Counter(edge.id for edge in definition.edges).items():
        if uses > 1:
            message = f"Edge id {edge_id!r} is used by {uses} edges; edge ids must be unique"
            problems.append(WorkflowProblem("edge", edge_id, "id", message, "duplicate_edge_id"))
    return problems


def _edge_counts(
    definition: WorkflowDefinition, node_ids: set[str], problems: list[WorkflowProblem]
) -> tuple[Counter[str], Counter[str]]:
    """Count each node's incoming and outgoing edges; report edges to missing nodes."""
    incoming: Counter[str] = Counter()
    outgoing: Counter[str] = Counter()
    for edge in definition.edges:
        for end, node_id in (("source", edge.source), ("target", edge.target)):
            if node_id not in node_ids:
                message = f"Edge {edge.id!r} {end} is node {node_id!r}, which does not exist"
                problems.append(WorkflowProblem("edge", edge.id, end, message, "missing_node"))
        if edge.source in node_ids and edge.target in node_ids:
            outgoing[edge.source] += 1
            incoming[edge.target] += 1
    return incoming, outgoing


def _edge_bound_problems(
    node: WorkflowNode,
    display: str,
    constraints: GraphConstraints,
    counts: dict[str, int],
    low: ProblemSeverity,
) -> list[WorkflowProblem]:
    problems: list[WorkflowProblem] = []
    for direction in ("incoming", "outgoing"):
        have = counts[direction]
        most = getattr(constraints, f"max_{direction}")
        least = getattr(constraints, f"min_{direction}")
        label = f"{display} node {node.id!r}"
        if most is not None and have > most:
            if most == 0:
                message = f"{label} cannot have {direction} edges (it has {have})"
            else:
                message = (
                    f"{label} can have at most {_count(most, direction + ' edge')} (it has {have})"
                )
            problems.append(WorkflowProblem("node", node.id, None, message, f"max_{direction}"))
        if least is not None and have < least:
            message = f"{label} needs at least {_count(least, direction + ' edge')} (it has {have})"
            problems.append(
                WorkflowProblem("node", node.id, None, message, f"min_{direction}", low)
            )
    return problems


def _instance_problems(
    type_counts: Counter[str], index: SensitiveFieldIndex, low: ProblemSeverity
) -> list[WorkflowProblem]:
    problems: list[WorkflowProblem] = []
    for type_name, have in type_counts.items():
        registration = index.registration(type_name)
        constraints = registration.node_spec.graph_constraints if registration else None
        if constraints is None:
            continue
        noun = f"{index.display_name(type_name)} node"
        most, least = constraints.max_instances, constraints.min_instances
        if most is not None and have > most:
            bound = (
                f"cannot have any {noun}s"
                if most == 0
                else f"can have at most {_count(most, noun)}"
            )
            problems.append(
                WorkflowProblem(
                    "workflow", None, None, f"Workflow {bound} (it has {have})", "max_instances"
                )
            )
        if least is not None and have < least:
            message = f"Workflow must have at least {_count(least, noun)} (it has {have})"
            problems.append(WorkflowProblem("workflow", None, None, message, "min_instances", low))
    return problems


def graph_problems(
    definition: WorkflowDefinition, index: SensitiveFieldIndex, *, mode: ValidationMode
) -> list[WorkflowProblem]:
    """Return every graph problem of ``definition`` (see the module docstring for the rules).

    Constraints come from each node type's ``node_spec.graph_constraints``;
    nodes of types no loaded plugin provides have none, but edges to them
    count for their neighbours. ``min_instances`` is checked for the types the
    workflow uses.
    """
    low: ProblemSeverity = "error" if mode == "run" else "warning"
    problems = _duplicate_ids(definition)
    node_ids = {node.id for node in definition.nodes}
    incoming, outgoing = _edge_counts(definition, node_ids, problems)
    for node in definition.nodes:
        registration = index.registration(node.type)
        constraints = registration.node_spec.graph_constraints if registration else None
        if constraints is not None:
            counts = {"incoming": incoming[node.id], "outgoing": outgoing[node.id]}
            display = index.display_name(node.type)
            problems.extend(_edge_bound_problems(node, display, constraints, counts, low))
    problems.extend(_instance_problems(Counter(n.type for n in definition.nodes), index, low))
    if mode == "run" and not any(is_start_node(node) for node in definition.nodes):
        start = index.registration(START_NODE_TYPE)
        noun = f"{start.node_spec.display_name} node" if start else "start node"
        message = f"Workflow must have at least one {noun} (or a node with is_start set) to run"
        problems.append(WorkflowProblem("workflow", None, None, message, "no_start_node"))
    return problems

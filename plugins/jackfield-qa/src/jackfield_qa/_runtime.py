"""The live-call side: record the transcript while a QA node is enabled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from jackfield import CallRecorder, RuntimeContext, RuntimeSession
from jackfield_qa._node import QA_NODE_TYPE

__all__ = ["SESSION_NAME", "create_runtime_sessions", "has_enabled_qa_node"]

#: The recorder's name in the host's logs.
SESSION_NAME: Final = "qa-call-recorder"


def has_enabled_qa_node(workflow_graph: Any) -> bool:
    """Whether ``workflow_graph`` holds a ``qa`` node not switched off (``"enabled": false``).

    ``workflow_graph`` is a :class:`~jackfield.WorkflowDefinition`, its JSON
    form, or ``None``.
    """
    nodes = (
        workflow_graph.get("nodes")
        if isinstance(workflow_graph, Mapping)
        else getattr(workflow_graph, "nodes", None)
    )
    for node in nodes or ():
        if isinstance(node, Mapping):
            node_type, data = node.get("type"), node.get("data")
        else:
            node_type, data = getattr(node, "type", None), getattr(node, "data", None)
        if node_type == QA_NODE_TYPE and not (
            isinstance(data, Mapping) and data.get("enabled", True) is False
        ):
            return True
    return False


def create_runtime_sessions(context: RuntimeContext) -> list[RuntimeSession]:
    """One :class:`~jackfield.CallRecorder` for the call if a QA node is enabled, else none.

    It records what the review needs and nothing more: the transcript with
    tool calls, the disposition and the duration (no latency, no usage).
    """
    if not has_enabled_qa_node(context.workflow_graph):
        return []
    return [CallRecorder(SESSION_NAME, latency=False, usage=False)]

"""The live-call side: record the transcript while a QA node is enabled."""

from __future__ import annotations

from typing import Any, Final

from jackfield import CallRecorder, RuntimeContext, RuntimeSession, enabled_nodes
from jackfield_qa._node import QA_NODE_TYPE

__all__ = ["SESSION_NAME", "create_runtime_sessions", "has_enabled_qa_node"]

#: The recorder's name in the host's logs.
SESSION_NAME: Final = "qa-call-recorder"


def has_enabled_qa_node(workflow_graph: Any) -> bool:
    """Whether ``workflow_graph`` holds a ``qa`` node not switched off (``"enabled": false``).

    ``workflow_graph`` is a :class:`~jackfield.host.WorkflowDefinition`, its JSON
    form, or ``None``.
    """
    return bool(enabled_nodes(workflow_graph, QA_NODE_TYPE))


def create_runtime_sessions(context: RuntimeContext) -> list[RuntimeSession]:
    """One :class:`~jackfield.CallRecorder` for the call if a QA node is enabled, else none.

    It records what the review needs and nothing more: the transcript with
    tool calls, the disposition and the duration (no latency, no usage).
    """
    if not has_enabled_qa_node(context.workflow_graph):
        return []
    return [CallRecorder(SESSION_NAME, latency=False, usage=False)]

"""The live-call side: record the call while a Tuner node is enabled."""

from __future__ import annotations

from typing import Any, Final

from jackfield import CallRecorder, RuntimeContext, RuntimeSession, enabled_nodes
from jackfield_tuner._node import TUNER_NODE_TYPE

__all__ = ["SESSION_NAME", "create_runtime_sessions", "has_enabled_tuner_node"]

#: The recorder's name in the host's logs.
SESSION_NAME: Final = "tuner-call-recorder"


def has_enabled_tuner_node(workflow_graph: Any) -> bool:
    """Whether ``workflow_graph`` holds a ``tuner`` node not switched off (``"enabled": false``).

    ``workflow_graph`` is a :class:`~jackfield.host.WorkflowDefinition`, its JSON
    form, or ``None``.
    """
    return bool(enabled_nodes(workflow_graph, TUNER_NODE_TYPE))


def create_runtime_sessions(context: RuntimeContext) -> list[RuntimeSession]:
    """One :class:`~jackfield.CallRecorder` for the call if a Tuner node is enabled, else none.

    The recorder keeps the transcript with tool calls, per-turn latency, usage
    per service and model, the disposition and the duration; the completion
    handler reads them back as a :class:`~jackfield.CallSnapshot`.
    """
    if not has_enabled_tuner_node(context.workflow_graph):
        return []
    return [CallRecorder(SESSION_NAME)]

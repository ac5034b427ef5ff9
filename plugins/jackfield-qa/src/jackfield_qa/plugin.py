"""The ``qa`` plugin's hook implementations (the entry-point module).

Importing this module is light: it builds no HTTP client and reads no
environment variable; httpx is imported only when a completion runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from jackfield import (
    CompletionContext,
    CompletionPhase,
    NodeRegistration,
    RuntimeContext,
    RuntimeSession,
    completion_settings,
    hookimpl,
)
from jackfield_qa._node import QANode
from jackfield_qa._runtime import create_runtime_sessions

__all__ = [
    "COMPLETION_TIMEOUT_S",
    "jackfield_create_runtime_sessions",
    "jackfield_register_nodes",
    "jackfield_run_completion",
]

#: How long one completion attempt may take: room for a slow model's answer.
COMPLETION_TIMEOUT_S: Final = 120.0


@hookimpl
def jackfield_register_nodes() -> list[NodeRegistration]:
    """The ``qa`` node type, its spec derived from :class:`~jackfield_qa.QANode`."""
    return [NodeRegistration.from_model(QANode)]


@hookimpl
def jackfield_create_runtime_sessions(context: RuntimeContext) -> list[RuntimeSession]:
    """A transcript recorder while the workflow's QA node is enabled."""
    return create_runtime_sessions(context)


@hookimpl
@completion_settings(phase=CompletionPhase.ANALYSIS, timeout_s=COMPLETION_TIMEOUT_S)
async def jackfield_run_completion(
    nodes: Sequence[Mapping[str, Any]], context: CompletionContext
) -> dict[str, Any]:
    """Review the recorded call with the configured model (see ``run_completion``)."""
    from jackfield_qa._completion import run_completion

    return await run_completion(nodes, context)

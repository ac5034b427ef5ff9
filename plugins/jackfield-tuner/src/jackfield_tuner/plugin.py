"""The ``tuner`` plugin's hook implementations (the entry-point module).

Importing this module is light: it builds no HTTP client and reads no
environment variable; httpx is imported only when a completion runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jackfield import (
    CompletionContext,
    CompletionPhase,
    NodeRegistration,
    RuntimeContext,
    RuntimeSession,
    completion_settings,
    hookimpl,
)
from jackfield_tuner._node import TunerNode
from jackfield_tuner._runtime import create_runtime_sessions

__all__ = [
    "jackfield_create_runtime_sessions",
    "jackfield_register_nodes",
    "jackfield_run_completion",
]


@hookimpl
def jackfield_register_nodes() -> list[NodeRegistration]:
    """The ``tuner`` node type, its spec derived from :class:`~jackfield_tuner.TunerNode`."""
    return [NodeRegistration.from_model(TunerNode)]


@hookimpl
def jackfield_create_runtime_sessions(context: RuntimeContext) -> list[RuntimeSession]:
    """A call recorder while the workflow's Tuner node is enabled."""
    return create_runtime_sessions(context)


@hookimpl
@completion_settings(phase=CompletionPhase.DELIVERY, timeout_s=30.0)
async def jackfield_run_completion(
    nodes: Sequence[Mapping[str, Any]], context: CompletionContext
) -> dict[str, Any]:
    """Send the recorded call to Tuner, one POST per node (see ``run_completion``)."""
    from jackfield_tuner._completion import run_completion

    return await run_completion(nodes, context)

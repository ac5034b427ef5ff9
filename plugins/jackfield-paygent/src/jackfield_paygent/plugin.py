"""The ``paygent`` plugin's hook implementations (the entry-point module).

Importing this module is cheap: no HTTP client, no environment, no I/O. The
completion code, and httpx with it, is imported when a completion runs.
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
from jackfield_paygent._node import PaygentNode
from jackfield_paygent._runtime import PaygentRecorder, has_enabled_paygent_node

__all__ = [
    "HANDLER_TIMEOUT_S",
    "MAX_ATTEMPTS",
    "jackfield_create_runtime_sessions",
    "jackfield_register_nodes",
    "jackfield_run_completion",
]

#: Time limit of one completion attempt (all of its nodes' steps).
HANDLER_TIMEOUT_S: Final = 120.0
#: Attempts a node gets; on the last one a transient failure becomes final.
MAX_ATTEMPTS: Final = 5
#: Sending stops this long before the time limit; what is left waits for a retry.
_SAFETY_MARGIN_S: Final = 15.0


@hookimpl
def jackfield_register_nodes() -> list[NodeRegistration]:
    """Register the ``paygent`` node type."""
    return [NodeRegistration.from_model(PaygentNode)]


@hookimpl
def jackfield_create_runtime_sessions(context: RuntimeContext) -> list[RuntimeSession]:
    """Record usage and timing of the call when the workflow has an enabled Paygent node."""
    if not has_enabled_paygent_node(context):
        return []
    return [PaygentRecorder(is_realtime=context.is_realtime)]


@hookimpl
@completion_settings(
    phase=CompletionPhase.DELIVERY, timeout_s=HANDLER_TIMEOUT_S, max_attempts=MAX_ATTEMPTS
)
async def jackfield_run_completion(
    nodes: Sequence[Mapping[str, Any]], context: CompletionContext
) -> dict[str, Any]:
    """Meter the call in Paygent for each node; see :mod:`jackfield_paygent._completion`."""
    from jackfield_paygent._completion import run_completion

    return await run_completion(
        nodes,
        context,
        budget_s=HANDLER_TIMEOUT_S - _SAFETY_MARGIN_S,
        max_attempts=MAX_ATTEMPTS,
    )

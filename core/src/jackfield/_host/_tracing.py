"""Hook-call tracing for operators (``JACKFIELD_TRACE_PLUGINS=1``).

Each hook call becomes one ``INFO`` record on the ``jackfield.trace`` logger,
with the structured fields ``plugin``, ``hook``, ``duration_ms`` and
``outcome`` (``ok``, ``error:<ExceptionType>`` or ``timeout``) as record
attributes, so a JSON log formatter can pick them up. Argument values, return
values and exception messages are never logged: they may hold secrets.
"""

from __future__ import annotations

import logging
from typing import Final

__all__ = ["TRACE_LOGGER", "outcome_of", "trace_hook_call"]

#: Name of the logger trace records go to.
TRACE_LOGGER: Final = "jackfield.trace"

_logger = logging.getLogger(TRACE_LOGGER)


def outcome_of(error: BaseException | None) -> str:
    """Describe a call's outcome without its message: ``ok``, ``timeout`` or ``error:Type``."""
    if error is None:
        return "ok"
    if isinstance(error, TimeoutError):
        return "timeout"
    return f"error:{type(error).__name__}"


def trace_hook_call(
    plugin: str, hook: str, duration_ms: float, error: BaseException | None
) -> None:
    """Log one hook call: which plugin, which hook, how long, and how it ended."""
    outcome = outcome_of(error)
    _logger.info(
        "hook call plugin=%s hook=%s duration_ms=%.3f outcome=%s",
        plugin,
        hook,
        duration_ms,
        outcome,
        extra={"plugin": plugin, "hook": hook, "duration_ms": duration_ms, "outcome": outcome},
    )

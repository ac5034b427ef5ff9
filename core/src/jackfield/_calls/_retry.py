"""The retry signal: :class:`RetryLater`, and reading a service's ``Retry-After``."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


__all__ = ["RetryLater", "retry_after_s"]


def retry_after_s(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to an HTTP ``Retry-After`` header value, if usable.

    Accepts both forms of the header (delay-seconds and an HTTP date) and gives
    ``None`` for a missing or unreadable value, so a handler can write
    ``RetryLater("rate limited", delay_s=retry_after_s(response.headers.get("Retry-After")))``.

    :param now: the current time, for a date value (default: the clock, UTC).
    """
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryLater(Exception):
    """Raised by a completion handler when a failure is transient (a 503, a rate limit).

    The orchestrator records the nodes it was given as due for a retry instead of
    failed, and the host's queue runs the completion again later; nodes already
    delivered are not passed again. After the plugin's ``max_attempts`` the nodes
    are failed as dead-lettered.

    A handler that delivered some nodes and must retry others returns a result
    in which the value of each node to retry is a ``RetryLater`` instance
    instead of raising.

    :param message: why, for the log (never a secret).
    :param delay_s: the earliest sensible retry, in seconds (for example from a
        ``Retry-After`` header); ``None`` lets the orchestrator back off
        exponentially from the plugin's ``retry_base_delay_s``.
    """

    def __init__(self, message: str = "", *, delay_s: float | None = None) -> None:
        super().__init__(message)
        if delay_s is not None and delay_s < 0:
            raise ValueError("RetryLater.delay_s must not be negative")
        self.delay_s = delay_s

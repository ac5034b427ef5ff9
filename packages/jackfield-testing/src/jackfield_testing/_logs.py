"""Fail a test when a secret value reaches a log record."""

from __future__ import annotations

import logging
from collections.abc import Iterable

__all__ = ["SecretLeakError", "SecretLogGuard"]


class SecretLeakError(AssertionError):
    """A secret value appeared in a log record (the message names the logger, not the value)."""


class SecretLogGuard(logging.Handler):
    """A logging handler that remembers every record, to check them for secrets.

    Install it on the root logger (the ``jackfield_log_guard`` fixture does),
    say which values are secret with :meth:`watch`, and call :meth:`check`
    (the fixture does at teardown). The message, its arguments and any
    formatted traceback of every record are searched.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._secrets: set[str] = set()

    def watch(self, *secrets: str | Iterable[str]) -> None:
        """Treat these values as secrets (strings shorter than 5 characters are ignored)."""
        for secret in secrets:
            values = [secret] if isinstance(secret, str) else list(secret)
            self._secrets.update(v for v in values if isinstance(v, str) and len(v) >= 5)

    def emit(self, record: logging.LogRecord) -> None:
        """Remember ``record``."""
        self.records.append(record)

    def leaks(self) -> list[str]:
        """Describe each record that holds a watched secret (without the secret)."""
        found = []
        formatter = logging.Formatter()
        for record in self.records:
            text = record.getMessage()
            if record.exc_info:
                text += formatter.formatException(record.exc_info)
            if record.stack_info:
                text += record.stack_info
            text += repr(getattr(record, "__dict__", {}))
            if any(secret in text for secret in self._secrets):
                found.append(
                    f"{record.name}:{record.levelname} at {record.pathname}:{record.lineno}"
                )
        return found

    def check(self) -> None:
        """Raise :class:`SecretLeakError` if any record holds a watched secret."""
        leaks = self.leaks()
        if leaks:
            raise SecretLeakError(
                "[contract:no-secret-in-logs] a secret value appeared in log records: "
                + "; ".join(leaks)
            )

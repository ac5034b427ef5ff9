"""What a completion handler returns per node: the result helpers and reason codes.

A handler returns ``{node_id: result}``; each result is a plain JSON dict,
built with :func:`delivered`, :func:`duplicate`, :func:`skipped` or
:func:`failed` (or a ``RetryLater`` instance). The orchestrator reads the
``status`` key these write; a dict without a ``status`` still counts as
delivered, as in the first edition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit, urlunsplit

__all__ = [
    "MAX_MESSAGE_CHARS",
    "ReasonCode",
    "ResultStatus",
    "delivered",
    "duplicate",
    "failed",
    "sanitize_message",
    "skipped",
]

#: The longest message kept in a node's state (longer ones are cut).
MAX_MESSAGE_CHARS: Final = 200


class ResultStatus(StrEnum):
    """The ``status`` a result helper writes; the orchestrator's decisions read it."""

    DELIVERED = "delivered"
    """Final: the node's data reached its service."""
    DUPLICATE = "duplicate"
    """Final, counted as delivered: the service already had this delivery."""
    SKIPPED = "skipped"
    """Final: nothing was sent, on purpose."""
    FAILED = "failed"
    """Final: the delivery failed and retrying will not help."""


class ReasonCode(StrEnum):
    """The documented reason codes of skipped and failed nodes.

    Codes the host itself records are marked (host); a handler passes the
    others to :func:`skipped` and :func:`failed`. Any other short snake_case
    string is accepted too.
    """

    NODE_DISABLED = "node_disabled"
    """(host) The node's data says ``"enabled": false``."""
    PLUGIN_DISABLED = "plugin_disabled"
    """(host) The node's plugin is switched off by the host's settings."""
    PLUGIN_FAILED = "plugin_failed"
    """(host) The node's plugin failed to load."""
    PLUGIN_NOT_INSTALLED = "plugin_not_installed"
    """(host) The node's plugin is not installed."""
    NO_PLUGIN_FOR_NODE_TYPE = "no_plugin_for_node_type"
    """(host) Nobody knows which plugin served the node's type."""
    INVALID_CONFIG = "invalid_config"
    """The node's data does not validate (the host records it for typed handlers)."""
    INVALID_SETTINGS = "invalid_settings"
    """(host) The plugin's completion settings are not a ``CompletionSettings``."""
    INVALID_RESULT = "invalid_result"
    """(host) The handler's result is not a JSON object."""
    HANDLER_FAILED = "handler_failed"
    """(host) The handler raised."""
    TIMEOUT = "timeout"
    """(host) The handler ran past its time limit."""
    RETRY_LATER = "retry_later"
    """(host) Not final: the handler asked for a retry."""
    DEAD_LETTERED = "dead_lettered"
    """(host) The handler asked for a retry on the node's last attempt."""
    DUPLICATE = "duplicate"
    """(host, on a delivered node) The handler reported a duplicate delivery."""
    HANDLER_REPORTED = "handler_reported"
    """(host) The handler said skipped or failed without a reason."""
    NOTHING_TO_SEND = "nothing_to_send"
    """Skipped: the call left nothing for this node (no transcript, no usage)."""
    NOT_CONFIGURED = "not_configured"
    """Skipped: the node lacks an optional setting it needs to send."""
    INVALID_SNAPSHOT = "invalid_snapshot"
    """Failed: the runtime snapshot is missing or not what the plugin recorded."""
    REJECTED = "rejected"
    """Failed: the service refused the delivery (a 4xx other than 408/409/425/429)."""
    UNAUTHORIZED = "unauthorized"
    """Failed: the service refused the credential (401, 403)."""


def delivered(detail: Any = None, **extra: Any) -> dict[str, Any]:
    """A delivered node: ``{"status": "delivered", "detail": detail, **extra}``.

    :param detail: what to keep about the delivery (a JSON value: an id, a status code).
    :param extra: further JSON fields of the result.
    """
    result: dict[str, Any] = {"status": ResultStatus.DELIVERED.value}
    if detail is not None:
        result["detail"] = detail
    result.update(extra)
    return result


def duplicate(detail: Any = None, **extra: Any) -> dict[str, Any]:
    """A node the service already had (a 409 on an idempotent delivery); final, delivered."""
    result: dict[str, Any] = {"status": ResultStatus.DUPLICATE.value}
    if detail is not None:
        result["detail"] = detail
    result.update(extra)
    return result


def skipped(reason_code: str, **extra: Any) -> dict[str, Any]:
    """A node not sent on purpose: ``{"status": "skipped", "reason": reason_code}``.

    :param reason_code: a :class:`ReasonCode` or another short snake_case code.
    """
    return {"status": ResultStatus.SKIPPED.value, "reason": str(reason_code), **extra}


def failed(reason_code: str, message: str | None = None, **extra: Any) -> dict[str, Any]:
    """A final failure: ``{"status": "failed", "reason": reason_code, "message": ...}``.

    :param reason_code: a :class:`ReasonCode` (``"rejected"``...) or another code.
    :param message: a short explanation; URLs in it are stripped of credentials
        and query values (see the authoring guide). Never put a secret in it.
    """
    result: dict[str, Any] = {"status": ResultStatus.FAILED.value, "reason": str(reason_code)}
    if message:
        result["message"] = sanitize_message(message)
    result.update(extra)
    return result


_URL: Final = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
_REDACTED: Final = "[redacted]"


def _clean_url(match: re.Match[str]) -> str:
    url = match.group(0)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return _REDACTED
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{_REDACTED}@{host}{port}" if "@" in parts.netloc else f"{host}{port}"
    query = "&".join(
        f"{key}={_REDACTED}" for key, _ in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def sanitize_message(message: object, secrets: Iterable[str] = ()) -> str:
    """``message`` safe to store and log: URLs lose userinfo, query values and fragment,
    each of ``secrets`` (the node's secret values, 4 characters or more) becomes
    ``[secret]``, and the
    text is cut to :data:`MAX_MESSAGE_CHARS`.
    """
    text = _URL.sub(_clean_url, str(message))
    known = {s for s in secrets if isinstance(s, str) and len(s) >= 4}
    for secret in sorted(known, key=len, reverse=True):
        text = text.replace(secret, "[secret]")
    text = " ".join(text.split())
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 1] + "…"
    return text

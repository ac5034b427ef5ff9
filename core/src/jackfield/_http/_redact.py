"""Redaction of URLs and secret values, in text and in log records.

Standard library only. A URL is redacted by replacing its userinfo, every query
value, its fragment and each path segment equal to a secret with ``***``:
``https://user:pw@hooks.example/T0/s3cr3t?token=abc`` becomes
``https://***@hooks.example/T0/***?token=***``. A secret that is a whole URL
(a webhook's endpoint) becomes ``***`` as a whole. Text (a log message, a
traceback) is redacted by replacing each secret value, as is and
percent-encoded, and redacting each URL in it.

The secrets of the request in progress live in a context variable, set by
:func:`redacting` (and by :func:`jackfield.http.send` from its ``secrets=``
argument), so that records emitted by httpx and httpcore *inside* the request
are redacted by the filter :func:`install_log_redaction` puts on their loggers.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit, urlunsplit

__all__ = [
    "MASK",
    "REDACTED_LOGGERS",
    "RedactingFilter",
    "active_secrets",
    "install_log_redaction",
    "redact_text",
    "redact_url",
    "redacting",
]

#: What every redacted part of a URL or a message is replaced with.
MASK: Final = "***"

#: The loggers the host's filter is put on: httpx logs each request's URL at
#: INFO, httpcore (and HTTP/2's hpack) log connection and header details at DEBUG.
REDACTED_LOGGERS: Final = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "hpack",
    "hpack.hpack",
    "hpack.table",
    "h2",
)

_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>`]+")

_SECRETS: ContextVar[tuple[str, ...]] = ContextVar("jackfield_http_secrets", default=())


def _clean(secrets: Iterable[str | None]) -> tuple[str, ...]:
    """Non-empty secrets, longest first (so a secret containing another goes first)."""
    unique = {s for s in secrets if isinstance(s, str) and s}
    return tuple(sorted(unique, key=lambda s: (-len(s), s)))


def active_secrets() -> tuple[str, ...]:
    """The secrets registered for the request in progress in this context."""
    return _SECRETS.get()


@contextmanager
def redacting(*secrets: str | None) -> Iterator[None]:
    """Register secret values for redaction while the block runs.

    Every log record httpx or httpcore emits inside the block (in this task or
    thread) has these values replaced by ``***``, also where they are a path
    segment of a URL. ``None`` and empty strings are ignored, so optional
    settings can be passed as they are; blocks nest.
    """
    token = _SECRETS.set(_clean((*_SECRETS.get(), *secrets)))
    try:
        yield
    finally:
        _SECRETS.reset(token)


def _is_secret(part: str, secrets: tuple[str, ...]) -> bool:
    return part in secrets or unquote(part) in secrets or unquote_plus(part) in secrets


def _replace_secrets(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        for form in {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}:
            text = text.replace(form, MASK)
    return text


def redact_url(url: object, secrets: Iterable[str | None] = ()) -> str:
    """Return ``url`` (a string or an ``httpx.URL``) safe to log, trace or show.

    Userinfo, every query value and the fragment are replaced with ``***``, and
    so is each path segment equal to one of ``secrets`` (or to a secret
    registered with :func:`redacting`); any other occurrence of a secret goes
    too. Scheme, host, port, the other path segments and the query keys stay,
    so the line still says where the request went:
    ``https://***@hooks.example/services/***?token=***``.
    """
    known = _clean((*secrets, *_SECRETS.get()))
    # A secret first goes wherever it appears (a secret may be a whole URL: a
    # webhook's endpoint), then the URL's parts are redacted.
    text = _replace_secrets(str(url), known)
    try:
        parts = urlsplit(text)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rpartition('@')[2]}"
    path = "/".join(
        MASK if seg and _is_secret(seg, known) else seg for seg in parts.path.split("/")
    )
    query = (
        "&".join(_redact_pair(pair, known) for pair in parts.query.split("&"))
        if parts.query
        else ""
    )
    fragment = MASK if parts.fragment else ""
    redacted = urlunsplit((parts.scheme, netloc, path, query, fragment))
    return _replace_secrets(redacted, known)


def _redact_pair(pair: str, secrets: tuple[str, ...]) -> str:
    key, sep, value = pair.partition("=")
    if _is_secret(key, secrets):
        key = MASK
    return f"{key}{sep}{MASK}" if value else f"{key}{sep}"


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Return ``text`` with each secret replaced with ``***`` and each URL in it redacted.

    The secrets are ``secrets`` and those registered with :func:`redacting`.
    """
    known = _clean((*secrets, *_SECRETS.get()))
    text = _replace_secrets(text, known)
    text = _URL_IN_TEXT.sub(lambda match: redact_url(match.group(0), known), text)
    return _replace_secrets(text, known)


class RedactingFilter(logging.Filter):
    """A logging filter redacting URLs and the active secrets in a record's text.

    It rewrites the record's message (and its traceback text, if any) and never
    drops a record. When nothing needed redacting the record is left untouched,
    arguments included; otherwise ``msg`` becomes the redacted text and
    ``args`` is emptied (and a traceback is kept only as redacted text, without
    the exception object), so no handler sees the original values.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as usual
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            text = redact_text(record.exc_text)
            if text != record.exc_text:
                # The exception object itself would show the original to a
                # handler formatting it anew: keep only the redacted text.
                record.exc_text, record.exc_info = text, None
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


_FILTER: Final = RedactingFilter()
_INSTALL_LOCK: Final = threading.Lock()


def install_log_redaction() -> None:
    """Put the redacting filter on the HTTP client libraries' loggers, once per process.

    For hosts: call it at start-up, before plugins run. It covers ``httpx``
    (which logs every request's full URL at INFO), ``httpcore`` and ``hpack``
    (DEBUG): userinfo, query values and the secrets of
    the request in progress never reach a handler. Calling it again does
    nothing; :func:`jackfield.http.shared_client` calls it too, so a host that
    forgot is still covered. Plugins never need to touch these loggers.
    """
    with _INSTALL_LOCK:
        names = set(REDACTED_LOGGERS)
        names.update(
            name
            for name in list(logging.root.manager.loggerDict)
            if name.startswith(("httpx.", "httpcore.", "hpack.", "h2."))
        )
        for name in sorted(names):
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)

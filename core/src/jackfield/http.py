"""jackfield for plugins that call HTTP services: the host's client, policy and redaction.

Needs the ``http`` extra (``pip install 'jackfield[http]'``, which brings httpx).
A completion handler sends each request with :func:`send` and acts on the
:class:`HttpOutcome` it gets back::

    outcome = await send("POST", url, json=payload, timeout_s=5, secrets=[node.token])
    if outcome.kind is OutcomeKind.RETRY:
        return outcome.retry_later("Tuner")  # RetryLater with reason and Retry-After

Every request goes through the running loop's one shared ``httpx.AsyncClient``
(:func:`shared_client`), built on the process's one TLS context
(:func:`tls_context`). URLs in the log records of httpx and httpcore are
redacted by a filter the host installs (:func:`install_log_redaction`); a
plugin never touches those loggers. Hosts also call :func:`close_shared_clients`
at shutdown.
"""

try:
    import httpx as _httpx  # noqa: F401  (the extra's one dependency)
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "jackfield.http needs httpx, which the 'http' extra installs: "
        "pip install 'jackfield[http]'",
        name=__name__,
    ) from exc

from jackfield._http._client import close_shared_clients, shared_client, tls_context
from jackfield._http._outcome import HttpOutcome, OutcomeKind, classify, classify_error
from jackfield._http._redact import install_log_redaction, redact_url, redacting
from jackfield._http._send import send

__all__ = [
    "HttpOutcome",
    "OutcomeKind",
    "classify",
    "classify_error",
    "close_shared_clients",
    "install_log_redaction",
    "redact_url",
    "redacting",
    "send",
    "shared_client",
    "tls_context",
]

"""What one HTTP request came to: :class:`HttpOutcome`, and the policy that classifies it.

The policy every plugin follows (and ``docs/authoring.md`` documents):

- a 2xx answer: **delivered**;
- a 409 answer: **duplicate** when the caller says the service answers 409 to
  something it already has (``duplicate_on_409=True``), else a final failure;
- a network error, a timeout, or a 408, 425, 429 or 5xx answer: **retry**,
  honouring ``Retry-After`` (in seconds or as an HTTP date);
- any other answer (other 4xx, a 3xx since redirects are not followed), an
  unusable URL, a request the client refuses to send: **failed**, final.

An outcome holds the status and a short reason, never the body, a header value
or the URL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Final

import httpx

from jackfield._calls._retry import RetryLater, retry_after_s

__all__ = ["RETRY_STATUSES", "HttpOutcome", "OutcomeKind", "classify", "classify_error"]

#: 4xx statuses that mean "try again later": request timeout, too early, rate limited.
RETRY_STATUSES: Final = frozenset({408, 425, 429})


class OutcomeKind(enum.StrEnum):
    """What an HTTP request came to, as a completion handler acts on it."""

    #: The service accepted it (2xx).
    DELIVERED = "delivered"
    #: The service already had it (409, where the caller said so); final, not an error.
    DUPLICATE = "duplicate"
    #: A transient failure: raise or return :meth:`HttpOutcome.retry_later`.
    RETRY = "retry"
    #: A failure a retry cannot fix; final.
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class HttpOutcome:
    """What one HTTP request came to: its kind, status and a short reason.

    :param kind: delivered, duplicate, retry or failed (:class:`OutcomeKind`).
    :param status: the HTTP status of the answer; ``None`` when there was none.
    :param reason: a short code fit for a node result: ``http_<status>`` for
        an answer, else ``timeout``, ``network_error``, ``invalid_url``,
        ``invalid_request``, ``invalid_response`` or ``too_many_redirects``.
    :param detail: the same in words for a log line or a ``RetryLater``
        (``HTTP 503 Service Unavailable``, ``network error (ConnectError)``);
        never a body, a header value or a URL.
    :param retry_after_s: for a retry, the wait the answer's ``Retry-After``
        asked for, in seconds; ``None`` when absent or unreadable.
    :param duration_ms: time from sending the request to the end of the
        answer (or of the failure), when known.
    :param response: the answer itself, for reading a delivered body
        (``outcome.response.json()``); left out of ``repr`` and comparisons.
    """

    kind: OutcomeKind
    status: int | None
    reason: str
    detail: str = ""
    retry_after_s: float | None = None
    duration_ms: float | None = None
    response: httpx.Response | None = field(default=None, repr=False, compare=False)

    @property
    def delivered(self) -> bool:
        """The service accepted the request (2xx)."""
        return self.kind is OutcomeKind.DELIVERED

    @property
    def final(self) -> bool:
        """Nothing a retry could change: delivered, duplicate or failed."""
        return self.kind is not OutcomeKind.RETRY

    def retry_later(self, service: str = "") -> RetryLater:
        """The :class:`~jackfield.RetryLater` for a retry outcome: its detail and delay.

        Return it as a node's value (or raise it) in one line:
        ``if outcome.kind is OutcomeKind.RETRY: return outcome.retry_later("Tuner")``;
        the message is ``"Tuner: HTTP 503 Service Unavailable"``.

        :param service: named in front of the detail, for the log.
        :raises ValueError: when the outcome is not a retry.
        """
        if self.kind is not OutcomeKind.RETRY:
            raise ValueError(f"a {self.kind.value} outcome is not retried")
        detail = self.detail or self.reason
        return RetryLater(f"{service}: {detail}" if service else detail, delay_s=self.retry_after_s)


def _status_detail(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def classify(
    response: httpx.Response,
    *,
    duplicate_on_409: bool = False,
    duration_ms: float | None = None,
) -> HttpOutcome:
    """Classify an answer by the policy: delivered, duplicate, retry or failed.

    :param duplicate_on_409: the service answers 409 to a request it already
        has (an idempotency key it has seen): a 409 is then a duplicate, final
        and not an error; otherwise a 409 is a final failure.
    :param duration_ms: recorded in the outcome.
    """
    status = response.status_code
    reason, detail = f"http_{status}", _status_detail(status)
    if 200 <= status < 300:
        kind = OutcomeKind.DELIVERED
    elif status == 409 and duplicate_on_409:
        kind = OutcomeKind.DUPLICATE
    elif status in RETRY_STATUSES or 500 <= status < 600:
        delay = retry_after_s(response.headers.get("Retry-After"))
        return HttpOutcome(OutcomeKind.RETRY, status, reason, detail, delay, duration_ms, response)
    else:
        kind = OutcomeKind.FAILED
    return HttpOutcome(kind, status, reason, detail, None, duration_ms, response)


def classify_error(
    error: BaseException,
    *,
    timeout_s: float | None = None,
    duration_ms: float | None = None,
) -> HttpOutcome:
    """Classify a request that got no usable answer: retry (network, timeout) or failed.

    Only the exception's type is used, never its message (which may hold the
    URL). A timeout or a transport error (no connection, connection reset, a
    proxy failure, a malformed answer) is a retry; an unusable URL, a request
    the client refuses to send (a bad header), an undecodable body or a
    redirect loop is a final failure.

    :param error: an ``httpx.HTTPError``, ``httpx.InvalidURL`` or ``TimeoutError``.
    :param timeout_s: the time limit that ran out, for the detail of a timeout.
    :raises TypeError: for any other exception (a bug, not an HTTP failure).
    """
    kind_name = type(error).__name__
    retry, failed = OutcomeKind.RETRY, OutcomeKind.FAILED
    if isinstance(error, TimeoutError | httpx.TimeoutException):
        within = f" within {timeout_s:g} s" if timeout_s is not None else " in time"
        return HttpOutcome(retry, None, "timeout", f"no answer{within}", None, duration_ms)
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return HttpOutcome(
            failed, None, "invalid_url", f"unusable URL ({kind_name})", None, duration_ms
        )
    if isinstance(error, httpx.LocalProtocolError):
        detail = f"the request could not be sent ({kind_name})"
        return HttpOutcome(failed, None, "invalid_request", detail, None, duration_ms)
    if isinstance(error, httpx.TransportError):
        detail = f"network error ({kind_name})"
        return HttpOutcome(retry, None, "network_error", detail, None, duration_ms)
    if isinstance(error, httpx.DecodingError):
        detail = f"the answer could not be decoded ({kind_name})"
        return HttpOutcome(failed, None, "invalid_response", detail, None, duration_ms)
    if isinstance(error, httpx.TooManyRedirects):
        return HttpOutcome(failed, None, "too_many_redirects", kind_name, None, duration_ms)
    if isinstance(error, httpx.HTTPStatusError):
        return classify(error.response, duration_ms=duration_ms)
    if isinstance(error, httpx.HTTPError):
        return HttpOutcome(failed, None, "http_error", kind_name, None, duration_ms)
    raise TypeError(f"classify_error() takes an HTTP error, not {kind_name}")

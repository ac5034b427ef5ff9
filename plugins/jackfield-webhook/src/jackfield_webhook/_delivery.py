"""One HTTP request to a webhook endpoint, and how to read its outcome.

Shared by the completion handler and the ``POST /test`` route. This module
imports httpx; import it only from inside a hook.
"""

from __future__ import annotations

import functools
import logging
import ssl
import time
from dataclasses import dataclass
from typing import Any

import httpx

from jackfield import retry_after_s
from jackfield_webhook._node import HttpMethod

__all__ = ["DeliveryAttempt", "send_payload", "tls_context"]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context per process: building one for every client costs tens of ms."""
    return httpx.create_ssl_context()


class _RedactRequestUrls(logging.Filter):
    """Cut URLs in httpx's request log lines down to scheme, host and port.

    httpx logs every request's full URL at INFO level, and a webhook URL often
    carries its own token (``https://hooks.example/services/T0/B0/secret``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _origin(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


def _origin(url: httpx.URL) -> str:
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}/..."


_REDACTION = _RedactRequestUrls()


def _redact_httpx_request_logs() -> None:
    """Install the redaction on httpx's logger once (called before sending)."""
    logger = logging.getLogger("httpx")
    if _REDACTION not in logger.filters:
        logger.addFilter(_REDACTION)


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """What one request to the endpoint gave.

    :param status_code: the HTTP status of the answer; ``None`` when there was none.
    :param duration_ms: time from sending the request to the end of the answer.
    :param error: ``None`` when the endpoint answered, else ``timeout``,
        ``network_error`` (both transient), ``invalid_endpoint`` or
        ``invalid_request`` (a header the HTTP client refuses to send).
    :param retry_after_s: the answer's ``Retry-After``, in seconds, if usable.
    """

    status_code: int | None
    duration_ms: float
    error: str | None = None
    retry_after_s: float | None = None

    @property
    def succeeded(self) -> bool:
        """The endpoint answered 2xx."""
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def transient(self) -> bool:
        """Worth retrying: no answer in time, no connection, a 429 or a 5xx."""
        if self.error in ("timeout", "network_error"):
            return True
        code = self.status_code
        return code is not None and (code == 429 or code >= 500)


async def send_payload(
    client: httpx.AsyncClient,
    *,
    method: HttpMethod,
    url: str,
    payload: dict[str, Any],
    headers: dict[str, str],
    timeout_s: float,
) -> DeliveryAttempt:
    """Send ``payload`` as the JSON body of one request; never raises for the network.

    Redirects are not followed (a 3xx is an answer like any other). The answer's
    body is never read into the result: it may echo what was sent.
    """
    _redact_httpx_request_logs()
    start = time.perf_counter()

    def elapsed_ms() -> float:
        return round((time.perf_counter() - start) * 1000.0, 3)

    try:
        response = await client.request(
            method.value, url, json=payload, headers=headers, timeout=timeout_s
        )
    except httpx.TimeoutException:
        return DeliveryAttempt(None, elapsed_ms(), "timeout")
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        return DeliveryAttempt(None, elapsed_ms(), "invalid_endpoint")
    except httpx.LocalProtocolError:
        return DeliveryAttempt(None, elapsed_ms(), "invalid_request")
    except httpx.TransportError:
        return DeliveryAttempt(None, elapsed_ms(), "network_error")
    return DeliveryAttempt(response.status_code, elapsed_ms(), None, _retry_after_s(response))


def _retry_after_s(response: httpx.Response) -> float | None:
    """Seconds to wait from the answer's ``Retry-After`` header, if usable."""
    return retry_after_s(response.headers.get("Retry-After"))

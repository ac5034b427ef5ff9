"""One request on the shared client, classified: :func:`send`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from jackfield._http._client import DEFAULT_TIMEOUT_S, shared_client
from jackfield._http._outcome import HttpOutcome, classify, classify_error
from jackfield._http._redact import redacting

__all__ = ["send"]

#: Header names whose values are credentials, redacted from logs like ``secrets``.
_CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie")
_CREDENTIAL_WORDS = ("key", "token", "secret", "auth", "password", "signature")


def _header_secrets(headers: Mapping[str, str] | None) -> list[str]:
    found: list[str] = []
    for name, value in (headers or {}).items():
        lowered = name.lower()
        if lowered in _CREDENTIAL_HEADERS or any(w in lowered for w in _CREDENTIAL_WORDS):
            found.append(value)
            scheme, _, credential = value.partition(" ")
            if credential and scheme.isalpha():
                found.append(credential.strip())
    return [value for value in found if len(value) >= 4]


def _userinfo_secrets(url: str) -> list[str]:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return []
    return [part for part in (parsed.username, parsed.password) if len(part) >= 4]


def _port_usable(url: str) -> bool:
    """False for a port outside 0-65535, which the socket layer would refuse unclassified."""
    try:
        port = httpx.URL(url).port
    except (httpx.InvalidURL, TypeError):
        return True  # the request reports it as an unusable URL
    return port is None or 0 <= port <= 65535


async def send(
    method: str,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    json: Any = None,
    content: bytes | str | None = None,
    data: Mapping[str, Any] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    secrets: Iterable[str | None] = (),
    duplicate_on_409: bool = False,
    client: httpx.AsyncClient | None = None,
) -> HttpOutcome:
    """Send one request and classify what came of it; never raises for the network or HTTP.

    The request goes on the running loop's shared client (:func:`shared_client`)
    unless ``client`` is given. The answer is read whole; a delivered body is
    ``outcome.response``. Redirects are not followed. See :class:`HttpOutcome`
    and :func:`classify` for the policy.

    :param timeout_s: the time limit of the whole request, connecting and
        reading the answer included (each phase gets it as an ``httpx.Timeout``
        too); running out of it is a retry with reason ``timeout``.
    :param secrets: values to redact from every log record httpx and httpcore
        emit during the request, also where one is a path segment of ``url``
        (``https://hooks.example/T0/<token>``). The URL's userinfo and query
        values are always redacted, and so are the values of credential
        headers (``Authorization``, ``X-Api-Key``...). ``None`` is ignored.
    :param duplicate_on_409: a 409 means the service already has this request
        (an idempotency key it has seen): a duplicate, not a failure.
    :param client: an ``httpx.AsyncClient`` of your own instead of the shared one.
    :raises ValueError: when ``timeout_s`` is not positive.
    """
    if not timeout_s > 0:
        raise ValueError("send() needs a positive timeout_s")
    http = client if client is not None else shared_client()
    start = time.perf_counter()

    def elapsed_ms() -> float:
        return round((time.perf_counter() - start) * 1000.0, 3)

    with redacting(*secrets, *_header_secrets(headers), *_userinfo_secrets(url)):
        if not _port_usable(url):
            return classify_error(httpx.InvalidURL("port out of range"), duration_ms=elapsed_ms())
        try:
            async with asyncio.timeout(timeout_s):
                response = await http.request(
                    method,
                    url,
                    params=params,
                    headers=headers,
                    json=json,
                    content=content,
                    data=data,
                    timeout=httpx.Timeout(timeout_s),
                )
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError) as exc:
            return classify_error(exc, timeout_s=timeout_s, duration_ms=elapsed_ms())
    return classify(response, duplicate_on_409=duplicate_on_409, duration_ms=elapsed_ms())

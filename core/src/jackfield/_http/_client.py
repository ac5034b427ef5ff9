"""The process's one TLS context and the shared ``httpx.AsyncClient`` of each event loop.

An ``AsyncClient``'s connection pool belongs to the event loop it was first used
in, so there is one client per running loop (a server has one; a CLI that calls
``asyncio.run`` per call has one at a time). Each client is closed when its loop
shuts down (``asyncio.run`` and every runner built on it finalise async
generators before closing the loop, and a small one waits there for that), or
earlier by :func:`close_shared_clients`. All clients share one
``ssl.SSLContext``: building one loads the CA bundle, which costs tens of
milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
import threading
import weakref
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Final

import httpx

from jackfield._http._redact import install_log_redaction

__all__ = ["DEFAULT_TIMEOUT_S", "close_shared_clients", "shared_client", "tls_context"]

#: Time limit of a request on the shared client when the caller gives none.
DEFAULT_TIMEOUT_S: Final = 10.0


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's one TLS context, made on first use; every shared client uses it.

    It verifies certificates against httpx's CA bundle (``SSL_CERT_FILE`` and
    ``SSL_CERT_DIR`` are honoured). Pass it as ``verify=`` to a client of your
    own (a sync ``httpx.Client`` in a sync handler, say) rather than building
    another.
    """
    return httpx.create_ssl_context()


@dataclass(slots=True)
class _Entry:
    client: httpx.AsyncClient
    # Keeps the loop-end watcher alive: the loop only holds it weakly.
    watcher: AsyncGenerator[None, None]


_LOCK: Final = threading.Lock()
_CLIENTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Entry] = weakref.WeakKeyDictionary()


def shared_client() -> httpx.AsyncClient:
    """The shared ``httpx.AsyncClient`` of the running event loop, made on first use.

    Reuse it for every request instead of opening a client per call: connections
    are pooled and the TLS context is built once (:func:`tls_context`).
    Redirects are not followed and the default time limit is 10 s; pass
    ``timeout=`` per request, or use :func:`jackfield.http.send`, which also
    classifies the answer. Never close it: the host does
    (:func:`close_shared_clients`), and it is closed when its loop ends.

    :raises RuntimeError: when no event loop is running (a sync handler runs in
        a worker thread: use ``httpx.Client(verify=tls_context())`` there).
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            "jackfield.http.shared_client() needs a running event loop; in a sync "
            "handler use httpx.Client(verify=jackfield.http.tls_context())"
        ) from None
    with _LOCK:
        entry = _CLIENTS.get(loop)
        if entry is not None and not entry.client.is_closed:
            return entry.client
        for stale in [other for other in list(_CLIENTS) if other.is_closed()]:
            del _CLIENTS[stale]
        install_log_redaction()
        client = httpx.AsyncClient(
            verify=tls_context(),
            timeout=httpx.Timeout(DEFAULT_TIMEOUT_S),
            follow_redirects=False,
        )
        _CLIENTS[loop] = _Entry(client, _watch_loop_end(client))
        return client


async def _close_at_loop_end(client: httpx.AsyncClient) -> AsyncGenerator[None, None]:
    """Suspended until the loop finalises its async generators, then closes ``client``."""
    try:
        yield
    finally:
        _forget(client)
        await client.aclose()


def _watch_loop_end(client: httpx.AsyncClient) -> AsyncGenerator[None, None]:
    """Start the watcher: its first step registers it with the running loop."""
    watcher = _close_at_loop_end(client)
    with contextlib.suppress(StopIteration):
        watcher.asend(None).send(None)  # runs to the ``yield`` without suspending
    return watcher


def _forget(client: httpx.AsyncClient) -> None:
    with _LOCK:
        for loop, entry in list(_CLIENTS.items()):
            if entry.client is client:
                del _CLIENTS[loop]


async def close_shared_clients() -> None:
    """Close every shared client; for hosts, at shutdown.

    The running loop's client is closed here; a client of a loop running in
    another thread is closed in that loop (waited for); one whose loop has
    stopped is dropped (its loop can no longer run the close). A later
    :func:`shared_client` makes a new client.
    """
    current = asyncio.get_running_loop()
    with _LOCK:
        entries = list(_CLIENTS.items())
    for loop, entry in entries:
        if loop is current:
            await entry.watcher.aclose()
        elif loop.is_running():
            future = asyncio.run_coroutine_threadsafe(entry.watcher.aclose(), loop)
            await asyncio.wrap_future(future)
        else:
            _forget(entry.client)

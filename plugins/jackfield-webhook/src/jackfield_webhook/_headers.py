"""The headers of a delivery: custom ones, the credential's, and the idempotency key.

Secrets reach a request only through the node's credential reference, resolved
by the host when the webhook is sent. A custom header whose name looks like it
carries a secret is refused (logged by name, never by value), so a token typed
into the node's plain-text headers is never sent nor echoed anywhere.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from jackfield import CredentialResolver
from jackfield_webhook._node import WebhookHeader

__all__ = [
    "IDEMPOTENCY_HEADER",
    "PreparedHeaders",
    "idempotency_key",
    "is_secret_header_name",
    "prepare_headers",
    "webhook_credentials",
]

#: The header that carries the key a receiver can de-duplicate deliveries with.
IDEMPOTENCY_HEADER: Final = "Idempotency-Key"

#: Fixed namespace of the idempotency keys (UUID version 5), so a key depends
#: only on the run and the node.
_KEY_NAMESPACE: Final = uuid.UUID("c49bc958-a232-4848-9a33-a425cad16bf9")

#: Fragments of a header name (lower-cased, without ``-``, ``_`` and ``.``)
#: that suggest the header carries a secret. Deliberately broad: a refused
#: harmless header costs a rename, a sent secret costs a leak.
_SECRET_NAME_FRAGMENTS: Final = (
    "auth",
    "token",
    "secret",
    "passw",
    "pwd",
    "cookie",
    "credential",
    "session",
    "signature",
    "bearer",
    "jwt",
    "apikey",
    "accesskey",
    "privatekey",
)

#: Headers a node may not set: the HTTP client and the plugin own them.
_RESERVED: Final = frozenset(
    {"content-length", "host", "connection", "transfer-encoding", IDEMPOTENCY_HEADER.lower()}
)

_log = logging.getLogger("jackfield_webhook")


def is_secret_header_name(name: str) -> bool:
    """Whether a header name looks like it carries a secret.

    Case, ``-``, ``_`` and ``.`` are ignored; a name is secret-looking when it
    contains ``auth``, ``token``, ``secret``, ``password``, ``pwd``, ``cookie``,
    ``credential``, ``session``, ``signature``, ``bearer``, ``jwt``,
    ``api-key``, ``access-key`` or ``private-key``, or ends with ``key``
    (``Authorization``, ``X-Auth-Token``, ``X-Api-Key``, ``Set-Cookie``...).
    """
    folded = name.lower().replace("-", "").replace("_", "").replace(".", "")
    return folded.endswith("key") or any(part in folded for part in _SECRET_NAME_FRAGMENTS)


def idempotency_key(workflow_run_id: str, node_id: str) -> str:
    """The delivery key of one webhook node in one run: the same on every retry.

    A UUID (version 5) derived from the run id and the node id only, sent as
    the ``Idempotency-Key`` header so a receiver can drop a repeated delivery.
    """
    return str(uuid.uuid5(_KEY_NAMESPACE, json.dumps([workflow_run_id, node_id])))


def webhook_credentials() -> CredentialResolver | None:
    """The credential store the ``POST /test`` route resolves credential references with.

    This default has none, so a test of a node with a credential reference is
    refused. A server that has a store overrides this FastAPI dependency::

        app.dependency_overrides[webhook_credentials] = lambda: my_store.headers_for
    """
    return None


@dataclass(frozen=True, slots=True)
class PreparedHeaders:
    """The headers to send, and how many custom headers were refused.

    :param headers: name to value; it may hold the credential's secrets, so it
        is only ever handed to the HTTP client, never logged or returned.
    :param refused: how many of the node's custom headers were dropped (their
        names looked secret, or the plugin owns them).
    """

    headers: dict[str, str]
    refused: int

    def __repr__(self) -> str:
        return f"PreparedHeaders(names={sorted(self.headers)!r}, refused={self.refused})"


def prepare_headers(
    custom: Iterable[WebhookHeader],
    *,
    key: str,
    credential_headers: Mapping[str, str] | None = None,
    node_id: str = "",
) -> PreparedHeaders:
    """Build a delivery's headers.

    In order, a later one replacing an earlier one of the same name (case
    ignored): ``Content-Type: application/json`` and ``User-Agent``, then the
    node's custom headers except refused ones, then the credential's headers,
    then ``Idempotency-Key: key``. A refused custom header is logged with its
    name and the node id.

    :param custom: the node's custom headers.
    :param key: the delivery's idempotency key (see :func:`idempotency_key`).
    :param credential_headers: what the host's credential store returned for the
        node's credential reference, if it has one.
    :param node_id: the node's id, for the log.
    """
    merged: dict[str, tuple[str, str]] = {}

    def put(name: str, value: str) -> None:
        merged[name.lower()] = (name, value)

    put("Content-Type", "application/json")
    put("User-Agent", "jackfield-webhook")
    refused = 0
    for header in custom:
        if header.name.lower() in _RESERVED:
            _log.warning(
                "webhook node %r: custom header %r is set by the plugin; not sent",
                node_id,
                header.name,
            )
            refused += 1
        elif is_secret_header_name(header.name):
            _log.warning(
                "webhook node %r: custom header %r looks like a secret and was refused; "
                "store it as a credential and name it in credential_ref",
                node_id,
                header.name,
            )
            refused += 1
        else:
            put(header.name, header.value)
    for name, value in (credential_headers or {}).items():
        if name.lower() in _RESERVED:
            _log.warning(
                "webhook node %r: the credential's header %r is set by the plugin; not sent",
                node_id,
                name,
            )
            continue
        put(name, value)
    put(IDEMPOTENCY_HEADER, key)
    return PreparedHeaders(headers=dict(merged.values()), refused=refused)

"""The ``webhook`` plugin's hook implementations (the entry-point module).

Importing this module is light: no HTTP client, template engine or web
framework is imported, no environment variable read. httpx and Jinja2 are
imported when a completion runs, FastAPI when a server asks for the routes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jackfield import (
    CompletionContext,
    CompletionPhase,
    NodeRegistration,
    completion_settings,
    hookimpl,
)
from jackfield_webhook._node import WebhookNode

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = ["jackfield_register_nodes", "jackfield_routers", "jackfield_run_completion"]

_log = logging.getLogger("jackfield_webhook")


@hookimpl
def jackfield_register_nodes() -> list[NodeRegistration]:
    """The ``webhook`` node type, its spec derived from :class:`~jackfield_webhook.WebhookNode`."""
    return [NodeRegistration.from_model(WebhookNode)]


@hookimpl
@completion_settings(phase=CompletionPhase.NOTIFICATION, timeout_s=45.0)
async def jackfield_run_completion(
    nodes: Sequence[Mapping[str, Any]], context: CompletionContext
) -> dict[str, Any]:
    """Call each enabled Webhook node's endpoint once (see ``run_completion``).

    Runs in the notification phase, after QA and the deliveries, whose results
    the payload template can use. A node's request takes at most 30 s.
    """
    from jackfield_webhook._completion import run_completion

    return await run_completion(nodes, context)


@hookimpl
def jackfield_routers() -> list[APIRouter]:
    """The router with ``POST /test``, or none when FastAPI is not installed.

    FastAPI comes with the ``routes`` extra (``pip install jackfield-webhook[routes]``);
    a server that mounts plugin routes has it anyway.
    """
    try:
        from jackfield_webhook._routes import build_router
    except ImportError as exc:
        if not (exc.name or "").startswith(("fastapi", "starlette")):
            raise
        _log.warning(
            "webhook: FastAPI is not installed, so POST /test is not served; "
            "install jackfield-webhook[routes]"
        )
        return []
    return [build_router()]

"""jackfield-webhook: call an HTTP endpoint after every call, with a templated JSON payload.

The plugin itself is :mod:`jackfield_webhook.plugin` (the ``webhook`` entry
point in the ``jackfield.integrations`` group). This package re-exports the
node model and the pieces that are useful on their own: the template
variables, the renderer, the header rules and the test route.

Importing it stays light: the renderer (Jinja2), the completion handler
(httpx) and the routes (FastAPI) are imported the first time one of their
names is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from jackfield_webhook._headers import (
    IDEMPOTENCY_HEADER,
    idempotency_key,
    is_secret_header_name,
    webhook_credentials,
)
from jackfield_webhook._node import (
    DEFAULT_PAYLOAD_TEMPLATE,
    MAX_TEMPLATE_CHARS,
    WEBHOOK_NODE_TYPE,
    HttpMethod,
    WebhookHeader,
    WebhookNode,
)
from jackfield_webhook._variables import (
    TEMPLATE_VARIABLES,
    build_render_context,
    sample_render_context,
)

if TYPE_CHECKING:
    from jackfield_webhook._completion import run_completion
    from jackfield_webhook._render import (
        MAX_PAYLOAD_CHARS,
        MAX_VALUE_CHARS,
        RenderedPayload,
        TemplateError,
        render_payload,
    )
    from jackfield_webhook._routes import WebhookTestRequest, WebhookTestResult, build_router

__all__ = [
    "DEFAULT_PAYLOAD_TEMPLATE",
    "IDEMPOTENCY_HEADER",
    "MAX_PAYLOAD_CHARS",
    "MAX_TEMPLATE_CHARS",
    "MAX_VALUE_CHARS",
    "TEMPLATE_VARIABLES",
    "WEBHOOK_NODE_TYPE",
    "HttpMethod",
    "RenderedPayload",
    "TemplateError",
    "WebhookHeader",
    "WebhookNode",
    "WebhookTestRequest",
    "WebhookTestResult",
    "build_render_context",
    "build_router",
    "idempotency_key",
    "is_secret_header_name",
    "render_payload",
    "run_completion",
    "sample_render_context",
    "webhook_credentials",
]

# Names whose modules import a heavy dependency, and those modules.
_LAZY: Final = {
    "MAX_PAYLOAD_CHARS": "jackfield_webhook._render",
    "MAX_VALUE_CHARS": "jackfield_webhook._render",
    "RenderedPayload": "jackfield_webhook._render",
    "TemplateError": "jackfield_webhook._render",
    "render_payload": "jackfield_webhook._render",
    "run_completion": "jackfield_webhook._completion",
    "WebhookTestRequest": "jackfield_webhook._routes",
    "WebhookTestResult": "jackfield_webhook._routes",
    "build_router": "jackfield_webhook._routes",
}


def __getattr__(name: str) -> Any:
    """Import a heavy name's module the first time the name is used."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

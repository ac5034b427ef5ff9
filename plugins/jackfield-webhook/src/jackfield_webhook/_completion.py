"""After the call: one request per enabled Webhook node, and what became of it.

This module imports httpx and Jinja2 (through the renderer); the plugin
imports it only inside ``jackfield_run_completion``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from pydantic import ValidationError

from jackfield import CompletionContext, RetryLater
from jackfield_webhook._delivery import send_payload, tls_context
from jackfield_webhook._headers import idempotency_key, prepare_headers
from jackfield_webhook._node import WebhookNode, validation_problems
from jackfield_webhook._render import TemplateError, render_payload
from jackfield_webhook._variables import build_render_context

__all__ = ["run_completion"]

_log = logging.getLogger("jackfield_webhook")


async def run_completion(
    nodes: Sequence[Mapping[str, Any]], context: CompletionContext
) -> dict[str, Any]:
    """Deliver the run to each node's endpoint, concurrently; return a result per node id.

    Each node's value is one of:

    - ``{"status": "delivered", "status_code": 200, "duration_ms": ...,
      "idempotency_key": ..., "missing_variables": [...]}`` (plus
      ``"refused_headers": n`` when custom headers were refused);
    - ``{"status": "duplicate", "status_code": 409, ...}``: the endpoint already
      had this delivery (same idempotency key); final, not an error;
    - ``{"status": "skipped", "reason": "node_disabled"}``;
    - ``{"status": "failed", "reason": ...}`` for what a retry cannot fix:
      ``invalid_config`` (with ``problems``), ``invalid_template`` (with
      ``location``, ``error`` and maybe ``line``), ``no_credential_store``,
      ``credential_not_found``, ``invalid_endpoint``, ``invalid_request``, or
      ``http_<code>`` (with ``status_code``) for any other non-2xx answer;
    - a :class:`~jackfield.RetryLater` for a timeout, a network error, a 429 or
      a 5xx answer (honouring ``Retry-After``), or a credential store that
      raised, so only that node is tried again.

    Results never hold the endpoint URL, a header value or the response body.

    :param nodes: the workflow's ``webhook`` nodes, as the hook receives them.
    :param context: the completion context (the run, earlier annotations,
        public URLs, credential store).
    """
    variables = build_render_context(context)
    ids = [str(node.get("id", "")) for node in nodes]
    async with httpx.AsyncClient(verify=tls_context()) as client:
        results = await asyncio.gather(
            *(
                _deliver(client, node_id, node.get("data"), variables, context)
                for node_id, node in zip(ids, nodes, strict=True)
            )
        )
    return dict(zip(ids, results, strict=True))


async def _deliver(
    client: httpx.AsyncClient,
    node_id: str,
    data: Any,
    variables: Mapping[str, Any],
    context: CompletionContext,
) -> Any:
    try:
        node = WebhookNode.model_validate(data if data is not None else {})
    except ValidationError as exc:
        _log.error("webhook node %r: its settings are invalid; nothing sent", node_id)
        return {
            "status": "failed",
            "reason": "invalid_config",
            "problems": validation_problems(exc),
        }
    if not node.enabled:
        return {"status": "skipped", "reason": "node_disabled"}
    try:
        rendered = render_payload(node.payload_template, variables)
    except TemplateError as exc:
        _log.error("webhook node %r: %s; nothing sent", node_id, exc)
        failure: dict[str, Any] = {
            "status": "failed",
            "reason": "invalid_template",
            "location": exc.location,
            "error": exc.kind,
        }
        if exc.line is not None:
            failure["line"] = exc.line
        return failure
    credential, refusal = _credential_headers(node_id, node, context)
    if refusal is not None:
        return refusal
    key = idempotency_key(context.workflow_run_id, node_id)
    prepared = prepare_headers(
        node.headers, key=key, credential_headers=credential, node_id=node_id
    )
    assert node.endpoint_url is not None  # the model requires it while enabled
    attempt = await send_payload(
        client,
        method=node.method,
        url=node.endpoint_url,
        payload=rendered.payload,
        headers=prepared.headers,
        timeout_s=node.timeout_s,
    )
    if attempt.transient:
        why = attempt.error or f"HTTP {attempt.status_code}"
        _log.warning("webhook node %r: delivery failed (%s); will retry", node_id, why)
        return RetryLater(f"webhook delivery failed ({why})", delay_s=attempt.retry_after_s)
    if attempt.status_code is None:
        _log.error("webhook node %r: the request could not be sent (%s)", node_id, attempt.error)
        return {"status": "failed", "reason": attempt.error}
    outcome: dict[str, Any] = {
        "status_code": attempt.status_code,
        "duration_ms": attempt.duration_ms,
        "idempotency_key": key,
        "missing_variables": rendered.missing,
    }
    if prepared.refused:
        outcome["refused_headers"] = prepared.refused
    if attempt.succeeded:
        _log.info("webhook node %r: delivered (HTTP %s)", node_id, attempt.status_code)
        return {"status": "delivered", **outcome}
    if attempt.status_code == 409:
        _log.info("webhook node %r: the endpoint already had this delivery (HTTP 409)", node_id)
        return {"status": "duplicate", **outcome}
    _log.error(
        "webhook node %r: the endpoint refused the delivery (HTTP %s)", node_id, attempt.status_code
    )
    return {"status": "failed", "reason": f"http_{attempt.status_code}", **outcome}


def _credential_headers(
    node_id: str, node: WebhookNode, context: CompletionContext
) -> tuple[Mapping[str, str] | None, Any]:
    """The credential's headers (``None`` without a credential), or else the node's result."""
    if node.credential_ref is None:
        return None, None
    if context.credentials is None:
        _log.error("webhook node %r: the host has no credential store; nothing sent", node_id)
        return None, {"status": "failed", "reason": "no_credential_store"}
    try:
        headers = context.credentials(node.credential_ref)
    except Exception as exc:  # the host's store failed: maybe down for a moment
        _log.warning(
            "webhook node %r: the credential store raised %s; will retry",
            node_id,
            type(exc).__name__,
        )
        return None, RetryLater("the credential store failed")
    if headers is None:
        _log.error("webhook node %r: its credential reference is unknown; nothing sent", node_id)
        return None, {"status": "failed", "reason": "credential_not_found"}
    return headers, None

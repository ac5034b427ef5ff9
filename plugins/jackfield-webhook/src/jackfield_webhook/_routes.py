"""The webhook plugin's HTTP routes: ``POST /test`` sends one test delivery.

This module imports FastAPI (the ``routes`` extra), httpx and Jinja2; the
plugin imports it only inside ``jackfield_routers``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field, ValidationError

from jackfield import CredentialResolver
from jackfield_webhook._delivery import send_payload, tls_context
from jackfield_webhook._headers import prepare_headers, webhook_credentials
from jackfield_webhook._node import WebhookNode, validation_problems
from jackfield_webhook._render import TemplateError, render_payload
from jackfield_webhook._variables import sample_render_context

__all__ = ["WebhookTestRequest", "WebhookTestResult", "build_router"]

_log = logging.getLogger("jackfield_webhook")


class WebhookTestRequest(BaseModel):
    """The body of ``POST /test``."""

    data: dict[str, Any] = Field(description="The webhook node's data, as in a workflow.")
    sample_context: dict[str, Any] | None = Field(
        default=None,
        description=(
            "Template variables to use instead of the built-in samples, by top-level name "
            "(for example gathered_context)."
        ),
    )


class WebhookTestResult(BaseModel):
    """What one test delivery gave."""

    ok: bool = Field(description="The endpoint answered 2xx.")
    status_code: int | None = Field(default=None, description="The endpoint's HTTP status.")
    duration_ms: float = Field(description="Time the request took, in milliseconds.")
    error: str | None = Field(
        default=None,
        description="Why there was no answer: timeout, network_error, invalid_endpoint...",
    )
    missing_variables: list[str] = Field(
        description="Dotted paths the template used that the sample data does not have."
    )
    refused_headers: int = Field(description="Custom headers refused (their names look secret).")
    payload: dict[str, Any] = Field(description="The payload that was sent.")


def _unprocessable(detail: dict[str, Any]) -> HTTPException:
    return HTTPException(status_code=422, detail=detail)


async def _test_delivery(
    body: WebhookTestRequest,
    credentials: CredentialResolver | None,
) -> WebhookTestResult:
    try:
        node = WebhookNode.model_validate(body.data)
    except ValidationError as exc:
        raise _unprocessable(
            {"error": "invalid_config", "problems": validation_problems(exc)}
        ) from None
    if not node.endpoint_url:
        raise _unprocessable({"error": "invalid_config", "problems": ["endpoint_url: required"]})
    try:
        rendered = render_payload(node.payload_template, sample_render_context(body.sample_context))
    except TemplateError as exc:
        detail: dict[str, Any] = {
            "error": "invalid_template",
            "location": exc.location,
            "kind": exc.kind,
        }
        if exc.line is not None:
            detail["line"] = exc.line
        raise _unprocessable(detail) from None
    credential_headers = None
    if node.credential_ref is not None:
        if credentials is None:
            raise _unprocessable({"error": "no_credential_store"})
        try:
            credential_headers = credentials(node.credential_ref)
        except Exception as exc:  # the server's store failed
            _log.warning(
                "webhook test delivery: the credential store raised %s", type(exc).__name__
            )
            raise HTTPException(
                status_code=503, detail={"error": "credential_store_failed"}
            ) from None
        if credential_headers is None:
            raise _unprocessable({"error": "credential_not_found"})
    prepared = prepare_headers(
        node.headers,
        key=str(uuid.uuid4()),
        credential_headers=credential_headers,
        node_id="(test)",
    )
    async with httpx.AsyncClient(verify=tls_context()) as client:
        attempt = await send_payload(
            client,
            method=node.method,
            url=node.endpoint_url,
            payload=rendered.payload,
            headers=prepared.headers,
            timeout_s=node.timeout_s,
        )
    _log.info(
        "webhook test delivery: %s",
        attempt.error or f"HTTP {attempt.status_code}",
    )
    return WebhookTestResult(
        ok=attempt.succeeded,
        status_code=attempt.status_code,
        duration_ms=attempt.duration_ms,
        error=attempt.error,
        missing_variables=rendered.missing,
        refused_headers=prepared.refused,
        payload=rendered.payload,
    )


def build_router() -> APIRouter:
    """A new router with ``POST /test``; the server chooses where to mount it.

    ``POST /test`` takes a :class:`WebhookTestRequest`: it renders the node's
    template with sample data, sends one delivery to the node's endpoint (with
    a fresh idempotency key, so a receiver never drops it as a repeat) and
    answers a :class:`WebhookTestResult`, whatever the endpoint answered. It
    answers 422 for node data that cannot be sent: invalid settings, no
    endpoint, a template error, or a credential that cannot be resolved (see
    :func:`~jackfield_webhook.webhook_credentials`).
    """
    router = APIRouter(tags=["webhook"])

    @router.post("/test", response_model=WebhookTestResult)
    async def test_delivery(
        body: WebhookTestRequest,
        credentials: Annotated[CredentialResolver | None, Depends(webhook_credentials)],
    ) -> WebhookTestResult:
        """Send one test delivery of a webhook node, with sample data."""
        return await _test_delivery(body, credentials)

    return router

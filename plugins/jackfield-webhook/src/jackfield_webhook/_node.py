"""The Webhook node: where a finished call is announced, and what is sent."""

from __future__ import annotations

import copy
import json
from enum import StrEnum
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from jackfield import (
    GraphConstraints,
    IntegrationNodeData,
    NodeCategory,
    NodeExample,
    PropertyOption,
    PropertyType,
    RendererOptions,
    node_spec,
    spec_field,
)

__all__ = [
    "DEFAULT_PAYLOAD_TEMPLATE",
    "MAX_TEMPLATE_CHARS",
    "WEBHOOK_NODE_TYPE",
    "HttpMethod",
    "WebhookHeader",
    "WebhookNode",
    "validation_problems",
]

#: The workflow node type string of the Webhook node.
WEBHOOK_NODE_TYPE: Final = "webhook"

#: The longest payload template accepted, in characters of its JSON text.
MAX_TEMPLATE_CHARS: Final = 65_536

#: What a node sends when it sets no template of its own: the run, its
#: outcome and everything earlier completion phases added. A string value that
#: is a single ``{{ ... }}`` placeholder keeps the variable's JSON type.
DEFAULT_PAYLOAD_TEMPLATE: Final[dict[str, Any]] = {
    "event": "call.completed",
    "run": {"id": "{{ run.id }}", "name": "{{ run.name }}"},
    "workflow": {"id": "{{ workflow.id }}", "name": "{{ workflow.name }}"},
    "campaign_id": "{{ campaign_id }}",
    "call_time": "{{ call_time }}",
    "call_disposition": "{{ call_disposition }}",
    "initial_context": "{{ initial_context }}",
    "gathered_context": "{{ gathered_context }}",
    "usage": "{{ usage }}",
    "cost": "{{ cost }}",
    "recording_url": "{{ recording_url }}",
    "transcript_url": "{{ transcript_url }}",
    "annotations": "{{ annotations }}",
}

# An absolute http(s) URL with a host and no whitespace.
_URL_PATTERN: Final = r"^https?://[^\s/?#]+([/?#]\S*)?$"
# RFC 9110 token characters.
_HEADER_NAME_PATTERN: Final = r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"
# No line breaks: a header value may not start another header.
_HEADER_VALUE_PATTERN: Final = r"^[^\r\n]*$"


class HttpMethod(StrEnum):
    """The HTTP method of a webhook delivery; every one carries the JSON payload."""

    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"


class WebhookHeader(BaseModel):
    """One custom HTTP header sent with every delivery of a Webhook node.

    Names that look like they carry a secret (``Authorization``, ``X-Api-Key``,
    ``Cookie``...) are refused when the webhook is sent: secrets belong in the
    node's credential reference.
    """

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    name: str = spec_field(
        description="Header name, for example X-Source.",
        min_length=1,
        max_length=100,
        pattern=_HEADER_NAME_PATTERN,
        placeholder="X-Source",
        renderer_options=RendererOptions(column_span=4),
    )
    value: str = spec_field(
        default="",
        description="Value sent in the header; never a secret (use the credential instead).",
        max_length=2000,
        pattern=_HEADER_VALUE_PATTERN,
        renderer_options=RendererOptions(column_span=8),
    )


@node_spec(
    name=WEBHOOK_NODE_TYPE,
    display_name="Webhook",
    description=(
        "Calls an HTTP endpoint once after every finished call with a JSON payload built "
        "from a template: the run, how the call ended, what was gathered, its usage and "
        "cost, recording and transcript links, and the results of QA and other deliveries."
    ),
    category=NodeCategory.INTEGRATION,
    icon="webhook",
    llm_hint=(
        "A Webhook node has no edges; a workflow may hold several. payload_template is a "
        "JSON object whose string values may contain {{ variable }} placeholders such as "
        "{{ run.id }}, {{ gathered_context.customer_name | default('unknown') }} or "
        "{{ annotations.qa }}. Never put a secret in headers or the template: name a "
        "credential in credential_ref instead."
    ),
    graph_constraints=GraphConstraints(
        min_incoming=0, max_incoming=0, min_outgoing=0, max_outgoing=0
    ),
    examples=[
        NodeExample(
            name="Notify a CRM",
            description="POSTs the caller's details, the outcome and the QA summary.",
            data={
                "name": "CRM webhook",
                "endpoint_url": "https://crm.example.com/hooks/calls",
                "payload_template": {
                    "call": "{{ run.id }}",
                    "outcome": "{{ call_disposition }}",
                    "customer": "{{ gathered_context.customer_name | default('unknown') }}",
                    "qa_summary": "{{ annotations.qa.summary | default('') }}",
                    "recording": "{{ recording_url }}",
                },
            },
        ),
        NodeExample(
            name="Authenticated PUT",
            description=("Sends the default payload with a stored credential and a custom header."),
            data={
                "name": "Data warehouse",
                "endpoint_url": "https://ingest.example.com/v1/calls",
                "method": "PUT",
                "headers": [{"name": "X-Source", "value": "voice-agent"}],
                "credential_ref": "cred_warehouse",
            },
        ),
        NodeExample(
            name="Switched off",
            description="Kept in the workflow but sends nothing; no other setting is needed.",
            data={"name": "Webhook", "enabled": False},
        ),
    ],
    property_order=(
        "name",
        "enabled",
        "endpoint_url",
        "method",
        "payload_template",
        "headers",
        "credential_ref",
        "timeout_s",
    ),
    field_overrides={
        "enabled": {
            "description": "Call the endpoint after every call; when off the node does nothing."
        }
    },
)
class WebhookNode(IntegrationNodeData):
    """The ``data`` of a ``webhook`` node.

    When ``enabled`` (the default), ``endpoint_url`` is required. The endpoint
    URL is treated as a secret (masked whenever a definition leaves the host),
    because many webhook URLs carry their own token. ``payload_template`` may
    also be given as JSON text; it is stored as the object it parses to.
    """

    endpoint_url: str | None = spec_field(
        default=None,
        max_length=2048,
        pattern=_URL_PATTERN,
        description=(
            "The http(s) address that receives the payload. Masked like a secret, since many "
            "webhook URLs carry a token. Required when the node is enabled."
        ),
        display_name="Endpoint URL",
        ui_type=PropertyType.URL,
        placeholder="https://",
        secret=True,
        required_when={"enabled": [True]},
    )
    method: HttpMethod = spec_field(
        default=HttpMethod.POST,
        description="HTTP method of the request; the payload is its JSON body.",
        display_name="HTTP method",
        options=[PropertyOption(value=method.value, label=method.value) for method in HttpMethod],
    )
    payload_template: dict[str, Any] = spec_field(
        default_factory=lambda: copy.deepcopy(DEFAULT_PAYLOAD_TEMPLATE),
        spec_default=DEFAULT_PAYLOAD_TEMPLATE,
        description=(
            "JSON object sent as the body. Its string values may hold {{ variable }} "
            "placeholders with dotted paths and a default filter; a value that is a single "
            "placeholder keeps the variable's JSON type. call_disposition is added when the "
            "template does not set it."
        ),
        editor="code",
    )
    headers: list[WebhookHeader] = spec_field(
        default_factory=list,
        max_length=20,
        description=(
            "Custom HTTP headers. Headers whose names look secret (Authorization, tokens, "
            "API keys, cookies) are refused; use the credential for those."
        ),
        display_name="Custom headers",
    )
    credential_ref: str | None = spec_field(
        default=None,
        min_length=1,
        max_length=200,
        description=(
            "A stored credential whose headers (for example Authorization) are added to the "
            "request when it is sent."
        ),
        display_name="Credential",
        ui_type=PropertyType.CREDENTIAL_REF,
    )
    timeout_s: float = spec_field(
        default=10.0,
        gt=0,
        le=30,
        allow_inf_nan=False,
        description="How long the endpoint may take to answer, in seconds.",
        display_name="Timeout (seconds)",
        renderer_options=RendererOptions(fractional=True),
    )

    @field_validator("payload_template", mode="before")
    @classmethod
    def _parse_template_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError("payload_template is not valid JSON text") from None
        return value

    @field_validator("payload_template")
    @classmethod
    def _template_is_plain_json(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            raise ValueError("payload_template must hold only JSON values") from None
        if len(text) > MAX_TEMPLATE_CHARS:
            raise ValueError(
                f"payload_template is longer than {MAX_TEMPLATE_CHARS} characters of JSON"
            )
        return value


def validation_problems(exc: ValidationError) -> list[str]:
    """Where and why a node's data failed validation, one line per error.

    Each line is ``field.path: message``; the input is never quoted (node data
    may hold secrets).
    """
    problems = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        where = ".".join(str(part) for part in error["loc"]) or "data"
        problems.append(f"{where}: {error['msg']}")
    return problems

"""The Paygent node: its configuration model, from which the node spec is derived."""

from __future__ import annotations

from typing import Final

from jackfield import (
    GraphConstraints,
    IntegrationNodeData,
    NodeCategory,
    node_spec,
    spec_field,
)

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_INDICATOR", "DEFAULT_TIMEOUT_S", "PaygentNode"]

#: Where Paygent's API lives unless a node says otherwise.
DEFAULT_BASE_URL: Final = "https://cp-api.withpaygent.com"

#: The indicator event most voice agents are billed by (shown as a placeholder).
DEFAULT_INDICATOR: Final = "per-minute-call"

#: Time limit of one request to Paygent, in seconds.
DEFAULT_TIMEOUT_S: Final = 15.0

#: Shown, and (for the connection settings) required, only while the node is enabled.
_ENABLED: Final = {"enabled": [True]}
_WHEN_ENABLED: Final = {"show": _ENABLED}


@node_spec(
    name="paygent",
    display_name="Paygent",
    description=(
        "Meters every finished call in Paygent for usage-based billing: opens a "
        "session, reports speech-to-text, LLM and text-to-speech usage (or "
        "speech-to-speech usage for realtime calls), then the billing indicator."
    ),
    category=NodeCategory.INTEGRATION,
    llm_hint=(
        "Add one when the calls of this workflow must be billed to a customer "
        "through Paygent; it is configuration only and takes no edges."
    ),
    graph_constraints=GraphConstraints(
        min_incoming=0, max_incoming=0, min_outgoing=0, max_outgoing=0
    ),
    examples=[
        {
            "name": "Per-minute billing",
            "description": "Bill each call to one customer by the minute.",
            "data": {
                "name": "Paygent billing",
                "api_key": "pg_live_0123456789",
                "agent_id": "agent_support",
                "customer_id": "cust_acme",
                "indicator": "per-minute-call",
            },
        },
        {
            "name": "Switched off",
            "description": "Kept in the workflow but not sending anything.",
            "data": {"name": "Paygent billing", "enabled": False},
        },
    ],
    property_order=(
        "name",
        "enabled",
        "api_key",
        "agent_id",
        "customer_id",
        "indicator",
        "base_url",
        "timeout_s",
    ),
    field_overrides={
        "enabled": {"description": "Send this workflow's calls to Paygent after they end."}
    },
)
class PaygentNode(IntegrationNodeData):
    """Configuration of a Paygent node.

    When ``enabled`` (the default), ``api_key``, ``agent_id``, ``customer_id``
    and ``indicator`` are all required; a disabled node may leave them empty.
    """

    api_key: str | None = spec_field(
        default=None,
        min_length=1,
        pattern=r"^[!-~]+$",
        description="Paygent API key (required when enabled); printable ASCII, no spaces.",
        editor="password",
        display_options=_WHEN_ENABLED,
        secret=True,
        required_when=_ENABLED,
    )
    agent_id: str | None = spec_field(
        default=None,
        min_length=1,
        display_name="Agent ID",
        description="Paygent agent the calls are metered under (required when enabled).",
        display_options=_WHEN_ENABLED,
        required_when=_ENABLED,
    )
    customer_id: str | None = spec_field(
        default=None,
        min_length=1,
        display_name="Customer ID",
        description="Paygent customer the calls are billed to (required when enabled).",
        display_options=_WHEN_ENABLED,
        required_when=_ENABLED,
    )
    indicator: str | None = spec_field(
        default=None,
        min_length=1,
        description=(
            "Name of the Paygent indicator event sent at the end of each call, "
            "with the call's total duration (required when enabled)."
        ),
        placeholder=DEFAULT_INDICATOR,
        display_options=_WHEN_ENABLED,
        required_when=_ENABLED,
    )
    base_url: str = spec_field(
        default=DEFAULT_BASE_URL,
        pattern=r"^https?://\S+$",
        display_name="Base URL",
        description="Root URL of the Paygent API; change it only for a proxy or a test server.",
        display_options=_WHEN_ENABLED,
    )
    timeout_s: float = spec_field(
        default=DEFAULT_TIMEOUT_S,
        gt=0,
        le=60,
        display_name="Request timeout (s)",
        description="How long one request to Paygent may take before it is retried later.",
        display_options=_WHEN_ENABLED,
    )

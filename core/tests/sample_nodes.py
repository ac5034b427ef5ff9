"""A realistic integration node model, shared by tests across core.

Import it as a plain module (``import sample_nodes``): pytest puts this folder
on ``sys.path``. Its spec is pinned by ``golden/call_insights_export.*.json``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel

from jackfield import (
    BaseNodeData,
    GraphConstraints,
    NodeCategory,
    NodeExample,
    PropertyOption,
    PropertyType,
    RendererOptions,
    build_spec,
    node_spec,
    spec_field,
)
from jackfield._specs._registration import NodeRegistration

__all__ = [
    "CALL_INSIGHTS_REGISTRATION",
    "CALL_INSIGHTS_SPEC",
    "CallEvent",
    "CallInsightsExportNode",
    "DeliveryMode",
    "ExtraHeader",
    "Region",
]


class Region(StrEnum):
    """Data residency region of the insights account."""

    US = "us"
    EU_WEST = "eu-west"
    AP_SOUTHEAST = "ap-southeast"


class DeliveryMode(StrEnum):
    """How exported calls reach the insights service."""

    WEBHOOK = "webhook"
    BATCH_UPLOAD = "batch_upload"


CallEvent = Literal["call_started", "call_ended", "transfer", "voicemail"]


class ExtraHeader(BaseModel):
    """One extra HTTP header sent with every webhook delivery."""

    header_name: str = spec_field(
        description="HTTP header name, for example X-Team.",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9-]+$",
        renderer_options=RendererOptions(column_span=4),
    )
    header_value: str = spec_field(
        description="Value sent in the header.",
        max_length=512,
        renderer_options=RendererOptions(column_span=8),
    )


@node_spec(
    name="call_insights_export",
    display_name="Call Insights Export",
    description=(
        "Exports every finished call (transcript, outcome and metrics) to the "
        "Call Insights analytics service."
    ),
    category=NodeCategory.INTEGRATION,
    icon="chart-line",
    llm_hint="Add at most one per workflow; it needs no edges.",
    docs_url="https://docs.example.com/integrations/call-insights",
    version="2",
    examples=[
        NodeExample(
            name="Webhook delivery",
            description="Send ended calls to a webhook in the EU region.",
            data={
                "name": "Insights",
                "api_key": "ci_live_0123456789abcdef",
                "region": "eu-west",
                "delivery_mode": "webhook",
                "webhook_url": "https://hooks.example.com/insights",
                "events": ["call_ended"],
            },
        ),
        {
            "name": "Nightly batch",
            "data": {
                "name": "Insights batch",
                "api_key": "ci_live_0123456789abcdef",
                "delivery_mode": "batch_upload",
                "batch_interval_minutes": 1440,
            },
        },
    ],
    graph_constraints=GraphConstraints(
        min_incoming=0, max_incoming=0, min_outgoing=0, max_outgoing=0, max_instances=1
    ),
    property_order=("name", "api_key", "region", "delivery_mode"),
    field_overrides={
        "name": {"placeholder": "Call insights", "display_name": "Node name"},
        "sample_rate": {"llm_hint": "Use 1.0 unless the user asks for sampling."},
    },
)
class CallInsightsExportNode(BaseNodeData):
    """Configuration of the Call Insights export."""

    delivery_mode: DeliveryMode = spec_field(
        default=DeliveryMode.WEBHOOK,
        description="How calls are delivered to Call Insights.",
    )
    api_key: str = spec_field(
        description="Call Insights API key; find it under Settings, API keys.",
        min_length=16,
        editor="password",
        placeholder="ci_live_...",
        secret=True,
    )
    region: Region = spec_field(
        default=Region.US,
        description="Region of the Call Insights account; data stays in it.",
        options=[
            PropertyOption(value="us", label="United States", description="Virginia, USA."),
            PropertyOption(value="eu-west", label="Europe", description="Dublin, Ireland."),
            PropertyOption(value="ap-southeast", label="Asia Pacific", description="Singapore."),
        ],
    )
    webhook_url: str | None = spec_field(
        default=None,
        ui_type=PropertyType.URL,
        description="HTTPS endpoint that receives one POST per finished call.",
        pattern=r"^https://",
        placeholder="https://",
        display_options={"show": {"delivery_mode": ["webhook"]}},
        required_when={"delivery_mode": ["webhook"]},
    )
    batch_interval_minutes: int = spec_field(
        default=60,
        ge=5,
        le=1440,
        description="Minutes between two batch uploads.",
        display_options={"show": {"delivery_mode": ["batch_upload"]}},
        renderer_options=RendererOptions(column_span=6),
    )
    sample_rate: float = spec_field(
        default=1.0,
        gt=0,
        le=1,
        description="Share of calls to export, between 0 (exclusive) and 1.",
        renderer_options=RendererOptions(column_span=6, fractional=True, step=0.05),
    )
    events: list[CallEvent] = spec_field(
        default_factory=lambda: ["call_ended"],
        ui_type=PropertyType.MULTI_OPTIONS,
        spec_default=["call_ended"],
        description="Call events that trigger an export.",
        min_length=1,
    )
    include_transcript: bool = spec_field(
        default=True,
        description="Whether the transcript is part of the export.",
    )
    redact_pii: bool = spec_field(
        default=True,
        description="Whether names, numbers and addresses are removed from the transcript.",
        display_options={"show": {"include_transcript": [True]}},
    )
    extra_headers: list[ExtraHeader] = spec_field(
        default_factory=list,
        description="Extra HTTP headers added to every webhook request.",
        max_length=10,
        display_options={"hide": {"delivery_mode": ["batch_upload"]}},
    )
    custom_metadata: dict[str, Any] = spec_field(
        default_factory=dict,
        description="JSON object attached to every exported call.",
        editor="code",
    )
    export_cursor: str | None = spec_field(
        default=None,
        description="Internal position of the last export; managed by the plugin.",
        spec_exclude=True,
    )


CALL_INSIGHTS_SPEC = build_spec(CallInsightsExportNode)

CALL_INSIGHTS_REGISTRATION = NodeRegistration.from_model(CallInsightsExportNode)

"""The Tuner node: where a workflow's calls go in Tuner, and the optional cost rates."""

from __future__ import annotations

from typing import Final

from jackfield import (
    DisplayOptions,
    GraphConstraints,
    IntegrationNodeData,
    NodeCategory,
    NodeExample,
    PropertyType,
    RendererOptions,
    node_spec,
    spec_field,
)

__all__ = ["DEFAULT_BASE_URL", "TUNER_NODE_TYPE", "TunerNode"]

#: The workflow node type string of the Tuner node.
TUNER_NODE_TYPE: Final = "tuner"

#: Tuner's public API, used unless a node names another base URL.
DEFAULT_BASE_URL: Final = "https://api.usetuner.ai"

#: The settings a Tuner node needs before it can deliver anything are required
#: while the node is enabled.
_WHEN_ENABLED: Final = {"enabled": [True]}

# Rates are only shown while cost calculation is on, three to a row, and take
# fractional amounts such as 0.15.
_SHOWN_WITH_COST: Final = DisplayOptions(show={"calculate_cost": [True]})
_RATE_INPUT: Final = RendererOptions(column_span=4, fractional=True)


def _llm_rate(description: str, display_name: str) -> float:
    value: float = spec_field(
        default=0.0,
        ge=0,
        le=1000,
        allow_inf_nan=False,
        description=description,
        display_name=display_name,
        display_options=_SHOWN_WITH_COST,
        renderer_options=_RATE_INPUT,
    )
    return value


def _service_rate(description: str, display_name: str) -> float:
    value: float = spec_field(
        default=0.0,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description=description,
        display_name=display_name,
        display_options=_SHOWN_WITH_COST,
        renderer_options=_RATE_INPUT,
    )
    return value


@node_spec(
    name=TUNER_NODE_TYPE,
    display_name="Tuner",
    description=(
        "Sends every finished call to Tuner for voice-agent observability: the transcript "
        "with tool calls, per-turn latency, the models used, how the call ended, the "
        "recording link and, optionally, what the call cost."
    ),
    category=NodeCategory.INTEGRATION,
    icon="activity",
    llm_hint=(
        "A workflow holds at most one Tuner node and it has no edges. Fill agent_id, "
        "workspace_id and api_key from the user's Tuner agent settings; turn "
        "calculate_cost on only when the user gives the rates of their providers."
    ),
    graph_constraints=GraphConstraints(
        min_incoming=0, max_incoming=0, min_outgoing=0, max_outgoing=0, max_instances=1
    ),
    examples=[
        NodeExample(
            name="Observability only",
            description="Every call goes to one Tuner agent; no cost is computed.",
            data={
                "name": "Tuner",
                "agent_id": "riverside-receptionist",
                "workspace_id": 42,
                "api_key": "tr_api_example_0000",
            },
        ),
        NodeExample(
            name="With call cost",
            description="Tuner also receives each call's cost, computed from these rates.",
            data={
                "name": "Tuner with cost",
                "agent_id": "riverside-receptionist",
                "workspace_id": 42,
                "api_key": "tr_api_example_0000",
                "calculate_cost": True,
                "llm_input_usd_per_1m_tokens": 0.15,
                "llm_cached_input_usd_per_1m_tokens": 0.075,
                "llm_output_usd_per_1m_tokens": 0.6,
                "tts_usd_per_1k_chars": 0.03,
                "stt_usd_per_minute": 0.0043,
                "telephony_usd_per_minute": 0.014,
            },
        ),
        NodeExample(
            name="Switched off",
            description="Kept in the workflow but sends nothing; no other setting is needed.",
            data={"name": "Tuner", "enabled": False},
        ),
    ],
    property_order=("name", "enabled", "agent_id", "workspace_id", "api_key", "base_url"),
    field_overrides={
        "enabled": {
            "description": "Send this workflow's calls to Tuner; when off the node does nothing."
        }
    },
)
class TunerNode(IntegrationNodeData):
    """The ``data`` of a ``tuner`` node.

    When ``enabled`` (the default), ``agent_id``, ``workspace_id`` and
    ``api_key`` are required; a disabled node may leave them empty. The rates
    are US dollars and only used when ``calculate_cost`` is on.
    """

    agent_id: str | None = spec_field(
        default=None,
        min_length=1,
        max_length=200,
        description=(
            "Identifier of the Tuner agent that receives the calls, as shown in the agent's "
            "settings in Tuner. Required when the node is enabled."
        ),
        display_name="Agent ID",
        placeholder="my-voice-agent",
        required_when=_WHEN_ENABLED,
    )
    workspace_id: int | None = spec_field(
        default=None,
        gt=0,
        strict=True,
        description="Number of the Tuner workspace the agent belongs to. Required when enabled.",
        display_name="Workspace ID",
        required_when=_WHEN_ENABLED,
    )
    api_key: str | None = spec_field(
        default=None,
        min_length=1,
        description="Tuner API key (a bearer token). Required when the node is enabled.",
        display_name="API key",
        editor="password",
        secret=True,
        required_when=_WHEN_ENABLED,
    )
    base_url: str = spec_field(
        default=DEFAULT_BASE_URL,
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description="Address of the Tuner API; change it only for a self-hosted or test server.",
        display_name="Base URL",
        ui_type=PropertyType.URL,
    )
    calculate_cost: bool = spec_field(
        default=False,
        description=(
            "Compute each call's cost from the rates below and the call's usage, and send "
            "it to Tuner in cents."
        ),
    )
    llm_input_usd_per_1m_tokens: float = _llm_rate(
        "Price of LLM input (prompt) tokens that were not cached, in US dollars per "
        "million tokens.",
        "LLM input (USD / 1M tokens)",
    )
    llm_cached_input_usd_per_1m_tokens: float = _llm_rate(
        "Price of cached LLM input tokens, in US dollars per million tokens.",
        "LLM cached input (USD / 1M tokens)",
    )
    llm_output_usd_per_1m_tokens: float = _llm_rate(
        "Price of LLM output (completion) tokens, in US dollars per million tokens.",
        "LLM output (USD / 1M tokens)",
    )
    tts_usd_per_1k_chars: float = _service_rate(
        "Price of speech synthesis, in US dollars per thousand characters spoken.",
        "TTS (USD / 1K characters)",
    )
    stt_usd_per_minute: float = _service_rate(
        "Price of speech recognition, in US dollars per minute of audio transcribed.",
        "STT (USD / minute)",
    )
    telephony_usd_per_minute: float = _service_rate(
        "Price of the phone line, in US dollars per minute of call; phone calls only.",
        "Telephony (USD / minute)",
    )

"""The QA node: which model reviews a workflow's calls, with what instructions, and which calls."""

from __future__ import annotations

from typing import Final

from pydantic import field_validator

from jackfield import (
    GraphConstraints,
    IntegrationNodeData,
    NodeCategory,
    NodeExample,
    PropertyType,
    RendererOptions,
    node_spec,
    spec_field,
)

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_MODEL", "DEFAULT_PROMPT", "QA_NODE_TYPE", "QANode"]

#: The workflow node type string of the QA node.
QA_NODE_TYPE: Final = "qa"

#: OpenAI's API, used unless a node names another OpenAI-compatible server.
DEFAULT_BASE_URL: Final = "https://api.openai.com/v1"

#: The chat model used unless a node names another.
DEFAULT_MODEL: Final = "gpt-4o-mini"

#: What the reviewing model is asked to look for unless a node says otherwise. The
#: shape of the answer is not part of it: the plugin always adds that itself.
DEFAULT_PROMPT: Final = (
    "You are a quality reviewer for an AI voice agent. Read the transcript of one phone "
    "conversation between the agent and a caller, and judge each step of the conversation "
    "the agent went through.\n"
    "For every step the conversation reached, score how well the agent did on these "
    "criteria: instruction_following (did it do what the step asks of it), understanding "
    "(did it get what the caller meant), accuracy (were its answers and tool use correct), "
    "tone (was it clear, brief and polite) and progress (did it move the call towards the "
    "step's goal).\n"
    "Tag what a supervisor would want to find later: the caller's intent, the outcome, and "
    "problems such as the agent repeating itself, talking over the caller, inventing facts, "
    "or the caller asking for a human."
)

_BASE_URL_PATTERN: Final = r"^https?://[^\s/?#]+(/[^\s?#]*)?$"
_HALF_ROW: Final = RendererOptions(column_span=6)


@node_spec(
    name=QA_NODE_TYPE,
    display_name="QA analysis",
    description=(
        "Has an LLM review every finished call: for each conversation step (start, agent "
        "and end nodes) it writes a summary, scores the agent and adds tags. Short calls, "
        "voicemail and calls left out by sampling are skipped. Works with any "
        "OpenAI-compatible chat-completions API."
    ),
    category=NodeCategory.INTEGRATION,
    icon="clipboard-check",
    llm_hint=(
        "A workflow holds at most one QA node and it has no edges. api_key is required "
        "while enabled; keep the default prompt unless the user names their own criteria, "
        "and lower sample_rate only when the user wants a share of calls reviewed."
    ),
    graph_constraints=GraphConstraints(
        min_incoming=0, max_incoming=0, min_outgoing=0, max_outgoing=0, max_instances=1
    ),
    examples=[
        NodeExample(
            name="Every call with OpenAI",
            description="Every call of 10 s or more is reviewed with the default criteria.",
            data={"name": "Call review", "api_key": "sk-example-0000"},
        ),
        NodeExample(
            name="A fifth of the calls, own criteria",
            description=(
                "One call in five is reviewed by a self-hosted model, voicemail included, "
                "against the team's own checklist."
            ),
            data={
                "name": "Compliance review",
                "base_url": "https://llm.internal.example.com/v1",
                "api_key": "local-example-0000",
                "model": "llama-3.1-70b-instruct",
                "prompt": (
                    "Review the call for compliance. Score disclosure (the agent said the "
                    "call is recorded) and consent (it asked before booking). Tag any "
                    "promise the agent made."
                ),
                "min_duration_s": 30,
                "analyse_voicemail": True,
                "sample_rate": 20,
            },
        ),
        NodeExample(
            name="Switched off",
            description="Kept in the workflow but reviews nothing; no other setting is needed.",
            data={"name": "Call review", "enabled": False},
        ),
    ],
    property_order=("name", "enabled", "api_key", "model", "base_url", "prompt"),
    field_overrides={
        "enabled": {"description": "Review this workflow's calls; when off the node does nothing."}
    },
)
class QANode(IntegrationNodeData):
    """The ``data`` of a ``qa`` node.

    When ``enabled`` (the default), ``api_key`` is required; a disabled node
    may leave it empty. ``model`` and ``prompt`` have defaults and may not be
    blank.
    """

    api_key: str | None = spec_field(
        default=None,
        min_length=1,
        description=(
            "API key of the chat-completions service, sent as a bearer token. Required "
            "when the node is enabled."
        ),
        display_name="API key",
        editor="password",
        secret=True,
        required_when={"enabled": [True]},
    )
    model: str = spec_field(
        default=DEFAULT_MODEL,
        min_length=1,
        max_length=200,
        description="Name of the chat model that reviews the call, as the service knows it.",
        placeholder=DEFAULT_MODEL,
        renderer_options=_HALF_ROW,
    )
    base_url: str = spec_field(
        default=DEFAULT_BASE_URL,
        pattern=_BASE_URL_PATTERN,
        description=(
            "Address of an OpenAI-compatible API, up to and including its version "
            "(requests go to <base URL>/chat/completions)."
        ),
        display_name="Base URL",
        ui_type=PropertyType.URL,
        renderer_options=_HALF_ROW,
    )
    prompt: str = spec_field(
        default=DEFAULT_PROMPT,
        min_length=1,
        max_length=20_000,
        description=(
            "What the reviewer looks for: the criteria to score and the tags to add. The "
            "plugin itself asks for the answer's JSON shape (scores from 1 to 5)."
        ),
        editor="textarea",
    )
    min_duration_s: float = spec_field(
        default=10.0,
        ge=0,
        le=3600,
        allow_inf_nan=False,
        description="Calls shorter than this many seconds are not reviewed.",
        display_name="Minimum duration (s)",
        renderer_options=RendererOptions(column_span=4, fractional=True),
    )
    analyse_voicemail: bool = spec_field(
        default=False,
        description="Also review calls that reached a voicemail box.",
        renderer_options=RendererOptions(column_span=4),
    )
    sample_rate: int = spec_field(
        default=100,
        ge=1,
        le=100,
        strict=True,
        description=(
            "Percentage of calls to review, from 1 to 100. The choice is fixed per run, so "
            "a retried run makes the same one."
        ),
        display_name="Sample rate (%)",
        renderer_options=RendererOptions(column_span=4),
    )

    @field_validator("model", "prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

"""The framework-neutral call surface: typed call events, observers and tasks.

A live call is seen by plugins as a stream of :data:`CallEvent` values. Each
event is a frozen Pydantic model with a string ``kind`` and an aware
``timestamp``; its JSON form is a flat object holding ``kind`` and the fields::

    {"kind": "user_turn", "timestamp": "2025-01-01T10:00:03Z",
     "text": "I'd like to book a table", "started_at": "...", "ended_at": "..."}

A :class:`CallTask` is whatever runs the call (a media pipeline, or
:class:`~jackfield.host.ScriptedCall` for tests and demos); a :class:`CallObserver`
is any object with an ``on_event(event)`` method added to a task. Observers run
on the call's own loop, so they must be quick and must not do network I/O:
collect while the call runs, deliver after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol, Self, TypeAlias, runtime_checkable

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    TypeAdapter,
    model_validator,
)

__all__ = [
    "BotTurn",
    "CallEnded",
    "CallEvent",
    "CallObserver",
    "CallStarted",
    "CallTask",
    "LatencyMetrics",
    "ToolCall",
    "UsageMetrics",
    "UsageService",
    "UserTurn",
    "dump_call_events",
    "parse_call_event",
    "parse_call_events",
]


def _now() -> datetime:
    return datetime.now(UTC)


class _CallEventBase(BaseModel):
    """Fields every call event has."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timestamp: AwareDatetime = Field(default_factory=_now)
    """When the event happened (timezone-aware); defaults to now, in UTC."""

    def to_json_dict(self) -> dict[str, Any]:
        """Return the flat JSON object of this event (``kind`` plus every field)."""
        return self.model_dump(mode="json")


class _TimedSpan(_CallEventBase):
    """An event that covers a span of time (a turn of speech)."""

    started_at: AwareDatetime
    """When the speaker started."""
    ended_at: AwareDatetime
    """When the speaker stopped (or was cut off)."""

    @model_validator(mode="after")
    def _span_is_ordered(self) -> Self:
        if self.ended_at < self.started_at:
            raise ValueError(f"{type(self).__name__}: ended_at is before started_at")
        return self


class CallStarted(_CallEventBase):
    """The call is connected and the conversation begins."""

    kind: Literal["call_started"] = "call_started"
    call_id: str | None = None
    """The host's identifier of the call (for example a telephony call SID), if any."""


class UserTurn(_TimedSpan):
    """The caller said something (the final transcript of one turn)."""

    kind: Literal["user_turn"] = "user_turn"
    text: str
    """What the caller said, as transcribed."""


class BotTurn(_TimedSpan):
    """The bot spoke one turn."""

    kind: Literal["bot_turn"] = "bot_turn"
    text: str
    """What the bot said (the text sent to speech synthesis)."""
    interrupted: bool = False
    """Whether the caller cut the bot off before it finished."""


class ToolCall(_CallEventBase):
    """The bot called a tool (a function) during the call."""

    kind: Literal["tool_call"] = "tool_call"
    name: str
    """The tool's name as the LLM called it."""
    arguments: dict[str, Any] = Field(default_factory=dict)
    """The arguments the LLM passed, as a JSON object."""
    result: Any = None
    """What the tool returned, as a JSON value."""
    duration_s: NonNegativeFloat
    """How long the tool took, in seconds."""


class UsageService(StrEnum):
    """Which kind of service a :class:`UsageMetrics` event counts."""

    LLM = "llm"
    TTS = "tts"
    STT = "stt"


class UsageMetrics(_CallEventBase):
    """Billable usage of one service, reported by the host as it accrues.

    An ``llm`` event counts tokens, a ``tts`` event synthesised characters and
    an ``stt`` event transcribed audio seconds; the counters of the other
    services must stay 0.
    """

    kind: Literal["usage"] = "usage"
    service: UsageService
    provider: str
    """Who served it (``"openai"``, ``"deepgram"``...)."""
    model: str | None = None
    """The provider's model name, when it has one."""
    prompt_tokens: NonNegativeInt = 0
    completion_tokens: NonNegativeInt = 0
    cached_tokens: NonNegativeInt = 0
    """Prompt tokens served from the provider's cache (a part of ``prompt_tokens``)."""
    tts_characters: NonNegativeInt = 0
    stt_seconds: NonNegativeFloat = 0.0

    @model_validator(mode="after")
    def _counters_match_service(self) -> Self:
        foreign = {
            UsageService.LLM: ("tts_characters", "stt_seconds"),
            UsageService.TTS: (
                "prompt_tokens",
                "completion_tokens",
                "cached_tokens",
                "stt_seconds",
            ),
            UsageService.STT: (
                "prompt_tokens",
                "completion_tokens",
                "cached_tokens",
                "tts_characters",
            ),
        }[self.service]
        wrong = [name for name in foreign if getattr(self, name)]
        if wrong:
            raise ValueError(
                f"UsageMetrics: a {self.service.value!r} event cannot count {', '.join(wrong)}"
            )
        if self.cached_tokens > self.prompt_tokens:
            raise ValueError("UsageMetrics: cached_tokens exceeds prompt_tokens")
        return self


class LatencyMetrics(_CallEventBase):
    """How quickly the bot answered one turn. Every figure is in seconds."""

    kind: Literal["latency"] = "latency"
    turn: NonNegativeInt
    """The 0-based index of the bot turn these figures are about."""
    response_s: NonNegativeFloat | None = None
    """From the end of the caller's speech to the first bot audio."""
    stt_s: NonNegativeFloat | None = None
    """From the end of the caller's speech to the final transcript."""
    llm_ttfb_s: NonNegativeFloat | None = None
    """From the LLM request to its first token."""
    tts_ttfb_s: NonNegativeFloat | None = None
    """From the speech synthesis request to its first audio."""


class CallEnded(_CallEventBase):
    """The call is over. ``disposition`` says how it ended."""

    kind: Literal["call_ended"] = "call_ended"
    disposition: str
    """How the call ended, for example ``"completed"``, ``"caller_hangup"``,
    ``"transferred"``, ``"voicemail"`` or ``"error"``."""


#: Any call event; the ``kind`` field tells which.
CallEvent: TypeAlias = Annotated[
    CallStarted | UserTurn | BotTurn | ToolCall | UsageMetrics | LatencyMetrics | CallEnded,
    Field(discriminator="kind"),
]

_EVENT: TypeAdapter[CallEvent] = TypeAdapter(CallEvent)
_EVENTS: TypeAdapter[list[CallEvent]] = TypeAdapter(list[CallEvent])


def parse_call_event(data: Any) -> CallEvent:
    """Validate one event from its flat JSON object (a dict with a ``kind``).

    :raises pydantic.ValidationError: naming the ``kind`` and field at fault.
    """
    return _EVENT.validate_python(data)


def parse_call_events(data: str | bytes | Iterable[Any]) -> list[CallEvent]:
    """Validate a list of events: a JSON array (text or bytes) or a list of dicts.

    :raises pydantic.ValidationError: naming the index, ``kind`` and field at fault.
    """
    if isinstance(data, str | bytes):
        return _EVENTS.validate_json(data)
    return _EVENTS.validate_python(list(data))


def dump_call_events(events: Iterable[CallEvent], *, indent: int | None = None) -> str:
    """Serialise events to a JSON array of flat objects; see :func:`parse_call_events`."""
    return json.dumps([event.to_json_dict() for event in events], indent=indent)


@runtime_checkable
class CallObserver(Protocol):
    """Anything that wants to see a call's events.

    ``on_event`` is called once per event, in order, on the call's own loop. It
    must return quickly and must not block; an exception it raises is caught by
    the host, logged against its plugin, and never reaches the call.
    """

    def on_event(self, event: CallEvent) -> None:
        """Receive one event."""
        ...


@runtime_checkable
class CallTask(Protocol):
    """Whatever runs a call and publishes its events (a pipeline, or a ScriptedCall)."""

    def add_observer(self, observer: CallObserver) -> None:
        """Have ``observer`` receive every event from now on."""
        ...

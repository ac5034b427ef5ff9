"""A ready-made runtime session: record a compact account of the call.

Most integrations want the same things from a live call: the transcript with
tool calls, per-turn latency, usage per service and model, and how the call
ended. :class:`CallRecorder` collects exactly that from the call events and
returns it as the snapshot; :class:`CallSnapshot` reads it back, typed, in the
completion handler::

    @hookimpl
    def jackfield_create_runtime_sessions(context):
        return [CallRecorder("tuner")] if has_enabled_node(context) else []

    @hookimpl
    async def jackfield_run_completion(nodes, context):
        call = CallSnapshot.from_snapshot(context.runtime_snapshot)
        ...
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jackfield._calls._events import (
    BotTurn,
    CallEnded,
    CallEvent,
    CallStarted,
    CallTask,
    LatencyMetrics,
    ToolCall,
    UsageMetrics,
    UsageService,
    UserTurn,
)

__all__ = ["CallRecorder", "CallSnapshot", "LatencyEntry", "TranscriptEntry", "UsageEntry"]


class _SnapshotModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TranscriptEntry(_SnapshotModel):
    """One entry of the transcript: a turn of speech or a tool call."""

    role: Literal["user", "assistant", "tool"]
    text: str | None = None
    """What was said (speech turns only)."""
    started_at: datetime | None = None
    ended_at: datetime | None = None
    interrupted: bool = False
    """For assistant turns: the caller cut the bot off."""
    name: str | None = None
    """For tool calls: the tool's name."""
    arguments: dict[str, Any] | None = None
    result: Any = None
    duration_s: float | None = None


class LatencyEntry(_SnapshotModel):
    """Latency figures of one bot turn, in seconds."""

    turn: int
    response_s: float | None = None
    stt_s: float | None = None
    llm_ttfb_s: float | None = None
    tts_ttfb_s: float | None = None


class UsageEntry(_SnapshotModel):
    """Usage of one service by one provider/model, summed over the call."""

    service: UsageService
    provider: str
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    tts_characters: int = 0
    stt_seconds: float = 0.0

    @property
    def label(self) -> str:
        """``provider/model`` (or just the provider when there is no model)."""
        return f"{self.provider}/{self.model}" if self.model else self.provider


class CallSnapshot(_SnapshotModel):
    """The snapshot a :class:`CallRecorder` returns, read back in completion."""

    call_id: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_s: float | None = None
    disposition: str | None = None
    transcript: list[TranscriptEntry] = Field(default_factory=list)
    latency: list[LatencyEntry] = Field(default_factory=list)
    usage: list[UsageEntry] = Field(default_factory=list)

    @classmethod
    def from_snapshot(cls, snapshot: Mapping[str, Any] | None) -> CallSnapshot | None:
        """Read a recorder snapshot (``context.runtime_snapshot``); ``None`` if there is none.

        :raises pydantic.ValidationError: if the snapshot is not a recorder's.
        """
        if snapshot is None:
            return None
        return cls.model_validate(snapshot)

    def usage_of(self, service: UsageService) -> list[UsageEntry]:
        """The usage entries of one service, in the order first seen."""
        return [entry for entry in self.usage if entry.service is service]


class CallRecorder:
    """A :class:`~jackfield.RuntimeSession` recording transcript, latency, usage and outcome.

    Return one from ``jackfield_create_runtime_sessions``; the host attaches it
    and stores what :meth:`on_call_finished` returns as the plugin's snapshot.
    Everything is kept in memory on the instance; nothing is sent anywhere.

    :param name: the session's name in logs (normally the plugin's name).
    :param transcript: record speech turns and tool calls.
    :param latency: record per-turn latency figures.
    :param usage: record usage, summed per service, provider and model.
    """

    def __init__(
        self, name: str, *, transcript: bool = True, latency: bool = True, usage: bool = True
    ) -> None:
        self._name = name
        self._record_transcript = transcript
        self._record_latency = latency
        self._record_usage = usage
        self._call_id: str | None = None
        self._started_at: datetime | None = None
        self._ended_at: datetime | None = None
        self._disposition: str | None = None
        self._transcript: list[dict[str, Any]] = []
        self._latency: list[dict[str, Any]] = []
        self._usage: dict[tuple[str, str, str | None], dict[str, Any]] = {}

    @property
    def name(self) -> str:
        """The session's name in logs."""
        return self._name

    def attach(self, task: CallTask) -> None:
        """Observe ``task``'s events."""
        task.add_observer(self)

    def on_event(self, event: CallEvent) -> None:
        """Record one event (called by the task for every event)."""
        if isinstance(event, UserTurn | BotTurn):
            if self._record_transcript:
                entry: dict[str, Any] = {
                    "role": "user" if isinstance(event, UserTurn) else "assistant",
                    "text": event.text,
                    "started_at": event.started_at.isoformat(),
                    "ended_at": event.ended_at.isoformat(),
                }
                if isinstance(event, BotTurn) and event.interrupted:
                    entry["interrupted"] = True
                self._transcript.append(entry)
        elif isinstance(event, ToolCall):
            if self._record_transcript:
                self._transcript.append(
                    {
                        "role": "tool",
                        "name": event.name,
                        "arguments": dict(event.arguments),
                        "result": event.result,
                        "duration_s": event.duration_s,
                    }
                )
        elif isinstance(event, UsageMetrics):
            if self._record_usage:
                self._add_usage(event)
        elif isinstance(event, LatencyMetrics):
            if self._record_latency:
                self._latency.append(event.model_dump(mode="json", exclude={"kind", "timestamp"}))
        elif isinstance(event, CallStarted):
            self._call_id = event.call_id
            self._started_at = event.timestamp
        elif isinstance(event, CallEnded):
            self._ended_at = event.timestamp
            self._disposition = event.disposition

    def _add_usage(self, event: UsageMetrics) -> None:
        key = (event.service.value, event.provider, event.model)
        total = self._usage.get(key)
        if total is None:
            total = self._usage[key] = {
                "service": event.service.value,
                "provider": event.provider,
                "model": event.model,
                "prompt_tokens": 0,
                "completion_tokens": 0,
                "cached_tokens": 0,
                "tts_characters": 0,
                "stt_seconds": 0.0,
            }
        total["prompt_tokens"] += event.prompt_tokens
        total["completion_tokens"] += event.completion_tokens
        total["cached_tokens"] += event.cached_tokens
        total["tts_characters"] += event.tts_characters
        total["stt_seconds"] += event.stt_seconds

    async def on_call_finished(self, *, gathered_context: Mapping[str, Any]) -> dict[str, Any]:
        """Return the recorded call as a JSON-serialisable dict (see :class:`CallSnapshot`).

        The disposition falls back to ``gathered_context["disposition"]`` when no
        ``call_ended`` event carried one.
        """
        disposition = self._disposition or gathered_context.get("disposition")
        duration = None
        if self._started_at is not None and self._ended_at is not None:
            duration = round((self._ended_at - self._started_at).total_seconds(), 3)
        elif isinstance(gathered_context.get("duration_s"), int | float):
            duration = float(gathered_context["duration_s"])
        return {
            "call_id": self._call_id,
            "started_at": self._started_at.isoformat() if self._started_at else None,
            "ended_at": self._ended_at.isoformat() if self._ended_at else None,
            "duration_s": duration,
            "disposition": str(disposition) if disposition is not None else None,
            "transcript": list(self._transcript),
            "latency": list(self._latency),
            "usage": [dict(total) for total in self._usage.values()],
        }

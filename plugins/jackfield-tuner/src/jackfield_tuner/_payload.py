"""The JSON body Tuner receives for one call, and how the call type is decided."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from jackfield import CallSnapshot, TranscriptEntry, UsageService
from jackfield_tuner._cost import CallCost

__all__ = ["CallType", "build_call_payload", "call_type_of"]

#: Tuner accepts a disconnection reason of at most this many characters.
_REASON_MAX_CHARS: Final = 100


class CallType(StrEnum):
    """How the caller was connected, in Tuner's words."""

    WEB_CALL = "web_call"
    """In a browser or app (WebRTC, a websocket): no phone line."""
    PHONE_CALL = "phone_call"
    """Over the phone network (PSTN or SIP)."""


#: Values a host may give as ``call_type``, lower-cased, and what they mean.
_CALL_TYPE_WORDS: Final = {
    "phone_call": CallType.PHONE_CALL,
    "phone": CallType.PHONE_CALL,
    "telephony": CallType.PHONE_CALL,
    "pstn": CallType.PHONE_CALL,
    "sip": CallType.PHONE_CALL,
    "web_call": CallType.WEB_CALL,
    "web": CallType.WEB_CALL,
    "webrtc": CallType.WEB_CALL,
    "browser": CallType.WEB_CALL,
}

#: Context keys that only a call over a phone line fills in.
_PHONE_LINE_KEYS: Final = (
    "caller_number",
    "called_number",
    "from_number",
    "to_number",
    "phone_number",
    "call_sid",
    "telephony_provider",
)

#: The label Tuner shows for each service's models.
_MODEL_KEYS: Final = {
    UsageService.STT: "asr_model",
    UsageService.LLM: "llm_model",
    UsageService.TTS: "tts_model",
}


def call_type_of(workflow_run: Any) -> CallType:
    """Decide whether the run was a web call or a phone call.

    ``workflow_run`` is the host's record of the run (``context.workflow_run``);
    anything that is not a mapping counts as empty. In order:

    1. an explicit ``call_type`` in the run itself, then in its
       ``gathered_context``, then in its ``initial_context``: ``phone_call``
       (or ``phone``, ``telephony``, ``pstn``, ``sip``) or ``web_call`` (or
       ``web``, ``webrtc``, ``browser``), in any letter case;
    2. otherwise a phone call if the gathered or initial context holds a
       non-empty phone-line detail: ``caller_number``, ``called_number``,
       ``from_number``, ``to_number``, ``phone_number``, ``call_sid`` or
       ``telephony_provider``;
    3. otherwise a web call.
    """
    run: Mapping[str, Any] = workflow_run if isinstance(workflow_run, Mapping) else {}
    contexts = [
        value
        for value in (run.get("gathered_context"), run.get("initial_context"))
        if isinstance(value, Mapping)
    ]
    for source in (run, *contexts):
        stated = source.get("call_type")
        if isinstance(stated, str) and stated.strip().lower() in _CALL_TYPE_WORDS:
            return _CALL_TYPE_WORDS[stated.strip().lower()]
    for source in contexts:
        if any(source.get(key) not in (None, "") for key in _PHONE_LINE_KEYS):
            return CallType.PHONE_CALL
    return CallType.WEB_CALL


def build_call_payload(
    call: CallSnapshot,
    *,
    call_id: str,
    call_type: CallType,
    workflow_run_id: str,
    agent_version: str | None = None,
    recording_url: str | None = None,
    cost: CallCost | None = None,
) -> dict[str, Any]:
    """Return the JSON body of Tuner's create-call request for ``call``.

    Keys whose value is unknown are left out. Times in the transcript are
    milliseconds from the start of the call; ``start_timestamp`` and
    ``end_timestamp`` are Unix epoch milliseconds. ``call_cost`` is in US
    cents. The models used, the usage, the per-turn latency, the agent version
    and the cost per service go under ``general_meta_data_raw``.

    :param call: the call as the runtime session recorded it.
    :param call_id: Tuner's idempotency key for the call.
    :param call_type: web or phone call (see :func:`call_type_of`).
    :param workflow_run_id: the run, for cross-reference in Tuner.
    :param agent_version: which version of the agent took the call (the
        pinned definition's id).
    :param recording_url: a public URL of the call's recording, if there is one.
    :param cost: the call's cost, when cost calculation is on.
    """
    origin = call.started_at or _first_speech_start(call)
    end = call.ended_at
    if end is None and origin is not None and call.duration_s is not None:
        end = origin + timedelta(seconds=call.duration_s)
    reason = call.disposition[:_REASON_MAX_CHARS] if call.disposition else None
    meta: dict[str, Any] = {
        "ai_models": _models_used(call),
        "usage": [entry.model_dump(mode="json") for entry in call.usage],
        "turn_latency": [_latency_ms(entry.model_dump()) for entry in call.latency],
        "agent_version": agent_version,
        "workflow_run_id": workflow_run_id,
    }
    if cost is not None:
        meta["cost_cents"] = cost.breakdown()
    payload: dict[str, Any] = {
        "call_id": call_id,
        "call_type": call_type.value,
        "call_status": "call_ended",
        "start_timestamp": _epoch_ms(origin),
        "end_timestamp": _epoch_ms(end),
        "duration_ms": round(call.duration_s * 1000) if call.duration_s is not None else None,
        "recording_url": recording_url,
        "transcript": _plain_transcript(call.transcript),
        "transcript_with_tool_calls": _segments(call.transcript, origin),
        "disconnection_reason": reason,
        "call_cost": cost.total_cents if cost is not None else None,
        "general_meta_data_raw": {k: v for k, v in meta.items() if v is not None},
    }
    return {key: value for key, value in payload.items() if value is not None}


def _first_speech_start(call: CallSnapshot) -> datetime | None:
    return next((e.started_at for e in call.transcript if e.started_at is not None), None)


def _epoch_ms(moment: datetime | None) -> int | None:
    return None if moment is None else round(moment.timestamp() * 1000)


def _offset_ms(moment: datetime | None, origin: datetime | None) -> int | None:
    if moment is None or origin is None:
        return None
    return max(0, round((moment - origin).total_seconds() * 1000))


def _segments(transcript: list[TranscriptEntry], origin: datetime | None) -> list[dict[str, Any]]:
    """Tuner's timeline: speech as ``user`` / ``agent``, each tool call as a call and a result."""
    segments: list[dict[str, Any]] = []
    for entry in transcript:
        if entry.role == "tool":
            segments.append(
                {"role": "agent_function", "tool": {"name": entry.name, "params": entry.arguments}}
            )
            result = entry.result if isinstance(entry.result, dict) else {"value": entry.result}
            outcome: dict[str, Any] = {
                "role": "agent_result",
                "tool": {"name": entry.name, "result": result},
            }
            if entry.duration_s is not None:
                outcome["metadata"] = {"duration_ms": round(entry.duration_s * 1000)}
            segments.append(outcome)
            continue
        segment: dict[str, Any] = {
            "role": "user" if entry.role == "user" else "agent",
            "text": entry.text or "",
            "start_ms": _offset_ms(entry.started_at, origin),
            "end_ms": _offset_ms(entry.ended_at, origin),
        }
        if entry.interrupted:
            segment["metadata"] = {"interrupted": True}
        segments.append({k: v for k, v in segment.items() if v is not None})
    return segments


def _plain_transcript(transcript: list[TranscriptEntry]) -> str | None:
    lines = [
        f"{'User' if entry.role == 'user' else 'Agent'}: {entry.text}"
        for entry in transcript
        if entry.role != "tool" and entry.text
    ]
    return "\n".join(lines) or None


def _models_used(call: CallSnapshot) -> dict[str, str] | None:
    """``provider/model`` labels per service, several joined by ", " in the order first seen."""
    models: dict[str, str] = {}
    for service, key in _MODEL_KEYS.items():
        labels = list(dict.fromkeys(entry.label for entry in call.usage_of(service)))
        if labels:
            models[key] = ", ".join(labels)
    return models or None


def _latency_ms(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One turn's latency figures, seconds turned into whole milliseconds."""
    figures: dict[str, Any] = {"turn": entry["turn"]}
    for name in ("response", "stt", "llm_ttfb", "tts_ttfb"):
        seconds = entry.get(f"{name}_s")
        if seconds is not None:
            figures[f"{name}_ms"] = round(seconds * 1000)
    return figures

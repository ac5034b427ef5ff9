"""What Paygent is sent for one call: the ordered steps and their JSON bodies.

Pure functions of the node's settings and the call's snapshot, so a retry
plans exactly the same steps, under the same keys, as the first attempt.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from jackfield import CallSnapshot, UsageEntry, UsageService
from jackfield_paygent._node import PaygentNode

__all__ = [
    "INDICATOR_STEP",
    "SESSION_STEP",
    "STEP_PATHS",
    "CallFacts",
    "Step",
    "idempotency_key",
    "plan_steps",
]

#: The key of the session-start step; every other step depends on it.
SESSION_STEP: Final = "session"
#: The key of the closing indicator step.
INDICATOR_STEP: Final = "indicator"

#: The API path of each kind of step.
STEP_PATHS: Final = {
    "session": "/api/v1/voice/session",
    "stt": "/api/v1/voice/stt",
    "llm": "/api/v1/voice/llm",
    "tts": "/api/v1/voice/tts",
    "speech-to-speech": "/api/v1/voice/speech-to-speech",
    "indicator": "/api/v1/voice/indicator",
}

_IDEMPOTENCY_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "jackfield-paygent")


@dataclass(frozen=True, slots=True)
class CallFacts:
    """What the steps are built from besides the node: the call as recorded.

    :param session_id: Paygent's session id for the call (the workflow run id).
    :param call: the recorder's snapshot of the call.
    :param is_realtime: whether the call ran on a speech-to-speech model.
    :param duration_s: the call's total duration, or ``None`` if nobody knows it.
    """

    session_id: str
    call: CallSnapshot
    is_realtime: bool
    duration_s: float | None


@dataclass(frozen=True, slots=True)
class Step:
    """One POST of a delivery.

    :param key: stable name of the step within the node's delivery
        (``"session"``, ``"llm:openai/gpt-4o"``, ``"indicator"``).
    :param kind: which endpoint it goes to (a key of :data:`STEP_PATHS`).
    :param body: the JSON body.
    :param problem: set when the step cannot be sent at all (for example
        ``"duration_unknown"``); such a step fails without a request.
    """

    key: str
    kind: str
    body: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None

    @property
    def path(self) -> str:
        """The API path this step is posted to."""
        return STEP_PATHS[self.kind]


def idempotency_key(workflow_run_id: str, node_id: str, step_key: str) -> str:
    """A deterministic key for one step of one node's delivery for one run.

    Sent as the ``Idempotency-Key`` header, so Paygent can recognise a step it
    already received when a response was lost and the step is sent again.
    """
    name = f"{workflow_run_id}\x1f{node_id}\x1f{step_key}"
    return str(uuid.uuid5(_IDEMPOTENCY_NAMESPACE, name))


def _summed(entries: Iterable[UsageEntry]) -> dict[str, dict[str, Any]]:
    """Usage totals per ``provider/model`` label, in the order first seen."""
    totals: dict[str, dict[str, Any]] = {}
    for entry in entries:
        total = totals.setdefault(
            entry.label,
            {
                "provider": entry.provider,
                "model": entry.model,
                "prompt_tokens": 0,
                "completion_tokens": 0,
                "cached_tokens": 0,
                "characters": 0,
                "audio_seconds": 0.0,
            },
        )
        total["prompt_tokens"] += entry.prompt_tokens
        total["completion_tokens"] += entry.completion_tokens
        total["cached_tokens"] += entry.cached_tokens
        total["characters"] += entry.tts_characters
        total["audio_seconds"] = round(total["audio_seconds"] + entry.stt_seconds, 3)
    return totals


_SERVICE_FIELDS: Final = {
    UsageService.STT: ("audio_seconds",),
    UsageService.LLM: ("prompt_tokens", "completion_tokens", "cached_tokens"),
    UsageService.TTS: ("characters",),
}


def plan_steps(node: PaygentNode, facts: CallFacts) -> list[Step]:
    """Return the steps of one node's delivery, in the order they must be sent.

    The session start comes first; then one usage step per service and
    ``provider/model`` (STT, LLM, TTS), or for a realtime call one
    speech-to-speech step per ``provider/model`` with all its usage; the
    indicator, with the call's total duration, comes last.
    """
    who = {
        "session_id": facts.session_id,
        "agent_id": node.agent_id,
        "customer_id": node.customer_id,
    }
    call = facts.call
    steps = [
        Step(
            SESSION_STEP,
            "session",
            {
                **who,
                "call_id": call.call_id,
                "started_at": call.started_at.isoformat() if call.started_at else None,
                "ended_at": call.ended_at.isoformat() if call.ended_at else None,
                "realtime": facts.is_realtime,
            },
        )
    ]
    if facts.is_realtime:
        for label, total in _summed(call.usage).items():
            steps.append(Step(f"speech-to-speech:{label}", "speech-to-speech", {**who, **total}))
    else:
        for service, fields in _SERVICE_FIELDS.items():
            for label, total in _summed(call.usage_of(service)).items():
                body = {**who, "provider": total["provider"], "model": total["model"]}
                body.update({name: total[name] for name in fields})
                steps.append(Step(f"{service.value}:{label}", service.value, body))
    indicator = {**who, "indicator": node.indicator, "duration_seconds": facts.duration_s}
    problem = "duration_unknown" if facts.duration_s is None else None
    steps.append(Step(INDICATOR_STEP, "indicator", indicator, problem))
    return steps

"""Replaying a scripted call through a run's plugins: the live half of a run.

The server has no media pipeline: a run's call arrives as a list of call
events, which :func:`replay_call` plays to the runtime sessions of the
plugins with enabled nodes in the pinned workflow, exactly as a live call
would. It also keeps its own account of the call (transcript, usage,
disposition) for the run record and the public transcript link.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jackfield import BotTurn, CallEvent, CallRecorder, RuntimeContext, UserTurn
from jackfield.host import PluginHost, ScriptedCall, WorkflowDefinition, prepare_live_call

__all__ = ["CallReplay", "replay_call"]

_RECORDER_NAME = "jackfield-server"


@dataclass(frozen=True, slots=True)
class CallReplay:
    """What a replayed call leaves for the run record.

    :param logs: the integration logs (each plugin's snapshot and errors).
    :param gathered_context: disposition, duration, event count and call id.
    :param usage: usage per service, provider and model, and the totals.
    :param transcript: the transcript document (JSON bytes) for the public link.
    """

    logs: dict[str, Any]
    gathered_context: dict[str, Any]
    usage: dict[str, Any]
    transcript: bytes


class _Conversation:
    """The LLM context messages so far, for ``RuntimeContext.context_messages_provider``."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []

    def on_event(self, event: CallEvent) -> None:
        if isinstance(event, UserTurn):
            self.messages.append({"role": "user", "content": event.text})
        elif isinstance(event, BotTurn):
            self.messages.append({"role": "assistant", "content": event.text})

    def provide(self) -> Sequence[Mapping[str, Any]]:
        return tuple(self.messages)


def _gathered(events: Sequence[CallEvent]) -> dict[str, Any]:
    ended = [e for e in events if e.kind == "call_ended"]
    duration = (events[-1].timestamp - events[0].timestamp).total_seconds() if events else 0.0
    return {
        "disposition": ended[-1].disposition if ended else None,
        "duration_s": round(duration, 3),
        "event_count": len(events),
    }


def _usage(entries: list[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, float] = {}
    for entry in entries:
        for key in ("prompt_tokens", "completion_tokens", "cached_tokens", "tts_characters"):
            totals[key] = totals.get(key, 0) + int(entry.get(key, 0))
        totals["stt_seconds"] = totals.get("stt_seconds", 0.0) + float(entry.get("stt_seconds", 0))
    return {"services": entries, "totals": totals}


async def replay_call(
    host: PluginHost,
    definition: WorkflowDefinition,
    events: Sequence[CallEvent],
    *,
    run_id: str,
    run_record: Mapping[str, Any],
    finish_timeout_s: float = 10.0,
) -> CallReplay:
    """Play ``events`` to the plugins' runtime sessions and finish them.

    Every plugin failure stays in the logs under the plugin's name; nothing a
    plugin does makes this raise.
    """
    conversation = _Conversation()
    context = RuntimeContext(
        workflow_run_id=run_id,
        workflow_run=run_record,
        workflow_graph=definition,
        context_messages_provider=conversation.provide,
    )
    live = prepare_live_call(host, context)
    call = ScriptedCall(events)
    call.add_observer(conversation)
    live.attach(call)
    recorder = CallRecorder(_RECORDER_NAME, latency=False)
    recorder.attach(call)
    call.run()
    gathered = _gathered(events)
    logs = await live.finish(gathered, timeout_s=finish_timeout_s)
    account = await recorder.on_call_finished(gathered_context=gathered)
    gathered["call_id"] = account["call_id"]
    gathered["disposition"] = account["disposition"]
    transcript = {
        "run_id": run_id,
        "call_id": account["call_id"],
        "started_at": account["started_at"],
        "ended_at": account["ended_at"],
        "duration_s": account["duration_s"],
        "disposition": account["disposition"],
        "entries": account["transcript"],
    }
    return CallReplay(
        logs=logs,
        gathered_context=gathered,
        usage=_usage(account["usage"]),
        transcript=json.dumps(transcript, ensure_ascii=False, indent=1).encode(),
    )

"""Build scripted calls, hosts and workflow definitions for plugin tests."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from jackfield import (
    BotTurn,
    CallEnded,
    CallEvent,
    CallStarted,
    LatencyMetrics,
    RuntimeContext,
    ToolCall,
    UsageMetrics,
    UsageService,
    UserTurn,
)
from jackfield.host import (
    CompletionOutcome,
    PluginHost,
    PluginSettings,
    ScriptedCall,
    WorkflowDefinition,
    complete_call,
    prepare_live_call,
)

__all__ = [
    "CallBuilder",
    "complete",
    "make_host",
    "run_live_call",
    "sample_call",
    "workflow_with",
]

_EPOCH = datetime(2025, 1, 1, 10, 0, tzinfo=UTC)


class CallBuilder:
    """Write a call as a sequence of turns; :meth:`build` gives a ScriptedCall.

    Time advances by itself (each turn takes ``turn_s`` seconds), so tests only
    say what happens::

        call = (CallBuilder().started("call-1").bot("Hello").user("Hi")
                .usage_llm("openai", "gpt-4o-mini", prompt=100, completion=20)
                .ended("completed").build())
    """

    def __init__(self, *, start: datetime = _EPOCH, turn_s: float = 2.0) -> None:
        self._now = start
        self._turn = timedelta(seconds=turn_s)
        self._events: list[CallEvent] = []
        self._bot_turns = 0

    def _span(self) -> tuple[datetime, datetime]:
        begin, self._now = self._now, self._now + self._turn
        return begin, self._now

    def started(self, call_id: str | None = "call-1") -> CallBuilder:
        """The call connects."""
        self._events.append(CallStarted(timestamp=self._now, call_id=call_id))
        return self

    def user(self, text: str) -> CallBuilder:
        """The caller says ``text``."""
        begin, end = self._span()
        self._events.append(UserTurn(timestamp=end, text=text, started_at=begin, ended_at=end))
        return self

    def bot(self, text: str, *, interrupted: bool = False, response_s: float = 0.8) -> CallBuilder:
        """The bot says ``text``; a latency event for the turn follows it."""
        begin, end = self._span()
        self._events.append(
            BotTurn(
                timestamp=end, text=text, started_at=begin, ended_at=end, interrupted=interrupted
            )
        )
        self._events.append(
            LatencyMetrics(timestamp=end, turn=self._bot_turns, response_s=response_s)
        )
        self._bot_turns += 1
        return self

    def tool(
        self, name: str, arguments: Mapping[str, Any] | None = None, result: Any = None
    ) -> CallBuilder:
        """The bot calls a tool."""
        self._events.append(
            ToolCall(
                timestamp=self._now,
                name=name,
                arguments=dict(arguments or {}),
                result=result,
                duration_s=0.1,
            )
        )
        return self

    def usage_llm(
        self, provider: str, model: str, *, prompt: int, completion: int, cached: int = 0
    ) -> CallBuilder:
        """LLM tokens used."""
        self._events.append(
            UsageMetrics(
                timestamp=self._now,
                service=UsageService.LLM,
                provider=provider,
                model=model,
                prompt_tokens=prompt,
                completion_tokens=completion,
                cached_tokens=cached,
            )
        )
        return self

    def usage_tts(self, provider: str, model: str | None, *, characters: int) -> CallBuilder:
        """Speech synthesised."""
        self._events.append(
            UsageMetrics(
                timestamp=self._now,
                service=UsageService.TTS,
                provider=provider,
                model=model,
                tts_characters=characters,
            )
        )
        return self

    def usage_stt(self, provider: str, model: str | None, *, seconds: float) -> CallBuilder:
        """Audio transcribed."""
        self._events.append(
            UsageMetrics(
                timestamp=self._now,
                service=UsageService.STT,
                provider=provider,
                model=model,
                stt_seconds=seconds,
            )
        )
        return self

    def ended(self, disposition: str = "completed") -> CallBuilder:
        """The call ends with ``disposition``."""
        self._events.append(CallEnded(timestamp=self._now, disposition=disposition))
        return self

    @property
    def events(self) -> list[CallEvent]:
        """The events so far."""
        return list(self._events)

    def build(self) -> ScriptedCall:
        """A :class:`~jackfield.host.ScriptedCall` replaying the events so far."""
        return ScriptedCall(self._events)


def sample_call() -> ScriptedCall:
    """A short, complete call: greeting, a question, a tool call, usage of all three services."""
    return (
        CallBuilder()
        .started("call-sample-1")
        .bot("Hello, thanks for calling. How can I help?")
        .usage_tts("cartesia", "sonic-2", characters=42)
        .user("I'd like to check my order status.")
        .usage_stt("deepgram", "nova-3", seconds=2.0)
        .usage_llm("openai", "gpt-4o-mini", prompt=420, completion=35, cached=128)
        .tool("order_status", {"order": "A-17"}, {"status": "shipped"})
        .bot("Your order A-17 has shipped. Anything else?")
        .user("No, that's all. Bye!")
        .bot("Goodbye!")
        .ended("completed")
        .build()
    )


def make_host(plugins: Mapping[str, object]) -> PluginHost:
    """A host with exactly ``plugins`` (name → module or object) and core's built-in nodes.

    Nothing installed in the environment is loaded, and no setting from the
    environment or a config file applies, so other installed plugins cannot
    interfere with the test.
    """
    host = PluginHost(autoload=False, strict=False, trace=False, settings=PluginSettings())
    for name, plugin in plugins.items():
        host.register(plugin, name=name)
    return host


def workflow_with(*nodes: Mapping[str, Any]) -> dict[str, Any]:
    """A runnable definition: a start node, then the given nodes (``{"id", "type", "data"}``)."""
    start = {
        "id": "start",
        "type": "start",
        "data": {"name": "Start", "prompt": "Greet the caller."},
    }
    return {"nodes": [start, *(dict(n) for n in nodes)], "edges": []}


def run_live_call(
    host: PluginHost,
    definition: Mapping[str, Any],
    call: ScriptedCall,
    *,
    gathered_context: Mapping[str, Any] | None = None,
    run_id: str = "run-1",
    is_realtime: bool = False,
) -> dict[str, Any]:
    """Create the plugins' sessions, replay ``call`` through them, return the integration logs."""
    context = RuntimeContext(
        workflow_run_id=run_id,
        workflow_graph=WorkflowDefinition.from_dict(dict(definition)),
        is_realtime=is_realtime,
    )
    live = prepare_live_call(host, context)
    live.attach(call)
    call.run()
    return asyncio.run(live.finish(dict(gathered_context or {"disposition": "completed"})))


def complete(
    host: PluginHost,
    definition: Mapping[str, Any],
    *,
    integration_logs: Mapping[str, Any] | None = None,
    previous_annotations: Mapping[str, Any] | None = None,
    run_id: str = "run-1",
    **kwargs: Any,
) -> CompletionOutcome:
    """Run :func:`jackfield.host.complete_call` to the end (no event loop needed).

    Unless given, the run record is a mapping with the conventional keys a host
    passes (``id``, ``name``, ``workflow_id``, ``workflow_name``, ``created_at``,
    ``initial_context``, ``gathered_context`` with a ``completed`` disposition),
    and the public token and base URL are test values.
    """
    kwargs.setdefault(
        "workflow_run",
        {
            "id": run_id,
            "name": "Test run",
            "workflow_id": "wf-1",
            "workflow_name": "Test workflow",
            "created_at": "2025-01-01T10:00:00+00:00",
            "initial_context": {},
            "gathered_context": {"disposition": "completed", "duration_s": 20.0},
        },
    )
    kwargs.setdefault("public_token", "tok-test")
    kwargs.setdefault("public_base_url", "https://host.test/api/v1/public/runs")
    return asyncio.run(
        complete_call(
            host,
            workflow_run_id=run_id,
            workflow_definition=dict(definition),
            integration_logs=integration_logs,
            previous_annotations=previous_annotations,
            **kwargs,
        )
    )

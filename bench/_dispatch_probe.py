"""Child process of the ``dispatch`` benchmark: call events through runtime sessions.

Run as ``python -I _dispatch_probe.py RUNS EVENTS`` in an environment with
jackfield installed. Five plugins each provide a node type and one runtime
session whose observer does a little real work (counting events by kind,
summing tokens, measuring turns, tracking latency, counting tool calls). Each
round, alternating the order, times the same EVENTS events (a ten-event turn
pattern, repeated) delivered to fresh observers of the same five classes:

* ``host``: the real host path: :func:`jackfield.host.prepare_live_call` creates
  the sessions through the plugin hooks, :meth:`LiveCall.attach` attaches them
  to a :class:`jackfield.host.ScriptedCall` (observers guarded per plugin), and
  ``ScriptedCall.run()`` replays the events;
* ``direct``: the five ``on_event`` methods called one after another in a
  plain loop, no host, no guard;
* ``wrapped``: the host path with a task that has only ``add_observer`` (no
  ``add_guarded_observer``), so every observer is wrapped in a guard object.

Only the replay is timed; creating and attaching sessions is not. After every
host round the sessions are finished and their snapshots checked against the
direct observers' state. Prints one JSON line: ``{"python", "jackfield",
"events", "samples": {name: [seconds, ...]}}``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import platform
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from typing import Any

from jackfield import (
    BaseNodeData,
    BotTurn,
    CallEvent,
    CallObserver,
    CallTask,
    LatencyMetrics,
    NodeRegistration,
    RuntimeContext,
    ToolCall,
    UsageMetrics,
    UsageService,
    UserTurn,
    build_spec,
    hookimpl,
    node_spec,
    spec_field,
)
from jackfield.host import PluginHost, ScriptedCall, WorkflowDefinition, prepare_live_call

# -- five realistic observers --------------------------------------------------------


class KindCounter:
    """Counts events by kind (a call summary)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def on_event(self, event: CallEvent) -> None:
        """Count one event under its kind."""
        kind = event.kind
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def state(self) -> dict[str, Any]:
        """What the observer collected, as JSON."""
        return {"counts": self.counts}


class UsageMeter:
    """Sums LLM tokens, TTS characters and STT seconds (billing)."""

    def __init__(self) -> None:
        self.tokens = 0
        self.characters = 0
        self.seconds = 0.0

    def on_event(self, event: CallEvent) -> None:
        """Add a usage event's counters."""
        if event.kind == "usage":
            self.tokens += event.prompt_tokens + event.completion_tokens
            self.characters += event.tts_characters
            self.seconds += event.stt_seconds

    def state(self) -> dict[str, Any]:
        """What the observer collected, as JSON."""
        return {"tokens": self.tokens, "characters": self.characters, "seconds": self.seconds}


class TurnMeter:
    """Counts turns, spoken characters and interruptions (transcript stats)."""

    def __init__(self) -> None:
        self.turns = 0
        self.characters = 0
        self.interrupted = 0

    def on_event(self, event: CallEvent) -> None:
        """Measure a user or bot turn."""
        if event.kind == "user_turn" or event.kind == "bot_turn":
            self.turns += 1
            self.characters += len(event.text)
            if event.kind == "bot_turn" and event.interrupted:
                self.interrupted += 1

    def state(self) -> dict[str, Any]:
        """What the observer collected, as JSON."""
        return {"turns": self.turns, "characters": self.characters, "interrupted": self.interrupted}


class LatencyTracker:
    """Keeps the worst and total response latency (quality monitoring)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.total = 0.0
        self.turns = 0

    def on_event(self, event: CallEvent) -> None:
        """Fold in a latency event's response time."""
        if event.kind == "latency" and event.response_s is not None:
            self.turns += 1
            self.total += event.response_s
            if event.response_s > self.worst:
                self.worst = event.response_s

    def state(self) -> dict[str, Any]:
        """What the observer collected, as JSON."""
        return {"worst": self.worst, "total": self.total, "turns": self.turns}


class ToolCounter:
    """Counts tool calls by tool name and their total duration."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.seconds = 0.0

    def on_event(self, event: CallEvent) -> None:
        """Count a tool call."""
        if event.kind == "tool_call":
            self.calls[event.name] = self.calls.get(event.name, 0) + 1
            self.seconds += event.duration_s

    def state(self) -> dict[str, Any]:
        """What the observer collected, as JSON."""
        return {"calls": self.calls, "seconds": self.seconds}


OBSERVERS: dict[str, type[KindCounter | UsageMeter | TurnMeter | LatencyTracker | ToolCounter]] = {
    "kinds": KindCounter,
    "usage": UsageMeter,
    "turns": TurnMeter,
    "latency": LatencyTracker,
    "tools": ToolCounter,
}


# -- the plugins that attach them ------------------------------------------------------


class ObserverSession:
    """A runtime session with one observer; its snapshot is the observer's state."""

    def __init__(self, name: str, observer: Any) -> None:
        self.name = name
        self.observer = observer

    def attach(self, task: CallTask) -> None:
        """Add the observer to the call."""
        task.add_observer(self.observer)

    async def on_call_finished(self, *, gathered_context: Mapping[str, Any]) -> dict[str, Any]:
        """Return what the observer collected."""
        state: dict[str, Any] = self.observer.state()
        return state


def make_plugin(name: str, observer_class: type[Any]) -> object:
    """A plugin providing node type ``name`` and a session with an ``observer_class``."""

    @node_spec(name=name, description=f"Benchmark integration {name}.")
    class Node(BaseNodeData):
        enabled: bool = spec_field(default=True, description="Whether the node runs.")

    class Plugin:
        @hookimpl
        def jackfield_register_nodes(self) -> list[NodeRegistration]:
            return [NodeRegistration(type_name=name, data_model=Node, node_spec=build_spec(Node))]

        @hookimpl
        def jackfield_create_runtime_sessions(self, context: RuntimeContext) -> list[Any]:
            return [ObserverSession(f"{name}-session", observer_class())]

    return Plugin()


def make_host() -> tuple[PluginHost, RuntimeContext]:
    """A loaded host with the five plugins, and a call context whose workflow uses them."""
    host = PluginHost(autoload=False)
    for name, observer_class in OBSERVERS.items():
        host.register(make_plugin(name, observer_class), name=name)
    host.load()
    nodes = [{"id": "start", "type": "start", "data": {"name": "Start", "prompt": "Hello"}}]
    nodes += [
        {"id": f"{name}-node", "type": name, "data": {"name": name, "enabled": True}}
        for name in OBSERVERS
    ]
    workflow = WorkflowDefinition.from_dict({"nodes": nodes, "edges": []})
    return host, RuntimeContext(workflow_run_id="bench-run", workflow_graph=workflow)


# -- the events ----------------------------------------------------------------------


def turn_pattern() -> list[CallEvent]:
    """Ten events of one conversational turn, as a voice pipeline reports them."""
    t0 = datetime(2025, 1, 1, 10, 0, tzinfo=UTC)
    at = [t0 + timedelta(seconds=s) for s in range(8)]
    return [
        UserTurn(
            timestamp=at[1], text="I'd like to move my booking", started_at=at[0], ended_at=at[1]
        ),
        UsageMetrics(
            timestamp=at[1], service=UsageService.STT, provider="deepgram", stt_seconds=1.4
        ),
        ToolCall(
            timestamp=at[2],
            name="find_booking",
            arguments={"ref": "B12"},
            result={"ok": True},
            duration_s=0.12,
        ),
        UsageMetrics(
            timestamp=at[2],
            service=UsageService.LLM,
            provider="openai",
            model="gpt-4o",
            prompt_tokens=812,
            completion_tokens=41,
            cached_tokens=640,
        ),
        LatencyMetrics(
            timestamp=at[3], turn=1, response_s=0.72, stt_s=0.18, llm_ttfb_s=0.31, tts_ttfb_s=0.15
        ),
        BotTurn(
            timestamp=at[5], text="Sure, which day suits you?", started_at=at[3], ended_at=at[5]
        ),
        UsageMetrics(
            timestamp=at[5], service=UsageService.TTS, provider="cartesia", tts_characters=26
        ),
        UserTurn(timestamp=at[6], text="Friday", started_at=at[5], ended_at=at[6]),
        BotTurn(
            timestamp=at[7],
            text="Friday at ten",
            started_at=at[6],
            ended_at=at[7],
            interrupted=True,
        ),
        LatencyMetrics(timestamp=at[7], turn=2, response_s=0.64),
    ]


# -- the measured paths ----------------------------------------------------------------


class PlainTask:
    """A task with only ``add_observer``: what a minimal media-framework adapter offers."""

    def __init__(self, events: Sequence[CallEvent]) -> None:
        self._events = events
        self._observers: list[CallObserver] = []

    def add_observer(self, observer: CallObserver) -> None:
        """Have ``observer`` receive every event."""
        self._observers.append(observer)

    def run(self) -> None:
        """Deliver every event to every observer."""
        observers = tuple(self._observers)
        for event in self._events:
            for observer in observers:
                observer.on_event(event)


def _timed(call: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _host_round(
    host: PluginHost, context: RuntimeContext, task: ScriptedCall | PlainTask
) -> tuple[float, dict[str, Any]]:
    live = prepare_live_call(host, context)
    live.attach(task)
    if live.session_count != len(OBSERVERS):
        raise RuntimeError(f"expected {len(OBSERVERS)} sessions, got {live.session_count}")
    seconds = _timed(task.run)
    logs = asyncio.run(live.finish({"disposition": "completed"}))
    if any("errors" in entry for entry in logs.values()):
        raise RuntimeError(f"a session failed: {logs}")
    return seconds, {name: entry["snapshot"] for name, entry in logs.items()}


def _direct_round(events: Sequence[CallEvent]) -> tuple[float, dict[str, Any]]:
    kinds, usage, turns, latency, tools = (cls() for cls in OBSERVERS.values())
    a, b, c, d, e = kinds.on_event, usage.on_event, turns.on_event, latency.on_event, tools.on_event

    def replay() -> None:
        for event in events:
            a(event)
            b(event)
            c(event)
            d(event)
            e(event)

    seconds = _timed(replay)
    states = [o.state() for o in (kinds, usage, turns, latency, tools)]
    return seconds, dict(zip(OBSERVERS, states, strict=True))


def main() -> None:
    """Time every path ``RUNS`` times over ``EVENTS`` events and print the samples."""
    runs, count = int(sys.argv[1]), int(sys.argv[2])
    pattern = turn_pattern()
    events = (pattern * (count // len(pattern) + 1))[:count]
    host, context = make_host()
    paths: dict[str, Callable[[], tuple[float, dict[str, Any]]]] = {
        "host": lambda: _host_round(host, context, ScriptedCall(events)),
        "direct": lambda: _direct_round(events),
        "wrapped": lambda: _host_round(host, context, PlainTask(events)),
    }
    expected = paths["direct"]()[1]  # warm-up and the state every path must reach
    samples: dict[str, list[float]] = {name: [] for name in paths}
    for round_ in range(runs):
        order = list(paths) if round_ % 2 == 0 else list(reversed(paths))
        for name in order:
            seconds, state = paths[name]()
            if json.loads(json.dumps(state)) != json.loads(json.dumps(expected)):
                raise RuntimeError(f"path {name!r} saw different events")
            samples[name].append(seconds)
    report = {
        "python": platform.python_version(),
        "jackfield": version("jackfield"),
        "events": count,
        "samples": samples,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()

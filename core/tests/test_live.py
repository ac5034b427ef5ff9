"""The live call path: sessions created, attached, observed and finished, each plugin confined."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime

from call_plugins import RecordingSession, make_host, make_plugin, workflow

from jackfield import BotTurn, CallEnded, CallStarted, RuntimeContext, UserTurn
from jackfield._calls._live import prepare_live_call
from jackfield.host import ScriptedCall, WorkflowDefinition


def script():
    now = datetime.now(UTC)
    return [
        CallStarted(),
        UserTurn(text="hi", started_at=now, ended_at=now),
        BotTurn(text="hello", started_at=now, ended_at=now),
        CallEnded(disposition="completed"),
    ]


ALL_KINDS = ["call_started", "user_turn", "bot_turn", "call_ended"]


def context(graph):
    if isinstance(graph, dict):
        graph = WorkflowDefinition.from_dict(graph)
    return RuntimeContext(workflow_run_id="run-1", workflow_graph=graph)


def live_call(host, graph, *, task=None, gathered=None, timeout_s=5.0):
    """Run a whole call: prepare, attach, replay, finish; return the logs."""
    live = prepare_live_call(host, context(graph))
    task = task or ScriptedCall(script())
    live.attach(task)
    task.run()
    return asyncio.run(live.finish(gathered, timeout_s=timeout_s))


def test_sessions_only_for_plugins_with_enabled_nodes_in_the_workflow():
    asked = []

    def sessions_for(name):
        def create(ctx):
            asked.append(name)
            return [RecordingSession()]

        return create

    host = make_host(
        {
            "alpha": make_plugin(["alpha"], sessions=sessions_for("alpha")),
            "beta": make_plugin(["beta"], sessions=sessions_for("beta")),
            "gamma": make_plugin(["gamma"], sessions=sessions_for("gamma")),
        }
    )
    graph = workflow(("a1", "alpha"), ("a2", "alpha"), ("b1", "beta", False))
    logs = live_call(host, graph)
    assert asked == ["alpha"]
    assert set(logs) == {"alpha"}


def test_snapshot_is_persisted_per_plugin_with_the_gathered_context():
    session = RecordingSession()
    host = make_host({"alpha": make_plugin(["alpha"], sessions=lambda ctx: [session])})
    graph = WorkflowDefinition.from_dict(workflow(("a1", "alpha")))
    logs = live_call(host, graph, gathered={"disposition": "completed"})
    assert logs == {"alpha": {"snapshot": {"kinds": ALL_KINDS}}}
    assert session.gathered == {"disposition": "completed"}
    json.dumps(logs)


def test_session_receives_the_runtime_context():
    seen = []

    def create(ctx):
        seen.append(ctx)
        return []

    host = make_host({"alpha": make_plugin(["alpha"], sessions=create)})
    graph = WorkflowDefinition.from_dict(workflow(("a1", "alpha")))
    logs = live_call(host, graph)
    assert seen[0].workflow_run_id == "run-1"
    assert seen[0].workflow_graph is graph
    assert logs == {"alpha": {"snapshot": None}}


def test_snapshots_with_the_same_keys_stay_apart_per_plugin():
    host = make_host(
        {
            "alpha": make_plugin(
                ["alpha"], sessions=lambda ctx: [RecordingSession(snapshot={"count": 1})]
            ),
            "beta": make_plugin(
                ["beta"], sessions=lambda ctx: [RecordingSession(snapshot={"count": 2})]
            ),
        }
    )
    logs = live_call(host, workflow(("a1", "alpha"), ("b1", "beta")))
    assert logs["alpha"]["snapshot"] == {"count": 1}
    assert logs["beta"]["snapshot"] == {"count": 2}


def test_plugin_raising_while_creating_is_recorded_and_others_go_on(caplog):
    def explode(ctx):
        raise RuntimeError("secret-value-123")

    host = make_host(
        {
            "alpha": make_plugin(["alpha"], sessions=explode),
            "beta": make_plugin(["beta"], sessions=lambda ctx: [RecordingSession()]),
        }
    )
    with caplog.at_level(logging.ERROR, logger="jackfield.live"):
        logs = live_call(host, workflow(("a1", "alpha"), ("b1", "beta")))
    assert logs["alpha"] == {
        "snapshot": None,
        "errors": [{"stage": "create", "type": "RuntimeError"}],
    }
    assert logs["beta"] == {"snapshot": {"kinds": ALL_KINDS}}
    assert "'alpha'" in caplog.text
    assert "secret-value-123" not in json.dumps(logs)


def test_create_returning_something_other_than_sessions_is_an_error():
    host = make_host(
        {
            "alpha": make_plugin(["alpha"], sessions=lambda ctx: {"not": "a list"}),
            "beta": make_plugin(["beta"], sessions=lambda ctx: [object()]),
        }
    )
    logs = live_call(host, workflow(("a1", "alpha"), ("b1", "beta")))
    assert logs["alpha"]["errors"] == [{"stage": "create", "type": "TypeError"}]
    assert logs["beta"]["errors"] == [{"stage": "create", "type": "TypeError"}]


class AttachFails(RecordingSession):
    finished = False

    def attach(self, task):
        raise ValueError("cannot attach")

    async def on_call_finished(self, *, gathered_context):
        self.finished = True
        return {"never": True}


def test_plugin_raising_while_attaching_is_recorded_and_its_session_dropped():
    broken = AttachFails("broken")
    host = make_host(
        {
            "alpha": make_plugin(["alpha"], sessions=lambda ctx: [broken]),
            "beta": make_plugin(["beta"], sessions=lambda ctx: [RecordingSession()]),
        }
    )
    logs = live_call(host, workflow(("a1", "alpha"), ("b1", "beta")))
    assert logs["alpha"] == {
        "snapshot": None,
        "errors": [{"stage": "attach", "type": "ValueError", "session": "broken"}],
    }
    assert not broken.finished
    assert logs["beta"]["snapshot"] == {"kinds": ALL_KINDS}


class ObserverFails(RecordingSession):
    def on_event(self, event):
        super().on_event(event)
        if event.kind in ("user_turn", "bot_turn"):
            raise KeyError(event.kind)


class PlainTask:
    """A task that does not guard its observers, like a third-party pipeline."""

    def __init__(self, events):
        self.events = events
        self.observers = []

    def add_observer(self, observer):
        self.observers.append(observer)

    def run(self):
        for event in self.events:
            for observer in self.observers:
                observer.on_event(event)


def test_observer_exceptions_never_reach_the_call_and_are_counted():
    for task in (ScriptedCall(script()), PlainTask(script())):
        flaky = ObserverFails("flaky")
        host = make_host(
            {
                "alpha": make_plugin(["alpha"], sessions=lambda ctx, s=flaky: [s]),
                "beta": make_plugin(["beta"], sessions=lambda ctx: [RecordingSession()]),
            }
        )
        logs = live_call(host, workflow(("a1", "alpha"), ("b1", "beta")), task=task)
        assert logs["alpha"] == {
            "snapshot": {"kinds": ALL_KINDS},
            "errors": [{"stage": "observe", "session": "flaky", "type": "KeyError", "count": 2}],
        }
        assert logs["beta"] == {"snapshot": {"kinds": ALL_KINDS}}


class SlowFinish(RecordingSession):
    async def on_call_finished(self, *, gathered_context):
        await asyncio.Event().wait()


class FinishFails(RecordingSession):
    async def on_call_finished(self, *, gathered_context):
        raise OSError("disk full")


def test_slow_or_failing_finish_is_recorded_and_others_still_finish():
    host = make_host(
        {
            "alpha": make_plugin(["alpha"], sessions=lambda ctx: [SlowFinish("slow")]),
            "beta": make_plugin(["beta"], sessions=lambda ctx: [FinishFails("fails")]),
            "gamma": make_plugin(["gamma"], sessions=lambda ctx: [RecordingSession()]),
        }
    )
    graph = workflow(("a1", "alpha"), ("b1", "beta"), ("c1", "gamma"))
    logs = live_call(host, graph, timeout_s=0.05)
    assert logs["alpha"]["errors"] == [
        {"stage": "finish", "session": "slow", "type": "timeout", "timeout_s": 0.05}
    ]
    assert logs["beta"]["errors"] == [{"stage": "finish", "type": "OSError", "session": "fails"}]
    assert logs["gamma"] == {"snapshot": {"kinds": ALL_KINDS}}


def test_snapshot_that_is_not_json_is_recorded_as_the_plugins_error():
    host = make_host(
        {
            "alpha": make_plugin(
                ["alpha"], sessions=lambda ctx: [RecordingSession("obj", snapshot={"x": object()})]
            ),
            "beta": make_plugin(
                ["beta"],
                sessions=lambda ctx: [RecordingSession("nan", snapshot={"x": float("nan")})],
            ),
            "gamma": make_plugin(
                ["gamma"], sessions=lambda ctx: [RecordingSession("list", snapshot=[1, 2])]
            ),
        }
    )
    logs = live_call(host, workflow(("a1", "alpha"), ("b1", "beta"), ("c1", "gamma")))
    assert logs["alpha"]["errors"] == [
        {"stage": "snapshot", "session": "obj", "type": "TypeError", "error": "snapshot_not_json"}
    ]
    assert logs["beta"]["errors"][0]["type"] == "ValueError"
    assert logs["gamma"]["errors"][0]["type"] == "invalid_snapshot"
    assert all(entry["snapshot"] is None for entry in logs.values())
    json.dumps(logs)


class SyncFinish(RecordingSession):
    def on_call_finished(self, *, gathered_context):  # type: ignore[override]
        return {"sync": True}


def test_several_sessions_of_one_plugin_merge_and_key_clashes_are_reported():
    host = make_host(
        {
            "alpha": make_plugin(
                ["alpha"],
                sessions=lambda ctx: [
                    RecordingSession("one", snapshot={"a": 1, "shared": "first"}),
                    RecordingSession("two", snapshot={"b": 2, "shared": "second"}),
                    SyncFinish("three"),
                ],
            )
        }
    )
    logs = live_call(host, workflow(("a1", "alpha")))
    assert logs["alpha"]["snapshot"] == {"a": 1, "b": 2, "shared": "first", "sync": True}
    assert logs["alpha"]["errors"] == [
        {"stage": "snapshot", "session": "two", "type": "key_clash", "keys": ["shared"]}
    ]


def test_plugins_without_sessions_hook_are_not_asked():
    host = make_host({"alpha": make_plugin(["alpha"])})
    live = prepare_live_call(host, context(workflow(("a1", "alpha"))))
    assert live.plugins == ()
    assert live.session_count == 0

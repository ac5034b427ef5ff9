"""ScriptedCall: a CallTask that replays events to its observers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jackfield import BotTurn, CallEnded, CallStarted, UserTurn, dump_call_events
from jackfield.host import ScriptedCall


class Recorder:
    def __init__(self, log, name):
        self.log = log
        self.name = name

    def on_event(self, event):
        self.log.append((self.name, event.kind))


def script():
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return [
        CallStarted(),
        UserTurn(text="hi", started_at=now, ended_at=now),
        BotTurn(text="hello", started_at=now, ended_at=now),
        CallEnded(disposition="completed"),
    ]


def test_replays_every_event_in_order_to_every_observer_in_order():
    log = []
    call = ScriptedCall(script())
    call.add_observer(Recorder(log, "a"))
    call.add_observer(Recorder(log, "b"))
    assert call.run() == 4
    assert log == [
        ("a", "call_started"),
        ("b", "call_started"),
        ("a", "user_turn"),
        ("b", "user_turn"),
        ("a", "bot_turn"),
        ("b", "bot_turn"),
        ("a", "call_ended"),
        ("b", "call_ended"),
    ]


def test_loads_from_json_text_and_file(tmp_path):
    events = script()
    path = tmp_path / "call.json"
    path.write_text(dump_call_events(events, indent=2))
    assert ScriptedCall.from_file(path).events == tuple(events)
    assert ScriptedCall.from_json(path.read_text()).events == tuple(events)


def test_bad_call_file_is_a_validation_error(tmp_path):
    path = tmp_path / "call.json"
    path.write_text('[{"kind": "user_turn", "text": "no times"}]')
    with pytest.raises(ValidationError, match="started_at"):
        ScriptedCall.from_file(path)


def test_plain_observer_exception_propagates_like_a_real_task():
    class Broken:
        def on_event(self, event):
            raise RuntimeError("boom")

    call = ScriptedCall(script())
    call.add_observer(Broken())
    with pytest.raises(RuntimeError, match="boom"):
        call.run()


def test_guarded_observer_exception_goes_to_its_error_handler_and_the_replay_goes_on():
    errors = []
    log = []

    def flaky(event):
        if event.kind == "user_turn":
            raise ValueError("bad turn")
        log.append(event.kind)

    call = ScriptedCall(script())
    call.add_guarded_observer(flaky, lambda event, exc: errors.append((event.kind, type(exc))))
    call.add_observer(Recorder(log, "plain"))
    assert call.run() == 4
    assert errors == [("user_turn", ValueError)]
    assert log.count("call_ended") == 1
    assert ("plain", "call_ended") in log

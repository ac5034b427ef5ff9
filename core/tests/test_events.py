"""Call events: typed, frozen, timestamped, and a flat JSON form with ``kind``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from jackfield import (
    BotTurn,
    CallEnded,
    CallObserver,
    CallStarted,
    CallTask,
    LatencyMetrics,
    ToolCall,
    UsageMetrics,
    UsageService,
    UserTurn,
    dump_call_events,
    parse_call_event,
    parse_call_events,
)
from jackfield.host import ScriptedCall

T0 = datetime(2025, 3, 1, 10, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def every_kind() -> list:
    return [
        CallStarted(timestamp=at(0), call_id="CA1"),
        UserTurn(timestamp=at(3), text="Hi", started_at=at(1), ended_at=at(3)),
        BotTurn(timestamp=at(6), text="Hello!", started_at=at(4), ended_at=at(6), interrupted=True),
        ToolCall(
            timestamp=at(7), name="lookup", arguments={"q": "x"}, result=[1, 2], duration_s=0.25
        ),
        UsageMetrics(
            timestamp=at(8),
            service=UsageService.LLM,
            provider="openai",
            model="gpt-4o",
            prompt_tokens=100,
            completion_tokens=20,
            cached_tokens=40,
        ),
        UsageMetrics(timestamp=at(8), service="tts", provider="cartesia", tts_characters=12),
        UsageMetrics(timestamp=at(8), service="stt", provider="deepgram", stt_seconds=2.5),
        LatencyMetrics(timestamp=at(6), turn=0, response_s=0.8, llm_ttfb_s=0.3),
        CallEnded(timestamp=at(9), disposition="completed"),
    ]


def test_each_event_has_its_kind_and_a_flat_json_form():
    kinds = [event.kind for event in every_kind()]
    assert kinds == [
        "call_started",
        "user_turn",
        "bot_turn",
        "tool_call",
        "usage",
        "usage",
        "usage",
        "latency",
        "call_ended",
    ]
    bot = every_kind()[2].to_json_dict()
    assert bot == {
        "kind": "bot_turn",
        "timestamp": "2025-03-01T10:00:06Z",
        "text": "Hello!",
        "started_at": "2025-03-01T10:00:04Z",
        "ended_at": "2025-03-01T10:00:06Z",
        "interrupted": True,
    }


def test_json_round_trip_gives_equal_typed_events():
    events = every_kind()
    text = dump_call_events(events)
    assert all(isinstance(item, dict) and "kind" in item for item in json.loads(text))
    assert parse_call_events(text) == events
    assert parse_call_events(json.loads(text)) == events
    assert [type(e) for e in parse_call_events(text.encode())] == [type(e) for e in events]


def test_parse_one_event_picks_the_class_from_kind():
    event = parse_call_event(
        {"kind": "call_ended", "timestamp": "2025-03-01T10:00:00+00:00", "disposition": "voicemail"}
    )
    assert isinstance(event, CallEnded)
    assert event.disposition == "voicemail"


def test_events_are_frozen():
    event = CallEnded(disposition="completed")
    with pytest.raises(ValidationError):
        event.disposition = "error"  # type: ignore[misc]


def test_timestamp_defaults_to_now_in_utc():
    before = datetime.now(UTC)
    event = CallStarted()
    assert before <= event.timestamp <= datetime.now(UTC)


def test_naive_timestamps_are_rejected():
    with pytest.raises(ValidationError, match="timestamp"):
        CallStarted(timestamp=datetime(2025, 1, 1))


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "hangup"},
        {"kind": "user_turn", "text": "hi"},
        {"kind": "call_ended", "disposition": "completed", "extra": 1},
        {"kind": "tool_call", "name": "x", "duration_s": -1},
    ],
)
def test_invalid_events_are_rejected(data):
    with pytest.raises(ValidationError):
        parse_call_event(data)


def test_turn_cannot_end_before_it_starts():
    with pytest.raises(ValidationError, match="ended_at is before started_at"):
        UserTurn(text="hi", started_at=at(5), ended_at=at(4))


def test_usage_counters_must_match_the_service():
    with pytest.raises(ValidationError, match="cannot count tts_characters"):
        UsageMetrics(service="llm", provider="openai", tts_characters=3)
    with pytest.raises(ValidationError, match="cached_tokens exceeds prompt_tokens"):
        UsageMetrics(service="llm", provider="openai", prompt_tokens=1, cached_tokens=2)


def test_invalid_event_in_a_list_names_its_index():
    with pytest.raises(ValidationError, match=r"1\.call_ended\.disposition"):
        parse_call_events('[{"kind": "call_started"}, {"kind": "call_ended"}]')


def test_protocols_are_structural():
    class Observer:
        def on_event(self, event):
            pass

    assert isinstance(Observer(), CallObserver)
    assert isinstance(ScriptedCall([]), CallTask)
    assert not isinstance(object(), CallObserver)

"""Call type, call cost and the payload, from a recorded call."""

from __future__ import annotations

import pytest
from jackfield_tuner import (
    CallCost,
    CallType,
    TunerNode,
    build_call_payload,
    call_type_of,
    compute_call_cost,
)
from tuner_support import call_events, record_call, tuner_data, tuner_workflow

from jackfield import CallSnapshot

RATES = {
    "calculate_cost": True,
    "llm_input_usd_per_1m_tokens": 2.0,
    "llm_cached_input_usd_per_1m_tokens": 1.0,
    "llm_output_usd_per_1m_tokens": 10.0,
    "tts_usd_per_1k_chars": 0.05,
    "stt_usd_per_minute": 0.01,
    "telephony_usd_per_minute": 0.02,
}


def _recorded_call(host, events=None) -> CallSnapshot:
    logs = record_call(host, tuner_workflow(tuner_data("https://t.test")), events=events)
    call = CallSnapshot.from_snapshot(logs["tuner"]["snapshot"])
    assert call is not None
    return call


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (None, CallType.WEB_CALL),
        ("not a mapping", CallType.WEB_CALL),
        ({}, CallType.WEB_CALL),
        ({"call_type": "phone_call"}, CallType.PHONE_CALL),
        ({"call_type": " PSTN "}, CallType.PHONE_CALL),
        ({"gathered_context": {"call_type": "sip"}}, CallType.PHONE_CALL),
        ({"initial_context": {"call_type": "WebRTC"}}, CallType.WEB_CALL),
        ({"gathered_context": {"caller_number": "+14155550123"}}, CallType.PHONE_CALL),
        ({"initial_context": {"to_number": "+14155550123"}}, CallType.PHONE_CALL),
        ({"initial_context": {"telephony_provider": "twilio"}}, CallType.PHONE_CALL),
        ({"gathered_context": {"caller_number": ""}}, CallType.WEB_CALL),
        ({"gathered_context": {"call_type": "carrier pigeon"}}, CallType.WEB_CALL),
        # An explicit type wins over phone-line details.
        (
            {"gathered_context": {"call_type": "web_call", "caller_number": "+1415"}},
            CallType.WEB_CALL,
        ),
        # The run's own call_type wins over its contexts'.
        ({"call_type": "web", "gathered_context": {"call_type": "phone"}}, CallType.WEB_CALL),
    ],
)
def test_call_type_rules(run, expected):
    assert call_type_of(run) is expected


def test_cost_of_a_phone_call(host):
    call = _recorded_call(host)
    rates = TunerNode.model_validate(tuner_data("https://t.test", **RATES))
    cost = compute_call_cost(call, rates, phone_call=True)
    # LLM: 600k uncached x $2 + 400k cached x $1 + 200k out x $10 per 1M = $3.60
    assert cost.llm_cents == pytest.approx(360.0)
    assert cost.tts_cents == pytest.approx(10.0)  # 2000 chars x $0.05 / 1K
    assert cost.stt_cents == pytest.approx(0.5)  # 30 s x $0.01 / min
    assert cost.telephony_cents == pytest.approx(4.0)  # 2 min x $0.02 / min
    assert cost.total_cents == 374.5
    assert cost.breakdown() == {
        "llm": 360.0,
        "tts": 10.0,
        "stt": 0.5,
        "telephony": 4.0,
        "total": 374.5,
    }


def test_web_call_has_no_telephony_cost(host):
    call = _recorded_call(host)
    rates = TunerNode.model_validate(tuner_data("https://t.test", **RATES))
    cost = compute_call_cost(call, rates, phone_call=False)
    assert cost.telephony_cents == 0.0
    assert cost.total_cents == 370.5


def test_zero_rates_cost_nothing(host):
    call = _recorded_call(host)
    rates = TunerNode.model_validate(tuner_data("https://t.test", calculate_cost=True))
    assert compute_call_cost(call, rates, phone_call=True).total_cents == 0.0


def test_payload_describes_the_call(host):
    call = _recorded_call(host)
    payload = build_call_payload(
        call,
        call_id="call-0001",
        call_type=CallType.PHONE_CALL,
        workflow_run_id="run-1",
        agent_version="def-7",
        recording_url="https://calls.test/public/tok/recording",
        cost=CallCost(llm_cents=1.5, tts_cents=0.25),
    )
    assert payload == {
        "call_id": "call-0001",
        "call_type": "phone_call",
        "call_status": "call_ended",
        "start_timestamp": 1740823200000,
        "end_timestamp": 1740823320000,
        "duration_ms": 120000,
        "recording_url": "https://calls.test/public/tok/recording",
        "transcript": (
            "Agent: Hello, Riverside Dental.\n"
            "User: I'd like to book a check-up.\n"
            "Agent: Tuesday at 9:30?"
        ),
        "transcript_with_tool_calls": [
            {"role": "agent", "text": "Hello, Riverside Dental.", "start_ms": 500, "end_ms": 3000},
            {
                "role": "user",
                "text": "I'd like to book a check-up.",
                "start_ms": 4000,
                "end_ms": 6000,
            },
            {
                "role": "agent_function",
                "tool": {"name": "next_free_slot", "params": {"service": "check-up"}},
            },
            {
                "role": "agent_result",
                "tool": {"name": "next_free_slot", "result": {"slot": "2025-03-04T09:30"}},
                "metadata": {"duration_ms": 250},
            },
            {
                "role": "agent",
                "text": "Tuesday at 9:30?",
                "start_ms": 7000,
                "end_ms": 10000,
                "metadata": {"interrupted": True},
            },
        ],
        "disconnection_reason": "user_hangup",
        "call_cost": 1.75,
        "general_meta_data_raw": {
            "ai_models": {
                "asr_model": "deepgram/nova-3",
                "llm_model": "openai/gpt-4o-mini",
                "tts_model": "cartesia/sonic-2",
            },
            "usage": [
                {
                    "service": "tts",
                    "provider": "cartesia",
                    "model": "sonic-2",
                    "prompt_tokens": 0,
                    "completion_tokens": 0,
                    "cached_tokens": 0,
                    "tts_characters": 2000,
                    "stt_seconds": 0.0,
                },
                {
                    "service": "stt",
                    "provider": "deepgram",
                    "model": "nova-3",
                    "prompt_tokens": 0,
                    "completion_tokens": 0,
                    "cached_tokens": 0,
                    "tts_characters": 0,
                    "stt_seconds": 30.0,
                },
                {
                    "service": "llm",
                    "provider": "openai",
                    "model": "gpt-4o-mini",
                    "prompt_tokens": 1000000,
                    "completion_tokens": 200000,
                    "cached_tokens": 400000,
                    "tts_characters": 0,
                    "stt_seconds": 0.0,
                },
            ],
            "turn_latency": [
                {
                    "turn": 1,
                    "response_ms": 1100,
                    "stt_ms": 250,
                    "llm_ttfb_ms": 420,
                    "tts_ttfb_ms": 180,
                }
            ],
            "agent_version": "def-7",
            "workflow_run_id": "run-1",
            "cost_cents": {"llm": 1.5, "tts": 0.25, "stt": 0.0, "telephony": 0.0, "total": 1.75},
        },
    }


def test_payload_leaves_out_what_is_unknown():
    call = CallSnapshot.model_validate({"transcript": [{"role": "user", "text": "Hi"}]})
    payload = build_call_payload(
        call, call_id="run-9", call_type=CallType.WEB_CALL, workflow_run_id="run-9"
    )
    assert payload == {
        "call_id": "run-9",
        "call_type": "web_call",
        "call_status": "call_ended",
        "transcript": "User: Hi",
        "transcript_with_tool_calls": [{"role": "user", "text": "Hi"}],
        "general_meta_data_raw": {"usage": [], "turn_latency": [], "workflow_run_id": "run-9"},
    }


def test_several_models_of_a_service_are_all_named_and_tool_results_are_objects(host):
    events = call_events()
    events.insert(
        6,
        {
            "kind": "usage",
            "timestamp": "2025-03-01T10:00:06.600Z",
            "service": "llm",
            "provider": "anthropic",
            "model": "claude-haiku",
            "prompt_tokens": 10,
        },
    )
    events[7] = {**events[7], "result": "slot taken"}
    call = _recorded_call(host, events)
    payload = build_call_payload(
        call, call_id="c", call_type=CallType.WEB_CALL, workflow_run_id="run-1"
    )
    models = payload["general_meta_data_raw"]["ai_models"]
    assert models["llm_model"] == "openai/gpt-4o-mini, anthropic/claude-haiku"
    result = payload["transcript_with_tool_calls"][3]
    assert result["tool"]["result"] == {"value": "slot taken"}


def test_long_disconnection_reason_is_cut_to_100_characters():
    call = CallSnapshot.model_validate({"disposition": "x" * 150})
    payload = build_call_payload(
        call, call_id="c", call_type=CallType.WEB_CALL, workflow_run_id="r"
    )
    assert payload["disconnection_reason"] == "x" * 100

"""Which calls are reviewed: voicemail, minimum duration, deterministic sampling."""

from __future__ import annotations

import subprocess
import sys

import pytest
from jackfield_qa import QANode, is_sampled, sample_bucket, skip_reason
from qa_support import API_KEY

from jackfield import CallSnapshot


def _settings(**fields):
    return QANode.model_validate({"name": "QA", "api_key": API_KEY, **fields})


def _call(**fields):
    transcript = [{"role": "user", "text": "Hello?"}, {"role": "assistant", "text": "Hi!"}]
    return CallSnapshot.model_validate({"transcript": transcript, **fields})


def test_sample_buckets_are_pinned():
    # Pinned so that a change of hash (or Python's salted hash()) cannot slip in:
    # a retried run must make the same decision as the first attempt, on any host.
    assert [sample_bucket(f"run-{i}") for i in range(6)] == [0, 45, 21, 76, 78, 61]
    assert sample_bucket("7f9c2a1e-0b44-4c1d-9a57-2f6f3d1c8e10") == 22


def test_sample_bucket_is_the_same_in_another_process():
    code = "from jackfield_qa import sample_bucket; print(sample_bucket('run-3'))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345"},
    )

    assert int(result.stdout) == sample_bucket("run-3") == 76


def test_sampling_keeps_about_the_rate_and_all_at_100():
    run_ids = [f"run-{i}" for i in range(2000)]

    kept = sum(is_sampled(run_id, 30) for run_id in run_ids)

    assert 520 <= kept <= 680
    assert all(is_sampled(run_id, 100) for run_id in run_ids)
    assert [is_sampled("run-1", rate) for rate in (45, 46)] == [False, True]


def test_sampling_at_1_percent_keeps_only_bucket_zero():
    assert is_sampled("run-0", 1)
    assert not is_sampled("run-10", 1)  # bucket 7


@pytest.mark.parametrize(
    "disposition", ["voicemail", "VOICEMAIL", "voicemail_detected", "answering_machine"]
)
def test_voicemail_dispositions_are_skipped_unless_enabled(disposition):
    call = _call(disposition=disposition, duration_s=60.0)

    assert skip_reason(_settings(), call, workflow_run_id="run-0") == {
        "status": "skipped",
        "reason": "voicemail",
        "disposition": disposition,
    }
    assert skip_reason(_settings(analyse_voicemail=True), call, workflow_run_id="run-0") is None


def test_disposition_and_duration_fall_back_to_the_runs_gathered_context():
    call = _call()
    run = {"gathered_context": {"disposition": "voicemail", "duration_s": 3}}

    assert skip_reason(_settings(), call, workflow_run_id="run-0", workflow_run=run)["reason"] == (
        "voicemail"
    )
    assert skip_reason(
        _settings(analyse_voicemail=True), call, workflow_run_id="run-0", workflow_run=run
    ) == {
        "status": "skipped",
        "reason": "call_too_short",
        "duration_s": 3.0,
        "min_duration_s": 10.0,
    }


def test_duration_limit_is_inclusive_and_unknown_duration_is_not_short():
    settings = _settings(min_duration_s=20)

    assert skip_reason(settings, _call(duration_s=20.0), workflow_run_id="run-0") is None
    assert skip_reason(settings, _call(duration_s=19.9), workflow_run_id="run-0") is not None
    assert skip_reason(settings, _call(), workflow_run_id="run-0") is None


def test_checks_run_in_order_voicemail_then_duration_then_sampling():
    call = _call(disposition="voicemail", duration_s=1.0)
    settings = _settings(sample_rate=1)

    assert skip_reason(settings, call, workflow_run_id="run-5")["reason"] == "voicemail"
    settings = _settings(sample_rate=1, analyse_voicemail=True)
    assert skip_reason(settings, call, workflow_run_id="run-5")["reason"] == "call_too_short"
    settings = _settings(sample_rate=1, analyse_voicemail=True, min_duration_s=0)
    assert skip_reason(settings, call, workflow_run_id="run-5") == {
        "status": "skipped",
        "reason": "not_sampled",
        "sample_rate": 1,
    }


def test_a_transcript_of_tool_calls_and_blank_turns_is_empty():
    call = CallSnapshot.model_validate(
        {
            "duration_s": 60.0,
            "transcript": [{"role": "tool", "name": "lookup"}, {"role": "user", "text": "  "}],
        }
    )

    assert skip_reason(_settings(), call, workflow_run_id="run-0") == {
        "status": "skipped",
        "reason": "empty_transcript",
    }

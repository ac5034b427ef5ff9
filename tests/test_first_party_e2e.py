"""The four first-party plugins, installed from their wheels, through one call and its completion.

A fresh environment gets `jackfield` and the tuner, paygent, qa and webhook
wheels (nothing else of this repository). A scripted call is replayed through
the host, completion runs against one local server standing in for all four
services, and then runs again with the first run's annotations, as a retried
job would: every delivery must have happened exactly once.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from _wheels import CORE, ROOT, build_wheels, clean_environ, create_venv

from jackfield_testing import RecordingServer, Reply

PLUGINS = ("jackfield-tuner", "jackfield-paygent", "jackfield-qa", "jackfield-webhook")
FIXTURE = Path(__file__).parent / "fixtures" / "first_party"
CALL = ROOT / "examples" / "call.json"

QA_REVIEW = {
    "summary": "The caller booked a check-up for Tuesday.",
    "nodes": {
        "greet": {"summary": "Greeted and asked.", "scores": {"tone": 5}, "tags": ["Booking"]},
        "book": {"summary": "Booked the slot.", "scores": {"accuracy": 4}, "tags": ["resolved"]},
    },
}
QA_COMPLETION = {
    "id": "chatcmpl-e2e",
    "object": "chat.completion",
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "message": {"role": "assistant", "content": json.dumps(QA_REVIEW)},
        }
    ],
    "usage": {"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020},
}


def workflow(base: str) -> dict:
    """Conversation nodes plus one node of each integration, all pointed at ``base``."""
    return {
        "nodes": [
            {"id": "greet", "type": "start", "data": {"name": "Greet", "prompt": "Greet."}},
            {"id": "book", "type": "agent", "data": {"name": "Book", "prompt": "Book a slot."}},
            {"id": "bye", "type": "end", "data": {"name": "Bye", "prompt": "Say goodbye."}},
            {
                "id": "tuner-1",
                "type": "tuner",
                "data": {
                    "name": "Tuner",
                    "agent_id": "agent-7",
                    "workspace_id": 42,
                    "api_key": "tk_e2e_secret_1",
                    "base_url": f"{base}/tuner",
                },
            },
            {
                "id": "paygent-1",
                "type": "paygent",
                "data": {
                    "name": "Paygent",
                    "api_key": "pg_e2e_secret_1",
                    "agent_id": "agent-7",
                    "customer_id": "cust-9",
                    "indicator": "per-minute-call",
                    "base_url": f"{base}/paygent",
                },
            },
            {
                "id": "qa-1",
                "type": "qa",
                "data": {
                    "name": "QA",
                    "api_key": "sk_e2e_secret_1",
                    "model": "gpt-4o-mini",
                    "base_url": f"{base}/qa",
                    "min_duration_s": 0,
                    "sample_rate": 100,
                },
            },
            {
                "id": "webhook-1",
                "type": "webhook",
                "data": {
                    "name": "CRM",
                    "endpoint_url": f"{base}/hooks/done",
                    "payload_template": {
                        "run": "{{ run.id }}",
                        "qa_tags": "{{ annotations.qa.tags }}",
                        "tuner": "{{ annotations.tuner }}",
                    },
                },
            },
        ],
        "edges": [
            {
                "id": "e1",
                "source": "greet",
                "target": "book",
                "data": {"label": "wants a slot", "condition": "The caller asks to book a visit."},
            },
            {
                "id": "e2",
                "source": "book",
                "target": "bye",
                "data": {"label": "booked", "condition": "The caller accepted a slot."},
            },
        ],
    }


@pytest.fixture(scope="module")
def first_party_env(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("first-party-wheels")
    wheels = build_wheels([CORE, *(ROOT / "plugins" / name for name in PLUGINS)], out)
    return create_venv(tmp_path_factory.mktemp("first-party") / "venv", wheels)


def test_call_completion_and_rerun_deliver_everything_exactly_once(first_party_env, tmp_path):
    with RecordingServer() as server:
        server.always(Reply(200, QA_COMPLETION, method="POST", path="/qa/chat/completions"))
        definition = tmp_path / "workflow.json"
        definition.write_text(json.dumps(workflow(server.url)))
        completed = subprocess.run(
            [
                str(first_party_env.python),
                str(FIXTURE / "run_twice.py"),
                str(definition),
                str(CALL),
            ],
            capture_output=True,
            text=True,
            check=False,
            env=clean_environ(),
        )
        requests = list(server.requests)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])

    # Every integration node is final after the first completion, and stays so.
    integration = {"tuner-1", "paygent-1", "qa-1", "webhook-1"}
    assert {k: v for k, v in result["first_states"].items() if k in integration} == {
        "tuner-1": "delivered",
        "paygent-1": "delivered",
        "qa-1": "delivered",
        "webhook-1": "delivered",
    }
    assert result["second_states"] == result["first_states"]

    # Each service got its requests once: the second completion sent nothing.
    paths = [r.path for r in requests]
    assert paths.count("/tuner/api/v1/public/call") == 1
    assert paths.count("/qa/chat/completions") == 1
    assert paths.count("/hooks/done") == 1
    paygent = [p.rsplit("/", 1)[1] for p in paths if p.startswith("/paygent/")]
    assert paygent == ["session", "stt", "llm", "tts", "indicator"]

    # QA ran first (analysis), and the webhook (notification, last) saw its results.
    assert paths.index("/qa/chat/completions") < paths.index("/tuner/api/v1/public/call")
    assert paths[-1] == "/hooks/done"
    (hook,) = [r for r in requests if r.path == "/hooks/done"]
    body = hook.json()
    assert body["qa_tags"] == ["booking", "resolved"]
    assert body["call_disposition"] == "completed"
    assert result["first"]["qa"]["tags"] == ["booking", "resolved"]

    # No secret reached the annotations or the process output.
    text = completed.stdout + completed.stderr
    for secret in ("tk_e2e_secret_1", "pg_e2e_secret_1", "sk_e2e_secret_1"):
        assert secret not in text

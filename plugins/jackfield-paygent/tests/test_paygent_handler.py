"""The completion handler called directly, for what the orchestrator never sends it."""

from __future__ import annotations

import asyncio

from jackfield_paygent import RETRYING_KEY
from jackfield_paygent._completion import run_completion
from jackfield_paygent.plugin import jackfield_run_completion
from paygent_support import CALL_EVENTS, make_host, node_data, record, workflow

from jackfield import CompletionContext, RetryLater


def snapshot_of_a_call():
    definition = workflow(("billing", node_data("http://127.0.0.1:1")))
    return record(make_host(), definition, CALL_EVENTS)["paygent"]["snapshot"]


def test_disabled_node_handed_to_the_handler_is_skipped():
    context = CompletionContext(workflow_run_id="run-1", runtime_snapshot=snapshot_of_a_call())
    nodes = [{"id": "off", "type": "paygent", "data": {"name": "Paygent", "enabled": False}}]

    result = asyncio.run(jackfield_run_completion(nodes, context))

    assert result == {"off": {"status": "skipped", "reason": "node_disabled"}}


def test_no_nodes_no_result():
    context = CompletionContext(workflow_run_id="run-1")

    assert asyncio.run(jackfield_run_completion([], context)) == {}


def test_out_of_time_leaves_every_step_for_the_next_attempt():
    # Nothing listens on the base URL: a request would fail as a network error.
    context = CompletionContext(workflow_run_id="run-1", runtime_snapshot=snapshot_of_a_call())
    nodes = [{"id": "billing", "type": "paygent", "data": node_data("http://127.0.0.1:1")}]

    result = asyncio.run(run_completion(nodes, context, budget_s=0.0, max_attempts=5))

    assert isinstance(result["billing"], RetryLater)
    progress = result[RETRYING_KEY]["billing"]
    assert set(progress["steps"].values()) == {"not_sent"}
    assert progress["last_failure"] == {
        "step": "session",
        "reason": "out_of_time",
        "transient": True,
    }

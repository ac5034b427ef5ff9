"""Post-call completion: phases, concurrency, confinement, retries and idempotent re-runs."""

from __future__ import annotations

import asyncio
import json
import logging
import threading

import pytest
from call_plugins import make_host, make_plugin, workflow

from jackfield import CompletionPhase, RetryLater, completion_settings
from jackfield._calls._completion import COMPLETION_STATE_KEY, NodeStatus, complete_call


def complete(host, definition, **kwargs):
    kwargs.setdefault("workflow_run_id", "run-1")
    return asyncio.run(complete_call(host, workflow_definition=definition, **kwargs))


def delivering(calls=None):
    """An async handler that delivers every node it gets, recording each call."""

    async def handler(nodes, context):
        if calls is not None:
            calls.append(([n["id"] for n in nodes], context))
        return {n["id"]: {"delivered_to": n["type"]} for n in nodes}

    return handler


def test_handler_gets_only_its_own_nodes_its_snapshot_and_the_run():
    calls = []
    host = make_host(
        {
            "alpha": make_plugin(["alpha", "alpha2"], completion=delivering(calls)),
            "beta": make_plugin(["beta"], completion=delivering()),
        }
    )
    definition = workflow(("a1", "alpha"), ("b1", "beta"), ("a2", "alpha2"))
    logs = {"alpha": {"snapshot": {"turns": 3}}, "beta": {"snapshot": {"turns": 99}}}
    outcome = complete(
        host,
        definition,
        workflow_run={"id": "run-1"},
        definition_id="def-7",
        organization_id="org-1",
        integration_logs=logs,
        public_token="tok",
    )
    ((node_ids, context),) = calls
    assert node_ids == ["a1", "a2"]
    assert context.runtime_snapshot == {"turns": 3}
    assert (context.workflow_run_id, context.definition_id, context.organization_id) == (
        "run-1",
        "def-7",
        "org-1",
    )
    assert context.public_token == "tok"
    assert context.workflow_definition.to_dict() == definition
    assert context.attempt == 1
    assert outcome.annotations["alpha"] == {
        "a1": {"delivered_to": "alpha"},
        "a2": {"delivered_to": "alpha2"},
    }
    assert {i: n.status for i, n in outcome.nodes.items()} == {
        "a1": NodeStatus.DELIVERED,
        "a2": NodeStatus.DELIVERED,
        "b1": NodeStatus.DELIVERED,
    }
    assert outcome.done
    assert outcome.retry_in_s is None
    assert set(outcome.called) == {"alpha", "beta"}
    json.dumps(outcome.annotations)


def test_handlers_build_public_urls_from_the_token_and_the_host_base_url():
    urls = []

    async def handler(nodes, context):
        urls.append((context.public_url("recording"), context.public_url("transcript")))
        return {}

    host = make_host({"alpha": make_plugin(["alpha"], completion=handler)})
    definition = workflow(("a1", "alpha"))
    complete(host, definition, public_token="tok-9", public_base_url="https://h/api/public/")
    complete(host, definition, public_token="tok-9")
    assert urls == [
        ("https://h/api/public/tok-9/recording", "https://h/api/public/tok-9/transcript"),
        (None, None),
    ]


def test_usage_a_handler_reports_is_collected_per_plugin():
    async def analysing(nodes, context):
        return {"usage": {"model": "m", "prompt_tokens": 10}, nodes[0]["id"]: {"ok": True}}

    host = make_host(
        {
            "alpha": make_plugin(["alpha"], completion=analysing),
            "beta": make_plugin(["beta"], completion=delivering()),
        }
    )
    outcome = complete(host, workflow(("a1", "alpha"), ("b1", "beta")))
    assert outcome.plugin_usage == {"alpha": {"model": "m", "prompt_tokens": 10}}


def test_phases_run_in_order_and_later_phases_see_earlier_results():
    seen = {}

    @completion_settings(phase=CompletionPhase.ANALYSIS)
    async def qa(nodes, context):
        seen["qa"] = dict(context.annotations)
        return {"score": 4}

    async def export(nodes, context):
        seen["export"] = dict(context.annotations)
        return {"exported": True}

    def webhook(nodes, context):
        seen["webhook"] = dict(context.annotations)
        return {"sent": True}

    host = make_host(
        {
            "webhook": make_plugin(
                ["webhook"],
                completion=webhook,
                decorate=completion_settings(phase=CompletionPhase.NOTIFICATION),
            ),
            "export": make_plugin(["export"], completion=export),
            "qa": make_plugin(
                ["qa"], completion=qa, decorate=completion_settings(phase=CompletionPhase.ANALYSIS)
            ),
        }
    )
    outcome = complete(host, workflow(("w", "webhook"), ("e", "export"), ("q", "qa")))
    assert outcome.called == ("qa", "export", "webhook")
    assert seen["qa"] == {}
    assert seen["export"] == {"qa": {"score": 4}}
    assert seen["webhook"] == {"qa": {"score": 4}, "export": {"exported": True}}


def test_handlers_of_one_phase_run_concurrently():
    barrier = asyncio.Barrier(2)

    async def meet(nodes, context):
        await barrier.wait()  # only returns once both handlers are running at once
        return {"met": True}

    host = make_host(
        {
            "one": make_plugin(["one"], completion=meet),
            "two": make_plugin(["two"], completion=meet),
        }
    )
    outcome = complete(host, workflow(("a", "one"), ("b", "two")), timeouts_s={"one": 5, "two": 5})
    assert outcome.annotations["one"] == {"met": True}
    assert outcome.annotations["two"] == {"met": True}


def test_sync_handlers_run_off_the_event_loop_thread():
    threads = []

    def handler(nodes, context):
        threads.append(threading.current_thread())
        return {}

    host = make_host({"alpha": make_plugin(["alpha"], completion=handler)})
    outcome = complete(host, workflow(("a1", "alpha")))
    assert threads[0] is not threading.current_thread()
    assert outcome.nodes["a1"].status is NodeStatus.DELIVERED


def test_failure_is_confined_to_its_plugin_without_its_message(caplog):
    async def broken(nodes, context):
        raise ValueError("api_key=sk-secret")

    host = make_host(
        {
            "broken": make_plugin(["broken"], completion=broken),
            "fine": make_plugin(["fine"], completion=delivering()),
        }
    )
    with caplog.at_level(logging.ERROR, logger="jackfield.completion"):
        outcome = complete(host, workflow(("x", "broken"), ("f", "fine")))
    assert outcome.annotations["broken"] == {
        "error": "completion_handler_failed",
        "type": "ValueError",
    }
    assert outcome.nodes["x"].status is NodeStatus.FAILED
    assert outcome.nodes["x"].reason == "handler_failed"
    assert outcome.nodes["f"].status is NodeStatus.DELIVERED
    assert "sk-secret" not in json.dumps(outcome.annotations)
    assert "Traceback" in caplog.text


def test_handler_over_its_time_limit_becomes_a_timeout_error():
    async def slow(nodes, context):
        await asyncio.Event().wait()

    host = make_host(
        {
            "declared": make_plugin(
                ["declared"], completion=slow, decorate=completion_settings(timeout_s=0.05)
            ),
            "override": make_plugin(["override"], completion=slow),
            "fine": make_plugin(["fine"], completion=delivering()),
        }
    )
    outcome = complete(
        host,
        workflow(("d", "declared"), ("o", "override"), ("f", "fine")),
        timeouts_s={"override": 0.05},
    )
    for plugin, node in (("declared", "d"), ("override", "o")):
        assert outcome.annotations[plugin] == {
            "error": "completion_handler_timeout",
            "timeout_s": 0.05,
        }
        assert outcome.nodes[node].reason == "timeout"
    assert outcome.nodes["f"].status is NodeStatus.DELIVERED


@pytest.mark.parametrize("value", [["not", "a", "dict"], {"x": object()}])
def test_result_that_is_not_a_json_object_is_the_plugins_failure(value):
    host = make_host({"alpha": make_plugin(["alpha"], completion=lambda nodes, ctx: value)})
    outcome = complete(host, workflow(("a1", "alpha")))
    assert outcome.annotations["alpha"]["error"] == "completion_result_invalid"
    assert outcome.nodes["a1"].status is NodeStatus.FAILED


def test_disabled_nodes_and_unavailable_plugins_are_recorded_as_skips():
    calls = []
    host = make_host(
        {
            "alpha": make_plugin(["alpha"], completion=delivering(calls)),
            "off": make_plugin(["off"], completion=delivering(calls)),
        },
        disabled=["off"],
    )
    definition = workflow(
        ("a1", "alpha"), ("a2", "alpha", False), ("o1", "off"), ("g1", "ghost"), ("u1", "unknown")
    )
    definition["node_types"] = {"off": {"plugin": "off"}, "ghost": {"plugin": "ghost"}}
    outcome = complete(host, definition)
    assert [ids for ids, _ in calls] == [["a1"]]
    summary = {i: (n.status, n.plugin, n.reason) for i, n in outcome.nodes.items()}
    assert summary == {
        "a1": (NodeStatus.DELIVERED, "alpha", None),
        "a2": (NodeStatus.SKIPPED, "alpha", "node_disabled"),
        "o1": (NodeStatus.SKIPPED, "off", "plugin_disabled"),
        "g1": (NodeStatus.SKIPPED, "ghost", "plugin_not_installed"),
        "u1": (NodeStatus.SKIPPED, None, "no_plugin_for_node_type"),
    }
    state = outcome.annotations[COMPLETION_STATE_KEY]
    assert state["skipped_plugins"] == {"ghost": "plugin_not_installed", "off": "plugin_disabled"}
    assert outcome.done


def test_handler_can_report_a_node_skipped_or_failed():
    async def handler(nodes, context):
        return {"a1": {"status": "skipped", "reason": "no_recording"}, "a2": {"status": "failed"}}

    host = make_host({"alpha": make_plugin(["alpha"], completion=handler)})
    outcome = complete(host, workflow(("a1", "alpha"), ("a2", "alpha")))
    assert outcome.nodes["a1"].status is NodeStatus.SKIPPED
    assert outcome.nodes["a1"].reason == "no_recording"
    assert outcome.nodes["a2"].status is NodeStatus.FAILED


def test_public_token_is_requested_once_and_only_when_work_exists():
    requests = []

    async def provide():
        requests.append(1)
        return "public-token"

    tokens = []

    async def handler(nodes, context):
        tokens.append(context.public_token)
        return {}

    host = make_host(
        {
            "alpha": make_plugin(["alpha"], completion=handler),
            "beta": make_plugin(["beta"], completion=handler),
            "plain": make_plugin(["plain"]),
        }
    )
    complete(host, workflow(("p", "plain"), ("a2", "alpha", False)), public_token=provide)
    assert requests == []
    complete(host, workflow(("a1", "alpha"), ("b1", "beta")), public_token=provide)
    assert requests == [1]
    assert tokens == ["public-token", "public-token"]


def test_retry_later_then_success_delivers_once():
    attempts = []

    async def flaky(nodes, context):
        attempts.append(context.attempt)
        if context.attempt == 1:
            raise RetryLater("rate limited", delay_s=12)
        return {n["id"]: {"ok": True} for n in nodes}

    host = make_host({"alpha": make_plugin(["alpha"], completion=flaky)})
    definition = workflow(("a1", "alpha"))
    first = complete(host, definition)
    assert not first.done
    assert first.nodes["a1"].status is NodeStatus.RETRY
    assert first.retry_in_s == 12
    assert "alpha" not in first.annotations
    second = complete(host, definition, previous_annotations=first.annotations)
    assert second.done
    assert second.nodes["a1"].status is NodeStatus.DELIVERED
    assert second.nodes["a1"].attempts == 2
    assert second.annotations["alpha"] == {"a1": {"ok": True}}
    third = complete(host, definition, previous_annotations=second.annotations)
    assert attempts == [1, 2]
    assert third.called == ()


def test_retry_backs_off_exponentially_then_dead_letters():
    async def always_later(nodes, context):
        raise RetryLater()

    host = make_host(
        {
            "alpha": make_plugin(
                ["alpha"],
                completion=always_later,
                decorate=completion_settings(max_attempts=3, retry_base_delay_s=10),
            )
        }
    )
    definition = workflow(("a1", "alpha"))
    delays = []
    annotations = None
    for _ in range(3):
        outcome = complete(host, definition, previous_annotations=annotations)
        annotations = outcome.annotations
        delays.append(outcome.retry_in_s)
    assert delays == [10, 20, None]
    node = outcome.nodes["a1"]
    assert (node.status, node.reason, node.attempts) == (NodeStatus.FAILED, "dead_lettered", 3)
    assert outcome.done


def test_rerun_after_partial_success_delivers_nothing_twice():
    deliveries = []

    async def partial(nodes, context):
        results = {}
        for node in nodes:
            if node["id"] == "a2" and context.attempt == 1:
                results["a2"] = RetryLater("503", delay_s=1)
            else:
                deliveries.append(node["id"])
                results[node["id"]] = {"attempt": context.attempt}
        return results

    async def other(nodes, context):
        deliveries.extend(n["id"] for n in nodes)
        return {"done": True}

    host = make_host(
        {
            "alpha": make_plugin(["alpha"], completion=partial),
            "beta": make_plugin(["beta"], completion=other),
        }
    )
    definition = workflow(("a1", "alpha"), ("a2", "alpha"), ("b1", "beta"))
    first = complete(host, definition)
    assert first.nodes["a2"].status is NodeStatus.RETRY
    assert first.plugin_nodes("alpha")["a1"].status is NodeStatus.DELIVERED
    second = complete(host, definition, previous_annotations=first.annotations)
    assert sorted(deliveries) == ["a1", "a2", "b1"]
    assert second.called == ("alpha",)
    assert second.annotations["alpha"] == {"a1": {"attempt": 1}, "a2": {"attempt": 2}}
    assert second.annotations["beta"] == {"done": True}
    assert second.done


def test_completion_settings_reject_bad_values_when_declared():
    with pytest.raises(ValueError, match="timeout_s"):
        completion_settings(timeout_s=0)
    with pytest.raises(ValueError, match="max_attempts"):
        completion_settings(max_attempts=0)
    with pytest.raises(TypeError, match="phase"):
        completion_settings(phase="later")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="delay_s"):
        RetryLater(delay_s=-1)

"""The second edition of the completion contract: typed nodes, result helpers,
a richer context, and a RetryLater that keeps its (sanitised) reason."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import pytest
from call_plugins import make_host, make_plugin, workflow

from jackfield import (
    COMPLETION_STATE_KEY,
    BaseNodeData,
    CallFacts,
    CompletionContext,
    NodeRegistration,
    NodeStatus,
    PluginNode,
    ReasonCode,
    RetryLater,
    RuntimeContext,
    completion_settings,
    delivered,
    duplicate,
    failed,
    hookimpl,
    node_spec,
    sanitize_message,
    skipped,
    spec_field,
)
from jackfield.host import PluginHost, complete_call, prepare_live_call

SECRET = "sk_live_0123456789abcdef"


@node_spec(name="vault", description="A test integration with a secret key and a limit.")
class VaultNode(BaseNodeData):
    enabled: bool = spec_field(default=True, description="Whether the node runs.")
    api_key: str | None = spec_field(default=None, secret=True, description="The key.")
    limit: int = spec_field(default=1, ge=1, description="How many to send.")


class VaultPlugin:
    """A plugin object with one ``vault`` node type and a configurable handler."""

    def __init__(self, handler: Any, *, sessions: Any = None) -> None:
        self.handler = handler
        self.sessions = sessions

    @hookimpl
    def jackfield_register_nodes(self) -> list[NodeRegistration]:
        return [NodeRegistration.from_model(VaultNode)]

    @hookimpl
    def jackfield_create_runtime_sessions(self, context: RuntimeContext) -> list[Any]:
        return self.sessions(context) if self.sessions else []


def vault_host(handler: Any, *, typed: bool = True, max_attempts: int = 5, **kw: Any) -> Any:
    plugin = VaultPlugin(handler, **kw)

    @hookimpl
    @completion_settings(typed_nodes=typed, max_attempts=max_attempts, retry_base_delay_s=1)
    async def jackfield_run_completion(nodes: Any, context: Any) -> Any:
        return await plugin.handler(nodes, context)

    plugin.jackfield_run_completion = jackfield_run_completion  # type: ignore[attr-defined]
    host = PluginHost(autoload=False)
    host.register(plugin, name="vault")
    return host


def vault_workflow(*nodes: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    document = workflow()
    for node_id, data in nodes:
        document["nodes"].append({"id": node_id, "type": "vault", "data": data})
    return document


def complete(host: Any, definition: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("workflow_run_id", "run-1")
    return asyncio.run(complete_call(host, workflow_definition=definition, **kwargs))


def recording(seen: list[Any], result: Any = None):
    async def handler(nodes, context):
        seen.append((list(nodes), context))
        return result(nodes) if callable(result) else {n.id: delivered() for n in nodes}

    return handler


# --- 1. typed nodes -------------------------------------------------------------------


def test_valid_nodes_arrive_typed_disabled_and_invalid_ones_never_do(caplog):
    seen: list[Any] = []
    host = vault_host(recording(seen))
    definition = vault_workflow(
        ("ok", {"name": "ok", "api_key": SECRET, "limit": 3}),
        ("off", {"name": "off", "enabled": False, "limit": 0}),
        ("old", {"name": "old", "api_key": SECRET, "limit": 0, "retired": "x"}),
    )
    caplog.set_level(logging.DEBUG)

    outcome = complete(host, definition)

    ((nodes, _),) = seen
    (node,) = nodes
    assert isinstance(node, PluginNode)
    assert (node.id, node.type, node.plugin) == ("ok", "vault", "vault")
    assert isinstance(node.data, VaultNode)
    assert (node.data.limit, node.data.api_key) == (3, SECRET)
    assert node.raw["data"]["limit"] == 3
    assert outcome.nodes["ok"].status is NodeStatus.DELIVERED
    assert outcome.nodes["off"].status is NodeStatus.SKIPPED
    assert outcome.nodes["off"].reason == ReasonCode.NODE_DISABLED
    old = outcome.nodes["old"]
    assert (old.status, old.reason, old.attempts) == (NodeStatus.FAILED, "invalid_config", 0)
    assert "limit (greater_than_equal)" in (old.message or "")
    assert outcome.annotations["vault"]["old"] == {
        "status": "failed",
        "reason": "invalid_config",
        "problems": [
            {"field": "limit", "type": "greater_than_equal"},
            {"field": "retired", "type": "extra_forbidden"},
        ],
    }
    assert SECRET not in json.dumps(outcome.annotations)
    assert SECRET not in caplog.text


def test_a_typed_plugin_with_only_invalid_nodes_is_not_called():
    seen: list[Any] = []
    host = vault_host(recording(seen))
    outcome = complete(host, vault_workflow(("old", {"name": "old", "limit": 0})))
    assert seen == []
    assert outcome.called == ()
    assert outcome.done


def test_a_first_edition_handler_still_gets_invalid_nodes_to_validate_itself():
    seen: list[Any] = []
    host = vault_host(recording(seen), typed=False)
    complete(host, vault_workflow(("old", {"name": "old", "limit": 0})))
    ((nodes, _),) = seen
    (node,) = nodes
    assert node.data is None
    assert [p["field"] for p in node.problems] == ["limit"]


def test_a_first_edition_dict_style_plugin_runs_unchanged_with_one_logged_deprecation(caplog):
    name = f"legacy{uuid.uuid4().hex[:8]}"

    def handler(nodes, context):  # written against the first edition, as plugins were
        results = {}
        for node in nodes:
            assert "data" in node
            assert set(node) >= {"id", "type", "data"}
            data = node.get("data", {})
            results[node["id"]] = {"sent": data["name"], "type": node["type"]}
            assert dict(node)["id"] == node["id"]
        return results

    host = make_host({name: make_plugin([name], completion=handler)})
    definition = workflow(("a", name), ("b", name), ("c", name, False))
    caplog.set_level(logging.WARNING, logger="jackfield.deprecation")

    first = complete(host, definition)
    complete(host, definition)

    assert first.annotations[name] == {
        "a": {"sent": "a", "type": name},
        "b": {"sent": "b", "type": name},
    }
    assert first.nodes["c"].reason == "node_disabled"
    warnings = [r for r in caplog.records if r.name == "jackfield.deprecation"]
    assert len(warnings) == 1
    assert name in warnings[0].getMessage()
    assert warnings[0].plugin == name  # type: ignore[attr-defined]


def test_live_sessions_get_their_own_validated_nodes_in_the_context():
    contexts: list[RuntimeContext] = []

    def sessions(context):
        contexts.append(context)
        return []

    host = vault_host(recording([]), sessions=sessions)
    definition = vault_workflow(
        ("ok", {"name": "ok", "limit": 2}),
        ("off", {"name": "off", "enabled": False}),
        ("old", {"name": "old", "limit": 0}),
    )
    context = RuntimeContext(workflow_run_id="run-1", workflow_graph=definition)

    prepare_live_call(host, context)

    (given,) = contexts
    assert [(n.id, n.data.limit) for n in given.nodes] == [("ok", 2)]
    assert given.workflow_run_id == "run-1"
    assert context.nodes == ()


# --- 2. result vocabulary -------------------------------------------------------------


def test_result_helpers_are_plain_dicts():
    assert delivered() == {"status": "delivered"}
    assert delivered({"id": 7}, status_code=200) == {
        "status": "delivered",
        "detail": {"id": 7},
        "status_code": 200,
    }
    assert duplicate(status_code=409) == {"status": "duplicate", "status_code": 409}
    assert skipped(ReasonCode.NOTHING_TO_SEND) == {"status": "skipped", "reason": "nothing_to_send"}
    assert failed("rejected", "https://u:p@x.example/h?token=abc said no") == {
        "status": "failed",
        "reason": "rejected",
        "message": "https://[redacted]@x.example/h?token=[redacted] said no",
    }
    json.dumps([delivered(), duplicate(), skipped("x"), failed("y")])


def test_each_result_helper_decides_the_node_state():
    results = {
        "d": delivered("ok"),
        "u": duplicate(),
        "s": skipped(ReasonCode.NOT_CONFIGURED),
        "f": failed(ReasonCode.REJECTED, f"403 for key {SECRET}"),
        "p": {"anything": "a plain dict still counts as delivered"},
        "r": RetryLater("busy", delay_s=5),
    }
    host = vault_host(recording([], lambda nodes: {n.id: results[n.id] for n in nodes}))
    definition = vault_workflow(*((i, {"name": i, "api_key": SECRET}) for i in results))

    outcome = complete(host, definition)

    got = {i: (n.status, n.reason) for i, n in outcome.nodes.items() if i in results}
    assert got == {
        "d": (NodeStatus.DELIVERED, None),
        "u": (NodeStatus.DELIVERED, "duplicate"),
        "s": (NodeStatus.SKIPPED, "not_configured"),
        "f": (NodeStatus.FAILED, "rejected"),
        "p": (NodeStatus.DELIVERED, None),
        "r": (NodeStatus.RETRY, "retry_later"),
    }
    assert outcome.nodes["f"].message == "403 for key [secret]"
    assert outcome.nodes["r"].retry_in_s == 5
    assert SECRET not in json.dumps(outcome.annotations[COMPLETION_STATE_KEY])


# --- 3. the richer context ------------------------------------------------------------


def test_attempts_are_counted_across_retries_and_restarts():
    contexts: list[CompletionContext] = []

    async def handler(nodes, context):
        contexts.append(context)
        if context.is_final_attempt:
            return {n.id: delivered(attempt=context.attempt) for n in nodes}
        return {n.id: RetryLater(f"try {context.attempt}") for n in nodes}

    host = vault_host(handler, max_attempts=3)
    definition = vault_workflow(("n", {"name": "n"}))
    run = {"gathered_context": {"disposition": "completed", "duration_s": 42, "call_id": 9, "x": 1}}

    annotations = None
    for _ in range(3):  # each run as a fresh worker would do it: only the stored annotations
        outcome = complete(host, definition, workflow_run=run, previous_annotations=annotations)
        annotations = json.loads(json.dumps(outcome.annotations))

    assert [(c.attempt, c.max_attempts, c.is_final_attempt) for c in contexts] == [
        (1, 3, False),
        (2, 3, False),
        (3, 3, True),
    ]
    assert contexts[0].previous_results == {}
    assert contexts[2].previous_results == {}  # RetryLater values are not results
    assert outcome.nodes["n"].status is NodeStatus.DELIVERED
    assert outcome.nodes["n"].attempts == 3
    assert annotations["vault"] == {"n": {"status": "delivered", "attempt": 3}}
    call = contexts[0].call
    assert call == CallFacts(disposition="completed", duration_s=42.0, call_id="9", extra={"x": 1})
    assert contexts[0].gathered_context["duration_s"] == 42  # the untyped form still works


def test_previous_results_are_this_plugins_own_earlier_results():
    contexts: list[CompletionContext] = []

    async def handler(nodes, context):
        contexts.append(context)
        return {n.id: delivered() if n.id == "a" else RetryLater() for n in nodes}

    host = vault_host(handler)
    definition = vault_workflow(("a", {"name": "a"}), ("b", {"name": "b"}))
    first = complete(host, definition)
    complete(host, definition, previous_annotations={**first.annotations, "other": {"x": 1}})

    assert contexts[1].previous_results == {"a": {"status": "delivered"}}
    assert contexts[1].attempt == 2
    assert contexts[1].call == CallFacts()


def test_gathered_context_may_be_passed_typed():
    contexts: list[CompletionContext] = []
    host = vault_host(recording(contexts))
    facts = CallFacts(disposition="no_answer", duration_s=0)
    complete(host, vault_workflow(("a", {"name": "a"})), gathered_context=facts)
    assert contexts[0][1].call is facts


# --- 4. RetryLater keeps its reason ---------------------------------------------------


def test_retry_reason_is_sanitised_kept_and_logged_once_per_node(caplog):
    message = f"503 from https://bot:{SECRET}@hooks.example/v1?sig=abc&k={SECRET} for {SECRET}"

    async def handler(nodes, context):
        raise RetryLater(message, delay_s=2)

    host = vault_host(handler, max_attempts=2)
    definition = vault_workflow(("a", {"name": "a", "api_key": SECRET}), ("b", {"name": "b"}))
    caplog.set_level(logging.DEBUG)

    outcome = complete(host, definition)
    expected = (
        "503 from https://[redacted]@hooks.example/v1?sig=[redacted]&k=[redacted] for [secret]"
    )
    assert outcome.nodes["a"].message == expected
    state = outcome.annotations[COMPLETION_STATE_KEY]["nodes"]["a"]
    assert (state["status"], state["reason"], state["message"]) == (
        "retry",
        "retry_later",
        expected,
    )
    retries = [r for r in caplog.records if r.getMessage().startswith("completion retry:")]
    assert [(r.plugin, r.node_id, r.attempt) for r in retries] == [  # type: ignore[attr-defined]
        ("vault", "a", 1),
        ("vault", "b", 1),
    ]
    assert "plugin=vault node=a attempt=1/2" in retries[0].getMessage()

    caplog.clear()
    last = complete(host, definition, previous_annotations=outcome.annotations)
    assert (last.nodes["a"].status, last.nodes["a"].reason) == (NodeStatus.FAILED, "dead_lettered")
    assert last.nodes["a"].message == expected  # the last reason stays with the dead letter
    assert SECRET not in caplog.text
    assert SECRET not in json.dumps(last.annotations)


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("plain words", "plain words"),
        ("see https://x.example/a/b", "see https://x.example/a/b"),
        (
            "GET http://u:pw@h:8080/p?a=1&b=#frag",
            "GET http://[redacted]@h:8080/p?a=[redacted]&b=[redacted]",
        ),
        ("key abcd1234 here", "key [secret] here"),
        ("x" * 300, "x" * 199 + "…"),
    ],
)
def test_sanitize_message(text, clean):
    assert sanitize_message(text, ["abcd1234", "", "abc"]) == clean

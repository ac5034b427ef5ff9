"""Transitions: the data of an edge between conversation nodes is validated with EdgeData.

The rule: an edge whose source and target are both conversation nodes (types
``start``, ``agent``, ``end``) is a transition, and its ``data`` must be a valid
:class:`~jackfield.host.EdgeData`. An invalid transition is a warning in draft
mode and an error in run mode. Other edges are left to the graph rules.
"""

from __future__ import annotations

from typing import Any

import pytest
from host_plugins import NodesPlugin, fresh_host, make_registration

from jackfield.host import PluginHost, WorkflowDefinition, validate_workflow

GOOD = {"label": "Booked", "condition": "The caller confirmed a slot"}


def _nodes() -> list[dict[str, Any]]:
    return [
        {"id": "s", "type": "start", "data": {"name": "Open", "prompt": "Greet the caller."}},
        {"id": "a", "type": "agent", "data": {"name": "Book", "prompt": "Book a slot."}},
        {"id": "e", "type": "end", "data": {"name": "Bye", "prompt": "Say goodbye."}},
    ]


def _workflow(*edges: dict[str, Any], nodes: list[dict[str, Any]] | None = None):
    return WorkflowDefinition.from_dict(
        {"nodes": _nodes() if nodes is None else nodes, "edges": list(edges)}
    )


def _edge(edge_id: str, source: str, target: str, data: Any = None) -> dict[str, Any]:
    edge: dict[str, Any] = {"id": edge_id, "source": source, "target": target}
    if data is not None:
        edge["data"] = data
    return edge


def _wired(**data_e2: Any) -> WorkflowDefinition:
    return _workflow(_edge("e1", "s", "a", GOOD), _edge("e2", "a", "e", data_e2))


@pytest.fixture(scope="module")
def host() -> PluginHost:
    host = fresh_host()
    host.register(NodesPlugin(make_registration("export")), name="export")
    host.load()
    return host


def _edge_problems(definition, host, mode="draft"):
    return [p for p in validate_workflow(definition, host, mode=mode) if p.kind == "edge"]


@pytest.mark.parametrize("mode", ["draft", "run"])
def test_valid_transitions_have_no_problem(host, mode):
    assert validate_workflow(_wired(**GOOD), host, mode=mode) == []


def test_keys_a_newer_editor_adds_are_fine(host):
    assert validate_workflow(_wired(**GOOD, color="blue", curve=0.3), host) == []


def test_blank_label_is_a_warning_in_draft_and_an_error_in_run(host):
    definition = _wired(label="", condition="The caller is done")

    [draft] = _edge_problems(definition, host)
    [run] = _edge_problems(definition, host, mode="run")

    assert (draft.kind, draft.id, draft.field, draft.code) == (
        "edge",
        "e2",
        "label",
        "invalid_data",
    )
    assert draft.severity == "warning"
    assert (run.id, run.field, run.code, run.severity) == ("e2", "label", "invalid_data", "error")
    assert draft.message == (
        "Edge 'e2' from 'a' to 'e' field 'label': String should have at least 1 character"
    )
    assert str(run).startswith("error: edge 'e2' [label]: ")


@pytest.mark.parametrize("blank", [" ", "\t\n  "])
def test_a_label_or_condition_of_only_spaces_is_blank(host, blank):
    definition = _wired(label=blank, condition=blank)

    problems = _edge_problems(definition, host, mode="run")

    assert sorted(p.field for p in problems) == ["condition", "label"]
    assert all("at least 1 character" in p.message for p in problems)


def test_an_edge_without_data_misses_label_and_condition(host):
    definition = _workflow(_edge("e1", "s", "a", GOOD), _edge("e2", "a", "e"))

    problems = _edge_problems(definition, host, mode="run")

    assert [(p.id, p.field, p.code) for p in problems] == [
        ("e2", "label", "invalid_data"),
        ("e2", "condition", "invalid_data"),
    ]
    assert all("Field required" in p.message for p in problems)


def test_every_edge_is_reported_at_once(host):
    definition = _workflow(_edge("e1", "s", "a", {"label": "x"}), _edge("e2", "a", "e", {}))

    problems = _edge_problems(definition, host, mode="run")

    assert {(p.id, p.field) for p in problems} == {
        ("e1", "condition"),
        ("e2", "label"),
        ("e2", "condition"),
    }


@pytest.mark.parametrize(
    "data",
    [
        {"label": "sk_live_" + "x" * 200, "condition": "ok"},  # too long
        {"label": {"token": "sk_live_abcdef"}, "condition": "ok"},  # not a string
        {"label": ["sk_live_abcdef"], "condition": "ok"},
    ],
)
def test_messages_never_quote_the_value(host, data):
    [problem] = _edge_problems(_wired(**data), host, mode="run")

    assert problem.field == "label"
    assert "sk_live" not in problem.message
    assert "sk_live" not in str(problem.to_dict())


def test_edges_to_integration_nodes_are_not_transitions(host):
    nodes = [*_nodes(), {"id": "x", "type": "export", "data": {"name": "X", "api_key": "k-1234"}}]
    definition = _workflow(
        _edge("e1", "s", "a", GOOD), _edge("e2", "a", "e", GOOD), _edge("e3", "a", "x"), nodes=nodes
    )

    assert [p for p in validate_workflow(definition, host, mode="run") if p.id == "e3"] == []


def test_an_edge_to_a_missing_node_is_only_a_missing_node(host):
    definition = _workflow(
        _edge("e1", "s", "a", GOOD), _edge("e2", "a", "e", GOOD), _edge("e3", "a", "ghost")
    )

    problems = _edge_problems(definition, host, mode="run")

    assert [(p.id, p.field, p.code) for p in problems] == [("e3", "target", "missing_node")]


def test_transitions_are_checked_by_type_even_when_core_is_disabled():
    host = fresh_host(disabled_by_env=frozenset({"core"}))
    definition = _wired(label="", condition="done")

    problems = _edge_problems(definition, host)

    assert [(p.id, p.field, p.severity) for p in problems] == [("e2", "label", "warning")]

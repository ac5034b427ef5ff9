"""Graph rules: ids, edge endpoints, GraphConstraints, start nodes."""

from __future__ import annotations

from workflow_nodes import make_registry, sample_definition

from jackfield import WorkflowProblem
from jackfield.host import WorkflowDefinition, validate_workflow


def _tuner(node_id: str) -> dict:
    return {
        "id": node_id,
        "type": "tuner",
        "data": {"name": "T", "agent_id": "a", "api_key": "tk_0123456789ab"},
    }


def _graph(*nodes: dict, edges: tuple[tuple[str, str, str], ...] = ()) -> WorkflowDefinition:
    return WorkflowDefinition.from_dict(
        {
            "nodes": list(nodes),
            "edges": [
                {"id": e, "source": s, "target": t, "data": {"label": e, "condition": "Always"}}
                for e, s, t in edges
            ],
        }
    )


def _node(node_id: str, node_type: str, **data) -> dict:
    return {"id": node_id, "type": node_type, "data": {"name": node_id, **data}}


def _conversation() -> list[dict]:
    return [_node("s", "start"), _node("a", "agent"), _node("e", "end")]


_CONVERSATION_EDGES = (("e1", "s", "a"), ("e2", "a", "e"))


def _graph_problems(definition: WorkflowDefinition, mode: str = "draft") -> list[WorkflowProblem]:
    return validate_workflow(definition, make_registry(), mode=mode)  # type: ignore[arg-type]


def test_max_instances_message_uses_the_display_name():
    definition = _graph(*_conversation(), _tuner("t1"), _tuner("t2"), edges=_CONVERSATION_EDGES)

    [problem] = _graph_problems(definition)

    assert problem.kind == "workflow"
    assert problem.code == "max_instances"
    assert problem.message.startswith("Workflow can have at most one Tuner node")


def test_integration_nodes_take_no_edges():
    definition = _graph(
        *_conversation(),
        _tuner("t"),
        edges=(*_CONVERSATION_EDGES, ("x1", "a", "t"), ("x2", "t", "e")),
    )

    problems = _graph_problems(definition)

    assert {(p.id, p.code) for p in problems} == {("t", "max_incoming"), ("t", "max_outgoing")}
    messages = {p.message for p in problems}
    assert "Tuner node 't' cannot have incoming edges (it has 1)" in messages
    assert "Tuner node 't' cannot have outgoing edges (it has 1)" in messages


def test_lower_bounds_are_warnings_in_draft_and_errors_in_run():
    definition = _graph(_node("s", "start"), _node("a", "agent"), edges=(("e1", "s", "a"),))
    lonely = _graph(*definition.to_dict()["nodes"], _node("a2", "agent"), edges=(("e1", "s", "a"),))

    draft = _graph_problems(lonely)
    run = _graph_problems(lonely, mode="run")

    assert [(p.id, p.code, p.severity) for p in draft] == [("a2", "min_incoming", "warning")]
    assert [(p.id, p.code, p.severity) for p in run] == [("a2", "min_incoming", "error")]
    assert draft[0].message == "Agent node 'a2' needs at least one incoming edge (it has 0)"


def test_max_incoming_counts_edges_and_pluralises():
    definition = _graph(
        _node("s", "start"), _node("a", "agent"), edges=(("e1", "a", "s"), ("e2", "a", "s"))
    )

    [problem] = [p for p in _graph_problems(definition) if p.code == "max_incoming"]

    assert problem.message == "Start node 's' cannot have incoming edges (it has 2)"


def _constrained(type_name: str, **bounds: int):
    """A registry whose ``type_name`` has its graph constraints changed by ``bounds``."""
    registry = make_registry()
    old = registry.registrations[type_name]
    constraints = old.node_spec.graph_constraints.model_copy(update=bounds)
    spec = old.node_spec.model_copy(update={"graph_constraints": constraints})
    registry.registrations[type_name] = type(old)(
        type_name=type_name, data_model=old.data_model, node_spec=spec
    )
    return registry


def test_max_outgoing_above_zero():
    definition = _graph(
        *_conversation(), _node("e2", "end"), edges=(*_CONVERSATION_EDGES, ("e3", "a", "e2"))
    )

    [problem] = validate_workflow(definition, _constrained("agent", max_outgoing=1))

    assert problem.code == "max_outgoing"
    assert problem.message == "Agent node 'a' can have at most one outgoing edge (it has 2)"


def test_a_node_without_edges_misses_its_lower_bound():
    definition = _graph(*_conversation(), _node("e2", "end"), edges=_CONVERSATION_EDGES)

    problems = _graph_problems(definition)

    assert [(p.id, p.code) for p in problems] == [("e2", "min_incoming")]


def test_edges_to_missing_nodes_are_edge_problems_on_the_right_end():
    definition = _graph(
        *_conversation(), edges=(*_CONVERSATION_EDGES, ("x", "ghost", "a"), ("y", "e", "void"))
    )

    problems = [p for p in _graph_problems(definition) if p.code == "missing_node"]

    assert [(p.kind, p.id, p.field) for p in problems] == [
        ("edge", "x", "source"),
        ("edge", "y", "target"),
    ]
    assert problems[0].message == "Edge 'x' source is node 'ghost', which does not exist"


def test_duplicate_node_and_edge_ids():
    definition = _graph(
        *_conversation(),
        _node("a", "agent"),
        edges=(*_CONVERSATION_EDGES, ("e1", "s", "e")),
    )

    problems = [p for p in _graph_problems(definition) if p.code.startswith("duplicate")]

    assert [(p.kind, p.id, p.code) for p in problems] == [
        ("node", "a", "duplicate_node_id"),
        ("edge", "e1", "duplicate_edge_id"),
    ]
    assert "used by 2 nodes" in problems[0].message


def test_run_mode_needs_a_start_node():
    definition = _graph(_node("a", "agent"), _node("e", "end"), edges=(("e1", "a", "e"),))

    run = [p for p in _graph_problems(definition, mode="run") if p.code == "no_start_node"]
    draft = [p for p in _graph_problems(definition) if p.code == "no_start_node"]

    assert draft == []
    [problem] = run
    assert problem.kind == "workflow"
    assert "Workflow must have at least one Start node" in problem.message


def test_a_node_flagged_is_start_counts_as_start():
    definition = _graph(
        _node("a0", "agent", is_start=True), _node("e", "end"), edges=(("e1", "a0", "e"),)
    )

    problems = _graph_problems(definition, mode="run")

    assert [p.code for p in problems] == ["min_incoming"]


def test_edges_to_unknown_type_nodes_count_for_their_neighbours():
    definition = _graph(
        _node("s", "start"),
        _node("x", "crm_sync"),
        _node("a", "agent"),
        edges=(("e1", "s", "x"), ("e2", "x", "a")),
    )

    problems = _graph_problems(definition)

    assert [p.code for p in problems] == ["unknown_node_type"]


def test_min_instances_of_a_used_type():
    definition = _graph(*_conversation(), edges=_CONVERSATION_EDGES)

    [problem] = validate_workflow(definition, _constrained("end", min_instances=2), mode="run")

    assert problem.message == "Workflow must have at least 2 End nodes (it has 1)"
    assert problem.severity == "error"


def test_max_instances_above_one_and_zero():
    two = _graph(
        *_conversation(),
        _node("e2", "end"),
        _node("e3", "end"),
        edges=(
            *_CONVERSATION_EDGES,
            ("e4", "a", "e2"),
            ("e5", "a", "e3"),
        ),
    )
    messages = [p.message for p in validate_workflow(two, _constrained("end", max_instances=2))]
    none = [p.message for p in validate_workflow(two, _constrained("end", max_instances=0))]

    assert messages == ["Workflow can have at most 2 End nodes (it has 3)"]
    assert none == ["Workflow cannot have any End nodes (it has 3)"]


def test_the_sample_workflow_satisfies_every_rule():
    assert _graph_problems(sample_definition(), mode="run") == []

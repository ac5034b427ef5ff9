"""Core's own conversation nodes (start, agent, end) and edge data."""

from __future__ import annotations

import pytest
from host_plugins import fresh_host
from pydantic import ValidationError

from jackfield import NodeCategory, lint_node_spec
from jackfield.host import AgentNodeData, EdgeData, EndNodeData, PluginStatus, StartNodeData

MODELS = {"start": StartNodeData, "agent": AgentNodeData, "end": EndNodeData}


def test_builtin_plugin_registers_the_conversation_nodes_through_pluggy():
    host = fresh_host()

    info = host.plugin("core")

    assert info is not None
    assert info.status is PluginStatus.LOADED
    assert info.distribution == "jackfield"
    assert info.hooks == ("jackfield_register_nodes",)
    assert info.node_types == ("agent", "end", "start")
    assert host.plugin_manager.get_plugin("core") is not None
    for type_name, model in MODELS.items():
        assert host.data_model(type_name) is model
        assert host.plugin_for_node_type(type_name) == "core"
        assert host.sensitive_fields(type_name) == ()


def test_builtins_can_be_left_out():
    host = fresh_host(builtins=False)
    assert host.plugin("core") is None
    assert host.node_specs() == ()


@pytest.mark.parametrize(("type_name", "model"), MODELS.items())
def test_specs_are_call_nodes_with_valid_examples_and_lint_clean(type_name, model):
    spec = fresh_host().node_spec(type_name)

    assert spec.name == type_name
    assert spec.category is NodeCategory.CALL_NODE
    assert spec.examples
    for example in spec.examples:
        model.model_validate(example.data)
    assert lint_node_spec(spec, model) == []
    assert spec.property("prompt").required


def test_graph_constraints():
    host = fresh_host()
    start = host.node_spec("start").graph_constraints
    agent = host.node_spec("agent").graph_constraints
    end = host.node_spec("end").graph_constraints

    assert (start.max_incoming, start.max_instances) == (0, 1)
    assert start.max_outgoing is None
    assert agent.min_incoming == 1
    assert agent.max_outgoing is None
    assert (end.min_incoming, end.max_outgoing) == (1, 0)


@pytest.mark.parametrize("model", MODELS.values())
def test_prompt_is_required_and_not_empty(model):
    with pytest.raises(ValidationError):
        model.model_validate({"name": "Step"})
    with pytest.raises(ValidationError):
        model.model_validate({"name": "Step", "prompt": ""})


def test_agent_defaults():
    agent = AgentNodeData.model_validate({"name": "Booking", "prompt": "Book a slot."})
    assert agent.tools == []
    assert agent.documents == []
    assert agent.allow_interrupt is True


def test_edge_data_is_a_labelled_condition():
    edge = EdgeData.model_validate(
        {"label": "Booked", "condition": "The caller confirmed a slot", "color": "blue"}
    )
    assert (edge.label, edge.condition) == ("Booked", "The caller confirmed a slot")
    assert "color" not in edge.model_dump()


@pytest.mark.parametrize(
    "data",
    [
        {"condition": "x"},
        {"label": "x"},
        {"label": "", "condition": "x"},
        {"label": "x", "condition": ""},
    ],
)
def test_edge_data_requires_label_and_condition(data):
    with pytest.raises(ValidationError):
        EdgeData.model_validate(data)


def test_disabling_core_removes_the_conversation_nodes():
    host = fresh_host(disabled_by_env=frozenset({"core"}))
    assert host.plugin("core").status is PluginStatus.DISABLED
    assert host.find_registration("start") is None

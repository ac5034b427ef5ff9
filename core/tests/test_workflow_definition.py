"""WorkflowDefinition: lossless JSON round trip, structural errors, node-type records."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from workflow_nodes import PluginEntry, make_directory, make_registry, sample_definition

from jackfield import WorkflowError
from jackfield.host import NodeTypeRecord, WorkflowDefinition, WorkflowNode, record_node_types


def _newer_editor_document() -> dict:
    return {
        "version": 3,
        "viewport": {"zoom": 1.5, "x": -10},
        "nodes": [
            {
                "id": "s",
                "type": "start",
                "position": {"x": 10, "y": 20.5, "z": 1},
                "data": {"name": "Hi", "future_flag": True},
                "selected": True,
                "style": {"color": "red"},
            },
            {"id": "t", "type": "tuner", "data": {"name": "T", "api_key": "tk_x"}},
        ],
        "edges": [
            {"id": "e1", "source": "s", "target": "t", "animated": True},
        ],
    }


def test_round_trip_keeps_unknown_keys_at_every_level_and_adds_none():
    document = _newer_editor_document()

    definition = WorkflowDefinition.from_dict(document)

    assert definition.to_dict() == document
    assert json.loads(definition.to_json()) == document


def test_round_trip_keeps_integer_positions_as_integers():
    definition = WorkflowDefinition.from_dict(_newer_editor_document())

    text = definition.to_json()

    assert '"x":10,' in text
    assert '"y":20.5' in text


def test_round_trip_through_text_is_stable():
    text = json.dumps(_newer_editor_document())

    once = WorkflowDefinition.from_json(text).to_json()
    twice = WorkflowDefinition.from_json(once).to_json()

    assert once == twice


def test_unknown_keys_are_readable_from_python():
    definition = WorkflowDefinition.from_dict(_newer_editor_document())

    assert definition.model_extra == {"version": 3, "viewport": {"zoom": 1.5, "x": -10}}
    assert definition.nodes[0].model_extra == {"selected": True, "style": {"color": "red"}}


def test_optional_parts_default_when_absent():
    definition = WorkflowDefinition.from_dict({"nodes": [{"id": "a", "type": "agent"}]})

    assert definition.edges == []
    assert definition.node_types == {}
    assert definition.nodes[0].position is None
    assert definition.nodes[0].data == {}
    assert definition.to_dict() == {"nodes": [{"id": "a", "type": "agent"}]}


def test_definitions_are_frozen():
    definition = sample_definition()

    with pytest.raises(ValidationError):
        definition.nodes[0].type = "end"  # type: ignore[misc]


def test_node_lookup_by_id():
    definition = sample_definition()

    assert definition.node("t") is definition.nodes[3]
    assert definition.node("missing") is None


def test_structural_problems_name_the_node_and_field_and_are_all_reported():
    document = {
        "nodes": [
            {"id": "ok", "type": "agent"},
            {"id": "bad", "data": {"name": "x"}},
            {"id": 7, "type": "end"},
        ],
        "edges": [{"id": "e1", "source": "ok"}],
    }

    with pytest.raises(WorkflowError) as caught:
        WorkflowDefinition.from_dict(document)

    found = {(p.kind, p.id, p.field) for p in caught.value.problems}
    assert ("node", "bad", "type") in found
    assert ("node", None, "id") in found
    assert ("edge", "e1", "target") in found
    assert all(p.code == "invalid_structure" for p in caught.value.problems)
    assert "node 'bad' field 'type'" in str(caught.value)


def test_structural_errors_never_echo_node_data():
    secret = "tk_live_do_not_print_me_123"
    document = {"nodes": [{"id": "t", "data": {"api_key": secret}}], "edges": "nope"}

    with pytest.raises(WorkflowError) as caught:
        WorkflowDefinition.from_dict(document)

    assert secret not in str(caught.value)
    assert secret not in repr(caught.value)
    assert all(secret not in p.message for p in caught.value.problems)
    assert caught.value.__cause__ is None


def test_pydantic_errors_of_the_models_hide_inputs_too():
    secret = "tk_live_do_not_print_me_123"

    with pytest.raises(ValidationError) as caught:
        WorkflowNode.model_validate({"id": "t", "data": {"api_key": secret}})

    assert secret not in str(caught.value)


def test_a_document_that_is_not_an_object_is_a_workflow_problem():
    with pytest.raises(WorkflowError) as caught:
        WorkflowDefinition.from_dict(["nodes"])

    assert [p.kind for p in caught.value.problems] == ["workflow"]


def test_text_that_is_not_json_is_a_workflow_error():
    with pytest.raises(WorkflowError) as caught:
        WorkflowDefinition.from_json('{"nodes": [}')

    assert [p.code for p in caught.value.problems] == ["invalid_json"]


def test_record_node_types_records_each_used_type_from_the_registry():
    definition = sample_definition()

    recorded = record_node_types(definition, make_registry())

    assert set(recorded.node_types) == {"start", "agent", "end", "tuner", "webhook"}
    assert recorded.node_types["tuner"].sensitive_fields == ("api_key", "workspace_token")
    assert recorded.node_types["webhook"].sensitive_fields == ("signing_keys", "password")
    assert recorded.node_types["agent"] == NodeTypeRecord(plugin=None, sensitive_fields=())
    assert definition.node_types == {}


def test_record_node_types_names_the_plugin_when_the_registry_knows_it():
    recorded = record_node_types(sample_definition(), make_directory())

    assert recorded.node_types["tuner"].plugin == "acme"
    assert recorded.node_types["start"].plugin == "core"


def test_record_node_types_keeps_the_record_of_a_type_no_longer_loaded():
    saved = record_node_types(sample_definition(), make_directory())
    registry_without_tuner = make_directory(
        without=["tuner"], plugins=[PluginEntry("acme", "disabled")]
    )

    again = record_node_types(saved, registry_without_tuner)

    assert again.node_types["tuner"] == NodeTypeRecord(
        plugin="acme", sensitive_fields=("api_key", "workspace_token")
    )


def test_record_node_types_drops_types_no_longer_used_and_survives_json():
    saved = record_node_types(sample_definition(), make_registry())
    document = saved.to_dict()
    document["nodes"] = [n for n in document["nodes"] if n["type"] != "webhook"]

    again = record_node_types(WorkflowDefinition.from_dict(document), make_registry())

    assert "webhook" not in again.node_types
    assert WorkflowDefinition.from_json(again.to_json()) == again


def test_record_node_types_returns_the_same_definition_when_nothing_changes():
    saved = record_node_types(sample_definition(), make_registry())

    assert record_node_types(saved, make_registry()) is saved

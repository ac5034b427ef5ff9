"""validate_workflow: node data through the registry, unknown types, modes."""

from __future__ import annotations

import logging

import pytest
from pydantic import field_validator
from workflow_nodes import (
    PluginEntry,
    make_directory,
    make_registry,
    registration,
    sample_definition,
)

from jackfield import BaseNodeData, node_spec, spec_field
from jackfield.host import WorkflowDefinition, mask_definition, record_node_types, validate_workflow


def _with_nodes(*nodes: dict, edges: list[dict] | None = None, **extra) -> WorkflowDefinition:
    return WorkflowDefinition.from_dict({"nodes": list(nodes), "edges": edges or [], **extra})


@pytest.mark.parametrize("mode", ["draft", "run"])
def test_a_complete_workflow_has_no_problem(mode):
    assert validate_workflow(sample_definition(), make_registry(), mode=mode) == []


def test_every_problem_is_reported_at_once():
    definition = _with_nodes(
        {"id": "s", "type": "start", "data": {"name": " "}},
        {"id": "t", "type": "tuner", "data": {"name": "T", "api_key": "short"}},
        {"id": "w", "type": "webhook", "data": {"url": "", "signing_keys": ["ok", 5]}},
    )

    problems = validate_workflow(definition, make_registry())

    found = {(p.id, p.field) for p in problems if p.code == "invalid_data"}
    assert found == {
        ("s", "name"),
        ("t", "agent_id"),
        ("t", "api_key"),
        ("w", "name"),
        ("w", "url"),
        ("w", "signing_keys.1"),
    }
    data_problems = [p for p in problems if p.code == "invalid_data"]
    assert all(p.kind == "node" and p.severity == "error" for p in data_problems)


def test_data_problems_name_the_node_type_by_display_name():
    definition = _with_nodes({"id": "t", "type": "tuner", "data": {"name": "T", "agent_id": "a"}})

    [problem] = validate_workflow(definition, make_registry())

    assert problem.message == "Tuner node 't' field 'api_key': Field required"
    assert (
        str(problem) == "error: node 't' [api_key]: Tuner node 't' field 'api_key': Field required"
    )


def test_core_and_plugin_types_go_through_the_same_registry_lookup():
    registry = make_registry()

    validate_workflow(sample_definition(), registry)

    assert {"start", "agent", "end", "tuner", "webhook"} <= set(registry.lookups)
    assert len(registry.lookups) == len(set(registry.lookups)), "one lookup per type"


def test_unknown_type_is_a_warning_in_draft_and_an_error_in_run():
    definition = _with_nodes({"id": "x", "type": "crm_sync", "data": {"anything": 1}})

    [draft] = validate_workflow(definition, make_registry())
    run = validate_workflow(definition, make_registry(), mode="run")

    assert (draft.code, draft.severity, draft.id) == ("unknown_node_type", "warning", "x")
    assert "no loaded plugin provides node type 'crm_sync'" in draft.message
    assert ("unknown_node_type", "error") in {(p.code, p.severity) for p in run}


def test_draft_validation_leaves_unknown_nodes_untouched():
    definition = _with_nodes({"id": "x", "type": "crm_sync", "data": {"nested": {"k": [1, 2]}}})
    before = definition.to_dict()

    validate_workflow(definition, make_registry())

    assert definition.to_dict() == before


def test_unknown_type_names_a_disabled_plugin_and_how_to_enable_it():
    saved = record_node_types(sample_definition(), make_directory())
    host = make_directory(without=["tuner", "webhook"], plugins=[PluginEntry("acme", "disabled")])

    problems = [p for p in validate_workflow(saved, host) if p.code == "unknown_node_type"]

    assert [p.id for p in problems] == ["t", "w"]
    assert "provided by plugin 'acme', which is disabled" in problems[0].message
    assert "jackfield plugins enable acme" in problems[0].message


def test_unknown_type_names_a_failed_plugin_and_why():
    saved = record_node_types(sample_definition(), make_directory())
    host = make_directory(
        without=["tuner", "webhook"],
        plugins=[PluginEntry("acme", "failed", "ImportError: No module named 'acme_sdk'")],
    )

    [problem, _] = [p for p in validate_workflow(saved, host) if p.code == "unknown_node_type"]

    assert "plugin 'acme', which is failed (ImportError" in problem.message
    assert "jackfield doctor" in problem.message


def test_unknown_type_of_an_uninstalled_plugin_says_to_install_it():
    saved = record_node_types(sample_definition(), make_directory())
    host = make_directory(without=["tuner", "webhook"])

    [problem, _] = [p for p in validate_workflow(saved, host) if p.code == "unknown_node_type"]

    assert "plugin 'acme', which is not installed" in problem.message
    assert "pip install jackfield-acme" in problem.message


def test_unknown_type_of_a_loaded_plugin_that_dropped_it():
    saved = record_node_types(sample_definition(), make_directory())
    host = make_directory(without=["tuner"], plugins=[PluginEntry("acme", "loaded")])

    [problem] = [p for p in validate_workflow(saved, host) if p.code == "unknown_node_type"]

    assert "which is loaded but no longer provides it" in problem.message


def test_unknown_type_without_a_record_lists_plugins_that_are_not_loaded():
    definition = _with_nodes({"id": "x", "type": "crm_sync"})
    host = make_directory(
        plugins=[PluginEntry("acme", "loaded"), PluginEntry("crm", "incompatible", "needs 2.x")]
    )

    [problem] = validate_workflow(definition, host)

    assert "installed plugins that are not loaded: 'crm' (incompatible)" in problem.message
    assert "'acme'" not in problem.message


def test_unknown_type_with_a_record_but_a_plain_registry_names_the_plugin():
    saved = record_node_types(sample_definition(), make_directory())

    problems = validate_workflow(saved, make_registry(without=["tuner"]))

    [problem] = [p for p in problems if p.code == "unknown_node_type"]
    assert "it was provided by plugin 'acme': install or enable that plugin" in problem.message


def test_run_mode_rejects_masked_secrets_but_draft_allows_them():
    masked = mask_definition(sample_definition(), make_registry())

    draft = validate_workflow(masked, make_registry())
    run = validate_workflow(masked, make_registry(), mode="run")

    assert not [p for p in draft if p.code == "masked_value"]
    masked_fields = {(p.id, p.field) for p in run if p.code == "masked_value"}
    assert masked_fields == {
        ("t", "api_key"),
        ("t", "workspace_token"),
        ("w", "signing_keys.0"),
        ("w", "signing_keys.1"),
        ("w", "signing_keys.2"),
        ("w", "password"),
    }


def test_mode_must_be_draft_or_run():
    with pytest.raises(ValueError, match="mode must be"):
        validate_workflow(sample_definition(), make_registry(), mode="save")  # type: ignore[arg-type]


@node_spec(name="fragile", description="A node whose validator has a bug.")
class _FragileNode(BaseNodeData):
    token: str = spec_field(description="A secret token.")

    @field_validator("token")
    @classmethod
    def _crash(cls, value: str) -> str:
        raise KeyError(value)


def test_a_crashing_validator_is_a_problem_that_names_the_plugin_bug_not_the_value(caplog):
    secret = "crash-secret-token-998877"
    registry = make_registry()
    registry.registrations["fragile"] = registration(_FragileNode, "token")
    definition = _with_nodes({"id": "f", "type": "fragile", "data": {"name": "F", "token": secret}})

    with caplog.at_level(logging.DEBUG):
        [problem] = validate_workflow(definition, registry)

    assert problem.code == "validator_crashed"
    assert "raised KeyError" in problem.message
    assert secret not in problem.message
    assert caplog.records, "the crash is logged for the operator"
    assert all(secret not in record.getMessage() for record in caplog.records)

"""Secrets: mask_key, masking a definition, the masked round trip, and no leaks."""

from __future__ import annotations

import logging

import pytest
from workflow_nodes import (
    TunerNode,
    WebhookNode,
    make_directory,
    make_registry,
    registration,
    sample_definition,
)

from jackfield.host import (
    MASK_PREFIX,
    WorkflowDefinition,
    find_masked_values,
    looks_masked,
    mask_definition,
    mask_key,
    merge_definition,
    record_node_types,
    validate_workflow,
)


def _data(definition: WorkflowDefinition, node_id: str) -> dict:
    node = definition.node(node_id)
    assert node is not None
    return node.data


def _edited(definition: WorkflowDefinition, node_id: str, **changes) -> WorkflowDefinition:
    """A copy of ``definition`` (as a client would send it) with node data changed."""
    document = definition.to_dict()
    for node in document["nodes"]:
        if node["id"] == node_id:
            for key, value in changes.items():
                if value is ...:
                    del node["data"][key]
                else:
                    node["data"][key] = value
    return WorkflowDefinition.from_dict(document)


# -- mask_key ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "masked"),
    [
        ("sk-live-0123456789abcd", "****abcd"),
        ("12345", "****2345"),
        ("1234", "********"),
        ("a", "********"),
        ("", ""),
    ],
)
def test_mask_key_shows_at_most_the_last_four_characters(secret, masked):
    assert mask_key(secret) == masked


def test_masks_have_a_fixed_width_and_look_masked():
    assert len(mask_key("x" * 200)) == len(mask_key("abcdef")) == len(mask_key("ab"))
    assert looks_masked(mask_key("abcdef"))
    assert looks_masked(mask_key("ab"))
    assert mask_key("abcdef").startswith(MASK_PREFIX)
    assert not looks_masked("sk-live-abcd")
    assert not looks_masked(None)
    assert not looks_masked(["****abcd"])


def test_masking_a_mask_changes_nothing():
    once = mask_key("sk-live-0123456789abcd")

    assert mask_key(once) == once
    assert mask_key(mask_key("ab")) == mask_key("ab")


# -- mask_definition --------------------------------------------------------------


def test_mask_definition_masks_every_secret_field_and_list_items_one_by_one():
    masked = mask_definition(sample_definition(), make_registry())

    assert _data(masked, "t") == {
        "name": "Tuner",
        "agent_id": "agent-7",
        "api_key": "****6789",
        "workspace_token": "****pace",
    }
    assert _data(masked, "w")["signing_keys"] == ["****1111", "****2222", "****3333"]
    assert _data(masked, "w")["password"] == "****ter2"
    assert _data(masked, "w")["url"] == "https://example.invalid/calls"


def test_mask_definition_leaves_the_input_alone_and_shares_untouched_nodes():
    definition = sample_definition()
    before = definition.to_dict()

    masked = mask_definition(definition, make_registry())

    assert definition.to_dict() == before
    assert masked.nodes[0] is definition.nodes[0]
    assert masked.edges is definition.edges
    assert masked.nodes[3] is not definition.nodes[3]


def test_mask_definition_without_secrets_returns_the_same_definition():
    definition = WorkflowDefinition.from_dict({"nodes": [{"id": "a", "type": "agent"}]})

    assert mask_definition(definition, make_registry()) is definition


def test_empty_and_missing_secrets_stay_as_they_are():
    definition = _edited(sample_definition(), "w", password=None, signing_keys=[])
    definition = _edited(definition, "t", workspace_token="")

    masked = mask_definition(definition, make_registry())

    assert _data(masked, "w")["password"] is None
    assert _data(masked, "w")["signing_keys"] == []
    assert _data(masked, "t")["workspace_token"] == ""


def test_non_string_secrets_are_masked_whole():
    definition = _edited(sample_definition(), "w", password={"user": "u", "pass": "p4ssw0rd!"})

    masked = mask_definition(definition, make_registry())

    assert _data(masked, "w")["password"] == "********"


def test_secrets_of_a_type_whose_plugin_is_gone_stay_masked_from_the_record():
    saved = record_node_types(sample_definition(), make_registry())
    without_plugin = make_registry(without=["tuner", "webhook"])

    masked = mask_definition(saved, without_plugin)

    assert _data(masked, "t")["api_key"] == "****6789"
    assert _data(masked, "w")["signing_keys"] == ["****1111", "****2222", "****3333"]
    assert "tk_live0123456789" not in masked.to_json()


def test_a_field_declared_sensitive_on_the_model_alone_is_masked():
    registry = make_registry()
    registry.registrations["tuner"] = registration(TunerNode)  # no sensitive_fields given

    masked = mask_definition(sample_definition(), registry)

    assert _data(masked, "t")["api_key"] == "****6789"


# -- merge_definition -------------------------------------------------------------


def test_merge_restores_every_secret_sent_back_masked():
    stored = record_node_types(sample_definition(), make_registry())
    incoming = mask_definition(stored, make_registry())

    result = merge_definition(incoming, stored, make_registry())

    assert result.ok
    assert result.definition == stored


def test_merge_takes_a_new_value_and_clears_an_empty_one():
    stored = sample_definition()
    incoming = _edited(
        mask_definition(stored, make_registry()),
        "t",
        api_key="tk_brandnewkey99",
        workspace_token="",
    )
    incoming = _edited(incoming, "w", password=None)

    result = merge_definition(incoming, stored, make_registry())

    assert result.ok
    assert _data(result.definition, "t")["api_key"] == "tk_brandnewkey99"
    assert _data(result.definition, "t")["workspace_token"] == ""
    assert _data(result.definition, "w")["password"] is None


def test_merge_drops_a_secret_the_client_left_out():
    stored = sample_definition()
    incoming = _edited(mask_definition(stored, make_registry()), "w", password=...)

    result = merge_definition(incoming, stored, make_registry())

    assert "password" not in _data(result.definition, "w")


def test_merge_keeps_non_secret_edits():
    stored = sample_definition()
    incoming = _edited(mask_definition(stored, make_registry()), "t", agent_id="agent-8")

    result = merge_definition(incoming, stored, make_registry())

    assert _data(result.definition, "t")["agent_id"] == "agent-8"
    assert _data(result.definition, "t")["api_key"] == "tk_live0123456789"


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (["****1111", "****2222", "****3333", "key-delta-44444"], [0, 1, 2, "key-delta-44444"]),
        (["****1111", "****3333"], [0, 2]),
        (["****3333", "****1111", "****2222"], [2, 0, 1]),
        (["****1111", "key-new-5555555", "****3333"], [0, "key-new-5555555", 2]),
        ([], []),
    ],
    ids=["addition", "removal", "reordering", "partial-replacement", "all-removed"],
)
def test_merge_of_list_secrets_item_by_item(sent, expected):
    stored = sample_definition()
    old = _data(stored, "w")["signing_keys"]
    incoming = _edited(mask_definition(stored, make_registry()), "w", signing_keys=sent)

    result = merge_definition(incoming, stored, make_registry())

    assert result.ok
    assert _data(result.definition, "w")["signing_keys"] == [
        old[item] if isinstance(item, int) else item for item in expected
    ]


def test_list_items_with_the_same_mask_are_each_restored_once():
    stored = _edited(sample_definition(), "w", signing_keys=["first-secret-9999", "other-key-9999"])
    incoming = _edited(stored, "w", signing_keys=["****9999", "****9999", "****9999"])

    result = merge_definition(incoming, stored, make_registry())

    assert _data(result.definition, "w")["signing_keys"] == ["first-secret-9999", "other-key-9999"]
    [problem] = result.problems
    assert (problem.id, problem.field, problem.code) == (
        "w",
        "signing_keys.2",
        "unmatched_masked_value",
    )


def test_a_masked_value_for_a_new_node_is_rejected_and_not_stored():
    stored = sample_definition()
    document = mask_definition(stored, make_registry()).to_dict()
    pasted = dict(document["nodes"][3], id="t-copy")
    document["nodes"][3] = pasted

    result = merge_definition(WorkflowDefinition.from_dict(document), stored, make_registry())

    assert {(p.id, p.field) for p in result.problems} == {
        ("t-copy", "api_key"),
        ("t-copy", "workspace_token"),
    }
    assert "api_key" not in _data(result.definition, "t-copy")
    assert "tk_live0123456789" not in result.definition.to_json()
    assert not result.ok


def test_a_mask_pasted_from_another_field_or_node_is_rejected():
    stored = sample_definition()
    masked = mask_definition(stored, make_registry())
    incoming = _edited(masked, "t", api_key=_data(masked, "t")["workspace_token"])
    incoming = _edited(incoming, "w", password=_data(masked, "t")["api_key"])

    result = merge_definition(incoming, stored, make_registry())

    assert {(p.id, p.field) for p in result.problems} == {("t", "api_key"), ("w", "password")}
    message = result.problems[0].message
    assert message.startswith("Tuner node 't' field 'api_key' holds a masked value")


def test_a_node_whose_type_changed_gets_no_secret_back():
    stored = sample_definition()
    document = mask_definition(stored, make_registry()).to_dict()
    document["nodes"][3]["type"] = "tuner_eu"
    document["node_types"] = {"tuner_eu": {"sensitive_fields": ["api_key"]}}

    result = merge_definition(WorkflowDefinition.from_dict(document), stored, make_registry())

    assert {(p.id, p.field) for p in result.problems} == {("t", "api_key")}
    assert "tk_live0123456789" not in result.definition.to_json()


def test_duplicated_node_ids_never_get_secrets_restored():
    stored = sample_definition()
    document = mask_definition(stored, make_registry()).to_dict()
    document["nodes"].append(document["nodes"][3])

    result = merge_definition(WorkflowDefinition.from_dict(document), stored, make_registry())

    assert len(result.problems) == 4
    assert "tk_live0123456789" not in result.definition.to_json()


def test_merge_restores_secrets_of_a_type_whose_plugin_is_gone():
    stored = record_node_types(sample_definition(), make_directory())
    host = make_directory(without=["tuner", "webhook"])
    incoming = mask_definition(stored, host)

    result = merge_definition(incoming, stored, host)

    assert result.ok
    assert result.definition == stored


def test_a_client_cannot_unmark_a_secret_through_its_record():
    stored = record_node_types(sample_definition(), make_registry())
    host = make_registry(without=["tuner"])
    document = mask_definition(stored, host).to_dict()
    document["node_types"]["tuner"]["sensitive_fields"] = []
    incoming = WorkflowDefinition.from_dict(document)

    result = merge_definition(incoming, stored, host)

    assert result.ok
    assert _data(result.definition, "t")["api_key"] == "tk_live0123456789"
    assert result.definition.node_types["tuner"].sensitive_fields == ("api_key", "workspace_token")


def test_merge_records_the_node_types_of_the_result():
    stored = sample_definition()

    result = merge_definition(mask_definition(stored, make_directory()), stored, make_directory())

    assert result.definition.node_types["tuner"].plugin == "acme"


# -- masked values before a run -----------------------------------------------------


def test_find_masked_values_names_each_masked_field_and_item():
    stored = sample_definition()
    incoming = _edited(stored, "w", signing_keys=["fresh-key-000000", "****2222"])

    problems = find_masked_values(incoming, make_registry())

    assert [(p.id, p.field, p.code) for p in problems] == [("w", "signing_keys.1", "masked_value")]
    assert find_masked_values(stored, make_registry()) == []


# -- no leaks -------------------------------------------------------------------------


def test_model_repr_and_str_hide_declared_secrets():
    node = TunerNode(name="T", agent_id="agent-7", api_key="tk_reprsecret123", workspace_token="")

    assert "tk_reprsecret123" not in repr(node)
    assert "tk_reprsecret123" not in str(node)
    assert "api_key='**********'" in repr(node)
    assert "agent_id='agent-7'" in repr(node)


def test_repr_shows_fields_of_models_without_declared_secrets():
    node = WebhookNode(name="H", url="https://example.invalid")

    assert "url='https://example.invalid'" in repr(node)


INVALID_SECRETS = {
    "api_key": "tk_!!not-valid-secret-value!!",
    "workspace_token": "bad-workspace-secret-7788",
}


@pytest.mark.parametrize("mode", ["draft", "run"])
def test_invalid_secret_values_never_reach_problems_or_logs(caplog, mode):
    bad = {"name": "T", "agent_id": "x", **INVALID_SECRETS}
    derived = {"name": "T", "agent_id": "abcdefghijkl", "api_key": "tk_abcdefghijkl"}
    bad_list = {"name": "H", "url": "u", "signing_keys": ["list-secret-value-1", 12345678]}
    definition = WorkflowDefinition.from_dict(
        {
            "nodes": [
                {"id": "t1", "type": "tuner", "data": bad},
                {"id": "t2", "type": "tuner", "data": derived},
                {"id": "w", "type": "webhook", "data": bad_list},
            ]
        }
    )
    secrets = [*INVALID_SECRETS.values(), "tk_abcdefghijkl", "12345678"]

    with caplog.at_level(logging.DEBUG):
        problems = validate_workflow(definition, make_registry(), mode=mode)
        merged = merge_definition(definition, definition, make_registry())

    fields = {(p.id, p.field) for p in problems if p.code == "invalid_data"}
    assert {
        ("t1", "api_key"),
        ("t1", "workspace_token"),
        ("t2", None),
        ("w", "signing_keys.1"),
    } <= fields
    texts = [p.message for p in problems] + [str(p) for p in problems] + [repr(problems)]
    texts += [record.getMessage() for record in caplog.records] + [repr(merged.problems)]
    for secret in secrets:
        assert all(secret not in text for text in texts), secret

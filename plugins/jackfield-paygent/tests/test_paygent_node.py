"""The Paygent node model, its spec, its registration and its secret."""

from __future__ import annotations

import pytest
from jackfield_paygent import DEFAULT_BASE_URL, DEFAULT_TIMEOUT_S, PaygentNode
from paygent_support import API_KEY, make_host, node_data, workflow
from pydantic import ValidationError

from jackfield import NodeCategory, build_spec, lint_node_spec
from jackfield.host import (
    PluginStatus,
    WorkflowDefinition,
    mask_definition,
    mask_key,
    merge_definition,
)

REQUIRED_WHEN_ENABLED = ("api_key", "agent_id", "customer_id", "indicator")


def test_valid_node_keeps_its_values_and_defaults():
    node = PaygentNode.model_validate(node_data(DEFAULT_BASE_URL))

    assert node.enabled is True
    assert node.api_key == API_KEY
    assert (node.agent_id, node.customer_id) == ("agent_support", "cust_acme")
    assert node.indicator == "per-minute-call"
    assert node.base_url == "https://cp-api.withpaygent.com"
    assert node.timeout_s == DEFAULT_TIMEOUT_S == 15.0


@pytest.mark.parametrize("field", REQUIRED_WHEN_ENABLED)
def test_each_field_is_required_when_enabled(field):
    data = node_data(DEFAULT_BASE_URL)
    del data[field]

    with pytest.raises(ValidationError) as info:
        PaygentNode.model_validate(data)

    message = str(info.value)
    assert field in message
    assert API_KEY not in message


@pytest.mark.parametrize("field", REQUIRED_WHEN_ENABLED)
def test_blank_value_counts_as_missing(field):
    with pytest.raises(ValidationError, match=field):
        PaygentNode.model_validate(node_data(DEFAULT_BASE_URL, **{field: "  "}))


def test_error_lists_every_missing_field():
    with pytest.raises(ValidationError) as info:
        PaygentNode.model_validate({"name": "Paygent"})

    located = [error["loc"] for error in info.value.errors()]
    assert located == [("api_key",), ("agent_id",), ("customer_id",), ("indicator",)]


def test_disabled_node_needs_none_of_them():
    node = PaygentNode.model_validate({"name": "Paygent", "enabled": False})

    assert node.enabled is False
    assert node.api_key is None


@pytest.mark.parametrize(
    "change",
    [
        {"base_url": "ftp://cp-api.withpaygent.com"},
        {"base_url": "cp-api.withpaygent.com"},
        {"timeout_s": 0},
        {"timeout_s": 61},
        {"api_key": ""},
        {"api_key": "pg key with spaces"},
        {"api_key": "pg_clé_0123456789"},
        {"surprise": 1},
    ],
)
def test_bad_values_are_rejected_without_echoing_them(change):
    data = {**node_data(DEFAULT_BASE_URL), **change}

    with pytest.raises(ValidationError) as info:
        PaygentNode.model_validate(data)

    message = str(info.value)
    for value in (API_KEY, *change.values()):
        if isinstance(value, str) and value:
            assert value not in message


def test_repr_hides_the_api_key():
    node = PaygentNode.model_validate(node_data(DEFAULT_BASE_URL))

    assert API_KEY not in repr(node)
    assert API_KEY not in str(node)


def test_spec_is_clean_and_its_examples_validate():
    spec = build_spec(PaygentNode)

    assert spec.name == "paygent"
    assert spec.category is NodeCategory.INTEGRATION
    assert lint_node_spec(spec, PaygentNode) == []
    assert len(spec.examples) == 2
    for example in spec.examples:
        PaygentNode.model_validate(example.data)


def test_spec_takes_no_edges():
    constraints = build_spec(PaygentNode).graph_constraints

    assert constraints is not None
    assert (constraints.min_incoming, constraints.max_incoming) == (0, 0)
    assert (constraints.min_outgoing, constraints.max_outgoing) == (0, 0)


def test_spec_properties_show_settings_only_when_enabled():
    props = {p.name: p for p in build_spec(PaygentNode).properties}

    assert list(props) == [
        "name",
        "enabled",
        "api_key",
        "agent_id",
        "customer_id",
        "indicator",
        "base_url",
        "timeout_s",
    ]
    assert props["enabled"].default is True
    assert props["base_url"].default == DEFAULT_BASE_URL
    assert props["api_key"].editor == "password"
    assert props["indicator"].placeholder == "per-minute-call"
    for name in (*REQUIRED_WHEN_ENABLED, "base_url", "timeout_s"):
        assert props[name].required is False
        assert props[name].display_options is not None
        assert props[name].display_options.show == {"enabled": [True]}


def test_host_registers_the_node_type_with_its_secret():
    host = make_host()

    assert host.plugin("paygent").status is PluginStatus.LOADED
    assert host.node_spec("paygent") == build_spec(PaygentNode)


def test_masked_round_trip_keeps_the_stored_key():
    host = make_host()
    stored = WorkflowDefinition.from_dict(workflow(("billing", node_data(DEFAULT_BASE_URL))))

    masked = mask_definition(stored, host)
    masked_data = masked.nodes[0].data
    assert masked_data["api_key"] == mask_key(API_KEY)
    assert API_KEY not in masked.to_json()
    assert masked_data["customer_id"] == "cust_acme"

    masked_data["customer_id"] = "cust_new"
    result = merge_definition(masked, stored, host)

    assert result.problems == []
    merged = result.definition.nodes[0].data
    assert merged["api_key"] == API_KEY
    assert merged["customer_id"] == "cust_new"
    assert result.definition.node_types["paygent"].sensitive_fields == ("api_key",)


def test_a_mask_on_a_new_node_is_refused():
    host = make_host()
    stored = WorkflowDefinition.from_dict(workflow(("billing", node_data(DEFAULT_BASE_URL))))
    incoming = WorkflowDefinition.from_dict(
        workflow(("other", node_data(DEFAULT_BASE_URL, api_key=mask_key(API_KEY))))
    )

    result = merge_definition(incoming, stored, host)

    assert [(p.id, p.field, p.code) for p in result.problems] == [
        ("other", "api_key", "unmatched_masked_value")
    ]
    assert "api_key" not in result.definition.nodes[0].data

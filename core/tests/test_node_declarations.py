"""A node model declares everything once: secret=True, required_when, IntegrationNodeData."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from host_plugins import NodesPlugin, fresh_host
from pydantic import BaseModel, ValidationError

from jackfield import (
    BaseNodeData,
    IntegrationNodeData,
    NodeRegistration,
    RequiredWhen,
    SpecError,
    build_spec,
    diff_specs,
    evaluate_required_when,
    lint_node_spec,
    node_spec,
    required_when_cases,
    spec_field,
)
from jackfield.host import WorkflowDefinition, mask_definition, validate_workflow

WHEN_ENABLED = {"enabled": [True]}


@node_spec(
    name="vault_export",
    description="Sends every finished call to the Vault test service for archiving.",
    examples=[
        {
            "name": "Typical",
            "data": {"name": "Vault", "agent_id": "a1", "api_key": "vk_0123456789"},
        },
        {"name": "Off", "data": {"name": "Vault", "enabled": False}},
    ],
)
class VaultNode(IntegrationNodeData):
    agent_id: str | None = spec_field(
        default=None, description="Vault agent that receives the calls.", required_when=WHEN_ENABLED
    )
    api_key: str | None = spec_field(
        default=None,
        description="Vault API key.",
        editor="password",
        secret=True,
        required_when=WHEN_ENABLED,
    )
    region: str = spec_field(default="eu", description="Vault region the calls are stored in.")


class _Registry:
    def __init__(self, *registrations: NodeRegistration) -> None:
        self.registrations = {r.type_name: r for r in registrations}

    def find_registration(self, type_name: str) -> NodeRegistration | None:
        return self.registrations.get(type_name)


def _definition(data: dict[str, Any]) -> WorkflowDefinition:
    return WorkflowDefinition.model_validate(
        {"nodes": [{"id": "v", "type": "vault_export", "data": data}], "edges": []}
    )


# -- secret=True --------------------------------------------------------------------


def test_secret_true_hides_the_value_in_repr_and_str():
    node = VaultNode(name="Vault", agent_id="a1", api_key="vk_live_very_secret")
    for text in (repr(node), str(node)):
        assert "vk_live_very_secret" not in text
        assert "api_key='**********'" in text
        assert "agent_id='a1'" in text


def test_an_unset_secret_shows_as_none():
    assert "api_key=None" in repr(VaultNode(name="Vault", enabled=False))


def test_secret_is_inherited_with_the_field():
    @node_spec(name="vault_eu", description="Sends every finished call to the Vault EU service.")
    class VaultEuNode(VaultNode):
        pass

    assert "vk_live_inherited" not in repr(
        VaultEuNode(name="V", agent_id="a", api_key="vk_live_inherited")
    )
    assert NodeRegistration.from_model(VaultEuNode).sensitive_fields == ("api_key",)


def test_the_legacy_class_attribute_still_hides_and_registers():
    @node_spec(name="legacy", description="Sends every finished call to the legacy service.")
    class LegacyNode(BaseNodeData):
        sensitive_fields = ("token",)
        token: str = spec_field(description="Token of the legacy service.")

    assert "tok_secret_1" not in repr(LegacyNode(name="L", token="tok_secret_1"))
    assert NodeRegistration.from_model(LegacyNode).sensitive_fields == ("token",)


def test_secret_does_not_change_the_wire_spec():
    prop = build_spec(VaultNode).property("api_key")
    assert prop is not None
    dumped = prop.model_dump(mode="json", exclude_none=True)
    assert "secret" not in dumped
    assert dumped["editor"] == "password"


def test_secret_inside_a_fixed_collection_is_a_spec_error():
    class Header(BaseModel):
        value: str = spec_field(description="Header value.", secret=True)

    @node_spec(name="nested", description="Sends every finished call with custom headers.")
    class NestedNode(BaseNodeData):
        headers: list[Header] = spec_field(default_factory=list, description="Custom headers.")

    with pytest.raises(SpecError, match="top-level"):
        build_spec(NestedNode)


def test_field_overrides_do_not_take_secret_or_required_when():
    for key in ("secret", "required_when"):
        with pytest.raises(SpecError, match="unknown field_overrides key"):

            @node_spec(
                name="over",
                description="Sends every finished call to the override service.",
                field_overrides={"token": {key: True}},
            )
            class OverNode(BaseNodeData):
                token: str = spec_field(description="Token of the override service.")


# -- NodeRegistration.from_model ------------------------------------------------------


def test_from_model_builds_the_spec_and_takes_the_secrets():
    registration = NodeRegistration.from_model(VaultNode)
    assert registration.type_name == "vault_export"
    assert registration.data_model is VaultNode
    assert registration.node_spec == build_spec(VaultNode)
    assert registration.sensitive_fields == ("api_key",)


def test_registration_sensitive_fields_are_the_union_with_the_model():
    registration = NodeRegistration(
        type_name="vault_export",
        data_model=VaultNode,
        node_spec=build_spec(VaultNode),
        sensitive_fields=("agent_id",),
    )
    assert registration.sensitive_fields == ("agent_id", "api_key")


def test_secrets_declared_on_the_model_are_masked():
    registry = _Registry(NodeRegistration.from_model(VaultNode))
    masked = mask_definition(
        _definition({"name": "V", "agent_id": "a1", "api_key": "vk_0123456789"}), registry
    )
    assert masked.nodes[0].data["api_key"] == "****6789"
    assert masked.nodes[0].data["agent_id"] == "a1"


def test_host_load_writes_nothing_onto_the_model_class():
    @node_spec(
        name="vault_host",
        description="Sends every finished call to the Vault test service for archiving.",
        examples=[
            {"name": "Typical", "data": {"name": "V", "agent_id": "a", "api_key": "vk_01234"}}
        ],
    )
    class VaultHostNode(VaultNode):
        pass

    registration = NodeRegistration.from_model(VaultHostNode)
    before = dict(vars(VaultHostNode))
    host = fresh_host()
    host.register(NodesPlugin(registration), name="vault-plugin")
    host.load()

    assert host.find_registration("vault_host") is registration
    assert host.sensitive_fields("vault_host") == ("api_key",)
    assert dict(vars(VaultHostNode)) == before
    assert "sensitive_fields" not in vars(VaultHostNode)


# -- IntegrationNodeData ------------------------------------------------------------------


def test_integration_nodes_have_a_documented_enabled_field():
    assert VaultNode(name="V", agent_id="a", api_key="k").enabled is True
    prop = build_spec(VaultNode).property("enabled")
    assert prop is not None
    assert prop.type == "boolean"
    assert prop.default is True
    assert prop.required is False
    assert prop.description


# -- required_when -------------------------------------------------------------------------


def test_required_when_is_in_the_spec_and_lean_when_unset():
    spec = build_spec(VaultNode)
    api_key = spec.property("api_key")
    region = spec.property("region")
    assert api_key is not None
    assert region is not None
    assert api_key.required is False
    assert api_key.required_when == RequiredWhen({"enabled": [True]})
    assert api_key.model_dump(mode="json")["required_when"] == {"enabled": [True]}
    assert "required_when" not in region.model_dump(mode="json")
    assert "required_when" not in region.model_dump_json()
    mcp = api_key.to_mcp_dict()
    assert mcp["required_when"] == {"enabled": [True]}


def test_a_spec_with_required_when_round_trips_through_json():
    spec = build_spec(VaultNode)
    assert type(spec).model_validate_json(spec.model_dump_json()) == spec


def test_lint_accepts_required_when_naming_existing_fields():
    spec = build_spec(VaultNode)
    assert lint_node_spec(spec, VaultNode) == []


def test_lint_reports_required_when_naming_an_unknown_field():
    @node_spec(
        name="typo",
        description="Sends every finished call to the typo test service.",
        examples=[{"name": "Typical", "data": {"name": "T", "token": "t"}}],
    )
    class TypoNode(BaseNodeData):
        token: str | None = spec_field(
            default=None,
            description="Token of the typo service.",
            required_when={"enabeld": [True]},
        )

    problems = lint_node_spec(build_spec(TypoNode), TypoNode)
    assert [(p.path, p.rule, p.unusable) for p in problems] == [
        ("token", "required-when-unknown-field", False)
    ]
    assert "'enabeld'" in problems[0].message


def test_an_empty_required_when_is_a_spec_error():
    @node_spec(name="empty_rule", description="Sends every finished call to the empty service.")
    class EmptyRuleNode(BaseNodeData):
        token: str | None = spec_field(default=None, description="Token.", required_when={})

    with pytest.raises(SpecError, match="at least one condition"):
        build_spec(EmptyRuleNode)


@pytest.mark.parametrize(
    "case", required_when_cases(), ids=[c["name"] for c in required_when_cases()]
)
def test_required_when_golden_case(case):
    assert evaluate_required_when(case["rule"], case["values"]) is case["required"]
    rule = None if case["rule"] is None else RequiredWhen.model_validate(case["rule"])
    assert evaluate_required_when(rule, case["values"]) is case["required"]


def test_the_required_when_golden_file_ships_inside_the_package():
    path = resources.files("jackfield").joinpath("data/required_when_cases.json")
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    assert cases == required_when_cases()
    assert len(cases) >= 15
    assert {c["required"] for c in cases} == {True, False}
    for case in cases:
        assert set(case) == {"name", "rule", "values", "required"}


def test_a_disabled_node_may_leave_required_when_fields_empty():
    VaultNode(name="V", enabled=False)
    VaultNode(name="V", enabled=False, agent_id="", api_key=None)


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_an_enabled_node_must_have_them(missing):
    with pytest.raises(ValidationError) as caught:
        VaultNode(name="V", agent_id="a1", api_key=missing)
    errors = caught.value.errors(include_url=False, include_input=False, include_context=False)
    assert errors == [
        {"type": "missing", "loc": ("api_key",), "msg": "Field required when enabled is true"}
    ]


def test_every_missing_field_is_reported_at_its_own_location():
    with pytest.raises(ValidationError) as caught:
        VaultNode(name="V")
    assert [e["loc"] for e in caught.value.errors()] == [("agent_id",), ("api_key",)]


def test_validate_workflow_names_the_missing_field_without_echoing_values():
    registry = _Registry(NodeRegistration.from_model(VaultNode))
    problems = validate_workflow(
        _definition({"name": "V", "agent_id": "agent-secretish"}), registry
    )
    assert [(p.id, p.field, p.code) for p in problems] == [("v", "api_key", "invalid_data")]
    assert "required when enabled is true" in problems[0].message
    assert "agent-secretish" not in problems[0].message
    assert validate_workflow(_definition({"name": "V", "enabled": False}), registry) == []


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_secret_gets_the_real_message_naming_its_field(blank):
    registry = _Registry(NodeRegistration.from_model(VaultNode))
    problems = validate_workflow(
        _definition({"name": "V", "agent_id": "a1", "api_key": blank}), registry
    )
    assert [(p.id, p.field) for p in problems] == [("v", "api_key")]
    assert "required when enabled is true" in problems[0].message
    assert "withheld" not in problems[0].message


def test_adding_required_when_is_a_breaking_change():
    @node_spec(
        name="vault_export", description="Sends every finished call to the Vault test service."
    )
    class Before(BaseNodeData):
        api_key: str | None = spec_field(default=None, description="Vault API key.")

    @node_spec(
        name="vault_export", description="Sends every finished call to the Vault test service."
    )
    class After(BaseNodeData):
        api_key: str | None = spec_field(
            default=None, description="Vault API key.", required_when={"name": ["x"]}
        )

    added = diff_specs([build_spec(Before)], [build_spec(After)])
    assert [c.code for c in added.breaking] == ["required-when-changed"]
    removed = diff_specs([build_spec(After)], [build_spec(Before)])
    assert [c.code for c in removed.compatible] == ["required-when-removed"]
    assert not removed.breaking


def test_required_when_compares_enum_fields_by_value():
    import sample_nodes

    model = sample_nodes.CallInsightsExportNode
    key = "ci_live_0123456789abcdef"
    with pytest.raises(ValidationError) as caught:
        model.model_validate({"name": "I", "api_key": key, "delivery_mode": "webhook"})
    assert [e["loc"] for e in caught.value.errors()] == [("webhook_url",)]
    model.model_validate({"name": "I", "api_key": key, "delivery_mode": "batch_upload"})
    assert sample_nodes.CALL_INSIGHTS_REGISTRATION.sensitive_fields == ("api_key",)
    assert key not in repr(model(name="I", api_key=key, delivery_mode="batch_upload"))

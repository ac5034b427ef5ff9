"""The Tuner node model, its spec, its registration and its secret."""

from __future__ import annotations

import subprocess
import sys

import pytest
from jackfield_tuner import DEFAULT_BASE_URL, TunerNode
from pydantic import ValidationError
from tuner_support import API_KEY, tuner_data, tuner_workflow

from jackfield import (
    DisplayOptions,
    PropertyType,
    RendererOptions,
    build_spec,
    evaluate_display_options,
    lint_node_spec,
)
from jackfield.host import (
    PluginStatus,
    WorkflowDefinition,
    mask_definition,
    merge_definition,
    validate_workflow,
)

RATE_FIELDS = (
    "llm_input_usd_per_1m_tokens",
    "llm_cached_input_usd_per_1m_tokens",
    "llm_output_usd_per_1m_tokens",
    "tts_usd_per_1k_chars",
    "stt_usd_per_minute",
    "telephony_usd_per_minute",
)


def test_enabled_node_with_connection_settings_is_valid():
    node = TunerNode.model_validate(tuner_data("https://tuner.test"))
    assert node.enabled is True
    assert node.workspace_id == 42
    assert node.calculate_cost is False
    assert node.llm_input_usd_per_1m_tokens == 0.0


def test_base_url_defaults_to_tuner():
    data = tuner_data("x")
    del data["base_url"]
    assert TunerNode.model_validate(data).base_url == DEFAULT_BASE_URL == "https://api.usetuner.ai"


@pytest.mark.parametrize("missing", ["agent_id", "workspace_id", "api_key"])
def test_enabled_node_requires_each_connection_setting(missing):
    data = tuner_data("https://tuner.test")
    del data[missing]
    with pytest.raises(ValidationError) as caught:
        TunerNode.model_validate(data)
    message = str(caught.value)
    assert missing in message
    assert API_KEY not in message


@pytest.mark.parametrize("blank", ["agent_id", "api_key"])
def test_blank_strings_count_as_missing(blank):
    data = tuner_data("https://tuner.test", **{blank: "   "})
    with pytest.raises(ValidationError, match=blank):
        TunerNode.model_validate(data)


def test_disabled_node_needs_no_connection_settings():
    node = TunerNode.model_validate({"name": "Tuner", "enabled": False})
    assert node.enabled is False
    assert node.api_key is None


@pytest.mark.parametrize("workspace_id", [0, -3, True, "42", 4.5])
def test_workspace_id_must_be_a_positive_integer(workspace_id):
    with pytest.raises(ValidationError, match="workspace_id"):
        TunerNode.model_validate(tuner_data("https://tuner.test", workspace_id=workspace_id))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("llm_input_usd_per_1m_tokens", 1000.5),
        ("llm_output_usd_per_1m_tokens", -0.01),
        ("tts_usd_per_1k_chars", 100.01),
        ("stt_usd_per_minute", float("nan")),
        ("telephony_usd_per_minute", float("inf")),
    ],
)
def test_rates_must_be_within_bounds(field, value):
    with pytest.raises(ValidationError, match=field):
        TunerNode.model_validate(tuner_data("https://tuner.test", **{field: value}))


def test_rates_at_their_bounds_are_valid():
    node = TunerNode.model_validate(
        tuner_data(
            "https://tuner.test",
            calculate_cost=True,
            llm_input_usd_per_1m_tokens=1000,
            tts_usd_per_1k_chars=100,
            stt_usd_per_minute=0.0043,
        )
    )
    assert node.llm_input_usd_per_1m_tokens == 1000.0
    assert node.stt_usd_per_minute == 0.0043


@pytest.mark.parametrize("base_url", ["ftp://tuner.test", "tuner.test", "http://", "http://a b"])
def test_base_url_must_be_http(base_url):
    with pytest.raises(ValidationError, match="base_url"):
        TunerNode.model_validate(tuner_data(base_url))


def test_unknown_fields_are_rejected():
    with pytest.raises(ValidationError, match="agentid"):
        TunerNode.model_validate(tuner_data("https://tuner.test", agentid="typo"))


def test_repr_hides_the_api_key():
    node = TunerNode.model_validate(tuner_data("https://tuner.test"))
    assert API_KEY not in repr(node)
    assert API_KEY not in str(node)
    assert "api_key='**********'" in repr(node)


def test_spec_is_lint_clean_and_examples_validate():
    spec = build_spec(TunerNode)
    assert lint_node_spec(spec, TunerNode) == []
    assert len(spec.examples) == 3
    for example in spec.examples:
        TunerNode.model_validate(example.data)


def test_spec_properties_and_types():
    spec = build_spec(TunerNode)
    names = [prop.name for prop in spec.properties]
    assert names[:6] == ["name", "enabled", "agent_id", "workspace_id", "api_key", "base_url"]
    assert names[6:] == ["calculate_cost", *RATE_FIELDS]
    api_key = spec.property("api_key")
    assert api_key is not None
    assert api_key.editor == "password"
    # Requiredness depends on "enabled": not required, but required while enabled.
    assert not api_key.required
    assert api_key.model_dump(mode="json")["required_when"] == {"enabled": [True]}
    workspace = spec.property("workspace_id")
    assert workspace is not None
    assert workspace.type is PropertyType.NUMBER
    assert workspace.min_value == 1
    base_url = spec.property("base_url")
    assert base_url is not None
    assert base_url.type is PropertyType.URL
    assert base_url.default == DEFAULT_BASE_URL


def test_spec_graph_constraints_forbid_edges_and_a_second_node():
    constraints = build_spec(TunerNode).graph_constraints
    assert constraints is not None
    assert constraints.model_dump() == {
        "min_incoming": 0,
        "max_incoming": 0,
        "min_outgoing": 0,
        "max_outgoing": 0,
        "min_instances": None,
        "max_instances": 1,
    }


@pytest.mark.parametrize("field", RATE_FIELDS)
def test_rates_are_shown_only_with_cost_calculation(field):
    prop = build_spec(TunerNode).property(field)
    assert prop is not None
    assert prop.type is PropertyType.NUMBER
    assert prop.display_options == DisplayOptions(show={"calculate_cost": [True]})
    assert prop.renderer_options == RendererOptions(column_span=4, fractional=True)
    assert prop.min_value == 0
    assert prop.max_value == (1000 if field.startswith("llm_") else 100)
    assert evaluate_display_options(prop.display_options, {"calculate_cost": True})
    assert not evaluate_display_options(prop.display_options, {"calculate_cost": False})


def test_plugin_loads_and_registers_the_node(host):
    info = host.plugin("tuner")
    assert info is not None
    assert info.status is PluginStatus.LOADED
    registration = host.registration("tuner")
    assert registration.data_model is TunerNode
    assert registration.sensitive_fields == ("api_key",)
    assert registration.node_spec == build_spec(TunerNode)


def test_workflow_with_one_tuner_node_validates(host):
    definition = WorkflowDefinition.from_dict(tuner_workflow(tuner_data("https://tuner.test")))
    assert validate_workflow(definition, host, mode="run") == []


def test_second_tuner_node_is_a_problem(host):
    document = tuner_workflow(tuner_data("https://tuner.test"))
    second = {"id": "t2", "type": "tuner", "data": {"name": "T2", "enabled": False}}
    document["nodes"].append(second)
    problems = validate_workflow(WorkflowDefinition.from_dict(document), host)
    assert [(p.code, p.severity) for p in problems] == [("max_instances", "error")]


def test_edge_into_a_tuner_node_is_a_problem(host):
    document = tuner_workflow(tuner_data("https://tuner.test"))
    document["edges"] = [
        {
            "id": "e1",
            "source": "greet",
            "target": "t1",
            "data": {"label": "Done", "condition": "Always."},
        }
    ]
    problems = validate_workflow(WorkflowDefinition.from_dict(document), host)
    assert [(p.code, p.id) for p in problems] == [("max_incoming", "t1")]


def test_invalid_node_data_is_reported_without_the_key(host):
    data = tuner_data("https://tuner.test")
    del data["agent_id"]
    problems = validate_workflow(WorkflowDefinition.from_dict(tuner_workflow(data)), host)
    assert len(problems) == 1
    assert "agent_id" in problems[0].message
    assert API_KEY not in str(problems[0].to_dict())


def test_masking_hides_the_api_key_and_the_round_trip_keeps_it(host):
    stored = WorkflowDefinition.from_dict(tuner_workflow(tuner_data("https://tuner.test")))
    masked = mask_definition(stored, host)
    masked_key = masked.node("t1").data["api_key"]
    assert masked_key == "****7f3a"
    assert API_KEY not in masked.to_json()

    edited = masked.to_dict()
    edited["nodes"][1]["data"]["agent_id"] = "new-agent"
    result = merge_definition(WorkflowDefinition.from_dict(edited), stored, host)
    assert result.ok
    merged = result.definition.node("t1").data
    assert merged["api_key"] == API_KEY
    assert merged["agent_id"] == "new-agent"


def test_a_new_key_replaces_the_stored_one_and_a_pasted_mask_is_rejected(host):
    stored = WorkflowDefinition.from_dict(tuner_workflow(tuner_data("https://tuner.test")))
    replaced = tuner_workflow(tuner_data("https://tuner.test", api_key="tr_api_new_key_1234"))
    result = merge_definition(WorkflowDefinition.from_dict(replaced), stored, host)
    assert result.ok
    assert result.definition.node("t1").data["api_key"] == "tr_api_new_key_1234"

    pasted = tuner_workflow(tuner_data("https://tuner.test", api_key="****7f3a"), node_id="t9")
    result = merge_definition(WorkflowDefinition.from_dict(pasted), stored, host)
    assert not result.ok
    assert "api_key" not in result.definition.node("t9").data


def test_importing_the_plugin_is_light():
    code = (
        "import os, sys\n"
        "before = dict(os.environ)\n"
        "import jackfield_tuner.plugin\n"
        "import jackfield_tuner\n"
        "assert 'httpx' not in sys.modules, 'httpx imported'\n"
        "assert dict(os.environ) == before\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

"""The QA node model, its spec, its registration and the masking of its API key."""

from __future__ import annotations

import json
import subprocess
import sys

import jackfield_qa.plugin
import pytest
from jackfield_qa import DEFAULT_BASE_URL, DEFAULT_MODEL, DEFAULT_PROMPT, QANode
from pydantic import ValidationError
from qa_support import API_KEY, qa_workflow

from jackfield import (
    CompletionPhase,
    NodeCategory,
    PropertyType,
    build_spec,
    lint_node_spec,
)
from jackfield.host import (
    PluginHost,
    PluginSettings,
    PluginStatus,
    WorkflowDefinition,
    mask_definition,
    merge_definition,
    read_completion_settings,
    validate_workflow,
)


def _host():
    host = PluginHost(autoload=False, strict=True, settings=PluginSettings(autoload=False))
    host.register(jackfield_qa.plugin, name="qa")
    return host


def test_defaults_fill_everything_but_the_key():
    node = QANode.model_validate({"name": "QA", "api_key": API_KEY})

    assert node.enabled is True
    assert node.base_url == DEFAULT_BASE_URL
    assert node.model == DEFAULT_MODEL
    assert node.prompt == DEFAULT_PROMPT
    assert node.min_duration_s == 10.0
    assert node.analyse_voicemail is False
    assert node.sample_rate == 100


def test_api_key_is_required_only_while_enabled():
    for data in ({"name": "QA"}, {"name": "QA", "api_key": "   "}):
        with pytest.raises(ValidationError) as info:
            QANode.model_validate(data)
        (error,) = info.value.errors(include_url=False, include_input=False, include_context=False)
        assert error["loc"] == ("api_key",)
        assert error["type"] == "missing"
        assert error["msg"] == "Field required when enabled is true"

    assert QANode.model_validate({"name": "QA", "enabled": False}).api_key is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sample_rate", 0),
        ("sample_rate", 101),
        ("sample_rate", True),
        ("sample_rate", "50"),
        ("min_duration_s", -1),
        ("min_duration_s", float("inf")),
        ("base_url", "api.openai.com/v1"),
        ("base_url", "https://api.openai.com/v1?key=1"),
        ("model", ""),
        ("model", "   "),
        ("prompt", " \n "),
        ("analyse_voicemail", "sometimes"),
        ("temperature", 0.2),
    ],
)
def test_bad_values_are_rejected_naming_the_field_not_the_value(field, value):
    with pytest.raises(ValidationError) as caught:
        QANode.model_validate({"name": "QA", "api_key": API_KEY, field: value})

    (error,) = caught.value.errors()
    assert error["loc"] == (field,)
    assert "input_value" not in str(caught.value)


def test_repr_hides_the_api_key():
    node = QANode.model_validate({"name": "QA", "api_key": API_KEY})

    assert API_KEY not in repr(node)
    assert API_KEY not in str(node)


def test_spec_is_an_edgeless_single_integration_node():
    spec = build_spec(QANode)

    assert spec.name == "qa"
    assert spec.category is NodeCategory.INTEGRATION
    constraints = spec.graph_constraints
    assert constraints is not None
    assert (constraints.min_incoming, constraints.max_incoming) == (0, 0)
    assert (constraints.min_outgoing, constraints.max_outgoing) == (0, 0)
    assert constraints.max_instances == 1
    properties = {p.name: p for p in spec.properties}
    assert list(properties) == [
        "name",
        "enabled",
        "api_key",
        "model",
        "base_url",
        "prompt",
        "min_duration_s",
        "analyse_voicemail",
        "sample_rate",
    ]
    assert properties["api_key"].editor == "password"
    assert properties["api_key"].required is False  # required when enabled: the model says so
    assert properties["base_url"].type is PropertyType.URL
    assert (properties["sample_rate"].min_value, properties["sample_rate"].max_value) == (1, 100)
    assert properties["prompt"].default == DEFAULT_PROMPT


def test_spec_lints_clean_and_every_example_validates():
    spec = build_spec(QANode)

    assert lint_node_spec(spec, QANode) == []
    assert len(spec.examples) == 3
    for example in spec.examples:
        QANode.model_validate(example.data)


def test_plugin_registers_the_node_with_its_secret_and_runs_first():
    host = _host()

    info = host.plugin("qa")
    assert info is not None
    assert info.status is PluginStatus.LOADED
    assert host.sensitive_fields("qa") == ("api_key",)
    assert host.data_model("qa") is QANode
    settings = read_completion_settings(jackfield_qa.plugin)
    assert settings.phase is CompletionPhase.ANALYSIS


def test_workflow_with_two_qa_nodes_is_refused():
    host = _host()
    workflow = qa_workflow({"name": "QA", "api_key": API_KEY})
    workflow["nodes"].append({"id": "q2", "type": "qa", "data": {"name": "QA 2", "enabled": False}})

    problems = validate_workflow(WorkflowDefinition.from_dict(workflow), host)

    assert any(p.code == "max_instances" for p in problems)


def test_api_key_is_masked_and_survives_the_masked_round_trip():
    host = _host()
    stored = WorkflowDefinition.from_dict(qa_workflow({"name": "QA", "api_key": API_KEY}))

    masked = mask_definition(stored, host)
    text = masked.to_json()
    merged = merge_definition(masked, stored, host)

    assert API_KEY not in text
    assert API_KEY[-4:] in text
    assert merged.ok
    assert merged.definition.node("q1").data["api_key"] == API_KEY


def test_a_new_key_replaces_the_stored_one_and_an_unknown_mask_is_refused():
    host = _host()
    stored = WorkflowDefinition.from_dict(qa_workflow({"name": "QA", "api_key": API_KEY}))
    masked = mask_definition(stored, host).to_dict()

    replaced = json.loads(json.dumps(masked))
    replaced["nodes"][3]["data"]["api_key"] = "sk-brand-new-key-0001"
    merged = merge_definition(WorkflowDefinition.from_dict(replaced), stored, host)
    assert merged.ok
    assert merged.definition.node("q1").data["api_key"] == "sk-brand-new-key-0001"

    other = WorkflowDefinition.from_dict(qa_workflow({"name": "QA", "api_key": "sk-other-9999"}))
    refused = merge_definition(WorkflowDefinition.from_dict(masked), other, host)
    assert not refused.ok


def test_importing_the_plugin_module_stays_light():
    probe = (
        "import sys\n"
        "import jackfield\n"
        "before = set(sys.modules)\n"
        "import jackfield_qa.plugin\n"
        "heavy = [m for m in ('httpx', 'httpcore', 'openai', 'requests') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print(sorted(m for m in set(sys.modules) - before if not m.startswith('jackfield_qa')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

"""The Webhook node model, its derived spec, and its secrets in workflow definitions."""

from __future__ import annotations

import json

import pytest
from jackfield_webhook import (
    DEFAULT_PAYLOAD_TEMPLATE,
    MAX_TEMPLATE_CHARS,
    HttpMethod,
    WebhookNode,
)
from pydantic import ValidationError

from jackfield import PropertyType, build_spec, lint_node_spec
from jackfield.host import (
    MASK_PREFIX,
    PluginStatus,
    WorkflowDefinition,
    mask_definition,
    merge_definition,
    validate_workflow,
)

URL = "https://hooks.example.com/calls/T0ken-In-Path"


def test_enabled_node_needs_only_a_name_and_an_endpoint():
    node = WebhookNode.model_validate({"name": "Hook", "endpoint_url": URL})

    assert node.enabled is True
    assert node.method is HttpMethod.POST
    assert node.payload_template == DEFAULT_PAYLOAD_TEMPLATE
    assert node.headers == []
    assert node.credential_ref is None
    assert node.timeout_s == 10.0


def test_default_template_is_a_copy_per_node():
    first = WebhookNode.model_validate({"name": "A", "endpoint_url": URL})
    first.payload_template["event"] = "changed"

    second = WebhookNode.model_validate({"name": "B", "endpoint_url": URL})

    assert second.payload_template["event"] == "call.completed"
    assert DEFAULT_PAYLOAD_TEMPLATE["event"] == "call.completed"


def test_enabled_node_without_endpoint_is_rejected_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        WebhookNode.model_validate({"name": "Hook"})

    assert "endpoint_url" in str(caught.value)


def test_disabled_node_needs_no_endpoint():
    node = WebhookNode.model_validate({"name": "Hook", "enabled": False})

    assert node.enabled is False
    assert node.endpoint_url is None


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "hooks.example.com/x", "https://", "https://exa mple.com/"],
)
def test_endpoint_must_be_an_absolute_http_url(url):
    with pytest.raises(ValidationError) as caught:
        WebhookNode.model_validate({"name": "Hook", "endpoint_url": url})

    assert "endpoint_url" in str(caught.value)
    assert "input_value" not in str(caught.value)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_method_can_be_put_or_patch(method):
    node = WebhookNode.model_validate({"name": "Hook", "endpoint_url": URL, "method": method})

    assert node.method.value == method


def test_get_is_not_a_method_since_a_payload_is_always_sent():
    with pytest.raises(ValidationError):
        WebhookNode.model_validate({"name": "Hook", "endpoint_url": URL, "method": "GET"})


def test_template_given_as_json_text_is_stored_as_an_object():
    node = WebhookNode.model_validate(
        {"name": "Hook", "endpoint_url": URL, "payload_template": '{"id": "{{ run.id }}"}'}
    )

    assert node.payload_template == {"id": "{{ run.id }}"}


@pytest.mark.parametrize(
    "template",
    ['{"id": ', "[1, 2]", ["{{ run.id }}"], "just text", 42],
)
def test_template_must_be_a_json_object(template):
    with pytest.raises(ValidationError) as caught:
        WebhookNode.model_validate(
            {"name": "Hook", "endpoint_url": URL, "payload_template": template}
        )

    assert "payload_template" in str(caught.value)


def test_template_must_hold_only_json_values():
    with pytest.raises(ValidationError) as caught:
        WebhookNode.model_validate(
            {"name": "Hook", "endpoint_url": URL, "payload_template": {"x": float("nan")}}
        )

    assert "JSON values" in str(caught.value)


def test_template_size_is_limited():
    huge = {"text": "x" * MAX_TEMPLATE_CHARS}

    with pytest.raises(ValidationError) as caught:
        WebhookNode.model_validate({"name": "Hook", "endpoint_url": URL, "payload_template": huge})

    assert "longer than" in str(caught.value)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ({"name": "X Source", "value": "a"}, "name"),
        ({"name": "", "value": "a"}, "name"),
        ({"name": "X-Source", "value": "a\r\nX-Injected: 1"}, "value"),
        ({"name": "X-Source", "value": "a", "extra": 1}, "extra"),
    ],
)
def test_custom_headers_are_checked(header, field):
    with pytest.raises(ValidationError) as caught:
        WebhookNode.model_validate({"name": "Hook", "endpoint_url": URL, "headers": [header]})

    assert f"headers.0.{field}" in str(caught.value)


@pytest.mark.parametrize("timeout_s", [0, -1, 31])
def test_timeout_is_bounded(timeout_s):
    with pytest.raises(ValidationError):
        WebhookNode.model_validate({"name": "Hook", "endpoint_url": URL, "timeout_s": timeout_s})


def test_unknown_fields_are_rejected():
    with pytest.raises(ValidationError):
        WebhookNode.model_validate({"name": "Hook", "endpoint_url": URL, "url": URL})


def test_repr_hides_the_endpoint_url():
    node = WebhookNode.model_validate({"name": "Hook", "endpoint_url": URL})

    assert "T0ken" not in repr(node)
    assert "T0ken" not in str(node)


def test_spec_is_clean_and_every_example_validates():
    spec = build_spec(WebhookNode)

    assert lint_node_spec(spec, WebhookNode) == []
    assert len(spec.examples) == 3
    for example in spec.examples:
        WebhookNode.model_validate(example.data)


def test_spec_properties_and_graph_constraints():
    spec = build_spec(WebhookNode)
    properties = {p.name: p for p in spec.properties}

    assert spec.name == "webhook"
    assert spec.category.value == "integration"
    assert [p.name for p in spec.properties] == [
        "name",
        "enabled",
        "endpoint_url",
        "method",
        "payload_template",
        "headers",
        "credential_ref",
        "timeout_s",
    ]
    assert properties["endpoint_url"].type is PropertyType.URL
    assert properties["payload_template"].type is PropertyType.JSON
    assert properties["payload_template"].default == DEFAULT_PAYLOAD_TEMPLATE
    assert properties["headers"].type is PropertyType.FIXED_COLLECTION
    assert [p.name for p in properties["headers"].properties or []] == ["name", "value"]
    assert properties["credential_ref"].type is PropertyType.CREDENTIAL_REF
    assert [o.value for o in properties["method"].options or []] == ["POST", "PUT", "PATCH"]
    assert properties["method"].default == "POST"
    constraints = spec.graph_constraints
    assert constraints is not None
    assert (
        constraints.min_incoming,
        constraints.max_incoming,
        constraints.min_outgoing,
        constraints.max_outgoing,
    ) == (0, 0, 0, 0)
    assert constraints.max_instances is None
    json.dumps(spec.model_dump(mode="json"))


def test_host_loads_the_plugin_with_its_node_type(host):
    info = host.plugin("webhook")

    assert info is not None
    assert info.status is PluginStatus.LOADED
    assert host.node_spec("webhook").name == "webhook"
    registration = host.find_registration("webhook")
    assert registration is not None
    assert registration.sensitive_fields == ("endpoint_url",)


def _definition(**data):
    return WorkflowDefinition.from_dict(
        {
            "nodes": [
                {
                    "id": "start",
                    "type": "start",
                    "data": {"name": "Start", "prompt": "Greet the caller.", "is_start": True},
                },
                {"id": "w1", "type": "webhook", "data": {"name": "Hook", **data}},
            ],
            "edges": [],
        }
    )


def _data(definition, node_id="w1"):
    return next(n.data for n in definition.nodes if n.id == node_id)


def test_masking_hides_the_endpoint_url_but_not_the_rest(host):
    stored = _definition(
        endpoint_url=URL, credential_ref="cred_1", headers=[{"name": "X-Source", "value": "a"}]
    )

    masked = _data(mask_definition(stored, host))

    assert masked["endpoint_url"] == f"{MASK_PREFIX}Path"
    assert masked["credential_ref"] == "cred_1"
    assert masked["headers"] == [{"name": "X-Source", "value": "a"}]
    assert URL not in json.dumps(mask_definition(stored, host).to_dict())


def test_masked_round_trip_keeps_the_stored_endpoint(host):
    stored = _definition(endpoint_url=URL, method="PUT")
    edited = mask_definition(stored, host).to_dict()
    _data_dict = next(n for n in edited["nodes"] if n["id"] == "w1")["data"]
    _data_dict["method"] = "PATCH"

    result = merge_definition(WorkflowDefinition.from_dict(edited), stored, host)

    assert result.problems == []
    merged = _data(result.definition)
    assert merged["endpoint_url"] == URL
    assert merged["method"] == "PATCH"
    assert validate_workflow(result.definition, host, mode="run") == []


def test_a_mask_that_matches_no_stored_endpoint_is_rejected(host):
    stored = _definition(endpoint_url=URL)
    edited = mask_definition(stored, host).to_dict()
    next(n for n in edited["nodes"] if n["id"] == "w1")["data"]["endpoint_url"] = "****abcd"

    result = merge_definition(WorkflowDefinition.from_dict(edited), stored, host)

    assert [(p.code, p.field) for p in result.problems] == [
        ("unmatched_masked_value", "endpoint_url")
    ]
    assert "endpoint_url" not in _data(result.definition)

"""BaseNodeData: the fields every node has, and how it validates."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jackfield import BaseNodeData, build_spec, node_spec, spec_field


def _node_model():
    @node_spec(name="probe", description="A node used to check the base class behaviour.")
    class ProbeNode(BaseNodeData):
        api_key: str = spec_field(description="Secret key of the probed service.")

    return ProbeNode


def test_name_is_required():
    with pytest.raises(ValidationError) as info:
        BaseNodeData.model_validate({})
    assert [e["loc"] for e in info.value.errors()] == [("name",)]


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_name_must_not_be_empty_or_blank(name):
    with pytest.raises(ValidationError) as info:
        BaseNodeData(name=name)
    assert info.value.errors()[0]["loc"] == ("name",)


def test_start_and_end_flags_default_to_false_and_are_persisted():
    node = BaseNodeData(name="Greeting")
    assert node.is_start is False
    assert node.is_end is False
    dumped = BaseNodeData(name="Greeting", is_start=True).model_dump()
    assert dumped == {"name": "Greeting", "is_start": True, "is_end": False}
    assert BaseNodeData.model_validate(dumped).is_start is True


def test_unknown_keys_are_rejected_and_named():
    with pytest.raises(ValidationError) as info:
        _node_model().model_validate({"name": "n", "api_key": "k", "apikey": "typo"})
    errors = info.value.errors()
    assert [(e["type"], e["loc"]) for e in errors] == [("extra_forbidden", ("apikey",))]


def test_validation_errors_do_not_show_input_values():
    secret = "sk_live_do_not_log_me"
    with pytest.raises(ValidationError) as info:
        _node_model().model_validate({"name": "n", "api_key": "k", "apikey": secret})
    assert secret not in str(info.value)
    with pytest.raises(ValidationError) as info:
        _node_model().model_validate({"name": "n", "api_key": [secret]})
    assert secret not in str(info.value)


def test_name_is_in_the_spec_and_flags_are_not():
    spec = build_spec(_node_model())
    assert [p.name for p in spec.properties] == ["name", "api_key"]
    name = spec.property("name")
    assert name is not None
    assert name.type == "string"
    assert name.required is True
    assert name.min_length == 1
    assert name.description


def test_subclass_fields_follow_the_base_fields():
    model = _node_model()
    assert list(model.model_fields) == ["name", "is_start", "is_end", "api_key"]
    node = model(name="Probe", api_key="k", is_end=True)
    assert node.model_dump() == {"name": "Probe", "is_start": False, "is_end": True, "api_key": "k"}

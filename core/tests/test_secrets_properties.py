"""Property-based tests of masking and the masked round trip.

Definitions are generated over every registered node type that has sensitive
fields (plus types without any). Secrets use an alphabet that nothing else in
a generated definition uses, so "no substring of a secret shows" can be
checked against the whole masked JSON text.
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workflow_nodes import make_registry

from jackfield._workflows._type_index import declared_sensitive_fields
from jackfield.host import WorkflowDefinition, looks_masked, mask_definition, merge_definition

#: Never used by ids, names, types or keys below; no "*" (the mask character).
SECRET_ALPHABET = string.ascii_uppercase + string.digits + "#$%&+/=._-ÉÑ"
ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz"

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _secret_types() -> dict[str, tuple[str, ...]]:
    registry = make_registry()
    found = {}
    for type_name, registration in registry.registrations.items():
        fields = declared_sensitive_fields(registration)
        if fields:
            found[type_name] = fields
    return found


def _plain_types() -> list[str]:
    secret = _secret_types()
    return [name for name in make_registry().registrations if name not in secret]


secrets = st.text(alphabet=SECRET_ALPHABET, min_size=1, max_size=40)


@st.composite
def secret_value(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["text", "list", "none", "empty", "absent"]))
    if kind == "text":
        return draw(secrets)
    if kind == "list":
        return draw(st.lists(secrets, max_size=5))
    return {"none": None, "empty": "", "absent": ...}[kind]


@st.composite
def definitions(draw: st.DrawFn) -> WorkflowDefinition:
    """A definition with at least one node of every type that has secrets."""
    secret_types = _secret_types()
    extra = draw(st.lists(st.sampled_from(sorted(secret_types) + _plain_types()), max_size=8))
    types = sorted(secret_types) + extra
    ids = draw(
        st.lists(
            st.text(alphabet=ID_ALPHABET, min_size=1, max_size=6),
            min_size=len(types),
            max_size=len(types),
            unique=True,
        )
    )
    nodes = []
    for node_id, type_name in zip(ids, draw(st.permutations(types)), strict=True):
        data: dict[str, Any] = {"name": "node"}
        for field in secret_types.get(type_name, ()):
            value = draw(secret_value())
            if value is not ...:
                data[field] = value
        nodes.append({"id": node_id, "type": type_name, "data": data})
    return WorkflowDefinition.from_dict({"nodes": nodes, "edges": []})


def _secrets_of(definition: WorkflowDefinition) -> dict[tuple[str, str], list[str]]:
    """Every non-empty secret string, by (node id, field)."""
    found: dict[tuple[str, str], list[str]] = {}
    fields = _secret_types()
    for node in definition.nodes:
        for field in fields.get(node.type, ()):
            value = node.data.get(field)
            items = value if isinstance(value, list) else [value]
            found[(node.id, field)] = [item for item in items if isinstance(item, str) and item]
    return found


def test_the_generator_covers_every_registered_type_with_secrets():
    assert set(_secret_types()) == {"tuner", "webhook"}


@SETTINGS
@given(definitions())
def test_mask_then_merge_restores_every_secret_exactly(definition):
    registry = make_registry()

    result = merge_definition(mask_definition(definition, registry), definition, registry)

    assert result.problems == []
    assert [n.data for n in result.definition.nodes] == [n.data for n in definition.nodes]
    assert [n.id for n in result.definition.nodes] == [n.id for n in definition.nodes]


@SETTINGS
@given(definitions())
def test_masked_output_shows_no_substring_of_a_secret_longer_than_four(definition):
    text = mask_definition(definition, make_registry()).to_json()

    for values in _secrets_of(definition).values():
        for secret in values:
            for start in range(len(secret) - 4):
                assert secret[start : start + 5] not in text


@st.composite
def tampered(draw: st.DrawFn) -> tuple[WorkflowDefinition, WorkflowDefinition]:
    """A stored definition, and a client's version with masks moved between nodes and fields."""
    stored = draw(definitions())
    document = mask_definition(stored, make_registry()).to_dict()
    fields = _secret_types()
    pool = [
        item
        for node in document["nodes"]
        for field in fields.get(node["type"], ())
        for item in (
            node["data"].get(field)
            if isinstance(node["data"].get(field), list)
            else [node["data"].get(field)]
        )
        if looks_masked(item)
    ]
    for node in document["nodes"]:
        if draw(st.booleans()):
            node["id"] = draw(st.sampled_from([n["id"] for n in document["nodes"]] + ["zz"]))
        for field in fields.get(node["type"], ()):
            if pool and draw(st.booleans()):
                node["data"][field] = draw(st.sampled_from(pool))
            elif pool and draw(st.booleans()):
                node["data"][field] = draw(st.lists(st.sampled_from(pool), max_size=4))
    return stored, WorkflowDefinition.from_dict(document)


@SETTINGS
@given(tampered())
def test_merge_never_gives_a_node_another_node_or_fields_secret(pair):
    stored, incoming = pair
    stored_secrets = _secrets_of(stored)
    every_secret = {secret for values in stored_secrets.values() for secret in values}

    result = merge_definition(incoming, stored, make_registry())

    for (node_id, field), values in _secrets_of(result.definition).items():
        for value in values:
            assert not looks_masked(value), "a mask is never stored"
            if value in every_secret:
                assert value in stored_secrets.get((node_id, field), []), (node_id, field)

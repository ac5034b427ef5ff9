"""Encryption of sensitive field values in definitions."""

from __future__ import annotations

import copy
import json

import pytest

from jackfield_server import SecretBox, SecretDecryptionError
from jackfield_server._sealing import SEALED_KEY, seal_definition, unseal_definition


def _definition() -> dict[str, object]:
    return {
        "nodes": [
            {"id": "start", "type": "start", "data": {"prompt": "Hello"}},
            {
                "id": "export",
                "type": "langfuse",
                "position": {"x": 1, "y": 2},
                "data": {
                    "public_key": "pk-visible",
                    "secret_key": "sk-live-abcdef123456",
                    "headers": ["Bearer tok-one-9876", "Bearer tok-two-5432"],
                    "unset_secret": None,
                },
            },
        ],
        "edges": [],
        "viewport": {"zoom": 1},
    }


SENSITIVE = {"export": ["secret_key", "headers", "unset_secret"], "gone": ["x"]}


def test_sealed_definition_holds_no_secret_and_unseals_exactly(box: SecretBox):
    original = _definition()
    before = copy.deepcopy(original)
    sealed = seal_definition(original, SENSITIVE, box)
    assert original == before
    text = json.dumps(sealed)
    for secret in ("sk-live-abcdef123456", "tok-one-9876", "tok-two-5432"):
        assert secret not in text
    export = sealed["nodes"][1]["data"]
    assert set(export["secret_key"]) == {SEALED_KEY}
    assert export["public_key"] == "pk-visible"
    assert export["unset_secret"] is None
    assert sealed["viewport"] == {"zoom": 1}
    assert unseal_definition(sealed, SENSITIVE, box) == before


def test_the_same_secret_seals_differently_each_time(box: SecretBox):
    first = seal_definition(_definition(), SENSITIVE, box)
    second = seal_definition(_definition(), SENSITIVE, box)
    assert first["nodes"][1]["data"]["secret_key"] != second["nodes"][1]["data"]["secret_key"]


def test_a_rotated_key_still_opens_old_secrets(box: SecretBox):
    old_key, new_key = SecretBox.generate_key(), SecretBox.generate_key()
    sealed = seal_definition(_definition(), SENSITIVE, SecretBox([old_key]))
    rotated = SecretBox([new_key, old_key])
    assert unseal_definition(sealed, SENSITIVE, rotated) == _definition()


def test_a_wrong_key_names_node_and_field_but_no_value(box: SecretBox):
    sealed = seal_definition(_definition(), SENSITIVE, box)
    with pytest.raises(SecretDecryptionError) as caught:
        unseal_definition(sealed, SENSITIVE, SecretBox([SecretBox.generate_key()]))
    message = str(caught.value)
    assert "'export'" in message
    assert "'secret_key'" in message
    assert SEALED_KEY not in message


def test_definitions_without_nodes_pass_through(box: SecretBox):
    assert seal_definition({"name": "x"}, SENSITIVE, box) == {"name": "x"}
    odd = {"nodes": ["not-a-node", {"id": "export"}]}
    assert seal_definition(odd, SENSITIVE, box) == odd


def test_box_repr_shows_no_key():
    key = SecretBox.generate_key()
    assert key not in repr(SecretBox([key]))

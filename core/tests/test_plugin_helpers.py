"""Helpers for plugin code: finding enabled nodes, reading Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jackfield import enabled_nodes, retry_after_s
from jackfield.host import WorkflowDefinition

DEFINITION = {
    "nodes": [
        {"id": "s", "type": "start", "data": {"name": "S", "prompt": "Hi."}},
        {"id": "t1", "type": "tuner", "data": {"name": "T1"}},
        {"id": "t2", "type": "tuner", "data": {"name": "T2", "enabled": False}},
        {"id": "q", "type": "qa", "data": {"name": "Q", "enabled": True}},
    ],
    "edges": [],
}


@pytest.mark.parametrize("form", ["json", "model"])
def test_enabled_nodes_of_given_types(form):
    workflow = DEFINITION if form == "json" else WorkflowDefinition.from_dict(DEFINITION)
    assert [n["id"] for n in enabled_nodes(workflow, "tuner")] == ["t1"]
    assert [n["id"] for n in enabled_nodes(workflow, "tuner", "qa")] == ["t1", "q"]
    assert [n["id"] for n in enabled_nodes(workflow)] == ["s", "t1", "q"]
    assert enabled_nodes(workflow, "paygent") == []
    assert enabled_nodes(None, "tuner") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30.0),
        (" 0 ", 0.0),
        ("Wed, 01 Jan 2025 10:00:45 GMT", 45.0),
        ("Wed, 01 Jan 2025 09:59:00 GMT", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(value, expected):
    now = datetime(2025, 1, 1, 10, 0, tzinfo=UTC)
    assert retry_after_s(value, now=now) == expected

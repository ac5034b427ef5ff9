"""Structured logs: one JSON object per record."""

from __future__ import annotations

import json
import logging
import sys

from jackfield_server._logging import JsonFormatter


def _record(exc_info=None) -> logging.LogRecord:
    return logging.LogRecord(
        "jackfield.server", logging.WARNING, __file__, 1, "job %s: %s", ("j1", "x"), exc_info
    )


def test_a_record_becomes_one_json_line_with_its_extras():
    record = _record()
    record.run_id = "r1"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    document = json.loads(line)
    assert document["level"] == "warning"
    assert document["logger"] == "jackfield.server"
    assert document["message"] == "job j1: x"
    assert document["run_id"] == "r1"
    assert document["time"].endswith("+00:00")


def test_an_exception_adds_its_type_and_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record(exc_info=sys.exc_info())
    document = json.loads(JsonFormatter().format(record))
    assert document["exc_type"] == "ValueError"
    assert "Traceback" in document["traceback"]

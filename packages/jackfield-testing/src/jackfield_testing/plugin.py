"""The pytest plugin of jackfield-testing (registered through the ``pytest11`` entry point).

Fixtures for plugin authors:

- ``jackfield_host``: a factory, ``jackfield_host({"tuner": module})`` → a
  :class:`~jackfield.host.PluginHost` with exactly those plugins (nothing installed
  in the environment is loaded).
- ``jackfield_call``: a fresh :class:`~jackfield_testing.CallBuilder`.
- ``jackfield_completion_context``: a factory of
  :class:`~jackfield.CompletionContext` (public token, snapshot, definition).
- ``jackfield_recording_server``: a :class:`~jackfield_testing.RecordingServer`
  on 127.0.0.1 standing in for the service a plugin talks to.
- ``jackfield_log_guard``: a :class:`~jackfield_testing.SecretLogGuard` on the
  root logger; ``guard.watch(secret)`` makes the test fail at teardown if the
  value appears in any log record.

The contract suite is :class:`~jackfield_testing.PluginContract`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from jackfield import CompletionContext
from jackfield.host import PluginHost, WorkflowDefinition
from jackfield_testing._calls import CallBuilder, make_host
from jackfield_testing._logs import SecretLogGuard
from jackfield_testing._server import RecordingServer

__all__ = [
    "jackfield_call",
    "jackfield_completion_context",
    "jackfield_host",
    "jackfield_log_guard",
    "jackfield_recording_server",
]


@pytest.fixture
def jackfield_host() -> Callable[[Mapping[str, object]], PluginHost]:
    """Build a host with exactly the given plugins (name → module or object)."""
    return make_host


@pytest.fixture
def jackfield_call() -> CallBuilder:
    """A fresh call builder; ``.build()`` gives a ScriptedCall."""
    return CallBuilder()


@pytest.fixture
def jackfield_completion_context() -> Callable[..., CompletionContext]:
    """Build a CompletionContext with test defaults for every field not given."""

    def build(
        *,
        definition: Mapping[str, Any] | WorkflowDefinition | None = None,
        snapshot: Mapping[str, Any] | None = None,
        public_token: str | None = "tok-test",
        **fields: Any,
    ) -> CompletionContext:
        if isinstance(definition, Mapping):
            definition = WorkflowDefinition.from_dict(dict(definition))
        fields.setdefault("workflow_run_id", "run-1")
        fields.setdefault("public_base_url", "https://host.test/api/v1/public/runs")
        return CompletionContext(
            workflow_definition=definition,
            runtime_snapshot=snapshot,
            public_token=public_token,
            **fields,
        )

    return build


@pytest.fixture
def jackfield_recording_server() -> Iterator[RecordingServer]:
    """A recording HTTP server on 127.0.0.1, stopped after the test."""
    with RecordingServer() as server:
        yield server


@pytest.fixture
def jackfield_log_guard() -> Iterator[SecretLogGuard]:
    """Capture every log record; fail at teardown if a watched secret appears."""
    guard = SecretLogGuard()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(guard)
    root.setLevel(logging.DEBUG)
    try:
        yield guard
    finally:
        root.removeHandler(guard)
        root.setLevel(old_level)
    guard.check()

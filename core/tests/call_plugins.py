"""Builders of throwaway plugins for the live-call and completion tests.

Import it as a plain module (``import call_plugins``). Every builder returns a
fresh object, so tests share no state.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jackfield import (
    BaseNodeData,
    CallEvent,
    CallTask,
    build_spec,
    node_spec,
    spec_field,
)
from jackfield._host._plugin_host import PluginHost
from jackfield._host._settings import PluginSettings
from jackfield._specs._registration import NodeRegistration
from jackfield.hookspecs import hookimpl

__all__ = [
    "RecordingSession",
    "make_host",
    "make_plugin",
    "registration",
    "workflow",
]


def registration(type_name: str) -> NodeRegistration:
    """A registration of a small integration node type with an ``enabled`` flag."""

    @node_spec(name=type_name, description=f"Test integration {type_name}.")
    class TestNode(BaseNodeData):
        enabled: bool = spec_field(default=True, description="Whether the node runs.")

    return NodeRegistration(
        type_name=type_name, data_model=TestNode, node_spec=build_spec(TestNode)
    )


def make_plugin(
    node_types: Iterable[str],
    *,
    sessions: Callable[[Any], Any] | None = None,
    completion: Callable[..., Any] | None = None,
    decorate: Callable[[Any], Any] | None = None,
) -> object:
    """A plugin object providing ``node_types`` and, optionally, sessions and completion.

    ``sessions(context)`` becomes its ``jackfield_create_runtime_sessions``;
    ``completion(nodes, context)`` (sync or async) its ``jackfield_run_completion``,
    wrapped by ``decorate`` (for example ``completion_settings(...)``) if given.
    """
    registrations = [registration(name) for name in node_types]
    namespace: dict[str, Any] = {}

    def jackfield_register_nodes(self: object) -> list[NodeRegistration]:
        return registrations

    namespace["jackfield_register_nodes"] = hookimpl(jackfield_register_nodes)

    if sessions is not None:
        create = sessions

        def jackfield_create_runtime_sessions(self: object, context: Any) -> Any:
            return create(context)

        namespace["jackfield_create_runtime_sessions"] = hookimpl(jackfield_create_runtime_sessions)

    if completion is not None:
        handler = completion
        if inspect.iscoroutinefunction(handler):

            async def jackfield_run_completion(self: object, nodes: Any, context: Any) -> Any:
                return await handler(nodes, context)

        else:

            def jackfield_run_completion(self: object, nodes: Any, context: Any) -> Any:  # type: ignore[misc]
                return handler(nodes, context)

        if decorate is not None:
            jackfield_run_completion = decorate(jackfield_run_completion)
        namespace["jackfield_run_completion"] = hookimpl(jackfield_run_completion)

    return type("TestPlugin", (), namespace)()


def make_host(plugins: Mapping[str, object], *, disabled: Iterable[str] = ()) -> PluginHost:
    """A fresh host with only the built-in plugins and ``plugins`` registered by name."""
    settings = PluginSettings(disabled_by_env=frozenset(disabled), autoload=False)
    host = PluginHost(autoload=False, settings=settings)
    for name, plugin in plugins.items():
        host.register(plugin, name=name)
    return host


def workflow(*nodes: tuple[str, str] | tuple[str, str, bool]) -> dict[str, Any]:
    """A workflow definition (JSON form) with a start node and the given nodes.

    Each node is ``(id, type)`` or ``(id, type, enabled)``.
    """
    document: dict[str, Any] = {
        "nodes": [
            {"id": "start", "type": "start", "data": {"name": "Start", "prompt": "Hello"}},
        ],
        "edges": [],
    }
    for spec in nodes:
        node_id, node_type = spec[0], spec[1]
        enabled = spec[2] if len(spec) == 3 else True
        document["nodes"].append(
            {"id": node_id, "type": node_type, "data": {"name": node_id, "enabled": enabled}}
        )
    return document


class RecordingSession:
    """A runtime session that records the events it sees and snapshots their kinds."""

    def __init__(self, name: str = "recorder", *, snapshot: Any = None) -> None:
        self.name = name
        self.events: list[CallEvent] = []
        self.gathered: Mapping[str, Any] | None = None
        self._snapshot = snapshot

    def on_event(self, event: CallEvent) -> None:
        self.events.append(event)

    def attach(self, task: CallTask) -> None:
        task.add_observer(self)

    async def on_call_finished(self, *, gathered_context: Mapping[str, Any]) -> Any:
        self.gathered = gathered_context
        if self._snapshot is not None:
            return self._snapshot
        return {"kinds": [event.kind for event in self.events]}

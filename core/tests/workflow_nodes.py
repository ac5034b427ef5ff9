"""Node types and tiny registries for the workflow, graph and secrets tests.

Import it as a plain module (``import workflow_nodes``): pytest puts this
folder on ``sys.path``. The registries are built fresh by each call to
:func:`make_registry` / :func:`make_directory`; nothing here is mutable state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import field_validator, model_validator

from jackfield import (
    BaseNodeData,
    GraphConstraints,
    NodeCategory,
    PropertyType,
    build_spec,
    node_spec,
    spec_field,
)
from jackfield._specs._registration import NodeRegistration
from jackfield.host import WorkflowDefinition

__all__ = [
    "AgentNode",
    "DictRegistry",
    "Directory",
    "EndNode",
    "PluginEntry",
    "StartNode",
    "TunerNode",
    "WebhookNode",
    "make_directory",
    "make_registry",
    "registration",
    "sample_definition",
]


@node_spec(
    name="start",
    description="Opens the call with a greeting.",
    category=NodeCategory.CALL_NODE,
    graph_constraints=GraphConstraints(max_incoming=0, min_outgoing=1, max_instances=1),
)
class StartNode(BaseNodeData):
    prompt: str = spec_field(default="", description="What the agent says first.")


@node_spec(
    name="agent",
    description="One step of the conversation.",
    category=NodeCategory.CALL_NODE,
    graph_constraints=GraphConstraints(min_incoming=1),
)
class AgentNode(BaseNodeData):
    prompt: str = spec_field(default="", description="Instructions for this step.")


@node_spec(
    name="end",
    description="Closes the call.",
    category=NodeCategory.CALL_NODE,
    graph_constraints=GraphConstraints(min_incoming=1, max_outgoing=0),
)
class EndNode(BaseNodeData):
    prompt: str = spec_field(default="", description="What the agent says last.")


@node_spec(
    name="tuner",
    display_name="Tuner",
    description="Sends call analytics to Tuner after each call.",
    graph_constraints=GraphConstraints(
        min_incoming=0, max_incoming=0, min_outgoing=0, max_outgoing=0, max_instances=1
    ),
)
class TunerNode(BaseNodeData):
    sensitive_fields = ("api_key", "workspace_token")

    agent_id: str = spec_field(description="Tuner agent that receives the calls.", min_length=1)
    api_key: str = spec_field(
        description="Tuner API key.", min_length=12, pattern=r"^tk_[A-Za-z0-9]+$"
    )
    workspace_token: str = spec_field(default="", description="Optional workspace token.")

    @field_validator("workspace_token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        # A careless validator that quotes the value: validation must hide it.
        if value and not value.startswith("ws_"):
            raise ValueError(f"workspace token {value!r} must start with ws_")
        return value

    @model_validator(mode="after")
    def _key_not_agent(self) -> TunerNode:
        # Another careless one, at model level, quoting a secret.
        if self.api_key == f"tk_{self.agent_id}":
            raise ValueError(f"api key {self.api_key} must not be derived from the agent id")
        return self


@node_spec(
    name="webhook",
    display_name="Webhook",
    description="Posts each finished call to an HTTP endpoint.",
    graph_constraints=GraphConstraints(
        min_incoming=0, max_incoming=0, min_outgoing=0, max_outgoing=0
    ),
)
class WebhookNode(BaseNodeData):
    url: str = spec_field(description="Where calls are posted.", min_length=1)
    signing_keys: list[str] = spec_field(
        default_factory=list,
        description="Keys the receiver accepts, newest first.",
        ui_type=PropertyType.JSON,
    )
    password: str | None = spec_field(default=None, description="Basic-auth password.")


def registration(model: type[BaseNodeData], *secrets: str) -> NodeRegistration:
    """Register ``model`` the way a plugin does, with ``secrets`` as sensitive fields."""
    spec = build_spec(model)
    return NodeRegistration(
        type_name=spec.name, data_model=model, node_spec=spec, sensitive_fields=secrets
    )


class DictRegistry:
    """The smallest :class:`~jackfield.host.NodeTypeRegistry`: a dict of registrations."""

    def __init__(self, registrations: Iterable[NodeRegistration]) -> None:
        self.registrations = {r.type_name: r for r in registrations}
        self.lookups: list[str] = []

    def find_registration(self, type_name: str) -> NodeRegistration | None:
        self.lookups.append(type_name)
        return self.registrations.get(type_name)


@dataclass(frozen=True)
class PluginEntry:
    """What a host's ``packages()`` reports about one plugin."""

    name: str
    status: str
    reason: str | None = None


class Directory(DictRegistry):
    """A registry that also knows plugins (a :class:`~jackfield.host.PluginDirectory`)."""

    def __init__(
        self,
        registrations: Iterable[NodeRegistration],
        owners: dict[str, str],
        plugins: Iterable[PluginEntry],
    ) -> None:
        super().__init__(registrations)
        self.owners = owners
        self.plugins = list(plugins)

    def plugin_for_node_type(self, type_name: str) -> str | None:
        return self.owners.get(type_name) if type_name in self.registrations else None

    def packages(self) -> list[PluginEntry]:
        return list(self.plugins)


def _all_registrations() -> list[NodeRegistration]:
    return [
        registration(StartNode),
        registration(AgentNode),
        registration(EndNode),
        registration(TunerNode, "api_key", "workspace_token"),
        registration(WebhookNode, "signing_keys", "password"),
    ]


def make_registry(*, without: Iterable[str] = ()) -> DictRegistry:
    """A registry with start, agent, end, tuner and webhook, minus the types in ``without``."""
    skip = set(without)
    return DictRegistry(r for r in _all_registrations() if r.type_name not in skip)


def make_directory(
    *, without: Iterable[str] = (), plugins: Iterable[PluginEntry] = ()
) -> Directory:
    """Like :func:`make_registry`, as a plugin directory: tuner and webhook from plugin "acme"."""
    skip = set(without)
    return Directory(
        (r for r in _all_registrations() if r.type_name not in skip),
        owners={
            "start": "core",
            "agent": "core",
            "end": "core",
            "tuner": "acme",
            "webhook": "acme",
        },
        plugins=plugins,
    )


def sample_definition(**extra: Any) -> WorkflowDefinition:
    """A valid, runnable workflow: start -> agent -> end, plus a tuner and a webhook."""
    document: dict[str, Any] = {
        "nodes": [
            {"id": "s", "type": "start", "position": {"x": 0, "y": 0}, "data": {"name": "Hi"}},
            {"id": "a", "type": "agent", "data": {"name": "Help"}},
            {"id": "e", "type": "end", "data": {"name": "Bye"}},
            {
                "id": "t",
                "type": "tuner",
                "data": {
                    "name": "Tuner",
                    "agent_id": "agent-7",
                    "api_key": "tk_live0123456789",
                    "workspace_token": "ws_secretworkspace",
                },
            },
            {
                "id": "w",
                "type": "webhook",
                "data": {
                    "name": "Hook",
                    "url": "https://example.invalid/calls",
                    "signing_keys": ["key-alpha-11111", "key-bravo-22222", "key-charlie-33333"],
                    "password": "hunter2hunter2",
                },
            },
        ],
        "edges": [
            {
                "id": "e1",
                "source": "s",
                "target": "a",
                "data": {"label": "go", "condition": "The caller has a question"},
            },
            {
                "id": "e2",
                "source": "a",
                "target": "e",
                "data": {"label": "done", "condition": "The question is answered"},
            },
        ],
    }
    document.update(extra)
    return WorkflowDefinition.from_dict(document)

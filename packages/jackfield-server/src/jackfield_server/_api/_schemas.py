"""The request and response bodies of the HTTP API (what ``/openapi.json`` documents)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CompletionJobOut",
    "CompletionOut",
    "ErrorDocument",
    "HealthOut",
    "NodeCatalogOut",
    "NodeResultOut",
    "NodeTypeOut",
    "PluginCompletionOut",
    "PluginOut",
    "PluginRoutesOut",
    "Problem",
    "ProblemDocument",
    "RecordingIn",
    "RunCreate",
    "RunLinks",
    "RunOut",
    "RunSummary",
    "WorkflowCreate",
    "WorkflowOut",
    "WorkflowSummary",
    "WorkflowUpdate",
]

MAX_CALL_EVENTS = 10_000
"""The most events one scripted call may carry."""


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorDocument(BaseModel):
    """An error that needs no more than a sentence."""

    detail: str


class Problem(BaseModel):
    """One problem with a request: a workflow problem or a malformed field.

    ``kind`` is ``workflow``, ``node`` or ``edge`` for workflow definitions and
    ``request`` for the request body itself; ``field`` is a dotted path. No
    problem ever quotes a submitted value.
    """

    kind: str
    id: str | None = None
    field: str | None = None
    message: str
    code: str
    severity: Literal["error", "warning"] = "error"


class ProblemDocument(BaseModel):
    """422: the request cannot be carried out; ``problems`` lists every reason."""

    detail: str
    problems: list[Problem]


class HealthOut(BaseModel):
    """The server is up and its database answers."""

    status: Literal["ok"]
    version: str


class NodeCatalogOut(BaseModel):
    """The node catalog: every node type the loaded plugins serve, sorted by name.

    With ``view=full`` each item is a full node spec (see the jackfield docs,
    ``docs/node-specs.md``); with ``view=mcp`` the lean projection for LLM tools.
    """

    spec_version: str
    node_types: list[dict[str, Any]]


class NodeTypeOut(BaseModel):
    """One node type's spec (full or lean, as the ``view`` parameter asks)."""

    model_config = ConfigDict(extra="allow")

    name: str


class PluginRoutesOut(BaseModel):
    """What became of a plugin's HTTP routers.

    ``mounted``: every route is served under ``prefix``; ``failed``: none is,
    ``reason`` says why; ``none``: the plugin has no routers.
    """

    status: Literal["mounted", "failed", "none"]
    prefix: str
    paths: list[str] = Field(default_factory=list)
    reason: str | None = None


class PluginOut(BaseModel):
    """One plugin as the host sees it, with its routes."""

    name: str
    distribution: str | None
    version: str | None
    module: str | None
    status: Literal["loaded", "disabled", "failed", "incompatible"]
    reason: str | None
    hooks: list[str]
    node_types: list[str]
    load_ms: float | None
    routes: PluginRoutesOut


class WorkflowCreate(BaseModel):
    """A new workflow: a name and its definition (secrets in clear)."""

    name: str = Field(min_length=1, max_length=200)
    definition: dict[str, Any] = Field(
        description="The workflow definition: nodes, edges and the node-type record."
    )


class WorkflowUpdate(BaseModel):
    """A new version of a workflow.

    Send secrets you did not change back exactly as they were received (masked);
    a new value replaces a secret, an empty one clears it.
    """

    name: str | None = Field(default=None, min_length=1, max_length=200)
    definition: dict[str, Any]


class WorkflowSummary(_Out):
    """A workflow without its definition."""

    id: uuid.UUID
    name: str
    latest_version: int
    created_at: datetime
    updated_at: datetime


class WorkflowOut(BaseModel):
    """One version of a workflow, its secrets masked.

    ``problems`` holds the warnings of the last save (for example nodes of a
    plugin that is not installed, kept untouched).
    """

    id: uuid.UUID
    name: str
    version: int
    latest_version: int
    created_at: datetime
    saved_at: datetime
    definition: dict[str, Any]
    problems: list[Problem] = Field(default_factory=list)


class RecordingIn(BaseModel):
    """The call's audio, served afterwards by the run's public recording link."""

    media_type: str = Field(pattern=r"^(audio|video)/[A-Za-z0-9.+-]{1,60}$", examples=["audio/wav"])
    content_base64: str = Field(max_length=28_000_000, description="The bytes, base64-encoded.")


class RunCreate(BaseModel):
    """Start a run: replay a scripted call through the workflow's plugins.

    ``events`` are the framework-neutral call events as JSON objects, each with
    a ``kind`` (``call_started``, ``user_turn``, ``bot_turn``, ``tool_call``,
    ``usage``, ``latency``, ``call_ended``) and its fields.
    """

    events: list[dict[str, Any]] = Field(max_length=MAX_CALL_EVENTS)
    version: int | None = Field(
        default=None, ge=1, description="The workflow version to run (default: the latest)."
    )
    recording: RecordingIn | None = None


class NodeResultOut(BaseModel):
    """The completion result of one node."""

    node_id: str
    status: Literal["pending", "delivered", "skipped", "failed"]
    retry_at: datetime | None = None
    attempts: int
    detail: dict[str, Any] = Field(default_factory=dict)


class PluginCompletionOut(BaseModel):
    """One plugin's completion status for a run, summed up from its nodes.

    ``pending`` while any node is, then ``failed`` if any node failed,
    ``delivered`` if any was delivered, else ``skipped``. ``retry_at`` is the
    earliest retry of a pending node.
    """

    status: Literal["pending", "delivered", "skipped", "failed"]
    retry_at: datetime | None = None
    nodes: list[NodeResultOut]


class CompletionJobOut(BaseModel):
    """A run's completion job in the queue (``dead``: given up on)."""

    run_id: uuid.UUID
    state: Literal["queued", "running", "done", "dead"]
    attempts: int
    due_at: datetime
    last_error: str | None
    updated_at: datetime


class CompletionOut(BaseModel):
    """Where a run's post-call completion stands, per plugin and node."""

    job: CompletionJobOut | None
    plugins: dict[str, PluginCompletionOut]


class RunLinks(BaseModel):
    """Public download links of a run (no API key needed; the token is the permission)."""

    transcript: str | None = None
    recording: str | None = None


class RunSummary(_Out):
    """A run without its logs and results."""

    id: uuid.UUID
    workflow_id: uuid.UUID
    workflow_version: int
    state: Literal["created", "in_call", "completing", "completed", "failed"]
    created_at: datetime
    ended_at: datetime | None


class RunOut(RunSummary):
    """A run: its state, what the call left, and the completion status."""

    gathered_context: dict[str, Any]
    usage: dict[str, Any]
    logs: dict[str, Any]
    annotations: dict[str, Any]
    completion: CompletionOut
    links: RunLinks

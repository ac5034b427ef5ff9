"""``/workflows/{id}/nodes/{node_id}/check``: "Save & test" for one stored node.

The check runs with the node's *stored* secrets, decrypted like a run's
definition: secrets never travel in a query string and never come back in the
answer (:func:`jackfield.host.check_node` scrubs them). A body may carry
unsaved changes to the node's data, merged over the stored data with the
rules of an update: a masked value sent back unchanged keeps the stored
secret, a masked value that matches none is a 422, a new value is used for
this check only. Nothing is stored.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field

from jackfield.host import (
    PluginHost,
    WorkflowDefinition,
    WorkflowNode,
    check_node,
    merge_definition,
)
from jackfield_server._api._deps import CallerDep, StateDep
from jackfield_server._api._problems import (
    COMMON_RESPONSES,
    NOT_FOUND,
    ProblemsError,
    problem_from_workflow,
)
from jackfield_server._errors import NotFoundError
from jackfield_server._store import get_workflow

__all__ = ["NodeCheckIn", "NodeCheckOut", "checks_router"]


class NodeCheckIn(BaseModel):
    """Unsaved changes to check instead of the stored data (all optional).

    ``data`` is merged over the stored node's data, field by field. Send
    secrets you did not change masked, as they were received.
    """

    model_config = ConfigDict(extra="forbid")

    data: dict[str, Any] = Field(default_factory=dict)


class CheckProblemOut(BaseModel):
    """One thing the check found wrong; ``field`` names the data field at fault."""

    field: str | None
    code: str
    message: str


class NodeCheckOut(BaseModel):
    """The outcome of a node's check: ``ok``, ``failed`` or ``unsupported``; no secret."""

    node_id: str
    node_type: str
    plugin: str | None
    status: Literal["ok", "failed", "unsupported"]
    ok: bool
    problems: list[CheckProblemOut]
    detail: dict[str, Any]
    duration_ms: float


def _with_overrides(
    definition: WorkflowDefinition, node: WorkflowNode, overrides: dict[str, Any], host: PluginHost
) -> dict[str, Any]:
    """The node's data with ``overrides`` merged in, masks resolved; 422 on a stray mask."""
    changed = node.model_copy(update={"data": {**node.data, **overrides}})
    nodes = [changed if n is node else n for n in definition.nodes]
    merged = merge_definition(definition.model_copy(update={"nodes": nodes}), definition, host)
    if merged.problems:
        raise ProblemsError(
            "the node data cannot be checked", [problem_from_workflow(p) for p in merged.problems]
        )
    found = next(n for n in merged.definition.nodes if n.id == node.id)
    return dict(found.data)


def checks_router() -> APIRouter:
    """The node check route."""
    router = APIRouter(tags=["workflows"], responses=COMMON_RESPONSES)

    @router.post(
        "/workflows/{workflow_id}/nodes/{node_id}/check",
        responses=NOT_FOUND,
        summary="Check a node's configuration against its service",
    )
    async def check(
        workflow_id: uuid.UUID,
        node_id: str,
        caller: CallerDep,
        state: StateDep,
        body: Annotated[NodeCheckIn | None, Body()] = None,
        version: Annotated[int | None, Query(ge=1, description="Default: the latest.")] = None,
    ) -> NodeCheckOut:
        """Ask the node's plugin whether its configuration works ("Save & test").

        Uses the node's stored secrets; the answer is 200 whatever the
        outcome (``status``: ``ok``, ``failed`` with problems naming fields,
        ``unsupported`` when the plugin has no check) and never holds a secret.
        """
        host = state.host
        async with state.database.transaction() as session:
            stored = await get_workflow(
                session, state.box, caller.organization_id, workflow_id, version=version
            )
        definition = WorkflowDefinition.from_dict(stored.definition)
        nodes = [n for n in definition.nodes if n.id == node_id]
        if len(nodes) != 1:
            raise NotFoundError("node", node_id)
        node = nodes[0]
        data = dict(node.data)
        if body is not None and body.data:
            data = _with_overrides(definition, node, body.data, host)
        result = await check_node(host, node.type, data, node_id=node_id)
        return NodeCheckOut.model_validate(result.to_dict() | {"node_id": node_id})

    return router

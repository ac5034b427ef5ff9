"""``/workflows``: create, read, list and update, secrets masked on the way out.

Saving validates in draft mode: nodes of a plugin that is not installed are
kept untouched (a warning), anything else wrong is a 422 listing every problem.
An update merges the masked values the client sends back with the stored
secrets (:func:`jackfield.host.merge_definition`); a masked value that matches no
stored secret is a problem, never stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from jackfield import WorkflowProblem
from jackfield.host import (
    MASK_PREFIX,
    PluginHost,
    WorkflowDefinition,
    looks_masked,
    mask_definition,
    mask_key,
    merge_definition,
    validate_workflow,
)
from jackfield_server._api._deps import CallerDep, StateDep
from jackfield_server._api._problems import (
    COMMON_RESPONSES,
    NOT_FOUND,
    ProblemsError,
    problem_from_workflow,
)
from jackfield_server._api._schemas import (
    WorkflowCreate,
    WorkflowOut,
    WorkflowSummary,
    WorkflowUpdate,
)
from jackfield_server._store import (
    StoredWorkflow,
    create_workflow,
    get_workflow,
    list_workflows,
    update_workflow,
)

__all__ = ["masked_definition", "sensitive_fields_by_node", "workflows_router"]


def sensitive_fields_by_node(definition: WorkflowDefinition) -> dict[str, tuple[str, ...]]:
    """The secret field names of each node, from the definition's node-type record."""
    found: dict[str, tuple[str, ...]] = {}
    for node in definition.nodes:
        record = definition.node_types.get(node.type)
        if record is not None and record.sensitive_fields:
            names = (*found.get(node.id, ()), *record.sensitive_fields)
            found[node.id] = tuple(dict.fromkeys(names))
    return found


def _mask_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_mask_value(item) for item in value]
    if isinstance(value, str):
        return value if not value or looks_masked(value) else mask_key(value)
    return value if value is None else MASK_PREFIX * 2


def masked_definition(stored: StoredWorkflow, host: PluginHost) -> dict[str, Any]:
    """The stored definition as it may leave the server: every secret masked.

    Secrets are found through the plugins and the definition's node-type record
    (:func:`jackfield.host.mask_definition`), and also through the field names stored
    with the version, so nothing stored as a secret is ever sent in clear.
    """
    masked = mask_definition(WorkflowDefinition.from_dict(stored.definition), host).to_dict()
    for node in masked.get("nodes", []):
        fields = stored.sensitive_fields.get(str(node.get("id")), ())
        data = node.get("data")
        if isinstance(data, dict):
            for name in fields:
                if name in data:
                    data[name] = _mask_value(data[name])
    return masked


def _check(problems: Sequence[WorkflowProblem]) -> list[WorkflowProblem]:
    """Raise 422 if any problem is an error; return the warnings."""
    if any(p.severity == "error" for p in problems):
        raise ProblemsError(
            "the workflow definition is invalid", [problem_from_workflow(p) for p in problems]
        )
    return list(problems)


def _prepared(
    incoming: dict[str, Any], stored: WorkflowDefinition, host: PluginHost
) -> tuple[WorkflowDefinition, list[WorkflowProblem]]:
    """Merge, record node types and validate (draft mode); 422 on any error."""
    definition = WorkflowDefinition.from_dict(incoming)
    merged = merge_definition(definition, stored, host)
    problems = [*merged.problems, *validate_workflow(merged.definition, host, mode="draft")]
    return merged.definition, _check(problems)


def _out(
    stored: StoredWorkflow, host: PluginHost, problems: Sequence[WorkflowProblem]
) -> WorkflowOut:
    return WorkflowOut(
        id=stored.id,
        name=stored.name,
        version=stored.version,
        latest_version=stored.latest_version,
        created_at=stored.created_at,
        saved_at=stored.saved_at,
        definition=masked_definition(stored, host),
        problems=[problem_from_workflow(p) for p in problems],
    )


def workflows_router() -> APIRouter:
    """The ``/workflows`` routes."""
    router = APIRouter(prefix="/workflows", tags=["workflows"], responses=COMMON_RESPONSES)

    @router.post("", status_code=status.HTTP_201_CREATED, summary="Create a workflow")
    async def create(body: WorkflowCreate, caller: CallerDep, state: StateDep) -> WorkflowOut:
        """Save a new workflow as its version 1; its secrets are encrypted at rest."""
        definition, warnings = _prepared(body.definition, WorkflowDefinition(), state.host)
        async with state.database.transaction() as session:
            stored = await create_workflow(
                session,
                state.box,
                caller.organization_id,
                name=body.name,
                definition=definition.to_dict(),
                sensitive_fields=sensitive_fields_by_node(definition),
            )
        return _out(stored, state.host, warnings)

    @router.get("", summary="List workflows")
    async def list_all(caller: CallerDep, state: StateDep) -> list[WorkflowSummary]:
        """The organization's workflows, by name (without their definitions)."""
        async with state.database.transaction() as session:
            rows = await list_workflows(session, caller.organization_id)
            return [WorkflowSummary.model_validate(row) for row in rows]

    @router.get("/{workflow_id}", responses=NOT_FOUND, summary="Read a workflow")
    async def read(
        workflow_id: uuid.UUID,
        caller: CallerDep,
        state: StateDep,
        version: Annotated[int | None, Query(ge=1, description="Default: the latest.")] = None,
    ) -> WorkflowOut:
        """One version of a workflow, secrets masked, with the problems it has now."""
        async with state.database.transaction() as session:
            stored = await get_workflow(
                session, state.box, caller.organization_id, workflow_id, version=version
            )
        definition = WorkflowDefinition.from_dict(stored.definition)
        return _out(stored, state.host, validate_workflow(definition, state.host, mode="draft"))

    @router.put("/{workflow_id}", responses=NOT_FOUND, summary="Save a new version")
    async def update(
        workflow_id: uuid.UUID, body: WorkflowUpdate, caller: CallerDep, state: StateDep
    ) -> WorkflowOut:
        """Save the definition as the workflow's next version.

        Masked values sent back unchanged keep the stored secrets; runs that
        pinned earlier versions are unaffected.
        """
        async with state.database.transaction() as session:
            current = await get_workflow(session, state.box, caller.organization_id, workflow_id)
            base = WorkflowDefinition.from_dict(current.definition)
            definition, warnings = _prepared(body.definition, base, state.host)
            stored = await update_workflow(
                session,
                state.box,
                caller.organization_id,
                workflow_id,
                definition=definition.to_dict(),
                sensitive_fields=sensitive_fields_by_node(definition),
                name=body.name,
            )
        return _out(stored, state.host, warnings)

    return router

"""Runs: a call through one pinned workflow version, and what it left behind."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jackfield_server._crypto import SecretBox
from jackfield_server._errors import NotFoundError
from jackfield_server._models import Run, RunState, Workflow, WorkflowVersion
from jackfield_server._store._scoped import load_scoped
from jackfield_server._store._workflows import StoredWorkflow, get_workflow_version

__all__ = [
    "create_run",
    "ensure_run_public_token",
    "find_run_by_public_token",
    "get_run",
    "get_run_definition",
    "list_runs",
    "merge_run_annotations",
    "update_run",
]


async def create_run(
    session: AsyncSession,
    organization_id: uuid.UUID,
    workflow_id: uuid.UUID,
    *,
    version: int | None = None,
) -> Run:
    """Create a run of the workflow, pinned to ``version`` (default: the latest).

    Later saves of the workflow do not change what this run executes.

    :raises NotFoundError: no such workflow in that organization, or no such version.
    """
    workflow = await load_scoped(session, Workflow, organization_id, workflow_id, kind="workflow")
    number = workflow.latest_version if version is None else version
    query = select(WorkflowVersion.id).where(
        WorkflowVersion.workflow_id == workflow.id, WorkflowVersion.number == number
    )
    version_id = (await session.execute(query)).scalar_one_or_none()
    if version_id is None:
        raise NotFoundError("workflow version", f"{workflow_id}@{number}")
    run = Run(
        organization_id=organization_id,
        workflow_id=workflow.id,
        workflow_version_id=version_id,
        workflow_version=number,
        state=RunState.CREATED,
    )
    session.add(run)
    await session.flush()
    return run


async def get_run(session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID) -> Run:
    """Return the run ``run_id`` of the organization.

    :raises NotFoundError: no such run in that organization.
    """
    return await load_scoped(session, Run, organization_id, run_id, kind="run")


async def get_run_definition(
    session: AsyncSession, box: SecretBox, organization_id: uuid.UUID, run_id: uuid.UUID
) -> StoredWorkflow:
    """Return the workflow version the run pinned, decrypted.

    :raises NotFoundError: no such run in that organization.
    """
    run = await get_run(session, organization_id, run_id)
    return await get_workflow_version(session, box, organization_id, run.workflow_version_id)


async def list_runs(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    workflow_id: uuid.UUID | None = None,
    limit: int = 100,
) -> list[Run]:
    """The organization's runs, newest first, optionally of one workflow."""
    query = select(Run).where(Run.organization_id == organization_id)
    if workflow_id is not None:
        query = query.where(Run.workflow_id == workflow_id)
    query = query.order_by(Run.created_at.desc(), Run.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def update_run(
    session: AsyncSession,
    organization_id: uuid.UUID,
    run_id: uuid.UUID,
    *,
    state: RunState | None = None,
    gathered_context: Mapping[str, Any] | None = None,
    usage: Mapping[str, Any] | None = None,
    logs: Mapping[str, Any] | None = None,
    ended_at: datetime | None = None,
) -> Run:
    """Set the given fields of the run (each replaces the stored value whole).

    :raises NotFoundError: no such run in that organization.
    """
    run = await load_scoped(session, Run, organization_id, run_id, kind="run", for_update=True)
    if state is not None:
        run.state = state
    if gathered_context is not None:
        run.gathered_context = dict(gathered_context)
    if usage is not None:
        run.usage = dict(usage)
    if logs is not None:
        run.logs = dict(logs)
    if ended_at is not None:
        run.ended_at = ended_at
    await session.flush()
    return run


async def merge_run_annotations(
    session: AsyncSession,
    organization_id: uuid.UUID,
    run_id: uuid.UUID,
    annotations: Mapping[str, Any],
) -> Run:
    """Merge ``annotations`` into the run's annotations (top-level keys replace).

    The row is locked while merging, so concurrent merges do not lose keys.

    :raises NotFoundError: no such run in that organization.
    """
    run = await load_scoped(session, Run, organization_id, run_id, kind="run", for_update=True)
    run.annotations = {**run.annotations, **annotations}
    await session.flush()
    return run


async def ensure_run_public_token(
    session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID
) -> str:
    """Return the run's public token, creating it on first request.

    Anyone holding the token can fetch the run's public downloads.

    :raises NotFoundError: no such run in that organization.
    """
    run = await load_scoped(session, Run, organization_id, run_id, kind="run", for_update=True)
    if run.public_token is None:
        run.public_token = secrets.token_urlsafe(32)
        await session.flush()
    return run.public_token


async def find_run_by_public_token(session: AsyncSession, token: str) -> Run:
    """Return the run whose public token is ``token``, in any organization.

    The one lookup not scoped to an organization: the token itself is the
    permission, for public download links.

    :raises NotFoundError: no run has that token.
    """
    run = (await session.execute(select(Run).where(Run.public_token == token))).scalar_one_or_none()
    if run is None:
        raise NotFoundError("run", "with that public token")
    return run

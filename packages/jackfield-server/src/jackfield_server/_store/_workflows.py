"""Workflows: every save is a new immutable version, secrets sealed at rest."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jackfield_server._crypto import SecretBox
from jackfield_server._errors import NotFoundError
from jackfield_server._models import Workflow, WorkflowVersion
from jackfield_server._sealing import (
    SensitiveFields,
    normalize_sensitive_fields,
    seal_definition,
    unseal_definition,
)
from jackfield_server._store._organizations import get_organization
from jackfield_server._store._scoped import load_scoped

__all__ = [
    "StoredWorkflow",
    "create_workflow",
    "get_workflow",
    "get_workflow_version",
    "list_workflows",
    "update_workflow",
]


@dataclass(frozen=True, slots=True)
class StoredWorkflow:
    """One version of a workflow, with its definition decrypted.

    ``definition`` holds the secrets in clear: mask it before it leaves the
    host. ``sensitive_fields`` are the names recorded with this version, by
    node id, so they can be masked even if their plugin is gone.
    """

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    version: int
    version_id: uuid.UUID
    latest_version: int
    definition: dict[str, Any]
    sensitive_fields: dict[str, tuple[str, ...]]
    created_at: datetime
    saved_at: datetime


def _stored(workflow: Workflow, version: WorkflowVersion, box: SecretBox) -> StoredWorkflow:
    return StoredWorkflow(
        id=workflow.id,
        organization_id=workflow.organization_id,
        name=workflow.name,
        version=version.number,
        version_id=version.id,
        latest_version=workflow.latest_version,
        definition=unseal_definition(version.definition, version.sensitive_fields, box),
        sensitive_fields={k: tuple(v) for k, v in version.sensitive_fields.items()},
        created_at=workflow.created_at,
        saved_at=version.created_at,
    )


def _new_version(
    workflow: Workflow,
    number: int,
    definition: Mapping[str, Any],
    sensitive_fields: SensitiveFields,
    box: SecretBox,
) -> WorkflowVersion:
    fields = normalize_sensitive_fields(definition, sensitive_fields)
    return WorkflowVersion(
        workflow_id=workflow.id,
        organization_id=workflow.organization_id,
        number=number,
        definition=seal_definition(definition, fields, box),
        sensitive_fields=fields,
    )


async def create_workflow(
    session: AsyncSession,
    box: SecretBox,
    organization_id: uuid.UUID,
    *,
    name: str,
    definition: Mapping[str, Any],
    sensitive_fields: SensitiveFields,
) -> StoredWorkflow:
    """Create a workflow with ``definition`` as its version 1.

    :param definition: the workflow definition JSON, secrets in clear (already
        validated and merged by the caller).
    :param sensitive_fields: the sensitive field names by node id; their values
        are encrypted before they reach the database.
    :raises NotFoundError: no such organization.
    """
    await get_organization(session, organization_id)
    workflow = Workflow(
        id=uuid.uuid4(), organization_id=organization_id, name=name, latest_version=1
    )
    version = _new_version(workflow, 1, definition, sensitive_fields, box)
    session.add_all([workflow, version])
    await session.flush()
    return _stored(workflow, version, box)


async def update_workflow(
    session: AsyncSession,
    box: SecretBox,
    organization_id: uuid.UUID,
    workflow_id: uuid.UUID,
    *,
    definition: Mapping[str, Any],
    sensitive_fields: SensitiveFields,
    name: str | None = None,
) -> StoredWorkflow:
    """Save ``definition`` as the workflow's next version (and rename it if ``name``).

    Earlier versions stay as they were: runs that pinned them are unaffected.

    :raises NotFoundError: no such workflow in that organization.
    """
    workflow = await load_scoped(
        session, Workflow, organization_id, workflow_id, kind="workflow", for_update=True
    )
    number = workflow.latest_version + 1
    version = _new_version(workflow, number, definition, sensitive_fields, box)
    workflow.latest_version = number
    if name is not None:
        workflow.name = name
    session.add(version)
    await session.flush()
    return _stored(workflow, version, box)


async def get_workflow(
    session: AsyncSession,
    box: SecretBox,
    organization_id: uuid.UUID,
    workflow_id: uuid.UUID,
    *,
    version: int | None = None,
) -> StoredWorkflow:
    """Return a version of the workflow (default: the latest), decrypted.

    :raises NotFoundError: no such workflow in that organization, or no such version.
    :raises SecretDecryptionError: a stored secret cannot be decrypted.
    """
    workflow = await load_scoped(session, Workflow, organization_id, workflow_id, kind="workflow")
    number = workflow.latest_version if version is None else version
    query = select(WorkflowVersion).where(
        WorkflowVersion.workflow_id == workflow.id, WorkflowVersion.number == number
    )
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFoundError("workflow version", f"{workflow_id}@{number}")
    return _stored(workflow, row, box)


async def get_workflow_version(
    session: AsyncSession, box: SecretBox, organization_id: uuid.UUID, version_id: uuid.UUID
) -> StoredWorkflow:
    """Return the workflow version with the row id ``version_id`` (what a run pins).

    :raises NotFoundError: no such version in that organization.
    """
    row = await load_scoped(
        session, WorkflowVersion, organization_id, version_id, kind="workflow version"
    )
    workflow = await load_scoped(
        session, Workflow, organization_id, row.workflow_id, kind="workflow"
    )
    return _stored(workflow, row, box)


async def list_workflows(session: AsyncSession, organization_id: uuid.UUID) -> list[Workflow]:
    """The organization's workflows (names and version numbers, no definitions), by name."""
    query = (
        select(Workflow)
        .where(Workflow.organization_id == organization_id)
        .order_by(Workflow.name, Workflow.id)
    )
    return list((await session.execute(query)).scalars())

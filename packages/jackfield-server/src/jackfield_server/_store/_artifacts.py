"""Run artifacts: stored once per run and kind, read by the owner or by public token."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jackfield_server._errors import NotFoundError
from jackfield_server._models import ArtifactKind, Run, RunArtifact
from jackfield_server._store._runs import find_run_by_public_token
from jackfield_server._store._scoped import load_scoped

__all__ = [
    "find_public_run_artifact",
    "get_run_artifact",
    "list_run_artifact_kinds",
    "put_run_artifact",
]


async def put_run_artifact(
    session: AsyncSession,
    organization_id: uuid.UUID,
    run_id: uuid.UUID,
    *,
    kind: ArtifactKind,
    media_type: str,
    content: bytes,
) -> RunArtifact:
    """Store (or replace) the run's artifact of ``kind``.

    :raises NotFoundError: no such run in that organization.
    """
    await load_scoped(session, Run, organization_id, run_id, kind="run")
    query = select(RunArtifact).where(RunArtifact.run_id == run_id, RunArtifact.kind == kind)
    artifact = (await session.execute(query)).scalar_one_or_none()
    if artifact is None:
        artifact = RunArtifact(
            organization_id=organization_id,
            run_id=run_id,
            kind=kind,
            media_type=media_type,
            content=content,
        )
        session.add(artifact)
    else:
        artifact.media_type, artifact.content = media_type, content
    await session.flush()
    return artifact


async def get_run_artifact(
    session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID, kind: ArtifactKind
) -> RunArtifact:
    """Return the run's artifact of ``kind``.

    :raises NotFoundError: no such run in that organization, or it has no such artifact.
    """
    query = select(RunArtifact).where(
        RunArtifact.run_id == run_id,
        RunArtifact.organization_id == organization_id,
        RunArtifact.kind == kind,
    )
    artifact = (await session.execute(query)).scalar_one_or_none()
    if artifact is None:
        raise NotFoundError(f"{kind.value} of run", run_id)
    return artifact


async def list_run_artifact_kinds(
    session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID
) -> list[ArtifactKind]:
    """The kinds of artifact the run has, sorted."""
    query = select(RunArtifact.kind).where(
        RunArtifact.run_id == run_id, RunArtifact.organization_id == organization_id
    )
    return sorted((await session.execute(query)).scalars())


async def find_public_run_artifact(
    session: AsyncSession, token: str, kind: ArtifactKind
) -> RunArtifact:
    """Return the artifact of ``kind`` of the run whose public token is ``token``.

    :raises NotFoundError: no run has that token, or the run has no such artifact.
    """
    run = await find_run_by_public_token(session, token)
    return await get_run_artifact(session, run.organization_id, run.id, kind)

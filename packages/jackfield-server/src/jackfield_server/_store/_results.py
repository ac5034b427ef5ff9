"""Per-plugin, per-node completion results: what was delivered, never twice."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from jackfield_server._models import (
    FINAL_RESULT_STATUSES,
    CompletionResult,
    ResultStatus,
    Run,
    utcnow,
)
from jackfield_server._store._scoped import load_scoped

__all__ = ["list_completion_results", "record_completion_result"]


async def record_completion_result(
    session: AsyncSession,
    organization_id: uuid.UUID,
    run_id: uuid.UUID,
    *,
    plugin: str,
    node_id: str,
    status: ResultStatus,
    result: Mapping[str, Any] | None = None,
    retry_at: datetime | None = None,
    attempts: int | None = None,
) -> CompletionResult:
    """Record (insert or update) one plugin's result for one node of a run.

    One row per (run, plugin, node), also under concurrent calls. A final
    status (delivered, skipped, failed) is never overwritten: recording again
    after it changes nothing, and the stored row is returned, so a retried job
    can tell what is already done. ``retry_at`` goes with ``pending``.

    :param attempts: how many times the node was passed to its handler, as the
        completion outcome counts it (``NodeOutcome.attempts``); stored as is.
        Without it, each recording counts as one attempt.

    :raises NotFoundError: no such run in that organization.
    """
    await load_scoped(session, Run, organization_id, run_id, kind="run")
    now = utcnow()
    values = {
        "status": status,
        "result": dict(result or {}),
        "retry_at": retry_at,
        "updated_at": now,
    }
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(CompletionResult).values(
        id=uuid.uuid4(),
        organization_id=organization_id,
        run_id=run_id,
        plugin=plugin,
        node_id=node_id,
        attempts=1 if attempts is None else attempts,
        created_at=now,
        **values,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[CompletionResult.run_id, CompletionResult.plugin, CompletionResult.node_id],
        set_={
            **values,
            "attempts": CompletionResult.attempts + 1 if attempts is None else attempts,
        },
        where=CompletionResult.status.not_in(sorted(FINAL_RESULT_STATUSES)),
    )
    await session.execute(statement)
    query = (
        select(CompletionResult)
        .where(
            CompletionResult.run_id == run_id,
            CompletionResult.plugin == plugin,
            CompletionResult.node_id == node_id,
        )
        .execution_options(populate_existing=True)
    )
    return (await session.execute(query)).scalar_one()


async def list_completion_results(
    session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID
) -> list[CompletionResult]:
    """Every recorded result of one of the organization's runs, by plugin and node."""
    query = (
        select(CompletionResult)
        .where(
            CompletionResult.run_id == run_id,
            CompletionResult.organization_id == organization_id,
        )
        .order_by(CompletionResult.plugin, CompletionResult.node_id)
    )
    return list((await session.execute(query)).scalars())

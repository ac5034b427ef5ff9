"""Completion jobs: a durable queue in the database, claimed with leases.

A job is claimable when it is ``queued`` and due, or ``running`` with an
expired lease (its worker died). Claiming is safe with any number of workers:
on PostgreSQL the candidates are picked with ``SELECT ... FOR UPDATE SKIP
LOCKED`` so concurrent claimers take different rows without waiting; on SQLite
the claim is one conditional ``UPDATE ... RETURNING`` in a transaction that
holds the database's write lock. Either way a job goes to one worker at a time.

The worker functions (claim, renew, complete, retry, dead-letter) serve every
organization: a worker is a system process. A worker passes its ``worker_id``
(unique per process, for example host, pid and a random part) to prove it
still holds the lease; if the lease was lost to another worker they raise
:class:`~jackfield_server._errors.LeaseLostError`. Times default to now; pass ``now``
to decide the clock yourself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jackfield_server._errors import LeaseLostError, NotFoundError
from jackfield_server._models import CompletionJob, JobState, Run, utcnow
from jackfield_server._store._scoped import load_scoped

__all__ = [
    "claim_completion_jobs",
    "dead_letter_completion_job",
    "enqueue_completion_job",
    "finish_completion_job",
    "get_completion_job",
    "list_completion_jobs",
    "renew_completion_job_lease",
    "retry_completion_job",
]


async def enqueue_completion_job(
    session: AsyncSession,
    organization_id: uuid.UUID,
    run_id: uuid.UUID,
    *,
    due_at: datetime | None = None,
) -> CompletionJob:
    """Queue the run's completion (one job per run); return the job.

    Idempotent: a job already queued or running is returned unchanged. A job
    that is done or dead is queued again with its attempts reset (stored
    per-node results keep a re-run from delivering anything twice).

    :raises NotFoundError: no such run in that organization.
    """
    await load_scoped(session, Run, organization_id, run_id, kind="run")
    due = due_at or utcnow()
    query = select(CompletionJob).where(CompletionJob.run_id == run_id).with_for_update()
    job = (await session.execute(query)).scalar_one_or_none()
    if job is None:
        job = CompletionJob(
            organization_id=organization_id, run_id=run_id, state=JobState.QUEUED, due_at=due
        )
        session.add(job)
    elif job.state in (JobState.DONE, JobState.DEAD):
        job.state, job.due_at, job.attempts, job.last_error = JobState.QUEUED, due, 0, None
    await session.flush()
    return job


async def claim_completion_jobs(
    session: AsyncSession,
    *,
    worker_id: str,
    lease: timedelta,
    limit: int = 1,
    now: datetime | None = None,
) -> list[CompletionJob]:
    """Claim up to ``limit`` claimable jobs for ``worker_id``, oldest due first.

    Each claimed job becomes ``running`` with its lease expiring ``lease`` from
    now, and its ``attempts`` goes up by one. Commit the transaction promptly:
    the claim is what the commit makes visible to other workers. On SQLite,
    call this first in its transaction.
    """
    moment = now or utcnow()
    claimable = or_(
        and_(CompletionJob.state == JobState.QUEUED, CompletionJob.due_at <= moment),
        and_(CompletionJob.state == JobState.RUNNING, CompletionJob.lease_expires_at <= moment),
    )
    candidates = (
        select(CompletionJob.id)
        .where(claimable)
        .order_by(CompletionJob.due_at, CompletionJob.id)
        .limit(limit)
    )
    chosen: Any = candidates
    if session.get_bind().dialect.name == "postgresql":
        # Lock the chosen rows in a statement of their own: inside the UPDATE,
        # PostgreSQL may re-run a LIMIT subquery and claim more than ``limit``.
        locked = await session.execute(candidates.with_for_update(skip_locked=True))
        chosen = list(locked.scalars())
        if not chosen:
            return []
    statement = (
        update(CompletionJob)
        .where(CompletionJob.id.in_(chosen), claimable)
        .values(
            state=JobState.RUNNING,
            lease_owner=worker_id,
            lease_expires_at=moment + lease,
            attempts=CompletionJob.attempts + 1,
            updated_at=moment,
        )
        .returning(CompletionJob)
    )
    jobs = await _execute_returning(session, statement)
    return sorted(jobs, key=lambda job: (job.due_at, job.id))


async def renew_completion_job_lease(
    session: AsyncSession,
    job_id: uuid.UUID,
    *,
    worker_id: str,
    lease: timedelta,
    now: datetime | None = None,
) -> CompletionJob:
    """Extend the worker's lease on a running job to ``lease`` from now.

    :raises LeaseLostError: the worker does not hold the job's lease.
    """
    moment = now or utcnow()
    return await _release(
        session, job_id, worker_id, state=JobState.RUNNING, lease_expires_at=moment + lease
    )


async def finish_completion_job(
    session: AsyncSession, job_id: uuid.UUID, *, worker_id: str
) -> CompletionJob:
    """Mark the worker's job done and release its lease.

    :raises LeaseLostError: the worker does not hold the job's lease.
    """
    return await _release(
        session, job_id, worker_id, state=JobState.DONE, lease_owner=None, lease_expires_at=None
    )


async def retry_completion_job(
    session: AsyncSession,
    job_id: uuid.UUID,
    *,
    worker_id: str,
    due_at: datetime,
    error: str | None = None,
) -> CompletionJob:
    """Put the worker's job back in the queue, due at ``due_at``.

    :param error: an error kind to record (an exception class name), never a
        message, which could hold a secret.
    :raises LeaseLostError: the worker does not hold the job's lease.
    """
    return await _release(
        session,
        job_id,
        worker_id,
        state=JobState.QUEUED,
        due_at=due_at,
        lease_owner=None,
        lease_expires_at=None,
        last_error=error,
    )


async def dead_letter_completion_job(
    session: AsyncSession, job_id: uuid.UUID, *, worker_id: str, error: str | None = None
) -> CompletionJob:
    """Give up on the worker's job: it becomes ``dead`` and is never claimed again.

    :raises LeaseLostError: the worker does not hold the job's lease.
    """
    return await _release(
        session,
        job_id,
        worker_id,
        state=JobState.DEAD,
        lease_owner=None,
        lease_expires_at=None,
        last_error=error,
    )


async def get_completion_job(
    session: AsyncSession, organization_id: uuid.UUID, run_id: uuid.UUID
) -> CompletionJob:
    """Return the completion job of one of the organization's runs (one job per run).

    :raises NotFoundError: no such run in that organization, or its completion
        was never queued.
    """
    query = select(CompletionJob).where(
        CompletionJob.run_id == run_id, CompletionJob.organization_id == organization_id
    )
    job = (await session.execute(query)).scalar_one_or_none()
    if job is None:
        raise NotFoundError("completion job of run", run_id)
    return job


async def list_completion_jobs(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    state: JobState | None = None,
    limit: int = 100,
) -> list[CompletionJob]:
    """The organization's completion jobs (for example the dead ones), newest first."""
    query = select(CompletionJob).where(CompletionJob.organization_id == organization_id)
    if state is not None:
        query = query.where(CompletionJob.state == state)
    query = query.order_by(CompletionJob.created_at.desc(), CompletionJob.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def _release(
    session: AsyncSession, job_id: uuid.UUID, worker_id: str, **values: Any
) -> CompletionJob:
    statement = (
        update(CompletionJob)
        .where(
            CompletionJob.id == job_id,
            CompletionJob.state == JobState.RUNNING,
            CompletionJob.lease_owner == worker_id,
        )
        .values(updated_at=utcnow(), **values)
        .returning(CompletionJob)
    )
    jobs = await _execute_returning(session, statement)
    if not jobs:
        raise LeaseLostError(job_id, worker_id)
    return jobs[0]


async def _execute_returning(session: AsyncSession, statement: Any) -> Sequence[CompletionJob]:
    result = await session.execute(
        statement, execution_options={"synchronize_session": False, "populate_existing": True}
    )
    return result.scalars().all()

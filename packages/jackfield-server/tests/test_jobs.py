"""The completion queue: leases, concurrent claimers, retries and dead letters."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from helpers import make_run

from jackfield_server import Database, SecretBox
from jackfield_server._errors import LeaseLostError
from jackfield_server._models import CompletionJob, JobState, utcnow
from jackfield_server._store import (
    claim_completion_jobs,
    create_organization,
    dead_letter_completion_job,
    enqueue_completion_job,
    finish_completion_job,
    get_completion_job,
    list_completion_jobs,
    renew_completion_job_lease,
    retry_completion_job,
)

LEASE = timedelta(minutes=5)


async def _queue(database: Database, box: SecretBox, org: uuid.UUID, count: int) -> set[uuid.UUID]:
    ids = set()
    for _ in range(count):
        run = await make_run(database, box, org)
        async with database.transaction() as session:
            ids.add((await enqueue_completion_job(session, org, run.id)).id)
    return ids


async def _claim(database: Database, worker: str, **kwargs) -> list[CompletionJob]:
    async with database.transaction() as session:
        return await claim_completion_jobs(session, worker_id=worker, lease=LEASE, **kwargs)


async def test_enqueue_is_idempotent_and_requeues_finished_jobs(
    migrated: Database, box: SecretBox, two_orgs
):
    acme, _ = two_orgs
    run = await make_run(migrated, box, acme)
    async with migrated.transaction() as session:
        job = await enqueue_completion_job(session, acme, run.id)
        assert (await enqueue_completion_job(session, acme, run.id)).id == job.id
    [claimed] = await _claim(migrated, "w1")
    assert claimed.id == job.id
    async with migrated.transaction() as session:
        assert (await enqueue_completion_job(session, acme, run.id)).state is JobState.RUNNING
        await finish_completion_job(session, job.id, worker_id="w1")
        again = await enqueue_completion_job(session, acme, run.id)
    assert (again.id, again.state, again.attempts) == (job.id, JobState.QUEUED, 0)
    async with migrated.transaction() as session:
        assert [j.id for j in await list_completion_jobs(session, acme)] == [job.id]


async def test_a_claimed_job_is_leased_to_one_worker(migrated: Database, box: SecretBox, two_orgs):
    acme, _ = two_orgs
    [job_id] = await _queue(migrated, box, acme, 1)
    [job] = await _claim(migrated, "w1")
    assert (job.id, job.state, job.lease_owner, job.attempts) == (job_id, JobState.RUNNING, "w1", 1)
    assert job.lease_expires_at is not None
    assert await _claim(migrated, "w2") == []
    async with migrated.transaction() as session:
        done = await finish_completion_job(session, job.id, worker_id="w1")
    assert (done.state, done.lease_owner, done.lease_expires_at) == (JobState.DONE, None, None)
    assert await _claim(migrated, "w2", now=utcnow() + 2 * LEASE) == []


async def test_concurrent_claimers_never_share_a_job(migrated: Database, box: SecretBox, two_orgs):
    acme, globex = two_orgs
    queued = await _queue(migrated, box, acme, 6) | await _queue(migrated, box, globex, 6)

    async def claimer(worker: str) -> list[uuid.UUID]:
        mine: list[uuid.UUID] = []
        while jobs := await _claim(migrated, worker, limit=2):
            assert len(jobs) <= 2
            mine.extend(job.id for job in jobs)
        return mine

    results = await asyncio.gather(*(claimer(f"w{i}") for i in range(4)))
    claimed = [job_id for result in results for job_id in result]
    assert sorted(claimed) == sorted(queued)  # every job once, none twice


async def test_a_claim_takes_at_most_limit_jobs_oldest_due_first(
    migrated: Database, box: SecretBox, two_orgs
):
    acme, _ = two_orgs
    start = utcnow()
    runs = [await make_run(migrated, box, acme) for _ in range(3)]
    async with migrated.transaction() as session:
        for offset, run in zip((2, 0, 1), runs, strict=True):
            await enqueue_completion_job(
                session, acme, run.id, due_at=start + timedelta(seconds=offset)
            )
    later = start + timedelta(minutes=1)
    first = await _claim(migrated, "w1", limit=2, now=later)
    rest = await _claim(migrated, "w1", limit=2, now=later)
    assert [job.run_id for job in first] == [runs[1].id, runs[2].id]
    assert [job.run_id for job in rest] == [runs[0].id]


async def test_an_expired_lease_is_reclaimed_and_the_old_worker_loses_it(
    migrated: Database, box: SecretBox, two_orgs
):
    acme, _ = two_orgs
    await _queue(migrated, box, acme, 1)
    start = utcnow()
    [job] = await _claim(migrated, "crashed", now=start)
    assert await _claim(migrated, "w2", now=start + LEASE - timedelta(seconds=1)) == []
    [again] = await _claim(migrated, "w2", now=start + LEASE)
    assert (again.id, again.lease_owner, again.attempts) == (job.id, "w2", 2)
    for finish in (
        lambda s: finish_completion_job(s, job.id, worker_id="crashed"),
        lambda s: retry_completion_job(s, job.id, worker_id="crashed", due_at=start),
        lambda s: dead_letter_completion_job(s, job.id, worker_id="crashed"),
        lambda s: renew_completion_job_lease(s, job.id, worker_id="crashed", lease=LEASE),
    ):
        async with migrated.transaction() as session:
            with pytest.raises(LeaseLostError, match="crashed"):
                await finish(session)
    async with migrated.transaction() as session:
        assert (await finish_completion_job(session, job.id, worker_id="w2")).state is JobState.DONE


async def test_a_renewed_lease_keeps_the_job(migrated: Database, box: SecretBox, two_orgs):
    acme, _ = two_orgs
    await _queue(migrated, box, acme, 1)
    start = utcnow()
    [job] = await _claim(migrated, "w1", now=start)
    later = start + LEASE - timedelta(seconds=1)
    async with migrated.transaction() as session:
        renewed = await renew_completion_job_lease(
            session, job.id, worker_id="w1", lease=LEASE, now=later
        )
    assert renewed.lease_expires_at == later + LEASE
    assert await _claim(migrated, "w2", now=start + LEASE) == []


async def test_a_retried_job_waits_until_due(migrated: Database, box: SecretBox, two_orgs):
    acme, _ = two_orgs
    await _queue(migrated, box, acme, 1)
    start = utcnow()
    [job] = await _claim(migrated, "w1", now=start)
    due = start + timedelta(minutes=10)
    async with migrated.transaction() as session:
        retried = await retry_completion_job(
            session, job.id, worker_id="w1", due_at=due, error="TimeoutError"
        )
    assert (retried.state, retried.last_error, retried.lease_owner) == (
        JobState.QUEUED,
        "TimeoutError",
        None,
    )
    assert await _claim(migrated, "w2", now=due - timedelta(seconds=1)) == []
    [again] = await _claim(migrated, "w2", now=due)
    assert (again.id, again.attempts) == (job.id, 2)


async def test_a_dead_lettered_job_is_never_claimed_and_stays_visible(
    migrated: Database, box: SecretBox, two_orgs
):
    acme, _ = two_orgs
    await _queue(migrated, box, acme, 1)
    [job] = await _claim(migrated, "w1")
    async with migrated.transaction() as session:
        await dead_letter_completion_job(session, job.id, worker_id="w1", error="RetryLater")
    assert await _claim(migrated, "w2", now=utcnow() + timedelta(days=365)) == []
    async with migrated.transaction() as session:
        [dead] = await list_completion_jobs(session, acme, state=JobState.DEAD)
        assert await list_completion_jobs(session, acme, state=JobState.QUEUED) == []
        assert (await get_completion_job(session, acme, job.run_id)).id == dead.id
    assert (dead.id, dead.last_error) == (job.id, "RetryLater")


async def test_postgresql_claimers_skip_rows_locked_by_an_open_claim(
    postgres_database: Database, box: SecretBox
):
    await postgres_database.migrate()
    async with postgres_database.transaction() as session:
        org = (await create_organization(session, name="acme")).id
    await _queue(postgres_database, box, org, 2)
    async with postgres_database.transaction() as first_session:
        [first] = await claim_completion_jobs(first_session, worker_id="a", lease=LEASE)
        # The first claim is not committed: its row is locked, and a second
        # claimer takes the other job at once instead of waiting or sharing.
        [second] = await asyncio.wait_for(_claim(postgres_database, "b"), timeout=30)
        assert await asyncio.wait_for(_claim(postgres_database, "c"), timeout=30) == []
    assert first.id != second.id

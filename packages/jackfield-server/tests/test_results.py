"""Per-node completion results: one row per run, plugin and node; final is final."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from helpers import make_run

from jackfield_server import Database, SecretBox
from jackfield_server._models import ResultStatus, utcnow
from jackfield_server._store import list_completion_results, record_completion_result


async def test_recording_a_node_twice_keeps_one_row(migrated: Database, box: SecretBox, two_orgs):
    acme, _ = two_orgs
    run = await make_run(migrated, box, acme)
    retry_at = utcnow() + timedelta(minutes=1)
    async with migrated.transaction() as session:
        pending = await record_completion_result(
            session,
            acme,
            run.id,
            plugin="langfuse",
            node_id="n1",
            status=ResultStatus.PENDING,
            result={"error": "timeout"},
            retry_at=retry_at,
        )
    assert (pending.status, pending.attempts, pending.retry_at) == (
        ResultStatus.PENDING,
        1,
        retry_at,
    )
    async with migrated.transaction() as session:
        delivered = await record_completion_result(
            session,
            acme,
            run.id,
            plugin="langfuse",
            node_id="n1",
            status=ResultStatus.DELIVERED,
            result={"trace": "t1"},
        )
    assert (delivered.id, delivered.status, delivered.attempts) == (
        pending.id,
        ResultStatus.DELIVERED,
        2,
    )
    assert (delivered.result, delivered.retry_at) == ({"trace": "t1"}, None)


async def test_a_final_result_is_never_overwritten(migrated: Database, box: SecretBox, two_orgs):
    acme, _ = two_orgs
    run = await make_run(migrated, box, acme)
    async with migrated.transaction() as session:
        await record_completion_result(
            session,
            acme,
            run.id,
            plugin="p",
            node_id="n1",
            status=ResultStatus.DELIVERED,
            result={"v": 1},
        )
        for status in (ResultStatus.PENDING, ResultStatus.FAILED, ResultStatus.DELIVERED):
            again = await record_completion_result(
                session, acme, run.id, plugin="p", node_id="n1", status=status, result={"v": 2}
            )
            assert (again.status, again.result, again.attempts) == (
                ResultStatus.DELIVERED,
                {"v": 1},
                1,
            )
    async with migrated.transaction() as session:
        [stored] = await list_completion_results(session, acme, run.id)
    assert (stored.status, stored.result) == (ResultStatus.DELIVERED, {"v": 1})


async def test_results_are_kept_apart_by_plugin_and_node(
    migrated: Database, box: SecretBox, two_orgs
):
    acme, _ = two_orgs
    run = await make_run(migrated, box, acme)
    async with migrated.transaction() as session:
        for plugin, node in (("a", "n1"), ("a", "n2"), ("b", "n1")):
            await record_completion_result(
                session, acme, run.id, plugin=plugin, node_id=node, status=ResultStatus.SKIPPED
            )
        stored = await list_completion_results(session, acme, run.id)
    assert [(r.plugin, r.node_id) for r in stored] == [("a", "n1"), ("a", "n2"), ("b", "n1")]


async def test_concurrent_recordings_of_one_node_make_one_row(
    migrated: Database, box: SecretBox, two_orgs
):
    acme, _ = two_orgs
    run = await make_run(migrated, box, acme)

    async def record(status: ResultStatus) -> None:
        async with migrated.transaction() as session:
            await record_completion_result(
                session, acme, run.id, plugin="p", node_id="n1", status=status
            )

    await asyncio.gather(*(record(ResultStatus.PENDING) for _ in range(5)))
    async with migrated.transaction() as session:
        [stored] = await list_completion_results(session, acme, run.id)
    assert (stored.status, stored.attempts) == (ResultStatus.PENDING, 5)

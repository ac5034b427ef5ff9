"""One organization never sees or changes another's data through the service layer."""

from __future__ import annotations

import uuid

import pytest
from helpers import make_run

from jackfield_server import Database, NotFoundError, SecretBox
from jackfield_server._models import ResultStatus, RunState
from jackfield_server._store import (
    create_run,
    create_workflow,
    enqueue_completion_job,
    ensure_run_public_token,
    get_completion_job,
    get_run,
    get_run_definition,
    get_workflow,
    list_completion_jobs,
    list_completion_results,
    list_runs,
    list_workflows,
    merge_run_annotations,
    record_completion_result,
    update_run,
    update_workflow,
)


async def test_another_organizations_objects_are_not_found(
    migrated: Database, box: SecretBox, two_orgs: tuple[uuid.UUID, uuid.UUID]
):
    acme, globex = two_orgs
    async with migrated.transaction() as session:
        workflow = await create_workflow(
            session,
            box,
            acme,
            name="acme flow",
            definition={"nodes": [{"id": "n", "type": "x", "data": {"k": "acme-secret-value"}}]},
            sensitive_fields={"n": ["k"]},
        )
    run = await make_run(migrated, box, acme)
    async with migrated.transaction() as session:
        await enqueue_completion_job(session, acme, run.id)
        await record_completion_result(
            session, acme, run.id, plugin="p", node_id="n1", status=ResultStatus.DELIVERED
        )

    attempts = [
        lambda s: get_workflow(s, box, globex, workflow.id),
        lambda s: update_workflow(s, box, globex, workflow.id, definition={}, sensitive_fields={}),
        lambda s: create_run(s, globex, workflow.id),
        lambda s: get_run(s, globex, run.id),
        lambda s: get_run_definition(s, box, globex, run.id),
        lambda s: update_run(s, globex, run.id, state=RunState.FAILED),
        lambda s: merge_run_annotations(s, globex, run.id, {"x": 1}),
        lambda s: ensure_run_public_token(s, globex, run.id),
        lambda s: enqueue_completion_job(s, globex, run.id),
        lambda s: get_completion_job(s, globex, run.id),
        lambda s: record_completion_result(
            s, globex, run.id, plugin="p", node_id="n1", status=ResultStatus.FAILED
        ),
    ]
    for attempt in attempts:
        async with migrated.transaction() as session:
            with pytest.raises(NotFoundError):
                await attempt(session)

    async with migrated.transaction() as session:
        assert await list_workflows(session, globex) == []
        assert await list_runs(session, globex) == []
        assert await list_completion_results(session, globex, run.id) == []
        assert await list_completion_jobs(session, globex) == []
        # acme's data is untouched by globex's attempts
        stored = await get_run(session, acme, run.id)
        assert (stored.state, stored.annotations, stored.public_token) == (
            RunState.CREATED,
            {},
            None,
        )
        assert (await get_workflow(session, box, acme, workflow.id)).version == 1
        [result] = await list_completion_results(session, acme, run.id)
        assert result.status is ResultStatus.DELIVERED
        [job] = await list_completion_jobs(session, acme)
        assert job.run_id == run.id

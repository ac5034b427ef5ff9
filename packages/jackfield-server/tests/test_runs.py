"""Runs: state, context, logs, annotations and the public token."""

from __future__ import annotations

import pytest
from helpers import make_run

from jackfield_server import Database, NotFoundError, SecretBox
from jackfield_server._models import RunState, utcnow
from jackfield_server._store import (
    ensure_run_public_token,
    find_run_by_public_token,
    get_run,
    list_runs,
    merge_run_annotations,
    update_run,
)


async def test_a_new_run_is_created_and_empty(migrated: Database, box: SecretBox, two_orgs):
    acme, _ = two_orgs
    run = await make_run(migrated, box, acme)
    async with migrated.transaction() as session:
        stored = await get_run(session, acme, run.id)
    assert stored.state is RunState.CREATED
    assert (stored.gathered_context, stored.usage, stored.logs, stored.annotations) == (
        {},
        {},
        {},
        {},
    )
    assert stored.public_token is None
    assert stored.created_at.tzinfo is not None


async def test_update_and_merge_persist(migrated: Database, box: SecretBox, two_orgs):
    acme, _ = two_orgs
    run = await make_run(migrated, box, acme)
    ended = utcnow()
    async with migrated.transaction() as session:
        await update_run(
            session,
            acme,
            run.id,
            state=RunState.COMPLETING,
            gathered_context={"caller": "+100"},
            usage={"llm": {"prompt_tokens": 12}},
            logs={"langfuse": {"trace_id": "t1"}},
            ended_at=ended,
        )
        await merge_run_annotations(session, acme, run.id, {"qa": {"score": 3}})
        await merge_run_annotations(session, acme, run.id, {"langfuse": {"n1": "ok"}})
    async with migrated.transaction() as session:
        stored = await get_run(session, acme, run.id)
    assert stored.state is RunState.COMPLETING
    assert stored.gathered_context == {"caller": "+100"}
    assert stored.usage == {"llm": {"prompt_tokens": 12}}
    assert stored.logs == {"langfuse": {"trace_id": "t1"}}
    assert stored.annotations == {"qa": {"score": 3}, "langfuse": {"n1": "ok"}}
    assert stored.ended_at == ended


async def test_the_public_token_is_made_once_and_finds_the_run(
    migrated: Database, box: SecretBox, two_orgs
):
    acme, _ = two_orgs
    run = await make_run(migrated, box, acme)
    async with migrated.transaction() as session:
        token = await ensure_run_public_token(session, acme, run.id)
        assert await ensure_run_public_token(session, acme, run.id) == token
    assert len(token) >= 32
    async with migrated.transaction() as session:
        assert (await find_run_by_public_token(session, token)).id == run.id
        with pytest.raises(NotFoundError) as caught:
            await find_run_by_public_token(session, token[:-2] + "xx")
    assert token[:10] not in str(caught.value)


async def test_runs_are_listed_newest_first(migrated: Database, box: SecretBox, two_orgs):
    acme, globex = two_orgs
    first = await make_run(migrated, box, acme)
    second = await make_run(migrated, box, acme)
    async with migrated.transaction() as session:
        listed = await list_runs(session, acme)
        assert await list_runs(session, globex) == []
        only_first = await list_runs(session, acme, workflow_id=first.workflow_id)
    assert {r.id for r in listed} == {first.id, second.id}
    assert listed[0].created_at >= listed[1].created_at
    assert [r.id for r in only_first] == [first.id]

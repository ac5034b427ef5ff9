"""Workflows: immutable versions, pinned runs, and secrets encrypted at rest."""

from __future__ import annotations

import uuid

import pytest

from jackfield_server import Database, NotFoundError, SecretBox
from jackfield_server._store import (
    create_run,
    create_workflow,
    get_run_definition,
    get_workflow,
    list_workflows,
    update_workflow,
)

SECRET = "sk-live-0123456789abcdef"
LIST_SECRET = "hook-token-fedcba9876"


def _definition(secret: str, prompt: str = "Hello") -> dict[str, object]:
    return {
        "nodes": [
            {"id": "s", "type": "start", "data": {"prompt": prompt}},
            {
                "id": "n1",
                "type": "langfuse",
                "data": {"secret_key": secret, "tokens": [LIST_SECRET], "host": "h"},
            },
        ],
        "edges": [],
    }


SENSITIVE = {"n1": ("secret_key", "tokens")}


async def test_secrets_never_reach_the_database_in_clear(
    migrated: Database, box: SecretBox, two_orgs: tuple[uuid.UUID, uuid.UUID], dump
):
    acme, _ = two_orgs
    async with migrated.transaction() as session:
        created = await create_workflow(
            session,
            box,
            acme,
            name="support",
            definition=_definition(SECRET),
            sensitive_fields=SENSITIVE,
        )
        await update_workflow(
            session,
            box,
            acme,
            created.id,
            definition=_definition(SECRET + "-v2"),
            sensitive_fields=SENSITIVE,
        )
    text = await dump(migrated)
    assert "langfuse" in text  # the dump does show the definitions
    assert SECRET not in text
    assert LIST_SECRET not in text
    async with migrated.transaction() as session:
        stored = await get_workflow(session, box, acme, created.id)
    assert stored.definition == _definition(SECRET + "-v2")
    assert stored.sensitive_fields == {"n1": ("secret_key", "tokens")}


async def test_each_update_is_a_new_version_and_old_ones_stay(
    migrated: Database, box: SecretBox, two_orgs
):
    acme, _ = two_orgs
    async with migrated.transaction() as session:
        first = await create_workflow(
            session,
            box,
            acme,
            name="support",
            definition=_definition(SECRET),
            sensitive_fields=SENSITIVE,
        )
        run = await create_run(session, acme, first.id)
        second = await update_workflow(
            session,
            box,
            acme,
            first.id,
            name="support v2",
            definition=_definition("other-secret", prompt="Hi"),
            sensitive_fields=SENSITIVE,
        )
    assert (first.version, second.version) == (1, 2)
    assert second.version_id != first.version_id
    async with migrated.transaction() as session:
        latest = await get_workflow(session, box, acme, first.id)
        old = await get_workflow(session, box, acme, first.id, version=1)
        pinned = await get_run_definition(session, box, acme, run.id)
        listed = await list_workflows(session, acme)
        with pytest.raises(NotFoundError):
            await get_workflow(session, box, acme, first.id, version=3)
    assert (latest.name, latest.version, latest.latest_version) == ("support v2", 2, 2)
    assert latest.definition == _definition("other-secret", prompt="Hi")
    assert old.definition == _definition(SECRET)
    assert (pinned.version, pinned.definition) == (1, _definition(SECRET))
    assert run.workflow_version == 1
    assert [(w.name, w.latest_version) for w in listed] == [("support v2", 2)]


async def test_a_run_can_pin_an_older_version(migrated: Database, box: SecretBox, two_orgs):
    acme, _ = two_orgs
    async with migrated.transaction() as session:
        workflow = await create_workflow(
            session, box, acme, name="w", definition=_definition(SECRET), sensitive_fields=SENSITIVE
        )
        await update_workflow(
            session, box, acme, workflow.id, definition=_definition("b"), sensitive_fields=SENSITIVE
        )
        run = await create_run(session, acme, workflow.id, version=1)
        with pytest.raises(NotFoundError):
            await create_run(session, acme, workflow.id, version=7)
        pinned = await get_run_definition(session, box, acme, run.id)
    assert pinned.version == 1
    assert pinned.definition == _definition(SECRET)


async def test_sensitive_fields_of_unknown_nodes_are_not_recorded(
    migrated: Database, box: SecretBox, two_orgs
):
    acme, _ = two_orgs
    async with migrated.transaction() as session:
        stored = await create_workflow(
            session,
            box,
            acme,
            name="w",
            definition=_definition(SECRET),
            sensitive_fields={**SENSITIVE, "deleted-node": ("x",), "s": ()},
        )
    assert stored.sensitive_fields == {"n1": ("secret_key", "tokens")}

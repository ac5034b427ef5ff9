"""Migrations apply from empty, are idempotent, and match the ORM models."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from jackfield_server import Database
from jackfield_server._models import Base

TABLES = {
    "alembic_version",
    "api_keys",
    "completion_jobs",
    "completion_results",
    "organizations",
    "run_artifacts",
    "runs",
    "workflow_versions",
    "workflows",
}


async def test_migrations_apply_to_an_empty_database(database: Database):
    assert await database.revision() is None
    head = await database.migrate()
    assert await database.revision() == head
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert tables == TABLES


async def test_migrating_twice_changes_nothing(database: Database):
    head = await database.migrate()
    assert await database.migrate() == head
    assert await database.revision() == head


async def test_processes_starting_together_migrate_once(database: Database):
    url = database.engine.url.render_as_string(hide_password=False)
    others = [Database.connect(url, schema=database.schema) for _ in range(2)]
    try:
        revisions = await asyncio.gather(database.migrate(), *(o.migrate() for o in others))
    finally:
        for other in others:
            await other.dispose()
    assert len(set(revisions)) == 1
    assert await database.revision() == revisions[0]


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(migrated: Database):
    async with migrated.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []

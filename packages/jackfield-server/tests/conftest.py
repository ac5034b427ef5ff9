"""Fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL tests use the server at ``JACKFIELD_TEST_POSTGRES_URL`` (default
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``), each test in a schema of
its own that is dropped afterwards. They are skipped only when that server
cannot be reached.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from api_helpers import Api, start_api
from server_plugins import delivery_plugin, make_host
from sqlalchemy import text
from sqlalchemy.engine import make_url

from jackfield.host import PluginHost
from jackfield_server import Database, SecretBox, Settings
from jackfield_server._store import create_organization

POSTGRES_URL = os.environ.get(
    "JACKFIELD_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def _postgres_reachable() -> bool:
    url = make_url(POSTGRES_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=2):
            return True
    except OSError:
        return False


async def _sqlite_database(tmp_path: Path) -> Database:
    return Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'jackfield.db'}")


@pytest.fixture
async def postgres_database() -> AsyncIterator[Database]:
    """An empty database in a fresh PostgreSQL schema, dropped after the test."""
    if not _postgres_reachable():
        pytest.skip(f"PostgreSQL at {make_url(POSTGRES_URL).host} is not reachable")
    schema = f"jf_test_{uuid.uuid4().hex[:16]}"
    database = Database.connect(POSTGRES_URL, schema=schema)
    try:
        yield database
    finally:
        async with database.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await database.dispose()


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    """An empty SQLite database file in the test's temporary directory."""
    database = await _sqlite_database(tmp_path)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Database:
    """An empty database, once on each backend."""
    name = "sqlite_database" if request.param == "sqlite" else "postgres_database"
    return request.getfixturevalue(name)


@pytest.fixture
async def migrated(database: Database) -> Database:
    """The database with every migration applied."""
    await database.migrate()
    return database


@pytest.fixture
def box() -> SecretBox:
    """A secret box with a fresh random key."""
    return SecretBox([SecretBox.generate_key()])


@pytest.fixture
async def two_orgs(migrated: Database) -> tuple[uuid.UUID, uuid.UUID]:
    """Two organizations' ids, ``acme`` and ``globex``."""
    async with migrated.transaction() as session:
        acme = await create_organization(session, name="acme")
        globex = await create_organization(session, name="globex")
    return acme.id, globex.id


@pytest.fixture
def dump() -> Callable[[Database], Awaitable[str]]:
    """A function returning every row of every table as text, as a database dump shows them."""
    return _dump_database


async def _dump_database(database: Database) -> str:
    if database.dialect == "sqlite":
        path = database.engine.url.database
        assert path is not None
        connection = sqlite3.connect(path)
        try:
            return "\n".join(connection.iterdump())
        finally:
            connection.close()
    async with database.engine.connect() as connection:
        tables = (
            await connection.execute(
                text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = :schema"
                ),
                {"schema": database.schema},
            )
        ).scalars()
        lines = []
        for table in list(tables):
            rows = await connection.execute(text(f'SELECT row_to_json(t)::text FROM "{table}" t'))
            lines.extend(rows.scalars())
    return "\n".join(lines)


# -- the HTTP API ---------------------------------------------------------------


@pytest.fixture
def server_settings(tmp_path: Path) -> Settings:
    """Settings for an app under test: quick polling, short leases, a fixed key."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
        secret_keys=(SecretBox.generate_key(),),
        public_url="http://jackfield.test",
        auth_cache_s=0.0,  # every request checks its key in the database
        worker_poll_s=0.05,
        worker_lease_s=5.0,
    )


@pytest.fixture
def plugin_host() -> PluginHost:
    """A host with the built-in nodes and one delivery plugin, ``deliver``."""
    return make_host(("deliver", delivery_plugin("deliver")))


@pytest.fixture
async def api(
    database: Database, server_settings: Settings, plugin_host: PluginHost
) -> AsyncIterator[Api]:
    """The app on the test database (each backend), started, with keys for acme and globex."""
    async with start_api(server_settings, plugin_host, database) as started:
        yield started

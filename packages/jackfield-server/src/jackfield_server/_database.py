"""The database connection: engine, transactions, and migrations on start."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from jackfield_server._errors import ServerConfigError
from jackfield_server._migrations import head_revision, stored_revision, upgrade_to_head
from jackfield_server._settings import normalize_database_url

__all__ = ["Database"]

_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_SQLITE_BUSY_TIMEOUT_SECONDS = 30
_MIGRATION_LOCK_KEY = 0x6A61636B  # "jack": the advisory lock held while migrating


class Database:
    """The server's database: an async engine and its sessions.

    Use :meth:`connect` to open one, :meth:`migrate` once on start, and
    :meth:`transaction` for each unit of work. On SQLite every transaction
    starts with ``BEGIN IMMEDIATE`` (one writer at a time, waiting up to 30 s
    for the lock), which keeps read-then-write transactions such as job claiming
    free of lost updates and of "database is locked" failures.
    """

    def __init__(self, engine: AsyncEngine, *, schema: str | None = None) -> None:
        self.engine = engine
        self.schema = schema
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def connect(cls, url: str, *, schema: str | None = None, echo: bool = False) -> Database:
        """Open the database at ``url`` (sync driver names are mapped to async ones).

        :param schema: PostgreSQL only: the schema holding the tables (created by
            :meth:`migrate` if missing); default: the server's ``search_path``.
        :raises ServerConfigError: the URL is malformed, names an unsupported
            database, or ``schema`` is not a plain identifier.
        """
        try:
            parsed = make_url(normalize_database_url(url))
        except Exception:  # SQLAlchemy raises ArgumentError and ValueError here
            raise ServerConfigError("JACKFIELD_DATABASE_URL is not a valid database URL") from None
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise ServerConfigError(
                f"database {backend!r} is not supported (use sqlite or postgresql)"
            )
        if schema is not None and (backend != "postgresql" or not _SCHEMA_NAME.fullmatch(schema)):
            raise ServerConfigError(
                f"schema {schema!r} must be a plain identifier, and only on PostgreSQL"
            )
        if backend == "sqlite":
            return cls(_sqlite_engine(parsed, echo=echo))
        connect_args: dict[str, Any] = {}
        if schema is not None:
            connect_args["server_settings"] = {"search_path": schema}
        engine = create_async_engine(parsed, echo=echo, connect_args=connect_args)
        return cls(engine, schema=schema)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction, committed on exit or rolled back on error."""
        async with self._sessions.begin() as session:
            yield session

    async def migrate(self) -> str:
        """Bring the schema up to the newest migration; return that revision.

        Safe to call from several processes at once: they migrate in turn, and
        the later ones find nothing left to do.
        """
        async with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                # Servers and workers starting together migrate one at a time
                # (on SQLite, BEGIN IMMEDIATE already serialises them).
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
            if self.schema is not None:
                await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            await connection.run_sync(upgrade_to_head)
        return head_revision()

    async def revision(self) -> str | None:
        """The migration revision the database is at (``None`` when empty)."""
        async with self.engine.connect() as connection:
            return await connection.run_sync(stored_revision)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def _use_wal(cursor: Any) -> None:
    """Switch the database file to write-ahead logging, once, waiting out other writers.

    Changing the journal mode needs the file to itself and does not wait for
    the busy timeout: when several processes open a new database at once (a
    server and its workers), the ones that lose try again for a while.
    """
    cursor.execute("PRAGMA journal_mode")
    if str(cursor.fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + _SQLITE_BUSY_TIMEOUT_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except Exception as exc:  # the driver's OperationalError, through the async adapter
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_engine(url: URL, *, echo: bool) -> AsyncEngine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = create_async_engine(
        url, echo=echo, connect_args={"timeout": _SQLITE_BUSY_TIMEOUT_SECONDS}
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 module so SQLAlchemy controls it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        _use_wal(cursor)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine

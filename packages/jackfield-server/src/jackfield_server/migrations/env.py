"""Alembic environment of the jackfield server.

The server applies migrations itself on start (``Database.migrate``), handing
its open connection over in ``config.attributes["connection"]``. Run from the
``alembic`` command line instead (see ``alembic.ini`` at the distribution's
root), it connects to ``JACKFIELD_DATABASE_URL`` or ``sqlalchemy.url``.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from jackfield_server._models import Base
from jackfield_server._settings import Settings, normalize_database_url

target_metadata = Base.metadata


def _run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_url(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run_migrations)
    finally:
        await engine.dispose()


def _database_url() -> str:
    configured = context.config.get_main_option("sqlalchemy.url")
    return normalize_database_url(configured) if configured else Settings.from_env().database_url


shared_connection = context.config.attributes.get("connection")
if shared_connection is not None:
    _run_migrations(shared_connection)
elif context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_with_url(_database_url()))

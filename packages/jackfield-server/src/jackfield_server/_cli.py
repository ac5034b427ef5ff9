"""``jackfield serve``, ``jackfield worker`` and ``jackfield keys``.

They join the core ``jackfield`` command through the ``jackfield.cli``
entry-point group and follow its convention: ``serve`` and ``worker`` load
the plugins through :func:`jackfield.host.cli_host` and take ``--strict``
(``keys`` loads none). Options override the ``JACKFIELD_*`` environment
variables (see :class:`~jackfield_server.Settings`); logs go to stderr as JSON
lines.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click

from jackfield import PluginError
from jackfield.host import cli_host, strict_option
from jackfield_server._database import Database
from jackfield_server._errors import NotFoundError, ServerError
from jackfield_server._logging import configure_json_logging
from jackfield_server._settings import Settings
from jackfield_server._store import create_api_key, create_organization, find_organization

__all__ = ["keys", "serve", "worker"]

_LEVELS = click.Choice(["debug", "info", "warning", "error"], case_sensitive=False)


def _settings(**overrides: object) -> Settings:
    names = {
        "data_dir": "JACKFIELD_DATA_DIR",
        "database_url": "JACKFIELD_DATABASE_URL",
        "broker_url": "JACKFIELD_BROKER_URL",
    }
    environ = dict(os.environ)
    for key, value in overrides.items():
        if value is not None:
            environ[names[key]] = str(value)
    try:
        return Settings.from_env(environ)
    except ServerError as exc:
        raise click.ClickException(str(exc)) from None


_data_dir = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the server keeps its files [env: JACKFIELD_DATA_DIR].",
)
_database_url = click.option(
    "--database-url",
    metavar="URL",
    help="sqlite:///path or postgresql://user@host/db [env: JACKFIELD_DATABASE_URL].",
)
_log_level = click.option("--log-level", type=_LEVELS, default="info", show_default=True)


@click.command("serve")
@click.option("--host", "bind_host", default="127.0.0.1", show_default=True, help="Address.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@_database_url
@_data_dir
@_log_level
@strict_option
@click.pass_context
def serve(
    ctx: click.Context,
    bind_host: str,
    port: int,
    database_url: str | None,
    data_dir: Path | None,
    log_level: str,
) -> None:
    """Run the jackfield server: HTTP API, installed plugins, completion worker.

    Migrations are applied on start. Without JACKFIELD_BROKER_URL the
    post-call completion runs in this process; with it, in `jackfield worker`
    processes.
    """
    from jackfield_server._serve import run_server

    configure_json_logging(log_level)
    settings = _settings(database_url=database_url, data_dir=data_dir)
    host = cli_host(ctx)
    try:
        run_server(settings, host, bind_host=bind_host, port=port)
    except ServerError as exc:
        raise click.ClickException(str(exc)) from None
    except PluginError as exc:  # strict mode: a plugin's routers cannot be mounted
        raise click.ClickException(f"strict mode: {exc}") from exc


@click.command("worker")
@click.option("--broker-url", metavar="URL", help="Celery broker [env: JACKFIELD_BROKER_URL].")
@_database_url
@_data_dir
@_log_level
@strict_option
@click.pass_context
def worker(
    ctx: click.Context,
    broker_url: str | None,
    database_url: str | None,
    data_dir: Path | None,
    log_level: str,
) -> None:
    """Run a Celery completion worker (one job at a time; start several for more).

    Needs JACKFIELD_BROKER_URL (or --broker-url), the server's database and
    its secret key, and jackfield-server's `celery` extra.
    """
    from jackfield_server._worker._celery import run_celery_worker

    configure_json_logging(log_level)
    settings = _settings(broker_url=broker_url, database_url=database_url, data_dir=data_dir)
    host = cli_host(ctx)
    try:
        run_celery_worker(settings, host, loglevel=log_level.upper())
    except ServerError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("keys")
def keys() -> None:
    """Manage organizations' API keys."""


async def _create_key(settings: Settings, organization: str, name: str) -> tuple[str, bool]:
    database = Database.connect(settings.database_url)
    try:
        await database.migrate()
        async with database.transaction() as session:
            created = False
            try:
                org = await find_organization(session, organization)
            except NotFoundError:
                org = await create_organization(session, name=organization)
                created = True
            key, _record = await create_api_key(session, org.id, name=name)
        return key, created
    finally:
        await database.dispose()


@keys.command("create")
@click.argument("organization")
@click.option("--name", default="default", show_default=True, help="A label for the key.")
@_database_url
@_data_dir
def create_key(
    organization: str, name: str, database_url: str | None, data_dir: Path | None
) -> None:
    """Create an API key for ORGANIZATION (created too if missing); print the key once.

    The key is printed alone on stdout and never shown again: the database
    keeps only its hash.
    """
    settings = _settings(database_url=database_url, data_dir=data_dir)
    try:
        key, created = asyncio.run(_create_key(settings, organization, name))
    except ServerError as exc:
        raise click.ClickException(str(exc)) from None
    if created:
        click.echo(f"Created organization {organization!r}.", err=True)
    click.echo(f"API key {name!r} for {organization!r} (shown once, store it now):", err=True)
    click.echo(key)

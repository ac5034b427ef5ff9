"""The FastAPI application: :func:`create_app`.

Everything lives under ``/api/v1``. The application's lifespan migrates the
database and, unless a Celery broker is configured, runs the in-process
completion worker; so one process (``jackfield serve``, or a demo script
calling :func:`create_app` and uvicorn) is a complete server.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version as distribution_version

from fastapi import APIRouter, FastAPI
from sqlalchemy import text

from jackfield.host import PluginHost
from jackfield_server._api._catalog import CatalogCache, catalog_router
from jackfield_server._api._checks import checks_router
from jackfield_server._api._deps import StateDep, require_caller
from jackfield_server._api._problems import install_error_handlers
from jackfield_server._api._public import public_router
from jackfield_server._api._runs import runs_router
from jackfield_server._api._schemas import HealthOut
from jackfield_server._api._workflows import workflows_router
from jackfield_server._database import Database
from jackfield_server._plugin_routes import mount_plugin_routers
from jackfield_server._settings import Settings
from jackfield_server._state import ServerState
from jackfield_server._worker._celery_client import celery_waker
from jackfield_server._worker._inprocess import CompletionWorker

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"
_log = logging.getLogger("jackfield.server")


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", summary="Health check")
    async def health(state: StateDep) -> HealthOut:
        """The server is up and its database answers (no API key needed)."""
        async with state.database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return HealthOut(status="ok", version=distribution_version("jackfield-server"))

    return router


def create_app(
    settings: Settings | None = None,
    host: PluginHost | None = None,
    *,
    database: Database | None = None,
    worker: bool | None = None,
) -> FastAPI:
    """Build the server application.

    :param settings: the server settings (default: from the environment).
    :param host: the plugin host (default: a new host that loads the installed
        plugins). Tests and demos register plugin objects on a host of their own.
    :param database: an already opened database (default: opened from
        ``settings.database_url``; closed when the application stops).
    :param worker: run the in-process completion worker (default: yes, unless
        ``settings.broker_url`` is set, in which case completion is left to
        ``jackfield worker`` processes and this server only sends them tasks).

    The plugins are loaded and their routers mounted here; the database is
    migrated, and the worker started, when the application starts.
    ``app.state.jackfield`` is the :class:`~jackfield_server.ServerState`;
    ``app.state.jackfield_worker`` the in-process worker, if any.
    """
    settings = settings if settings is not None else Settings.from_env()
    host = host if host is not None else PluginHost()
    host.load()
    owns_database = database is None
    database = database if database is not None else Database.connect(settings.database_url)
    state = ServerState.from_settings(settings, host, database)
    run_worker = settings.broker_url is None if worker is None else worker
    in_process = CompletionWorker(state) if run_worker else None
    if in_process is not None:
        state.wake_completion = in_process.wake
    elif settings.broker_url is not None:
        state.wake_completion = celery_waker(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        revision = await database.migrate()
        _log.info("database at migration %s; %d plugin(s) known", revision, len(host.packages()))
        if in_process is not None:
            await in_process.start()
        try:
            yield
        finally:
            if in_process is not None:
                await in_process.stop()
            if owns_database:
                await database.dispose()

    app = FastAPI(
        title="jackfield server",
        version=distribution_version("jackfield-server"),
        description=(
            "The reference host of jackfield integration plugins: node catalog, "
            "workflows, runs of scripted calls, and their post-call completion."
        ),
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.jackfield = state
    app.state.jackfield_worker = in_process
    app.state.jackfield_catalog = CatalogCache(host)
    install_error_handlers(app)
    for router in (
        _health_router(),
        catalog_router(),
        workflows_router(),
        checks_router(),
        runs_router(),
        public_router(),
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.state.jackfield_plugin_routes = mount_plugin_routers(app, host, authenticate=require_caller)
    return app

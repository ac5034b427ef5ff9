"""Running the server with uvicorn, in the foreground: what ``jackfield serve`` does."""

from __future__ import annotations

import dataclasses
import logging

import uvicorn

from jackfield.host import PluginHost
from jackfield_server._app import create_app
from jackfield_server._database import Database
from jackfield_server._settings import Settings

__all__ = ["run_server"]

_log = logging.getLogger("jackfield.server")
_ANY_ADDRESS = {"0.0.0.0", "::", ""}


def run_server(
    settings: Settings,
    host: PluginHost | None = None,
    *,
    bind_host: str = "127.0.0.1",
    port: int = 8000,
    database: Database | None = None,
) -> None:
    """Serve the API on ``bind_host:port`` until interrupted (SIGINT/SIGTERM).

    Without ``settings.public_url`` the public links point at this address
    (``127.0.0.1`` when listening on every interface: set
    ``JACKFIELD_PUBLIC_URL`` for links others can follow). Logging is left as
    the caller configured it.
    """
    if settings.public_url is None:
        shown = "127.0.0.1" if bind_host in _ANY_ADDRESS else bind_host
        if ":" in shown:
            shown = f"[{shown}]"
        settings = dataclasses.replace(settings, public_url=f"http://{shown}:{port}")
    app = create_app(settings, host, database=database)
    config = uvicorn.Config(
        app, host=bind_host, port=port, log_config=None, lifespan="on", access_log=True
    )
    _log.info("serving on %s:%d", bind_host, port)
    uvicorn.Server(config).run()

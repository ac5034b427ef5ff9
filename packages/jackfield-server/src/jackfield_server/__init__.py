"""jackfield-server: the reference host server of jackfield.

What a host writer uses: :func:`create_app` builds the FastAPI application
(HTTP API, plugin routes, in-process completion worker) from :class:`Settings`
and a plugin host; :func:`run_server` serves it with uvicorn;
:func:`create_celery_app` / :func:`run_celery_worker` run completion in Celery
worker processes instead. :func:`start_run` starts a run without HTTP, on the
:class:`ServerState` of a server (or one built from :class:`Settings`, a
:class:`Database` and a :class:`SecretBox`). The errors derive from
:class:`ServerError`.

Everything else (the store layer, the models, the workers' internals) lives
in modules whose names start with an underscore: private, free to change.
"""

from jackfield_server._app import create_app
from jackfield_server._crypto import SecretBox
from jackfield_server._database import Database
from jackfield_server._errors import (
    NotFoundError,
    SecretDecryptionError,
    ServerConfigError,
    ServerError,
    WorkflowNotRunnableError,
)
from jackfield_server._orchestration import Recording, StartedRun, start_run
from jackfield_server._serve import run_server
from jackfield_server._settings import Settings
from jackfield_server._state import ServerState
from jackfield_server._worker._celery import create_celery_app, run_celery_worker

__all__ = [
    "Database",
    "NotFoundError",
    "Recording",
    "SecretBox",
    "SecretDecryptionError",
    "ServerConfigError",
    "ServerError",
    "ServerState",
    "Settings",
    "StartedRun",
    "WorkflowNotRunnableError",
    "create_app",
    "create_celery_app",
    "run_celery_worker",
    "run_server",
    "start_run",
]

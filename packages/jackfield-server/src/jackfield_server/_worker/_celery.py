"""Completion in Celery worker processes (``jackfield worker``).

Each worker process runs the complete-due task one at a time (the ``solo``
pool; start more processes for more parallelism). The task claims due jobs
from the database with leases and runs them exactly as the in-process worker
does (:func:`~jackfield_server._worker._job.run_completion_job`); a retry the
orchestrator asks for becomes a task with a countdown. Tasks are acknowledged
late, so a task whose worker dies is delivered again; and because the job row
holds the lease, a job is never run by two workers at once. Every worker also
sweeps: on start and then every half lease it sends itself the task, which
picks up jobs whose worker died (expired leases) and jobs whose message was
lost.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from jackfield.host import PluginHost
from jackfield_server._database import Database
from jackfield_server._secret_key import load_secret_box
from jackfield_server._settings import Settings
from jackfield_server._state import ServerState
from jackfield_server._store import claim_completion_jobs
from jackfield_server._worker._celery_client import COMPLETE_DUE_TASK, base_celery_app, send_wake
from jackfield_server._worker._identity import new_worker_id
from jackfield_server._worker._job import run_completion_job

if TYPE_CHECKING:
    from celery import Celery  # type: ignore[import-untyped, unused-ignore]

__all__ = ["create_celery_app", "run_celery_worker"]

_log = logging.getLogger("jackfield.server.celery")

#: Jobs one task runs before it hands the worker back (and sends itself again).
JOBS_PER_TASK = 20


class _WorkerRuntime:
    """One worker process's event loop, database and plugin host, made on first use."""

    def __init__(
        self, settings: Settings, host: PluginHost | None, database: Database | None
    ) -> None:
        self.settings = settings
        self._host = host
        self._database = database
        self._state: ServerState | None = None
        self._runner: asyncio.Runner | None = None
        self._lock = threading.Lock()
        self.worker_id = new_worker_id("celery")

    def _ready(self) -> tuple[asyncio.Runner, ServerState]:
        with self._lock:
            if self._runner is None:
                self._runner = asyncio.Runner()
            if self._state is None:
                host = self._host if self._host is not None else PluginHost()
                host.load()
                database = self._database or Database.connect(self.settings.database_url)
                self._runner.run(database.migrate())
                self._state = ServerState(
                    self.settings, host, database, load_secret_box(self.settings)
                )
            return self._runner, self._state

    def drain(self, app: Celery) -> int:
        """Run due jobs until none is left (or :data:`JOBS_PER_TASK`); return how many ran."""
        runner, state = self._ready()
        return runner.run(self._drain(app, state))

    async def _drain(self, app: Celery, state: ServerState) -> int:
        lease = timedelta(seconds=self.settings.worker_lease_s)
        count = 0
        while count < JOBS_PER_TASK:
            async with state.database.transaction() as session:
                jobs = await claim_completion_jobs(
                    session, worker_id=self.worker_id, lease=lease, limit=1
                )
            if not jobs:
                return count
            outcome = await run_completion_job(state, jobs[0], worker_id=self.worker_id)
            if outcome.kind == "retry":
                send_wake(app, outcome.retry_in_s or 0.0)
            count += 1
        send_wake(app)  # more may be due: let the queue decide who takes them
        return count


def _sweeper_step(app: Celery, interval_s: float) -> type:
    from celery import bootsteps  # type: ignore[import-untyped, unused-ignore]

    class Sweeper(bootsteps.StartStopStep):  # type: ignore[misc]
        """Sends the complete-due task on start and every ``interval_s`` seconds."""

        def __init__(self, worker: Any, **kwargs: Any) -> None:
            super().__init__(worker, **kwargs)
            self._stop = threading.Event()
            self._thread: threading.Thread | None = None

        def start(self, worker: Any) -> None:
            def sweep() -> None:
                while True:
                    send_wake(app)
                    if self._stop.wait(interval_s):
                        return

            self._thread = threading.Thread(target=sweep, name="jackfield-sweep", daemon=True)
            self._thread.start()

        def stop(self, worker: Any) -> None:
            self._stop.set()

    return Sweeper


def create_celery_app(
    settings: Settings | None = None,
    host: PluginHost | None = None,
    *,
    database: Database | None = None,
) -> Celery:
    """The Celery app of a completion worker process.

    :param settings: the server settings; ``broker_url`` must be set.
    :param host: the plugin host (default: one that loads the installed plugins).
    :param database: an already opened database (default: from the settings).
    :raises ServerConfigError: no broker URL, or Celery is not installed.
    """
    settings = settings if settings is not None else Settings.from_env()
    app = base_celery_app(settings)
    runtime = _WorkerRuntime(settings, host, database)

    @app.task(name=COMPLETE_DUE_TASK, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
    def complete_due() -> int:
        return runtime.drain(app)

    interval = max(settings.worker_lease_s / 2, settings.worker_poll_s)
    app.steps["worker"].add(_sweeper_step(app, interval))
    return app


def run_celery_worker(
    settings: Settings | None = None,
    host: PluginHost | None = None,
    *,
    database: Database | None = None,
    loglevel: str = "INFO",
) -> None:
    """Run a Celery completion worker in this process until it is stopped."""
    settings = settings if settings is not None else Settings.from_env()
    app = create_celery_app(settings, host, database=database)
    app.worker_main(
        [
            "worker",
            "--pool=solo",
            f"--loglevel={loglevel}",
            f"--queues={settings.broker_queue}",
            f"--hostname=jackfield-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )

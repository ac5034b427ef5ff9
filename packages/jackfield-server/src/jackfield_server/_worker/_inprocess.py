"""The in-process completion worker: an asyncio task beside the HTTP server.

It claims due jobs from the database (leases, so several server processes
can share one database), runs up to ``settings.worker_concurrency`` at once,
and sleeps until it is woken (a run was started in this process) or
``settings.worker_poll_s`` passes (a retry became due, a lease expired, or
another process queued a job). A restarted server resumes queued jobs and,
once their leases expire, the jobs a dead process held.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from jackfield_server._models import CompletionJob
from jackfield_server._state import ServerState
from jackfield_server._store import claim_completion_jobs
from jackfield_server._worker._identity import new_worker_id
from jackfield_server._worker._job import JobOutcome, run_completion_job

__all__ = ["CompletionWorker"]

_log = logging.getLogger("jackfield.server.worker")


class CompletionWorker:
    """Runs completion jobs in this process's event loop.

    Use :meth:`start` and :meth:`stop` (the server's lifespan does), and
    :meth:`wake` after queueing a job. ``processed`` counts the jobs this
    worker finished, by outcome kind.
    """

    def __init__(self, state: ServerState, *, worker_id: str | None = None) -> None:
        self._state = state
        self.worker_id = worker_id or new_worker_id("inprocess")
        self._changed = asyncio.Event()
        self._running: set[asyncio.Task[JobOutcome]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False
        self.processed: dict[str, int] = {}

    def wake(self, _delay_s: float = 0.0) -> None:
        """Look for due jobs now (a :data:`~jackfield_server._state.CompletionWaker`)."""
        self._changed.set()

    async def start(self) -> None:
        """Start the worker loop in the running event loop."""
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._loop(), name="jackfield-completion")

    async def stop(self, *, grace_s: float = 10.0) -> None:
        """Stop claiming; give running jobs ``grace_s`` to finish, then cancel them.

        A cancelled job keeps its lease until it expires; another worker (or
        this server after a restart) runs it then.
        """
        self._stopping = True
        self._changed.set()
        if self._loop_task is not None:
            await self._loop_task
        if self._running:
            _done, pending = await asyncio.wait(self._running, timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _claim(self, limit: int) -> list[CompletionJob]:
        lease = timedelta(seconds=self._state.settings.worker_lease_s)
        try:
            async with self._state.database.transaction() as session:
                return await claim_completion_jobs(
                    session, worker_id=self.worker_id, lease=lease, limit=limit
                )
        except Exception:
            _log.exception("claiming completion jobs failed; trying again later")
            return []

    def _finished(self, task: asyncio.Task[JobOutcome]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is None:
            kind = task.result().kind
            self.processed[kind] = self.processed.get(kind, 0) + 1
        elif not task.cancelled():
            _log.error("completion job crashed the worker task", exc_info=task.exception())
        self._changed.set()

    async def _loop(self) -> None:
        concurrency = self._state.settings.worker_concurrency
        while not self._stopping:
            self._changed.clear()
            free = concurrency - len(self._running)
            jobs = await self._claim(free) if free > 0 else []
            for job in jobs:
                task = asyncio.create_task(
                    run_completion_job(self._state, job, worker_id=self.worker_id)
                )
                self._running.add(task)
                task.add_done_callback(self._finished)
            if jobs and len(jobs) == free:
                continue  # there may be more due right now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), self._state.settings.worker_poll_s)

"""The Celery side every process shares: the app's configuration and the waker.

Celery only wakes workers: the database job row stays the source of truth
(state, lease, attempts, due time). A message lost, duplicated or delivered
twice costs at most a useless look at the queue; a job whose message was lost
is found by the workers' periodic sweep. Celery is an optional dependency
(``pip install 'jackfield-server[celery]'``), imported only when a broker is
configured.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from jackfield_server._errors import ServerConfigError
from jackfield_server._settings import Settings
from jackfield_server._state import CompletionWaker

if TYPE_CHECKING:
    from celery import Celery  # type: ignore[import-untyped, unused-ignore]

__all__ = ["COMPLETE_DUE_TASK", "base_celery_app", "celery_waker", "send_wake"]

#: The one task: claim and run the due completion jobs.
COMPLETE_DUE_TASK = "jackfield.complete_due"

_log = logging.getLogger("jackfield.server.celery")


def base_celery_app(settings: Settings) -> Celery:
    """A Celery app for ``settings.broker_url``, configured for late acknowledgement.

    :raises ServerConfigError: no broker URL, or Celery is not installed.
    """
    if settings.broker_url is None:
        raise ServerConfigError("JACKFIELD_BROKER_URL is not set: Celery needs a broker")
    try:
        from celery import Celery  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ServerConfigError(
            "JACKFIELD_BROKER_URL is set but Celery is not installed: "
            "pip install 'jackfield-server[celery]'"
        ) from None
    app = Celery("jackfield", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=settings.broker_queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
    )
    return app


def send_wake(app: Celery, delay_s: float = 0.0) -> None:
    """Send the complete-due task, to run after ``delay_s``; log instead of raising."""
    try:
        app.send_task(COMPLETE_DUE_TASK, countdown=delay_s if delay_s > 0 else None)
    except Exception:
        _log.warning("could not reach the broker; the workers' sweep will find the job")


def celery_waker(settings: Settings) -> CompletionWaker:
    """A waker that sends the complete-due task (off the event loop when there is one)."""
    app = base_celery_app(settings)

    def wake(delay_s: float) -> None:
        try:
            loop: Any = asyncio.get_running_loop()
        except RuntimeError:
            send_wake(app, delay_s)
        else:
            loop.run_in_executor(None, send_wake, app, delay_s)

    return wake

"""Completion jobs (the durable queue) and per-plugin, per-node results."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jackfield_server._models._base import Base, new_id, state_column, utcnow

__all__ = ["FINAL_RESULT_STATUSES", "CompletionJob", "CompletionResult", "JobState", "ResultStatus"]


class JobState(enum.StrEnum):
    """Where a completion job is in the queue."""

    QUEUED = "queued"
    """Waiting for its ``due_at``."""
    RUNNING = "running"
    """Claimed by a worker until ``lease_expires_at``; claimable again after it."""
    DONE = "done"
    """Finished: every plugin and node reached a final result."""
    DEAD = "dead"
    """Dead-lettered: given up on after the last allowed attempt."""


class ResultStatus(enum.StrEnum):
    """The outcome of one plugin's completion for one node."""

    PENDING = "pending"
    """Not final: to be retried at ``retry_at``."""
    DELIVERED = "delivered"
    SKIPPED = "skipped"
    FAILED = "failed"


FINAL_RESULT_STATUSES = frozenset(
    {ResultStatus.DELIVERED, ResultStatus.SKIPPED, ResultStatus.FAILED}
)
"""Statuses that are never overwritten: a re-run must not repeat them."""


class CompletionJob(Base):
    """The post-call completion work of one run, as a durable queue entry.

    A worker claims a due job for a lease; ``attempts`` counts the claims. If the
    worker dies, the lease expires and another worker claims the job again.
    ``last_error`` holds an error kind (an exception class name), never a message.
    """

    __tablename__ = "completion_jobs"
    __table_args__ = (
        Index("ix_completion_jobs_state_due_at", "state", "due_at"),
        Index("ix_completion_jobs_state_lease_expires_at", "state", "lease_expires_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("runs.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[JobState] = state_column(JobState)
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(200), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CompletionResult(Base):
    """What one plugin's completion produced for one node of one run.

    Unique on (run, plugin, node): recording the same node twice updates the row,
    and a final status (delivered, skipped, failed) is never overwritten.
    ``attempts`` counts the recordings.
    """

    __tablename__ = "completion_results"
    __table_args__ = (UniqueConstraint("run_id", "plugin", "node_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    plugin: Mapped[str] = mapped_column(String(200))
    node_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[ResultStatus] = state_column(ResultStatus)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(default=1)
    retry_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

"""Workflow runs: one call through a pinned workflow version."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from jackfield_server._models._base import Base, new_id, state_column, utcnow

__all__ = ["Run", "RunState"]


class RunState(enum.StrEnum):
    """Where a run is in its life."""

    CREATED = "created"
    """Stored, the call has not started."""
    IN_CALL = "in_call"
    """The call is live."""
    COMPLETING = "completing"
    """The call ended; post-call completion is queued or running."""
    COMPLETED = "completed"
    """Completion finished (each plugin's outcome is in the completion results)."""
    FAILED = "failed"
    """The run could not be carried out."""


class Run(Base):
    """A run of a workflow, pinned to one :class:`WorkflowVersion`.

    ``gathered_context`` is what the call gathered, ``usage`` its usage totals,
    ``logs`` the integration logs (the plugins' snapshots by plugin name) and
    ``annotations`` the merged completion results. ``public_token`` is created
    on demand for public download links.
    """

    __tablename__ = "runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    workflow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    workflow_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflow_versions.id", ondelete="CASCADE"), index=True
    )
    workflow_version: Mapped[int]
    state: Mapped[RunState] = state_column(RunState)
    gathered_context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    usage: Mapped[dict[str, Any]] = mapped_column(default=dict)
    logs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    annotations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    public_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)

"""Workflows and their immutable definition versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jackfield_server._models._base import Base, new_id, utcnow

__all__ = ["Workflow", "WorkflowVersion"]


class Workflow(Base):
    """A named workflow of one organization; its content lives in its versions.

    ``latest_version`` is the number of the newest :class:`WorkflowVersion`.
    """

    __tablename__ = "workflows"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    latest_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WorkflowVersion(Base):
    """One saved definition of a workflow; never changed once written.

    ``definition`` is the workflow definition JSON with sensitive values sealed
    (see :func:`~jackfield_server._sealing.seal_definition`); ``sensitive_fields`` maps
    node id to the names of its sensitive fields, as given when it was saved.
    Versions are numbered 1, 2, ... per workflow; a run pins one.
    """

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("workflow_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    workflow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    definition: Mapped[dict[str, Any]]
    sensitive_fields: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

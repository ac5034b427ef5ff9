"""Files a run leaves behind (its transcript, a recording), served by public links."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jackfield_server._models._base import Base, new_id, state_column, utcnow

__all__ = ["ArtifactKind", "RunArtifact"]


class ArtifactKind(enum.StrEnum):
    """What a run artifact is; also the last segment of its public URL."""

    TRANSCRIPT = "transcript"
    """The call's transcript as JSON, built from the call events."""
    RECORDING = "recording"
    """The call's audio, as the client uploaded it."""


class RunArtifact(Base):
    """One artifact of one run: its bytes and media type, at most one per kind.

    Kept in the database (not in files) so that every server and worker sharing
    the database can serve it.
    """

    __tablename__ = "run_artifacts"
    __table_args__ = (UniqueConstraint("run_id", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    kind: Mapped[ArtifactKind] = state_column(ArtifactKind)
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

"""The server's tables, as typed SQLAlchemy 2 ORM models."""

from jackfield_server._models._artifacts import ArtifactKind, RunArtifact
from jackfield_server._models._base import Base, UTCDateTime, utcnow
from jackfield_server._models._completion import (
    FINAL_RESULT_STATUSES,
    CompletionJob,
    CompletionResult,
    JobState,
    ResultStatus,
)
from jackfield_server._models._runs import Run, RunState
from jackfield_server._models._tenancy import ApiKey, Organization
from jackfield_server._models._workflows import Workflow, WorkflowVersion

__all__ = [
    "FINAL_RESULT_STATUSES",
    "ApiKey",
    "ArtifactKind",
    "Base",
    "CompletionJob",
    "CompletionResult",
    "JobState",
    "Organization",
    "ResultStatus",
    "Run",
    "RunArtifact",
    "RunState",
    "UTCDateTime",
    "Workflow",
    "WorkflowVersion",
    "utcnow",
]

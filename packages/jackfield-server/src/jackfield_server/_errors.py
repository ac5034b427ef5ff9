"""The exceptions the reference server raises on purpose.

They all derive from :class:`jackfield.JackfieldError`::

    JackfieldError
     └── ServerError                    anything the server's storage layer refuses
          ├── ServerConfigError         a setting or the secret key file is unusable
          ├── NotFoundError             no such object in this organization
          ├── ConflictError             the object clashes with an existing one
          ├── AuthenticationError       an API key is malformed, unknown or revoked
          ├── SecretDecryptionError     a stored secret cannot be decrypted with the keys
          ├── LeaseLostError            a worker acts on a job whose lease it no longer holds
          └── WorkflowNotRunnableError  the pinned workflow version has errors in run mode

Messages name the kind of object and its id, never a secret, an API key or a
configuration value.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from jackfield import JackfieldError, WorkflowProblem

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "LeaseLostError",
    "NotFoundError",
    "SecretDecryptionError",
    "ServerConfigError",
    "ServerError",
    "WorkflowNotRunnableError",
]


class ServerError(JackfieldError):
    """Base class of the errors raised by :mod:`jackfield_server`."""


class ServerConfigError(ServerError):
    """A server setting (environment variable or the secret key file) cannot be used."""


class NotFoundError(ServerError):
    """The object does not exist, or belongs to another organization.

    The two cases are deliberately indistinguishable, so one organization cannot
    probe for another's ids. ``kind`` is the object kind (``"workflow"``) and
    ``object_id`` its id.
    """

    def __init__(self, kind: str, object_id: uuid.UUID | str | int) -> None:
        super().__init__(f"{kind} {object_id} not found")
        self.kind = kind
        self.object_id = object_id


class AuthenticationError(ServerError):
    """An API key is malformed, unknown or revoked (the key itself is never shown)."""


class SecretDecryptionError(ServerError):
    """A stored secret cannot be decrypted with the configured secret keys.

    Usually the secret key changed; keep the old key listed after the new one in
    ``JACKFIELD_SECRET_KEY`` until every stored secret has been re-saved.
    """


class LeaseLostError(ServerError):
    """A worker tried to finish a completion job whose lease it no longer holds.

    The lease expired and another worker may have claimed the job; the first
    worker must drop its work on the job.
    """

    def __init__(self, job_id: uuid.UUID, worker_id: str) -> None:
        super().__init__(f"completion job {job_id}: worker {worker_id!r} no longer holds the lease")
        self.job_id = job_id
        self.worker_id = worker_id


class ConflictError(ServerError):
    """The object would clash with an existing one (for example a taken organization name)."""


class WorkflowNotRunnableError(ServerError):
    """The workflow version a run pins has errors when validated in run mode.

    Unknown node types and leftover masks are errors in run mode. ``problems``
    lists every :class:`~jackfield.WorkflowProblem` found (warnings too); like
    the message, they never quote a configuration value. No run was created.
    """

    def __init__(
        self, workflow_id: uuid.UUID, version: int, problems: Sequence[WorkflowProblem]
    ) -> None:
        errors = sum(1 for problem in problems if problem.severity == "error")
        super().__init__(f"workflow {workflow_id} version {version} cannot run: {errors} error(s)")
        self.workflow_id = workflow_id
        self.version = version
        self.problems = list(problems)

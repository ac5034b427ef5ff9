"""The store layer: async functions over an ``AsyncSession``, one module per concept.

Every function that reads or changes an organization's data takes its
``organization_id`` and never touches another's; objects of another
organization are reported as not found. Functions flush but never commit: the
caller owns the transaction (``async with database.transaction() as session``).

Names are ``<verb>_<object>``, the object being the model it works on
(``organization``, ``api_key``, ``workflow``, ``workflow_version``, ``run``,
``run_artifact``, ``completion_job``, ``completion_result``). Among the verbs: ``create_``,
``update_``, ``put_`` (create or replace), ``record_`` (insert or update),
``ensure_`` (create on first request); ``get_`` finds by id (or by the run the
object belongs to) and ``find_`` by another key (name, public token), both
raising :class:`~jackfield_server.NotFoundError`; ``list_`` returns a list,
possibly empty. Import from this package, not its modules.
"""

from jackfield_server._store._api_keys import (
    authenticate_api_key,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from jackfield_server._store._artifacts import (
    find_public_run_artifact,
    get_run_artifact,
    list_run_artifact_kinds,
    put_run_artifact,
)
from jackfield_server._store._jobs import (
    claim_completion_jobs,
    dead_letter_completion_job,
    enqueue_completion_job,
    finish_completion_job,
    get_completion_job,
    list_completion_jobs,
    renew_completion_job_lease,
    retry_completion_job,
)
from jackfield_server._store._organizations import (
    create_organization,
    find_organization,
    get_organization,
    list_organizations,
)
from jackfield_server._store._results import list_completion_results, record_completion_result
from jackfield_server._store._runs import (
    create_run,
    ensure_run_public_token,
    find_run_by_public_token,
    get_run,
    get_run_definition,
    list_runs,
    merge_run_annotations,
    update_run,
)
from jackfield_server._store._workflows import (
    StoredWorkflow,
    create_workflow,
    get_workflow,
    get_workflow_version,
    list_workflows,
    update_workflow,
)

__all__ = [
    "StoredWorkflow",
    "authenticate_api_key",
    "claim_completion_jobs",
    "create_api_key",
    "create_organization",
    "create_run",
    "create_workflow",
    "dead_letter_completion_job",
    "enqueue_completion_job",
    "ensure_run_public_token",
    "find_organization",
    "find_public_run_artifact",
    "find_run_by_public_token",
    "finish_completion_job",
    "get_completion_job",
    "get_organization",
    "get_run",
    "get_run_artifact",
    "get_run_definition",
    "get_workflow",
    "get_workflow_version",
    "list_api_keys",
    "list_completion_jobs",
    "list_completion_results",
    "list_organizations",
    "list_run_artifact_kinds",
    "list_runs",
    "list_workflows",
    "merge_run_annotations",
    "put_run_artifact",
    "record_completion_result",
    "renew_completion_job_lease",
    "retry_completion_job",
    "revoke_api_key",
    "update_run",
    "update_workflow",
]

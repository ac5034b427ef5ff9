"""The service layer: async functions over an ``AsyncSession``, one module per concept.

Every function that reads or changes an organization's data takes its
``organization_id`` and never touches another's; objects of another
organization are reported as not found. Functions flush but never commit: the
caller owns the transaction (``async with database.transaction() as session``).
"""

from jackfield_server._store.api_keys import (
    authenticate_api_key,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from jackfield_server._store.artifacts import (
    find_public_artifact,
    get_run_artifact,
    list_run_artifact_kinds,
    put_run_artifact,
)
from jackfield_server._store.jobs import (
    claim_completion_jobs,
    complete_job,
    dead_letter_job,
    enqueue_completion,
    get_completion_job,
    list_completion_jobs,
    renew_lease,
    retry_job,
)
from jackfield_server._store.organizations import (
    create_organization,
    find_organization,
    get_organization,
    list_organizations,
)
from jackfield_server._store.results import list_completion_results, record_completion_result
from jackfield_server._store.runs import (
    create_run,
    ensure_public_token,
    find_run_by_public_token,
    get_run,
    get_run_definition,
    list_runs,
    merge_run_annotations,
    update_run,
)
from jackfield_server._store.workflows import (
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
    "complete_job",
    "create_api_key",
    "create_organization",
    "create_run",
    "create_workflow",
    "dead_letter_job",
    "enqueue_completion",
    "ensure_public_token",
    "find_organization",
    "find_public_artifact",
    "find_run_by_public_token",
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
    "renew_lease",
    "retry_job",
    "revoke_api_key",
    "update_run",
    "update_workflow",
]

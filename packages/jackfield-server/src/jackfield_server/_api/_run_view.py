"""Building the API's view of a run: state, results per plugin and node, links."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from jackfield_server._api._schemas import (
    CompletionJobOut,
    CompletionOut,
    NodeResultOut,
    PluginCompletionOut,
    RunLinks,
    RunOut,
    RunSummary,
)
from jackfield_server._errors import NotFoundError
from jackfield_server._models import ArtifactKind, CompletionJob, CompletionResult, Run
from jackfield_server._settings import Settings
from jackfield_server._store import (
    get_completion_job,
    get_run,
    list_completion_results,
    list_run_artifact_kinds,
)

__all__ = ["job_out", "public_link", "run_out"]

PUBLIC_PATH = "/api/v1/public/runs"


def public_link(settings: Settings, token: str, kind: ArtifactKind) -> str:
    """The public URL of a run artifact (a path when no public URL is configured)."""
    base = settings.public_base_url or PUBLIC_PATH
    return f"{base}/{token}/{kind.value}"


def job_out(job: CompletionJob) -> CompletionJobOut:
    """The API form of a completion job."""
    return CompletionJobOut(
        run_id=job.run_id,
        state=job.state.value,
        attempts=job.attempts,
        due_at=job.due_at,
        last_error=job.last_error,
        updated_at=job.updated_at,
    )


def _plugin_status(results: list[CompletionResult]) -> PluginCompletionOut:
    statuses = {r.status.value for r in results}
    pending = [r.retry_at for r in results if r.status.value == "pending"]
    if pending:
        status = "pending"
    elif "failed" in statuses:
        status = "failed"
    elif "delivered" in statuses:
        status = "delivered"
    else:
        status = "skipped"
    due = [moment for moment in pending if moment is not None]
    retry_at: datetime | None = min(due) if due else None
    nodes = [
        NodeResultOut(
            node_id=r.node_id,
            status=r.status.value,
            retry_at=r.retry_at,
            attempts=r.attempts,
            detail=r.result,
        )
        for r in sorted(results, key=lambda r: r.node_id)
    ]
    return PluginCompletionOut(status=status, retry_at=retry_at, nodes=nodes)


async def run_out(
    session: AsyncSession, settings: Settings, organization_id: uuid.UUID, run_id: uuid.UUID
) -> RunOut:
    """The full view of one of the organization's runs.

    :raises NotFoundError: no such run in that organization.
    """
    run: Run = await get_run(session, organization_id, run_id)
    job: CompletionJob | None
    try:
        job = await get_completion_job(session, organization_id, run_id)
    except NotFoundError:  # its completion was never queued
        job = None
    by_plugin: dict[str, list[CompletionResult]] = defaultdict(list)
    for result in await list_completion_results(session, organization_id, run_id):
        by_plugin[result.plugin].append(result)
    links = RunLinks()
    if run.public_token is not None:
        kinds = await list_run_artifact_kinds(session, organization_id, run_id)
        links = RunLinks(
            **{kind.value: public_link(settings, run.public_token, kind) for kind in kinds}
        )
    summary = RunSummary.model_validate(run)
    return RunOut(
        **summary.model_dump(),
        gathered_context=run.gathered_context,
        usage=run.usage,
        logs=run.logs,
        annotations=run.annotations,
        completion=CompletionOut(
            job=job_out(job) if job is not None else None,
            plugins={name: _plugin_status(rows) for name, rows in sorted(by_plugin.items())},
        ),
        links=links,
    )

"""Carrying out one completion job: the part every kind of worker shares.

A worker claims a job (a lease), then :func:`run_completion_job`:

1. reads the run and the workflow version it pinned (decrypted);
2. runs :func:`jackfield.host.complete_call` with the run's integration logs and
   its previous annotations, so nodes already final are not passed again,
   renewing the lease while it runs (and giving up at once if the lease is
   lost: another worker owns the job then);
3. in one transaction, after checking it still holds the lease: records each
   node's result (final results are never overwritten), merges the
   annotations, and finishes the job: done, queued again when the
   orchestrator asks for a retry, or dead-lettered when a node ran out of
   attempts or the job itself failed too often.

A worker that dies anywhere in between leaves its lease to expire; the next
claim runs the completion again from the last recorded state.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from jackfield import COMPLETION_STATE_KEY, NodeStatus
from jackfield.host import CompletionOutcome, NodeOutcome, complete_call
from jackfield_server._errors import LeaseLostError
from jackfield_server._models import CompletionJob, ResultStatus, RunState, utcnow
from jackfield_server._state import ServerState
from jackfield_server._store import (
    dead_letter_completion_job,
    ensure_run_public_token,
    finish_completion_job,
    get_run,
    get_run_definition,
    merge_run_annotations,
    record_completion_result,
    renew_completion_job_lease,
    retry_completion_job,
    update_run,
)

__all__ = ["JobOutcome", "run_completion_job"]

_log = logging.getLogger("jackfield.server.worker")

#: The longest a job waits before it is tried again after it failed as a whole.
MAX_JOB_BACKOFF_S = 300.0
_UNKNOWN_PLUGIN = "(unknown)"
_STATUS = {
    NodeStatus.DELIVERED: ResultStatus.DELIVERED,
    NodeStatus.SKIPPED: ResultStatus.SKIPPED,
    NodeStatus.FAILED: ResultStatus.FAILED,
    NodeStatus.RETRY: ResultStatus.PENDING,
}


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What became of one claimed job.

    ``kind`` is ``done``, ``retry`` (queued again; due in ``retry_in_s``),
    ``dead`` (dead-lettered) or ``lease_lost`` (another worker owns it now;
    nothing was recorded).
    """

    kind: Literal["done", "retry", "dead", "lease_lost"]
    retry_in_s: float | None = None


def _retry_error(outcome: CompletionOutcome) -> str:
    """The job's ``last_error`` for a retry: ``retry_later``, with the first node's
    (already sanitised) ``RetryLater`` message when it gave one."""
    for node in sorted(outcome.nodes.values(), key=lambda n: n.node_id):
        if node.status is NodeStatus.RETRY and node.message:
            return f"retry_later: {node.plugin}/{node.node_id}: {node.message}"[:200]
    return "retry_later"


def _node_detail(node: NodeOutcome, annotations: dict[str, Any]) -> dict[str, Any]:
    detail = node.to_json_dict()
    plugin_results = annotations.get(node.plugin) if node.plugin else None
    if isinstance(plugin_results, dict) and node.node_id in plugin_results:
        detail["result"] = plugin_results[node.node_id]
    return detail


async def _keep_lease(state: ServerState, job: CompletionJob, worker_id: str) -> None:
    """Renew the lease every third of its length; return only by raising LeaseLostError."""
    lease = timedelta(seconds=state.settings.worker_lease_s)
    while True:
        await asyncio.sleep(state.settings.worker_lease_s / 3)
        try:
            async with state.database.transaction() as session:
                await renew_completion_job_lease(session, job.id, worker_id=worker_id, lease=lease)
        except LeaseLostError:
            raise
        except Exception:  # the database hiccuped; the lease is still good for a while
            _log.warning("job %s: renewing the lease failed; trying again", job.id, exc_info=True)


async def _complete(state: ServerState, job: CompletionJob) -> CompletionOutcome:
    org = job.organization_id
    async with state.database.transaction() as session:
        run = await get_run(session, org, job.run_id)
        stored = await get_run_definition(session, state.box, org, job.run_id)
        logs, previous, token = dict(run.logs), dict(run.annotations), run.public_token
        record = {
            "id": str(run.id),
            "workflow_id": str(run.workflow_id),
            "workflow_name": stored.name,
            "workflow_version": stored.version,
            "created_at": run.created_at.isoformat(),
            "gathered_context": dict(run.gathered_context),
            "usage": dict(run.usage),
        }

    async def public_token() -> str:
        async with state.database.transaction() as session:
            return await ensure_run_public_token(session, org, job.run_id)

    return await complete_call(
        state.host,
        workflow_run_id=str(job.run_id),
        workflow_definition=stored.definition,
        workflow_run=record,
        definition_id=str(stored.version_id),
        organization_id=str(org),
        integration_logs=logs,
        previous_annotations=previous,
        public_token=token if token is not None else public_token,
        public_base_url=state.settings.public_base_url,
    )


async def _complete_under_lease(
    state: ServerState, job: CompletionJob, worker_id: str
) -> CompletionOutcome | None:
    """The outcome, or ``None`` if the lease was lost while completing."""
    completion = asyncio.ensure_future(_complete(state, job))
    keeper = asyncio.ensure_future(_keep_lease(state, job, worker_id))
    try:
        await asyncio.wait({completion, keeper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (completion, keeper):
            if not task.done():
                task.cancel()
        await asyncio.gather(completion, keeper, return_exceptions=True)
    if not completion.done() or completion.cancelled():
        _log.error("job %s: lease lost while completing; the work is dropped", job.id)
        return None
    return completion.result()


async def _record(
    state: ServerState, job: CompletionJob, worker_id: str, outcome: CompletionOutcome
) -> JobOutcome:
    org, run_id = job.organization_id, job.run_id
    lease = timedelta(seconds=state.settings.worker_lease_s)
    now = utcnow()
    async with state.database.transaction() as session:
        await renew_completion_job_lease(
            session, job.id, worker_id=worker_id, lease=lease
        )  # still ours?
        for node in outcome.nodes.values():
            retry_at = None
            if node.status is NodeStatus.RETRY:
                retry_at = now + timedelta(seconds=node.retry_in_s or 0.0)
            await record_completion_result(
                session,
                org,
                run_id,
                plugin=node.plugin or _UNKNOWN_PLUGIN,
                node_id=node.node_id,
                status=_STATUS[node.status],
                result=_node_detail(node, outcome.annotations),
                retry_at=retry_at,
                attempts=node.attempts,
            )
        await merge_run_annotations(session, org, run_id, outcome.annotations)
        if outcome.plugin_usage:  # what completion itself consumed (a QA model's tokens)
            usage = dict((await get_run(session, org, run_id)).usage)
            usage["integrations"] = {**(usage.get("integrations") or {}), **outcome.plugin_usage}
            await update_run(session, org, run_id, usage=usage)
        if not outcome.done:
            delay = outcome.retry_in_s or 0.0
            due = now + timedelta(seconds=delay)
            error = _retry_error(outcome)
            await retry_completion_job(
                session, job.id, worker_id=worker_id, due_at=due, error=error
            )
            return JobOutcome("retry", delay)
        await update_run(session, org, run_id, state=RunState.COMPLETED)
        if any(n.reason == "dead_lettered" for n in outcome.nodes.values()):
            await dead_letter_completion_job(
                session, job.id, worker_id=worker_id, error="node_dead_lettered"
            )
            return JobOutcome("dead")
        await finish_completion_job(session, job.id, worker_id=worker_id)
        return JobOutcome("done")


async def _give_up_or_retry(
    state: ServerState, job: CompletionJob, worker_id: str, error: str
) -> JobOutcome:
    async with state.database.transaction() as session:
        if job.attempts >= state.settings.max_job_attempts:
            await dead_letter_completion_job(session, job.id, worker_id=worker_id, error=error)
            await update_run(session, job.organization_id, job.run_id, state=RunState.FAILED)
            return JobOutcome("dead")
        delay = min(5.0 * 2 ** (job.attempts - 1), MAX_JOB_BACKOFF_S)
        due = utcnow() + timedelta(seconds=delay)
        await retry_completion_job(session, job.id, worker_id=worker_id, due_at=due, error=error)
        return JobOutcome("retry", delay)


async def run_completion_job(
    state: ServerState, job: CompletionJob, *, worker_id: str
) -> JobOutcome:
    """Carry out one job this worker has claimed (see the module docstring).

    Never raises for a plugin or a failed job; a job that fails as a whole (its
    definition cannot be read, say) is retried with backoff and dead-lettered
    after ``settings.max_job_attempts`` claims.
    """
    if job.attempts > state.settings.max_job_attempts:
        return await _guarded_give_up(state, job, worker_id, "too_many_attempts")
    try:
        outcome = await _complete_under_lease(state, job, worker_id)
        if outcome is None:
            return JobOutcome("lease_lost")
        result = await _record(state, job, worker_id, outcome)
    except LeaseLostError:
        _log.error("job %s: lease lost before the results were recorded", job.id)
        return JobOutcome("lease_lost")
    except Exception as exc:
        _log.exception("job %s (run %s): completion failed", job.id, job.run_id)
        return await _guarded_give_up(state, job, worker_id, type(exc).__name__)
    nodes = outcome.annotations.get(COMPLETION_STATE_KEY, {}).get("nodes", {})
    _log.info(
        "job %s (run %s): %s, %d node(s), called %s",
        job.id,
        job.run_id,
        result.kind,
        len(nodes),
        ", ".join(outcome.called) or "nobody",
    )
    return result


async def _guarded_give_up(
    state: ServerState, job: CompletionJob, worker_id: str, error: str
) -> JobOutcome:
    try:
        return await _give_up_or_retry(state, job, worker_id, error)
    except LeaseLostError:
        return JobOutcome("lease_lost")

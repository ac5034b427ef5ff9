"""``/workflows/{id}/runs``, ``/runs`` and ``/completion-jobs``: start and read runs.

Starting a run replays the scripted call through the pinned workflow version's
plugins (see :mod:`jackfield_server._replay`), stores what the call left and
queues the post-call completion, which a worker carries out.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import ValidationError

from jackfield import CallEvent, parse_call_events
from jackfield.host import PluginHost, WorkflowDefinition, validate_workflow
from jackfield_server._api._deps import CallerDep, StateDep
from jackfield_server._api._problems import (
    COMMON_RESPONSES,
    NOT_FOUND,
    ProblemsError,
    problem_from_workflow,
)
from jackfield_server._api._run_view import job_out, run_out
from jackfield_server._api._schemas import (
    CompletionJobOut,
    Problem,
    RecordingIn,
    RunCreate,
    RunOut,
    RunSummary,
)
from jackfield_server._models import ArtifactKind, JobState, ResultStatus, RunState, utcnow
from jackfield_server._replay import replay_call
from jackfield_server._store import (
    create_run,
    enqueue_completion,
    ensure_public_token,
    get_workflow,
    list_completion_jobs,
    list_runs,
    record_completion_result,
    update_run,
)
from jackfield_server._store.artifacts import put_run_artifact

__all__ = ["runs_router"]

_COMPLETION_HOOK = "jackfield_run_completion"


def _events(raw: list[dict[str, Any]]) -> list[CallEvent]:
    try:
        return parse_call_events(raw)
    except ValidationError as exc:
        problems = [
            Problem(
                kind="request",
                field=".".join(str(p) for p in ("body", "events", *err["loc"])),
                message=err["msg"],
                code=err["type"],
            )
            for err in exc.errors(include_input=False, include_url=False, include_context=False)
        ]
        raise ProblemsError("the call events are invalid", problems) from None


def _recording(recording: RecordingIn | None) -> bytes | None:
    if recording is None:
        return None
    try:
        return base64.b64decode(recording.content_base64, validate=True)
    except (binascii.Error, ValueError):
        problem = Problem(
            kind="request",
            field="body.recording.content_base64",
            message="body.recording.content_base64: not valid base64",
            code="invalid_base64",
        )
        raise ProblemsError("the recording is invalid", [problem]) from None


def _completion_nodes(definition: WorkflowDefinition, host: PluginHost) -> list[tuple[str, str]]:
    """``(plugin, node id)`` of each enabled node whose plugin has completion work."""
    found = []
    for node in definition.nodes:
        if node.data.get("enabled", True) is False:
            continue
        plugin = host.plugin_for_node_type(node.type)
        info = host.plugin(plugin) if plugin is not None else None
        if plugin is not None and info is not None and _COMPLETION_HOOK in info.hooks:
            found.append((plugin, node.id))
    return found


def runs_router() -> APIRouter:
    """The run routes."""
    router = APIRouter(tags=["runs"], responses=COMMON_RESPONSES)

    @router.post(
        "/workflows/{workflow_id}/runs",
        status_code=status.HTTP_201_CREATED,
        responses=NOT_FOUND,
        summary="Run a workflow with a scripted call",
    )
    async def start(
        workflow_id: uuid.UUID, body: RunCreate, caller: CallerDep, state: StateDep
    ) -> RunOut:
        """Replay the call through the workflow's plugins and queue the post-call completion.

        The run pins the workflow version; the response shows the run with its
        integration logs, and its completion as queued. Read the run again to
        follow the completion.
        """
        org, host = caller.organization_id, state.host
        events = _events(body.events)
        recording = _recording(body.recording)
        async with state.database.transaction() as session:
            stored = await get_workflow(session, state.box, org, workflow_id, version=body.version)
            definition = WorkflowDefinition.from_dict(stored.definition)
            problems = validate_workflow(definition, host, mode="run")
            if any(p.severity == "error" for p in problems):
                raise ProblemsError(
                    "the workflow cannot run", [problem_from_workflow(p) for p in problems]
                )
            run = await create_run(session, org, workflow_id, version=stored.version)
            await update_run(session, org, run.id, state=RunState.IN_CALL)
            run_id, created_at = run.id, run.created_at
        record = {
            "id": str(run_id),
            "workflow_id": str(workflow_id),
            "workflow_name": stored.name,
            "workflow_version": stored.version,
            "created_at": created_at.isoformat(),
        }
        try:
            replay = await replay_call(
                host, definition, events, run_id=str(run_id), run_record=record
            )
        except BaseException:  # not a plugin's failure (those stay in the logs): ours
            async with state.database.transaction() as session:
                await update_run(session, org, run_id, state=RunState.FAILED, ended_at=utcnow())
            raise
        async with state.database.transaction() as session:
            await update_run(
                session,
                org,
                run_id,
                state=RunState.COMPLETING,
                gathered_context=replay.gathered_context,
                usage=replay.usage,
                logs=replay.logs,
                ended_at=utcnow(),
            )
            await put_run_artifact(
                session,
                org,
                run_id,
                kind=ArtifactKind.TRANSCRIPT,
                media_type="application/json",
                content=replay.transcript,
            )
            if recording is not None and body.recording is not None:
                await put_run_artifact(
                    session,
                    org,
                    run_id,
                    kind=ArtifactKind.RECORDING,
                    media_type=body.recording.media_type,
                    content=recording,
                )
            await ensure_public_token(session, org, run_id)
            for plugin, node_id in _completion_nodes(definition, host):
                await record_completion_result(
                    session,
                    org,
                    run_id,
                    plugin=plugin,
                    node_id=node_id,
                    status=ResultStatus.PENDING,
                )
            await enqueue_completion(session, org, run_id)
        state.wake_completion(0.0)
        async with state.database.transaction() as session:
            return await run_out(session, state.settings, org, run_id)

    @router.get("/runs", summary="List runs")
    async def list_all(
        caller: CallerDep,
        state: StateDep,
        workflow_id: uuid.UUID | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[RunSummary]:
        """The organization's runs, newest first (optionally of one workflow)."""
        async with state.database.transaction() as session:
            rows = await list_runs(
                session, caller.organization_id, workflow_id=workflow_id, limit=limit
            )
            return [RunSummary.model_validate(row) for row in rows]

    @router.get("/runs/{run_id}", responses=NOT_FOUND, summary="Read a run")
    async def read(run_id: uuid.UUID, caller: CallerDep, state: StateDep) -> RunOut:
        """A run: state, integration logs, annotations and the completion per plugin and node."""
        async with state.database.transaction() as session:
            return await run_out(session, state.settings, caller.organization_id, run_id)

    @router.get("/completion-jobs", summary="List completion jobs")
    async def list_jobs(
        caller: CallerDep,
        state: StateDep,
        job_state: Annotated[JobState | None, Query(alias="state")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[CompletionJobOut]:
        """The organization's completion jobs, newest first (``state=dead``: the dead letters)."""
        async with state.database.transaction() as session:
            jobs = await list_completion_jobs(
                session, caller.organization_id, state=job_state, limit=limit
            )
            return [job_out(job) for job in jobs]

    return router

"""``/workflows/{id}/runs``, ``/runs`` and ``/completion-jobs``: start and read runs.

Starting a run parses the request and hands it to
:func:`~jackfield_server.start_run` (:mod:`jackfield_server._orchestration`),
which replays the scripted call through the pinned workflow version's plugins,
stores what the call left and queues the post-call completion, which a worker
carries out; the route renders the stored run.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import ValidationError

from jackfield import CallEvent, parse_call_events
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
from jackfield_server._errors import WorkflowNotRunnableError
from jackfield_server._models import JobState
from jackfield_server._orchestration import Recording, start_run
from jackfield_server._store import list_completion_jobs, list_runs

__all__ = ["runs_router"]


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


def _recording(recording: RecordingIn | None) -> Recording | None:
    if recording is None:
        return None
    try:
        content = base64.b64decode(recording.content_base64, validate=True)
    except (binascii.Error, ValueError):
        problem = Problem(
            kind="request",
            field="body.recording.content_base64",
            message="body.recording.content_base64: not valid base64",
            code="invalid_base64",
        )
        raise ProblemsError("the recording is invalid", [problem]) from None
    return Recording(media_type=recording.media_type, content=content)


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
        events = _events(body.events)
        recording = _recording(body.recording)
        try:
            started = await start_run(
                state,
                caller.organization_id,
                workflow_id,
                events,
                version=body.version,
                recording=recording,
            )
        except WorkflowNotRunnableError as exc:
            found = [problem_from_workflow(p) for p in exc.problems]
            raise ProblemsError("the workflow cannot run", found) from None
        async with state.database.transaction() as session:
            return await run_out(session, state.settings, caller.organization_id, started.run_id)

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

"""Starting a run: :func:`start_run`, the orchestration behind ``POST /workflows/{id}/runs``.

A run is one call through one pinned workflow version. :func:`start_run`
validates that version in run mode, creates the run, replays the call events
to the runtime sessions of the plugins with enabled nodes (see
:mod:`jackfield_server._replay`: ``prepare_live_call``, the scripted call,
finishing the sessions), stores what the call left (integration logs,
gathered context, usage, transcript, recording), records a pending result per
node that has completion work, queues the run's completion job and wakes the
worker. It knows nothing of HTTP: the route parses the request and renders
the run; scripts and tests call it directly.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jackfield import CallEvent
from jackfield.host import PluginHost, WorkflowDefinition, validate_workflow
from jackfield_server._errors import WorkflowNotRunnableError
from jackfield_server._models import ArtifactKind, ResultStatus, RunState, utcnow
from jackfield_server._replay import replay_call
from jackfield_server._state import ServerState
from jackfield_server._store import (
    create_run,
    enqueue_completion_job,
    ensure_run_public_token,
    get_workflow,
    put_run_artifact,
    record_completion_result,
    update_run,
)

__all__ = ["Recording", "StartedRun", "start_run"]

_COMPLETION_HOOK = "jackfield_run_completion"


@dataclass(frozen=True, slots=True)
class Recording:
    """The call's audio, stored with the run and served by its public recording link.

    :param media_type: the content type served with it (``"audio/wav"``).
    :param content: the bytes.
    """

    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class StartedRun:
    """A run :func:`start_run` started: stored, in state ``completing``, its completion queued.

    :param run_id: the run's id (read the run for its completion's progress).
    :param organization_id: the organization it belongs to.
    :param workflow_id: the workflow it ran.
    :param workflow_name: the workflow's name when the run started.
    :param workflow_version: the pinned version number.
    :param public_token: the token of the run's public download links.
    :param logs: the integration logs (each plugin's snapshot and errors).
    :param gathered_context: disposition, duration, event count and call id.
    :param usage: usage per service, provider and model, and the totals.
    :param pending: ``(plugin, node id)`` of each node whose completion is queued.
    """

    run_id: uuid.UUID
    organization_id: uuid.UUID
    workflow_id: uuid.UUID
    workflow_name: str
    workflow_version: int
    public_token: str
    logs: dict[str, Any]
    gathered_context: dict[str, Any]
    usage: dict[str, Any]
    pending: tuple[tuple[str, str], ...]


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


async def start_run(
    state: ServerState,
    organization_id: uuid.UUID,
    workflow_id: uuid.UUID,
    events: Sequence[CallEvent],
    *,
    version: int | None = None,
    recording: Recording | None = None,
    finish_timeout_s: float = 10.0,
) -> StartedRun:
    """Run the organization's workflow with a scripted call and queue its post-call completion.

    The run pins ``version`` (default: the latest) and is stored in three
    transactions: created (state ``in_call``) before the replay, and with
    everything the call left, its pending results and its completion job
    after it; then ``state.wake_completion`` is told the job is due. A plugin's
    failure during the call stays in the run's logs and never makes this
    raise. The database must be migrated.

    :param state: the database, secret box and plugin host to use, and whom to
        wake (a :class:`ServerState` built by hand works: no server needed).
    :param events: the call, as parsed call events (``jackfield.parse_call_events``).
    :param recording: the call's audio, if any.
    :param finish_timeout_s: how long the plugins' sessions may take to finish.
    :raises NotFoundError: no such workflow in that organization, or no such version.
    :raises SecretDecryptionError: a stored secret cannot be decrypted.
    :raises WorkflowNotRunnableError: the version has errors in run mode; no run was created.
    """
    org, host = organization_id, state.host
    async with state.database.transaction() as session:
        stored = await get_workflow(session, state.box, org, workflow_id, version=version)
        definition = WorkflowDefinition.from_dict(stored.definition)
        problems = validate_workflow(definition, host, mode="run")
        if any(p.severity == "error" for p in problems):
            raise WorkflowNotRunnableError(workflow_id, stored.version, problems)
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
            host,
            definition,
            events,
            run_id=str(run_id),
            run_record=record,
            finish_timeout_s=finish_timeout_s,
        )
    except BaseException:  # not a plugin's failure (those stay in the logs): ours
        async with state.database.transaction() as session:
            await update_run(session, org, run_id, state=RunState.FAILED, ended_at=utcnow())
        raise
    pending = _completion_nodes(definition, host)
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
        if recording is not None:
            await put_run_artifact(
                session,
                org,
                run_id,
                kind=ArtifactKind.RECORDING,
                media_type=recording.media_type,
                content=recording.content,
            )
        token = await ensure_run_public_token(session, org, run_id)
        for plugin, node_id in pending:
            await record_completion_result(
                session, org, run_id, plugin=plugin, node_id=node_id, status=ResultStatus.PENDING
            )
        await enqueue_completion_job(session, org, run_id)
    state.wake_completion(0.0)
    return StartedRun(
        run_id=run_id,
        organization_id=org,
        workflow_id=workflow_id,
        workflow_name=stored.name,
        workflow_version=stored.version,
        public_token=token,
        logs=replay.logs,
        gathered_context=replay.gathered_context,
        usage=replay.usage,
        pending=tuple(pending),
    )

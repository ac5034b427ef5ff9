"""start_run without HTTP: a scripted call through a stored workflow, on a SQLite store."""

from __future__ import annotations

import json
import uuid

import pytest
from api_helpers import call_events, definition, delivery_node

from jackfield import parse_call_events
from jackfield.host import PluginHost
from jackfield_server import (
    Database,
    NotFoundError,
    Recording,
    SecretBox,
    ServerState,
    Settings,
    WorkflowNotRunnableError,
    start_run,
)
from jackfield_server._models import ArtifactKind, JobState, ResultStatus, RunState
from jackfield_server._store import (
    create_organization,
    create_workflow,
    get_completion_job,
    get_run,
    get_run_artifact,
    list_completion_results,
    list_runs,
    update_workflow,
)


class _Woken(list[float]):
    """A completion waker that remembers each call."""

    def __call__(self, delay_s: float) -> None:
        self.append(delay_s)


@pytest.fixture
async def state(
    sqlite_database: Database, server_settings: Settings, plugin_host: PluginHost, box: SecretBox
) -> ServerState:
    """A server state on a migrated SQLite store, with a waker that records its calls."""
    await sqlite_database.migrate()
    plugin_host.load()
    return ServerState(server_settings, plugin_host, sqlite_database, box, wake_completion=_Woken())


async def _org(state: ServerState, name: str = "acme") -> uuid.UUID:
    async with state.database.transaction() as session:
        return (await create_organization(session, name=name)).id


async def _workflow(state: ServerState, org: uuid.UUID, *nodes: dict) -> uuid.UUID:
    document = definition(*nodes)
    fields = {node["id"]: ("api_key",) for node in nodes if node["type"] == "deliver"}
    async with state.database.transaction() as session:
        stored = await create_workflow(
            session, state.box, org, name="w", definition=document, sensitive_fields=fields
        )
    return stored.id


async def test_start_run_stores_the_call_and_queues_completion_of_the_enabled_nodes(
    state: ServerState,
):
    org = await _org(state)
    workflow_id = await _workflow(
        state,
        org,
        delivery_node("a", "http://a.test"),
        delivery_node("off", "http://off.test", enabled=False),
    )
    audio = b"RIFF" + bytes(range(64))
    started = await start_run(
        state,
        org,
        workflow_id,
        parse_call_events(call_events()),
        recording=Recording(media_type="audio/wav", content=audio),
    )
    assert started.organization_id == org
    assert started.workflow_id == workflow_id
    assert (started.workflow_name, started.workflow_version) == ("w", 1)
    assert started.pending == (("deliver", "a"),)
    assert started.logs["deliver"]["snapshot"]["disposition"] == "completed"
    assert started.gathered_context["disposition"] == "completed"
    assert started.usage["totals"]["prompt_tokens"] == 120
    assert state.wake_completion == [0.0]
    async with state.database.transaction() as session:
        run = await get_run(session, org, started.run_id)
        assert run.state == RunState.COMPLETING
        assert run.ended_at is not None
        assert run.logs == started.logs
        assert run.public_token == started.public_token
        transcript = await get_run_artifact(session, org, run.id, ArtifactKind.TRANSCRIPT)
        recording = await get_run_artifact(session, org, run.id, ArtifactKind.RECORDING)
        job = await get_completion_job(session, org, run.id)
        results = await list_completion_results(session, org, run.id)
    assert json.loads(transcript.content)["run_id"] == str(started.run_id)
    assert (recording.media_type, recording.content) == ("audio/wav", audio)
    assert job.state == JobState.QUEUED
    assert [(r.plugin, r.node_id, r.status) for r in results] == [
        ("deliver", "a", ResultStatus.PENDING)
    ]


async def test_start_run_runs_the_pinned_version(state: ServerState):
    org = await _org(state)
    workflow_id = await _workflow(state, org, delivery_node("a", "http://a.test"))
    async with state.database.transaction() as session:
        await update_workflow(
            session,
            state.box,
            org,
            workflow_id,
            definition=definition(),
            sensitive_fields={},
        )
    events = parse_call_events(call_events())
    first = await start_run(state, org, workflow_id, events, version=1)
    latest = await start_run(state, org, workflow_id, events)
    assert (first.workflow_version, first.pending) == (1, (("deliver", "a"),))
    assert (latest.workflow_version, latest.pending) == (2, ())


async def test_a_workflow_with_errors_in_run_mode_creates_no_run(state: ServerState):
    org = await _org(state)
    workflow_id = await _workflow(state, org)
    async with state.database.transaction() as session:
        unknown = {"id": "x", "type": "not_installed", "data": {"name": "X"}}
        await update_workflow(
            session,
            state.box,
            org,
            workflow_id,
            definition=definition(unknown),
            sensitive_fields={},
        )
    with pytest.raises(WorkflowNotRunnableError) as raised:
        await start_run(state, org, workflow_id, parse_call_events(call_events()))
    assert raised.value.version == 2
    assert any(p.id == "x" and p.code == "unknown_node_type" for p in raised.value.problems)
    assert state.wake_completion == []
    async with state.database.transaction() as session:
        assert await list_runs(session, org) == []


async def test_another_organizations_workflow_is_not_found(state: ServerState):
    acme, globex = await _org(state, "acme"), await _org(state, "globex")
    workflow_id = await _workflow(state, acme)
    with pytest.raises(NotFoundError):
        await start_run(state, globex, workflow_id, parse_call_events(call_events()))
    with pytest.raises(NotFoundError):
        await start_run(state, acme, workflow_id, parse_call_events(call_events()), version=9)
    async with state.database.transaction() as session:
        assert await list_runs(session, acme) == []


async def test_a_failure_of_the_server_during_the_call_fails_the_run(
    state: ServerState, monkeypatch: pytest.MonkeyPatch
):
    org = await _org(state)
    workflow_id = await _workflow(state, org, delivery_node("a", "http://a.test"))

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("replay broke")

    monkeypatch.setattr("jackfield_server._orchestration.replay_call", broken)
    with pytest.raises(RuntimeError, match="replay broke"):
        await start_run(state, org, workflow_id, parse_call_events(call_events()))
    async with state.database.transaction() as session:
        (run,) = await list_runs(session, org)
        assert run.state == RunState.FAILED
        assert run.ended_at is not None
        with pytest.raises(NotFoundError):  # no completion queued
            await get_completion_job(session, org, run.id)
    assert state.wake_completion == []

"""The in-process completion worker: retries, dead letters, restarts, leases."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import timedelta

from api_helpers import call_events, definition, delivery_node, start_api
from counting_service import CountingService
from server_plugins import delivery_plugin, make_host
from sqlalchemy import update

from jackfield import CompletionPhase, completion_settings, hookimpl
from jackfield_server._models import CompletionJob, JobState
from jackfield_server._store import (
    claim_completion_jobs,
    find_organization,
    list_completion_results,
)
from jackfield_server._worker._job import run_completion_job


async def test_a_node_out_of_retries_is_failed_and_its_job_dead_lettered(database, server_settings):
    host = make_host(("deliver", delivery_plugin("deliver", max_attempts=2)))
    with CountingService() as service:
        service.plan("/flaky", 503, 503, 503)
        async with start_api(server_settings, host, database) as api:
            workflow = await api.create_workflow(
                definition(
                    delivery_node("flaky", service.url("/flaky")),
                    delivery_node("fine", service.url("/fine")),
                )
            )
            run = await api.wait_for_run((await api.start_run(workflow["id"], call_events()))["id"])
            dead = (await api.request("GET", "/completion-jobs", params={"state": "dead"})).json()
    assert run["state"] == "completed"
    nodes = {n["node_id"]: n for n in run["completion"]["plugins"]["deliver"]["nodes"]}
    assert nodes["flaky"]["status"] == "failed"
    assert nodes["flaky"]["detail"]["reason"] == "dead_lettered"
    assert nodes["fine"]["status"] == "delivered"
    assert run["completion"]["plugins"]["deliver"]["status"] == "failed"
    assert [(j["run_id"], j["state"], j["last_error"]) for j in dead] == [
        (run["id"], "dead", "node_dead_lettered")
    ]
    assert len([d for d in service.received if d.path == "/flaky"]) == 2
    assert service.accepted_by_node() == {(run["id"], "fine"): 1}


async def test_a_restarted_server_resumes_queued_jobs(database, server_settings):
    host = make_host(("deliver", delivery_plugin("deliver")))
    with CountingService() as service:
        async with start_api(server_settings, host, database, worker=False) as first:
            workflow = await first.create_workflow(
                definition(delivery_node("d", service.url("/d")))
            )
            started = await first.start_run(workflow["id"], call_events())
            await asyncio.sleep(0.2)
            assert (await first.request("GET", f"/runs/{started['id']}")).json()[
                "state"
            ] == "completing"
        assert service.received == []
        async with start_api(server_settings, host, database) as second:
            run = await second.wait_for_run(started["id"])
    assert run["state"] == "completed"
    assert service.accepted_by_node() == {(run["id"], "d"): 1}


async def test_a_job_held_by_a_dead_worker_is_taken_over_when_its_lease_expires(
    database, server_settings
):
    host = make_host(("deliver", delivery_plugin("deliver")))
    with CountingService() as service:
        async with start_api(server_settings, host, database, worker=False) as first:
            workflow = await first.create_workflow(
                definition(delivery_node("d", service.url("/d")))
            )
            started = await first.start_run(workflow["id"], call_events())
        async with database.transaction() as session:
            [job] = await claim_completion_jobs(
                session, worker_id="died-mid-job", lease=timedelta(seconds=1)
            )
        async with start_api(server_settings, host, database) as second:
            await asyncio.sleep(0.3)
            held = (await second.request("GET", f"/runs/{started['id']}")).json()
            assert held["completion"]["job"]["state"] == "running"
            run = await second.wait_for_run(started["id"])
    assert run["completion"]["job"]["attempts"] == 2
    assert service.accepted_by_node() == {(run["id"], "d"): 1}
    assert job.run_id == uuid.UUID(run["id"])


async def test_a_plugin_gone_by_completion_time_is_recorded_as_skipped(database, server_settings):
    with_plugin = make_host(("deliver", delivery_plugin("deliver")))
    async with start_api(server_settings, with_plugin, database, worker=False) as first:
        workflow = await first.create_workflow(
            definition(delivery_node("d", "http://127.0.0.1:9/"))
        )
        started = await first.start_run(workflow["id"], call_events())
    async with start_api(server_settings, make_host(), database) as second:
        run = await second.wait_for_run(started["id"])
    [node] = run["completion"]["plugins"]["deliver"]["nodes"]
    assert (node["node_id"], node["status"]) == ("d", "skipped")
    assert node["detail"]["reason"] == "plugin_not_installed"
    assert run["completion"]["job"]["state"] == "done"


async def test_a_worker_that_loses_its_lease_drops_the_work_and_records_nothing(
    database, server_settings
):
    settings = dataclasses.replace(server_settings, worker_lease_s=0.6)
    host = make_host(("deliver", delivery_plugin("deliver")))
    with CountingService() as service:
        service.plan("/d", "stall")
        async with start_api(settings, host, database, worker=False) as api:
            workflow = await api.create_workflow(definition(delivery_node("d", service.url("/d"))))
            started = await api.start_run(workflow["id"], call_events())
            async with database.transaction() as session:
                [job] = await claim_completion_jobs(
                    session, worker_id="me", lease=timedelta(seconds=0.6)
                )
            state = api.app.state.jackfield
            working = asyncio.create_task(run_completion_job(state, job, worker_id="me"))
            assert await asyncio.to_thread(service.stalled.wait, 10)
            async with database.transaction() as session:
                await session.execute(
                    update(CompletionJob)
                    .where(CompletionJob.id == job.id)
                    .values(lease_owner="someone-else")
                )
            outcome = await asyncio.wait_for(working, 10)
            async with database.transaction() as session:
                org = await find_organization(session, "acme")
                results = await list_completion_results(session, org.id, uuid.UUID(started["id"]))
                stored = await session.get(CompletionJob, job.id)
                assert stored is not None
                assert stored.state is JobState.RUNNING
    assert outcome.kind == "lease_lost"
    assert [(r.node_id, r.status.value) for r in results] == [("d", "pending")]


async def test_usage_reported_by_a_completion_handler_is_added_to_the_run(
    database, server_settings
):
    plugin = delivery_plugin("review")
    handler = plugin.jackfield_run_completion

    @hookimpl
    @completion_settings(phase=CompletionPhase.ANALYSIS)
    async def reviewing(nodes, context):
        results = await handler(nodes, context)
        return {**results, "usage": {"model": "gpt-4o-mini", "prompt_tokens": 900}}

    plugin.jackfield_run_completion = reviewing
    host = make_host(("review", plugin))
    with CountingService() as service:
        async with start_api(server_settings, host, database) as api:
            node = delivery_node("r", service.url("/r"), type_name="review")
            workflow = await api.create_workflow(definition(node))
            run = await api.wait_for_run((await api.start_run(workflow["id"], call_events()))["id"])
    assert run["state"] == "completed"
    assert run["usage"]["integrations"] == {
        "review": {"model": "gpt-4o-mini", "prompt_tokens": 900}
    }

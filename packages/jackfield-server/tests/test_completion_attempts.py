"""Node attempts in the run view are the core's count, and a retry's reason reaches the job."""

from __future__ import annotations

from api_helpers import call_events, definition, delivery_node, start_api
from counting_service import CountingService
from server_plugins import delivery_plugin, make_host


async def test_run_view_counts_handler_attempts_and_shows_the_retry_reason(
    database, server_settings
):
    host = make_host(("deliver", delivery_plugin("deliver")))
    with CountingService() as service:
        service.plan("/flaky", 503)
        async with start_api(server_settings, host, database) as api:
            workflow = await api.create_workflow(
                definition(
                    delivery_node("flaky", service.url("/flaky")),
                    delivery_node("fine", service.url("/fine")),
                    delivery_node("off", service.url("/off"), enabled=False),
                )
            )
            run = await api.wait_for_run((await api.start_run(workflow["id"], call_events()))["id"])
    nodes = {n["node_id"]: n for n in run["completion"]["plugins"]["deliver"]["nodes"]}
    assert (nodes["fine"]["status"], nodes["fine"]["attempts"]) == ("delivered", 1)  # sent once
    assert (nodes["flaky"]["status"], nodes["flaky"]["attempts"]) == ("delivered", 2)
    assert (nodes["off"]["status"], nodes["off"]["attempts"]) == ("skipped", 0)  # never sent
    assert len([d for d in service.received if d.path == "/fine"]) == 1
    assert run["completion"]["job"]["last_error"] == (
        "retry_later: deliver/flaky: service unavailable"
    )

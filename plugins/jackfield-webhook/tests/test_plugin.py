"""The plugin as the host sees it: light imports, no live-call session, its hooks."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from jackfield import CallEnded, CallStarted, RuntimeContext, UserTurn
from jackfield.host import ScriptedCall, WorkflowDefinition, prepare_live_call

_HEAVY = ("httpx", "jinja2", "fastapi", "starlette")


def _modules_after(statement: str) -> list[str]:
    code = (
        f"import sys, json; {statement}; "
        f"print(json.dumps([m for m in {_HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={}
    )
    return json.loads(done.stdout)


def test_importing_the_entry_point_module_is_light():
    assert _modules_after("import jackfield_webhook.plugin") == []


def test_importing_the_package_is_light_until_a_heavy_name_is_used():
    assert _modules_after("import jackfield_webhook") == []
    assert _modules_after("from jackfield_webhook import render_payload") == ["jinja2"]


def test_building_the_catalog_imports_nothing_heavy():
    statement = (
        "from jackfield.host import PluginHost, PluginSettings; "
        "import jackfield_webhook.plugin as p; "
        "h = PluginHost(autoload=False, strict=True, settings=PluginSettings(autoload=False)); "
        "h.register(p, name='webhook'); h.node_specs()"
    )
    assert _modules_after(statement) == []


def test_no_live_call_session_is_needed(host):
    definition = WorkflowDefinition.from_dict(
        {
            "nodes": [
                {
                    "id": "w1",
                    "type": "webhook",
                    "data": {"name": "Hook", "endpoint_url": "https://a.example/x"},
                }
            ],
            "edges": [],
        }
    )
    call = ScriptedCall(
        [
            CallStarted(call_id="c1", timestamp="2025-03-01T10:00:00Z"),
            UserTurn(
                text="Hello",
                started_at="2025-03-01T10:00:01Z",
                ended_at="2025-03-01T10:00:02Z",
                timestamp="2025-03-01T10:00:02Z",
            ),
            CallEnded(disposition="completed", timestamp="2025-03-01T10:00:05Z"),
        ]
    )
    context = RuntimeContext(workflow_run_id="run_1", workflow_graph=definition)
    live = prepare_live_call(host, context)
    live.attach(call)
    call.run()

    logs = asyncio.run(live.finish({"disposition": "completed", "duration_s": 5.0}))

    assert live.session_count == 0
    assert "webhook" not in logs
    json.dumps(logs)


def test_the_router_serves_post_test(host):
    routers = host.routers()["webhook"]

    assert [route.path for router in routers for route in router.routes] == ["/test"]

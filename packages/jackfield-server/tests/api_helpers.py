"""Driving the app under test over HTTP (httpx against the ASGI app)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from jackfield.host import PluginHost
from jackfield_server import Database, NotFoundError, Settings, create_app
from jackfield_server._store import create_api_key, create_organization, find_organization

FINISHED = ("completed", "failed")


@dataclass
class Api:
    """An app with its lifespan running, a client, and an API key per organization."""

    app: FastAPI
    client: httpx.AsyncClient
    keys: dict[str, str]
    database: Database

    def auth(self, org: str = "acme") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[org]}"}

    async def request(self, method: str, path: str, org: str = "acme", **kwargs: Any):
        headers = {**self.auth(org), **kwargs.pop("headers", {})}
        return await self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    async def create_workflow(self, definition: dict[str, Any], org: str = "acme", name="w"):
        response = await self.request(
            "POST", "/workflows", org, json={"name": name, "definition": definition}
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def start_run(self, workflow_id: str, events: list[dict[str, Any]], org="acme", **body):
        response = await self.request(
            "POST", f"/workflows/{workflow_id}/runs", org, json={"events": events, **body}
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def wait_for_run(self, run_id: str, org: str = "acme", timeout_s: float = 30.0):
        async with asyncio.timeout(timeout_s):
            while True:
                response = await self.request("GET", f"/runs/{run_id}", org)
                assert response.status_code == 200, response.text
                run = response.json()
                if run["state"] in FINISHED:
                    return run
                await asyncio.sleep(0.05)


async def make_keys(database: Database, *names: str) -> dict[str, str]:
    keys = {}
    async with database.transaction() as session:
        for name in names:
            try:
                org = await find_organization(session, name)
            except NotFoundError:
                org = await create_organization(session, name=name)
            keys[name], _ = await create_api_key(session, org.id, name="test")
    return keys


@contextlib.asynccontextmanager
async def start_api(
    settings: Settings, host: PluginHost, database: Database, *, worker: bool | None = None
) -> AsyncIterator[Api]:
    app = create_app(settings, host, database=database, worker=worker)
    async with app.router.lifespan_context(app):
        keys = await make_keys(database, "acme", "globex")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Api(app, client, keys, database)


def definition(*extra_nodes: dict[str, Any]) -> dict[str, Any]:
    """A runnable workflow (start, agent, end) plus ``extra_nodes``."""
    nodes = [
        {"id": "greet", "type": "start", "data": {"name": "Greet", "prompt": "Say hello."}},
        {"id": "help", "type": "agent", "data": {"name": "Help", "prompt": "Help them."}},
        {"id": "bye", "type": "end", "data": {"name": "Bye", "prompt": "Say goodbye."}},
    ]
    edges = [
        {
            "id": "e1",
            "source": "greet",
            "target": "help",
            "data": {"label": "go", "condition": "always"},
        },
        {
            "id": "e2",
            "source": "help",
            "target": "bye",
            "data": {"label": "done", "condition": "done"},
        },
    ]
    return {"nodes": [*nodes, *extra_nodes], "edges": edges}


def delivery_node(
    node_id: str, url: str, *, type_name: str = "deliver", api_key="sk_live_abcdef123456", **data
):
    return {
        "id": node_id,
        "type": type_name,
        "data": {"name": node_id, "url": url, "api_key": api_key, **data},
    }


def call_events() -> list[dict[str, Any]]:
    """A short call: started, two turns, a tool call, usage, ended."""
    return [
        {"kind": "call_started", "timestamp": "2025-03-01T10:00:00Z", "call_id": "CA1"},
        {
            "kind": "bot_turn",
            "timestamp": "2025-03-01T10:00:02Z",
            "text": "Hello, how can I help?",
            "started_at": "2025-03-01T10:00:01Z",
            "ended_at": "2025-03-01T10:00:02Z",
        },
        {
            "kind": "user_turn",
            "timestamp": "2025-03-01T10:00:05Z",
            "text": "I want to book a table.",
            "started_at": "2025-03-01T10:00:03Z",
            "ended_at": "2025-03-01T10:00:05Z",
        },
        {
            "kind": "tool_call",
            "timestamp": "2025-03-01T10:00:06Z",
            "name": "book",
            "arguments": {"people": 2},
            "result": {"ok": True},
            "duration_s": 0.4,
        },
        {
            "kind": "usage",
            "timestamp": "2025-03-01T10:00:07Z",
            "service": "llm",
            "provider": "openai",
            "model": "gpt-4o",
            "prompt_tokens": 120,
            "completion_tokens": 30,
        },
        {"kind": "call_ended", "timestamp": "2025-03-01T10:00:10Z", "disposition": "completed"},
    ]


def new_id() -> str:
    return str(uuid.uuid4())

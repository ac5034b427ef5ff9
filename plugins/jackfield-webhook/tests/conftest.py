"""Shared fixtures: a host with the webhook plugin, a workflow builder, a closed port."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import jackfield_webhook.plugin
import pytest

from jackfield.host import PluginHost, PluginSettings


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Serve pytest-httpserver's endpoints on 127.0.0.1 (a free port)."""
    return ("127.0.0.1", 0)


@pytest.fixture
def host() -> PluginHost:
    """A strict host with only the built-in nodes and the webhook plugin."""
    plugin_host = PluginHost(autoload=False, strict=True, settings=PluginSettings(autoload=False))
    plugin_host.register(jackfield_webhook.plugin, name="webhook")
    return plugin_host


@pytest.fixture
def workflow() -> Callable[..., dict[str, Any]]:
    """Build a workflow definition: a start node plus the given webhook nodes' data.

    ``workflow(w1={...}, w2={...})`` gives webhook nodes ``w1`` and ``w2``.
    """

    def build(**webhooks: dict[str, Any]) -> dict[str, Any]:
        nodes: list[dict[str, Any]] = [
            {
                "id": "start",
                "type": "start",
                "data": {"name": "Start", "prompt": "Greet the caller."},
            }
        ]
        for node_id, data in webhooks.items():
            nodes.append({"id": node_id, "type": "webhook", "data": data})
        return {"nodes": nodes, "edges": []}

    return build


@pytest.fixture
def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"

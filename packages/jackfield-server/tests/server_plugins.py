"""Plugin objects for the server tests, registered directly on a PluginHost.

``delivery_plugin(type_name)`` builds a plugin whose node type (also called
``type_name``) holds a ``url`` and a secret ``api_key``; its completion POSTs
one delivery per node to ``url``. A 503 answer asks for a retry (the
``Retry-After`` header, in seconds, is the delay), another error fails the node.
Every builder returns a fresh object: tests share no state.
"""

from __future__ import annotations

import types
from typing import Any, ClassVar

import httpx

from jackfield import (
    BaseNodeData,
    CallRecorder,
    CompletionPhase,
    GraphConstraints,
    NodeRegistration,
    RetryLater,
    build_spec,
    completion_settings,
    hookimpl,
    node_spec,
    spec_field,
)
from jackfield.host import PluginHost


def delivery_model(type_name: str) -> type[BaseNodeData]:
    """The data model of a delivery node type."""

    @node_spec(
        name=type_name,
        description=f"Test delivery node {type_name}: posts each finished call to a URL.",
        graph_constraints=GraphConstraints(
            min_incoming=0, max_incoming=0, min_outgoing=0, max_outgoing=0, max_instances=3
        ),
        examples=[
            {
                "name": "Example",
                "data": {"name": "D", "url": "http://x.test", "api_key": "k_123456"},
            }
        ],
    )
    class DeliveryNode(BaseNodeData):
        sensitive_fields: ClassVar[tuple[str, ...]] = ("api_key",)

        enabled: bool = spec_field(default=True, description="Whether the node runs.")
        url: str = spec_field(description="Where deliveries are posted.", min_length=1)
        api_key: str = spec_field(description="Sent as a bearer token.", min_length=4)

    return DeliveryNode


def delivery_plugin(
    type_name: str,
    *,
    phase: CompletionPhase = CompletionPhase.DELIVERY,
    max_attempts: int = 5,
    timeout_s: float = 60.0,
) -> object:
    """A plugin providing node type ``type_name`` that posts deliveries (see module doc)."""
    model = delivery_model(type_name)
    registration = NodeRegistration(
        type_name=type_name,
        data_model=model,
        node_spec=build_spec(model),
        sensitive_fields=("api_key",),
    )

    @hookimpl
    def jackfield_register_nodes() -> list[NodeRegistration]:
        return [registration]

    @hookimpl
    def jackfield_create_runtime_sessions(context: Any) -> list[Any]:
        return [CallRecorder(type_name, latency=False, usage=False)]

    @hookimpl
    @completion_settings(phase=phase, max_attempts=max_attempts, timeout_s=timeout_s)
    async def jackfield_run_completion(nodes: list[dict[str, Any]], context: Any) -> dict[str, Any]:
        results: dict[str, Any] = {}
        snapshot = context.runtime_snapshot or {}
        async with httpx.AsyncClient(timeout=None) as client:
            for node in nodes:
                data = model.model_validate(node["data"])
                body = {
                    "run_id": context.workflow_run_id,
                    "node_id": node["id"],
                    "plugin": type_name,
                    "attempt": context.attempt,
                    "transcript_url": context.public_url("transcript"),
                    "turns": len(snapshot.get("transcript", [])),
                    "annotations_seen": sorted(context.annotations),
                }
                headers = {"Authorization": f"Bearer {data.api_key}"}  # type: ignore[attr-defined]
                response = await client.post(data.url, json=body, headers=headers)  # type: ignore[attr-defined]
                if response.status_code == 503:
                    delay = float(response.headers.get("Retry-After", "0.2"))
                    results[node["id"]] = RetryLater("service unavailable", delay_s=delay)
                elif response.status_code >= 400:
                    results[node["id"]] = {
                        "status": "failed",
                        "reason": f"http_{response.status_code}",
                    }
                else:
                    results[node["id"]] = {"status_code": response.status_code}
        return results

    return types.SimpleNamespace(
        jackfield_register_nodes=jackfield_register_nodes,
        jackfield_create_runtime_sessions=jackfield_create_runtime_sessions,
        jackfield_run_completion=jackfield_run_completion,
    )


def make_host(*plugins: tuple[str, object]) -> PluginHost:
    """A host with jackfield's built-in nodes and exactly ``plugins`` (name, object)."""
    host = PluginHost(autoload=False)
    for name, plugin in plugins:
        host.register(plugin, name=name)
    return host

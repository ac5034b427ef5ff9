"""The comparison servers of the ``catalog_http`` benchmark.

Run as ``python -I _catalog_plain_app.py KIND PORT`` in the benchmark
environment; both load the installed plugins and serve the catalog on
127.0.0.1:PORT until stopped, asking for no API key and logging no access
lines (one less thing to do than the jackfield route each).

* ``plain``: the obvious implementation, a FastAPI application whose route
  ``GET /api/v1/node-types`` returns the catalog through a Pydantic
  ``response_model`` built from the host's node specs on every request
  (FastAPI validates and serialises every spec each time).
* ``floor``: no framework at all, a bare ASGI callable answering every request
  with the host's catalog bytes: what uvicorn alone can push of this body on
  this machine, the ceiling for any route built on it.
"""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from jackfield import SPEC_VERSION, NodeSpec
from jackfield.host import PluginHost


class NodeCatalog(BaseModel):
    """The catalog document: the wire format's version and every node spec."""

    spec_version: str
    node_types: list[NodeSpec]


def create_plain_app(host: PluginHost) -> FastAPI:
    """The application: one route answering the catalog of ``host``'s plugins."""
    app = FastAPI(title="plain catalog")

    @app.get("/api/v1/node-types", response_model=NodeCatalog)
    async def list_node_types() -> NodeCatalog:
        return NodeCatalog(spec_version=SPEC_VERSION, node_types=list(host.node_specs()))

    return app


def create_floor_app(host: PluginHost) -> ASGIApp:
    """A bare ASGI application answering every HTTP request with the catalog bytes."""
    body = host.catalog_json()
    start = {
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await send(start)
            await send({"type": "http.response.body", "body": body})

    return app


def main() -> None:
    """Load the installed plugins and serve KIND on 127.0.0.1:PORT until stopped."""
    kind, port = sys.argv[1], int(sys.argv[2])
    host = PluginHost()
    host.load()
    app = create_plain_app(host) if kind == "plain" else create_floor_app(host)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()

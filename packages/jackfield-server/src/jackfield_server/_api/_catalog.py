"""``/node-types`` and ``/plugins``: the catalog from cached bytes, with ETags.

The catalog is serialised once per plugin set (by the host, see
:meth:`jackfield.host.PluginHost.catalog_json`) and its ETag computed once; a
request costs a dictionary lookup, and a client that sends the ETag back in
``If-None-Match`` gets 304 without a body.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response

from jackfield import UnknownNodeTypeError
from jackfield.host import PluginHost
from jackfield_server._api._deps import CallerDep, StateDep
from jackfield_server._api._problems import COMMON_RESPONSES, NOT_FOUND
from jackfield_server._api._schemas import NodeCatalogOut, NodeTypeOut, PluginOut
from jackfield_server._errors import NotFoundError
from jackfield_server._plugin_routes import PluginRoutesReport

__all__ = ["CatalogCache", "catalog_router"]

View = Literal["full", "mcp"]
ViewQuery = Annotated[
    View, Query(description="`full` node specs, or `mcp`: the lean projection for LLM tools.")
]
IfNoneMatch = Annotated[
    str | None, Header(description="An ETag from an earlier response: 304 if still current.")
]
_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "The client's copy (named by If-None-Match) is current."}
}


@dataclass(frozen=True, slots=True)
class _Cached:
    source: bytes
    body: bytes
    etag: str


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@dataclass
class CatalogCache:
    """The catalog's bytes and ETags, per view and per node type, for one host."""

    host: PluginHost
    _entries: dict[tuple[str | None, bool], _Cached] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def catalog(self, *, mcp: bool) -> tuple[bytes, str]:
        """The whole catalog and its ETag."""
        source = self.host.catalog_json(mcp=mcp)
        cached = self._entries.get((None, mcp))
        if cached is None or cached.source is not source:
            cached = _Cached(source, source, _etag(source))
            with self._lock:
                self._entries[(None, mcp)] = cached
        return cached.body, cached.etag

    def node_type(self, name: str, *, mcp: bool) -> tuple[bytes, str]:
        """One node type's spec and its ETag.

        :raises NotFoundError: no loaded plugin serves ``name``.
        """
        source = self.host.catalog_json(mcp=mcp)  # the plugin set's identity
        cached = self._entries.get((name, mcp))
        if cached is None or cached.source is not source:
            try:
                spec = self.host.node_spec(name)
            except UnknownNodeTypeError:
                raise NotFoundError("node type", repr(name)) from None
            document = spec.to_mcp_dict() if mcp else spec.model_dump(mode="json")
            body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
            cached = _Cached(source, body, _etag(body))
            with self._lock:
                self._entries[(name, mcp)] = cached
        return cached.body, cached.etag


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def _respond(body: bytes, etag: str, if_none_match: str | None) -> Response:
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


def _cache(request: Request) -> CatalogCache:
    cache: CatalogCache = request.app.state.jackfield_catalog
    return cache


def catalog_router() -> APIRouter:
    """The routes ``/node-types``, ``/node-types/{name}`` and ``/plugins``."""
    router = APIRouter(tags=["catalog"], responses=COMMON_RESPONSES)

    @router.get(
        "/node-types",
        response_model=NodeCatalogOut,
        responses={**_NOT_MODIFIED, 200: {"description": "The catalog, with its ETag."}},
        summary="The node catalog",
    )
    async def list_node_types(
        request: Request,
        _caller: CallerDep,
        view: ViewQuery = "full",
        if_none_match: IfNoneMatch = None,
    ) -> Response:
        """Every node type the loaded plugins serve, sorted by name."""
        body, etag = _cache(request).catalog(mcp=view == "mcp")
        return _respond(body, etag, if_none_match)

    @router.get(
        "/node-types/{name}",
        response_model=NodeTypeOut,
        responses={**_NOT_MODIFIED, **NOT_FOUND},
        summary="One node type",
    )
    async def get_node_type(
        request: Request,
        name: str,
        _caller: CallerDep,
        view: ViewQuery = "full",
        if_none_match: IfNoneMatch = None,
    ) -> Response:
        """The spec of one node type."""
        body, etag = _cache(request).node_type(name, mcp=view == "mcp")
        return _respond(body, etag, if_none_match)

    @router.get("/plugins", response_model=list[PluginOut], summary="The installed plugins")
    async def list_plugins(
        request: Request, state: StateDep, _caller: CallerDep
    ) -> list[PluginOut]:
        """Every plugin the host knows, whatever its status, with what became of its routes."""
        report: PluginRoutesReport = request.app.state.jackfield_plugin_routes
        return [
            PluginOut.model_validate(
                {**info.to_json_dict(), "routes": report.for_plugin(info.name).to_json_dict()}
            )
            for info in state.host.packages()
        ]

    return router

"""Mounting the plugins' HTTP routers, each under its own prefix.

Plugin ``NAME``'s routers are served under ``/api/v1/integrations/NAME/`` and
nowhere else. Every route needs the caller's API key, like the core routes,
unless the route opts out with ``openapi_extra={"x-jackfield-auth": "none"}``
(for example a receiver of a third party's webhooks); it can then read
nothing of an organization's data except what it is given. An authenticated
route finds the caller in ``request.state.jackfield_caller``.

A plugin's routers are mounted whole or not at all. They are refused, and the
reason reported by ``GET /plugins``, when ``jackfield_routers`` raises or
returns something other than a list of ``fastapi.APIRouter``; when a route is
not a FastAPI route (a bare Starlette route or mount would escape the
authentication); or when a path would leave the prefix (``..`` segments,
empty segments). The server goes on with the other plugins, except in the
host's strict mode, where such a plugin stops the server from starting.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute

from jackfield import PluginLoadError
from jackfield.host import PluginHost

__all__ = [
    "INTEGRATIONS_PREFIX",
    "PUBLIC_ROUTE_MARKER",
    "PluginRoutes",
    "PluginRoutesReport",
    "mount_plugin_routers",
]

#: Where plugin routes live; plugin ``NAME`` gets ``{INTEGRATIONS_PREFIX}/NAME``.
INTEGRATIONS_PREFIX = "/api/v1/integrations"
#: ``openapi_extra`` key and value that exempt a plugin route from authentication.
PUBLIC_ROUTE_MARKER = ("x-jackfield-auth", "none")

_PLUGIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_HOOK = "jackfield_routers"
_log = logging.getLogger("jackfield.server.plugins")


@dataclass(frozen=True, slots=True)
class PluginRoutes:
    """What became of one plugin's routers."""

    status: Literal["mounted", "failed", "none"]
    prefix: str
    paths: tuple[str, ...] = ()
    reason: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON form shown by ``GET /plugins``."""
        return {
            "status": self.status,
            "prefix": self.prefix,
            "paths": list(self.paths),
            "reason": self.reason,
        }


@dataclass
class PluginRoutesReport:
    """The outcome of :func:`mount_plugin_routers`, by plugin name."""

    plugins: dict[str, PluginRoutes] = field(default_factory=dict)

    def for_plugin(self, name: str) -> PluginRoutes:
        """The plugin's outcome (``none`` for a plugin that offered no router)."""
        return self.plugins.get(name, PluginRoutes("none", _prefix(name)))


def _prefix(name: str) -> str:
    return f"{INTEGRATIONS_PREFIX}/{name}"


class _Refused(Exception):
    """A plugin's routers cannot be mounted; the message says why."""


def _check_path(path: str) -> None:
    if path and not path.startswith("/"):
        raise _Refused(f"route path {path!r} does not start with '/'")
    segments = path.split("/")[1:]
    if any(segment in ("", ".", "..") for segment in segments[:-1]) or (
        segments and segments[-1] in (".", "..")
    ):
        raise _Refused(f"route path {path!r} would leave the plugin's prefix")
    if "\\" in path or "%" in path:
        raise _Refused(f"route path {path!r} holds characters that are not allowed")


def _routes_of(value: Any) -> list[APIRoute | APIWebSocketRoute]:
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise _Refused(f"{_HOOK} returned a {type(value).__name__}, not a list of APIRouter")
    routes: list[APIRoute | APIWebSocketRoute] = []
    for router in value:
        if not isinstance(router, APIRouter):
            raise _Refused(f"{_HOOK} returned a {type(router).__name__}, not an APIRouter")
        for route in router.routes:
            if not isinstance(route, APIRoute | APIWebSocketRoute):
                raise _Refused(
                    f"{type(route).__name__} routes are not allowed (only APIRouter routes, "
                    "which the server can authenticate)"
                )
            _check_path(route.path)
            routes.append(route)
    return routes


def _is_public(route: APIRoute | APIWebSocketRoute) -> bool:
    extra = getattr(route, "openapi_extra", None) or {}
    key, value = PUBLIC_ROUTE_MARKER
    return bool(extra.get(key) == value)


def mount_plugin_routers(
    app: FastAPI, host: PluginHost, *, authenticate: Any
) -> PluginRoutesReport:
    """Mount every loaded plugin's routers on ``app``; report what became of each.

    Call it after the core routes are added, so that the core routes win any
    match. ``authenticate`` is the dependency (a callable for ``Depends``) put
    on every route that does not opt out.
    """
    report = PluginRoutesReport()
    for result in host.call_each(_HOOK):
        name = result.plugin
        prefix = _prefix(name)
        try:
            if not _PLUGIN_NAME.fullmatch(name):
                raise _Refused("the plugin name cannot be part of a URL")
            if result.error is not None:
                raise _Refused(f"{_HOOK} raised {type(result.error).__name__}")
            if result.value is None:
                continue
            routes = _routes_of(result.value)
        except _Refused as exc:
            if host.strict:
                info = host.plugin(name)
                raise PluginLoadError(
                    f"routes not mounted: {exc}",
                    plugin=name,
                    distribution=info.distribution if info else None,
                ) from result.error
            _log.error("plugin %r: routes not mounted: %s", name, exc, exc_info=result.error)
            report.plugins[name] = PluginRoutes("failed", prefix, reason=str(exc))
            continue
        if not routes:
            continue
        public = [r for r in routes if _is_public(r)]
        private = [r for r in routes if not _is_public(r)]
        for group, dependencies in ((private, [Depends(authenticate)]), (public, [])):
            if group:
                bundle = APIRouter()
                bundle.routes.extend(group)
                app.include_router(
                    bundle, prefix=prefix, dependencies=dependencies, tags=[f"plugin: {name}"]
                )
        paths = tuple(sorted({prefix + r.path for r in routes}))
        report.plugins[name] = PluginRoutes("mounted", prefix, paths)
    return report

"""Plugin routers: mounted under their prefix, authenticated, confined, failures reported."""

from __future__ import annotations

import types

import pytest
from api_helpers import start_api
from fastapi import APIRouter, Request
from server_plugins import make_host
from starlette.routing import Route

from jackfield import PluginLoadError, hookimpl
from jackfield.host import PluginHost


def _plugin(routers):
    @hookimpl
    def jackfield_routers():
        return routers()

    return types.SimpleNamespace(jackfield_routers=jackfield_routers)


def _good_router() -> APIRouter:
    router = APIRouter()

    @router.get("/status")
    async def status(request: Request) -> dict:
        return {"org": str(request.state.jackfield_caller.organization_id)}

    @router.post("/inbound", openapi_extra={"x-jackfield-auth": "none"})
    async def inbound() -> dict:
        return {"received": True}

    return router


def _escaping_router() -> APIRouter:
    router = APIRouter()

    @router.get("/../../node-types")
    async def shadow() -> dict:
        return {"shadowed": True}

    return router


def _broken() -> list:
    raise RuntimeError("cannot build")


def _starlette_router() -> APIRouter:
    async def endpoint(request):  # pragma: no cover - never mounted
        raise AssertionError

    return APIRouter(routes=[Route("/raw", endpoint)])


@pytest.fixture
def routed_host() -> PluginHost:
    return make_host(
        ("good", _plugin(lambda: [_good_router()])),
        ("escaper", _plugin(lambda: [_escaping_router()])),
        ("broken", _plugin(_broken)),
        ("raw", _plugin(lambda: [_starlette_router()])),
        ("notalist", _plugin(lambda: _good_router())),
    )


async def test_plugin_routes_are_mounted_under_their_prefix_with_the_same_auth(
    routed_host, database, server_settings
):
    async with start_api(server_settings, routed_host, database) as api:
        prefix = "/api/v1/integrations/good"
        assert (await api.client.get(f"{prefix}/status")).status_code == 401
        response = await api.client.get(f"{prefix}/status", headers=api.auth())
        assert response.status_code == 200
        assert response.json()["org"]  # the caller's organization is handed to the plugin
        public = await api.client.post(f"{prefix}/inbound")
        assert public.status_code == 200
        assert (await api.client.get("/api/v1/status", headers=api.auth())).status_code == 404
        paths = set(api.app.openapi()["paths"])
        assert {f"{prefix}/status", f"{prefix}/inbound"} <= paths


async def test_bad_routers_are_reported_and_the_rest_still_work(
    routed_host, database, server_settings
):
    async with start_api(server_settings, routed_host, database) as api:
        report = {p["name"]: p["routes"] for p in (await api.request("GET", "/plugins")).json()}
        assert report["good"]["status"] == "mounted"
        assert report["good"]["paths"] == [
            "/api/v1/integrations/good/inbound",
            "/api/v1/integrations/good/status",
        ]
        for name, reason in [
            ("escaper", "would leave the plugin's prefix"),
            ("broken", "raised RuntimeError"),
            ("raw", "Route routes are not allowed"),
            ("notalist", "not a list of APIRouter"),
        ]:
            assert report[name]["status"] == "failed", name
            assert reason in report[name]["reason"], name
        # The core route is not shadowed, and nothing of the refused plugins is served.
        catalog = await api.request("GET", "/node-types")
        assert "shadowed" not in catalog.text
        raw = await api.client.get("/api/v1/integrations/raw/raw", headers=api.auth())
        assert raw.status_code == 404


def test_in_strict_mode_a_bad_router_stops_the_server(server_settings):
    from jackfield_server import create_app

    host = PluginHost(autoload=False, strict=True)
    host.register(_plugin(_broken), name="broken")
    with pytest.raises(PluginLoadError, match="broken"):
        create_app(server_settings, host)

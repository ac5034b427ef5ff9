"""The node catalog from cached bytes with ETags, and the plugin report."""

from __future__ import annotations

import json

from api_helpers import Api


async def test_the_catalog_is_the_hosts_bytes_with_an_etag_and_304(api: Api):
    host = api.app.state.jackfield.host
    response = await api.request("GET", "/node-types")
    assert response.status_code == 200
    assert response.content == host.catalog_json()
    assert response.headers["content-type"] == "application/json"
    etag = response.headers["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    names = [t["name"] for t in response.json()["node_types"]]
    assert names == sorted(names)
    assert {"start", "agent", "end", "deliver"} <= set(names)
    again = await api.request("GET", "/node-types", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    for matching in (f"W/{etag}", f'"other", {etag}', "*"):
        weak = await api.request("GET", "/node-types", headers={"If-None-Match": matching})
        assert weak.status_code == 304, matching
    stale = await api.request("GET", "/node-types", headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200
    assert stale.content == response.content


async def test_the_mcp_view_and_single_node_types_have_their_own_etags(api: Api):
    host = api.app.state.jackfield.host
    full = await api.request("GET", "/node-types")
    mcp = await api.request("GET", "/node-types", params={"view": "mcp"})
    assert mcp.content == host.catalog_json(mcp=True)
    assert mcp.headers["ETag"] != full.headers["ETag"]
    one = await api.request("GET", "/node-types/deliver")
    assert one.status_code == 200
    assert one.json() == host.node_spec("deliver").model_dump(mode="json")
    lean = await api.request("GET", "/node-types/deliver", params={"view": "mcp"})
    assert lean.json() == host.node_spec("deliver").to_mcp_dict()
    assert lean.headers["ETag"] != one.headers["ETag"]
    cached = await api.request(
        "GET", "/node-types/deliver", headers={"If-None-Match": one.headers["ETag"]}
    )
    assert cached.status_code == 304
    missing = await api.request("GET", "/node-types/nope")
    assert missing.status_code == 404
    assert "nope" in missing.json()["detail"]
    wrong_view = await api.request("GET", "/node-types", params={"view": "xml"})
    assert wrong_view.status_code == 422


async def test_repeated_requests_serve_the_same_cached_bytes(api: Api):
    host = api.app.state.jackfield.host
    before = host.catalog_json()
    bodies = {(await api.request("GET", "/node-types")).content for _ in range(3)}
    assert bodies == {before}
    assert host.catalog_json() is before  # never rebuilt per request


async def test_plugins_lists_every_plugin_with_its_routes(api: Api):
    response = await api.request("GET", "/plugins")
    assert response.status_code == 200
    plugins = {p["name"]: p for p in response.json()}
    assert set(plugins) == {"core", "deliver"}
    deliver = plugins["deliver"]
    assert deliver["status"] == "loaded"
    assert deliver["node_types"] == ["deliver"]
    assert "jackfield_run_completion" in deliver["hooks"]
    assert deliver["routes"] == {
        "status": "none",
        "prefix": "/api/v1/integrations/deliver",
        "paths": [],
        "reason": None,
    }
    json.dumps(plugins)  # plain JSON

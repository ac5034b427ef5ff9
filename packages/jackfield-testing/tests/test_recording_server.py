"""RecordingServer: records requests, answers queued replies once and standing ones always."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from jackfield_testing import RecordingServer, Reply


def post(url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(url, data=data, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        with exc:  # an error response holds its socket until closed
            return exc.code, exc.read()


def test_requests_are_recorded_with_path_query_headers_and_body():
    with RecordingServer() as server:
        status, body = post(f"{server.url}/calls?x=1&y=", {"a": 1}, {"X-Key": "v"})
    assert (status, json.loads(body)) == (200, {})
    (request,) = server.requests
    assert (request.method, request.path, request.query) == ("POST", "/calls", {"x": "1", "y": ""})
    assert request.headers["x-key"] == "v"
    assert request.json() == {"a": 1}
    assert server.requests_to("/calls") == [request]


def test_queued_replies_are_used_once_standing_replies_always():
    with RecordingServer() as server:
        server.reply(Reply(503, path="/a"))
        server.always(Reply(201, {"ok": True}, path="/a"), Reply(404, path="/b"))
        assert post(f"{server.url}/a")[0] == 503
        assert post(f"{server.url}/a") == (201, b'{"ok": true}')
        assert post(f"{server.url}/a")[0] == 201
        assert post(f"{server.url}/b")[0] == 404
        assert post(f"{server.url}/c")[0] == 200
        server.clear()
        assert post(f"{server.url}/a")[0] == 200
        assert len(server.requests) == 1


def test_reply_headers_are_sent():
    with RecordingServer() as server:
        server.reply(Reply(429, headers={"Retry-After": "7"}))
        request = urllib.request.Request(f"{server.url}/x", data=b"", method="POST")
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=5)
    with raised.value as error:
        assert (error.code, error.headers["Retry-After"]) == (429, "7")

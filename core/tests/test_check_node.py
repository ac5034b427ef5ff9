"""The check hook through jackfield.host.check_node, with registered plugin objects."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from host_plugins import fresh_host, make_registration

from jackfield import (
    DEFAULT_CHECK_TIMEOUT_S,
    CheckCode,
    CheckContext,
    CheckProblem,
    CheckResult,
    hookimpl,
)
from jackfield.host import NodeCheck, PluginHost, check_node

SECRET = "sk-live-CHECK-SECRET-7788"


class CheckPlugin:
    """Owns ``export``; its check does whatever ``answer`` says."""

    def __init__(self, answer: Any = None, *, type_name: str = "export") -> None:
        self.answer = answer if answer is not None else CheckResult(detail={"latency_ms": 3})
        self.type_name = type_name
        self.seen: list[tuple[str, object, CheckContext]] = []

    @hookimpl
    def jackfield_register_nodes(self):
        return [make_registration(self.type_name)]

    @hookimpl
    def jackfield_check_node(self, node_type, data, context):
        self.seen.append((node_type, data, context))
        answer = self.answer
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(data, context)
        return answer


class AsyncCheckPlugin(CheckPlugin):
    @hookimpl
    async def jackfield_check_node(self, node_type, data, context):  # type: ignore[override]
        self.seen.append((node_type, data, context))
        await asyncio.sleep(0)
        return self.answer


class NoCheckPlugin:
    @hookimpl
    def jackfield_register_nodes(self):
        return [make_registration("plain")]


def host_with(*plugins: tuple[str, object]) -> PluginHost:
    host = fresh_host(strict=True)
    for name, plugin in plugins:
        host.register(plugin, name=name)
    return host


def check(host: PluginHost, data: Any, node_type: str = "export", **kwargs: Any) -> NodeCheck:
    return asyncio.run(check_node(host, node_type, data, **kwargs))


def test_ok_answer_with_detail_and_the_validated_model_as_data():
    plugin = CheckPlugin()
    result = check(
        host_with(("exp", plugin)), {"name": "E", "api_key": SECRET}, node_id="n1", timeout_s=4
    )
    assert (result.status, result.ok, result.plugin, result.node_id) == ("ok", True, "exp", "n1")
    assert result.detail == {"latency_ms": 3}
    node_type, data, context = plugin.seen[0]
    assert node_type == "export"
    assert type(data).__name__ == "ExportNode"
    assert data.api_key == SECRET
    assert data.retries == 2
    assert (context.timeout_s, context.node_id, context.credentials) == (4, "n1", None)
    assert result.to_dict()["ok"] is True
    json.dumps(result.to_dict())


def test_async_implementations_are_awaited():
    plugin = AsyncCheckPlugin(CheckResult.failed("api_key", "refused", code="invalid_credential"))
    result = check(host_with(("exp", plugin)), {"name": "E", "api_key": SECRET})
    assert result.status == "failed"
    assert result.problems == (
        CheckProblem(message="refused", field="api_key", code=CheckCode.INVALID_CREDENTIAL),
    )


def test_invalid_data_names_fields_and_never_calls_the_plugin():
    plugin = CheckPlugin()
    result = check(
        host_with(("exp", plugin)), {"name": "E", "api_key": "xy", "retries": 99, "bogus": SECRET}
    )
    assert result.status == "failed"
    assert {(p.field, p.code) for p in result.problems} == {
        ("api_key", "invalid"),
        ("retries", "invalid"),
        ("bogus", "invalid"),
    }
    assert plugin.seen == []
    assert SECRET not in json.dumps(result.to_dict())


def test_a_masked_secret_is_a_problem_not_a_credential():
    plugin = CheckPlugin()
    result = check(host_with(("exp", plugin)), {"name": "E", "api_key": "****7788"})
    assert [(p.field, p.code) for p in result.problems] == [("api_key", "masked_value")]
    assert plugin.seen == []


def test_only_the_owning_plugin_is_called():
    owner, other = CheckPlugin(), CheckPlugin(CheckResult.failed(None, "not me"), type_name="other")
    result = check(host_with(("exp", owner), ("oth", other)), {"name": "E", "api_key": SECRET})
    assert result.ok
    assert result.plugin == "exp"
    assert len(owner.seen) == 1
    assert other.seen == []


def test_unknown_type_and_plugins_without_a_check():
    host = host_with(("plain", NoCheckPlugin()), ("exp", CheckPlugin(lambda d, c: None)))
    unknown = check(host, {}, node_type="nope")
    assert (unknown.status, unknown.plugin) == ("failed", None)
    assert unknown.problems[0].code == "unknown_node_type"
    assert check(host, {"name": "E", "api_key": SECRET}, node_type="plain").status == "unsupported"
    none = check(host, {"name": "E", "api_key": SECRET})  # owner returned None
    assert (none.status, none.ok, none.failed) == ("unsupported", False, False)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (RuntimeError(f"upstream said no to {SECRET}"), "raised RuntimeError"),
        ({"ok": True}, "returned dict, not a CheckResult"),
        (CheckResult(problems=("bad",)), "not CheckProblems"),  # type: ignore[arg-type]
        (CheckResult(detail={"when": object()}), "not a JSON object"),
    ],
)
def test_failures_are_confined_and_attributed_to_the_plugin(answer, fragment):
    result = check(host_with(("exp", CheckPlugin(answer))), {"name": "E", "api_key": SECRET})
    assert result.status == "failed"
    (problem,) = result.problems
    assert problem.code == "plugin_error"
    assert "plugin 'exp'" in problem.message
    assert fragment in problem.message
    assert SECRET not in json.dumps(result.to_dict())


def test_a_slow_check_is_abandoned_at_the_time_limit():
    def slow(data, context):
        time.sleep(1.5)
        return CheckResult()

    host = host_with(("exp", CheckPlugin(slow)))

    async def timed() -> tuple[NodeCheck, float]:
        start = time.perf_counter()
        answer = await check_node(host, "export", {"name": "E", "api_key": SECRET}, timeout_s=0.3)
        return answer, time.perf_counter() - start

    result, elapsed = asyncio.run(timed())  # (asyncio.run then waits for the worker thread)
    assert elapsed < 1.2
    assert [p.code for p in result.problems] == ["plugin_timeout"]
    assert "0.3 s" in result.problems[0].message


def test_secrets_are_scrubbed_from_problems_and_detail():
    answer = CheckResult(
        problems=(CheckProblem(f"key {SECRET} refused", field="api_key", code="x"),),
        detail={"echo": [SECRET], SECRET: 1, "latency_ms": 12},
    )
    result = check(host_with(("exp", CheckPlugin(answer))), {"name": "E", "api_key": SECRET})
    text = json.dumps(result.to_dict())
    assert SECRET not in text
    assert result.problems[0].message == "key [secret] refused"
    assert result.detail["latency_ms"] == 12


def test_a_model_instance_is_accepted_as_data():
    host = host_with(("exp", plugin := CheckPlugin()))
    instance = host.data_model("export").model_validate({"name": "E", "api_key": SECRET})
    assert check(host, instance).ok
    assert plugin.seen[0][1] is instance
    assert CheckContext().timeout_s == DEFAULT_CHECK_TIMEOUT_S


# -- against a real local service -------------------------------------------------


@pytest.fixture
def service() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            good = self.headers.get("Authorization") == f"Bearer {SECRET}"
            self.send_response(200 if good else 401)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def http_check(url: str):
    def answer(data, context: CheckContext) -> CheckResult:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {data.api_key}"})
        try:
            with urllib.request.urlopen(request, timeout=context.timeout_s * 0.8):
                return CheckResult(detail={"reached": True})
        except urllib.error.HTTPError as exc:
            exc.close()
            return CheckResult.failed(
                "api_key", f"the service answered {exc.code}", code=CheckCode.INVALID_CREDENTIAL
            )

    return answer


def test_a_plugin_checking_a_real_service(service):
    host = host_with(("exp", CheckPlugin(http_check(service))))
    assert check(host, {"name": "E", "api_key": SECRET}).ok
    bad = check(host, {"name": "E", "api_key": "sk-wrong-0000"})
    assert [(p.field, p.code) for p in bad.problems] == [("api_key", "invalid_credential")]

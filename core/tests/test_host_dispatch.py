"""Calling hooks per plugin: call_each, acall_each, routers, and hook-call tracing."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest
from host_plugins import RoutersPlugin, fresh_host, make_registration

from jackfield import PluginLoadError, hookimpl

SECRET = "sk-live-DO-NOT-LOG-4242"


class CompletionPlugin:
    """Records what it was given; fails when told to."""

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.seen: list[tuple[object, object]] = []

    @hookimpl
    def jackfield_run_completion(self, nodes, context):
        self.seen.append((nodes, context))
        if self.fail:
            raise ValueError(f"upstream rejected key {SECRET}")
        return {"count": len(nodes)}


class ContextOnlyPlugin:
    """Declares fewer arguments than the spec (pluggy's opt-in arguments)."""

    @hookimpl
    def jackfield_run_completion(self, context):
        return {"context": context}


def test_call_each_attributes_values_and_errors_to_plugins():
    host = fresh_host()
    good, bad = CompletionPlugin(), CompletionPlugin(fail=True)
    host.register(good, name="good")
    host.register(bad, name="bad")

    results = {
        r.plugin: r for r in host.call_each("jackfield_run_completion", nodes=[1, 2], context="c")
    }

    assert set(results) == {"good", "bad"}
    assert results["good"].ok
    assert results["good"].value == {"count": 2}
    assert results["good"].hook == "jackfield_run_completion"
    assert not results["bad"].ok
    assert isinstance(results["bad"].error, ValueError)
    assert results["bad"].value is None
    assert all(r.duration_ms >= 0 for r in results.values())


def test_call_each_passes_per_plugin_arguments_and_opt_in_arguments():
    host = fresh_host()
    first, second = CompletionPlugin(), CompletionPlugin()
    host.register(first, name="first")
    host.register(second, name="second")
    host.register(ContextOnlyPlugin(), name="lean")

    results = host.call_each(
        "jackfield_run_completion",
        per_plugin=lambda plugin: {"nodes": [plugin]},
        context="shared",
    )

    assert first.seen == [(["first"], "shared")]
    assert second.seen == [(["second"], "shared")]
    assert {r.plugin: r.value for r in results}["lean"] == {"context": "shared"}


def test_call_each_can_be_limited_to_named_plugins():
    host = fresh_host()
    picked, skipped = CompletionPlugin(), CompletionPlugin()
    host.register(picked, name="picked")
    host.register(skipped, name="skipped")

    results = host.call_each("jackfield_run_completion", plugins=["picked"], nodes=[], context=None)

    assert [r.plugin for r in results] == ["picked"]
    assert skipped.seen == []


def test_call_each_follows_tryfirst_and_trylast():
    order = []

    class Early:
        @hookimpl(tryfirst=True)
        def jackfield_routers(self):
            order.append("early")

    class Late:
        @hookimpl(trylast=True)
        def jackfield_routers(self):
            order.append("late")

    class Plain:
        @hookimpl
        def jackfield_routers(self):
            order.append("plain")

    host = fresh_host()
    host.register(Late(), name="late")
    host.register(Early(), name="early")
    host.register(Plain(), name="plain")

    host.call_each("jackfield_routers")

    assert order == ["early", "plain", "late"]


def test_call_each_rejects_unknown_hooks_and_missing_arguments():
    host = fresh_host()
    host.register(CompletionPlugin(), name="p")
    with pytest.raises(ValueError, match="not a jackfield hook"):
        host.call_each("jackfield_nope")
    with pytest.raises(TypeError, match="context"):
        host.call_each("jackfield_run_completion", nodes=[])


def test_acall_each_awaits_async_and_runs_sync_in_a_thread():
    loop_thread: list[int] = []

    class AsyncPlugin:
        @hookimpl
        async def jackfield_run_completion(self, nodes, context):
            await asyncio.sleep(0)
            return {"async": True}

    class SyncPlugin:
        @hookimpl
        def jackfield_run_completion(self, nodes, context):
            loop_thread.append(threading.get_ident())
            return {"sync": True}

    host = fresh_host()
    host.register(AsyncPlugin(), name="a")
    host.register(SyncPlugin(), name="s")

    results = asyncio.run(host.acall_each("jackfield_run_completion", nodes=[], context=None))

    assert {r.plugin: r.value for r in results} == {"a": {"async": True}, "s": {"sync": True}}
    assert loop_thread
    assert loop_thread[0] != threading.get_ident()


def test_acall_each_confines_errors_and_time_limits():
    class Slow:
        @hookimpl
        async def jackfield_run_completion(self, nodes, context):
            await asyncio.sleep(5)

    class OwnTimeout:
        @hookimpl
        async def jackfield_run_completion(self, nodes, context):
            raise TimeoutError("the upstream API timed out")

    host = fresh_host()
    host.register(Slow(), name="slow")
    host.register(OwnTimeout(), name="own")
    host.register(CompletionPlugin(fail=True), name="bad")
    host.register(CompletionPlugin(), name="good")

    results = asyncio.run(
        host.acall_each(
            "jackfield_run_completion",
            timeout_s=10,
            timeouts_s={"slow": 0.01},
            nodes=[],
            context=None,
        )
    )
    by_plugin = {r.plugin: r for r in results}

    assert isinstance(by_plugin["slow"].error, TimeoutError)
    assert "took longer than 0.01 s" in str(by_plugin["slow"].error)
    assert str(by_plugin["own"].error) == "the upstream API timed out"
    assert isinstance(by_plugin["bad"].error, ValueError)
    assert by_plugin["good"].value == {"count": 0}


def test_routers_are_kept_per_plugin():
    host = fresh_host()
    host.register(RoutersPlugin(routers=["r1", "r2"]), name="web")
    host.register(RoutersPlugin(routers=None), name="none")
    host.register(RoutersPlugin(routers=[]), name="empty")

    assert host.routers() == {"web": ["r1", "r2"]}


def test_a_raising_routers_hook_is_reported_not_fatal(caplog):
    host = fresh_host()
    host.register(RoutersPlugin(routers=RuntimeError("boom")), name="bad-web")
    host.register(RoutersPlugin(routers="not-a-list"), name="odd-web")
    host.register(RoutersPlugin(routers=["ok"]), name="web")

    with caplog.at_level(logging.ERROR, logger="jackfield.host"):
        routers = host.routers()

    assert routers == {"web": ["ok"]}
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "plugin 'bad-web'" in messages
    assert "raised RuntimeError" in messages
    assert "plugin 'odd-web'" in messages
    assert "returned str" in messages


def test_routers_hook_raising_in_strict_mode_raises():
    host = fresh_host(strict=True)
    host.register(RoutersPlugin(routers=RuntimeError("boom")), name="bad-web")
    with pytest.raises(PluginLoadError, match="plugin 'bad-web'"):
        host.routers()


def test_failed_plugin_contributes_no_routers():
    host = fresh_host()
    host.register(
        RoutersPlugin(make_registration("x", sensitive_fields=("missing",)), routers=["r"]),
        name="failed-web",
    )
    assert host.routers() == {}


def test_tracing_logs_each_call_without_argument_values(caplog):
    host = fresh_host(trace=True)
    host.register(CompletionPlugin(), name="good")
    host.register(CompletionPlugin(fail=True), name="bad")

    with caplog.at_level(logging.INFO, logger="jackfield.trace"):
        host.call_each("jackfield_run_completion", nodes=[{"api_key": SECRET}], context=SECRET)

    records = [r for r in caplog.records if r.name == "jackfield.trace"]
    calls = {(r.plugin, r.hook, r.outcome) for r in records if r.hook == "jackfield_run_completion"}
    assert calls == {
        ("good", "jackfield_run_completion", "ok"),
        ("bad", "jackfield_run_completion", "error:ValueError"),
    }
    assert all(isinstance(r.duration_ms, float) for r in records)
    for record in records:
        assert SECRET not in record.getMessage()
        assert SECRET not in repr(record.__dict__)


def test_tracing_covers_loading_and_async_timeouts(caplog):
    class Slow:
        @hookimpl
        async def jackfield_run_completion(self, nodes, context):
            await asyncio.sleep(5)

    host = fresh_host(trace=True)
    host.register(Slow(), name="slow")
    with caplog.at_level(logging.INFO, logger="jackfield.trace"):
        host.load()
        asyncio.run(
            host.acall_each("jackfield_run_completion", timeout_s=0.01, nodes=[], context=None)
        )

    outcomes = {
        (r.plugin, r.hook, r.outcome) for r in caplog.records if r.name == "jackfield.trace"
    }
    assert ("core", "jackfield_register_nodes", "ok") in outcomes
    assert ("slow", "jackfield_run_completion", "timeout") in outcomes


def test_no_trace_records_when_tracing_is_off(caplog):
    host = fresh_host(trace=False)
    host.register(CompletionPlugin(), name="good")
    with caplog.at_level(logging.DEBUG, logger="jackfield.trace"):
        host.call_each("jackfield_run_completion", nodes=[], context=None)
    assert [r for r in caplog.records if r.name == "jackfield.trace"] == []

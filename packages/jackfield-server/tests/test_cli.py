"""`jackfield serve` and `jackfield worker` as an operator runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from click.testing import CliRunner
from server_process import free_port

from jackfield import hookimpl
from jackfield._cli import main as jackfield_cli
from jackfield.host import ExitCode, HostFactory, PluginHost

CLI = [sys.executable, "-c", "from jackfield._cli import main; main()"]


def test_serve_migrates_serves_and_logs_json_lines(tmp_path):
    port = free_port()
    env = {**os.environ, "JACKFIELD_DISABLE_PLUGIN_AUTOLOAD": "1"}
    data = tmp_path / "data"
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--data-dir", str(data)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert health.json()["status"] == "ok"
        schema = httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json").json()
        assert "/api/v1/workflows" in schema["paths"]
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then dies of the signal it caught.
    assert process.returncode in (0, -signal.SIGTERM)
    records = [json.loads(line) for line in err.decode().splitlines()]
    assert any(r["message"] == "Application shutdown complete." for r in records)
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert any("migration" in r["message"] for r in records)
    assert (data / "jackfield.db").exists()
    assert (data / "secret.key").exists()


def test_worker_without_a_broker_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("JACKFIELD_BROKER_URL", raising=False)
    result = CliRunner().invoke(jackfield_cli, ["worker", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "JACKFIELD_BROKER_URL is not set" in result.output


def test_a_bad_setting_is_reported_by_name(tmp_path, monkeypatch):
    monkeypatch.setenv("JACKFIELD_WORKER_LEASE_S", "soon")
    result = CliRunner().invoke(
        jackfield_cli, ["keys", "create", "acme", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "JACKFIELD_WORKER_LEASE_S must be a number" in result.output


class _BrokenOnLoad:
    @hookimpl
    def jackfield_register_nodes(self):
        raise RuntimeError("registry backend unavailable")


class _BrokenRouters:
    @hookimpl
    def jackfield_routers(self):
        raise RuntimeError("no routes today")


def _factory(name: str, plugin: object) -> HostFactory:
    """Hosts with the built-in nodes and one broken plugin, as ``cli_host`` asks for them."""

    def make(strict: bool | None) -> PluginHost:
        host = PluginHost(autoload=False, strict=strict)
        host.register(plugin, name=name, distribution=f"jackfield-{name}", version="1.0")
        return host

    return HostFactory(make)


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_strict_stops_at_a_broken_plugin_and_names_it(tmp_path, monkeypatch, command):
    monkeypatch.delenv("JACKFIELD_STRICT", raising=False)
    factory = _factory("broken", _BrokenOnLoad())
    args = [command, "--strict", "--data-dir", str(tmp_path)]

    result = CliRunner().invoke(jackfield_cli, args, obj=factory)

    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "strict mode: plugin 'broken' (distribution 'jackfield-broken')" in result.output
    assert not (tmp_path / "jackfield.db").exists()  # stopped before the database


def test_serve_strict_stops_at_a_plugin_whose_routers_fail(tmp_path, monkeypatch):
    monkeypatch.delenv("JACKFIELD_STRICT", raising=False)
    factory = _factory("routes", _BrokenRouters())
    args = ["serve", "--strict", "--data-dir", str(tmp_path), "--port", str(free_port())]

    result = CliRunner().invoke(jackfield_cli, args, obj=factory)

    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert "strict mode:" in result.output
    assert "'routes'" in result.output

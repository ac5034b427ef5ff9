"""Shared fixtures: a host with the tuner plugin, and the fake Tuner's address."""

from __future__ import annotations

import jackfield_tuner.plugin
import pytest

from jackfield.host import PluginHost, PluginSettings


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Serve pytest-httpserver's fake Tuner on 127.0.0.1 (a free port)."""
    return ("127.0.0.1", 0)


@pytest.fixture
def host() -> PluginHost:
    """A host with only the built-in nodes and the tuner plugin, strict."""
    plugin_host = PluginHost(autoload=False, strict=True, settings=PluginSettings(autoload=False))
    plugin_host.register(jackfield_tuner.plugin, name="tuner")
    return plugin_host

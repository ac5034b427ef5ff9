"""Shared fixtures: a host with the qa plugin, and the fake model server's address."""

from __future__ import annotations

import jackfield_qa.plugin
import pytest

from jackfield.host import PluginHost, PluginSettings


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Serve pytest-httpserver's fake chat-completions API on 127.0.0.1 (a free port)."""
    return ("127.0.0.1", 0)


@pytest.fixture
def host() -> PluginHost:
    """A host with only the built-in nodes and the qa plugin, strict."""
    plugin_host = PluginHost(autoload=False, strict=True, settings=PluginSettings(autoload=False))
    plugin_host.register(jackfield_qa.plugin, name="qa")
    return plugin_host

"""What the call orchestrators need from the plugin host and the workflow.

:mod:`jackfield._calls._live` and :mod:`jackfield._calls._completion` only use the host
through :class:`HostView`, a narrow slice of :class:`~jackfield.PluginHost`
(which node type belongs to which plugin, which plugins implement a hook, and
the per-plugin hook dispatch of :mod:`jackfield._host._dispatch`). Workflow nodes are
read with :func:`jackfield._workflows._definition.workflow_nodes`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol

from jackfield._host._dispatch import HookResult, PerPluginKwargs, implementations
from jackfield._host._plugin_host import PluginHost

__all__ = [
    "HostView",
    "host_view",
    "recorded_plugin",
]


class HostView(Protocol):
    """The slice of the plugin host the call orchestrators use."""

    def plugin_for_node_type(self, type_name: str) -> str | None:
        """The loaded plugin that provides ``type_name``, or ``None``."""
        ...

    def plugins_implementing(self, hook_name: str) -> list[str]:
        """Names of the loaded plugins that implement ``hook_name``."""
        ...

    def hook_function(self, plugin: str, hook_name: str) -> object | None:
        """``plugin``'s implementation function of ``hook_name`` (for its markers)."""
        ...

    def plugin_status(self, plugin: str) -> str | None:
        """``"loaded"``, ``"disabled"``, ``"failed"``... or ``None`` if not installed."""
        ...

    def call_plugin(self, plugin: str, hook_name: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation; its exception propagates."""
        ...

    async def acall_plugins(
        self,
        hook_name: str,
        *,
        plugins: Collection[str],
        per_plugin: PerPluginKwargs,
        timeouts_s: Mapping[str, float],
    ) -> list[HookResult[Any]]:
        """Call the named plugins concurrently (sync ones in threads), each within its limit."""
        ...


class _PluginHostView:
    """:class:`HostView` over a :class:`~jackfield.PluginHost`."""

    def __init__(self, host: PluginHost) -> None:
        self._host = host

    def plugin_for_node_type(self, type_name: str) -> str | None:
        return self._host.plugin_for_node_type(type_name)

    def plugins_implementing(self, hook_name: str) -> list[str]:
        return [p.name for p in self._host.packages() if p.usable and hook_name in p.hooks]

    def hook_function(self, plugin: str, hook_name: str) -> object | None:
        # Completion settings are a marker on the implementation function, read
        # through pluggy's public HookImpl.
        impls = implementations(self._host.plugin_manager, hook_name, [plugin])
        return impls[0].function if impls else None

    def plugin_status(self, plugin: str) -> str | None:
        info = self._host.plugin(plugin)
        return None if info is None else info.status.value

    def call_plugin(self, plugin: str, hook_name: str, **kwargs: Any) -> Any:
        results = self._host.call_each(hook_name, plugins=[plugin], **kwargs)
        if not results:
            return None
        if results[0].error is not None:
            raise results[0].error
        return results[0].value

    async def acall_plugins(
        self,
        hook_name: str,
        *,
        plugins: Collection[str],
        per_plugin: PerPluginKwargs,
        timeouts_s: Mapping[str, float],
    ) -> list[HookResult[Any]]:
        return await self._host.acall_each(
            hook_name, plugins=plugins, per_plugin=per_plugin, timeouts_s=timeouts_s
        )


def host_view(host: PluginHost) -> HostView:
    """Return the orchestrators' view of ``host`` (a :class:`~jackfield.PluginHost`)."""
    return _PluginHostView(host)


def recorded_plugin(workflow: Any, type_name: str) -> str | None:
    """The plugin a stored definition's ``node_types`` record names for ``type_name``."""
    records = (
        workflow.get("node_types")
        if isinstance(workflow, Mapping)
        else getattr(workflow, "node_types", None)
    )
    if not isinstance(records, Mapping):
        return None
    record = records.get(type_name)
    plugin = (
        record.get("plugin") if isinstance(record, Mapping) else getattr(record, "plugin", None)
    )
    return plugin if isinstance(plugin, str) else None

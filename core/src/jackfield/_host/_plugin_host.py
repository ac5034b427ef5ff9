"""The plugin host: :class:`PluginHost` and the process-wide :func:`default_host`."""

from __future__ import annotations

import functools
import importlib
import json
import logging
import threading
import time
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

from jackfield._errors import PluginLoadError, UnknownNodeTypeError
from jackfield._host._discovery import discover_plugins, jackfield_version
from jackfield._host._dispatch import (
    HookResult,
    PerPluginKwargs,
    acall_each,
    call_each,
    implementations,
)
from jackfield._host._loading import Candidate, HostState, PluginRecord, load_plugins
from jackfield._host._names import DEFAULT_PLUGINS
from jackfield._host._settings import PluginSettings
from jackfield._host._status import PluginInfo
from jackfield._specs._lint import SpecProblem
from jackfield._specs._node_spec import SPEC_VERSION, NodeSpec
from jackfield._specs._registration import NodeRegistration

if TYPE_CHECKING:
    from fastapi import APIRouter  # type: ignore[import-not-found, unused-ignore]

    from jackfield._specs._node_data import BaseNodeData

__all__ = ["DEFAULT_PLUGINS", "PluginHost", "default_host"]

logger = logging.getLogger("jackfield.host")


def _module_importer(module: str) -> Any:
    def load() -> tuple[object, float]:
        start = time.perf_counter()
        obj = importlib.import_module(module)
        return obj, (time.perf_counter() - start) * 1000.0

    return load


class PluginHost:
    """Finds, loads and serves plugins; the registry every other part queries.

    A host holds its own pluggy plugin manager and node-type registry; nothing
    is global. Loading is lazy (the first query loads) and happens once.

    :param autoload: look for installed plugins through entry points
        (default: the settings' ``autoload``, i.e. unless
        ``JACKFIELD_DISABLE_PLUGIN_AUTOLOAD=1``).
    :param strict: raise the first plugin problem instead of reporting it
        (default: the settings' ``strict``, i.e. ``JACKFIELD_STRICT=1``).
    :param settings: enable/disable settings (default: read from the environment
        and the config file when the host is created).
    :param builtins: register jackfield's own plugins (:data:`DEFAULT_PLUGINS`).
    :param trace: log every hook call (default: ``JACKFIELD_TRACE_PLUGINS=1``).

    Example (a test registering a plugin object directly)::

        host = PluginHost(autoload=False)
        host.register(MyPlugin(), name="my-plugin")
        assert host.plugin("my-plugin").status is PluginStatus.LOADED
    """

    def __init__(
        self,
        *,
        autoload: bool | None = None,
        strict: bool | None = None,
        settings: PluginSettings | None = None,
        builtins: bool = True,
        trace: bool | None = None,
    ) -> None:
        self._settings = settings if settings is not None else PluginSettings.from_env()
        self._autoload = self._settings.autoload if autoload is None else autoload
        self._strict = self._settings.strict if strict is None else strict
        self._trace = self._settings.trace if trace is None else trace
        self._candidates: list[Candidate] = []
        if builtins:
            for name, module in DEFAULT_PLUGINS:
                self._candidates.append(
                    Candidate(
                        name=name,
                        module=module,
                        distribution="jackfield",
                        version=jackfield_version(),
                        installed=False,
                        importer=_module_importer(module),
                    )
                )
        self._state: HostState | None = None
        self._lock = threading.RLock()
        self._specs: tuple[NodeSpec, ...] | None = None
        self._catalogs: dict[bool, bytes] = {}

    # -- configuration ---------------------------------------------------------

    @property
    def settings(self) -> PluginSettings:
        """The enable/disable settings this host applies."""
        return self._settings

    @property
    def strict(self) -> bool:
        """Whether plugin problems raise instead of being reported."""
        return self._strict

    @property
    def trace(self) -> bool:
        """Whether every hook call is logged (see :mod:`jackfield._host._tracing`)."""
        return self._trace

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The pluggy plugin manager, loaded; only loaded plugins are registered on it.

        Call hooks through :meth:`call_each` / :meth:`acall_each`, which
        attribute each failure to its plugin; pluggy's own ``pm.hook.<name>()``
        stops at the first exception and does not say whose it was.
        """
        return self._loaded().pm

    def register(
        self,
        plugin: object,
        *,
        name: str,
        distribution: str | None = None,
        version: str | None = None,
    ) -> None:
        """Add a plugin object (a module, class or instance with hookimpls) by name.

        It goes through the same checks as an installed plugin, except the
        allow-list and the version check, which apply to installed plugins only.
        Registering after the host has loaded unloads it; the next query loads
        again with the new plugin.

        :raises ValueError: a plugin with this name was already registered.
        """
        module = getattr(plugin, "__name__", None)
        if not isinstance(module, str):
            module = f"{type(plugin).__module__}.{type(plugin).__qualname__}"
        candidate = Candidate(
            name=name,
            module=module,
            distribution=distribution,
            version=version,
            installed=False,
            importer=lambda: (plugin, None),
        )
        with self._lock:
            if any(c.name == name and not c.installed for c in self._candidates):
                raise ValueError(f"a plugin named {name!r} is already registered on this host")
            self._candidates.append(candidate)
            self._state, self._specs = None, None
            self._catalogs.clear()

    def known_names(self) -> set[str]:
        """Names of every plugin this host would consider, without importing any.

        The built-in and registered plugins, plus the installed ones when
        autoload is on (one cached entry-point scan).
        """
        names = {c.name for c in self._candidates}
        if self._autoload:
            names.update(p.name for p in discover_plugins())
        return names

    def load(self) -> None:
        """Discover, import and check every plugin, once. Later calls do nothing.

        :raises PluginError: in strict mode, for the first plugin problem.
        :raises ConfigError: in strict mode, if the config file is unusable.
        """
        self._loaded()

    def _loaded(self) -> HostState:
        state = self._state
        if state is not None:
            return state
        with self._lock:
            if self._state is None:
                candidates = list(self._candidates)
                installed: list[str] | None = None
                if self._autoload:
                    found = discover_plugins()
                    installed = [p.name for p in found]
                    candidates += [Candidate.from_discovered(p) for p in found]
                self._state = load_plugins(
                    candidates,
                    self._settings,
                    strict=self._strict,
                    trace=self._trace,
                    known_installed=installed,
                )
            return self._state

    # -- plugins ---------------------------------------------------------------

    def packages(self) -> list[PluginInfo]:
        """Every plugin the host knows, whatever its status, sorted by name."""
        return sorted(
            (r.info() for r in self._loaded().records),
            key=lambda i: (i.name, i.distribution or ""),
        )

    def plugin(self, name: str) -> PluginInfo | None:
        """The plugin called ``name`` (the first, if two sources claim it), or ``None``."""
        for info in self.packages():
            if info.name == name:
                return info
        return None

    def unknown_setting_names(self) -> tuple[str, ...]:
        """Plugin names in the settings that match no installed or registered plugin."""
        return self._loaded().unknown_setting_names

    def spec_problems(self) -> list[tuple[str, SpecProblem]]:
        """Lint problems of loaded plugins' specs that do not make a node unusable.

        Returned as ``(plugin name, problem)`` pairs; problems that make a node
        unusable fail the plugin instead and appear in its ``reason``.
        """
        return [
            (record.name, problem)
            for record in self._loaded().records
            if record.usable
            for problem in record.spec_problems
        ]

    # -- node types --------------------------------------------------------------

    def find_registration(self, type_name: str) -> NodeRegistration | None:
        """Return the registration of ``type_name``, or ``None`` if no loaded plugin serves it."""
        entry = self._loaded().served.get(type_name)
        return None if entry is None else entry[1]

    def registration(self, type_name: str) -> NodeRegistration:
        """Return the registration of ``type_name``.

        :raises UnknownNodeTypeError: no loaded plugin serves it; the error names
            the failed plugin that claimed it, when there is one.
        """
        found = self.find_registration(type_name)
        if found is not None:
            return found
        failed = self._failed_claimant(type_name)
        if failed is None:
            raise UnknownNodeTypeError(type_name)
        raise UnknownNodeTypeError(
            type_name, plugin=failed.name, why=f"{failed.status.value} ({failed.reason})"
        )

    def _failed_claimant(self, type_name: str) -> PluginRecord | None:
        for record in self._loaded().records:
            if not record.usable and type_name in record.claimed_types:
                return record
        return None

    def plugin_for_node_type(self, type_name: str) -> str | None:
        """Name of the loaded plugin serving ``type_name``, or ``None``."""
        entry = self._loaded().served.get(type_name)
        return None if entry is None else entry[0]

    def data_model(self, type_name: str) -> type[BaseNodeData]:
        """The model validating ``type_name``'s data (raises like :meth:`registration`)."""
        return self.registration(type_name).data_model

    def node_spec(self, type_name: str) -> NodeSpec:
        """The spec of ``type_name`` (raises like :meth:`registration`)."""
        return self.registration(type_name).node_spec

    def sensitive_fields(self, type_name: str) -> tuple[str, ...]:
        """The secret fields of ``type_name`` (raises like :meth:`registration`)."""
        return self.registration(type_name).sensitive_fields

    def node_specs(self) -> tuple[NodeSpec, ...]:
        """Every served node spec, sorted by type name (computed once)."""
        specs = self._specs
        if specs is None:
            served = self._loaded().served
            specs = tuple(served[name][1].node_spec for name in sorted(served))
            self._specs = specs
        return specs

    def catalog_json(self, *, mcp: bool = False) -> bytes:
        """The node catalog as UTF-8 JSON: ``{"spec_version": ..., "node_types": [...]}``.

        The same bytes on every call (built once per host): what
        ``jackfield node-types`` prints and an HTTP API serves. Node types come
        sorted by name, each in its model's field order; ``mcp=True`` gives the
        lean projection for LLM tools (``NodeSpec.to_mcp_dict``).
        """
        cached = self._catalogs.get(mcp)
        if cached is None:
            types = [
                spec.to_mcp_dict() if mcp else spec.model_dump(mode="json")
                for spec in self.node_specs()
            ]
            document = {"spec_version": SPEC_VERSION, "node_types": types}
            cached = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
            self._catalogs[mcp] = cached
        return cached

    # -- calling hooks -------------------------------------------------------------

    def call_each(
        self,
        hook_name: str,
        /,
        *,
        plugins: Collection[str] | None = None,
        per_plugin: PerPluginKwargs | None = None,
        **kwargs: Any,
    ) -> list[HookResult[Any]]:
        """Call ``hook_name`` on every loaded plugin (or only ``plugins``), one at a time.

        Never raises for a plugin: each call's value or exception comes back in
        its :class:`~jackfield.host.HookResult`, attributed to the plugin. ``kwargs``
        are the hook's arguments; ``per_plugin(name)`` may return arguments that
        differ per plugin (merged over ``kwargs``). Awaitables are returned, not
        awaited: see :meth:`acall_each`.
        """
        state = self._loaded()
        return call_each(
            state.pm,
            hook_name,
            plugins=plugins,
            per_plugin=per_plugin,
            trace=self._trace,
            kwargs=kwargs,
        )

    async def acall_each(
        self,
        hook_name: str,
        /,
        *,
        plugins: Collection[str] | None = None,
        per_plugin: PerPluginKwargs | None = None,
        timeout_s: float | None = None,
        timeouts_s: Mapping[str, float] | None = None,
        **kwargs: Any,
    ) -> list[HookResult[Any]]:
        """Like :meth:`call_each`, but concurrently, awaiting each result, with time limits.

        ``async def`` implementations run on the loop, plain ones in a worker
        thread. A call past ``timeouts_s[plugin]`` (else ``timeout_s``) gets a
        :class:`TimeoutError` as its error.
        """
        state = self._loaded()
        return await acall_each(
            state.pm,
            hook_name,
            plugins=plugins,
            per_plugin=per_plugin,
            timeout_s=timeout_s,
            timeouts_s=timeouts_s,
            trace=self._trace,
            kwargs=kwargs,
        )

    def plugins_implementing(self, hook_name: str) -> list[str]:
        """Names of the usable plugins that implement ``hook_name``, sorted."""
        return [p.name for p in self.packages() if p.usable and hook_name in p.hooks]

    def hook_function(self, plugin: str, hook_name: str) -> object | None:
        """``plugin``'s implementation function of ``hook_name``, or ``None``.

        Hosts read the markers decorators leave on it (completion settings).
        """
        impls = implementations(self._loaded().pm, hook_name, [plugin])
        return impls[0].function if impls else None

    def plugin_status(self, plugin: str) -> str | None:
        """``"loaded"``, ``"disabled"``, ``"failed"``... or ``None`` if not installed."""
        info = self.plugin(plugin)
        return None if info is None else info.status.value

    def call_plugin(self, plugin: str, hook_name: str, /, **kwargs: Any) -> Any:
        """Call one plugin's implementation of ``hook_name`` and return its value.

        Unlike :meth:`call_each`, the plugin's exception propagates (the caller
        attributes it). Returns ``None`` when the plugin does not implement it.
        """
        results = self.call_each(hook_name, plugins=[plugin], **kwargs)
        if not results:
            return None
        if results[0].error is not None:
            raise results[0].error
        return results[0].value

    def routers(self) -> dict[str, list[APIRouter]]:
        """Every loaded plugin's HTTP routers, by plugin name (plugins with none omitted).

        A plugin whose ``jackfield_routers`` raises or returns something other
        than a list is logged and left out (raised in strict mode).
        """
        out: dict[str, list[APIRouter]] = {}
        for result in self.call_each("jackfield_routers"):
            problem: str | None = None
            if result.error is not None:
                problem = f"jackfield_routers raised {type(result.error).__name__}"
            elif result.value is not None and not isinstance(result.value, list | tuple):
                problem = f"jackfield_routers returned {type(result.value).__name__}, not a list"
            if problem is not None:
                info = self.plugin(result.plugin)
                dist = info.distribution if info is not None else None
                error = PluginLoadError(problem, plugin=result.plugin, distribution=dist)
                if self._strict:
                    raise error from result.error
                logger.error("%s; its routes are not mounted", error)
                continue
            if result.value:
                out.setdefault(result.plugin, []).extend(result.value)
        return out


@functools.cache
def default_host() -> PluginHost:
    """The process-wide host, created (not loaded) on first use.

    Settings come from the environment at that moment. Libraries and tests
    should prefer a :class:`PluginHost` of their own.
    """
    return PluginHost()

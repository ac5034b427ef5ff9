"""Loading plugins into a host: discovery, settings, checks, and failure confinement.

:func:`load_plugins` turns a list of candidate plugins into a
:class:`HostState`: every candidate ends ``loaded``, ``disabled``, ``failed`` or
``incompatible``, and only loaded ones stay registered on the plugin manager.
In order:

1. a plugin disabled by a setting is recorded and never imported;
2. an installed plugin whose name is reserved for the host
   (:data:`~jackfield._host._names.RESERVED_PLUGIN_NAMES`, e.g. ``core``) fails
   and is never imported; the built-in plugin of that name keeps loading;
   then one plugin name from two sources: neither loads;
3. an installed plugin whose ``Requires-Dist`` on jackfield excludes the running
   version is ``incompatible`` and never imported;
4. import, then register on pluggy (unknown hooks, arguments the hookspec does not
   have and hook wrappers fail it, the reason keeping pluggy's explanation);
5. ``jackfield_register_nodes`` is called per plugin and every registration
   checked (spec name, sensitive fields, model, unusable lint problems);
6. a node type claimed by two plugins is served by neither, and both fail.

A failed plugin contributes nothing. In strict mode the first problem raises.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pluggy

from jackfield import hookspecs
from jackfield._errors import (
    ConfigError,
    DuplicateNameError,
    IncompatiblePluginError,
    PluginError,
    PluginLoadError,
    RegistrationError,
)
from jackfield._host._discovery import DiscoveredPlugin, jackfield_version, requirement_admits
from jackfield._host._dispatch import call_each
from jackfield._host._hook_errors import (
    hook_rejection_reason,
    registration_refusal_reason,
    unknown_hook_reason,
)
from jackfield._host._names import (
    RESERVED_PLUGIN_NAMES,
    RESERVED_PLUGIN_PREFIX,
    is_reserved_plugin_name,
)
from jackfield._host._settings import PluginSettings
from jackfield._host._status import PluginInfo, PluginStatus
from jackfield._specs._lint import SpecProblem, lint_node_spec
from jackfield._specs._node_data import BaseNodeData
from jackfield._specs._node_spec import NodeSpec
from jackfield._specs._registration import NodeRegistration

__all__ = ["Candidate", "HostState", "PluginRecord", "load_plugins"]

logger = logging.getLogger("jackfield.host")

_REGISTER_NODES = "jackfield_register_nodes"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A plugin the host may load: an object in hand, or an importer for one."""

    name: str
    module: str | None
    distribution: str | None
    version: str | None
    installed: bool
    """Found through an entry point (subject to the allow-list and version check)."""
    importer: Callable[[], tuple[object, float | None]]
    """Returns the plugin object and its import time in ms (``None``: not imported here)."""
    jackfield_requirements: tuple[str, ...] = ()

    @classmethod
    def from_discovered(cls, found: DiscoveredPlugin) -> Candidate:
        """A candidate for an installed plugin found by entry-point discovery."""
        facts = found.facts
        return cls(
            name=found.name,
            module=found.value,
            distribution=facts.name,
            version=facts.version,
            installed=True,
            importer=found.load,
            jackfield_requirements=facts.jackfield_requirements,
        )


@dataclass(slots=True)
class PluginRecord:
    """What the host found out about one candidate (mutable while loading)."""

    candidate: Candidate
    status: PluginStatus = PluginStatus.LOADED
    reason: str | None = None
    error: PluginError | None = None
    plugin: object | None = None
    hooks: tuple[str, ...] = ()
    load_ms: float | None = None
    registrations: dict[str, NodeRegistration] = field(default_factory=dict)
    claimed_types: tuple[str, ...] = ()
    """Node types it tried to register (kept when it failed, for error messages)."""
    spec_problems: list[SpecProblem] = field(default_factory=list)
    """Lint problems that do not make a node unusable."""

    @property
    def name(self) -> str:
        """The plugin name."""
        return self.candidate.name

    @property
    def usable(self) -> bool:
        """Still loaded (so far)."""
        return self.status is PluginStatus.LOADED

    def info(self) -> PluginInfo:
        """The public, frozen view of this record."""
        c = self.candidate
        return PluginInfo(
            name=c.name,
            distribution=c.distribution,
            version=c.version,
            module=c.module,
            hooks=self.hooks,
            node_types=tuple(sorted(self.registrations)) if self.usable else (),
            load_ms=self.load_ms,
            status=self.status,
            reason=self.reason,
        )


@dataclass(frozen=True, slots=True)
class HostState:
    """The result of loading: the plugin manager and everything the host serves."""

    pm: pluggy.PluginManager
    records: tuple[PluginRecord, ...]
    served: dict[str, tuple[str, NodeRegistration]]
    """Node type -> (plugin name, registration), loaded plugins only."""
    unknown_setting_names: tuple[str, ...]


def _who(record: PluginRecord) -> str:
    dist = record.candidate.distribution
    return f"plugin {record.name!r}" + (f" (distribution {dist!r})" if dist else "")


class _Loader:
    def __init__(self, settings: PluginSettings, *, strict: bool, trace: bool) -> None:
        self.settings = settings
        self.strict = strict
        self.trace = trace
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)

    def error(self, cls: type[PluginError], record: PluginRecord, message: str, **kw: Any) -> None:
        """Mark ``record`` failed (or incompatible) because of ``message``.

        In strict mode the error is raised instead. The plugin is unregistered
        from the plugin manager, so it contributes nothing from then on.
        """
        err = cls(message, plugin=record.name, distribution=record.candidate.distribution, **kw)
        if self.strict:
            raise err
        incompatible = cls is IncompatiblePluginError
        record.status = PluginStatus.INCOMPATIBLE if incompatible else PluginStatus.FAILED
        record.error = err
        record.reason = message
        logger.warning("%s", err)
        if record.plugin is not None and self.pm.get_plugin(record.name) is record.plugin:
            self.pm.unregister(name=record.name)

    # -- the steps -------------------------------------------------------------

    def apply_settings(self, records: list[PluginRecord]) -> None:
        for record in records:
            why = self.settings.disabled_reason(record.name, installed=record.candidate.installed)
            if why is not None:
                record.status, record.reason = PluginStatus.DISABLED, why

    def reject_reserved_names(self, records: list[PluginRecord]) -> None:
        """Fail every installed plugin whose name is reserved for the host.

        It is never imported, so the built-in plugin of that name (``core``)
        does not count it as a duplicate and keeps loading.
        """
        for record in records:
            installed = record.usable and record.candidate.installed
            if not (installed and is_reserved_plugin_name(record.name)):
                continue
            dist = record.candidate.distribution
            source = f"distribution {dist!r}" if dist else "an installed distribution"
            self.error(
                DuplicateNameError,
                record,
                f"plugin name {record.name!r} of {source} is reserved for jackfield "
                f"(reserved: {', '.join(sorted(RESERVED_PLUGIN_NAMES))} and names starting "
                f"with {RESERVED_PLUGIN_PREFIX!r}); it is not loaded: rename its entry point",
            )

    def reject_duplicate_names(self, records: list[PluginRecord]) -> None:
        groups: dict[str, list[PluginRecord]] = defaultdict(list)
        for record in records:
            if record.usable:
                groups[record.name].append(record)
        for name, group in groups.items():
            if len(group) < 2:
                continue
            sources = " and ".join(
                repr(r.candidate.distribution or "a plugin registered on the host") for r in group
            )
            for record in group:
                self.error(
                    DuplicateNameError,
                    record,
                    f"plugin name {name!r} is provided by {sources}; neither is loaded",
                )

    def check_compatibility(self, record: PluginRecord) -> None:
        running = jackfield_version()
        excluded = requirement_admits(record.candidate.jackfield_requirements, running)
        if excluded is not None:
            self.error(
                IncompatiblePluginError,
                record,
                f"requires jackfield {excluded}, but jackfield {running} is running",
            )

    def import_and_register(self, record: PluginRecord) -> None:
        try:
            record.plugin, record.load_ms = record.candidate.importer()
        except Exception as exc:
            self.error(PluginLoadError, record, f"import failed: {type(exc).__name__}: {exc}")
            return
        try:
            self.pm.register(record.plugin, name=record.name)
        except pluggy.PluginValidationError as exc:
            reason = hook_rejection_reason(exc, self.pm, _hook_names())
            self.error(PluginLoadError, record, reason)
            return
        except ValueError as exc:
            self.error(PluginLoadError, record, registration_refusal_reason(exc))
            return
        callers = self.pm.get_hookcallers(record.plugin) or []
        record.hooks = tuple(sorted(c.name for c in callers if c.has_spec()))
        for caller in callers:
            impls = [i for i in caller.get_hookimpls() if i.plugin is record.plugin]
            if not caller.has_spec() and any(not i.optionalhook for i in impls):
                self.error(PluginLoadError, record, unknown_hook_reason(caller.name, _hook_names()))
                return
            if any(i.wrapper or i.hookwrapper for i in impls):
                self.error(
                    PluginLoadError,
                    record,
                    f"implements {caller.name!r} as a hook wrapper; jackfield hooks are "
                    "called once per plugin and do not support wrappers",
                )
                return

    def register_nodes(self, records: list[PluginRecord]) -> None:
        by_name = {r.name: r for r in records if r.usable}
        results = call_each(
            self.pm, _REGISTER_NODES, plugins=by_name.keys(), trace=self.trace, kwargs={}
        )
        for result in results:
            record = by_name[result.plugin]
            if not record.usable:
                continue  # a second implementation of an already failed plugin
            if result.error is not None:
                exc = result.error
                self.error(
                    PluginLoadError,
                    record,
                    f"{_REGISTER_NODES} raised {type(exc).__name__}: {exc}",
                )
                continue
            self.accept_registrations(record, result.value)

    def accept_registrations(self, record: PluginRecord, value: object) -> None:
        if value is None:
            return
        if isinstance(value, (str, bytes, NodeRegistration)) or not isinstance(value, Iterable):
            self.error(
                RegistrationError,
                record,
                f"{_REGISTER_NODES} must return a list of NodeRegistration, "
                f"not {type(value).__name__}",
            )
            return
        items = list(value)
        record.claimed_types += tuple(i.type_name for i in items if isinstance(i, NodeRegistration))
        for item in items:
            problem = self.check_registration(record, item)
            if problem is not None:
                message, node_type = problem
                self.error(RegistrationError, record, message, node_type=node_type)
                return
            assert isinstance(item, NodeRegistration)
            record.registrations[item.type_name] = item

    def check_registration(self, record: PluginRecord, item: object) -> tuple[str, str] | None:
        """Return ``(message, node_type)`` for the first rule ``item`` breaks, else ``None``."""
        if not isinstance(item, NodeRegistration):
            return (
                f"{_REGISTER_NODES} returned a {type(item).__name__} "
                "where a NodeRegistration was expected",
                "",
            )
        name = item.type_name
        where = f"node type {name!r}"
        # Plugins are not type-checked against us: check what the types promise.
        model: object = item.data_model
        spec: object = item.node_spec
        if name in record.registrations:
            return f"{where} is registered twice by this plugin", name
        if not (isinstance(model, type) and issubclass(model, BaseNodeData)):
            return f"{where}: data_model must be a BaseNodeData subclass", name
        if not isinstance(spec, NodeSpec):
            return f"{where}: node_spec must be a NodeSpec (use build_spec)", name
        if spec.name != name:
            return (
                f"{where}: the registration's type_name differs from its spec name "
                f"{spec.name!r}; they must be the same string",
                name,
            )
        for secret in item.sensitive_fields:
            if secret not in model.model_fields:
                return (
                    f"{where}: sensitive field {model.__name__}.{secret} is not a field "
                    "of the model",
                    name,
                )
        problems = lint_node_spec(spec, model)
        fatal = [p for p in problems if p.unusable]
        if fatal:
            return "; ".join(str(p) for p in fatal), name
        record.spec_problems.extend(problems)
        # Nothing is written onto the plugin's model: its reprs hide the fields
        # it marks spec_field(secret=True), and masking uses the registration's.
        return None

    def reject_contested_types(self, records: list[PluginRecord]) -> None:
        claimants: dict[str, list[PluginRecord]] = defaultdict(list)
        for record in records:
            if record.usable:
                for type_name in record.registrations:
                    claimants[type_name].append(record)
        contested = {t: rs for t, rs in claimants.items() if len(rs) > 1}
        for type_name, group in sorted(contested.items()):
            for record in group:
                if not record.usable:
                    continue
                others = ", ".join(_who(r) for r in group if r is not record)
                self.error(
                    DuplicateNameError,
                    record,
                    f"node type {type_name!r} is also registered by {others}; "
                    "a contested node type is served by neither",
                    node_type=type_name,
                )

    def check_pending(self, records: list[PluginRecord]) -> None:
        """pluggy's last check: every hook implementation left has a spec, or is optional.

        :meth:`import_and_register` already fails a plugin with an unknown hook;
        should one slip through, its plugin fails here with pluggy's reason
        rather than the whole load.
        """
        while True:
            try:
                self.pm.check_pending()
                return
            except pluggy.PluginValidationError as exc:
                record = next((r for r in records if r.usable and r.plugin is exc.plugin), None)
                if record is None:
                    raise
                self.error(
                    PluginLoadError, record, hook_rejection_reason(exc, self.pm, _hook_names())
                )


def _hook_names() -> list[str]:
    return [n for n in hookspecs.__all__ if n.startswith("jackfield_")]


def load_plugins(
    candidates: Iterable[Candidate],
    settings: PluginSettings,
    *,
    strict: bool,
    trace: bool,
    known_installed: Iterable[str] | None,
) -> HostState:
    """Load ``candidates`` into a fresh plugin manager; see the module docs for the steps.

    ``known_installed`` are the names of every installed plugin (``None`` when
    entry points were not scanned): setting names outside it are warned about.

    :raises PluginError: in strict mode, for the first plugin problem.
    :raises ConfigError: in strict mode, if the config file is unusable.
    """
    if settings.unreadable_config is not None:
        if strict:
            raise ConfigError(settings.unreadable_config)
        logger.warning("%s; its settings are ignored", settings.unreadable_config)
    loader = _Loader(settings, strict=strict, trace=trace)
    records = [PluginRecord(c) for c in candidates]
    loader.apply_settings(records)
    loader.reject_reserved_names(records)
    loader.reject_duplicate_names(records)
    for record in records:
        if record.usable and record.candidate.installed:
            loader.check_compatibility(record)
        if record.usable:
            loader.import_and_register(record)
    loader.register_nodes(records)
    loader.reject_contested_types(records)
    loader.check_pending(records)

    unknown: tuple[str, ...] = ()
    if known_installed is not None:
        known = set(known_installed) | {r.name for r in records}
        unknown = tuple(sorted(settings.named_plugins() - known))
        for name in unknown:
            logger.warning("plugin settings name %r, which matches no installed plugin", name)

    served = {
        type_name: (record.name, registration)
        for record in records
        if record.usable
        for type_name, registration in record.registrations.items()
    }
    return HostState(loader.pm, tuple(records), served, unknown)

"""What the host knows about each plugin: :class:`PluginInfo` and :class:`PluginStatus`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["PluginInfo", "PluginStatus"]


class PluginStatus(StrEnum):
    """Where a plugin ended up after the host loaded."""

    LOADED = "loaded"
    """Imported, registered, and every contribution accepted."""
    DISABLED = "disabled"
    """Switched off by a setting; never imported."""
    FAILED = "failed"
    """Import failed, a hook raised, or a contribution was rejected; contributes nothing."""
    INCOMPATIBLE = "incompatible"
    """Its ``Requires-Dist`` on ``jackfield`` excludes the running version; never imported."""


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """One plugin as the host sees it, whatever its status.

    :param name: the plugin name (the entry-point name, or the name given to
        :meth:`~jackfield.host.PluginHost.register`).
    :param distribution: the installed distribution that provides it (``None``
        for plugin objects registered directly).
    :param version: that distribution's version.
    :param module: the module or object path the plugin was loaded from.
    :param hooks: names of the jackfield hooks it implements (sorted; empty
        unless loaded or failed after import).
    :param node_types: node type names it registered (sorted; empty unless loaded).
    :param load_ms: time spent importing it, in milliseconds (``None`` if it
        was never imported).
    :param status: loaded, disabled, failed or incompatible.
    :param reason: why it is not loaded (``None`` when loaded).
    """

    name: str
    distribution: str | None
    version: str | None
    module: str | None
    hooks: tuple[str, ...]
    node_types: tuple[str, ...]
    load_ms: float | None
    status: PluginStatus
    reason: str | None = None

    @property
    def usable(self) -> bool:
        """``True`` if the plugin is loaded and contributes."""
        return self.status is PluginStatus.LOADED

    def to_json_dict(self) -> dict[str, Any]:
        """Return the stable JSON form printed by ``jackfield plugins list --json``."""
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "status": self.status.value,
            "reason": self.reason,
            "hooks": list(self.hooks),
            "node_types": list(self.node_types),
            "load_ms": None if self.load_ms is None else round(self.load_ms, 3),
        }

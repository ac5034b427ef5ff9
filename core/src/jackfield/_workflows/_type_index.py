"""Looking node types up for a workflow: registrations, secret fields, display names.

Workflows never import the host. They look node types up through the
:class:`~jackfield.host.NodeTypeRegistry` protocol, and learn more (which plugin
serves a type, why a type is unavailable) when the registry is also a
:class:`PluginDirectory`; :class:`~jackfield.host.PluginHost` is both.
:class:`SensitiveFieldIndex` caches those look-ups for one operation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pydantic import BaseModel

from jackfield._specs._node_data import node_secret_fields
from jackfield._specs._registration import NodeRegistration, NodeTypeRegistry

if TYPE_CHECKING:
    from jackfield._workflows._definition import NodeTypeRecord

__all__ = [
    "PluginDirectory",
    "PluginStatusInfo",
    "SensitiveFieldIndex",
    "declared_sensitive_fields",
]


class PluginStatusInfo(Protocol):
    """What :class:`PluginDirectory` tells about one installed plugin."""

    @property
    def name(self) -> str:
        """The plugin name (its entry-point name)."""
        ...

    @property
    def status(self) -> object:
        """``"loaded"``, ``"disabled"``, ``"failed"`` or ``"incompatible"`` (a str or an enum)."""
        ...

    @property
    def reason(self) -> str | None:
        """Why the plugin is not loaded, when it is not."""
        ...


@runtime_checkable
class PluginDirectory(Protocol):
    """Optional extra knowledge a registry may have about plugins.

    When the registry given to :func:`jackfield.host.validate_workflow` (or
    :func:`record_node_types`) also has these methods, unknown node types are
    explained (which plugin, disabled or failed, how to enable it) and stored
    definitions record which plugin each node type came from.
    :class:`~jackfield.host.PluginHost` provides them.
    """

    def plugin_for_node_type(self, type_name: str) -> str | None:
        """Return the name of the loaded plugin that provides ``type_name``, or ``None``."""
        ...

    def packages(self) -> Iterable[PluginStatusInfo]:
        """Return every plugin the host knows, loaded or not."""
        ...


def declared_sensitive_fields(registration: NodeRegistration) -> tuple[str, ...]:
    """Return a type's secret fields: the registration's plus the model's own.

    The model's are its fields marked ``spec_field(secret=True)`` (and, for
    compatibility, a ``sensitive_fields`` class attribute); a registration
    built with :meth:`~jackfield.NodeRegistration.from_model` already holds them.
    """
    names = list(registration.sensitive_fields)
    model: object = registration.data_model
    if isinstance(model, type) and issubclass(model, BaseModel):
        names.extend(name for name in node_secret_fields(model) if name not in names)
    return tuple(names)


class SensitiveFieldIndex:
    """Each node type's registration, secret fields and display name, looked up once per type.

    Secret fields are the registration's (see
    :func:`~jackfield._workflows._definition.declared_sensitive_fields`) plus those named by
    any of the given ``node_types`` records, so types no loaded plugin provides
    are covered when a record knows them.
    """

    def __init__(self, registry: NodeTypeRegistry, *records: Mapping[str, NodeTypeRecord]) -> None:
        self._registry = registry
        self._records = records
        self._registrations: dict[str, NodeRegistration | None] = {}
        self._fields: dict[str, tuple[str, ...]] = {}

    def registration(self, type_name: str) -> NodeRegistration | None:
        """Return the registration of ``type_name`` (``None`` if no loaded plugin has it)."""
        if type_name in self._registrations:
            return self._registrations[type_name]
        found = self._registrations[type_name] = self._registry.find_registration(type_name)
        return found

    def fields(self, type_name: str) -> tuple[str, ...]:
        """Return the secret fields of ``type_name`` (empty if none are known)."""
        found = self._fields.get(type_name)
        if found is None:
            registration = self.registration(type_name)
            names = list(declared_sensitive_fields(registration)) if registration else []
            for records in self._records:
                record = records.get(type_name)
                if record is not None:
                    names.extend(n for n in record.sensitive_fields if n not in names)
            found = self._fields[type_name] = tuple(names)
        return found

    def display_name(self, type_name: str) -> str:
        """Return the type's display name, or the type name when it is not loaded."""
        registration = self.registration(type_name)
        return registration.node_spec.display_name if registration else type_name

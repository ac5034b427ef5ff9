"""What a plugin contributes for one node type, and how hosts look it up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from jackfield._specs._build import build_spec
from jackfield._specs._node_data import BaseNodeData, node_secret_fields
from jackfield._specs._node_spec import NodeSpec

__all__ = ["NodeRegistration", "NodeTypeRegistry"]


@dataclass(frozen=True, slots=True)
class NodeRegistration:
    """One node type a plugin provides.

    Normally built with :meth:`from_model`, which derives everything from the
    node model: ``NodeRegistration.from_model(TunerNode)``.

    :param type_name: the workflow node type string (``"tuner"``); stable once
        published, and equal to ``node_spec.name``.
    :param data_model: the Pydantic model (a :class:`~jackfield.BaseNodeData`
        subclass) that validates a node's ``data``; the source of truth.
    :param node_spec: the wire spec derived from the model, normally
        ``build_spec(data_model)``.
    :param sensitive_fields: names of the model's fields that hold secrets; they
        are masked in everything the host sends out. The fields the model marks
        ``spec_field(secret=True)`` are always added, so this is only needed
        for compatibility (declare secrets on the model's fields instead).
        After construction it holds the union: the names given, then the model's.
    """

    type_name: str
    data_model: type[BaseNodeData]
    node_spec: NodeSpec
    sensitive_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Plugins are not type-checked against us: only a real node model and a
        # real sequence of names are merged; the host reports anything else.
        model: object = self.data_model
        given: object = self.sensitive_fields
        if not (isinstance(model, type) and issubclass(model, BaseNodeData)):
            return
        if not isinstance(given, tuple | list):
            return
        names = list(given)
        names.extend(name for name in node_secret_fields(model) if name not in names)
        object.__setattr__(self, "sensitive_fields", tuple(names))

    @classmethod
    def from_model(cls, model: type[BaseNodeData]) -> NodeRegistration:
        """Register ``model`` under its own ``@node_spec`` name.

        The spec is ``build_spec(model)``, the type name is the spec's name, and
        the sensitive fields are those the model marks ``spec_field(secret=True)``.

        :raises SpecError: as :func:`~jackfield.build_spec` does.
        """
        spec = build_spec(model)
        return cls(type_name=spec.name, data_model=model, node_spec=spec)


class NodeTypeRegistry(Protocol):
    """Anything that can resolve a node type string to its registration.

    :class:`~jackfield.host.PluginHost` implements it; workflow validation and masking
    accept any object that does, so they can be used without a host.
    """

    def find_registration(self, type_name: str) -> NodeRegistration | None:
        """Return the registration for ``type_name``, or ``None`` if no loaded plugin has it."""
        ...

"""What a plugin contributes for one node type, and how hosts look it up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from jackfield._specs._node_spec import NodeSpec

if TYPE_CHECKING:
    from jackfield._specs._node_data import BaseNodeData

__all__ = ["NodeRegistration", "NodeTypeRegistry"]


@dataclass(frozen=True, slots=True)
class NodeRegistration:
    """One node type a plugin provides.

    :param type_name: the workflow node type string (``"tuner"``); stable once
        published, and equal to ``node_spec.name``.
    :param data_model: the Pydantic model (a :class:`~jackfield.BaseNodeData`
        subclass) that validates a node's ``data``; the source of truth.
    :param node_spec: the wire spec derived from the model, normally
        ``build_spec(data_model)``.
    :param sensitive_fields: names of the model's fields that hold secrets; they
        are masked in everything the host sends out.
    """

    type_name: str
    data_model: type[BaseNodeData]
    node_spec: NodeSpec
    sensitive_fields: tuple[str, ...] = ()


class NodeTypeRegistry(Protocol):
    """Anything that can resolve a node type string to its registration.

    :class:`~jackfield.host.PluginHost` implements it; workflow validation and masking
    accept any object that does, so they can be used without a host.
    """

    def find_registration(self, type_name: str) -> NodeRegistration | None:
        """Return the registration for ``type_name``, or ``None`` if no loaded plugin has it."""
        ...

"""The built-in plugin ``core``: registers jackfield's conversation nodes.

This module is a plugin like any other: the host imports it and calls its
``jackfield_register_nodes`` through pluggy, exactly as for an installed
plugin. It can be disabled by name (``core``), and a plugin registering one of
its type names (``start``, ``agent``, ``end``) makes the type contested, served
by neither. The node models themselves are in
:mod:`jackfield._specs._conversation_nodes`.
"""

from __future__ import annotations

import functools

from jackfield._specs._build import build_spec
from jackfield._specs._conversation_nodes import CONVERSATION_NODE_MODELS
from jackfield._specs._registration import NodeRegistration
from jackfield.hookspecs import hookimpl

__all__ = ["jackfield_register_nodes"]


@functools.cache
def _registrations() -> tuple[NodeRegistration, ...]:
    """Build the specs on first use (importing :mod:`jackfield` must stay cheap)."""
    out = []
    for model in CONVERSATION_NODE_MODELS:
        spec = build_spec(model)
        out.append(NodeRegistration(type_name=spec.name, data_model=model, node_spec=spec))
    return tuple(out)


@hookimpl
def jackfield_register_nodes() -> list[NodeRegistration]:
    """Register the conversation node types ``start``, ``agent`` and ``end``."""
    return list(_registrations())

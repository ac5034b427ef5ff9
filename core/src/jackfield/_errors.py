"""The public exceptions of jackfield.

Every error jackfield raises on purpose derives from :class:`JackfieldError`,
and carries the plugin, node type and field it concerns where those are known,
so a host can report *who* is at fault without parsing the message::

    JackfieldError
     ├── SpecError                  a node model cannot be turned into a NodeSpec
     ├── ConfigError                an enable/disable setting or config file is unusable
     ├── UnknownNodeTypeError       no loaded plugin serves a node type (also a KeyError)
     ├── WorkflowError              a workflow definition is unusable; carries its problems
     └── PluginError                a plugin misbehaved; carries plugin and distribution
          ├── PluginLoadError       import failed or a hook raised while loading
          ├── IncompatiblePluginError   the plugin excludes the running jackfield
          ├── RegistrationError     a node registration breaks a rule (names, fields, lint)
          └── DuplicateNameError    two sides claim one plugin name or node type

Messages never contain configuration values: a value may be a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "ConfigError",
    "DuplicateNameError",
    "IncompatiblePluginError",
    "JackfieldError",
    "PluginError",
    "PluginLoadError",
    "ProblemKind",
    "ProblemSeverity",
    "RegistrationError",
    "SpecError",
    "UnknownNodeTypeError",
    "WorkflowError",
    "WorkflowProblem",
]

#: What a problem is about: the workflow as a whole, one node, or one edge.
ProblemKind = Literal["workflow", "node", "edge"]
#: ``error`` blocks the operation; ``warning`` is reported but allowed (drafts).
ProblemSeverity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class WorkflowProblem:
    """One thing wrong with a workflow definition.

    :param kind: ``"workflow"``, ``"node"`` or ``"edge"``.
    :param id: the node or edge id (``None`` for workflow problems).
    :param field: dotted path inside the node's or edge's ``data``
        (``"api_key"``, ``"headers.0.name"``), or the structural key concerned
        (``"source"``); ``None`` when the problem is with the whole object.
    :param message: a readable explanation. It never contains a configuration
        value, so problems can be logged and shown anywhere.
    :param code: a stable machine-readable identifier (``"unknown_node_type"``,
        ``"max_instances"``, ``"masked_value"`` ...).
    :param severity: ``"error"`` or ``"warning"``.
    """

    kind: ProblemKind
    id: str | None
    field: str | None
    message: str
    code: str
    severity: ProblemSeverity = "error"

    def to_dict(self) -> dict[str, Any]:
        """Return the problem as a JSON-ready dict (every key always present)."""
        return {
            "kind": self.kind,
            "id": self.id,
            "field": self.field,
            "message": self.message,
            "code": self.code,
            "severity": self.severity,
        }

    def __str__(self) -> str:
        where = self.kind if self.id is None else f"{self.kind} {self.id!r}"
        if self.field:
            where += f" [{self.field}]"
        return f"{self.severity}: {where}: {self.message}"


class JackfieldError(Exception):
    """Base class of every error jackfield raises on purpose."""


class SpecError(JackfieldError):
    """A node model cannot be turned into a :class:`~jackfield.NodeSpec`.

    ``model`` is the model's class name and ``field`` the offending field name
    (``None`` when the problem is with the model as a whole).
    """

    def __init__(self, message: str, *, model: str, field: str | None = None) -> None:
        where = f"{model}.{field}" if field else model
        super().__init__(f"{where}: {message}")
        self.model = model
        self.field = field


class ConfigError(JackfieldError):
    """A plugin setting (environment variable or config file) cannot be used."""


class PluginError(JackfieldError):
    """A plugin misbehaved; ``plugin`` and ``distribution`` name it."""

    def __init__(
        self,
        message: str,
        *,
        plugin: str,
        distribution: str | None = None,
        node_type: str | None = None,
    ) -> None:
        who = f"plugin {plugin!r}"
        if distribution:
            who += f" (distribution {distribution!r})"
        super().__init__(f"{who}: {message}")
        self.plugin = plugin
        self.distribution = distribution
        self.node_type = node_type


class PluginLoadError(PluginError):
    """A plugin could not be imported, or one of its hooks raised while loading."""


class IncompatiblePluginError(PluginError):
    """A plugin's own requirement on ``jackfield`` excludes the running version."""


class DuplicateNameError(PluginError):
    """Two plugins (or distributions) claim the same plugin name or node type."""


class RegistrationError(PluginError):
    """A plugin's node registration breaks a rule.

    For example its spec name differs from its type name, a sensitive field is
    not a field of the model, or spec lint finds a problem that makes the node
    unusable. ``node_type`` names the registration concerned.
    """


class UnknownNodeTypeError(JackfieldError, KeyError):
    """No loaded plugin serves a node type.

    ``node_type`` is the type asked for; ``plugin`` names the disabled or failed
    plugin known to provide it (``None`` if none is known).
    """

    def __init__(
        self, node_type: str, *, plugin: str | None = None, why: str | None = None
    ) -> None:
        message = f"no loaded plugin provides node type {node_type!r}"
        if plugin is not None:
            message += f"; plugin {plugin!r} provides it but is {why or 'not loaded'}"
        super().__init__(message)
        self.node_type = node_type
        self.plugin = plugin

    def __str__(self) -> str:
        # KeyError would print the repr of the message; show it as written.
        return str(self.args[0])


class WorkflowError(JackfieldError):
    """A workflow definition cannot be used.

    ``problems`` lists every :class:`~jackfield.WorkflowProblem` found; like the
    message, they never contain a configuration value.
    """

    def __init__(self, message: str, *, problems: Sequence[WorkflowProblem] = ()) -> None:
        if problems:
            message += "".join(f"\n  {problem}" for problem in problems)
        super().__init__(message)
        self.problems = list(problems)

"""The public exceptions of jackfield.

Every error jackfield raises on purpose derives from :class:`JackfieldError`,
and carries the plugin, node type and field it concerns where those are known,
so a host can report *who* is at fault without parsing the message::

    JackfieldError
     ├── SpecError                  a node model cannot be turned into a NodeSpec
     ├── ConfigError                an enable/disable setting or config file is unusable
     └── PluginError                a plugin misbehaved; carries plugin and distribution
          ├── PluginLoadError       import failed or a hook raised while loading
          ├── IncompatiblePluginError   the plugin excludes the running jackfield
          └── DuplicateNameError    two sides claim one plugin name or node type

Messages never contain configuration values: a value may be a secret.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DuplicateNameError",
    "IncompatiblePluginError",
    "JackfieldError",
    "PluginError",
    "PluginLoadError",
    "SpecError",
]


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

"""Plugin names the host keeps for itself: :data:`RESERVED_PLUGIN_NAMES`.

The one definition: the host refuses an installed plugin with such a name
(see :mod:`jackfield._host._loading`) and ``jackfield new-plugin`` refuses to
scaffold one.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_PLUGINS",
    "RESERVED_PLUGIN_NAMES",
    "RESERVED_PLUGIN_PREFIX",
    "is_reserved_plugin_name",
]

#: jackfield's own plugins, as ``(plugin name, module)``: registered on every
#: host (unless ``builtins=False``) through the same path as installed ones.
DEFAULT_PLUGINS: Final = (("core", "jackfield._host._builtin_plugin"),)

#: Plugin names no installed plugin may use: the built-in plugins' names
#: (:data:`DEFAULT_PLUGINS`, i.e. ``core``) and ``jackfield`` itself (the
#: project, its pluggy project name and the distribution of the built-ins).
RESERVED_PLUGIN_NAMES: Final[frozenset[str]] = frozenset(
    {*(name for name, _ in DEFAULT_PLUGINS), "jackfield"}
)

#: Names starting with this are reserved too: the host keeps its own entries
#: next to the plugins' ones under such keys (a run's annotations hold each
#: plugin's results under its name and the host's under ``jackfield.completion``).
RESERVED_PLUGIN_PREFIX: Final = "jackfield."


def is_reserved_plugin_name(name: str) -> bool:
    """Whether ``name`` is reserved for the host (see :data:`RESERVED_PLUGIN_NAMES`)."""
    return name in RESERVED_PLUGIN_NAMES or name.startswith(RESERVED_PLUGIN_PREFIX)

"""Which plugins may load: environment variables and the TOML config file.

Installed means enabled. An operator narrows that without uninstalling:

``JACKFIELD_DISABLE_PLUGINS=a,b``
    never load the plugins named ``a`` and ``b`` (any plugin, built-in ones too).
``JACKFIELD_PLUGINS=a,b``
    allow-list of *installed* (entry-point) plugins: only ``a`` and ``b`` load.
    Set but empty means no installed plugin loads. Plugins registered on the
    host directly (the built-in one, test doubles) are not subject to it.
``JACKFIELD_DISABLE_PLUGIN_AUTOLOAD=1``
    do not look at entry points at all; only plugins registered on the host.
``JACKFIELD_CONFIG=/path/config.toml``
    the config file; default ``config.toml`` in the per-user config directory
    (platformdirs). Its ``[plugins]`` table holds ``disabled = ["a", "b"]``.
``JACKFIELD_STRICT=1``
    any plugin problem is a start-up error instead of a reported failure.
``JACKFIELD_TRACE_PLUGINS=1``
    log every hook call (plugin, hook, duration, outcome).

Nothing here is read at import time: :meth:`PluginSettings.from_env` reads the
environment and the config file when a host is created.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jackfield._errors import ConfigError

__all__ = [
    "ENV_ALLOW",
    "ENV_AUTOLOAD_OFF",
    "ENV_CONFIG",
    "ENV_DISABLE",
    "ENV_STRICT",
    "ENV_TRACE",
    "PluginSettings",
    "default_config_path",
    "set_plugin_disabled",
]

ENV_DISABLE = "JACKFIELD_DISABLE_PLUGINS"
ENV_ALLOW = "JACKFIELD_PLUGINS"
ENV_AUTOLOAD_OFF = "JACKFIELD_DISABLE_PLUGIN_AUTOLOAD"
ENV_CONFIG = "JACKFIELD_CONFIG"
ENV_STRICT = "JACKFIELD_STRICT"
ENV_TRACE = "JACKFIELD_TRACE_PLUGINS"

_TRUE = frozenset({"1", "true", "yes", "on"})


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in _TRUE


def _names(raw: str) -> frozenset[str]:
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Return the config file path: ``$JACKFIELD_CONFIG``, else the per-user default.

    The per-user default is ``config.toml`` in platformdirs' user config
    directory for ``jackfield`` (for example ``~/.config/jackfield/config.toml``
    on Linux). The file need not exist.
    """
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_CONFIG, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs  # only needed when no explicit path is given

    return Path(platformdirs.user_config_dir("jackfield", appauthor=False)) / "config.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    """Return the parsed config file, ``{}`` if it does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message names a line and column, never a value.
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


def _disabled_in_config(document: Mapping[str, Any], path: Path) -> frozenset[str]:
    table = document.get("plugins", {})
    if not isinstance(table, dict):
        raise ConfigError(f"config file {path}: [plugins] must be a table")
    disabled = table.get("disabled", [])
    if not isinstance(disabled, list) or not all(isinstance(n, str) for n in disabled):
        raise ConfigError(f"config file {path}: plugins.disabled must be a list of plugin names")
    return frozenset(disabled)


@dataclass(frozen=True, slots=True)
class PluginSettings:
    """The enable/disable settings a :class:`~jackfield.host.PluginHost` applies.

    Build one with :meth:`from_env` (what the host does by default) or directly
    in tests. ``allowed=None`` means no allow-list; an empty frozenset means an
    allow-list that admits no installed plugin.
    """

    disabled_by_env: frozenset[str] = frozenset()
    disabled_by_config: frozenset[str] = frozenset()
    allowed: frozenset[str] | None = None
    autoload: bool = True
    strict: bool = False
    trace: bool = False
    config_path: Path | None = None
    unreadable_config: str | None = field(default=None, compare=False)
    """Why the config file could not be used, if it could not (the host reports it)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PluginSettings:
        """Read the ``JACKFIELD_*`` variables and the config file they point to.

        An unreadable config file does not raise here: its problem is kept in
        :attr:`unreadable_config` and the host reports it (or raises it in
        strict mode), so a typo in a config file never hides every plugin.
        """
        env = os.environ if environ is None else environ
        path = default_config_path(env)
        problem: str | None = None
        try:
            disabled_config = _disabled_in_config(_read_toml(path), path)
        except ConfigError as exc:
            disabled_config, problem = frozenset(), str(exc)
        allowed = _names(env[ENV_ALLOW]) if ENV_ALLOW in env else None
        return cls(
            disabled_by_env=_names(env.get(ENV_DISABLE, "")),
            disabled_by_config=disabled_config,
            allowed=allowed,
            autoload=not _flag(env, ENV_AUTOLOAD_OFF),
            strict=_flag(env, ENV_STRICT),
            trace=_flag(env, ENV_TRACE),
            config_path=path,
            unreadable_config=problem,
        )

    def disabled_reason(self, name: str, *, installed: bool) -> str | None:
        """Return why the plugin ``name`` must not load, or ``None`` if it may.

        ``installed`` says whether the plugin came from an entry point (the
        allow-list applies only to those).
        """
        if name in self.disabled_by_env:
            return f"disabled by {ENV_DISABLE}"
        if name in self.disabled_by_config:
            return f"disabled in config file {self.config_path}"
        if installed and self.allowed is not None and name not in self.allowed:
            return f"not in the {ENV_ALLOW} allow-list"
        return None

    def named_plugins(self) -> frozenset[str]:
        """Every plugin name these settings mention (to warn about unknown ones)."""
        return self.disabled_by_env | self.disabled_by_config | (self.allowed or frozenset())


def set_plugin_disabled(path: Path, name: str, *, disabled: bool) -> bool:
    """Add ``name`` to (or remove it from) ``[plugins] disabled`` in the config at ``path``.

    Creates the file and its directory if missing and keeps every other table
    and key. Returns ``True`` if the file changed.

    :raises ConfigError: the existing file is not valid TOML or has a malformed
        ``[plugins]`` table.
    """
    import tomli_w  # writing is rare: keep it off the start-up path

    document = _read_toml(path)
    current = _disabled_in_config(document, path)
    wanted = current | {name} if disabled else current - {name}
    if wanted == current and path.exists():
        return False
    table = dict(document.get("plugins", {}))
    table["disabled"] = sorted(wanted)
    document["plugins"] = table
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tomli_w.dumps(document), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write config file {path}: {exc.strerror}") from exc
    return True

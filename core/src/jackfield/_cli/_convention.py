"""The one convention of every ``jackfield`` command: its host, ``--strict``, exit codes.

- A command gets its plugin host from :func:`cli_host` and nowhere else: the
  built-in commands, and those other distributions add through the
  ``jackfield.cli`` entry-point group (``serve``, ``worker``).
- A command that loads plugins takes ``--strict`` (:func:`strict_option`):
  the first plugin problem is an error, as with ``JACKFIELD_STRICT=1``.
  :func:`cli_host` refuses to load plugins for a command without it.
- A command exits with an :class:`ExitCode`; ``jackfield --help`` lists them.

Importing this module imports click only; the host is imported when a command
asks for it. The public names are re-exported, lazily, by :mod:`jackfield.host`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from jackfield._host._plugin_host import PluginHost

__all__ = ["ExitCode", "HostFactory", "cli_host", "exit_codes_help", "strict_option"]

_F = TypeVar("_F", bound=Callable[..., object])

#: Where :func:`strict_option` leaves the value of ``--strict`` (``ctx.meta``).
_STRICT_KEY = "jackfield.strict"


class ExitCode(enum.IntEnum):
    """The exit status of every ``jackfield`` command, its own or an added one.

    ``OK`` (0): done, nothing to report. ``PROBLEMS`` (1): the command ran and
    found or hit a problem: ``doctor`` findings, workflow problems, a breaking
    spec change, a plugin that failed during ``run-call``, a plugin problem
    under ``--strict``, a plugin or node type asked for that is not there, or
    any other error. ``USAGE`` (2): bad input: an unknown option or a bad
    argument, or a file that cannot be read or is not a valid workflow, call
    or catalog.
    """

    OK = 0
    PROBLEMS = 1
    USAGE = 2

    @property
    def meaning(self) -> str:
        """One line saying when a command exits with this code."""
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "done, nothing to report",
    ExitCode.PROBLEMS: (
        "problems found or hit: doctor findings, workflow problems, a breaking spec "
        "change, a failed plugin in run-call, a plugin problem under --strict, a plugin "
        "or node type that is not there, any other error"
    ),
    ExitCode.USAGE: (
        "bad input: a bad option or argument, or a file that cannot be read or is not "
        "a valid workflow, call or catalog"
    ),
}


def exit_codes_help() -> str:
    """The exit codes as ``jackfield --help`` shows them (its epilog)."""
    import textwrap

    lines = ["\b", "Exit codes:"]
    for code in ExitCode:
        head = f"  {code.value}  {code.name:<10}"
        lines += textwrap.wrap(
            code.meaning, width=76, initial_indent=head, subsequent_indent=" " * len(head)
        )
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class HostFactory:
    """Builds the :class:`PluginHost` a command uses; :func:`cli_host` calls it.

    ``make(strict)`` returns a fresh, unloaded host: ``strict=True`` when the
    command got ``--strict``, ``False`` when it must not be strict (``doctor``
    ignores ``JACKFIELD_STRICT``), ``None`` to follow the settings. Pass one as
    the root context object to give commands other plugins than the installed
    ones (tests, embedding): ``CliRunner().invoke(main, [...], obj=HostFactory(make))``.
    Without one, commands get ``PluginHost(strict=strict)``.
    """

    make: Callable[[bool | None], PluginHost]


def _default_make(strict: bool | None) -> PluginHost:
    from jackfield._host._plugin_host import PluginHost

    return PluginHost(strict=strict)


class _StrictModeError(click.ClickException):
    """A plugin problem stopped a command in strict mode; the message names the plugin."""

    exit_code = ExitCode.PROBLEMS


def _remember_strict(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta[_STRICT_KEY] = value
    return value


def strict_option(command: _F) -> _F:
    """Decorate a command that loads plugins with ``--strict``.

    ``--strict`` makes the first plugin problem (or an unreadable config file)
    an error that exits :attr:`ExitCode.PROBLEMS`, as ``JACKFIELD_STRICT=1``
    does. The command reads it through :func:`cli_host`, not as a parameter.
    """
    option = click.option(
        "--strict",
        is_flag=True,
        expose_value=False,
        callback=_remember_strict,
        help=(
            "Fail on the first plugin problem instead of reporting it "
            f"(exit {ExitCode.PROBLEMS.value}), like JACKFIELD_STRICT=1."
        ),
    )
    return option(command)


def cli_host(ctx: click.Context, *, load: bool = True, env_strict: bool = True) -> PluginHost:
    """Return the plugin host of the running command: the one way a command gets one.

    The host comes from the :class:`HostFactory` that is the context object, if
    any, else it is ``PluginHost(strict=...)``. With ``--strict`` it is strict;
    without, it follows ``JACKFIELD_STRICT`` unless ``env_strict=False``.

    :param load: load the plugins (the command must take :func:`strict_option`).
        ``load=False`` returns the host unloaded, for a command that only reads
        its settings or plugin names (``plugins enable``); it never imports a
        plugin, so such a command takes no ``--strict``.
    :param env_strict: follow ``JACKFIELD_STRICT`` when ``--strict`` is not given.
    :raises click.ClickException: in strict mode, for the first plugin problem
        (exit :attr:`ExitCode.PROBLEMS`, the message names the plugin).
    :raises RuntimeError: ``load=True`` for a command without ``--strict``.
    """
    from jackfield._errors import JackfieldError

    if load and _STRICT_KEY not in ctx.meta:
        raise RuntimeError(
            f"{ctx.command_path!r} loads plugins, so it must take --strict: "
            "decorate it with jackfield.host.strict_option"
        )
    strict: bool | None = True if ctx.meta.get(_STRICT_KEY) else None
    if strict is None and not env_strict:
        strict = False
    factory = ctx.find_object(HostFactory) or HostFactory(_default_make)
    host = factory.make(strict)
    if load:
        try:
            host.load()
        except JackfieldError as exc:
            raise _StrictModeError(f"strict mode: {exc}") from exc
    return host

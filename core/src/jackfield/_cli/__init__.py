"""The ``jackfield`` command line.

Each command group lives in its own module; this one only assembles them.
Heavy imports (rich, the plugin host) happen inside commands, so ``--help``
stays fast.

Other distributions add commands through the ``jackfield.cli`` entry-point
group (name = command name, value = a :class:`click.Command`); the reference
server adds ``serve``, ``worker`` and ``keys`` this way. They are looked up only
when a command is not a built-in one or when the command list is shown, and a
broken extension is reported by name instead of breaking the whole CLI.

Every command, built-in or added, follows one convention
(:mod:`jackfield._cli._convention`): it gets its host from ``cli_host``, takes
``--strict`` if it loads plugins, and exits with an ``ExitCode``, which
``jackfield --help`` lists.
"""

from __future__ import annotations

from typing import Any

import click

from jackfield._cli._catalog import node_types
from jackfield._cli._convention import exit_codes_help
from jackfield._cli._doctor import doctor
from jackfield._cli._plugins import plugins
from jackfield._cli._run_call import run_call
from jackfield._cli._specs import specs
from jackfield._cli._workflow import workflow

__all__ = ["CLI_ENTRY_POINT_GROUP", "main"]

#: Entry-point group through which other distributions add ``jackfield`` commands.
CLI_ENTRY_POINT_GROUP = "jackfield.cli"


class _ExtensibleGroup(click.Group):
    """A group that also serves commands installed through :data:`CLI_ENTRY_POINT_GROUP`."""

    def _extensions(self) -> dict[str, Any]:
        import importlib_metadata

        found = importlib_metadata.entry_points(group=CLI_ENTRY_POINT_GROUP)
        return {ep.name: ep for ep in found if ep.name not in self.commands}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*self.commands, *self._extensions()])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry_point = self._extensions().get(cmd_name)
        if entry_point is None:
            return None
        try:
            command = entry_point.load()
        except Exception as exc:
            message = (
                f"command {cmd_name!r} from {entry_point.value!r} failed to load "
                f"({type(exc).__name__}: {exc})"
            )
            raise click.ClickException(message) from exc
        if not isinstance(command, click.Command):
            raise click.ClickException(
                f"command {cmd_name!r} from {entry_point.value!r} is not a click command"
            )
        return command


@click.group(
    cls=_ExtensibleGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=exit_codes_help(),
)
@click.version_option(package_name="jackfield", prog_name="jackfield")
def main() -> None:
    """Host and inspect jackfield integration plugins."""


main.add_command(specs)
main.add_command(plugins)
main.add_command(node_types)
main.add_command(doctor)
main.add_command(workflow)
main.add_command(run_call)

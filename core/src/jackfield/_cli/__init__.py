"""The ``jackfield`` command line.

Each command group lives in its own module; this one only assembles them.
Heavy imports (rich, the plugin host) happen inside commands, so ``--help``
stays fast.
"""

from __future__ import annotations

import click

from jackfield._cli._specs import specs

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jackfield", prog_name="jackfield")
def main() -> None:
    """Host and inspect jackfield integration plugins."""


main.add_command(specs)

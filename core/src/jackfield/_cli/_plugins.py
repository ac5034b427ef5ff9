"""``jackfield plugins``: list, show, enable and disable plugins."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from jackfield._cli._convention import HostFactory, cli_host, strict_option

if TYPE_CHECKING:
    from jackfield._host._status import PluginInfo

# HostFactory stays importable from here for existing callers.
__all__ = ["HostFactory", "plugins"]


@click.group()
def plugins() -> None:
    """List installed plugins, and enable or disable them without uninstalling."""


def _hooks_label(hooks: tuple[str, ...]) -> str:
    return ", ".join(h.removeprefix("jackfield_") for h in hooks)


def _print_table(infos: list[PluginInfo]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="jackfield plugins")
    for column in ("name", "distribution", "version", "status"):
        table.add_column(column, no_wrap=True)
    for column in ("hooks", "node types"):
        table.add_column(column)
    table.add_column("load ms", justify="right")
    table.add_column("reason")
    colour = {"loaded": "green", "disabled": "dim", "failed": "red", "incompatible": "yellow"}
    for info in infos:
        table.add_row(
            info.name,
            info.distribution or "-",
            info.version or "-",
            f"[{colour[info.status.value]}]{info.status.value}[/]",
            _hooks_label(info.hooks),
            ", ".join(info.node_types),
            "-" if info.load_ms is None else f"{info.load_ms:.1f}",
            info.reason or "",
        )
    console = Console()
    if not console.is_terminal:  # piped or redirected: no terminal width to squeeze into
        console = Console(width=200)
    console.print(table)


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@strict_option
@click.pass_context
def list_plugins(ctx: click.Context, as_json: bool) -> None:
    """List every plugin: loaded, disabled, failed and incompatible ones."""
    infos = cli_host(ctx).packages()
    if as_json:
        click.echo(json.dumps([i.to_json_dict() for i in infos], indent=2))
    else:
        _print_table(infos)


@plugins.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@strict_option
@click.pass_context
def show_plugin(ctx: click.Context, name: str, as_json: bool) -> None:
    """Show one plugin (exit 1 if no plugin is called NAME)."""
    info = cli_host(ctx).plugin(name)
    if info is None:
        raise click.ClickException(f"no plugin named {name!r} is installed")
    data: dict[str, Any] = info.to_json_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        if isinstance(value, list):
            value = ", ".join(value) or "-"
        click.echo(f"{key + ':':<14}{'-' if value is None else value}")


def _set_disabled(ctx: click.Context, name: str, *, disabled: bool) -> None:
    from jackfield._errors import ConfigError
    from jackfield._host._settings import ENV_DISABLE, set_plugin_disabled

    host = cli_host(ctx, load=False)  # settings and names only: no plugin is imported
    path = host.settings.config_path
    if path is None:
        raise click.ClickException("no config file path is known (set JACKFIELD_CONFIG)")
    if name not in host.known_names():
        click.echo(f"Warning: no installed plugin is named {name!r}.", err=True)
    try:
        changed = set_plugin_disabled(path, name, disabled=disabled)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    verb = "Disabled" if disabled else "Enabled"
    if changed:
        click.echo(f"{verb} plugin {name!r} in {path}")
    else:
        click.echo(f"Plugin {name!r} is already {verb.lower()} in {path}")
    if not disabled and name in host.settings.disabled_by_env:
        click.echo(f"Note: {ENV_DISABLE} still disables {name!r} in this environment.", err=True)


@plugins.command("disable")
@click.argument("name")
@click.pass_context
def disable_plugin(ctx: click.Context, name: str) -> None:
    """Disable plugin NAME in the config file, without uninstalling it."""
    _set_disabled(ctx, name, disabled=True)


@plugins.command("enable")
@click.argument("name")
@click.pass_context
def enable_plugin(ctx: click.Context, name: str) -> None:
    """Enable plugin NAME again (remove it from the config file's disabled list)."""
    _set_disabled(ctx, name, disabled=False)

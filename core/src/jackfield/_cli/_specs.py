"""``jackfield specs``: work with node catalogs outside a running host."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from jackfield._cli._convention import ExitCode

if TYPE_CHECKING:
    from jackfield._specs._node_spec import NodeSpec

__all__ = ["specs"]


@click.group()
def specs() -> None:
    """Inspect and compare node catalogs."""


@specs.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.pass_context
def diff(ctx: click.Context, old: Path, new: Path, as_json: bool) -> None:
    """Compare two catalogs and report breaking and compatible changes.

    OLD and NEW are catalog files as printed by `jackfield node-types`
    (the last release's and the new build's). Exits 1 if any change is
    breaking, 0 if every change is compatible, 2 if a file cannot be read.
    """
    from jackfield._specs._diff import diff_specs

    try:
        result = diff_specs(_read_catalog(old), _read_catalog(new))
    except _BadCatalogFile as exc:
        click.echo(f"Error: {exc}", err=True)
        ctx.exit(ExitCode.USAGE)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        _print_readably(result.to_dict())
    ctx.exit(ExitCode.PROBLEMS if result.is_breaking else ExitCode.OK)


class _BadCatalogFile(Exception):
    """A catalog file that cannot be read or is not a catalog; the message names it."""


def _read_catalog(path: Path) -> list[NodeSpec]:
    """Read and check one catalog file, so errors name the file rather than a side."""
    from jackfield._specs._diff import load_catalog

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _BadCatalogFile(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _BadCatalogFile(f"cannot read {path}: it is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadCatalogFile(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(data, dict | list):
        raise _BadCatalogFile(
            f"{path} is not a node catalog: expected an object with a 'node_types' list"
        )
    try:
        return load_catalog(data)
    except ValueError as exc:
        raise _BadCatalogFile(f"{path} is not a node catalog: {exc}") from None


def _print_readably(result: dict[str, Any]) -> None:
    """Print the changes grouped by kind, coloured when the terminal supports it."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    changes: list[dict[str, str]] = result["changes"]
    if not changes:
        console.print("No changes.")
        return
    groups = (
        ("breaking", "Breaking", "bold red", "x"),
        ("compatible", "Compatible", "bold green", "+"),
    )
    first = True
    for kind, title, style, mark in groups:
        selected = [c for c in changes if c["kind"] == kind]
        if not selected:
            continue
        if not first:
            console.print()
        first = False
        noun = "change" if len(selected) == 1 else "changes"
        console.print(Text(f"{title} {noun} ({len(selected)}):", style=style))
        for change in selected:
            line = Text(f"  {mark} ", style=style)
            line.append(change["message"])
            line.append(f"  [{change['code']}]", style="dim")
            console.print(line)

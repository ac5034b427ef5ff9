"""``jackfield node-types``: the node catalog as JSON on stdout."""

from __future__ import annotations

import json
import sys

import click

from jackfield._cli._convention import cli_host, strict_option

__all__ = ["node_types"]


@click.command("node-types")
@click.option("--mcp", is_flag=True, help="Print the lean projection for LLM tools.")
@click.option("--type", "type_name", metavar="NAME", help="Print only the spec of node type NAME.")
@strict_option
@click.pass_context
def node_types(ctx: click.Context, mcp: bool, type_name: str | None) -> None:
    """Print the catalog of every loaded node type as JSON.

    The output is {"spec_version": ..., "node_types": [...]}, sorted by type
    name: the same bytes an HTTP API serves. With --type, only that node
    type's spec (exit 1 if no loaded plugin provides it).
    """
    from jackfield._errors import UnknownNodeTypeError

    host = cli_host(ctx)
    if type_name is None:
        sys.stdout.buffer.write(host.catalog_json(mcp=mcp) + b"\n")
        sys.stdout.buffer.flush()
        return
    try:
        spec = host.node_spec(type_name)
    except UnknownNodeTypeError as exc:
        raise click.ClickException(str(exc)) from exc
    document = spec.to_mcp_dict() if mcp else spec.model_dump(mode="json")
    click.echo(json.dumps(document, ensure_ascii=False, separators=(",", ":")))

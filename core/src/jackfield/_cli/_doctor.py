"""``jackfield doctor``: every reason the installed plugins are not all healthy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from jackfield._cli._convention import ExitCode, cli_host, strict_option

if TYPE_CHECKING:
    from jackfield._calls._check import NodeCheck
    from jackfield._host._plugin_host import PluginHost

__all__ = ["doctor"]


def _check_nodes(host: PluginHost, path: Path) -> int:
    """Run ``jackfield_check_node`` for each integration node of the workflow file.

    Prints one line per node (and one per problem); returns how many failed.
    Nodes of jackfield's own types are not checked, disabled ones are skipped.
    """
    import asyncio

    from jackfield._calls._check import check_node
    from jackfield._errors import WorkflowError
    from jackfield._workflows._definition import WorkflowDefinition

    try:
        definition = WorkflowDefinition.from_json(path.read_bytes())
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror or exc}") from None
    except WorkflowError as exc:
        reasons = "; ".join(p.message for p in exc.problems) or str(exc)
        raise click.BadParameter(f"{path} is not a workflow definition: {reasons}") from None
    nodes = [n for n in definition.nodes if host.plugin_for_node_type(n.type) != "core"]
    enabled = [n for n in nodes if n.data.get("enabled", True) is not False]

    async def run_all() -> list[NodeCheck]:
        return list(
            await asyncio.gather(*(check_node(host, n.type, n.data, node_id=n.id) for n in enabled))
        )

    results = asyncio.run(run_all()) if enabled else []
    by_id = {id(n): r for n, r in zip(enabled, results, strict=True)}
    failed = 0
    for node in nodes:
        label = f"{node.id} ({node.type})"
        result = by_id.get(id(node))
        if result is None:
            click.echo(f"{'SKIPPED':<13}{label}: disabled")
            continue
        if result.status == "ok":
            click.secho(f"{'CHECK OK':<13}{label}: {result.duration_ms:.0f} ms", fg="green")
        elif result.status == "unsupported":
            click.echo(f"{'SKIPPED':<13}{label}: plugin {result.plugin!r} has no check")
        else:
            failed += 1
            click.secho(f"{'CHECK FAILED':<13}{label}", fg="red")
            for problem in result.problems:
                where = f"{problem.field}: " if problem.field else ""
                click.secho(f"{'':<13}  {where}{problem.message} [{problem.code}]", fg="red")
    click.echo(f"{len(nodes)} integration node(s) in {path}: {failed} check(s) failed")
    return failed


@click.command("doctor")
@click.option(
    "--check",
    "workflow_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="WORKFLOW.json",
    help="Also check each integration node of this workflow file against its service.",
)
@strict_option
@click.pass_context
def doctor(ctx: click.Context, workflow_file: Path | None) -> None:
    """Check the installed plugins; exit 1 if any problem is found.

    Lists every failed or incompatible plugin with its reason, every spec
    lint problem of the loaded node types, and an unreadable config file.
    Disabled plugins are fine; setting names that match no installed plugin
    are warned about but do not fail the check. JACKFIELD_STRICT is ignored
    here, the point being to see every problem at once; --strict stops at the
    first plugin problem instead.

    With --check WORKFLOW.json, each enabled integration node of the file is
    also checked against its service by its plugin (jackfield_check_node),
    with the secrets the file holds; a failed check is a problem. A file that
    cannot be read as a workflow exits 2.
    """
    from jackfield._host._status import PluginStatus

    host = cli_host(ctx, env_strict=False)  # report every problem, even under JACKFIELD_STRICT
    problems = 0
    if host.settings.unreadable_config is not None:
        problems += 1
        click.secho(f"CONFIG  {host.settings.unreadable_config}", fg="red")
    infos = host.packages()
    for info in infos:
        if info.status in (PluginStatus.FAILED, PluginStatus.INCOMPATIBLE):
            problems += 1
            source = f"{info.distribution} {info.version or ''}".strip() or "registered object"
            label = info.status.value.upper()
            click.secho(f"{label:<13}{info.name} ({source}): {info.reason}", fg="red")
    for plugin, problem in host.spec_problems():
        problems += 1
        click.secho(f"{'LINT':<13}{plugin}: {problem}", fg="yellow")
    for name in host.unknown_setting_names():
        click.secho(f"{'WARNING':<13}settings name {name!r}, which matches no installed plugin")
    loaded = sum(1 for i in infos if i.status is PluginStatus.LOADED)
    disabled = sum(1 for i in infos if i.status is PluginStatus.DISABLED)
    summary = (
        f"{len(infos)} plugin(s): {loaded} loaded, {disabled} disabled; "
        f"{len(host.node_specs())} node type(s); {problems} problem(s)"
    )
    click.echo(summary)
    if workflow_file is not None:
        problems += _check_nodes(host, workflow_file)
    ctx.exit(ExitCode.PROBLEMS if problems else ExitCode.OK)

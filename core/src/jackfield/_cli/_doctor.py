"""``jackfield doctor``: every reason the installed plugins are not all healthy."""

from __future__ import annotations

import click

from jackfield._cli._plugins import host_for

__all__ = ["doctor"]


@click.command("doctor")
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check the installed plugins; exit 1 if any problem is found.

    Lists every failed or incompatible plugin with its reason, every spec
    lint problem of the loaded node types, and an unreadable config file.
    Disabled plugins are fine; setting names that match no installed plugin
    are warned about but do not fail the check. JACKFIELD_STRICT is ignored
    here: the point is to see every problem at once.
    """
    from jackfield._host._status import PluginStatus

    host = host_for(ctx, strict=False)  # report every problem, even under JACKFIELD_STRICT
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
    ctx.exit(1 if problems else 0)

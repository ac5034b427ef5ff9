"""``jackfield workflow``: check and mask workflow definition files without a server.

Both commands resolve node types through the command's plugin host
(:func:`~jackfield._cli._convention.cli_host`), so they see exactly the plugins
this environment would load.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from jackfield._cli._convention import ExitCode, cli_host, strict_option

if TYPE_CHECKING:
    from jackfield._errors import WorkflowProblem
    from jackfield._workflows._definition import WorkflowDefinition

__all__ = ["workflow"]


@click.group()
def workflow() -> None:
    """Validate and mask workflow definition files."""


def _read(
    ctx: click.Context, path: Path
) -> tuple[WorkflowDefinition | None, list[WorkflowProblem]]:
    """Read FILE as a definition; a file that is not one yields its problems instead."""
    from jackfield._errors import WorkflowError
    from jackfield._workflows._definition import WorkflowDefinition

    try:
        text = path.read_bytes()
    except OSError as exc:
        click.echo(f"Error: cannot read {path}: {exc.strerror or exc}", err=True)
        ctx.exit(ExitCode.USAGE)
    try:
        return WorkflowDefinition.from_json(text), []
    except WorkflowError as exc:
        return None, exc.problems


def _print_problems(problems: list[WorkflowProblem], source: Path, as_json: bool) -> None:
    if as_json:
        document: dict[str, Any] = {
            "file": str(source),
            "valid": not problems,
            "problems": [problem.to_dict() for problem in problems],
        }
        click.echo(json.dumps(document, indent=2))
        return
    for problem in problems:
        click.echo(str(problem))
    if not problems:
        click.echo(f"{source}: no problems")
        return
    errors = sum(1 for problem in problems if problem.severity == "error")
    click.echo(
        f"{source}: {len(problems)} problem(s), {errors} error(s), "
        f"{len(problems) - errors} warning(s)"
    )


@workflow.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--mode",
    type=click.Choice(["draft", "run"]),
    default="draft",
    show_default=True,
    help="draft: checking a saved edit (unknown node types are warnings); run: about to run.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@strict_option
@click.pass_context
def validate(ctx: click.Context, file: Path, mode: str, as_json: bool) -> None:
    """Print every problem of the workflow definition in FILE.

    Exits 1 if there is any problem (warnings included), 0 if there is none,
    2 if FILE cannot be read. Messages never contain configuration values.
    """
    from jackfield._workflows._validation import validate_workflow

    definition, problems = _read(ctx, file)
    if definition is not None:
        problems = validate_workflow(
            definition, cli_host(ctx), mode="run" if mode == "run" else "draft"
        )
    _print_problems(problems, file, as_json)
    ctx.exit(ExitCode.PROBLEMS if problems else ExitCode.OK)


@workflow.command("mask")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@strict_option
@click.pass_context
def mask(ctx: click.Context, file: Path) -> None:
    """Print the definition in FILE with every secret masked.

    Secret fields are those the loaded plugins register, plus those the
    file's own ``node_types`` record names. Exits 2 if FILE cannot be read or
    is not a workflow definition (its problems on stderr).
    """
    from jackfield._workflows._secrets import mask_definition

    definition, problems = _read(ctx, file)
    if definition is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        ctx.exit(ExitCode.USAGE)
    click.echo(mask_definition(definition, cli_host(ctx)).to_json(indent=2))

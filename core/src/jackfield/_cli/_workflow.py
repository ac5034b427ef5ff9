"""``jackfield workflow``: check and mask workflow definition files without a server.

Both commands resolve node types through the process's plugin host
(:func:`~jackfield.host.default_host`), so they see exactly the plugins this
environment would load. A caller embedding the CLI may pass its own registry
as the click context object (``main(obj=registry)``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

if TYPE_CHECKING:
    from jackfield._errors import WorkflowProblem
    from jackfield._specs._registration import NodeTypeRegistry
    from jackfield._workflows._definition import WorkflowDefinition

__all__ = ["workflow"]

#: Exit statuses of ``jackfield workflow validate`` and ``mask``.
EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2


@click.group()
def workflow() -> None:
    """Validate and mask workflow definition files."""


def _registry(ctx: click.Context) -> NodeTypeRegistry:
    """The registry given as the context object, else the process's plugin host."""
    given = ctx.find_root().obj
    if given is not None and callable(getattr(given, "find_registration", None)):
        return cast("NodeTypeRegistry", given)
    from jackfield._host._plugin_host import default_host

    return default_host()


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
        ctx.exit(EXIT_BAD_INPUT)
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
            definition, _registry(ctx), mode="run" if mode == "run" else "draft"
        )
    _print_problems(problems, file, as_json)
    ctx.exit(EXIT_PROBLEMS if problems else EXIT_OK)


@workflow.command("mask")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def mask(ctx: click.Context, file: Path) -> None:
    """Print the definition in FILE with every secret masked.

    Secret fields are those the loaded plugins register, plus those the
    file's own ``node_types`` record names. Exits 1 (problems on stderr) if
    FILE is not a workflow definition, 2 if it cannot be read.
    """
    from jackfield._workflows._secrets import mask_definition

    definition, problems = _read(ctx, file)
    if definition is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        ctx.exit(EXIT_PROBLEMS)
    click.echo(mask_definition(definition, _registry(ctx)).to_json(indent=2))

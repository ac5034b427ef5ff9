"""``jackfield run-call``: the whole life of one call, in one process.

Validates a workflow (run mode), asks the installed plugins for runtime
sessions, replays a scripted call to them, finishes the sessions, runs the
post-call completion (retrying inline, with bounded waits) and prints the
integration logs and the annotations. For demos, plugin development and CI.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from jackfield._cli._convention import ExitCode, cli_host, strict_option

if TYPE_CHECKING:
    from jackfield._calls._completion import CompletionOutcome
    from jackfield._calls._events import CallEvent
    from jackfield._host._plugin_host import PluginHost
    from jackfield._workflows._definition import WorkflowDefinition

__all__ = ["run_call"]


def _fail(ctx: click.Context, message: str) -> NoReturn:
    """A file cannot be read, or is not a valid workflow or call."""
    click.echo(f"Error: {message}", err=True)
    ctx.exit(ExitCode.USAGE)


def _load_workflow(ctx: click.Context, path: Path, host: PluginHost) -> WorkflowDefinition:
    from jackfield._errors import WorkflowError
    from jackfield._workflows._definition import WorkflowDefinition
    from jackfield._workflows._validation import validate_workflow

    try:
        definition = WorkflowDefinition.from_json(path.read_bytes())
    except OSError as exc:
        _fail(ctx, f"cannot read {path}: {exc.strerror or exc}")
    except WorkflowError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        _fail(ctx, f"{path} is not a workflow definition")
    errors = [p for p in validate_workflow(definition, host, mode="run") if p.severity == "error"]
    if errors:
        for problem in errors:
            click.echo(str(problem), err=True)
        _fail(ctx, f"{path}: the workflow cannot run ({len(errors)} error(s))")
    return definition


def _load_call(ctx: click.Context, path: Path) -> list[CallEvent]:
    from pydantic import ValidationError

    from jackfield._calls._events import parse_call_events

    try:
        return parse_call_events(path.read_bytes())
    except OSError as exc:
        _fail(ctx, f"cannot read {path}: {exc.strerror or exc}")
    except ValidationError as exc:
        where = "; ".join(
            f"event {'.'.join(str(part) for part in err['loc'])}: {err['msg']}"
            for err in exc.errors(include_input=False)
        )
        _fail(ctx, f"{path} is not a valid call: {where}")


def _gathered(events: list[CallEvent]) -> dict[str, Any]:
    """What a host gathers at call end: disposition, duration and event count."""
    ended = [e for e in events if e.kind == "call_ended"]
    duration = (events[-1].timestamp - events[0].timestamp).total_seconds() if events else 0.0
    return {
        "disposition": ended[-1].disposition if ended else None,
        "duration_s": duration,
        "event_count": len(events),
    }


async def _life_of_a_call(
    host: PluginHost,
    definition: WorkflowDefinition,
    events: list[CallEvent],
    *,
    rounds: int,
    max_wait_s: float,
) -> tuple[dict[str, Any], CompletionOutcome, int]:
    from jackfield._calls._completion import complete_call
    from jackfield._calls._live import prepare_live_call
    from jackfield._calls._runtime_context import RuntimeContext
    from jackfield._calls._scripted import ScriptedCall

    run_id = f"cli-{uuid.uuid4().hex[:12]}"
    live = prepare_live_call(
        host, RuntimeContext(workflow_run_id=run_id, workflow_graph=definition)
    )
    call = ScriptedCall(events)
    live.attach(call)
    call.run()
    logs = await live.finish(_gathered(events))
    outcome = await complete_call(
        host, workflow_run_id=run_id, workflow_definition=definition, integration_logs=logs
    )
    used = 1
    while not outcome.done and used < rounds:
        await asyncio.sleep(min(outcome.retry_in_s or 0.0, max_wait_s))
        outcome = await complete_call(
            host,
            workflow_run_id=run_id,
            workflow_definition=definition,
            integration_logs=logs,
            previous_annotations=outcome.annotations,
        )
        used += 1
    return logs, outcome, used


@click.command("run-call")
@click.option(
    "--workflow",
    "workflow_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The workflow definition (JSON).",
)
@click.option(
    "--call",
    "call_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The call to replay: a JSON array of call events.",
)
@click.option(
    "--rounds",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="Completion runs at most, counting retries.",
)
@click.option(
    "--max-retry-wait",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Longest wait in seconds before a retry (plugins may ask for longer).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@strict_option
@click.pass_context
def run_call(
    ctx: click.Context,
    workflow_path: Path,
    call_path: Path,
    rounds: int,
    max_retry_wait: float,
    as_json: bool,
) -> None:
    """Run the life of one call with the installed plugins and print what they left.

    Exits 0 if every plugin succeeded, 1 if any plugin failed (an error in the
    integration logs, a failed node, or retries still due after ROUNDS), and 2
    if a file cannot be read or is not a valid workflow or call.
    """
    host = cli_host(ctx)
    definition = _load_workflow(ctx, workflow_path, host)
    events = _load_call(ctx, call_path)
    logs, outcome, used = asyncio.run(
        _life_of_a_call(host, definition, events, rounds=rounds, max_wait_s=max_retry_wait)
    )
    nodes = {node_id: state.to_json_dict() for node_id, state in sorted(outcome.nodes.items())}
    if as_json:
        document = {
            "events": len(events),
            "completion_rounds": used,
            "done": outcome.done,
            "integration_logs": logs,
            "annotations": outcome.annotations,
            "nodes": nodes,
        }
        click.echo(json.dumps(document, indent=2, sort_keys=True))
    else:
        click.echo(f"Replayed {len(events)} event(s) to {sum(1 for _ in logs)} plugin(s).")
        click.echo("\nIntegration logs:")
        click.echo(json.dumps(logs, indent=2, sort_keys=True))
        click.echo(f"\nCompletion ({used} round(s)):")
        for node_id, state in nodes.items():
            reason = f" ({state['reason']})" if "reason" in state else ""
            click.echo(f"  {node_id:<16} {state['plugin'] or '-':<16} {state['status']}{reason}")
        click.echo("\nAnnotations:")
        click.echo(json.dumps(outcome.annotations, indent=2, sort_keys=True))
    failed = any("errors" in entry for entry in logs.values()) or any(
        state["status"] == "failed" for state in nodes.values()
    )
    ctx.exit(ExitCode.PROBLEMS if failed or not outcome.done else ExitCode.OK)

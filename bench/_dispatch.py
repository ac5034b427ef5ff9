"""Benchmark section ``dispatch``: call events through runtime sessions vs direct calls.

The measuring happens in ``_dispatch_probe.py``, run in an environment with
jackfield built from this tree (see ``_child.py``); this module turns its
samples into the Markdown table.
"""

from __future__ import annotations

import statistics

from _child import machine_note, run_probe
from _options import Options

__all__ = ["run"]

EVENTS = 1_000_000
#: The issue's budget: the host path within this factor of the direct loop.
TARGET_RATIO = 1.5

_PATHS = (
    ("direct", "the 5 `on_event` methods called one after another in a plain loop"),
    (
        "host",
        "`prepare_live_call` + `LiveCall.attach` to a `ScriptedCall`, `ScriptedCall.run()`",
    ),
    (
        "wrapped",
        "the same with a task offering only `add_observer` (each observer wrapped in a guard)",
    ),
)


def run(options: Options) -> str:
    """Measure the three paths and return the Markdown report."""
    report = run_probe("_dispatch_probe.py", str(options.runs), str(EVENTS))
    medians = {name: statistics.median(report["samples"][name]) for name, _ in _PATHS}
    direct = medians["direct"]
    rows = [
        f"| {name} | {how} | {medians[name] * 1000:.0f} | "
        f"{medians[name] * 1e9 / report['events']:.0f} | {medians[name] / direct:.2f}x |"
        for name, how in _PATHS
    ]
    ratio = medians["host"] / direct
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    lines = [
        "## dispatch: call events through runtime sessions",
        "",
        f"{report['events']:,} call events (a ten-event turn of user and bot turns, usage, "
        f"latency and a tool call, repeated) to 5 observers, one per plugin, each doing a "
        f"little real work (counting by kind, summing tokens, measuring turns, tracking "
        f"latency, counting tool calls). On the host paths each plugin's session is created "
        f"through `jackfield_create_runtime_sessions` and its observer guarded so that an "
        f"exception stays in its plugin; only the replay is timed, and each round's "
        f"snapshots are checked against the direct loop's observers. Median of "
        f"{options.runs} rounds, order alternating each round. {machine_note(report)}",
        "",
        "| path | what runs | ms | ns/event | vs direct |",
        "| --- | --- | ---: | ---: | ---: |",
        *rows,
        "",
        f"Target: the host path at most {TARGET_RATIO}x the direct loop: {verdict} "
        f"({ratio:.2f}x). A task with `add_guarded_observer` (as `ScriptedCall` has) keeps "
        f"the guard inside its own loop; the `wrapped` row shows what an adapter without "
        f"it pays.",
    ]
    return "\n".join(lines)

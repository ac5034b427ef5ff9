"""Benchmark section ``completion``: concurrent completion handlers vs one by one.

The measuring happens in ``_completion_probe.py``, run in an environment with
jackfield built from this tree (see ``_child.py``); this module turns its
samples into the Markdown table.
"""

from __future__ import annotations

import statistics

from _child import machine_note, run_probe
from _options import Options

__all__ = ["run"]

HANDLERS = 5
DELAY_MS = 50
#: The issue's budget: ``complete_call`` within this factor of the slowest handler.
TARGET_RATIO = 1.2


def run(options: Options) -> str:
    """Measure ``complete_call`` and a sequential loop and return the Markdown report."""
    report = run_probe("_completion_probe.py", str(options.runs), str(HANDLERS), str(DELAY_MS))
    ms = {name: statistics.median(values) * 1000 for name, values in report["samples"].items()}
    slowest = ms["slowest_handler"]
    rows = [
        ("slowest handler (its own clock)", ms["slowest_handler"]),
        (
            f"sum of the {HANDLERS} handlers (what a one-by-one orchestrator takes)",
            ms["handler_sum"],
        ),
        ("`complete_call`, one phase, concurrent", ms["complete_call"]),
        ("sequential loop awaiting the same handlers one by one", ms["sequential"]),
    ]
    table = [f"| {what} | {value:.1f} | {value / slowest:.2f}x |" for what, value in rows]
    ratio = ms["complete_call"] / slowest
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    lines = [
        "## completion: post-call handlers in one phase",
        "",
        f"{HANDLERS} plugins in the delivery phase, each with an `async` completion handler "
        f"that awaits {DELAY_MS} ms and reports its node delivered. `complete_call` runs the "
        f"whole job (planning, contexts, the phase, annotations and node states; every "
        f"outcome checked); the sequential loop awaits the same handlers one after another "
        f"with a `CompletionContext` each. Median of {options.runs} rounds, order "
        f"alternating each round. {machine_note(report)}",
        "",
        "| what | ms | vs slowest handler |",
        "| --- | ---: | ---: |",
        *table,
        "",
        f"Target: `complete_call` at most {TARGET_RATIO}x the slowest handler: {verdict} "
        f"({ratio:.2f}x; {ms['sequential'] / ms['complete_call']:.1f}x faster than the "
        f"sequential loop).",
    ]
    return "\n".join(lines)

"""Benchmark section ``secrets``: mask and merge large definitions, jackfield vs deep copy.

The measuring happens in ``_secrets_probe.py``, run in an environment with
jackfield built from this tree (see ``_child.py``); this module turns its
samples into the Markdown table. Definitions of 1,000 and 10,000 nodes, half
of them integration nodes with two secrets each. The reference is the obvious
implementation: ``copy.deepcopy`` the whole definition, then walk it and mask
(or restore) the secret fields in place.
"""

from __future__ import annotations

import statistics

from _child import machine_note, run_probe
from _options import Options

__all__ = ["run"]

SIZES = (1_000, 10_000)
#: "Linear" allows the time per node at the largest size to be this many
#: times that at the smallest (memory no longer fits the CPU caches); a
#: quadratic walk would be 10x.
LINEAR_TOLERANCE = 1.5
OPERATIONS = ("mask", "merge")


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def run(options: Options) -> str:
    """Measure both operations at both sizes and return the Markdown report."""
    report = run_probe("_secrets_probe.py", str(options.runs), *map(str, SIZES))
    rows: list[str] = []
    fastest: dict[str, bool] = {}
    per_node_us: dict[tuple[str, str, int], float] = {}
    for size in SIZES:
        measured = report["sizes"][str(size)]
        samples = measured["samples"]
        for operation in OPERATIONS:
            ours = _ms(samples[f"jackfield_{operation}"])
            model_ref = _ms(samples[f"reference_{operation}"])
            json_ref = _ms(samples[f"reference_{operation}_json"])
            fastest[f"{operation}-{size}"] = ours <= min(model_ref, json_ref)
            per_node_us[("jackfield", operation, size)] = ours * 1000.0 / size
            per_node_us[("reference", operation, size)] = model_ref * 1000.0 / size
            rows.append(
                f"| {operation} | {size:,} | {measured['integration_nodes']:,} "
                f"| {ours:.2f} | {model_ref:.2f} | {model_ref / ours:.1f}x "
                f"| {json_ref:.2f} | {json_ref / ours:.1f}x | {ours * 1000.0 / size:.2f} |"
            )
    small, large = SIZES[0], SIZES[-1]
    growth_rows = []
    growth: dict[str, float] = {}
    for operation in OPERATIONS:
        ours = (
            per_node_us[("jackfield", operation, large)]
            / per_node_us[("jackfield", operation, small)]
        )
        theirs = (
            per_node_us[("reference", operation, large)]
            / per_node_us[("reference", operation, small)]
        )
        growth[operation] = ours
        growth_rows.append(
            f"| {operation} | {per_node_us[('jackfield', operation, small)]:.2f} "
            f"| {per_node_us[('jackfield', operation, large)]:.2f} | {ours:.2f}x "
            f"| {theirs:.2f}x |"
        )
    speed_met = all(fastest.values())
    linear_met = all(value <= LINEAR_TOLERANCE for value in growth.values())
    slower = ", ".join(key for key, ok in fastest.items() if not ok) or "none"
    lines = [
        "## secrets: masking and merging large workflow definitions",
        "",
        f"Half the nodes are integration nodes with two secret fields (`api_key`, "
        f"`signing_secret`), the other half agent nodes chained by edges. `mask` is "
        f"`mask_definition(stored, host)`; `merge` is `merge_definition(incoming, stored, "
        f"host)` of what a client sends back (every mask untouched, a new `api_key` on one "
        f"integration node in ten). The reference deep-copies the whole definition "
        f"(`copy.deepcopy`) and masks or restores the secret fields in place: on the "
        f"`WorkflowDefinition` jackfield takes, and on its plain JSON form (dicts, cheaper to "
        f"copy). Every output is checked to hold the same node data before timing. Median of "
        f"{options.runs} repetitions after one warm-up, order alternating each round, "
        f"garbage collected before each call. {machine_note(report)}",
        "",
        "| operation | nodes | integration nodes | jackfield ms | reference ms | speed-up "
        "| reference on JSON ms | speed-up | jackfield µs/node |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"Growth: time per node at {large:,} nodes over time per node at {small:,} "
        f"(1.00x is perfectly linear; the reference's own growth, for comparison).",
        "",
        f"| operation | jackfield µs/node at {small:,} | at {large:,} | growth "
        "| reference growth |",
        "| --- | ---: | ---: | ---: | ---: |",
        *growth_rows,
        "",
        f"Target: at least as fast as the reference at both sizes: "
        f"{'met' if speed_met else 'NOT met'} (against both forms; slower cells: {slower}). "
        f"Time growing linearly with node count (growth <= {LINEAR_TOLERANCE}x): "
        f"{'met' if linear_met else 'NOT met'} "
        f"({', '.join(f'{op} {value:.2f}x' for op, value in growth.items())}).",
    ]
    return "\n".join(lines)

"""Run the jackfield benchmarks and print their results as Markdown.

    python bench/run.py                 # every section
    python bench/run.py startup         # named sections only
    python bench/run.py --list          # the sections there are
    nox -s bench -- startup --runs 11   # the same through nox

A section is a module in this folder with a ``run(options) -> str`` function
returning Markdown; add it to :data:`SECTIONS` to make it selectable. Results
are never pass/fail: the numbers go into the README's performance section.
Generated projects, wheels and environments are cached under ``.bench/``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The wheel and environment helpers are shared with the cross-distribution tests.
sys.path.insert(1, str(HERE.parent / "tests"))

from _options import Options  # noqa: E402

#: Section name -> (module in this folder, one-line description).
SECTIONS: dict[str, tuple[str, str]] = {
    "startup": (
        "_startup",
        "process start to catalog ready with N installed plugins, jackfield vs pkgutil",
    ),
    "secrets": (
        "_secrets",
        "mask and merge definitions of 1,000 and 10,000 nodes, jackfield vs deep copy",
    ),
    "dispatch": (
        "_dispatch",
        "1,000,000 call events through 5 runtime sessions, host path vs direct calls",
    ),
    "completion": (
        "_completion",
        "5 completion handlers of 50 ms in one phase, complete_call vs one by one",
    ),
    "catalog_http": (
        "_catalog_http",
        "GET /node-types per second with 100 node types, jackfield serve vs response_model",
    ),
    "runs_e2e": (
        "_runs_e2e",
        "completed runs per second, four first-party plugins, in-process worker vs Celery",
    ),
}


def _parse(argv: list[str]) -> tuple[list[str], Options]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "sections",
        nargs="*",
        metavar="SECTION",
        help=f"sections to run (default: all): {', '.join(SECTIONS)}",
    )
    parser.add_argument("--list", action="store_true", help="list the sections and exit")
    parser.add_argument(
        "--runs",
        type=int,
        default=11,
        help="fresh processes (startup) or repetitions per cell, median reported (>= 7)",
    )
    parser.add_argument(
        "--sizes", default="1,10,100", help="comma-separated numbers of installed plugins"
    )
    args = parser.parse_args(argv)
    if args.list:
        for name, (_module, description) in SECTIONS.items():
            print(f"{name}: {description}")
        raise SystemExit(0)
    unknown = [name for name in args.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if args.runs < 7:
        parser.error("--runs must be at least 7 (the benchmark reports medians)")
    try:
        sizes = tuple(sorted({int(part) for part in args.sizes.split(",") if part.strip()}))
    except ValueError:
        parser.error("--sizes must be comma-separated whole numbers")
    if not sizes or sizes[0] < 1:
        parser.error("--sizes must list numbers of at least 1")
    return args.sections or list(SECTIONS), Options(runs=args.runs, sizes=sizes)


def main(argv: list[str] | None = None) -> None:
    """Run the chosen sections in order and print each one's Markdown."""
    names, options = _parse(sys.argv[1:] if argv is None else argv)
    for name in names:
        module_name, _description = SECTIONS[name]
        section = importlib.import_module(module_name)
        print(section.run(options), flush=True)
        print()


if __name__ == "__main__":
    main()

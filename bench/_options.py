"""Options shared by every benchmark section."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["BENCH_DIR", "Options"]

#: Generated projects, cached wheels and benchmark environments (git-ignored).
BENCH_DIR = Path(__file__).resolve().parent.parent / ".bench"


@dataclass(frozen=True)
class Options:
    """What the command line chose; each section reads what applies to it.

    :param runs: fresh processes (or repetitions) per measured cell; the
        median is reported.
    :param sizes: the numbers of installed plugins to measure with.
    """

    runs: int
    sizes: tuple[int, ...]

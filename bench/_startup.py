"""Benchmark section ``startup``: process start to catalog ready, jackfield vs pkgutil.

For each N, one fresh environment holds jackfield, N plugin wheels and the
old-way package with the same N integrations. Fresh processes alternate
between the two ways (the order flips every round, so drift on a shared
machine hits both alike); after one discarded warm-up each (it writes the
bytecode caches), the median of ``--runs`` processes is reported.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from _generate import legacy_project, plugin_projects, tree_digest
from _options import BENCH_DIR, Options
from _wheels import CORE, VirtualEnv, build_wheels, clean_environ, create_venv

__all__ = ["run"]

PROBE = Path(__file__).resolve().parent / "_probe.py"
MODES = ("jackfield", "pkgutil")
#: The issue's budget: jackfield at the largest N within this factor of pkgutil.
TARGET_RATIO = 1.1


@dataclass(frozen=True)
class Sample:
    """One fresh process's measurements."""

    start_to_ready_ms: float
    cpu_ms: float
    load_ms: float
    catalog_ms: float
    maxrss_mib: float
    node_types: int


def _maxrss_mib(raw: int) -> float:
    """``ru_maxrss`` is KiB on Linux and bytes on macOS."""
    return raw / (1024 * 1024) if sys.platform == "darwin" else raw / 1024


def _cached_wheels(projects: list[Path], source: Path, key: str) -> list[Path]:
    """Build ``projects`` unless wheels of exactly these sources are cached under ``.bench``."""
    folder = BENCH_DIR / "wheels" / f"{key}-{tree_digest(source)}"
    marker = folder / "wheels.json"
    if marker.is_file():
        return [folder / name for name in json.loads(marker.read_text("utf-8"))]
    wheels = build_wheels(projects, folder)
    marker.write_text(json.dumps([w.name for w in wheels]), "utf-8")
    return wheels


def _environment(size: int, core_wheel: Path, plugin_wheels: list[Path]) -> VirtualEnv:
    """A fresh environment with jackfield, ``size`` plugins and the old-way package."""
    legacy = legacy_project(BENCH_DIR / "projects" / f"legacy-{size}", size)
    (legacy_wheel,) = _cached_wheels([legacy], legacy, f"legacy-{size}")
    venv = create_venv(BENCH_DIR / "venvs" / f"n{size}")
    venv.install([core_wheel, legacy_wheel, *plugin_wheels[:size]])
    return venv


def _sample(venv: VirtualEnv, mode: str, config: Path) -> Sample:
    env = clean_environ({"JACKFIELD_CONFIG": str(config)})
    started = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    result = subprocess.run(
        [str(venv.python), "-I", str(PROBE), mode],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{mode} probe failed in {venv.path}:\n{result.stderr}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return Sample(
        start_to_ready_ms=(report["ready_ns"] - started) / 1e6,
        cpu_ms=report["cpu_ns"] / 1e6,
        load_ms=report["load_ms"],
        catalog_ms=report["catalog_ms"],
        maxrss_mib=_maxrss_mib(report["maxrss"]),
        node_types=report["node_types"],
    )


def _measure(venv: VirtualEnv, runs: int, config: Path) -> dict[str, list[Sample]]:
    samples: dict[str, list[Sample]] = {mode: [] for mode in MODES}
    for mode in MODES:
        _sample(venv, mode, config)  # warm-up: writes __pycache__, not counted
    for round_ in range(runs):
        order = MODES if round_ % 2 == 0 else tuple(reversed(MODES))
        for mode in order:
            samples[mode].append(_sample(venv, mode, config))
    return samples


def _median(samples: list[Sample], attribute: str) -> float:
    return float(statistics.median(float(getattr(s, attribute)) for s in samples))


def _bare_interpreter_ms(runs: int) -> float:
    """Median start-to-ready time of ``python -I -c pass``-like processes, for scale."""
    code = "import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))"
    times = []
    for _ in range(runs):
        started = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, check=True)
        times.append((int(out.stdout) - started) / 1e6)
    return statistics.median(times)


def run(options: Options) -> str:
    """Build (or reuse) the wheels, measure every N, return the Markdown report."""
    sizes = sorted(options.sizes)
    largest = sizes[-1]
    core_wheel = build_wheels([CORE], BENCH_DIR / "wheels" / "core")[0]
    plugins_root = BENCH_DIR / "projects" / "plugins"
    plugin_wheels = _cached_wheels(
        plugin_projects(plugins_root, largest), plugins_root, f"plugins-{largest}"
    )
    config = BENCH_DIR / "jackfield.toml"  # never written: keeps the user's config out
    timing_rows, inside_rows = [], []
    ratios: dict[int, float] = {}
    cpu_ratios: dict[int, float] = {}
    for size in sizes:
        venv = _environment(size, core_wheel, plugin_wheels)
        samples = _measure(venv, options.runs, config)
        jf, pk = samples["jackfield"], samples["pkgutil"]
        wall = {mode: _median(samples[mode], "start_to_ready_ms") for mode in MODES}
        cpu = {mode: _median(samples[mode], "cpu_ms") for mode in MODES}
        ratios[size] = wall["jackfield"] / wall["pkgutil"]
        cpu_ratios[size] = cpu["jackfield"] / cpu["pkgutil"]
        timing_rows.append(
            f"| {size} | {wall['jackfield']:.1f} | {wall['pkgutil']:.1f} | {ratios[size]:.3f}x "
            f"| {cpu['jackfield']:.1f} | {cpu['pkgutil']:.1f} | {cpu_ratios[size]:.3f}x |"
        )
        inside_rows.append(
            f"| {size} | {jf[0].node_types} | {_median(jf, 'load_ms'):.1f} | "
            f"{_median(pk, 'load_ms'):.1f} | {_median(jf, 'catalog_ms'):.2f} | "
            f"{_median(pk, 'catalog_ms'):.2f} | {max(s.maxrss_mib for s in jf):.1f} | "
            f"{max(s.maxrss_mib for s in pk):.1f} |"
        )
    verdict = "met" if ratios[largest] <= TARGET_RATIO else "NOT met"
    lines = [
        "## startup: process start to catalog ready",
        "",
        f"N plugin wheels installed; the same N integrations loaded the old way "
        f"(pkgutil) in the same environment. Median of {options.runs} fresh processes "
        f"per cell after one warm-up; Python {platform.python_version()} on "
        f"{platform.machine()} ({os.cpu_count()} CPUs); a bare interpreter starts in "
        f"{_bare_interpreter_ms(options.runs):.1f} ms.",
        "",
        "| N | jackfield ms | pkgutil ms | ratio | jackfield CPU ms | pkgutil CPU ms | CPU ratio |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *timing_rows,
        "",
        "Inside the process: loading (framework and integrations imported, nodes "
        "registered), catalog build alone (the `node-types` JSON bytes from the loaded "
        "registry) and peak memory (max `ru_maxrss` over the runs).",
        "",
        "| N | node types | jackfield load ms | pkgutil load ms | jackfield catalog ms "
        "| pkgutil catalog ms | jackfield peak MiB | pkgutil peak MiB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *inside_rows,
        "",
        f"Target at N = {largest}: jackfield <= {TARGET_RATIO}x pkgutil (wall time): "
        f"{verdict} ({ratios[largest]:.3f}x; CPU time {cpu_ratios[largest]:.3f}x).",
    ]
    return "\n".join(lines)

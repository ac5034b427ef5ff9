"""Child process of the start-up benchmark: load integrations, build the catalog, report.

Run inside a benchmark environment as ``python -I _probe.py MODE`` with MODE
``jackfield`` (the plugin host: entry points, settings, version checks, spec
lint, catalog) or ``pkgutil`` (the old way: import every subpackage of one
package). Both end with the same thing, the catalog document
``{"spec_version": ..., "node_types": [...]}`` encoded as JSON bytes the way
``jackfield node-types`` prints it, with the same node types (jackfield's
built-in conversation nodes included), and print one JSON line:

* ``ready_ns``: ``CLOCK_MONOTONIC`` when the catalog bytes exist; the parent
  subtracts its own reading taken just before starting the process;
* ``cpu_ns``: CPU time (user + system) the process had used by then, from its
  start: less disturbed than wall time by other work on a shared machine;
* ``load_ms``: import of the framework and all integrations;
* ``catalog_ms``: building the catalog bytes from what was loaded;
* ``node_types``: how many node types the catalog holds (a sanity check);
* ``maxrss``: peak resident set size as ``getrusage`` reports it (KiB on Linux).

Only the standard library is imported before the clock starts.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def _now_ns() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def _jackfield() -> tuple[bytes, float, float]:
    start = time.perf_counter()
    from jackfield.host import PluginHost

    host = PluginHost()
    host.load()
    loaded = time.perf_counter()
    catalog = host.catalog_json()
    done = time.perf_counter()
    return catalog, loaded - start, done - loaded


def _pkgutil() -> tuple[bytes, float, float]:
    start = time.perf_counter()
    from legacy_integrations import (  # type: ignore[import-not-found]  # generated
        load_all,
        register,
    )

    from jackfield import SPEC_VERSION
    from jackfield._host._builtin_plugin import jackfield_register_nodes as builtin_nodes

    # The old platform served the conversation nodes (start, agent, end) too,
    # statically: register jackfield's, without a host, so both catalogs match.
    for builtin in builtin_nodes():
        register(builtin.type_name, builtin.data_model, builtin.node_spec, ())
    registry = load_all()
    loaded = time.perf_counter()
    specs = sorted((spec for _model, spec, _sensitive in registry.values()), key=lambda s: s.name)
    document = {
        "spec_version": SPEC_VERSION,
        "node_types": [spec.model_dump(mode="json") for spec in specs],
    }
    catalog = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    done = time.perf_counter()
    return catalog, loaded - start, done - loaded


def main() -> None:
    """Run the mode named by ``sys.argv[1]`` and print the measurements."""
    catalog, load_s, catalog_s = {"jackfield": _jackfield, "pkgutil": _pkgutil}[sys.argv[1]]()
    ready_ns = _now_ns()
    cpu_ns = time.process_time_ns()
    node_types = len(json.loads(catalog)["node_types"])
    report = {
        "ready_ns": ready_ns,
        "cpu_ns": cpu_ns,
        "load_ms": load_s * 1000,
        "catalog_ms": catalog_s * 1000,
        "node_types": node_types,
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()

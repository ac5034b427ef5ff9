"""Child process of the ``completion`` benchmark: five 50 ms handlers in one phase.

Run as ``python -I _completion_probe.py RUNS HANDLERS DELAY_MS`` in an
environment with jackfield installed. HANDLERS plugins each provide one node
type and an ``async`` completion handler (default phase, delivery) that awaits
DELAY_MS milliseconds and reports its node delivered; each handler measures its
own duration. Each round, alternating the order, times:

* ``complete_call``: :func:`jackfield.host.complete_call` over a definition holding
  one node of each type (planning, contexts, the concurrent phase, the
  annotations and node states included);
* ``sequential``: a one-by-one orchestrator: the same handler functions,
  given the same nodes and a :class:`~jackfield.CompletionContext` each,
  awaited one after another.

Every ``complete_call`` outcome is checked: all nodes delivered, every plugin
called. Prints one JSON line: ``{"python", "jackfield", "handlers",
"delay_ms", "samples": {"complete_call", "sequential", "slowest_handler",
"handler_sum": [seconds, ...]}}``, where the last two come from the
handlers' own clocks during the ``complete_call`` rounds.
"""

from __future__ import annotations

import asyncio
import gc
import json
import platform
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from importlib.metadata import version
from typing import Any

from jackfield import (
    BaseNodeData,
    CompletionContext,
    NodeRegistration,
    NodeStatus,
    build_spec,
    hookimpl,
    node_spec,
    spec_field,
)
from jackfield.host import PluginHost, WorkflowDefinition, complete_call


class TimedHandler:
    """An ``async`` completion handler that awaits a fixed delay and times itself."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.durations: list[float] = []

    async def __call__(
        self, nodes: Sequence[Mapping[str, Any]], context: CompletionContext
    ) -> dict[str, Any]:
        """Stand in for an export: wait on the "network", report each node delivered."""
        start = time.perf_counter()
        await asyncio.sleep(self.delay_s)
        result = {str(node["id"]): {"exported": True} for node in nodes}
        self.durations.append(time.perf_counter() - start)
        return result


def make_plugin(name: str, handler: TimedHandler) -> object:
    """A plugin providing node type ``name`` whose completion handler is ``handler``."""

    @node_spec(name=name, description=f"Benchmark export {name}.")
    class Node(BaseNodeData):
        enabled: bool = spec_field(default=True, description="Whether the node runs.")

    class Plugin:
        @hookimpl
        def jackfield_register_nodes(self) -> list[NodeRegistration]:
            return [NodeRegistration(type_name=name, data_model=Node, node_spec=build_spec(Node))]

        @hookimpl
        async def jackfield_run_completion(
            self, nodes: Sequence[Mapping[str, Any]], context: CompletionContext
        ) -> dict[str, Any]:
            return await handler(nodes, context)

    return Plugin()


def _check(outcome: Any, names: list[str]) -> None:
    """Refuse a round in which a handler did not run or a node was not delivered."""
    statuses = {node.status for node in outcome.nodes.values()}
    if statuses != {NodeStatus.DELIVERED} or sorted(outcome.called) != sorted(names):
        raise RuntimeError(f"complete_call did not deliver every node: {outcome.annotations}")


async def measure(runs: int, count: int, delay_s: float) -> dict[str, list[float]]:
    """Time ``complete_call`` and the sequential loop ``runs`` times each."""
    names = [f"export_{index}" for index in range(1, count + 1)]
    handlers = {name: TimedHandler(delay_s) for name in names}
    host = PluginHost(autoload=False)
    for name in names:
        host.register(make_plugin(name, handlers[name]), name=name)
    host.load()
    nodes = [{"id": "start", "type": "start", "data": {"name": "Start", "prompt": "Hello"}}]
    nodes += [{"id": f"{name}-node", "type": name, "data": {"name": name}} for name in names]
    definition = WorkflowDefinition.from_dict({"nodes": nodes, "edges": []})

    async def concurrent() -> None:
        outcome = await complete_call(
            host, workflow_run_id="bench-run", workflow_definition=definition
        )
        _check(outcome, names)

    async def sequential() -> None:
        for name, handler in handlers.items():
            context = CompletionContext(workflow_run_id="bench-run", workflow_definition=definition)
            own = [node for node in definition.to_dict()["nodes"] if node["type"] == name]
            await handler(own, context)

    async def timed(call: Callable[[], Awaitable[None]]) -> float:
        gc.collect()
        start = time.perf_counter()
        await call()
        return time.perf_counter() - start

    await concurrent()  # warm-up, not counted
    samples: dict[str, list[float]] = {
        "complete_call": [],
        "sequential": [],
        "slowest_handler": [],
        "handler_sum": [],
    }
    for round_ in range(runs):
        order = (
            ("complete_call", "sequential") if round_ % 2 == 0 else ("sequential", "complete_call")
        )
        for name in order:
            if name == "sequential":
                samples["sequential"].append(await timed(sequential))
                continue
            for handler in handlers.values():
                handler.durations.clear()
            samples["complete_call"].append(await timed(concurrent))
            own_times = [handler.durations[0] for handler in handlers.values()]
            samples["slowest_handler"].append(max(own_times))
            samples["handler_sum"].append(sum(own_times))
    return samples


def main() -> None:
    """Measure with the command line's settings and print the samples."""
    runs, count, delay_ms = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    samples = asyncio.run(measure(runs, count, delay_ms / 1000.0))
    report = {
        "python": platform.python_version(),
        "jackfield": version("jackfield"),
        "handlers": count,
        "delay_ms": delay_ms,
        "samples": samples,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()

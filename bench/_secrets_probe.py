"""Child process of the ``secrets`` benchmark: mask and merge large workflow definitions.

Run as ``python -I _secrets_probe.py RUNS SIZE [SIZE ...]`` in an environment
with jackfield installed. For each size it builds a stored definition of SIZE
nodes: every other node is an integration node of a type with two sensitive
fields (``api_key``, ``signing_secret``), the rest are agent nodes chained by
edges. It then times, alternating the order every round:

* ``mask``: :func:`jackfield.host.mask_definition` against :func:`reference_mask`;
* ``merge``: :func:`jackfield.host.merge_definition` of what a client sends back
  (every mask untouched, except a new ``api_key`` on every tenth integration
  node) against :func:`reference_merge`.

Each reference runs twice: on the :class:`~jackfield.host.WorkflowDefinition`
jackfield takes, and (``*_json``) on its plain JSON form, whose deep copy is
cheaper. Before timing, every output is checked to hold exactly the node data
jackfield's does, so all do the same work. Prints one JSON line:
``{"python", "jackfield", "sizes": {SIZE: {"integration_nodes", "edges",
"samples": {name: [seconds, ...]}}}}``.
"""

from __future__ import annotations

import copy
import gc
import json
import platform
import sys
import time
from collections.abc import Callable, Iterator
from importlib.metadata import version
from typing import Any

from jackfield import (
    BaseNodeData,
    NodeRegistration,
    build_spec,
    hookimpl,
    node_spec,
    spec_field,
)
from jackfield.host import (
    PluginHost,
    WorkflowDefinition,
    looks_masked,
    mask_definition,
    mask_key,
    merge_definition,
    record_node_types,
)

INTEGRATION_TYPE = "crm_export"
FULL_MASK = "********"


@node_spec(name=INTEGRATION_TYPE, display_name="CRM export", description="Sends calls to a CRM.")
class CrmExportNode(BaseNodeData):
    """A typical integration node: an endpoint, two secrets and a flag."""

    sensitive_fields = ("api_key", "signing_secret")

    endpoint: str = spec_field(description="Where the calls are sent.")
    api_key: str = spec_field(description="The CRM's API key.", editor="password")
    signing_secret: str = spec_field(description="Signs each delivery.", editor="password")
    enabled: bool = spec_field(default=True, description="Whether the node runs.")


class CrmPlugin:
    """The plugin providing :class:`CrmExportNode`."""

    @hookimpl
    def jackfield_register_nodes(self) -> list[NodeRegistration]:
        """Register the one integration node type."""
        return [
            NodeRegistration(
                type_name=INTEGRATION_TYPE,
                data_model=CrmExportNode,
                node_spec=build_spec(CrmExportNode),
                sensitive_fields=CrmExportNode.sensitive_fields,
            )
        ]


def make_host() -> PluginHost:
    """A loaded host with the built-in node types and the CRM plugin, nothing installed."""
    host = PluginHost(autoload=False)
    host.register(CrmPlugin(), name="crm")
    host.load()
    if host.find_registration(INTEGRATION_TYPE) is None:
        raise RuntimeError("the benchmark plugin did not load")
    return host


def stored_definition(size: int, host: PluginHost) -> WorkflowDefinition:
    """A stored definition of ``size`` nodes, half of them integration nodes."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    previous_agent: str | None = None
    for index in range(size):
        position = {"x": (index % 40) * 220, "y": (index // 40) * 140}
        if index % 2:
            nodes.append(
                {
                    "id": f"crm-{index}",
                    "type": INTEGRATION_TYPE,
                    "position": position,
                    "data": {
                        "name": f"CRM export {index}",
                        "endpoint": f"https://crm.example.com/hooks/{index}",
                        "api_key": f"sk-live-{index:06d}-4f9c2b7e1a",
                        "signing_secret": f"whsec-{index:06d}-8d3e0c",
                        "enabled": True,
                    },
                }
            )
            continue
        node_id = f"agent-{index}"
        nodes.append(
            {
                "id": node_id,
                "type": "agent",
                "position": position,
                "data": {
                    "name": f"Step {index}",
                    "prompt": f"Ask the caller about item {index} and confirm it.",
                    "tools": ["lookup_order"],
                    "allow_interrupt": True,
                },
            }
        )
        if previous_agent is not None:
            edges.append(
                {
                    "id": f"edge-{index}",
                    "source": previous_agent,
                    "target": node_id,
                    "data": {"label": "next", "condition": "the caller confirmed"},
                }
            )
        previous_agent = node_id
    definition = WorkflowDefinition.from_dict({"nodes": nodes, "edges": edges})
    return record_node_types(definition, host)


def client_copy(masked: WorkflowDefinition) -> WorkflowDefinition:
    """What a client sends back: the masked definition with some secrets replaced."""
    document = json.loads(masked.to_json())
    for position, node in enumerate(document["nodes"]):
        if node["type"] == INTEGRATION_TYPE and position % 20 == 1:
            node["data"]["api_key"] = f"sk-live-rotated-{position:06d}"
    return WorkflowDefinition.from_dict(document)


# -- the reference: deep-copy everything, then walk it ------------------------------

#: A definition as the reference takes it: the model, or its plain JSON form.
Definition = WorkflowDefinition | dict[str, Any]


def _nodes(definition: Definition) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each node's id, type and (mutable) data, from either form."""
    if isinstance(definition, WorkflowDefinition):
        return ((node.id, node.type, node.data) for node in definition.nodes)
    return ((node["id"], node["type"], node["data"]) for node in definition["nodes"])


def _recorded_fields(definition: Definition, type_name: str) -> tuple[str, ...]:
    """The secret fields the definition's ``node_types`` record names for ``type_name``."""
    if isinstance(definition, WorkflowDefinition):
        record = definition.node_types.get(type_name)
        return record.sensitive_fields if record is not None else ()
    found = definition.get("node_types", {}).get(type_name)
    return tuple(found.get("sensitive_fields", ())) if found else ()


def _secret_fields_of(host: PluginHost) -> Callable[[Definition, str], tuple[str, ...]]:
    """Per-type secret fields (registration plus the stored record), looked up once per type."""
    cache: dict[str, tuple[str, ...]] = {}

    def fields(definition: Definition, type_name: str) -> tuple[str, ...]:
        found = cache.get(type_name)
        if found is None:
            names = list(host.sensitive_fields(type_name))
            names += [n for n in _recorded_fields(definition, type_name) if n not in names]
            found = cache[type_name] = tuple(names)
        return found

    return fields


def _mask_one(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return mask_key(value) if value else value
    return FULL_MASK


def reference_mask(definition: Definition, host: PluginHost) -> Definition:
    """The obvious implementation: deep-copy the definition, mask secrets in place."""
    fields = _secret_fields_of(host)
    masked = copy.deepcopy(definition)
    for _node_id, node_type, data in _nodes(masked):
        for name in fields(masked, node_type):
            if name in data:
                value = data[name]
                data[name] = (
                    [_mask_one(item) for item in value]
                    if isinstance(value, list)
                    else _mask_one(value)
                )
    return masked


def reference_merge(
    incoming: Definition, stored: Definition, host: PluginHost
) -> tuple[Definition, list[tuple[str, str]]]:
    """The obvious implementation: deep-copy what came in, restore masked secrets in place."""
    fields = _secret_fields_of(host)
    merged = copy.deepcopy(incoming)
    stored_by_id = {node_id: (node_type, data) for node_id, node_type, data in _nodes(stored)}
    problems: list[tuple[str, str]] = []
    for node_id, node_type, data in _nodes(merged):
        twin_type, twin_data = stored_by_id.get(node_id, (None, {}))
        old = twin_data if twin_type == node_type else {}
        for name in fields(stored, node_type):
            if name not in data:
                continue
            value = data[name]
            if isinstance(value, list):
                kept = list(old.get(name) or [])
                restored = []
                for item in value:
                    match = next((s for s in kept if _mask_one(s) == item), None)
                    if not looks_masked(item):
                        restored.append(item)
                    elif match is not None:
                        kept.remove(match)
                        restored.append(match)
                    else:
                        problems.append((node_id, name))
                data[name] = restored
            elif looks_masked(value):
                secret = old.get(name)
                if isinstance(secret, str) and mask_key(secret) == value:
                    data[name] = secret
                else:
                    problems.append((node_id, name))
                    del data[name]
    return merged, problems


# -- timing ---------------------------------------------------------------------------


def _node_data(definition: Definition) -> list[dict[str, Any]]:
    return [data for _node_id, _node_type, data in _nodes(definition)]


def _check_same_work(
    host: PluginHost, stored: WorkflowDefinition, incoming: WorkflowDefinition
) -> None:
    """Refuse to time implementations that do not produce the same node data."""
    masked = _node_data(mask_definition(stored, host))
    for form in (stored, stored.to_dict()):
        if _node_data(reference_mask(form, host)) != masked:
            raise RuntimeError("reference_mask and mask_definition disagree")
    result = merge_definition(incoming, stored, host)
    expected = [
        {**data, "api_key": f"sk-live-rotated-{i:06d}"} if i % 20 == 1 else data
        for i, data in enumerate(_node_data(stored))
    ]
    if not result.ok or _node_data(result.definition) != expected:
        raise RuntimeError("merge_definition did not restore the stored secrets")
    forms: list[tuple[Definition, Definition]] = [
        (incoming, stored),
        (incoming.to_dict(), stored.to_dict()),
    ]
    for sent, kept in forms:
        merged, problems = reference_merge(sent, kept, host)
        if problems or _node_data(merged) != expected:
            raise RuntimeError("reference_merge and merge_definition disagree")


def _time_once(call: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def measure(size: int, runs: int, host: PluginHost) -> dict[str, Any]:
    """Time every call ``runs`` times, alternating the order every round.

    ``*_json`` is the reference over the definition's plain JSON form (dicts
    and lists, no models), whose deep copy is cheaper than the models'.
    """
    stored = stored_definition(size, host)
    incoming = client_copy(mask_definition(stored, host))
    _check_same_work(host, stored, incoming)
    stored_json, incoming_json = stored.to_dict(), incoming.to_dict()
    calls: dict[str, Callable[[], object]] = {
        "jackfield_mask": lambda: mask_definition(stored, host),
        "reference_mask": lambda: reference_mask(stored, host),
        "reference_mask_json": lambda: reference_mask(stored_json, host),
        "jackfield_merge": lambda: merge_definition(incoming, stored, host),
        "reference_merge": lambda: reference_merge(incoming, stored, host),
        "reference_merge_json": lambda: reference_merge(incoming_json, stored_json, host),
    }
    for call in calls.values():  # warm-up, not counted
        call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for round_ in range(runs):
        order = list(calls) if round_ % 2 == 0 else list(reversed(calls))
        for name in order:
            samples[name].append(_time_once(calls[name]))
    return {
        "integration_nodes": sum(1 for n in stored.nodes if n.type == INTEGRATION_TYPE),
        "edges": len(stored.edges),
        "samples": samples,
    }


def main() -> None:
    """Measure every size named on the command line and print the samples."""
    runs = int(sys.argv[1])
    sizes = [int(arg) for arg in sys.argv[2:]]
    host = make_host()
    report = {
        "python": platform.python_version(),
        "jackfield": version("jackfield"),
        "sizes": {str(size): measure(size, runs, host) for size in sizes},
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()

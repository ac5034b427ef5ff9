"""Plugin doubles for the plugin-host tests: node models, registrations, plugin objects.

Import it as a plain module (``import host_plugins``): pytest puts this folder
on ``sys.path``. Everything here builds fresh objects per call; nothing is
registered anywhere until a test registers it on its own host.
"""

from __future__ import annotations

from typing import Any

from jackfield import (
    BaseNodeData,
    NodeRegistration,
    build_spec,
    hookimpl,
    node_spec,
    spec_field,
)
from jackfield.host import PluginHost, PluginSettings

__all__ = [
    "NodesPlugin",
    "RaisingPlugin",
    "RoutersPlugin",
    "fresh_host",
    "make_model",
    "make_registration",
]


def make_model(
    type_name: str, *, example: dict[str, Any] | None = None, with_example: bool = True
) -> type[BaseNodeData]:
    """A lint-clean node model for ``type_name`` with a secret ``api_key`` field.

    ``with_example=False`` leaves out the example (a quality lint problem).
    """
    data = example if example is not None else {"name": "Export", "api_key": "sk-test-0001"}

    @node_spec(
        name=type_name,
        description=f"Sends each finished call to the {type_name} test service.",
        examples=[{"name": "Typical", "data": data}] if with_example else [],
    )
    class ExportNode(BaseNodeData):
        api_key: str = spec_field(description="API key of the receiving service.", min_length=4)
        retries: int = spec_field(default=2, ge=0, le=5, description="Delivery attempts.")

    ExportNode.__name__ = ExportNode.__qualname__ = f"{type_name.title()}Node"
    return ExportNode


def make_registration(
    type_name: str,
    *,
    sensitive_fields: tuple[str, ...] = ("api_key",),
    model: type[BaseNodeData] | None = None,
) -> NodeRegistration:
    """A valid registration of ``type_name`` (or of ``model``, under ``type_name``)."""
    model = model or make_model(type_name)
    return NodeRegistration(
        type_name=type_name,
        data_model=model,
        node_spec=build_spec(model),
        sensitive_fields=sensitive_fields,
    )


class NodesPlugin:
    """A plugin whose ``jackfield_register_nodes`` returns the given value."""

    def __init__(self, *registrations: Any, value: Any = None) -> None:
        self.value = list(registrations) if value is None else value

    @hookimpl
    def jackfield_register_nodes(self) -> Any:
        return self.value


class RaisingPlugin:
    """A plugin whose ``jackfield_register_nodes`` raises."""

    @hookimpl
    def jackfield_register_nodes(self) -> Any:
        raise RuntimeError("registry backend unavailable")


class RoutersPlugin:
    """A plugin with node types and routers (any objects stand in for routers here)."""

    def __init__(self, *registrations: NodeRegistration, routers: Any = None) -> None:
        self.registrations = list(registrations)
        self.routers = routers

    @hookimpl
    def jackfield_register_nodes(self) -> list[NodeRegistration]:
        return self.registrations

    @hookimpl
    def jackfield_routers(self) -> Any:
        if isinstance(self.routers, Exception):
            raise self.routers
        return self.routers


def fresh_host(*, strict: bool = False, builtins: bool = True, **settings: Any) -> PluginHost:
    """A host that never looks at installed plugins and ignores the environment."""
    return PluginHost(
        autoload=False,
        strict=strict,
        builtins=builtins,
        settings=PluginSettings(**settings),
    )

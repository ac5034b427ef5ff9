"""jackfield for host writers: the plugin host, the call orchestrators, workflows.

A host is what runs plugins: the reference server, a worker, a CLI, a test
harness. It creates a :class:`PluginHost`, validates and stores workflow
definitions (:func:`validate_workflow`, :func:`mask_definition`,
:func:`merge_definition`), prepares each live call (:func:`prepare_live_call`),
runs post-call completion (:func:`complete_call`) and checks a node's
configuration against its service (:func:`check_node`). Plugin authors need
none of this: their names are in :mod:`jackfield`.

A distribution that adds ``jackfield`` commands (the ``jackfield.cli``
entry-point group) gets their host from :func:`cli_host`, marks those that load
plugins with :func:`strict_option` and exits with an :class:`ExitCode`. These
four names import click, so they are imported on first use.
"""

from typing import TYPE_CHECKING, Any

from jackfield._calls._check import NodeCheck, check_node
from jackfield._calls._completion import CompletionOutcome, NodeOutcome, complete_call
from jackfield._calls._completion_context import read_completion_settings
from jackfield._calls._live import DEFAULT_FINISH_TIMEOUT_S, LiveCall, prepare_live_call
from jackfield._calls._scripted import ScriptedCall
from jackfield._host._dispatch import HookResult
from jackfield._host._names import (
    RESERVED_PLUGIN_NAMES,
    RESERVED_PLUGIN_PREFIX,
    is_reserved_plugin_name,
)
from jackfield._host._plugin_host import PluginHost, default_host
from jackfield._host._settings import PluginSettings
from jackfield._host._status import PluginInfo, PluginStatus
from jackfield._specs._conversation_nodes import AgentNodeData, EdgeData, EndNodeData, StartNodeData
from jackfield._specs._registration import NodeTypeRegistry
from jackfield._workflows._definition import (
    NodePosition,
    NodeTypeRecord,
    ValidationMode,
    WorkflowDefinition,
    WorkflowEdge,
    WorkflowNode,
    record_node_types,
)
from jackfield._workflows._secrets import (
    MASK_PREFIX,
    MergeResult,
    find_masked_values,
    looks_masked,
    mask_definition,
    mask_key,
    merge_definition,
)
from jackfield._workflows._type_index import PluginDirectory, PluginStatusInfo
from jackfield._workflows._validation import validate_workflow

if TYPE_CHECKING:
    from jackfield._cli._convention import ExitCode, HostFactory, cli_host, strict_option

#: The command-line names, imported on first use (they need click, the rest does not).
_CLI_NAMES = frozenset({"ExitCode", "HostFactory", "cli_host", "strict_option"})

__all__ = [
    "DEFAULT_FINISH_TIMEOUT_S",
    "MASK_PREFIX",
    "RESERVED_PLUGIN_NAMES",
    "RESERVED_PLUGIN_PREFIX",
    "AgentNodeData",
    "CompletionOutcome",
    "EdgeData",
    "EndNodeData",
    "ExitCode",
    "HookResult",
    "HostFactory",
    "LiveCall",
    "MergeResult",
    "NodeCheck",
    "NodeOutcome",
    "NodePosition",
    "NodeTypeRecord",
    "NodeTypeRegistry",
    "PluginDirectory",
    "PluginHost",
    "PluginInfo",
    "PluginSettings",
    "PluginStatus",
    "PluginStatusInfo",
    "ScriptedCall",
    "StartNodeData",
    "ValidationMode",
    "WorkflowDefinition",
    "WorkflowEdge",
    "WorkflowNode",
    "check_node",
    "cli_host",
    "complete_call",
    "default_host",
    "find_masked_values",
    "is_reserved_plugin_name",
    "looks_masked",
    "mask_definition",
    "mask_key",
    "merge_definition",
    "prepare_live_call",
    "read_completion_settings",
    "record_node_types",
    "strict_option",
    "validate_workflow",
]


if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        if name in _CLI_NAMES:
            from jackfield._cli import _convention

            return getattr(_convention, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

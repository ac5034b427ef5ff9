"""jackfield: the plugin host and contract for voice-AI call integrations.

Plugin authors import everything they need from here; modules whose names start
with an underscore are private and may change without notice.
"""

from jackfield._calls._completion import (
    COMPLETION_STATE_KEY,
    CompletionOutcome,
    NodeOutcome,
    NodeStatus,
    complete_call,
)
from jackfield._calls._completion_context import (
    DEFAULT_COMPLETION_TIMEOUT_S,
    CompletionContext,
    CompletionPhase,
    CompletionSettings,
    CredentialResolver,
    completion_settings,
    read_completion_settings,
)
from jackfield._calls._events import (
    BotTurn,
    CallEnded,
    CallEvent,
    CallObserver,
    CallStarted,
    CallTask,
    LatencyMetrics,
    ToolCall,
    UsageMetrics,
    UsageService,
    UserTurn,
    dump_call_events,
    parse_call_event,
    parse_call_events,
)
from jackfield._calls._live import DEFAULT_FINISH_TIMEOUT_S, LiveCall, prepare_live_call
from jackfield._calls._recorder import (
    CallRecorder,
    CallSnapshot,
    LatencyEntry,
    TranscriptEntry,
    UsageEntry,
)
from jackfield._calls._retry import RetryLater, retry_after_s
from jackfield._calls._runtime_context import (
    ContextMessagesProvider,
    RuntimeContext,
    RuntimeSession,
)
from jackfield._calls._scripted import ScriptedCall
from jackfield._errors import (
    ConfigError,
    DuplicateNameError,
    IncompatiblePluginError,
    JackfieldError,
    PluginError,
    PluginLoadError,
    RegistrationError,
    SpecError,
    UnknownNodeTypeError,
    WorkflowError,
    WorkflowProblem,
)
from jackfield._host._dispatch import HookResult
from jackfield._host._plugin_host import PluginHost, default_host
from jackfield._host._settings import PluginSettings
from jackfield._host._status import PluginInfo, PluginStatus
from jackfield._specs._build import build_spec
from jackfield._specs._conversation_nodes import AgentNodeData, EdgeData, EndNodeData, StartNodeData
from jackfield._specs._diff import SpecChange, SpecDiff, diff_specs
from jackfield._specs._display import display_options_cases, evaluate_display_options
from jackfield._specs._lint import SpecProblem, lint_catalog, lint_node_spec
from jackfield._specs._meta import node_spec, spec_field
from jackfield._specs._node_data import BaseNodeData
from jackfield._specs._node_spec import (
    SPEC_VERSION,
    DisplayOptions,
    GraphConstraints,
    NodeCategory,
    NodeExample,
    NodeSpec,
    PropertyOption,
    PropertySpec,
    PropertyType,
    RendererOptions,
)
from jackfield._specs._registration import NodeRegistration, NodeTypeRegistry
from jackfield._workflows._definition import (
    NodePosition,
    NodeTypeRecord,
    ValidationMode,
    WorkflowDefinition,
    WorkflowEdge,
    WorkflowNode,
    enabled_nodes,
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
from jackfield.hookspecs import hookimpl, hookspec

__all__ = [
    "COMPLETION_STATE_KEY",
    "DEFAULT_COMPLETION_TIMEOUT_S",
    "DEFAULT_FINISH_TIMEOUT_S",
    "MASK_PREFIX",
    "SPEC_VERSION",
    "AgentNodeData",
    "BaseNodeData",
    "BotTurn",
    "CallEnded",
    "CallEvent",
    "CallObserver",
    "CallRecorder",
    "CallSnapshot",
    "CallStarted",
    "CallTask",
    "CompletionContext",
    "CompletionOutcome",
    "CompletionPhase",
    "CompletionSettings",
    "ConfigError",
    "ContextMessagesProvider",
    "CredentialResolver",
    "DisplayOptions",
    "DuplicateNameError",
    "EdgeData",
    "EndNodeData",
    "GraphConstraints",
    "HookResult",
    "IncompatiblePluginError",
    "JackfieldError",
    "LatencyEntry",
    "LatencyMetrics",
    "LiveCall",
    "MergeResult",
    "NodeCategory",
    "NodeExample",
    "NodeOutcome",
    "NodePosition",
    "NodeRegistration",
    "NodeSpec",
    "NodeStatus",
    "NodeTypeRecord",
    "NodeTypeRegistry",
    "PluginDirectory",
    "PluginError",
    "PluginHost",
    "PluginInfo",
    "PluginLoadError",
    "PluginSettings",
    "PluginStatus",
    "PluginStatusInfo",
    "PropertyOption",
    "PropertySpec",
    "PropertyType",
    "RegistrationError",
    "RendererOptions",
    "RetryLater",
    "RuntimeContext",
    "RuntimeSession",
    "ScriptedCall",
    "SpecChange",
    "SpecDiff",
    "SpecError",
    "SpecProblem",
    "StartNodeData",
    "ToolCall",
    "TranscriptEntry",
    "UnknownNodeTypeError",
    "UsageEntry",
    "UsageMetrics",
    "UsageService",
    "UserTurn",
    "ValidationMode",
    "WorkflowDefinition",
    "WorkflowEdge",
    "WorkflowError",
    "WorkflowNode",
    "WorkflowProblem",
    "build_spec",
    "complete_call",
    "completion_settings",
    "default_host",
    "diff_specs",
    "display_options_cases",
    "dump_call_events",
    "enabled_nodes",
    "evaluate_display_options",
    "find_masked_values",
    "hookimpl",
    "hookspec",
    "lint_catalog",
    "lint_node_spec",
    "looks_masked",
    "mask_definition",
    "mask_key",
    "merge_definition",
    "node_spec",
    "parse_call_event",
    "parse_call_events",
    "prepare_live_call",
    "read_completion_settings",
    "record_node_types",
    "retry_after_s",
    "spec_field",
    "validate_workflow",
]

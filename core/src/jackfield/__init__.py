"""jackfield: the plugin contract for voice-AI call integrations.

Plugin authors import everything they need from here: node models and spec
helpers, the hook markers, node registration, call events, the runtime and
completion contexts, the retry signal, result helpers and the errors. Host
writers (a server, a worker, a test harness) also use :mod:`jackfield.host`.
Modules whose names start with an underscore are private and may change
without notice.
"""

from jackfield._calls._check import (
    DEFAULT_CHECK_TIMEOUT_S,
    CheckCode,
    CheckContext,
    CheckProblem,
    CheckResult,
)
from jackfield._calls._completion import COMPLETION_STATE_KEY, NodeStatus
from jackfield._calls._completion_context import (
    DEFAULT_COMPLETION_TIMEOUT_S,
    CallFacts,
    CompletionContext,
    CompletionPhase,
    CompletionSettings,
    CredentialResolver,
    completion_settings,
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
from jackfield._calls._nodes import PluginNode
from jackfield._calls._recorder import (
    CallRecorder,
    CallSnapshot,
    LatencyEntry,
    TranscriptEntry,
    UsageEntry,
)
from jackfield._calls._results import (
    ReasonCode,
    ResultStatus,
    delivered,
    duplicate,
    failed,
    sanitize_message,
    skipped,
)
from jackfield._calls._retry import RetryLater, retry_after_s
from jackfield._calls._runtime_context import (
    ContextMessagesProvider,
    RuntimeContext,
    RuntimeSession,
)
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
from jackfield._specs._build import build_spec
from jackfield._specs._diff import SpecChange, SpecDiff, diff_specs
from jackfield._specs._display import (
    display_options_cases,
    evaluate_display_options,
    evaluate_required_when,
    required_when_cases,
)
from jackfield._specs._lint import SpecProblem, lint_catalog, lint_node_spec
from jackfield._specs._meta import node_spec, spec_field
from jackfield._specs._node_data import BaseNodeData, IntegrationNodeData
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
    RequiredWhen,
)
from jackfield._specs._registration import NodeRegistration
from jackfield._workflows._definition import enabled_nodes
from jackfield.hookspecs import hookimpl, hookspec

__all__ = [
    "COMPLETION_STATE_KEY",
    "DEFAULT_CHECK_TIMEOUT_S",
    "DEFAULT_COMPLETION_TIMEOUT_S",
    "SPEC_VERSION",
    "BaseNodeData",
    "BotTurn",
    "CallEnded",
    "CallEvent",
    "CallFacts",
    "CallObserver",
    "CallRecorder",
    "CallSnapshot",
    "CallStarted",
    "CallTask",
    "CheckCode",
    "CheckContext",
    "CheckProblem",
    "CheckResult",
    "CompletionContext",
    "CompletionPhase",
    "CompletionSettings",
    "ConfigError",
    "ContextMessagesProvider",
    "CredentialResolver",
    "DisplayOptions",
    "DuplicateNameError",
    "GraphConstraints",
    "IncompatiblePluginError",
    "IntegrationNodeData",
    "JackfieldError",
    "LatencyEntry",
    "LatencyMetrics",
    "NodeCategory",
    "NodeExample",
    "NodeRegistration",
    "NodeSpec",
    "NodeStatus",
    "PluginError",
    "PluginLoadError",
    "PluginNode",
    "PropertyOption",
    "PropertySpec",
    "PropertyType",
    "ReasonCode",
    "RegistrationError",
    "RendererOptions",
    "RequiredWhen",
    "ResultStatus",
    "RetryLater",
    "RuntimeContext",
    "RuntimeSession",
    "SpecChange",
    "SpecDiff",
    "SpecError",
    "SpecProblem",
    "ToolCall",
    "TranscriptEntry",
    "UnknownNodeTypeError",
    "UsageEntry",
    "UsageMetrics",
    "UsageService",
    "UserTurn",
    "WorkflowError",
    "WorkflowProblem",
    "build_spec",
    "completion_settings",
    "delivered",
    "diff_specs",
    "display_options_cases",
    "dump_call_events",
    "duplicate",
    "enabled_nodes",
    "evaluate_display_options",
    "evaluate_required_when",
    "failed",
    "hookimpl",
    "hookspec",
    "lint_catalog",
    "lint_node_spec",
    "node_spec",
    "parse_call_event",
    "parse_call_events",
    "required_when_cases",
    "retry_after_s",
    "sanitize_message",
    "skipped",
    "spec_field",
]

"""jackfield-testing: fixtures and the contract suite for jackfield plugin authors.

Installing it registers a pytest plugin (fixtures ``jackfield_host``,
``jackfield_call``, ``jackfield_completion_context``,
``jackfield_recording_server``, ``jackfield_log_guard``). Subclass
:class:`PluginContract` to run every contract check against your plugin.
"""

from jackfield_testing._calls import (
    CallBuilder,
    complete,
    make_host,
    run_live_call,
    sample_call,
    workflow_with,
)
from jackfield_testing._contract import (
    ContractViolation,
    ExpectedRequest,
    PluginContract,
    contract_failure,
)
from jackfield_testing._discipline import DEFAULT_HEAVY_MODULES, ImportReport, check_import
from jackfield_testing._logs import SecretLeakError, SecretLogGuard
from jackfield_testing._server import RecordedRequest, RecordingServer, Reply

__all__ = [
    "DEFAULT_HEAVY_MODULES",
    "CallBuilder",
    "ContractViolation",
    "ExpectedRequest",
    "ImportReport",
    "PluginContract",
    "RecordedRequest",
    "RecordingServer",
    "Reply",
    "SecretLeakError",
    "SecretLogGuard",
    "check_import",
    "complete",
    "contract_failure",
    "make_host",
    "run_live_call",
    "sample_call",
    "workflow_with",
]

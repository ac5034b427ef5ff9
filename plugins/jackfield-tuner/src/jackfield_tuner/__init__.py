"""jackfield-tuner: send every finished call to Tuner for voice-agent observability.

The plugin itself is :mod:`jackfield_tuner.plugin` (the ``tuner`` entry point
in the ``jackfield.integrations`` group). This package re-exports the node
model and the pieces of the delivery that are useful on their own: the call
type rule, the payload builder and the cost calculation. Importing it does
not import httpx.
"""

from jackfield_tuner._completion import CALL_PATH, REQUEST_TIMEOUT_S, run_completion
from jackfield_tuner._cost import CallCost, compute_call_cost
from jackfield_tuner._node import DEFAULT_BASE_URL, TUNER_NODE_TYPE, TunerNode
from jackfield_tuner._payload import CallType, build_call_payload, call_type_of
from jackfield_tuner._runtime import SESSION_NAME, create_runtime_sessions, has_enabled_tuner_node

__all__ = [
    "CALL_PATH",
    "DEFAULT_BASE_URL",
    "REQUEST_TIMEOUT_S",
    "SESSION_NAME",
    "TUNER_NODE_TYPE",
    "CallCost",
    "CallType",
    "TunerNode",
    "build_call_payload",
    "call_type_of",
    "compute_call_cost",
    "create_runtime_sessions",
    "has_enabled_tuner_node",
    "run_completion",
]

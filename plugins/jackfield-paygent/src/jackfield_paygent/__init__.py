"""jackfield-paygent: meter finished calls in Paygent for usage-based billing.

The plugin itself is :mod:`jackfield_paygent.plugin` (the entry point); this
package re-exports the node model, the runtime session and the names of what
the plugin sends and records, for hosts and tests. Importing it does not import
an HTTP client.
"""

from jackfield_paygent._completion import (
    API_KEY_HEADER,
    IDEMPOTENCY_HEADER,
    PLUGIN_NAME,
    RETRYING_KEY,
    StepState,
)
from jackfield_paygent._node import (
    DEFAULT_BASE_URL,
    DEFAULT_INDICATOR,
    DEFAULT_TIMEOUT_S,
    PaygentNode,
)
from jackfield_paygent._runtime import REALTIME_KEY, PaygentRecorder
from jackfield_paygent._steps import STEP_PATHS, idempotency_key

__all__ = [
    "API_KEY_HEADER",
    "DEFAULT_BASE_URL",
    "DEFAULT_INDICATOR",
    "DEFAULT_TIMEOUT_S",
    "IDEMPOTENCY_HEADER",
    "PLUGIN_NAME",
    "REALTIME_KEY",
    "RETRYING_KEY",
    "STEP_PATHS",
    "PaygentNode",
    "PaygentRecorder",
    "StepState",
    "idempotency_key",
]

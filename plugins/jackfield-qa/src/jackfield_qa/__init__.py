"""jackfield-qa: an LLM reviews every finished call and scores each conversation step.

The plugin itself is :mod:`jackfield_qa.plugin` (the ``qa`` entry point in the
``jackfield.integrations`` group). This package re-exports the node model and
the parts of the review that are useful on their own: the skip rules, the
messages sent to the model and the validation of its answer. Importing it
does not import httpx.
"""

from jackfield_qa._completion import (
    CHAT_COMPLETIONS_PATH,
    REQUEST_TIMEOUT_S,
    TOP_LEVEL_KEYS,
    run_completion,
)
from jackfield_qa._node import DEFAULT_BASE_URL, DEFAULT_MODEL, DEFAULT_PROMPT, QA_NODE_TYPE, QANode
from jackfield_qa._output import (
    SCORE_MAX,
    SCORE_MIN,
    AnalysisOutputError,
    CallAnalysis,
    NodeAnalysis,
    parse_analysis,
)
from jackfield_qa._prompt import (
    CONVERSATION_NODE_TYPES,
    OUTPUT_INSTRUCTIONS,
    ConversationNode,
    build_messages,
    conversation_nodes,
    format_transcript,
)
from jackfield_qa._runtime import SESSION_NAME, create_runtime_sessions, has_enabled_qa_node
from jackfield_qa._skips import VOICEMAIL_DISPOSITIONS, is_sampled, sample_bucket, skip_reason

__all__ = [
    "CHAT_COMPLETIONS_PATH",
    "CONVERSATION_NODE_TYPES",
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "DEFAULT_PROMPT",
    "OUTPUT_INSTRUCTIONS",
    "QA_NODE_TYPE",
    "REQUEST_TIMEOUT_S",
    "SCORE_MAX",
    "SCORE_MIN",
    "SESSION_NAME",
    "TOP_LEVEL_KEYS",
    "VOICEMAIL_DISPOSITIONS",
    "AnalysisOutputError",
    "CallAnalysis",
    "ConversationNode",
    "NodeAnalysis",
    "QANode",
    "build_messages",
    "conversation_nodes",
    "create_runtime_sessions",
    "format_transcript",
    "has_enabled_qa_node",
    "is_sampled",
    "parse_analysis",
    "run_completion",
    "sample_bucket",
    "skip_reason",
]

"""What the reviewing model is sent: instructions, the workflow's steps and the transcript."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from jackfield import CallSnapshot, TranscriptEntry

__all__ = [
    "CONVERSATION_NODE_TYPES",
    "OUTPUT_INSTRUCTIONS",
    "ConversationNode",
    "build_messages",
    "conversation_nodes",
    "format_transcript",
]

#: The built-in node types whose steps the review scores.
CONVERSATION_NODE_TYPES: Final = ("start", "agent", "end")

#: Longest text kept of a tool's arguments or result, and of a step's instructions.
_TOOL_VALUE_MAX_CHARS: Final = 500
_STEP_PROMPT_MAX_CHARS: Final = 1500

#: The answer's shape, always appended to the node's prompt (see ``_output.CallAnalysis``).
OUTPUT_INSTRUCTIONS: Final = """\
Answer with a single JSON object and nothing else, shaped like this:
{
  "summary": "two or three sentences about the whole call",
  "nodes": {
    "<step id>": {
      "summary": "what happened during this step",
      "scores": {"<criterion>": <whole number from 1 to 5>},
      "tags": ["<tag>"]
    }
  }
}
Rules:
- "nodes" has one entry per step the conversation reached, keyed by the step ids listed in \
the user message; leave out steps it never reached and never invent ids.
- Scores are whole numbers from 1 (poor) to 5 (excellent); name criteria in snake_case.
- Tags are short lowercase labels such as "appointment-booked", at most 10 per step; use \
an empty list when nothing stands out."""


@dataclass(frozen=True, slots=True)
class ConversationNode:
    """One step of the conversation as the reviewer sees it.

    :param id: the node's id in the workflow definition (the key of its result).
    :param type: ``"start"``, ``"agent"`` or ``"end"``.
    :param name: the node's name in the editor.
    :param prompt: the agent's instructions for this step (may be empty).
    """

    id: str
    type: str
    name: str
    prompt: str


def _nodes_of(definition: Any) -> list[Any]:
    if definition is None:
        return []
    nodes = (
        definition.get("nodes")
        if isinstance(definition, Mapping)
        else getattr(definition, "nodes", None)
    )
    return list(nodes or ())


def conversation_nodes(definition: Any) -> list[ConversationNode]:
    """The ``start``, ``agent`` and ``end`` nodes of ``definition``, in definition order.

    ``definition`` is a :class:`~jackfield.host.WorkflowDefinition`, its JSON form,
    or ``None`` (no nodes).
    """
    found: list[ConversationNode] = []
    for node in _nodes_of(definition):
        if isinstance(node, Mapping):
            node_id, node_type, data = node.get("id"), node.get("type"), node.get("data")
        else:
            node_id = getattr(node, "id", None)
            node_type, data = getattr(node, "type", None), getattr(node, "data", None)
        if node_type not in CONVERSATION_NODE_TYPES or not isinstance(node_id, str):
            continue
        data = data if isinstance(data, Mapping) else {}
        name, prompt = data.get("name"), data.get("prompt")
        found.append(
            ConversationNode(
                id=node_id,
                type=str(node_type),
                name=name if isinstance(name, str) else node_id,
                prompt=prompt if isinstance(prompt, str) else "",
            )
        )
    return found


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_text(value: Any) -> str:
    return _shorten(json.dumps(value, ensure_ascii=False, default=str), _TOOL_VALUE_MAX_CHARS)


def _clock(moment: datetime | None, origin: datetime | None) -> str:
    if moment is None or origin is None:
        return ""
    seconds = max(0, int((moment - origin).total_seconds()))
    return f"[{seconds // 60:02d}:{seconds % 60:02d}] "


def _line(entry: TranscriptEntry, origin: datetime | None) -> str | None:
    if entry.role == "tool":
        arguments, result = _json_text(entry.arguments or {}), _json_text(entry.result)
        return f"(tool {entry.name or '?'} called with {arguments}; result: {result})"
    text = (entry.text or "").strip()
    if not text:
        return None
    speaker = "Caller" if entry.role == "user" else "Agent"
    cut = " [interrupted by the caller]" if entry.interrupted else ""
    return f"{_clock(entry.started_at, origin)}{speaker}: {text}{cut}"


def format_transcript(call: CallSnapshot) -> str:
    """The call as plain text, one line per turn or tool call.

    Speech turns read ``[mm:ss] Caller: ...`` / ``[mm:ss] Agent: ...`` (time
    from the start of the call, when known); tool calls read ``(tool name
    called with {...}; result: ...)``, their arguments and results cut to 500
    characters.
    """
    origin = call.started_at
    if origin is None:
        origin = next((e.started_at for e in call.transcript if e.started_at), None)
    lines = [_line(entry, origin) for entry in call.transcript]
    return "\n".join(line for line in lines if line is not None)


def _steps_text(nodes: list[ConversationNode]) -> str:
    if not nodes:
        return '(the workflow lists no steps; return an empty "nodes" object)'
    lines = []
    for node in nodes:
        lines.append(f'- id "{node.id}": {node.type} step "{node.name}"')
        if node.prompt.strip():
            lines.append(f"  instructions: {_shorten(node.prompt.strip(), _STEP_PROMPT_MAX_CHARS)}")
    return "\n".join(lines)


def build_messages(
    prompt: str,
    call: CallSnapshot,
    nodes: list[ConversationNode],
    *,
    disposition: str | None = None,
    duration_s: float | None = None,
) -> list[dict[str, str]]:
    """The chat messages of one review: a system message and a user message.

    The system message is the node's ``prompt`` followed by
    :data:`OUTPUT_INSTRUCTIONS`, so a custom prompt cannot change the shape of
    the answer. The user message lists the workflow's steps (id, type, name,
    instructions), how the call ended and how long it took, then the
    transcript (see :func:`format_transcript`).
    """
    facts = [f"disposition: {disposition or 'unknown'}"]
    if duration_s is not None:
        facts.append(f"duration: {duration_s:g} s")
    user = (
        "Steps of the workflow the agent followed:\n"
        f"{_steps_text(nodes)}\n\n"
        f"The call: {', '.join(facts)}.\n\n"
        "Transcript (times from the start of the call):\n"
        f"{format_transcript(call)}"
    )
    return [
        {"role": "system", "content": f"{prompt.strip()}\n\n{OUTPUT_INSTRUCTIONS}"},
        {"role": "user", "content": user},
    ]

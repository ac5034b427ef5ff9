"""The variables a payload template can use, from a completed run or from sample data.

Every variable listed in :data:`TEMPLATE_VARIABLES` is always defined: ``null``
(or ``{}`` for the context and result objects) when the host has no value for
it. So a missing variable, the one a template reports, is a name that does not
exist: a typo, or a key the call did not gather.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any, Final

from jackfield import CompletionContext

__all__ = ["TEMPLATE_VARIABLES", "build_render_context", "sample_render_context"]

#: Every top-level template variable, with what it holds.
TEMPLATE_VARIABLES: Final[Mapping[str, str]] = {
    "run": "the run: id, name, created_at",
    "workflow": "the workflow: id, name, definition_id (the pinned definition)",
    "campaign_id": "the campaign the run belongs to, or null",
    "organization_id": "the organization that owns the run, or null",
    "call_time": "when the call started (ISO 8601), or null",
    "call_disposition": "how the call ended (gathered_context.disposition), or null",
    "initial_context": "the context the run started with (object)",
    "gathered_context": "what the call gathered: disposition, duration_s and the agent's fields",
    "usage": "the run's usage, as the host records it (object)",
    "cost": "the run's cost, as the host records it (object)",
    "annotations": "results of earlier completion phases by plugin: qa, tuner, paygent...",
    "recording_url": "public URL of the call recording, or null",
    "transcript_url": "public URL of the transcript, or null",
}

# Variables that are objects: absent or null ones become {}, so a dotted path
# into them reports the full missing path.
_OBJECTS: Final = ("initial_context", "gathered_context", "usage", "cost")


def _json_default(value: Any) -> str:
    """Dates and times as ISO 8601, anything else that is not JSON as its string."""
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _plain_json(value: Any) -> Any:
    """``value`` as plain JSON data (dates and other objects become strings)."""
    return json.loads(json.dumps(value, default=_json_default))


def _object(value: Any) -> Any:
    return {} if value is None else value


def _finish(variables: dict[str, Any]) -> dict[str, Any]:
    """Fill the object defaults and derive ``call_disposition`` if it is not given."""
    for name in _OBJECTS:
        variables[name] = _object(variables.get(name))
    if variables.get("call_disposition") is None:
        gathered = variables["gathered_context"]
        variables["call_disposition"] = (
            gathered.get("disposition") if isinstance(gathered, Mapping) else None
        )
    return variables


def build_render_context(context: CompletionContext) -> dict[str, Any]:
    """The template variables of a completed run (plain JSON; see :data:`TEMPLATE_VARIABLES`).

    Read from ``context.workflow_run`` (its conventional keys, each of which
    may be missing), ``context.annotations`` and ``context.public_url``.
    """
    run = context.workflow_run if isinstance(context.workflow_run, Mapping) else {}
    variables = {
        "run": {
            "id": run.get("id") or context.workflow_run_id,
            "name": run.get("name"),
            "created_at": run.get("created_at"),
        },
        "workflow": {
            "id": run.get("workflow_id"),
            "name": run.get("workflow_name"),
            "definition_id": context.definition_id,
        },
        "campaign_id": run.get("campaign_id"),
        "organization_id": context.organization_id,
        "call_time": run.get("created_at"),
        "call_disposition": None,
        "initial_context": run.get("initial_context"),
        "gathered_context": run.get("gathered_context"),
        "usage": run.get("usage"),
        "cost": run.get("cost"),
        "annotations": dict(context.annotations),
        "recording_url": context.public_url("recording"),
        "transcript_url": context.public_url("transcript"),
    }
    return _finish(_plain_json(variables))


def sample_render_context(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Plausible template variables for a test delivery, before any real call.

    :param overrides: top-level variables to use instead of the samples (for
        example ``{"gathered_context": {"disposition": "voicemail"}}``);
        ``call_disposition`` follows the gathered context unless given too.
    """
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    variables: dict[str, Any] = {
        "run": {"id": "run_sample", "name": "Sample call", "created_at": now},
        "workflow": {
            "id": "wf_sample",
            "name": "Sample workflow",
            "definition_id": "def_sample",
        },
        "campaign_id": "cmp_sample",
        "organization_id": "org_sample",
        "call_time": now,
        "call_disposition": None,
        "initial_context": {"phone_number": "+15550100"},
        "gathered_context": {
            "disposition": "completed",
            "duration_s": 42.0,
            "customer_name": "Sam Sample",
        },
        "usage": {"llm": {"prompt_tokens": 1200, "completion_tokens": 300}},
        "cost": {"total_usd": 0.05},
        "annotations": {
            "qa": {"summary": "The caller booked a check-up.", "score": 4, "tags": ["booking"]}
        },
        "recording_url": "https://calls.example.com/public/runs/sample/recording",
        "transcript_url": "https://calls.example.com/public/runs/sample/transcript",
    }
    variables.update(_plain_json(dict(overrides or {})))
    return _finish(variables)

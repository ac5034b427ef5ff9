"""Which calls are not reviewed, and why: voicemail, too short, or left out by sampling."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Final

from jackfield import CallSnapshot
from jackfield_qa._node import QANode

__all__ = [
    "VOICEMAIL_DISPOSITIONS",
    "call_disposition",
    "call_duration_s",
    "is_sampled",
    "sample_bucket",
    "skip_reason",
]

#: Dispositions (compared in lower case) that mean the call reached a voicemail box.
VOICEMAIL_DISPOSITIONS: Final = frozenset(
    {"voicemail", "voicemail_detected", "answering_machine", "machine_detected"}
)


def sample_bucket(workflow_run_id: str) -> int:
    """The run's sampling bucket, 0 to 99, from a SHA-256 hash of its id.

    The same run id always lands in the same bucket, so a retried completion
    makes the same sampling decision; different runs spread evenly.
    """
    digest = hashlib.sha256(workflow_run_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 100


def is_sampled(workflow_run_id: str, sample_rate: int) -> bool:
    """Whether the run is among the ``sample_rate`` percent of runs reviewed (1 to 100)."""
    return sample_bucket(workflow_run_id) < sample_rate


def _gathered_context(workflow_run: Any) -> Mapping[str, Any]:
    gathered = workflow_run.get("gathered_context") if isinstance(workflow_run, Mapping) else None
    return gathered if isinstance(gathered, Mapping) else {}


def call_duration_s(call: CallSnapshot, workflow_run: Any = None) -> float | None:
    """The call's duration in seconds: the recorder's, else the run's ``gathered_context``'s."""
    if call.duration_s is not None:
        return call.duration_s
    value = _gathered_context(workflow_run).get("duration_s")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def call_disposition(call: CallSnapshot, workflow_run: Any = None) -> str | None:
    """How the call ended: the recorder's disposition, else the run's ``gathered_context``'s."""
    if call.disposition:
        return call.disposition
    value = _gathered_context(workflow_run).get("disposition")
    return value if isinstance(value, str) and value else None


def skip_reason(
    settings: QANode, call: CallSnapshot, *, workflow_run_id: str, workflow_run: Any = None
) -> dict[str, Any] | None:
    """The skipped result for a call the node must not review, or ``None`` to review it.

    Checked in this order, the first that applies wins:

    - ``voicemail``: the disposition is a voicemail one and ``analyse_voicemail`` is off;
    - ``call_too_short``: the duration is known and below ``min_duration_s``;
    - ``not_sampled``: the run falls outside ``sample_rate`` (see :func:`is_sampled`);
    - ``empty_transcript``: nobody said anything, so there is nothing to review.

    A call whose duration is unknown is not skipped for being short.
    """
    disposition = call_disposition(call, workflow_run)
    if (
        not settings.analyse_voicemail
        and disposition is not None
        and disposition.strip().lower() in VOICEMAIL_DISPOSITIONS
    ):
        return {"status": "skipped", "reason": "voicemail", "disposition": disposition}
    duration = call_duration_s(call, workflow_run)
    if duration is not None and duration < settings.min_duration_s:
        return {
            "status": "skipped",
            "reason": "call_too_short",
            "duration_s": duration,
            "min_duration_s": settings.min_duration_s,
        }
    if not is_sampled(workflow_run_id, settings.sample_rate):
        return {"status": "skipped", "reason": "not_sampled", "sample_rate": settings.sample_rate}
    if not any(entry.role != "tool" and (entry.text or "").strip() for entry in call.transcript):
        return {"status": "skipped", "reason": "empty_transcript"}
    return None

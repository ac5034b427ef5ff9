"""The live-call side: record usage and timing, and whether the call was realtime."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from jackfield import CallRecorder, RuntimeContext, enabled_nodes

__all__ = ["REALTIME_KEY", "PaygentRecorder", "has_enabled_paygent_node"]

#: The snapshot key holding :attr:`jackfield.RuntimeContext.is_realtime`.
REALTIME_KEY: Final = "is_realtime"

_NODE_TYPE: Final = "paygent"


class PaygentRecorder(CallRecorder):
    """A :class:`~jackfield.CallRecorder` for billing: usage and timing, no transcript.

    Paygent bills from usage totals and the call's duration, so the transcript
    and latency are not recorded. The snapshot is the recorder's (see
    :class:`~jackfield.CallSnapshot`) plus ``"is_realtime"``: whether the call
    ran on a speech-to-speech model, which decides between the separate
    STT/LLM/TTS usage events and the speech-to-speech one.

    :param is_realtime: the call's :attr:`RuntimeContext.is_realtime`.
    """

    def __init__(self, *, is_realtime: bool) -> None:
        super().__init__("paygent", transcript=False, latency=False, usage=True)
        self._is_realtime = is_realtime

    async def on_call_finished(self, *, gathered_context: Mapping[str, Any]) -> dict[str, Any]:
        """Return the recorder's snapshot with ``"is_realtime"`` added."""
        snapshot = await super().on_call_finished(gathered_context=gathered_context)
        snapshot[REALTIME_KEY] = self._is_realtime
        return snapshot


def has_enabled_paygent_node(context: RuntimeContext) -> bool:
    """Whether the workflow about to run holds a Paygent node that is not switched off."""
    return bool(enabled_nodes(context.workflow_graph, _NODE_TYPE))

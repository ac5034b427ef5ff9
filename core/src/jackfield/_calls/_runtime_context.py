"""What a plugin is handed on the live path: :class:`RuntimeContext` and :class:`RuntimeSession`.

The host calls ``jackfield_create_runtime_sessions(context)`` with a
:class:`RuntimeContext` before the call starts; each returned
:class:`RuntimeSession` is attached to the :class:`~jackfield.CallTask`, watches
the call's events, and at call end returns a compact JSON snapshot from
``on_call_finished``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from jackfield._calls._events import CallTask

if TYPE_CHECKING:
    from jackfield._calls._nodes import PluginNode
    from jackfield._workflows._definition import WorkflowDefinition


__all__ = ["ContextMessagesProvider", "RuntimeContext", "RuntimeSession"]


#: Returns the LLM context messages of the call so far (``[{"role": ..., "content": ...}]``).
ContextMessagesProvider = Callable[[], Sequence[Mapping[str, Any]]]


_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _no_messages() -> Sequence[Mapping[str, Any]]:
    return ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeContext:
    """What ``jackfield_create_runtime_sessions(context)`` receives before a call starts.

    :param workflow_run_id: the host's identifier of this run of the workflow.
    :param workflow_run: the host's record of the run; opaque to jackfield.
    :param workflow_graph: the validated workflow definition being run (its
        ``nodes`` are what a plugin scans for enabled nodes of its types).
    :param run_definition: the host's run-time settings for this call (telephony,
        voice...), opaque to jackfield.
    :param user_config: the calling user's or organization's configuration.
    :param is_realtime: whether the call uses a speech-to-speech realtime model
        (no separate STT/LLM/TTS stages, so fewer usage and latency events).
    :param context_messages_provider: call it for the LLM context messages of
        the conversation so far; cheap, and safe to call from an observer.
    :param nodes: this plugin's own enabled nodes whose data validates, as
        :class:`~jackfield.PluginNode` items (``node.data`` is the validated
        model), in workflow order. Set by the host for each plugin it asks;
        empty in a context the host has not handed to a plugin yet.
    """

    workflow_run_id: str
    workflow_run: Any = None
    workflow_graph: WorkflowDefinition | None = None
    run_definition: Any = None
    user_config: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    is_realtime: bool = False
    context_messages_provider: ContextMessagesProvider = _no_messages
    nodes: tuple[PluginNode, ...] = ()


@runtime_checkable
class RuntimeSession(Protocol):
    """One plugin's collector for one call.

    The host calls :meth:`attach` once, before the call starts, and
    :meth:`on_call_finished` once, after it ends. Between the two the session's
    observers see the call's events; keep the work there light (no network I/O)
    and keep state on the session object, never at module level.
    """

    @property
    def name(self) -> str:
        """A short name for the session, used in logs (``"usage-collector"``)."""
        ...

    def attach(self, task: CallTask) -> None:
        """Add this session's observers to ``task`` with ``task.add_observer(...)``."""
        ...

    async def on_call_finished(
        self, *, gathered_context: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Return a compact, JSON-serialisable snapshot of the call, or ``None``.

        :param gathered_context: what the host gathered at call end (for example
            ``{"disposition": "completed", "duration_s": 42.0}``).
        :return: the snapshot, persisted with the run under this plugin's name
            and handed back to the plugin's completion handler as
            ``context.runtime_snapshot``; ``None`` when there is nothing to keep.
        """
        ...

"""What a plugin is handed at each stage of a call's life, and what it hands back.

- Live call: the host calls ``jackfield_create_runtime_sessions(context)`` with a
  :class:`RuntimeContext` before the call starts; each returned
  :class:`RuntimeSession` is attached to the :class:`~jackfield.CallTask`, watches
  the call's events, and at call end returns a compact JSON snapshot from
  ``on_call_finished``.
- After the call, in a worker: ``jackfield_run_completion(nodes, context)`` gets
  the plugin's own workflow nodes and a :class:`CompletionContext` holding that
  snapshot. A plugin declares when its completion runs (a
  :class:`CompletionPhase`) and how long it may take with
  :func:`completion_settings`; it raises :class:`RetryLater` for transient failures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, runtime_checkable

from jackfield._calls._events import CallTask
from jackfield._errors import PluginError

if TYPE_CHECKING:
    from jackfield._workflows._definition import WorkflowDefinition

__all__ = [
    "DEFAULT_COMPLETION_TIMEOUT_S",
    "CompletionContext",
    "CompletionPhase",
    "CompletionSettings",
    "ContextMessagesProvider",
    "CredentialResolver",
    "RetryLater",
    "RuntimeContext",
    "RuntimeSession",
    "completion_settings",
    "read_completion_settings",
    "retry_after_s",
]

#: Time limit of a completion handler unless its plugin or the host sets another.
DEFAULT_COMPLETION_TIMEOUT_S: Final = 30.0

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
    """

    workflow_run_id: str
    workflow_run: Any = None
    workflow_graph: WorkflowDefinition | None = None
    run_definition: Any = None
    user_config: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    is_realtime: bool = False
    context_messages_provider: ContextMessagesProvider = _no_messages


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


#: The host's credential store as a completion handler sees it: credential
#: reference in, HTTP headers out (``None`` when the reference is unknown).
CredentialResolver = Callable[[str], Mapping[str, str] | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class CompletionContext:
    """What ``jackfield_run_completion(nodes, context)`` receives after a call.

    Completion runs in a separate worker, maybe in another process and maybe
    more than once (retries): do not rely on anything from the live call except
    :attr:`runtime_snapshot`.

    :param workflow_run_id: the host's identifier of the run.
    :param workflow_run: the host's record of the run. Hosts pass a mapping;
        these keys are conventional and every one may be missing: ``id``,
        ``name``, ``workflow_id``, ``workflow_name``, ``campaign_id``,
        ``created_at`` (ISO 8601), ``initial_context``, ``gathered_context``
        (with ``disposition`` and ``duration_s``), ``usage``, ``cost``.
    :param workflow_definition: the definition the run was pinned to.
    :param definition_id: identifier of that pinned definition.
    :param organization_id: the organization that owns the run, if the host has any.
    :param public_token: a token for building public, durable URLs to the run's
        artifacts (recordings, transcripts); ``None`` if the host has none.
    :param public_base_url: where the host serves public artifacts by token
        (``https://calls.example.com/api/v1/public/runs``); ``None`` if it does
        not. Use :meth:`public_url` rather than joining these yourself.
    :param credentials: the host's credential store, or ``None``: called with a
        credential reference a node holds (for example ``"cred_42"``), it returns
        the HTTP headers that credential stands for, or ``None`` if the
        reference is unknown. Secrets reach a plugin only this way, at send time.
    :param runtime_snapshot: what this plugin's runtime sessions returned at call
        end (``None`` if nothing); never another plugin's.
    :param annotations: the run's annotations as of the start of this plugin's
        phase: results of earlier phases (a notification handler sees the QA and
        delivery results). Read-only.
    :param attempt: 1 on the first run of this plugin's completion, then 2, 3...
    """

    workflow_run_id: str
    workflow_run: Any = None
    workflow_definition: WorkflowDefinition | None = None
    definition_id: str | None = None
    organization_id: str | None = None
    public_token: str | None = None
    public_base_url: str | None = None
    credentials: CredentialResolver | None = None
    runtime_snapshot: Mapping[str, Any] | None = None
    annotations: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    attempt: int = 1

    def public_url(self, artifact: str) -> str | None:
        """Return the durable public URL of one of the run's artifacts, or ``None``.

        :param artifact: ``"recording"`` or ``"transcript"``.
        :return: ``{public_base_url}/{public_token}/{artifact}``, or ``None`` when
            the host gave no token or no base URL.
        """
        if not self.public_token or not self.public_base_url:
            return None
        return f"{self.public_base_url.rstrip('/')}/{self.public_token}/{artifact}"


class CompletionPhase(StrEnum):
    """When a plugin's completion handler runs. Phases run in this order.

    Within a phase plugins run concurrently; each phase sees the annotations of
    the phases before it.
    """

    ANALYSIS = "analysis"
    """Work on the call itself, whose results others deliver (QA scoring, tagging)."""
    DELIVERY = "delivery"
    """The default: send the call's data out (observability exports, billing, CRM)."""
    NOTIFICATION = "notification"
    """Tell someone the call is done, with everything above (webhooks)."""

    @property
    def order(self) -> int:
        """0, 1 or 2: the position of this phase in a completion run."""
        return _PHASE_ORDER[self]


_PHASE_ORDER: Final = {phase: index for index, phase in enumerate(CompletionPhase)}


@dataclass(frozen=True, slots=True, kw_only=True)
class CompletionSettings:
    """How a plugin's completion handler is scheduled.

    :param phase: when it runs (default :attr:`CompletionPhase.DELIVERY`).
    :param timeout_s: how long one attempt may take before it counts as failed
        (default 30 s; a host may override it per plugin).
    :param max_attempts: how many attempts a node gets, counting the first,
        before a :class:`RetryLater` is no longer honoured and the node is failed
        as dead-lettered.
    :param retry_base_delay_s: the delay before the second attempt when
        :class:`RetryLater` names none; it doubles with each further attempt.
    """

    phase: CompletionPhase = CompletionPhase.DELIVERY
    timeout_s: float = DEFAULT_COMPLETION_TIMEOUT_S
    max_attempts: int = 5
    retry_base_delay_s: float = 30.0

    def __post_init__(self) -> None:
        if not isinstance(self.phase, CompletionPhase):
            raise TypeError(
                f"CompletionSettings.phase must be a CompletionPhase, not {self.phase!r}"
            )
        if self.timeout_s <= 0:
            raise ValueError("CompletionSettings.timeout_s must be positive")
        if self.max_attempts < 1:
            raise ValueError("CompletionSettings.max_attempts must be at least 1")
        if self.retry_base_delay_s < 0:
            raise ValueError("CompletionSettings.retry_base_delay_s must not be negative")


_SETTINGS_ATTR: Final = "__jackfield_completion_settings__"
_DEFAULT_SETTINGS: Final = CompletionSettings()

_F = TypeVar("_F", bound=Callable[..., Any])


def completion_settings(
    *,
    phase: CompletionPhase = CompletionPhase.DELIVERY,
    timeout_s: float = DEFAULT_COMPLETION_TIMEOUT_S,
    max_attempts: int = 5,
    retry_base_delay_s: float = 30.0,
) -> Callable[[_F], _F]:
    """Declare the phase and limits of a plugin's completion handler.

    Put it on the ``jackfield_run_completion`` implementation, above or below
    ``@hookimpl``; the function itself is returned unchanged::

        @hookimpl
        @completion_settings(phase=CompletionPhase.NOTIFICATION, timeout_s=10)
        async def jackfield_run_completion(nodes, context):
            ...

    A handler without it runs in the delivery phase with a 30 s limit. Bad
    values raise at import time, so a mistake shows up when the plugin loads.
    """
    settings = CompletionSettings(
        phase=phase,
        timeout_s=timeout_s,
        max_attempts=max_attempts,
        retry_base_delay_s=retry_base_delay_s,
    )

    def mark(function: _F) -> _F:
        setattr(function, _SETTINGS_ATTR, settings)
        return function

    return mark


def read_completion_settings(
    plugin: object, *, plugin_name: str | None = None
) -> CompletionSettings:
    """Return the :class:`CompletionSettings` a plugin declared, or the defaults.

    ``plugin`` is the plugin object (module or instance) or its
    ``jackfield_run_completion`` function itself.

    :raises PluginError: if the declared settings are not a ``CompletionSettings``.
    """
    handler = getattr(plugin, "jackfield_run_completion", plugin)
    settings = getattr(handler, _SETTINGS_ATTR, _DEFAULT_SETTINGS)
    if not isinstance(settings, CompletionSettings):
        name = plugin_name or str(getattr(plugin, "__name__", type(plugin).__name__))
        raise PluginError(
            "jackfield_run_completion carries completion settings that are not a "
            "CompletionSettings; declare them with @completion_settings(...)",
            plugin=name,
        )
    return settings


def retry_after_s(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to an HTTP ``Retry-After`` header value, if usable.

    Accepts both forms of the header (delay-seconds and an HTTP date) and gives
    ``None`` for a missing or unreadable value, so a handler can write
    ``RetryLater("rate limited", delay_s=retry_after_s(response.headers.get("Retry-After")))``.

    :param now: the current time, for a date value (default: the clock, UTC).
    """
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryLater(Exception):
    """Raised by a completion handler when a failure is transient (a 503, a rate limit).

    The orchestrator records the nodes it was given as due for a retry instead of
    failed, and the host's queue runs the completion again later; nodes already
    delivered are not passed again. After the plugin's ``max_attempts`` the nodes
    are failed as dead-lettered.

    A handler that delivered some nodes and must retry others returns a result
    in which the value of each node to retry is a ``RetryLater`` instance
    instead of raising.

    :param message: why, for the log (never a secret).
    :param delay_s: the earliest sensible retry, in seconds (for example from a
        ``Retry-After`` header); ``None`` lets the orchestrator back off
        exponentially from the plugin's ``retry_base_delay_s``.
    """

    def __init__(self, message: str = "", *, delay_s: float | None = None) -> None:
        super().__init__(message)
        if delay_s is not None and delay_s < 0:
            raise ValueError("RetryLater.delay_s must not be negative")
        self.delay_s = delay_s

"""What a completion handler is handed after the call, and how it is scheduled.

In a worker, ``jackfield_run_completion(nodes, context)`` gets the plugin's own
workflow nodes and a :class:`CompletionContext` holding the live path's
snapshot. A plugin declares when its completion runs (a :class:`CompletionPhase`)
and how long it may take with :func:`completion_settings`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from jackfield._errors import PluginError

if TYPE_CHECKING:
    from jackfield._workflows._definition import WorkflowDefinition


_EMPTY: Mapping[str, Any] = MappingProxyType({})

__all__ = [
    "DEFAULT_COMPLETION_TIMEOUT_S",
    "CallFacts",
    "CompletionContext",
    "CompletionPhase",
    "CompletionSettings",
    "CredentialResolver",
    "completion_settings",
    "read_completion_settings",
]


#: Time limit of a completion handler unless its plugin or the host sets another.
DEFAULT_COMPLETION_TIMEOUT_S: Final = 30.0


#: The host's credential store as a completion handler sees it: credential
#: reference in, HTTP headers out (``None`` when the reference is unknown).
CredentialResolver = Callable[[str], Mapping[str, str] | None]


class CallFacts(BaseModel):
    """What the host gathered about the call at its end, typed.

    :param call_id: the call's id at the telephony provider or media pipeline, if known.
    :param disposition: how the call ended (``"completed"``, ``"no_answer"``...).
    :param duration_s: how long the call lasted, in seconds.
    :param extra: everything else the host recorded, as it recorded it.
    """

    model_config = ConfigDict(frozen=True)

    call_id: str | None = None
    disposition: str | None = None
    duration_s: float | None = Field(default=None, ge=0)
    extra: Mapping[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_mapping(cls, gathered: Any) -> CallFacts:
        """Read a host's gathered-context dict; unreadable known keys go to ``extra``."""
        if not isinstance(gathered, Mapping):
            return cls()
        known: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in gathered.items():
            if key == "call_id" and isinstance(value, str | int) and not isinstance(value, bool):
                known[key] = str(value)
            elif key == "disposition" and isinstance(value, str):
                known[key] = value
            elif (
                key == "duration_s"
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                and value >= 0
            ):
                known[key] = float(value)
            else:
                extra[str(key)] = value
        return cls(**known, extra=MappingProxyType(extra))


_NO_FACTS: Final = CallFacts()


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
    :param attempt: 1 on the first attempt at this plugin's nodes, then 2, 3...:
        one more than the most attempts any of the nodes passed now has had,
        counted from the node states the host passes back (so also across
        worker restarts).
    :param max_attempts: the plugin's ``max_attempts``: on that attempt a
        ``RetryLater`` is no longer honoured (the node is dead-lettered).
    :param previous_results: this plugin's own results from earlier attempts
        (its annotations as stored), empty on a first attempt. Read-only.
    :param call: the typed :class:`CallFacts` (disposition, duration, call id,
        and the rest in ``extra``); read from ``workflow_run["gathered_context"]``
        unless the host passes it.
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
    max_attempts: int = 5
    previous_results: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    call: CallFacts = _NO_FACTS

    @property
    def is_final_attempt(self) -> bool:
        """Whether this is the last attempt: a ``RetryLater`` now dead-letters the node."""
        return self.attempt >= self.max_attempts

    @property
    def gathered_context(self) -> Mapping[str, Any]:
        """The untyped gathered context (``workflow_run["gathered_context"]``), as before."""
        run = self.workflow_run
        gathered = run.get("gathered_context") if isinstance(run, Mapping) else None
        return gathered if isinstance(gathered, Mapping) else _EMPTY

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
    :param typed_nodes: the handler is written against the second edition: a
        node whose data no longer validates is recorded by the host as failed
        (``invalid_config``, naming the fields) and never reaches the handler.
        Without it such a node is still passed, with ``data=None`` and its
        ``problems``, as first-edition handlers validate for themselves.
    """

    phase: CompletionPhase = CompletionPhase.DELIVERY
    timeout_s: float = DEFAULT_COMPLETION_TIMEOUT_S
    max_attempts: int = 5
    retry_base_delay_s: float = 30.0
    typed_nodes: bool = False

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
    typed_nodes: bool = False,
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
        typed_nodes=typed_nodes,
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

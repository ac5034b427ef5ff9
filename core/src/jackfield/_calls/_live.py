"""The live call path: runtime sessions from creation to the call-end snapshot.

A host drives one call like this::

    live = prepare_live_call(host, context)    # asks plugins for sessions
    live.attach(task)                          # before the call starts
    ...                                        # the call runs; sessions observe it
    logs = await live.finish({"disposition": "completed"})
    # persist ``logs`` with the run: {plugin: {"snapshot": ..., "errors": [...]}}

Every step is confined per plugin: a plugin that raises while creating
sessions, attaching, observing an event or finishing, that takes longer than
the time limit to finish, or whose snapshot is not JSON, gets an entry in its
own ``errors`` list and a log record with the traceback; the call and the
other plugins go on. No exception from a plugin reaches the caller.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from jackfield._calls._events import CallEvent, CallObserver, CallTask
from jackfield._calls._json import json_copy
from jackfield._calls._nodes import PluginNode, validate_node
from jackfield._calls._runtime_context import RuntimeContext, RuntimeSession
from jackfield._host._plugin_host import PluginHost
from jackfield._workflows._definition import enabled_nodes

__all__ = ["DEFAULT_FINISH_TIMEOUT_S", "LiveCall", "prepare_live_call"]

#: How long one session's ``on_call_finished`` may take unless the host says otherwise.
DEFAULT_FINISH_TIMEOUT_S: Final = 10.0

_CREATE_HOOK: Final = "jackfield_create_runtime_sessions"

_log = logging.getLogger("jackfield.live")


def _session_name(session: object) -> str:
    """The session's ``name``, or its class name if reading it fails."""
    try:
        name = session.name  # type: ignore[attr-defined]
    except Exception:
        return type(session).__name__
    return name if isinstance(name, str) and name else type(session).__name__


def _error(stage: str, exc: BaseException, **extra: Any) -> dict[str, Any]:
    """A log entry for a failure: the stage and the exception type, never its message."""
    return {"stage": stage, "type": type(exc).__name__, **extra}


@dataclass
class _ObserveFailures:
    """Failures of one session's observers; only the first is logged in full."""

    plugin: str
    session: str
    counts: dict[str, int] = field(default_factory=dict)

    def __call__(self, event: CallEvent, exc: Exception) -> None:
        kind = type(exc).__name__
        if not self.counts:
            _log.error(
                "plugin %r session %r: observer raised on a %s event; the call goes on",
                self.plugin,
                self.session,
                event.kind,
                exc_info=exc,
            )
        self.counts[kind] = self.counts.get(kind, 0) + 1


class _GuardedObserver:
    """Wraps an observer callback for tasks that cannot guard observers themselves."""

    __slots__ = ("_on_error", "_on_event")

    def __init__(self, on_event: Callable[[CallEvent], None], on_error: _ObserveFailures) -> None:
        self._on_event = on_event
        self._on_error = on_error

    def on_event(self, event: CallEvent) -> None:
        """Pass the event on; record an exception instead of raising it."""
        try:
            self._on_event(event)
        except Exception as exc:
            self._on_error(event, exc)


class _GuardedTask:
    """The task as one session sees it: every observer it adds is guarded."""

    __slots__ = ("_failures", "_task")

    def __init__(self, task: CallTask, failures: _ObserveFailures) -> None:
        self._task = task
        self._failures = failures

    def add_observer(self, observer: CallObserver) -> None:
        """Add ``observer`` to the real task so that its exceptions never reach the call."""
        on_event = getattr(observer, "on_event", None)
        if not callable(on_event):
            raise TypeError(f"{type(observer).__name__} has no on_event(event) method")
        add_guarded = getattr(self._task, "add_guarded_observer", None)
        if add_guarded is not None:
            add_guarded(on_event, self._failures)
        else:
            self._task.add_observer(_GuardedObserver(on_event, self._failures))


@dataclass
class _PluginSessions:
    """What one plugin contributed to one call."""

    sessions: list[tuple[RuntimeSession, _ObserveFailures]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


class LiveCall:
    """The runtime sessions of one call; made by :func:`prepare_live_call`.

    Call :meth:`attach` once with the call's task before the call starts and
    :meth:`finish` once after it ends.
    """

    def __init__(self, plugins: Mapping[str, _PluginSessions]) -> None:
        self._plugins = dict(plugins)
        self._attached = False
        self._finished = False

    @property
    def plugins(self) -> tuple[str, ...]:
        """Names of the plugins that were asked for sessions, sorted."""
        return tuple(sorted(self._plugins))

    @property
    def session_count(self) -> int:
        """How many sessions are live (created and, after :meth:`attach`, attached)."""
        return sum(len(p.sessions) for p in self._plugins.values())

    def attach(self, task: CallTask) -> None:
        """Attach every session to ``task``; a session whose ``attach`` raises is dropped."""
        if self._attached:
            raise RuntimeError("LiveCall.attach was already called")
        self._attached = True
        for plugin, contribution in self._plugins.items():
            kept = []
            for session, failures in contribution.sessions:
                try:
                    session.attach(_GuardedTask(task, failures))
                except Exception as exc:
                    _log.error(
                        "plugin %r session %r: attach raised; the session is dropped",
                        plugin,
                        failures.session,
                        exc_info=exc,
                    )
                    contribution.errors.append(_error("attach", exc, session=failures.session))
                else:
                    kept.append((session, failures))
            contribution.sessions = kept

    async def finish(
        self,
        gathered_context: Mapping[str, Any] | None = None,
        *,
        timeout_s: float = DEFAULT_FINISH_TIMEOUT_S,
    ) -> dict[str, Any]:
        """Finish every session concurrently and return the integration logs.

        :param gathered_context: what the host gathered at call end, passed to
            each session's ``on_call_finished``.
        :param timeout_s: the time limit of each session's ``on_call_finished``.
        :return: ``{plugin: {"snapshot": dict | None, "errors": [...]}}`` for each
            plugin that was asked for sessions (``errors`` only when there were
            any), plain JSON, ready to persist with the run. Snapshots of several
            sessions of one plugin are merged into one dict.
        """
        if self._finished:
            raise RuntimeError("LiveCall.finish was already called")
        self._finished = True
        context = dict(gathered_context or {})
        jobs = [
            (plugin, failures.session, _finish_one(session, context, timeout_s))
            for plugin, contribution in self._plugins.items()
            for session, failures in contribution.sessions
        ]
        outcomes = await asyncio.gather(*(job for _, _, job in jobs), return_exceptions=True)
        snapshots: dict[str, dict[str, Any] | None] = dict.fromkeys(self._plugins)
        for (plugin, session, _), outcome in zip(jobs, outcomes, strict=True):
            errors = self._plugins[plugin].errors
            if isinstance(outcome, BaseException):
                _record_finish_failure(plugin, session, outcome, timeout_s, errors)
            elif outcome is not None:
                snapshots[plugin] = _merge(plugin, session, snapshots[plugin], outcome, errors)
        logs: dict[str, Any] = {}
        for plugin, contribution in sorted(self._plugins.items()):
            for failures in (f for _, f in contribution.sessions):
                for kind, count in sorted(failures.counts.items()):
                    contribution.errors.append(
                        {
                            "stage": "observe",
                            "session": failures.session,
                            "type": kind,
                            "count": count,
                        }
                    )
            entry: dict[str, Any] = {"snapshot": snapshots[plugin]}
            if contribution.errors:
                entry["errors"] = contribution.errors
            logs[plugin] = entry
        return logs


async def _finish_one(
    session: RuntimeSession, context: dict[str, Any], timeout_s: float
) -> dict[str, Any] | None:
    """Await one session's snapshot within the time limit; check that it is JSON."""
    finish = session.on_call_finished
    if inspect.iscoroutinefunction(finish):
        snapshot = await asyncio.wait_for(finish(gathered_context=context), timeout_s)
    else:
        result = await asyncio.wait_for(
            asyncio.to_thread(finish, gathered_context=context), timeout_s
        )
        snapshot = (
            await asyncio.wait_for(result, timeout_s) if inspect.isawaitable(result) else result
        )
    if snapshot is None:
        return None
    if not isinstance(snapshot, Mapping):
        raise _BadSnapshot(f"on_call_finished returned a {type(snapshot).__name__}, not a dict")
    try:
        copied: dict[str, Any] = json_copy(dict(snapshot))
    except (TypeError, ValueError, RecursionError) as exc:
        raise _BadSnapshot("the snapshot is not JSON-serialisable") from exc
    return copied


class _BadSnapshot(Exception):
    """A session returned something that cannot be persisted."""


def _record_finish_failure(
    plugin: str, session: str, exc: BaseException, timeout_s: float, errors: list[dict[str, Any]]
) -> None:
    if isinstance(exc, TimeoutError):
        _log.error(
            "plugin %r session %r: on_call_finished took over %ss", plugin, session, timeout_s
        )
        errors.append(
            {"stage": "finish", "session": session, "type": "timeout", "timeout_s": timeout_s}
        )
    elif isinstance(exc, _BadSnapshot):
        _log.error("plugin %r session %r: %s", plugin, session, exc, exc_info=exc.__cause__)
        cause = exc.__cause__
        errors.append(
            {
                "stage": "snapshot",
                "session": session,
                "type": type(cause).__name__ if cause else "invalid_snapshot",
                "error": "snapshot_not_json",
            }
        )
    elif isinstance(exc, Exception):
        _log.error("plugin %r session %r: on_call_finished raised", plugin, session, exc_info=exc)
        errors.append(_error("finish", exc, session=session))
    else:  # KeyboardInterrupt, SystemExit, CancelledError: not the plugin's to swallow
        raise exc


def _merge(
    plugin: str,
    session: str,
    merged: dict[str, Any] | None,
    snapshot: dict[str, Any],
    errors: list[dict[str, Any]],
) -> dict[str, Any]:
    """Merge one session's snapshot into its plugin's; clashing keys are errors, first wins."""
    if merged is None:
        return snapshot
    clashes = sorted(set(merged) & set(snapshot))
    if clashes:
        _log.error(
            "plugin %r session %r: snapshot keys clash with another session", plugin, session
        )
        errors.append(
            {"stage": "snapshot", "session": session, "type": "key_clash", "keys": clashes}
        )
    return {**snapshot, **merged}


def prepare_live_call(host: PluginHost, context: RuntimeContext) -> LiveCall:
    """Ask the plugins that have enabled nodes in ``context.workflow_graph`` for sessions.

    Only plugins owning at least one enabled node of the workflow and
    implementing ``jackfield_create_runtime_sessions`` are asked; each is asked
    once. A plugin that raises, or returns something that is not a list of
    sessions, gets an error entry and no session.

    :param host: the :class:`~jackfield.host.PluginHost` whose plugins are asked.
    :param context: the call about to start.
    """
    wanted = _plugins_with_enabled_nodes(host, context.workflow_graph)
    contributions: dict[str, _PluginSessions] = {}
    for plugin in sorted(set(wanted) & set(host.plugins_implementing(_CREATE_HOOK))):
        contribution = contributions[plugin] = _PluginSessions()
        own = replace(context, nodes=_valid_nodes(plugin, wanted[plugin]))
        try:
            returned = host.call_plugin(plugin, _CREATE_HOOK, context=own)
            sessions = _check_sessions(returned)
        except Exception as exc:
            _log.error("plugin %r: creating runtime sessions failed", plugin, exc_info=exc)
            contribution.errors.append(_error("create", exc))
            continue
        names_seen: set[str] = set()
        for session in sessions:
            name = _session_name(session)
            if name in names_seen:
                name = f"{name}#{len(names_seen)}"
            names_seen.add(name)
            contribution.sessions.append((session, _ObserveFailures(plugin, name)))
    return LiveCall(contributions)


def _plugins_with_enabled_nodes(
    host: PluginHost, workflow_graph: Any
) -> dict[str, list[PluginNode]]:
    """Each plugin owning an enabled node, with those nodes validated (valid or not)."""
    owners: dict[str, list[PluginNode]] = {}
    for node in enabled_nodes(workflow_graph):
        owner = host.plugin_for_node_type(str(node.get("type", "")))
        if owner is not None:
            owners.setdefault(owner, []).append(validate_node(host, owner, json_copy(node)))
    return owners


def _valid_nodes(plugin: str, nodes: list[PluginNode]) -> tuple[PluginNode, ...]:
    for node in nodes:
        if node.problems:
            _log.warning(
                "plugin %r node %r: data no longer validates (%s); not in context.nodes",
                plugin,
                node.id,
                ", ".join(p["field"] for p in node.problems),
                extra={"plugin": plugin, "node_id": node.id},
            )
    return tuple(node for node in nodes if not node.problems)


def _check_sessions(returned: Any) -> Sequence[RuntimeSession]:
    """Check a plugin's return value is a list of sessions (``None`` meaning none)."""
    if returned is None:
        return ()
    if isinstance(returned, str | bytes | Mapping) or not isinstance(returned, Sequence):
        raise TypeError(
            f"{_CREATE_HOOK} returned a {type(returned).__name__}, not a list of sessions"
        )
    for item in returned:
        if not isinstance(item, RuntimeSession):
            raise TypeError(
                f"{_CREATE_HOOK} returned a {type(item).__name__}, which lacks "
                "name, attach(task) or on_call_finished(*, gathered_context)"
            )
    return returned

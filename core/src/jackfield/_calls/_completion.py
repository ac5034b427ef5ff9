"""Post-call completion: run each plugin's ``jackfield_run_completion`` after a call.

:func:`complete_call` is one completion job, run by a worker after the call:

1. Each node of the pinned definition is matched to its plugin. Nodes of a
   plugin that is disabled, failed or not installed are recorded as skipped,
   naming the plugin (from the definition's ``node_types`` record); disabled
   nodes (``"enabled": false`` in their data) are skipped too. Every other
   node is validated with its type's registered model and handed over as a
   :class:`~jackfield.PluginNode`; one that no longer validates is recorded as
   failed (``invalid_config``) for a handler declaring ``typed_nodes=True``.
2. If any node is left to handle, the public token is asked for, once.
3. Plugins run by :class:`~jackfield.CompletionPhase` (analysis, delivery,
   notification); within a phase concurrently, ``async`` handlers on the loop
   and plain ones in threads, each within its time limit. Each phase's results
   are merged into the annotations before the next phase starts.
4. Failures stay in their plugin: ``{"error": "completion_handler_failed",
   "type": "ValueError"}`` under its name (the traceback goes to the log).

The returned :class:`CompletionOutcome` says, per node, what is final
(``delivered``, ``skipped``, ``failed``) and what should be retried and when.
The annotations it returns carry that state under :data:`COMPLETION_STATE_KEY`;
given them back as ``previous_annotations``, a re-run calls only the plugins and
nodes that are not final, so a retried job never delivers twice.
"""

from __future__ import annotations

import inspect
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from jackfield._calls._completion_context import (
    CallFacts,
    CompletionContext,
    CompletionPhase,
    CompletionSettings,
    CredentialResolver,
    read_completion_settings,
)
from jackfield._calls._json import json_copy
from jackfield._calls._nodes import PluginNode, validate_node
from jackfield._calls._results import ReasonCode, ResultStatus, failed, sanitize_message
from jackfield._calls._retry import RetryLater
from jackfield._errors import PluginError
from jackfield._host._dispatch import HookResult
from jackfield._host._plugin_host import PluginHost
from jackfield._workflows._definition import (
    WorkflowDefinition,
    node_is_enabled,
    recorded_plugin,
    workflow_nodes,
)

__all__ = [
    "COMPLETION_STATE_KEY",
    "MAX_RETRY_DELAY_S",
    "CompletionOutcome",
    "NodeOutcome",
    "NodeStatus",
    "PublicTokenProvider",
    "complete_call",
]

#: The annotations key under which jackfield keeps the completion state of each
#: node and plugin. No plugin may be called this (the dot keeps it apart).
COMPLETION_STATE_KEY: Final = "jackfield.completion"

#: The longest delay :func:`complete_call` asks for between two attempts.
MAX_RETRY_DELAY_S: Final = 3600.0

_HOOK: Final = "jackfield_run_completion"

#: Returns the run's public token (or ``None``); may be a coroutine function.
PublicTokenProvider = Callable[[], "str | Awaitable[str | None] | None"]

_log = logging.getLogger("jackfield.completion")


class NodeStatus(StrEnum):
    """Where one node stands after a completion run."""

    DELIVERED = "delivered"
    """Final: its plugin's handler handled it."""
    SKIPPED = "skipped"
    """Final: not handled, on purpose (node disabled; plugin disabled or missing)."""
    FAILED = "failed"
    """Final: the handler failed, timed out, or ran out of attempts (dead-lettered)."""
    RETRY = "retry"
    """Not final: run the completion again after ``retry_in_s``."""

    @property
    def is_final(self) -> bool:
        """Whether a re-run leaves this node alone."""
        return self is not NodeStatus.RETRY


@dataclass(frozen=True, slots=True)
class NodeOutcome:
    """The state of one node after a completion run.

    :param node_id: the node's id in the definition.
    :param node_type: the node's type.
    :param plugin: the plugin that owns the type (``None`` if nobody knows).
    :param status: see :class:`NodeStatus`.
    :param attempts: how many times the node was passed to a handler, in all runs.
    :param reason: why a node was skipped or failed (``"node_disabled"``,
        ``"plugin_disabled"``, ``"plugin_not_installed"``, ``"handler_failed"``,
        ``"timeout"``, ``"dead_lettered"``...), or what the handler reported.
    :param retry_in_s: for ``retry``: seconds until the next attempt.
    :param message: a short, sanitised explanation: the ``RetryLater`` message
        (kept when the node is dead-lettered), the message of a ``failed(...)``
        result, or the invalid fields of an ``invalid_config`` node. URLs in it
        carry no credentials or query values, and no secret of the node.
    """

    node_id: str
    node_type: str
    plugin: str | None
    status: NodeStatus
    attempts: int = 0
    reason: str | None = None
    retry_in_s: float | None = None
    message: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The state as stored in the annotations (``None`` fields left out)."""
        data: dict[str, Any] = {
            "type": self.node_type,
            "plugin": self.plugin,
            "status": self.status.value,
            "attempts": self.attempts,
        }
        if self.reason is not None:
            data["reason"] = self.reason
        if self.retry_in_s is not None:
            data["retry_in_s"] = self.retry_in_s
        if self.message is not None:
            data["message"] = self.message
        return data

    @classmethod
    def from_json_dict(cls, node_id: str, data: Mapping[str, Any]) -> NodeOutcome | None:
        """Read a stored state back; ``None`` if it is not one (a hand-edited record)."""
        try:
            return cls(
                node_id=node_id,
                node_type=str(data["type"]),
                plugin=data.get("plugin"),
                status=NodeStatus(data["status"]),
                attempts=int(data.get("attempts", 0)),
                reason=data.get("reason"),
                retry_in_s=data.get("retry_in_s"),
                message=data.get("message") if isinstance(data.get("message"), str) else None,
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True, slots=True)
class CompletionOutcome:
    """The result of one :func:`complete_call`.

    :param annotations: the run's annotations to persist (plain JSON): each
        plugin's results under its name, and the node states under
        :data:`COMPLETION_STATE_KEY`. Pass them back as ``previous_annotations``
        when re-running.
    :param nodes: the state of every node that has completion work, by node id.
    :param called: the plugins whose handler ran in this run, in phase order.
    """

    annotations: dict[str, Any]
    nodes: Mapping[str, NodeOutcome]
    called: tuple[str, ...]

    @property
    def done(self) -> bool:
        """``True`` when every node is final: no re-run is needed."""
        return all(node.status.is_final for node in self.nodes.values())

    @property
    def retry_in_s(self) -> float | None:
        """Seconds until the earliest retry is due, or ``None`` if :attr:`done`."""
        delays = [n.retry_in_s or 0.0 for n in self.nodes.values() if not n.status.is_final]
        return min(delays) if delays else None

    def plugin_nodes(self, plugin: str) -> dict[str, NodeOutcome]:
        """The states of ``plugin``'s nodes, by node id."""
        return {i: n for i, n in self.nodes.items() if n.plugin == plugin}

    @property
    def plugin_usage(self) -> dict[str, dict[str, Any]]:
        """What each plugin's completion itself consumed, by plugin name.

        A handler that spends billable resources (an LLM call, say) reports
        them under a top-level ``"usage"`` key of its result; hosts add these
        to the run's usage. Results without one are left out.
        """
        return {
            plugin: dict(result["usage"])
            for plugin, result in self.annotations.items()
            if plugin != COMPLETION_STATE_KEY
            and isinstance(result, Mapping)
            and isinstance(result.get("usage"), Mapping)
        }


@dataclass
class _Work:
    """One plugin's share of a completion run."""

    plugin: str
    settings: CompletionSettings
    nodes: list[PluginNode]
    secrets: list[str]
    """The secret values of all of its nodes: kept out of every message."""


def _previous_states(previous: Mapping[str, Any]) -> dict[str, NodeOutcome]:
    state = previous.get(COMPLETION_STATE_KEY)
    stored = state.get("nodes") if isinstance(state, Mapping) else None
    if not isinstance(stored, Mapping):
        return {}
    states = {}
    for node_id, data in stored.items():
        outcome = (
            NodeOutcome.from_json_dict(str(node_id), data) if isinstance(data, Mapping) else None
        )
        if outcome is not None:
            states[str(node_id)] = outcome
    return states


def _unavailable_reason(host: PluginHost, plugin: str | None) -> str:
    """Why a node type has no loaded plugin: the named plugin's status, if known."""
    if plugin is None:
        return "no_plugin_for_node_type"
    status = host.plugin_status(plugin)
    if status is None:
        return "plugin_not_installed"
    return f"plugin_{status}"


def _secret_values(host: PluginHost, node: Mapping[str, Any]) -> tuple[str, ...]:
    """The values of a node's secret fields, to keep out of messages."""
    data = node.get("data")
    if not isinstance(data, Mapping):
        return ()
    values: list[str] = []
    for name in host.sensitive_fields(str(node.get("type", ""))):
        value = data.get(name)
        items = value if isinstance(value, list | tuple) else [value]
        values.extend(v for v in items if isinstance(v, str) and v)
    return tuple(values)


def _problems_message(node: PluginNode) -> str:
    fields = ", ".join(f"{p['field']} ({p['type']})" for p in node.problems)
    return sanitize_message(f"invalid fields: {fields}")


def _plan(
    host: PluginHost, definition: Any, previous: dict[str, NodeOutcome]
) -> tuple[dict[str, NodeOutcome], dict[str, _Work], dict[str, str], dict[str, dict[str, Any]]]:
    """Match nodes to plugins: the states decided now, the work to do, plugin skips,
    and the results the host records itself (invalid nodes of typed handlers)."""
    implementers = set(host.plugins_implementing(_HOOK))
    recorded: dict[str, dict[str, Any]] = {}
    states: dict[str, NodeOutcome] = {}
    work: dict[str, _Work] = {}
    skipped_plugins: dict[str, str] = {}
    settings_of: dict[str, CompletionSettings | PluginError] = {}
    for node in workflow_nodes(definition):
        node_id, node_type = str(node.get("id", "")), str(node.get("type", ""))
        before = previous.get(node_id)
        if before is not None and before.status.is_final:
            states[node_id] = before
            continue
        attempts = before.attempts if before else 0
        plugin = host.plugin_for_node_type(node_type)
        if plugin is None:
            plugin = recorded_plugin(definition, node_type)
            reason = _unavailable_reason(host, plugin)
            if plugin is not None:
                skipped_plugins[plugin] = reason
            states[node_id] = NodeOutcome(
                node_id, node_type, plugin, NodeStatus.SKIPPED, attempts, reason
            )
            continue
        if plugin not in implementers:
            continue
        if not node_is_enabled(node):
            states[node_id] = NodeOutcome(
                node_id, node_type, plugin, NodeStatus.SKIPPED, attempts, "node_disabled"
            )
            continue
        if plugin not in settings_of:
            try:
                function = host.hook_function(plugin, _HOOK)
                settings_of[plugin] = read_completion_settings(function, plugin_name=plugin)
            except PluginError as exc:
                _log.error("%s", exc)
                settings_of[plugin] = exc
        settings = settings_of[plugin]
        if isinstance(settings, PluginError):
            states[node_id] = NodeOutcome(
                node_id, node_type, plugin, NodeStatus.FAILED, attempts, "invalid_settings"
            )
            continue
        item = validate_node(host, plugin, json_copy(node))
        if item.problems and settings.typed_nodes:
            _log.error(
                "plugin %r node %r: data no longer validates (%s)",
                plugin,
                node_id,
                ", ".join(p["field"] for p in item.problems),
                extra={"plugin": plugin, "node_id": node_id},
            )
            reason = ReasonCode.INVALID_CONFIG.value
            recorded.setdefault(plugin, {})[node_id] = failed(
                reason, problems=[dict(p) for p in item.problems]
            )
            states[node_id] = NodeOutcome(
                node_id,
                node_type,
                plugin,
                NodeStatus.FAILED,
                attempts,
                reason,
                message=_problems_message(item),
            )
            continue
        share = work.setdefault(plugin, _Work(plugin, settings, [], []))
        share.nodes.append(item)
        share.secrets.extend(_secret_values(host, node))
        states[node_id] = NodeOutcome(node_id, node_type, plugin, NodeStatus.RETRY, attempts)
    return states, work, skipped_plugins, recorded


def _retry_or_dead_letter(state: NodeOutcome, work: _Work, retry: RetryLater) -> NodeOutcome:
    """A node whose attempt asked for a retry: due again later, or out of attempts.

    The retry's message, sanitised, is kept in the state and logged once.
    """
    settings = work.settings
    attempts = state.attempts + 1
    message = sanitize_message(retry, work.secrets) or None
    final = attempts >= settings.max_attempts
    delay = retry.delay_s
    if delay is None:
        delay = settings.retry_base_delay_s * 2 ** (attempts - 1)
    delay = min(delay, MAX_RETRY_DELAY_S)
    _log.warning(
        "completion retry: plugin=%s node=%s attempt=%d/%d %s reason=%r",
        work.plugin,
        state.node_id,
        attempts,
        settings.max_attempts,
        "dead_lettered" if final else f"retry_in_s={delay:g}",
        message or "",
        extra={
            "plugin": work.plugin,
            "node_id": state.node_id,
            "attempt": attempts,
            "max_attempts": settings.max_attempts,
            "retry_in_s": None if final else delay,
            "reason": message,
        },
    )
    if final:
        return _replace(state, NodeStatus.FAILED, attempts, "dead_lettered", message=message)
    return _replace(
        state, NodeStatus.RETRY, attempts, "retry_later", retry_in_s=delay, message=message
    )


def _replace(
    state: NodeOutcome,
    status: NodeStatus,
    attempts: int,
    reason: str | None,
    *,
    retry_in_s: float | None = None,
    message: str | None = None,
) -> NodeOutcome:
    return NodeOutcome(
        state.node_id, state.node_type, state.plugin, status, attempts, reason, retry_in_s, message
    )


def _node_status(value: Any) -> tuple[NodeStatus, str | None, str | None]:
    """A handler's per-node value, as the result helpers write it: status, reason, message.

    ``skipped`` and ``failed`` are final non-deliveries; ``duplicate`` is a
    delivery (reason ``duplicate``); anything else (``delivered``, a plain dict
    without a status) counts as delivered.
    """
    if isinstance(value, Mapping):
        status = value.get("status")
        if status in (ResultStatus.SKIPPED.value, ResultStatus.FAILED.value):
            reason = value.get("reason")
            message = value.get("message")
            return (
                NodeStatus(status),
                str(reason) if isinstance(reason, str) else ReasonCode.HANDLER_REPORTED.value,
                sanitize_message(message) if isinstance(message, str) and message else None,
            )
        if status == ResultStatus.DUPLICATE.value:
            return NodeStatus.DELIVERED, ReasonCode.DUPLICATE.value, None
    return NodeStatus.DELIVERED, None, None


class _Run:
    """The mutable state of one :func:`complete_call`."""

    def __init__(self, annotations: dict[str, Any], states: dict[str, NodeOutcome]) -> None:
        self.annotations = annotations
        self.states = states

    def fail_all(self, work: _Work, reason: str, annotation: dict[str, Any]) -> None:
        self.annotations[work.plugin] = annotation
        for node in work.nodes:
            state = self.states[node.id]
            self.states[state.node_id] = _replace(
                state, NodeStatus.FAILED, state.attempts + 1, reason
            )

    def record(self, work: _Work, result: HookResult[Any], limit_s: float) -> None:
        """Fold one plugin's handler result into the annotations and node states."""
        plugin, error = work.plugin, result.error
        if isinstance(error, RetryLater):
            for node in work.nodes:
                state = self.states[node.id]
                self.states[state.node_id] = _retry_or_dead_letter(state, work, error)
            return
        if isinstance(error, TimeoutError) and result.duration_ms >= limit_s * 1000.0:
            _log.error("plugin %r: completion took longer than %ss", plugin, limit_s)
            annotation = {"error": "completion_handler_timeout", "timeout_s": limit_s}
            self.fail_all(work, "timeout", annotation)
            return
        if error is not None:
            _log.error("plugin %r: completion handler raised", plugin, exc_info=error)
            annotation = {"error": "completion_handler_failed", "type": type(error).__name__}
            self.fail_all(work, "handler_failed", annotation)
            return
        self._record_value(work, result.value)

    def _record_value(self, work: _Work, value: Any) -> None:
        plugin = work.plugin
        if value is None:
            value = {}
        retries = {}
        try:
            if not isinstance(value, Mapping):
                raise TypeError(f"returned a {type(value).__name__}, not a dict")
            retries = {k: v for k, v in value.items() if isinstance(v, RetryLater)}
            data = json_copy({k: v for k, v in value.items() if k not in retries})
        except (TypeError, ValueError, RecursionError) as exc:
            _log.error("plugin %r: completion result is not a JSON object", plugin, exc_info=exc)
            annotation = {"error": "completion_result_invalid", "type": type(exc).__name__}
            self.fail_all(work, "invalid_result", annotation)
            return
        previous = self.annotations.get(plugin)
        kept = dict(previous) if isinstance(previous, Mapping) and "error" not in previous else {}
        self.annotations[plugin] = {**kept, **data}
        for node in work.nodes:
            state = self.states[node.id]
            if state.node_id in retries:
                retry = retries[state.node_id]
                self.states[state.node_id] = _retry_or_dead_letter(state, work, retry)
                continue
            status, reason, message = _node_status(data.get(state.node_id))
            if message is not None:
                message = sanitize_message(message, work.secrets)
            self.states[state.node_id] = _replace(
                state, status, state.attempts + 1, reason, message=message
            )


async def _token(provider: PublicTokenProvider | str | None) -> str | None:
    if provider is None or isinstance(provider, str):
        return provider
    token = provider()
    if inspect.isawaitable(token):
        token = await token
    return token


def _phases(work: Mapping[str, _Work]) -> list[list[_Work]]:
    by_phase: dict[CompletionPhase, list[_Work]] = defaultdict(list)
    for item in work.values():
        by_phase[item.settings.phase].append(item)
    return [sorted(by_phase[p], key=lambda w: w.plugin) for p in CompletionPhase if p in by_phase]


async def complete_call(
    host: PluginHost,
    *,
    workflow_run_id: str,
    workflow_definition: WorkflowDefinition | Mapping[str, Any],
    workflow_run: Any = None,
    definition_id: str | None = None,
    organization_id: str | None = None,
    integration_logs: Mapping[str, Any] | None = None,
    previous_annotations: Mapping[str, Any] | None = None,
    public_token: PublicTokenProvider | str | None = None,
    public_base_url: str | None = None,
    credentials: CredentialResolver | None = None,
    timeouts_s: Mapping[str, float] | None = None,
    gathered_context: CallFacts | Mapping[str, Any] | None = None,
) -> CompletionOutcome:
    """Run the post-call completion of one workflow run; never raises for a plugin.

    :param host: the :class:`~jackfield.host.PluginHost` whose plugins run.
    :param workflow_run_id: the run's id.
    :param workflow_definition: the definition the run was pinned to (a
        :class:`~jackfield.host.WorkflowDefinition`, or its JSON form).
    :raises WorkflowError: if the JSON form is not a workflow definition.
    :param workflow_run: the host's record of the run, passed on to handlers.
    :param definition_id: the pinned definition's id.
    :param organization_id: the run's organization, if any.
    :param integration_logs: what :meth:`LiveCall.finish` returned for this run;
        each plugin gets its own ``snapshot`` as ``context.runtime_snapshot``.
    :param previous_annotations: the run's annotations from an earlier attempt;
        nodes already final there are not passed to any handler again.
    :param public_token: the token, or a (sync or async) callable returning it;
        a callable is called once, and only if some handler will run.
    :param public_base_url: where the host serves public artifacts by token;
        handlers build URLs with :meth:`CompletionContext.public_url`.
    :param credentials: the host's credential store, passed to handlers as
        ``context.credentials``.
    :param timeouts_s: per-plugin time limits that override the plugins' own.
    :param gathered_context: what the host gathered at call end (a
        :class:`~jackfield.CallFacts` or its dict form), given to handlers as
        ``context.call``; by default read from ``workflow_run["gathered_context"]``.
    :return: the annotations to persist and each node's state.
    """
    if isinstance(workflow_definition, Mapping):
        workflow_definition = WorkflowDefinition.from_dict(workflow_definition)
    previous = dict(previous_annotations or {})
    states, work, skipped_plugins, recorded = _plan(
        host, workflow_definition, _previous_states(previous)
    )
    run = _Run(json_copy(previous), states)
    for plugin, host_results in recorded.items():
        kept = run.annotations.get(plugin)
        kept = dict(kept) if isinstance(kept, Mapping) and "error" not in kept else {}
        run.annotations[plugin] = {**kept, **host_results}
    if isinstance(gathered_context, CallFacts):
        facts = gathered_context
    else:
        if gathered_context is None and isinstance(workflow_run, Mapping):
            gathered_context = workflow_run.get("gathered_context")
        facts = CallFacts.from_mapping(gathered_context)
    token = await _token(public_token) if work else None
    logs = integration_logs or {}
    called: list[str] = []
    for phase in _phases(work):
        snapshot_annotations = MappingProxyType(json_copy(run.annotations))
        limits = {w.plugin: (timeouts_s or {}).get(w.plugin, w.settings.timeout_s) for w in phase}
        shares = {w.plugin: w for w in phase}

        prepared: dict[str, dict[str, Any]] = {}
        for share in phase:
            entry = logs.get(share.plugin)
            snapshot = entry.get("snapshot") if isinstance(entry, Mapping) else None
            earlier_results = previous.get(share.plugin)
            if not isinstance(earlier_results, Mapping):
                earlier_results = {}
            context = CompletionContext(
                workflow_run_id=workflow_run_id,
                workflow_run=workflow_run,
                workflow_definition=workflow_definition,
                definition_id=definition_id,
                organization_id=organization_id,
                public_token=token,
                public_base_url=public_base_url,
                credentials=credentials,
                runtime_snapshot=snapshot if isinstance(snapshot, Mapping) else None,
                annotations=snapshot_annotations,
                attempt=1 + max(run.states[n.id].attempts for n in share.nodes),
                max_attempts=share.settings.max_attempts,
                previous_results=MappingProxyType(json_copy(earlier_results)),
                call=facts,
            )
            prepared[share.plugin] = {"nodes": list(share.nodes), "context": context}

        results = await host.acall_each(
            _HOOK, plugins=list(shares), per_plugin=prepared.__getitem__, timeouts_s=limits
        )
        for result in results:
            run.record(shares[result.plugin], result, limits[result.plugin])
            called.append(result.plugin)
    earlier = previous.get(COMPLETION_STATE_KEY)
    earlier_skips = earlier.get("skipped_plugins") if isinstance(earlier, Mapping) else None
    if isinstance(earlier_skips, Mapping):
        skipped_plugins = {**earlier_skips, **skipped_plugins}
    state = {
        "nodes": {node_id: s.to_json_dict() for node_id, s in sorted(run.states.items())},
        "skipped_plugins": dict(sorted(skipped_plugins.items())),
    }
    run.annotations[COMPLETION_STATE_KEY] = state
    return CompletionOutcome(run.annotations, MappingProxyType(dict(run.states)), tuple(called))

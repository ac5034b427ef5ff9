"""After the call: deliver each Paygent node's steps, resuming where a retry left off.

Each node's delivery is a fixed, ordered list of steps (see
:func:`~jackfield_paygent._steps.plan_steps`). A step that went through is never
sent again: when a transient failure (network error, timeout, 429, 5xx) stops a
node, its per-step progress is returned under :data:`RETRYING_KEY` in this
plugin's annotations and the node's value is a :class:`~jackfield.RetryLater`.
The orchestrator hands those annotations back as ``context.annotations`` on the
next attempt, and only the steps not yet delivered are sent. Every request also
carries a deterministic ``Idempotency-Key`` header, for the one case the
progress cannot cover: a step that reached Paygent whose response was lost.

httpx is imported only inside :func:`run_completion`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from jackfield import CallSnapshot, CompletionContext, RetryLater, retry_after_s
from jackfield_paygent._node import PaygentNode
from jackfield_paygent._runtime import REALTIME_KEY
from jackfield_paygent._steps import SESSION_STEP, CallFacts, Step, idempotency_key, plan_steps

if TYPE_CHECKING:
    import httpx

__all__ = [
    "API_KEY_HEADER",
    "IDEMPOTENCY_HEADER",
    "PLUGIN_NAME",
    "RETRYING_KEY",
    "StepState",
    "run_completion",
]


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: building one for every client costs tens of ms."""
    import httpx

    return httpx.create_ssl_context()


#: The plugin's name: where its results, and its progress, live in the annotations.
PLUGIN_NAME: Final = "paygent"
#: The key, in this plugin's annotations, of the progress of nodes due for a retry.
RETRYING_KEY: Final = "retrying"
#: The request header carrying the node's API key.
API_KEY_HEADER: Final = "X-API-Key"
#: The request header carrying each step's deterministic idempotency key.
IDEMPOTENCY_HEADER: Final = "Idempotency-Key"

_log = logging.getLogger("jackfield_paygent")


class StepState(StrEnum):
    """Where one step of a node's delivery stands."""

    DELIVERED = "delivered"
    """Paygent accepted it (2xx)."""
    DUPLICATE = "duplicate"
    """Paygent already had it (409); counts as delivered."""
    FAILED = "failed"
    """Refused for good (a 4xx, a step that could not be built, retries used up)."""
    NOT_SENT = "not_sent"
    """Not sent (yet): an earlier step stopped the delivery."""

    @property
    def went_through(self) -> bool:
        """Whether Paygent has this step."""
        return self in (StepState.DELIVERED, StepState.DUPLICATE)


_STATE_VALUES: Final = frozenset(state.value for state in StepState)


@dataclass(frozen=True, slots=True)
class _Transient:
    """A failure worth retrying: what happened, and when Paygent wants us back."""

    reason: str
    delay_s: float | None = None
    status_code: int | None = None
    error_type: str | None = None

    def as_error(self, step: str) -> dict[str, Any]:
        error: dict[str, Any] = {"step": step, "reason": self.reason, "transient": True}
        if self.status_code is not None:
            error["status_code"] = self.status_code
        if self.error_type is not None:
            error["type"] = self.error_type
        return error


@dataclass(slots=True)
class _Progress:
    """One node's delivery so far: a state per step and the final step errors."""

    steps: dict[str, StepState]
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"steps": {k: v.value for k, v in self.steps.items()}, "errors": self.errors}


@dataclass(frozen=True, slots=True)
class _Pending:
    """A node stopped by a transient failure: its progress and the failure."""

    progress: _Progress
    failure: _Transient
    step: str


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    return retry_after_s(value)


def _previous_progress(annotations: Mapping[str, Any]) -> dict[str, _Progress]:
    """The progress this plugin stored for nodes due for a retry (hand-edits ignored)."""
    own = annotations.get(PLUGIN_NAME)
    retrying = own.get(RETRYING_KEY) if isinstance(own, Mapping) else None
    if not isinstance(retrying, Mapping):
        return {}
    progress: dict[str, _Progress] = {}
    for node_id, stored in retrying.items():
        steps = stored.get("steps") if isinstance(stored, Mapping) else None
        if not isinstance(steps, Mapping):
            continue
        states = {}
        for key, value in steps.items():
            if isinstance(key, str) and isinstance(value, str) and value in _STATE_VALUES:
                states[key] = StepState(value)
        stored_errors = stored.get("errors")
        errors = [
            dict(error)
            for error in (stored_errors if isinstance(stored_errors, list) else ())
            if isinstance(error, Mapping)
            and isinstance(error.get("step"), str)
            and states.get(error["step"]) is StepState.FAILED
        ]
        progress[str(node_id)] = _Progress(states, errors)
    return progress


def _duration(call: CallSnapshot, workflow_run: Any) -> float | None:
    if call.duration_s is not None:
        return call.duration_s
    gathered = workflow_run.get("gathered_context") if isinstance(workflow_run, Mapping) else None
    value = gathered.get("duration_s") if isinstance(gathered, Mapping) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def _call_facts(context: CompletionContext) -> CallFacts | str:
    """The call as this plugin's session recorded it, or why it cannot be read."""
    snapshot = context.runtime_snapshot
    if snapshot is None:
        return "no_snapshot"
    try:
        call = CallSnapshot.from_snapshot(snapshot)
    except ValidationError:
        return "invalid_snapshot"
    if call is None:
        return "no_snapshot"
    return CallFacts(
        session_id=context.workflow_run_id,
        call=call,
        is_realtime=snapshot.get(REALTIME_KEY) is True,
        duration_s=_duration(call, context.workflow_run),
    )


def _config_problems(error: ValidationError) -> list[dict[str, Any]]:
    """Field and error type of each problem; our own validator's message, never an input."""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        problem: dict[str, Any] = {
            "field": ".".join(str(part) for part in item["loc"]) or None,
            "type": item["type"],
        }
        if item["type"] == "value_error":
            problem["message"] = item["msg"]
        problems.append(problem)
    return problems


async def _post(
    client: httpx.AsyncClient,
    node: PaygentNode,
    step: Step,
    key: str,
    timeout_s: float,
) -> StepState | _Transient | dict[str, Any]:
    """Send one step: its new state, a transient failure, or a final error."""
    import httpx

    url = node.base_url.rstrip("/") + step.path
    headers = {API_KEY_HEADER: node.api_key or "", IDEMPOTENCY_HEADER: key}
    try:
        async with asyncio.timeout(timeout_s):
            response = await client.post(url, json=step.body, headers=headers, timeout=timeout_s)
    except (TimeoutError, httpx.TimeoutException):
        return _Transient("timeout")
    except httpx.TransportError as exc:
        return _Transient("network_error", error_type=type(exc).__name__)
    except httpx.InvalidURL:
        return {"step": step.key, "reason": "invalid_url"}
    code = response.status_code
    if 200 <= code < 300:
        return StepState.DELIVERED
    if code == 409:
        return StepState.DUPLICATE
    if code == 429 or code >= 500:
        delay = _retry_after(response.headers.get("retry-after"))
        return _Transient(f"http_{code}", delay_s=delay, status_code=code)
    return {"step": step.key, "reason": f"http_{code}", "status_code": code}


def _final_result(session_id: str, progress: _Progress) -> dict[str, Any]:
    """The node's result once nothing is left to retry: ``ok``, ``partial`` or ``failed``."""
    states = progress.steps
    through = sum(1 for state in states.values() if state.went_through)
    result: dict[str, Any] = {"session_id": session_id}
    if through == len(states):
        result["status"] = "ok"
    elif through:
        result["status"] = "partial"
    else:
        result["status"] = "failed"
        if states.get(SESSION_STEP) is StepState.FAILED:
            result["reason"] = "session_rejected"
        else:
            result["reason"] = "nothing_delivered"
    result["steps"] = {key: state.value for key, state in states.items()}
    result["errors"] = progress.errors
    return result


async def _deliver(
    client: httpx.AsyncClient,
    node_id: str,
    node: PaygentNode,
    facts: CallFacts,
    *,
    before: _Progress | None,
    deadline: float,
    final_attempt: bool,
) -> dict[str, Any] | _Pending:
    """Send the node's steps that have not gone through yet, in order."""
    loop = asyncio.get_running_loop()
    steps = plan_steps(node, facts)
    progress = _Progress({step.key: StepState.NOT_SENT for step in steps})
    if before is not None:
        for key, state in before.steps.items():
            if key in progress.steps and state is not StepState.NOT_SENT:
                progress.steps[key] = state
        progress.errors = [e for e in before.errors if e.get("step") in progress.steps]
    for step in steps:
        state = progress.steps[step.key]
        if state is not StepState.NOT_SENT:
            if step.key == SESSION_STEP and state is StepState.FAILED:
                break
            continue
        if step.problem is not None:
            progress.steps[step.key] = StepState.FAILED
            progress.errors.append({"step": step.key, "reason": step.problem})
            continue
        remaining = deadline - loop.time()
        outcome: StepState | _Transient | dict[str, Any]
        if remaining <= 0:
            outcome = _Transient("out_of_time")
        else:
            key = idempotency_key(facts.session_id, node_id, step.key)
            outcome = await _post(client, node, step, key, min(node.timeout_s, remaining))
        if isinstance(outcome, StepState):
            progress.steps[step.key] = outcome
            continue
        if isinstance(outcome, _Transient):
            _log.warning("paygent node %r: step %s failed (%s)", node_id, step.key, outcome.reason)
            if not final_attempt:
                return _Pending(progress, outcome, step.key)
            progress.steps[step.key] = StepState.FAILED
            progress.errors.append({**outcome.as_error(step.key), "retries_exhausted": True})
            break
        _log.warning("paygent node %r: step %s refused (%s)", node_id, step.key, outcome["reason"])
        progress.steps[step.key] = StepState.FAILED
        progress.errors.append(outcome)
        if step.key == SESSION_STEP:
            break
    return _final_result(facts.session_id, progress)


async def run_completion(
    nodes: Sequence[Mapping[str, Any]],
    context: CompletionContext,
    *,
    budget_s: float,
    max_attempts: int,
) -> dict[str, Any]:
    """Deliver every given Paygent node; return the per-node results.

    :param nodes: the workflow's Paygent nodes handed to the handler.
    :param context: the completion context (snapshot, run, annotations, attempt).
    :param budget_s: how long this attempt may spend sending; steps left when
        it runs out are retried on the next attempt.
    :param max_attempts: the attempt from which a transient failure is final.
    :return: ``{node_id: result | RetryLater}``, plus :data:`RETRYING_KEY` with
        the progress of the nodes to retry (when there are any, or were before).
    """
    import httpx

    results: dict[str, Any] = {}
    valid: list[tuple[str, PaygentNode]] = []
    for raw in nodes:
        node_id = str(raw.get("id", ""))
        try:
            node = PaygentNode.model_validate(raw.get("data") or {})
        except ValidationError as exc:
            _log.error("paygent node %r: invalid configuration", node_id)
            results[node_id] = {
                "status": "failed",
                "reason": "invalid_config",
                "problems": _config_problems(exc),
            }
            continue
        if not node.enabled:
            results[node_id] = {"status": "skipped", "reason": "node_disabled"}
            continue
        valid.append((node_id, node))

    facts = _call_facts(context)
    if isinstance(facts, str):
        for node_id, _ in valid:
            _log.error("paygent node %r: nothing to meter (%s)", node_id, facts)
            results[node_id] = {"status": "failed", "reason": facts, "steps": {}, "errors": []}
        valid = []

    previous = _previous_progress(context.annotations)
    final_attempt = context.attempt >= max_attempts
    deadline = asyncio.get_running_loop().time() + budget_s
    retrying: dict[str, Any] = {}
    if valid and not isinstance(facts, str):
        async with httpx.AsyncClient(follow_redirects=False, verify=_tls_context()) as client:
            outcomes = await asyncio.gather(
                *(
                    _deliver(
                        client,
                        node_id,
                        node,
                        facts,
                        before=previous.get(node_id),
                        deadline=deadline,
                        final_attempt=final_attempt,
                    )
                    for node_id, node in valid
                )
            )
        for (node_id, _), outcome in zip(valid, outcomes, strict=True):
            if isinstance(outcome, _Pending):
                failure = outcome.failure
                retrying[node_id] = {
                    **outcome.progress.to_json(),
                    "last_failure": failure.as_error(outcome.step),
                }
                message = f"paygent node {node_id!r}: step {outcome.step} {failure.reason}"
                results[node_id] = RetryLater(message, delay_s=failure.delay_s)
            else:
                results[node_id] = outcome
    own = context.annotations.get(PLUGIN_NAME)
    if retrying or (isinstance(own, Mapping) and RETRYING_KEY in own):
        results[RETRYING_KEY] = retrying
    return results

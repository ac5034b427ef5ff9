"""After the call: one POST per enabled Tuner node, and what became of it.

httpx is imported inside :func:`run_completion`, so importing this module (and
the plugin) stays light.
"""

from __future__ import annotations

import functools
import logging
import ssl
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from jackfield import CallSnapshot, CompletionContext, RetryLater, retry_after_s
from jackfield_tuner._cost import CallCost, compute_call_cost
from jackfield_tuner._node import TunerNode
from jackfield_tuner._payload import CallType, build_call_payload, call_type_of

if TYPE_CHECKING:
    import httpx

__all__ = ["CALL_PATH", "REQUEST_TIMEOUT_S", "run_completion"]


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: building one for every client costs tens of ms."""
    import httpx

    return httpx.create_ssl_context()


#: How long one request to Tuner may take, in seconds.
REQUEST_TIMEOUT_S: Final = 10.0

#: Tuner's create-call endpoint, under the node's base URL.
CALL_PATH: Final = "/api/v1/public/call"

_log = logging.getLogger("jackfield_tuner")


async def run_completion(
    nodes: Sequence[Mapping[str, Any]],
    context: CompletionContext,
    *,
    request_timeout_s: float = REQUEST_TIMEOUT_S,
) -> dict[str, Any]:
    """Send the finished call to Tuner once for each node; return a result per node id.

    Each node's value is one of:

    - ``{"status": "delivered", "status_code": 201, "call_id": ..., "call_type": ...}``
      (plus ``"cost_cents"`` when cost calculation is on);
    - ``{"status": "duplicate", "status_code": 409, ...}``: Tuner already had
      the call (an earlier attempt got through); final, not an error;
    - ``{"status": "skipped", "reason": "node_disabled" | "no_call_snapshot"}``;
    - ``{"status": "failed", "reason": ...}`` for what a retry cannot fix:
      ``invalid_config`` (with ``problems``, naming fields, never values),
      ``invalid_snapshot``, ``invalid_base_url`` or ``http_<code>`` for a 4xx
      answer other than 409 and 429;
    - a :class:`~jackfield.RetryLater` for a network error, a timeout, a 429 or
      a 5xx answer (honouring ``Retry-After``), so only that node is retried.

    :param nodes: the workflow's ``tuner`` nodes, as the hook receives them.
    :param context: the completion context; its runtime snapshot is the call
        a :class:`~jackfield.CallRecorder` recorded.
    :param request_timeout_s: the time limit of each request.
    """
    import httpx

    call, snapshot_problem = _read_snapshot(context.runtime_snapshot)
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=request_timeout_s, verify=_tls_context()) as client:
        for node in nodes:
            node_id = str(node.get("id", ""))
            results[node_id] = await _handle_node(
                client, node_id, node.get("data"), call, snapshot_problem, context
            )
    return results


def _read_snapshot(snapshot: Mapping[str, Any] | None) -> tuple[CallSnapshot | None, bool]:
    """The recorded call (``None`` if there is none) and whether the snapshot was unreadable."""
    try:
        return CallSnapshot.from_snapshot(snapshot), False
    except ValidationError:
        _log.error("tuner: the runtime snapshot is not a call recorder's; nothing sent")
        return None, True


async def _handle_node(
    client: httpx.AsyncClient,
    node_id: str,
    data: Any,
    call: CallSnapshot | None,
    snapshot_problem: bool,
    context: CompletionContext,
) -> Any:
    try:
        settings = TunerNode.model_validate(data if data is not None else {})
    except ValidationError as exc:
        _log.error("tuner node %r: its settings are invalid; nothing sent", node_id)
        return {"status": "failed", "reason": "invalid_config", "problems": _problems(exc)}
    if not settings.enabled:
        return {"status": "skipped", "reason": "node_disabled"}
    if snapshot_problem:
        return {"status": "failed", "reason": "invalid_snapshot"}
    if call is None:
        _log.warning("tuner node %r: no call was recorded for this run; nothing sent", node_id)
        return {"status": "skipped", "reason": "no_call_snapshot"}
    call_type = call_type_of(context.workflow_run)
    cost = (
        compute_call_cost(call, settings, phone_call=call_type is CallType.PHONE_CALL)
        if settings.calculate_cost
        else None
    )
    payload = build_call_payload(
        call,
        call_id=call.call_id or context.workflow_run_id,
        call_type=call_type,
        workflow_run_id=context.workflow_run_id,
        agent_version=context.definition_id,
        recording_url=context.public_url("recording"),
        cost=cost,
    )
    return await _post(client, node_id, settings, payload, cost)


def _problems(exc: ValidationError) -> list[str]:
    """Where and why validation failed; Pydantic's messages never quote the input."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]) or "node"
        problems.append(f"{where}: {error['msg']}")
    return problems


async def _post(
    client: httpx.AsyncClient,
    node_id: str,
    settings: TunerNode,
    payload: dict[str, Any],
    cost: CallCost | None,
) -> Any:
    import httpx

    url = settings.base_url.rstrip("/") + CALL_PATH
    params = {
        "workspace_id": str(settings.workspace_id),
        "agent_remote_identifier": settings.agent_id,
    }
    headers = {"Authorization": f"Bearer {settings.api_key}"}
    try:
        response = await client.post(url, params=params, json=payload, headers=headers)
    except httpx.TimeoutException:
        _log.warning("tuner node %r: Tuner did not answer in time; will retry", node_id)
        return RetryLater("Tuner did not answer in time")
    except httpx.TransportError as exc:
        kind = type(exc).__name__
        _log.warning("tuner node %r: could not reach Tuner (%s); will retry", node_id, kind)
        return RetryLater(f"could not reach Tuner ({kind})")
    except httpx.InvalidURL:
        _log.error("tuner node %r: the base URL cannot be used", node_id)
        return {"status": "failed", "reason": "invalid_base_url"}
    code = response.status_code
    sent = {"status_code": code, "call_id": payload["call_id"], "call_type": payload["call_type"]}
    if 200 <= code < 300:
        _log.info("tuner node %r: call delivered (HTTP %s)", node_id, code)
        result = {"status": "delivered", **sent}
        if cost is not None:
            result["cost_cents"] = cost.total_cents
        return result
    if code == 409:
        _log.info("tuner node %r: Tuner already has this call (HTTP 409)", node_id)
        return {"status": "duplicate", **sent}
    if code == 429 or code >= 500:
        _log.warning("tuner node %r: Tuner answered HTTP %s; will retry", node_id, code)
        return RetryLater(f"Tuner answered HTTP {code}", delay_s=_retry_after_s(response))
    _log.error("tuner node %r: Tuner refused the call (HTTP %s)", node_id, code)
    return {"status": "failed", "reason": f"http_{code}", "status_code": code}


def _retry_after_s(response: httpx.Response) -> float | None:
    """Seconds to wait from the answer's ``Retry-After`` header, if usable."""
    return retry_after_s(response.headers.get("Retry-After"))

"""After the call: one chat-completions request per enabled QA node, and the review it returns.

httpx is imported inside the functions that send, so importing this module
(and the plugin) stays light.
"""

from __future__ import annotations

import functools
import logging
import ssl
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from jackfield import CallSnapshot, CompletionContext, RetryLater, retry_after_s
from jackfield_qa._node import QANode
from jackfield_qa._output import (
    AnalysisOutputError,
    ChatCompletion,
    parse_analysis,
    validation_problems,
)
from jackfield_qa._prompt import ConversationNode, build_messages, conversation_nodes
from jackfield_qa._skips import call_disposition, call_duration_s, skip_reason

if TYPE_CHECKING:
    import httpx

__all__ = ["CHAT_COMPLETIONS_PATH", "REQUEST_TIMEOUT_S", "TOP_LEVEL_KEYS", "run_completion"]


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: building one for every client costs tens of ms."""
    import httpx

    return httpx.create_ssl_context()


#: How long the service may take to answer one request, in seconds.
REQUEST_TIMEOUT_S: Final = 60.0

#: The chat-completions endpoint, under the node's base URL.
CHAT_COMPLETIONS_PATH: Final = "/chat/completions"

#: Keys of the result next to the node ids: every node's tags, the token usage,
#: and the call summary when exactly one node reviewed the call.
TOP_LEVEL_KEYS: Final = ("tags", "usage", "summary")

#: HTTP statuses worth retrying: the service is busy, overloaded or timed out.
_TRANSIENT_4XX: Final = frozenset({408, 429})

_log = logging.getLogger("jackfield_qa")


async def run_completion(
    nodes: Sequence[Mapping[str, Any]],
    context: CompletionContext,
    *,
    request_timeout_s: float = REQUEST_TIMEOUT_S,
) -> dict[str, Any]:
    """Have the model review the recorded call once per QA node; return the results.

    Each node id maps to one of:

    - ``{"status": "analysed", "model", "summary", "nodes": {conversation node id:
      {"summary", "scores", "tags"}}, "tags", "usage"}``;
    - ``{"status": "skipped", "reason": ...}`` with ``reason`` one of
      ``node_disabled``, ``no_call_snapshot``, ``voicemail``, ``call_too_short``,
      ``not_sampled``, ``empty_transcript`` (see :func:`~jackfield_qa.skip_reason`);
    - ``{"status": "failed", "reason": ...}`` for what a retry cannot fix:
      ``invalid_config`` or ``invalid_response`` / ``invalid_model_output``
      (each with ``problems``, never values or the answer itself),
      ``invalid_snapshot``, ``invalid_base_url``, or ``http_<code>`` for a 4xx
      other than 408 and 429. A failure after the model answered still carries
      the ``usage`` it cost;
    - a :class:`~jackfield.RetryLater` for a network error, a timeout, a 408,
      429 or 5xx answer (honouring ``Retry-After``), so only that node is retried.

    Next to the node ids: ``tags``, every analysed node's tags, sorted; ``usage``
    (when a model answered), ``{"model", "prompt_tokens", "completion_tokens",
    "total_tokens"}`` summed over the nodes, ``model`` being ``None`` if they used
    different models; ``summary``, the call summary when exactly one node analysed
    the call.

    :param nodes: the workflow's ``qa`` nodes, as the hook receives them.
    :param context: the completion context; its runtime snapshot is the call a
        :class:`~jackfield.CallRecorder` recorded, and its workflow definition
        names the conversation nodes to review.
    :param request_timeout_s: the time limit of each request.
    """
    import httpx

    call, snapshot_problem = _read_snapshot(context.runtime_snapshot)
    steps = conversation_nodes(context.workflow_definition)
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=request_timeout_s, verify=_tls_context()) as client:
        for node in nodes:
            node_id = str(node.get("id", ""))
            results[node_id] = await _handle_node(
                client, node_id, node.get("data"), call, snapshot_problem, steps, context
            )
    return _with_totals(results)


def _read_snapshot(snapshot: Mapping[str, Any] | None) -> tuple[CallSnapshot | None, bool]:
    """The recorded call (``None`` if there is none) and whether the snapshot was unreadable."""
    try:
        return CallSnapshot.from_snapshot(snapshot), False
    except ValidationError:
        _log.error("qa: the runtime snapshot is not a call recorder's; nothing reviewed")
        return None, True


async def _handle_node(
    client: httpx.AsyncClient,
    node_id: str,
    data: Any,
    call: CallSnapshot | None,
    snapshot_problem: bool,
    steps: list[ConversationNode],
    context: CompletionContext,
) -> Any:
    try:
        settings = QANode.model_validate(data if data is not None else {})
    except ValidationError as exc:
        _log.error("qa node %r: its settings are invalid; nothing reviewed", node_id)
        return {
            "status": "failed",
            "reason": "invalid_config",
            "problems": validation_problems(exc),
        }
    if not settings.enabled:
        return {"status": "skipped", "reason": "node_disabled"}
    if snapshot_problem:
        return {"status": "failed", "reason": "invalid_snapshot"}
    if call is None:
        _log.warning("qa node %r: no call was recorded for this run; nothing reviewed", node_id)
        return {"status": "skipped", "reason": "no_call_snapshot"}
    run = context.workflow_run
    skipped = skip_reason(settings, call, workflow_run_id=context.workflow_run_id, workflow_run=run)
    if skipped is not None:
        _log.info("qa node %r: call not reviewed (%s)", node_id, skipped["reason"])
        return skipped
    messages = build_messages(
        settings.prompt,
        call,
        steps,
        disposition=call_disposition(call, run),
        duration_s=call_duration_s(call, run),
    )
    return await _review(client, node_id, settings, messages, [step.id for step in steps])


async def _review(
    client: httpx.AsyncClient,
    node_id: str,
    settings: QANode,
    messages: list[dict[str, str]],
    step_ids: list[str],
) -> Any:
    import httpx

    url = settings.base_url.rstrip("/") + CHAT_COMPLETIONS_PATH
    body = {
        "model": settings.model,
        "messages": messages,
        "response_format": {"type": "json_object"},
    }
    headers = {"Authorization": f"Bearer {settings.api_key}"}
    try:
        response = await client.post(url, json=body, headers=headers)
    except httpx.TimeoutException:
        _log.warning("qa node %r: the model did not answer in time; will retry", node_id)
        return RetryLater("the chat-completions service did not answer in time")
    except httpx.TransportError as exc:
        kind = type(exc).__name__
        _log.warning("qa node %r: could not reach the model (%s); will retry", node_id, kind)
        return RetryLater(f"could not reach the chat-completions service ({kind})")
    except httpx.InvalidURL:
        _log.error("qa node %r: the base URL cannot be used", node_id)
        return {"status": "failed", "reason": "invalid_base_url"}
    code = response.status_code
    if code in _TRANSIENT_4XX or code >= 500:
        _log.warning("qa node %r: the service answered HTTP %s; will retry", node_id, code)
        return RetryLater(
            f"the chat-completions service answered HTTP {code}", delay_s=_retry_after_s(response)
        )
    if not 200 <= code < 300:
        _log.error("qa node %r: the service refused the request (HTTP %s)", node_id, code)
        return {"status": "failed", "reason": f"http_{code}", "status_code": code}
    return _read_answer(node_id, settings, response, step_ids)


def _read_answer(
    node_id: str, settings: QANode, response: httpx.Response, step_ids: list[str]
) -> dict[str, Any]:
    """The node's result from a 2xx answer: the review, or why the answer is unusable."""
    try:
        completion = ChatCompletion.model_validate(response.json())
    except ValueError as exc:  # not JSON (JSONDecodeError), or not a chat completion
        problems = (
            validation_problems(exc) if isinstance(exc, ValidationError) else ["not valid JSON"]
        )
        _log.error("qa node %r: the answer is not a chat completion", node_id)
        return {"status": "failed", "reason": "invalid_response", "problems": problems}
    model = completion.model or settings.model
    usage = _usage(completion, model)
    try:
        analysis = parse_analysis(completion.content, step_ids)
    except AnalysisOutputError as exc:
        _log.error(
            "qa node %r: the model's answer is not a valid review (%d problems)",
            node_id,
            len(exc.problems),
        )
        failed: dict[str, Any] = {
            "status": "failed",
            "reason": "invalid_model_output",
            "problems": exc.problems,
            "model": model,
            "usage": usage,
        }
        if completion.finish_reason is not None:
            failed["finish_reason"] = completion.finish_reason
        return failed
    _log.info("qa node %r: call reviewed by %s", node_id, model)
    return {
        "status": "analysed",
        "model": model,
        "summary": analysis.summary,
        "nodes": {step_id: review.model_dump() for step_id, review in analysis.nodes.items()},
        "tags": analysis.tags,
        "usage": usage,
    }


def _usage(completion: ChatCompletion, model: str) -> dict[str, Any]:
    prompt = completion.usage.prompt_tokens if completion.usage else 0
    answer = completion.usage.completion_tokens if completion.usage else 0
    return {
        "model": model,
        "prompt_tokens": prompt,
        "completion_tokens": answer,
        "total_tokens": prompt + answer,
    }


def _with_totals(results: dict[str, Any]) -> dict[str, Any]:
    """The per-node results plus the top-level ``tags``, ``usage`` and ``summary``."""
    reviews = [r for r in results.values() if isinstance(r, dict)]
    analysed = [r for r in reviews if r.get("status") == "analysed"]
    totals: dict[str, Any] = {"tags": sorted({tag for r in analysed for tag in r["tags"]})}
    usages = [r["usage"] for r in reviews if isinstance(r.get("usage"), dict)]
    if usages:
        models = {u["model"] for u in usages}
        totals["usage"] = {
            "model": models.pop() if len(models) == 1 else None,
            "prompt_tokens": sum(u["prompt_tokens"] for u in usages),
            "completion_tokens": sum(u["completion_tokens"] for u in usages),
            "total_tokens": sum(u["total_tokens"] for u in usages),
        }
    if len(analysed) == 1:
        totals["summary"] = analysed[0]["summary"]
    return {**results, **totals}


def _retry_after_s(response: httpx.Response) -> float | None:
    """Seconds to wait from the answer's ``Retry-After`` header, if usable."""
    return retry_after_s(response.headers.get("Retry-After"))

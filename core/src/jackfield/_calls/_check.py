"""The "Save & test" check of one node: ``jackfield_check_node`` and :func:`check_node`.

A plugin answers ``jackfield_check_node(node_type, data, context)`` with a
:class:`CheckResult`: ok, or :class:`CheckProblem` objects naming the fields
at fault. Hosts call it only through :func:`check_node`, which validates the
data first, calls only the plugin that owns the node type, within a time
limit, confines whatever the plugin does, and scrubs the node's secrets from
the answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import ValidationError

from jackfield._calls._completion_context import CredentialResolver
from jackfield._errors import UnknownNodeTypeError
from jackfield._specs._node_data import BaseNodeData
from jackfield._workflows._secrets import looks_masked, secret_strings

if TYPE_CHECKING:
    from jackfield._host._plugin_host import PluginHost

__all__ = [
    "CHECK_HOOK",
    "DEFAULT_CHECK_TIMEOUT_S",
    "CheckCode",
    "CheckContext",
    "CheckProblem",
    "CheckResult",
    "NodeCheck",
    "check_node",
]

#: The hook :func:`check_node` calls.
CHECK_HOOK: Final = "jackfield_check_node"
#: Time limit of one check unless the host sets another.
DEFAULT_CHECK_TIMEOUT_S: Final = 10.0
#: What replaces a secret value found in a check's answer.
_SCRUBBED: Final = "[secret]"
#: Secrets shorter than this are not scrubbed (they would mangle ordinary text).
_MIN_SCRUBBED: Final = 4

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class CheckCode(StrEnum):
    """What a :class:`CheckProblem` is about.

    Plugins use the first five; the host adds the others. Any other string is
    accepted too, but hosts and UIs only know these.
    """

    INVALID_CREDENTIAL = "invalid_credential"
    """The service refused the key, token or password (a 401 or 403)."""
    UNKNOWN_REFERENCE = "unknown_reference"
    """The service does not know something the node names (an agent, a project)."""
    UNREACHABLE = "unreachable"
    """The service could not be reached (DNS, connection refused, TLS)."""
    TIMEOUT = "timeout"
    """The service did not answer within the check's time limit."""
    REJECTED = "rejected"
    """The service refused the configuration for another reason."""
    INVALID = "invalid"
    """Host: the data does not validate against the node's model."""
    MASKED_VALUE = "masked_value"
    """Host: a secret field holds a masked value instead of the secret."""
    UNKNOWN_NODE_TYPE = "unknown_node_type"
    """Host: no loaded plugin serves the node type."""
    PLUGIN_ERROR = "plugin_error"
    """Host: the plugin's check raised or returned something other than a CheckResult."""
    PLUGIN_TIMEOUT = "plugin_timeout"
    """Host: the plugin's check ran past the time limit and was abandoned."""


@dataclass(frozen=True, slots=True)
class CheckProblem:
    """One thing a check found wrong with a node's configuration.

    :param message: what is wrong, for a person; name the field, never quote
        its value (the host scrubs the node's secrets anyway).
    :param field: the data field at fault (``"api_key"``, ``"agent_id"``;
        dotted for nested values), or ``None`` for the node as a whole.
    :param code: a :class:`CheckCode` (or another short snake_case string).
    """

    message: str
    field: str | None = None
    code: str = CheckCode.REJECTED

    def to_dict(self) -> dict[str, Any]:
        """``{"field", "code", "message"}``, JSON-ready."""
        return {"field": self.field, "code": str(self.code), "message": self.message}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What a plugin's ``jackfield_check_node`` returns.

    ``CheckResult()`` means ok; a result with problems is a failed check.

    :param problems: what is wrong, one :class:`CheckProblem` each (empty: ok).
    :param detail: optional JSON-serialisable facts for the UI, no secret
        (``{"latency_ms": 42, "account": "Acme"}``).

    Example::

        return CheckResult(detail={"latency_ms": 42})
        return CheckResult.failed("api_key", "the service refused the API key",
                                  code=CheckCode.INVALID_CREDENTIAL)
    """

    problems: tuple[CheckProblem, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @property
    def ok(self) -> bool:
        """Whether the check found no problem."""
        return not self.problems

    @classmethod
    def failed(
        cls,
        field: str | None,
        message: str,
        *,
        code: str = CheckCode.REJECTED,
        detail: Mapping[str, Any] | None = None,
    ) -> CheckResult:
        """A failed check with one problem on ``field`` (``None``: the whole node)."""
        problem = CheckProblem(message=message, field=field, code=code)
        return cls(problems=(problem,), detail=detail if detail is not None else _EMPTY)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckContext:
    """What ``jackfield_check_node(node_type, data, context)`` receives besides the data.

    :param timeout_s: the check's time limit: the host abandons the check after
        it and reports ``plugin_timeout``. Give your network calls a shorter
        timeout (say 80 % of it) and report :attr:`CheckCode.TIMEOUT` yourself.
    :param node_id: the node's id in its workflow, or ``None`` (a node being
        created, or data checked on its own). For messages and logs only.
    :param credentials: the host's credential store, or ``None``, as in
        :class:`~jackfield.CompletionContext`: a credential reference the node
        holds in, HTTP headers out (``None`` if unknown).
    """

    timeout_s: float = DEFAULT_CHECK_TIMEOUT_S
    node_id: str | None = None
    credentials: CredentialResolver | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeCheck:
    """The answer of :func:`check_node`: a check's outcome as a host reports it.

    Never holds a secret of the node: every known secret value is replaced
    by ``[secret]`` in the problems and the detail.

    :param node_type: the node type checked.
    :param plugin: the plugin that owns it (``None`` if no loaded plugin does).
    :param status: ``"ok"``; ``"failed"`` (see :attr:`problems`); or
        ``"unsupported"`` when the owning plugin has no check for this type.
    :param problems: what is wrong; from the host (validation, a masked
        secret, a plugin failure) or from the plugin.
    :param detail: the plugin's detail (empty if none).
    :param duration_ms: how long the plugin's check took (0 if not called).
    :param node_id: the node's id, if the caller gave one.
    """

    node_type: str
    plugin: str | None
    status: Literal["ok", "failed", "unsupported"]
    problems: tuple[CheckProblem, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    duration_ms: float = 0.0
    node_id: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the check passed (an unsupported check did not fail, but is not ok)."""
        return self.status == "ok"

    @property
    def failed(self) -> bool:
        """Whether the check found a problem."""
        return self.status == "failed"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field, plus ``ok``."""
        return {
            "node_id": self.node_id,
            "node_type": self.node_type,
            "plugin": self.plugin,
            "status": self.status,
            "ok": self.ok,
            "problems": [p.to_dict() for p in self.problems],
            "detail": dict(self.detail),
            "duration_ms": round(self.duration_ms, 3),
        }


class _Scrubber:
    """Replaces a node's known secret values in text and JSON values."""

    def __init__(self, secrets: list[str]) -> None:
        unique = {s for s in secrets if len(s) >= _MIN_SCRUBBED}
        self._secrets = sorted(unique, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            value = value.replace(secret, _SCRUBBED)
        return value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def problem(self, problem: CheckProblem) -> CheckProblem:
        return CheckProblem(
            message=self.text(problem.message),
            field=None if problem.field is None else self.text(problem.field),
            code=self.text(str(problem.code)),
        )


def _validation_problems(exc: ValidationError, node_type: str) -> list[CheckProblem]:
    problems = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        path = ".".join(str(part) for part in error["loc"]) or None
        where = f"field {path!r}" if path else "the data"
        problems.append(
            CheckProblem(
                message=f"{node_type} node: {where}: {error['msg']}",
                field=path,
                code=CheckCode.INVALID,
            )
        )
    return problems


def _masked_problems(
    data: Mapping[str, Any], secret_fields: tuple[str, ...], node_type: str
) -> list[CheckProblem]:
    problems = []
    for name in secret_fields:
        value = data.get(name)
        items = value if isinstance(value, list) else [value]
        if any(looks_masked(item) for item in items):
            problems.append(
                CheckProblem(
                    message=(
                        f"{node_type} node: field {name!r} holds a masked value, not the "
                        "secret; check the stored node, or send the secret itself"
                    ),
                    field=name,
                    code=CheckCode.MASKED_VALUE,
                )
            )
    return problems


def _answer_problems(value: object, plugin: str) -> list[CheckProblem] | None:
    """``None`` if ``value`` is a well-formed CheckResult, else why it is not."""
    if not isinstance(value, CheckResult):
        kind = type(value).__name__
        message = f"plugin {plugin!r}: {CHECK_HOOK} returned {kind}, not a CheckResult"
        return [CheckProblem(message=message, code=CheckCode.PLUGIN_ERROR)]
    problems = value.problems
    if not isinstance(problems, tuple | list) or not all(
        isinstance(p, CheckProblem)
        and isinstance(p.message, str)
        and isinstance(p.code, str)
        and (p.field is None or isinstance(p.field, str))
        for p in problems
    ):
        message = f"plugin {plugin!r}: {CHECK_HOOK} returned problems that are not CheckProblems"
        return [CheckProblem(message=message, code=CheckCode.PLUGIN_ERROR)]
    try:
        if not isinstance(value.detail, Mapping):
            raise TypeError
        json.dumps(dict(value.detail))
    except (TypeError, ValueError):
        message = f"plugin {plugin!r}: {CHECK_HOOK} returned a detail that is not a JSON object"
        return [CheckProblem(message=message, code=CheckCode.PLUGIN_ERROR)]
    return None


async def check_node(
    host: PluginHost,
    node_type: str,
    data: Mapping[str, Any] | BaseNodeData,
    *,
    node_id: str | None = None,
    timeout_s: float = DEFAULT_CHECK_TIMEOUT_S,
    credentials: CredentialResolver | None = None,
) -> NodeCheck:
    """Check one node's configuration against its service, through its plugin.

    The "Save & test" button: nothing is stored and no call is made. Never
    raises for a plugin, and never returns a secret.

    1. ``data`` is validated with the node type's model; a field that does not
       validate, or a secret field that still holds a mask, is a problem
       naming the field (never quoting its value), and the plugin is not
       called.
    2. Only the plugin that owns ``node_type`` is called
       (``jackfield_check_node``), with the validated model instance, secrets
       included, and a :class:`~jackfield.CheckContext`, within ``timeout_s``.
    3. Whatever it does is confined: an exception, running past the limit or an
       answer that is not a :class:`~jackfield.CheckResult` becomes a problem
       attributed to the plugin (``plugin_error``, ``plugin_timeout``).
    4. Every secret value of the node (4 characters or more) is replaced by
       ``[secret]`` in the problems and the detail.

    :param host: the plugin host.
    :param node_type: the node's type.
    :param data: the node's ``data`` with its real secrets (a stored node's,
        merged with its secrets), or an instance of the type's model.
    :param node_id: the node's id, passed on to the plugin and the answer.
    :param timeout_s: the time limit of the plugin's check.
    :param credentials: the host's credential store, passed on to the plugin.
    :return: a :class:`NodeCheck`: ``ok``, ``failed`` with problems, or
        ``unsupported`` when the owning plugin has no check for the type.
    """
    plugin = host.plugin_for_node_type(node_type)
    if plugin is None:
        try:
            host.registration(node_type)
            why = f"no loaded plugin serves node type {node_type!r}"
        except UnknownNodeTypeError as exc:
            why = str(exc)
        problem = CheckProblem(message=why, code=CheckCode.UNKNOWN_NODE_TYPE)
        return NodeCheck(
            node_type=node_type, plugin=None, status="failed", problems=(problem,), node_id=node_id
        )
    registration = host.registration(node_type)
    model = registration.data_model
    raw: Mapping[str, Any] = (
        data.model_dump(by_alias=True) if isinstance(data, BaseNodeData) else data
    )
    scrub = _Scrubber(secret_strings(raw, registration.sensitive_fields))

    def answer(
        status: Literal["ok", "failed", "unsupported"],
        problems: list[CheckProblem] | tuple[CheckProblem, ...] = (),
        detail: Mapping[str, Any] = _EMPTY,
        duration_ms: float = 0.0,
    ) -> NodeCheck:
        return NodeCheck(
            node_type=node_type,
            plugin=plugin,
            status=status,
            problems=tuple(scrub.problem(p) for p in problems),
            detail=scrub.value(dict(detail)) if detail else _EMPTY,
            duration_ms=duration_ms,
            node_id=node_id,
        )

    problems = _masked_problems(raw, registration.sensitive_fields, node_type)
    instance: BaseNodeData | None = None
    if isinstance(data, model):
        instance = data
    else:
        try:
            instance = model.model_validate(dict(raw))
        except ValidationError as exc:
            problems.extend(_validation_problems(exc, node_type))
    if problems or instance is None:
        return answer("failed", problems)
    info = host.plugin(plugin)
    if info is None or CHECK_HOOK not in info.hooks:
        return answer("unsupported")
    context = CheckContext(timeout_s=timeout_s, node_id=node_id, credentials=credentials)
    results = await host.acall_each(
        CHECK_HOOK,
        plugins=[plugin],
        timeout_s=timeout_s,
        node_type=node_type,
        data=instance,
        context=context,
    )
    if not results:
        return answer("unsupported")
    result = results[0]
    if isinstance(result.error, TimeoutError):
        message = f"plugin {plugin!r}: the check did not answer within {timeout_s:g} s"
        timeout = CheckProblem(message=message, code=CheckCode.PLUGIN_TIMEOUT)
        return answer("failed", [timeout], duration_ms=result.duration_ms)
    if result.error is not None:
        error = result.error
        message = f"plugin {plugin!r}: the check raised {type(error).__name__}: {error}"
        raised = CheckProblem(message=message, code=CheckCode.PLUGIN_ERROR)
        return answer("failed", [raised], duration_ms=result.duration_ms)
    value = result.value
    if value is None:
        return answer("unsupported", duration_ms=result.duration_ms)
    garbage = _answer_problems(value, plugin)
    if garbage is not None:
        return answer("failed", garbage, duration_ms=result.duration_ms)
    assert isinstance(value, CheckResult)
    status: Literal["ok", "failed"] = "failed" if value.problems else "ok"
    return answer(status, tuple(value.problems), value.detail, result.duration_ms)

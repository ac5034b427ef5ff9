"""Payload templates: a JSON object whose string values are rendered with Jinja2's sandbox.

Only string values are rendered, never keys nor the JSON text, so the result
is always valid JSON. Rendering uses Jinja2's
:class:`~jinja2.sandbox.SandboxedEnvironment` (a maintained sandbox, rather than
a renderer of our own), narrowed further to what a payload needs:

- placeholders ``{{ ... }}`` only: statements (``{% for %}``, ``{% if %}``...)
  are refused, so a template cannot loop;
- ``a.b`` and ``a['b']`` look up data (object keys, list indexes) and nothing
  else: no Python attribute or method of any value is reachable;
- a short list of filters (``default``, ``upper``, ``join``, ``tojson``...),
  ``range`` as the only global, and size limits on ``*``, ``**``, ``+``,
  ``join``, ``replace`` and every rendered value.

A string value that is one placeholder and nothing else (``"{{ usage }}"``)
keeps the variable's JSON type (an object, a number, ``null``); any other
string renders to a string, where ``null`` is empty, booleans are
``true``/``false`` and objects and lists are compact JSON.

A missing variable without a ``default`` renders empty, and its dotted path is
reported in :attr:`RenderedPayload.missing`. A missing value used in an
operation (``{{ missing + 1 }}``) is reported the same way and empties its
whole string value.

This module imports Jinja2; import it only where a payload is rendered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

from jinja2 import TemplateAssertionError, TemplateSyntaxError, Undefined, UndefinedError, nodes
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment, safe_range

from jackfield import JackfieldError

__all__ = [
    "MAX_PAYLOAD_CHARS",
    "MAX_VALUE_CHARS",
    "RenderedPayload",
    "TemplateError",
    "render_payload",
]

#: The longest rendered string value (and intermediate string or list), in characters.
MAX_VALUE_CHARS: Final = 262_144

#: The longest rendered payload, in characters of its JSON text.
MAX_PAYLOAD_CHARS: Final = 1_048_576

_MAX_EXPONENT: Final = 256

_FILTERS: Final = frozenset(
    {
        "abs",
        "capitalize",
        "count",
        "d",
        "default",
        "dictsort",
        "first",
        "float",
        "int",
        "items",
        "join",
        "last",
        "length",
        "list",
        "lower",
        "map",
        "max",
        "min",
        "reject",
        "rejectattr",
        "replace",
        "reverse",
        "round",
        "select",
        "selectattr",
        "sort",
        "string",
        "sum",
        "title",
        "tojson",
        "trim",
        "truncate",
        "unique",
        "upper",
        "urlencode",
        "wordcount",
    }
)

#: The dotted paths of the missing variables met by the render in progress.
_MISSING: ContextVar[list[str] | None] = ContextVar("jackfield_webhook_missing", default=None)


class TemplateError(JackfieldError):
    """A payload template cannot be rendered.

    :param location: where in the template: a JSON pointer to the string value
        (``/customer/name``; ``""`` for the template as a whole).
    :param kind: ``syntax_error``, ``statement_not_allowed``, ``unknown_filter``
        (a filter or test that does not exist or is not allowed), ``unsafe``,
        ``too_large``, ``not_an_object`` or ``render_failed``.
    :param line: the line in the string value, for ``syntax_error`` and ``unknown_filter``.

    The message names the location and kind only, never template text or data.
    """

    def __init__(self, *, location: str, kind: str, line: int | None = None) -> None:
        where = f"payload template value {location!r}" if location else "payload template"
        at = f" (line {line})" if line is not None else ""
        super().__init__(f"{where}: {kind.replace('_', ' ')}{at}")
        self.location = location
        self.kind = kind
        self.line = line


@dataclass(frozen=True, slots=True)
class RenderedPayload:
    """A rendered template.

    :param payload: the JSON object to send.
    :param missing: the sorted dotted paths of the variables the template used
        that do not exist (``["gathered_context.customer_name"]``).
    """

    payload: dict[str, Any]
    missing: list[str]


class _Object(dict[str, Any]):
    """A JSON object of the render context that knows its dotted path."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


class _Array(list[Any]):
    """A JSON array of the render context that knows its dotted path."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


def _tree(value: Any, path: str) -> Any:
    """``value`` (plain JSON) with every object and array tagged with its path."""
    if isinstance(value, Mapping):
        obj = _Object(path)
        for key, item in value.items():
            obj[str(key)] = _tree(item, f"{path}.{key}" if path else str(key))
        return obj
    if isinstance(value, list):
        array = _Array(path)
        array.extend(_tree(item, f"{path}.{index}") for index, item in enumerate(value))
        return array
    return value


class _Missing(Undefined):
    """A variable that does not exist; noted as missing when it is rendered or used."""

    __slots__ = ()

    def _note(self) -> None:
        sink = _MISSING.get()
        if sink is not None and self._undefined_exception is UndefinedError:
            sink.append(str(self._undefined_name))

    def __str__(self) -> str:
        self._note()
        return ""

    @property
    def _undefined_message(self) -> str:
        # Read only when the value is used in an operation, just before it fails.
        self._note()
        return f"{self._undefined_name!r} is missing"


def _child_path(parent: Any, key: Any) -> str:
    base = parent.path if isinstance(parent, _Object | _Array) else ""
    return f"{base}.{key}" if base else str(key)


def _too_large(value: Any) -> bool:
    return isinstance(value, str | list | tuple) and len(value) > MAX_VALUE_CHARS


class _PayloadEnvironment(SandboxedEnvironment):
    """The sandbox, narrowed to data lookups and size-limited operations."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def getattr(self, obj: Any, attribute: str) -> Any:
        return self._lookup(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        return self._lookup(obj, argument)

    def _lookup(self, obj: Any, key: Any) -> Any:
        if isinstance(obj, _Missing):
            return _Missing(name=f"{obj._undefined_name}.{key}")
        if isinstance(obj, Undefined):
            return obj
        if isinstance(obj, Mapping | list | tuple):
            try:
                return obj[key]
            except (LookupError, TypeError):
                pass
        return _Missing(name=_child_path(obj, key))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > _MAX_EXPONENT:
            raise SecurityError("exponent too large")
        if operator == "*":
            sequence, times = (left, right) if isinstance(right, int) else (right, left)
            if (
                isinstance(sequence, str | list | tuple)
                and isinstance(times, int)
                and len(sequence) * times > MAX_VALUE_CHARS
            ):
                raise SecurityError("repeated value too large")
        if (
            operator == "+"
            and isinstance(left, str | list | tuple)
            and isinstance(right, str | list | tuple)
            and len(left) + len(right) > MAX_VALUE_CHARS
        ):
            raise SecurityError("joined value too large")
        return super().call_binop(context, operator, left, right)


def _capped_join(join: Callable[..., Any]) -> Callable[..., Any]:
    def capped(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> Any:
        items = list(value)
        size = sum(len(str(item)) for item in items) + len(d) * max(len(items) - 1, 0)
        if size > MAX_VALUE_CHARS:
            raise SecurityError("joined value too large")
        return join(eval_ctx, items, d, attribute)

    capped.jinja_pass_arg = join.jinja_pass_arg  # type: ignore[attr-defined]
    return capped


def _capped_replace(replace: Callable[..., Any]) -> Callable[..., Any]:
    def capped(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> Any:
        text, old_text, new_text = str(s), str(old), str(new)
        hits = text.count(old_text) if count is None else min(count, text.count(old_text))
        if len(text) + hits * max(len(new_text) - len(old_text), 0) > MAX_VALUE_CHARS:
            raise SecurityError("replaced value too large")
        return replace(eval_ctx, s, old, new, count)

    capped.jinja_pass_arg = replace.jinja_pass_arg  # type: ignore[attr-defined]
    return capped


def _finalize(value: Any) -> Any:
    """How a value looks inside a longer string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))
    return value


def _plain(value: Any) -> Any:
    """A rendered value as plain JSON data."""
    if isinstance(value, Undefined):
        return str(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)


def _environment() -> _PayloadEnvironment:
    env = _PayloadEnvironment(
        undefined=_Missing, autoescape=False, finalize=_finalize, keep_trailing_newline=True
    )
    env.filters = {name: env.filters[name] for name in _FILTERS}
    env.filters["join"] = _capped_join(env.filters["join"])
    env.filters["replace"] = _capped_replace(env.filters["replace"])
    env.globals = {"range": safe_range}
    return env


def _pointer(parent: str, key: str | int) -> str:
    return f"{parent}/{str(key).replace('~', '~0').replace('/', '~1')}"


class _Renderer:
    """Renders the string values of one template against one set of variables."""

    def __init__(self, variables: Mapping[str, Any]) -> None:
        self.env = _environment()
        self.variables = _tree(json.loads(json.dumps(variables, default=str)), "")

    def walk(self, value: Any, location: str) -> Any:
        if isinstance(value, Mapping):
            return {key: self.walk(item, _pointer(location, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self.walk(item, _pointer(location, i)) for i, item in enumerate(value)]
        if isinstance(value, str) and ("{{" in value or "{%" in value or "{#" in value):
            return self.render(value, location)
        return value

    def render(self, source: str, location: str) -> Any:
        try:
            ast = self.env.parse(source)
        except TemplateSyntaxError as exc:
            raise TemplateError(location=location, kind="syntax_error", line=exc.lineno) from None
        parts: list[nodes.Expr] = []
        for node in ast.body:
            if not isinstance(node, nodes.Output):
                raise TemplateError(location=location, kind="statement_not_allowed")
            parts.extend(node.nodes)
        try:
            if len(parts) == 1 and not isinstance(parts[0], nodes.TemplateData):
                result = self._evaluate(parts[0])
            else:
                result = self.env.from_string(ast).render(self.variables)
        except UndefinedError:
            return ""  # the missing name was noted as the error was raised
        except SecurityError:
            raise TemplateError(location=location, kind="unsafe") from None
        except TemplateAssertionError as exc:
            raise TemplateError(location=location, kind="unknown_filter", line=exc.lineno) from None
        except (JinjaTemplateError, ArithmeticError, LookupError, TypeError, ValueError):
            raise TemplateError(location=location, kind="render_failed") from None
        if _too_large(result):
            raise TemplateError(location=location, kind="too_large")
        return result

    def _evaluate(self, expression: nodes.Expr) -> Any:
        """The JSON value of one expression (the whole string value is one placeholder)."""
        assign = nodes.Assign(nodes.Name("result", "store", lineno=1), expression, lineno=1)
        template = self.env.from_string(nodes.Template([assign], lineno=1))
        module = template.make_module(self.variables)
        return _plain(vars(module)["result"])


def render_payload(template: Mapping[str, Any], variables: Mapping[str, Any]) -> RenderedPayload:
    """Render a payload template's string values with ``variables``.

    The result always has a top-level ``call_disposition``: the template's own
    if it sets one, otherwise ``variables["call_disposition"]`` (``None`` when
    there is none).

    :param template: the JSON object to render (a node's ``payload_template``).
    :param variables: the template variables, plain JSON (see
        :func:`~jackfield_webhook.build_render_context`).
    :raises TemplateError: for a syntax error, a statement, an unsafe or too
        large expression, or a failing filter; it names the value's location.
    """
    if not isinstance(template, Mapping):
        raise TemplateError(location="", kind="not_an_object")
    missing: list[str] = []
    token = _MISSING.set(missing)
    try:
        payload = _Renderer(variables).walk(template, "")
    finally:
        _MISSING.reset(token)
    if "call_disposition" not in payload:
        payload["call_disposition"] = _plain(variables.get("call_disposition"))
    if len(json.dumps(payload, ensure_ascii=False)) > MAX_PAYLOAD_CHARS:
        raise TemplateError(location="", kind="too_large")
    return RenderedPayload(payload=payload, missing=sorted(set(missing)))

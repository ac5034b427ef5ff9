"""The one place where jackfield calls plugin hook implementations.

pluggy's own hook call runs every implementation in one loop and lets the
first exception escape without saying whose it was. jackfield's hooks are
fan-out hooks whose failures must stay inside their plugin, so the host calls
each implementation itself, through pluggy's public ``get_hookimpls()`` and
``HookImpl.function``, and turns every call into a :class:`HookResult`
attributed to its plugin. Tracing happens here and nowhere else.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pluggy

from jackfield._host._tracing import trace_hook_call

__all__ = ["HookResult", "acall_each", "call_each", "implementations"]

T = TypeVar("T")

#: Per-plugin keyword arguments: called with a plugin name, returns the
#: arguments that differ for that plugin (merged over the shared ones).
PerPluginKwargs = Callable[[str], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class HookResult(Generic[T]):
    """What one plugin's implementation of a hook returned, or how it failed.

    :param plugin: the plugin's name.
    :param hook: the hook's name.
    :param value: the return value (``None`` when it failed or returned nothing).
    :param error: the exception it raised (a :class:`TimeoutError` when it ran
        past its time limit), ``None`` on success.
    :param duration_ms: wall time of the call in milliseconds.
    """

    plugin: str
    hook: str
    value: T | None
    error: Exception | None
    duration_ms: float

    @property
    def ok(self) -> bool:
        """``True`` if the implementation returned without raising."""
        return self.error is None


def implementations(
    pm: pluggy.PluginManager, hook_name: str, plugins: Collection[str] | None = None
) -> list[pluggy.HookImpl]:
    """Return ``hook_name``'s implementations in pluggy's call order.

    pluggy calls the *last* of ``get_hookimpls()`` first (so ``tryfirst`` ones
    first, ``trylast`` ones last); this keeps that order. ``plugins`` keeps only
    the implementations of the named plugins.

    :raises ValueError: ``hook_name`` is not a jackfield hook.
    """
    caller = getattr(pm.hook, hook_name, None)
    if caller is None or not caller.has_spec():
        raise ValueError(f"{hook_name!r} is not a jackfield hook")
    impls = list(reversed(caller.get_hookimpls()))
    if plugins is None:
        return impls
    wanted = set(plugins)
    return [impl for impl in impls if impl.plugin_name in wanted]


def _arguments(
    impl: pluggy.HookImpl,
    hook_name: str,
    kwargs: Mapping[str, Any],
    per_plugin: PerPluginKwargs | None,
) -> list[Any]:
    """The positional arguments ``impl`` declares, taken from the call's keyword arguments."""
    merged = {**kwargs, **per_plugin(impl.plugin_name)} if per_plugin else kwargs
    missing = [name for name in impl.argnames if name not in merged]
    if missing:
        raise TypeError(f"{hook_name} called without argument(s) {', '.join(missing)}")
    return [merged[name] for name in impl.argnames]


def call_each(
    pm: pluggy.PluginManager,
    hook_name: str,
    *,
    plugins: Collection[str] | None = None,
    per_plugin: PerPluginKwargs | None = None,
    trace: bool = False,
    kwargs: Mapping[str, Any],
) -> list[HookResult[Any]]:
    """Call each plugin's implementation of ``hook_name``; never raise for a plugin.

    Each implementation gets only the arguments it declares (pluggy's opt-in
    arguments), from ``kwargs`` updated with ``per_plugin(plugin)``. An
    ``Exception`` from an implementation becomes that plugin's
    :attr:`HookResult.error`; ``BaseException`` (``KeyboardInterrupt``...)
    propagates. Values are returned as they are: an awaitable is not awaited
    (use :func:`acall_each` for that).
    """
    results: list[HookResult[Any]] = []
    for impl in implementations(pm, hook_name, plugins):
        args = _arguments(impl, hook_name, kwargs, per_plugin)
        start = time.perf_counter()
        value: Any = None
        error: Exception | None = None
        try:
            value = impl.function(*args)
        except Exception as exc:
            error = exc
        duration_ms = (time.perf_counter() - start) * 1000.0
        if trace:
            trace_hook_call(impl.plugin_name, hook_name, duration_ms, error)
        results.append(HookResult(impl.plugin_name, hook_name, value, error, duration_ms))
    return results


async def _invoke(function: Callable[..., Any], args: list[Any]) -> Any:
    """Await a coroutine function; run a plain one in a worker thread."""
    if inspect.iscoroutinefunction(function):
        return await function(*args)
    value = await asyncio.to_thread(function, *args)
    if inspect.isawaitable(value):
        value = await value
    return value


async def acall_each(
    pm: pluggy.PluginManager,
    hook_name: str,
    *,
    plugins: Collection[str] | None = None,
    per_plugin: PerPluginKwargs | None = None,
    timeout_s: float | None = None,
    timeouts_s: Mapping[str, float] | None = None,
    trace: bool = False,
    kwargs: Mapping[str, Any],
) -> list[HookResult[Any]]:
    """Call every plugin's implementation of ``hook_name`` concurrently and await each.

    ``async def`` implementations are awaited on the running loop; plain ones
    run in a worker thread (so a blocking handler never stalls the loop). Each
    call has the time limit ``timeouts_s[plugin]``, else ``timeout_s`` (``None``:
    no limit); one that runs past it gets a :class:`TimeoutError` as its error.
    Results come back in call order, one per implementation.
    """

    async def one(impl: pluggy.HookImpl) -> HookResult[Any]:
        args = _arguments(impl, hook_name, kwargs, per_plugin)
        limit = (timeouts_s or {}).get(impl.plugin_name, timeout_s)
        start = time.perf_counter()
        value: Any = None
        error: Exception | None = None
        scope = asyncio.timeout(limit)
        try:
            async with scope:
                value = await _invoke(impl.function, args)
        except TimeoutError as exc:
            expired = scope.expired()
            error = TimeoutError(f"{hook_name} took longer than {limit} s") if expired else exc
        except Exception as exc:
            error = exc
        duration_ms = (time.perf_counter() - start) * 1000.0
        if trace:
            trace_hook_call(impl.plugin_name, hook_name, duration_ms, error)
        return HookResult(impl.plugin_name, hook_name, value, error, duration_ms)

    impls = implementations(pm, hook_name, plugins)
    return list(await asyncio.gather(*(one(impl) for impl in impls)))

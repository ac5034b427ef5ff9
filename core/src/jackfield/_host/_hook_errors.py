"""Why a plugin's hook implementations were rejected, in words that quote no value.

pluggy checks hook implementations in two places. At registration
(``PluginManager.register``) it checks every implementation of a *known* hook
against the hook's spec: argument names, wrapper options. Implementations of
hooks it has no spec for are accepted there and only rejected by
``PluginManager.check_pending``. The host checks those itself right after
registering (so a typo fails its plugin at once), and still runs
``check_pending`` at the end as a last check.

In every case the plugin's status reason keeps pluggy's explanation: the hook,
the implementation's argument names and what is wrong with them. What pluggy
writes that could quote a value is left out: its ``hookimpl definition:`` line
prints the function's full signature (default values and annotations), and its
unknown-hook message prints the plugin object's ``repr``. The definition is
rebuilt from the argument names only, and the plugin is named by its plugin name.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Callable, Iterable
from typing import Final

import pluggy

__all__ = ["hook_rejection_reason", "registration_refusal_reason", "unknown_hook_reason"]

_DEFINITION: Final = "hookimpl definition:"
_FOR_HOOK: Final = re.compile(r"^Plugin '[^'\n]*' for hook '(?P<hook>[^'\n]+)'$")
_PLUGIN_ONLY: Final = re.compile(r"^Plugin '[^'\n]*'$")
_HOOK_LINE: Final = re.compile(r"^hook '(?P<hook>[^'\n]+)'$")
_UNKNOWN: Final = re.compile(r"^unknown hook '(?P<hook>[^'\n]+)' in plugin ")


def unknown_hook_reason(hook: str, known: Iterable[str]) -> str:
    """Say that the plugin implements ``hook``, which no jackfield hookspec declares."""
    known = sorted(known)
    close = difflib.get_close_matches(hook, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"implements {hook!r}, which is not a jackfield hook{hint} "
        f"(known hooks: {', '.join(known)})"
    )


def hook_rejection_reason(
    exc: pluggy.PluginValidationError, pm: pluggy.PluginManager, known: Iterable[str]
) -> str:
    """Return pluggy's explanation of ``exc`` as one line, with no value in it.

    ``"invalid hook implementation of 'jackfield_run_completion': hookimpl
    definition: jackfield_run_completion(nodez, context); Argument(s) {'nodez'}
    are declared in the hookimpl but can not be found in the hookspec; the
    hookspec's arguments: nodes, context"``.
    """
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    hook: str | None = None
    explanation: list[str] = []
    for line in lines:
        unknown = _UNKNOWN.match(line)
        if unknown:
            # check_pending: "unknown hook 'x' in plugin <repr of the plugin object>"
            return unknown_hook_reason(unknown["hook"], known)
        header = _FOR_HOOK.match(line) or _HOOK_LINE.match(line)
        if header:
            hook = header["hook"]
        elif _PLUGIN_ONLY.match(line):
            continue  # the plugin name; the status already belongs to the plugin
        elif line.startswith(_DEFINITION):
            explanation.append(f"{_DEFINITION} {_definition(exc.plugin, hook, pm)}")
        else:
            explanation.append(line)
    if hook is not None and any(line.startswith("Argument(s)") for line in explanation):
        spec_args = _spec_arguments(pm, hook)
        if spec_args is not None:
            explanation.append(f"the hookspec's arguments: {', '.join(spec_args) or '(none)'}")
    what = f"invalid hook implementation of {hook!r}" if hook else "invalid hook implementation"
    return f"{what}: {'; '.join(explanation)}" if explanation else what


def registration_refusal_reason(exc: ValueError) -> str:
    """pluggy's ``ValueError`` from ``register`` without the objects it prints.

    ("Plugin already registered under a different name: p=<repr>\\n{name: <repr>}").
    """
    head = str(exc).split(":", 1)[0].strip()
    return f"cannot be registered: {head or type(exc).__name__}"


def _definition(plugin: object, hook: str | None, pm: pluggy.PluginManager) -> str:
    """``name(arg, other, *args)``: the implementation's argument names, nothing else."""
    function = _implementation(plugin, hook, pm) if hook is not None else None
    if function is None:
        return f"{hook or 'the hook'}(...) (signature withheld)"
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return f"{hook}(...) (signature withheld)"
    names = []
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            names.append(f"*{parameter.name}")
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            names.append(f"**{parameter.name}")
        else:
            names.append(parameter.name)
    return f"{getattr(function, '__name__', hook)}({', '.join(names)})"


def _implementation(
    plugin: object, hook: str, pm: pluggy.PluginManager
) -> Callable[..., object] | None:
    """The function ``plugin`` implements ``hook`` with (its ``specname`` counts)."""
    for attr in dir(plugin):
        try:
            opts = pm.parse_hookimpl_opts(plugin, attr)
        except Exception:
            continue
        if opts is None or (opts.get("specname") or attr) != hook:
            continue
        try:
            # pluggy has already read this attribute: a hook implementation is
            # a function or method, not a property that could run plugin code.
            function = getattr(plugin, attr)
        except Exception:
            return None
        return function if callable(function) else None
    return None


def _spec_arguments(pm: pluggy.PluginManager, hook: str) -> tuple[str, ...] | None:
    caller = getattr(pm.hook, hook, None)
    spec = getattr(caller, "spec", None)
    if spec is None:
        return None
    return (*spec.argnames, *spec.kwargnames)

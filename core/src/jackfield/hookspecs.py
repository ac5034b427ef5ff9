# mypy: disable-error-code="empty-body"
# (hook specifications are never called: pluggy reads their signatures only)
"""The jackfield plugin contract: the five hooks a plugin may implement.

A plugin is a module (or object) named by an entry point in the
``jackfield.integrations`` group. It implements any subset of the hooks below
with functions of the same name decorated with :data:`hookimpl`::

    from jackfield import NodeRegistration, hookimpl

    @hookimpl
    def jackfield_register_nodes() -> list[NodeRegistration]:
        return [NodeRegistration.from_model(TunerNodeData)]

An implementation may declare fewer arguments than the specification (pluggy's
opt-in arguments), so new arguments can be added without breaking plugins.

Every hook is a fan-out hook: the host calls each plugin's implementation on
its own and keeps each result under that plugin's name (``jackfield_check_node``
is called on the plugin owning the node type only). None of them stops at
the first result, and a plugin must not rely on the order in which plugins are
called. An implementation that raises is confined to its plugin: the host
records the failure under the plugin's name and goes on with the others.
Hook wrappers (``wrapper=True``/``hookwrapper=True``) are not supported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from fastapi import APIRouter

    from jackfield._calls._check import CheckContext, CheckResult
    from jackfield._calls._completion_context import CompletionContext
    from jackfield._calls._runtime_context import RuntimeContext, RuntimeSession
    from jackfield._specs._node_data import BaseNodeData
    from jackfield._specs._registration import NodeRegistration

__all__ = [
    "PROJECT_NAME",
    "hookimpl",
    "hookspec",
    "jackfield_check_node",
    "jackfield_create_runtime_sessions",
    "jackfield_register_nodes",
    "jackfield_routers",
    "jackfield_run_completion",
]

#: pluggy project name shared by the markers and the host's plugin manager.
PROJECT_NAME = "jackfield"

#: Marks a function as a jackfield hook specification (used by jackfield itself).
hookspec = pluggy.HookspecMarker(PROJECT_NAME)

#: Marks a plugin function as an implementation of a jackfield hook.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def jackfield_register_nodes() -> Sequence[NodeRegistration] | None:
    """Return the node types this plugin provides.

    Called once per host, while the host loads, before any other hook. Build
    each registration from its model (``NodeRegistration.from_model(Model)``:
    the spec is ``build_spec(Model)``, the secrets its ``secret=True`` fields)
    so the two cannot drift apart.

    :return: a list of :class:`~jackfield.NodeRegistration` (empty, or
        ``None``, if the plugin provides no node type). Each ``type_name`` must
        equal its ``node_spec.name``; each name in ``sensitive_fields`` must be
        a field of ``data_model``; the spec's examples must validate against
        the model. If any registration breaks a rule, or another plugin claims
        the same type name, the whole plugin is marked failed and contributes
        nothing (no node types, sessions, completion or routers).

    Order: irrelevant; each plugin's registrations are kept under its name and
    a type name claimed by two plugins is served by neither.
    """


@hookspec
def jackfield_create_runtime_sessions(
    context: RuntimeContext,
) -> Sequence[RuntimeSession] | None:
    """Return the live-call sessions this plugin wants for one call.

    Called before a call starts, only for plugins that have at least one node
    of their own types in the call's workflow. Keep it light: no network I/O;
    collect during the call and deliver after it, in
    :func:`jackfield_run_completion`.

    :param context: the call being started (a :class:`~jackfield.RuntimeContext`):
        workflow run id and run, the validated workflow graph, the run
        definition, user configuration, whether the call is realtime, and a
        provider of the current LLM context messages.
    :return: a list of :class:`~jackfield.RuntimeSession` objects, normally one
        per call, or an empty list (or ``None``) when none of the plugin's nodes
        is enabled. The host attaches each session to the call and, when it
        ends, awaits its ``on_call_finished`` and stores the snapshot it
        returns under the plugin's name.

    Order: each plugin is called independently; a plugin that raises gets no
    session for this call and the call goes on.
    """


@hookspec
def jackfield_run_completion(
    nodes: Sequence[Mapping[str, Any]], context: CompletionContext
) -> Awaitable[Mapping[str, Any] | None] | Mapping[str, Any] | None:
    """Deliver this plugin's results after a call has ended.

    Called in a post-call worker, never inside the live call. Write it as an
    ``async def`` (awaited on the worker's event loop) or as a plain function
    (run in a worker thread).

    :param nodes: this plugin's own enabled nodes, as
        :class:`~jackfield.PluginNode` items (``node.id``, ``node.type``,
        ``node.data`` validated by the type's registered model, ``node.raw``).
        Disabled nodes never arrive (the host records them as skipped); with
        ``@completion_settings(typed_nodes=True)`` nodes whose data no longer
        validates never arrive either (recorded as failed, ``invalid_config``).
        Reading an item as a dict (``node["id"]``) still works, with one logged
        deprecation per plugin.
    :param context: a :class:`~jackfield.CompletionContext`: workflow run id
        and run, the pinned definition and its id, organization id, a public
        token (or ``None``), this plugin's own runtime snapshot, the attempt
        (``attempt``, ``max_attempts``, ``is_final_attempt``), its own
        ``previous_results`` and the typed ``call`` facts.
    :return: a JSON-serialisable dict of results keyed per node id (or
        ``None`` if there is nothing to report), each value built with
        :func:`~jackfield.delivered`, :func:`~jackfield.duplicate`,
        :func:`~jackfield.skipped` or :func:`~jackfield.failed` (a plain dict
        counts as delivered). It is merged into the run's annotations under the
        plugin's name. Raise :class:`~jackfield.RetryLater` for a transient
        failure (its message is kept, sanitised, and logged); any other
        exception is recorded as this plugin's failure and the others go on.

    Order: plugins run by completion phase (analysis, then delivery, then
    notification); within a phase, concurrently. A later phase sees the
    annotations of the earlier ones. Declare the phase and time limit with
    :func:`~jackfield.completion_settings` on the implementation (default:
    delivery, 30 s).
    """


@hookspec
def jackfield_routers() -> Sequence[APIRouter] | None:
    """Return the HTTP routers this plugin adds to a server.

    Called once when a server mounts plugin routes. FastAPI is not a
    dependency of jackfield: a plugin that returns routers depends on FastAPI
    itself and imports it inside this function where possible.

    :return: a list of ``fastapi.APIRouter`` objects (empty, or ``None``, for
        none). The host keeps them per plugin name; the server decides the
        mount prefix.

    Order: irrelevant. A plugin whose implementation raises is reported and
    mounts nothing; the other plugins' routers are still returned.
    """


@hookspec
def jackfield_check_node(
    node_type: str, data: BaseNodeData, context: CheckContext
) -> Awaitable[CheckResult | None] | CheckResult | None:
    """Verify one node's configuration against the plugin's service: "Save & test".

    Called when a user (or ``jackfield doctor --check``) asks for it, never
    during a call: nothing is stored and no call is made. Contact the service
    the way a completion would (same URL, same credentials) with the cheapest
    request that proves the configuration works (an authenticated ``GET`` of
    the agent the node names, say). Write it as an ``async def`` (awaited on
    the host's loop) or as a plain function (run in a worker thread).

    :param node_type: the node's type: one of this plugin's own types. A plugin
        with several types checks the ones it can and returns ``None`` for others.
    :param data: the node's data, already validated: an instance of the type's
        registered ``data_model``, secrets included (the host resolved them
        from its store; a masked value never reaches a check).
    :param context: a :class:`~jackfield.CheckContext`: the time limit
        (``timeout_s``; give network calls a shorter one), the node id (or
        ``None``) and the host's credential resolver (or ``None``).
    :return: ``None`` if the plugin has no check for ``node_type``; else a
        :class:`~jackfield.CheckResult`: ``CheckResult()`` when the service
        accepts the configuration (optionally with a JSON ``detail`` such as
        ``{"latency_ms": 42}``), or one :class:`~jackfield.CheckProblem` per
        thing wrong, naming the field at fault and a :class:`~jackfield.CheckCode`:
        a refused key (``invalid_credential`` on the key's field), an unknown
        agent or project (``unknown_reference``), an endpoint that cannot be
        reached (``unreachable`` on the URL field), no answer in time
        (``timeout``). Name fields, never quote values: the host scrubs the
        node's secrets from the answer anyway.

    Order: not a broadcast. The host calls only the plugin that owns
    ``node_type``; no other plugin's answer counts. An implementation that
    raises, runs past ``context.timeout_s`` or returns anything else is
    reported as a problem attributed to the plugin (``plugin_error``,
    ``plugin_timeout``).
    """

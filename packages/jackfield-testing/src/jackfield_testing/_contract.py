"""The plugin contract suite: every rule a jackfield plugin must keep, as pytest tests.

Subclass :class:`PluginContract` in your plugin's tests, say what cannot be
inferred (the plugin, a valid enabled node config, what the service receives),
and pytest runs every check below against your plugin. A failure names the rule
it broke as ``[contract:<rule>]``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest

from jackfield import NodeRegistration, NodeStatus, lint_node_spec
from jackfield.host import (
    NodeCheck,
    PluginHost,
    PluginStatus,
    ScriptedCall,
    WorkflowDefinition,
    check_node,
    mask_definition,
    merge_definition,
)
from jackfield_testing._calls import complete, make_host, run_live_call, sample_call, workflow_with
from jackfield_testing._discipline import DEFAULT_HEAVY_MODULES, check_import
from jackfield_testing._logs import SecretLogGuard
from jackfield_testing._server import RecordedRequest, RecordingServer, Reply

__all__ = ["ContractViolation", "ExpectedRequest", "PluginContract", "contract_failure"]


_EXAMPLE_RULES = frozenset({"examples-missing", "example-invalid"})
_SECRET_NAME = re.compile(
    r"(^|_)(api_?key|access_?key|secret|token|password|passwd|private_key|auth)($|_)", re.I
)


class ContractViolation(AssertionError):
    """A plugin broke a contract rule; the message starts with ``[contract:<rule>]``."""


def contract_failure(rule: str, message: str) -> ContractViolation:
    """Build the failure of ``rule`` with a readable ``message``."""
    return ContractViolation(f"[contract:{rule}] {message}")


@dataclass(frozen=True, slots=True)
class ExpectedRequest:
    """A request the plugin must send to the service during a completion.

    :param method: the HTTP method.
    :param path: the request path (no query string).
    :param reply: what the stand-in service answers.
    """

    method: str
    path: str
    reply: Reply = field(default_factory=lambda: Reply(200, {}))


class PluginContract:
    """Base class of a plugin's contract tests; subclass it as ``TestContract``.

    Set the class attributes and override the methods marked *required*; the
    inherited ``test_*`` methods are the contract. Every node config you give is
    a node's ``data`` and must be *enabled* (``"enabled": true`` if your model
    has that field).
    """

    #: The plugin's name, as its entry point names it (required).
    plugin_name: ClassVar[str] = ""
    #: Dotted name of the entry-point module (required), e.g. ``"jackfield_tuner.plugin"``.
    plugin_module: ClassVar[str] = ""
    #: The node type the checks use; defaults to the plugin's only node type.
    node_type: ClassVar[str | None] = None
    #: Modules that importing the entry-point module must not import.
    heavy_modules: ClassVar[Sequence[str]] = DEFAULT_HEAVY_MODULES
    #: Fields whose names look secret (``api_key``, ``token``...) but hold no secret.
    not_secret_fields: ClassVar[Sequence[str]] = ()
    #: Data key of the enabled flag, or ``None`` if the model has none.
    enabled_field: ClassVar[str | None] = "enabled"
    #: Time limit of the contract's node checks (``check-slow`` makes the
    #: service take three times as long).
    check_timeout_s: ClassVar[float] = 2.0

    # -- what the author provides -------------------------------------------------

    def valid_data(self, server_url: str) -> dict[str, Any]:
        """*Required.* A valid, enabled node config whose service URL is ``server_url``."""
        raise NotImplementedError(f"{type(self).__name__} must define valid_data(server_url)")

    def incomplete_data(self) -> dict[str, Any] | None:
        """An enabled config missing something it needs; it must fail validation.

        Return ``None`` if every config of the model is complete.
        """
        return None

    def expected_requests(self) -> Sequence[ExpectedRequest]:
        """The requests one successful completion sends; empty if it sends none."""
        return ()

    def scripted_call(self) -> ScriptedCall:
        """The call replayed through the plugin's sessions (a short sample call by default)."""
        return sample_call()

    def check_requests(self, requests: Sequence[RecordedRequest]) -> None:
        """Check the requests the service received in the happy path (optional)."""

    def check_replies(self) -> Sequence[Reply]:
        """What a working service answers to the requests of ``jackfield_check_node``.

        Default: none, so every request gets the server's default (200, ``{}``).
        """
        return ()

    def bad_credential_data(self, server_url: str) -> dict[str, Any]:
        """:meth:`valid_data` with a credential the service refuses.

        Default: every sensitive string field replaced by a wrong value.
        """
        data = self.valid_data(server_url)
        reg = self.registration(self.host())
        for name in reg.sensitive_fields:
            if isinstance(data.get(name), str):
                data[name] = "contract-wrong-credential-0000"
        return data

    def bad_credential_replies(self) -> Sequence[Reply]:
        """What the service answers a check made with :meth:`bad_credential_data` (401)."""
        return (Reply(401, {"error": "invalid credential"}),)

    # -- helpers ------------------------------------------------------------------

    def plugin_object(self) -> object:
        """The entry-point module (override if your entry point names an object in it)."""
        return importlib.import_module(self.plugin_module)

    def host(self) -> PluginHost:
        """A host with only this plugin (and core's built-in nodes)."""
        return make_host({self.plugin_name: self.plugin_object()})

    def registration(self, host: PluginHost) -> NodeRegistration:
        """The registration of :attr:`node_type` (or of the plugin's only node type)."""
        info = host.plugin(self.plugin_name)
        if info is None or info.status is not PluginStatus.LOADED:
            reason = info.reason if info is not None else "not registered"
            raise contract_failure("plugin-loads", f"plugin {self.plugin_name!r}: {reason}")
        types = info.node_types
        if self.node_type is None and len(types) != 1:
            raise contract_failure(
                "plugin-loads",
                f"plugin {self.plugin_name!r} has node types {list(types)}; set node_type",
            )
        return host.registration(self.node_type or types[0])

    def definition(self, data: Mapping[str, Any], *, node_id: str = "node-1") -> dict[str, Any]:
        """A runnable workflow holding one node of the plugin's type with ``data``."""
        reg = self.registration(self.host())
        return workflow_with({"id": node_id, "type": reg.type_name, "data": dict(data)})

    def _secrets(self, reg: NodeRegistration, data: Mapping[str, Any]) -> list[str]:
        values: list[str] = []
        for name in reg.sensitive_fields:
            value = data.get(name)
            items = value if isinstance(value, list) else [value]
            values.extend(v for v in items if isinstance(v, str) and len(v) > 4)
        return values

    def run_check(self, data: Mapping[str, Any]) -> tuple[NodeCheck, float]:
        """Check ``data`` through the host as a server would; the answer and its seconds."""
        host = self.host()
        reg = self.registration(host)
        info = host.plugin(self.plugin_name)
        if info is None or "jackfield_check_node" not in info.hooks:
            pytest.skip("the plugin has no check (jackfield_check_node)")

        async def timed() -> tuple[NodeCheck, float]:
            start = time.perf_counter()
            result = await check_node(
                host, reg.type_name, data, node_id="node-1", timeout_s=self.check_timeout_s
            )
            return result, time.perf_counter() - start

        return asyncio.run(timed())

    def _check_failure(self, rule: str, result: NodeCheck, expected: str) -> ContractViolation:
        problems = "; ".join(f"{p.field}: {p.message} [{p.code}]" for p in result.problems)
        return contract_failure(
            rule, f"{result.node_type}: {expected}; the check answered {result.status}: {problems}"
        )

    @pytest.fixture
    def contract_server(self) -> Iterator[RecordingServer]:
        """A recording server standing in for the plugin's service."""
        with RecordingServer() as server:
            yield server

    @pytest.fixture
    def contract_log_guard(self) -> Iterator[SecretLogGuard]:
        """Captures log records so the checks can look for secrets in them."""
        import logging

        guard = SecretLogGuard()
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(guard)
        root.setLevel(logging.DEBUG)
        try:
            yield guard
        finally:
            root.removeHandler(guard)
            root.setLevel(old_level)

    # -- the contract -------------------------------------------------------------

    def test_contract_plugin_loads(self) -> None:
        """The plugin loads on a host and registers its node types."""
        self.registration(self.host())

    def test_contract_examples_validate(self) -> None:
        """Every example in the spec is valid data for the model."""
        reg = self.registration(self.host())
        if not reg.node_spec.examples:
            raise contract_failure("spec-examples", f"{reg.type_name}: the spec has no example")
        for index, example in enumerate(reg.node_spec.examples):
            try:
                reg.data_model.model_validate(example.data)
            except Exception as exc:
                raise contract_failure(
                    "spec-examples",
                    f"{reg.type_name}: examples[{index}] does not validate: {type(exc).__name__}",
                ) from None

    def test_contract_spec_lint(self) -> None:
        """The spec has no lint problem (descriptions, examples, display options...)."""
        reg = self.registration(self.host())
        problems = [
            p
            for p in lint_node_spec(reg.node_spec, reg.data_model)
            if p.rule not in _EXAMPLE_RULES  # test_contract_examples_validate reports those
        ]
        if problems:
            lines = "; ".join(f"{p.rule} at {p.path or '(node)'}: {p.message}" for p in problems)
            raise contract_failure("spec-lint", f"{reg.type_name}: {lines}")

    def test_contract_secret_looking_fields_are_sensitive(self) -> None:
        """Every field whose name looks secret is registered as sensitive."""
        reg = self.registration(self.host())
        missing = [
            name
            for name in reg.data_model.model_fields
            if _SECRET_NAME.search(name)
            and name not in reg.sensitive_fields
            and name not in self.not_secret_fields
        ]
        if missing:
            raise contract_failure(
                "secret-masking",
                f"{reg.type_name}: fields {missing} look secret but are not in the "
                "registration's sensitive_fields (list them in not_secret_fields if they "
                "are not secrets)",
            )

    def test_contract_valid_config_accepted(self, contract_server: RecordingServer) -> None:
        """The author's valid config validates."""
        reg = self.registration(self.host())
        try:
            reg.data_model.model_validate(self.valid_data(contract_server.url))
        except Exception as exc:
            raise contract_failure(
                "node-validation", f"{reg.type_name}: valid_data() is rejected: {exc}"
            ) from None

    def test_contract_incomplete_config_rejected(self) -> None:
        """An enabled but incomplete config fails validation."""
        data = self.incomplete_data()
        if data is None:
            pytest.skip("incomplete_data() returns None: every config is complete")
        reg = self.registration(self.host())
        try:
            reg.data_model.model_validate(data)
        except Exception:
            return
        raise contract_failure(
            "node-validation",
            f"{reg.type_name}: an enabled but incomplete config validates; check required "
            "fields in a @model_validator(mode='after')",
        )

    def test_contract_secrets_masked_and_round_trip(self, contract_server: RecordingServer) -> None:
        """Sensitive fields are masked on the way out and restored on the way back."""
        host = self.host()
        reg = self.registration(host)
        data = self.valid_data(contract_server.url)
        secrets = self._secrets(reg, data)
        if not reg.sensitive_fields:
            pytest.skip("the node type registers no sensitive field")
        stored = WorkflowDefinition.from_dict(self.definition(data))
        masked = mask_definition(stored, host)
        text = json.dumps(masked.to_dict())
        for secret in secrets:
            if any(secret[i : i + 5] in text for i in range(len(secret) - 4)):
                raise contract_failure(
                    "secret-masking",
                    f"{reg.type_name}: part of a sensitive value is visible in the masked "
                    "definition",
                )
        merged = merge_definition(masked, stored, host)
        if not merged.ok:
            codes = ", ".join(p.message for p in merged.problems)
            raise contract_failure(
                "secret-round-trip",
                f"{reg.type_name}: merging the masked definition back failed: {codes}",
            )
        node = next(n for n in merged.definition.to_dict()["nodes"] if n["id"] == "node-1")
        for name in reg.sensitive_fields:
            if node["data"].get(name) != data.get(name):
                raise contract_failure(
                    "secret-round-trip",
                    f"{reg.type_name}.{name}: sending the masked value back does not keep "
                    "the stored secret",
                )

    def test_contract_import_discipline(self) -> None:
        """Importing the entry-point module is light: no heavy modules, env vars or I/O."""
        report = check_import(self.plugin_module, heavy=self.heavy_modules)
        if report.problems:
            raise contract_failure("import-discipline", "; ".join(report.problems))

    def test_contract_runtime_snapshot(self, contract_server: RecordingServer) -> None:
        """Sessions built for an enabled node observe a call and leave a JSON snapshot."""
        host = self.host()
        reg = self.registration(host)
        info = host.plugin(self.plugin_name)
        if info is None or "jackfield_create_runtime_sessions" not in info.hooks:
            pytest.skip("the plugin creates no runtime session")
        logs = run_live_call(
            host, self.definition(self.valid_data(contract_server.url)), self.scripted_call()
        )
        entry = logs.get(self.plugin_name)
        if not entry or entry.get("errors"):
            errors = entry.get("errors") if entry else "no log entry"
            raise contract_failure(
                "runtime-snapshot", f"{reg.type_name}: the live call recorded errors: {errors}"
            )
        try:
            json.dumps(entry.get("snapshot"))
        except (TypeError, ValueError):
            raise contract_failure(
                "runtime-snapshot", f"{reg.type_name}: the snapshot is not JSON-serialisable"
            ) from None

    def test_contract_completion_happy_path(
        self, contract_server: RecordingServer, contract_log_guard: SecretLogGuard
    ) -> None:
        """Completion delivers, sends the expected requests, and leaks no secret."""
        host = self.host()
        reg = self.registration(host)
        info = host.plugin(self.plugin_name)
        if info is None or "jackfield_run_completion" not in info.hooks:
            pytest.skip("the plugin has no completion handler")
        data = self.valid_data(contract_server.url)
        contract_log_guard.watch(self._secrets(reg, data))
        expected = list(self.expected_requests())
        contract_server.reply(
            *(
                Reply(**{**_reply_fields(e.reply), "method": e.method, "path": e.path})
                for e in expected
            )
        )
        definition = self.definition(data)
        logs = run_live_call(host, definition, self.scripted_call())
        outcome = complete(host, definition, integration_logs=logs)
        status = outcome.nodes["node-1"].status
        if status is not NodeStatus.DELIVERED:
            detail = outcome.annotations.get(self.plugin_name)
            raise contract_failure(
                "completion-happy-path",
                f"{reg.type_name}: node status is {status.value}, not delivered: {detail}",
            )
        received = [(r.method, r.path) for r in contract_server.requests]
        for request in expected:
            if (request.method, request.path) not in received:
                raise contract_failure(
                    "completion-happy-path",
                    f"{reg.type_name}: expected {request.method} {request.path}; "
                    f"the service received {received}",
                )
        self.check_requests(contract_server.requests)
        results = json.dumps(outcome.annotations)
        if any(secret in results for secret in self._secrets(reg, data)):
            raise contract_failure(
                "no-secret-in-results", f"{reg.type_name}: a secret value is in the annotations"
            )
        contract_log_guard.check()

    def test_contract_disabled_node_skipped(self, contract_server: RecordingServer) -> None:
        """A disabled node sends nothing and is recorded as skipped."""
        if self.enabled_field is None:
            pytest.skip("the model has no enabled flag")
        host = self.host()
        data = {**self.valid_data(contract_server.url), self.enabled_field: False}
        definition = self.definition(data)
        logs = run_live_call(host, definition, self.scripted_call())
        if self.plugin_name in logs:
            raise contract_failure(
                "disabled-node-skip", "a disabled node still got a runtime session"
            )
        outcome = complete(host, definition, integration_logs=logs)
        if contract_server.requests or outcome.nodes["node-1"].status is not NodeStatus.SKIPPED:
            raise contract_failure(
                "disabled-node-skip",
                f"a disabled node was not skipped: status {outcome.nodes['node-1'].status.value}, "
                f"{len(contract_server.requests)} request(s) sent",
            )

    def test_contract_check_ok(self, contract_server: RecordingServer) -> None:
        """The check accepts the valid config against a working service, and leaks no secret."""
        contract_server.always(*self.check_replies())
        data = self.valid_data(contract_server.url)
        result, _ = self.run_check(data)
        if result.status != "ok":
            raise self._check_failure("check-ok", result, "expected ok for valid_data()")
        reg = self.registration(self.host())
        if any(secret in json.dumps(result.to_dict()) for secret in self._secrets(reg, data)):
            raise contract_failure("check-ok", f"{reg.type_name}: the check answer holds a secret")

    def test_contract_check_bad_credential(self, contract_server: RecordingServer) -> None:
        """A credential the service refuses is a problem naming a secret field."""
        contract_server.always(*self.bad_credential_replies())
        reg = self.registration(self.host())
        result, _ = self.run_check(self.bad_credential_data(contract_server.url))
        fields = set(reg.sensitive_fields)
        if not any(p.field in fields for p in result.problems):
            raise self._check_failure(
                "check-bad-credential",
                result,
                f"expected a problem on one of the fields {sorted(fields)}",
            )

    def test_contract_check_unreachable(self) -> None:
        """A service that cannot be reached (a closed port) is reported as ``unreachable``."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        result, _ = self.run_check(self.valid_data(f"http://127.0.0.1:{port}"))
        if not any(p.code == "unreachable" for p in result.problems):
            raise self._check_failure(
                "check-unreachable", result, "expected a problem with code 'unreachable'"
            )

    def test_contract_check_slow(self, contract_server: RecordingServer) -> None:
        """A service slower than the time limit: the check answers a failure, in time, itself."""
        limit = self.check_timeout_s
        contract_server.always(Reply(200, {}, delay_s=limit * 3))
        result, elapsed = self.run_check(self.valid_data(contract_server.url))
        if any(p.code == "plugin_timeout" for p in result.problems) or elapsed > limit + 0.5:
            raise self._check_failure(
                "check-slow",
                result,
                f"expected an answer of the plugin's own within {limit:g} s "
                f"(give network calls less than context.timeout_s); it took {elapsed:.1f} s",
            )
        if result.status == "ok":
            raise self._check_failure("check-slow", result, "expected a failure (timeout)")


def _reply_fields(reply: Reply) -> dict[str, Any]:
    return {
        "status": reply.status,
        "json_body": reply.json_body,
        "headers": dict(reply.headers),
        "delay_s": reply.delay_s,
    }

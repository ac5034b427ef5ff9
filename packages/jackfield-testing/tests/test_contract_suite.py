"""The contract suite: a good plugin passes every check; each faulty one fails exactly its rule.

Each case writes a small plugin module and a contract test module into a
pytester directory and runs pytest on them in a subprocess, so the plugin is a
real module imported by name (the import-discipline check needs that).
"""

from __future__ import annotations

import re
import textwrap

import pytest

GOOD_PLUGIN = """
import json
import urllib.error
import urllib.request
from typing import ClassVar

from pydantic import model_validator

from jackfield import (
    BaseNodeData,
    CallRecorder,
    CheckCode,
    CheckResult,
    GraphConstraints,
    NodeCategory,
    NodeRegistration,
    build_spec,
    hookimpl,
    node_spec,
    spec_field,
)

EXAMPLE = {
    "name": "Echo", "enabled": True, "base_url": "http://127.0.0.1:9", "api_key": "ek_123456"
}


@node_spec(
    name="echo",
    display_name="Echo",
    description="Sends a summary of every finished call to the Echo test service.",
    category=NodeCategory.INTEGRATION,
    graph_constraints=GraphConstraints(
        min_incoming=0, max_incoming=0, min_outgoing=0, max_outgoing=0
    ),
    examples=[{"name": "Typical", "data": EXAMPLE}],
)
class EchoNode(BaseNodeData):
    enabled: bool = spec_field(default=True, description="Whether calls are sent to Echo.")
    base_url: str = spec_field(default="https://echo.example", description="Echo service base URL.")
    api_key: str | None = spec_field(default=None, description="Echo API key for the account.")

    @model_validator(mode="after")
    def _key_when_enabled(self):
        if self.enabled and not self.api_key:
            raise ValueError("api_key is required when the node is enabled")
        return self


SESSION_RESULT = None


class Session(CallRecorder):
    async def on_call_finished(self, *, gathered_context):
        snapshot = await super().on_call_finished(gathered_context=gathered_context)
        return snapshot if SESSION_RESULT is None else SESSION_RESULT


@hookimpl
def jackfield_register_nodes():
    return [NodeRegistration(type_name="echo", data_model=EchoNode,
                             node_spec=build_spec(EchoNode), sensitive_fields=("api_key",))]


@hookimpl
def jackfield_create_runtime_sessions(context):
    return [Session("echo")]


DELIVERY_PATH = "/deliver"


@hookimpl
def jackfield_run_completion(nodes, context):
    results = {}
    for node in nodes:
        data = EchoNode.model_validate(node["data"])
        body = json.dumps({"run": context.workflow_run_id}).encode()
        request = urllib.request.Request(
            data.base_url + DELIVERY_PATH, data=body, method="POST",
            headers={"Authorization": "Bearer " + data.api_key, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            results[node["id"]] = {"status": "delivered", "http_status": response.status}
    return results


@hookimpl
def jackfield_check_node(node_type, data, context):
    request = urllib.request.Request(
        data.base_url + "/check", headers={"Authorization": "Bearer " + data.api_key}
    )
    try:
        with urllib.request.urlopen(request, timeout=context.timeout_s * 0.8):
            return CheckResult(detail={"latency_ms": 1})
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in (401, 403):
            return CheckResult.failed("api_key", "Echo refused the API key",
                                      code=CheckCode.INVALID_CREDENTIAL)
        return CheckResult.failed(None, f"Echo answered {exc.code}")
    except TimeoutError:
        return CheckResult.failed("base_url", "Echo did not answer in time", code=CheckCode.TIMEOUT)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return CheckResult.failed("base_url", "Echo did not answer", code=CheckCode.TIMEOUT)
        return CheckResult.failed("base_url", "Echo cannot be reached", code=CheckCode.UNREACHABLE)
"""

CONTRACT = """
from jackfield_testing import ExpectedRequest, PluginContract


class TestContract(PluginContract):
    plugin_name = "echo"
    plugin_module = "echoplugin"

    def valid_data(self, server_url):
        return {"name": "Echo", "enabled": True, "base_url": server_url, "api_key": "ek_live_98765"}

    def incomplete_data(self):
        return {"name": "Echo", "enabled": True}

    def expected_requests(self):
        return [ExpectedRequest("POST", "/deliver")]

    def check_requests(self, requests):
        assert requests[0].headers["authorization"] == "Bearer ek_live_98765"
"""

#: rule → (text to replace in the good plugin, its replacement, the failing test)
FAULTS = {
    "plugin-loads": (
        "def jackfield_register_nodes():\n",
        "def jackfield_register_nodes():\n    raise RuntimeError('boom')\n",
        None,
    ),
    "spec-examples": (
        'examples=[{"name": "Typical", "data": EXAMPLE}],',
        "examples=[],",
        "test_contract_examples_validate",
    ),
    "spec-lint": (
        'description="Echo service base URL."',
        'description="TODO"',
        "test_contract_spec_lint",
    ),
    "node-validation": (
        "        if self.enabled and not self.api_key:",
        "        if False:",
        "test_contract_incomplete_config_rejected",
    ),
    "secret-masking": (
        'sensitive_fields=("api_key",))]',
        "sensitive_fields=())]",
        # The check's bad-credential problem must name a sensitive field, so
        # a plugin whose key is not registered as one fails that case too.
        ("test_contract_secret_looking_fields_are_sensitive", "test_contract_check_bad_credential"),
    ),
    "import-discipline": (
        "SESSION_RESULT = None\n",
        "import os\nSESSION_RESULT = None\nREGION = os.environ.get('ECHO_REGION')\n",
        "test_contract_import_discipline",
    ),
    "runtime-snapshot": (
        "SESSION_RESULT = None\n",
        "SESSION_RESULT = {'seen': {1, 2}}\n",
        "test_contract_runtime_snapshot",
    ),
    "completion-happy-path": (
        'DELIVERY_PATH = "/deliver"',
        'DELIVERY_PATH = "/v2/deliver"',
        "test_contract_completion_happy_path",
    ),
    "no-secret-in-logs": (
        "        with urllib.request.urlopen",
        "        import logging\n"
        "        logging.getLogger('echo').info('sending with key %s', data.api_key)\n"
        "        with urllib.request.urlopen",
        "test_contract_completion_happy_path",
    ),
    "no-secret-in-results": (
        '{"status": "delivered", "http_status": response.status}',
        '{"status": "delivered", "key": data.api_key}',
        "test_contract_completion_happy_path",
    ),
    # The orchestrator skips nodes whose data says "enabled": false; a plugin
    # that names its flag otherwise gets its disabled nodes run.
    "disabled-node-skip": ("enabled", "active", "test_contract_disabled_node_skipped"),
    "check-ok": (
        'return CheckResult(detail={"latency_ms": 1})',
        'return CheckResult.failed(None, "always unhappy")',
        "test_contract_check_ok",
    ),
    "check-bad-credential": (
        'CheckResult.failed("api_key", "Echo refused the API key",',
        'CheckResult.failed(None, "Echo refused the API key",',
        "test_contract_check_bad_credential",
    ),
    "check-unreachable": (
        'Echo cannot be reached", code=CheckCode.UNREACHABLE',
        'Echo cannot be reached", code=CheckCode.REJECTED',
        "test_contract_check_unreachable",
    ),
    "check-slow": (
        "timeout=context.timeout_s * 0.8",
        "timeout=30",
        "test_contract_check_slow",
    ),
}


def run_contract(
    pytester: pytest.Pytester, plugin_source: str, contract: str = CONTRACT
) -> pytest.RunResult:
    pytester.makepyfile(echoplugin=textwrap.dedent(plugin_source))
    pytester.makepyfile(test_echo_contract=contract)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:asyncio", "-rA")


def failed_tests(result: pytest.RunResult) -> set[str]:
    return set(re.findall(r"FAILED \S+::TestContract::(\w+)", result.stdout.str()))


def test_a_good_plugin_passes_every_contract_check(pytester):
    result = run_contract(pytester, GOOD_PLUGIN)
    result.assert_outcomes(passed=15)


def test_the_check_cases_skip_for_a_plugin_without_a_check(pytester):
    without = GOOD_PLUGIN.replace("@hookimpl\ndef jackfield_check_node", "def jackfield_check_node")
    assert without != GOOD_PLUGIN
    result = run_contract(pytester, without)
    result.assert_outcomes(passed=11, skipped=4)


@pytest.mark.parametrize("rule", sorted(FAULTS))
def test_a_faulty_plugin_fails_exactly_its_rule(pytester, rule):
    old, new, failing_test = FAULTS[rule]
    assert old in GOOD_PLUGIN, f"fault {rule!r} no longer applies to the good plugin"
    if rule == "disabled-node-skip":  # renames the flag everywhere, and tells the contract
        contract = CONTRACT.replace('"enabled"', '"active"').replace(
            'plugin_module = "echoplugin"',
            'plugin_module = "echoplugin"\n    enabled_field = "active"',
        )
        result = run_contract(pytester, GOOD_PLUGIN.replace(old, new), contract)
    else:
        result = run_contract(pytester, GOOD_PLUGIN.replace(old, new, 1))
    output = result.stdout.str()
    assert f"[contract:{rule}]" in output
    if failing_test is None:  # nothing else can be checked on a plugin that does not load
        assert "test_contract_plugin_loads" in failed_tests(result)
    else:
        expected = {failing_test} if isinstance(failing_test, str) else set(failing_test)
        assert failed_tests(result) == expected
    # The failure messages themselves never repeat the secret (pytest's own
    # "captured log" section may, when the plugin logged it).
    contract_lines = [line for line in result.stdout.lines if "[contract:" in line]
    assert all("ek_live_98765" not in line for line in contract_lines)

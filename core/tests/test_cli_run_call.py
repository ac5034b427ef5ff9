"""``jackfield run-call``: the life of a call from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from call_plugins import RecordingSession, make_host, make_plugin, workflow
from click.testing import CliRunner

from jackfield import RetryLater
from jackfield._cli import main
from jackfield.host import HostFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CALL = EXAMPLES / "call.json"


def run(host, *args):
    factory = HostFactory(lambda strict: host)
    return CliRunner().invoke(main, ["run-call", *map(str, args)], obj=factory)


def write_workflow(tmp_path, document):
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(document))
    return path


def summarising_plugin(calls):
    async def completion(nodes, context):
        calls.append(context.attempt)
        if context.attempt == 1:
            raise RetryLater("warming up", delay_s=0)
        return {n["id"]: {"turns": len(context.runtime_snapshot["kinds"])} for n in nodes}

    return make_plugin(
        ["summary"], sessions=lambda ctx: [RecordingSession("summary")], completion=completion
    )


def test_example_files_run_with_the_builtin_plugins_only():
    result = run(make_host({}), "--workflow", EXAMPLES / "workflow.json", "--call", CALL)
    assert result.exit_code == 0, result.output
    assert "Replayed 12 event(s)" in result.output


def test_json_output_has_logs_annotations_and_node_states_with_inline_retries(tmp_path):
    calls = []
    host = make_host({"summary": summarising_plugin(calls)})
    path = write_workflow(tmp_path, workflow(("s1", "summary")))
    result = run(host, "--workflow", path, "--call", CALL, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["events"] == 12
    assert document["completion_rounds"] == 2
    assert calls == [1, 2]
    assert document["integration_logs"]["summary"]["snapshot"]["kinds"][0] == "call_started"
    assert document["annotations"]["summary"] == {"s1": {"turns": 12}}
    assert document["nodes"]["s1"]["status"] == "delivered"
    assert document["done"] is True


def test_human_output_lists_nodes_and_annotations(tmp_path):
    host = make_host({"summary": summarising_plugin([])})
    path = write_workflow(tmp_path, workflow(("s1", "summary")))
    result = run(host, "--workflow", path, "--call", CALL)
    assert result.exit_code == 0, result.output
    assert "Integration logs:" in result.output
    assert "s1" in result.output
    assert "delivered" in result.output


def test_retries_left_after_the_last_round_exit_1(tmp_path):
    host = make_host({"summary": summarising_plugin([])})
    path = write_workflow(tmp_path, workflow(("s1", "summary")))
    result = run(host, "--workflow", path, "--call", CALL, "--rounds", "1", "--json")
    assert result.exit_code == 1
    assert json.loads(result.output)["nodes"]["s1"]["status"] == "retry"


def test_failing_plugin_exits_1_and_is_reported(tmp_path):
    async def broken(nodes, context):
        raise KeyError("x")

    host = make_host({"broken": make_plugin(["broken"], completion=broken)})
    path = write_workflow(tmp_path, workflow(("b1", "broken")))
    result = run(host, "--workflow", path, "--call", CALL, "--json")
    assert result.exit_code == 1
    annotations = json.loads(result.output)["annotations"]
    assert annotations["broken"] == {"error": "completion_handler_failed", "type": "KeyError"}


def test_workflow_that_cannot_run_exits_2(tmp_path):
    path = write_workflow(tmp_path, workflow(("x1", "not-installed")))
    result = run(make_host({}), "--workflow", path, "--call", CALL)
    assert result.exit_code == 2
    assert "cannot run" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"kind": "call_ended"}]', "0.call_ended.disposition"),
        ("not json", "not a valid call"),
    ],
)
def test_invalid_call_file_exits_2(tmp_path, content, message):
    call = tmp_path / "call.json"
    call.write_text(content)
    result = run(make_host({}), "--workflow", EXAMPLES / "workflow.json", "--call", call)
    assert result.exit_code == 2
    assert message in result.output


def test_missing_file_exits_2(tmp_path):
    result = run(make_host({}), "--workflow", tmp_path / "nope.json", "--call", CALL)
    assert result.exit_code == 2
    assert "cannot read" in result.output

"""The messages sent to the model, and the validation of its answer."""

from __future__ import annotations

import json

import pytest
from jackfield_qa import (
    OUTPUT_INSTRUCTIONS,
    AnalysisOutputError,
    CallAnalysis,
    build_messages,
    conversation_nodes,
    format_transcript,
    parse_analysis,
)
from qa_support import booking_call, qa_workflow, record_snapshot, review

from jackfield import CallSnapshot
from jackfield.host import WorkflowDefinition

STEP_IDS = ("greet", "book", "bye")


def test_conversation_nodes_are_the_start_agent_and_end_nodes_in_order():
    workflow = qa_workflow({"name": "QA", "enabled": False})

    from_dict = conversation_nodes(workflow)
    from_model = conversation_nodes(WorkflowDefinition.from_dict(workflow))

    assert from_dict == from_model
    assert [(n.id, n.type, n.name) for n in from_dict] == [
        ("greet", "start", "Greeting"),
        ("book", "agent", "Booking"),
        ("bye", "end", "Goodbye"),
    ]
    assert from_dict[1].prompt == "Find a free slot and book it."
    assert conversation_nodes(None) == []


def test_transcript_reads_as_timed_lines_with_tool_calls():
    call = CallSnapshot.model_validate(record_snapshot(booking_call()))

    assert format_transcript(call).splitlines() == [
        "[00:00] Agent: Hello, Riverside Dental. How can I help?",
        "[00:05] Caller: I'd like to book a check-up.",
        '(tool next_free_slot called with {"service": "check-up"}; '
        'result: {"slot": "Tuesday 9:30"})',
        "[00:10] Agent: Tuesday at 9:30 is free. Shall I book it? [interrupted by the caller]",
        "[00:15] Caller: Yes please.",
        "[00:20] Agent: Booked for Tuesday at 9:30. Goodbye!",
        "[00:25] Caller: Bye.",
    ]


def test_long_tool_results_are_cut():
    call = CallSnapshot.model_validate(
        {"transcript": [{"role": "tool", "name": "dump", "arguments": {}, "result": "x" * 5000}]}
    )

    (line,) = format_transcript(call).splitlines()
    assert len(line) < 600
    assert line.endswith("…)")


def test_messages_are_the_prompt_with_the_shape_then_steps_facts_and_transcript():
    call = CallSnapshot.model_validate(record_snapshot())
    steps = conversation_nodes(qa_workflow({"name": "QA", "enabled": False}))

    system, user = build_messages(
        "  Check the greeting.  ", call, steps, disposition="completed", duration_s=30.0
    )

    assert system == {"role": "system", "content": f"Check the greeting.\n\n{OUTPUT_INSTRUCTIONS}"}
    assert user["role"] == "user"
    head, transcript = user["content"].split("Transcript (times from the start of the call):\n")
    assert head == (
        "Steps of the workflow the agent followed:\n"
        '- id "greet": start step "Greeting"\n'
        "  instructions: Greet the caller and ask what they need.\n"
        '- id "book": agent step "Booking"\n'
        "  instructions: Find a free slot and book it.\n"
        '- id "bye": end step "Goodbye"\n'
        "  instructions: Confirm the slot and say goodbye.\n\n"
        "The call: disposition: completed, duration: 30 s.\n\n"
    )
    assert transcript == format_transcript(call)


def test_messages_without_steps_or_facts_say_so():
    call = CallSnapshot.model_validate({"transcript": [{"role": "user", "text": "Hi"}]})

    _, user = build_messages("Review.", call, [])

    assert 'the workflow lists no steps; return an empty "nodes" object' in user["content"]
    assert "The call: disposition: unknown." in user["content"]


def test_valid_answer_is_read_and_tidied():
    analysis = parse_analysis(json.dumps(review(extra="ignored")), STEP_IDS)

    assert isinstance(analysis, CallAnalysis)
    assert analysis.summary == "The caller booked a check-up for Tuesday at 9:30."
    assert analysis.nodes["greet"].tags == ["booking-intent", "polite"]
    assert analysis.nodes["book"].scores == {"instruction_following": 5, "accuracy": 4.5}
    assert analysis.tags == ["appointment-booked", "booking-intent", "polite", "talked-over-caller"]


def test_duplicate_tags_collapse_and_steps_may_be_left_out():
    answer = review(
        nodes={"bye": {"summary": "Said goodbye.", "scores": {}, "tags": ["Done", "done ", "DONE"]}}
    )

    analysis = parse_analysis(json.dumps(answer), STEP_IDS)

    assert list(analysis.nodes) == ["bye"]
    assert analysis.tags == ["done"]


@pytest.mark.parametrize(
    ("content", "problems"),
    [
        ("", ["the answer is empty"]),
        ("{'summary': 'x'}", ["not valid JSON (line 1, column 2)"]),
        ('{"summary": "x", "nodes": []}', ["nodes: Input should be a valid dictionary"]),
        ('{"summary": " ", "nodes": {}}', ["summary: Value error, must not be blank"]),
        (
            json.dumps(review(nodes={"greet": {"summary": "ok", "scores": {"tone": "4"}}})),
            [
                "nodes.greet.scores.tone: Value error, must be a number from 1 to 5",
                "nodes.greet.tags: Field required",
            ],
        ),
        (
            json.dumps(
                review(nodes={"greet": {"summary": "ok", "scores": {"tone": True}, "tags": []}})
            ),
            ["nodes.greet.scores.tone: Value error, must be a number from 1 to 5"],
        ),
        (
            json.dumps(review(nodes={"greet": {"summary": "ok", "scores": {"t": 0}, "tags": []}})),
            ["nodes.greet.scores.t: Value error, must be a number from 1 to 5"],
        ),
        (
            '{"summary": "ok", "nodes": {"greet": '
            '{"summary": "ok", "scores": {"t": NaN}, "tags": []}}}',
            ["nodes.greet.scores.t: Value error, must be a number from 1 to 5"],
        ),
        (
            json.dumps(
                review(nodes={"greet": {"summary": "ok", "scores": {}, "tags": ["x" * 61]}})
            ),
            ["nodes.greet.tags.0: String should have at most 60 characters"],
        ),
        (
            json.dumps(review(nodes={"zz": {"summary": "ok", "scores": {}, "tags": []}})),
            ["nodes.zz: not a conversation node of this workflow"],
        ),
    ],
)
def test_malformed_answers_raise_with_every_problem(content, problems):
    with pytest.raises(AnalysisOutputError) as caught:
        parse_analysis(content, STEP_IDS)

    assert len(caught.value.problems) == len(problems)
    for found, expected in zip(caught.value.problems, problems, strict=True):
        assert found.startswith(expected), found


def test_problems_never_quote_the_answer():
    secret_looking = "caller card 4111 1111 1111 1111"
    answer = review(nodes={"greet": {"summary": secret_looking, "scores": {"t": 7}, "tags": []}})

    with pytest.raises(AnalysisOutputError) as caught:
        parse_analysis(json.dumps(answer), STEP_IDS)

    assert "4111" not in str(caught.value)
    assert "4111" not in " ".join(caught.value.problems)

"""Rendering payload templates: placeholders, missing variables, JSON types, the sandbox."""

from __future__ import annotations

import json

import pytest
from jackfield_webhook import MAX_VALUE_CHARS, TemplateError, render_payload


def _variables(**extra):
    variables = {
        "run": {"id": "run_1", "name": "Morning call"},
        "call_disposition": "completed",
        "gathered_context": {"disposition": "completed", "duration_s": 16.5, "vip": True},
        "annotations": {"qa": {"summary": "Booked.", "score": 4, "tags": ["booking", "new"]}},
        "campaign_id": None,
        "usage": {"llm": {"prompt_tokens": 10}},
    }
    variables.update(extra)
    return variables


def test_placeholders_with_dotted_paths_render_inside_strings():
    rendered = render_payload(
        {"text": "Run {{ run.id }} ({{ run.name }}) scored {{ annotations.qa.score }}"},
        _variables(),
    )

    assert rendered.payload["text"] == "Run run_1 (Morning call) scored 4"
    assert rendered.missing == []


def test_a_value_that_is_one_placeholder_keeps_its_json_type():
    rendered = render_payload(
        {
            "duration": "{{ gathered_context.duration_s }}",
            "vip": "{{ gathered_context.vip }}",
            "usage": "{{ usage }}",
            "tags": "{{ annotations.qa.tags }}",
            "campaign": "{{ campaign_id }}",
            "padded": "  {{ run.id }}  ",
        },
        _variables(),
    )

    assert rendered.payload["duration"] == 16.5
    assert rendered.payload["vip"] is True
    assert rendered.payload["usage"] == {"llm": {"prompt_tokens": 10}}
    assert rendered.payload["tags"] == ["booking", "new"]
    assert rendered.payload["campaign"] is None
    assert rendered.payload["padded"] == "  run_1  "
    assert type(rendered.payload["usage"]) is dict


def test_values_inside_longer_strings_are_written_as_json():
    rendered = render_payload(
        {"text": "vip={{ gathered_context.vip }} c={{ campaign_id }} u={{ usage }}"},
        _variables(),
    )

    assert rendered.payload["text"] == 'vip=true c= u={"llm":{"prompt_tokens":10}}'


def test_list_items_are_reached_by_index():
    rendered = render_payload(
        {"first": "{{ annotations.qa.tags.0 }}", "second": "{{ annotations.qa.tags[1] }}"},
        _variables(),
    )

    assert rendered.payload["first"] == "booking"
    assert rendered.payload["second"] == "new"


def test_missing_variables_render_empty_and_are_reported_with_their_full_path():
    rendered = render_payload(
        {
            "name": "{{ gathered_context.customer.name }}",
            "greeting": "Hello {{ customer_name }}!",
            "tag": "{{ annotations.qa.tags.7 }}",
            "nested": [{"x": "{{ initial_context.phone }}"}],
        },
        _variables(initial_context={}),
    )

    assert rendered.payload["name"] == ""
    assert rendered.payload["greeting"] == "Hello !"
    assert rendered.payload["tag"] == ""
    assert rendered.payload["nested"] == [{"x": ""}]
    assert rendered.missing == [
        "annotations.qa.tags.7",
        "customer_name",
        "gathered_context.customer.name",
        "initial_context.phone",
    ]


def test_default_filter_covers_a_missing_variable_without_reporting_it():
    rendered = render_payload(
        {
            "name": "{{ gathered_context.customer_name | default('unknown') }}",
            "deep": "{{ nothing.at.all | d('-') }}",
            "typed": "{{ gathered_context.attempts | default(0) }}",
        },
        _variables(),
    )

    assert rendered.payload == {
        "name": "unknown",
        "deep": "-",
        "typed": 0,
        "call_disposition": "completed",
    }
    assert rendered.missing == []


def test_a_missing_value_used_in_an_operation_empties_the_value_and_is_reported():
    rendered = render_payload({"total": "n={{ usage.tts.chars + 1 }}"}, _variables())

    assert rendered.payload["total"] == ""
    assert rendered.missing == ["usage.tts.chars"]


def test_only_string_values_are_rendered_never_keys_or_other_values():
    template = {"{{ run.id }}": "{{ run.id }}", "n": 3, "b": False, "z": None, "l": [1, "x"]}

    rendered = render_payload(template, _variables())

    assert rendered.payload == {
        "{{ run.id }}": "run_1",
        "n": 3,
        "b": False,
        "z": None,
        "l": [1, "x"],
        "call_disposition": "completed",
    }


def test_call_disposition_is_added_unless_the_template_sets_it():
    added = render_payload({"id": "{{ run.id }}"}, _variables())
    kept = render_payload({"call_disposition": "custom"}, _variables())
    absent = render_payload({}, {"run": {"id": "r"}})

    assert added.payload["call_disposition"] == "completed"
    assert kept.payload["call_disposition"] == "custom"
    assert absent.payload == {"call_disposition": None}


def test_variables_that_look_like_python_methods_are_only_data():
    rendered = render_payload(
        {"items": "{{ gathered_context.items }}", "keys": "{{ run.keys }}"},
        _variables(gathered_context={"items": ["a"]}),
    )

    assert rendered.payload["items"] == ["a"]
    assert rendered.payload["keys"] == ""
    assert rendered.missing == ["run.keys"]


@pytest.mark.parametrize(
    "expression",
    [
        "{{ run.id.__class__ }}",
        "{{ run.__class__.__mro__ }}",
        "{{ run.id.upper() }}",
        "{{ run.update({'id': 'x'}) }}",
        "{{ lipsum(3) }}",
        "{{ cycler }}",
    ],
)
def test_python_internals_and_methods_are_out_of_reach(expression):
    rendered = render_payload({"x": expression, "id": "{{ run.id }}"}, _variables())

    assert rendered.payload["x"] == ""
    assert rendered.payload["id"] == "run_1"
    assert rendered.missing


def test_rendering_never_changes_the_variables():
    variables = _variables()
    before = json.dumps(variables, sort_keys=True)

    render_payload({"x": "{{ run.update({'id': 'x'}) }}{{ run.id }}"}, variables)

    assert json.dumps(variables, sort_keys=True) == before


def test_allowed_filters_work():
    rendered = render_payload(
        {
            "upper": "{{ run.name | upper }}",
            "tags": "{{ annotations.qa.tags | join(', ') }}",
            "count": "{{ annotations.qa.tags | length }}",
            "json": "{{ annotations.qa | tojson }}",
            "replaced": "{{ run.name | replace('Morning', 'Evening') }}",
        },
        _variables(),
    )

    assert rendered.payload["upper"] == "MORNING CALL"
    assert rendered.payload["tags"] == "booking, new"
    assert rendered.payload["count"] == 2
    assert json.loads(rendered.payload["json"]) == _variables()["annotations"]["qa"]
    assert rendered.payload["replaced"] == "Evening call"


@pytest.mark.parametrize(
    ("template", "kind"),
    [
        ({"a": {"b": ["ok", "{{ run.id "]}}, "syntax_error"),
        ({"a": {"b": ["ok", "{% for x in range(3) %}x{% endfor %}"]}}, "statement_not_allowed"),
        ({"a": {"b": ["ok", "{% if true %}x{% endif %}"]}}, "statement_not_allowed"),
        ({"a": {"b": ["ok", "{{ run.id | center(80) }}"]}}, "unknown_filter"),
        ({"a": {"b": ["ok", "{{ 'x' * 10000000 }}"]}}, "unsafe"),
        ({"a": {"b": ["ok", "{{ 2 ** 100000 }}"]}}, "unsafe"),
        ({"a": {"b": ["ok", "{{ range(100000) | join('xxxxxxxx') }}"]}}, "unsafe"),
        ({"a": {"b": ["ok", "{{ range(1000000) }}"]}}, "render_failed"),
        ({"a": {"b": ["ok", "{{ 1 / 0 }}"]}}, "render_failed"),
    ],
)
def test_template_errors_name_the_json_location_and_kind(template, kind):
    with pytest.raises(TemplateError) as caught:
        render_payload(template, _variables())

    assert caught.value.location == "/a/b/1"
    assert caught.value.kind == kind
    assert "run.id" not in str(caught.value)
    assert "/a/b/1" in str(caught.value)


def test_a_syntax_error_gives_its_line():
    with pytest.raises(TemplateError) as caught:
        render_payload({"x": "line one\nline two {{ run.id "}, _variables())

    assert caught.value.kind == "syntax_error"
    assert caught.value.line == 2


def test_locations_escape_slashes_and_tildes():
    with pytest.raises(TemplateError) as caught:
        render_payload({"a/b": {"c~d": "{{ oops( }}"}}, _variables())

    assert caught.value.location == "/a~1b/c~0d"


def test_a_rendered_value_may_not_grow_past_the_limit():
    big = "x" * (MAX_VALUE_CHARS // 2 + 1)

    with pytest.raises(TemplateError) as caught:
        render_payload({"x": "{{ big }}{{ big }}"}, _variables(big=big))

    assert caught.value.kind == "too_large"
    assert caught.value.location == "/x"


def test_a_template_must_be_an_object():
    with pytest.raises(TemplateError) as caught:
        render_payload(["{{ run.id }}"], _variables())  # type: ignore[arg-type]

    assert caught.value.kind == "not_an_object"


def test_the_result_is_always_valid_json():
    rendered = render_payload(
        {"quote": 'He said "{{ run.name }}"\n', "brace": "{{ '}' }}"},
        _variables(run={"name": 'a "quoted" \\ name'}),
    )

    text = json.dumps(rendered.payload)
    assert json.loads(text)["quote"] == 'He said "a "quoted" \\ name"\n'
    assert json.loads(text)["brace"] == "}"

"""What comes back: the chat-completion response, and the review inside it, validated.

The reviewing model must answer with the JSON object described in
:data:`~jackfield_qa.OUTPUT_INSTRUCTIONS`; :func:`parse_analysis` checks it
against :class:`CallAnalysis` and raises :class:`AnalysisOutputError` (with
every problem, never the output itself) when it is not that.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Annotated, Any, Final

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationError,
    field_validator,
)

__all__ = [
    "SCORE_MAX",
    "SCORE_MIN",
    "AnalysisOutputError",
    "CallAnalysis",
    "ChatCompletion",
    "NodeAnalysis",
    "parse_analysis",
    "validation_problems",
]

#: The score scale the reviewer is asked for, inclusive.
SCORE_MIN: Final = 1
SCORE_MAX: Final = 5

_MAX_SCORES: Final = 20
_MAX_TAGS: Final = 20


def _check_score(value: object) -> int | float:
    """A JSON number from :data:`SCORE_MIN` to :data:`SCORE_MAX` (not a string, not a bool)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not SCORE_MIN <= value <= SCORE_MAX  # also refuses NaN
    ):
        raise ValueError(f"must be a number from {SCORE_MIN} to {SCORE_MAX}")
    return value


Score = Annotated[int | float, PlainValidator(_check_score)]
Criterion = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=60)
]


class _Lenient(BaseModel):
    # Keys the model adds beyond the shape are ignored; inputs never appear in errors.
    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)


class NodeAnalysis(_Lenient):
    """The review of one conversation step."""

    summary: str = Field(min_length=1, max_length=4000)
    """What happened during the step."""
    scores: dict[Criterion, Score] = Field(max_length=_MAX_SCORES)
    """Criterion name → score from :data:`SCORE_MIN` to :data:`SCORE_MAX`."""
    tags: list[Tag] = Field(max_length=_MAX_TAGS)
    """Short labels, lower case, inner spaces turned into hyphens, sorted, no duplicates."""

    @field_validator("summary")
    @classmethod
    def _summary_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("tags")
    @classmethod
    def _tidy_tags(cls, tags: list[str]) -> list[str]:
        return sorted({"-".join(tag.split()) for tag in tags})


class CallAnalysis(_Lenient):
    """The whole review: a summary of the call and one :class:`NodeAnalysis` per step reached."""

    summary: str = Field(min_length=1, max_length=4000)
    """The call in two or three sentences."""
    nodes: dict[str, NodeAnalysis]
    """Conversation node id → its review."""

    @field_validator("summary")
    @classmethod
    def _summary_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @property
    def tags(self) -> list[str]:
        """Every step's tags together, sorted, without duplicates."""
        return sorted({tag for node in self.nodes.values() for tag in node.tags})


class AnalysisOutputError(ValueError):
    """The reviewing model's answer is not the JSON object it was asked for.

    ``problems`` says what is wrong, one line each (``"nodes.greet.scores.tone:
    Value error, must be a number from 1 to 5"``); neither they nor the message
    quote the answer.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the model's answer is not a valid review: " + "; ".join(problems))
        self.problems = problems


def validation_problems(exc: ValidationError) -> list[str]:
    """Where and why validation failed, one line each; Pydantic's messages never quote input."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        where = ".".join(str(part) for part in error["loc"]) or "(answer)"
        problems.append(f"{where}: {error['msg']}")
    return problems


def _strip_code_fence(text: str) -> str:
    """``text`` without a Markdown code fence around it (some models add one even in JSON mode)."""
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```") and "\n" in stripped:
        return stripped[stripped.index("\n") + 1 : -3].strip()
    return stripped


def parse_analysis(content: str | None, node_ids: Collection[str]) -> CallAnalysis:
    """Read the model's answer as a :class:`CallAnalysis` about the steps ``node_ids``.

    :param content: the message content of the chat completion.
    :param node_ids: the ids of the workflow's conversation nodes; every key of
        ``nodes`` in the answer must be one of them.
    :raises AnalysisOutputError: empty content, not JSON, not the expected
        shape, or a review of a step the workflow does not have.
    """
    if content is None or not content.strip():
        raise AnalysisOutputError(["the answer is empty"])
    try:
        document: Any = json.loads(_strip_code_fence(content))
    except json.JSONDecodeError as exc:
        raise AnalysisOutputError(
            [f"not valid JSON (line {exc.lineno}, column {exc.colno})"]
        ) from None
    try:
        analysis = CallAnalysis.model_validate(document)
    except ValidationError as exc:
        raise AnalysisOutputError(validation_problems(exc)) from None
    unknown = sorted(set(analysis.nodes) - set(node_ids))
    if unknown:
        raise AnalysisOutputError(
            [f"nodes.{node_id}: not a conversation node of this workflow" for node_id in unknown]
        )
    return analysis


class _Message(_Lenient):
    content: str | None = None


class _Choice(_Lenient):
    message: _Message
    finish_reason: str | None = None


class _Usage(_Lenient):
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)


class ChatCompletion(_Lenient):
    """The parts of an OpenAI-compatible chat-completion response the review reads."""

    model: str | None = None
    choices: list[_Choice] = Field(min_length=1)
    usage: _Usage | None = None

    @property
    def content(self) -> str | None:
        """The first choice's message content."""
        return self.choices[0].message.content

    @property
    def finish_reason(self) -> str | None:
        """Why the model stopped (``"stop"``, ``"length"``...), if the service says."""
        return self.choices[0].finish_reason

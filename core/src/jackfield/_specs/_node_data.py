"""The base class of every node model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, field_validator

from jackfield._specs._meta import spec_field

__all__ = ["BaseNodeData"]


class BaseNodeData(BaseModel):
    """Base class of every node's ``data`` model; plugin node models inherit it.

    It gives every node a ``name`` (required, not blank, part of the spec) and
    the workflow flags ``is_start`` / ``is_end``, which are persisted with the
    node but never part of its spec.

    Unknown keys are rejected (``extra="forbid"``), so a misspelt field in a
    hand- or LLM-written workflow is an error rather than silently dropped.
    Validation errors never show the offending input (``hide_input_in_errors``):
    node data holds secrets such as API keys, and errors end up in logs.

    Example::

        @node_spec(name="tuner", description="Sends call analytics to Tuner after each call.")
        class TunerNode(BaseNodeData):
            agent_id: str = spec_field(description="Tuner agent that receives the calls.")
    """

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    sensitive_fields: ClassVar[tuple[str, ...]] = ()
    """Names of fields that hold secrets: ``repr()`` and ``str()`` of the model
    show ``'**********'`` instead of their values, and workflow masking treats
    them like a registration's ``sensitive_fields`` (both declarations count).
    Declare them here too, for example ``sensitive_fields = ("api_key",)``."""

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        hidden = type(self).sensitive_fields
        for name, value in super().__repr_args__():
            yield name, ("**********" if name in hidden and value is not None else value)

    name: str = spec_field(
        description="Name of this node, shown in the workflow editor.",
        min_length=1,
    )
    is_start: bool = spec_field(
        default=False,
        description="Whether the workflow starts at this node.",
        spec_exclude=True,
    )
    is_end: bool = spec_field(
        default=False,
        description="Whether the workflow ends at this node.",
        spec_exclude=True,
    )

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name must not be blank")
        return value

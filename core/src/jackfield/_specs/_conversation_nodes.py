"""jackfield's own conversation node models: ``start``, ``agent``, ``end``, and edges.

A call follows a graph: one ``start`` node opens it, ``agent`` nodes each hold
one step of the conversation, and ``end`` nodes close it. An edge between two
of them is a transition, described by :class:`EdgeData`: a short label and the
condition (in plain words, judged by the agent's LLM) under which the
conversation moves along it. The built-in plugin ``core``
(:mod:`jackfield._host._builtin_plugin`) registers these models.

Graph constraints, and why:

========  ===========================================================
type      constraints
========  ===========================================================
start     no incoming edge (the call begins there); at most one per
          workflow. Outgoing edges are free: a one-node workflow that
          greets and answers is valid. (Running a workflow also needs
          a start node; that rule belongs to run-mode validation.)
agent     at least one incoming edge: a step nobody can reach is a
          mistake. Outgoing edges are free (an agent may also hang up).
end       at least one incoming edge and no outgoing edge: the call is
          over once it is reached.
========  ===========================================================
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from jackfield._specs._meta import node_spec, spec_field
from jackfield._specs._node_data import BaseNodeData
from jackfield._specs._node_spec import GraphConstraints, NodeCategory, NodeExample, PropertyType

__all__ = [
    "CONVERSATION_NODE_MODELS",
    "START_NODE_TYPE",
    "AgentNodeData",
    "EdgeData",
    "EndNodeData",
    "StartNodeData",
]

#: The node type that opens a call.
START_NODE_TYPE = "start"


class EdgeData(BaseModel):
    """The ``data`` of an edge between conversation nodes: a transition.

    Keys a newer editor adds are ignored by validation (the stored definition
    keeps them); ``label`` and ``condition`` are required and not blank.
    """

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    # Stripped before the length check, so a label of spaces is blank too.
    label: Annotated[str, StringConstraints(strip_whitespace=True)] = Field(
        min_length=1,
        max_length=120,
        description="Short name of the transition shown on the edge, for example 'Booked'.",
    )
    condition: Annotated[str, StringConstraints(strip_whitespace=True)] = Field(
        min_length=1,
        description=(
            "When to take this transition, in plain words the agent's LLM judges against "
            "the conversation, for example 'The caller has confirmed a time slot'."
        ),
    )


@node_spec(
    name="start",
    display_name="Start",
    description=(
        "Opens the call: the agent's first instructions and, optionally, the exact "
        "greeting it says when the caller picks up."
    ),
    category=NodeCategory.CALL_NODE,
    icon="play",
    llm_hint=(
        "Every workflow has exactly one start node. Put the agent's persona and the "
        "goal of the opening in prompt; leave greeting empty to let the agent phrase it."
    ),
    examples=[
        NodeExample(
            name="Clinic greeting",
            description="A receptionist that greets with a fixed sentence.",
            data={
                "name": "Greeting",
                "prompt": (
                    "You are Ava, the receptionist of the Riverside Dental clinic. "
                    "Find out whether the caller wants to book, move or cancel an appointment."
                ),
                "greeting": "Hello, Riverside Dental, this is Ava. How can I help?",
                "allow_interrupt": True,
            },
        )
    ],
    graph_constraints=GraphConstraints(max_incoming=0, max_instances=1),
    property_order=("name", "prompt", "greeting"),
)
class StartNodeData(BaseNodeData):
    """Data of the ``start`` node: how the call opens."""

    prompt: str = spec_field(
        description=(
            "Instructions for the opening of the call: who the agent is and what it "
            "wants to learn first."
        ),
        min_length=1,
        ui_type=PropertyType.MENTION_TEXTAREA,
    )
    greeting: str | None = spec_field(
        default=None,
        description=(
            "Exact first sentence the agent says; when empty the agent writes its own "
            "from the prompt."
        ),
        max_length=500,
    )
    allow_interrupt: bool = spec_field(
        default=True,
        description="Whether the caller can interrupt the agent while it is speaking.",
    )


@node_spec(
    name="agent",
    display_name="Agent",
    description=(
        "One step of the conversation: what the agent does here, which tools and "
        "documents it may use, until an outgoing transition's condition is met."
    ),
    category=NodeCategory.CALL_NODE,
    icon="message-circle",
    llm_hint=(
        "Use one agent node per goal of the conversation (qualify, book, confirm). Describe "
        "the goal in prompt; say when to move on in the conditions of the outgoing edges."
    ),
    examples=[
        NodeExample(
            name="Book an appointment",
            data={
                "name": "Booking",
                "prompt": (
                    "Ask which day and time suit the caller, check availability with the "
                    "calendar tool and confirm the slot back to them."
                ),
                "tools": ["calendar_lookup"],
                "documents": [],
                "allow_interrupt": True,
            },
        )
    ],
    graph_constraints=GraphConstraints(min_incoming=1),
    property_order=("name", "prompt"),
)
class AgentNodeData(BaseNodeData):
    """Data of an ``agent`` node: one conversation step."""

    prompt: str = spec_field(
        description="What the agent does in this step of the conversation.",
        min_length=1,
        ui_type=PropertyType.MENTION_TEXTAREA,
    )
    tools: list[str] = spec_field(
        default_factory=list,
        description="Tools the agent may call during this step, by tool id.",
        ui_type=PropertyType.TOOL_REFS,
        spec_default=[],
    )
    documents: list[str] = spec_field(
        default_factory=list,
        description="Knowledge-base documents the agent may consult during this step, by id.",
        ui_type=PropertyType.DOCUMENT_REFS,
        spec_default=[],
    )
    allow_interrupt: bool = spec_field(
        default=True,
        description="Whether the caller can interrupt the agent while it is speaking.",
    )


@node_spec(
    name="end",
    display_name="End",
    description=(
        "Closes the call: what the agent says last before it hangs up. Reaching an end "
        "node ends the conversation."
    ),
    category=NodeCategory.CALL_NODE,
    icon="phone-off",
    llm_hint=(
        "Add an end node for each way a call can finish (booked, not interested, "
        "transferred); it takes no outgoing edge."
    ),
    examples=[
        NodeExample(
            name="Polite goodbye",
            data={
                "name": "Goodbye",
                "prompt": "Thank the caller, repeat the booked time once, and say goodbye.",
            },
        )
    ],
    graph_constraints=GraphConstraints(min_incoming=1, max_outgoing=0),
    property_order=("name", "prompt"),
)
class EndNodeData(BaseNodeData):
    """Data of an ``end`` node: how the call closes."""

    prompt: str = spec_field(
        description="How the agent closes the call: what to sum up and how to say goodbye.",
        min_length=1,
        ui_type=PropertyType.MENTION_TEXTAREA,
    )
    closing_message: str | None = spec_field(
        default=None,
        description="Exact last sentence before hanging up; when empty the agent writes its own.",
        max_length=500,
    )


#: The models the built-in plugin registers, in catalog order.
CONVERSATION_NODE_MODELS = (StartNodeData, AgentNodeData, EndNodeData)

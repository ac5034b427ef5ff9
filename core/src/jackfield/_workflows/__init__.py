"""Workflow definitions: the documents users save, validate, mask and run.

Lives here: the definition models, the per-type index of node registrations
(sensitive fields, display names), secret masking and the masked round trip,
graph rules, and validation in draft and run mode.

May import: :mod:`jackfield._specs` and :mod:`jackfield._errors`. Independent of
:mod:`jackfield._host`: node types are looked up through the
:class:`~jackfield.host.NodeTypeRegistry` protocol, which a host satisfies.
"""

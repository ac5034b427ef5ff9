"""Node specs: what a node type is, as plugin authors declare it and clients read it.

Lives here: the wire models of the node catalog (``NodeSpec`` and its parts),
the spec metadata on node models (``spec_field``, ``node_spec``), the node base
models, deriving and building a spec from a model, a plugin's node registration,
spec lint and diff, and display options.

May import: :mod:`jackfield._errors` only. Everything else in jackfield builds on
this layer; nothing here knows about hosts, workflows or calls.
"""

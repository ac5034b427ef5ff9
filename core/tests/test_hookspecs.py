"""The hook contract: names, arguments, markers and documentation of the five hooks."""

from __future__ import annotations

import inspect

import pluggy
import pytest

import jackfield
from jackfield import hookspecs

#: The contract external plugins are written against: hook name -> argument names.
CONTRACT = {
    "jackfield_register_nodes": [],
    "jackfield_create_runtime_sessions": ["context"],
    "jackfield_run_completion": ["nodes", "context"],
    "jackfield_routers": [],
    "jackfield_check_node": ["node_type", "data", "context"],
}


def _manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("jackfield")
    pm.add_hookspecs(hookspecs)
    return pm


def test_exactly_the_contract_hooks_are_specified():
    pm = _manager()
    specified = {name for name in vars(pm.hook) if not name.startswith("_")}
    assert specified == set(CONTRACT)


@pytest.mark.parametrize(("name", "args"), CONTRACT.items())
def test_hook_arguments(name, args):
    caller = getattr(_manager().hook, name)
    assert list(caller.spec.argnames) == args


@pytest.mark.parametrize("name", CONTRACT)
def test_no_hook_is_firstresult_or_historic(name):
    opts = getattr(_manager().hook, name).spec.opts
    assert not opts.get("firstresult")
    assert not opts.get("historic")


@pytest.mark.parametrize(("name", "args"), CONTRACT.items())
def test_hook_docstrings_document_every_argument_and_the_return(name, args):
    doc = inspect.getdoc(getattr(hookspecs, name))
    assert doc is not None
    summary = doc.splitlines()[0]
    assert summary.endswith(".")
    assert len(summary) > 20
    for arg in args:
        assert f":param {arg}:" in doc
    assert ":return:" in doc
    assert "Order:" in doc


@pytest.mark.parametrize("name", CONTRACT)
def test_hooks_are_typed(name):
    annotations = getattr(hookspecs, name).__annotations__
    assert "return" in annotations
    assert set(annotations) - {"return"} == set(CONTRACT[name])


def test_markers_are_exported_for_project_jackfield():
    assert jackfield.hookimpl is hookspecs.hookimpl
    assert jackfield.hookspec is hookspecs.hookspec
    assert hookspecs.hookimpl.project_name == "jackfield"
    assert hookspecs.hookspec.project_name == "jackfield"


def test_an_implementation_may_take_fewer_arguments():
    class Plugin:
        @jackfield.hookimpl
        def jackfield_run_completion(self, nodes):
            return {"n": len(nodes)}

    pm = _manager()
    pm.register(Plugin(), name="p")
    pm.check_pending()
    assert pm.hook.jackfield_run_completion(nodes=[1], context=None) == [{"n": 1}]

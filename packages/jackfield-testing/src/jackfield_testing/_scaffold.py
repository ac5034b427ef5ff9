"""``jackfield new-plugin NAME``: create a standalone plugin project that passes its tests.

The command is added to the ``jackfield`` CLI through the ``jackfield.cli``
entry-point group when jackfield-testing is installed.
"""

from __future__ import annotations

import keyword
from importlib import resources
from pathlib import Path
from string import Template

import click
import importlib_metadata
from packaging.version import Version

from jackfield.host import RESERVED_PLUGIN_NAMES, PluginHost, is_reserved_plugin_name

__all__ = ["ScaffoldError", "new_plugin", "scaffold_plugin"]

#: template file → path in the new project (``{package}`` is replaced)
_FILES: dict[str, str] = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "gitignore.tmpl": ".gitignore",
    "noxfile.py.tmpl": "noxfile.py",
    "__init__.py.tmpl": "src/{package}/__init__.py",
    "plugin.py.tmpl": "src/{package}/plugin.py",
    "_node.py.tmpl": "src/{package}/_node.py",
    "_completion.py.tmpl": "src/{package}/_completion.py",
    "test_contract.py.tmpl": "tests/test_contract.py",
    "test_retry.py.tmpl": "tests/test_retry.py",
}


class ScaffoldError(click.ClickException):
    """The plugin project cannot be created (bad name, clash, existing directory).

    A name that cannot be used exits 2, like any bad input to the ``jackfield``
    CLI; an existing directory exits 1.
    """


class _BadName(ScaffoldError):
    exit_code = 2


def _check_name(name: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name) or name != name.lower():
        raise _BadName(
            f"plugin name {name!r} must be a lower-case Python identifier "
            "(letters, digits and underscores, not starting with a digit), e.g. 'call_archive'"
        )
    if is_reserved_plugin_name(name):
        raise _BadName(
            f"plugin name {name!r} is reserved for jackfield "
            f"(reserved: {', '.join(sorted(RESERVED_PLUGIN_NAMES))}): the host would refuse "
            "an installed plugin with it; choose another name"
        )
    # The host's own scan of installed plugins (cached, imports nothing).
    if name in PluginHost(autoload=True, builtins=False).known_names():
        raise _BadName(
            f"plugin name {name!r} is already used by an installed plugin (see `jackfield "
            f"plugins show {name}`); two plugins with one name are both refused by the host, "
            "so choose another name"
        )


def _jackfield_range() -> tuple[str, str]:
    """The ``jackfield`` version range a new plugin should declare: this minor series."""
    version = Version(importlib_metadata.version("jackfield"))
    return f"{version.major}.{version.minor}", f"{version.major}.{version.minor + 1}"


def scaffold_plugin(name: str, directory: Path) -> list[Path]:
    """Create the project of plugin ``name`` in ``directory`` (which must not exist).

    :return: the files written, in order.
    :raises ScaffoldError: if the name is unusable (not a lower-case identifier,
        reserved, or the name of an installed plugin) or the directory exists.
    """
    _check_name(name)
    if directory.exists():
        raise ScaffoldError(f"{directory} already exists; nothing was written")
    jackfield_min, jackfield_next = _jackfield_range()
    values = {
        "name": name,
        "dist": f"jackfield-{name.replace('_', '-')}",
        "package": f"jackfield_{name}",
        "title": name.replace("_", " ").title(),
        "model": "".join(part.title() for part in name.split("_")) + "Node",
        "jackfield_min": jackfield_min,
        "jackfield_next": jackfield_next,
    }
    templates = resources.files("jackfield_testing") / "_templates"
    written = []
    for template_name, target in _FILES.items():
        path = directory / target.format(package=values["package"])
        path.parent.mkdir(parents=True, exist_ok=True)
        text = Template(templates.joinpath(template_name).read_text(encoding="utf-8"))
        path.write_text(text.substitute(values), encoding="utf-8")
        written.append(path)
    (directory / "src" / values["package"] / "py.typed").write_text("")
    return written


@click.command("new-plugin")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to create the project (default: ./jackfield-NAME).",
)
def new_plugin(name: str, directory: Path | None) -> None:
    """Create a standalone jackfield plugin project named NAME.

    The project has a node model, a runtime session, a completion handler,
    tests that run the jackfield contract suite, a noxfile and a README. After
    `pip install -e '.[test]'` its tests pass; `hatch build` makes its wheel.
    """
    target = directory or Path(f"jackfield-{name.replace('_', '-')}")
    files = scaffold_plugin(name, target)
    click.echo(f"Created {target} ({len(files)} files). Next:")
    click.echo(f"  cd {target}")
    click.echo("  python -m venv .venv && .venv/bin/pip install -e '.[test]'")
    click.echo("  .venv/bin/pytest")

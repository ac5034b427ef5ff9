"""Finding installed plugins: the ``jackfield.integrations`` entry-point group.

One metadata scan per process (:func:`discover_plugins` is cached), nothing
imported until the host asks for it, and each distribution's ``METADATA`` read
at most once, only when the host needs its name, version or requirements.
"""

from __future__ import annotations

import functools
import operator
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import importlib_metadata

__all__ = [
    "ENTRY_POINT_GROUP",
    "DiscoveredPlugin",
    "DistributionFacts",
    "discover_plugins",
    "jackfield_version",
    "requirement_admits",
]

#: The entry-point group plugins declare themselves in. The entry-point name is
#: the plugin name; its value the module (or object) holding the hookimpls.
ENTRY_POINT_GROUP = "jackfield.integrations"


class _EntryPointLike(Protocol):
    """What discovery uses of an ``importlib_metadata.EntryPoint``."""

    name: str
    value: str

    def load(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class DistributionFacts:
    """What the host needs from a distribution's ``METADATA``, read once."""

    name: str | None
    version: str | None
    jackfield_requirements: tuple[str, ...]
    """``Requires-Dist`` lines that name ``jackfield`` (unparsed)."""


def _read_facts(dist: Any) -> DistributionFacts:
    if dist is None:
        return DistributionFacts(None, None, ())
    metadata = dist.metadata  # parses METADATA: do it once and take all three
    requires = metadata.get_all("Requires-Dist") or []
    return DistributionFacts(
        name=metadata.get("Name"),
        version=metadata.get("Version"),
        jackfield_requirements=tuple(r for r in requires if _may_name_jackfield(r)),
    )


def _may_name_jackfield(requirement: str) -> bool:
    """Cheap pre-filter before parsing: does the requirement start with jackfield?"""
    head = requirement.lstrip()[:10].lower()
    return head.startswith("jackfield") and (len(head) == 9 or not head[9].isalnum())


class DiscoveredPlugin:
    """An installed plugin found through its entry point, not yet imported."""

    __slots__ = ("_dist", "_entry_point", "_facts", "name")

    def __init__(self, entry_point: _EntryPointLike, dist: Any) -> None:
        self.name = entry_point.name
        self._entry_point = entry_point
        self._dist = dist
        self._facts: DistributionFacts | None = None

    @property
    def value(self) -> str:
        """The entry point's value: ``module`` or ``module:object``."""
        return self._entry_point.value

    @property
    def facts(self) -> DistributionFacts:
        """Name, version and jackfield requirements of the providing distribution."""
        if self._facts is None:
            self._facts = _read_facts(self._dist)
        return self._facts

    def load(self) -> tuple[object, float]:
        """Import the plugin; return the object and the import time in ms.

        Exceptions raised by the import propagate unchanged.
        """
        start = time.perf_counter()
        obj = self._entry_point.load()
        return obj, (time.perf_counter() - start) * 1000.0

    def __repr__(self) -> str:
        return f"DiscoveredPlugin({self.name!r}, {self.value!r})"


def _entry_points() -> list[_EntryPointLike]:
    """The group's entry points (the one place that calls importlib_metadata)."""
    return list(importlib_metadata.entry_points(group=ENTRY_POINT_GROUP))


@functools.cache
def discover_plugins() -> tuple[DiscoveredPlugin, ...]:
    """Scan installed distributions once per process for ``jackfield.integrations``.

    Returns the plugins in name order (then distribution order); nothing is
    imported. Cached: installing a wheel into a running process is not seen
    until ``discover_plugins.cache_clear()``.
    """
    found = [DiscoveredPlugin(ep, getattr(ep, "dist", None)) for ep in _entry_points()]
    return tuple(sorted(found, key=lambda p: p.name))


@functools.cache
def jackfield_version() -> str | None:
    """The installed ``jackfield`` version, or ``None`` if it has no metadata."""
    try:
        return importlib_metadata.version("jackfield")
    except importlib_metadata.PackageNotFoundError:
        return None


#: ``jackfield`` with plain release clauses only (``jackfield>=1.2,<2``, or the old
#: ``jackfield (>=1.2)``): the form nearly every plugin uses.
_SIMPLE_REQUIREMENT = re.compile(
    r"jackfield\s*(?:\((?P<paren>[^()]*)\)|(?P<spec>[<>=!][^;()\[\]]*))?", re.IGNORECASE
)
_SIMPLE_CLAUSE = re.compile(r"\s*(?P<op>>=|<=|==|!=|<|>)\s*(?P<release>\d+(?:\.\d+)*)\s*")
_RELEASE = re.compile(r"\d+(?:\.\d+)*")
_COMPARE: dict[str, Callable[[tuple[int, ...], tuple[int, ...]], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}

_Admits = Callable[[str], bool]


def _padded(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)), b + (0,) * (width - len(b))


@functools.cache
def _simple_clauses(requirement: str) -> tuple[tuple[str, tuple[int, ...]], ...] | None:
    """The clauses of a plain ``jackfield`` requirement, or ``None`` for any other form."""
    match = _SIMPLE_REQUIREMENT.fullmatch(requirement.strip())
    if match is None:
        return None
    text = (match["paren"] if match["paren"] is not None else match["spec"] or "").strip()
    if not text:
        return ()
    clauses = []
    for part in text.split(","):
        clause = _SIMPLE_CLAUSE.fullmatch(part)
        if clause is None:
            return None
        clauses.append((clause["op"], tuple(int(n) for n in clause["release"].split("."))))
    return tuple(clauses)


@functools.cache
def _parse(requirement: str) -> tuple[_Admits, str] | None:
    """Parse one requirement with packaging (cached: plugins repeat the same pins)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        req = Requirement(requirement)
    except InvalidRequirement:
        return None
    if canonicalize_name(req.name) != "jackfield":
        return None
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        return None  # only under an extra or another environment: not ours to check
    specifier = req.specifier

    def admits(version: str) -> bool:
        return specifier.contains(version, prereleases=True)

    return admits, str(specifier) or "any version"


def _excluding_clause(requirement: str, version: str) -> str | None:
    """The specifier of ``requirement`` if it names jackfield and excludes ``version``."""
    simple = _simple_clauses(requirement)
    if simple is not None and _RELEASE.fullmatch(version):
        # Plain release numbers on both sides: PEP 440 ordering is tuple ordering
        # with zero padding, so packaging (slow to import) is not needed.
        running = tuple(int(n) for n in version.split("."))
        for op, wanted in simple:
            if not _COMPARE[op](*_padded(running, wanted)):
                return ",".join(f"{o}{'.'.join(map(str, r))}" for o, r in simple)
        return None
    parsed = _parse(requirement)
    if parsed is not None and not parsed[0](version):
        return parsed[1]
    return None


def requirement_admits(requirements: tuple[str, ...], version: str | None) -> str | None:
    """Check ``Requires-Dist`` lines on jackfield against the running ``version``.

    Returns ``None`` if every applicable requirement admits it (or the running
    version is unknown), else the first excluding specifier, for the report.
    Requirements are read with packaging, except the plain form
    ``jackfield>=X,<Y`` against a plain release, which is compared directly.
    """
    if version is None:
        return None
    for line in requirements:
        excluded = _excluding_clause(line, version)
        if excluded is not None:
            return excluded
    return None

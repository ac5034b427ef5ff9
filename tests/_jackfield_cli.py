"""The ``jackfield`` command of a test environment, as the tests call it.

Kept out of ``conftest.py`` so test modules can import it: ``conftest`` is not
an importable name when several test folders each have one.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _wheels import VirtualEnv

__all__ = ["Jackfield"]


@dataclass(frozen=True)
class Jackfield:
    """The ``jackfield`` command of one environment, with one test's config file."""

    venv: VirtualEnv
    config: Path

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``jackfield ARGS`` with ``JACKFIELD_CONFIG`` set; any exit status is returned."""
        settings = {"JACKFIELD_CONFIG": str(self.config), **(env or {})}
        return self.venv.run("jackfield", *args, env=settings)

    def ok(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run ``jackfield ARGS``, require exit status 0 and return stdout."""
        result = self.run(*args, env=env)
        assert result.returncode == 0, (
            f"jackfield {' '.join(args)} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
        return result.stdout

    def json(self, *args: str, env: dict[str, str] | None = None) -> Any:
        """Run ``jackfield ARGS`` (which must succeed) and parse stdout as JSON."""
        return json.loads(self.ok(*args, env=env))

    def plugins(self, env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
        """``plugins list --json``, by plugin name."""
        listing = self.json("plugins", "list", "--json", env=env)
        assert isinstance(listing, list)
        return {entry["name"]: entry for entry in listing}

    def node_type_names(self, env: dict[str, str] | None = None) -> set[str]:
        """The type names in ``node-types``."""
        return {spec["name"] for spec in self.json("node-types", env=env)["node_types"]}

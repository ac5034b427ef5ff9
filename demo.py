"""The jackfield demo in one command: ``python3 demo.py``.

Creates ``.venv-demo`` (once), installs jackfield, the reference server and the
four first-party plugins from this checkout into it, and runs
``examples/demo/run_demo.py`` there: the server on SQLite with local stand-ins
for the external services, a workflow with all four integration nodes, a
scripted call, and the run's annotations once completion is done.
Only Python 3.11+ is needed; nothing is installed outside ``.venv-demo``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
ENV = ROOT / ".venv-demo"
DISTRIBUTIONS = [
    "core",
    "packages/jackfield-server",
    "plugins/jackfield-qa",
    "plugins/jackfield-tuner",
    "plugins/jackfield-paygent",
    "plugins/jackfield-webhook[routes]",
]


def main() -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before anything checks it
        sys.exit("jackfield needs Python 3.11 or newer")
    bin_dir = ENV / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    if not python.exists():
        print(f"Creating {ENV.name} ...", flush=True)
        venv.create(ENV, with_pip=True)
    print("Installing jackfield, jackfield-server and the first-party plugins ...", flush=True)
    editable = [arg for dist in DISTRIBUTIONS for arg in ("-e", str(ROOT / dist))]
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *editable],
        check=True,
    )
    demo = ROOT / "examples" / "demo" / "run_demo.py"
    return subprocess.run([str(python), str(demo), *sys.argv[1:]], check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())

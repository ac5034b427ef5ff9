"""The README's main job: the demo runs on installed wheels and completes a run end to end.

`demo.py` only creates a virtual environment and installs this checkout into
it; what it then runs is `examples/demo/run_demo.py`, tested here in a fresh
environment holding the wheels of jackfield, jackfield-server and the four
first-party plugins.
"""

from __future__ import annotations

import json
import subprocess

from _wheels import CORE, ROOT, build_wheels, clean_environ, create_venv

DISTRIBUTIONS = [
    CORE,
    ROOT / "packages" / "jackfield-server",
    *(ROOT / "plugins" / f"jackfield-{name}" for name in ("qa", "tuner", "paygent", "webhook")),
]


def test_demo_delivers_through_all_four_plugins_once(tmp_path):
    wheels = build_wheels(DISTRIBUTIONS, tmp_path / "wheels")
    venv = create_venv(tmp_path / "venv", wheels)
    completed = subprocess.run(
        [str(venv.python), str(ROOT / "examples" / "demo" / "run_demo.py"), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=clean_environ({"PATH": f"{venv.bin_dir}:/usr/bin:/bin"}),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    assert summary["state"] == "completed"
    assert summary["plugins"] == {
        "qa": "delivered",
        "tuner": "delivered",
        "paygent": "delivered",
        "webhook": "delivered",
    }
    assert summary["received"]["/qa/chat/completions"] == 1
    assert summary["received"]["/tuner/api/v1/public/call"] == 1
    assert summary["received"]["/hooks/crm"] == 1
    assert sum(1 for path in summary["received"] if path.startswith("/paygent/")) == 5
    (payload,) = summary["webhook"]
    assert payload["tags"] == ["booking", "greeting", "resolved"]
    assert payload["call_disposition"] == "completed"
    assert summary["masked_qa_api_key"] == "****6789"
    assert "sk-demo-qa-0123456789" not in completed.stdout + completed.stderr

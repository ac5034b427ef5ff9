"""The demo itself, run by ``demo.py`` inside ``.venv-demo``.

1. Local stand-ins for Tuner, Paygent, an OpenAI-compatible QA model and a
   webhook receiver start on 127.0.0.1 (one small HTTP server, counting what
   it receives).
2. The jackfield server starts on 127.0.0.1 with SQLite in a temporary data
   directory, the installed plugins and its in-process completion worker.
3. ``jackfield keys create demo`` makes an API key; a workflow with the four
   integration nodes is created through the HTTP API (its secrets come back
   masked); ``examples/call.json`` is run through it.
4. The run is polled until its completion is done, then its per-plugin status
   and annotations are printed, with what each stand-in service received.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from standins import StandIns, demo_workflow  # beside this file

from jackfield_server import Settings, create_app

EXAMPLES = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(data_dir: Path) -> tuple[str, uvicorn.Server, threading.Thread]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings.from_env(
        {"JACKFIELD_DATA_DIR": str(data_dir), "JACKFIELD_PUBLIC_URL": base}
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            sys.exit("the jackfield server did not start")
        time.sleep(0.05)
    return base, server, thread


def create_key(data_dir: Path) -> str:
    jackfield = Path(sys.executable).with_name("jackfield")
    made = subprocess.run(
        [str(jackfield), "keys", "create", "demo"],
        env={**os.environ, "JACKFIELD_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip().splitlines()[-1]


def main() -> int:
    """Run the demo; ``--json`` prints only a JSON summary at the end (for tests)."""
    as_json = "--json" in sys.argv[1:]
    console = Console(quiet=as_json)
    data_dir = Path(tempfile.mkdtemp(prefix="jackfield-demo-"))
    services = StandIns()
    threading.Thread(target=services.serve_forever, daemon=True).start()
    try:
        base, server, thread = start_server(data_dir)
        console.print(f"[bold]jackfield server[/] on {base} (SQLite in {data_dir})")
        console.print(f"[bold]stand-in services[/] on {services.url}")
        headers = {"Authorization": f"Bearer {create_key(data_dir)}"}
        with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=30) as api:
            plugins = api.get("/plugins").raise_for_status().json()
            loaded = sorted(p["name"] for p in plugins if p["status"] == "loaded")
            console.print(f"[bold]plugins loaded:[/] {', '.join(loaded)}")

            created = (
                api.post(
                    "/workflows",
                    json={"name": "Dental bookings", "definition": demo_workflow(services.url)},
                )
                .raise_for_status()
                .json()
            )
            masked = {n["id"]: n["data"].get("api_key") for n in created["definition"]["nodes"]}
            console.print(
                f"[bold]workflow created[/] {created['id']}; secrets come back masked: "
                f"qa api_key = {masked['qa']!r}"
            )

            events = json.loads((EXAMPLES / "call.json").read_text())
            run = (
                api.post(f"/workflows/{created['id']}/runs", json={"events": events})
                .raise_for_status()
                .json()
            )
            console.print(f"[bold]call replayed[/] as run {run['id']}; completion queued")

            with Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress:
                task = progress.add_task("waiting for post-call completion ...")
                deadline = time.monotonic() + 120
                while True:
                    run = api.get(f"/runs/{run['id']}").raise_for_status().json()
                    statuses = [p["status"] for p in run["completion"]["plugins"].values()]
                    waiting = sum(s == "pending" for s in statuses)
                    progress.update(
                        task,
                        description=f"run {run['state']}: {len(statuses) - waiting}/"
                        f"{len(statuses)} plugins final",
                    )
                    if run["state"] in ("completed", "failed") or time.monotonic() > deadline:
                        break
                    time.sleep(0.3)

        table = Table(title="post-call completion")
        for column in ("plugin", "status", "nodes"):
            table.add_column(column)
        for name, plugin in sorted(run["completion"]["plugins"].items()):
            nodes = ", ".join(f"{n['node_id']}={n['status']}" for n in plugin["nodes"])
            table.add_row(name, plugin["status"], nodes)
        console.print(table)
        console.print("[bold]annotations[/]")
        console.print_json(data=run["annotations"])
        console.print(f"[bold]stand-in services received[/] {dict(services.received)}")
        if services.webhook_bodies:
            console.print("[bold]webhook payload[/]")
            console.print_json(data=services.webhook_bodies[-1])
        if as_json:
            summary = {
                "state": run["state"],
                "plugins": {k: v["status"] for k, v in run["completion"]["plugins"].items()},
                "received": dict(services.received),
                "webhook": services.webhook_bodies,
                "masked_qa_api_key": masked["qa"],
            }
            print(json.dumps(summary))
        server.should_exit = True
        thread.join(timeout=10)
        return 0 if run["state"] == "completed" else 1
    finally:
        services.shutdown()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
